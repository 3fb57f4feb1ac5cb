"""Under joblib's Dask backend, blocks of pairs go to the workers of a cluster.

A LocalCluster with two worker processes on 127.0.0.1; the results must
equal the local run bit for bit.
"""

import numpy as np
import pytest

distributed = pytest.importorskip(
    "distributed", reason="the dask extra is not installed (pip install '.[dask]')"
)
from joblib import parallel_config  # noqa: E402

from softdtw_learn import _dispatch  # noqa: E402
from softdtw_learn.cluster import SoftDTWKMeans  # noqa: E402
from softdtw_learn.datasets import load_cbf  # noqa: E402
from softdtw_learn.metrics import pairwise_soft_dtw  # noqa: E402
from softdtw_learn.neighbors import SoftDTWKNeighborsClassifier  # noqa: E402


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    )
    with distributed.Client(cluster) as dask_client:
        yield dask_client
    cluster.close()


def test_pairwise_blocks_equal_the_local_run(client, rng):
    X = [rng.normal(size=(k, 2)) for k in rng.integers(5, 40, size=37)]
    Y = [rng.normal(size=(k, 2)) for k in rng.integers(5, 40, size=11)]

    def run():
        return {
            "sym": pairwise_soft_dtw(X, gamma=0.3),
            "cross": pairwise_soft_dtw(X, Y, gamma=0.3, window=0.4),
            "swap": pairwise_soft_dtw(Y, X, gamma=0.3),
            "div": pairwise_soft_dtw(X, gamma=0.3, divergence=True),
        }

    expected = run()
    with parallel_config(backend="dask"):
        assert _dispatch.distributed()
        got = run()
    assert not _dispatch.distributed()
    for name, matrix in expected.items():
        np.testing.assert_array_equal(got[name], matrix, err_msg=name)


def test_blocks_run_on_the_workers_not_here(client, rng, monkeypatch):
    calls = []
    original = _dispatch._pairwise_kernel

    def counting(rows, *args):
        calls.append(len(rows))
        return original(rows, *args)

    monkeypatch.setattr(_dispatch, "_pairwise_kernel", counting)
    X = rng.normal(size=(30, 16))
    with parallel_config(backend="dask"):
        pairwise_soft_dtw(X, gamma=1.0)
    # The tasks ran in the worker processes (which hold the original kernel);
    # none ran in this one.
    assert calls == []
    pairwise_soft_dtw(X, gamma=1.0)
    assert calls == [30]


def test_kmeans_and_knn_equal_the_local_run(client):
    data = load_cbf()
    X, y = data.X_train, data.y_train
    local_km = SoftDTWKMeans(3, gamma=1.0, max_iter=5, random_state=0).fit(X)
    local_knn = SoftDTWKNeighborsClassifier(gamma=0.1).fit(X, y).predict(data.X_test)
    with parallel_config(backend="dask"):
        km = SoftDTWKMeans(3, gamma=1.0, max_iter=5, random_state=0).fit(X)
        knn = SoftDTWKNeighborsClassifier(gamma=0.1).fit(X, y).predict(data.X_test)
    np.testing.assert_array_equal(km.labels_, local_km.labels_)
    assert km.inertia_ == local_km.inertia_
    np.testing.assert_array_equal(km.cluster_centers_, local_km.cluster_centers_)
    np.testing.assert_array_equal(knn, local_knn)
