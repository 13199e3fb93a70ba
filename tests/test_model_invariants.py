"""Invariants of every simulated ledger, over many small scenarios (R2.1, R2.2.1, R3.3.2)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salessim import Scenario, simulate
from salessim.kpi import STAGES

HOURS = st.sampled_from([6.0, 8.0])


@st.composite
def scenarios(draw) -> Scenario:
    """Small, short scenarios over the parameters that shape the ledger."""
    p = lambda lo=0.0, hi=1.0: draw(st.floats(lo, hi))  # noqa: E731
    stages = {name: {"conversion": p(0.3), "hours": p(0.1, 3.0), "lag_days": p(0, 4)}
              for name in ("first_contact", "discovery", "demo", "quote", "negotiation",
                           "contract")}
    return Scenario(
        team={"reps": draw(st.integers(1, 4)), "hours_per_day": draw(HOURS),
              "team_size": draw(st.integers(1, 3)), "skill_sd": p(0, 0.5)},
        calendar={"months": draw(st.integers(1, 2)),
                  "start": draw(st.sampled_from([dt.date(2026, 1, 1), dt.date(2026, 9, 20),
                                                 dt.date(2025, 12, 15)])),
                  "holidays": draw(st.sampled_from(["china", "weekends"]))},
        channels={"web": {"rate_per_day": p(0, 15)},
                  "trade_show": {"shows": [{"date": dt.date(2026, 1, 10), "leads": p(0, 60),
                                            "days": 2}]},
                  "referral": {"probability": p(0, 0.5)}},
        scoring={"threshold": p(0, 90)},
        process={"assignment": draw(st.sampled_from(["round_robin", "pool"])),
                 "duration": draw(st.sampled_from(["lognormal", "exponential", "fixed"])),
                 **stages},
        fulfilment={"capacity_per_day": draw(st.sampled_from([0.5, 3.0, float("inf")]))},
        after_sales={"revisit_interval_days": draw(st.sampled_from([0.0, 5.0, 20.0])),
                     "churn_unsatisfied": p(0, 0.05), "repeat_satisfied": p(0, 0.05)},
        payments={"installments": draw(st.integers(1, 3)),
                  "terms_days": draw(st.sampled_from([0, 10, 30])),
                  "behaviour": {"on_time": p(), "late": p(), "partial": p(), "never": p(0.01)},
                  "call_success": p(), "max_calls": draw(st.integers(0, 3)),
                  "withhold_unsatisfied": p()},
        teamwork={"meeting_interval_days": draw(st.sampled_from([0.0, 3.0]))},
    )


def check_ledger(run) -> None:
    """Every invariant the issue lists, on one simulated ledger."""
    s, L = run.scenario, run.ledger
    L.validate()  # schema, references, dates in order

    leads = L.leads
    # Every lead ends in exactly one outcome, or is open at the horizon.
    assert leads["outcome"].isin(["won", "lost", "disqualified", "open"]).all()
    assert leads["lead_id"].is_unique
    assert (leads["closed_on"].isna() == (leads["outcome"] == "open")).all()
    assert (leads["qualified"] == (leads["score"] >= s.scoring.threshold)).all()
    assert (leads["outcome"] == "disqualified").eq(~leads["qualified"]).all()
    assert leads["stage"].isin(STAGES).all()
    assert (leads.loc[leads["outcome"] == "won", "stage"] == "contract").all()
    assert (leads.loc[~leads["qualified"], "stage"] == "new").all()
    contacted = leads["stage"] != "new"
    assert (leads["first_contact_on"].notna() == contacted).all()
    assert (leads.loc[contacted, "first_contact_on"] >= leads.loc[contacted, "created_on"]).all()

    # Won leads are exactly the customers' leads; acquired_on = first deal's date.
    customers, deals = L.customers, L.deals
    won = set(leads.loc[leads["outcome"] == "won", "lead_id"])
    assert set(customers["lead_id"]) == won and customers["lead_id"].is_unique
    first = deals.sort_values(["signed_on", "deal_id"]).groupby("customer_id").first()
    c = customers.set_index("customer_id")
    assert (first.loc[c.index, "signed_on"] == c["acquired_on"]).all()
    assert (first["kind"] == "new").all()
    assert (deals["kind"] == "new").sum() == len(customers)
    gone = c["churned_on"].notna()
    assert (c.loc[gone, "churned_on"] >= c.loc[gone, "acquired_on"]).all()
    assert np.allclose(deals["amount"], deals["list_amount"] * (1 - deals["discount"]))

    # Each deal's invoices sum to its amount; payments never exceed an invoice.
    inv, pay = L.invoices, L.payments
    per_deal = inv.groupby("deal_id")["amount"].sum().reindex(deals["deal_id"], fill_value=0)
    assert (per_deal.to_numpy() == deals["amount"].to_numpy()).all()
    per_inv = pay.groupby("invoice_id")["amount"].sum().reindex(inv["invoice_id"],
                                                                fill_value=0)
    assert (per_inv.to_numpy() <= inv["amount"].to_numpy()).all()
    issued = inv.set_index("invoice_id").loc[pay["invoice_id"], "issued_on"].to_numpy()
    assert (pay["paid_on"].to_numpy() >= issued).all()
    assert (inv["due_on"] >= inv["issued_on"]).all()

    # No rep works more than its hours on a day, nor outside working days and hours.
    acts = L.activities
    if len(acts):
        hours = (acts["ended_at"] - acts["started_at"]).dt.total_seconds() / 3600
        assert (hours > -1e-9).all()
        day = acts["started_at"].dt.normalize()
        assert (acts["ended_at"].dt.normalize() == day).all()
        per_day = hours.groupby([acts["rep_id"], day]).sum()
        assert per_day.max() <= s.team.hours_per_day + 1e-6
        start_h = (acts["started_at"] - day).dt.total_seconds() / 3600
        end_h = (acts["ended_at"] - day).dt.total_seconds() / 3600
        assert start_h.min() >= s.team.day_starts_at - 1e-9
        assert end_h.max() <= s.team.day_starts_at + s.team.hours_per_day + 1e-9
        working = set(pd.DatetimeIndex(run.calendar.dates.astype("datetime64[ns]")))
        assert set(day.unique()) <= working
        # A rep does one thing at a time.
        a = acts.sort_values(["rep_id", "started_at", "ended_at"])
        same = a["rep_id"].eq(a["rep_id"].shift())
        assert (a["started_at"][same] >= a["ended_at"].shift()[same]).all()
    assert len(L.reps) == s.team.reps
    # Everything happens within the simulated months.
    end = pd.Timestamp(run.calendar.end)
    for table, col in (("leads", "created_on"), ("deals", "signed_on"), ("payments", "paid_on"),
                       ("surveys", "surveyed_on")):
        assert (getattr(L, table)[col] <= end).all()


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=scenarios(), seed=st.integers(0, 2**32 - 1))
def test_invariants_hold_for_any_small_scenario(scenario, seed):
    check_ledger(simulate(scenario, seed=seed))


def test_invariants_hold_for_the_default_scenario():
    check_ledger(simulate("default", seed=11))


def test_recorded_payouts_equal_the_payouts_recomputed_from_the_ledger():
    # R2.2.2.1: the model pays by the scenario's plan with the incentives module's own rules
    from salessim import payouts

    run = simulate({"calendar": {"months": 3}, "team": {"reps": 2}, "plan": "regulation"},
                   seed=4)
    recorded = run.ledger.payouts
    assert set(recorded["plan"]) == {"regulation"}
    assert recorded["amount"].sum() > 0
    again = payouts(run.ledger, "regulation", targets=run.scenario.targets)
    pd.testing.assert_frame_equal(recorded.reset_index(drop=True),
                                  again.reset_index(drop=True), check_dtype=False)
