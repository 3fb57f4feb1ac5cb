r"""Readers for the four UCR/UEA archive formats.

- ``.tsv``: UCR 2018, tab-separated, label first, trailing NaN padding;
- ``.txt``: UCR 2015, whitespace-separated, label first;
- ``.ts``: sktime/aeon, ``@`` header, ``@data``, channels separated by ``:``,
  label last, equal or unequal lengths;
- ``.arff``: Weka ARFF, univariate (one numeric attribute per time step) or
  UEA multivariate (a relational attribute, channels separated by ``\n``).

The format is recognised from the content; the suffix is only a hint. Every
error names the file and, where there is one, the line.
"""

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..utils import to_time_series_dataset, trailing_nan_lengths


def _labels(raw):
    """Labels as written; ints when every label is an integer number."""
    raw = [str(v).strip() for v in raw]
    try:
        as_float = np.array([float(v) for v in raw])
    except ValueError:
        return np.array(raw)
    if np.all(np.isfinite(as_float)) and np.all(as_float == np.round(as_float)):
        return as_float.astype(np.int64)
    return np.array(raw)


def _content_lines(text):
    """``(line_number, line)`` without blanks and ``#``/``%`` comments.

    Only spaces and line ends are stripped: a leading tab is an empty field.
    """
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip(" \r\n")
        if stripped.strip() and stripped.lstrip()[0] not in "#%":
            yield number, stripped


def _sniff(text, path):
    """Name the format of a file's content (its head): tsv, txt, ts or arff."""
    first = next(_content_lines(text), None)
    if first is None:
        raise ValueError(f"{path}: the file is empty; no series to read.")
    line = first[1].strip()
    if line.startswith("@"):
        keywords = {
            m.group(1).lower()
            for m in re.finditer(r"^\s*@(\w+)", text, flags=re.MULTILINE)
        }
        if keywords & {"relation", "attribute"}:
            return "arff"
        return "ts"
    if "\t" in line:
        return "tsv"
    tokens = line.split()
    if len(tokens) > 1:
        try:
            float(tokens[1])
            return "txt"
        except ValueError:
            pass
    raise ValueError(
        f"{path}: line {first[0]} matches none of the UCR/UEA formats (.tsv, .txt, "
        ".ts, .arff); check that this is an archive file."
    )


def _series_lengths(values, lines, path):
    """Return the lengths of label-first rows; NaN may only pad at the end."""
    lengths, inside = trailing_nan_lengths(np.isnan(values)[:, :, None])
    empty = np.flatnonzero(lengths == 0)
    if empty.size:
        raise ValueError(f"{path}: line {lines[empty[0]]} has a label but no values.")
    if inside is not None:
        row, col = inside
        raise ValueError(
            f"{path}: line {lines[row]} has a missing value (NaN) at time index "
            f"{col}, inside the series; only trailing NaN padding is supported. "
            "Impute missing values first."
        )
    return lengths


def _fields_per_line(raw, fmt):
    """Line numbers of the non-empty lines of ``raw`` and their field counts.

    Vectorised over the bytes (separator positions, then one binary search
    per line end), so that checking a large file costs little beside parsing.
    """
    data = np.frombuffer(raw, dtype=np.uint8)
    ends = np.flatnonzero(data == ord("\n"))
    if data.size and data[-1] != ord("\n"):
        ends = np.append(ends, data.size)
    starts = np.concatenate([[0], ends[:-1] + 1])
    if fmt == "tsv":
        marks = np.flatnonzero(data == ord("\t"))
        extra = 1
    else:  # a field starts where a non-blank byte follows a blank one
        blank = (data == ord(" ")) | (data == ord("\t")) | (data == ord("\r"))
        blank |= data == ord("\n")
        marks = np.flatnonzero(~blank & np.concatenate([[True], blank[:-1]]))
        extra = 0
    fields = np.diff(np.searchsorted(marks, np.concatenate([[0], ends]))) + extra
    length = ends - starts
    last = data[np.maximum(ends - 1, 0)] if data.size else np.zeros(0, np.uint8)
    empty = (length == 0) | ((length == 1) & (last == ord("\r")))
    keep = ~empty
    return np.flatnonzero(keep) + 1, fields[keep]


def _read_clean_numeric(path, fmt):
    """Fast path: every field a number, no NaN, integer labels; else None.

    A short row would show up as NaN, so a file without NaN has no ragged
    rows. Anything else goes through ``_read_label_first``, which checks
    each condition and names the offending line.
    """
    try:
        frame = pd.read_csv(
            path,
            sep="\t" if fmt == "tsv" else r"\s+",
            header=None,
            na_filter=False,  # "NaN" stays text: such a file takes the other path
        )
    except (ValueError, pd.errors.ParserError):
        return None
    if frame.shape[1] < 2 or any(
        k not in "fiu" for k in frame.dtypes.map(lambda dtype: dtype.kind)
    ):
        return None
    labels = frame.pop(0).to_numpy(dtype=np.float64)
    values = frame.to_numpy(dtype=np.float64)
    if not (np.isfinite(values).all() and np.isfinite(labels).all()):
        return None
    if not np.all(labels == np.round(labels)):
        return None  # labels as written: re-read them as text
    return np.ascontiguousarray(values), labels.astype(np.int64)


def _read_label_first(raw, path, fmt):
    """UCR 2018 ``.tsv`` or UCR 2015 ``.txt``: one series per line, label first."""
    lines, fields = _fields_per_line(raw, fmt)
    ragged = np.flatnonzero(fields != fields[0])
    if ragged.size:
        raise ValueError(
            f"{path}: line {lines[ragged[0]]} has a different number of fields than "
            f"line {lines[0]}; rows of unequal length must be padded with NaN."
        )
    if fields[0] < 2:
        raise ValueError(f"{path}: line {lines[0]} has a label but no values.")
    frame = pd.read_csv(
        path,
        sep="\t" if fmt == "tsv" else r"\s+",
        header=None,
        dtype={0: str},
        na_values=["NaN", "nan"],
        keep_default_na=False,
        skip_blank_lines=True,
    )
    labels = frame.pop(0)
    unlabelled = labels.isna() | (labels.str.strip() == "")
    if unlabelled.any():
        raise ValueError(
            f"{path}: line {lines[int(np.flatnonzero(unlabelled)[0])]} has no label."
        )
    bad = [c for c in frame.columns if frame[c].dtype.kind not in "fiu"]
    if bad:
        coerced = frame[bad].apply(pd.to_numeric, errors="coerce")
        row = int(np.flatnonzero((coerced.isna() & frame[bad].notna()).any(axis=1))[0])
        raise ValueError(
            f"{path}: line {lines[row]} has a value that is not a number; each row "
            "must be a label followed by numbers."
        )
    values = frame.to_numpy(dtype=np.float64)
    lengths = _series_lengths(values, lines, path)
    if np.all(lengths == values.shape[1]):
        return np.ascontiguousarray(values), _labels(labels)
    return values[:, : lengths.max(), None].copy(), _labels(labels)


def _parse_values(text, path, number, what):
    """Comma-separated numbers; ``?`` and NaN (missing values) are errors."""
    fields = [v.strip() for v in text.split(",")]
    try:
        values = np.array([np.nan if v == "?" else float(v) for v in fields])
    except ValueError:
        raise ValueError(
            f"{path}: line {number} has a value that is not a number in {what}."
        ) from None
    if np.isnan(values).any():
        raise ValueError(
            f"{path}: line {number} has a missing value ('?' or NaN) at time index "
            f"{int(np.flatnonzero(np.isnan(values))[0])} of {what}; softdtw_learn "
            "needs complete series. Impute missing values first."
        )
    return values


def _stack_channels(channels, path, number):
    """Channels of one series as ``(length, n_channels)``; equal lengths."""
    sizes = {c.size for c in channels}
    if len(sizes) > 1:
        raise ValueError(
            f"{path}: line {number} has channels of different lengths "
            f"{sorted(sizes)}; the channels of one series must be equally long."
        )
    return np.stack(channels, axis=1)


def _read_ts(text, path):
    """sktime/aeon ``.ts``: header, ``@data``, channels by ``:``, label last."""
    header = {}
    series, labels = [], []
    in_data = False
    dims = None
    for number, raw in _content_lines(text):
        line = raw.strip()
        if not in_data:
            if not line.startswith("@"):
                raise ValueError(
                    f"{path}: line {number} comes before @data but is not a header "
                    "line."
                )
            key, _, value = line[1:].partition(" ")
            header[key.lower()] = value.strip()
            in_data = key.lower() == "data"
            if header.get("timestamps", "false").lower() == "true":
                raise ValueError(
                    f"{path}: @timeStamps true is not supported; export the series "
                    "without timestamps."
                )
            continue
        class_label = header.get("classlabel", "false").lower().split()[:1]
        has_label = class_label == ["true"] or (
            header.get("targetlabel", "false").lower() == "true"
        )
        parts = line.split(":")
        if has_label:
            if len(parts) < 2 or not parts[-1].strip():
                raise ValueError(f"{path}: line {number} has no label.")
            labels.append(parts[-1].strip())
            parts = parts[:-1]
        if dims is None:
            dims = int(header.get("dimensions", len(parts)))
        if len(parts) != dims:
            raise ValueError(
                f"{path}: line {number} has {len(parts)} channels, expected {dims} "
                "(from @dimensions or the first series)."
            )
        channels = [
            _parse_values(part, path, number, f"channel {c}")
            for c, part in enumerate(parts)
        ]
        series.append(_stack_channels(channels, path, number))
    if not in_data:
        raise ValueError(f"{path}: no @data line; not a complete .ts file.")
    if header.get("equallength", "").lower() == "true":
        sizes = [s.shape[0] for s in series]
        if len(set(sizes)) > 1:
            raise ValueError(
                f"{path}: @equalLength true but series lengths range from "
                f"{min(sizes)} to {max(sizes)}."
            )
    return series, labels


def _read_arff(text, path):
    """Weka ARFF: univariate numeric attributes, or UEA relational multivariate."""
    relational = False
    depth = 0
    in_data = False
    series, labels = [], []
    for number, raw in _content_lines(text):
        line = raw.strip()
        if not in_data:
            lower = line.lower()
            if lower.startswith("@attribute") and lower.endswith("relational"):
                relational = True
                depth += 1
            elif lower.startswith("@end"):
                depth -= 1
            elif lower.startswith("@data"):
                in_data = True
            elif not lower.startswith(("@relation", "@attribute")):
                raise ValueError(
                    f"{path}: line {number} is neither an ARFF header line nor data."
                )
            continue
        body, sep, label = line.rpartition(",")
        if not sep or not label.strip():
            raise ValueError(f"{path}: line {number} has no label.")
        labels.append(label.strip().strip("'\""))
        if relational:
            body = body.strip().strip("'\"")
            channels = [
                _parse_values(part, path, number, f"channel {c}")
                for c, part in enumerate(body.split("\\n"))
            ]
            series.append(_stack_channels(channels, path, number))
        else:
            series.append(_parse_values(body, path, number, "the series")[:, None])
    if not in_data:
        raise ValueError(f"{path}: no @data line; not a complete ARFF file.")
    return series, labels


def read_ucr_file(path):
    """Read one UCR/UEA archive file in any of the four formats.

    Parameters
    ----------
    path : str or path-like
        A ``.tsv`` (UCR 2018), ``.txt`` (UCR 2015), ``.ts`` (sktime/aeon) or
        ``.arff`` (Weka/UEA) file. The format is recognised from the content.

    Returns
    -------
    X : ndarray of shape (n_series, n_timestamps) or (n_series, n_timestamps, \
n_channels)
        2-D for univariate series of equal length, 3-D otherwise; shorter
        series are padded with trailing NaN.
    y : ndarray of shape (n_series,) or None
        Labels as written in the file; ints when every label is an integer.
        None for a ``.ts`` file without labels.

    Raises
    ------
    ValueError
        For an empty or unrecognised file, ragged rows, a missing label,
        non-numeric or missing values, or inconsistent channels; the message
        names the file and the line.

    Examples
    --------
    >>> from softdtw_learn.datasets import bundled_path, read_ucr_file
    >>> X, y = read_ucr_file(bundled_path("ECG200", "TRAIN"))
    >>> X.shape, sorted(set(y.tolist()))
    ((100, 96), [-1, 1])
    """
    path = Path(path)
    not_text = ValueError(
        f"{path}: not a text file; expected a UCR/UEA .tsv, .txt, .ts or .arff file."
    )
    # The head decides the format (a header precedes any data).
    with path.open("rb") as stream:
        head = stream.read(1 << 20)
    if b"\0" in head:
        raise not_text
    fmt = _sniff(head.decode("utf-8", errors="ignore"), path)
    if fmt in ("tsv", "txt"):
        try:
            clean = _read_clean_numeric(path, fmt)
            return (
                clean
                if clean is not None
                else _read_label_first(path.read_bytes(), path, fmt)
            )
        except UnicodeDecodeError:
            raise not_text from None
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise not_text from None
    series, labels = (_read_ts if fmt == "ts" else _read_arff)(text, path)
    if not series:
        raise ValueError(f"{path}: no series after the header.")
    X = to_time_series_dataset(series)
    lengths = {s.shape[0] for s in series}
    if X.shape[2] == 1 and len(lengths) == 1:
        X = np.ascontiguousarray(X[:, :, 0])
    return X, (_labels(labels) if labels else None)
