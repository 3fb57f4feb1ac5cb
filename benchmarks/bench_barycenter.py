"""Soft-DTW barycenter: softdtw_learn against tslearn's softdtw_barycenter.

10 random walks of length 128, gamma 0.1 and 1, L-BFGS-B from the Euclidean
mean with at most 100 iterations and the same tolerance for both. Prints the
time (best of 3), the ratio and each barycenter's objective
``sum_i sdtw(z, x_i) / (N m_i)`` evaluated by softdtw_learn.
"""

import importlib
import warnings

import numpy as np
from _timing import best
from sklearn.exceptions import ConvergenceWarning

from softdtw_learn.barycenter import soft_dtw_barycenter
from softdtw_learn.metrics import soft_dtw


def objective(z, X, gamma):
    return np.mean([soft_dtw(z, x, gamma=gamma) / len(x) for x in X])


def main():
    X = np.cumsum(np.random.default_rng(0).normal(size=(10, 128)), axis=1)
    try:
        tslearn = importlib.import_module("tslearn.barycenters")
    except ImportError:
        tslearn = None
        print("tslearn is not importable: timing softdtw_learn only")
    warnings.simplefilter("ignore", ConvergenceWarning)
    for gamma in (0.1, 1.0):
        for n_jobs in (None, -1):
            ours, z = best(
                lambda g=gamma, j=n_jobs: soft_dtw_barycenter(
                    X, gamma=g, max_iter=100, tol=1e-3, n_jobs=j, continuation=None
                )
            )
            print(
                f"gamma {gamma}, n_jobs {n_jobs}: softdtw_learn {ours:.4f} s, "
                f"objective {objective(z, X, gamma):.6f}"
            )
            if n_jobs is None:
                one_thread = ours
        if tslearn:
            theirs, zt = best(
                lambda g=gamma: tslearn.softdtw_barycenter(
                    X[:, :, None], gamma=g, max_iter=100, tol=1e-3
                )
            )
            print(
                f"gamma {gamma}: tslearn {theirs:.4f} s, objective "
                f"{objective(zt[:, 0], X, gamma):.6f}, ratio "
                f"{theirs / one_thread:.1f}x (one thread), "
                f"{theirs / ours:.1f}x (all cores)"
            )


if __name__ == "__main__":
    main()
