"""Invoices, payments and collection calls (R2.2.1.3, 回款率).

Every deal is invoiced at signing, in ``payments.installments`` equal invoices (whole CNY,
the last one takes the remainder) due ``terms_days`` calendar days apart. Each invoice's
customer behaves in one of four ways, drawn with the shares of ``payments.behaviour``:

- ``on_time``: pays in full at a random time before the due date;
- ``late``: pays in full after the due date, on average ``late_mean_days`` later;
- ``partial``: pays ``partial_share`` of the amount on time and the rest only when chased;
- ``never``: does not pay unless chased.

An invoice still unpaid ``grace_days`` after it fell due puts a collection call (催款) on
the rep's list. A call succeeds with probability ``call_success``: the customer then pays
the rest about ``pay_after_call_days`` later (or sooner, if it was going to anyway).
After an unsuccessful call the rep calls again ``recall_days`` later, at most
``max_calls`` times. So reps who make their calls collect more, and sooner.

Satisfaction (满意度) matters too: when a customer would pay the (rest of an) invoice of its
own accord, it holds the payment back with probability ``withhold_unsatisfied x (1 -
satisfaction)`` and then pays only when chased, as if it never paid. A customer who was
called about the invoice keeps the promise it gave. So after-sales care (R2.1.4.2,
R2.1.4.3) also brings cash in on time.
"""

from __future__ import annotations

import math
import struct
from heapq import heappush
from math import trunc
from typing import TYPE_CHECKING

import numpy as np

from . import aftersales
from .rules import COLLECTION_CALL

if TYPE_CHECKING:
    from .aftersales import Customer
    from .engine import Model
    from .reps import Rep

__all__ = ["Invoice", "columns", "issue_invoices"]

_PACK3 = struct.Struct("3d").pack  # a record row of float64 (faster than array.extend)
_PACK5 = struct.Struct("5d").pack  # a record row of float64

EV_INVOICE, EV_PAYMENT, EV_CALL = 20, 21, 22


class Invoice:
    """One invoice: amounts in CNY, times on the working-day clock."""

    __slots__ = ("idx", "deal", "cust", "rep", "issued", "due", "due_date", "amount", "paid",
                 "pay_t", "calls")

    def __init__(self, idx, deal, cust, rep, issued, due, due_date, amount) -> None:
        self.idx, self.deal, self.cust, self.rep = idx, deal, cust, rep
        self.issued, self.due, self.due_date, self.amount = issued, due, due_date, amount
        self.paid = 0.0
        self.pay_t = math.inf  # when the (rest of the) amount will be paid
        self.calls = 0


def columns(invoices: list[Invoice]) -> dict[str, np.ndarray]:
    """The invoices' fields the ledger and the trace read, as arrays: ``deal``, ``cust``
    and ``rep`` (indexes), ``issued`` (clock time), ``due_date`` (days since 1970) and
    ``amount`` (CNY)."""
    return {
        "deal": np.array([i.deal for i in invoices], dtype=np.int64),
        "cust": np.array([i.cust.idx for i in invoices], dtype=np.int64),
        "rep": np.array([i.rep.idx for i in invoices], dtype=np.int64),
        "issued": np.array([i.issued for i in invoices], dtype=float),
        "due_date": np.array([i.due_date for i in invoices], dtype=np.int64),
        "amount": np.array([i.amount for i in invoices], dtype=float),
    }


def issue_invoices(m: Model, rep: Rep, c: Customer, deal: int, amount: float,
                   t: float) -> None:
    """Issue the invoices of a deal signed at ``t`` and draw how each will be paid."""
    n = m.installments
    # math.trunc is int() for a float, and faster to call
    part = float(trunc(amount) // n)
    day = trunc(t)
    invoices = m.invoices
    for j in range(n):
        amt = part if j < n - 1 else amount - part * (n - 1)
        due, due_date = m.due_of(day, j)
        inv = Invoice(m.invoices_before + len(invoices), deal, c, rep, t, due, due_date, amt)
        invoices.append(inv)
        c.invoices.append(inv)
        _draw_behaviour(m, rep, inv, t)


def _draw_behaviour(m: Model, rep: Rep, inv: Invoice, t: float) -> None:
    u = rep.u()
    cum = m.behaviour_cum
    gap = inv.due - t  # inf for a due date far beyond the simulated time
    before_due = t + rep.u() * gap if 0.0 < gap < math.inf else (t if gap <= 0.0 else gap)
    if u < cum[0]:  # on time
        inv.pay_t = before_due
    elif u < cum[1]:  # late
        inv.pay_t = (t if t > inv.due else inv.due) + rep.e() * m.late_mean
    elif u < cum[2]:  # partial: a share on time, the rest when chased
        first = float(trunc(inv.amount * m.partial_share))
        if first > 0:
            heappush(rep.agenda, (before_due, m.next_seq(), _pay_part, (inv, first)))
    # never: pay_t stays inf
    if inv.pay_t < math.inf:
        heappush(rep.agenda, (inv.pay_t, m.next_seq(), _pay_rest, inv))
    overdue = _overdue_at(m, inv)
    if inv.pay_t > overdue:
        heappush(rep.agenda, (overdue, m.next_seq(), _overdue, inv))


def _record(m: Model, rep: Rep, inv: Invoice, t: float, amount: float) -> None:
    inv.paid += amount
    m.payments.frombytes(_PACK3(inv.idx, t, amount))
    rep.cash[m.month_of_day[trunc(t)]] += amount  # int(t), faster for a float


def _pay_part(m: Model, rep: Rep, obj: tuple, t: float) -> None:
    inv, amount = obj
    if inv.paid + amount <= inv.amount:
        _record(m, rep, inv, t, amount)


def _pay_rest(m: Model, rep: Rep, inv: Invoice, t: float) -> None:
    if t != inv.pay_t or inv.paid >= inv.amount:
        return  # superseded by an earlier promise, or already paid
    if m.withhold > 0.0 and not inv.calls and rep.u() < m.withhold * (
            1.0 - aftersales.satisfaction(m, inv.cust, t)):
        inv.pay_t = math.inf  # held back: paid only when chased
        overdue = _overdue_at(m, inv)
        if t <= overdue:  # else the invoice is already on the rep's list
            heappush(rep.agenda, (overdue, m.next_seq(), _overdue, inv))
        return
    _record(m, rep, inv, t, inv.amount - inv.paid)


def _overdue_at(m: Model, inv: Invoice) -> float:
    """When an unpaid ``inv`` goes on the rep's list: ``grace_days`` after it falls due (or
    is issued, if later). ``max``, written out: the builtin is slow to call."""
    start = inv.issued if inv.issued > inv.due else inv.due
    return start + m.grace


def _overdue(m: Model, rep: Rep, inv: Invoice, t: float) -> None:
    if inv.paid < inv.amount and inv.calls < m.max_calls:
        heappush(rep.queues[COLLECTION_CALL], (t, m.next_seq(), inv))


def start_call(m: Model, rep: Rep, inv: Invoice, now: float, kind: int) -> float | None:
    """Begin a collection call, unless the invoice has been paid meanwhile."""
    if inv.paid >= inv.amount:
        return None
    dur = m.task_days[kind] * rep.dur() * rep.inv_speed
    m.acts.frombytes(_PACK5(rep.idx, now, now + dur, kind, inv.idx))
    return dur


def finish_call(m: Model, rep: Rep, inv: Invoice, t0: float, t1: float, kind: int) -> None:
    """Outcome of a collection call (R2.2.1.3)."""
    inv.calls += 1
    ok = rep.u() < m.call_success
    if m.tracing:
        m.trace.frombytes(_PACK5(t1, inv.cust.lead, EV_CALL, rep.idx, 1.0 if ok else 0.0))
    if ok:
        when = t1 + rep.e() * m.pay_after_call
        if when < inv.pay_t:
            inv.pay_t = when
            heappush(rep.agenda, (when, m.next_seq(), _pay_rest, inv))
    elif inv.calls < m.max_calls:
        heappush(rep.agenda, (t1 + m.recall, m.next_seq(), _overdue, inv))
