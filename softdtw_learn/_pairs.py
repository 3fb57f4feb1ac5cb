"""Pairwise matrices of validated datasets: on this machine, or in blocks.

Locally one parallel Numba kernel runs over all pairs. Under a distributed
joblib backend (``joblib.parallel_config(backend="dask")`` with a
``dask.distributed.Client``) the rows are cut into blocks, one task each, so
that workers receive blocks of pairs rather than single pairs. Every pair is
computed with the same series as row and as lane either way, so both paths
give the same bits.
"""

import joblib
import numba
import numpy as np
from joblib.parallel import get_active_backend

from . import _kernels

# Tasks per worker thread when the rows are cut into blocks.
_BLOCKS_PER_WORKER = 4


def length_chunks(lengths, size):
    """Order by length and cut into runs of one length, at most ``size`` long.

    Returns the order and the chunk boundaries (``len(chunks) + 1`` offsets).
    """
    order = np.argsort(lengths, kind="stable")
    sorted_lengths = lengths[order]
    starts = [0]
    for k in range(1, len(order)):
        if sorted_lengths[k] != sorted_lengths[k - 1] or k - starts[-1] == size:
            starts.append(k)
    starts.append(len(order))
    return order, np.asarray(starts, dtype=np.int64)


def balanced_chunks(lengths, n_parts):
    """Order by length and cut into runs of one length, about equal in size.

    As :func:`length_chunks`, at most ``_PAIR_LANES`` series each, and a
    multiple of ``n_parts`` chunks where the lengths allow (one or more per
    thread).
    """
    n = len(lengths)
    n_chunks = n_parts * -(-n // (_kernels._PAIR_LANES * n_parts))
    return length_chunks(lengths, max(1, -(-n // n_chunks)))


def distributed():
    """Whether the active joblib backend sends work to a Dask cluster."""
    backend, _ = get_active_backend()
    return type(backend).__name__ == "DaskDistributedBackend"


def _kernel(rows, row_len, lanes, lane_len, symmetric, gamma, cells, fraction):
    order, chunk_start = length_chunks(lane_len, _kernels._PAIR_LANES)
    return _kernels._pairwise(
        rows,
        row_len,
        lanes,
        lane_len,
        order,
        chunk_start,
        gamma,
        cells,
        fraction,
        symmetric,
        numba.get_num_threads(),
    )


def pairwise_values(xs, x_len, ys, y_len, symmetric, gamma, cells, fraction):
    """Soft-DTW matrix of validated datasets, under the caller's threads."""
    # The larger dataset fills the SIMD lanes (fewer spare lanes).
    swap = not symmetric and len(xs) > len(ys)
    rows, row_len, lanes, lane_len = (
        (ys, y_len, xs, x_len) if swap else (xs, x_len, ys, y_len)
    )
    params = (gamma, cells, fraction)
    if distributed() and len(rows) > 1:
        out = _blocks(rows, row_len, lanes, lane_len, symmetric, params)
    else:
        out = _kernel(rows, row_len, lanes, lane_len, symmetric, *params)
    return np.ascontiguousarray(out.T) if swap else out


def _blocks(rows, row_len, lanes, lane_len, symmetric, params):
    """Compute the matrix as row blocks, one joblib task (kernel call) each.

    Without symmetry each block is its rows against all lanes. With it, the
    local kernel computes pair (a, b) from the one that comes first in the
    length order, so the blocks follow that order: block ``[p, q)`` runs
    those series against the ones from position ``p`` on, and keeps the
    pairs whose row comes first.
    """
    n = len(rows)
    n_blocks = min(n, _BLOCKS_PER_WORKER * joblib.effective_n_jobs(-1))
    edges = np.linspace(0, n, n_blocks + 1).astype(np.int64)
    run = joblib.Parallel(n_jobs=-1)
    if not symmetric:
        parts = run(
            joblib.delayed(_kernel)(
                rows[p:q], row_len[p:q], lanes, lane_len, False, *params
            )
            for p, q in zip(edges[:-1], edges[1:], strict=True)
        )
        return np.concatenate(parts)
    order, _ = length_chunks(row_len, _kernels._PAIR_LANES)
    parts = run(
        joblib.delayed(_kernel)(
            rows[order[p:q]],
            row_len[order[p:q]],
            rows[order[p:]],
            row_len[order[p:]],
            False,
            *params,
        )
        for p, q in zip(edges[:-1], edges[1:], strict=True)
    )
    out = np.empty((n, n))
    for p, part in zip(edges[:-1], parts, strict=True):
        for i in range(len(part)):
            a = order[p + i]
            later = order[p + i :]
            out[a, later] = part[i, i:]
            out[later, a] = part[i, i:]
    return out
