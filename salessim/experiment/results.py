"""The results of an experiment: a tidy table, its summaries, and words a trainer can read.

:class:`Results` holds one row per grid point, plan, replication, period and rep (or team,
or the company) with every KPI of :data:`salessim.experiment.metrics.KPIS`. Replications are
the independent units: each replication's rows are first reduced to one value per KPI
(:meth:`Results.per_replication`), and the intervals are computed over those values.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .metrics import KPIS, group_column
from .stats import mean_ci, paired_ci, replications_needed, welch_ci

__all__ = ["Results", "load_results", "canonical_frame", "HEADLINE", "LABELS"]

LABELS: dict[str, tuple[str, str]] = {
    "revenue": ("Revenue", "CNY"),
    "revenue_target": ("Revenue target", "CNY"),
    "attainment": ("Attainment of the revenue target", "%"),
    "new_customers": ("New customers", "customers"),
    "new_customer_target": ("New-customer target", "customers"),
    "retention_rate": ("Retention rate", "%"),
    "collection_rate": ("Collection rate", "%"),
    "meets_revenue": ("Share on revenue target", "%"),
    "meets_new_customers": ("Share on new-customer target", "%"),
    "meets_retention": ("Share on retention target", "%"),
    "meets_collection": ("Share on collection target", "%"),
    "pay": ("Incentive pay", "CNY"),
    "cost_of_sales": ("Cost of sales (pay / revenue)", "%"),
    "mean_discount": ("Mean discount", "%"),
    "period_end_revenue": ("Revenue in the last 10 working days", "CNY"),
    "period_end_share": ("Share of revenue signed in the last 10 working days", "%"),
    "delivery_delay": ("Wait for the delivery team", "days"),
}
"""Plain-words label and unit of each KPI."""

HEADLINE: tuple[str, ...] = (
    "revenue", "attainment", "new_customers", "retention_rate", "collection_rate", "pay",
    "cost_of_sales", "mean_discount", "period_end_share", "delivery_delay",
)
"""The KPIs of the printed summary."""

_PER_UNIT = ("revenue", "revenue_target", "new_customers", "new_customer_target", "pay",
             "period_end_revenue")
_RATIOS = {"cost_of_sales": ("pay", "revenue"),
           "period_end_share": ("period_end_revenue", "revenue")}
_PERIOD_WORDS = {"M": "month", "Q": "quarter", "Y": "year"}


def _grid_frame(grid: Mapping[str, Sequence[Any]]) -> pd.DataFrame:
    combos = list(itertools.product(*grid.values()))
    frame = pd.DataFrame(combos, columns=list(grid)) if grid else pd.DataFrame(index=[0])
    return frame.assign(point=np.arange(len(frame), dtype="int64"))


def canonical_frame(frames: Sequence[pd.DataFrame], config: Mapping[str, Any],
                    replications: int | None = None) -> pd.DataFrame:
    """The tidy results table from chunk frames: grid columns added, rows sorted, one dtype
    per column, so equal results give equal tables whatever the order they arrived in."""
    col = group_column(config["by"])
    keys = ["period"] + ([col] if col else [])
    if frames:
        data = pd.concat(list(frames), ignore_index=True)
    else:
        data = pd.DataFrame(columns=["point", "plan", "replication", "seed", *keys, *KPIS])
    if replications is not None:
        data = data[data["replication"] < replications]
    order = {p["name"]: i for i, p in enumerate(config["plans"])}
    data = data.astype({"point": "int64", "replication": "int64", "seed": "int64",
                        "plan": "str", **{k: "str" for k in keys}})
    dup = data.duplicated(["point", "plan", "replication", *keys])
    if dup.any():
        raise ValueError(f"results hold {int(dup.sum())} duplicated rows, e.g. "
                         f"{data[dup].iloc[0][['point', 'plan', 'replication']].to_dict()}")
    data = data.assign(_k=data["plan"].map(order)).sort_values(
        ["point", "_k", "replication", *keys], kind="stable").drop(columns="_k")
    grid = _grid_frame(config.get("grid") or {})
    data = data.merge(grid, on="point", how="left", validate="m:1")
    front = ["point", *grid.columns.drop("point"), "plan", "replication", "seed", *keys]
    return data[front + [c for c in KPIS if c in data.columns]].reset_index(drop=True)


@dataclass(frozen=True, eq=False)
class Results:
    """An experiment's results (see :func:`salessim.experiment.compare`).

    Attributes
    ----------
    data : pandas.DataFrame
        The tidy table: ``point``, one column per grid parameter (sweeps), ``plan``,
        ``replication``, ``seed``, ``period``, ``rep_id``/``team`` (as asked), then the KPIs.
    config : dict
        What was run: ``scenario``, ``plans``, ``seed``, ``grid``, ``period``, ``by``,
        ``replications``.
    path : Path or None
        The results folder, when the run wrote one.
    """

    data: pd.DataFrame
    config: dict[str, Any]
    path: Path | None = field(default=None)

    # ------------------------------------------------------------ what is there
    @property
    def plans(self) -> list[str]:
        """Plan names, in the order given."""
        return [p["name"] for p in self.config["plans"]]

    @property
    def grid(self) -> dict[str, list[Any]]:
        """The swept parameters and their values (empty for a comparison)."""
        return dict(self.config.get("grid") or {})

    @property
    def baseline(self) -> str:
        """The plan differences are taken against: the first plan."""
        return self.plans[0]

    @property
    def complete(self) -> bool:
        """True when every point, plan and replication has its rows."""
        want = len(_grid_frame(self.grid)) * len(self.plans) * self.config["replications"]
        have = len(self.data[["point", "plan", "replication"]].drop_duplicates())
        return have == want

    def _keys(self) -> list[str]:
        return ["point", *self.grid, "plan"]

    def _kpis(self, kpis: Sequence[str] | str | None) -> list[str]:
        kpis = list(KPIS) if kpis is None else [kpis] if isinstance(kpis, str) else list(kpis)
        unknown = [k for k in kpis if k not in KPIS]
        if unknown:
            raise ValueError(f"unknown KPI(s) {', '.join(map(repr, unknown))}; KPIs are "
                             f"{', '.join(KPIS)}")
        return kpis

    # ------------------------------------------------------------ summaries
    def per_replication(self, kpis: Sequence[str] | None = None) -> pd.DataFrame:
        """One value per grid point, plan, replication and KPI (wide: one column per KPI).

        A replication's value is the mean over its rows (e.g. revenue per rep-quarter, the
        share of rep-quarters on target), except ``cost_of_sales`` (total pay / total
        revenue) and ``period_end_share`` (end-of-period revenue / revenue), which are
        ratios of the replication's totals.
        """
        kpis = self._kpis(kpis)
        keys = [*self._keys(), "replication"]
        g = self.data.groupby(keys, sort=False, dropna=False)
        num = [c for c in KPIS if c not in _RATIOS]
        out = g[num].mean()
        sums = g[["pay", "revenue", "period_end_revenue"]].sum()
        for name, (top, bottom) in _RATIOS.items():
            out[name] = sums[top] / sums[bottom].where(sums[bottom] > 0)
        return out[kpis].astype("float64").reset_index()

    def summary(self, kpis: Sequence[str] | None = None, level: float = 0.95) -> pd.DataFrame:
        """Per grid point, plan and KPI: the mean over replications and its t interval.

        Columns: the keys, ``kpi``, ``mean``, ``low``, ``high``, ``half_width``, ``sd``,
        ``n`` (replications).
        """
        kpis = self._kpis(kpis)
        per = self.per_replication(kpis)
        rows = []
        for key, grp in per.groupby(self._keys(), sort=False, dropna=False):
            for k in kpis:
                ci = mean_ci(grp[k], level)
                rows.append((*key, k, ci.mean, ci.low, ci.high, ci.half_width, ci.sd, ci.n))
        return pd.DataFrame(rows, columns=[*self._keys(), "kpi", "mean", "low", "high",
                                           "half_width", "sd", "n"])

    def differences(self, baseline: str | None = None, kpis: Sequence[str] | None = None,
                    level: float = 0.95, paired: bool = True) -> pd.DataFrame:
        """Each plan minus the baseline plan, per grid point and KPI, with its interval.

        Paired (default): replication ``i`` of both plans met the same random numbers, so
        the interval is the t interval of the per-replication differences. ``paired=False``
        gives the Welch interval, as if the plans had been run on independent replications.

        Columns: the keys, ``baseline``, ``kpi``, ``baseline_mean``, ``plan_mean``,
        ``difference``, ``low``, ``high``, ``half_width``, ``n``, ``verdict`` (``clearly
        higher``, ``clearly lower``, ``not clearly different``, ``the same in every
        replication``, or ``not defined`` when the KPI never is, e.g. retention in a first
        quarter).
        """
        baseline = self.baseline if baseline is None else baseline
        if baseline not in self.plans:
            raise ValueError(f"baseline {baseline!r} is not one of the plans "
                             f"({', '.join(self.plans)})")
        kpis = self._kpis(kpis)
        per = self.per_replication(kpis)
        grid = list(self.grid)
        rows = []
        for point, grp in per.groupby("point", sort=False):
            base = grp[grp["plan"] == baseline].set_index("replication")
            for plan in self.plans:
                if plan == baseline:
                    continue
                other = grp[grp["plan"] == plan].set_index("replication")
                reps = base.index.intersection(other.index)
                for k in kpis:
                    a, b = base.loc[reps, k], other.loc[reps, k]
                    ci = paired_ci(a, b, level) if paired else welch_ci(base[k], other[k],
                                                                          level)
                    rows.append((point, *grp[grid].iloc[0], plan, baseline, k,
                                 float(a.mean()), float(b.mean()), ci.mean, ci.low, ci.high,
                                 ci.half_width, ci.n, ci.verdict))
        return pd.DataFrame(rows, columns=["point", *grid, "plan", "baseline", "kpi",
                                           "baseline_mean", "plan_mean", "difference", "low",
                                           "high", "half_width", "n", "verdict"])

    def replications_needed(self, half_width: float | Mapping[str, float],
                            kpis: Sequence[str] | None = None, relative: bool = False,
                            level: float = 0.95) -> pd.DataFrame:
        """Replications needed for each mean and each difference to reach a precision.

        Uses this run as the pilot: its spread between replications (for a difference, of
        the paired differences) and :func:`salessim.experiment.stats.replications_needed`.

        Parameters
        ----------
        half_width : float or dict
            The half-width wanted (``+/-``), in the KPI's unit (CNY, a fraction for rates),
            or per KPI as a dict; with ``relative=True``, a fraction of the baseline mean.
        kpis : list of str, optional
            Default: the KPIs in ``half_width`` when it is a dict, else :data:`HEADLINE`.

        Returns
        -------
        pandas.DataFrame
            The keys, ``kpi``, ``estimate`` (``mean`` or ``difference vs <baseline>``),
            ``sd``, ``half_width``, ``replications`` (done), ``replications_needed``.
        """
        if kpis is None:
            kpis = list(half_width) if isinstance(half_width, Mapping) else list(HEADLINE)
        kpis = self._kpis(kpis)
        per = self.per_replication(kpis)
        rows = []
        for key, grp in per.groupby(self._keys(), sort=False, dropna=False):
            plan = key[-1]
            base = per[(per["point"] == key[0]) & (per["plan"] == self.baseline)]
            for k in kpis:
                hw = half_width[k] if isinstance(half_width, Mapping) else half_width
                if relative:
                    hw = hw * abs(float(base[k].mean()))
                estimates = [("mean", grp[k].to_numpy())]
                if plan != self.baseline:
                    diff = (grp.set_index("replication")[k]
                            - base.set_index("replication")[k]).dropna()
                    estimates.append((f"difference vs {self.baseline}", diff.to_numpy()))
                for what, x in estimates:
                    x = x[~np.isnan(x)]
                    need = replications_needed(x, hw, level) if len(x) > 1 and hw > 0 \
                        else math.nan
                    rows.append((*key, k, what, float(np.std(x, ddof=1)) if len(x) > 1
                                 else math.nan, hw, len(x), need))
        return pd.DataFrame(rows, columns=[*self._keys(), "kpi", "estimate", "sd",
                                           "half_width", "replications",
                                           "replications_needed"])

    # ------------------------------------------------------------ words
    def unit_words(self) -> str:
        """What one row is: ``rep-quarter``, ``team-month``, ``quarter (whole company)``."""
        p = _PERIOD_WORDS[self.config["period"]]
        by = self.config["by"]
        return f"{p} (whole company)" if group_column(by) is None else f"{by}-{p}"

    def format_summary(self, kpis: Sequence[str] | None = None, baseline: str | None = None,
                       level: float = 0.95) -> str:
        """The summary in plain words, one line per KPI and plan, for a trainer.

        Example line: ``Revenue per rep-quarter: regulation 312,400 CNY vs linear 305,100
        CNY; difference +7,300 CNY (95% range -2,100 to +16,700: not clearly different)``.
        """
        from .wording import format_summary

        return format_summary(self, list(HEADLINE) if kpis is None else self._kpis(kpis),
                              self.baseline if baseline is None else baseline, level)


def load_results(path: str | Path) -> Results:
    """The results in a results folder (also those of an unfinished run)."""
    from .store import ResultsFolder

    config = ResultsFolder.read_config(path)
    frames = ResultsFolder.read_parts(path)
    return Results(canonical_frame(frames, config, config["replications"]), config, Path(path))
