"""How fast the simulation runs, measured against SimPy itself (R3.3.2: tools that keep up).

Prints, from one run of this script:

- the event rate of a bare SimPy loop (processes that only yield timeouts): the ceiling for
  any discrete-event model that needs at least one event per unit of work;
- the wall time of one default replication (10 reps x 12 months, trace on, ledger built)
  and its work rate: rows written to the activities, leads, invoices and payments tables
  per second, and that rate as a share of the bare loop's event rate;
- the wall time of a 10-rep, one-quarter run (a slider's response time);
- wall times for 1, 10, 100 and 1,000 reps over 12 months (leads and delivery capacity
  scaled with the team, :meth:`salessim.Scenario.with_team`; trace off) and the cost per
  rep-year, with the wall time and peak memory of the 1,000-rep run measured in a fresh
  process;
- the ratio of the cost per rep-year at 1,000 reps to that at 10 reps, measured in pairs
  (see :func:`paired`): a 1,000-rep run and a stream of 10-rep runs take turns on one CPU,
  a fifth of a second each, and each is charged the CPU time it used. Both then run on
  the same machine at the same moments, so its drift cancels. The pair is run 5 times by
  default and the median and mean ratios are reported; ``--calibrate`` runs the same measurement
  with 100 teams of 10 in place of the 1,000 reps, which should give 1.

Each small timing is the median of several repetitions (9 by default). Targets on a 2-core
machine: one default replication < 1 s; 10 reps x one quarter < 0.25 s; work rate >= 30%
of the bare loop; 1,000 reps x 12 months < 2 minutes and < 2 GB, at no higher cost per
rep-year than 10 reps. The work rate and the cost ratio are ratios of times taken in the
same run.

Usage::

    python benchmarks/bench_simulation.py           # everything (4 to 6 minutes)
    python benchmarks/bench_simulation.py --quick   # without the 1,000-rep runs
    python benchmarks/bench_simulation.py --calibrate  # pairs of equal work (ratio 1)
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import platform
import resource
import signal
import statistics
import subprocess
import sys
import time

import simpy

from salessim import Scenario, simulate

TARGETS = {"default": 1.0, "quarter": 0.25, "ratio": 0.30, "big": 120.0, "big_mb": 2048.0}


def bare_rate(events: int = 200_000, processes: int = 10) -> tuple[float, float]:
    """Events per second (wall clock, CPU time) of a bare SimPy loop with ``processes``
    timeout-only processes."""
    env = simpy.Environment()

    def loop(env, n):
        for _ in range(n):
            yield env.timeout(1.0)

    for _ in range(processes):
        env.process(loop(env, events // processes))
    start, cpu = time.perf_counter(), time.process_time()
    env.run()
    return events / (time.perf_counter() - start), events / (time.process_time() - cpu)


def rows_of(run) -> int:
    """Rows written to the activities, leads, invoices and payments tables."""
    L = run.ledger
    return len(L.activities) + len(L.leads) + len(L.invoices) + len(L.payments)


def timed(fn, repeat: int):
    """Median wall time, median CPU time and the last result of ``repeat`` calls."""
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def team_run(reps: int, seed: int = 0) -> dict:
    """One 12-month run of the default business scaled to ``reps`` reps."""
    scenario = Scenario().with_team(reps)
    start, cpu = time.perf_counter(), time.process_time()
    run = simulate(scenario, seed=seed, trace=False)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"reps": reps, "wall": wall, "cpu": cpu, "rows": rows_of(run), "peak_mb": peak_mb}


def child(reps: int) -> dict:
    """Run :func:`team_run` in a fresh process, so its peak memory is its own."""
    out = subprocess.run([sys.executable, __file__, "--child", str(reps)], check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


class _Stop(Exception):
    """Raised in the stream of 10-rep runs when the run it is paired with has ended."""


def _worker(work: str) -> None:
    """One side of :func:`paired`: ``ref`` (10-rep runs, seeds 0, 1, ..., until stopped),
    ``teams`` (100 runs of 10 reps, seeds 0-99) or a number of reps (one run, seed 0).
    Prints one JSON list of runs: CPU time, rows and peak memory of each."""
    simulate(Scenario(calendar={"months": 1}), seed=0)  # imports and first-call costs
    if work == "ref":
        def stop(signum, frame):
            raise _Stop
        signal.signal(signal.SIGTERM, stop)
    print("ready", flush=True)
    sys.stdin.readline()  # go
    runs = []
    try:
        if work == "ref":
            for seed in itertools.count():
                runs.append(team_run(10, seed))
        elif work == "teams":
            teams = [team_run(10, seed) for seed in range(100)]
            runs.append({"reps": 1000, **{k: sum(t[k] for t in teams)
                                          for k in ("wall", "cpu", "rows")},
                         "peak_mb": teams[-1]["peak_mb"]})
        else:
            runs.append(team_run(int(work)))
    except _Stop:  # the run under way when stopped is not counted
        pass
    print(json.dumps(runs), flush=True)


def paired(work: str = "1000", turn: float = 0.2) -> dict:
    """Cost per rep-year of ``work`` (see :func:`_worker`) against 10-rep runs, in pairs.

    The two run in fresh processes on one CPU and take turns, ``turn`` seconds each: the
    other is stopped (SIGSTOP) meanwhile. Each is charged its own CPU time, so both are
    timed on the same machine at the same moments, and the machine's drift cancels (here
    its speed changes by up to a third within a few seconds). The 10-rep runs do the work
    of teams of 10, one after another, as long as the big run lasts (about 100 of them).
    """
    cmd = [sys.executable, __file__, "--worker"]
    big = subprocess.Popen(cmd + [work], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                           text=True)
    ref = subprocess.Popen(cmd + ["ref"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                           text=True)
    try:
        for p in (big, ref):
            if p.stdout.readline().strip() != "ready":
                raise RuntimeError(f"a paired run failed to start ({work})")
        if hasattr(os, "sched_setaffinity"):  # Linux: both on one CPU
            cpu = min(os.sched_getaffinity(0))
            for p in (big, ref):
                os.sched_setaffinity(p.pid, {cpu})
        ref.send_signal(signal.SIGSTOP)
        for p in (big, ref):
            p.stdin.write("go\n")
            p.stdin.flush()
        running, waiting = big, ref
        while True:
            time.sleep(turn)
            if big.poll() is not None:
                break
            running.send_signal(signal.SIGSTOP)
            waiting.send_signal(signal.SIGCONT)
            running, waiting = waiting, running
        ref.send_signal(signal.SIGCONT)
        ref.send_signal(signal.SIGTERM)
        out_big, _ = big.communicate()
        out_ref, _ = ref.communicate()
    finally:
        for p in (big, ref):
            if p.poll() is None:
                p.send_signal(signal.SIGCONT)
                p.kill()
                p.wait()
    if big.returncode != 0:
        raise RuntimeError(f"the paired run of {work} failed")
    run = json.loads(out_big.strip().splitlines()[-1])[0]
    tens = json.loads(out_ref.strip().splitlines()[-1])
    ten = {k: statistics.mean(t[k] for t in tens) for k in ("cpu", "rows")}
    return {**run, "ten": {**ten, "runs": len(tens)},
            "ratio": (run["cpu"] / run["reps"]) / (ten["cpu"] / 10)}


def _summary(pairs: list[dict]) -> str:
    ratios = [p["ratio"] for p in pairs]
    return f"median {statistics.median(ratios):.3f}, mean {statistics.mean(ratios):.3f}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="skip the 1,000-rep runs")
    parser.add_argument("--repeat", type=int, default=9, help="repetitions of small timings")
    parser.add_argument("--big-repeat", type=int, default=5,
                        help="paired measurements of the cost ratio at 1,000 reps")
    parser.add_argument("--calibrate", action="store_true",
                        help="only the paired measurement, of 100 teams of 10 against "
                             "10-rep runs (the ratio should be 1)")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        simulate(Scenario(calendar={"months": 1}), seed=0)  # imports and first-call costs
        print(json.dumps(team_run(args.child)))
        return
    if args.worker:
        _worker(args.worker)
        return
    if args.calibrate:
        pairs = [paired("teams") for _ in range(args.big_repeat)]
        print("calibration: 100 teams of 10 (seeds 0-99, one after another) against 10-rep "
              "runs taking turns with them on one CPU; cost ratio per run "
              + ", ".join(f"{p['ratio']:.3f} ({p['ten']['runs']} runs of 10)" for p in pairs)
              + f"; {_summary(pairs)} (1 if fair)")
        return

    print(f"salessim simulation benchmark: Python {platform.python_version()}, "
          f"simpy {simpy.__version__}, {os.cpu_count()} CPUs")
    simulate(Scenario(calendar={"months": 1}), seed=0)  # imports and first-call costs

    # The bare loop and the replication take turns, and each replication's work rate is
    # divided by the bare loop's rate measured around it (the geometric mean of the runs
    # just before and just after): the machine's speed drifts (shared virtual CPUs), and
    # timings taken together cancel the drift. Each timing also jitters by itself, by up
    # to a third from one second to the next, so the ratio is the median of 9 replications
    # by default.
    rates, walls, cpus, ratios, ratios_cpu = [bare_rate()], [], [], [], []
    for _ in range(args.repeat):
        wall_i, cpu_i, run = timed(lambda: simulate("default", seed=0), 1)
        rates.append(bare_rate())
        walls.append(wall_i)
        cpus.append(cpu_i)
        rows = rows_of(run)
        around = [math.sqrt(rates[-2][i] * rates[-1][i]) for i in (0, 1)]
        ratios.append(rows / wall_i / around[0])
        ratios_cpu.append(rows / cpu_i / around[1])
    bare, bare_cpu = (statistics.median(r[i] for r in rates) for i in (0, 1))
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    print(f"bare SimPy loop (10 timeout-only processes): {bare:,.0f} events/s "
          f"({bare_cpu:,.0f} per CPU second)")
    print(f"one default replication (10 reps x 12 months, trace on): {wall:.3f} s, "
          f"{cpu:.3f} s CPU (target < {TARGETS['default']} s)")
    print(f"  rows written (activities + leads + invoices + payments): {rows:,}")
    print(f"  work rate: {rows / wall:,.0f} rows/s = {statistics.median(ratios):.2f} x the bare "
          f"loop's event rate (median of {args.repeat} replications, each against the bare "
          f"loop run just before and just after it; range {min(ratios):.2f}-"
          f"{max(ratios):.2f}; "
          f"target >= {TARGETS['ratio']:.2f}); per CPU second "
          f"{statistics.median(ratios_cpu):.2f} x")

    quarter = Scenario(calendar={"months": 3})
    wall_q, cpu_q, _ = timed(lambda: simulate(quarter, seed=0, trace=False), args.repeat)
    print(f"10 reps x one quarter (trace off): {wall_q:.3f} s, {cpu_q:.3f} s CPU "
          f"(target < {TARGETS['quarter']} s)")

    print("scaling over 12 months (demand and delivery scaled with the team, trace off):")
    print(f"  {'reps':>5} {'wall s':>8} {'cpu s':>8} {'rows':>10} {'wall s per rep-year':>20}")
    # Small teams: the run with the median wall time of a few, as for the figures above.
    results = [sorted((team_run(n) for _ in range(args.repeat)), key=lambda r: r["wall"])
               [args.repeat // 2] for n in (1, 10)]
    results.append(team_run(100))
    if not args.quick:
        results.append(child(1000))
    for r in results:
        print(f"  {r['reps']:>5} {r['wall']:>8.2f} {r['cpu']:>8.2f} {r['rows']:>10,} "
              f"{r['wall'] / r['reps']:>20.4f}")
    if not args.quick:
        big = results[-1]
        print(f"  1,000 reps: {big['wall']:.1f} s (target < {TARGETS['big']:.0f} s), peak "
              f"memory {big['peak_mb']:,.0f} MB (target < {TARGETS['big_mb']:,.0f} MB)")
        pairs = sorted((paired() for _ in range(args.big_repeat)), key=lambda p: p["ratio"])
        mid = pairs[len(pairs) // 2]
        below = sum(p["ratio"] < 1 for p in pairs)
        print(f"  cost per rep-year at 1,000 reps / at 10 reps, in pairs taking turns on one "
              f"CPU (CPU time; {len(pairs)} pairs: "
              + ", ".join(f"{p['ratio']:.3f}" for p in pairs)
              + f"; {_summary(pairs)}, {below} of {len(pairs)} below 1): "
              f"{mid['ratio']:.3f} (target <= 1; one pair reads "
              f"equal work to within about 2%, see --calibrate); in that pair the 1,000 reps used "
              f"{mid['cpu']:.1f} s and wrote {mid['rows'] / 1000:,.0f} rows per rep, the "
              f"{mid['ten']['runs']} teams of 10 beside it {mid['ten']['cpu']:.3f} s each "
              f"and {mid['ten']['rows'] / 10:,.0f} rows per rep; peak memory of the "
              f"1,000-rep runs up to {max(p['peak_mb'] for p in pairs):,.0f} MB")
    load = os.getloadavg()[0]
    print(f"load average during the run: {load:.1f} on {os.cpu_count()} CPUs"
          + (" (other processes were competing: wall times are inflated)" if load > 1.5
             else ""))


if __name__ == "__main__":
    main()
