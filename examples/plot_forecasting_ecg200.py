"""
Multistep-ahead predictions on ECG200 (the paper's Figure 1)
============================================================

An MLP (one hidden layer of 100 sigmoid units) reads the first 60% of each
heartbeat and predicts the rest. Trained with the squared Euclidean loss it
predicts a blurred average where the timing of a feature is uncertain;
trained with soft-DTW it predicts a sharp feature at a plausible time, which
costs little under DTW (paper section 4.4). The test losses of both models
are printed; ``forecasting_study.py`` runs the full comparison.

Data: ECG200, bundled (UCR archive, Dau et al. 2019).
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning

from softdtw_learn.datasets import load_ecg200
from softdtw_learn.forecasting import SoftDTWMLPRegressor, split_series
from softdtw_learn.metrics import paired_soft_dtw

data = load_ecg200()
X, y = split_series(data.X_train)
X_test, y_test = split_series(data.X_test)
warnings.simplefilter("ignore", ConvergenceWarning)
models = {
    "Euclidean loss": SoftDTWMLPRegressor(loss="squared", alpha=1.0, random_state=0),
    "soft-DTW loss, gamma=0.01": SoftDTWMLPRegressor(
        gamma=0.01, alpha=1.0, random_state=0, n_jobs=-1
    ),
}
for name, model in models.items():
    pred = model.fit(X, y).predict(X_test)
    dtw_loss = paired_soft_dtw(pred, y_test, gamma=0.0).mean()
    euclid_loss = np.sum((pred - y_test) ** 2, axis=1).mean()
    print(f"{name}: test DTW loss {dtw_loss:.3f}, squared loss {euclid_loss:.3f}")

cut = X.shape[1]
steps = np.arange(cut + y.shape[1])
fig, axes = plt.subplots(1, 3, figsize=(13, 3.2), sharey=True)
for ax, k in zip(axes, (0, 5, 11), strict=True):
    ax.plot(steps[:cut], X_test[k], color="k", lw=1.2, label="input")
    ax.plot(steps[cut:], y_test[k], color="k", ls="--", lw=1.2, label="ground truth")
    for (name, model), color in zip(models.items(), ("C0", "C3"), strict=True):
        ax.plot(
            steps[cut:],
            model.predict(X_test[k : k + 1])[0],
            color=color,
            lw=1.8,
            label=name,
        )
    ax.axvline(cut - 0.5, color="0.7", lw=0.8)
    ax.set_title(f"ECG200 test series {k}", fontsize=9)
axes[0].legend(fontsize=7, loc="lower left")
fig.tight_layout()
