"""Figures of series, barycenters, clusters and alignments (extra ``plot``).

Each function draws on a given matplotlib ``Axes`` (or a new figure) and
returns what it drew on, so that figures compose. matplotlib is imported
when a function is called.
"""

import numpy as np

from .metrics import soft_dtw_alignment
from .utils import check_dataset, check_int, check_series, short_repr

__all__ = ["plot_alignment", "plot_barycenter", "plot_clusters"]


def require_pyplot():
    """Return ``matplotlib.pyplot``, or raise an ImportError naming the extra."""
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError(
            "softdtw_learn.plotting needs matplotlib: pip install "
            "'softdtw_learn[plot]' (or pip install matplotlib)."
        ) from None
    return plt


def _series_list(X, name):
    """Return the series of a dataset as (length, n_channels) arrays."""
    data, lengths = check_dataset(X, name)
    return [data[k, : lengths[k]] for k in range(len(data))]


def _check_drawn(channel, max_series, **drawn):
    """Check ``channel`` and the cap; the drawn datasets share their channels."""
    check_int(max_series, "max_series", low=0)
    channel = check_int(channel, "channel", low=0)
    counts = {name: series[0].shape[1] for name, series in drawn.items() if series}
    if len(set(counts.values())) > 1:
        found = ", ".join(f"{name} {n}" for name, n in counts.items())
        raise ValueError(
            f"the drawn series must have one number of channels; got {found}. "
            "A univariate barycenter or centre is (length,) or (length, 1); "
            "several of them are (n, length)."
        )
    for name, n_channels in counts.items():
        if channel >= n_channels:
            raise ValueError(
                f"channel={channel} is beyond {name}, which has {n_channels} "
                f"channel(s) (0 to {n_channels - 1})."
            )
    return channel


def _check_axes(ax, name):
    """Raise unless ``ax`` is a matplotlib Axes."""
    from matplotlib.axes import Axes

    if not isinstance(ax, Axes):
        raise ValueError(
            f"{name} must be a matplotlib Axes (e.g. from plt.subplots()), "
            f"got {short_repr(ax)}."
        )


def _draw_series(ax, series, channel, **style):
    for s in series:
        ax.plot(np.arange(len(s)), s[:, channel], **style)


def plot_barycenter(X, barycenter, *, ax=None, channel=0, max_series=50, title=None):
    """Draw a set of series in grey and their barycenter in red.

    Parameters
    ----------
    X : array-like of shape (n_series, n_timestamps[, n_channels]) or list
        The averaged series (NaN padding or a list for unequal lengths).
    barycenter : array-like of shape (length,) or (length, n_channels)
        The barycenter, e.g. from :func:`softdtw_learn.barycenter.soft_dtw_barycenter`.
    ax : matplotlib Axes, default=None
        Where to draw; None makes a new figure.
    channel : int, default=0
        Channel drawn for multivariate series.
    max_series : int, default=50
        At most this many of the series are drawn.
    title : str, default=None
        Title of the axes.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from softdtw_learn.barycenter import soft_dtw_barycenter
    >>> from softdtw_learn.datasets import load_ecg200
    >>> from softdtw_learn.plotting import plot_barycenter
    >>> X = load_ecg200().X_train[:10]
    >>> ax = plot_barycenter(X, soft_dtw_barycenter(X, gamma=1.0, max_iter=20))
    >>> len(ax.lines)
    11
    """
    plt = require_pyplot()
    series = _series_list(X, "X")
    z = check_series(barycenter, "barycenter")
    channel = _check_drawn(channel, max_series, X=series, barycenter=[z])
    if ax is None:  # after the checks: a refused call leaves no figure open
        _, ax = plt.subplots(figsize=(6, 3))
    _check_axes(ax, "ax")
    series = series[:max_series]
    _draw_series(ax, series, channel, color="0.7", lw=0.8)
    ax.plot(np.arange(len(z)), z[:, channel], color="C3", lw=2.2, label="barycenter")
    if title is not None:
        ax.set_title(title, fontsize=9)
    return ax


def plot_clusters(X, labels, centers, *, axes=None, channel=0, max_series=40):
    """Draw each cluster's members in grey and its centre in red, one panel each.

    Parameters
    ----------
    X : array-like of shape (n_series, n_timestamps[, n_channels]) or list
        The clustered series.
    labels : array-like of shape (n_series,)
        Cluster index of each series, in ``range(len(centers))``.
    centers : array-like of shape (n_clusters, length[, n_channels]) or list
        The cluster centres, e.g. ``SoftDTWKMeans.cluster_centers_``.
    axes : sequence of matplotlib Axes, default=None
        One per cluster; None makes a new figure with one row of panels.
    channel : int, default=0
        Channel drawn for multivariate series.
    max_series : int, default=40
        At most this many members are drawn per cluster.

    Returns
    -------
    axes : list of matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from softdtw_learn.plotting import plot_clusters
    >>> X = np.array([[0.0, 1, 0], [0, 1.1, 0], [1, 0, 1], [1.1, 0, 1]])
    >>> axes = plot_clusters(X, [0, 0, 1, 1], X[[0, 2]])
    >>> [ax.get_title() for ax in axes]
    ['cluster 0 (2 series)', 'cluster 1 (2 series)']
    """
    plt = require_pyplot()
    series = _series_list(X, "X")
    labels = _cluster_indices(labels)
    centres = _series_list(centers, "centers")
    if labels.shape != (len(series),):
        raise ValueError(
            f"labels must hold one cluster index per series ({len(series)}); "
            f"got shape {labels.shape}."
        )
    outside = labels.dtype.kind not in "iu" or (
        len(labels) and not (0 <= labels.min() and labels.max() < len(centres))
    )
    if outside:
        raise ValueError(
            f"labels must be cluster indices in 0 .. {len(centres) - 1} (one per "
            f"centre), got {np.unique(labels)[:10].tolist()}; for class labels, "
            "pass np.unique(labels, return_inverse=True)[1]."
        )
    channel = _check_drawn(channel, max_series, X=series, centers=centres)
    if axes is None:
        _, axes = plt.subplots(
            1, len(centres), figsize=(4 * len(centres), 3), sharey=True, squeeze=False
        )
        axes = axes[0]
    if isinstance(axes, str):
        raise ValueError(f"axes must be matplotlib Axes, got {short_repr(axes)}.")
    axes = list(np.ravel(np.asarray(axes, dtype=object)))
    if len(axes) < len(centres):
        raise ValueError(
            f"need one axes per cluster ({len(centres)}); got {len(axes)}."
        )
    for k, ax in enumerate(axes[: len(centres)]):
        _check_axes(ax, f"axes[{k}]")
    for k, (ax, centre) in enumerate(zip(axes, centres, strict=False)):
        members = [s for s, label in zip(series, labels, strict=True) if label == k]
        _draw_series(ax, members[:max_series], channel, color="0.75", lw=0.6)
        ax.plot(np.arange(len(centre)), centre[:, channel], color="C3", lw=2.2)
        ax.set_title(f"cluster {k} ({len(members)} series)", fontsize=9)
    return axes


def _cluster_indices(labels):
    """``labels`` as an array; integers held as objects become ints."""
    labels = np.asarray(labels)
    if labels.dtype.kind == "O" and all(
        isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))
        for v in labels.ravel()
    ):
        try:
            labels = labels.astype(np.int64)
        except OverflowError:  # beyond int64: no cluster index either
            pass
    return labels


def plot_alignment(x, y, *, gamma=1.0, window=None, ax=None, cmap="Greys"):
    """Heat map of the expected alignment E of two series, with both series.

    E[i, j] is the probability that time step i of ``x`` is matched with step
    j of ``y`` under the Gibbs distribution over alignments (paper section
    2.2); as gamma goes to 0 it concentrates on the optimal DTW path.

    Parameters
    ----------
    x, y : array-like of shape (n,) / (m,) or with channels
        The two series; ``x`` is drawn along the rows (left), ``y`` along the
        columns (top); multivariate series show their first channel.
    gamma : float, default=1.0
        Smoothing, > 0.
    window : int or float, default=None
        Sakoe-Chiba band, as in :func:`softdtw_learn.metrics.soft_dtw`.
    ax : matplotlib Axes, default=None
        Axes for the heat map; the series go in two small axes beside it
        (left of it by half its width, above it by a quarter of its height:
        leave that room in a figure of your own). None makes a new figure with
        the room.
    cmap : str, default="Greys"
        Colour map of E.

    Returns
    -------
    ax : matplotlib Axes
        The heat map's axes.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from softdtw_learn.plotting import plot_alignment
    >>> ax = plot_alignment(np.sin(np.arange(20) / 3), np.sin(np.arange(15) / 2.5))
    >>> ax.images[0].get_array().shape
    (20, 15)
    """
    plt = require_pyplot()
    value, E = soft_dtw_alignment(x, y, gamma=gamma, window=window)
    xs, ys = check_series(x, "x"), check_series(y, "y")
    try:  # a bad name fails before a figure is made
        cmap = plt.get_cmap(cmap)
    except ValueError:
        raise ValueError(
            f"cmap={short_repr(cmap)} is not a matplotlib colour map (e.g. "
            "'Greys', 'viridis')."
        ) from None
    if ax is None:
        # Room on the left and at the top for the series and the title.
        fig, ax = plt.subplots(figsize=(5.5, 5.5))
        fig.subplots_adjust(left=0.36, right=0.96, bottom=0.1, top=0.72)
    _check_axes(ax, "ax")
    ax.imshow(E, cmap=cmap, vmin=0.0, vmax=1.0, aspect="auto", origin="upper")
    ax.set_xlabel("time step of y")
    ax.set_ylabel("time step of x")
    left = ax.inset_axes([-0.5, 0.0, 0.25, 1.0])
    left.plot(xs[:, 0], np.arange(len(xs)), color="C0")
    left.set_ylim(len(xs) - 0.5, -0.5)
    left.set_axis_off()
    top = ax.inset_axes([0.0, 1.04, 1.0, 0.22])
    top.plot(np.arange(len(ys)), ys[:, 0], color="C1")
    top.set_xlim(-0.5, len(ys) - 0.5)
    top.set_axis_off()
    top.set_title(f"E, gamma={gamma:g} (soft-DTW {value:.3g})", fontsize=9)
    return ax
