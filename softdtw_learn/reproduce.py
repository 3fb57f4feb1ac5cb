"""The paper's four experiments on a folder of UCR/UEA sets, in one call.

:func:`reproduce` (``softdtw-learn reproduce DATA_DIR`` on the command line)
runs the experiments of section 4 of Cuturi & Blondel (ICML 2017) on every
set of a folder and writes, into an output folder, the tables in the paper's
form (markdown, with the paper's numbers beside), the per-set results, the
Figure 7 scatter plot (PNG and SVG) and an HTML report that links them all:

- Table 1, barycenters: 10 training series of a class drawn at random, their
  soft-DTW barycenter for each gamma of ``GAMMAS`` against DBA from the
  same start (a random start, and the Euclidean mean where the lengths are
  equal); the score is the DTW loss, eq. (4) at gamma 0;
- Table 2, k-means with k the number of classes: soft-DTW k-means against
  DBA k-means from the same centres, scored by the k-means loss in DTW,
  eq. (5) at gamma 0;
- Figure 7, nearest centroid: test accuracy of soft-DTW nearest centroid,
  gamma chosen by cross-validation on the training split, against DBA and
  Euclidean nearest centroid;
- Table 3, forecasting: an MLP with one hidden layer of 50 maps the first
  60% of each series to the rest, trained with the squared loss or with
  soft-DTW (random start, or the squared-loss solution: "Euc. init"); DTW
  and squared test losses, as average ranks.

Each (experiment, set) unit is written as soon as it is done, to a small
JSON file under ``OUT/units/`` (a temporary file, then renamed), and a rerun
skips the units already written with the same settings and data: an
interrupted run resumes where it stopped. The settings of each experiment
are the module's constants (``SETTINGS``); ``max_series`` caps the
series of each split.

Errors: a folder without any set, or an output folder that cannot be
written, is a :class:`ValueError` before any computation. A set whose files
cannot be read is reported (its name, the file and the reader's message) and
left out; the other sets run. A unit whose computation raises
:class:`ValueError` is reported and left unwritten (a rerun tries it again);
the others run. Any other exception (Ctrl-C included) stops the run, and the
units written so far are kept.
"""

import hashlib
import html
import io
import json
import math
import os
import re
import secrets
import sys
import time
import warnings
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .utils import check_flag, check_int, check_n_jobs, short_repr

__all__ = ["reproduce"]

#: The experiments, in the order they run.
EXPERIMENTS = ("table1", "table2", "figure7", "table3")
#: The gammas of Tables 1, 2 and 3 (the paper's), decreasing.
GAMMAS = (1.0, 0.1, 0.01, 0.001)
#: Default cap on the series of each split.
DEFAULT_MAX_SERIES = 100
#: The settings of each experiment; a unit is reused only with the same ones.
SETTINGS = {
    "table1": {
        "gammas": GAMMAS,
        "series": 10,
        "repeats": 10,
        "max_iter": 100,
        "dba_max_iter": 100,
    },
    "table2": {
        "gammas": GAMMAS,
        "max_iter": 30,
        "max_iter_barycenter": 100,
    },
    "figure7": {
        # The paper's range, 1e-3 to 10, one value per decade (the paper
        # took 15 values).
        "gammas": (10.0, 1.0, 0.1, 0.01, 0.001),
        "folds": 3,
        "max_iter": 100,
        "dba_max_iter": 100,
    },
    "table3": {
        "gammas": GAMMAS,
        "ratio": 0.6,
        "hidden_layer_sizes": (50,),
        "alpha": 1.0,
        "max_iter": 200,
    },
}
# Bumped when an experiment's protocol changes: older units are recomputed.
_PROTOCOL = 1
# Data files, in order of preference where a split has several.
_FORMATS = (".tsv", ".ts", ".arff", ".txt")
_SPLIT_FILE = re.compile(r"(?P<name>.+)_(?P<split>TRAIN|TEST)(?P<ext>\.[A-Za-z]+)")
_NPZ_KEYS = ("X_train", "y_train", "X_test", "y_test")

_TITLES = {
    "table1": "Table 1: barycenters, soft-DTW against DBA",
    "table2": "Table 2: k-means, soft-DTW against DBA k-means",
    "figure7": "Figure 7: nearest-centroid accuracy",
    "table3": "Table 3: forecasting, average ranks by training loss",
}
# The paper's results (Cuturi & Blondel 2017, 79 UCR sets).
_PAPER_GAMMAS = ("1", "0.1", "0.01", "0.001")
PAPER = {
    # Shares of sets (%), by gamma.
    "table1": {
        "random": dict(zip(_PAPER_GAMMAS, (40.51, 93.67, 100.0, 97.47), strict=True)),
        "mean": dict(zip(_PAPER_GAMMAS, (3.80, 46.83, 79.75, 89.87), strict=True)),
    },
    "table2": {
        "random": dict(zip(_PAPER_GAMMAS, (15.78, 24.56, 59.64, 77.19), strict=True)),
        "mean": dict(zip(_PAPER_GAMMAS, (29.31, 24.13, 55.17, 68.97), strict=True)),
    },
    "figure7": {"dba": 75.0},
    # Average ranks, by training loss: Euclidean, then soft-DTW by gamma.
    "table3": {
        (measure, start): dict(zip(("euclidean", *_PAPER_GAMMAS), ranks, strict=True))
        for (measure, start), ranks in {
            ("dtw", "random"): (3.46, 3.55, 3.33, 2.79, 1.87),
            ("dtw", "euclidean"): (4.21, 3.96, 3.42, 2.12, 1.29),
            ("squared", "random"): (1.05, 2.41, 3.42, 4.13, 3.99),
            ("squared", "euclidean"): (1.70, 2.99, 3.38, 3.64, 3.29),
        }.items()
    },
}


def _g(gamma):
    """Return a gamma as a JSON key and a column label: ``0.001``."""
    return f"{gamma:g}"


def _seed(*parts):
    """Return a fixed seed for ``parts`` (set name, experiment, ...)."""
    return zlib.crc32("/".join(map(str, parts)).encode("utf-8")) & 0x7FFFFFFF


# Finding and reading the sets --------------------------------------------------


@dataclass(frozen=True)
class _Source:
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
        if match and match["ext"].lower() in _FORMATS:
            found.setdefault(match["name"], {}).setdefault(match["split"], []).append(
                path
            )
    sources = []
    for name, splits in sorted(found.items()):
        if set(splits) != {"TRAIN", "TEST"}:
            have = next(iter(splits))
            want = "TEST" if have == "TRAIN" else "TRAIN"
            notes[name] = (
                f"{splits[have][0]} has no {name}_{want} file beside it "
                f"({', '.join(_FORMATS)}); a set needs both splits."
            )
            continue
        train, test = (_preferred(splits[s]) for s in ("TRAIN", "TEST"))
        sources.append(_Source(name, train, test))
    named = {s.name for s in sources}
    for path in npz:
        if path.stem not in named:
            sources.append(_Source(path.stem, path, None))
    return sources


def _preferred(paths):
    """Return the file of the preferred format among a split's files."""
    return min(paths, key=lambda p: _FORMATS.index(p.suffix.lower()))


def _find_sets(data_dir):
    """Return the sets of ``data_dir`` and notes on the files left out.

    A set is ``NAME_TRAIN.ext`` with ``NAME_TEST.ext`` (``.tsv``, ``.ts``,
    ``.arff`` or ``.txt``; where a split has several, the first of that
    order), or ``NAME.npz`` holding ``X_train``, ``y_train``, ``X_test`` and
    ``y_test``, in ``data_dir`` or in one of its folders (one level down, as
    the archives are laid out: ``NAME/NAME_TRAIN.tsv``).

    Parameters
    ----------
    data_dir : path-like
        An existing folder.

    Returns
    -------
    sources : list of _Source
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
        for source in _folder_sources(folder, notes):
            if source.name in where:
                raise ValueError(
                    f"two sets named {source.name!r}: in {where[source.name]} and "
                    f"in {folder}; keep one of them, or give a folder holding one."
                )
            where[source.name] = folder
            sources.append(source)
    return sources, notes


def _digest(path):
    """SHA-256 of a file's bytes: a changed file invalidates its units."""
    sha = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def _read_npz(path):
    """Read ``X_train``, ``y_train``, ``X_test``, ``y_test`` of a ``.npz`` file."""
    import zipfile

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


def _subsample(X, y, max_series, seed):
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


def _load(source, max_series):
    """Read, check and cap a set; a :class:`ValueError` names the file."""
    from .datasets import read_ucr_file
    from .utils import check_dataset, pad_to_common_width

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
        X, y = _subsample(X, y, max_series, _seed(source.name, "train"))
        Xt, yt = _subsample(Xt, yt, max_series, _seed(source.name, "test"))
        try:
            X, Xt = pad_to_common_width(X, Xt)
        except ValueError as err:
            raise ValueError(f"{source.train} and {source.test}: {err}") from None
        if X.ndim != Xt.ndim:  # one univariate 2-D, the other 3-D
            X, Xt = (Z if Z.ndim == 3 else Z[:, :, None] for Z in (X, Xt))
        digests = {p.name: _digest(p) for p in source.files}
    except OSError as err:
        raise ValueError(
            f"{getattr(err, 'filename', None) or source.train}: cannot read it "
            f"({err.strerror or err})."
        ) from None
    y, yt = _same_kind_labels(y, yt)
    return _Set(source.name, source.files, digests, X, y, Xt, yt, n_read)


# Shared measures -------------------------------------------------------------------


def _trimmed(X):
    """Return the series of a padded dataset, each ``(length, n_channels)``."""
    from .utils import check_dataset

    data, lengths = check_dataset(X)
    return [x[:n] for x, n in zip(data, lengths, strict=True)], lengths


def _dtw_loss(z, series):
    """Return the DTW loss of a barycenter: ``mean_i dtw(z, x_i) / m_i``."""
    from .metrics import dtw

    return float(np.mean([dtw(z, x) / len(x) for x in series]))


def _below(value, other):
    """Whether ``value`` is lower than ``other``, both known (not None)."""
    return value is not None and other is not None and value < other


def _jsonable(value):
    """``value`` with numpy scalars as Python ones and non-finite floats None."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _not_applicable(reason):
    return {"status": "n/a", "reason": reason}


def _classes(data, minimum):
    """Return the labels with ``minimum`` training series, or why there are none."""
    if not data.labelled:
        return None, "no class labels"
    labels, counts = np.unique(data.y_train, return_counts=True)
    return labels[counts >= minimum], None


# Table 1: barycenters ------------------------------------------------------------


def _random_start(series, length, rng):
    """Draw a random start on the scale of the series: N(mean, std) per channel."""
    values = np.concatenate(series)
    mean, std = values.mean(axis=0), values.std(axis=0)
    std[std == 0] = 1.0
    return mean + std * rng.normal(size=(length, values.shape[1]))


def _barycenter_path(series, start, gammas, settings, n_jobs):
    """Soft-DTW barycenters down ``gammas``, each warm-started from the last.

    The first solves with the package's default continuation ("auto"), each
    later one starts from the barycenter of the gamma before. Returns
    ``{gamma: (DTW loss, seconds)}``.
    """
    from .barycenter import soft_dtw_barycenter

    results, z = {}, start
    for k, gamma in enumerate(gammas):
        begin = time.perf_counter()
        z = soft_dtw_barycenter(
            series,
            gamma=gamma,
            init=z,
            max_iter=settings["max_iter"],
            continuation="auto" if k == 0 else None,
            n_jobs=n_jobs,
        )
        results[_g(gamma)] = (_dtw_loss(z, series), time.perf_counter() - begin)
    return results


def _table1(data, settings, n_jobs):
    """DTW losses of DBA and soft-DTW barycenters, averaged over the repeats."""
    from .barycenter import dtw_barycenter_averaging

    classes, reason = _classes(data, 2)
    if reason or len(classes) == 0:
        return _not_applicable(reason or "no class has 2 training series")
    series_all, _ = _trimmed(data.X_train)
    starts = ("random", "mean") if data.equal_length else ("random",)
    losses = {f"{m}_{s}": [] for s in ("random", "mean") for m in ("dba", "soft")}
    losses["euclidean_mean"] = []
    seconds = {"dba": [], "soft": {_g(g): [] for g in settings["gammas"]}}
    picked = []
    for repeat in range(settings["repeats"]):
        rng = np.random.RandomState(_seed(data.name, "table1", repeat))
        label = classes[rng.randint(len(classes))]
        rows = np.flatnonzero(data.y_train == label)
        rows = np.sort(rng.choice(rows, min(settings["series"], len(rows)), False))
        series = [series_all[r] for r in rows]
        picked.append({"class": str(label), "rows": rows.tolist()})
        length = int(np.median([len(x) for x in series]))
        begins = {"random": _random_start(series, length, rng)}
        if data.equal_length:
            mean = np.mean(series, axis=0)
            begins["mean"] = mean
            losses["euclidean_mean"].append(_dtw_loss(mean, series))
        for start in starts:
            begin = time.perf_counter()
            z = dtw_barycenter_averaging(
                series, init=begins[start], max_iter=settings["dba_max_iter"]
            )
            seconds["dba"].append(time.perf_counter() - begin)
            losses[f"dba_{start}"].append(_dtw_loss(z, series))
            path = _barycenter_path(
                series, begins[start], settings["gammas"], settings, n_jobs
            )
            losses[f"soft_{start}"].append({g: v[0] for g, v in path.items()})
            for g, (_, s) in path.items():
                seconds["soft"][g].append(s)
    result = {"repeats": picked, "starts": list(starts), "loss": {}}
    for key, values in losses.items():
        if not values:
            result["loss"][key] = None
        elif isinstance(values[0], dict):
            result["loss"][key] = {
                g: float(np.mean([v[g] for v in values])) for g in values[0]
            }
        else:
            result["loss"][key] = float(np.mean(values))
    result["seconds"] = {
        "dba": float(np.mean(seconds["dba"])),
        "soft": {g: float(np.mean(s)) for g, s in seconds["soft"].items()},
    }
    return {"status": "done", "result": result}


# Table 2: k-means ------------------------------------------------------------------


def _kmeans_dtw_loss(series, lengths, centers):
    """Return the k-means loss in DTW, eq. (5) at gamma 0, averaged over series."""
    from .metrics import pairwise_soft_dtw

    values = pairwise_soft_dtw(series, list(_trimmed(centers)[0]), gamma=0.0)
    return float(np.mean(values.min(axis=1) / lengths))


def _kmeans_starts(data, k):
    """Return the starts, ``{name: centres}``, and the rows of the random one.

    The random start is k training series drawn at random; the other, for
    equal lengths, the centres of Euclidean k-means.
    """
    from sklearn.cluster import KMeans

    seed = _seed(data.name, "table2")
    picks = np.sort(np.random.RandomState(seed).choice(len(data.X_train), k, False))
    starts = {"random": data.X_train[picks]}
    if data.equal_length:
        flat = data.X_train.reshape(len(data.X_train), -1)
        euclid = KMeans(k, n_init=10, random_state=seed).fit(flat)
        starts["kmeans"] = euclid.cluster_centers_.reshape(
            (k,) + data.X_train.shape[1:]
        )
    return starts, picks.tolist()


def _table2(data, settings, n_jobs):
    """k-means losses in DTW of DBA and soft-DTW k-means from the same centres."""
    from .cluster import SoftDTWKMeans

    if not data.labelled:
        return _not_applicable("no class labels: k, the number of classes, is unknown")
    k = len(np.unique(data.y_train))
    if k < 2 or k >= len(data.X_train):
        return _not_applicable(
            f"{k} class(es) for {len(data.X_train)} training series: k-means needs "
            "2 <= k < the number of series"
        )
    series, lengths = _trimmed(data.X_train)
    methods = [("dba", 0.0)] + [(_g(g), g) for g in settings["gammas"]]
    starts, picks = _kmeans_starts(data, k)
    result = {"k": k, "n_series": len(series), "random_rows": picks}
    result.update(loss={}, n_iter={}, seconds={})
    for start, centers in starts.items():
        for key in ("loss", "n_iter", "seconds"):
            result[key][start] = {}
        for method, gamma in methods:
            begin = time.perf_counter()
            model = SoftDTWKMeans(
                k,
                gamma=gamma,
                init=centers,
                max_iter=settings["max_iter"],
                max_iter_barycenter=settings["max_iter_barycenter"],
                n_jobs=n_jobs,
            ).fit(data.X_train)
            loss = _kmeans_dtw_loss(series, lengths, model.cluster_centers_)
            result["loss"][start][method] = loss
            result["n_iter"][start][method] = int(model.n_iter_)
            result["seconds"][start][method] = time.perf_counter() - begin
    return {"status": "done", "result": result}


# Figure 7: nearest centroid ---------------------------------------------------------


def _figure7(data, settings, n_jobs):
    """Test accuracies of soft-DTW (CV gamma), DBA and Euclidean nearest centroid."""
    from sklearn.model_selection import StratifiedKFold
    from sklearn.neighbors import NearestCentroid

    from .neighbors import SoftDTWNearestCentroid, SoftDTWNearestCentroidCV

    if not data.labelled:
        return _not_applicable("no class labels")
    labels, counts = np.unique(data.y_train, return_counts=True)
    if len(labels) < 2 or counts.min() < 2:
        return _not_applicable(
            "cross-validation needs 2 classes with 2 training series each or more"
        )
    folds = int(min(settings["folds"], counts.min()))
    cv = StratifiedKFold(folds, shuffle=True, random_state=_seed(data.name, "cv"))
    X, y, Xt, yt = data.X_train, data.y_train, data.X_test, data.y_test
    begin = time.perf_counter()
    soft = SoftDTWNearestCentroidCV(
        gammas=settings["gammas"],
        cv=cv,
        max_iter=settings["max_iter"],
        n_jobs=n_jobs,
    ).fit(X, y)
    soft_seconds = time.perf_counter() - begin
    begin = time.perf_counter()
    dba = SoftDTWNearestCentroid(
        gamma=0.0, max_iter=settings["dba_max_iter"], n_jobs=n_jobs
    ).fit(X, y)
    dba_seconds = time.perf_counter() - begin
    accuracy = {"softdtw": float(soft.score(Xt, yt)), "dba": float(dba.score(Xt, yt))}
    if data.equal_length:
        flat = len(X), -1
        euclid = NearestCentroid().fit(X.reshape(flat), y)
        accuracy["euclidean"] = float(euclid.score(Xt.reshape(len(Xt), -1), yt))
    else:
        accuracy["euclidean"] = None
    result = {
        "n_train": len(X),
        "n_test": len(Xt),
        "folds": folds,
        "gamma": float(soft.gamma_),
        "cv_score": float(soft.best_score_),
        "accuracy": accuracy,
        "seconds": {"softdtw": soft_seconds, "dba": dba_seconds},
    }
    return {"status": "done", "result": result}


# Table 3: forecasting -------------------------------------------------------------


def _test_losses(model, X, Y):
    """Mean DTW and mean squared Euclidean test losses of a forecaster."""
    from .metrics import paired_soft_dtw

    prediction = model.predict(X)
    dtw = paired_soft_dtw(prediction, Y, gamma=0.0)
    squared = np.sum((prediction - Y) ** 2, axis=tuple(range(1, Y.ndim)))
    return float(np.mean(dtw)), float(np.mean(squared))


def _table3(data, settings, n_jobs):
    """DTW and squared test losses of MLPs by training loss and start."""
    from .forecasting import SoftDTWMLPRegressor, split_series

    if not data.equal_length:
        return _not_applicable("unequal lengths: the MLP needs fixed-size inputs")
    if data.X_train.shape[1] < 5:
        return _not_applicable("series shorter than 5 steps")
    ratio = settings["ratio"]
    X, Y = split_series(data.X_train, ratio)
    Xt, Yt = split_series(data.X_test, ratio)
    common = {
        "hidden_layer_sizes": settings["hidden_layer_sizes"],
        "alpha": settings["alpha"],
        "max_iter": settings["max_iter"],
        "random_state": _seed(data.name, "table3"),
        "n_jobs": n_jobs,
    }
    losses = {"dtw": {}, "squared": {}}
    failed = {}

    def record(key, fit):
        try:
            model = fit()
        except ValueError as err:  # training diverged
            failed[key] = str(err).splitlines()[0]
            losses["dtw"][key] = losses["squared"][key] = None
            return None
        losses["dtw"][key], losses["squared"][key] = _test_losses(model, Xt, Yt)
        return model

    begin = time.perf_counter()
    base = record(
        "euclidean", lambda: SoftDTWMLPRegressor(loss="squared", **common).fit(X, Y)
    )
    for gamma in settings["gammas"]:
        model = SoftDTWMLPRegressor(loss="softdtw", gamma=gamma, **common)
        record(f"random_{_g(gamma)}", lambda m=model: m.fit(X, Y))
        if base is None:
            failed[f"euclidean_{_g(gamma)}"] = "no squared-loss model to start from"
            losses["dtw"][f"euclidean_{_g(gamma)}"] = None
            losses["squared"][f"euclidean_{_g(gamma)}"] = None
            continue
        model = SoftDTWMLPRegressor(loss="softdtw", gamma=gamma, **common)
        record(
            f"euclidean_{_g(gamma)}",
            lambda m=model: m.fit(
                X, Y, coefs_init=base.coefs_, intercepts_init=base.intercepts_
            ),
        )
    result = {
        "n_train": len(X),
        "n_test": len(Xt),
        "n_input": int(X.shape[1]),
        "n_output": int(Y.shape[1]),
        "random_state": common["random_state"],
        "losses": losses,
        "failed": failed,
        "seconds": time.perf_counter() - begin,
    }
    return {"status": "done", "result": result}


_UNITS = {"table1": _table1, "table2": _table2, "figure7": _figure7, "table3": _table3}


def _compute_unit(experiment, data, n_jobs):
    """Run one experiment on one set; return its record (without the key)."""
    from sklearn.exceptions import ConvergenceWarning

    from .utils import LayoutWarning

    begin = time.perf_counter()
    with warnings.catch_warnings():
        # The readers give time-major series: the layout guess has no point.
        warnings.simplefilter("ignore", LayoutWarning)
        # The protocol caps the iterations, as the paper's does.
        warnings.simplefilter("ignore", ConvergenceWarning)
        record = _UNITS[experiment](data, SETTINGS[experiment], n_jobs)
    record["seconds"] = time.perf_counter() - begin
    return _jsonable(record)


# Unit files --------------------------------------------------------------------


def _unit_key(experiment, data, max_series):
    """Return what a unit's result depends on; a stored unit needs the same."""
    from . import __version__

    key = {
        "protocol": _PROTOCOL,
        "softdtw_learn": __version__,
        "experiment": experiment,
        "set": data.name,
        "files": data.digests,
        "max_series": max_series,
        "settings": SETTINGS[experiment],
    }
    return json.loads(json.dumps(key))  # tuples as lists, as read back


def _unit_path(out, experiment, name):
    return out / "units" / experiment / f"{name}.json"


def _write_atomic(path, content):
    """Write ``content`` (str or bytes) to a temporary file, then rename it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.parent / f".{path.name}.{secrets.token_hex(4)}.part"
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        with open(temp, "wb") as stream:
            stream.write(data)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _stored_unit(path, key):
    """Return the stored record at ``path`` if it has ``key``, else None and why."""
    if not path.is_file():
        return None, None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None, f"{path} is unreadable; computing it again"
    if not isinstance(record, dict) or record.get("key") != key:
        return None, f"{path} was computed with other settings or data; computing again"
    return record, None


# Tables ---------------------------------------------------------------------------


@dataclass
class _Table:
    """A table to render as markdown, HTML and reStructuredText."""

    title: str
    header: list
    rows: list
    note: str = ""


def _percent(wins, total):
    if total == 0:
        return "n/a (0 sets)"
    return f"{100 * wins / total:.1f}% ({wins}/{total})"


def _number(value, digits=4):
    if value is None:
        return "n/a"
    if abs(value) >= 1e4 or (value != 0 and abs(value) < 1e-3):
        return f"{value:.3e}"
    return f"{value:.{digits}f}"


def _done(results):
    return {name: r["result"] for name, r in results.items() if r["status"] == "done"}


def _gamma_columns(gammas):
    return [f"gamma = {_g(g)}" for g in gammas]


def _paper_row(label, values, gammas):
    """Return the paper's shares for ``gammas`` (n/a where it ran none)."""
    return [label] + [
        f"{values[_g(g)]:g}%" if _g(g) in values else "n/a" for g in gammas
    ]


def _table1_tables(results):
    done = _done(results)
    gammas = [_g(g) for g in SETTINGS["table1"]["gammas"]]
    rows, seconds = [], []
    for start, what in (("random", "random start"), ("mean", "Euclidean mean start")):
        sets = [r for r in done.values() if start in r["starts"]]
        wins = [
            sum(
                _below(r["loss"][f"soft_{start}"][g], r["loss"][f"dba_{start}"])
                for r in sets
            )
            for g in gammas
        ]
        rows.append([f"{what}, this run"] + [_percent(w, len(sets)) for w in wins])
        rows.append(
            _paper_row(
                f"{what}, paper (79 UCR sets)",
                PAPER["table1"][start],
                SETTINGS["table1"]["gammas"],
            )
        )
    beats_mean = []
    sets = [r for r in done.values() if r["loss"]["euclidean_mean"] is not None]
    for start in ("random", "mean"):
        wins = [
            sum(
                _below(r["loss"][f"soft_{start}"][g], r["loss"]["euclidean_mean"])
                for r in sets
            )
            for g in gammas
        ]
        what = "random" if start == "random" else "Euclidean mean"
        beats_mean.append(
            [f"{what} start, this run"] + [_percent(w, len(sets)) for w in wins]
        )
    if done:
        dba = np.mean([r["seconds"]["dba"] for r in done.values()])
        seconds.append(
            ["seconds per barycenter (mean over sets)", f"{dba:.3f}"]
            + [
                f"{np.mean([r['seconds']['soft'][g] for r in done.values()]):.3f}"
                for g in gammas
            ]
        )
    header = ["start"] + _gamma_columns(SETTINGS["table1"]["gammas"])
    s = SETTINGS["table1"]
    return [
        _Table(
            "Share of sets where the soft-DTW barycenter has a lower DTW loss than DBA",
            header,
            rows,
            f"{s['series']} training series of a class drawn at random, "
            f"{s['repeats']} draws per set, losses averaged over the draws; the "
            "DTW loss is eq. (4) at gamma 0, mean_i dtw(z, x_i) / m_i. DBA runs "
            f"{s['dba_max_iter']} iterations at most and soft-DTW {s['max_iter']} "
            "L-BFGS iterations per gamma, from the same start, down the gammas "
            "(each warm-started from the one before). The Euclidean mean start "
            "needs equal lengths.",
        ),
        _Table(
            "Share of sets where the soft-DTW barycenter has a lower DTW loss than "
            "the Euclidean mean itself",
            header,
            beats_mean,
            "Equal-length sets only.",
        ),
        _Table(
            "Time per barycenter",
            ["time", "DBA"] + _gamma_columns(SETTINGS["table1"]["gammas"]),
            seconds,
            "Soft-DTW: the time of each gamma's solve on the path (the first "
            "includes the 'auto' continuation stages above gamma = 1).",
        ),
    ]


def _table1_detail(results):
    gammas = [_g(g) for g in SETTINGS["table1"]["gammas"]]
    tables = []
    for start, what in (("random", "random start"), ("mean", "Euclidean mean start")):
        rows = []
        for name, record in results.items():
            if record["status"] != "done":
                rows.append([name] + [record["reason"]] + [""] * (len(gammas) + 1))
                continue
            r = record["result"]
            if start not in r["starts"]:
                rows.append([name, "n/a: unequal lengths"] + [""] * (len(gammas) + 1))
                continue
            soft = r["loss"][f"soft_{start}"]
            rows.append(
                [
                    name,
                    _number(r["loss"]["euclidean_mean"]),
                    _number(r["loss"][f"dba_{start}"]),
                ]
                + [
                    _number(soft[g])
                    + (" *" if _below(soft[g], r["loss"][f"dba_{start}"]) else "")
                    for g in gammas
                ]
            )
        tables.append(
            _Table(
                f"DTW loss per set, {what}",
                ["set", "Euclidean mean", "DBA"]
                + [
                    f"soft-DTW {c}"
                    for c in _gamma_columns(SETTINGS["table1"]["gammas"])
                ],
                rows,
                "* marks a soft-DTW loss below DBA's.",
            )
        )
    return tables


def _table2_tables(results):
    done = _done(results)
    gammas = [_g(g) for g in SETTINGS["table2"]["gammas"]]
    rows = []
    labels = {
        "random": ("random series start", "random initialization"),
        "kmeans": ("Euclidean k-means start", "Euclidean mean initialization"),
    }
    paper_key = {"random": "random", "kmeans": "mean"}
    for start, (what, paper) in labels.items():
        sets = [r for r in done.values() if start in r["loss"]]
        wins = [
            sum(_below(r["loss"][start][g], r["loss"][start]["dba"]) for r in sets)
            for g in gammas
        ]
        rows.append([f"{what}, this run"] + [_percent(w, len(sets)) for w in wins])
        rows.append(
            _paper_row(
                f"paper, {paper}",
                PAPER["table2"][paper_key[start]],
                SETTINGS["table2"]["gammas"],
            )
        )
    s = SETTINGS["table2"]
    return [
        _Table(
            "Share of sets where soft-DTW k-means has a lower k-means loss in DTW "
            "than DBA k-means",
            ["start"] + _gamma_columns(SETTINGS["table2"]["gammas"]),
            rows,
            "k = the number of classes, on the training split; the loss is eq. (5) "
            "at gamma 0, mean_i min_j dtw(c_j, x_i) / m_i. Both methods start from "
            "the same centres: k training series drawn at random, or the centres "
            "of Euclidean k-means (scikit-learn, 10 runs; equal lengths only). The "
            "paper's second column starts each barycenter from the Euclidean mean "
            "instead; here each update starts from the previous centre. Lloyd "
            f"iterations: {s['max_iter']} at most; barycenter iterations: "
            f"{s['max_iter_barycenter']} at most.",
        )
    ]


def _table2_detail(results):
    gammas = [_g(g) for g in SETTINGS["table2"]["gammas"]]
    tables = []
    for start, what in (
        ("random", "random series start"),
        ("kmeans", "Euclidean k-means start"),
    ):
        rows = []
        for name, record in results.items():
            if record["status"] != "done":
                rows.append([name, "", record["reason"]] + [""] * len(gammas))
                continue
            r = record["result"]
            if start not in r["loss"]:
                rows.append(
                    [name, str(r["k"]), "n/a: unequal lengths"] + [""] * len(gammas)
                )
                continue
            loss = r["loss"][start]
            rows.append(
                [name, str(r["k"]), _number(loss["dba"])]
                + [
                    _number(loss[g]) + (" *" if _below(loss[g], loss["dba"]) else "")
                    for g in gammas
                ]
            )
        tables.append(
            _Table(
                f"k-means loss in DTW per set, {what}",
                ["set", "k", "DBA k-means"]
                + [
                    f"soft-DTW {c}"
                    for c in _gamma_columns(SETTINGS["table2"]["gammas"])
                ],
                rows,
                "* marks a soft-DTW loss below DBA k-means'.",
            )
        )
    return tables


def _figure7_tables(results):
    done = list(_done(results).values())
    rows = []
    for other, what in (("dba", "DBA"), ("euclidean", "Euclidean")):
        sets = [r for r in done if r["accuracy"][other] is not None]
        at_least = sum(r["accuracy"]["softdtw"] >= r["accuracy"][other] for r in sets)
        better = sum(r["accuracy"]["softdtw"] > r["accuracy"][other] for r in sets)
        paper = f"{PAPER['figure7']['dba']:g}%" if other == "dba" else "not reported"
        rows.append(
            [
                f"soft-DTW against {what} nearest centroid",
                _percent(at_least, len(sets)),
                _percent(better, len(sets)),
                paper,
            ]
        )
    s = SETTINGS["figure7"]
    return [
        _Table(
            "Share of sets where soft-DTW nearest centroid is at least as accurate",
            ["comparison", "at least as accurate", "more accurate", "paper (at least)"],
            rows,
            "Test accuracy. Soft-DTW: gamma chosen by "
            f"{s['folds']}-fold stratified cross-validation on the training split "
            f"among {', '.join(map(_g, s['gammas']))}, along a warm-started "
            "path (SoftDTWNearestCentroidCV). The paper chose gamma among 15 "
            "values from 0.001 to 10 on a 25% validation split of train + test. "
            "Euclidean nearest centroid needs equal lengths.",
        )
    ]


def _figure7_detail(results):
    rows = []
    for name, record in results.items():
        if record["status"] != "done":
            rows.append([name, record["reason"], "", "", "", ""])
            continue
        r = record["result"]
        acc = r["accuracy"]
        rows.append(
            [
                name,
                f"{r['n_train']} / {r['n_test']}",
                _g(r["gamma"]),
                _number(acc["softdtw"], 3),
                _number(acc["dba"], 3),
                _number(acc["euclidean"], 3),
            ]
        )
    return [
        _Table(
            "Test accuracy per set",
            ["set", "train / test series", "CV gamma", "soft-DTW", "DBA", "Euclidean"],
            rows,
        )
    ]


def _ranks(values):
    """Ranks of ``values`` (1 = lowest; ties share the mean rank)."""
    from scipy.stats import rankdata

    return rankdata(values)


def _table3_methods(start):
    gammas = [_g(g) for g in SETTINGS["table3"]["gammas"]]
    return ["euclidean"] + [f"{start}_{g}" for g in gammas]


def _table3_tables(results):
    done = list(_done(results).values())
    gammas = SETTINGS["table3"]["gammas"]
    names = ["Euclidean"] + [f"soft-DTW (gamma = {_g(g)})" for g in gammas]
    tables = []
    for measure, what in (("dtw", "DTW"), ("squared", "Euclidean")):
        columns = {}
        counted = {}
        for start in ("random", "euclidean"):
            methods = _table3_methods(start)
            ranks = [
                _ranks([r["losses"][measure][m] for m in methods])
                for r in done
                if all(r["losses"][measure][m] is not None for m in methods)
            ]
            counted[start] = len(ranks)
            columns[start] = np.mean(ranks, axis=0) if ranks else [None] * len(methods)
        keys = ["euclidean"] + [_g(g) for g in gammas]
        rows = [
            [
                name,
                _number(columns["random"][k], 2),
                _number(PAPER["table3"][(measure, "random")].get(keys[k]), 2),
                _number(columns["euclidean"][k], 2),
                _number(PAPER["table3"][(measure, "euclidean")].get(keys[k]), 2),
            ]
            for k, name in enumerate(names)
        ]
        tables.append(
            _Table(
                f"Average rank when evaluating with the {what} loss",
                [
                    "training loss",
                    f"random init, this run ({counted['random']} sets)",
                    "random init, paper",
                    f"Euclidean init, this run ({counted['euclidean']} sets)",
                    "Euclidean init, paper",
                ],
                rows,
                f"Rank 1 is the lowest test loss among the {len(names)} models of a "
                "column (ties share the mean rank), averaged over the sets that "
                "have all of them.",
            )
        )
    rows = []
    for start, what in (("random", "random init"), ("euclidean", "Euclidean init")):
        cells = []
        for g in gammas:
            key = f"{start}_{_g(g)}"
            sets = [
                r
                for r in done
                if r["losses"]["dtw"][key] is not None
                and r["losses"]["dtw"]["euclidean"] is not None
            ]
            wins = sum(
                _below(r["losses"]["dtw"][key], r["losses"]["dtw"]["euclidean"])
                for r in sets
            )
            cells.append(_percent(wins, len(sets)))
        rows.append([what] + cells)
    s = SETTINGS["table3"]
    tables.append(
        _Table(
            "Share of sets where training with soft-DTW gives a lower DTW test loss "
            "than training with the squared loss",
            ["soft-DTW start"] + _gamma_columns(gammas),
            rows,
            f"SoftDTWMLPRegressor, one hidden layer of {s['hidden_layer_sizes'][0]} "
            f"sigmoid units, alpha = {s['alpha']:g}, {s['max_iter']} L-BFGS "
            f"iterations at most, trained on the first {s['ratio']:.0%} of each "
            "training series to predict the rest; test losses are means over the "
            "test series (DTW: gamma 0; Euclidean: squared distance). Euclidean "
            "init: soft-DTW training starts from the squared-loss model's weights. "
            "Equal-length sets only; the paper trained with Adam.",
        )
    )
    return tables


def _table3_detail(results):
    gammas = [_g(g) for g in SETTINGS["table3"]["gammas"]]
    methods = ["euclidean"] + [
        f"{s}_{g}" for s in ("random", "euclidean") for g in gammas
    ]
    header = (
        ["set", "Euclidean"]
        + [f"soft-DTW {g}" for g in gammas]
        + [f"soft-DTW {g}, Euc. init" for g in gammas]
    )
    tables = []
    for measure, what in (("dtw", "DTW"), ("squared", "squared Euclidean")):
        rows = []
        for name, record in results.items():
            if record["status"] != "done":
                rows.append([name, record["reason"]] + [""] * (len(methods) - 1))
                continue
            losses = record["result"]["losses"][measure]
            rows.append([name] + [_number(losses[m]) for m in methods])
        tables.append(_Table(f"Mean {what} test loss per set", header, rows))
    return tables


_SUMMARIES = {
    "table1": (_table1_tables, _table1_detail),
    "table2": (_table2_tables, _table2_detail),
    "figure7": (_figure7_tables, _figure7_detail),
    "table3": (_table3_tables, _table3_detail),
}


def _markdown_cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def _markdown(tables, title):
    lines = [f"# {title}", ""]
    for table in tables:
        lines += [f"## {table.title}", ""]
        lines.append("| " + " | ".join(map(_markdown_cell, table.header)) + " |")
        lines.append("| " + " | ".join("---" for _ in table.header) + " |")
        for row in table.rows:
            lines.append("| " + " | ".join(map(_markdown_cell, row)) + " |")
        lines.append("")
        if table.note:
            lines += [table.note, ""]
    return "\n".join(lines)


def _html_table(table):
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in table.header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>"
        for row in table.rows
    )
    note = f"<p class='note'>{html.escape(table.note)}</p>" if table.note else ""
    return (
        f"<h3>{html.escape(table.title)}</h3><table><tr>{head}</tr>{body}</table>{note}"
    )


_RST_SPECIAL = re.compile(r"([\\*`|_\[\]<>])")


def _rst_text(text):
    return _RST_SPECIAL.sub(r"\\\1", str(text))


def _rst_table(table, underline):
    lines = [table.title, underline * len(table.title), ""]
    lines += [".. list-table::", "   :header-rows: 1", ""]
    for row in [table.header, *table.rows]:
        for k, cell in enumerate(row):
            lines.append(f"   {'* -' if k == 0 else '  -'} {_rst_text(cell)}".rstrip())
    lines.append("")
    if table.note:
        lines += [_rst_text(table.note), ""]
    return lines


# Figure 7 scatter ---------------------------------------------------------------


def _accuracy_floor(done):
    """Return the lower limit of both axes, a little below the lowest accuracy."""
    values = [v for r in done.values() for v in r["accuracy"].values() if v is not None]
    return max(0.0, np.floor((min(values, default=0.0) - 0.05) * 20) / 20)


def _scatter_panel(ax, points, what, low):
    """One panel of Figure 7: soft-DTW's accuracy against ``what``'s, by set."""
    ax.plot([low, 1], [low, 1], color="0.6", lw=1, zorder=0)
    title = "no set to compare"
    if points:
        xs, ys = np.array([p[1] for p in points]), np.array([p[2] for p in points])
        colors = np.where(ys > xs, "C3", np.where(ys < xs, "C0", "0.4"))
        ax.scatter(xs, ys, s=30, c=colors, zorder=2)
        for k, (name, x, y) in enumerate(points):
            # Alternate the label sides: neighbours overlap less.
            dx, align = (4, "left") if k % 2 == 0 else (-4, "right")
            ax.annotate(
                name,
                (x, y),
                fontsize=6,
                xytext=(dx, 2),
                ha=align,
                textcoords="offset points",
            )
        title = (
            f"soft-DTW at least as accurate on {100 * np.mean(ys >= xs):.0f}% "
            f"of {len(points)} sets"
        )
    ax.set_title(title, fontsize=9)
    ax.set_xlim(low, 1.01)
    ax.set_ylim(low, 1.01)
    ax.set_aspect("equal")
    ax.set_xlabel(f"{what} nearest centroid, test accuracy")
    ax.set_ylabel("soft-DTW nearest centroid (CV gamma), test accuracy")


def _figure7_plot(results):
    """Draw the Figure 7 scatter; return ``{"png": bytes, "svg": bytes}`` or None."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        return None
    done = _done(results)
    low = _accuracy_floor(done)
    fig = Figure(figsize=(10, 5))
    for ax, (other, what) in zip(
        fig.subplots(1, 2), (("dba", "DBA"), ("euclidean", "Euclidean")), strict=True
    ):
        points = [
            (name, r["accuracy"][other], r["accuracy"]["softdtw"])
            for name, r in done.items()
            if r["accuracy"][other] is not None
        ]
        _scatter_panel(ax, points, what, low)
    fig.suptitle(
        "Figure 7: nearest-centroid test accuracy per set; above the diagonal "
        "(red) soft-DTW is more accurate, below (blue) less",
        fontsize=10,
    )
    fig.tight_layout()
    images = {}
    for fmt in ("png", "svg"):
        buffer = io.BytesIO()
        fig.savefig(buffer, format=fmt, dpi=110)
        images[fmt] = buffer.getvalue()
    return images


# The report ------------------------------------------------------------------------


def _versions():
    from ._demo import package_versions

    return package_versions()


def _settings_text(experiment):
    return ", ".join(
        f"{k} {', '.join(map(_g, v)) if isinstance(v, tuple) and k == 'gammas' else v}"
        for k, v in SETTINGS[experiment].items()
    )


def _write_reports(out, run):
    """Write the markdown, the figure, ``results.rst`` and ``index.html``."""
    files = []
    sections, rst = [], []
    for experiment in run["experiments"]:
        results = run["results"][experiment]
        summary, detail = (f(results) for f in _SUMMARIES[experiment])
        title = _TITLES[experiment]
        _write_atomic(out / f"{experiment}.md", _markdown(summary, title))
        _write_atomic(
            out / f"{experiment}_sets.md", _markdown(detail, f"{title}: per set")
        )
        files += [f"{experiment}.md", f"{experiment}_sets.md"]
        figure = ""
        if experiment == "figure7":
            images = _figure7_plot(results)
            if images is None:
                figure = (
                    "<p><em>Figure not drawn: matplotlib is not installed.</em></p>"
                )
            else:
                for fmt, data in images.items():
                    _write_atomic(out / f"figure7.{fmt}", data)
                    files.append(f"figure7.{fmt}")
                figure = '<p><img src="figure7.png" alt="Figure 7 scatter"></p>'
        seconds = run["seconds"][experiment]
        sections.append(
            f"<h2>{html.escape(title)}</h2>"
            f"<p>Settings: {html.escape(_settings_text(experiment))}. Files: "
            f"<a href='{experiment}.md'>{experiment}.md</a>, "
            f"<a href='{experiment}_sets.md'>{experiment}_sets.md</a>. Compute "
            f"time: {seconds['computed']:.1f} s in this run "
            f"({seconds['n_computed']} sets), {seconds['resumed']:.1f} s in earlier "
            f"runs ({seconds['n_resumed']} sets, resumed).</p>"
            + "".join(_html_table(t) for t in summary)
            + figure
            + "<details><summary>Per set</summary>"
            + "".join(_html_table(t) for t in detail)
            + "</details>"
        )
        rst += [title, "-" * len(title), ""]
        for table in summary + detail:
            rst += _rst_table(table, "~")
    _write_atomic(out / "results.rst", "\n".join(rst))
    files.append("results.rst")
    _write_atomic(out / "index.html", _index_page(run, sections))
    files.append("index.html")
    return files


def _index_page(run, sections):
    skipped = "".join(
        f"<li>{html.escape(name)}: {html.escape(reason)}</li>"
        for name, reason in run["skipped"].items()
    )
    failed = "".join(
        f"<li>{html.escape(e)} on {html.escape(name)}: {html.escape(reason)}</li>"
        for (e, name), reason in run["failed"].items()
    )
    versions = _html_table(_Table("Versions", ["package", "version"], run["versions"]))
    set_table = _html_table(
        _Table(
            "Sets",
            ["set", "files", "train series", "test series", "length", "channels"]
            + ["classes"],
            run["set_rows"],
        )
    )
    sets = ", ".join(html.escape(name) for name in run["sets"])
    cap = "no cap" if run["max_series"] is None else f"at most {run['max_series']}"
    style = (
        "body{font-family:sans-serif;max-width:1200px;margin:2em auto;color:#222}"
        "table{border-collapse:collapse;margin:.5em 0}"
        "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}"
        "td:first-child,th:first-child{text-align:left}"
        ".note{color:#555;font-size:90%;max-width:70em}img{max-width:100%}"
    )
    body = [
        "<h1>Soft-DTW (Cuturi &amp; Blondel, ICML 2017): the experiments of "
        "section 4</h1>",
        f"<p>Data: {html.escape(str(run['data_dir']))}, {len(run['sets'])} sets "
        f"({sets}); {cap} series per split (drawn with a fixed seed).</p>",
        f"<p>Wall time of this run: {run['wall']:.1f} s (kernels ready in "
        f"{run['compile']:.1f} s, included); {run['n_computed']} units computed, "
        f"{run['n_resumed']} taken from earlier runs; threads: n_jobs = "
        f"{run['n_jobs']} (None is 1, -1 all {os.cpu_count()} cores).</p>",
    ]
    if skipped:
        body.append(f"<h2>Sets left out</h2><ul>{skipped}</ul>")
    if failed:
        body.append(
            "<h2>Units that failed</h2><p>Not written; a rerun tries them again."
            f"</p><ul>{failed}</ul>"
        )
    body.append(set_table)
    body += sections
    body.append(
        "<h2>Files</h2><p><a href='results.rst'>results.rst</a> (every table, "
        "for Sphinx); units/EXPERIMENT/SET.json (each unit's raw result).</p>"
    )
    body.append(versions)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>softdtw_learn: the paper reproduced</title><style>{style}</style>"
        "</head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )


# The entry point -------------------------------------------------------------------


def _checked_experiments(experiments):
    if isinstance(experiments, str):
        experiments = (experiments,)
    try:
        chosen = list(experiments)
    except TypeError:
        chosen = None
    if not chosen or not all(isinstance(e, str) and e in EXPERIMENTS for e in chosen):
        raise ValueError(
            f"experiments must be a non-empty sequence of {', '.join(EXPERIMENTS)}, "
            f"got {short_repr(experiments)}."
        )
    return [e for e in EXPERIMENTS if e in chosen]


def checked_data_dir(data_dir):
    """Check that ``data_dir`` is an existing folder; return it as a Path."""
    data_dir = Path(data_dir)
    if not data_dir.exists():
        raise ValueError(f"{data_dir}: no such folder; give the folder of the sets.")
    if not data_dir.is_dir():
        raise ValueError(f"{data_dir} is not a folder; give the folder of the sets.")
    return data_dir


def checked_out_dir(out_dir, data_dir):
    """Check that ``out_dir`` can be created or written; return it as a Path."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ValueError(f"{out} exists and is not a folder; give an output folder.")
    resolved, data = out.resolve(), Path(data_dir).resolve()
    if resolved == data or data in resolved.parents:
        raise ValueError(
            f"{out} is inside the data folder {data_dir}; write the results "
            "elsewhere, so that the data stay as they are."
        )
    existing = out
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise ValueError(f"{existing} is not a folder; cannot create {out} in it.")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ValueError(f"cannot write in folder {existing}.")
    return out


def _read_sets(sources, notes, max_series, say):
    """Read every set; a set that cannot be read is left out with its reason."""
    sets, skipped = {}, dict(notes)
    for source in sources:
        try:
            sets[source.name] = _load(source, max_series)
        except ValueError as err:
            message = str(err).splitlines()[0] if str(err) else type(err).__name__
            skipped[source.name] = message
    for name, reason in skipped.items():
        say(f"{name} left out: {reason}", err=True)
    return sets, skipped


def _set_rows(sets):
    """One row per set for the report: files, series used and read, shape."""
    rows = []
    for data in sets.values():
        _, lengths = _trimmed(np.concatenate([data.X_train, data.X_test]))
        low, high = int(lengths.min()), int(lengths.max())
        rows.append(
            [
                data.name,
                ", ".join(p.name for p in data.files),
                f"{len(data.X_train)} of {data.n_read[0]}",
                f"{len(data.X_test)} of {data.n_read[1]}",
                str(low) if low == high else f"{low}-{high}",
                str(1 if data.X_train.ndim == 2 else data.X_train.shape[2]),
                str(len(np.unique(data.y_train))) if data.labelled else "no labels",
            ]
        )
    return rows


def _printer(progress):
    from tqdm import tqdm

    def say(text, err=False):
        if progress:
            tqdm.write(text, file=sys.stderr if err else sys.stdout)

    return say


def reproduce(
    data_dir,
    out_dir="softdtw-reproduce",
    *,
    max_series=DEFAULT_MAX_SERIES,
    n_jobs=None,
    experiments=EXPERIMENTS,
    resume=True,
    progress=True,
):
    """Run the paper's experiments on every set of a folder and write the report.

    The experiments of Cuturi & Blondel (ICML 2017), section 4, with the
    settings of ``softdtw_learn.reproduce.SETTINGS``:

    - Table 1: 10 training series of a class drawn at random, their soft-DTW
      barycenter at gamma 1, 0.1, 0.01 and 0.001 (each gamma warm-started
      from the one before) against DBA from the same start, a random one or
      the Euclidean mean; score: the DTW loss, eq. (4) at gamma 0;
    - Table 2: k-means with k the number of classes, soft-DTW against DBA
      k-means from the same centres; score: the k-means loss in DTW;
    - Figure 7: test accuracy of soft-DTW nearest centroid with gamma chosen
      by cross-validation (:class:`~softdtw_learn.neighbors.SoftDTWNearestCentroidCV`)
      against DBA and Euclidean nearest centroid;
    - Table 3: an MLP with one hidden layer of 50
      (:class:`~softdtw_learn.forecasting.SoftDTWMLPRegressor`) maps the first
      60% of each series to the rest, trained with the squared loss or
      soft-DTW (random start, or the squared-loss weights); DTW and squared
      test losses, as average ranks.

    Writes into ``out_dir``: ``EXPERIMENT.md`` (the tables in the paper's
    form, with the paper's numbers), ``EXPERIMENT_sets.md`` (the results
    per set), ``figure7.png`` and ``figure7.svg`` (with matplotlib),
    ``results.rst`` (every table, for Sphinx), ``index.html`` (all of it,
    with the versions and timings) and ``units/EXPERIMENT/SET.json``.

    Each (experiment, set) unit is written to its JSON file (a temporary
    file, then renamed) as soon as it is done, and a later call reuses the
    units computed with the same settings, ``max_series`` and data files:
    an interrupted run resumes. A set whose files cannot be read is left out
    and reported; a unit whose computation raises :class:`ValueError` is
    reported and not written (the next call tries it again); the other sets
    and units run. Any other exception, Ctrl-C included, stops the run and
    keeps the units already written.

    Parameters
    ----------
    data_dir : path-like
        A folder of sets, ``NAME/NAME_TRAIN.tsv`` and ``NAME/NAME_TEST.tsv``
        (or ``.ts``, ``.arff``, ``.txt``; one file per split, in that order
        of preference), or the files themselves, or ``NAME.npz`` files with
        ``X_train``, ``y_train``, ``X_test`` and ``y_test``.
    out_dir : path-like, default="softdtw-reproduce"
        Output folder, created if needed; not inside ``data_dir``.
    max_series : int or None, default=100
        At most this many series per split (>= 2), drawn with a fixed seed
        per set and split (stratified by class); None uses all.
    n_jobs : int, default=None
        Threads of the kernels: None means 1, -1 all cores.
    experiments : sequence of str, default=("table1", "table2", "figure7", \
"table3")
        The experiments to run (and report).
    resume : bool, default=True
        Reuse the units already in ``out_dir/units`` that were computed with
        the same settings, ``max_series`` and data files (compared by
        SHA-256); False computes every unit again.
    progress : bool, default=True
        Show a progress bar (on a terminal, on stderr) and print a line per
        unit.

    Returns
    -------
    summary : dict
        ``"out_dir"`` (Path), ``"files"`` (the report's file names),
        ``"sets"`` (the set names run), ``"skipped"`` (set name -> why it was
        left out), ``"computed"`` and ``"resumed"`` (lists of ``(experiment,
        set)``), ``"failed"`` (``(experiment, set)`` -> message) and
        ``"results"`` (experiment -> set -> the unit's record).

    Raises
    ------
    ValueError
        Before any computation: a bad argument, a missing data folder, a
        folder with no readable set, two sets of one name, or an output
        folder that cannot be created or written.

    Examples
    --------
    >>> from softdtw_learn.reproduce import reproduce
    >>> summary = reproduce("ucr", "results", max_series=50)  # doctest: +SKIP
    >>> summary["files"][-1]  # doctest: +SKIP
    'index.html'
    """
    from tqdm import tqdm

    from ._warmup import warm_up

    wall = time.perf_counter()
    if max_series is not None:
        max_series = check_int(max_series, "max_series", low=2)
    n_jobs = check_n_jobs(n_jobs)
    chosen = _checked_experiments(experiments)
    resume = check_flag(resume, "resume")
    progress = check_flag(progress, "progress")
    data_dir = checked_data_dir(data_dir)
    out = checked_out_dir(out_dir, data_dir)
    say = _printer(progress)
    sources, notes = _find_sets(data_dir)
    if not sources:
        raise ValueError(
            f"{data_dir}: no UCR/UEA set found; expected NAME_TRAIN and NAME_TEST "
            f"files ({', '.join(_FORMATS)}) or NAME.npz, in the folder or in its "
            "folders (NAME/NAME_TRAIN.tsv)."
        )
    sets, skipped = _read_sets(sources, notes, max_series, say)
    if not sets:
        first = next(iter(skipped.items()))
        raise ValueError(f"{data_dir}: no set could be read; {first[0]}: {first[1]}")
    out.mkdir(parents=True, exist_ok=True)
    run = {
        "data_dir": data_dir,
        "experiments": chosen,
        "sets": list(sets),
        "skipped": skipped,
        "max_series": max_series,
        "results": {e: {} for e in chosen},
        "failed": {},
        "computed": [],
        "resumed": [],
        "seconds": {
            e: {"computed": 0.0, "resumed": 0.0, "n_computed": 0, "n_resumed": 0}
            for e in chosen
        },
        "versions": _versions(),
        "set_rows": _set_rows(sets),
        "compile": 0.0,
        "n_jobs": n_jobs,
    }
    todo = []
    for experiment in chosen:
        for name, data in sets.items():
            key = _unit_key(experiment, data, max_series)
            path = _unit_path(out, experiment, name)
            record, note = _stored_unit(path, key) if resume else (None, None)
            if note:
                say(note, err=True)
            if record is None:
                todo.append((experiment, name, key, path))
                continue
            run["results"][experiment][name] = record
            run["resumed"].append((experiment, name))
            run["seconds"][experiment]["resumed"] += record.get("seconds", 0.0)
            run["seconds"][experiment]["n_resumed"] += 1
    if todo:
        begin = time.perf_counter()
        warm_up(progress=False)
        run["compile"] = time.perf_counter() - begin
    say(
        f"{len(sets)} sets, {len(todo)} units to compute, {len(run['resumed'])} "
        f"from earlier runs; writing to {out}"
    )
    with tqdm(
        total=len(todo), unit="unit", disable=None if progress else True, leave=False
    ) as bar:
        for experiment, name, key, path in todo:
            bar.set_description(f"{experiment} {name}")
            try:
                record = _compute_unit(experiment, sets[name], n_jobs)
            except ValueError as err:
                message = str(err).splitlines()[0] if str(err) else "ValueError"
                run["failed"][(experiment, name)] = message
                say(f"{experiment} {name}: failed: {message}", err=True)
                bar.update(1)
                continue
            record = _jsonable({**record, "key": key})
            _write_atomic(path, json.dumps(record, indent=1, allow_nan=False))
            run["results"][experiment][name] = record
            run["computed"].append((experiment, name))
            run["seconds"][experiment]["computed"] += record["seconds"]
            run["seconds"][experiment]["n_computed"] += 1
            done = "done" if record["status"] == "done" else f"n/a ({record['reason']})"
            say(f"{experiment} {name}: {done}, {record['seconds']:.1f} s")
            bar.update(1)
    for experiment in chosen:  # in the sets' order, whatever ran first
        results = run["results"][experiment]
        run["results"][experiment] = {n: results[n] for n in sets if n in results}
    run["n_computed"], run["n_resumed"] = len(run["computed"]), len(run["resumed"])
    run["wall"] = time.perf_counter() - wall
    files = _write_reports(out, run)
    say(f"report written to {out / 'index.html'} ({run['wall']:.1f} s)")
    return {
        "out_dir": out,
        "files": files,
        "sets": run["sets"],
        "skipped": skipped,
        "computed": run["computed"],
        "resumed": run["resumed"],
        "failed": run["failed"],
        "results": run["results"],
    }
