"""How many cells could an exact pruning rule skip on real series? (issue 16)

READS ../shared/data (the UCR files as distributed); exits with a message
when it is absent.

A cell ``(i, j)`` can be left out of the soft-DTW dynamic program when every
path through it weighs below ``e**-40`` of the whole: when

    R(i, j) > UB + gamma * (log D(n - i, m - j) + 40)

with ``UB`` any path's cost (soft-DTW is at most the cost of each path),
``D(a, b)`` the number of paths left (Delannoy numbers, at most
``(1 + sqrt 2) ** (a + b)``) and the remaining costs at least 0: the pruned
value then differs from the exact one by under ``n m e**-40`` relative to
the partition function. For each pair of training series this prints the
share of cells a PrunedDTW-style kernel would still compute (each row's
hull of kept cells), and the share for the union over blocks of 16 pairs,
which is what the lanes kernels (16 pairs in lockstep) would compute. Two
upper bounds: the diagonal path's cost (Euclidean, known in O(n)) and the
DTW value itself (the best a path's cost can give; it needs a full dynamic
program of its own, so it bounds what any cheaper upper bound can do).

    python benchmarks/study_pruning.py [--pairs 40]

The dynamic program here is a plain scalar one, written for the count: it
times nothing.
"""

import argparse
import math
import sys

import numpy as np
from _ucr import missing, read
from numba import njit

# log(1 + sqrt 2): log D(a, b) <= (a + b) * this.
_LOG_DELANNOY_RATE = math.log(1.0 + math.sqrt(2.0))
# A pruned path's weight below e**-_MARGIN of the whole.
_MARGIN = 40.0
_SETS = ("ECG200", "CBF", "ArrowHead", "Coffee", "BME")
_LANES = 16


@njit(cache=False)
def _kept_rows(x, y, gamma, bound):
    """Soft-DTW value with cells pruned above ``bound`` (None-like: inf), and
    each row's first and last kept column."""
    n, m = len(x), len(y)
    R = np.full((n + 1, m + 1), np.inf)
    R[0, 0] = 0.0
    first = np.full(n, m)
    last = np.full(n, -1)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            a, b, c = R[i - 1, j - 1], R[i - 1, j], R[i, j - 1]
            low = min(a, b, c)
            if low == np.inf:
                continue
            if gamma == 0.0:
                value = (x[i - 1] - y[j - 1]) ** 2 + low
            else:
                total = (
                    math.exp(-(a - low) / gamma)
                    + math.exp(-(b - low) / gamma)
                    + math.exp(-(c - low) / gamma)
                )
                value = (x[i - 1] - y[j - 1]) ** 2 + low - gamma * math.log(total)
            rest = (n - i) + (m - j)
            if value > bound + gamma * (_LOG_DELANNOY_RATE * rest + _MARGIN):
                continue
            R[i, j] = value
            first[i - 1] = min(first[i - 1], j - 1)
            last[i - 1] = max(last[i - 1], j - 1)
    return R[n, m], first, last


def _shares(X, gamma, ideal):
    """Kept share per pair (hull) and per block of 16 pairs (union), and the
    largest relative change of the value."""
    n = X.shape[1]
    kept = union = pairs = blocks = 0
    change = 0.0
    for i in range(len(X)):
        firsts, lasts = [], []
        for j in range(len(X)):
            if j == i:
                continue
            x, y = X[i], X[j]
            bound = float(np.sum((x - y) ** 2))
            if ideal:
                bound = _kept_rows(x, y, 0.0, np.inf)[0]
            exact = _kept_rows(x, y, gamma, np.inf)[0]
            value, first, last = _kept_rows(x, y, gamma, bound)
            change = max(change, abs(value - exact) / abs(exact))
            kept += int(np.maximum(last - first + 1, 0).sum())
            pairs += 1
            firsts.append(first)
            lasts.append(last)
        for b in range(0, len(firsts) - _LANES + 1, _LANES):
            low = np.min(firsts[b : b + _LANES], axis=0)
            high = np.max(lasts[b : b + _LANES], axis=0)
            union += _LANES * int(np.maximum(high - low + 1, 0).sum())
            blocks += _LANES
    return kept / (pairs * n * n), union / (blocks * n * n), change


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=40, help="series per set")
    args = parser.parse_args()
    reason = missing()
    if reason:
        sys.exit(f"skipped: {reason}")
    print("share of cells kept (per pair's hull / union over 16 pairs)")
    print(f"{'set':10s} {'gamma':>6s}  {'Euclidean bound':>17s}  {'DTW bound':>17s}")
    for name in _SETS:
        X, _ = read(name, "TRAIN", args.pairs)
        for gamma in (0.01, 0.1, 1.0):
            cells = []
            for ideal in (False, True):
                hull, union, change = _shares(X, gamma, ideal)
                assert change < 1e-12, (name, gamma, change)
                cells.append(f"{hull:.2f} / {union:.2f}")
            print(
                f"{name:10s} {gamma:6g}  {cells[0]:>17s}  {cells[1]:>17s}", flush=True
            )


if __name__ == "__main__":
    main()
