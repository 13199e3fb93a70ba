"""The promotion rule (R2.2.2.2): a configurable rule on quarterly results, checked by hand."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from salessim import careers, kpi
from salessim.careers import PromotionRule, promotion_due, quarters_met
from salessim.ledger import Ledger, sample_crm_dir

T, F = True, False


# ---------------------------------------------------------------- sales -> senior
@pytest.mark.parametrize("history, due", [
    ([T, F, T, T], "senior"),          # 3 of the last 4
    ([T, T, T], "senior"),             # 3 of 3: a fourth quarter is not needed
    ([T, T, T, T], "senior"),
    ([T, F, T, F], None),              # 2 of 4
    ([T, T, T, F, F], None),           # the first T is outside the window: 2 of the last 4
    ([F, F, F, F, T, F, T, T], "senior"),  # last 4: T F T T
    ([T, T], None),                    # too few quarters met so far
    ([], None),
])
def test_sales_rep_needs_three_of_the_last_four(history, due):
    assert promotion_due(history) == due


def test_the_window_slides_quarter_by_quarter():
    # the first quarter k for which 3 of quarters k-3..k are met:
    # k=4: T F F T -> 2; k=5: F F T T -> 2; k=6: F T T F -> 2; k=7: T T F T -> 3
    results = [T, F, F, T, T, F, T, T, F]
    due = [promotion_due(results[:k]) for k in range(1, len(results) + 1)]
    assert due.index("senior") + 1 == 7
    assert due[:6] == [None] * 6


# ---------------------------------------------------------------- senior -> lead, lead
@pytest.mark.parametrize("history, due", [
    ([T, T, T, T], "lead"),
    ([F, T, T, T, T], "lead"),         # the last four in a row
    ([T, T, T, F], None),              # 3 of 4 makes senior, not lead
    ([T, T, T], None),                 # not yet four quarters as senior
    ([T, T, F, T, T, T], None),
])
def test_senior_needs_every_one_of_the_last_four(history, due):
    assert promotion_due(history, level="senior") == due


def test_a_lead_is_at_the_top():
    assert promotion_due([T] * 12, level="lead") is None


def test_rule_is_configurable():
    strict = PromotionRule(quarters_met_needed=4, window=6, senior_to_lead_quarters=2)
    assert promotion_due([T, F, T, T, F, T], strict) == "senior"    # 4 of 6
    assert promotion_due([T, F, T, F, F, T], strict) is None        # 3 of 6
    assert promotion_due([F, T, T], strict, level="senior") == "lead"
    assert strict.criteria == ("revenue",)


def test_default_rule():
    rule = PromotionRule()
    assert (rule.quarters_met_needed, rule.window, rule.senior_to_lead_quarters) == (3, 4, 4)
    with pytest.raises(ValidationError):
        rule.window = 8  # frozen


@pytest.mark.parametrize("fields, words", [
    ({"quarters_met_needed": 5, "window": 4}, "quarters_met_needed 5 cannot exceed window 4"),
    ({"window": 0}, "window"),
    ({"senior_to_lead_quarters": 0}, "senior_to_lead_quarters"),
    ({"criteria": ("profit",)}, "criteria"),
    ({"criteria": ()}, "criteria"),
    ({"quarters": 3}, "quarters"),
])
def test_bad_rules_are_refused_by_name(fields, words):
    with pytest.raises(ValidationError, match=words):
        PromotionRule(**fields)


# ---------------------------------------------------------------- scorecard rows
def _card(periods, revenue, collection=None, rep="R01") -> pd.DataFrame:
    return pd.DataFrame({
        "period": periods,
        "rep_id": rep,
        "meets_revenue": revenue,
        "meets_collection": revenue if collection is None else collection,
    })


def test_scorecard_rows_are_read_in_period_order():
    # given newest first: sorted, the quarters are 2025Q3 T, 2025Q4 F, 2026Q1 T, 2026Q2 T
    rows = _card(["2026Q2", "2026Q1", "2025Q4", "2025Q3"], [T, T, F, T])
    assert quarters_met(rows) == [T, F, T, T]
    assert promotion_due(rows) == "senior"
    # sorted by label, not by position: dropping 2026Q2 (a T) leaves T F T -> 2 of 3
    assert promotion_due(rows.iloc[1:]) is None


def test_every_criterion_must_be_met():
    rows = _card(["2025Q3", "2025Q4", "2026Q1", "2026Q2"], [T, T, T, T],
                 collection=[T, F, F, T])
    assert promotion_due(rows) == "senior"  # revenue only: 4 of 4
    both = PromotionRule(criteria=("revenue", "collection"))
    assert quarters_met(rows, both) == [T, F, F, T]
    assert promotion_due(rows, both) is None  # 2 of 4


def test_on_a_real_scorecard():
    # the sample CRM has two quarters and a revenue target of 300,000 a quarter: R03
    # meets it in both, R01 only in the first (303,500, then 283,500)
    card = kpi.scorecard(Ledger.from_csv_dir(sample_crm_dir()), period="Q")
    r03 = card[card["rep_id"] == "R03"]
    assert quarters_met(r03) == [T, T]  # 425,750 and 377,250 >= 300,000
    assert promotion_due(r03) is None   # two quarters are not three
    loose = PromotionRule(quarters_met_needed=2, window=2)
    assert promotion_due(r03, loose) == "senior"
    r01 = card[card["rep_id"] == "R01"]
    assert quarters_met(r01) == [T, F]


def test_history_is_not_modified():
    rows = _card(["2026Q2", "2026Q1"], [T, F])
    before = rows.copy()
    promotion_due(rows)
    pd.testing.assert_frame_equal(rows, before)


def test_numpy_booleans_are_accepted():
    assert promotion_due(np.array([True, True, True])) == "senior"
    assert promotion_due(pd.Series([T, T, F, T]).tolist()) == "senior"


@pytest.mark.parametrize("history, words", [
    ([T, 1, T], r"history\[1\]: 1 is not allowed: expected True or False"),
    ("TTT", "expected a scorecard DataFrame or a list"),
    (_card(["2026Q1"], [T]).drop(columns="meets_revenue"), "no column meets_revenue"),
    (pd.concat([_card(["2026Q1"], [T]), _card(["2026Q1"], [T], rep="R02")]),
     "rows of several reps"),
    (_card(["2026-03"], [T]), "period '2026-03' is not a quarter"),
    (_card(["2026Q1", "2026Q1"], [T, F]), "quarter '2026Q1' appears more than once"),
    (_card(["2026Q1"], ["yes"]), "meets_revenue must hold True/False"),
])
def test_unreadable_history_is_explained(history, words):
    with pytest.raises(ValueError, match=words):
        promotion_due(history)


def test_unknown_level():
    with pytest.raises(ValueError, match="level 'manager' is not allowed: levels are sales"):
        promotion_due([T, T, T], level="manager")


def test_module_examples_run():
    assert doctest.testmod(careers).failed == 0
