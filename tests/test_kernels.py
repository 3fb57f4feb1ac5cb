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
