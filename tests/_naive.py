"""Slow, obviously correct references for the soft-DTW kernels.

``brute_*`` enumerate every alignment path (use n, m <= 6); ``dp_soft_dtw``
is Algorithm 1 of Cuturi & Blondel (2017) written in plain Python.
"""

import itertools
import math

import numpy as np
from scipy.special import logsumexp


def as_2d(x):
    x = np.asarray(x, dtype=np.float64)
    return x[:, None] if x.ndim == 1 else x


def sq_cost(x, y):
    """Squared Euclidean cost matrix, not halved."""
    x, y = as_2d(x), as_2d(y)
    return ((x[:, None, :] - y[None, :, :]) ** 2).sum(axis=-1)


def band_mask(n, m, cells):
    """Cells of the band, from the definition in softdtw_learn._kernels."""
    mask = np.zeros((n, m), dtype=bool)
    half = max(cells * min(n - 1, m - 1), max(n - 1, m - 1) / 2)
    for i, j in itertools.product(range(n), range(m)):
        mask[i, j] = n == 1 or m == 1 or abs(i * (m - 1) - j * (n - 1)) <= half
    return mask


def alignment_paths(n, m):
    """Every monotone path of (1, 0), (0, 1), (1, 1) steps from (0, 0) to (n-1, m-1)."""

    def extend(path):
        i, j = path[-1]
        if (i, j) == (n - 1, m - 1):
            yield path
            return
        for di, dj in ((1, 0), (0, 1), (1, 1)):
            if i + di < n and j + dj < m:
                yield from extend(path + [(i + di, j + dj)])

    return list(extend([(0, 0)]))


def _path_costs(C, mask):
    n, m = C.shape
    paths = [
        p for p in alignment_paths(n, m) if mask is None or all(mask[c] for c in p)
    ]
    costs = np.array([sum(C[c] for c in p) for p in paths])
    return paths, costs


def brute_soft_dtw(C, gamma, mask=None):
    """Soft minimum over all (in-band) paths of the summed cost."""
    _, costs = _path_costs(np.asarray(C, dtype=np.float64), mask)
    if gamma == 0:
        return costs.min()
    return -gamma * logsumexp(-costs / gamma)


def brute_alignment(C, gamma, mask=None):
    """Expected alignment: path indicators weighted by the Gibbs distribution."""
    C = np.asarray(C, dtype=np.float64)
    paths, costs = _path_costs(C, mask)
    weights = np.exp(-(costs - costs.min()) / gamma)
    weights /= weights.sum()
    E = np.zeros_like(C)
    for w, path in zip(weights, paths, strict=True):
        for c in path:
            E[c] += w
    return E


def dp_soft_dtw(C, gamma):
    """Algorithm 1 of the paper, cell by cell."""
    n, m = C.shape
    R = [[math.inf] * (m + 1) for _ in range(n + 1)]
    R[0][0] = 0.0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            r = [R[i - 1][j - 1], R[i - 1][j], R[i][j - 1]]
            if gamma == 0 or min(r) == math.inf:
                soft = min(r)
            else:
                low = min(r)
                soft = low - gamma * math.log(
                    sum(math.exp(-(v - low) / gamma) for v in r)
                )
            R[i][j] = C[i - 1][j - 1] + soft
    return R[n][m]
