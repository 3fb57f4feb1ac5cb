"""
Soft-DTW barycenters of ECG200 heartbeats (the paper's Figure 5)
================================================================

For each class of ECG200 (UCR archive, Dau et al. 2019), 10 series are
averaged with the soft-DTW barycenter for gamma = 1 and gamma = 0.01, from a
random init and from the Euclidean mean. Each barycenter's DTW loss (sum of
DTW to the series divided by their lengths) is printed beside the Euclidean
mean's. Writes ``ecg200_barycenters.png`` to the output folder (default
``./softdtw-examples``; matplotlib needed for the figure).

Data: the bundled ECG200, the same files as ../shared/data/ucr/ECG200.
"""

import sys
import warnings
from pathlib import Path

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from softdtw_learn.barycenter import soft_dtw_barycenter
from softdtw_learn.datasets import load_ecg200
from softdtw_learn.metrics import dtw


def dtw_loss(z, X):
    return sum(dtw(z, x) / len(x) for x in X)


def main(out=Path("softdtw-examples")):
    data = load_ecg200()
    rng = np.random.default_rng(0)
    results = {}
    warnings.simplefilter("ignore", ConvergenceWarning)
    for label in np.unique(data.y_train):
        X = data.X_train[data.y_train == label][:10]
        mean = X.mean(axis=0)
        print(f"class {label}: Euclidean mean DTW loss {dtw_loss(mean, X):.3f}")
        for gamma in (1.0, 0.01):
            for name, init in (
                ("random", rng.normal(size=X.shape[1])),
                ("Euclidean mean", None),
            ):
                z = soft_dtw_barycenter(X, gamma=gamma, init=init, max_iter=200)
                results[label, gamma, name] = (X, z)
                print(
                    f"  gamma {gamma:<5g} init {name:<15} DTW loss {dtw_loss(z, X):.3f}"
                )
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no figure drawn")
        return results
    labels = np.unique(data.y_train)
    fig, axes = plt.subplots(len(labels), 4, figsize=(14, 5), sharey="row")
    for row, label in enumerate(labels):
        for col, (gamma, name) in enumerate(
            [
                (1.0, "random"),
                (1.0, "Euclidean mean"),
                (0.01, "random"),
                (0.01, "Euclidean mean"),
            ]
        ):
            X, z = results[label, gamma, name]
            ax = axes[row, col]
            ax.plot(X.T, color="0.7", lw=0.8)
            ax.plot(z, color="C3", lw=2)
            ax.set_title(f"class {label}, gamma={gamma:g}, {name} init", fontsize=9)
    fig.tight_layout()
    out.mkdir(parents=True, exist_ok=True)
    fig.savefig(out / "ecg200_barycenters.png", dpi=110)
    print(f"wrote {out / 'ecg200_barycenters.png'}")
    return results


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("softdtw-examples"))
