"""The exercise tasks of lesson 01, the sales process end to end (R2.1): answers, hints, leaks."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from test_exercises import _execute, leaks

from salessim import kpi
from salessim.exercises import Choice, Number, Ordering, Task, check, get_task, tasks
from salessim.exercises.tasks_01 import STEP_LABELS, practice_run, reached, trace_lead

ROOT = Path(__file__).resolve().parents[1]
LESSON_01 = tasks("01")
RIGHT_ORDER = ["D", "F", "B", "C", "G", "A", "H", "E"]


@pytest.fixture(scope="module")
def run():
    return practice_run()


def _expected(task: Task):
    return task.kind.target(task.evaluate(task.expected))


# Orders that show one known mistake of 01.1 each (and no earlier one in the list).
ORDER_CASES = {
    "screening not first": ["F", "D", "B", "C", "G", "A", "H", "E"],
    "demo before the needs": ["D", "B", "F", "C", "G", "A", "H", "E"],
    "quote before the demo": ["D", "F", "C", "B", "G", "A", "H", "E"],
    "contract before agreement": ["D", "F", "B", "C", "A", "G", "H", "E"],
    "negotiation before the quote": ["D", "F", "B", "G", "C", "A", "H", "E"],
    "delivery before the contract": ["D", "F", "B", "C", "G", "H", "A", "E"],
    "after-sales before delivery": ["D", "F", "B", "C", "G", "A", "E", "H"],
}


def _known_wrong_answers(task: Task) -> list:
    answers = [task.evaluate(m.value) for m in task.mistakes if m.value is not None]
    return answers + (list(ORDER_CASES.values()) if task.id == "01.1" else [])


def _wrong_types(task: Task) -> list:
    if isinstance(task.kind, Ordering):
        return [3, None, ["D", "F"], ["D", "D", "B", "C", "G", "A", "H", "E"], "DFBCGAHZ"]
    if isinstance(task.kind, Choice):
        return [3, None, ["A"], True, "Z"]
    return ["0.5", None, [1.0, 2.0], pd.Series([1.0]), True, float("nan")]


# ---------------------------------------------------------------- expected answers
def test_lesson_01_has_six_tasks_of_four_kinds():
    assert [t.id for t in LESSON_01] == [f"01.{k}" for k in range(1, 7)]
    assert [type(t.kind).__name__ for t in LESSON_01] == [
        "Ordering", "Number", "Number", "Choice", "Choice", "Number"]


def test_the_process_order_is_the_regulations(run):
    # develop the lead (R2.1.1), follow up (R2.1.2), close (R2.1.3), execute and serve (R2.1.4)
    assert list(_expected(get_task("01.1"))) == RIGHT_ORDER
    assert set(STEP_LABELS) == set(RIGHT_ORDER)


def test_trace_answer_by_hand(run):
    lead = trace_lead(run)
    trace = run.follow(lead)
    arrived = trace["date"].iloc[0]
    first = trace.loc[trace["event"] == "first_contact", "date"].item()
    contract = trace.loc[trace["event"] == "contract", "date"].item()
    assert first > arrived  # the lead of the task waited for its first contact
    assert trace.loc[trace["event"] == "won"].shape[0] == 1
    assert _expected(get_task("01.2")) == (contract - first).days
    # working days between the two: the team's working dates after the first contact, up
    # to the contract; they must differ from the calendar days for the trap to exist
    dates = pd.to_datetime(run.calendar.dates)
    working = ((dates > first) & (dates <= contract)).sum()
    wrong = {m.name: get_task("01.2").evaluate(m.value) for m in get_task("01.2").mistakes}
    assert wrong["working days"] == working != (contract - first).days
    assert wrong["from arrival"] == (contract - arrived).days


def test_funnel_answers_by_hand(run):
    leads = run.ledger.leads
    order = {s: i for i, s in enumerate(kpi.STAGES)}
    pos = leads["stage"].map(order)
    demo, quote = (pos >= order["demo"]).sum(), (pos >= order["quote"]).sum()
    assert _expected(get_task("01.3")) == pytest.approx(quote / demo)
    assert reached(run)["demo"] == demo and reached(run)["new"] == len(leads)
    # 01.6: the won leads among all leads; every won lead reached the contract
    won = (leads["outcome"] == "won").sum()
    assert _expected(get_task("01.6")) == pytest.approx(won / len(leads))
    # 01.4: the largest number of leads lost between consecutive worked stages
    r = reached(run)
    steps = ["contacted", "discovery", "demo", "quote", "negotiation"]
    drops = {s: r[s] - r[kpi.STAGES[order[s] + 1]] for s in steps}
    letter = "ABCDE"[steps.index(max(drops, key=drops.get))]
    assert _expected(get_task("01.4")) == letter


def test_the_first_task_is_the_first_contact():
    assert _expected(get_task("01.5")) == "B"


# ---------------------------------------------------------------- hints
@pytest.mark.parametrize("task", LESSON_01, ids=lambda t: t.id)
def test_every_known_mistake_gets_its_targeted_hint(task):
    assert task.mistakes, "every task lists its known mistakes"
    for mistake in task.mistakes:
        answer = (ORDER_CASES[mistake.name] if mistake.value is None
                  else task.evaluate(mistake.value))
        fb = check(task.id, answer)
        assert fb.status == "wrong" and fb.mistake == mistake.name, (mistake.name, str(fb))
        assert fb.message == mistake.hint


@pytest.mark.parametrize("task", LESSON_01, ids=lambda t: t.id)
def test_every_trap_gives_its_own_value(task):
    values = [_expected(task)]
    for mistake in task.mistakes:
        if mistake.value is None:
            continue
        value = task.kind.target(task.evaluate(mistake.value))
        tol = task.tolerance if mistake.tolerance is None else mistake.tolerance
        assert not any(task.kind.same(value, v, tol) for v in values), mistake.name
        values.append(value)


def test_orders_are_read_flexibly_and_the_first_mistake_is_named():
    # every step placed after its predecessor is one of the known mistakes, so a wrong order
    # always gets a targeted hint; the first listed mistake it shows is the one named
    fb = check("01.1", RIGHT_ORDER[::-1])
    assert fb.status == "wrong" and fb.mistake == "screening not first"
    assert check("01.1", "D F B C G A H E").passed       # letters in a string also work
    assert check("01.1", [x.lower() for x in RIGHT_ORDER]).passed
    wrong = [p for p in itertools.permutations(RIGHT_ORDER) if list(p) != RIGHT_ORDER]
    for p in wrong[::997]:
        assert check("01.1", list(p)).mistake is not None, p


# ---------------------------------------------------------------- no leaks, types
@pytest.mark.parametrize("task", LESSON_01, ids=lambda t: t.id)
def test_no_feedback_reveals_the_answer(task):
    expected = _expected(task)
    answers = [..., task.evaluate(task.expected), *_known_wrong_answers(task),
               *_wrong_types(task)]
    if isinstance(task.kind, Number):
        answers.append(expected * 1.37 + 11)
    for answer in answers:
        fb = check(task.id, answer)
        assert not leaks(str(fb), expected), (fb.status, str(fb))
        assert not leaks(fb._repr_html_(), expected)
    for text in (task.hint, task.why, *(m.hint for m in task.mistakes)):
        assert not leaks(text, expected), text


@pytest.mark.parametrize("task", LESSON_01, ids=lambda t: t.id)
def test_placeholder_and_wrong_types(task):
    assert "not attempted yet" in str(check(task.id, ...)).lower()
    for answer in _wrong_types(task):
        fb = check(task.id, answer)
        assert fb.status == "wrong type", answer
        assert fb.message.startswith(("Your ", "That is not", "Each step", "Put every",
                                      "Z is not")), fb.message


def test_general_hint_for_a_number_no_known_mistake_explains():
    for task_id in ("01.2", "01.3", "01.6"):
        task = get_task(task_id)
        fb = check(task_id, _expected(task) * 1.37 + 11)
        assert fb.mistake is None and fb.message == task.hint


@pytest.mark.parametrize("task", [t for t in LESSON_01 if t.tolerance], ids=lambda t: t.id)
def test_tolerance_is_applied_as_stated(task):
    expected = _expected(task)
    assert check(task.id, expected + 0.9 * task.tolerance).passed
    assert check(task.id, expected - 0.9 * task.tolerance).passed
    assert not check(task.id, expected + 1.5 * task.tolerance).passed
    assert f"within {task.tolerance:g}" in check(task.id, ...).message


def test_a_whole_number_of_days_is_exact():
    expected = _expected(get_task("01.2"))
    assert check("01.2", int(expected)).passed
    assert not check("01.2", expected + 0.5).passed
    assert math.isclose(expected, round(expected))


# ---------------------------------------------------------------- the notebooks
def test_titles_cite_known_clauses_and_appear_in_the_notebooks():
    from salessim.regulation import CLAUSES

    known = {c.id for c in CLAUSES}
    master = nbformat.read(ROOT / "answers" / "01_sales_process.ipynb", as_version=4)
    headings = [c.source.splitlines()[0] for c in master.cells if c.cell_type == "markdown"]
    code = "\n".join(c.source for c in master.cells if c.cell_type == "code")
    for task in LESSON_01:
        assert set(task.clauses) <= known
        assert f"## {task.heading}" in headings
        assert f'ex.check("{task.id}", ' in code


def test_answers_are_stored_executed_and_correct():
    master = nbformat.read(ROOT / "answers" / "01_sales_process.ipynb", as_version=4)
    assert master.metadata.kernelspec.name == "python3"
    code = [c for c in master.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code)
    checks = [c for c in code if "ex.check(" in c.source]
    assert len(checks) == len(LESSON_01)
    for cell in checks:
        text = cell.outputs[-1]["data"]["text/plain"]
        assert text.splitlines()[1].startswith("Correct."), text
    assert "6 of 6 tasks correct." in code[-1].outputs[-1]["data"]["text/plain"]


def test_exercise_notebook_runs_and_every_check_is_not_attempted():
    nb = _execute(ROOT / "exercises" / "01_sales_process.ipynb")
    code = [c for c in nb.cells if c.cell_type == "code"]
    checks = [c for c in code if "ex.check(" in c.source]
    assert len(checks) == len(LESSON_01)
    for cell in checks:
        shown = cell.outputs[-1]["data"]
        assert "Not attempted yet." in shown["text/plain"]
        assert "#6e7781" in shown["text/html"]
    progress = code[-1].outputs[-1]["data"]["text/plain"]
    assert progress.count("not attempted") == len(LESSON_01)
    assert "0 of 6 tasks correct." in progress
