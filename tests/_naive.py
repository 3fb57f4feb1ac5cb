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


def window_mask(n, m, window):
    """Band of ``window`` on an ``n x m`` grid as a boolean mask; None if no band.

    An int window is the half-width in cells; a float one a fraction of the
    longer length (``cells = fraction * max(n, m)``, as ``_band_width``).
    """
    if window is None:
        return None
    if isinstance(window, (int, np.integer)):
        cells = float(window)
    else:
        cells = float(window) * max(n, m)
    return band_mask(n, m, cells)


def banded(C, mask):
    """Copy of ``C`` (float64) with cost inf on the cells outside ``mask``."""
    C = np.array(C, dtype=np.float64)
    if mask is not None:
        C[~mask] = math.inf
    return C


def dp_tables(C, gamma):
    """Forward pass of Algorithm 1, keeping its tables: ``(R, soft)``.

    Both are ``(n + 1) x (m + 1)`` lists of lists, indexed from 1 like the
    paper (row and column 0 are the border). ``soft[i][j]`` is the soft
    minimum of the three predecessors of cell (i, j), and
    ``R[i][j] = C[i - 1][j - 1] + soft[i][j]``. Cells whose cost is inf (out
    of the band) get ``R = inf``. ``R[n][m]`` is the soft-DTW value.
    """
    n, m = C.shape
    R = [[math.inf] * (m + 1) for _ in range(n + 1)]
    soft = [[math.inf] * (m + 1) for _ in range(n + 1)]
    R[0][0] = 0.0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            r = [R[i - 1][j - 1], R[i - 1][j], R[i][j - 1]]
            low = min(r)
            if gamma == 0 or low == math.inf:
                s = low
            else:
                s = low - gamma * math.log(sum(math.exp(-(v - low) / gamma) for v in r))
            soft[i][j] = s
            c = float(C[i - 1][j - 1])
            R[i][j] = math.inf if c == math.inf else c + s
    return R, soft


def dp_alignment(C, gamma):
    """Algorithm 2 of the paper: ``(value, E)`` with ``E = d value / d C``.

    Backward recursion ``E[i][j] = sum over the successors (a, b) of (i, j)
    of E[a][b] * d R[a][b] / d R[i][j]``, where ``R[a][b] = C[a][b] +
    softmin(its predecessors)`` gives ``d R[a][b] / d R[i][j] =
    exp((soft[a][b] - R[i][j]) / gamma)``: an exponent <= 0 (a soft minimum is
    below each of its arguments), so nothing overflows, and it is formed from
    the stored soft minimum rather than ``R[a][b] - C[a][b]`` (no
    cancellation). ``E[n][m] = 1``. Cells with cost inf (outside a band)
    and cells off every path get 0. ``gamma`` must be > 0.
    """
    if not gamma > 0:
        raise ValueError("dp_alignment needs gamma > 0")
    n, m = C.shape
    R, soft = dp_tables(C, gamma)
    E = [[0.0] * (m + 2) for _ in range(n + 2)]
    E[n][m] = 1.0
    for i in range(n, 0, -1):
        for j in range(m, 0, -1):
            if (i, j) == (n, m) or R[i][j] == math.inf:
                continue
            total = 0.0
            for a, b in ((i + 1, j), (i, j + 1), (i + 1, j + 1)):
                if a <= n and b <= m and E[a][b] != 0.0:
                    total += E[a][b] * math.exp((soft[a][b] - R[i][j]) / gamma)
            E[i][j] = total
    return R[n][m], np.array([row[1 : m + 1] for row in E[1 : n + 1]])


def grads_from_alignment(x, y, E):
    """Gradients of soft-DTW w.r.t. ``x`` and ``y`` (as ``(n, d)``, ``(m, d)``).

    ``d/dx_i = 2 sum_j E_ij (x_i - y_j)`` and ``d/dy_j = -2 sum_i E_ij (x_i -
    y_j)``: the same as ``2 (E 1 * x - E y)`` and ``2 (E^T 1 * y - E^T x)``,
    written on the differences, which stay exact under a common offset.
    """
    x, y = as_2d(x), as_2d(y)
    diff = x[:, None, :] - y[None, :, :]
    grad_x = 2.0 * np.einsum("ij,ijk->ik", E, diff)
    grad_y = -2.0 * np.einsum("ij,ijk->jk", E, diff)
    return grad_x, grad_y


def count_paths(C):
    """Number of alignment paths through the finite cells of ``C`` (exact int)."""
    n, m = C.shape
    N = [[0] * (m + 1) for _ in range(n + 1)]
    N[0][0] = 1
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            if math.isfinite(C[i - 1][j - 1]):
                N[i][j] = N[i - 1][j - 1] + N[i - 1][j] + N[i][j - 1]
    return N[n][m]
