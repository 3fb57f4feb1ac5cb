"""The API reference lists every public name, and nothing that is gone."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = [
    "metrics",
    "barycenter",
    "cluster",
    "neighbors",
    "preprocessing",
    "forecasting",
    "torch",
    "plotting",
    "datasets",
    "utils",
    "reproduce",
]


def _declared(module):
    """``__all__`` of a module, read from its source (no optional imports)."""
    path = ROOT / "softdtw_learn" / module
    path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and any(
            getattr(t, "id", None) == "__all__" for t in node.targets
        ):
            return {f"{module}.{name}" for name in ast.literal_eval(node.value)}
    raise AssertionError(f"{path} has no __all__")


def _listed():
    """Qualified names in docs/api.rst's autosummary blocks."""
    names, module = set(), None
    for line in (ROOT / "docs" / "api.rst").read_text().splitlines():
        current = re.match(r"\.\. currentmodule:: softdtw_learn(\.(\w+))?$", line)
        if current:
            module = current.group(2)
        entry = re.match(r"   ([A-Za-z_][\w.]*)$", line)
        if entry:
            names.add(
                entry.group(1) if module is None else f"{module}.{entry.group(1)}"
            )
    return names


def test_api_reference_lists_every_public_name():
    declared = set().union(*(_declared(m) for m in MODULES))
    listed = _listed()
    assert declared - listed == set(), "public but not in docs/api.rst"
    assert listed - declared == set(), "in docs/api.rst but not public"
