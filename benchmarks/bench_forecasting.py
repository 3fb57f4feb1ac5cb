"""Soft-DTW as a training loss: the MLP forecaster and the PyTorch loss.

1. ``SoftDTWMLPRegressor`` on ECG200 (100 training series split 58 -> 38,
   the paper's section 4.4), gamma 0.1, 200 L-BFGS iterations, one hidden
   layer of 100 sigmoid units: training time on one thread and on all cores.
2. ``softdtw_learn.torch.SoftDTWLoss`` forward + backward on a batch of 64
   random series pairs (lengths 38 and 128, float64), against tslearn's
   ``SoftDTWLossPyTorch`` when tslearn and torch are importable side by side;
   time (best of 5), ratio and ns per DP cell.

With ``--study`` it runs instead the paper's Table 3 protocol (section 4.4)
on the univariate equal-length sets of ../shared/data (it READS
../shared/data, and exits with a message when it is absent): each series
z-normalised and split 60 / 40 by ``split_series``, an MLP with one hidden
layer of 50 sigmoid units trained on the training split with the squared loss,
with soft-DTW from a random start and from the squared-loss solution
(``init="euclidean"``), and with gamma chosen on 25% of the training series
held out (``SoftDTWMLPRegressorCV``); the mean DTW and squared Euclidean
losses on the test split, and the share of sets on which each soft-DTW model
has a lower test DTW loss than the squared-loss model. All the models of a
table share one L2 penalty ``alpha``: one table per ``--alpha`` (default 1,
the value of examples/forecasting_study.py, and 0.1). Test sets are
subsampled to ``--max-test`` series (seed 0). About 3 minutes on 2 cores.

    python benchmarks/bench_forecasting.py [--study [--alpha 1 0.1] [--gamma 0.1]]
"""

import argparse
import importlib
import time
import warnings
from pathlib import Path

import numpy as np
from _timing import best
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from softdtw_learn.datasets import load_ecg200
from softdtw_learn.forecasting import SoftDTWMLPRegressor, split_series


def train_ecg200():
    X, y = split_series(load_ecg200().X_train)
    warnings.simplefilter("ignore", ConvergenceWarning)
    SoftDTWMLPRegressor((100,), max_iter=1).fit(X, y)  # compile or load the kernels
    for n_jobs in (None, -1):
        model = SoftDTWMLPRegressor(
            (100,), gamma=0.1, max_iter=200, tol=0.0, random_state=0, n_jobs=n_jobs
        )
        start = time.perf_counter()
        model.fit(X, y)
        seconds = time.perf_counter() - start
        print(
            f"ECG200 MLP, gamma 0.1, n_jobs {n_jobs}: {seconds:.2f} s for "
            f"{model.n_iter_} L-BFGS iterations (loss {model.loss_:.4f})"
        )


def torch_loss():
    try:
        torch = importlib.import_module("torch")
        ours = importlib.import_module("softdtw_learn.torch")
    except ImportError:
        print("torch is not importable: skipping the loss benchmark")
        return
    try:
        tslearn_metrics = importlib.import_module("tslearn.metrics")
        theirs_cls = tslearn_metrics.SoftDTWLossPyTorch
    except (ImportError, AttributeError):
        theirs_cls = None
        print("tslearn's SoftDTWLossPyTorch is not importable: ours only")
    gen = torch.Generator().manual_seed(0)
    for length in (38, 128):
        x = torch.randn(64, length, 1, generator=gen, dtype=torch.float64)
        y = torch.randn(64, length, 1, generator=gen, dtype=torch.float64)
        cells = 64 * length * length

        def step(loss_fn, x=x, y=y):
            xg = x.clone().requires_grad_(True)
            loss_fn(xg, y).mean().backward()

        for threads in (1, torch.get_num_threads()):
            torch.set_num_threads(threads)
            loss = ours.SoftDTWLoss(0.1, reduction="none", n_jobs=threads)
            mine = best(lambda loss=loss: step(loss), repeats=5)[0]
            line = (
                f"torch loss fwd+bwd, batch 64, length {length}, {threads} thread(s):"
                f" softdtw_learn {mine * 1e3:.2f} ms ({mine / cells * 1e9:.1f} ns/cell)"
            )
            if theirs_cls is not None:
                peer = theirs_cls(gamma=0.1)
                theirs = best(lambda peer=peer: step(peer), repeats=5)[0]
                line += (
                    f", tslearn {theirs * 1e3:.2f} ms ({theirs / cells * 1e9:.1f} "
                    f"ns/cell), ratio {theirs / mine:.1f}x"
                )
            print(line)


# ------------------------------------------------------- the paper's Table 3

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "ucr"
# The univariate equal-length sets of ../shared/data. Left out: MinimalChinatown
# (a subset of Chinatown), PickupGestureWiimoteZ_eq (its tails are padding,
# not the gestures' continuation), the multivariate and the unequal sets.
STUDY_SETS = (
    "ArrowHead",
    "BME",
    "CBF",
    "Chinatown",
    "Coffee",
    "ECG200",
    "GunPoint",
    "ItalyPowerDemand",
    "Trace",
)
PAPER_GAMMAS = (1.0, 0.1, 0.01, 0.001)


def _read_set(name):
    """Train and test series of one set, as read (2-D, float64)."""
    from softdtw_learn.datasets import read_ucr_file

    folder = SHARED / name
    if name == "Trace":  # shipped as tslearn's npz only: (n, 275, 1) arrays
        with np.load(folder / "Trace.npz", allow_pickle=False) as data:
            return data["X_train"][:, :, 0], data["X_test"][:, :, 0]
    for suffix in (".tsv", ".ts"):
        if (folder / f"{name}_TRAIN{suffix}").is_file():
            return tuple(
                read_ucr_file(folder / f"{name}_{split}{suffix}")[0]
                for split in ("TRAIN", "TEST")
            )
    raise FileNotFoundError(f"{folder}: no .tsv or .ts files")


def _forecasting_sets(max_test):
    """(name, X, y, X_test, y_test) of each set, each series split 60 / 40.

    Each series is z-normalised (a no-op on the z-normalised UCR files, so
    that one gamma means the same on every set); at most ``max_test`` test
    series, drawn at random (seed 0).
    """
    from softdtw_learn.forecasting import split_series
    from softdtw_learn.preprocessing import TimeSeriesStandardScaler

    rng = np.random.RandomState(0)
    scaler = TimeSeriesStandardScaler()
    for name in STUDY_SETS:
        train, test = _read_set(name)
        if train.ndim != 2 or np.isnan(train).any() or np.isnan(test).any():
            raise ValueError(f"{name}: expected univariate equal-length series")
        if len(test) > max_test:
            test = test[np.sort(rng.choice(len(test), max_test, replace=False))]
        X, y = split_series(scaler.fit_transform(train))
        yield (name, X, y, *split_series(scaler.fit_transform(test)))


def _test_losses(model, X_test, y_test):
    """Mean DTW (gamma 0) and mean squared Euclidean loss per test series."""
    from softdtw_learn.metrics import paired_soft_dtw

    pred = model.predict(X_test)
    dtw = paired_soft_dtw(pred, y_test, gamma=0.0).mean()
    return float(dtw), float(np.sum((pred - y_test) ** 2, axis=1).mean())


def _study_models(alpha, gamma, max_iter):
    """The squared-loss baseline first, then the soft-DTW models, by label."""
    from softdtw_learn.forecasting import SoftDTWMLPRegressor, SoftDTWMLPRegressorCV

    common = {
        "hidden_layer_sizes": (50,),
        "alpha": alpha,
        "max_iter": max_iter,
        "random_state": 0,
    }
    cv = {"gammas": PAPER_GAMMAS, "validation_fraction": 0.25, **common}
    return {
        "squared": SoftDTWMLPRegressor(loss="squared", **common),
        f"γ {gamma:g} rand": SoftDTWMLPRegressor(gamma=gamma, **common),
        f"γ {gamma:g} Euc": SoftDTWMLPRegressor(
            gamma=gamma, init="euclidean", **common
        ),
        "CV rand": SoftDTWMLPRegressorCV(**cv),
        "CV Euc": SoftDTWMLPRegressorCV(init="euclidean", **cv),
    }


def table3(alpha, gamma, max_iter, max_test):
    """Print the Table 3 comparison as a markdown table, then the win shares."""
    if not SHARED.is_dir():
        raise SystemExit(f"skipped: {SHARED} not found (--study needs ../shared/data)")
    warnings.simplefilter("ignore", ConvergenceWarning)
    models = _study_models(alpha, gamma, max_iter)
    print(
        f"\nMLP, 50 sigmoid units, alpha {alpha:g}, L-BFGS-B, max_iter {max_iter}, "
        f"seed 0. CV: gamma from {PAPER_GAMMAS} by the DTW loss on 25% of the "
        f"training series. Cells: test DTW loss / test squared loss (means per "
        f"series; at most {max_test} test series); * = DTW loss below the "
        "squared-loss model's.\n"
    )
    print("| set | train/test | " + " | ".join(models) + " | γ chosen | s |")
    print("|---" * (len(models) + 4) + "|")
    wins = dict.fromkeys(list(models)[1:], 0)
    log_ratios = {label: [] for label in wins}  # of DTW loss to the baseline's
    n_sets = 0
    for name, X, y, X_test, y_test in _forecasting_sets(max_test):
        start = time.perf_counter()
        cells, chosen, baseline = [], [], None
        for label, model in models.items():
            fitted = clone(model).fit(X, y)
            dtw, euclid = _test_losses(fitted, X_test, y_test)
            if baseline is None:
                baseline, won = dtw, False
            else:
                won = dtw < baseline
                wins[label] += won
                log_ratios[label].append(np.log(dtw / baseline))
            cells.append(f"{dtw:.3f}{'*' if won else ''} / {euclid:.2f}")
            if hasattr(fitted, "gamma_"):
                chosen.append(f"{fitted.gamma_:g}")
        n_sets += 1
        seconds = time.perf_counter() - start
        print(
            f"| {name} | {len(X)}/{len(X_test)} | {' | '.join(cells)} | "
            f"{', '.join(chosen)} | {seconds:.0f} |",
            flush=True,
        )
    print(
        "\nsoft-DTW training beats squared-loss training on the test DTW loss "
        "(geometric mean of the ratio of test DTW losses, model / squared):"
    )
    for label, won in wins.items():
        ratio = np.exp(np.mean(log_ratios[label]))
        print(
            f"  {label}: {won} of {n_sets} sets ({100 * won / n_sets:.0f}%), "
            f"ratio {ratio:.2f}"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--study", action="store_true", help="run Table 3 only")
    parser.add_argument("--alpha", type=float, nargs="+", default=[1.0, 0.1])
    parser.add_argument("--gamma", type=float, default=0.1)
    parser.add_argument("--max-iter", type=int, default=200)
    parser.add_argument("--max-test", type=int, default=200)
    args = parser.parse_args()
    if args.study:
        for alpha in args.alpha:
            table3(alpha, args.gamma, args.max_iter, args.max_test)
        return
    train_ecg200()
    torch_loss()


if __name__ == "__main__":
    main()
