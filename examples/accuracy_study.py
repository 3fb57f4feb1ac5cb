"""
Nearest-centroid accuracy on eight UCR datasets (the paper's section 4.3)
=========================================================================

For GunPoint, ECG200, ItalyPowerDemand, ArrowHead, Trace, BME, Coffee and
Chinatown (UCR archive, Dau et al. 2019; read from ../shared/data, skipped
with a message when it is absent), prints the test accuracy of

- soft-DTW nearest centroid, gamma chosen by 3-fold grid search over
  {0.01, 0.1, 1, 10} on the training set only;
- Euclidean nearest centroid (scikit-learn's NearestCentroid);
- 1-NN under soft-DTW with gamma 0.1 (values ranked; the signed value is
  fine for ranking).

Usage: python examples/accuracy_study.py [path/to/shared/data/ucr]
"""

import sys
import time
from pathlib import Path

import numpy as np
from sklearn.model_selection import GridSearchCV
from sklearn.neighbors import NearestCentroid

from softdtw_learn.datasets import read_ucr_file
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
    folder = root / name
    if (folder / f"{name}.npz").is_file():
        data = np.load(folder / f"{name}.npz")
        return (
            data["X_train"][:, :, 0],
            data["y_train"],
            data["X_test"][:, :, 0],
            data["y_test"],
        )
    for suffix in ("tsv", "ts", "txt"):
        train = folder / f"{name}_TRAIN.{suffix}"
        if train.is_file():
            X, y = read_ucr_file(train)
            Xt, yt = read_ucr_file(folder / f"{name}_TEST.{suffix}")
            return X, y, Xt, yt
    raise FileNotFoundError(folder)


def main(root):
    if not root.is_dir():
        print(f"skipped: {root} not found (../shared/data is not beside the clone)")
        return
    print(
        f"{'dataset':<18}{'soft-DTW NC':>12}{'gamma':>7}{'Euclid NC':>11}"
        f"{'1-NN sDTW':>11}{'seconds':>9}"
    )
    wins = 0
    for name in DATASETS:
        start = time.perf_counter()
        X, y, Xt, yt = load(root, name)
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
    print(
        f"soft-DTW NC at least as accurate as Euclidean NC on {wins} of "
        f"{len(DATASETS)} sets"
    )


if __name__ == "__main__":
    default = Path(__file__).resolve().parents[2] / "shared" / "data" / "ucr"
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else default)
