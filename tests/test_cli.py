import re
import subprocess
import sys
import warnings

import numpy as np
import pytest

from softdtw_learn import cli
from softdtw_learn.barycenter import soft_dtw_barycenter
from softdtw_learn.cluster import SoftDTWKMeans
from softdtw_learn.datasets import bundled_path, load_ecg200, load_gunpoint
from softdtw_learn.metrics import pairwise_soft_dtw
from softdtw_learn.neighbors import SoftDTWNearestCentroid

pytest.importorskip("matplotlib", reason="the plot extra is not installed")


def _csv(path, X):
    np.savetxt(path, X, delimiter=",")
    return str(path)


# ------------------------------------------------------------------- demo


def test_demo_writes_report_and_figures(tmp_path, capsys):
    out = tmp_path / "demo"
    assert cli.main(["demo", "--quick", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert str((out / "index.html").resolve()) in printed
    page = (out / "index.html").read_text()
    for name in ("alignment", "ecg200_barycenters", "cbf_kmeans", "gunpoint_grid"):
        assert (out / f"{name}.png").stat().st_size > 10_000
        assert f'src="{name}.png"' in page
    # The report carries the numbers that were printed.
    ari = re.search(r"ARI (\d\.\d{3})", printed).group(1)
    assert f"adjusted Rand index {ari}" in page
    accuracy = re.search(r"test accuracy (\d\.\d{3})", printed).group(1)
    assert f"test accuracy {accuracy}" in page
    ecg = load_ecg200()
    from softdtw_learn.metrics import dtw

    value = dtw(ecg.X_train[1], ecg.X_train[0])
    assert f"{value:.4f}" in page


# --------------------------------------------------------------- distance


@pytest.mark.parametrize("blocks", [False, True])
def test_distance_matches_pairwise(tmp_path, capsys, monkeypatch, rng, blocks):
    if blocks:
        monkeypatch.setattr(cli, "_BLOCK_CELLS", 200.0)
    X, Y = rng.normal(size=(7, 12)), rng.normal(size=(4, 9))
    x_file, y_file = _csv(tmp_path / "x.csv", X), _csv(tmp_path / "y.csv", Y)
    out = tmp_path / "d.npy"
    assert cli.main(["distance", x_file, "--gamma", "0.1", "-o", str(out)]) == 0
    np.testing.assert_allclose(
        np.load(out), pairwise_soft_dtw(X, gamma=0.1), rtol=1e-12, atol=1e-12
    )
    out_csv = tmp_path / "d.csv"
    args = ["distance", x_file, y_file, "--divergence", "--window", "3"]
    assert cli.main([*args, "-o", str(out_csv), "--plot", str(tmp_path / "d.png")]) == 0
    expected = pairwise_soft_dtw(X, Y, gamma=1.0, window=3, divergence=True)
    np.testing.assert_allclose(
        np.loadtxt(out_csv, delimiter=","), expected, rtol=1e-12, atol=1e-12
    )
    assert (tmp_path / "d.png").is_file()
    assert "wrote the matrix" in capsys.readouterr().out


def test_distance_prints_a_small_matrix(tmp_path, capsys):
    x_file = _csv(tmp_path / "x.csv", [[0.0, 1.0, 2.0], [0.0, 2.0, 2.0]])
    assert cli.main(["distance", x_file, "--gamma", "0"]) == 0
    assert "[[0. 1.]\n [1. 0.]]" in capsys.readouterr().out


def test_csv_with_unequal_lengths_reads_as_padding(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("1,2,3,4\n5,6,,\n")
    X, y = cli._read(path)
    assert y is None and X.shape == (2, 4) and np.isnan(X[1, 2:]).all()


# ------------------------------------------------------------- barycenter


def test_barycenter_of_one_class(tmp_path, capsys):
    out = tmp_path / "z.csv"
    train = str(bundled_path("ECG200", "TRAIN"))
    args = ["barycenter", train, "--label", "1", "--gamma", "0.1", "--max-iter", "20"]
    assert cli.main([*args, "-o", str(out), "--plot", str(tmp_path / "z.png")]) == 0
    data = load_ecg200()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = soft_dtw_barycenter(
            data.X_train[data.y_train == 1], gamma=0.1, max_iter=20
        )
    np.testing.assert_allclose(np.loadtxt(out), expected, rtol=1e-10, atol=1e-10)
    assert "barycenter of 69 series" in capsys.readouterr().out
    assert (tmp_path / "z.png").is_file()


# ---------------------------------------------------------------- cluster


def test_cluster_writes_labels_and_centres(tmp_path, capsys):
    train = str(bundled_path("CBF", "TRAIN"))
    labels, centres = tmp_path / "labels.npy", tmp_path / "centres.npy"
    args = ["cluster", train, "-k", "3", "--n-init", "2", "--seed", "1"]
    args += ["-o", str(labels), "--centers", str(centres)]
    assert cli.main([*args, "--plot", str(tmp_path / "c.png")]) == 0
    printed = capsys.readouterr().out
    got = np.load(labels)
    assert got.shape == (30,) and np.load(centres).shape == (3, 128)
    assert re.search(r"adjusted Rand index against the file's labels: \d\.\d+", printed)
    # The kept run is the one of lowest inertia among the seeds drawn.
    seeds = np.random.default_rng(1).integers(0, 2**31 - 1, 2)
    X = load_cbf_train()
    inertias = [
        SoftDTWKMeans(3, max_iter=10, random_state=int(s), n_jobs=-1).fit(X).inertia_
        for s in seeds
    ]
    assert f"inertia {min(inertias):.6g}" in printed


def load_cbf_train():
    from softdtw_learn.datasets import load_cbf

    return load_cbf().X_train


# --------------------------------------------------------------- classify


@pytest.mark.parametrize("method", ["centroid", "knn"])
def test_classify_reports_accuracy_and_writes_predictions(tmp_path, capsys, method):
    train = str(bundled_path("GunPoint", "TRAIN"))
    test = str(bundled_path("GunPoint", "TEST"))
    out = tmp_path / "pred.csv"
    args = ["classify", train, test, "--method", method, "--gamma", "0.1"]
    assert cli.main([*args, "-o", str(out), "--plot", str(tmp_path / "p.png")]) == 0
    printed = capsys.readouterr().out
    predicted = np.loadtxt(out, dtype=int)
    data = load_gunpoint()
    assert predicted.shape == data.y_test.shape
    accuracy = float(
        re.search(r"accuracy on the test file's labels: (\S+)", printed)[1]
    )
    assert accuracy == pytest.approx(np.mean(predicted == data.y_test), abs=1e-4)
    if method == "centroid":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = SoftDTWNearestCentroid(gamma=0.1).fit(data.X_train, data.y_train)
        np.testing.assert_array_equal(predicted, model.predict(data.X_test))
        assert (tmp_path / "p.png").is_file()


# ----------------------------------------------------------------- warmup


def test_warmup_compiles_and_reports(capsys):
    assert cli.main(["warmup", "--quiet"]) == 0
    captured = capsys.readouterr()
    assert re.fullmatch(
        r"warm-up: \d+ steps in \d+\.\d s\nkernels compiled and cached on disk by "
        r"Numba: later runs load them in well under a second\n",
        captured.out,
    ), captured.out
    assert captured.err == ""
    # Without --quiet a progress bar on stderr names each step.
    assert cli.main(["warmup"]) == 0
    err = capsys.readouterr().err
    assert "pairwise_soft_dtw, divergence" in err and "SoftDTWKMeans" in err


# ----------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("content", "suffix", "message"),
    [
        (None, ".csv", "no such file"),
        ("1,2,x\n", ".csv", "not a CSV of numbers"),
        ("", ".csv", "not a CSV of numbers"),
        ("1,2\n", ".json", "unknown file type"),
        ("1\t2\t3\n1\tnan\t4\n", ".tsv", "inside the series"),
        ("1,nan,3\n", ".csv", "NaN at time index 1"),
    ],
)
def test_bad_files_give_one_line_and_status_1(
    tmp_path, capsys, content, suffix, message
):
    path = tmp_path / f"data{suffix}"
    if content is not None:
        path.write_text(content)
    assert cli.main(["distance", str(path)]) == 1
    captured = capsys.readouterr()
    assert message in captured.err
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err


def test_classify_needs_labels_and_outputs_need_a_known_suffix(tmp_path, capsys):
    x_file = _csv(tmp_path / "x.csv", np.ones((3, 4)))
    assert cli.main(["classify", x_file, x_file]) == 1
    assert "has no class labels" in capsys.readouterr().err
    assert cli.main(["distance", x_file, "-o", str(tmp_path / "d.txt")]) == 1
    assert "must end in .csv or .npy" in capsys.readouterr().err
    train = str(bundled_path("ECG200", "TRAIN"))
    assert cli.main(["barycenter", train, "--label", "7"]) == 1
    assert "no series with label '7'" in capsys.readouterr().err
    assert cli.main(["distance", x_file, "--gamma", "-1"]) == 1
    assert "gamma" in capsys.readouterr().err


@pytest.mark.parametrize(
    "command",
    [[], ["demo"], ["distance"], ["barycenter"], ["cluster"], ["classify"], ["warmup"]],
)
def test_help_everywhere(capsys, command):
    with pytest.raises(SystemExit) as stop:
        cli.main([*command, "--help"])
    assert stop.value.code == 0
    assert "usage: softdtw-learn" in capsys.readouterr().out


def test_module_entry_point_runs():
    done = subprocess.run(
        [sys.executable, "-m", "softdtw_learn", "distance", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0 and "--divergence" in done.stdout
