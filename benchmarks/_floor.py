"""The floor column of bench_table.py: the DP cells' arithmetic alone.

PRIVATE KERNEL NAMES: this file is the one place where bench_table.py (and the
scripts it shares code with) touches names private to ``softdtw_learn``:
``_kernels._JIT``, ``_kernels._LANES``, ``_kernels._softmin_cells`` (the
forward cell) and ``_kernels._softmin_weights`` (the backward cell), so that
the floor is measured with the kernels' own cells. When these names change,
edit this file only; until then :func:`floor_ns` returns None with the
reason, and the table leaves its floor column empty instead of failing.
"""

import numba
import numpy as np
from _timing import best

try:
    from softdtw_learn import _kernels

    _JIT = dict(_kernels._JIT)
    _L = _kernels._LANES
    _cells = _kernels._softmin_cells
    _weights = _kernels._softmin_weights
    MISSING = None
except (ImportError, AttributeError) as error:  # the kernels were rewritten
    MISSING = f"softdtw_learn._kernels private names changed ({error})"


if MISSING is None:

    @numba.njit(**_JIT)
    def _forward_cells(corner, up, side, cost, inv_gamma, gamma, out):
        # Independent blocks of _LANES cells: no dependency between steps.
        for s in range(0, out.shape[0], _L):
            _cells(
                corner[s : s + _L],
                up[s : s + _L],
                side[s : s + _L],
                cost[s : s + _L],
                gamma,
                inv_gamma,
                out[s : s + _L],
            )

    @numba.njit(**_JIT)
    def _backward_cells(corner, up, side, e, inv_gamma, out):
        a, b = np.empty(_L), np.empty(_L)
        for s in range(0, out.shape[0], _L):
            _weights(
                corner[s : s + _L],
                up[s : s + _L],
                side[s : s + _L],
                e[s : s + _L],
                inv_gamma,
                a,
                b,
                out[s : s + _L],
            )


def floor_ns():
    """ns per cell of the cells' arithmetic alone, on one core, or None.

    The kernels' forward cell (a minimum, two exponentials, a logarithm) and
    backward cell (two exponentials, a division) evaluated over 4096
    independent cells held in L1 cache, ``_LANES`` at a time: no dependency
    between cells, no memory traffic. A kernel cannot go below this with
    the same arithmetic.
    Returns ``(forward, forward + backward)``, or None (with the reason
    printed) when the private kernel names above are gone.
    """
    if MISSING is not None:
        print(f"floor skipped: {MISSING}; edit benchmarks/_floor.py")
        return None
    rng = np.random.default_rng(0)
    corner, up, side, cost = (rng.uniform(0, 5, 4096) for _ in range(4))
    out = np.empty(4096)
    numba.set_num_threads(1)
    try:
        forward, _ = best(
            lambda: [
                _forward_cells(corner, up, side, cost, 10.0, 0.1, out)
                for _ in range(200)
            ],
            5,
        )
        backward, _ = best(
            lambda: [
                _backward_cells(corner, up, side, cost, 10.0, out) for _ in range(200)
            ],
            5,
        )
    finally:
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    scale = 1e9 / (200 * 4096)
    return forward * scale, (forward + backward) * scale
