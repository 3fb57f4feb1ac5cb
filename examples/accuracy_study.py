"""
Nearest-centroid accuracy on eight UCR datasets (the paper's section 4.3)
=========================================================================

For GunPoint, ECG200, ItalyPowerDemand, ArrowHead, Trace, BME, Coffee and
Chinatown (UCR archive, Dau et al. 2019), prints the test accuracy of

- soft-DTW nearest centroid, gamma chosen by 3-fold grid search over
  {0.01, 0.1, 1, 10} on the training set only;
- Euclidean nearest centroid (scikit-learn's NearestCentroid);
- 1-NN under soft-DTW with gamma 0.1 (values ranked; the signed value is
  fine for ranking).

Data: this study needs ``../shared/data/ucr`` beside the clone (not part of
the package), or any folder laid out as the cache of
:func:`softdtw_learn.datasets.load_ucr` (``<Name>/<Name>_TRAIN.tsv`` and
``_TEST``, or ``.ts``, ``.arff``, ``.txt``), such as
``~/softdtw_learn_data`` once ``load_ucr(name)`` has downloaded the sets
from the archive. The sets are read with ``load_ucr(name, data_home=folder,
download=False)`` (ECG200 and GunPoint are bundled); a set that is absent
is skipped with a message. Trace is also read from the ``Trace.npz`` that
``../shared/data`` holds in place of UCR files. The documentation shows
this script without running it.

Usage: python examples/accuracy_study.py [folder]
"""

import sys
import time
from pathlib import Path

import numpy as np
from sklearn.model_selection import GridSearchCV
from sklearn.neighbors import NearestCentroid

from softdtw_learn.datasets import load_ucr
from softdtw_learn.neighbors import SoftDTWKNeighborsClassifier, SoftDTWNearestCentroid

DATASETS = [
    "GunPoint",
    "ECG200",
    "ItalyPowerDemand",
    "ArrowHead",
    "Trace",
    "BME",
    "Coffee",
    "Chinatown",
]


def load(root, name):
    """Return ``(X_train, y_train, X_test, y_test)``, or the reason it is absent."""
    npz = root / name / f"{name}.npz"
    if npz.is_file():  # tslearn's archive of Trace: (n, length, 1) arrays
        data = np.load(npz)
        return tuple(
            data[key][:, :, 0] if key.startswith("X") else data[key]
            for key in ("X_train", "y_train", "X_test", "y_test")
        )
    try:
        return load_ucr(name, data_home=root, download=False, return_X_y=True)
    except ValueError as err:
        return str(err)


def main(root):
    if not root.is_dir():
        print(
            f"skipped: {root} not found; this study needs ../shared/data/ucr beside "
            "the clone, or a folder of UCR sets given as its argument"
        )
        return
    print(
        f"{'dataset':<18}{'soft-DTW NC':>12}{'gamma':>7}{'Euclid NC':>11}"
        f"{'1-NN sDTW':>11}{'seconds':>9}"
    )
    wins = done = 0
    for name in DATASETS:
        start = time.perf_counter()
        data = load(root, name)
        if isinstance(data, str):
            print(f"{name:<18}skipped: {data}")
            continue
        X, y, Xt, yt = data
        done += 1
        search = GridSearchCV(
            SoftDTWNearestCentroid(max_iter=50, tol=1e-4, n_jobs=-1),
            {"gamma": [0.01, 0.1, 1, 10]},
            cv=3,
        ).fit(X, y)
        soft = search.score(Xt, yt)
        euclid = NearestCentroid().fit(X, y).score(Xt, yt)
        knn = SoftDTWKNeighborsClassifier(gamma=0.1, n_jobs=-1).fit(X, y).score(Xt, yt)
        wins += soft >= euclid
        print(
            f"{name:<18}{soft:>12.3f}{search.best_params_['gamma']:>7g}"
            f"{euclid:>11.3f}{knn:>11.3f}{time.perf_counter() - start:>9.1f}",
            flush=True,
        )
    print(f"soft-DTW NC at least as accurate as Euclidean NC on {wins} of {done} sets")


if __name__ == "__main__":
    default = Path(__file__).resolve().parents[2] / "shared" / "data" / "ucr"
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else default)
