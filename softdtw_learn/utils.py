"""Time-series containers and the input validation shared by public functions.

A series is ``(n_timestamps,)`` or ``(n_timestamps, n_channels)``. A dataset
is 2-D ``(n_series, n_timestamps)`` (univariate), 3-D ``(n_series,
n_timestamps, n_channels)``, or a list of series of different lengths.
Unequal lengths inside one array are trailing NaN padding: a time step whose
channels are all NaN, after the last real step. NaN anywhere else is an error.
"""

import math
import numbers

import numpy as np

__all__ = ["to_time_series_dataset"]


def _as_numeric(values, name):
    """Return ``values`` as a float64 array, or raise a clear ValueError."""
    try:
        arr = np.asarray(values)
    except ValueError as exc:  # ragged nested sequences
        raise ValueError(
            f"{name} could not be read as an array ({exc}). Pass a list of series "
            "of different lengths as a dataset, or pad them with trailing NaN."
        ) from None
    if arr.dtype.kind not in "biuf":
        if arr.dtype.kind == "O":
            try:
                return arr.astype(np.float64)
            except (TypeError, ValueError):
                pass
        raise ValueError(
            f"{name} must hold real numbers, got an array of dtype {arr.dtype}. "
            "Convert it to floats first."
        )
    return arr.astype(np.float64, copy=False)


def trailing_nan_lengths(missing):
    """Lengths without trailing NaN padding, and the first NaN inside a series.

    ``missing`` is ``isnan`` of a dataset, shape (n_series, n_timestamps,
    n_channels). A time step is padding when every channel is NaN. Returns
    ``(lengths, inside)``: ``lengths`` is 0 for a series that is all padding,
    and ``inside`` is the ``(series, time)`` index of the first NaN before a
    series' end, or None. Vectorised: callers phrase their own errors.
    """
    n_series, width = missing.shape[:2]
    if not missing.any():
        return np.full(n_series, width, dtype=np.int64), None
    padding = missing.all(axis=2)
    lengths = (width - np.argmax(~padding[:, ::-1], axis=1)).astype(np.int64)
    lengths[padding.all(axis=1)] = 0
    inside = missing.any(axis=2) & (np.arange(width) < lengths[:, None])
    if inside.any():
        return lengths, tuple(int(k) for k in np.argwhere(inside)[0])
    return lengths, None


def _checked_lengths(arr, name, index=True):
    """Return the true lengths of a 3-D float dataset; errors name the series.

    Raises ValueError for an empty series, inf, NaN inside a series, and a
    series that is all padding.
    """
    label = (lambda k: f"{name}[{k}]") if index else (lambda k: name)
    if arr.shape[1] == 0 or arr.shape[2] == 0:
        raise ValueError(
            f"{label(0)} is empty (shape {arr.shape[1:]}); a series needs at "
            "least one time step and one channel."
        )
    infinite = np.isinf(arr)
    if infinite.any():
        k, step, _ = np.argwhere(infinite)[0]
        raise ValueError(
            f"{label(k)} contains inf at time index {step}; soft-DTW needs "
            "finite values."
        )
    lengths, inside = trailing_nan_lengths(np.isnan(arr))
    empty = np.flatnonzero(lengths == 0)
    if empty.size:
        raise ValueError(
            f"{label(empty[0])} has length 0 once its trailing NaN padding is "
            "removed; a series needs at least one real time step."
        )
    if inside is not None:
        k, step = inside
        raise ValueError(
            f"{label(k)} contains NaN at time index {step}, inside the series "
            f"(its last real time step is {lengths[k] - 1}). Only trailing NaN "
            "padding is allowed: fill or interpolate missing values first."
        )
    return lengths


def check_series(x, name="x"):
    """Validate one series and return it as a 2-D float64 C-contiguous array.

    Parameters
    ----------
    x : array-like of shape (n_timestamps,) or (n_timestamps, n_channels)
        The series. Trailing NaN padding is removed.
    name : str, default="x"
        Name of the argument, used in error messages.

    Returns
    -------
    series : ndarray of shape (length, n_channels)
        A new or read-only-used array; the input is never modified.

    Raises
    ------
    ValueError
        For non-numeric data, more than two dimensions, an empty series, inf,
        or NaN that is not trailing padding.
    """
    arr = _as_numeric(x, name)
    if arr.ndim == 1:
        arr = arr[:, None]
    elif arr.ndim != 2:
        raise ValueError(
            f"{name} must be one series of shape (n_timestamps,) or "
            f"(n_timestamps, n_channels), got an array with {arr.ndim} "
            f"dimensions (shape {arr.shape})."
        )
    length = _checked_lengths(arr[None], name, index=False)[0]
    return np.ascontiguousarray(arr[:length])


def check_pair(x, y):
    """Validate two series with the same number of channels."""
    x_arr, y_arr = check_series(x, "x"), check_series(y, "y")
    if x_arr.shape[1] != y_arr.shape[1]:
        raise ValueError(
            f"x has {x_arr.shape[1]} channels and y has {y_arr.shape[1]}; "
            "both series need the same number of channels."
        )
    return x_arr, y_arr


def to_time_series_dataset(X, length=None):
    """Build a padded 3-D dataset from a list of series or an array.

    Parameters
    ----------
    X : list of array-like, or array-like of shape (n_series, n_timestamps) or \
(n_series, n_timestamps, n_channels)
        The series. Items of a list may have different lengths; each item is
        ``(n_timestamps,)`` or ``(n_timestamps, n_channels)``.
    length : int, default=None
        Width of the result. Defaults to the longest series; shorter series
        are padded with trailing NaN.

    Returns
    -------
    dataset : ndarray of shape (n_series, length, n_channels)
        A new float64 array.

    Examples
    --------
    >>> from softdtw_learn.utils import to_time_series_dataset
    >>> to_time_series_dataset([[1, 2, 3], [4, 5]])[:, :, 0]
    array([[ 1.,  2.,  3.],
           [ 4.,  5., nan]])
    """
    if isinstance(X, np.ndarray) or not isinstance(X, (list, tuple)):
        arr = _as_numeric(X, "X")
        if arr.ndim == 2:
            arr = arr[:, :, None]
        if arr.ndim != 3:
            raise ValueError(
                "X must be a dataset: a 2-D array (n_series, n_timestamps), a 3-D "
                "array (n_series, n_timestamps, n_channels) or a list of series; "
                f"got an array with {arr.ndim} dimensions (shape {arr.shape})."
            )
        items = list(arr)
    else:
        items = [_as_numeric(item, f"X[{k}]") for k, item in enumerate(X)]
        items = [item[:, None] if item.ndim == 1 else item for item in items]
    if not items:
        raise ValueError("X is empty; a dataset needs at least one series.")
    for k, item in enumerate(items):
        if item.ndim != 2:
            raise ValueError(
                f"X[{k}] must be a series of shape (n_timestamps,) or "
                f"(n_timestamps, n_channels), got shape {item.shape}."
            )
    channels = {item.shape[1] for item in items}
    if len(channels) > 1:
        raise ValueError(
            f"the series in X have different numbers of channels {sorted(channels)}; "
            "every series needs the same number."
        )
    longest = max(item.shape[0] for item in items)
    if length is None:
        length = longest
    elif not isinstance(length, numbers.Integral) or length < longest:
        raise ValueError(
            f"length must be an int at least the longest series ({longest}), "
            f"got {length!r}."
        )
    out = np.full((len(items), int(length), channels.pop()), np.nan)
    for k, item in enumerate(items):
        out[k, : item.shape[0]] = item
    return out


def stack_like(series, X):
    """Stack fitted series (centres) like the training data ``X``.

    Padded with trailing NaN to ``X``'s width (or the longest series, if
    longer); 2-D when ``X`` was 2-D (univariate), else 3-D.
    """
    width = max(X.shape[1], max(s.shape[0] for s in series))
    stacked = to_time_series_dataset(series, length=width)
    return stacked[:, :, 0] if X.ndim == 2 else stacked


def check_dataset(X, name="X"):
    """Validate a dataset; return it 3-D float64 C-contiguous with true lengths.

    Parameters
    ----------
    X : array-like or list of series
        See :func:`to_time_series_dataset`.
    name : str, default="X"
        Name of the argument, used in error messages.

    Returns
    -------
    dataset : ndarray of shape (n_series, n_timestamps, n_channels)
    lengths : ndarray of shape (n_series,), dtype int64
        Length of each series without its trailing NaN padding.
    """
    if isinstance(X, (list, tuple)):
        arr = to_time_series_dataset(X)
    else:
        arr = _as_numeric(X, name)
        if arr.ndim == 2:
            arr = arr[:, :, None]
        if arr.ndim != 3:
            raise ValueError(
                f"{name} must be a dataset: a 2-D array (n_series, n_timestamps), "
                "a 3-D array (n_series, n_timestamps, n_channels) or a list of "
                f"series; got an array with {arr.ndim} dimensions (shape "
                f"{arr.shape})."
            )
    if arr.shape[0] == 0:
        raise ValueError(f"{name} is empty; a dataset needs at least one series.")
    lengths = _checked_lengths(arr, name)
    return np.ascontiguousarray(arr), lengths


# Parameters -----------------------------------------------------------------
# One rule everywhere: booleans are not numbers here (True is not one
# iteration), numpy scalars are, and any Real (Fraction, Decimal, int) is read
# as the float it rounds to; a number too large for a float64 is out of range.


def _is_number(value, kind):
    return isinstance(value, kind) and not isinstance(value, (bool, np.bool_))


def _as_float(value):
    """``float(value)`` for a real number, None when there is none."""
    if not _is_number(value, numbers.Real):
        return None
    try:
        return float(value)
    except (OverflowError, ValueError, TypeError):
        return None


def short_repr(value, limit=80):
    """``repr(value)`` cut to ``limit`` characters, for error messages."""
    try:
        text = repr(value)
    except ValueError:  # an int beyond Python's digit limit for str()
        text = f"<{type(value).__name__} too long to show>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _range_text(low, high, low_open, high_open):
    if low is not None and high is not None:
        left, right = "(" if low_open else "[", ")" if high_open else "]"
        return f" in {left}{low}, {high}{right}"
    if low is not None:
        return f" {'>' if low_open else '>='} {low}"
    if high is not None:
        return f" {'<' if high_open else '<='} {high}"
    return ""


def _in_range(value, low, high, low_open, high_open):
    above = low is None or (value > low if low_open else value >= low)
    below = high is None or (value < high if high_open else value <= high)
    return above and below


def check_int(value, name, *, low=None, high=None):
    """Validate an integer parameter (not a bool) and return it as an int."""
    if not _is_number(value, numbers.Integral) or not _in_range(
        value, low, high, False, False
    ):
        raise ValueError(
            f"{name} must be an int{_range_text(low, high, False, False)}, "
            f"got {short_repr(value)}."
        )
    return int(value)


def check_real(value, name, *, low=None, high=None, low_open=False, high_open=False):
    """Validate a finite real parameter (not a bool) and return it as a float."""
    number = _as_float(value)
    if (
        number is None
        or not math.isfinite(number)
        or not _in_range(number, low, high, low_open, high_open)
    ):
        raise ValueError(
            f"{name} must be a finite number"
            f"{_range_text(low, high, low_open, high_open)}, got {short_repr(value)}."
        )
    return number


def check_flag(value, name):
    """Validate a boolean option (numpy booleans included)."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {short_repr(value)}.")
    return bool(value)


def check_option(value, name, options, other=None):
    """Validate a string option; ``other`` names what else is allowed."""
    if not isinstance(value, str) or value not in options:
        listed = ", ".join(repr(o) for o in options)
        also = f" or {other}" if other else ""
        raise ValueError(
            f"{name} must be one of {listed}{also}, got {short_repr(value)}."
        )
    return value


# Below this 1 / gamma overflows float64.
_SMALLEST_GAMMA = 2.2250738585072014e-308


def check_gamma(gamma, *, allow_zero=True):
    """Validate the smoothing parameter and return it as a float."""
    number = _as_float(gamma)
    valid = (
        number is not None
        and math.isfinite(number)
        and (number > 0 or (allow_zero and number == 0))
    )
    if valid and 0 < number < _SMALLEST_GAMMA:
        raise ValueError(
            f"gamma={short_repr(gamma)} is below {_SMALLEST_GAMMA:g}, the smallest "
            "normal float64: 1 / gamma would overflow. Use gamma=0 for exact DTW, or a "
            "larger gamma."
        )
    if valid:
        return number
    if allow_zero:
        raise ValueError(
            "gamma must be a finite number >= 0 (0 gives exact DTW), got "
            f"{short_repr(gamma)}."
        )
    raise ValueError(
        f"gamma must be a finite number > 0 here, got {short_repr(gamma)}: a gradient "
        "or alignment needs gamma > 0 (gamma = 0, exact DTW, is not differentiable)."
    )


# A half-width beyond any series' length is no band; ints above this are
# clipped to it (float64 holds it exactly).
_WIDEST_WINDOW = 2**53


def check_window(window):
    """Validate a Sakoe-Chiba window; return ``(cells, fraction)``.

    ``cells`` is the half-width in cells (``-1.0`` for no window) and
    ``fraction`` the share of the longer length (``0.0`` when unused).
    """
    if window is None:
        return -1.0, 0.0
    if _is_number(window, numbers.Integral):
        if window >= 0:
            return float(min(int(window), _WIDEST_WINDOW)), 0.0
    else:
        fraction = _as_float(window)
        if fraction is not None and 0 < fraction <= 1:
            return -1.0, fraction
    raise ValueError(
        f"window must be None, an int >= 0 (half-width in cells) or a float in "
        f"(0, 1] (fraction of the longer series), got {short_repr(window)}."
    )


def check_n_jobs(n_jobs):
    """Validate ``n_jobs`` (joblib semantics: None is 1, -1 all cores)."""
    if n_jobs is not None and (not _is_number(n_jobs, numbers.Integral) or n_jobs == 0):
        raise ValueError(
            f"n_jobs must be None, a positive int or a negative int (-1 = all "
            f"cores), got {short_repr(n_jobs)}."
        )
    return n_jobs if n_jobs is None else int(n_jobs)


# Estimators declare a rule per parameter in ``_parameter_rules`` (in the
# manner of scikit-learn's ``_parameter_constraints``) and call
# ``check_params(self)`` at the start of fit. A rule is called as
# ``rule(value, name)`` and returns the value checked (plain int or float).


class Int:
    """An int (not a bool) within ``[low, high]``."""

    def __init__(self, low=None, high=None):
        self.low, self.high = low, high

    def __call__(self, value, name):
        return check_int(value, name, low=self.low, high=self.high)


class Real:
    """A finite real number (not a bool) within the given bounds."""

    def __init__(self, low=None, high=None, *, low_open=False, high_open=False):
        self.bounds = {
            "low": low,
            "high": high,
            "low_open": low_open,
            "high_open": high_open,
        }

    def __call__(self, value, name):
        return check_real(value, name, **self.bounds)


class Flag:
    """True or False (numpy booleans included)."""

    def __call__(self, value, name):
        return check_flag(value, name)


class Options:
    """One of a few strings, or (``otherwise``, described by ``other``) more."""

    def __init__(self, *options, otherwise=None, other=None):
        self.options, self.otherwise, self.other = options, otherwise, other

    def __call__(self, value, name):
        if self.otherwise is not None and not isinstance(value, str):
            return self.otherwise(value, name)
        return check_option(value, name, self.options, self.other)


class Gamma:
    """The smoothing parameter (see :func:`check_gamma`)."""

    def __init__(self, *, allow_zero):
        self.allow_zero = allow_zero

    def __call__(self, value, name):
        return check_gamma(value, allow_zero=self.allow_zero)


class Window:
    """A Sakoe-Chiba window (see :func:`check_window`); returns it unchanged."""

    def __call__(self, value, name):
        check_window(value)
        return value


class NJobs:
    """Threads, joblib semantics (see :func:`check_n_jobs`)."""

    def __call__(self, value, name):
        return check_n_jobs(value)


class Unchecked:
    """A parameter checked where it is used (``reason`` says where)."""

    def __init__(self, reason):
        self.reason = reason

    def __call__(self, value, name):
        return value


def check_params(estimator):
    """Check every parameter of ``estimator`` by its class's ``_parameter_rules``.

    Returns a dict of the checked values. Every parameter of ``__init__``
    needs a rule (a test walks the estimators), so none goes unchecked by
    oversight.
    """
    rules = type(estimator)._parameter_rules
    return {
        name: rules[name](value, name)
        for name, value in estimator.get_params(deep=False).items()
    }


def check_sample_weight(sample_weight, n_samples, min_positive=1):
    """Sample weights as a new float64 array (ones for None).

    Finite, non-negative, one per sample, at least ``min_positive`` of them
    positive (k-means needs one per cluster).
    """
    if sample_weight is None:
        return np.ones(n_samples)
    try:
        weights = np.array(sample_weight, dtype=np.float64)
    except (TypeError, ValueError):
        weights = np.array([np.nan])
    if weights.shape != (n_samples,) or not np.all(np.isfinite(weights)):
        raise ValueError(
            f"sample_weight must be {n_samples} finite numbers (one per series), "
            f"got {short_repr(sample_weight)}."
        )
    if np.any(weights < 0) or np.count_nonzero(weights) < min_positive:
        raise ValueError(
            f"sample_weight must be non-negative, with at least {min_positive} "
            f"non-zero weight{'s' if min_positive > 1 else ''}, got "
            f"{short_repr(sample_weight)}."
        )
    return weights


# The soft-DTW table R must stay finite: every entry lies between
# -gamma log(number of paths) and the cost of a path. Paths to (n, m) number
# at most (3 + 2 sqrt 2) ** max(n, m) (Delannoy numbers), a path has at most
# n + m - 1 cells, and 1e300 leaves headroom below float64's 1.8e308.
_LARGEST_TABLE_ENTRY = 1e300
_LOG_PATHS_PER_STEP = math.log(3.0 + 2.0 * math.sqrt(2.0))


def _cost_bound(xs, ys):
    """Upper bound on every squared distance between steps of xs and ys."""
    with np.errstate(over="ignore", invalid="ignore"):
        low_x, high_x = np.nanmin(xs, axis=(0, 1)), np.nanmax(xs, axis=(0, 1))
        low_y, high_y = np.nanmin(ys, axis=(0, 1)), np.nanmax(ys, axis=(0, 1))
        far = np.maximum(high_x - low_y, high_y - low_x)
        return float(np.sum(far * far))


def check_table_range(gamma, n, m, *, cost=None, xs=None, ys=None):
    """Raise unless soft-DTW over ``n x m`` grids stays within float64.

    ``cost`` bounds the magnitude of one cell's cost; otherwise it is bounded
    from the datasets ``xs`` and ``ys`` (3-D, NaN padded), which are the
    series of one pair or of every pair.
    """
    from_series = cost is None
    if from_series:
        cost = _cost_bound(xs, ys)
    with np.errstate(over="ignore"):
        path = cost * (n + m - 1)
    if not path < _LARGEST_TABLE_ENTRY:
        if from_series:
            largest = max(np.nanmax(np.abs(xs)), np.nanmax(np.abs(ys)))
            size = (
                f"The series hold values up to {largest:.3g} in magnitude, whose "
                f"squared differences reach {cost:.3g}"
            )
            fix = "Rescale the series, for example z-normalise them."
        else:
            size = f"The cost matrix holds costs up to {cost:.3g} in magnitude"
            fix = "Rescale the cost matrix."
        raise ValueError(
            f"{size}: soft-DTW sums them along alignment paths of up to "
            f"{n + m - 1} cells, which must stay below {_LARGEST_TABLE_ENTRY:g} "
            f"(float64 ends at 1.8e308). {fix}"
        )
    log_paths = _LOG_PATHS_PER_STEP * max(n, m)
    with np.errstate(over="ignore"):
        spread = gamma * log_paths
    if not spread < _LARGEST_TABLE_ENTRY:
        raise ValueError(
            f"gamma={gamma!r} is too large for series of length {max(n, m)}: "
            f"soft-DTW reaches about -gamma * log(number of paths), with "
            f"log(number of paths) up to {log_paths:.3g}, beyond float64. Use a "
            "smaller gamma."
        )


def validate_series(estimator, X, y="no_validation", *, reset):
    """Validate estimator input: 2-D or 3-D floats, NaN allowed as padding.

    ``y`` follows ``validate_data`` (its default means X alone).
    ``reset=False`` also checks that the estimator is fitted and that X has
    the training width. NaN inside a series is caught later by
    :func:`check_dataset`.
    """
    # Imported here: scikit-learn costs ~1 s, and the metrics need none of it.
    from sklearn.utils.validation import check_is_fitted, validate_data

    if not reset:
        check_is_fitted(estimator)
    return validate_data(
        estimator,
        X,
        y,
        ensure_all_finite="allow-nan",
        allow_nd=True,
        dtype=np.float64,
        reset=reset,
    )
