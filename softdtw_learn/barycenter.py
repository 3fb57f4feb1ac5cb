"""Soft-DTW barycenters (Cuturi & Blondel, ICML 2017, section 3.1, eq. 4).

The barycenter of series ``x_1 .. x_N`` with weights ``w`` minimises
``sum_i (w_i / m_i) sdtw(z, x_i)`` (``m_i`` the length of ``x_i``) over ``z``,
with scipy's L-BFGS-B. With ``divergence=True`` the soft-DTW divergence
replaces ``sdtw``, including the gradient of its self term ``sdtw(z, z)``.
"""

import warnings

import numpy as np
from scipy.optimize import minimize
from sklearn.exceptions import ConvergenceWarning

from . import _dispatch
from .metrics import pairwise_soft_dtw
from .utils import (
    check_dataset,
    check_gamma,
    check_int,
    check_real,
    check_table_range,
    check_window,
    short_repr,
)

__all__ = ["soft_dtw_barycenter"]


def _resample(series, length):
    """Linear interpolation of a ``(n, d)`` series to ``length`` steps."""
    if series.shape[0] == length:
        return series.copy()
    old = np.linspace(0.0, 1.0, series.shape[0])
    new = np.linspace(0.0, 1.0, length)
    return np.stack([np.interp(new, old, c) for c in series.T], axis=1)


def _objective(flat, shape, xs, lengths, coef, params, self_terms):
    """Barycenter objective and gradient at ``flat`` (``z`` raveled).

    ``params`` is ``(gamma, cells, fraction)``. ``self_terms`` is None for
    soft-DTW, else the constant ``sum_i coef_i sdtw(x_i, x_i)`` of the
    divergence.
    """
    value, grad = _dispatch.weighted_terms(
        flat.reshape(shape), xs, lengths, coef, params, self_terms
    )
    return value, grad.ravel()


def soft_dtw_barycenter(
    X,
    *,
    gamma=1.0,
    weights=None,
    init=None,
    length=None,
    divergence=False,
    window=None,
    max_iter=100,
    tol=1e-5,
    n_jobs=None,
    return_n_iter=False,
):
    """Soft-DTW barycenter of a set of series.

    Parameters
    ----------
    X : array-like of shape (n_series, n_timestamps) or (n_series, \
n_timestamps, n_channels), or list of series
        The series; unequal lengths as trailing NaN padding or a list.
    gamma : float, default=1.0
        Smoothing, > 0. Small values give sharper barycenters and a harder
        optimisation.
    weights : array-like of shape (n_series,), default=None
        Non-negative weights, normalised to sum 1; None means equal weights.
    init : array-like of shape (length, n_channels) or (length,), default=None
        Starting point. Defaults to the Euclidean mean when all series have
        the same length, otherwise the medoid under the soft-DTW divergence.
    length : int, default=None
        Length of the barycenter; the init is resampled (linear
        interpolation) to it. Defaults to the init's length.
    divergence : bool, default=False
        Minimise the weighted sum of soft-DTW divergences instead.
    window : int or float, default=None
        Sakoe-Chiba band, as in :func:`softdtw_learn.metrics.soft_dtw`.
    max_iter : int, default=100
        Maximum number of L-BFGS-B iterations.
    tol : float, default=1e-5
        Tolerance passed to L-BFGS-B (relative decrease of the objective).
    n_jobs : int, default=None
        Threads over series: None means 1, -1 all cores.
    return_n_iter : bool, default=False
        Also return the number of L-BFGS-B iterations run.

    Returns
    -------
    barycenter : ndarray of shape (length,) or (length, n_channels)
        One rule for every container: 1-D when the series are given 1-D (a
        2-D array, or a list of 1-D series), else ``(length, n_channels)``
        (a 3-D array, or a list of 2-D series).
    n_iter : int
        Only with ``return_n_iter=True``.

    Warns
    -----
    ConvergenceWarning
        When L-BFGS-B stops before converging (e.g. at ``max_iter``).

    References
    ----------
    M. Cuturi, M. Blondel. Soft-DTW: a Differentiable Loss Function for
    Time-Series. ICML 2017.

    Examples
    --------
    >>> import numpy as np
    >>> from softdtw_learn.barycenter import soft_dtw_barycenter
    >>> X = np.array([[0.0, 1.0, 2.0, 1.0], [0.0, 0.0, 1.0, 2.0]])
    >>> soft_dtw_barycenter(X, gamma=0.1).shape
    (4,)
    """
    # 2-D input is a univariate dataset: its barycenter is returned 1-D.
    flat_output = _given_1d(X)
    xs, lengths = check_dataset(X, "X")
    n_series, _, n_channels = xs.shape
    gamma = check_gamma(gamma, allow_zero=False)
    cells, fraction = check_window(window)
    params = (gamma, cells, fraction)
    max_iter = check_int(max_iter, "max_iter", low=1)
    tol = check_real(tol, "tol", low=0)
    weights = _checked_weights(weights, n_series)
    if length is not None:
        length = check_int(length, "length", low=1)
    with _dispatch.numba_threads(n_jobs):
        z0 = _initial_barycenter(xs, lengths, weights, init, gamma, window, n_channels)
        if length is not None:
            z0 = _resample(z0, length)
        check_table_range(gamma, z0.shape[0], int(lengths.max()), xs=z0[None], ys=xs)
        coef = weights / lengths
        self_terms = None
        if divergence:
            self_terms = float(coef @ _dispatch.self_values(xs, lengths, params))
        result = minimize(
            _objective,
            z0.ravel(),
            args=(
                z0.shape,
                xs,
                lengths,
                coef,
                params,
                self_terms,
            ),
            jac=True,
            method="L-BFGS-B",
            tol=tol,
            options={"maxiter": max_iter},
        )
    if not result.success:
        warnings.warn(
            f"soft_dtw_barycenter did not converge in {result.nit} iterations "
            f"({result.message}); raise max_iter or tol.",
            ConvergenceWarning,
            stacklevel=2,
        )
    barycenter = result.x.reshape(z0.shape)
    barycenter = barycenter[:, 0] if flat_output else barycenter
    return (barycenter, int(result.nit)) if return_n_iter else barycenter


def _given_1d(X):
    """Whether a dataset's series are given 1-D (see the return shape rule)."""
    if isinstance(X, (list, tuple)):
        return len(X) > 0 and all(np.ndim(x) == 1 for x in X)
    return np.ndim(X) == 2


def warn_capped_barycenters(capped, total, parameter, max_iter):
    """One ConvergenceWarning for the barycenters of a fit that hit max_iter."""
    if capped:
        warnings.warn(
            f"{capped} of {total} barycenter fits stopped at {parameter}={max_iter} "
            f"before converging; raise {parameter} (or tol).",
            ConvergenceWarning,
            stacklevel=3,
        )


def _checked_weights(weights, n_series):
    """Weights as probabilities; any finite non-negative scale is accepted."""
    if weights is None:
        return np.full(n_series, 1.0 / n_series)
    try:
        checked = np.array(weights, dtype=np.float64)
    except (TypeError, ValueError):
        checked = np.array([np.nan])
    if checked.shape != (n_series,) or not np.all(np.isfinite(checked)):
        raise ValueError(
            f"weights must be {n_series} finite numbers (one per series), got "
            f"{short_repr(weights)}."
        )
    if np.any(checked < 0) or not np.any(checked > 0):
        raise ValueError(
            f"weights must be non-negative with a positive sum, got {checked.tolist()}."
        )
    checked /= checked.max()  # the sum of huge weights would overflow
    return checked / checked.sum()


def _initial_barycenter(xs, lengths, weights, init, gamma, window, n_channels):
    """Return the starting point: ``init``, the Euclidean mean or the medoid."""
    if init is not None:
        z0 = np.array(init, dtype=np.float64)
        if z0.ndim == 1:
            z0 = z0[:, None]
        if z0.ndim != 2 or z0.shape[1] != n_channels or z0.shape[0] < 1:
            raise ValueError(
                f"init must have shape (length, {n_channels}) (or (length,) for "
                f"univariate data), got {np.shape(init)}."
            )
        if not np.all(np.isfinite(z0)):
            raise ValueError("init contains NaN or inf; it must be finite.")
        return z0
    if np.all(lengths == lengths[0]):
        return np.einsum("s,stc->tc", weights, xs[:, : lengths[0]])
    sizes = pairwise_soft_dtw(
        [x[:n] for x, n in zip(xs, lengths, strict=True)],
        gamma=gamma,
        window=window,
        divergence=True,
    )
    medoid = int(np.argmin(sizes @ weights))
    return xs[medoid, : lengths[medoid]].copy()
