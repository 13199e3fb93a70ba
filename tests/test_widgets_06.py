"""Lesson 06 dashboards: one rep's KPIs against the targets (R2.2.1.1, R2.2.1.2, R2.2.1.3)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from salessim import Ledger, Targets, kpi, sample_crm_dir
from salessim.widgets import lesson06
from salessim.widgets.lesson06 import (
    compute_dashboard,
    dashboard_periods,
    dashboard_reps,
    plot_dashboard,
    plot_revenue_by_month,
    revenue_by_month,
)

GREEN, RED = "#1a7f37", "#cf222e"
FIELDS = ["revenue", "revenue_target", "attainment", "new_customers", "new_customer_target",
          "retention_rate", "collection_rate", "meets_revenue", "meets_new_customers",
          "meets_retention", "meets_collection"]


@pytest.fixture(scope="module")
def ledger() -> Ledger:
    return Ledger.from_csv_dir(sample_crm_dir())


# ---------------------------------------------------------------- compute_dashboard
def test_r01_first_quarter_by_hand(ledger):
    r = compute_dashboard(ledger, "R01", "Q", "2026Q1")
    # deals D01-D04 signed 8 Jan - 18 Mar: 60,000 + 108,000 + 85,500 + 50,000
    assert r.revenue == 303_500 and r.revenue_target == 300_000
    assert r.attainment == pytest.approx(303_500 / 300_000)
    # C05 (20 Jan) and C06 (12 Feb) acquired in the quarter; the target is 50 a quarter
    assert (r.new_customers, r.new_customer_target) == (2, 50)
    # only C01 (October 2025) was a customer on 1 January, and it was not lost: 1 / 1
    assert r.retention_rate == 1.0 and r.retention_target == 0.85
    # I01 (60,000), I02 (108,000), I03 (85,500) fell due in Q1, each paid before its due date
    assert r.collection_rate == 1.0 and r.collection_target == 0.90
    assert (r.meets_revenue, r.meets_new_customers, r.meets_retention,
            r.meets_collection) == (True, False, True, True)
    assert r.met == 3
    assert r.summary() == (
        "R01, 2026Q1 (quarter): 3 of 4 targets met\n"
        "Revenue 303,500 CNY (101.2% of 300,000): met\n"
        "New customers 2 (target 50): not met\n"
        "Retention rate 100.0%, target 85%: met\n"
        "Collection rate 100.0%, target 90%: met"
    )


def test_r02_second_quarter_by_hand(ledger):
    r = compute_dashboard(ledger, "R02", "Q", "2026Q2")
    # D12 92,000 + D13 35,000 + D14 57,000 + D15 36,000
    assert r.revenue == 220_000 and not r.meets_revenue
    # opening customers C02, C08, C09; C02 lost on 30 April -> 2 of 3
    assert r.retention_rate == pytest.approx(2 / 3) and not r.meets_retention
    # due in Q2: I11 49,500 (paid), I12 92,000 (50,000 paid), I13 35,000 (paid)
    assert r.collection_rate == pytest.approx((49_500 + 50_000 + 35_000) / 176_500)
    assert r.met == 0
    assert "Retention rate 66.7%, target 85%: not met" in r.lines()
    assert "Collection rate 76.2%, target 90%: not met" in r.lines()


def test_undefined_rates_read_n_a_and_are_not_met(ledger):
    # R04 in January 2026: no deal, C04 (December 2025) kept, no invoice due in January
    r = compute_dashboard(ledger, "R04", "M", "2026-01")
    assert r.revenue == 0 and r.attainment == 0
    assert r.new_customer_target == pytest.approx(50 / 3)
    assert r.retention_rate == 1.0 and math.isnan(r.collection_rate)
    assert not r.meets_collection
    assert r.lines() == [
        "Revenue 0 CNY (0.0% of 100,000): not met",
        "New customers 0 (target 16.7): not met",
        "Retention rate 100.0%, target 85%: met",
        "Collection rate n/a (no invoice fell due), target 90%: not met",
    ]
    # a rep with no customers at all has no retention rate either
    reps = pd.concat([ledger.reps, pd.DataFrame({
        "rep_id": ["R05"], "name": ["New Hire"], "team": ["South"], "level": ["sales"],
        "hired_on": [pd.Timestamp("2026-01-05")]})], ignore_index=True)
    new = compute_dashboard(ledger.replace(reps=reps), "R05", "Q", "2026Q1")
    assert math.isnan(new.retention_rate) and not new.meets_retention
    assert new.lines()[2] == ("Retention rate n/a (no customers at the period's start), "
                              "target 85%: not met")
    assert new.of_target().isna().tolist() == [False, False, True, True]


@pytest.mark.parametrize("targets", [None, Targets(monthly_revenue=80_000,
                                                   quarterly_new_customers=3,
                                                   retention_rate=0.7, collection_rate=0.95),
                                     {"annual_revenue": 700_000}])
@pytest.mark.parametrize("kind", ["M", "Q", "Y"])
def test_every_rep_and_period_is_the_scorecard_row(ledger, kind, targets):
    card = kpi.scorecard(ledger, kind, targets=targets)
    goal = targets if isinstance(targets, Targets) else Targets(**(targets or {}))
    assert len(card) == len(dashboard_reps(ledger)) * len(dashboard_periods(ledger, kind))
    for row in card.itertuples(index=False):
        r = compute_dashboard(ledger, row.rep_id, kind, row.period, targets)
        assert (r.rep_id, r.period, r.period_kind) == (row.rep_id, row.period, kind)
        for field in FIELDS:
            want, got = getattr(row, field), getattr(r, field)
            assert got == want or (np.isnan(want) and np.isnan(got)), (row, field)
        assert (r.retention_target, r.collection_target) == (goal.retention_rate,
                                                             goal.collection_rate)
        assert r.met == sum(getattr(row, f) for f in FIELDS if f.startswith("meets_"))
        assert r.of_target()["revenue"] == pytest.approx(row.attainment)


def test_a_company_target_changes_the_verdict(ledger):
    senior = compute_dashboard(ledger, "R01", "Q", "2026Q1", Targets(quarterly_revenue=320_000))
    assert senior.revenue_target == 320_000 and not senior.meets_revenue
    assert senior.lines()[0] == "Revenue 303,500 CNY (94.8% of 320,000): not met"
    # 2 new customers reach a target of 2 a quarter (>=); retention target 100% is reached
    easy = compute_dashboard(ledger, "R01", "Q", "2026Q1",
                             {"quarterly_new_customers": 2, "retention_rate": 1.0})
    assert easy.meets_new_customers and easy.meets_retention and easy.met == 4
    assert easy.lines()[2] == "Retention rate 100.0%, target 100%: met"


def test_of_target_divides_each_value_by_its_target(ledger):
    r = compute_dashboard(ledger, "R02", "Q", "2026Q2")
    shares = r.of_target()
    assert list(shares.index) == ["revenue", "new customers", "retention", "collection"]
    assert shares.tolist() == pytest.approx([220_000 / 300_000, 1 / 50, (2 / 3) / 0.85,
                                             (134_500 / 176_500) / 0.90])
    zero = compute_dashboard(ledger, "R02", "Q", "2026Q2", {"quarterly_new_customers": 0})
    assert math.isnan(zero.of_target()["new customers"]) and zero.meets_new_customers


@pytest.mark.parametrize("rep, kind, period, words", [
    ("R01", "W", "2026Q1", "period must be 'M', 'Q' or 'Y'"),
    ("R01", "Q", "2027Q1", "period '2027Q1' is not a quarter of the ledger; its quarters: "
                           "2026Q1, 2026Q2"),
    ("R01", "M", "2026Q1", "'2026Q1' is not a month of the ledger; its months: 2026-01"),
    ("R09", "Q", "2026Q1", "rep 'R09' is not in the ledger; its reps: R01, R02, R03, R04"),
])
def test_bad_choices_are_explained(ledger, rep, kind, period, words):
    with pytest.raises(ValueError, match=words):
        compute_dashboard(ledger, rep, kind, period)


def test_the_ledger_and_targets_are_not_changed(ledger):
    before = {name: table.copy() for name, table in ledger.tables()}
    overrides = {"monthly_revenue": 90_000}
    compute_dashboard(ledger, "R03", "M", "2026-05", overrides)
    assert overrides == {"monthly_revenue": 90_000}
    for name, table in ledger.tables():
        pd.testing.assert_frame_equal(table, before[name])


def test_choices_offered(ledger):
    assert dashboard_reps(ledger) == ["R01", "R02", "R03", "R04"]
    assert dashboard_periods(ledger, "Q") == ["2026Q1", "2026Q2"]
    assert dashboard_periods(ledger, "month")[0] == "2026-01"
    assert dashboard_periods(ledger, "Y") == ["2026"]


# ---------------------------------------------------------------- plots
def test_dashboard_plot_shows_the_shares_in_the_verdicts_colours(ledger):
    r = compute_dashboard(ledger, "R01", "Q", "2026Q1")
    fig = plot_dashboard(r)
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    heights = [p.get_height() for p in ax.patches]
    assert heights == pytest.approx((100 * r.of_target()).tolist())
    assert [to_hex(p.get_facecolor()) for p in ax.patches] == [GREEN, RED, GREEN, GREEN]
    (line,) = ax.get_lines()
    assert list(line.get_ydata()) == [100, 100]  # the target
    texts = [t.get_text() for t in ax.texts]
    assert texts[0] == "303,500 CNY\nof 300,000" and texts[1] == "2\nof 50"
    assert "R01, 2026Q1" in ax.get_title() and "3 of 4 met" in ax.get_title()
    assert ax.get_ylabel() == "share of target (%)"


def test_dashboard_plot_leaves_an_undefined_rate_without_a_bar(ledger):
    r = compute_dashboard(ledger, "R04", "M", "2026-01")
    ax = plot_dashboard(r).axes[0]
    assert ax.patches[3].get_height() == 0
    assert ax.texts[3].get_text() == "n/a\ntarget 90%"


def test_revenue_by_month_by_hand(ledger):
    table = revenue_by_month(ledger)
    assert list(table.columns) == ["R01", "R02", "R03", "R04"]
    assert list(table.index) == [f"2026-{m:02d}" for m in range(1, 7)]
    # R01 in January: D01 60,000 + D02 108,000; R04 signed nothing in January
    assert table.loc["2026-01", "R01"] == 168_000 and table.loc["2026-01", "R04"] == 0
    # R03 in March: D19 60,000 + D20 90,250
    assert table.loc["2026-03", "R03"] == 150_250
    assert table.to_numpy().sum() == ledger.deals["amount"].sum()  # every deal, once


def test_revenue_plot_draws_the_table_and_the_target(ledger):
    table = revenue_by_month(ledger)
    fig = plot_revenue_by_month(table, 100_000)
    (ax,) = fig.axes
    bars = ax.patches
    assert len(bars) == table.size
    # bars are drawn rep by rep, each rep's months in order
    assert [b.get_height() for b in bars] == table.T.to_numpy().ravel().tolist()
    (line,) = ax.get_lines()
    assert list(line.get_ydata()) == [100_000, 100_000]
    assert "100,000 CNY" in line.get_label()
    assert ax.get_ylabel() == "revenue (CNY)" and ax.get_xlabel() == "month"
    assert "target" in ax.get_title()


# ---------------------------------------------------------------- the widget
def test_dashboard_widget_shows_the_numbers_and_follows_the_controls(ledger):
    box = lesson06.kpi_dashboard(ledger, rep_id="R01", period_kind="Q", period="2026Q1")
    (rep, kind, period), numbers, image = box.children[0].children, *box.children[1:]
    assert (rep.description, kind.description, period.description) == (
        "Rep", "Period kind", "Period")
    assert "salessim-result" in numbers._dom_classes and numbers.description == "KPIs"
    assert "Revenue 303,500 CNY (101.2% of 300,000)" in numbers.value
    assert bytes(image.value).startswith(b"\x89PNG")
    assert period.options == ("2026Q1", "2026Q2")

    def revenue_shown() -> float:
        text = numbers.value.split("Revenue ")[1].split(" CNY")[0]
        return float(text.replace(",", ""))

    def revenue_of(rep_id, kind_, label) -> float:
        rev = kpi.revenue(ledger, kind_)
        return rev.loc[(rev["rep_id"] == rep_id) & (rev["period"] == label), "revenue"].item()

    period.value = "2026Q2"
    assert revenue_shown() == revenue_of("R01", "Q", "2026Q2")
    kind.value = "M"  # the month holding the start of 2026Q2
    assert period.options[0] == "2026-01" and period.value == "2026-04"
    assert revenue_shown() == revenue_of("R01", "M", "2026-04")
    assert "R01, 2026-04 (month)" in numbers.value
    rep.value = "R02"
    assert revenue_shown() == revenue_of("R02", "M", "2026-04")
    assert "Retention rate 66.7%" in numbers.value  # C02 lost on 30 April
    kind.value = "Y"
    assert period.value == "2026" and revenue_shown() == revenue_of("R02", "Y", "2026")


def test_dashboard_widget_defaults_to_the_first_rep_and_period(ledger):
    box = lesson06.kpi_dashboard(ledger)
    (rep, kind, period), numbers = box.children[0].children, box.children[1]
    assert (rep.value, kind.value, period.value) == ("R01", "Q", "2026Q1")
    assert "R01, 2026Q1 (quarter)" in numbers.value


def test_widget_module_imports_no_ipywidgets():
    import subprocess
    import sys

    code = "import sys, salessim.widgets.lesson06; print('ipywidgets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
