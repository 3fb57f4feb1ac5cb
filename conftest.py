"""Doctest collection: skip modules whose optional extra is not installed."""

import importlib.util

collect_ignore = []
if importlib.util.find_spec("torch") is None:
    collect_ignore.append("softdtw_learn/torch.py")
if importlib.util.find_spec("matplotlib") is None:
    collect_ignore.append("softdtw_learn/plotting.py")
