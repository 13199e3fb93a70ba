"""The exercise tasks of lesson 05, order execution and after-sales (R2.1.4, R2.2.1.2):
answers, hints, leaks."""

from __future__ import annotations

from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
from test_exercises import _execute, leaks

from salessim import kpi, simulate
from salessim.exercises import Choice, Task, check, get_task, tasks
from salessim.exercises.tasks_05 import (
    CAPACITY_STEP,
    DELAY_LIMIT,
    POLICIES,
    PRACTICE_CAPACITY,
    PRACTICE_SEED,
    after_sales_practice,
)
from salessim.widgets.lesson05 import lesson_scenario

ROOT = Path(__file__).resolve().parents[1]
LESSON_05 = tasks("05")


def _expected(task: Task):
    return task.kind.target(task.evaluate(task.expected))


@pytest.fixture(scope="module")
def traced():
    """The practice year again, with the full event trace (an independent record)."""
    return simulate(lesson_scenario(capacity_per_day=PRACTICE_CAPACITY), PRACTICE_SEED)


def _known_wrong_answers(task: Task) -> list:
    data = task.load_data()
    answers = [task.evaluate(m.value) for m in task.mistakes if m.value is not None]
    if task.id == "05.6":
        smallest = _expected(task)
        answers += [smallest + CAPACITY_STEP, smallest - CAPACITY_STEP]
        assert data["delays"]
    return answers


def _wrong_types(task: Task) -> list:
    if isinstance(task.kind, Choice):
        return [3, None, ["A"], True]
    return ["0.5", None, [1.0, 2.0], pd.Series([1.0]), True, float("nan")]


# ---------------------------------------------------------------- expected answers
def test_lesson_05_has_six_tasks_of_two_kinds():
    assert [t.id for t in LESSON_05] == [f"05.{k}" for k in range(1, 7)]
    assert [type(t.kind).__name__ for t in LESSON_05] == [
        "Number", "Choice", "Number", "Choice", "Number", "Number"]


def test_the_practice_year_is_the_lesson_team_with_a_smaller_delivery_team():
    run = after_sales_practice()
    assert run.seed == 7 and run.scenario.fulfilment.capacity_per_day == 3.5
    assert run.scenario.team.reps == 3 and run.scenario.calendar.months == 12


def test_mean_delay_agrees_with_the_trace(traced):
    # the trace records each order's wait when it is queued: an independent record of the
    # same delays; orders signed 1 April to 30 June
    tr = traced.trace
    queued = tr[(tr["event"] == "order_queued") & tr["date"].between("2026-04-01", "2026-06-30")]
    assert _expected(get_task("05.1")) == pytest.approx(queued["value"].mean())
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
@pytest.mark.parametrize("task", LESSON_05, ids=lambda t: t.id)
def test_every_known_mistake_gets_its_targeted_hint(task):
    assert task.mistakes, "every task lists its known mistakes"
    smallest = _expected(task) if task.id == "05.6" else None
    for mistake in task.mistakes:
        if mistake.value is not None:
            answer = task.evaluate(mistake.value)
        else:  # 05.6: one step above or below the smallest capacity
            answer = smallest + (CAPACITY_STEP if mistake.name == "not the smallest"
                                 else -CAPACITY_STEP)
        fb = check(task.id, answer)
        assert fb.status == "wrong" and fb.mistake == mistake.name, (mistake.name, str(fb))
        assert fb.message == mistake.hint


def test_capacity_answers_off_the_grid_get_the_side_they_are_on():
    smallest = _expected(get_task("05.6"))
    assert check("05.6", smallest + 0.2).mistake == "not the smallest"
    assert check("05.6", smallest - 0.2).mistake == "too small"
    assert check("05.6", smallest).passed


@pytest.mark.parametrize("task", LESSON_05, ids=lambda t: t.id)
def test_every_trap_gives_its_own_value(task):
    values = [_expected(task)]
    for mistake in task.mistakes:
        if mistake.value is None:
            continue
        value = task.kind.target(task.evaluate(mistake.value))
        tol = task.tolerance if mistake.tolerance is None else mistake.tolerance
        assert not any(task.kind.same(value, v, tol) for v in values), mistake.name
        values.append(value)


# ---------------------------------------------------------------- no leaks, types
@pytest.mark.parametrize("task", LESSON_05, ids=lambda t: t.id)
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


@pytest.mark.parametrize("task", LESSON_05, ids=lambda t: t.id)
def test_placeholder_and_wrong_types(task):
    assert "not attempted yet" in str(check(task.id, ...)).lower()
    for answer in _wrong_types(task):
        fb = check(task.id, answer)
        assert fb.status == "wrong type", answer
        assert fb.message.startswith(("Your ", "That is not")), fb.message


@pytest.mark.parametrize("task_id", ["05.1", "05.3", "05.5"])
def test_general_hint_for_a_number_no_known_mistake_explains(task_id):
    task = get_task(task_id)
    fb = check(task_id, _expected(task) * 0.63 + 0.011)
    assert fb.mistake is None and fb.message == task.hint


def test_choices_outside_the_options_are_explained():
    assert "one of the letters A, B, C, D" in check("05.2", "E").message
    fb = check("05.4", "D")  # the policy question has three options
    assert fb.status == "wrong type" and "one of the letters A, B, C" in fb.message


@pytest.mark.parametrize("task", [t for t in LESSON_05 if t.tolerance], ids=lambda t: t.id)
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
    master = nbformat.read(ROOT / "answers" / "05_after_sales.ipynb", as_version=4)
    headings = [c.source.splitlines()[0] for c in master.cells if c.cell_type == "markdown"]
    code = "\n".join(c.source for c in master.cells if c.cell_type == "code")
    for task in LESSON_05:
        assert set(task.clauses) <= known
        assert f"## {task.heading}" in headings
        assert f'ex.check("{task.id}", ' in code


def test_answers_are_stored_executed_and_correct():
    master = nbformat.read(ROOT / "answers" / "05_after_sales.ipynb", as_version=4)
    assert master.metadata.kernelspec.name == "python3"
    code = [c for c in master.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code)
    checks = [c for c in code if "ex.check(" in c.source]
    assert len(checks) == len(LESSON_05)
    for cell in checks:
        text = cell.outputs[-1]["data"]["text/plain"]
        assert text.splitlines()[1].startswith("Correct."), text
    assert "6 of 6 tasks correct." in code[-1].outputs[-1]["data"]["text/plain"]


def test_exercise_notebook_runs_and_every_check_is_not_attempted():
    nb = _execute(ROOT / "exercises" / "05_after_sales.ipynb")
    code = [c for c in nb.cells if c.cell_type == "code"]
    checks = [c for c in code if "ex.check(" in c.source]
    assert len(checks) == len(LESSON_05)
    for cell in checks:
        shown = cell.outputs[-1]["data"]
        assert "Not attempted yet." in shown["text/plain"]
        assert "#6e7781" in shown["text/html"]
    progress = code[-1].outputs[-1]["data"]["text/plain"]
    assert progress.count("not attempted") == len(LESSON_05)
    assert "0 of 6 tasks correct." in progress
