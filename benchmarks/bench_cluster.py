"""k-means on 300 CBF series (k = 3, gamma = 1, 10 iterations): us vs tslearn.

Uses the bundled CBF (UCR archive; train + test = 930 series, the first 300),
prints seconds, the adjusted Rand index against the labels and the ratio.
"""

import importlib
import time
import warnings

import numpy as np
from sklearn.metrics import adjusted_rand_score

from softdtw_learn.cluster import SoftDTWKMeans
from softdtw_learn.datasets import load_cbf


def main():
    data = load_cbf()
    X = np.concatenate([data.X_train, data.X_test])[:300]
    y = np.concatenate([data.y_train, data.y_test])[:300]
    warnings.simplefilter("ignore")
    SoftDTWKMeans(3, max_iter=1, random_state=0).fit(X[:20])  # compile
    try:
        clustering = importlib.import_module("tslearn.clustering")
    except ImportError:
        clustering = None
        print("tslearn is not importable: timing softdtw_learn only")
    for seed in (0, 1, 2):
        start = time.perf_counter()
        km = SoftDTWKMeans(3, gamma=1.0, max_iter=10, n_jobs=-1, random_state=seed).fit(
            X
        )
        ours = time.perf_counter() - start
        print(
            f"seed {seed}: softdtw_learn {ours:.2f} s, ARI "
            f"{adjusted_rand_score(y, km.labels_):.3f}, {km.n_iter_} iterations"
        )
        if clustering is None:
            continue
        start = time.perf_counter()
        tk = clustering.TimeSeriesKMeans(
            3,
            metric="softdtw",
            max_iter=10,
            metric_params={"gamma": 1.0},
            n_jobs=-1,
            random_state=seed,
        ).fit(X[:, :, None])
        theirs = time.perf_counter() - start
        print(
            f"seed {seed}: tslearn {theirs:.2f} s, ARI "
            f"{adjusted_rand_score(y, tk.labels_):.3f}, ratio {theirs / ours:.1f}x"
        )


if __name__ == "__main__":
    main()
