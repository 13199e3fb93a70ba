"""What one replication measured: the scorecard and the numbers a plan comparison adds.

For each period (month, quarter or year) fully inside the simulated time and each rep, team
or the whole company, one row with every scorecard KPI (:func:`salessim.kpi.scorecard`,
R2.2.1), the plan's pay (:func:`salessim.incentives.payouts`, R2.2.2.1) and cost of sales
(:func:`salessim.kpi.cost_of_sales`), and four behaviour signals:

``mean_discount``
    Mean discount of the deals signed (fraction of list price, R2.1.3.2).
``period_end_revenue``, ``period_end_share``
    Revenue signed in the period's last working days (by the team's working-day calendar
    (工作日), :mod:`salessim.calendar`), and its share of the period's revenue: the
    period-end push that quota plans invite.
``delivery_delay``
    Mean working days an order signed in the period waited for the delivery team
    (R2.1.4.1), from the simulation's ``orders`` table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .. import kpi
from ..incentives import Plan, payouts
from ..regulation import _period_kind

if TYPE_CHECKING:
    from ..calendar import WorkCalendar
    from ..model import Simulation

__all__ = ["KPIS", "END_DAYS", "complete_periods", "working_days_left", "working_day_of_period",
           "measure", "group_column"]

END_DAYS = 10
"""Working days at the end of a period that count as its period-end push."""

KPIS: tuple[str, ...] = kpi.SCORECARD_COLUMNS + (
    "pay", "cost_of_sales", "mean_discount", "period_end_revenue", "period_end_share",
    "delivery_delay",
)
"""The measured columns of a replication's rows, in order."""

_GROUPS = {"rep": "rep_id", "team": "team", "company": None, "period": None}


def group_column(by: str) -> str | None:
    """The group column for ``by``: ``rep_id``, ``team`` or None (company, or ``period``)."""
    if by not in _GROUPS:
        raise ValueError(f"by must be one of {', '.join(_GROUPS)}, got {by!r}")
    return _GROUPS[by]


def complete_periods(calendar: WorkCalendar, period: str) -> list[str]:
    """Labels of the periods of kind ``period`` lying entirely within the simulated dates."""
    kind = _period_kind(period)
    span = pd.period_range(calendar.start, calendar.end, freq=kind)
    start, end = pd.Timestamp(calendar.start), pd.Timestamp(calendar.end)
    return [str(p) for p in span if p.start_time >= start and p.end_time.normalize() <= end]


def _days(dates) -> np.ndarray:
    return pd.to_datetime(pd.Series(dates)).to_numpy("datetime64[D]")


def working_days_left(dates, calendar: WorkCalendar, period: str) -> np.ndarray:
    """Working days from each date to the end of its period, both counted.

    A deal signed on the period's last working day has 1 left; one signed on the working
    day before, 2; so "in the last 10 working days" is ``left <= 10``.
    """
    kind = _period_kind(period)
    d = pd.to_datetime(pd.Series(dates))
    end = d.dt.to_period(kind).dt.end_time.dt.normalize()
    return (np.searchsorted(calendar.dates, _days(end), "right")
            - np.searchsorted(calendar.dates, _days(d), "left")).astype("int64")


def working_day_of_period(dates, calendar: WorkCalendar, period: str) -> np.ndarray:
    """The working day of its period each date falls on: 1 for the period's first one."""
    kind = _period_kind(period)
    d = pd.to_datetime(pd.Series(dates))
    start = d.dt.to_period(kind).dt.start_time
    return (np.searchsorted(calendar.dates, _days(d), "right")
            - np.searchsorted(calendar.dates, _days(start), "left")).astype("int64")


def _keyed(frame: pd.DataFrame, dates: pd.Series, kind: str, col: str | None,
           team_of: pd.Series) -> pd.DataFrame:
    keys = {"period": dates.dt.to_period(kind).astype("str")}
    if col == "rep_id":
        keys[col] = frame["rep_id"].astype("str")
    elif col == "team":
        keys[col] = frame["rep_id"].map(team_of).astype("str")
    return frame.assign(**keys)


def measure(run: Simulation, plan: Plan, period: str = "Q", by: str = "rep",
            end_days: int = END_DAYS) -> pd.DataFrame:
    """One replication's rows: every KPI of :data:`KPIS` per period and group.

    Parameters
    ----------
    run : salessim.model.Simulation
        A finished replication (its ``ledger``, ``scenario``, ``calendar`` and ``orders``).
    plan : salessim.incentives.Plan
        The plan paid (R2.2.2.1); ``period`` must be at least as long as its pay periods.
    period : {"M", "Q", "Y"}
        Rows per calendar month, quarter or year; only periods entirely inside the simulated
        dates are kept.
    by : {"rep", "team", "company", "period"}
        One row per rep, team, or for the whole company (``period`` means the same).
    end_days : int
        Working days at a period's end counted in ``period_end_revenue``.

    Returns
    -------
    pandas.DataFrame
        ``period``, the group column (``rep_id`` or ``team``, none for the company), then
        the columns of :data:`KPIS`.
    """
    kind = _period_kind(period)
    col = group_column(by)
    by = "company" if col is None else by
    keep = complete_periods(run.calendar, kind)
    if not keep:
        raise ValueError(f"the scenario simulates {run.scenario.calendar.months} month(s) "
                         f"from {run.calendar.start}, which holds no whole period {kind!r}; "
                         "use a shorter period or more calendar.months")
    ledger, targets = run.ledger, run.scenario.targets
    keys = ["period"] + ([col] if col else [])
    team_of = ledger.reps.set_index("rep_id")["team"]
    card = kpi.scorecard(ledger, kind, by, targets)
    card = card[card["period"].isin(keep)].reset_index(drop=True)

    pay = payouts(ledger, plan, period=kind, targets=targets)
    paid = _keyed(pay.drop(columns="period"), pay["period"].map(pd.Period).dt.end_time, kind,
                  col, team_of).groupby(keys)["amount"].sum().rename("pay")
    cost = kpi.cost_of_sales(ledger.replace(payouts=pay), kind, by, plan=plan.name)

    deals = ledger.deals
    deals = _keyed(deals, deals["signed_on"], kind, col, team_of).assign(
        end_amount=deals["amount"].where(
            working_days_left(deals["signed_on"], run.calendar, kind) <= end_days, 0.0))
    dealt = deals.groupby(keys).agg(mean_discount=("discount", "mean"),
                                    period_end_revenue=("end_amount", "sum"))
    orders = run.orders
    waited = _keyed(orders, orders["signed_on"], kind, col, team_of).groupby(keys)[
        "queue_days"].mean()

    out = (card.merge(paid.reset_index(), on=keys, how="left")
           .merge(cost, on=keys, how="left")
           .merge(dealt.reset_index(), on=keys, how="left")
           .merge(waited.rename("delivery_delay").reset_index(), on=keys, how="left"))
    out["pay"] = out["pay"].fillna(0.0)
    out["period_end_revenue"] = out["period_end_revenue"].fillna(0.0)
    out["period_end_share"] = (out["period_end_revenue"]
                               / out["revenue"].where(out["revenue"] > 0)).astype("float64")
    return out[keys + list(KPIS)]
