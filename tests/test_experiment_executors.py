"""Same seed, same results, bit for bit: serial, a local process pool and a Dask cluster.

Replication i of every plan runs with the same seed wherever it runs (common random
numbers); rows are sorted and typed the same way whatever order chunks come back in.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import pytest
from pandas.testing import assert_frame_equal

from salessim import Scenario
from salessim.experiment import compare

SMALL = Scenario().with_overrides({"team.reps": 3, "calendar.months": 3})
PLANS = ["linear", "regulation"]
ARGS = {"replications": 3, "seed": 42, "progress": False}


@pytest.fixture(scope="module")
def serial():
    return compare(SMALL, PLANS, **ARGS).data


def test_a_two_process_pool_gives_identical_results(serial):
    assert_frame_equal(compare(SMALL, PLANS, jobs=2, **ARGS).data, serial, check_exact=True)
    with ProcessPoolExecutor(2) as pool:
        given = compare(SMALL, PLANS, executor=pool, chunk_size=1, **ARGS).data
    assert_frame_equal(given, serial, check_exact=True)


def test_chunk_size_does_not_change_results(serial):
    assert_frame_equal(compare(SMALL, PLANS, chunk_size=3, **ARGS).data, serial,
                       check_exact=True)


def test_a_dask_local_cluster_gives_identical_results(serial, tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        # a watchdog: if the workers were lost, fail instead of waiting for new ones
        runner = ThreadPoolExecutor(1)
        try:
            res = runner.submit(compare, SMALL, PLANS, executor=client.get_executor(),
                                chunk_size=1, out=tmp_path / "dask", **ARGS).result(600)
        finally:
            runner.shutdown(wait=False, cancel_futures=True)
    assert_frame_equal(res.data, serial, check_exact=True)
