"""Exercise tasks of lesson 09: teamwork and communication (R2.3.2).

The tasks work on one practice year of the lesson's team (:func:`teamwork_practice`: three
reps, twelve months, a one-hour team meeting every five working days): the rep hours a
quarter's meetings took, read from the activities table (R2.3.2.1); which of three schedules
of the same hours raises skill most, checked by simulating them (R2.3.2.1, R2.3.2.3);
reading the team's skill curve (R2.3.2.3); a lead-quality problem with marketing (R2.3.2.2);
and what belongs on the knowledge-sharing platform (R2.3.2.3). Expected answers come from
the simulation, :func:`salessim.widgets.lesson09.skill_curve` and the activities table; the
known mistakes are computed here the way a learner would make them.
"""

from __future__ import annotations

import pandas as pd

from ..model import Simulation, simulate
from ..widgets.lesson09 import compute_teamwork, lesson_scenario, skill_curve
from .core import Mistake, Task
from .kinds import Choice, Number, option

__all__ = ["PRACTICE_SEED", "QUARTER", "SCHEDULES", "TASKS", "practice_skill_curve",
           "schedule_skill", "teamwork_practice"]

#: The practice year: the lesson's team with the default meetings and this seed.
PRACTICE_SEED = 6
#: The quarter of task 09.1.
QUARTER = "2026Q1"
#: Task 09.2: three schedules of about the same hours (meetings a month, hours each).
SCHEDULES = {"A": (1, 4.0), "B": (4, 1.0), "C": (2, 2.0)}

_HOURS_TOL = 0.01
_PCT_TOL = 0.05
_SAME_SKILL = 0.005  # schedules this close raise skill "the same"


def teamwork_practice() -> Simulation:
    """The practice year of lesson 09's exercises (seed 6, a 1-hour meeting every 5 days)."""
    return simulate(lesson_scenario(), PRACTICE_SEED, trace=False)


def practice_skill_curve() -> pd.Series:
    """The practice year's skill index at each month's end (task 09.3)."""
    run = teamwork_practice()
    tw = run.scenario.teamwork
    return skill_curve(run.ledger, tw.meeting_hours, tw.skill_gain)


# ------------------------------------------------------------------ 09.1 meeting hours
def _meeting_hours(run: Simulation, quarter: str | None = QUARTER) -> float:
    act = run.ledger.activities
    rows = act[act["task"] == "meeting"]
    if quarter is not None:
        rows = rows[rows["started_at"].dt.to_period("Q") == quarter]
    return float((rows["ended_at"] - rows["started_at"]).dt.total_seconds().sum() / 3600)


MEETING_HOURS = Task(
    id="09.1",
    title="Rep hours spent in team meetings (定期会议)",
    clauses=("R2.3.2.1",),
    kind=Number(unit="hours"),
    expected=_meeting_hours,
    why="A meeting's cost is the time of everyone in it: that is the number to weigh against "
        "what the team learns there.",
    hint="Keep the activities with task 'meeting' that started from 1 January to 31 March "
         "2026, and add up ended_at - started_at over all of them, in hours.",
    mistakes=(
        Mistake("once for the team",
                "You counted each meeting once for the whole team. Every rep sat in every "
                "meeting, and each rep's hour is an hour of work: add up the time of every "
                "row, one row per rep and meeting.",
                value=lambda run: _meeting_hours(run) / len(run.ledger.reps)),
        Mistake("minutes",
                "Your answer is sixty times too large: it looks like minutes. Divide the "
                "seconds by 3600 to get hours.",
                value=lambda run: 60 * _meeting_hours(run)),
        Mistake("working days",
                "Your answer looks like working days of 8 hours. The task asks for hours.",
                value=lambda run: _meeting_hours(run) / run.scenario.team.hours_per_day),
        Mistake("the whole year",
                "Your total covers the meetings of the whole year. Keep only those that "
                "started in 2026Q1 (1 January to 31 March).",
                value=lambda run: _meeting_hours(run, None)),
    ),
    data=teamwork_practice,
    tolerance=_HOURS_TOL,
)


# ------------------------------------------------------------------ 09.2 schedules
def schedule_skill() -> dict[str, float]:
    """Task 09.2's simulation: each schedule's year-end skill index in the practice year."""
    return {name: compute_teamwork(f, h, PRACTICE_SEED).skill_index
            for name, (f, h) in SCHEDULES.items()}


def _most_skill(skill: dict[str, float]) -> str:
    best = max(skill, key=skill.get)
    others = [v for k, v in skill.items() if k != best]
    return "D" if skill[best] - max(others) < _SAME_SKILL else best


SCHEDULE = Task(
    id="09.2",
    title="Which meeting schedule raises team skill most (知识共享), checked by simulating",
    clauses=("R2.3.2.1", "R2.3.2.3"),
    kind=Choice(),
    expected=_most_skill,
    why="In the model every meeting adds the same share of skill whatever its length, and "
        "in a real team too what is shared is used and built on between meetings: for the "
        "same hours, regular short meetings teach more than rare long ones.",
    hint="Run lesson09.compute_teamwork(meetings_per_month, meeting_hours, seed=PRACTICE_SEED) "
         "for each schedule of SCHEDULES and compare the skill_index of the three results.",
    mistakes=(
        option("A", "Compare the skill_index of your three runs again. A four-hour workshop "
                    "takes the same hours as four one-hour meetings but happens once a "
                    "month: it teaches once, where the weekly meeting teaches four times."),
        option("C", "Compare the skill_index of your three runs again. The fortnightly "
                    "meeting teaches twice a month; another schedule teaches more often for "
                    "the same hours."),
        option("D", "The same hours do not give the same skill: look at the three runs' "
                    "skill_index. What raises skill is each meeting, not each hour in it."),
    ),
    data=schedule_skill,
)


# ------------------------------------------------------------------ 09.3 skill curve
def _growth(curve: pd.Series, scale: float = 100.0) -> float:
    return scale * float(curve["2026-12"] / curve["2026-06"] - 1)


SKILL_CURVE = Task(
    id="09.3",
    title="Reading the team's skill curve (能力曲线)",
    clauses=("R2.3.2.3", "R2.3.2.1"),
    kind=Number(unit="%"),
    expected=_growth,
    why="Growth between two points of a curve is a ratio of the two readings: that is how "
        "skill, revenue or any index is compared across periods.",
    hint="Divide the index at the end of December by the index at the end of June, subtract "
         "1 and multiply by 100.",
    mistakes=(
        Mistake("difference of the readings",
                "You subtracted the June reading from the December one. Growth in percent is "
                "relative to where the team stood in June: divide the December reading by "
                "the June reading, then subtract 1.",
                value=lambda curve: 100 * float(curve["2026-12"] - curve["2026-06"])),
        Mistake("since the start",
                "That is the growth over the whole year, from the start (1.0). The task asks "
                "for the second half: from the end of June to the end of December.",
                value=lambda curve: 100 * float(curve["2026-12"] - 1)),
        Mistake("fraction instead of percent",
                "Your answer is 100 times too small: it looks like a fraction. Give the "
                "growth in percent (4.2 for 4.2%).",
                value=lambda curve: _growth(curve, 1.0), tolerance=_PCT_TOL / 100),
    ),
    data=practice_skill_curve,
    tolerance=_PCT_TOL,
)


# ------------------------------------------------------------------ 09.4-09.5 cases
MARKETING = Task(
    id="09.4",
    title="Lead quality: working with marketing (跨部门沟通)",
    clauses=("R2.3.2.2",),
    kind=Choice(),
    expected=lambda d: "B",
    why="Marketing can only improve the leads if sales shows which leads turn into customers "
        "and agrees with it what a good lead is; facts and a shared definition fix the "
        "channel, complaints do not.",
    hint="Think about what marketing needs to know to send better leads, and how both sides "
         "would see that it worked.",
    mistakes=(
        option("A", "Skipping the leads quietly wastes what marketing spent on them and "
                    "teaches marketing nothing: next quarter's campaign will bring the same "
                    "leads. Tell them, with numbers."),
        option("C", "Going over marketing's head before talking to them turns a problem two "
                    "departments can solve into a conflict. Bring them the numbers first and "
                    "agree what a good lead is."),
        option("D", "Lowering the threshold lets leads that do not fit the product into the "
                    "pipeline: reps spend their time on customers who will not buy. The "
                    "screening criteria are agreed, not bent to fit one campaign."),
    ),
)

KNOWLEDGE = Task(
    id="09.5",
    title="An entry for the knowledge-sharing platform (知识共享平台)",
    clauses=("R2.3.2.3", "R2.3.1.2"),
    kind=Choice(),
    expected=lambda d: "B",
    why="A case others can reuse tells the situation, what worked and what did not, keeps the "
        "customer's personal information out, and has an owner and a date so it can be "
        "kept up to date.",
    hint="Think about what a colleague who has never met this customer needs in order to use "
         "your experience, and what must not leave the CRM.",
    mistakes=(
        option("A", "The thread holds the buyer's personal information and a price the "
                    "customer was given in confidence: it must not be shared (R2.3.1.2). A "
                    "colleague needs the situation and what worked, not the contact's phone "
                    "number."),
        option("C", "What is said in a meeting is forgotten, and never reaches those who "
                    "were not there or join later. Tell it at the meeting and write it "
                    "down on the platform."),
        option("D", "A document without the situation behind it does not tell a colleague "
                    "when it applies or why it worked. Describe the case: need, objections, "
                    "answers, outcome."),
    ),
)

TASKS: tuple[Task, ...] = (MEETING_HOURS, SCHEDULE, SKILL_CURVE, MARKETING, KNOWLEDGE)
