"""How fast experiments run: serial against 2 local workers against a 2-worker Dask cluster.

Prints, from one run of this script:

- replications per second of :func:`salessim.compare` with one plan (``linear``) on the
  default scenario (10 reps x 12 months; each replication simulated and measured), run
  serially, on a local pool of 2 worker processes (``jobs=2``, pool start-up included), and
  on a Dask ``LocalCluster`` of 2 worker processes (``Client.get_executor()``; cluster
  start-up timed apart);
- the parallel efficiency of the pool: serial time / (2 x pool time); target >= 85% on 2
  cores for 100 replications; and the CPU time of both runs, whose ratio (the work
  efficiency: the CPU the pool spends on start-up, pickling and merging) bounds the
  efficiency from above and does not depend on other processes' load;
- the Dask overhead per replication, against the local pool and against a perfect 2-way
  split of the serial time;
- that the three runs gave identical results, bit for bit;
- the CPU time the run got, and the load average (other processes on the machine inflate
  wall times and lower the efficiency measured).

Usage::

    python benchmarks/bench_experiment.py           # 100 replications (a few minutes)
    python benchmarks/bench_experiment.py --quick   # 10 replications
"""

from __future__ import annotations

import argparse
import os
import platform
import time

from pandas.testing import assert_frame_equal

from salessim import compare

TARGET_EFFICIENCY = 0.85


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def cpu_seconds() -> float:
    """CPU time of this process and of its finished child processes (the pool's workers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10 replications instead of 100")
    parser.add_argument("--replications", type=int, help="replications (overrides --quick)")
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask cluster")
    args = parser.parse_args(argv)
    n = args.replications or (10 if args.quick else 100)
    run = dict(scenario="default", plans="linear", replications=n, seed=0, progress=False)

    print(f"salessim experiment benchmark: Python {platform.python_version()}, "
          f"{os.cpu_count()} CPUs, {n} replications of the default scenario, plan linear")
    load0 = os.getloadavg()[0]
    compare(**{**run, "replications": 1})  # imports and first-call costs

    c0 = cpu_seconds()
    serial_s, serial = timed(lambda: compare(**run))
    c1 = cpu_seconds()
    print(f"serial:          {serial_s:7.1f} s  {n / serial_s:6.2f} replications/s")
    pool_s, pool = timed(lambda: compare(**run, jobs=2))
    c2 = cpu_seconds()
    eff = serial_s / (2 * pool_s)
    print(f"2 local workers: {pool_s:7.1f} s  {n / pool_s:6.2f} replications/s  "
          f"speed-up {serial_s / pool_s:.2f}, parallel efficiency {eff:.0%} "
          f"(target >= {TARGET_EFFICIENCY:.0%})")
    print(f"CPU time: serial {c1 - c0:.1f} s, pool {c2 - c1:.1f} s (this process and its "
          f"workers): the work efficiency {(c1 - c0) / (c2 - c1):.0%} is the parallel "
          "efficiency 2 free cores would give at best, whatever else the machine runs")
    assert_frame_equal(pool.data, serial.data, check_exact=True)
    same = "serial = pool"

    if not args.no_dask:
        from dask.distributed import Client, LocalCluster

        start_s, cluster = timed(lambda: LocalCluster(n_workers=2, threads_per_worker=1,
                                                      processes=True, dashboard_address=None))
        with cluster, Client(cluster) as client:
            client.submit(sum, [1]).result()
            dask_s, dask = timed(lambda: compare(**run, executor=client.get_executor()))
        print(f"Dask, 2 workers: {dask_s:7.1f} s  {n / dask_s:6.2f} replications/s  "
              f"(cluster start-up {start_s:.1f} s, not included)")
        print(f"Dask overhead per replication: {(dask_s - pool_s) / n * 1000:+.0f} ms against "
              f"the local pool, {(dask_s - serial_s / 2) / n * 1000:+.0f} ms against a perfect "
              "2-way split of the serial time")
        assert_frame_equal(dask.data, serial.data, check_exact=True)
        same += " = Dask"
    print(f"results identical, bit for bit: {same}")

    load = max(load0, os.getloadavg()[0])
    print(f"load average: {load:.1f} on {os.cpu_count()} CPUs"
          + (" (other processes were competing: wall times are inflated and the efficiency "
             "understated)" if load > 2.5 else ""))


if __name__ == "__main__":
    main()
