"""Peak memory of the value-only and pairwise paths.

Each job runs in a fresh interpreter, compiled on a small input first, so
that its peak RSS growth is the job's own memory:

- one pair of length 100,000 x 100,000 with ``window=100`` (value only);
- ``pairwise_soft_dtw`` on 20,000 series of length 8 (a 3.2 GB output),
  all threads: growth against the size of the output.

Usage: python benchmarks/bench_memory.py [--series N]
"""

import argparse
import subprocess
import sys
import textwrap

# Each job in a fresh interpreter: compile on a small input, then read the
# peak RSS before and after the measured call.
JOB = textwrap.dedent(
    """
    import resource, time
    import numpy as np
    from softdtw_learn.metrics import pairwise_soft_dtw, soft_dtw
    rng = np.random.default_rng(0)
    {setup}
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    {call}
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print((after - before) / 1024, seconds)
    """
)


def growth(setup, call):
    """Peak RSS growth (MB) and seconds of ``call`` after ``setup``."""
    code = JOB.format(setup=setup, call=call)
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    megabytes, seconds = out.split()
    return float(megabytes), float(seconds)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=20_000)
    args = parser.parse_args()
    mb, seconds = growth(
        "x, y = rng.normal(size=100_000), rng.normal(size=100_000)\n"
        "soft_dtw(x[:50], y[:50], gamma=1.0, window=10)",
        "soft_dtw(x, y, gamma=1.0, window=100)",
    )
    print(
        f"value, 100,000 x 100,000, window 100: {seconds:.2f} s, peak RSS +{mb:.1f} MB"
    )
    mb, seconds = growth(
        f"X = rng.normal(size=({args.series}, 8))\n"
        "pairwise_soft_dtw(X[:10], gamma=1.0, n_jobs=-1)",
        "pairwise_soft_dtw(X, gamma=1.0, n_jobs=-1)",
    )
    output = args.series**2 * 8 / 2**20
    print(
        f"pairwise, {args.series} series of length 8: {seconds:.1f} s, peak RSS "
        f"+{mb:.0f} MB for an output of {output:.0f} MB "
        f"(+{mb - output:.0f} MB beyond it)"
    )


if __name__ == "__main__":
    main()
