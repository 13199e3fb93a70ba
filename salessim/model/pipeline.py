"""The pipeline of a qualified lead: follow-up, needs discovery, demo, quote, negotiation and
contract (R2.1.2, R2.1.3).

Each step is a task that takes rep time. After it, the lead moves on with the step's
conversion probability ``p``, adjusted so that skill and fit act like extra tries: the
chance is ``1 - (1 - p) ** (skill * fit)``, where ``fit`` grows with the lead's score
(R2.1.1.3). Then the customer needs some time (its lead time) before the next step can be
held. A lead that does not move on is lost at that step.

- First contact (R2.1.2.1, 第一时间): conversion falls by a factor ``e`` for every
  ``process.response_days`` working days the lead waited for it.
- Discovery and a tailored solution (R2.1.2.2); demo or trial (R2.1.2.3).
- Quote (R2.1.3.1): the list price for the company's size, varied per deal.
- Negotiation (R2.1.3.2): the decision rule chooses the discount; a larger discount raises
  the chance that the customer agrees (``pricing.discount_effect``) and lowers revenue.
- Contract (R2.1.3.3): signing makes the lead a customer and books a deal of kind ``new``;
  invoicing, delivery and after-sales follow.

A lead's ``stage`` in the ledger is the furthest step begun: ``contacted`` once the first
contact has begun, then ``discovery``, ``demo``, ``quote``, ``negotiation`` and
``contract`` (the signing itself).
"""

from __future__ import annotations

import math
from heapq import heappush
from typing import TYPE_CHECKING

from . import aftersales, payments
from .leads import CONCESSION, LAG, PRICE
from .rules import CONTRACT, FIRST_CONTACT, NEGOTIATION, QUOTE

if TYPE_CHECKING:
    from .engine import Model
    from .reps import Inbox, Rep

__all__ = ["Opp", "OPEN", "WON", "LOST", "DISQUALIFIED", "OUTCOMES"]

OUTCOMES = ("open", "won", "lost", "disqualified")
OPEN, WON, LOST, DISQUALIFIED = range(4)

# Trace events made from the records at the end (see :mod:`salessim.model.output`).
EV_ARRIVED, EV_DISQUALIFIED, EV_STEP, EV_LOST, EV_WON = range(5)


class Opp:
    """An open opportunity: a qualified lead being worked, with its own random draws."""

    __slots__ = ("lead", "base", "fit", "created", "size", "list_price", "discount")

    def __init__(self, lead: int, base: int, fit: float, created: float, size: int) -> None:
        # base: where the lead's row of draws starts in the model's flat array ``D``
        self.lead, self.base, self.fit, self.created, self.size = lead, base, fit, created, size
        self.list_price = 0.0
        self.discount = 0.0


def take_in(m: Model, rep: Rep, ib: Inbox, now: float) -> None:
    """Move the leads of ``ib`` that have arrived by ``now`` into the first-contact queue."""
    q = rep.queues[FIRST_CONTACT]
    times, leads = ib.times, ib.leads
    i, n = ib.ptr, ib.n
    while i < n and times[i] <= now:
        lead = leads[i]
        heappush(q, (times[i], m.next_seq(), m.new_opp(lead)))
        i += 1
    ib.ptr = i


def step_handlers(m: Model):
    """The start and finish functions of the pipeline tasks, bound to the model's constants.

    ``start(m, rep, opp, now, kind)`` records the activity and returns its length in working
    days; ``finish(m, rep, opp, t0, t1, kind)`` applies the customer's answer.
    """
    D = m.D
    acts = m.acts.extend
    task_days, conversion, lag_days = m.task_days, m.conversion, m.lag_days
    L_rep, L_fc, L_stage, L_outcome, L_closed = m.L_rep, m.L_fc, m.L_stage, m.L_outcome, \
        m.L_closed
    list_price, price_sd, price_half = m.list_price, m.price_sd, m.price_var_half
    discount_of = m.rule.discount
    response_days, discount_effect = m.response_days, m.discount_effect
    next_seq = m.next_seq
    exp = math.exp
    pull = getattr(m.rule, "pull", None)  # a rule may move a step earlier (see rules.py)

    def start(m: Model, rep: Rep, opp: Opp, now: float, kind: int) -> float:
        if kind == FIRST_CONTACT:
            L_rep[opp.lead] = rep.idx
            L_fc[opp.lead] = now
        elif kind == QUOTE:
            price = list_price[opp.size] * exp(price_sd * D[opp.base + PRICE] - price_half)
            opp.list_price = max(100.0, round(price / 100.0) * 100.0)
        elif kind == NEGOTIATION:
            opp.discount = discount_of(rep, opp, now, D[opp.base + CONCESSION])
        L_stage[opp.lead] = kind
        dur = task_days[kind] * rep.dur() * rep.inv_speed
        acts((rep.idx, now, now + dur, kind, opp.lead))
        return dur

    def finish(m: Model, rep: Rep, opp: Opp, t0: float, t1: float, kind: int) -> None:
        lead = opp.lead
        p = conversion[kind]
        tries = rep.skill * opp.fit
        if kind == FIRST_CONTACT:
            p *= exp((opp.created - t0) / response_days)
        elif kind == NEGOTIATION:
            tries *= 1.0 + discount_effect * opp.discount
        if p < 1.0 and D[opp.base + kind - 1] >= 1.0 - (1.0 - p) ** tries:
            L_outcome[lead] = LOST
            L_closed[lead] = t1
        elif kind == CONTRACT:
            won(m, rep, opp, t1)
        else:
            ready = t1 + D[opp.base + LAG + kind] * lag_days[kind + 1]
            if pull is not None:
                ready = pull(m, rep, opp, kind, t1, ready)
            heappush(rep.queues[kind + 1], (ready, next_seq(), opp))

    return start, finish


def won(m: Model, rep: Rep, opp: Opp, t: float) -> None:
    """Contract signed: a new customer, a deal, its invoices and an order (R2.1.3.3)."""
    m.L_outcome[opp.lead] = WON
    m.L_closed[opp.lead] = t
    amount = opp.list_price * (100 - round(opp.discount * 100)) / 100
    cust = aftersales.new_customer(m, rep, opp, t)
    deal = m.book_deal(rep, cust, t, opp.list_price, opp.discount, amount, 0)
    rep.new_customers[m.month_of(t)] += 1
    payments.issue_invoices(m, rep, cust, deal, amount, t)
    aftersales.place_order(m, rep, cust, deal, t)
