"""Conversions between padded arrays and long (tidy) pandas DataFrames."""

import numbers

import numpy as np
import pandas as pd

from ..utils import check_dataset, to_time_series_dataset, trailing_nan_lengths

# How many offending values an error message lists.
_SHOWN = 3
# Integers from this magnitude on may not survive the cast to float64.
_EXACT_INT = 2**53


_is_object = pd.api.types.is_object_dtype


def _show(value):
    """Write one value plainly: strings quoted, numbers bare (no numpy reprs)."""
    if isinstance(value, np.generic):
        value = value.item()
    return repr(value) if isinstance(value, (str, bytes)) else str(value)


def _listed(values, total=None):
    shown = ", ".join(_show(v) for v in list(values)[:_SHOWN])
    more = (total if total is not None else len(values)) - _SHOWN
    return shown + (f" and {more} more" if more > 0 else "")


def _missing(value):
    """Whether one value is a missing marker (NaN, None, NA, NaT)."""
    return np.ndim(value) == 0 and bool(pd.isna(value))


def _kind(value):
    """Name the family a value belongs to for ordering: numbers, text, ..."""
    if isinstance(value, (bool, np.bool_)):
        return "bool"
    if isinstance(value, numbers.Real):
        return "number"
    if isinstance(value, str):
        return "str"
    return type(value).__name__


def _check_label(label, what):
    try:
        hash(label)
    except TypeError:
        raise ValueError(f"{what} must be one column name, got {label!r}.") from None
    return label


def _value_columns(value_cols):
    if isinstance(value_cols, str):
        columns = [value_cols]
    elif isinstance(value_cols, (list, tuple, pd.Index, np.ndarray)):
        columns = list(value_cols)
    else:
        raise ValueError(
            "value_cols must be a column name or a list of column names, got "
            f"{value_cols!r}."
        )
    if not columns:
        raise ValueError("value_cols is empty; name at least one value column.")
    for c in columns:
        _check_label(c, "each entry of value_cols")
    repeated = sorted({_show(c) for c in columns if columns.count(c) > 1})
    if repeated:
        raise ValueError(
            f"value_cols names {', '.join(repeated)} more than once; name each "
            "channel once."
        )
    return columns


def _check_columns(df, id_col, time_col, value_cols):
    """Validate the column arguments against ``df``; return the value columns."""
    if not isinstance(df, pd.DataFrame):
        raise ValueError(
            f"df must be a pandas DataFrame, got {type(df).__name__}; build one "
            "with pandas.DataFrame(...)."
        )
    if isinstance(df.columns, pd.MultiIndex):
        raise ValueError(
            "df has MultiIndex columns; flatten them first (e.g. "
            "df.columns = ['_'.join(map(str, c)) for c in df.columns])."
        )
    _check_label(id_col, "id_col")
    _check_label(time_col, "time_col")
    if value_cols is None:  # every other column, as to_long_dataframe writes
        value_cols = [c for c in df.columns if c not in (id_col, time_col)]
        if not value_cols:
            raise ValueError(
                f"df has no column besides {id_col!r} and {time_col!r} to read "
                "values from; name them with value_cols."
            )
    columns = _value_columns(value_cols)
    if id_col == time_col:
        raise ValueError(f"id_col and time_col are both {id_col!r}; name two columns.")
    clash = [c for c in columns if c in (id_col, time_col)]
    if clash:
        named = (
            "value_cols includes" if value_cols is not None else "the value column is"
        )
        raise ValueError(
            f"{named} {_listed(clash)}, which is also id_col or time_col; a "
            "column has one role (pass other names)."
        )
    used = [id_col, time_col, *columns]
    missing = [c for c in used if c not in df.columns]
    if missing:
        raise ValueError(
            f"df has no column(s) {missing}; its columns are {list(df.columns)}."
        )
    repeated = set(df.columns[df.columns.duplicated()])
    doubled = [c for c in used if c in repeated]
    if doubled:
        raise ValueError(
            f"df has several columns named {_listed(doubled)}; rename them so that "
            "each name is unique."
        )
    return columns


def _where(df, rows, id_col, time_col):
    """``id=..., time=...`` of the first of ``rows`` (positions)."""
    first = rows[0]
    return (
        f"{id_col}={_show(df[id_col].iloc[first])}, "
        f"{time_col}={_show(df[time_col].iloc[first])} (row {first})"
    )


def _check_missing(column, label, what):
    gaps = np.flatnonzero(column.isna().to_numpy())
    if gaps.size:
        raise ValueError(
            f"column {label!r} has no {what} at row(s) {_listed(gaps, gaps.size)} "
            "(NaN or None); every row needs one."
        )


def _check_one_kind(column, label, what):
    """For object columns: every value of one family (no ints among strings)."""
    if not _is_object(column.dtype):
        return
    kinds = {}
    for position, value in enumerate(column.to_numpy()):
        kinds.setdefault(_kind(value), (position, value))
    if len(kinds) > 1:
        examples = ", ".join(
            f"{_show(v)} ({k}, row {p})" for k, (p, v) in list(kinds.items())[:_SHOWN]
        )
        raise ValueError(
            f"column {label!r} mixes {what} of different types: {examples}; they "
            f"have no common order. Use one type, e.g. df[{label!r}].astype(str)."
        )


def _check_ids(df, id_col):
    column = df[id_col]
    _check_missing(column, id_col, "id")
    _check_one_kind(column, id_col, "ids")
    if _is_object(column.dtype):
        for position, value in enumerate(column.to_numpy()):
            try:
                hash(value)
            except TypeError:
                raise ValueError(
                    f"column {id_col!r} holds {_show(value)} at row {position}; ids "
                    "must be hashable values such as numbers or strings."
                ) from None


def _is_time_dtype(dtype):
    return (
        pd.api.types.is_datetime64_any_dtype(dtype)
        or pd.api.types.is_timedelta64_dtype(dtype)
        or (
            pd.api.types.is_numeric_dtype(dtype)
            and not pd.api.types.is_bool_dtype(dtype)
            and not pd.api.types.is_complex_dtype(dtype)
        )
    )


def _check_times(df, time_col):
    column = df[time_col]
    _check_missing(column, time_col, "time")
    if _is_object(column.dtype):
        _check_one_kind(column, time_col, "times")
        ok = _kind(column.iloc[0]) == "number"
    else:
        ok = _is_time_dtype(column.dtype)
    if not ok:
        raise ValueError(
            f"column {time_col!r} must hold numbers, datetimes or timedeltas to order "
            f"the steps, got dtype {column.dtype} (e.g. {_show(column.iloc[0])}); "
            "text sorts as text ('10' before '2'). Convert it with "
            "pandas.to_numeric or pandas.to_datetime."
        )
    if pd.api.types.is_float_dtype(column.dtype) or _is_object(column.dtype):
        infinite = np.flatnonzero(np.isinf(column.to_numpy(dtype=np.float64)))
        if infinite.size:
            raise ValueError(
                f"column {time_col!r} holds an infinite time at rows "
                f"{_listed(infinite, infinite.size)}; times must be finite."
            )


def _float_column(df, label, id_col, time_col):
    """Return one value column as float64, refusing anything that is not a number."""
    column = df[label]
    dtype = column.dtype
    numeric = pd.api.types.is_numeric_dtype(dtype) and not (
        pd.api.types.is_complex_dtype(dtype)
    )
    bad = [0]
    if _is_object(dtype):  # numbers (NaN and None for missing ones) or nothing
        bad = [
            p
            for p, v in enumerate(column.to_numpy())
            if _kind(v) not in ("number", "bool") and not _missing(v)
        ]
        numeric = not bad
    values = None
    if numeric:
        try:
            values = column.to_numpy(dtype=np.float64, na_value=np.nan)
        except (OverflowError, TypeError, ValueError):  # e.g. 10**400
            bad = [int(np.argmax([_too_large(v) for v in column.to_numpy()]))]
    if values is None:
        raise ValueError(
            f"value column {label!r} must hold real numbers within float64's range, "
            f"got dtype {dtype} with {_show(column.iloc[bad[0]])} at "
            f"{_where(df, bad, id_col, time_col)}. Convert it with "
            "pandas.to_numeric, or leave it out of value_cols."
        )
    _check_exact(column, values, label, df, id_col, time_col)
    return values


def _too_large(value):
    try:
        float(value)
    except (OverflowError, TypeError, ValueError):
        return True
    return False


def _check_exact(column, values, label, df, id_col, time_col):
    """Refuse integers that float64 would round (2**53 + 1, 10**20, ...)."""
    large = np.flatnonzero(np.abs(values) >= _EXACT_INT)
    originals = column.to_numpy()
    rounded = [
        p
        for p in large
        if isinstance(originals[p], numbers.Integral)
        and int(originals[p]) != int(values[p])
    ]
    if rounded:
        raise ValueError(
            f"value column {label!r} holds integers that float64 cannot hold "
            f"exactly: {_show(originals[rounded[0]])} at "
            f"{_where(df, rounded, id_col, time_col)}. Scale them, or convert the "
            "column to float yourself if rounding is acceptable."
        )


def _values(df, columns, id_col, time_col):
    """Return the value columns as a float64 (n_rows, n_channels) array, all finite."""
    values = np.column_stack(
        [_float_column(df, label, id_col, time_col) for label in columns]
    )
    bad_rows = np.flatnonzero(~np.isfinite(values).all(axis=1))
    if bad_rows.size:
        raise ValueError(
            f"df has NaN or inf in {columns} on {bad_rows.size} row(s), first at "
            f"{_where(df, bad_rows, id_col, time_col)}; a long DataFrame lists only "
            "real time steps. Drop or impute missing values first."
        )
    return values


def _check_unique_steps(df, id_col, time_col):
    keys = df[[id_col, time_col]]
    repeated = keys[keys.duplicated(keep=False)]
    if len(repeated):
        counts = repeated.groupby(
            [id_col, time_col], sort=False, observed=True, dropna=False
        ).size()
        pairs = [
            f"{id_col}={_show(i)}, {time_col}={_show(t)} ({n} rows)"
            for (i, t), n in list(counts.items())[:_SHOWN]
        ]
        more = len(counts) - _SHOWN
        raise ValueError(
            f"df has several rows for the same ({id_col}, {time_col}): "
            f"{'; '.join(pairs)}{f'; and {more} more pairs' if more > 0 else ''}. "
            "Each (series, time) pair must appear once; drop or aggregate the "
            "duplicates first."
        )


def _order(df, id_col, time_col):
    """Row positions sorted by id, then time (stable)."""
    keys = df[[id_col, time_col]].reset_index(drop=True)
    try:
        return keys.sort_values([id_col, time_col], kind="stable").index.to_numpy()
    except TypeError as exc:
        raise ValueError(
            f"the ids in column {id_col!r} cannot be ordered ({exc}); use ids of one "
            "sortable type, such as numbers or strings."
        ) from None


def from_long_dataframe(df, *, id_col="id", time_col="time", value_cols=None):
    """Build a padded dataset from a long DataFrame (one row per time step).

    Parameters
    ----------
    df : pandas.DataFrame
        One row per (series, time step); it is not modified.
    id_col : str, default="id"
        Column naming the series: ids of one type (numbers, strings,
        datetimes, ...), no missing ones. Ints mixed with strings are refused,
        as they have no common order.
    time_col : str, default="time"
        Column ordering the steps within a series: finite numbers, datetimes
        or timedeltas. Only the order counts: gaps are not filled.
    value_cols : str or list of str, default=None
        Column(s) holding the channel values: real numbers, no NaN or inf.
        A single string names one column; None takes every other column, in
        the frame's order (the defaults read what :func:`to_long_dataframe`
        writes).

    Returns
    -------
    X : ndarray of shape (n_series, n_timestamps) or (n_series, n_timestamps, \
n_channels)
        2-D for one value column and equal lengths, 3-D otherwise, with
        trailing NaN padding. Series are in sorted id order (a categorical
        id column sorts by the order of its categories).
    ids : ndarray of shape (n_series,)
        The id of each row of ``X``.

    Raises
    ------
    ValueError
        For an empty frame, missing or repeated columns, missing, mixed or
        unsortable ids, times that are not numbers or datetimes, values that
        are not finite real numbers (or integers float64 would round), or a
        (series, time) pair that appears twice. The message names the column
        and the offending ids, times or rows.

    Examples
    --------
    >>> import pandas as pd
    >>> from softdtw_learn.datasets import from_long_dataframe
    >>> df = pd.DataFrame({"id": [1, 1, 2], "t": [0, 1, 0], "v": [0.5, 1.5, 2.0]})
    >>> X, ids = from_long_dataframe(df, id_col="id", time_col="t", value_cols="v")
    >>> X[:, :, 0], ids
    (array([[0.5, 1.5],
           [2. , nan]]), array([1, 2]))
    """
    columns = _check_columns(df, id_col, time_col, value_cols)
    if len(df) == 0:
        raise ValueError("df has no rows; a dataset needs at least one time step.")
    _check_ids(df, id_col)
    _check_times(df, time_col)
    values = _values(df, columns, id_col, time_col)
    _check_unique_steps(df, id_col, time_col)
    order = _order(df, id_col, time_col)
    # Sorted, so each series' rows are contiguous and factorize's order is
    # the sorted order (np.unique would re-sort, by a different rule for
    # categoricals).
    codes, ids = pd.factorize(df[id_col].iloc[order])
    starts = np.flatnonzero(np.diff(codes)) + 1
    series = np.split(values[order], starts)
    X = to_time_series_dataset(series)
    if len(columns) == 1 and len({len(s) for s in series}) == 1:
        X = X[:, :, 0]
    return X, np.asarray(ids)


def _check_ids_for_frame(ids, n_series):
    if ids is None:
        return np.arange(n_series)
    if isinstance(ids, (list, tuple)):
        kinds = {_kind(v) for v in ids if not _missing(v)}
        if len(kinds) > 1:
            raise ValueError(
                f"ids mixes values of types {sorted(kinds)}; use one type (numpy "
                "would turn them all into strings)."
            )
    ids = np.asarray(ids)
    if ids.shape != (n_series,):
        raise ValueError(f"ids must have shape ({n_series},), got {ids.shape}.")
    missing = np.flatnonzero(pd.isna(ids))
    if missing.size:
        raise ValueError(
            f"ids has missing values at positions {_listed(missing, missing.size)}; "
            "every series needs an id."
        )
    index = pd.Index(ids)
    if index.has_duplicates:
        repeated = index[index.duplicated()].unique()
        raise ValueError(
            f"ids must be unique, got {_listed(repeated, len(repeated))} more than "
            "once; two series with one id could not be told apart."
        )
    return ids


def _names_for_frame(value_cols, n_channels, id_col, time_col):
    _check_label(id_col, "id_col")
    _check_label(time_col, "time_col")
    if id_col == time_col:
        raise ValueError(f"id_col and time_col are both {id_col!r}; name two columns.")
    if value_cols is None:
        columns = (
            ["value"] if n_channels == 1 else [f"value_{c}" for c in range(n_channels)]
        )
    else:
        columns = _value_columns(value_cols)
    if len(columns) != n_channels:
        raise ValueError(
            f"value_cols names {len(columns)} columns for {n_channels} channels."
        )
    clash = [c for c in columns if c in (id_col, time_col)]
    if clash:
        named = (
            "value_cols includes" if value_cols is not None else "the value column is"
        )
        raise ValueError(
            f"{named} {_listed(clash)}, which is also id_col or time_col; a "
            "column has one role (pass other names)."
        )
    return columns


def to_long_dataframe(X, *, ids=None, id_col="id", time_col="time", value_cols=None):
    """Turn a padded dataset into a long DataFrame, padding left out.

    Parameters
    ----------
    X : array-like of shape (n_series, n_timestamps) or (n_series, \
n_timestamps, n_channels), or list of series
        The dataset.
    ids : array-like of shape (n_series,), default=None
        Series ids, unique and not missing; defaults to ``0 .. n_series - 1``.
    id_col, time_col : str, default="id", "time"
        Names of the id and time columns (two different names).
    value_cols : str or list of str, default=None
        Names of the channel columns, one per channel (a string for one
        channel); defaults to ``value`` for one channel, else ``value_0,
        value_1, ...``.

    Returns
    -------
    df : pandas.DataFrame
        One row per real time step.

    Examples
    --------
    >>> import numpy as np
    >>> from softdtw_learn.datasets import to_long_dataframe
    >>> to_long_dataframe(np.array([[1.0, 2.0], [3.0, np.nan]])).shape
    (3, 3)
    """
    data, lengths = check_dataset(X)
    n_series, _, n_channels = data.shape
    ids = _check_ids_for_frame(ids, n_series)
    value_cols = _names_for_frame(value_cols, n_channels, id_col, time_col)
    keep = np.arange(data.shape[1])[None, :] < lengths[:, None]
    series_index, time_index = np.nonzero(keep)
    frame = pd.DataFrame({id_col: ids[series_index], time_col: time_index})
    for c, name in enumerate(value_cols):
        frame[name] = data[series_index, time_index, c]
    return frame


def from_nested_dataframe(df):
    """Build a padded dataset from sktime's nested DataFrame.

    sktime's ``nested_univ`` layout has one row per series and one column
    per channel, each cell holding a whole channel (a ``pandas.Series`` or a
    1-D array; its index is ignored, the order of the values is the time
    order).

    Parameters
    ----------
    df : pandas.DataFrame
        It is not modified. The channels of one row must have one length;
        rows may differ.

    Returns
    -------
    X : ndarray of shape (n_series, n_timestamps) or (n_series, n_timestamps, \
n_channels)
        2-D for one column and equal lengths, 3-D otherwise, with trailing
        NaN padding; rows in the frame's order.

    Raises
    ------
    ValueError
        For a frame that is empty or not nested, a cell that is not a 1-D
        series of real numbers, or channels of one row with different
        lengths; the message names the row and the column.

    Examples
    --------
    >>> import pandas as pd
    >>> from softdtw_learn.datasets import from_nested_dataframe
    >>> df = pd.DataFrame({"dim_0": [pd.Series([1.0, 2.0]), pd.Series([3.0, 4.0])]})
    >>> from_nested_dataframe(df)
    array([[1., 2.],
           [3., 4.]])
    """
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"df must be a pandas DataFrame, got {type(df).__name__}.")
    if df.shape[0] == 0 or df.shape[1] == 0:
        raise ValueError(
            f"df has shape {df.shape}; a nested frame needs at least one row "
            "(series) and one column (channel)."
        )
    series = [_nested_row(df, position) for position in range(df.shape[0])]
    X = to_time_series_dataset(series)
    if df.shape[1] == 1 and len({len(s) for s in series}) == 1:
        X = X[:, :, 0]
    return X


def _nested_row(df, position):
    """One row of a nested frame as a ``(length, n_channels)`` array."""
    channels = []
    for column, cell in zip(df.columns, df.iloc[position], strict=True):
        index = _show(df.index[position])
        where = f"df row {position} (index {index}), column {_show(column)}"
        if isinstance(cell, (str, bytes)) or np.ndim(cell) != 1:
            raise ValueError(
                f"{where} holds {_show(cell)[:40]}, not a series: a nested "
                "frame has a pandas Series (or 1-D array) in every cell. For one "
                "value per cell (a wide frame), pass df.to_numpy() instead."
            )
        values = np.asarray(cell.to_numpy() if isinstance(cell, pd.Series) else cell)
        if values.dtype.kind == "c" or values.size == 0:
            what = "an empty series" if values.size == 0 else "complex values"
            raise ValueError(
                f"{where} holds {what}; channels must be non-empty series of real "
                "numbers."
            )
        if values.dtype.kind not in "biuf":
            text = values.dtype.kind in "US" or any(
                isinstance(v, (str, bytes)) for v in values
            )
            try:
                if text:  # astype would parse "1"
                    raise TypeError
                values = values.astype(np.float64)
            except (TypeError, ValueError, OverflowError):
                raise ValueError(
                    f"{where} holds values of dtype {values.dtype}"
                    f"{' (text)' if text else ''}; channels must be real numbers "
                    "within float64's range."
                ) from None
        values = values.astype(np.float64)
        if np.isinf(values).any():
            raise ValueError(f"{where} holds inf; values must be finite.")
        channels.append(values)
    lengths = {len(c) for c in channels}
    if len(lengths) > 1:
        raise ValueError(
            f"df row {position} has channels of lengths {sorted(lengths)}; the "
            "channels of one series need one length."
        )
    row = np.stack(channels, axis=1)
    _check_nested_padding(row, df, position)
    return row


def _check_nested_padding(row, df, position):
    """NaN may only pad the end of a series, in every channel at once."""
    missing = np.isnan(row)
    lengths, inside = trailing_nan_lengths(missing[None])
    where = f"df row {position} (index {_show(df.index[position])}), column"
    if lengths[0] == 0:
        raise ValueError(
            f"{where} {_show(df.columns[0])} holds no values (all NaN); channels "
            "must be non-empty series of real numbers."
        )
    if inside is None:
        return
    time = inside[1]
    channel = int(np.flatnonzero(missing[time])[0])
    if missing[time:, channel].all():  # this channel ends early, others go on
        reason = (
            "where another channel has a value; NaN pads the end of a series "
            "in every channel at once"
        )
    else:
        reason = "before its last value; NaN may only pad the end of a series"
    raise ValueError(
        f"{where} {_show(df.columns[channel])} has NaN at time index {time}, "
        f"{reason}. Fill or interpolate missing values first."
    )
