"""Our pairwise kernels on real UCR series, under one or more Python interpreters.

The pairwise-on-real-data job of bench_table.py, ours only: the 100 ECG200
training series (length 96), the 30 CBF training series (128) and the 36
ArrowHead training series (251), each X against itself (one triangle with its
diagonal computed), ``n_jobs=-1``, at gamma 0.01, 0.1 and 1, read from
../shared/data as distributed (z-normalised). Prints ns per DP cell per core:
time x threads / (n x n x length^2), and per computed cell (the triangle).

With ``--python PY ...`` each interpreter (an environment where softdtw_learn
is installed, e.g. ``pip install -e .``) runs the job in a fresh process and
the results are printed side by side, with each one's time over the first's:
this compares Numba (and LLVM) versions on the same kernels. Each Numba
version compiles into its own cache folder (``NUMBA_CACHE_DIR``, default
``<tmp>/softdtw_learn_numba_<version>``), so that the versions do not overwrite
each other's cache, nor the project's.

Usage:
    python benchmarks/bench_numba_versions.py [--quick] [--tiny]
    python benchmarks/bench_numba_versions.py --python /tmp/peers/bin/python \
        /tmp/peers063/bin/python
"""

import argparse
import importlib.metadata
import json
import os
import subprocess
import sys
import tempfile

import _ucr
from _timing import best

TINY = 8  # series per data set with --tiny


def measure(repeats, tiny):
    """Run the job in this interpreter: a dict of versions and rows."""
    os.environ.setdefault(
        "NUMBA_CACHE_DIR",
        os.path.join(
            tempfile.gettempdir(),
            f"softdtw_learn_numba_{importlib.metadata.version('numba')}",
        ),
    )
    import numba  # after NUMBA_CACHE_DIR is set

    from softdtw_learn.metrics import pairwise_soft_dtw

    threads = numba.config.NUMBA_NUM_THREADS
    rows = []
    for name, split, n in _ucr.PAIRWISE_SETS:
        X, _ = _ucr.read(name, split, TINY if tiny else n)
        n, length = X.shape
        for gamma in _ucr.GAMMAS:
            seconds, _ = best(
                lambda X=X, gamma=gamma: pairwise_soft_dtw(X, gamma=gamma, n_jobs=-1),
                repeats,
            )
            full = n * n * length * length
            computed = n * (n + 1) // 2 * length * length
            rows.append(
                {
                    "set": f"{name} {split.lower()}",
                    "n": n,
                    "length": length,
                    "gamma": gamma,
                    "seconds": seconds,
                    "ns_cell_core": seconds * threads / full * 1e9,
                    "ns_computed_cell_core": seconds * threads / computed * 1e9,
                }
            )
    return {
        "python": sys.executable,
        "numba": numba.__version__,
        "llvmlite": importlib.metadata.version("llvmlite"),
        "numpy": importlib.metadata.version("numpy"),
        "threads": threads,
        "cache": os.environ["NUMBA_CACHE_DIR"],
        "rows": rows,
    }


def _label(result):
    return f"numba {result['numba']} (llvmlite {result['llvmlite']})"


def print_one(result):
    print(
        f"{result['python']}: {_label(result)}, numpy {result['numpy']}, "
        f"{result['threads']} threads, cache {result['cache']}"
    )
    print(
        f"  {'data set':<16}{'n x length':>12}{'gamma':>7}{'seconds':>11}"
        f"{'ns/cell/core':>14}{'(triangle)':>12}"
    )
    for row in result["rows"]:
        print(
            f"  {row['set']:<16}{row['n']:>5} x {row['length']:<4}{row['gamma']:>7g}"
            f"{row['seconds']:>11.4g}{row['ns_cell_core']:>14.2f}"
            f"{row['ns_computed_cell_core']:>12.2f}"
        )


def print_side_by_side(results):
    print("\nns per DP cell per core (n x n cells); ratio: time / the first's")
    head = f"  {'data set':<16}{'n x length':>12}{'gamma':>7}"
    for k, result in enumerate(results):
        head += f"  {_label(result):>32}" + ("" if k == 0 else f"{'ratio':>7}")
    print(head)
    first = results[0]["rows"]
    for i, row in enumerate(first):
        line = f"  {row['set']:<16}{row['n']:>5} x {row['length']:<4}{row['gamma']:>7g}"
        for k, result in enumerate(results):
            other = result["rows"][i]
            line += f"  {other['ns_cell_core']:>32.2f}"
            if k:
                line += f"{other['seconds'] / row['seconds']:>6.2f}x"
        print(line)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 repeats, not 10")
    parser.add_argument(
        "--tiny",
        action="store_true",
        help=f"smoke test: {TINY} series per data set, one repeat",
    )
    parser.add_argument(
        "--python",
        nargs="+",
        metavar="PY",
        help="interpreters to run the job in, one after the other (default: this one)",
    )
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    reason = _ucr.missing()
    if reason:
        print(f"skipped: {reason}")
        return
    repeats = 1 if args.tiny else 3 if args.quick else 10
    if not args.python:
        result = measure(repeats, args.tiny)
        if args.json:
            print(json.dumps(result))
        else:
            print_one(result)
        return
    flags = [flag for flag in ("--quick", "--tiny") if getattr(args, flag[2:])]
    results = []
    for python in args.python:
        done = subprocess.run(
            [python, os.path.abspath(__file__), "--json", *flags],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            print(f"{python} failed (exit {done.returncode}):\n{done.stderr}")
            continue
        result = json.loads(done.stdout.strip().splitlines()[-1])
        print_one(result)
        results.append(result)
    if len(results) > 1:
        print_side_by_side(results)


if __name__ == "__main__":
    main()
