"""
Multistep-ahead prediction with soft-DTW as the loss (the paper's section 4.4)
==============================================================================

Each series is z-normalised, then split into its first 60% (input) and the
rest (target); an MLP with one hidden layer of 100 sigmoid units (L2 penalty
alpha = 1, 200 L-BFGS iterations) is trained on the training set
with the squared Euclidean loss, and with soft-DTW for gamma in {1, 0.1,
0.01, 0.001}, from a random init and from the Euclidean-trained weights
("Euc. init"). The test set is scored with both DTW (mean per series) and
the squared Euclidean loss, laid out like the paper's Table 3. Draws
predictions on ECG200 test series like the paper's Figure 1
(``forecast_ecg200.png`` in the output folder; matplotlib needed).

Data (UCR archive, Dau et al. 2019): ECG200, GunPoint and CBF are bundled;
ItalyPowerDemand, Chinatown, ArrowHead and BME need ``../shared/data/ucr``
beside the clone (not part of the package), or any folder laid out as the
cache of :func:`softdtw_learn.datasets.load_ucr`
(``<Name>/<Name>_TRAIN.tsv`` and ``_TEST``, or ``.ts``, ``.arff``,
``.txt``), such as ``~/softdtw_learn_data`` once ``load_ucr(name)`` has
downloaded the sets from the archive. Every set is read with
``load_ucr(name, data_home=folder, download=False)``; a set that is absent
is skipped with a message. The documentation shows this script without
running it.

Usage: python examples/forecasting_study.py [folder] [out]
"""

import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from softdtw_learn.datasets import load_ucr
from softdtw_learn.forecasting import SoftDTWMLPRegressor, split_series
from softdtw_learn.metrics import paired_soft_dtw
from softdtw_learn.preprocessing import TimeSeriesStandardScaler

DATASETS = [
    "ECG200",
    "GunPoint",
    "ItalyPowerDemand",
    "CBF",
    "Chinatown",
    "ArrowHead",
    "BME",
]
GAMMAS = [1.0, 0.1, 0.01, 0.001]
BASE = SoftDTWMLPRegressor((100,), alpha=1.0, max_iter=200, random_state=0, n_jobs=-1)


def load(root, name):
    """Return the z-normalised train and test series, or why they are absent."""
    try:
        data = load_ucr(name, data_home=root, download=False)
    except ValueError as err:
        return str(err)
    scaler = TimeSeriesStandardScaler()
    return scaler.fit_transform(data.X_train), scaler.transform(data.X_test)


def losses(model, X, y):
    pred = model.predict(X)
    dtw = paired_soft_dtw(pred, y, gamma=0.0, n_jobs=-1).mean()
    return dtw, np.sum((pred - y) ** 2, axis=1).mean()


def study(name, X_train, X_test):
    X, y = split_series(X_train)
    Xt, yt = split_series(X_test)
    euclid = clone(BASE).set_params(loss="squared").fit(X, y)
    rows = {"Euclidean": (losses(euclid, Xt, yt),) * 2}
    models = {"Euclidean": euclid}
    for gamma in GAMMAS:
        random = clone(BASE).set_params(gamma=gamma).fit(X, y)
        warm = clone(BASE).set_params(gamma=gamma)
        warm.fit(X, y, coefs_init=euclid.coefs_, intercepts_init=euclid.intercepts_)
        rows[f"soft-DTW {gamma:g}"] = (losses(random, Xt, yt), losses(warm, Xt, yt))
        models[gamma] = random
    return rows, models


def print_table(name, rows, seconds):
    print(f"\n{name} (test DTW loss | test squared Euclidean loss; {seconds:.0f} s)")
    print(
        f"{'training loss':<18}{'DTW rand':>10}{'DTW Euc':>10}"
        f"{'Euc rand':>10}{'Euc Euc':>10}"
    )
    for label, ((d_rand, e_rand), (d_warm, e_warm)) in rows.items():
        print(
            f"{label:<18}{d_rand:>10.3f}{d_warm:>10.3f}{e_rand:>10.3f}{e_warm:>10.3f}"
        )


def draw(out, X_test, models, gamma=0.01):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no figure drawn")
        return
    Xt, yt = split_series(X_test)
    cut = Xt.shape[1]
    steps = np.arange(cut + yt.shape[1])
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.2), sharey=True)
    for ax, k in zip(axes, (0, 5, 11), strict=True):
        ax.plot(steps[:cut], Xt[k], color="k", lw=1.2, label="input")
        ax.plot(steps[cut:], yt[k], color="k", ls="--", lw=1.2, label="ground truth")
        ax.plot(
            steps[cut:],
            models[gamma].predict(Xt[k : k + 1])[0],
            color="C3",
            lw=1.8,
            label=f"soft-DTW loss, gamma={gamma:g}",
        )
        ax.plot(
            steps[cut:],
            models["Euclidean"].predict(Xt[k : k + 1])[0],
            color="C0",
            lw=1.8,
            label="Euclidean loss",
        )
        ax.axvline(cut - 0.5, color="0.7", lw=0.8)
        ax.set_title(f"ECG200 test series {k}", fontsize=9)
    axes[0].legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    out.mkdir(parents=True, exist_ok=True)
    fig.savefig(out / "forecast_ecg200.png", dpi=110)
    print(f"wrote {out / 'forecast_ecg200.png'}")


def main(root, out):
    warnings.simplefilter("ignore", ConvergenceWarning)
    wins = {label: [0, 0] for label in (f"soft-DTW {g:g}" for g in GAMMAS)}
    ecg = None
    for name in DATASETS:
        data = load(root, name)
        if isinstance(data, str):
            print(f"\n{name}: skipped: {data}")
            continue
        start = time.perf_counter()
        rows, models = study(name, *data)
        print_table(name, rows, time.perf_counter() - start)
        (base_dtw, _), _ = rows["Euclidean"]
        for label in wins:
            (d_rand, _), (d_warm, _) = rows[label]
            wins[label][0] += int(d_rand < base_dtw) + int(d_warm < base_dtw)
            wins[label][1] += 2
        if name == "ECG200":
            ecg = (data[1], models)
    print("\nsoft-DTW training beats squared-loss training on the DTW test loss in")
    for label, (won, cells) in wins.items():
        print(f"  {label}: {won} of {cells} (dataset, init) cells")
    won, cells = (sum(column) for column in zip(*wins.values(), strict=True))
    print(f"  all: {won} of {cells}")
    if ecg is not None:
        draw(out, *ecg)


if __name__ == "__main__":
    args = sys.argv[1:]
    default = Path(__file__).resolve().parents[2] / "shared" / "data" / "ucr"
    main(
        Path(args[0]) if args else default,
        Path(args[1]) if len(args) > 1 else Path("softdtw-examples"),
    )
