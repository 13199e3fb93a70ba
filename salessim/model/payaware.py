"""The pay-aware decision rule: the procedure, weighed against expected pay (R2.2.2.1).

The rule itself is described, for readers of the model, in :mod:`salessim.model.rules`.
This module prices the tasks: a pipeline step by the win chance of the rest of the
pipeline (skill, fit and discount as in :mod:`~salessim.model.pipeline`), the deal's
amount and when it would be signed; a repeat order by its amount; a feedback call or
revisit by the satisfaction it adds until the rep's outlook ends, through more repeat orders
and fewer customers lost (retention, R2.2.1.2); a collection call by the cash it brings in
and, for invoices due in the current period, the collection rate (回款率, R2.2.1.3). Every
result is valued with the rep's :class:`~salessim.model.outlook.Outlook` at the time it
would be booked; the discount by what winning the deal adds to this period's pay
(:meth:`~salessim.model.outlook.Outlook.win_value`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from heapq import heappush
from itertools import pairwise
from typing import TYPE_CHECKING

from ..incentives import load_plan
from . import aftersales
from .outlook import Outlook, OutlookContext, PayModel
from .pipeline import LOST, win_probability
from .rules import (
    COLLECTION_CALL,
    CONTRACT,
    DISCOVERY,
    FEEDBACK,
    FIRST_CONTACT,
    MEETING,
    NEGOTIATION,
    REPEAT_ORDER,
    REVISIT,
    ProcedureRule,
)

if TYPE_CHECKING:
    from ..scenario import Scenario
    from .aftersales import Customer
    from .engine import Model
    from .pipeline import Opp
    from .reps import Rep

__all__ = ["PayAwareRule"]

_BAR = 0.5  # a task is worth doing when (1 - s) + s x pay value reaches this


def _erlang_sf(x: float, n: int, mean: float) -> float:
    """Chance that a sum of ``n`` exponential lead times with total mean ``mean`` exceeds
    ``x`` (the Erlang survival function): the chance a deal closes after ``x`` days."""
    if x <= 0.0:
        return 1.0
    if n == 0 or mean <= 0.0:
        return 0.0
    y = x * n / mean
    term = total = math.exp(-y)
    for i in range(1, n):
        term *= y / i
        total += term
    return min(total, 1.0)


class PayAwareRule:
    """The procedure blended with expected pay by ``decision.incentive_sensitivity``.

    See :mod:`salessim.model.rules` for the rule in words. At sensitivity 0 every method
    is the procedure rule's, and ``admit`` and ``pull`` are None.
    """

    name = "pay_aware"

    def __init__(self, scenario: Scenario) -> None:
        self.procedure = ProcedureRule(scenario)
        self.s = float(scenario.decision.incentive_sensitivity)
        self.scenario = scenario
        self.admit = self._admit if self.s > 0 else None
        self.pull = self._pull if self.s > 0 else None
        if self.s == 0:  # the procedure's discount, without asking through this rule
            self.discount = self.procedure.discount
        self.m: Model | None = None
        self._choosers: dict[int, Callable[[float], int]] = {}

    # ------------------------------------------------------------------ set-up
    def bind(self, m: Model) -> None:
        """Price the model's process for this run: the plan, the pipeline and the team."""
        if self.s == 0:
            return
        self.m = m
        sc = self.scenario
        pr, pay, a = sc.pricing, sc.payments, sc.after_sales
        self.plan = load_plan(sc.plan)
        self.pm = PayModel(self.plan, sc.targets, m.calendar)
        web = sc.channels.web.company_size
        sizes = m.cats.company_size
        w = [max(web.get(k, 0.0), 0.0) for k in sizes]
        total = sum(w) or 1.0
        mean_list = sum(wi * lp for wi, lp in zip(w, m.list_price, strict=True)) / total
        mean_sq = sum(wi * lp * lp for wi, lp in zip(w, m.list_price, strict=True)) / total
        self.d_std = pr.standard_discount + pr.concession_max / 2
        typical = mean_list * (1 - self.d_std)
        spread = mean_sq * math.exp(pr.price_sd ** 2) / mean_list * (1 - self.d_std)
        # time from the start of a pipeline step to the signing: its task and every later
        # task and customer lead time
        self.rest = [0.0] * (CONTRACT + 2)
        for k in range(CONTRACT, FIRST_CONTACT - 1, -1):
            lag = m.lag_days[k + 1] if k < CONTRACT else 0.0
            self.rest[k] = m.task_days[k] + lag + self.rest[k + 1]
        self.ctx = OutlookContext(m, self.pm, typical, spread)
        self.looks = [Outlook() for _ in m.reps]
        self.hours = sc.team.hours_per_day
        self.ref_rate = self.plan.target_pay
        self.ref_hour = self.ref_rate * self.ctx.prior["revenue"] / self.hours
        self.priority = {k: 1.0 - r / (len(ProcedureRule.order) - 1)
                         for r, k in enumerate(ProcedureRule.order)}
        b = pay.behaviour
        shares = {k: b.get(k, 0.0) for k in ("on_time", "late", "partial", "never")}
        tot = sum(shares.values()) or 1.0
        self.paid_share = (shares["on_time"] + shares["late"]
                           + shares["partial"] * pay.partial_share) / tot
        overdue = shares["late"] + shares["partial"] + shares["never"]
        self.late_share = shares["late"] / overdue if overdue > 0 else 0.0
        days_per_cal = len(m.calendar.dates) / max(
            (m.calendar.dates[-1] - m.calendar.dates[0]).astype(int) + 1, 1)
        terms = pay.terms_days * days_per_cal
        self.pay_delay = (shares["on_time"] * terms / 2 + shares["late"]
                          * (terms + pay.late_mean_days) + shares["partial"] * terms / 2) / tot
        self.repeat_amount = mean_list * pr.repeat_price_factor * (1 - pr.repeat_discount)
        # share of invoices a customer pays of its own accord, and how long after its feedback
        # call a new customer's first invoice falls due
        self.own_share = (shares["on_time"] + shares["late"]) / tot
        self.due_after_feedback = max(
            terms - sc.fulfilment.lead_time_days - a.feedback_delay_days, 0.0)
        # satisfaction of a typical customer at its feedback call, and when a revisit falls
        # due (45 working days when the scenario has no revisits)
        self.sat_new = a.satisfaction_mean
        self.sat_due = m.sat_floor + (a.satisfaction_mean - m.sat_floor) * math.exp(
            -m.sat_decay * (a.revisit_interval_days or 45.0))
        self.pull_pct = round(sc.decision.pull_discount * 100)
        # task time from a step to the signing, and the customer lead times after the step
        self.tasks_from = [sum(m.task_days[k:CONTRACT + 1]) for k in range(CONTRACT + 1)]
        self.lags_after = [sum(m.lag_days[k + 1:CONTRACT + 1]) for k in range(CONTRACT + 1)]
        self.n_lags = [sum(1 for j in range(k + 1, CONTRACT + 1) if m.lag_days[j] > 0)
                       for k in range(CONTRACT + 1)]
        self.push_window = 2.0 * self.rest[FIRST_CONTACT]
        self.hold_days = sc.decision.hold_days
        self.pulled: set[int] = set()

    # ------------------------------------------------------------------ outlook
    def look(self, rep: Rep, now: float) -> Outlook:
        """The rep's outlook, redone at each new working day and after each deal it books."""
        o = self.looks[rep.idx]
        day = int(now)
        if o.day != day or rep.revenue[o.month] != o.booked:
            o.update(self.pm, self.m, rep, now, self.ctx)
            o.push = False
            o.push = self._push(rep, o, now)
        return o

    def _push(self, rep: Rep, o: Outlook, now: float) -> bool:
        """Whether the rep makes an end-of-period push: it adds up the open deals it could
        still close before the period ends by asking their customers to meet and sign at
        once (with ``pull_discount`` more off), and pushes when closing them all now would
        pay more than letting them close next period, by more than the procedure weighs
        (the plan's standard rate on them)."""
        m = self.m
        boundary = o.boundary(now)
        if boundary - now > self.push_window:
            return False
        speed = rep.inv_speed
        revenue = customers = forgone = std = 0.0
        for k in range(DISCOVERY, CONTRACT + 1):
            tasks = self.tasks_from[k] * speed
            lags = self.lags_after[k]
            for ready, _, opp in rep.queues[k]:
                if now + tasks >= boundary or max(ready, now) + tasks + lags < boundary:
                    continue
                lp = opp.list_price if opp.list_price > 0 else m.list_price[opp.size]
                d = opp.discount if k > NEGOTIATION else self.d_std
                d_fast = min(round(d * 100) + self.pull_pct, self.procedure._max_pct) / 100
                p_fast = self._win(rep, opp.fit, k, d_fast, now, opp.created)
                p_wait = self._win(rep, opp.fit, k, d, now, opp.created)
                revenue += p_fast * lp * (1 - d_fast)
                customers += p_fast
                natural = max(ready, now) + tasks + lags
                forgone += p_wait * self._deal(o, lp * (1 - d), natural, True)
                std += p_wait * lp * (1 - d) * self.ref_rate
        if revenue <= 0.0:
            return False
        gain = o.gain(self.pm, {"revenue": revenue, "new_customers": customers})
        if self.s * (gain - forgone) <= (1 - self.s) * std:
            return False
        # a deal in the push is worth what it adds on top of the rest of the push
        a = min(self.ctx.typical, revenue)
        rest = o.gain(self.pm, {"revenue": revenue - a, "new_customers": customers})
        o.push_rate = (gain - rest) / a
        o.push_revenue, o.push_customers = revenue, customers
        return True

    # ------------------------------------------------------------------ values
    def _win(self, rep: Rep, fit: float, k: int, discount: float, now: float,
             created: float) -> float:
        """Chance a lead about to begin step ``k`` is won, at ``discount`` in negotiation."""
        m = self.m
        tries = rep.skill * fit
        p_win = 1.0
        for j in range(k, CONTRACT + 1):
            p_win *= win_probability(
                m.conversion[j], tries, now - created if j == FIRST_CONTACT else 0.0,
                m.response_days, discount if j == NEGOTIATION else 0.0, m.discount_effect)
        return p_win

    def _deal(self, o: Outlook, amount: float, tau: float, new: bool) -> float:
        """Expected pay of a deal of ``amount`` CNY signed at ``tau``: revenue, a new
        customer and the cash it will bring."""
        v = o.deal_value(amount, tau)
        if not o.rated:
            return v
        if new:
            v += o.rate("new_customers", tau)
        return v + self.paid_share * amount * o.rate("collected", tau + self.pay_delay)

    def _opp(self, rep: Rep, o: Outlook, opp: Opp | None, k: int, now: float,
             sign: float | None = None) -> tuple[float, float, float]:
        """(expected pay, win chance, amount) of working step ``k`` of ``opp`` now (a typical
        lead when ``opp`` is None), the deal signed at ``sign``, or by default when the
        customer's lead times bring it: this period or the next, with the chance of each."""
        if opp is None:
            fit, created, lp, disc = 1.0, now, self.ctx.typical / (1 - self.d_std), self.d_std
        else:
            fit, created = opp.fit, opp.created
            lp = opp.list_price if opp.list_price > 0 else self.m.list_price[opp.size]
            disc = opp.discount if k > NEGOTIATION else self.d_std
        p_win = self._win(rep, fit, k, disc, now, created)
        amount = lp * (1.0 - disc)
        if sign is not None:
            return p_win * self._deal(o, amount, sign, True), p_win, amount
        boundary = o.boundary(now)
        tasks = self.tasks_from[k] * rep.inv_speed
        later = _erlang_sf(boundary - now - tasks, self.n_lags[k], self.lags_after[k])
        value = (1.0 - later) * self._deal(o, amount, now, True) if later < 1.0 else 0.0
        if later > 0.0:
            value += later * self._deal(o, amount, boundary, True)
        return p_win * value, p_win, amount

    def _repeat(self, o: Outlook, tau: float) -> float:
        return self.m.repeat_conversion * self._deal(o, self.repeat_amount, tau, False)

    def _care(self, rep: Rep, o: Outlook, sat: float, gain: float, now: float,
              acquired: float = -math.inf, cust: Customer | None = None) -> float:
        """Expected pay of a feedback call or revisit lifting satisfaction from ``sat``, for a
        customer acquired at clock ``acquired``, up to the end of the rep's outlook (the end
        of the next pay period, :attr:`Outlook.after`).

        The lift, ``gain x (1 - sat)``, fades at the rate satisfaction drifts (R2.1.4.3).
        While it lasts the customer orders more often and is less likely to leave. Each extra
        repeat order is worth its pay; a customer who stays is worth its share in the
        retention rate (R2.2.1.2) of each period whose opening customers include it, and the
        repeat orders it still places before the outlook ends. A more satisfied customer is
        also less likely to hold back what it owes (:meth:`_cash`)."""
        m = self.m
        lift = gain * (1.0 - sat)
        horizon = max(o.after, default=now)
        if lift <= 0.0 or horizon <= now:
            return 0.0
        lam = m.sat_decay
        more_orders = m.repeat_lo - m.repeat_hi
        fewer_lost = m.churn_hi - m.churn_lo
        orders = m.repeat_hi + more_orders * sat  # a kept customer's repeat requests a day
        cuts = sorted({now, horizon, *(e for e in o.end if now < e < horizon)})
        value = 0.0
        for a, b in pairwise(cuts):
            mid = 0.5 * (a + b)
            order = self._repeat(o, mid)
            # integrals over [a, b] of the lift and of the lift x the time left to the horizon
            ea, eb = math.exp(-lam * (a - now)), math.exp(-lam * (b - now))
            if lam > 0:
                lifted = lift * (ea - eb) / lam
                left_a, left_b = horizon - a - 1 / lam, horizon - b - 1 / lam
                lifted_left = lift * (ea * left_a - eb * left_b) / lam
            else:
                lifted = lift * (b - a)
                lifted_left = lift * (b - a) * (horizon - mid)
            value += lifted * (more_orders * order + fewer_lost * o.retention(mid, acquired))
            value += fewer_lost * orders * order * lifted_left
        return value + (self._cash(o, lift, now, cust) if cust is not None else 0.0)

    def _cash(self, o: Outlook, lift: float, now: float, cust: Customer | None) -> float:
        """Expected pay of the payments a lift in satisfaction keeps from being held back
        (R2.2.1.3): of ``cust``'s open invoices not yet chased, each expected at its due
        date, or, when ``cust`` is None, of a typical new customer's first invoice."""
        m = self.m
        if m.withhold <= 0.0:
            return 0.0
        if cust is None:
            owed = [(now + self.due_after_feedback, self.ctx.typical)]
        else:
            owed = [(max(inv.due, now), inv.amount - inv.paid) for inv in cust.invoices
                    if not inv.calls and inv.paid < inv.amount and inv.due < math.inf]
        value = sum(amount * (o.rate("collected", when) + o.collection(when, when))
                    * math.exp(-m.sat_decay * (when - now)) for when, amount in owed)
        return m.withhold * lift * self.own_share * value

    def _call(self, o: Outlook, inv, now: float) -> float:
        """Expected pay of a collection call on ``inv`` (R2.2.1.3)."""
        m = self.m
        rest = inv.amount - inv.paid
        gain = m.call_success * rest
        when = now + m.pay_after_call
        return (gain * (o.rate("collected", when)
                        - self.late_share * o.rate("collected", now + m.late_mean))
                + gain * (1.0 - self.late_share) * o.collection(inv.due, when))

    def _per_hour(self, rep: Rep, kind: int, value: float) -> float:
        """``value`` per hour of the task, as a share of the plan's target pay per hour."""
        hours = self.m.task_days[kind] * rep.inv_speed * self.hours
        return value / hours / self.ref_hour if hours > 0 else 0.0

    def _typical(self, rep: Rep, o: Outlook, kind: int, now: float) -> float:
        """Pay value (share of target pay per hour) of a typical task of ``kind``."""
        if FIRST_CONTACT <= kind <= CONTRACT:
            value = self._opp(rep, o, None, kind, now)[0]
        elif kind == REPEAT_ORDER:
            value = self._repeat(o, now)
        elif kind == FEEDBACK:  # a customer just acquired, its first invoice open
            gain = self.m.feedback_gain
            value = (self._care(rep, o, self.sat_new, gain, now, now)
                     + self._cash(o, gain * (1.0 - self.sat_new), now, None))
        elif kind == REVISIT:
            value = self._care(rep, o, self.sat_due, self.m.revisit_gain, now)
        elif kind == COLLECTION_CALL:
            value = self.m.call_success * self.ctx.typical * (1 - self.late_share) * (
                o.rate("collected", now) + sum(r.get("collection", 0.0) for r in o.rate_now))
        else:
            return 0.0
        return self._per_hour(rep, kind, value)

    # ------------------------------------------------------------------ choosing
    def choose(self, rep: Rep, now: float) -> int:
        if self.s == 0:
            return self.procedure.choose(rep, now)
        f = self._choosers.get(rep.idx)
        if f is None:
            f = self._choosers[rep.idx] = self.chooser(rep)
        return f(now)

    def chooser(self, rep: Rep) -> Callable[[float], int]:
        """The rep's choice as a function of time: the procedure's at sensitivity 0, else
        the ready kind with the highest blended score (meetings first)."""
        if self.s == 0:
            return self.procedure.chooser(rep)
        queues = rep.queues
        s = self.s
        state: dict[str, object] = {"day": -1, "booked": -1.0, "order": ()}

        def choose(now: float) -> int:
            o = self.look(rep, now)
            if state["day"] != o.day or state["booked"] != o.booked:
                score = {k: (1 - s) * self.priority[k]
                         + s * min(self._typical(rep, o, k, now), 1.0)
                         for k in ProcedureRule.order if k != MEETING}
                rest = sorted(score, key=lambda k: -score[k])
                state["order"] = tuple((k, queues[k]) for k in (MEETING, *rest))
                state["day"], state["booked"] = o.day, o.booked
            for kind, q in state["order"]:
                if q and q[0][0] <= now:
                    return kind
            return -1

        return choose

    # ------------------------------------------------------------------ putting off
    def _admit(self, m: Model, rep: Rep, kind: int, item, now: float) -> bool:
        """Whether the rep works ``item`` now; if not, it is re-queued or dropped."""
        if kind == MEETING:
            return True
        s = self.s
        o = self.look(rep, now)
        boundary = o.boundary(now)
        can_hold = boundary - now <= self.hold_days
        if NEGOTIATION <= kind <= CONTRACT:
            # a closing step: the customer is waiting, so it is done unless held over the
            # near end of the period because that pays more than the procedure weighs
            if can_hold:
                value, p_win, amount = self._opp(rep, o, item, kind, now)
                later = self._opp(rep, o, item, kind, boundary,
                                  boundary + self.rest[kind] * rep.inv_speed)[0]
                if s * (later - value) > (1 - s) * p_win * amount * self.ref_rate:
                    heappush(rep.queues[kind], (boundary, m.next_seq(), item))
                    return False
            return True
        if FIRST_CONTACT <= kind <= CONTRACT:
            if o.push:
                return True
            value = self._opp(rep, o, item, kind, now)[0]
            if (1 - s) + s * min(self._per_hour(rep, kind, value), 1.0) < _BAR:
                if can_hold:
                    heappush(rep.queues[kind], (boundary, m.next_seq(), item))
                else:  # the customer will not wait that long: the lead goes cold
                    m.L_outcome[item.lead] = LOST
                    m.L_closed[item.lead] = now
                return False
            return True
        if kind == REPEAT_ORDER:
            if can_hold:
                value = self._repeat(o, now)
                later = self._repeat(o, boundary)
                std = m.repeat_conversion * self.repeat_amount * self.ref_rate
                if s * (later - value) > (1 - s) * std:
                    heappush(rep.queues[kind], (boundary, m.next_seq(), item))
                    return False
            return True
        if kind in (FEEDBACK, REVISIT):
            if item.churned == item.churned:
                return True  # the customer has left; the task ends at once
            gain = m.feedback_gain if kind == FEEDBACK else m.revisit_gain
            value = self._care(rep, o, aftersales.satisfaction(m, item, now), gain, now,
                               item.acquired, item)
            if (1 - s) + s * min(self._per_hour(rep, kind, value), 1.0) >= _BAR:
                return True
            if kind == REVISIT:
                heappush(rep.queues[REVISIT], (now + m.revisit_every, m.next_seq(), item))
            return False
        if kind == COLLECTION_CALL:
            if item.paid >= item.amount:
                return True
            value = self._call(o, item, now)
            if (1 - s) + s * min(self._per_hour(rep, kind, value), 1.0) >= _BAR:
                return True
            item.calls += 1  # a call the rep chose not to make
            if item.calls < m.max_calls:
                heappush(rep.queues[COLLECTION_CALL], (now + m.recall, m.next_seq(), item))
            return False
        return True

    # ------------------------------------------------------------------ timing
    def _pull(self, m: Model, rep: Rep, opp: Opp, kind: int, t1: float, ready: float) -> float:
        """When the next pipeline step of ``opp`` becomes ready: at once, with the rest of the
        pipeline held without the customer's lead times and ``pull_discount`` more off, when
        closing within this pay period pays clearly more than closing in due course."""
        if opp.lead in self.pulled:
            return t1  # a quick close was agreed: the customer meets at once
        if kind < FIRST_CONTACT or kind > NEGOTIATION:
            return ready
        s = self.s
        o = self.look(rep, t1)
        boundary = o.boundary(t1)
        speed = rep.inv_speed
        tasks = sum(m.task_days[j] for j in range(kind + 1, CONTRACT + 1)) * speed
        lags = sum(m.lag_days[j] for j in range(kind + 2, CONTRACT + 1))
        natural = ready + tasks + lags
        fast = t1 + tasks
        if natural < boundary or fast >= boundary:
            return ready
        lp = opp.list_price if opp.list_price > 0 else m.list_price[opp.size]
        d = opp.discount if kind == NEGOTIATION else self.d_std
        d_fast = min(round(d * 100) + self.pull_pct, self.procedure._max_pct) / 100
        if o.push:
            return self._pulled(opp, kind, d_fast, t1)
        p_wait = self._win(rep, opp.fit, kind + 1, d, t1, opp.created)
        p_fast = self._win(rep, opp.fit, kind + 1, d_fast, t1, opp.created)
        wait = p_wait * self._deal(o, lp * (1 - d), natural, True)
        now = p_fast * self._deal(o, lp * (1 - d_fast), fast, True)
        if s * (now - wait) <= (1 - s) * p_wait * lp * (1 - d) * self.ref_rate:
            return ready
        return self._pulled(opp, kind, d_fast, t1)

    def _pulled(self, opp: Opp, kind: int, d_fast: float, t1: float) -> float:
        self.pulled.add(opp.lead)
        if kind == NEGOTIATION:
            opp.discount = d_fast  # agreed now; before negotiation it is added there
        return t1

    # ------------------------------------------------------------------ discount
    def discount(self, rep: Rep, opp: Opp, now: float, u: float) -> float:
        """The procedure's discount, blended by ``s`` with the one that maximises expected
        pay (win chance x what winning the deal adds to the rep's pay), plus any discount
        promised for a quick close. A rep to whom the deal is not worth the work (it would
        put it off if the customer would wait) prices it by the procedure."""
        d_proc = self.procedure.discount(rep, opp, now, u)
        if self.s == 0:
            return d_proc
        m = self.m
        o = self.look(rep, now)
        pulled = opp.lead in self.pulled
        speed = rep.inv_speed
        sign = now + (m.task_days[NEGOTIATION] + m.task_days[CONTRACT]) * speed
        if not pulled:
            sign += m.lag_days[CONTRACT]
        tries = rep.skill * opp.fit
        p = m.conversion[NEGOTIATION]
        lp = opp.list_price
        best, best_pct = 0.0, -1
        for pct in range(self.procedure._max_pct + 1):
            d = pct / 100
            p_win = win_probability(p, tries, discount=d, discount_effect=m.discount_effect)
            v = p_win * self._won(o, lp * (1.0 - d), sign, now)
            if v > best + 1e-9:
                best, best_pct = v, pct
        hours = (m.task_days[NEGOTIATION] + m.task_days[CONTRACT]) * speed * self.hours
        worth = (1 - self.s) + self.s * min(best / hours / self.ref_hour, 1.0) >= _BAR
        d_pay = best_pct / 100 if best_pct >= 0 and worth else d_proc
        pct = round(((1 - self.s) * d_proc + self.s * d_pay) * 100)
        if pulled:
            pct += self.pull_pct
        return min(pct, self.procedure._max_pct) / 100

    def _won(self, o: Outlook, amount: float, sign: float, now: float) -> float:
        """Expected pay of winning a new deal of ``amount`` CNY signed at ``sign``: what it adds
        to this period's pay (on top of the rest of a push), or to the next period's, and
        the cash it will bring."""
        if sign >= o.boundary(now):
            return self._deal(o, amount, sign, True)
        rest = cust = 0.0
        if o.push:
            rest, cust = max(o.push_revenue - amount, 0.0), max(o.push_customers - 1.0, 0.0)
        v = o.win_value(self.pm, amount, rest, cust)
        if o.rated:
            v += self.paid_share * amount * o.rate("collected", sign + self.pay_delay)
        return v
