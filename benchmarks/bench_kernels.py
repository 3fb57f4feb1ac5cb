"""Soft-DTW kernel benchmark: softdtw_learn against the peers, side by side.

Times, on the same random data in the same process:

- the value of one pair (lengths 128, 512, 2048; 1 and 4 channels), one core;
- the value and gradient w.r.t. x of one pair, one core;
- the 300 x 300 pairwise matrix at length 128, gamma 0.1, all cores;
- the first call in a fresh process, with a cold and a warm Numba cache;
- the peak memory of one value-only pair at length 2048.

Peers are used where importable: tslearn (``tslearn==0.10.0``), aeon
(``aeon==1.6.0``) and sdtw (PyPI ``soft-dtw==0.1.6``). They are never
dependencies of softdtw_learn; see benchmarks/README.md for their install.
Results: best of several repeats, in ns per DP cell (time / (n * m)); a
ratio is peer time / softdtw_learn time (higher means we are faster).

Usage: python benchmarks/bench_kernels.py [--quick] [--no-pairwise-peers]
"""

import argparse
import importlib
import os
import subprocess
import sys
import tempfile
import textwrap

import numba
import numpy as np
from _timing import best

from softdtw_learn.metrics import pairwise_soft_dtw, soft_dtw, soft_dtw_grad

GAMMA = 0.1


def _peer(name):
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def value_functions(x, y):
    """Value of one pair for each available implementation."""
    funcs = {"softdtw_learn": lambda: soft_dtw(x, y, gamma=GAMMA)}
    tslearn = _peer("tslearn.metrics")
    if tslearn:
        funcs["tslearn"] = lambda: tslearn.soft_dtw(x, y, gamma=GAMMA)
    aeon = _peer("aeon.distances")
    if aeon:
        xt, yt = np.ascontiguousarray(x.T), np.ascontiguousarray(y.T)
        funcs["aeon"] = lambda: aeon.soft_dtw_distance(xt, yt, gamma=GAMMA)
    sdtw = _peer("sdtw")
    if sdtw:
        from sdtw.distance import SquaredEuclidean

        funcs["sdtw"] = lambda: sdtw.SoftDTW(
            SquaredEuclidean(x, y), gamma=GAMMA
        ).compute()
    return funcs


def grad_functions(x, y):
    """Value and gradient w.r.t. x (aeon has no gradient API)."""
    funcs = {"softdtw_learn": lambda: soft_dtw_grad(x, y, gamma=GAMMA)}
    variants = _peer("tslearn.metrics.softdtw_variants")
    if variants:

        def tslearn_grad():
            dist = variants.SquaredEuclidean(x, y)
            sdtw = variants.SoftDTW(dist.compute(), gamma=GAMMA)
            value = sdtw.compute()
            return value, dist.jacobian_product(sdtw.grad())

        funcs["tslearn"] = tslearn_grad
    if _peer("sdtw"):
        from sdtw import SoftDTW
        from sdtw.distance import SquaredEuclidean

        def sdtw_grad():
            dist = SquaredEuclidean(x, y)
            sdtw = SoftDTW(dist, gamma=GAMMA)
            value = sdtw.compute()
            return value, dist.jacobian_product(sdtw.grad())

        funcs["sdtw"] = sdtw_grad
    return funcs


def pairwise_functions(X, with_peers):
    funcs = {"softdtw_learn": lambda: pairwise_soft_dtw(X, gamma=GAMMA, n_jobs=-1)}
    if not with_peers:
        return funcs
    tslearn = _peer("tslearn.metrics")
    if tslearn:
        funcs["tslearn"] = lambda: tslearn.cdist_soft_dtw(X, gamma=GAMMA, n_jobs=-1)
    aeon = _peer("aeon.distances")
    if aeon:
        Xt = np.ascontiguousarray(X.transpose(0, 2, 1))
        funcs["aeon"] = lambda: aeon.soft_dtw_pairwise_distance(
            Xt, gamma=GAMMA, n_jobs=-1
        )
    if _peer("sdtw"):
        from sdtw import SoftDTW
        from sdtw.distance import SquaredEuclidean

        def sdtw_loop():
            n = len(X)
            out = np.zeros((n, n))
            for a in range(n):
                for b in range(a, n):
                    out[a, b] = out[b, a] = SoftDTW(
                        SquaredEuclidean(X[a], X[b]), gamma=GAMMA
                    ).compute()
            return out

        funcs["sdtw (one core)"] = sdtw_loop
    return funcs


def report(title, funcs, cells, repeats, warm_ups=None):
    """Time each implementation; ``warm_ups`` are cheap calls that compile."""
    print(f"\n{title}")
    print(f"  {'implementation':<18}{'seconds':>12}{'ns/cell':>10}{'ratio':>9}  check")
    ours = None
    reference = None
    for name, func in funcs.items():
        warm_up = warm_ups[name] if warm_ups else func
        seconds, result = best(
            func, repeats if name == "softdtw_learn" else max(1, repeats // 3), warm_up
        )
        value = result[0] if isinstance(result, tuple) else result
        value = np.asarray(value, dtype=float)
        if ours is None:
            ours, reference = seconds, value
            check = ""
        else:
            scale = np.abs(reference).max()
            check = f"max rel diff {np.abs(value - reference).max() / scale:.1e}"
        ratio = seconds / ours
        print(
            f"  {name:<18}{seconds:>12.4g}{seconds / cells * 1e9:>10.1f}"
            f"{ratio:>8.1f}x  {check}"
        )


FIRST_CALL = textwrap.dedent(
    """
    import time
    start = time.perf_counter()
    {imports}
    import numpy as np
    x, y = np.linspace(0, 1, 64), np.linspace(0, 2, 50)
    {call}
    print(time.perf_counter() - start)
    """
)


def first_call(imports, call, cache_dir):
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir)
    code = FIRST_CALL.format(imports=imports, call=call)
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return float(out.strip().splitlines()[-1])


def first_calls():
    print("\nfirst call in a fresh process (import + compile or load + one pair)")
    candidates = {
        "softdtw_learn": (
            "from softdtw_learn.metrics import soft_dtw",
            "soft_dtw(x, y, gamma=0.1)",
        ),
    }
    if _peer("tslearn"):
        candidates["tslearn"] = (
            "from tslearn.metrics import soft_dtw",
            "soft_dtw(x, y, gamma=0.1)",
        )
    if _peer("aeon"):
        candidates["aeon"] = (
            "from aeon.distances import soft_dtw_distance",
            "soft_dtw_distance(x, y, gamma=0.1)",
        )
    for name, (imports, call) in candidates.items():
        with tempfile.TemporaryDirectory() as cache:
            cold = first_call(imports, call, cache)
            warm = first_call(imports, call, cache)
        print(f"  {name:<18} cold cache {cold:6.2f} s   warm cache {warm:6.2f} s")


# Compile first, then fork: a child's peak RSS starts at its RSS at the fork,
# so its growth is the call's own memory, not the compiler's. The growth of
# the same call at length 16 (interpreter and allocator noise) is subtracted.
MEMORY = textwrap.dedent(
    """
    import os, resource
    import numpy as np
    {imports}
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(2048, 1)), rng.normal(size=(2048, 1))
    small = x[:16], y[:16]
    {call_small}

    def growth(run):
        read, write = os.pipe()
        if os.fork() == 0:
            before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            run()
            after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            os.write(write, str(after - before).encode())
            os._exit(0)
        os.wait()
        return float(os.read(read, 64).decode()) / 1024

    print(growth(lambda: {call}) - growth(lambda: {call_small}))
    """
)


def memory():
    print(
        "\npeak RSS growth of one value-only pair at length 2048, minus that at "
        "length 16 (MB)"
    )
    candidates = {
        "softdtw_learn": (
            "from softdtw_learn.metrics import soft_dtw",
            "soft_dtw({}, gamma=0.1)",
        ),
    }
    if _peer("tslearn"):
        candidates["tslearn"] = (
            "from tslearn.metrics import soft_dtw",
            "soft_dtw({}, gamma=0.1)",
        )
    if _peer("aeon"):
        candidates["aeon"] = (
            "from aeon.distances import soft_dtw_distance",
            "soft_dtw_distance({}, gamma=0.1)",
        )
    for name, (imports, call) in candidates.items():
        code = MEMORY.format(
            imports=imports, call_small=call.format("*small"), call=call.format("x, y")
        )
        out = subprocess.run(
            [sys.executable, "-c", code], check=True, capture_output=True, text=True
        ).stdout
        print(f"  {name:<18} {float(out.strip().splitlines()[-1]):8.2f} MB")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument(
        "--no-pairwise-peers",
        action="store_true",
        help="skip the peers' pairwise runs (minutes)",
    )
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print(f"numba threads available: {numba.config.NUMBA_NUM_THREADS}; gamma = {GAMMA}")
    peers = [p for p in ("tslearn", "aeon", "sdtw") if _peer(p)]
    print(f"peers importable: {', '.join(peers) or 'none'}")
    for d in (1, 4):
        for n in (128, 512, 2048):
            x, y = rng.normal(size=(n, d)), rng.normal(size=(n, d))
            repeats = 3 if args.quick else max(3, 200_000 // (n * n) * 3 + 3)
            report(
                f"value, length {n}, {d} channel(s)",
                value_functions(x, y),
                n * n,
                repeats,
            )
            report(
                f"value + gradient, length {n}, {d} channel(s)",
                grad_functions(x, y),
                n * n,
                repeats,
            )
    X = rng.normal(size=(300, 128, 1))
    with_peers = not args.no_pairwise_peers
    report(
        f"pairwise 300 x 300, length 128, {numba.config.NUMBA_NUM_THREADS} threads "
        "(tslearn/aeon n_jobs=-1); ns per cell of one triangle",
        pairwise_functions(X, with_peers),
        300 * 301 / 2 * 128 * 128,
        1 if args.quick else 3,
        pairwise_functions(X[:4], with_peers),
    )
    first_calls()
    memory()


if __name__ == "__main__":
    main()
