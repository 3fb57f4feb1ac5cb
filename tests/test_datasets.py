from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from softdtw_learn.datasets import (
    bundled_path,
    from_long_dataframe,
    load_cbf,
    load_ecg200,
    load_gunpoint,
    make_cylinder_bell_funnel,
    read_ucr_file,
    to_long_dataframe,
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
    # Unequal lengths: 3-D, trailing NaN padding.
    assert X.shape == (2, 3, 1)
    np.testing.assert_array_equal(X[:, :, 0], [[1, 2, 3], [4, 5, np.nan]])
    assert y.tolist() == ["a", "b"]


TS_UNEQUAL = """# a comment
@problemName Toy
@timeStamps false
@missing false
@univariate false
@dimensions 2
@equalLength false
@classLabel true walk run
@data
1,2,3:4,5,6:walk
7,8:9,10:run
"""

ARFF_RELATIONAL = """% comment
@relation 'Toy'
@attribute relationalAtt relational
@attribute att0 numeric
@attribute att1 numeric
@end relationalAtt
@attribute activity {walk,run}
@data
'1,2,3\\n4,5,6',walk
'7,8,0\\n9,10,0',run
"""

ARFF_UNIVARIATE = """@relation toy
@attribute t0 numeric
@attribute t1 numeric
@attribute target {1,2}
@data
0.5,1.5,1
2.5,3.5,2
"""


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_ts_multivariate_unequal_lengths(tmp_path):
    X, y = read_ucr_file(_write(tmp_path, "toy.ts", TS_UNEQUAL))
    assert X.shape == (2, 3, 2)
    np.testing.assert_array_equal(X[0], [[1, 4], [2, 5], [3, 6]])
    np.testing.assert_array_equal(X[1], [[7, 9], [8, 10], [np.nan, np.nan]])
    assert y.tolist() == ["walk", "run"]


def test_arff_relational_and_univariate(tmp_path):
    X, y = read_ucr_file(_write(tmp_path, "toy.arff", ARFF_RELATIONAL))
    np.testing.assert_array_equal(X[0], [[1, 4], [2, 5], [3, 6]])
    assert X.shape == (2, 3, 2) and y.tolist() == ["walk", "run"]
    X, y = read_ucr_file(_write(tmp_path, "uni.arff", ARFF_UNIVARIATE))
    np.testing.assert_array_equal(X, [[0.5, 1.5], [2.5, 3.5]])
    assert y.tolist() == [1, 2] and y.dtype == np.int64


def test_format_comes_from_content_not_suffix(tmp_path):
    X, y = read_ucr_file(_write(tmp_path, "toy.txt", TS_UNEQUAL))
    assert X.shape == (2, 3, 2)
    X, y = read_ucr_file(_write(tmp_path, "toy.csv", "1\t0.5\t0.25\n2\t1\t2\n"))
    np.testing.assert_array_equal(X, [[0.5, 0.25], [1, 2]])


def test_mixed_numeric_and_text_labels_stay_strings(tmp_path):
    _, y = read_ucr_file(_write(tmp_path, "m.tsv", "1\t0\t1\nb\t1\t0\n"))
    assert y.tolist() == ["1", "b"]


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("empty.tsv", "\n\n", r"empty.tsv: the file is empty"),
        ("ragged.tsv", "1\t1\t2\t3\n2\t1\t2\n", r"ragged.tsv: line 2 has a different"),
        ("ragged.txt", "1 1 2 3\n2 1 2\n", r"ragged.txt: line 2 has a different"),
        ("word.txt", "1 0.5 0.7\n2 0.1 oops\n", r"word.txt: line 2 has a value that"),
        ("word.tsv", "1\t0.5\n2\tx\n", r"word.tsv: line 2 has a value that is not"),
        ("nolabel.tsv", "1\t0.5\n\t0.1\n", r"nolabel.tsv: line 2 has no label"),
        ("hole.tsv", "1\t0.5\tNaN\t1\n", r"hole.tsv: line 1 has a missing value"),
        (
            "channels.ts",
            "@dimensions 2\n@classLabel true a\n@data\n1,2:3,4:a\n1,2:a\n",
            r"channels.ts: line 5 has 1 channels, expected 2",
        ),
        ("nolabel.ts", "@classLabel true a\n@data\n1,2,3:\n", r"line 3 has no label"),
        ("missing.ts", "@classLabel true a\n@data\n1,?,3:a\n", r"line 3 has a missing"),
        ("nan.ts", "@classLabel true a\n@data\n1,NaN,3:a\n", r"line 3 has a missing"),
        ("word.ts", "@classLabel true a\n@data\n1,x,3:a\n", r"line 3 has a value"),
        (
            "lengths.ts",
            "@classLabel true a\n@data\n1,2,3:4,5:a\n",
            r"line 3 has channels of different lengths",
        ),
        ("nodata.ts", "@problemName x\n", r"nodata.ts: no @data line"),
        ("nolabel.arff", "@relation r\n@data\n1,2,\n", r"line 3 has no label"),
        ("what.dat", "hello world\n", r"what.dat: line 1 matches none of the"),
    ],
)
def test_bad_files_name_the_file_and_line(tmp_path, name, text, message):
    with pytest.raises(ValueError, match=message):
        read_ucr_file(_write(tmp_path, name, text))


def test_binary_file_is_rejected(tmp_path):
    path = tmp_path / "blob.tsv"
    path.write_bytes(bytes(range(256)))
    with pytest.raises(ValueError, match=r"blob.tsv: not a text file"):
        read_ucr_file(path)


SIDE_BY_SIDE = [
    ("ArrowHead", "ts", "tsv"),
    ("Coffee", "tsv", "txt"),
    ("GunPoint", "ts", "txt"),
    ("BasicMotions", "ts", "arff"),
]


@pytest.mark.skipif(
    not SHARED.is_dir(), reason="../shared/data is not beside the clone"
)
@pytest.mark.parametrize(("name", "first", "second"), SIDE_BY_SIDE)
@pytest.mark.parametrize("split", ["TRAIN", "TEST"])
def test_two_formats_of_one_dataset_load_identically(name, first, second, split):
    X1, y1 = read_ucr_file(SHARED / name / f"{name}_{split}.{first}")
    X2, y2 = read_ucr_file(SHARED / name / f"{name}_{split}.{second}")
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)


@pytest.mark.skipif(
    not SHARED.is_dir(), reason="../shared/data is not beside the clone"
)
@pytest.mark.parametrize(
    ("name", "channels", "shortest", "longest"),
    [("JapaneseVowels", 12, 7, 29), ("PickupGestureWiimoteZ", 1, 29, 361)],
)
def test_unequal_length_sets_load_with_their_lengths(name, channels, shortest, longest):
    lengths = []
    for split in ("TRAIN", "TEST"):
        X, y = read_ucr_file(SHARED / name / f"{name}_{split}.ts")
        assert X.ndim == 3 and X.shape[2] == channels and len(y) == len(X)
        lengths.extend((~np.isnan(X).all(axis=2)).sum(axis=1))
    assert (min(lengths), max(lengths)) == (shortest, longest)


def test_unknown_bundled_name_is_rejected():
    with pytest.raises(ValueError, match=r"name must be one of the bundled sets"):
        bundled_path("Nope", "TRAIN")


# ------------------------------------------------------ CBF generator


def _event_slope(series):
    """Least-squares slope of the samples well above the noise (the event)."""
    t = np.flatnonzero(series > 2.5)
    return np.polyfit(t, series[t], 1)[0] if t.size > 5 else 0.0


def test_cbf_classes_have_their_defining_shapes():
    X, y = make_cylinder_bell_funnel(600, random_state=0)
    assert X.shape == (600, 128) and np.bincount(y).tolist() == [200, 200, 200]
    slopes = np.array([_event_slope(x) for x in X])
    assert np.mean(slopes[y == 1] > 0.02) > 0.9  # bell rises
    assert np.mean(slopes[y == 2] < -0.02) > 0.9  # funnel falls
    assert np.median(np.abs(slopes[y == 0])) < 0.02  # cylinder is flat
    # The cylinder's plateau sits at 6 + N(0, 1) on average.
    plateau = [x[x > 2.5].mean() for x in X[y == 0]]
    assert 5.5 < np.mean(plateau) < 7.0
    # Outside [16, 128] every class is noise: mean 0, std 1.
    head = X[:, :16]
    assert abs(head.mean()) < 0.05 and 0.95 < head.std() < 1.05


def test_cbf_is_reproducible_balanced_and_scales_with_length():
    X1, y1 = make_cylinder_bell_funnel(10, length=64, random_state=3)
    X2, y2 = make_cylinder_bell_funnel(10, length=64, random_state=3)
    np.testing.assert_array_equal(X1, X2)
    assert X1.shape == (10, 64) and sorted(np.bincount(y1).tolist()) == [3, 3, 4]


@pytest.mark.parametrize("kwargs", [{"n_samples": 0}, {"length": 4}, {"length": 1.5}])
def test_cbf_rejects_bad_sizes(kwargs):
    with pytest.raises(ValueError, match=r"must be an int >="):
        make_cylinder_bell_funnel(**kwargs)


# ------------------------------------------------------ long DataFrames


def test_long_dataframe_round_trip_with_unequal_lengths(rng):
    X = np.full((3, 5, 2), np.nan)
    for k, n in enumerate((5, 2, 4)):
        X[k, :n] = rng.normal(size=(n, 2))
    df = to_long_dataframe(X, ids=["c", "a", "b"], value_cols=["u", "v"])
    assert len(df) == 11 and list(df.columns) == ["id", "time", "u", "v"]
    back, ids = from_long_dataframe(
        df.sample(frac=1, random_state=0),
        id_col="id",
        time_col="time",
        value_cols=["u", "v"],
    )
    assert ids.tolist() == ["a", "b", "c"]
    np.testing.assert_array_equal(back, X[[1, 2, 0]])


def test_long_dataframe_univariate_equal_lengths_is_2d():
    df = pd.DataFrame({"id": [0, 0, 1, 1], "t": [1, 0, 0, 1], "x": [2.0, 1, 3, 4]})
    X, ids = from_long_dataframe(df, id_col="id", time_col="t", value_cols="x")
    np.testing.assert_array_equal(X, [[1, 2], [3, 4]])


def test_long_dataframe_errors():
    df = pd.DataFrame({"id": [0, 0], "t": [0, 0], "x": [1.0, 2.0]})
    with pytest.raises(ValueError, match=r"two rows for id=0, t=0"):
        from_long_dataframe(df, id_col="id", time_col="t", value_cols="x")
    with pytest.raises(ValueError, match=r"no column\(s\) \['y'\]"):
        from_long_dataframe(df, id_col="id", time_col="t", value_cols="y")
    df = pd.DataFrame({"id": [0, 0], "t": [0, 1], "x": [1.0, np.nan]})
    with pytest.raises(ValueError, match=r"NaN or inf"):
        from_long_dataframe(df, id_col="id", time_col="t", value_cols="x")
