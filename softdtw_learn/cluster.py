"""k-means clustering under soft-DTW (Cuturi & Blondel, ICML 2017, section 4.2).

Lloyd's algorithm: assign each series to the centre with the smallest
soft-DTW (or divergence) value, then replace each centre by the soft-DTW
barycenter of its cluster, warm-started from the previous centre. The
barycenter's objective divides each series' term by its length (the paper's
eq. 4); the updates weigh each series by its length as well, so that they
minimise the cluster's share of the inertia and every step lowers it, with
unequal lengths too.
"""

import time
import warnings

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    ClusterMixin,
    TransformerMixin,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state

from ._dispatch import pairwise_divergence
from .barycenter import (
    barycenter_and_iterations,
    check_continuation,
    warn_capped_barycenters,
)
from .metrics import paired_soft_dtw, pairwise_soft_dtw
from .utils import (
    Flag,
    Gamma,
    Int,
    NJobs,
    Options,
    Real,
    Unchecked,
    Verbosity,
    Window,
    check_dataset,
    check_params,
    check_sample_weight,
    stack_like,
    validate_series,
)

__all__ = ["SoftDTWKMeans"]


def _uniform(weights):
    """Whether all weights are equal (then draws are the unweighted ones)."""
    return bool(np.all(weights == weights[0]))


class SoftDTWKMeans(
    ClassNamePrefixFeaturesOutMixin, ClusterMixin, TransformerMixin, BaseEstimator
):
    """k-means under soft-DTW, with soft-DTW barycenters as centres.

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters.
    gamma : float, default=1.0
        Soft-DTW smoothing, >= 0; at 0, exact DTW with DBA centres
        (:func:`~softdtw_learn.barycenter.dtw_barycenter_averaging`): DBA
        k-means (Petitjean et al., 2011).
    divergence : bool, default=False
        Assign and average with the soft-DTW divergence (non-negative) instead
        of the signed soft-DTW value.
    init : {"k-means++", "random"}, callable or array-like of shape \
(n_clusters, n_timestamps[, n_channels]), default="k-means++"
        Seeding: k-means++ samples series with probability proportional to
        their soft-DTW divergence to the nearest centre chosen so far;
        "random" picks ``n_clusters`` distinct series; an array gives the
        centres (trailing NaN padding allowed); a callable is called as
        ``init(X, n_clusters, random_state)`` (X validated, NaN-padded) and
        returns such an array, as in scikit-learn's KMeans.
    n_init : int or "auto", default=1
        Runs with different seeds; the one with the lowest inertia is kept.
        "auto" (scikit-learn's default) is 10 runs for ``init="random"`` or
        a callable and 1 otherwise.
    max_iter : int, default=30
        Maximum number of Lloyd iterations per run.
    max_iter_barycenter : int, default=100
        L-BFGS-B iterations of each barycenter update.
    tol : float, default=1e-4
        Stop when the inertia improves by less than ``tol`` times its
        magnitude (or when no label changes).
    tol_barycenter : float, default=1e-4
        Tolerance of each barycenter's L-BFGS-B (``tol`` of
        :func:`~softdtw_learn.barycenter.soft_dtw_barycenter`).
    continuation : None, "auto" or sequence of float, default=None
        Continuation in gamma for each barycenter update, as in
        :func:`~softdtw_learn.barycenter.soft_dtw_barycenter`. None (one
        run at ``gamma``): each update starts from the previous centre, which
        is already a good start.
    window : int or float, default=None
        Sakoe-Chiba band, as in :func:`softdtw_learn.metrics.soft_dtw`.
    n_jobs : int, default=None
        Threads for the pairwise and barycenter kernels (None means 1, -1 all).
    random_state : int, RandomState instance or None, default=None
        Seed of the initialisation.
    verbose : int or bool, default=0
        1 (or True) prints one line per Lloyd iteration (inertia and seconds),
        the last one marked "(converged)" when the labels or inertia stopped
        changing; restarts are labelled "Init i/n". 2 also prints each
        cluster's size and its barycenter's L-BFGS-B iterations.

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, n_timestamps) or \
(n_clusters, n_timestamps, n_channels)
        Centres, 2-D for univariate 2-D input; trailing NaN pads centres
        shorter than the widest.
    labels_ : ndarray of shape (n_samples,)
        Cluster of each training series.
    inertia_ : float
        Sum over series of the metric value to the assigned centre (not
        squared; signed unless ``divergence=True``).
    n_iter_ : int
        Lloyd iterations of the kept run.
    n_features_in_ : int
        Padded length of the training series.

    References
    ----------
    M. Cuturi, M. Blondel. Soft-DTW: a Differentiable Loss Function for
    Time-Series. ICML 2017.

    Examples
    --------
    >>> import numpy as np
    >>> from softdtw_learn.cluster import SoftDTWKMeans
    >>> t = np.linspace(0, 1, 30)
    >>> X = np.array([np.sin(6 * t + s) for s in (0, 0.1, 0.2)]
    ...              + [t * k for k in (1.0, 1.1, 1.2)])
    >>> km = SoftDTWKMeans(n_clusters=2, gamma=0.1, random_state=0).fit(X)
    >>> sorted(np.bincount(km.labels_).tolist())
    [3, 3]
    """

    def __init__(
        self,
        n_clusters=8,
        *,
        gamma=1.0,
        divergence=False,
        init="k-means++",
        n_init=1,
        max_iter=30,
        max_iter_barycenter=100,
        tol=1e-4,
        tol_barycenter=1e-4,
        continuation=None,
        window=None,
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.n_clusters = n_clusters
        self.gamma = gamma
        self.divergence = divergence
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.max_iter_barycenter = max_iter_barycenter
        self.tol = tol
        self.tol_barycenter = tol_barycenter
        self.continuation = continuation
        self.window = window
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    _parameter_rules = {
        "n_clusters": Int(low=1),
        "gamma": Gamma(allow_zero=True),  # 0: DTW with DBA centres
        "divergence": Flag(),
        "init": Options(
            "k-means++",
            "random",
            otherwise=Unchecked("in _seed"),
            other="centres (an array, or a callable that returns them)",
        ),
        "n_init": Options("auto", otherwise=Int(low=1), other="an int >= 1"),
        "max_iter": Int(low=1),
        "max_iter_barycenter": Int(low=1),
        "tol": Real(low=0),
        "tol_barycenter": Real(low=0),
        "continuation": check_continuation,
        "window": Window(),
        "n_jobs": NJobs(),
        "random_state": Unchecked("by check_random_state"),
        "verbose": Verbosity(),
    }

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False  # NaN only as trailing padding
        return tags

    # ----------------------------------------------------------------- fit

    def _n_init(self, n_samples):
        """Check the parameters against the data; return the number of runs."""
        check_params(self)
        if self.n_clusters > n_samples:
            raise ValueError(
                f"n_clusters={self.n_clusters} is larger than n_samples={n_samples}; "
                "pass at most one cluster per series."
            )
        drawn = callable(self.init) or (
            isinstance(self.init, str) and self.init == "random"
        )
        if isinstance(self.n_init, str):  # "auto", as scikit-learn's KMeans:
            # one run from k-means++ or given centres, ten from random picks.
            return 10 if drawn else 1
        if not isinstance(self.init, str) and not drawn and self.n_init > 1:
            warnings.warn(
                f"Explicit initial centres passed: one run instead of "
                f"n_init={self.n_init} (every run would start alike).",
                RuntimeWarning,
                stacklevel=3,
            )
            return 1
        return self.n_init

    def _metric(self, X, centers):
        """Metric value of every series to every centre, shape (n, k)."""
        return pairwise_soft_dtw(
            X,
            centers,
            gamma=self.gamma,
            window=self.window,
            divergence=self.divergence,
            n_jobs=self.n_jobs,
        )

    def _seed(self, X, series, weights, rng):
        """Return the initial centres, ``(length, n_channels)`` arrays.

        ``X`` is the validated input (for a callable ``init``). Random picks
        and k-means++ draws are in proportion to ``weights``.
        """
        weights = weights / weights.max()  # huge weights would overflow the sums
        n_samples = len(series)
        if not isinstance(self.init, str):
            given = self.init(X, self.n_clusters, rng) if callable(self.init) else None
            centers, lengths = check_dataset(
                self.init if given is None else given,
                "init" if given is None else "the centres returned by init",
            )
            if centers.shape[0] != self.n_clusters or (
                centers.shape[2] != series[0].shape[1]
            ):
                raise ValueError(
                    f"init must hold {self.n_clusters} centres with "
                    f"{series[0].shape[1]} channel(s), got {centers.shape[0]} "
                    f"with {centers.shape[2]}."
                )
            return [c[:n].copy() for c, n in zip(centers, lengths, strict=True)]
        if self.init == "random":
            p = None if _uniform(weights) else weights / weights.sum()
            picks = rng.choice(n_samples, self.n_clusters, replace=False, p=p)
            return [series[i].copy() for i in picks]
        # Greedy k-means++ (as scikit-learn's): sample a few candidates with
        # probability proportional to the divergence to the nearest centre,
        # keep the one that lowers the total the most.
        n_trials = 2 + int(np.log(self.n_clusters))
        self_values = paired_soft_dtw(
            series, series, gamma=self.gamma, window=self.window, n_jobs=self.n_jobs
        )
        # Draws by the cumulative weights: an integer weight w picks a series
        # as w copies of it would.
        first = np.searchsorted(np.cumsum(weights), rng.uniform() * weights.sum())
        picks = [int(min(first, n_samples - 1))]
        closest = self._divergence_to(series, picks[:1], self_values)[0]
        for _ in range(1, self.n_clusters):
            chances = closest * weights  # divergences: >= 0 (rounding returns 0)
            total = chances.sum()
            if total <= 0:  # every series equals a centre already
                rest = np.setdiff1d(np.arange(n_samples), picks)
                picks.append(int(rng.choice(rest)))
                continue
            candidates = np.searchsorted(
                np.cumsum(chances), rng.uniform(size=n_trials) * total
            ).clip(max=n_samples - 1)
            trial = np.minimum(
                closest, self._divergence_to(series, candidates, self_values)
            )
            best = int(np.argmin((trial * weights).sum(axis=1)))
            picks.append(int(candidates[best]))
            closest = trial[best]
        return [series[i].copy() for i in picks]

    def _divergence_to(self, series, picks, self_values):
        """Soft-DTW divergence of the series ``picks`` to every series, (k, n).

        ``self_values`` holds every series' ``sdtw(x, x)``, computed once.
        """
        values = pairwise_soft_dtw(
            [series[c] for c in picks],
            series,
            gamma=self.gamma,
            window=self.window,
            n_jobs=self.n_jobs,
        )
        own = self_values[np.asarray(picks)]
        return pairwise_divergence(values, own, self_values)

    def _assign(self, series, weights, centers):
        values = self._metric(series, centers)
        labels = values.argmin(axis=1)
        inertia = float((values[np.arange(len(series)), labels] * weights).sum())
        return labels, values, inertia

    def _reseed_empty(self, series, centers, labels, values):
        """Give each empty cluster the series farthest from its own centre."""
        own = values[np.arange(len(series)), labels].copy()
        for cluster in range(self.n_clusters):
            if np.any(labels == cluster):
                continue
            sizes = np.bincount(labels, minlength=self.n_clusters)
            movable = sizes[labels] > 1
            far = int(np.argmax(np.where(movable, own, -np.inf)))
            labels[far] = cluster
            own[far] = -np.inf
            centers[cluster] = series[far].copy()
        return labels

    def _lloyd(self, series, weights, centers, run):
        """One run of Lloyd's algorithm from ``centers``.

        Returns the centres, labels, inertia, iterations, and the numbers of
        barycenter updates run and stopped at ``max_iter_barycenter``.
        """
        previous_labels, previous_inertia = None, np.inf
        n_iter = capped = updates = 0
        for n_iter in range(1, self.max_iter + 1):
            start = time.perf_counter()
            labels, values, inertia = self._assign(series, weights, centers)
            labels = self._reseed_empty(series, centers, labels, values)
            converged = previous_labels is not None and (
                np.array_equal(labels[weights > 0], previous_labels[weights > 0])
                or previous_inertia - inertia < self.tol * abs(previous_inertia)
            )
            details = []
            if not converged:
                capped += self._update_centers(
                    series, weights, centers, labels, details
                )
                updates += self.n_clusters
            if self.verbose:
                print(
                    f"{run}Iteration {n_iter}: inertia {inertia:.6f}, "
                    f"{time.perf_counter() - start:.2f} s"
                    + (" (converged)" if converged else "")
                )
            for line in details if self.verbose >= 2 else ():
                print(f"{run}    {line}")
            if converged:
                break
            previous_labels, previous_inertia = labels, inertia
        labels, _, inertia = self._assign(series, weights, centers)
        return centers, labels, inertia, n_iter, (updates, capped)

    def _update_centers(self, series, weights, centers, labels, details):
        """Replace each centre by its cluster's barycenter, warm-started.

        Returns how many stopped at ``max_iter_barycenter`` (fit warns once
        for all of them); appends a line per cluster to ``details``.
        """
        capped = 0
        for cluster in range(self.n_clusters):
            rows = np.flatnonzero((labels == cluster) & (weights > 0))
            if len(rows) == 0:  # only zero-weight members: the centre stays
                continue
            members = [series[i] for i in rows]
            lengths = np.array([len(x) for x in members], dtype=np.float64)
            centers[cluster], n_iter, converged = barycenter_and_iterations(
                members,
                self.gamma,
                divergence=self.divergence,
                n_jobs=self.n_jobs,
                continuation=self.continuation,
                # The barycenter divides each term by its length: weigh it
                # back, so that the update minimises the inertia's terms.
                weights=weights[rows] / weights[rows].max() * lengths,
                init=centers[cluster],
                window=self.window,
                max_iter=self.max_iter_barycenter,
                tol=self.tol_barycenter,
            )
            capped += not converged
            method = "DBA" if self.gamma == 0 else "L-BFGS-B"
            details.append(
                f"cluster {cluster}: {len(rows)} series, barycenter in "
                f"{n_iter} {method} iterations"
            )
        return capped

    def fit(self, X, y=None, sample_weight=None):
        """Compute the clusters.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timestamps) or (n_samples, \
n_timestamps, n_channels)
            Training series; unequal lengths as trailing NaN padding.
        y : None
            Ignored.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each series (non-negative): in the seeding draws, the
            inertia and each centre's barycenter. None gives equal weights.

        Returns
        -------
        self : SoftDTWKMeans
            The fitted estimator.
        """
        X = validate_series(self, X, reset=True)
        data, lengths = check_dataset(X)
        n_init = self._n_init(len(data))
        weights = check_sample_weight(sample_weight, len(data), self.n_clusters)
        series = [s[:n] for s, n in zip(data, lengths, strict=True)]
        rng = check_random_state(self.random_state)
        best, updates, capped = None, 0, 0
        for restart in range(n_init):
            label = f"Init {restart + 1}/{n_init}: " if n_init > 1 else ""
            seeds = self._seed(X, series, weights, rng)
            run = self._lloyd(series, weights, seeds, label)
            updates += run[4][0]
            capped += run[4][1]
            if best is None or run[2] < best[2]:
                best = run
        centers, self.labels_, self.inertia_, self.n_iter_, _ = best
        self.cluster_centers_ = stack_like(centers, X)
        self._n_features_out = self.n_clusters  # transform's columns, named
        self._warn_fit(capped, updates)
        return self

    def _warn_fit(self, capped, updates):
        """One ConvergenceWarning per problem, as scikit-learn's KMeans."""
        found = len(np.unique(self.labels_))
        if found < self.n_clusters:
            warnings.warn(
                f"Number of distinct clusters ({found}) found smaller than "
                f"n_clusters ({self.n_clusters}): the series have fewer than "
                f"{self.n_clusters} distinct shapes (duplicates?). Lower "
                "n_clusters.",
                ConvergenceWarning,
                stacklevel=3,
            )
        warn_capped_barycenters(
            capped,
            updates,
            ("max_iter_barycenter", "tol_barycenter"),
            self.max_iter_barycenter,
            stacklevel=3,
        )

    # ------------------------------------------------------------- predict

    def transform(self, X):
        """Return the metric value of each series to each centre.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timestamps[, n_channels])
            Series, padded to the training width.

        Returns
        -------
        values : ndarray of shape (n_samples, n_clusters)
        """
        return self._metric(
            validate_series(self, X, reset=False), self.cluster_centers_
        )

    def predict(self, X):
        """Return the index of the closest centre for each series.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timestamps[, n_channels])
            Series, padded to the training width.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
        """
        return self.transform(X).argmin(axis=1)

    def score(self, X, y=None, sample_weight=None):
        """Return minus the (weighted) inertia of X on the fitted centres.

        With the signed soft-DTW value (``divergence=False``) scores at
        different gammas are not comparable (the value falls as gamma
        grows): to choose gamma by a search on this score, use
        ``divergence=True``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timestamps[, n_channels])
            Series, padded to the training width.
        y : None
            Ignored.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each series; None gives equal weights.

        Returns
        -------
        score : float
        """
        values = self.transform(X).min(axis=1)
        weights = check_sample_weight(sample_weight, len(values))
        return -float((values * weights).sum())
