"""The exercise tasks of lesson 07, pay and careers (R2.2.2): answers, hints, leaks, plans."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pandas as pd
import pytest
from test_exercises import _execute, leaks

from salessim.exercises import Choice, Number, Task, check, get_task, tasks
from salessim.exercises.tasks_07 import (
    BONUS_QUARTER,
    PROMOTION_REVENUE,
    PlanDesign,
    promotion_history,
)
from salessim.incentives import (
    Bonus,
    Clawback,
    Commission,
    Gate,
    Plan,
    Scorecard,
    Uplift,
    builtin_plan,
)

ROOT = Path(__file__).resolve().parents[1]
LESSON_07 = tasks("07")


def _expected(task: Task):
    return task.kind.target(task.evaluate(task.expected))


def _q(*components, **fields) -> Plan:
    return Plan(name=fields.pop("name", "mine"), components=list(components), **fields)


# ---------------------------------------------------------------- plans that fail in one way
# One plan per known mistake of 07.6 (each showing that mistake first), and correct designs.
DESIGN_CASES = {
    "not quarterly": _q(Commission(period="M", rate=0.08, threshold=0.8)),
    "rate as a percentage": _q(Commission(period="Q", rate=8, threshold=0.8)),
    "threshold as a percentage": _q(Commission(period="Q", rate=0.08, threshold=80)),
    # a score threshold: with the other indicators on target, revenue at 79% scores
    # 0.4 x 0.79 + 0.6 = 0.916, above 0.8, so it pays
    "scorecard threshold": _q(Scorecard(period="Q", threshold=0.8)),
    "pays below 80%": _q(Commission(period="Q", rate=0.08)),
    "nothing from 80%": builtin_plan("quota_bonus"),
    "too much at target": _q(Commission(period="Q", rate=0.1, threshold=0.8)),
    "too little at target": _q(Commission(period="Q", rate=0.05, threshold=0.8)),
}

GOOD_DESIGNS = [
    _q(Commission(period="Q", rate=0.08, threshold=0.8)),
    # a scorecard gated on revenue: at 80% it scores 0.92 and pays; below, the gate shuts
    _q(Scorecard(period="Q"), Gate(period="Q", measures=["revenue"], min_attainment=0.8)),
    # 12,000 CNY at 80%, 24,000 at 100% (half the target incentive, then all of it)
    _q(Bonus(period="Q", levels=[[0.8, 0.5], [1.0, 1.0]])),
    # the same as a dict with a different target incentive rate made up by the bonus amount
    {"name": "dict", "target_pay": 0.1,
     "components": [{"kind": "bonus", "period": "Q", "levels": [[0.8, 0.4], [1.0, 0.8]]}]},
]


def _wrong_types(task: Task) -> list:
    if isinstance(task.kind, Choice):
        return [3, None, ["B"], True]
    if isinstance(task.kind, Number):
        return ["4960", None, [1.0, 2.0], pd.Series([1.0]), True, float("nan")]
    return ["regulation", 42, None, [Commission(period="Q", rate=0.08)]]


def _known_wrong_answers(task: Task) -> list:
    answers = [task.evaluate(m.value) for m in task.mistakes if m.value is not None]
    if task.id == "07.6":
        answers += list(DESIGN_CASES.values())
    return answers


# ---------------------------------------------------------------- expected answers
def test_lesson_07_has_seven_tasks():
    assert [t.id for t in LESSON_07] == [f"07.{k}" for k in range(1, 8)]
    assert [type(t.kind).__name__ for t in LESSON_07] == [
        "Number", "Number", "Number", "Number", "Number", "PlanDesign", "Choice"]
    clauses = {c for t in LESSON_07 for c in t.clauses}
    assert {"R2.2.2.1", "R2.2.2.2", "R2.2.2.3"} <= clauses


def test_expected_answers_match_hand_computation():
    value = {t.id: _expected(t) for t in LESSON_07}
    # 07.1: revenue 480,000 / 300,000 = 1.6, capped at 1.5; 40 / 50 = 0.8; 0.935 / 0.85 =
    # 1.1; 0.855 / 0.9 = 0.95. score = 0.4 x 1.5 + 0.2 x (0.8 + 1.1 + 0.95) = 1.17
    # -> 1.17 x 24,000 = 28,080; uplift 0.25 x (28,080 - 24,000) = 1,020 -> 29,100
    assert value["07.1"] == pytest.approx(29_100)
    # 07.2: 299,000 pays nothing under quota_bonus, 301,000 pays the whole lump sum
    assert value["07.2"] == pytest.approx(24_000)
    # 07.3: revenue 1.1, others on target except collection. At 0.90: score 0.44 + 0.6 =
    # 1.04 -> 24,960 + 0.25 x 960 = 25,200; at 0.87 the gate is shut -> 0
    assert value["07.3"] == pytest.approx(25_200)
    # 07.4: R02's April deal D12 92,000 x 8% = 7,360; C02 (won 2025-11-03, lost
    # 2026-04-30, 178 days) had D09 30,000 in January -> clawback 8% x 30,000 = 2,400
    assert value["07.4"] == pytest.approx(7_360 - 2_400)
    # 07.5: met (>= 300,000): T F F T T F T T F T T T; the last four first hold three
    # met quarters at quarter 7 (quarters 4-7: T T F T)
    assert value["07.5"] == 7
    assert value["07.6"] == frozenset()
    assert value["07.7"] == "B"


def test_known_mistakes_by_hand():
    v = {(t.id, m.name): t.evaluate(m.value) for t in LESSON_07 for m in t.mistakes
         if m.value is not None}
    # 07.1: whole uplift 1.25 x 28,080; no uplift 28,080; no cap: score 1.21 -> 29,040 +
    # 0.25 x 5,040; revenue only 1.5 -> 36,000 + 3,000; equal weights 4.35 / 4 = 1.0875
    # -> 26,100 + 0.25 x 2,100
    assert v["07.1", "uplift on the whole bonus"] == pytest.approx(35_100)
    assert v["07.1", "uplift forgotten"] == pytest.approx(28_080)
    assert v["07.1", "no cap"] == pytest.approx(30_300)
    assert v["07.1", "revenue only"] == pytest.approx(39_000)
    assert v["07.1", "equal weights"] == pytest.approx(26_625)
    # 07.2: 8% of the 2,000 deal; 8% of 301,000; against a 100,000 target both pay
    assert v["07.2", "commission on the deal"] == pytest.approx(160)
    assert v["07.2", "8% of the quarter"] == pytest.approx(24_080)
    assert v["07.2", "monthly target"] == 0
    # 07.3: no gate: 25,200 - (score 1.0333 -> 24,800 + 200) = 200; gate on the uplift
    # only: 25,200 - 24,800 = 400; without uplift: 24,960 - 0
    assert v["07.3", "gate forgotten"] == pytest.approx(200)
    assert v["07.3", "gate on the uplift only"] == pytest.approx(400)
    assert v["07.3", "uplift left out"] == pytest.approx(24_960)
    # 07.4: no clawback 7,360; the revenue itself: 7,360 - 30,000
    assert v["07.4", "clawback forgotten"] == pytest.approx(7_360)
    assert v["07.4", "the revenue taken back"] == pytest.approx(-22_640)
    # 07.5: three met in total by quarter 5 (1, 4, 5); index 6; three in a row first at
    # quarters 10-12; with > instead of >=, quarter 4 (exactly 300,000) is missed:
    # T F F F T F T T ... -> quarters 5-8 (T F T T) first hold three, at quarter 8
    assert v["07.5", "three in total"] == 5
    assert v["07.5", "counted from zero"] == 6
    assert v["07.5", "three in a row"] == 12
    assert v["07.5", "target exactly met not counted"] == 8


def test_the_data_the_notebook_shows():
    history = promotion_history()
    assert history["quarter"].tolist() == list(range(1, 13))
    assert history["period"].iloc[[0, -1]].tolist() == ["2024Q1", "2026Q4"]
    assert history["revenue"].tolist() == list(PROMOTION_REVENUE)
    assert (history["revenue_target"] == 300_000).all()
    assert (history["revenue"] == 300_000).sum() == 1  # the trap: exactly on target
    assert BONUS_QUARTER["revenue"] / 300_000 > 1.5  # the trap: the cap


# ---------------------------------------------------------------- hints
@pytest.mark.parametrize("task", LESSON_07, ids=lambda t: t.id)
def test_every_known_mistake_gets_its_targeted_hint(task):
    assert task.mistakes, "every task lists its known mistakes"
    for mistake in task.mistakes:
        if task.id == "07.6":
            answer = DESIGN_CASES[mistake.name]
        elif mistake.value is None:  # 07.1: attainments used as percentages
            answer = 100 * _expected(task)
        else:
            answer = task.evaluate(mistake.value)
        fb = check(task.id, answer)
        assert fb.status == "wrong" and fb.mistake == mistake.name, (mistake.name, str(fb))
        assert fb.message == mistake.hint


def test_percentages_in_the_bonus_are_recognised_by_size():
    # the score with percentages is 117 instead of 1.17: 117 x 24,000 = 2,808,000, and
    # with the uplift on the excess + 0.25 x 2,784,000 = 3,504,000
    assert check("07.1", 2_808_000).mistake == "attainment as a percentage"
    assert check("07.1", 3_504_000).mistake == "attainment as a percentage"
    assert check("07.1", 29_100 * 1.37 + 11).mistake is None


@pytest.mark.parametrize("task", [t for t in LESSON_07 if t.id != "07.6"], ids=lambda t: t.id)
def test_every_trap_gives_its_own_value(task):
    values = [_expected(task)]
    for mistake in task.mistakes:
        if mistake.value is None:
            continue
        value = task.kind.target(task.evaluate(mistake.value))
        tol = task.tolerance if mistake.tolerance is None else mistake.tolerance
        assert not any(task.kind.same(value, v, tol) for v in values), mistake.name
        values.append(value)


# ---------------------------------------------------------------- the plan design (07.6)
@pytest.mark.parametrize("plan", GOOD_DESIGNS, ids=range(len(GOOD_DESIGNS)))
def test_plans_that_meet_every_constraint_pass(plan):
    fb = check("07.6", plan)
    assert fb.passed, str(fb)


def test_design_is_checked_on_hidden_quarters_with_the_packages_pay_rule():
    kind = get_task("07.6").kind
    assert isinstance(kind, PlanDesign) and kind.target_incentive == 24_000
    # a scorecard with a higher score threshold passes every quarter with the other
    # indicators on target (79%: 0.916 < 0.92; 80%: 0.92 pays), but not the hidden quarters
    # where they are strong: 55% revenue with 150% new customers, retention and collection
    # at 100% scores 0.22 + 0.3 + 0.235 + 0.222 = 0.977
    sly = _q(Scorecard(period="Q", threshold=0.92))
    assert kind.problems(sly) == {"scorecard pays below the floor"}
    assert check("07.6", sly).mistake == "scorecard threshold"
    # the whole-bonus uplift on a thresholded commission pays 1.25 x 24,000 just above
    # target but exactly 24,000 at target: it passes, the cliff is not a constraint here
    cliff = _q(Commission(period="Q", rate=0.08, threshold=0.8),
               Uplift(period="Q", applies_to=["commission"], basis="whole"))
    assert check("07.6", cliff).passed
    # several problems at once: the first known mistake in the task's order is named
    both = _q(Commission(period="Q", rate=0.1))
    assert kind.problems(both) == {"pays below the floor", "too much at target"}
    assert check("07.6", both).mistake == "pays below 80%"


def test_a_clawback_without_a_ledger_base_changes_nothing():
    # a clawback's base comes from a ledger; on the hidden quarters it is 0
    ok = _q(Commission(period="Q", rate=0.08, threshold=0.8),
            Clawback(period="Q", on="lost_customers", days=90, rate=0.08))
    assert check("07.6", ok).passed


def test_an_invalid_plan_is_explained_not_raised():
    fb = check("07.6", {"name": "bad", "components": [{"kind": "commission", "rate": -1}]})
    assert fb.status == "wrong type"
    assert fb.message.startswith("Your plan cannot be used: ")
    assert "components[0].rate: -1 is not allowed: must be >= 0" in fb.message


# ---------------------------------------------------------------- no leaks, types
@pytest.mark.parametrize("task", LESSON_07, ids=lambda t: t.id)
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


@pytest.mark.parametrize("task", LESSON_07, ids=lambda t: t.id)
def test_placeholder_and_wrong_types(task):
    assert "not attempted yet" in str(check(task.id, ...)).lower()
    for answer in _wrong_types(task):
        fb = check(task.id, answer)
        assert fb.status == "wrong type", answer
        assert fb.message.startswith(("Your ", "That is not")), fb.message


@pytest.mark.parametrize("task", [t for t in LESSON_07 if isinstance(t.kind, Number)],
                         ids=lambda t: t.id)
def test_general_hint_when_no_known_mistake_explains(task):
    fb = check(task.id, _expected(task) * 1.37 + 11)
    assert fb.mistake is None and fb.message == task.hint


@pytest.mark.parametrize("task", [t for t in LESSON_07 if t.tolerance], ids=lambda t: t.id)
def test_tolerance_is_applied_as_stated(task):
    expected = _expected(task)
    assert check(task.id, expected + 0.9 * task.tolerance).passed
    assert check(task.id, expected - 0.9 * task.tolerance).passed
    assert not check(task.id, expected + 1.5 * task.tolerance).passed
    assert f"within {task.tolerance:g}" in check(task.id, ...).message


def test_promotion_quarter_must_be_exact():
    assert check("07.5", 7).passed and check("07.5", 7.0).passed
    assert not check("07.5", 7.4).passed


def test_choice_outside_the_options_is_explained():
    fb = check("07.7", "E")
    assert fb.status == "wrong type" and "one of the letters A, B, C, D" in fb.message


# ---------------------------------------------------------------- the notebooks
def test_titles_cite_known_clauses_and_appear_in_the_notebooks():
    from salessim.regulation import CLAUSES

    known = {c.id for c in CLAUSES}
    master = nbformat.read(ROOT / "answers" / "07_pay.ipynb", as_version=4)
    headings = [c.source.splitlines()[0] for c in master.cells if c.cell_type == "markdown"]
    code = "\n".join(c.source for c in master.cells if c.cell_type == "code")
    for task in LESSON_07:
        assert set(task.clauses) <= known
        assert f"## {task.heading}" in headings
        assert f'ex.check("{task.id}", ' in code


def test_answers_are_stored_executed_and_correct():
    master = nbformat.read(ROOT / "answers" / "07_pay.ipynb", as_version=4)
    assert master.metadata.kernelspec.name == "python3"
    code = [c for c in master.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code)
    checks = [c for c in code if "ex.check(" in c.source]
    assert len(checks) == len(LESSON_07)
    for cell in checks:
        text = cell.outputs[-1]["data"]["text/plain"]
        assert text.splitlines()[1].startswith("Correct."), text
    assert "7 of 7 tasks correct." in code[-1].outputs[-1]["data"]["text/plain"]


def test_exercise_notebook_runs_and_every_check_is_not_attempted():
    nb = _execute(ROOT / "exercises" / "07_pay.ipynb")
    code = [c for c in nb.cells if c.cell_type == "code"]
    checks = [c for c in code if "ex.check(" in c.source]
    assert len(checks) == len(LESSON_07)
    for cell in checks:
        shown = cell.outputs[-1]["data"]
        assert "Not attempted yet." in shown["text/plain"]
        assert "#6e7781" in shown["text/html"]
    progress = code[-1].outputs[-1]["data"]["text/plain"]
    assert progress.count("not attempted") == len(LESSON_07)
    assert "0 of 7 tasks correct." in progress
