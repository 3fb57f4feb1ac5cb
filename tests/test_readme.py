"""The README's code examples run (all but the download one)."""

import re
import warnings
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)


@pytest.mark.parametrize(
    "block",
    [b for b in BLOCKS if "load_ucr(" not in b],
    ids=["metrics", "estimators", "forecasting"],
)
def test_readme_example_runs(block):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning of short runs
        exec(compile(block, str(README), "exec"), {})
