"""Real UCR series for the benchmarks, read from ../shared/data as distributed.

The UCR files are z-normalised as distributed; they are used as read, never
re-normalised. ``softdtw_learn`` is imported only when a file is read, so that
a script can set ``NUMBA_CACHE_DIR`` before Numba loads.
"""

from pathlib import Path

import numpy as np

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "ucr"

# The gammas of the real-data rows.
GAMMAS = (0.01, 0.1, 1.0)

# Pairwise on real data: (dataset, split, number of series), X against itself.
PAIRWISE_SETS = (
    ("ECG200", "TRAIN", 100),
    ("CBF", "TRAIN", 30),
    ("ArrowHead", "TRAIN", 36),
)


def missing():
    """Why the real-data rows cannot run, or None when ../shared/data is there."""
    if SHARED.is_dir():
        return None
    return f"{SHARED} not found (../shared/data is not beside the repository)"


def read(name, split, n=None):
    """The first ``n`` series of ``<name>_<split>.tsv`` and their labels, as read.

    Returns ``X`` of shape (n, length), float64, and ``y``.
    """
    from softdtw_learn.datasets import read_ucr_file

    X, y = read_ucr_file(SHARED / name / f"{name}_{split}.tsv")
    X = np.ascontiguousarray(X[:n], dtype=np.float64)
    if X.ndim != 2 or np.isnan(X).any():
        raise ValueError(f"{name}_{split}: expected equal-length univariate series")
    return X, y[:n]
