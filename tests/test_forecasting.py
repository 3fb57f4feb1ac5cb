import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.utils.estimator_checks import parametrize_with_checks

from softdtw_learn import forecasting
from softdtw_learn.datasets import load_ecg200
from softdtw_learn.forecasting import (
    SoftDTWMLPRegressor,
    SoftDTWMLPRegressorCV,
    split_series,
)
from softdtw_learn.metrics import paired_soft_dtw

# ------------------------------------------------------------- split_series


def test_split_series_cuts_at_the_ratio_and_keeps_everything(rng):
    X = rng.normal(size=(4, 10, 2))
    original = X.copy()
    head, tail = split_series(X, ratio=0.6)
    assert head.shape == (4, 6, 2) and tail.shape == (4, 4, 2)
    np.testing.assert_array_equal(np.concatenate([head, tail], axis=1), X)
    np.testing.assert_array_equal(X, original)
    head, tail = split_series(X[:, :, 0], ratio=0.01)
    assert head.shape == (4, 1) and tail.shape == (4, 9)


def test_split_series_of_ecg200_matches_the_paper():
    head, tail = split_series(load_ecg200()["X_train"])
    assert head.shape == (100, 58) and tail.shape == (100, 38)


@pytest.mark.parametrize("ratio", [0, 1, 1.5, -0.2, "half"])
def test_split_series_rejects_bad_ratio(ratio):
    with pytest.raises(ValueError, match="ratio"):
        split_series(np.zeros((2, 5)), ratio=ratio)


def test_split_series_names_nan_padding_and_inf():
    with pytest.raises(ValueError, match="X holds NaN .the padding of series"):
        split_series(np.array([[1.0, 2.0, 3.0], [1.0, 2.0, np.nan]]))
    with pytest.raises(ValueError, match="X holds inf"):
        split_series(np.array([[1.0, 2.0, np.inf]]))


def test_split_series_rejects_single_step_series():
    with pytest.raises(ValueError, match="cannot be split"):
        split_series(np.zeros((3, 1)))


# ------------------------------------------------------------ the regressor


def _network(loss, shape_in=(7,), shape_out=(5,), **params):
    """A fitted-shape network and a random batch, for gradient checks."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(6, *shape_in))
    y = rng.normal(size=(6, *shape_out))
    model = SoftDTWMLPRegressor((4, 3), loss=loss, random_state=0, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.set_params(max_iter=1).fit(X, y)
    series_shape = forecasting._series_shape(model.output_shape_)
    Y = y.reshape(len(y), *series_shape)
    _, gamma, window = model._check_params()
    loss_fn = forecasting._output_loss(loss, gamma, window, series_shape)
    return model, X.reshape(len(X), -1), Y, loss_fn


@pytest.mark.parametrize("loss", ["softdtw", "divergence", "squared"])
@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "identity"])
@pytest.mark.parametrize("shape_out", [(5,), (4, 2)])
def test_training_gradient_matches_finite_differences(loss, activation, shape_out):
    model, X, Y, loss_fn = _network(
        loss, shape_out=shape_out, activation=activation, gamma=0.5, alpha=0.1
    )
    flat = model._pack() + 0.1
    _, grad = model._objective(flat, X, Y, loss_fn)
    eps = 1e-6
    numeric = np.empty_like(flat)
    for k in range(flat.size):
        step = np.zeros_like(flat)
        step[k] = eps
        up = model._objective(flat + step, X, Y, loss_fn)[0]
        down = model._objective(flat - step, X, Y, loss_fn)[0]
        numeric[k] = (up - down) / (2 * eps)
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-7)


def test_objective_is_the_mean_metric_plus_penalty(rng):
    model, X, Y, loss_fn = _network("softdtw", gamma=0.5, alpha=0.3)
    flat = model._pack()
    value, _ = model._objective(flat, X, Y, loss_fn)
    pred = model.predict(X)
    penalty = sum(np.sum(c * c) for c in model.coefs_)
    expected = paired_soft_dtw(pred, Y, gamma=0.5).mean() + 0.15 * penalty / len(X)
    assert value == pytest.approx(expected, rel=1e-12)


def _shifted_spikes(n, rng):
    """Input: a ramp; target: one sharp spike whose position varies by sample."""
    X = np.tile(np.linspace(0.0, 1.0, 10), (n, 1)) + 0.01 * rng.normal(size=(n, 10))
    y = np.zeros((n, 20))
    y[np.arange(n), rng.integers(6, 14, size=n)] = 3.0
    return X, y


def test_soft_dtw_training_beats_squared_loss_on_dtw_for_shifted_targets(rng):
    # The paper's point (section 4.4): an exact shape at an uncertain time is
    # cheap under DTW, while the squared loss learns a blurred average.
    X, y = _shifted_spikes(60, rng)
    X_test, y_test = _shifted_spikes(40, rng)
    scores = {}
    for loss in ("squared", "softdtw"):
        model = SoftDTWMLPRegressor((8,), loss=loss, gamma=0.1, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X, y)
        pred = model.predict(X_test)
        scores[loss] = (
            paired_soft_dtw(pred, y_test, gamma=0.0).mean(),
            np.sum((pred - y_test) ** 2, axis=1).mean(),
        )
    assert scores["softdtw"][0] < 0.5 * scores["squared"][0]
    assert scores["squared"][1] < scores["softdtw"][1]


def test_fit_lowers_the_training_loss_with_both_solvers():
    rng = np.random.default_rng(0)
    t = np.linspace(0, 2 * np.pi, 24)
    series = np.sin(t[None, :] + rng.uniform(0, 2, size=(40, 1)))
    X, y = split_series(series)
    for solver in ("lbfgs", "adam"):
        model = SoftDTWMLPRegressor(
            (10,),
            gamma=0.1,
            loss="divergence",
            solver=solver,
            max_iter=150,
            learning_rate_init=0.01,
            random_state=0,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X, y)
        assert model.loss_curve_[-1] < 0.2 * model.loss_curve_[0], solver
        assert model.n_iter_ == len(model.loss_curve_) or solver == "lbfgs"


def test_multivariate_input_and_output_keep_their_shapes(rng):
    X = rng.normal(size=(12, 6, 3))
    y = rng.normal(size=(12, 4, 2))
    model = SoftDTWMLPRegressor((5,), max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    assert model.predict(X[:3]).shape == (3, 4, 2)
    assert model.input_shape_ == (6, 3) and model.output_shape_ == (4, 2)
    assert model.coefs_[0].shape == (18, 5) and model.coefs_[1].shape == (5, 8)
    assert np.isfinite(model.score(X, y))
    with pytest.raises(ValueError, match="shape"):
        model.predict(rng.normal(size=(3, 6, 2)))


def test_one_dimensional_target_gives_one_dimensional_predictions(rng):
    X = rng.normal(size=(20, 5))
    model = SoftDTWMLPRegressor((4,), max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, X.sum(axis=1))
    assert model.predict(X).shape == (20,)


def _fit_quietly(model, X, y, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y, **kwargs)


def test_euclidean_initialisation_by_warm_start_and_by_coefs_init(rng):
    X, y = _shifted_spikes(30, rng)
    euclid = _fit_quietly(
        SoftDTWMLPRegressor((6,), loss="squared", max_iter=50, random_state=0), X, y
    )
    # warm_start continues from the current weights: one more squared-loss
    # iteration cannot be worse than where the previous fit ended.
    again = _fit_quietly(clone(euclid).set_params(max_iter=1), X, y)
    warm = pickle.loads(pickle.dumps(euclid)).set_params(warm_start=True, max_iter=1)
    _fit_quietly(warm, X, y)
    assert warm.loss_ <= euclid.loss_ + 1e-12 < again.loss_
    # The paper's "Euc. init": a soft-DTW model started from those weights,
    # by warm_start or by coefs_init, follows the same deterministic path.
    by_warm = pickle.loads(pickle.dumps(euclid)).set_params(
        loss="softdtw", gamma=0.1, max_iter=3, warm_start=True
    )
    _fit_quietly(by_warm, X, y)
    by_init = SoftDTWMLPRegressor((6,), gamma=0.1, max_iter=3, random_state=5)
    _fit_quietly(
        by_init, X, y, coefs_init=euclid.coefs_, intercepts_init=euclid.intercepts_
    )
    for a, b in zip(by_init.coefs_, by_warm.coefs_, strict=True):
        np.testing.assert_array_equal(a, b)
    assert by_init.loss_curve_ == by_warm.loss_curve_


def test_bad_initial_weights_and_warm_start_shapes_are_rejected(rng):
    X, y = rng.normal(size=(10, 5)), rng.normal(size=(10, 3))
    model = SoftDTWMLPRegressor((4,), max_iter=2)
    with pytest.raises(ValueError, match="coefs_init must have the shapes"):
        model.fit(X, y, coefs_init=[np.zeros((5, 4)), np.zeros((4, 4))])
    _fit_quietly(model.set_params(warm_start=True), X, y)
    before = model.predict(X)
    with pytest.raises(ValueError, match="warm_start"):
        model.fit(X, rng.normal(size=(10, 4)))
    # Refused warm fits leave the model as it was: other X, other y layout.
    with pytest.raises(ValueError, match="warm_start"):
        model.fit(np.c_[X, X[:, :2]], y)
    with pytest.raises(ValueError, match="warm_start"):
        model.fit(X, y.reshape(10, 3, 1))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        model.fit(X, y[:4])
    assert (model.n_features_in_, model.input_shape_) == (5, (5,))
    np.testing.assert_array_equal(model.predict(X), before)
    # Another network: a warm start would train the old one under new params.
    model.set_params(hidden_layer_sizes=(6, 2))
    with pytest.raises(ValueError, match=r"hidden layers are \(4,\); hidden_layer"):
        model.fit(X, y)
    np.testing.assert_array_equal(model.predict(X), before)


def test_a_refused_fresh_fit_leaves_the_fitted_model_as_it_was(rng):
    # Without warm_start the shapes of the refused data had stayed: predict
    # then failed for the old data and the new.
    X, y = rng.normal(size=(10, 5)), rng.normal(size=(10, 3))
    model = _fit_quietly(SoftDTWMLPRegressor((4,), max_iter=2, random_state=0), X, y)
    before = model.predict(X)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        model.fit(np.c_[X, X[:, :2]], y[:4])
    with pytest.raises(ValueError, match="Rescale the series"):
        model.fit(X, y * 1e200)  # targets whose soft-DTW overflows
    assert (model.n_features_in_, model.input_shape_) == (5, (5,))
    np.testing.assert_array_equal(model.predict(X), before)


def test_a_refused_cv_refit_keeps_its_choice(rng):
    X, y = rng.normal(size=(10, 5)), rng.normal(size=(10, 3))
    model = _fit_quietly(
        SoftDTWMLPRegressorCV((4,), gammas=(1.0, 0.1), max_iter=5, random_state=0),
        X,
        y,
    )
    chosen, before = model.gamma_, model.predict(X)
    with pytest.raises(ValueError):
        model.fit(X[:1], y[:1])  # too few samples to hold some out
    assert model.gamma_ == chosen and len(model.validation_scores_) == 2
    np.testing.assert_array_equal(model.predict(X), before)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"loss": "dtw"}, "loss"),
        ({"solver": "sgd"}, "solver"),
        ({"activation": "softplus"}, "activation"),
        ({"gamma": 0.0}, "gamma"),
        ({"gamma": -1.0}, "gamma"),
        ({"hidden_layer_sizes": (10, 0)}, "hidden_layer_sizes"),
        ({"max_iter": 0}, "max_iter"),
        ({"alpha": -1.0}, "alpha"),
        ({"batch_size": 0}, "batch_size"),
        ({"learning_rate_init": 0.0}, "learning_rate_init"),
        ({"window": -3}, "window"),
    ],
)
def test_bad_parameters_raise_clear_errors(rng, params, match):
    X, y = rng.normal(size=(10, 5)), rng.normal(size=(10, 3))
    with pytest.raises(ValueError, match=match):
        SoftDTWMLPRegressor(**params).fit(X, y)


def test_series_of_different_lengths_get_a_clear_error(rng):
    ragged = [rng.normal(size=5), rng.normal(size=6)]
    with pytest.raises(ValueError, match="samples of one shape .* fixed input width"):
        SoftDTWMLPRegressor((3,), max_iter=2).fit(ragged, rng.normal(size=(2, 3)))
    # The CV variant and split_series had let numpy's "inhomogeneous" through.
    with pytest.raises(ValueError, match="samples of one shape .* fixed input width"):
        SoftDTWMLPRegressorCV((3,), gammas=(1.0, 0.1)).fit(
            ragged, rng.normal(size=(2, 3))
        )
    with pytest.raises(ValueError, match="split_series cuts every series at one"):
        split_series(ragged)


def test_cv_names_the_shape_of_the_given_x(rng):
    X = rng.normal(size=(20, 12, 2, 1))
    with pytest.raises(ValueError, match=r"got shape \(20, 12, 2, 1\)"):
        SoftDTWMLPRegressorCV((3,), gammas=(1.0, 0.1)).fit(X, rng.normal(size=(20, 3)))


def test_targets_whose_soft_dtw_overflows_are_named_before_training(rng):
    X, y = rng.normal(size=(10, 5)), rng.normal(size=(10, 3))
    with pytest.raises(ValueError, match="squared differences reach inf.*Rescale"):
        SoftDTWMLPRegressor((3,), max_iter=2).fit(X, y * 1e160)


def test_bad_data_raises_clear_errors(rng):
    X, y = rng.normal(size=(10, 5)), rng.normal(size=(10, 3))
    model = SoftDTWMLPRegressor((3,), max_iter=2)
    bad = y.copy()
    bad[2, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        model.fit(X, bad)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        model.fit(X, y[:5])
    with pytest.raises(ValueError, match="y must be"):
        model.fit(X, rng.normal(size=(10, 3, 2, 2)))


def test_fit_is_deterministic_and_leaves_input_alone(rng):
    X, y = rng.normal(size=(15, 6)), rng.normal(size=(15, 4))
    X0, y0 = X.copy(), y.copy()
    a = _fit_quietly(SoftDTWMLPRegressor((5,), max_iter=20, random_state=4), X, y)
    b = _fit_quietly(SoftDTWMLPRegressor((5,), max_iter=20, random_state=4), X, y)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)


# ------------------------------------------- the paper's Euclidean init


def test_euclidean_init_trains_from_the_squared_loss_solution(rng):
    X, y = _shifted_spikes(30, rng)
    params = {"hidden_layer_sizes": (6,), "max_iter": 25, "random_state": 3}
    squared = _fit_quietly(SoftDTWMLPRegressor(loss="squared", **params), X, y)
    warm = _fit_quietly(
        SoftDTWMLPRegressor(gamma=0.1, init="euclidean", **params), X, y
    )
    # The same as starting a soft-DTW fit from the squared model's weights.
    by_hand = _fit_quietly(
        SoftDTWMLPRegressor(gamma=0.1, **params),
        X,
        y,
        coefs_init=squared.coefs_,
        intercepts_init=squared.intercepts_,
    )
    for a, b in zip(
        warm.coefs_ + warm.intercepts_,
        by_hand.coefs_ + by_hand.intercepts_,
        strict=True,
    ):
        np.testing.assert_array_equal(a, b)
    assert warm.loss_curve_ == by_hand.loss_curve_
    assert (warm.init_n_iter_, warm.init_loss_) == (squared.n_iter_, squared.loss_)
    assert warm.n_iter_ == by_hand.n_iter_ > 0
    # ... and not what a random start gives.
    random = _fit_quietly(SoftDTWMLPRegressor(gamma=0.1, **params), X, y)
    assert (random.init_n_iter_, random.init_loss_) == (0, None)
    assert not np.allclose(random.predict(X), warm.predict(X))


def test_euclidean_init_starts_the_soft_dtw_stage_at_the_squared_weights(rng):
    # The soft-DTW stage's first objective is no worse than the squared
    # model's soft-DTW objective: L-BFGS-B only takes descent steps from it.
    X, y = _shifted_spikes(20, rng)
    params = {"hidden_layer_sizes": (5,), "random_state": 0, "max_iter": 40}
    squared = _fit_quietly(SoftDTWMLPRegressor(loss="squared", **params), X, y)
    warm = SoftDTWMLPRegressor(gamma=0.5, init="euclidean", **params)
    _fit_quietly(warm, X, y)
    start = SoftDTWMLPRegressor(gamma=0.5, **params).set_params(max_iter=1)
    _fit_quietly(
        start, X, y, coefs_init=squared.coefs_, intercepts_init=squared.intercepts_
    )
    series_shape = forecasting._series_shape(warm.output_shape_)
    loss_fn = forecasting._output_loss("softdtw", 0.5, (-1.0, 0.0), series_shape)
    Y = y.reshape(len(y), *series_shape)
    at_squared, _ = squared._objective(squared._pack(), X, Y, loss_fn)
    assert warm.loss_curve_[0] == start.loss_curve_[0] <= at_squared
    assert warm.loss_ < at_squared


def test_euclidean_init_with_adam_is_deterministic(rng):
    X, y = _shifted_spikes(24, rng)
    make = lambda: SoftDTWMLPRegressor(  # noqa: E731
        (5,),
        gamma=0.1,
        init="euclidean",
        solver="adam",
        max_iter=15,
        learning_rate_init=0.01,
        random_state=7,
    )
    a, b = _fit_quietly(make(), X, y), _fit_quietly(make(), X, y)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    assert a.init_n_iter_ > 0 and a.init_loss_ == b.init_loss_


def test_euclidean_init_is_skipped_where_the_start_is_given(rng):
    X, y = _shifted_spikes(20, rng)
    params = {"hidden_layer_sizes": (4,), "max_iter": 5, "random_state": 0}
    # loss="squared" is its own Euclidean solution: no second stage.
    squared = _fit_quietly(
        SoftDTWMLPRegressor(loss="squared", init="euclidean", **params), X, y
    )
    plain = _fit_quietly(SoftDTWMLPRegressor(loss="squared", **params), X, y)
    np.testing.assert_array_equal(squared.predict(X), plain.predict(X))
    assert (squared.init_n_iter_, squared.init_loss_) == (0, None)
    # coefs_init and warm_start give the start: init does not run again.
    model = SoftDTWMLPRegressor(init="euclidean", warm_start=True, **params)
    assert _fit_quietly(model, X, y).init_n_iter_ > 0
    assert _fit_quietly(model, X, y).init_n_iter_ == 0
    given = SoftDTWMLPRegressor(init="euclidean", **params)
    _fit_quietly(given, X, y, coefs_init=plain.coefs_)
    assert (given.init_n_iter_, given.init_loss_) == (0, None)


def test_euclidean_stage_warnings_and_errors_say_which_stage(rng):
    X, y = _shifted_spikes(12, rng)
    model = SoftDTWMLPRegressor((3,), init="euclidean", max_iter=2, random_state=0)
    with pytest.warns(ConvergenceWarning) as caught:
        model.fit(X, y)
    messages = [str(w.message) for w in caught]
    assert messages[0].startswith("init='euclidean', squared-loss stage: L-BFGS-B")
    assert messages[1].startswith("L-BFGS-B stopped")
    assert all(w.filename == __file__ for w in caught)  # points at the caller
    diverging = SoftDTWMLPRegressor(
        (3,),
        init="euclidean",
        solver="adam",
        learning_rate_init=1e300,
        max_iter=3,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        with pytest.raises(
            ValueError, match="^init='euclidean', squared-loss stage: Training diverged"
        ):
            diverging.fit(X, y)
    assert not hasattr(diverging, "coefs_") and not hasattr(diverging, "init_loss_")
    with pytest.raises(NotFittedError):  # not an AttributeError on coefs_
        diverging.predict(X)


@pytest.mark.parametrize("init", ["Euclidean", "squared", None, 1])
def test_bad_init_is_rejected(rng, init):
    X, y = rng.normal(size=(10, 5)), rng.normal(size=(10, 3))
    with pytest.raises(ValueError, match="init must be one of 'random', 'euclidean'"):
        SoftDTWMLPRegressor(init=init).fit(X, y)


# ------------------------------------------------ gamma chosen on held-out data


def _repeated_spike(n):
    """n copies of one (input, target) pair: every split holds out the same data."""
    X = np.tile(np.linspace(0.0, 1.0, 8), (n, 1))
    y = np.zeros((n, 12))
    y[:, 5] = 3.0
    return X, y


@pytest.mark.parametrize("gammas", [(50.0, 0.05), (0.05, 50.0), (0.5, 0.05, 50.0)])
def test_cv_scores_every_gamma_on_held_out_samples_and_keeps_the_best(gammas):
    # Identical samples: a candidate trained on the kept ones is a plain model
    # trained on that many copies, and the held-out DTW is its DTW to y[0].
    X, y = _repeated_spike(8)
    params = {"hidden_layer_sizes": (4,), "max_iter": 60, "random_state": 0}
    cv = _fit_quietly(
        SoftDTWMLPRegressorCV(gammas=gammas, validation_fraction=0.25, **params), X, y
    )
    expected = []
    for gamma in gammas:
        model = _fit_quietly(SoftDTWMLPRegressor(gamma=gamma, **params), X[:6], y[:6])
        expected.append(paired_soft_dtw(model.predict(X[:1]), y[:1], gamma=0.0)[0])
    # (up to rounding: the held-out rows are predicted as one batch)
    np.testing.assert_allclose(cv.validation_scores_, expected, rtol=1e-9, atol=1e-15)
    np.testing.assert_array_equal(cv.gammas_, gammas)
    # A sharp spike: gamma 50 smooths it away, 0.05 keeps it.
    assert cv.gamma_ == 0.05
    assert cv.validation_scores_[gammas.index(50.0)] > 2 * min(expected)
    # The final network is the plain one trained on all samples with gamma_.
    final = _fit_quietly(SoftDTWMLPRegressor(gamma=0.05, **params), X, y)
    np.testing.assert_array_equal(cv.predict(X), final.predict(X))
    assert cv.n_iter_ == final.n_iter_


def test_cv_breaks_ties_by_the_order_given():
    X, y = _repeated_spike(6)
    # Two gammas that round to the same scores cannot be told apart: gammas
    # this far below the costs give the same network (exact DTW in effect).
    cv = _fit_quietly(
        SoftDTWMLPRegressorCV(
            (3,), gammas=(1e-200, 1e-201), max_iter=20, random_state=0
        ),
        X,
        y,
    )
    assert cv.validation_scores_[0] == cv.validation_scores_[1]
    assert cv.gamma_ == 1e-200


def test_cv_is_deterministic_and_leaves_input_alone(rng):
    X, y = _shifted_spikes(20, rng)
    X0, y0 = X.copy(), y.copy()
    make = lambda: SoftDTWMLPRegressorCV(  # noqa: E731
        (4,), gammas=(1.0, 0.1), init="euclidean", max_iter=20, random_state=2
    )
    a, b = _fit_quietly(make(), X, y), _fit_quietly(make(), X, y)
    assert a.gamma_ == b.gamma_
    np.testing.assert_array_equal(a.validation_scores_, b.validation_scores_)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    assert a.init_n_iter_ > 0
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)
    # Another seed holds out other samples, hence other scores.
    other = _fit_quietly(make().set_params(random_state=3), X, y)
    assert not np.array_equal(other.validation_scores_, a.validation_scores_)


def test_cv_takes_one_dimensional_and_multichannel_targets(rng):
    X = rng.normal(size=(12, 5, 2))
    model = SoftDTWMLPRegressorCV((3,), gammas=(1.0, 0.1), max_iter=5, random_state=0)
    _fit_quietly(model, X, rng.normal(size=(12, 4, 3)))
    assert model.predict(X).shape == (12, 4, 3)
    _fit_quietly(model, X, X.sum(axis=(1, 2)))
    assert model.predict(X).shape == (12,)
    assert np.all(np.isfinite(model.validation_scores_))


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"gammas": ()}, "gammas must be a non-empty sequence"),
        ({"gammas": 0.1}, "gammas must be a non-empty sequence"),
        ({"gammas": "0.1"}, "gammas must be a non-empty sequence"),
        ({"gammas": [[0.1], [1.0]]}, "gammas must be a non-empty sequence"),
        ({"gammas": (x for x in [0.1])}, "gammas must be a non-empty sequence"),
        ({"gammas": (0.1, 0.0)}, "gammas: gamma must be a finite number > 0"),
        ({"gammas": (0.1, np.nan)}, "gammas: gamma must be a finite number > 0"),
        ({"gammas": (1, "0.1")}, "gammas: gamma must be a finite number > 0"),
        ({"gammas": (0.1, 1.0, 0.1)}, "must not repeat a gamma.*0.1 appears"),
        ({"validation_fraction": 0.0}, r"validation_fraction must be .* in \(0, 1\)"),
        ({"validation_fraction": 1.0}, r"validation_fraction must be .* in \(0, 1\)"),
        ({"validation_fraction": True}, "validation_fraction must be a finite number"),
        ({"loss": "squared"}, "loss must be one of 'softdtw', 'divergence'"),
        ({"init": "zeros"}, "init must be one of"),
    ],
)
def test_cv_rejects_bad_parameters(rng, params, match):
    X, y = rng.normal(size=(10, 5)), rng.normal(size=(10, 3))
    with pytest.raises(ValueError, match=match):
        SoftDTWMLPRegressorCV((3,), max_iter=2, **params).fit(X, y)


def test_cv_needs_two_samples_and_holds_out_at_least_one(rng):
    X, y = rng.normal(size=(2, 5)), rng.normal(size=(2, 3))
    model = SoftDTWMLPRegressorCV((3,), gammas=(1.0,), max_iter=2, random_state=0)
    for fraction in (0.01, 0.99):  # rounds to 0 or to 2 held out: 1 either way
        _fit_quietly(model.set_params(validation_fraction=fraction), X, y)
        assert model.gamma_ == 1.0
    with pytest.raises(ValueError, match="needs at least 2; got 1 sample"):
        model.fit(X[:1], y[:1])
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        model.fit(X, y[:1])


@parametrize_with_checks(
    [
        SoftDTWMLPRegressor(random_state=0),
        SoftDTWMLPRegressor((20,), loss="divergence", gamma=0.1, random_state=0),
        SoftDTWMLPRegressor((20,), solver="adam", random_state=0),
        SoftDTWMLPRegressor((10,), gamma=0.1, init="euclidean", random_state=0),
        SoftDTWMLPRegressorCV((10,), gammas=(1.0, 0.1), max_iter=50, random_state=0),
    ]
)
def test_scikit_learn_estimator_checks(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)


@pytest.mark.parametrize("loss", ["squared", "softdtw"])
def test_lbfgs_tol_is_relative_for_an_objective_below_one(loss):
    # L-BFGS-B's own test is absolute below 1: small targets stopped while
    # the loss still fell by percents. gamma as 0.1 for the targets' scale
    # (0.01 ** 2 of it).
    from softdtw_learn.forecasting import _objective_floor

    t = np.linspace(0, 6.28, 20)[None] + np.linspace(0, 1, 30)[:, None]
    X, y = split_series(np.sin(t))
    y = 0.01 * y
    model = _fit_quietly(
        SoftDTWMLPRegressor(
            (8,), loss=loss, gamma=1e-5, alpha=0.0, random_state=0, max_iter=5000
        ),
        X,
        y,
    )
    assert model.n_iter_ < 5000  # stopped by tol
    curve = model.loss_curve_
    least = _objective_floor(y)
    assert curve[-2] - curve[-1] <= model.tol * max(abs(curve[-1]), least) * 1.001


def test_cv_convergence_warnings_name_the_gamma_and_the_caller():
    t = np.linspace(0, 6.28, 20)[None] + np.linspace(0, 1, 30)[:, None]
    X, y = split_series(np.sin(t))
    with pytest.warns(ConvergenceWarning) as caught:
        SoftDTWMLPRegressorCV((4,), gammas=(1.0, 0.1), max_iter=3, random_state=0).fit(
            X, y
        )
    messages = [str(w.message) for w in caught]
    assert any(m.startswith("gamma 1 (trained on the kept samples)") for m in messages)
    assert any(
        m.startswith("gamma 0.1 (trained on the kept samples)") for m in messages
    )
    assert all(w.filename == __file__ for w in caught)
