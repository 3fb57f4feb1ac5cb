import pickle
import re
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import adjusted_rand_score
from sklearn.utils.estimator_checks import parametrize_with_checks

from softdtw_learn.cluster import SoftDTWKMeans
from softdtw_learn.datasets import make_cylinder_bell_funnel

# The check shuffles the weighted copy of its data; the seeding draws depend
# on the order of the series (as BisectingKMeans', which scikit-learn marks
# the same way). Weights against repetition in the same order are tested
# below, on the seeding and on fixed initial centres.
EXPECTED_FAILED = {
    "check_sample_weight_equivalence_on_dense_data": (
        "seeding draws depend on the series' order, which the check shuffles"
    ),
}


@parametrize_with_checks(
    [SoftDTWKMeans(n_clusters=3, max_iter=5, random_state=0)],
    expected_failed_checks=lambda estimator: EXPECTED_FAILED,
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.parametrize("init", ["k-means++", "fixed"])
def test_integer_weights_act_as_repeated_series(init):
    X, _ = make_cylinder_bell_funnel(12, length=24, random_state=0)
    counts = np.array([1, 0, 2, 3, 1, 1, 0, 2, 1, 4, 1, 2])
    centres = X[[0, 4, 8]] if init == "fixed" else "k-means++"
    params = dict(gamma=1.0, max_iter=6, random_state=1, init=centres)
    weighted = SoftDTWKMeans(3, **params).fit(X, sample_weight=counts)
    repeated = SoftDTWKMeans(3, **params).fit(np.repeat(X, counts, axis=0))
    np.testing.assert_allclose(
        weighted.cluster_centers_, repeated.cluster_centers_, rtol=1e-6, atol=1e-8
    )
    np.testing.assert_array_equal(np.repeat(weighted.labels_, counts), repeated.labels_)
    assert weighted.inertia_ == pytest.approx(repeated.inertia_, rel=1e-9)
    assert weighted.score(X, sample_weight=counts) == pytest.approx(
        repeated.score(np.repeat(X, counts, axis=0)), rel=1e-9
    )


def test_sample_weight_errors_and_input_kept():
    X, _ = make_cylinder_bell_funnel(6, length=16, random_state=0)
    for bad, message in [
        (np.ones(5), "sample_weight must be 6 finite numbers"),
        ([1, 1, np.nan, 1, 1, 1], "sample_weight must be 6 finite numbers"),
        ([1, 1, -1, 1, 1, 1], "non-negative"),
        ([0, 0, 1, 1, 0, 0], "at least 3 non-zero weights"),
        (["a"] * 6, "sample_weight must be 6 finite numbers"),
    ]:
        with pytest.raises(ValueError, match=message):
            SoftDTWKMeans(3).fit(X, sample_weight=bad)
    weights = np.arange(1.0, 7.0)
    SoftDTWKMeans(2, max_iter=2, random_state=0).fit(X, sample_weight=weights)
    np.testing.assert_array_equal(weights, np.arange(1.0, 7.0))


def test_transform_names_its_columns_and_sets_output():
    pd = pytest.importorskip("pandas")
    X, _ = make_cylinder_bell_funnel(9, length=16, random_state=0)
    km = SoftDTWKMeans(3, max_iter=2, random_state=0).fit(X)
    names = km.get_feature_names_out()
    assert names.tolist() == ["softdtwkmeans0", "softdtwkmeans1", "softdtwkmeans2"]
    frame = km.set_output(transform="pandas").transform(X)
    assert isinstance(frame, pd.DataFrame) and frame.columns.tolist() == names.tolist()


def test_verbose_two_adds_the_barycenter_lines(capsys):
    X, _ = make_cylinder_bell_funnel(9, length=16, random_state=0)
    SoftDTWKMeans(3, max_iter=2, verbose=1, random_state=0).fit(X)
    one = capsys.readouterr().out
    SoftDTWKMeans(3, max_iter=2, verbose=2, random_state=0).fit(X)
    two = capsys.readouterr().out
    assert "barycenter in" not in one
    assert two.count("barycenter in") >= 3 and two.count("Iteration") == one.count(
        "Iteration"
    )
    # scikit-learn's KMeans takes verbose=True: level 1.
    SoftDTWKMeans(3, max_iter=2, verbose=True, random_state=0).fit(X)
    seconds = re.compile(r"[0-9.]+ s\b")
    assert seconds.sub("", capsys.readouterr().out) == seconds.sub("", one)


def test_recovers_three_shape_families():
    X, y = make_cylinder_bell_funnel(60, length=64, random_state=0)
    km = SoftDTWKMeans(3, gamma=1.0, max_iter=10, random_state=0).fit(X)
    assert adjusted_rand_score(y, km.labels_) > 0.5
    assert km.cluster_centers_.shape == (3, 64)
    np.testing.assert_array_equal(km.predict(X), km.labels_)
    assert km.transform(X).shape == (60, 3)
    assert km.score(X) == pytest.approx(-km.inertia_)


def test_well_separated_families_are_recovered_exactly(rng):
    t = np.linspace(0, 1, 40)
    X = np.concatenate(
        [
            np.sin(2 * np.pi * t + rng.uniform(0, 0.3, (10, 1))) * 3,
            np.where(t > rng.uniform(0.3, 0.6, (10, 1)), 4.0, -4.0),
            np.full((10, 40), 10.0) + rng.normal(scale=0.1, size=(10, 40)),
        ]
    )
    y = np.repeat([0, 1, 2], 10)
    for init in ("k-means++", "random"):
        km = SoftDTWKMeans(3, gamma=0.1, init=init, n_init=2, random_state=1).fit(X)
        assert adjusted_rand_score(y, km.labels_) == 1.0


def test_deterministic_and_pickles(rng):
    X = rng.normal(size=(20, 15))
    a = SoftDTWKMeans(3, max_iter=3, random_state=7).fit(X)
    b = SoftDTWKMeans(3, max_iter=3, random_state=7).fit(X)
    np.testing.assert_array_equal(a.cluster_centers_, b.cluster_centers_)
    c = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(c.predict(X), a.predict(X))


def test_multivariate_unequal_lengths_and_divergence(rng):
    X = rng.normal(size=(12, 10, 2))
    X[::3, 7:] = np.nan
    km = SoftDTWKMeans(2, divergence=True, max_iter=3, random_state=0).fit(X)
    assert km.cluster_centers_.shape[0] == 2 and km.cluster_centers_.shape[2] == 2
    assert km.inertia_ >= 0
    assert set(km.labels_) == {0, 1}


def test_array_init_and_verbose(rng, capsys):
    X = rng.normal(size=(9, 8))
    km = SoftDTWKMeans(3, init=X[:3], max_iter=2, verbose=1).fit(X)
    assert "Iteration 1: inertia" in capsys.readouterr().out
    assert km.n_iter_ >= 1


def test_empty_cluster_is_reseeded_with_the_farthest_series(rng):
    X = np.concatenate([rng.normal(size=(8, 6)), [np.full(6, 50.0)]])
    # Two identical initial centres: one cluster starts empty.
    init = np.stack([X[0], X[0], X[1]])
    km = SoftDTWKMeans(3, init=init, max_iter=4, gamma=0.5).fit(X)
    assert sorted(set(km.labels_.tolist())) == [0, 1, 2]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"n_clusters": 20}, r"n_clusters=20 is larger than n_samples=10"),
        ({"gamma": -1.0}, r"gamma must be a finite number >= 0"),
        (
            {"init": "best"},
            r"init must be one of 'k-means\+\+', 'random' or centres \(an array",
        ),
        ({"init": np.zeros((2, 5))}, r"init must hold 3 centres"),
        ({"n_init": 0}, r"n_init must be an int >= 1"),
        ({"tol": -1}, r"tol must be a finite number >= 0"),
    ],
)
def test_bad_parameters_are_rejected(rng, params, message):
    kwargs = {"n_clusters": 3, **params}
    with pytest.raises(ValueError, match=message):
        SoftDTWKMeans(**kwargs).fit(rng.normal(size=(10, 5)))


def test_gamma_zero_is_dba_kmeans():
    from softdtw_learn.barycenter import dtw_barycenter_averaging
    from softdtw_learn.metrics import pairwise_soft_dtw

    X, _ = make_cylinder_bell_funnel(12, length=24, random_state=0)
    init = X[[0, 4, 8]]
    km = SoftDTWKMeans(3, gamma=0.0, init=init, max_iter=1).fit(X)
    # One Lloyd step: DTW assignment to the given centres, then DBA of each.
    labels = pairwise_soft_dtw(X, init, gamma=0.0).argmin(axis=1)
    for k in range(3):
        expected = dtw_barycenter_averaging(
            X[labels == k], init=init[k], max_iter=100, tol=1e-4
        )
        np.testing.assert_allclose(km.cluster_centers_[k], expected, rtol=1e-12)
    dtw_to_centres = pairwise_soft_dtw(X, km.cluster_centers_, gamma=0.0)
    assert km.inertia_ == pytest.approx(dtw_to_centres.min(axis=1).sum(), rel=1e-12)


def test_capped_barycenters_warning_names_the_barycenter_parameters():
    X, _ = make_cylinder_bell_funnel(9, length=16, random_state=0)
    with pytest.warns(ConvergenceWarning) as caught:
        SoftDTWKMeans(3, max_iter=2, max_iter_barycenter=1, random_state=0).fit(X)
    (message,) = [str(w.message) for w in caught if "barycenter fits" in str(w.message)]
    assert "raise max_iter_barycenter (or tol_barycenter)" in message
    assert caught[-1].filename == __file__  # points at the caller's line


def test_explicit_centres_run_once_whatever_n_init():
    X, _ = make_cylinder_bell_funnel(9, length=16, random_state=0)
    with pytest.warns(RuntimeWarning, match="one run instead of n_init=3"):
        km = SoftDTWKMeans(3, init=X[:3], n_init=3, max_iter=2).fit(X)
    once = SoftDTWKMeans(3, init=X[:3], n_init=1, max_iter=2).fit(X)
    np.testing.assert_array_equal(km.cluster_centers_, once.cluster_centers_)


def test_verbose_two_prints_each_iteration_before_its_clusters(capsys):
    X, _ = make_cylinder_bell_funnel(9, length=16, random_state=0)
    SoftDTWKMeans(3, n_init=2, max_iter=2, verbose=2, random_state=0).fit(X)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Init 1/2: Iteration 1")
    assert lines[1].startswith("Init 1/2:     cluster 0:")
    assert all(line.startswith("Init ") for line in lines)
    SoftDTWKMeans(3, gamma=0.0, max_iter=2, verbose=2, random_state=0).fit(X)
    assert "DBA iterations" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("gamma", "divergence", "seed"), [(0.0, False, 3), (1.0, False, 0), (0.1, True, 0)]
)
def test_lloyd_steps_lower_the_inertia_with_unequal_lengths(
    capsys, gamma, divergence, seed
):
    # The updates weigh each series by its length, as the inertia does not
    # divide by it: every Lloyd step lowers the inertia, ragged data included
    # (these seeds rose before).
    from softdtw_learn.preprocessing import TimeSeriesStandardScaler

    X, _ = make_cylinder_bell_funnel(60, length=40, random_state=0)
    X = TimeSeriesStandardScaler().fit_transform(X)
    rng = np.random.RandomState(0)
    ragged = [x[: rng.randint(8, 41)] for x in X]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        SoftDTWKMeans(
            4,
            gamma=gamma,
            divergence=divergence,
            random_state=seed,
            max_iter=8,
            tol=0,
            verbose=1,
        ).fit(ragged)
    inertias = [
        float(v) for v in re.findall(r"inertia (\S+),", capsys.readouterr().out)
    ]
    assert len(inertias) >= 4
    assert np.all(np.diff(inertias) <= 1e-9 * np.abs(inertias[:-1]))


def test_update_minimises_the_clusters_share_of_the_inertia():
    from softdtw_learn.barycenter import soft_dtw_barycenter
    from softdtw_learn.metrics import soft_dtw

    X, _ = make_cylinder_bell_funnel(6, length=20, random_state=0)
    ragged = [x[: 8 + 2 * k] for k, x in enumerate(X)]
    km = SoftDTWKMeans(1, gamma=0.5, init=[ragged[0]], max_iter=1).fit(ragged)
    centre = km.cluster_centers_[0][~np.isnan(km.cluster_centers_[0])]
    # The paper's objective (each term over its length) has another minimiser.
    other = soft_dtw_barycenter(
        ragged, gamma=0.5, init=ragged[0], continuation=None, tol=1e-4
    )
    share = lambda z: sum(soft_dtw(z, x, gamma=0.5) for x in ragged)  # noqa: E731
    per_step = lambda z: sum(  # noqa: E731
        soft_dtw(z, x, gamma=0.5) / len(x) for x in ragged
    )
    assert share(centre) < share(other)
    assert per_step(other) < per_step(centre)


def test_callable_init_is_called_with_the_data_and_the_random_state():
    X, _ = make_cylinder_bell_funnel(12, length=20, random_state=0)
    calls = []

    def pick(data, n_clusters, random_state):
        calls.append((data.shape, n_clusters))
        return data[random_state.choice(len(data), n_clusters, replace=False)]

    km = SoftDTWKMeans(3, init=pick, n_init=2, random_state=0, max_iter=2).fit(X)
    assert calls == [((12, 20), 3), ((12, 20), 3)]
    assert km.cluster_centers_.shape == (3, 20)
    assert SoftDTWKMeans(3, init=pick, n_init="auto")._n_init(12) == 10
    bad = SoftDTWKMeans(3, init=lambda data, k, rs: data[:2])
    with pytest.raises(ValueError, match="init must hold 3 centres with 1 channel"):
        bad.fit(X)


def test_ragged_init_of_the_wrong_size_gets_the_size_message():
    X, _ = make_cylinder_bell_funnel(6, length=10, random_state=0)
    with pytest.raises(ValueError, match=r"init must hold 3 centres .* got 2 with 1"):
        SoftDTWKMeans(3, init=[X[0], X[1][:5]]).fit(X)


def test_scalar_sample_weight_weighs_every_series_alike():
    X, _ = make_cylinder_bell_funnel(9, length=12, random_state=0)
    plain = SoftDTWKMeans(2, random_state=0, max_iter=3).fit(X)
    scaled = SoftDTWKMeans(2, random_state=0, max_iter=3).fit(X, sample_weight=2.0)
    np.testing.assert_array_equal(plain.labels_, scaled.labels_)
    np.testing.assert_allclose(scaled.inertia_, 2 * plain.inertia_, rtol=1e-12)
