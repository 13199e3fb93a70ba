"""Lesson 05 dashboards: delivery capacity (R2.1.4.1), revisits and retention (R2.1.4.3,
R2.2.1.2)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from salessim import Ledger, kpi, load_scenario, sample_crm_dir, simulate
from salessim.widgets import lesson05
from salessim.widgets.lesson05 import (
    AfterSalesResult,
    compute_after_sales,
    compute_delivery,
    lesson_scenario,
    plot_after_sales,
    plot_delivery,
    revisit_curve,
    revisit_interval,
)

# Seeds of the statistical checks: not those of the lesson's runs.
CHECK_SEEDS = (11, 12, 13, 14, 15)


def _result(**changes) -> AfterSalesResult:
    """A result typed in by hand (no simulation)."""
    values = dict(revisits_per_year=6.0, interval_days=248 / 6, capacity_per_day=4.8, seed=2,
                  quarter="2026Q4", retention_rate=0.85, target=0.85, opening_customers=200,
                  lost_customers=30, referral_leads=150, referral_customers=40,
                  revisit_hours=260.4, mean_delay_days=0.25, revenue=3_750_000.0)
    return AfterSalesResult(**(values | changes))


# ---------------------------------------------------------------- the lesson's team
def test_revisit_interval_by_hand():
    # 2026 under China's calendar: 261 weekdays - 19 public holidays on weekdays + 6
    # weekend days worked in exchange = 248 working days; 6 a year: every 248 / 6
    assert revisit_interval(6) == pytest.approx(248 / 6)
    assert revisit_interval(1) == 248
    assert revisit_interval(0) == 0  # the scenario's "never"
    with pytest.raises(ValueError, match="revisits_per_year must be a number >= 0, got -1"):
        revisit_interval(-1)


def test_lesson_scenario_is_the_default_business_for_three_reps():
    default = load_scenario("default")
    s = lesson_scenario()
    assert (s.team.reps, s.calendar.months) == (3, 12)
    # with_team scales the team totals by 3 / 10: capacity 16 -> 4.8, web leads 28.5 -> 8.55
    assert s.fulfilment.capacity_per_day == pytest.approx(4.8)
    assert s.channels.web.rate_per_day == pytest.approx(8.55)
    assert s.after_sales.revisit_interval_days == default.after_sales.revisit_interval_days
    changed = lesson_scenario(revisits_per_year=12, capacity_per_day=2.5)
    assert changed.after_sales.revisit_interval_days == pytest.approx(248 / 12)
    assert changed.fulfilment.capacity_per_day == 2.5
    assert lesson_scenario(0).after_sales.revisit_interval_days == 0
    assert lesson_scenario().after_sales.revisit_interval_days == 45  # unchanged


def test_opening_and_lost_customers_by_hand():
    customers = pd.DataFrame({
        "customer_id": ["A", "B", "C", "D", "E"],
        "lead_id": [None] * 5,
        "rep_id": ["R1"] * 5,
        "acquired_on": pd.to_datetime(["2026-08-01", "2026-09-30", "2026-10-05",
                                       "2026-03-01", "2026-02-01"]),
        "churned_on": pd.to_datetime([None, "2026-10-01", "2026-11-01", "2026-09-30",
                                      "2026-12-31"]),
    })
    # A kept; B lost on Q4's first day; C won and lost inside Q4 (not an opening
    # customer); D gone before Q4; E lost on Q4's last day -> opening A, B, E; lost B, E
    assert lesson05._opening_and_lost(customers, "2026Q4") == (3, 2)
    sample = Ledger.from_csv_dir(sample_crm_dir())
    ledger = Ledger.from_tables(customers=customers, **{
        name: sample.table(name).iloc[:0] for name in ("deals", "invoices", "payments")})
    rates = kpi.retention_rate(ledger, "Q", by="company").set_index("period")
    assert rates.loc["2026Q4", "retention_rate"] == pytest.approx(1 / 3)


# ---------------------------------------------------------------- one run
@pytest.fixture(scope="module")
def runs() -> dict[tuple[int, int], AfterSalesResult]:
    """No revisits and 12 a year, on the same seeds (common random numbers)."""
    return {(f, seed): compute_after_sales(f, seed) for f in (0, 12) for seed in CHECK_SEEDS}


def test_a_run_agrees_with_its_ledger_and_the_kpi():
    result = compute_after_sales(6, seed=3)
    run = simulate(lesson_scenario(6), seed=3, trace=False)
    ledger = run.ledger
    assert result.quarter == "2026Q4"
    rates = kpi.retention_rate(ledger, "Q", by="company").set_index("period")
    assert result.retention_rate == rates.loc["2026Q4", "retention_rate"]
    assert result.retention_rate == pytest.approx(result.kept_customers
                                                  / result.opening_customers)
    referral = ledger.leads[ledger.leads["channel"] == "referral"]
    assert result.referral_leads == len(referral) > 0
    assert result.referral_customers == (referral["outcome"] == "won").sum()
    assert result.revenue == pytest.approx(ledger.deals["amount"].sum())
    assert result.mean_delay_days == pytest.approx(run.orders["queue_days"].mean())
    assert result.interval_days == pytest.approx(248 / 6)
    # revisits take 0.3 h on average (0.3 / skill ** 0.5, skills about 1): the hours are
    # about 0.3 x the number of revisit activities
    revisits = (ledger.activities["task"] == "revisit").sum()
    assert 0.2 * revisits < result.revisit_hours < 0.4 * revisits
    assert lesson05._after_sales(run, 6) == result  # a fresh run: same seed, same numbers


def test_without_revisits_no_hours_go_to_them(runs):
    assert all(runs[0, seed].revisit_hours == 0 for seed in CHECK_SEEDS)
    assert all(runs[12, seed].revisit_hours > 100 for seed in CHECK_SEEDS)


def test_revisits_raise_retention_and_referrals_across_seeds(runs):
    # Twelve revisits a year against none, on five seeds. Over 6 seeds of the lesson's team
    # the means were about 87% against 81% (6 points), and the difference of one seed
    # varies by about 3 points: the mean of five differences must exceed 3 points.
    diffs = [runs[12, s].retention_rate - runs[0, s].retention_rate for s in CHECK_SEEDS]
    assert np.mean(diffs) > 0.03, diffs
    # Each revisit of a satisfied customer may bring a referral: several times as many
    # referral leads (about 280 against 70 a year), so more in every single seed.
    assert all(runs[12, s].referral_leads > 1.5 * runs[0, s].referral_leads
               for s in CHECK_SEEDS)


# ---------------------------------------------------------------- the result by hand
def test_result_text_by_hand():
    r = _result()
    assert r.kept_customers == 170 and r.meets_target  # 170 / 200 = 85%, target reached
    assert r.headline == "Retention rate 2026Q4: 85.0% (target 85%)"
    assert r.setting == "6 revisits a year (every 41.3 working days)"
    assert r.summary().splitlines() == [
        "6 revisits a year (every 41.3 working days), seed 2:",
        "Retention rate 2026Q4: 85.0% (target 85%): meets the target",
        "170 of 200 customers kept through 2026Q4, 30 lost",
        "150 referral leads in the year, 40 of them won",
        "260 rep hours on revisits; revenue 3,750,000 CNY",
    ]
    low = _result(revisits_per_year=0.0, interval_days=0.0, retention_rate=0.8,
                  lost_customers=40)
    assert not low.meets_target and low.setting == "no revisits"
    assert "misses the target" in low.summary()
    assert "#cf222e" in low._repr_html_() and "#1a7f37" in r._repr_html_()


def test_curve_averages_the_runs_of_each_setting(monkeypatch):
    # stand-in runs: retention 0.80 + 0.01 x frequency + 0.02 x seed, referrals 10 x seed
    def fake(f, seed):
        return _result(revisits_per_year=float(f), retention_rate=0.80 + 0.01 * f + 0.02 * seed,
                       referral_leads=10 * seed, revisit_hours=5.0 * f)

    monkeypatch.setattr(lesson05, "compute_after_sales", fake)
    curve = revisit_curve((0, 4), seeds=(1, 2, 3))
    assert curve.index.tolist() == [0.0, 4.0]
    # frequency 4: 0.84 + (0.02, 0.04, 0.06) -> mean 0.88, lowest 0.86, highest 0.90
    assert curve.loc[4.0, "retention_rate"] == pytest.approx(0.88)
    assert curve.loc[4.0, ["retention_low", "retention_high"]].tolist() == pytest.approx(
        [0.86, 0.90])
    assert curve.loc[0.0, "referral_leads"] == 20  # (10 + 20 + 30) / 3
    assert curve.loc[4.0, "revisit_hours"] == 20
    assert curve["runs"].tolist() == [3, 3]
    with pytest.raises(ValueError, match="at least one seed"):
        revisit_curve((0,), seeds=())


# ---------------------------------------------------------------- the plot
def _curve() -> pd.DataFrame:
    return pd.DataFrame({
        "revisits_per_year": [0.0, 6.0, 12.0],
        "retention_rate": [0.80, 0.85, 0.88], "retention_low": [0.78, 0.84, 0.86],
        "retention_high": [0.83, 0.86, 0.89], "referral_leads": [70.0, 150.0, 280.0],
        "revisit_hours": [0.0, 260.0, 560.0], "runs": [3, 3, 3],
    }).set_index("revisits_per_year")


def test_plot_draws_the_curve_the_target_and_the_run():
    fig = plot_after_sales(_curve(), _result(retention_rate=0.847))
    assert isinstance(fig, Figure)
    left, right = fig.axes
    lines = {line.get_label(): line for line in left.get_lines()}
    assert list(lines["mean of 3 runs"].get_ydata()) == pytest.approx([80, 85, 88])
    assert list(lines["target 85% (R2.2.1.2)"].get_ydata()) == [85, 85]
    assert list(lines["this run (seed 2)"].get_xydata()[0]) == pytest.approx([6, 84.7])
    referrals = {line.get_label(): line for line in right.get_lines()}
    assert list(referrals["mean of 3 runs"].get_ydata()) == [70, 150, 280]
    assert list(referrals["this run (seed 2)"].get_ydata()) == [150]
    assert "(%)" in left.get_ylabel() and "(count)" in right.get_ylabel()
    assert left.get_xlabel() == "revisits per customer per year"
    assert "2026Q4" in left.get_title()
    # without a run: only the curve and the target given
    bare = plot_after_sales(_curve(), target=0.9).axes[0]
    assert [line.get_label() for line in bare.get_lines()] == ["mean of 3 runs",
                                                             "target 90% (R2.2.1.2)"]


# ---------------------------------------------------------------- the dashboard
def test_dashboard_shows_the_run_and_follows_the_slider(runs):
    seed = CHECK_SEEDS[0]
    box = lesson05.after_sales_dashboard(_curve(), revisits_per_year=0, seed=seed)
    slider, numbers, image = box.children
    assert slider.description == "Revisits per year" and slider.value == 0
    assert (slider.min, slider.max) == (0, 24)
    assert "salessim-result" in numbers._dom_classes and numbers.description == "Retention"
    assert runs[0, seed].headline in numbers.value and "no revisits" in numbers.value
    assert bytes(image.value).startswith(b"\x89PNG")
    slider.value = 12
    assert runs[12, seed].headline in numbers.value
    assert "12 revisits a year" in numbers.value
    assert lesson05.after_sales_dashboard(_curve()).children[0].value == 6  # the default


# ---------------------------------------------------------------- delivery (R2.1.4.1)
def test_delivery_numbers_agree_with_the_orders():
    d = compute_delivery(4.8, seed=3)
    orders = simulate(lesson_scenario(capacity_per_day=4.8), seed=3).orders
    assert d.orders == len(orders) == d.by_month["orders"].sum()
    assert d.mean_delay_days == pytest.approx(orders["queue_days"].mean())
    assert d.max_delay_days == orders["queue_days"].max()
    assert d.waited_share == pytest.approx((orders["queue_days"] > 0).mean())
    # 248 working days in 2026: the backlog has one count per working day
    assert len(d.backlog) == 248 and d.orders_per_day == pytest.approx(d.orders / 248)
    assert d.utilisation == pytest.approx(d.orders / 248 / 4.8)
    assert d.by_month.index.tolist() == [f"2026-{m:02d}" for m in range(1, 13)]


def test_unlimited_capacity_means_no_waiting():
    d = compute_delivery(math.inf, seed=3)
    assert d.mean_delay_days == d.max_delay_days == d.waited_share == 0
    assert d.backlog.max() == 0 and d.utilisation == 0


@pytest.mark.parametrize("seed", CHECK_SEEDS[:3])
def test_a_team_too_small_for_the_orders_makes_them_wait(seed):
    # The seeds sign 2.3 to 2.9 orders a working day. With capacity 2 the delivery team
    # falls behind (utilisation above 100%): waits build up through the year, to weeks on
    # average; with 6 a day (utilisation below 50%) an order waits a fraction of a day.
    short, ample = compute_delivery(2.0, seed), compute_delivery(6.0, seed)
    assert short.utilisation > 1 > 2 * ample.utilisation
    assert short.mean_delay_days > 5 > 0.5 > ample.mean_delay_days
    assert short.backlog.iloc[-20:].mean() > short.backlog.iloc[:120].mean()


def test_delivery_text_and_plot():
    d = compute_delivery(2.5, seed=3)
    assert d.headline == f"Mean delivery delay {d.mean_delay_days:.1f} working days"
    assert f"utilisation {d.utilisation:.0%}" in d.summary()
    fig = plot_delivery(d)
    left, right = fig.axes
    assert list(left.get_lines()[0].get_ydata()) == d.backlog.tolist()
    assert [p.get_height() for p in right.patches] == pytest.approx(
        d.by_month["mean_delay_days"].tolist())
    assert "(count)" in left.get_ylabel() and "(working days)" in right.get_ylabel()
    assert "2.5 orders a day" in fig.get_suptitle()


def test_delivery_dashboard_follows_the_slider():
    box = lesson05.delivery_dashboard(seed=3)
    slider, numbers, image = box.children
    assert slider.description == "Capacity (orders/day)" and slider.value == 4.8
    assert "salessim-delivery-result" in numbers._dom_classes
    assert compute_delivery(4.8, seed=3).headline in numbers.value
    slider.value = 2.5
    assert compute_delivery(2.5, seed=3).headline in numbers.value
    assert bytes(image.value).startswith(b"\x89PNG")


def test_widget_module_imports_no_ipywidgets():
    import subprocess
    import sys

    code = "import sys, salessim.widgets.lesson05; print('ipywidgets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
