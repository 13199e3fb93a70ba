"""The exercise tasks of lesson 03, follow-up and needs discovery (R2.1.2): what only this lesson
knows.

Hand-computed answers and mistakes, the orderings that show each known mistake, and task-
specific behaviour. The checks every task shares (leaks, types, tolerance, mistakes with a
value, notebooks) are in test_exercise_tasks.py.
"""

from __future__ import annotations

import math

import pytest
from test_exercise_tasks import assert_targeted_hint

from salessim.exercises import Task, check, get_task, tasks
from salessim.exercises.tasks_03 import STEP_LABELS, waiting_leads, working_wait
from salessim.widgets.lesson03 import FOLLOW_UP_STEPS

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
# One ordering per pattern mistake of 03.4, each showing that mistake first.
ORDERINGS = {
    "call not first": ["F", "D", "B", "E", "A", "C"],
    "proposal before the questions": ["D", "E", "F", "B", "A", "C"],
    "demo before the questions": ["D", "A", "F", "B", "E", "C"],
    "notes after the proposal": ["D", "F", "E", "B", "A", "C"],
    "quote before the demo": ["D", "F", "B", "E", "C", "A"],
}


def test_every_ordering_mistake_gets_its_targeted_hint():
    task = get_task("03.4")
    assert set(ORDERINGS) == {m.name for m in task.mistakes if m.when is not None}
    for name, order in ORDERINGS.items():
        assert_targeted_hint(task, name, order)


def test_an_ordering_wrong_after_the_start_says_how_far_it_is_right():
    fb = check("03.4", ["D", "F", "B", "E", "A", "C"][:4] + ["C", "A"])
    assert fb.mistake == "quote before the demo"
    # an order that matches no known pattern gets the general diagnosis
    fb = check("03.4", ["D", "B", "F", "E", "A", "C"])
    assert fb.mistake is None and fb.message.startswith("Your first 1 step is right")
