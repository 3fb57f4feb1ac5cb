"""The four experiments, one (experiment, set) unit at a time.

Table 1 (barycenters), Table 2 (k-means), Figure 7 (nearest centroid) and
Table 3 (forecasting), with the measures they score by (the DTW loss of a
barycenter, the k-means loss in DTW, the forecasters' test losses) and
:func:`compute_unit`, which runs one experiment on one set under the
package's settings and returns its JSON-ready record, ``"n/a"`` with a
reason where the experiment does not apply to the set.
"""

import time
import warnings

import numpy as np

from ._sets import trimmed
from ._settings import SETTINGS, fixed_seed, gamma_label
from ._units import jsonable

# Measures ----------------------------------------------------------------------------


def _dtw_loss(z, series):
    """Return the DTW loss of a barycenter: ``mean_i dtw(z, x_i) / m_i``."""
    from ..metrics import dtw

    return float(np.mean([dtw(z, x) / len(x) for x in series]))


def _not_applicable(reason):
    return {"status": "n/a", "reason": reason}


def _classes(data, minimum):
    """Return the labels with ``minimum`` training series, or why there are none."""
    if not data.labelled:
        return None, "no class labels"
    labels, counts = np.unique(data.y_train, return_counts=True)
    return labels[counts >= minimum], None


# Table 1: barycenters ------------------------------------------------------------


def _random_start(series, length, rng):
    """Draw a random start on the scale of the series: N(mean, std) per channel."""
    values = np.concatenate(series)
    mean, std = values.mean(axis=0), values.std(axis=0)
    std[std == 0] = 1.0
    return mean + std * rng.normal(size=(length, values.shape[1]))


def _barycenter_path(series, start, gammas, settings, n_jobs):
    """Soft-DTW barycenters down ``gammas``, each warm-started from the last.

    The first solves with the package's default continuation ("auto"), each
    later one starts from the barycenter of the gamma before. Returns
    ``{gamma: (DTW loss, seconds)}``.
    """
    from ..barycenter import soft_dtw_barycenter

    results, z = {}, start
    for k, gamma in enumerate(gammas):
        begin = time.perf_counter()
        z = soft_dtw_barycenter(
            series,
            gamma=gamma,
            init=z,
            max_iter=settings["max_iter"],
            continuation="auto" if k == 0 else None,
            n_jobs=n_jobs,
        )
        results[gamma_label(gamma)] = (
            _dtw_loss(z, series),
            time.perf_counter() - begin,
        )
    return results


def _table1(data, settings, n_jobs):
    """DTW losses of DBA and soft-DTW barycenters, averaged over the repeats."""
    from ..barycenter import dtw_barycenter_averaging

    classes, reason = _classes(data, 2)
    if reason or len(classes) == 0:
        return _not_applicable(reason or "no class has 2 training series")
    series_all, _ = trimmed(data.X_train)
    starts = ("random", "mean") if data.equal_length else ("random",)
    losses = {f"{m}_{s}": [] for s in ("random", "mean") for m in ("dba", "soft")}
    losses["euclidean_mean"] = []
    seconds = {"dba": [], "soft": {gamma_label(g): [] for g in settings["gammas"]}}
    picked = []
    for repeat in range(settings["repeats"]):
        rng = np.random.RandomState(fixed_seed(data.name, "table1", repeat))
        label = classes[rng.randint(len(classes))]
        rows = np.flatnonzero(data.y_train == label)
        rows = np.sort(rng.choice(rows, min(settings["series"], len(rows)), False))
        series = [series_all[r] for r in rows]
        picked.append({"class": str(label), "rows": rows.tolist()})
        length = int(np.median([len(x) for x in series]))
        begins = {"random": _random_start(series, length, rng)}
        if data.equal_length:
            mean = np.mean(series, axis=0)
            begins["mean"] = mean
            losses["euclidean_mean"].append(_dtw_loss(mean, series))
        for start in starts:
            begin = time.perf_counter()
            z = dtw_barycenter_averaging(
                series, init=begins[start], max_iter=settings["dba_max_iter"]
            )
            seconds["dba"].append(time.perf_counter() - begin)
            losses[f"dba_{start}"].append(_dtw_loss(z, series))
            path = _barycenter_path(
                series, begins[start], settings["gammas"], settings, n_jobs
            )
            losses[f"soft_{start}"].append({g: v[0] for g, v in path.items()})
            for g, (_, s) in path.items():
                seconds["soft"][g].append(s)
    result = {"repeats": picked, "starts": list(starts), "loss": {}}
    for key, values in losses.items():
        if not values:
            result["loss"][key] = None
        elif isinstance(values[0], dict):
            result["loss"][key] = {
                g: float(np.mean([v[g] for v in values])) for g in values[0]
            }
        else:
            result["loss"][key] = float(np.mean(values))
    result["seconds"] = {
        "dba": float(np.mean(seconds["dba"])),
        "soft": {g: float(np.mean(s)) for g, s in seconds["soft"].items()},
    }
    return {"status": "done", "result": result}


# Table 2: k-means ------------------------------------------------------------------


def _kmeans_dtw_loss(series, lengths, centers):
    """Return the k-means loss in DTW, eq. (5) at gamma 0, averaged over series."""
    from ..metrics import pairwise_soft_dtw

    values = pairwise_soft_dtw(series, list(trimmed(centers)[0]), gamma=0.0)
    return float(np.mean(values.min(axis=1) / lengths))


def _kmeans_starts(data, k):
    """Return the starts, ``{name: centres}``, and the rows of the random one.

    The random start is k training series drawn at random; the other, for
    equal lengths, the centres of Euclidean k-means.
    """
    from sklearn.cluster import KMeans

    seed = fixed_seed(data.name, "table2")
    picks = np.sort(np.random.RandomState(seed).choice(len(data.X_train), k, False))
    starts = {"random": data.X_train[picks]}
    if data.equal_length:
        flat = data.X_train.reshape(len(data.X_train), -1)
        euclid = KMeans(k, n_init=10, random_state=seed).fit(flat)
        starts["kmeans"] = euclid.cluster_centers_.reshape(
            (k,) + data.X_train.shape[1:]
        )
    return starts, picks.tolist()


def _table2(data, settings, n_jobs):
    """k-means losses in DTW of DBA and soft-DTW k-means from the same centres."""
    from ..cluster import SoftDTWKMeans

    if not data.labelled:
        return _not_applicable("no class labels: k, the number of classes, is unknown")
    k = len(np.unique(data.y_train))
    if k < 2 or k >= len(data.X_train):
        return _not_applicable(
            f"{k} class(es) for {len(data.X_train)} training series: k-means needs "
            "2 <= k < the number of series"
        )
    series, lengths = trimmed(data.X_train)
    methods = [("dba", 0.0)] + [(gamma_label(g), g) for g in settings["gammas"]]
    starts, picks = _kmeans_starts(data, k)
    # Eq. (5) divides each series' term by its length: weigh the series by
    # 1 / m_i, so that Lloyd's steps lower the loss scored here.
    weights = None if data.equal_length else 1.0 / lengths
    result = {"k": k, "n_series": len(series), "random_rows": picks}
    result.update(loss={}, n_iter={}, seconds={})
    for start, centers in starts.items():
        for key in ("loss", "n_iter", "seconds"):
            result[key][start] = {}
        for method, gamma in methods:
            begin = time.perf_counter()
            model = SoftDTWKMeans(
                k,
                gamma=gamma,
                init=centers,
                max_iter=settings["max_iter"],
                max_iter_barycenter=settings["max_iter_barycenter"],
                n_jobs=n_jobs,
            ).fit(data.X_train, sample_weight=weights)
            loss = _kmeans_dtw_loss(series, lengths, model.cluster_centers_)
            result["loss"][start][method] = loss
            result["n_iter"][start][method] = int(model.n_iter_)
            result["seconds"][start][method] = time.perf_counter() - begin
    return {"status": "done", "result": result}


# Figure 7: nearest centroid ---------------------------------------------------------


def _euclidean_accuracy(X, y, Xt, yt):
    """Test accuracy of Euclidean nearest centroid (class means), equal lengths.

    scikit-learn's ``NearestCentroid`` predicts the same; it also computes
    within-class deviations, and warns when a class is constant.
    """
    classes, codes = np.unique(y, return_inverse=True)
    flat, flat_test = X.reshape(len(X), -1), Xt.reshape(len(Xt), -1)
    means = np.stack([flat[codes == k].mean(axis=0) for k in range(len(classes))])
    distances = ((flat_test[:, None, :] - means[None]) ** 2).sum(axis=2)
    return float(np.mean(classes[distances.argmin(axis=1)] == yt))


def _figure7(data, settings, n_jobs):
    """Test accuracies of soft-DTW (CV gamma), DBA and Euclidean nearest centroid."""
    from sklearn.model_selection import StratifiedKFold

    from ..neighbors import SoftDTWNearestCentroid, SoftDTWNearestCentroidCV

    if not data.labelled:
        return _not_applicable("no class labels")
    labels, counts = np.unique(data.y_train, return_counts=True)
    if len(labels) < 2 or counts.min() < 2:
        few = int(np.sum(counts < 2))
        capped = data.n_read[0] > len(data.X_train)
        return _not_applicable(
            "cross-validation needs 2 classes or more and 2 training series in "
            f"every class; {few} of {len(labels)} classes have fewer"
            + (" (after the max_series cap: raise it, or pass 'all')" if capped else "")
            if len(labels) >= 2
            else "cross-validation needs 2 classes or more"
        )
    folds = int(min(settings["folds"], counts.min()))
    cv = StratifiedKFold(folds, shuffle=True, random_state=fixed_seed(data.name, "cv"))
    X, y, Xt, yt = data.X_train, data.y_train, data.X_test, data.y_test
    begin = time.perf_counter()
    soft = SoftDTWNearestCentroidCV(
        gammas=settings["gammas"],
        cv=cv,
        max_iter=settings["max_iter"],
        cv_tol=settings["cv_tol"],
        n_jobs=n_jobs,
    ).fit(X, y)
    soft_seconds = time.perf_counter() - begin
    begin = time.perf_counter()
    dba = SoftDTWNearestCentroid(
        gamma=0.0, max_iter=settings["dba_max_iter"], n_jobs=n_jobs
    ).fit(X, y)
    dba_seconds = time.perf_counter() - begin
    accuracy = {"softdtw": float(soft.score(Xt, yt)), "dba": float(dba.score(Xt, yt))}
    if data.equal_length:
        accuracy["euclidean"] = _euclidean_accuracy(X, y, Xt, yt)
    else:
        accuracy["euclidean"] = None
    result = {
        "n_train": len(X),
        "n_test": len(Xt),
        "folds": folds,
        "gamma": float(soft.gamma_),
        "cv_score": float(soft.best_score_),
        "accuracy": accuracy,
        "seconds": {"softdtw": soft_seconds, "dba": dba_seconds},
    }
    return {"status": "done", "result": result}


# Table 3: forecasting -------------------------------------------------------------


def _test_losses(model, X, Y):
    """Mean DTW and mean squared Euclidean test losses of a forecaster."""
    from ..metrics import paired_soft_dtw

    prediction = model.predict(X)
    dtw = paired_soft_dtw(prediction, Y, gamma=0.0)
    squared = np.sum((prediction - Y) ** 2, axis=tuple(range(1, Y.ndim)))
    return float(np.mean(dtw)), float(np.mean(squared))


def _table3(data, settings, n_jobs):
    """DTW and squared test losses of MLPs by training loss and start."""
    from ..forecasting import SoftDTWMLPRegressor, split_series

    if not data.equal_length:
        return _not_applicable("unequal lengths: the MLP needs fixed-size inputs")
    if data.X_train.shape[1] < 5:
        return _not_applicable("series shorter than 5 steps")
    ratio = settings["ratio"]
    X, Y = split_series(data.X_train, ratio)
    Xt, Yt = split_series(data.X_test, ratio)
    common = {
        "hidden_layer_sizes": settings["hidden_layer_sizes"],
        "alpha": settings["alpha"],
        "max_iter": settings["max_iter"],
        "random_state": fixed_seed(data.name, "table3"),
        "n_jobs": n_jobs,
    }
    losses = {"dtw": {}, "squared": {}}
    failed = {}

    def record(key, fit):
        try:
            model = fit()
        except ValueError as err:  # training diverged
            failed[key] = str(err).splitlines()[0]
            losses["dtw"][key] = losses["squared"][key] = None
            return None
        losses["dtw"][key], losses["squared"][key] = _test_losses(model, Xt, Yt)
        return model

    begin = time.perf_counter()
    base = record(
        "euclidean", lambda: SoftDTWMLPRegressor(loss="squared", **common).fit(X, Y)
    )
    for gamma in settings["gammas"]:
        model = SoftDTWMLPRegressor(loss="softdtw", gamma=gamma, **common)
        record(f"random_{gamma_label(gamma)}", lambda m=model: m.fit(X, Y))
        if base is None:
            failed[f"euclidean_{gamma_label(gamma)}"] = (
                "no squared-loss model to start from"
            )
            losses["dtw"][f"euclidean_{gamma_label(gamma)}"] = None
            losses["squared"][f"euclidean_{gamma_label(gamma)}"] = None
            continue
        model = SoftDTWMLPRegressor(loss="softdtw", gamma=gamma, **common)
        record(
            f"euclidean_{gamma_label(gamma)}",
            lambda m=model: m.fit(
                X, Y, coefs_init=base.coefs_, intercepts_init=base.intercepts_
            ),
        )
    result = {
        "n_train": len(X),
        "n_test": len(Xt),
        "n_input": int(X.shape[1]),
        "n_output": int(Y.shape[1]),
        "random_state": common["random_state"],
        "losses": losses,
        "failed": failed,
        "seconds": time.perf_counter() - begin,
    }
    return {"status": "done", "result": result}


# One experiment on one set -----------------------------------------------------------


_UNITS = {"table1": _table1, "table2": _table2, "figure7": _figure7, "table3": _table3}


def compute_unit(experiment, data, n_jobs):
    """Run one experiment on one set; return its record (without the key)."""
    from sklearn.exceptions import ConvergenceWarning

    from ..utils import LayoutWarning

    begin = time.perf_counter()
    with warnings.catch_warnings():
        # The readers give time-major series: the layout guess has no point.
        warnings.simplefilter("ignore", LayoutWarning)
        # The protocol caps the iterations, as the paper's does.
        warnings.simplefilter("ignore", ConvergenceWarning)
        record = _UNITS[experiment](data, SETTINGS[experiment], n_jobs)
    record["seconds"] = time.perf_counter() - begin
    return jsonable(record)
