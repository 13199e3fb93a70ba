"""Lesson 01: one lead's journey through the sales process (R2.1) and the rep's priorities."""

from __future__ import annotations

import html
import math

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from salessim import kpi, plots, simulate
from salessim.model.rules import TASKS, ProcedureRule
from salessim.regulation import CLAUSES
from salessim.widgets import lesson01
from salessim.widgets.lesson01 import (
    compute_journey,
    followable_leads,
    plot_journey,
    procedure_priorities,
    rep_day,
)

PIPELINE = ["first_contact", "discovery", "demo", "quote", "negotiation", "contract"]


@pytest.fixture(scope="module")
def run():
    return lesson01.lesson_run()


def _first_deal_paid_on(run, lead_id: str):
    """Independently of the module: the day the lead's first deal was paid in full."""
    ledger = run.ledger
    customer = ledger.customers.loc[ledger.customers["lead_id"] == lead_id, "customer_id"].item()
    deals = ledger.deals[(ledger.deals["customer_id"] == customer)
                         & (ledger.deals["kind"] == "new")]
    invoices = ledger.invoices[ledger.invoices["deal_id"].isin(deals["deal_id"])]
    pays = ledger.payments[ledger.payments["invoice_id"].isin(invoices["invoice_id"])]
    pays = pays.sort_values("paid_on", kind="stable")
    full = pays["amount"].cumsum() >= invoices["amount"].sum() - 0.005
    return pays.loc[full, "paid_on"].iloc[0] if full.any() else pd.NaT


def test_the_lesson_team(run):
    s = lesson01.lesson_scenario()
    assert s.team.reps == 5 and s.calendar.months == 3
    assert len(run.ledger.reps) == 5
    assert run.ledger.leads["created_on"].max() < pd.Timestamp("2026-04-01")


def test_a_won_journey_follows_the_process_in_order(run):
    lead = followable_leads(run)[0]
    j = compute_journey(run, lead)
    t = j.timeline
    assert j.outcome == "won" and j.paid
    assert t["event"].iloc[0] == "arrived"
    steps = t[t["event"].isin(PIPELINE)]
    assert steps["event"].tolist() == PIPELINE          # each step once, in the regulation's order
    assert t["date"].is_monotonic_increasing
    assert t["working_day"].is_monotonic_increasing and t["working_day"].iloc[0] == 0
    # calendar days are never fewer than working days, and both start at arrival
    assert (t["calendar_day"] >= t["working_day"]).all()
    assert (t["calendar_day"] == (t["date"] - j.arrived).dt.days).all()
    # money, delivery and contract after the signing
    for later in ("invoice", "order_queued", "delivered", "payment"):
        assert t.loc[t["event"] == later, "date"].min() >= j.contract
    assert set(t["phase"]) <= set(lesson01.PHASES)
    assert all(c in {x.id for x in CLAUSES} or c.startswith("R2.1.")
               for cl in t["clauses"] for c in cl.split(", "))


@pytest.mark.parametrize("k", [0, 3, 10, -1])
def test_days_to_cash_agree_with_the_ledger(run, k):
    lead = followable_leads(run)[k]
    j = compute_journey(run, lead)
    leads = run.ledger.leads.set_index("lead_id")
    arrived = leads.loc[lead, "created_on"]
    paid = _first_deal_paid_on(run, lead)
    assert j.arrived == arrived and j.cash == paid
    assert j.contract == leads.loc[lead, "closed_on"]
    assert j.days_to_cash == (paid - arrived).days
    # working days: the team's working dates after the arrival day, up to the paid day
    dates = pd.to_datetime(run.calendar.dates)
    assert j.working_days_to_cash == ((dates > arrived) & (dates <= paid)).sum()
    deal = run.ledger.deals.merge(run.ledger.customers[["customer_id", "lead_id"]])
    assert j.amount == deal.loc[(deal["lead_id"] == lead) & (deal["kind"] == "new"),
                                "amount"].item()
    assert f"{j.days_to_cash:.0f} calendar days" in j.summary()
    assert f"{j.days_to_cash:.0f} calendar days" in j._repr_html_()


def test_followable_leads_are_the_won_and_paid_ones_in_order_of_arrival(run):
    leads = run.ledger.leads.set_index("lead_id")
    chosen = followable_leads(run)
    won = leads.index[leads["outcome"] == "won"]
    paid = [lead for lead in won if pd.notna(_first_deal_paid_on(run, lead))]
    assert set(chosen) == set(paid)
    assert 0 < len(chosen) < len(won)  # some won deals are not paid within the quarter
    arrival = run.trace[run.trace["event"] == "arrived"].set_index("lead_id")["time"]
    assert arrival.loc[chosen].is_monotonic_increasing


def test_a_won_lead_not_yet_paid_has_no_cash_day(run):
    leads = run.ledger.leads
    won = leads.loc[leads["outcome"] == "won", "lead_id"]
    unpaid = sorted(set(won) - set(followable_leads(run)))[0]
    j = compute_journey(run, unpaid)
    assert j.outcome == "won" and not j.paid
    assert math.isnan(j.days_to_cash) and math.isnan(j.working_days_to_cash)
    assert pd.notna(j.contract) and j.amount > 0
    assert "not paid in full by the end of the run" in j.summary()


def test_lost_and_disqualified_leads(run):
    leads = run.ledger.leads
    lost = leads[(leads["outcome"] == "lost") & (leads["stage"] == "demo")]["lead_id"].iloc[0]
    j = compute_journey(run, lost)
    assert j.timeline["event"].tolist()[-1] == "lost"
    assert j.timeline["detail"].iloc[-1] == "after the demo"
    assert not j.paid and math.isnan(j.amount) and pd.isna(j.contract)
    out = leads[leads["outcome"] == "disqualified"].iloc[0]
    d = compute_journey(run, out["lead_id"])
    assert d.timeline["event"].tolist() == ["arrived", "disqualified"]
    assert d.score < d.threshold == run.scenario.scoring.threshold
    assert "below the threshold" in d.timeline["detail"].iloc[0]


def test_event_details_read_the_trace_values(run):
    j = compute_journey(run, followable_leads(run)[0])
    rows = j.timeline.set_index("event")
    trace = run.follow(j.lead_id).set_index("event")
    # a pipeline step's value is rep hours; feedback's is the satisfaction after it
    assert rows.loc["demo", "detail"] == f"{trace.loc['demo', 'value']:.1f} h of rep time"
    fb = trace.loc["feedback", "value"]
    assert rows.loc["feedback", "detail"] == f"satisfaction {fb:.0%} after it"
    assert rows.loc["payment", "detail"].endswith(trace.loc["payment", "detail"])


def test_an_unknown_lead_is_named():
    run = simulate(lesson01.lesson_scenario().with_overrides({"calendar.months": 1}), 3)
    with pytest.raises(ValueError, match="lead 'LX999' is not in the simulation's leads table"):
        compute_journey(run, "LX999")


def test_plot_shows_every_event_at_its_working_day(run):
    j = compute_journey(run, followable_leads(run)[2])
    fig = plot_journey(j)
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    assert len(ax.get_yticks()) == len(j.timeline)
    xs = np.concatenate([c.get_offsets()[:, 0] for c in ax.collections
                         if hasattr(c, "get_offsets") and len(c.get_offsets())
                         and c.get_offsets().shape[1] == 2 and c.get_label() in lesson01.PHASES])
    assert sorted(xs) == sorted(j.timeline["working_day"].tolist())
    assert "working days" in ax.get_xlabel() and "(days)" in ax.get_xlabel()
    assert f"{j.days_to_cash:.0f} calendar days" in ax.get_title()


def test_procedure_priorities_are_the_models_rule():
    table = procedure_priorities()
    assert table["task"].tolist() == [TASKS[k] for k in ProcedureRule.order]
    assert table["priority"].tolist() == list(range(1, len(TASKS) + 1))
    rank = dict(zip(table["task"], table["priority"], strict=True))
    # first contact at once (R2.1.2.1): before closing and before every later pipeline step
    assert rank["first_contact"] < min(rank[s] for s in PIPELINE[1:])
    assert rank["revisit"] == len(TASKS)
    known = {c.id for c in CLAUSES}
    assert set(table["clause"]) <= known and (table["why"] != "").all()


def test_rep_day_lists_that_reps_activities_of_that_day(run):
    day = rep_day(run, "R001", "2026-03-20")
    acts = run.ledger.activities
    mine = acts[(acts["rep_id"] == "R001")
                & (acts["started_at"] >= "2026-03-20") & (acts["started_at"] < "2026-03-21")]
    assert len(day) == len(mine) > 0
    assert day["start"].is_monotonic_increasing
    assert sorted(day["task"]) == sorted(mine["task"])
    # no more than the working day's hours
    assert day["minutes"].sum() <= run.scenario.team.hours_per_day * 60 + len(day)
    assert rep_day(run, "R001", "2026-02-17").empty  # Spring Festival: no work


def test_dashboard_follows_the_dropdown(run):
    box = lesson01.journey_dashboard(run)
    choose, numbers, image, table = box.children
    leads = followable_leads(run)
    assert choose.description == "Lead" and list(choose.options) == leads
    assert "salessim-result" in numbers._dom_classes and numbers.description == "Journey"
    first = compute_journey(run, leads[0])
    assert f"<b>{first.days_to_cash:.0f} calendar days" in numbers.value
    assert bytes(image.value).startswith(b"\x89PNG")
    other = next(lead for lead in leads
                 if compute_journey(run, lead).days_to_cash != first.days_to_cash)
    choose.value = other
    j = compute_journey(run, other)
    assert f"<b>{j.days_to_cash:.0f} calendar days" in numbers.value
    assert html.escape(j.table()) in table.value


def test_a_better_demo_fills_the_funnel_below_it():
    # The lesson's claim: raising the demo's conversion from 60% to 75% leaves the stages
    # above the demo about as they were and fills every stage below it. With the same seed
    # (common random numbers) contracts should rise by about 75/60 - 1 = 25%; over three
    # seeds the mean ratio must lie between 1.1 and 1.45.
    base = lesson01.lesson_scenario().with_overrides({"calendar.months": 2})
    better = base.with_overrides({"process.demo.conversion": 0.75})
    ratios = []
    for seed in (11, 12, 13):
        before = plots.funnel(simulate(base, seed).ledger)[1].set_index("stage")["leads"]
        after = plots.funnel(simulate(better, seed).ledger)[1].set_index("stage")["leads"]
        assert abs(after["demo"] - before["demo"]) <= 0.05 * before["demo"]
        ratios.append(after["contract"] / before["contract"])
    assert 1.1 <= np.mean(ratios) <= 1.45, ratios


def test_stage_conversion_of_the_lesson_matches_the_funnel(run):
    # the notebook prints both; they must be the same numbers
    conv = kpi.stage_conversion(run.ledger, "Q", by="company").set_index("stage")
    funnel = plots.funnel(run.ledger)[1].set_index("stage")
    for stage, nxt in zip(kpi.STAGES, kpi.STAGES[1:], strict=False):
        assert conv.loc[stage, "stage_conversion"] == pytest.approx(
            funnel.loc[nxt, "leads"] / funnel.loc[stage, "leads"])


def test_widget_module_imports_no_ipywidgets():
    import subprocess
    import sys

    code = "import sys, salessim.widgets.lesson01; print('ipywidgets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
