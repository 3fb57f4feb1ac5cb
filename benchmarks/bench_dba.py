"""DBA: softdtw_learn's against tslearn's, same starts, same iterations.

Uses the bundled ECG200, CBF and GunPoint training sets (no ../shared needed).
For each: the first ``--series`` series, start at their Euclidean mean,
30 iterations with no early stop. Prints each result's DTW loss (eq. 4 at
gamma 0), the largest difference between the two barycenters, and the
seconds (best of 3, after a warm-up). Run it where tslearn is installed (see
README.md); without tslearn only ours is timed.

    /tmp/peers/bin/python benchmarks/bench_dba.py
"""

import argparse
import importlib
import time
import warnings

import numpy as np


def _best(run, repeats=3):
    run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        out = run()
        times.append(time.perf_counter() - start)
    return min(times), out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--series", type=int, default=20)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    from softdtw_learn.barycenter import dtw_barycenter_averaging
    from softdtw_learn.datasets import load_cbf, load_ecg200, load_gunpoint
    from softdtw_learn.metrics import dtw

    try:
        tslearn = importlib.import_module("tslearn.barycenters")
    except ImportError:
        tslearn = None
        print("tslearn is not installed: ours only")
    for name, load in (
        ("ECG200", load_ecg200),
        ("CBF", load_cbf),
        ("GunPoint", load_gunpoint),
    ):
        X = np.asarray(load().X_train[: args.series], dtype=np.float64)
        start = X.mean(axis=0)

        def loss(z, X=X):
            return np.mean([dtw(z, x) / len(x) for x in X])

        ours_s, ours = _best(
            lambda X=X, start=start: dtw_barycenter_averaging(
                X, init=start, max_iter=30, tol=0.0
            )
        )
        line = (
            f"{name:9s} n={len(X)} T={X.shape[1]}: ours {ours_s * 1e3:7.1f} ms, "
            f"loss {loss(ours):.6f}"
        )
        if tslearn is not None:
            theirs_s, theirs = _best(
                lambda X=X, start=start: tslearn.dtw_barycenter_averaging(
                    X[:, :, None], init_barycenter=start[:, None], max_iter=30, tol=0.0
                )[:, 0]
            )
            line += (
                f"; tslearn {theirs_s * 1e3:7.1f} ms, loss {loss(theirs):.6f}, "
                f"ratio {theirs_s / ours_s:5.1f}x, "
                f"max |diff| {np.max(np.abs(ours - theirs)):.2e}"
            )
        print(line)


if __name__ == "__main__":
    main()
