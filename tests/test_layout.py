"""The package's boundary: kernels behind one dispatch module, validation
free of the compiled stack, no private names across modules."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "softdtw_learn"
MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _imports(path):
    """``(module, names)`` of every ``from ... import ...`` in a file."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            yield node.module or "", [alias.name for alias in node.names]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_only_the_dispatch_module_reaches_the_kernels(path):
    if path.name in ("_dispatch.py", "_kernels.py"):
        return
    for module, names in _imports(path):
        assert "_kernels" not in module and "_kernels" not in names, path.name


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_module_imports_another_modules_private_name(path):
    for module, names in _imports(path):
        private = [n for n in names if n.startswith("_") and n not in ("__version__",)]
        # Private modules may be imported whole (``from . import _dispatch``).
        private = [n for n in private if not (PACKAGE / f"{n}.py").exists()]
        assert not private, f"{path.name} imports {private} from {module!r}"


def test_validation_needs_neither_numba_nor_threadpoolctl():
    code = (
        "import sys, softdtw_learn.utils; "
        "print('numba' in sys.modules, 'threadpoolctl' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["False", "False"]
