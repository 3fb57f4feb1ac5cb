"""The tables of each experiment, built from its units, beside the paper's.

For each experiment, the summary tables in the paper's form (shares of sets
won, or average ranks, with the paper's numbers from its 79 UCR sets in
:data:`PAPER`) and the per-set tables of the raw results, as :class:`Table`
objects for ``_tables`` to render; :data:`SUMMARIES` maps an experiment
to its two builders.
"""

import numpy as np

from ._settings import SETTINGS, gamma_label
from ._tables import Table

# The paper's results (Cuturi & Blondel 2017, 79 UCR sets).
_PAPER_GAMMAS = ("1", "0.1", "0.01", "0.001")
PAPER = {
    # Shares of sets (%), by gamma.
    "table1": {
        "random": dict(zip(_PAPER_GAMMAS, (40.51, 93.67, 100.0, 97.47), strict=True)),
        "mean": dict(zip(_PAPER_GAMMAS, (3.80, 46.83, 79.75, 89.87), strict=True)),
    },
    "table2": {
        "random": dict(zip(_PAPER_GAMMAS, (15.78, 24.56, 59.64, 77.19), strict=True)),
        "mean": dict(zip(_PAPER_GAMMAS, (29.31, 24.13, 55.17, 68.97), strict=True)),
    },
    "figure7": {"dba": 75.0},
    # Average ranks, by training loss: Euclidean, then soft-DTW by gamma.
    "table3": {
        (measure, start): dict(zip(("euclidean", *_PAPER_GAMMAS), ranks, strict=True))
        for (measure, start), ranks in {
            ("dtw", "random"): (3.46, 3.55, 3.33, 2.79, 1.87),
            ("dtw", "euclidean"): (4.21, 3.96, 3.42, 2.12, 1.29),
            ("squared", "random"): (1.05, 2.41, 3.42, 4.13, 3.99),
            ("squared", "euclidean"): (1.70, 2.99, 3.38, 3.64, 3.29),
        }.items()
    },
}


# Cells -------------------------------------------------------------------------------


# Losses closer than this, relative to their size, are one result computed
# along two roads (rounding), not a win.
_TIE = 1e-9


def _below(value, other):
    """Whether ``value`` is lower than ``other`` beyond rounding, both known."""
    if value is None or other is None:
        return False
    return value < other - _TIE * max(abs(value), abs(other))


def _percent(wins, total):
    if total == 0:
        return "n/a (0 sets)"
    return f"{100 * wins / total:.1f}% ({wins}/{total})"


def _number(value, digits):
    """Format ``value`` with ``digits`` decimals (accuracies, ranks)."""
    return "n/a" if value is None else f"{value:.{digits}f}"


def _loss(value):
    """Format a loss to 5 significant digits: enough to show why it has a star."""
    return "n/a" if value is None else f"{value:.5g}"


def done_results(results):
    """Return the results of the units that are done, by set name."""
    return {name: r["result"] for name, r in results.items() if r["status"] == "done"}


def _gamma_columns(gammas):
    return [f"gamma = {gamma_label(g)}" for g in gammas]


def _paper_row(label, values, gammas):
    """Return the paper's shares for ``gammas`` (n/a where it ran none)."""
    return [label] + [
        f"{values[gamma_label(g)]:g}%" if gamma_label(g) in values else "n/a"
        for g in gammas
    ]


# Table 1 -----------------------------------------------------------------------------


def _table1_tables(results):
    done = done_results(results)
    gammas = [gamma_label(g) for g in SETTINGS["table1"]["gammas"]]
    rows, seconds = [], []
    for start, what in (("random", "random start"), ("mean", "Euclidean mean start")):
        sets = [r for r in done.values() if start in r["starts"]]
        wins = [
            sum(
                _below(r["loss"][f"soft_{start}"][g], r["loss"][f"dba_{start}"])
                for r in sets
            )
            for g in gammas
        ]
        rows.append([f"{what}, this run"] + [_percent(w, len(sets)) for w in wins])
        rows.append(
            _paper_row(
                f"{what}, paper (79 UCR sets)",
                PAPER["table1"][start],
                SETTINGS["table1"]["gammas"],
            )
        )
    beats_mean = []
    sets = [r for r in done.values() if r["loss"]["euclidean_mean"] is not None]
    for start in ("random", "mean"):
        wins = [
            sum(
                _below(r["loss"][f"soft_{start}"][g], r["loss"]["euclidean_mean"])
                for r in sets
            )
            for g in gammas
        ]
        what = "random" if start == "random" else "Euclidean mean"
        beats_mean.append(
            [f"{what} start, this run"] + [_percent(w, len(sets)) for w in wins]
        )
    if done:
        dba = np.mean([r["seconds"]["dba"] for r in done.values()])
        seconds.append(
            ["seconds per barycenter (mean over sets)", f"{dba:.3f}"]
            + [
                f"{np.mean([r['seconds']['soft'][g] for r in done.values()]):.3f}"
                for g in gammas
            ]
        )
    header = ["start"] + _gamma_columns(SETTINGS["table1"]["gammas"])
    s = SETTINGS["table1"]
    return [
        Table(
            "Share of sets where the soft-DTW barycenter has a lower DTW loss than DBA",
            header,
            rows,
            f"{s['series']} training series of a class drawn at random, "
            f"{s['repeats']} draws per set, losses averaged over the draws; the "
            "DTW loss is eq. (4) at gamma 0, mean_i dtw(z, x_i) / m_i. DBA runs "
            f"{s['dba_max_iter']} iterations at most and soft-DTW {s['max_iter']} "
            "L-BFGS iterations per gamma, from the same start, down the gammas "
            "(each warm-started from the one before). The Euclidean mean start "
            "needs equal lengths.",
        ),
        Table(
            "Share of sets where the soft-DTW barycenter has a lower DTW loss than "
            "the Euclidean mean itself",
            header,
            beats_mean,
            "Equal-length sets only.",
        ),
        Table(
            "Time per barycenter",
            ["time", "DBA"] + _gamma_columns(SETTINGS["table1"]["gammas"]),
            seconds,
            "Soft-DTW: the time of each gamma's solve on the path (the first "
            "includes the 'auto' continuation stages above gamma = 1).",
        ),
    ]


def _table1_detail(results):
    gammas = [gamma_label(g) for g in SETTINGS["table1"]["gammas"]]
    tables = []
    for start, what in (("random", "random start"), ("mean", "Euclidean mean start")):
        rows = []
        for name, record in results.items():
            if record["status"] != "done":
                rows.append([name] + [record["reason"]] + [""] * (len(gammas) + 1))
                continue
            r = record["result"]
            if start not in r["starts"]:
                rows.append([name, "n/a: unequal lengths"] + [""] * (len(gammas) + 1))
                continue
            soft = r["loss"][f"soft_{start}"]
            rows.append(
                [
                    name,
                    _loss(r["loss"]["euclidean_mean"]),
                    _loss(r["loss"][f"dba_{start}"]),
                ]
                + [
                    _loss(soft[g])
                    + (" *" if _below(soft[g], r["loss"][f"dba_{start}"]) else "")
                    for g in gammas
                ]
            )
        tables.append(
            Table(
                f"DTW loss per set, {what}",
                ["set", "Euclidean mean", "DBA"]
                + [
                    f"soft-DTW {c}"
                    for c in _gamma_columns(SETTINGS["table1"]["gammas"])
                ],
                rows,
                "* marks a soft-DTW loss below DBA's.",
            )
        )
    return tables


# Table 2 -----------------------------------------------------------------------------


def _table2_tables(results):
    done = done_results(results)
    gammas = [gamma_label(g) for g in SETTINGS["table2"]["gammas"]]
    rows = []
    labels = {
        "random": ("random series start", "random initialization"),
        "kmeans": ("Euclidean k-means start", "Euclidean mean initialization"),
    }
    paper_key = {"random": "random", "kmeans": "mean"}
    for start, (what, paper) in labels.items():
        sets = [r for r in done.values() if start in r["loss"]]
        wins = [
            sum(_below(r["loss"][start][g], r["loss"][start]["dba"]) for r in sets)
            for g in gammas
        ]
        rows.append([f"{what}, this run"] + [_percent(w, len(sets)) for w in wins])
        rows.append(
            _paper_row(
                f"paper, {paper}",
                PAPER["table2"][paper_key[start]],
                SETTINGS["table2"]["gammas"],
            )
        )
    s = SETTINGS["table2"]
    return [
        Table(
            "Share of sets where soft-DTW k-means has a lower k-means loss in DTW "
            "than DBA k-means",
            ["start"] + _gamma_columns(SETTINGS["table2"]["gammas"]),
            rows,
            "k = the number of classes, on the training split; the loss is eq. (5) "
            "at gamma 0, mean_i min_j dtw(c_j, x_i) / m_i. Both methods start from "
            "the same centres: k training series drawn at random, or the centres "
            "of Euclidean k-means (scikit-learn, 10 runs; equal lengths only). The "
            "paper's second column starts each barycenter from the Euclidean mean "
            "instead; here each update starts from the previous centre. Lloyd "
            f"iterations: {s['max_iter']} at most; barycenter iterations: "
            f"{s['max_iter_barycenter']} at most.",
        )
    ]


def _table2_detail(results):
    gammas = [gamma_label(g) for g in SETTINGS["table2"]["gammas"]]
    tables = []
    for start, what in (
        ("random", "random series start"),
        ("kmeans", "Euclidean k-means start"),
    ):
        rows = []
        for name, record in results.items():
            if record["status"] != "done":
                rows.append([name, "", record["reason"]] + [""] * len(gammas))
                continue
            r = record["result"]
            if start not in r["loss"]:
                rows.append(
                    [name, str(r["k"]), "n/a: unequal lengths"] + [""] * len(gammas)
                )
                continue
            loss = r["loss"][start]
            rows.append(
                [name, str(r["k"]), _loss(loss["dba"])]
                + [
                    _loss(loss[g]) + (" *" if _below(loss[g], loss["dba"]) else "")
                    for g in gammas
                ]
            )
        tables.append(
            Table(
                f"k-means loss in DTW per set, {what}",
                ["set", "k", "DBA k-means"]
                + [
                    f"soft-DTW {c}"
                    for c in _gamma_columns(SETTINGS["table2"]["gammas"])
                ],
                rows,
                "* marks a soft-DTW loss below DBA k-means'.",
            )
        )
    return tables


# Figure 7 ----------------------------------------------------------------------------


def _figure7_tables(results):
    done = list(done_results(results).values())
    rows = []
    for other, what in (("dba", "DBA"), ("euclidean", "Euclidean")):
        sets = [r for r in done if r["accuracy"][other] is not None]
        at_least = sum(r["accuracy"]["softdtw"] >= r["accuracy"][other] for r in sets)
        better = sum(r["accuracy"]["softdtw"] > r["accuracy"][other] for r in sets)
        paper = f"{PAPER['figure7']['dba']:g}%" if other == "dba" else "not reported"
        rows.append(
            [
                f"soft-DTW against {what} nearest centroid",
                _percent(at_least, len(sets)),
                _percent(better, len(sets)),
                paper,
            ]
        )
    s = SETTINGS["figure7"]
    return [
        Table(
            "Share of sets where soft-DTW nearest centroid is at least as accurate",
            ["comparison", "at least as accurate", "more accurate", "paper (at least)"],
            rows,
            "Test accuracy. Soft-DTW: gamma chosen by "
            f"{s['folds']}-fold stratified cross-validation on the training split "
            f"among {', '.join(map(gamma_label, s['gammas']))}, along a warm-started "
            f"path (SoftDTWNearestCentroidCV, the folds' barycenters at tol "
            f"{s['cv_tol']:g}). The paper chose gamma among 15 "
            "values from 0.001 to 10 on a 25% validation split of train + test. "
            "Euclidean nearest centroid needs equal lengths.",
        )
    ]


def _figure7_detail(results):
    rows = []
    for name, record in results.items():
        if record["status"] != "done":
            rows.append([name, record["reason"], "", "", "", ""])
            continue
        r = record["result"]
        acc = r["accuracy"]
        rows.append(
            [
                name,
                f"{r['n_train']} / {r['n_test']}",
                gamma_label(r["gamma"]),
                _number(acc["softdtw"], 3),
                _number(acc["dba"], 3),
                _number(acc["euclidean"], 3),
            ]
        )
    return [
        Table(
            "Test accuracy per set",
            ["set", "train / test series", "CV gamma", "soft-DTW", "DBA", "Euclidean"],
            rows,
        )
    ]


# Table 3 -----------------------------------------------------------------------------


def _ranks(values):
    """Ranks of ``values`` (1 = lowest; ties share the mean rank)."""
    from scipy.stats import rankdata

    return rankdata(values)


def _table3_methods(start):
    gammas = [gamma_label(g) for g in SETTINGS["table3"]["gammas"]]
    return ["euclidean"] + [f"{start}_{g}" for g in gammas]


def _table3_tables(results):
    done = list(done_results(results).values())
    gammas = SETTINGS["table3"]["gammas"]
    names = ["Euclidean"] + [f"soft-DTW (gamma = {gamma_label(g)})" for g in gammas]
    tables = []
    for measure, what in (("dtw", "DTW"), ("squared", "Euclidean")):
        columns = {}
        counted = {}
        for start in ("random", "euclidean"):
            methods = _table3_methods(start)
            ranks = [
                _ranks([r["losses"][measure][m] for m in methods])
                for r in done
                if all(r["losses"][measure][m] is not None for m in methods)
            ]
            counted[start] = len(ranks)
            columns[start] = np.mean(ranks, axis=0) if ranks else [None] * len(methods)
        keys = ["euclidean"] + [gamma_label(g) for g in gammas]
        rows = [
            [
                name,
                _number(columns["random"][k], 2),
                _number(PAPER["table3"][(measure, "random")].get(keys[k]), 2),
                _number(columns["euclidean"][k], 2),
                _number(PAPER["table3"][(measure, "euclidean")].get(keys[k]), 2),
            ]
            for k, name in enumerate(names)
        ]
        tables.append(
            Table(
                f"Average rank when evaluating with the {what} loss",
                [
                    "training loss",
                    f"random init, this run ({counted['random']} sets)",
                    "random init, paper",
                    f"Euclidean init, this run ({counted['euclidean']} sets)",
                    "Euclidean init, paper",
                ],
                rows,
                f"Rank 1 is the lowest test loss among the {len(names)} models of a "
                "column (ties share the mean rank), averaged over the sets that "
                "have all of them.",
            )
        )
    rows = []
    for start, what in (("random", "random init"), ("euclidean", "Euclidean init")):
        cells = []
        for g in gammas:
            key = f"{start}_{gamma_label(g)}"
            sets = [
                r
                for r in done
                if r["losses"]["dtw"][key] is not None
                and r["losses"]["dtw"]["euclidean"] is not None
            ]
            wins = sum(
                _below(r["losses"]["dtw"][key], r["losses"]["dtw"]["euclidean"])
                for r in sets
            )
            cells.append(_percent(wins, len(sets)))
        rows.append([what] + cells)
    s = SETTINGS["table3"]
    tables.append(
        Table(
            "Share of sets where training with soft-DTW gives a lower DTW test loss "
            "than training with the squared loss",
            ["soft-DTW start"] + _gamma_columns(gammas),
            rows,
            f"SoftDTWMLPRegressor, one hidden layer of {s['hidden_layer_sizes'][0]} "
            f"sigmoid units, alpha = {s['alpha']:g}, {s['max_iter']} L-BFGS "
            f"iterations at most, trained on the first {s['ratio']:.0%} of each "
            "training series to predict the rest; test losses are means over the "
            "test series (DTW: gamma 0; Euclidean: squared distance). Euclidean "
            "init: soft-DTW training starts from the squared-loss model's weights. "
            "Equal-length sets only; the paper trained with Adam.",
        )
    )
    return tables


def _table3_detail(results):
    gammas = [gamma_label(g) for g in SETTINGS["table3"]["gammas"]]
    methods = ["euclidean"] + [
        f"{s}_{g}" for s in ("random", "euclidean") for g in gammas
    ]
    header = (
        ["set", "Euclidean"]
        + [f"soft-DTW {g}" for g in gammas]
        + [f"soft-DTW {g}, Euc. init" for g in gammas]
    )
    tables = []
    for measure, what in (("dtw", "DTW"), ("squared", "squared Euclidean")):
        rows = []
        for name, record in results.items():
            if record["status"] != "done":
                rows.append([name, record["reason"]] + [""] * (len(methods) - 1))
                continue
            losses = record["result"]["losses"][measure]
            rows.append([name] + [_loss(losses[m]) for m in methods])
        tables.append(Table(f"Mean {what} test loss per set", header, rows))
    failed = [
        [name, key, reason]
        for name, record in results.items()
        if record["status"] == "done"
        for key, reason in record["result"].get("failed", {}).items()
    ]
    if failed:
        tables.append(
            Table(
                "Models that failed (n/a above)",
                ["set", "model", "reason"],
                failed,
                "Training is seeded: a rerun fails alike. Euclidean init models "
                "start from the squared-loss model ('euclidean').",
            )
        )
    return tables


# Each experiment's summary tables and per-set tables.
SUMMARIES = {
    "table1": (_table1_tables, _table1_detail),
    "table2": (_table2_tables, _table2_detail),
    "figure7": (_figure7_tables, _figure7_detail),
    "table3": (_table3_tables, _table3_detail),
}
