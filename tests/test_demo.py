"""``softdtw-learn demo``: the report's content, clean output, atomic writing."""

import contextlib
import importlib.metadata
import importlib.util
import io
import re
import warnings

import numba
import numpy as np
import pytest
import scipy
import sklearn

import softdtw_learn
from softdtw_learn import _demo, cli
from softdtw_learn.datasets import load_ecg200

try:
    import matplotlib  # noqa: F401

    HAS_MATPLOTLIB = True
except ImportError:
    HAS_MATPLOTLIB = False

needs_matplotlib = pytest.mark.skipif(
    not HAS_MATPLOTLIB, reason="the plot extra is not installed"
)


def _files(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))


@pytest.fixture(scope="module")
def quick_demo(tmp_path_factory):
    """Run ``demo --quick`` once: its folder, stdout and the calls it made.

    ``print`` is banned in the demo module (its lines must go through
    tqdm.write), and the order of warm-up and first section is recorded.
    """
    if not HAS_MATPLOTLIB:
        pytest.skip("the plot extra is not installed")
    out = tmp_path_factory.mktemp("quick") / "demo"
    prints, calls = [], []
    real_warm_up, real_pair = _demo.warm_up, _demo._pair_section

    def warm_up(*args, **kwargs):
        calls.append("warm_up")
        return real_warm_up(*args, **kwargs)

    def pair_section(*args, **kwargs):
        calls.append("pair")
        return real_pair(*args, **kwargs)

    stdout = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(stdout):
        patch.setattr(_demo, "print", lambda *a, **k: prints.append(a), raising=False)
        patch.setattr(_demo, "warm_up", warm_up)
        patch.setattr(_demo, "_pair_section", pair_section)
        status = cli.main(["demo", "--quick", "--out", str(out)])
    return {
        "status": status,
        "out": out,
        "printed": stdout.getvalue(),
        "page": (out / "index.html").read_text(encoding="utf-8"),
        "prints": prints,
        "calls": calls,
    }


def test_demo_writes_report_and_figures(quick_demo):
    out, printed, page = quick_demo["out"], quick_demo["printed"], quick_demo["page"]
    assert quick_demo["status"] == 0
    assert str((out / "index.html").resolve()) in printed
    names = ("alignment", "ecg200_barycenters", "cbf_kmeans", "gunpoint_grid")
    for name in (*names, "ecg200_forecasts"):
        assert (out / f"{name}.png").stat().st_size > 10_000
        assert f'src="{name}.png"' in page
    assert _files(out) == sorted(_demo.FILES)  # no temporary file left
    assert _files(out.parent) == ["demo", *(f"demo/{n}" for n in sorted(_demo.FILES))]
    # The report carries the numbers that were printed.
    ari = re.search(r"ARI (\d\.\d{3})", printed).group(1)
    assert f"adjusted Rand index {ari}" in page
    accuracy = re.search(r"test accuracy (\d\.\d{3})", printed).group(1)
    assert f"test accuracy {accuracy}" in page
    from softdtw_learn.metrics import dtw

    ecg = load_ecg200()
    assert f"{dtw(ecg.X_train[1], ecg.X_train[0]):.4f}" in page


def test_lines_go_through_tqdm_write_never_print(quick_demo):
    assert quick_demo["prints"] == []
    assert quick_demo["printed"].startswith("versions: softdtw_learn ")


def _expected_versions():
    versions = {
        "softdtw_learn": softdtw_learn.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "scikit-learn": sklearn.__version__,
        "numba": numba.__version__,
    }
    if importlib.util.find_spec("torch") is not None:
        versions["torch"] = importlib.metadata.version("torch")
    return versions


def test_the_report_names_the_versions(quick_demo):
    page, printed = quick_demo["page"], quick_demo["printed"]
    assert "<h2>Versions</h2>" in page
    first_line = printed.splitlines()[0]
    for name, version in _expected_versions().items():
        assert f"<tr><td>{name}</td><td>{version}</td></tr>" in page
        assert f"{name} {version}" in first_line


def test_compilation_is_reported_apart_from_the_timings(quick_demo):
    printed, page = quick_demo["printed"], quick_demo["page"]
    # Every kernel is compiled (or loaded) before the first section runs.
    assert quick_demo["calls"] == ["warm_up", "pair"]
    lines = printed.splitlines()
    match = re.fullmatch(
        r"kernels ready in (\d+\.\d) s \(compiled on first use only, then loaded "
        r"from Numba's disk cache\); the timings below exclude it",
        lines[1],
    )
    assert match, lines[1]
    assert lines[2].startswith("ECG200 train series")  # the first section
    assert f"Kernels ready in {match[1]} s (compiled on first use only" in page
    sections = re.search(r"sections ran in (\d+\.\d) s after compilation", printed)
    assert f"The sections then ran in {sections[1]} s" in page


def test_the_forecasting_section_reports_both_losses_of_both_models(quick_demo):
    printed, page = quick_demo["printed"], quick_demo["page"]
    found = dict(
        (loss, (float(dtw), float(sq)))
        for loss, dtw, sq in re.findall(
            r"ECG200 forecasting, MLP trained with (.+?): DTW test loss "
            r"(\d+\.\d{3}), squared test loss (\d+\.\d{3})",
            printed,
        )
    )
    assert set(found) == set(_demo.FORECAST_LOSSES.values())
    assert "<h2>5. Forecasting ECG200" in page
    for name, (dtw, squared) in found.items():
        assert f"<td>{name}</td><td>{dtw:.3f}</td><td>{squared:.3f}</td>" in page
    # The numbers are those of the models the constants describe.
    from softdtw_learn.forecasting import SoftDTWMLPRegressor, split_series
    from softdtw_learn.metrics import paired_soft_dtw

    data = load_ecg200()
    X, y = split_series(data.X_train, ratio=_demo.FORECAST_RATIO)
    X_test, y_test = split_series(data.X_test, ratio=_demo.FORECAST_RATIO)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = SoftDTWMLPRegressor(
            loss="softdtw",
            max_iter=_demo._forecast_iterations(quick=True),
            n_jobs=-1,
            **_demo.FORECAST_MODEL,
        ).fit(X, y)
    prediction = model.predict(X_test)
    dtw_loss = paired_soft_dtw(prediction, y_test, gamma=0.0).mean()
    squared = np.mean(np.sum((prediction - y_test) ** 2, axis=1))
    assert found[_demo.FORECAST_LOSSES["softdtw"]] == pytest.approx(
        (round(dtw_loss, 3), round(squared, 3)), abs=1.5e-3
    )


# ------------------------------------------------------- atomic writing


def test_a_new_folder_appears_whole_with_its_parents(tmp_path):
    out = tmp_path / "a" / "b" / "demo"
    with _demo._staged(out) as stage:
        assert stage.parent == out.parent and not out.exists()
        (stage / "index.html").write_text("page")
    assert _files(tmp_path) == ["a", "a/b", "a/b/demo", "a/b/demo/index.html"]


@pytest.mark.parametrize("error", [OSError("disk full"), KeyboardInterrupt()])
def test_a_failure_leaves_no_folder_and_removes_the_parents_it_made(tmp_path, error):
    (tmp_path / "kept").mkdir()
    out = tmp_path / "kept" / "new" / "demo"
    with pytest.raises(type(error)):
        with _demo._staged(out) as stage:
            (stage / "alignment.png").write_bytes(b"half")
            raise error
    assert _files(tmp_path) == ["kept"]


def test_an_existing_folder_keeps_other_files_and_gets_the_report_last(
    tmp_path, monkeypatch
):
    out = tmp_path / "demo"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    (out / "index.html").write_text("old page")
    moved = []
    real_replace = _demo.os.replace

    def replace(source, target):
        moved.append(target.name)
        real_replace(source, target)

    monkeypatch.setattr(_demo.os, "replace", replace)
    with _demo._staged(out) as stage:
        assert stage.parent == out  # only --out itself need be writable
        for name in ("index.html", "alignment.png", "cbf_kmeans.png"):
            (stage / name).write_text(f"new {name}")
    assert moved[-1] == "index.html" and sorted(moved) == sorted(
        ["index.html", "alignment.png", "cbf_kmeans.png"]
    )
    assert (out / "notes.txt").read_text() == "mine"
    assert (out / "index.html").read_text() == "new index.html"
    assert _files(out) == ["alignment.png", "cbf_kmeans.png", "index.html", "notes.txt"]


def test_a_failure_while_moving_never_leaves_a_half_written_report(
    tmp_path, monkeypatch
):
    out = tmp_path / "demo"
    out.mkdir()
    (out / "index.html").write_text("old page")
    real_replace = _demo.os.replace

    def failing(source, target):
        if target.name == "cbf_kmeans.png":
            raise OSError("disk full")
        real_replace(source, target)

    monkeypatch.setattr(_demo.os, "replace", failing)
    with pytest.raises(OSError, match="disk full"):
        with _demo._staged(out) as stage:
            for name in ("index.html", "alignment.png", "cbf_kmeans.png"):
                (stage / name).write_text(f"new {name}")
    assert (out / "index.html").read_text() == "old page"
    assert _files(out) == ["alignment.png", "index.html"]  # complete files only


@needs_matplotlib
@pytest.mark.parametrize(
    ("error", "status"), [(OSError("disk full"), 1), (KeyboardInterrupt(), 130)]
)
def test_a_failed_demo_leaves_the_folder_as_it_was(
    tmp_path, capsys, monkeypatch, error, status
):
    def broken(*args, **kwargs):
        raise error

    monkeypatch.setattr(_demo, "_barycenter_section", broken)
    fresh = tmp_path / "fresh"
    assert cli.main(["demo", "--quick", "--out", str(fresh)]) == status
    existing = tmp_path / "existing"
    existing.mkdir()
    (existing / "index.html").write_text("old page")
    assert cli.main(["demo", "--quick", "--out", str(existing)]) == status
    err = capsys.readouterr().err
    if status == 1:
        assert err.splitlines() == ["softdtw-learn demo: error: disk full"] * 2
    assert _files(tmp_path) == ["existing", "existing/index.html"]
    assert (existing / "index.html").read_text() == "old page"
