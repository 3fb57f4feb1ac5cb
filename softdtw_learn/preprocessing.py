"""Per-series scaling."""

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import validate_data

from .utils import check_dataset, validate_series

__all__ = ["TimeSeriesStandardScaler"]


class TimeSeriesStandardScaler(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Z-normalise each series, and each channel of it, on its own.

    Mean and standard deviation are taken over the real time steps of a
    series (trailing NaN padding is left as padding). A constant series is
    centred but not divided (its deviation is zero). Nothing is learnt at
    fit time: every series is scaled by its own statistics.

    Parameters
    ----------
    with_mean : bool, default=True
        Subtract each series' mean.
    with_std : bool, default=True
        Divide by each series' standard deviation.

    Attributes
    ----------
    n_features_in_ : int
        Padded length of the series seen at fit.

    Examples
    --------
    >>> import numpy as np
    >>> from softdtw_learn.preprocessing import TimeSeriesStandardScaler
    >>> TimeSeriesStandardScaler().fit_transform(np.array([[1.0, 2.0, 3.0]]))
    array([[-1.22474487,  0.        ,  1.22474487]])
    """

    def __init__(self, *, with_mean=True, with_std=True):
        self.with_mean = with_mean
        self.with_std = with_std

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        return tags

    def fit(self, X, y=None):
        """Check X and record its width; nothing else is learnt.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timestamps[, n_channels])
            Series, trailing NaN padded.
        y : None
            Ignored.

        Returns
        -------
        self : TimeSeriesStandardScaler
            The fitted scaler.
        """
        check_dataset(validate_series(self, X, reset=True))
        return self

    def transform(self, X):
        """Scale each series and channel by its own mean and deviation.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timestamps[, n_channels])
            Series, trailing NaN padded.

        Returns
        -------
        X_scaled : ndarray of the shape of X
            A new array; padding stays NaN.
        """
        # Not validate_series: a stateless transform needs no fit first.
        X = validate_data(
            self,
            X,
            ensure_all_finite="allow-nan",
            allow_nd=True,
            reset=False,
            dtype=np.float64,
        )
        data, _ = check_dataset(X)
        out = data.copy()
        if self.with_mean:
            out -= np.nanmean(data, axis=1, keepdims=True)
        if self.with_std:
            std = np.nanstd(data, axis=1, keepdims=True)
            out /= np.where(std > 0, std, 1.0)
        return out.reshape(X.shape)
