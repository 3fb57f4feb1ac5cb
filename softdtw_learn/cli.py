"""Command line: ``softdtw-learn`` (also ``python -m softdtw_learn``).

Subcommands ``demo``, ``distance``, ``barycenter``, ``cluster``,
``classify``, ``warmup`` (compile every kernel up front) and ``reproduce``
(the paper's experiments on a folder of sets, :mod:`softdtw_learn.reproduce`).
Input files are anything :func:`softdtw_learn.datasets.read_ucr_file` reads
(.tsv, .ts, .arff, .txt), or a CSV of numbers, one series per row (no
header; empty or ``nan`` fields at the end of a row are trailing padding). A
bundled set is named ``NAME:SPLIT`` (``ECG200:TRAIN``, ``cbf:test``; any
case). The syntax cannot name a data file: those need a suffix, and
``NAME:SPLIT`` has no dot. Results go to CSV or ``.npy`` files, figures to
any format matplotlib writes. A CSV output reads back as what it is: a
barycenter is one row (one series), centres one row per centre, a matrix one
row per series of the first input, labels and predictions one per line.

Every value, input file and output path is checked before any computation.
Each output is written to a temporary file beside its target and renamed into
place once all of them are complete, so a failure leaves no partial file.

Exit status:

- 0: done;
- 1: a value, a file or an output path is wrong: one line on stderr,
  ``softdtw-learn <command>: error: ...``; or ``reproduce`` wrote its report
  but a unit failed;
- 2: the command line itself does not parse (unknown option or command,
  missing argument, unknown ``--method``): one line on stderr, as argparse
  words it;
- 130: interrupted (Ctrl-C); no output is left behind (``reproduce`` keeps
  the units it finished, to resume from).
"""

import argparse
import os
import re
import secrets
import sys
import time
import warnings
from pathlib import Path

import numpy as np

from .utils import (
    check_creatable_folder,
    check_gamma,
    check_int,
    check_n_jobs,
    check_window,
)

_FORMATS = (".tsv", ".ts", ".arff", ".txt")
_ARRAY_SUFFIXES = (".csv", ".npy")
# Work above this many DP cells runs in blocks behind a progress bar.
_BLOCK_CELLS = 4e7
# --n-init draws all its seeds up front.
_MAX_RUNS = 10**6
# A figure has one panel per cluster or class.
_MAX_PANELS = 20

_NUMBER = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_NUMBER_OR_WORD = rf"(?:{_NUMBER}|[+-]?(?:nan|inf|infinity))"
_INT_TEXT = re.compile(r"[+-]?[0-9]+", re.ASCII)
_REAL_TEXT = re.compile(_NUMBER_OR_WORD, re.ASCII | re.IGNORECASE)
_FINITE_TEXT = re.compile(_NUMBER, re.ASCII)
# One way to match a field (no two adjacent \s* to share its blanks): a
# line that fails is rejected in linear time, not after trying every split.
_CSV_FIELD = re.compile(rf"\s*(?:{_NUMBER_OR_WORD}\s*)?", re.ASCII | re.IGNORECASE)
_CSV_LINE = re.compile(
    rf"{_CSV_FIELD.pattern}(?:,{_CSV_FIELD.pattern})*", re.ASCII | re.IGNORECASE
)
# NAME:SPLIT, a bundled set: no dot, so no data file (they need a suffix).
_BUNDLED_NAME = re.compile(r"([A-Za-z0-9_-]*):([A-Za-z0-9_-]*)", re.ASCII)


class _UsageError(Exception):
    """The command line does not parse (exit status 2)."""

    def __init__(self, prog, message):
        super().__init__(message)
        self.prog = prog


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line, raised to :func:`main`."""

    def error(self, message):
        """Raise instead of printing the usage and exiting."""
        raise _UsageError(self.prog, f"{message} (see {self.prog} --help)")


def _shown(text, width=30):
    """Return ``text`` cut to ``width`` characters, for an error message."""
    text = str(text).strip()
    return text if len(text) <= width else text[: width - 3] + "..."


def _one_line(err):
    """Return an error's message on one line (its type's name when it has none).

    Its lines are joined: a line break may be part of a file's name.
    """
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    return " ".join(lines) if lines else type(err).__name__


def _option_error(option, message, text):
    return ValueError(f"argument {option}: {message}, got {_shown(text)!r}.")


# Values ---------------------------------------------------------------------


def _decimal(text):
    """Return ``text`` as an int when it is one written in decimal, else None."""
    if not _INT_TEXT.fullmatch(text.strip()):
        return None
    try:
        return int(text)
    except ValueError:  # beyond Python's limit on the digits of an int
        return None


def _checked(option, check, value, note=""):
    """``check(value)``, its ValueError restated for the option."""
    try:
        return check(value)
    except ValueError as err:
        message = str(err)
        if note and message.endswith("."):  # the note before the full stop
            message = message[:-1] + note + "."
        raise ValueError(f"argument {option}: {message}") from None


def _int(text, option, *, low, high=None, meaning=""):
    """Return ``text`` as an int written in decimal, in ``[low, high]``."""
    value = _decimal(text)
    return _checked(
        option,
        lambda v: check_int(v, "value", low=low, high=high),
        _shown(text) if value is None else value,
        meaning,
    )


def _real(text, option):
    """Return ``text`` as a float (``inf`` and ``nan`` included)."""
    if not _REAL_TEXT.fullmatch(text.strip()):
        raise _option_error(option, "must be a number", text)
    return float(text)


def _gamma(text, *, gradient):
    """Parse ``--gamma``: >= 0, or > 0 where barycenters need a gradient."""
    value = _real(text, "--gamma")
    return _checked("--gamma", lambda v: check_gamma(v, allow_zero=not gradient), value)


def _window(text):
    """Parse ``--window``: an int >= 0 of cells, or a fraction in (0, 1].

    An integer literal is cells (``1`` is one cell); another number is a
    fraction when in (0, 1] (``1.0`` is the whole length) and cells when it
    is a whole number above 1 (``1e3``).
    """
    if text is None:
        return None
    value = _decimal(text)
    if value is None:
        number = _REAL_TEXT.fullmatch(text.strip())
        value = _real(text, "--window") if number else _shown(text)
        if value == 0:
            raise _option_error(
                "--window", "a band of 0 cells is written 0, not 0.0", text
            )
        if isinstance(value, float) and 1 < value < np.inf and value == int(value):
            value = int(value)
    _checked("--window", check_window, value)
    return value


def _n_jobs(text):
    """Parse ``--n-jobs``: a nonzero int (joblib: -1 is all cores)."""
    value = _decimal(text)
    try:
        if value is None:
            raise ValueError(text)
        check_n_jobs(value)
    except ValueError:
        raise _option_error(
            "--n-jobs", "must be a nonzero int (-1 is all cores)", text
        ) from None
    return value


# Input files ------------------------------------------------------------------


class _Source:
    """An input: the file to read, the name messages give and a figure's label.

    A data file goes by its path as typed and is labelled by its file name;
    a bundled set goes by ``NAME:SPLIT`` in both.
    """

    def __init__(self, path, name, label):
        self.path = path
        self.name = name
        self.label = label

    def __str__(self):
        return self.name


def _bundled_names():
    """Return the bundled sets' names: the folders of the package's data.

    Read from the folder rather than ``datasets.BUNDLED``, whose import
    (scikit-learn's) would add a second to ``--version`` and ``--help``.
    """
    data = Path(__file__).parent / "datasets" / "data"
    return sorted((p.name for p in data.iterdir() if p.is_dir()), key=str.lower)


def _bundled_source(text):
    """Return the bundled set ``NAME:SPLIT`` (any case) as a :class:`_Source`."""
    from .datasets import bundled_path

    name, split = _BUNDLED_NAME.fullmatch(text).groups()
    names = {known.lower(): known for known in _bundled_names()}
    if name.lower() not in names:
        raise ValueError(
            f"{_shown(text)}: no bundled set {_shown(name)!r}; the bundled sets are "
            f"{', '.join(names.values())}, named NAME:TRAIN or NAME:TEST "
            "(e.g. ECG200:TRAIN)."
        )
    if split.upper() not in ("TRAIN", "TEST"):
        raise ValueError(
            f"{_shown(text)}: the split of a bundled set is TRAIN or TEST (any "
            f"case), got {_shown(split)!r}."
        )
    name, split = names[name.lower()], split.upper()
    shown = f"{name}:{split}"
    return _Source(bundled_path(name, split), shown, shown)


def _input_file(text):
    """Return the input ``text`` names: a bundled set or a data file.

    A file must be a readable regular file of a known type.
    """
    if _BUNDLED_NAME.fullmatch(text):
        return _bundled_source(text)
    path = Path(text)
    if not path.exists():
        raise ValueError(
            f"{path}: no such file (a bundled set is named NAME:SPLIT, e.g. "
            "ECG200:TRAIN)."
        )
    if path.is_dir():
        raise ValueError(f"{path} is a folder; give a data file.")
    if not path.is_file():
        raise ValueError(f"{path} is not a regular file; give a data file.")
    suffix = path.suffix.lower()
    if suffix != ".csv" and suffix not in _FORMATS:
        raise ValueError(
            f"{path}: unknown file type {suffix!r}; give a .csv (one series per "
            f"row) or a UCR/UEA file ({', '.join(_FORMATS)})."
        )
    return _Source(path, str(path), path.name)


def _csv_number_error(path, number, line):
    """Return the error for the first field of ``line`` that is no number."""
    for column, field in enumerate(line.split(","), start=1):
        if not _CSV_FIELD.fullmatch(field):
            return ValueError(
                f"{path}: line {number}, column {column}: {_shown(field)!r} is not a "
                "number; a CSV holds numbers only, one series per row, no header."
            )
    return ValueError(f"{path}: line {number} is not a row of numbers.")


def _csv_row(path, number, line):
    """Return the values of one CSV line, without its trailing padding."""
    if not _CSV_LINE.fullmatch(line):
        raise _csv_number_error(path, number, line)
    fields = line.split(",")
    try:
        values = np.array(list(map(float, fields)))
    except ValueError:  # empty fields: padding, or missing values
        values = np.array([float(f) if f.strip() else np.nan for f in fields])
    infinite = np.flatnonzero(np.isinf(values))
    if infinite.size:
        column = int(infinite[0])
        raise ValueError(
            f"{path}: line {number}, column {column + 1}: {_shown(fields[column])!r} "
            "is not finite in float64; soft-DTW needs finite values."
        )
    missing = np.isnan(values)
    length = len(values) - int(np.argmax(~missing[::-1])) if not missing.all() else 0
    if length == 0:
        raise ValueError(f"{path}: line {number} holds no values.")
    inside = np.flatnonzero(missing[:length])
    if inside.size:
        raise ValueError(
            f"{path}: line {number}, column {inside[0] + 1}: missing value before "
            f"the row's last value (column {length}); only trailing fields may be "
            "empty or nan (padding). Fill or interpolate missing values first."
        )
    return values[:length]


def _read_csv(path):
    """Read a CSV of one series per row; shorter rows get trailing NaN."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ValueError(
            f"{path}: not UTF-8 text (byte {err.start}); expected a CSV of numbers."
        ) from None
    rows = [
        _csv_row(path, number, line)
        for number, line in enumerate(text.split("\n"), start=1)
        if line.strip()
    ]
    if not rows:
        raise ValueError(f"{path} holds no series; expected one series per row.")
    X = np.full((len(rows), max(len(r) for r in rows)), np.nan)
    for k, row in enumerate(rows):
        X[k, : len(row)] = row
    return X


def _read(source, *, labels=False):
    """Read and check an input: ``(X, y)``; y is None when unlabelled."""
    from .datasets import read_ucr_file
    from .utils import check_dataset

    path = source.path
    try:
        if path.suffix.lower() == ".csv":
            X, y = _read_csv(path), None
        else:
            X, y = read_ucr_file(path)
        check_dataset(X, "series")
    except ValueError as err:
        message = _one_line(err)
        if str(source) not in str(err):  # before _one_line joins its lines
            message = f"{source}: {message}"
        raise ValueError(message) from None
    except OSError as err:
        raise ValueError(f"{source}: cannot read it ({err.strerror or err}).") from None
    if labels and y is None:
        raise ValueError(
            f"{source} has no class labels; classification needs a labelled "
            f"UCR/UEA file ({', '.join(_FORMATS)})."
        )
    return X, y


def _channels(X):
    return 1 if X.ndim == 2 else X.shape[2]


def _same_channels(X, first, Y, second):
    if _channels(X) != _channels(Y):
        raise ValueError(
            f"{first} has {_channels(X)} channel(s) and {second} has "
            f"{_channels(Y)}; both files need the same number of channels."
        )


# Outputs ------------------------------------------------------------------------


class _Outputs:
    """Output files, each reserved as a temporary file beside its target.

    :meth:`reserve` checks a path and creates its temporary file, so that a
    bad suffix or folder is reported before any work; :meth:`write` fills
    it; :meth:`commit` renames every file into place. Leaving the ``with``
    block without a commit removes the temporary files.
    """

    def __init__(self):
        self._staged = {}

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        for temp, _ in self._staged.values():
            temp.unlink(missing_ok=True)
        self._staged.clear()

    def reserve(self, text, option, suffixes, inputs, what):
        """Check an output path and reserve it; return the target Path."""
        target = Path(text)
        if target.suffix.lower() not in suffixes:
            *others, last = sorted(suffixes)
            listed = f"{', '.join(others)} or {last}" if others else last
            raise ValueError(f"argument {option}: {text!r} must end in {listed}.")
        if target.is_dir():
            raise ValueError(f"argument {option}: {target} is a folder; give a file.")
        if target.exists() and not target.is_file():
            raise ValueError(
                f"argument {option}: {target} exists and is not a regular file."
            )
        for path in [*(source.path for source in inputs), *self._staged]:
            if target.resolve() == path.resolve():
                raise ValueError(
                    f"argument {option}: {target} is also an input or another "
                    "output; give each output its own new name."
                )
        self._staged[target] = (_reserve_temp(target, option), what)
        return target

    def write(self, target, writer):
        """Fill the temporary file of ``target`` with ``writer(stream)``."""
        with open(self._staged[target][0], "wb") as stream:
            writer(stream)

    def commit(self):
        """Rename every written file into place and say where it went."""
        for target, (temp, what) in self._staged.items():
            os.replace(temp, target)
            print(f"wrote {what} to {target}")
        self._staged.clear()


def _reserve_temp(target, option):
    """Create an empty temporary file beside ``target``; return its Path."""
    folder = target.parent
    if not folder.exists():
        raise ValueError(
            f"argument {option}: folder {folder} does not exist; create it first."
        )
    if not folder.is_dir():
        raise ValueError(f"argument {option}: {folder} is not a folder.")
    while True:
        temp = folder / f".{target.name}.{secrets.token_hex(4)}.part"
        try:
            # 0o666 under the umask: the permissions of a plain new file.
            os.close(os.open(temp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
        except FileExistsError:
            continue
        except OSError as err:
            raise ValueError(
                f"argument {option}: cannot write in folder {folder} "
                f"({err.strerror or err})."
            ) from None
        return temp


def _array_writer(values, suffix):
    """Return a writer of ``values`` as ``.npy`` or CSV (a row per line)."""
    values = np.asarray(values)
    if values.dtype.kind == "O":
        values = values.astype(str)
    if suffix == ".npy":
        return lambda stream: np.save(stream, values, allow_pickle=False)
    if values.dtype.kind in "fc":
        flat = values.reshape(len(values), -1) if values.ndim > 1 else values
        return lambda stream: np.savetxt(stream, flat, delimiter=",", fmt="%.17g")
    if values.dtype.kind in "biu":
        return lambda stream: np.savetxt(stream, values, fmt="%d")

    def write_text(stream):
        import csv
        import io

        text = io.StringIO(newline="")
        csv.writer(text, lineterminator="\n").writerows([v] for v in values)
        stream.write(text.getvalue().encode("utf-8"))

    return write_text


def _array_output(outputs, text, option, inputs, what):
    """Reserve a ``.csv`` or ``.npy`` output; None when not asked for."""
    if text is None:
        return None
    return outputs.reserve(text, option, _ARRAY_SUFFIXES, inputs, what)


def _plot_output(outputs, text, inputs):
    """Check that matplotlib loads and reserve the figure's path."""
    if text is None:
        return None
    try:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib.figure import Figure

        from .plotting import require_pyplot

        require_pyplot()
    except ImportError:
        raise ValueError(
            "argument --plot: needs matplotlib: pip install 'softdtw_learn[plot]' "
            "(or pip install matplotlib)."
        ) from None
    formats = tuple(f".{name}" for name in Figure().canvas.get_supported_filetypes())
    return outputs.reserve(text, "--plot", formats, inputs, "the figure")


def _write_figure(outputs, target, draw):
    """Draw with ``draw(plt)`` into the reserved ``target``."""
    from . import plotting

    plt = plotting.require_pyplot()
    # File names and labels are text: a "$" pair must not start mathtext.
    with plt.rc_context({"text.parse_math": False}):
        fig = draw(plt)
    try:
        fig.tight_layout()
        outputs.write(
            target,
            lambda stream: fig.savefig(
                stream, format=target.suffix[1:].lower(), dpi=110
            ),
        )
    finally:
        plt.close(fig)


def _label_series_axes(axes, channels):
    """Name the axes of panels that draw series against time."""
    value = "value" if channels == 1 else f"value (channel 1 of {channels})"
    for ax in axes:
        ax.set_xlabel("time step")
    axes[0].set_ylabel(value)


def _write_array(outputs, target, values):
    if target is not None:
        outputs.write(target, _array_writer(values, target.suffix.lower()))


def _check_finite(values, what):
    if not np.isfinite(values).all():
        raise ValueError(
            f"{what} holds non-finite values; rescale the series or try "
            "another --gamma."
        )


# Computation --------------------------------------------------------------------


def _progress(total, desc, unit):
    """Return a tqdm bar on stderr counting ``unit``; shown on a terminal only."""
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit=unit, disable=None, leave=False)


def _blocks(n, cells_per_row):
    """Row blocks of about half ``_BLOCK_CELLS`` DP cells each."""
    size = max(1, int(_BLOCK_CELLS / 2 // max(cells_per_row, 1)))
    return [slice(start, min(start + size, n)) for start in range(0, n, size)]


def _symmetric_blocks(X, lengths, kwargs):
    """``pairwise_soft_dtw(X, **kwargs)`` (no divergence) in row blocks.

    The API computes each pair once, with as row the series that comes first
    in the stable order by length, and mirrors it. The blocks follow that
    order: block ``[p, q)`` runs those series against the ones from position
    ``p`` on, so every pair gets the API's row, lane and bits.
    """
    from .metrics import pairwise_soft_dtw

    n = len(X)
    order = np.argsort(lengths, kind="stable")
    matrix = np.empty((n, n))
    with _progress(n, "distance", "series") as bar:
        for block in _blocks(n, X.shape[1] * X.shape[1] * n / 2):
            p = block.start
            part = pairwise_soft_dtw(X[order[block]], X[order[p:]], **kwargs)
            for i in range(block.stop - p):
                a, later = order[p + i], order[p + i :]
                matrix[a, later] = part[i, i:]
                matrix[later, a] = part[i, i:]
            bar.update(block.stop - p)
    return matrix


def _row_blocks(X, Y, kwargs, divergence):
    """``pairwise_soft_dtw(X, Y, **kwargs)`` in blocks of rows of X."""
    from .metrics import pairwise_soft_dtw

    matrix = np.empty((len(X), len(Y)))
    with _progress(len(X), "distance", "series") as bar:
        for block in _blocks(len(X), len(Y) * X.shape[1] * Y.shape[1]):
            matrix[block] = pairwise_soft_dtw(
                X[block], Y, divergence=divergence, **kwargs
            )
            bar.update(block.stop - block.start)
    return matrix


def _distance_matrix(X, Y, *, gamma, window, divergence, n_jobs):
    """Return the API's matrix; in blocks behind a progress bar when large."""
    from . import _dispatch
    from .metrics import pairwise_soft_dtw
    from .utils import check_dataset, check_table_range

    # Blocks see part of the data: check the range on all of it, up front.
    xs, x_len = check_dataset(X)
    ys, y_len = (xs, x_len) if Y is None else check_dataset(Y)
    check_table_range(gamma, int(x_len.max()), int(y_len.max()), xs=xs, ys=ys)
    kwargs = {"gamma": gamma, "window": window, "n_jobs": n_jobs}
    if len(xs) * len(ys) * xs.shape[1] * ys.shape[1] < _BLOCK_CELLS:
        return pairwise_soft_dtw(X, Y, divergence=divergence, **kwargs)
    if Y is not None:
        return _row_blocks(X, Y, kwargs, divergence)
    matrix = _symmetric_blocks(X, x_len, kwargs)
    if divergence:
        self_terms = np.diag(matrix).copy()
        matrix = _dispatch.pairwise_divergence(matrix, self_terms, self_terms)
    return matrix


# Subcommands ----------------------------------------------------------------------


def _distance(args, outputs):
    gamma = _gamma(args.gamma, gradient=False)
    window, n_jobs = _window(args.window), _n_jobs(args.n_jobs)
    inputs = [_input_file(args.file)]
    if args.other is not None:
        inputs.append(_input_file(args.other))
    output = _array_output(outputs, args.output, "-o", inputs, "the matrix")
    plot = _plot_output(outputs, args.plot, inputs)
    X, _ = _read(inputs[0])
    Y = None
    if args.other is not None:
        Y, _ = _read(inputs[1])
        _same_channels(X, inputs[0], Y, inputs[1])
    start = time.perf_counter()
    matrix = _distance_matrix(
        X, Y, gamma=gamma, window=window, divergence=args.divergence, n_jobs=n_jobs
    )
    _check_finite(matrix, "the matrix")
    seconds = time.perf_counter() - start
    print(
        f"{'divergence' if args.divergence else 'soft-DTW'} matrix "
        f"{matrix.shape[0]} x {matrix.shape[1]}, gamma {gamma:g}, {seconds:.2f} s"
    )
    if output is None and matrix.size <= 100:
        print(np.array2string(matrix, precision=6))
    _write_array(outputs, output, matrix)
    if plot is not None:
        what = "soft-DTW divergence" if args.divergence else "soft-DTW"

        def draw(plt):
            fig, ax = plt.subplots(figsize=(5.5, 4.5))
            image = ax.imshow(matrix, cmap="viridis")
            fig.colorbar(image, ax=ax).set_label(f"{what}, gamma={gamma:g}")
            ax.set_xlabel(f"series of {inputs[-1].label} (index)")
            ax.set_ylabel(f"series of {inputs[0].label} (index)")
            ax.set_title(f"{what} matrix, gamma={gamma:g}", fontsize=9)
            return fig

        _write_figure(outputs, plot, draw)
    outputs.commit()
    return 0


def _select_label(X, y, label, path):
    """Return the series of ``X`` whose label reads ``label``."""
    if label is None:
        return X
    if y is None:
        raise ValueError(f"{path} has no labels to select --label from.")
    keep = np.array([str(v) == label for v in y])
    if not keep.any():
        raise ValueError(
            f"argument --label: no series with label {label!r}; labels in "
            f"{path}: {sorted({str(v) for v in y})}."
        )
    return X[keep]


def _barycenter(args, outputs):
    from .barycenter import soft_dtw_barycenter

    gamma = _gamma(args.gamma, gradient=True)
    window, n_jobs = _window(args.window), _n_jobs(args.n_jobs)
    max_iter = _int(args.max_iter, "--max-iter", low=1)
    inputs = [_input_file(args.file)]
    output = _array_output(outputs, args.output, "-o", inputs, "the barycenter")
    plot = _plot_output(outputs, args.plot, inputs)
    X, y = _read(inputs[0])
    X = _select_label(X, y, args.label, inputs[0])
    channels = _channels(X)
    if output is not None and channels > 1 and output.suffix.lower() == ".csv":
        raise ValueError(
            f"argument -o: the barycenter of {channels}-channel series is "
            "(length, n_channels); a CSV row holds one univariate series. "
            "Write it to .npy instead."
        )
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        z = soft_dtw_barycenter(
            X,
            gamma=gamma,
            window=window,
            max_iter=max_iter,
            divergence=args.divergence,
            n_jobs=n_jobs,
        )
    _check_finite(z, "the barycenter")
    # One rule, whatever the input's rank: (length,) or (length, n_channels).
    z = z.reshape(len(z)) if channels == 1 else z
    note = " (not converged: raise --max-iter)" if caught else ""
    print(
        f"barycenter of {len(X)} series, length {len(z)}, gamma {gamma:g}: "
        f"{time.perf_counter() - start:.2f} s{note}"
    )
    # A CSV holds series as rows: the barycenter is one row, one series.
    as_row = output is not None and output.suffix.lower() == ".csv"
    _write_array(outputs, output, z[None, :] if as_row else z)
    if plot is not None:
        from .plotting import plot_barycenter

        of_class = "" if args.label is None else f", class {_shown(args.label)}"
        title = (
            f"soft-DTW barycenter of {len(X)} series of {inputs[0].label}"
            f"{of_class}, gamma={gamma:g}"
        )

        def draw(plt):
            fig, ax = plt.subplots(figsize=(7, 3.2))
            plot_barycenter(X, z, ax=ax, title=title)
            _label_series_axes([ax], channels)
            ax.legend(loc="best", fontsize=8)
            return fig

        _write_figure(outputs, plot, draw)
    outputs.commit()
    return 0


def _best_kmeans(X, n_clusters, n_init, seed, **params):
    """Return the run of lowest inertia among ``n_init`` seeded runs."""
    from .cluster import SoftDTWKMeans

    best = None
    with _progress(n_init, "k-means", "run") as bar, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        seeds = np.random.default_rng(seed).integers(0, 2**31 - 1, n_init)
        for run_seed in seeds:
            model = SoftDTWKMeans(n_clusters, random_state=int(run_seed), **params).fit(
                X
            )
            if best is None or model.inertia_ < best.inertia_:
                best = model
            bar.update(1)
    return best


def _cluster(args, outputs):
    gamma = _gamma(args.gamma, gradient=True)
    window, n_jobs = _window(args.window), _n_jobs(args.n_jobs)
    high = _MAX_PANELS if args.plot is not None else None
    panels = " (one figure panel per cluster with --plot)" if high else ""
    k = _int(args.n_clusters, "-k/--n-clusters", low=1, high=high, meaning=panels)
    n_init = _int(args.n_init, "--n-init", low=1, high=_MAX_RUNS)
    max_iter = _int(args.max_iter, "--max-iter", low=1)
    seed = _int(args.seed, "--seed", low=0)
    inputs = [_input_file(args.file)]
    output = _array_output(outputs, args.output, "-o", inputs, "the cluster labels")
    plot = _plot_output(outputs, args.plot, inputs)
    centres = _array_output(outputs, args.centers, "--centers", inputs, "the centres")
    X, y = _read(inputs[0])
    as_csv = centres is not None and centres.suffix.lower() == ".csv"
    if as_csv and _channels(X) > 1:
        raise ValueError(
            "argument --centers: the centres of multivariate series have 3 "
            "dimensions; a CSV holds 2. Write them to .npy instead."
        )
    if k > len(X):
        raise _option_error(
            "-k/--n-clusters",
            f"must be at most the number of series in {inputs[0]} ({len(X)})",
            args.n_clusters,
        )
    start = time.perf_counter()
    best = _best_kmeans(
        X,
        k,
        n_init,
        seed,
        gamma=gamma,
        window=window,
        max_iter=max_iter,
        n_jobs=n_jobs,
    )
    _check_finite(best.inertia_, "the inertia")
    sizes = np.bincount(best.labels_, minlength=k)
    empty = " (empty clusters: fewer distinct series than -k?)" if 0 in sizes else ""
    print(
        f"k-means, {len(X)} series, k={k}, gamma {gamma:g}: "
        f"inertia {best.inertia_:.6g}, cluster sizes {sizes.tolist()}{empty}, "
        f"{time.perf_counter() - start:.2f} s"
    )
    if y is not None:
        from sklearn.metrics import adjusted_rand_score

        ari = adjusted_rand_score(y, best.labels_)
        print(f"adjusted Rand index against the file's labels: {ari:.3f}")
    _write_array(outputs, output, best.labels_)
    # One channel in a CSV: a row per centre (unequal-length data read 3-D).
    centers = best.cluster_centers_
    _write_array(
        outputs, centres, centers[:, :, 0] if as_csv and centers.ndim == 3 else centers
    )
    if plot is not None:
        from .plotting import plot_clusters

        def draw(plt):
            fig, axes = plt.subplots(
                1, k, figsize=(4 * k, 3.3), squeeze=False, sharey=True
            )
            plot_clusters(X, best.labels_, best.cluster_centers_, axes=axes[0])
            _label_series_axes(axes[0], _channels(X))
            fig.suptitle(
                f"soft-DTW k-means of {inputs[0].label}, k={k}, gamma={gamma:g}: "
                "members (grey) and centre (red)",
                fontsize=10,
            )
            return fig

        _write_figure(outputs, plot, draw)
    outputs.commit()
    return 0


def _neighbours(args):
    """``-k``: an int >= 1, for ``--method knn`` only (None for centroid)."""
    if args.method == "centroid":
        if args.k is not None:
            raise ValueError(
                "argument -k: the number of neighbours applies to --method knn "
                "only; drop -k or add --method knn."
            )
        return None
    return 1 if args.k is None else _int(args.k, "-k", low=1)


def _classifier(k, gamma, window, n_jobs, n_train):
    """Nearest centroid when ``k`` is None, else k-NN with ``k <= n_train``."""
    from .neighbors import SoftDTWKNeighborsClassifier, SoftDTWNearestCentroid

    if k is None:
        return SoftDTWNearestCentroid(gamma=gamma, window=window, n_jobs=n_jobs)
    if k > n_train:
        raise _option_error(
            "-k", f"must be at most the number of training series ({n_train})", str(k)
        )
    return SoftDTWKNeighborsClassifier(
        n_neighbors=k, gamma=gamma, window=window, n_jobs=n_jobs
    )


def _comparable(labels, others):
    """Both label arrays as numbers if every label of both is one, else text.

    The formats read one label text differently: ``1.0`` is the int 1 in a
    ``.tsv`` file and the class "1.0" in a ``.ts`` file, so number-like
    labels are compared as numbers, exactly: integers as Python ints (no
    rounding past 2**53), others as floats; text such as ``1_0`` is no number.
    """
    texts = [np.asarray(labels).astype(str), np.asarray(others).astype(str)]
    values = [[_label_number(t) for t in side] for side in texts]
    if any(v is None for side in values for v in side):
        return texts
    return [np.array(side, dtype=object) for side in values]


def _label_number(text):
    """Return the number a label's text writes (int if integral), or None."""
    text = text.strip()
    if _INT_TEXT.fullmatch(text):
        return int(text)
    if not _FINITE_TEXT.fullmatch(text):
        return None
    value = float(text)
    return int(value) if value.is_integer() else value


def _accuracy(predicted, y_test):
    """Share of predictions equal to the test labels (see :func:`_comparable`)."""
    predicted, y_test = _comparable(predicted, y_test)
    return float(np.mean(predicted == y_test))


def _note_unknown_labels(classes, y_test):
    """Say on stderr when test labels are not training classes."""
    written = np.asarray(y_test).astype(str)
    classes, keys = _comparable(classes, y_test)
    unknown = ~np.isin(keys, classes)
    if unknown.any():
        print(
            f"note: {int(unknown.sum())} of {len(written)} test labels (e.g. "
            f"{_shown(written[unknown][0])!r}) are not classes of the training "
            "file; those series count as wrong. Are both files of one data set?",
            file=sys.stderr,
        )


def _classify(args, outputs):
    gamma = _gamma(args.gamma, gradient=args.method == "centroid")
    window, n_jobs = _window(args.window), _n_jobs(args.n_jobs)
    k = _neighbours(args)
    if args.plot is not None and args.method != "centroid":
        raise ValueError(
            "argument --plot: the figure draws the class centroids, which only "
            "--method centroid computes; drop --plot or use --method centroid."
        )
    inputs = [_input_file(args.train), _input_file(args.test)]
    output = _array_output(outputs, args.output, "-o", inputs, "the predictions")
    plot = _plot_output(outputs, args.plot, inputs)
    X, y = _read(inputs[0], labels=True)
    X_test, y_test = _read(inputs[1])
    _same_channels(X, inputs[0], X_test, inputs[1])
    model = _classifier(k, gamma, window, n_jobs, len(X))
    n_classes = len(np.unique(y))
    if plot is not None and n_classes > _MAX_PANELS:
        raise ValueError(
            f"argument --plot: {inputs[0]} has {n_classes} classes; the figure "
            f"draws one panel each, at most {_MAX_PANELS}. Drop --plot."
        )
    from .datasets._bundled import common_width

    # As the loaders pad TRAIN and TEST: the estimators need one width.
    X, X_test = common_width(X, X_test)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y)
    cells = len(X) * X.shape[1] * X_test.shape[1]
    predictions = []
    with _progress(len(X_test), "classify", "series") as bar:
        for block in _blocks(len(X_test), cells):
            predictions.append(model.predict(X_test[block]))
            bar.update(block.stop - block.start)
    predicted = np.concatenate(predictions)
    print(
        f"{args.method} classifier, gamma {gamma:g}: {len(X)} training and "
        f"{len(X_test)} test series, {time.perf_counter() - start:.2f} s"
    )
    if y_test is not None:
        print(f"accuracy on the test file's labels: {_accuracy(predicted, y_test):.4f}")
        _note_unknown_labels(model.classes_, y_test)
    _write_array(outputs, output, predicted)
    if plot is not None:
        from .plotting import plot_clusters

        def draw(plt):
            fig, axes = plt.subplots(
                1, n_classes, figsize=(4 * n_classes, 3), squeeze=False
            )
            index = np.searchsorted(model.classes_, y)
            plot_clusters(X, index, model.centroids_, axes=axes[0])
            for ax, label in zip(axes[0], model.classes_, strict=True):
                ax.set_title(f"class {_shown(label)}", fontsize=9)
            _label_series_axes(axes[0], _channels(X))
            fig.suptitle(
                f"soft-DTW class centroids of {inputs[0].label}, gamma={gamma:g}: "
                "training series (grey) and centroid (red)",
                fontsize=10,
            )
            return fig

        _write_figure(outputs, plot, draw)
    outputs.commit()
    return 0


def _demo_folder(text):
    """Check that the demo can create or fill the folder ``text``."""
    from ._demo import FILES

    out = Path(text)
    if out.exists() and not out.is_dir():
        raise ValueError(f"argument --out: {out} exists and is not a folder.")
    for name in FILES:  # a file is renamed over; a folder cannot be
        taken = out / name
        if taken.is_dir() and not taken.is_symlink():
            raise ValueError(
                f"argument --out: {taken} is a folder in the way of the demo's "
                f"{name}; move it or give another --out."
            )
    _checked("--out", check_creatable_folder, out)
    return out


def _demo(args, outputs):
    from ._demo import run_demo

    out = _demo_folder(args.out)
    try:
        from .plotting import require_pyplot

        require_pyplot()
    except ImportError:
        raise ValueError(
            "demo draws figures and needs matplotlib: pip install "
            "'softdtw_learn[plot]' (or pip install matplotlib)."
        ) from None
    return run_demo(out, quick=args.quick)


def _warmup(args, outputs):
    from ._warmup import warm_up

    start = time.perf_counter()
    # A bar on a terminal only, as every command's (not in a build log).
    steps = warm_up(progress=not args.quiet and sys.stderr.isatty())
    print(f"warm-up: {len(steps)} steps in {time.perf_counter() - start:.1f} s")
    print(
        "kernels compiled and cached on disk by Numba: later runs load them "
        "in well under a second"
    )
    return 0


def _max_series(text):
    """Parse ``--max-series``: an int >= 2, or ``all`` (no cap)."""
    if text.strip().lower() == "all":
        return None
    return _int(text, "--max-series", low=2, meaning=" (or 'all': no cap)")


def _experiments(text):
    """Parse ``--only``: experiment names, comma-separated."""
    from .reproduce import EXPERIMENTS

    names = [part.strip().lower() for part in text.split(",")]
    if not all(name in EXPERIMENTS for name in names):
        raise _option_error(
            "--only",
            f"must be experiment names among {','.join(EXPERIMENTS)}, separated "
            "by commas",
            text,
        )
    return names


def _reproduce(args, outputs):
    from .reproduce import checked_data_dir, checked_out_dir, reproduce

    max_series = _max_series(args.max_series)
    n_jobs = _n_jobs(args.n_jobs)
    experiments = _experiments(args.only)
    data_dir = checked_data_dir(args.data_dir)
    _checked("-o/--output", lambda out: checked_out_dir(out, data_dir), args.output)
    summary = reproduce(
        data_dir,
        args.output,
        max_series=max_series,
        n_jobs=n_jobs,
        experiments=experiments,
        resume=not args.no_resume,
        progress=True,
    )
    computed, resumed = len(summary["computed"]), len(summary["resumed"])
    print(
        f"{len(summary['sets'])} sets: {computed} units computed, {resumed} from "
        f"earlier runs, {len(summary['failed'])} failed; sets left out: "
        f"{len(summary['skipped'])}"
    )
    print(f"open {(summary['out_dir'] / 'index.html').resolve()}")
    if summary["failed"]:
        print(
            f"softdtw-learn reproduce: error: {len(summary['failed'])} unit(s) failed "
            "(listed above and in the report); a rerun tries them again.",
            file=sys.stderr,
        )
        return 1
    return 0


# The parser -------------------------------------------------------------------

_DATA = "a data file (.csv, .tsv, .ts, .arff, .txt) or a bundled set NAME:SPLIT"
_THREADS = "threads, an int; -1 is all cores (default: %(default)s)"
_WINDOW = (
    "Sakoe-Chiba band: an int of cells (0 = the diagonal, widened so that a "
    "path exists), or a fraction in (0, 1] of the longer length (1.0 = the "
    "whole length) (default: no band)"
)


def _version():
    """Return ``softdtw-learn X.Y.Z``, the version of the running package."""
    from . import __version__

    return f"softdtw-learn {__version__}"


def _add_common(parser, gamma):
    """Add ``--gamma`` (whose help is ``gamma``), --window, --n-jobs, --plot."""
    parser.add_argument("--gamma", default="1.0", help=gamma)
    parser.add_argument("--window", help=_WINDOW)
    parser.add_argument("--n-jobs", default="-1", help=_THREADS)
    parser.add_argument(
        "--plot", metavar="FILE", help="also draw a figure (.png, .pdf, .svg, ...)"
    )


def _command(commands, name, summary):
    """Add the subcommand ``name``; ``summary`` is its line in the help."""
    return commands.add_parser(
        name, help=summary, description=summary[0].upper() + summary[1:] + "."
    )


def _add_demo(commands):
    demo = _command(
        commands, "demo", "the main job on bundled data: figures and an HTML report"
    )
    demo.add_argument(
        "--out",
        metavar="FOLDER",
        default="softdtw-demo",
        help="output folder, created if needed; the demo's files in it are "
        "replaced once all are written, other files are left alone "
        "(default: %(default)s)",
    )
    demo.add_argument(
        "--quick", action="store_true", help="fewer series and iterations"
    )
    demo.set_defaults(run=_demo)


def _add_distance(commands):
    distance = _command(
        commands, "distance", "soft-DTW matrix between the series of one or two inputs"
    )
    distance.add_argument("file", help=f"rows of the matrix: {_DATA}")
    distance.add_argument(
        "other",
        nargs="?",
        help=f"columns of the matrix: {_DATA} (default: FILE against itself)",
    )
    distance.add_argument(
        "--divergence",
        action="store_true",
        help="the soft-DTW divergence (>= 0, 0 only for equal series) instead "
        "of the signed soft-DTW value",
    )
    distance.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write the matrix: .csv (a row per series of the first input) or .npy",
    )
    _add_common(
        distance,
        "soft-DTW smoothing, a number >= 0; 0 is exact DTW (default: %(default)s)",
    )
    distance.set_defaults(run=_distance)


def _add_barycenter(commands):
    barycenter = _command(
        commands, "barycenter", "soft-DTW barycenter of the series of an input"
    )
    barycenter.add_argument("file", help=f"the series to average: {_DATA}")
    barycenter.add_argument(
        "--label", help="average only the series of this class (default: all)"
    )
    barycenter.add_argument(
        "--max-iter",
        default="100",
        help="L-BFGS-B iterations, an int >= 1 (default: %(default)s)",
    )
    barycenter.add_argument(
        "--divergence",
        action="store_true",
        help="minimise the soft-DTW divergence instead of soft-DTW",
    )
    barycenter.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write the barycenter: .csv (one row: one series, read back as "
        "such; univariate only) or .npy (shape (length,), or (length, "
        "n_channels))",
    )
    _add_common(barycenter, "soft-DTW smoothing, a number > 0 (default: %(default)s)")
    barycenter.set_defaults(run=_barycenter)


def _add_cluster(commands):
    cluster = _command(commands, "cluster", "soft-DTW k-means")
    cluster.add_argument("file", help=f"the series to cluster: {_DATA}")
    cluster.add_argument(
        "-k",
        "--n-clusters",
        default="3",
        help="number of clusters, an int >= 1 (default: %(default)s)",
    )
    cluster.add_argument(
        "--n-init",
        default="1",
        help="k-means runs from different random starts; the run of lowest "
        "inertia is kept (default: %(default)s)",
    )
    cluster.add_argument(
        "--max-iter",
        default="10",
        help="k-means iterations per run, an int >= 1 (default: %(default)s)",
    )
    cluster.add_argument(
        "--seed",
        default="0",
        help="seed of the runs' random starts, an int >= 0; the same seed "
        "gives the same result (default: %(default)s)",
    )
    cluster.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write the cluster labels: .csv (one per line) or .npy",
    )
    cluster.add_argument(
        "--centers",
        metavar="FILE",
        help="write the centres: .csv (a row per centre, read back as series; "
        "univariate only) or .npy (shape (k, length[, n_channels]))",
    )
    _add_common(cluster, "soft-DTW smoothing, a number > 0 (default: %(default)s)")
    cluster.set_defaults(run=_cluster)


def _add_classify(commands):
    classify = _command(commands, "classify", "nearest-centroid or k-NN classification")
    classify.add_argument("train", help=f"the labelled training series: {_DATA}")
    classify.add_argument(
        "test",
        help=f"the series to classify (labels optional, then the accuracy is "
        f"printed; padded to the training width): {_DATA}",
    )
    classify.add_argument(
        "--method",
        choices=("centroid", "knn"),
        default="centroid",
        help="centroid: nearest soft-DTW barycenter of each class; knn: "
        "k nearest training series (default: %(default)s)",
    )
    classify.add_argument(
        "-k", help="neighbours for --method knn, an int >= 1 (default: 1)"
    )
    classify.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write the predictions: .csv (one per line) or .npy",
    )
    _add_common(
        classify,
        "soft-DTW smoothing, a number > 0 for --method centroid, >= 0 for knn "
        "(0 is exact DTW) (default: %(default)s)",
    )
    classify.set_defaults(run=_classify)


def _add_warmup(commands):
    warmup = _command(
        commands, "warmup", "compile every kernel now (once; cached for later runs)"
    )
    warmup.add_argument("--quiet", action="store_true", help="no progress bar")
    warmup.set_defaults(run=_warmup)


def _add_reproduce(commands):
    from .reproduce import DEFAULT_MAX_SERIES, EXPERIMENTS

    reproduce = _command(
        commands,
        "reproduce",
        "the paper's Tables 1-3 and Figure 7 on every UCR/UEA set of a folder",
    )
    reproduce.epilog = (
        "Each (experiment, set) result is written to OUT/units/ as soon as it is "
        "done; a rerun skips those computed with the same settings and data, so "
        "an interrupted run (Ctrl-C, status 130) resumes where it stopped. A set "
        "whose files cannot be read is reported on stderr and left out; the "
        "others run."
    )
    reproduce.add_argument(
        "data_dir",
        metavar="DATA_DIR",
        help="folder of the sets: NAME/NAME_TRAIN.tsv and NAME/NAME_TEST.tsv "
        "(or .ts, .arff, .txt; one file per split, in that order of "
        "preference), or NAME.npz with X_train, y_train, X_test, y_test",
    )
    reproduce.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        default="softdtw-reproduce",
        help="output folder, created if needed, not inside DATA_DIR: the "
        "tables (.md), figure7.png/.svg, results.rst and index.html "
        "(default: %(default)s)",
    )
    reproduce.add_argument(
        "--max-series",
        default=str(DEFAULT_MAX_SERIES),
        help="at most this many series per set and split, an int >= 2, drawn "
        "with a fixed seed; 'all' for no cap (default: %(default)s)",
    )
    reproduce.add_argument("--n-jobs", default="-1", help=_THREADS)
    reproduce.add_argument(
        "--only",
        metavar="EXPERIMENTS",
        default=",".join(EXPERIMENTS),
        help="the experiments to run, separated by commas (default: %(default)s)",
    )
    reproduce.add_argument(
        "--no-resume",
        action="store_true",
        help="compute every unit again, even those already in OUT",
    )
    reproduce.set_defaults(run=_reproduce)


def _parser():
    names = ", ".join(_bundled_names())
    parser = _Parser(
        prog="softdtw-learn",
        description="Learning with soft-DTW (Cuturi & Blondel, ICML 2017). "
        "Input: a UCR/UEA file (.tsv, .ts, .arff, .txt), a CSV of one series "
        f"per row, or a bundled set by name: {names}, as NAME:TRAIN or "
        "NAME:TEST (any case, e.g. ECG200:TRAIN).",
        epilog="Exit status: 0 done, 1 a bad value, file or output path, 2 a "
        "command line that does not parse, 130 interrupted.",
    )
    parser.add_argument(
        "--version", action="version", version=_version(), help="print the version"
    )
    # One name for the list: the commands' names would not fit in one line.
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in (
        _add_demo,
        _add_distance,
        _add_barycenter,
        _add_cluster,
        _add_classify,
        _add_warmup,
        _add_reproduce,
    ):
        add(commands)
    return parser


def _say(prog, message):
    print(f"{prog}: error: {message}", file=sys.stderr)


def main(argv=None):
    """Run the command line; return the exit status (see the module docstring)."""
    try:
        args = _parser().parse_args(argv)
    except _UsageError as err:
        _say(err.prog, err)
        return 2
    prog = f"softdtw-learn {args.command}"
    try:
        with _Outputs() as outputs:
            return args.run(args, outputs)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # stdout went away (e.g. `| head`): stop printing to it, quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except MemoryError as err:
        _say(prog, f"not enough memory ({err or 'MemoryError'}); use less data.")
        return 1
    except (ValueError, OSError) as err:
        _say(prog, _one_line(err))
        return 1


if __name__ == "__main__":
    sys.exit(main())
