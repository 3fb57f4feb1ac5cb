"""``load_ucr``: bundled sets, then a local cache, then the public archive.

Archives: the UCR Time Series Classification Archive (Dau et al., 2019) and
the UEA multivariate archive (Bagnall et al., 2018, arXiv:1811.00075), as
zips served by timeseriesclassification.com.
"""

import logging
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

from ._bundled import BUNDLED, UCR_CITATION, load_bundled, read_splits

ARCHIVE_URL = "https://www.timeseriesclassification.com/aeon-toolkit/"
"""Where ``{name}.zip`` is downloaded from; ``SOFTDTW_LEARN_ARCHIVE_URL``
overrides it (a mirror, or a local server in the tests)."""

ARCHIVE_SHA256 = {}
"""sha256 of each archive zip whose hash has been recorded; a download of a
recorded name is refused unless its hash matches."""

_UEA_CITATION = (
    'A. Bagnall et al. "The UEA multivariate time series classification '
    'archive, 2018", arXiv:1811.00075.'
)
# Preferred format when a folder holds a dataset in several.
_SUFFIXES = ("tsv", "ts", "arff", "txt")


def _default_data_home():
    return Path(
        os.environ.get("SOFTDTW_LEARN_DATA", Path.home() / "softdtw_learn_data")
    )


def _find_split(folder, name, split):
    """Path of ``<name>_<split>.<suffix>`` under ``folder`` (any depth)."""
    for suffix in _SUFFIXES:
        hits = sorted(Path(folder).rglob(f"{name}_{split}.{suffix}"))
        if hits:
            return hits[0]
    return None


def _download(name, data_home):
    """Download, verify and extract ``name``; the cache gets all or nothing."""
    import pooch

    base = os.environ.get("SOFTDTW_LEARN_ARCHIVE_URL", ARCHIVE_URL)
    url = base.rstrip("/") + f"/{name}.zip"
    known = ARCHIVE_SHA256.get(name)
    data_home.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=data_home))
    logging.getLogger("pooch").setLevel(logging.WARNING)
    try:
        try:
            archive = pooch.retrieve(
                url,
                known_hash=f"sha256:{known}" if known else None,
                fname=f"{name}.zip",
                path=staging,
                progressbar=False,
            )
        except ValueError as exc:  # pooch's hash mismatch
            raise ValueError(
                f"download of {name} from {url} failed its sha256 check ({exc}); "
                "nothing was cached. Retry, or check the mirror."
            ) from None
        except Exception as exc:  # requests' HTTP and connection errors
            status = getattr(getattr(exc, "response", None), "status_code", None)
            if status == 404:
                raise ValueError(
                    f"dataset {name!r} was not found at {url} (HTTP 404); check the "
                    "name against the UCR/UEA archive."
                ) from None
            raise ConnectionError(
                f"download of {name} from {url} failed ({type(exc).__name__}: "
                f"{exc}); nothing was cached."
            ) from None
        extracted = staging / "extracted"
        try:
            with zipfile.ZipFile(archive) as zf:
                zf.extractall(extracted)
        except zipfile.BadZipFile:
            raise ValueError(
                f"the file downloaded from {url} is not a valid zip archive; "
                "nothing was cached."
            ) from None
        for split in ("TRAIN", "TEST"):
            if _find_split(extracted, name, split) is None:
                raise ValueError(
                    f"the archive from {url} has no {name}_{split} file; "
                    "nothing was cached."
                )
        target = data_home / name
        try:
            extracted.rename(target)  # atomic: a half-written folder is never seen
        except OSError:
            if not target.is_dir():  # another process may have won the race
                raise
        return target, url
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def load_ucr(name, *, data_home=None, download=True, return_X_y=False):
    """Load a UCR/UEA dataset: bundled, cached, or downloaded and cached.

    Looks among the sets bundled in the package, then in ``data_home/name``,
    and otherwise downloads ``name.zip`` from the archive web site with pooch,
    checks its sha256 when one is recorded in ``ARCHIVE_SHA256``, and extracts
    it into a temporary folder renamed into place, so an interrupted download
    never leaves a half-written cache.

    Parameters
    ----------
    name : str
        Dataset name as in the archive, e.g. ``"GunPoint"``.
    data_home : str or path-like, default=None
        Cache folder. Defaults to ``$SOFTDTW_LEARN_DATA``, else
        ``~/softdtw_learn_data``.
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
        When the dataset is not found (saying where the search looked), or a
        download is corrupt or fails its checksum.
    ConnectionError
        When a download breaks off.

    Examples
    --------
    >>> from softdtw_learn.datasets import load_ucr
    >>> load_ucr("GunPoint").X_test.shape
    (150, 150)
    """
    if not isinstance(name, str) or not name or "/" in name or "\\" in name:
        raise ValueError(f"name must be an archive dataset name, got {name!r}.")
    if name in BUNDLED:
        return load_bundled(name, return_X_y)
    home = Path(data_home) if data_home is not None else _default_data_home()
    folder = home / name
    source = f"the cache {folder}"
    if (
        _find_split(folder, name, "TRAIN") is None
        or _find_split(folder, name, "TEST") is None
    ):
        if not download:
            raise ValueError(
                f"dataset {name!r} is not bundled (bundled: {sorted(BUNDLED)}) "
                f"and not in {folder}; pass download=True, or put {name}_TRAIN "
                f"and {name}_TEST files (.tsv, .ts, .arff or .txt) there."
            )
        folder, url = _download(name, home)
        source = f"{url}, cached in {folder}"

    def describe(X_train, X_test):
        return (
            f"{name}: {X_train.shape[0]} train and {X_test.shape[0]} test series, "
            f"padded width {X_train.shape[1]}.\nSource: {source}.\nCite: "
            f"{UCR_CITATION} For multivariate sets: {_UEA_CITATION}"
        )

    return read_splits(
        _find_split(folder, name, "TRAIN"),
        _find_split(folder, name, "TEST"),
        return_X_y,
        describe,
    )
