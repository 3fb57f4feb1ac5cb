import itertools
import math
import multiprocessing
import warnings

import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numba.core import config as numba_config

from softdtw_learn import _dispatch, _kernels
from softdtw_learn.metrics import (
    dtw,
    paired_soft_dtw,
    paired_soft_dtw_terms,
    pairwise_soft_dtw,
    pairwise_soft_dtw_chunked,
    soft_dtw,
    soft_dtw_alignment,
    soft_dtw_divergence,
    soft_dtw_from_cost,
    soft_dtw_grad,
)

from ._naive import (
    alignment_paths,
    band_mask,
    brute_alignment,
    brute_soft_dtw,
    dp_soft_dtw,
    sq_cost,
)

GAMMAS = [1e-3, 1e-2, 0.1, 1.0, 10.0, 100.0, 1000.0]
SHAPES = [(1, 1), (1, 5), (4, 4), (5, 3), (2, 6), (6, 6)]

# Compiled kernels raise no floating-point errors; with the JIT off
# (``make coverage``) they run as Python on numpy scalars, which would.
_FP_ERRORS = "ignore" if numba_config.DISABLE_JIT else "raise"


def _pair(rng, n, m, d):
    shape_x, shape_y = ((n,), (m,)) if d == 1 else ((n, d), (m, d))
    return rng.normal(size=shape_x), rng.normal(size=shape_y)


# --------------------------------------------------------------- values


@pytest.mark.parametrize("gamma", GAMMAS)
@pytest.mark.parametrize("d", [1, 3])
@pytest.mark.parametrize(("n", "m"), SHAPES)
def test_value_matches_path_enumeration(rng, gamma, d, n, m):
    x, y = _pair(rng, n, m, d)
    expected = brute_soft_dtw(sq_cost(x, y), gamma)
    assert soft_dtw(x, y, gamma=gamma) == pytest.approx(expected, rel=1e-10)
    assert soft_dtw(y, x, gamma=gamma) == pytest.approx(expected, rel=1e-10)
    value, _ = soft_dtw_alignment(x, y, gamma=gamma)
    assert value == pytest.approx(expected, rel=1e-10)
    assert soft_dtw_from_cost(sq_cost(x, y), gamma=gamma) == pytest.approx(
        expected, rel=1e-10
    )


@pytest.mark.parametrize("gamma", [0.0, 0.5])
def test_value_matches_plain_dp_on_longer_series(rng, gamma):
    x, y = rng.normal(size=(23, 2)), rng.normal(size=(17, 2))
    expected = dp_soft_dtw(sq_cost(x, y), gamma)
    assert soft_dtw(x, y, gamma=gamma) == pytest.approx(expected, rel=1e-12)
    assert soft_dtw_from_cost(sq_cost(x, y), gamma=gamma) == pytest.approx(
        expected, rel=1e-12
    )


def test_path_enumeration_counts_delannoy_numbers():
    # Sanity check of the reference itself: D(2, 2) = 13, D(5, 5) = 1683.
    assert len(alignment_paths(3, 3)) == 13
    assert len(alignment_paths(6, 6)) == 1683


@pytest.mark.parametrize("gamma", [1e-2, 1.0, 10.0])
@pytest.mark.parametrize(("n", "m"), [(4, 4), (5, 3), (2, 6), (6, 6)])
def test_alignment_matches_path_enumeration(rng, gamma, n, m):
    x, y = _pair(rng, n, m, 2)
    _, E = soft_dtw_alignment(x, y, gamma=gamma)
    np.testing.assert_allclose(E, brute_alignment(sq_cost(x, y), gamma), atol=1e-12)


@pytest.mark.parametrize("gamma", [0.05, 1.0, 10.0])
def test_alignment_matches_finite_differences(rng, gamma):
    C = rng.uniform(0, 3, size=(5, 7))
    _, E = soft_dtw_from_cost(C, gamma=gamma, return_alignment=True)
    step = 1e-6
    fd = np.zeros_like(C)
    for i, j in itertools.product(range(5), range(7)):
        up, down = C.copy(), C.copy()
        up[i, j] += step
        down[i, j] -= step
        fd[i, j] = (
            soft_dtw_from_cost(up, gamma=gamma) - soft_dtw_from_cost(down, gamma=gamma)
        ) / (2 * step)
    np.testing.assert_allclose(E, fd, atol=1e-7)


@pytest.mark.parametrize("d", [1, 3])
@pytest.mark.parametrize("gamma", [0.05, 1.0, 10.0])
@pytest.mark.parametrize("window", [None, 2])
def test_gradient_matches_finite_differences(rng, d, gamma, window):
    x, y = _pair(rng, 9, 6, d)
    _, grad = soft_dtw_grad(x, y, gamma=gamma, window=window)
    assert grad.shape == x.shape
    step = 1e-6
    fd = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[idx] += step
        down[idx] -= step
        fd[idx] = (
            soft_dtw(up, y, gamma=gamma, window=window)
            - soft_dtw(down, y, gamma=gamma, window=window)
        ) / (2 * step)
    np.testing.assert_allclose(grad, fd, atol=1e-6)


def test_gradient_is_zero_on_padding_rows(rng):
    x, y = rng.normal(size=6), rng.normal(size=4)
    padded = np.concatenate([x, [np.nan, np.nan]])
    value, grad = soft_dtw_grad(padded, y, gamma=0.3)
    expected_value, expected_grad = soft_dtw_grad(x, y, gamma=0.3)
    assert value == expected_value
    np.testing.assert_array_equal(grad[:6], expected_grad)
    np.testing.assert_array_equal(grad[6:], 0.0)


# ------------------------------------------------------------ exact DTW


@pytest.mark.parametrize(("n", "m"), SHAPES)
@pytest.mark.parametrize("d", [1, 3])
def test_dtw_matches_enumeration_and_path_is_optimal(rng, n, m, d):
    x, y = _pair(rng, n, m, d)
    C = sq_cost(x, y)
    expected = brute_soft_dtw(C, 0.0)
    value, path = dtw(x, y, return_path=True)
    assert value == pytest.approx(expected, rel=1e-12)
    assert soft_dtw(x, y, gamma=0.0) == value
    assert tuple(path[0]) == (0, 0) and tuple(path[-1]) == (n - 1, m - 1)
    steps = {tuple(s) for s in np.diff(path, axis=0)}
    assert steps <= {(1, 0), (0, 1), (1, 1)}
    assert C[path[:, 0], path[:, 1]].sum() == pytest.approx(expected, rel=1e-12)


def test_dtw_of_known_pair():
    # Path (0,0) (1,0) (2,1): costs 0 + 1 + 0.
    assert dtw([0.0, 1.0, 2.0], [0.0, 2.0]) == 1.0


# ----------------------------------------------------------------- band


@pytest.mark.parametrize(("n", "m"), [(6, 6), (6, 4), (3, 6), (5, 5), (1, 4)])
@pytest.mark.parametrize("cells", [0, 1, 2])
@pytest.mark.parametrize("gamma", [0.0, 0.1, 10.0])
def test_band_matches_enumeration_over_band_paths(rng, n, m, cells, gamma):
    x, y = _pair(rng, n, m, 2)
    C, mask = sq_cost(x, y), band_mask(n, m, cells)
    expected = brute_soft_dtw(C, gamma, mask)
    assert soft_dtw(x, y, gamma=gamma, window=cells) == pytest.approx(
        expected, rel=1e-10
    )
    assert soft_dtw_from_cost(C, gamma=gamma, window=cells) == pytest.approx(
        expected, rel=1e-10
    )
    if gamma > 0:
        _, E = soft_dtw_alignment(x, y, gamma=gamma, window=cells)
        np.testing.assert_allclose(E, brute_alignment(C, gamma, mask), atol=1e-12)
        assert not E[~mask].any()


@pytest.mark.parametrize(("n", "m"), list(itertools.product(range(1, 13), repeat=2)))
def test_band_rows_match_definition_and_stay_connected(n, m):
    for cells in (0, 1, 3):
        lo, hi = _kernels._band_bounds(n, m, float(cells))
        mask = band_mask(n, m, cells)
        for i in range(n):
            assert np.flatnonzero(mask[i]).tolist() == list(range(lo[i], hi[i] + 1))
        # Connected: each row starts at most one column after the previous ends.
        assert lo[0] == 0 and hi[-1] == m - 1
        assert np.all(lo[1:] <= hi[:-1] + 1) and np.all(np.diff(lo) >= 0)


def test_band_visits_only_band_cells(rng):
    # A cost matrix with NaN outside the band: any visit would poison R.
    n, m, cells = 40, 25, 2
    mask = band_mask(n, m, cells)
    C = np.where(mask, rng.uniform(size=(n, m)), np.nan)
    value, alignment = _dispatch.cost_value(C, 0.5, float(cells), 0.0, True)
    assert np.isfinite(value)
    assert np.isfinite(alignment).all() and np.all(alignment[~mask] == 0.0)


def test_zero_window_on_equal_lengths_is_euclidean(rng):
    x, y = rng.normal(size=(10, 2)), rng.normal(size=(10, 2))
    expected = ((x - y) ** 2).sum()
    assert soft_dtw(x, y, gamma=1.0, window=0) == pytest.approx(expected, rel=1e-12)


# ------------------------------------------------------------- pairwise


def _loop(X, Y, **kwargs):
    divergence = kwargs.pop("divergence", False)
    metric = soft_dtw_divergence if divergence else soft_dtw
    return np.array([[metric(x, y, **kwargs) for y in Y] for x in X])


@pytest.mark.parametrize("divergence", [False, True])
@pytest.mark.parametrize("window", [None, 2, 0.3])
def test_pairwise_equals_loop_with_unequal_lengths(rng, divergence, window):
    X = [rng.normal(size=(k, 2)) for k in (5, 9, 7, 12, 3)]
    Y = [rng.normal(size=(k, 2)) for k in (8, 4, 10)]
    kwargs = {"gamma": 0.7, "window": window, "divergence": divergence}
    both = pairwise_soft_dtw(X, **kwargs)
    np.testing.assert_allclose(both, _loop(X, X, **kwargs), rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(both, both.T)
    cross = pairwise_soft_dtw(X, Y, n_jobs=2, **kwargs)
    np.testing.assert_allclose(cross, _loop(X, Y, **kwargs), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("divergence", [False, True])
@pytest.mark.parametrize("gamma", [0.0, 0.05, 1.0])
def test_paired_matches_path_enumeration(rng, divergence, gamma):
    X = [rng.normal(size=(k, 2)) for k in (4, 1, 5, 3)]
    Y = [rng.normal(size=(k, 2)) for k in (3, 4, 5, 1)]
    expected = []
    for x, y in zip(X, Y, strict=True):
        value = brute_soft_dtw(sq_cost(x, y), gamma)
        if divergence:
            value -= 0.5 * (
                brute_soft_dtw(sq_cost(x, x), gamma)
                + brute_soft_dtw(sq_cost(y, y), gamma)
            )
        expected.append(value)
    got = paired_soft_dtw(X, Y, gamma=gamma, divergence=divergence, n_jobs=2)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("gamma", [0.05, 1.0])
def test_paired_gradients_match_enumerated_alignments(rng, gamma):
    X = [rng.normal(size=(k, 3)) for k in (4, 2, 5)]
    Y = [rng.normal(size=(k, 3)) for k in (5, 4, 1)]
    _, grad_x, grad_y = paired_soft_dtw_terms(
        X, Y, gamma=gamma, window=None, divergence=False, grad_x=True, grad_y=True
    )
    for s, (x, y) in enumerate(zip(X, Y, strict=True)):
        E = brute_alignment(sq_cost(x, y), gamma)
        want_x = 2 * (E.sum(axis=1)[:, None] * x - E @ y)
        want_y = 2 * (E.sum(axis=0)[:, None] * y - E.T @ x)
        np.testing.assert_allclose(grad_x[s, : len(x)], want_x, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(grad_y[s, : len(y)], want_y, rtol=1e-10, atol=1e-12)
        assert not grad_x[s, len(x) :].any() and not grad_y[s, len(y) :].any()


@pytest.mark.parametrize("divergence", [False, True])
@pytest.mark.parametrize("window", [None, 1])
def test_paired_gradients_match_finite_differences(rng, divergence, window):
    X = rng.normal(size=(3, 6, 2))
    Y = rng.normal(size=(3, 5, 2))
    kwargs = {"gamma": 0.3, "window": window, "divergence": divergence}
    _, grad_x, grad_y = paired_soft_dtw_terms(X, Y, grad_x=True, grad_y=True, **kwargs)
    eps = 1e-6
    for data, grad, first in ((X, grad_x, True), (Y, grad_y, False)):
        numeric = np.zeros_like(data)
        for idx in np.ndindex(data.shape):
            up, down = data.copy(), data.copy()
            up[idx] += eps
            down[idx] -= eps
            pairs_up = (up, Y) if first else (X, up)
            pairs_down = (down, Y) if first else (X, down)
            delta = paired_soft_dtw(*pairs_up, **kwargs) - paired_soft_dtw(
                *pairs_down, **kwargs
            )
            numeric[idx] = delta[idx[0]] / (2 * eps)
        np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-6)


def test_paired_errors_name_the_mismatch(rng):
    with pytest.raises(ValueError, match="2 series and Y has 3"):
        paired_soft_dtw(rng.normal(size=(2, 4)), rng.normal(size=(3, 4)))
    with pytest.raises(ValueError, match="channels"):
        paired_soft_dtw(rng.normal(size=(2, 4, 2)), rng.normal(size=(2, 4, 3)))
    with pytest.raises(ValueError, match="gamma"):
        paired_soft_dtw_terms(
            rng.normal(size=(2, 4)),
            rng.normal(size=(2, 4)),
            gamma=0.0,
            window=None,
            divergence=False,
            grad_x=True,
        )


@pytest.mark.parametrize("divergence", [False, True])
@pytest.mark.parametrize("other", [False, True])
def test_chunked_blocks_make_up_the_pairwise_matrix(rng, divergence, other):
    X = [rng.normal(size=(k, 2)) for k in (5, 9, 7, 12, 3, 6, 8)]
    Y = [rng.normal(size=(k, 2)) for k in (8, 4, 10)] if other else None
    kwargs = {"gamma": 0.4, "window": 0.5, "divergence": divergence}
    n_y = 3 if other else 7
    starts = []

    def keep(block, start):
        starts.append(start)
        return block

    blocks = list(
        pairwise_soft_dtw_chunked(
            X, Y, working_memory=2.5 * 8 * n_y / 2**20, reduce_func=keep, **kwargs
        )
    )
    assert [len(b) for b in blocks] == [2, 2, 2, 1] and starts == [0, 2, 4, 6]
    np.testing.assert_allclose(
        np.concatenate(blocks),
        pairwise_soft_dtw(X, Y, **kwargs),
        rtol=1e-12,
        atol=1e-12,
    )


def test_chunked_reduces_and_validates(rng):
    X = rng.normal(size=(6, 10))
    sums = pairwise_soft_dtw_chunked(
        X, reduce_func=lambda block, start: block.sum(axis=1), working_memory=1e-4
    )
    np.testing.assert_allclose(
        np.concatenate(list(sums)), pairwise_soft_dtw(X).sum(axis=1), rtol=1e-12
    )
    for bad in (0, -1.0, "big"):
        with pytest.raises(ValueError, match="working_memory"):
            pairwise_soft_dtw_chunked(X, working_memory=bad)  # at the call
    (whole,) = pairwise_soft_dtw_chunked(X, working_memory=1e303)
    np.testing.assert_array_equal(whole, pairwise_soft_dtw(X))


@pytest.mark.parametrize(
    ("reduce_func", "error", "message"),
    [
        (lambda block, start: 3.0, ValueError, r"returned float \(no length\)"),
        (lambda block, start: block[:1], ValueError, r"shape \(1, 6\).*row.*\(3\)"),
        (lambda b, s: (b, b[:2]), ValueError, r"shape \(2, 6\)"),
        (5, TypeError, "reduce_func must be a callable or None, got 5"),
    ],
)
def test_chunked_checks_what_reduce_func_returns(rng, reduce_func, error, message):
    X = rng.normal(size=(6, 10))
    with pytest.raises(error, match=message):
        list(
            pairwise_soft_dtw_chunked(X, reduce_func=reduce_func, working_memory=1.4e-4)
        )


def test_chunked_yields_none_and_tuples_from_reduce_func(rng):
    X = rng.normal(size=(6, 10))
    seen = []
    blocks = pairwise_soft_dtw_chunked(
        X, reduce_func=lambda b, start: seen.append(start), working_memory=1.4e-4
    )
    assert list(blocks) == [None, None]
    assert seen == [0, 3]
    pairs = pairwise_soft_dtw_chunked(
        X, reduce_func=lambda b, start: (b.min(1), b.argmin(1)), working_memory=1.4e-4
    )
    assert [len(p[1]) for p in pairs] == [3, 3]


def test_pairwise_checks_divergence_before_computing(monkeypatch):
    def computed(*args):
        raise AssertionError("the matrix was computed before the check")

    monkeypatch.setattr(_dispatch, "pairwise_values", computed)
    with pytest.raises(ValueError, match="divergence must be"):
        pairwise_soft_dtw(np.zeros((3, 4)), divergence="yes")


@pytest.mark.parametrize(
    ("X", "message"),
    [
        ((row for row in np.zeros((2, 3))), "X is a generator, not an array"),
        ({"a": [1.0]}, "X is a dict, not an array"),
    ],
)
def test_containers_that_are_not_datasets_are_named(X, message):
    with pytest.raises(ValueError, match=message):
        pairwise_soft_dtw(X)


def test_paired_without_y_says_y_is_required():
    with pytest.raises(ValueError, match="Y is required"):
        paired_soft_dtw(np.zeros((2, 3)), None)


def test_nullable_pandas_frames_pad_with_na():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame([[1.0, 2.0, 3.0], [2.0, 0.5, pd.NA]], dtype="Float64")
    plain = np.array([[1.0, 2.0, 3.0], [2.0, 0.5, np.nan]])
    np.testing.assert_array_equal(pairwise_soft_dtw(frame), pairwise_soft_dtw(plain))


def test_pairwise_accepts_padded_arrays_and_odd_sizes(rng):
    for n_series in (1, 2, 3, 6):
        X = np.full((n_series, 9), np.nan)
        for k in range(n_series):
            X[k, : 4 + k] = rng.normal(size=4 + k)
        expected = _loop(
            [row[~np.isnan(row)] for row in X], [row for row in X], gamma=0.2
        )
        # soft-DTW(x, x) can be ~1e-6: near 0 the rounding error is absolute.
        np.testing.assert_allclose(
            pairwise_soft_dtw(X, gamma=0.2, n_jobs=-1),
            expected,
            rtol=1e-12,
            atol=1e-12,
        )


def test_pairwise_divergence_diagonal_is_zero(rng):
    X = rng.normal(size=(6, 11, 3))
    D = pairwise_soft_dtw(X, gamma=1.0, divergence=True)
    np.testing.assert_array_equal(np.diag(D), 0.0)
    assert (D >= 0).all()


def test_pairwise_restores_numba_threads(rng):
    before = numba.get_num_threads()
    pairwise_soft_dtw(rng.normal(size=(4, 6)), n_jobs=-1)
    assert numba.get_num_threads() == before


# ------------------------------------------------------------ properties

finite = st.floats(-10, 10, allow_nan=False, allow_infinity=False)


@st.composite
def series_pairs(draw, max_len=8):
    d = draw(st.integers(1, 2))
    n, m = draw(st.integers(1, max_len)), draw(st.integers(1, max_len))
    x = draw(arrays(np.float64, (n, d), elements=finite))
    y = draw(arrays(np.float64, (m, d), elements=finite))
    return x, y


gammas = st.sampled_from([0.01, 0.1, 1.0, 10.0])


@settings(deadline=None, max_examples=60, derandomize=True)
@given(series_pairs(), gammas)
def test_symmetry(pair, gamma):
    x, y = pair
    assert soft_dtw(x, y, gamma=gamma) == pytest.approx(
        soft_dtw(y, x, gamma=gamma), rel=1e-12, abs=1e-9
    )


@settings(deadline=None, max_examples=60, derandomize=True)
@given(series_pairs(), gammas)
def test_soft_dtw_is_below_dtw_and_converges_to_it(pair, gamma):
    x, y = pair
    exact = dtw(x, y)
    scale = 1e-12 * max(1.0, exact)
    assert soft_dtw(x, y, gamma=gamma) <= exact + scale
    # min^gamma >= min - gamma log(#paths), and #paths <= 3^(n + m).
    small = 1e-4
    bound = small * (len(x) + len(y)) * math.log(3)
    assert exact - bound - scale <= soft_dtw(x, y, gamma=small) <= exact + scale


@settings(deadline=None, max_examples=60, derandomize=True)
@given(series_pairs(), gammas)
def test_divergence_is_nonnegative_and_zero_on_identical(pair, gamma):
    x, y = pair
    scale = 1e-10 * (1.0 + np.abs(x).sum() + np.abs(y).sum()) ** 2
    assert soft_dtw_divergence(x, y, gamma=gamma) >= -scale
    assert soft_dtw_divergence(x, x.copy(), gamma=gamma) == 0.0


@settings(deadline=None, max_examples=60, derandomize=True)
@given(series_pairs(), gammas)
def test_full_window_equals_no_window(pair, gamma):
    x, y = pair
    full = max(len(x), len(y)) - 1
    plain = soft_dtw(x, y, gamma=gamma)
    assert soft_dtw(x, y, gamma=gamma, window=full) == plain
    assert soft_dtw(x, y, gamma=gamma, window=1.0) == plain


@settings(deadline=None, max_examples=60, derandomize=True)
@given(series_pairs(), gammas)
def test_alignment_entries_in_unit_interval(pair, gamma):
    x, y = pair
    _, E = soft_dtw_alignment(x, y, gamma=gamma)
    assert np.all(E >= 0) and np.all(E <= 1 + 1e-12)
    assert E[0, 0] == pytest.approx(1.0, abs=1e-12)
    assert E[-1, -1] == 1.0


@settings(deadline=None, max_examples=25, derandomize=True)
@given(
    st.lists(
        arrays(np.float64, st.integers(1, 7), elements=finite), min_size=1, max_size=5
    ),
    gammas,
)
def test_pairwise_equals_loop_property(series, gamma):
    np.testing.assert_allclose(
        pairwise_soft_dtw(series, gamma=gamma),
        _loop(series, series, gamma=gamma),
        rtol=1e-12,
        atol=1e-9,
    )


# ------------------------------------------------------------ stability


def test_tiny_gamma_with_huge_costs_is_finite(rng):
    x, y = rng.uniform(-1e3, 1e3, size=30), rng.uniform(-1e3, 1e3, size=20)
    with warnings.catch_warnings(), np.errstate(all=_FP_ERRORS):
        warnings.simplefilter("error")
        value, grad = soft_dtw_grad(x, y, gamma=1e-4)
        _, E = soft_dtw_alignment(x, y, gamma=1e-4)
    assert np.isfinite(value) and np.isfinite(grad).all() and np.isfinite(E).all()
    assert value == pytest.approx(dtw(x, y), rel=1e-9)


def test_huge_gamma_is_finite(rng):
    x, y = rng.normal(size=30), rng.normal(size=20)
    with warnings.catch_warnings(), np.errstate(all=_FP_ERRORS):
        warnings.simplefilter("error")
        value, grad = soft_dtw_grad(x, y, gamma=1e4)
        divergence = soft_dtw_divergence(x, y, gamma=1e4)
    assert np.isfinite(value) and value < 0 and np.isfinite(grad).all()
    assert np.isfinite(divergence)


def test_float32_and_integer_input(rng):
    x, y = rng.integers(-5, 5, size=8), rng.integers(-5, 5, size=6)
    as_float = soft_dtw(x.astype(float), y.astype(float), gamma=0.5)
    assert soft_dtw(x, y, gamma=0.5) == as_float
    assert soft_dtw(x.tolist(), y.tolist(), gamma=0.5) == as_float
    x32, y32 = rng.normal(size=8).astype(np.float32), rng.normal(size=6)
    assert soft_dtw(x32, y32, gamma=0.5) == soft_dtw(x32.astype(float), y32, gamma=0.5)


def test_inputs_are_never_modified(rng):
    x, y = rng.normal(size=(7, 2)), rng.normal(size=(5, 2))
    X = np.concatenate([rng.normal(size=(3, 7, 2)), np.full((3, 2, 2), np.nan)], 1)
    originals = [a.copy() for a in (x, y, X)]
    for a in (x, y, X):
        a.setflags(write=False)
    soft_dtw(x, y)
    soft_dtw_alignment(x, y)
    soft_dtw_grad(x, y)
    soft_dtw_divergence(x, y)
    dtw(x, y, return_path=True)
    soft_dtw_from_cost(sq_cost(x, y), return_alignment=True)
    pairwise_soft_dtw(X, divergence=True)
    pairwise_soft_dtw(X, X[:2])
    for a, original in zip((x, y, X), originals, strict=True):
        np.testing.assert_array_equal(a, original)


# ------------------------------------------------------------ bad input


def test_nan_inside_series_is_rejected():
    with pytest.raises(ValueError, match=r"x contains NaN at time index 1"):
        soft_dtw([0.0, np.nan, 1.0], [1.0, 2.0])


def test_trailing_nan_padding_is_accepted():
    assert soft_dtw([0.0, 1.0, np.nan], [0.0, 1.0], gamma=0.0) == 0.0


def test_partial_nan_row_is_rejected():
    with pytest.raises(ValueError, match=r"y contains NaN at time index 1"):
        soft_dtw([[0.0, 1.0]], [[0.0, 1.0], [np.nan, 2.0]])


def test_inf_is_rejected():
    with pytest.raises(ValueError, match=r"y contains inf"):
        soft_dtw([0.0, 1.0], [1.0, np.inf])


def test_empty_series_is_rejected():
    with pytest.raises(ValueError, match=r"x is empty"):
        soft_dtw([], [1.0, 2.0])


def test_all_padding_series_is_rejected():
    with pytest.raises(ValueError, match=r"y has length 0 once its trailing NaN"):
        soft_dtw([1.0], [np.nan, np.nan])


def test_padding_only_series_in_dataset_is_rejected():
    with pytest.raises(ValueError, match=r"X\[1\] has length 0"):
        pairwise_soft_dtw(np.array([[1.0, 2.0], [np.nan, np.nan]]))


@pytest.mark.parametrize("gamma", [-1.0, np.nan, np.inf, "1", None])
def test_bad_gamma_is_rejected(gamma):
    with pytest.raises(ValueError, match=r"gamma must be a finite number >= 0"):
        soft_dtw([0.0], [1.0], gamma=gamma)


@pytest.mark.parametrize(
    "call",
    [
        lambda: soft_dtw_grad([0.0], [1.0], gamma=0.0),
        lambda: soft_dtw_alignment([0.0], [1.0], gamma=0),
        lambda: soft_dtw_from_cost([[1.0]], gamma=0.0, return_alignment=True),
    ],
)
def test_zero_gamma_with_gradient_is_rejected(call):
    with pytest.raises(ValueError, match=r"gamma must be a finite number > 0 here"):
        call()


def test_channel_mismatch_is_rejected():
    with pytest.raises(ValueError, match=r"x has 2 channels and y has 3"):
        soft_dtw(np.zeros((4, 2)), np.zeros((4, 3)))


def test_dataset_channel_mismatch_is_rejected():
    with pytest.raises(ValueError, match=r"X has 2 channels and Y has 1"):
        pairwise_soft_dtw(np.zeros((3, 4, 2)), np.zeros((3, 4)))


def test_too_many_dimensions_are_rejected():
    with pytest.raises(ValueError, match=r"got an array with 4 dimensions"):
        pairwise_soft_dtw(np.zeros((2, 3, 4, 1)))
    with pytest.raises(ValueError, match=r"x must be one series .* 3 dimensions"):
        soft_dtw(np.zeros((2, 3, 1)), np.zeros(3))


def test_non_numeric_data_is_rejected():
    with pytest.raises(ValueError, match=r"x must hold real numbers"):
        soft_dtw(["a", "b"], [1.0, 2.0])
    with pytest.raises(ValueError, match=r"X\[0\] must hold real numbers"):
        pairwise_soft_dtw([["a", "b"], [1.0]])


def test_ragged_nested_list_is_rejected():
    with pytest.raises(ValueError, match=r"x could not be read as an array"):
        soft_dtw([[1.0, 2.0], [3.0]], [1.0])


@pytest.mark.parametrize("window", [-1, -0.5, 0.0, 1.5, "wide", True])
def test_bad_window_is_rejected(window):
    with pytest.raises(ValueError, match=r"window must be None, an int >= 0"):
        soft_dtw([0.0, 1.0], [1.0], window=window)


@pytest.mark.parametrize("n_jobs", [0, 1.5, "all"])
def test_bad_n_jobs_is_rejected(n_jobs):
    with pytest.raises(ValueError, match=r"n_jobs must be None"):
        pairwise_soft_dtw(np.zeros((2, 3)), n_jobs=n_jobs)


@pytest.mark.parametrize("C", [[[1.0, np.nan]], [[np.inf]], np.zeros((0, 3)), [1.0]])
def test_bad_cost_matrix_is_rejected(C):
    with pytest.raises(ValueError, match=r"C "):
        soft_dtw_from_cost(C)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: soft_dtw([1e154, -1e154], [0.0, 1e154]), "Rescale the series"),
        (lambda: soft_dtw_grad([1e154, -1e154], [0.0, 1e154]), "Rescale the series"),
        (
            lambda: soft_dtw_alignment([1e154, -1e154], [0.0, 1e154]),
            "Rescale the series",
        ),
        (
            lambda: dtw([1e200] * 3, [-1e200] * 2, return_path=True),
            "Rescale the series",
        ),
        (
            lambda: soft_dtw_from_cost(np.full((3, 3), 1e308), return_alignment=True),
            "Rescale the cost matrix",
        ),
        (
            lambda: pairwise_soft_dtw([[1e200, 0.0], [0.0, 1.0]]),
            "Rescale the series",
        ),
        (
            lambda: soft_dtw_alignment([0, 0], [0, 0], gamma=1e-310),
            "smallest normal",
        ),
        (lambda: soft_dtw(np.zeros(20), np.ones(15), gamma=1e307), "smaller gamma"),
        (lambda: soft_dtw([0, 1, 2], [0, 2], gamma=1e300), "below 1e[+]300"),
    ],
)
def test_values_beyond_float64_are_refused(call, match):
    # Finite input whose soft-DTW would leave float64 gets a clear error, not
    # inf, a wrong gradient or a crash.
    with pytest.raises(ValueError, match=match):
        call()


def test_tiny_normal_gamma_still_gives_the_right_alignment():
    _, E = soft_dtw_alignment([0, 0], [0, 0], gamma=1e-300)
    np.testing.assert_allclose(E, [[1, 1 / 3], [1 / 3, 1]], rtol=1e-12)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: dtw([0, 1], [1], return_path="False"), "return_path must be True"),
        (
            lambda: soft_dtw_from_cost(np.eye(2), return_alignment="no"),
            "return_alignment must be True",
        ),
    ],
)
def test_flags_are_booleans_only(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize(
    "x",
    [
        np.array(["0", "1", "2"], dtype=object),
        np.array([0.0, "1", 2.0], dtype=object),
        [0.0, b"1", 2.0],
    ],
)
def test_text_is_refused_in_every_container(x):
    # An array of str was refused; the same text in an object array had been
    # parsed as numbers.
    with pytest.raises(ValueError, match="holds text|must hold real numbers"):
        soft_dtw(x, [0.0, 2.0])
    assert soft_dtw(np.array([0.0, 1, 2], dtype=object), [0, 2]) == soft_dtw(
        [0.0, 1.0, 2.0], [0.0, 2.0]
    )


def _pairwise_in_child(X):
    return pairwise_soft_dtw(X, gamma=0.5, n_jobs=2)


@pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="no fork here"
)
def test_forked_child_runs_threads_after_the_parent_did():
    # The parent's thread pool does not survive a fork; the child makes its own.
    X = np.random.RandomState(0).normal(size=(20, 12))
    expected = pairwise_soft_dtw(X, gamma=0.5, n_jobs=2)  # the parent's pool
    with multiprocessing.get_context("fork").Pool(1) as pool:
        result = pool.apply_async(_pairwise_in_child, (X,)).get(timeout=60)
    np.testing.assert_array_equal(result, expected)
