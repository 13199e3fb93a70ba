"""Exercise tasks of lesson 06: the KPIs of the regulation (R2.2.1).

The data is :func:`~salessim.exercises.datasets.kpi_practice` (the sample CRM export with a
few more records), the rep is R03 and the quarter 2026Q2 (1 April to 30 June 2026), and the
targets are the company's own version of the regulation's examples, :data:`TARGETS`.

Every expected answer comes from :mod:`salessim.kpi`; every known mistake is computed here
with plain pandas, the way a learner would make it.
"""

from __future__ import annotations

import pandas as pd

from .. import kpi
from ..ledger import Ledger
from ..regulation import Targets
from .core import Mistake, Task
from .datasets import kpi_practice
from .kinds import IdSet, Number, as_percentage

__all__ = ["QUARTER", "REP", "TARGETS", "TASKS"]

REP = "R03"
QUARTER = "2026Q2"
TARGETS = Targets(monthly_revenue=90_000, quarterly_new_customers=1)
"""This company's targets: 90,000 CNY a month (270,000 a quarter) and one new customer a
quarter per rep; retention and collection targets as in the regulation (85%, 90%)."""

_Q2 = (pd.Timestamp("2026-04-01"), pd.Timestamp("2026-06-30"))
_Q1 = (pd.Timestamp("2026-01-01"), pd.Timestamp("2026-03-31"))
_RATE_TOL = 0.0005
_MEETS = ["meets_revenue", "meets_new_customers", "meets_retention", "meets_collection"]


def _value(frame: pd.DataFrame, column: str, rep: str | None = REP,
           period: str = QUARTER) -> float:
    """One value of a KPI table: the row of ``rep`` (or the only row) in ``period``."""
    rows = frame[frame["period"] == period]
    if rep is not None:
        rows = rows[rows["rep_id"] == rep]
    return float(rows[column].item())


def _rep(table: pd.DataFrame, rep: str | None = REP) -> pd.DataFrame:
    return table if rep is None else table[table["rep_id"] == rep]


# ------------------------------------------------------------------ 06.1 revenue
def _revenue(d: Ledger) -> float:
    return _value(kpi.revenue(d, "Q"), "revenue")


def _deals(d: Ledger, period=_Q2, rep: str | None = REP) -> pd.DataFrame:
    deals = _rep(d.deals, rep)
    return deals[deals["signed_on"].between(*period)]


def _revenue_last_day_missed(d: Ledger) -> float:
    deals = _rep(d.deals)
    return deals.loc[(deals["signed_on"] >= _Q2[0]) & (deals["signed_on"] < _Q2[1]),
                     "amount"].sum()


def _cash_received(d: Ledger) -> float:
    pay = d.payments.merge(d.invoices[["invoice_id", "rep_id"]], on="invoice_id")
    return _rep(pay).loc[lambda p: p["paid_on"].between(*_Q2), "amount"].sum()


REVENUE = Task(
    id="06.1",
    title="Revenue (销售额) of a rep in a quarter, with pandas",
    clauses=("R2.2.1.1",),
    kind=Number(unit="CNY"),
    expected=_revenue,
    why="Revenue against its target is the first number a rep is assessed on, and a deal "
        "counts in the period it is signed in, up to the last day.",
    hint="Keep R03's deals whose signed_on lies between the quarter's first and last day, "
         "both included, and add up their amount column.",
    mistakes=(
        Mistake("last day left out",
                "Your total leaves out the deal signed on the quarter's last day. Both ends "
                "of a period count: keep signed_on <= the last day (or compare "
                "signed_on.dt.to_period('Q') with the quarter). Invoices are issued after "
                "signing, so adding up invoices misses such a deal too.",
                value=_revenue_last_day_missed),
        Mistake("list price",
                "You added list prices. Revenue counts what the customer agreed to pay: the "
                "amount column, after the discount.",
                value=lambda d: _deals(d)["list_amount"].sum()),
        Mistake("cash received",
                "You added the payments received in the quarter. Revenue counts deals when "
                "they are signed (signed_on and amount in the deals table); cash collected "
                "is a different number.",
                value=_cash_received),
        Mistake("all reps",
                "Your total includes other reps' deals: filter on rep_id as well as on the "
                "date.",
                value=lambda d: _deals(d, rep=None)["amount"].sum()),
        Mistake("first quarter",
                "That is the revenue of the first quarter; the task asks for 2026Q2, April "
                "to June.",
                value=lambda d: _deals(d, period=_Q1)["amount"].sum()),
        Mistake("since January",
                "Your total includes deals from before the quarter: keep only the deals "
                "signed from 1 April to 30 June.",
                value=lambda d: _deals(d, period=(_Q1[0], _Q2[1]))["amount"].sum()),
    ),
    data=kpi_practice,
    tolerance=0.5,
)


# ------------------------------------------------------------------ 06.2 attainment
def _attainment(d: Ledger) -> float:
    return _value(kpi.attainment(d, "Q", targets=TARGETS), "attainment")


def _over(revenue, target):
    return lambda d: revenue(d) / target


ATTAINMENT = Task(
    id="06.2",
    title="Attainment of the quarterly revenue target",
    clauses=("R2.2.1.1",),
    kind=Number(ratio=True),
    expected=_attainment,
    why="Attainment decides the bonus: above target the regulation adds an extra 20% to 30% "
        "(R2.2.2.1), so it must be measured against the right target.",
    hint="Attainment is the quarter's revenue divided by the quarterly revenue target "
         "(targets.revenue('Q')), as a plain ratio: exactly on target gives one.",
    mistakes=(
        Mistake("regulation's example target",
                "You divided by the regulation's example target. The regulation's numbers "
                "are examples: this company's quarterly target is targets.revenue('Q').",
                value=_over(_revenue, Targets().revenue("Q"))),
        Mistake("monthly target",
                "You divided by the monthly target. A quarter's revenue is compared with the "
                "quarterly target, targets.revenue('Q').",
                value=_over(_revenue, TARGETS.revenue("M"))),
        Mistake("annual target",
                "You divided by the annual target. A quarter's revenue is compared with the "
                "quarterly target, targets.revenue('Q').",
                value=_over(_revenue, TARGETS.revenue("Y"))),
        as_percentage(_attainment, _RATE_TOL),
        Mistake("revenue without the last day",
                "The division is right, but your revenue leaves out the deal signed on the "
                "quarter's last day (see task 06.1).",
                value=_over(_revenue_last_day_missed, TARGETS.revenue("Q"))),
        Mistake("revenue at list price",
                "The division is right, but your revenue uses list prices; use the amount "
                "after discount (see task 06.1).",
                value=_over(lambda d: _deals(d)["list_amount"].sum(), TARGETS.revenue("Q"))),
    ),
    data=kpi_practice,
    tolerance=_RATE_TOL,
)


# ------------------------------------------------------------------ 06.3 new customers
def _new_customers(d: Ledger) -> float:
    return _value(kpi.new_customers(d, "Q"), "new_customers")


def _customers(d: Ledger, rep: str | None = REP) -> pd.DataFrame:
    return _rep(d.customers, rep)


def _churned_by(c: pd.DataFrame, day: pd.Timestamp) -> pd.Series:
    return c["churned_on"].notna() & (c["churned_on"] <= day)


def _new(c: pd.DataFrame) -> pd.Series:
    return c["acquired_on"].between(*_Q2)


NEW_CUSTOMERS = Task(
    id="06.3",
    title="New customers (新增客户) in a quarter",
    clauses=("R2.2.1.2",),
    kind=Number(unit="customers"),
    expected=_new_customers,
    why="New customers are next year's repeat revenue; the regulation gives them a target of "
        "their own so that reps do not live on existing accounts alone.",
    hint="Count R03's customers whose acquired_on lies in the quarter, both ends included, "
         "whatever happened to them afterwards.",
    mistakes=(
        Mistake("churned ones left out",
                "You left out customers who were won in the quarter and lost again before its "
                "end. They are still new customers of the quarter: count every customer "
                "acquired in it, churned or not.",
                value=lambda d: (_new(c := _customers(d)) & ~_churned_by(c, _Q2[1])).sum()),
        Mistake("last day left out",
                "You left out a customer acquired on the quarter's last day: both ends of the "
                "quarter count.",
                value=lambda d: _customers(d)["acquired_on"].pipe(
                    lambda s: ((s >= _Q2[0]) & (s < _Q2[1])).sum())),
        Mistake("customers with a deal",
                "You counted the customers who signed a deal in the quarter; most of them "
                "were existing customers buying again (kind 'repeat'). A new customer is one "
                "whose acquired_on falls in the quarter.",
                value=lambda d: _deals(d)["customer_id"].nunique()),
        Mistake("customers at the end",
                "You counted all of R03's customers at the quarter's end. New customers are "
                "only those acquired during the quarter.",
                value=lambda d: ((c := _customers(d))["acquired_on"].le(_Q2[1])
                                 & ~_churned_by(c, _Q2[1])).sum()),
    ),
    data=kpi_practice,
    tolerance=0,
)


# ------------------------------------------------------------------ 06.4 retention
def _retention(d: Ledger) -> float:
    return _value(kpi.retention_rate(d, "Q"), "retention_rate")


def _opening(c: pd.DataFrame) -> pd.Series:
    """Customers at the quarter's start: acquired before it, not churned before it."""
    return (c["acquired_on"] < _Q2[0]) & ~(c["churned_on"] < _Q2[0])


def _counts(d: Ledger, rep: str | None = REP) -> dict[str, int]:
    c = _customers(d, rep)
    opening, gone = _opening(c), _churned_by(c, _Q2[1])
    at_end = (c["acquired_on"] <= _Q2[1]) & ~gone
    return {"S": int(opening.sum()), "lost": int((opening & gone).sum()),
            "N": int(_new(c).sum()), "E": int(at_end.sum())}


def _by_end(d: Ledger, rep: str | None = REP) -> float:
    n = _counts(d, rep)
    return (n["S"] - n["lost"]) / n["E"]


def _end_minus_new(d: Ledger, rep: str | None = REP) -> float:
    n = _counts(d, rep)
    return (n["E"] - n["N"]) / n["S"]


_BY_END_HINT = (
    "You divided by the customers at the quarter's end. Retention follows the customers the "
    "rep had at the start: of those, the share still kept at the end."
)
_END_MINUS_NEW_HINT = (
    "You computed (customers at the end - new customers) / customers at the start. New "
    "customers won and lost within the same quarter are not among the customers at the end, "
    "so subtracting all new customers counts them as lost although they were never among "
    "the customers at the start. Follow the opening customers instead: how many of them had "
    "not churned by the quarter's end?"
)

RETENTION = Task(
    id="06.4",
    title="Retention rate (留存率)",
    clauses=("R2.2.1.2",),
    kind=Number(fraction=True),
    expected=_retention,
    why="Keeping a customer costs far less than winning one, and retention shows whether "
        "after-sales follow-up and regular revisits (R2.1.4.2, R2.1.4.3) work.",
    hint="Take R03's customers at the quarter's start (acquired before 1 April and not churned "
         "before it); the rate is the share of them with no churned_on on or before 30 June.",
    mistakes=(
        Mistake("divided by the end", _BY_END_HINT, value=_by_end),
        Mistake("(E - N) / S", _END_MINUS_NEW_HINT, value=_end_minus_new),
        Mistake("churn rate",
                "That is the churn rate, the share of opening customers lost. Retention is "
                "the share kept.",
                value=lambda d: (n := _counts(d))["lost"] / n["S"]),
        as_percentage(_retention, _RATE_TOL),
    ),
    data=kpi_practice,
    tolerance=_RATE_TOL,
)


# ------------------------------------------------------------------ 06.5 collection
def _collection(d: Ledger) -> float:
    return _value(kpi.collection_rate(d, "Q"), "collection_rate")


def _due(d: Ledger) -> pd.DataFrame:
    """R03's invoices due in the quarter, with what was paid by its end and in total."""
    inv = _rep(d.invoices)
    inv = inv[inv["due_on"].between(*_Q2)]
    pay = d.payments[d.payments["invoice_id"].isin(inv["invoice_id"])]
    on_time = pay[pay["paid_on"] <= _Q2[1]].groupby("invoice_id")["amount"].sum()
    total = pay.groupby("invoice_id")["amount"].sum()
    return inv.assign(paid=inv["invoice_id"].map(on_time).fillna(0.0),
                      paid_ever=inv["invoice_id"].map(total).fillna(0.0))


def _share(paid: str):
    def value(d: Ledger) -> float:
        inv = _due(d)
        return inv[paid].clip(upper=inv["amount"]).sum() / inv["amount"].sum()
    return value


def _only_full(d: Ledger) -> float:
    inv = _due(d)
    full = inv["paid"] >= inv["amount"]
    return inv.loc[full, "amount"].sum() / inv["amount"].sum()


def _any_as_full(d: Ledger) -> float:
    inv = _due(d)
    return inv.loc[inv["paid"] > 0, "amount"].sum() / inv["amount"].sum()


def _cash_over_invoiced(d: Ledger) -> float:
    inv = _rep(d.invoices)
    issued = inv.loc[inv["issued_on"].between(*_Q2), "amount"].sum()
    return _cash_received(d) / issued


COLLECTION = Task(
    id="06.5",
    title="Collection rate (回款率)",
    clauses=("R2.2.1.3",),
    kind=Number(fraction=True),
    expected=_collection,
    why="A sale is worth something only once it is paid; the collection rate keeps reps from "
        "closing deals with customers who will not pay on time.",
    hint="Take R03's invoices due in the quarter. For each, add the payments made on or "
         "before 30 June (at most the invoice amount); divide their sum by the invoices' "
         "total amount.",
    mistakes=(
        Mistake("late payments counted",
                "You counted payments made after the quarter's end. The collection rate "
                "measures what was collected on time: only payments with paid_on up to the "
                "quarter's last day count.",
                value=_share("paid_ever")),
        Mistake("partial payments ignored",
                "You counted only invoices paid in full. A partial payment counts for the "
                "part that was paid.",
                value=_only_full),
        Mistake("partial payments as full",
                "You counted a partly paid invoice as if it were paid in full. Count the "
                "payments themselves, not the invoices that received some payment.",
                value=_any_as_full),
        Mistake("cash over invoiced",
                "You divided the cash received in the quarter by the amounts invoiced in it. "
                "The rate compares, for the invoices due in the quarter, what was paid by its "
                "end with what was due.",
                value=_cash_over_invoiced),
        as_percentage(_collection, _RATE_TOL),
    ),
    data=kpi_practice,
    tolerance=_RATE_TOL,
)


# ------------------------------------------------------------------ 06.6 the company, with kpi
def _company_card(d: Ledger) -> pd.DataFrame:
    return kpi.scorecard(d, "Q", by="company", targets=TARGETS)


def _company_retention(d: Ledger) -> float:
    return _value(_company_card(d), "retention_rate", rep=None)


def _mean_of_reps(d: Ledger) -> float:
    card = kpi.scorecard(d, "Q", targets=TARGETS)
    return card.loc[card["period"] == QUARTER, "retention_rate"].mean()


COMPANY_RETENTION = Task(
    id="06.6",
    title="The company's retention rate (留存率), with salessim.kpi",
    clauses=("R2.2.1.2",),
    kind=Number(fraction=True),
    expected=_company_retention,
    why="A pooled rate weighs every customer once; averaging the reps' rates gives a rep with "
        "two customers as much weight as one with five, and can turn a missed target into a "
        "met one.",
    hint="Use kpi.scorecard(ledger, period='Q', by='company', targets=targets) and read the "
         "retention_rate of the 2026Q2 row.",
    mistakes=(
        Mistake("mean of the reps' rates",
                "You averaged the four reps' retention rates. The company's rate pools all "
                "customers: lost customers over all opening customers. Ask the scorecard for "
                "by='company'.",
                value=_mean_of_reps),
        Mistake("(E - N) / S", _END_MINUS_NEW_HINT,
                value=lambda d: _end_minus_new(d, rep=None)),
        Mistake("divided by the end", _BY_END_HINT, value=lambda d: _by_end(d, rep=None)),
        as_percentage(_company_retention, _RATE_TOL),
    ),
    data=kpi_practice,
    tolerance=_RATE_TOL,
)


# ------------------------------------------------------------------ 06.7 all four targets
def _quarter_rows(d: Ledger, targets: Targets = TARGETS, period: str = QUARTER) -> pd.DataFrame:
    card = kpi.scorecard(d, "Q", targets=targets)
    return card[card["period"] == period]


def _meeting(columns: list[str], how: str = "all", targets: Targets = TARGETS,
             period: str = QUARTER):
    def value(d: Ledger) -> pd.DataFrame:
        rows = _quarter_rows(d, targets, period)
        flags = rows[columns]
        return rows[flags.all(axis=1) if how == "all" else flags.any(axis=1)]
    return value


MEETS_ALL = Task(
    id="06.7",
    title="Reps who meet all four targets, with the scorecard",
    clauses=("R2.2.1.1", "R2.2.1.2", "R2.2.1.3"),
    kind=IdSet(column="rep_id", frame=True),
    expected=_meeting(_MEETS),
    why="The regulation assesses the four indicators together: a top seller who loses "
        "customers or is not paid on time still misses the assessment.",
    hint="Build the quarterly scorecard with this company's targets, keep the 2026Q2 rows and "
         "then the rows where all four meets_ columns are True.",
    mistakes=(
        Mistake("a target missed",
                "Your table includes a rep who misses one of the four targets in 2026Q2. "
                "Check that you kept only the 2026Q2 rows and required every meets_ column, "
                "retention included.",
                value=_meeting(_MEETS[:2] + _MEETS[3:])),
        Mistake("any instead of all",
                "You kept reps who meet at least one target. The task asks for all four: "
                "combine the conditions with & (or .all(axis=1)), not | (or .any).",
                value=_meeting(_MEETS, how="any")),
        Mistake("the regulation's example targets",
                "You used the regulation's example targets (a scorecard without targets=). "
                "Pass this company's targets: kpi.scorecard(ledger, 'Q', targets=targets).",
                value=_meeting(_MEETS, targets=Targets())),
        Mistake("revenue not required",
                "You left out the revenue condition: a rep must also reach the quarterly "
                "revenue target (meets_revenue).",
                value=_meeting(_MEETS[1:])),
    ),
    data=kpi_practice,
)

TASKS: tuple[Task, ...] = (REVENUE, ATTAINMENT, NEW_CUSTOMERS, RETENTION, COLLECTION,
                           COMPANY_RETENTION, MEETS_ALL)
