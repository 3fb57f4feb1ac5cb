"""Nearest centroid on every data set of ../shared/data (the paper's Figure 7).

READS ../shared/data (the UCR/UEA files as distributed); exits with a message
when it is absent. For each set: Euclidean nearest centroid (scikit-learn's,
equal lengths only), DBA nearest centroid (gamma 0), and soft-DTW nearest
centroid with gamma chosen by 3-fold cross-validation over ``--gammas``, once
by ``GridSearchCV(SoftDTWNearestCentroid())``, and by
``SoftDTWNearestCentroidCV`` (the warm-started path) with each of
``--cv-tols``: by default its default (the folds' barycenters at tol 1e-3)
and ``none`` (at ``tol``, as the grid solves them); the first is the one
compared with Euclidean and DBA. Prints test accuracies, the chosen gammas
and the seconds of each search, then the share of sets on which soft-DTW is
at least as accurate as Euclidean, the speed-up of each path over the grid,
and on how many sets each path's test accuracy equals the grid's.

    python benchmarks/study_nearest_centroid.py [--max-train 100] [--cv-tols 0.001,none]
"""

import argparse
import time
import warnings
from pathlib import Path

import numpy as np

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "ucr"
FORMATS = (".tsv", ".ts", ".arff")


def _splits():
    for folder in sorted(SHARED.iterdir()):
        for suffix in FORMATS:
            train = folder / f"{folder.name}_TRAIN{suffix}"
            test = folder / f"{folder.name}_TEST{suffix}"
            if train.is_file() and test.is_file():
                yield folder.name, train, test
                break


def _timed(search, X_train, y_train, X_test, y_test):
    """Fit ``search``; return its test accuracy and the seconds of the fit."""
    start = time.perf_counter()
    search.fit(X_train, y_train)
    return search.score(X_test, y_test), time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gammas", default="1,0.1,0.01,0.001")
    parser.add_argument("--max-train", type=int, default=100)
    parser.add_argument("--max-test", type=int, default=300)
    parser.add_argument(
        "--cv-tols",
        default="0.001,none",
        help="the paths' cv_tol values, separated by commas ('none': tol)",
    )
    args = parser.parse_args()
    if not SHARED.is_dir():
        raise SystemExit(f"skipped: {SHARED} not found (needs ../shared/data)")
    from sklearn.model_selection import GridSearchCV, StratifiedKFold
    from sklearn.neighbors import NearestCentroid

    from softdtw_learn.datasets import read_ucr_file
    from softdtw_learn.neighbors import SoftDTWNearestCentroid, SoftDTWNearestCentroidCV
    from softdtw_learn.utils import pad_to_common_width

    warnings.simplefilter("ignore")
    gammas = [float(g) for g in args.gammas.split(",")]
    cv_tols = [None if t == "none" else float(t) for t in args.cv_tols.split(",")]
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    # Compile first.
    Xw = np.random.RandomState(0).normal(size=(12, 16))
    yw = np.arange(12) % 2
    SoftDTWNearestCentroidCV(gammas=gammas, cv=2, max_iter=3).fit(Xw, yw)
    rows, dtw_wins, dba_wins = [], [], []
    speedups, same = {}, {}
    for name, train, test in _splits():
        X_train, y_train = read_ucr_file(train)
        X_test, y_test = read_ucr_file(test)
        if y_train is None or y_train.dtype.kind == "f":
            continue  # no classes
        rng = np.random.RandomState(0)
        keep = rng.permutation(len(X_train))[: args.max_train]
        X_train, y_train = X_train[keep], y_train[keep]
        X_test, y_test = X_test[: args.max_test], y_test[: args.max_test]
        X_train, X_test = pad_to_common_width(X_train, X_test)
        if np.min(np.unique(y_train, return_counts=True)[1]) < 3:
            continue  # a class too small for 3 folds
        line = f"{name:24s} n={len(X_train):4d}"
        euclid = None
        if not np.isnan(X_train).any() and not np.isnan(X_test).any():
            flat = lambda X: X.reshape(len(X), -1)  # noqa: E731
            euclid = (
                NearestCentroid()
                .fit(flat(X_train), y_train)
                .score(flat(X_test), y_test)
            )
            line += f"  Euclidean {euclid:.3f}"
        dba = SoftDTWNearestCentroid(gamma=0.0, max_iter=30).fit(X_train, y_train)
        dba_score = dba.score(X_test, y_test)
        line += f"  DBA {dba_score:.3f}"
        grid = GridSearchCV(SoftDTWNearestCentroid(n_jobs=-1), {"gamma": gammas}, cv=cv)
        grid_score, grid_s = _timed(grid, X_train, y_train, X_test, y_test)
        line += (
            f"  grid {grid_score:.3f} (gamma {grid.best_params_['gamma']:g}, "
            f"{grid_s:.1f} s)"
        )
        for cv_tol in cv_tols:
            path = SoftDTWNearestCentroidCV(
                gammas=gammas, cv=cv, cv_tol=cv_tol, n_jobs=-1
            )
            score, path_s = _timed(path, X_train, y_train, X_test, y_test)
            line += (
                f"  path cv_tol={cv_tol} {score:.3f} (gamma {path.gamma_:g}, "
                f"{path_s:.1f} s, {grid_s / path_s:.1f}x)"
            )
            speedups.setdefault(cv_tol, []).append(grid_s / path_s)
            same.setdefault(cv_tol, []).append(score == grid_score)
            if cv_tol == cv_tols[0]:  # the first path is compared with the others
                path_score = score
        print(line, flush=True)
        if euclid is not None:
            dtw_wins.append(path_score >= euclid)
            dba_wins.append(path_score >= dba_score)
        rows.append(name)
    print()
    print(
        f"soft-DTW (path) at least as accurate as Euclidean on "
        f"{100 * np.mean(dtw_wins):.0f}% of {len(dtw_wins)} equal-length sets; "
        f"as DBA on {100 * np.mean(dba_wins):.0f}%"
    )
    for cv_tol, ratios in speedups.items():
        print(
            f"path (cv_tol={cv_tol}) over grid: median {np.median(ratios):.1f}x, "
            f"min {np.min(ratios):.1f}x over {len(ratios)} sets; test accuracy "
            f"equal to the grid's on {sum(same[cv_tol])}"
        )


if __name__ == "__main__":
    main()
