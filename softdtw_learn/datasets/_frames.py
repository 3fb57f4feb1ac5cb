"""Conversions between padded arrays and long (tidy) pandas DataFrames."""

import numpy as np
import pandas as pd

from ..utils import check_dataset, to_time_series_dataset


def from_long_dataframe(df, *, id_col, time_col, value_cols):
    """Build a padded dataset from a long DataFrame (one row per time step).

    Parameters
    ----------
    df : pandas.DataFrame
        One row per (series, time step).
    id_col : str
        Column naming the series.
    time_col : str
        Column ordering the steps within a series.
    value_cols : str or list of str
        Column(s) holding the channel values.

    Returns
    -------
    X : ndarray of shape (n_series, n_timestamps) or (n_series, n_timestamps, \
n_channels)
        2-D for one value column and equal lengths, 3-D otherwise, with
        trailing NaN padding. Series are in sorted id order.
    ids : ndarray of shape (n_series,)
        The id of each row of ``X``.

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
    columns = [value_cols] if isinstance(value_cols, str) else list(value_cols)
    missing = [c for c in [id_col, time_col, *columns] if c not in df.columns]
    if missing:
        raise ValueError(
            f"df has no column(s) {missing}; its columns are {list(df.columns)}."
        )
    if df.duplicated([id_col, time_col]).any():
        first = df.index[df.duplicated([id_col, time_col])][0]
        raise ValueError(
            f"df has two rows for {id_col}={df.at[first, id_col]}, {time_col}="
            f"{df.at[first, time_col]}; each (series, time) pair must appear once."
        )
    ordered = df.sort_values([id_col, time_col], kind="stable")
    values = ordered[columns].to_numpy(dtype=np.float64)
    if not np.isfinite(values).all():
        raise ValueError(
            f"df has NaN or inf in {columns}; a long DataFrame lists only real "
            "time steps. Drop or impute missing values first."
        )
    ids, starts = np.unique(ordered[id_col].to_numpy(), return_index=True)
    series = np.split(values, starts[1:])
    X = to_time_series_dataset(series)
    if len(columns) == 1 and len({len(s) for s in series}) == 1:
        X = X[:, :, 0]
    return X, ids


def to_long_dataframe(X, *, ids=None, id_col="id", time_col="time", value_cols=None):
    """Turn a padded dataset into a long DataFrame, padding left out.

    Parameters
    ----------
    X : array-like of shape (n_series, n_timestamps) or (n_series, \
n_timestamps, n_channels), or list of series
        The dataset.
    ids : array-like of shape (n_series,), default=None
        Series ids; defaults to ``0 .. n_series - 1``.
    id_col, time_col : str, default="id", "time"
        Names of the id and time columns.
    value_cols : list of str, default=None
        Names of the channel columns; defaults to ``value`` for one channel,
        else ``value_0, value_1, ...``.

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
    ids = np.arange(n_series) if ids is None else np.asarray(ids)
    if ids.shape != (n_series,):
        raise ValueError(f"ids must have shape ({n_series},), got {ids.shape}.")
    if value_cols is None:
        value_cols = (
            ["value"] if n_channels == 1 else [f"value_{c}" for c in range(n_channels)]
        )
    if len(value_cols) != n_channels:
        raise ValueError(
            f"value_cols names {len(value_cols)} columns for {n_channels} channels."
        )
    keep = np.arange(data.shape[1])[None, :] < lengths[:, None]
    series_index, time_index = np.nonzero(keep)
    frame = pd.DataFrame({id_col: ids[series_index], time_col: time_index})
    for c, name in enumerate(value_cols):
        frame[name] = data[series_index, time_index, c]
    return frame
