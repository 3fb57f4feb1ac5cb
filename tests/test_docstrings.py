"""Every public name has a numpydoc docstring with a runnable Examples section.

The Examples themselves run as doctests (pytest --doctest-modules over the
package); this checks that each public function and class has one, and that
its sections document what it takes and returns.
"""

import doctest
import importlib
import importlib.util

import pytest

validate = pytest.importorskip("numpydoc.validate", reason="numpydoc is not installed")

MODULES = [
    "softdtw_learn.metrics",
    "softdtw_learn.barycenter",
    "softdtw_learn.cluster",
    "softdtw_learn.neighbors",
    "softdtw_learn.preprocessing",
    "softdtw_learn.forecasting",
    "softdtw_learn.datasets",
    "softdtw_learn.utils",
    "softdtw_learn.reproduce",
]
OPTIONAL = {"softdtw_learn.torch": "torch", "softdtw_learn.plotting": "matplotlib"}
MODULES += [m for m, dep in OPTIONAL.items() if importlib.util.find_spec(dep)]
METHODS = (
    "fit",
    "predict",
    "predict_proba",
    "decision_function",
    "transform",
    "fit_predict",
    "fit_transform",
    "score",
    "kneighbors",
    "forward",
)
# missing docstring, no summary, undocumented or unknown parameter, no
# Returns section, no Examples section
CODES = {"GL08", "SS01", "PR01", "PR02", "RT01", "EX01"}


def _public():
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            path = f"{obj.__module__}.{obj.__qualname__}"
            yield pytest.param(path, CODES, id=path)
            if isinstance(obj, type):
                for method in METHODS:
                    if method in vars(obj):
                        yield pytest.param(
                            f"{path}.{method}", CODES - {"EX01"}, id=f"{path}.{method}"
                        )


def test_every_module_declares_its_public_names():
    for module_name in MODULES:
        assert importlib.import_module(module_name).__all__, module_name


@pytest.mark.parametrize(("path", "codes"), list(_public()))
def test_public_docstring_is_complete(path, codes):
    errors = [
        f"{code}: {msg}"
        for code, msg in validate.validate(path)["errors"]
        if code in codes
    ]
    assert not errors, errors
    if "EX01" in codes:
        # The Examples parse as a doctest, which --doctest-modules runs.
        obj = validate.Validator._load_obj(path)
        tests = doctest.DocTestFinder(recurse=False).find(obj, path)
        assert sum(len(t.examples) for t in tests) >= 2, path
