import numba
import numpy as np
import pytest

from softdtw_learn._dispatch import effective_n_jobs, numba_threads
from softdtw_learn.utils import check_dataset, to_time_series_dataset


def test_list_of_unequal_series_is_padded_with_trailing_nan():
    X = to_time_series_dataset([[1, 2, 3], [4.0]])
    assert X.shape == (2, 3, 1) and X.dtype == np.float64
    np.testing.assert_array_equal(X[1, :, 0], [4.0, np.nan, np.nan])


def test_multivariate_list_and_explicit_length():
    X = to_time_series_dataset([np.ones((2, 3)), np.zeros((4, 3))], length=6)
    assert X.shape == (2, 6, 3)
    assert np.isnan(X[0, 2:]).all() and np.isnan(X[1, 4:]).all()


def test_length_shorter_than_longest_is_rejected():
    with pytest.raises(ValueError, match=r"length must be an int at least"):
        to_time_series_dataset([[1, 2, 3]], length=2)


def test_channel_mismatch_in_list_is_rejected():
    with pytest.raises(ValueError, match=r"different numbers of channels"):
        to_time_series_dataset([np.ones((2, 3)), np.ones((2, 2))])


def test_check_dataset_returns_true_lengths():
    X = np.array([[1.0, 2.0, np.nan], [1.0, 2.0, 3.0]])
    arr, lengths = check_dataset(X)
    assert arr.shape == (2, 3, 1) and lengths.tolist() == [2, 3]


def test_empty_dataset_is_rejected():
    with pytest.raises(ValueError, match=r"X is empty"):
        check_dataset([])


def test_n_jobs_follows_joblib_and_threads_are_restored():
    assert effective_n_jobs(None) == 1
    assert effective_n_jobs(-1) == min(
        numba.config.NUMBA_NUM_THREADS, __import__("joblib").cpu_count()
    )
    assert effective_n_jobs(-2) == max(1, effective_n_jobs(-1) - 1)
    # A joblib backend with its own default (e.g. Dask) does not change ours.
    from joblib import parallel_config

    with parallel_config(backend="threading", n_jobs=4):
        assert effective_n_jobs(None) == 1
    before = numba.get_num_threads()
    with numba_threads(1) as threads:
        assert threads == 1 and numba.get_num_threads() == 1
    assert numba.get_num_threads() == before


def test_overlapping_thread_blocks_restore_blas_once_the_last_ends():
    # Blocks of two threads can end out of order (threadpoolctl lets one
    # thread set OpenBLAS's limits, so the overlap is played in this one).
    from threadpoolctl import threadpool_info, threadpool_limits

    def blas_limits():
        return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]

    if not blas_limits():
        pytest.skip("no BLAS library loaded to limit")
    threads = numba.get_num_threads()  # out of order, the last exit restores 1
    try:
        with threadpool_limits(limits=2, user_api="blas"):  # so that 1 differs
            before = blas_limits()
            first, second = numba_threads(1), numba_threads(1)
            first.__enter__()
            second.__enter__()
            first.__exit__(None, None, None)  # the first block ends first
            assert blas_limits() == [1] * len(before)
            second.__exit__(None, None, None)
            assert blas_limits() == before
    finally:
        numba.set_num_threads(threads)
