"""Compile every Numba kernel up front: :func:`warm_up`, ``softdtw-learn warmup``.

The kernels are compiled by Numba the first time each one runs, which takes
tens of seconds once in a fresh environment; the compiled code is cached on
disk (``cache=True``), so later processes load it in well under a second.
:func:`warm_up` pays that cost in one go, behind a progress bar, by calling
every public entry point once on tiny inputs.
"""

import time
import warnings

import numpy as np


def _steps():
    """Return the warm-up table: ``(label, callable)`` pairs, run in order.

    Each callable runs one public entry point on tiny inputs (length 4-5,
    3-4 series), univariate and with 2 channels where a distinct compilation
    is likely. Add a row here when a new kernel appears.
    """
    from .barycenter import soft_dtw_barycenter
    from .cluster import SoftDTWKMeans
    from .forecasting import SoftDTWMLPRegressor
    from .metrics import (
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
    from .neighbors import SoftDTWKNeighborsClassifier, SoftDTWNearestCentroid

    rng = np.random.default_rng(0)
    x, y = rng.normal(size=5), rng.normal(size=4)
    x2, y2 = rng.normal(size=(5, 2)), rng.normal(size=(4, 2))
    X, Y = rng.normal(size=(4, 5)), rng.normal(size=(3, 4))
    X2, Y2 = rng.normal(size=(4, 5, 2)), rng.normal(size=(3, 4, 2))
    C = (x[:, None] - y[None, :]) ** 2
    long = rng.normal(size=(1, 260))  # gradients of 260 x 260 take the strips
    labels = np.array([0, 0, 1, 1])
    g = 0.1
    return [
        ("soft_dtw", lambda: soft_dtw(x, y, gamma=g)),
        ("soft_dtw, 2 channels", lambda: soft_dtw(x2, y2, gamma=g)),
        ("soft_dtw, gamma=0", lambda: soft_dtw(x, y, gamma=0.0)),
        ("soft_dtw_grad", lambda: soft_dtw_grad(x, y, gamma=g)),
        ("soft_dtw_grad, 2 channels", lambda: soft_dtw_grad(x2, y2, gamma=g)),
        ("soft_dtw_alignment", lambda: soft_dtw_alignment(x, y, gamma=g)),
        ("soft_dtw_from_cost", lambda: soft_dtw_from_cost(C, gamma=g)),
        (
            "soft_dtw_from_cost, alignment",
            lambda: soft_dtw_from_cost(C, gamma=g, return_alignment=True),
        ),
        ("soft_dtw_divergence", lambda: soft_dtw_divergence(x, y, gamma=g)),
        ("dtw", lambda: dtw(x, y)),
        ("dtw, return_path", lambda: dtw(x, y, return_path=True)),
        ("pairwise_soft_dtw", lambda: pairwise_soft_dtw(X, gamma=g)),
        ("pairwise_soft_dtw, Y", lambda: pairwise_soft_dtw(X, Y, gamma=g)),
        ("pairwise_soft_dtw, 2 channels", lambda: pairwise_soft_dtw(X2, Y2, gamma=g)),
        (
            "pairwise_soft_dtw, divergence",
            lambda: pairwise_soft_dtw(X, gamma=g, divergence=True),
        ),
        (
            "pairwise_soft_dtw, n_jobs=-1",
            lambda: pairwise_soft_dtw(X, Y, gamma=g, n_jobs=-1),
        ),
        ("pairwise_soft_dtw, gamma=0", lambda: pairwise_soft_dtw(X, gamma=0.0)),
        (
            "pairwise_soft_dtw_chunked",
            lambda: list(pairwise_soft_dtw_chunked(X, Y, gamma=g)),
        ),
        ("paired_soft_dtw", lambda: paired_soft_dtw(X[:3, :4], Y, gamma=g)),
        (
            "paired_soft_dtw, divergence",
            lambda: paired_soft_dtw(X[:3, :4], Y, gamma=g, divergence=True),
        ),
        ("paired_soft_dtw, gamma=0", lambda: paired_soft_dtw(X[:3, :4], Y, gamma=0.0)),
        ("soft_dtw_barycenter", lambda: soft_dtw_barycenter(X, gamma=g, max_iter=3)),
        (
            "soft_dtw_barycenter, series beyond a lanes table",
            lambda: soft_dtw_barycenter(long, gamma=g, max_iter=1),
        ),
        (
            "soft_dtw_barycenter, 2 channels",
            lambda: soft_dtw_barycenter(X2, gamma=g, max_iter=3),
        ),
        (
            "soft_dtw_barycenter, divergence",
            lambda: soft_dtw_barycenter(X, gamma=g, divergence=True, max_iter=3),
        ),
        (
            "SoftDTWKMeans",
            lambda: SoftDTWKMeans(
                2, max_iter=2, max_iter_barycenter=3, random_state=0
            ).fit(X),
        ),
        (
            "SoftDTWNearestCentroid",
            lambda: SoftDTWNearestCentroid(max_iter=3).fit(X, labels).predict(X),
        ),
        (
            "SoftDTWKNeighborsClassifier",
            lambda: SoftDTWKNeighborsClassifier().fit(X, labels).predict(X),
        ),
        (
            "SoftDTWMLPRegressor",
            lambda: SoftDTWMLPRegressor((3,), gamma=g, max_iter=1, random_state=0).fit(
                X[:, :3], X[:, 3:]
            ),
        ),
    ]


def warm_up(progress=True):
    """Compile every Numba kernel now, so that no later call waits for it.

    The first call of each kernel compiles it, which takes tens of seconds
    once in a fresh environment (the first call of a function seems to hang
    meanwhile). Numba caches the result on disk, so later processes load it
    in well under a second. This calls every public function and estimator
    once on tiny inputs; ``softdtw-learn warmup`` runs it from the shell,
    e.g. after installing the package or building a container image.

    Parameters
    ----------
    progress : bool, default=True
        Show a progress bar (tqdm, on stderr) with the step being compiled.

    Returns
    -------
    seconds : dict of str to float
        Wall time of each step, by label, in the order run. With a warm
        cache each takes milliseconds.
    """
    from tqdm import tqdm

    steps = _steps()
    seconds = {}
    with (
        tqdm(steps, disable=not progress, leave=False, unit="step") as bar,
        warnings.catch_warnings(),
    ):
        # Short runs on tiny data: convergence warnings are expected.
        warnings.simplefilter("ignore")
        for label, func in bar:
            bar.set_description(label)
            start = time.perf_counter()
            func()
            seconds[label] = time.perf_counter() - start
    return seconds
