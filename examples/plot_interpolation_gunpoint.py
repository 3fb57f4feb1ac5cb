"""
Interpolating between two GunPoint series (the paper's Figure 4)
================================================================

The soft-DTW barycenter of two series x and y with weights (1 - t, t)
interpolates between them: it is x at t = 0 and moves to y as t grows to 1
(paper section 3.1, Eq. 4 with two series). The Euclidean interpolation
``(1 - t) x + t y`` is the barycenter under the squared Euclidean distance.

The two series are one gesture of the same class, one brief and one held
about twice as long. The Euclidean interpolation averages them time step by
time step: where only the long gesture is still up, it draws a second, lower
step, whose height moves with t. The soft-DTW interpolation (gamma 1, the
paper's value) aligns the two gestures before it averages, so it keeps one
raised stretch whose length and height move from x's to y's with t. At a
smaller gamma the objective comes closer to DTW's: the edges sharpen, and
the barycenter may hold the brief gesture's peak in a single time step (one
step matched to many, as DTW alignments allow).

Data: GunPoint, bundled (UCR archive, Dau et al. 2019).
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning

from softdtw_learn.barycenter import soft_dtw_barycenter
from softdtw_learn.datasets import load_gunpoint

data = load_gunpoint()
# Class 1 of the training set: series 12 is a brief gesture, series 15 a long one.
x, y = data.X_train[data.y_train == 1][[12, 15]]
warnings.simplefilter("ignore", ConvergenceWarning)


def interpolation(t, gamma):
    """Return the interpolation at ``t``: Euclidean for gamma None."""
    if gamma is None:
        return (1 - t) * x + t * y
    return soft_dtw_barycenter(
        np.stack([x, y]), gamma=gamma, weights=[1 - t, t], max_iter=200
    )


rows = [(None, "Euclidean"), (1.0, "soft-DTW, gamma=1")]
steps = [0.25, 0.5, 0.75]
fig, axes = plt.subplots(
    len(rows), len(steps), figsize=(12, 5), sharex=True, sharey=True
)
for row, (gamma, name) in enumerate(rows):
    for col, t in enumerate(steps):
        ax = axes[row, col]
        ax.plot(x, color="C3", lw=1, alpha=0.6, label="x (brief)")
        ax.plot(y, color="C0", lw=1, alpha=0.6, label="y (long)")
        ax.plot(interpolation(t, gamma), color="k", lw=2, label="interpolation")
        ax.set_title(f"{name}, weights ({1 - t:g}, {t:g})", fontsize=9)
    axes[row, 0].set_ylabel("value")
for ax in axes[-1]:
    ax.set_xlabel("time step")
axes[0, 0].legend(fontsize=8, loc="upper left")
fig.tight_layout()
