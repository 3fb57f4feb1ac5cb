"""Numba kernels for soft-DTW (Cuturi & Blondel, ICML 2017, Algorithms 1 and 2).

Every function here works on float64, C-contiguous arrays that the public
layer (:mod:`softdtw_learn._dispatch`) has already validated: nothing is
checked inside. Series are 2-D ``(n_timestamps, n_channels)``. The cost is
the squared Euclidean distance, not halved. ``gamma == 0`` turns the soft
minimum into a hard minimum (DTW). Everything runs in the log domain, the
one that is exact for every data scale and gamma.

Map of the module:

1. Options and the cell's arithmetic: ``_exp_nonpositive``,
   ``_log_1_to_3``, ``_softmin_cells`` (Algorithm 1's cell, for a block of
   cells at once), ``_softmin_weights`` (its derivatives from R, the step
   of Algorithm 2, for the strips) and ``_softmin_cells_kept`` (the cell and
   its predecessor weights at once, for the lanes).
2. The band: ``_band_bounds``, ``_band_width``, ``_row_offsets``.
3. One pair, strip-skewed (``_strip_*``): rows taken ``_STRIP_ROWS`` at a time,
   one anti-diagonal of a strip per vectorised step. Dynamic programs 1 and
   2: ``_strip_forward`` (which makes its ``_strip_plan``: the band and the
   store) and ``_strip_backward``, which the dispatch calls itself;
   ``_strip_path`` backtracks a kept DTW pass.
4. Lanes of pairs (``_lanes_*``): ``_LANES`` pairs in lockstep, row by
   row, one pair per SIMD lane, on the grid of the largest pair
   (``_lanes_band``: each lane keeps the bits it has alone). Dynamic
   programs 3 and 4:
   ``_lanes_forward`` (which keeps the predecessor weights when gradients
   are wanted) and ``_lanes_backward`` (which pushes E by them,
   ``_lanes_push``).
5. Parts of the work over many pairs, one thread each (``nogil``):
   ``_pairwise_part`` (a matrix, one triangle when symmetric) and
   ``_paired_part`` (listed pairs with their gradients: self terms, the
   losses, barycenters). Threads are plain Python threads: no parallel
   Numba kernel, whose compilation costs seconds.

Compile time: every compiled function re-optimises all the compiled code it
calls, so helpers are inlined (``_INLINE``) and only the dynamic programs and
the dispatch's entry points are compiled on their own (and ``_band_bounds``
and ``_lanes_gather``, whose inlining costs more than their calls: a lane
block's gather inlined in both drivers cost pairwise 2.5 s and paired 6.8 s
more on first use), and the paths that need no gradient compile no backward
pass.

Every lane runs the same instructions (a fixed lane count, no remainder
loop), so a pair's value has the same bits in every lane and every driver:
the divergence of identical series is exactly 0.

Band convention (Sakoe-Chiba, generalised to unequal lengths): cell ``(i, j)``
of an ``n x m`` grid is visited iff ``|i (m - 1) - j (n - 1)| <= W`` with
``W = max(w * min(n - 1, m - 1), max(n - 1, m - 1) / 2)``, where ``w`` is the
half-width in cells measured along the longer series. The floor on ``W``
keeps the band connected, so a path from ``(0, 0)`` to ``(n - 1, m - 1)``
always exists. Rows are summarised by ``lo[i] <= j <= hi[i]``.
"""

import math

import numpy as np
from numba import njit
from numba.core import config

# 1. Options and the cell's arithmetic ---------------------------------------

# One options set for every kernel. No "reassoc": the exponential's range
# reduction depends on the order of its operations. No "nnan"/"ninf":
# infinities mark cells outside the band.
_FASTMATH = {"nsz", "arcp", "contract", "afn"}
_JIT = {"cache": True, "nogil": True, "fastmath": _FASTMATH, "error_model": "numpy"}
# Helpers are inlined into their callers in Numba's IR (see the module's
# docstring on compile time).
_INLINE = dict(_JIT, inline="always")

# Cells computed together: the rows of a strip (one pair) or the pairs of a
# lane block. A compile-time constant, so that the lane loops vectorise with
# no scalar remainder and every lane runs the same instructions.
_LANES = 16

# exp and log are written out (range reduction + polynomial) so that they
# inline and vectorise: the library calls cost ~5x more per cell.
_LN2_HI = 6.93147180369123816490e-01  # ln 2 split in two (fdlibm's constants):
_LN2_LO = 1.90821492927058770002e-10  # k * _LN2_HI is exact for |k| < 2**11.
_LOG2_E = 1.4426950408889634
_SQRT2 = 1.4142135623730951
# Below this, exp underflows to a subnormal; callers add it to numbers >= 1.
_EXP_FLOOR = -708.0
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

if config.DISABLE_JIT:

    def _int_bits_as_float(bits):
        """Reinterpret the bits of an int64 as a float64."""
        return np.int64(bits).view(np.float64)

else:  # pragma: no cover (compiled: never runs as Python)
    import llvmlite.ir as llvm_ir
    from numba import types
    from numba.extending import intrinsic

    @intrinsic
    def _int_bits_as_float(typingctx, bits):
        """Reinterpret the bits of an int64 as a float64 (one vector bitcast)."""

        def codegen(context, builder, signature, args):
            return builder.bitcast(args[0], llvm_ir.DoubleType())

        return types.float64(types.int64), codegen


@njit(**_INLINE)
def _exp_nonpositive(x):
    """``exp(x)`` for ``x <= 0``, within 2 ulp; 0 below -708, at -inf and NaN."""
    clamped = max(x, _EXP_FLOOR)
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
    return value if x >= _EXP_FLOOR else 0.0


@njit(**_INLINE)
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


@njit(**_INLINE)
def _softmin_ranks(a, b, c, inv_gamma):
    """``(low, high_ab, t_ab, t_c)`` of a soft minimum of three values.

    ``low`` is the smallest; the exponents ``t_ab = (low - max(a, b)) /
    gamma`` and ``t_c = (low - max(min(a, b), c)) / gamma`` are those of the
    two others (``high_ab`` tells which one ``t_ab`` belongs to).
    """
    low = min(a, min(b, c))
    high_ab = max(a, b)
    return (
        low,
        high_ab,
        (low - high_ab) * inv_gamma,
        (low - max(min(a, b), c)) * inv_gamma,
    )


@njit(**_INLINE)
def _softmin_cells(corner, up, side, cost, gamma, inv_gamma, out, cells=_LANES):
    """Algorithm 1's cell for ``cells`` cells: ``cost + softmin(neighbours)``.

    ``softmin(a, b, c) = low - gamma log(1 + e1 + e2)`` with ``low`` the
    smallest and ``e1, e2`` the exponentials of the two others' distance
    from it: two exponentials and one logarithm per cell, branch-free. At
    gamma 0 (``inv_gamma = 0``) the hard minimum. Infinite neighbours (off
    the band) weigh 0; three give ``inf``. ``cells`` is a constant, so that
    the loop vectorises with no remainder.
    """
    for k in range(cells):
        # Written out, not through _softmin_ranks: LLVM vectorises this hot
        # loop less well from the tuple (pairwise lanes 4.3 against 3.8 ns).
        a, b, c = corner[k], up[k], side[k]
        low = min(a, min(b, c))
        rest = _exp_nonpositive((low - max(a, b)) * inv_gamma) + _exp_nonpositive(
            (low - max(min(a, b), c)) * inv_gamma
        )
        out[k] = cost[k] + (low - gamma * _log_1_to_3(1.0 + rest))


# E entries are at most 1, and every row and column of E sums to at least 1
# (every path visits it): entries below 1e-150 are below an ulp of what they
# add to, gradients included, and are dropped (shares times weights then
# stay above 1e-300, normal numbers).
_SHARE_FLOOR = 1e-150
_WEIGHT_FLOOR = -345.0  # exp(-345) = 1.4e-150


@njit(**_INLINE)
def _softmin_weights(
    corner, up, side, e, inv_gamma, to_corner, to_up, to_side, cells=_LANES
):
    """Algorithm 2's step for ``cells`` cells: ``e`` shared among predecessors.

    Each predecessor gets ``e`` times the soft minimum's derivative in it,
    ``exp(-(R_pred - softmin) / gamma)``, recomputed from the stored R
    alone (no cost, no overflow). Ties get equal weights. Shares below
    ``_SHARE_FLOOR`` and weights below ``exp(_WEIGHT_FLOOR)`` are dropped, so
    that every E is 0 or above 1e-300: subnormal numbers cost x86 ~100
    cycles each, and at small gamma most of E would underflow into them.
    """
    for k in range(cells):
        a, b, c = corner[k], up[k], side[k]
        low, high_ab, t_ab, t_c = _softmin_ranks(a, b, c, inv_gamma)
        e_ab = _exp_nonpositive(t_ab) if t_ab >= _WEIGHT_FLOOR else 0.0
        e_c = _exp_nonpositive(t_c) if t_c >= _WEIGHT_FLOOR else 0.0
        share = e[k] / (1.0 + e_ab + e_c)
        share = share if share >= _SHARE_FLOOR else 0.0
        to_corner[k] = share if a == low else (e_ab if a == high_ab else e_c) * share
        to_up[k] = share if b == low else (e_ab if b == high_ab else e_c) * share
        to_side[k] = share if c == low else (e_ab if c == high_ab else e_c) * share


@njit(**_INLINE)
def _softmin_cells_kept(corner, up, side, cost, gamma, inv_gamma, out, weights):
    """:func:`_softmin_cells`, and each predecessor's weight in the soft minimum.

    ``weights`` is ``(2, _LANES)``: the corner's and the top's
    ``exp(-(R_pred - softmin) / gamma)``, Algorithm 2's factors, computed
    from the exponentials the value needs; the three sum to 1, so the
    side's is not stored (:func:`_lanes_push` takes 1 minus the two: a third
    less memory traffic, 12% faster forward and backward). Weights below
    ``exp(_WEIGHT_FLOOR)`` are kept as 0 (see :func:`_softmin_weights`); the
    value uses them all. The weights need ``gamma > 0`` (gradients are
    refused at gamma 0).
    """
    for k in range(_LANES):
        a, b, c = corner[k], up[k], side[k]
        low, high_ab, t_ab, t_c = _softmin_ranks(a, b, c, inv_gamma)
        e_ab, e_c = _exp_nonpositive(t_ab), _exp_nonpositive(t_c)
        total = 1.0 + (e_ab + e_c)  # as _softmin_cells adds: the same bits
        out[k] = cost[k] + (low - gamma * _log_1_to_3(total))
        share = 1.0 / total
        w_ab = e_ab * share if t_ab >= _WEIGHT_FLOOR else 0.0
        w_c = e_c * share if t_c >= _WEIGHT_FLOOR else 0.0
        weights[0, k] = share if a == low else (w_ab if a == high_ab else w_c)
        weights[1, k] = share if b == low else (w_ab if b == high_ab else w_c)


# 2. The band ------------------------------------------------------------------


# Compiled on its own, not inlined: inlining its loops cost each caller
# 0.1-0.2 s of compile time, more than a call per pair costs at run time.
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


@njit(**_INLINE)
def _band_width(cells, fraction, n, m):
    """Half-width in cells: ``cells``, or ``fraction`` of the longer length.

    ``cells < 0`` with ``fraction == 0`` means no band.
    """
    if fraction > 0.0:
        return fraction * max(n, m)
    return cells


@njit(**_INLINE)
def _band(n, m, cells, fraction):
    """``(lo, hi)`` of the band of an ``n x m`` grid (see the module's docstring)."""
    return _band_bounds(n, m, _band_width(cells, fraction, n, m))


@njit(**_INLINE)
def _row_offsets(lo, hi):
    """Start of each row's band in a flat table (``n + 1`` offsets)."""
    offsets = np.zeros(lo.shape[0] + 1, dtype=np.int64)
    for i in range(lo.shape[0]):
        offsets[i + 1] = offsets[i] + hi[i] - lo[i] + 1
    return offsets


# 3. One pair, strip-skewed ------------------------------------------------------

# Rows are taken _STRIP_ROWS at a time; strip s covers rows top = s *
# _STRIP_ROWS ... top + _STRIP_ROWS - 1. Cell (i, j) sits at lane k = i - top + 1
# of step t = j + k, so that the cells of one step lie on one anti-diagonal
# (independent of each other) and a step's lanes are contiguous in memory:
# the three neighbours a lane reads are the same or the previous lane one
# and two steps back. Lane 0 holds the row above the strip. A strip stores
# its steps from two before its first cell to two after its last: only the
# band, plus a margin of _STRIP_ROWS steps, is stored and computed.
# Twice the lanes' block: a step's cells are independent, so more
# exponentials are in flight (value at 512: ~6.0 against ~6.8 ns per cell).
_STRIP_ROWS = 2 * _LANES
_WIDTH = _STRIP_ROWS + 1


@njit(**_INLINE)
def _strip_layout(lo, hi):
    """Per strip: its first stored step, and its offset in one flat buffer.

    Strip ``s`` is ``store[offset[s]:offset[s + 1]]`` viewed as
    ``(steps, _WIDTH)``; row ``r`` of it is step ``start[s] + r``.
    """
    n = lo.shape[0]
    n_strips = (n + _STRIP_ROWS - 1) // _STRIP_ROWS
    start = np.empty(n_strips, dtype=np.int64)
    offset = np.empty(n_strips + 1, dtype=np.int64)
    offset[0] = 0
    for s in range(n_strips):
        top = s * _STRIP_ROWS
        rows = min(_STRIP_ROWS, n - top)
        first, last = lo[top] + 1, hi[top + rows - 1] + rows
        start[s] = first - 2
        offset[s + 1] = offset[s] + (last - first + 5) * _WIDTH
    return start, offset


@njit(**_INLINE)
def _strip_two_slots(offset):
    """Return a flat buffer of two slots, each the size of the largest strip."""
    largest = 0
    for s in range(offset.shape[0] - 1):
        largest = max(largest, offset[s + 1] - offset[s])
    return np.empty(2 * largest)


@njit(**_INLINE)
def _strip(store, base, offset, s):
    """Strip ``s`` as a ``(steps, _WIDTH)`` view of ``store`` from ``base``."""
    steps = (offset[s + 1] - offset[s]) // _WIDTH
    return store[base : base + steps * _WIDTH].reshape((steps, _WIDTH))


@njit(**_INLINE)
def _strip_buffers(x, y, m):
    """``(y_rev, x_lanes, lane_lo, lane_hi)`` for a pass over the strips.

    ``y_rev`` is ``y`` channel-major and reversed, padded by ``_STRIP_ROWS`` zeros
    each side: lane k of step t reads column ``j = t - k`` at index
    ``_STRIP_ROWS + m - 1 - t + k``, consecutive lanes in consecutive memory (a
    series with no rows, cost matrix given, gives zeros). The others are
    filled per strip by :func:`_strip_set_lanes`.
    """
    y_rev = np.zeros((y.shape[1], m + 2 * _STRIP_ROWS))
    for j in range(y.shape[0]):
        for c in range(y.shape[1]):
            y_rev[c, _STRIP_ROWS + m - 1 - j] = y[j, c]
    x_lanes = np.zeros((max(x.shape[1], 1), _WIDTH))
    lane_lo = np.empty(_WIDTH, dtype=np.int64)
    lane_hi = np.empty(_WIDTH, dtype=np.int64)
    return y_rev, x_lanes, lane_lo, lane_hi


@njit(**_INLINE)
def _strip_set_lanes(x, lo, hi, top, x_lanes, lane_lo, lane_hi):
    """Per-lane row data of the strip at ``top``: ``x`` rows and band bounds.

    Lanes outside the strip's rows (and outside the grid) get an empty band.
    """
    n = lo.shape[0]
    for k in range(_WIDTH):
        i = top - 1 + k
        inside = 1 <= k <= _STRIP_ROWS and i < n
        lane_lo[k] = lo[i] if inside else 1
        lane_hi[k] = hi[i] if inside else 0
        for c in range(x_lanes.shape[0]):
            x_lanes[c, k] = x[i, c] if inside and x.shape[0] > 0 else 0.0


@njit(**_INLINE)
def _strip_costs(x_lanes, y_rev, cost, top, t, lane_lo, lane_hi, out):
    """Cost of every lane's cell at step ``t`` into ``out[1:]`` (0 off the band).

    From the series when ``cost`` is empty, else read from ``cost``.
    """
    if cost.shape[0] == 0:
        base = y_rev.shape[1] - _STRIP_ROWS - 1 - t
        band = out[1:]
        band[:] = 0.0
        for c in range(x_lanes.shape[0]):
            x_c, y_c = x_lanes[c, 1:], y_rev[c, base + 1 :]
            for k in range(_STRIP_ROWS):
                diff = x_c[k] - y_c[k]
                band[k] += diff * diff
    else:
        for k in range(1, _STRIP_ROWS + 1):
            j = t - k
            inside = lane_lo[k] <= j <= lane_hi[k]
            out[k] = cost[top - 1 + k, j] if inside else 0.0


@njit(**_INLINE)
def _strip_fill_above(strip, first_step, above, above_first):
    """Lane 0 of a strip: the row above it, i.e. lane ``_STRIP_ROWS`` of ``above``.

    Without a strip above (the first strip), row -1 of R: 0 at the origin's
    corner (step -1), ``inf`` elsewhere.
    """
    for r in range(strip.shape[0]):
        t = first_step + r
        if above.shape[0] == 0:
            strip[r, 0] = 0.0 if t == -1 else np.inf
        else:
            q = t + _STRIP_ROWS - above_first
            inside = 0 <= q < above.shape[0]
            strip[r, 0] = above[q, _STRIP_ROWS] if inside else np.inf


@njit(**_INLINE)
def _strip_forward_one(strip, first_step, x_lanes, y_rev, cost, top, lanes, gamma):
    """Algorithm 1 on one strip whose lane 0 is set; off-band cells get inf.

    ``lanes`` is ``(lane_lo, lane_hi)``, each lane's band.
    """
    lane_lo, lane_hi = lanes
    costs = np.empty(_WIDTH)
    values = np.empty(_STRIP_ROWS)
    inv_gamma = 1.0 / gamma if gamma > 0.0 else 0.0
    steps = strip.shape[0]
    strip[:2, 1:] = np.inf
    strip[steps - 2 :, 1:] = np.inf
    for r in range(2, steps - 2):
        t = first_step + r
        _strip_costs(x_lanes, y_rev, cost, top, t, lane_lo, lane_hi, costs)
        diag, above, here = strip[r - 2], strip[r - 1], strip[r]
        _softmin_cells(
            diag[:_STRIP_ROWS],
            above[:_STRIP_ROWS],
            above[1:],
            costs[1:],
            gamma,
            inv_gamma,
            values,
            _STRIP_ROWS,
        )
        for k in range(1, _STRIP_ROWS + 1):
            j = t - k
            inside = lane_lo[k] <= j and j <= lane_hi[k]
            here[k] = values[k - 1] if inside else np.inf


@njit(**_INLINE)
def _strip_plan(n, m, cells, fraction, keep):
    """Return the band and the store of a pass over the strips of an n x m grid.

    Returns ``(lo, hi, store, start, offset)``. With ``keep`` the store
    holds every strip (only the band's), for the backward pass; otherwise
    two slots that strips alternate in (O(m) memory).
    """
    lo, hi = _band(n, m, cells, fraction)
    start, offset = _strip_layout(lo, hi)
    store = np.empty(offset[-1]) if keep else _strip_two_slots(offset)
    return lo, hi, store, start, offset


@njit(**_JIT)
def _strip_forward(x, y, cost, gamma, cells, fraction, keep):
    """Dynamic program 1: Algorithm 1 over all strips of one pair.

    ``x`` and ``y`` are the series, or have no rows when ``cost`` (n, m) is
    given; the band is ``(cells, fraction)`` (:func:`_band_width`). With
    ``keep`` every strip is kept for the backward pass, else two slots
    alternate (O(m) memory). Returns R[n - 1, m - 1] and the pass's
    :func:`_strip_plan`, for :func:`_strip_backward` or :func:`_strip_path`.
    """
    n, m = (
        (cost.shape[0], cost.shape[1]) if x.shape[0] == 0 else (x.shape[0], y.shape[0])
    )
    plan = _strip_plan(n, m, cells, fraction, keep)
    lo, hi, store, start, offset = plan
    # A two-slot store that holds every strip (one or two strips) takes the
    # kept layout, which then fits.
    keep = store.shape[0] >= offset[-1]
    y_rev, x_lanes, lane_lo, lane_hi = _strip_buffers(x, y, m)
    above = np.empty((0, _WIDTH))
    above_first = 0
    top = 0
    for s in range(start.shape[0]):
        top = s * _STRIP_ROWS
        base = offset[s] if keep else (s % 2) * (store.shape[0] // 2)
        strip = _strip(store, base, offset, s)
        _strip_set_lanes(x, lo, hi, top, x_lanes, lane_lo, lane_hi)
        _strip_fill_above(strip, start[s], above, above_first)
        _strip_forward_one(
            strip, start[s], x_lanes, y_rev, cost, top, (lane_lo, lane_hi), gamma
        )
        above, above_first = strip, start[s]
    rows = n - top
    return above[m - 1 + rows - above_first, rows], plan


@njit(**_INLINE)
def _strip_backward_one(strip, strip_e, first_step, x_lanes, y_rev, gamma, grads):
    """Algorithm 2 on one strip, last step first.

    At each step the lanes' E is final (every successor has pushed to it);
    each cell then pushes its E to its three predecessors. Pushes into lane
    0 are for the strip above. ``grads`` is ``(grad_lanes, grad_y_rev)``:
    the sums ``E (x_i - y_j)`` per lane and per reversed column, skipped
    where the array has no columns.
    """
    grad_lanes, grad_y_rev = grads
    to_corner, to_up = np.empty(_STRIP_ROWS), np.empty(_STRIP_ROWS)
    to_side = np.empty(_STRIP_ROWS)
    inv_gamma = 1.0 / gamma
    want_x, want_y = grad_lanes.shape[1] > 0, grad_y_rev.shape[1] > 0
    for r in range(strip.shape[0] - 3, 1, -1):
        diag, above, e_here = strip[r - 2], strip[r - 1], strip_e[r]
        _softmin_weights(
            diag[:_STRIP_ROWS],
            above[:_STRIP_ROWS],
            above[1:],
            e_here[1:],
            inv_gamma,
            to_corner,
            to_up,
            to_side,
            _STRIP_ROWS,
        )
        e_above, e_diag = strip_e[r - 1], strip_e[r - 2]
        for k in range(_STRIP_ROWS):
            e_above[k + 1] += to_side[k]
        for k in range(_STRIP_ROWS):
            e_above[k] += to_up[k]
        for k in range(_STRIP_ROWS):
            e_diag[k] += to_corner[k]
        if want_x or want_y:
            base = y_rev.shape[1] - _STRIP_ROWS - 1 - (first_step + r)
            for c in range(x_lanes.shape[0]):
                for k in range(1, _STRIP_ROWS + 1):
                    diff = e_here[k] * (x_lanes[c, k] - y_rev[c, base + k])
                    if want_x:
                        grad_lanes[c, k] += diff
                    if want_y:
                        grad_y_rev[c, base + k] -= diff


@njit(**_JIT)
def _strip_backward(x, y, gamma, plan, want_x, want_y, alignment):
    """Dynamic program 2: Algorithm 2 over the strips a kept forward pass left.

    ``plan`` is the forward pass's (kept). Returns the gradients w.r.t.
    ``x`` and ``y`` (``2 sum_j E (x_i - y_j)`` and ``2 sum_i E (y_j - x_i)``;
    an unrequested one has no rows) and, when ``alignment`` has rows, writes
    E there (band cells only).
    """
    lo, hi, store, start, offset = plan
    n, m = lo.shape[0], hi[-1] + 1
    y_rev, x_lanes, lane_lo, lane_hi = _strip_buffers(x, y, m)
    d = x_lanes.shape[0]
    grad_x = np.zeros((n if want_x else 0, d))
    grad_lanes = np.zeros((d, _WIDTH if want_x else 0))
    grad_y_rev = np.zeros((d, y_rev.shape[1] if want_y else 0))
    # E of two strips: the current one and the one below (whose lane 0 holds
    # what it pushed into this strip's last row).
    e_store = _strip_two_slots(offset)
    below_e = np.empty((0, _WIDTH))
    below_first = 0
    for s in range(start.shape[0] - 1, -1, -1):
        top = s * _STRIP_ROWS
        rows = min(_STRIP_ROWS, n - top)
        strip = _strip(store, offset[s], offset, s)
        strip_e = _strip(e_store, (s % 2) * (e_store.shape[0] // 2), offset, s)
        strip_e[:] = 0.0
        if below_e.shape[0] == 0:
            strip_e[m - 1 + rows - start[s], rows] = 1.0  # E at the last cell
        for q in range(below_e.shape[0]):
            r = below_first + q + _STRIP_ROWS - start[s]
            if 0 <= r < strip_e.shape[0]:
                strip_e[r, _STRIP_ROWS] += below_e[q, 0]
        _strip_set_lanes(x, lo, hi, top, x_lanes, lane_lo, lane_hi)
        grad_lanes[:] = 0.0
        _strip_backward_one(
            strip, strip_e, start[s], x_lanes, y_rev, gamma, (grad_lanes, grad_y_rev)
        )
        for k in range(1, rows + 1):
            i = top - 1 + k
            if want_x:
                for c in range(d):
                    grad_x[i, c] = 2.0 * grad_lanes[c, k]
            if alignment.shape[0] > 0:
                for j in range(lo[i], hi[i] + 1):
                    alignment[i, j] = strip_e[j + k - start[s], k]
        below_e, below_first = strip_e, start[s]
    grad_y = np.empty((m if want_y else 0, d))
    for j in range(grad_y.shape[0]):
        for c in range(d):
            grad_y[j, c] = 2.0 * grad_y_rev[c, _STRIP_ROWS + m - 1 - j]
    return grad_x, grad_y


# The dispatch calls the passes itself (one pair: ``_strip_forward``, then
# ``_strip_backward`` or ``_strip_path`` on its plan), so that each is
# compiled once for every use.


@njit(**_INLINE)
def _strip_entry(plan, i, j):
    """R at cell (i, j) of a kept forward pass; row and column -1 included."""
    lo, hi, store, start, offset = plan
    if i < 0 or j < 0:
        return 0.0 if i == -1 and j == -1 else np.inf
    if j < lo[i] or j > hi[i]:
        return np.inf
    s = i // _STRIP_ROWS
    k = i - s * _STRIP_ROWS + 1
    return store[offset[s] + (j + k - start[s]) * _WIDTH + k]


@njit(**_JIT)
def _strip_path(plan):
    """Return an optimal path ``(k, 2)`` of a kept forward pass at gamma 0 (DTW)."""
    lo, hi = plan[0], plan[1]
    i, j = lo.shape[0] - 1, hi[-1]
    path = np.empty((i + j + 1, 2), dtype=np.int64)
    count = 0
    while True:
        path[count, 0] = i
        path[count, 1] = j
        count += 1
        if i == 0 and j == 0:
            break
        diag = _strip_entry(plan, i - 1, j - 1)
        up = _strip_entry(plan, i - 1, j)
        left = _strip_entry(plan, i, j - 1)
        if diag <= up and diag <= left:
            i, j = i - 1, j - 1
        elif up <= left:
            i -= 1
        else:
            j -= 1
    return path[:count][::-1].copy()


# 4. Lanes of pairs -----------------------------------------------------------------


@njit(**_INLINE)
def _lanes_costs(x_lanes, y_lanes, i, j, out):
    """Cost of cell (i, j) in every lane: ``sum_c (x[i, c] - y[j, c]) ** 2``."""
    for k in range(_LANES):
        out[k] = 0.0
    for c in range(x_lanes.shape[1]):
        x_c, y_c = x_lanes[i, c], y_lanes[j, c]
        for k in range(_LANES):
            diff = x_c[k] - y_c[k]
            out[k] += diff * diff


# Rows of a lane block advanced together. Cells (i, j) and (i + 1, j - 1)
# are independent: the rows of a group run skewed by one column, so that
# every step has _LANE_ROWS * _LANES independent cells. One step's cells
# form one dependency chain of exp and log: with 16 it is latency-bound.
_LANE_ROWS = 4


@njit(**_INLINE)
def _lanes_band(lane_n, lane_m, cells, fraction):
    """Return the band of a lane block whose pairs may differ in shape.

    ``lane_n``, ``lane_m`` are each lane's lengths. Returns ``(lo, hi,
    lane_lo, lane_hi, lane_n, lane_m, masked)``: ``lo, hi`` the union of the
    lanes' bands over ``max(lane_n)`` rows (the cells the block computes),
    ``lane_lo, lane_hi`` ``(rows, _LANES)`` each lane's own band (empty past
    its rows), and whether a lane's own band leaves cells of its grid out
    while the lanes differ. A lane's cells outside its own band are computed
    as off the band (cost inf, E 0), so that its own cells get the bits they
    get in a block of its shape alone: past its grid by its padding (see
    :func:`_lanes_gather`), inside it (``masked``) cell by cell.
    """
    rows = width = 0
    for k in range(_LANES):
        rows, width = max(rows, lane_n[k]), max(width, lane_m[k])
    lo = np.full(rows, width, dtype=np.int64)
    hi = np.full(rows, -1, dtype=np.int64)
    lane_lo = np.full((rows, _LANES), width, dtype=np.int64)
    lane_hi = np.full((rows, _LANES), -1, dtype=np.int64)
    own_lo, own_hi = _band(lane_n[0], lane_m[0], cells, fraction)
    mixed = banded = False
    for k in range(_LANES):
        if k > 0 and (lane_n[k] != lane_n[k - 1] or lane_m[k] != lane_m[k - 1]):
            own_lo, own_hi = _band(lane_n[k], lane_m[k], cells, fraction)
            mixed = True
        for i in range(lane_n[k]):
            lane_lo[i, k], lane_hi[i, k] = own_lo[i], own_hi[i]
            lo[i], hi[i] = min(lo[i], own_lo[i]), max(hi[i], own_hi[i])
            # The band leaves cells out: a row starts after 0 or ends early.
            banded |= own_lo[i] > 0 or own_hi[i] < lane_m[k] - 1
    return lo, hi, lane_lo, lane_hi, lane_n, lane_m, mixed and banded


@njit(**_INLINE)
def _lanes_outside(band, i, j, values, fill):
    """Set ``values[k]`` to ``fill`` in the lanes whose own band misses (i, j)."""
    lane_lo, lane_hi = band[2], band[3]
    for k in range(_LANES):
        inside = (lane_lo[i, k] <= j) & (j <= lane_hi[i, k])
        values[k] = values[k] if inside else fill


@njit(**_JIT)
def _lanes_forward(x_lanes, y_lanes, band, gamma, weights):
    """Dynamic program 3: Algorithm 1 for ``_LANES`` pairs in lockstep.

    ``x_lanes`` is ``(n, n_channels, _LANES)`` and ``y_lanes`` ``(m,
    n_channels, _LANES)``, each lane's series padded past its length (x
    with +inf, y with -inf: :func:`_lanes_gather`); ``band`` is
    :func:`_lanes_band`'s. Rows go ``_LANE_ROWS`` at a time,
    skewed; memory is that many rows. Unless ``weights`` is None (value
    only: Numba compiles that case without the branch), each cell's
    predecessor weights (:func:`_softmin_cells_kept`) are kept in
    ``weights`` ``(band cells, 2, _LANES)`` for the backward pass, row i's
    band from :func:`_row_offsets`. Returns each lane's value, read at its
    own last cell.
    """
    lo, hi, lane_n, lane_m, masked = band[0], band[1], band[4], band[5], band[6]
    n, m = lo.shape[0], y_lanes.shape[0]
    inv_gamma = 1.0 / gamma if gamma > 0.0 else 0.0
    # R of the row above the group (slot 0) and of the group's rows; column
    # j at j + 1, column -1 at 0.
    rows = np.full((_LANE_ROWS + 1, m + 1, _LANES), np.inf)
    rows[0, 0] = 0.0  # R[-1, -1]
    cost = np.empty(_LANES)
    values = np.empty(_LANES)
    offsets = _row_offsets(lo, hi)
    for top in range(0, n, _LANE_ROWS):
        count = min(_LANE_ROWS, n - top)
        last_step = 0
        for g in range(count):
            i = top + g
            # Off the band: column lo - 1, and the columns the next row
            # reads past this row's band.
            rows[g + 1, lo[i]] = np.inf
            last = hi[i + 1] if i + 1 < n else hi[i]
            rows[g + 1, hi[i] + 2 : last + 2] = np.inf
            last_step = max(last_step, hi[i] + g)
        for t in range(lo[top], last_step + 1):
            for g in range(count):
                i, j = top + g, t - g
                if lo[i] <= j <= hi[i]:
                    _lanes_costs(x_lanes, y_lanes, i, j, cost)
                    if masked:
                        _lanes_outside(band, i, j, cost, np.inf)
                    above, here = rows[g], rows[g + 1]
                    corner, up, side, out = above[j], above[j + 1], here[j], here[j + 1]
                    if weights is not None:
                        kept = weights[offsets[i] + j - lo[i]]
                        _softmin_cells_kept(
                            corner, up, side, cost, gamma, inv_gamma, out, kept
                        )
                    else:
                        _softmin_cells(corner, up, side, cost, gamma, inv_gamma, out)
        for k in range(_LANES):
            g = lane_n[k] - 1 - top
            if 0 <= g < count:
                values[k] = rows[g + 1, lane_m[k], k]
        _lanes_copy(rows[0], 0, rows[count], 0, m + 1)
    return values


@njit(**_INLINE)
def _lanes_copy(dst, dst_start, src, src_start, count):
    """Copy ``count`` rows of ``_LANES`` values from ``src`` to ``dst``.

    A loop rather than a slice assignment, whose shape check would compile
    an error message for every caller.
    """
    for r in range(count):
        for k in range(_LANES):
            dst[dst_start + r, k] = src[src_start + r, k]


@njit(**_INLINE)
def _lanes_push(e, weights, corner, up, side):
    """Share each lane's ``e`` among its predecessors by the kept weights.

    The side's weight is 1 minus the two kept (within a few ulp of 1 of the
    true one; a negative one is dropped). Shares below
    ``_SHARE_FLOOR`` are dropped: E stays 0 or above 1e-150, so that shares
    times weights stay normal numbers (see :func:`_softmin_weights`).
    """
    for k in range(_LANES):
        to_corner = e[k] * weights[0, k]
        to_up = e[k] * weights[1, k]
        to_side = e[k] * (1.0 - (weights[0, k] + weights[1, k]))
        corner[k] += to_corner if to_corner >= _SHARE_FLOOR else 0.0
        up[k] += to_up if to_up >= _SHARE_FLOOR else 0.0
        side[k] += to_side if to_side >= _SHARE_FLOOR else 0.0


@njit(**_JIT)
def _lanes_backward(x_lanes, y_lanes, band, weights, grad_x, grad_y):
    """Dynamic program 4: Algorithm 2 for the lanes of a kept forward pass.

    ``band`` and ``weights`` are the forward pass's (:func:`_lanes_forward`),
    the lanes' padding zeros (:func:`_lanes_pad`). Writes ``2 sum_j E (x_i -
    y_j)`` into ``grad_x`` ``(n, n_channels, _LANES)`` and ``2 sum_i E (y_j
    - x_i)`` into ``grad_y`` ``(m, n_channels, _LANES)`` (0 past a lane's
    own rows), each skipped when it has no rows. Row by row from the last;
    E is 1 at each lane's own last cell and each cell pushes its final E to
    its predecessors: no exponential is recomputed.
    """
    lo, hi, lane_n, lane_m, masked = band[0], band[1], band[4], band[5], band[6]
    n, m = lo.shape[0], y_lanes.shape[0]
    d = x_lanes.shape[1]
    offsets = _row_offsets(lo, hi)
    want_x, want_y = grad_x.shape[0] > 0, grad_y.shape[0] > 0
    # E of this row and the row above; column j at j + 1.
    e_above = np.zeros((m + 1, _LANES))
    e_here = np.zeros((m + 1, _LANES))
    acc = np.empty((d, _LANES))
    if want_y:
        grad_y[:] = 0.0
    for i in range(n - 1, -1, -1):
        for k in range(_LANES):
            if lane_n[k] - 1 == i:
                e_here[lane_m[k], k] = 1.0  # E at the lane's last cell
        e_above[:] = 0.0
        acc[:] = 0.0
        for j in range(hi[i], lo[i] - 1, -1):
            e = e_here[j + 1]
            if masked:
                # Off a lane's own band E is 0: drop the few-ulp shares its
                # band's edge pushed there (see _lanes_push).
                _lanes_outside(band, i, j, e, 0.0)
            cell_weights = weights[offsets[i] + j - lo[i]]
            _lanes_push(e, cell_weights, e_above[j], e_above[j + 1], e_here[j])
            for c in range(d):
                x_c, y_c = x_lanes[i, c], y_lanes[j, c]
                for k in range(_LANES):
                    acc[c, k] += e[k] * (x_c[k] - y_c[k])
                if want_y:
                    g_c = grad_y[j, c]
                    for k in range(_LANES):
                        g_c[k] -= 2.0 * e[k] * (x_c[k] - y_c[k])
        if want_x:
            for c in range(d):
                for k in range(_LANES):
                    grad_x[i, c, k] = 2.0 * acc[c, k]
        e_above, e_here = e_here, e_above


@njit(**_INLINE)
def _lanes_fill(lanes, series, length, lane, pad):
    """Put ``series[:length]`` into one lane of ``lanes``, then ``pad``."""
    for t in range(lanes.shape[0]):
        for c in range(lanes.shape[1]):
            lanes[t, c, lane] = series[t, c] if t < length else pad


@njit(**_INLINE)
def _lanes_table(cells):
    """Weights for a kept lanes forward pass over ``cells`` band cells."""
    return np.empty((cells, 2, _LANES))


# 5. Parts of the work over many pairs ----------------------------------------------

# Largest kept lanes table, in cells times lanes (2 weights each: 16 MiB, a
# full 256 x 256 grid); the dispatch sends larger pairs with gradients to the
# strips, one at a time.
_MAX_LANE_TABLE = 1 << 20


@njit(**_INLINE)
def _matrix_pair(shape, t):
    """Pair ``t`` of a matrix as positions ``(p, q)`` in the two orders.

    ``shape`` is ``(n_rows, n_cols, triangle)``: all pairs or, for a
    triangle (``n_rows == n_cols``), the pairs ``p <= q``, row by row,
    every other row backwards. Along the rows of series sorted by length,
    consecutive pairs then have close shapes, across row ends too.
    """
    n_rows, n_cols, triangle = shape
    if not triangle:
        p, offset = t // n_cols, t % n_cols
        return p, (offset if p % 2 == 0 else n_cols - 1 - offset)
    # Row p of the triangle starts at p n - p (p - 1) / 2: invert, then
    # correct the float estimate exactly.
    root = (2 * n_rows + 1) ** 2 - 8 * t
    p = max(0, int((2 * n_rows + 1 - np.sqrt(max(root, 0))) // 2))
    while p > 0 and p * n_rows - p * (p - 1) // 2 > t:
        p -= 1
    while (p + 1) * n_rows - (p + 1) * p // 2 <= t:
        p += 1
    offset = t - (p * n_rows - p * (p - 1) // 2)
    return p, (p + offset if p % 2 == 0 else n_rows - 1 - offset)


@njit(**_INLINE)
def _matrix_size(shape):
    """Return the number of pairs of a matrix (see :func:`_matrix_pair`)."""
    n_rows, n_cols, triangle = shape
    return n_rows * (n_rows + 1) // 2 if triangle else n_rows * n_cols


@njit(**_INLINE)
def _pairwise_task(data, orders, shape, params, task, out):
    """Task ``task`` of :func:`_pairwise_part`: its pairs' values into ``out``.

    The task's pairs run through :func:`_pairs_values`, as listed pairs do,
    so a pair gets the same bits in a matrix as in a list.
    """
    order_x, order_y = orders
    t0 = task * _LANES
    count = min(_LANES, _matrix_size(shape) - t0)
    pairs = np.empty((count, 2), dtype=np.int64)
    for k in range(count):
        p, q = _matrix_pair(shape, t0 + k)
        pairs[k, 0], pairs[k, 1] = order_x[p], order_y[q]
    values = np.empty(count)
    xs, x_len, ys, y_len = data
    gamma, cells, fraction = params
    _pairs_values(xs, x_len, ys, y_len, pairs, gamma, cells, fraction, values)
    for k in range(count):
        out[pairs[k, 0], pairs[k, 1]] = values[k]
        if shape[2]:
            out[pairs[k, 1], pairs[k, 0]] = values[k]


@njit(**_JIT)
def _pairwise_part(data, orders, shape, params, out, part):
    """Part ``part = (p, n_parts)`` of a pairwise matrix: every n_parts-th task.

    ``data`` is ``(xs, x_len, ys, y_len)``: padded 3-D datasets and their
    true lengths; ``orders`` ``(order_x, order_y)`` sort them by length.
    ``shape`` (see :func:`_matrix_pair`) lists the pairs in those orders;
    each task runs ``_LANES`` consecutive pairs, a pair per lane, so that
    its pairs' lengths are close (only the last task has spare lanes).
    ``params`` is ``(gamma, cells, fraction)``. For a triangle (Y is X)
    each value is also mirrored. Costs change slowly along the tasks, so
    interleaved parts balance; each part runs in its own thread (the
    kernels release the GIL).
    """
    first, n_parts = part
    n_tasks = -(-_matrix_size(shape) // _LANES)
    for task in range(first, n_tasks, n_parts):
        _pairwise_task(data, orders, shape, params, task, out)


# Compiled on its own, as _band_bounds: one call per lane block.
@njit(**_JIT)
def _lanes_gather(xs, x_len, ys, y_len, pairs, cells, fraction):
    """Lanes of the pairs ``(xs[p], ys[q])`` and their band.

    Returns ``(x_lanes, y_lanes, band)`` (:func:`_lanes_band`); spare lanes
    repeat the last pair. Each lane's x is padded with +inf and its y with
    -inf: every cost past the lane's grid is inf, as off a band, with no
    test in the cells (pairwise with lengths that differ ran 1.25x slower
    with the test).
    """
    d = xs.shape[2]
    lane_n = np.empty(_LANES, dtype=np.int64)
    lane_m = np.empty(_LANES, dtype=np.int64)
    width = 0
    for lane in range(_LANES):
        k = min(lane, pairs.shape[0] - 1)
        lane_n[lane], lane_m[lane] = x_len[pairs[k, 0]], y_len[pairs[k, 1]]
        width = max(width, lane_m[lane])
    band = _lanes_band(lane_n, lane_m, cells, fraction)
    x_lanes = np.empty((band[0].shape[0], d, _LANES))
    y_lanes = np.empty((width, d, _LANES))
    for lane in range(_LANES):
        k = min(lane, pairs.shape[0] - 1)
        _lanes_fill(x_lanes, xs[pairs[k, 0]], lane_n[lane], lane, np.inf)
        _lanes_fill(y_lanes, ys[pairs[k, 1]], lane_m[lane], lane, -np.inf)
    return x_lanes, y_lanes, band


@njit(**_INLINE)
def _lanes_pad(lanes, lengths, value):
    """Set each lane's steps past its length to ``value``."""
    for lane in range(_LANES):
        for t in range(lengths[lane], lanes.shape[0]):
            for c in range(lanes.shape[1]):
                lanes[t, c, lane] = value


@njit(**_INLINE)
def _pairs_values(xs, x_len, ys, y_len, pairs, gamma, cells, fraction, values):
    """Values of up to ``_LANES`` pairs ``(xs[p], ys[q])``.

    ``pairs`` rows are ``(p, q)``; each value goes into ``values[k]``.
    One forward pass over the lanes, O(m) memory; pairs of close shapes
    waste the fewest cells.
    """
    x_lanes, y_lanes, band = _lanes_gather(xs, x_len, ys, y_len, pairs, cells, fraction)
    lane_values = _lanes_forward(x_lanes, y_lanes, band, gamma, None)
    for k in range(pairs.shape[0]):
        values[k] = lane_values[k]


@njit(**_INLINE)
def _pairs_value_grads(
    xs, x_len, ys, y_len, pairs, gamma, cells, fraction, want_x, want_y, values, grads
):
    """As :func:`_pairs_values`, and the requested gradients into ``grads``.

    ``grads`` is ``(grad_x, grad_y)``, rows ``k``, padded shapes. The kept
    table must fit in ``_MAX_LANE_TABLE`` (the dispatch sends larger pairs
    to the strips).
    """
    if not (want_x or want_y):
        _pairs_values(xs, x_len, ys, y_len, pairs, gamma, cells, fraction, values)
        return
    grad_x, grad_y = grads
    d = xs.shape[2]
    x_lanes, y_lanes, band = _lanes_gather(xs, x_len, ys, y_len, pairs, cells, fraction)
    weights = _lanes_table(_row_offsets(band[0], band[1])[-1])
    lane_values = _lanes_forward(x_lanes, y_lanes, band, gamma, weights)
    for k in range(pairs.shape[0]):
        values[k] = lane_values[k]
    lane_gx = np.empty((x_lanes.shape[0] if want_x else 0, d, _LANES))
    lane_gy = np.empty((y_lanes.shape[0] if want_y else 0, d, _LANES))
    _lanes_pad(x_lanes, band[4], 0.0)  # the backward multiplies by E = 0 there
    _lanes_pad(y_lanes, band[5], 0.0)
    _lanes_backward(x_lanes, y_lanes, band, weights, lane_gx, lane_gy)
    for k in range(pairs.shape[0]):
        for t in range(min(lane_gx.shape[0], band[4][k])):
            for c in range(d):
                grad_x[k, t, c] = lane_gx[t, c, k]
        for t in range(min(lane_gy.shape[0], band[5][k])):
            for c in range(d):
                grad_y[k, t, c] = lane_gy[t, c, k]


@njit(**_JIT)
def _paired_part(data, pairs, task_start, params, wants, results, part):
    """Part ``part = (p, n_parts)`` of a list of pairs: every n_parts-th task.

    ``task_start`` cuts ``pairs`` (rows ``(a, b)``: ``xs[a]`` against
    ``ys[b]``, ``data = (xs, x_len, ys, y_len)``) into tasks of at most
    ``_LANES`` pairs (of close shapes: see :func:`_lanes_band`). ``wants``
    is ``(want_x, want_y)``; ``results`` is ``(values, grad_x, grad_y)``,
    one row per pair, the gradients in the padded shapes or with no time
    steps when not wanted.
    """
    xs, x_len, ys, y_len = data
    gamma, cells, fraction = params
    want_x, want_y = wants
    values, grad_x, grad_y = results
    first, n_parts = part
    for task in range(first, task_start.shape[0] - 1, n_parts):
        a, b = task_start[task], task_start[task + 1]
        grads = (grad_x[a:b], grad_y[a:b])
        _pairs_value_grads(
            xs,
            x_len,
            ys,
            y_len,
            pairs[a:b],
            gamma,
            cells,
            fraction,
            want_x,
            want_y,
            values[a:b],
            grads,
        )
