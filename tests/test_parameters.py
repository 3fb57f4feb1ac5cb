"""Hostile parameters: one clear ValueError or the right model, never NaN.

Every estimator, the barycenter and the torch loss check their parameters
through the helpers of ``softdtw_learn.utils`` (``check_int``,
``check_real``, ``check_flag``, ``check_option``): booleans are not numbers,
numpy scalars and other Reals are, and nothing non-finite is accepted.
"""

import math
import re
import warnings
from fractions import Fraction

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from softdtw_learn.barycenter import soft_dtw_barycenter
from softdtw_learn.cluster import SoftDTWKMeans
from softdtw_learn.forecasting import SoftDTWMLPRegressor, SoftDTWMLPRegressorCV
from softdtw_learn.metrics import pairwise_soft_dtw, soft_dtw
from softdtw_learn.neighbors import SoftDTWKNeighborsClassifier, SoftDTWNearestCentroid
from softdtw_learn.preprocessing import TimeSeriesStandardScaler
from softdtw_learn.utils import check_int, check_real, check_window

RNG = np.random.RandomState(0)
X = RNG.normal(size=(6, 10))
Y = np.array([0, 0, 0, 1, 1, 1])
INPUTS, TARGETS = X[:, :6], X[:, 6:]

# (estimator class, parameters, words the message must hold)
ESTIMATOR_CASES = [
    (SoftDTWKMeans, {"init": 10**400}, "init must hold real numbers"),
    (SoftDTWKMeans, {"n_clusters": True}, "n_clusters must be an int >= 1"),
    (SoftDTWKMeans, {"n_clusters": 2.0}, "n_clusters must be an int"),
    (SoftDTWKMeans, {"n_clusters": 0}, "n_clusters must be an int >= 1"),
    (SoftDTWKMeans, {"n_init": 0}, "n_init must be an int >= 1"),
    (SoftDTWKMeans, {"n_init": -1}, "n_init must be an int >= 1"),
    (SoftDTWKMeans, {"n_init": True}, "n_init must be an int"),
    (SoftDTWKMeans, {"n_init": "best"}, "n_init must be one of 'auto'"),
    (SoftDTWKMeans, {"max_iter": np.bool_(True)}, "max_iter must be an int"),
    (SoftDTWKMeans, {"max_iter_barycenter": 0}, "max_iter_barycenter must be"),
    (SoftDTWKMeans, {"tol": np.nan}, "tol must be a finite number >= 0"),
    (SoftDTWKMeans, {"tol": np.inf}, "tol must be a finite number >= 0"),
    (SoftDTWKMeans, {"tol": "0.1"}, "tol must be a finite number"),
    (SoftDTWKMeans, {"gamma": np.inf}, "gamma must be a finite number >= 0"),
    (SoftDTWKMeans, {"gamma": 10**400}, "gamma must be a finite number >= 0"),
    (SoftDTWKMeans, {"gamma": True}, "gamma must be a finite number >= 0"),
    (SoftDTWKMeans, {"divergence": "no"}, "divergence must be True or False"),
    (SoftDTWKMeans, {"divergence": 1}, "divergence must be True or False"),
    (SoftDTWKMeans, {"window": np.inf}, "window must be None, an int >= 0"),
    (SoftDTWKMeans, {"window": -1}, "window must be None, an int >= 0"),
    (SoftDTWKMeans, {"window": True}, "window must be None, an int >= 0"),
    (SoftDTWKMeans, {"n_jobs": 0}, "n_jobs must be None"),
    (SoftDTWKMeans, {"n_jobs": 1.5}, "n_jobs must be None"),
    (SoftDTWKMeans, {"verbose": -1}, "verbose must be an int >= 0"),
    (SoftDTWNearestCentroid, {"max_iter": True}, "max_iter must be an int >= 1"),
    (SoftDTWNearestCentroid, {"max_iter": 0}, "max_iter must be an int >= 1"),
    (SoftDTWNearestCentroid, {"tol": -1e-3}, "tol must be a finite number >= 0"),
    (SoftDTWNearestCentroid, {"tol": np.nan}, "tol must be a finite number >= 0"),
    (SoftDTWNearestCentroid, {"gamma": -1.0}, "gamma must be a finite number >= 0"),
    (SoftDTWNearestCentroid, {"gamma": "1"}, "gamma must be a finite number >= 0"),
    (SoftDTWNearestCentroid, {"divergence": None}, "divergence must be True"),
    (SoftDTWNearestCentroid, {"n_jobs": "all"}, "n_jobs must be None"),
    (SoftDTWKNeighborsClassifier, {"n_neighbors": True}, "n_neighbors must be an int"),
    (SoftDTWKNeighborsClassifier, {"n_neighbors": 0}, "n_neighbors must be an int"),
    (SoftDTWKNeighborsClassifier, {"n_neighbors": 1.0}, "n_neighbors must be an int"),
    (
        SoftDTWKNeighborsClassifier,
        {"n_neighbors": 7},
        "n_neighbors=7 is larger than n_samples=6",
    ),
    (
        SoftDTWKNeighborsClassifier,
        {"weights": np.ones(3)},
        "weights must be one of 'uniform'",
    ),
    (SoftDTWKNeighborsClassifier, {"weights": "nearest"}, "weights must be one of"),
    (SoftDTWKNeighborsClassifier, {"weights": None}, "weights must be one of"),
    (SoftDTWKNeighborsClassifier, {"divergence": "yes"}, "divergence must be True"),
    (SoftDTWKNeighborsClassifier, {"window": 2.5}, "window must be"),
    (SoftDTWMLPRegressor, {"alpha": np.inf}, "alpha must be a finite number >= 0"),
    (SoftDTWMLPRegressor, {"alpha": -1.0}, "alpha must be a finite number >= 0"),
    (SoftDTWMLPRegressor, {"alpha": np.nan}, "alpha must be a finite number >= 0"),
    (
        SoftDTWMLPRegressor,
        {"solver": "adam", "learning_rate_init": np.inf},
        "learning_rate_init must be a finite number > 0",
    ),
    (
        SoftDTWMLPRegressor,
        {"learning_rate_init": 0.0},
        "learning_rate_init must be a finite number > 0",
    ),
    (
        SoftDTWMLPRegressor,
        {"hidden_layer_sizes": (True,)},
        "hidden_layer_sizes must be a positive int",
    ),
    (
        SoftDTWMLPRegressor,
        {"hidden_layer_sizes": (0,)},
        "hidden_layer_sizes must be a positive int",
    ),
    (
        SoftDTWMLPRegressor,
        {"hidden_layer_sizes": (4.0,)},
        "hidden_layer_sizes must be a positive int",
    ),
    (
        SoftDTWMLPRegressor,
        {"hidden_layer_sizes": None},
        "hidden_layer_sizes must be a positive int",
    ),
    (
        SoftDTWMLPRegressor,
        {"hidden_layer_sizes": "50"},
        "hidden_layer_sizes must be a positive int",
    ),
    (SoftDTWMLPRegressor, {"max_iter": True}, "max_iter must be an int >= 1"),
    (
        SoftDTWMLPRegressor,
        {"n_iter_no_change": 0},
        "n_iter_no_change must be an int >= 1",
    ),
    (SoftDTWMLPRegressor, {"batch_size": 0}, "batch_size"),
    (SoftDTWMLPRegressor, {"batch_size": True}, "batch_size"),
    (SoftDTWMLPRegressor, {"tol": np.inf}, "tol must be a finite number >= 0"),
    (SoftDTWMLPRegressor, {"loss": "dtw"}, "loss must be one of"),
    (SoftDTWMLPRegressor, {"solver": "sgd"}, "solver must be one of"),
    (SoftDTWMLPRegressor, {"activation": "gelu"}, "activation must be one of"),
    (SoftDTWMLPRegressor, {"warm_start": "no"}, "warm_start must be True or False"),
    (SoftDTWMLPRegressor, {"gamma": 0.0}, "gamma must be a finite number > 0"),
    (SoftDTWMLPRegressor, {"init": "Euclidean"}, "init must be one of 'random'"),
    (SoftDTWMLPRegressorCV, {"gammas": []}, "gammas must be a non-empty sequence"),
    (SoftDTWMLPRegressorCV, {"gammas": (0.1, -1)}, "gammas: gamma must be a finite"),
    (SoftDTWMLPRegressorCV, {"gammas": (1e-320,)}, "gammas: gamma=1e-320 is below"),
    (SoftDTWMLPRegressorCV, {"validation_fraction": np.nan}, "validation_fraction"),
    (SoftDTWMLPRegressorCV, {"init": None}, "init must be one of 'random'"),
    (TimeSeriesStandardScaler, {"with_mean": "no"}, "with_mean must be True or False"),
    (TimeSeriesStandardScaler, {"with_std": None}, "with_std must be True or False"),
]


def _fit(cls, params):
    if cls is SoftDTWMLPRegressor:
        return cls(**{"hidden_layer_sizes": (3,), "max_iter": 3, **params}).fit(
            INPUTS, TARGETS
        )
    if cls is TimeSeriesStandardScaler:
        return cls(**params).fit_transform(X)
    if cls is SoftDTWKMeans:
        return cls(**{"n_clusters": 2, "max_iter": 2, **params}).fit(X)
    return cls(**params).fit(X, Y).predict(X)


@pytest.mark.parametrize(
    ("cls", "params", "message"),
    ESTIMATOR_CASES,
    ids=[f"{c.__name__}-{p}" for c, p, _ in ESTIMATOR_CASES],
)
def test_bad_estimator_parameters_give_one_clear_error(cls, params, message):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        with pytest.raises(ValueError, match=message):
            _fit(cls, params)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"gamma": Fraction(1, 2)},
        {"gamma": np.float32(0.5)},
        {"gamma": np.int64(1)},
        {"window": 10**400},
        {"window": np.int64(3)},
        {"window": 0},
    ],
    ids=str,
)
def test_numbers_of_every_kind_are_read_as_their_value(kwargs):
    # Fraction(1, 2) is gamma 0.5; 10**400 cells is no band at all.
    plain = {
        key: (
            float(value)
            if key == "gamma"
            else (None if value == 10**400 else int(value))
        )
        for key, value in kwargs.items()
    }
    expected = soft_dtw(X[0], X[1], **plain)
    assert soft_dtw(X[0], X[1], **kwargs) == expected
    np.testing.assert_array_equal(
        pairwise_soft_dtw(X[:3], **kwargs), pairwise_soft_dtw(X[:3], **plain)
    )


@pytest.mark.parametrize(
    ("check", "value", "kwargs", "message"),
    [
        (check_int, True, {}, "must be an int"),
        (check_int, np.bool_(False), {}, "must be an int"),
        (check_int, 2.0, {}, "must be an int"),
        (check_int, "3", {}, "must be an int"),
        (check_int, 5, {"low": 1, "high": 4}, r"must be an int in \[1, 4\]"),
        (check_real, 10**400, {}, "must be a finite number"),
        (check_real, Fraction(10**400, 3), {}, "must be a finite number"),
        (check_real, np.nan, {}, "must be a finite number"),
        (check_real, -np.inf, {}, "must be a finite number"),
        (check_real, 1j, {}, "must be a finite number"),
        (check_real, 0.0, {"low": 0, "low_open": True}, "must be a finite number > 0"),
        (
            check_real,
            1.0,
            {"high": 1, "high_open": True},
            "must be a finite number < 1",
        ),
        (check_window, 1e400, None, "window must be None"),
        (check_window, np.nan, None, "window must be None"),
        (check_window, 1.5, None, "window must be None"),
        (check_window, "10", None, "window must be None"),
    ],
)
def test_parameter_helpers_reject_what_is_not_a_finite_number(
    check, value, kwargs, message
):
    with pytest.raises(ValueError, match=message):
        if kwargs is None:
            check(value)
        else:
            check(value, "p", **kwargs)


def test_parameter_helpers_return_plain_python_numbers():
    assert type(check_int(np.int64(3), "p")) is int
    assert check_real(Fraction(1, 4), "p") == 0.25
    assert check_window(10**400) == (float(2**53), 0.0)


# --------------------------------------------------------- reproducers


def test_kmeans_on_identical_series_warns_that_clusters_are_missing():
    with pytest.warns(
        ConvergenceWarning,
        match=r"distinct clusters \(1\) found smaller than n_clusters \(3\)",
    ):
        km = SoftDTWKMeans(3, random_state=0).fit(np.ones((5, 10)))
    assert len(np.unique(km.labels_)) == 1


def test_kmeans_verbose_prints_one_line_per_iteration(capsys):
    km = SoftDTWKMeans(2, gamma=0.5, max_iter=10, verbose=1, random_state=0).fit(X)
    lines = [
        line for line in capsys.readouterr().out.splitlines() if "Iteration" in line
    ]
    assert len(lines) == km.n_iter_
    assert lines[-1].startswith(f"Iteration {km.n_iter_}:")


def test_kmeans_restarts_are_labelled(capsys):
    SoftDTWKMeans(2, n_init=2, max_iter=2, verbose=1, random_state=0).fit(X)
    out = capsys.readouterr().out
    assert "Init 1/2: Iteration 1" in out and "Init 2/2: Iteration 1" in out


@pytest.mark.parametrize(("init", "runs"), [("k-means++", 1), ("random", 10)])
def test_kmeans_n_init_auto_is_scikit_learns(init, runs):
    auto = SoftDTWKMeans(2, init=init, n_init="auto", max_iter=2, random_state=0)
    fixed = SoftDTWKMeans(2, init=init, n_init=runs, max_iter=2, random_state=0)
    np.testing.assert_array_equal(
        auto.fit(X).cluster_centers_, fixed.fit(X).cluster_centers_
    )


def test_capped_barycenters_give_one_combined_warning():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        SoftDTWKMeans(2, max_iter=3, max_iter_barycenter=1, random_state=0).fit(X)
        SoftDTWNearestCentroid(max_iter=1).fit(X, Y)
    messages = [str(w.message) for w in caught if w.category is ConvergenceWarning]
    assert len(messages) == 2, messages
    assert re.match(
        r"\d+ of \d+ barycenter fits stopped at max_iter_barycenter=1", messages[0]
    )
    assert messages[1].startswith("2 of 2 barycenter fits stopped at max_iter=1")


def test_scaler_standardises_huge_values_exactly():
    huge = np.array([[1e154, -1e154, 1e154, 0.0]])
    unit = huge / 1e154
    expected = (unit - unit.mean()) / unit.std()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = TimeSeriesStandardScaler().fit_transform(huge)
    np.testing.assert_allclose(out, expected, rtol=1e-15)
    assert math.isclose(out[0, 0], 0.9045340337332909, rel_tol=1e-14)


@pytest.mark.parametrize("scale", [1e-300, 1e-150, 1.0, 1e150, 1e300])
def test_scaler_is_scale_invariant(scale):
    series = RNG.normal(size=(3, 12))
    np.testing.assert_allclose(
        TimeSeriesStandardScaler().fit_transform(series * scale),
        TimeSeriesStandardScaler().fit_transform(series),
        rtol=1e-12,
        atol=1e-14,
    )


def test_scaler_leaves_constant_series_undivided():
    series = np.array([[0.1] * 7, [3.0] * 7])
    out = TimeSeriesStandardScaler(with_mean=False).fit_transform(series)
    np.testing.assert_array_equal(out, series)
    assert np.all(np.abs(TimeSeriesStandardScaler().fit_transform(series)) < 1e-15)


def test_scaler_reports_centred_values_that_overflow():
    series = np.array([[1.7e308, 1.7e308, -1.7e308]])
    with pytest.raises(ValueError, match="centred values overflow"):
        TimeSeriesStandardScaler(with_std=False).fit_transform(series)


@pytest.mark.parametrize("weight", [1e-300, 1.0, 1e300, 1e308])
def test_barycenter_weights_of_any_scale_are_equal_weights(weight):
    expected = soft_dtw_barycenter(X, gamma=0.5, max_iter=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        got = soft_dtw_barycenter(X, gamma=0.5, max_iter=5, weights=[weight] * 6)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_iter": True}, "max_iter must be an int >= 1"),
        ({"max_iter": 2.5}, "max_iter must be an int >= 1"),
        ({"tol": np.inf}, "tol must be a finite number >= 0"),
        ({"length": True}, "length must be an int >= 1"),
        ({"weights": ["a"] * 6}, "weights must be 6 finite numbers"),
        ({"weights": [1.0, np.nan, 1, 1, 1, 1]}, "weights must be 6 finite numbers"),
        ({"weights": [np.inf] * 6}, "weights must be 6 finite numbers"),
        ({"weights": [0.0] * 6}, "at least 1 non-zero weight"),
        ({"weights": [1.0] * 5}, "weights must be 6 finite numbers"),
    ],
)
def test_bad_barycenter_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        soft_dtw_barycenter(X, **kwargs)


def test_mlp_rejects_non_finite_initial_weights():
    model = SoftDTWMLPRegressor((3,), max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(INPUTS, TARGETS)
    for name in ("coefs_init", "intercepts_init"):
        given = [np.full(a.shape, np.nan) for a in getattr(model, name[:-5] + "_")]
        with pytest.raises(ValueError, match=f"{name} contains NaN or inf"):
            SoftDTWMLPRegressor((3,), max_iter=2).fit(INPUTS, TARGETS, **{name: given})


@pytest.mark.parametrize(
    "params",
    [
        {"solver": "adam", "learning_rate_init": 1e300},
        {"alpha": 1e300},
    ],
    ids=str,
)
def test_mlp_that_diverges_says_so_instead_of_a_nan_model(params):
    model = SoftDTWMLPRegressor((3,), max_iter=5, random_state=0, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no overflow noise either
        warnings.simplefilter("ignore", ConvergenceWarning)
        with pytest.raises(ValueError, match="Training diverged"):
            model.fit(INPUTS, TARGETS)
    assert not hasattr(model, "coefs_")


def test_parameters_are_not_modified():
    weights = np.full(6, 1e308)
    init = X[:2].copy()
    soft_dtw_barycenter(X, weights=weights, max_iter=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        SoftDTWKMeans(2, init=init, max_iter=2).fit(X)
    np.testing.assert_array_equal(weights, np.full(6, 1e308))
    np.testing.assert_array_equal(init, X[:2])


@pytest.mark.parametrize(
    "cls",
    [
        SoftDTWKMeans,
        SoftDTWNearestCentroid,
        SoftDTWKNeighborsClassifier,
        SoftDTWMLPRegressor,
        SoftDTWMLPRegressorCV,
        TimeSeriesStandardScaler,
    ],
)
def test_every_parameter_has_a_rule(cls):
    assert set(cls._parameter_rules) == set(cls().get_params(deep=False))


def test_sample_weight_beyond_float64_is_a_clear_error():
    with pytest.raises(ValueError, match="sample_weight must be 6 finite numbers"):
        SoftDTWKMeans(2).fit(X, sample_weight=[10**400, 1, 1, 1, 1, 1])
