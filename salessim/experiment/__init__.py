"""Experiments for trainers: plans compared over many replications, with honest uncertainty.

A trainer's question is comparative: is plan B better than plan A for revenue, collections
and retention (R2.2.1), what does it cost (R2.2.2.1), and how sure are we? One simulated
year answers nothing, so :func:`compare` runs every incentive plan (激励方案) on the same
``replications`` (common random numbers: replication ``i`` of every plan meets the same
leads, customers and luck), measures each replication's KPIs, and returns a
:class:`Results` with per-plan means, paired differences against a baseline plan, their 95%
confidence intervals and the replications needed for a chosen precision. :func:`sweep`
does the same over a grid of scenario parameters.

Each replication is ``simulate(scenario with plan=P, seed=seed_i)`` followed by the KPIs
and payouts of its ledger, so plans that change how reps work (``decision.
incentive_sensitivity``) are compared by the same code.

Modules: :mod:`~.runner` (replications, chunks, executors), :mod:`~.store` (the results
folder: atomic writes, resume, configuration hash), :mod:`~.metrics` (what one replication
measures), :mod:`~.results` and :mod:`~.wording` (summaries), :mod:`~.stats` (intervals).

Running on a Dask cluster takes two lines::

    from dask.distributed import Client
    res = compare("default", ["linear", "regulation"], 200, executor=Client(ADDRESS).get_executor())
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

from ..scenario import Scenario
from .metrics import KPIS
from .results import HEADLINE, Results, load_results
from .runner import experiment_id, load_grid, replication_seeds, run_experiment
from .stats import Interval, mean_ci, paired_ci, replications_needed, t_quantile, welch_ci
from .store import ConfigMismatchError

__all__ = [
    "compare", "sweep", "Results", "load_results", "load_grid", "experiment_id",
    "ConfigMismatchError", "KPIS", "HEADLINE", "replication_seeds", "Interval", "mean_ci",
    "paired_ci", "welch_ci", "replications_needed", "t_quantile",
]


def compare(scenario: Scenario | str | Mapping[str, Any], plans: Sequence[Any] | Any,
            replications: int = 20, seed: int = 0, *, executor: Executor | None = None,
            jobs: int = 1, progress: bool = True, out: str | Path | None = None,
            by: str = "rep", period: str = "Q", chunk_size: int | None = None) -> Results:
    """Run every plan on the same replications and measure their KPIs (R2.2.1, R2.2.2.1).

    Parameters
    ----------
    scenario : Scenario, str or dict
        The scenario (``"default"``, a TOML path, a dict or a :class:`~salessim.Scenario`);
        its ``plan`` is replaced by each plan in turn.
    plans : plan or list of plans
        Built-in names, TOML plan files, dicts or :class:`~salessim.Plan` objects, with
        distinct names. The first is the baseline of the differences.
    replications : int
        Replications per plan. Replication ``i`` runs with seed
        ``replication_seeds(seed, ...)[i]`` for every plan.
    seed : int
        The experiment's seed (>= 0).
    executor : concurrent.futures.Executor, optional
        Where to run chunks of replications: any executor, e.g. a Dask client's
        ``Client.get_executor()``. It is not shut down.
    jobs : int
        Without ``executor``: 1 runs in this process, more starts a local process pool
        of that many workers. With one, a hint for the chunk size.
    progress : bool
        Show a progress bar (``tqdm.auto``: the notebook widget in Jupyter) for runs longer
        than a second.
    out : str or Path, optional
        A results folder: each chunk is written as it finishes, and running the same
        experiment again computes only what is missing. A folder holding another
        experiment is refused (:class:`ConfigMismatchError`).
    by : {"rep", "team", "company", "period"}
        One row per rep, team or for the whole company (``period``) in each period.
    period : {"M", "Q", "Y"}
        The period of the rows; at least as long as every plan's pay period.
    chunk_size : int, optional
        Replications per chunk (default: small enough to keep every worker busy, at most 5).

    Returns
    -------
    Results
        ``.data`` (the tidy table), ``.summary()``, ``.differences()``,
        ``.replications_needed()``, ``.format_summary()``.

    Notes
    -----
    On a Dask cluster (the same results, bit for bit)::

        client = dask.distributed.Client("tcp://scheduler:8786")
        res = compare("default", ["linear", "regulation"], 500, executor=client.get_executor())

    Examples
    --------
    >>> res = compare({"team": {"reps": 2}, "calendar": {"months": 3}},
    ...               ["linear", "quota_bonus"], replications=2, progress=False)
    >>> res.plans, sorted(res.data["replication"].unique().tolist())
    (['linear', 'quota_bonus'], [0, 1])
    """
    return run_experiment(scenario, plans, None, replications, seed, executor=executor,
                          jobs=jobs, progress=progress, out=out, by=by, period=period,
                          chunk_size=chunk_size, kind="compare")


def sweep(scenario: Scenario | str | Mapping[str, Any], grid: Mapping[str, Sequence[Any]],
          plans: Sequence[Any] | Any = None, replications: int = 20, seed: int = 0, *,
          executor: Executor | None = None, jobs: int = 1, progress: bool = True,
          out: str | Path | None = None, by: str = "rep", period: str = "Q",
          chunk_size: int | None = None) -> Results:
    """:func:`compare` at every combination of a grid of scenario parameters.

    Parameters
    ----------
    grid : dict
        Dotted scenario paths and their values, e.g. ``{"decision.incentive_sensitivity":
        [0, 0.5, 1], "targets.monthly_revenue": [90_000, 100_000], "fulfilment.
        capacity_per_day": [12, 16]}``: every combination is a grid point (first path
        slowest). Every point uses the same replication seeds.
    plans : plan or list of plans, optional
        Default: the scenario's own plan.

    Other parameters are those of :func:`compare`; ``.data`` gains one column per path.
    """
    return run_experiment(scenario, plans, grid, replications, seed, executor=executor,
                          jobs=jobs, progress=progress, out=out, by=by, period=period,
                          chunk_size=chunk_size, kind="sweep")
