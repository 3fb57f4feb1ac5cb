from pathlib import Path

import numpy as np
import pytest

from softdtw_learn.datasets import (
    bundled_path,
    load_cbf,
    load_ecg200,
    load_gunpoint,
    read_ucr_file,
)

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "ucr"


@pytest.mark.parametrize(
    ("loader", "shapes", "classes"),
    [
        (load_ecg200, ((100, 96), (100, 96)), [-1, 1]),
        (load_cbf, ((30, 128), (900, 128)), [1, 2, 3]),
        (load_gunpoint, ((50, 150), (150, 150)), [1, 2]),
    ],
)
def test_bundled_sets_load_with_archive_shapes(loader, shapes, classes):
    data = loader()
    assert (data.X_train.shape, data.X_test.shape) == shapes
    assert sorted(set(data.y_train.tolist())) == classes
    assert data.y_train.dtype == np.int64
    assert np.isfinite(data.X_train).all() and np.isfinite(data.X_test).all()
    assert "UCR Time Series Archive" in data.DESCR
    X_train, y_train, X_test, y_test = loader(return_X_y=True)
    np.testing.assert_array_equal(X_test, data.X_test)


def test_first_ecg200_row_matches_the_file_text():
    first = bundled_path("ECG200", "TRAIN").read_text().splitlines()[0].split("\t")
    X, y = read_ucr_file(bundled_path("ECG200", "TRAIN"))
    assert y[0] == int(float(first[0]))
    np.testing.assert_array_equal(X[0], [float(v) for v in first[1:]])


@pytest.mark.skipif(
    not SHARED.is_dir(), reason="../shared/data is not beside the clone"
)
def test_bundled_files_equal_the_shared_copies():
    for name, split in [("ECG200", "TRAIN"), ("CBF", "TEST"), ("GunPoint", "TRAIN")]:
        bundled = bundled_path(name, split)
        assert bundled.read_bytes() == (SHARED / name / bundled.name).read_bytes()


def test_trailing_nan_padding_and_string_labels(tmp_path):
    path = tmp_path / "set.tsv"
    path.write_text("a\t1\t2\t3\nb\t4\t5\tNaN\n")
    X, y = read_ucr_file(path)
    np.testing.assert_array_equal(X, [[1, 2, 3], [4, 5, np.nan]])
    assert y.tolist() == ["a", "b"]


def test_non_numeric_value_gives_clear_error(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("1 0.5 0.7\n2 0.1 oops\n")
    with pytest.raises(ValueError, match=r"line 2 has a value that is not a number"):
        read_ucr_file(path)


def test_empty_file_gives_clear_error(tmp_path):
    path = tmp_path / "empty.tsv"
    path.write_text("\n")
    with pytest.raises(ValueError, match=r"no series found"):
        read_ucr_file(path)


def test_unknown_bundled_name_is_rejected():
    with pytest.raises(ValueError, match=r"name must be one of the bundled sets"):
        bundled_path("Nope", "TRAIN")
