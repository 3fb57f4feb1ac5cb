"""Multistep-ahead forecasting with soft-DTW as the training loss.

Cuturi & Blondel (ICML 2017), sections 3.4 and 4.4: a multi-layer perceptron
maps the first part of each series to the rest, trained by minimising
``mean_i sdtw(f(x_i), y_i)``. The soft-DTW gradient w.r.t. each prediction
(from the Numba kernels) enters ordinary backpropagation, written with numpy.
"""

import time
import warnings

import numpy as np
from scipy.optimize import minimize
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import r2_score
from sklearn.utils import check_random_state, gen_batches
from sklearn.utils.validation import (
    check_array,
    check_consistent_length,
    check_is_fitted,
    validate_data,
)

from . import _dispatch
from ._dispatch import numba_threads
from .metrics import paired_soft_dtw
from .utils import (
    Flag,
    Gamma,
    Int,
    NJobs,
    Options,
    Real,
    Unchecked,
    Window,
    check_gamma_grid,
    check_int,
    check_params,
    check_real,
    check_table_range,
    check_window,
)

__all__ = ["SoftDTWMLPRegressor", "SoftDTWMLPRegressorCV", "split_series"]

_LOSSES = ("softdtw", "divergence", "squared")
_SOLVERS = ("lbfgs", "adam")
_INITS = ("random", "euclidean")
# Prefix of the messages of the squared-loss stage of init="euclidean".
_EUCLIDEAN_STAGE = "init='euclidean', squared-loss stage: "
# What a fit's validation sets; a refused warm-start fit puts it back.
_FITTED_SHAPES = (
    "n_features_in_",
    "feature_names_in_",
    "input_shape_",
    "output_shape_",
)
# What a failed fit removes, so that it leaves no half-trained model behind.
_FITTED_WEIGHTS = (
    "coefs_",
    "intercepts_",
    "n_iter_",
    "loss_",
    "loss_curve_",
    "init_n_iter_",
    "init_loss_",
)
# What SoftDTWMLPRegressorCV.fit records of its choice of gamma.
_CHOICE = ("gamma_", "gammas_", "validation_scores_")
# A solver's warning points at the caller of fit: solver, _train, _fit, fit.
_USER_LEVEL = 5


# Why series of several lengths are refused, by who refuses them.
_NETWORK_WIDTH = (
    "X must hold samples of one shape (n_samples, n_timestamps[, n_channels]): "
    "a network has a fixed input width, so series of different lengths need "
    "cutting to one length first (e.g. split_series on equal-length series)."
)
_SPLIT_WIDTH = (
    "X must hold series of one length (n_series, n_timestamps[, n_channels]): "
    "split_series cuts every series at one time step. Cut or resample them to "
    "one length first."
)


def _one_shape(read, message):
    """``read()``, with ``message`` when numpy finds series of several shapes."""
    try:
        return read()
    except ValueError as err:
        if "inhomogeneous" not in str(err) and "sequence" not in str(err):
            raise
        raise ValueError(message) from None


def split_series(X, ratio=0.6):
    """Split each series into the part to learn from and the part to predict.

    The paper's protocol (section 4.4): the first ``ratio`` of the time steps
    are the input, the rest the target.

    Parameters
    ----------
    X : array-like of shape (n_series, n_timestamps) or (n_series, \
n_timestamps, n_channels)
        Equal-length series, no NaN.
    ratio : float, default=0.6
        Fraction of the time steps in the input, in (0, 1). The input gets
        ``round(ratio * n_timestamps)`` steps, and each part at least one.

    Returns
    -------
    X_input : ndarray of shape (n_series, n_input[, n_channels])
    X_target : ndarray of shape (n_series, n_timestamps - n_input[, n_channels])

    Examples
    --------
    >>> import numpy as np
    >>> from softdtw_learn.forecasting import split_series
    >>> head, tail = split_series(np.arange(10.0).reshape(1, 10))
    >>> head, tail
    (array([[0., 1., 2., 3., 4., 5.]]), array([[6., 7., 8., 9.]]))
    """
    ratio = check_real(ratio, "ratio", low=0, high=1, low_open=True, high_open=True)
    arr = _one_shape(
        lambda: check_array(
            X, allow_nd=True, dtype=np.float64, input_name="X", ensure_all_finite=False
        ),
        _SPLIT_WIDTH,
    )
    if np.isnan(arr).any():  # padding of unequal lengths, or missing values
        raise ValueError(
            "X holds NaN (the padding of series of different lengths, or "
            "missing values): split_series cuts every series at one time step, "
            "so it needs series of one length with no NaN. Cut or resample "
            "them to one length, and fill missing values, first."
        )
    if not np.isfinite(arr).all():
        raise ValueError("X holds inf; split_series needs finite values.")
    if arr.ndim not in (2, 3):
        raise ValueError(
            "X must be 2-D (n_series, n_timestamps) or 3-D (n_series, "
            f"n_timestamps, n_channels); got shape {arr.shape}."
        )
    n_steps = arr.shape[1]
    if n_steps < 2:
        raise ValueError(
            f"series of {n_steps} time step cannot be split; each part needs at "
            "least one."
        )
    cut = min(max(int(round(ratio * n_steps)), 1), n_steps - 1)
    return arr[:, :cut].copy(), arr[:, cut:].copy()


def _sigmoid(z):
    # exp of a non-positive argument only: no overflow warning for large |z|.
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


# activation, and its derivative written in terms of the activation's output
_ACTIVATIONS = {
    "sigmoid": (_sigmoid, lambda a: a * (1.0 - a)),
    "tanh": (np.tanh, lambda a: 1.0 - a * a),
    "relu": (lambda z: np.maximum(z, 0.0), lambda a: (a > 0.0).astype(a.dtype)),
    "identity": (lambda z: z, np.ones_like),
}


def _layer_sizes(value, name):
    """``hidden_layer_sizes`` as a tuple of positive ints."""
    try:
        sizes = (value,) if np.ndim(value) == 0 else tuple(value)
        return tuple(check_int(size, "size", low=1) for size in sizes)
    except (TypeError, ValueError):
        raise ValueError(
            f"{name} must be a positive int or a sequence of positive ints (one "
            f"per hidden layer); got {value!r}."
        ) from None


# The objective's magnitude down to which L-BFGS-B's tol stays relative,
# per unit of the targets' mean squared norm (as the barycenter's floor).
_FLOOR = 1e-8


def _objective_floor(Y):
    """``_FLOOR`` times the targets' mean squared norm (1 for zero targets)."""
    size = float(np.mean(np.sum(np.reshape(Y, (len(Y), -1)) ** 2, axis=1)))
    return _FLOOR * size if np.isfinite(size) and size > 0 else 1.0


class SoftDTWMLPRegressor(RegressorMixin, BaseEstimator):
    """Multi-layer perceptron that predicts series, trained with soft-DTW.

    A network of fully connected hidden layers (and a linear output layer)
    maps each input segment, flattened, to an output series; the training
    loss compares each output with its target series by soft-DTW (paper
    section 3.4). Soft-DTW is signed, so the training loss may be negative;
    ``loss="divergence"`` is non-negative and zero only for a perfect fit.

    With ``init="euclidean"`` the soft-DTW training starts from the network
    trained with the squared loss, the paper's "Euclidean initialization"
    (Table 3): ``fit`` first trains with ``loss="squared"`` (same solver,
    ``max_iter``, ``tol``, ``alpha`` and random initial weights), then goes
    on with the soft-DTW loss from those weights.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(100,)
        Width of each hidden layer.
    loss : {"softdtw", "divergence", "squared"}, default="softdtw"
        Per-sample loss between prediction and target: soft-DTW, the
        soft-DTW divergence, or the squared Euclidean distance (sum over time
        steps and channels). The training objective is the mean over samples
        plus ``alpha / (2 n_samples) * sum of squared weights``.
    gamma : float, default=1.0
        Soft-DTW smoothing, > 0 (checked, but unused by ``"squared"``).
    init : {"random", "euclidean"}, default="random"
        Starting weights of a fresh fit. ``"random"``: Glorot-uniform
        weights drawn from ``random_state``. ``"euclidean"``: those weights
        trained with the squared loss first (the paper's "Euc. init"); the
        number of iterations and final objective of that stage are in
        ``init_n_iter_`` and ``init_loss_``. No effect with
        ``loss="squared"``, or when ``coefs_init``, ``intercepts_init`` or
        ``warm_start`` give the start.
    activation : {"sigmoid", "tanh", "relu", "identity"}, default="sigmoid"
        Hidden-layer activation (the paper uses the sigmoid).
    alpha : float, default=1e-4
        L2 penalty on the weights (not the biases).
    solver : {"lbfgs", "adam"}, default="lbfgs"
        scipy's L-BFGS-B on the full batch, or Adam on minibatches.
    max_iter : int, default=200
        L-BFGS iterations, or Adam epochs.
    tol : float, default=1e-6
        L-BFGS: relative decrease of the objective at which it stops
        (relative down to 1e-8 times the targets' mean squared norm, so that
        small targets stop as large ones do). Adam:
        stops when the epoch loss has not improved by ``tol`` for
        ``n_iter_no_change`` epochs.
    window : int or float, default=None
        Sakoe-Chiba band of the soft-DTW loss.
    batch_size : int or "auto", default="auto"
        Adam minibatch size; "auto" is ``min(200, n_samples)``.
    learning_rate_init : float, default=1e-3
        Adam step size.
    n_iter_no_change : int, default=10
        Adam: epochs without improvement before stopping.
    random_state : int, RandomState instance or None, default=None
        Seeds the weight initialisation and the Adam minibatch order.
    warm_start : bool, default=False
        Start the next ``fit`` from the current weights, e.g. a model trained
        with ``loss="squared"`` then switched to soft-DTW (what
        ``init="euclidean"`` does in one ``fit``). The input and output
        shapes must match.
    n_jobs : int, default=None
        Threads for the soft-DTW loss: None means 1, -1 all cores.
    verbose : bool, default=False
        Print the loss as training proceeds.

    Attributes
    ----------
    coefs_ : list of ndarray
        Weight matrices, ``coefs_[k]`` of shape (fan_in, fan_out).
    intercepts_ : list of ndarray
        Bias vectors.
    loss_ : float
        Training objective at the end of ``fit``.
    loss_curve_ : list of float
        Training objective at each iteration (L-BFGS) or epoch (Adam); with
        ``init="euclidean"``, of the soft-DTW stage only.
    n_iter_ : int
        Iterations (L-BFGS) or epochs (Adam) run (of the soft-DTW stage).
    init_n_iter_ : int
        Iterations or epochs of the squared-loss stage of
        ``init="euclidean"``; 0 when that stage did not run.
    init_loss_ : float or None
        Squared-loss objective at the end of that stage; None when it did
        not run.
    n_features_in_ : int
        Number of input time steps (``X.shape[1]``).
    input_shape_ : tuple of int
        Shape of one input sample, ``(n_timestamps,)`` or
        ``(n_timestamps, n_channels)``.
    output_shape_ : tuple of int
        Shape of one prediction: ``()`` for 1-D y, ``(n_timestamps,)`` for
        2-D y, ``(n_timestamps, n_channels)`` for 3-D y.

    See Also
    --------
    SoftDTWMLPRegressorCV : The same network with gamma chosen on held-out data.
    split_series : The paper's input / target split of each series.
    softdtw_learn.torch.SoftDTWLoss : The same loss for PyTorch models.

    References
    ----------
    M. Cuturi, M. Blondel. Soft-DTW: a Differentiable Loss Function for
    Time-Series. ICML 2017.

    Examples
    --------
    >>> import numpy as np
    >>> from softdtw_learn.forecasting import SoftDTWMLPRegressor, split_series
    >>> t = np.linspace(0, 2 * np.pi, 20)
    >>> series = np.sin(t[None, :] + np.linspace(0, 1, 30)[:, None])
    >>> X, y = split_series(series)
    >>> model = SoftDTWMLPRegressor((16,), gamma=0.1, random_state=0).fit(X, y)
    >>> model.predict(X[:2]).shape
    (2, 8)
    >>> warm = SoftDTWMLPRegressor((16,), gamma=0.1, init="euclidean", random_state=0)
    >>> warm.fit(X, y).init_n_iter_ > 0
    True
    """

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        *,
        loss="softdtw",
        gamma=1.0,
        init="random",
        activation="sigmoid",
        alpha=1e-4,
        solver="lbfgs",
        max_iter=200,
        tol=1e-6,
        window=None,
        batch_size="auto",
        learning_rate_init=1e-3,
        n_iter_no_change=10,
        random_state=None,
        warm_start=False,
        n_jobs=None,
        verbose=False,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.loss = loss
        self.gamma = gamma
        self.init = init
        self.activation = activation
        self.alpha = alpha
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol
        self.window = window
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.n_iter_no_change = n_iter_no_change
        self.random_state = random_state
        self.warm_start = warm_start
        self.n_jobs = n_jobs
        self.verbose = verbose

    _parameter_rules = {
        "hidden_layer_sizes": _layer_sizes,
        "loss": Options(*_LOSSES),
        "gamma": Gamma(allow_zero=False),
        "init": Options(*_INITS),
        "activation": Options(*_ACTIVATIONS),
        "alpha": Real(low=0),
        "solver": Options(*_SOLVERS),
        "max_iter": Int(low=1),
        "tol": Real(low=0),
        "window": Window(),
        "batch_size": Options("auto", otherwise=Int(low=1), other="an int >= 1"),
        "learning_rate_init": Real(low=0, low_open=True),
        "n_iter_no_change": Int(low=1),
        "random_state": Unchecked("by check_random_state"),
        "warm_start": Flag(),
        "n_jobs": NJobs(),
        "verbose": Flag(),
    }

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    # ------------------------------------------------------------ validation
    def _check_params(self):
        """Check every parameter; return the layer sizes, gamma and window."""
        params = check_params(self)
        gamma = None if self.loss == "squared" else params["gamma"]
        return params["hidden_layer_sizes"], gamma, check_window(self.window)

    def _validate_X(self, X, reset):
        """Check X (2-D or 3-D, finite) and return it flattened per sample."""
        arr = _one_shape(
            lambda: validate_data(
                self, X, reset=reset, allow_nd=True, dtype=np.float64
            ),
            _NETWORK_WIDTH,
        )
        if arr.ndim > 3:
            raise ValueError(
                "X must be 2-D (n_samples, n_timestamps) or 3-D (n_samples, "
                f"n_timestamps, n_channels); got shape {arr.shape}."
            )
        if reset:
            self.input_shape_ = arr.shape[1:]
        elif arr.shape[1:] != self.input_shape_:
            raise ValueError(
                f"X has samples of shape {arr.shape[1:]} but this model was "
                f"fitted on samples of shape {self.input_shape_}."
            )
        return arr.reshape(arr.shape[0], -1)

    def _validate_y(self, y):
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y "
                "is None; pass the series to predict."
            )
        y = check_array(
            y, ensure_2d=False, allow_nd=True, dtype=np.float64, input_name="y"
        )
        if y.ndim > 3:
            raise ValueError(
                "y must be 1-D, 2-D (n_samples, n_timestamps) or 3-D (n_samples, "
                f"n_timestamps, n_channels); got shape {y.shape}."
            )
        return y

    # --------------------------------------------------------------- network
    def _initialise(self, sizes, random_state):
        rng = check_random_state(random_state)
        widths = [
            int(np.prod(self.input_shape_)),
            *sizes,
            int(np.prod(self.output_shape_)),
        ]
        # Glorot-uniform initialisation, scaled down for the sigmoid.
        gain = 2.0 if self.activation == "sigmoid" else 6.0
        self.coefs_, self.intercepts_ = [], []
        for fan_in, fan_out in zip(widths[:-1], widths[1:], strict=True):
            bound = np.sqrt(gain / (fan_in + fan_out))
            self.coefs_.append(rng.uniform(-bound, bound, (fan_in, fan_out)))
            self.intercepts_.append(rng.uniform(-bound, bound, fan_out))

    def _pack(self):
        return np.concatenate(
            [
                p.ravel()
                for pair in zip(self.coefs_, self.intercepts_, strict=True)
                for p in pair
            ]
        )

    def _unpack(self, flat):
        coefs, intercepts, start = [], [], 0
        for coef, bias in zip(self.coefs_, self.intercepts_, strict=True):
            stop = start + coef.size
            coefs.append(flat[start:stop].reshape(coef.shape))
            intercepts.append(flat[stop : stop + bias.size])
            start = stop + bias.size
        return coefs, intercepts

    def _forward(self, X, coefs, intercepts):
        """Activations of every layer; the last is the (linear) output."""
        act = _ACTIVATIONS[self.activation][0]
        layers = [X]
        for k, (coef, bias) in enumerate(zip(coefs, intercepts, strict=True)):
            z = layers[-1] @ coef + bias
            layers.append(z if k == len(coefs) - 1 else act(z))
        return layers

    def _objective(self, flat, X, Y, output_loss):
        """Mean loss plus L2 penalty, and the gradient w.r.t. ``flat``."""
        coefs, intercepts = self._unpack(flat)
        layers = self._forward(X, coefs, intercepts)
        n = len(X)
        total, delta = output_loss(layers[-1], Y)
        penalty = sum(float(np.sum(c * c)) for c in coefs)
        value = total / n + 0.5 * self.alpha * penalty / n
        delta = delta / n
        derivative = _ACTIVATIONS[self.activation][1]
        grads = []
        for k in range(len(coefs) - 1, -1, -1):
            grads.append(delta.sum(axis=0))
            grads.append(layers[k].T @ delta + self.alpha * coefs[k] / n)
            if k:
                delta = (delta @ coefs[k].T) * derivative(layers[k])
        return value, np.concatenate([g.ravel() for g in reversed(grads)])

    # ----------------------------------------------------------------- solvers
    def _fit_lbfgs(self, objective, flat, stage, least):
        """Full-batch L-BFGS-B; ``objective(flat) -> (value, gradient)``.

        L-BFGS-B's decrease test, ``f_k - f_k+1 <= ftol max(|f_k|, |f_k+1|,
        1)``, is absolute for an objective below 1 (small targets, the
        divergence): it solves the objective divided by ``least`` (a small
        fraction of the targets' magnitude, :func:`_objective_floor`), so
        that ``tol`` is relative down to that and targets scaled by ``s``
        stop alike.
        """
        self.loss_curve_ = []

        def scaled(w):
            value, grad = objective(w)
            return value / least, grad / least

        def record(intermediate_result):
            self.loss_curve_.append(float(intermediate_result.fun) * least)
            if self.verbose:
                done, value = len(self.loss_curve_), self.loss_curve_[-1]
                print(f"{stage}iteration {done}: loss {value:.6g}")

        result = minimize(
            scaled,
            flat,
            jac=True,
            method="L-BFGS-B",
            callback=record,
            options={"maxiter": self.max_iter, "ftol": self.tol, "gtol": 0.0},
        )
        if result.status == 1:
            warnings.warn(
                f"{stage}L-BFGS-B stopped at max_iter={self.max_iter} before "
                "converging; raise max_iter or tol.",
                ConvergenceWarning,
                stacklevel=_USER_LEVEL,
            )
        return result.x, int(result.nit), float(result.fun) * least

    def _fit_adam(self, objective, flat, n, rng, stage):
        """Minibatch Adam; ``objective(flat, rows) -> (value, gradient)``."""
        size = min(200, n) if self.batch_size == "auto" else min(self.batch_size, n)
        beta1, beta2, eps = 0.9, 0.999, 1e-8
        first, second = np.zeros_like(flat), np.zeros_like(flat)
        step, best, stale = 0, np.inf, 0
        self.loss_curve_ = []
        everything = np.arange(n)
        for epoch in range(self.max_iter):
            order = rng.permutation(n)
            epoch_loss = 0.0
            for batch in gen_batches(n, size):
                rows = order[batch]
                value, grad = objective(flat, rows)
                epoch_loss += value * len(rows)
                step += 1
                first = beta1 * first + (1 - beta1) * grad
                second = beta2 * second + (1 - beta2) * grad * grad
                rate = (
                    self.learning_rate_init
                    * np.sqrt(1 - beta2**step)
                    / (1 - beta1**step)
                )
                flat = flat - rate * first / (np.sqrt(second) + eps)
            self.loss_curve_.append(epoch_loss / n)
            if not np.isfinite(epoch_loss):
                return flat, epoch + 1, epoch_loss  # fit reports the divergence
            if self.verbose:
                print(f"{stage}epoch {epoch + 1}: loss {self.loss_curve_[-1]:.6g}")
            if self.loss_curve_[-1] < best - self.tol:
                best, stale = self.loss_curve_[-1], 0
            else:
                stale += 1
                if stale >= self.n_iter_no_change:
                    return flat, epoch + 1, objective(flat, everything)[0]
        warnings.warn(
            f"{stage}Adam ran max_iter={self.max_iter} epochs and the loss still "
            "improved; raise max_iter.",
            ConvergenceWarning,
            stacklevel=_USER_LEVEL,
        )
        return flat, self.max_iter, objective(flat, everything)[0]

    def _train(self, X, Y, output_loss, rng, stage=""):
        """Run the solver from the current weights; set them to the result.

        ``stage`` prefixes the solver's messages. Returns the iterations run
        and the final objective; raises when training diverged.
        """
        flat = self._pack()
        # A diverging run overflows on the way; it is reported once, below.
        with numba_threads(self.n_jobs), np.errstate(over="ignore", invalid="ignore"):
            if self.solver == "lbfgs":
                flat, n_iter, loss = self._fit_lbfgs(
                    lambda w: self._objective(w, X, Y, output_loss),
                    flat,
                    stage,
                    _objective_floor(Y),
                )
            else:
                flat, n_iter, loss = self._fit_adam(
                    lambda w, rows: self._objective(w, X[rows], Y[rows], output_loss),
                    flat,
                    len(X),
                    rng,
                    stage,
                )
        self._check_finite_fit(flat, loss, n_iter, stage)
        coefs, intercepts = self._unpack(flat)
        self.coefs_ = [c.copy() for c in coefs]
        self.intercepts_ = [b.copy() for b in intercepts]
        return n_iter, loss

    # --------------------------------------------------------------------- API
    def fit(self, X, y, coefs_init=None, intercepts_init=None):
        """Train the network on input segments X and target series y.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timestamps) or (n_samples, \
n_timestamps, n_channels)
            Input segments (flattened for the network), no NaN.
        y : array-like of shape (n_samples,), (n_samples, n_out) or \
(n_samples, n_out, n_channels_out)
            Target series, no NaN.
        coefs_init, intercepts_init : list of ndarray, default=None
            Starting weights and biases, e.g. ``coefs_`` and ``intercepts_``
            of a model trained with ``loss="squared"``. Take precedence over
            ``warm_start`` and ``init``.

        Returns
        -------
        self : SoftDTWMLPRegressor
            The fitted model.
        """
        sizes, gamma, window = self._check_params()
        return self._fit(
            X, y, sizes, gamma, window, self.warm_start, coefs_init, intercepts_init
        )

    def _fit(self, X, y, sizes, gamma, window, warm_start, coefs_init, intercepts_init):
        """Guts of fit, given checked parameters (``gamma`` None if unused)."""
        warm = warm_start and hasattr(self, "coefs_")
        fitted = {k: vars(self)[k] for k in _FITTED_SHAPES if k in vars(self)}
        try:
            X, Y = self._validated_pair(X, y)
            if warm and coefs_init is None and intercepts_init is None:
                self._check_warm_network(fitted, sizes)
            series_shape = _series_shape(self.output_shape_)
            Y = np.ascontiguousarray(Y.reshape(len(Y), *series_shape))
            if gamma is not None:  # targets whose soft-DTW overflows: say so now
                check_table_range(gamma, series_shape[0], series_shape[0], xs=Y, ys=Y)
        except ValueError:
            # A refused fit leaves the model as it was (fitted or not).
            for name in _FITTED_SHAPES:
                vars(self).pop(name, None)
            vars(self).update(fitted)
            raise
        rng = check_random_state(self.random_state)
        fresh = False
        if coefs_init is not None or intercepts_init is not None:
            self._initialise(sizes, rng)
            self._set_initial(coefs_init, intercepts_init)
        elif not warm:
            self._initialise(sizes, rng)
            fresh = True
        start = time.perf_counter()
        self.init_n_iter_, self.init_loss_ = 0, None
        if fresh and self.init == "euclidean" and self.loss != "squared":
            # The paper's "Euc. init": the squared-loss solution is the start.
            squared = _output_loss("squared", None, window, series_shape)
            self.init_n_iter_, self.init_loss_ = self._train(
                X, Y, squared, rng, stage=_EUCLIDEAN_STAGE
            )
        output_loss = _output_loss(self.loss, gamma, window, series_shape)
        self.n_iter_, self.loss_ = self._train(X, Y, output_loss, rng)
        if self.verbose:
            print(f"trained in {time.perf_counter() - start:.2f} s")
        return self

    def _check_warm_network(self, fitted, sizes):
        """Check that a warm start can continue the previous network."""
        old = (fitted.get("input_shape_"), fitted.get("output_shape_"))
        if old != (self.input_shape_, self.output_shape_):
            raise ValueError(
                "warm_start needs the sample shapes of the previous fit: "
                f"{old[0]} in and {old[1]} out; got {self.input_shape_} "
                f"and {self.output_shape_}."
            )
        layers = tuple(c.shape[1] for c in self.coefs_[:-1])
        if layers != tuple(sizes):
            raise ValueError(
                f"warm_start continues the previous network, whose hidden layers "
                f"are {layers}; hidden_layer_sizes is now {tuple(sizes)}. Set "
                "warm_start=False to train a new network."
            )

    def _validated_pair(self, X, y):
        """Return the validated ``(X, Y)``, setting the input and output shapes."""
        X = self._validate_X(X, reset=True)
        Y = self._validate_y(y)
        check_consistent_length(X, Y)
        self.output_shape_ = Y.shape[1:]
        return X, Y

    def _check_finite_fit(self, flat, loss, n_iter, stage=""):
        """Raise, as scikit-learn's MLPs do, when training left non-finite values."""
        finite_weights = bool(np.all(np.isfinite(flat)))
        if np.isfinite(loss) and finite_weights:
            return
        found = f"the loss is {loss}" + (
            "" if finite_weights else " and the weights are not all finite"
        )
        message = (
            f"{stage}Training diverged: {found} after {n_iter} iterations. Lower "
            "learning_rate_init (adam) or alpha, or scale X and y (e.g. with "
            "TimeSeriesStandardScaler)."
        )
        for name in _FITTED_WEIGHTS:
            vars(self).pop(name, None)  # a failed fit leaves no model behind
        raise ValueError(message)

    def _set_initial(self, coefs_init, intercepts_init):
        for name, given, current in (
            ("coefs_init", coefs_init, self.coefs_),
            ("intercepts_init", intercepts_init, self.intercepts_),
        ):
            if given is None:
                continue
            arrays = [np.array(a, dtype=np.float64) for a in given]
            shapes = [a.shape for a in arrays]
            expected = [a.shape for a in current]
            if shapes != expected:
                raise ValueError(
                    f"{name} must have the shapes {expected} for this network; "
                    f"got {shapes}."
                )
            if not all(np.all(np.isfinite(a)) for a in arrays):
                raise ValueError(f"{name} contains NaN or inf; weights must be finite.")
            current[:] = arrays

    def predict(self, X):
        """Predict the target series of each input segment.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timestamps) or (n_samples, \
n_timestamps, n_channels)
            Input segments shaped like the training inputs.

        Returns
        -------
        y_pred : ndarray of shape ``(n_samples, *output_shape_)``
        """
        check_is_fitted(self, "coefs_")  # a diverged fit leaves none
        X = self._validate_X(X, reset=False)
        out = self._forward(X, self.coefs_, self.intercepts_)[-1]
        return out.reshape(len(X), *self.output_shape_)

    def score(self, X, y, sample_weight=None):
        """Coefficient of determination R^2, averaged over the output steps.

        As scikit-learn's regressors: one R^2 per output value (time step,
        and channel), then their mean (``r2_score``'s "uniform_average"),
        not one R^2 of all values pooled. 3-D targets are flattened to
        (n_samples, n_out * n_channels_out) first; use
        :func:`softdtw_learn.metrics.paired_soft_dtw` for a soft-DTW or DTW
        (``gamma=0``) score.

        Parameters
        ----------
        X : array-like
            Input segments.
        y : array-like
            True target series.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
        """
        y = self._validate_y(y)
        pred = self.predict(X)
        if y.ndim == 3:
            y, pred = y.reshape(len(y), -1), pred.reshape(len(pred), -1)
        return r2_score(y, pred, sample_weight=sample_weight)


class SoftDTWMLPRegressorCV(SoftDTWMLPRegressor):
    """Soft-DTW multi-layer perceptron with gamma chosen on held-out data.

    The smoothing gamma changes what the network learns and is hard to guess.
    ``fit`` holds out ``validation_fraction`` of the training samples (drawn
    with ``random_state``), trains one :class:`SoftDTWMLPRegressor` per
    candidate of ``gammas`` on the rest, scores each by the mean DTW between
    its predictions and the held-out targets (soft-DTW at gamma 0, in the
    same ``window``), keeps the gamma of the lowest score, and trains again
    on all the samples with it. The fitted model is that last network: it
    predicts and has the attributes of a :class:`SoftDTWMLPRegressor`.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(100,)
        Width of each hidden layer.
    gammas : sequence of float, default=(1.0, 0.1, 0.01, 0.001)
        Candidate values of gamma, each > 0 and none twice (the default is
        the paper's grid, section 4.4). Ties go to the first listed.
    validation_fraction : float, default=0.25
        Share of the training samples held out to score the candidates, in
        (0, 1); at least one sample is held out and one kept.
    loss : {"softdtw", "divergence"}, default="softdtw"
        Training loss, as in :class:`SoftDTWMLPRegressor` (the squared loss
        has no gamma to choose).
    init : {"random", "euclidean"}, default="random"
        Starting weights of every network, as in
        :class:`SoftDTWMLPRegressor`.
    activation : {"sigmoid", "tanh", "relu", "identity"}, default="sigmoid"
        Hidden-layer activation.
    alpha : float, default=1e-4
        L2 penalty on the weights.
    solver : {"lbfgs", "adam"}, default="lbfgs"
        Optimiser of every network.
    max_iter : int, default=200
        L-BFGS iterations, or Adam epochs, of each training.
    tol : float, default=1e-6
        Stopping tolerance, as in :class:`SoftDTWMLPRegressor`.
    window : int or float, default=None
        Sakoe-Chiba band of the training loss and of the validation DTW.
    batch_size : int or "auto", default="auto"
        Adam minibatch size.
    learning_rate_init : float, default=1e-3
        Adam step size.
    n_iter_no_change : int, default=10
        Adam: epochs without improvement before stopping.
    random_state : int, RandomState instance or None, default=None
        Draws the held-out samples, and is passed as given to every network:
        an int gives every candidate the same initial weights.
    n_jobs : int, default=None
        Threads for the soft-DTW loss and the validation DTW: None means 1,
        -1 all cores.
    verbose : bool, default=False
        Print each candidate's validation score, and the training losses.

    Attributes
    ----------
    gamma_ : float
        The gamma chosen, with which the final network was trained.
    gammas_ : ndarray of shape (n_gammas,)
        The candidates, in the order given.
    validation_scores_ : ndarray of shape (n_gammas,)
        Mean DTW on the held-out samples of the network trained with each
        candidate (lower is better).
    coefs_ : list of ndarray
        Weight matrices of the final network.
    intercepts_ : list of ndarray
        Bias vectors of the final network.
    loss_ : float
        Training objective of the final network.
    loss_curve_ : list of float
        Its objective at each iteration or epoch.
    n_iter_ : int
        Its iterations or epochs.
    init_n_iter_ : int
        Iterations of its squared-loss stage (``init="euclidean"``), else 0.
    init_loss_ : float or None
        Objective at the end of that stage, else None.
    n_features_in_ : int
        Number of input time steps (``X.shape[1]``).
    input_shape_ : tuple of int
        Shape of one input sample.
    output_shape_ : tuple of int
        Shape of one prediction.

    See Also
    --------
    SoftDTWMLPRegressor : The network, for one given gamma.

    References
    ----------
    M. Cuturi, M. Blondel. Soft-DTW: a Differentiable Loss Function for
    Time-Series. ICML 2017.

    Examples
    --------
    >>> import numpy as np
    >>> from softdtw_learn.forecasting import SoftDTWMLPRegressorCV, split_series
    >>> t = np.linspace(0, 2 * np.pi, 20)
    >>> series = np.sin(t[None, :] + np.linspace(0, 1, 30)[:, None])
    >>> X, y = split_series(series)
    >>> model = SoftDTWMLPRegressorCV((16,), gammas=(1.0, 0.1), random_state=0)
    >>> model.fit(X, y).validation_scores_.shape
    (2,)
    >>> model.gamma_ in (1.0, 0.1)
    True
    """

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        *,
        gammas=(1.0, 0.1, 0.01, 0.001),
        validation_fraction=0.25,
        loss="softdtw",
        init="random",
        activation="sigmoid",
        alpha=1e-4,
        solver="lbfgs",
        max_iter=200,
        tol=1e-6,
        window=None,
        batch_size="auto",
        learning_rate_init=1e-3,
        n_iter_no_change=10,
        random_state=None,
        n_jobs=None,
        verbose=False,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.gammas = gammas
        self.validation_fraction = validation_fraction
        self.loss = loss
        self.init = init
        self.activation = activation
        self.alpha = alpha
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol
        self.window = window
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.n_iter_no_change = n_iter_no_change
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    _parameter_rules = {
        **{
            name: rule
            for name, rule in SoftDTWMLPRegressor._parameter_rules.items()
            if name not in ("gamma", "warm_start")
        },
        "gammas": lambda value, name: check_gamma_grid(value, name, allow_zero=False),
        "validation_fraction": Real(low=0, high=1, low_open=True, high_open=True),
        "loss": Options("softdtw", "divergence"),
    }

    def _check_params(self):
        """Check every parameter; return the layer sizes, gammas and window."""
        params = check_params(self)
        return params["hidden_layer_sizes"], params["gammas"], check_window(self.window)

    def fit(self, X, y):
        """Choose gamma on held-out samples, then train on all of them.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timestamps) or (n_samples, \
n_timestamps, n_channels)
            Input segments, no NaN; at least 2 samples.
        y : array-like of shape (n_samples,), (n_samples, n_out) or \
(n_samples, n_out, n_channels_out)
            Target series, no NaN.

        Returns
        -------
        self : SoftDTWMLPRegressorCV
            The fitted model.
        """
        sizes, gammas, window = self._check_params()
        inputs = _one_shape(
            lambda: check_array(X, allow_nd=True, dtype=np.float64, input_name="X"),
            _NETWORK_WIDTH,
        )
        if inputs.ndim > 3:  # the user's shape, not a held-out part's
            raise ValueError(
                "X must be 2-D (n_samples, n_timestamps) or 3-D (n_samples, "
                f"n_timestamps, n_channels); got shape {inputs.shape}."
            )
        targets = self._validate_y(y)
        check_consistent_length(inputs, targets)
        kept, held = self._split(len(inputs))
        # Checked: a refused fit leaves the model as it was; from here, a
        # failed one leaves no stale choice.
        for name in _CHOICE:
            vars(self).pop(name, None)
        scores = np.empty(len(gammas))
        for k, gamma in enumerate(gammas):  # a loop: warnings' stacklevel
            scores[k] = self._validation_score(gamma, inputs, targets, kept, held)
        best = gammas[int(np.argmin(scores))]
        if self.verbose:
            print(f"gamma {best:g} chosen; training on all {len(inputs)} samples")
        self._fit(X, y, sizes, best, window, False, None, None)
        self.gamma_ = best
        self.gammas_ = np.array(gammas)
        self.validation_scores_ = scores
        return self

    def _split(self, n_samples):
        """Sorted indices of the samples kept for training and held out."""
        if n_samples < 2:
            raise ValueError(
                f"{type(self).__name__} holds out part of the samples to choose "
                f"gamma and needs at least 2; got {n_samples} sample"
                f"{'' if n_samples == 1 else 's'}."
            )
        share = self.validation_fraction * n_samples
        n_held = min(max(int(round(share)), 1), n_samples - 1)
        order = check_random_state(self.random_state).permutation(n_samples)
        return np.sort(order[n_held:]), np.sort(order[:n_held])

    def _validation_score(self, gamma, inputs, targets, kept, held):
        """Mean held-out DTW of a network trained with ``gamma`` on ``kept``."""
        params = self.get_params(deep=False)
        for name in ("gammas", "validation_fraction"):
            del params[name]
        model = SoftDTWMLPRegressor(gamma=gamma, **params)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model.fit(inputs[kept], targets[kept])
        for w in caught:  # said for this gamma, at the caller's line
            text = str(w.message)
            if issubclass(w.category, ConvergenceWarning):
                text = f"gamma {gamma:g} (trained on the kept samples): {text}"
            warnings.warn(text, w.category, stacklevel=3)
        series_shape = _series_shape(model.output_shape_)
        pred = model.predict(inputs[held]).reshape(len(held), *series_shape)
        truth = targets[held].reshape(len(held), *series_shape)
        score = paired_soft_dtw(
            pred, truth, gamma=0.0, window=self.window, n_jobs=self.n_jobs
        ).mean()
        if self.verbose:
            print(f"gamma {gamma:g}: validation DTW {score:.6g}")
        return float(score)


def _output_loss(loss, gamma, window, series_shape):
    """Return the per-sample loss, ``f(out, Y) -> (sum, d sum / d out)``.

    ``gamma`` and ``window`` (the ``(cells, fraction)`` pair of
    :func:`~softdtw_learn.utils.check_window`) are validated. ``out`` holds
    the network's flat outputs, ``Y`` the validated targets of shape
    (n_samples, *series_shape). Runs inside the fit's thread setting.
    """
    if loss == "squared":

        def squared(out, Y):
            diff = out - Y.reshape(out.shape)
            return float(np.sum(diff * diff)), 2.0 * diff

        return squared
    cells, fraction = window
    divergence = loss == "divergence"

    def soft_dtw(out, Y):
        pred = np.ascontiguousarray(out.reshape(len(out), *series_shape))
        lengths = np.full(len(out), series_shape[0], dtype=np.int64)
        values, grad, _ = _dispatch.paired_terms(
            pred, lengths, Y, lengths, (gamma, cells, fraction), divergence, True, False
        )
        return float(values.sum()), grad.reshape(out.shape)

    return soft_dtw


def _series_shape(output_shape):
    """Shape of one prediction as a series: (n_timestamps, n_channels)."""
    if len(output_shape) == 0:
        return (1, 1)
    if len(output_shape) == 1:
        return (output_shape[0], 1)
    return output_shape
