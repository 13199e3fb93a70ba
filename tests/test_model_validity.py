"""Validity of the model: queueing theory, Little's law and extreme values (R2.1)."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from salessim import Scenario, simulate
from salessim.kpi import retention_rate, revenue

STAGES = ("first_contact", "discovery", "demo", "quote", "negotiation", "contract")
# t quantiles for two-sided 99% confidence intervals, by degrees of freedom
T99 = {5: 4.032, 7: 3.499, 9: 3.250}


def erlang_c_wait(c: int, lam: float, mu: float) -> float:
    """Mean wait in queue of an M/M/c queue (Erlang C)."""
    a = lam / mu
    rho = a / c
    top = a ** c / math.factorial(c) / (1 - rho)
    p_wait = top / (sum(a ** k / math.factorial(k) for k in range(c)) + top)
    return p_wait / (c * mu - lam)


def test_erlang_c_formula_by_hand():
    # c = 3, a = 2.4: sum_{k<3} a^k/k! = 1 + 2.4 + 2.88 = 6.28; a^3/3!/(1 - 0.8) = 11.52;
    # C = 11.52 / 17.8 = 0.64719; Wq = C / (24 - 19.2) = 0.134831 days.
    assert erlang_c_wait(3, 19.2, 8.0) == pytest.approx(0.134831, abs=1e-6)


@pytest.mark.slow
def test_first_contact_wait_agrees_with_erlang_c():
    """Poisson leads, one exponential stage, c reps sharing one FIFO queue, no abandonment.

    Only the first contact exists (no lead converts after it), all leads qualify, reps are
    identical and never meet, so the lead pool is an M/M/3 queue with service rate
    8 / 1 hour = 8 per working day per rep and 18 leads a day (utilisation 0.75). The mean
    wait of each replication (two years; leads arriving after a 20-day warm-up and more
    than 5 days before the end) gives a 99% confidence interval over 10 replications,
    which must contain the Erlang C value and be narrower than +-15% of it.
    """
    c, lam, hours = 3, 18.0, 1.0
    mu = 8.0 / hours
    scenario = Scenario(
        team={"reps": c, "team_size": c, "hours_per_day": 8.0, "skill_sd": 0.0},
        calendar={"months": 24, "holidays": "weekends"},
        channels={"web": {"rate_per_day": lam}, "trade_show": {"shows": []},
                  "referral": {"probability": 0.0}},
        scoring={"threshold": 0.0},
        process={"assignment": "pool", "duration": "exponential",
                 "first_contact": {"hours": hours, "conversion": 0.0, "lag_days": 0.0}},
        teamwork={"meeting_interval_days": 0.0},
    )
    means = []
    for seed in range(10):
        run = simulate(scenario, seed=seed)
        tr = run.trace
        arrived = tr[tr["event"] == "arrived"].set_index("lead_id")["time"]
        contact = tr[tr["event"] == "first_contact"].set_index("lead_id")["time"]
        horizon = run.calendar.horizon
        window = arrived[(arrived >= 20) & (arrived < horizon - 5)]
        assert window.index.isin(contact.index).all()  # no lead abandons or is skipped
        means.append((contact[window.index] - window).mean())
    means = np.array(means)
    expected = erlang_c_wait(c, lam, mu)
    half = T99[len(means) - 1] * means.std(ddof=1) / math.sqrt(len(means))
    assert half < 0.15 * expected
    assert abs(means.mean() - expected) <= half, (means.mean(), expected, half)


def test_littles_law_for_open_opportunities():
    """Time-average open opportunities = arrival rate x mean time open (5% tolerance).

    L is the model's own count of open opportunities at each working day's start; the
    arrival rate and the mean time open come from the ledger's dates (qualified leads
    created in the window; time open from created_on to closed_on, or to the end). Over a
    finite window the two differ by what is open at its edges: with a trade show shortly
    before the window's end, lambda x W exceeds L by 2-3% on the default scenario, well
    inside the tolerance, while a broken pipeline count or wrong dates are far outside it.
    """
    run = simulate("default", seed=3)
    cal, leads = run.calendar, run.ledger.leads
    q = leads[leads["qualified"]]
    day = lambda col: np.searchsorted(cal.dates, q[col].to_numpy().astype("datetime64[D]"))  # noqa: E731
    created, closed = day("created_on"), day("closed_on")
    closed = np.where(q["closed_on"].isna(), cal.horizon, closed)
    a, b = 30, cal.horizon - 60
    inside = (created >= a) & (created < b)
    assert (closed[inside] < cal.horizon).mean() > 0.99  # nearly all have closed
    lam = inside.sum() / (b - a)
    w = (closed[inside] - created[inside]).mean()
    L = run.daily["open_opportunities"].to_numpy()[a:b].mean()
    assert L > 20 and w > 3  # a real pipeline, not a trivial one
    assert L == pytest.approx(lam * w, rel=0.05)


# ------------------------------------------------------------------ extreme values
def test_zero_leads_give_zero_revenue():
    s = Scenario(channels={"web": {"rate_per_day": 0.0}, "trade_show": {"shows": []}},
                 calendar={"months": 3})
    run = simulate(s, seed=1)
    run.ledger.validate()
    assert len(run.ledger.leads) == 0 and len(run.ledger.deals) == 0
    assert revenue(run.ledger, "Q", "company")["revenue"].sum() == 0
    assert set(run.ledger.activities["task"]) <= {"meeting"}


def test_infinite_fulfilment_capacity_gives_no_queueing_delay():
    base = {"calendar": {"months": 4}, "channels": {"trade_show": {"shows": [
        {"date": dt.date(2026, 2, 2), "leads": 600.0, "days": 2}]}}}
    tight = simulate(Scenario(**base, fulfilment={"capacity_per_day": 2.0}), seed=5)
    free = simulate(Scenario(**base, fulfilment={"capacity_per_day": float("inf")}), seed=5)
    delay = lambda run: run.orders["queue_days"]  # noqa: E731
    assert len(delay(free)) > 100 and len(delay(free)) == len(free.ledger.deals)
    assert (delay(free) == 0).all()
    assert (free.daily["delivery_backlog"] == 0).all()
    assert delay(tight).mean() > 1.0  # the same demand does queue at 2 orders a day
    # The trace tells the same story, order by order.
    traced = tight.trace.loc[tight.trace["event"] == "order_queued", "value"]
    assert sorted(traced) == sorted(delay(tight))


def test_conversion_of_one_wins_every_qualified_lead():
    every = {name: {"conversion": 1.0} for name in STAGES}
    s = Scenario(process={**every, "response_days": float("inf")},
                 channels={"web": {"rate_per_day": 8.0}}, calendar={"months": 4})
    leads = simulate(s, seed=2).ledger.leads
    q = leads[leads["qualified"]]
    assert len(q) > 300
    assert (q["outcome"] != "lost").all()
    early = q[q["created_on"] < "2026-03-01"]  # long before the end: all closed by then
    assert len(early) > 100 and (early["outcome"] == "won").all()
    assert (leads.loc[~leads["qualified"], "outcome"] == "disqualified").all()


@pytest.mark.slow
def test_no_revisits_lowers_retention():
    """Same seeds (common random numbers), with and without revisits (R2.1.4.3): the
    quarterly retention rate (Q2-Q4; Q1 starts with no customers) is lower without, in
    every replication, and by at least 1 point on average."""
    diffs = []
    for seed in range(3):
        rates = []
        for interval in (45.0, 0.0):
            s = Scenario(after_sales={"revisit_interval_days": interval})
            ledger = simulate(s, seed=seed, trace=False).ledger
            r = retention_rate(ledger, "Q", "company")
            rates.append(r.loc[r["period"].astype(str).isin(["2026Q2", "2026Q3", "2026Q4"]),
                               "retention_rate"].mean())
        diffs.append(rates[0] - rates[1])
    assert min(diffs) > 0
    assert np.mean(diffs) > 0.01
