"""Unit files: what a unit depends on, where it lives, how it is written.

Each (experiment, set) unit is a JSON file, ``OUT/units/EXPERIMENT/SET.json``,
written atomically (a temporary file, then renamed) as soon as it is done,
under a key of everything its result depends on (protocol, version, set,
file digests, cap and settings); a later run reuses a stored unit only with
the same key. Records are made JSON-ready here (numpy scalars as Python
ones, non-finite floats as None).
"""

import hashlib
import json
import math
import os
import secrets

import numpy as np

from ..utils import nearest_existing
from ._settings import SETTINGS

# Bumped when an experiment's protocol changes: older units are recomputed.
_PROTOCOL = 1


def jsonable(value):
    """``value`` with numpy scalars as Python ones and non-finite floats None."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def unit_key(experiment, data, max_series):
    """Return what a unit's result depends on; a stored unit needs the same."""
    from .. import __version__

    key = {
        "protocol": _PROTOCOL,
        "softdtw_learn": __version__,
        "experiment": experiment,
        "set": data.name,
        "files": data.digests,
        "max_series": max_series,
        "settings": SETTINGS[experiment],
    }
    return json.loads(json.dumps(key))  # tuples as lists, as read back


# File names stay within 255 bytes with write_atomic's temporary suffix.
_LONGEST_STEM = 200


def unit_path(out, experiment, name):
    """Return the file of a unit: ``out/units/EXPERIMENT/SET.json``.

    A name too long for a file name is cut, with a digest of the whole name.
    """
    stem = name
    if len(name.encode("utf-8")) > _LONGEST_STEM:
        digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:16]
        stem = name.encode("utf-8")[:100].decode("utf-8", "ignore") + "-" + digest
    return out / "units" / experiment / f"{stem}.json"


def check_writable(paths):
    """Check, before any work, that each file of ``paths`` can be written.

    Raises a ValueError naming the first path that is a folder, or whose
    folder is a file.
    """
    for path in paths:
        if path.is_dir():
            raise ValueError(f"{path} is a folder; remove it, or give another -o.")
        parent = nearest_existing(path.parent)
        if not parent.is_dir():
            raise ValueError(
                f"{parent} is not a folder, so {path} cannot be written; remove "
                "it, or give another -o."
            )


def write_atomic(path, content):
    """Write ``content`` (str or bytes) to a temporary file, then rename it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.parent / f".{path.name}.{secrets.token_hex(4)}.part"
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        with open(temp, "wb") as stream:
            stream.write(data)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def stored_unit(path, key):
    """Return the stored record at ``path`` if it has ``key``, else None and why."""
    if not path.is_file():
        return None, None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None, f"{path} is unreadable; computing it again"
    if not isinstance(record, dict) or record.get("key") != key:
        return None, f"{path} was computed with other settings or data; computing again"
    return record, None
