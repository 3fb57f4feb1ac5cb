"""Sphinx configuration of the softdtw_learn documentation."""

import os
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
# The local extensions (docs/_ext).
sys.path.insert(0, str(Path(__file__).resolve().parent / "_ext"))

project = "softdtw_learn"
author = "the softdtw_learn developers"
copyright = "2026, the softdtw_learn developers"

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "cli_reference",
]

# Every cross-reference must resolve: with -W, a broken one fails the build.
nitpicky = True
autosummary_generate = True
templates_path = ["_templates"]
autodoc_default_options = {"inherited-members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
# benchmark_results.rst is included by benchmarks.rst, not a page of its own.
exclude_patterns = ["_build", "generated/*.examples", "benchmark_results.rst"]

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    # Figures are drawn by the plot_* scripts, on bundled data only; the
    # studies, which need ../shared/data, are shown without running them, so
    # a clean clone builds the docs.
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"__init__\.py",
    "download_all_examples": False,
    "show_signature": False,
    "reset_modules": ("matplotlib",),
    "abort_on_example_error": True,
    # No sg_execution_times.rst: a build leaves the sources as they were.
    "write_computation_times": False,
}
if os.environ.get("SOFTDTW_DOCS_NO_GALLERY"):
    sphinx_gallery_conf["plot_gallery"] = "False"

html_theme = "pydata_sphinx_theme"
html_title = "softdtw_learn"
html_theme_options = {
    "navigation_with_keys": False,
    "show_prev_next": False,
    # The benchmark tables take the width of the page-contents column.
    "secondary_sidebar_items": {
        "**": ["page-toc", "edit-this-page", "sourcelink"],
        "benchmarks": [],
    },
}
html_sidebars = {"benchmarks": []}
html_static_path = ["_static"]
html_css_files = ["softdtw_learn.css"]


def _skip_routing_setters(app, what, name, obj, skip, options):
    # scikit-learn adds set_*_request methods for metadata routing; they are
    # documented there, and their docstrings refer to its glossary.
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return skip


def setup(app):
    """Register the hooks of this configuration."""
    app.connect("autodoc-skip-member", _skip_routing_setters)
