"""The floor column of bench_table.py: the DP cells' arithmetic alone.

PRIVATE KERNEL NAMES: this file is the one place where bench_table.py (and the
scripts it shares code with) touches names private to ``softdtw_learn``:
``_kernels._JIT``, ``_kernels._exp_nonpositive`` and
``_kernels._log_1_to_3``, so that the floor is measured with the kernels' own
exponential and logarithm, in the cells of ``_softmin_cells`` and
``_softmin_weights``. When these names change,
edit this file only; until then :func:`floor_ns` returns None with the
reason, and the table leaves its floor column empty instead of failing.
"""

import numba
import numpy as np
from _timing import best

try:
    from softdtw_learn import _kernels

    _JIT = dict(_kernels._JIT)
    _exp = _kernels._exp_nonpositive
    _log = _kernels._log_1_to_3
    MISSING = None
except (ImportError, AttributeError) as error:  # the kernels were rewritten
    MISSING = f"softdtw_learn._kernels private names changed ({error})"


WIDE = 64  # independent cells a step: enough to hide the exp-log chain

if MISSING is None:

    @numba.njit(**_JIT)
    def _forward_cells(corner, up, side, cost, inv_gamma, gamma, out):
        # The forward cell of _softmin_cells, WIDE independent cells a step
        # (rows of the inputs), each step's cells in one vectorised loop.
        for r in range(out.shape[0]):
            for k in range(WIDE):
                a, b, c = corner[r, k], up[r, k], side[r, k]
                low = min(a, min(b, c))
                rest = _exp((low - max(a, b)) * inv_gamma) + _exp(
                    (low - max(min(a, b), c)) * inv_gamma
                )
                out[r, k] = cost[r, k] + (low - gamma * _log(1.0 + rest))

    @numba.njit(**_JIT)
    def _backward_cells(corner, up, side, e, inv_gamma, out):
        # The share of _softmin_weights (two exponentials and a division).
        for r in range(out.shape[0]):
            for k in range(WIDE):
                a, b, c = corner[r, k], up[r, k], side[r, k]
                low = min(a, min(b, c))
                e_ab = _exp((low - max(a, b)) * inv_gamma)
                e_c = _exp((low - max(min(a, b), c)) * inv_gamma)
                out[r, k] = e[r, k] / (1.0 + e_ab + e_c)


def floor_ns():
    """ns per cell of the cells' arithmetic alone, on one core, or None.

    The kernels' forward cell (a minimum, two exponentials, a logarithm) and
    backward cell (two exponentials, a division) evaluated over 4096
    independent cells held in L1 cache: no dependency between cells, no
    memory traffic. A kernel cannot go below this with
    the same arithmetic.
    Returns ``(forward, forward + backward)``, or None (with the reason
    printed) when the private kernel names above are gone.
    """
    if MISSING is not None:
        print(f"floor skipped: {MISSING}; edit benchmarks/_floor.py")
        return None
    rng = np.random.default_rng(0)
    corner, up, side, cost = (rng.uniform(0, 5, (4096 // WIDE, WIDE)) for _ in range(4))
    out = np.empty((4096 // WIDE, WIDE))
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
