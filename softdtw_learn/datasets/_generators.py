"""Synthetic datasets."""

import numpy as np
from sklearn.utils import check_random_state

from ..utils import check_int


def make_cylinder_bell_funnel(n_samples=300, *, length=128, random_state=None):
    """Generate the Cylinder-Bell-Funnel dataset (Saito, 1994).

    With ``a ~ U[16, 32]``, ``b - a ~ U[32, 96]`` (scaled by ``length / 128``),
    ``eta, eps(t) ~ N(0, 1)`` and ``chi`` the indicator of ``[a, b]``:

    - cylinder (label 0): ``(6 + eta) chi(t) + eps(t)``;
    - bell (label 1): ``(6 + eta) chi(t) (t - a) / (b - a) + eps(t)``;
    - funnel (label 2): ``(6 + eta) chi(t) (b - t) / (b - a) + eps(t)``.

    Parameters
    ----------
    n_samples : int, default=300
        Number of series; the classes are balanced (sizes differ by at most
        one) and shuffled.
    length : int, default=128
        Length of each series, at least 8.
    random_state : int, RandomState instance or None, default=None
        Seed for reproducible output.

    Returns
    -------
    X : ndarray of shape (n_samples, length)
    y : ndarray of shape (n_samples,)
        0 cylinder, 1 bell, 2 funnel.

    References
    ----------
    N. Saito. Local feature extraction and its application using a library of
    bases. PhD thesis, Yale University, 1994.

    Examples
    --------
    >>> from softdtw_learn.datasets import make_cylinder_bell_funnel
    >>> X, y = make_cylinder_bell_funnel(30, random_state=0)
    >>> X.shape, sorted(set(y.tolist()))
    ((30, 128), [0, 1, 2])
    """
    n_samples = check_int(n_samples, "n_samples", low=1)
    length = check_int(length, "length", low=8)
    rng = check_random_state(random_state)
    y = rng.permutation(np.arange(n_samples) % 3)
    scale = length / 128.0
    start = rng.uniform(16, 32, size=n_samples) * scale
    end = start + rng.uniform(32, 96, size=n_samples) * scale
    height = 6.0 + rng.normal(size=n_samples)
    noise = rng.normal(size=(n_samples, length))
    t = np.arange(length)[None, :]
    a, b = start[:, None], end[:, None]
    inside = (t >= a) & (t <= b)
    ramp = (t - a) / (b - a)
    shape = np.select([y[:, None] == 0, y[:, None] == 1], [1.0, ramp], 1.0 - ramp)
    X = height[:, None] * inside * shape + noise
    return X, y
