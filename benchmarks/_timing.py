"""Wall-clock timing shared by the benchmark scripts."""

import time


def best(func, repeats=3, warm_up=None):
    """Best wall time of ``repeats`` calls of ``func``, and its last result.

    ``warm_up`` runs once first (compilation, caches); None means one call of
    ``func``, False none.
    """
    if warm_up is None:
        func()
    elif warm_up:
        warm_up()
    seconds, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = func()
        seconds = min(seconds, time.perf_counter() - start)
    return seconds, result
