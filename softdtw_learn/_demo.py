"""The main job, ``softdtw-learn demo``: the paper's experiments on bundled data.

Writes figures and a one-page HTML report to a folder:

1. soft-DTW, DTW and the divergence between two ECG200 heartbeats, and their
   expected alignment matrix E for several gamma (paper section 2);
2. soft-DTW barycenters of ECG200 classes for gamma = 1 and 0.01 (Figure 5),
   with each barycenter's DTW loss beside the Euclidean mean's;
3. soft-DTW k-means on all 930 CBF series, k = 3, gamma = 1 (Figure 6),
   with the adjusted Rand index;
4. a nearest-centroid classifier on GunPoint with gamma chosen by
   ``GridSearchCV`` (paper section 4.3), against Euclidean nearest centroid.

The data are the bundled UCR sets (Dau et al. 2019).
"""

import html
import time
import warnings

import numpy as np

_GAMMAS_E = (1.0, 0.1, 0.01)
_GRID = (0.01, 0.1, 1.0, 10.0)


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
    print(
        f"ECG200 train series {first} (class 1) vs {second} (class -1), "
        f"length {x.size}:"
    )
    for name, value, div in rows:
        extra = f"   divergence {div:10.4f}" if div != "" else ""
        print(f"  {name:<18} soft-DTW {value:10.4f}{extra}")
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
            print(
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
    print(
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
    print(
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


def _figures(out, pair, bary, kmeans, clf):
    """Draw the four figures; return their file names (none without matplotlib)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed (extra 'plot'): no figures drawn")
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
    save(fig, "ecg200_barycenters.png", "barycenters")

    fig, axes = plt.subplots(1, 3, figsize=(12, 3), sharey=True)
    model = kmeans["model"]
    plot_clusters(kmeans["X"], model.labels_, model.cluster_centers_, axes=axes)
    save(fig, "cbf_kmeans.png", "kmeans")

    fig, ax = plt.subplots(figsize=(5, 3))
    ax.semilogx(_GRID, clf["cv"], "o-", color="C0")
    ax.set_xlabel("gamma")
    ax.set_ylabel("3-fold CV accuracy")
    ax.set_title("GunPoint, soft-DTW nearest centroid", fontsize=9)
    save(fig, "gunpoint_grid.png", "grid")
    return names


def _table(header, rows):
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>"
        for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _report(out, pair, bary, kmeans, clf, figures, seconds):
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
    sections = [
        "<h1>softdtw_learn demo</h1>",
        "<p>Soft-DTW (Cuturi &amp; Blondel, ICML 2017) on the bundled UCR sets "
        "(Dau et al. 2019). Cost: squared Euclidean, not halved; soft-DTW is "
        f"signed, the divergence is not. Ran in {seconds:.1f} s.</p>",
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
    path = out / "index.html"
    path.write_text(page, encoding="utf-8")
    return path


def run_demo(out, *, quick=False):
    """Run the demo, write figures and ``index.html`` to ``out``; return 0."""
    from tqdm import tqdm

    from .datasets import load_cbf, load_ecg200, load_gunpoint

    start = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    steps = tqdm(total=5, desc="demo", unit="step", disable=None, leave=False)
    ecg = load_ecg200()
    pair = _pair_section(ecg)
    steps.update(1)
    bary = _barycenter_section(ecg, quick)
    steps.update(1)
    kmeans = _kmeans_section(load_cbf(), quick)
    steps.update(1)
    clf = _classifier_section(load_gunpoint(), quick)
    steps.update(1)
    figures = _figures(out, pair, bary, kmeans, clf)
    steps.update(1)
    steps.close()
    seconds = time.perf_counter() - start
    path = _report(out, pair, bary, kmeans, clf, figures, seconds)
    print(f"report and {len(figures)} figures written to {out.resolve()}")
    print(f"open {path.resolve()}")
    return 0
