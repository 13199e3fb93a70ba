"""The exercise tasks of lesson 11, rolling the regulation out (R3.1-R3.3): what only this
lesson knows.

Hand-computed answers and mistakes, the orders that show each known mistake of the rollout's
steps, and task-specific grading. The checks every task shares (leaks, types, tolerance,
mistakes with a value, notebooks) are in test_exercise_tasks.py.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from test_exercise_tasks import assert_hidden, assert_targeted_hint

from salessim.exercises import Task, check, get_task, tasks
from salessim.exercises.tasks_11 import (
    CANDIDATES,
    _slope,
    candidate_regions,
    chart_series,
    pilot_months,
)
from salessim.rollout import control_chart

LESSON_11 = tasks("11")
RIGHT_ORDER = ["F", "B", "D", "C", "A", "E"]


def _expected(task: Task):
    return task.kind.target(task.evaluate(task.expected))


def _value(task_id: str, name: str):
    task = get_task(task_id)
    mistake = next(m for m in task.mistakes if m.name == name)
    return task.kind.target(task.evaluate(mistake.value))


def test_lesson_11_has_six_tasks_covering_every_clause_of_r3():
    assert [t.id for t in LESSON_11] == [f"11.{k}" for k in range(1, 7)]
    assert [type(t.kind).__name__ for t in LESSON_11] == [
        "Number", "Choice", "IdSet", "Number", "Choice", "Ordering"]
    clauses = {c for t in LESSON_11 for c in t.clauses}
    assert clauses == {"R3.1.1", "R3.1.2", "R3.2.1", "R3.2.2", "R3.3.1", "R3.3.2"}


# ---------------------------------------------------------------- 11.1 DiD by hand
def test_did_and_its_traps_by_hand():
    # pilot before (0.74 + 0.76 + 0.73 + 0.77) / 4 = 0.75, after (0.79 + 0.78 + 0.80 + 0.77)
    # / 4 = 0.785: change +0.035. Control before (0.70 + 0.69 + 0.71 + 0.70) / 4 = 0.70,
    # after (0.66 + 0.65 + 0.66 + 0.65) / 4 = 0.655: change -0.045. DiD = 0.035 + 0.045
    panel = pilot_months()
    assert panel["after"].sum() == 8 and panel["month"].min() == "2026-02"
    assert _expected(get_task("11.1")) == pytest.approx(0.08)
    assert _value("11.1", "pilot before and after only") == pytest.approx(0.035)
    assert _value("11.1", "control change added") == pytest.approx(0.035 - 0.045)
    assert _value("11.1", "pilot against control after") == pytest.approx(0.785 - 0.655)
    assert _value("11.1", "the other way round") == pytest.approx(-0.08)
    assert _value("11.1", "percentage instead of fraction") == pytest.approx(8.0)


# ---------------------------------------------------------------- 11.2 the control region
def test_control_region_by_the_slope_of_the_gap():
    # months 0-5, x - 2.5 = -2.5 ... 2.5 (sum of squares 17.5); slope = sum((x - 2.5) gap) / 17.5
    # South: gap 0.06, 0.07, 0.06, 0.05, 0.06, 0.06 -> (-1.5 x 0.07 ... ) = -0.02 / 17.5
    # West:  gap -0.08, -0.06, -0.08, 0.05, 0.07, 0.05 -> 0.585 / 17.5 (a step in April)
    # North: gap 0, 0.01, -0.03, -0.03, -0.03, -0.08 -> -0.26 / 17.5
    # East:  gap -0.14, -0.10, -0.10, -0.07, -0.02, -0.04 -> 0.385 / 17.5
    assert _slope("B") == pytest.approx(-0.02 / 17.5)
    assert _slope("D") == pytest.approx(0.585 / 17.5)
    assert _slope("A") == pytest.approx(-0.26 / 17.5)
    assert _slope("C") == pytest.approx(0.385 / 17.5)
    assert _expected(get_task("11.2")) == "B"
    # the traps: West has the closest mean to the pilot region, North the closest start
    means = candidate_regions().mean()
    gaps = {CANDIDATES[k]: abs(means["pilot"] - means[CANDIDATES[k]]) for k in CANDIDATES}
    assert min(gaps, key=gaps.get) == "West"
    first = candidate_regions().iloc[0]
    assert first["North"] == first["pilot"]


# ---------------------------------------------------------------- 11.3 the chart's flags
def test_flagged_months_by_hand():
    # baseline (12 months): sum 9.96 -> centre 0.83; moving ranges sum 0.33 over 11 -> 0.03;
    # sigma 0.03 / 1.128 -> limits 0.7502 and 0.9098. From 2026-03: 0.74 in 2026-04 is
    # beyond; 2026-04 to 2026-12 are nine months below 0.83 -> the 8th and 9th (2026-11,
    # 2026-12) by the run rule. At 2 sigma (0.7768) 0.77 in 2026-06 is beyond as well.
    chart = control_chart(chart_series(), 12)
    assert chart["centre"].iloc[0] == pytest.approx(0.83)
    assert chart["lcl"].iloc[0] == pytest.approx(0.83 - 3 * 0.03 / 1.128)
    assert _expected(get_task("11.3")) == {"2026-04", "2026-11", "2026-12"}
    assert _value("11.3", "2-sigma limits") == {"2026-04", "2026-06", "2026-11", "2026-12"}
    assert _value("11.3", "run rule forgotten") == {"2026-04"}
    # all 22 months: centre 17.96 / 22 = 0.8164, mean moving range 0.69 / 21, lower limit
    # 0.7290: nothing beyond, and the months around the new centre break every run
    assert _value("11.3", "limits from every month") == frozenset()


def test_flags_can_be_given_as_the_charts_rows():
    chart = control_chart(chart_series(), 12)
    rows = chart[chart["flag"] & ~chart["baseline"]]  # indexed by "month"
    assert check("11.3", rows).passed
    assert check("11.3", set(rows.index)).passed and check("11.3", pd.Series(rows.index)).passed
    fb = check("11.3", ["2026-04"] + ["2026-11"])  # the run's second month is missing
    assert fb.status == "wrong" and fb.mistake is None
    assert fb.message.startswith("In your answer 1 that belong in the answer are missing.")
    assert_hidden(get_task("11.3"), [["2026-04", "2026-11"]])


# ---------------------------------------------------------------- 11.4 the p-chart's limit
def test_p_chart_limit_and_its_traps_by_hand():
    # p = 245 / 300 = 0.816667; July n = 40: sqrt(0.816667 x 0.183333 / 40) = 0.0611806,
    # so the lower limit is 0.816667 - 3 x 0.0611806 = 0.633125
    p = 245 / 300
    spread = p * (1 - p) / 40
    assert _expected(get_task("11.4")) == pytest.approx(p - 3 * math.sqrt(spread))
    assert _expected(get_task("11.4")) == pytest.approx(0.633125, abs=1e-6)
    assert _value("11.4", "2-sigma limit") == pytest.approx(p - 2 * math.sqrt(spread))
    assert _value("11.4", "square root forgotten") == pytest.approx(p - 3 * spread)
    assert _value("11.4", "baseline invoices as n") == pytest.approx(
        p - 3 * math.sqrt(p * (1 - p) / 300))
    # the plain mean of 21/30, 70/80, 30/40, 60/70, 40/50, 24/30 = 0.797024
    q = (0.7 + 0.875 + 0.75 + 60 / 70 + 0.8 + 0.8) / 6
    assert _value("11.4", "mean of the monthly rates") == pytest.approx(
        q - 3 * math.sqrt(q * (1 - q) / 40))


# ---------------------------------------------------------------- 11.5 and 11.6
def test_a_run_after_a_revision_is_read_as_the_change():
    assert _expected(get_task("11.5")) == "B"
    assert check("11.5", " b ").passed


# Orders that show one known mistake of 11.6 each (and no earlier one in the list).
ORDER_CASES = {
    "rollout before the pilot": ["F", "A", "B", "D", "C", "E"],
    "training after the rollout": ["F", "B", "D", "A", "C", "E"],
    "tools after the pilot": ["B", "F", "D", "C", "A", "E"],
    "training before the revision": ["F", "B", "C", "D", "A", "E"],
    "supervision before the rollout": ["F", "B", "D", "C", "E", "A"],
}


def test_the_rollout_order():
    assert list(_expected(get_task("11.6"))) == RIGHT_ORDER
    assert check("11.6", "FBDCAE").passed


@pytest.mark.parametrize("name", ORDER_CASES)
def test_every_wrong_order_gets_its_targeted_hint(name):
    assert_targeted_hint(get_task("11.6"), name, ORDER_CASES[name])


def test_an_order_no_known_mistake_explains_says_how_far_it_is_right():
    # the estimate before the pilot: no known mistake, the first step is right
    fb = check("11.6", ["F", "D", "B", "C", "A", "E"])
    assert fb.status == "wrong" and fb.mistake is None
    assert fb.message.startswith("Your first 1 step is right; look again after that.")
