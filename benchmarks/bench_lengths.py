"""Series of many lengths against series of one length: ns per useful cell.

A lane block runs 16 pairs on the grid of its largest; pairs of close
shapes share blocks (``softdtw_learn._dispatch``). This script measures what
that costs, in ns per useful DP cell (the cells of each pair's own band):

- pairwise, 64 white-noise series (labelled as such: a best case) of lengths
  100-163 against 64 of length 132, gamma 0.1, all cores;
- listed pairs (``paired_soft_dtw``, and its values with the gradient), 600
  white-noise pairs with both lengths drawn in [1, 199], against 600 pairs
  of 100 x 100, without a band and with ``window=0.1``, one core;
- pairwise on the real sets of unequal lengths that ../shared/data holds
  (JapaneseVowels, PickupGestureWiimoteZ, UnequalMinimalChinatown; training
  series as distributed), gamma 0.1, all cores, with tslearn's
  ``cdist_soft_dtw`` on the NaN-padded set beside it when tslearn is
  importable (skipped, with a message, when the data are absent).

Usage: python benchmarks/bench_lengths.py
"""

import importlib

import numpy as np
from _timing import best
from _ucr import SHARED, missing

from softdtw_learn._dispatch import effective_n_jobs
from softdtw_learn._kernels import _band
from softdtw_learn.metrics import (
    paired_soft_dtw,
    paired_soft_dtw_terms,
    pairwise_soft_dtw,
)

GAMMA = 0.1
THREADS = effective_n_jobs(-1)
UNEQUAL_SETS = ("JapaneseVowels", "PickupGestureWiimoteZ", "UnequalMinimalChinatown")


def _cells(n, m, window):
    """Cells of an n x m grid inside its band."""
    if window is None:
        return n * m
    lo, hi = _band(int(n), int(m), -1.0, float(window))
    return int((hi - lo + 1).sum())


def _ns(seconds, cells, threads=1):
    return seconds * threads / cells * 1e9


def pairwise_rows(rng):
    many = [rng.normal(size=n) for n in range(100, 164)]
    one = [rng.normal(size=132) for _ in range(64)]
    rows = []
    for label, series in (("lengths 100-163", many), ("length 132", one)):
        lengths = np.array([len(x) for x in series])
        cells = sum(
            int(lengths[p]) * int(lengths[q])
            for p in range(len(series))
            for q in range(p, len(series))
        )
        seconds, _ = best(
            lambda s=series: pairwise_soft_dtw(s, gamma=GAMMA, n_jobs=-1), 5
        )
        rows.append(
            (f"pairwise, 64 white-noise series, {label}", seconds, cells, THREADS)
        )
    return rows


def paired_rows(rng):
    n, m = rng.integers(1, 200, 600), rng.integers(1, 200, 600)
    mixed = ([rng.normal(size=k) for k in n], [rng.normal(size=k) for k in m])
    equal = (list(rng.normal(size=(600, 100))), list(rng.normal(size=(600, 100))))
    rows = []
    for window in (None, 0.1):
        for label, (X, Y) in (("lengths in [1, 199]", mixed), ("100 x 100", equal)):
            cells = sum(
                _cells(len(x), len(y), window) for x, y in zip(X, Y, strict=True)
            )
            value, _ = best(
                lambda X=X, Y=Y, w=window: paired_soft_dtw(X, Y, gamma=GAMMA, window=w),
                5,
            )
            grad, _ = best(
                lambda X=X, Y=Y, w=window: paired_soft_dtw_terms(
                    X, Y, gamma=GAMMA, window=w, divergence=False, grad_x=True
                ),
                5,
            )
            where = f"600 white-noise pairs, {label}, window {window}"
            rows.append((f"paired values, {where}", value, cells, 1))
            rows.append((f"paired values + gradient, {where}", grad, cells, 1))
    return rows


def real_rows():
    why = missing()
    if why:
        print(f"real sets skipped: {why}")
        return []
    from softdtw_learn.datasets import read_ucr_file
    from softdtw_learn.utils import check_dataset

    try:
        tslearn = importlib.import_module("tslearn.metrics")
    except ImportError:
        tslearn = None
        print("tslearn not importable: no peer column")
    rows = []
    for name in UNEQUAL_SETS:
        path = SHARED / name / f"{name}_TRAIN.tsv"
        if not path.is_file():
            path = path.with_suffix(".ts")
        if not path.is_file():
            print(f"{name}: no training file found, skipped")
            continue
        X, _ = read_ucr_file(path)
        _, lengths = check_dataset(X)
        cells = sum(
            int(lengths[p]) * int(lengths[q])
            for p in range(len(lengths))
            for q in range(p, len(lengths))
        )
        seconds, ours = best(lambda X=X: pairwise_soft_dtw(X, gamma=GAMMA, n_jobs=-1))
        label = (
            f"pairwise {name} train, {len(lengths)} series of lengths "
            f"{lengths.min()}-{lengths.max()}"
        )
        peer = ""
        if tslearn is not None:
            padded = X if np.ndim(X) == 3 else np.asarray(X)[:, :, None]
            peer_seconds, theirs = best(
                lambda p=padded: tslearn.cdist_soft_dtw(p, gamma=GAMMA), 1
            )
            gap = np.max(np.abs(theirs - ours)) / np.max(np.abs(ours))
            peer = (
                f"tslearn {peer_seconds:.3g} s ({peer_seconds / seconds:.1f}x; "
                f"max diff / max ours {gap:.0e})"
            )
        rows.append((label, seconds, cells, THREADS, peer))
    return rows


def main():
    rng = np.random.default_rng(0)
    print("| job | seconds | ns per useful cell per core | peer |")
    print("|---|---|---|---|")
    for row in pairwise_rows(rng) + paired_rows(rng) + real_rows():
        label, seconds, cells, threads = row[:4]
        peer = row[4] if len(row) > 4 else ""
        print(
            f"| {label} | {seconds:.4g} | {_ns(seconds, cells, threads):.1f} | {peer} |"
        )


if __name__ == "__main__":
    main()
