"""Per-series scaling."""

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.metaestimators import available_if

from .utils import (
    Flag,
    check_dataset,
    check_params,
    series_data,
    validate_series,
)

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

    Notes
    -----
    ``set_output(transform="pandas")`` (or "polars", or the global
    ``transform_output``) gives a table for 2-D (univariate) series. 3-D
    series, ``(n_samples, n_timestamps, n_channels)``, fit no table: after
    a fit on them the output stays an array and ``get_feature_names_out``
    does not exist (scikit-learn then leaves the output as it is), so a
    fitted pipeline under a pandas output setting still runs.

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

    _parameter_rules = {"with_mean": Flag(), "with_std": Flag()}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        return tags

    def _univariate_fit(self):
        """Whether column names exist: not after a fit on 3-D series."""
        if getattr(self, "_fitted_3d", False):
            raise AttributeError(
                "fitted on 3-D series, whose output (n_samples, n_timestamps, "
                "n_channels) has no column names; set_output's tables hold "
                "2-D (univariate) series only."
            )
        return True

    def set_output(self, *, transform=None):
        """Set the output container of ``transform`` and ``fit_transform``.

        As scikit-learn's ``set_output``; it stays available after a fit on
        3-D series, whose output stays an array (see the class' Notes).

        Parameters
        ----------
        transform : {"default", "pandas", "polars"} or None, default=None
            "default" gives arrays; None leaves the setting unchanged.

        Returns
        -------
        self : TimeSeriesStandardScaler
        """
        # As scikit-learn's FunctionTransformer, whose get_feature_names_out
        # is also conditional (its set_output would vanish with it).
        if transform is None:
            return self
        if not hasattr(self, "_sklearn_output_config"):
            self._sklearn_output_config = {}
        self._sklearn_output_config["transform"] = transform
        return self

    @available_if(_univariate_fit)
    def get_feature_names_out(self, input_features=None):
        """Output names: the input's time steps (univariate fits only).

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            As in scikit-learn's ``OneToOneFeatureMixin``.

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        return super().get_feature_names_out(input_features)

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
        check_params(self)
        X = validate_series(self, X, reset=True)
        check_dataset(X)
        self._fitted_3d = np.ndim(X) == 3  # no table holds its output
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
        X = series_data(self, X, reset=False)
        check_params(self)
        data, _ = check_dataset(X)
        self._check_table(X)
        return _standardise(data, self.with_mean, self.with_std).reshape(X.shape)

    def _check_table(self, X):
        """Refuse an output that a configured table cannot hold, in words."""
        from sklearn import get_config

        config = getattr(self, "_sklearn_output_config", {})
        container = config.get("transform", get_config()["transform_output"])
        width = getattr(self, "n_features_in_", None)
        if container == "default" or width is None or getattr(self, "_fitted_3d", 0):
            return
        if np.ndim(X) == 3:
            advice = (
                "a table holds univariate (2-D) series: fit on these 3-D series "
                "(the output then stays an array)"
            )
        elif X.shape[1] != width:
            advice = (
                "pad the training and the new series to one width "
                "(softdtw_learn.utils.pad_to_common_width) and fit again"
            )
        else:
            return
        raise ValueError(
            f"set_output(transform={container!r}) names the {width} time steps "
            f"seen at fit, and these series give an output of shape {X.shape}; "
            f"{advice}, or use set_output(transform='default')."
        )


def _standardise(data, with_mean, with_std):
    """Per-series, per-channel z-normalisation of a padded dataset.

    Each series and channel is first divided by its largest magnitude, so
    that the mean and the squared deviations cannot overflow (values near
    1e154 and above would). A deviation within rounding of zero (below
    ``n_timestamps`` ulp of the largest magnitude) is a constant series.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.nanmax(np.abs(data), axis=1, keepdims=True)
        scale = np.where(scale > 0, scale, 1.0)
        unit = data / scale
        mean = np.nanmean(unit, axis=1, keepdims=True)
        std = np.nanstd(unit, axis=1, keepdims=True)
    constant = std <= data.shape[1] * np.finfo(np.float64).eps
    if with_std:
        scaled = ((unit - mean) if with_mean else unit) / np.where(constant, 1.0, std)
        kept = (data - mean * scale) if with_mean else data  # constant: not divided
        return np.where(constant, kept, scaled)
    if not with_mean:
        return data.copy()
    with np.errstate(over="ignore"):
        out = (unit - mean) * scale
    if not np.all(np.isfinite(out) | np.isnan(data)):
        raise ValueError(
            "with_mean=True, with_std=False: the centred values overflow "
            "float64 (the series span more than 1.8e308). Pass with_std=True "
            "or rescale the series."
        )
    return out
