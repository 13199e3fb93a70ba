"""Lesson 02: worksheets (R2.1.1.1), channels (R2.1.1.2), screening and scoring (R2.1.1.3)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from salessim import simulate
from salessim.scenario import ScenarioError
from salessim.widgets import lesson02
from salessim.widgets.lesson01 import lesson_scenario
from salessim.widgets.lesson02 import (
    channel_mix,
    channel_results,
    channel_table,
    compute_screening,
    pest_worksheet,
    score_lead,
    score_leads,
    scoring_table,
    screen,
    swot_worksheet,
)


@pytest.fixture(scope="module")
def run():
    return simulate(lesson_scenario(), 5, trace=False)


# ---------------------------------------------------------------- worksheets
def test_swot_files_each_factor_in_its_quadrant_in_order():
    table = swot_worksheet([
        {"factor": "free competitor", "quadrant": "threat", "evidence": "price list"},
        {"factor": "good service", "quadrant": "strength", "evidence": "surveys"},
        {"factor": "no team in the west", "quadrant": "weakness", "evidence": "CRM"},
        {"factor": "subsidies", "quadrant": "opportunity", "evidence": "to check"},
        {"factor": "fast delivery", "quadrant": "strength", "evidence": "records"},
    ])
    assert table["quadrant"].tolist() == ["strength", "strength", "weakness", "opportunity",
                                          "threat"]
    assert table["factor"].tolist()[:2] == ["good service", "fast delivery"]  # stable order
    assert table["origin"].tolist() == ["internal"] * 3 + ["external"] * 2
    assert table["effect"].tolist() == ["helpful", "helpful", "harmful", "helpful", "harmful"]


@pytest.mark.parametrize("entry, words", [
    ({"factor": "x", "quadrant": "strenght", "evidence": "e"},
     r"SWOT entry 0 \('x'\): quadrant 'strenght' is not one of strength, weakness"),
    ({"factor": "x", "quadrant": "threat", "evidence": " "}, "SWOT entry 0: evidence is empty"),
    ({"factor": "", "quadrant": "threat", "evidence": "e"}, "SWOT entry 0: factor is empty"),
    ({"factor": "x", "quadrant": "threat", "evidence": "e", "source": "s"},
     "SWOT entry 0: unknown field\\(s\\) source"),
])
def test_swot_refuses_rows_it_cannot_file(entry, words):
    with pytest.raises(ValueError, match=words):
        swot_worksheet([entry])


def test_pest_orders_the_four_kinds_and_refuses_others():
    table = pest_worksheet([
        {"factor": "cloud", "kind": "technological", "evidence": "e"},
        {"factor": "subsidy", "kind": "political", "evidence": "e"},
        {"factor": "budgets", "kind": "economic", "evidence": "e"},
        {"factor": "habits", "kind": "social", "evidence": "e"},
    ])
    assert table["kind"].tolist() == ["political", "economic", "social", "technological"]
    with pytest.raises(ValueError, match=r"PEST entry 0 \('law'\): kind 'legal' is not one"):
        pest_worksheet([{"factor": "law", "kind": "legal", "evidence": "e"}])


# ---------------------------------------------------------------- channels
def test_channel_table_reads_the_scenario():
    # the default business has 28.5 web leads a day and four shows of 300 leads for ten
    # reps; the lesson's five reps get half: 14.25 a day and 150 per show
    year = channel_table(lesson02.year_scenario()).set_index("channel")
    assert year.loc["web", "leads_per_working_day"] == pytest.approx(14.25)
    assert year.loc["trade_show", "show_leads"] == pytest.approx(4 * 150)
    assert year["cost_per_lead"].tolist() == [60.0, 150.0, 200.0]
    assert math.isnan(year.loc["referral", "leads_per_working_day"])
    quarter = channel_table(lesson_scenario()).set_index("channel")
    assert quarter.loc["trade_show", "show_leads"] == pytest.approx(150)  # March only


def test_channel_mix_is_normalised_shares():
    s = lesson_scenario().with_overrides({"channels.web.company_size":
                                          {"small": 2.0, "medium": 1.0, "large": 1.0}})
    mix = channel_mix(s, "company_size")
    assert list(mix.columns) == ["small", "medium", "large"]
    assert mix.loc["web"].tolist() == [0.5, 0.25, 0.25]
    assert np.allclose(mix.sum(axis=1), 1.0)
    with pytest.raises(ValueError, match="attribute must be one of industry"):
        channel_mix(s, "budget")


def test_channel_results_count_leads_customers_and_cost(run):
    table = channel_results(run).set_index("channel")
    leads = run.ledger.leads
    for channel, cost in (("web", 60.0), ("trade_show", 150.0), ("referral", 200.0)):
        mine = leads[leads["channel"] == channel]
        won = (mine["outcome"] == "won").sum()
        assert table.loc[channel, "leads"] == len(mine)
        assert table.loc[channel, "won"] == won
        assert table.loc[channel, "cost"] == pytest.approx(cost * len(mine))
        if won:
            assert table.loc[channel, "cost_per_won"] == pytest.approx(cost * len(mine) / won)
    # first orders: the new deals of all customers add up over the channels
    new = run.ledger.deals[run.ledger.deals["kind"] == "new"]["amount"].sum()
    assert table["first_orders"].sum() == pytest.approx(new)


def test_a_channel_without_customers_has_no_cost_per_customer():
    s = lesson_scenario().with_overrides({"calendar.months": 1})  # no trade show in January
    table = channel_results(simulate(s, 2, trace=False)).set_index("channel")
    assert table.loc["trade_show", "leads"] == 0 and table.loc["trade_show", "won"] == 0
    assert math.isnan(table.loc["trade_show", "cost_per_won"])


# ---------------------------------------------------------------- scoring
@pytest.mark.parametrize("lead, score", [
    # weights 0.3, 0.2, 0.2, 0.3; full budget points from 8,000 CNY
    (("manufacturing", "medium", "east", 8_000), 100.0),
    # 0.3 x 0.7 + 0.2 x 0.7 + 0.2 x 0.4 + 0.3 x 4,000 / 8,000 = 0.58
    (("retail", "small", "west", 4_000), 58.0),
    # 0.3 x 0.9 + 0.2 x 0.8 + 0.2 x 0.9 + 0.3 x 1 (budget capped) = 0.91
    (("technology", "large", "south", 250_000), 91.0),
    # 0.3 x 0.2 + 0.2 x 0.7 + 0.2 x 0.6 + 0 = 0.32
    (("other", "small", "central", 0), 32.0),
])
def test_score_lead_by_hand(lead, score):
    assert score_lead(*lead) == pytest.approx(score)


def test_weights_only_count_by_their_ratios():
    leads = pd.DataFrame({"industry": ["retail", "services"], "company_size": ["small", "large"],
                          "region": ["west", "north"], "budget": [4_000.0, 12_000.0]})
    only_industry = score_leads(leads, weights={"industry": 1.0, "company_size": 0.0,
                                                "region": 0.0, "budget": 0.0})
    assert only_industry.tolist() == [70.0, 60.0]
    base = score_leads(leads)
    assert score_leads(leads, weights={"industry": 3, "company_size": 2, "region": 2,
                                       "budget": 3}).tolist() == base.tolist()


def test_score_leads_gives_the_crms_scores_and_leaves_the_table_alone(run):
    leads = run.ledger.leads
    before = leads.copy()
    scores = score_leads(leads, run.scenario)
    assert (scores == leads["score"]).all() and scores.index.equals(leads.index)
    assert ((scores >= run.scenario.scoring.threshold) == leads["qualified"]).all()
    pd.testing.assert_frame_equal(leads, before)


@pytest.mark.parametrize("column, value, words", [
    ("industry", "mining", r"leads.industry, row 1: 'mining' is not in the scoring table; "
                           "known values: manufacturing, retail"),
    ("region", "Hangzhou", r"leads.region, row 1: 'Hangzhou'"),
    ("budget", -5.0, r"leads.budget, row 1: -5.0 is not a budget"),
])
def test_bad_lead_attributes_are_named(column, value, words):
    leads = pd.DataFrame({"industry": ["retail"] * 2, "company_size": ["small"] * 2,
                          "region": ["east"] * 2, "budget": [1000.0] * 2})
    leads.loc[1, column] = value
    with pytest.raises(ValueError, match=words):
        score_leads(leads)


def test_scoring_table_lists_every_point_and_weight():
    table = scoring_table()
    assert len(table) == 5 + 3 + 5 + 1
    assert table.groupby("criterion")["weight"].first().to_dict() == {
        "budget": 0.3, "company_size": 0.2, "industry": 0.3, "region": 0.2}
    assert table.loc[table["value"] == "west", "points"].item() == 0.4


def test_screen_applies_every_criterion_with_bounds_included():
    leads = pd.DataFrame({
        "lead_id": ["A", "B", "C", "D", "E"],
        "industry": ["manufacturing", "retail", "technology", "manufacturing", "technology"],
        "company_size": ["medium", "medium", "large", "small", "medium"],
        "region": ["east", "east", "west", "south", "north"],
        "budget": [8_000.0, 20_000.0, 30_000.0, 9_000.0, 7_999.0],
        "score": [90.0, 80.0, 65.0, 64.9, 88.0],
    })
    got = screen(leads, industries=["manufacturing", "technology"],
                 regions=["east", "north", "south"], min_budget=8_000)
    assert got["lead_id"].tolist() == ["A", "D"]  # B retail, C west, E under 8,000
    assert screen(leads, min_score=65)["lead_id"].tolist() == ["A", "B", "C", "E"]
    assert screen(leads, sizes=["medium"])["lead_id"].tolist() == ["A", "B", "E"]
    assert screen(leads).equals(leads)


# ---------------------------------------------------------------- the dashboard
def test_compute_screening_counts_who_qualifies():
    base = compute_screening()
    assert base.threshold == 65 and base.weights == lesson_scenario().scoring.weights
    assert base.qualified == (base.leads["score"] >= 65).sum()
    assert base.contracts == base.funnel.set_index("stage").loc["contract", "leads"]
    strict = compute_screening(threshold=80)
    # the same web and trade-show leads arrive whatever the threshold (common random numbers)
    ours = ~base.leads["channel"].eq("referral")
    theirs = ~strict.leads["channel"].eq("referral")
    assert base.leads.loc[ours, "lead_id"].tolist() == strict.leads.loc[theirs,
                                                                         "lead_id"].tolist()
    assert (strict.leads.loc[theirs, "qualified"].to_numpy()
            <= base.leads.loc[ours, "qualified"].to_numpy()).all()
    assert strict.qualified == (strict.leads["score"] >= 80).sum() < base.qualified
    top = strict.top(3)
    assert top["score"].is_monotonic_decreasing and len(top) == 3
    assert "Qualified" in strict.summary() and "threshold 80" in strict.summary()


def test_weights_change_the_scores_of_the_run():
    r = compute_screening(weights={"industry": 1, "company_size": 0, "region": 0, "budget": 0})
    leads = r.leads
    # with the industry alone, a lead's score is 100 x its industry's points
    points = lesson_scenario().scoring.industry
    assert (leads["score"] == 100 * leads["industry"].map(points)).all()


def test_refused_settings_raise_a_scenario_error():
    with pytest.raises(ScenarioError, match="weights must be >= 0 and not all 0"):
        compute_screening(weights={"industry": 0, "company_size": 0, "region": 0, "budget": 0})
    with pytest.raises(ScenarioError, match="scoring.threshold"):
        compute_screening(threshold=120)


def test_the_threshold_that_earns_most_depends_on_the_teams_time():
    # The lesson's claim, over three seeds: a team with time to spare earns more with a low
    # threshold (every qualified lead can be worked), while a team with four times the web
    # leads earns more at 75 than at 50 (low-fit leads take the time good ones need). The
    # margins in the lesson's run are about 20%; we ask the mean over seeds for 5%.
    def mean_revenue(threshold, busy):
        return np.mean([compute_screening(threshold=threshold, busy=busy, seed=seed).revenue
                        for seed in (21, 22, 23)])

    assert mean_revenue(50, busy=False) > 1.05 * mean_revenue(80, busy=False)
    assert mean_revenue(75, busy=True) > 1.05 * mean_revenue(50, busy=True)


def test_plot_screening_shows_the_scores_threshold_and_funnels():
    result, base = compute_screening(threshold=75), compute_screening()
    fig = plot_screening_of(result, base)
    left, right = fig.axes
    assert sum(p.get_height() for p in left.patches) == len(result.leads)
    (line,) = [ln for ln in left.get_lines() if ln.get_linestyle() == "--"]
    assert line.get_xdata()[0] == 75
    widths = sorted(p.get_width() for p in right.patches)
    assert widths == sorted([*result.funnel["leads"], *base.funnel["leads"]])
    assert "(points, 0-100)" in left.get_xlabel() and "(count)" in right.get_xlabel()
    assert f"{result.revenue:,.0f} CNY" in right.get_title()


def plot_screening_of(result, base) -> Figure:
    fig = lesson02.plot_screening(result, base)
    assert isinstance(fig, Figure)
    return fig


def test_plot_channels_draws_the_costs(run):
    results = channel_results(run)
    fig = lesson02.plot_channels(results)
    (ax,) = fig.axes
    heights = [p.get_height() for p in ax.patches]
    expected = [*results["cost_per_lead"], *results["cost_per_won"].fillna(0.0)]
    assert heights == pytest.approx(expected)
    assert "(CNY)" in ax.get_ylabel()


def test_dashboard_follows_the_threshold_and_explains_refused_weights():
    box = lesson02.screening_dashboard()
    controls, image, table = box.children
    weights = controls.children[0].children
    threshold, busy, numbers = controls.children[1].children
    assert threshold.description == "Threshold" and threshold.value == 65
    assert "salessim-result" in numbers._dom_classes and numbers.description == "Result"
    assert f"Qualified {compute_screening().qualified:,} of" in numbers.value
    threshold.value = 70
    assert f"Qualified {compute_screening(threshold=70).qualified:,} of" in numbers.value
    assert bytes(image.value).startswith(b"\x89PNG") and "<table" in table.value
    for w in weights:
        w.value = 0.0
    assert "weights must be &gt;= 0 and not all 0" in numbers.value
    weights[0].value = 1.0
    busy.value = True
    busy_result = compute_screening({"industry": 1.0, "company_size": 0.0, "region": 0.0,
                                     "budget": 0.0}, 70, busy=True)
    assert f"Qualified {busy_result.qualified:,} of {len(busy_result.leads):,}" in numbers.value


def test_widget_module_imports_no_ipywidgets():
    import subprocess
    import sys

    code = "import sys, salessim.widgets.lesson02; print('ipywidgets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
