import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from softdtw_learn._dispatch import numba_threads
from softdtw_learn.barycenter import (
    _objective,
    dtw_barycenter_averaging,
    soft_dtw_barycenter,
)
from softdtw_learn.cluster import SoftDTWKMeans
from softdtw_learn.metrics import dtw, soft_dtw, soft_dtw_divergence
from softdtw_learn.neighbors import SoftDTWNearestCentroid


def _walks(rng, n, length):
    return np.cumsum(rng.normal(size=(n, length)), axis=1)


def test_copies_of_one_series_give_that_series(rng):
    x = np.sin(np.linspace(0, 6, 40))
    X = np.tile(x, (5, 1))
    # Near the peak neighbouring steps of x differ by less than sqrt(gamma):
    # there the barycenter may warp slightly.
    z = soft_dtw_barycenter(X, gamma=1e-3)
    assert z.shape == (40,)
    np.testing.assert_allclose(z, x, atol=0.02)
    # From a noisy start it finds x again, up to a warping.
    start = x + 0.3 * rng.normal(size=40)
    z = soft_dtw_barycenter(X, gamma=1e-3, init=start, max_iter=300)
    assert dtw(z, x) < 0.05 * dtw(start, x)


@pytest.mark.parametrize("divergence", [False, True])
@pytest.mark.parametrize("window", [None, 3])
def test_objective_gradient_matches_finite_differences(rng, divergence, window):
    xs = rng.normal(size=(4, 9, 2))
    lengths = np.array([9, 7, 9, 5])
    xs[1, 7:] = np.nan
    xs[3, 5:] = np.nan
    coef = np.array([0.1, 0.4, 0.2, 0.3]) / lengths
    cells = -1.0 if window is None else float(window)
    self_terms = 1.5 if divergence else None
    z = rng.normal(size=(6, 2))

    def f(flat):
        params = (0.7, cells, 0.0)
        return _objective(flat, z.shape, xs, lengths, coef, params, self_terms)

    _, grad = f(z.ravel())
    step = 1e-6
    fd = [
        (f(z.ravel() + step * e)[0] - f(z.ravel() - step * e)[0]) / (2 * step)
        for e in np.eye(z.size)
    ]
    np.testing.assert_allclose(grad, fd, atol=1e-6)


@pytest.mark.parametrize("gamma", [0.01, 1.0])
def test_objective_does_not_depend_on_the_threads(rng, gamma):
    # Each series gives the same bits in any task (lanes are independent,
    # sums run in series order): barycenters do not depend on the threads.
    lengths = np.array([30] * 70 + [24] * 9)
    xs = np.cumsum(rng.normal(size=(79, 30, 1)), axis=1)
    xs[70:, 24:] = np.nan
    coef = rng.uniform(size=79)
    z = rng.normal(size=(26, 1))
    results = []
    for threads in (1, 2):
        with numba_threads(threads):
            results.append(
                _objective(
                    z.ravel(), z.shape, xs, lengths, coef, (gamma, -1.0, 0.0), None
                )
            )
    assert results[0][0] == results[1][0]
    np.testing.assert_array_equal(results[0][1], results[1][1])
    expected = sum(
        c * soft_dtw(z, x[:n], gamma=gamma)
        for c, x, n in zip(coef, xs, lengths, strict=True)
    )
    assert results[0][0] == pytest.approx(expected, rel=1e-12)


def test_objective_value_is_the_weighted_sum(rng):
    X = rng.normal(size=(3, 8))
    z = rng.normal(size=8)
    coef = np.array([0.2, 0.3, 0.5]) / 8
    lengths = np.full(3, 8)
    value, _ = _objective(
        z,
        (8, 1),
        X[:, :, None].copy(),
        lengths,
        coef,
        (1.0, -1.0, 0.0),
        None,
    )
    expected = sum(c * soft_dtw(z, x, gamma=1.0) for c, x in zip(coef, X, strict=True))
    assert value == pytest.approx(expected, rel=1e-12)
    self_terms = sum(
        c * soft_dtw(x, x, gamma=1.0) for c, x in zip(coef, X, strict=True)
    )
    value, _ = _objective(
        z,
        (8, 1),
        X[:, :, None].copy(),
        lengths,
        coef,
        (1.0, -1.0, 0.0),
        self_terms,
    )
    expected = sum(
        c * soft_dtw_divergence(z, x, gamma=1.0) for c, x in zip(coef, X, strict=True)
    )
    assert value == pytest.approx(expected, rel=1e-10)


def test_weights_pull_towards_the_heavier_series(rng):
    X = np.stack([np.zeros(30), 3 + np.sin(np.linspace(0, 6, 30))])
    z = soft_dtw_barycenter(X, gamma=0.1, weights=[0.0, 1.0])
    assert dtw(z, X[1]) < 0.05 * dtw(z, X[0])


def test_unequal_lengths_use_the_medoid_and_accept_length(rng):
    X = [rng.normal(size=k) for k in (20, 25, 30)]
    z = soft_dtw_barycenter(X, gamma=1.0, max_iter=30, length=22)
    assert z.shape == (22,) and np.isfinite(z).all()
    objective = np.mean([soft_dtw(z, x, gamma=1.0) / len(x) for x in X])
    with pytest.warns(ConvergenceWarning):
        start = soft_dtw_barycenter(X, gamma=1.0, max_iter=1, length=22)
    assert objective <= np.mean([soft_dtw(start, x, gamma=1.0) / len(x) for x in X])


def test_multivariate_and_divergence(rng):
    X = rng.normal(size=(5, 12, 3))
    z = soft_dtw_barycenter(X, gamma=1.0, divergence=True, n_jobs=2)
    assert z.shape == (12, 3)
    mean = X.mean(axis=0)
    loss = lambda b: np.mean([soft_dtw_divergence(b, x) for x in X])  # noqa: E731
    assert loss(z) <= loss(mean) + 1e-12


def test_barycenter_beats_euclidean_mean_in_dtw_loss(rng):
    t = np.linspace(0, 1, 60)
    X = np.stack([np.exp(-((t - c) ** 2) / 0.005) for c in (0.3, 0.4, 0.5, 0.6)])
    z = soft_dtw_barycenter(X, gamma=0.01, max_iter=200)
    loss = lambda b: sum(dtw(b, x) for x in X)  # noqa: E731
    assert loss(z) < 0.5 * loss(X.mean(axis=0))


def test_non_convergence_warns(rng):
    with pytest.warns(
        ConvergenceWarning, match=r"did not converge \(1 iterations at gamma 0.1"
    ):
        soft_dtw_barycenter(_walks(rng, 4, 20), gamma=0.1, max_iter=1)


def test_a_failed_line_search_is_not_told_to_raise_max_iter(rng, monkeypatch):
    from scipy.optimize import OptimizeResult

    from softdtw_learn import barycenter

    def stalled(flat, args, tol, max_iter, unit):
        return OptimizeResult(x=flat, nit=0, success=False, message="ABNORMAL: ")

    monkeypatch.setattr(barycenter, "_descend", stalled)
    with pytest.warns(ConvergenceWarning, match="the line search found no decrease"):
        soft_dtw_barycenter(_walks(rng, 3, 8), gamma=0.1)


def test_inputs_are_not_modified(rng):
    X = _walks(rng, 4, 15)
    init = X[0].copy()
    originals = X.copy(), init.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        soft_dtw_barycenter(X, init=init, max_iter=3)
    np.testing.assert_array_equal(X, originals[0])
    np.testing.assert_array_equal(init, originals[1])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"gamma": 0.0},
            r"gamma=0 \(exact DTW\) has no gradient.*dtw_barycenter_averaging",
        ),
        ({"gamma": -1.0}, r"gamma must be a finite number > 0"),
        ({"weights": [1.0, -1.0, 1.0]}, r"weights must be non-negative"),
        ({"weights": [1.0, 1.0]}, r"weights must be 3 finite numbers"),
        ({"init": np.zeros((5, 2))}, r"init has 2 channel\(s\) and the series 1"),
        ({"init": [np.nan, 0.0]}, r"init contains NaN at time index 0, inside"),
        ({"init": "mean"}, r"init must hold real numbers, got an array of dtype <U4"),
        ({"init": [[1.0, 2.0], [3.0]]}, r"init could not be read as an array"),
        ({"init": [1j, 2.0]}, r"init must hold real numbers"),
        ({"length": 0}, r"length must be an int >= 1"),
        ({"max_iter": 0}, r"max_iter must be an int >= 1"),
        ({"tol": -1.0}, r"tol must be a finite number >= 0"),
        ({"window": -2}, r"window must be None"),
    ],
)
def test_bad_arguments_are_rejected(rng, kwargs, message):
    with pytest.raises(ValueError, match=message):
        soft_dtw_barycenter(rng.normal(size=(3, 6)), **kwargs)


def test_ecg200_barycenter_has_lower_dtw_loss_than_the_mean():
    from softdtw_learn.datasets import load_ecg200

    data = load_ecg200()
    for label in (-1, 1):
        X = data.X_train[data.y_train == label][:10]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            z = soft_dtw_barycenter(X, gamma=0.01, max_iter=200)
        loss = lambda b: sum(dtw(b, x) / len(x) for x in X)  # noqa: B023, E731
        assert loss(z) < loss(X.mean(axis=0))


@pytest.mark.parametrize("scale", [1e-3, 1e3])
def test_barycenter_does_not_depend_on_the_units_of_the_data(scale):
    # soft_dtw(s x, s y; s**2 gamma) = s**2 soft_dtw(x, y; gamma): the same
    # problem in other units, so the same iterations and barycenter (times s).
    from softdtw_learn.datasets import load_gunpoint

    data = load_gunpoint()
    X = data.X_train[data.y_train == data.y_train[0]][:8]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        z, n_iter = soft_dtw_barycenter(X, gamma=0.01, return_n_iter=True)
        zs, n_iter_s = soft_dtw_barycenter(
            X * scale, gamma=0.01 * scale**2, return_n_iter=True
        )
    assert n_iter_s == n_iter
    np.testing.assert_allclose(zs / scale, z, rtol=0, atol=1e-4 * np.abs(z).max())


@pytest.mark.parametrize("shift", [1e4, 1e8])
def test_barycenter_moves_with_the_data_when_shifted(rng, shift):
    # Soft-DTW sees differences only: series shifted by c give the barycenter
    # shifted by c (the solver's unit is a deviation, not a magnitude).
    X = np.cumsum(rng.normal(size=(6, 25)), axis=1)
    X = (X - X.mean(axis=1, keepdims=True)) / X.std(axis=1, keepdims=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        z, n_iter = soft_dtw_barycenter(X, gamma=0.01, return_n_iter=True)
        zs, n_iter_s = soft_dtw_barycenter(X + shift, gamma=0.01, return_n_iter=True)
    assert n_iter_s == n_iter
    np.testing.assert_allclose(zs - shift, z, rtol=0, atol=1e-6)


@pytest.mark.parametrize("level", [10.0, 1e3])
def test_a_far_start_is_not_stopped_early(rng, level):
    # The decrease test is relative to the objective where it is, not where
    # it started (far from the data, large): 200 more iterations from where
    # it stopped gain little.
    X = np.cumsum(rng.normal(size=(6, 25)), axis=1)
    X = (X - X.mean(axis=1, keepdims=True)) / X.std(axis=1, keepdims=True)
    loss = lambda b: np.mean([soft_dtw(b, x, gamma=0.1) for x in X])  # noqa: E731
    args = dict(gamma=0.1, continuation=None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        far = soft_dtw_barycenter(X, init=np.full(25, level), **args)
        more = soft_dtw_barycenter(X, init=far, tol=0.0, max_iter=200, **args)
    assert loss(far) - loss(more) <= 1e-3 * abs(loss(more))


def test_a_small_objective_is_not_stopped_by_an_absolute_test():
    # The per-step loss of z-normalised series at gamma 0.01 is about 0.01:
    # L-BFGS-B's own test (decrease over max(|f|, 1)) stopped it after a few
    # iterations, with the objective still falling.
    from softdtw_learn.datasets import load_gunpoint

    data = load_gunpoint()
    X = data.X_train[data.y_train == data.y_train[0]][:8]
    args = dict(gamma=0.01, continuation=None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        z, n_iter = soft_dtw_barycenter(X, return_n_iter=True, **args)
        longer = soft_dtw_barycenter(X, tol=0.0, max_iter=n_iter + 50, **args)
    loss = lambda b: np.mean([soft_dtw(b, x, gamma=0.01) / len(x) for x in X])  # noqa: E731
    assert n_iter > 20
    # Stopped where 50 more iterations gain less than 1e-3 of the objective.
    assert loss(z) - loss(longer) <= 1e-3 * abs(loss(z))


@pytest.mark.parametrize(
    ("X", "divergence"),
    [
        (np.full((3, 5), 7.0), False),
        (np.full((3, 5), 7.0), True),
        (np.zeros((2, 4)), False),
        (np.zeros((2, 4)), True),
        (np.repeat([[0.0], [1.0]], 4, axis=1), False),
    ],
    ids=["constant", "constant-divergence", "zeros", "zeros-divergence", "levels"],
)
def test_constant_series_converge_at_their_mean(X, divergence):
    # Their mean is a stationary point up to rounding, and the solver stops
    # there at once, without a warning. (With the divergence, the mean of
    # two levels is not a minimum: the solver leaves it, lower.)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        z = soft_dtw_barycenter(X, gamma=0.1, divergence=divergence)
    np.testing.assert_allclose(z, X.mean(axis=0), rtol=1e-12, atol=0)


def test_flat_series_at_several_levels_are_solved(rng):
    # Their within-series variance is rounding (1e-32, not 0): the unit is
    # their spread about the common mean, and the solve moves from a far
    # start to about the levels' mean, as in L-BFGS-B's own units.
    X = np.repeat([[0.1], [0.7], [0.3]], 6, axis=1)
    z, n_iter = soft_dtw_barycenter(
        X, gamma=0.01, init=np.full(6, 5.0), return_n_iter=True
    )
    assert n_iter > 0
    np.testing.assert_allclose(z, np.full(6, z[0]))
    assert abs(z[0] - X.mean()) < 0.05


def test_copies_of_a_series_with_the_divergence_stop_without_a_warning(rng):
    # At copies of one series the divergence is 0 and its gradient rounding:
    # no step lowers it, and the failed line search counts as converged.
    x = np.cumsum(rng.normal(size=40))
    X = np.stack([x, x, x]) + 1e-6 * rng.normal(size=(3, 40))
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        for gamma in (0.01, 0.1, 0.3):
            soft_dtw_barycenter(X, gamma=gamma, divergence=True)
            soft_dtw_barycenter(np.stack([x] * 3), gamma=gamma, divergence=True, init=x)


def test_result_does_not_depend_on_the_thread_count(rng):
    X = rng.normal(size=(9, 20, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        one = soft_dtw_barycenter(X, gamma=0.5, divergence=True, max_iter=30)
        two = soft_dtw_barycenter(X, gamma=0.5, divergence=True, max_iter=30, n_jobs=2)
    np.testing.assert_array_equal(one, two)


def test_return_n_iter_gives_the_iterations_run(rng):
    X = _walks(rng, 4, 12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        z, n_iter = soft_dtw_barycenter(X, gamma=0.5, max_iter=3, return_n_iter=True)
        alone = soft_dtw_barycenter(X, gamma=0.5, max_iter=3)
    assert isinstance(n_iter, int) and 1 <= n_iter <= 3
    np.testing.assert_array_equal(z, alone)


@pytest.mark.parametrize(
    ("make", "shape"),
    [
        (lambda X: X, (12,)),
        (lambda X: list(X), (12,)),
        (lambda X: tuple(X), (12,)),
        (lambda X: [X[0], X[1][:9], X[2]], (12,)),
        (lambda X: X[:, :, None], (12, 1)),
        (lambda X: [x[:, None] for x in X], (12, 1)),
        (lambda X: np.stack([X, X], axis=2), (12, 2)),
    ],
)
def test_barycenter_shape_follows_the_series_not_the_container(rng, make, shape):
    X = rng.normal(size=(3, 12))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        assert soft_dtw_barycenter(make(X), max_iter=2).shape == shape


# Continuation in gamma and DBA ------------------------------------------------


def _ecg_class(n=10):
    from softdtw_learn.datasets import load_ecg200

    data = load_ecg200()
    return data.X_train[data.y_train == data.y_train[0]][:n]


def _objective_at(z, X, gamma):
    return np.mean([soft_dtw(z, x, gamma=gamma) / len(x) for x in X])


def test_continuation_finds_a_lower_objective_from_a_random_start():
    # The paper's Table 1 setting: 10 ECG200 series, gamma 0.01, a random
    # start; plain L-BFGS-B stalls (benchmarks/study_barycenters.py).
    X = _ecg_class()
    start = np.random.RandomState(0).normal(size=X.shape[1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        plain = soft_dtw_barycenter(X, gamma=0.01, init=start, continuation=None)
        smoothed = soft_dtw_barycenter(X, gamma=0.01, init=start)
    assert _objective_at(smoothed, X, 0.01) < 0.9 * _objective_at(plain, X, 0.01)


def test_continuation_schedules():
    from softdtw_learn.barycenter import _schedule

    assert _schedule(None, 0.01, 1.0) == [0.01]
    assert _schedule("auto", 0.01, 1.0) == [1.0, 0.1, 0.01]
    assert _schedule("auto", 1.0, 1.0) == [1.0]
    assert _schedule("auto", 2.0, 1.0) == [2.0]
    assert _schedule("auto", 0.01, 0.5) == [0.1, 0.01]
    wide = _schedule("auto", 1e-3, 1e6)  # at most 3 stages above gamma
    np.testing.assert_allclose(wide, [1e6, 1e3, 1.0, 1e-3])
    assert _schedule([1, 0.1], 0.01, 1.0) == [1.0, 0.1, 0.01]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("fast", r"continuation must be None, 'auto' or .* got 'fast'"),
        ("AUTO", r"got 'AUTO'"),
        ([0.1, 1.0], "decreasing"),
        ([], "continuation must be None"),
        (5, "continuation must be None"),
        ({1.0: 1}, "continuation must be None"),
        ([0.1, "a"], "continuation must be None"),
        ([0.01], r"continuation's gammas must lie above gamma=0.01"),
        ([0.001], r"continuation's gammas must lie above gamma=0.01"),
    ],
)
def test_bad_continuation_is_rejected(bad, message):
    with pytest.raises(ValueError, match=message):
        soft_dtw_barycenter(np.zeros((2, 4)), gamma=0.01, continuation=bad)


@pytest.mark.parametrize("make", [SoftDTWKMeans, SoftDTWNearestCentroid])
def test_estimators_check_continuation_even_at_gamma_zero(make):
    X = np.random.RandomState(0).normal(size=(6, 8))
    model = make(gamma=0.0, continuation="bogus")
    with pytest.raises(ValueError, match="got 'bogus'"):
        model.fit(X) if make is SoftDTWKMeans else model.fit(X, [0, 1] * 3)


def test_dba_warns_when_it_stops_at_max_iter():
    from softdtw_learn.barycenter import dtw_barycenter_averaging

    X = _ecg_class(6)
    with pytest.warns(ConvergenceWarning, match="stopped at max_iter=1"):
        dtw_barycenter_averaging(X, max_iter=1, tol=0.0)


def test_continuation_none_is_one_run_at_gamma():
    X = _ecg_class(5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        one, n_one = soft_dtw_barycenter(
            X, gamma=1.0, continuation=None, max_iter=5, return_n_iter=True
        )
        auto, n_auto = soft_dtw_barycenter(X, gamma=1.0, max_iter=5, return_n_iter=True)
    # At gamma 1 and z-normalised series, "auto" has nothing above gamma.
    np.testing.assert_array_equal(one, auto)
    assert n_one == n_auto


def test_dba_is_a_fixed_point_of_its_update_and_lowers_the_dtw_loss():
    from softdtw_learn.barycenter import dtw_barycenter_averaging

    X = _ecg_class(8)
    start = X.mean(axis=0)
    loss = lambda z: np.mean([dtw(z, x) for x in X])  # noqa: E731
    z, n_iter = dtw_barycenter_averaging(
        X, init=start, max_iter=200, return_n_iter=True
    )
    assert n_iter < 200 and loss(z) < loss(start)
    # One more update (the mean of the values aligned to each step) keeps z.
    total, mass = np.zeros(len(z)), np.zeros(len(z))
    for x in X:
        _, path = dtw(z, x, return_path=True)
        np.add.at(total, path[:, 0], x[path[:, 1]])
        np.add.at(mass, path[:, 0], 1.0)
    np.testing.assert_allclose(total / mass, z, rtol=1e-12, atol=1e-12)
    losses = [
        loss(dtw_barycenter_averaging(X, init=start, max_iter=k, tol=0.0))
        for k in (1, 2, 4, 8)
    ]
    assert all(b <= a + 1e-12 for a, b in zip(losses, losses[1:], strict=False))


def test_dba_of_identical_series_and_integer_weights():
    from softdtw_learn.barycenter import dtw_barycenter_averaging

    X = _ecg_class(6)
    np.testing.assert_allclose(dtw_barycenter_averaging(np.stack([X[0]] * 3)), X[0])
    counts = np.array([2, 1, 0, 3, 1, 1])
    weighted = dtw_barycenter_averaging(X, weights=counts, max_iter=10, tol=0.0)
    repeated = dtw_barycenter_averaging(
        np.repeat(X, counts, axis=0),
        init=np.average(X, axis=0, weights=counts),
        max_iter=10,
        tol=0.0,
    )
    np.testing.assert_allclose(weighted, repeated, rtol=1e-10, atol=1e-12)
    assert dtw_barycenter_averaging([x[:, None] for x in X[:2]], max_iter=2).shape == (
        96,
        1,
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_iter": 0}, "max_iter must be an int >= 1"),
        ({"tol": -1.0}, "tol must be a finite number >= 0"),
        ({"weights": [1.0]}, "weights must be 3 finite numbers"),
        ({"window": -2}, "window must be None"),
        ({"init": np.zeros((4, 2))}, "init has 2 channel"),
        ({"init": [0.0, np.inf]}, "init contains inf"),
    ],
)
def test_dba_bad_arguments(kwargs, message):
    from softdtw_learn.barycenter import dtw_barycenter_averaging

    with pytest.raises(ValueError, match=message):
        dtw_barycenter_averaging(np.zeros((3, 5)), **kwargs)


@pytest.mark.parametrize("max_iter", [5, 20, 60])
def test_estimators_count_as_capped_what_the_barycenter_warns_about(max_iter):
    from softdtw_learn.datasets import make_cylinder_bell_funnel

    X, y = make_cylinder_bell_funnel(12, length=24, random_state=0)
    warned = 0
    for label in np.unique(y):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            soft_dtw_barycenter(X[y == label], gamma=0.01, max_iter=max_iter, tol=1e-5)
        warned += any(w.category is ConvergenceWarning for w in caught)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        SoftDTWNearestCentroid(gamma=0.01, max_iter=max_iter).fit(X, y)
    messages = [str(w.message) for w in caught if w.category is ConvergenceWarning]
    if warned:
        assert messages == [
            f"{warned} of 3 barycenter fits stopped at max_iter={max_iter} before "
            "converging; raise max_iter (or tol)."
        ]
    else:
        assert messages == []


def test_series_beyond_float64_costs_get_the_range_error_not_an_overflow():
    X = np.random.RandomState(0).normal(size=(4, 10)) * 1e200
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(ValueError, match="squared differences reach inf"):
            soft_dtw_barycenter(X, gamma=0.01)


def test_init_with_trailing_nan_padding_starts_from_its_real_steps(rng):
    # The estimators' centres carry trailing NaN padding; a start may too.
    X = [rng.normal(size=7), rng.normal(size=9)]
    padded = np.concatenate([X[0], [np.nan, np.nan]])
    for average in (soft_dtw_barycenter, dtw_barycenter_averaging):
        np.testing.assert_array_equal(
            average(X, init=padded, max_iter=3), average(X, init=X[0], max_iter=3)
        )


def test_dba_default_start_does_not_depend_on_units(rng):
    # Unequal lengths start from the medoid, picked by DTW: any units alike.
    X = [rng.normal(size=n).cumsum() for n in (10, 17, 23, 29, 14, 21)]
    z = dtw_barycenter_averaging(X)
    for scale in (1e-6, 1e-3, 1e3):
        scaled = dtw_barycenter_averaging([x * scale for x in X]) / scale
        assert scaled.shape == z.shape
        np.testing.assert_allclose(scaled, z, rtol=1e-9, atol=1e-12 * np.abs(z).max())
