"""``load_ucr``: bundled sets, then a local cache, then the public archive.

Archives: the UCR Time Series Classification Archive (Dau et al., 2019) and
the UEA multivariate archive (Bagnall et al., 2018, arXiv:1811.00075), as
zips served by timeseriesclassification.com.

The cache folder ``data_home/name`` is either absent or complete: a download
is extracted and read in a hidden staging folder inside ``data_home`` and
only then renamed into place, so no failure leaves a half-written folder.
"""

import ftplib
import logging
import os
import re
import shutil
import tempfile
import zipfile
import zlib
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from ..utils import check_flag
from ._bundled import BUNDLED, UCR_CITATION, load_bundled, read_splits

ARCHIVE_URL = "https://www.timeseriesclassification.com/aeon-toolkit/"
"""Where ``{name}.zip`` is downloaded from; ``SOFTDTW_LEARN_ARCHIVE_URL``
overrides it (a mirror)."""

ARCHIVE_SHA256 = {}
"""sha256 of each archive zip whose hash has been recorded; a download of a
recorded name is refused unless its hash matches."""

_UEA_CITATION = (
    'A. Bagnall et al. "The UEA multivariate time series classification '
    'archive, 2018", arXiv:1811.00075.'
)
# Preferred format when a folder holds a dataset in several.
_SUFFIXES = ("tsv", "ts", "arff", "txt")
_FORMATS = ".tsv, .ts, .arff or .txt"
# Archive names: ASCII letters, digits, "_" and "-" ("PEMS-SF"), never a path.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}", flags=re.ASCII)
_SCHEMES = ("http", "https", "ftp")


def _check_name(name):
    if not isinstance(name, str) or _NAME.fullmatch(name) is None:
        raise ValueError(
            "name must be an archive dataset name: ASCII letters, digits, '_' "
            "and '-', starting with a letter or digit, at most 100 characters "
            f"(e.g. 'GunPoint', 'PEMS-SF'); got {name!r}."
        )
    return name


def _default_data_home():
    return Path(
        os.environ.get("SOFTDTW_LEARN_DATA") or Path.home() / "softdtw_learn_data"
    ).expanduser()


def _data_home(data_home):
    """Return the cache root as a Path (``~`` expanded); ValueError if not a path."""
    if data_home is None:
        return _default_data_home()
    raw = os.fspath(data_home) if isinstance(data_home, os.PathLike) else data_home
    if not isinstance(raw, str) or not raw.strip():
        raise ValueError(
            f"data_home must be a folder path (str or path-like), got {data_home!r}."
        )
    home = Path(raw).expanduser()
    if home.exists() and not home.is_dir():
        raise ValueError(
            f"data_home={str(home)!r} is a file, not a folder; pass a folder."
        )
    return home


def _archive_url(name):
    base = os.environ.get("SOFTDTW_LEARN_ARCHIVE_URL") or ARCHIVE_URL
    if urlsplit(base).scheme not in _SCHEMES or not urlsplit(base).netloc:
        raise ValueError(
            f"SOFTDTW_LEARN_ARCHIVE_URL must be an http, https or ftp address, "
            f"got {base!r}; unset it to use {ARCHIVE_URL}."
        )
    return base.rstrip("/") + f"/{name}.zip"


def _find_split(folder, name, split):
    """Path of the file ``<name>_<split>.<suffix>`` under ``folder`` (any depth)."""
    for suffix in _SUFFIXES:
        pattern = f"{name}_{split}.{suffix}"
        hits = sorted(p for p in Path(folder).rglob(pattern) if p.is_file())
        if hits:
            return hits[0]
    return None


def _splits(folder, name):
    return _find_split(folder, name, "TRAIN"), _find_split(folder, name, "TEST")


def _read(name, train, test, source, return_X_y):
    """Read both splits; the Bunch's DESCR names ``source``."""

    def describe(X_train, X_test):
        return (
            f"{name}: {X_train.shape[0]} train and {X_test.shape[0]} test series, "
            f"padded width {X_train.shape[1]}.\nSource: {source}.\nCite: "
            f"{UCR_CITATION} For multivariate sets: {_UEA_CITATION}"
        )

    return read_splits(train, test, return_X_y, describe)


def _not_cached(name, folder, train, test):
    """Say what the cache lacks and how to get it (for download=False)."""
    if train is None and test is None:
        return (
            f"dataset {name!r} is not bundled (bundled: {sorted(BUNDLED)}) and not "
            f"in {folder}; pass download=True to download it, or put {name}_TRAIN "
            f"and {name}_TEST files ({_FORMATS}) in that folder."
        )
    found, missing = (train, "TEST") if test is None else (test, "TRAIN")
    return (
        f"the cache folder {folder} of {name!r} is incomplete: it has {found.name} "
        f"but no {name}_{missing} file ({_FORMATS}); pass download=True to replace "
        "it with a fresh download, or add the missing file."
    )


def _read_cache(name, folder, train, test, return_X_y):
    try:
        return _read(name, train, test, f"the cache {folder}", return_X_y)
    except ValueError as exc:
        raise ValueError(
            f"{exc} The cached copy of {name!r} in {folder} cannot be read; delete "
            f"that folder and call load_ucr({name!r}) to download it again."
        ) from None


def _warnings_only(record):
    return record.levelno >= logging.WARNING


@contextmanager
def _quiet(logger):
    """Drop ``logger``'s records below WARNING for the duration.

    A filter, not ``setLevel``: pooch's logger is not registered with
    ``logging``, so a level change would not reset its ``isEnabledFor`` cache
    and INFO would stay off after the level is restored.
    """
    logger.addFilter(_warnings_only)
    try:
        yield
    finally:
        logger.removeFilter(_warnings_only)


def _staging_folder(home, name):
    """Make a hidden folder inside ``home``, on the cache's file system."""
    try:
        home.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f".{name}-", dir=home))
    except OSError as exc:
        raise type(exc)(
            f"cannot write to the cache folder data_home={str(home)!r} "
            f"({exc.strerror or exc}); pass data_home= a writable folder, or set "
            "SOFTDTW_LEARN_DATA."
        ) from None


def _retrieve(name, url, staging, target):
    """Download ``url`` into ``staging`` with pooch; return the file's path.

    A missing dataset or a checksum mismatch raises ValueError; a network
    failure raises ConnectionError, both naming the URL.
    """
    import pooch
    import requests  # pooch's HTTP client

    known = ARCHIVE_SHA256.get(name)
    fallback = (
        f"Or download {name}.zip yourself, extract it into {target} and call "
        f"load_ucr({name!r}, data_home={str(target.parent)!r}, download=False)."
    )
    try:
        with _quiet(pooch.get_logger()):
            return pooch.retrieve(
                url,
                known_hash=f"sha256:{known}" if known else None,
                fname=f"{name}.zip",
                path=staging,
                progressbar=True,
            )
    except requests.HTTPError as exc:
        status = getattr(exc.response, "status_code", None)
        if status == 404:
            raise ValueError(
                f"dataset {name!r} was not found at {url} (HTTP 404); nothing was "
                "cached. Check the name against the UCR/UEA archive (names are "
                "case-sensitive). " + fallback
            ) from None
        raise ConnectionError(
            f"download of {name} from {url} failed (HTTP {status}); nothing was "
            "cached. Retry later. " + fallback
        ) from None
    except (requests.RequestException, ftplib.Error, EOFError) as exc:
        raise ConnectionError(
            f"download of {name} from {url} failed ({type(exc).__name__}: {exc}); "
            "nothing was cached. Check the connection, or set "
            "SOFTDTW_LEARN_ARCHIVE_URL to a mirror. " + fallback
        ) from None
    except OSError as exc:  # after requests' errors, which are OSErrors too
        raise _write_error(
            exc, f"the download of {name} from {url}", target.parent
        ) from None
    except ValueError as exc:  # pooch's checksum mismatch, when one is known
        check = "its sha256 check" if known else "pooch's checks"
        raise ValueError(
            f"download of {name} from {url} failed {check} ({exc}); nothing "
            "was cached. Retry, or check the mirror."
        ) from None


def _write_error(exc, what, home):
    """Say that ``what`` could not be written into ``home`` (same OSError class)."""
    return type(exc)(
        f"{what} could not be written into {home} ({exc.strerror or exc}); nothing "
        "was cached. Free some space, or pass another data_home."
    )


def _extract(name, url, archive, folder, home):
    try:
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(folder)  # member names cannot leave ``folder``
    except OSError as exc:
        raise _write_error(exc, f"the archive {name}.zip", home) from None
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        raise ValueError(
            f"the file downloaded from {url} for {name!r} is not a valid zip archive "
            f"({exc}); nothing was cached. Retry the download; if it fails again, "
            "the archive on the server is damaged."
        ) from None


def _verify(name, url, extracted, target, return_X_y):
    """Read both splits of an extracted archive; ValueError if they do not load."""
    train, test = _splits(extracted, name)
    for split, path in (("TRAIN", train), ("TEST", test)):
        if path is None:
            raise ValueError(
                f"the archive {name}.zip from {url} has no {name}_{split} file "
                f"({_FORMATS}); nothing was cached. It is not a UCR/UEA dataset "
                "archive: check the name and the mirror."
            )
    try:
        return _read(name, train, test, f"{url}, cached in {target}", return_X_y)
    except ValueError as exc:
        found = str(exc).replace(str(extracted) + os.sep, f"{name}.zip/")
        raise ValueError(
            f"the archive {name}.zip from {url} holds a file that cannot be read "
            f"({found}); nothing was cached. Retry later, or report the file to the "
            "archive's maintainers."
        ) from None


def _install(extracted, target, aside):
    """Rename ``extracted`` to ``target``, replacing an incomplete ``target``."""
    name = target.name
    if target.exists():
        if all(_splits(target, name)):
            return  # another process installed a complete copy meanwhile
        os.replace(target, aside)
    try:
        os.replace(extracted, target)
    except OSError as exc:
        if target.is_dir() and all(_splits(target, name)):
            return  # another process won the race with a complete copy
        if aside.exists() and not target.exists():
            os.replace(aside, target)  # put the user's folder back as it was
        raise type(exc)(
            f"could not move the download of {name} into {target} "
            f"({exc.strerror or exc}); nothing was cached."
        ) from None


def _download(name, home, return_X_y):
    """Download, verify, cache and return ``name``; the cache gets all or nothing."""
    url = _archive_url(name)
    target = home / name
    staging = _staging_folder(home, name)
    try:
        archive = _retrieve(name, url, staging, target)
        extracted = staging / "extracted"
        _extract(name, url, archive, extracted, home)
        data = _verify(name, url, extracted, target, return_X_y)
        _install(extracted, target, staging / "previous")
        return data
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def load_ucr(name, *, data_home=None, download=True, return_X_y=False):
    """Load a UCR/UEA dataset: bundled, cached, or downloaded and cached.

    Looks among the sets bundled in the package, then in ``data_home/name``,
    and otherwise downloads ``name.zip`` from the archive web site with pooch
    (showing a progress bar, nothing else), checks its sha256 when one is
    recorded in ``ARCHIVE_SHA256`` (none is recorded yet: a download is
    trusted once both its splits read), extracts it into a hidden staging folder
    inside ``data_home``, reads both splits there, and only then renames the
    folder into place. A download that fails in any way leaves the cache as it
    was; a cache folder that lacks its TRAIN or TEST file is replaced by a
    fresh download (or reported, with ``download=False``).

    Parameters
    ----------
    name : str
        Dataset name as in the archive, e.g. ``"GunPoint"``: ASCII letters,
        digits, ``_`` and ``-``, starting with a letter or digit.
    data_home : str or path-like, default=None
        Cache folder (``~`` is expanded). Defaults to ``$SOFTDTW_LEARN_DATA``,
        else ``~/softdtw_learn_data``.
    download : bool, default=True
        Download when the dataset is neither bundled nor cached.
    return_X_y : bool, default=False
        Return ``(X_train, y_train, X_test, y_test)`` instead of a Bunch.

    Returns
    -------
    data : sklearn.utils.Bunch
        ``X_train``, ``y_train``, ``X_test``, ``y_test`` (train and test padded
        to one width with trailing NaN) and ``DESCR`` (source and citation).

    Raises
    ------
    ValueError
        For a bad argument; when the dataset is not found (saying where the
        search looked and how to get it) or its cache folder is incomplete
        with ``download=False``; when a cached file cannot be read; when the
        server has no such dataset (HTTP 404), or a download is not a valid
        zip, fails its checksum, lacks a split or holds a file that cannot be
        read. Each message names the dataset and what to do.
    ConnectionError
        When a download fails on the network (no connection, a timeout, an
        HTTP error other than 404). It is an ``OSError``, as the network
        errors of scikit-learn's fetchers are; the message names the URL.
    OSError
        When ``data_home`` cannot be written.

    Examples
    --------
    >>> from softdtw_learn.datasets import load_ucr
    >>> load_ucr("GunPoint").X_test.shape
    (150, 150)
    """
    name = _check_name(name)
    download = check_flag(download, "download")
    return_X_y = check_flag(return_X_y, "return_X_y")
    if name in BUNDLED:
        return load_bundled(name, return_X_y)
    home = _data_home(data_home)
    folder = home / name
    if folder.exists() and not folder.is_dir():
        raise ValueError(
            f"{folder} is a file, not the cache folder of {name!r}; remove or "
            "rename it, or pass another data_home."
        )
    train, test = _splits(folder, name)
    if train is not None and test is not None:
        return _read_cache(name, folder, train, test, return_X_y)
    if not download:
        raise ValueError(_not_cached(name, folder, train, test))
    return _download(name, home, return_X_y)
