"""The exercise tasks of lesson 07, pay and careers (R2.2.2): what only this lesson knows.

Hand-computed answers and mistakes, the plans that show each known mistake, and task-specific
behaviour. The checks every task shares (leaks, types, tolerance, mistakes with a value,
notebooks) are in test_exercise_tasks.py.
"""

from __future__ import annotations

import pytest
from test_exercise_tasks import assert_targeted_hint

from salessim.exercises import Task, check, get_task, tasks
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
def test_every_pattern_mistake_gets_its_targeted_hint():
    # 07.1: the attainments used as percentages; 07.6: one plan per known mistake
    bonus, design = get_task("07.1"), get_task("07.6")
    assert [m.name for m in bonus.mistakes if m.when is not None] == [
        "attainment as a percentage"]
    assert_targeted_hint(bonus, "attainment as a percentage", 100 * _expected(bonus))
    assert set(DESIGN_CASES) == {m.name for m in design.mistakes}
    for name, plan in DESIGN_CASES.items():
        assert_targeted_hint(design, name, plan)


def test_percentages_in_the_bonus_are_recognised_by_size():
    # the score with percentages is 117 instead of 1.17: 117 x 24,000 = 2,808,000, and
    # with the uplift on the excess + 0.25 x 2,784,000 = 3,504,000
    assert check("07.1", 2_808_000).mistake == "attainment as a percentage"
    assert check("07.1", 3_504_000).mistake == "attainment as a percentage"
    # an amount no known mistake explains gets the general hint
    fb = check("07.1", 29_100 * 1.37 + 11)
    assert fb.mistake is None and fb.message == get_task("07.1").hint


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


def test_promotion_quarter_must_be_exact():
    assert check("07.5", 7).passed and check("07.5", 7.0).passed
    assert not check("07.5", 7.4).passed


def test_choice_outside_the_options_is_explained():
    fb = check("07.7", "E")
    assert fb.status == "wrong type" and "one of the letters A, B, C, D" in fb.message
