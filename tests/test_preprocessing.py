import numpy as np
import pandas as pd
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from softdtw_learn.preprocessing import TimeSeriesStandardScaler


@parametrize_with_checks([TimeSeriesStandardScaler()])
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_scaler_normalises_each_series_and_channel(rng):
    X = rng.normal(loc=5, scale=3, size=(4, 20, 2))
    X[1, 15:] = np.nan
    X[2, :, 1] = 7.0  # constant channel
    out = TimeSeriesStandardScaler().fit_transform(X)
    np.testing.assert_allclose(np.nanmean(out, axis=1), 0.0, atol=1e-12)
    std = np.nanstd(out, axis=1)
    np.testing.assert_allclose(np.delete(std.ravel(), 5), 1.0)
    assert std[2, 1] == 0.0 and np.isnan(out[1, 15:]).all()
    assert not np.isnan(out[1, :15]).any()
    only_mean = TimeSeriesStandardScaler(with_std=False).fit_transform(X)
    np.testing.assert_allclose(only_mean[0], X[0] - X[0].mean(axis=0))


def test_scaler_pandas_output(rng):
    X = pd.DataFrame(rng.normal(size=(3, 6)), columns=[f"t{k}" for k in range(6)])
    out = TimeSeriesStandardScaler().set_output(transform="pandas").fit_transform(X)
    assert isinstance(out, pd.DataFrame) and list(out.columns) == list(X.columns)


def test_multichannel_output_stays_an_array_under_pandas_output(rng):
    # A DataFrame holds no (n, T, C) output: pandas raised "Must pass 2-d
    # input" from inside scikit-learn's wrapper, in any pipeline under a
    # global pandas setting.
    import sklearn
    from sklearn.pipeline import make_pipeline

    from softdtw_learn.neighbors import SoftDTWKNeighborsClassifier

    X = rng.normal(size=(6, 8, 2))
    scaler = TimeSeriesStandardScaler().set_output(transform="pandas")
    out = scaler.fit_transform(X)
    assert isinstance(out, np.ndarray) and out.shape == X.shape
    np.testing.assert_array_equal(out, TimeSeriesStandardScaler().fit_transform(X))
    assert not hasattr(scaler, "get_feature_names_out")
    # set_output stays (it had gone with get_feature_names_out).
    assert scaler.set_output(transform="default") is scaler
    one_channel = TimeSeriesStandardScaler().set_output(transform="pandas")
    assert isinstance(one_channel.fit_transform(X[:, :, :1]), np.ndarray)
    with sklearn.config_context(transform_output="pandas"):
        pipe = make_pipeline(TimeSeriesStandardScaler(), SoftDTWKNeighborsClassifier())
        assert pipe.fit(X, [0, 1] * 3).predict(X).tolist() == [0, 1] * 3
        pipe.set_output(transform="default")
        # Univariate data still get a table.
        table = TimeSeriesStandardScaler().fit_transform(X[:, :, 0])
        assert isinstance(table, pd.DataFrame) and table.shape == (6, 8)


def test_multivariate_output_keeps_the_shape_and_input(rng):
    X = rng.normal(size=(3, 10, 4))
    original = X.copy()
    assert TimeSeriesStandardScaler().fit_transform(X).shape == X.shape
    np.testing.assert_array_equal(X, original)


def test_a_table_output_that_cannot_hold_the_series_says_why():

    X = np.random.RandomState(0).normal(size=(4, 6))
    scaler = TimeSeriesStandardScaler().set_output(transform="pandas").fit(X)
    assert isinstance(scaler.transform(X), pd.DataFrame)
    longer = [np.r_[x, x[:3]] for x in X]
    with pytest.raises(ValueError, match=r"names the 6 time steps.*pad_to_common"):
        scaler.transform(longer)
    with pytest.raises(ValueError, match="a table holds univariate"):
        scaler.transform(np.stack([X, X], axis=2))
    plain = TimeSeriesStandardScaler().fit(X).transform(longer)
    assert plain.shape == (4, 9)
