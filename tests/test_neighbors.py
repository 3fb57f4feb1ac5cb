import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

from softdtw_learn.datasets import (
    load_gunpoint,
    make_cylinder_bell_funnel,
    read_ucr_file,
)
from softdtw_learn.metrics import pairwise_soft_dtw
from softdtw_learn.neighbors import (
    SoftDTWKNeighborsClassifier,
    SoftDTWNearestCentroid,
    SoftDTWNearestCentroidCV,
)
from softdtw_learn.preprocessing import TimeSeriesStandardScaler

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "ucr"
needs_shared = pytest.mark.skipif(
    not SHARED.is_dir(), reason="../shared/data is not beside the clone"
)


@parametrize_with_checks(
    [
        SoftDTWNearestCentroid(max_iter=20),
        SoftDTWNearestCentroidCV(gammas=(1.0, 0.1), cv=2, max_iter=20),
        SoftDTWKNeighborsClassifier(),
        SoftDTWKNeighborsClassifier(3, divergence=True, weights="distance"),
    ]
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def _families(rng, n=8, length=30):
    t = np.linspace(0, 1, length)
    X = np.concatenate(
        [
            np.sin(2 * np.pi * t + rng.uniform(0, 0.5, (n, 1))),
            np.where(t > rng.uniform(0.3, 0.6, (n, 1)), 1.0, -1.0),
        ]
    ) + rng.normal(scale=0.1, size=(2 * n, length))
    return X, np.repeat(["sine", "step"], n)


def test_nearest_centroid_separates_families_and_keeps_label_type(rng):
    X, y = _families(rng)
    clf = SoftDTWNearestCentroid(gamma=0.1).fit(X, y)
    assert clf.predict(X).tolist() == y.tolist()
    assert clf.centroids_.shape == (2, 30)
    assert clf.classes_.tolist() == ["sine", "step"]
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(again.decision_function(X), clf.decision_function(X))


def test_knn_matches_brute_force_neighbours(rng):
    X, y = _families(rng)
    queries = X[::3] + 0.05
    knn = SoftDTWKNeighborsClassifier(3, gamma=0.5).fit(X, y)
    values, indices = knn.kneighbors(queries)
    full = pairwise_soft_dtw(queries, X, gamma=0.5)
    np.testing.assert_array_equal(
        indices, np.argsort(full, axis=1, kind="stable")[:, :3]
    )
    np.testing.assert_allclose(values, np.sort(full, axis=1)[:, :3])
    proba = knn.predict_proba(queries)
    assert proba.shape == (len(queries), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    # X=None: the training set, each series without itself.
    _, own = knn.kneighbors()
    assert not np.any(own == np.arange(len(X))[:, None])


def test_distance_weights_favour_the_closest(rng):
    X = np.array([[0.0, 0.0, 0.0], [0.1, 0.1, 0.1], [3.0, 3.0, 3.0]])
    knn = SoftDTWKNeighborsClassifier(3, divergence=True, weights="distance")
    proba = knn.fit(X, [0, 0, 1]).predict_proba([[2.9, 2.9, 2.9]])
    assert proba[0, 1] > 0.5
    # An exact match takes all the weight.
    assert knn.predict_proba(X[2:]).tolist() == [[0.0, 1.0]]


def test_distance_weights_need_the_divergence():
    with pytest.raises(ValueError, match=r"pass divergence=True"):
        SoftDTWKNeighborsClassifier(weights="distance").fit([[0.0, 1.0]] * 2, [0, 1])


@pytest.mark.parametrize(
    ("estimator", "message"),
    [
        (SoftDTWKNeighborsClassifier(0), r"n_neighbors must be an int >= 1"),
        (SoftDTWKNeighborsClassifier(weights="near"), r"weights must be one of"),
        (SoftDTWNearestCentroid(gamma=-1.0), r"gamma must be a finite number >= 0"),
        (SoftDTWNearestCentroid(window=2.5), r"window must be None"),
    ],
)
def test_bad_parameters_are_rejected(rng, estimator, message):
    with pytest.raises(ValueError, match=message):
        estimator.fit(rng.normal(size=(4, 5)), [0, 1, 0, 1])


def test_too_many_neighbours_is_rejected(rng):
    knn = SoftDTWKNeighborsClassifier().fit(rng.normal(size=(3, 4)), [0, 1, 0])
    with pytest.raises(ValueError, match=r"n_neighbors must be an int in \[1, 2\]"):
        knn.kneighbors(n_neighbors=3)


def test_workflows_on_gunpoint():
    data = load_gunpoint()
    X, y = data.X_train[:30], data.y_train[:30]
    pipe = make_pipeline(
        TimeSeriesStandardScaler(), SoftDTWNearestCentroid(max_iter=30)
    )
    assert pipe.fit(X, y).score(data.X_test, data.y_test) > 0.6
    search = GridSearchCV(
        SoftDTWNearestCentroid(max_iter=20), {"gamma": [0.01, 0.1, 1, 10]}, cv=3
    ).fit(X, y)
    assert search.best_params_["gamma"] in (0.01, 0.1, 1, 10)
    scores = cross_val_score(SoftDTWKNeighborsClassifier(gamma=0.1), X, y, cv=3)
    assert scores.mean() > 0.7
    frame = pd.DataFrame(X)
    knn = SoftDTWKNeighborsClassifier(gamma=0.1).fit(frame, y)
    assert knn.score(pd.DataFrame(data.X_test), data.y_test) > 0.8


@needs_shared
def test_multivariate_basic_motions():
    X, y = read_ucr_file(SHARED / "BasicMotions" / "BasicMotions_TRAIN.ts")
    Xt, yt = read_ucr_file(SHARED / "BasicMotions" / "BasicMotions_TEST.ts")
    knn = SoftDTWKNeighborsClassifier(gamma=0.1, n_jobs=-1).fit(X, y)
    assert knn.score(Xt, yt) > 0.8
    clf = SoftDTWNearestCentroid(gamma=1.0, max_iter=30, n_jobs=-1).fit(X, y)
    assert clf.centroids_.shape[2] == 6 and clf.score(Xt, yt) > 0.5


@needs_shared
def test_unequal_length_japanese_vowels():
    X, y = read_ucr_file(SHARED / "JapaneseVowels" / "JapaneseVowels_TRAIN.ts")
    Xt, yt = read_ucr_file(SHARED / "JapaneseVowels" / "JapaneseVowels_TEST.ts")
    width = max(X.shape[1], Xt.shape[1])
    X = np.pad(X, [(0, 0), (0, width - X.shape[1]), (0, 0)], constant_values=np.nan)
    knn = SoftDTWKNeighborsClassifier(gamma=0.1, n_jobs=-1).fit(X, y)
    assert knn.score(Xt, yt) > 0.8


def test_nearest_centroid_weights_act_as_repeated_series():
    X, y = make_cylinder_bell_funnel(12, length=24, random_state=0)
    counts = np.array([1, 0, 2, 3, 1, 1, 0, 2, 1, 4, 1, 2])
    weighted = SoftDTWNearestCentroid(gamma=1.0, max_iter=30).fit(
        X, y, sample_weight=counts
    )
    repeated = SoftDTWNearestCentroid(gamma=1.0, max_iter=30).fit(
        np.repeat(X, counts, axis=0), np.repeat(y, counts)
    )
    np.testing.assert_allclose(
        weighted.centroids_, repeated.centroids_, rtol=1e-6, atol=1e-8
    )


def test_nearest_centroid_class_of_weight_zero_counts_as_removed():
    # scikit-learn's rule: weight 0 is removal. The class keeps its place in
    # classes_, has no centroid and is never predicted; the other classes'
    # centroids and predictions are those of a fit without its series.
    X, y = make_cylinder_bell_funnel(12, length=24, random_state=0)
    keep = np.ones(12)
    keep[y == y[0]] = 0.0
    weighted = SoftDTWNearestCentroid(gamma=0.1).fit(X, y, sample_weight=keep)
    removed = SoftDTWNearestCentroid(gamma=0.1).fit(X[keep > 0], y[keep > 0])
    assert list(weighted.classes_) == list(np.unique(y))
    missing = list(weighted.classes_).index(y[0])
    assert np.isnan(weighted.centroids_[missing]).all()
    others = np.delete(weighted.centroids_, missing, axis=0)
    np.testing.assert_array_equal(others, removed.centroids_)
    np.testing.assert_array_equal(weighted.predict(X), removed.predict(X))
    assert np.all(weighted.decision_function(X)[:, missing] == -np.inf)


def test_nearest_centroid_cv_fold_whose_class_weighs_zero_is_a_missing_class():
    # As a fold without the class: named, instead of "max() arg is an empty
    # sequence" when no class had weight there.
    X, y = make_cylinder_bell_funnel(12, length=16, random_state=0)
    keep = np.ones(12)
    keep[y == y[0]] = 0.0
    with pytest.raises(ValueError, match=r"fold 0 leaves class \d .* only series of"):
        SoftDTWNearestCentroidCV(cv=2).fit(X, y, sample_weight=keep)
    folds = [(np.arange(6, 12), np.arange(6))]
    with pytest.raises(ValueError, match="fold 0 leaves class"):
        SoftDTWNearestCentroidCV(cv=folds).fit(
            X, y, sample_weight=np.r_[np.ones(6), np.zeros(6)]
        )


def test_nearest_centroid_bagged_with_small_samples():
    # Bagging passes bootstrap counts as sample_weight: small samples leave
    # whole classes at weight 0.
    from sklearn.ensemble import BaggingClassifier

    X, y = make_cylinder_bell_funnel(12, length=16, random_state=0)
    bag = BaggingClassifier(
        SoftDTWNearestCentroid(gamma=0.1),
        n_estimators=10,
        max_samples=4,
        random_state=0,
    ).fit(X, y)
    assert any(
        np.isnan(e.centroids_).all(axis=1).any() for e in bag.estimators_
    )  # some member missed a class
    assert bag.score(X, y) > 0.5


def test_nearest_centroid_at_gamma_zero_has_dba_centroids():
    from softdtw_learn.barycenter import dtw_barycenter_averaging

    X, y = make_cylinder_bell_funnel(12, length=24, random_state=0)
    clf = SoftDTWNearestCentroid(gamma=0.0, max_iter=20).fit(X, y)
    for k, label in enumerate(clf.classes_):
        expected = dtw_barycenter_averaging(X[y == label], max_iter=20, tol=1e-5)
        np.testing.assert_allclose(clf.centroids_[k], expected, rtol=1e-12)
    values = pairwise_soft_dtw(X, clf.centroids_, gamma=0.0)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[values.argmin(axis=1)])


def test_nearest_centroid_cv_chooses_the_best_mean_score_and_refits():
    from sklearn.model_selection import StratifiedKFold

    X, y = make_cylinder_bell_funnel(24, length=32, random_state=0)
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    gammas = (0.01, 1.0, 0.1)  # any order: solved decreasing
    clf = SoftDTWNearestCentroidCV(gammas=gammas, cv=cv, max_iter=30).fit(X, y)
    results = clf.cv_results_
    np.testing.assert_array_equal(results["gamma"], [1.0, 0.1, 0.01])
    best = int(np.argmax(results["mean_test_score"]))
    assert clf.gamma_ == results["gamma"][best]
    assert clf.best_score_ == results["mean_test_score"][best]
    assert results["rank_test_score"][best] == 1
    splits = np.stack([results[f"split{k}_test_score"] for k in range(3)])
    np.testing.assert_allclose(splits.mean(axis=0), results["mean_test_score"])
    # The refit: the path down to gamma_ on all the data, warm-started.
    path = results["gamma"][: best + 1]
    start = SoftDTWNearestCentroid(gamma=path[0], max_iter=30).fit(X, y).centroids_
    for gamma in path[1:]:
        model = SoftDTWNearestCentroid(gamma=gamma, max_iter=30)
        start = _fit_from(model, X, y, start).centroids_
    np.testing.assert_allclose(clf.centroids_, start, rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(
        clf.predict(X),
        clf.classes_[pairwise_soft_dtw(X, clf.centroids_, gamma=clf.gamma_).argmin(1)],
    )


@pytest.mark.parametrize(("cv_tol", "fold_tol"), [(1e-3, 1e-3), (None, 1e-6)])
def test_nearest_centroid_cv_solves_the_folds_at_cv_tol_and_the_refit_at_tol(
    monkeypatch, cv_tol, fold_tol
):
    import softdtw_learn.neighbors as neighbors

    seen = []
    solve = neighbors.barycenter_and_iterations

    def recorded(*args, **kwargs):
        seen.append(kwargs["tol"])
        return solve(*args, **kwargs)

    monkeypatch.setattr(neighbors, "barycenter_and_iterations", recorded)
    X, y = make_cylinder_bell_funnel(12, length=16, random_state=0)
    gammas = (1.0, 0.1)
    clf = SoftDTWNearestCentroidCV(
        gammas=gammas,
        cv=2,
        tol=1e-6,
        cv_tol=cv_tol,
        scoring=lambda model, X, y: -model.gamma,  # gamma_: the smallest
    )
    clf.fit(X, y)
    assert clf.gamma_ == 0.1
    # Two folds, each every gamma for the 3 classes; then the refit, gammas
    # 1 and 0.1, at tol.
    assert seen == [fold_tol] * 12 + [1e-6] * 6


def _fit_from(model, X, y, starts):
    """Fit a SoftDTWNearestCentroid whose class barycenters start at ``starts``."""
    from softdtw_learn.barycenter import soft_dtw_barycenter

    classes = np.unique(y)
    centroids = [
        soft_dtw_barycenter(
            X[y == c],
            gamma=model.gamma,
            init=starts[k],
            max_iter=model.max_iter,
            tol=model.tol,
            continuation=None,
        )
        for k, c in enumerate(classes)
    ]
    model.classes_, model.centroids_ = classes, np.array(centroids)
    return model


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"gammas": []}, "gammas must be a non-empty sequence"),
        ({"gammas": [0.1, -1.0]}, "gammas: gamma must be a finite number >= 0"),
        ({"gammas": 0.1}, "gammas must be a non-empty sequence of numbers >= 0"),
        ({"gammas": ["a"]}, "gammas: gamma must be a finite number >= 0"),
        ({"gammas": [0.1, 1.0, 0.1]}, "must not repeat a gamma.*0.1 appears"),
        ({"max_iter": 0}, "max_iter must be an int >= 1"),
        ({"scoring": "no_such_score"}, "no_such_score"),
        ({"cv_tol": -1e-3}, "cv_tol must be None or a finite number >= 0"),
        ({"cv_tol": "1e-3"}, "cv_tol must be None or a finite number >= 0"),
    ],
)
def test_nearest_centroid_cv_bad_arguments(kwargs, message):
    X, y = make_cylinder_bell_funnel(12, length=16, random_state=0)
    with pytest.raises(ValueError, match=message):
        SoftDTWNearestCentroidCV(cv=2, **kwargs).fit(X, y)


def test_nearest_centroid_cv_reports_a_fold_without_a_class():
    X, y = make_cylinder_bell_funnel(12, length=16, random_state=0)
    folds = [(np.flatnonzero(y != y[0]), np.flatnonzero(y == y[0]))]
    with pytest.raises(ValueError, match=r"fold 0 leaves class \d \(\d+ series\) out"):
        SoftDTWNearestCentroidCV(cv=folds).fit(X, y)


def test_nearest_centroid_cv_ranks_a_nan_score_last():
    X, y = make_cylinder_bell_funnel(12, length=16, random_state=0)

    def scorer(model, X, y):
        return np.nan if model.gamma == 1.0 else 0.5

    clf = SoftDTWNearestCentroidCV(gammas=(1.0, 0.1), cv=3, scoring=scorer, max_iter=50)
    with pytest.warns(UserWarning, match="mean test scores are NaN"):
        clf.fit(X, y)
    assert clf.gamma_ == 0.1
    assert clf.best_score_ == 0.5
    np.testing.assert_array_equal(clf.cv_results_["rank_test_score"], [2, 1])


def test_nearest_centroid_cv_passes_groups_to_a_group_splitter():
    from sklearn.model_selection import GroupKFold

    X, y = make_cylinder_bell_funnel(18, length=16, random_state=0)
    groups = np.arange(18) % 3  # every class in every group
    kwargs = {"gammas": (1.0, 0.1), "max_iter": 20}
    grouped = SoftDTWNearestCentroidCV(cv=GroupKFold(3), **kwargs)
    grouped.fit(X, y, groups=groups)
    folds = [
        (np.flatnonzero(groups != g), np.flatnonzero(groups == g)) for g in range(3)
    ]
    listed = SoftDTWNearestCentroidCV(cv=folds, **kwargs).fit(X, y)
    # The same folds, perhaps in another order: the same mean scores.
    np.testing.assert_allclose(
        grouped.cv_results_["mean_test_score"], listed.cv_results_["mean_test_score"]
    )
    assert grouped.gamma_ == listed.gamma_
    with pytest.raises(ValueError, match="groups"):
        SoftDTWNearestCentroidCV(cv=GroupKFold(3), **kwargs).fit(X, y)
    with pytest.raises(
        ValueError, match=r"groups must hold one label per series \(18\)"
    ):
        SoftDTWNearestCentroidCV(cv=GroupKFold(3), **kwargs).fit(X, y, groups=[0, 1])


def test_nearest_centroid_cv_refuses_what_cannot_choose_a_gamma():
    from sklearn.exceptions import NotFittedError

    X, y = make_cylinder_bell_funnel(12, length=16, random_state=0)
    with pytest.raises(ValueError, match="scoring must be one metric"):
        SoftDTWNearestCentroidCV(cv=2, scoring=["accuracy"]).fit(X, y)
    with pytest.raises(ValueError, match=r"cv=\[\] gives no folds"):
        SoftDTWNearestCentroidCV(cv=[]).fit(X, y)
    with pytest.raises(NotFittedError):
        SoftDTWNearestCentroidCV().gamma  # noqa: B018


def test_predict_with_other_channels_names_the_fitted_ones():
    X, y = make_cylinder_bell_funnel(12, length=16, random_state=0)
    knn = SoftDTWKNeighborsClassifier().fit(X, y)
    with pytest.raises(ValueError, match="X has 2 channel.*fitted on series with 1"):
        knn.predict(np.stack([X, X], axis=2))
    with pytest.raises(ValueError, match="X has 2 channel.*fitted on series with 1"):
        knn.predict([np.ones((10, 2))])


@pytest.mark.parametrize(
    "make", [lambda: SoftDTWKNeighborsClassifier(gamma=0.1), SoftDTWNearestCentroid]
)
def test_cross_validation_on_a_list_of_many_lengths_scores_every_fold(make):
    # A fold's test series may be longer than its training ones: as a list,
    # they are compared as they are (no NaN score from a width check).
    X, y = make_cylinder_bell_funnel(30, length=64, random_state=0)
    ragged = [x[:40] for x in X]
    ragged[0] = X[0]  # one long series: in one fold's test split only
    scores = cross_val_score(make(), ragged, y, cv=3, error_score="raise")
    assert np.isfinite(scores).all()
    search = GridSearchCV(make(), {"gamma": [0.1, 1.0]}, cv=3, error_score="raise")
    assert np.isfinite(search.fit(ragged, y).cv_results_["mean_test_score"]).all()


def test_longer_new_series_as_a_list_and_extra_padding_are_accepted():
    X, y = make_cylinder_bell_funnel(12, length=20, random_state=0)
    clf = SoftDTWKNeighborsClassifier(gamma=0.1).fit(X, y)
    longer = [np.concatenate([x, x[:5]]) for x in X[:4]]
    expected = pairwise_soft_dtw(longer, X, gamma=0.1, divergence=True).argmin(1)
    np.testing.assert_array_equal(clf.predict(longer), y[expected])
    padded = np.full((4, 31), np.nan)
    padded[:, :20] = X[:4]  # trailing all-NaN steps beyond the training width
    np.testing.assert_array_equal(clf.predict(padded), clf.predict(X[:4]))
    wider = np.stack(longer)  # an array of longer series: scikit-learn's rule
    with pytest.raises(ValueError, match="longer: pass them as a list of series"):
        clf.predict(wider)


@pytest.mark.parametrize("scoring", ["neg_log_loss", "roc_auc_ovr"])
def test_cv_refuses_a_scoring_on_probabilities_before_fitting(scoring, monkeypatch):
    from softdtw_learn import neighbors

    def never(*args, **kwargs):
        raise AssertionError("a barycenter was fitted before the check")

    monkeypatch.setattr(neighbors, "_class_barycenters", never)
    X, y = make_cylinder_bell_funnel(12, length=16, random_state=0)
    with pytest.raises(ValueError, match=rf"scoring='{scoring}' needs predict_proba"):
        SoftDTWNearestCentroidCV(cv=2, scoring=scoring).fit(X, y)


def test_cv_names_its_choice_as_the_search_estimators_do():
    X, y = make_cylinder_bell_funnel(12, length=16, random_state=0)
    clf = SoftDTWNearestCentroidCV(gammas=(1.0, 0.1), cv=3).fit(X, y)
    assert clf.best_params_ == {"gamma": clf.gamma_} and clf.n_splits_ == 3
    assert clf.cv_results_["gamma"][clf.best_index_] == clf.gamma_


def test_an_object_array_of_series_is_a_list_of_them():
    X, y = make_cylinder_bell_funnel(6, length=12, random_state=0)
    items = np.empty(6, dtype=object)
    for k in range(6):
        items[k] = X[k][: 8 + k % 3]
    clf = SoftDTWKNeighborsClassifier(gamma=0.1).fit(items, y)
    listed = SoftDTWKNeighborsClassifier(gamma=0.1).fit(list(items), y)
    np.testing.assert_array_equal(clf.predict(items), listed.predict(list(items)))


def test_leave_one_out_neighbours_of_one_series_say_why():
    clf = SoftDTWKNeighborsClassifier(1).fit(np.zeros((1, 5)), [0])
    with pytest.raises(ValueError, match="leaves each training series out"):
        clf.kneighbors()
    assert clf.kneighbors(np.ones((2, 5)))[1].tolist() == [[0], [0]]
