"""
The expected alignment matrix for several gamma
===============================================

The gradient of soft-DTW w.r.t. the cost matrix is the expected alignment E:
``E[i, j]`` is the probability that step i of x and step j of y are matched
under the Gibbs distribution over alignment paths (paper section 2.2,
Algorithm 2). Large gamma spreads E over many paths; as gamma falls it
concentrates on the optimal DTW path, drawn in red.

Data: two ECG200 heartbeats, bundled (UCR archive, Dau et al. 2019).
"""

import matplotlib.pyplot as plt

from softdtw_learn.datasets import load_ecg200
from softdtw_learn.metrics import dtw
from softdtw_learn.plotting import plot_alignment

X = load_ecg200().X_train
x, y = X[1], X[0]
_, path = dtw(x, y, return_path=True)

gammas = [10.0, 1.0, 0.1, 0.01]
fig, axes = plt.subplots(1, len(gammas), figsize=(4.6 * len(gammas), 4.4))
for ax, gamma in zip(axes, gammas, strict=True):
    plot_alignment(x, y, gamma=gamma, ax=ax)
    ax.plot(path[:, 1], path[:, 0], color="C3", lw=0.8, alpha=0.7)
fig.subplots_adjust(left=0.1, right=0.98, top=0.76, bottom=0.1, wspace=0.75)
