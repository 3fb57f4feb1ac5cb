"""Command line: ``softdtw-learn`` (also ``python -m softdtw_learn``)."""

import argparse
import sys
import time

import numpy as np

from .datasets import load_ecg200
from .metrics import dtw, soft_dtw, soft_dtw_alignment, soft_dtw_divergence


def _demo(args):
    """Compare two real ECG200 heartbeats, one of each class."""
    data = load_ecg200()
    X, y = data.X_train, data.y_train
    first = int(np.flatnonzero(y == 1)[0])
    second = int(np.flatnonzero(y == -1)[0])
    x, z = X[first], X[second]
    print(
        f"ECG200 (UCR archive): train series {first} (class 1) and {second} "
        f"(class -1), length {x.size}"
    )
    print("cost: squared Euclidean, not halved; soft-DTW is signed")
    print(f"  DTW (gamma = 0)            {dtw(x, z):12.6f}")
    for gamma in args.gamma:
        start = time.perf_counter()
        value = soft_dtw(x, z, gamma=gamma)
        seconds = time.perf_counter() - start
        divergence = soft_dtw_divergence(x, z, gamma=gamma)
        print(
            f"  gamma = {gamma:<6g} soft-DTW {value:12.6f}   divergence "
            f"{divergence:12.6f}   ({seconds * 1e3:.2f} ms)"
        )
    gamma = args.gamma[-1]
    _, E = soft_dtw_alignment(x, z, gamma=gamma)
    rows = np.arange(E.shape[0])
    expected_j = (E * np.arange(E.shape[1])).sum(axis=1) / E.sum(axis=1)
    shift = expected_j - rows
    print(
        f"expected alignment E at gamma = {gamma:g}: shape {E.shape}, "
        f"expected path length {E.sum():.2f} cells, "
        f"{int((E > 0.5).sum())} cells with E > 0.5"
    )
    print(
        f"  expected time shift E[j | i] - i: mean {shift.mean():+.2f}, "
        f"min {shift.min():+.2f}, max {shift.max():+.2f} steps"
    )
    return 0


def main(argv=None):
    """Run the command line; return the exit status."""
    parser = argparse.ArgumentParser(
        prog="softdtw-learn", description="Learning with soft-DTW."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="soft-DTW between two ECG200 series")
    demo.add_argument(
        "--gamma",
        type=float,
        nargs="+",
        default=[1.0, 0.1],
        help="smoothing values to show (default: 1 0.1)",
    )
    demo.set_defaults(run=_demo)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
