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
    with pytest.raises(ValueError, match="return_X_y must be True or False"):
        loader(return_X_y="no")  # truthy, but no flag


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
@attribute att2 numeric
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
        (
            "nolabel.arff",
            "@relation r\n@attribute t0 numeric\n@attribute c {a}\n@data\n1,\n",
            r"line 5 has no class value",
        ),
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


@pytest.mark.parametrize(
    "kwargs",
    [
        {"n_samples": 0},
        {"n_samples": True},
        {"length": 4},
        {"length": 1.5},
        {"length": True},
    ],
)
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


@pytest.mark.parametrize("channels", [1, 3])
def test_long_dataframe_defaults_read_what_to_long_dataframe_writes(rng, channels):
    X = np.full((3, 5, channels), np.nan)
    for k, n in enumerate((5, 2, 4)):
        X[k, :n] = rng.normal(size=(n, channels))
    back, ids = from_long_dataframe(to_long_dataframe(X))
    assert ids.tolist() == [0, 1, 2]
    np.testing.assert_array_equal(back, X)
    only_keys = pd.DataFrame({"id": [0], "time": [0]})
    with pytest.raises(ValueError, match="no column besides 'id' and 'time'"):
        from_long_dataframe(only_keys)


def test_long_dataframe_univariate_equal_lengths_is_2d():
    df = pd.DataFrame({"id": [0, 0, 1, 1], "t": [1, 0, 0, 1], "x": [2.0, 1, 3, 4]})
    X, ids = from_long_dataframe(df, id_col="id", time_col="t", value_cols="x")
    np.testing.assert_array_equal(X, [[1, 2], [3, 4]])


def test_long_dataframe_errors():
    df = pd.DataFrame({"id": [0, 0], "t": [0, 0], "x": [1.0, 2.0]})
    with pytest.raises(ValueError, match=r"several rows for the same \(id, t\): id=0"):
        from_long_dataframe(df, id_col="id", time_col="t", value_cols="x")
    with pytest.raises(ValueError, match=r"no column\(s\) \['y'\]"):
        from_long_dataframe(df, id_col="id", time_col="t", value_cols="y")
    df = pd.DataFrame({"id": [0, 0], "t": [0, 1], "x": [1.0, np.nan]})
    with pytest.raises(ValueError, match=r"NaN or inf"):
        from_long_dataframe(df, id_col="id", time_col="t", value_cols="x")


def _long(**columns):
    """A long frame: id, t and x by default, any column overridden or added."""
    base = {"id": [0, 0, 1], "t": [0, 1, 0], "x": [1.0, 2.0, 3.0]}
    base.update(columns)
    return pd.DataFrame(base)


def _renamed(df, names):
    df = df.copy()
    df.columns = names
    return df


def _repeated_pairs(n_pairs):
    ids = [k for k in range(n_pairs) for _ in range(2)]
    return _long(id=ids, t=[0] * len(ids), x=[1.0] * len(ids))


BIG = 2**53 + 1
# (frame, keyword overrides, message): every one a ValueError.
HOSTILE_FRAMES = {
    "empty": (_long(id=[], t=[], x=[]), {}, r"df has no rows"),
    "no-columns": (pd.DataFrame(), {}, r"no column\(s\) \['id', 't', 'x'\]"),
    "dict": ({"id": [0], "t": [0], "x": [1.0]}, {}, r"DataFrame, got dict"),
    "array": (np.zeros((3, 3)), {}, r"must be a pandas DataFrame, got ndarray"),
    "series": (pd.Series([1.0]), {}, r"must be a pandas DataFrame, got Series"),
    "no-id": (_long().drop(columns="id"), {}, r"no column\(s\) \['id'\]; its columns"),
    "no-time-no-value": (_long()[["id"]], {}, r"no column\(s\) \['t', 'x'\]"),
    "string-is-one-column": (
        _long(y=[0.0] * 3),
        {"value_cols": "xy"},
        r"no column\(s\) \['xy'\]",
    ),
    "value-cols-number": (_long(), {"value_cols": 3}, r"value_cols must be a column"),
    "value-cols-set": (_long(), {"value_cols": {"x"}}, r"list of column names, got"),
    "value-cols-int": (_long(), {"value_cols": 5}, r"value_cols must be a column"),
    "value-cols-empty": (_long(), {"value_cols": []}, r"value_cols is empty"),
    "value-cols-twice": (_long(), {"value_cols": ["x", "x"]}, r"'x' more than once"),
    "value-cols-nested": (
        _long(),
        {"value_cols": [["x"]]},
        r"each entry of value_cols",
    ),
    "id-col-list": (_long(), {"id_col": ["id"]}, r"id_col must be one column name"),
    "time-col-list": (_long(), {"time_col": ["t"]}, r"time_col must be one column"),
    "id-is-time": (_long(), {"time_col": "id"}, r"id_col and time_col are both 'id'"),
    "value-is-id": (
        _long(),
        {"value_cols": ["x", "id"]},
        r"'id', which is also id_col",
    ),
    "duplicate-column": (
        _renamed(_long(y=[0.0] * 3), ["id", "t", "x", "x"]),
        {},
        r"several columns named 'x'",
    ),
    "multiindex-columns": (
        _renamed(
            _long(), pd.MultiIndex.from_tuples([("id", ""), ("t", ""), ("x", "")])
        ),
        {},
        r"MultiIndex columns",
    ),
    "repeated-step": (
        _long(t=[0, 0, 0]),
        {},
        r"several rows for the same \(id, t\): id=0, t=0 \(2 rows\)\. Each",
    ),
    "repeated-step-repeated-index": (
        _long(t=[0, 0, 0]).set_axis([5, 5, 5]),
        {},
        r"several rows for the same \(id, t\): id=0, t=0 \(2 rows\)\. Each",
    ),
    "many-repeated-steps": (
        _repeated_pairs(5),
        {},
        r"id=0, t=0 \(2 rows\); id=1, t=0 \(2 rows\); id=2, t=0 \(2 rows\); and 2 more",
    ),
    "repeated-step-string-ids": (
        _long(id=["a", "a", "a"], t=[1, 1, 1]),
        {},
        r"id='a', t=1 \(3 rows\)",
    ),
    "mixed-ids-int-str": (
        _long(id=[0, "a", "a"]),
        {},
        r"'id' mixes ids of different types: 0 \(number, row 0\), 'a' \(str, row 1\)",
    ),
    "mixed-ids-bool-int": (_long(id=[True, 1, 1]), {}, r"mixes ids of different types"),
    "nan-id": (_long(id=[0.0, np.nan, 1.0]), {}, r"'id' has no id at row\(s\) 1 "),
    "none-id": (_long(id=["a", None, "b"]), {}, r"'id' has no id at row\(s\) 1 "),
    "unhashable-id": (_long(id=[[0], [0], [1]]), {}, r"holds \[0\] at row 0; ids"),
    "unsortable-id": (
        _long(id=pd.Series([1j, 1j, 2j], dtype=object)),
        {},
        r"ids in column 'id' cannot be ordered",
    ),
    "text-times": (_long(t=["10", "2", "0"]), {}, r"'t' must hold numbers, datetimes"),
    "bool-times": (_long(t=[False, True, False]), {}, r"got dtype bool"),
    "category-times": (
        _long(t=pd.Categorical([0, 1, 0])),
        {},
        r"'t' must hold numbers, datetimes or timedeltas .* got dtype category",
    ),
    "mixed-times": (_long(t=[0, "1", 0]), {}, r"'t' mixes times of different types"),
    "nan-time": (_long(t=[0.0, np.nan, 0.0]), {}, r"'t' has no time at row\(s\) 1 "),
    "nat-time": (
        _long(t=pd.to_datetime(["2020-01-01", None, "2020-01-01"])),
        {},
        r"'t' has no time at row\(s\) 1 ",
    ),
    "inf-time": (_long(t=[0.0, np.inf, 0.0]), {}, r"infinite time at rows 1; times"),
    "text-values": (_long(x=["a", "b", "c"]), {}, r"'x' must hold real numbers"),
    "numeric-text-values": (
        _long(x=pd.Series(["1.5", 2.0, 3.0], dtype=object)),
        {},
        r"'x' must hold real numbers .* with '1.5' at id=0, t=0 \(row 0\)",
    ),
    "complex-values": (_long(x=[1 + 2j, 2, 3]), {}, r"dtype complex128 with \(1\+2j\)"),
    "datetime-values": (
        _long(x=pd.to_datetime(["2020-01-01"] * 3)),
        {},
        r"'x' must hold real numbers .* dtype datetime64",
    ),
    "category-values": (
        _long(x=pd.Categorical([1.0, 2.0, 3.0])),
        {},
        r"got dtype category",
    ),
    "nan-value": (
        _long(x=[1.0, np.nan, 3.0]),
        {},
        r"NaN or inf in \['x'\] on 1 row\(s\), first at id=0, t=1 \(row 1\)",
    ),
    "inf-value": (_long(x=[np.inf, 2.0, 3.0]), {}, r"NaN or inf .* id=0, t=0"),
    "minus-inf-second-channel": (
        _long(y=[0.0, 0.0, -np.inf]),
        {"value_cols": ["x", "y"]},
        r"NaN or inf in \['x', 'y'\] on 1 row\(s\), first at id=1, t=0",
    ),
    "none-value": (
        _long(x=pd.Series([1.0, None, 3.0], dtype=object)),
        {},
        r"NaN or inf .* id=0, t=1",
    ),
    "nullable-na-value": (
        _long(x=pd.array([1.0, None, 3.0], dtype="Float64")),
        {},
        r"NaN or inf .* id=0, t=1",
    ),
    "int-beyond-float": (
        _long(x=[1, BIG, 3]),
        {},
        rf"integers that float64 cannot hold exactly: {BIG} at id=0, t=1",
    ),
    "uint64-max": (
        _long(x=np.array([1, 2**64 - 1, 3], dtype=np.uint64)),
        {},
        r"cannot hold exactly: 18446744073709551615",
    ),
    "python-int-1e30": (
        _long(x=pd.Series([1, 10**30, 3], dtype=object)),
        {},
        r"cannot hold exactly: 1000000000000000000000000000000 at",
    ),
    "python-int-1e400": (
        _long(x=pd.Series([1, 2, 10**400], dtype=object)),
        {},
        r"within float64's range, .* at id=1, t=0 \(row 2\)",
    ),
}


@pytest.mark.parametrize("case", list(HOSTILE_FRAMES))
def test_hostile_long_frames_get_one_clear_error(case):
    df, overrides, message = HOSTILE_FRAMES[case]
    kwargs = {"id_col": "id", "time_col": "t", "value_cols": "x", **overrides}
    before = df.copy() if hasattr(df, "copy") else None
    with pytest.raises(ValueError, match=message) as info:
        from_long_dataframe(df, **kwargs)
    text = str(info.value)
    assert "dtype: " not in text and "Name: " not in text  # no pandas reprs
    assert "np.int64" not in text and "np.float64" not in text  # no numpy reprs
    if isinstance(df, pd.DataFrame):
        pd.testing.assert_frame_equal(df, before)  # nothing modified


def _from(df, value_cols="x"):
    return from_long_dataframe(df, id_col="id", time_col="t", value_cols=value_cols)


def test_categorical_ids_keep_their_values():
    # The categories' order is not the values' order: values must follow ids.
    ids = pd.Categorical(["a", "a", "b", "c"], categories=["c", "b", "a"])
    X, order = _from(_long(id=ids, t=[1, 0, 0, 0], x=[2.0, 1.0, 3.0, 4.0]))
    assert order.tolist() == ["c", "b", "a"]
    np.testing.assert_array_equal(X[:, :, 0], [[4, np.nan], [3, np.nan], [1, 2]])


def test_times_only_order_the_steps():
    X, ids = _from(_long(id=[7, 7, 7, 3], t=[50, -1, 3, 0], x=[3.0, 1.0, 2.0, 9.0]))
    assert ids.tolist() == [3, 7]
    np.testing.assert_array_equal(X[:, :, 0], [[9, np.nan, np.nan], [1, 2, 3]])


@pytest.mark.parametrize(
    "times",
    [
        pd.to_datetime(["2020-01-02", "2020-01-01", "2020-01-01"]),
        pd.to_datetime(["2020-01-02", "2020-01-01", "2020-01-01"]).tz_localize("UTC"),
        pd.to_timedelta([2, 1, 1], unit="s"),
        pd.Series([1, 0, 0], dtype=object),
        pd.array([1, 0, 0], dtype="Int64"),
    ],
    ids=["datetime", "datetime-tz", "timedelta", "object-ints", "nullable-int"],
)
def test_time_columns_of_any_ordered_type(times):
    X, _ = _from(_long(t=times))
    np.testing.assert_array_equal(X[:, :, 0], [[2, 1], [3, np.nan]])


@pytest.mark.parametrize(
    "values",
    [
        [True, False, True],
        pd.Series([1, 0.0, 1], dtype=object),
        pd.array([1, 0, 1], dtype="Int64"),
        np.array([1, 0, 1], dtype=np.uint8),
    ],
    ids=["bool", "object-numbers", "nullable-int", "uint8"],
)
def test_value_columns_of_any_real_type(values):
    X, _ = _from(_long(x=values))
    np.testing.assert_array_equal(X[:, :, 0], [[1, 0], [1, np.nan]])


def test_largest_exact_integer_is_kept():
    X, _ = _from(_long(x=[2**53, -(2**53), 1]))
    assert X[0, 0, 0] == 2**53 and X[0, 1, 0] == -(2**53)


def test_string_ids_a_repeated_index_and_tuple_value_cols():
    df = pd.DataFrame(
        {"id": ["b", "a", "b"], "t": [0, 0, 1], "u": [1.0, 2.0, 3.0]},
        index=[0, 0, 0],
    ).astype({"id": "str"})
    df["v"] = -df["u"]
    X, ids = _from(df, value_cols=("u", "v"))
    assert ids.tolist() == ["a", "b"]
    np.testing.assert_array_equal(X[1], [[1, -1], [3, -3]])


def test_one_row_is_one_series_of_one_step():
    X, ids = _from(pd.DataFrame({"id": ["s"], "t": [0], "x": [0.5]}))
    assert X.shape == (1, 1) and X[0, 0] == 0.5 and ids.tolist() == ["s"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"ids": ["a", "b", "a"]}, r"ids must be unique, got 'a' more than once"),
        ({"ids": [0, 1, 1]}, r"ids must be unique, got 1 more than once"),
        ({"ids": [0.0, np.nan, 1.0]}, r"ids has missing values at positions 1"),
        ({"ids": ["a", None, "b"]}, r"ids has missing values at positions 1"),
        ({"ids": [1, "a", 2]}, r"ids mixes values of types \['number', 'str'\]"),
        ({"ids": [0, 1]}, r"ids must have shape \(3,\), got \(2,\)"),
        ({"ids": "abc"}, r"ids must have shape \(3,\), got \(\)"),
        ({"value_cols": ["u", "u"]}, r"value_cols names 'u' more than once"),
        ({"value_cols": ["id", "v"]}, r"'id', which is also id_col or time_col"),
        ({"value_cols": ["u", "time"]}, r"'time', which is also id_col or time_col"),
        ({"value_cols": ["u"]}, r"value_cols names 1 columns for 2 channels"),
        ({"value_cols": "uv"}, r"value_cols names 1 columns for 2 channels"),
        ({"value_cols": 5}, r"value_cols must be a column name or a list"),
        ({"value_cols": {"u", "v"}}, r"value_cols must be a column name or a list"),
        ({"id_col": "time"}, r"id_col and time_col are both 'time'"),
        ({"id_col": ["id"]}, r"id_col must be one column name"),
    ],
)
def test_to_long_dataframe_rejects_what_would_not_come_back(rng, kwargs, message):
    X = rng.normal(size=(3, 4, 2))
    with pytest.raises(ValueError, match=message):
        to_long_dataframe(X, **kwargs)


def test_to_long_dataframe_takes_a_string_for_one_channel():
    df = to_long_dataframe(np.array([[1.0, 2.0], [3.0, np.nan]]), value_cols="v")
    assert list(df.columns) == ["id", "time", "v"] and df["v"].tolist() == [1, 2, 3]


def test_to_long_dataframe_rejects_nan_inside_a_series():
    with pytest.raises(ValueError, match=r"X"):
        to_long_dataframe(np.array([[1.0, np.nan, 2.0]]))
