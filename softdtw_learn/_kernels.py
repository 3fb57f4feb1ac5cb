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

import math

import llvmlite.ir as llvm_ir
import numpy as np
from numba import njit, prange, types
from numba.extending import intrinsic

# One options set for every kernel. The fastmath flags exclude the no-NaN and
# no-inf assumptions: infinities mark cells outside the band.
_FASTMATH = {"nsz", "arcp", "contract", "afn", "reassoc"}
_JIT = {"cache": True, "nogil": True, "fastmath": _FASTMATH, "error_model": "numpy"}

# Rows advanced together by the forward pass. Cells of consecutive rows on
# one anti-diagonal are independent: their soft minima are computed as one
# branch-free loop over these lanes, which the compiler turns into SIMD code.
_LANES = 16

# exp and log below are written out (range reduction + polynomial) so that
# they inline and pipeline: the library calls cost ~5x more per cell. Their
# own options leave out "reassoc", which would fold the Cody-Waite reduction.
_JIT_EXACT = {**_JIT, "fastmath": _FASTMATH - {"reassoc"}}
_LN2_HI = 6.93147180369123816490e-01  # ln 2 split in two (fdlibm's constants):
_LN2_LO = 1.90821492927058770002e-10  # k * _LN2_HI is exact for |k| < 2**11.
_LOG2_E = 1.4426950408889634
_SQRT2 = 1.4142135623730951
# Taylor coefficients 1/k! of exp on |r| <= ln(2) / 2: degree 13 truncates
# below 5e-18 relative.
_E0, _E1, _E2, _E3, _E4, _E5, _E6, _E7, _E8, _E9, _E10, _E11, _E12, _E13 = (
    1.0 / math.factorial(k) for k in range(14)
)
# fdlibm's minimax coefficients for log(1 + f) = f - hfsq + s (hfsq + R(s^2)).
_LG1 = 6.666666666666735130e-01
_LG2 = 3.999999999940941908e-01
_LG3 = 2.857142874366239149e-01
_LG4 = 2.222219843214978396e-01
_LG5 = 1.818357216161805012e-01
_LG6 = 1.531383769920937332e-01
_LG7 = 1.479819860511658591e-01


@intrinsic
def _int_bits_as_float(typingctx, bits):
    """Reinterpret the bits of an int64 as a float64 (one vectorisable bitcast)."""

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], llvm_ir.DoubleType())

    return types.float64(types.int64), codegen


@njit(**_JIT_EXACT)
def _exp_nonpositive(x):
    """``exp(x)`` for ``x <= 0``, within 2 ulp; 0 below -708 (and at ``-inf``).

    Below -708 the result would be subnormal (< 3e-308); every caller adds it
    to numbers >= 1, so 0 is exact there.
    """
    clamped = max(x, -708.0)
    k = np.floor(clamped * _LOG2_E + 0.5)
    r = (clamped - k * _LN2_HI) - k * _LN2_LO
    r2 = r * r
    r4 = r2 * r2
    # Estrin's scheme: a short dependency chain.
    low = (_E0 + _E1 * r + (_E2 + _E3 * r) * r2) + (
        _E4 + _E5 * r + (_E6 + _E7 * r) * r2
    ) * r4
    high = (_E8 + _E9 * r + (_E10 + _E11 * r) * r2) + (_E12 + _E13 * r) * r4
    scale = _int_bits_as_float((np.int64(k) + 1023) << 52)  # 2**k, k >= -1022
    value = (low + high * (r4 * r4)) * scale
    return value if x >= -708.0 else 0.0


@njit(**_JIT_EXACT)
def _log_1_to_3(y):
    """``log(y)`` for ``1 <= y <= 3``, within 1 ulp (fdlibm's e_log core)."""
    over1 = 1.0 if y > _SQRT2 else 0.0
    over2 = 1.0 if y > 2.0 * _SQRT2 else 0.0
    k = over1 + over2
    f = y * (1.0 - 0.5 * over1 - 0.25 * over2) - 1.0  # in [sqrt(2)/2 - 1, sqrt(2) - 1]
    hfsq = 0.5 * f * f
    s = f / (2.0 + f)
    z = s * s
    w = z * z
    odd = w * (_LG2 + w * (_LG4 + w * _LG6))
    even = z * (_LG1 + w * (_LG3 + w * (_LG5 + w * _LG7)))
    return k * _LN2_HI - ((hfsq - (s * (hfsq + odd + even) + k * _LN2_LO)) - f)


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
def _lane_terms(a, b, c, inv_gamma, k, low, arg_ab, arg_c):
    """Store lane ``k``'s share of the soft minimum of ``a``, ``b``, ``c``.

    The smallest argument contributes ``exp(0) = 1``, so two exponentials
    suffice: those of the other two, ``max(a, b)`` and ``max(min(a, b), c)``.
    """
    smallest = min(a, min(b, c))
    low[k] = smallest
    arg_ab[k] = (smallest - max(a, b)) * inv_gamma
    arg_c[k] = (smallest - max(min(a, b), c)) * inv_gamma


@njit(**_JIT)
def _lanes_softmin(low, arg_ab, arg_c, gamma, out):
    """Soft minimum ``low - gamma log(1 + e^arg_ab + e^arg_c)`` of every lane.

    A lane with ``low = inf`` (off the band) gives ``inf``; gamma 0 gives the
    hard minimum.
    """
    if gamma == 0.0:
        out[:] = low
        return
    for k in range(_LANES):
        rest = _exp_nonpositive(arg_ab[k]) + _exp_nonpositive(arg_c[k])
        out[k] = low[k] - gamma * _log_1_to_3(1.0 + rest)


@njit(inline="always", **_JIT)
def _softmin3_weights(a, b, c, inv_gamma):
    """Return the soft minimum's derivatives w.r.t. ``a``, ``b``, ``c`` (sum 1).

    The same two exponentials as ``_softmin3``; each argument takes the term
    of its own value, so ties get equal weights.
    """
    low = min(a, min(b, c))
    high_ab = max(a, b)
    high_c = max(min(a, b), c)
    e_ab = _exp_nonpositive((low - high_ab) * inv_gamma)
    e_c = _exp_nonpositive((low - high_c) * inv_gamma)
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
def _forward_pass(x, y, cost, lo, hi, gamma, table, rolling):
    """Algorithm 1 on the band, ``_LANES`` rows at a time along anti-diagonals.

    The cost of cell (i, j) is ``cost[i, j]`` when ``cost`` is not empty,
    otherwise ``||x_i - y_j||^2`` computed on the fly. ``table`` holds R with
    a boundary row and column (``R[0, 0] = 0``, ``inf`` elsewhere): either the
    whole ``(n + 1, m + 1)`` table, filled with ``inf`` by the caller, or with
    ``rolling`` only ``_LANES + 1`` rows (the previous strip's last row, then
    the strip), kept ``inf`` where read but not written. Returns R[n, m].
    """
    n, m = lo.shape[0], table.shape[1] - 1
    on_the_fly = cost.shape[0] == 0
    inv_gamma = 1.0 / gamma if gamma > 0.0 else 0.0
    low = np.empty(_LANES)
    arg_ab = np.empty(_LANES)
    arg_c = np.empty(_LANES)
    soft = np.empty(_LANES)
    costs = np.empty(_LANES)
    for top in range(0, n, _LANES):
        rows = min(_LANES, n - top)
        base = 0 if rolling else top  # table row of the row above the strip
        for k in range(rows):
            _inf_boundary(table, base + k + 1, top + k, lo, hi)
        # Step t computes cell (top + k, t - k) of every row k of the strip.
        for t in range(lo[top], hi[top + rows - 1] + rows):
            for k in range(_LANES):
                i = top + k
                j = t - k
                if k < rows and lo[i] <= j <= hi[i]:
                    up = base + k
                    _lane_terms(
                        table[up, j],
                        table[up, j + 1],
                        table[up + 1, j],
                        inv_gamma,
                        k,
                        low,
                        arg_ab,
                        arg_c,
                    )
                    costs[k] = _sq_dist(x, i, y, j) if on_the_fly else cost[i, j]
                else:
                    low[k] = np.inf
                    arg_ab[k] = -np.inf
                    arg_c[k] = -np.inf
            _lanes_softmin(low, arg_ab, arg_c, gamma, soft)
            for k in range(rows):
                j = t - k
                if lo[top + k] <= j <= hi[top + k]:
                    table[base + k + 1, j + 1] = costs[k] + soft[k]
        if rolling:
            last = top + rows - 1
            reach = hi[last + 1] + 2 if last + 1 < n else m + 1
            table[0, lo[last] : reach] = table[rows, lo[last] : reach]
    return table[0 if rolling else n, m]


@njit(inline="always", **_JIT)
def _inf_boundary(table, row, i, lo, hi):
    """Set ``inf`` where band row ``i`` (``table[row]``) is read, not written.

    That is left of its band, and right of it up to the next row's reach.
    """
    n = lo.shape[0]
    reach = hi[i + 1] + 2 if i + 1 < n else hi[i] + 2
    table[row, lo[i]] = np.inf
    table[row, hi[i] + 2 : reach] = np.inf


@njit(inline="always", **_JIT)
def _start_row(table, hi):
    """Row 0 of R: 0 at the origin, ``inf`` where the first row reads it."""
    table[0, 0] = 0.0
    table[0, 1 : hi[0] + 2] = np.inf


@njit(**_JIT)
def _forward(x, y, cost, lo, hi, gamma):
    """Return the ``(n + 1, m + 1)`` table R; ``R[n, m]`` is the value.

    Only the band and its boundary are written: cells off the band hold
    arbitrary values (no full-size fill, so a narrow band stays cheap).
    """
    table = np.empty((lo.shape[0] + 1, hi[-1] + 2))
    _start_row(table, hi)
    _forward_pass(x, y, cost, lo, hi, gamma, table, False)
    return table


@njit(**_JIT)
def _value(x, y, lo, hi, gamma):
    """Soft-DTW value in O(m) memory, the cost computed on the fly.

    The public layer puts the shorter series in ``y``.
    """
    table = np.empty((_LANES + 1, y.shape[0] + 1))
    _start_row(table, hi)
    return _forward_pass(x, y, np.empty((0, 0)), lo, hi, gamma, table, True)


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
    # A view: copying the full matrix would cost more than a narrow band.
    return grad[1:, 1:]


@njit(**_JIT)
def _grad_series(alignment, x, y, lo, hi):
    """Gradient w.r.t. ``x``: ``2 (E 1_m * x - E y)``, summed on the band only."""
    n, d = x.shape
    out = np.empty((n, d))
    for i in range(n):
        for k in range(d):
            total = 0.0  # a reduction along the row: vectorises
            for j in range(lo[i], hi[i] + 1):
                total += alignment[i, j] * (x[i, k] - y[j, k])
            out[i, k] = 2.0 * total
    return out


@njit(**_JIT)
def _grad_second(alignment, x, y, lo, hi):
    """Gradient w.r.t. ``y``: ``2 (E^T 1_n * y - E^T x)``, on the band only."""
    m, d = y.shape
    out = np.zeros((m, d))
    for i in range(x.shape[0]):
        for k in range(d):
            for j in range(lo[i], hi[i] + 1):
                out[j, k] += alignment[i, j] * (y[j, k] - x[i, k])
    return 2.0 * out


@njit(**_JIT)
def _value_alignment(x, y, lo, hi, gamma):
    """Value and expected alignment E of one pair (forward then backward)."""
    table = _forward(x, y, np.empty((0, 0)), lo, hi, gamma)
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


# Pairs advanced in lockstep by the pairwise kernel: one series against up to
# this many series of one common length, one pair per SIMD lane.
_PAIR_LANES = 64


@njit(**_JIT)
def _lanes_softmin_step(row, j, diag, left, cost, low, rest, gamma, inv_gamma):
    """Advance every lane by one cell: R = cost + softmin(diag, up, left).

    ``row[j]`` holds R of the row above and receives the new value in place;
    ``diag``, ``left``, ``low`` and ``rest`` are per-lane buffers. Two
    branch-free loops (exponentials, then logarithms) that vectorise; the
    split shortens each loop's dependency chain. At gamma 0 the exponentials
    are finite and multiplied by 0: the hard minimum.
    """
    n_lanes = row.shape[1]
    for lane in range(n_lanes):
        up = row[j, lane]
        corner = diag[lane]
        side = left[lane]
        smallest = min(corner, min(up, side))
        low[lane] = smallest
        rest[lane] = _exp_nonpositive((smallest - max(corner, up)) * inv_gamma) + (
            _exp_nonpositive((smallest - max(min(corner, up), side)) * inv_gamma)
        )
        diag[lane] = up
    for lane in range(n_lanes):
        value = cost[lane] + (low[lane] - gamma * _log_1_to_3(1.0 + rest[lane]))
        row[j, lane] = value
        left[lane] = value


@njit(**_JIT)
def _lanes_value(x, lanes, lo, hi, gamma, out):
    """Soft-DTW of ``x`` against the ``_PAIR_LANES`` series in ``lanes``.

    ``lanes`` is ``(m, n_channels, _PAIR_LANES)``: every lane the same length
    m, so one band ``lo, hi`` serves all. Writes the values into ``out``.
    """
    n, n_channels = x.shape
    m = lanes.shape[0]
    inv_gamma = 1.0 / gamma if gamma > 0.0 else 0.0
    row = np.full((m + 1, _PAIR_LANES), np.inf)
    row[0, :] = 0.0
    diag = np.empty(_PAIR_LANES)
    left = np.empty(_PAIR_LANES)
    cost = np.empty(_PAIR_LANES)
    low = np.empty(_PAIR_LANES)
    rest = np.empty(_PAIR_LANES)
    for i in range(n):
        # The corner of the row's first cell is R[i - 1, lo[i] - 1]: valid in
        # the first row (R[0, 0] = 0) or when inside the previous row's band.
        if i == 0 or lo[i] > lo[i - 1]:
            diag[:] = row[lo[i]]
        else:
            diag[:] = np.inf
        left[:] = np.inf
        for j in range(lo[i], hi[i] + 1):
            cost[:] = 0.0
            for k in range(n_channels):
                for lane in range(_PAIR_LANES):
                    diff = x[i, k] - lanes[j, k, lane]
                    cost[lane] += diff * diff
            _lanes_softmin_step(
                row, j + 1, diag, left, cost, low, rest, gamma, inv_gamma
            )
        if i == 0:
            row[0, :] = np.inf
    out[:] = row[m]


@njit(parallel=True, **_JIT)
def _pairwise(
    xs, x_len, ys, y_len, order, chunk_start, gamma, cells, fraction, symmetric
):
    """Matrix of values over all pairs; one triangle when ``symmetric``.

    ``xs`` and ``ys`` are padded 3-D datasets, ``x_len`` and ``y_len`` the
    true lengths. ``order`` sorts Y by length and ``chunk_start`` cuts it
    into chunks of at most ``_PAIR_LANES`` series of one length: each task
    runs one series of X against one chunk, a pair per lane. With
    ``symmetric`` (Y is X), pair (a, b) is computed once, from the one that
    comes first in ``order``.
    """
    n_x, n_y = xs.shape[0], ys.shape[0]
    n_channels = xs.shape[2]
    n_chunks = chunk_start.shape[0] - 1
    position = np.empty(n_y, dtype=np.int64)
    position[order] = np.arange(n_y)
    out = np.empty((n_x, n_y))
    # The tasks that have work, listed first so that prange's equal split of
    # them balances the threads (in the triangle, early rows have more).
    tasks = np.empty((n_x * n_chunks, 2), dtype=np.int64)
    n_tasks = 0
    for a in range(n_x):
        for chunk in range(n_chunks):
            # In the triangle, a chunk ending before a is done from its side.
            if not symmetric or chunk_start[chunk + 1] > position[a]:
                tasks[n_tasks, 0] = a
                tasks[n_tasks, 1] = chunk
                n_tasks += 1
    for task in prange(n_tasks):
        a, chunk = tasks[task, 0], tasks[task, 1]
        first, stop = chunk_start[chunk], chunk_start[chunk + 1]
        m = y_len[order[first]]
        lanes = np.empty((m, n_channels, _PAIR_LANES))
        for lane in range(_PAIR_LANES):
            b = order[min(first + lane, stop - 1)]  # spare lanes repeat the last
            for j in range(m):
                for k in range(n_channels):
                    lanes[j, k, lane] = ys[b, j, k]
        n = x_len[a]
        lo, hi = _band_bounds(n, m, _band_width(cells, fraction, n, m))
        values = np.empty(_PAIR_LANES)
        _lanes_value(xs[a, :n], lanes, lo, hi, gamma, values)
        for lane in range(stop - first):
            b = order[first + lane]
            if symmetric and position[b] < position[a]:
                continue
            out[a, b] = values[lane]
            if symmetric:
                out[b, a] = values[lane]
    return out


@njit(parallel=True, **_JIT)
def _self_values(xs, x_len, gamma, cells, fraction):
    """``sdtw(x_i, x_i)`` for every series: the divergence's self terms."""
    out = np.empty(xs.shape[0])
    for a in prange(xs.shape[0]):
        series = xs[a, : x_len[a]]
        out[a] = _pair_value(series, series, gamma, cells, fraction)
    return out


@njit(**_JIT)
def _pair_alignment(x, y, gamma, cells, fraction):
    """Value, expected alignment E and band bounds of one pair."""
    n, m = x.shape[0], y.shape[0]
    lo, hi = _band_bounds(n, m, _band_width(cells, fraction, n, m))
    value, alignment = _value_alignment(x, y, lo, hi, gamma)
    return value, alignment, lo, hi


@njit(**_JIT)
def _self_value_grad(x, gamma, cells, fraction):
    """``sdtw(x, x)`` and its gradient w.r.t. the first argument alone.

    ``x`` is both arguments and E is symmetric, so the total derivative of
    ``sdtw(x, x)`` is twice the returned gradient.
    """
    value, alignment, lo, hi = _pair_alignment(x, x, gamma, cells, fraction)
    return value, _grad_series(alignment, x, x, lo, hi)


@njit(**_JIT)
def _self_term(x, gamma, cells, fraction, want_grad, grad):
    """``sdtw(x, x)``; with ``want_grad`` also subtract its share from ``grad``.

    The divergence's term ``-sdtw(x, x) / 2`` has gradient ``-grad_x(x, x)``
    (see :func:`_self_value_grad`). Without a gradient the value-only path
    runs (no alignment matrix).
    """
    if not want_grad:
        return _pair_value(x, x, gamma, cells, fraction)
    value, self_grad = _self_value_grad(x, gamma, cells, fraction)
    grad -= self_grad
    return value


@njit(parallel=True, **_JIT)
def _weighted_terms(z, xs, x_len, coef, gamma, cells, fraction):
    """Return ``sum_s coef[s] sdtw(z, x_s)`` and its gradient w.r.t. ``z``.

    One forward and backward pass per series, the series spread over threads;
    the objective of soft-DTW barycenters (paper eq. 4).
    """
    n_series = xs.shape[0]
    values = np.empty(n_series)
    grads = np.empty((n_series, z.shape[0], z.shape[1]))
    for s in prange(n_series):
        x = xs[s, : x_len[s]]
        value, alignment, lo, hi = _pair_alignment(z, x, gamma, cells, fraction)
        values[s] = coef[s] * value
        grads[s] = coef[s] * _grad_series(alignment, z, x, lo, hi)
    # Summed in series order: an array .sum() here would become a parallel
    # reduction whose rounding depends on the thread count.
    total = 0.0
    grad = np.zeros(z.shape)
    for s in range(n_series):
        total += values[s]
        grad += grads[s]
    return total, grad


@njit(parallel=True, **_JIT)
def _paired_terms(
    xs, x_len, ys, y_len, gamma, cells, fraction, divergence, want_x, want_y
):
    """Values of the pairs ``(xs[s], ys[s])`` and, on request, their gradients.

    Soft-DTW, or with ``divergence`` the soft-DTW divergence; the gradients
    w.r.t. ``xs`` and ``ys`` have the padded shapes of their inputs (zero on
    the padding). Without gradients each pair takes the value-only path.
    The pairs are spread over threads.
    """
    n_pairs = xs.shape[0]
    values = np.empty(n_pairs)
    # Unrequested gradients have no time steps: their slices below are empty.
    grad_x = np.zeros(xs.shape if want_x else (n_pairs, 0, xs.shape[2]))
    grad_y = np.zeros(ys.shape if want_y else (n_pairs, 0, ys.shape[2]))
    for s in prange(n_pairs):
        x, y = xs[s, : x_len[s]], ys[s, : y_len[s]]
        if want_x or want_y:
            value, alignment, lo, hi = _pair_alignment(x, y, gamma, cells, fraction)
            if want_x:
                grad_x[s, : x_len[s]] = _grad_series(alignment, x, y, lo, hi)
            if want_y:
                grad_y[s, : y_len[s]] = _grad_second(alignment, x, y, lo, hi)
        else:
            value = _pair_value(x, y, gamma, cells, fraction)
        if divergence:
            # D = sdtw(x, y) - (sdtw(x, x) + sdtw(y, y)) / 2
            value -= 0.5 * (
                _self_term(x, gamma, cells, fraction, want_x, grad_x[s, : x_len[s]])
                + _self_term(y, gamma, cells, fraction, want_y, grad_y[s, : y_len[s]])
            )
        values[s] = value
    return values, grad_x, grad_y
