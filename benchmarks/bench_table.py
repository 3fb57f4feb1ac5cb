"""Every benchmark job against every importable peer, written as tables.

Runs, in one process on the same data (jobs selected with ``--jobs``):

- ``value``: the value and the value + gradient of one pair (white noise,
  lengths 128, 512, 2048, one core);
- ``pairwise``: the 300 x 300 matrix of white noise at length 128 (the best
  case), then real UCR series (../shared/data) at gamma 0.01, 0.1 and 1: the
  100 ECG200 training series (length 96), the 30 CBF training series (128)
  and the 36 ArrowHead training series (251), each X against itself, all
  cores, with each peer's largest difference from our matrix;
- ``barycenter``: 30 ECG200 training series, gamma 0.01, 0.1 and 1, 100
  L-BFGS-B iterations from the Euclidean mean, with each result's objective;
- ``kmeans``: 300 bundled CBF series (k = 3, gamma 1, 10 iterations, seeds 0,
  1, 2), then the first 300 CBF test series of ../shared/data at gamma 1 and
  0.1;
- ``neighbors``: 1-NN on ItalyPowerDemand and ArrowHead (../shared/data).

Rows that read ../shared/data are skipped, with a printed reason, when it is
absent. The UCR series are z-normalised as distributed and used as read.
Peers: tslearn, aeon, sdtw and pysdtw (on the CPU), where importable; see
benchmarks/README.md for their install.

For each job: our time, ns per DP cell per core, the floor (the cells'
arithmetic alone, see ``_floor.py``), and each peer's time with the ratio
peer / ours. With every job and without ``--tiny``, writes
``benchmarks/results.md`` and ``docs/benchmark_results.rst`` (the docs' full
table); the markdown is printed in any case.

Usage: python benchmarks/bench_table.py [--quick] [--tiny] [--jobs JOB,...]
"""

import argparse
import datetime
import importlib
import importlib.metadata
import inspect
import os
import platform
import warnings
from functools import partial
from pathlib import Path

import _ucr
import numba
import numpy as np
from _floor import floor_ns
from _timing import best
from bench_kernels import GAMMA, grad_functions, pairwise_functions, value_functions
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import adjusted_rand_score

import softdtw_learn
from softdtw_learn.barycenter import soft_dtw_barycenter
from softdtw_learn.cluster import SoftDTWKMeans
from softdtw_learn.datasets import load_cbf, read_ucr_file
from softdtw_learn.metrics import pairwise_soft_dtw, soft_dtw
from softdtw_learn.neighbors import SoftDTWKNeighborsClassifier

ROOT = Path(__file__).resolve().parents[1]
SHARED = _ucr.SHARED
PEERS = ("tslearn", "aeon", "sdtw", "pysdtw")
JOBS = ("value", "pairwise", "barycenter", "kmeans", "neighbors")
TINY = 8  # series per data set with --tiny


def _peer(name):
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _threads():
    return numba.config.NUMBA_NUM_THREADS


def pysdtw_value(x, y, grad):
    pysdtw = _peer("pysdtw")
    torch = _peer("torch")
    loss = pysdtw.SoftDTW(gamma=GAMMA, use_cuda=False)
    xt = torch.tensor(x[None])
    yt = torch.tensor(y[None])

    def run():
        if not grad:
            with torch.no_grad():
                return loss(xt, yt).numpy()
        xg = xt.clone().requires_grad_(True)
        value = loss(xg, yt)
        value.sum().backward()
        return value.detach().numpy()

    return run


def pysdtw_pairwise(X):
    pysdtw = _peer("pysdtw")
    torch = _peer("torch")
    loss = pysdtw.SoftDTW(gamma=GAMMA, use_cuda=False)
    Xt = torch.tensor(X)

    def run():
        n = len(X)
        out = np.zeros((n, n))
        with torch.no_grad():
            for a in range(n):  # one batch per row of the triangle
                rest = Xt[a:]
                values = loss(Xt[a : a + 1].expand(len(rest), -1, -1), rest).numpy()
                out[a, a:] = out[a:, a] = values
        return out

    return run


class Table:
    def __init__(self, peers):
        self.peers = peers
        self.rows = []

    def add(self, job, ours, cells=None, floor=None, peers=None, note="", cores=1):
        """One row; ``cells`` DP cells charged, ``cores`` threads the time used."""
        self.rows.append((job, ours, cells, floor, peers or {}, note, cores))
        print(
            f"{job}: {ours:.4g} s "
            + " ".join(f"{k} {v:.4g} s" for k, v in (peers or {}).items())
            + (f" ({note})" if note else "")
        )

    def _cells(self):
        """Header and rows as text cells, shared by both formats."""
        head = ["job", "softdtw_learn", "ns/cell/core", "floor"]
        head += [_version(p) for p in self.peers]
        body = [head]
        for job, ours, cells, floor, peers, note, cores in self.rows:
            body.append(
                [
                    job + (f" ({note})" if note else ""),
                    f"{ours:.3g} s",
                    f"{ours * cores / cells * 1e9:.1f}" if cells else "",
                    f"{floor:.3g} s" if floor else "",
                ]
                + [
                    f"{peers[p]:.3g} s ({peers[p] / ours:.1f}x)" if p in peers else "-"
                    for p in self.peers
                ]
            )
        return body

    def markdown(self):
        head, *rows = self._cells()
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(lines)

    def rst(self):
        out = [".. list-table::", "   :header-rows: 1", ""]
        for row in self._cells():
            out.append(f"   * - {row[0]}")
            out.extend(f"     - {cell}" for cell in row[1:])
        return "\n".join(out)


def _version(name):
    if name == "softdtw_learn":
        return f"softdtw_learn {softdtw_learn.__version__}"
    try:
        package = "soft-dtw" if name == "sdtw" else name
        return f"{name} {importlib.metadata.version(package)}"
    except importlib.metadata.PackageNotFoundError:
        return name


def machine():
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores, numba threads "
        f"{_threads()}; {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}, numpy "
        f"{np.__version__}, numba {numba.__version__}; "
        f"{datetime.date.today().isoformat()}"
    )


def _rel_diff(value, reference):
    """Largest absolute difference over the largest magnitude of ``reference``."""
    return float(np.abs(value - reference).max() / np.abs(reference).max())


def value_job(table, floors, repeats, tiny):
    rng = np.random.default_rng(0)
    forward_ns, both_ns = floors or (None, None)
    for n in (128,) if tiny else (128, 512, 2048):
        x, y = rng.normal(size=(n, 1)), rng.normal(size=(n, 1))
        reps = repeats or max(3, 200_000 // (n * n) * 3 + 3)
        for title, funcs, floor in (
            ("value", value_functions(x, y), forward_ns),
            ("value + gradient", grad_functions(x, y), both_ns),
        ):
            if _peer("pysdtw") and _peer("torch"):
                funcs["pysdtw"] = pysdtw_value(x, y, title != "value")
            numba.set_num_threads(1)
            times = {
                name: best(
                    func, reps if name == "softdtw_learn" else max(1, reps // 3)
                )[0]
                for name, func in funcs.items()
            }
            numba.set_num_threads(_threads())
            ours = times.pop("softdtw_learn")
            table.add(
                f"{title}, white noise, length {n}, one core",
                ours,
                n * n,
                n * n * floor * 1e-9 if floor else None,
                times,
            )


def white_noise_pairwise(table, floors, repeats, tiny):
    rng = np.random.default_rng(0)
    n = TINY if tiny else 300
    X = rng.normal(size=(n, 128, 1))
    funcs = pairwise_functions(X, True)
    if "sdtw (one core)" in funcs:  # one core is said in the row's note
        funcs["sdtw"] = funcs.pop("sdtw (one core)")
    if _peer("pysdtw") and _peer("torch"):
        funcs["pysdtw"] = pysdtw_pairwise(X)
    warm = pairwise_functions(X[:4], False)["softdtw_learn"]
    times = {}
    for name, func in funcs.items():
        times[name] = best(
            func,
            repeats if name == "softdtw_learn" else 1,
            warm if name == "softdtw_learn" else False,
        )[0]
    ours = times.pop("softdtw_learn")
    computed = n * (n + 1) / 2 * 128 * 128
    table.add(
        f"pairwise, white noise (N(0,1), best case), {n} x {n}, length 128, "
        f"gamma {GAMMA}, {_threads()} threads",
        ours,
        n * n * 128 * 128,
        computed * floors[0] * 1e-9 / _threads() if floors else None,
        times,
        note="sdtw: one core",
        cores=_threads(),
    )


def real_pairwise(table, floors, repeats, tiny):
    reason = _ucr.missing()
    if reason:
        print(f"pairwise on real data skipped: {reason}")
        return
    tslearn = _peer("tslearn.metrics")
    aeon = _peer("aeon.distances")
    threads = _threads()
    for name, split, n in _ucr.PAIRWISE_SETS:
        X, _ = _ucr.read(name, split, TINY if tiny else n)
        n, length = X.shape
        X3 = X[:, :, None]  # tslearn: (n, length, channels)
        Xa = np.ascontiguousarray(X[:, None, :])  # aeon: (n, channels, length)
        for gamma in _ucr.GAMMAS:
            ours, matrix = best(
                partial(pairwise_soft_dtw, X, gamma=gamma, n_jobs=-1), repeats
            )
            times, checks = {}, []
            if tslearn:
                run = partial(tslearn.cdist_soft_dtw, gamma=gamma, n_jobs=-1)
                times["tslearn"], theirs = best(
                    partial(run, X3), 1, partial(run, X3[:4])
                )
                checks.append(f"tslearn {_rel_diff(theirs, matrix):.0e}")
            if aeon:
                run = partial(
                    aeon.pairwise_distance, method="soft_dtw", gamma=gamma, n_jobs=-1
                )
                times["aeon"], theirs = best(partial(run, Xa), 1, partial(run, Xa[:4]))
                # aeon returns |soft-DTW| and leaves the diagonal at 0.
                off = ~np.eye(n, dtype=bool)
                checks.append(
                    f"aeon {_rel_diff(theirs[off], np.abs(matrix[off])):.0e} "
                    "(absolute value, off-diagonal)"
                )
            computed = n * (n + 1) / 2 * length * length
            table.add(
                f"pairwise {name} {split.lower()}, {n} x {n}, length {length}, "
                f"gamma {gamma:g}, {threads} threads",
                ours,
                n * n * length * length,
                computed * floors[0] * 1e-9 / threads if floors else None,
                times,
                note="max diff / max ours: " + ", ".join(checks) if checks else "",
                cores=threads,
            )


def pairwise_job(table, floors, repeats, tiny):
    white_noise_pairwise(table, floors, repeats, tiny)
    real_pairwise(table, floors, repeats, tiny)


def _objective(z, X, gamma):
    """Mean soft-DTW from ``z`` to the series, by softdtw_learn's ``soft_dtw``."""
    z = np.asarray(z, dtype=np.float64).ravel()
    return float(np.mean([soft_dtw(z, x, gamma=gamma) for x in X]))


# L-BFGS-B runs max_iter iterations for everyone: tol 0 stops it only there
# (or where the line search fails), since the objectives are scaled differently.
BARYCENTER_TOL = 0.0


def barycenter_job(table, repeats, tiny):
    reason = _ucr.missing()
    if reason:
        print(f"barycenter on real data skipped: {reason}")
        return
    X, _ = _ucr.read("ECG200", "TRAIN", TINY if tiny else 30)
    n, length = X.shape
    max_iter = 10 if tiny else 100
    init = X.mean(axis=0)  # the Euclidean mean, everyone's start
    warnings.simplefilter("ignore", ConvergenceWarning)
    barycenters = _peer("tslearn.barycenters")
    averaging = _peer("aeon.clustering.averaging")
    # Our iteration count, where this version of softdtw_learn reports it.
    parameters = inspect.signature(soft_dtw_barycenter).parameters
    n_iter = "return_n_iter" in parameters
    extra = {"return_n_iter": True} if n_iter else {}
    if "continuation" in parameters:
        extra["continuation"] = None  # one L-BFGS-B run, as the peers do
    for gamma in _ucr.GAMMAS:
        ours, z = best(
            partial(
                soft_dtw_barycenter,
                X,
                gamma=gamma,
                init=init,
                max_iter=max_iter,
                tol=BARYCENTER_TOL,
                n_jobs=-1,
                **extra,
            ),
            repeats,
        )
        iterations = ""
        if n_iter:
            z, iterations = z[0], f" ({z[1]} iterations)"
        objectives = [f"objective ours {_objective(z, X, gamma):.6g}{iterations}"]
        times = {}
        if barycenters:
            run = partial(
                barycenters.softdtw_barycenter,
                gamma=gamma,
                max_iter=max_iter,
                tol=BARYCENTER_TOL,
                n_jobs=-1,
            )
            times["tslearn"], theirs = best(
                partial(run, X[:, :, None], init=init[:, None]),
                1,
                partial(run, X[:2, :, None], init=init[:, None], max_iter=1),
            )
            objectives.append(f"tslearn {_objective(theirs, X, gamma):.6g}")
        if averaging:
            # aeon averages along soft-DTW alignment paths (Petitjean), not by
            # the gradient of the objective; shown for its objective.
            run = partial(
                averaging.elastic_barycenter_average,
                distance="soft_dtw",
                gamma=gamma,
                n_jobs=-1,
            )
            times["aeon"], theirs = best(
                partial(
                    run, X[:, None, :], max_iters=max_iter, init_barycenter=init[None]
                ),
                1,
                partial(run, X[:2, None, :], max_iters=1, init_barycenter=init[None]),
            )
            objectives.append(
                f"aeon (path averaging) {_objective(theirs, X, gamma):.6g}"
            )
        table.add(
            f"barycenter, {n} ECG200 train x {length}, gamma {gamma:g}, "
            f"{max_iter} L-BFGS-B iterations, all cores",
            ours,
            peers=times,
            note=", ".join(objectives),
        )


def _fit_once(model, X, warm_n=20):
    """Seconds of one ``model.fit(X)``, and the fitted model.

    A one-iteration fit on ``warm_n`` series runs first, so that no library's
    just-in-time compilation is timed.
    """
    warm = clone(model).set_params(max_iter=1)
    return best(partial(model.fit, X), 1, partial(warm.fit, X[:warm_n]))


def _predict_time(model, X, repeats):
    """Best seconds of ``model.predict(X)``, compiled on two series first."""
    return best(partial(model.predict, X), repeats, partial(model.predict, X[:2]))[0]


def _kmeans_row(table, title, X, y, gamma, seed, with_aeon, max_iter):
    """Ours, tslearn's and (``with_aeon``) aeon's soft-DTW k-means on ``X``."""
    clustering = _peer("tslearn.clustering")
    aeon = _peer("aeon.clustering")
    warm_n = min(20, len(X))
    ours, km = _fit_once(
        SoftDTWKMeans(3, gamma=gamma, max_iter=max_iter, n_jobs=-1, random_state=seed),
        X,
        warm_n,
    )
    scores = [f"ARI ours {adjusted_rand_score(y, km.labels_):.3f}"]
    times = {}
    if clustering:
        times["tslearn"], tk = _fit_once(
            clustering.TimeSeriesKMeans(
                3,
                metric="softdtw",
                max_iter=max_iter,
                metric_params={"gamma": gamma},
                n_jobs=-1,
                random_state=seed,
            ),
            X[:, :, None],
            warm_n,
        )
        scores.append(f"tslearn {adjusted_rand_score(y, tk.labels_):.3f}")
    if aeon and with_aeon:
        # aeon's centres: barycentre averaging along soft-DTW alignment paths.
        times["aeon"], ak = _fit_once(
            aeon.TimeSeriesKMeans(
                3,
                distance="soft_dtw",
                distance_params={"gamma": gamma},
                average_params={"gamma": gamma},
                n_init=1,
                max_iter=max_iter,
                random_state=seed,
                n_jobs=-1,
            ),
            X[:, None, :],
            warm_n,
        )
        scores.append(f"aeon {adjusted_rand_score(y, ak.labels_):.3f}")
    table.add(title, ours, peers=times, note=", ".join(scores))


def kmeans_job(table, seeds, tiny):
    warnings.simplefilter("ignore")
    max_iter = 2 if tiny else 10
    n = TINY if tiny else 300
    data = load_cbf()
    X = np.concatenate([data.X_train, data.X_test])[:n]
    y = np.concatenate([data.y_train, data.y_test])[:n]
    for seed in seeds:
        _kmeans_row(
            table,
            f"k-means, {n} CBF (bundled, train + test), k = 3, gamma 1, seed {seed}",
            X,
            y,
            1.0,
            seed,
            seed == seeds[0],
            max_iter,
        )
    reason = _ucr.missing()
    if reason:
        print(f"k-means on real data skipped: {reason}")
        return
    X, y = _ucr.read("CBF", "TEST", n)
    for gamma in (1.0, 0.1):
        _kmeans_row(
            table,
            f"k-means, CBF test (first {n}), k = 3, gamma {gamma:g}, seed 0",
            X,
            y,
            gamma,
            0,
            True,
            max_iter,
        )


def neighbors_job(table, tiny):
    if not SHARED.is_dir():
        print(f"1-NN skipped: {SHARED} not found (../shared/data is not beside it)")
        return
    warnings.simplefilter("ignore")
    neighbors = _peer("tslearn.neighbors")
    aeon = _peer("aeon.classification.distance_based")
    n = TINY if tiny else None
    for name, suffix in (("ItalyPowerDemand", "ts"), ("ArrowHead", "tsv")):
        X, y = read_ucr_file(SHARED / name / f"{name}_TRAIN.{suffix}")
        Xt, _ = read_ucr_file(SHARED / name / f"{name}_TEST.{suffix}")
        X, y, Xt = X[:n], y[:n], Xt[:n]
        ours_clf = SoftDTWKNeighborsClassifier(gamma=1.0, n_jobs=-1).fit(X, y)
        ours = _predict_time(ours_clf, Xt, 1 if tiny else 3)
        times = {}
        if neighbors:
            clf = neighbors.KNeighborsTimeSeriesClassifier(
                n_neighbors=1, metric="softdtw", metric_params={"gamma": 1.0}, n_jobs=-1
            ).fit(X[:, :, None], y)
            times["tslearn"] = _predict_time(clf, Xt[:, :, None], 1)
        if aeon:
            clf = aeon.KNeighborsTimeSeriesClassifier(
                distance="soft_dtw", distance_params={"gamma": 1.0}, n_jobs=-1
            ).fit(X[:, None, :], y)
            times["aeon"] = _predict_time(clf, Xt[:, None, :], 1)
        cells = len(X) * len(Xt) * X.shape[1] * X.shape[1]
        table.add(
            f"1-NN {name}, {len(Xt)} x {len(X)}, length {X.shape[1]}, gamma 1, "
            f"{_threads()} threads",
            ours,
            cells,
            peers=times,
            cores=_threads(),
        )


def _jobs(text):
    jobs = [job.strip() for job in text.split(",") if job.strip()]
    unknown = sorted(set(jobs) - set(JOBS))
    if unknown or not jobs:
        raise argparse.ArgumentTypeError(
            f"unknown job(s) {', '.join(unknown) or '(none given)'}; "
            f"choose from {','.join(JOBS)}"
        )
    return [job for job in JOBS if job in jobs]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="fewer repeats and one k-means seed"
    )
    parser.add_argument(
        "--tiny",
        action="store_true",
        help=f"smoke test: {TINY} series per data set, one repeat, few iterations; "
        "writes no file",
    )
    parser.add_argument(
        "--jobs",
        type=_jobs,
        default=list(JOBS),
        help=f"comma-separated jobs to run, from {','.join(JOBS)} (default: all; "
        "files are written only when all run)",
    )
    args = parser.parse_args()
    repeats = 1 if args.tiny else 3 if args.quick else None
    peers = [p for p in PEERS if _peer(p)]
    print(f"peers importable: {', '.join(peers) or 'none'}")
    print(f"jobs: {','.join(args.jobs)}")
    floors = None
    if {"value", "pairwise"} & set(args.jobs):
        floors = floor_ns()
        if floors:
            print(
                f"floor: forward {floors[0]:.2f} ns/cell, forward + backward "
                f"{floors[1]:.2f} ns/cell (one core)"
            )
    table = Table(peers)
    if "value" in args.jobs:
        value_job(table, floors, repeats, args.tiny)
    if "pairwise" in args.jobs:
        pairwise_job(table, floors, repeats or 5, args.tiny)
    if "barycenter" in args.jobs:
        barycenter_job(table, repeats or 3, args.tiny)
    if "kmeans" in args.jobs:
        kmeans_job(table, (0,) if args.quick or args.tiny else (0, 1, 2), args.tiny)
    if "neighbors" in args.jobs:
        neighbors_job(table, args.tiny)
    floor_text = (
        f"Floor: the cells' arithmetic alone ({floors[0]:.2f} ns per forward cell, "
        f"{floors[1]:.2f} per forward + backward cell on one core, measured over "
        "independent cells in cache), times the cells we compute (for pairwise, one "
        "triangle with its diagonal), divided by the threads used."
        if floors
        else "Floor: not measured (see benchmarks/_floor.py)."
        if {"value", "pairwise"} & set(args.jobs)
        else ""
    )
    header = (
        f"Machine: {machine()}.\n\nGamma {GAMMA} unless stated. Times are the best "
        "of several runs (one run for the peers, after a warm-up call that "
        "compiles); a ratio is the peer's time over ours. ns/cell/core is time x "
        "threads used / DP cells; a pairwise row charges every library the full "
        "n x n matrix (n x n x length^2 cells), although ours and tslearn compute "
        "one triangle with its diagonal, n (n + 1) / 2 pairs, and aeon the triangle "
        "without it (diagonal left at 0). Real-data rows use the UCR series as "
        "distributed (z-normalised) from ../shared/data; 'max diff / max ours' is "
        "the largest difference of a peer's matrix from ours over our largest "
        "magnitude (tslearn's cost is the squared Euclidean distance, not halved, "
        "as ours; aeon's soft-DTW is the absolute value). A barycenter's objective "
        "is its mean soft-DTW to the series, by softdtw_learn.metrics.soft_dtw; "
        "L-BFGS-B runs with tol 0 for us and tslearn, so up to the given "
        "iterations. " + floor_text
    )
    markdown = header + "\n\n" + table.markdown() + "\n"
    if args.tiny or len(args.jobs) < len(JOBS):
        print(
            "results.md and docs/benchmark_results.rst not written (--tiny or --jobs)"
        )
    else:
        (ROOT / "benchmarks" / "results.md").write_text(
            "# Benchmark results\n\n" + markdown
        )
        rst = (
            "..\n   Written by benchmarks/bench_table.py; do not edit.\n\n"
            + header
            + "\n\n"
            + table.rst()
            + "\n"
        )
        (ROOT / "docs" / "benchmark_results.rst").write_text(rst)
    print(markdown)


if __name__ == "__main__":
    main()
