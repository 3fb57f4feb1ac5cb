"""How often the barycenter lanes' screen (``_kernels._scaled_hopeless``) is right.

For random pairs (random walks, white noise, noisy copies of a random walk;
lengths 8-200; gamma log-uniform in 0.01-10; seed 1) it compares the screen's
decision with what the scaled lanes pass actually does, and prints the counts:
screened and would have failed (right), screened but the scaled pass would
have been exact (work sent to the log domain for nothing), not screened and
exact, not screened and failed (a scaled pass wasted before the log domain).

Usage: python benchmarks/scaled_screen.py [n_pairs]
"""

import sys

import numpy as np

from softdtw_learn import _kernels


def _pair(rng, kind, n):
    if kind == 0:
        return np.cumsum(rng.normal(size=(2, n, 1)), axis=1)
    if kind == 1:
        return rng.normal(size=(2, n, 1))
    x = np.cumsum(rng.normal(size=(n, 1)), axis=0)
    return x, x + 0.3 * rng.normal(size=(n, 1))


def main(n_pairs=3000):
    rng = np.random.default_rng(1)
    counts = {}
    for trial in range(n_pairs):
        n = int(rng.integers(8, 200))
        x, y = _pair(rng, trial % 3, n)
        gamma = 10 ** rng.uniform(-2, 1)
        lo, hi = _kernels._band_bounds(n, n, -1.0)
        later, whole = _kernels._path_cost_bounds(x, y, lo, hi, gamma)
        value, exact = np.empty(1), np.zeros(1, dtype=bool)
        _kernels._lanes_value_grads_scaled(
            x,
            np.ascontiguousarray(y[:, :, None]),
            lo,
            hi,
            gamma,
            np.ascontiguousarray(later[:, None]),
            value,
            exact,
            np.empty((n, 1, 1)),
        )
        key = (
            bool(_kernels._scaled_hopeless(whole, _kernels._PAIR_TOP)),
            bool(exact[0]),
        )
        counts[key] = counts.get(key, 0) + 1
    print(f"{n_pairs} pairs")
    for (screened, exact), label in [
        ((True, False), "screened, scaled would fail"),
        ((True, True), "screened, scaled would be exact"),
        ((False, True), "not screened, scaled exact"),
        ((False, False), "not screened, scaled failed"),
    ]:
        print(f"{label:34s} {counts.get((screened, exact), 0)}")


if __name__ == "__main__":
    main(*map(int, sys.argv[1:]))
