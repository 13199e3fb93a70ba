"""The exercise tasks of lesson 02, market analysis and lead development (R2.1.1): what only this
lesson knows.

Hand-computed answers and mistakes, scoring functions that fail in one way, and task-specific
behaviour. The checks every task shares (leaks, types, tolerance, mistakes with a value,
notebooks) are in test_exercise_tasks.py.
"""

from __future__ import annotations

import pytest
from test_exercise_tasks import assert_hidden

from salessim.exercises import Task, check, get_task, tasks
from salessim.exercises.tasks_02 import CAMPAIGN, campaign_leads, practice_year

LESSON_02 = tasks("02")


def _expected(task: Task):
    return task.kind.target(task.evaluate(task.expected))


# Scoring functions that fail in one way only, with the words of the hint each must get.
def _weighted(industry, company_size, region, budget, budget_points):
    points = {"manufacturing": 1.0, "retail": 0.7, "technology": 0.9, "services": 0.6,
              "other": 0.2}[industry]
    size = {"small": 0.7, "medium": 1.0, "large": 0.8}[company_size]
    where = {"east": 1.0, "north": 0.8, "south": 0.9, "central": 0.6, "west": 0.4}[region]
    return 100 * (0.3 * points + 0.2 * size + 0.2 * where + 0.3 * budget_points)


FUNCTION_CASES = [
    # right except that a budget below 8,000 earns half points whatever its size
    (lambda i, s, r, b: _weighted(i, s, r, b, 1.0 if b >= 8000 else 0.5 if b > 0 else 0.0),
     "a smaller budget earns its share"),
    # right except that a zero budget is counted as a full one
    (lambda i, s, r, b: _weighted(i, s, r, b, min(b / 8000, 1.0) if b > 0 else 1.0),
     "it earns no budget points"),
    # a budget above 8,000 earning 1.2 points
    (lambda i, s, r, b: _weighted(i, s, r, b, min(b / 8000, 1.0) + (0.2 if b > 8000 else 0)),
     "at most its full points"),
]


# ---------------------------------------------------------------- expected answers
def test_lesson_02_has_six_tasks_of_four_kinds():
    assert [t.id for t in LESSON_02] == [f"02.{k}" for k in range(1, 7)]
    assert [type(t.kind).__name__ for t in LESSON_02] == [
        "Choice", "Choice", "Choice", "Number", "IdSet", "Function"]


def test_cost_per_won_customer_by_hand():
    run = practice_year()
    leads = run.ledger.leads
    shows = leads[leads["channel"] == "trade_show"]
    won = (shows["outcome"] == "won").sum()
    # every trade-show lead costs 150 CNY, won or not
    assert _expected(get_task("02.4")) == pytest.approx(150 * len(shows) / won)
    assert 0 < won < len(shows)


def test_screening_answer_by_hand():
    # K01, K02 (budget exactly 10,000), K08 (10,000), K09 and K12 meet every criterion;
    # K03 central, K04 retail, K05 small, K06 budget 9,500, K07 score 89 (0.3 x 0.9 + 0.2 x
    # 0.8 + 0.2 x 0.8 + 0.3 = 0.89), K10 services, K11 west
    assert _expected(get_task("02.5")) == {"K01", "K02", "K08", "K09", "K12"}
    leads = campaign_leads().set_index("lead_id")
    assert leads.loc["K07", "score"] == pytest.approx(89.0)
    assert leads.loc["K03", "score"] >= CAMPAIGN["min_score"]  # only the region fails
    assert leads.loc["K05", "score"] >= CAMPAIGN["min_score"]  # only the size fails


def test_scoring_answers_by_hand():
    # the hidden cases: 100; 0.21 + 0.14 + 0.08 + 0.15 = 0.58; 0.27 + 0.16 + 0.18 + 0.3;
    # 0.18 + 0.2 + 0.12 + 0.3 x 0.75; 0.06 + 0.14 + 0.16 + 0; 0.3 + 0.16 + 0.2 + 0.3
    assert _expected(get_task("02.6")) == pytest.approx((100.0, 58.0, 91.0, 72.5, 36.0, 96.0))


def test_the_worksheet_answers():
    assert [_expected(get_task(f"02.{k}")) for k in (1, 2, 3)] == ["D", "B", "A"]


# ---------------------------------------------------------------- hints
def test_scoring_functions_get_the_hint_of_what_they_got_wrong():
    for fn, words in FUNCTION_CASES:
        fb = check("02.6", fn)
        assert fb.status == "wrong" and words in fb.message, (words, fb.message)
    assert_hidden(get_task("02.6"), [fn for fn, _ in FUNCTION_CASES])
    fb = check("02.6", lambda i, s, r, b: {"west": 1.0}[r])  # fails on the first lead
    assert "raised KeyError" in fb.message


def test_a_correct_function_need_not_round():
    def score(industry, company_size, region, budget):
        return _weighted(industry, company_size, region, budget, min(budget / 8000, 1.0))

    assert check("02.6", score).passed


def test_a_selection_given_as_ids_or_a_frame():
    campaign = campaign_leads()
    right = campaign[campaign["lead_id"].isin(["K01", "K02", "K08", "K09", "K12"])]
    assert check("02.5", right).passed
    fb = check("02.5", right["lead_id"].tolist())
    assert fb.status == "wrong type" and "boolean mask" in fb.message
    fb = check("02.5", right[right["lead_id"] != "K09"])
    assert fb.mistake is None and "1 that belong in the answer are missing" in fb.message
