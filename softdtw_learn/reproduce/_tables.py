"""A table of the report and its markdown, HTML and reStructuredText forms.

:class:`Table` holds a title, a header, rows and a note; the renderers escape
what each format needs (``|`` in markdown, HTML entities, reST markup), so
that set names and messages show as written.
"""

import html
import re
from dataclasses import dataclass


@dataclass
class Table:
    """A table to render as markdown, HTML and reStructuredText."""

    title: str
    header: list
    rows: list
    note: str = ""


def _markdown_cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def markdown(tables, title):
    """Return a markdown page: ``title``, then each table with its note."""
    lines = [f"# {title}", ""]
    for table in tables:
        lines += [f"## {table.title}", ""]
        lines.append("| " + " | ".join(map(_markdown_cell, table.header)) + " |")
        lines.append("| " + " | ".join("---" for _ in table.header) + " |")
        for row in table.rows:
            lines.append("| " + " | ".join(map(_markdown_cell, row)) + " |")
        lines.append("")
        if table.note:
            lines += [table.note, ""]
    return "\n".join(lines)


def html_table(table):
    """Return a table as HTML: its title, the table, its note."""
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in table.header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>"
        for row in table.rows
    )
    note = f"<p class='note'>{html.escape(table.note)}</p>" if table.note else ""
    return (
        f"<h3>{html.escape(table.title)}</h3><table><tr>{head}</tr>{body}</table>{note}"
    )


_RST_SPECIAL = re.compile(r"([\\*`|_\[\]<>])")


def _rst_text(text):
    return _RST_SPECIAL.sub(r"\\\1", str(text))


def rst_table(table, underline):
    """Return a table as reST lines: a section titled with ``underline``."""
    lines = [table.title, underline * len(table.title), ""]
    lines += [".. list-table::", "   :header-rows: 1", ""]
    for row in [table.header, *table.rows]:
        for k, cell in enumerate(row):
            lines.append(f"   {'* -' if k == 0 else '  -'} {_rst_text(cell)}".rstrip())
    lines.append("")
    if table.note:
        lines += [_rst_text(table.note), ""]
    return lines
