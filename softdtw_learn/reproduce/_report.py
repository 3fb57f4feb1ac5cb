"""The report: the tables' files, the Figure 7 scatter and the index page.

:func:`write_reports` writes, for each experiment run, ``EXPERIMENT.md`` and
``EXPERIMENT_sets.md``, the Figure 7 scatter as ``figure7.png`` and
``figure7.svg`` (where matplotlib is installed), then ``results.rst`` (every
table, for Sphinx) and ``index.html``, which links it all with the sets, the
settings, the timings and the versions of the packages.
"""

import html
import io
import os

import numpy as np

from ._sets import trimmed
from ._settings import SETTINGS, gamma_label
from ._summaries import SUMMARIES, done_results
from ._tables import Table, html_table, markdown, rst_table
from ._units import write_atomic

_TITLES = {
    "table1": "Table 1: barycenters, soft-DTW against DBA",
    "table2": "Table 2: k-means, soft-DTW against DBA k-means",
    "figure7": "Figure 7: nearest-centroid accuracy",
    "table3": "Table 3: forecasting, average ranks by training loss",
}


# Figure 7 scatter --------------------------------------------------------------------


def _accuracy_floor(done):
    """Return the lower limit of both axes, a little below the lowest accuracy."""
    values = [v for r in done.values() for v in r["accuracy"].values() if v is not None]
    return max(0.0, np.floor((min(values, default=0.0) - 0.05) * 20) / 20)


def _scatter_panel(ax, points, what, low):
    """One panel of Figure 7: soft-DTW's accuracy against ``what``'s, by set."""
    ax.plot([low, 1], [low, 1], color="0.6", lw=1, zorder=0)
    title = "no set to compare"
    if points:
        xs, ys = np.array([p[1] for p in points]), np.array([p[2] for p in points])
        colors = np.where(ys > xs, "C3", np.where(ys < xs, "C0", "0.4"))
        ax.scatter(xs, ys, s=30, c=colors, zorder=2)
        for k, (name, x, y) in enumerate(points):
            # Alternate the label sides: neighbours overlap less.
            dx, align = (4, "left") if k % 2 == 0 else (-4, "right")
            ax.annotate(
                name,
                (x, y),
                fontsize=6,
                xytext=(dx, 2),
                ha=align,
                textcoords="offset points",
            )
        title = (
            f"soft-DTW at least as accurate on {100 * np.mean(ys >= xs):.0f}% "
            f"of {len(points)} sets"
        )
    ax.set_title(title, fontsize=9)
    ax.set_xlim(low, 1.01)
    ax.set_ylim(low, 1.01)
    ax.set_aspect("equal")
    ax.set_xlabel(f"{what} nearest centroid, test accuracy")
    ax.set_ylabel("soft-DTW nearest centroid (CV gamma), test accuracy")


def _figure7_plot(results):
    """Draw the Figure 7 scatter; return ``{"png": bytes, "svg": bytes}`` or None."""
    try:
        import matplotlib
        from matplotlib.figure import Figure
    except ImportError:
        return None
    # Set names are text: a "$" pair must not start mathtext.
    with matplotlib.rc_context({"text.parse_math": False}):
        return _figure7_images(results, Figure)


def _figure7_images(results, Figure):
    done = done_results(results)
    low = _accuracy_floor(done)
    fig = Figure(figsize=(10, 5))
    for ax, (other, what) in zip(
        fig.subplots(1, 2), (("dba", "DBA"), ("euclidean", "Euclidean")), strict=True
    ):
        points = [
            (name, r["accuracy"][other], r["accuracy"]["softdtw"])
            for name, r in done.items()
            if r["accuracy"][other] is not None
        ]
        _scatter_panel(ax, points, what, low)
    fig.suptitle(
        "Figure 7: nearest-centroid test accuracy per set; above the diagonal "
        "(red) soft-DTW is more accurate, below (blue) less",
        fontsize=10,
    )
    fig.tight_layout()
    images = {}
    for fmt in ("png", "svg"):
        buffer = io.BytesIO()
        fig.savefig(buffer, format=fmt, dpi=110)
        images[fmt] = buffer.getvalue()
    return images


# The report ------------------------------------------------------------------------


def _setting_text(key, value):
    """Return a setting as the report shows it: the gammas as ``1, 0.1``."""
    if isinstance(value, tuple) and key == "gammas":
        return ", ".join(map(gamma_label, value))
    return value


def _settings_text(experiment):
    return ", ".join(
        f"{k} {_setting_text(k, v)}" for k, v in SETTINGS[experiment].items()
    )


def report_names(experiments):
    """Return the names of the files :func:`write_reports` writes in ``out``."""
    names = []
    for experiment in experiments:
        names += [f"{experiment}.md", f"{experiment}_sets.md"]
        if experiment == "figure7":
            names += ["figure7.png", "figure7.svg"]
    return names + ["results.rst", "index.html"]


def write_reports(out, run):
    """Write the markdown, the figure, ``results.rst`` and ``index.html``."""
    files = []
    sections, rst = [], []
    for experiment in run["experiments"]:
        results = run["results"][experiment]
        summary, detail = (f(results) for f in SUMMARIES[experiment])
        title = _TITLES[experiment]
        write_atomic(out / f"{experiment}.md", markdown(summary, title))
        write_atomic(
            out / f"{experiment}_sets.md", markdown(detail, f"{title}: per set")
        )
        files += [f"{experiment}.md", f"{experiment}_sets.md"]
        figure = ""
        if experiment == "figure7":
            images = _figure7_plot(results)
            if images is None:
                figure = (
                    "<p><em>Figure not drawn: matplotlib is not installed.</em></p>"
                )
            else:
                for fmt, data in images.items():
                    write_atomic(out / f"figure7.{fmt}", data)
                    files.append(f"figure7.{fmt}")
                figure = '<p><img src="figure7.png" alt="Figure 7 scatter"></p>'
        seconds = run["seconds"][experiment]
        sections.append(
            f"<h2>{html.escape(title)}</h2>"
            f"<p>Settings: {html.escape(_settings_text(experiment))}. Files: "
            f"<a href='{experiment}.md'>{experiment}.md</a>, "
            f"<a href='{experiment}_sets.md'>{experiment}_sets.md</a>. Compute "
            f"time: {seconds['computed']:.1f} s in this run "
            f"({seconds['n_computed']} sets), {seconds['resumed']:.1f} s in earlier "
            f"runs ({seconds['n_resumed']} sets, resumed).</p>"
            + "".join(html_table(t) for t in summary)
            + figure
            + "<details><summary>Per set</summary>"
            + "".join(html_table(t) for t in detail)
            + "</details>"
        )
        rst += [title, "-" * len(title), ""]
        for table in summary + detail:
            rst += rst_table(table, "~")
    write_atomic(out / "results.rst", "\n".join(rst))
    files.append("results.rst")
    write_atomic(out / "index.html", _index_page(run, sections))
    files.append("index.html")
    return files


def _index_page(run, sections):
    skipped = "".join(
        f"<li>{html.escape(name)}: {html.escape(reason)}</li>"
        for name, reason in run["skipped"].items()
    )
    failed = "".join(
        f"<li>{html.escape(e)} on {html.escape(name)}: {html.escape(reason)}</li>"
        for (e, name), reason in run["failed"].items()
    )
    versions = html_table(Table("Versions", ["package", "version"], run["versions"]))
    set_table = html_table(
        Table(
            "Sets",
            ["set", "files", "train series", "test series", "length", "channels"]
            + ["classes"],
            run["set_rows"],
        )
    )
    sets = ", ".join(html.escape(name) for name in run["sets"])
    cap = "no cap" if run["max_series"] is None else f"at most {run['max_series']}"
    style = (
        "body{font-family:sans-serif;max-width:1200px;margin:2em auto;color:#222}"
        "table{border-collapse:collapse;margin:.5em 0}"
        "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}"
        "td:first-child,th:first-child{text-align:left}"
        ".note{color:#555;font-size:90%;max-width:70em}img{max-width:100%}"
    )
    body = [
        "<h1>Soft-DTW (Cuturi &amp; Blondel, ICML 2017): the experiments of "
        "section 4</h1>",
        f"<p>Data: {html.escape(str(run['data_dir']))}, {len(run['sets'])} sets "
        f"({sets}); {cap} series per split (drawn with a fixed seed).</p>",
        f"<p>Wall time of this run: {run['wall']:.1f} s (kernels ready in "
        f"{run['compile']:.1f} s, included); {run['n_computed']} units computed, "
        f"{run['n_resumed']} taken from earlier runs; threads: n_jobs = "
        f"{run['n_jobs']} (None is 1, -1 all {os.cpu_count()} cores).</p>",
    ]
    if skipped:
        body.append(f"<h2>Sets left out</h2><ul>{skipped}</ul>")
    if failed:
        body.append(
            "<h2>Units that failed</h2><p>Not written; a rerun tries them again."
            f"</p><ul>{failed}</ul>"
        )
    body.append(set_table)
    body += sections
    body.append(
        "<h2>Files</h2><p><a href='results.rst'>results.rst</a> (every table, "
        "for Sphinx); units/EXPERIMENT/SET.json (each unit's raw result).</p>"
    )
    body.append(versions)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>softdtw_learn: the paper reproduced</title><style>{style}</style>"
        "</head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )


def set_rows(sets):
    """One row per set for the report: files, series used and read, shape."""
    rows = []
    for data in sets.values():
        _, lengths = trimmed(np.concatenate([data.X_train, data.X_test]))
        low, high = int(lengths.min()), int(lengths.max())
        rows.append(
            [
                data.name,
                ", ".join(p.name for p in data.files),
                f"{len(data.X_train)} of {data.n_read[0]}",
                f"{len(data.X_test)} of {data.n_read[1]}",
                str(low) if low == high else f"{low}-{high}",
                str(1 if data.X_train.ndim == 2 else data.X_train.shape[2]),
                str(len(np.unique(data.y_train))) if data.labelled else "no labels",
            ]
        )
    return rows
