"""The hand-written exp and log inside the kernels, against numpy's."""

import numpy as np
from numba import njit

from softdtw_learn import _kernels


@njit
def _apply_exp(values):
    out = np.empty_like(values)
    for k in range(values.size):
        out[k] = _kernels._exp_nonpositive(values[k])
    return out


@njit
def _apply_log(values):
    out = np.empty_like(values)
    for k in range(values.size):
        out[k] = _kernels._log_1_to_3(values[k])
    return out


def _ulps(got, expected):
    return np.abs(got - expected) / np.spacing(np.abs(expected))


def test_exp_is_within_two_ulp_on_nonpositive_numbers(rng):
    x = np.concatenate(
        [-rng.exponential(5.0, 200_000), -rng.uniform(0, 708, 100_000), [0.0, -1e-300]]
    )
    x = x[x >= -708.0]
    assert _ulps(_apply_exp(x), np.exp(x)).max() <= 2.0


def test_exp_edges():
    got = _apply_exp(np.array([0.0, -np.inf, -746.0, -708.5, -708.0, -700.0]))
    assert got[0] == 1.0 and got[1] == 0.0 and got[2] == 0.0 and got[3] == 0.0
    assert _ulps(got[4:], np.exp([-708.0, -700.0])).max() <= 2


def test_log_is_within_one_ulp_on_one_to_three(rng):
    y = np.concatenate(
        [1.0 + rng.uniform(0, 2, 300_000), [np.sqrt(2), 2 * np.sqrt(2), 3.0]]
    )
    y = y[y > 1.0]
    assert _ulps(_apply_log(y), np.log(y)).max() <= 1.0
    assert _apply_log(np.array([1.0]))[0] == 0.0


def test_strips_store_only_the_band():
    # 400 x 400 with a band of half-width 5: 25 strips of 16 rows, each
    # storing at most the band's width, plus 15 steps of drift along the
    # diagonal, 15 of skew and 5 of margin.
    n = 400
    lo, hi = _kernels._band_bounds(n, n, 5.0)
    start, offset = _kernels._strip_layout(lo, hi)
    assert len(start) == n // _kernels._LANES
    widest = int((hi - lo).max()) + 1
    bound = len(start) * (widest + 2 * _kernels._LANES + 4) * _kernels._WIDTH
    assert offset[-1] <= bound < 0.2 * n * n
    full_lo, full_hi = _kernels._band_bounds(n, n, -1.0)
    _, full_offset = _kernels._strip_layout(full_lo, full_hi)
    assert full_offset[-1] == len(start) * (n + _kernels._LANES + 3) * _kernels._WIDTH


def test_full_store_and_rolling_value_agree(rng):
    # The value-only path (two strips) and the full store give the same R[n, m],
    # from the series and from a given cost matrix.
    x, y = rng.normal(size=(53, 2)), rng.normal(size=(37, 2))
    for w in (-1.0, 4.0):
        lo, hi = _kernels._band_bounds(53, 37, w)
        full, *_ = _kernels._forward(x, y, np.empty((0, 0)), lo, hi, 0.3)
        assert full == _kernels._value(x, y, np.empty((0, 0)), lo, hi, 0.3)
        cost = ((x[:, None, :] - y[None, :, :]) ** 2).sum(axis=2)
        no_series = np.empty((0, 1))
        from_cost, *_ = _kernels._forward(no_series, no_series, cost, lo, hi, 0.3)
        assert from_cost == _kernels._value(no_series, no_series, cost, lo, hi, 0.3)
