"""Small UCR datasets shipped inside the package (files copied verbatim)."""

from importlib import resources
from pathlib import Path

from sklearn.utils import Bunch

from ..utils import check_flag, pad_to_common_width
from ._readers import read_ucr_file

UCR_CITATION = (
    "H. A. Dau, A. Bagnall, K. Kamgar, C.-C. M. Yeh, Y. Zhu, S. Gharghabi, "
    'C. A. Ratanamahatana, E. Keogh. "The UCR Time Series Archive", IEEE/CAA '
    "Journal of Automatica Sinica, 2019."
)

# name -> (file suffix, description)
BUNDLED = {
    "ECG200": (
        "tsv",
        "ECG200: 200 heartbeats (100 train, 100 test), length 96, two classes "
        "(-1 abnormal, 1 normal).",
    ),
    "CBF": (
        "tsv",
        "CBF: Cylinder-Bell-Funnel, 930 series (30 train, 900 test), length 128, "
        "classes 1, 2, 3.",
    ),
    "GunPoint": (
        "txt",
        "GunPoint: 200 hand motions (50 train, 150 test), length 150, classes "
        "1 (gun draw) and 2 (point).",
    ),
}


def bundled_path(name, split):
    """Return the path of a bundled file.

    Parameters
    ----------
    name : {"ECG200", "CBF", "GunPoint"}
        Dataset name.
    split : {"TRAIN", "TEST"}
        Which part.

    Returns
    -------
    path : pathlib.Path

    Examples
    --------
    >>> from softdtw_learn.datasets import bundled_path
    >>> bundled_path("CBF", "TRAIN").name
    'CBF_TRAIN.tsv'
    """
    if name not in BUNDLED:
        raise ValueError(
            f"name must be one of the bundled sets {sorted(BUNDLED)}, got {name!r}."
        )
    if split not in ("TRAIN", "TEST"):
        raise ValueError(f"split must be 'TRAIN' or 'TEST', got {split!r}.")
    suffix = BUNDLED[name][0]
    root = resources.files("softdtw_learn.datasets") / "data" / name
    return Path(str(root / f"{name}_{split}.{suffix}"))


def common_width(first, second):
    """Pad two datasets with trailing NaN to one width (and one rank).

    Both come back 3-D when one of them is; the padding is
    :func:`~softdtw_learn.utils.pad_to_common_width`'s.
    """
    if first.ndim != second.ndim:
        first = first if first.ndim == 3 else first[:, :, None]
        second = second if second.ndim == 3 else second[:, :, None]
    return pad_to_common_width(first, second)


def read_splits(train, test, return_X_y, describe):
    """Read a TRAIN and a TEST file, padded to one width.

    Returns the four arrays, or a Bunch whose ``DESCR`` is
    ``describe(X_train, X_test)``.
    """
    X_train, y_train = read_ucr_file(train)
    X_test, y_test = read_ucr_file(test)
    X_train, X_test = common_width(X_train, X_test)
    if return_X_y:
        return X_train, y_train, X_test, y_test
    return Bunch(
        X_train=X_train,
        y_train=y_train,
        X_test=X_test,
        y_test=y_test,
        DESCR=describe(X_train, X_test),
    )


def load_bundled(name, return_X_y):
    descr = f"{BUNDLED[name][1]}\n\nSource: UCR archive. Cite: {UCR_CITATION}"
    return read_splits(
        bundled_path(name, "TRAIN"),
        bundled_path(name, "TEST"),
        check_flag(return_X_y, "return_X_y"),
        lambda *_: descr,
    )


def load_ecg200(*, return_X_y=False):
    """Load ECG200 (UCR archive, 2018): heartbeats, length 96, 2 classes.

    Parameters
    ----------
    return_X_y : bool, default=False
        Return ``(X_train, y_train, X_test, y_test)`` instead of a Bunch.

    Returns
    -------
    data : sklearn.utils.Bunch
        ``X_train`` (100, 96), ``y_train``, ``X_test`` (100, 96), ``y_test``
        and ``DESCR`` with the archive citation.

    Examples
    --------
    >>> from softdtw_learn.datasets import load_ecg200
    >>> load_ecg200().X_train.shape
    (100, 96)
    """
    return load_bundled("ECG200", return_X_y)


def load_cbf(*, return_X_y=False):
    """Load CBF (UCR archive, 2018): Cylinder-Bell-Funnel, length 128, 3 classes.

    Parameters
    ----------
    return_X_y : bool, default=False
        Return ``(X_train, y_train, X_test, y_test)`` instead of a Bunch.

    Returns
    -------
    data : sklearn.utils.Bunch
        ``X_train`` (30, 128), ``y_train``, ``X_test`` (900, 128), ``y_test``
        and ``DESCR`` with the archive citation.

    Examples
    --------
    >>> from softdtw_learn.datasets import load_cbf
    >>> load_cbf().X_test.shape
    (900, 128)
    """
    return load_bundled("CBF", return_X_y)


def load_gunpoint(*, return_X_y=False):
    """Load GunPoint (UCR archive): hand motions, length 150, 2 classes.

    Parameters
    ----------
    return_X_y : bool, default=False
        Return ``(X_train, y_train, X_test, y_test)`` instead of a Bunch.

    Returns
    -------
    data : sklearn.utils.Bunch
        ``X_train`` (50, 150), ``y_train``, ``X_test`` (150, 150), ``y_test``
        and ``DESCR`` with the archive citation.

    Examples
    --------
    >>> from softdtw_learn.datasets import load_gunpoint
    >>> load_gunpoint().X_train.shape
    (50, 150)
    """
    return load_bundled("GunPoint", return_X_y)
