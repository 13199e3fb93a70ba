"""The exercise tasks of lesson 05, order execution and after-sales (R2.1.4, R2.2.1.2): what only
this lesson knows.

Hand-computed answers and mistakes, the capacities that show each known mistake, and task-
specific behaviour. The checks every task shares (leaks, types, tolerance, mistakes with a
value, notebooks) are in test_exercise_tasks.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_exercise_tasks import assert_targeted_hint

from salessim import kpi, simulate
from salessim.exercises import Task, check, get_task, tasks
from salessim.exercises.tasks_05 import (
    CAPACITY_STEP,
    DELAY_LIMIT,
    POLICIES,
    PRACTICE_CAPACITY,
    PRACTICE_SEED,
    after_sales_practice,
)
from salessim.widgets.lesson05 import lesson_scenario

LESSON_05 = tasks("05")


def _expected(task: Task):
    return task.kind.target(task.evaluate(task.expected))


@pytest.fixture(scope="module")
def traced():
    """The practice year again, with the full event trace."""
    return simulate(lesson_scenario(capacity_per_day=PRACTICE_CAPACITY), PRACTICE_SEED)


# ---------------------------------------------------------------- expected answers
def test_lesson_05_has_six_tasks_of_two_kinds():
    assert [t.id for t in LESSON_05] == [f"05.{k}" for k in range(1, 7)]
    assert [type(t.kind).__name__ for t in LESSON_05] == [
        "Number", "Choice", "Number", "Choice", "Number", "Number"]


def test_the_practice_year_is_the_lesson_team_with_a_smaller_delivery_team():
    run = after_sales_practice()
    assert run.seed == 7 and run.scenario.fulfilment.capacity_per_day == 3.5
    assert run.scenario.team.reps == 3 and run.scenario.calendar.months == 12


def test_mean_delay_agrees_with_the_delivery_queue_worked_by_hand(traced):
    # The delivery team starts one order every 1 / capacity working days, first come first
    # served (R2.1.4.1), so each order's wait follows from the signing times alone; the
    # trace's order_queued events carry those times and the model's waits.
    queued = traced.trace[lambda d: d["event"] == "order_queued"].sort_values("time")
    gap, free, waits = 1.0 / PRACTICE_CAPACITY, 0.0, []
    for t in queued["time"]:
        start = max(t, free)
        waits.append(start - t)
        free = start + gap
    assert queued["value"].to_numpy() == pytest.approx(waits, abs=1e-9)
    assert max(waits) > 1.0  # the small delivery team does make orders wait
    # orders signed 1 April to 30 June
    quarter = queued["date"].between("2026-04-01", "2026-06-30").to_numpy()
    assert _expected(get_task("05.1")) == pytest.approx(float(np.mean(np.array(waits)[quarter])))
    assert 0 < _expected(get_task("05.1")) < DELAY_LIMIT * 5


def test_retention_agrees_with_the_kpi_and_a_count_by_hand():
    ledger = after_sales_practice().ledger
    rates = kpi.retention_rate(ledger, "Q", by="company").set_index("period")
    expected = _expected(get_task("05.3"))
    assert expected == rates.loc["2026Q2", "retention_rate"]
    # by hand: customers won before 1 April still there on 31 March, kept to 30 June
    c = ledger.customers
    opening = [r for r in c.itertuples() if r.acquired_on < pd.Timestamp("2026-04-01")
               and not r.churned_on < pd.Timestamp("2026-04-01")]
    kept = [r for r in opening if not r.churned_on <= pd.Timestamp("2026-06-30")]
    assert expected == pytest.approx(len(kept) / len(opening))


def test_the_traps_of_retention_are_in_the_data():
    # (E - N) / S differs from the rate only when customers were won and lost inside the
    # quarter, and "lost after the quarter" only when opening customers left later
    c = after_sales_practice().ledger.customers
    won_q2 = c["acquired_on"].between("2026-04-01", "2026-06-30")
    assert (won_q2 & (c["churned_on"] <= "2026-06-30")).sum() > 0
    assert (c["churned_on"] > "2026-06-30").sum() > 0


def test_policy_a_keeps_more_customers_than_policy_b():
    task = get_task("05.4")
    means = task.load_data()
    assert set(means) == set(POLICIES) == {"A", "B"}
    # the hints are written for this outcome: A ahead by more than the "same" margin
    assert _expected(task) == "A" and means["A"] - means["B"] > 0.005
    assert all(0.7 < m < 1 for m in means.values())


def test_referral_reward_agrees_with_the_trace(traced):
    # every referral lead is a "referred_lead" event of the trace; the reward is 200 CNY
    tr = traced.trace
    referred = tr.loc[tr["event"] == "referred_lead", "detail"]
    leads = traced.ledger.leads.set_index("lead_id")
    won = (leads.loc[referred, "outcome"] == "won").sum()
    assert traced.scenario.channels.referral.cost_per_lead == 200
    assert _expected(get_task("05.5")) == pytest.approx(200 * len(referred) / won)


def test_smallest_capacity_is_the_first_under_the_limit():
    plan = get_task("05.6").load_data()
    capacities = sorted(plan["delays"])
    delays = [plan["delays"][c] for c in capacities]
    # steps of 0.5 from 2; waits shrink as capacity grows; the search stops at the first
    # capacity whose mean delay is under one working day
    assert np.allclose(np.diff(capacities), CAPACITY_STEP) and capacities[0] == 2.0
    assert all(a > b for a, b in zip(delays, delays[1:], strict=False))
    assert delays[-1] < DELAY_LIMIT <= delays[-2]
    assert _expected(get_task("05.6")) == capacities[-1]
    # the practice year's capacity (3.5) is not enough: its delays are the lesson's point
    assert plan["delays"][PRACTICE_CAPACITY] > DELAY_LIMIT
    # 3.31 orders a working day, rounded up to the grid: 3.5, the trap of "capacity = demand"
    run = after_sales_practice()
    assert plan["orders_per_day"] == pytest.approx(len(run.orders) / len(run.daily))
    demand = get_task("05.6").mistakes[0]
    assert get_task("05.6").evaluate(demand.value) == 3.5


# ---------------------------------------------------------------- hints
def test_a_capacity_one_step_off_gets_its_targeted_hint():
    task = get_task("05.6")
    smallest = _expected(task)
    steps = {"not the smallest": smallest + CAPACITY_STEP, "too small": smallest - CAPACITY_STEP}
    assert set(steps) == {m.name for m in task.mistakes if m.when is not None}
    for name, capacity in steps.items():
        assert_targeted_hint(task, name, capacity)


def test_capacity_answers_off_the_grid_get_the_side_they_are_on():
    smallest = _expected(get_task("05.6"))
    assert check("05.6", smallest + 0.2).mistake == "not the smallest"
    assert check("05.6", smallest - 0.2).mistake == "too small"
    assert check("05.6", smallest).passed


def test_choices_outside_the_options_are_explained():
    assert "one of the letters A, B, C, D" in check("05.2", "E").message
    fb = check("05.4", "D")  # the policy question has three options
    assert fb.status == "wrong type" and "one of the letters A, B, C" in fb.message
