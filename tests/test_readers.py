"""read_ucr_file over a corpus of malformed and valid-but-odd files.

The corpus lives in tests/data/readers: a few bytes per file, BOMs, CRLF
line ends and non-UTF-8 bytes written exactly. Every malformed file must
raise a ValueError that names the file, the line (where there is one) and
what was expected; every valid file must give exactly the X (NaN padding
included) and y below.
"""

import re
import warnings
from pathlib import Path

import numpy as np
import pytest

from softdtw_learn.datasets import read_ucr_file

CORPUS = Path(__file__).parent / "data" / "readers"
NAN = np.nan
INF = r"has an infinite value \(inf, or a number beyond the float64 range"
INSIDE = r"inside the series; only trailing missing values are read"
NOT_NUMBER = "has a value that is not a number"

# file -> what the message says after "<file>: " (the line, what is wrong)
MALFORMED = {
    # --- .tsv
    "tsv_ragged_short.tsv": r"line 3 has a different number of fields \(3\) than "
    r"line 1 \(4\).*pad shorter series with NaN",
    "tsv_ragged_long.tsv": r"line 2 .* fields \(4\) than line 1 \(3\)",
    "tsv_comment_ragged.tsv": r"line 3 .* fields \(3\) than line 2 \(4\)",
    "tsv_trailing_tab.tsv": r"line 2 has an empty field at the end \(a trailing tab",
    "tsv_trailing_tab_crlf.tsv": r"line 1 has an empty field at the end",
    "tsv_double_tab.tsv": r"line 2 has an empty field after field 2 \(two tabs",
    "tsv_leading_tab.tsv": r"line 2 has no label \(it starts with a tab\)",
    "tsv_blank_label.tsv": r"line 2 has no label",
    "tsv_word.tsv": rf"line 2 {NOT_NUMBER} \('oops'\) at time index 1",
    "tsv_header_row.tsv": rf"line 1 {NOT_NUMBER} \('t0'\) at time index 0",
    "tsv_hex.tsv": rf"line 1 {NOT_NUMBER} \('0x1F'\)",
    "tsv_decimal_comma.tsv": rf"line 1 {NOT_NUMBER} \('0,5'\)",
    "tsv_space_field.tsv": r"line 1 has an empty value at time index 1",
    "tsv_bool.tsv": rf"line 1 {NOT_NUMBER} \('True'\) at time index 1",
    "tsv_inf.tsv": rf"line 2 {INF}.* at time index 0; soft-DTW needs finite",
    "tsv_2e308.tsv": rf"line 1 {INF}.* at time index 1",
    "tsv_neg_infinity.tsv": rf"line 2 {INF}.* at time index 1",
    "tsv_interior_nan.tsv": rf"line 2 has a missing value \(NaN\) at time index 1, "
    rf"{INSIDE}",
    "tsv_all_nan.tsv": r"line 2 has no values \(every value is missing\)",
    "tsv_label_only.tsv": r"line 1 has a label but no values",
    "tsv_lone_cr.tsv": r"line 1 holds a carriage return \(\\r\) that does not end",
    "tsv_empty.tsv": r"the file is empty",
    "tsv_blank_lines.tsv": r"the file is empty",
    "tsv_bom_only.tsv": r"the file is empty",
    "tsv_comment_only.tsv": r"the file is empty \(only blank lines and comments\)",
    "tsv_latin1.tsv": r"line 2 is not UTF-8 text \(byte 0xe9\); save .* as UTF-8",
    "tsv_nul.tsv": r"not a text file \(it holds NUL bytes\)",
    "tsv_utf16.tsv": r"is UTF-16 text; save it as UTF-8",
    "csv_file.tsv": r"line 1 is comma-separated, which is not a UCR/UEA format",
    # --- .txt
    "txt_ragged.txt": r"line 2 .* fields \(3\) than line 1 \(4\)",
    "txt_comment_ragged.txt": r"line 3 .* fields \(2\) than line 2 \(3\)",
    "txt_word.txt": rf"line 1 {NOT_NUMBER} \('oops'\) at time index 1",
    "txt_inf.txt": rf"line 1 {INF}.* at time index 1",
    "txt_interior_nan.txt": rf"line 1 has a missing value \(NaN\) .*{INSIDE}",
    "txt_label_only.txt": r"line 1 has a label but no values",
    # --- .ts: header values
    "ts_dimensions_word.ts": r"line 2: @dimensions must be a positive integer, "
    r"got 'two'",
    "ts_dimensions_zero.ts": r"line 2: @dimensions must be a positive .* got '0'",
    "ts_serieslength_word.ts": r"line 2: @seriesLength must be a positive integer",
    "ts_missing_maybe.ts": r"line 2: @missing must be true or false, got 'maybe'",
    "ts_classlabel_empty.ts": r"line 1: @classLabel must be 'true' followed by the "
    r"class labels, or 'false'; got 'true'",
    "ts_classlabel_yes.ts": r"line 1: @classLabel must be .*; got 'yes a b'",
    "ts_unknown_tag.ts": r"line 2 has the unknown header @seriesLenght; a .ts "
    r"header knows @problemName",
    "ts_repeated_tag.ts": r"line 2 repeats @dimensions \(first on line 1\)",
    "ts_data_value.ts": r"line 2: @data takes no value",
    "ts_no_data.ts": r"no @data line; not a complete .ts file",
    "ts_not_header.ts": r"line 2 comes before @data but is not a header line",
    "ts_timestamps.ts": r"line 1: @timeStamps true is not supported",
    "ts_bare_at.ts": r"line 1 has the unknown header @; a .ts header knows",
    # --- .ts: a header that contradicts itself
    "ts_serieslength_unequal.ts": r"lines 1 and 2: @seriesLength is only for "
    r"@equalLength true",
    "ts_univariate_dimensions.ts": r"lines 1 and 2: @univariate true contradicts "
    r"@dimensions 3",
    "ts_class_and_target.ts": r"lines 1 and 2: @classLabel true and @targetLabel "
    r"true contradict",
    # --- .ts: data that breaks its header
    "ts_serieslength_broken.ts": r"line 6 has a series of 4 values .* but "
    r"@seriesLength on line 2 says 3",
    "ts_equallength_broken.ts": r"line 5 has a series of 2 values .* but line 4 has "
    r"3 and @equalLength true on line 1",
    "ts_class_undeclared.ts": r"line 4 has class label 'swim', which @classLabel "
    r"on line 1 does not declare \(declared: walk run\)",
    "ts_cut_short.ts": r"line 8 has class label '4,5', which .* A label of several "
    r"values: is the line cut short",
    "ts_channel_count.ts": r"line 5 has 1 channels, expected 2 \(from @dimensions "
    r"on line 1\)",
    "ts_univariate_two_channels.ts": r"line 4 has 2 channels, expected 1 \(from "
    r"@univariate true on line 1\)",
    "ts_missing_false.ts": r"line 4 has a missing value .* at time index 2, but "
    r"@missing false \(line 1\) says there are none",
    "ts_header_after_data.ts": r"line 4 is a header line after @data \(line 2\)",
    "ts_target_word.ts": r"line 4 has target 'high'; @targetLabel true declares "
    r"numeric targets",
    "ts_undeclared_label_field.ts": r"line 3 has channels of different lengths "
    r"\[1, 3\].* declare it: @classLabel true",
    # --- .ts: series and values
    "ts_channel_lengths.ts": r"line 3 has channels of different lengths \[2, 3\]",
    "ts_no_label.ts": r"line 3 has no label",
    "ts_empty_label.ts": r"line 3 has no label",
    "ts_interior_missing.ts": rf"line 4 has a missing value \('\?' or NaN\) at "
    rf"time index 1, {INSIDE}",
    "ts_interior_nan.ts": rf"line 4 has a missing value .* time index 1, {INSIDE}",
    "ts_all_missing.ts": r"line 4 has no values \(every value is missing\)",
    "ts_inf.ts": rf"line 3 {INF}.* at time index 1;",
    "ts_2e308_channel.ts": rf"line 4 {INF}.* at time index 1 of channel 1",
    "ts_empty_value.ts": r"line 3 has an empty value at time index 1",
    "ts_trailing_comma.ts": r"line 3 has an empty value at time index 2",
    "ts_word.ts": rf"line 3 {NOT_NUMBER} \('x'\) at time index 1",
    "ts_no_series.ts": r"no series after @data \(line 2\)",
    "ts_latin1.ts": r"line 1 is not UTF-8 text \(byte 0xe9\)",
    # --- .arff: header
    "arff_no_relation.arff": r"line 1: an ARFF header starts with @relation",
    "arff_repeated_relation.arff": r"line 2 repeats @relation",
    "arff_hash_comment.arff": r"line 1 is neither an ARFF header line nor data "
    r"\(ARFF comments start with %\)",
    "arff_garbage_header.arff": r"line 2 is neither an ARFF header line nor data",
    "arff_unknown_header.arff": r"line 2 has the unknown header @attributes",
    "arff_attribute_no_type.arff": r"line 2: expected @attribute <name> <type>",
    "arff_no_attributes.arff": r"the header declares no @attribute",
    "arff_only_class.arff": r"line 2: the header needs numeric attributes",
    "arff_string_series.arff": r"line 2: attribute 't0' is string; every "
    r"attribute but the last \(the class\) is a time step and must be numeric",
    "arff_date_type.arff": r"line 2: attribute type 'date yyyy-MM-dd' is not "
    r"supported",
    "arff_no_data.arff": r"no @data line; not a complete ARFF file",
    "arff_relational_unclosed.arff": r"line 4: attribute 'class' inside the "
    r"relational attribute 'rel' must be numeric \(is '@end rel' missing",
    "arff_relational_end_mismatch.arff": r"line 4: @end does not close a "
    r"relational attribute \(open: 'rel'\)",
    "arff_relational_inner_nominal.arff": r"line 3: attribute 't0' inside the "
    r"relational attribute 'rel' must be numeric",
    "arff_relational_layout.arff": r"line 3: a UEA multivariate ARFF has one "
    r"relational attribute",
    # --- .arff: rows that break the header
    "arff_too_many_values.arff": r"line 7 has 6 values, but the header declares 3 "
    r"attributes \(2 time steps and the class\)",
    "arff_too_few_values.arff": r"line 7 has 2 values, but the header declares 3",
    "arff_class_undeclared.arff": r"line 7 has class 'c', which @attribute class "
    r"on line 4 does not declare \(\{a,b\}\)",
    "arff_relational_class_undeclared.arff": r"line 9 has class 'c', which "
    r"@attribute class on line 7 does not declare",
    "arff_relational_channels.arff": r"line 10 has 1 channels, expected 2 \(from "
    r"the first series on line 9\)",
    "arff_relational_length.arff": r"line 10 has 2 values in channel 1, but the "
    r"relational attribute declares 3",
    "arff_relational_extra_value.arff": r"line 9 has 3 values, but the header "
    r"declares 2 attributes \(the relational series and the class\)",
    "arff_relational_unquoted.arff": r"line 9 should start with the quoted series",
    "arff_missing_class.arff": r"line 6 has no class value \(the last field is "
    r"missing: \?\)",
    "arff_numeric_target_word.arff": r"line 6 has target 'high'; @attribute "
    r"target numeric declares numeric targets",
    "arff_header_after_data.arff": r"line 7 is a header line after @data",
    "arff_sparse.arff": r"line 6 is a sparse ARFF row",
    "arff_unclosed_quote.arff": r"line 6 has an unclosed quote",
    # --- .arff: values
    "arff_inf.arff": rf"line 6 {INF}.* at time index 1;",
    "arff_2e308.arff": rf"line 7 {INF}.* at time index 0;",
    "arff_relational_inf.arff": rf"line 9 {INF}.* at time index 1 of channel 1",
    "arff_interior_missing.arff": rf"line 7 has a missing value \('\?' or NaN\) "
    rf"at time index 1, {INSIDE}",
    "arff_word.arff": rf"line 6 {NOT_NUMBER} \('x'\) at time index 1",
    "arff_empty_value.arff": r"line 6 has an empty value at time index 0",
}


def _ints(*values):
    return np.array(values, dtype=np.int64)


def _strs(*values):
    return np.array(values, dtype=str)


TWO = [[0.5, 1.5], [2.5, 3.5]]
PAIRS = [[1, 2], [3, 4]]
TOY = [[1, 2, 3], [4, 5, 6]]

# (file, X, y): X with NaN where a shorter series is padded
VALID = [
    # --- .tsv
    ("tsv_bom.tsv", TWO, _ints(1, 2)),
    ("tsv_crlf.tsv", TWO, _ints(1, 2)),
    ("tsv_comments.tsv", TWO, _ints(1, 2)),
    ("tsv_bom_crlf_comment.tsv", TWO, _ints(1, 2)),
    ("tsv_no_final_newline.tsv", TWO, _ints(1, 2)),
    ("tsv_padding.tsv", [[[1], [2], [3]], [[4], [5], [NAN]]], _ints(1, 2)),
    ("tsv_padding_lower.tsv", [[1, 2], [4, 5]], _ints(1, 2)),
    ("tsv_labels_leading_zero.tsv", PAIRS, _strs("01", "1")),
    ("tsv_labels_2p53_plus_1.tsv", PAIRS, _ints(9007199254740993, 1)),
    ("tsv_labels_beyond_int64.tsv", PAIRS, _strs("99999999999999999999", "1")),
    ("tsv_labels_int64_edges.tsv", PAIRS, _ints(2**63 - 1, -(2**63))),
    ("tsv_labels_int64_max_plus_1.tsv", PAIRS, _strs("9223372036854775808", "1")),
    ("tsv_labels_float_notation.tsv", PAIRS, _ints(1, 2)),
    ("tsv_labels_float_clash.tsv", PAIRS, _strs("1.0", "1")),
    ("tsv_labels_fraction.tsv", PAIRS, _strs("1.5", "2")),
    ("tsv_labels_minus_zero.tsv", PAIRS, _strs("-0", "0")),
    ("tsv_labels_minus_zero_float.tsv", PAIRS, _strs("-0.0", "1.0")),
    ("tsv_labels_plus.tsv", PAIRS, _strs("+1", "2")),
    ("tsv_label_nan.tsv", PAIRS, _strs("NaN", "b")),
    ("tsv_label_spaces.tsv", PAIRS, _strs("walk fast", "run")),
    ("tsv_label_quote.tsv", PAIRS, _strs('"a', 'b"')),
    ("tsv_huge_value.tsv", [[1e20, 2], [3, 4]], _ints(1, 2)),
    ("tsv_subnormal.tsv", [[5e-324, -0.0]], _ints(1)),
    # --- .txt
    ("txt_ucr2015.txt", [[-0.6478854, -0.64199155], [1, 0.25]], _ints(1, 2)),
    ("txt_bom_crlf.txt", TWO, _ints(1, 2)),
    ("txt_comment.txt", TWO, _ints(1, 2)),
    ("txt_padding.txt", [[[1], [2], [3]], [[4], [5], [NAN]]], _ints(1, 2)),
    ("txt_trailing_spaces.txt", TWO, _ints(1, 2)),
    # --- .ts
    ("ts_bom.ts", TOY, _strs("a", "b")),
    ("ts_crlf.ts", TOY, _strs("a", "b")),
    ("ts_bom_crlf.ts", TOY, _strs("a", "b")),
    ("ts_trailing_missing.ts", [[[1], [2], [3]], [[4], [5], [NAN]]], _strs("a", "b")),
    (
        "ts_trailing_missing_equal.ts",
        [[[1], [2], [3], [4]], [[5], [6], [NAN], [NAN]]],
        _strs("a", "b"),
    ),
    (
        "ts_trailing_missing_channels.ts",
        [[[1, 3], [2, 4], [NAN, NAN]], [[5, 8], [6, 9], [7, 10]]],
        _strs("a", "b"),
    ),
    ("ts_percent_comments.ts", PAIRS, _ints(1, 2)),
    ("ts_hash_comments.ts", PAIRS, _ints(1, 2)),
    ("ts_labels_leading_zero.ts", PAIRS, _strs("01", "1")),
    ("ts_labels_2p53_plus_1.ts", PAIRS, _ints(9007199254740993, 1)),
    ("ts_labels_float.ts", PAIRS, _strs("1.0", "2.0")),
    ("ts_dimension_singular.ts", [[[1, 3], [2, 4]]], _strs("a")),
    ("ts_no_labels.ts", TOY, None),
    ("ts_no_classlabel_line.ts", TOY, None),
    ("ts_case_insensitive.ts", PAIRS, _strs("a", "a")),
    ("ts_spaces.ts", [[1, 2, 3]], _strs("a")),
    ("ts_target.ts", PAIRS, np.array([0.5, -1000.0])),
    # --- .arff
    ("arff_bom.arff", TWO, _strs("a", "b")),
    ("arff_crlf.arff", TWO, _strs("a", "b")),
    (
        "arff_trailing_missing.arff",
        [[[1], [2], [NAN]], [[3], [4], [5]]],
        _strs("a", "b"),
    ),
    ("arff_quoted_class.arff", PAIRS, _strs("walk fast", "run, then stop")),
    ("arff_nested_quotes.arff", [[1], [2]], _strs('"a"', "b")),
    (
        "arff_relational_quoted_class.arff",
        [[[1, 2]], [[3, 4]]],
        _strs("walk fast", "run"),
    ),
    (
        "arff_relational_bom_crlf.arff",
        [[[1, 4], [2, 5], [3, 6]], [[7, 10], [8, 11], [9, 12]]],
        _strs("a", "b"),
    ),
    (
        "arff_relational_padding.arff",
        [[[1, 3], [2, 4], [NAN, NAN]], [[5, 8], [6, 9], [7, 10]]],
        _strs("a", "b"),
    ),
    ("arff_uppercase.arff", [[0.5, 1], [2, 3]], _ints(1, 2)),
    ("arff_labels_leading_zero.arff", [[1], [2]], _strs("01", "1")),
    ("arff_comments.arff", PAIRS, _strs("a", "b")),
    ("arff_numeric_target.arff", [[1], [2]], np.array([0.5, -3.0])),
]


def test_the_tables_cover_the_corpus():
    named = [*MALFORMED, *(name for name, *_ in VALID)]
    assert len(named) == len(set(named))
    assert sorted(named) == sorted(p.name for p in CORPUS.iterdir())
    assert len(MALFORMED) >= 50


@pytest.mark.parametrize(("name", "message"), MALFORMED.items(), ids=list(MALFORMED))
def test_malformed_file_names_the_file_and_line(name, message):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an error, and nothing printed before it
        with pytest.raises(ValueError, match=rf"{re.escape(name)}: {message}"):
            read_ucr_file(CORPUS / name)


@pytest.mark.parametrize(("name", "X", "y"), VALID, ids=[v[0] for v in VALID])
def test_valid_file_reads_exactly(name, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got_X, got_y = read_ucr_file(CORPUS / name)
    expected = np.array(X, dtype=np.float64)
    assert got_X.dtype == np.float64 and got_X.flags.c_contiguous
    assert got_X.shape == expected.shape
    np.testing.assert_array_equal(got_X, expected)  # NaN where expected has NaN
    assert np.signbit(got_X).tolist() == np.signbit(expected).tolist()  # -0.0 kept
    if y is None:
        assert got_y is None
    else:
        assert got_y.dtype.kind == y.dtype.kind and got_y.dtype.itemsize >= 1
        if y.dtype.kind in "if":
            assert got_y.dtype == y.dtype
        assert got_y.tolist() == y.tolist()


@pytest.mark.parametrize(
    ("plain", "odd"),
    [
        ("tsv_comments.tsv", "tsv_bom_crlf_comment.tsv"),
        ("ts_bom.ts", "ts_bom_crlf.ts"),
        ("arff_bom.arff", "arff_crlf.arff"),
    ],
)
def test_bom_crlf_and_comments_change_nothing(plain, odd):
    X1, y1 = read_ucr_file(CORPUS / plain)
    X2, y2 = read_ucr_file(CORPUS / odd)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)


def test_directory_is_rejected():
    with pytest.raises(ValueError, match=r"readers: is a directory, not a file"):
        read_ucr_file(CORPUS)


@pytest.mark.parametrize(
    ("path", "message"),
    [("", "path is empty"), ("x.tsv\0", r"'x.tsv\\x00': a path cannot hold a NUL")],
)
def test_empty_path_and_nul_in_a_path_are_named(path, message):
    with pytest.raises(ValueError, match=message):
        read_ucr_file(path)


def test_missing_file_is_rejected(tmp_path):
    with pytest.raises(ValueError, match=r"nope\.tsv: no such file"):
        read_ucr_file(tmp_path / "nope.tsv")


def test_large_tsv_with_one_bad_last_line_names_it_without_warnings(tmp_path):
    # Large enough (6.5 MB) that pandas reads it in chunks of mixed types.
    row = "1\t" + "\t".join(["0.125"] * 100) + "\n"
    path = tmp_path / "Big_TRAIN.tsv"
    path.write_text(row * 9_999 + row.replace("\t0.125\n", "\tbad\n"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(
            ValueError,
            match=rf"Big_TRAIN.tsv: line 10000 {NOT_NUMBER} \('bad'\) at time index 99",
        ):
            read_ucr_file(path)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("\u0661\u0662", r"'\\u0661\\u0662'"),  # Arabic-Indic digits
        ("\uff11", r"'\\uff11'"),  # a fullwidth 1
        ("1\u00a0", r"'1\\xa0'"),  # a no-break space
    ],
)
def test_tsv_values_take_ascii_digits_only_and_show_the_others(tmp_path, value, shown):
    path = tmp_path / "U_TRAIN.tsv"
    path.write_text(f"1\t{value}\t2\t3\n2\t1\t2\t3\n", encoding="utf-8")
    with pytest.raises(ValueError, match=rf"line 1 {NOT_NUMBER} \({shown}\) at time"):
        read_ucr_file(path)


def test_tsv_labels_written_by_pandas_as_floats_read_as_ints(tmp_path):
    # pandas and numpy write an int label column of a float frame as 1.0, 2.0.
    path = tmp_path / "floats.tsv"
    path.write_text("1.0\t0.5\t0.25\n3.0\t1.0\t2.0\n")
    _, y = read_ucr_file(path)
    assert y.dtype == np.int64 and y.tolist() == [1, 3]


def test_tsv_label_and_value_joined_by_a_blank_is_an_error(tmp_path):
    # "1 1.5<tab>2.5": the label field would swallow a value.
    path = tmp_path / "mixed.tsv"
    path.write_text("1 1.5\t2.5\n2 3.5\t4.5\n")
    with pytest.raises(ValueError, match=r"line 1: the label field '1 1.5' is numbers"):
        read_ucr_file(path)
    path.write_text("1\v1\t2\n")
    with pytest.raises(ValueError, match=r"label field '1\\x0b1'"):
        read_ucr_file(path)
    path.write_text("1 nan\t2.5\t3\n2\t1.0\t2.0\n")  # the archive's missing value
    with pytest.raises(ValueError, match=r"label field '1 nan'"):
        read_ucr_file(path)
    # Mixed on a later line of a tab-separated .txt: one separator, it says.
    path = tmp_path / "later.txt"
    path.write_text("1\t1.5\t2.5\n2 1.0\t2.0\t3.0\n")
    with pytest.raises(ValueError, match="line 2: .* use one separator throughout"):
        read_ucr_file(path)


def test_txt_with_spaces_and_tabs_is_whitespace_separated(tmp_path):
    path = tmp_path / "mixed.txt"
    path.write_text("1 1.5\t2.5\n2 3.5\t4.5\n")
    X, y = read_ucr_file(path)
    np.testing.assert_array_equal(X, [[1.5, 2.5], [3.5, 4.5]])
    assert y.tolist() == [1, 2]
    # A label with a blank in a tab-separated .txt stays a label.
    path.write_text("walk fast\t1.0\t2.0\nrun\t2.0\t3.0\n")
    X, y = read_ucr_file(path)
    np.testing.assert_array_equal(X, [[1.0, 2.0], [2.0, 3.0]])
    assert y.tolist() == ["walk fast", "run"]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("m.tsv", "1\t1\t2\tnan \n2\t1\t2\t3\n"),
        ("m.ts", "@classLabel true a b\n@data\n1,2, ? :a\n1, 2 ,3:b\n"),
        (
            "m.arff",
            "@relation r\n@attribute t0 numeric\n@attribute t1 numeric\n"
            "@attribute t2 numeric\n@attribute c {a,b}\n@data\n1, 2, ? ,a\n"
            "1,2,3,b\n",
        ),
    ],
)
def test_missing_tokens_may_have_spaces_around_as_numbers_may(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content)
    X, _ = read_ucr_file(path)
    np.testing.assert_array_equal(
        X[..., 0] if X.ndim == 3 else X, [[1, 2, np.nan], [1, 2, 3]]
    )


def test_the_file_is_not_modified():
    path = CORPUS / "tsv_bom_crlf_comment.tsv"
    before = path.read_bytes()
    read_ucr_file(path)
    assert path.read_bytes() == before
