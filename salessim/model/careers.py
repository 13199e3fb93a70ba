"""Careers in the model: promotion, coaching, recognition and training (R2.2.2.2, R2.2.2.3).

Everything here is off by default (``[careers]`` in the scenario) and changes nothing then.

- **Promotion** (晋升通道, R2.2.2.2). At each quarter's end the model scores every rep's
  quarters with :func:`salessim.kpi.scorecard`, on the ledger of results recorded so far
  (customers, deals, invoices, payments), and applies
  :func:`salessim.careers.promotion_due` with the scenario's
  :class:`~salessim.careers.PromotionRule` to the quarters the rep has spent at its current
  level: the same functions sales operations use on a CRM export. The review is held on
  the second working day of the new quarter, when the quarter's books are complete; a
  promotion takes effect then and is recorded in the ledger's ``promotions`` table. The
  ``reps`` table shows each rep's level at the end.
- **Coaching** (an assumption of the model). A team lead spends ``coaching_hours`` every
  ``coaching_interval_days`` coaching (activity ``coaching``); each other member of its team
  gains ``coaching_gain`` relative skill per session. Promotion to lead starts it.
- **Recognition** (非物质激励, R2.2.2.3; an assumption). At each quarter's end the best
  ``recognition_share`` of the team by attainment, among the reps on target, are recognised;
  for ``recognition_days`` working days they work ``1 + recognition_effort`` times as fast
  (a temporary rise in effort), then return to their usual pace.
- **Training** (R2.2.2.3; an assumption). Every ``training_interval_days`` each rep spends
  ``training_hours`` in training (activity ``training``) and gains ``training_gain`` relative
  skill.

Sessions are kept like team meetings: they wait in the rep's meeting queue, which every
decision rule serves first.
"""

from __future__ import annotations

from heapq import heappush
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .. import kpi
from ..careers import promotion_due
from ..ledger import LEVELS
from .outlook import Periods
from .rules import COACHING, MEETING, TRAINING

if TYPE_CHECKING:
    from .engine import Model
    from .reps import Rep

__all__ = ["Session", "set_up", "start", "review"]


class Session:
    """A scheduled coaching or training session of ``hours`` hours."""

    __slots__ = ("activity", "hours")

    def __init__(self, activity: int, hours: float) -> None:
        self.activity, self.hours = activity, hours

    def start(self, m: Model, rep: Rep, now: float) -> float:
        dur = self.hours / m.scenario.team.hours_per_day
        m.acts.extend((rep.idx, now, now + dur, self.activity, -1))
        return dur

    def finish(self, m: Model, rep: Rep, t1: float) -> None:
        c = m.scenario.careers
        speed = m.scenario.process.skill_speed
        if self.activity == COACHING:
            for other in m.members[rep.team]:
                if other is not rep:
                    other.set_skill(other.skill * (1.0 + c.coaching_gain), speed)
        else:
            rep.set_skill(rep.skill * (1.0 + c.training_gain), speed)


def _schedule(m: Model, rep: Rep, activity: int, hours: float, every: float,
              first: float) -> None:
    """Put sessions every ``every`` working days from ``first`` in the rep's meeting queue."""
    q = rep.queues[MEETING]
    session = Session(activity, hours)
    for t in np.arange(first, m.horizon, every).tolist():
        heappush(q, (t, m.next_seq(), session))


def set_up(m: Model) -> None:
    """Schedule the sessions of the scenario's careers section (nothing when all are 0)."""
    c = m.scenario.careers
    m.promotions = [] if c.promotion else None
    if c.coaching_interval_days > 0:
        for r in m.reps:
            if r.level == "lead":
                _schedule(m, r, COACHING, c.coaching_hours, c.coaching_interval_days,
                          c.coaching_interval_days)
    if c.training_interval_days > 0:
        for r in m.reps:
            _schedule(m, r, TRAINING, c.training_hours, c.training_interval_days,
                      c.training_interval_days)


def reviewing(m: Model) -> bool:
    """Whether the scenario holds quarterly reviews (promotion or recognition): they rank
    reps of every team at the same moment."""
    c = m.scenario.careers
    return bool(c.promotion or c.recognition_share > 0)


def start(m: Model) -> None:
    """Start the quarterly review when promotion or recognition is on."""
    if reviewing(m):
        m.env.process(_reviews(m))


def _reviews(m: Model):
    per = Periods(m.calendar, "Q")
    starts = sorted({d for d in per.start if 0 < d < m.horizon - 1})
    for i, day in enumerate(starts):
        when = day + 1.0
        yield m.env.timeout(when - m.env.now)
        review(m, day, i + 1)


def review(m: Model, day: int, quarter: int) -> None:
    """The review held at clock ``day + 1`` of the quarter that ended before clock ``day``:
    promotions (R2.2.2.2) and recognition (R2.2.2.3). ``quarter`` counts the quarters
    begun since the start (the one that ended is ``quarter - 1``)."""
    from .output import build_results

    s = m.scenario
    c = s.careers
    ledger = build_results(m)
    card = kpi.scorecard(ledger, "Q", "rep", s.targets)
    ended = str(pd.Period(m.calendar.dates[day - 1], freq="Q"))
    labels = sorted(card["period"].unique())
    if ended not in labels:
        return
    upto = labels.index(ended)
    when = float(day + 1)
    if c.promotion:
        rule = c.promotion_rule()
        for r in m.reps:
            own = card[card["rep_id"] == r.rep_id]
            history = own[own["period"].isin(labels[r.level_since:upto + 1])]
            due = promotion_due(history, rule, r.level)
            if due is None:
                continue
            m.promotions.append((r.idx, when, LEVELS.index(r.level), LEVELS.index(due)))
            r.level = due
            r.level_since = upto + 1
            if due == "lead" and c.coaching_interval_days > 0:
                _schedule(m, r, COACHING, c.coaching_hours, c.coaching_interval_days,
                          when + c.coaching_interval_days)
    if c.recognition_share > 0:
        rows = card[(card["period"] == ended) & card["meets_revenue"]]
        n = max(1, round(c.recognition_share * len(m.reps)))
        best = rows.sort_values(["attainment", "rep_id"], ascending=[False, True]).head(n)
        by_id = {r.rep_id: r for r in m.reps}
        for rep_id in best["rep_id"]:
            _recognise(m, by_id[rep_id], when)


def _recognise(m: Model, rep: Rep, when: float) -> None:
    """A temporary rise in effort after recognition (an assumption, R2.2.2.3)."""
    c = m.scenario.careers
    if c.recognition_effort <= 0 or c.recognition_days <= 0:
        return
    speed = m.scenario.process.skill_speed
    rep.effort = 1.0 + c.recognition_effort
    rep.effort_until = when + c.recognition_days
    rep.set_skill(rep.skill, speed)
    heappush(rep.agenda, (rep.effort_until, m.next_seq(), _settle, None))


def _settle(m: Model, rep: Rep, obj, t: float) -> None:
    if t >= rep.effort_until and rep.effort != 1.0:
        rep.effort = 1.0
        rep.set_skill(rep.skill, m.scenario.process.skill_speed)

