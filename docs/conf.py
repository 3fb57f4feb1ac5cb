"""Sphinx configuration of the softdtw_learn documentation."""

import os

import matplotlib

matplotlib.use("Agg")

project = "softdtw_learn"
author = "the softdtw_learn developers"
copyright = "2026, the softdtw_learn developers"

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

autosummary_generate = True
templates_path = ["_templates"]
autodoc_default_options = {"inherited-members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
exclude_patterns = ["_build", "generated/*.examples"]

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    # Figures are drawn by the plot_* scripts; the studies that need
    # ../shared/data are shown without running them.
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"__init__\.py",
    "download_all_examples": False,
    "show_signature": False,
    "reset_modules": ("matplotlib",),
    "abort_on_example_error": True,
}
if os.environ.get("SOFTDTW_DOCS_NO_GALLERY"):
    sphinx_gallery_conf["plot_gallery"] = "False"

html_theme = "pydata_sphinx_theme"
html_title = "softdtw_learn"
html_theme_options = {"navigation_with_keys": False, "show_prev_next": False}
html_static_path = []


def _skip_routing_setters(app, what, name, obj, skip, options):
    # scikit-learn adds set_*_request methods for metadata routing; they are
    # documented there, and their docstrings refer to its glossary.
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return skip


def setup(app):
    """Register the hooks of this configuration."""
    app.connect("autodoc-skip-member", _skip_routing_setters)
