"""Lesson 03 dashboards: first contact at once (R2.1.2.1), discovery and demo (R2.1.2.2-3)."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from matplotlib.figure import Figure

from salessim import Ledger, Scenario, kpi, sample_crm_dir
from salessim.widgets import lesson03
from salessim.widgets.lesson03 import (
    STAGES,
    StepChances,
    compute_follow_up,
    first_contact_curve,
    lesson_scenario,
    plot_follow_up,
    response_times,
)


@pytest.fixture(scope="module")
def chances() -> StepChances:
    return StepChances()


@pytest.fixture(scope="module")
def lesson_chances() -> StepChances:
    return StepChances(lesson_scenario())


# ---------------------------------------------------------------- the model's chances
@pytest.mark.parametrize("wait", [0.0, 0.5, 1.0, 2.0, 3.0, 7.5])
def test_first_contact_falls_by_e_every_response_days(chances, wait):
    # default scenario: first-contact conversion 0.6, falling by a factor e for every
    # process.response_days = 3 working days of waiting; one try (skill 1, fit 1)
    assert chances.chance("first_contact", wait=wait) == pytest.approx(
        0.6 * math.exp(-wait / 3), rel=1e-12)


def test_skill_and_fit_act_as_extra_tries(chances):
    # 1 - (1 - p) ** (skill * fit): after 3 days p = 0.6 / e; skill 1.2 x fit 1.3 = 1.56 tries
    p = 0.6 / math.e
    got = chances.chance("first_contact", wait=3, skill=1.2, fit=1.3)
    assert got == pytest.approx(1 - (1 - p) ** 1.56, rel=1e-12)
    assert chances.chance("discovery", fit=2.0) == pytest.approx(1 - 0.4 ** 2, rel=1e-12)


def test_other_steps_ignore_the_wait_and_negotiation_reads_the_discount(chances):
    # discovery 0.6, demo 0.6, quote 0.85, contract 1.0 in the default scenario
    assert chances.chance("discovery", wait=5) == pytest.approx(0.6)
    assert chances.chance("demo") == pytest.approx(0.6)
    assert chances.chance("quote", discount=0.2) == pytest.approx(0.85)
    assert chances.chance("contract") == 1.0
    # negotiation 0.57; each 1% of discount adds 4% to the tries: 10% -> 1.4 tries
    assert chances.chance("negotiation", discount=0.1) == pytest.approx(1 - 0.43 ** 1.4)


def test_chances_follow_the_scenario():
    s = Scenario().with_overrides({"process.response_days": 6.0,
                                   "process.first_contact.conversion": 0.5})
    assert StepChances(s).chance("first_contact", wait=3) == pytest.approx(0.5 * math.exp(-0.5))
    assert StepChances({"process": {"response_days": float("inf")}}).chance(
        "first_contact", wait=50) == pytest.approx(0.6)


@pytest.mark.parametrize("kwargs, words", [
    ({"stage": "lunch"}, "stage 'lunch': expected one of first_contact, discovery"),
    ({"stage": "first_contact", "wait": -1}, "wait: -1 is not allowed: expected >= 0"),
    ({"stage": "negotiation", "discount": 1.0}, "discount: 1.0 is not allowed"),
    ({"stage": "demo", "skill": 0}, "skill: 0 is not allowed: expected > 0"),
    ({"stage": "demo", "fit": float("nan")}, "fit: nan is not allowed"),
])
def test_bad_arguments_are_explained(chances, kwargs, words):
    with pytest.raises(ValueError, match=words):
        chances.chance(**kwargs)


def test_stages_are_the_pipeline_in_order():
    assert STAGES == ("first_contact", "discovery", "demo", "quote", "negotiation", "contract")


def test_curve_is_the_chance_at_each_wait(chances):
    curve = first_contact_curve([0, 1.5, 3], chances)
    assert list(curve.columns) == ["wait_days", "conversion"]
    assert curve["conversion"].tolist() == pytest.approx([0.6, 0.6 * math.exp(-0.5),
                                                          0.6 / math.e])
    default = first_contact_curve(chances=chances)
    assert default["wait_days"].iloc[[0, -1]].tolist() == [0.0, 10.0]
    assert default["conversion"].is_monotonic_decreasing


# ---------------------------------------------------------------- response times
def test_response_times_by_hand():
    rt = response_times(Ledger.from_csv_dir(sample_crm_dir())).set_index("lead_id")
    # L04: Thursday 8 January -> Monday 12 January: 4 calendar days, 2 working days
    assert rt.loc["L04", ["calendar_days", "working_days"]].tolist() == [4, 2]
    # L14 came in on 23 February, the last day of the Spring Festival holiday; called on the
    # 26th: 3 calendar days and 3 working days (24, 25, 26)
    assert rt.loc["L14", ["calendar_days", "working_days"]].tolist() == [3, 3]
    assert rt.loc["L03", ["calendar_days", "working_days"]].tolist() == [0, 0]
    assert "L18" not in rt.index  # disqualified, never contacted
    assert len(rt) == 20 and rt["working_days"].dtype == "int64"


def test_working_days_follow_the_holiday_calendar():
    # a lead in on Friday 13 February 2026, called on Tuesday 24 February, after the Spring
    # Festival: 11 calendar days. China's calendar works Saturday the 14th, then has a
    # holiday from the 15th to the 23rd: 2 working days (14th, 24th). Monday to Friday
    # only: 16-20 and 23-24, 7 working days.
    ledger = Ledger.from_csv_dir(sample_crm_dir())
    leads = ledger.leads.copy()
    leads.loc[leads["lead_id"] == "L04", "created_on"] = pd.Timestamp("2026-02-13")
    leads.loc[leads["lead_id"] == "L04", "first_contact_on"] = pd.Timestamp("2026-02-24")
    moved = ledger.replace(leads=leads)
    china = response_times(moved).set_index("lead_id").loc["L04"]
    weekdays = response_times(moved, "weekends").set_index("lead_id").loc["L04"]
    assert (china["calendar_days"], china["working_days"], weekdays["working_days"]) == (
        11, 2, 7)


def test_response_times_agree_with_the_kpi():
    ledger = Ledger.from_csv_dir(sample_crm_dir())
    rt = response_times(ledger)
    quarter = rt["created_on"].dt.to_period("Q").astype(str)
    medians = rt.groupby([quarter.rename("period"), "rep_id"])["calendar_days"].median()
    frt = kpi.first_response_time(ledger, "Q").set_index(["period", "rep_id"])
    assert medians.to_dict() == frt["first_response_time"].to_dict()
    # R02 in 2026Q1: 4, 2, 4, 3 calendar days -> median 3.5
    assert medians[("2026Q1", "R02")] == 3.5


def test_response_times_of_a_ledger_without_contacts():
    ledger = Ledger.from_csv_dir(sample_crm_dir())
    leads = ledger.leads.assign(first_contact_on=pd.NaT)
    rt = response_times(ledger.replace(leads=leads))
    assert rt.empty and list(rt.columns)[-2:] == ["calendar_days", "working_days"]


# ---------------------------------------------------------------- the run
def test_follow_up_result_and_its_summary(lesson_chances):
    r = compute_follow_up(2.0, seed=1, chances=lesson_chances)
    assert r.conversion == pytest.approx(0.6 * math.exp(-2 / 3))
    assert (r.reps, r.months, r.seed) == (5, 2, 1)
    assert 0 < r.lost_at_contact < r.contacted and r.won > 0 and r.revenue > 0
    assert r.passed_contact == pytest.approx(1 - r.lost_at_contact / r.contacted)
    assert r.summary().startswith("Wait 2 working days: first-contact conversion 30.8%\n"
                                  "Run of 5 reps over 2 months (seed 1): ")
    assert "First-contact conversion 30.8%" in r._repr_html_()


def test_the_run_counts_its_own_ledger(lesson_chances):
    from salessim import simulate

    r = compute_follow_up(1.0, seed=2, chances=lesson_chances)
    s = lesson_scenario().with_overrides({"process.first_contact.conversion": r.conversion})
    ledger = simulate(s, 2, trace=False).ledger
    new = ledger.deals[ledger.deals["kind"] == "new"]
    assert r.won == len(new) == (ledger.leads["outcome"] == "won").sum()
    assert r.revenue == pytest.approx(new["amount"].sum())
    # a lead lost at first contact never reached discovery
    assert r.lost_at_contact == ((ledger.leads["outcome"] == "lost")
                                 & (ledger.leads["stage"] == "contacted")).sum()


def test_same_seed_same_result(lesson_chances):
    a = compute_follow_up(1.5, seed=4, chances=lesson_chances)
    b = compute_follow_up(1.5, seed=4)
    assert (a.contacted, a.lost_at_contact, a.won, a.revenue) == (
        b.contacted, b.lost_at_contact, b.won, b.revenue)


SEEDS = range(6)


@pytest.fixture(scope="module")
def runs(lesson_chances):
    return {(w, seed): compute_follow_up(w, seed, chances=lesson_chances)
            for w in (0.0, 1.0, 3.0) for seed in SEEDS}


def test_waiting_loses_deals_in_every_replication(runs):
    # the same seed gives the same leads (common random numbers): waiting one working day,
    # then three, loses deals and revenue in each of six replications
    for seed in SEEDS:
        won = [runs[(w, seed)].won for w in (0.0, 1.0, 3.0)]
        revenue = [runs[(w, seed)].revenue for w in (0.0, 1.0, 3.0)]
        assert won[0] > won[1] > won[2], (seed, won)
        assert revenue[0] > revenue[1] > revenue[2], (seed, revenue)


def test_first_contacts_passed_in_the_runs_match_the_model(runs, lesson_chances):
    # pooled over six replications, the share of contacted leads that moved on falls by the
    # ratio the model gives for 3 days of waiting. That ratio depends on the tries
    # (skill x fit): 0.348 at 0.8 tries, 0.368 at 1, 0.468 at 2, the range in which the
    # qualified leads and the team lie; with about 2,500 first contacts per wait the pooled
    # ratio has a standard error near 0.015, hence a tolerance of 0.03 on each side.
    def passed(w):
        contacted = sum(runs[(w, s)].contacted for s in SEEDS)
        lost = sum(runs[(w, s)].lost_at_contact for s in SEEDS)
        return 1 - lost / contacted

    def model_ratio(tries):
        return (lesson_chances.chance("first_contact", wait=3, fit=tries)
                / lesson_chances.chance("first_contact", fit=tries))

    ratio = passed(3.0) / passed(0.0)
    assert model_ratio(0.8) - 0.03 <= ratio <= model_ratio(2.0) + 0.03, ratio
    # and the runs' leads, qualified by their scores, pass more often than a lead of fit 1
    assert passed(0.0) > lesson_chances.chance("first_contact")


# ---------------------------------------------------------------- plot and dashboard
def test_plot_marks_the_chosen_wait(lesson_chances):
    r = compute_follow_up(2.5, seed=1, chances=lesson_chances)
    fig = plot_follow_up(r)
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    line, point = ax.lines
    assert list(line.get_xdata()) == r.curve["wait_days"].tolist()
    assert list(line.get_ydata()) == pytest.approx((100 * r.curve["conversion"]).tolist())
    assert list(point.get_xdata()) == [2.5]
    assert list(point.get_ydata()) == pytest.approx([100 * r.conversion])
    assert "(working days)" in ax.get_xlabel() and "(%)" in ax.get_ylabel()
    assert "2.5 days" in ax.get_title()


def test_dashboard_follows_the_slider():
    box = lesson03.follow_up_dashboard(seed=1)
    slider, result, image = box.children
    assert slider.description == "Wait (working days)" and slider.value == 0
    assert "salessim-result" in result._dom_classes and result.description == "Result"
    assert "First-contact conversion 60.0%" in result.value
    assert bytes(image.value).startswith(b"\x89PNG")
    before = result.value
    slider.value = 3.0  # 0.6 / e = 22.1%
    assert "First-contact conversion 22.1%" in result.value and result.value != before
    expected = compute_follow_up(3.0, seed=1)
    assert f"{expected.won} new deals won" in result.value


def test_widgets_module_imports_no_ipywidgets():
    import subprocess
    import sys

    code = "import sys, salessim.widgets.lesson03; print('ipywidgets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
