"""The ``command-line-reference`` directive: the help of every command.

``.. command-line-reference::`` renders the ``--help`` text of
``softdtw-learn`` and of each of its subcommands, as argparse prints it, from
the parser itself (:func:`softdtw_learn.cli._parser`): one section per
command, so the options on the page are always those the program accepts.
"""

from cli_help import help_texts
from docutils import nodes
from sphinx.util.docutils import SphinxDirective


def _section(directive, title, text):
    """Return a section titled ``title`` (as code) holding ``text`` verbatim."""
    section = nodes.section()
    section += nodes.title("", "", nodes.literal(title, title))
    section += nodes.literal_block(text, text, language="text")
    section["names"].append(nodes.fully_normalize_name(title))
    directive.state.document.note_implicit_target(section, section)
    return section


class CommandLineReference(SphinxDirective):
    """Render ``softdtw-learn --help`` and every subcommand's ``--help``."""

    has_content = False

    def run(self):
        """Return one section per command."""
        from softdtw_learn import cli

        # Rebuild the page when the parser changes.
        self.env.note_dependency(cli.__file__)
        return [_section(self, name, text) for name, text in help_texts(cli._parser())]


def setup(app):
    """Register the directive."""
    app.add_directive("command-line-reference", CommandLineReference)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
