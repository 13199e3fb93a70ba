"""Lesson 11 dashboards: a supervision chart after a drift, a pilot's estimate (R3.1, R3.2)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from salessim.rollout import control_chart, diff_in_diff, monthly_kpi
from salessim.widgets import lesson11
from salessim.widgets.lesson11 import (
    BASELINE,
    DRIFT,
    DRIFT_START,
    compute_did,
    compute_supervision,
    plot_chart,
    plot_panel,
)

# Ten baseline months alternating 0.80 / 0.84 (centre 0.82; every moving range 0.04, so
# sigma = 0.04 / 1.128 = 0.035461 and the limits are 0.82 -/+ 0.106383), then four months
# at 0.82. No month is flagged without a drift.
MONTHS = pd.period_range("2026-03", periods=14, freq="M").astype(str)
FLAT = pd.Series([0.80, 0.84] * 5 + [0.82] * 4, index=MONTHS, name="collection_rate")
LOWER = 0.82 - 3 * 0.04 / 1.128


# ---------------------------------------------------------------- the supervision chart
def test_no_drift_is_the_plain_chart():
    result = compute_supervision(FLAT, 0, start="2027-01", baseline=10)
    pd.testing.assert_frame_equal(result.chart, control_chart(FLAT, 10))
    assert result.watched == 4 and result.flagged == () and result.first is None
    assert result.headline == "No drift from 2027-01: 0 of 4 months flagged"


def test_a_drift_lowers_the_months_from_the_start_by_its_points():
    # 0.82 - 0.12 = 0.70 is below the lower limit 0.7136: every drifting month is beyond
    result = compute_supervision(FLAT, 12, start="2027-01", baseline=10)
    chart = result.chart
    assert chart["value"].iloc[:10].tolist() == FLAT.iloc[:10].tolist()
    assert chart["value"].iloc[10:].tolist() == pytest.approx([0.70] * 4)
    assert chart["lcl"].iloc[0] == pytest.approx(LOWER)
    assert result.flagged == ("2027-01", "2027-02", "2027-03", "2027-04")
    assert result.months_to_flag == 1
    assert "first flag 2027-01 (beyond a limit), in month 1 of the drift" in result.summary()
    # 0.82 - 0.10 = 0.72 is inside the limits: no month is beyond, and four months below
    # the centre are not yet a run of eight
    inside = compute_supervision(FLAT, 10, start="2027-01", baseline=10)
    assert inside.flagged == ()


def test_a_small_lasting_drift_is_caught_by_the_run_rule():
    # 12 months after the baseline, 3 points below the centre: the 8th is the first flag
    months = pd.period_range("2026-03", periods=22, freq="M").astype(str)
    series = pd.Series([0.80, 0.84] * 5 + [0.82] * 12, index=months)
    result = compute_supervision(series, 3, start="2027-01", baseline=10)
    assert result.first == "2027-08" and result.months_to_flag == 8
    assert not result.chart["beyond"].any()
    assert "(a run on one side of the centre)" in result.summary()


def test_the_drifted_rate_stays_a_rate_and_bad_drifts_are_refused():
    result = compute_supervision(FLAT, 90, start="2027-01", baseline=10)
    assert result.chart["value"].min() == 0.0
    for bad in (-1, "5", True):
        with pytest.raises(ValueError, match="drift"):
            compute_supervision(FLAT, bad)


def test_plot_chart_draws_limits_target_and_flags():
    result = compute_supervision(FLAT, 12, start="2027-01", baseline=10)
    fig = plot_chart(result.chart, "A drift", start="2027-01")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert ax.get_title() == "A drift" and ax.get_ylabel() == "collection rate (%)"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert {"centre line", "control limits", "flagged", "target (90%)", "from 2027-01"} <= set(
        labels)


# ---------------------------------------------------------------- the lesson's team
def test_the_drifting_team_is_the_following_team_until_the_drift():
    following, drifting = lesson11.team_series(), lesson11.drifting_series()
    assert following.index[0] == "2026-01" and len(following) == lesson11.MONTHS
    before = following.index < DRIFT_START
    pd.testing.assert_series_equal(drifting[before], following[before])
    without_calls = monthly_kpi(lesson11.team_scenario().with_overrides(DRIFT), lesson11.SEED)
    pd.testing.assert_series_equal(drifting[~before], without_calls[~before])
    # the widget's number is the package's chart of the shifted series
    result = compute_supervision(following, 5)
    shifted = following.where(before, following - 0.05)
    expected = control_chart(shifted, BASELINE)
    pd.testing.assert_frame_equal(result.chart, expected)
    assert len(result.flagged) == int(expected.loc[DRIFT_START:, "flag"].sum())


@pytest.mark.slow
def test_stopping_collection_calls_is_flagged_across_seeds():
    # A team that stops chasing overdue invoices loses several points of collection rate a
    # month; the chart (baseline 2026-03 to 2026-12) must flag it during the nine months of
    # the drift in at least 3 of 4 seeds, while the same team following the regulation is
    # flagged in those months in at most 1 of 4 (false alarms happen, rarely).
    caught = false = 0
    for seed in (1, 2, 3, 4):
        following, drifting = lesson11.team_series(seed), lesson11.drifting_series(seed)
        lost = (drifting - following).loc[DRIFT_START:].mean()
        assert lost < -0.02, (seed, lost)
        caught += bool(compute_supervision(drifting, 0).flagged)
        false += bool(compute_supervision(following, 0).flagged)
    assert caught >= 3 and false <= 1


# ---------------------------------------------------------------- the pilot's estimate
def _panel() -> pd.DataFrame:
    # three replications; replication r's DiD is 0.05 + 0.02 r (0.05, 0.07, 0.09)
    rows = []
    for r in range(3):
        for region, level in (("pilot", 0.75), ("control", 0.70)):
            for month, after in (("2026-05", False), ("2026-06", False), ("2026-07", True),
                                 ("2026-08", True)):
                bump = 0.05 + 0.02 * r if (region == "pilot" and after) else 0.0
                rows.append({"replication": r, "seed": r, "region": region, "month": month,
                             "after": after, "collection_rate": level + bump + 0.001 * r})
    return pd.DataFrame(rows)


def test_compute_did_uses_the_first_replications():
    panel = _panel()
    assert compute_did(panel).estimate == pytest.approx(0.07)
    two = compute_did(panel, 2)
    assert two.estimate == pytest.approx(0.06) and two.interval.n == 2
    assert two.estimate == diff_in_diff(panel[panel["replication"] < 2]).estimate
    one = compute_did(panel, 1)
    assert one.method == "months" and one.estimate == pytest.approx(0.05)
    with pytest.raises(ValueError, match="at least 1"):
        compute_did(panel, 0)


def test_plot_panel_draws_both_regions_and_the_gap():
    fig = plot_panel(_panel(), "2026-07")
    left, right = fig.axes
    assert [line.get_label() for line in left.get_lines()][:2] == ["pilot region",
                                                                   "control region"]
    assert left.get_ylabel() == "collection rate (%)"
    assert right.get_ylabel() == "pilot - control (points)"
    # the gap bars: 5 points before; after 5 + (5 + 7 + 9) / 3 = 12 points
    heights = [bar.get_height() for bar in right.patches]
    assert heights == pytest.approx([5.0, 5.0, 12.0, 12.0])


# ---------------------------------------------------------------- the dashboards
def test_supervision_dashboard_shows_the_flags_and_follows_the_slider():
    box = lesson11.supervision_dashboard(FLAT, drift=12, start="2027-01")
    slider, result, image = box.children
    assert slider.description == "Drift (points)" and slider.value == 12
    assert "salessim-result" in result._dom_classes and result.description == "Supervision"
    assert "4 of 4 months flagged" in result.value
    assert bytes(image.value).startswith(b"\x89PNG")
    slider.value = 0
    assert "No drift from 2027-01: 0 of 4 months flagged" in result.value


def test_did_dashboard_follows_the_replications_slider():
    box = lesson11.did_dashboard(_panel())
    slider, result, image = box.children
    assert slider.description == "Replications used" and slider.value == slider.max == 3
    assert "Effect +7.0 points" in result.value
    slider.value = 2
    assert "Effect +6.0 points" in result.value
    assert bytes(image.value).startswith(b"\x89PNG")


def test_widgets_module_imports_no_ipywidgets():
    import subprocess
    import sys

    code = ("import sys; import salessim.widgets.lesson11; "
            "print('ipywidgets' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_a_month_without_a_value_is_not_flagged():
    # a month without a value (NaN) is neither drifted nor flagged
    series = FLAT.copy()
    series.iloc[11] = np.nan
    result = compute_supervision(series, 12, start="2027-01", baseline=10)
    assert result.flagged == ("2027-01", "2027-03", "2027-04")
