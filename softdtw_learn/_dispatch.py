"""The one road from the public modules to the Numba kernels.

Public functions validate their input (:mod:`softdtw_learn.utils`), then call
the functions here, which choose a kernel, cut the work into tasks and set
the thread count. Nothing else imports :mod:`softdtw_learn._kernels`.

Pairwise matrices run as parts of one task list, a thread each. Under a
distributed joblib backend (``joblib.parallel_config(backend="dask")`` with a
``dask.distributed.Client``) the rows are cut into blocks, one task each, so
that workers receive blocks of pairs rather than single pairs. Every pair is
computed with the same series as row and as lane either way, so both paths
give the same bits.
"""

import functools
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import joblib
import numba
import numpy as np
from joblib.parallel import get_active_backend
from threadpoolctl import ThreadpoolController

from . import _kernels
from .utils import check_n_jobs

# Tasks per worker thread when the rows are cut into blocks.
_BLOCKS_PER_WORKER = 4
LANES = _kernels._LANES


# Threads ----------------------------------------------------------------------


def effective_n_jobs(n_jobs):
    """Return the thread count for ``n_jobs`` (joblib: None is 1, -1 all)."""
    check_n_jobs(n_jobs)
    # Threads of this process: joblib's active backend (e.g. Dask, whose
    # default is the cluster's size) does not change them.
    if n_jobs is None:
        return 1
    threads = n_jobs if n_jobs > 0 else _cpu_count() + 1 + n_jobs
    return max(1, min(threads, numba.config.NUMBA_NUM_THREADS))


@functools.cache
def _cpu_count():
    # Read once: joblib reads the cgroup files at every call (~0.1 ms).
    return joblib.cpu_count()


@functools.cache
def _blas_controller():
    # Built once: scanning the loaded libraries costs ~3 ms, limiting ~20 us.
    return ThreadpoolController()


# BLAS's thread limit is process-wide: the first block in sets it, the last
# out restores it (blocks of several threads may overlap).
_blas_lock = threading.Lock()
_blas_state = {"users": 0, "limiter": None}


@contextmanager
def _one_blas_thread():
    with _blas_lock:
        if _blas_state["users"] == 0:
            _blas_state["limiter"] = _blas_controller().limit(limits=1, user_api="blas")
        _blas_state["users"] += 1
    try:
        yield
    finally:
        with _blas_lock:
            _blas_state["users"] -= 1
            if _blas_state["users"] == 0:
                _blas_state["limiter"].restore_original_limits()
                _blas_state["limiter"] = None


@contextmanager
def numba_threads(n_jobs):
    """Run the enclosed block with ``n_jobs`` Numba threads, then restore.

    Numba's count is the calling thread's own. BLAS is held to one thread
    meanwhile (its idle threads spin on the same cores between the small
    BLAS calls of scipy's optimisers), until the last such block in the
    process ends, whichever thread runs it.
    """
    threads = effective_n_jobs(n_jobs)
    previous = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        with _one_blas_thread():
            yield threads
    finally:
        numba.set_num_threads(previous)


def _run_parts(kernel, *args):
    """Run ``kernel(*args, (p, n_parts))`` for every part, one thread each.

    ``n_parts`` is Numba's thread count (set by :func:`numba_threads`); the
    kernels release the GIL, and each part writes its own rows.
    """
    n_parts = numba.get_num_threads()
    if numba.config.DISABLE_JIT:
        # As Python the kernels hold the GIL: run the parts here, in order
        # (and under this thread's numpy error settings).
        for part in range(n_parts):
            kernel(*args, (part, n_parts))
        return
    if n_parts == 1:
        kernel(*args, (0, 1))
        return
    pool = _thread_pool(n_parts)
    futures = [pool.submit(kernel, *args, (p, n_parts)) for p in range(1, n_parts)]
    kernel(*args, (0, n_parts))  # part 0 here
    for future in futures:
        future.result()


@functools.cache
def _thread_pool(n_parts):
    # Kept for the process: starting threads costs ~0.1 ms a call, which the
    # barycenter's L-BFGS-B would pay at every evaluation.
    return ThreadPoolExecutor(n_parts - 1, thread_name_prefix="softdtw_learn")


def _forget_threads_after_fork():
    """Drop the parent's thread pool and BLAS lock in a forked child.

    A child has none of its parent's threads (another may have held the
    lock): work submitted to the inherited pool would wait forever
    (multiprocessing's fork, joblib's "multiprocessing" backend).
    """
    global _blas_lock
    _thread_pool.cache_clear()
    _blas_lock = threading.Lock()
    _blas_state.update(users=0, limiter=None)


os.register_at_fork(after_in_child=_forget_threads_after_fork)


# The divergence ---------------------------------------------------------------


def divergence(cross, self_x, self_y):
    """``sdtw(x, y) - (sdtw(x, x) + sdtw(y, y)) / 2``, the soft-DTW divergence.

    Returned as ``max(D, 0)``. A negative result is mostly rounding (a few
    ulp of the terms), but not only: Blondel, Mensch & Vert (AISTATS 2021)
    prove ``D >= 0`` for a positive definite alignment kernel, which the
    squared Euclidean cost does not ensure (nearly identical series at gamma
    about their variance). Identical series get the same bits in all three
    terms, hence exactly 0. Broadcasts.
    """
    return np.maximum(cross - 0.5 * (self_x + self_y), 0.0)


# One pair ---------------------------------------------------------------------


# One pair runs the strips' passes from here: each pass is compiled once, for
# every function that uses it (a compiled driver would re-optimise them).
_NO_COST = np.empty((0, 0))
_NO_SERIES = np.empty((0, 1))


def _forward(x, y, cost, gamma, cells, fraction, keep):
    """``(value, plan)`` of the strips' forward pass (the plan kept on request)."""
    value, plan = _kernels._strip_forward(
        x, y, cost, float(gamma), float(cells), float(fraction), bool(keep)
    )
    return float(value), plan


def pair_value(x, y, gamma, cells, fraction):
    """Soft-DTW of one validated pair, O(min(n, m)) memory."""
    if len(y) > len(x):
        x, y = y, x  # the shorter series second: the strips store O(m)
    return _forward(x, y, _NO_COST, gamma, cells, fraction, False)[0]


def pair_value_grads(x, y, gamma, cells, fraction, want_x=True, want_y=False):
    """Value and the requested gradients of one validated pair."""
    value, plan = _forward(x, y, _NO_COST, gamma, cells, fraction, True)
    grad_x, grad_y = _kernels._strip_backward(
        x, y, float(gamma), plan, bool(want_x), bool(want_y), _NO_COST
    )
    return value, grad_x, grad_y


def _alignment(x, y, cost, gamma, cells, fraction):
    value, plan = _forward(x, y, cost, gamma, cells, fraction, True)
    lo, hi = plan[0], plan[1]
    alignment = np.zeros((len(lo), hi[-1] + 1))
    _kernels._strip_backward(x, y, float(gamma), plan, False, False, alignment)
    return value, alignment


def pair_alignment(x, y, gamma, cells, fraction):
    """Value and expected alignment E of one validated pair."""
    return _alignment(x, y, _NO_COST, gamma, cells, fraction)


def cost_value(cost, gamma, cells, fraction, return_alignment=False):
    """Soft-DTW of a validated cost matrix, and E on request."""
    if return_alignment:
        return _alignment(_NO_SERIES, _NO_SERIES, cost, gamma, cells, fraction)
    return _forward(_NO_SERIES, _NO_SERIES, cost, gamma, cells, fraction, False)[0]


def pair_path(x, y, cells, fraction):
    """DTW value and an optimal path of one validated pair."""
    value, plan = _forward(x, y, _NO_COST, 0.0, cells, fraction, True)
    return value, _kernels._strip_path(plan)


# Many pairs ---------------------------------------------------------------------


def length_chunks(lengths, size):
    """Order by length and cut into runs of one length, at most ``size`` long.

    Returns the order and the chunk boundaries (``len(chunks) + 1`` offsets).
    """
    order = np.argsort(lengths, kind="stable")
    sorted_lengths = lengths[order]
    n = len(order)
    if n == 0:
        return order, np.zeros(2, dtype=np.int64)  # one empty chunk
    # Each position's offset in its run of one length; a chunk starts at
    # every multiple of ``size`` of it.
    runs = np.flatnonzero(np.diff(sorted_lengths)) + 1
    run_start = np.zeros(n, dtype=np.int64)
    run_start[runs] = runs
    offset = np.arange(n) - np.maximum.accumulate(run_start)
    starts = np.flatnonzero(offset % size == 0)
    return order, np.append(starts, n).astype(np.int64)


def _pair_tasks(x_len, y_len, pairs, want_grads):
    """Order ``pairs`` by shape and cut them into tasks of ``LANES`` pairs.

    Returns the ordered pairs, the task boundaries and the order. A task's
    pairs have close shapes and run on the grid of the largest; with
    gradients, a task whose grid would pass the kept table's cap is cut
    into runs of one shape instead (each pair fits on its own).
    """
    n, m = x_len[pairs[:, 0]], y_len[pairs[:, 1]]
    order = np.argsort(_hilbert_index(n, m), kind="stable")
    count = len(order)
    starts = np.append(np.arange(0, count, LANES), count)
    if want_grads and count:
        grid = (
            np.maximum.reduceat(n[order], starts[:-1])
            * np.maximum.reduceat(m[order], starts[:-1])
            * LANES
        )
        large = np.flatnonzero(grid > _kernels._MAX_LANE_TABLE)
        if len(large):
            order, starts = _exact_shape_tasks(order, starts, large, n, m)
    return np.ascontiguousarray(pairs[order]), starts.astype(np.int64), order


def _hilbert_index(n, m):
    """Position of each ``(n, m)`` along a Hilbert curve over the shapes.

    Consecutive positions are close in both lengths (lengths sorted by n,
    then m, put pairs of random m in one block): 16 pairs of lengths drawn
    in [1, 199] keep 88% of their block's cells, against 54%.
    """
    x, y = n.astype(np.int64), m.astype(np.int64)
    index = np.zeros_like(x)
    side = 1 << max(1, int(max(x.max(), y.max())).bit_length())
    s = side // 2
    while s > 0:
        rx, ry = (x & s) > 0, (y & s) > 0
        index += s * s * ((3 * rx) ^ ry)
        flip = ~ry & rx  # rotate the quadrant, as the curve turns
        x, y = np.where(flip, side - 1 - x, x), np.where(flip, side - 1 - y, y)
        x, y = np.where(~ry, y, x), np.where(~ry, x, y)
        s //= 2
    return index


def _exact_shape_tasks(order, starts, large, n, m):
    """Recut the tasks ``large`` into runs of one shape, put after the others."""
    sizes = np.diff(starts)
    task_of = np.repeat(np.arange(len(sizes)), sizes)
    moved = np.isin(task_of, large)
    kept_sizes = np.delete(sizes, large)
    shapes = n[order[moved]] * (int(m.max()) + 1) + m[order[moved]]
    runs, run_starts = length_chunks(shapes, LANES)
    n_kept = int(kept_sizes.sum())
    return (
        np.concatenate([order[~moved], order[moved][runs]]),
        np.concatenate([[0], np.cumsum(kept_sizes), n_kept + run_starts[1:]]),
    )


def paired_values(xs, x_len, ys, y_len, pairs, params, want_x=False, want_y=False):
    """Values and gradients of the pairs ``(xs[p], ys[q])`` for rows of ``pairs``.

    ``params`` is ``(gamma, cells, fraction)``. Returns ``(values, grad_x,
    grad_y)`` in the order of ``pairs``; gradients have the padded shapes
    (zero on the padding) or no time steps when not requested.
    """
    n_pairs = len(pairs)
    values = np.empty(n_pairs)
    grad_x = np.zeros((n_pairs, xs.shape[1] if want_x else 0, xs.shape[2]))
    grad_y = np.zeros((n_pairs, ys.shape[1] if want_y else 0, ys.shape[2]))
    data, params = (xs, x_len, ys, y_len), tuple(float(p) for p in params)
    wants = (bool(want_x), bool(want_y))
    large = _beyond_lanes_table(x_len, y_len, pairs, params, want_x or want_y)
    if large.any():
        index = np.flatnonzero(large)
        results = (values, grad_x, grad_y)
        _run_parts(_strips_part, data, pairs, index, params, wants, results)
    index = np.flatnonzero(~large)
    if len(index):
        ordered, starts, order = _pair_tasks(
            x_len, y_len, pairs[index], want_x or want_y
        )
        index = index[order]  # where each ordered pair's results go
        count = len(index)
        results = (
            np.empty(count),
            np.zeros((count, *grad_x.shape[1:])),
            np.zeros((count, *grad_y.shape[1:])),
        )
        _run_parts(_kernels._paired_part, data, ordered, starts, params, wants, results)
        values[index], grad_x[index], grad_y[index] = results
    return values, grad_x, grad_y


def _beyond_lanes_table(x_len, y_len, pairs, params, want_grads):
    """Mask of the pairs whose kept lanes table would pass its memory cap.

    Only gradients keep a table; such pairs run on the strips instead.
    """
    large = np.zeros(len(pairs), dtype=bool)
    if not want_grads:
        return large
    n, m = x_len[pairs[:, 0]], y_len[pairs[:, 1]]
    cap = _kernels._MAX_LANE_TABLE
    maybe = np.flatnonzero(n * m * LANES > cap)  # the band may still fit
    if not len(maybe):
        return large
    shapes, where = np.unique(
        np.stack([n[maybe], m[maybe]]), axis=1, return_inverse=True
    )
    for s, (rows, cols) in enumerate(shapes.T):
        lo, hi = _kernels._band(int(rows), int(cols), params[1], params[2])
        large[maybe[where == s]] = (hi - lo + 1).sum() * LANES > cap
    return large


def _strips_part(data, pairs, index, params, wants, results, part):
    """Part ``part`` of the pairs ``pairs[index]``, one by one on the strips."""
    xs, x_len, ys, y_len = data
    values, grad_x, grad_y = results
    first, n_parts = part
    for k in index[first::n_parts]:
        p, q = pairs[k]
        x = np.ascontiguousarray(xs[p, : x_len[p]])
        y = np.ascontiguousarray(ys[q, : y_len[q]])
        values[k], gx, gy = pair_value_grads(x, y, *params, *wants)
        grad_x[k, : len(gx)] = gx
        grad_y[k, : len(gy)] = gy


def _matching_pairs(n):
    """Return the pairs ``(s, s)`` for ``s < n``, as rows for ``paired_values``."""
    index = np.arange(n)
    return np.stack([index, index], axis=1)


def self_values(xs, x_len, params, want_grad=False):
    """``sdtw(x, x)`` of every series (and its gradient w.r.t. the first x).

    Through :func:`paired_values`, as every pair, so a series' self term
    has the bits of its pair with an identical series. ``x`` is both arguments and
    E is symmetric: the total derivative of ``sdtw(x, x)`` is twice the
    gradient returned.
    """
    pairs = _matching_pairs(len(xs))
    values, grad, _ = paired_values(xs, x_len, xs, x_len, pairs, params, want_grad)
    return (values, grad) if want_grad else values


def _self_terms(xs, x_len, params, want_grad):
    """``(values, gradients)`` of the self terms; gradients None if not wanted."""
    if want_grad:
        return self_values(xs, x_len, params, want_grad=True)
    return self_values(xs, x_len, params), None


def paired_terms(xs, x_len, ys, y_len, params, divergence_terms, want_x, want_y):
    """Values (soft-DTW or divergence) of ``(xs[s], ys[s])`` and gradients.

    The divergence's gradient w.r.t. x is ``grad_x(x, y) - grad_x(x, x)``
    (the self term's total derivative, halved), and likewise for y.
    """
    values, grad_x, grad_y = paired_values(
        xs, x_len, ys, y_len, _matching_pairs(len(xs)), params, want_x, want_y
    )
    if not divergence_terms:
        return values, grad_x, grad_y
    # The self terms from the pass the cross term took: a pass that keeps
    # weights may round a value an ulp off the value-only pass, and
    # identical series must give exactly 0.
    kept = want_x or want_y
    self_x, self_grad_x = _self_terms(xs, x_len, params, kept)
    self_y, self_grad_y = _self_terms(ys, y_len, params, kept)
    if want_x:
        grad_x = grad_x - self_grad_x
    if want_y:
        grad_y = grad_y - self_grad_y
    out = divergence(values, self_x, self_y)
    # Where a negative divergence is returned as 0, so is its gradient
    # (that of max(D, 0)): the value and the gradient agree.
    clamped = out <= 0.0
    if clamped.any():
        grad_x[clamped] = 0.0
        grad_y[clamped] = 0.0
    return out, grad_x, grad_y


def _pairwise_kernel(rows, row_len, lanes, lane_len, symmetric, params):
    # The pairs in the orders of the lengths: each task's 16 are close.
    order_x = np.argsort(row_len, kind="stable")
    order_y = order_x if symmetric else np.argsort(lane_len, kind="stable")
    out = np.empty((len(rows), len(lanes)))
    _run_parts(
        _kernels._pairwise_part,
        (rows, row_len, lanes, lane_len),
        (order_x, order_y),
        (len(rows), len(lanes), bool(symmetric)),
        tuple(float(p) for p in params),
        out,
    )
    return out


def distributed():
    """Whether the active joblib backend sends work to a Dask cluster."""
    backend, _ = get_active_backend()
    return type(backend).__name__ == "DaskDistributedBackend"


def pairwise_values(xs, x_len, ys, y_len, symmetric, params):
    """Soft-DTW matrix of validated datasets, under the caller's threads."""
    if distributed() and len(xs) > 1:
        return _pairwise_blocks(xs, x_len, ys, y_len, symmetric, params)
    return _pairwise_kernel(xs, x_len, ys, y_len, symmetric, params)


def _pairwise_blocks(rows, row_len, lanes, lane_len, symmetric, params):
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
            joblib.delayed(_pairwise_kernel)(
                rows[p:q], row_len[p:q], lanes, lane_len, False, params
            )
            for p, q in zip(edges[:-1], edges[1:], strict=True)
        )
        return np.concatenate(parts)
    order = np.argsort(row_len, kind="stable")  # the local kernel's order
    parts = run(
        joblib.delayed(_pairwise_kernel)(
            rows[order[p:q]],
            row_len[order[p:q]],
            rows[order[p:]],
            row_len[order[p:]],
            False,
            params,
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


def pairwise_divergence(out, self_x, self_y):
    """Return the divergence matrix from a value matrix and both self terms."""
    return divergence(out, self_x[:, None], self_y[None, :])


# Barycenters ----------------------------------------------------------------------


def weighted_terms(z, xs, lengths, coef, params, self_terms=None):
    """Barycenter objective ``sum_s coef_s sdtw(z, x_s)`` and its gradient.

    The paper's eq. 4. With ``self_terms`` (the constant ``sum_s coef_s
    sdtw(x_s, x_s)``) the divergence replaces soft-DTW: ``sum_s coef_s
    D(z, x_s)``, whose gradient adds ``-sum(coef) grad_x(z, z)``. Sums run
    in series order (one BLAS thread, see :func:`numba_threads`), so the
    result does not depend on the thread count.
    """
    z_one = z[None]
    z_len = np.array([len(z)], dtype=np.int64)
    pairs = np.stack([np.zeros(len(xs), dtype=np.int64), np.arange(len(xs))], axis=1)
    values, grads, _ = paired_values(z_one, z_len, xs, lengths, pairs, params, True)
    value, grad = float(coef @ values), np.tensordot(coef, grads, axes=1)
    if self_terms is None:
        return value, grad
    total = coef.sum()
    self_z, self_grad = self_values(z_one, z_len, params, want_grad=True)
    return (
        value - 0.5 * (total * self_z[0] + self_terms),
        grad - total * self_grad[0],
    )
