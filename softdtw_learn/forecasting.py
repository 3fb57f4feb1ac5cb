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
from .utils import (
    Flag,
    Gamma,
    Int,
    NJobs,
    Options,
    Real,
    Unchecked,
    Window,
    check_int,
    check_params,
    check_real,
    check_window,
)

__all__ = ["SoftDTWMLPRegressor", "split_series"]

_LOSSES = ("softdtw", "divergence", "squared")
_SOLVERS = ("lbfgs", "adam")


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
    arr = check_array(X, allow_nd=True, dtype=np.float64, input_name="X")
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


class SoftDTWMLPRegressor(RegressorMixin, BaseEstimator):
    """Multi-layer perceptron that predicts series, trained with soft-DTW.

    A network of fully connected hidden layers (and a linear output layer)
    maps each input segment, flattened, to an output series; the training
    loss compares each output with its target series by soft-DTW (paper
    section 3.4). Soft-DTW is signed, so the training loss may be negative;
    ``loss="divergence"`` is non-negative and zero only for a perfect fit.

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
        Soft-DTW smoothing, > 0 (unused by ``"squared"``).
    activation : {"sigmoid", "tanh", "relu", "identity"}, default="sigmoid"
        Hidden-layer activation (the paper uses the sigmoid).
    alpha : float, default=1e-4
        L2 penalty on the weights (not the biases).
    solver : {"lbfgs", "adam"}, default="lbfgs"
        scipy's L-BFGS-B on the full batch, or Adam on minibatches.
    max_iter : int, default=200
        L-BFGS iterations, or Adam epochs.
    tol : float, default=1e-6
        L-BFGS: relative decrease of the objective at which it stops. Adam:
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
        with ``loss="squared"`` then switched to soft-DTW (the paper's
        "Euclidean initialisation"). The input and output shapes must match.
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
        Training objective at each iteration (L-BFGS) or epoch (Adam).
    n_iter_ : int
        Iterations (L-BFGS) or epochs (Adam) run.
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
    """

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        *,
        loss="softdtw",
        gamma=1.0,
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
        arr = validate_data(self, X, reset=reset, allow_nd=True, dtype=np.float64)
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
    def _fit_lbfgs(self, objective, flat):
        """Full-batch L-BFGS-B; ``objective(flat) -> (value, gradient)``."""
        self.loss_curve_ = []

        def record(intermediate_result):
            self.loss_curve_.append(float(intermediate_result.fun))
            if self.verbose:
                done, value = len(self.loss_curve_), self.loss_curve_[-1]
                print(f"iteration {done}: loss {value:.6g}")

        result = minimize(
            objective,
            flat,
            jac=True,
            method="L-BFGS-B",
            callback=record,
            options={"maxiter": self.max_iter, "ftol": self.tol, "gtol": 0.0},
        )
        if result.status == 1:
            warnings.warn(
                f"L-BFGS-B stopped at max_iter={self.max_iter} before converging; "
                "raise max_iter or tol.",
                ConvergenceWarning,
                stacklevel=3,
            )
        return result.x, int(result.nit), float(result.fun)

    def _fit_adam(self, objective, flat, n, rng):
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
                print(f"epoch {epoch + 1}: loss {self.loss_curve_[-1]:.6g}")
            if self.loss_curve_[-1] < best - self.tol:
                best, stale = self.loss_curve_[-1], 0
            else:
                stale += 1
                if stale >= self.n_iter_no_change:
                    return flat, epoch + 1, objective(flat, everything)[0]
        warnings.warn(
            f"Adam ran max_iter={self.max_iter} epochs and the loss still "
            "improved; raise max_iter.",
            ConvergenceWarning,
            stacklevel=3,
        )
        return flat, self.max_iter, objective(flat, everything)[0]

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
            ``warm_start``.

        Returns
        -------
        self : SoftDTWMLPRegressor
            The fitted model.
        """
        sizes, gamma, window = self._check_params()
        warm = self.warm_start and hasattr(self, "coefs_")
        old_in = getattr(self, "input_shape_", None)
        old_out = getattr(self, "output_shape_", None)
        X = self._validate_X(X, reset=True)
        Y = self._validate_y(y)
        check_consistent_length(X, Y)
        self.output_shape_ = Y.shape[1:]
        series_shape = _series_shape(self.output_shape_)
        Y = np.ascontiguousarray(Y.reshape(len(Y), *series_shape))
        rng = check_random_state(self.random_state)
        if coefs_init is not None or intercepts_init is not None:
            self._initialise(sizes, rng)
            self._set_initial(coefs_init, intercepts_init)
        elif warm:
            if (old_in, old_out) != (self.input_shape_, self.output_shape_):
                raise ValueError(
                    "warm_start needs the sample shapes of the previous fit: "
                    f"{old_in} in and {old_out} out; got {self.input_shape_} "
                    f"and {self.output_shape_}."
                )
        else:
            self._initialise(sizes, rng)
        output_loss = _output_loss(self.loss, gamma, window, series_shape)
        start = time.perf_counter()
        flat = self._pack()
        # A diverging run overflows on the way; it is reported once, below.
        with numba_threads(self.n_jobs), np.errstate(over="ignore", invalid="ignore"):
            if self.solver == "lbfgs":
                flat, self.n_iter_, self.loss_ = self._fit_lbfgs(
                    lambda w: self._objective(w, X, Y, output_loss), flat
                )
            else:
                flat, self.n_iter_, self.loss_ = self._fit_adam(
                    lambda w, rows: self._objective(w, X[rows], Y[rows], output_loss),
                    flat,
                    len(X),
                    rng,
                )
        self._check_finite_fit(flat)
        coefs, intercepts = self._unpack(flat)
        self.coefs_ = [c.copy() for c in coefs]
        self.intercepts_ = [b.copy() for b in intercepts]
        if self.verbose:
            print(f"trained in {time.perf_counter() - start:.2f} s")
        return self

    def _check_finite_fit(self, flat):
        """Raise, as scikit-learn's MLPs do, when training left non-finite values."""
        finite_weights = bool(np.all(np.isfinite(flat)))
        if np.isfinite(self.loss_) and finite_weights:
            return
        found = f"the loss is {self.loss_}" + (
            "" if finite_weights else " and the weights are not all finite"
        )
        message = (
            f"Training diverged: {found} after {self.n_iter_} iterations. Lower "
            "learning_rate_init (adam) or alpha, or scale X and y (e.g. with "
            "TimeSeriesStandardScaler)."
        )
        for name in ("coefs_", "intercepts_", "n_iter_", "loss_", "loss_curve_"):
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
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        out = self._forward(X, self.coefs_, self.intercepts_)[-1]
        return out.reshape(len(X), *self.output_shape_)

    def score(self, X, y, sample_weight=None):
        """Coefficient of determination R^2 over every output value.

        3-D targets are flattened to (n_samples, n_out * n_channels_out)
        first; use :func:`softdtw_learn.metrics.paired_soft_dtw` for a
        soft-DTW or DTW (``gamma=0``) score.

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
