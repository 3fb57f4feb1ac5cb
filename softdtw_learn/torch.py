"""Soft-DTW as a PyTorch loss (optional extra ``torch``).

Forward and backward run the Numba kernels on CPU: the forward pass computes
each pair's value and, when autograd needs them, the gradients w.r.t. both
inputs (paper Algorithm 2), which the backward pass scales by the incoming
gradient. Tensors on another device are copied to the CPU and the results
copied back.
"""

import warnings

import numpy as np

try:
    import torch
except ImportError:
    raise ImportError(
        "softdtw_learn.torch needs PyTorch: pip install 'softdtw_learn[torch]' "
        "(or pip install torch)."
    ) from None

from .metrics import paired_soft_dtw_terms
from .utils import (
    LayoutWarning,
    check_dataset,
    check_flag,
    check_gamma,
    check_n_jobs,
    check_option,
    check_window,
)

__all__ = ["SoftDTWLoss", "soft_dtw_loss"]

_REDUCTIONS = ("mean", "sum", "none")


def _as_dataset(tensor, lengths, name):
    """Detached float64 numpy copy of shape (batch, time, channels).

    Steps at or after ``lengths[b]`` become NaN padding, so that the kernels
    see the true lengths.
    """
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor; got {type(tensor).__name__}.")
    if tensor.dim() not in (2, 3):
        raise ValueError(
            f"{name} must have shape (batch, time) or (batch, time, channels); "
            f"got shape {tuple(tensor.shape)}."
        )
    if not tensor.dtype.is_floating_point:
        raise ValueError(f"{name} must hold floats; got {tensor.dtype}.")
    try:
        arr = tensor.detach().to("cpu", torch.float64).numpy().copy()
    except RuntimeError as err:  # torch.func's wrappers have no storage
        if "storage" not in str(err):
            raise
        raise RuntimeError(
            f"soft-DTW loss: {name} has no data to read (a torch.func transform "
            "such as grad, vmap or jacrev?); the loss runs its kernels outside "
            "autograd and supports plain autograd (loss.backward(), "
            "torch.autograd.grad) only."
        ) from None
    if arr.ndim == 2:
        arr = arr[:, :, None]
    if lengths is not None:
        steps = np.asarray(
            lengths.detach().cpu() if isinstance(lengths, torch.Tensor) else lengths
        )
        if steps.shape != (arr.shape[0],) or not np.issubdtype(steps.dtype, np.integer):
            raise ValueError(
                f"{name}_lengths must hold one integer per series ({arr.shape[0]}); "
                f"got {steps!r}."
            )
        if steps.min() < 1 or steps.max() > arr.shape[1]:
            raise ValueError(
                f"{name}_lengths must lie in [1, {arr.shape[1]}] (the padded length); "
                f"got values from {steps.min()} to {steps.max()}."
            )
        inside = np.arange(arr.shape[1])[None, :] < steps[:, None]
        missing = np.isnan(arr).any(axis=2) & inside
        if missing.any():
            b, t = (int(k) for k in np.argwhere(missing)[0])
            raise ValueError(
                f"{name}[{b}] has NaN at time index {t}, inside its stated length "
                f"{int(steps[b])} ({name}_lengths); fill it, or give the length "
                "without it."
            )
        arr[~inside] = np.nan
    check_dataset(arr, name)  # errors name input[b] / target[b]
    return arr


def _cast(array, like, what):
    """``array`` (float64) as a tensor of ``like``'s dtype and device.

    A value finite in float64 but beyond ``like``'s dtype (half precision
    ends at 65504, float32 at 3.4e38) is an error, not an inf.
    """
    out = torch.from_numpy(array).to(like.device, like.dtype)
    if not bool(torch.isfinite(out).all()):
        largest = float(np.max(np.abs(array)))
        raise ValueError(
            f"soft-DTW loss: {what} reach {largest:.3g}, beyond {like.dtype}; "
            "compute the loss in float64 (or rescale the series)."
        )
    return out


class _SoftDTWFunction(torch.autograd.Function):
    """Per-pair soft-DTW values of two batches, with a kernel backward pass."""

    @staticmethod
    def forward(ctx, x, y, x_arr, y_arr, gamma, window, divergence, n_jobs):
        need_x, need_y = ctx.needs_input_grad[:2]
        values, grad_x, grad_y = paired_soft_dtw_terms(
            x_arr,
            y_arr,
            gamma=gamma,
            window=window,
            divergence=divergence,
            grad_x=need_x,
            grad_y=need_y,
            n_jobs=n_jobs,
        )
        grads = []
        for need, grad, like in ((need_x, grad_x, x), (need_y, grad_y, y)):
            grads.append(
                _cast(grad.reshape(like.shape), like, "its gradient") if need else None
            )
        ctx.grads = grads
        return _cast(values, x, "the soft-DTW values")

    @staticmethod
    def backward(ctx, grad_output):
        if torch.is_grad_enabled():  # create_graph=True: a second derivative
            raise RuntimeError(
                "soft-DTW loss: second derivatives (create_graph=True, hessian, "
                "double backward) are not implemented; the backward pass is "
                "Algorithm 2's alignment matrix, computed outside autograd."
            )
        out = []
        for grad in ctx.grads:
            if grad is None:
                out.append(None)
            else:
                scale = grad_output.reshape(-1, *([1] * (grad.dim() - 1)))
                out.append(scale * grad)
        return (*out, None, None, None, None, None, None)


def soft_dtw_loss(
    input,
    target,
    *,
    gamma=1.0,
    divergence=False,
    window=None,
    reduction="mean",
    input_lengths=None,
    target_lengths=None,
    n_jobs=None,
):
    """Soft-DTW between each series of ``input`` and its partner in ``target``.

    The functional form of :class:`SoftDTWLoss`.

    Parameters
    ----------
    input : torch.Tensor of shape (batch, time) or (batch, time, channels)
        Predictions, float32 or float64 (or half precision); trailing NaN pads
        shorter series.
    target : torch.Tensor of shape (batch, time') or (batch, time', channels)
        Targets; the length may differ from ``input``'s.
    gamma : float, default=1.0
        Smoothing, > 0.
    divergence : bool, default=False
        Use the soft-DTW divergence instead of the signed value.
    window : int or float, default=None
        Sakoe-Chiba band, as in :func:`softdtw_learn.metrics.soft_dtw`.
    reduction : {"mean", "sum", "none"}, default="mean"
        How the per-pair values are combined.
    input_lengths, target_lengths : sequence of int, default=None
        True length of each series; the steps after it are ignored and get
        zero gradient. None means the NaN padding (or the full width).
    n_jobs : int, default=None
        Threads over the pairs of the batch: None means 1, -1 all cores.

    Returns
    -------
    loss : torch.Tensor
        Scalar for ``reduction="mean"`` or ``"sum"``, else shape (batch,).

    Examples
    --------
    >>> import torch
    >>> from softdtw_learn.torch import soft_dtw_loss
    >>> x = torch.zeros(2, 5, requires_grad=True)
    >>> loss = soft_dtw_loss(x, torch.ones(2, 4), gamma=0.1)
    >>> loss.backward()
    >>> x.grad.shape
    torch.Size([2, 5])
    """
    check_option(reduction, "reduction", _REDUCTIONS)
    divergence = check_flag(divergence, "divergence")
    gamma = check_gamma(gamma, allow_zero=False)
    check_window(window)
    check_n_jobs(n_jobs)
    with warnings.catch_warnings():
        # The layout is (batch, time, channels), as documented: no guess.
        warnings.simplefilter("ignore", LayoutWarning)
        x_arr = _as_dataset(input, input_lengths, "input")
        y_arr = _as_dataset(target, target_lengths, "target")
        if x_arr.shape[0] != y_arr.shape[0]:
            raise ValueError(
                f"input has {x_arr.shape[0]} series and target {y_arr.shape[0]}; "
                "the loss compares them in pairs."
            )
        if x_arr.shape[2] != y_arr.shape[2]:
            raise ValueError(
                f"input has {x_arr.shape[2]} channels and target "
                f"{y_arr.shape[2]}; both need the same number of channels."
            )
        if torch.is_grad_enabled():
            values = _SoftDTWFunction.apply(
                input, target, x_arr, y_arr, gamma, window, divergence, n_jobs
            )
        else:  # no_grad, inference_mode: no gradient to compute
            terms = paired_soft_dtw_terms(
                x_arr,
                y_arr,
                gamma=gamma,
                window=window,
                divergence=divergence,
                n_jobs=n_jobs,
            )
            values = _cast(terms[0], input, "the soft-DTW values")
    if reduction == "none":
        return values
    # Reduced in float64: a sum of half-precision values overflows soon.
    wide = values.double()
    total = (wide.mean() if reduction == "mean" else wide.sum()).to(values.dtype)
    if not bool(torch.isfinite(total)):
        raise ValueError(
            f"soft-DTW loss: the {reduction} of the values is "
            f"{float(wide.sum() if reduction == 'sum' else wide.mean()):.3g}, "
            f"beyond {values.dtype}; compute the loss in float64 (or rescale "
            "the series)."
        )
    return total


class SoftDTWLoss(torch.nn.Module):
    """Soft-DTW loss between batches of series, for PyTorch models.

    ``loss(input, target)`` compares ``input[b]`` with ``target[b]`` for each
    ``b`` by soft-DTW (squared Euclidean cost, not halved), computed on the
    CPU by the Numba kernels, with gradients w.r.t. both arguments. Soft-DTW
    is signed: use ``divergence=True`` for a loss that is non-negative and
    zero only when the two series are equal.

    Parameters
    ----------
    gamma : float, default=1.0
        Smoothing, > 0.
    divergence : bool, default=False
        Use the soft-DTW divergence
        ``sdtw(x, y) - (sdtw(x, x) + sdtw(y, y)) / 2``.
    window : int or float, default=None
        Sakoe-Chiba band, as in :func:`softdtw_learn.metrics.soft_dtw`.
    reduction : {"mean", "sum", "none"}, default="mean"
        How the per-pair values are combined.
    n_jobs : int, default=None
        Threads over the pairs of a batch: None means 1, -1 all cores.

    Notes
    -----
    ``forward(input, target, input_lengths=None, target_lengths=None)``:
    ``input`` and ``target`` have shape (batch, time) or (batch, time,
    channels), float32 or float64, and may differ in length. Shorter series
    in a batch are given as trailing NaN padding or by the ``*_lengths``
    arguments (one integer per series; the values past each length are
    ignored and receive zero gradient). The computation runs in float64 and
    the result has the dtype of ``input``; a per-pair value, gradient or
    reduced loss beyond that dtype's range (65504 in half precision) is an
    error, not an inf. Second derivatives and the
    ``torch.func`` transforms (``grad``, ``vmap``, ``jacrev``) are not
    supported; ``loss.backward()`` and ``torch.autograd.grad`` are.

    References
    ----------
    M. Cuturi, M. Blondel. Soft-DTW: a Differentiable Loss Function for
    Time-Series. ICML 2017.

    Examples
    --------
    >>> import torch
    >>> from softdtw_learn.torch import SoftDTWLoss
    >>> loss_fn = SoftDTWLoss(gamma=0.1, divergence=True)
    >>> prediction = torch.zeros(4, 10, 2, requires_grad=True)
    >>> loss = loss_fn(prediction, torch.ones(4, 8, 2))
    >>> loss.backward()
    >>> prediction.grad.shape
    torch.Size([4, 10, 2])
    """

    def __init__(
        self, gamma=1.0, *, divergence=False, window=None, reduction="mean", n_jobs=None
    ):
        super().__init__()
        self.gamma = check_gamma(gamma, allow_zero=False)
        check_window(window)
        self.reduction = check_option(reduction, "reduction", _REDUCTIONS)
        self.divergence = check_flag(divergence, "divergence")
        self.window = window
        self.n_jobs = check_n_jobs(n_jobs)

    def forward(self, input, target, input_lengths=None, target_lengths=None):
        """Loss between ``input`` and ``target``.

        Parameters
        ----------
        input : torch.Tensor of shape (batch, time) or (batch, time, channels)
            Predictions.
        target : torch.Tensor of shape (batch, time') or (batch, time', channels)
            Targets.
        input_lengths, target_lengths : sequence of int, default=None
            True lengths; None means the NaN padding (or the full width).

        Returns
        -------
        loss : torch.Tensor
            Scalar, or shape (batch,) with ``reduction="none"``.
        """
        return soft_dtw_loss(
            input,
            target,
            gamma=self.gamma,
            divergence=self.divergence,
            window=self.window,
            reduction=self.reduction,
            input_lengths=input_lengths,
            target_lengths=target_lengths,
            n_jobs=self.n_jobs,
        )

    def extra_repr(self):
        """Parameters shown by ``repr``."""
        return (
            f"gamma={self.gamma}, divergence={self.divergence}, "
            f"window={self.window}, reduction={self.reduction!r}"
        )
