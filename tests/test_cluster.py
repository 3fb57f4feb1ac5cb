import pickle

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score
from sklearn.utils.estimator_checks import parametrize_with_checks

from softdtw_learn.cluster import SoftDTWKMeans
from softdtw_learn.datasets import make_cylinder_bell_funnel


@parametrize_with_checks([SoftDTWKMeans(n_clusters=3, max_iter=5, random_state=0)])
def test_sklearn_compatible(estimator, check):
    check(estimator)


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
        ({"gamma": 0.0}, r"gamma must be a finite number > 0"),
        ({"gamma": -1.0}, r"gamma must be a finite number > 0"),
        ({"init": "best"}, r"init must be one of 'k-means\+\+', 'random' or an array"),
        ({"init": np.zeros((2, 5))}, r"init must hold 3 centres"),
        ({"n_init": 0}, r"n_init must be an int >= 1"),
        ({"tol": -1}, r"tol must be a finite number >= 0"),
    ],
)
def test_bad_parameters_are_rejected(rng, params, message):
    kwargs = {"n_clusters": 3, **params}
    with pytest.raises(ValueError, match=message):
        SoftDTWKMeans(**kwargs).fit(rng.normal(size=(10, 5)))
