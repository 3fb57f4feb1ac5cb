import warnings

import numpy as np
import pytest

torch = pytest.importorskip(
    "torch", reason="the torch extra is not installed (pip install torch==2.13.0)"
)

from softdtw_learn.metrics import paired_soft_dtw  # noqa: E402
from softdtw_learn.torch import SoftDTWLoss, soft_dtw_loss  # noqa: E402


def _torch_soft_dtw(x, y, gamma):
    """Reference: Algorithm 1 written in plain torch, differentiated by autograd."""
    cost = ((x[:, None, :] - y[None, :, :]) ** 2).sum(-1)
    n, m = cost.shape
    inf = torch.tensor(float("inf"), dtype=x.dtype)
    R = [[inf] * (m + 1) for _ in range(n + 1)]
    R[0][0] = torch.tensor(0.0, dtype=x.dtype)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            prev = torch.stack([R[i - 1][j - 1], R[i - 1][j], R[i][j - 1]])
            R[i][j] = cost[i - 1, j - 1] - gamma * torch.logsumexp(-prev / gamma, 0)
    return R[n][m]


def _reference(xs, ys, gamma, divergence):
    values = []
    for x, y in zip(xs, ys, strict=True):
        value = _torch_soft_dtw(x, y, gamma)
        if divergence:
            value = value - 0.5 * (
                _torch_soft_dtw(x, x, gamma) + _torch_soft_dtw(y, y, gamma)
            )
        values.append(value)
    return torch.stack(values)


@pytest.mark.parametrize("divergence", [False, True])
@pytest.mark.parametrize("gamma", [0.05, 1.0])
def test_values_and_gradients_match_autograd_through_the_dp(divergence, gamma):
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(3, 5, 2, generator=gen, dtype=torch.float64, requires_grad=True)
    y = torch.randn(3, 4, 2, generator=gen, dtype=torch.float64, requires_grad=True)
    ours = soft_dtw_loss(x, y, gamma=gamma, divergence=divergence, reduction="none")
    weights = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64)
    grad_x, grad_y = torch.autograd.grad((weights * ours).sum(), (x, y))
    x_ref = x.detach().clone().requires_grad_(True)
    y_ref = y.detach().clone().requires_grad_(True)
    ref = _reference(x_ref, y_ref, gamma, divergence)
    ref_x, ref_y = torch.autograd.grad((weights * ref).sum(), (x_ref, y_ref))
    torch.testing.assert_close(ours, ref, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(grad_x, ref_x, rtol=1e-10, atol=1e-12)
    torch.testing.assert_close(grad_y, ref_y, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("divergence", [False, True])
@pytest.mark.parametrize("window", [None, 1])
def test_gradcheck(divergence, window):
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(2, 6, generator=gen, dtype=torch.float64, requires_grad=True)
    y = torch.randn(2, 5, generator=gen, dtype=torch.float64, requires_grad=True)
    loss = SoftDTWLoss(0.3, divergence=divergence, window=window, reduction="none")
    assert torch.autograd.gradcheck(loss, (x, y))


def test_float32_keeps_its_dtype_and_agrees_with_float64():
    gen = torch.Generator().manual_seed(2)
    x64 = torch.randn(4, 9, 3, generator=gen, dtype=torch.float64)
    y64 = torch.randn(4, 7, 3, generator=gen, dtype=torch.float64)
    x32 = x64.float().requires_grad_(True)
    loss32 = SoftDTWLoss(0.5, reduction="sum")(x32, y64.float())
    loss32.backward()
    assert loss32.dtype == torch.float32 and x32.grad.dtype == torch.float32
    x = x64.clone().requires_grad_(True)
    loss64 = SoftDTWLoss(0.5, reduction="sum")(x, y64)
    loss64.backward()
    # float32 inputs are rounded before the float64 computation.
    torch.testing.assert_close(loss32.double(), loss64, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(x32.grad.double(), x.grad, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize(
    ("dtype", "scale", "gamma"),
    [(torch.float16, 100.0, 1.0), (torch.float32, 1e19, 1e-3)],
)
def test_values_beyond_the_input_dtype_are_an_error_not_inf(dtype, scale, gamma):
    gen = torch.Generator().manual_seed(0)
    x = (torch.randn(2, 50, generator=gen, dtype=torch.float64) * scale).to(dtype)
    y = torch.zeros(2, 50, dtype=dtype)
    with pytest.raises(ValueError, match=f"beyond {dtype}; compute the loss in"):
        SoftDTWLoss(gamma)(x.requires_grad_(True), y)
    # Per-pair values in range whose sum is not (2700 x 40 > 65504).
    big = torch.full((40, 3), 30.0, dtype=torch.float16, requires_grad=True)
    if dtype == torch.float16:
        with pytest.raises(ValueError, match="the sum of the values is 1.08e"):
            SoftDTWLoss(gamma, reduction="sum")(big, torch.zeros(40, 3, dtype=dtype))
    # Within range, half precision works as float32 does.
    small = (x.detach().double() / scale).to(dtype).requires_grad_(True)
    loss = SoftDTWLoss(gamma, reduction="sum")(small, y)
    loss.backward()
    assert loss.dtype == dtype and torch.isfinite(small.grad).all()


def test_lengths_and_nan_padding_give_each_pair_its_own_length():
    rng = np.random.default_rng(3)
    series_x = [rng.normal(size=(k, 2)) for k in (6, 3, 5)]
    series_y = [rng.normal(size=(k, 2)) for k in (4, 6, 2)]
    expected = paired_soft_dtw(series_x, series_y, gamma=0.2)

    def padded(series, fill):
        out = np.full((len(series), 6, 2), fill)
        for b, s in enumerate(series):
            out[b, : len(s)] = s
        return torch.tensor(out, requires_grad=True)

    x = padded(series_x, 123.0)
    y = padded(series_y, -7.0)
    by_lengths = soft_dtw_loss(
        x,
        y,
        gamma=0.2,
        reduction="none",
        input_lengths=torch.tensor([6, 3, 5]),
        target_lengths=[4, 6, 2],
    )
    np.testing.assert_allclose(by_lengths.detach().numpy(), expected, rtol=1e-13)
    by_lengths.sum().backward()
    assert not x.grad[1, 3:].any() and not y.grad[2, 2:].any()
    assert x.grad[1, :3].abs().sum() > 0

    x_nan, y_nan = padded(series_x, np.nan), padded(series_y, np.nan)
    by_nan = soft_dtw_loss(x_nan, y_nan, gamma=0.2, reduction="none")
    np.testing.assert_allclose(by_nan.detach().numpy(), expected, rtol=1e-13)
    by_nan.sum().backward()
    np.testing.assert_array_equal(x_nan.grad.numpy(), x.grad.numpy())


def test_reductions_and_training_step():
    gen = torch.Generator().manual_seed(4)
    x = torch.randn(5, 8, generator=gen, dtype=torch.float64)
    y = torch.randn(5, 8, generator=gen, dtype=torch.float64)
    each = SoftDTWLoss(0.1, reduction="none")(x, y)
    assert each.shape == (5,)
    torch.testing.assert_close(SoftDTWLoss(0.1)(x, y), each.mean())
    torch.testing.assert_close(SoftDTWLoss(0.1, reduction="sum")(x, y), each.sum())
    # A few gradient steps of a linear model lower the divergence loss.
    model = torch.nn.Linear(8, 8, dtype=torch.float64)
    torch.nn.init.zeros_(model.weight)
    optimiser = torch.optim.SGD(model.parameters(), lr=0.05)
    loss_fn = SoftDTWLoss(0.1, divergence=True)
    losses = []
    for _ in range(30):
        optimiser.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimiser.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]


def test_no_gradient_needed_gives_the_same_values():
    gen = torch.Generator().manual_seed(5)
    x = torch.randn(3, 7, generator=gen, dtype=torch.float64)
    y = torch.randn(3, 4, generator=gen, dtype=torch.float64)
    with torch.no_grad():
        plain = soft_dtw_loss(x, y, gamma=0.3, divergence=True, reduction="none")
    tracked = soft_dtw_loss(
        x.clone().requires_grad_(True), y, gamma=0.3, divergence=True, reduction="none"
    )
    torch.testing.assert_close(plain, tracked.detach(), rtol=1e-13, atol=1e-13)
    assert not plain.requires_grad and tracked.requires_grad


def test_bad_input_raises_value_errors():
    x = torch.zeros(2, 5)
    with pytest.raises(ValueError, match="gamma"):
        SoftDTWLoss(0.0)
    with pytest.raises(ValueError, match="reduction"):
        SoftDTWLoss(1.0, reduction="max")
    with pytest.raises(ValueError, match="shape"):
        SoftDTWLoss()(torch.zeros(5), torch.zeros(5))
    with pytest.raises(ValueError, match="2 series and target 3"):
        SoftDTWLoss()(x, torch.zeros(3, 5))
    with pytest.raises(ValueError, match="channels"):
        SoftDTWLoss()(torch.zeros(2, 5, 2), torch.zeros(2, 5, 3))
    with pytest.raises(ValueError, match="input_lengths"):
        SoftDTWLoss()(x, x, input_lengths=[5, 6])
    with pytest.raises(ValueError, match="floats"):
        SoftDTWLoss()(torch.zeros(2, 5, dtype=torch.int64), x)
    inside = torch.zeros(2, 5)
    inside[0, 2] = float("nan")
    with pytest.raises(ValueError, match="NaN"):
        SoftDTWLoss()(inside, x)
    with pytest.raises(ValueError, match="inf"):
        SoftDTWLoss()(torch.full((2, 5), float("inf")), x)


@pytest.mark.parametrize(
    ("make_input", "make_target", "message"),
    [
        (
            lambda: torch.tensor([[0.0, float("nan"), 1.0]]),
            lambda: torch.ones(1, 3),
            r"input\[0\] contains NaN",
        ),
        (
            lambda: torch.ones(1, 3),
            lambda: torch.tensor([[0.0, float("inf"), 1.0]]),
            r"target\[0\] contains inf",
        ),
        (lambda: torch.ones(1, 0), lambda: torch.ones(1, 3), r"input\[0\] is empty"),
        (
            lambda: torch.ones(1, 3),
            lambda: torch.ones(1, 0, 1),
            r"target\[0\] is empty",
        ),
        (
            lambda: torch.ones(1, 3, 2),
            lambda: torch.ones(1, 3, 3),
            "input has 2 channels and target 3",
        ),
    ],
)
def test_errors_name_input_and_target(make_input, make_target, message):
    with pytest.raises(ValueError, match=message):
        soft_dtw_loss(make_input(), make_target())


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"divergence": "no"}, "divergence must be True or False"),
        ({"n_jobs": 0}, "n_jobs must be None"),
        ({"window": float("inf")}, "window must be None"),
        ({"reduction": None}, "reduction must be one of"),
        ({"gamma": float("nan")}, "gamma must be a finite number > 0"),
    ],
)
def test_bad_options_are_rejected_at_construction(kwargs, message):
    gamma = kwargs.pop("gamma", 1.0)
    with pytest.raises(ValueError, match=message):
        SoftDTWLoss(gamma, **kwargs)


def test_second_derivatives_raise_instead_of_returning_zeros():
    x = torch.zeros(2, 5, dtype=torch.float64)
    target = torch.ones(2, 4, dtype=torch.float64)
    with pytest.raises(RuntimeError, match="second derivatives"):
        torch.autograd.functional.hessian(
            lambda a: soft_dtw_loss(a, target, gamma=0.5), x
        )
    x.requires_grad_(True)
    with pytest.raises(RuntimeError, match="second derivatives"):
        torch.autograd.grad(soft_dtw_loss(x, target), x, create_graph=True)
    (first,) = torch.autograd.grad(soft_dtw_loss(x, target), x)  # first order works
    assert torch.all(torch.isfinite(first))


def test_import_without_torch_names_the_extra(monkeypatch):
    import importlib
    import sys

    monkeypatch.setitem(sys.modules, "torch", None)  # import torch -> ImportError
    monkeypatch.delitem(sys.modules, "softdtw_learn.torch")
    with pytest.raises(ImportError, match=r"pip install 'softdtw_learn\[torch\]'"):
        importlib.import_module("softdtw_learn.torch")


@pytest.mark.parametrize("transform", ["grad", "vmap"])
def test_torch_func_transforms_get_a_clear_error(transform):
    target = torch.ones(2, 3, dtype=torch.float64)
    x = torch.zeros(2, 3, dtype=torch.float64)
    if transform == "grad":
        call = torch.func.grad(lambda a: soft_dtw_loss(a, target))
    else:
        call = torch.func.vmap(lambda a: soft_dtw_loss(a[None], target[:1]))
    with pytest.raises(RuntimeError, match="torch.func transform"):
        call(x)


def test_more_channels_than_steps_is_no_layout_guess():
    # (batch, time, channels) is the documented layout: nothing to warn about.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        SoftDTWLoss(0.1)(torch.randn(4, 3, 16), torch.randn(4, 5, 16))


def test_no_grad_computes_the_values_alone(monkeypatch):
    from softdtw_learn import torch as module

    a = torch.randn(5, 9, dtype=torch.float64, requires_grad=True)
    b = torch.randn(5, 7, dtype=torch.float64)
    with_grad = soft_dtw_loss(a, b, reduction="none")

    def refused(*args, **kwargs):
        raise AssertionError("the autograd function ran under no_grad")

    monkeypatch.setattr(module._SoftDTWFunction, "apply", refused)
    with torch.no_grad():
        values = soft_dtw_loss(a, b, reduction="none")
    assert not values.requires_grad
    torch.testing.assert_close(values, with_grad.detach(), rtol=1e-15, atol=0.0)


def test_nan_inside_a_stated_length_is_an_error():
    x = torch.randn(2, 6)
    x[1, 4:] = float("nan")
    with pytest.raises(ValueError, match=r"input\[1\] has NaN at time index 4, inside"):
        soft_dtw_loss(x, torch.randn(2, 5), input_lengths=[6, 6])
    shorter = soft_dtw_loss(x, torch.randn(2, 5), input_lengths=[6, 4])
    assert torch.isfinite(shorter)
