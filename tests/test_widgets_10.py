"""Lesson 10 dashboards: the incentive lab's paired differences, plots and costs (R3.2.1)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from salessim.experiment import KPIS, Results
from salessim.incentives import builtin_plan
from salessim.widgets import lesson10
from salessim.widgets.lesson10 import (
    analysed,
    compute_interval,
    cost_at_equal_results,
    even_share,
    format_range,
    format_value,
    lesson_scenario,
    plot_interval,
    plot_plan_means,
    run_lab,
)

T3 = 3.182446305284263  # Student's t, 97.5% quantile, 3 degrees of freedom (tables)
T2 = 4.302652729911275  # 2 degrees of freedom
T1 = 12.706204736174707  # 1 degree of freedom


def _results(values: dict[str, list[float]], kpi: str = "revenue",
             periods: tuple[str, ...] = ("2026Q2",), reps: int = 1, **fixed: float) -> Results:
    """Results of a comparison whose KPI ``kpi`` is ``values[plan][replication]`` for every
    rep and period; the other KPIs are 1, or as given in ``fixed``."""
    rows = []
    for plan, vals in values.items():
        for r, v in enumerate(vals):
            for period in periods:
                for k in range(reps):
                    row = {"point": 0, "plan": plan, "replication": r, "seed": 100 + r,
                           "period": period, "rep_id": f"R{k:03d}"}
                    row |= {name: 1.0 for name in KPIS} | fixed
                    row[kpi] = v
                    rows.append(row)
    config = {"plans": [builtin_plan(p).to_dict() if p in lesson10.PLANS else {"name": p}
                        for p in values],
              "grid": {}, "replications": max(len(v) for v in values.values()), "by": "rep",
              "period": "Q", "seed": 0, "scenario": {"name": "test"}}
    return Results(pd.DataFrame(rows), config)


# ---------------------------------------------------------------- the paired difference
def test_interval_by_hand_and_its_path():
    # differences 1,000, 3,000, 5,000, 7,000: mean 4,000, sd sqrt(20e6 / 3) = 2,582.0;
    # half-width t(3) x 2,582.0 / 2 = 4,108.5, so the interval is -108.5 to 8,108.5
    res = _results({"linear": [100_000, 200_000, 300_000, 400_000],
                    "accelerator": [101_000, 203_000, 305_000, 407_000]})
    r = compute_interval(res, "revenue", "accelerator")
    sd = math.sqrt(20e6 / 3)
    assert r.interval.mean == pytest.approx(4_000)
    assert r.interval.half_width == pytest.approx(T3 * sd / 2)
    assert (r.replications, r.available, r.baseline) == (4, 4, "linear")
    assert r.differences.tolist() == pytest.approx([1_000, 3_000, 5_000, 7_000])
    # the path: 2 replications (1,000, 3,000): mean 2,000, sd 1,414.2, t(1) x 1,414.2 / sqrt 2
    # = t(1) x 1,000; 3 replications: mean 3,000, sd 2,000, t(2) x 2,000 / sqrt 3
    assert r.path["replications"].tolist() == [2, 3, 4]
    assert r.path["difference"].tolist() == pytest.approx([2_000, 3_000, 4_000])
    assert r.path["half_width"].tolist() == pytest.approx(
        [T1 * 1_000, T2 * 2_000 / math.sqrt(3), T3 * sd / 2])
    assert r.verdict == "not clearly different"  # 4,000 - 4,108.5 < 0
    assert r.headline == "accelerator - linear: +4,000 CNY with 4 replications"
    assert r.range_text == ("95% CI -109 to +8,109 CNY, half-width 4,109 CNY: not clearly "
                            "different")


def test_fewer_replications_use_the_first_ones():
    res = _results({"linear": [0.80, 0.82, 0.85, 0.81], "regulation": [0.83, 0.86, 0.90, 0.85]},
                   kpi="collection_rate")
    # the first 3 differences: 3, 4, 5 points: mean 4, sd 1, half-width t(2) / sqrt 3 points
    r = compute_interval(res, "collection_rate", "regulation", 3)
    assert r.interval.n == 3 and r.interval.mean == pytest.approx(0.04)
    assert r.interval.half_width == pytest.approx(T2 * 0.01 / math.sqrt(3))
    assert r.verdict == "clearly higher"
    assert r.headline == "regulation - linear: +4.00 points with 3 replications"
    assert r.range_text.startswith("95% CI +1.52 to +6.48 points, half-width 2.48 points")
    assert r.available == 4 and len(r.path) == 3  # the path still covers every replication


def test_replications_are_paired_by_number_not_by_row_order():
    res = _results({"linear": [10.0, 20.0, 30.0], "quota_bonus": [11.0, 22.0, 33.0]},
                   kpi="new_customers")
    shuffled = Results(res.data.sample(frac=1.0, random_state=3).reset_index(drop=True),
                       res.config)
    r = compute_interval(shuffled, "new_customers", "quota_bonus")
    assert r.differences.tolist() == pytest.approx([1.0, 2.0, 3.0])
    assert r.headline == "quota_bonus - linear: +2.00 customers with 3 replications"


def test_identical_plans_are_the_same_in_every_replication():
    res = _results({"linear": [5.0, 6.0, 7.0], "regulation": [5.0, 6.0, 7.0]},
                   kpi="mean_discount")
    r = compute_interval(res, "mean_discount", "regulation")
    assert r.verdict == "the same in every replication"
    assert r.range_text == "the same in every replication: no range to show"


def test_ratio_kpis_are_ratios_of_the_replications_totals():
    # two reps per replication, each with period-end revenue 30 of revenue 100 (0.3) under
    # linear and 45 of 100 (0.45) under accelerator: +15 points in every replication
    res = _results({"linear": [30.0, 30.0], "accelerator": [45.0, 45.0]},
                   kpi="period_end_revenue", reps=2, revenue=100.0)
    r = compute_interval(res, "period_end_share", "accelerator")
    assert r.interval.mean == pytest.approx(0.15) and r.interval.half_width == 0


@pytest.mark.parametrize("kwargs, words", [
    ({"kpi": "profit"}, "unknown KPI 'profit'"),
    ({"plan": "linear"}, "plan 'linear' is not allowed: give one of quota_bonus"),
    ({"plan": "capped"}, "plan 'capped' is not allowed"),
    ({"replications": 1}, "replications: 1 is not allowed: give a whole number from 2 to 3"),
    ({"replications": 4}, "replications: 4 is not allowed"),
    ({"replications": True}, "replications: True is not allowed"),
    ({"replications": 2.5}, "replications: 2.5 is not allowed"),
])
def test_bad_requests_are_named(kwargs, words):
    res = _results({"linear": [1.0, 2.0, 3.0], "quota_bonus": [1.0, 2.5, 3.0]})
    with pytest.raises(ValueError, match=words):
        compute_interval(res, **{"kpi": "revenue", "plan": "quota_bonus"} | kwargs)


def test_a_sweep_is_refused():
    res = _results({"linear": [1.0, 2.0], "quota_bonus": [1.5, 2.5]})
    sweep = Results(res.data.assign(**{"team.reps": 3}), res.config | {"grid": {"team.reps": [3]}})
    with pytest.raises(ValueError, match="not a sweep"):
        compute_interval(sweep, "revenue", "quota_bonus")


@pytest.mark.parametrize("x, kpi, sign, text", [
    (4130.4, "revenue", True, "+4,130 CNY"),
    (-882.0, "pay", True, "-882 CNY"),
    (0.02571, "period_end_share", True, "+2.57 points"),
    (0.17412, "period_end_share", False, "17.41%"),
    (50.789, "new_customers", False, "50.79 customers"),
    (-0.0000001, "collection_rate", True, "+0.00 points"),
    (float("nan"), "revenue", True, "n/a"),
])
def test_format_value(x, kpi, sign, text):
    assert format_value(x, kpi, sign) == text


def test_format_range():
    assert format_range(-882.2, 31_073.4, "revenue") == "-882 to +31,073 CNY"
    assert format_range(0.0022, 0.0492, "collection_rate") == "+0.22 to +4.92 points"


# ---------------------------------------------------------------- plots
def test_plot_interval_draws_the_numbers_behind_it():
    res = _results({"linear": [0.80, 0.82, 0.85, 0.81], "regulation": [0.83, 0.86, 0.90, 0.85]},
                   kpi="collection_rate")
    r = compute_interval(res, "collection_rate", "regulation", 3)
    fig = plot_interval(r)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    mean = next(line for line in ax.get_lines() if line.get_label().startswith("mean of"))
    assert list(mean.get_xdata()) == [2, 3, 4]
    assert list(mean.get_ydata()) == pytest.approx(100 * r.path["difference"].to_numpy())
    used, unused = ax.collections[1:3]  # the band first, then the two sets of dots
    assert np.asarray(used.get_offsets()).ravel() == pytest.approx([1, 3, 2, 4, 3, 5])
    assert np.asarray(unused.get_offsets()).ravel() == pytest.approx([4, 4])
    assert [line.get_xdata()[0] for line in ax.get_lines()
            if line.get_linestyle() == "--"] == [3]  # the number used
    assert "percentage points" in ax.get_ylabel() and ax.get_xlabel() == "replication (x)"
    assert fig.get_suptitle() == "Collection rate: clearly higher with 3 replications"


def test_plot_plan_means_shows_each_plan_with_its_interval_and_the_reference():
    res = _results({"linear": [0.80, 0.82, 0.84], "regulation": [0.88, 0.90, 0.92]},
                   kpi="collection_rate")
    fig = plot_plan_means(res, "collection_rate", 0.9, "target")
    ax = fig.axes[0]
    assert [b.get_height() for b in ax.patches] == pytest.approx([82, 90])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["linear", "regulation"]
    target = ax.get_lines()[-1]
    assert list(target.get_ydata()) == pytest.approx([90, 90])
    assert target.get_label() == "target (90.00%)"
    # error bars: mean +/- t(2) x sd / sqrt(3), sd = 2 points
    caps = sorted({round(y, 6) for line in ax.get_lines()[:-1] for y in line.get_ydata()})
    half = T2 * 2 / math.sqrt(3)
    assert caps == pytest.approx(sorted([82 - half, 82 + half, 90 - half, 90 + half]))
    assert "(%)" in ax.get_ylabel() and "mean of 3 replications" in ax.get_title()


# ---------------------------------------------------------------- the period-end share
def test_even_share_counts_the_quarters_working_days():
    # Monday to Friday: 2026Q2 has 22 (April, from a Wednesday) + 21 (May, from a Friday) + 22
    # (June, from a Monday) = 65 working days; 2026Q1 22 + 20 + 22 = 64
    s = lesson_scenario()
    assert s.calendar.holidays == "weekends"
    assert even_share(s, "2026Q2") == pytest.approx(10 / 65)
    assert even_share(s, "2026Q1") == pytest.approx(10 / 64)
    assert even_share(s, "2026Q2", days=5) == pytest.approx(5 / 65)
    with pytest.raises(ValueError, match="2027Q1"):
        even_share(s, "2027Q1")


def test_analysed_drops_the_first_quarter_only():
    res = _results({"linear": [1.0, 2.0], "quota_bonus": [1.0, 2.0]},
                   periods=("2026Q1", "2026Q2", "2026Q3"))
    assert sorted(analysed(res).data["period"].unique()) == ["2026Q2", "2026Q3"]
    assert len(analysed(res).data) == 2 * len(res.data) // 3
    with pytest.raises(ValueError, match="one period"):
        analysed(_results({"linear": [1.0]}))


def test_lesson_scenario_has_pay_aware_reps_unless_told_otherwise():
    s = lesson_scenario()
    assert (s.team.reps, s.calendar.months) == (lesson10.REPS, lesson10.MONTHS)
    assert s.decision.incentive_sensitivity == 0.8
    assert lesson_scenario(0.0).decision.incentive_sensitivity == 0.0


def test_run_lab_pairs_replications_across_plans():
    # reps who follow the procedure (sensitivity 0) do the same whatever the plan, so on the
    # same replications every KPI but pay is equal; the first quarter is left out
    res = run_lab(plans=("linear", "quota_bonus"), replications=2, sensitivity=0.0)
    assert res.plans == ["linear", "quota_bonus"]
    assert res.data["period"].unique().tolist() == ["2026Q2"]
    assert len(res.data) == 2 * 2 * lesson10.REPS
    r = compute_interval(res, "revenue", "quota_bonus")
    assert r.verdict == "the same in every replication"
    assert (r.differences == 0).all()
    pay = compute_interval(res, "pay", "quota_bonus")
    assert not (pay.differences == 0).all()


# ---------------------------------------------------------------- cost at equal results
def test_cost_at_equal_results_by_hand():
    # linear's two rep-quarters: 300,000 CNY and 150,000 CNY, everything else on target
    # (50 new customers, retention 85%, collection rate 90%). Paid under each plan:
    #   linear      8%:                         24,000 and 12,000 -> 18,000
    #   quota_bonus 24,000 from 300,000 on:     24,000 and 0      -> 12,000
    #   accelerator 8% up to the target:        24,000 and 12,000 -> 18,000
    #   regulation  score 1 and 0.4 x 0.5 + 0.6 = 0.8: 24,000 and 19,200 -> 21,600
    res = _results({"linear": [300_000, 150_000], "quota_bonus": [300_000, 300_000],
                    "accelerator": [310_000, 160_000], "regulation": [300_000, 150_000]},
                   new_customers=50.0, retention_rate=0.85, collection_rate=0.9,
                   pay=20_000.0, attainment=1.0, meets_revenue=0.5)
    table = cost_at_equal_results(res)
    assert table.index.tolist() == list(lesson10.PLANS)
    assert table["pay_for_baseline_results"].tolist() == pytest.approx(
        [18_000, 12_000, 18_000, 21_600])
    assert table["from_changed_results"].tolist() == pytest.approx(
        [2_000, 8_000, 2_000, -1_600])
    assert (table["pay"] == 20_000).all() and (table["on_target"] == 0.5).all()


def test_cost_at_equal_results_prices_a_plans_own_results_at_its_pay():
    # the quarter's pay rules applied to the plan's own rows give back the pay the plan's rows
    # hold when they are what the plan pays (here built with Plan.pay)
    plan = builtin_plan("regulation")
    quarters = [(330_000.0, 40.0, 0.9, 0.8), (250_000.0, 55.0, 0.8, 0.95)]
    rows = []
    for r, (rev, new, ret, col) in enumerate(quarters):
        paid = sum(plan.pay("Q", {"revenue": rev, "new_customers": new, "retention": ret,
                                  "collection": col}).values())
        rows.append({"point": 0, "plan": "regulation", "replication": r, "seed": r,
                     "period": "2026Q2", "rep_id": "R001"} | {k: 1.0 for k in KPIS} | {
            "revenue": rev, "new_customers": new, "retention_rate": ret,
            "collection_rate": col, "pay": paid})
    res = Results(pd.DataFrame(rows), {"plans": [plan.to_dict()], "grid": {},
                                       "replications": 2, "by": "rep", "period": "Q"})
    table = cost_at_equal_results(res)
    assert table.loc["regulation", "from_changed_results"] == pytest.approx(0, abs=1e-6)


# ---------------------------------------------------------------- the dashboard
def test_dashboard_recomputes_from_the_results():
    res = _results({"linear": [0.15, 0.16, 0.17, 0.15], "quota_bonus": [0.17, 0.19, 0.18, 0.19],
                    "accelerator": [0.20, 0.16, 0.24, 0.15]}, kpi="period_end_share",
                   reps=1)
    # period_end_share is a ratio of totals: set it through period_end_revenue / revenue
    res = Results(res.data.assign(period_end_revenue=res.data["period_end_share"],
                                  revenue=1.0), res.config)
    box = lesson10.interval_dashboard(res)
    kpi, plan, n, shown, image = box.children
    assert (kpi.description, plan.description, n.description) == (
        "KPI", "Plan (against linear)", "Replications")
    assert (kpi.value, plan.value, n.value, n.min, n.max) == (
        "period_end_share", "quota_bonus", 4, 2, 4)
    assert plan.options == ("quota_bonus", "accelerator")
    assert "salessim-result" in shown._dom_classes and shown.description == "Difference"
    # differences 2, 3, 1, 4 points: mean 2.5, sd 1.291, half-width t(3) x 1.291 / 2 = 2.05
    assert "quota_bonus - linear: +2.50 points with 4 replications" in shown.value
    assert "half-width 2.05 points: clearly higher" in shown.value
    assert bytes(image.value).startswith(b"\x89PNG")
    n.value = 2  # 2 and 3 points: mean 2.5, half-width t(1) x 0.707 / 1.414 = 6.35
    assert "+2.50 points with 2 replications" in shown.value
    assert "half-width 6.35 points: not clearly different" in shown.value
    plan.value = "accelerator"  # 5 and 0 points
    assert "accelerator - linear: +2.50 points with 2 replications" in shown.value
    kpi.value = "pay"
    assert "the same in every replication" in shown.value


def test_widgets_module_imports_no_ipywidgets():
    import subprocess
    import sys

    code = "import sys, salessim.widgets.lesson10; print('ipywidgets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_no_nan_in_the_path_of_a_constant_difference():
    res = _results({"linear": [1.0, 2.0, 3.0], "quota_bonus": [2.0, 3.0, 4.0]})
    r = compute_interval(res, "revenue", "quota_bonus")
    assert np.isfinite(r.path[["difference", "low", "high", "half_width"]].to_numpy()).all()
    assert r.verdict == "clearly higher" and r.interval.half_width == 0
