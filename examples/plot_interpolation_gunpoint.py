"""
Interpolating between two GunPoint series (the paper's Figure 4)
================================================================

A weighted soft-DTW barycenter of two series interpolates between them: with
weights (w, 1 - w) it moves from one to the other as w goes from 0 to 1
(paper section 3.1). The soft-DTW interpolation keeps one clean rising and
falling edge and moves its timing with the weights, whereas the Euclidean
interpolation ``w x + (1 - w) y`` superposes the two shifted edges into a
stepped one.

Data: GunPoint, bundled (UCR archive, Dau et al. 2019).
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning

from softdtw_learn.barycenter import soft_dtw_barycenter
from softdtw_learn.datasets import load_gunpoint

data = load_gunpoint()
x, y = data.X_train[data.y_train == 1][[0, 4]]
warnings.simplefilter("ignore", ConvergenceWarning)

weights = [(0.25, 0.75), (0.5, 0.5), (0.75, 0.25)]
fig, axes = plt.subplots(2, 3, figsize=(12, 5), sharex=True, sharey=True)
for col, (w_x, w_y) in enumerate(weights):
    soft = soft_dtw_barycenter(
        np.stack([x, y]), gamma=1.0, weights=[w_x, w_y], max_iter=200
    )
    euclid = w_x * x + w_y * y
    for row, (z, name) in enumerate(
        [(soft, "soft-DTW, gamma=1"), (euclid, "Euclidean")]
    ):
        ax = axes[row, col]
        ax.plot(x, color="C0", lw=1, alpha=0.6, label="x")
        ax.plot(y, color="C1", lw=1, alpha=0.6, label="y")
        ax.plot(z, color="C3", lw=2, label="interpolation")
        ax.set_title(f"{name}, weights ({w_x}, {w_y})", fontsize=9)
axes[0, 0].legend(fontsize=8)
fig.tight_layout()
