"""After the contract: delivery, feedback, revisits, satisfaction, surveys, churn, repeat
orders and referrals (R2.1.4, R2.3.1.3, R2.2.1.2, R2.1.1.2).

Satisfaction (满意度) is a number in [0, 1] per customer. It is drawn at signing, falls by
``fulfilment.delay_penalty`` for each working day the order waited for the delivery team,
rises with the feedback call after delivery (使用反馈跟进, R2.1.4.2) and with each regular
revisit (定期回访, R2.1.4.3), each closing a share of the gap to 1, and between contacts
drifts down towards ``after_sales.satisfaction_floor`` with a half-life.

Churn and repeat orders: every customer meets, now and then, a *moment of decision* (on
average ``1 / (max churn hazard + max repeat rate)`` working days apart). At each moment
the customer leaves with a probability proportional to the churn hazard at its current
satisfaction, or else asks for a repeat order with a probability proportional to the
repeat rate. This is exactly a process with hazards that change with satisfaction
(Poisson thinning), so no revisits means lower satisfaction, more churn and lower
retention (留存率).

Feedback calls and revisits may include a satisfaction survey (满意度调查, R2.3.1.3): CSAT
(1-5) and NPS (0-10) answers reflect satisfaction with some noise. A satisfied customer
may refer a new lead (客户推荐) to its rep.
"""

from __future__ import annotations

import math
import struct
from heapq import heappush
from typing import TYPE_CHECKING

import numpy as np

from . import payments
from .leads import SAT
from .rules import FEEDBACK, REPEAT_ORDER, REVISIT

if TYPE_CHECKING:
    from .engine import Model
    from .pipeline import Opp
    from .reps import Rep

__all__ = ["Customer", "columns", "new_customer", "place_order", "satisfaction"]

_PACK4 = struct.Struct("4d").pack  # a record row of float64 (faster than array.extend)
_PACK5 = struct.Struct("5d").pack  # a record row of float64

(EV_ORDER, EV_DELIVERED, EV_FEEDBACK, EV_REVISIT, EV_SURVEY, EV_REFERRAL, EV_CHURN,
 EV_REPEAT_REQUEST, EV_REPEAT_WON, EV_REPEAT_LOST) = range(10, 20)


class Customer:
    """A customer account: satisfaction, status and the lead it came from."""

    __slots__ = ("idx", "lead", "rep", "acquired", "churned", "sat", "sat_t", "size",
                 "first_list", "revisiting", "invoices")

    def __init__(self, idx: int, lead: int, rep: Rep, t: float, sat: float, size: int,
                 first_list: float) -> None:
        self.idx, self.lead, self.rep, self.acquired = idx, lead, rep, t
        self.churned = math.nan
        self.sat, self.sat_t, self.size, self.first_list = sat, t, size, first_list
        self.revisiting = False
        self.invoices: list = []


def satisfaction(m: Model, c: Customer, t: float) -> float:
    """Satisfaction of ``c`` at time ``t`` after its drift since the last contact."""
    dt = t - c.sat_t
    if dt <= 0.0:
        return c.sat
    floor = m.sat_floor
    return floor + (c.sat - floor) * math.exp(-dt * m.sat_decay)


def columns(customers: list[Customer]) -> dict[str, np.ndarray]:
    """The customers' fields the ledger and the trace read, as arrays: ``lead``, ``rep``
    (index), ``acquired`` and ``churned`` (NaN while a customer stays)."""
    return {
        "lead": np.array([c.lead for c in customers], dtype=np.int64),
        "rep": np.array([c.rep.idx for c in customers], dtype=np.int64),
        "acquired": np.array([c.acquired for c in customers], dtype=float),
        "churned": np.array([c.churned for c in customers], dtype=float),
    }


def new_customer(m: Model, rep: Rep, opp: Opp, t: float) -> Customer:
    """The lead of ``opp`` becomes a customer at ``t``; its first moment is scheduled."""
    # min(1.0, max(0.0, sat)), written out: the builtins min and max are slow to call
    sat = m.sat_mean + m.sat_sd * m.D[opp.base + SAT]
    sat = 1.0 if sat >= 1.0 else (sat if sat > 0.0 else 0.0)
    c = Customer(m.customers_before + len(m.customers), opp.lead, rep, t, sat, opp.size,
                 opp.list_price)
    m.customers.append(c)
    if m.moment_rate > 0.0:  # (a customer has moments of decision only then)
        _next_moment(m, rep, c, t)
    return c


def _next_moment(m: Model, rep: Rep, c: Customer, t: float) -> None:
    heappush(rep.agenda, (t + rep.e() / m.moment_rate, m.next_seq(), moment, c))


def moment(m: Model, rep: Rep, c: Customer, t: float) -> None:
    """A customer's moment of decision: leave, ask for a repeat order, or neither."""
    if c.churned == c.churned:  # not NaN: already gone
        return
    s = satisfaction(m, c, t)
    churn = m.churn_hi + (m.churn_lo - m.churn_hi) * s
    repeat = m.repeat_hi + (m.repeat_lo - m.repeat_hi) * s
    x = rep.u() * m.moment_rate
    if x < churn:
        c.churned = t
        if m.tracing:
            m.trace.frombytes(_PACK5(t, c.lead, EV_CHURN, rep.idx, s))
        return
    if x < churn + repeat:
        heappush(rep.queues[REPEAT_ORDER], (t, m.next_seq(), c))
        if m.tracing:
            m.trace.frombytes(_PACK5(t, c.lead, EV_REPEAT_REQUEST, rep.idx, s))
    _next_moment(m, rep, c, t)


def place_order(m: Model, rep: Rep, c: Customer, deal: int, t: float) -> None:
    """Hand a signed order to the delivery line of the rep's team (R2.1.4.1)."""
    delay, delivered = m.lines[rep.team].order(t, deal)
    heappush(rep.agenda, (delivered, m.next_seq(), _delivered, (c, delay)))


def _delivered(m: Model, rep: Rep, obj: tuple, t: float) -> None:
    c, delay = obj
    if c.churned == c.churned:
        return
    s = satisfaction(m, c, t) - m.delay_penalty * delay
    c.sat, c.sat_t = s if s > 0.0 else 0.0, t  # max(0.0, s), faster
    heappush(rep.queues[FEEDBACK], (t + m.feedback_delay, m.next_seq(), c))
    if m.revisit_every > 0.0 and not c.revisiting:
        c.revisiting = True
        heappush(rep.queues[REVISIT], (t + m.revisit_every, m.next_seq(), c))


def start_contact(m: Model, rep: Rep, c: Customer, now: float, kind: int) -> float | None:
    """Begin a feedback call, revisit or repeat order, unless the customer has left."""
    if c.churned == c.churned:
        return None
    dur = m.task_days[kind] * rep.dur() * rep.inv_speed
    m.acts.frombytes(_PACK5(rep.idx, now, now + dur, kind, c.idx))
    return dur


def finish_feedback(m: Model, rep: Rep, c: Customer, t0: float, t1: float, kind: int) -> None:
    """Feedback after delivery (R2.1.4.2) or a revisit (R2.1.4.3): satisfaction rises."""
    if kind == REVISIT:
        gain, ev = m.revisit_gain, EV_REVISIT
        heappush(rep.queues[REVISIT], (t1 + m.revisit_every, m.next_seq(), c))
    else:
        gain, ev = m.feedback_gain, EV_FEEDBACK
    s = satisfaction(m, c, t1)  # each contact closes a share of the gap to 1
    s += gain * (1.0 - s)
    c.sat, c.sat_t = s, t1
    if m.tracing:
        m.trace.frombytes(_PACK5(t1, c.lead, ev, rep.idx, s))
    if rep.u() < m.survey_probability:
        _survey(m, rep, c, t1, s)
    if s >= m.referral_min and rep.u() < m.referral_probability:
        heappush(rep.agenda, (t1 + rep.e() * m.referral_delay, m.next_seq(), _referral, c))


def _survey(m: Model, rep: Rep, c: Customer, t: float, s: float) -> None:
    """A satisfaction survey (R2.3.1.3): CSAT 1-5 and NPS 0-10 around satisfaction."""
    # min(5, max(1, x)) and min(10, max(0, x)), written out: min and max are slow to call
    csat = round(1.0 + 4.0 * s + 0.6 * rep.z())
    csat = 5 if csat > 5 else (csat if csat > 1 else 1)
    nps = round(10.0 * s + 1.5 * rep.z())
    nps = 10 if nps > 10 else (nps if nps > 0 else 0)
    m.surveys.frombytes(_PACK4(c.idx, t, csat, nps))


def _referral(m: Model, rep: Rep, c: Customer, t: float) -> None:
    lead = m.new_referral(rep, t)
    if m.tracing:
        m.trace.frombytes(_PACK5(t, c.lead, EV_REFERRAL, rep.idx, float(lead)))


def finish_repeat(m: Model, rep: Rep, c: Customer, t0: float, t1: float, kind: int) -> None:
    """A repeat order quoted and signed in one call (R2.2.1.2: customers who stay buy again)."""
    if rep.u() >= m.repeat_conversion:
        if m.tracing:
            m.trace.frombytes(_PACK5(t1, c.lead, EV_REPEAT_LOST, rep.idx, 0.0))
        return
    list_price = round(c.first_list * m.repeat_factor / 100.0) * 100.0
    if list_price < 100.0:  # max(100.0, list_price), faster
        list_price = 100.0
    pct = m.repeat_discount_pct
    amount = list_price * (100 - pct) / 100
    deal = m.book_deal(rep, c, t1, list_price, pct / 100, amount, 1)
    payments.issue_invoices(m, rep, c, deal, amount, t1)
    place_order(m, rep, c, deal, t1)
