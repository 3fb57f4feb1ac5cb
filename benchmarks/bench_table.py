"""Every benchmark job against every importable peer, written as tables.

Runs, in one process on the same data: the value and the value + gradient
of one pair (lengths 128, 512, 2048, one core), the 300 x 300 pairwise
matrix at length 128 (all cores), the barycenter of 10 random walks of
length 128, k-means on 300 CBF series (k = 3, gamma 1, 10 iterations) and
1-NN on ItalyPowerDemand and ArrowHead (UCR archive, read from ../shared/data;
skipped with a note when absent). Peers: tslearn, aeon, sdtw and pysdtw (on
the CPU), where importable; see benchmarks/README.md for their install.

For each job: our time, ns per DP cell, the floor (the cells' arithmetic
alone, see ``floor_ns``), and each peer's time with the ratio peer / ours.
Writes ``benchmarks/results.md`` and ``docs/benchmark_results.rst`` (the
docs' full table) and prints the markdown.

Usage: python benchmarks/bench_table.py [--quick]
"""

import argparse
import datetime
import importlib
import importlib.metadata
import os
import platform
import warnings
from functools import partial
from pathlib import Path

import numba
import numpy as np
from _timing import best
from bench_kernels import GAMMA, grad_functions, pairwise_functions, value_functions
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import adjusted_rand_score

import softdtw_learn
from softdtw_learn import _kernels
from softdtw_learn.barycenter import soft_dtw_barycenter
from softdtw_learn.cluster import SoftDTWKMeans
from softdtw_learn.datasets import load_cbf, read_ucr_file
from softdtw_learn.neighbors import SoftDTWKNeighborsClassifier

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "ucr"
PEERS = ("tslearn", "aeon", "sdtw", "pysdtw")


def _peer(name):
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


@numba.njit(**_kernels._JIT)
def _forward_cells(corner, up, side, cost, inv_gamma, gamma, low, rest, out):
    # Two loops, as in the kernels: exponentials, then the logarithm.
    for k in range(out.shape[0]):
        smallest = min(corner[k], min(up[k], side[k]))
        low[k] = smallest
        rest[k] = _kernels._exp_nonpositive(
            (smallest - max(corner[k], up[k])) * inv_gamma
        ) + _kernels._exp_nonpositive(
            (smallest - max(min(corner[k], up[k]), side[k])) * inv_gamma
        )
    for k in range(out.shape[0]):
        out[k] = cost[k] + low[k] - gamma * _kernels._log_1_to_3(1.0 + rest[k])


@numba.njit(**_kernels._JIT)
def _backward_cells(corner, up, side, e, inv_gamma, out):
    for k in range(out.shape[0]):
        low = min(corner[k], min(up[k], side[k]))
        e_cu = _kernels._exp_nonpositive((low - max(corner[k], up[k])) * inv_gamma)
        e_s = _kernels._exp_nonpositive(
            (low - max(min(corner[k], up[k]), side[k])) * inv_gamma
        )
        out[k] = e[k] / (1.0 + e_cu + e_s)


def floor_ns():
    """ns per cell of the cells' arithmetic alone, on one core.

    The forward cell (a minimum, two exponentials, a logarithm) and the
    backward cell (two exponentials, a division) evaluated over 4096
    independent cells held in L1 cache: no dependency between cells, no
    memory traffic. A kernel cannot go below this with the same arithmetic.
    """
    rng = np.random.default_rng(0)
    corner, up, side, cost = (rng.uniform(0, 5, 4096) for _ in range(4))
    out, low, rest = np.empty(4096), np.empty(4096), np.empty(4096)
    numba.set_num_threads(1)
    forward, _ = best(
        lambda: [
            _forward_cells(corner, up, side, cost, 10.0, 0.1, low, rest, out)
            for _ in range(200)
        ],
        5,
    )
    backward, _ = best(
        lambda: [
            _backward_cells(corner, up, side, cost, 10.0, out) for _ in range(200)
        ],
        5,
    )
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    scale = 1e9 / (200 * 4096)
    return forward * scale, (forward + backward) * scale


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

    def add(self, job, ours, cells=None, floor=None, peers=None, note=""):
        self.rows.append((job, ours, cells, floor, peers or {}, note))
        print(
            f"{job}: {ours:.4g} s "
            + " ".join(f"{k} {v:.4g} s" for k, v in (peers or {}).items())
        )

    def _cells(self):
        """Header and rows as text cells, shared by both formats."""
        head = ["job", "softdtw_learn", "ns/cell", "floor"]
        head += [_version(p) for p in self.peers]
        body = [head]
        for job, ours, cells, floor, peers, note in self.rows:
            body.append(
                [
                    job + (f" ({note})" if note else ""),
                    f"{ours:.3g} s",
                    f"{ours / cells * 1e9:.1f}" if cells else "",
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
        f"{numba.config.NUMBA_NUM_THREADS}; {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}, numpy "
        f"{np.__version__}, numba {numba.__version__}; "
        f"{datetime.date.today().isoformat()}"
    )


def kernel_jobs(table, floors, quick):
    rng = np.random.default_rng(0)
    forward_ns, both_ns = floors
    for n in (128, 512, 2048):
        x, y = rng.normal(size=(n, 1)), rng.normal(size=(n, 1))
        repeats = 3 if quick else max(3, 200_000 // (n * n) * 3 + 3)
        for title, funcs, floor in (
            ("value", value_functions(x, y), forward_ns),
            ("value + gradient", grad_functions(x, y), both_ns),
        ):
            if _peer("pysdtw") and _peer("torch"):
                funcs["pysdtw"] = pysdtw_value(x, y, title != "value")
            numba.set_num_threads(1)
            times = {
                name: best(
                    func, repeats if name == "softdtw_learn" else max(1, repeats // 3)
                )[0]
                for name, func in funcs.items()
            }
            numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
            ours = times.pop("softdtw_learn")
            table.add(
                f"{title}, length {n}, one core",
                ours,
                n * n,
                n * n * floor * 1e-9,
                times,
            )
    X = rng.normal(size=(300, 128, 1))
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
            1 if quick or name != "softdtw_learn" else 3,
            warm if name == "softdtw_learn" else False,
        )[0]
    ours = times.pop("softdtw_learn")
    cells = 300 * 301 / 2 * 128 * 128
    threads = numba.config.NUMBA_NUM_THREADS
    table.add(
        f"pairwise 300 x 300, length 128, {threads} threads",
        ours,
        cells,
        cells * forward_ns * 1e-9 / threads,
        times,
        note="sdtw: one core; cells: one triangle",
    )


def barycenter_job(table):
    X = np.cumsum(np.random.default_rng(0).normal(size=(10, 128)), axis=1)
    warnings.simplefilter("ignore", ConvergenceWarning)
    ours, _ = best(
        lambda: soft_dtw_barycenter(X, gamma=GAMMA, max_iter=100, tol=1e-3, n_jobs=-1)
    )
    times = {}
    barycenters = _peer("tslearn.barycenters")
    if barycenters:
        times["tslearn"] = best(
            lambda: barycenters.softdtw_barycenter(
                X[:, :, None], gamma=GAMMA, max_iter=100, tol=1e-3
            )
        )[0]
    table.add(f"barycenter, 10 x 128, gamma {GAMMA}, all cores", ours, peers=times)


def _fit_once(model, X):
    """Seconds of one ``model.fit(X)``, and the fitted model.

    A one-iteration fit on 20 series runs first, so that no library's
    just-in-time compilation is timed.
    """
    warm = clone(model).set_params(max_iter=1)
    return best(partial(model.fit, X), 1, partial(warm.fit, X[:20]))


def _predict_time(model, X, repeats):
    """Best seconds of ``model.predict(X)``, compiled on two series first."""
    return best(partial(model.predict, X), repeats, partial(model.predict, X[:2]))[0]


def kmeans_job(table, seeds):
    data = load_cbf()
    X = np.concatenate([data.X_train, data.X_test])[:300]
    y = np.concatenate([data.y_train, data.y_test])[:300]
    warnings.simplefilter("ignore")
    clustering = _peer("tslearn.clustering")
    aeon = _peer("aeon.clustering")
    for seed in seeds:
        ours, km = _fit_once(
            SoftDTWKMeans(3, gamma=1.0, max_iter=10, n_jobs=-1, random_state=seed), X
        )
        scores = [f"ARI ours {adjusted_rand_score(y, km.labels_):.3f}"]
        times = {}
        if clustering:
            times["tslearn"], tk = _fit_once(
                clustering.TimeSeriesKMeans(
                    3,
                    metric="softdtw",
                    max_iter=10,
                    metric_params={"gamma": 1.0},
                    n_jobs=-1,
                    random_state=seed,
                ),
                X[:, :, None],
            )
            scores.append(f"tslearn {adjusted_rand_score(y, tk.labels_):.3f}")
        if aeon and seed == seeds[0]:
            times["aeon"], ak = _fit_once(
                aeon.TimeSeriesKMeans(
                    3,
                    distance="soft_dtw",
                    distance_params={"gamma": 1.0},
                    n_init=1,
                    max_iter=10,
                    random_state=seed,
                    n_jobs=-1,
                ),
                X[:, None, :],
            )
            scores.append(f"aeon {adjusted_rand_score(y, ak.labels_):.3f}")
        table.add(
            f"k-means, 300 CBF, k = 3, seed {seed}",
            ours,
            peers=times,
            note=", ".join(scores),
        )


def neighbors_job(table):
    if not SHARED.is_dir():
        print(f"1-NN skipped: {SHARED} not found (../shared/data is not beside it)")
        return
    warnings.simplefilter("ignore")
    neighbors = _peer("tslearn.neighbors")
    aeon = _peer("aeon.classification.distance_based")
    for name, suffix in (("ItalyPowerDemand", "ts"), ("ArrowHead", "tsv")):
        X, y = read_ucr_file(SHARED / name / f"{name}_TRAIN.{suffix}")
        Xt, _ = read_ucr_file(SHARED / name / f"{name}_TEST.{suffix}")
        ours_clf = SoftDTWKNeighborsClassifier(gamma=1.0, n_jobs=-1).fit(X, y)
        ours = _predict_time(ours_clf, Xt, 3)
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
            f"1-NN {name}, {len(Xt)} x {len(X)}, length {X.shape[1]}",
            ours,
            cells,
            peers=times,
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="fewer repeats and one k-means seed"
    )
    args = parser.parse_args()
    peers = [p for p in PEERS if _peer(p)]
    print(f"peers importable: {', '.join(peers) or 'none'}")
    floors = floor_ns()
    print(
        f"floor: forward {floors[0]:.2f} ns/cell, forward + backward "
        f"{floors[1]:.2f} ns/cell (one core)"
    )
    table = Table(peers)
    kernel_jobs(table, floors, args.quick)
    barycenter_job(table)
    kmeans_job(table, (0,) if args.quick else (0, 1, 2))
    neighbors_job(table)
    header = (
        f"Machine: {machine()}.\n\nGamma {GAMMA} unless stated. Times are the best of "
        "several runs (one run for the slow peers, after a warm-up call that "
        "compiles); a ratio is the peer's time over "
        "ours. ns/cell is time / DP cells. Floor: the cells' arithmetic alone "
        f"({floors[0]:.2f} ns per forward cell, {floors[1]:.2f} per forward + backward "
        "cell on one core, measured over independent cells in cache), times the "
        "cells, divided by the threads used."
    )
    markdown = header + "\n\n" + table.markdown() + "\n"
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
