"""Figures of salessim.plots: the numbers behind each one, titles, units and targets."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from salessim import Scenario, kpi, plots, simulate  # noqa: E402
from salessim.experiment import KPIS, Results  # noqa: E402


def _labels(fig) -> tuple[str, str, str]:
    ax = fig.axes[0]
    return ax.get_title() or fig.get_suptitle(), ax.get_xlabel(), ax.get_ylabel()


def _has_hline(ax, y: float) -> bool:
    return any(np.allclose(line.get_ydata(), y) for line in ax.get_lines()
               if len(line.get_ydata()) == 2)


@pytest.fixture(scope="module")
def run():
    return simulate(Scenario().with_overrides({"team.reps": 3, "calendar.months": 6,
                                               "calendar.holidays": "weekends"}), seed=9)


@pytest.fixture(scope="module")
def hand() -> Results:
    """Two plans, four replications, two reps; B pays 10% more than A on the same revenue."""
    rows = []
    for plan, factor in (("A", 1.0), ("B", 1.1)):
        for r in range(4):
            for i, att in enumerate((0.5 + 0.1 * r, 1.0 + 0.02 * r)):
                row = dict.fromkeys(KPIS, 0.0)
                row.update(point=0, plan=plan, replication=r, seed=r, period="2026Q1",
                           rep_id=f"R{i}", revenue=300_000 * att, revenue_target=300_000.0,
                           attainment=att, pay=24_000 * att * factor)
                rows.append(row)
    data = pd.DataFrame(rows)[["point", "plan", "replication", "seed", "period", "rep_id",
                               *KPIS]]
    cfg = {"plans": [{"name": "A", "target_pay": 0.08}, {"name": "B", "target_pay": 0.08}],
           "by": "rep", "period": "Q", "replications": 4, "grid": {}, "seed": 0,
           "scenario": {"name": "hand"}}
    return Results(data, cfg)


def test_payout_curves_follow_the_plans_pay_rules():
    fig, df = plots.payout_curve(["linear", "quota_bonus", "capped"], attainments=[0.5, 1.0,
                                                                                   2.0])
    pay = df.set_index(["plan", "attainment"])["pay"]
    # linear: 8% of monthly revenue, 3 months at attainment a of 100,000 -> 24,000 a
    assert pay["linear"].tolist() == pytest.approx([12_000, 24_000, 48_000])
    # quota bonus: nothing below the quarterly target, one quarter's target pay at it
    assert pay["quota_bonus"].tolist() == pytest.approx([0, 24_000, 24_000])
    # capped: 8% of quarterly revenue, at most 150% of 24,000
    assert pay["capped"].tolist() == pytest.approx([12_000, 24_000, 36_000])
    title, x, y = _labels(fig)
    assert "attainment" in title and "(%)" in x and "(CNY)" in y
    assert _has_hline(fig.axes[0], 24_000)  # the target incentive


def test_payout_curve_refuses_a_period_shorter_than_the_plans():
    with pytest.raises(ValueError, match="pays per quarter"):
        plots.payout_curve(["quota_bonus"], period="M")


def test_experiment_figures_hold_the_numbers_drawn(hand):
    fig, df = plots.kpi_distributions(hand, ["revenue", "pay"])
    assert len(df) == 2 * 4 * 2 and set(df["kpi"]) == {"revenue", "pay"}
    assert "(CNY)" in fig.axes[0].get_ylabel()

    fig, df = plots.forest(hand, kpis=["revenue", "pay"])
    d = df.set_index("kpi")
    assert d.loc["revenue", "relative"] == 0.0
    assert d.loc["pay", "relative"] == pytest.approx(0.1)  # B pays 10% more
    assert 0 < d.loc["pay", "rel_low"] < 0.1 < d.loc["pay", "rel_high"]  # clearly more
    assert "(% of its mean)" in fig.axes[0].get_xlabel()

    fig, df = plots.cost_vs_revenue(hand)
    cos = df.set_index(["plan", "replication"])["cost_of_sales"]
    assert cos["A"].tolist() == pytest.approx([0.08] * 4)
    assert cos["B"].tolist() == pytest.approx([0.088] * 4)
    assert _has_hline(fig.axes[0], 0.08)
    assert "(CNY)" in fig.axes[0].get_xlabel() and "(%)" in fig.axes[0].get_ylabel()

    fig, df = plots.pay_volatility(hand, attainment=1.0, tolerance=0.05)
    # only the second rep (attainment 1.00, 1.02, 1.04; 1.06 is out) is near 100%
    assert sorted(df["attainment"].unique().round(2)) == [1.0, 1.02, 1.04]
    assert len(df) == 2 * 3
    assert "(CNY)" in fig.axes[0].get_ylabel()


def test_revenue_by_working_day_counts_monday_to_friday(run):
    fig, df = plots.revenue_by_working_day(run.ledger, run.calendar)
    deals = run.ledger.deals
    # independent count: Monday-to-Friday days since the quarter's start, plus one
    start = deals["signed_on"].dt.to_period("Q").dt.start_time
    day = np.busday_count(start.to_numpy("datetime64[D]"),
                          deals["signed_on"].to_numpy("datetime64[D]")) + 1
    total = deals.groupby(day)["amount"].sum()
    # Monday to Friday: 2026Q1 has 22 + 20 + 22 = 64 days, 2026Q2 22 + 21 + 22 = 65; so
    # days 1-64 occur in both quarters and day 65 in one
    periods = np.array([2] * 64 + [1])
    assert df["periods"].tolist() == periods.tolist()
    assert df.set_index("working_day")["revenue"].to_numpy() == pytest.approx(
        total.reindex(range(1, 66), fill_value=0.0).to_numpy() / periods)
    title, x, y = _labels(fig)
    assert "working day" in title and "(days)" in x and "(CNY)" in y


def test_funnel_counts_leads_reaching_each_stage(run):
    fig, df = plots.funnel(run.ledger)
    reached = run.ledger.leads["stage"].map({s: i for i, s in enumerate(kpi.STAGES)})
    want = [(reached >= k).sum() for k in range(len(kpi.STAGES))]
    assert df["stage"].tolist() == list(kpi.STAGES)
    assert df["leads"].tolist() == pytest.approx(want)
    assert df["conversion"].iloc[1] == pytest.approx(want[1] / want[0])
    assert "funnel" in _labels(fig)[0].lower()


def test_cumulative_revenue_of_one_rep_against_target(run):
    fig, df = plots.cumulative_revenue(run.ledger, "R002")
    deals = run.ledger.deals[run.ledger.deals["rep_id"] == "R002"]
    monthly = deals.groupby(deals["signed_on"].dt.to_period("M").astype(str))["amount"].sum()
    assert df["cumulative"].tolist() == pytest.approx(monthly.cumsum().tolist())
    assert df["target"].tolist() == [100_000.0 * m for m in range(1, 7)]  # 100,000 a month
    assert "R002" in _labels(fig)[0] and "(CNY)" in _labels(fig)[2]
    with pytest.raises(ValueError, match="rep_id 'R999' is not in the ledger"):
        plots.cumulative_revenue(run.ledger, "R999")
