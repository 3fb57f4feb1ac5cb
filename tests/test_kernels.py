"""Kernel internals: the hand-written exp and log against numpy's, the strip
layout, and the scaled probability-domain lanes against the paper's
Algorithm 1 written cell by cell."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numba import njit

from softdtw_learn import _kernels

from ._naive import alignment_paths, band_mask, dp_soft_dtw, sq_cost


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


def _scaled_lanes(x, ys, gamma, window=-1.0):
    """Run ``_lanes_value_scaled`` of ``x`` against ``ys`` (one length)."""
    lanes = np.ascontiguousarray(np.stack(ys, axis=2))
    lo, hi = _kernels._band_bounds(len(x), len(ys[0]), window)
    out, exact = np.full(len(ys), np.nan), np.zeros(len(ys), dtype=bool)
    _kernels._lanes_value_scaled(x, lanes, lo, hi, gamma, out, exact)
    return out, exact


def _later(x, lanes, lo, hi, gamma):
    """The per-row path cost bounds the barycenter lanes are given."""
    return np.stack(
        [
            _kernels._path_cost_bounds(x, lanes[:, :, k], lo, hi, gamma)[0]
            for k in range(lanes.shape[2])
        ],
        axis=1,
    )


def _reference(x, y, gamma, window=-1.0):
    cost = sq_cost(x, y)
    if window >= 0:
        cost[~band_mask(len(x), len(y), window)] = np.inf
    return dp_soft_dtw(cost, gamma)


@pytest.mark.parametrize("gamma", [0.1, 0.3, 1.0, 10.0])
@pytest.mark.parametrize("window", [-1.0, 3.0])
@pytest.mark.parametrize("n_lanes", [1, 5, 64])
def test_scaled_lanes_equal_algorithm_1(rng, gamma, window, n_lanes):
    # Where R / gamma stays well inside the double range (~1400 nats below
    # each row's sum), every lane is exact, to 1e-12 of Algorithm 1.
    x = rng.normal(size=(23, 2))
    ys = [rng.normal(size=(17, 2)) * rng.uniform(0.2, 1.0) for _ in range(n_lanes)]
    out, exact = _scaled_lanes(x, ys, gamma, window)
    expected = [_reference(x, y, gamma, window) for y in ys]
    assert exact.all()
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)


def test_scaled_lanes_do_not_depend_on_their_neighbours(rng):
    # A pair gives the same bits alone or among 63 others, at any lane: what
    # makes the local and the Dask blocks agree exactly.
    x = rng.normal(size=(31, 1))
    ys = [rng.normal(size=(26, 1)) for _ in range(64)]
    together, _ = _scaled_lanes(x, ys, 0.5)
    for lane in (0, 13, 63):
        alone, _ = _scaled_lanes(x, [ys[lane]], 0.5)
        assert alone[0] == together[lane]
        shifted, _ = _scaled_lanes(x, ys[lane:] + ys[:lane], 0.5)
        assert shifted[0] == together[lane]


@pytest.mark.parametrize("gamma", [0.0, 0.5])
def test_padded_lane_counts_give_the_same_bits(rng, gamma):
    # 4 to 7 lanes run as 8 (copies of the last series); every count from 1
    # to 10 must give the bits of the same pairs in one chunk of 10.
    from softdtw_learn.metrics import pairwise_soft_dtw

    x = rng.normal(size=(1, 23, 2))
    ys = rng.normal(size=(10, 19, 2))
    assert [_kernels._padded_lanes(k) for k in (3, 4, 7, 8)] == [3, 8, 8, 8]
    every = pairwise_soft_dtw(x, ys, gamma=gamma)
    for k in range(1, 11):
        np.testing.assert_array_equal(
            pairwise_soft_dtw(x, ys[:k], gamma=gamma), every[:, :k]
        )
    expected = [dp_soft_dtw(sq_cost(x[0], y), gamma) for y in ys]
    np.testing.assert_allclose(every[0], expected, rtol=1e-12)


def test_scaled_lanes_flag_what_underflow_spoils(rng):
    # At gamma 0.01, R / gamma is 17,000-26,000 nats, far beyond the double
    # range: the scaled results are lost (left unwritten) or off, and every
    # lane is flagged.
    x = rng.normal(size=(40, 1)) * 3.0
    ys = [rng.normal(size=(40, 1)) * 3.0 for _ in range(8)]
    out, exact = _scaled_lanes(x, ys, 0.01)
    expected = np.array([_reference(x, y, 0.01) for y in ys])
    assert not exact.any()
    assert not np.isclose(out, expected, rtol=1e-6).any()


@settings(deadline=None, max_examples=60, derandomize=True)
@given(
    n=st.integers(1, 12),
    m=st.integers(1, 12),
    log_scale=st.floats(-2.0, 2.0),
    log_gamma=st.floats(-3.0, 1.0),
    seed=st.integers(0, 2**16),
)
def test_scaled_lanes_are_exact_whenever_they_say_so(n, m, log_scale, log_gamma, seed):
    data = np.random.default_rng(seed)
    gamma = 10.0**log_gamma
    x = data.normal(size=(n, 1)) * 10.0**log_scale
    ys = [data.normal(size=(m, 1)) * 10.0**log_scale for _ in range(3)]
    out, exact = _scaled_lanes(x, ys, gamma)
    for lane in np.flatnonzero(exact):
        expected = _reference(x, ys[lane], gamma)
        assert math.isclose(out[lane], expected, rel_tol=1e-12, abs_tol=1e-12 * gamma)


def test_delannoy_bound():
    # D(a, b) <= D(k, k) <= 2**(_DELANNOY_BITS * k) with k = max(a, b): the
    # paths the underflow bound counts. D(k, k) = sum_i C(k, i)**2 2**i.
    for k in range(0, 1500, 7):
        central = sum(math.comb(k, i) ** 2 * 2**i for i in range(k + 1))
        assert math.log2(central) <= _kernels._DELANNOY_BITS * k


@pytest.mark.parametrize("n, m", [(1, 1), (1, 4), (4, 1), (4, 5), (6, 3)])
@pytest.mark.parametrize("window", [-1.0, 1.0])
def test_path_cost_bounds_hold_on_every_path(rng, n, m, window):
    # later[i] bounds what each in-band path pays in rows i..n-1, ``whole``
    # what it pays in all; both in bits of exp(-cost / gamma).
    gamma = 0.3
    x = rng.normal(size=(n, 2))
    lo, hi = _kernels._band_bounds(n, m, window)
    bits = math.log2(math.e) / gamma
    for _ in range(5):
        y = rng.normal(size=(m, 2)) * 3.0
        later, whole = _kernels._path_cost_bounds(x, y, lo, hi, gamma)
        cost = sq_cost(x, y)
        paths = [
            p for p in alignment_paths(n, m) if all(lo[i] <= j <= hi[i] for i, j in p)
        ]
        for path in paths:
            paid = sum(cost[c] for c in path) * bits
            assert whole <= paid * (1 + 1e-12)
            for i in range(n + 1):
                rest = sum(cost[r, c] for r, c in path if r >= i) * bits
                assert later[i] <= rest * (1 + 1e-12)
        # The corners are on every path, so the bound is at least theirs.
        corners = cost[0, 0] + (cost[-1, -1] if (n, m) != (1, 1) else 0.0)
        assert whole >= corners * bits * (1 - 1e-12)
        assert later[n] == 0.0


def test_barycenter_lanes_send_hopeless_series_to_the_log_domain(rng):
    # Random walks at gamma 0.1: the path cost bound rules the scaled domain
    # out for most series; the terms still equal the log domain's.
    n = 64
    z = np.cumsum(rng.normal(size=(n, 1)), axis=0)
    xs = np.cumsum(rng.normal(size=(6, n, 1)), axis=1)
    xs[0] = z + 0.01 * rng.normal(size=(n, 1))  # close to z: scaled works
    lo, hi = _kernels._band_bounds(n, n, -1.0)
    hopeless = [
        _kernels._scaled_hopeless(
            _kernels._path_cost_bounds(z, x, lo, hi, 0.1)[1], _kernels._PAIR_TOP
        )
        for x in xs
    ]
    assert not hopeless[0] and sum(hopeless) >= 3
    coef = rng.uniform(0.5, 1.5, size=6)
    order = np.arange(6)
    chunks = np.array([0, 6])
    lengths = np.full(6, n)
    total, grad = _kernels._weighted_terms(
        z, xs, lengths, coef, 0.1, -1.0, 0.0, order, chunks
    )
    expected, expected_grad = 0.0, np.zeros_like(z)
    for s in range(6):
        value, grad_z, _, _ = _log_domain(z, xs[s], 0.1, -1.0)
        expected += coef[s] * value
        expected_grad += coef[s] * grad_z
    assert total == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(grad, expected_grad, rtol=1e-10, atol=1e-12)


def _log_domain(x, y, gamma, window):
    """Value, gradients and E from the log-domain strips (Algorithms 1, 2)."""
    lo, hi = _kernels._band_bounds(len(x), len(y), window)
    no_cost = np.empty((0, 0))
    value, store, start, offset = _kernels._forward(x, y, no_cost, lo, hi, gamma)
    alignment = np.zeros((len(x), len(y)))
    _kernels._run_backward(
        x, y, lo, hi, gamma, store, start, offset, False, False, alignment
    )
    grad_x, grad_y = _kernels._run_backward(
        x, y, lo, hi, gamma, store, start, offset, True, True, no_cost
    )
    return value, grad_x, grad_y, alignment


@pytest.mark.parametrize(
    ("n", "m", "d", "window", "gamma"),
    [(7, 5, 1, -1.0, 1.0), (30, 22, 2, -1.0, 0.3), (40, 40, 1, 3.0, 1.0),
     (1, 9, 1, -1.0, 1.0), (9, 1, 2, -1.0, 2.0), (33, 47, 3, 4.0, 0.5)],
)  # fmt: skip
def test_scaled_pair_equals_log_domain(rng, n, m, d, window, gamma):
    x, y = rng.normal(size=(n, d)), rng.normal(size=(m, d))
    lo, hi = _kernels._band_bounds(n, m, window)
    alignment = np.zeros((n, m))
    exact, value, grad_x, grad_y = _kernels._scaled_value_grads(
        x, y, lo, hi, gamma, True, True, alignment
    )
    expected = _log_domain(x, y, gamma, window)
    assert exact
    assert value == pytest.approx(expected[0], rel=1e-12, abs=1e-12)
    for got, want in zip((grad_x, grad_y, alignment), expected[1:], strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-11, atol=1e-13)


@pytest.mark.parametrize("n_lanes", [1, 7, 64])
@pytest.mark.parametrize("window", [-1.0, 3.0])
def test_scaled_lane_gradients_equal_log_domain(rng, n_lanes, window):
    z = rng.normal(size=(21, 2))
    ys = [rng.normal(size=(17, 2)) for _ in range(n_lanes)]
    lanes = np.ascontiguousarray(np.stack(ys, axis=2))
    lo, hi = _kernels._band_bounds(21, 17, window)
    values, exact = np.empty(n_lanes), np.zeros(n_lanes, dtype=bool)
    grads = np.empty((21, 2, n_lanes))
    _kernels._lanes_value_grads_scaled(
        z, lanes, lo, hi, 0.4, _later(z, lanes, lo, hi, 0.4), values, exact, grads
    )
    assert exact.all()
    for lane, y in enumerate(ys):
        value, grad_z, _, _ = _log_domain(z, y, 0.4, window)
        assert values[lane] == pytest.approx(value, rel=1e-12, abs=1e-12)
        np.testing.assert_allclose(grads[:, :, lane], grad_z, rtol=1e-11, atol=1e-13)
    # The last lane gives the same bits alone.
    alone_value, alone_exact = np.empty(1), np.zeros(1, dtype=bool)
    alone_grad = np.empty((21, 2, 1))
    alone = lanes[:, :, -1:].copy()
    _kernels._lanes_value_grads_scaled(
        z,
        alone,
        lo,
        hi,
        0.4,
        _later(z, alone, lo, hi, 0.4),
        alone_value,
        alone_exact,
        alone_grad,
    )
    assert alone_value[0] == values[-1]
    np.testing.assert_array_equal(alone_grad[:, :, 0], grads[:, :, -1])


def test_scaled_gradients_flag_what_underflow_spoils(rng):
    # Random walks at gamma 0.01: R / gamma is far beyond the double range.
    x = np.cumsum(rng.normal(size=(60, 1)), axis=0)
    y = np.cumsum(rng.normal(size=(50, 1)), axis=0)
    lo, hi = _kernels._band_bounds(60, 50, -1.0)
    exact, *_ = _kernels._scaled_value_grads(
        x, y, lo, hi, 0.01, True, False, np.empty((0, 0))
    )
    values, flags = np.empty(1), np.ones(1, dtype=bool)
    lanes = y[:, :, None].copy()
    no_bounds = np.zeros((61, 1))  # the pass must flag it without stopping early
    _kernels._lanes_value_grads_scaled(
        x, lanes, lo, hi, 0.01, no_bounds, values, flags, np.empty((60, 1, 1))
    )
    assert not exact and not flags[0]
    # The public path then takes the log domain, exact to Algorithm 1.
    value, _, _ = _kernels._value_grads(x, y, lo, hi, 0.01, True, False)
    assert value == pytest.approx(dp_soft_dtw(sq_cost(x, y), 0.01), rel=1e-12)
