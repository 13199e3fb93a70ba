"""The exercise tasks of lesson 01, the sales process end to end (R2.1): what only this lesson
knows.

Hand-computed answers and mistakes, the orders that show each known mistake, and task-specific
behaviour. The checks every task shares (leaks, types, tolerance, mistakes with a value,
notebooks) are in test_exercise_tasks.py.
"""

from __future__ import annotations

import itertools
import math

import pandas as pd
import pytest
from test_exercise_tasks import assert_targeted_hint

from salessim import kpi
from salessim.exercises import Task, check, get_task, tasks
from salessim.exercises.tasks_01 import STEP_LABELS, practice_run, reached, trace_lead

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
def test_every_order_mistake_gets_its_targeted_hint():
    task = get_task("01.1")
    assert set(ORDER_CASES) == {m.name for m in task.mistakes if m.when is not None}
    for name, order in ORDER_CASES.items():
        assert_targeted_hint(task, name, order)


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


def test_a_whole_number_of_days_is_exact():
    expected = _expected(get_task("01.2"))
    assert check("01.2", int(expected)).passed
    assert not check("01.2", expected + 0.5).passed
    assert math.isclose(expected, round(expected))
