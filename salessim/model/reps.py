"""Reps: who they are, their to-do lists and agenda, and how they spend their working hours.

Each rep is one SimPy process. It keeps one queue per kind of task (its CRM to-do list),
each item ready from a given time, and an *agenda* of dated events that concern its own
customers and invoices (a delivery, a payment, an invoice falling overdue, a customer's
moment of decision) and its team meetings (each put on its list when it falls due).
Whenever the rep is free it first brings the agenda up to date, then asks the decision
rule (:mod:`salessim.model.rules`) which kind of task to work on, and works the oldest
ready item of that kind. With nothing ready, it waits until the next item
becomes ready. Agenda events keep their own time stamps even when the rep is busy as they
fall due, so a payment is dated when it was made, not when the rep noticed it.

The clock counts working time only (see :mod:`salessim.calendar`), so a rep never works on
a non-working day nor more than ``hours_per_day`` on a working day: a task that runs past
the end of the day simply continues the next working morning (the ledger shows it as two
activity rows).

Skill (能力) differs between reps: a rep of skill ``k`` converts a lead as if it had ``k``
tries at each step, and works ``k ** skill_speed`` times as fast. Team meetings
(R2.3.2.1) and the knowledge shared there (R2.3.2.3) raise every attendee's skill a little.
"""

from __future__ import annotations

import math
import struct
from functools import partial
from heapq import heappop, heappush
from math import trunc
from statistics import NormalDist
from typing import TYPE_CHECKING

import numpy as np

from .leads import ROW
from .pipeline import Opp
from .rules import CONTRACT, FIRST_CONTACT, MEETING, REPEAT_ORDER, TASKS
from .streams import block, stream

if TYPE_CHECKING:
    from .engine import Model

__all__ = ["Rep", "Inbox", "make_reps", "rep_process"]

_PACK5 = struct.Struct("5d").pack  # a record row of float64 (faster than array.extend)

LEVELS = ("sales", "senior", "lead")


class Inbox:
    """Leads assigned ahead of time: arrival times, lead numbers and how far they are read.

    In ``pool`` assignment all reps share one inbox and one first-contact queue.
    """

    __slots__ = ("times", "leads", "ptr", "n")

    def __init__(self, times: list[float], leads: list[int]) -> None:
        self.times, self.leads, self.ptr, self.n = times, leads, 0, len(times)


class Rep:
    """One sales rep: attributes, queues, agenda, random streams and running totals.

    The running totals (``revenue``, ``cash``, ``new_customers``: one number per calendar
    month of the simulation, CNY or customers) are what a pay-aware decision rule reads.
    """

    __slots__ = (
        "idx", "rep_id", "name", "team", "level", "hired_on", "skill", "inv_speed", "queues",
        "agenda", "inbox", "dur", "u", "e", "z", "revenue", "cash", "new_customers", "effort",
        "effort_until", "level_since",
    )

    def __init__(self, idx: int, m: Model) -> None:
        self.idx = idx
        self.rep_id = f"R{idx + 1:03d}"
        self.name = f"Rep {idx + 1:03d}"
        self.queues: list[list] = [[] for _ in TASKS]
        self.agenda: list = []
        self.inbox: Inbox | None = None
        seed = m.seed
        self.dur = block(stream(seed, "durations", idx), m.duration_kind)
        self.u = block(stream(seed, "rep_uniforms", idx), "uniform")
        self.e = block(stream(seed, "rep_exponentials", idx), "exponential")
        self.z = block(stream(seed, "rep_normals", idx), "normal", 512)
        months = m.n_months
        self.revenue = [0.0] * months
        self.cash = [0.0] * months
        self.new_customers = [0] * months
        self.effort = 1.0  # working pace; above 1 for a while after recognition (careers.py)
        self.effort_until = 0.0
        self.level_since = 0  # quarters (from the first) since the rep holds its level

    def set_skill(self, skill: float, speed_elasticity: float) -> None:
        self.skill = skill
        self.inv_speed = skill ** -speed_elasticity / self.effort

    def revenue_in(self, months: range) -> float:
        """Revenue booked in the given month indexes (CNY)."""
        rev = self.revenue
        return sum(rev[i] for i in months if 0 <= i < len(rev))


def _normal(u: float) -> float:
    return NormalDist().inv_cdf(min(max(u, 1e-12), 1 - 1e-12))


def make_reps(m: Model) -> list[Rep]:
    """The team: skills (lognormal, mean 1), levels by skill rank, teams and hire dates."""
    s = m.scenario.team
    n = s.reps
    # Each rep's own stream, so a rep keeps its skill and tenure when the team grows.
    draws = [stream(m.seed, "rep_profile", i).random(2) for i in range(n)]
    z = np.array([_normal(u[0]) for u in draws])
    tenure = np.array([60 + int(u[1] * 1940) for u in draws])
    skill = np.exp(s.skill_sd * z - s.skill_sd ** 2 / 2)
    shares = np.array([s.level_shares.get(lv, 0.0) for lv in LEVELS])
    shares = shares / shares.sum()
    # The most skilled reps hold the higher levels: ranks from the top.
    order = np.argsort(-skill, kind="stable")
    n_lead = int(round(shares[2] * n))
    n_senior = int(round(shares[1] * n))
    level = np.zeros(n, dtype=np.int64)
    level[order[:n_lead]] = 2
    level[order[n_lead:n_lead + n_senior]] = 1
    reps = []
    for i in range(n):
        r = Rep(i, m)
        r.team = f"T{i // s.team_size + 1:02d}"
        r.level = LEVELS[level[i]]
        r.hired_on = np.datetime64(m.calendar.start, "D") - int(tenure[i])
        r.set_skill(float(skill[i]), m.scenario.process.skill_speed)
        reps.append(r)
    return reps


def rep_process(m: Model, rep: Rep):
    """The SimPy process of one rep: choose, work, apply the outcome, repeat.

    A rep's to-do list and agenda change only through its own work, except for two things
    shared with the rest of the team: the delivery team, which takes orders first come
    first served, and, in ``pool`` assignment, the shared queue of new leads. So the rep
    works through its tasks on its own clock and synchronises with SimPy's clock (waits
    until SimPy's time reaches its own) before every task whose outcome may place an order
    (contract signing, repeat orders), at the end of every working day, and, in a pool,
    before every task. Between those points nothing it does can affect another rep or be
    affected by one, so the results are those of a one-event-per-task model, at a fraction
    of the cost. Every task is still an event on the rep's own time line.
    """
    env = m.env
    timeout = env.timeout
    horizon = m.horizon
    rule = m.rule
    chooser = getattr(rule, "chooser", None)
    choose = chooser(rep) if chooser is not None else partial(rule.choose, rep)
    pairs = getattr(choose, "pairs", None)  # a fixed order of queues (see rules.py)
    admit = getattr(rule, "admit", None)  # a rule may put an item off (see rules.py)
    start, finish = m.start, m.finish
    queues = rep.queues
    ag = rep.agenda
    ib = rep.inbox
    arrivals, n_arrivals = ib.times, ib.n
    inf = math.inf
    # The next lead's arrival. In a pool the other reps take leads too, so this may be
    # earlier than the true next arrival, never later: the rep then simply finds none.
    arrival = arrivals[ib.ptr] if ib.ptr < n_arrivals else inf
    pool = m.pool
    # Tasks after which the rep synchronises: those that may place an order (contract
    # signing, repeat orders), and every task in a pool.
    sync = tuple(pool or CONTRACT <= k <= REPEAT_ORDER for k in range(len(TASKS)))
    clock = 0.0  # the rep's own clock: when its last task ended
    next_sync = 1.0  # the end of the current working day
    # What the rep needs to take in the leads that have arrived: each becomes an
    # opportunity in the first-contact queue.
    leads, first_contact = ib.leads, queues[FIRST_CONTACT]
    fit, created, size = m.L_fit, m.L_created, m.L_sizes
    next_seq = m.next_seq
    while True:
        t = clock
        while True:
            while ag and ag[0][0] <= t:  # agenda events due: processed in time order
                at, _, fn, obj = heappop(ag)
                fn(m, rep, obj, at)
            if arrival <= t:  # leads that have arrived go to the first-contact queue
                i = ib.ptr
                while i < n_arrivals and arrivals[i] <= t:
                    lead = leads[i]
                    heappush(first_contact, (arrivals[i], next_seq(), Opp(
                        lead, lead * ROW, fit[lead], created[lead], size[lead])))
                    i += 1
                ib.ptr = i
                arrival = arrivals[i] if i < n_arrivals else inf
            if pairs is None:
                kind = choose(t)
            else:  # the first ready queue in order; else the earliest time one will be
                kind, nxt = -1, inf
                for k, q in pairs:
                    if q:
                        head = q[0][0]
                        if head <= t:
                            kind = k
                            break
                        if head < nxt:
                            nxt, soonest = head, k
            if kind < 0:
                # Nothing is ready: wait until the next queue item, agenda event or lead.
                if pairs is None:
                    nxt = inf
                    for q in queues:
                        if q and q[0][0] < nxt:
                            nxt = q[0][0]
                t = ag[0][0] if ag and ag[0][0] < nxt else nxt
                if pool:  # the true next arrival: the others may have taken the next leads
                    arrival = arrivals[ib.ptr] if ib.ptr < n_arrivals else inf
                if arrival < t:
                    t = arrival
                if t >= horizon:
                    return
                if pool:
                    yield timeout(t - env.now)
                    continue
                if pairs is None or t < nxt or arrival <= t or (ag and ag[0][0] <= t):
                    continue  # the rule's own choice, or a lead or agenda event first
                # Else nothing has changed since the scan, so the first queue in order whose
                # first item falls due at t (the scan found it) is the first ready one.
                kind = soonest
            item = heappop(queues[kind])[2]
            if admit is not None and not admit(m, rep, kind, item, t):
                continue
            dur = start[kind](m, rep, item, t, kind)
            if dur is not None:
                break
        clock = t + dur
        if clock >= horizon:
            return  # the task runs past the end of the simulation: its outcome is not seen
        if sync[kind] or clock >= next_sync:
            yield timeout(clock - env.now)
            next_sync = float(trunc(clock) + 1)  # int(clock), faster for a float
        finish[kind](m, rep, item, t, clock, kind)


def meeting_items(m: Model) -> list[tuple]:
    """The team-meeting schedule as a ready-made agenda: one event per meeting, which puts
    the meeting on the rep's list when it falls due (so the list holds no meeting weeks
    ahead for the rep to look past before every task)."""
    every = m.scenario.teamwork.meeting_interval_days
    if every <= 0:
        return []
    times = np.arange(every, m.horizon, every)
    return [(float(t), -1 - j, _meeting_due, j) for j, t in enumerate(times)]


def _meeting_due(m: Model, rep: Rep, j: int, at: float) -> None:
    heappush(rep.queues[MEETING], (at, -1 - j, j))


def start_meeting(m: Model, rep: Rep, item, now: float, kind: int) -> float:
    if type(item) is not int:  # a coaching or training session (careers.py)
        return item.start(m, rep, now)
    dur = m.task_days[MEETING]
    m.acts.frombytes(_PACK5(rep.idx, now, now + dur, MEETING, -1))
    return dur


def finish_meeting(m: Model, rep: Rep, item, t0: float, t1: float, kind: int) -> None:
    if type(item) is not int:
        item.finish(m, rep, t1)
        return
    rep.set_skill(rep.skill * (1.0 + m.scenario.teamwork.skill_gain),
                  m.scenario.process.skill_speed)
