"""The ``--help`` text of a program and of each of its subcommands.

Pure argparse, no Sphinx: :mod:`cli_reference` renders these texts into the
command-line page, and the tests check them.
"""

import argparse

# The width of the rendered help, whatever the terminal of the build.
HELP_WIDTH = 79


def _format_help(parser):
    """Return what ``parser`` prints for ``--help``, ``HELP_WIDTH`` columns wide."""
    formatter = parser.formatter_class
    parser.formatter_class = lambda prog: formatter(prog, width=HELP_WIDTH)
    try:
        return parser.format_help()
    finally:
        parser.formatter_class = formatter


def _subcommands(parser):
    """Return the subparsers of ``parser`` in the order added, aliases once."""
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                if all(sub is not seen for seen in found):
                    found.append(sub)
    return found


def help_texts(parser):
    """Return ``[(command, help text)]``: the program, then each subcommand.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The program's parser; its subcommands (and theirs, if any) are found
        in its actions.

    Returns
    -------
    texts : list of (str, str)
        The command as typed (``softdtw-learn distance``) and what its
        ``--help`` prints, ``HELP_WIDTH`` columns wide, depth first.
    """
    texts = [(parser.prog, _format_help(parser))]
    for command in _subcommands(parser):
        texts.extend(help_texts(command))
    return texts
