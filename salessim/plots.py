"""The pictures incentive designers expect; each function returns ``(Figure, DataFrame)``.

The DataFrame holds exactly the numbers drawn, so a figure can be checked, tabled or drawn
again another way. Figures are :class:`matplotlib.figure.Figure` objects made without
pyplot (no global figure list to leak, any backend); Jupyter shows a returned figure.

- :func:`payout_curve`: pay against revenue attainment for each plan, from the plan's pay
  rules alone (R2.2.2.1), with the target incentive at 100%;
- :func:`kpi_distributions`: each KPI's spread over replications, by plan;
- :func:`forest`: paired differences against the baseline plan with their 95% intervals;
- :func:`cost_vs_revenue`: cost of sales against revenue over replications (sensitivity);
- :func:`pay_volatility`: the spread of pay among rep-periods at the same attainment;
- :func:`revenue_by_working_day`: revenue by working day of the quarter (period-end spike);
- :func:`funnel`: leads reaching each sales stage (R2.1.2-R2.1.3);
- :func:`cumulative_revenue`: one rep's revenue through the year against the target
  (R2.2.1.1);
- :func:`sweep_lines`: a KPI's mean and interval along a swept parameter, by plan.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

from . import kpi
from .experiment.metrics import END_DAYS, complete_periods, working_day_of_period
from .experiment.results import LABELS
from .incentives import load_plan
from .incentives.basis import at_target
from .regulation import Targets, _as_targets, _period_kind

if TYPE_CHECKING:
    from .calendar import WorkCalendar
    from .experiment import Results
    from .ledger import Ledger

__all__ = ["payout_curve", "kpi_distributions", "forest", "cost_vs_revenue", "pay_volatility",
           "revenue_by_working_day", "funnel", "cumulative_revenue", "sweep_lines"]

_PERIODS = {"M": "month", "Q": "quarter", "Y": "year"}
_PER = {"M": 1, "Q": 3, "Y": 12}
_CNY = FuncFormatter(lambda x, _: f"{x:,.0f}")


def _figure(width: float = 7.0, height: float = 4.2) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


def _axis_label(kpi_name: str) -> str:
    label, unit = LABELS[kpi_name]
    return f"{label} ({unit})"


def _format_axis(axis: Any, unit: str) -> None:
    if unit == "%":
        axis.set_major_formatter(PercentFormatter(1.0, decimals=1))
    elif unit == "CNY":
        axis.set_major_formatter(_CNY)


# ------------------------------------------------------------------ plans
def payout_curve(plans: Sequence[Any], period: str = "Q", attainments: Sequence[float] | None
                 = None, targets: Targets | dict | None = None,
                 vary: Sequence[str] = ("revenue", "collected")) -> tuple[Figure, pd.DataFrame]:
    """Pay per period against attainment of the revenue target, for each plan (R2.2.2.1).

    Computed from each plan's pay rules (:meth:`salessim.incentives.Plan.pay`) with no
    simulation: the measures in ``vary`` are set to ``attainment`` x their target, every
    other measure is held at its target. A plan paid per shorter periods (monthly) is paid
    for each of them at the same attainment.

    Parameters
    ----------
    plans : list
        Plan names, files, dicts or plans.
    period : {"M", "Q", "Y"}
        The period paid for (default a quarter); not shorter than any plan's pay period.
    attainments : list of float, optional
        Attainments (1.0 = 100%); default 0 to 200% in steps of 1%.
    targets : Targets or dict, optional
        The regulation's targets (R2.2.1); default its own.
    vary : list of str
        The measures that move with attainment.

    Returns
    -------
    (Figure, DataFrame)
        Columns ``plan``, ``attainment``, ``pay`` (CNY per period), ``target_pay``.
    """
    kind = _period_kind(period)
    grid = np.round(np.arange(0, 201) / 100, 2) if attainments is None else np.asarray(
        attainments, dtype="float64")
    base = _as_targets(targets)
    rows = []
    for spec in plans:
        plan = load_plan(spec)
        for k in plan.periods:
            if _PER[k] > _PER[kind]:
                raise ValueError(f"plan {plan.name!r} pays per {_PERIODS[k]}; draw its curve "
                                 f"per {_PERIODS[k]} or longer (period={k!r})")
        target_pay = plan.target_pay * base.revenue(kind)
        for a in grid:
            pay = 0.0
            for k in plan.periods:
                t = plan.targets_for(k, base)
                m = at_target({}, t)
                for name in vary:
                    m[name] = a * t.of_measure(name)
                pay += sum(plan.pay(k, m, t).values()) * (_PER[kind] // _PER[k])
            rows.append((plan.name, float(a), pay, target_pay))
    df = pd.DataFrame(rows, columns=["plan", "attainment", "pay", "target_pay"])
    fig = _figure()
    ax = fig.add_subplot()
    for name, g in df.groupby("plan", sort=False):
        ax.plot(g["attainment"], g["pay"], label=name)
    for tp in df["target_pay"].unique():
        ax.axhline(tp, color="grey", lw=0.8, ls="--")
    ax.axvline(1.0, color="grey", lw=0.8, ls=":", label="target (100%)")
    ax.set_title(f"Pay per rep-{_PERIODS[kind]} against revenue attainment")
    ax.set_xlabel("Attainment of the revenue target (%)")
    ax.set_ylabel(f"Incentive pay per {_PERIODS[kind]} (CNY)")
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=1))
    ax.yaxis.set_major_formatter(_CNY)
    ax.legend(title="plan (dashed: target pay)")
    return fig, df


# ------------------------------------------------------------------ experiments
def kpi_distributions(results: Results, kpis: Sequence[str] = ("revenue", "pay",
                      "cost_of_sales", "collection_rate")) -> tuple[Figure, pd.DataFrame]:
    """Each KPI's value per replication, by plan: box plots with the replications as dots.

    Returns
    -------
    (Figure, DataFrame)
        Columns ``point``, ``plan``, ``replication``, ``kpi``, ``value`` (first grid point).
    """
    per = results.per_replication(kpis)
    per = per[per["point"] == per["point"].min()]
    df = per.melt(id_vars=["point", "plan", "replication"], value_vars=list(kpis),
                  var_name="kpi", value_name="value")
    fig = _figure(3.2 * len(kpis), 4.0)
    axes = fig.subplots(1, len(kpis), squeeze=False)[0]
    plans = results.plans
    for ax, k in zip(axes, kpis, strict=True):
        values = [df[(df["kpi"] == k) & (df["plan"] == p)]["value"].dropna() for p in plans]
        ax.boxplot(values, tick_labels=plans, showfliers=False)
        for i, v in enumerate(values, start=1):
            ax.plot(np.full(len(v), i) + np.linspace(-0.12, 0.12, len(v)), v, ".", ms=3,
                    alpha=0.5, color="tab:blue")
        label, unit = LABELS[k]
        ax.set_title(label, fontsize="medium")
        ax.set_ylabel(f"per {results.unit_words()}, mean of a replication ({unit})")
        _format_axis(ax.yaxis, unit)
        ax.tick_params(axis="x", labelrotation=30)
    fig.suptitle(f"KPIs over {results.config['replications']} replications, by plan")
    return fig, df


def forest(results: Results, kpis: Sequence[str] | None = None, baseline: str | None = None,
           level: float = 0.95) -> tuple[Figure, pd.DataFrame]:
    """Paired differences against the baseline plan with their intervals (a forest plot).

    Differences are drawn as a percentage of the baseline's mean, so KPIs in CNY, counts and
    rates share one axis; the table also holds the differences in the KPI's own unit.

    Returns
    -------
    (Figure, DataFrame)
        :meth:`Results.differences` (first grid point) plus ``relative``, ``rel_low`` and
        ``rel_high`` (fractions of the baseline mean).
    """
    from .experiment.results import HEADLINE

    kpis = list(HEADLINE) if kpis is None else list(kpis)
    d = results.differences(baseline, kpis, level)
    d = d[d["point"] == d["point"].min()].reset_index(drop=True)
    scale = d["baseline_mean"].abs().where(d["baseline_mean"] != 0)
    d = d.assign(relative=d["difference"] / scale, rel_low=d["low"] / scale,
                 rel_high=d["high"] / scale)
    fig = _figure(8.0, 0.35 * len(d) + 1.8)
    ax = fig.add_subplot()
    y = np.arange(len(d))[::-1]
    err = np.vstack([d["relative"] - d["rel_low"], d["rel_high"] - d["relative"]])
    ax.errorbar(d["relative"], y, xerr=np.nan_to_num(err), fmt="o", color="tab:blue",
                ecolor="tab:blue", capsize=3)
    ax.axvline(0.0, color="grey", lw=0.8)
    labels = [f"{LABELS[k][0]}: {p}" for k, p in zip(d["kpi"], d["plan"], strict=True)]
    ax.set_yticks(y, labels)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=1))
    base = d["baseline"].iloc[0] if len(d) else results.baseline
    ax.set_xlabel(f"Difference from {base} (% of its mean), {level:.0%} paired interval")
    ax.set_title(f"Each plan against {base}\n(an interval crossing 0 is not a clear difference)",
                 fontsize="medium")
    return fig, d


def cost_vs_revenue(results: Results) -> tuple[Figure, pd.DataFrame]:
    """Cost of sales against revenue, one dot per replication and plan (sensitivity).

    Returns
    -------
    (Figure, DataFrame)
        Columns ``plan``, ``replication``, ``revenue`` (CNY per row unit), ``pay``,
        ``cost_of_sales``, ``revenue_target`` (first grid point).
    """
    cols = ["revenue", "pay", "cost_of_sales", "revenue_target"]
    per = results.per_replication(cols)
    df = per[per["point"] == per["point"].min()][["plan", "replication", *cols]]
    fig = _figure()
    ax = fig.add_subplot()
    for name, g in df.groupby("plan", sort=False):
        ax.scatter(g["revenue"], g["cost_of_sales"], s=14, alpha=0.7, label=name)
    ax.axvline(df["revenue_target"].mean(), color="grey", ls=":", lw=0.8,
               label="revenue target")
    targets = {p["name"]: p.get("target_pay", 0.08) for p in results.config["plans"]}
    for tp in sorted(set(targets.values())):
        ax.axhline(tp, color="grey", ls="--", lw=0.8, label=f"target pay ({tp:.0%})")
    ax.set_title("Cost of sales against revenue, one dot per replication")
    ax.set_xlabel(f"Revenue per {results.unit_words()} (CNY)")
    ax.set_ylabel("Cost of sales: pay / revenue (%)")
    ax.xaxis.set_major_formatter(_CNY)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=1))
    ax.legend()
    return fig, df.reset_index(drop=True)


def pay_volatility(results: Results, attainment: float = 1.0,
                   tolerance: float = 0.1) -> tuple[Figure, pd.DataFrame]:
    """The spread of pay among rows at about the same attainment, by plan (volatility).

    Keeps the rows (e.g. rep-quarters) whose attainment lies within ``attainment +/-
    tolerance`` and shows their pay by plan: the pay a rep can expect at that performance,
    and how much luck in the other measures moves it.

    Returns
    -------
    (Figure, DataFrame)
        The rows kept: ``plan``, ``replication``, ``attainment``, ``pay``.
    """
    data = results.data
    keep = (data["attainment"] - attainment).abs() <= tolerance
    df = data.loc[keep & (data["point"] == data["point"].min()),
                  ["plan", "replication", "attainment", "pay"]].reset_index(drop=True)
    fig = _figure()
    ax = fig.add_subplot()
    plans = results.plans
    ax.boxplot([df[df["plan"] == p]["pay"] for p in plans], tick_labels=plans)
    kind = results.config["period"]
    rev = data["revenue_target"].mean() if len(data) else np.nan
    for p in results.config["plans"]:
        ax.axhline(p.get("target_pay", 0.08) * rev * attainment, color="grey", ls="--",
                   lw=0.8)
    ax.set_title(f"Pay at {attainment:.0%} +/- {tolerance:.0%} attainment ({len(df)} "
                 f"{results.unit_words()}s; dashed: target pay there)", fontsize="medium")
    ax.set_ylabel(f"Incentive pay per {_PERIODS[kind]} (CNY)")
    ax.set_xlabel("plan")
    ax.yaxis.set_major_formatter(_CNY)
    return fig, df


def sweep_lines(results: Results, kpi_name: str = "revenue",
                parameter: str | None = None) -> tuple[Figure, pd.DataFrame]:
    """A KPI's mean with its 95% interval along a swept parameter, one line per plan.

    Other swept parameters are held at their first value.
    """
    grid = results.grid
    if not grid:
        raise ValueError("these results have no grid; use sweep() to vary a parameter")
    parameter = next(iter(grid)) if parameter is None else parameter
    summ = results.summary([kpi_name])
    for other, values in grid.items():
        if other != parameter:
            summ = summ[summ[other] == values[0]]
    fig = _figure()
    ax = fig.add_subplot()
    for name, g in summ.groupby("plan", sort=False):
        ax.errorbar(g[parameter], g["mean"], yerr=g["half_width"], capsize=3, marker="o",
                    label=name)
    ax.set_title(f"{LABELS[kpi_name][0]} along {parameter} (95% intervals)")
    ax.set_xlabel(parameter)
    ax.set_ylabel(f"{_axis_label(kpi_name)} per {results.unit_words()}")
    _format_axis(ax.yaxis, LABELS[kpi_name][1])
    ax.legend(title="plan")
    return fig, summ.reset_index(drop=True)


# ------------------------------------------------------------------ one ledger
def revenue_by_working_day(ledger: Ledger, calendar: WorkCalendar, period: str = "Q",
                           end_days: int = END_DAYS) -> tuple[Figure, pd.DataFrame]:
    """Mean revenue signed on each working day of the quarter: the period-end spike.

    Working days follow the team's calendar (:class:`salessim.calendar.WorkCalendar`, e.g.
    ``run.calendar``); only quarters (or months, years) entirely within it count.

    Returns
    -------
    (Figure, DataFrame)
        Columns ``working_day`` (1 = the period's first), ``revenue`` (mean CNY over the
        periods), ``periods`` (how many periods have that day).
    """
    kind = _period_kind(period)
    labels = complete_periods(calendar, kind)
    if not labels:
        raise ValueError(f"the calendar holds no whole {_PERIODS[kind]}")
    deals = ledger.deals
    label = deals["signed_on"].dt.to_period(kind).astype("str")
    deals = deals[label.isin(labels)]
    day = working_day_of_period(deals["signed_on"], calendar, kind)
    lengths = np.array([len(calendar.dates[(calendar.dates >= np.datetime64(p.start_time.date()))
                                           & (calendar.dates <= np.datetime64(
                                               p.end_time.date()))])
                        for p in pd.PeriodIndex(labels, freq=kind)])
    days = np.arange(1, lengths.max() + 1)
    total = pd.Series(deals["amount"].to_numpy(), index=day).groupby(level=0).sum()
    having = np.array([(lengths >= d).sum() for d in days])
    df = pd.DataFrame({"working_day": days,
                       "revenue": total.reindex(days, fill_value=0.0).to_numpy() / having,
                       "periods": having})
    fig = _figure()
    ax = fig.add_subplot()
    ax.bar(df["working_day"], df["revenue"], width=0.9, color="tab:blue")
    last = float(np.median(lengths))
    ax.axvspan(last - end_days + 0.5, last + 0.5, color="tab:orange", alpha=0.2,
               label=f"last {end_days} working days (median {_PERIODS[kind]})")
    ax.set_title(f"Revenue by working day of the {_PERIODS[kind]} "
                 f"(mean over {len(labels)} {_PERIODS[kind]}s)")
    ax.set_xlabel(f"Working day of the {_PERIODS[kind]} (days)")
    ax.set_ylabel("Revenue signed per working day (CNY)")
    ax.yaxis.set_major_formatter(_CNY)
    ax.legend()
    return fig, df


def funnel(ledger: Ledger, stages: Sequence[str] = kpi.STAGES) -> tuple[Figure, pd.DataFrame]:
    """Leads reaching each sales stage, from the stage conversions (R2.1.2-R2.1.3).

    Built from :func:`salessim.kpi.stage_conversion` per year: the leads created times the
    running product of the conversions.

    Returns
    -------
    (Figure, DataFrame)
        Columns ``stage``, ``leads`` (reaching it), ``conversion`` (share of the previous
        stage's leads), ``of_all`` (share of all leads).
    """
    stages = tuple(stages)
    conv = kpi.stage_conversion(ledger, "Y", "company", stages=stages)
    leads = ledger.table("leads")
    created = leads["created_on"].dt.to_period("Y").astype("str").value_counts()
    reached = np.zeros(len(stages))
    for year, g in conv.groupby("period", sort=True):
        rates = g.set_index("stage")["stage_conversion"].reindex(stages[:-1]).fillna(0.0)
        reached += created.get(year, 0) * np.concatenate([[1.0], np.cumprod(rates.to_numpy())])
    reached = np.round(reached, 6)
    prev = np.concatenate([[np.nan], reached[:-1]])
    df = pd.DataFrame({"stage": list(stages), "leads": reached,
                       "conversion": np.where(prev > 0, reached / np.where(prev > 0, prev, 1),
                                              np.nan),
                       "of_all": reached / reached[0] if reached[0] > 0 else np.nan})
    fig = _figure()
    ax = fig.add_subplot()
    y = np.arange(len(stages))[::-1]
    ax.barh(y, df["leads"], color="tab:blue")
    for yi, n, c in zip(y, df["leads"], df["conversion"], strict=True):
        note = f"{n:,.0f}" + ("" if np.isnan(c) else f"  ({c:.0%} of previous)")
        ax.text(n, yi, " " + note, va="center", fontsize="small")
    ax.set_yticks(y, list(stages))
    ax.set_title("Sales funnel: leads reaching each stage")
    ax.set_xlabel("Leads (count)")
    ax.xaxis.set_major_formatter(_CNY)
    ax.set_xlim(0, max(1.0, float(df["leads"].max())) * 1.35)
    return fig, df


def cumulative_revenue(ledger: Ledger, rep_id: str, targets: Targets | dict | None = None
                       ) -> tuple[Figure, pd.DataFrame]:
    """One rep's cumulative revenue against the cumulative monthly target (R2.2.1.1).

    Returns
    -------
    (Figure, DataFrame)
        One row per calendar month of the ledger: ``month``, ``revenue`` (CNY),
        ``cumulative``, ``target`` (cumulative target at the month's end).
    """
    monthly = kpi.revenue(ledger, "M", "rep")
    if rep_id not in set(monthly["rep_id"]):
        raise ValueError(f"rep_id {rep_id!r} is not in the ledger; reps: "
                         f"{', '.join(sorted(monthly['rep_id'].unique())[:10])}")
    mine = monthly[monthly["rep_id"] == rep_id].reset_index(drop=True)
    last_sale = ledger.deals["signed_on"].max()
    if pd.notna(last_sale):
        mine = mine[mine["period"] <= str(last_sale.to_period("M"))]
    goal = _as_targets(targets).revenue("M")
    df = pd.DataFrame({"month": mine["period"], "revenue": mine["revenue"],
                       "cumulative": mine["revenue"].cumsum(),
                       "target": goal * np.arange(1, len(mine) + 1)})
    ends = [pd.Period(m, "M").end_time.normalize() for m in df["month"]]
    deals = ledger.deals[ledger.deals["rep_id"] == rep_id].sort_values("signed_on")
    deals = deals[deals["signed_on"] <= (ends[-1] if ends else last_sale)]
    fig = _figure()
    ax = fig.add_subplot()
    ax.step(deals["signed_on"], deals["amount"].cumsum(), where="post", label="revenue")
    if ends:
        start = pd.Period(df["month"].iloc[0], "M").start_time
        ax.plot([start, *ends], [0.0, *df["target"]], color="tab:red", ls="--",
                label=f"target ({goal:,.0f} CNY a month)")
    ax.set_title(f"Cumulative revenue of {rep_id} against target")
    ax.set_xlabel("Date")
    ax.set_ylabel("Cumulative revenue (CNY)")
    ax.yaxis.set_major_formatter(_CNY)
    ax.legend()
    fig.autofmt_xdate()
    return fig, df
