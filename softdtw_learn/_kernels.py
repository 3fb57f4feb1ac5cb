"""Numba kernels for soft-DTW (Cuturi & Blondel, ICML 2017, Algorithms 1 and 2).

Every function here works on float64, C-contiguous arrays that the public
modules have already validated: nothing is checked inside. Series are 2-D
``(n_timestamps, n_channels)``. The cost is the squared Euclidean distance,
not halved. ``gamma == 0`` turns the soft minimum into a hard minimum (DTW).

Band convention (Sakoe-Chiba, generalised to unequal lengths): cell ``(i, j)``
of an ``n x m`` grid is visited iff ``|i (m - 1) - j (n - 1)| <= W`` with
``W = max(w * min(n - 1, m - 1), max(n - 1, m - 1) / 2)``, where ``w`` is the
half-width in cells measured along the longer series. The floor on ``W``
keeps the band connected, so a path from ``(0, 0)`` to ``(n - 1, m - 1)``
always exists. Rows are summarised by ``lo[i] <= j <= hi[i]``.
"""

import numpy as np
from numba import njit, prange

# One options set for every kernel. The fastmath flags exclude the no-NaN and
# no-inf assumptions: infinities mark cells outside the band.
_FASTMATH = {"nsz", "arcp", "contract", "afn", "reassoc"}
_JIT = {"cache": True, "nogil": True, "fastmath": _FASTMATH, "error_model": "numpy"}

# Rows advanced together by the forward passes: cells of consecutive rows on
# one anti-diagonal are independent, which lets the CPU overlap their
# exp/log latency instead of waiting on one dependency chain.
_STRIP = 4


@njit(**_JIT)
def _band_bounds(n, m, w):
    """Return ``(lo, hi)``, the first and last column of each row in the band.

    ``w < 0`` means no band (every cell).
    """
    lo = np.zeros(n, dtype=np.int64)
    hi = np.full(n, m - 1, dtype=np.int64)
    if w < 0 or n == 1 or m == 1:
        return lo, hi
    half = max(w * min(n - 1, m - 1), max(n - 1, m - 1) / 2.0)
    if half >= (n - 1) * (m - 1):
        return lo, hi
    for i in range(n):
        a = i * (m - 1)
        # Float estimate, then exact integer corrections at the edges.
        first = max(0, int(np.ceil((a - half) / (n - 1))))
        last = min(m - 1, int(np.floor((a + half) / (n - 1))))
        while first > 0 and abs(a - (first - 1) * (n - 1)) <= half:
            first -= 1
        while abs(a - first * (n - 1)) > half:
            first += 1
        while last < m - 1 and abs(a - (last + 1) * (n - 1)) <= half:
            last += 1
        while abs(a - last * (n - 1)) > half:
            last -= 1
        lo[i] = first
        hi[i] = last
    return lo, hi


@njit(inline="always", **_JIT)
def _softmin3(a, b, c, gamma, inv_gamma):
    """Soft minimum ``-gamma log sum exp(-v / gamma)``; hard minimum at gamma 0.

    The smallest argument contributes ``exp(0) = 1``, so two exponentials
    suffice: the other two arguments are ``max(a, b)`` and ``max(min(a, b), c)``.
    """
    low = min(a, min(b, c))
    if gamma == 0.0 or low == np.inf:
        return low
    rest = np.exp((low - max(a, b)) * inv_gamma) + np.exp(
        (low - max(min(a, b), c)) * inv_gamma
    )
    return low - gamma * np.log(1.0 + rest)


@njit(inline="always", **_JIT)
def _softmin3_weights(a, b, c, inv_gamma):
    """Return the soft minimum's derivatives w.r.t. ``a``, ``b``, ``c`` (sum 1).

    The same two exponentials as ``_softmin3``; each argument takes the term
    of its own value, so ties get equal weights.
    """
    low = min(a, min(b, c))
    high_ab = max(a, b)
    high_c = max(min(a, b), c)
    e_ab = np.exp((low - high_ab) * inv_gamma)
    e_c = np.exp((low - high_c) * inv_gamma)
    scale = 1.0 / (1.0 + e_ab + e_c)
    w_a = scale if a == low else (e_ab if a == high_ab else e_c) * scale
    w_b = scale if b == low else (e_ab if b == high_ab else e_c) * scale
    w_c = scale if c == low else (e_ab if c == high_ab else e_c) * scale
    return w_a, w_b, w_c


@njit(inline="always", **_JIT)
def _sq_dist(x, i, y, j):
    """Squared Euclidean distance between ``x[i]`` and ``y[j]``."""
    total = 0.0
    for k in range(x.shape[1]):
        diff = x[i, k] - y[j, k]
        total += diff * diff
    return total


@njit(**_JIT)
def _cost_matrix(x, y, lo, hi):
    """Squared Euclidean cost on the band; ``inf`` outside it."""
    n, m = x.shape[0], y.shape[0]
    cost = np.full((n, m), np.inf)
    for i in range(n):
        for j in range(lo[i], hi[i] + 1):
            cost[i, j] = _sq_dist(x, i, y, j)
    return cost


@njit(**_JIT)
def _forward(cost, lo, hi, gamma):
    """Algorithm 1: the full ``(n + 1, m + 1)`` table R, ``R[n, m]`` the value.

    Row 0 and column 0 are the boundary (``R[0, 0] = 0``, ``inf`` elsewhere);
    cells outside the band stay ``inf`` and are never computed.
    """
    n, m = cost.shape
    inv_gamma = 1.0 / gamma if gamma > 0.0 else 0.0
    table = np.full((n + 1, m + 1), np.inf)
    table[0, 0] = 0.0
    for top in range(0, n, _STRIP):
        rows = min(_STRIP, n - top)
        # Row top + k handles column t - k at step t: one anti-diagonal.
        for t in range(lo[top], hi[top + rows - 1] + rows):
            for k in range(rows):
                i = top + k
                j = t - k
                if lo[i] <= j <= hi[i]:
                    table[i + 1, j + 1] = cost[i, j] + _softmin3(
                        table[i, j], table[i, j + 1], table[i + 1, j], gamma, inv_gamma
                    )
    return table


@njit(**_JIT)
def _value(x, y, lo, hi, gamma):
    """Soft-DTW value with the cost computed on the fly and O(m) memory.

    Keeps ``_STRIP + 1`` rows of R (the last row of the previous strip, then
    the strip itself); the public layer puts the shorter series in ``y``.
    """
    n, m = x.shape[0], y.shape[0]
    inv_gamma = 1.0 / gamma if gamma > 0.0 else 0.0
    rows_r = np.full((_STRIP + 1, m + 1), np.inf)
    rows_r[0, 0] = 0.0
    for top in range(0, n, _STRIP):
        rows = min(_STRIP, n - top)
        # Cells the strip reads but does not write must hold inf: the one left
        # of each row's band, and those the next row reaches beyond it.
        for k in range(rows):
            i = top + k
            reach = hi[i + 1] + 2 if i + 1 < n else hi[i] + 2
            rows_r[k + 1, lo[i]] = np.inf
            rows_r[k + 1, hi[i] + 2 : reach] = np.inf
        for t in range(lo[top], hi[top + rows - 1] + rows):
            for k in range(rows):
                i = top + k
                j = t - k
                if lo[i] <= j <= hi[i]:
                    rows_r[k + 1, j + 1] = _sq_dist(x, i, y, j) + _softmin3(
                        rows_r[k, j],
                        rows_r[k, j + 1],
                        rows_r[k + 1, j],
                        gamma,
                        inv_gamma,
                    )
        last = top + rows - 1
        reach = hi[last + 1] + 2 if last + 1 < n else m + 1
        rows_r[0, lo[last] : reach] = rows_r[rows, lo[last] : reach]
    return rows_r[0, m]


@njit(**_JIT)
def _backward(table, lo, hi, gamma):
    """Algorithm 2: expected alignment ``E = d R[n, m] / d cost``, shape (n, m).

    Each cell, once final, pushes its share to its three predecessors,
    weighted by the soft-minimum derivatives recomputed from R. The weights
    are exponentials of non-positive numbers (no overflow), and cells with
    ``E == 0`` (off every path through the band) push nothing, so infinite
    neighbours never meet an ``inf - inf``.
    """
    n, m = table.shape[0] - 1, table.shape[1] - 1
    inv_gamma = 1.0 / gamma
    # Padded by one row and column so that cell (0, 0) pushes without a branch.
    grad = np.zeros((n + 1, m + 1))
    grad[n, m] = 1.0
    for i in range(n, 0, -1):
        for j in range(hi[i - 1] + 1, lo[i - 1], -1):
            e = grad[i, j]
            if e == 0.0:
                continue
            w_diag, w_up, w_left = _softmin3_weights(
                table[i - 1, j - 1], table[i - 1, j], table[i, j - 1], inv_gamma
            )
            grad[i - 1, j - 1] += e * w_diag
            grad[i - 1, j] += e * w_up
            grad[i, j - 1] += e * w_left
    return np.ascontiguousarray(grad[1:, 1:])


@njit(**_JIT)
def _grad_series(alignment, x, y, lo, hi):
    """Gradient w.r.t. ``x``: ``2 (E 1_m * x - E y)``, summed on the band only."""
    n, d = x.shape
    out = np.zeros((n, d))
    for i in range(n):
        for j in range(lo[i], hi[i] + 1):
            e = alignment[i, j]
            if e != 0.0:
                for k in range(d):
                    out[i, k] += 2.0 * e * (x[i, k] - y[j, k])
    return out


@njit(**_JIT)
def _value_alignment(x, y, lo, hi, gamma):
    """Value and expected alignment E of one pair (forward then backward)."""
    table = _forward(_cost_matrix(x, y, lo, hi), lo, hi, gamma)
    return table[x.shape[0], y.shape[0]], _backward(table, lo, hi, gamma)


@njit(**_JIT)
def _optimal_path(table, lo, hi):
    """Backtrack the DTW path through a gamma = 0 table, as ``(k, 2)`` indices."""
    i, j = table.shape[0] - 1, table.shape[1] - 1
    path = np.empty((i + j, 2), dtype=np.int64)
    count = 0
    while True:
        path[count, 0] = i - 1
        path[count, 1] = j - 1
        count += 1
        if i == 1 and j == 1:
            break
        diag, up, left = table[i - 1, j - 1], table[i - 1, j], table[i, j - 1]
        if diag <= up and diag <= left:
            i, j = i - 1, j - 1
        elif up <= left:
            i -= 1
        else:
            j -= 1
    return path[:count][::-1].copy()


@njit(**_JIT)
def _band_width(cells, fraction, n, m):
    """Half-width in cells: ``cells``, or ``fraction`` of the longer length.

    ``cells < 0`` with ``fraction == 0`` means no band.
    """
    if fraction > 0.0:
        return fraction * max(n, m)
    return cells


@njit(**_JIT)
def _pair_value(x, y, gamma, cells, fraction):
    """Value of one pair, the shorter series placed second (O(min) memory)."""
    if y.shape[0] > x.shape[0]:
        x, y = y, x
    n, m = x.shape[0], y.shape[0]
    lo, hi = _band_bounds(n, m, _band_width(cells, fraction, n, m))
    return _value(x, y, lo, hi, gamma)


@njit(parallel=True, **_JIT)
def _pairwise(xs, x_len, ys, y_len, gamma, cells, fraction, symmetric):
    """Matrix of values over all pairs; one triangle when ``symmetric``.

    ``xs`` and ``ys`` are padded 3-D datasets, ``x_len`` and ``y_len`` the
    true lengths. Pairs are flattened so that ``prange`` balances them.
    """
    n_x, n_y = xs.shape[0], ys.shape[0]
    out = np.empty((n_x, n_y))
    if not symmetric:
        for a in prange(n_x):
            for b in range(n_y):
                out[a, b] = _pair_value(
                    xs[a, : x_len[a]], ys[b, : y_len[b]], gamma, cells, fraction
                )
        return out
    # Row a of the upper triangle holds n_x - a pairs: folding row a with row
    # n_x - 1 - a gives every parallel task the same n_x + 1 pairs.
    for fold in prange((n_x + 1) // 2):
        _triangle_row(xs, x_len, fold, gamma, cells, fraction, out)
        if n_x - 1 - fold != fold:
            _triangle_row(xs, x_len, n_x - 1 - fold, gamma, cells, fraction, out)
    return out


@njit(**_JIT)
def _triangle_row(xs, x_len, a, gamma, cells, fraction, out):
    """Fill ``out[a, a:]`` and its mirror ``out[a:, a]``."""
    for b in range(a, xs.shape[0]):
        value = _pair_value(
            xs[a, : x_len[a]], xs[b, : x_len[b]], gamma, cells, fraction
        )
        out[a, b] = value
        out[b, a] = value


@njit(parallel=True, **_JIT)
def _self_values(xs, x_len, gamma, cells, fraction):
    """``sdtw(x_i, x_i)`` for every series: the divergence's self terms."""
    out = np.empty(xs.shape[0])
    for a in prange(xs.shape[0]):
        series = xs[a, : x_len[a]]
        out[a] = _pair_value(series, series, gamma, cells, fraction)
    return out
