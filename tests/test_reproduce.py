"""reproduce: the paper's experiments on a folder of sets, on tiny synthetic sets.

Every set is written by the tests into tmp_path, and the settings are cut
down (two gammas, a few iterations), so the module runs in seconds and
needs no ../shared data.
"""

import json
import re
import warnings
from pathlib import Path

import numpy as np
import pytest

from softdtw_learn import reproduce as rp
from softdtw_learn.barycenter import dtw_barycenter_averaging, soft_dtw_barycenter
from softdtw_learn.cluster import SoftDTWKMeans
from softdtw_learn.datasets import make_cylinder_bell_funnel, read_ucr_file
from softdtw_learn.forecasting import SoftDTWMLPRegressor, split_series
from softdtw_learn.metrics import dtw
from softdtw_learn.neighbors import SoftDTWNearestCentroid
from softdtw_learn.reproduce import _sets, _summaries, _units, reproduce

try:
    import matplotlib  # noqa: F401

    HAS_MATPLOTLIB = True
except ImportError:
    HAS_MATPLOTLIB = False

ROOT = Path(__file__).resolve().parent.parent
TINY = {
    "table1": {
        "gammas": (1.0, 0.1),
        "series": 4,
        "repeats": 2,
        "max_iter": 5,
        "dba_max_iter": 5,
    },
    "table2": {"gammas": (1.0, 0.1), "max_iter": 3, "max_iter_barycenter": 5},
    "figure7": {
        "gammas": (1.0, 0.1),
        "folds": 2,
        "max_iter": 5,
        "cv_tol": 1e-3,
        "dba_max_iter": 5,
    },
    "table3": {
        "gammas": (1.0, 0.1),
        "ratio": 0.6,
        "hidden_layer_sizes": (4,),
        "alpha": 1.0,
        "max_iter": 5,
    },
}
SETS = ["CBFa", "Ragged", "Wave"]
_COMPUTE_UNIT = rp._compute_unit
# The direct computations run as few iterations as the tiny settings.
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(autouse=True)
def tiny(monkeypatch):
    """Tiny settings; no warm-up (the kernels compile on first use anyway)."""
    for experiment, settings in TINY.items():
        monkeypatch.setitem(rp.SETTINGS, experiment, settings)
    monkeypatch.setattr("softdtw_learn._warmup.warm_up", lambda progress: {})


def _tsv(path, X, y):
    """Write a UCR .tsv file; NaN at the end of a row is padding."""
    rows = []
    for label, row in zip(y, X, strict=True):
        values = ["NaN" if np.isnan(v) else f"{v:.17g}" for v in row]
        rows.append("\t".join([str(label), *values]))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(rows) + "\n")


def _ts(path, X, y):
    """Write a multivariate .ts file: X of shape (n, length, channels)."""
    labels = " ".join(sorted({str(v) for v in y}))
    header = [
        "@problemName wave",
        "@timeStamps false",
        "@univariate false",
        f"@dimensions {X.shape[2]}",
        "@equalLength true",
        f"@seriesLength {X.shape[1]}",
        f"@classLabel true {labels}",
        "@data",
    ]
    rows = [
        ":".join(",".join(f"{v:.17g}" for v in x[:, c]) for c in range(X.shape[2]))
        + f":{label}"
        for x, label in zip(X, y, strict=True)
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(header + rows) + "\n")


def _ragged(n, seed):
    """Unequal-length series of two classes (a bump early or late), NaN padded."""
    rng = np.random.default_rng(seed)
    X = np.full((n, 14), np.nan)
    y = np.arange(n) % 2
    for k in range(n):
        length = 10 + k % 5
        t = np.linspace(0, 1, length)
        centre = 0.3 if y[k] == 0 else 0.7
        X[k, :length] = np.exp(-((t - centre) ** 2) / 0.02) + 0.1 * rng.normal(
            size=length
        )
    return X, y


def _wave(n, seed):
    """Two-channel series of two classes (sine or cosine first)."""
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 2 * np.pi, 12)
    y = np.arange(n) % 2
    X = np.empty((n, 12, 2))
    for k in range(n):
        shift = rng.uniform(0, 0.5)
        first, second = np.sin(t + shift), np.cos(t + shift)
        X[k] = np.stack([first, second] if y[k] == 0 else [second, first], axis=1)
    return X + 0.05 * rng.normal(size=X.shape), np.where(y == 0, "sin", "cos")


def _make_data(tmp_path):
    """Write three small sets: univariate .tsv, unequal-length .tsv, 2-channel .ts."""
    root = tmp_path / "data"
    X, y = make_cylinder_bell_funnel(24, length=20, random_state=0)
    train = np.isin(np.arange(24), [np.flatnonzero(y == c)[:4] for c in range(3)])
    _tsv(root / "CBFa" / "CBFa_TRAIN.tsv", X[train], y[train])
    _tsv(root / "CBFa" / "CBFa_TEST.tsv", X[~train], y[~train])
    X, y = _ragged(18, 1)
    _tsv(root / "Ragged" / "Ragged_TRAIN.tsv", X[:10], y[:10])
    _tsv(root / "Ragged" / "Ragged_TEST.tsv", X[10:], y[10:])
    X, y = _wave(14, 2)
    _ts(root / "Wave" / "Wave_TRAIN.ts", X[:8], y[:8])
    _ts(root / "Wave" / "Wave_TEST.ts", X[8:], y[8:])
    return root


@pytest.fixture
def data_dir(tmp_path):
    """The three sets, in tmp_path/data."""
    return _make_data(tmp_path)


def _unit(out, experiment, name):
    return json.loads((out / "units" / experiment / f"{name}.json").read_text())


def _units_on_disk(out):
    return sorted((p.parent.name, p.stem) for p in (out / "units").glob("*/*.json"))


def _all_units(sets=SETS):
    return sorted((e, s) for e in rp.EXPERIMENTS for s in sets)


def _part_files(root):
    return [p for p in root.rglob("*") if p.name.endswith(".part")]


def _row(markdown, name, after=None):
    """The cells of the markdown row of set ``name`` (after heading ``after``)."""
    text = markdown if after is None else markdown[markdown.index(after) :]
    line = next(x for x in text.splitlines() if x.startswith(f"| {name} |"))
    return [cell.strip() for cell in line.strip("|").split("|")]


# ------------------------------------------------------------------- outputs


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """One full run on the three sets, shared by the tests that only read it."""
    tmp = tmp_path_factory.mktemp("finished")
    monkeypatch = pytest.MonkeyPatch()
    try:
        for experiment, settings in TINY.items():
            monkeypatch.setitem(rp.SETTINGS, experiment, settings)
        monkeypatch.setattr("softdtw_learn._warmup.warm_up", lambda progress: {})
        root = _make_data(tmp)
        out = tmp / "out"
        summary = reproduce(root, out, progress=False)
    finally:
        monkeypatch.undo()
    return root, out, summary


def test_a_run_writes_the_tables_the_figure_the_report_and_every_unit(finished):
    _, out, summary = finished
    names = [f"{e}{suffix}" for e in rp.EXPERIMENTS for suffix in (".md", "_sets.md")]
    if HAS_MATPLOTLIB:
        names += ["figure7.png", "figure7.svg"]
    assert sorted(summary["files"]) == sorted(names + ["results.rst", "index.html"])
    for name in summary["files"]:
        assert (out / name).stat().st_size > 0, name
    assert _units_on_disk(out) == _all_units()
    assert sorted(summary["computed"]) == _all_units()
    assert summary["resumed"] == [] and summary["failed"] == {}
    assert summary["skipped"] == {} and summary["sets"] == SETS
    assert _part_files(out) == []


def test_the_report_links_every_file_and_names_versions_and_times(finished):
    _, out, summary = finished
    page = (out / "index.html").read_text()
    for name in summary["files"]:
        if name != "index.html" and not name.endswith(".svg"):
            assert f"'{name}'" in page or f'"{name}"' in page, name
    assert "numpy" in page and "scikit-learn" in page and "numba" in page
    assert re.search(r"Wall time of this run: \d+\.\d s", page)
    assert len(re.findall(r"Compute time: \d+\.\d s in this run \(3 sets\)", page)) == 4
    for name in SETS:
        assert f"<td>{name}</td>" in page


def test_each_unit_says_what_it_depends_on(finished):
    root, out, _ = finished
    record = _unit(out, "table1", "CBFa")
    key = record["key"]
    assert key["experiment"] == "table1" and key["set"] == "CBFa"
    assert key["max_series"] == rp.DEFAULT_MAX_SERIES
    assert key["settings"] == json.loads(json.dumps(TINY["table1"]))
    assert sorted(key["files"]) == ["CBFa_TEST.tsv", "CBFa_TRAIN.tsv"]
    assert key["files"]["CBFa_TRAIN.tsv"] == _sets.digest(
        root / "CBFa" / "CBFa_TRAIN.tsv"
    )
    assert record["seconds"] >= 0


def test_sets_of_unequal_length_skip_what_needs_equal_lengths(finished):
    _, out, _ = finished
    table1 = _unit(out, "table1", "Ragged")["result"]
    assert table1["starts"] == ["random"] and table1["loss"]["dba_mean"] is None
    assert list(_unit(out, "table2", "Ragged")["result"]["loss"]) == ["random"]
    assert _unit(out, "figure7", "Ragged")["result"]["accuracy"]["euclidean"] is None
    table3 = _unit(out, "table3", "Ragged")
    assert table3["status"] == "n/a" and "unequal lengths" in table3["reason"]
    # Multivariate, equal length: everything runs.
    assert _unit(out, "table3", "Wave")["status"] == "done"
    assert _unit(out, "table1", "Wave")["result"]["starts"] == ["random", "mean"]


# ----------------------------------------------- tables against direct results


def _mean_path_losses(series, settings):
    """DBA and soft-DTW (down the gammas) from the Euclidean mean, directly."""
    mean = np.mean(series, axis=0)
    dba = dtw_barycenter_averaging(series, init=mean, max_iter=settings["dba_max_iter"])
    soft, z = {}, mean
    for k, gamma in enumerate(settings["gammas"]):
        z = soft_dtw_barycenter(
            series,
            gamma=gamma,
            init=z,
            max_iter=settings["max_iter"],
            continuation="auto" if k == 0 else None,
        )
        soft[f"{gamma:g}"] = np.mean([dtw(z, x) / len(x) for x in series])
    loss = {"mean": np.mean([dtw(mean, x) / len(x) for x in series])}
    loss["dba"] = np.mean([dtw(dba, x) / len(x) for x in series])
    return loss, soft


def test_table1_matches_barycenters_computed_directly(finished):
    root, out, _ = finished
    X, _ = read_ucr_file(root / "CBFa" / "CBFa_TRAIN.tsv")
    record = _unit(out, "table1", "CBFa")["result"]
    assert len(record["repeats"]) == TINY["table1"]["repeats"]
    direct = [
        _mean_path_losses([X[r][:, None] for r in repeat["rows"]], TINY["table1"])
        for repeat in record["repeats"]
    ]
    assert all(len(r["rows"]) == TINY["table1"]["series"] for r in record["repeats"])
    euclid = np.mean([d[0]["mean"] for d in direct])
    dba = np.mean([d[0]["dba"] for d in direct])
    soft = {g: np.mean([d[1][g] for d in direct]) for g in ("1", "0.1")}
    np.testing.assert_allclose(record["loss"]["euclidean_mean"], euclid, rtol=1e-12)
    np.testing.assert_allclose(record["loss"]["dba_mean"], dba, rtol=1e-12)
    for g, value in soft.items():
        np.testing.assert_allclose(record["loss"]["soft_mean"][g], value, rtol=1e-9)
    cells = _row(
        (out / "table1_sets.md").read_text(), "CBFa", "DTW loss per set, Euclidean"
    )
    assert cells[1] == f"{euclid:.5g}" and cells[2] == f"{dba:.5g}"
    assert cells[3].split()[0] == f"{soft['1']:.5g}"
    assert cells[3].endswith("*") == (soft["1"] < dba)


def test_table2_matches_k_means_computed_directly(finished):
    root, out, _ = finished
    X, y = read_ucr_file(root / "CBFa" / "CBFa_TRAIN.tsv")
    record = _unit(out, "table2", "CBFa")["result"]
    assert record["k"] == 3 and len(record["random_rows"]) == 3
    for method, gamma in (("dba", 0.0), ("0.1", 0.1)):
        model = SoftDTWKMeans(
            3,
            gamma=gamma,
            init=X[record["random_rows"]],
            max_iter=TINY["table2"]["max_iter"],
            max_iter_barycenter=TINY["table2"]["max_iter_barycenter"],
        ).fit(X)
        loss = np.mean(
            [min(dtw(c, x) for c in model.cluster_centers_) / len(x) for x in X]
        )
        np.testing.assert_allclose(record["loss"]["random"][method], loss, rtol=1e-9)


def test_figure7_and_table3_match_models_fitted_directly(finished):
    root, out, _ = finished
    X, y = read_ucr_file(root / "CBFa" / "CBFa_TRAIN.tsv")
    Xt, yt = read_ucr_file(root / "CBFa" / "CBFa_TEST.tsv")
    record = _unit(out, "figure7", "CBFa")["result"]
    dba = SoftDTWNearestCentroid(gamma=0.0, max_iter=5).fit(X, y).score(Xt, yt)
    assert record["accuracy"]["dba"] == dba
    centroids = np.array([X[y == c].mean(axis=0) for c in np.unique(y)])
    nearest = np.argmin(((Xt[:, None] - centroids[None]) ** 2).sum(axis=2), axis=1)
    assert record["accuracy"]["euclidean"] == np.mean(np.unique(y)[nearest] == yt)
    assert record["gamma"] in TINY["figure7"]["gammas"]
    cells = _row((out / "figure7_sets.md").read_text(), "CBFa")
    assert cells[4] == f"{dba:.3f}"

    record = _unit(out, "table3", "CBFa")["result"]
    inputs, targets = split_series(X, 0.6)
    test_in, test_out = split_series(Xt, 0.6)
    settings = {
        "hidden_layer_sizes": (4,),
        "alpha": 1.0,
        "max_iter": 5,
        "random_state": record["random_state"],
    }
    base = SoftDTWMLPRegressor(loss="squared", **settings).fit(inputs, targets)
    warm = SoftDTWMLPRegressor(gamma=0.1, **settings).fit(
        inputs, targets, coefs_init=base.coefs_, intercepts_init=base.intercepts_
    )
    for key, model in (("euclidean", base), ("euclidean_0.1", warm)):
        prediction = model.predict(test_in)
        losses = record["losses"]
        expected = np.mean(
            [dtw(p, t) for p, t in zip(prediction, test_out, strict=True)]
        )
        np.testing.assert_allclose(losses["dtw"][key], expected, rtol=1e-9)
        squared = np.mean(np.sum((prediction - test_out) ** 2, axis=1))
        np.testing.assert_allclose(losses["squared"][key], squared, rtol=1e-12)


def _share(wins, total):
    return f"{100 * wins / total:.1f}% ({wins}/{total})"


def test_the_summary_tables_count_the_sets_as_the_units_say(finished):
    _, out, _ = finished
    units = {name: _unit(out, "table1", name)["result"] for name in SETS}
    wins = sum(
        u["loss"]["soft_random"]["0.1"] < u["loss"]["dba_random"]
        for u in units.values()
    )
    table1 = (out / "table1.md").read_text()
    line = next(
        x for x in table1.splitlines() if x.startswith("| random start, this run")
    )
    assert line.split("|")[3].strip() == _share(wins, 3)
    assert "| random start, paper (79 UCR sets) | 40.51% | 93.67% |" in table1

    units = {name: _unit(out, "figure7", name)["result"] for name in SETS}
    at_least = sum(
        u["accuracy"]["softdtw"] >= u["accuracy"]["dba"] for u in units.values()
    )
    figure7 = (out / "figure7.md").read_text()
    assert (
        f"| soft-DTW against DBA nearest centroid | {_share(at_least, 3)} |" in figure7
    )

    table3 = (out / "table3.md").read_text()
    # Two equal-length sets rank three models each: the ranks average to 2.
    ranks = [
        float(x.split("|")[2])
        for x in table3.split("Euclidean loss")[0].splitlines()
        if x.startswith(("| Euclidean |", "| soft-DTW (gamma"))
    ]
    assert len(ranks) == 3 and np.isclose(np.mean(ranks), 2.0)
    assert "(2 sets)" in table3


def test_results_rst_holds_every_table_as_a_list_table(finished):
    _, out, _ = finished
    text = (out / "results.rst").read_text()
    assert text.count(".. list-table::") == sum(
        len(summary(_load_results(out, e))) + len(detail(_load_results(out, e)))
        for e, (summary, detail) in _summaries.SUMMARIES.items()
    )
    assert "Table 1: barycenters, soft-DTW against DBA\n---" in text


def _load_results(out, experiment):
    return {name: _unit(out, experiment, name) for name in SETS}


@pytest.mark.skipif(not HAS_MATPLOTLIB, reason="the plot extra is not installed")
def test_figure7_is_a_png_and_an_svg(finished):
    _, out, _ = finished
    assert (out / "figure7.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in (out / "figure7.svg").read_bytes()[:400]


# -------------------------------------------------------------------- resume


def _counting(monkeypatch, fail=None):
    """Count the units computed; raise ``fail[1]`` on the unit ``fail[0]``."""
    real = _COMPUTE_UNIT
    calls = []

    def compute(experiment, data, n_jobs):
        if fail is not None and (experiment, data.name) == fail[0]:
            raise fail[1]
        calls.append((experiment, data.name))
        return real(experiment, data, n_jobs)

    monkeypatch.setattr(rp, "_compute_unit", compute)
    return calls


def test_an_interrupted_run_resumes_with_only_the_missing_units(
    data_dir, tmp_path, monkeypatch
):
    out = tmp_path / "out"
    _counting(monkeypatch, fail=(("table2", "Ragged"), RuntimeError("stopped")))
    with pytest.raises(RuntimeError, match="stopped"):
        reproduce(data_dir, out, progress=False)
    written = _units_on_disk(out)
    assert written == sorted([("table1", s) for s in SETS] + [("table2", "CBFa")])
    assert not (out / "index.html").exists() and _part_files(out) == []
    before = {unit: _unit(out, *unit) for unit in written}

    calls = _counting(monkeypatch)
    summary = reproduce(data_dir, out, progress=False)
    missing = sorted(set(_all_units()) - set(written))
    assert sorted(calls) == missing
    assert sorted(summary["computed"]) == missing
    assert sorted(summary["resumed"]) == written
    assert {unit: _unit(out, *unit) for unit in written} == before
    assert _units_on_disk(out) == _all_units()
    assert f"{len(missing)} units computed, 4 taken" in (out / "index.html").read_text()


def test_a_complete_rerun_computes_nothing_and_no_resume_everything(
    data_dir, tmp_path, monkeypatch
):
    out = tmp_path / "out"
    reproduce(data_dir, out, progress=False, experiments=["table1", "figure7"])
    calls = _counting(monkeypatch)
    summary = reproduce(
        data_dir, out, progress=False, experiments=["figure7", "table1"]
    )
    assert calls == [] and len(summary["resumed"]) == 6
    summary = reproduce(
        data_dir, out, progress=False, experiments="table1", resume=False
    )
    assert sorted(calls) == [("table1", s) for s in SETS]
    assert summary["resumed"] == []
    # The report covers the experiments of the last call only.
    assert sorted(summary["files"]) == [
        "index.html",
        "results.rst",
        "table1.md",
        "table1_sets.md",
    ]


def test_units_of_other_settings_data_or_damaged_files_are_computed_again(
    data_dir, tmp_path, monkeypatch, capsys
):
    out = tmp_path / "out"
    reproduce(data_dir, out, progress=False, experiments=["table1"])
    calls = _counting(monkeypatch)
    # Another cap on the series: every unit again.
    reproduce(data_dir, out, progress=False, experiments=["table1"], max_series=9)
    assert sorted(calls) == [("table1", s) for s in SETS]
    # A changed data file: that set's unit only.
    calls.clear()
    train = data_dir / "CBFa" / "CBFa_TRAIN.tsv"
    lines = train.read_text().splitlines()
    train.write_text("\n".join([lines[0] + "1", *lines[1:]]) + "\n")
    reproduce(data_dir, out, progress=False, experiments=["table1"], max_series=9)
    assert calls == [("table1", "CBFa")]
    # A damaged unit file: recomputed, and said so.
    calls.clear()
    damaged = out / "units" / "table1" / "Wave.json"
    damaged.write_text('{"key": ')
    reproduce(data_dir, out, progress=True, experiments=["table1"], max_series=9)
    assert calls == [("table1", "Wave")]
    assert f"{damaged} is unreadable; computing it again" in capsys.readouterr().err
    assert json.loads(damaged.read_text())["status"] == "done"


def test_a_unit_that_fails_is_reported_not_written_and_tried_again(
    data_dir, tmp_path, monkeypatch, capsys
):
    out = tmp_path / "out"
    _counting(monkeypatch, fail=(("figure7", "Wave"), ValueError("bad labels")))
    summary = reproduce(data_dir, out, experiments=["figure7", "table1"])
    assert summary["failed"] == {("figure7", "Wave"): "bad labels"}
    assert ("figure7", "Wave") not in _units_on_disk(out)
    assert len(_units_on_disk(out)) == 5
    assert "figure7 Wave: failed: bad labels" in capsys.readouterr().err
    assert "bad labels" in (out / "index.html").read_text()
    calls = _counting(monkeypatch)
    reproduce(data_dir, out, progress=False, experiments=["figure7", "table1"])
    assert calls == [("figure7", "Wave")]


def test_progress_prints_a_line_per_unit_and_can_be_silenced(
    data_dir, tmp_path, capsys
):
    reproduce(data_dir, tmp_path / "a", experiments=["table1"])
    out = capsys.readouterr().out
    for name in SETS:
        assert re.search(rf"table1 {name}: done, \d+\.\d s", out)
    assert "report written to" in out
    reproduce(data_dir, tmp_path / "b", experiments=["table1"], progress=False)
    assert capsys.readouterr() == ("", "")


# ------------------------------------------------------------------ the data


def test_max_series_draws_a_stratified_fixed_subset():
    y = np.repeat(np.array(["a", "b", "c"]), [10, 6, 2])
    X = np.arange(len(y), dtype=float)[:, None] * np.ones((1, 4))
    X1, y1 = _sets.subsample(X, y, 9, seed=5)
    X2, y2 = _sets.subsample(X, y, 9, seed=5)
    np.testing.assert_array_equal(X1, X2)
    counts = dict(zip(*np.unique(y1, return_counts=True), strict=True))
    assert counts == {"a": 5, "b": 3, "c": 1}
    assert np.all(np.diff(X1[:, 0]) > 0)  # in file order
    # Each class first, while the cap allows.
    assert sorted(_sets.subsample(X, y, 3, seed=0)[1]) == ["a", "b", "c"]
    same = _sets.subsample(X, y, 30, seed=0)
    assert same[0] is X and same[1] is y


def test_max_series_caps_both_splits(data_dir, tmp_path):
    summary = reproduce(
        data_dir,
        tmp_path / "out",
        max_series=6,
        progress=False,
        experiments=["figure7"],
    )
    record = summary["results"]["figure7"]["CBFa"]["result"]
    assert (record["n_train"], record["n_test"]) == (6, 6)
    assert record["folds"] == 2


def test_one_file_per_split_by_preference(tmp_path):
    X, y = make_cylinder_bell_funnel(8, length=10, random_state=0)
    both = tmp_path / "A"
    _tsv(both / "A_TRAIN.tsv", X, y)
    _tsv(both / "A_TEST.tsv", X, y)
    _tsv(both / "A_TRAIN.txt", X, y)
    (both / "A_TRAIN.ts").write_text("not read")
    (both / "A.txt").write_text("a description of the set, not data")
    _tsv(tmp_path / "B" / "B_TRAIN.txt", X, y)
    _tsv(tmp_path / "B" / "B_TEST.txt", X, y)
    _tsv(tmp_path / "C" / "C_TRAIN.tsv", X, y)
    sources, notes = _sets.find_sets(tmp_path)
    found = {s.name: (s.train.name, s.test.name) for s in sources}
    assert found == {
        "A": ("A_TRAIN.tsv", "A_TEST.tsv"),
        "B": ("B_TRAIN.txt", "B_TEST.txt"),
    }
    assert "C_TRAIN.tsv has no C_TEST file beside it" in notes["C"]


def _npz(path, **arrays):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as stream:
        np.savez(stream, **arrays)


def test_a_set_in_an_npz_file_runs_like_the_others(tmp_path):
    X, y = make_cylinder_bell_funnel(20, length=16, random_state=3)
    _npz(
        tmp_path / "data" / "Trc" / "Trc.npz",
        X_train=X[:10, :, None],
        y_train=y[:10],
        X_test=X[10:, :, None],
        y_test=y[10:],
    )
    summary = reproduce(
        tmp_path / "data", tmp_path / "out", progress=False, experiments=["figure7"]
    )
    assert summary["sets"] == ["Trc"]
    record = summary["results"]["figure7"]["Trc"]["result"]
    dba = SoftDTWNearestCentroid(gamma=0.0, max_iter=5).fit(X[:10], y[:10])
    assert record["accuracy"]["dba"] == dba.score(X[10:], y[10:])


def test_an_npz_file_with_object_arrays_is_not_unpickled(tmp_path):
    from softdtw_learn.reproduce._sets import _read_npz

    X = np.zeros((2, 3))
    path = tmp_path / "O.npz"
    labels = np.array([1, "a"], dtype=object)
    np.savez(path, X_train=X, y_train=labels, X_test=X, y_test=labels)
    with pytest.raises(ValueError, match="holds Python objects .pickled., which are"):
        _read_npz(path)


def test_whole_float_labels_of_an_npz_file_are_classes(tmp_path):
    X, y = make_cylinder_bell_funnel(12, length=10, random_state=4)
    path = tmp_path / "data" / "F.npz"
    _npz(path, X_train=X, y_train=y + 1.0, X_test=X, y_test=y + 1.0)
    data = _sets.load_set(_sets.Source("F", path, None), None)
    assert data.labelled and data.y_train.dtype == np.int64
    np.testing.assert_array_equal(data.y_test, y + 1)
    _npz(path, X_train=X, y_train=y + 0.5, X_test=X, y_test=y + 0.5)
    data = _sets.load_set(_sets.Source("F", path, None), None)
    assert not data.labelled  # regression targets
    summary = reproduce(tmp_path / "data", tmp_path / "out", progress=False)
    assert summary["results"]["figure7"]["F"]["reason"] == "no class labels"
    assert summary["results"]["table3"]["F"]["status"] == "done"


BROKEN = [
    ("Bad/Bad_TRAIN.tsv", "1\t0.5\tabc\n2\t0.1\t0.2\n", "Bad_TRAIN.tsv: line 1"),
    ("Bad/Bad_TRAIN.tsv", "", "Bad_TRAIN.tsv"),
    ("Bad/Bad_TRAIN.tsv", "1\t0.5\tNaN\t0.3\n", "Bad_TRAIN.tsv: line 1"),
    ("Bad/Bad.npz", b"PK\x03\x04 not a zip", "Bad.npz: not a readable .npz file"),
    # Not a zip at all: numpy took it for a pickle and advised unpickling.
    ("Bad/Bad.npz", b"garbage\n", "Bad.npz: not a readable .npz file (not a zip"),
]


@pytest.mark.parametrize(("where", "content", "message"), BROKEN)
def test_a_set_that_cannot_be_read_is_reported_and_the_others_run(
    data_dir, tmp_path, capsys, where, content, message
):
    path = data_dir / where
    path.parent.mkdir(exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
        X, y = make_cylinder_bell_funnel(6, length=8, random_state=0)
        _tsv(data_dir / "Bad" / "Bad_TEST.tsv", X, y)
    summary = reproduce(data_dir, tmp_path / "out", experiments=["table1"])
    assert message in summary["skipped"]["Bad"]
    assert summary["sets"] == SETS
    assert f"Bad left out: {summary['skipped']['Bad']}" in capsys.readouterr().err
    page = (tmp_path / "out" / "index.html").read_text()
    assert "Sets left out" in page and "Bad" in page


@pytest.mark.parametrize(
    ("arrays", "message"),
    [
        ({"X_train": np.ones((3, 4))}, "no array 'y_train'"),
        (
            {
                "X_train": np.array([["a"] * 4] * 3),
                "y_train": np.arange(3),
                "X_test": np.ones((3, 4)),
                "y_test": np.arange(3),
            },
            "X_train must be numbers",
        ),
        (
            {
                "X_train": np.ones((3, 4)),
                "y_train": np.arange(2),
                "X_test": np.ones((3, 4)),
                "y_test": np.arange(3),
            },
            "X_train holds 3 series but y_train 2 labels",
        ),
        (
            {
                "X_train": np.array([[1.0, np.nan, 2.0]] * 3),
                "y_train": np.arange(3),
                "X_test": np.ones((3, 3)),
                "y_test": np.arange(3),
            },
            "Bad.npz",
        ),
        (
            {
                "X_train": np.ones((3, 4)),
                "y_train": np.array([{}, {}, {}], dtype=object),
                "X_test": np.ones((3, 4)),
                "y_test": np.arange(3),
            },
            "Bad.npz",
        ),
    ],
)
def test_an_npz_file_must_hold_the_four_arrays(tmp_path, arrays, message):
    path = tmp_path / "Bad.npz"
    _npz(path, **arrays)
    with pytest.raises(ValueError, match=re.escape(message)):
        _sets.load_set(_sets.Source("Bad", path, None), None)


# ---------------------------------------------------------------- bad inputs


@pytest.fixture
def no_compute(monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("computed before rejecting its arguments")

    monkeypatch.setattr(rp, "_compute_unit", fail)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_series": 1}, "max_series must be an int >= 2, got 1"),
        ({"max_series": 2.5}, "max_series must be an int >= 2"),
        ({"max_series": True}, "max_series must be an int >= 2"),
        ({"n_jobs": 0}, "n_jobs must be None, a positive int"),
        ({"experiments": ["table9"]}, "experiments must be a non-empty sequence"),
        ({"experiments": []}, "experiments must be a non-empty sequence"),
        ({"experiments": 7}, "experiments must be a non-empty sequence"),
        ({"resume": "yes"}, "resume must be True or False"),
        ({"progress": None}, "progress must be True or False"),
    ],
)
def test_bad_arguments_are_rejected_before_anything_is_written(
    data_dir, tmp_path, no_compute, kwargs, message
):
    with pytest.raises(ValueError, match=re.escape(message)):
        reproduce(data_dir, tmp_path / "out", **kwargs)
    assert not (tmp_path / "out").exists()


def test_bad_folders_are_rejected_before_anything_is_written(
    data_dir, tmp_path, no_compute
):
    with pytest.raises(ValueError, match="nowhere: no such folder"):
        reproduce(tmp_path / "nowhere", tmp_path / "out")
    afile = tmp_path / "afile"
    afile.write_text("x")
    with pytest.raises(ValueError, match="afile is not a folder"):
        reproduce(afile, tmp_path / "out")
    with pytest.raises(ValueError, match="afile exists and is not a folder"):
        reproduce(data_dir, afile)
    with pytest.raises(ValueError, match="is not a folder; cannot create"):
        reproduce(data_dir, afile / "out")
    with pytest.raises(ValueError, match="is inside the data folder"):
        reproduce(data_dir, data_dir / "CBFa" / "out")
    with pytest.raises(ValueError, match="is inside the data folder"):
        reproduce(data_dir, data_dir)
    empty = tmp_path / "empty"
    (empty / "sub").mkdir(parents=True)
    (empty / "sub" / "notes.txt").write_text("no set here")
    with pytest.raises(ValueError, match="empty: no UCR/UEA set found"):
        reproduce(empty, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_folder_of_unreadable_sets_and_two_sets_of_one_name_are_errors(
    tmp_path, no_compute
):
    X, y = make_cylinder_bell_funnel(6, length=8, random_state=0)
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "A_TRAIN.tsv").write_text("x\n")
    _tsv(tmp_path / "bad" / "A_TEST.tsv", X, y)
    with pytest.raises(ValueError, match="no set could be read; A: .*A_TRAIN.tsv"):
        reproduce(tmp_path / "bad", tmp_path / "out")
    _tsv(tmp_path / "two" / "one" / "S_TRAIN.tsv", X, y)
    _tsv(tmp_path / "two" / "one" / "S_TEST.tsv", X, y)
    _tsv(tmp_path / "two" / "other" / "S_TRAIN.tsv", X, y)
    _tsv(tmp_path / "two" / "other" / "S_TEST.tsv", X, y)
    with pytest.raises(ValueError, match="two sets named 'S'"):
        reproduce(tmp_path / "two", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_set_and_a_note_or_an_npz_of_one_name_are_two_sets(tmp_path, no_compute):
    X, y = make_cylinder_bell_funnel(6, length=8, random_state=0)
    _tsv(tmp_path / "a" / "A_TRAIN.tsv", X, y)
    _tsv(tmp_path / "a" / "A_TEST.tsv", X, y)
    _npz(tmp_path / "a" / "A.npz", X_train=X, y_train=y, X_test=X, y_test=y)
    with pytest.raises(ValueError, match="two sets named 'A' in .*: A.npz and its"):
        _sets.find_sets(tmp_path / "a")
    _tsv(tmp_path / "b" / "B_TRAIN.tsv", X, y)
    _tsv(tmp_path / "b" / "B_TEST.tsv", X, y)
    _tsv(tmp_path / "b" / "B" / "B_TRAIN.tsv", X, y)  # no TEST: a note
    with pytest.raises(ValueError, match="two sets named 'B'"):
        _sets.find_sets(tmp_path / "b")


def test_uea_per_channel_files_belong_to_their_set(tmp_path):
    X, y = make_cylinder_bell_funnel(6, length=8, random_state=0)
    folder = tmp_path / "Motion"
    for split in ("TRAIN", "TEST"):
        _tsv(folder / f"Motion_{split}.tsv", X, y)
        for k in (1, 2):
            _tsv(folder / f"MotionDimension{k}_{split}.tsv", X, y)
        _tsv(folder / f"OnlyDimension1_{split}.tsv", X, y)  # no set Only
    sources, notes = _sets.find_sets(tmp_path)
    assert [s.name for s in sources] == ["Motion", "OnlyDimension1"]
    assert notes == {}


def test_outputs_that_cannot_be_written_are_found_before_any_work(
    data_dir, tmp_path, no_compute
):
    out = tmp_path / "out"
    (out / "index.html").mkdir(parents=True)
    with pytest.raises(ValueError, match=r"index.html is a folder"):
        reproduce(data_dir, out, experiments=["figure7"], progress=False)
    (out / "index.html").rmdir()
    (out / "units").write_text("not a folder")
    with pytest.raises(ValueError, match=r"units is not a folder, so .*CBFa.json"):
        reproduce(data_dir, out, experiments=["figure7"], progress=False)
    assert sorted(p.name for p in out.iterdir()) == ["units"]


def test_a_long_set_name_gets_a_short_unit_file(tmp_path):
    long = "N" * 240
    path = _units.unit_path(tmp_path, "table1", long)
    other = _units.unit_path(tmp_path, "table1", long[:-1] + "M")
    assert len(path.name.encode()) + len(".x.12345678.part") <= 255
    assert path != other
    _units.write_atomic(path, "{}")
    assert path.read_text() == "{}"
    assert _units.unit_path(tmp_path, "table1", "Short") == (
        tmp_path / "units" / "table1" / "Short.json"
    )


def test_the_euclidean_baseline_is_nearest_centroid_and_quiet_on_constant_series():
    import warnings

    from sklearn.neighbors import NearestCentroid

    from softdtw_learn.reproduce import _experiments

    X, y = make_cylinder_bell_funnel(30, length=12, random_state=1)
    Xt, yt = make_cylinder_bell_funnel(20, length=12, random_state=2)
    expected = NearestCentroid().fit(X, y).score(Xt, yt)
    assert _experiments._euclidean_accuracy(X[:, :, None], y, Xt[:, :, None], yt) == (
        expected
    )
    constant = np.repeat([[0.0], [1.0]], 3, axis=0) * np.ones((6, 5))
    labels = np.repeat([0, 1], 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        accuracy = _experiments._euclidean_accuracy(
            constant, labels, constant + 0.1, labels
        )
    assert accuracy == 1.0


def test_the_data_are_left_as_they_were(data_dir, tmp_path):
    before = {p: p.read_bytes() for p in data_dir.rglob("*") if p.is_file()}
    reproduce(data_dir, tmp_path / "out", progress=False, max_series=6)
    assert {p: p.read_bytes() for p in data_dir.rglob("*") if p.is_file()} == before


# ---------------------------------------------------------------- packaging


def test_the_module_needs_no_shared_data_and_is_in_the_api_reference():
    assert "shared" not in Path(rp.__file__).read_text()
    api = (ROOT / "docs" / "api.rst").read_text()
    assert re.search(r"^   reproduce\.reproduce$", api, re.MULTILINE)
    assert rp.__all__ == ["reproduce"]


# ------------------------------------------------------------ command line


def test_the_command_runs_resumes_and_recomputes_on_request(
    data_dir, tmp_path, capsys, monkeypatch
):
    from softdtw_learn import cli

    out = tmp_path / "out"
    argv = ["reproduce", str(data_dir), "-o", str(out), "--only", "table1,figure7"]
    assert cli.main([*argv, "--max-series", "8", "--n-jobs", "1"]) == 0
    printed = capsys.readouterr().out
    assert "3 sets: 6 units computed, 0 from earlier runs, 0 failed" in printed
    assert f"open {(out / 'index.html').resolve()}" in printed
    assert _units_on_disk(out) == sorted(
        (e, s) for e in ("figure7", "table1") for s in SETS
    )
    assert _unit(out, "table1", "CBFa")["key"]["max_series"] == 8
    calls = _counting(monkeypatch)
    assert cli.main([*argv, "--max-series", "8"]) == 0
    assert calls == [] and "0 units computed, 6 from earlier runs" in (
        capsys.readouterr().out
    )
    assert cli.main([*argv, "--max-series", "8", "--no-resume"]) == 0
    assert len(calls) == 6
    assert cli.main([*argv, "--max-series", "all", "--only", "table1"]) == 0
    assert _unit(out, "table1", "CBFa")["key"]["max_series"] is None


def test_the_command_keeps_the_finished_units_when_interrupted(
    data_dir, tmp_path, capsys, monkeypatch
):
    from softdtw_learn import cli

    out = tmp_path / "out"
    _counting(monkeypatch, fail=(("table1", "Ragged"), KeyboardInterrupt()))
    argv = ["reproduce", str(data_dir), "-o", str(out), "--only", "table1"]
    assert cli.main(argv) == 130
    assert _units_on_disk(out) == [("table1", "CBFa")]
    assert _part_files(out) == []
    calls = _counting(monkeypatch)
    assert cli.main(argv) == 0
    assert calls == [("table1", "Ragged"), ("table1", "Wave")]


def test_the_command_reports_an_unreadable_set_and_runs_the_others(
    data_dir, tmp_path, capsys
):
    from softdtw_learn import cli

    (data_dir / "Bad").mkdir()
    (data_dir / "Bad" / "Bad_TRAIN.tsv").write_text("1\t2\tx\n")
    (data_dir / "Bad" / "Bad_TEST.tsv").write_text("1\t2\t3\n")
    out = tmp_path / "out"
    argv = ["reproduce", str(data_dir), "-o", str(out), "--only", "table1"]
    assert cli.main(argv) == 0
    captured = capsys.readouterr()
    assert re.search(r"Bad left out: \S*Bad_TRAIN\.tsv: line 1", captured.err)
    assert "3 sets: 3 units computed" in captured.out
    assert "sets left out: 1" in captured.out


def test_the_docstring_documents_every_parameter_and_the_return():
    validate = pytest.importorskip("numpydoc.validate")
    errors = validate.validate("softdtw_learn.reproduce.reproduce")["errors"]
    codes = {"GL08", "SS01", "PR01", "PR02", "RT01", "EX01"}
    assert [e for e in errors if e[0] in codes] == []


def test_a_terminal_shows_a_progress_bar_over_the_units(
    data_dir, tmp_path, capsys, monkeypatch
):
    import sys

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    reproduce(data_dir, tmp_path / "out", experiments=["table1"])
    err = capsys.readouterr().err
    assert re.search(r"table1 \w+: +\d+%\|[^|]*\| *\d/3 \[", err), err


def test_a_loss_within_rounding_of_another_is_no_win():
    from softdtw_learn.reproduce._summaries import _below

    assert not _below(0.0025915895094925975, 0.002591589509492598)  # 1 ulp
    assert not _below(1.0, 1.0) and not _below(None, 1.0)
    assert _below(0.018069, 0.018093) and _below(-2.0, -1.0)


def test_a_malformed_unit_file_is_computed_again(
    data_dir, tmp_path, monkeypatch, capsys
):
    out = tmp_path / "out"
    reproduce(data_dir, out, progress=False, experiments=["figure7"])
    path = out / "units" / "figure7" / "Wave.json"
    record = json.loads(path.read_text())
    del record["result"]["accuracy"]["dba"]  # the key still matches
    path.write_text(json.dumps(record))
    calls = _counting(monkeypatch)
    reproduce(data_dir, out, progress=True, experiments=["figure7"])
    assert calls == [("figure7", "Wave")]
    assert "does not hold this experiment's results" in capsys.readouterr().err
    assert "dba" in json.loads(path.read_text())["result"]["accuracy"]


def test_a_unit_s_warnings_are_one_line_each(data_dir, tmp_path, monkeypatch, capsys):
    real = _COMPUTE_UNIT

    def noisy(experiment, data, n_jobs):
        warnings.warn("overflow encountered\n    in multiply", RuntimeWarning, 2)
        warnings.warn("overflow encountered\n    in multiply", RuntimeWarning, 2)
        return real(experiment, data, n_jobs)

    monkeypatch.setattr(rp, "_compute_unit", noisy)
    reproduce(data_dir, tmp_path / "out", experiments=["table1"], max_series=8)
    err = capsys.readouterr().err
    line = "table1 CBFa: RuntimeWarning: overflow encountered"
    assert err.count(line) == 1 and "in multiply" not in err


def test_models_that_fail_in_table3_are_said_and_listed(
    data_dir, tmp_path, monkeypatch, capsys
):
    real = _COMPUTE_UNIT

    def with_a_failed_model(experiment, data, n_jobs):
        record = real(experiment, data, n_jobs)
        if record["status"] == "done":
            record["result"]["failed"] = {"random_0.1": "Training diverged"}
            record["result"]["losses"]["dtw"]["random_0.1"] = None
        return record

    monkeypatch.setattr(rp, "_compute_unit", with_a_failed_model)
    out = tmp_path / "out"
    reproduce(data_dir, out, experiments=["table3"], max_series=8)
    printed = capsys.readouterr().out
    assert "1 model(s) failed (random_0.1: Training diverged)" in printed
    listed = (out / "table3_sets.md").read_text()
    assert "Models that failed" in listed and "| Training diverged |" in listed


def test_the_command_fails_when_a_unit_failed(data_dir, tmp_path, monkeypatch, capsys):
    from softdtw_learn import cli

    _counting(monkeypatch, fail=(("table1", "Wave"), ValueError("bad labels")))
    argv = ["reproduce", str(data_dir), "-o", str(tmp_path / "o"), "--only", "table1"]
    assert cli.main([*argv, "--max-series", "8"]) == 1
    err = capsys.readouterr().err
    assert "softdtw-learn reproduce: error: 1 unit(s) failed" in err
    assert (tmp_path / "o" / "index.html").is_file()  # the report is written


def test_empty_and_dangling_folders_are_refused(data_dir, tmp_path, no_compute):
    with pytest.raises(ValueError, match="the output folder is empty text"):
        reproduce(data_dir, "")
    with pytest.raises(ValueError, match="the data folder is empty text"):
        reproduce("", tmp_path / "out")
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "nowhere" / "x")
    with pytest.raises(ValueError, match="is a symbolic link to .*does not exist"):
        reproduce(data_dir, link)


def test_experiments_may_be_one_comma_separated_string(data_dir, tmp_path, no_compute):
    from softdtw_learn.reproduce import _checked_experiments

    assert _checked_experiments("figure7, table1") == ["table1", "figure7"]
    assert _checked_experiments("table3") == ["table3"]
    with pytest.raises(ValueError, match=r"got 'table1;table2'"):
        _checked_experiments("table1;table2")
