"""The main job, ``softdtw-learn demo``: the paper's experiments on bundled data.

Writes figures and a one-page HTML report to a folder:

1. soft-DTW, DTW and the divergence between two ECG200 heartbeats, and their
   expected alignment matrix E for several gamma (paper section 2);
2. soft-DTW barycenters of ECG200 classes for gamma = 1 and 0.01 (Figure 5),
   with each barycenter's DTW loss beside the Euclidean mean's;
3. soft-DTW k-means on all 930 CBF series, k = 3, gamma = 1 (Figure 6),
   with the adjusted Rand index;
4. a nearest-centroid classifier on GunPoint with gamma chosen by
   ``GridSearchCV`` (paper section 4.3), against Euclidean nearest centroid;
5. forecasting ECG200 (paper section 4.4): an MLP trained with the soft-DTW
   loss against one trained with the squared loss, both scored by DTW and
   squared test losses.

The kernels are compiled (or loaded from Numba's disk cache) first, and that
time is reported apart from the timings of the sections. The report names
the versions of the package and its dependencies. Lines go through
``tqdm.write``, so that none lands on the progress bar.

The files are written into a temporary folder and renamed into place once
all are complete, ``index.html`` last: a failure or Ctrl-C leaves the output
folder as it was. The data are the bundled UCR sets (Dau et al. 2019).
"""

import html
import os
import secrets
import shutil
import time
import warnings
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from ._warmup import warm_up

_GAMMAS_E = (1.0, 0.1, 0.01)
_GRID = (0.01, 0.1, 1.0, 10.0)
# Forecasting: the first 60% of each ECG200 series -> the rest. A strong L2
# penalty, since 100 training series are few for the 58 x 50 first layer.
FORECAST_RATIO = 0.6
FORECAST_MODEL = {
    "hidden_layer_sizes": (50,),
    "gamma": 0.1,
    "alpha": 1.0,
    "random_state": 0,
}
FORECAST_LOSSES = {"softdtw": "soft-DTW (gamma 0.1)", "squared": "the squared loss"}
# Everything the demo writes, in the order it is put in place: index.html last.
FILES = (
    "alignment.png",
    "ecg200_barycenters.png",
    "cbf_kmeans.png",
    "gunpoint_grid.png",
    "ecg200_forecasts.png",
    "index.html",
)


def _say(text):
    """Print a line above the progress bar, never onto it."""
    from tqdm import tqdm

    tqdm.write(text)


def _forecast_iterations(quick):
    """L-BFGS iterations of each forecasting model."""
    return 50 if quick else 100


def package_versions():
    """Return ``(name, version)`` of the package, Python and the dependencies.

    The optional extras (matplotlib, torch) are listed when installed; their
    version is read from the installed metadata, without importing them.
    """
    import platform
    from importlib import metadata, util

    import numba
    import scipy
    import sklearn

    from . import __version__

    rows = [
        ("softdtw_learn", __version__),
        ("Python", platform.python_version()),
        ("numpy", np.__version__),
        ("scipy", scipy.__version__),
        ("scikit-learn", sklearn.__version__),
        ("numba", numba.__version__),
    ]
    for name in ("matplotlib", "torch"):
        if util.find_spec(name) is None:
            continue
        try:
            rows.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            rows.append((name, "installed, version unknown"))
    return rows


def _compile():
    """Compile every kernel (or load it from the disk cache); return seconds."""
    start = time.perf_counter()
    warm_up(progress=False)
    seconds = time.perf_counter() - start
    _say(
        f"kernels ready in {seconds:.1f} s (compiled on first use only, then "
        "loaded from Numba's disk cache); the timings below exclude it"
    )
    return seconds


def _pair_section(data):
    from .metrics import dtw, soft_dtw, soft_dtw_divergence

    X, y = data.X_train, data.y_train
    first, second = int(np.flatnonzero(y == 1)[0]), int(np.flatnonzero(y == -1)[0])
    x, z = X[first], X[second]
    rows = [("DTW (gamma = 0)", dtw(x, z), "")]
    for gamma in _GAMMAS_E:
        rows.append(
            (
                f"gamma = {gamma:g}",
                soft_dtw(x, z, gamma=gamma),
                soft_dtw_divergence(x, z, gamma=gamma),
            )
        )
    _say(
        f"ECG200 train series {first} (class 1) vs {second} (class -1), "
        f"length {x.size}:"
    )
    for name, value, div in rows:
        extra = f"   divergence {div:10.4f}" if div != "" else ""
        _say(f"  {name:<18} soft-DTW {value:10.4f}{extra}")
    return {"x": x, "z": z, "first": first, "second": second, "rows": rows}


def _barycenter_section(data, quick):
    from sklearn.exceptions import ConvergenceWarning

    from .barycenter import soft_dtw_barycenter
    from .metrics import dtw

    def loss(b, X):
        return float(np.mean([dtw(b, s) / len(s) for s in X]))

    results = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for label in np.unique(data.y_train):
            X = data.X_train[data.y_train == label][:10]
            mean = X.mean(axis=0)
            row = {"label": label, "X": X, "mean_loss": loss(mean, X), "bary": {}}
            for gamma in (1.0, 0.01):
                z = soft_dtw_barycenter(
                    X, gamma=gamma, max_iter=50 if quick else 200, n_jobs=-1
                )
                row["bary"][gamma] = (z, loss(z, X))
            results.append(row)
            _say(
                f"ECG200 class {label}: DTW loss of the Euclidean mean "
                f"{row['mean_loss']:.3f}, soft-DTW barycenter gamma 1 "
                f"{row['bary'][1.0][1]:.3f}, gamma 0.01 {row['bary'][0.01][1]:.3f}"
            )
    return results


def _kmeans_section(data, quick):
    from sklearn.metrics import adjusted_rand_score

    from .cluster import SoftDTWKMeans

    X = np.concatenate([data.X_train, data.X_test])
    y = np.concatenate([data.y_train, data.y_test])
    if quick:
        X, y = X[:150], y[:150]
    start = time.perf_counter()
    model = SoftDTWKMeans(
        3, gamma=1.0, max_iter=5 if quick else 10, random_state=0, n_jobs=-1
    ).fit(X)
    seconds = time.perf_counter() - start
    ari = adjusted_rand_score(y, model.labels_)
    _say(
        f"CBF k-means: {len(X)} series, k = 3, gamma = 1: ARI {ari:.3f}, "
        f"{model.n_iter_} iterations, {seconds:.1f} s"
    )
    return {"X": X, "model": model, "ari": ari, "seconds": seconds}


def _classifier_section(data, quick):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import GridSearchCV
    from sklearn.neighbors import NearestCentroid

    from .neighbors import SoftDTWNearestCentroid

    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search = GridSearchCV(
            SoftDTWNearestCentroid(max_iter=20 if quick else 50, n_jobs=-1),
            {"gamma": list(_GRID)},
            cv=3,
        ).fit(data.X_train, data.y_train)
    accuracy = search.score(data.X_test, data.y_test)
    euclid = NearestCentroid().fit(data.X_train, data.y_train)
    euclid_accuracy = euclid.score(data.X_test, data.y_test)
    seconds = time.perf_counter() - start
    cv = search.cv_results_["mean_test_score"]
    _say(
        f"GunPoint nearest centroid: gamma {search.best_params_['gamma']:g} by "
        f"3-fold grid search, test accuracy {accuracy:.3f} (Euclidean nearest "
        f"centroid {euclid_accuracy:.3f}), {seconds:.1f} s"
    )
    return {
        "search": search,
        "accuracy": accuracy,
        "euclid": euclid_accuracy,
        "cv": cv,
        "seconds": seconds,
    }


def _squared_losses(prediction, target):
    """Per-series squared Euclidean distance, summed over time steps."""
    return np.sum((prediction - target) ** 2, axis=1)


def _forecast_section(data, quick):
    from sklearn.exceptions import ConvergenceWarning

    from .forecasting import SoftDTWMLPRegressor, split_series
    from .metrics import paired_soft_dtw

    X, y = split_series(data.X_train, ratio=FORECAST_RATIO)
    X_test, y_test = split_series(data.X_test, ratio=FORECAST_RATIO)
    start = time.perf_counter()
    rows = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for loss, name in FORECAST_LOSSES.items():
            model = SoftDTWMLPRegressor(
                loss=loss,
                max_iter=_forecast_iterations(quick),
                n_jobs=-1,
                **FORECAST_MODEL,
            ).fit(X, y)
            prediction = model.predict(X_test)
            rows[loss] = {
                "name": name,
                "prediction": prediction,
                "dtw": float(paired_soft_dtw(prediction, y_test, gamma=0.0).mean()),
                "squared": float(_squared_losses(prediction, y_test).mean()),
            }
            _say(
                f"ECG200 forecasting, MLP trained with {name}: DTW test loss "
                f"{rows[loss]['dtw']:.3f}, squared test loss "
                f"{rows[loss]['squared']:.3f}"
            )
    return {
        "X_test": X_test,
        "y_test": y_test,
        "rows": rows,
        "seconds": time.perf_counter() - start,
    }


def _label_series_axes(axes):
    """Name the axes of panels that draw series against time."""
    for ax in axes:
        ax.set_xlabel("time step")
    axes[0].set_ylabel("value")


def _forecast_figure(plt, forecast):
    """Three test series: the given part, the truth and both forecasts."""
    X_test, y_test = forecast["X_test"], forecast["y_test"]
    cut, total = X_test.shape[1], X_test.shape[1] + y_test.shape[1]
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.2), sharey=True)
    for k, ax in enumerate(axes):
        ax.plot(np.arange(cut), X_test[k], color="0.55", lw=1.2, label="given")
        ax.plot(np.arange(cut, total), y_test[k], "k--", lw=1.2, label="truth")
        for loss, color in zip(FORECAST_LOSSES, ("C3", "C0"), strict=True):
            row = forecast["rows"][loss]
            ax.plot(
                np.arange(cut, total),
                row["prediction"][k],
                color=color,
                lw=1.8,
                label=f"trained with {row['name']}",
            )
        ax.axvline(cut - 0.5, color="0.8", lw=0.8)
        ax.set_title(f"ECG200 test series {k}", fontsize=9)
    _label_series_axes(axes)
    axes[0].legend(fontsize=7, loc="best")
    fig.suptitle(
        f"Forecasts: the first {FORECAST_RATIO:.0%} of each series given, the "
        "rest predicted",
        fontsize=10,
    )
    return fig


def _figures(out, pair, bary, kmeans, clf, forecast):
    """Draw the five figures; return their file names (none without matplotlib)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        _say("matplotlib is not installed (extra 'plot'): no figures drawn")
        return {}
    from .plotting import plot_alignment, plot_barycenter, plot_clusters

    names = {}

    def save(fig, name, key):
        fig.tight_layout()
        fig.savefig(out / name, dpi=100)
        plt.close(fig)
        names[key] = name

    fig, axes = plt.subplots(1, len(_GAMMAS_E), figsize=(5 * len(_GAMMAS_E), 4.6))
    for ax, gamma in zip(axes, _GAMMAS_E, strict=True):
        plot_alignment(pair["x"], pair["z"], gamma=gamma, ax=ax)
    fig.subplots_adjust(left=0.12, right=0.98, top=0.76, bottom=0.1, wspace=0.75)
    fig.savefig(out / "alignment.png", dpi=100)
    plt.close(fig)
    names["alignment"] = "alignment.png"

    fig, axes = plt.subplots(len(bary), 2, figsize=(10, 2.8 * len(bary)), sharey="row")
    for row, result in zip(np.atleast_2d(axes), bary, strict=True):
        for ax, gamma in zip(row, (1.0, 0.01), strict=True):
            z, loss = result["bary"][gamma]
            plot_barycenter(
                result["X"],
                z,
                ax=ax,
                title=f"class {result['label']}, gamma={gamma:g}, DTW loss {loss:.3f}",
            )
            ax.set_xlabel("time step")
        row[0].set_ylabel("value")
    fig.suptitle(
        "ECG200: soft-DTW barycenters (red) of ten series (grey) per class",
        fontsize=10,
    )
    save(fig, "ecg200_barycenters.png", "barycenters")

    fig, axes = plt.subplots(1, 3, figsize=(12, 3.3), sharey=True)
    model = kmeans["model"]
    plot_clusters(kmeans["X"], model.labels_, model.cluster_centers_, axes=axes)
    _label_series_axes(axes)
    fig.suptitle(
        f"CBF: soft-DTW k-means, k = 3, gamma = 1, {len(kmeans['X'])} series: "
        "members (grey) and centre (red)",
        fontsize=10,
    )
    save(fig, "cbf_kmeans.png", "kmeans")

    fig, ax = plt.subplots(figsize=(5, 3))
    ax.semilogx(_GRID, clf["cv"], "o-", color="C0")
    ax.set_xlabel("gamma")
    ax.set_ylabel("3-fold CV accuracy")
    ax.set_title("GunPoint, soft-DTW nearest centroid", fontsize=9)
    save(fig, "gunpoint_grid.png", "grid")

    save(_forecast_figure(plt, forecast), "ecg200_forecasts.png", "forecasts")
    return names


def _table(header, rows):
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>"
        for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _report(out, results, figures):
    """Write ``index.html`` into ``out``: every section's numbers and figures."""
    pair, bary, kmeans = results["pair"], results["bary"], results["kmeans"]
    clf, forecast = results["clf"], results["forecast"]

    def image(key, alt):
        if key not in figures:
            return "<p><em>Figure not drawn: matplotlib is not installed.</em></p>"
        return f'<img src="{figures[key]}" alt="{html.escape(alt)}">'

    pair_rows = [
        (name, f"{value:.4f}", "" if div == "" else f"{div:.4f}")
        for name, value, div in pair["rows"]
    ]
    bary_rows = [
        (
            r["label"],
            f"{r['mean_loss']:.3f}",
            f"{r['bary'][1.0][1]:.3f}",
            f"{r['bary'][0.01][1]:.3f}",
        )
        for r in bary
    ]
    grid_rows = [(f"{g:g}", f"{s:.3f}") for g, s in zip(_GRID, clf["cv"], strict=True)]
    forecast_rows = [
        (row["name"], f"{row['dtw']:.3f}", f"{row['squared']:.3f}")
        for row in forecast["rows"].values()
    ]
    sizes = FORECAST_MODEL["hidden_layer_sizes"]
    sections = [
        "<h1>softdtw_learn demo</h1>",
        "<p>Soft-DTW (Cuturi &amp; Blondel, ICML 2017) on the bundled UCR sets "
        "(Dau et al. 2019). Cost: squared Euclidean, not halved; soft-DTW is "
        "signed, the divergence is not.</p>",
        f"<p>Kernels ready in {results['compile_seconds']:.1f} s (compiled on "
        "first use only, then loaded from Numba's disk cache). The sections "
        f"then ran in {results['seconds']:.1f} s; no timing below includes "
        "compilation.</p>",
        "<h2>1. Two ECG200 heartbeats</h2>",
        f"<p>Train series {pair['first']} (class 1) and {pair['second']} "
        "(class -1).</p>",
        _table(("", "soft-DTW", "divergence"), pair_rows),
        "<p>Expected alignment E (probability that two time steps are matched); "
        "it sharpens to the DTW path as gamma falls.</p>",
        image("alignment", "expected alignment matrices"),
        "<h2>2. Barycenters of ECG200 (paper Figure 5)</h2>",
        "<p>Ten series per class; DTW loss = mean of dtw(barycenter, series) / "
        "length.</p>",
        _table(
            ("class", "Euclidean mean", "soft-DTW gamma 1", "soft-DTW gamma 0.01"),
            bary_rows,
        ),
        image("barycenters", "ECG200 barycenters"),
        "<h2>3. k-means on CBF (paper Figure 6)</h2>",
        f"<p>{len(kmeans['X'])} series, k = 3, gamma = 1: adjusted Rand index "
        f"{kmeans['ari']:.3f} against the classes, {kmeans['seconds']:.1f} s.</p>",
        image("kmeans", "CBF clusters"),
        "<h2>4. Nearest centroid on GunPoint (paper section 4.3)</h2>",
        f"<p>gamma = {clf['search'].best_params_['gamma']:g} chosen by 3-fold "
        f"grid search on the training set: test accuracy {clf['accuracy']:.3f}; "
        f"Euclidean nearest centroid {clf['euclid']:.3f}.</p>",
        _table(("gamma", "CV accuracy"), grid_rows),
        image("grid", "cross-validated accuracy against gamma"),
        "<h2>5. Forecasting ECG200 with soft-DTW as a loss (paper section 4.4)</h2>",
        f"<p>The first {FORECAST_RATIO:.0%} of each series is the input, the "
        f"rest the target (<code>split_series</code>). Two "
        f"<code>SoftDTWMLPRegressor</code>s, hidden layers {sizes}, alpha "
        f"{FORECAST_MODEL['alpha']:g}, trained on the 100 training series, "
        "one with the soft-DTW loss and one with the squared loss; mean test "
        "losses over the 100 test series (DTW: soft-DTW at gamma 0; squared: "
        f"summed over the time steps), {forecast['seconds']:.1f} s.</p>",
        _table(("trained with", "DTW test loss", "squared test loss"), forecast_rows),
        image("forecasts", "ECG200 forecasts"),
        "<h2>Versions</h2>",
        _table(("package", "version"), results["versions"]),
    ]
    style = (
        "body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}"
        "table{border-collapse:collapse;margin:1em 0}"
        "td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}"
        "img{max-width:100%}"
    )
    page = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>softdtw_learn demo</title><style>{style}</style></head><body>"
        + "\n".join(sections)
        + "</body></html>\n"
    )
    (out / "index.html").write_text(page, encoding="utf-8")


# Writing the folder ---------------------------------------------------------


def _missing_parents(folder):
    """Return the folders above ``folder`` that do not exist, outermost first."""
    missing = []
    parent = folder.parent
    while not parent.exists():
        missing.append(parent)
        parent = parent.parent
    return missing[::-1]


def _publish(stage, out):
    """Move the files of ``stage`` into the existing folder ``out``.

    Each file is renamed over its old version, ``index.html`` last, so that
    the report appears only once every figure it shows is in place.
    """
    names = sorted(
        (p.name for p in stage.iterdir()), key=lambda name: (name == "index.html", name)
    )
    for name in names:
        os.replace(stage / name, out / name)
    stage.rmdir()


@contextmanager
def _staged(out):
    """Yield an empty temporary folder; put its files in ``out`` on success.

    When ``out`` exists the temporary folder lies inside it (so that only
    ``out`` need be writable) and its files are renamed in one by one; else
    it lies beside ``out``, with the missing parent folders created, and is
    renamed to ``out`` whole. On an error or Ctrl-C the temporary folder and
    the parents made for it are removed, and ``out`` is as it was.
    """
    out = Path(out)
    exists = out.is_dir()
    created = [] if exists else _missing_parents(out)
    for folder in created:
        folder.mkdir()
    where = out if exists else out.parent
    stage = where / f".{out.name or 'softdtw-demo'}.{secrets.token_hex(4)}.part"
    try:
        stage.mkdir()
        yield stage
        if out.is_dir():
            _publish(stage, out)
        else:
            os.rename(stage, out)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        for folder in reversed(created):
            try:
                folder.rmdir()
            except OSError:  # no longer empty: something else wrote there
                break
        raise


def run_demo(out, *, quick=False):
    """Run the demo, write figures and ``index.html`` to ``out``; return 0.

    Parameters
    ----------
    out : path-like
        Output folder, created if needed. Files of other names in it are
        left alone; the demo's own (:data:`FILES`) are replaced.
    quick : bool, default=False
        Fewer series and iterations.

    Returns
    -------
    status : int
        0.
    """
    from tqdm import tqdm

    from .datasets import load_cbf, load_ecg200, load_gunpoint

    out = Path(out)
    results = {"versions": package_versions()}
    _say("versions: " + ", ".join(f"{n} {v}" for n, v in results["versions"]))
    ecg = load_ecg200()
    steps = [
        ("ECG200 pair", "pair", lambda: _pair_section(ecg)),
        ("ECG200 barycenters", "bary", lambda: _barycenter_section(ecg, quick)),
        ("CBF k-means", "kmeans", lambda: _kmeans_section(load_cbf(), quick)),
        (
            "GunPoint classifier",
            "clf",
            lambda: _classifier_section(load_gunpoint(), quick),
        ),
        ("ECG200 forecasting", "forecast", lambda: _forecast_section(ecg, quick)),
    ]
    with (
        _staged(out) as stage,
        tqdm(total=len(steps) + 2, unit="step", disable=None, leave=False) as bar,
    ):
        bar.set_description("compiling kernels (first use only)")
        results["compile_seconds"] = _compile()
        bar.update(1)
        start = time.perf_counter()
        for label, key, step in steps:
            bar.set_description(label)
            results[key] = step()
            bar.update(1)
        bar.set_description("figures")
        figures = _figures(
            stage, *(results[k] for k in ("pair", "bary", "kmeans", "clf", "forecast"))
        )
        bar.update(1)
        results["seconds"] = time.perf_counter() - start
        _report(stage, results, figures)
    _say(
        f"sections ran in {results['seconds']:.1f} s after compilation; report "
        f"and {len(figures)} figures written to {out.resolve()}"
    )
    _say(f"open {(out / 'index.html').resolve()}")
    return 0
