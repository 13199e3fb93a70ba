"""The exercise tasks of lesson 09, teamwork and communication (R2.3.2): what only this lesson
knows.

Hand-computed answers and mistakes, and task-specific behaviour. The checks every task shares
(leaks, types, tolerance, mistakes with a value, notebooks) are in test_exercise_tasks.py.
"""

from __future__ import annotations

import datetime as dt

import pytest

from salessim import simulate
from salessim.calendar import WorkCalendar
from salessim.exercises import Task, get_task, tasks
from salessim.exercises.tasks_09 import SCHEDULES, practice_skill_curve, teamwork_practice
from salessim.widgets.lesson09 import lesson_scenario

LESSON_09 = tasks("09")


def _expected(task: Task):
    return task.kind.target(task.evaluate(task.expected))


# ---------------------------------------------------------------- expected answers
def test_lesson_09_has_five_tasks():
    assert [t.id for t in LESSON_09] == [f"09.{k}" for k in range(1, 6)]
    assert [type(t.kind).__name__ for t in LESSON_09] == [
        "Number", "Choice", "Number", "Choice", "Choice"]


def _working_days(months: int) -> int:
    return WorkCalendar(dt.date(2026, 1, 1), months, "china").horizon


def test_meeting_hours_by_hand():
    # The practice year meets every 5 working days for 1 hour, from working day 5; 2026Q1
    # has 59 working days, so meetings on days 5, 10, ..., 55: 11 meetings, each with 3 reps
    # -> 33 rep hours
    s = teamwork_practice().scenario
    assert (s.teamwork.meeting_interval_days, s.teamwork.meeting_hours) == (5, 1)
    assert _working_days(3) == 59
    assert _expected(get_task("09.1")) == pytest.approx(11 * 3 * 1.0)


def test_schedules_plan_the_same_hours_and_the_weekly_one_teaches_most():
    # 248 working days: 1, 2 and 4 meetings a month are every 20.67, 10.33 and 5.17 working
    # days; the last one of each would fall on day 248, after the year's end, so the reps
    # attend 11, 23 and 47 meetings, and skill grows by 1.002 per meeting
    assert _working_days(12) == 248
    skill = get_task("09.2").load_data()
    assert skill["A"] == pytest.approx(1.002 ** 11, rel=1e-12)
    assert skill["C"] == pytest.approx(1.002 ** 23, rel=1e-12)
    assert skill["B"] == pytest.approx(1.002 ** 47, rel=1e-12)
    assert _expected(get_task("09.2")) == "B"
    planned = {name: f * h * 12 for name, (f, h) in SCHEDULES.items()}
    assert planned == {"A": 48, "B": 48, "C": 48}  # hours a rep, as the task says


def test_skill_curve_growth_by_hand():
    # 120 working days to the end of June: meetings on days 5, ..., 115, 23 of them; 49 in
    # the year (days 5 to 245). June -> December: 1.002 ** 26 - 1, in percent
    curve = practice_skill_curve()
    assert _working_days(6) == 120
    assert curve["2026-06"] == pytest.approx(1.002 ** 23, rel=1e-12)
    assert curve["2026-12"] == pytest.approx(1.002 ** 49, rel=1e-12)
    assert _expected(get_task("09.3")) == pytest.approx(100 * (1.002 ** 26 - 1))


def test_skill_curve_agrees_with_the_models_reps():
    # the practice year's reps against the same year without meetings: skill ratio
    with_meetings = teamwork_practice()
    without = simulate(lesson_scenario(0), with_meetings.seed, trace=False)
    ratio = [a.skill / b.skill for a, b in zip(with_meetings._model.reps, without._model.reps,
                                               strict=True)]
    assert practice_skill_curve()["2026-12"] == pytest.approx(sum(ratio) / len(ratio))
