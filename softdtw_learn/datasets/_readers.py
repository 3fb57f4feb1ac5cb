"""Readers for the UCR/UEA archive text formats.

- ``.tsv``: UCR 2018, tab-separated, label first, trailing NaN padding;
- ``.txt``: UCR 2015, whitespace-separated, label first.

The format is recognised from the content; the suffix is only a hint.
"""

from pathlib import Path

import numpy as np

from ..utils import to_time_series_dataset


def _labels(raw):
    """Labels as written; ints when every label is an integer number."""
    try:
        as_float = np.array([float(v) for v in raw])
    except ValueError:
        return np.array(raw, dtype=object).astype(str)
    if np.all(np.isfinite(as_float)) and np.all(as_float == np.round(as_float)):
        return as_float.astype(np.int64)
    return np.array(raw).astype(str)


def _read_label_first(lines, path, sep):
    """Rows of ``label value value ...`` (sep None means any whitespace)."""
    labels, series = [], []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        fields = line.rstrip("\n").split(sep) if sep else line.split()
        try:
            values = np.array([float(v) if v.strip() else np.nan for v in fields[1:]])
        except ValueError as exc:
            raise ValueError(
                f"{path}: line {number} has a value that is not a number ({exc}); "
                "each row must be a label followed by numbers."
            ) from None
        if values.size == 0:
            raise ValueError(f"{path}: line {number} has a label but no values.")
        labels.append(fields[0].strip())
        series.append(values)
    if not series:
        raise ValueError(f"{path}: no series found; the file is empty.")
    return series, labels


def _finish(series, labels, path):
    """Pad into one array; 2-D when univariate and every series is full width."""
    X = to_time_series_dataset(series)
    if X.shape[2] == 1:
        X = X[:, :, 0]
    return X, _labels(labels)


def read_ucr_file(path):
    """Read one UCR/UEA archive file.

    Parameters
    ----------
    path : str or path-like
        A ``.tsv`` (UCR 2018) or ``.txt`` (UCR 2015) file. The format is
        recognised from the content.

    Returns
    -------
    X : ndarray of shape (n_series, n_timestamps)
        Univariate series, trailing-NaN padded to a common width.
    y : ndarray of shape (n_series,)
        Labels as written in the file; ints when every label is an integer.

    Examples
    --------
    >>> from softdtw_learn.datasets import bundled_path, read_ucr_file
    >>> X, y = read_ucr_file(bundled_path("ECG200", "TRAIN"))
    >>> X.shape, sorted(set(y.tolist()))
    ((100, 96), [-1, 1])
    """
    path = Path(path)
    try:
        text = path.read_text()
    except UnicodeDecodeError:
        raise ValueError(
            f"{path} is not a text file; expected a UCR/UEA .tsv or .txt file."
        ) from None
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    sep = "\t" if "\t" in first else None
    series, labels = _read_label_first(lines, path, sep)
    return _finish(series, labels, path)
