"""Lesson 04 dashboards: the quote (R2.1.3.1), the discount (R2.1.3.2), the contract (R2.1.3.3)."""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure

from salessim import Scenario
from salessim.widgets import lesson04
from salessim.widgets.lesson03 import StepChances
from salessim.widgets.lesson04 import (
    CONTRACT_ITEMS,
    compute_discount,
    discount_curve,
    make_quote,
    plot_discount,
)


@pytest.fixture(scope="module")
def chances() -> StepChances:
    return StepChances()


def _win(discount: float) -> float:
    # default scenario: negotiation converts 0.57, each 1% of discount adds 4% to the tries,
    # and a contract once agreed is always signed (conversion 1.0)
    return 1 - 0.43 ** (1 + 4 * discount)


# ---------------------------------------------------------------- the quote
def test_quote_by_hand():
    q = make_quote("medium", 0.08, quantity=3)
    # 3 x 7,000 = 21,000 list; 8% off = 1,680; 19,320 to pay
    assert (q.unit_price, q.list_amount, q.discount_amount, q.amount) == (
        7000.0, 21000.0, 1680.0, 19320.0)
    # the default scenario's terms: delivery 5 working days, one invoice due in 30 days,
    # a feedback call 2 working days after delivery, a revisit every 45 working days
    assert (q.delivery_days, q.payment_days, q.installments) == (5.0, 30, 1)
    assert (q.feedback_days, q.revisit_days) == (2.0, 45.0)
    assert q.text().splitlines() == [
        "Quote for a medium company",
        "  3 x 7,000 CNY list price = 21,000 CNY",
        "  discount 8%: -1,680 CNY",
        "  amount to pay: 19,320 CNY",
        "  delivery: 5 working days after the order is started",
        "  payment: 1 invoice, due 30 days after invoicing",
        "  service: a feedback call 2 working days after delivery, a revisit every 45 working "
        "days",
    ]


def test_quote_defaults_and_scenario_terms():
    q = make_quote("large")  # the standard discount, 5%, on 13,000
    assert (q.discount, q.amount) == (0.05, 12350.0)
    s = Scenario().with_overrides({"pricing.list_price": {"small": 5000.0, "medium": 9000.0,
                                                          "large": 20000.0},
                                   "payments.installments": 2,
                                   "after_sales.revisit_interval_days": 0.0})
    q = make_quote("small", 0.1, scenario=s)
    assert q.amount == 4500.0
    assert "2 invoices" in q.text() and "no scheduled revisits" in q.text()


@pytest.mark.parametrize("args, words", [
    (("huge",), "segment 'huge': expected one of small, medium, large"),
    (("small", 0.3), r"discount: 0.3 is not allowed: expected a fraction from 0 to "
                     r"pricing.max_discount \(0.25\)"),
    (("small", 10), "discount: 10 is not allowed"),
    (("small", 0.125), "discounts are given in whole percent"),
    (("small", 0.05, 0), "quantity: 0 is not allowed: expected a whole number >= 1"),
    (("small", 0.05, 1.5), "quantity: 1.5 is not allowed"),
])
def test_bad_quotes_are_explained(args, words):
    with pytest.raises(ValueError, match=words):
        make_quote(*args)


# ---------------------------------------------------------------- the discount
def test_curve_by_hand(chances):
    curve = discount_curve(7000.0, chances)
    assert curve["discount"].tolist() == [k / 100 for k in range(26)]  # up to max_discount
    for d in (0.0, 0.05, 0.1, 0.15, 0.25):
        row = curve[curve["discount"] == d].iloc[0]
        assert row["win_probability"] == pytest.approx(_win(d), rel=1e-12)
        assert row["expected_revenue"] == pytest.approx(_win(d) * 7000 * (1 - d), rel=1e-12)
    assert curve["win_probability"].is_monotonic_increasing


def test_best_discount_by_hand(chances):
    r = compute_discount(0.05, "medium", chances=chances)
    # 0.57 x 7,000 = 3,990 at 0%; (1 - 0.43^1.2) x 6,650 at 5%
    assert r.win_probability == pytest.approx(_win(0.05))
    assert r.expected_revenue == pytest.approx(_win(0.05) * 6650)
    # the best whole percent: (1 - 0.43^(1+4d)) (1 - d) is largest at d = 15%
    by_hand = max(range(26), key=lambda k: _win(k / 100) * (1 - k / 100))
    assert by_hand == 15 and r.best_discount == 0.15
    assert r.summary() == (
        "Discount 5% on 7,000 CNY: win probability 63.7%, expected revenue 4,235 CNY\n"
        "Best discount 15%: win probability 74.1%, expected revenue 4,408 CNY")


def test_best_discount_does_not_depend_on_the_price(chances):
    # the price scales expected revenue, never where its top is
    small = compute_discount(0.05, "small", chances=chances)
    large = compute_discount(0.05, "large", quantity=4, chances=chances)
    assert small.best_discount == large.best_discount
    assert large.expected_revenue == pytest.approx(small.expected_revenue * 4 * 13000 / 4000)


def test_discount_follows_the_scenario():
    # no effect of the discount on the customer: the best discount is none at all
    flat = compute_discount(0.1, scenario={"pricing": {"discount_effect": 0.0}})
    assert flat.win_probability == pytest.approx(0.57) and flat.best_discount == 0.0
    # a contract step that loses a tenth of the agreed deals lowers every win probability
    s = Scenario().with_overrides({"process.contract.conversion": 0.9})
    assert compute_discount(0.1, scenario=s).win_probability == pytest.approx(0.9 * _win(0.1))
    # a lower ceiling ends the curve there
    capped = compute_discount(0.05, scenario={"pricing": {"max_discount": 0.1}})
    assert capped.curve["discount"].max() == 0.1 and capped.best_discount == 0.1


def test_bad_price_is_explained(chances):
    with pytest.raises(ValueError, match="price: 0 is not allowed"):
        discount_curve(0, chances)


# ---------------------------------------------------------------- contract checklist
def test_contract_checklist():
    ids = [item[0] for item in CONTRACT_ITEMS]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    must = {i for i, _, required, _ in CONTRACT_ITEMS if required}
    assert {"K03", "K04", "K05", "K06", "K11"} <= must  # price, payment, delivery, service, seal
    assert {"K12", "K13", "K14"}.isdisjoint(must)  # commission, side promise, ID number
    assert all(why for *_, why in CONTRACT_ITEMS)


# ---------------------------------------------------------------- plot and dashboard
def test_plot_marks_the_best_and_the_chosen_discount(chances):
    r = compute_discount(0.12, "large", chances=chances)
    fig = plot_discount(r)
    assert isinstance(fig, Figure)
    ax, right = fig.axes
    if_won, expected, best, chosen = ax.lines
    assert list(expected.get_xdata()) == pytest.approx((100 * r.curve["discount"]).tolist())
    assert list(expected.get_ydata()) == pytest.approx(r.curve["expected_revenue"].tolist())
    assert list(if_won.get_ydata()) == pytest.approx(
        (13000 * (1 - r.curve["discount"])).tolist())
    assert list(best.get_xdata()) == [15.0] and list(chosen.get_xdata()) == [12.0]
    assert list(chosen.get_ydata()) == pytest.approx([r.expected_revenue])
    (win,) = right.lines
    assert list(win.get_ydata()) == pytest.approx((100 * r.curve["win_probability"]).tolist())
    assert ax.get_ylim()[0] == 0 and "(CNY)" in ax.get_ylabel() and "(%)" in ax.get_xlabel()
    assert "(%)" in right.get_ylabel() and "13,000 CNY" in ax.get_title()


def test_dashboard_follows_the_slider_and_the_segment():
    box = lesson04.discount_dashboard()
    segment, slider, result, image = box.children
    assert slider.description == "Discount (%)" and slider.value == 5 and slider.max == 25
    assert segment.description == "Company size" and segment.value == "medium"
    assert "salessim-result" in result._dom_classes and result.description == "Result"
    assert "win probability 63.7%, expected revenue 4,235 CNY" in result.value
    assert bytes(image.value).startswith(b"\x89PNG")
    slider.value = 10  # (1 - 0.43^1.4) x 6,300 = 4,367
    assert "win probability 69.3%, expected revenue 4,367 CNY" in result.value
    segment.value = "small"  # the same chance on 4,000 x 0.9 = 3,600
    assert "expected revenue 2,496 CNY" in result.value
    assert "Best discount 15%" in result.value


def test_widgets_module_imports_no_ipywidgets():
    import subprocess
    import sys

    code = "import sys, salessim.widgets.lesson04; print('ipywidgets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
