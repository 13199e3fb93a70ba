"""Evaluating a rollout: pilot panels, difference in differences, control charts (R3.1, R3.2)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from salessim import Scenario
from salessim.experiment import replication_seeds
from salessim.rollout import (
    control_chart,
    diff_in_diff,
    monthly_kpi,
    pilot_vs_control,
    pre_trend,
)

T975 = {1: 12.706204736, 2: 4.302652730, 4: 2.776445105}  # Student's t, 97.5% quantiles


def _panel(values: dict[str, list[float]], months: list[str], start: str,
           replication: int | None = None) -> pd.DataFrame:
    rows = []
    for region, xs in values.items():
        for month, x in zip(months, xs, strict=True):
            rows.append({"region": region, "month": month, "after": month >= start,
                         "collection_rate": x})
    frame = pd.DataFrame(rows)
    return frame if replication is None else frame.assign(replication=replication)


MONTHS = ["2026-05", "2026-06", "2026-07", "2026-08"]


# ---------------------------------------------------------------- difference in differences
def test_did_of_a_two_by_two_table_by_hand():
    # pilot before (0.70 + 0.72) / 2 = 0.71, after (0.80 + 0.82) / 2 = 0.81: change +0.10;
    # control before (0.60 + 0.64) / 2 = 0.62, after (0.65 + 0.67) / 2 = 0.66: change +0.04;
    # DiD = 0.10 - 0.04 = 0.06; after the start pilot - control = 0.81 - 0.66 = 0.15
    panel = _panel({"pilot": [0.70, 0.72, 0.80, 0.82], "control": [0.60, 0.64, 0.65, 0.67]},
                   MONTHS, "2026-07")
    est = diff_in_diff(panel)
    assert est.table.loc["pilot", ["before", "after"]].tolist() == pytest.approx([0.71, 0.81])
    assert est.table.loc["control", ["before", "after"]].tolist() == pytest.approx([0.62, 0.66])
    assert est.estimate == pytest.approx(0.06)
    assert est.pilot_change == pytest.approx(0.10)
    assert est.control_change == pytest.approx(0.04)
    assert est.after_gap == pytest.approx(0.15)
    # one pair of regions: Welch interval of the monthly gaps. Before 0.10, 0.08 (variance
    # 0.0002), after 0.15, 0.15 (variance 0): se = sqrt(0.0002 / 2) = 0.01, and the
    # Welch-Satterthwaite df = (0.0001)^2 / (0.0001^2 / 1) = 1 -> half width 12.706 x 0.01
    assert est.method == "months"
    assert est.interval.mean == pytest.approx(0.06)
    assert est.interval.half_width == pytest.approx(T975[1] * 0.01, rel=1e-6)
    assert est.summary().startswith("Difference in differences: +6.0 points (95% CI -")


def test_did_over_replications_is_the_t_interval_of_their_estimates():
    # three replications whose DiDs are 0.05, 0.07, 0.09 (the pilot's after is raised by
    # that much over a flat table): mean 0.07, sd 0.02, se 0.02 / sqrt(3), t(2) = 4.3027
    frames = []
    for rep, effect in enumerate((0.05, 0.07, 0.09)):
        frames.append(_panel({"pilot": [0.7, 0.7, 0.7 + effect, 0.7 + effect],
                              "control": [0.6, 0.6, 0.6, 0.6]}, MONTHS, "2026-07", rep))
    est = diff_in_diff(pd.concat(frames))
    assert est.method == "replications"
    assert est.per_replication.tolist() == pytest.approx([0.05, 0.07, 0.09])
    assert est.estimate == pytest.approx(0.07)
    assert est.interval.n == 3
    assert est.interval.half_width == pytest.approx(T975[2] * 0.02 / math.sqrt(3), rel=1e-6)


def test_the_control_change_is_subtracted_not_added():
    # a market that falls by 0.05 in both regions and a pilot that adds 0.08: the pilot's own
    # before/after shows +0.03, adding the control's change would give -0.02, the DiD +0.08
    panel = _panel({"pilot": [0.80, 0.80, 0.83, 0.83], "control": [0.70, 0.70, 0.65, 0.65]},
                   MONTHS, "2026-07")
    est = diff_in_diff(panel)
    assert est.pilot_change == pytest.approx(0.03)
    assert est.control_change == pytest.approx(-0.05)
    assert est.estimate == pytest.approx(0.08)


def test_months_missing_in_either_region_are_left_out_of_both():
    # control has no value in 2026-05: that month is dropped for the pilot too, so the
    # pilot's before is 0.72 (not 0.71); DiD = (0.81 - 0.72) - (0.66 - 0.64) = 0.07
    panel = _panel({"pilot": [0.70, 0.72, 0.80, 0.82],
                    "control": [np.nan, 0.64, 0.65, 0.67]}, MONTHS, "2026-07")
    est = diff_in_diff(panel)
    assert est.table.loc["pilot", "before"] == pytest.approx(0.72)
    assert est.estimate == pytest.approx(0.07)


@pytest.mark.parametrize("change, message", [
    (lambda p: p[p["region"] == "pilot"], "exactly 'pilot' and 'control'"),
    (lambda p: p.assign(region=p["region"].replace("control", "north")),
     "exactly 'pilot' and 'control'"),
    (lambda p: p[p["after"]], "has no month before the start"),
    (lambda p: pd.concat([p, p.iloc[[0]]]), "more than one row for region 'pilot'"),
    (lambda p: p.drop(columns="after"), "has no column after"),
    (lambda p: p.assign(after=[False, False, True, True, False, True, True, True]),
     "month '2026-06' is 'after' in one region"),
    (lambda p: p.assign(other=1.0), "name the KPI column"),
])
def test_bad_panels_are_refused_with_a_clear_message(change, message):
    panel = _panel({"pilot": [0.70, 0.72, 0.80, 0.82], "control": [0.60, 0.64, 0.65, 0.67]},
                   MONTHS, "2026-07")
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        diff_in_diff(change(panel))


# ---------------------------------------------------------------- parallel trends
def test_pre_trend_slope_of_the_gap_by_hand():
    # the gap pilot - control before the start grows by 0.01 a month across a year's end
    # (2025-11 to 2026-02): a straight line, slope 0.01, no residual -> a zero-width interval
    months = ["2025-11", "2025-12", "2026-01", "2026-02", "2026-03"]
    panel = _panel({"pilot": [0.70, 0.71, 0.72, 0.73, 0.90],
                    "control": [0.60, 0.60, 0.60, 0.60, 0.60]}, months, "2026-03")
    trend = pre_trend(panel)
    assert trend.mean == pytest.approx(0.01)
    assert trend.half_width == pytest.approx(0.0, abs=1e-12)
    assert trend.n == 4
    # gaps 0.10, 0.13, 0.10, 0.13 at months 0-3: x - 1.5 = -1.5, -0.5, 0.5, 1.5 (sum of
    # squares 5), y - 0.115 = -0.015, 0.015, -0.015, 0.015 -> slope 0.03 / 5 = 0.006;
    # residuals -0.006, 0.018, -0.018, 0.006 -> s^2 = 0.00072 / 2, se = sqrt(0.00036 / 5)
    noisy = _panel({"pilot": [0.70, 0.73, 0.70, 0.73, 0.90],
                    "control": [0.60, 0.60, 0.60, 0.60, 0.60]}, months, "2026-03")
    t2 = pre_trend(noisy)
    assert t2.mean == pytest.approx(0.006)
    assert t2.half_width == pytest.approx(T975[2] * math.sqrt(0.00036 / 5), rel=1e-6)


def test_pre_trend_over_replications():
    # slopes 0.00 and 0.02 a month in two replications: mean 0.01
    frames = [
        _panel({"pilot": [0.7, 0.7, 0.7, 0.8], "control": [0.6, 0.6, 0.6, 0.6]},
               MONTHS, "2026-08", 0),
        _panel({"pilot": [0.7, 0.72, 0.74, 0.8], "control": [0.6, 0.6, 0.6, 0.6]},
               MONTHS, "2026-08", 1),
    ]
    trend = pre_trend(pd.concat(frames))
    assert trend.mean == pytest.approx(0.01)
    assert trend.n == 2
    assert trend.low < 0 < trend.high


# ---------------------------------------------------------------- control charts
RATE = pd.Series([0.82, 0.85, 0.80, 0.84, 0.83, 0.81, 0.86, 0.82, 0.84, 0.83,
                  0.84, 0.79, 0.74, 0.78],
                 index=pd.period_range("2026-01", periods=14, freq="M").astype(str))


def test_individuals_chart_limits_by_hand():
    # baseline: the first 10 months, mean 8.30 / 10 = 0.83. Moving ranges 0.03, 0.05, 0.04,
    # 0.01, 0.02, 0.05, 0.04, 0.02, 0.01: sum 0.27, mean 0.03; sigma = 0.03 / 1.128 =
    # 0.026596; limits 0.83 -/+ 0.079787 = 0.750213 and 0.909787. Only 0.74 is beyond.
    chart = control_chart(RATE, baseline=10)
    sigma = 0.03 / 1.128
    assert chart["centre"].unique().tolist() == pytest.approx([0.83])
    assert chart["lcl"].iloc[0] == pytest.approx(0.83 - 3 * sigma)
    assert chart["ucl"].iloc[0] == pytest.approx(0.83 + 3 * sigma)
    assert chart["baseline"].tolist() == [True] * 10 + [False] * 4
    assert list(chart.index[chart["flag"]]) == ["2027-01"]
    assert chart.loc["2027-01", "beyond"] and not chart["run"].any()
    # the same baseline as a slice of labels, both ends included
    by_label = control_chart(RATE, baseline=slice("2026-01", "2026-10"))
    pd.testing.assert_frame_equal(chart, by_label)


def test_two_sigma_limits_are_narrower_and_flag_more():
    # at 2 sigma: 0.83 -/+ 0.053191 -> 0.776809 to 0.883191; 0.74 is beyond, 0.78 is not
    chart = control_chart(RATE, baseline=10, sigmas=2)
    assert chart["lcl"].iloc[0] == pytest.approx(0.83 - 2 * 0.03 / 1.128)
    assert list(chart.index[chart["flag"]]) == ["2027-01"]
    wider = control_chart(RATE.replace(0.78, 0.77), baseline=10, sigmas=2)
    assert list(wider.index[wider["flag"]]) == ["2027-01", "2027-02"]
    three = control_chart(RATE.replace(0.78, 0.77), baseline=10)
    assert list(three.index[three["flag"]]) == ["2027-01"]


def test_p_chart_limits_by_hand():
    # baseline: 248 paid in time of 300 due -> p = 0.826667. A month with n = 48:
    # sigma = sqrt(0.826667 x 0.173333 / 48) = 0.054639 -> limits 0.662750 and 0.990583;
    # n = 40: 0.826667 + 3 x 0.059870 = 1.0063, kept at 1
    due = [40, 50, 45, 55, 60, 50, 48]
    paid = [33, 41, 37, 46, 49, 42, 31]
    chart = control_chart(pd.Series(np.divide(paid, due)), baseline=6, n=due)
    p = 248 / 300
    assert chart["centre"].iloc[0] == pytest.approx(p)
    assert chart["lcl"].iloc[6] == pytest.approx(p - 3 * math.sqrt(p * (1 - p) / 48))
    assert chart["ucl"].iloc[6] == pytest.approx(p + 3 * math.sqrt(p * (1 - p) / 48))
    assert chart["ucl"].iloc[0] == 1.0
    assert chart["n"].tolist() == due
    # 31 / 48 = 0.6458 is below 0.6628: flagged; the baseline months are not
    assert chart["flag"].tolist() == [False] * 6 + [True]


def test_run_rule_flags_the_eighth_point_on_one_side():
    # centre 0.5 from a symmetric baseline; then 8 points just above it, inside the limits:
    # the 8th and later are flagged by the run rule, the first 7 are not (the baseline ends
    # below the centre, so the run starts after it). A NaN breaks a run.
    base = [0.55, 0.45] * 5
    series = pd.Series(base + [0.51] * 9 + [np.nan] + [0.51] * 7)
    chart = control_chart(series, baseline=10)
    assert chart["centre"].iloc[0] == pytest.approx(0.5)
    assert not chart["beyond"].any()
    assert chart["run"].tolist() == [False] * 17 + [True, True] + [False] * 8
    assert not control_chart(series, baseline=10, run=None)["flag"].any()


@pytest.mark.parametrize("kwargs, error, message", [
    ({"baseline": 1}, ValueError, "at least 2"),
    ({"baseline": 20}, ValueError, "20 points asked, the series has 14"),
    ({"baseline": slice("2025-01", "2026-10")}, ValueError, "'2025-01' is not a label"),
    ({"baseline": "2026"}, TypeError, "number of points or a slice"),
    ({"baseline": 10, "sigmas": 0}, ValueError, "sigmas: 0"),
    ({"baseline": 10, "run": 1}, ValueError, "run: 1"),
    ({"baseline": 10, "n": [50] * 13}, ValueError, "13 sizes for 14 points"),
    ({"baseline": 10, "n": [50] * 13 + [0]}, ValueError, "item count 0.0 at point '2027-02'"),
])
def test_bad_chart_arguments_are_explained(kwargs, error, message):
    with pytest.raises(error, match=message):
        control_chart(RATE, **kwargs)


def _flags(x: np.ndarray, baseline: int) -> pd.DataFrame:
    return control_chart(pd.Series(x), baseline=baseline)


@pytest.mark.slow
def test_a_stable_process_is_flagged_at_about_the_nominal_rate():
    # 300 independent series of normal noise: a baseline of 100 points and 100 monitored
    # points each (30,000 points). Nominal rates for a stable process: rule 1 at 3 sigma
    # 0.27%; the run rule, a point that ends 8 in a row on one side, 2 x 0.5^8 = 0.78%
    # once a run can have started. Estimating the centre and sigma from 100 points moves
    # these a little; tolerance: rule 1 within 0.1%-0.5%, the run rule within 0.5%-1.2%.
    beyond = run = total = 0
    for seed in range(300):
        x = np.random.default_rng(seed).normal(0.8, 0.03, 200)
        watched = _flags(x, 100).iloc[100:]
        beyond += int(watched["beyond"].sum())
        run += int(watched["run"].sum())
        total += len(watched)
    assert 0.001 <= beyond / total <= 0.005
    assert 0.005 <= run / total <= 0.012


@pytest.mark.slow
def test_a_drift_of_two_sigma_is_flagged_within_a_year():
    # 200 series: a baseline of 12 months, then 12 months lowered by 2 sigma. Rule 1 alone
    # catches each month with P(Z > 1) = 0.16; eight months in a row below the centre come
    # with probability 0.977^8 = 0.83 by month 8. Tolerance: at least 95% flagged within
    # the 12 months, and a flag in the 12 months without the drift in at most 25%.
    caught = false = 0
    for seed in range(200):
        noise = np.random.default_rng(seed).normal(0.8, 0.03, 24)
        caught += _flags(np.r_[noise[:12], noise[12:] - 0.06], 12).iloc[12:]["flag"].any()
        false += _flags(noise, 12).iloc[12:]["flag"].any()
    assert caught / 200 >= 0.95
    assert false / 200 <= 0.25


# ---------------------------------------------------------------- simulated panels
TINY = Scenario().with_team(2).with_overrides({"calendar.months": 4})


def test_monthly_kpi_switches_runs_at_the_start_month():
    before = monthly_kpi(TINY, 5)
    after = monthly_kpi(TINY.with_overrides({"payments.max_calls": 0}), 5)
    both = monthly_kpi(TINY, 5, change={"payments.max_calls": 0}, start="2026-03")
    assert both.index.tolist() == ["2026-01", "2026-02", "2026-03", "2026-04"]
    assert both.name == "collection_rate" and both.index.name == "month"
    pd.testing.assert_series_equal(both.iloc[:2], before.iloc[:2])
    pd.testing.assert_series_equal(both.iloc[2:], after.iloc[2:])
    assert math.isnan(both.iloc[0])  # nothing falls due in the first month


def test_pilot_vs_control_builds_the_panel_from_the_right_runs():
    change, control, common = ({"payments.max_calls": 0}, {"payments.grace_days": 10},
                               {"payments.late_mean_days": 50})
    panel = pilot_vs_control(TINY, change, "2026-03", control=control, common=common,
                             replications=2, seed=4)
    assert panel.columns.tolist() == ["replication", "seed", "region", "month", "after",
                                      "collection_rate"]
    assert len(panel) == 2 * 2 * 4
    seeds = replication_seeds(4, 4)
    assert panel.groupby(["replication", "region"])["seed"].first().to_dict() == {
        (0, "control"): seeds[1], (0, "pilot"): seeds[0],
        (1, "control"): seeds[3], (1, "pilot"): seeds[2]}
    assert panel["after"].tolist() == [False, False, True, True] * 4
    pilot = panel[(panel["replication"] == 1) & (panel["region"] == "pilot")]
    expected = monthly_kpi(TINY, seeds[2], change={**common, **change}, start="2026-03")
    assert pilot["collection_rate"].tolist() == pytest.approx(expected.tolist(), nan_ok=True)
    ctrl = panel[(panel["replication"] == 1) & (panel["region"] == "control")]
    expected = monthly_kpi(TINY.with_overrides(control), seeds[3], change=common,
                           start="2026-03")
    assert ctrl["collection_rate"].tolist() == pytest.approx(expected.tolist(), nan_ok=True)
    # the same seed gives the same panel; a longer experiment keeps the first replications
    again = pilot_vs_control(TINY, change, "2026-03", control=control, common=common,
                             replications=1, seed=4)
    pd.testing.assert_frame_equal(again, panel[panel["replication"] == 0])


@pytest.mark.parametrize("kwargs, message", [
    ({"start": "2026-01"}, "outside the simulated months after the first"),
    ({"start": "2026-09"}, "outside the simulated months"),
    ({"start": "July"}, "'July' is not a month"),
    ({"kpi": "profit"}, "'profit' is not a monthly KPI"),
    ({"replications": 0}, "replications must be a whole number >= 1"),
    ({"change": {"payments.max_cals": 3}}, "max_cals"),
])
def test_pilot_arguments_are_checked_before_any_run(kwargs, message):
    args = {"change": {"payments.max_calls": 0}, "start": "2026-03"} | kwargs
    with pytest.raises(ValueError, match=message):
        pilot_vs_control(TINY, **args)


def test_monthly_kpi_needs_change_and_start_together():
    with pytest.raises(ValueError, match="give both change"):
        monthly_kpi(TINY, 1, change={"payments.max_calls": 0})
