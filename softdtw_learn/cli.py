"""Command line: ``softdtw-learn`` (also ``python -m softdtw_learn``).

Subcommands ``demo``, ``distance``, ``barycenter``, ``cluster``,
``classify`` and ``warmup`` (compile every kernel up front). Input files are
anything :func:`softdtw_learn.datasets.read_ucr_file` reads (.tsv, .ts,
.arff, .txt), or a CSV of one series per row (no label, empty fields as
trailing padding). Results go to CSV or ``.npy`` files; a bad file or
argument prints one line to stderr and exits with status 1.
"""

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

_FORMATS = (".tsv", ".ts", ".arff", ".txt")
# Work above this many DP cells runs in blocks behind a progress bar.
_BLOCK_CELLS = 4e7


def _read(path, *, labels=False):
    """Read a dataset file: ``(X, y)``; y is None for CSV and unlabelled files."""
    from .datasets import read_ucr_file

    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{path}: no such file.")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        import pandas as pd

        try:
            frame = pd.read_csv(path, header=None, dtype=float)
        except (ValueError, pd.errors.ParserError, pd.errors.EmptyDataError) as err:
            reason = str(err).splitlines()[0] if str(err) else type(err).__name__
            raise ValueError(
                f"{path}: not a CSV of numbers, one series per row ({reason})."
            ) from None
        X, y = frame.to_numpy(), None
    elif suffix in _FORMATS:
        X, y = read_ucr_file(path)
    else:
        raise ValueError(
            f"{path}: unknown file type {suffix!r}; give a .csv (one series per "
            f"row) or a UCR/UEA file ({', '.join(_FORMATS)})."
        )
    if labels and y is None:
        raise ValueError(
            f"{path} has no class labels; classification needs a labelled "
            f"UCR/UEA file ({', '.join(_FORMATS)})."
        )
    return X, y


def _write(path, values, what):
    """Write an array to ``.npy`` or ``.csv``; print where it went."""
    path = Path(path)
    values = np.asarray(values)
    suffix = path.suffix.lower()
    if suffix == ".npy":
        np.save(path, values)
    elif suffix == ".csv":
        flat = values.reshape(len(values), -1) if values.ndim > 1 else values
        if flat.dtype.kind in "fc":
            np.savetxt(path, flat, delimiter=",", fmt="%.17g")
        else:
            np.savetxt(path, flat, delimiter=",", fmt="%s")
    else:
        raise ValueError(f"{path}: output must end in .csv or .npy.")
    print(f"wrote {what} to {path}")


def _figure(path, draw):
    """Draw with ``draw(plt)`` and save to ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    from . import plotting

    plt = plotting.require_pyplot()
    fig = draw(plt)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    print(f"wrote figure to {path}")


def _progress(total, desc):
    """Return a tqdm bar on stderr, shown on a terminal only."""
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="series", disable=None, leave=False)


def _blocks(n, cells_per_row):
    """Row blocks of about half ``_BLOCK_CELLS`` DP cells each."""
    size = max(1, int(_BLOCK_CELLS / 2 // max(cells_per_row, 1)))
    return [slice(start, min(start + size, n)) for start in range(0, n, size)]


def _distance(args):
    from .metrics import pairwise_soft_dtw

    X, _ = _read(args.file)
    Y = _read(args.other)[0] if args.other else None
    kwargs = {
        "gamma": args.gamma,
        "window": args.window,
        "divergence": args.divergence,
        "n_jobs": args.n_jobs,
    }
    other = X if Y is None else Y
    start = time.perf_counter()
    cells = len(other) * X.shape[1] * other.shape[1]
    if len(X) * cells < _BLOCK_CELLS:
        matrix = pairwise_soft_dtw(X, Y, **kwargs)
    else:
        # Row blocks, so that progress shows; without Y only the blocks on
        # and right of the diagonal are computed, then mirrored.
        matrix = np.empty((len(X), len(other)))
        with _progress(len(X), "distance") as bar:
            for block in _blocks(len(X), cells):
                first = block.start if Y is None else 0
                matrix[block, first:] = pairwise_soft_dtw(
                    X[block], other[first:], **kwargs
                )
                if Y is None:
                    matrix[first:, block] = matrix[block, first:].T
                bar.update(block.stop - block.start)
    seconds = time.perf_counter() - start
    print(
        f"{'divergence' if args.divergence else 'soft-DTW'} matrix "
        f"{matrix.shape[0]} x {matrix.shape[1]}, gamma {args.gamma:g}, "
        f"{seconds:.2f} s"
    )
    if args.output:
        _write(args.output, matrix, "the matrix")
    elif matrix.size <= 100:
        print(np.array2string(matrix, precision=6))
    if args.plot:

        def draw(plt):
            fig, ax = plt.subplots(figsize=(5, 4.5))
            image = ax.imshow(matrix, cmap="viridis")
            fig.colorbar(image, ax=ax)
            ax.set_title(f"gamma={args.gamma:g}", fontsize=9)
            return fig

        _figure(args.plot, draw)
    return 0


def _barycenter(args):
    from .barycenter import soft_dtw_barycenter

    X, y = _read(args.file)
    if args.label is not None:
        if y is None:
            raise ValueError(f"{args.file} has no labels to select --label from.")
        keep = np.array([str(v) == args.label for v in y])
        if not keep.any():
            raise ValueError(
                f"no series with label {args.label!r}; labels in {args.file}: "
                f"{sorted({str(v) for v in y})}."
            )
        X = X[keep]
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        z = soft_dtw_barycenter(
            X,
            gamma=args.gamma,
            window=args.window,
            max_iter=args.max_iter,
            divergence=args.divergence,
            n_jobs=args.n_jobs,
        )
    note = " (not converged: raise --max-iter)" if caught else ""
    print(
        f"barycenter of {len(X)} series, length {len(z)}, gamma {args.gamma:g}: "
        f"{time.perf_counter() - start:.2f} s{note}"
    )
    if args.output:
        _write(args.output, z, "the barycenter")
    if args.plot:
        from .plotting import plot_barycenter

        def draw(plt):
            fig, ax = plt.subplots(figsize=(7, 3.2))
            plot_barycenter(X, z, ax=ax, title=f"gamma={args.gamma:g}")
            return fig

        _figure(args.plot, draw)
    return 0


def _cluster(args):
    from .cluster import SoftDTWKMeans

    X, y = _read(args.file)
    best = None
    start = time.perf_counter()
    with _progress(args.n_init, "k-means runs") as bar, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        seeds = np.random.default_rng(args.seed).integers(0, 2**31 - 1, args.n_init)
        for seed in seeds:
            model = SoftDTWKMeans(
                args.n_clusters,
                gamma=args.gamma,
                window=args.window,
                max_iter=args.max_iter,
                random_state=int(seed),
                n_jobs=args.n_jobs,
            ).fit(X)
            if best is None or model.inertia_ < best.inertia_:
                best = model
            bar.update(1)
    sizes = np.bincount(best.labels_, minlength=args.n_clusters)
    print(
        f"k-means, {len(X)} series, k={args.n_clusters}, gamma {args.gamma:g}: "
        f"inertia {best.inertia_:.6g}, cluster sizes {sizes.tolist()}, "
        f"{time.perf_counter() - start:.2f} s"
    )
    if y is not None:
        from sklearn.metrics import adjusted_rand_score

        ari = adjusted_rand_score(y, best.labels_)
        print(f"adjusted Rand index against the file's labels: {ari:.3f}")
    if args.output:
        _write(args.output, best.labels_, "the cluster labels")
    if args.centers:
        _write(args.centers, best.cluster_centers_, "the centres")
    if args.plot:
        from .plotting import plot_clusters

        def draw(plt):
            fig, axes = plt.subplots(
                1, args.n_clusters, figsize=(4 * args.n_clusters, 3), squeeze=False
            )
            plot_clusters(X, best.labels_, best.cluster_centers_, axes=axes[0])
            return fig

        _figure(args.plot, draw)
    return 0


def _classify(args):
    from .neighbors import SoftDTWKNeighborsClassifier, SoftDTWNearestCentroid

    X, y = _read(args.train, labels=True)
    X_test, y_test = _read(args.test)
    if args.method == "centroid":
        model = SoftDTWNearestCentroid(
            gamma=args.gamma, window=args.window, n_jobs=args.n_jobs
        )
    else:
        model = SoftDTWKNeighborsClassifier(
            n_neighbors=args.k, gamma=args.gamma, window=args.window, n_jobs=args.n_jobs
        )
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y)
    cells = len(X) * X.shape[1] * X_test.shape[1]
    predictions = []
    with _progress(len(X_test), "classify") as bar:
        for block in _blocks(len(X_test), cells):
            predictions.append(model.predict(X_test[block]))
            bar.update(block.stop - block.start)
    predicted = np.concatenate(predictions)
    print(
        f"{args.method} classifier, gamma {args.gamma:g}: {len(X)} training and "
        f"{len(X_test)} test series, {time.perf_counter() - start:.2f} s"
    )
    if y_test is not None:
        accuracy = float(np.mean(predicted == y_test))
        print(f"accuracy on the test file's labels: {accuracy:.4f}")
    if args.output:
        _write(args.output, predicted, "the predictions")
    if args.plot and args.method == "centroid":
        from .plotting import plot_clusters

        def draw(plt):
            k = len(model.classes_)
            fig, axes = plt.subplots(1, k, figsize=(4 * k, 3), squeeze=False)
            index = np.searchsorted(model.classes_, y)
            plot_clusters(X, index, model.centroids_, axes=axes[0])
            for ax, label in zip(axes[0], model.classes_, strict=True):
                ax.set_title(f"class {label}", fontsize=9)
            return fig

        _figure(args.plot, draw)
    elif args.plot:
        print("--plot draws the class centroids: use --method centroid")
    return 0


def _demo(args):
    from ._demo import run_demo

    return run_demo(Path(args.out), quick=args.quick)


def _warmup(args):
    from ._warmup import warm_up

    start = time.perf_counter()
    steps = warm_up(progress=not args.quiet)
    print(f"warm-up: {len(steps)} steps in {time.perf_counter() - start:.1f} s")
    print(
        "kernels compiled and cached on disk by Numba: later runs load them "
        "in well under a second"
    )
    return 0


def _window(text):
    value = float(text)
    return int(value) if value >= 1 and value == int(value) else value


def _common(parser):
    parser.add_argument(
        "--gamma", type=float, default=1.0, help="soft-DTW smoothing (default 1)"
    )
    parser.add_argument(
        "--window",
        type=_window,
        default=None,
        help="Sakoe-Chiba band: cells (int) or a fraction of the length",
    )
    parser.add_argument(
        "--n-jobs", type=int, default=-1, help="threads (default -1: all cores)"
    )
    parser.add_argument("--plot", metavar="FILE", help="also draw a figure (.png, ...)")


def _parser():
    parser = argparse.ArgumentParser(
        prog="softdtw-learn",
        description="Learning with soft-DTW (Cuturi & Blondel, ICML 2017). "
        "Input: a UCR/UEA file (.tsv, .ts, .arff, .txt) or a CSV of one "
        "series per row.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser(
        "demo", help="the main job on bundled data: figures and an HTML report"
    )
    demo.add_argument("--out", default="softdtw-demo", help="output folder")
    demo.add_argument(
        "--quick", action="store_true", help="fewer series and iterations"
    )
    demo.set_defaults(run=_demo)

    distance = commands.add_parser(
        "distance", help="soft-DTW matrix between the series of one or two files"
    )
    distance.add_argument("file", help="series (rows of the matrix)")
    distance.add_argument("other", nargs="?", help="second file (columns)")
    distance.add_argument(
        "--divergence", action="store_true", help="the non-negative divergence"
    )
    distance.add_argument("-o", "--output", help="matrix to .csv or .npy")
    _common(distance)
    distance.set_defaults(run=_distance)

    barycenter = commands.add_parser(
        "barycenter", help="soft-DTW barycenter of the series of a file"
    )
    barycenter.add_argument("file")
    barycenter.add_argument("--label", help="average only the series of this class")
    barycenter.add_argument("--max-iter", type=int, default=100)
    barycenter.add_argument(
        "--divergence", action="store_true", help="minimise the divergence"
    )
    barycenter.add_argument("-o", "--output", help="barycenter to .csv or .npy")
    _common(barycenter)
    barycenter.set_defaults(run=_barycenter)

    cluster = commands.add_parser("cluster", help="soft-DTW k-means")
    cluster.add_argument("file")
    cluster.add_argument("-k", "--n-clusters", type=int, default=3)
    cluster.add_argument("--n-init", type=int, default=1, help="runs (best kept)")
    cluster.add_argument("--max-iter", type=int, default=10)
    cluster.add_argument("--seed", type=int, default=0)
    cluster.add_argument("-o", "--output", help="labels to .csv or .npy")
    cluster.add_argument("--centers", help="centres to .csv or .npy")
    _common(cluster)
    cluster.set_defaults(run=_cluster)

    classify = commands.add_parser(
        "classify", help="nearest-centroid or k-NN classification"
    )
    classify.add_argument("train", help="labelled training file")
    classify.add_argument("test", help="series to classify (labels optional)")
    classify.add_argument("--method", choices=("centroid", "knn"), default="centroid")
    classify.add_argument("-k", type=int, default=1, help="neighbours for knn")
    classify.add_argument("-o", "--output", help="predictions to .csv or .npy")
    _common(classify)
    classify.set_defaults(run=_classify)

    warmup = commands.add_parser(
        "warmup", help="compile every kernel now (once; cached for later runs)"
    )
    warmup.add_argument("--quiet", action="store_true", help="no progress bar")
    warmup.set_defaults(run=_warmup)
    return parser


def main(argv=None):
    """Run the command line; return the exit status."""
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except (ValueError, OSError, ImportError) as err:
        message = str(err).splitlines()[0] if str(err) else type(err).__name__
        print(f"softdtw-learn {args.command}: error: {message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
