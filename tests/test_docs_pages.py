"""The docs build from a clean clone and leave the sources as they were."""

import ast
import re
from fnmatch import fnmatch
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
EXAMPLES = ROOT / "examples"


def _conf(name):
    """The literal value assigned to ``name`` in docs/conf.py."""
    for node in ast.parse((DOCS / "conf.py").read_text()).body:
        if isinstance(node, ast.Assign) and any(
            getattr(t, "id", None) == name for t in node.targets
        ):
            return ast.literal_eval(node.value)
    raise AssertionError(f"docs/conf.py assigns no {name}")


def _has_title(text):
    """Whether reStructuredText ``text`` has a section title (text, then ===)."""
    lines = text.splitlines()
    return any(
        line.strip()
        and not line.startswith((" ", ".."))
        and re.fullmatch(r"([=\-~^\"'`#*+])\1{2,}", under.strip() or "x")
        and len(under.strip()) >= len(line.strip())
        for line, under in zip(lines, lines[1:], strict=False)
    )


def test_has_title_tells_titled_from_untitled_text():
    assert _has_title("Page\n====\n\ntext\n")
    assert not _has_title("..\n   a comment\n\nMachine: x\n\n.. list-table::\n")


@pytest.mark.parametrize("page", sorted(p.name for p in DOCS.glob("*.rst")))
def test_every_page_has_a_title_or_is_excluded(page):
    # A page without a title reads "<no title>" in the breadcrumbs.
    excluded = any(fnmatch(page, pattern) for pattern in _conf("exclude_patterns"))
    assert excluded or _has_title((DOCS / page).read_text()), page


def test_included_fragment_is_not_built_as_a_page():
    assert "benchmark_results.rst" in _conf("exclude_patterns")
    assert ".. include:: benchmark_results.rst" in (DOCS / "benchmarks.rst").read_text()


def test_build_writes_no_computation_times_into_the_sources():
    assert _conf("sphinx_gallery_conf")["write_computation_times"] is False
    assert not (DOCS / "sg_execution_times.rst").exists()


def test_gallery_runs_the_plot_scripts_and_not_the_studies():
    pattern = _conf("sphinx_gallery_conf")["filename_pattern"]
    runs = {p.name for p in EXAMPLES.glob("*.py") if re.search(pattern, f"/{p.name}")}
    assert {"accuracy_study.py", "forecasting_study.py"}.isdisjoint(runs)
    assert runs == {p.name for p in EXAMPLES.glob("plot_*.py")}
    assert runs


@pytest.mark.parametrize("script", sorted(p.name for p in EXAMPLES.glob("plot_*.py")))
def test_gallery_scripts_need_no_shared_data(script):
    # CI builds the gallery on a clean clone: no ../shared beside it.
    tree = ast.parse((EXAMPLES / script).read_text())
    docstring = ast.get_docstring(tree, clean=False)
    strings = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value != docstring
    ]
    assert not [s for s in strings if "shared" in s]


@pytest.mark.parametrize("study", ["accuracy_study.py", "forecasting_study.py"])
def test_studies_read_through_the_loaders_and_say_what_they_need(study):
    text = (EXAMPLES / study).read_text()
    assert "load_ucr(name, data_home=root, download=False" in text
    assert "read_csv" not in text and "np.loadtxt" not in text
    assert "../shared/data/ucr" in ast.get_docstring(ast.parse(text))
