"""Classifiers on soft-DTW: nearest centroid (paper section 3.3) and k-NN."""

import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from .barycenter import (
    barycenter_and_iterations,
    check_continuation,
    warn_capped_barycenters,
)
from .metrics import pairwise_soft_dtw
from .utils import (
    Flag,
    Gamma,
    Int,
    NJobs,
    Options,
    Real,
    Unchecked,
    Window,
    check_dataset,
    check_gamma_grid,
    check_int,
    check_params,
    check_sample_weight,
    short_repr,
    stack_like,
    validate_series,
)

__all__ = [
    "SoftDTWKNeighborsClassifier",
    "SoftDTWNearestCentroid",
    "SoftDTWNearestCentroidCV",
]


def _fit_inputs(estimator, X, y):
    """Validate the parameters and a labelled training set; set ``classes_``."""
    check_params(estimator)
    X, y = validate_series(estimator, X, y, reset=True)
    check_classification_targets(y)
    estimator.classes_, codes = np.unique(y, return_inverse=True)
    return X, codes


def _optional_tol(value, name):
    """None, or a tolerance: a finite number >= 0."""
    if value is None:
        return None
    try:
        return Real(low=0)(value, name)
    except ValueError:
        raise ValueError(
            f"{name} must be None or a finite number >= 0, got {short_repr(value)}."
        ) from None


def _class_barycenters(
    model, data, lengths, codes, weights, gamma, starts, continuation, tol
):
    """One barycenter per class code (DBA at gamma 0), iterations, non-converged.

    ``starts`` (one array per class, or None for the default start),
    ``continuation`` and ``tol`` go to the barycenter; the other settings are
    the ``model``'s. Rows of weight 0 are left out, as if removed (scikit-learn's
    rule, which bagging relies on): a class with none left has no centroid
    (None) and is never predicted.
    """
    centroids, iterations, capped = [], [], 0
    for code in range(len(model.classes_)):
        rows = np.flatnonzero((codes == code) & (weights > 0))
        if len(rows) == 0:
            centroids.append(None)
            iterations.append(0)
            continue
        centroid, n_iter, converged = barycenter_and_iterations(
            [data[i, : lengths[i]] for i in rows],
            gamma,
            divergence=model.divergence,
            n_jobs=model.n_jobs,
            continuation=continuation,
            weights=weights[rows],
            init=None if starts is None or starts[code] is None else starts[code],
            window=model.window,
            max_iter=model.max_iter,
            tol=tol,
        )
        centroids.append(centroid)
        iterations.append(n_iter)
        capped += not converged
    return centroids, iterations, capped


class SoftDTWNearestCentroid(ClassifierMixin, BaseEstimator):
    """Nearest-centroid classifier with soft-DTW barycenters as centroids.

    Each class is summarised by the soft-DTW barycenter of its training
    series; a series is assigned to the class whose centroid has the smallest
    soft-DTW (or divergence) value to it.

    Parameters
    ----------
    gamma : float, default=1.0
        Soft-DTW smoothing, >= 0; at 0 (exact DTW) the centroids are DBA
        barycenters (:func:`~softdtw_learn.barycenter.dtw_barycenter_averaging`).
    divergence : bool, default=False
        Use the soft-DTW divergence for the barycenters and the assignment.
    window : int or float, default=None
        Sakoe-Chiba band, as in :func:`softdtw_learn.metrics.soft_dtw`.
    max_iter : int, default=100
        L-BFGS-B iterations of each barycenter, per continuation stage
        (``n_iter_`` counts all stages, so it can exceed ``max_iter``).
    tol : float, default=1e-5
        Tolerance of each barycenter.
    continuation : None, "auto" or sequence of float, default="auto"
        Continuation in gamma for the class barycenters, as in
        :func:`~softdtw_learn.barycenter.soft_dtw_barycenter`.
    n_jobs : int, default=None
        Threads (None means 1, -1 all cores).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_iter_ : int
        Most L-BFGS-B iterations taken by one class barycenter.
    centroids_ : ndarray of shape (n_classes, n_timestamps[, n_channels])
        Barycenter of each class, trailing NaN padded (all NaN for a class
        whose series all have weight 0).
    n_features_in_ : int
        Padded length of the training series.

    References
    ----------
    M. Cuturi, M. Blondel. Soft-DTW: a Differentiable Loss Function for
    Time-Series. ICML 2017, sections 3.3 and 4.3.

    Examples
    --------
    >>> import numpy as np
    >>> from softdtw_learn.neighbors import SoftDTWNearestCentroid
    >>> t = np.linspace(0, 1, 20)
    >>> X = np.array([np.sin(6 * t + s) for s in (0, 0.2)] + [t, 1.2 * t])
    >>> clf = SoftDTWNearestCentroid(gamma=0.1).fit(X, ["sin", "sin", "up", "up"])
    >>> clf.predict(X).tolist()
    ['sin', 'sin', 'up', 'up']
    """

    _parameter_rules = {
        "gamma": Gamma(allow_zero=True),  # 0: DBA centroids
        "divergence": Flag(),
        "window": Window(),
        "max_iter": Int(low=1),
        "tol": Real(low=0),
        "continuation": check_continuation,
        "n_jobs": NJobs(),
    }

    def __init__(
        self,
        *,
        gamma=1.0,
        divergence=False,
        window=None,
        max_iter=100,
        tol=1e-5,
        continuation="auto",
        n_jobs=None,
    ):
        self.gamma = gamma
        self.divergence = divergence
        self.window = window
        self.max_iter = max_iter
        self.tol = tol
        self.continuation = continuation
        self.n_jobs = n_jobs

    def fit(self, X, y, sample_weight=None):
        """Compute one barycenter per class.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timestamps[, n_channels])
            Training series, trailing NaN padded.
        y : array-like of shape (n_samples,)
            Labels of any type.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each series in its class's barycenter (non-negative).
            A series of weight 0 counts as removed: a class whose series all
            weigh 0 has no centroid (its row of ``centroids_`` is NaN) and is
            never predicted. None gives equal weights.

        Returns
        -------
        self : SoftDTWNearestCentroid
            The fitted classifier.
        """
        X, codes = _fit_inputs(self, X, y)
        data, lengths = check_dataset(X)
        weights = check_sample_weight(sample_weight, len(data))
        centroids, iterations, capped = _class_barycenters(
            self,
            data,
            lengths,
            codes,
            weights,
            self.gamma,
            None,
            self.continuation,
            self.tol,
        )
        self.n_iter_ = max(iterations)
        self.centroids_ = _stack_centroids(centroids, X)
        warn_capped_barycenters(
            capped, len(iterations), ("max_iter", "tol"), self.max_iter, stacklevel=2
        )
        return self

    def decision_function(self, X):
        """Return minus the metric value to each class centroid.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timestamps[, n_channels])
            Series, padded to the training width.

        Returns
        -------
        scores : ndarray of shape (n_samples, n_classes), or (n_samples,) for \
two classes
            Higher is closer; for two classes, the value to the first class
            minus that to the second (positive favours ``classes_[1]``). A
            class with no centroid (all its series of weight 0) scores -inf
            (for two classes, the difference is +inf or -inf).
        """
        scores = -self._values(validate_series(self, X, reset=False))
        if len(self.classes_) == 2:  # scikit-learn's binary convention
            return scores[:, 1] - scores[:, 0]
        return scores

    def _values(self, X):
        """Metric value of each series to each centroid, (n_samples, n_classes).

        A class with no centroid (no weighted series) is infinitely far.
        """
        present = ~np.all(np.isnan(self.centroids_.reshape(len(self.classes_), -1)), 1)
        values = np.full((len(X), len(self.classes_)), np.inf)
        values[:, present] = pairwise_soft_dtw(
            X,
            self.centroids_[present],
            gamma=self.gamma,
            window=self.window,
            divergence=self.divergence,
            n_jobs=self.n_jobs,
        )
        return values

    def predict(self, X):
        """Return the class of the closest centroid.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timestamps[, n_channels])
            Series, padded to the training width.

        Returns
        -------
        y : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        nearest = self._values(validate_series(self, X, reset=False)).argmin(axis=1)
        return self.classes_[nearest]


class SoftDTWNearestCentroidCV(SoftDTWNearestCentroid):
    """Nearest centroid with gamma chosen by cross-validation along a path.

    In the manner of scikit-learn's ``LogisticRegressionCV``: for each fold,
    the class barycenters are computed for every gamma of ``gammas`` from the
    largest down, each warm-started from the previous one (a regularisation
    path: only the first starts from the default start, the Euclidean mean or,
    for unequal lengths, the medoid), and scored on the
    fold's held-out series. The gamma with the best mean score is refitted on
    all the data along the same path. The reproduction report of the paper
    calls choosing gamma "costly validation"; the path makes it one
    continuation per fold instead of one fit per gamma and fold.

    Parameters
    ----------
    gammas : sequence of float, default=(1.0, 0.1, 0.01, 0.001)
        Distinct candidates, >= 0 (0 is DTW with DBA centroids); solved in
        decreasing order.
    cv : int, cross-validation generator or iterable, default=None
        As scikit-learn's ``check_cv`` for a classifier: None is 5-fold
        stratified.
    scoring : str or callable, default=None
        As scikit-learn's ``check_scoring``; None is accuracy.
    divergence, window, max_iter, tol, n_jobs
        As in :class:`SoftDTWNearestCentroid`; ``tol`` is the refit's.
    cv_tol : float or None, default=1e-3
        Tolerance of the barycenters fitted on the folds (None: ``tol``); the
        refit on all the data is solved to ``tol``.
        A fold's score only has to rank the gammas, and its noise (one
        held-out series more or less right) is above what a tighter solve
        changes. On 13 shared UCR/UEA sets (``benchmarks/
        study_nearest_centroid.py``) the search took a median 2.9-3.0x less
        time than ``GridSearchCV`` over the same gammas (at least 1.9-2.3x;
        2.0x with ``cv_tol=None``), with the test accuracy of ``cv_tol=None``
        on 12 sets (ECG200: 0.730 against 0.710); ``cv_tol=1e-2`` (3.6x)
        chose worse gammas on 2 sets.
    continuation : None, "auto" or sequence of float, default="auto"
        Continuation for the first (largest) gamma of each path.

    Attributes
    ----------
    gamma_ : float
        The chosen gamma: the best mean score; a tie goes to the larger gamma
        (the smoother model), where ``GridSearchCV`` takes the first listed.
    best_score_ : float
        Its mean cross-validated score.
    best_index_ : int
        Its row in ``cv_results_``.
    best_params_ : dict
        ``{"gamma": gamma_}``, as scikit-learn's search estimators give.
    n_splits_ : int
        The number of folds.
    cv_results_ : dict
        One entry per gamma (decreasing), in the layout of scikit-learn's
        search estimators (``pandas.DataFrame(cv_results_)`` works):
        ``"param_gamma"`` and ``"gamma"``, ``"params"``,
        ``"mean_test_score"``, ``"std_test_score"``, ``"rank_test_score"``
        and ``"split<k>_test_score"``.
    classes_, centroids_, n_iter_, n_features_in_
        Of the refit on all the data at ``gamma_``.

    Examples
    --------
    >>> from softdtw_learn.datasets import make_cylinder_bell_funnel
    >>> from softdtw_learn.neighbors import SoftDTWNearestCentroidCV
    >>> X, y = make_cylinder_bell_funnel(30, length=32, random_state=0)
    >>> clf = SoftDTWNearestCentroidCV(gammas=(1.0, 0.1), cv=3).fit(X, y)
    >>> clf.gamma_ in (1.0, 0.1), clf.predict(X[:2]).shape
    (True, (2,))
    """

    _parameter_rules = {
        **SoftDTWNearestCentroid._parameter_rules,
        "gammas": Unchecked("in fit (a sequence of gammas >= 0)"),
        "cv": Unchecked("by check_cv"),
        "scoring": Unchecked("by check_scoring"),
        "cv_tol": _optional_tol,
    }
    del _parameter_rules["gamma"]

    def __init__(
        self,
        *,
        gammas=(1.0, 0.1, 0.01, 0.001),
        cv=None,
        scoring=None,
        divergence=False,
        window=None,
        max_iter=100,
        tol=1e-5,
        cv_tol=1e-3,
        continuation="auto",
        n_jobs=None,
    ):
        self.gammas = gammas
        self.cv = cv
        self.scoring = scoring
        self.divergence = divergence
        self.window = window
        self.max_iter = max_iter
        self.tol = tol
        self.cv_tol = cv_tol
        self.continuation = continuation
        self.n_jobs = n_jobs

    @property
    def gamma(self):
        """The chosen gamma once fitted (what predict uses)."""
        check_is_fitted(self, "gamma_")
        return self.gamma_

    def fit(self, X, y, sample_weight=None, groups=None):
        """Choose gamma by cross-validation, then fit the centroids at it.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timestamps[, n_channels])
            Training series, trailing NaN padded.
        y : array-like of shape (n_samples,)
            Labels of any type.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights in the barycenters (not in the scores).
        groups : array-like of shape (n_samples,), default=None
            Group labels for a group splitter given as ``cv`` (e.g.
            ``GroupKFold``), as in ``GridSearchCV.fit``.

        Returns
        -------
        self : SoftDTWNearestCentroidCV
            The fitted classifier.
        """
        from sklearn.metrics import check_scoring
        from sklearn.model_selection import check_cv

        gammas = _checked_gammas(self.gammas)
        X, codes = _fit_inputs(self, X, y)
        y = self.classes_[codes]
        data, lengths = check_dataset(X)
        weights = check_sample_weight(sample_weight, len(data))
        splitter = check_cv(self.cv, y, classifier=True)
        folds = list(splitter.split(X, y, _checked_groups(groups, len(data))))
        if not folds:
            raise ValueError(f"cv={short_repr(self.cv)} gives no folds.")
        if isinstance(self.scoring, (list, tuple, set, dict)):
            raise ValueError(
                "scoring must be one metric (a name or a callable): gamma is "
                f"chosen by one score, got {short_repr(self.scoring)}."
            )
        scorer = check_scoring(self, scoring=self.scoring)
        _check_response(scorer, self.scoring)
        fold_tol = self.tol if self.cv_tol is None else self.cv_tol
        scores = np.empty((len(folds), len(gammas)))
        for split, (train, test) in enumerate(folds):
            # Weight 0 is removal: a class whose training series there all
            # weigh 0 is left out as one with none.
            weighted = codes[train][weights[train] > 0]
            missing = np.setdiff1d(np.arange(len(self.classes_)), weighted)
            if len(missing):
                label, count = self.classes_[missing[0]], np.sum(codes == missing[0])
                raise ValueError(
                    f"fold {split} leaves class {_plain(label)} ({count} series) "
                    "out of its training part (no series of it there, or only "
                    "series of weight 0); use fewer folds (cv), a stratified "
                    "splitter, or more series of that class."
                )
            path = self._path(
                data[train],
                lengths[train],
                codes[train],
                weights[train],
                gammas,
                fold_tol,
            )
            for k, (gamma, centroids, _, _) in enumerate(path):
                model = self._model(gamma, centroids, X)
                scores[split, k] = scorer(model, X[test], y[test])
        self.cv_results_ = _cv_results(gammas, scores)
        # The first of rank 1 (NaN ranks last): ties take the larger gamma,
        # the smoother.
        best = int(np.argmin(self.cv_results_["rank_test_score"]))
        mean = self.cv_results_["mean_test_score"]
        self.gamma_, self.best_score_ = gammas[best], float(mean[best])
        self.best_index_, self.best_params_ = best, {"gamma": self.gamma_}
        self.n_splits_ = len(folds)
        # Refit on everything, along the path down to the chosen gamma, at tol
        # (its stages at fold_tol moved 2-3 test accuracies of the shared sets
        # by a series or two: the refit is the model, solved as asked).
        path = self._path(data, lengths, codes, weights, gammas[: best + 1], self.tol)
        _, centroids, iterations, capped = path[-1]
        self.n_iter_ = max(iterations)
        self.centroids_ = _stack_centroids(centroids, X)
        warn_capped_barycenters(
            capped, len(iterations), ("max_iter", "tol"), self.max_iter, stacklevel=2
        )
        return self

    def _path(self, data, lengths, codes, weights, gammas, tol):
        """``(gamma, centroids, iterations, capped)`` down ``gammas``, warm-started."""
        path, starts = [], None
        for gamma in gammas:
            continuation = self.continuation if starts is None else None
            centroids, iterations, capped = _class_barycenters(
                self, data, lengths, codes, weights, gamma, starts, continuation, tol
            )
            path.append((gamma, centroids, iterations, capped))
            starts = centroids
        return path

    def _model(self, gamma, centroids, X):
        """Return a fitted SoftDTWNearestCentroid at ``gamma`` with ``centroids``."""
        model = SoftDTWNearestCentroid(
            gamma=gamma,
            divergence=self.divergence,
            window=self.window,
            n_jobs=self.n_jobs,
        )
        model.classes_ = self.classes_
        model.centroids_ = _stack_centroids(centroids, X)
        model.n_features_in_ = X.shape[1]
        return model


def _stack_centroids(centroids, X):
    """Stack the class centroids like ``X``; a missing one (None) is all NaN."""
    stacked = stack_like([c for c in centroids if c is not None], X)
    out = np.full((len(centroids),) + stacked.shape[1:], np.nan)
    out[[c is not None for c in centroids]] = stacked
    return out


def _checked_groups(groups, n_samples):
    """Return ``groups`` as an array of one label per series (or None)."""
    if groups is None:
        return None
    groups = np.asarray(groups)
    if groups.ndim != 1 or len(groups) != n_samples:
        raise ValueError(
            f"groups must hold one label per series ({n_samples}), got shape "
            f"{groups.shape}."
        )
    return groups


def _plain(label):
    """Return a label's repr as written, not numpy's (``np.int64(1)``)."""
    value = label.item() if isinstance(label, np.generic) else label
    return repr(value)


def _check_response(scorer, scoring):
    """Refuse, before any fit, a scorer that needs what the model lacks.

    The folds' models are :class:`SoftDTWNearestCentroid`: ``predict`` and
    ``decision_function``, no probabilities (``neg_log_loss`` needs them).
    """
    wanted = getattr(scorer, "_response_method", None)  # scikit-learn's scorers
    if wanted is None:
        return  # a callable: it finds out itself
    methods = (wanted,) if isinstance(wanted, str) else tuple(wanted)
    if not any(hasattr(SoftDTWNearestCentroid, m) for m in methods):
        raise ValueError(
            f"scoring={short_repr(scoring)} needs {' or '.join(methods)}, which "
            "SoftDTWNearestCentroid (the folds' model) does not have: pick a "
            "scoring on predict ('accuracy', 'balanced_accuracy', 'f1_macro') "
            "or, for two classes, on decision_function ('roc_auc')."
        )


def _checked_gammas(gammas):
    """Distinct gammas >= 0, decreasing (the path's order)."""
    return sorted(check_gamma_grid(gammas, "gammas", allow_zero=True), reverse=True)


def _cv_results(gammas, scores):
    """scikit-learn's ``cv_results_`` layout for one parameter, gamma."""
    mean = scores.mean(axis=0)
    if np.isnan(mean).any():
        warnings.warn(
            "One or more of the mean test scores are NaN (a split's score was "
            f"NaN): {mean.tolist()}; they rank last.",
            UserWarning,
            stacklevel=3,
        )
    ranked = np.where(np.isnan(mean), -np.inf, mean)
    results = {
        "gamma": np.array(gammas),
        "param_gamma": np.array(gammas),
        "params": [{"gamma": g} for g in gammas],
        "mean_test_score": mean,
        "std_test_score": scores.std(axis=0),
        # Rank 1 is best; ties share the best rank, as scikit-learn's.
        "rank_test_score": np.array(
            [1 + int(np.sum(ranked > m)) for m in ranked], dtype=np.int32
        ),
    }
    for split, row in enumerate(scores):
        results[f"split{split}_test_score"] = row
    return results


class SoftDTWKNeighborsClassifier(ClassifierMixin, BaseEstimator):
    """k-nearest-neighbours classifier under soft-DTW.

    Parameters
    ----------
    n_neighbors : int, default=1
        Number of neighbours.
    gamma : float, default=1.0
        Soft-DTW smoothing, >= 0 (0 is exact DTW).
    divergence : bool, default=False
        Rank neighbours by the soft-DTW divergence (non-negative, 0 for an
        exact copy) instead of the signed soft-DTW value, which can rank a
        series with many cheap alignments (a flat one) before an exact copy.
    weights : {"uniform", "distance"}, default="uniform"
        "distance" weighs each neighbour by the inverse of its value, which
        must be non-negative: it requires ``divergence=True``.
    window : int or float, default=None
        Sakoe-Chiba band, as in :func:`softdtw_learn.metrics.soft_dtw`.
    n_jobs : int, default=None
        Threads (None means 1, -1 all cores).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_features_in_ : int
        Padded length of the training series.

    Examples
    --------
    >>> import numpy as np
    >>> from softdtw_learn.neighbors import SoftDTWKNeighborsClassifier
    >>> X = np.array([[0.0, 1.0, 2.0], [0.0, 1.0, 2.5], [5.0, 5.0, 4.0]])
    >>> knn = SoftDTWKNeighborsClassifier(gamma=0.1).fit(X, [0, 0, 1])
    >>> knn.predict([[0.0, 1.1, 2.2], [5.0, 4.0, 4.0]]).tolist()
    [0, 1]
    """

    _parameter_rules = {
        "n_neighbors": Int(low=1),
        "gamma": Gamma(allow_zero=True),
        "divergence": Flag(),
        "weights": Options("uniform", "distance"),
        "window": Window(),
        "n_jobs": NJobs(),
    }

    def __init__(
        self,
        n_neighbors=1,
        *,
        gamma=1.0,
        divergence=False,
        weights="uniform",
        window=None,
        n_jobs=None,
    ):
        self.n_neighbors = n_neighbors
        self.gamma = gamma
        self.divergence = divergence
        self.weights = weights
        self.window = window
        self.n_jobs = n_jobs

    def fit(self, X, y):
        """Store the training series.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timestamps[, n_channels])
            Training series, trailing NaN padded.
        y : array-like of shape (n_samples,)
            Labels of any type.

        Returns
        -------
        self : SoftDTWKNeighborsClassifier
            The fitted classifier.
        """
        X, codes = _fit_inputs(self, X, y)
        if self.weights == "distance" and not self.divergence:
            raise ValueError(
                "weights='distance' needs non-negative values, and soft-DTW is "
                "signed: pass divergence=True (the soft-DTW divergence) with it."
            )
        check_dataset(X)
        if self.n_neighbors > len(X):
            raise ValueError(
                f"n_neighbors={self.n_neighbors} is larger than n_samples="
                f"{len(X)}, the training series; pass at most one neighbour per "
                "series."
            )
        self._fit_X, self._fit_codes = X, codes
        return self

    def _values(self, X):
        return pairwise_soft_dtw(
            X,
            self._fit_X,
            gamma=self.gamma,
            window=self.window,
            divergence=self.divergence,
            n_jobs=self.n_jobs,
        )

    def kneighbors(self, X=None, n_neighbors=None, return_distance=True):
        """Find the nearest training series of each series.

        Parameters
        ----------
        X : array-like of shape (n_queries, n_timestamps[, n_channels]), \
default=None
            Queries; None means the training series, each without itself.
        n_neighbors : int, default=None
            Defaults to ``self.n_neighbors``.
        return_distance : bool, default=True
            Also return the metric values.

        Returns
        -------
        values : ndarray of shape (n_queries, n_neighbors)
            Only with ``return_distance=True``; ascending.
        indices : ndarray of shape (n_queries, n_neighbors)
            Indices into the training set.
        """
        check_is_fitted(self)
        k = self.n_neighbors if n_neighbors is None else n_neighbors
        # At most the training series available (each query without itself),
        # checked before the matrix is computed.
        available = len(self._fit_X) - (X is None)
        if available < 1:  # kneighbors() on one training series
            raise ValueError(
                "kneighbors() with X=None leaves each training series out, and "
                "this model holds one: pass query series as X."
            )
        k = check_int(k, "n_neighbors", low=1, high=available)
        if X is None:
            values = self._values(self._fit_X)
            np.fill_diagonal(values, np.inf)
        else:
            values = self._values(validate_series(self, X, reset=False))
        indices = np.argsort(values, axis=1, kind="stable")[:, :k]
        if return_distance:
            return np.take_along_axis(values, indices, axis=1), indices
        return indices

    def predict_proba(self, X):
        """Class probabilities from the neighbours' (weighted) votes.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timestamps[, n_channels])
            Series, padded to the training width.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        check_is_fitted(self)
        values, indices = self.kneighbors(X)
        if self.weights == "uniform":
            weight = np.ones_like(values)
        else:
            exact = values <= 0
            weight = np.where(
                exact.any(axis=1, keepdims=True),
                exact.astype(float),
                1.0 / np.where(exact, 1.0, values),
            )
        proba = np.zeros((len(values), len(self.classes_)))
        np.add.at(
            proba, (np.arange(len(values))[:, None], self._fit_codes[indices]), weight
        )
        return proba / proba.sum(axis=1, keepdims=True)

    def predict(self, X):
        """Return the majority (or weighted) class of the neighbours.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timestamps[, n_channels])
            Series, padded to the training width.

        Returns
        -------
        y : ndarray of shape (n_samples,)
        """
        proba = self.predict_proba(X)
        return self.classes_[proba.argmax(axis=1)]
