"""The exercise tasks of lesson 03, follow-up and needs discovery (R2.1.2): answers, hints."""

from __future__ import annotations

import math
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from test_exercises import _execute, leaks

from salessim.exercises import Choice, Number, Ordering, Task, check, get_task, tasks
from salessim.exercises.tasks_03 import STEP_LABELS, waiting_leads, working_wait
from salessim.widgets.lesson03 import FOLLOW_UP_STEPS

ROOT = Path(__file__).resolve().parents[1]
LESSON_03 = tasks("03")


def _expected(task: Task):
    return task.kind.target(task.evaluate(task.expected))


# ---------------------------------------------------------------- expected answers
def test_lesson_03_has_six_tasks_of_three_kinds():
    assert [t.id for t in LESSON_03] == [f"03.{k}" for k in range(1, 7)]
    assert [type(t.kind).__name__ for t in LESSON_03] == [
        "Number", "Number", "Choice", "Ordering", "Choice", "Number"]


def test_expected_answers_match_hand_computation():
    value = {t.id: _expected(t) for t in LESSON_03}
    # R02's 2026Q1 leads waited 4, 2, 3 and 4 calendar days -> median 3.5
    assert value["03.1"] == 3.5
    # Friday 10:00 -> Monday 10:00 is 7 + 1 = 8 working hours, one working day;
    # 0.6 x e^(-1/3)
    assert working_wait() == 1.0
    assert value["03.2"] == pytest.approx(0.6 * math.exp(-1 / 3))
    # cost of a day = list price x 0.6 x (e^(-w/3) - e^(-(w+1)/3)):
    # A 4,000 at 1/48 day: 676; B 13,000 at 4 days: 583; C 7,000 at 1/8 day: 1,142;
    # D 7,000 at 2 days: 611 -> C
    assert value["03.3"] == "C"
    assert value["03.4"] == ("D", "F", "B", "E", "A", "C")
    assert value["03.5"] == "B"


def test_the_demo_task_reads_its_practice_run():
    task = get_task("03.6")
    ledger = task.load_data()
    demos = ledger.activities[ledger.activities["task"] == "demo"]
    hours = (demos["ended_at"] - demos["started_at"]).dt.total_seconds().sum() / 3600
    won = (ledger.leads["outcome"] == "won").sum()
    assert won > 0 and hours > 0
    assert _expected(task) == pytest.approx(hours / won)
    # every won lead had a demo, so there are at least as many demos as deals won
    assert demos["ref_id"].nunique() >= won


def test_known_mistakes_by_hand():
    first = {m.name: get_task("03.1").evaluate(m.value) for m in get_task("03.1").mistakes}
    # 4, 2, 3, 4 -> mean 3.25; working days 2, 2, 3, 4 -> median 2.5, mean 2.75;
    # 3.5 days x 24 = 84 hours; R02's five leads of the half year 4, 2, 3, 4, 4 -> 4;
    # every rep's fifteen 2026Q1 leads -> median 1
    assert (first["mean instead of median"], first["working days"],
            first["mean of working days"], first["hours instead of days"],
            first["every quarter"], first["all reps"]) == (3.25, 2.5, 2.75, 84.0, 4.0, 1.0)
    weekend = {m.name: get_task("03.2").evaluate(m.value) for m in get_task("03.2").mistakes}
    # three calendar days: 0.6 / e; linear: 0.6 x (1 - 1/3) = 0.4; e^(-1/3) alone
    assert weekend["calendar days"] == pytest.approx(0.6 / math.e)
    assert weekend["linear decay"] == pytest.approx(0.4)
    assert weekend["no base conversion"] == pytest.approx(math.exp(-1 / 3))
    assert weekend["wait in hours"] == pytest.approx(0.6 * math.exp(-8 / 3))


def test_the_waiting_leads_use_the_scenario_prices():
    leads = waiting_leads()
    assert leads["list_price"].tolist() == [4000.0, 13000.0, 7000.0, 7000.0]
    assert leads["waited"].tolist() == pytest.approx([1 / 48, 4.0, 1 / 8, 2.0])


def test_step_labels_cover_the_lesson_steps():
    assert sorted(STEP_LABELS.values()) == sorted(text for _, text in FOLLOW_UP_STEPS)
    assert sorted(STEP_LABELS) == list("ABCDEF")


# ---------------------------------------------------------------- hints
def _mistake_answer(task: Task, name: str):
    """An answer showing mistake ``name``: its value, or an ordering with that pattern."""
    mistake = next(m for m in task.mistakes if m.name == name)
    if mistake.value is not None:
        return task.evaluate(mistake.value)
    return ORDERINGS[name]


# One ordering per pattern mistake of 03.4, each showing that mistake first.
ORDERINGS = {
    "call not first": ["F", "D", "B", "E", "A", "C"],
    "proposal before the questions": ["D", "E", "F", "B", "A", "C"],
    "demo before the questions": ["D", "A", "F", "B", "E", "C"],
    "notes after the proposal": ["D", "F", "E", "B", "A", "C"],
    "quote before the demo": ["D", "F", "B", "E", "C", "A"],
}


@pytest.mark.parametrize("task", LESSON_03, ids=lambda t: t.id)
def test_every_known_mistake_gets_its_targeted_hint(task):
    assert task.mistakes, "every task lists its known mistakes"
    for mistake in task.mistakes:
        fb = check(task.id, _mistake_answer(task, mistake.name))
        assert fb.status == "wrong" and fb.mistake == mistake.name, (mistake.name, str(fb))
        assert fb.message == mistake.hint


@pytest.mark.parametrize("task", LESSON_03, ids=lambda t: t.id)
def test_every_trap_gives_its_own_value(task):
    values = [_expected(task)]
    for mistake in task.mistakes:
        if mistake.value is None:
            continue
        value = task.kind.target(task.evaluate(mistake.value))
        tol = task.tolerance if mistake.tolerance is None else mistake.tolerance
        assert not any(task.kind.same(value, v, tol) for v in values), mistake.name
        values.append(value)


def test_an_ordering_wrong_after_the_start_says_how_far_it_is_right():
    fb = check("03.4", ["D", "F", "B", "E", "A", "C"][:4] + ["C", "A"])
    assert fb.mistake == "quote before the demo"
    # an order that matches no known pattern gets the general diagnosis
    fb = check("03.4", ["D", "B", "F", "E", "A", "C"])
    assert fb.mistake is None and fb.message.startswith("Your first 1 step is right")


# ---------------------------------------------------------------- no leaks, types
def _wrong_types(task: Task) -> list:
    if isinstance(task.kind, Choice):
        return [3, None, ["C"], True]
    if isinstance(task.kind, Ordering):
        return [None, "DFBEA", ["D", "F", "B", "E", "A", "C", "C"], ["D", "F", "B", "E", "A", "X"]]
    return ["3.5", None, [1.0, 2.0], pd.Series([1.0]), True, float("nan")]


def _known_wrong_answers(task: Task) -> list:
    return [_mistake_answer(task, m.name) for m in task.mistakes]


@pytest.mark.parametrize("task", LESSON_03, ids=lambda t: t.id)
def test_no_feedback_reveals_the_answer(task):
    expected = _expected(task)
    answers = [..., task.evaluate(task.expected), *_known_wrong_answers(task),
               *_wrong_types(task)]
    for answer in answers:
        fb = check(task.id, answer)
        assert not leaks(str(fb), expected), (fb.status, str(fb))
        assert not leaks(fb._repr_html_(), expected)
    for text in (task.hint, task.why, *(m.hint for m in task.mistakes)):
        assert not leaks(text, expected), text


@pytest.mark.parametrize("task", LESSON_03, ids=lambda t: t.id)
def test_placeholder_and_wrong_types(task):
    assert "not attempted yet" in str(check(task.id, ...)).lower()
    for answer in _wrong_types(task):
        fb = check(task.id, answer)
        assert fb.status == "wrong type", answer
        assert fb.message.startswith(("Your ", "That is not", "Each step", "Put every",
                                      "X is not")), fb.message


def test_general_hint_for_a_number_no_known_mistake_explains():
    for task in (t for t in LESSON_03 if isinstance(t.kind, Number)):
        fb = check(task.id, _expected(task) * 1.37 + 0.11)
        assert fb.mistake is None and fb.message == task.hint


@pytest.mark.parametrize("task", [t for t in LESSON_03 if t.tolerance], ids=lambda t: t.id)
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
    master = nbformat.read(ROOT / "answers" / "03_follow_up.ipynb", as_version=4)
    headings = [c.source.splitlines()[0] for c in master.cells if c.cell_type == "markdown"]
    code = "\n".join(c.source for c in master.cells if c.cell_type == "code")
    for task in LESSON_03:
        assert set(task.clauses) <= known
        assert f"## {task.heading}" in headings
        assert f'ex.check("{task.id}", ' in code


def test_answers_are_stored_executed_and_correct():
    master = nbformat.read(ROOT / "answers" / "03_follow_up.ipynb", as_version=4)
    assert master.metadata.kernelspec.name == "python3"
    code = [c for c in master.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code)
    checks = [c for c in code if "ex.check(" in c.source]
    assert len(checks) == len(LESSON_03)
    for cell in checks:
        text = cell.outputs[-1]["data"]["text/plain"]
        assert text.splitlines()[1].startswith("Correct."), text
    assert "6 of 6 tasks correct." in code[-1].outputs[-1]["data"]["text/plain"]


def test_exercise_notebook_runs_and_every_check_is_not_attempted():
    nb = _execute(ROOT / "exercises" / "03_follow_up.ipynb")
    code = [c for c in nb.cells if c.cell_type == "code"]
    checks = [c for c in code if "ex.check(" in c.source]
    assert len(checks) == len(LESSON_03)
    for cell in checks:
        shown = cell.outputs[-1]["data"]
        assert "Not attempted yet." in shown["text/plain"]
        assert "#6e7781" in shown["text/html"]
    progress = code[-1].outputs[-1]["data"]["text/plain"]
    assert progress.count("not attempted") == len(LESSON_03)
    assert "0 of 6 tasks correct." in progress
