"""The exercise tasks of lesson 09, teamwork and communication (R2.3.2): answers, hints,
leaks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from test_exercises import _execute, leaks

from salessim import simulate
from salessim.calendar import WorkCalendar
from salessim.exercises import Choice, Task, check, get_task, tasks
from salessim.exercises.tasks_09 import SCHEDULES, practice_skill_curve, teamwork_practice
from salessim.widgets.lesson09 import lesson_scenario

ROOT = Path(__file__).resolve().parents[1]
LESSON_09 = tasks("09")


def _expected(task: Task):
    return task.kind.target(task.evaluate(task.expected))


def _wrong_types(task: Task) -> list:
    if isinstance(task.kind, Choice):
        return [3, None, ["B"], True]
    return ["33", None, [1.0, 2.0], pd.Series([1.0]), True, float("nan")]


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


# ---------------------------------------------------------------- hints
@pytest.mark.parametrize("task", LESSON_09, ids=lambda t: t.id)
def test_every_known_mistake_gets_its_targeted_hint(task):
    assert task.mistakes, "every task lists its known mistakes"
    for mistake in task.mistakes:
        fb = check(task.id, task.evaluate(mistake.value))
        assert fb.status == "wrong" and fb.mistake == mistake.name, (mistake.name, str(fb))
        assert fb.message == mistake.hint


@pytest.mark.parametrize("task", LESSON_09, ids=lambda t: t.id)
def test_every_trap_gives_its_own_value(task):
    values = [_expected(task)]
    for mistake in task.mistakes:
        value = task.kind.target(task.evaluate(mistake.value))
        tol = task.tolerance if mistake.tolerance is None else mistake.tolerance
        assert not any(task.kind.same(value, v, tol) for v in values), mistake.name
        values.append(value)


# ---------------------------------------------------------------- no leaks, types
@pytest.mark.parametrize("task", LESSON_09, ids=lambda t: t.id)
def test_no_feedback_reveals_the_answer(task):
    expected = _expected(task)
    answers = [..., task.evaluate(task.expected),
               *(task.evaluate(m.value) for m in task.mistakes), *_wrong_types(task)]
    for answer in answers:
        fb = check(task.id, answer)
        assert not leaks(str(fb), expected), (fb.status, str(fb))
        assert not leaks(fb._repr_html_(), expected)
    for text in (task.hint, task.why, *(m.hint for m in task.mistakes)):
        assert not leaks(text, expected), text


@pytest.mark.parametrize("task", LESSON_09, ids=lambda t: t.id)
def test_placeholder_and_wrong_types(task):
    assert "not attempted yet" in str(check(task.id, ...)).lower()
    for answer in _wrong_types(task):
        fb = check(task.id, answer)
        assert fb.status == "wrong type", answer
        assert fb.message.startswith(("Your ", "That is not")), fb.message


@pytest.mark.parametrize("task_id", ["09.1", "09.3"])
def test_general_hint_for_a_number_no_known_mistake_explains(task_id):
    task = get_task(task_id)
    fb = check(task_id, _expected(task) * 1.37 + 0.7)
    assert fb.mistake is None and fb.message == task.hint


@pytest.mark.parametrize("task", [t for t in LESSON_09 if t.tolerance], ids=lambda t: t.id)
def test_tolerance_is_applied_as_stated(task):
    expected = _expected(task)
    assert check(task.id, expected + 0.9 * task.tolerance).passed
    assert check(task.id, expected - 0.9 * task.tolerance).passed
    assert not check(task.id, expected + 1.5 * task.tolerance).passed
    assert f"within {task.tolerance:g}" in check(task.id, ...).message


# ---------------------------------------------------------------- the notebooks
def test_titles_cite_known_clauses_and_appear_in_the_notebooks():
    from salessim.regulation import CLAUSES

    known = {c.id for c in CLAUSES}
    master = nbformat.read(ROOT / "answers" / "09_teamwork.ipynb", as_version=4)
    headings = [c.source.splitlines()[0] for c in master.cells if c.cell_type == "markdown"]
    code = "\n".join(c.source for c in master.cells if c.cell_type == "code")
    for task in LESSON_09:
        assert set(task.clauses) <= known
        assert f"## {task.heading}" in headings
        assert f'ex.check("{task.id}", ' in code


def test_answers_are_stored_executed_and_correct():
    master = nbformat.read(ROOT / "answers" / "09_teamwork.ipynb", as_version=4)
    assert master.metadata.kernelspec.name == "python3"
    code = [c for c in master.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code)
    checks = [c for c in code if "ex.check(" in c.source]
    assert len(checks) == len(LESSON_09)
    for cell in checks:
        text = cell.outputs[-1]["data"]["text/plain"]
        assert text.splitlines()[1].startswith("Correct."), text
    assert "5 of 5 tasks correct." in code[-1].outputs[-1]["data"]["text/plain"]


def test_exercise_notebook_runs_and_every_check_is_not_attempted():
    nb = _execute(ROOT / "exercises" / "09_teamwork.ipynb")
    code = [c for c in nb.cells if c.cell_type == "code"]
    checks = [c for c in code if "ex.check(" in c.source]
    assert len(checks) == len(LESSON_09)
    for cell in checks:
        shown = cell.outputs[-1]["data"]
        assert "Not attempted yet." in shown["text/plain"]
        assert "#6e7781" in shown["text/html"]
    progress = code[-1].outputs[-1]["data"]["text/plain"]
    assert progress.count("not attempted") == len(LESSON_09)
    assert "0 of 5 tasks correct." in progress
