r"""Readers for the four UCR/UEA archive formats.

- ``.tsv``: UCR 2018, tab-separated, label first, trailing NaN padding;
- ``.txt``: UCR 2015, whitespace-separated, label first;
- ``.ts``: sktime/aeon, ``@`` header, ``@data``, channels separated by ``:``,
  label last, equal or unequal lengths, ``?`` for a missing value;
- ``.arff``: Weka ARFF, univariate (one numeric attribute per time step) or
  UEA multivariate (a relational attribute, channels separated by ``\n``).

The format is recognised from the content; the suffix is only a hint. Each
file is checked against its own header and grammar, and every error names
the file and, where there is one, the line.
"""

import csv
import io
import itertools
import re
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from ..utils import trailing_nan_lengths

# Missing-value tokens: NaN in every format, "?" in .ts and .arff.
_NAN_TOKENS = ("NaN", "nan")
_MISSING_TOKENS = ("?", "NaN", "nan")
# A number as pandas' C parser reads one (used to find a value it rejected):
# ASCII digits only, as the C parser (Python's float() takes any script's).
_DIGITS = "[0-9]"
_NUMBER_CORE = (
    rf"[+-]?(?:(?:{_DIGITS}+\.?{_DIGITS}*|\.{_DIGITS}+)(?:[eE][+-]?{_DIGITS}+)?"
    r"|(?i:inf(?:inity)?))"
)
_NUMBER = re.compile(rf" *{_NUMBER_CORE} *")
_CANONICAL_INT = re.compile(r"-?[1-9][0-9]*|0")
_FLOAT_INT = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?")
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
_SPACES_AROUND_BREAKS = re.compile(" *\n *")

# ------------------------------------------------------------------ labels


def _label_as_int(text, float_notation):
    """Return the int64 that ``text`` writes exactly, or None.

    ``text`` must be the canonical decimal of the integer (optional ``-``, no
    leading zero, not ``-0``); with ``float_notation``, also a number with a
    fraction or an exponent whose value is exactly that integer (``1.0``,
    ``1.0000000e+00``), as numpy and MATLAB write labels in label-first files.
    """
    if len(text) > 40:  # beyond int64 whatever it says
        return None
    if _CANONICAL_INT.fullmatch(text):
        value = int(text)
    elif float_notation and _FLOAT_INT.fullmatch(text):
        number = Decimal(text)
        if number.adjusted() > 18 or number != number.to_integral_value():
            return None
        value = int(number)
        if value == 0 and text.startswith("-"):
            return None  # -0.0 is not how 0 is written, as -0 is not
    else:
        return None
    return value if _INT64_MIN <= value <= _INT64_MAX else None


def _labels(texts, float_notation=False):
    """Labels as written: int64 when every text writes an integer exactly, else str.

    Distinct texts always stay distinct: when two of them write one integer
    (``1`` and ``1.0``), every label stays a str.
    """
    texts = np.array(texts, dtype=str)
    uniques, codes = np.unique(texts, return_inverse=True)
    ints = [_label_as_int(str(u), float_notation) for u in uniques]
    if None in ints or len(set(ints)) != len(ints):
        return texts
    return np.array(ints, dtype=np.int64)[codes]


def _targets(texts, lines, path, what):
    """Numeric targets (regression) as float64; each must be a finite number."""
    for text, line in zip(texts, lines, strict=True):
        if not _NUMBER.fullmatch(text) or np.isinf(float(text)):
            raise ValueError(
                f"{path}: line {line} has target {text!r}; {what} declares numeric "
                "targets, which must be finite numbers."
            )
    return np.array([float(t) for t in texts])


def _unquote(text):
    """``text`` without one pair of surrounding ARFF quotes."""
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


# ------------------------------------------------------------ file access


def _line_of(text, offset):
    """1-based number of the line that holds character ``offset`` of ``text``."""
    return text.count("\n", 0, offset) + 1


def _read_text(path):
    r"""Read a file's bytes and text: UTF-8, without a BOM, ``\r\n`` made ``\n``."""
    if "\0" in str(path):  # os calls refuse it with no file name
        raise ValueError(f"{str(path)!r}: a path cannot hold a NUL character.")
    if path.is_dir():
        raise ValueError(
            f"{path}: is a directory, not a file; pass one of the dataset's files "
            "(e.g. NAME_TRAIN.tsv)."
        )
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ValueError(f"{path}: no such file.") from None
    except OSError as exc:
        raise ValueError(f"{path}: cannot be read ({exc.strerror or exc}).") from None
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise ValueError(f"{path}: is UTF-16 text; save it as UTF-8.")
    if b"\0" in data:
        raise ValueError(
            f"{path}: not a text file (it holds NUL bytes); expected a UCR/UEA "
            ".tsv, .txt, .ts or .arff file."
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ValueError(
            f"{path}: line {line} is not UTF-8 text (byte 0x{data[exc.start]:02x}); "
            "save the file as UTF-8."
        ) from None
    if text.startswith("\ufeff"):
        text, data = text[1:], data[3:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").removesuffix("\r")
        data = data.replace(b"\r\n", b"\n").removesuffix(b"\r")
        stray = text.find("\r")
        if stray >= 0:
            raise ValueError(
                f"{path}: line {_line_of(text, stray)} holds a carriage return (\\r) "
                "that does not end a line; use \\n or \\r\\n line ends."
            )
    if not text or text.isspace():
        raise ValueError(f"{path}: the file is empty; no series to read.")
    return data, text


def _iter_lines(text):
    """Yield the lines of ``text`` one at a time."""
    start = 0
    while start <= len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        yield text[start:end]
        start = end + 1


def _content_lines(lines, comments):
    """``(line_number, stripped_line)`` for lines neither blank nor comments."""
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped and stripped[0] not in comments:
            yield number, stripped


def _sniff(text, path):
    """Name the format of a file's content: tsv, txt, ts or arff."""
    head = _content_lines(_iter_lines(text), "#%")
    first = next(head, None)
    if first is None:
        raise ValueError(
            f"{path}: the file is empty (only blank lines and comments); no series "
            "to read."
        )
    number, line = first
    if line.startswith("@"):
        for _, header in itertools.chain([first], head):  # the header lines only
            keyword = header.split(None, 1)[0].lower()
            if keyword in ("@relation", "@attribute"):
                return "arff"
            if keyword == "@data" or not header.startswith("@"):
                break
        return "ts"
    suffix = path.suffix.lower()
    if "\t" in line:
        # Spaces and tabs mixed ("1 1.5<tab>2.5", not the label "walk
        # fast"): whitespace-separated in a .txt file.
        mixed = _numbers_only(line.split("\t", 1)[0])
        return "txt" if mixed and suffix == ".txt" else "tsv"
    tokens = line.split()
    if len(tokens) > 1 and (_NUMBER.fullmatch(tokens[1]) or tokens[1] in _NAN_TOKENS):
        return "txt"
    cells = line.split(",")
    if len(cells) > 1 and _NUMBER.fullmatch(cells[1]):
        raise ValueError(
            f"{path}: line {number} is comma-separated, which is not a UCR/UEA "
            "format; write one series per line, label first, tab-separated (.tsv)."
        )
    if len(tokens) == 1 and suffix in (".tsv", ".txt"):  # a label and no values?
        return suffix[1:]  # the suffix decides what the content cannot
    raise ValueError(
        f"{path}: line {number} matches none of the UCR/UEA formats (.tsv, .txt, "
        ".ts, .arff); check that this is an archive file."
    )


# ------------------------------------------------------------ values, shape


def _bad_token(token, missing):
    """Words for why ``token`` is not a value, or None when it is one."""
    if token.strip(" ") in missing or _NUMBER.fullmatch(token):
        return None
    if not token.strip():
        return "an empty value"
    # ascii(): invisible and look-alike characters (a no-break space, digits
    # of other scripts) shown escaped.
    return f"a value that is not a number ({ascii(token.strip(' '))})"


def _position(time, channel, n_channels):
    """Words for a place in a series: the time index, and the channel if several."""
    if n_channels > 1:
        return f"time index {time} of channel {channel}"
    return f"time index {time}"


def _infinite_error(path, line, where):
    return ValueError(
        f"{path}: line {line} has an infinite value (inf, or a number beyond the "
        f"float64 range such as 2e308) at {where}; soft-DTW needs finite values."
    )


def _shaped(X, lines, path, missing):
    """Check the padding of a (n, width, d) dataset and return it as read.

    Trailing missing values (in every channel) pad a shorter series; one
    before a series' end is an error naming the line. Univariate series of
    equal length come back 2-D.
    """
    lengths, inside = trailing_nan_lengths(np.isnan(X))
    empty = np.flatnonzero(lengths == 0)
    if empty.size:
        raise ValueError(
            f"{path}: line {lines[empty[0]]} has no values (every value is "
            "missing); each series needs at least one."
        )
    if inside is not None:
        row, time = inside
        raise ValueError(
            f"{path}: line {lines[row]} has a missing value ({missing}) at time "
            f"index {time}, inside the series; only trailing missing values are "
            "read, as the padding of a shorter series. Impute missing values first."
        )
    width = int(lengths.max())
    if X.shape[2] == 1 and np.all(lengths == width):
        return np.ascontiguousarray(X[:, :width, 0])
    return np.ascontiguousarray(X[:, :width])


class _Series:
    """Series collected line by line as text, parsed in one pass at the end.

    Each series is ``n_channels`` comma-separated strings of equal length
    (counting missing values), stored channel after channel.
    """

    def __init__(self, path, missing):
        self.path, self.missing = path, missing
        self.pieces, self.lines, self.lengths = [], [], []
        self.n_channels = None

    def add(self, line, channels):
        self.pieces.extend(channels)
        self.lines.append(line)
        self.lengths.append(channels[0].count(",") + 1)

    def values(self, hint=""):
        """All values as one flat float64 array; the error names a bad one."""
        lengths = np.array(self.lengths, dtype=np.int64)
        expected = int(lengths.sum()) * self.n_channels
        joined = "\n".join(self.pieces).replace(",", "\n")
        if " " in joined:  # " ? " is missing as "?" is, " 1 " a number as "1"
            joined = _SPACES_AROUND_BREAKS.sub("\n", joined).strip(" ")
        try:
            flat = pd.read_csv(
                io.StringIO(joined),
                sep=",",  # no comma is left: one value per line
                header=None,
                names=[0],
                index_col=False,
                dtype=np.float64,
                na_values=list(self.missing),
                keep_default_na=False,
                quoting=csv.QUOTE_NONE,
                skip_blank_lines=False,
            )[0].to_numpy(dtype=np.float64)
        except (ValueError, pd.errors.ParserError) as exc:
            raise self._locate(str(exc).splitlines()[0], hint) from None
        if flat.size != expected:  # a guard: every piece should give its values
            raise self._locate("values went missing", hint)
        self.offsets = np.concatenate([[0], np.cumsum(lengths * self.n_channels)])
        infinite = np.flatnonzero(np.isinf(flat))
        if infinite.size:
            series, channel, time = self.where(infinite[0])
            raise _infinite_error(
                self.path,
                self.lines[series],
                _position(time, channel, self.n_channels),
            )
        return flat

    def where(self, flat_index):
        """``(series, channel, time)`` of an index into the flat values."""
        series = int(np.searchsorted(self.offsets, flat_index, side="right") - 1)
        within = int(flat_index - self.offsets[series])
        channel, time = divmod(within, self.lengths[series])
        return series, channel, time

    def _locate(self, detail, hint):
        d = self.n_channels
        for k, piece in enumerate(self.pieces):
            for time, token in enumerate(piece.split(",")):
                reason = _bad_token(token, self.missing)
                if reason:
                    last = hint if k % d == d - 1 else ""
                    return ValueError(
                        f"{self.path}: line {self.lines[k // d]} has {reason} at "
                        f"{_position(time, k % d, d)}.{last}"
                    )
        return ValueError(f"{self.path}: a value is not a number ({detail}).")

    def dataset(self, flat):
        """Arrange the values as (n_series, width, n_channels), NaN-padded."""
        lengths = np.array(self.lengths, dtype=np.int64)
        n, d, width = len(lengths), self.n_channels, int(lengths.max())
        if np.all(lengths == width):
            return flat.reshape(n, d, width).transpose(0, 2, 1)
        X = np.full((n, width, d), np.nan)
        for k, length in enumerate(self.lengths):
            start = self.offsets[k]
            X[k, :length] = flat[start : start + length * d].reshape(d, length).T
        return X


# ------------------------------------------------------- label-first formats


class _Lines:
    """Where the lines of a byte buffer start and end, found with numpy."""

    def __init__(self, data, blanks):
        self.bytes = b = np.frombuffer(data, dtype=np.uint8)
        ends = np.flatnonzero(b == ord("\n"))
        if b.size and b[-1] != ord("\n"):
            ends = np.append(ends, b.size)
        self.ends = ends
        self.starts = np.concatenate([[0], ends[:-1] + 1]).astype(np.int64)
        # A line is skipped when empty, blank or a comment. Only lines that
        # start with a blank need a look for their first other byte.
        empty = ends == self.starts
        first = b[np.minimum(self.starts, max(b.size - 1, 0))].copy()
        blank = np.frombuffer(blanks, dtype=np.uint8)
        nonblank = re.compile(rb"[^" + re.escape(blanks) + rb"]")
        for k in np.flatnonzero(~empty & np.isin(first, blank)).tolist():
            found = nonblank.search(data, self.starts[k], self.ends[k])
            first[k] = data[found.start()] if found else ord("\n")
        self.content = ~empty & (first != ord("#")) & (first != ord("\n"))
        # Whitespace-only or comment lines: pandas must not see them (empty
        # lines it skips itself).
        self.skipped = bool(np.any(~self.content & ~empty))
        self.numbers = np.flatnonzero(self.content) + 1

    def line_of(self, offsets):
        """1-based numbers of the lines that hold byte ``offsets``."""
        return np.searchsorted(self.ends, offsets) + 1

    def in_content(self, positions):
        """Keep the byte ``positions`` that lie in content lines."""
        return positions[self.content[self.line_of(positions) - 1]]

    def per_line(self, positions):
        """How many of the sorted byte ``positions`` each content line holds."""
        starts, ends = self.starts[self.content], self.ends[self.content]
        return np.searchsorted(positions, ends) - np.searchsorted(positions, starts)

    def content_bytes(self, data):
        """Join the content lines into one buffer."""
        spans = zip(self.starts[self.content], self.ends[self.content], strict=True)
        return b"\n".join(data[start:end] for start, end in spans)

    def text(self, data, k):
        """Content line ``k`` (0-based among content lines) as text."""
        start = self.starts[self.content][k]
        return data[start : self.ends[self.content][k]].decode("utf-8")


def _check_tabs(lines, tabs, path):
    r"""Reject empty tab-separated fields: no label, ``\t\t``, a trailing tab."""
    b = lines.bytes
    if not tabs.size:
        return
    at_end = (tabs + 1 == b.size) | (b[np.minimum(tabs + 1, b.size - 1)] == ord("\n"))
    empty = at_end | np.append(np.diff(tabs) == 1, False)
    leading = (tabs == 0) | (b[tabs - 1] == ord("\n"))
    if not (empty.any() or leading.any()):
        return
    lead = lines.in_content(tabs[leading])
    empty = lines.in_content(tabs[empty])
    if not (lead.size or empty.size):
        return  # only in comment lines
    if lead.size and (not empty.size or lead[0] < empty[0]):
        line = int(lines.line_of(lead[0]))
        raise ValueError(f"{path}: line {line} has no label (it starts with a tab).")
    position = int(empty[0])
    line = int(lines.line_of(position))
    before = np.searchsorted(tabs, position) - np.searchsorted(
        tabs, lines.starts[line - 1]
    )
    if position + 1 == b.size or b[position + 1] == ord("\n"):
        raise ValueError(
            f"{path}: line {line} has an empty field at the end (a trailing tab "
            f"after field {before + 1}); remove the tab, or write NaN for a "
            "missing value."
        )
    raise ValueError(
        f"{path}: line {line} has an empty field after field {before + 1} (two "
        "tabs in a row); write NaN for a missing value."
    )


def _check_fields(lines, marks, extra, path):
    """Every content line has the same number (at least 2) of fields; return it.

    A line has ``extra`` fields more than ``marks`` (sorted byte positions):
    the tabs of a ``.tsv`` (``extra=1``), the first byte of each field of a
    ``.txt`` (``extra=0``).
    """
    fields = lines.per_line(marks) + extra
    numbers = lines.numbers
    ragged = np.flatnonzero(fields != fields[0])
    if ragged.size:
        k = ragged[0]
        raise ValueError(
            f"{path}: line {numbers[k]} has a different number of fields "
            f"({fields[k]}) than line {numbers[0]} ({fields[0]}); every line holds "
            "a label and the same number of values (pad shorter series with NaN)."
        )
    if fields[0] < 2:
        raise ValueError(f"{path}: line {numbers[0]} has a label but no values.")
    return int(fields[0])


def _field_starts(lines):
    """Byte positions where a whitespace-separated field starts."""
    b = lines.bytes
    blank = (b == ord(" ")) | (b == ord("\t")) | (b == ord("\n")) | (b == ord("\f"))
    return np.flatnonzero(~blank & np.insert(blank[:-1], 0, True))


def _numeric_columns(frame, numbers, path):
    """Value columns as float64; the error names the first value not a number.

    pandas infers each column; one that is not numeric holds text, or an
    integer beyond int64 (read as Python ints), which is still a number.
    """
    bad = []  # (row, column, text) of the first non-number of each column
    odd = [
        c
        for c, dtype in zip(frame.columns, frame.dtypes, strict=True)
        if dtype.kind not in "fiu"
    ]
    for column in odd:
        values = frame[column]
        texts = values.astype(str)
        # "nan " is missing as "nan" is ("1 " is a number as "1" is)
        missing = (values.isna() | texts.str.strip(" ").isin(_NAN_TOKENS)).to_numpy()
        wrong = ~missing & ~texts.str.fullmatch(_NUMBER.pattern).to_numpy(bool)
        if wrong.any():
            row = int(np.argmax(wrong))
            bad.append((row, column, texts.iloc[row]))
        else:
            floats = [
                np.nan if m else float(t) for m, t in zip(missing, texts, strict=True)
            ]
            frame[column] = np.array(floats)
    if bad:
        row, column, text = min(bad)
        reason = _bad_token(text, _NAN_TOKENS)
        raise ValueError(
            f"{path}: line {numbers[row]} has {reason} at time index {column - 1}; "
            "each line holds a label and then numbers (NaN pads)."
        )
    return frame.to_numpy(dtype=np.float64)


def _numbers_only(text):
    """Whether ``text`` is two numbers or more (or missing values) and blanks."""
    parts = text.split()
    return len(parts) > 1 and all(
        _NUMBER.fullmatch(p) or p in _MISSING_TOKENS for p in parts
    )


def _read_label_first(data, path, fmt):
    """UCR 2018 ``.tsv`` or UCR 2015 ``.txt``: one series per line, label first."""
    lines = _Lines(data, b" \t" if fmt == "tsv" else b" \t\f")
    if fmt == "tsv":
        tabs = np.flatnonzero(lines.bytes == ord("\t"))
        _check_tabs(lines, tabs, path)
        n_fields = _check_fields(lines, tabs, 1, path)
    else:
        n_fields = _check_fields(lines, _field_starts(lines), 0, path)
    try:
        frame = pd.read_csv(
            io.BytesIO(lines.content_bytes(data) if lines.skipped else data),
            sep="\t" if fmt == "tsv" else r"\s+",
            header=None,
            names=list(range(n_fields)),
            index_col=False,
            dtype={0: object},  # the labels as written
            na_values=list(_NAN_TOKENS),
            keep_default_na=False,
            quoting=csv.QUOTE_NONE,
            engine="c",
            low_memory=False,  # one pass: no mixed-type chunks, no DtypeWarning
        )
    except (ValueError, pd.errors.ParserError) as exc:  # a guard
        raise ValueError(f"{path}: cannot be parsed ({exc}).") from None
    numbers = lines.numbers
    if len(frame) != numbers.size:  # a guard: the checks above rule this out
        raise ValueError(f"{path}: could not match the file's lines to its rows.")
    labels = [
        # a label written NaN was read as missing: take its text from the line
        lines.text(data, k).split(None, 1)[0] if pd.isna(label) else label.strip()
        for k, label in enumerate(frame.pop(0).tolist())
    ]
    if not all(labels):
        raise ValueError(f"{path}: line {numbers[labels.index('')]} has no label.")
    if fmt == "tsv":  # "walk fast" is a label; "1 1.5" a label and a value
        mixed = next((k for k, t in enumerate(labels) if _numbers_only(t)), None)
        if mixed is not None:
            raise ValueError(
                f"{path}: line {numbers[mixed]}: the label field "
                f"{ascii(labels[mixed])} is numbers separated by blanks, but the "
                "file's first line separates its fields by tabs only, as a .tsv "
                "file does; use one separator throughout (tabs, or in a .txt "
                "file any blanks)."
            )
    values = _numeric_columns(frame, numbers, path)
    infinite = np.isinf(values)
    if infinite.any():
        row, time = np.argwhere(infinite)[0]
        raise _infinite_error(path, numbers[row], f"time index {time}")
    X = _shaped(values[:, :, None], numbers, path, "NaN")
    return X, _labels(labels, float_notation=True)


# ------------------------------------------------------------------- .ts

_TS_NAMES = {  # lower case -> as the archive spells it
    "problemname": "@problemName",
    "timestamps": "@timeStamps",
    "missing": "@missing",
    "univariate": "@univariate",
    "dimensions": "@dimensions",
    "equallength": "@equalLength",
    "serieslength": "@seriesLength",
    "classlabel": "@classLabel",
    "targetlabel": "@targetLabel",
}
_TS_BOOLEAN = ("timestamps", "missing", "univariate", "equallength", "targetlabel")


def _ts_value(key, value, number, path):
    """Check the value of one ``.ts`` header line against its key; return it."""
    name = _TS_NAMES[key]
    if key in _TS_BOOLEAN:
        if value.lower() not in ("true", "false"):
            raise ValueError(
                f"{path}: line {number}: {name} must be true or false, got {value!r}."
            )
        return value.lower() == "true"
    if key in ("dimensions", "serieslength"):
        if not (value.isascii() and value.isdigit() and int(value) > 0):
            raise ValueError(
                f"{path}: line {number}: {name} must be a positive integer, got "
                f"{value!r}."
            )
        return int(value)
    if key == "classlabel":
        flag, *labels = value.split() or [""]
        if flag.lower() == "true" and labels:
            return labels
        if flag.lower() == "false" and not labels:
            return None
        raise ValueError(
            f"{path}: line {number}: {name} must be 'true' followed by the class "
            f"labels, or 'false'; got {value!r}."
        )
    return value  # problemName: any text


def _ts_header(rows, path):
    """Header of a ``.ts`` file up to ``@data``: {key: (value, line)}."""
    header = {}
    for number, line in rows:
        if not line.startswith("@"):
            raise ValueError(
                f"{path}: line {number} comes before @data but is not a header line "
                "(@name value)."
            )
        written, value = (line[1:].split(None, 1) + ["", ""])[:2]
        key, value = written.lower(), value.strip()
        key = "dimensions" if key == "dimension" else key  # the spec's spelling
        if key == "data":
            if value:
                raise ValueError(f"{path}: line {number}: @data takes no value.")
            return header, number
        if key not in _TS_NAMES:
            raise ValueError(
                f"{path}: line {number} has the unknown header @{written}; a .ts "
                f"header knows {', '.join(_TS_NAMES.values())} and @data."
            )
        if key in header:
            raise ValueError(
                f"{path}: line {number} repeats {_TS_NAMES[key]} (first on line "
                f"{header[key][1]})."
            )
        header[key] = (_ts_value(key, value, number, path), number)
    raise ValueError(f"{path}: no @data line; not a complete .ts file.")


def _ts_check_header(header, path):
    """Reject a ``.ts`` header that contradicts itself or is unsupported."""

    def line(key):
        return header[key][1]

    def value(key, default=None):
        return header[key][0] if key in header else default

    if value("timestamps"):
        raise ValueError(
            f"{path}: line {line('timestamps')}: @timeStamps true is not supported; "
            "export the series without timestamps."
        )
    if value("classlabel") and value("targetlabel"):
        raise ValueError(
            f"{path}: lines {line('classlabel')} and {line('targetlabel')}: "
            "@classLabel true and @targetLabel true contradict each other; a .ts "
            "file holds class labels or regression targets."
        )
    if value("univariate") and value("dimensions", 1) > 1:
        raise ValueError(
            f"{path}: lines {line('univariate')} and {line('dimensions')}: "
            f"@univariate true contradicts @dimensions {value('dimensions')}."
        )
    if value("equallength") is False and "serieslength" in header:
        raise ValueError(
            f"{path}: lines {line('equallength')} and {line('serieslength')}: "
            "@seriesLength is only for @equalLength true; remove one of them."
        )


def _ts_check_lengths(series, header, path):
    """Lengths as written (counting ``?``) against @seriesLength/@equalLength."""
    lengths = np.array(series.lengths)
    if "serieslength" in header:
        expected, where = header["serieslength"]
        rule = f"@seriesLength on line {where} says {expected}"
    elif header.get("equallength", (False,))[0]:
        expected = lengths[0]
        rule = (
            f"line {series.lines[0]} has {expected} and @equalLength true on line "
            f"{header['equallength'][1]} says all series are equally long"
        )
    else:
        return
    wrong = np.flatnonzero(lengths != expected)
    if wrong.size:
        k = wrong[0]
        raise ValueError(
            f"{path}: line {series.lines[k]} has a series of {lengths[k]} values "
            f"(per channel, '?' included), but {rule}."
        )


def _reject_header_after_data(line, number, data_line, path):
    """Reject a header line among the data lines of a ``.ts`` or ``.arff`` file."""
    if line.startswith("@"):
        raise ValueError(
            f"{path}: line {number} is a header line after @data (line "
            f"{data_line}); move it above @data."
        )


def _shown_label(label, width=40):
    """``label`` quoted for a message, cut to ``width`` characters."""
    return repr(label) if len(label) <= width else repr(label[: width - 3] + "...")


def _read_ts(text, path):
    """sktime/aeon ``.ts``: header, ``@data``, channels by ``:``, label last."""
    rows = _content_lines(_iter_lines(text), "#%")
    header, data_line = _ts_header(rows, path)
    _ts_check_header(header, path)
    classes = header.get("classlabel", (None,))[0]
    target = header.get("targetlabel", (False,))[0]
    if "dimensions" in header:
        dims, source = header["dimensions"]
        source = f"@dimensions on line {source}"
    elif header.get("univariate", (False,))[0]:
        dims, source = 1, f"@univariate true on line {header['univariate'][1]}"
    else:
        dims = source = None
    declared = set(classes or ())
    hint = (
        ""
        if classes or target
        else " If the last field is a class label, declare it: @classLabel true "
        "<labels>."
    )
    series = _Series(path, _MISSING_TOKENS)
    labels = []
    for number, line in rows:
        _reject_header_after_data(line, number, data_line, path)
        if classes or target:
            line, colon, label = line.rpartition(":")
            label = label.strip()
            if not colon or not label:
                raise ValueError(
                    f"{path}: line {number} has no label (the header declares "
                    "one after the last ':')."
                )
            if classes and label not in declared:
                shown = " ".join(classes[:20]) + (" ..." if len(classes) > 20 else "")
                cut = (
                    ""
                    if "," not in label
                    else " A label of several values: is the line cut short, "
                    "its label missing?"
                )
                raise ValueError(
                    f"{path}: line {number} has class label {_shown_label(label)}, "
                    f"which @classLabel on line {header['classlabel'][1]} does not "
                    f"declare (declared: {shown}).{cut}"
                )
            labels.append(label)
        channels = line.split(":")
        if dims is None:
            dims, source = len(channels), f"the first series on line {number}"
        if len(channels) != dims:
            raise ValueError(
                f"{path}: line {number} has {len(channels)} channels, expected "
                f"{dims} (from {source}).{hint}"
            )
        counts = {channel.count(",") + 1 for channel in channels}
        if len(counts) > 1:
            raise ValueError(
                f"{path}: line {number} has channels of different lengths "
                f"{sorted(counts)}; the channels of one series must be equally long "
                f"(pad with '?').{hint}"
            )
        series.add(number, channels)
    if not series.lines:
        raise ValueError(f"{path}: no series after @data (line {data_line}).")
    series.n_channels = dims
    _ts_check_lengths(series, header, path)
    flat = series.values(hint)
    if header.get("missing", (True,))[0] is False:
        missing = np.flatnonzero(np.isnan(flat))
        if missing.size:
            k, channel, time = series.where(missing[0])
            raise ValueError(
                f"{path}: line {series.lines[k]} has a missing value ('?' or NaN) "
                f"at {_position(time, channel, dims)}, but @missing false (line "
                f"{header['missing'][1]}) says there are none."
            )
    X = _shaped(series.dataset(flat), series.lines, path, "'?' or NaN")
    if target:
        return X, _targets(labels, series.lines, path, "@targetLabel true")
    return X, (_labels(labels) if classes else None)


# ------------------------------------------------------------------ .arff

_ARFF_ATTRIBUTE = re.compile(
    r"@attribute\s+('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|[^\s{]+)\s*(.*)", re.I
)
_ARFF_FIELD = re.compile(r"\s*('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|[^,'\"]*)\s*")


def _arff_split(text, path, number):
    """Comma-separated ARFF fields, quotes respected and removed."""
    fields, position = [], 0
    while True:
        match = _ARFF_FIELD.match(text, position)
        position = match.end()
        fields.append(_unquote(match.group(1).strip()))
        if position == len(text):
            return fields
        if text[position] != ",":
            raise ValueError(
                f"{path}: line {number} has an unclosed quote, or text after a "
                "quoted value before the next comma."
            )
        position += 1


def _arff_type(spec, number, path):
    """``(kind, nominal_values)`` of an attribute's type."""
    lower = spec.lower()
    if lower in ("numeric", "real", "integer"):
        return "numeric", None
    if lower in ("string", "relational"):
        return lower, None
    if spec.startswith("{") and spec.endswith("}"):
        return "nominal", [v for v in _arff_split(spec[1:-1], path, number) if v]
    raise ValueError(
        f"{path}: line {number}: attribute type {spec!r} is not supported; use "
        "numeric (the series), {a,b,...} or string (the class), or relational."
    )


def _arff_header(rows, path):
    """Top-level attributes and the relational block's inner attributes."""
    top, inner, block, relation = [], [], None, False
    for number, line in rows:
        keyword = line.split(None, 1)[0].lower()
        if not line.startswith("@"):
            raise ValueError(
                f"{path}: line {number} is neither an ARFF header line nor data "
                "(ARFF comments start with %)."
            )
        if not relation and keyword != "@relation":
            raise ValueError(
                f"{path}: line {number}: an ARFF header starts with @relation <name>."
            )
        if keyword == "@relation":
            if relation:
                raise ValueError(f"{path}: line {number} repeats @relation.")
            relation = True
        elif keyword == "@attribute":
            match = _ARFF_ATTRIBUTE.fullmatch(line)
            if match is None or not match.group(2):
                raise ValueError(
                    f"{path}: line {number}: expected @attribute <name> <type>."
                )
            name = _unquote(match.group(1))
            kind, values = _arff_type(match.group(2).strip(), number, path)
            if block is not None:
                if kind != "numeric":
                    raise ValueError(
                        f"{path}: line {number}: attribute {name!r} inside the "
                        f"relational attribute {block!r} must be numeric (is "
                        f"'@end {block}' missing before it?)."
                    )
                inner.append(name)
                continue
            top.append((name, kind, values, number))
            if kind == "relational":
                block = name
        elif keyword == "@end":
            if block is None or _unquote(line.split(None, 1)[-1].strip()) != block:
                raise ValueError(
                    f"{path}: line {number}: @end does not close a relational "
                    f"attribute{f' (open: {block!r})' if block else ''}."
                )
            block = None
        elif keyword == "@data":
            if block is not None:
                raise ValueError(
                    f"{path}: line {number}: the relational attribute {block!r} "
                    "is not closed with @end before @data."
                )
            return top, inner, number
        else:
            raise ValueError(
                f"{path}: line {number} has the unknown header {keyword}; an ARFF "
                "header knows @relation, @attribute, @end and @data."
            )
    raise ValueError(f"{path}: no @data line; not a complete ARFF file.")


def _arff_layout(top, inner, path):
    """Check the attributes form a UCR/UEA layout; return (relational, n_values)."""
    if not top:
        raise ValueError(f"{path}: the header declares no @attribute.")
    relational = [a for a in top if a[1] == "relational"]
    if relational:
        if len(top) != 2 or top[0][1] != "relational" or not inner:
            raise ValueError(
                f"{path}: line {relational[0][3]}: a UEA multivariate ARFF has one "
                "relational attribute of numeric attributes (one per time step), "
                "then the class."
            )
        return True, len(inner)
    if len(top) < 2:
        raise ValueError(
            f"{path}: line {top[0][3]}: the header needs numeric attributes (one per "
            "time step) and then the class."
        )
    for name, kind, _, number in top[:-1]:
        if kind != "numeric":
            raise ValueError(
                f"{path}: line {number}: attribute {name!r} is {kind}; every "
                "attribute but the last (the class) is a time step and must be "
                "numeric."
            )
    return False, len(top) - 1


def _arff_row(line, number, path, n_fields):
    """``(body, label)`` of a univariate row; quotes only around values."""
    quotes = [q for q in (line.find("'"), line.find('"')) if q >= 0]
    cut = line.rfind(",", 0, min(quotes)) if quotes else -2
    if cut == -2:  # no quotes
        count = line.count(",") + 1
        body, _, label = line.rpartition(",")
    elif cut >= 0:  # quotes only in the last fields: split the body plainly
        tail = _arff_split(line[cut + 1 :], path, number)
        body, label = line[:cut], tail[-1]
        count = body.count(",") + 1 + len(tail)
        body = ",".join([body, *tail[:-1]])
    else:
        fields = _arff_split(line, path, number)
        count, body, label = len(fields), ",".join(fields[:-1]), fields[-1]
    if count != n_fields:
        raise ValueError(
            f"{path}: line {number} has {count} values, but the header declares "
            f"{n_fields} attributes ({n_fields - 1} time steps and the class)."
        )
    return body, label


def _arff_relational_row(line, number, path):
    r"""Split a UEA row ``'c0\nc1\n...',label`` into ``(channels, label)``."""
    quote = line[0]
    close = line.find(quote, 1) if quote in "'\"" else -1
    if close < 0:
        raise ValueError(
            f"{path}: line {number} should start with the quoted series "
            "('channel\\nchannel...'), then a comma and the class."
        )
    rest = line[close + 1 :].strip()
    fields = _arff_split(rest[1:], path, number) if rest.startswith(",") else []
    if len(fields) != 1:
        raise ValueError(
            f"{path}: line {number} has {len(fields) + 1} values, but the header "
            "declares 2 attributes (the relational series and the class)."
        )
    return line[1:close].split("\\n"), fields[0]


def _read_arff(text, path):
    """Weka ARFF: univariate numeric attributes, or UEA relational multivariate."""
    rows = _content_lines(_iter_lines(text), "%")
    top, inner, data_line = _arff_header(rows, path)
    relational, n_values = _arff_layout(top, inner, path)
    name, kind, classes, class_line = top[-1]
    declared = set(classes or ())
    series = _Series(path, _MISSING_TOKENS)
    series.n_channels = None if relational else 1
    labels = []
    for number, line in rows:
        _reject_header_after_data(line, number, data_line, path)
        if line.startswith("{"):
            raise ValueError(
                f"{path}: line {number} is a sparse ARFF row; write every value."
            )
        if relational:
            channels, label = _arff_relational_row(line, number, path)
            if series.n_channels is None:
                series.n_channels = len(channels)
            if len(channels) != series.n_channels:
                raise ValueError(
                    f"{path}: line {number} has {len(channels)} channels, expected "
                    f"{series.n_channels} (from the first series on line "
                    f"{series.lines[0]})."
                )
            for c, channel in enumerate(channels):
                if channel.count(",") + 1 != n_values:
                    raise ValueError(
                        f"{path}: line {number} has {channel.count(',') + 1} values "
                        f"in channel {c}, but the relational attribute declares "
                        f"{n_values} (pad shorter series with '?')."
                    )
        else:
            body, label = _arff_row(line, number, path, n_values + 1)
            channels = [body]
        label = label.strip()  # quotes are already gone
        if label in ("", "?"):
            raise ValueError(
                f"{path}: line {number} has no class value (the last field is "
                f"{'empty' if not label else 'missing: ?'})."
            )
        if kind == "nominal" and label not in declared:
            shown = ",".join(classes[:20]) + (",..." if len(classes) > 20 else "")
            raise ValueError(
                f"{path}: line {number} has class {label!r}, which @attribute "
                f"{name} on line {class_line} does not declare ({{{shown}}})."
            )
        labels.append(label)
        series.add(number, channels)
    if not series.lines:
        raise ValueError(f"{path}: no series after @data (line {data_line}).")
    flat = series.values()
    X = _shaped(series.dataset(flat), series.lines, path, "'?' or NaN")
    if kind == "numeric":
        return X, _targets(labels, series.lines, path, f"@attribute {name} numeric")
    return X, _labels(labels)


# ----------------------------------------------------------------- public


def read_ucr_file(path):
    r"""Read one UCR/UEA archive file in any of the four formats.

    Each file is checked against its own grammar and header, and must hold
    what the header declares: the number of attributes (``.arff``), the
    channels, lengths and missing values (``.ts``), the class labels (both).

    Parameters
    ----------
    path : str or path-like
        A ``.tsv`` (UCR 2018), ``.txt`` (UCR 2015), ``.ts`` (sktime/aeon) or
        ``.arff`` (Weka/UEA) file, UTF-8 with or without a byte-order mark,
        with ``\n`` or ``\r\n`` line ends. The format is recognised from the
        content, not the suffix (except a ``.txt`` file whose first line
        starts with numbers and blanks before a tab: spaces and tabs mixed,
        read whitespace-separated).
        Whole-line comments start with ``#`` in ``.tsv`` and ``.txt``, ``#``
        or ``%`` in ``.ts``, ``%`` in ``.arff``; blank lines are skipped.
        Line numbers in errors count every line.
        An empty ``.tsv`` field, a trailing tab included, is an error (the
        archive writes ``NaN`` for a missing value, and no trailing tabs), as
        is a header key the format does not define (a misspelt key would
        silently skip its check).

    Returns
    -------
    X : ndarray of shape (n_series, n_timestamps[, n_channels])
        2-D for univariate series of equal length, 3-D otherwise; shorter
        series are padded with trailing NaN. Missing values (``NaN``; ``?``
        in ``.ts`` and ``.arff``) at the end of a series are read as padding;
        one before a series' end is an error, as in every format.
    y : ndarray of shape (n_series,) or None
        Labels as written: int64 when every label is the canonical decimal of
        an int64 (``7``, ``-1``; not ``07``, ``+7``, ``-0`` or a number beyond
        int64), otherwise str, so ``01`` and ``1`` stay distinct. In ``.tsv``
        and ``.txt`` files, where writers print every field as a float, a
        label such as ``1.0`` or ``1.0000000e+00`` that is exactly an integer
        also counts as that integer, unless another label of the file writes
        the same integer (then all stay str). Regression targets (``.ts``
        ``@targetLabel true``, a numeric ``.arff`` class) are float64. None
        for a ``.ts`` file without labels.

    Raises
    ------
    ValueError
        For a missing, unreadable, binary, non-UTF-8 or empty file, a
        directory, an unrecognised format, or content that breaks its
        format: a header value of the wrong kind, a header that contradicts
        itself or the data (attribute count, channels, ``@seriesLength``,
        ``@equalLength``, ``@missing``, an undeclared class), ragged rows,
        an empty field (a trailing tab included), a missing label, a value
        that is not a number, inf or a number beyond float64, or a missing
        value inside a series. The message names the file and the line.

    Examples
    --------
    >>> from softdtw_learn.datasets import bundled_path, read_ucr_file
    >>> X, y = read_ucr_file(bundled_path("ECG200", "TRAIN"))
    >>> X.shape, sorted(set(y.tolist()))
    ((100, 96), [-1, 1])
    """
    if isinstance(path, (str, bytes)) and not path:  # Path("") is "."
        raise ValueError("path is empty; give a UCR/UEA file.")
    path = Path(path)
    data, text = _read_text(path)
    fmt = _sniff(text, path)
    if fmt in ("tsv", "txt"):
        return _read_label_first(data, path, fmt)
    return (_read_ts if fmt == "ts" else _read_arff)(text, path)
