"""The paper's four experiments on a folder of UCR/UEA sets, in one call.

:func:`reproduce` (``softdtw-learn reproduce DATA_DIR`` on the command line)
runs the experiments of section 4 of Cuturi & Blondel (ICML 2017) on every
set of a folder and writes, into an output folder, the tables in the paper's
form (markdown, with the paper's numbers beside), the per-set results, the
Figure 7 scatter plot (PNG and SVG) and an HTML report that links them all:

- Table 1, barycenters: 10 training series of a class drawn at random, their
  soft-DTW barycenter for each gamma of ``GAMMAS`` against DBA from the
  same start (a random start, and the Euclidean mean where the lengths are
  equal); the score is the DTW loss, eq. (4) at gamma 0;
- Table 2, k-means with k the number of classes: soft-DTW k-means against
  DBA k-means from the same centres, scored by the k-means loss in DTW,
  eq. (5) at gamma 0;
- Figure 7, nearest centroid: test accuracy of soft-DTW nearest centroid,
  gamma chosen by cross-validation on the training split, against DBA and
  Euclidean nearest centroid;
- Table 3, forecasting: an MLP with one hidden layer of 50 maps the first
  60% of each series to the rest, trained with the squared loss or with
  soft-DTW (random start, or the squared-loss solution: "Euc. init"); DTW
  and squared test losses, as average ranks.

Each (experiment, set) unit is written as soon as it is done, to a small
JSON file under ``OUT/units/`` (a temporary file, then renamed), and a rerun
skips the units already written with the same settings and data: an
interrupted run resumes where it stopped. The settings of each experiment
are the module's constants (``SETTINGS``); ``max_series`` caps the
series of each split.

Errors: a folder without any set, or an output folder that cannot be
written, is a :class:`ValueError` before any computation. A set whose files
cannot be read is reported (its name, the file and the reader's message) and
left out; the other sets run. A unit whose computation raises
:class:`ValueError` is reported and left unwritten (a rerun tries it again);
the others run. Any other exception (Ctrl-C included) stops the run, and the
units written so far are kept.
"""

import json
import os
import sys
import time
import warnings
from pathlib import Path

# The package also offers the protocol's constants (GAMMAS, SETTINGS, PAPER);
# reproduce runs each unit as _compute_unit, the name tests replace.
from ..utils import (
    check_creatable_folder,
    check_flag,
    check_int,
    check_n_jobs,
    short_repr,
)
from ._experiments import compute_unit as _compute_unit
from ._report import report_names, set_rows, write_reports
from ._sets import FORMATS, find_sets, read_sets
from ._settings import DEFAULT_MAX_SERIES, EXPERIMENTS, GAMMAS, SETTINGS  # noqa: F401
from ._summaries import PAPER, SUMMARIES  # noqa: F401
from ._units import (
    check_writable,
    jsonable,
    stored_unit,
    unit_key,
    unit_path,
    write_atomic,
)

__all__ = ["reproduce"]


def _checked_experiments(experiments):
    given = experiments
    if isinstance(experiments, str):  # "table1,figure7", as --only takes
        experiments = [part.strip() for part in experiments.split(",")]
    try:
        chosen = list(experiments)
    except TypeError:
        chosen = None
    if not chosen or not all(isinstance(e, str) and e in EXPERIMENTS for e in chosen):
        raise ValueError(
            f"experiments must be a non-empty sequence of {', '.join(EXPERIMENTS)}, "
            f"got {short_repr(given)}."
        )
    return [e for e in EXPERIMENTS if e in chosen]


def checked_data_dir(data_dir):
    """Check that ``data_dir`` is an existing folder; return it as a Path."""
    if not str(data_dir).strip():
        raise ValueError("the data folder is empty text; give the folder of the sets.")
    data_dir = Path(data_dir)
    if not data_dir.exists():
        raise ValueError(f"{data_dir}: no such folder; give the folder of the sets.")
    if not data_dir.is_dir():
        raise ValueError(f"{data_dir} is not a folder; give the folder of the sets.")
    return data_dir


def checked_out_dir(out_dir, data_dir):
    """Check that ``out_dir`` can be created or written; return it as a Path."""
    if not str(out_dir).strip():
        raise ValueError(
            "the output folder is empty text; give a folder (-o results), or '.' "
            "for this one."
        )
    out = Path(out_dir)
    if out.is_symlink() and not out.exists():
        raise ValueError(
            f"{out} is a symbolic link to {os.readlink(out)}, which does not "
            "exist; give another output folder, or create its target."
        )
    if out.exists() and not out.is_dir():
        raise ValueError(f"{out} exists and is not a folder; give an output folder.")
    resolved, data = out.resolve(), Path(data_dir).resolve()
    if resolved == data or data in resolved.parents:
        raise ValueError(
            f"{out} is inside the data folder {data_dir}; write the results "
            "elsewhere, so that the data stay as they are."
        )
    check_creatable_folder(out)
    return out


def _usable(experiment, name, record):
    """Whether a stored unit builds its experiment's tables (not edited)."""
    try:
        for build in SUMMARIES[experiment]:
            build({name: record})
    except (KeyError, TypeError, ValueError, IndexError, AttributeError):
        return False
    return True


def _warning_lines(caught):
    """One line per distinct warning a unit raised, in order."""
    lines = []
    for w in caught:
        text = str(w.message).strip().splitlines()
        line = f"{w.category.__name__}: {text[0] if text else ''}"
        if line not in lines:
            lines.append(line)
    return lines


def _printer(progress):
    from tqdm import tqdm

    def say(text, err=False):
        if progress:
            tqdm.write(text, file=sys.stderr if err else sys.stdout)

    return say


def reproduce(
    data_dir,
    out_dir="softdtw-reproduce",
    *,
    max_series=DEFAULT_MAX_SERIES,
    n_jobs=None,
    experiments=EXPERIMENTS,
    resume=True,
    progress=True,
):
    """Run the paper's experiments on every set of a folder and write the report.

    The experiments of Cuturi & Blondel (ICML 2017), section 4, with the
    settings of ``softdtw_learn.reproduce.SETTINGS``:

    - Table 1: 10 training series of a class drawn at random, their soft-DTW
      barycenter at gamma 1, 0.1, 0.01 and 0.001 (each gamma warm-started
      from the one before) against DBA from the same start, a random one or
      the Euclidean mean; score: the DTW loss, eq. (4) at gamma 0;
    - Table 2: k-means with k the number of classes, soft-DTW against DBA
      k-means from the same centres; score: the k-means loss in DTW;
    - Figure 7: test accuracy of soft-DTW nearest centroid with gamma chosen
      by cross-validation (:class:`~softdtw_learn.neighbors.SoftDTWNearestCentroidCV`)
      against DBA and Euclidean nearest centroid;
    - Table 3: an MLP with one hidden layer of 50
      (:class:`~softdtw_learn.forecasting.SoftDTWMLPRegressor`) maps the first
      60% of each series to the rest, trained with the squared loss or
      soft-DTW (random start, or the squared-loss weights); DTW and squared
      test losses, as average ranks.

    Writes into ``out_dir``: ``EXPERIMENT.md`` (the tables in the paper's
    form, with the paper's numbers), ``EXPERIMENT_sets.md`` (the results
    per set), ``figure7.png`` and ``figure7.svg`` (with matplotlib),
    ``results.rst`` (every table, for Sphinx), ``index.html`` (all of it,
    with the versions and timings) and ``units/EXPERIMENT/SET.json``.

    Each (experiment, set) unit is written to its JSON file (a temporary
    file, then renamed) as soon as it is done, and a later call reuses the
    units computed with the same settings, ``max_series`` and data files:
    an interrupted run resumes. A set whose files cannot be read is left out
    and reported; a unit whose computation raises :class:`ValueError` is
    reported and not written (the next call tries it again); the other sets
    and units run. Any other exception, Ctrl-C included, stops the run and
    keeps the units already written.

    Parameters
    ----------
    data_dir : path-like
        A folder of sets, ``NAME/NAME_TRAIN.tsv`` and ``NAME/NAME_TEST.tsv``
        (or ``.ts``, ``.arff``, ``.txt``; one file per split, in that order
        of preference), or the files themselves, or ``NAME.npz`` files with
        ``X_train``, ``y_train``, ``X_test`` and ``y_test``.
    out_dir : path-like, default="softdtw-reproduce"
        Output folder, created if needed; not inside ``data_dir``.
    max_series : int or None, default=100
        At most this many series per split (>= 2), drawn with a fixed seed
        per set and split (stratified by class); None uses all.
    n_jobs : int, default=None
        Threads of the kernels: None means 1, -1 all cores.
    experiments : sequence of str or str, default=("table1", "table2", \
"figure7", "table3")
        The experiments to run (and report); a string may name several,
        separated by commas (``"table1,figure7"``).
    resume : bool, default=True
        Reuse the units already in ``out_dir/units`` that were computed with
        the same settings, ``max_series`` and data files (compared by
        SHA-256); False computes every unit again.
    progress : bool, default=True
        Show a progress bar (on a terminal, on stderr) and print a line per
        unit.

    Returns
    -------
    summary : dict
        ``"out_dir"`` (Path), ``"files"`` (the report's file names),
        ``"sets"`` (the set names run), ``"skipped"`` (set name -> why it was
        left out), ``"computed"`` and ``"resumed"`` (lists of ``(experiment,
        set)``), ``"failed"`` (``(experiment, set)`` -> message) and
        ``"results"`` (experiment -> set -> the unit's record).

    Raises
    ------
    ValueError
        Before any computation: a bad argument, a missing data folder, a
        folder with no readable set, two sets of one name, or an output
        folder that cannot be created or written.

    Examples
    --------
    >>> from softdtw_learn.reproduce import reproduce
    >>> summary = reproduce("ucr", "results", max_series=50)  # doctest: +SKIP
    >>> summary["files"][-1]  # doctest: +SKIP
    'index.html'
    """
    from tqdm import tqdm

    from .._demo import package_versions
    from .._warmup import warm_up

    wall = time.perf_counter()
    if max_series is not None:
        max_series = check_int(max_series, "max_series", low=2)
    n_jobs = check_n_jobs(n_jobs)
    chosen = _checked_experiments(experiments)
    resume = check_flag(resume, "resume")
    progress = check_flag(progress, "progress")
    data_dir = checked_data_dir(data_dir)
    out = checked_out_dir(out_dir, data_dir)
    say = _printer(progress)
    sources, notes = find_sets(data_dir)
    if not sources:
        raise ValueError(
            f"{data_dir}: no UCR/UEA set found; expected NAME_TRAIN and NAME_TEST "
            f"files ({', '.join(FORMATS)}) or NAME.npz, in the folder or in its "
            "folders (NAME/NAME_TRAIN.tsv)."
        )
    sets, skipped = read_sets(sources, notes, max_series, say)
    if not sets:
        first = next(iter(skipped.items()))
        raise ValueError(f"{data_dir}: no set could be read; {first[0]}: {first[1]}")
    check_writable(
        [out / name for name in report_names(chosen)]
        + [unit_path(out, e, name) for e in chosen for name in sets]
    )
    out.mkdir(parents=True, exist_ok=True)
    run = {
        "data_dir": data_dir,
        "experiments": chosen,
        "sets": list(sets),
        "skipped": skipped,
        "max_series": max_series,
        "results": {e: {} for e in chosen},
        "failed": {},
        "computed": [],
        "resumed": [],
        "seconds": {
            e: {"computed": 0.0, "resumed": 0.0, "n_computed": 0, "n_resumed": 0}
            for e in chosen
        },
        "versions": package_versions(),
        "set_rows": set_rows(sets),
        "compile": 0.0,
        "n_jobs": n_jobs,
    }
    todo = []
    for experiment in chosen:
        for name, data in sets.items():
            key = unit_key(experiment, data, max_series)
            path = unit_path(out, experiment, name)
            record, note = stored_unit(path, key) if resume else (None, None)
            if record is not None and not _usable(experiment, name, record):
                record = None
                note = (
                    f"{path} does not hold this experiment's results; computing again"
                )
            if note:
                say(note, err=True)
            if record is None:
                todo.append((experiment, name, key, path))
                continue
            run["results"][experiment][name] = record
            run["resumed"].append((experiment, name))
            run["seconds"][experiment]["resumed"] += record.get("seconds", 0.0)
            run["seconds"][experiment]["n_resumed"] += 1
    if todo:
        begin = time.perf_counter()
        warm_up(progress=False)
        run["compile"] = time.perf_counter() - begin
    say(
        f"{len(sets)} sets, {len(todo)} units to compute, {len(run['resumed'])} "
        f"from earlier runs; writing to {out}"
    )
    with tqdm(
        total=len(todo), unit="unit", disable=None if progress else True, leave=False
    ) as bar:
        for experiment, name, key, path in todo:
            bar.set_description(f"{experiment} {name}")
            try:
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    record = _compute_unit(experiment, sets[name], n_jobs)
            except ValueError as err:
                message = str(err).splitlines()[0] if str(err) else "ValueError"
                run["failed"][(experiment, name)] = message
                say(f"{experiment} {name}: failed: {message}", err=True)
                bar.update(1)
                continue
            finally:
                for line in _warning_lines(caught):
                    say(f"{experiment} {name}: {line}", err=True)
            record = jsonable({**record, "key": key})
            write_atomic(path, json.dumps(record, indent=1, allow_nan=False))
            run["results"][experiment][name] = record
            run["computed"].append((experiment, name))
            run["seconds"][experiment]["computed"] += record["seconds"]
            run["seconds"][experiment]["n_computed"] += 1
            done = "done" if record["status"] == "done" else f"n/a ({record['reason']})"
            models = (
                record.get("result", {}).get("failed", {}) if done == "done" else {}
            )
            if models:
                first = next(iter(models.items()))
                done += f", {len(models)} model(s) failed ({first[0]}: {first[1]})"
            say(f"{experiment} {name}: {done}, {record['seconds']:.1f} s")
            bar.update(1)
    for experiment in chosen:  # in the sets' order, whatever ran first
        results = run["results"][experiment]
        run["results"][experiment] = {n: results[n] for n in sets if n in results}
    run["n_computed"], run["n_resumed"] = len(run["computed"]), len(run["resumed"])
    run["wall"] = time.perf_counter() - wall
    files = write_reports(out, run)
    say(f"report written to {out / 'index.html'} ({run['wall']:.1f} s)")
    return {
        "out_dir": out,
        "files": files,
        "sets": run["sets"],
        "skipped": skipped,
        "computed": run["computed"],
        "resumed": run["resumed"],
        "failed": run["failed"],
        "results": run["results"],
    }
