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
import struct
from heapq import heappush
from typing import TYPE_CHECKING

from . import aftersales, payments
from .leads import CONCESSION, LAG, PRICE
from .rules import CONTRACT, FIRST_CONTACT, NEGOTIATION, QUOTE

if TYPE_CHECKING:
    from .engine import Model
    from .reps import Rep

__all__ = ["Opp", "OPEN", "WON", "LOST", "DISQUALIFIED", "OUTCOMES", "win_probability"]

_PACK5 = struct.Struct("5d").pack  # a record row of float64

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


def win_probability(conversion: float, tries: float = 1.0, wait: float = 0.0,
                    response_days: float = math.inf, discount: float = 0.0,
                    discount_effect: float = 0.0) -> float:
    """The chance that a customer moves on after one step of the pipeline (R2.1.2, R2.1.3).

    The step's conversion ``p`` counts as ``tries`` independent tries, so the chance is
    ``1 - (1 - p) ** tries``. At first contact (R2.1.2.1) ``p`` falls by a factor ``e`` for
    every ``response_days`` the lead waited; in negotiation (R2.1.3.2) a discount gives the
    customer more reasons to agree: ``tries`` grows by the factor
    ``1 + discount_effect x discount``.

    Parameters
    ----------
    conversion : float
        The step's conversion probability (``process.<step>.conversion``), 0 to 1.
    tries : float
        The rep's skill times the lead's fit (1 for an average rep and a lead of 50 points).
    wait : float
        Working days from the lead's arrival to its first contact; pass it for the first
        contact only.
    response_days : float
        ``process.response_days``: the wait that divides the first-contact conversion by e.
    discount : float
        The discount agreed in negotiation, a fraction; pass it for negotiation only.
    discount_effect : float
        ``pricing.discount_effect``.

    Returns
    -------
    float
        The chance, 0 to 1; exactly 1 when the (decayed) conversion is 1 or more.

    Examples
    --------
    >>> round(win_probability(0.6, wait=2.0, response_days=2.0), 4)  # 0.6 / e
    0.2207
    >>> win_probability(0.5, tries=2.0)  # two tries at an even chance
    0.75
    >>> win_probability(0.5, discount=0.1, discount_effect=10.0)  # 10% off: two tries
    0.75
    """
    p = conversion * math.exp(-wait / response_days) if wait else conversion
    if p >= 1.0:
        return 1.0
    return 1.0 - (1.0 - p) ** (tries * (1.0 + discount_effect * discount))


def step_handlers(m: Model):
    """The start and finish functions of the pipeline tasks, bound to the model's constants.

    ``start(m, rep, opp, now, kind)`` records the activity and returns its length in working
    days; ``finish(m, rep, opp, t0, t1, kind)`` applies the customer's answer.
    """
    starts, finishes = stage_handlers(m)

    def start(m: Model, rep: Rep, opp: Opp, now: float, kind: int) -> float:
        return starts[kind](m, rep, opp, now, kind)

    def finish(m: Model, rep: Rep, opp: Opp, t0: float, t1: float, kind: int) -> None:
        finishes[kind](m, rep, opp, t0, t1, kind)

    return start, finish


def stage_handlers(m: Model) -> tuple[dict, dict]:
    """:func:`step_handlers` by kind of task: ``{kind: start}`` and ``{kind: finish}`` for
    the pipeline's kinds, each bound to the model's constants (the model's fast path)."""
    D = m.D
    act = m.acts.frombytes
    pack = _PACK5
    task_days, conversion, lag_days = m.task_days, m.conversion, m.lag_days
    L_fc, L_stage, L_outcome, L_closed = m.L_fc, m.L_stage, m.L_outcome, m.L_closed
    L_rep = m.L_rep
    list_price, price_sd, price_half = m.list_price, m.price_sd, m.price_var_half
    discount_of = m.rule.discount
    response_days, discount_effect = m.response_days, m.discount_effect
    next_seq = m.next_seq
    pool = m.pool
    exp = math.exp
    pull = getattr(m.rule, "pull", None)  # a rule may move a step earlier (see rules.py)

    def start(m: Model, rep: Rep, opp: Opp, now: float, kind: int) -> float:
        L_stage[opp.lead] = kind
        dur = task_days[kind] * rep.dur() * rep.inv_speed
        act(pack(rep.idx, now, now + dur, kind, opp.lead))
        return dur

    def start_first(m: Model, rep: Rep, opp: Opp, now: float, kind: int) -> float:
        lead = opp.lead
        if pool:  # else the lead was dealt to this rep: L_rep holds it already
            L_rep[lead] = rep.idx
        L_fc[lead] = now
        L_stage[lead] = kind
        dur = task_days[kind] * rep.dur() * rep.inv_speed
        act(pack(rep.idx, now, now + dur, kind, lead))
        return dur

    def start_quote(m: Model, rep: Rep, opp: Opp, now: float, kind: int) -> float:
        price = list_price[opp.size] * exp(price_sd * D[opp.base + PRICE] - price_half)
        price = round(price / 100.0) * 100.0
        opp.list_price = price if price > 100.0 else 100.0  # max(100.0, price), faster
        return start(m, rep, opp, now, kind)

    def start_negotiation(m: Model, rep: Rep, opp: Opp, now: float, kind: int) -> float:
        opp.discount = discount_of(rep, opp, now, D[opp.base + CONCESSION])
        return start(m, rep, opp, now, kind)

    def step_finish(kind: int):
        """The finish of step ``kind``, its constants bound. The chance is
        :func:`win_probability` written out for the step: with no discount its exponent is
        ``tries`` (``tries * (1.0 + 0.0 * 0.0)`` is the same number), so it is
        ``1 - (1 - p) ** tries``; the first contact decays ``p`` by the wait and
        negotiation scales ``tries`` by the discount."""
        p = conversion[kind]
        first, negotiation = kind == FIRST_CONTACT, kind == NEGOTIATION
        sure = p >= 1.0  # (no wait) the chance is exactly 1: the customer always moves on
        miss = 1.0 - p
        conv = kind - 1  # the lead's conversion draw for the step: column CONV + kind - 1
        lag = LAG + kind  # and its lead-time draw before the next step
        lag_next = lag_days[kind + 1] if kind < CONTRACT else 0.0
        nxt = kind + 1

        def finish(m: Model, rep: Rep, opp: Opp, t0: float, t1: float, kind: int) -> None:
            tries = rep.skill * opp.fit
            if first:
                wait = t0 - opp.created
                q = p * exp(-wait / response_days) if wait else p
                chance = 1.0 if q >= 1.0 else 1.0 - (1.0 - q) ** tries
            elif sure:
                chance = 1.0
            elif negotiation:
                chance = 1.0 - miss ** (tries * (1.0 + discount_effect * opp.discount))
            else:
                chance = 1.0 - miss ** tries
            if chance < 1.0 and D[opp.base + conv] >= chance:
                L_outcome[opp.lead] = LOST
                L_closed[opp.lead] = t1
            elif nxt > CONTRACT:
                won(m, rep, opp, t1)
            else:
                ready = t1 + D[opp.base + lag] * lag_next
                if pull is not None:
                    ready = pull(m, rep, opp, kind, t1, ready)
                heappush(rep.queues[nxt], (ready, next_seq(), opp))

        return finish

    starts = {k: start for k in range(FIRST_CONTACT, CONTRACT + 1)}
    starts.update({FIRST_CONTACT: start_first, QUOTE: start_quote,
                   NEGOTIATION: start_negotiation})
    finishes = {k: step_finish(k) for k in range(FIRST_CONTACT, CONTRACT + 1)}
    return starts, finishes


def won(m: Model, rep: Rep, opp: Opp, t: float) -> None:
    """Contract signed: a new customer, a deal, its invoices and an order (R2.1.3.3)."""
    lead, list_price, discount = opp.lead, opp.list_price, opp.discount
    m.L_outcome[lead] = WON
    m.L_closed[lead] = t
    amount = list_price * (100 - round(discount * 100)) / 100
    cust = aftersales.new_customer(m, rep, opp, t)
    deal = m.book_deal(rep, cust, t, list_price, discount, amount, 0)  # a new customer too
    payments.issue_invoices(m, rep, cust, deal, amount, t)
    aftersales.place_order(m, rep, cust, deal, t)
