"""Exercise tasks of lesson 03: follow-up and needs discovery (R2.1.2).

First response times on the sample CRM export (R2.1.2.1), from :mod:`salessim.kpi`; the
chance of a first call after a weekend and the lead to call first, both from the model's own
pipeline code (:class:`salessim.widgets.lesson03.StepChances`, default scenario); the order
of the follow-up steps as lesson 03 teaches them
(:data:`salessim.widgets.lesson03.FOLLOW_UP_STEPS`); a discovery case (R2.1.2.2); and the rep
time the demos of a practice run cost per deal won (R2.1.2.3). The known mistakes are
computed here the way a learner would make them.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

import pandas as pd

from .. import kpi
from ..calendar import WorkCalendar
from ..ledger import Ledger
from ..model import simulate
from ..scenario import load_scenario
from ..widgets.lesson03 import FOLLOW_UP_STEPS, STAGES, StepChances, lesson_scenario
from ..widgets.lesson03 import response_times as _response_times
from .core import Mistake, Task
from .datasets import sample_crm
from .kinds import Choice, Number, Ordering, as_percentage, option

__all__ = ["ARRIVED", "CALLED", "PRACTICE_SEED", "QUARTER", "REP", "STEP_LABELS", "TASKS",
           "practice_run", "waiting_leads"]

REP = "R02"
QUARTER = "2026Q1"
#: When the lead of task 03.2 arrived and when it was called: (date, clock hour).
ARRIVED = (dt.date(2026, 1, 9), 10.0)  # a Friday
CALLED = (dt.date(2026, 1, 12), 10.0)  # the Monday after
#: The seed of the practice run of task 03.6 (the lesson shows another one).
PRACTICE_SEED = 7
_DAYS_TOL = 0.01
_RATE_TOL = 0.0005
_HOURS_TOL = 0.005


# ------------------------------------------------------------------ 03.1 first response time
def _q1_times(d: Ledger, rep: str | None = REP, quarter: str | None = QUARTER) -> pd.DataFrame:
    times = _response_times(d)
    if quarter is not None:
        times = times[times["created_on"].dt.to_period("Q") == quarter]
    return times if rep is None else times[times["rep_id"] == rep]


def _frt(d: Ledger) -> float:
    frt = kpi.first_response_time(d, "Q")
    return float(frt.loc[(frt["rep_id"] == REP) & (frt["period"] == QUARTER),
                         "first_response_time"].item())


def _days(how: str, column: str = "calendar_days", scale: float = 1.0, **where: Any):
    return lambda d: scale * float(_q1_times(d, **where)[column].agg(how))


FIRST_RESPONSE = Task(
    id="03.1",
    title="First response time (首次响应时间) of a rep in a quarter",
    clauses=("R2.1.2.1",),
    kind=Number(unit="days"),
    expected=_frt,
    why="The first response time shows whether leads are contacted at once; the median says "
        "what happens to a typical lead, and calendar days are what the customer waits.",
    hint="Keep R02's leads created in 2026Q1 that have a first_contact_on, compute "
         "first_contact_on - created_on in days for each, and take the median.",
    mistakes=(
        Mistake("mean instead of median",
                "You took the mean. The KPI is the median of the leads' response times, so "
                "that one forgotten lead cannot hide how a typical lead is treated.",
                value=_days("mean")),
        Mistake("working days",
                "You counted working days. The KPI counts calendar days, weekends and "
                "holidays included: the customer waits on the calendar. Subtract the dates.",
                value=_days("median", "working_days")),
        Mistake("mean of working days",
                "You took the mean of working days. The KPI is the median of calendar days: "
                "subtract the dates as they are, then take the median.",
                value=_days("mean", "working_days")),
        Mistake("hours instead of days",
                "Your answer is 24 times too large: it is in hours. The CRM records dates, "
                "and the KPI is in days.",
                value=_days("median", scale=24.0)),
        Mistake("every quarter",
                "Your answer includes R02's leads from outside 2026Q1. Keep the leads whose "
                "created_on is from 1 January to 31 March 2026.",
                value=_days("median", quarter=None)),
        Mistake("all reps",
                "You took every rep's leads of the quarter. The task asks for R02's only: "
                "filter on rep_id first.",
                value=_days("median", rep=None)),
    ),
    data=sample_crm,
    tolerance=_DAYS_TOL,
)


# ------------------------------------------------------------------ 03.2 a weekend's wait
def _chances() -> StepChances:
    return StepChances("default")


def working_wait() -> float:
    """Working days from :data:`ARRIVED` to :data:`CALLED` on the default scenario's clock."""
    s = load_scenario("default")
    cal = WorkCalendar(s.calendar.start, 12, s.calendar.holidays)
    (day0, hour0), (day1, hour1) = ARRIVED, CALLED
    return cal.day_of(day1) - cal.day_of(day0) + (hour1 - hour0) / s.team.hours_per_day


def _after(wait: Callable[[], float]) -> Callable[[StepChances], float]:
    return lambda c: c.chance("first_contact", wait=wait())


def _calendar_wait() -> float:
    return float((CALLED[0] - ARRIVED[0]).days)


def _by_hand(rule: Callable[[float, float, float], float]) -> Callable[[StepChances], float]:
    """A mistaken formula of (conversion, wait, response_days), on the default scenario."""
    def value(c: StepChances) -> float:
        p = c.scenario.process
        return rule(p.first_contact.conversion, working_wait(), p.response_days)
    return value


def _chance(c: StepChances) -> float:
    return _after(working_wait)(c)


WEEKEND = Task(
    id="03.2",
    title="First-contact conversion after a weekend (第一时间)",
    clauses=("R2.1.2.1",),
    kind=Number(fraction=True),
    expected=_chance,
    why="The model's clock counts working time, so a call on Monday morning after a Friday "
        "lead costs one working day of the lead's interest, not three calendar days.",
    hint="Count the working days the lead waited (Friday 10:00 to Monday 10:00, working hours "
         "9:00 to 17:00), then multiply the first-contact conversion by e to the power of "
         "minus wait / response_days.",
    mistakes=(
        Mistake("calendar days",
                "You counted calendar days, weekend included. The model's clock counts "
                "working time only: from Friday 10:00 to Monday 10:00 is one working day.",
                value=_after(_calendar_wait)),
        Mistake("linear decay",
                "You subtracted a fixed share per day. The chance falls by a factor e for "
                "every response_days working days: multiply by math.exp(-wait / "
                "response_days).",
                value=_by_hand(lambda p, w, r: p * (1 - w / r))),
        Mistake("no base conversion",
                "You gave only the share of the chance that is kept after the wait. Multiply "
                "it by the first-contact conversion of a call made at once.",
                value=_by_hand(lambda p, w, r: math.exp(-w / r))),
        Mistake("multiplied by response_days",
                "You multiplied the wait by response_days. The chance falls by a factor e "
                "per response_days working days: divide the wait by response_days.",
                value=_by_hand(lambda p, w, r: p * math.exp(-w * r))),
        Mistake("wait in hours",
                "You used the wait in hours. response_days is in working days: 8 working "
                "hours make one working day.",
                value=_by_hand(lambda p, w, r: p * math.exp(-8 * w / r))),
        Mistake("no wait",
                "That is the chance of a call made at once. The lead waited over the "
                "weekend: take the wait into account.",
                value=lambda c: c.chance("first_contact")),
        as_percentage(_chance, _RATE_TOL),
    ),
    data=_chances,
    tolerance=_RATE_TOL,
)


# ------------------------------------------------------------------ 03.3 who to call first
def waiting_leads() -> pd.DataFrame:
    """The four leads of task 03.3: who they are and how long each has waited.

    ``list_price`` is the default scenario's mean list price for the company's size
    (``pricing.list_price``), CNY; ``waited`` is in working days.
    """
    prices = load_scenario("default").pricing.list_price
    rows = [("A", "web form", "small", 10 / 60 / 8, "10 minutes"),
            ("B", "trade show", "large", 4.0, "4 working days"),
            ("C", "referral", "medium", 1 / 8, "1 working hour"),
            ("D", "web form", "medium", 2.0, "2 working days")]
    return pd.DataFrame({
        "lead": [r[0] for r in rows],
        "channel": [r[1] for r in rows],
        "company_size": [r[2] for r in rows],
        "list_price": [float(prices[r[2]]) for r in rows],
        "waited": [r[3] for r in rows],
        "waited_as_text": [r[4] for r in rows],
    })


def _cost_of_a_day(c: StepChances) -> pd.Series:
    """Expected revenue lost if a lead is called one working day later than now, CNY."""
    leads = waiting_leads().set_index("lead")
    lost = [c.chance("first_contact", wait=w) - c.chance("first_contact", wait=w + 1)
            for w in leads["waited"]]
    return leads["list_price"] * lost


CALL_FIRST = Task(
    id="03.3",
    title="Which lead to call first (第一时间)",
    clauses=("R2.1.2.1",),
    kind=Choice(),
    expected=lambda c: str(_cost_of_a_day(c).idxmax()),
    why="A day of waiting costs each lead the same share of the chance it still has, so the "
        "lead with the most to lose is a fresh one worth a good deal, not the one that has "
        "waited longest.",
    hint="For each lead, compare the first-contact chance now and one working day later, and "
         "weigh the difference by what the deal is worth.",
    mistakes=(
        option("A", "The newest lead has lost the least so far, but it is also the smallest "
                    "deal: weigh the chance a day of waiting costs by what the deal is worth."),
        option("B", "First come, first served feels fair, but this lead has already lost "
                    "most of its chance after 4 working days; another day costs it less than "
                    "it costs a fresh lead, even a large one. Call it today, second."),
        option("D", "This lead is worth as much as another one here, but it has already "
                    "waited 2 working days: a day of waiting costs a lead a share of what it "
                    "still has, and it has less left than a fresh lead of the same size."),
    ),
    data=_chances,
)


# ------------------------------------------------------------------ 03.4 the order of steps
#: The labels of task 03.4 and the step of :data:`FOLLOW_UP_STEPS` each stands for.
STEP_LABELS: dict[str, str] = dict(zip("DFBEAC", (text for _, text in FOLLOW_UP_STEPS),
                                       strict=True))


def _follow_up_order(d: Any) -> tuple[str, ...]:
    position = {text: i for i, (_, text) in enumerate(FOLLOW_UP_STEPS)}
    return tuple(sorted(STEP_LABELS, key=lambda k: position[STEP_LABELS[k]]))


def _before(first: str, then: str) -> Callable[[tuple[str, ...], Any], bool]:
    """A mistake pattern: step ``first`` placed before step ``then``."""
    return lambda answer, data: answer.index(first) < answer.index(then)


# the labels of the call, the questions, the notes, the proposal, the demo and the quote
_CALL, _ASK, _NOTES, _PROPOSE, _DEMO, _QUOTE = _follow_up_order(None)

ORDER = Task(
    id="03.4",
    title="The follow-up steps in order (客户跟进与需求挖掘)",
    clauses=("R2.1.2.1", "R2.1.2.2", "R2.1.2.3"),
    kind=Ordering(steps=tuple(sorted(STEP_LABELS))),
    expected=_follow_up_order,
    why="Each step uses what the one before found: the call earns the meeting, the questions "
        "find the problems, the proposal and the demo answer them, and the price comes last.",
    hint="Start from the day the lead arrives and ask, for each step, what you need to know "
         "before you can do it well.",
    mistakes=(
        Mistake("call not first",
                "The follow-up starts with the first call, the day the lead arrives: nothing "
                "else can happen before the customer has agreed to talk.",
                when=lambda answer, data: answer[0] != _CALL),
        Mistake("proposal before the questions",
                "You propose a solution before asking about the customer's situation and "
                "problems. A tailored proposal answers what you heard, so the questions come "
                "first.",
                when=_before(_PROPOSE, _ASK)),
        Mistake("demo before the questions",
                "You demo the product before learning what the customer needs. A demo shows "
                "the product on the customer's own case, which you only know after discovery.",
                when=_before(_DEMO, _ASK)),
        Mistake("notes after the proposal",
                "You write the needs in the CRM after sending the proposal. Write them the "
                "same day as the meeting: the proposal, the demo and your colleagues work "
                "from them.",
                when=_before(_PROPOSE, _NOTES)),
        Mistake("quote before the demo",
                "You quote before the demo or trial. Let the customer confirm the fit first; "
                "the quote then answers a question they already have.",
                when=_before(_QUOTE, _DEMO)),
    ),
)


# ------------------------------------------------------------------ 03.5 a discovery case
DISCOVERY = Task(
    id="03.5",
    title="A discovery meeting: needs before solutions (需求挖掘)",
    clauses=("R2.1.2.2",),
    kind=Choice(),
    expected=lambda d: "B",
    why="Questions about the situation, the problem, its cost and the decision give you what "
        "the tailored proposal, the demo and later the quote are built on.",
    hint="Ask yourself what you would need to know to propose something this customer would "
         "pay for.",
    mistakes=(
        option("A", "Presenting features now answers a problem you have not understood: you "
                    "do not yet know what is slow, for whom, or what it costs them, so you "
                    "cannot tell which features matter."),
        option("C", "A discount before the customer has said what they need gives away "
                    "margin for nothing and makes the price the topic. Price talk belongs to "
                    "the quote and the negotiation (lesson 04)."),
        option("D", "Promising what you do not know to be true wins trust for a week and "
                    "loses it for good (R2.3.1.1). Learn the problem first, then say honestly "
                    "what the product does about it."),
    ),
)


# ------------------------------------------------------------------ 03.6 demo hours per deal
def practice_run() -> Ledger:
    """The practice run of task 03.6: the lesson's team with seed :data:`PRACTICE_SEED`."""
    return simulate(lesson_scenario(), PRACTICE_SEED, trace=False).ledger


def _hours(acts: pd.DataFrame) -> pd.Series:
    return (acts["ended_at"] - acts["started_at"]).dt.total_seconds() / 3600


def _won(d: Ledger) -> int:
    return int((d.leads["outcome"] == "won").sum())


def _demo_hours(d: Ledger) -> float:
    acts = d.activities
    return float(_hours(acts[acts["task"] == "demo"]).sum())


def _demo_hours_per_deal(d: Ledger) -> float:
    return _demo_hours(d) / _won(d)


def _pipeline_hours(d: Ledger) -> float:
    acts = d.activities
    return float(_hours(acts[acts["task"].isin(STAGES)]).sum())


DEMO_COST = Task(
    id="03.6",
    title="Rep hours of demos per new deal (产品演示或试用)",
    clauses=("R2.1.2.3",),
    kind=Number(unit="hours"),
    expected=_demo_hours_per_deal,
    why="Demos are held with every lead that gets that far, won or not, so their cost per "
        "deal won is what the team pays for them; it is why discovery comes first.",
    hint="Keep the activities whose task is 'demo', add up ended_at - started_at in hours, "
         "and divide by the number of leads won (new deals).",
    mistakes=(
        Mistake("rows counted",
                "You counted activity rows, not hours. Each row is a block of work with a "
                "start and an end: add up the durations, in hours.",
                value=lambda d: float((d.activities["task"] == "demo").sum()) / _won(d)),
        Mistake("minutes instead of hours",
                "Your answer is 60 times too large: it is in minutes. Divide the seconds by "
                "3600 to get hours.",
                value=lambda d: 60 * _demo_hours_per_deal(d)),
        Mistake("every pipeline task",
                "You added up the hours of every pipeline step. The task asks for the demos "
                "only: keep the rows whose task is 'demo'.",
                value=lambda d: _pipeline_hours(d) / _won(d)),
        Mistake("repeat deals counted",
                "You divided by every deal, repeat orders included. Demos win new customers: "
                "divide by the new deals (the leads won).",
                value=lambda d: _demo_hours(d) / len(d.deals)),
        Mistake("per demo",
                "You divided by the number of leads that had a demo: that is the hours per "
                "demo. The task asks for the hours per deal won.",
                value=lambda d: _demo_hours(d) / d.activities.loc[
                    d.activities["task"] == "demo", "ref_id"].nunique()),
    ),
    data=practice_run,
    tolerance=_HOURS_TOL,
)

TASKS: tuple[Task, ...] = (FIRST_RESPONSE, WEEKEND, CALL_FIRST, ORDER, DISCOVERY, DEMO_COST)
