import os
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
from softdtw_learn.neighbors import SoftDTWKNeighborsClassifier, SoftDTWNearestCentroid
from softdtw_learn.utils import to_time_series_dataset

try:
    import matplotlib  # noqa: F401

    HAS_MATPLOTLIB = True
except ImportError:
    HAS_MATPLOTLIB = False

needs_matplotlib = pytest.mark.skipif(
    not HAS_MATPLOTLIB, reason="the plot extra is not installed"
)


def _csv(path, X):
    np.savetxt(path, X, delimiter=",", fmt="%.17g")
    return str(path)


def _tsv(path, X, y):
    rows = [
        "\t".join([str(label), *(f"{v:.17g}" for v in row)])
        for label, row in zip(y, X, strict=True)
    ]
    path.write_text("\n".join(rows) + "\n")
    return str(path)


def _files(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))


def _one_error_line(err):
    assert "Traceback" not in err
    assert err.count("\n") == 1 and err.endswith("\n"), err
    return err


# --------------------------------------------------------------- distance


def _same_bits(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and np.array_equal(a.view(np.int64), b.view(np.int64))


@pytest.fixture
def counted_pairwise(monkeypatch):
    """Count the calls of the API's pairwise_soft_dtw made by the command line."""
    from softdtw_learn import metrics

    calls = []

    def counting(*args, **kwargs):
        calls.append(len(args[0]))
        return pairwise_soft_dtw(*args, **kwargs)

    monkeypatch.setattr(metrics, "pairwise_soft_dtw", counting)
    return calls


@pytest.mark.parametrize("divergence", [False, True])
@pytest.mark.parametrize("window", [None, "3", "0.4"])
def test_blocked_distance_is_the_api_matrix_bit_for_bit(
    tmp_path, monkeypatch, rng, counted_pairwise, divergence, window
):
    # Unequal lengths, so that the order by length differs from the file's.
    lengths = rng.integers(4, 15, size=29)
    X = to_time_series_dataset([rng.normal(size=n) for n in lengths])[:, :, 0]
    Y = to_time_series_dataset([rng.normal(size=n) for n in lengths[:9]])[:, :, 0]
    x_file, y_file = _csv(tmp_path / "x.csv", X), _csv(tmp_path / "y.csv", Y)
    monkeypatch.setattr(cli, "_BLOCK_CELLS", 2000.0)
    args = ["--gamma", "0.1", *(["--divergence"] if divergence else [])]
    args += [] if window is None else ["--window", window]
    api_window = None if window is None else (int(window) if window == "3" else 0.4)
    kwargs = {"gamma": 0.1, "window": api_window, "divergence": divergence}

    out = tmp_path / "d.npy"
    assert cli.main(["distance", x_file, *args, "-o", str(out)]) == 0
    assert len(counted_pairwise) > 5  # the blocked path ran
    assert _same_bits(np.load(out), pairwise_soft_dtw(X, **kwargs))

    counted_pairwise.clear()
    out_csv = tmp_path / "d.csv"
    assert cli.main(["distance", x_file, y_file, *args, "-o", str(out_csv)]) == 0
    assert len(counted_pairwise) > 5
    expected = pairwise_soft_dtw(X, Y, **kwargs)
    assert _same_bits(np.loadtxt(out_csv, delimiter=","), expected)  # %.17g


def test_blocks_take_each_pair_in_the_api_orientation(monkeypatch, rng):
    # The kernel happens to be symmetric to the bit, which hides the
    # orientation; an asymmetric stand-in shows it. The API computes (a, b)
    # with as row the series first in the stable order by length.
    from softdtw_learn import metrics

    lengths = rng.integers(3, 9, size=17)
    X = to_time_series_dataset([np.full(n, float(k)) for k, n in enumerate(lengths)])

    def asymmetric(rows, lanes, **kwargs):
        return 100.0 * rows[:, :1, 0] + lanes[:, 0, 0][None, :]

    monkeypatch.setattr(metrics, "pairwise_soft_dtw", asymmetric)
    monkeypatch.setattr(cli, "_BLOCK_CELLS", 300.0)
    matrix = cli._symmetric_blocks(X, lengths, {})
    position = np.empty(len(X), dtype=int)
    position[np.argsort(lengths, kind="stable")] = np.arange(len(X))
    for a in range(len(X)):
        for b in range(len(X)):
            row, lane = (a, b) if position[a] <= position[b] else (b, a)
            assert matrix[a, b] == 100.0 * row + lane


def test_distance_checks_the_range_on_all_series_before_the_blocks(
    tmp_path, monkeypatch, capsys
):
    # Each block sees part of the data; the range is checked on all of it.
    X = np.ones((40, 6))
    X[-1] = 1e160
    x_file = _csv(tmp_path / "x.csv", X)
    monkeypatch.setattr(cli, "_BLOCK_CELLS", 200.0)
    monkeypatch.setattr(cli, "_symmetric_blocks", _must_not_compute)
    assert cli.main(["distance", x_file]) == 1
    assert "Rescale the series" in _one_error_line(capsys.readouterr().err)


def test_distance_matches_pairwise_with_two_files_and_a_plot(tmp_path, capsys, rng):
    X, Y = rng.normal(size=(7, 12)), rng.normal(size=(4, 9))
    x_file, y_file = _csv(tmp_path / "x.csv", X), _csv(tmp_path / "y.csv", Y)
    out_csv = tmp_path / "d.csv"
    args = ["distance", x_file, y_file, "--divergence", "--window", "3"]
    if HAS_MATPLOTLIB:
        args += ["--plot", str(tmp_path / "d.png")]
    assert cli.main([*args, "-o", str(out_csv)]) == 0
    expected = pairwise_soft_dtw(X, Y, gamma=1.0, window=3, divergence=True)
    assert _same_bits(np.loadtxt(out_csv, delimiter=","), expected)
    printed = capsys.readouterr().out
    assert f"wrote the matrix to {out_csv}" in printed
    if HAS_MATPLOTLIB:
        assert (tmp_path / "d.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not [p for p in _files(tmp_path) if p.endswith(".part")]


def test_distance_prints_a_small_matrix(tmp_path, capsys):
    x_file = _csv(tmp_path / "x.csv", [[0.0, 1.0, 2.0], [0.0, 2.0, 2.0]])
    assert cli.main(["distance", x_file, "--gamma", "0"]) == 0
    assert "[[0. 1.]\n [1. 0.]]" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("text", "api"),
    [("0", 0), ("1", 1), ("7", 7), ("1e3", 1000), ("1.0", 1.0), ("0.25", 0.25)],
)
def test_window_is_read_as_the_api_reads_it(tmp_path, rng, text, api):
    # An integer literal is cells (0 included, as the API accepts it); other
    # numbers are fractions in (0, 1], or cells when whole and above 1.
    value = cli._window(text)
    assert value == api and type(value) is type(api)
    X = rng.normal(size=(3, 10))
    out = tmp_path / "d.npy"
    assert (
        cli.main(
            ["distance", _csv(tmp_path / "x.csv", X), "--window", text, "-o", str(out)]
        )
        == 0
    )
    assert _same_bits(np.load(out), pairwise_soft_dtw(X, window=api))


# ---------------------------------------------------------------- reading


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("1,2,3,4\n5,6,,\n", [[1, 2, 3, 4], [5, 6, np.nan, np.nan]]),
        ("1,2\n3,4,5\n", [[1, 2, np.nan], [3, 4, 5]]),  # a longer later row
        ("\ufeff1,2\r\n3,4,\r\n\r\n", [[1, 2], [3, 4]]),  # BOM, CRLF, blank line
        ("1, nan ,\n2,3,4\n", [[1, np.nan, np.nan], [2, 3, 4]]),
        ("0.1,-2.5e-3,+7\n", [[0.1, -2.5e-3, 7.0]]),
    ],
)
def test_csv_reads_rows_as_series_with_trailing_padding(tmp_path, content, expected):
    path = tmp_path / "ragged.csv"
    path.write_bytes(content.encode("utf-8"))
    X, y = cli._read(cli._input_file(str(path)))
    assert y is None
    np.testing.assert_array_equal(X, expected)


def test_csv_line_with_blank_fields_fails_at_once(tmp_path):
    # Each blank field once doubled the regex's ways to fail: 22 fields and a
    # word took hours.
    path = tmp_path / "blank.csv"
    path.write_text(",".join(["  "] * 22) + ",x\n")
    with pytest.raises(ValueError, match="column 23: 'x' is not a number"):
        cli._read(cli._input_file(str(path)))


def test_csv_values_come_back_exactly(tmp_path, rng):
    X = rng.normal(size=(4, 6)) * 10.0 ** rng.integers(-300, 300, size=(4, 6))
    read, _ = cli._read(cli._input_file(_csv(tmp_path / "x.csv", X)))
    assert _same_bits(read, X)


# ------------------------------------------------------------- barycenter


@needs_matplotlib
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
    # One row: one series.
    assert out.read_text().count("\n") == 1
    written = np.loadtxt(out, delimiter=",", ndmin=2)
    assert written.shape == (1, 96)
    np.testing.assert_allclose(written[0], expected, rtol=1e-10, atol=1e-10)
    assert "barycenter of 69 series" in capsys.readouterr().out
    assert (tmp_path / "z.png").is_file()


# ---------------------------------------------------------------- cluster


@needs_matplotlib
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
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inertias = [
            SoftDTWKMeans(3, max_iter=10, random_state=int(s), n_jobs=-1)
            .fit(X)
            .inertia_
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
    if method == "centroid" and HAS_MATPLOTLIB:
        args += ["--plot", str(tmp_path / "p.png")]
    assert cli.main([*args, "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    predicted = np.loadtxt(out, dtype=int)
    data = load_gunpoint()
    assert predicted.shape == data.y_test.shape
    accuracy = float(
        re.search(r"accuracy on the test file's labels: (\S+)", printed)[1]
    )
    assert accuracy == pytest.approx(np.mean(predicted == data.y_test), abs=1e-4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if method == "centroid":
            model = SoftDTWNearestCentroid(gamma=0.1)
        else:
            model = SoftDTWKNeighborsClassifier(gamma=0.1)
        model.fit(data.X_train, data.y_train)
    np.testing.assert_array_equal(predicted, model.predict(data.X_test))
    if method == "centroid" and HAS_MATPLOTLIB:
        assert (tmp_path / "p.png").is_file()


@pytest.mark.parametrize("method", ["centroid", "knn"])
def test_classify_pads_a_test_file_wider_than_its_train_file(
    tmp_path, capsys, rng, method
):
    # The loaders' route: both splits padded to one width with trailing NaN.
    X = rng.normal(size=(8, 6))
    y = np.array([1, 2] * 4)
    X[y == 2] += 3.0
    X_test = rng.normal(size=(5, 9))
    X_test[[1, 3]] += 3.0
    y_test = np.array([1, 2, 1, 2, 1])
    train, test = (
        _tsv(tmp_path / "tr.tsv", X, y),
        _tsv(tmp_path / "te.tsv", X_test, y_test),
    )
    out = tmp_path / "pred.npy"
    extra = ["-k", "3"] if method == "knn" else []
    args = ["classify", train, test, "--method", method, *extra, "-o", str(out)]
    assert cli.main(args) == 0
    padded = np.pad(X, [(0, 0), (0, 3)], constant_values=np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if method == "centroid":
            model = SoftDTWNearestCentroid().fit(padded, y)
        else:
            model = SoftDTWKNeighborsClassifier(n_neighbors=3).fit(padded, y)
    np.testing.assert_array_equal(np.load(out), model.predict(X_test))
    assert "accuracy on the test file's labels" in capsys.readouterr().out


def test_classify_compares_number_labels_across_formats(tmp_path, capsys):
    # "1.0" is the int 1 in a .tsv file and the class "1.0" in a .ts file.
    train, test = tmp_path / "tr.tsv", tmp_path / "te.ts"
    train.write_text("1.0\t1\t2\t3\n2.0\t4\t5\t6\n")
    test.write_text("@classLabel true 1.0 2.0\n@data\n1,2,3:1.0\n4,5,6:2.0\n")
    assert cli.main(["classify", str(train), str(test), "--n-jobs", "1"]) == 0
    captured = capsys.readouterr()
    assert "accuracy on the test file's labels: 1.0000" in captured.out
    assert "not classes of the training file" not in captured.err


@pytest.mark.parametrize(
    ("predicted", "written", "expected"),
    [
        ([9007199254740993], ["9007199254740992"], 0.0),  # no rounding at 2**53
        ([10], ["1_0"], 0.0),  # an underscore is no digit here
        ([1, 2], ["1.0", "2e0"], 1.0),
        (["a", "b"], ["a", "c"], 0.5),
    ],
)
def test_labels_compare_exactly(predicted, written, expected):
    assert cli._accuracy(np.array(predicted), np.array(written)) == expected


def test_classify_writes_string_labels_as_csv(tmp_path, rng):
    X = rng.normal(size=(4, 5))
    y = np.array(["a,b", "c", "a,b", "c"])
    train = _tsv(tmp_path / "tr.tsv", X, y)
    out = tmp_path / "pred.csv"
    args = ["classify", train, train, "--method", "knn", "-o", str(out)]
    assert cli.main(args) == 0
    import csv

    with open(out, newline="") as stream:
        assert [row[0] for row in csv.reader(stream)] == list(y)


# ---------------------------------------------------------- bundled sets


@pytest.mark.parametrize(
    ("text", "name", "split"),
    [
        ("ECG200:TRAIN", "ECG200", "TRAIN"),
        ("cbf:train", "CBF", "TRAIN"),
        ("GUNPOINT:Test", "GunPoint", "TEST"),
    ],
)
def test_a_bundled_set_by_name_is_its_file(tmp_path, text, name, split):
    from softdtw_learn.datasets import read_ucr_file

    source = cli._input_file(text)
    assert source.path == bundled_path(name, split)
    assert str(source) == f"{name}:{split}"
    out = tmp_path / "d.npy"
    assert cli.main(["distance", text, "--gamma", "0.1", "-o", str(out)]) == 0
    X, _ = read_ucr_file(bundled_path(name, split))
    assert _same_bits(np.load(out), pairwise_soft_dtw(X, gamma=0.1))


def test_a_file_named_like_a_bundled_set_does_not_shadow_it(
    tmp_path, monkeypatch, capsys
):
    # NAME:SPLIT has no suffix, so it never names a data file: the bundled
    # set is read even when such a file exists; a file with a suffix and a
    # colon is a file.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ECG200:TRAIN").write_text("junk")
    out = tmp_path / "d.npy"
    assert cli.main(["distance", "ECG200:TRAIN", "-o", str(out)]) == 0
    assert np.load(out).shape == (100, 100)
    colon = _csv(tmp_path / "x:y.csv", np.eye(3))
    assert cli.main(["distance", colon, "--gamma", "0"]) == 0
    assert "[[0. 1. 2.]\n [1. 0. 1.]\n [2. 1. 0.]]" in capsys.readouterr().out


def test_classify_by_bundled_names_matches_the_loader(tmp_path, capsys):
    out = tmp_path / "pred.npy"
    argv = ["classify", "GunPoint:TRAIN", "gunpoint:test", "--method", "knn"]
    assert cli.main([*argv, "-o", str(out)]) == 0
    data = load_gunpoint()
    expected = SoftDTWKNeighborsClassifier().fit(data.X_train, data.y_train)
    np.testing.assert_array_equal(np.load(out), expected.predict(data.X_test))


# --------------------------------------------------- outputs read back


def _run(argv):
    assert cli.main([str(a) for a in argv]) == 0, argv


def test_a_barycenter_reads_back_as_one_series(tmp_path, capsys):
    z_csv, z_npy = tmp_path / "z.csv", tmp_path / "z.npy"
    common = ["--label", "1", "--gamma", "0.5", "--max-iter", "15"]
    _run(["barycenter", "ECG200:TRAIN", *common, "-o", z_csv])
    _run(["barycenter", "ECG200:TRAIN", *common, "-o", z_npy])
    z = np.load(z_npy)
    assert z.shape == (96,)
    # The CSV is one row, the same bits (%.17g), and the command line reads
    # it as one series of length 96.
    assert _same_bits(np.loadtxt(z_csv, delimiter=",", ndmin=2), z[None, :])
    X, y = cli._read(cli._input_file(str(z_csv)))
    assert y is None and _same_bits(X, z[None, :])
    d = tmp_path / "dz.npy"
    _run(["distance", z_csv, "ECG200:TEST", "-o", d])
    data = load_ecg200()
    assert _same_bits(np.load(d), pairwise_soft_dtw(z[None, :], data.X_test))


def test_a_multichannel_barycenter_goes_to_npy_as_length_by_channels(tmp_path):
    multi = tmp_path / "multi.ts"
    multi.write_text(TS_TWO_CHANNELS)
    out = tmp_path / "z.npy"
    _run(["barycenter", multi, "--max-iter", "5", "-o", out])
    from softdtw_learn.datasets import read_ucr_file

    X, _ = read_ucr_file(multi)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = soft_dtw_barycenter(X, max_iter=5, n_jobs=-1)
    assert np.load(out).shape == (4, 2)
    np.testing.assert_allclose(np.load(out), expected, rtol=1e-12, atol=1e-12)


def test_centres_and_labels_read_back_as_what_they_are(tmp_path, capsys):
    labels_csv, labels_npy = tmp_path / "l.csv", tmp_path / "l.npy"
    c_csv, c_npy = tmp_path / "c.csv", tmp_path / "c.npy"
    common = ["cluster", "CBF:TRAIN", "-k", "3", "--max-iter", "3", "--seed", "4"]
    _run([*common, "-o", labels_csv, "--centers", c_csv])
    _run([*common, "-o", labels_npy, "--centers", c_npy])
    labels, centres = np.load(labels_npy), np.load(c_npy)
    assert labels.shape == (30,) and centres.shape == (3, 128)
    np.testing.assert_array_equal(np.loadtxt(labels_csv, dtype=int), labels)
    # One row per centre: the command line reads the CSV back as 3 series.
    X, _ = cli._read(cli._input_file(str(c_csv)))
    assert _same_bits(X, centres)
    d = tmp_path / "d.npy"
    _run(["distance", c_csv, "-o", d])
    assert _same_bits(np.load(d), pairwise_soft_dtw(centres))


def test_centres_of_unequal_univariate_series_fit_in_a_csv(tmp_path, capsys):
    # The .ts reader gives unequal lengths 3-D; one channel is still a CSV row.
    rows = ["1,2,3,4,5:a", "1,2,3:a", "5,4,3,2,1,0:b", "4,3,2:b"]
    header = "@problemName u\n@univariate true\n@equalLength false\n"
    ts = tmp_path / "u.ts"
    ts.write_text(header + "@classLabel true a b\n@data\n" + "\n".join(rows) + "\n")
    common = ["cluster", ts, "-k", "2", "--max-iter", "3", "--seed", "0"]
    _run([*common, "--centers", tmp_path / "c.csv"])
    _run([*common, "--centers", tmp_path / "c.npy"])
    centres = np.load(tmp_path / "c.npy")
    assert centres.ndim == 3 and centres.shape[2] == 1
    X, _ = cli._read(cli._input_file(str(tmp_path / "c.csv")))
    X = X[:, :, 0] if X.ndim == 3 else X
    width = X.shape[1]  # the trailing NaN padding is not read back
    assert np.isnan(centres[:, width:]).all()
    np.testing.assert_array_equal(X, centres[:, :width, 0])


def test_classify_notes_test_labels_that_training_never_had(tmp_path, capsys):
    _run(["classify", "ECG200:TRAIN", "GunPoint:TEST", "--method", "knn"])
    err = capsys.readouterr().err
    assert "are not classes of the training file" in err
    assert "of 150 test labels (e.g. '2')" in err
    _run(["classify", "ECG200:TRAIN", "ECG200:TEST", "--method", "knn"])
    assert "not classes" not in capsys.readouterr().err


def test_predictions_and_matrices_read_back_as_what_they_are(tmp_path, capsys):
    p_csv, p_npy = tmp_path / "p.csv", tmp_path / "p.npy"
    common = ["classify", "ECG200:TRAIN", "ECG200:TEST", "--method", "knn"]
    _run([*common, "-o", p_csv])
    _run([*common, "-o", p_npy])
    data = load_ecg200()
    assert p_csv.read_text().count("\n") == len(data.y_test)  # one per line
    np.testing.assert_array_equal(np.loadtxt(p_csv, dtype=int), np.load(p_npy))
    assert set(np.load(p_npy)) <= set(data.y_train)
    d_csv, d_npy = tmp_path / "d.csv", tmp_path / "d.npy"
    _run(["distance", "CBF:TRAIN", "ECG200:TEST", "--gamma", "0.1", "-o", d_csv])
    _run(["distance", "CBF:TRAIN", "ECG200:TEST", "--gamma", "0.1", "-o", d_npy])
    # One row per series of the first input, one column per series of the second.
    assert np.load(d_npy).shape == (30, 100)
    assert _same_bits(np.loadtxt(d_csv, delimiter=","), np.load(d_npy))


# ------------------------------------------------------ help and version


def _subparsers():
    import argparse

    parser = cli._parser()
    (commands,) = [
        a for a in parser._actions if isinstance(a, argparse._SubParsersAction)
    ]
    return commands.choices


def _flat(text):
    return " ".join(text.split())


def test_version_prints_the_package_version(capsys):
    import softdtw_learn

    with pytest.raises(SystemExit) as stop:
        cli.main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out == f"softdtw-learn {softdtw_learn.__version__}\n"


def test_bundled_names_are_the_loaders_sets():
    from softdtw_learn.datasets._bundled import BUNDLED

    assert cli._bundled_names() == sorted(BUNDLED, key=str.lower)


def test_version_and_help_do_not_import_scikit_learn():
    # A second of imports for a line of output; a fresh interpreter.
    code = (
        "import sys\n"
        "from softdtw_learn import cli\n"
        "for args in (['--version'], ['--help']):\n"
        "    try:\n"
        "        cli.main(args)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print('sklearn' in sys.modules, 'numba' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.splitlines()[-1] == "False False"


@pytest.mark.parametrize(
    "command",
    ["demo", "distance", "barycenter", "cluster", "classify", "warmup", "reproduce"],
)
def test_every_option_has_help_and_shows_its_default(command):
    import argparse

    parser = _subparsers()[command]
    text = _flat(parser.format_help())
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        assert action.help, action.dest
        shown = _flat(parser._get_formatter()._expand_help(action))
        assert shown in text
        if action.default not in (None, False):
            assert f"(default: {action.default})" in shown, action.dest


@pytest.mark.parametrize(
    ("command", "option", "default"),
    [
        ("barycenter", "--max-iter", "100"),
        ("cluster", "--max-iter", "10"),
        ("cluster", "--seed", "0"),
        ("cluster", "-k", "3"),
        ("cluster", "--n-init", "1"),
        ("classify", "-k", "1"),
        ("classify", "--method", "centroid"),
        ("distance", "--window", "no band"),
        ("distance", "--gamma", "1.0"),
        ("classify", "--n-jobs", "-1"),
        ("reproduce", "--max-series", "100"),
        ("reproduce", "--only", "table1,table2,figure7,table3"),
        ("reproduce", "-o", "softdtw-reproduce"),
    ],
)
def test_named_options_show_their_default(command, option, default):
    parser = _subparsers()[command]
    (action,) = [a for a in parser._actions if option in a.option_strings]
    shown = _flat(parser._get_formatter()._expand_help(action))
    assert f"(default: {default})" in shown


# --------------------------------------------------------- progress bars


def _show_bars(monkeypatch):
    """Make the captured stderr look like a terminal, so that the bars show.

    Called in the test body: capsys installs its stream only then.
    """
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)


def _bar(desc, total, unit):
    """A tqdm line of ``desc`` over ``total`` items counted in ``unit``."""
    rate = rf"(\?{unit}/s|\d[\d.]*{unit}/s|\d[\d.]*s/{unit})"
    return re.compile(rf"{desc}: +\d+%\|[^|]*\| *\d+/{total} \[[^\]]*{rate}\]")


def test_the_k_means_bar_counts_runs_and_the_classify_bar_series(
    tmp_path, capsys, monkeypatch
):
    _show_bars(monkeypatch)
    _run(["cluster", "CBF:TRAIN", "-k", "2", "--n-init", "3", "--max-iter", "2"])
    err = capsys.readouterr().err
    assert _bar("k-means", 3, "run").search(err), err
    assert "series" not in err
    _run(["classify", "CBF:TRAIN", "CBF:TRAIN", "--method", "knn"])
    err = capsys.readouterr().err
    assert _bar("classify", 30, "series").search(err), err


def test_the_blocked_distance_bar_counts_series(tmp_path, capsys, monkeypatch):
    _show_bars(monkeypatch)
    monkeypatch.setattr(cli, "_BLOCK_CELLS", 2000.0)
    _run(["distance", _csv(tmp_path / "x.csv", np.eye(12))])
    err = capsys.readouterr().err
    assert _bar("distance", 12, "series").search(err), err


# --------------------------------------------------------------- figures


@pytest.fixture
def drawn(monkeypatch):
    """Record the axes of every figure the command line draws."""
    figures = []
    write = cli._write_figure

    def recording(outputs, target, draw):
        def keep(plt):
            fig = draw(plt)
            figures.append(
                {
                    "title": fig._suptitle.get_text() if fig._suptitle else "",
                    "axes": [
                        (ax.get_title(), ax.get_xlabel(), ax.get_ylabel())
                        for ax in fig.axes
                    ],
                }
            )
            return fig

        write(outputs, target, keep)

    monkeypatch.setattr(cli, "_write_figure", recording)
    return figures


@needs_matplotlib
def test_dollar_signs_in_file_names_are_drawn_as_text(tmp_path, capsys):
    # A "$...$" pair is not mathtext here: the figure is written, the name shown.
    x = _csv(tmp_path / "x$^$y.csv", np.eye(4))
    _run(["distance", x, "--gamma", "0.1", "--plot", tmp_path / "d.png"])
    _run(
        [
            "barycenter",
            x,
            "--gamma",
            "0.5",
            "--max-iter",
            "5",
            "--plot",
            tmp_path / "z.png",
        ]
    )
    assert (tmp_path / "d.png").stat().st_size > 0
    assert (tmp_path / "z.png").stat().st_size > 0


@needs_matplotlib
@pytest.mark.parametrize(
    ("divergence", "quantity"),
    [(False, "soft-DTW, gamma=0.1"), (True, "soft-DTW divergence, gamma=0.1")],
)
def test_the_heat_map_names_its_axes_and_its_quantity(
    tmp_path, capsys, drawn, divergence, quantity
):
    x = _csv(tmp_path / "x.csv", np.eye(4))
    argv = ["distance", x, "CBF:TRAIN", "--gamma", "0.1", "--plot", tmp_path / "d.png"]
    _run([*argv, *(["--divergence"] if divergence else [])])
    (figure,) = drawn
    (title, xlabel, ylabel), (_, _, bar_label) = figure["axes"]
    assert xlabel == "series of CBF:TRAIN (index)"
    assert ylabel == "series of x.csv (index)"
    assert bar_label == quantity
    assert title == f"{quantity.split(',')[0]} matrix, gamma=0.1"


@needs_matplotlib
@pytest.mark.parametrize(
    ("argv", "title", "panels"),
    [
        (
            ["barycenter", "ECG200:TRAIN", "--label", "-1", "--max-iter", "3"],
            "",
            ["soft-DTW barycenter of 31 series of ECG200:TRAIN, class -1, gamma=1"],
        ),
        (
            ["cluster", "CBF:TRAIN", "-k", "2", "--max-iter", "2"],
            "soft-DTW k-means of CBF:TRAIN, k=2, gamma=1",
            ["cluster 0", "cluster 1"],
        ),
        (
            ["classify", "GunPoint:TRAIN", "GunPoint:TEST"],
            "soft-DTW class centroids of GunPoint:TRAIN, gamma=1",
            ["class 1", "class 2"],
        ),
    ],
)
def test_series_figures_name_their_axes(tmp_path, capsys, drawn, argv, title, panels):
    _run([*argv, "--plot", tmp_path / "f.png"])
    (figure,) = drawn
    assert figure["title"].startswith(title)
    assert len(figure["axes"]) == len(panels)
    for k, (panel, (got, xlabel, ylabel)) in enumerate(
        zip(panels, figure["axes"], strict=True)
    ):
        assert got.startswith(panel)
        assert xlabel == "time step"
        assert ylabel == ("value" if k == 0 else "")


# ----------------------------------------------------------------- warmup


def test_warmup_compiles_and_reports(capsys, monkeypatch):
    assert cli.main(["warmup", "--quiet"]) == 0
    captured = capsys.readouterr()
    assert re.fullmatch(
        r"warm-up: \d+ steps in \d+\.\d s\nkernels compiled and cached on disk by "
        r"Numba: later runs load them in well under a second\n",
        captured.out,
    ), captured.out
    assert captured.err == ""
    # Without --quiet, on a terminal only, a progress bar on stderr names
    # each step (a build log gets none).
    assert cli.main(["warmup"]) == 0
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert cli.main(["warmup"]) == 0
    err = capsys.readouterr().err
    assert "pairwise_soft_dtw, divergence" in err and "SoftDTWKMeans" in err


# ---------------------------------------------------------- hostile input

TS_TWO_CHANNELS = """@problemName toy
@timeStamps false
@univariate false
@dimensions 2
@equalLength true
@seriesLength 4
@classLabel true 1 2
@data
1,2,3,4:4,3,2,1:1
2,3,4,5:5,4,3,2:2
0,1,2,3:3,2,1,0:1
"""


@pytest.fixture
def inputs(tmp_path, rng):
    """Small input files, and the folder and names the commands write to."""
    folder = tmp_path / "in"
    folder.mkdir()
    X = rng.normal(size=(5, 8))
    y = np.array([1, 2, 1, 2, 1, 2])
    train = rng.normal(size=(6, 8))
    files = {
        "x": _csv(folder / "x.csv", X),
        "y": _csv(folder / "y.csv", X[:3, :6]),
        "train": _tsv(folder / "train.tsv", train, y),
        "test": _tsv(folder / "test.tsv", train[:4], y[:4]),
        "multi": str(folder / "multi.ts"),
        "missing": str(folder / "missing.csv"),
        "dir": str(folder / "dir.csv"),
        "dirtsv": str(folder / "dir.tsv"),
        "afile": str(folder / "plain.npy"),
        "out": str(tmp_path / "out"),
        "busy": str(tmp_path / "busy"),
    }
    (tmp_path / "busy" / "index.html").mkdir(parents=True)
    (folder / "multi.ts").write_text(TS_TWO_CHANNELS)
    (folder / "dir.csv").mkdir()
    (folder / "dir.tsv").mkdir()
    (folder / "plain.npy").write_bytes(b"not a folder")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "taken.npy").mkdir()
    bad = {
        "inf": "1,2,3\n4,inf,6\n",
        "huge": "1,2,3\n4,1e400,6\n",
        "hole": "1,2,3\n4,,6\n",
        "nanhole": "1,nan,3\n",
        "header": "a,b,c\n1,2,3\n",
        "empty": "",
        "blank": "\n\n  \n",
        "commas": "1,2\n,,\n",
        "semicolon": "1;2;3\n",
    }
    for name, text in bad.items():
        files[name] = str(folder / f"{name}.csv")
        (folder / f"{name}.csv").write_text(text)
    files["binary"] = str(folder / "binary.csv")
    (folder / "binary.csv").write_bytes(b"\xff\xfe1,2\n")
    files["json"] = str(folder / "x.json")
    (folder / "x.json").write_text("[1, 2]")
    files["nantsv"] = str(folder / "nan.tsv")
    (folder / "nan.tsv").write_text("1\t2\t3\n2\tnan\t4\n")
    files["inftsv"] = str(folder / "inf.tsv")
    (folder / "inf.tsv").write_text("1\t2\t3\n2\tinf\t4\n")
    return files


def _must_not_compute(*args, **kwargs):
    raise AssertionError("the command computed before rejecting its arguments")


@pytest.fixture
def no_compute(monkeypatch):
    """Make every computation fail loudly: bad arguments must stop before."""
    from softdtw_learn import _demo, barycenter, metrics, reproduce

    monkeypatch.setattr(metrics, "pairwise_soft_dtw", _must_not_compute)
    monkeypatch.setattr(barycenter, "soft_dtw_barycenter", _must_not_compute)
    monkeypatch.setattr(SoftDTWKMeans, "fit", _must_not_compute)
    monkeypatch.setattr(SoftDTWNearestCentroid, "fit", _must_not_compute)
    monkeypatch.setattr(SoftDTWKNeighborsClassifier, "fit", _must_not_compute)
    monkeypatch.setattr(_demo, "run_demo", _must_not_compute)
    monkeypatch.setattr(reproduce, "_compute_unit", _must_not_compute)


D = ["distance", "{x}"]
B = ["barycenter", "{train}"]
C = ["cluster", "{x}", "-k", "2"]
K = ["classify", "{train}", "{test}"]
KNN = [*K, "--method", "knn"]
R = ["reproduce", "{out}", "-o", "{busy}/res"]


def _plot(message):
    """A row's message when matplotlib lets the command reach that check."""
    return message if HAS_MATPLOTLIB else None


BAD_ARGUMENTS = [
    # distance: values
    (D + ["--gamma=-1"], "argument --gamma: gamma must be a finite number >= 0"),
    (D + ["--gamma", "nan"], "argument --gamma: gamma must be a finite number"),
    (D + ["--gamma", "inf"], "argument --gamma: gamma must be a finite number"),
    (D + ["--gamma", "1e400"], "argument --gamma: gamma must be a finite number"),
    (D + ["--gamma", "abc"], "argument --gamma: must be a number, got 'abc'"),
    (D + ["--gamma", "1_0"], "argument --gamma: must be a number"),
    (D + ["--gamma", "1e-310"], "smallest normal float64"),
    (D + ["--gamma", "1e300"], "too large"),
    (D + ["--window", "inf"], "argument --window: window must be None, an int >= 0"),
    (D + ["--window", "1e400"], "argument --window: window must be None, an int >= 0"),
    (D + ["--window", "-1"], "argument --window: window must be None, an int >= 0"),
    (D + ["--window", "nan"], "argument --window: window must be None, an int >= 0"),
    (D + ["--window", "1.5"], "argument --window: window must be None, an int >= 0"),
    (D + ["--window", "-0.5"], "argument --window: window must be None, an int >= 0"),
    (D + ["--window", "0.0"], "a band of 0 cells is written 0"),
    (D + ["--window", "wide"], "argument --window: window must be None, an int >= 0"),
    (
        D + ["--n-jobs", "0"],
        "argument --n-jobs: must be a nonzero int (-1 is all cores)",
    ),
    (
        D + ["--n-jobs", "1.5"],
        "argument --n-jobs: must be a nonzero int (-1 is all cores)",
    ),
    (
        D + ["--n-jobs", "all"],
        "argument --n-jobs: must be a nonzero int (-1 is all cores)",
    ),
    # distance: outputs
    (D + ["-o", "{out}/d.txt"], "must end in .csv or .npy"),
    (D + ["-o", "{out}/d"], "must end in .csv or .npy"),
    (D + ["-o", "{out}/none/d.npy"], "does not exist; create it first"),
    (D + ["-o", "{afile}/d.npy"], "is not a folder"),
    (D + ["-o", "{out}/taken.npy"], "is a folder; give a file"),
    (D + ["-o", "{x}"], "is also an input"),
    (D + ["--plot", "{out}/d.xyz"], _plot("argument --plot: '")),
    (D + ["--plot", "{out}/d"], _plot("must end in")),
    (D + ["--plot", "{x}/d.png"], _plot("is not a folder")),
    (D + ["-o", "{out}/d.npy", "--window", "inf"], "argument --window"),
    # distance: input files
    (["distance", "{missing}"], "missing.csv: no such file"),
    (["distance", "{dir}"], "dir.csv is a folder; give a data file"),
    (["distance", "{dirtsv}"], "dir.tsv is a folder; give a data file"),
    (["distance", "{x}", "{missing}"], "missing.csv: no such file"),
    (["distance", "{x}", "{multi}"], "has 1 channel(s) and"),
    (["distance", "{inf}"], "inf.csv: line 2, column 2: 'inf' is not finite"),
    (["distance", "{huge}"], "huge.csv: line 2, column 2: '1e400' is not finite"),
    (["distance", "{hole}"], "hole.csv: line 2, column 2: missing value"),
    (["distance", "{nanhole}"], "nanhole.csv: line 1, column 2: missing value"),
    (["distance", "{header}"], "header.csv: line 1, column 1: 'a' is not a number"),
    (["distance", "{empty}"], "empty.csv holds no series"),
    (["distance", "{blank}"], "blank.csv holds no series"),
    (["distance", "{commas}"], "commas.csv: line 2 holds no values"),
    (["distance", "{semicolon}"], "semicolon.csv: line 1, column 1"),
    (["distance", "{binary}"], "binary.csv: not UTF-8 text"),
    (["distance", "{json}"], "unknown file type '.json'"),
    (["distance", "{nantsv}"], "nan.tsv"),
    (["distance", "{inftsv}"], "inf.tsv"),
    # barycenter
    (B + ["--gamma", "0"], "argument --gamma: gamma must be a finite number > 0 here"),
    (B + ["--gamma=-2"], "argument --gamma: gamma must be a finite number > 0 here"),
    (B + ["--max-iter", "0"], "argument --max-iter: value must be an int >= 1"),
    (B + ["--max-iter", "-5"], "argument --max-iter: value must be an int >= 1"),
    (B + ["--max-iter", "1.5"], "argument --max-iter: value must be an int >= 1"),
    (
        B + ["--max-iter", "9" * 5000],
        "must be an int >= 1, got '999999999999999999999999999...'",
    ),
    (B + ["--window", "inf"], "argument --window"),
    (B + ["--n-jobs", "0"], "argument --n-jobs"),
    (B + ["--label", "7"], "no series with label '7'"),
    (["barycenter", "{x}", "--label", "1"], "has no labels to select --label"),
    (B + ["-o", "{out}/z.txt"], "must end in .csv or .npy"),
    (["barycenter", "{x}", "-o", "{x}"], "is also an input"),
    (B + ["--plot", "{out}/z.bad"], _plot("argument --plot")),
    (["barycenter", "{missing}"], "no such file"),
    (["barycenter", "{dirtsv}"], "is a folder"),
    # cluster
    (C + ["--n-init", "0"], "argument --n-init: value must be an int in [1, 1000000]"),
    (C + ["--n-init", "-1"], "argument --n-init: value must be an int in [1, 1000000]"),
    (C + ["--n-init", "10000001"], "argument --n-init: value must be an int in [1,"),
    (C + ["--n-init", "two"], "argument --n-init"),
    (
        ["cluster", "{x}", "-k", "0"],
        "argument -k/--n-clusters: value must be an int >= 1",
    ),
    (["cluster", "{x}", "-k", "-2"], "argument -k/--n-clusters: value must be an int"),
    (["cluster", "{x}", "-k", "6"], "at most the number of series in"),
    (["cluster", "{x}", "-k", "abc"], "argument -k/--n-clusters"),
    (["cluster", "{x}", "-k", "21", "--plot", "{out}/c.png"], "in [1, 20]"),
    (C + ["--max-iter", "0"], "argument --max-iter: value must be an int >= 1"),
    (C + ["--seed=-1"], "argument --seed: value must be an int >= 0"),
    (C + ["--seed", "1.5"], "argument --seed"),
    (C + ["--gamma", "0"], "argument --gamma: gamma must be a finite number > 0 here"),
    (C + ["--window", "1e400"], "argument --window"),
    (C + ["--n-jobs", "0"], "argument --n-jobs"),
    (C + ["--centers", "{out}/c.txt"], "argument --centers"),
    (C + ["-o", "{out}/l.npy", "--centers", "{out}/l.npy"], "another output"),
    (C + ["-o", "{out}/none/l.npy"], "does not exist"),
    (["cluster", "{multi}", "--centers", "{out}/c.csv"], "Write them to .npy"),
    (C + ["--plot", "{out}/c.doc"], _plot("argument --plot")),
    # classify
    (KNN + ["-k", "0"], "argument -k: value must be an int >= 1"),
    (KNN + ["-k", "7"], "at most the number of training series (6)"),
    (KNN + ["-k", "many"], "argument -k"),
    (K + ["-k", "2"], "applies to --method knn only"),
    (KNN + ["--plot", "{out}/p.png"], "only --method centroid computes"),
    (K + ["--gamma", "0"], "argument --gamma: gamma must be a finite number > 0 here"),
    (KNN + ["--gamma=-1"], "argument --gamma: gamma must be a finite number >= 0"),
    (K + ["--window=-1"], "argument --window"),
    (K + ["--n-jobs", "abc"], "argument --n-jobs"),
    (["classify", "{x}", "{x}"], "has no class labels"),
    (["classify", "{train}", "{missing}"], "no such file"),
    (["classify", "{train}", "{dir}"], "is a folder"),
    (["classify", "{train}", "{multi}"], "has 1 channel(s) and"),
    (["classify", "{train}", "{inf}"], "inf.csv: line 2"),
    (K + ["-o", "{out}/p.txt"], "must end in .csv or .npy"),
    (["classify", "{train}", "{x}", "-o", "{x}"], "is also an input"),
    # bundled sets by name
    (
        ["distance", "ECG2000:TRAIN"],
        "ECG2000:TRAIN: no bundled set 'ECG2000'; the bundled sets are CBF, "
        "ECG200, GunPoint",
    ),
    (["distance", "ECG200:VALID"], "split of a bundled set is TRAIN or TEST"),
    (["distance", "ECG200:"], "split of a bundled set is TRAIN or TEST"),
    (["distance", ":TRAIN"], "no bundled set ''"),
    (
        ["distance", "X" * 5000 + ":TRAIN"],
        "no bundled set 'XXXXXXXXXXXXXXXXXXXXXXXXXXX...'",
    ),
    (["barycenter", "gun_point:train"], "no bundled set 'gun_point'"),
    (["cluster", "cbf:train", "-k", "31"], "at most the number of series in CBF:TRAIN"),
    (["classify", "{train}", "CBF:dev"], "got 'dev'"),
    (["classify", "GunPoint:TRAIN", "{missing}"], "no such file (a bundled set is"),
    (["barycenter", "ECG200:TRAIN", "--label", "0"], "labels in ECG200:TRAIN:"),
    (B + ["-o", "ECG200:TRAIN"], "must end in .csv or .npy"),
    # barycenter: a CSV row holds one univariate series
    (["barycenter", "{multi}", "-o", "{out}/z.csv"], "Write it to .npy instead"),
    # demo
    (["demo", "--out", "{afile}"], "exists and is not a folder"),
    (["demo", "--out", "{afile}/sub"], "is not a folder"),
    (["demo", "--out", "{busy}"], "is a folder in the way of the demo's index.html"),
    # reproduce: values
    (R + ["--max-series", "1"], "argument --max-series: value must be an int >= 2"),
    (R + ["--max-series", "0"], "must be an int >= 2, got 0 (or 'all': no cap)."),
    (R + ["--max-series", "2.5"], "argument --max-series: value must be an int >= 2"),
    (R + ["--max-series", "lots"], "(or 'all': no cap)"),
    (
        R + ["--n-jobs", "0"],
        "argument --n-jobs: must be a nonzero int (-1 is all cores)",
    ),
    (R + ["--only", "table9"], "argument --only: must be experiment names among"),
    (R + ["--only", ""], "argument --only: must be experiment names among"),
    (R + ["--only", "table1,,table3"], "got 'table1,,table3'"),
    (R + ["--only", "table1;table2"], "argument --only"),
    # reproduce: the data folder and the output folder
    (["reproduce", "{missing}", "-o", "{busy}/res"], "missing.csv: no such folder"),
    (["reproduce", "{x}", "-o", "{busy}/res"], "x.csv is not a folder"),
    (["reproduce", "{out}", "-o", "{busy}/res"], "out: no UCR/UEA set found"),
    (
        ["reproduce", "{out}", "-o", "{afile}"],
        "argument -o/--output: ",
    ),
    (["reproduce", "{out}", "-o", "{afile}/res"], "is not a folder; cannot create"),
    (["reproduce", "{out}", "-o", "{out}/res"], "is inside the data folder"),
    (["reproduce", "{out}", "-o", "{out}"], "is inside the data folder"),
]


@pytest.mark.parametrize(("argv", "message"), BAD_ARGUMENTS)
def test_bad_arguments_give_one_line_status_1_and_no_file(
    tmp_path, capsys, inputs, no_compute, argv, message
):
    if message is None:
        pytest.skip("needs matplotlib to reach this check")
    before = _files(tmp_path)
    status = cli.main([part.format(**inputs) for part in argv])
    captured = capsys.readouterr()
    err = _one_error_line(captured.err)
    assert status == 1
    assert err.startswith(f"softdtw-learn {argv[0]}: error: ")
    assert message in err
    assert _files(tmp_path) == before


def test_the_table_covers_every_subcommand_sixty_times_over():
    commands = {argv[0] for argv, _ in BAD_ARGUMENTS}
    assert commands == {
        "distance",
        "barycenter",
        "cluster",
        "classify",
        "demo",
        "reproduce",
    }
    assert len(BAD_ARGUMENTS) >= 60


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["transform"],
        ["distance"],
        ["distance", "{x}", "--frobnicate"],
        ["distance", "{x}", "--gamma"],
        ["classify", "{train}"],
        ["classify", "{train}", "{test}", "--method", "svm"],
        ["cluster", "{x}", "--seed"],
        ["barycenter", "{train}", "--divergence=yes"],
    ],
)
def test_unparsable_command_lines_give_one_line_and_status_2(
    tmp_path, capsys, inputs, argv
):
    before = _files(tmp_path)
    assert cli.main([part.format(**inputs) for part in argv]) == 2
    err = _one_error_line(capsys.readouterr().err)
    assert re.match(r"softdtw-learn( \w+)?: error: .* \(see softdtw-learn", err)
    assert _files(tmp_path) == before


def test_a_line_break_in_a_file_name_is_kept_in_the_error(tmp_path, capsys):
    # Only the message's first line was printed: "error: bad".
    assert cli.main(["distance", str(tmp_path / "bad\nname.tsv")]) == 1
    err = _one_error_line(capsys.readouterr().err)
    assert "bad name.tsv: no such file" in err
    # A file that exists: its name once, not twice.
    path = tmp_path / "p\nq.tsv"
    path.write_text("a,b\n")
    assert cli.main(["distance", str(path)]) == 1
    err = _one_error_line(capsys.readouterr().err)
    assert err.count("p q.tsv") == 1


def test_missing_matplotlib_is_reported_before_computing(
    tmp_path, capsys, monkeypatch, inputs, no_compute
):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    before = _files(tmp_path)
    argv = ["distance", inputs["x"], "--plot", f"{inputs['out']}/d.png"]
    assert cli.main(argv) == 1
    assert "needs matplotlib" in _one_error_line(capsys.readouterr().err)
    assert cli.main(["demo", "--out", f"{inputs['out']}/demo"]) == 1
    assert "needs matplotlib" in _one_error_line(capsys.readouterr().err)
    assert _files(tmp_path) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes in any folder")
def test_an_unwritable_folder_is_reported_before_computing(
    tmp_path, capsys, inputs, no_compute
):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        assert cli.main(["distance", inputs["x"], "-o", str(locked / "d.npy")]) == 1
    finally:
        locked.chmod(0o700)
    assert "cannot write in folder" in _one_error_line(capsys.readouterr().err)
    assert list(locked.iterdir()) == []


# ---------------------------------------------------------------- outputs


def test_a_failure_after_computing_leaves_no_output(tmp_path, capsys, monkeypatch):
    # The matrix is computed and written to its temporary file; then the
    # figure fails: neither output appears, and no temporary file is left.
    x_file = _csv(tmp_path / "x.csv", np.eye(3))
    old = tmp_path / "d.npy"
    np.save(old, np.zeros(2))

    def broken_figure(outputs, target, draw):
        raise ValueError("the figure could not be drawn")

    def png_output(outputs, text, inputs):  # no matplotlib needed
        return outputs.reserve(text, "--plot", (".png",), inputs, "the figure")

    monkeypatch.setattr(cli, "_write_figure", broken_figure)
    monkeypatch.setattr(cli, "_plot_output", png_output)
    argv = ["distance", x_file, "-o", str(old), "--plot", str(tmp_path / "d.png")]
    assert cli.main(argv) == 1
    assert "could not be drawn" in _one_error_line(capsys.readouterr().err)
    assert _files(tmp_path) == ["d.npy", "x.csv"]
    np.testing.assert_array_equal(np.load(old), np.zeros(2))  # untouched


def test_interrupt_exits_130_quietly_and_leaves_nothing(tmp_path, capsys, monkeypatch):
    from softdtw_learn import barycenter

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(barycenter, "soft_dtw_barycenter", interrupted)
    x_file = _csv(tmp_path / "x.csv", np.eye(3))
    assert cli.main(["barycenter", x_file, "-o", str(tmp_path / "z.npy")]) == 130
    assert capsys.readouterr().err == ""
    assert _files(tmp_path) == ["x.csv"]


def test_outputs_replace_old_files_with_plain_file_permissions(tmp_path, capsys):
    x_file = _csv(tmp_path / "x.csv", [[0.0, 1.0], [1.0, 0.0]])
    out = tmp_path / "d.csv"
    out.write_text("old\n")
    assert cli.main(["distance", x_file, "--gamma", "0", "-o", str(out)]) == 0
    np.testing.assert_array_equal(np.loadtxt(out, delimiter=","), [[0, 2], [2, 0]])
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask
    assert _files(tmp_path) == ["d.csv", "x.csv"]


# ------------------------------------------------------------------- help


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["demo"],
        ["distance"],
        ["barycenter"],
        ["cluster"],
        ["classify"],
        ["warmup"],
        ["reproduce"],
    ],
)
def test_help_everywhere(capsys, command):
    with pytest.raises(SystemExit) as stop:
        cli.main([*command, "--help"])
    assert stop.value.code == 0
    assert "usage: softdtw-learn" in capsys.readouterr().out


def test_module_entry_point_runs_and_exits_1_on_a_bad_value(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "softdtw_learn", "distance", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0 and "--divergence" in done.stdout
    x_file = _csv(tmp_path / "x.csv", np.eye(3))
    done = subprocess.run(
        [sys.executable, "-m", "softdtw_learn", "cluster", x_file, "--n-init", "0"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1 and done.stdout == ""
    assert _one_error_line(done.stderr).startswith("softdtw-learn cluster: error:")
