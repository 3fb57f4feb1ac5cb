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
    check_flag,
    check_gamma,
    check_int,
    check_real,
    check_sample_weight,
    check_series,
    check_table_range,
    check_window,
    short_repr,
)

__all__ = ["dtw_barycenter_averaging", "soft_dtw_barycenter"]

# Most stages "auto" continuation solves above the target gamma.
_MAX_STAGES = 3
# The objective's magnitude, in squared units, below which the solver's
# decrease test turns absolute (see _descend).
_FLOOR = 1e-8
# A gradient of rounding size, per unit of z, as a share of the objective's
# terms: about sqrt(eps), where steps stop changing its value (see _descend).
_STATIONARY = 1e-7
# Series whose spread is below this share of their magnitude are constant.
_CONSTANT = 1e-10


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


def _descend(flat, args, tol, max_iter, unit):
    """One L-BFGS-B solve of the objective from ``flat``, free of the data's units.

    L-BFGS-B is not invariant to the units of its problem: its decrease test
    is ``f_k - f_k+1 <= ftol * max(|f_k|, |f_k+1|, 1)``, absolute for an
    objective below 1 (per-step soft-DTW losses of z-normalised series are
    0.01 and less at small gamma: it stopped after 2-5 iterations there),
    and its first step and gradient test are in the units of ``z``. So it
    solves for ``z`` in ``unit`` (see :func:`_unit`) with the objective
    divided by ``_FLOOR * unit**2``: the decrease test is relative to the
    objective down to that magnitude, and series scaled by ``s`` with gamma
    by ``s**2`` (or shifted by a constant) give the same iterations. The
    gradient test is off (``gtol=0``); a line search that finds no decrease
    at a gradient of rounding size (below ``_STATIONARY`` times the
    objective's terms, per unit: copies of one series with the divergence)
    counts as converged. Copies of a constant series (``unit`` None) have no
    deviation to measure in: L-BFGS-B's own tests, in their units, stop
    their mean at once.
    """
    first = _objective(flat, *args)
    if unit is None:
        unit, least, gtol = 1.0, 1.0, tol
    else:
        least, gtol = _FLOOR * unit**2, 0.0
    start = flat / unit

    def unit_free(u):
        value, grad = first if np.array_equal(u, start) else _objective(u * unit, *args)
        return value / least, grad * (unit / least)

    result = minimize(
        unit_free,
        start,
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": max_iter, "ftol": tol, "gtol": gtol},
    )
    if not result.success and "ABNORMAL" in result.message:
        terms = abs(result.fun * least) + abs(args[-1] or 0.0)  # with self terms
        if np.max(np.abs(result.jac)) * least <= _STATIONARY * terms:
            result.success = True
            result.message = "stationary to rounding (no decrease in the line search)"
    result.x = result.x * unit
    return result


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
    continuation="auto",
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
        A stage stops when an L-BFGS-B iteration lowers the objective by at
        most ``tol`` times its magnitude: relative at every scale of the data
        (and absolute below 1e-8 times the series' variance).
    n_jobs : int, default=None
        Threads over series: None means 1, -1 all cores.
    return_n_iter : bool, default=False
        Also return the number of L-BFGS-B iterations run (over all stages).
    continuation : None, "auto" or sequence of float, default="auto"
        Solve first at larger gammas, each solution the start of the next,
        down to ``gamma``: large gammas smooth the objective's flat stretches
        and spurious minima. "auto" solves first at the powers of 10 times
        ``gamma`` up to the series' mean variance (the typical cost of a
        cell, about 1 for z-normalised series), largest first, or in 3 even
        steps from that variance down when the powers of 10 are more than
        3; nothing above ``gamma`` when ``gamma`` is that large already. A
        list gives the gammas above ``gamma``, decreasing.
        Each stage runs up to ``max_iter`` iterations; None runs one, at
        ``gamma``. On the paper's Table 1 protocol "auto" finds lower DTW
        losses from random starts (``benchmarks/study_barycenters.py``).

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
    return_n_iter = check_flag(return_n_iter, "return_n_iter")
    barycenter, n_iter, converged, message = _soft_dtw_barycenter(
        X,
        gamma,
        weights,
        init,
        length,
        divergence,
        window,
        max_iter,
        tol,
        n_jobs,
        continuation,
    )
    if not converged:
        advice = "raise max_iter or tol"
        if "ABNORMAL" in message:
            # The line search found no lower objective along the gradient.
            advice = (
                "the line search found no decrease: the objective's changes "
                "are at its rounding, as when gamma is large for the series' "
                "variance; lower gamma, or raise tol"
            )
        warnings.warn(
            f"soft_dtw_barycenter did not converge ({message}); {advice}.",
            ConvergenceWarning,
            stacklevel=2,
        )
    return (barycenter, n_iter) if return_n_iter else barycenter


def _soft_dtw_barycenter(
    X,
    gamma,
    weights,
    init,
    length,
    divergence,
    window,
    max_iter,
    tol,
    n_jobs,
    continuation,
):
    """:func:`soft_dtw_barycenter` without the warning.

    Returns the barycenter, the iterations of all stages, whether the last
    stage converged, and L-BFGS-B's message for it.
    """
    # 2-D input is a univariate dataset: its barycenter is returned 1-D.
    flat_output = _given_1d(X)
    xs, lengths = check_dataset(X, "X")
    n_series, _, n_channels = xs.shape
    if _is_zero(gamma):
        raise ValueError(
            "gamma=0 (exact DTW) has no gradient to descend; for a DTW "
            "barycenter use dtw_barycenter_averaging (DBA)."
        )
    gamma = check_gamma(gamma, allow_zero=False)
    cells, fraction = check_window(window)
    divergence = check_flag(divergence, "divergence")
    max_iter = check_int(max_iter, "max_iter", low=1)
    tol = check_real(tol, "tol", low=0)
    weights = _checked_weights(weights, n_series)
    if length is not None:
        length = check_int(length, "length", low=1)
    scale = _cost_scale(xs, lengths, weights)
    schedule = _schedule(continuation, gamma, scale)
    unit = _unit(xs, lengths, weights)
    with _dispatch.numba_threads(n_jobs):
        z = _initial_barycenter(
            xs, lengths, weights, init, (gamma, window, n_jobs), n_channels
        )
        if length is not None:
            z = _resample(z, length)
        check_table_range(
            max(schedule), z.shape[0], int(lengths.max()), xs=z[None], ys=xs
        )
        coef = weights / lengths
        n_iter = 0
        for stage_gamma in schedule:
            params = (stage_gamma, cells, fraction)
            self_terms = None
            if divergence:
                self_terms = float(coef @ _dispatch.self_values(xs, lengths, params))
            args = (z.shape, xs, lengths, coef, params, self_terms)
            result = _descend(z.ravel(), args, tol, max_iter, unit)
            z = result.x.reshape(z.shape)
            n_iter += int(result.nit)
    barycenter = z[:, 0] if flat_output else z
    message = f"{result.nit} iterations at gamma {schedule[-1]:g}: {result.message}"
    return barycenter, n_iter, bool(result.success), message


def check_continuation(continuation, name="continuation"):
    """Validate ``continuation``: None, "auto", or a list of gammas, decreasing.

    The parameter rule of the estimators' ``continuation``; whether the
    gammas lie above the target gamma is checked where it is known.

    Parameters
    ----------
    continuation : None, "auto" or sequence of float
        As in :func:`soft_dtw_barycenter`.
    name : str, default="continuation"
        The parameter's name, for the message.

    Returns
    -------
    continuation : None, "auto" or list of float
    """
    if continuation is None or (
        isinstance(continuation, str) and continuation == "auto"
    ):
        return continuation
    given = None
    if isinstance(continuation, (list, tuple, np.ndarray)):
        try:
            given = [check_gamma(g, allow_zero=False) for g in continuation]
        except (TypeError, ValueError):
            given = None
    if not given or any(a <= b for a, b in zip(given[:-1], given[1:], strict=True)):
        raise ValueError(
            f"{name} must be None, 'auto' or a list of gammas > 0, decreasing, got "
            f"{short_repr(continuation)}."
        )
    return given


def _schedule(continuation, gamma, scale):
    """Return the gammas to solve at, the target last (see ``continuation``)."""
    continuation = check_continuation(continuation)
    if continuation is None:
        return [gamma]
    if continuation == "auto":
        # Powers of 10 times gamma up to the scale; in _MAX_STAGES even
        # steps from the scale down when that takes more.
        decades = np.log10(scale) - np.log10(gamma) if scale > gamma else 0.0
        stages = int(np.floor(decades + 1e-9))
        step = 1.0  # decades a stage
        if stages > _MAX_STAGES:
            stages, step = _MAX_STAGES, decades / _MAX_STAGES
        # In logs, the largest stage the scale itself: no overflow near
        # float64's largest.
        top = np.log10(scale)
        exponents = [np.log10(gamma) + step * (stages - k) for k in range(stages)]
        return [scale if e >= top else float(10.0**e) for e in exponents] + [gamma]
    if continuation[-1] <= gamma:
        raise ValueError(
            f"continuation's gammas must lie above gamma={gamma}, got "
            f"{short_repr(continuation)}."
        )
    return continuation + [gamma]


def dtw_barycenter_averaging(
    X,
    *,
    weights=None,
    init=None,
    length=None,
    window=None,
    max_iter=30,
    tol=1e-5,
    return_n_iter=False,
):
    """DTW barycenter averaging (DBA, Petitjean et al., 2011).

    Alternates exact DTW alignments of every series to the barycenter and
    the average of the values aligned to each of its steps; each iteration
    lowers ``sum_i (w_i / m_i) dtw(z, x_i)``, the soft-DTW barycenter's
    objective at gamma 0. The baseline the paper's Table 1 compares with.

    Parameters
    ----------
    X : array-like of shape (n_series, n_timestamps) or (n_series, \
n_timestamps, n_channels), or list of series
        The series; unequal lengths as trailing NaN padding or a list.
    weights : array-like of shape (n_series,), default=None
        Non-negative weights; None means equal weights.
    init : array-like of shape (length, n_channels) or (length,), default=None
        Starting point. Defaults to the Euclidean mean when all series have
        the same length, otherwise the medoid under DTW.
    length : int, default=None
        Length of the barycenter (the init is resampled to it).
    window : int or float, default=None
        Sakoe-Chiba band of the alignments.
    max_iter : int, default=30
        Maximum number of iterations.
    tol : float, default=1e-5
        Stop when the objective decreases by less than ``tol`` times itself.
    return_n_iter : bool, default=False
        Also return the number of iterations run.

    Returns
    -------
    barycenter : ndarray of shape (length,) or (length, n_channels)
        The same shape rule as :func:`soft_dtw_barycenter`.
    n_iter : int
        Only with ``return_n_iter=True``.

    References
    ----------
    F. Petitjean, A. Ketterlin, P. Gancarski. A global averaging method for
    dynamic time warping, with applications to clustering. Pattern
    Recognition 44(3), 2011.

    Examples
    --------
    >>> import numpy as np
    >>> from softdtw_learn.barycenter import dtw_barycenter_averaging
    >>> X = np.array([[0.0, 1.0, 2.0, 1.0], [0.0, 0.0, 1.0, 2.0]])
    >>> dtw_barycenter_averaging(X).shape
    (4,)
    """
    return_n_iter = check_flag(return_n_iter, "return_n_iter")
    barycenter, n_iter, converged = _dtw_barycenter_averaging(
        X, weights, init, length, window, max_iter, tol
    )
    if not converged:
        warnings.warn(
            f"dtw_barycenter_averaging stopped at max_iter={max_iter} with the "
            "DTW loss still decreasing; raise max_iter or tol.",
            ConvergenceWarning,
            stacklevel=2,
        )
    return (barycenter, n_iter) if return_n_iter else barycenter


def _dtw_barycenter_averaging(X, weights, init, length, window, max_iter, tol):
    """:func:`dtw_barycenter_averaging` without the warning.

    Returns the barycenter, the iterations and whether it converged.
    """
    flat_output = _given_1d(X)
    xs, lengths = check_dataset(X, "X")
    n_series, _, n_channels = xs.shape
    cells, fraction = check_window(window)
    max_iter = check_int(max_iter, "max_iter", low=1)
    tol = check_real(tol, "tol", low=0)
    weights = _checked_weights(weights, n_series)
    # The medoid by DTW itself (gamma 0): the start does not depend on units.
    z = _initial_barycenter(xs, lengths, weights, init, (0.0, window, None), n_channels)
    if length is not None:
        z = _resample(z, check_int(length, "length", low=1))
    check_table_range(0.0, z.shape[0], int(lengths.max()), xs=z[None], ys=xs)
    coef = weights / lengths
    series = [x[:n] for x, n in zip(xs, lengths, strict=True)]
    previous, n_iter = np.inf, 0
    while n_iter < max_iter:
        n_iter += 1
        total = np.zeros_like(z)
        mass = np.zeros(len(z))
        loss = 0.0
        for c, x in zip(coef, series, strict=True):
            value, path = _dispatch.pair_path(z, x, cells, fraction)
            loss += c * value
            np.add.at(total, path[:, 0], c * x[path[:, 1]])
            np.add.at(mass, path[:, 0], c)
        z = total / mass[:, None]
        if previous - loss <= tol * abs(loss):
            break
        previous = loss
    else:
        return (z[:, 0] if flat_output else z), n_iter, False
    return (z[:, 0] if flat_output else z), n_iter, True


def _cost_scale(xs, lengths, weights):
    """Typical cost of a cell: the weighted mean of the series' total variances.

    About 1 for z-normalised univariate series; "auto" continuation starts
    at this gamma, where the soft minimum averages over most paths. Weighted
    as the objective is, so that integer weights act as repeated series.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        variances = np.array(
            [
                float(np.sum(np.var(x[:n], axis=0)))
                for x, n in zip(xs, lengths, strict=True)
            ]
        )
        scale = float(weights @ variances)
    # Beyond float64 (values near 1e154 and up) the range check that follows
    # asks for rescaled series; the schedule only needs a finite scale here.
    if not np.isfinite(scale):
        return np.finfo(np.float64).max
    return max(scale, np.finfo(np.float64).tiny)


def _unit(xs, lengths, weights):
    """Return the solver's unit of ``z``: the series' deviation about their mean.

    The root mean square distance of all their values (weighted) from their
    common mean, so the spread between series counts as well as within, and
    series shifted by a constant keep their unit. None where it is below
    ``_CONSTANT`` times their root mean square (copies of one constant
    series), which are solved in their own units (see :func:`_descend`).
    """
    with np.errstate(over="ignore", invalid="ignore"):
        parts = [x[:n] for x, n in zip(xs, lengths, strict=True)]
        centre = weights @ np.array([x.mean(axis=0) for x in parts])
        spread = weights @ np.array(
            [np.mean(np.sum((x - centre) ** 2, 1)) for x in parts]
        )
        size = weights @ np.array([np.mean(np.sum(x**2, 1)) for x in parts])
    if not np.isfinite(size) or spread <= max(
        _CONSTANT**2 * size, np.finfo(float).tiny
    ):
        return None  # beyond float64 the range check that follows says why
    return float(np.sqrt(spread))


def _is_zero(value):
    try:
        return not isinstance(value, bool) and value == 0
    except (TypeError, ValueError):
        return False


def _given_1d(X):
    """Whether a dataset's series are given 1-D (see the return shape rule)."""
    if isinstance(X, (list, tuple)):
        return len(X) > 0 and all(np.ndim(x) == 1 for x in X)
    return np.ndim(X) == 2


def barycenter_and_iterations(
    series, gamma, *, divergence, n_jobs, continuation, **common
):
    """Return the estimators' barycenter, its iterations and whether it converged.

    Soft-DTW, or DBA at gamma 0, without warnings (the estimators warn once
    for all their barycenters). ``common`` holds weights, init, window,
    max_iter and tol; ``divergence``, ``n_jobs`` and ``continuation`` apply
    to soft-DTW only (at gamma 0 the divergence is DTW itself).
    """
    args = [common[k] for k in ("weights", "init")] + [None]  # length
    if gamma == 0:
        return _dtw_barycenter_averaging(
            series, *args, common["window"], common["max_iter"], common["tol"]
        )
    z, n_iter, converged, _ = _soft_dtw_barycenter(
        series,
        gamma,
        common["weights"],
        common["init"],
        None,
        divergence,
        common["window"],
        common["max_iter"],
        common["tol"],
        n_jobs,
        continuation,
    )
    return z, n_iter, converged


def warn_capped_barycenters(capped, total, names, max_iter, stacklevel):
    """One ConvergenceWarning for the barycenters of a fit that hit max_iter.

    ``names`` are the estimator's ``(max_iter, tol)`` parameters of them.
    """
    if capped:
        warnings.warn(
            f"{capped} of {total} barycenter fits stopped at {names[0]}={max_iter} "
            f"before converging; raise {names[0]} (or {names[1]}).",
            ConvergenceWarning,
            stacklevel=stacklevel + 1,
        )


def _checked_weights(weights, n_series):
    """Weights as probabilities; any finite non-negative scale is accepted."""
    checked = check_sample_weight(weights, n_series, name="weights")
    checked /= checked.max()  # the sum of huge weights would overflow
    return checked / checked.sum()


def _initial_barycenter(xs, lengths, weights, init, medoid_metric, n_channels):
    """Return the starting point: ``init``, the Euclidean mean or the medoid.

    ``medoid_metric`` is the ``(gamma, window, n_jobs)`` of the divergence
    that picks the medoid (unequal lengths only; at gamma 0, DTW). ``init``
    may carry trailing NaN padding, as the estimators' centres do.
    """
    if init is not None:
        z0 = check_series(init, "init").copy()  # trailing NaN padding removed
        if z0.shape[1] != n_channels:
            raise ValueError(
                f"init has {z0.shape[1]} channel(s) and the series {n_channels}; "
                f"pass a start of shape (length, {n_channels}) (or (length,) for "
                "univariate data)."
            )
        return z0
    if np.all(lengths == lengths[0]):
        return np.einsum("s,stc->tc", weights, xs[:, : lengths[0]])
    gamma, window, n_jobs = medoid_metric
    sizes = pairwise_soft_dtw(
        [x[:n] for x, n in zip(xs, lengths, strict=True)],
        gamma=gamma,
        window=window,
        divergence=True,
        n_jobs=n_jobs,
    )
    medoid = int(np.argmin(sizes @ weights))
    return xs[medoid, : lengths[medoid]].copy()
