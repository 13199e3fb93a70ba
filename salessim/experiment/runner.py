"""Running replications: common random numbers, chunks, executors, progress, resume.

Replication ``i`` runs with the seed derived from ``numpy.random.SeedSequence(seed)``'s
``i``-th child, whatever the plan, grid point, executor or chunking, so replication ``i`` of
every plan meets the same leads, customers and luck (common random numbers) and the result
is the same bit for bit on one core or many. Work travels as plain dicts (the scenario, the
plan), is done in chunks of replications of one plan at one grid point, and comes back as
the chunk's finished rows (:func:`salessim.experiment.metrics.measure` runs in the worker).
"""

from __future__ import annotations

import itertools
import math
import multiprocessing
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..incentives import Plan, load_plan
from ..scenario import Scenario, ScenarioError, load_scenario
from .metrics import group_column
from .results import Results, canonical_frame
from .store import ResultsFolder, config_hash, plain_config

__all__ = ["replication_seeds", "run_chunk", "run_experiment", "experiment_id", "load_grid"]

_MAX_CHUNK = 5


def replication_seeds(seed: int, replications: int) -> list[int]:
    """The seed of each replication: ``SeedSequence(seed).spawn(replications)``, as ints.

    Child ``i`` of a seed sequence does not depend on how many children are spawned, so
    replication ``i`` keeps its seed when an experiment is extended.
    """
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0, got {seed!r}")
    children = np.random.SeedSequence(int(seed)).spawn(int(replications))
    return [int(c.generate_state(1, np.uint64)[0] >> np.uint64(1)) for c in children]


def run_chunk(task: Mapping[str, Any]) -> tuple[tuple[int, int, int, int], pd.DataFrame]:
    """Run one chunk of replications in a worker and measure them.

    ``task`` holds plain data: ``scenario`` (a scenario dict), ``plan`` (a plan dict),
    ``point`` and ``plan_index`` (positions in the experiment), ``replications`` (a list of
    ``(replication, seed)``), ``period`` and ``by``. Returns ``(point, plan_index, first,
    last + 1)`` and the chunk's rows.
    """
    from ..model import simulate
    from .metrics import measure

    plan = load_plan(task["plan"])
    scenario = Scenario.from_dict({**task["scenario"], "plan": task["plan"]})
    frames = []
    for rep, seed in task["replications"]:
        run = simulate(scenario, seed=seed, trace=False)  # the trace is not measured
        rows = measure(run, plan, task["period"], task["by"])
        rows.insert(0, "seed", np.int64(seed))
        rows.insert(0, "replication", np.int64(rep))
        rows.insert(0, "plan", plan.name)
        rows.insert(0, "point", np.int64(task["point"]))
        frames.append(rows)
    reps = [r for r, _ in task["replications"]]
    key = (task["point"], task["plan_index"], reps[0], reps[-1] + 1)
    return key, pd.concat(frames, ignore_index=True)


# ------------------------------------------------------------------ set-up
def _plans(plans: Sequence[Any] | Any, scenario: Scenario) -> list[Plan]:
    if plans is None:
        plans = [scenario.plan]
    elif isinstance(plans, str | Plan | Mapping) or not isinstance(plans, Iterable):
        plans = [plans]
    out = [load_plan(p) for p in plans]
    if not out:
        raise ValueError("give at least one plan")
    names = [p.name for p in out]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ValueError(f"plan name(s) {', '.join(map(repr, dup))} given twice; each plan "
                         "needs its own name (set name = ... in the plan file)")
    return out


def _points(scenario: Scenario, grid: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """Every combination of the grid's values, first path slowest; each one validated."""
    grid = dict(grid or {})
    problems = []
    for path, values in grid.items():
        if path == "plan" or path.startswith("plan."):
            problems.append(f"grid {path}: plans are compared with plans=, not in the grid")
        elif isinstance(values, str | bytes | Mapping) or not isinstance(values, Sequence) \
                or not values:
            problems.append(f"grid {path}: {values!r} is not allowed: give a non-empty list "
                            "of values")
    if problems:
        raise ScenarioError(problems, "grid")
    points = [dict(zip(grid, combo, strict=True)) for combo in itertools.product(*grid.values())]
    for point in points:
        scenario.with_overrides(point)  # refuse a bad value before any work starts
    return points


def _chunks(todo: list[tuple[int, int, int]], size: int) -> list[tuple[int, int, list[int]]]:
    """Runs of consecutive replications of one (point, plan), ``size`` at most each, ordered
    so that all plans and points advance together."""
    out = []
    for (p, k), group in itertools.groupby(sorted(todo), key=lambda u: u[:2]):
        reps = [u[2] for u in group]
        run: list[int] = []
        for r in reps:
            if run and (r != run[-1] + 1 or len(run) == size):
                out.append((p, k, run))
                run = []
            run.append(r)
        out.append((p, k, run))
    return sorted(out, key=lambda c: (c[2][0], c[0], c[1]))


def _chunk_size(units: int, workers: int, chunk_size: int | None) -> int:
    if chunk_size is not None:
        if chunk_size < 1:
            raise ValueError(f"chunk_size must be >= 1, got {chunk_size!r}")
        return int(chunk_size)
    return max(1, min(_MAX_CHUNK, math.ceil(units / (16 * max(1, workers)))))


# ------------------------------------------------------------------ running
PROGRESS_DELAY = 1.0  # seconds before a progress bar appears: short runs show none


def _progress_bar(total: int, initial: int, enabled: bool, desc: str):
    from tqdm.auto import tqdm

    return tqdm(total=total, initial=initial, disable=not enabled, delay=PROGRESS_DELAY,
                desc=desc, unit="run", dynamic_ncols=True)


def _execute(tasks: list[dict[str, Any]], executor: Executor | None, jobs: int,
             on_done: Callable[[tuple[int, int, int, int], pd.DataFrame], None]) -> None:
    """Run ``tasks`` serially, on ``executor``, or on a local pool of ``jobs`` processes."""
    if not tasks:
        return
    if executor is None and jobs <= 1:
        for task in tasks:
            on_done(*run_chunk(task))
        return
    own = executor is None
    if own:
        executor = ProcessPoolExecutor(max_workers=min(jobs, max(1, len(tasks))),
                                       mp_context=multiprocessing.get_context("spawn"))
    pending: set[Future] = set()
    try:
        pending = {executor.submit(run_chunk, task) for task in tasks}
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in finished:
                on_done(*fut.result())
    except BaseException:
        for fut in pending:
            fut.cancel()
        if own:
            executor.shutdown(wait=False, cancel_futures=True)
            own = False
        raise
    finally:
        if own:
            executor.shutdown(wait=True)


def load_grid(path: str | Path) -> dict[str, list[Any]]:
    """Read a sweep grid from a TOML file: dotted scenario paths and their lists of values.

    Either at the top level or under a ``[grid]`` table; nested tables are read as dotted
    paths, so ``fulfilment.capacity_per_day = [12, 16]`` and ``"fulfilment.
    capacity_per_day" = [12, 16]`` mean the same.
    """
    import tomllib

    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScenarioError(["no such file (give a .toml grid file)"], f"grid {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError([f"not valid TOML: {exc}"], f"grid {path}") from None
    data = data.get("grid", data)
    grid: dict[str, list[Any]] = {}
    problems = []

    def walk(node: Mapping[str, Any], prefix: str) -> None:
        for key, value in node.items():
            name = f"{prefix}{key}"
            if isinstance(value, Mapping):
                walk(value, name + ".")
            elif isinstance(value, list) and value:
                grid[name] = value
            else:
                problems.append(f"{name}: {value!r} is not allowed: give a non-empty list of "
                                "values, e.g. [12, 16]")

    walk(data, "")
    if problems or not grid:
        raise ScenarioError(problems or ["no parameters: write e.g. "
                                         "fulfilment.capacity_per_day = [12, 16]"],
                            f"grid {path}")
    return grid


def _prepare(scenario: Any, plans: Any, grid: Mapping[str, Sequence[Any]] | None, seed: int,
             by: str, period: str, replications: int, kind: str
             ) -> tuple[Scenario, list[Plan], list[dict[str, Any]], dict[str, Any]]:
    from .. import __version__
    from ..regulation import _period_kind

    base = load_scenario(scenario)
    plan_list = _plans(plans, base)
    points = _points(base, grid or {})
    group_column(by)
    if isinstance(replications, bool) or not isinstance(replications, int) or replications < 1:
        raise ValueError(f"replications must be a whole number >= 1, got {replications!r}")
    replication_seeds(seed, 0)
    config = {
        "kind": kind, "salessim": __version__,
        "scenario": {k: v for k, v in base.to_dict().items() if k != "plan"},
        "scenario_toml": base.to_toml(), "plans": [p.to_dict() for p in plan_list],
        "seed": int(seed), "grid": {k: list(v) for k, v in (grid or {}).items()},
        "period": _period_kind(period), "by": by, "replications": replications,
    }
    return base, plan_list, points, plain_config(config)


def experiment_id(scenario: Any, plans: Any = None,
                  grid: Mapping[str, Sequence[Any]] | None = None, seed: int = 0,
                  by: str = "rep", period: str = "Q") -> str:
    """The hash identifying an experiment (what a results folder's ``config.json`` holds)."""
    return config_hash(_prepare(scenario, plans, grid, seed, by, period, 1, "")[3])


def run_experiment(scenario: Scenario | str | Mapping[str, Any], plans: Any = None,
                   grid: Mapping[str, Sequence[Any]] | None = None, replications: int = 20,
                   seed: int = 0, *, executor: Executor | None = None, jobs: int = 1,
                   progress: bool = True, out: str | Path | None = None, by: str = "rep",
                   period: str = "Q", chunk_size: int | None = None,
                   kind: str = "compare") -> Results:
    """The common engine of :func:`compare` and :func:`sweep` (see their documentation)."""
    base, plan_list, points, config = _prepare(scenario, plans, grid, seed, by, period,
                                               replications, kind)
    period = config["period"]
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs must be a whole number >= 1, got {jobs!r}")
    seeds = replication_seeds(seed, replications)
    folder = ResultsFolder(out, config) if out is not None else None
    done = folder.done() if folder else set()
    units = [(p, k, r) for p in range(len(points)) for k in range(len(plan_list))
             for r in range(replications)]
    todo = [u for u in units if u not in done]
    workers = jobs if executor is None else max(jobs, getattr(executor, "_max_workers", 4))
    scen_dicts = [base.with_overrides(pt).to_dict() for pt in points]
    plan_dicts = [p.to_dict() for p in plan_list]
    tasks = [{"scenario": scen_dicts[p], "plan": plan_dicts[k], "point": p, "plan_index": k,
              "replications": [(r, seeds[r]) for r in reps], "period": period, "by": by}
             for p, k, reps in _chunks(todo, _chunk_size(len(todo), workers, chunk_size))]

    frames: list[pd.DataFrame] = []
    bar = _progress_bar(len(units), len(units) - len(todo), progress, kind)

    def on_done(key: tuple[int, int, int, int], frame: pd.DataFrame) -> None:
        if folder is not None:
            folder.write_part(frame, *key)
        else:
            frames.append(frame)
        bar.update(key[3] - key[2])

    try:
        _execute(tasks, executor, jobs, on_done)
    finally:
        bar.close()
    if folder is not None:
        frames = ResultsFolder.read_parts(folder.path)
    data = canonical_frame(frames, config, replications)
    if folder is not None:
        folder.write_results(data)
    return Results(data, config, None if folder is None else folder.path)
