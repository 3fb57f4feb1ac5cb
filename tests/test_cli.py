import re

from softdtw_learn.cli import main
from softdtw_learn.datasets import load_ecg200
from softdtw_learn.metrics import dtw, soft_dtw


def test_demo_prints_values_of_two_ecg200_series(capsys):
    assert main(["demo", "--gamma", "0.5"]) == 0
    out = capsys.readouterr().out
    X = load_ecg200().X_train
    expected = soft_dtw(X[1], X[0], gamma=0.5)
    printed = float(re.search(r"gamma = 0\.5\s+soft-DTW\s+(\S+)", out).group(1))
    assert abs(printed - expected) < 1e-6
    printed_dtw = float(re.search(r"DTW \(gamma = 0\)\s+(\S+)", out).group(1))
    assert abs(printed_dtw - dtw(X[1], X[0])) < 1e-6
    assert "expected alignment E" in out
