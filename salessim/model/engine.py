"""The model: sets up a run from a scenario and a seed, runs it with SimPy, keeps its records.

One :class:`Model` is one replication. It draws the leads of the whole horizon up front
(:mod:`~salessim.model.leads`), makes the team (:mod:`~salessim.model.reps`), starts one
SimPy process per rep, runs to the horizon and hands its plain-Python records to
:mod:`~salessim.model.output`, which builds the ledger once at the end. No pandas is used
while the model runs.

Teams (``team.team_size`` reps each) work apart: each has its own delivery line with its
share of the delivery capacity (:mod:`~salessim.model.fulfilment`) and its own stream of
referred leads. So unless its reps draw leads from one pool (``process.assignment =
"pool"``) or quarterly reviews rank them together (promotion or recognition), a company of
several teams is run one team after another, each to the horizon: the same results as
running them side by side, at the cost of a small team per rep however large the company.
For that, each team's leads are also stored together (the leads are renumbered after
they are dealt to the reps; :func:`salessim.model.output.lead_ids` gives them back their
ids), so a team's work stays in a small stretch of memory. The records, and so the
ledger's numbering of deals, customers, invoices and referred leads, then come team by
team.
"""

from __future__ import annotations

import itertools
import math
import struct
from array import array
from heapq import heappush
from math import trunc
from operator import attrgetter

import numpy as np
import simpy

from ..calendar import WorkCalendar
from ..scenario import Scenario
from . import aftersales, careers, payments, pipeline, reps
from .fulfilment import Fulfilment
from .leads import ROW, Categories, generate, referral_rows
from .rules import (
    COLLECTION_CALL,
    CONTRACT,
    FEEDBACK,
    FIRST_CONTACT,
    MEETING,
    REPEAT_ORDER,
    REVISIT,
    RULES,
    TASKS,
)

__all__ = ["Model"]

_STAGES = ("first_contact", "discovery", "demo", "quote", "negotiation", "contract")
_PACK7 = struct.Struct("7d").pack  # a record row of float64 (faster than array.extend)


def _joined(parts: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Columns kept team by team, joined into one array each."""
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def _durations(kind: str, cv: float):
    """Block filler for task-time multipliers with mean 1."""
    if kind == "fixed" or (kind == "lognormal" and cv == 0):
        return lambda rng, n: np.ones(n)
    if kind == "exponential":
        return lambda rng, n: rng.standard_exponential(n)
    sigma = math.sqrt(math.log1p(cv * cv))
    return lambda rng, n: np.exp(sigma * rng.standard_normal(n) - sigma * sigma / 2)


class Model:
    """One replication of a scenario (see :func:`salessim.simulate`)."""

    def __init__(self, scenario: Scenario, seed: int, tracing: bool = True) -> None:
        s = self.scenario = scenario
        self.seed = int(seed)
        self.tracing = bool(tracing)
        # Records of numbers, row after row (see output.py for their columns).
        self.trace = array("d")
        cal = self.calendar = WorkCalendar(s.calendar.start, s.calendar.months,
                                           s.calendar.holidays)
        self.horizon = float(cal.horizon)
        self.month_of_day = cal.month_of_day.tolist()
        self.n_months = int(cal.month_of_day[max(cal.horizon - 1, 0)]) + 1 if cal.horizon else 1
        self.next_seq = itertools.count().__next__
        self._constants(s)
        self.rule = RULES[s.decision.rule](s)
        self.env = simpy.Environment()
        # The customers and invoices of the team running (of the whole company when teams
        # run together); once the model has ended, None, and their fields as arrays (see
        # run()).
        self.customers: list | None = []
        self.invoices: list | None = []
        self.customers_before = self.invoices_before = 0  # those of teams already ended
        self.customer_table: dict[str, np.ndarray] | None = None
        self.invoice_table: dict[str, np.ndarray] | None = None
        self.deals = array("d")  # customer, rep, signed, list price, discount, amount, kind
        self.payments = array("d")  # invoice, paid, amount
        self.surveys = array("d")  # customer, surveyed, csat, nps
        self.acts = array("d")  # rep, start, end, task kind, reference
        self._leads(s)
        self.reps = reps.make_reps(self)
        self.teams = [list(team) for _, team in itertools.groupby(self.reps,
                                                                 attrgetter("team"))]
        self.members = {t[0].team: t for t in self.teams}  # each team's reps, by team id
        self.running = self.reps  # the reps running now: one team's when teams run apart
        # each team's delivery line, with its share of the capacity (exactly the capacity
        # for a company of one team), and referral stream
        cap, n = s.fulfilment.capacity_per_day, len(self.reps)
        self.lines = {t[0].team: Fulfilment(cap * len(t) / n if len(t) < n else cap,
                                            s.fulfilment.lead_time_days) for t in self.teams}
        self.referrals = {t[0].team: referral_rows(s, self.cats, self.seed, k)
                          for k, t in enumerate(self.teams)}
        self._assign(s)
        self.start = [None] * len(TASKS)
        self.finish = [None] * len(TASKS)
        starts, finishes = pipeline.stage_handlers(self)
        for k in range(FIRST_CONTACT, CONTRACT + 1):
            self.start[k], self.finish[k] = starts[k], finishes[k]
        self.start[MEETING], self.finish[MEETING] = reps.start_meeting, reps.finish_meeting
        self.start[REPEAT_ORDER] = aftersales.start_contact
        self.finish[REPEAT_ORDER] = aftersales.finish_repeat
        for k in (FEEDBACK, REVISIT):
            self.start[k], self.finish[k] = aftersales.start_contact, aftersales.finish_feedback
        self.start[COLLECTION_CALL] = payments.start_call
        self.finish[COLLECTION_CALL] = payments.finish_call
        careers.set_up(self)  # promotions record, coaching and training sessions
        bind = getattr(self.rule, "bind", None)
        if bind is not None:
            bind(self)

    # ------------------------------------------------------------------ set-up
    def _constants(self, s: Scenario) -> None:
        hpd = s.team.hours_per_day
        p, a, pay, pr = s.process, s.after_sales, s.payments, s.pricing
        stages = [getattr(p, name) for name in _STAGES]
        hours = [s.teamwork.meeting_hours, *(st.hours for st in stages), a.repeat_hours,
                 a.feedback_hours, pay.call_hours, a.revisit_hours]
        self.task_days = [h / hpd for h in hours]
        self.conversion = [1.0, *(st.conversion for st in stages)]
        self.lag_days = [0.0, *(st.lag_days for st in stages)]
        self.response_days = p.response_days
        self.duration_kind = _durations(p.duration, p.duration_cv)
        self.discount_effect = pr.discount_effect
        self.cats = Categories.of(s)
        self.list_price = [pr.list_price.get(k, 1.0) for k in self.cats.company_size]
        self.price_sd = pr.price_sd
        self.price_var_half = pr.price_sd ** 2 / 2
        self.repeat_factor = pr.repeat_price_factor
        self.repeat_discount_pct = round(pr.repeat_discount * 100)
        self.repeat_conversion = a.repeat_conversion
        self.delay_penalty = s.fulfilment.delay_penalty
        self.sat_mean, self.sat_sd = a.satisfaction_mean, a.satisfaction_sd
        self.sat_floor = a.satisfaction_floor
        self.sat_decay = math.log(2) / a.satisfaction_half_life_days
        self.churn_hi, self.churn_lo = a.churn_unsatisfied, a.churn_satisfied
        self.repeat_hi, self.repeat_lo = a.repeat_unsatisfied, a.repeat_satisfied
        self.moment_rate = max(self.churn_hi, self.churn_lo) + max(self.repeat_hi, self.repeat_lo)
        self.feedback_delay = a.feedback_delay_days
        self.feedback_gain, self.revisit_gain = a.feedback_gain, a.revisit_gain
        self.revisit_every = a.revisit_interval_days
        self.survey_probability = a.survey_probability
        ref = s.channels.referral
        self.referral_min, self.referral_probability = ref.min_satisfaction, ref.probability
        self.referral_delay = ref.delay_days
        self.installments = pay.installments
        shares = [pay.behaviour.get(k, 0.0) for k in ("on_time", "late", "partial", "never")]
        total = sum(shares)
        self.behaviour_cum = list(itertools.accumulate(x / total for x in shares))
        self.late_mean, self.partial_share = pay.late_mean_days, pay.partial_share
        self.grace, self.max_calls = pay.grace_days, pay.max_calls
        self.call_success, self.pay_after_call = pay.call_success, pay.pay_after_call_days
        self.recall = pay.recall_days
        self.withhold = pay.withhold_unsatisfied
        # Due dates: for invoice j of a deal signed on clock day d, the due date and its
        # position on the clock (end of that calendar day).
        cal = self.calendar
        n_days = len(cal.dates)
        self._due_clock, self._due_date = [], []
        for j in range(pay.installments):
            due = cal.dates + np.timedelta64(pay.terms_days * (j + 1), "D")
            clock = np.searchsorted(cal.dates, due, "right").astype(float)
            clock[clock >= n_days] = math.inf
            self._due_clock.append(clock.tolist())
            self._due_date.append(due.astype(np.int64).tolist())

    def _leads(self, s: Scenario) -> None:
        # Flat array of every lead's draws: lead i's row starts at i * ROW.
        self.D = array("d")
        batches = generate(s, self.calendar, self.cats, self.seed, self.D)
        cat = np.concatenate
        self.L_t = cat([b.t for b in batches])
        self.L_channel = cat([np.full(len(b.t), b.channel) for b in batches])
        self.L_seq = cat([np.arange(1, len(b.t) + 1) for b in batches])
        self.L_industry = cat([b.industry for b in batches])
        self.L_size = cat([b.size for b in batches])
        self.L_region = cat([b.region for b in batches])
        self.L_budget = cat([b.budget for b in batches])
        self.L_score = cat([b.score for b in batches])
        self.L_qualified = self.L_score >= s.scoring.threshold
        self.n_pre = len(self.L_t)
        self.L_orig = None  # lead numbers as drawn, when leads are stored team by team
        # Referral leads are appended as they are made.
        self.R_rows: list[tuple] = []
        self.pool = s.process.assignment == "pool"
        self._dealt: tuple[np.ndarray, np.ndarray] | None = None

    def _assign(self, s: Scenario) -> None:
        q = np.flatnonzero(self.L_qualified)
        q = q[np.argsort(self.L_t[q], kind="stable")]
        times = self.L_t[q]
        meetings = reps.meeting_items(self)
        rep_of = np.full(len(self.L_t), -1, dtype=np.int64)
        if s.process.assignment == "pool":
            inbox = reps.Inbox(times.tolist(), q.tolist())
            shared: list = []
            for r in self.reps:
                r.inbox = inbox
                r.queues[FIRST_CONTACT] = shared
        else:
            n = len(self.reps)
            rep_of[q] = np.arange(len(q)) % n  # qualified leads dealt in turn
            if len(self.teams) > 1 and not careers.reviewing(self):
                # Teams run one after another: each team's leads are stored together, so
                # a team's work touches a small stretch of memory (see the module text).
                team_of = np.array([k for k, t in enumerate(self.teams) for _ in t] + [n])
                order = np.argsort(team_of[rep_of], kind="stable")
                self._reorder(order)
                rep_of = rep_of[order]
                q = np.argsort(order)[q]
            self._dealt = times, q  # made into the reps' inboxes as their team starts
        for r in self.reps:
            r.agenda = list(meetings)  # a sorted list is a heap
        # The running state of every lead, read and written by the pipeline.
        n = len(self.L_t)
        fe = s.scoring.fit_effect
        self.L_fit = array("d", (1.0 + fe * (self.L_score / 100.0 - 0.5)).tobytes())
        self.L_created = array("d", np.ascontiguousarray(self.L_t, dtype=np.float64).tobytes())
        self.L_sizes = array("b", self.L_size.tobytes())
        self.L_rep = array("l", rep_of.tobytes())
        # What the model writes as it runs is kept where an item is cheap to store (an
        # array parses each stored value with PyArg_Parse, several times slower):
        # stages and outcomes, small numbers, in bytearrays; times in lists.
        self.L_fc = [math.nan] * n
        self.L_stage = bytearray(n)
        closed = np.where(self.L_qualified, np.nan, self.L_t)
        self.L_closed = closed.tolist()
        outcome = np.where(self.L_qualified, pipeline.OPEN, pipeline.DISQUALIFIED)
        self.L_outcome = bytearray(outcome.astype(np.uint8).tobytes())

    def _reorder(self, order: np.ndarray) -> None:
        """Store the drawn leads in ``order`` (new lead number -> lead number as drawn)."""
        for name in ("L_t", "L_channel", "L_seq", "L_industry", "L_size", "L_region",
                     "L_budget", "L_score", "L_qualified"):
            setattr(self, name, getattr(self, name)[order])
        rows = np.frombuffer(self.D, dtype=np.float64).reshape(len(order), ROW)
        D = array("d", bytes(8)) * rows.size  # the rows' room, filled in place
        # (mode="clip": order is a permutation, and the default would buffer the output)
        np.take(rows, order, axis=0, out=np.frombuffer(D, dtype=np.float64).reshape(rows.shape),
                mode="clip")
        self.D = D
        self.L_orig = order

    # --------------------------------------------------------- used by parts
    def new_referral(self, rep: reps.Rep, t: float) -> int:
        """A lead referred to ``rep`` at ``t`` by a satisfied customer (R2.1.1.2)."""
        s = self.scenario
        ind, size, region, budget, score, row = next(self.referrals[rep.team])
        lead = self.n_pre + len(self.R_rows)
        self.R_rows.append((t, ind, size, region, budget, score))
        qualified = score >= s.scoring.threshold
        self.L_rep.append(-1 if self.pool or not qualified else rep.idx)
        self.L_fc.append(math.nan)
        self.L_stage.append(0)
        if not qualified:
            self.L_outcome.append(pipeline.DISQUALIFIED)
            self.L_closed.append(t)
            return lead
        self.L_outcome.append(pipeline.OPEN)
        self.L_closed.append(math.nan)
        fit = 1.0 + s.scoring.fit_effect * (score / 100.0 - 0.5)
        base = len(self.D)
        self.D.extend(row)
        opp = pipeline.Opp(lead, base, fit, t, size)
        heappush(rep.queues[FIRST_CONTACT], (t, self.next_seq(), opp))
        return lead

    def due_of(self, day: int, j: int) -> tuple[float, int]:
        return self._due_clock[j][day], self._due_date[j][day]

    def book_deal(self, rep, cust, t, list_price, discount, amount, kind) -> int:
        """Record a deal signed at ``t`` and add it to the rep's running totals of the month:
        its revenue and, for a deal of kind ``new`` (0), a new customer. Returns the deal's
        number."""
        self.deals.frombytes(_PACK7(cust.idx, rep.idx, t, list_price, discount, amount, kind))
        month = self.month_of_day[trunc(t)]  # int(t), faster for a float
        rep.revenue[month] += amount
        if not kind:
            rep.new_customers[month] += 1
        return len(self.deals) // 7 - 1

    # ------------------------------------------------------------------ run
    def run(self) -> Model:
        """Run to the horizon, team by team where teams work apart (see the module text),
        closing each team's work as it ends (see :meth:`_close`)."""
        together = self.pool or careers.reviewing(self)
        customers, invoices = [], []
        for members in [self.reps] if together else self.teams:
            self.running = members
            if self._dealt is not None:  # rep i gets the i-th, (i + n)-th, ... lead
                times, q = self._dealt
                n = len(self.reps)
                for r in members:
                    r.inbox = reps.Inbox(times[r.idx::n].tolist(), q[r.idx::n].tolist())
            env = self.env = simpy.Environment()
            for r in members:
                env.process(reps.rep_process(self, r))
            careers.start(self)
            env.run(until=self.horizon)
            self._close(members)
            customers.append(aftersales.columns(self.customers))
            invoices.append(payments.columns(self.invoices))
            self.customers_before += len(self.customers)
            self.invoices_before += len(self.invoices)
            self.customers, self.invoices = [], []
        # The ledger and the trace read a few fields of each customer and invoice: keep
        # those as arrays, team by team as each team ends, and let the objects go. A team
        # that has ended thus leaves its memory to the next, and a kept result holds a few
        # arrays rather than thousands of objects for the garbage collector to scan again
        # and again.
        self.customer_table, self.invoice_table = _joined(customers), _joined(invoices)
        self.customers = self.invoices = None
        # Likewise keep the leads' times and the delivery lines' orders as arrays, and let
        # the task handlers (which hold the lists of times) and the referred leads drawn
        # ahead go: at 1,000 reps these are lists of millions of items, which the collector
        # would otherwise go through one by one.
        self.L_fc = array("d", self.L_fc)
        self.L_closed = array("d", self.L_closed)
        for line in self.lines.values():
            line.close()
        self.start = self.finish = self.referrals = self._dealt = None
        return self

    def _close(self, members: list[reps.Rep]) -> None:
        """End the work of ``members`` at the horizon: process the agenda events due before
        it that reps busy at the end had not reached, and let the work still pending go."""
        last = math.nextafter(self.horizon, 0.0)
        for r in members:
            ag = r.agenda
            while ag and ag[0][0] <= last:
                t, _, fn, obj = reps.heappop(ag)
                fn(self, r, obj, t)
        # The work still pending at the horizon is never done. Queued items and an open
        # invoice's customer point back at the rep and at the invoice, so without this the
        # reps, customers and invoices would form reference cycles that only the garbage
        # collector frees.
        for r in members:
            r.agenda.clear()
            for q in r.queues:
                q.clear()
            r.inbox = None
        for c in self.customers:
            c.invoices.clear()
