"""The experiments, their settings, and how gammas and seeds are written.

The experiments in the order they run, the paper's gammas, the default cap
on the series of a split and the settings of each experiment (a unit is
reused only with the same ones), all re-exported by the package; with the two
rules that make a run repeatable: a gamma is written ``0.001`` in keys and
labels, and each draw has a fixed seed, made from the set's name.
"""

import zlib

#: The experiments, in the order they run.
EXPERIMENTS = ("table1", "table2", "figure7", "table3")
#: The gammas of Tables 1, 2 and 3 (the paper's), decreasing.
GAMMAS = (1.0, 0.1, 0.01, 0.001)
#: Default cap on the series of each split.
DEFAULT_MAX_SERIES = 100
#: The settings of each experiment; a unit is reused only with the same ones.
SETTINGS = {
    "table1": {
        "gammas": GAMMAS,
        "series": 10,
        "repeats": 10,
        "max_iter": 100,
        "dba_max_iter": 100,
    },
    "table2": {
        "gammas": GAMMAS,
        "max_iter": 30,
        "max_iter_barycenter": 100,
    },
    "figure7": {
        # The paper's range, 1e-3 to 10, one value per decade (the paper
        # took 15 values).
        "gammas": (10.0, 1.0, 0.1, 0.01, 0.001),
        "folds": 3,
        "max_iter": 100,
        # The folds' barycenter tolerance (SoftDTWNearestCentroidCV.cv_tol).
        "cv_tol": 1e-3,
        "dba_max_iter": 100,
    },
    "table3": {
        "gammas": GAMMAS,
        "ratio": 0.6,
        "hidden_layer_sizes": (50,),
        "alpha": 1.0,
        "max_iter": 200,
    },
}


def gamma_label(gamma):
    """Return a gamma as a JSON key and a column label: ``0.001``."""
    return f"{gamma:g}"


def fixed_seed(*parts):
    """Return a fixed seed for ``parts`` (set name, experiment, ...)."""
    return zlib.crc32("/".join(map(str, parts)).encode("utf-8")) & 0x7FFFFFFF
