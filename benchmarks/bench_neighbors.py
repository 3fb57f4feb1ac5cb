"""1-NN prediction under soft-DTW: softdtw_learn against tslearn.

ItalyPowerDemand (1029 test against 67 train, length 24) and ArrowHead (175
against 36, length 251), UCR archive (Dau et al. 2019), read from
../shared/data (skipped with a message when absent); gamma 1 for both
libraries, all cores. tslearn: KNeighborsTimeSeriesClassifier(metric="softdtw").
"""

import importlib
import time
import warnings
from pathlib import Path

from softdtw_learn.datasets import read_ucr_file
from softdtw_learn.neighbors import SoftDTWKNeighborsClassifier

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "ucr"


def main():
    if not SHARED.is_dir():
        print(f"skipped: {SHARED} not found (../shared/data is not beside the clone)")
        return
    try:
        neighbors = importlib.import_module("tslearn.neighbors")
    except ImportError:
        neighbors = None
        print("tslearn is not importable: timing softdtw_learn only")
    warnings.simplefilter("ignore")
    for name, suffix in (("ItalyPowerDemand", "ts"), ("ArrowHead", "tsv")):
        X, y = read_ucr_file(SHARED / name / f"{name}_TRAIN.{suffix}")
        Xt, yt = read_ucr_file(SHARED / name / f"{name}_TEST.{suffix}")
        ours = SoftDTWKNeighborsClassifier(gamma=1.0, n_jobs=-1).fit(X, y)
        ours.predict(Xt[:2])  # compile
        start = time.perf_counter()
        accuracy = (ours.predict(Xt) == yt).mean()
        mine = time.perf_counter() - start
        print(f"{name}: softdtw_learn {mine:.3f} s, accuracy {accuracy:.3f}")
        if neighbors is None:
            continue
        theirs_clf = neighbors.KNeighborsTimeSeriesClassifier(
            n_neighbors=1, metric="softdtw", metric_params={"gamma": 1.0}, n_jobs=-1
        ).fit(X[:, :, None], y)
        theirs_clf.predict(Xt[:2, :, None])
        start = time.perf_counter()
        accuracy = (theirs_clf.predict(Xt[:, :, None]) == yt).mean()
        theirs = time.perf_counter() - start
        print(
            f"{name}: tslearn {theirs:.3f} s, accuracy {accuracy:.3f}, "
            f"ratio {theirs / mine:.1f}x"
        )


if __name__ == "__main__":
    main()
