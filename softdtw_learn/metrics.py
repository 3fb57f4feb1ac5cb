"""Soft-DTW, its gradient, the soft-DTW divergence, DTW and pairwise matrices.

Conventions (Cuturi & Blondel, "Soft-DTW: a Differentiable Loss Function for
Time-Series", ICML 2017):

- the cost between two time steps is the squared Euclidean distance
  ``||x_i - y_j||^2``, **not** halved;
- ``soft_dtw`` is the soft minimum, with smoothing ``gamma``, of ``<A, C>``
  over all alignment matrices A. It is **signed**: for large ``gamma`` it is
  negative. ``gamma = 0`` gives exact DTW with the same cost (no square root);
- the expected alignment ``E = d soft_dtw / d C`` (Algorithm 2), and
  ``d soft_dtw / d x = 2 (E 1_m * x - E y)``;
- the soft-DTW divergence (Blondel, Mensch & Vert, AISTATS 2021)
  ``D(x, y) = sdtw(x, y) - (sdtw(x, x) + sdtw(y, y)) / 2``, zero when
  ``x == y``; returned as ``max(D, 0)`` (see :func:`soft_dtw_divergence`).

``window`` restricts alignments to a Sakoe-Chiba band around the diagonal from
``(0, 0)`` to ``(n - 1, m - 1)``: an int is the half-width in cells, a float in
(0, 1] a fraction of the longer length. The band is widened where needed so
that a path always exists, and cells outside it are never computed.
"""

import numpy as np

from . import _dispatch
from .utils import (
    check_dataset,
    check_flag,
    check_gamma,
    check_pair,
    check_real,
    check_table_range,
    check_window,
    short_repr,
)

__all__ = [
    "dtw",
    "paired_soft_dtw",
    "pairwise_soft_dtw",
    "pairwise_soft_dtw_chunked",
    "soft_dtw",
    "soft_dtw_alignment",
    "soft_dtw_divergence",
    "soft_dtw_from_cost",
    "soft_dtw_grad",
]


def _checked_pair(x, y, gamma, window, allow_zero=True):
    """Validate a pair: ``(x, y, gamma, cells, fraction)``."""
    x_arr, y_arr = check_pair(x, y)
    gamma = check_gamma(gamma, allow_zero=allow_zero)
    cells, fraction = check_window(window)
    check_table_range(
        gamma, x_arr.shape[0], y_arr.shape[0], xs=x_arr[None], ys=y_arr[None]
    )
    return x_arr, y_arr, gamma, cells, fraction


def _checked_datasets(X, Y, gamma, window, allow_zero=True, paired=False):
    """Validate one or two datasets: ``(xs, x_len, ys, y_len, params)``.

    ``ys`` is ``xs`` when ``Y`` is None; ``params`` is ``(gamma, cells,
    fraction)``. With ``paired`` Y is required and each series of X needs its
    partner in Y.
    """
    xs, x_len = check_dataset(X, "X")
    if paired and Y is None:
        raise ValueError("Y is required: the partners of the series of X.")
    ys, y_len = (xs, x_len) if Y is None else check_dataset(Y, "Y")
    if paired and len(xs) != len(ys):
        raise ValueError(
            f"X has {len(xs)} series and Y has {len(ys)}; paired soft-DTW needs "
            "one series of Y for each series of X."
        )
    if xs.shape[2] != ys.shape[2]:
        raise ValueError(
            f"X has {xs.shape[2]} channels and Y has {ys.shape[2]}; both datasets "
            "need the same number of channels."
        )
    gamma = check_gamma(gamma, allow_zero=allow_zero)
    cells, fraction = check_window(window)
    check_table_range(gamma, int(x_len.max()), int(y_len.max()), xs=xs, ys=ys)
    return xs, x_len, ys, y_len, (gamma, cells, fraction)


def soft_dtw(x, y, *, gamma=1.0, window=None):
    """Soft-DTW value between two series.

    Computed in O(min(n, m)) memory, without building the cost matrix.

    Parameters
    ----------
    x : array-like of shape (n,) or (n, n_channels)
        First series. Trailing NaN padding is ignored.
    y : array-like of shape (m,) or (m, n_channels)
        Second series, with the same number of channels.
    gamma : float, default=1.0
        Smoothing, >= 0. ``gamma=0`` gives exact DTW.
    window : int or float, default=None
        Sakoe-Chiba band: half-width in cells (int) or fraction of the longer
        length (float in (0, 1]). None means no band.

    Returns
    -------
    value : float
        The soft-DTW value; it may be negative.

    See Also
    --------
    soft_dtw_divergence : A non-negative variant, zero on identical series.
    dtw : The exact (gamma = 0) value and its optimal path.

    Examples
    --------
    >>> from softdtw_learn.metrics import soft_dtw
    >>> round(soft_dtw([0.0, 1.0, 2.0], [0.0, 2.0], gamma=0.0), 6)
    1.0
    """
    return _dispatch.pair_value(*_checked_pair(x, y, gamma, window))


def soft_dtw_alignment(x, y, *, gamma=1.0, window=None):
    """Soft-DTW value and expected alignment matrix ``E = d soft_dtw / d C``.

    Parameters
    ----------
    x : array-like of shape (n,) or (n, n_channels)
        First series. Trailing NaN padding is ignored.
    y : array-like of shape (m,) or (m, n_channels)
        Second series, with the same number of channels.
    gamma : float, default=1.0
        Smoothing, > 0.
    window : int or float, default=None
        Sakoe-Chiba band, as in :func:`soft_dtw`.

    Returns
    -------
    value : float
        The soft-DTW value.
    alignment : ndarray of shape (n, m)
        Expected alignment: entries in [0, 1], ``E[0, 0] = E[-1, -1] = 1``,
        zero outside the band. ``n`` and ``m`` are the unpadded lengths.

    Examples
    --------
    >>> import numpy as np
    >>> from softdtw_learn.metrics import soft_dtw_alignment
    >>> value, E = soft_dtw_alignment([0.0, 1.0, 2.0], [0.0, 2.0], gamma=0.1)
    >>> E.shape, float(E[0, 0]), float(E[-1, -1])
    ((3, 2), 1.0, 1.0)
    """
    return _dispatch.pair_alignment(*_checked_pair(x, y, gamma, window, False))


def soft_dtw_grad(x, y, *, gamma=1.0, window=None):
    """Soft-DTW value and its gradient with respect to ``x``.

    Parameters
    ----------
    x : array-like of shape (n,) or (n, n_channels)
        Series to differentiate against. Trailing NaN padding is ignored.
    y : array-like of shape (m,) or (m, n_channels)
        Second series, with the same number of channels.
    gamma : float, default=1.0
        Smoothing, > 0.
    window : int or float, default=None
        Sakoe-Chiba band, as in :func:`soft_dtw`.

    Returns
    -------
    value : float
        The soft-DTW value.
    grad : ndarray of the shape of ``x``
        ``2 (E 1_m * x - E y)``; zero on trailing padding rows of ``x``.

    Examples
    --------
    >>> from softdtw_learn.metrics import soft_dtw_grad
    >>> value, grad = soft_dtw_grad([0.0, 1.0, 2.0], [0.0, 2.0], gamma=0.1)
    >>> grad.shape
    (3,)
    """
    x_arr, y_arr, *params = _checked_pair(x, y, gamma, window, False)
    value, grad, _ = _dispatch.pair_value_grads(x_arr, y_arr, *params)
    shape = np.shape(x)
    out = np.zeros((shape[0], x_arr.shape[1]))
    out[: grad.shape[0]] = grad
    return value, out.reshape(shape)


def soft_dtw_from_cost(C, *, gamma=1.0, window=None, return_alignment=False):
    """Soft-DTW on a precomputed cost matrix.

    Parameters
    ----------
    C : array-like of shape (n, m)
        Cost of aligning step i of one series with step j of the other; any
        finite real numbers.
    gamma : float, default=1.0
        Smoothing, >= 0 (> 0 with ``return_alignment=True``).
    window : int or float, default=None
        Sakoe-Chiba band, as in :func:`soft_dtw`.
    return_alignment : bool, default=False
        Also return ``E = d value / d C``.

    Returns
    -------
    value : float
        The soft minimum of ``<A, C>`` over alignments A.
    alignment : ndarray of shape (n, m)
        Only with ``return_alignment=True``.

    Examples
    --------
    >>> import numpy as np
    >>> from softdtw_learn.metrics import soft_dtw_from_cost
    >>> float(soft_dtw_from_cost(np.array([[0.0, 1.0], [1.0, 0.0]]), gamma=0.0))
    0.0
    """
    cost = np.asarray(C)
    if cost.dtype.kind not in "biuf":
        raise ValueError(f"C must hold real numbers, got dtype {cost.dtype}.")
    if cost.ndim != 2 or cost.size == 0:
        raise ValueError(
            f"C must be a non-empty 2-D cost matrix (n, m), got shape {cost.shape}."
        )
    if not np.isfinite(cost).all():
        raise ValueError("C contains NaN or inf; every cost must be finite.")
    cost = np.ascontiguousarray(cost, dtype=np.float64)
    return_alignment = check_flag(return_alignment, "return_alignment")
    gamma = check_gamma(gamma, allow_zero=not return_alignment)
    cells, fraction = check_window(window)
    n, m = cost.shape
    check_table_range(gamma, n, m, cost=float(np.abs(cost).max()))
    return _dispatch.cost_value(cost, gamma, cells, fraction, return_alignment)


def soft_dtw_divergence(x, y, *, gamma=1.0, window=None):
    """Soft-DTW divergence ``sdtw(x, y) - (sdtw(x, x) + sdtw(y, y)) / 2``.

    Zero when ``x == y`` (Blondel, Mensch & Vert, 2021), and returned as
    ``max(D, 0)``: a negative value is mostly rounding, but with the squared
    Euclidean cost nearly identical series at gamma about their variance can
    have a true value slightly below 0 (the paper's guarantee needs a
    positive definite alignment kernel); those read 0.

    Parameters
    ----------
    x : array-like of shape (n,) or (n, n_channels)
        First series. Trailing NaN padding is ignored.
    y : array-like of shape (m,) or (m, n_channels)
        Second series, with the same number of channels.
    gamma : float, default=1.0
        Smoothing, >= 0. At ``gamma=0`` it is ``dtw(x, y)`` (the self terms
        vanish).
    window : int or float, default=None
        Sakoe-Chiba band, as in :func:`soft_dtw`, applied to all three terms.

    Returns
    -------
    divergence : float

    Examples
    --------
    >>> from softdtw_learn.metrics import soft_dtw_divergence
    >>> soft_dtw_divergence([0.0, 1.0, 2.0], [0.0, 1.0, 2.0])
    0.0
    """
    x_arr, y_arr, *params = _checked_pair(x, y, gamma, window)
    cross = _dispatch.pair_value(x_arr, y_arr, *params)
    self_x = _dispatch.pair_value(x_arr, x_arr, *params)
    self_y = _dispatch.pair_value(y_arr, y_arr, *params)
    return float(_dispatch.divergence(cross, self_x, self_y))


def dtw(x, y, *, window=None, return_path=False):
    """Exact DTW with the squared Euclidean cost (no square root is taken).

    Parameters
    ----------
    x : array-like of shape (n,) or (n, n_channels)
        First series. Trailing NaN padding is ignored.
    y : array-like of shape (m,) or (m, n_channels)
        Second series, with the same number of channels.
    window : int or float, default=None
        Sakoe-Chiba band, as in :func:`soft_dtw`.
    return_path : bool, default=False
        Also return an optimal alignment path.

    Returns
    -------
    value : float
        Sum of the squared distances along the best path.
    path : ndarray of shape (path_length, 2)
        Only with ``return_path=True``: index pairs ``(i, j)`` from ``(0, 0)``
        to ``(n - 1, m - 1)``.

    Examples
    --------
    >>> from softdtw_learn.metrics import dtw
    >>> value, path = dtw([0.0, 1.0, 2.0], [0.0, 2.0], return_path=True)
    >>> value, path.tolist()
    (1.0, [[0, 0], [1, 0], [2, 1]])
    """
    if not check_flag(return_path, "return_path"):
        return soft_dtw(x, y, gamma=0.0, window=window)
    x_arr, y_arr, _, cells, fraction = _checked_pair(x, y, 0.0, window)
    return _dispatch.pair_path(x_arr, y_arr, cells, fraction)


def pairwise_soft_dtw(
    X, Y=None, *, gamma=1.0, window=None, divergence=False, n_jobs=None
):
    """Soft-DTW (or divergence) between every series of X and every one of Y.

    Lanes of 16 pairs run in parallel threads; when ``Y`` is None only
    one triangle is computed.

    Parameters
    ----------
    X : array-like of shape (n_x, n_timestamps) or (n_x, n_timestamps, \
n_channels), or list of series
        Series may have different lengths (trailing NaN padding or a list).
    Y : array-like or list of series, default=None
        Second dataset; None means X against itself.
    gamma : float, default=1.0
        Smoothing, >= 0.
    window : int or float, default=None
        Sakoe-Chiba band, as in :func:`soft_dtw`; a fraction applies to the
        lengths of each pair.
    divergence : bool, default=False
        Return the soft-DTW divergence instead of the signed value. The self
        terms are computed once per series.
    n_jobs : int, default=None
        Threads: None means 1, -1 all cores (counted as joblib does; a
        joblib context does not change it). The previous Numba thread count
        is restored afterwards.

    Returns
    -------
    matrix : ndarray of shape (n_x, n_y)

    Examples
    --------
    >>> import numpy as np
    >>> from softdtw_learn.metrics import pairwise_soft_dtw
    >>> X = np.array([[0.0, 1.0, 2.0], [0.0, 2.0, 2.0]])
    >>> pairwise_soft_dtw(X, gamma=0.0)
    array([[0., 1.],
           [1., 0.]])
    """
    xs, x_len, ys, y_len, params = _checked_datasets(X, Y, gamma, window)
    divergence = check_flag(divergence, "divergence")
    symmetric = Y is None
    with _dispatch.numba_threads(n_jobs):
        out = _dispatch.pairwise_values(xs, x_len, ys, y_len, symmetric, params)
        if not divergence:
            return out
        if symmetric:
            self_x = self_y = np.diag(out).copy()
        else:
            self_x = _dispatch.self_values(xs, x_len, params)
            self_y = _dispatch.self_values(ys, y_len, params)
    return _dispatch.pairwise_divergence(out, self_x, self_y)


def pairwise_soft_dtw_chunked(
    X,
    Y=None,
    *,
    working_memory=None,
    reduce_func=None,
    gamma=1.0,
    window=None,
    divergence=False,
    n_jobs=None,
):
    """Return a generator of the soft-DTW matrix between X and Y in row blocks.

    Like scikit-learn's ``pairwise_distances_chunked``: each block holds the
    values of a run of consecutive series of X against every series of Y, and
    no more than one block (plus per-thread scratch rows) is held at a time,
    so a matrix larger than memory can be reduced on the fly.

    Parameters
    ----------
    X : array-like of shape (n_x, n_timestamps[, n_channels]) or list
        Series of the rows.
    Y : array-like or list of series, default=None
        Series of the columns; None means X.
    working_memory : float, default=None
        Megabytes a block may take; None reads scikit-learn's
        ``working_memory`` setting (1024 by default). At least one row.
    reduce_func : callable, default=None
        Called as ``reduce_func(block, start)`` on each block (``start`` is
        its first row); its return value is yielded instead of the block. It
        may return an array or a tuple of arrays with one item per row.
    gamma, window, divergence, n_jobs
        As in :func:`pairwise_soft_dtw`. With ``divergence`` the self terms
        of Y are computed once, not per block.

    Returns
    -------
    blocks : generator
        Consecutive row blocks covering all of X, each an ndarray of shape
        (n_rows, n_y) or what ``reduce_func`` returns for it (checked: one
        item per row, or None). The arguments are checked at the call, the
        blocks computed as they are drawn.

    Examples
    --------
    >>> import numpy as np
    >>> from softdtw_learn.metrics import pairwise_soft_dtw_chunked
    >>> X = np.random.default_rng(0).normal(size=(5, 8))
    >>> nearest = [
    ...     block.argsort(axis=1)[:, 1]
    ...     for block in pairwise_soft_dtw_chunked(X, working_memory=1e-4)
    ... ]
    >>> np.concatenate(nearest).shape
    (5,)
    """
    # Checked here, not at the first block: a generator would defer them.
    xs, x_len, ys, y_len, params = _checked_datasets(X, Y, gamma, window)
    divergence = check_flag(divergence, "divergence")
    if reduce_func is not None and not callable(reduce_func):
        raise TypeError(
            f"reduce_func must be a callable or None, got {short_repr(reduce_func)}."
        )
    if working_memory is None:
        from sklearn import get_config

        working_memory = get_config()["working_memory"]
    working_memory = check_real(
        working_memory, "working_memory (megabytes)", low=0, low_open=True
    )
    rows = int(max(1, min(len(xs), working_memory * 2**20 // (8 * len(ys)))))
    return _blocks(xs, x_len, ys, y_len, params, divergence, rows, reduce_func, n_jobs)


def _blocks(xs, x_len, ys, y_len, params, divergence, rows, reduce_func, n_jobs):
    """Yield the row blocks of :func:`pairwise_soft_dtw_chunked` (inputs checked)."""
    if divergence:
        with _dispatch.numba_threads(n_jobs):
            self_y = _dispatch.self_values(ys, y_len, params)
    for start in range(0, len(xs), rows):
        block = slice(start, min(start + rows, len(xs)))
        with _dispatch.numba_threads(n_jobs):
            values = _dispatch.pairwise_values(
                xs[block], x_len[block], ys, y_len, False, params
            )
            if divergence:
                self_x = _dispatch.self_values(xs[block], x_len[block], params)
                values = _dispatch.pairwise_divergence(values, self_x, self_y)
        if reduce_func is None:
            yield values
        else:
            yield _checked_reduction(reduce_func(values, start), len(values))


def _checked_reduction(reduced, n_rows):
    """``reduce_func``'s result: an array, or a tuple of them, of one item a row.

    None passes (a reduction kept by the function itself), as in scikit-learn.
    """
    if reduced is None:
        return None
    parts = reduced if isinstance(reduced, tuple) else (reduced,)
    for part in parts:
        try:
            size = len(part)
        except TypeError:
            size = None
        if size != n_rows:
            got = "no length" if size is None else f"length {size}"
            if hasattr(part, "shape"):
                got = f"shape {part.shape}"
            raise ValueError(
                f"reduce_func returned {type(part).__name__} ({got}); it must return "
                f"one item per row of the block ({n_rows}), as an array or a "
                "tuple of arrays."
            )
    return reduced


def paired_soft_dtw_terms(
    X, Y, *, gamma, window, divergence, grad_x=False, grad_y=False, n_jobs=None
):
    """Validate, then return the values of the pairs ``(X[s], Y[s])``.

    The engine behind :func:`paired_soft_dtw`, the PyTorch loss and the
    forecaster. Returns ``(values, grad_x, grad_y)``; each optional gradient
    has the padded 3-D shape of its dataset (zero on the padding), or no
    time steps when not requested.
    """
    xs, x_len, ys, y_len, params = _checked_datasets(
        X, Y, gamma, window, allow_zero=not (grad_x or grad_y), paired=True
    )
    with _dispatch.numba_threads(n_jobs):
        return _dispatch.paired_terms(
            xs,
            x_len,
            ys,
            y_len,
            params,
            check_flag(divergence, "divergence"),
            grad_x,
            grad_y,
        )


def paired_soft_dtw(X, Y, *, gamma=1.0, window=None, divergence=False, n_jobs=None):
    """Soft-DTW (or divergence) between each series of X and its partner in Y.

    The paired counterpart of :func:`pairwise_soft_dtw` (as scikit-learn's
    ``paired_distances`` is of ``pairwise_distances``): ``out[s]`` compares
    ``X[s]`` with ``Y[s]`` only, e.g. a forecast with its ground truth. With
    ``gamma=0`` it is exact DTW.

    Parameters
    ----------
    X, Y : array-like of shape (n_series, n_timestamps) or (n_series, \
n_timestamps, n_channels), or list of series
        The same number of series and channels; lengths may differ
        (trailing NaN padding or lists).
    gamma : float, default=1.0
        Smoothing, >= 0.
    window : int or float, default=None
        Sakoe-Chiba band, as in :func:`soft_dtw`.
    divergence : bool, default=False
        Return the soft-DTW divergence instead of the signed value.
    n_jobs : int, default=None
        Threads over pairs: None means 1, -1 all cores.

    Returns
    -------
    values : ndarray of shape (n_series,)

    Examples
    --------
    >>> from softdtw_learn.metrics import paired_soft_dtw
    >>> X = [[0.0, 1.0, 2.0], [0.0, 0.0]]
    >>> Y = [[0.0, 2.0], [0.0, 1.0, 1.0]]
    >>> paired_soft_dtw(X, Y, gamma=0.0)
    array([1., 2.])
    """
    values, _, _ = paired_soft_dtw_terms(
        X, Y, gamma=gamma, window=window, divergence=divergence, n_jobs=n_jobs
    )
    return values
