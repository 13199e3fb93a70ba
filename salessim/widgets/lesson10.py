"""Lesson 10 dashboards: the incentive lab for trainers (R2.2.2.1, R3.2.1, R3.3.2).

A trainer who wants to revise the pay plan on evidence (R3.2.1) runs candidate incentive
plans (激励方案) on the same simulated team, many times, and reads the differences with their
confidence intervals (置信区间). The lab's team is :func:`salessim.effects.behaviour_scenario`
scaled to :data:`REPS` reps over :data:`MONTHS` months: web leads only, Monday-to-Friday
working days, and reps who weigh pay against the procedure
(``decision.incentive_sensitivity`` = :data:`salessim.effects.SENSITIVITY`). The first
quarter fills the empty pipeline and is left out of every comparison (:func:`analysed`).

- :func:`run_lab` runs :func:`salessim.experiment.compare` on the lab's team, once; every
  function below recomputes from its :class:`~salessim.experiment.Results`, so a dashboard
  answers at once.
- :func:`compute_interval` gives a plan's paired difference from the baseline plan on one
  KPI with its 95% interval, using only the first ``replications`` replications, and how
  the interval narrows as replications are added; :func:`plot_interval` draws both and
  :func:`interval_dashboard` puts a KPI menu, a plan menu and a replications slider on it.
- :func:`plot_plan_means` draws each plan's mean of a KPI with its interval and a reference
  line (a target, or the share of working days at a period's end).
- :func:`even_share` is the share of a quarter's revenue its last 10 working days would
  hold if revenue came in evenly.
- :func:`cost_at_equal_results` prices the baseline's results under every plan, so that a
  plan's cost is compared at equal attainment and not confused with what it changed.
"""

from __future__ import annotations

import html
import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..calendar import WorkCalendar
from ..effects import SENSITIVITY, behaviour_scenario
from ..experiment import Interval, Results, compare, paired_ci
from ..experiment.metrics import END_DAYS, KPIS
from ..experiment.results import LABELS
from ..incentives import load_plan
from ..scenario import Scenario
from .errors import shows_errors
from .image import png
from .lesson07 import compute_earnings

__all__ = ["BASELINE", "DEFAULT_KPI", "DEFAULT_PLAN", "KPI_CHOICES", "MONTHS", "PLANS",
           "REPLICATIONS", "REPS", "SEED", "IntervalResult", "analysed", "compute_interval",
           "cost_at_equal_results", "even_share", "format_range", "format_value",
           "interval_dashboard", "lesson_scenario", "plot_interval", "plot_plan_means",
           "run_lab"]

#: The lab's team: reps and calendar months simulated.
REPS, MONTHS = 3, 6
#: The experiment's seed and its replications per plan.
SEED, REPLICATIONS = 2, 8
#: The plans compared; the first is the baseline of every difference.
PLANS: tuple[str, ...] = ("linear", "quota_bonus", "accelerator", "regulation")
BASELINE = PLANS[0]
#: The KPIs the dashboard offers, and the one it starts with (the period-end share, F1).
KPI_CHOICES: tuple[str, ...] = ("period_end_share", "revenue", "new_customers",
                                "collection_rate", "retention_rate", "mean_discount", "pay",
                                "cost_of_sales")
DEFAULT_KPI, DEFAULT_PLAN = "period_end_share", "quota_bonus"

_BLUE, _GREY, _RED, _GREEN = "#0969da", "#6e7781", "#cf222e", "#1a7f37"


# ------------------------------------------------------------------ the lab's experiment
def lesson_scenario(sensitivity: float = SENSITIVITY) -> Scenario:
    """The lab's team: :func:`~salessim.effects.behaviour_scenario` with :data:`REPS` reps
    over :data:`MONTHS` months, reps at incentive sensitivity ``sensitivity`` (0: they
    follow the procedure whatever the plan)."""
    return behaviour_scenario(REPS, MONTHS).with_overrides(
        {"decision.incentive_sensitivity": sensitivity})


def analysed(results: Results) -> Results:
    """The results without their first period, in which the team fills an empty pipeline.

    Raises
    ------
    ValueError
        When the results hold a single period.
    """
    periods = sorted(results.data["period"].unique(), key=pd.Period)
    if len(periods) < 2:
        raise ValueError(f"the results hold one period ({', '.join(periods)}); simulate at "
                         "least two so that one is left after the first fills the pipeline")
    data = results.data[results.data["period"] != periods[0]].reset_index(drop=True)
    return Results(data, results.config, results.path)


def run_lab(plans: Sequence[str] = PLANS, replications: int = REPLICATIONS, seed: int = SEED,
            sensitivity: float = SENSITIVITY) -> Results:
    """Compare ``plans`` on the lab's team (R2.2.2.1, R3.2.1): one row per rep and quarter.

    Replication ``i`` of every plan meets the same leads, customers and luck (common random
    numbers), also across calls with other plans or another ``sensitivity``. The first
    quarter is left out (:func:`analysed`).

    Returns
    -------
    salessim.experiment.Results
    """
    return analysed(compare(lesson_scenario(sensitivity), list(plans), replications, seed,
                            progress=False, by="rep", period="Q"))


# ------------------------------------------------------------------ numbers in words
def _unit(kpi: str) -> str:
    return LABELS[kpi][1]


def format_value(x: float, kpi: str, sign: bool = False) -> str:
    """A KPI value as the lesson shows it: ``"+4,130 CNY"``, ``"+2.57 points"`` (a
    difference of rates), ``"17.41%"``, ``"50.79 customers"``."""
    if not math.isfinite(x):
        return "n/a"
    unit = _unit(kpi)
    plus = "+" if sign else ""
    if unit == "CNY":
        return f"{round(x) + 0:{plus},.0f} CNY"
    if unit == "%":
        value = round(100 * x, 2) + 0.0
        return f"{value:{plus}.2f} points" if sign else f"{value:.2f}%"
    return f"{round(x, 2) + 0.0:{plus},.2f} {unit}"


def format_range(low: float, high: float, kpi: str) -> str:
    """An interval's ends: ``"+0.22 to +4.92 points"``, ``"-882 to +31,073 CNY"``."""
    return (f"{format_value(low, kpi, sign=True).rsplit(' ', 1)[0]} to "
            f"{format_value(high, kpi, sign=True)}")


def _magnitude(x: float, kpi: str) -> str:
    """A half-width: ``"6,170 CNY"``, ``"2.35 points"``."""
    return format_value(x, kpi, sign=True).lstrip("+")


# ------------------------------------------------------------------ the paired difference
@dataclass(frozen=True, eq=False)
class IntervalResult:
    """A plan's paired difference from the baseline on one KPI (R3.2.1).

    Attributes
    ----------
    kpi, plan, baseline : str
        What is compared: ``plan`` minus ``baseline``.
    differences : pandas.Series
        Each replication's difference (index: replication), all of those run.
    interval : Interval
        The mean difference and its 95% interval over the first ``replications``
        (:func:`salessim.experiment.paired_ci`).
    path : pandas.DataFrame
        One row per number of replications used, from 2 to all: ``replications``,
        ``difference``, ``low``, ``high``, ``half_width``.
    """

    kpi: str
    plan: str
    baseline: str
    differences: pd.Series
    interval: Interval
    path: pd.DataFrame

    @property
    def replications(self) -> int:
        """Replications used."""
        return self.interval.n

    @property
    def available(self) -> int:
        """Replications run."""
        return len(self.differences)

    @property
    def verdict(self) -> str:
        """``clearly higher``, ``clearly lower``, ``not clearly different`` or ``the same in
        every replication``."""
        return self.interval.verdict

    @property
    def label(self) -> str:
        """The KPI in words, e.g. ``"Share of revenue signed in the last 10 working days"``."""
        return LABELS[self.kpi][0]

    @property
    def headline(self) -> str:
        """``"quota_bonus - linear: +2.57 points with 8 replications"``."""
        ci = self.interval
        n = f"{ci.n} replication{'s' * (ci.n != 1)}"
        return (f"{self.plan} - {self.baseline}: {format_value(ci.mean, self.kpi, True)} "
                f"with {n}")

    @property
    def range_text(self) -> str:
        """``"95% CI +0.22 to +4.92 points, half-width 2.35 points: clearly higher"``."""
        ci = self.interval
        if self.verdict == "the same in every replication":
            return "the same in every replication: no range to show"
        return (f"{ci.level:.0%} CI {format_range(ci.low, ci.high, self.kpi)}, "
                f"half-width {_magnitude(ci.half_width, self.kpi)}: {self.verdict}")

    def summary(self) -> str:
        """The difference, its interval and its verdict, as text."""
        return f"{self.label}\n{self.headline}\n{self.range_text}"

    def _repr_html_(self) -> str:
        colour = {"clearly higher": _GREEN, "clearly lower": _RED}.get(self.verdict, _GREY)
        return (f"<b>{html.escape(self.headline)}</b><br>"
                f'<span style="color: {colour};">{html.escape(self.range_text)}</span><br>'
                f"<small>{html.escape(self.label)}; {self.available} replications run, the "
                f"first {self.replications} used.</small>")


def _per_plan(per: pd.DataFrame, kpi: str, plan: str) -> pd.Series:
    return per[per["plan"] == plan].set_index("replication")[kpi].sort_index()


def compute_interval(results: Results, kpi: str = DEFAULT_KPI, plan: str = DEFAULT_PLAN,
                     replications: int | None = None) -> IntervalResult:
    """A plan's paired difference from the baseline plan over the first replications.

    Parameters
    ----------
    results : salessim.experiment.Results
        A comparison of plans (:func:`run_lab`); its first plan is the baseline.
    kpi : str
        One of :data:`salessim.experiment.KPIS`.
    plan : str
        A plan of ``results`` other than the baseline.
    replications : int, optional
        Use replications ``0`` to ``replications - 1``; at least 2, all by default.

    Returns
    -------
    IntervalResult

    Raises
    ------
    ValueError
        For an unknown KPI or plan, the baseline as ``plan``, or a number of replications
        outside 2 to those run.
    """
    if kpi not in KPIS:
        raise ValueError(f"unknown KPI {kpi!r}; KPIs are {', '.join(KPIS)}")
    baseline = results.baseline
    if plan not in results.plans or plan == baseline:
        others = [p for p in results.plans if p != baseline]
        raise ValueError(f"plan {plan!r} is not allowed: give one of {', '.join(others)} "
                         f"(differences are taken against {baseline})")
    if len(results.grid):
        raise ValueError("compute_interval reads a comparison of plans, not a sweep")
    per = results.per_replication([kpi])
    base, other = _per_plan(per, kpi, baseline), _per_plan(per, kpi, plan)
    reps = base.index.intersection(other.index)
    base, other = base.loc[reps], other.loc[reps]
    available = len(reps)
    n = available if replications is None else replications
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or not 2 <= n <= available:
        raise ValueError(f"replications: {replications!r} is not allowed: give a whole number "
                         f"from 2 to {available} (the replications run)")
    a, b = base.to_numpy(), other.to_numpy()
    rows = []
    for k in range(2, available + 1):
        ci = paired_ci(a[:k], b[:k])
        rows.append((k, ci.mean, ci.low, ci.high, ci.half_width))
    path = pd.DataFrame(rows, columns=["replications", "difference", "low", "high",
                                       "half_width"])
    return IntervalResult(kpi=kpi, plan=plan, baseline=baseline,
                          differences=(other - base).rename("difference"),
                          interval=paired_ci(a[:n], b[:n]), path=path)


def _scale(kpi: str) -> tuple[float, str]:
    unit = _unit(kpi)
    return (100.0, "percentage points") if unit == "%" else (1.0, unit)


def plot_interval(result: IntervalResult) -> Figure:
    """Each replication's difference, and the running mean with its 95% interval.

    Crosses: replication ``i``'s difference at ``x = i`` (those used in blue, the others
    grey). Line and band: the mean difference and its interval over the first ``x``
    replications, for ``x`` from 2 to all run; a dashed line marks the number used. Rates are
    shown in percentage points.

    Returns a new :class:`matplotlib.figure.Figure`; the numbers behind it are
    ``result.differences`` and ``result.path``.
    """
    k, unit = _scale(result.kpi)
    ci = result.interval
    fig = Figure(figsize=(8, 4.4))
    ax = fig.subplots(gridspec_kw=dict(left=0.12, right=0.97, bottom=0.12, top=0.84))
    p = result.path
    ax.fill_between(p["replications"], k * p["low"], k * p["high"], color=_BLUE, alpha=0.15,
                    label="95% CI of the mean of the first x")
    ax.plot(p["replications"], k * p["difference"], color=_BLUE, marker="o", markersize=4,
            label="mean of the first x replications")
    x = result.differences.index.to_numpy() + 1
    y = k * result.differences.to_numpy()
    used = x <= ci.n
    ax.scatter(x[used], y[used], color=_BLUE, marker="x", zorder=3,
               label="one replication's difference")
    if not used.all():  # grey: run, but not used
        ax.scatter(x[~used], y[~used], color=_GREY, marker="x", zorder=3)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.axvline(ci.n, color=_GREY, linestyle="--", linewidth=1)
    shown = np.r_[y, 0.0, k * ci.low, k * ci.high]
    shown = shown[np.isfinite(shown)]
    pad = 0.15 * max(shown.max() - shown.min(), 1e-9)
    ax.set_ylim(shown.min() - pad, shown.max() + pad)  # a 2-replication band can be huge
    ax.set_xticks(x)
    ax.set_xlabel("replication (x)")
    ax.set_ylabel(f"{result.plan} - {result.baseline} ({unit})")
    if unit == "CNY":
        ax.yaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, frameon=False,
              fontsize="x-small")
    fig.suptitle(f"{result.label}: {result.verdict} with {ci.n} replications",
                 fontsize="medium")
    return fig


def interval_dashboard(results: Results, kpis: Sequence[str] = KPI_CHOICES):
    """A KPI menu, a plan menu and a replications slider over an experiment's results.

    Nothing is simulated: every change recomputes the paired difference and its interval
    from ``results`` (:func:`compute_interval`).

    Returns
    -------
    ipywidgets.VBox
        The main control is the slider ``Replications``; the difference is shown in the
        HTML widget ``Difference``, with the CSS class ``salessim-result`` ("... half-width
        2.35 points: clearly higher"), above the plot.
    """
    import ipywidgets as widgets

    wide = {"description_width": "initial"}
    layout = widgets.Layout(width="460px")
    others = [p for p in results.plans if p != results.baseline]
    kpi = widgets.Dropdown(options=[(LABELS[k][0], k) for k in kpis],
                           value=DEFAULT_KPI if DEFAULT_KPI in kpis else kpis[0],
                           description="KPI", style=wide, layout=layout)
    plan = widgets.Dropdown(options=others,
                            value=DEFAULT_PLAN if DEFAULT_PLAN in others else others[0],
                            description=f"Plan (against {results.baseline})", style=wide)
    run = int(results.data["replication"].nunique())
    n = widgets.IntSlider(value=run, min=2, max=run, step=1, description="Replications",
                          continuous_update=False, style=wide, layout=layout)
    shown = widgets.HTML(description="Difference", style=wide)
    shown.add_class("salessim-result")
    plot = widgets.Image(format="png", layout=widgets.Layout(max_width="1000px"))

    @shows_errors(shown)
    def update(_=None) -> None:
        result = compute_interval(results, kpi.value, plan.value, n.value)
        shown.value = result._repr_html_()
        plot.value = png(plot_interval(result))

    for control in (kpi, plan, n):
        control.observe(update, "value")
    update()
    return widgets.VBox([kpi, plan, n, shown, plot])


# ------------------------------------------------------------------ plans side by side
def plot_plan_means(results: Results, kpi: str, reference: float | None = None,
                    reference_label: str = "target") -> Figure:
    """Each plan's mean of ``kpi`` over replications, with its 95% interval as error bars.

    Parameters
    ----------
    results : salessim.experiment.Results
    kpi : str
        One of :data:`salessim.experiment.KPIS`; rates are drawn in %.
    reference : float, optional
        A line to draw (a target, the even share), in the KPI's own unit (a fraction for
        rates).
    reference_label : str
        Its legend label.

    Returns
    -------
    matplotlib.figure.Figure
        The numbers behind it are ``results.summary([kpi])``.
    """
    unit = _unit(kpi)
    k = 100.0 if unit == "%" else 1.0
    summ = results.summary([kpi])
    fig = Figure(figsize=(7, 4))
    ax = fig.subplots(gridspec_kw=dict(left=0.14, right=0.97, bottom=0.08, top=0.86))
    means = k * summ["mean"].to_numpy()
    errors = k * summ["half_width"].fillna(0).to_numpy()
    colours = [_GREY if p == results.baseline else _BLUE for p in summ["plan"]]
    ax.bar(summ["plan"], means, yerr=errors, capsize=6, color=colours, alpha=0.85)
    if reference is not None:
        ax.axhline(k * reference, color=_RED, linestyle="--", linewidth=1.2,
                   label=f"{reference_label} ({format_value(reference, kpi)})")
        ax.legend(loc="lower right", frameon=True, fontsize="small")
    ax.set_ylabel(textwrap.fill(f"{LABELS[kpi][0].lower()} ({unit})", 36))
    if unit == "CNY":
        ax.yaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
    n = int(summ["n"].max())
    ax.set_title(f"{LABELS[kpi][0]}\nmean of {n} replications, 95% CI as error bars",
                 fontsize="medium")
    return fig


# ------------------------------------------------------------------ the period-end spike
def even_share(scenario: Scenario, quarter: str, days: int = END_DAYS) -> float:
    """The share of ``quarter``'s working days that are its last ``days``: what the
    period-end share of revenue would be if revenue came in evenly (F1).

    Parameters
    ----------
    scenario : Scenario
        Gives the working-day calendar (start, months, holidays).
    quarter : str
        A quarter inside the simulated dates, e.g. ``"2026Q2"``.

    Raises
    ------
    ValueError
        For a quarter not entirely inside the simulated dates.
    """
    cal = scenario.calendar
    work = WorkCalendar(cal.start, cal.months, cal.holidays)
    q = pd.Period(quarter, freq="Q")
    first, last = q.start_time.date(), q.end_time.date()
    if first < work.start or last > work.end:
        raise ValueError(f"quarter {quarter!r} is not inside the simulated dates "
                         f"({work.start} to {work.end})")
    count = int(((work.dates >= np.datetime64(first, "D"))
                 & (work.dates <= np.datetime64(last, "D"))).sum())
    return min(days, count) / count


# ------------------------------------------------------------------ cost at equal results
def _quarter_pay(plan, row) -> float:
    return compute_earnings(plan, row.revenue, row.new_customers, row.retention_rate,
                            row.collection_rate).total


def cost_at_equal_results(results: Results, baseline: str | None = None) -> pd.DataFrame:
    """What each plan paid, and what it would have paid for the baseline's results.

    The rep-quarters of the baseline plan are paid under every plan
    (:func:`salessim.widgets.lesson07.compute_earnings`, the package's pay rules on the
    quarter's revenue, new customers, retention and collection rate): the cost of each plan
    at equal attainment. The rest of a plan's cost comes from the results it changed.
    Rep-quarters with an undefined retention or collection rate are left out.

    Returns
    -------
    pandas.DataFrame
        Index ``plan``; columns ``attainment`` and ``on_target`` (share of rep-quarters on
        the revenue target) of the plan's own results, ``pay`` (its mean pay per
        rep-quarter as run), ``pay_for_baseline_results`` and ``from_changed_results``
        (the difference), in CNY.
    """
    baseline = results.baseline if baseline is None else baseline
    data = results.data
    rows = data[data["plan"] == baseline].dropna(subset=["retention_rate", "collection_rate"])
    out = {}
    for name in results.plans:
        plan = load_plan(next(p for p in results.config["plans"] if p["name"] == name))
        own = data[data["plan"] == name]
        same = np.mean([_quarter_pay(plan, r) for r in rows.itertuples(index=False)])
        out[name] = {"attainment": own["attainment"].mean(),
                     "on_target": own["meets_revenue"].mean(), "pay": own["pay"].mean(),
                     "pay_for_baseline_results": float(same)}
    table = pd.DataFrame.from_dict(out, orient="index").rename_axis("plan")
    table["from_changed_results"] = table["pay"] - table["pay_for_baseline_results"]
    return table
