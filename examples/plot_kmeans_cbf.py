"""
k-means clusters of CBF under soft-DTW (the paper's Figure 6)
=============================================================

All 930 CBF series (bundled; UCR archive, Dau et al. 2019; train + test),
k = 3, gamma = 1. Prints the adjusted Rand index against the labels and
writes ``cbf_kmeans.png`` (each cluster's members and its centre) to the
output folder (default ``./softdtw-examples``; matplotlib needed).
"""

import sys
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score

from softdtw_learn.cluster import SoftDTWKMeans
from softdtw_learn.datasets import load_cbf


def main(out=Path("softdtw-examples")):
    data = load_cbf()
    X = np.concatenate([data.X_train, data.X_test])
    y = np.concatenate([data.y_train, data.y_test])
    start = time.perf_counter()
    km = SoftDTWKMeans(3, gamma=1.0, max_iter=10, n_jobs=-1, random_state=0).fit(X)
    print(
        f"CBF, {len(X)} series: k-means in {time.perf_counter() - start:.1f} s, "
        f"{km.n_iter_} iterations, ARI {adjusted_rand_score(y, km.labels_):.3f}"
    )
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no figure drawn")
        return km
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.2), sharey=True)
    for cluster, ax in enumerate(axes):
        members = X[km.labels_ == cluster]
        ax.plot(members[:40].T, color="0.75", lw=0.6)
        ax.plot(km.cluster_centers_[cluster], color="C3", lw=2)
        ax.set_title(f"cluster {cluster} ({len(members)} series)")
    fig.tight_layout()
    out.mkdir(parents=True, exist_ok=True)
    fig.savefig(out / "cbf_kmeans.png", dpi=110)
    print(f"wrote {out / 'cbf_kmeans.png'}")
    return km


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("softdtw-examples"))
