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


# Strip layout. Rows are taken _LANES at a time; strip s covers rows
# top = s * _LANES ... top + _LANES - 1. Within a strip, cell (i, j) sits at
# lane k = i - top + 1 of step t = j + k, so that the cells of one step lie on
# one anti-diagonal (independent of each other) and a step's lanes are
# contiguous in memory: the three neighbours a lane reads are the same or
# the previous lane one and two steps back. Lane 0 holds the row above the
# strip. A strip stores its steps from two before its first cell to two
# after its last: only the band, plus a margin of _LANES steps, is stored
# and computed.
_WIDTH = _LANES + 1


@njit(**_JIT)
def _strip_layout(lo, hi):
    """Per strip: its first stored step, and its offset in one flat buffer.

    Strip ``s`` is ``store[offset[s]:offset[s + 1]]`` viewed as
    ``(steps, _WIDTH)``; row ``r`` of it is step ``start[s] + r``.
    """
    n = lo.shape[0]
    n_strips = (n + _LANES - 1) // _LANES
    start = np.empty(n_strips, dtype=np.int64)
    offset = np.empty(n_strips + 1, dtype=np.int64)
    offset[0] = 0
    for s in range(n_strips):
        top = s * _LANES
        rows = min(_LANES, n - top)
        first, last = lo[top] + 1, hi[top + rows - 1] + rows
        start[s] = first - 2
        offset[s + 1] = offset[s] + (last - first + 5) * _WIDTH
    return start, offset


@njit(**_JIT)
def _two_strips(offset):
    """Return a flat buffer of two slots, each the size of the largest strip."""
    return np.empty(2 * np.max(offset[1:] - offset[:-1]))


@njit(**_JIT)
def _lane_buffers(x, y, m):
    """``(y_rev, x_lanes, lane_lo, lane_hi)`` for a pass over the strips.

    ``y`` reversed by :func:`_reversed_series`; the others are filled per
    strip by :func:`_set_lanes`.
    """
    y_rev = _reversed_series(y, m)
    x_lanes = np.zeros((max(x.shape[1], 1), _WIDTH))
    lane_lo = np.empty(_WIDTH, dtype=np.int64)
    lane_hi = np.empty(_WIDTH, dtype=np.int64)
    return y_rev, x_lanes, lane_lo, lane_hi


@njit(**_JIT)
def _strip(store, base, offset, s):
    """Strip ``s`` as a ``(steps, _WIDTH)`` view of ``store`` from ``base``."""
    steps = (offset[s + 1] - offset[s]) // _WIDTH
    return store[base : base + steps * _WIDTH].reshape((steps, _WIDTH))


@njit(**_JIT)
def _reversed_series(y, m):
    """``y`` channel-major and reversed, padded by ``_LANES`` zeros each side.

    Lane k of step t reads column ``j = t - k``, at index
    ``_LANES + m - 1 - t + k`` here: consecutive lanes, consecutive memory.
    A series with no rows (cost matrix given) gives zeros.
    """
    out = np.zeros((y.shape[1], m + 2 * _LANES))
    for j in range(y.shape[0]):
        for c in range(y.shape[1]):
            out[c, _LANES + m - 1 - j] = y[j, c]
    return out


@njit(**_JIT)
def _set_lanes(x, lo, hi, top, x_lanes, lane_lo, lane_hi):
    """Per-lane row data of the strip at ``top``: ``x`` rows and band bounds.

    Lanes outside the strip's rows (and outside the grid) get an empty band.
    """
    n = lo.shape[0]
    for k in range(_WIDTH):
        i = top - 1 + k
        inside = 1 <= k <= _LANES and i < n
        lane_lo[k] = lo[i] if inside else 1
        lane_hi[k] = hi[i] if inside else 0
        for c in range(x_lanes.shape[0]):
            x_lanes[c, k] = x[i, c] if inside and x.shape[0] > 0 else 0.0


@njit(**_JIT)
def _step_costs(x_lanes, y_rev, cost, top, t, lane_lo, lane_hi, out):
    """Cost of every lane's cell at step ``t`` (0 off the band).

    From the series when ``cost`` is empty, else read from ``cost``.
    """
    if cost.shape[0] == 0:
        base = y_rev.shape[1] - _LANES - 1 - t
        out[:] = 0.0
        for c in range(x_lanes.shape[0]):
            for k in range(1, _LANES + 1):
                diff = x_lanes[c, k] - y_rev[c, base + k]
                out[k] += diff * diff
    else:
        for k in range(1, _LANES + 1):
            j = t - k
            inside = lane_lo[k] <= j <= lane_hi[k]
            out[k] = cost[top - 1 + k, j] if inside else 0.0


@njit(**_JIT)
def _fill_above(strip, first_step, above, above_first):
    """Lane 0 of a strip: the row above it, i.e. lane ``_LANES`` of ``above``.

    Without a strip above (the first strip), row -1 of R: 0 at the origin's
    corner (step -1), ``inf`` elsewhere.
    """
    for r in range(strip.shape[0]):
        t = first_step + r
        if above.shape[0] == 0:
            strip[r, 0] = 0.0 if t == -1 else np.inf
        else:
            q = t + _LANES - above_first
            inside = 0 <= q < above.shape[0]
            strip[r, 0] = above[q, _LANES] if inside else np.inf


@njit(**_JIT)
def _forward_strip(
    strip, first_step, x_lanes, y_rev, cost, top, lane_lo, lane_hi, gamma, work
):
    """Algorithm 1 on one strip whose lane 0 is set; off-band cells get inf.

    Every step is two branch-free loops over the lanes (exponentials, then
    the logarithm), which the compiler vectorises. At gamma 0 the
    exponentials are finite and multiplied by 0: the hard minimum.
    """
    costs, low, rest = work[0], work[1], work[2]
    inv_gamma = 1.0 / gamma if gamma > 0.0 else 0.0
    steps = strip.shape[0]
    strip[:2, 1:] = np.inf
    strip[steps - 2 :, 1:] = np.inf
    for r in range(2, steps - 2):
        t = first_step + r
        _step_costs(x_lanes, y_rev, cost, top, t, lane_lo, lane_hi, costs)
        diag, above, here = strip[r - 2], strip[r - 1], strip[r]
        for k in range(1, _LANES + 1):
            corner, up, side = diag[k - 1], above[k - 1], above[k]
            smallest = min(corner, min(up, side))
            low[k] = smallest
            rest[k] = _exp_nonpositive((smallest - max(corner, up)) * inv_gamma) + (
                _exp_nonpositive((smallest - max(min(corner, up), side)) * inv_gamma)
            )
        for k in range(1, _LANES + 1):
            value = costs[k] + (low[k] - gamma * _log_1_to_3(1.0 + rest[k]))
            j = t - k
            here[k] = value if lane_lo[k] <= j and j <= lane_hi[k] else np.inf


@njit(**_JIT)
def _run_forward(x, y, cost, lo, hi, gamma, store, start, offset, rolling):
    """Algorithm 1 over all strips; returns ``R[n - 1, m - 1]``.

    With ``rolling`` the strips alternate between the two slots of ``store``
    (O(m) memory, value only); otherwise strip s stays in slot s for the
    backward pass.
    """
    n, m = lo.shape[0], hi[-1] + 1
    y_rev, x_lanes, lane_lo, lane_hi = _lane_buffers(x, y, m)
    work = np.empty((3, _WIDTH))
    above = np.empty((0, _WIDTH))
    above_first = 0
    for s in range(start.shape[0]):
        top = s * _LANES
        base = (s % 2) * (store.shape[0] // 2) if rolling else offset[s]
        strip = _strip(store, base, offset, s)
        _set_lanes(x, lo, hi, top, x_lanes, lane_lo, lane_hi)
        _fill_above(strip, start[s], above, above_first)
        _forward_strip(
            strip, start[s], x_lanes, y_rev, cost, top, lane_lo, lane_hi, gamma, work
        )
        above, above_first = strip, start[s]
    rows = n - top
    return above[m - 1 + rows - above_first, rows]


@njit(**_JIT)
def _backward_strip(
    strip, strip_e, first_step, x_lanes, y_rev, gamma, work, grad_lanes, grad_y_rev
):
    """Algorithm 2 on one strip, last step first.

    At each step the lanes' E is final (every successor has pushed to it);
    each cell then pushes its E to its three predecessors, weighted by the
    soft minimum's derivatives recomputed from R (exponentials of differences
    of stored R values: no cost needed, no overflow). Pushes into lane 0 are
    for the strip above. Ties get equal weights. The gradients' sums
    ``E (x_i - y_j)`` accumulate per lane and per reversed column.
    """
    to_corner, to_up, to_side = work[0], work[1], work[2]
    inv_gamma = 1.0 / gamma
    want_x, want_y = grad_lanes.shape[1] > 0, grad_y_rev.shape[1] > 0
    for r in range(strip.shape[0] - 3, 1, -1):
        diag, above, e_here = strip[r - 2], strip[r - 1], strip_e[r]
        for k in range(1, _LANES + 1):
            corner, up, side = diag[k - 1], above[k - 1], above[k]
            low = min(corner, min(up, side))
            high_cu = max(corner, up)
            high_s = max(min(corner, up), side)
            e_cu = _exp_nonpositive((low - high_cu) * inv_gamma)
            e_s = _exp_nonpositive((low - high_s) * inv_gamma)
            share = e_here[k] / (1.0 + e_cu + e_s)
            to_corner[k] = (
                share if corner == low else (e_cu if corner == high_cu else e_s) * share
            )
            to_up[k] = share if up == low else (e_cu if up == high_cu else e_s) * share
            to_side[k] = (
                share if side == low else (e_cu if side == high_cu else e_s) * share
            )
        for k in range(1, _LANES + 1):
            strip_e[r - 1, k] += to_side[k]
        for k in range(1, _LANES + 1):
            strip_e[r - 1, k - 1] += to_up[k]
        for k in range(1, _LANES + 1):
            strip_e[r - 2, k - 1] += to_corner[k]
        if want_x or want_y:
            base = y_rev.shape[1] - _LANES - 1 - (first_step + r)
            for c in range(x_lanes.shape[0]):
                for k in range(1, _LANES + 1):
                    diff = e_here[k] * (x_lanes[c, k] - y_rev[c, base + k])
                    if want_x:
                        grad_lanes[c, k] += diff
                    if want_y:
                        grad_y_rev[c, base + k] -= diff


@njit(**_JIT)
def _run_backward(x, y, lo, hi, gamma, store, start, offset, want_x, want_y, alignment):
    """Algorithm 2 over the strips a full forward pass left in ``store``.

    Returns the gradients w.r.t. ``x`` and ``y`` (``2 sum_j E (x_i - y_j)``
    and ``2 sum_i E (y_j - x_i)``; an unrequested one has no rows) and, when
    ``alignment`` has rows, writes E there (band cells only).
    """
    n, m = lo.shape[0], hi[-1] + 1
    n_strips = start.shape[0]
    y_rev, x_lanes, lane_lo, lane_hi = _lane_buffers(x, y, m)
    d = x_lanes.shape[0]
    work = np.empty((3, _WIDTH))
    grad_x = np.zeros((n if want_x else 0, d))
    grad_lanes = np.zeros((d, _WIDTH if want_x else 0))
    grad_y_rev = np.zeros((d, y_rev.shape[1] if want_y else 0))
    # E of two strips: the current one and the one below (whose lane 0 holds
    # what it pushed into this strip's last row).
    e_store = _two_strips(offset)
    below_e = np.empty((0, _WIDTH))
    below_first = 0
    for s in range(n_strips - 1, -1, -1):
        top = s * _LANES
        rows = min(_LANES, n - top)
        strip = _strip(store, offset[s], offset, s)
        strip_e = _strip(e_store, (s % 2) * (e_store.shape[0] // 2), offset, s)
        strip_e[:] = 0.0
        if below_e.shape[0] == 0:
            strip_e[m - 1 + rows - start[s], rows] = 1.0  # E at the last cell
        for q in range(below_e.shape[0]):
            r = below_first + q + _LANES - start[s]
            if 0 <= r < strip_e.shape[0]:
                strip_e[r, _LANES] += below_e[q, 0]
        _set_lanes(x, lo, hi, top, x_lanes, lane_lo, lane_hi)
        grad_lanes[:] = 0.0
        _backward_strip(
            strip,
            strip_e,
            start[s],
            x_lanes,
            y_rev,
            gamma,
            work,
            grad_lanes,
            grad_y_rev,
        )
        if want_x:
            for k in range(1, rows + 1):
                for c in range(d):
                    grad_x[top - 1 + k, c] = 2.0 * grad_lanes[c, k]
        if alignment.shape[0] > 0:
            for k in range(1, rows + 1):
                i = top - 1 + k
                for j in range(lo[i], hi[i] + 1):
                    alignment[i, j] = strip_e[j + k - start[s], k]
        below_e, below_first = strip_e, start[s]
    grad_y = np.empty((m if want_y else 0, d))
    for j in range(grad_y.shape[0]):
        for c in range(d):
            grad_y[j, c] = 2.0 * grad_y_rev[c, _LANES + m - 1 - j]
    return grad_x, grad_y


@njit(**_JIT)
def _forward(x, y, cost, lo, hi, gamma):
    """Full forward pass: ``(value, store, start, offset)`` for the backward.

    ``x`` and ``y`` are the series, or have no rows when ``cost`` (n, m) is
    given; only the band's strips are stored.
    """
    start, offset = _strip_layout(lo, hi)
    store = np.empty(offset[-1])
    value = _run_forward(x, y, cost, lo, hi, gamma, store, start, offset, False)
    return value, store, start, offset


@njit(**_JIT)
def _value(x, y, cost, lo, hi, gamma):
    """Soft-DTW value in O(m) memory (two strips), no table kept.

    The cost is computed on the fly when ``cost`` is empty, as in
    :func:`_forward`. The public layer puts the shorter series in ``y``.
    """
    start, offset = _strip_layout(lo, hi)
    return _run_forward(
        x, y, cost, lo, hi, gamma, _two_strips(offset), start, offset, True
    )


@njit(**_JIT)
def _value_grads(x, y, lo, hi, gamma, want_x, want_y):
    """Value and the requested gradients (w.r.t. ``x``, ``y``) of one pair.

    For gamma > 0 in the scaled probability domain, unless its underflow
    bound fails; then, and at gamma 0, in the log domain.
    """
    if gamma > 0.0 and _scaled_may_work(x.shape[0], y.shape[0], _PAIR_TOP):
        exact, value, grad_x, grad_y = _scaled_value_grads(
            x, y, lo, hi, gamma, want_x, want_y, np.empty((0, 0))
        )
        if exact:
            return value, grad_x, grad_y
    return _log_value_grads(x, y, lo, hi, gamma, want_x, want_y)


@njit(**_JIT)
def _log_value_grads(x, y, lo, hi, gamma, want_x, want_y):
    """:func:`_value_grads` in the log domain (Algorithms 1 and 2)."""
    no_cost = np.empty((0, 0))
    value, store, start, offset = _forward(x, y, no_cost, lo, hi, gamma)
    grad_x, grad_y = _run_backward(
        x, y, lo, hi, gamma, store, start, offset, want_x, want_y, np.empty((0, 0))
    )
    return value, grad_x, grad_y


@njit(**_JIT)
def _value_alignment(x, y, cost, lo, hi, gamma):
    """Value and expected alignment E, shape (n, m), zero off the band."""
    value, store, start, offset = _forward(x, y, cost, lo, hi, gamma)
    alignment = np.zeros((lo.shape[0], hi[-1] + 1))
    _run_backward(x, y, lo, hi, gamma, store, start, offset, False, False, alignment)
    return value, alignment


@njit(**_JIT)
def _table_entry(store, start, offset, lo, hi, i, j):
    """R at cell (i, j) of a full forward store; row and column -1 included."""
    if i < 0 or j < 0:
        return 0.0 if i == -1 and j == -1 else np.inf
    if j < lo[i] or j > hi[i]:
        return np.inf
    s = i // _LANES
    k = i - s * _LANES + 1
    return store[offset[s] + (j + k - start[s]) * _WIDTH + k]


@njit(**_JIT)
def _optimal_path(store, start, offset, lo, hi):
    """Backtrack the DTW path through a gamma = 0 store, as ``(k, 2)`` indices."""
    i, j = lo.shape[0] - 1, hi[-1]
    path = np.empty((i + j + 1, 2), dtype=np.int64)
    count = 0
    while True:
        path[count, 0] = i
        path[count, 1] = j
        count += 1
        if i == 0 and j == 0:
            break
        diag = _table_entry(store, start, offset, lo, hi, i - 1, j - 1)
        up = _table_entry(store, start, offset, lo, hi, i - 1, j)
        left = _table_entry(store, start, offset, lo, hi, i, j - 1)
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
    return _value(x, y, np.empty((0, 0)), lo, hi, gamma)


# Pairs advanced in lockstep by the pairwise kernel: one series against up to
# this many series of one common length, one pair per SIMD lane.
_PAIR_LANES = 64
# Below this many lanes the lane loops run scalar (4 doubles per vector,
# unrolled twice): 4 to 7 lanes cost more than 8 (value, length 128: 8.0-9.4
# against 3.4 ns/cell per lane; with gradients 21-24 against 9.6).
_VECTOR_LANES = 8


@njit(**_JIT)
def _padded_lanes(n_lanes):
    """How many lanes to run for ``n_lanes`` series (padding with copies)."""
    if 4 <= n_lanes < _VECTOR_LANES:
        return _VECTOR_LANES
    return n_lanes


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
    """Soft-DTW of ``x`` against the series in ``lanes``, one per lane.

    ``lanes`` is ``(m, n_channels, n_lanes)``, at most ``_PAIR_LANES`` lanes,
    every lane the same length m, so one band ``lo, hi`` serves all. Writes
    the values into ``out``.
    """
    n, n_channels = x.shape
    m, n_lanes = lanes.shape[0], lanes.shape[2]
    inv_gamma = 1.0 / gamma if gamma > 0.0 else 0.0
    row = np.full((m + 1, n_lanes), np.inf)
    row[0, :] = 0.0
    diag = np.empty(n_lanes)
    left = np.empty(n_lanes)
    cost = np.empty(n_lanes)
    low = np.empty(n_lanes)
    rest = np.empty(n_lanes)
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
                for lane in range(n_lanes):
                    diff = x[i, k] - lanes[j, k, lane]
                    cost[lane] += diff * diff
            _lanes_softmin_step(
                row, j + 1, diag, left, cost, low, rest, gamma, inv_gamma
            )
        if i == 0:
            row[0, :] = np.inf
    out[:] = row[m]


# Scaled probability domain (gamma > 0). With P = exp(-R / gamma) and
# e = exp(-cost / gamma) <= 1, Algorithm 1 becomes
# P[i, j] = e[i, j] (P[i-1, j-1] + P[i-1, j] + P[i, j-1]): one exponential and
# no logarithm per cell. Before each row, the row above is rescaled by an
# exact power of two that brings its sum to about 2**_scale_top(m) (true
# value = stored * 2**-T, T the running sum of shifts); every entry of the
# new row is then at most twice that sum, so nothing overflows. What can be
# lost is underflow: an entry or an e below the smallest normal float. Its
# absolute error is bounded per row, and reaches P[n-1, m-1] through at most
# D(n-1-i, m-1-j) paths of weight <= 1 (Delannoy numbers, D(a, b) <=
# (3 + 2 sqrt 2) ** max(a, b)). When that bound is not below 2**-60 of the
# result, the caller recomputes the pair in the log domain.
_DELANNOY_BITS = 2.5432  # > log2(3 + 2 sqrt 2)
_TINY = 2.2250738585072014e-308  # smallest normal float64
_SCALED_MARGIN = -60.0  # log2 of the relative error accepted from underflow
_MAX_SHIFT = 1000  # |shift| per row, so that 2**shift is a normal float


@njit(**_JIT)
def _scale_top(m):
    """log2 of a row sum's target: 2 m times it must stay finite."""
    return 1020 - int(np.ceil(np.log2(2.0 * m + 2.0)))


@njit(**_JIT)
def _lane_ranges(lanes):
    """Per channel and lane, the lowest and highest value: ``(2, d, n_lanes)``."""
    ranges = np.empty((2, lanes.shape[1], lanes.shape[2]))
    ranges[0] = lanes[0]
    ranges[1] = lanes[0]
    for j in range(1, lanes.shape[0]):
        for c in range(lanes.shape[1]):
            for lane in range(lanes.shape[2]):
                ranges[0, c, lane] = min(ranges[0, c, lane], lanes[j, c, lane])
                ranges[1, c, lane] = max(ranges[1, c, lane], lanes[j, c, lane])
    return ranges


@njit(**_JIT)
def _row_cost_bound(x_row, ranges, lane):
    """Upper bound on the costs of a row: per channel, the farthest value."""
    bound = 0.0
    for c in range(x_row.shape[0]):
        far = max(x_row[c] - ranges[0, c, lane], ranges[1, c, lane] - x_row[c])
        bound += far * far
    return bound


@njit(**_JIT)
def _scaled_may_work(n, m, top):
    """Whether the scaled domain can pass its bound on an n x m grid at all.

    The bound counts up to (3 + 2 sqrt 2) ** max(n, m) paths behind every
    underflow; past about 2**(1000 + top) of them it fails on any data (one
    would need a result above 1), so the log domain is taken at once.
    """
    return _DELANNOY_BITS * (max(n, m) - 1) < 1000 + top


@njit(**_JIT)
def _path_cost_bounds(x, y, lo, hi, gamma):
    """Lower bounds, in bits of ``exp(-cost / gamma)``, on what paths pay.

    Every path visits every row (and column) of the band at least once, row
    0 at its first cell and row n - 1 at its last. Returns ``later``
    ``(n + 1,)``, ``later[i]`` bounding what a path pays in rows i to n - 1,
    and the larger of ``later[0]`` and the columns' bound.
    """
    n, m = x.shape[0], y.shape[0]
    y_channels = np.ascontiguousarray(y.T)
    rows = np.empty(n)
    cols = np.full(m, np.inf)
    cost = np.empty(m)
    first = last = 0.0
    for i in range(n):
        _row_costs(x[i], y_channels, lo[i], hi[i], cost)
        band = cost[lo[i] : hi[i] + 1]
        band_cols = cols[lo[i] : hi[i] + 1]
        least = np.inf
        for j in range(band.shape[0]):
            least = min(least, band[j])
            band_cols[j] = min(band_cols[j], band[j])
        rows[i] = least
        if i == 0:
            first = cost[0]
        if i == n - 1:
            last = cost[m - 1]
    # The corners are on every path: their costs replace their rows' minima.
    rows[0] = cols[0] = first
    if n > 1:
        rows[n - 1] = last
    if m > 1:
        cols[m - 1] = last
    bits = _LOG2_E / gamma
    later = np.zeros(n + 1)
    for i in range(n - 1, -1, -1):
        later[i] = later[i + 1] + rows[i] * bits
    return later, max(later[0], cols.sum() * bits)


@njit(**_JIT)
def _scaled_hopeless(whole, top):
    """Whether to skip the scaled domain for a pair whose paths pay ``whole``.

    ``whole`` bounds every path's cost in bits (:func:`_path_cost_bounds`).
    A screen, not a proof: the underflow bound holds when the best paths pay
    within about ``1011 + top`` bits of the row-by-row bounds, which rarely
    happens once ``whole`` alone exceeds that. On 3,000 random pairs (random
    walks, noise, noisy copies; lengths 8-200, gamma 0.01-10) it skipped
    590, 14 of which the scaled pass would have computed. A skipped pair
    goes to the log domain, which is exact too.
    """
    return whole > 1011.0 + top


@njit(**_JIT)
def _underflow_bits(shift, total, clamps, rest_bits, top, cells):
    """log2 of the worst error underflow in one row can bring to the last cell.

    The row was computed after a ``shift`` of the row above; ``total`` is the
    running shift, ``rest_bits`` bounds log2 of the summed weight (product
    of e) of the paths from the row to the end: their number, less what
    every such path must pay (:func:`_path_cost_bounds`). Each of a cell's
    five operations loses at most 2**-1074 in the scaled units (the sum of
    the row above's entries also before the shift);
    where ``clamps``, a cost may exceed 1416 gamma: its e, the square of a
    factor below exp(-708), is 0 and loses up to exp(-1416) < 2**-2043 times
    the cell's three neighbours (at most 3 * 2**top).
    """
    bits = -1071.0 + max(shift, 0)
    if clamps:
        bits = max(bits, -2041.0 + top)
    return bits - total + rest_bits + np.log2(cells)


@njit(**_JIT)
def _row_shift(row_sum, top, first):
    """Shift that brings ``row_sum`` to about ``2**top`` (0 before row 0)."""
    if first:
        return 0
    shift = top - math.frexp(row_sum)[1]
    return min(max(shift, -_MAX_SHIFT), _MAX_SHIFT)


@njit(**_JIT)
def _lanes_value_scaled(x, lanes, lo, hi, gamma, out, exact):
    """:func:`_lanes_value` in the scaled probability domain (gamma > 0).

    ``exact[lane]`` says whether underflow could have cost more than 2**-60
    of that lane's result; where it is False, ``out`` is not to be used.
    """
    no_table = np.empty((0, lanes.shape[2]))
    no_shifts = np.empty((0, lanes.shape[2]), dtype=np.int64)
    top = _scale_top(lanes.shape[0])
    later = np.zeros((x.shape[0] + 1, lanes.shape[2]))
    _lanes_forward_scaled(
        x, lanes, lo, hi, gamma, top, 0.0, later, no_table, no_shifts, out, exact
    )


@njit(**_JIT)
def _lanes_forward_scaled(
    x, lanes, lo, hi, gamma, top, slack, later, alpha, shifts, out, exact
):
    """Forward pass of :func:`_lanes_value_scaled` with row sums near 2**top.

    ``later[i]`` (per lane, a lower bound on what paths pay in rows i on, in
    bits, from :func:`_path_cost_bounds`; zeros when unknown) lets the pass
    stop once no lane can pass its bound.

    When ``alpha`` has rows, row i's band is kept at ``alpha[offsets[i]:...]``
    (offsets of :func:`_row_offsets`) and the running shifts in ``shifts``.
    ``slack`` is added to the underflow bound (log2 of how much more an
    error can weigh in what the caller computes next).
    """
    n, n_channels = x.shape
    m, n_lanes = lanes.shape[0], lanes.shape[2]
    inv_gamma = 1.0 / gamma
    store = alpha.shape[0] > 0
    base = 0
    row = np.zeros((m + 1, n_lanes))
    row[0, :] = math.ldexp(1.0, top)  # P[-1, -1] = 1, scaled
    total = np.full(n_lanes, top, dtype=np.int64)
    worst = np.full(n_lanes, -np.inf)
    ranges = _lane_ranges(lanes)
    diag = np.empty(n_lanes)
    left = np.empty(n_lanes)
    cost = np.empty(n_lanes)
    row_sum = np.zeros(n_lanes)
    scale = np.empty(n_lanes)
    for i in range(n):
        rest_bits = _DELANNOY_BITS * max(n - 1 - i, m - 1 - lo[i])
        for lane in range(n_lanes):
            if i > 0 and row_sum[lane] < _TINY:
                worst[lane] = np.inf  # the row above underflowed entirely
            shift = _row_shift(row_sum[lane], top, i == 0)
            scale[lane] = math.ldexp(1.0, shift)
            total[lane] += shift
            # Only where some cost could exceed 1416 gamma can an e flush to 0.
            clamps = _row_cost_bound(x[i], ranges, lane) * inv_gamma > 1416.0
            worst[lane] = max(
                worst[lane],
                _underflow_bits(
                    shift,
                    total[lane],
                    clamps,
                    rest_bits - later[i + 1, lane],
                    top,
                    hi[i] - lo[i] + 1,
                ),
            )
        # The corner of the row's first cell, P[i - 1, lo[i] - 1]: the origin's
        # in the first row, else valid only inside the previous row's band.
        if i == 0 or lo[i] > lo[i - 1]:
            diag[:] = row[lo[i]]
        else:
            diag[:] = 0.0
        left[:] = 0.0
        row_sum[:] = 0.0
        for j in range(lo[i], hi[i] + 1):
            cost[:] = 0.0
            for k in range(n_channels):
                for lane in range(n_lanes):
                    diff = x[i, k] - lanes[j, k, lane]
                    cost[lane] += diff * diff
            for lane in range(n_lanes):
                up = row[j + 1, lane]
                # e as the square of exp(-cost / 2 gamma): 0 only past 1416.
                half_e = _exp_nonpositive(-0.5 * cost[lane] * inv_gamma)
                value = half_e * (
                    half_e * (scale[lane] * (diag[lane] + up) + left[lane])
                )
                diag[lane] = up
                left[lane] = value
                row[j + 1, lane] = value
                row_sum[lane] += value
        if i == 0:
            row[0, :] = 0.0
        if store:
            shifts[i] = total
            for j in range(lo[i], hi[i] + 1):
                alpha[base + j - lo[i]] = row[j + 1]
            base += hi[i] - lo[i] + 1
        # The result is at most this row's sum times its paths to the end,
        # each paying ``later[i + 1]`` at least: once every lane's bound
        # must fail, stop.
        hopeless = True
        for lane in range(n_lanes):
            most = math.frexp(row_sum[lane])[1] - total[lane] + rest_bits
            most -= later[i + 1, lane]
            hopeless = hopeless and worst[lane] + slack - most > _SCALED_MARGIN
        if hopeless:
            exact[:] = False
            return
    for lane in range(n_lanes):
        last = row[m, lane]
        if last < _TINY or not worst[lane] < np.inf:
            exact[lane] = False
            continue
        log2_result = np.log2(last) - total[lane]
        exact[lane] = worst[lane] + slack - log2_result <= _SCALED_MARGIN
        out[lane] = -gamma * (np.log(last) - total[lane] * math.log(2.0))


# The value and gradients of one pair in the scaled probability domain, row
# by row. The forward pass keeps alpha = P and the half exponentials
# exp(-cost / 2 gamma); the backward pass runs the same recursion from the
# end, B[i, j] = e[i, j] beta[i, j] with beta[i, j] = B[i, j+1] + B[i+1, j] +
# B[i+1, j+1] (paths from (i, j) to the end), so that E = alpha beta / Z.
# Both passes scale their rows to sums of about 2**_PAIR_TOP, low enough that
# alpha * beta stays finite.
_PAIR_TOP = 500


@njit(**_JIT)
def _row_offsets(lo, hi):
    """Start of each row's band in a flat table (``n + 1`` offsets)."""
    offsets = np.zeros(lo.shape[0] + 1, dtype=np.int64)
    for i in range(lo.shape[0]):
        offsets[i + 1] = offsets[i] + hi[i] - lo[i] + 1
    return offsets


@njit(**_JIT)
def _row_costs(x_row, y_channels, first, last, out):
    """Costs of one row's cells ``first..last`` against ``y`` (channels first)."""
    # Views from ``first``: loops from 0 vectorise.
    band = out[first : last + 1]
    band[:] = 0.0
    for c in range(y_channels.shape[0]):
        y_band = y_channels[c, first : last + 1]
        for j in range(band.shape[0]):
            diff = x_row[c] - y_band[j]
            band[j] += diff * diff


@njit(**_JIT)
def _scaled_forward(x, y, lo, hi, inv_gamma, offsets, alpha, halves, shifts):
    """Forward pass; fills ``alpha``, ``halves`` and the running ``shifts``.

    Returns log2 of the worst underflow error reaching the last cell (see
    :func:`_underflow_bits`), in true units; ``inf`` as soon as that error
    must exceed 2**-60 of the result, whose log2 is at most a row's sum's
    plus the log2 of the paths from the row on (errors reach the sum of E
    with n + m times their weight, which the check includes).
    """
    n, m = lo.shape[0], hi[-1] + 1
    top = _PAIR_TOP
    ranges = _lane_ranges(np.ascontiguousarray(y).reshape((m, y.shape[1], 1)))
    full = np.zeros(m + 1)  # the row above, column j at j + 1
    full[0] = math.ldexp(1.0, top)  # P[-1, -1] = 1, scaled
    above = np.empty(m)
    costs = np.empty(m)
    y_channels = np.ascontiguousarray(y.T)
    total, row_sum, worst = top, 0.0, -np.inf
    for i in range(n):
        if i > 0 and row_sum < _TINY:
            return np.inf
        shift = _row_shift(row_sum, top, i == 0)
        scale = math.ldexp(1.0, shift)
        total += shift
        shifts[i] = total
        clamps = _row_cost_bound(x[i], ranges, 0) * inv_gamma > 1416.0
        rest_bits = _DELANNOY_BITS * max(n - 1 - i, m - 1 - lo[i])
        worst = max(
            worst,
            _underflow_bits(shift, total, clamps, rest_bits, top, hi[i] - lo[i] + 1),
        )
        base = offsets[i] - lo[i]
        _row_costs(x[i], y_channels, lo[i], hi[i], costs)
        for j in range(lo[i], hi[i] + 1):
            halves[base + j] = _exp_nonpositive(-0.5 * costs[j] * inv_gamma)
            above[j] = scale * (full[j] + full[j + 1])
        full[lo[i]] = 0.0
        left, row_sum = 0.0, 0.0
        for j in range(lo[i], hi[i] + 1):
            half = halves[base + j]
            left = half * (half * (left + above[j]))
            full[j + 1] = left
            alpha[base + j] = left
            row_sum += left
        most = math.frexp(row_sum)[1] - total + rest_bits  # >= log2 of the result
        if worst + np.log2(n + m) - most > _SCALED_MARGIN:
            return np.inf
    return worst


@njit(**_JIT)
def _scaled_backward(
    x, y, lo, hi, offsets, alpha, halves, shifts, grad_x, grad_y, alignment
):
    """Backward pass into the requested gradients and alignment.

    Writes ``2 sum_j E (x_i - y_j)``, its twin for ``y`` and E where their
    arrays have rows. Returns log2 of the worst error underflow here brings
    to the sum of E: an error at a cell reaches it through the paths that
    end there, at most n + m times 3 * 2**top in alpha's units.
    """
    n, m = lo.shape[0], hi[-1] + 1
    top = _PAIR_TOP
    last = alpha[offsets[n] - 1]
    log2_result = np.log2(last) - shifts[n - 1]
    below = np.zeros(m + 1)  # B of the row below, column j at j
    beyond = np.empty(m)
    beta = np.empty(m)
    total, row_sum, worst = top, 0.0, -np.inf
    want_x, want_y = grad_x.shape[0] > 0, grad_y.shape[0] > 0
    paths_bits = np.log2(3.0 * (n + m)) + top
    for i in range(n - 1, -1, -1):
        if i < n - 1 and row_sum < _TINY:
            return np.inf
        shift = _row_shift(row_sum, top, i == n - 1)
        scale = math.ldexp(1.0, shift)
        total += shift
        worst = max(
            worst,
            _underflow_bits(shift, total, False, paths_bits - shifts[i], top, 1)
            + np.log2(hi[i] - lo[i] + 1.0)
            - log2_result,
        )
        base = offsets[i] - lo[i]
        for j in range(lo[i], hi[i] + 1):
            beyond[j] = scale * (below[j] + below[j + 1])
        right = math.ldexp(1.0, top) if i == n - 1 else 0.0  # beta[n-1, m-1] = 1
        row_sum = 0.0
        for j in range(hi[i], lo[i] - 1, -1):
            half = halves[base + j]
            paths = right + beyond[j]
            beta[j] = paths
            right = half * (half * paths)
            below[j] = right
            row_sum += right
        below[hi[i] + 1] = 0.0
        # E = alpha beta / Z in true units; alpha beta < 2**(2 top + 3) is finite.
        factor = math.ldexp(1.0 / last, shifts[n - 1] - shifts[i] - total)
        for j in range(lo[i], hi[i] + 1):
            beta[j] = alpha[base + j] * beta[j] * factor
        if alignment.shape[0] > 0:
            for j in range(lo[i], hi[i] + 1):
                alignment[i, j] = beta[j]
        for c in range(x.shape[1]):
            if want_x:
                acc = 0.0
                for j in range(lo[i], hi[i] + 1):
                    acc += beta[j] * (x[i, c] - y[j, c])
                grad_x[i, c] = 2.0 * acc
            if want_y:
                for j in range(lo[i], hi[i] + 1):
                    grad_y[j, c] += 2.0 * beta[j] * (y[j, c] - x[i, c])
    return worst


@njit(**_JIT)
def _scaled_value_grads(x, y, lo, hi, gamma, want_x, want_y, alignment):
    """``(exact, value, grad_x, grad_y)`` of one pair, scaled domain (gamma > 0).

    ``exact`` is False when underflow could have cost more than 2**-60 of the
    value or of the sum of E; the other results are then not to be used.
    """
    n, d = x.shape
    m = hi[-1] + 1
    offsets = _row_offsets(lo, hi)
    alpha = np.empty(offsets[-1])
    halves = np.empty(offsets[-1])
    shifts = np.empty(n, dtype=np.int64)
    grad_x = np.zeros((n if want_x else 0, d))
    grad_y = np.zeros((m if want_y else 0, d))
    inv_gamma = 1.0 / gamma
    worst = _scaled_forward(x, y, lo, hi, inv_gamma, offsets, alpha, halves, shifts)
    last = alpha[offsets[n] - 1] if worst < np.inf else 0.0
    if last < _TINY:
        return False, 0.0, grad_x, grad_y
    log2_result = np.log2(last) - shifts[n - 1]
    # Errors in alpha reach the sum of E with at most n + m times their weight.
    if worst - log2_result + np.log2(n + m) > _SCALED_MARGIN:
        return False, 0.0, grad_x, grad_y
    value = -gamma * (np.log(last) - shifts[n - 1] * math.log(2.0))
    if want_x or want_y or alignment.shape[0] > 0:
        worst = _scaled_backward(
            x, y, lo, hi, offsets, alpha, halves, shifts, grad_x, grad_y, alignment
        )
        if not worst <= _SCALED_MARGIN:
            return False, value, grad_x, grad_y
    return True, value, grad_x, grad_y


@njit(**_JIT)
def _lanes_backward_scaled(x, lanes, lo, hi, gamma, alpha, shifts, exact, grads):
    """Backward pass of the lanes after :func:`_lanes_forward_scaled`.

    Writes each lane's gradient w.r.t. ``x``, ``2 sum_j E (x_i - y_j)``, into
    ``grads`` ``(n, n_channels, n_lanes)``, and clears ``exact`` where
    underflow could have cost more than 2**-60 of the sum of E (see
    :func:`_scaled_backward`, the same recursion for one pair).
    """
    n, n_channels = x.shape
    m, n_lanes = lanes.shape[0], lanes.shape[2]
    inv_gamma = 1.0 / gamma
    top = _PAIR_TOP
    last = alpha[alpha.shape[0] - 1].copy()
    log2_result = np.log2(last) - shifts[n - 1]
    below = np.zeros((m + 1, n_lanes))  # B of the row below, column j at j
    total = np.full(n_lanes, top, dtype=np.int64)
    worst = np.full(n_lanes, -np.inf)
    row_sum = np.zeros(n_lanes)
    scale = np.empty(n_lanes)
    factor = np.empty(n_lanes)
    right = np.empty(n_lanes)
    diag = np.empty(n_lanes)
    cost = np.empty(n_lanes)
    weight = np.empty(n_lanes)
    acc = np.empty((n_channels, n_lanes))
    paths_bits = np.log2(3.0 * (n + m)) + top
    end = alpha.shape[0]
    for i in range(n - 1, -1, -1):
        cells = hi[i] - lo[i] + 1
        end -= cells
        for lane in range(n_lanes):
            if i < n - 1 and row_sum[lane] < _TINY:
                worst[lane] = np.inf
            shift = _row_shift(row_sum[lane], top, i == n - 1)
            scale[lane] = math.ldexp(1.0, shift)
            total[lane] += shift
            worst[lane] = max(
                worst[lane],
                _underflow_bits(
                    shift, total[lane], False, paths_bits - shifts[i, lane], top, cells
                )
                - log2_result[lane],
            )
            factor[lane] = math.ldexp(
                1.0 / last[lane], shifts[n - 1, lane] - shifts[i, lane] - total[lane]
            )
        right[:] = math.ldexp(1.0, top) if i == n - 1 else 0.0  # beta at the end
        if i < n - 1 and hi[i] < hi[i + 1]:
            diag[:] = below[hi[i] + 1]
        else:
            diag[:] = 0.0
        row_sum[:] = 0.0
        acc[:] = 0.0
        for j in range(hi[i], lo[i] - 1, -1):
            cost[:] = 0.0
            for k in range(n_channels):
                for lane in range(n_lanes):
                    diff = x[i, k] - lanes[j, k, lane]
                    cost[lane] += diff * diff
            stored = alpha[end + j - lo[i]]
            for lane in range(n_lanes):
                old = below[j, lane]
                paths = right[lane] + scale[lane] * (old + diag[lane])
                diag[lane] = old
                half_e = _exp_nonpositive(-0.5 * cost[lane] * inv_gamma)
                value = half_e * (half_e * paths)
                below[j, lane] = value
                right[lane] = value
                row_sum[lane] += value
                weight[lane] = stored[lane] * paths * factor[lane]  # E
            for k in range(n_channels):
                for lane in range(n_lanes):
                    acc[k, lane] += weight[lane] * (x[i, k] - lanes[j, k, lane])
        for k in range(n_channels):
            for lane in range(n_lanes):
                grads[i, k, lane] = 2.0 * acc[k, lane]
    for lane in range(n_lanes):
        exact[lane] = exact[lane] and worst[lane] <= _SCALED_MARGIN


@njit(**_JIT)
def _lanes_value_grads_scaled(x, lanes, lo, hi, gamma, later, out, exact, grads):
    """Values and gradients w.r.t. ``x`` of ``x`` against every lane.

    Scaled probability domain (gamma > 0); where ``exact`` is False, that
    lane's results are not to be used. ``later``: see
    :func:`_lanes_forward_scaled`.
    """
    n, n_lanes = x.shape[0], lanes.shape[2]
    offsets = _row_offsets(lo, hi)
    alpha = np.empty((offsets[-1], n_lanes))
    shifts = np.empty((n, n_lanes), dtype=np.int64)
    slack = np.log2(n + lanes.shape[0])  # errors in alpha reach the sum of E
    _lanes_forward_scaled(
        x, lanes, lo, hi, gamma, _PAIR_TOP, slack, later, alpha, shifts, out, exact
    )
    if exact.any():
        _lanes_backward_scaled(x, lanes, lo, hi, gamma, alpha, shifts, exact, grads)


@njit(parallel=True, **_JIT)
def _pairwise(
    xs, x_len, ys, y_len, order, chunk_start, gamma, cells, fraction, symmetric, n_parts
):
    """Matrix of values over all pairs; one triangle when ``symmetric``.

    ``xs`` and ``ys`` are padded 3-D datasets, ``x_len`` and ``y_len`` the
    true lengths. ``order`` sorts Y by length and ``chunk_start`` cuts it
    into chunks of at most ``_PAIR_LANES`` series of one length: each task
    runs one series of X against one chunk, a pair per lane. With
    ``symmetric`` (Y is X), pair (a, b) is computed once, from the one that
    comes first in ``order``. ``n_parts`` is the number of threads. For
    gamma > 0 the lanes run in the scaled probability domain; a pair whose
    underflow bound fails there is recomputed in the log domain.
    """
    n_x, n_y = xs.shape[0], ys.shape[0]
    n_chunks = chunk_start.shape[0] - 1
    position = np.empty(n_y, dtype=np.int64)
    position[order] = np.arange(n_y)
    out = np.empty((n_x, n_y))
    # The tasks that have work: (row, chunk), rows in order.
    tasks = np.empty((n_x * n_chunks, 2), dtype=np.int64)
    n_tasks = 0
    for a in range(n_x):
        for chunk in range(n_chunks):
            # In the triangle, a chunk ending before a is done from its side.
            if not symmetric or chunk_start[chunk + 1] > position[a]:
                tasks[n_tasks, 0] = a
                tasks[n_tasks, 1] = chunk
                n_tasks += 1
    # ``n_parts`` (one per thread) parts, each taking every n_parts-th task:
    # costs change slowly along the list (early rows of the triangle have
    # more lanes), so the parts are balanced.
    for part in prange(n_parts):
        for task in range(part, n_tasks, n_parts):
            _pairwise_task(
                xs,
                x_len,
                ys,
                y_len,
                order,
                chunk_start,
                position,
                gamma,
                cells,
                fraction,
                symmetric,
                tasks[task, 0],
                tasks[task, 1],
                out,
            )
    return out


@njit(**_JIT)
def _pairwise_task(
    xs,
    x_len,
    ys,
    y_len,
    order,
    chunk_start,
    position,
    gamma,
    cells,
    fraction,
    symmetric,
    a,
    chunk,
    out,
):
    """Series ``a`` of X against one chunk of Y (one pair per lane) into ``out``.

    In the triangle only the chunk's series from ``a``'s position on.
    """
    first, stop = chunk_start[chunk], chunk_start[chunk + 1]
    if symmetric:
        first = max(first, position[a])
    n_lanes, n_channels = stop - first, xs.shape[2]
    n, m = x_len[a], y_len[order[first]]
    # Lanes past n_lanes repeat the last series; their results are dropped.
    n_run = _padded_lanes(n_lanes)
    lanes = np.empty((m, n_channels, n_run))
    for lane in range(n_run):
        b = order[first + min(lane, n_lanes - 1)]
        for j in range(m):
            for k in range(n_channels):
                lanes[j, k, lane] = ys[b, j, k]
    lo, hi = _band_bounds(n, m, _band_width(cells, fraction, n, m))
    values = np.empty(n_run)
    exact = np.ones(n_run, dtype=np.bool_)
    if gamma > 0.0 and _scaled_may_work(n, m, _scale_top(m)):
        _lanes_value_scaled(xs[a, :n], lanes, lo, hi, gamma, values, exact)
    else:
        _lanes_value(xs[a, :n], lanes, lo, hi, gamma, values)
    for lane in range(n_lanes):
        b = order[first + lane]
        if not exact[lane]:
            values[lane] = _pair_value(xs[a, :n], ys[b, :m], gamma, cells, fraction)
        out[a, b] = values[lane]
        if symmetric:
            out[b, a] = values[lane]


@njit(parallel=True, **_JIT)
def _self_values(xs, x_len, gamma, cells, fraction):
    """``sdtw(x_i, x_i)`` for every series: the divergence's self terms."""
    out = np.empty(xs.shape[0])
    for a in prange(xs.shape[0]):
        series = xs[a, : x_len[a]]
        out[a] = _pair_value(series, series, gamma, cells, fraction)
    return out


@njit(**_JIT)
def _pair_value_grads(x, y, gamma, cells, fraction, want_x, want_y):
    """Value of one pair and the requested gradients (w.r.t. ``x``, ``y``)."""
    n, m = x.shape[0], y.shape[0]
    lo, hi = _band_bounds(n, m, _band_width(cells, fraction, n, m))
    return _value_grads(x, y, lo, hi, gamma, want_x, want_y)


@njit(**_JIT)
def _self_value_grad(x, gamma, cells, fraction):
    """``sdtw(x, x)`` and its gradient w.r.t. the first argument alone.

    ``x`` is both arguments and E is symmetric, so the total derivative of
    ``sdtw(x, x)`` is twice the returned gradient.
    """
    value, grad, _ = _pair_value_grads(x, x, gamma, cells, fraction, True, False)
    return value, grad


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
def _weighted_terms(z, xs, x_len, coef, gamma, cells, fraction, order, chunk_start):
    """Return ``sum_s coef[s] sdtw(z, x_s)`` and its gradient w.r.t. ``z``.

    The objective of soft-DTW barycenters (paper eq. 4). ``order`` and
    ``chunk_start`` cut the series into chunks of one length (at most
    ``_PAIR_LANES``), spread over threads; for gamma > 0 a chunk's series run
    as lanes in the scaled probability domain, and a series whose underflow
    bound fails there (or every series at gamma 0) runs alone in the log
    domain.
    """
    n_series = xs.shape[0]
    n, d = z.shape
    values = np.empty(n_series)
    grads = np.empty((n_series, n, d))
    for chunk in prange(chunk_start.shape[0] - 1):
        first, stop = chunk_start[chunk], chunk_start[chunk + 1]
        n_lanes, m = stop - first, x_len[order[first]]
        exact = np.zeros(n_lanes, dtype=np.bool_)
        lane_values = np.empty(n_lanes)
        lane_grads = np.empty((n, d, n_lanes))
        lo, hi = _band_bounds(n, m, _band_width(cells, fraction, n, m))
        if gamma > 0.0 and _scaled_may_work(n, m, _PAIR_TOP):
            # Lanes for the series whose least path cost leaves the scaled
            # bound a chance; the others go to the log domain at once.
            kept = np.empty(n_lanes, dtype=np.int64)
            later = np.empty((n + 1, n_lanes))
            n_kept = 0
            for lane in range(n_lanes):
                x = xs[order[first + lane], :m]
                x_later, whole = _path_cost_bounds(z, x, lo, hi, gamma)
                if not _scaled_hopeless(whole, _PAIR_TOP):
                    kept[n_kept] = lane
                    later[:, n_kept] = x_later
                    n_kept += 1
            # Lanes past n_kept repeat the last kept series (results dropped).
            n_run = _padded_lanes(n_kept)
            lanes = np.empty((m, d, n_run))
            kept_later = np.empty((n + 1, n_run))
            for k in range(n_run):
                last = min(k, n_kept - 1)
                lanes[:, :, k] = xs[order[first + kept[last]], :m]
                kept_later[:, k] = later[:, last]
            kept_values, kept_exact = np.empty(n_run), np.zeros(n_run, np.bool_)
            kept_grads = np.empty((n, d, n_run))
            if n_kept > 0:
                _lanes_value_grads_scaled(
                    z,
                    lanes,
                    lo,
                    hi,
                    gamma,
                    kept_later,
                    kept_values,
                    kept_exact,
                    kept_grads,
                )
            for k in range(n_kept):
                exact[kept[k]] = kept_exact[k]
                lane_values[kept[k]] = kept_values[k]
                lane_grads[:, :, kept[k]] = kept_grads[:, :, k]
        for lane in range(n_lanes):
            s = order[first + lane]
            if exact[lane]:
                values[s] = lane_values[lane]
                grads[s] = lane_grads[:, :, lane]
            else:
                values[s], grads[s], _ = _log_value_grads(
                    z, xs[s, :m], lo, hi, gamma, True, False
                )
    # Summed in series order: an array .sum() here would become a parallel
    # reduction whose rounding depends on the thread count.
    total = 0.0
    grad = np.zeros(z.shape)
    for s in range(n_series):
        total += coef[s] * values[s]
        grad += coef[s] * grads[s]
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
            value, pair_x, pair_y = _pair_value_grads(
                x, y, gamma, cells, fraction, want_x, want_y
            )
            grad_x[s, : pair_x.shape[0]] = pair_x
            grad_y[s, : pair_y.shape[0]] = pair_y
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
