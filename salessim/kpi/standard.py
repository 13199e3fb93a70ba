"""The standard KPIs a sales team reads beside the regulation's: pipeline, receivables,
surveys and cost of sales (R2.1.2-R2.1.3, R2.2.1.3, R2.3.1.3, R2.2.2.1)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..ledger import Ledger
from .assessed import _payments, _revenue
from .grid import STAGES, _Grid, _kpi, _ratio


@_kpi()
def win_rate(ledger: Ledger, period: str = "M", by: str = "rep") -> pd.DataFrame:
    """Win rate: won / (won + lost) of the leads closed in the period (R2.1.3.3).

    Leads are placed by ``closed_on``; disqualified and open leads do not count. NaN when
    no lead was won or lost. Grouping by rep or team leaves out leads with no rep.
    """
    g = _Grid(ledger, period, by)
    return g.result("win_rate", _win_rate(g))


def _win_rate(g: _Grid) -> pd.Series:
    leads = g.ledger.table("leads")
    closed = leads[leads["outcome"].isin(["won", "lost"])]
    closed = closed.assign(won=(closed["outcome"] == "won").astype(int), n=1)
    t = g.tally(closed, "closed_on", ["won", "n"])
    return _ratio(t["won"], t["n"])


def _stage_index(leads: pd.DataFrame, stages: tuple[str, ...]) -> np.ndarray:
    index = leads["stage"].map({s: i for i, s in enumerate(stages)})
    bad = index.isna()
    if bad.any():
        rows = ", ".join(str(i) for i in leads.index[bad][:5])
        values = ", ".join(map(repr, leads["stage"][bad].unique()[:5]))
        raise ValueError(
            f"leads.stage has unknown value(s) {values} (rows {rows}); expected one of "
            f"{', '.join(stages)}"
        )
    return index.to_numpy(dtype="int64")


@_kpi("""
    stages : tuple of str
        The stage names in order, first to last; default :data:`STAGES`.
""", returns="Columns ``period``, the group column, ``stage`` and ``stage_conversion``: one "
             "row for\n        every period of :func:`periods`, group and stage but the last.")
def stage_conversion(ledger: Ledger, period: str = "M", by: str = "rep",
                     stages: tuple[str, ...] = STAGES) -> pd.DataFrame:
    """Stage conversion: of the leads that reached a stage, the share that reached the next.

    conversion(k) = leads reaching stage k+1 / leads reaching stage k, over the leads
    created in the period (R2.1.2-R2.1.3). ``stages`` lists the stage names in order
    (default :data:`STAGES`; a CRM export with its own names passes its own list). A lead
    whose furthest stage is k has reached every stage up to k. The result has one row per
    period, group and stage (every stage but the last) in a ``stage`` column before the
    value; NaN when no lead reached the stage.
    """
    g = _Grid(ledger, period, by)
    leads = ledger.table("leads")
    stages = tuple(stages)
    reached = _stage_index(leads, stages)
    cols = [f"reached_{k}" for k in range(len(stages))]
    rows = leads.assign(**{c: (reached >= k).astype("int64") for k, c in enumerate(cols)})
    t = g.tally(rows, "created_on", cols)
    ratios = np.column_stack([_ratio(t[cols[k + 1]], t[cols[k]]) for k in range(len(cols) - 1)])
    out = g.frame.loc[g.frame.index.repeat(len(stages) - 1)].reset_index(drop=True)
    out["stage"] = pd.Series(np.tile(np.array(stages[:-1], dtype=object), len(t)), dtype="str")
    out["stage_conversion"] = ratios.ravel()
    return out


@_kpi()
def average_deal_size(ledger: Ledger, period: str = "M", by: str = "rep") -> pd.DataFrame:
    """Average deal size: revenue / number of deals signed in the period, CNY (R2.2.1.1).

    NaN when no deal was signed.
    """
    g = _Grid(ledger, period, by)
    return g.result("average_deal_size", _average_deal_size(g))


def _average_deal_size(g: _Grid) -> pd.Series:
    t = g.tally(g.ledger.deals.assign(n=1), "signed_on", ["amount", "n"])
    return _ratio(t["amount"], t["n"])


@_kpi()
def sales_cycle(ledger: Ledger, period: str = "M", by: str = "rep") -> pd.DataFrame:
    """Sales cycle: the median days from a won lead's ``created_on`` to its ``closed_on``.

    Won leads are placed by ``closed_on``, the day the contract was signed (R2.1.3.3).
    NaN when no lead was won.
    """
    g = _Grid(ledger, period, by)
    return g.result("sales_cycle", _sales_cycle(g))


def _sales_cycle(g: _Grid) -> pd.Series:
    leads = g.ledger.table("leads")
    won = leads[(leads["outcome"] == "won") & leads["closed_on"].notna()]
    won = won.assign(days=(won["closed_on"] - won["created_on"]).dt.days.astype("float64"))
    return g.tally(won, "closed_on", ["days"], how="median")["days"]


@_kpi()
def first_response_time(ledger: Ledger, period: str = "M", by: str = "rep") -> pd.DataFrame:
    """First response time: the median days from ``created_on`` to ``first_contact_on``.

    The regulation asks for contact at once (R2.1.2.1). Leads are placed by ``created_on``;
    leads never contacted are left out. NaN when no lead created in the period was contacted.
    """
    g = _Grid(ledger, period, by)
    leads = ledger.table("leads")
    seen = leads[leads["first_contact_on"].notna()]
    seen = seen.assign(days=(seen["first_contact_on"] - seen["created_on"]).dt.days
                       .astype("float64"))
    t = g.tally(seen, "created_on", ["days"], how="median")
    return g.result("first_response_time", t["days"])


@_kpi()
def pipeline_velocity(ledger: Ledger, period: str = "M", by: str = "rep") -> pd.DataFrame:
    """Pipeline velocity: open opportunities x win rate x average deal size / sales cycle.

    Open opportunities are the qualified leads created on or before the period's end and not
    closed by it; the other factors are :func:`win_rate`, :func:`average_deal_size` and
    :func:`sales_cycle` of the same period. The result is expected revenue per day, CNY
    (R2.1). NaN when a factor is undefined or the sales cycle is 0 days.
    """
    g = _Grid(ledger, period, by)
    leads = ledger.table("leads")
    opened = g.open_at_end(leads[leads["qualified"]].assign(n=1), "created_on", "closed_on", "n")
    velocity = _ratio(opened * _win_rate(g) * _average_deal_size(g), _sales_cycle(g))
    return g.result("pipeline_velocity", velocity)


# ------------------------------------------------------------------ receivables
def _receivables(g: _Grid) -> pd.DataFrame:
    """Per grid row: credit sales, opening and closing receivables, and the current part.

    Receivables (AR) at a period's end are the invoices issued by then less the payments
    made by then; the current part is what is not yet due (``due_on`` in a later period).
    Balances are rounded to the fen (0.01 CNY) so float noise never shows as a balance.
    """
    inv, pay = g.ledger.invoices, _payments(g.ledger)
    t = g.tally(inv, "issued_on", ["amount"]).rename(columns={"amount": "sales"})
    paid = g.tally(pay, "paid_on", ["amount"])["amount"]
    t["ar_end"] = g.running(t["sales"] - paid).round(2)
    t["ar_start"] = g.previous(t["ar_end"])
    not_due = g.open_at_end(inv, "issued_on", "due_on", "amount")
    paid_early = g.open_at_end(pay, "paid_on", "due_on", "amount")
    t["current"] = (not_due - paid_early).round(2)
    return t


@_kpi()
def dso(ledger: Ledger, period: str = "M", by: str = "rep") -> pd.DataFrame:
    """Days sales outstanding: receivables at the period's end / credit sales x days.

    Credit sales are the invoice amounts issued in the period; receivables are all invoices
    issued by the period's end less all payments by then; days is the period's length in
    calendar days (R2.2.1.3). NaN when nothing was invoiced in the period.
    """
    g = _Grid(ledger, period, by)
    t = _receivables(g)
    idx = pd.PeriodIndex(g.frame["period"], freq=g.kind)
    days = (idx.end_time.normalize() - idx.start_time).days + 1
    return g.result("dso", _ratio(t["ar_end"], t["sales"]) * np.asarray(days))


@_kpi()
def collection_effectiveness(ledger: Ledger, period: str = "M",
                             by: str = "rep") -> pd.DataFrame:
    """Collection effectiveness index (CEI), a fraction (R2.2.1.3).

    CEI = (opening AR + credit sales - closing AR) / (opening AR + credit sales - closing
    current AR): what was collected over what could have been, where current AR is the part
    not yet due at the period's end. NaN when nothing was collectible.
    """
    g = _Grid(ledger, period, by)
    t = _receivables(g)
    base = t["ar_start"] + t["sales"]
    cei = _ratio((base - t["ar_end"]).round(2), (base - t["current"]).round(2))
    return g.result("collection_effectiveness", cei)


# ------------------------------------------------------------------ surveys and pay
def _surveys(ledger: Ledger) -> pd.DataFrame:
    cust = ledger.customers[["customer_id", "rep_id"]]
    return ledger.table("surveys").merge(cust, on="customer_id", how="left",
                                         validate="many_to_one")


@_kpi()
def csat(ledger: Ledger, period: str = "M", by: str = "rep") -> pd.DataFrame:
    """Customer satisfaction (CSAT): the share of survey answers of 4 or 5 on the 1-5 scale.

    Surveys are placed by ``surveyed_on`` and belong to the customer's rep (R2.3.1.3). NaN
    when no survey was answered.
    """
    g = _Grid(ledger, period, by)
    s = _surveys(ledger)
    t = g.tally(s.assign(happy=(s["csat"] >= 4).astype(int), n=1), "surveyed_on", ["happy", "n"])
    return g.result("csat", _ratio(t["happy"], t["n"]))


@_kpi()
def nps(ledger: Ledger, period: str = "M", by: str = "rep") -> pd.DataFrame:
    """Net promoter score: % promoters (9-10) minus % detractors (0-6), from -100 to 100.

    Surveys are placed by ``surveyed_on`` and belong to the customer's rep (R2.3.1.3). NaN
    when no survey was answered.
    """
    g = _Grid(ledger, period, by)
    s = _surveys(ledger)
    s = s.assign(net=(s["nps"] >= 9).astype(int) - (s["nps"] <= 6).astype(int), n=1)
    t = g.tally(s, "surveyed_on", ["net", "n"])
    return g.result("nps", 100 * _ratio(t["net"], t["n"]))


def _period_ends(labels: pd.Series, kind: str) -> pd.Series:
    """The last day of each payout period label, checking that it fits in one ``kind`` period."""
    ends = {}
    for label in labels.dropna().unique():
        try:
            p = pd.Period(label)
        except ValueError:
            raise ValueError(
                f"payouts.period {label!r} is not a period label such as 2026-01, 2026Q1 "
                "or 2026"
            ) from None
        if p.start_time.to_period(kind) != p.end_time.to_period(kind):
            raise ValueError(
                f"payouts for period {label!r} cannot be split into period {kind!r}; ask "
                "for a period at least as long"
            )
        ends[label] = p.end_time.normalize()
    return labels.map(ends).astype("datetime64[ns]")


@_kpi("""
    plan : str, optional
        The ``payouts.plan`` to count; needed when the table holds several plans.
""")
def cost_of_sales(ledger: Ledger, period: str = "M", by: str = "rep",
                  plan: str | None = None) -> pd.DataFrame:
    """Cost of sales: incentive pay / revenue of the period (R2.2.2.1).

    Incentive pay is the sum of ``payouts.amount`` (clawbacks are negative) whose ``period``
    label falls in the period; a payout period longer than ``period`` raises ValueError.
    ``plan`` picks one plan's payouts; it is required when the table holds several plans.
    NaN when revenue is 0.
    """
    g = _Grid(ledger, period, by)
    pay = ledger.table("payouts")
    plans = sorted(pay["plan"].dropna().unique())
    if plan is not None:
        if plan not in plans:
            raise ValueError(f"no payouts for plan {plan!r}; plans: {', '.join(plans)}")
        pay = pay[pay["plan"] == plan]
    elif len(plans) > 1:
        raise ValueError(f"payouts hold several plans ({', '.join(plans)}); pass plan=")
    pay = pay.assign(paid_for=_period_ends(pay["period"], g.kind))
    paid = g.tally(pay, "paid_for", ["amount"])["amount"]
    return g.result("cost_of_sales", _ratio(paid, _revenue(g)))
