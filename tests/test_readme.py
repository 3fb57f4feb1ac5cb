"""The README's code examples and every documented command line run."""

import re
import shlex
import warnings
from pathlib import Path

import pytest

from softdtw_learn import cli

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
COMMAND_LINE_PAGE = ROOT / "docs" / "command_line.rst"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
try:
    import matplotlib  # noqa: F401

    HAS_MATPLOTLIB = True
except ImportError:
    HAS_MATPLOTLIB = False
# Options whose value is a file or folder the line writes.
OUTPUT_OPTIONS = ("-o", "--output", "--centers", "--plot", "--out")


@pytest.mark.parametrize(
    "block",
    [b for b in BLOCKS if "load_ucr(" not in b],
    ids=[
        "metrics",
        "estimators",
        "nearest centroid CV",
        "layouts",
        "forecasting",
        "torch loss",
    ],
)
def test_readme_example_runs(block):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning of short runs
        exec(compile(block, str(README), "exec"), {})


def command_lines(path):
    """The ``softdtw-learn ...`` lines of the shell blocks of a README or page."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".md":
        blocks = [
            body
            for language, body in re.findall(r"```(\w*)\n(.*?)```", text, re.S)
            if language in ("", "bash", "sh", "console")
        ]
    else:
        blocks = re.findall(
            r"^\.\. code-block:: (?:bash|sh|console)\n\n((?:[ \t]+\S.*\n|\n)+)",
            text,
            re.M,
        )
    return [
        line.strip()
        for block in blocks
        for line in block.splitlines()
        if line.strip().startswith("softdtw-learn")
    ]


def _status(argv):
    try:
        return cli.main(argv)
    except SystemExit as stop:  # --help, --version
        return stop.code


def _written(argv):
    return [argv[k + 1] for k, part in enumerate(argv[:-1]) if part in OUTPUT_OPTIONS]


@pytest.mark.parametrize("path", [README, COMMAND_LINE_PAGE], ids=lambda p: p.name)
def test_documented_command_lines_run_as_typed(path, tmp_path, monkeypatch, capsys):
    # In order, in an empty folder: every input is a bundled set or a file
    # an earlier line wrote.
    lines = command_lines(path)
    commands = {shlex.split(line, comments=True)[1] for line in lines}
    assert {"distance", "barycenter", "cluster", "classify"} <= commands
    monkeypatch.chdir(tmp_path)
    for line in lines:
        argv = shlex.split(line, comments=True)
        assert argv[0] == "softdtw-learn"
        if not HAS_MATPLOTLIB and ("--plot" in argv or argv[1] == "demo"):
            continue  # figures need the plot extra
        status = _status(argv[1:])
        captured = capsys.readouterr()
        assert status == 0, f"{line}\n{captured.err}"
        for name in _written(argv):
            assert (tmp_path / name).exists(), f"{line} did not write {name}"


def test_the_parser_finds_the_lines_of_both_documents():
    readme, page = command_lines(README), command_lines(COMMAND_LINE_PAGE)
    assert "softdtw-learn --version" in readme and "softdtw-learn --version" in page
    assert any(line.startswith("softdtw-learn warmup") for line in readme)
    assert any(line.startswith("softdtw-learn demo") for line in page)
    # No line names a data file a new user does not have.
    for line in readme + page:
        assert not re.search(r"_(TRAIN|TEST)\.(tsv|txt)", line), line
