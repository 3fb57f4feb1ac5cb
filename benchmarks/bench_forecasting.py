"""Soft-DTW as a training loss: the MLP forecaster and the PyTorch loss.

1. ``SoftDTWMLPRegressor`` on ECG200 (100 training series split 58 -> 38,
   the paper's section 4.4), gamma 0.1, 200 L-BFGS iterations, one hidden
   layer of 100 sigmoid units: training time on one thread and on all cores.
2. ``softdtw_learn.torch.SoftDTWLoss`` forward + backward on a batch of 64
   random series pairs (lengths 38 and 128, float64), against tslearn's
   ``SoftDTWLossPyTorch`` when tslearn and torch are importable side by side;
   time (best of 5), ratio and ns per DP cell.
"""

import importlib
import time
import warnings

from _timing import best
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


if __name__ == "__main__":
    train_ecg200()
    torch_loss()
