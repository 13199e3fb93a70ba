"""The KPIs the regulation assesses: revenue (销售额) and attainment, new customers, retention
rate (留存率) and collection rate (回款率) (R2.2.1.1-R2.2.1.3)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..ledger import Ledger
from ..regulation import Targets, _as_targets
from .grid import _Grid, _kpi, _ratio


@_kpi()
def revenue(ledger: Ledger, period: str = "M", by: str = "rep") -> pd.DataFrame:
    """Sales revenue (销售额): the sum of ``deals.amount`` signed in the period, CNY (R2.2.1.1).

    Deal amounts are after discount; a deal counts in the period holding its ``signed_on``.
    """
    g = _Grid(ledger, period, by)
    return g.result("revenue", _revenue(g))


def _revenue(g: _Grid) -> pd.Series:
    return g.tally(g.ledger.deals, "signed_on", ["amount"])["amount"]


@_kpi("""
    targets : Targets, dict or None
        The per-rep targets, a dict of overrides of the defaults, or None for the
        regulation's defaults.
""")
def attainment(ledger: Ledger, period: str = "M", by: str = "rep",
               targets: Targets | dict | None = None) -> pd.DataFrame:
    """Attainment: revenue / revenue target of the period (R2.2.1.1, R2.2.2.1).

    The target is the per-rep target of ``targets`` (a :class:`Targets`, a dict of
    overrides, or None for the regulation's defaults) for the period kind, times the number
    of reps in the group (see :func:`scorecard`). 1.0 means exactly on target.
    """
    g = _Grid(ledger, period, by)
    target = _as_targets(targets).revenue(g.kind) * g.headcount()
    return g.result("attainment", _ratio(_revenue(g), target))


@_kpi()
def new_customers(ledger: Ledger, period: str = "M", by: str = "rep") -> pd.DataFrame:
    """New customers: the count of customers whose ``acquired_on`` is in the period (R2.2.1.2)."""
    g = _Grid(ledger, period, by)
    return g.result("new_customers", _new_customers(g))


def _new_customers(g: _Grid) -> pd.Series:
    return g.tally(g.ledger.customers.assign(n=1), "acquired_on", ["n"])["n"].astype("int64")


@_kpi()
def retention_rate(ledger: Ledger, period: str = "M", by: str = "rep") -> pd.DataFrame:
    """Retention rate (留存率): the share of the period's opening customers still kept at its end.

    Opening customers S were acquired before the period's start and had not churned before
    it; of those, the ones with no ``churned_on`` on or before the period's end are kept:
    rate = (S - lost) / S (R2.2.1.2). A customer won and lost inside the same period never
    counts. NaN when the group had no customers at the period's start.
    """
    g = _Grid(ledger, period, by)
    return g.result("retention_rate", _retention_rate(g))


def _retention_rate(g: _Grid) -> pd.Series:
    cust = g.ledger.customers.assign(n=1)
    at_start = g.open_at_start(cust, "acquired_on", "churned_on", "n")
    earlier = g.number(cust["acquired_on"]) < g.number(cust["churned_on"])
    lost = g.tally(cust[earlier], "churned_on", ["n"])["n"]
    return _ratio(at_start - lost, at_start)


def _payments(ledger: Ledger) -> pd.DataFrame:
    """Payments with their invoice's row position (``invoice_row``), rep_id, issued_on, due_on.

    Payments for an invoice the ledger does not have are left out.
    """
    inv, pay = ledger.invoices, ledger.payments
    row = pd.Index(inv["invoice_id"]).get_indexer(pay["invoice_id"])
    pay, row = pay[row >= 0], row[row >= 0]
    return pay.assign(invoice_row=row, **{
        c: inv[c].iloc[row].set_axis(pay.index) for c in ("rep_id", "issued_on", "due_on")
    })


@_kpi()
def collection_rate(ledger: Ledger, period: str = "M", by: str = "rep") -> pd.DataFrame:
    """Collection rate (回款率): the share of the invoice amounts due in the period paid by its end.

    rate = sum over invoices with ``due_on`` in the period of min(paid, amount) / sum of
    their amounts, where paid counts the invoice's payments with ``paid_on`` on or before
    the period's last day (R2.2.1.3). Partial payments count in part; a payment after the
    period's end does not count, and an overpayment counts only up to the invoice amount.
    NaN when nothing fell due.
    """
    g = _Grid(ledger, period, by)
    return g.result("collection_rate", _collection_rate(g))


def _collection_rate(g: _Grid) -> pd.Series:
    inv, pay = g.ledger.invoices, _payments(g.ledger)
    on_time = (g.number(pay["paid_on"]) <= g.number(pay["due_on"]))
    paid = np.bincount(pay["invoice_row"][on_time], weights=pay["amount"][on_time],
                       minlength=len(inv))
    t = g.tally(inv.assign(paid=np.minimum(paid, inv["amount"])), "due_on", ["amount", "paid"])
    return _ratio(t["paid"], t["amount"])


@_kpi()
def collected_cash(ledger: Ledger, period: str = "M", by: str = "rep") -> pd.DataFrame:
    """Collected cash: the sum of payments with ``paid_on`` in the period, CNY (R2.2.1.3).

    A payment belongs to its invoice's rep; commission on collected cash is paid on this.
    """
    g = _Grid(ledger, period, by)
    return g.result("collected_cash", _collected_cash(g))


def _collected_cash(g: _Grid) -> pd.Series:
    return g.tally(_payments(g.ledger), "paid_on", ["amount"])["amount"]
