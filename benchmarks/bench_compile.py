"""First-use cost: Numba compilation with a cold cache, and loading with a warm one.

Each measurement runs in a fresh interpreter with ``NUMBA_CACHE_DIR`` set to a
new temporary folder (cold cache: every kernel compiles), then again in a
second fresh interpreter on the same folder (warm cache: kernels load):

- ``import softdtw_learn.metrics``, then the first call of each public
  function of ``softdtw_learn.metrics``, one after the other in one process,
  in the order of the README's metrics example and then the others (a later
  call reuses what an earlier one compiled);
- the README's metrics example in all (imports included), run from its text;
- the README's estimator example in all, likewise (this includes its work).

Prints a markdown table (seconds) and writes it to results_compile.md here.
``--quick`` times only the import and ``soft_dtw``, cold and warm, and writes
nothing. Run it alone on the machine: it is CPU-bound for minutes.

Usage: python benchmarks/bench_compile.py [--quick]
"""

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import numba

HERE = Path(__file__).resolve().parent
README = HERE.parent / "README.md"

# (label, statement): the README's metrics example first, then the rest of
# softdtw_learn.metrics' public functions.
CALLS = [
    ("soft_dtw", "soft_dtw(x, y, gamma=0.1)"),
    ("soft_dtw_grad", "soft_dtw_grad(x, y, gamma=0.1)"),
    (
        "pairwise_soft_dtw (divergence, n_jobs=-1)",
        "pairwise_soft_dtw([x, y], gamma=0.1, divergence=True, n_jobs=-1)",
    ),
    ("soft_dtw_alignment", "soft_dtw_alignment(x, y, gamma=0.1)"),
    ("soft_dtw_from_cost", "soft_dtw_from_cost((x[:, None] - y) ** 2, gamma=0.1)"),
    ("soft_dtw_divergence", "soft_dtw_divergence(x, y, gamma=0.1)"),
    ("dtw (return_path)", "dtw(x, y, return_path=True)"),
    ("paired_soft_dtw", "paired_soft_dtw([x, y], [y, x], gamma=0.1)"),
    ("pairwise_soft_dtw_chunked", "list(pairwise_soft_dtw_chunked([x, y], gamma=0.1))"),
]

# Times the import, then each call, in a fresh interpreter; prints JSON.
FIRST_CALLS = textwrap.dedent(
    """
    import json, sys, time
    calls = json.loads(sys.argv[1])
    seconds = {}
    start = time.perf_counter()
    import softdtw_learn.metrics
    seconds["import softdtw_learn.metrics"] = time.perf_counter() - start
    from softdtw_learn.metrics import *
    import numpy as np
    x, y = np.sin(np.linspace(0, 6, 50)), np.sin(np.linspace(0.5, 6.5, 40))
    for label, statement in calls:
        start = time.perf_counter()
        exec(statement)
        seconds[label] = time.perf_counter() - start
    print(json.dumps(seconds))
    """
)

# Times one README example, read from stdin, in a fresh interpreter.
EXAMPLE = textwrap.dedent(
    """
    import sys, time, warnings
    code = sys.stdin.read()
    warnings.simplefilter("ignore")  # ConvergenceWarning of short runs
    start = time.perf_counter()
    exec(compile(code, "README.md", "exec"), {})
    print(time.perf_counter() - start)
    """
)


def readme_example(heading):
    """The first python block after ``## heading`` in README.md."""
    pattern = rf"^## {heading}\n.*?```python\n(.*?)```"
    return re.search(pattern, README.read_text(), re.S | re.M).group(1)


def run(script, cache_dir, args=(), stdin=None):
    """Last line of stdout of ``script`` in a fresh interpreter."""
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir)
    out = subprocess.run(
        [sys.executable, "-c", script, *args],
        env=env,
        input=stdin,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return out.strip().splitlines()[-1]


def cold_and_warm(script, args=(), stdin=None):
    """Run ``script`` twice on one new Numba cache: ``(cold, warm)`` outputs."""
    with tempfile.TemporaryDirectory() as cache:
        cold = run(script, cache, args, stdin)
        warm = run(script, cache, args, stdin)
    return cold, warm


def first_calls(calls):
    """``{label: (cold, warm)}`` for the import and each first call."""
    cold, warm = cold_and_warm(FIRST_CALLS, [json.dumps(calls)])
    cold, warm = json.loads(cold), json.loads(warm)
    return {label: (cold[label], warm[label]) for label in cold}


def examples():
    """``{label: (cold, warm)}`` for the README's two examples."""
    rows = {}
    for label, heading in (
        ("README metrics example, in all", "Example"),
        ("README estimator example, in all", "Estimators"),
    ):
        cold, warm = cold_and_warm(EXAMPLE, stdin=readme_example(heading))
        rows[label] = (float(cold), float(warm))
    return rows


def table(rows):
    lines = [
        f"Numba {numba.__version__}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores ({platform.processor() or platform.machine()}); "
        "each row in a fresh interpreter, first calls in one process in order.",
        "",
        "| step | cold cache (s) | warm cache (s) |",
        "|---|---|---|",
    ]
    lines += [f"| {label} | {c:.2f} | {w:.3f} |" for label, (c, w) in rows.items()]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="only soft_dtw; writes nothing"
    )
    args = parser.parse_args()
    if args.quick:
        print(table(first_calls(CALLS[:1])))
        return
    rows = first_calls(CALLS)
    rows.update(examples())
    text = table(rows)
    print(text)
    (HERE / "results_compile.md").write_text("# First use: compilation\n\n" + text)
    print(f"wrote {HERE / 'results_compile.md'}")


if __name__ == "__main__":
    main()
