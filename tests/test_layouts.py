"""Data as the neighbouring libraries hold it, into every estimator.

tslearn's (n, T, d) arrays go in as they are; aeon's and sktime's
channel-first arrays through ``from_channels_first``; sktime's nested frames
through ``from_nested_dataframe``; long frames through
``from_long_dataframe``; wide frames and ragged lists as they are. Each
layout must give the model the tslearn array gives.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import ConvergenceWarning

from softdtw_learn.cluster import SoftDTWKMeans
from softdtw_learn.datasets import (
    from_long_dataframe,
    from_nested_dataframe,
    make_cylinder_bell_funnel,
    to_long_dataframe,
)
from softdtw_learn.forecasting import SoftDTWMLPRegressor
from softdtw_learn.metrics import pairwise_soft_dtw
from softdtw_learn.neighbors import (
    SoftDTWKNeighborsClassifier,
    SoftDTWNearestCentroid,
    SoftDTWNearestCentroidCV,
)
from softdtw_learn.preprocessing import TimeSeriesStandardScaler
from softdtw_learn.utils import (
    LayoutWarning,
    from_channels_first,
    pad_to_common_width,
    to_channels_first,
)

X_UNI, Y = make_cylinder_bell_funnel(12, length=20, random_state=0)
X_MULTI = np.stack([X_UNI, X_UNI[:, ::-1] * 0.5], axis=2)  # (12, 20, 2)


def _nested(X):
    """sktime's nested_univ frame of a (n, T, d) array."""
    return pd.DataFrame(
        {f"dim_{c}": [pd.Series(x[:, c]) for x in X] for c in range(X.shape[2])}
    )


# Each layout: (data as the neighbour holds it, conversion to ours).
LAYOUTS = {
    "tslearn array": (lambda X: X, lambda data: data),
    "aeon array": (to_channels_first, from_channels_first),
    "aeon list of cases": (
        lambda X: [x.T for x in X],
        from_channels_first,
    ),
    "sktime nested frame": (_nested, from_nested_dataframe),
    "long frame": (
        lambda X: to_long_dataframe(X),
        lambda df: from_long_dataframe(
            df,
            id_col="id",
            time_col="time",
            value_cols=[c for c in df.columns if c not in ("id", "time")],
        )[0],
    ),
    "ragged list": (lambda X: [x for x in X], lambda data: data),
    # One column per time step: univariate only.
    "pandas wide frame": (lambda X: pd.DataFrame(X[:, :, 0]), lambda data: data),
}

ESTIMATORS = {
    "kmeans": lambda: SoftDTWKMeans(3, gamma=1.0, max_iter=3, random_state=0),
    "nearest centroid": lambda: SoftDTWNearestCentroid(gamma=1.0, max_iter=5),
    "knn": lambda: SoftDTWKNeighborsClassifier(3, gamma=1.0),
    "scaler": lambda: TimeSeriesStandardScaler(),
    "forecaster": lambda: SoftDTWMLPRegressor(
        (4,), gamma=1.0, max_iter=5, random_state=0
    ),
    "nearest centroid CV": lambda: SoftDTWNearestCentroidCV(
        gammas=(1.0, 0.1), cv=2, max_iter=5
    ),
}


def _outputs(make, X):
    model = make()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if isinstance(model, TimeSeriesStandardScaler):
            return [np.asarray(model.fit(X).transform(X))]
        if isinstance(model, SoftDTWMLPRegressor):
            # Inputs: the first 14 steps; targets: the rest (one channel).
            data = np.asarray(X, dtype=float)
            data = data[:, :, None] if data.ndim == 2 else data  # 2-D: univariate
            inputs, targets = data[:, :14], data[:, 14:, :1]
            return [model.fit(inputs, targets).predict(inputs)]
        model.fit(X, None if isinstance(model, SoftDTWKMeans) else Y)
    outputs = [model.predict(X)]
    if hasattr(model, "transform"):
        outputs.append(model.transform(X))
    if hasattr(model, "predict_proba"):
        outputs.append(model.predict_proba(X))
    return outputs


# A network takes one input width: lists of series do not apply to it; a
# wide frame holds one channel.
CASES = [
    (layout, estimator, channels)
    for layout in LAYOUTS
    for estimator in ESTIMATORS
    for channels in ("univariate", "multivariate")
    if not (estimator == "forecaster" and "list" in layout)
    and not (layout == "pandas wide frame" and channels == "multivariate")
]


@pytest.mark.parametrize(("layout", "estimator", "channels"), CASES)
def test_every_layout_gives_the_tslearn_model(layout, estimator, channels):
    X = X_MULTI if channels == "multivariate" else X_UNI[:, :, None]
    held, convert = LAYOUTS[layout]
    data = convert(held(X))
    expected = _outputs(ESTIMATORS[estimator], X)
    got = _outputs(ESTIMATORS[estimator], data)
    for a, b in zip(expected, got, strict=True):
        np.testing.assert_allclose(np.reshape(b, np.shape(a)), a, rtol=1e-12)


def test_wide_frame_is_read_as_rows_of_series():
    frame = pd.DataFrame(X_UNI, columns=[f"t{k}" for k in range(20)])
    km = SoftDTWKMeans(3, max_iter=3, random_state=0)
    np.testing.assert_array_equal(
        km.fit(frame).predict(frame),
        SoftDTWKMeans(3, max_iter=3, random_state=0).fit(X_UNI).predict(X_UNI),
    )


def test_ragged_lists_are_padded_as_the_metrics_read_them():
    series = [X_UNI[k, : 12 + k % 5] for k in range(12)]
    knn = SoftDTWKNeighborsClassifier(1, gamma=0.5).fit(series, Y)
    assert knn.n_features_in_ == 16
    expected = pairwise_soft_dtw(series[:4], series, gamma=0.5).argmin(axis=1)
    np.testing.assert_array_equal(knn.predict(series[:4]), Y[expected])
    # Shorter query lists are padded to the training width.
    np.testing.assert_array_equal(knn.predict([s[:10] for s in series[:2]]).shape, (2,))
    km = SoftDTWKMeans(2, max_iter=3, random_state=0).fit(series)
    assert km.cluster_centers_.shape == (2, 16)


def test_width_errors_name_the_padding_helper():
    knn = SoftDTWKNeighborsClassifier().fit(X_UNI[:, :15], Y)
    with pytest.raises(ValueError, match=r"pad_to_common_width\(X_train, X_new\)"):
        knn.predict(X_UNI)  # an array of longer series: scikit-learn's rule
    assert knn.predict(list(X_UNI)).shape == (12,)  # a list: any lengths
    with pytest.raises(ValueError, match="X has 10 features, but SoftDTWKNeighbors"):
        knn.predict(X_UNI[:, :10])
    train, test = pad_to_common_width(X_UNI[:, :15], X_UNI)
    knn = SoftDTWKNeighborsClassifier().fit(train, Y)
    assert knn.predict(test).shape == (12,)


def test_pad_to_common_width():
    a, b, c = pad_to_common_width(X_UNI[:, :5], [X_UNI[0, :7]], X_MULTI[:, :3, :1])
    assert a.shape == (12, 7) and b.shape == (1, 7) and c.shape == (12, 7, 1)
    assert np.isnan(a[:, 5:]).all() and np.array_equal(a[:, :5], X_UNI[:, :5])
    with pytest.raises(ValueError, match="different numbers of channels"):
        pad_to_common_width(X_UNI, X_MULTI)
    with pytest.raises(ValueError, match="at least one dataset"):
        pad_to_common_width()


def test_channel_first_arrays_read_as_they_are_warn():
    aeon = to_channels_first(X_MULTI)  # (12, 2, 20): 2 time steps of 20 channels
    with pytest.warns(LayoutWarning, match=r"from_channels_first\(X\)"):
        SoftDTWKMeans(2, max_iter=2, random_state=0).fit(aeon)
    with pytest.warns(LayoutWarning, match=r"shape \(12, 2, 20\)"):
        pairwise_soft_dtw(aeon)
    with warnings.catch_warnings():
        warnings.simplefilter("error", LayoutWarning)
        pairwise_soft_dtw(X_MULTI)  # time-major: no warning
        pairwise_soft_dtw(from_channels_first(aeon))


def test_channel_conversions_round_trip_and_copy():
    aeon = to_channels_first(X_MULTI)
    assert aeon.shape == (12, 2, 20)
    back = from_channels_first(aeon)
    np.testing.assert_array_equal(back, X_MULTI)
    back[0, 0, 0] = 99.0
    assert aeon[0, 0, 0] != 99.0  # a new array, not a view
    ragged = from_channels_first([np.ones((2, 5)), np.zeros((2, 3))])
    assert ragged.shape == (2, 5, 2) and np.isnan(ragged[1, 3:]).all()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (np.zeros((3, 4)), "must be a channel-first dataset"),
        ([np.zeros(4)], r"X\[0\] must be one case"),
        ([np.zeros((2, 4)), np.zeros((3, 4))], "different numbers of channels"),
        ([["a", "b"]], "must hold real numbers"),
    ],
)
def test_channel_first_errors(data, message):
    with pytest.raises(ValueError, match=message):
        from_channels_first(data)


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pd.DataFrame(), r"df has shape \(0, 0\)"),
        (pd.DataFrame({"a": [1.0, 2.0]}), "not a series: a nested frame"),
        (pd.DataFrame({"a": ["xy"]}), "not a series"),
        (pd.DataFrame({"a": [pd.Series(["x", "y"])]}), "channels must be real numbers"),
        (
            pd.DataFrame({"a": [pd.Series([1.0, 2.0])], "b": [np.ones(3)]}),
            r"df row 0 has channels of lengths \[2, 3\]",
        ),
        (pd.DataFrame({"a": [np.ones((2, 2))]}), "not a series"),
        ([[1.0, 2.0]], "must be a pandas DataFrame"),
    ],
)
def test_nested_frame_errors(frame, message):
    with pytest.raises(ValueError, match=message):
        from_nested_dataframe(frame)


def test_nested_frame_passed_as_is_names_the_converter():
    with pytest.raises(ValueError, match=r"from_nested_dataframe\(X\)"):
        pairwise_soft_dtw(_nested(X_MULTI))
    with pytest.raises(ValueError, match=r"from_nested_dataframe\(X\)"):
        SoftDTWKMeans(2).fit(_nested(X_MULTI))


def test_nested_frame_keeps_lengths_and_order():
    frame = pd.DataFrame(
        {"dim_0": [pd.Series([3.0, 4.0, 5.0], index=[7, 8, 9]), pd.Series([1.0])]},
        index=["b", "a"],
    )
    X = from_nested_dataframe(frame)
    np.testing.assert_array_equal(X[:, :, 0], [[3.0, 4.0, 5.0], [1.0, np.nan, np.nan]])


def test_aeon_unequal_lists_name_the_converter():
    cases = [np.ones((1, 20 + k)) for k in range(4)]  # aeon: (n_channels, n_timepoints)
    with pytest.raises(ValueError, match=r"from_channels_first\(X\)"):
        SoftDTWKMeans(2).fit(cases)
    with pytest.warns(LayoutWarning):  # as an array: 1 step of 30 channels
        pairwise_soft_dtw(np.stack([np.ones((1, 30)), np.zeros((1, 30))]))


def test_internal_lists_do_not_repeat_the_layout_warning():
    aeon = to_channels_first(X_MULTI)  # (12, 2, 20)
    with pytest.warns(LayoutWarning) as caught:
        SoftDTWNearestCentroid(max_iter=3).fit(aeon, Y)
    assert len([w for w in caught if w.category is LayoutWarning]) == 1


def test_list_items_with_trailing_nan_count_their_true_length():
    knn = SoftDTWKNeighborsClassifier().fit(X_UNI[:, :12], Y)
    padded_item = np.r_[X_UNI[0, :12], np.nan, np.nan]
    np.testing.assert_array_equal(
        knn.predict([padded_item]), knn.predict(X_UNI[:1, :12])
    )


def test_narrower_input_is_told_to_pad_not_to_refit():
    knn = SoftDTWKNeighborsClassifier().fit(X_UNI, Y)
    with pytest.raises(ValueError, match=r"Pad the new series to it") as info:
        knn.predict(X_UNI[:, :10])
    assert "fit again" not in str(info.value)


def test_nested_padding_is_nan_in_every_channel_at_once():
    frame = pd.DataFrame(
        {
            "a": [pd.Series([1.0, 2.0, 3.0, np.nan]), pd.Series([1.0, 2.0])],
            "b": [pd.Series([1.0, 2.0, 3.0, 4.0]), pd.Series([1.0, 2.0])],
        }
    )
    with pytest.raises(ValueError, match=r"row 0 .*column 'a' has NaN at time index 3"):
        from_nested_dataframe(frame)
    frame["b"] = [pd.Series([1.0, 2.0, 3.0, np.nan]), pd.Series([1.0, 2.0])]
    X = from_nested_dataframe(frame)  # a step missing in both: padding
    assert X.shape == (2, 4, 2) and np.isnan(X[0, 3]).all()


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        (np.array([1.0 + 2.0j, 3.0]), "complex values"),
        (np.array([]), "an empty series"),
        (np.array([1.0, np.inf]), "holds inf"),
        (np.array([10**400, 1], dtype=object), "within float64's range"),
        (np.array(["1", "2"]), r"dtype <U1 \(text\)"),
        (np.array(["1", 2.0], dtype=object), r"dtype object \(text\)"),
        (np.array([1.0, np.nan, 2.0]), "NaN at time index 1, before its last"),
        (np.array([np.nan, np.nan]), "holds no values"),
    ],
)
def test_nested_cells_that_are_not_real_finite_series(cell, message):
    frame = pd.DataFrame({"dim_0": [pd.Series([1.0, 2.0]), cell]})
    with pytest.raises(ValueError, match=message):
        from_nested_dataframe(frame)


def test_long_frame_default_names_do_not_overwrite_a_column():
    with pytest.raises(ValueError, match="the value column is 'value'"):
        to_long_dataframe(X_UNI[:2], id_col="value")
