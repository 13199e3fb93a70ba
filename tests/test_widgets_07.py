"""Lesson 07 dashboards: the "what will I earn" calculator and payout curves (R2.2.2.1)."""

from __future__ import annotations

import math

import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from salessim.incentives import (
    BUILTIN_PLANS,
    Clawback,
    Commission,
    Gate,
    Plan,
    PlanError,
    Scorecard,
    Uplift,
    Weights,
    builtin_plan,
    marginal_pay,
)
from salessim.regulation import Targets
from salessim.widgets import lesson07
from salessim.widgets.lesson07 import (
    DEFAULTS,
    compute_earnings,
    payout_curve,
    plot_earnings,
    plot_payout_curve,
)

AT_TARGET = dict(new_customers=50, retention=0.85, collection=0.90)


# ---------------------------------------------------------------- by hand
def test_regulation_plan_by_hand():
    # revenue 360,000 = 120% of 300,000; the other indicators exactly at target.
    # score = 0.4 x 1.2 + 0.2 x 1 + 0.2 x 1 + 0.2 x 1 = 1.08 -> 1.08 x 24,000 = 25,920;
    # uplift on the excess over the target bonus: 0.25 x (25,920 - 24,000) = 480
    r = compute_earnings("regulation", 360_000, **AT_TARGET)
    assert r.by_component == pytest.approx({"scorecard": 25_920, "uplift": 480})
    assert r.total == pytest.approx(26_400)
    assert r.headline == "Total 26,400 CNY this quarter"
    assert r.attainment == pytest.approx(1.2)
    assert r.targets.target_pay == 24_000
    # 10,000 more: score + 0.4 x 10,000 / 300,000 -> + 320, uplift + 0.25 x 320 = 80
    assert r.marginal == pytest.approx(400)
    assert r.summary().splitlines()[-2:] == [
        "Total 26,400 CNY this quarter (target incentive 24,000 CNY)",
        "The next 10,000 CNY of revenue would add 400 CNY.",
    ]


@pytest.mark.parametrize("plan, revenue, total, marginal", [
    # 8% of 360,000, paid as three months of 120,000; the next 10,000: 800
    ("linear", 360_000, 28_800, 800),
    ("collected", 360_000, 28_800, 800),  # cash collected taken equal to revenue
    # a lump sum of one quarter's target incentive from 300,000 on
    ("quota_bonus", 299_000, 0, 24_000),
    ("quota_bonus", 300_000, 24_000, 0),
    # 8% up to 300,000, 16% above: 24,000 + 0.16 x 60,000 = 33,600; next 10,000 at 16%
    ("accelerator", 360_000, 33_600, 1_600),
    # 8% of 600,000 = 48,000, capped at 1.5 x 24,000 = 36,000; nothing more at the cap
    ("capped", 600_000, 36_000, 0),
    ("capped", 440_000, 35_200, 800),
])
def test_built_in_plans_by_hand(plan, revenue, total, marginal):
    r = compute_earnings(plan, revenue, **AT_TARGET)
    assert r.total == pytest.approx(total)
    assert r.marginal == pytest.approx(marginal)


def test_regulation_counts_every_indicator_and_caps_them():
    # revenue 480,000 -> 1.6, counted as 1.5; 40 new customers -> 0.8; retention 0.935 ->
    # 1.1; collection 0.855 -> 0.95. score = 0.6 + 0.16 + 0.22 + 0.19 = 1.17 -> 28,080;
    # uplift 0.25 x 4,080 = 1,020. Above the cap more revenue adds nothing.
    r = compute_earnings("regulation", 480_000, 40, 0.935, 0.855)
    assert r.total == pytest.approx(29_100)
    assert r.marginal == pytest.approx(0)
    # below the target bonus there is no uplift: score 0.4 x 0.5 + 0.6 = 0.8 -> 19,200
    low = compute_earnings("regulation", 150_000, **AT_TARGET)
    assert low.by_component == pytest.approx({"scorecard": 19_200, "uplift": 0})


# ---------------------------------------------------------------- against the package
@pytest.mark.parametrize("plan", BUILTIN_PLANS)
@pytest.mark.parametrize("revenue, new, retention, collection", [
    (0, 0, 0.0, 0.0), (150_000, 20, 0.7, 0.8), (300_000, 50, 0.85, 0.9),
    (420_000, 65, 0.95, 1.0), (900_000, 120, 1.0, 0.5),
])
def test_totals_are_the_packages_pay(plan, revenue, new, retention, collection):
    p = builtin_plan(plan)
    r = compute_earnings(plan, revenue, new, retention, collection)
    quarter = {"revenue": revenue, "collected": revenue, "new_customers": new,
               "retention": retention, "collection": collection}
    if p.periods == ("Q",):
        expected = p.pay("Q", quarter)
    else:  # a monthly plan: three equal months
        month = quarter | {k: quarter[k] / 3 for k in ("revenue", "collected", "new_customers")}
        expected = {k: 3 * v for k, v in p.pay("M", month).items()}
    assert r.by_component == pytest.approx(expected)
    step = {"revenue": 10_000, "collected": 10_000}
    state = {"Q": quarter} if p.periods == ("Q",) else {"M": month}
    assert r.marginal == pytest.approx(marginal_pay(p, state, step))


def test_a_plan_of_ones_own_with_a_gate_and_a_whole_uplift():
    plan = Plan(name="mine", components=[
        Scorecard(period="Q"),
        Uplift(period="Q", applies_to=["scorecard"], basis="whole"),
        Gate(period="Q", measures=["collection"]),
    ])
    # gate open at 90%: score 1.08 -> 25,920, whole uplift 0.25 x 25,920 = 6,480
    open_ = compute_earnings(plan, 360_000, **AT_TARGET)
    assert open_.by_component == pytest.approx({"scorecard": 25_920, "uplift": 6_480,
                                                "gate": 0})
    # collection 89%: the gate takes back scorecard and uplift, shown as a negative amount
    shut = compute_earnings(plan, 360_000, 50, 0.85, 0.89)
    assert shut.total == pytest.approx(0) and shut.by_component["gate"] < 0
    assert shut.headline == "Total 0 CNY this quarter"


def test_yearly_components_show_a_quarters_share():
    plan = Plan(name="yearly", components=[Commission(period="Y", rate=0.05)])
    # a year of four quarters of 300,000 pays 0.05 x 1,200,000 = 60,000; a quarter's share
    r = compute_earnings(plan, 300_000, **AT_TARGET)
    assert r.total == pytest.approx(15_000)
    assert r.marginal == pytest.approx(500)


def test_targets_are_used():
    t = Targets(monthly_revenue=80_000)  # 240,000 a quarter, 19,200 target incentive
    r = compute_earnings("quota_bonus", 250_000, **AT_TARGET, targets=t)
    assert r.total == pytest.approx(19_200) and r.targets.revenue == 240_000


def test_clawbacks_and_negative_totals_are_shown_as_such():
    plan = Plan(name="claw", components=[Clawback(period="Q", on="lost_customers", days=90,
                                                  rate=0.08)])
    r = compute_earnings(plan, 100_000, **AT_TARGET)
    assert r.by_component == {"clawback": 0.0}  # no lost-customer base in a calculator
    assert "-0" not in r.summary()


@pytest.mark.parametrize("args, words", [
    ((-1, 50, 0.85, 0.9), "revenue: -1 is not allowed: must be >= 0"),
    ((300_000, -2, 0.85, 0.9), "new_customers: -2"),
    ((300_000, 50, 85, 0.9), "retention: 85 is not allowed: must be between 0 and 1; give "
                             "a fraction, e.g. 0.85 for 85%"),
    ((300_000, 50, 0.85, 1.2), "collection: 1.2 is not allowed"),
    ((300_000, 50, float("nan"), 0.9), "retention: nan"),
])
def test_bad_inputs_are_named(args, words):
    with pytest.raises(ValueError, match=words.replace("(", r"\(")):
        compute_earnings("regulation", *args)


def test_wrong_types_and_unknown_plans():
    with pytest.raises(TypeError, match="revenue: expected a number, got str"):
        compute_earnings("regulation", "360000", 50, 0.85, 0.9)
    with pytest.raises(PlanError, match="'bonus' is neither a built-in plan"):
        compute_earnings("bonus", 360_000, 50, 0.85, 0.9)


# ---------------------------------------------------------------- the payout curve
def test_payout_curve_by_hand_and_calibration():
    curve = payout_curve()
    assert list(curve.columns) == list(BUILTIN_PLANS)
    assert curve.index.name == "attainment" and len(curve) == 21
    # every built-in plan pays the target incentive at 100% of every target
    assert curve.loc[1.0].to_numpy() == pytest.approx([24_000] * 6)
    # the regulation's plan pays 60% of the target bonus with no revenue at all: the other
    # three indicators (weights 0.2 each) are at target
    assert curve.loc[0.0, "regulation"] == pytest.approx(14_400)
    assert curve.loc[0.9, "quota_bonus"] == 0
    assert curve.loc[2.0, "capped"] == pytest.approx(36_000)
    assert curve.loc[2.0, "accelerator"] == pytest.approx(24_000 + 0.16 * 300_000)
    # the regulation's plan stops at 150%: 0.4 x 1.5 + 0.6 = 1.2 -> 28,800 + 0.25 x 4,800
    assert curve.loc[2.0, "regulation"] == pytest.approx(30_000)


def test_payout_curve_never_falls_for_these_plans():
    curve = payout_curve(attainments=[i / 50 for i in range(101)])
    assert (curve.diff().dropna() >= -1e-9).all().all()


def test_payout_curve_of_chosen_plans_and_grid():
    curve = payout_curve(["quota_bonus", builtin_plan("linear")], [0.99, 1.0, 1.01])
    assert curve["quota_bonus"].tolist() == [0, 24_000, 24_000]
    assert curve["linear"].to_numpy() == pytest.approx([23_760, 24_000, 24_240])


# ---------------------------------------------------------------- plots
def test_plot_payout_curve_draws_each_plan_and_the_targets():
    curve = payout_curve(["linear", "quota_bonus"])
    fig = plot_payout_curve(curve, target_pay=24_000)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert list(lines["linear"].get_xdata()) == pytest.approx(100 * curve.index.to_numpy())
    assert list(lines["quota_bonus"].get_ydata()) == curve["quota_bonus"].tolist()
    assert list(lines["revenue target (100%)"].get_xdata()) == [100, 100]
    assert list(lines["target incentive (24,000 CNY)"].get_ydata()) == [24_000, 24_000]
    assert "%" in ax.get_xlabel() and "CNY" in ax.get_ylabel() and ax.get_title()


def test_plot_earnings_shows_the_components_and_the_total():
    # a bonus on revenue only, at target: 24,000; collection 50% shuts the gate
    plan = Plan(name="gated", components=[Scorecard(period="Q", weights=Weights(revenue=1)),
                                          Gate(period="Q", measures=["collection"])])
    r = compute_earnings(plan, 300_000, 50, 0.85, 0.5)
    fig = plot_earnings(r)
    ax = fig.axes[0]
    bars = ax.patches
    assert [b.get_height() for b in bars] == pytest.approx([24_000, -24_000, 0])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["scorecard", "gate", "total"]
    assert [to_hex(b.get_facecolor()) for b in bars] == ["#1a7f37", "#cf222e", "#0969da"]
    assert ax.get_lines()[0].get_ydata()[0] == 24_000  # the target incentive
    assert ax.get_title() == "Plan gated: Total 0 CNY this quarter"
    assert "CNY" in ax.get_ylabel()


# ---------------------------------------------------------------- the dashboard
def test_dashboard_shows_the_total_and_follows_the_controls():
    box = lesson07.earnings_dashboard()
    plan, revenue, new, retention, collection, earnings, image = box.children
    assert revenue.description == "Revenue (CNY)" and revenue.value == DEFAULTS["revenue"]
    assert (new.value, retention.value, collection.value) == (50, 0.85, 0.90)
    assert "salessim-result" in earnings._dom_classes and earnings.description == "Earnings"
    assert "Total 26,400 CNY this quarter" in earnings.value
    assert bytes(image.value).startswith(b"\x89PNG")
    revenue.value = 380_000  # score 0.4 x 380 / 300 + 0.6 = 1.1067 -> 26,560 + 640
    assert "Total 27,200 CNY this quarter" in earnings.value
    plan.value = "quota_bonus"
    assert "Total 24,000 CNY this quarter" in earnings.value
    revenue.value = 290_000
    assert "Total 0 CNY this quarter" in earnings.value
    assert "would add 24,000 CNY" in earnings.value


def test_dashboard_options_are_the_built_in_plans():
    box = lesson07.earnings_dashboard(Targets(monthly_revenue=80_000))
    assert box.children[0].options == BUILTIN_PLANS
    assert "target incentive 19,200 CNY" in box.children[5].value


def test_widgets_module_imports_no_ipywidgets():
    import subprocess
    import sys

    code = "import sys, salessim.widgets.lesson07; print('ipywidgets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_no_nan_in_a_zero_quarter():
    r = compute_earnings("regulation", 0, 0, 0.0, 0.0)
    assert r.total == 0 and not math.isnan(r.marginal)


def test_an_error_in_an_update_is_shown_in_the_dashboard(monkeypatch):
    box = lesson07.earnings_dashboard()
    revenue, earnings = box.children[1], box.children[5]

    def broken(*args, **kwargs):
        raise ValueError("no plan <x>")

    monkeypatch.setattr(lesson07, "compute_earnings", broken)
    with pytest.raises(ValueError, match="no plan"):
        revenue.value = 380_000  # the error still reaches the kernel's log
    assert '<div class="salessim-error">' in earnings.value
    assert "could not update: ValueError: no plan &lt;x&gt;" in earnings.value
