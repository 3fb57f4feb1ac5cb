"""Kernel internals: the hand-written exp and log against numpy's, the strip
layout, and the lanes of pairs (forward and backward) against the paper's
Algorithms 1 and 2 written cell by cell.

Sizes stay small: ``make coverage`` runs this module with the JIT off."""

import numpy as np
import pytest
from numba import njit
from numba.core import config

from softdtw_learn import _dispatch, _kernels

from ._naive import band_mask, brute_alignment, dp_soft_dtw, sq_cost, window_mask

L = _kernels._LANES


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
    size = 2_000 if config.DISABLE_JIT else 200_000
    x = np.concatenate(
        [-rng.exponential(5.0, size), -rng.uniform(0, 708, size), [0.0, -1e-300]]
    )
    assert _ulps(_apply_exp(x), np.exp(x)).max() <= 2.0


def test_exp_edges():
    got = _apply_exp(np.array([0.0, -np.inf, -746.0, -708.5, -708.0, -700.0]))
    assert got[0] == 1.0 and got[1] == 0.0 and got[2] == 0.0 and got[3] == 0.0
    assert _ulps(got[4:], np.exp([-708.0, -700.0])).max() <= 2
    assert _apply_exp(np.array([np.nan]))[0] == 0.0  # inf - inf: weighs nothing


def test_log_is_within_one_ulp_on_one_to_three(rng):
    size = 3_000 if config.DISABLE_JIT else 300_000
    y = np.concatenate([1.0 + rng.uniform(0, 2, size), [np.sqrt(2), 2 * np.sqrt(2)]])
    y = np.append(y[y > 1.0], 3.0)
    assert _ulps(_apply_log(y), np.log(y)).max() <= 1.0
    assert _apply_log(np.array([1.0]))[0] == 0.0


def test_strips_store_only_the_band():
    # 512 x 512 with a band of half-width 5: 16 strips of 32 rows, each
    # storing at most the band's width, plus 31 steps of drift along the
    # diagonal, 31 of skew and 5 of margin.
    n, S = 512, _kernels._STRIP_ROWS
    lo, hi = _kernels._band_bounds(n, n, 5.0)
    start, offset = _kernels._strip_layout(lo, hi)
    assert len(start) == n // S
    widest = int((hi - lo).max()) + 1
    bound = len(start) * (widest + 2 * S + 4) * _kernels._WIDTH
    assert offset[-1] <= bound < 0.2 * n * n
    full_lo, full_hi = _kernels._band_bounds(n, n, -1.0)
    _, full_offset = _kernels._strip_layout(full_lo, full_hi)
    assert full_offset[-1] == len(start) * (n + S + 3) * _kernels._WIDTH


def test_kept_and_rolling_strips_agree(rng):
    # The value-only pass (two strips) and the kept one give the same R[n, m],
    # from the series and from a given cost matrix.
    x, y = rng.normal(size=(101, 2)), rng.normal(size=(21, 2))
    cost = sq_cost(x, y)
    no_series, no_cost = np.empty((0, 1)), np.empty((0, 0))
    for w in (-1.0, 4.0):
        kept, kept_plan = _kernels._strip_forward(x, y, no_cost, 0.3, w, 0.0, True)
        rolling, plan = _kernels._strip_forward(x, y, no_cost, 0.3, w, 0.0, False)
        assert len(plan[2]) < len(kept_plan[2]) == kept_plan[4][-1]
        assert kept == rolling
        from_cost = _kernels._strip_forward(
            no_series, no_series, cost, 0.3, w, 0.0, True
        )[0]
        assert from_cost == pytest.approx(kept, rel=1e-14)


def _reference(x, y, gamma, window=-1.0):
    cost = sq_cost(x, y)
    if window >= 0:
        cost[~band_mask(len(x), len(y), window)] = np.inf
    return dp_soft_dtw(cost, gamma)


def _band(n, m, window):
    """The lanes' band of a block of one shape ``n x m`` (window in cells)."""
    lengths = (np.full(L, n, dtype=np.int64), np.full(L, m, dtype=np.int64))
    return _kernels._lanes_band(*lengths, window, 0.0)


def _lanes(pairs):
    """Lay out up to ``L`` pairs of one shape as lanes (spares repeat the last)."""
    pairs = list(pairs) + [pairs[-1]] * (L - len(pairs))
    x_lanes = np.ascontiguousarray(np.stack([p[0] for p in pairs], axis=2))
    y_lanes = np.ascontiguousarray(np.stack([p[1] for p in pairs], axis=2))
    return x_lanes, y_lanes


@pytest.mark.parametrize("gamma", [0.0, 0.01, 1.0, 30.0])
@pytest.mark.parametrize("window", [-1.0, 2.0])
def test_lanes_forward_is_algorithm_1(rng, gamma, window):
    # Lanes of different data and scales, two channels; at gamma 0.01 the
    # costs reach thousands of gamma (the log domain has no range limit).
    pairs = [
        (rng.normal(size=(9, 2)) * s, rng.normal(size=(7, 2)) * s)
        for s in (0.1, 1.0, 3.0, 10.0, 1.0)
    ]
    x_lanes, y_lanes = _lanes(pairs)
    band = _band(9, 7, window)
    weights = _kernels._lanes_table(_kernels._row_offsets(band[0], band[1])[-1])
    values = _kernels._lanes_forward(x_lanes, y_lanes, band, gamma, weights)
    expected = [_reference(x, y, gamma, window) for x, y in pairs]
    np.testing.assert_allclose(values[: len(pairs)], expected, rtol=1e-13, atol=1e-13)
    if gamma > 0:
        # The corner's and the top's weights: part of a distribution (the
        # side's, not kept, is the rest).
        assert weights.min() >= 0.0 and weights.sum(axis=1).max() <= 1.0 + 1e-15
    rolling = _kernels._lanes_forward(x_lanes, y_lanes, band, gamma, None)
    np.testing.assert_array_equal(rolling, values)


@pytest.mark.parametrize("window", [-1.0, 1.0])
def test_lanes_backward_is_algorithm_2(rng, window):
    gamma = 0.5
    pairs = [(rng.normal(size=(5, 2)), rng.normal(size=(4, 2)) * s) for s in (1, 3)]
    x_lanes, y_lanes = _lanes(pairs)
    band = _band(5, 4, window)
    table = _kernels._lanes_table(_kernels._row_offsets(band[0], band[1])[-1])
    _kernels._lanes_forward(x_lanes, y_lanes, band, gamma, table)
    grad_x, grad_y = np.empty((5, 2, L)), np.empty((4, 2, L))
    _kernels._lanes_backward(x_lanes, y_lanes, band, table, grad_x, grad_y)
    for lane, (x, y) in enumerate(pairs):
        mask = None if window < 0 else band_mask(5, 4, window)
        E = brute_alignment(sq_cost(x, y), gamma, mask)
        expected_x = 2 * (E.sum(axis=1)[:, None] * x - E @ y)
        expected_y = 2 * (E.sum(axis=0)[:, None] * y - E.T @ x)
        np.testing.assert_allclose(grad_x[:, :, lane], expected_x, atol=1e-12)
        np.testing.assert_allclose(grad_y[:, :, lane], expected_y, atol=1e-12)
    # Either gradient alone: the other array has no rows and is left alone.
    only_x = np.empty((5, 2, L))
    _kernels._lanes_backward(x_lanes, y_lanes, band, table, only_x, np.empty((0, 2, L)))
    np.testing.assert_array_equal(only_x, grad_x)
    only_y = np.empty((4, 2, L))
    _kernels._lanes_backward(x_lanes, y_lanes, band, table, np.empty((0, 2, L)), only_y)
    np.testing.assert_array_equal(only_y, grad_y)


def test_a_lane_does_not_depend_on_its_neighbours(rng):
    # A pair gives the same bits alone, among others, at any lane: what makes
    # the divergence of identical series exactly 0 and the Dask blocks agree.
    pairs = [(rng.normal(size=(8, 1)), rng.normal(size=(6, 1))) for _ in range(L)]
    band = _band(8, 6, -1.0)
    together = _kernels._lanes_forward(*_lanes(pairs), band, 0.5, None)
    for lane in (0, 5, L - 1):
        alone = _kernels._lanes_forward(*_lanes([pairs[lane]]), band, 0.5, None)
        assert alone[0] == together[lane]
        shifted = pairs[lane:] + pairs[:lane]
        moved = _kernels._lanes_forward(*_lanes(shifted), band, 0.5, None)
        assert moved[0] == together[lane]


def test_large_pairs_with_gradients_take_the_strips(rng, monkeypatch):
    # Kept lanes tables are capped: pairs above the cap run one by one on the
    # strips, the others in lanes, and each result lands in its pair's row.
    from softdtw_learn.metrics import paired_soft_dtw_terms

    monkeypatch.setattr(_kernels, "_MAX_LANE_TABLE", 30 * L)
    X = [rng.normal(size=n) for n in (4, 9, 5, 12, 6)]
    Y = [rng.normal(size=m) for m in (5, 8, 4, 10, 6)]
    large = [
        n * m > 30 for n, m in zip((4, 9, 5, 12, 6), (5, 8, 4, 10, 6), strict=True)
    ]
    assert any(large) and not all(large)
    values, grad_x, grad_y = paired_soft_dtw_terms(
        X, Y, gamma=1.0, window=None, divergence=False, grad_x=True, grad_y=True
    )
    for s, (x, y) in enumerate(zip(X, Y, strict=True)):
        value, gx, gy = _dispatch.pair_value_grads(
            x[:, None], y[:, None], 1.0, -1.0, 0.0, True, True
        )
        gx, gy = gx[:, 0], gy[:, 0]
        got_x, got_y = grad_x[s, : len(x), 0], grad_y[s, : len(y), 0]
        if large[s]:  # the strips themselves: the same bits
            assert values[s] == value
            np.testing.assert_array_equal(got_x, gx)
            np.testing.assert_array_equal(got_y, gy)
        else:
            assert values[s] == pytest.approx(value, rel=1e-13)
            np.testing.assert_allclose(got_x, gx, rtol=1e-12, atol=1e-13)
            np.testing.assert_allclose(got_y, gy, rtol=1e-12, atol=1e-13)


def test_bits_as_float():
    assert _apply_exp(np.array([-np.log(2.0)]))[0] == pytest.approx(0.5, rel=1e-16)
    if config.DISABLE_JIT:
        assert _kernels._int_bits_as_float(1023 << 52) == 1.0


def test_length_chunks_cut_runs_of_one_length(rng):
    for _ in range(300):
        n = int(rng.integers(0, 60))
        lengths = rng.integers(1, 5, size=n) * rng.choice([1, 1000])
        size = int(rng.integers(1, 20))
        order, starts = _dispatch.length_chunks(lengths, size)
        np.testing.assert_array_equal(order, np.argsort(lengths, kind="stable"))
        assert starts[0] == 0 and starts[-1] == n
        chunks = [
            lengths[order[a:b]] for a, b in zip(starts[:-1], starts[1:], strict=True)
        ]
        assert all(1 <= len(c) <= size and (c == c[0]).all() for c in chunks if n)
        # Maximal: a chunk is cut short only where the length changes.
        for c, d in zip(chunks[:-1], chunks[1:], strict=True):
            assert len(c) == size or c[0] != d[0]


def _paired(X, Y, gamma, window, grads):
    from softdtw_learn.metrics import paired_soft_dtw_terms

    return paired_soft_dtw_terms(
        X, Y, gamma=gamma, window=window, divergence=False, grad_x=grads, grad_y=grads
    )


@pytest.mark.parametrize("window", [None, 2, 0.3])
@pytest.mark.parametrize("gamma", [0.0, 0.01, 1.0])
def test_pairs_of_other_shapes_in_a_block_change_no_bit(rng, window, gamma):
    # A block holds pairs of several shapes on the grid of the largest; each
    # pair's value and gradients keep the bits it gets alone (one shape).
    n_pairs = 2 * L + 3
    scales = (0.01, 1.0, 30.0)
    X = [
        rng.normal(size=(int(rng.integers(2, 14)), 2)) * scales[s % 3]
        for s in range(n_pairs)
    ]
    Y = [rng.normal(size=(int(rng.integers(2, 14)), 2)) for _ in range(n_pairs)]
    X[3] = np.repeat(X[3][:1], 5, axis=0)  # a plateau: tied paths
    grads = gamma > 0
    values, grad_x, grad_y = _paired(X, Y, gamma, window, grads)
    for s, (x, y) in enumerate(zip(X, Y, strict=True)):
        alone = _paired([x], [y], gamma, window, grads)
        assert values[s] == alone[0][0]
        if grads:
            np.testing.assert_array_equal(grad_x[s, : len(x)], alone[1][0])
            np.testing.assert_array_equal(grad_y[s, : len(y)], alone[2][0])
            assert not grad_x[s, len(x) :].any() and not grad_y[s, len(y) :].any()
        cost = sq_cost(x, y)
        if window is not None:
            cost[~window_mask(len(x), len(y), window)] = np.inf
        assert values[s] == pytest.approx(
            dp_soft_dtw(cost, gamma), rel=1e-12, abs=1e-12
        )


@pytest.mark.parametrize("window", [None, 3])
def test_pairwise_over_distinct_lengths_keeps_every_bit(rng, window):
    # Every series of its own length: the tasks mix shapes. Values equal the
    # pair computed alone, the matrix is symmetric and the divergence of a
    # series with its copy is exactly 0.
    from softdtw_learn.metrics import pairwise_soft_dtw

    X = [rng.normal(size=n) for n in rng.permutation(np.arange(3, 3 + 2 * L))]
    full = pairwise_soft_dtw(X, gamma=0.1, window=window)
    np.testing.assert_array_equal(full, full.T)
    for a, b in [(0, 1), (5, 17), (31, 2), (9, 9)]:
        pair = pairwise_soft_dtw([X[a]], [X[b]], gamma=0.1, window=window)[0, 0]
        assert full[a, b] == pair or full[b, a] == pair
    copies = [x.copy() for x in X[::-1]]
    D = pairwise_soft_dtw(X, copies, gamma=0.1, window=window, divergence=True)
    np.testing.assert_array_equal(np.diag(D[:, ::-1]), 0.0)


def test_mixed_tasks_past_the_table_cap_are_cut_by_shape(rng, monkeypatch):
    # (5, 6) and (6, 5) fit the cap alone, their 6 x 6 grid does not.
    monkeypatch.setattr(_kernels, "_MAX_LANE_TABLE", 30 * L)
    x_len = np.array([5, 6, 5, 6, 4])
    y_len = np.array([6, 5, 6, 5, 4])
    pairs = np.stack([np.arange(5), np.arange(5)], axis=1)
    ordered, starts, _ = _dispatch._pair_tasks(x_len, y_len, pairs, True)
    for a, b in zip(starts[:-1], starts[1:], strict=True):
        n, m = x_len[ordered[a:b, 0]], y_len[ordered[a:b, 1]]
        assert n.max() * m.max() * L <= 30 * L
    assert sorted(ordered[:, 0].tolist()) == list(range(5))
    ordered, starts, _ = _dispatch._pair_tasks(x_len, y_len, pairs, False)
    assert starts.tolist() == [0, 5]  # values keep no table: one task
    X = [rng.normal(size=n) for n in x_len]
    Y = [rng.normal(size=m) for m in y_len]
    values, grad_x, _ = _paired(X, Y, 1.0, None, True)
    for s, (x, y) in enumerate(zip(X, Y, strict=True)):
        alone = _paired([x], [y], 1.0, None, True)
        assert values[s] == alone[0][0]
        np.testing.assert_array_equal(grad_x[s, : len(x)], alone[1][0])


@pytest.mark.parametrize("side", ["x", "y"])
def test_divergence_of_copies_is_zero_with_one_gradient(rng, side):
    # The cross term takes the pass that keeps weights, which may round a
    # value an ulp off the value-only pass: the self terms take it too.
    X = [np.array([2.0, 1.0, 1.0, 0.0, 2.0, 3.0])]
    X += [rng.normal(size=int(rng.integers(2, 30))).cumsum() for _ in range(40)]
    values = _paired_divergence(X, side)
    np.testing.assert_array_equal(values, 0.0)


def _paired_divergence(X, side):
    from softdtw_learn.metrics import paired_soft_dtw_terms

    copies = [x.copy() for x in X]
    grads = {"grad_x": side == "x", "grad_y": side == "y"}
    return paired_soft_dtw_terms(
        X, copies, gamma=3.0, window=None, divergence=True, **grads
    )[0]


def test_listed_pairs_are_grouped_by_both_lengths(rng):
    # Tasks of 16 pairs along a Hilbert curve over (n, m): close in both
    # lengths, so a block's grid is mostly its pairs' own cells.
    n, m = rng.integers(1, 200, 4000), rng.integers(1, 200, 4000)
    pairs = np.stack([np.arange(4000), np.arange(4000)], axis=1)
    ordered, starts, _ = _dispatch._pair_tasks(n, m, pairs, False)
    rows, cols = n[ordered[:, 0]], m[ordered[:, 1]]
    useful = grid = 0
    for a, b in zip(starts[:-1], starts[1:], strict=True):
        useful += (rows[a:b] * cols[a:b]).sum()
        grid += rows[a:b].max() * cols[a:b].max() * (b - a)
    assert useful / grid > 0.85  # sorted by n, then m: 0.54
    assert sorted(ordered[:, 0].tolist()) == list(range(4000))


# Two z-normalised series 0.34 apart at gamma 1: soft-DTW divergence -0.0027
# (the squared Euclidean cost is no positive definite kernel).
# fmt: off
X_NEG = np.array(
    [
        0.47, 0.82, 0.12, 0.61, 0.31, -0.8, -1.25, -0.83, -0.6, -1.4, -0.97, -1.03,
        -0.73, -0.5, -1.31, -1.06, -1.49, -0.41, 0.1, 0.13, -0.56, -0.52, -0.41, -1.25,
        0.31, 0.58, 1.77, 0.99, 2.13, 1.18, 0.72, 1.1, 1.14, -0.51, -1.29, -0.7, 0.76,
        1.4, 1.21, 1.77,
    ]
)
Y_NEG = np.array(
    [
        0.46, 0.85, 0.11, 0.57, 0.41, -0.67, -1.32, -0.81, -0.64, -1.4, -0.91, -1.12,
        -0.69, -0.52, -1.31, -0.98, -1.6, -0.6, 0.12, 0.12, -0.47, -0.55, -0.4, -1.25,
        0.3, 0.58, 1.77, 0.98, 2.13, 1.18, 0.72, 1.1, 1.14, -0.51, -1.29, -0.71, 0.75,
        1.4, 1.21, 1.77,
    ]
)
# fmt: on


def test_a_divergence_returned_as_zero_has_a_zero_gradient():
    from softdtw_learn.metrics import paired_soft_dtw_terms, soft_dtw

    raw = soft_dtw(X_NEG, Y_NEG, gamma=1.0) - 0.5 * (
        soft_dtw(X_NEG, X_NEG, gamma=1.0) + soft_dtw(Y_NEG, Y_NEG, gamma=1.0)
    )
    assert raw < -1e-3
    values, grad_x, grad_y = paired_soft_dtw_terms(
        [X_NEG],
        [Y_NEG],
        gamma=1.0,
        window=None,
        divergence=True,
        grad_x=True,
        grad_y=True,
    )
    assert values[0] == 0.0
    assert not grad_x.any() and not grad_y.any()  # the gradient of max(D, 0)
