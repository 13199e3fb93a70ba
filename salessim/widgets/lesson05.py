"""Lesson 05 dashboards: order execution and after-sales service (R2.1.4, R2.2.1.2).

Both dashboards re-run a lesson-sized team: the default scenario scaled to three reps with
:meth:`~salessim.Scenario.with_team` (so each rep meets the default workload and the shared
delivery team keeps its capacity per rep), over twelve months, with a fixed seed.

- :func:`compute_after_sales` sets how often each customer is revisited (回访, R2.1.4.3)
  and reads from the run the retention rate (留存率, R2.2.1.2) of its last quarter with
  :func:`salessim.kpi.retention_rate`, the referral leads the customers sent (客户推荐) and
  the rep hours the revisits took. :func:`revisit_curve` averages several seeds per
  setting, :func:`plot_after_sales` draws both against the 85% target, and
  :func:`after_sales_dashboard` puts a slider on the revisit frequency.
- :func:`compute_delivery` sets the capacity of the delivery team shared by all reps
  (订单执行, R2.1.4.1) and reads how long orders waited for it;
  :func:`plot_delivery` draws the queue over the year and :func:`delivery_dashboard` puts
  a slider on the capacity.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .. import kpi
from ..calendar import WorkCalendar
from ..ledger import Ledger
from ..model import Simulation, simulate
from ..scenario import Scenario, load_scenario
from .errors import shows_errors
from .image import png

__all__ = ["FREQUENCIES", "MONTHS", "REPS", "SEED", "SEEDS", "AfterSalesResult",
           "DeliveryResult", "after_sales_dashboard", "compute_after_sales",
           "compute_delivery", "delivery_dashboard", "lesson_scenario", "plot_after_sales",
           "plot_delivery", "revisit_curve", "revisit_interval"]

#: The lesson-sized team: reps and calendar months simulated.
REPS, MONTHS = 3, 12
#: The seed of the single runs shown by the dashboards.
SEED = 2
#: The seeds averaged by :func:`revisit_curve`.
SEEDS = (1, 2, 3)
#: Revisits per customer per year drawn by :func:`revisit_curve`.
FREQUENCIES = (0, 3, 6, 9, 12, 18, 24)

_GREEN, _RED, _BLUE, _GREY = "#1a7f37", "#cf222e", "#0969da", "#6e7781"


# ------------------------------------------------------------------ the lesson's team
@cache
def _base() -> Scenario:
    return load_scenario("default").with_team(REPS).with_overrides({"calendar.months": MONTHS})


@cache
def _year_days(start, holidays: str) -> int:
    return WorkCalendar(start, 12, holidays).horizon


def revisit_interval(revisits_per_year: float, scenario: Scenario | None = None) -> float:
    """Working days between revisits for ``revisits_per_year`` revisits of each customer.

    A year is the working days of the twelve months from the scenario's start (248 in 2026
    under China's calendar); 0 revisits a year gives 0, the scenario's value for "never".

    Raises
    ------
    ValueError
        For a negative frequency.
    """
    if not revisits_per_year >= 0:
        raise ValueError(f"revisits_per_year must be a number >= 0, got {revisits_per_year!r}")
    if revisits_per_year == 0:
        return 0.0
    s = _base() if scenario is None else scenario
    return _year_days(s.calendar.start, s.calendar.holidays) / revisits_per_year


def lesson_scenario(revisits_per_year: float | None = None,
                    capacity_per_day: float | None = None) -> Scenario:
    """The lesson-sized team: the default scenario with 3 reps over 12 months.

    Parameters
    ----------
    revisits_per_year : float, optional
        Revisits of each customer a year (R2.1.4.3), turned into
        ``after_sales.revisit_interval_days`` by :func:`revisit_interval`; 0 for none. The
        default scenario's interval (45 working days, about 5.5 a year) when not given.
    capacity_per_day : float, optional
        Orders the delivery team can start per working day (R2.1.4.1); the default
        scenario's capacity scaled to three reps (4.8) when not given.

    Returns
    -------
    Scenario
    """
    overrides = {}
    if revisits_per_year is not None:
        overrides["after_sales.revisit_interval_days"] = revisit_interval(revisits_per_year)
    if capacity_per_day is not None:
        overrides["fulfilment.capacity_per_day"] = capacity_per_day
    return _base().with_overrides(overrides) if overrides else _base()


def _last_quarter(ledger: Ledger) -> str:
    return kpi.periods(ledger, "Q")[-1]


def _retention(ledger: Ledger, quarter: str) -> float:
    rates = kpi.retention_rate(ledger, "Q", by="company")
    return float(rates.loc[rates["period"] == quarter, "retention_rate"].item())


def _hours(activities: pd.DataFrame, task: str) -> float:
    rows = activities[activities["task"] == task]
    return float((rows["ended_at"] - rows["started_at"]).dt.total_seconds().sum() / 3600)


# ------------------------------------------------------------------ revisits (R2.1.4.3)
@dataclass(frozen=True)
class AfterSalesResult:
    """One run of the lesson's team with a revisit frequency (R2.1.4.3, R2.2.1.2).

    Attributes
    ----------
    revisits_per_year, interval_days : float
        The setting: revisits of each customer a year and the working days between them.
    capacity_per_day : float
        The delivery team's capacity in the run (orders per working day).
    seed : int
        The run's seed.
    quarter : str
        The run's last quarter, e.g. ``"2026Q4"``, whose retention rate is read.
    retention_rate : float
        The quarter's retention rate from :func:`salessim.kpi.retention_rate` (0-1).
    target : float
        The retention target of the scenario (0.85, R2.2.1.2).
    opening_customers, lost_customers : int
        Customers at the quarter's start, and how many of them left during it.
    referral_leads, referral_customers : int
        Leads referred by customers during the run, and how many of them were won.
    revisit_hours : float
        Rep hours spent on revisits during the run.
    mean_delay_days : float
        Mean working days an order waited for the delivery team.
    revenue : float
        Revenue of all deals signed in the run, new and repeat, CNY.
    """

    revisits_per_year: float
    interval_days: float
    capacity_per_day: float
    seed: int
    quarter: str
    retention_rate: float
    target: float
    opening_customers: int
    lost_customers: int
    referral_leads: int
    referral_customers: int
    revisit_hours: float
    mean_delay_days: float
    revenue: float

    @property
    def kept_customers(self) -> int:
        """Opening customers still customers at the quarter's end."""
        return self.opening_customers - self.lost_customers

    @property
    def meets_target(self) -> bool:
        """Whether the retention rate reaches the target."""
        return self.retention_rate >= self.target

    @property
    def setting(self) -> str:
        """``"6 revisits a year (every 41.3 working days)"`` or ``"no revisits"``."""
        if self.revisits_per_year == 0:
            return "no revisits"
        return (f"{self.revisits_per_year:g} revisits a year (every {self.interval_days:.1f} "
                "working days)")

    @property
    def headline(self) -> str:
        """``"Retention rate 2026Q4: 85.3% (target 85%)"``."""
        return (f"Retention rate {self.quarter}: {self.retention_rate:.1%} "
                f"(target {self.target:.0%})")

    def _details(self) -> list[str]:
        return [
            f"{self.kept_customers} of {self.opening_customers} customers kept through "
            f"{self.quarter}, {self.lost_customers} lost",
            f"{self.referral_leads} referral leads in the year, {self.referral_customers} of "
            "them won",
            f"{self.revisit_hours:,.0f} rep hours on revisits; revenue "
            f"{self.revenue:,.0f} CNY",
        ]

    def summary(self) -> str:
        """The setting, the headline and the numbers behind it, as text."""
        verdict = "meets" if self.meets_target else "misses"
        return "\n".join([f"{self.setting}, seed {self.seed}:",
                          f"{self.headline}: {verdict} the target", *self._details()])

    def _repr_html_(self) -> str:
        colour = _GREEN if self.meets_target else _RED
        return (f'<b style="color: {colour};">{html.escape(self.headline)}</b> '
                f"<small>({html.escape(self.setting)}, seed {self.seed})</small><br>"
                + "<br>".join(html.escape(line) for line in self._details()))


def _opening_and_lost(customers: pd.DataFrame, quarter: str) -> tuple[int, int]:
    """Customers at the quarter's start (won before it, not gone before it) and how many of
    them left during it: the two counts of the retention rate (R2.2.1.2)."""
    period = pd.Period(quarter, freq="Q")
    start, end = period.start_time, period.end_time.normalize()
    churned = customers["churned_on"]
    opening = (customers["acquired_on"] < start) & ~(churned < start)
    return int(opening.sum()), int((opening & (churned <= end)).sum())


def _after_sales(run: Simulation, revisits_per_year: float) -> AfterSalesResult:
    ledger = run.ledger
    quarter = _last_quarter(ledger)
    opening, lost = _opening_and_lost(ledger.customers, quarter)
    referred = ledger.leads[ledger.leads["channel"] == "referral"]
    return AfterSalesResult(
        revisits_per_year=float(revisits_per_year),
        interval_days=run.scenario.after_sales.revisit_interval_days,
        capacity_per_day=run.scenario.fulfilment.capacity_per_day,
        seed=run.seed,
        quarter=quarter,
        retention_rate=_retention(ledger, quarter),
        target=run.scenario.targets.retention_rate,
        opening_customers=opening,
        lost_customers=lost,
        referral_leads=len(referred),
        referral_customers=int((referred["outcome"] == "won").sum()),
        revisit_hours=_hours(ledger.activities, "revisit"),
        mean_delay_days=float(run.orders["queue_days"].mean()),
        revenue=float(ledger.deals["amount"].sum()),
    )


def compute_after_sales(revisits_per_year: float = 6, seed: int = SEED,
                        capacity_per_day: float | None = None) -> AfterSalesResult:
    """Run the lesson's team once with a revisit frequency and read what it did (R2.1.4.3).

    Parameters
    ----------
    revisits_per_year : float
        Revisits of each customer a year; 0 for none. See :func:`lesson_scenario`.
    seed : int
        The run's seed: the same setting and seed give the same numbers.
    capacity_per_day : float, optional
        The delivery team's capacity; the lesson scenario's (4.8 orders a day) by default.

    Returns
    -------
    AfterSalesResult
        The retention rate (留存率) of the run's last quarter with the customers behind it,
        the referral leads, the rep hours spent on revisits and the revenue.
    """
    revisit_interval(revisits_per_year)  # refuses a negative frequency
    return _after_sales_run(float(revisits_per_year), int(seed),
                            None if capacity_per_day is None else float(capacity_per_day))


@lru_cache(maxsize=256)
def _after_sales_run(revisits_per_year: float, seed: int,
                     capacity_per_day: float | None) -> AfterSalesResult:
    # A run is a pure function of its setting and seed, and its result is immutable: the
    # curve, the single runs and the dashboard share runs instead of repeating them.
    scenario = lesson_scenario(revisits_per_year, capacity_per_day)
    return _after_sales(simulate(scenario, seed, trace=False), revisits_per_year)


def revisit_curve(frequencies: Iterable[float] = FREQUENCIES,
                  seeds: Iterable[int] = SEEDS) -> pd.DataFrame:
    """The retention rate and referrals of the lesson's team for several revisit frequencies.

    Every frequency is run with the same seeds (common random numbers: the same leads and
    customers meet different after-sales work), and the runs are averaged.

    Parameters
    ----------
    frequencies : iterable of float
        Revisits of each customer a year.
    seeds : iterable of int
        The seeds of the runs averaged for every frequency.

    Returns
    -------
    pandas.DataFrame
        Index ``revisits_per_year``; columns ``retention_rate`` (mean over the seeds),
        ``retention_low`` and ``retention_high`` (the lowest and highest run),
        ``referral_leads`` and ``revisit_hours`` (means), and ``runs``.
    """
    seeds = list(seeds)
    if not seeds:
        raise ValueError("revisit_curve needs at least one seed")
    rows = []
    for f in frequencies:
        results = [compute_after_sales(f, seed) for seed in seeds]
        rates = np.array([r.retention_rate for r in results])
        rows.append({
            "revisits_per_year": float(f),
            "retention_rate": rates.mean(),
            "retention_low": rates.min(),
            "retention_high": rates.max(),
            "referral_leads": float(np.mean([r.referral_leads for r in results])),
            "revisit_hours": float(np.mean([r.revisit_hours for r in results])),
            "runs": len(results),
        })
    return pd.DataFrame(rows).set_index("revisits_per_year")


def plot_after_sales(curve: pd.DataFrame, result: AfterSalesResult | None = None,
                     target: float = 0.85) -> Figure:
    """Retention and referral leads against revisits a year, with the retention target.

    Parameters
    ----------
    curve : pandas.DataFrame
        A table from :func:`revisit_curve`: its means are drawn as lines, the lowest to
        highest run as a band.
    result : AfterSalesResult, optional
        One run, drawn as a point on both panels (the dashboard's current setting); its
        target replaces ``target``.
    target : float
        The retention target (R2.2.1.2), drawn as a dashed line.

    Returns
    -------
    matplotlib.figure.Figure
        A new figure (not registered with pyplot); the numbers behind it are ``curve`` and
        ``result``.
    """
    target = target if result is None else result.target
    fig = Figure(figsize=(10, 4))  # fixed margins: a layout engine doubles drawing time
    left, right = fig.subplots(1, 2, gridspec_kw=dict(left=0.07, right=0.98, bottom=0.14,
                                                      top=0.82, wspace=0.25))
    x = curve.index.to_numpy()
    runs = int(curve["runs"].max()) if len(curve) else 0
    left.fill_between(x, 100 * curve["retention_low"], 100 * curve["retention_high"],
                      color=_BLUE, alpha=0.15, label=f"lowest to highest of {runs} runs")
    left.plot(x, 100 * curve["retention_rate"], color=_BLUE, marker="o",
              label=f"mean of {runs} runs")
    left.axhline(100 * target, color=_RED, linestyle="--", linewidth=1.2,
                 label=f"target {target:.0%} (R2.2.1.2)")
    right.plot(x, curve["referral_leads"], color=_GREEN, marker="o",
               label=f"mean of {runs} runs")
    if result is not None:
        label = f"this run (seed {result.seed})"
        left.plot([result.revisits_per_year], [100 * result.retention_rate], "D",
                  color="black", markersize=8, label=label)
        right.plot([result.revisits_per_year], [result.referral_leads], "D", color="black",
                   markersize=8, label=label)
    quarter = result.quarter if result is not None else "the last quarter"
    left.set_title(f"Retention rate, {quarter}")
    left.set_ylabel("customers kept through the quarter (%)")
    right.set_title("Referral leads from customers")
    right.set_ylabel("referral leads in the year (count)")
    for ax in (left, right):
        ax.set_xlabel("revisits per customer per year")
        ax.legend(loc="lower right", frameon=False, fontsize="small")
    fig.suptitle(f"What regular revisits do: {REPS} reps over {MONTHS} months")
    return fig


def after_sales_dashboard(curve: pd.DataFrame | None = None, revisits_per_year: int = 6,
                          seed: int = SEED):
    """A slider for the revisit frequency; the run's retention rate and referrals update.

    Parameters
    ----------
    curve : pandas.DataFrame, optional
        The background curve from :func:`revisit_curve`; computed here when not given
        (which takes a few seconds).
    revisits_per_year : int
        The slider's first value.
    seed : int
        The seed of every run.

    Returns
    -------
    ipywidgets.VBox
        The main control is the slider ``Revisits per year``; the numbers are shown in the
        HTML widget ``Retention``, with the CSS class ``salessim-result``.
    """
    import ipywidgets as widgets

    curve = revisit_curve() if curve is None else curve
    wide = {"description_width": "initial"}
    slider = widgets.IntSlider(value=revisits_per_year, min=0, max=24, step=1,
                               description="Revisits per year", continuous_update=False,
                               style=wide, layout=widgets.Layout(width="460px"))
    numbers = widgets.HTML(description="Retention", style=wide)
    numbers.add_class("salessim-result")
    plot = widgets.Image(format="png", layout=widgets.Layout(max_width="1000px"))

    @shows_errors(numbers)
    def update(_=None) -> None:
        result = compute_after_sales(slider.value, seed)
        numbers.value = result._repr_html_()
        plot.value = png(plot_after_sales(curve, result))

    slider.observe(update, "value")
    update()
    return widgets.VBox([slider, numbers, plot])


# ------------------------------------------------------------------ delivery (R2.1.4.1)
@dataclass(frozen=True)
class DeliveryResult:
    """How long orders waited for the shared delivery team in one run (R2.1.4.1).

    Attributes
    ----------
    capacity_per_day : float
        Orders the delivery team could start per working day.
    seed : int
        The run's seed.
    orders : int
        Orders handed to the delivery team (new and repeat).
    orders_per_day : float
        Orders per working day of the run, on average.
    mean_delay_days, max_delay_days : float
        Mean and longest wait before work on an order started, working days.
    waited_share : float
        Share of the orders that waited at all (0-1).
    by_month : pandas.DataFrame
        Index ``month`` (month signed, e.g. ``"2026-03"``); columns ``orders``,
        ``mean_delay_days`` and ``waited_share``.
    backlog : pandas.Series
        Orders waiting for the delivery team at the start of each working day, by date.
    retention_rate : float
        The retention rate of the run's last quarter (0-1).
    """

    capacity_per_day: float
    seed: int
    orders: int
    orders_per_day: float
    mean_delay_days: float
    max_delay_days: float
    waited_share: float
    by_month: pd.DataFrame
    backlog: pd.Series
    retention_rate: float

    @property
    def utilisation(self) -> float:
        """Orders per working day over the capacity: how busy the delivery team was."""
        return self.orders_per_day / self.capacity_per_day

    @property
    def headline(self) -> str:
        """``"Mean delivery delay 0.2 working days"``."""
        return f"Mean delivery delay {self.mean_delay_days:.1f} working days"

    def _details(self) -> str:
        return (f"capacity {self.capacity_per_day:g} orders a day for "
                f"{self.orders_per_day:.2f} orders a day signed (utilisation "
                f"{self.utilisation:.0%}); {self.waited_share:.0%} of {self.orders} orders "
                f"waited, the longest {self.max_delay_days:.1f} working days")

    def summary(self) -> str:
        """The headline and the numbers behind it, as text."""
        return (f"{self.headline} (seed {self.seed})\n{self._details()}\n"
                f"retention rate of the last quarter {self.retention_rate:.1%}")

    def _repr_html_(self) -> str:
        return (f"<b>{html.escape(self.headline)}</b><br>{html.escape(self._details())}<br>"
                f"retention rate of the last quarter {self.retention_rate:.1%}")


def compute_delivery(capacity_per_day: float, seed: int = SEED) -> DeliveryResult:
    """Run the lesson's team once with a delivery capacity and measure the waits (R2.1.4.1).

    Parameters
    ----------
    capacity_per_day : float
        Orders the delivery team can start per working day (> 0; ``inf`` for no limit).
    seed : int
        The run's seed.

    Returns
    -------
    DeliveryResult
    """
    run = simulate(lesson_scenario(capacity_per_day=capacity_per_day), seed, trace=False)
    orders = run.orders
    wait = orders["queue_days"]
    month = orders["signed_on"].dt.to_period("M").astype(str).rename("month")
    by_month = pd.DataFrame({
        "orders": wait.groupby(month).size(),
        "mean_delay_days": wait.groupby(month).mean(),
        "waited_share": (wait > 0).groupby(month).mean(),
    })
    daily = run.daily
    return DeliveryResult(
        capacity_per_day=float(capacity_per_day),
        seed=run.seed,
        orders=len(orders),
        orders_per_day=len(orders) / len(daily),
        mean_delay_days=float(wait.mean()),
        max_delay_days=float(wait.max()),
        waited_share=float((wait > 0).mean()),
        by_month=by_month,
        backlog=pd.Series(daily["delivery_backlog"].to_numpy(), index=daily["date"],
                          name="delivery_backlog"),
        retention_rate=_retention(run.ledger, _last_quarter(run.ledger)),
    )


def plot_delivery(result: DeliveryResult) -> Figure:
    """The orders waiting each day, and the mean delay by month signed.

    Returns a new :class:`matplotlib.figure.Figure`; the numbers behind it are
    ``result.backlog`` and ``result.by_month``.
    """
    fig = Figure(figsize=(10, 3.8))
    left, right = fig.subplots(1, 2, width_ratios=[3, 2],
                               gridspec_kw=dict(left=0.07, right=0.98, bottom=0.2, top=0.82,
                                                wspace=0.22))
    left.plot(result.backlog.index, result.backlog.to_numpy(), color=_BLUE)
    left.set_ylabel("orders waiting (count)")
    left.set_xlabel("working day (date)")
    left.set_title("Orders waiting for the delivery team")
    left.tick_params(axis="x", labelrotation=30)
    months = result.by_month.index.str[5:]
    right.bar(months, result.by_month["mean_delay_days"].to_numpy(), color=_GREY)
    right.set_ylabel("mean wait (working days)")
    right.set_xlabel("month the order was signed")
    right.set_title("Mean delivery delay by month")
    fig.suptitle(f"Delivery capacity {result.capacity_per_day:g} orders a day: "
                 f"{result.headline.lower()} (utilisation {result.utilisation:.0%})")
    return fig


def delivery_dashboard(capacity_per_day: float | None = None, seed: int = SEED):
    """A slider for the delivery team's capacity; the delays and the queue update.

    Returns
    -------
    ipywidgets.VBox
        The slider ``Capacity (orders/day)``; the numbers are shown in the HTML widget
        ``Delivery``, with the CSS class ``salessim-delivery-result``.
    """
    import ipywidgets as widgets

    start = _base().fulfilment.capacity_per_day if capacity_per_day is None else capacity_per_day
    wide = {"description_width": "initial"}
    slider = widgets.FloatSlider(value=start, min=1.0, max=8.0, step=0.1,
                                 description="Capacity (orders/day)", readout_format=".1f",
                                 continuous_update=False, style=wide,
                                 layout=widgets.Layout(width="460px"))
    numbers = widgets.HTML(description="Delivery", style=wide)
    numbers.add_class("salessim-delivery-result")
    plot = widgets.Image(format="png", layout=widgets.Layout(max_width="1000px"))

    @shows_errors(numbers)
    def update(_=None) -> None:
        result = compute_delivery(round(slider.value, 1), seed)
        numbers.value = result._repr_html_()
        plot.value = png(plot_delivery(result))

    slider.observe(update, "value")
    update()
    return widgets.VBox([slider, numbers, plot])
