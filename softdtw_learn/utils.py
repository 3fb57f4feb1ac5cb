"""Time-series containers and the input validation shared by public functions.

A series is ``(n_timestamps,)`` or ``(n_timestamps, n_channels)``. A dataset
is 2-D ``(n_series, n_timestamps)`` (univariate), 3-D ``(n_series,
n_timestamps, n_channels)``, or a list of series of different lengths.
Unequal lengths inside one array are trailing NaN padding: a time step whose
channels are all NaN, after the last real step. NaN anywhere else is an error.
"""

import math
import numbers
import os
import warnings
from collections.abc import Iterator

import numpy as np

__all__ = [
    "LayoutWarning",
    "from_channels_first",
    "pad_to_common_width",
    "to_channels_first",
    "to_time_series_dataset",
]


def _as_numeric(values, name):
    """Return ``values`` as a float64 array, or raise a clear ValueError."""
    if isinstance(values, (dict, set, frozenset, Iterator)):
        raise ValueError(
            f"{name} is a {type(values).__name__}, not an array; pass an array "
            "or a list of series (list(...) reads a generator)."
        )
    if hasattr(values, "to_numpy") and hasattr(values, "dtypes"):
        # pandas: nullable dtypes (Float64, Int64) hold pd.NA for padding.
        try:
            return values.to_numpy(dtype=np.float64, na_value=np.nan)
        except (TypeError, ValueError):
            pass  # text and the like: the checks below name it
    try:
        arr = np.asarray(values)
    except ValueError as exc:  # ragged nested sequences
        raise ValueError(
            f"{name} could not be read as an array ({exc}). Pass a list of series "
            "of different lengths as a dataset, or pad them with trailing NaN."
        ) from None
    if arr.dtype.kind not in "biuf":
        if arr.dtype.kind == "O":
            _reject_nested_cells(arr, name)
            # Text is no number in any container (an array of str is refused
            # below; astype would parse "1" here).
            text = next((v for v in arr.flat if isinstance(v, (str, bytes))), None)
            if text is not None:
                raise ValueError(
                    f"{name} holds text ({text!r}), not numbers. Convert it to "
                    "floats first."
                )
            try:
                return arr.astype(np.float64)
            except (TypeError, ValueError, OverflowError):
                pass
        raise ValueError(
            f"{name} must hold real numbers, got an array of dtype {arr.dtype}. "
            "Convert it to floats first."
        )
    return arr.astype(np.float64, copy=False)


def _reject_nested_cells(arr, name):
    """Name the converter when cells hold whole series (sktime's nested frames)."""
    first = arr.flat[0] if arr.size else None
    if np.ndim(first) >= 1:
        raise ValueError(
            f"{name} holds a whole series in each cell (sktime's nested DataFrame "
            "layout?). Convert it with softdtw_learn.datasets."
            "from_nested_dataframe(X), or pass a list of series."
        )


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
    return _padded_dataset(X, length, "X")


def _padded_dataset(X, length, name):
    """:func:`to_time_series_dataset`, its errors naming ``name``."""
    if isinstance(X, np.ndarray) or not isinstance(X, (list, tuple)):
        arr = _as_numeric(X, name)
        if arr.ndim == 2:
            arr = arr[:, :, None]
        if arr.ndim != 3:
            raise ValueError(
                f"{name} must be a dataset: a 2-D array (n_series, n_timestamps), "
                "a 3-D array (n_series, n_timestamps, n_channels) or a list of "
                "series; "
                f"got an array with {arr.ndim} dimensions (shape {arr.shape})."
            )
        items = list(arr)
    else:
        items = [_as_numeric(item, f"{name}[{k}]") for k, item in enumerate(X)]
        items = [item[:, None] if item.ndim == 1 else item for item in items]
    if not items:
        raise ValueError(f"{name} is empty; a dataset needs at least one series.")
    for k, item in enumerate(items):
        if item.ndim != 2:
            raise ValueError(
                f"{name}[{k}] must be a series of shape (n_timestamps,) or "
                f"(n_timestamps, n_channels), got shape {item.shape}."
            )
    channels = {item.shape[1] for item in items}
    if len(channels) > 1 and len({item.shape[0] for item in items}) == 1:
        raise ValueError(
            f"the series in {name} have different numbers of channels "
            f"{sorted(channels)} but {items[0].shape[0]} time step(s) each: aeon's "
            "and sktime's unequal-length layout (a list of (n_channels, "
            "n_timepoints) cases)? Convert it with "
            "softdtw_learn.utils.from_channels_first(X)."
        )
    if len(channels) > 1:
        raise ValueError(
            f"the series in {name} have different numbers of channels "
            f"{sorted(channels)}; "
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


def pad_to_common_width(*datasets):
    """Pad datasets (train, test, ...) to one width with trailing NaN.

    Estimators need the training width for an array at predict time
    (scikit-learn's ``n_features_in_``; a list of series may hold any
    lengths); soft-DTW itself compares series of any lengths, and
    trailing NaN is padding, so padding every dataset to the widest keeps
    every series as it is.

    Parameters
    ----------
    *datasets : array-like or list of series
        Each 2-D ``(n_series, n_timestamps)``, 3-D ``(n_series,
        n_timestamps, n_channels)`` or a list of series, all with the same
        number of channels.

    Returns
    -------
    padded : tuple of ndarray
        New float64 arrays, one per dataset, of the common width: 2-D for a
        2-D input or a list of 1-D series, else 3-D.

    Examples
    --------
    >>> from softdtw_learn.utils import pad_to_common_width
    >>> train, test = pad_to_common_width([[1, 2]], [[1, 2, 3]])
    >>> train
    array([[ 1.,  2., nan]])
    """
    if not datasets:
        raise ValueError("pad_to_common_width needs at least one dataset.")
    arrays = [to_time_series_dataset(X) for X in datasets]
    channels = {a.shape[2] for a in arrays}
    if len(channels) > 1:
        raise ValueError(
            f"the datasets have different numbers of channels {sorted(channels)}; "
            "every series needs the same number."
        )
    width = max(a.shape[1] for a in arrays)
    padded = []
    for X, arr in zip(datasets, arrays, strict=True):
        out = np.full((arr.shape[0], width, arr.shape[2]), np.nan)
        out[:, : arr.shape[1]] = arr
        padded.append(out[:, :, 0] if _univariate_input(X) else out)
    return tuple(padded)


def _univariate_input(X):
    """Whether a dataset is given as univariate series (2-D, or 1-D items)."""
    if isinstance(X, (list, tuple)):
        return all(np.ndim(x) == 1 for x in X)
    return np.ndim(X) == 2


class LayoutWarning(UserWarning):
    """A 3-D array that looks channel-first (aeon's and sktime's layout).

    Issued when an array has more channels than time steps, which is what
    aeon's ``(n_cases, n_channels, n_timepoints)`` looks like when read as
    ``(n_series, n_timestamps, n_channels)``. Convert such data with
    :func:`from_channels_first`; silence the warning where short series with
    many channels are meant.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> from softdtw_learn.metrics import pairwise_soft_dtw
    >>> from softdtw_learn.utils import LayoutWarning
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = pairwise_soft_dtw(np.zeros((2, 3, 40)))
    >>> caught[0].category is LayoutWarning
    True
    """


def from_channels_first(X):
    """Convert aeon's and sktime's channel-first data to this package's layout.

    aeon and sktime store datasets as ``(n_cases, n_channels,
    n_timepoints)``, and unequal lengths as a list of ``(n_channels,
    n_timepoints)`` arrays; softdtw_learn (like tslearn) is time-major,
    ``(n_series, n_timestamps, n_channels)``.

    Parameters
    ----------
    X : array-like of shape (n_cases, n_channels, n_timepoints), or list of \
arrays of shape (n_channels, n_timepoints)

    Returns
    -------
    dataset : ndarray of shape (n_cases, n_timepoints, n_channels)
        A new float64 array; unequal lengths are padded with trailing NaN.

    Examples
    --------
    >>> import numpy as np
    >>> from softdtw_learn.utils import from_channels_first
    >>> from_channels_first(np.zeros((5, 2, 30))).shape
    (5, 30, 2)
    """
    if isinstance(X, (list, tuple)):
        items = [_as_numeric(item, f"X[{k}]") for k, item in enumerate(X)]
        for k, item in enumerate(items):
            if item.ndim != 2:
                raise ValueError(
                    f"X[{k}] must be one case of shape (n_channels, n_timepoints), "
                    f"got shape {item.shape}."
                )
        return to_time_series_dataset([item.T for item in items])
    arr = _as_numeric(X, "X")
    if arr.ndim != 3:
        raise ValueError(
            "X must be a channel-first dataset of shape (n_cases, n_channels, "
            f"n_timepoints), got shape {arr.shape}."
        )
    return np.ascontiguousarray(arr.transpose(0, 2, 1))


def to_channels_first(X):
    """Convert a dataset to aeon's and sktime's ``(n_cases, n_channels, n_timepoints)``.

    Parameters
    ----------
    X : array-like or list of series
        A dataset in this package's layout (see :func:`to_time_series_dataset`).

    Returns
    -------
    dataset : ndarray of shape (n_cases, n_channels, n_timepoints)
        A new float64 array (trailing NaN padding kept).

    Examples
    --------
    >>> import numpy as np
    >>> from softdtw_learn.utils import to_channels_first
    >>> to_channels_first(np.zeros((5, 30, 2))).shape
    (5, 2, 30)
    """
    return np.ascontiguousarray(to_time_series_dataset(X).transpose(0, 2, 1))


def _warn_if_channel_first(arr, name):
    """Warn when a 3-D array has more channels than time steps."""
    if arr.ndim == 3 and arr.shape[2] > arr.shape[1] > 0:
        warnings.warn(
            f"{name} has shape {arr.shape}: read as {arr.shape[0]} series of "
            f"{arr.shape[1]} time steps with {arr.shape[2]} channels each. If it "
            "is aeon's or sktime's (n_cases, n_channels, n_timepoints), convert "
            "it with softdtw_learn.utils.from_channels_first(X); if the layout "
            "is right, silence this LayoutWarning.",
            LayoutWarning,
            stacklevel=4,
        )


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
        # Lists get no LayoutWarning: the package passes its own checked
        # series as lists; aeon's unequal-length lists fail with a hint.
        arr = _padded_dataset(X, None, name)
    else:
        arr = _as_numeric(X, name)
        _warn_if_channel_first(arr, name)
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


class Verbosity:
    """A level of ``verbose``: an int >= 0, or a bool as scikit-learn takes it."""

    def __call__(self, value, name):
        if isinstance(value, (bool, np.bool_)):
            return int(value)
        return check_int(value, name, low=0)


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


def check_gamma_grid(value, name, *, allow_zero):
    """Validate candidate gammas: a tuple of distinct floats, at least one.

    Each is checked by :func:`check_gamma` (``allow_zero``: 0, exact DTW,
    is a candidate); the order is kept.
    """
    try:
        flat = not isinstance(value, str) and np.ndim(value) == 1 and len(value) > 0
    except (TypeError, ValueError):  # ragged nesting, objects without a length
        flat = False
    if not flat:
        raise ValueError(
            f"{name} must be a non-empty sequence of numbers "
            f"{'>=' if allow_zero else '>'} 0 (the candidate gammas), got "
            f"{short_repr(value)}."
        )
    grid = []
    for gamma in value:
        try:
            grid.append(check_gamma(gamma, allow_zero=allow_zero))
        except ValueError as err:
            raise ValueError(f"{name}: {err}") from None
    repeated = sorted({g for g in grid if grid.count(g) > 1})
    if repeated:
        raise ValueError(
            f"{name} must not repeat a gamma; got {short_repr(value)}, where "
            f"{', '.join(f'{g:g}' for g in repeated)} appears more than once."
        )
    return tuple(grid)


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


def check_sample_weight(sample_weight, n_samples, min_positive=1, name="sample_weight"):
    """Sample weights as a new float64 array (ones for None).

    A number weighs every sample alike (as in scikit-learn). Finite,
    non-negative, one per sample, at least ``min_positive`` of them
    positive (k-means needs one per cluster). ``name`` is the argument's, for
    the messages.
    """
    if sample_weight is None:
        return np.ones(n_samples)
    try:
        weights = np.array(sample_weight, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        weights = np.array([np.nan])
    if weights.ndim == 0:
        weights = np.full(n_samples, weights)
    if weights.shape != (n_samples,) or not np.all(np.isfinite(weights)):
        raise ValueError(
            f"{name} must be {n_samples} finite numbers (one per series), "
            f"got {short_repr(sample_weight)}."
        )
    if np.any(weights < 0) or np.count_nonzero(weights) < min_positive:
        raise ValueError(
            f"{name} must be non-negative, with at least {min_positive} "
            f"non-zero weight{'s' if min_positive > 1 else ''}, got "
            f"{short_repr(sample_weight)}."
        )
    return weights


def nearest_existing(path):
    """Return ``path`` or its nearest ancestor that exists (a ``Path``)."""
    while not path.exists():
        path = path.parent
    return path


def check_creatable_folder(out):
    """Check that folder ``out`` exists or can be created, and can be written.

    ``out`` is a ``Path``; its nearest existing ancestor must be a writable
    folder. Raises a ValueError that names it otherwise.
    """
    existing = nearest_existing(out)
    if not existing.is_dir():
        raise ValueError(f"{existing} is not a folder; cannot create {out} in it.")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ValueError(f"cannot write in folder {existing}.")


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
            f"log(number of paths) up to {log_paths:.3g}: {spread:.3g}, which "
            f"must stay below {_LARGEST_TABLE_ENTRY:g} (float64 ends at 1.8e308). "
            "Use a smaller gamma."
        )


def validate_series(estimator, X, y="no_validation", *, reset):
    """Validate estimator input: 2-D or 3-D floats, NaN allowed as padding.

    ``y`` follows ``validate_data`` (its default means X alone). A list of
    series (of any lengths) is padded with trailing NaN: to at least the
    training width when predicting, else to its longest. ``reset=False``
    also checks that the estimator is fitted. A list of new series may hold
    series longer than the training width (soft-DTW compares any lengths:
    cross-validation on a list of series of many lengths works); an array
    must have the training width once its trailing all-NaN time steps are
    dropped, as scikit-learn's estimators require, and the error names
    :func:`pad_to_common_width`. NaN inside a series is caught later by
    :func:`check_dataset`.
    """
    # Imported here: scikit-learn costs ~1 s, and the metrics need none of it.
    from sklearn.utils.validation import check_is_fitted

    if not reset:
        check_is_fitted(estimator)
    out = series_data(estimator, X, y, reset=reset)
    check_channels(estimator, out[0] if isinstance(out, tuple) else out, reset=reset)
    return out


def series_data(estimator, X, y="no_validation", *, reset):
    """``validate_data`` for series, any length from the training width up.

    The estimator need not be fitted (a stateless transform). A wider input
    loses its trailing all-NaN time steps down to the training width. A list
    still wider holds longer series than at fit: it is checked as an array
    without scikit-learn's feature count. An array still wider is refused,
    as scikit-learn's estimators refuse one.
    """
    from sklearn.utils import check_array
    from sklearn.utils.validation import validate_data

    if isinstance(X, np.ndarray) and X.dtype == object and X.ndim == 1:
        X = list(X)  # an object array of series: a list of them
    from_list = isinstance(X, (list, tuple))
    X = series_input(estimator, X, reset=reset)
    options = {"ensure_all_finite": "allow-nan", "allow_nd": True, "dtype": np.float64}
    width = None if reset else getattr(estimator, "n_features_in_", None)
    shape = getattr(X, "shape", ())  # others: validate_data reads them
    if width is not None and len(shape) >= 2 and shape[1] > width:
        X = _without_extra_padding(X, width)
        if X.shape[1] > width:
            if not from_list:
                _raise_width(estimator, X.shape[1], width)
            return check_array(X, **options)
    return validate_data(estimator, X, y, reset=reset, **options)


def _without_extra_padding(X, width):
    """``X`` as an array, its trailing all-NaN time steps dropped down to ``width``."""
    arr = _as_numeric(X, "X")
    if arr.ndim < 2 or arr.shape[0] == 0:
        return arr
    missing = np.isnan(arr).reshape(arr.shape[0], arr.shape[1], -1)
    longest = int(trailing_nan_lengths(missing)[0].max())
    return arr[:, : max(longest, width)]


def series_input(estimator, X, *, reset):
    """Pad a list of series to an array; reject an array narrower than at fit.

    Other inputs pass through (``validate_data`` reads them). Lists of 1-D
    series give a 2-D array, as a univariate dataset.
    """
    width = None if reset else getattr(estimator, "n_features_in_", None)
    if isinstance(X, (list, tuple)) and len(X) and np.ndim(X[0]) >= 1:
        padded = to_time_series_dataset(X)
        # Trailing NaN in an item is padding already: its true length counts.
        longest = int(trailing_nan_lengths(np.isnan(padded))[0].max())
        size = max(longest, width or 0)
        out = np.full((len(padded), size, padded.shape[2]), np.nan)
        out[:, : min(size, padded.shape[1])] = padded[:, :size]
        return out[:, :, 0] if _univariate_input(X) else out
    dtypes = getattr(X, "dtypes", None)  # a DataFrame
    if dtypes is not None and any(d.kind == "O" for d in np.atleast_1d(dtypes)):
        _reject_nested_cells(np.asarray(X, dtype=object), "X")
    shape = getattr(X, "shape", ())  # arrays and frames; others: validate_data
    if width is not None and len(shape) >= 2 and shape[1] < width:
        _raise_width(estimator, shape[1], width)
    return X


def check_channels(estimator, X, *, reset):
    """Record the channels at fit; at predict, require the same number."""
    channels = 1 if np.ndim(X) == 2 else np.shape(X)[2]
    if reset:
        estimator._n_channels = channels
    elif channels != getattr(estimator, "_n_channels", channels):
        raise ValueError(
            f"X has {channels} channel(s), but {type(estimator).__name__} was "
            f"fitted on series with {estimator._n_channels}."
        )


def _raise_width(estimator, found, width):
    name = type(estimator).__name__
    if found < width:
        advice = (
            "Pad the new series to it with trailing NaN, e.g. "
            "softdtw_learn.utils.pad_to_common_width(X_train, X_new)[1], or pass "
            "them as a list (padded for you)."
        )
    else:
        advice = (
            "The new series are longer: pass them as a list of series (any "
            "lengths), or pad the training and the new series to one width "
            "with softdtw_learn.utils.pad_to_common_width(X_train, X_new) and "
            "fit again."
        )
    raise ValueError(
        f"X has {found} features, but {name} is expecting {width} features as "
        f"input. Features are time steps: this model was fitted on series "
        f"padded to {width}. {advice}"
    )
