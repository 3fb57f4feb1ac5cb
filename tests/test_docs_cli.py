"""The command-line page's reference is the parser's help, every option in it."""

import argparse
import sys
from pathlib import Path

import pytest

from softdtw_learn.cli import _parser

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "docs" / "_ext"))

from cli_help import HELP_WIDTH, help_texts  # noqa: E402


def _commands(parser):
    """Every parser reachable from ``parser``, by prog, found independently."""
    found = {parser.prog: parser}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found.update(_commands(sub))
    return found


def _options(parser):
    """Every option string and positional name that ``parser`` accepts."""
    names = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            names.extend(action.choices)
        elif action.option_strings:
            names.extend(action.option_strings)
        else:
            names.append(action.metavar or action.dest)
    return names


def test_reference_has_one_text_per_command():
    texts = dict(help_texts(_parser()))
    expected = set(_commands(_parser()))
    assert set(texts) == expected
    # The program and each of its commands, not only some of them.
    assert {"softdtw-learn", "softdtw-learn distance", "softdtw-learn warmup"} <= (
        expected
    )


def test_reference_lists_every_option_of_every_command():
    texts = dict(help_texts(_parser()))
    missing = [
        (prog, name)
        for prog, parser in _commands(_parser()).items()
        for name in _options(parser)
        if name not in texts[prog]
    ]
    assert missing == []


def test_reference_shows_each_option_with_its_help_and_default():
    texts = dict(help_texts(_parser()))
    cluster = texts["softdtw-learn cluster"]
    assert "-k N_CLUSTERS, --n-clusters N_CLUSTERS" in cluster
    assert "(default: 3)" in cluster
    assert "--centers FILE" in cluster


@pytest.mark.parametrize("columns", ["40", "200"])
def test_reference_does_not_depend_on_the_terminal(monkeypatch, columns):
    reference = help_texts(_parser())
    monkeypatch.setenv("COLUMNS", columns)
    assert help_texts(_parser()) == reference
    for _, text in reference:
        assert max(len(line) for line in text.splitlines()) <= HELP_WIDTH


def test_rendering_leaves_the_parser_as_it_was():
    parser = _parser()
    before = {prog: p.formatter_class for prog, p in _commands(parser).items()}
    help_texts(parser)
    help_texts(parser)  # twice: no wrapper stacked on another
    after = {prog: p.formatter_class for prog, p in _commands(parser).items()}
    assert after == before


def test_command_line_page_renders_the_reference():
    page = (ROOT / "docs" / "command_line.rst").read_text()
    conf = (ROOT / "docs" / "conf.py").read_text()
    assert "\n.. command-line-reference::\n" in page
    assert '"cli_reference"' in conf
