import sys

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib", reason="the plot extra is not installed")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from softdtw_learn import plotting  # noqa: E402
from softdtw_learn.metrics import soft_dtw_alignment  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_alignment_image_is_the_expected_alignment(rng):
    x, y = rng.normal(size=(9, 2)), rng.normal(size=(6, 2))
    ax = plotting.plot_alignment(x, y, gamma=0.3, window=3)
    _, E = soft_dtw_alignment(x, y, gamma=0.3, window=3)
    np.testing.assert_array_equal(ax.images[0].get_array(), E)


def test_barycenter_and_clusters_draw_every_series(rng):
    X = [rng.normal(size=k) for k in (5, 8, 6)]
    ax = plotting.plot_barycenter(X, np.zeros(7), title="t")
    assert [len(line.get_xdata()) for line in ax.lines] == [5, 8, 6, 7]
    assert ax.get_title() == "t"
    axes = plotting.plot_clusters(X, [1, 0, 1], [np.zeros(4), np.ones(3)])
    assert [len(a.lines) for a in axes] == [2, 3]
    assert axes[1].get_title() == "cluster 1 (2 series)"


def test_bad_labels_and_too_few_axes_are_rejected(rng):
    X = rng.normal(size=(3, 5))
    with pytest.raises(ValueError, match="one cluster index per series"):
        plotting.plot_clusters(X, [0, 1], X[:2])
    _, ax = plt.subplots()
    with pytest.raises(ValueError, match="one axes per cluster"):
        plotting.plot_clusters(X, [0, 1, 1], X[:2], axes=[ax])


@pytest.mark.parametrize(
    "labels", [[1, 1, 2, 2, 3, 3], list("aabbcc"), [0, 0, 1, 1, 2, 2], [-1, 0] * 3]
)
def test_labels_outside_the_clusters_are_rejected(rng, labels):
    X = rng.normal(size=(6, 10))
    with pytest.raises(ValueError, match=r"cluster indices in 0 \.\. 1"):
        plotting.plot_clusters(X, labels, X[:2])


def test_channels_and_caps_are_checked(rng):
    X3 = rng.normal(size=(6, 10, 2))
    with pytest.raises(ValueError, match=r"channel=2 is beyond X, which has 2"):
        plotting.plot_barycenter(X3, X3[0], channel=2)
    with pytest.raises(ValueError, match=r"one number of channels; got X 2, bary"):
        plotting.plot_barycenter(X3, X3[0, :, 0], channel=1)
    with pytest.raises(ValueError, match="channel must be an int >= 0, got 1.0"):
        plotting.plot_clusters(X3, [0] * 6, X3[:1], channel=1.0)
    with pytest.raises(ValueError, match="max_series must be an int >= 0, got -1"):
        plotting.plot_barycenter(X3, X3[0], max_series=-1)
    ax = plotting.plot_barycenter(X3, X3[0], channel=1, max_series=4)
    assert len(ax.lines) == 5
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), X3[0, :, 1])


def test_missing_matplotlib_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"softdtw_learn\[plot\]"):
        plotting.plot_barycenter([[0.0, 1.0]], [0.0, 1.0])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        # A (1, 20) barycenter is 1 step of 20 channels: drawn as one point.
        (
            lambda X: plotting.plot_barycenter(X, X.mean(0)[None, :]),
            "got X 1, barycenter 20",
        ),
        (
            lambda X: plotting.plot_clusters(
                np.stack([X, X], axis=2), [0] * 5 + [1] * 5, X[:2]
            ),
            "got X 2, centers 1",
        ),
        (lambda X: plotting.plot_clusters(X, [0] * 10, []), "centers is empty"),
        (lambda X: plotting.plot_barycenter(X, X[0], ax="x"), "ax must be a matplot"),
        (lambda X: plotting.plot_alignment(X[0], X[1], ax=42), "ax must be a matplot"),
        (
            lambda X: plotting.plot_clusters(X, [0] * 10, X[:1], axes=[None]),
            r"axes\[0\] must be a matplotlib Axes",
        ),
        (
            lambda X: plotting.plot_clusters(X, [0] * 10, X[:1], axes="a"),
            "axes must be matplotlib Axes",
        ),
        (
            lambda X: plotting.plot_alignment(X[0], X[1], cmap="nope"),
            "cmap='nope' is not a matplotlib colour map",
        ),
        (
            lambda X: plotting.plot_clusters(
                X, np.array([0] * 9 + [2**70], dtype=object), X[:2]
            ),
            "labels must be cluster indices",
        ),
    ],
)
def test_mismatched_series_and_bad_axes_are_refused_and_leave_no_figure(
    rng, call, message
):
    X = rng.normal(size=(10, 20))
    before = plt.get_fignums()
    with pytest.raises(ValueError, match=message):
        call(X)
    assert plt.get_fignums() == before  # no empty figure left open


def test_integer_labels_held_as_objects_are_cluster_indices(rng):
    X = rng.normal(size=(4, 6))
    labels = np.array([0, 0, 1, 1], dtype=object)
    axes = plotting.plot_clusters(X, labels, X[[0, 2]])
    assert [ax.get_title() for ax in axes] == [
        "cluster 0 (2 series)",
        "cluster 1 (2 series)",
    ]


def test_alignment_figure_of_its_own_holds_everything_it_draws(rng):
    # The series and the title had been drawn outside the canvas.
    ax = plotting.plot_alignment(rng.normal(size=20), rng.normal(size=15), gamma=0.1)
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    width, height = fig.canvas.get_width_height()
    for part in [ax, *ax.child_axes]:
        box = part.get_tightbbox(renderer)
        assert box.x0 >= 0 and box.y0 >= 0
        assert box.x1 <= width and box.y1 <= height
