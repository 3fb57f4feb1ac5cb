"""read_ucr_file speed: CBF's test file, and a large .tsv against pandas.

CBF needs ../shared/data (skipped with a message when absent); the large file
(10,000 series of length 1,000) is generated in a temporary folder.
"""

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from _timing import best

from softdtw_learn.datasets import read_ucr_file

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "ucr"


def main():
    cbf = SHARED / "CBF" / "CBF_TEST.tsv"
    if cbf.is_file():
        seconds, _ = best(lambda: read_ucr_file(cbf), warm_up=False)
        print(f"CBF_TEST.tsv (900 x 128): {seconds:.4f} s")
    else:
        print(f"skipped CBF: {cbf} not found (../shared/data is not beside the clone)")
    rng = np.random.default_rng(0)
    values = rng.normal(size=(10_000, 1_000))
    labels = rng.integers(1, 4, size=10_000)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "Big_TRAIN.tsv"
        pd.DataFrame(np.column_stack([labels, values])).to_csv(
            path, sep="\t", header=False, index=False
        )
        ours = best(lambda: read_ucr_file(path), warm_up=False)[0]
        theirs = best(lambda: pd.read_csv(path, sep="\t", header=None), warm_up=False)[
            0
        ]
        print(
            f"10,000 x 1,000 .tsv: read_ucr_file {ours:.2f} s, "
            f"pandas.read_csv {theirs:.2f} s, ratio {theirs / ours:.2f}"
        )


if __name__ == "__main__":
    main()
