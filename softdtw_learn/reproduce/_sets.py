"""Finding and reading the sets of a data folder.

A set is a pair of ``NAME_TRAIN``/``NAME_TEST`` files (``.tsv``, ``.ts``,
``.arff`` or ``.txt``) or one ``NAME.npz`` file, in the folder or one level
down; UEA's per-channel files ``NAMEDimensionK_TRAIN`` beside ``NAME_TRAIN``
are NAME's, not sets. Each is read, checked and capped at ``max_series``
series per split (drawn with a fixed seed, stratified by class), its files
digested with SHA-256; a set that cannot be read is left out with the reason,
which names the file.
"""

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ._settings import fixed_seed

# Data files, in order of preference where a split has several.
FORMATS = (".tsv", ".ts", ".arff", ".txt")
_SPLIT_FILE = re.compile(r"(?P<name>.+)_(?P<split>TRAIN|TEST)(?P<ext>\.[A-Za-z]+)")
_DIMENSION = re.compile(r"(?P<name>.+)Dimension[0-9]+")
_NPZ_KEYS = ("X_train", "y_train", "X_test", "y_test")


@dataclass(frozen=True)
class Source:
    """A set's files: ``train`` and ``test``, or one ``.npz`` file (test None)."""

    name: str
    train: Path
    test: Path | None

    @property
    def files(self):
        return (self.train,) if self.test is None else (self.train, self.test)


@dataclass
class _Set:
    """A set as read, each split capped at ``max_series`` series."""

    name: str
    files: tuple
    digests: dict
    X_train: np.ndarray
    y_train: np.ndarray | None
    X_test: np.ndarray
    y_test: np.ndarray | None
    n_read: tuple

    @property
    def labelled(self):
        """Whether both splits have class labels (not regression targets)."""
        return all(
            y is not None and y.dtype.kind in "biuUSO"
            for y in (self.y_train, self.y_test)
        )

    @property
    def equal_length(self):
        """Whether every series of both splits has the same length."""
        return not (np.isnan(self.X_train).any() or np.isnan(self.X_test).any())


def _folder_sources(folder, notes):
    """Return the sets of one folder: TRAIN with TEST files, or ``.npz``."""
    found = {}
    npz = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or not path.is_file():
            continue
        if path.suffix.lower() == ".npz":
            npz.append(path)
            continue
        match = _SPLIT_FILE.fullmatch(path.name)
        if match and match["ext"].lower() in FORMATS:
            found.setdefault(match["name"], {}).setdefault(match["split"], []).append(
                path
            )
    # UEA's multivariate folders also hold each channel apart, as the sets
    # NAMEDimension1 .. NAMEDimensionK: they are NAME's, read through NAME.
    for name in [n for n in found if _dimension_of(n) in found]:
        del found[name]
    sources = []
    for name, splits in sorted(found.items()):
        if set(splits) != {"TRAIN", "TEST"}:
            have = next(iter(splits))
            want = "TEST" if have == "TRAIN" else "TRAIN"
            notes[name] = (
                f"{splits[have][0]} has no {name}_{want} file beside it "
                f"({', '.join(FORMATS)}); a set needs both splits."
            )
            continue
        train, test = (_preferred(splits[s]) for s in ("TRAIN", "TEST"))
        sources.append(Source(name, train, test))
    named = {s.name for s in sources} | set(notes)
    for path in npz:
        if path.stem in named:
            raise ValueError(
                f"two sets named {path.stem!r} in {folder}: {path.name} and its "
                "TRAIN/TEST files; keep one of them."
            )
        sources.append(Source(path.stem, path, None))
    return sources


def _dimension_of(name):
    """``NAME`` for a UEA per-channel set name ``NAMEDimensionK``, else None."""
    match = _DIMENSION.fullmatch(name)
    return match["name"] if match else None


def _preferred(paths):
    """Return the file of the preferred format among a split's files."""
    return min(paths, key=lambda p: FORMATS.index(p.suffix.lower()))


def find_sets(data_dir):
    """Return the sets of ``data_dir`` and notes on the files left out.

    A set is ``NAME_TRAIN.ext`` with ``NAME_TEST.ext`` (``.tsv``, ``.ts``,
    ``.arff`` or ``.txt``; where a split has several, the first of that
    order), or ``NAME.npz`` holding ``X_train``, ``y_train``, ``X_test`` and
    ``y_test``, in ``data_dir`` or in one of its folders (one level down, as
    the archives are laid out: ``NAME/NAME_TRAIN.tsv``). UEA's per-channel
    files (``NAMEDimension1_TRAIN.arff`` beside ``NAME_TRAIN.arff``) are not
    sets. Two sets of one name (a set found, or left out, twice) raise a
    ValueError.

    Parameters
    ----------
    data_dir : path-like
        An existing folder.

    Returns
    -------
    sources : list of Source
        One per set, by folder then name.
    notes : dict of str to str
        Why a set that seems to be there is left out, by set name.
    """
    data_dir = Path(data_dir)
    notes, sources, where = {}, [], {}
    folders = [data_dir] + sorted(
        p for p in data_dir.iterdir() if p.is_dir() and not p.name.startswith(".")
    )
    for folder in folders:
        folder_notes = {}
        folder_sources = _folder_sources(folder, folder_notes)
        # A set left out counts too: its name would be reported twice.
        for name in [s.name for s in folder_sources] + list(folder_notes):
            if name in where:
                raise ValueError(
                    f"two sets named {name!r}: in {where[name]} and in {folder}; "
                    "keep one of them, or give a folder holding one."
                )
            where[name] = folder
        sources += folder_sources
        notes.update(folder_notes)
    return sources, notes


def digest(path):
    """SHA-256 of a file's bytes: a changed file invalidates its units."""
    sha = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def _read_npz(path):
    """Read ``X_train``, ``y_train``, ``X_test``, ``y_test`` of a ``.npz`` file."""
    import zipfile

    if not zipfile.is_zipfile(path):  # np.load would try it as a pickle
        raise ValueError(f"{path}: not a readable .npz file (not a zip archive).")
    try:
        with np.load(path, allow_pickle=False) as archive:
            missing = [k for k in _NPZ_KEYS if k not in archive.files]
            if missing:
                raise ValueError(
                    f"{path}: no array {missing[0]!r}; a set in a .npz file holds "
                    f"{', '.join(_NPZ_KEYS)}."
                )
            arrays = [archive[k] for k in _NPZ_KEYS]
    except (zipfile.BadZipFile, EOFError) as err:
        raise ValueError(f"{path}: not a readable .npz file ({err}).") from None
    except ValueError as err:
        if str(path) in str(err):
            raise
        if "pickle" in str(err):
            raise ValueError(
                f"{path}: an array holds Python objects (pickled), which are not "
                "loaded: unpickling can run code. Save numbers, and labels as "
                "int or str arrays."
            ) from None
        raise ValueError(f"{path}: {err}") from None
    for key, array in zip(_NPZ_KEYS, arrays, strict=True):
        if key.startswith("X") and (array.dtype.kind not in "iuf" or array.ndim < 2):
            raise ValueError(
                f"{path}: {key} must be numbers of shape (n_series, n_timestamps"
                f"[, n_channels]), got dtype {array.dtype} and shape {array.shape}."
            )
        if key.startswith("y") and array.ndim != 1:
            raise ValueError(
                f"{path}: {key} must be 1-D (one label per series), got shape "
                f"{array.shape}."
            )
    for X_key, y_key, X, y in (
        ("X_train", "y_train", arrays[0], arrays[1]),
        ("X_test", "y_test", arrays[2], arrays[3]),
    ):
        if len(X) != len(y):
            raise ValueError(
                f"{path}: {X_key} holds {len(X)} series but {y_key} {len(y)} labels."
            )
    X, y, Xt, yt = arrays
    if X.ndim == 3 and X.shape[2] == 1 and Xt.ndim == 3 and Xt.shape[2] == 1:
        X, Xt = X[:, :, 0], Xt[:, :, 0]  # univariate: 2-D, as the readers give it
    y, yt = _integer_labels(y, yt)
    return X.astype(np.float64), y, Xt.astype(np.float64), yt


def _integer_labels(y_train, y_test):
    """Float labels that are all whole numbers (``1.0``) as int64 classes.

    As the text readers read ``1.0``; other float labels stay float
    (regression targets, which the classification experiments skip).
    """
    both = np.concatenate([y_train, y_test])
    if both.dtype.kind != "f" or not np.all(np.isfinite(both)):
        return y_train, y_test
    if np.all(both == np.round(both)) and np.all(np.abs(both) < 2**53):
        return y_train.astype(np.int64), y_test.astype(np.int64)
    return y_train, y_test


def subsample(X, y, max_series, seed):
    """At most ``max_series`` series, drawn with a fixed seed, in file order.

    With labels the draw is stratified: each class first gives one series
    (while the cap allows), then the classes give in proportion to their size.
    """
    n = len(X)
    if max_series is None or n <= max_series:
        return X, y
    rng = np.random.RandomState(seed)
    if y is None or y.dtype.kind == "f":
        keep = rng.permutation(n)[:max_series]
    else:
        key = np.empty(n)
        for label in np.unique(y):
            rows = rng.permutation(np.flatnonzero(y == label))
            key[rows] = np.arange(len(rows)) / len(rows)
        keep = np.lexsort((rng.uniform(size=n), key))[:max_series]
    keep = np.sort(keep)
    return X[keep], (None if y is None else y[keep])


def _same_kind_labels(y_train, y_test):
    """Labels of both splits compared as written (str) when their types differ."""
    if y_train is None or y_test is None or y_train.dtype.kind == y_test.dtype.kind:
        return y_train, y_test
    return y_train.astype(str), y_test.astype(str)


def load_set(source, max_series):
    """Read, check and cap a set; a :class:`ValueError` names the file."""
    from ..datasets import read_ucr_file
    from ..utils import check_dataset, pad_to_common_width

    try:
        if source.test is None:
            X, y, Xt, yt = _read_npz(source.train)
            shown = (source.train, source.train)
        else:
            X, y = read_ucr_file(source.train)
            Xt, yt = read_ucr_file(source.test)
            shown = (source.train, source.test)
        for data, path in ((X, shown[0]), (Xt, shown[1])):
            try:
                check_dataset(data, "series")
            except ValueError as err:
                raise ValueError(f"{path}: {err}") from None
        n_read = (len(X), len(Xt))
        X, y = subsample(X, y, max_series, fixed_seed(source.name, "train"))
        Xt, yt = subsample(Xt, yt, max_series, fixed_seed(source.name, "test"))
        try:
            X, Xt = pad_to_common_width(X, Xt)
        except ValueError as err:
            raise ValueError(f"{source.train} and {source.test}: {err}") from None
        if X.ndim != Xt.ndim:  # one univariate 2-D, the other 3-D
            X, Xt = (Z if Z.ndim == 3 else Z[:, :, None] for Z in (X, Xt))
        digests = {p.name: digest(p) for p in source.files}
    except OSError as err:
        raise ValueError(
            f"{getattr(err, 'filename', None) or source.train}: cannot read it "
            f"({err.strerror or err})."
        ) from None
    y, yt = _same_kind_labels(y, yt)
    return _Set(source.name, source.files, digests, X, y, Xt, yt, n_read)


def read_sets(sources, notes, max_series, say):
    """Read every set; a set that cannot be read is left out with its reason."""
    sets, skipped = {}, dict(notes)
    for source in sources:
        try:
            sets[source.name] = load_set(source, max_series)
        except ValueError as err:
            message = str(err).splitlines()[0] if str(err) else type(err).__name__
            skipped[source.name] = message
    for name, reason in skipped.items():
        say(f"{name} left out: {reason}", err=True)
    return sets, skipped


def trimmed(X):
    """Return the series of a padded dataset, each ``(length, n_channels)``."""
    from ..utils import check_dataset

    data, lengths = check_dataset(X)
    return [x[:n] for x, n in zip(data, lengths, strict=True)], lengths
