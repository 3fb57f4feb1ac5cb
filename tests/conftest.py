import numpy as np
import pytest


@pytest.fixture
def rng():
    """A fixed-seed generator: every test sees the same data on every run."""
    return np.random.default_rng(20170806)


def pytest_configure(config):
    """With ``NUMBA_DISABLE_JIT=1`` the kernels run as Python on numpy scalars.

    Compiled, they raise no floating-point warnings (``error_model="numpy"``:
    ``inf - inf`` is a NaN that the kernels weigh 0). As Python, numpy would
    warn on the same operations; silence it so both runs see the same code.
    """
    from numba.core import config as numba_config

    if numba_config.DISABLE_JIT:
        np.seterr(all="ignore")
