"""The paper's Table 1 protocol on every data set of ../shared/data.

READS ../shared/data (the UCR/UEA files as distributed); exits with a message
when it is absent. For each set: a class drawn at random, 10 of its training
series, their barycenter from a random start (N(0, 1) values, the scale of
z-normalised series) and from the Euclidean mean (equal lengths only), by DBA
(30 iterations) and by soft-DTW (L-BFGS-B, 100 iterations a stage) with and
without continuation in gamma. The score is the paper's DTW loss, eq. 4 at
gamma 0: ``mean_i dtw(z, x_i) / m_i``. Each set is repeated ``--repeats``
times (fixed seeds) and the losses averaged, as in the paper. Prints, per set,
the losses and seconds per barycenter, then the share of sets on which each
soft-DTW variant beats DBA.

    python benchmarks/study_barycenters.py [--gamma 0.01] [--repeats 3]
"""

import argparse
import time
import warnings
from pathlib import Path

import numpy as np

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "ucr"
FORMATS = (".tsv", ".ts", ".arff")


def _sets():
    """(name, train file) of every set, one file per set."""
    for folder in sorted(SHARED.iterdir()):
        for suffix in FORMATS:
            path = folder / f"{folder.name}_TRAIN{suffix}"
            if path.is_file():
                yield folder.name, path
                break


def _series(path, rng, n):
    from softdtw_learn.datasets import read_ucr_file
    from softdtw_learn.utils import check_dataset

    X, y = read_ucr_file(path)
    data, lengths = check_dataset(X)
    classes = [c for c in np.unique(y) if np.sum(y == c) >= 2]
    label = classes[rng.randint(len(classes))]
    rows = np.flatnonzero(y == label)
    rows = rng.choice(rows, min(n, len(rows)), replace=False)
    return [data[r, : lengths[r]] for r in rows]


def dtw_loss(z, series):
    from softdtw_learn.metrics import dtw

    return float(np.mean([dtw(z, x) / len(x) for x in series]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gamma", type=float, default=0.01)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--series", type=int, default=10)
    args = parser.parse_args()
    if not SHARED.is_dir():
        raise SystemExit(f"skipped: {SHARED} not found (needs ../shared/data)")
    from softdtw_learn.barycenter import dtw_barycenter_averaging, soft_dtw_barycenter

    warnings.simplefilter("ignore")
    methods = {
        "DBA": lambda S, z0: dtw_barycenter_averaging(S, init=z0, max_iter=30),
        "soft-DTW": lambda S, z0: soft_dtw_barycenter(
            S, gamma=args.gamma, init=z0, max_iter=100
        ),
        "soft-DTW + continuation": lambda S, z0: soft_dtw_barycenter(
            S, gamma=args.gamma, init=z0, max_iter=100, continuation="auto"
        ),
    }
    from softdtw_learn.metrics import soft_dtw

    def best_of(S, z0):
        runs = [methods["soft-DTW"](S, z0), methods["soft-DTW + continuation"](S, z0)]
        objective = [
            np.mean([soft_dtw(z, x, gamma=args.gamma) / len(x) for x in S])
            for z in runs
        ]
        return runs[int(np.argmin(objective))]

    methods["best of both"] = best_of
    soft = [m for m in methods if m != "DBA"]
    wins = {(start, m): [] for start in ("random", "mean") for m in soft}
    seconds = {m: [] for m in methods}
    # Compile first.
    S0 = [np.sin(np.linspace(0, 3, 20)), np.cos(np.linspace(0, 3, 20))]
    for method in methods.values():
        method(S0, None)
    print(f"gamma {args.gamma}, {args.repeats} repeats, {args.series} series")
    for name, path in _sets():
        losses = {(s, m): [] for s in ("random", "mean") for m in methods}
        for repeat in range(args.repeats):
            rng = np.random.RandomState(repeat)
            series = _series(path, rng, args.series)
            equal = len({len(x) for x in series}) == 1
            length = int(np.median([len(x) for x in series]))
            starts = {"random": rng.normal(size=(length, series[0].shape[1]))}
            if equal:
                starts["mean"] = np.mean(series, axis=0)
            for start, z0 in starts.items():
                for method, run in methods.items():
                    begin = time.perf_counter()
                    z = run(series, z0)
                    seconds[method].append(time.perf_counter() - begin)
                    losses[start, method].append(dtw_loss(z, series))
        line = [f"{name:24s}"]
        for start in ("random", "mean"):
            if not losses[start, "DBA"]:
                continue
            dba = np.mean(losses[start, "DBA"])
            line.append(f"{start}: DBA {dba:.4f}")
            for method in soft:
                value = np.mean(losses[start, method])
                wins[start, method].append(value < dba)
                line.append(f"{method} {value:.4f}")
        print("  ".join(line), flush=True)
    print()
    for (start, method), won in wins.items():
        print(
            f"{method:24s} beats DBA from the {start:6s} start on "
            f"{100 * np.mean(won):5.1f}% of {len(won)} sets"
        )
    for method, times in seconds.items():
        print(f"{method:24s} {np.mean(times):.3f} s per barycenter")


if __name__ == "__main__":
    main()
