"""Differential tests: every public soft-DTW entry point against the naive DP.

The references are the plain-Python dynamic programs of ``tests/_naive.py``
(Algorithm 1, ``dp_tables``; Algorithm 2, ``dp_alignment``), themselves
checked against path enumeration below. The data are small (lengths 1..25,
1 to 3 channels) but built to reach the fast paths' edges: random walks
(z-normalised and raw), spikes whose costs land at 500..2000 gamma (where
``exp(-cost / gamma)`` underflows), plateaus and steps (many tied paths),
identical series and series equal up to one value, large offsets, scales
from 1e-3 to 1e3, gamma from 1e-4 to 1e4, int and float bands and unequal
lengths both ways. Every case comes from a fixed seed: the list is the same
on every run.

Tolerances (see ``_value_tol``, ``_alignment_atol`` and ``_grad_atol``):

- values: ``|got - ref| <= 1e-12 * scale``, with ``scale`` the largest of
  ``|value|``, every finite entry of the naive table ``R``, every finite
  cost and ``gamma * log(number of in-band paths)``. Soft-DTW is signed and
  may be near 0 while the DP holds numbers far from 0 (``R ~ -gamma
  log(#paths)`` at large gamma, negative costs, offsets): any
  implementation's rounding is relative to those. A grid with one path
  (``n == 1``, ``m == 1``, or a band that leaves only the diagonal) has no
  soft minimum to round, so its scale is that of its costs alone (exactly 0
  for identical series). A divergence takes the largest scale of its terms;
- ``E = d value / d C``: ``atol = 1e-9 + cond`` with ``cond = 8 (n + m) eps
  scale / gamma``. Path weights are ``exp(-cost / gamma)``: rounding the
  table entries by ``eps * scale`` moves E by about ``(n + m) eps scale /
  gamma``, for any algorithm. ``cond`` is below 1e-10 on most cases and
  only matters where costs dwarf gamma (e.g. costs of 1e6 at gamma 1);
- gradients: ``grad_x[i] = 2 sum_j E_ij (x_i - y_j)`` is a signed sum that
  can cancel, so ``atol = (1e-9 + cond) * G + 16 (n + m) eps * F`` with
  ``G = max_ik 2 sum_j E_ij |x_ik - y_jk|`` (the sum of the magnitudes of
  its terms) and ``F`` the same with ``|x_ik| + |y_jk|`` (the rounding of
  the equivalent form ``2 (E 1 * x - E y)`` under a large offset). This is
  ``1e-9 * max|grad|`` up to the sum-of-terms scale, and stricter than an
  absolute floor of 1e-9 at small scales (series of size 1e-3), where such a
  floor would let relative errors of 1e-6 through.
"""

import math
from dataclasses import dataclass, field

import numpy as np
import pytest

from softdtw_learn.metrics import (
    dtw,
    paired_soft_dtw,
    pairwise_soft_dtw,
    pairwise_soft_dtw_chunked,
    soft_dtw,
    soft_dtw_alignment,
    soft_dtw_divergence,
    soft_dtw_from_cost,
    soft_dtw_grad,
)

from ._naive import (
    as_2d,
    banded,
    brute_alignment,
    brute_soft_dtw,
    count_paths,
    dp_alignment,
    dp_tables,
    grads_from_alignment,
    sq_cost,
    window_mask,
)

# ------------------------------------------- the one private entry point


def barycenter_objective(z, X, coef, gamma, window, divergence):
    """Objective and gradient of the soft-DTW barycenter problem at ``z``.

    ``sum_s coef[s] sdtw(z, X[s])`` (or the divergence), exactly as
    ``soft_dtw_barycenter`` hands it to L-BFGS-B. This is the only place that
    touches private APIs (``barycenter._objective`` and the self terms of
    ``_dispatch``): adapt this function, not the tests.
    """
    from softdtw_learn import _dispatch
    from softdtw_learn.barycenter import _objective
    from softdtw_learn.utils import check_dataset, check_window

    xs, lengths = check_dataset(X, "X")
    z2 = as_2d(z)
    params = (gamma, *check_window(window))
    coef = np.asarray(coef, dtype=np.float64)
    self_terms = None
    if divergence:
        self_terms = float(coef @ _dispatch.self_values(xs, lengths, params))
    value, grad = _objective(
        z2.ravel(), z2.shape, xs, lengths, coef, params, self_terms
    )
    return float(value), np.asarray(grad).reshape(z2.shape)


# ------------------------------------------------------------ tolerances

EPS = np.finfo(np.float64).eps
TINY = np.finfo(np.float64).tiny
VALUE_RTOL = 1e-12
GRAD_RTOL = 1e-9


def _finite_max_abs(values):
    values = np.abs(np.asarray(values, dtype=np.float64))
    values = values[np.isfinite(values)]
    return float(values.max()) if values.size else 0.0


@dataclass
class Ref:
    """Naive results for one cost matrix: value, its tolerance scale, E."""

    value: float
    scale: float
    E: np.ndarray | None = None
    cond: float = 0.0


_REFS = {}


def naive_ref(C, gamma, window, alignment=False):
    """Naive value (and E) of the cost ``C`` with the band of ``window``."""
    C = np.ascontiguousarray(C, dtype=np.float64)
    key = (C.tobytes(), C.shape, gamma, repr(window), alignment)
    if key not in _REFS:
        n, m = C.shape
        cost = banded(C, window_mask(n, m, window))
        R, _ = dp_tables(cost, gamma)
        value = R[n][m]
        spread = gamma * math.log(count_paths(cost))
        scale = max(abs(value), _finite_max_abs(R), _finite_max_abs(cost), spread, TINY)
        ref = Ref(value, scale)
        if alignment:
            _, ref.E = dp_alignment(cost, gamma)
            ref.cond = 8.0 * (n + m) * EPS * scale / gamma
        _REFS[key] = ref
    return _REFS[key]


def pair_ref(x, y, gamma, window, alignment=False):
    return naive_ref(sq_cost(x, y), gamma, window, alignment)


def divergence_ref(x, y, gamma, window):
    """Naive divergence: three naive values; the largest scale of the three."""
    terms = [pair_ref(a, b, gamma, window) for a, b in ((x, y), (x, x), (y, y))]
    value = terms[0].value - (terms[1].value + terms[2].value) / 2.0
    return value, max(t.scale for t in terms)


def _value_tol(scale):
    return VALUE_RTOL * scale


def _alignment_atol(ref):
    return GRAD_RTOL + ref.cond


def _grad_atol(a, b, E, cond):
    """Tolerance on the gradient w.r.t. ``a`` (E's rows index ``a``)."""
    a2, b2 = as_2d(a), as_2d(b)
    terms = np.abs(a2[:, None, :] - b2[None, :, :])
    sizes = np.abs(a2)[:, None, :] + np.abs(b2)[None, :, :]
    G = float((2.0 * np.einsum("ij,ijk->ik", E, terms)).max())
    F = float((2.0 * np.einsum("ij,ijk->ik", E, sizes)).max())
    return (GRAD_RTOL + cond) * G + 16.0 * (len(a2) + len(b2)) * EPS * F


def naive_grads(x, y, gamma, window):
    """``(value, scale, grad_x, atol_x, grad_y, atol_y)``, grads shaped like x, y."""
    ref = pair_ref(x, y, gamma, window, alignment=True)
    gx, gy = grads_from_alignment(x, y, ref.E)
    atol_x = _grad_atol(x, y, ref.E, ref.cond)
    atol_y = _grad_atol(y, x, ref.E.T, ref.cond)
    return (
        ref.value,
        ref.scale,
        gx.reshape(np.shape(x)),
        atol_x,
        gy.reshape(np.shape(y)),
        atol_y,
    )


def naive_divergence_grads(x, y, gamma, window):
    """Gradients of the divergence w.r.t. x and y, and their tolerances.

    ``d sdtw(x, x) / dx = grad_x(x, x) + grad_y(x, x)`` (x is both arguments).
    """
    _, _, gx, ax, gy, ay = naive_grads(x, y, gamma, window)
    _, _, sx1, sax1, sx2, sax2 = naive_grads(x, x, gamma, window)
    _, _, sy1, say1, sy2, say2 = naive_grads(y, y, gamma, window)
    grad_x = gx - 0.5 * (sx1 + sx2)
    grad_y = gy - 0.5 * (sy1 + sy2)
    return grad_x, ax + 0.5 * (sax1 + sax2), grad_y, ay + 0.5 * (say1 + say2)


def assert_value(got, ref, scale, what):
    got = float(got)
    tol = _value_tol(scale)
    err = abs(got - ref)
    assert err <= tol, (
        f"{what}: got {got!r}, naive {ref!r}, |diff| {err:.3g} > tol {tol:.3g}"
    )


def assert_array(got, ref, atol, what):
    got, ref = np.asarray(got, dtype=np.float64), np.asarray(ref, dtype=np.float64)
    assert got.shape == ref.shape, f"{what}: shape {got.shape}, naive {ref.shape}"
    atol = np.broadcast_to(np.asarray(atol, dtype=np.float64), ref.shape)
    err = np.abs(got - ref)
    bad = ~(err <= atol)  # NaN counts as bad
    if bad.any():
        k = np.unravel_index(np.argmax(np.where(bad, err / atol, 0.0)), ref.shape)
        k = tuple(int(i) for i in k)
        raise AssertionError(
            f"{what}: {int(bad.sum())} of {ref.size} entries off; worst at {k}: "
            f"got {got[k]!r}, naive {ref[k]!r}, |diff| {err[k]:.3g} > "
            f"tol {atol[k]:.3g}\ngot:\n{got}\nnaive:\n{ref}"
        )


# ------------------------------------------------------------ generators


def walk(rng, n, d=1, *, normalise=True):
    """Random walk (cumsum of normals), z-normalised per channel or raw."""
    s = np.cumsum(rng.normal(size=(n, d)), axis=0)
    if normalise:
        s = s - s.mean(axis=0)
        sd = s.std(axis=0)
        s = s / np.where(sd > 0, sd, 1.0)
    return s[:, 0] if d == 1 else s


def with_spike(rng, s, height):
    """``s`` with ``height`` added at one random step (every channel)."""
    s = np.array(s, dtype=np.float64)
    s[rng.integers(len(s))] += height
    return s


def plateaus(rng, n, d=1):
    """Runs of 1..5 equal integer values in [-2, 2]: steps, many tied paths."""
    runs = []
    while sum(len(r) for r in runs) < n:
        runs.append(np.repeat(rng.integers(-2, 3, size=(1, d)), rng.integers(1, 6), 0))
    s = np.concatenate(runs)[:n].astype(np.float64)
    return s[:, 0] if d == 1 else s


def spiky(rng, n, d, gamma, ratio, amplitude=1.0):
    """A small walk (size ``amplitude * sqrt(gamma)``) plus one spike.

    The spike has height ``sqrt(ratio * gamma)``: the costs of its row are
    around ``ratio * gamma``, with ``ratio`` in 500..2000.
    """
    base = amplitude * math.sqrt(gamma) * walk(rng, n, d)
    return with_spike(rng, base, math.sqrt(ratio * gamma))


def spike_sweep_pair(seed):
    """A random univariate pair with one spike: ``(x, y, gamma)``.

    Lengths 1..25, gamma log-uniform in [1e-3, 10], spike height
    ``sqrt(ratio * gamma)`` with ratio uniform in [500, 2000]; the spike sits
    in x or y, on a small walk (size ``sqrt(gamma)`` or 0.3) or on a
    z-normalised one, by ``seed % 4``.
    """
    r = np.random.default_rng(seed)
    n, m = int(r.integers(1, 26)), int(r.integers(1, 26))
    gamma = float(10 ** r.uniform(-3, 1))
    ratio = float(r.uniform(500, 2000))
    height = math.sqrt(ratio * gamma)
    kind = seed % 4
    if kind == 0:
        return spiky(r, n, 1, gamma, ratio), math.sqrt(gamma) * walk(r, m), gamma
    if kind == 1:
        return math.sqrt(gamma) * walk(r, n), spiky(r, m, 1, gamma, ratio), gamma
    size = 1.0 if kind == 2 else 0.3
    return size * walk(r, n), with_spike(r, size * walk(r, m), height), gamma


# The known reproducer: true soft-DTW 9.3999999998477, gradient about
# [0.2, -3.4]; a buggy fast path gave 9.58 and [4, 0].
REPRO_X = np.array([0.5, -0.4])
REPRO_Y = np.array([0.4, -1.3, -0.3, -0.8, 2.5, -0.4])
REPRO_GAMMA = 0.01
REPRO_VALUE = 9.3999999998477


@dataclass(eq=False)
class PairCase:
    id: str
    x: np.ndarray
    y: np.ndarray
    gamma: float
    window: object = None


def _pair_cases():
    cases = []

    def rng():
        return np.random.default_rng([20170806, len(cases)])

    def add(gen, x, y, gamma, window=None):
        x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
        d = 1 if x.ndim == 1 else x.shape[1]
        cid = f"{gen}-{len(cases)}-{len(x)}x{len(y)}d{d}-g{gamma:g}-w{window}"
        cases.append(PairCase(cid, x, y, float(gamma), window))

    # Random walks, z-normalised: lengths (1 and n != m both ways), channels.
    for n, m, d, gamma, window in [
        (1, 1, 1, 1.0, None),
        (1, 7, 1, 0.1, None),
        (7, 1, 2, 0.1, None),
        (2, 2, 1, 1.0, None),
        (5, 9, 1, 0.01, None),
        (9, 5, 3, 1.0, None),
        (25, 25, 1, 0.1, None),
        (25, 25, 2, 1.0, 3),
        (25, 3, 1, 0.1, None),
        (3, 25, 2, 0.1, 0.3),
        (17, 11, 1, 0.5, 2),
        (11, 17, 1, 0.5, 0.2),
        (20, 20, 3, 0.1, 1.0),
        (8, 13, 1, 1e-3, 1),
        (13, 8, 2, 10.0, 0.5),
    ]:
        r = rng()
        add("walk", walk(r, n, d), walk(r, m, d), gamma, window)
    r = rng()  # an explicit (n, 1) shape
    add("walk-col", walk(r, 6, 2)[:, :1], walk(r, 9, 2)[:, :1], 0.3)
    # Raw random walks (not normalised: larger, drifting values).
    for n, m, d, gamma, window in [
        (6, 6, 1, 1.0, None),
        (15, 22, 1, 0.1, None),
        (22, 15, 2, 1.0, 4),
        (25, 25, 1, 10.0, 0.2),
        (1, 25, 1, 1.0, None),
        (25, 1, 3, 0.1, None),
    ]:
        r = rng()
        add(
            "raw",
            walk(r, n, d, normalise=False),
            walk(r, m, d, normalise=False),
            gamma,
            window,
        )
    # Gamma from 1e-4 to 1e4.
    for gamma in [1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0, 1e2, 1e3, 1e4]:
        r = rng()
        add("gamma", walk(r, 10), walk(r, 14), gamma)
    for gamma in [1e-4, 1.0, 1e4]:
        r = rng()
        add("gamma", walk(r, 14, 2), walk(r, 10, 2), gamma, 3)
    # Gamma 0 (exact DTW): values only.
    r = rng()
    add("gamma0", walk(r, 10), walk(r, 10), 0.0)
    r = rng()
    add("gamma0", walk(r, 1), walk(r, 5), 0.0)
    r = rng()
    add("gamma0", walk(r, 8, 2), walk(r, 13, 2), 0.0, 2)
    r = rng()
    add("gamma0-plateau", plateaus(r, 9), plateaus(r, 12), 0.0)
    r = rng()
    s = walk(r, 7)
    add("gamma0-identical", s, s.copy(), 0.0)
    # Spikes: cell costs across [500 gamma, 2000 gamma], and the reproducer.
    add("spike-repro", REPRO_X, REPRO_Y, REPRO_GAMMA)
    add("spike-repro", REPRO_Y, REPRO_X, REPRO_GAMMA)
    add("spike-repro", REPRO_X, REPRO_Y, REPRO_GAMMA, 1)
    shapes = [(2, 6), (8, 12), (12, 8), (20, 20), (6, 25), (25, 6)]
    ratios = [500, 700, 900, 1200, 1600, 2000]
    k = 0
    for gamma in [0.01, 0.1, 1.0]:
        for ratio in ratios[::2] if gamma != 0.01 else ratios:
            n, m = shapes[k % len(shapes)]
            k += 1
            r = rng()
            amplitude = [1.0, 5.0][k % 2]
            add(
                f"spike-r{ratio}",
                spiky(r, n, 1, gamma, ratio, amplitude),
                amplitude * math.sqrt(gamma) * walk(r, m),
                gamma,
            )
    # A sweep of random spike pairs (random lengths, gamma in 1e-3..10, costs
    # at 500..2000 gamma). The seeds listed include those on which a sweep of
    # 400 seeds of this generator caught the fast path of soft_dtw_grad
    # (commit 2dda326) off the naive value; the first four are arbitrary.
    for seed in (0, 1, 2, 3, 12, 25, 82, 231, 322, 334, 358):
        x, y, gamma = spike_sweep_pair(seed)
        add(f"spike-sweep-s{seed}", x, y, gamma)
    r = rng()  # spikes in both series, two channels, and a band
    add("spike-both", spiky(r, 10, 2, 0.1, 1000), spiky(r, 14, 2, 0.1, 1500), 0.1)
    r = rng()
    add("spike-band", spiky(r, 16, 1, 0.05, 800), walk(r, 12) * 0.2, 0.05, 2)
    r = rng()
    add("spike-band", walk(r, 9) * 0.1, spiky(r, 20, 1, 0.01, 1800), 0.01, 0.3)
    # Steps and plateaus: constant runs, many tied paths.
    for n, m, d, gamma, window in [
        (9, 12, 1, 0.1, None),
        (12, 9, 1, 1.0, 2),
        (16, 16, 1, 1e-3, None),
        (20, 7, 2, 0.1, 0.5),
        (1, 9, 1, 1.0, None),
        (25, 25, 1, 0.01, 1),
    ]:
        r = rng()
        add("plateau", plateaus(r, n, d), plateaus(r, m, d), gamma, window)
    # Identical series, and series equal up to one value.
    for n, d, gamma, window in [(1, 1, 1.0, None), (7, 1, 0.1, None), (25, 2, 1.0, 2)]:
        s = walk(rng(), n, d)
        add("identical", s, s.copy(), gamma, window)
    s = plateaus(rng(), 12)
    add("identical-plateau", s, s.copy(), 0.1)
    for delta, gamma in [(1e-8, 1.0), (1e-3, 0.1), (1.0, 0.01), (30.0, 1.0)]:
        r = rng()
        s = walk(r, 12)
        t = s.copy()
        t[r.integers(12)] += delta
        add(f"one-off-{delta:g}", s, t, gamma)
    # Large offsets: both series (costs unchanged), or one (costs ~1e6).
    r = rng()
    add("offset-both", walk(r, 12) + 1e3, walk(r, 15) + 1e3, 1.0)
    r = rng()
    add("offset-both", walk(r, 20, 2) + 1e3, walk(r, 20, 2) + 1e3, 0.01)
    r = rng()
    add("offset-both", plateaus(r, 10) + 1e3, plateaus(r, 13) + 1e3, 0.1, 2)
    r = rng()
    add("offset-one", walk(r, 12) + 1e3, walk(r, 9), 1.0)
    r = rng()
    add("offset-one", walk(r, 9), walk(r, 12) + 1e3, 1e4)
    # Scales 1e-3 .. 1e3: gamma scaled by s**2 too, and independently.
    for s in [1e-3, 1e-1, 1e1, 1e3]:
        r = rng()
        add(f"scale-{s:g}-coupled", s * walk(r, 11), s * walk(r, 13), 0.1 * s**2)
        r = rng()
        add(f"scale-{s:g}-fixed", s * walk(r, 11), s * walk(r, 13), 0.1)
    r = rng()
    add("scale-1e3-coupled", 1e3 * walk(r, 9, 2), 1e3 * walk(r, 7, 2), 1e6, 2)
    # Bands: int and float windows, unequal lengths both ways.
    for n, m, d, window, gamma in [
        (10, 10, 1, 0, 1.0),
        (10, 10, 1, 1, 0.1),
        (13, 7, 2, 1, 1.0),
        (7, 13, 1, 2, 0.1),
        (25, 4, 1, 0, 1.0),
        (4, 25, 1, 3, 0.1),
        (25, 25, 3, 5, 1.0),
        (16, 9, 1, 0.05, 1.0),
        (9, 16, 2, 0.1, 0.1),
        (25, 25, 1, 0.5, 0.01),
        (18, 24, 1, 0.25, 1.0),
        (24, 18, 1, 1.0, 1.0),
        (2, 25, 1, 0, 1.0),
        (25, 2, 1, 1, 1.0),
        (1, 10, 1, 0, 1.0),
    ]:
        r = rng()
        add("band", walk(r, n, d), walk(r, m, d), gamma, window)
    return cases


PAIR_CASES = _pair_cases()
SMOOTH_CASES = [c for c in PAIR_CASES if c.gamma > 0]


def _params(cases):
    return [pytest.param(c, id=c.id) for c in cases]


# Arbitrary real cost matrices (negative ones included) for soft_dtw_from_cost.
@dataclass(eq=False)
class CostCase:
    id: str
    C: np.ndarray
    gamma: float
    window: object = None


def _cost_cases():
    cases = []
    for k, (kind, shape, gamma, window) in enumerate(
        [
            ("normal", (1, 1), 1.0, None),
            ("normal", (1, 6), 0.1, None),
            ("normal", (6, 1), 0.1, None),
            ("normal", (7, 7), 1.0, None),
            ("normal", (25, 25), 0.1, 3),
            ("normal", (20, 6), 0.0, None),
            ("normal-1e3", (12, 12), 1.0, None),
            ("normal-1e6", (9, 14), 1e4, 0.3),
            ("integers", (12, 12), 1e-3, None),
            ("integers", (15, 10), 0.0, 2),
            ("zeros", (8, 11), 1.0, None),
            ("zeros", (25, 25), 1e4, None),
            ("negative", (10, 10), 1.0, None),
            ("negative", (6, 20), 1e-4, 1),
            ("spike", (12, 9), 0.01, None),
            ("spike", (9, 12), 1.0, 0.5),
        ]
    ):
        rng = np.random.default_rng([7, k])
        if kind == "normal":
            C = rng.normal(size=shape)
        elif kind == "normal-1e3":
            C = 1e3 * rng.normal(size=shape)
        elif kind == "normal-1e6":
            C = 1e6 * rng.normal(size=shape)
        elif kind == "integers":
            C = rng.integers(-3, 4, size=shape).astype(np.float64)
        elif kind == "zeros":
            C = np.zeros(shape)
        elif kind == "negative":
            C = -50.0 * np.abs(rng.normal(size=shape))
        else:  # costs of 0..4 gamma, one row at 500..2000 gamma
            C = gamma * rng.uniform(0, 4, size=shape)
            C[rng.integers(shape[0])] = gamma * rng.uniform(500, 2000, size=shape[1])
        cid = f"{kind}-{k}-{shape[0]}x{shape[1]}-g{gamma:g}-w{window}"
        cases.append(CostCase(cid, C, float(gamma), window))
    return cases


COST_CASES = _cost_cases()


# Datasets (lists of series of mixed lengths) for the matrix entry points.
@dataclass(eq=False)
class DataCase:
    id: str
    X: list
    Y: list  # another dataset (columns)
    P: list  # one partner per series of X (paired, torch targets)
    gamma: float
    window: object = None
    z: np.ndarray = field(default=None)  # a barycenter candidate


def _data_cases():
    cases = []

    def rng():
        return np.random.default_rng([1701, len(cases)])

    def add(gen, X, Y, P, gamma, window=None, z=None):
        d = 1 if np.ndim(X[0]) == 1 else np.shape(X[0])[1]
        if z is None:
            z = walk(np.random.default_rng([99, len(cases)]), 10, d)
        cid = f"{gen}-{len(cases)}-n{len(X)}x{len(Y)}d{d}-g{gamma:g}-w{window}"
        cases.append(DataCase(cid, list(X), list(Y), list(P), float(gamma), window, z))

    def walks(r, lengths, d=1, **kw):
        return [walk(r, n, d, **kw) for n in lengths]

    r = rng()
    add(
        "walks",
        walks(r, [1, 4, 9, 9, 17, 25]),
        walks(r, [3, 9, 25, 12]),
        walks(r, [5, 1, 9, 20, 17, 2]),
        1.0,
    )
    r = rng()
    add(
        "walks-raw",
        walks(r, [6, 11, 11, 3], normalise=False),
        walks(r, [11, 8, 1], normalise=False),
        walks(r, [11, 4, 7, 12], normalise=False),
        0.1,
        0.3,
    )
    r = rng()
    add(
        "walks-d2-band",
        walks(r, [5, 12, 12, 20], 2),
        walks(r, [1, 7, 25], 2),
        walks(r, [12, 5, 20, 9], 2),
        0.1,
        2,
        z=walk(r, 12, 2),
    )
    r = rng()
    add(
        "walks-d3",
        walks(r, [8, 8, 8, 13], 3),
        walks(r, [8, 5], 3),
        walks(r, [8, 13, 4, 8], 3),
        0.5,
        z=walk(r, 8, 3),
    )
    # Many series of one length: the SIMD lanes of the pairwise kernel.
    r = rng()
    add(
        "lanes",
        walks(r, [12] * 10 + [7, 7]),
        walks(r, [10] * 9 + [12]),
        walks(r, [12] * 6 + [9] * 6),
        0.5,
        0.3,
        z=walk(r, 12),
    )
    # Spikes (costs at 500..2000 gamma), with the reproducer's two series.
    for gamma, window in [(0.01, None), (1.0, None), (0.1, 2)]:
        r = rng()
        ratios = [500, 800, 1100, 1400, 1700, 2000, 600, 1900, 1000]
        spikes = [spiky(r, 8, 1, gamma, q) for q in ratios]
        small = [math.sqrt(gamma) * walk(r, n) for n in (8, 8, 8, 8, 8, 8, 8, 8, 8, 3)]
        X = [REPRO_X, REPRO_Y, *spikes] if gamma == REPRO_GAMMA else spikes
        P = (
            [REPRO_Y, REPRO_X, *small[: len(X) - 2]]
            if gamma == REPRO_GAMMA
            else small[: len(X)]
        )
        z = spiky(r, 8, 1, gamma, 1200)
        add("spikes", X, [*small, REPRO_Y], P, gamma, window, z=z)
    # Plateaus (ties), exact DTW and smoothed; duplicates in the dataset.
    for gamma in [0.0, 0.1]:
        r = rng()
        X = [plateaus(r, n) for n in (9, 12, 12, 5, 1)]
        X.append(X[1].copy())
        add(
            "plateaus",
            X,
            [plateaus(r, n) for n in (12, 7, 12)],
            [plateaus(r, n) for n in (12, 9, 3, 5, 1, 12)],
            gamma,
        )
    # Large offsets: all series, or some (costs ~1e6).
    r = rng()
    add(
        "offset",
        [s + 1e3 for s in walks(r, [6, 10, 10, 14])],
        [s + 1e3 for s in walks(r, [10, 3])],
        [s + 1e3 for s in walks(r, [10, 6, 14, 2])],
        1.0,
        z=walk(r, 10) + 1e3,
    )
    r = rng()
    add(
        "offset-mixed",
        [walk(r, 8) + 1e3, walk(r, 8), walk(r, 11) + 1e3, walk(r, 5)],
        [walk(r, 8), walk(r, 8) + 1e3],
        [walk(r, 8), walk(r, 8) + 1e3, walk(r, 11), walk(r, 5) + 1e3],
        1.0,
    )
    # Scales: s with gamma s**2, and s with a fixed gamma.
    for s, gamma in [(1e3, 1e5), (1e-3, 1e-7), (1e3, 1.0), (1e-3, 1.0)]:
        r = rng()
        add(
            f"scale-{s:g}",
            [s * w for w in walks(r, [9, 9, 9, 4, 15])],
            [s * w for w in walks(r, [9, 6])],
            [s * w for w in walks(r, [9, 12, 9, 4, 1])],
            gamma,
            z=s * walk(r, 9),
        )
    # Extreme gammas.
    for gamma in [1e-4, 1e4]:
        r = rng()
        add(
            "gamma",
            walks(r, [7, 10, 10, 16]),
            walks(r, [10, 4]),
            walks(r, [10, 7, 16, 3]),
            gamma,
            0.5,
        )
    # Identical series across X and Y.
    r = rng()
    X = walks(r, [6, 9, 9, 1])
    add("identical", X, [s.copy() for s in X], [s.copy() for s in X], 0.5)
    return cases


DATA_CASES = _data_cases()
SMOOTH_DATA = [c for c in DATA_CASES if c.gamma > 0]
UNIVARIATE_DATA = [c for c in DATA_CASES if np.ndim(c.X[0]) == 1]


def naive_matrix(X, Y, gamma, window, divergence):
    """Naive pairwise values and their tolerances."""
    values = np.empty((len(X), len(Y)))
    tols = np.empty((len(X), len(Y)))
    for a, x in enumerate(X):
        for b, y in enumerate(Y):
            if divergence:
                value, scale = divergence_ref(x, y, gamma, window)
            else:
                ref = pair_ref(x, y, gamma, window)
                value, scale = ref.value, ref.scale
            values[a, b], tols[a, b] = value, _value_tol(scale)
    return values, tols


def padded(series, fill=np.nan):
    """Stack a list of series into ``(batch, time, channels)`` with ``fill``."""
    series = [as_2d(s) for s in series]
    out = np.full((len(series), max(len(s) for s in series), series[0].shape[1]), fill)
    for k, s in enumerate(series):
        out[k, : len(s)] = s
    return out


# --------------------------------------------------- the references themselves


TINY_CASES = [
    ((1, 1), 1.0, None),
    ((1, 4), 0.5, None),
    ((3, 3), 0.1, None),
    ((4, 3), 1.0, None),
    ((2, 5), 0.01, None),
    ((5, 5), 1.0, 1),
    ((6, 4), 0.3, 0.2),
    ((4, 6), 10.0, 0),
]


@pytest.mark.parametrize(("shape", "gamma", "window"), TINY_CASES)
def test_naive_dp_matches_path_enumeration(shape, gamma, window):
    rng = np.random.default_rng([3, *shape])
    C = rng.normal(size=shape) ** 2 - 0.3  # some negative costs
    mask = window_mask(*shape, window)
    cost = banded(C, mask)
    value, E = dp_alignment(cost, gamma)
    R, _ = dp_tables(cost, gamma)
    assert R[shape[0]][shape[1]] == value
    assert abs(value - brute_soft_dtw(C, gamma, mask)) <= 1e-12 * max(1, abs(value))
    assert (
        abs(dp_tables(cost, 0.0)[0][shape[0]][shape[1]] - brute_soft_dtw(C, 0.0, mask))
        <= 1e-12
    )
    assert_array(E, brute_alignment(C, gamma, mask), 1e-12, "dp_alignment")
    if mask is not None:
        assert np.all(E[~mask] == 0.0)


def test_naive_gradient_matches_finite_differences():
    rng = np.random.default_rng(5)
    x, y, gamma = walk(rng, 6, 2), walk(rng, 4, 2), 0.7
    _, E = dp_alignment(sq_cost(x, y), gamma)
    gx, gy = grads_from_alignment(x, y, E)
    h = 1e-6
    for a, grad in ((x, gx), (y, gy)):
        numeric = np.zeros_like(a)
        for idx in np.ndindex(a.shape):
            plus, minus = a.copy(), a.copy()
            plus[idx] += h
            minus[idx] -= h
            args = (plus, y) if a is x else (x, plus)
            args_minus = (minus, y) if a is x else (x, minus)
            f_plus = dp_tables(sq_cost(*args), gamma)[0][-1][-1]
            f_minus = dp_tables(sq_cost(*args_minus), gamma)[0][-1][-1]
            numeric[idx] = (f_plus - f_minus) / (2 * h)
        assert_array(grad, numeric, 1e-6, "finite differences")


def test_naive_reproducer():
    value, E = dp_alignment(sq_cost(REPRO_X, REPRO_Y), REPRO_GAMMA)
    assert abs(value - REPRO_VALUE) <= 1e-12 * REPRO_VALUE
    gx, _ = grads_from_alignment(REPRO_X, REPRO_Y, E)
    assert_array(gx[:, 0], [0.2, -3.4], 1e-6, "reproducer gradient")


# ------------------------------------------------------------- pair values


@pytest.mark.parametrize("case", _params(PAIR_CASES))
def test_soft_dtw(case):
    ref = pair_ref(case.x, case.y, case.gamma, case.window)
    got = soft_dtw(case.x, case.y, gamma=case.gamma, window=case.window)
    assert_value(got, ref.value, ref.scale, "soft_dtw(x, y)")
    got = soft_dtw(case.y, case.x, gamma=case.gamma, window=case.window)
    assert_value(got, ref.value, ref.scale, "soft_dtw(y, x)")


@pytest.mark.parametrize("case", _params(SMOOTH_CASES))
def test_soft_dtw_alignment(case):
    ref = pair_ref(case.x, case.y, case.gamma, case.window, alignment=True)
    value, E = soft_dtw_alignment(case.x, case.y, gamma=case.gamma, window=case.window)
    assert_value(value, ref.value, ref.scale, "soft_dtw_alignment value")
    assert_array(E, ref.E, _alignment_atol(ref), "soft_dtw_alignment E")


@pytest.mark.parametrize("order", ["xy", "yx"])
@pytest.mark.parametrize("case", _params(SMOOTH_CASES))
def test_soft_dtw_grad(case, order):
    value, scale, gx, ax, gy, ay = naive_grads(case.x, case.y, case.gamma, case.window)
    if order == "xy":
        got_value, got = soft_dtw_grad(
            case.x, case.y, gamma=case.gamma, window=case.window
        )
        ref, atol = gx, ax
    else:  # the gradient w.r.t. y: soft-DTW is symmetric
        got_value, got = soft_dtw_grad(
            case.y, case.x, gamma=case.gamma, window=case.window
        )
        ref, atol = gy, ay
    assert_value(got_value, value, scale, "soft_dtw_grad value")
    assert_array(got, ref, atol, "soft_dtw_grad gradient")


@pytest.mark.parametrize("case", _params(PAIR_CASES))
def test_soft_dtw_from_cost_pairs(case):
    C = sq_cost(case.x, case.y)
    ref = naive_ref(C, case.gamma, case.window, alignment=case.gamma > 0)
    got = soft_dtw_from_cost(C, gamma=case.gamma, window=case.window)
    assert_value(got, ref.value, ref.scale, "soft_dtw_from_cost")
    if case.gamma > 0:
        got, E = soft_dtw_from_cost(
            C, gamma=case.gamma, window=case.window, return_alignment=True
        )
        assert_value(got, ref.value, ref.scale, "soft_dtw_from_cost value")
        assert_array(E, ref.E, _alignment_atol(ref), "soft_dtw_from_cost E")


@pytest.mark.parametrize("case", _params(COST_CASES))
def test_soft_dtw_from_cost_real_costs(case):
    ref = naive_ref(case.C, case.gamma, case.window, alignment=case.gamma > 0)
    got = soft_dtw_from_cost(case.C, gamma=case.gamma, window=case.window)
    assert_value(got, ref.value, ref.scale, "soft_dtw_from_cost")
    if case.gamma > 0:
        got, E = soft_dtw_from_cost(
            case.C, gamma=case.gamma, window=case.window, return_alignment=True
        )
        assert_value(got, ref.value, ref.scale, "soft_dtw_from_cost value")
        assert_array(E, ref.E, _alignment_atol(ref), "soft_dtw_from_cost E")


@pytest.mark.parametrize("case", _params(PAIR_CASES))
def test_soft_dtw_divergence(case):
    value, scale = divergence_ref(case.x, case.y, case.gamma, case.window)
    got = soft_dtw_divergence(case.x, case.y, gamma=case.gamma, window=case.window)
    assert_value(got, value, scale, "soft_dtw_divergence")
    assert got >= 0.0, f"negative divergence {got!r}"
    if np.array_equal(case.x, case.y):
        assert got == 0.0


@pytest.mark.parametrize("case", _params(PAIR_CASES))
def test_soft_dtw_divergence_of_a_series_with_itself_is_zero(case):
    for s in (case.x, case.y):
        got = soft_dtw_divergence(s, s.copy(), gamma=case.gamma, window=case.window)
        assert got == 0.0, f"D(s, s) = {got!r}"


@pytest.mark.parametrize("case", _params(PAIR_CASES))
def test_dtw(case):
    C = sq_cost(case.x, case.y)
    ref = naive_ref(C, 0.0, case.window)
    assert_value(dtw(case.x, case.y, window=case.window), ref.value, ref.scale, "dtw")
    value, path = dtw(case.x, case.y, window=case.window, return_path=True)
    assert_value(value, ref.value, ref.scale, "dtw(return_path=True) value")
    path = np.asarray(path)
    n, m = C.shape
    assert path.ndim == 2 and path.shape[1] == 2, path.shape
    assert tuple(path[0]) == (0, 0) and tuple(path[-1]) == (n - 1, m - 1), path
    steps = {tuple(int(v) for v in s) for s in np.diff(path, axis=0)}
    assert steps <= {(1, 0), (0, 1), (1, 1)}, f"bad steps {steps}"
    mask = window_mask(n, m, case.window)
    if mask is not None:
        assert all(mask[i, j] for i, j in path), "path leaves the band"
    cost = math.fsum(C[i, j] for i, j in path)
    assert_value(cost, ref.value, ref.scale, "cost of the dtw path")


# -------------------------------------------------------------- matrices


@pytest.mark.parametrize("divergence", [False, True], ids=["sdtw", "div"])
@pytest.mark.parametrize("against", ["self", "Y"])
@pytest.mark.parametrize("case", _params(DATA_CASES))
def test_pairwise_soft_dtw(case, against, divergence):
    Y = None if against == "self" else case.Y
    ref, tol = naive_matrix(
        case.X, case.X if Y is None else Y, case.gamma, case.window, divergence
    )
    got = pairwise_soft_dtw(
        case.X, Y, gamma=case.gamma, window=case.window, divergence=divergence
    )
    assert_array(
        got, ref, tol, f"pairwise_soft_dtw(Y={against}, divergence={divergence})"
    )
    if divergence:
        assert np.all(got >= 0.0), f"negative divergences: {got[got < 0]}"
        if Y is None:
            assert np.all(np.diag(got) == 0.0), np.diag(got)


@pytest.mark.parametrize("against", ["None", "X", "copy-of-X"])
@pytest.mark.parametrize("case", _params(DATA_CASES))
def test_pairwise_divergence_against_itself_has_zero_diagonal(case, against):
    Y = {"None": None, "X": case.X, "copy-of-X": [s.copy() for s in case.X]}[against]
    got = pairwise_soft_dtw(
        case.X, Y, gamma=case.gamma, window=case.window, divergence=True
    )
    assert np.all(np.diag(got) == 0.0), f"Y={against}: diagonal {np.diag(got)}"
    assert np.all(got >= 0.0), f"Y={against}: negative divergences {got[got < 0]}"


def _chunked(case, Y, divergence):
    n_cols = len(case.X if Y is None else Y)
    # Two rows per block: several blocks (rows = working_memory * 2**20 / (8 n_y)).
    blocks = list(
        pairwise_soft_dtw_chunked(
            case.X,
            Y,
            working_memory=2 * 8 * n_cols / 2**20,
            gamma=case.gamma,
            window=case.window,
            divergence=divergence,
        )
    )
    assert len(blocks) == -(-len(case.X) // 2), [b.shape for b in blocks]
    return np.concatenate(blocks)


@pytest.mark.parametrize("divergence", [False, True], ids=["sdtw", "div"])
@pytest.mark.parametrize("against", ["self", "Y"])
@pytest.mark.parametrize("case", _params(DATA_CASES))
def test_pairwise_soft_dtw_chunked(case, against, divergence):
    Y = None if against == "self" else case.Y
    got = _chunked(case, Y, divergence)
    ref, tol = naive_matrix(
        case.X, case.X if Y is None else Y, case.gamma, case.window, divergence
    )
    assert_array(got, ref, tol, "pairwise_soft_dtw_chunked")


@pytest.mark.parametrize("divergence", [False, True], ids=["sdtw", "div"])
@pytest.mark.parametrize("against", ["self", "Y"])
@pytest.mark.parametrize("case", _params(DATA_CASES))
def test_pairwise_soft_dtw_chunked_equals_pairwise_bits(case, against, divergence):
    Y = None if against == "self" else case.Y
    got = _chunked(case, Y, divergence)
    full = pairwise_soft_dtw(
        case.X, Y, gamma=case.gamma, window=case.window, divergence=divergence
    )
    diff = got != full
    assert not diff.any(), (
        f"{int(diff.sum())} of {diff.size} entries differ, max |diff| "
        f"{np.abs(got - full)[diff].max():.3g}: {got[diff]!r} vs {full[diff]!r}"
    )


@pytest.mark.parametrize("divergence", [False, True], ids=["sdtw", "div"])
@pytest.mark.parametrize("case", _params(DATA_CASES))
def test_paired_soft_dtw(case, divergence):
    got = paired_soft_dtw(
        case.X, case.P, gamma=case.gamma, window=case.window, divergence=divergence
    )
    ref = np.empty(len(case.X))
    tol = np.empty(len(case.X))
    for k, (x, y) in enumerate(zip(case.X, case.P, strict=True)):
        if divergence:
            ref[k], scale = divergence_ref(x, y, case.gamma, case.window)
        else:
            r = pair_ref(x, y, case.gamma, case.window)
            ref[k], scale = r.value, r.scale
        tol[k] = _value_tol(scale)
    assert_array(got, ref, tol, "paired_soft_dtw")
    if divergence:
        assert np.all(got >= 0.0), got


# ------------------------------------------------------------- barycenter


@pytest.mark.parametrize("divergence", [False, True], ids=["sdtw", "div"])
@pytest.mark.parametrize("case", _params(SMOOTH_DATA))
def test_barycenter_objective(case, divergence):
    rng = np.random.default_rng(len(case.X))
    weights = rng.uniform(0.5, 2.0, size=len(case.X))
    coef = weights / weights.sum() / np.array([len(x) for x in case.X])
    z, gamma, window = case.z, case.gamma, case.window
    value, grad = barycenter_objective(z, case.X, coef, gamma, window, divergence)
    ref_value, scale = 0.0, 0.0
    ref_grad, atol = np.zeros(as_2d(z).shape), 0.0
    for c, x in zip(coef, case.X, strict=True):
        v, s, gz, az, _, _ = naive_grads(z, x, gamma, window)
        ref_value, scale = ref_value + c * v, scale + c * s
        ref_grad, atol = ref_grad + c * as_2d(gz), atol + c * az
        if divergence:
            _, s_zz, g1, a1, g2, a2 = naive_grads(z, z, gamma, window)
            r_xx = pair_ref(x, x, gamma, window)
            v_zz = pair_ref(z, z, gamma, window).value
            ref_value -= 0.5 * c * (v_zz + r_xx.value)
            scale += c * (s_zz + r_xx.scale)
            ref_grad -= 0.5 * c * (as_2d(g1) + as_2d(g2))
            atol += 0.5 * c * (a1 + a2)
    assert_value(value, ref_value, scale, "barycenter objective")
    assert_array(grad, ref_grad, atol, "barycenter gradient")


# ------------------------------------------------------------------ torch


@pytest.mark.parametrize("divergence", [False, True], ids=["sdtw", "div"])
@pytest.mark.parametrize("case", _params(SMOOTH_DATA))
def test_torch_loss(case, divergence):
    torch = pytest.importorskip("torch")
    from softdtw_learn.torch import SoftDTWLoss

    index = DATA_CASES.index(case)
    reduction = ("mean", "sum", "none")[(index + divergence) % 3]
    use_lengths = index % 2 == 1  # else NaN padding
    target_grad = (index + divergence) % 2 == 0
    univariate = np.ndim(case.X[0]) == 1
    fill = 123.0 if use_lengths else np.nan
    x_arr, y_arr = padded(case.X, fill), padded(case.P, fill)
    if univariate:
        x_arr, y_arr = x_arr[:, :, 0], y_arr[:, :, 0]
    x = torch.tensor(x_arr, dtype=torch.float64, requires_grad=True)
    y = torch.tensor(y_arr, dtype=torch.float64, requires_grad=target_grad)
    kwargs = {}
    if use_lengths:
        kwargs = {
            "input_lengths": [len(s) for s in case.X],
            "target_lengths": [len(s) for s in case.P],
        }
    loss_fn = SoftDTWLoss(
        case.gamma, divergence=divergence, window=case.window, reduction=reduction
    )
    loss = loss_fn(x, y, **kwargs)

    batch = len(case.X)
    weights = {"mean": np.full(batch, 1.0 / batch), "sum": np.ones(batch)}.get(
        reduction, np.random.default_rng(index).uniform(0.5, 2.0, size=batch)
    )
    values, scales = np.empty(batch), np.empty(batch)
    ref_x, ref_y = np.zeros(padded(case.X).shape), np.zeros(padded(case.P).shape)
    atol_x, atol_y = np.zeros(batch), np.zeros(batch)
    for b, (xs, ys) in enumerate(zip(case.X, case.P, strict=True)):
        if divergence:
            values[b], scales[b] = divergence_ref(xs, ys, case.gamma, case.window)
            gx, ax, gy, ay = naive_divergence_grads(xs, ys, case.gamma, case.window)
        else:
            values[b], scales[b], gx, ax, gy, ay = naive_grads(
                xs, ys, case.gamma, case.window
            )
        ref_x[b, : len(xs)] = weights[b] * as_2d(gx)
        ref_y[b, : len(ys)] = weights[b] * as_2d(gy)
        atol_x[b], atol_y[b] = weights[b] * ax, weights[b] * ay
    if univariate:
        ref_x, ref_y = ref_x[:, :, 0], ref_y[:, :, 0]
    shape_x = (batch,) + (1,) * (ref_x.ndim - 1)
    shape_y = (batch,) + (1,) * (ref_y.ndim - 1)

    if reduction == "none":
        assert_array(loss.detach().numpy(), values, VALUE_RTOL * scales, "SoftDTWLoss")
        loss.backward(torch.tensor(weights))
    else:
        scale = float(weights @ scales) if reduction == "mean" else float(scales.sum())
        assert_value(
            loss.item(), float(weights @ values), scale, f"SoftDTWLoss {reduction}"
        )
        loss.backward()
    assert_array(
        x.grad.numpy(), ref_x, atol_x.reshape(shape_x), "SoftDTWLoss input.grad"
    )
    if target_grad:
        assert_array(
            y.grad.numpy(), ref_y, atol_y.reshape(shape_y), "SoftDTWLoss target.grad"
        )
    else:
        assert y.grad is None


# ------------------------------------------------------------ command line


def _write_csv(path, series):
    width = max(len(s) for s in series)
    rows = [[repr(float(v)) for v in s] + [""] * (width - len(s)) for s in series]
    path.write_text("".join(",".join(row) + "\n" for row in rows))
    return str(path)


@pytest.mark.parametrize("against", ["self", "Y"])
@pytest.mark.parametrize("case", _params(UNIVARIATE_DATA))
def test_cli_distance(case, against, tmp_path, capsys):
    from softdtw_learn import cli

    index = DATA_CASES.index(case)
    divergence = (index + (against == "Y")) % 2 == 1
    out = tmp_path / ("d.npy" if against == "self" else "d.csv")
    argv = ["distance", _write_csv(tmp_path / "x.csv", case.X)]
    if against == "Y":
        argv.append(_write_csv(tmp_path / "y.csv", case.Y))
    argv += ["--gamma", repr(case.gamma), "--n-jobs", "1", "-o", str(out)]
    if case.window is not None:
        assert case.window != 1.0  # the command line reads "1.0" as 1 cell
        argv += ["--window", repr(case.window)]
    if divergence:
        argv.append("--divergence")
    assert cli.main(argv) == 0, capsys.readouterr().err
    got = (
        np.load(out)
        if out.suffix == ".npy"
        else np.loadtxt(out, delimiter=",", ndmin=2)
    )
    Y = case.X if against == "self" else case.Y
    ref, tol = naive_matrix(case.X, Y, case.gamma, case.window, divergence)
    assert_array(got, ref, tol, f"softdtw-learn distance (divergence={divergence})")
