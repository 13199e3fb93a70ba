"""Lesson 04 dashboards: the quote (报价方案, R2.1.3.1), the discount in negotiation (商务谈判,
R2.1.3.2) and the formal contract (正式合同, R2.1.3.3).

- :func:`make_quote` writes a detailed quote from the scenario's own terms: the list price
  of the customer's segment (``pricing.list_price``), the discount, the delivery time of the
  delivery team (``fulfilment``), the payment terms (``payments``) and the after-sales service
  (``after_sales``).
- :func:`compute_discount` gives, for a discount, the chance that a customer in negotiation
  signs, read off the model's own pipeline code with
  :class:`salessim.widgets.lesson03.StepChances`, and the expected revenue of the quote:
  win chance x list price x (1 - discount); it also finds the discount that earns most.
  :func:`plot_discount` draws both against the discount and :func:`discount_dashboard` puts a
  slider on it. Nothing is simulated: the numbers come straight from the model's rules.
- :data:`CONTRACT_ITEMS` is the contract checklist of the lesson and its exercise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..scenario import Scenario, load_scenario
from .errors import shows_errors
from .image import png
from .lesson03 import StepChances

__all__ = ["CONTRACT_ITEMS", "DiscountResult", "Quote", "compute_discount",
           "discount_dashboard", "discount_curve", "make_quote", "plot_discount"]

#: Contract checklist: item id, what it is, whether a formal contract must contain it, and why
#: (R2.1.3.3). The items that must not be in it are the mistakes learners make.
CONTRACT_ITEMS: tuple[tuple[str, str, bool, str], ...] = (
    ("K01", "Both parties' full legal names, unified social credit codes and addresses, and "
            "who signs for each", True,
     "a contract binds the companies named in it; a wrong name binds nobody"),
    ("K02", "What is sold: products or services, quantities, specifications or service "
            "levels", True,
     "the customer's rights and our duties are what the contract describes"),
    ("K03", "Price: list price, discount and the amount in CNY, with tax (VAT) included or "
            "not", True,
     "the amount the customer owes, stated once and without doubt"),
    ("K04", "Payment terms: due dates, instalments, the invoice (发票) and the bank account",
     True, "when the money is due: the basis of collection (回款率, R2.2.1.3)"),
    ("K05", "Delivery: date or lead time, place, and how the customer accepts the delivery",
     True, "what the delivery team must do, and when the customer has received it"),
    ("K06", "Service terms: warranty, support response times, training, revisits", True,
     "what the customer can rely on after delivery (R2.1.4.2, R2.1.4.3)"),
    ("K07", "Confidentiality and the protection of personal information", True,
     "both sides exchange data; the PIPL applies to personal data (R2.3.1.2)"),
    ("K08", "Liability for breach (违约责任): late delivery, late payment", True,
     "what happens when either side does not keep its promise"),
    ("K09", "How disputes are settled (court or arbitration) and the governing law", True,
     "where and how a disagreement is decided, agreed before there is one"),
    ("K10", "Term, renewal and termination", True,
     "when the duties start and end, and how either side can leave"),
    ("K11", "Signatures of authorised people and the company seals (公章 or 合同专用章), with "
            "the date", True,
     "in China, the company's seal is what commits it"),
    ("K12", "The rep's commission on this deal", False,
     "internal pay is between the company and its rep, not the customer's business"),
    ("K13", "A free upgrade the rep promised by phone, to be settled \"informally\" later",
     False, "every promise belongs in the contract or nowhere: a side promise is a side "
            "letter (R2.3.1.1)"),
    ("K14", "The buyer's personal ID card number and home address", False,
     "not needed to contract with a company: collect only what is necessary (R2.3.1.2)"),
)

_BLUE, _GREEN, _RED, _GREY = "#0969da", "#1a7f37", "#cf222e", "#6e7781"


def _scenario(scenario: Scenario | dict | str | None) -> Scenario:
    return load_scenario("default" if scenario is None else scenario)


def _whole_percent(discount: float, s: Scenario) -> float:
    """Check a discount: a fraction in whole percent, at most ``pricing.max_discount``."""
    top = s.pricing.max_discount
    if not (isinstance(discount, int | float) and 0 <= discount <= top + 1e-12):
        raise ValueError(f"discount: {discount!r} is not allowed: expected a fraction from 0 "
                         f"to pricing.max_discount ({top:g}), e.g. 0.05 for 5%")
    if abs(100 * discount - round(100 * discount)) > 1e-9:
        raise ValueError(f"discount: {discount!r} is not allowed: discounts are given in whole "
                         "percent, e.g. 0.05 or 0.12")
    return round(100 * discount) / 100


# ------------------------------------------------------------------ the quote (R2.1.3.1)
@dataclass(frozen=True)
class Quote:
    """A detailed quote (详细报价方案): price, delivery time and service terms (R2.1.3.1).

    Attributes
    ----------
    segment : str
        The customer's company size, a key of ``pricing.list_price``.
    quantity : int
        Units (licences, machines, service packages) quoted.
    unit_price : float
        The segment's list price per unit, CNY.
    discount : float
        The discount, a fraction in whole percent.
    delivery_days : float
        Working days from the start of work on the order to delivery
        (``fulfilment.lead_time_days``).
    payment_days : int
        Calendar days from the invoice to its due date (``payments.terms_days``).
    installments : int
        Invoices per deal (``payments.installments``).
    feedback_days, revisit_days : float
        Working days after delivery to the feedback call, and between revisits
        (``after_sales``).
    """

    segment: str
    quantity: int
    unit_price: float
    discount: float
    delivery_days: float
    payment_days: int
    installments: int
    feedback_days: float
    revisit_days: float

    @property
    def list_amount(self) -> float:
        """Quantity x list price, CNY."""
        return self.quantity * self.unit_price

    @property
    def discount_amount(self) -> float:
        """What the discount takes off the list amount, CNY."""
        return self.list_amount - self.amount

    @property
    def amount(self) -> float:
        """The amount the customer pays: list amount x (1 - discount), CNY."""
        return self.list_amount * (100 - round(100 * self.discount)) / 100

    def text(self) -> str:
        """The quote as the customer would read it, one line per term."""
        revisits = (f"a revisit every {self.revisit_days:g} working days"
                    if self.revisit_days > 0 else "no scheduled revisits")
        return "\n".join([
            f"Quote for a {self.segment} company",
            f"  {self.quantity} x {self.unit_price:,.0f} CNY list price = "
            f"{self.list_amount:,.0f} CNY",
            f"  discount {self.discount:.0%}: -{self.discount_amount:,.0f} CNY",
            f"  amount to pay: {self.amount:,.0f} CNY",
            f"  delivery: {self.delivery_days:g} working days after the order is started",
            f"  payment: {self.installments} invoice{'s' if self.installments > 1 else ''}, "
            f"due {self.payment_days} days after invoicing",
            f"  service: a feedback call {self.feedback_days:g} working days after delivery, "
            f"{revisits}",
        ])


def make_quote(segment: str = "medium", discount: float | None = None, quantity: int = 1,
               scenario: Scenario | dict | str | None = None) -> Quote:
    """A detailed quote from the scenario's prices and terms (R2.1.3.1).

    Parameters
    ----------
    segment : str
        The customer's company size: a key of ``pricing.list_price`` (``"small"``,
        ``"medium"``, ``"large"`` in the default scenario).
    discount : float, optional
        A fraction in whole percent, at most ``pricing.max_discount``; the standard discount
        (``pricing.standard_discount``) when not given.
    quantity : int
        Units quoted, >= 1.
    scenario : Scenario, dict or str, optional
        The company's terms; the default scenario when not given.

    Returns
    -------
    Quote

    Raises
    ------
    ValueError
        For an unknown segment, a quantity below 1, or a discount that is not a whole percent
        from 0 to the maximum; the message names the value.
    """
    s = _scenario(scenario)
    prices = s.pricing.list_price
    if segment not in prices:
        raise ValueError(f"segment {segment!r}: expected one of {', '.join(prices)} "
                         "(the keys of pricing.list_price)")
    if not (isinstance(quantity, int | np.integer) and quantity >= 1):
        raise ValueError(f"quantity: {quantity!r} is not allowed: expected a whole number >= 1")
    d = s.pricing.standard_discount if discount is None else discount
    return Quote(
        segment=segment,
        quantity=int(quantity),
        unit_price=float(prices[segment]),
        discount=_whole_percent(d, s),
        delivery_days=s.fulfilment.lead_time_days,
        payment_days=s.payments.terms_days,
        installments=s.payments.installments,
        feedback_days=s.after_sales.feedback_delay_days,
        revisit_days=s.after_sales.revisit_interval_days,
    )


# ------------------------------------------------------------------ the discount (R2.1.3.2)
def discount_curve(price: float, chances: StepChances | None = None, *, skill: float = 1.0,
                   fit: float = 1.0) -> pd.DataFrame:
    """Win chance and expected revenue of a quote at every whole-percent discount.

    The win chance is the model's chance that a customer in negotiation agrees at that
    discount, times the chance that the contract is then signed (both from
    :class:`~salessim.widgets.lesson03.StepChances`); expected revenue is win chance x
    ``price`` x (1 - discount).

    Parameters
    ----------
    price : float
        The quote's list amount, CNY, > 0.
    chances : StepChances, optional
        The model to ask; the default scenario's when not given.
    skill, fit : float
        The rep's skill and the lead's fit, as for :meth:`StepChances.chance`.

    Returns
    -------
    pandas.DataFrame
        ``discount`` (fractions 0, 0.01, ... up to ``pricing.max_discount``),
        ``win_probability``, ``expected_revenue`` (CNY).
    """
    if not (price > 0 and math.isfinite(price)):
        raise ValueError(f"price: {price!r} is not allowed: expected an amount in CNY > 0")
    chances = StepChances() if chances is None else chances
    top = math.floor(chances.scenario.pricing.max_discount * 100 + 1e-9)
    signed = chances.chance("contract", skill=skill, fit=fit)
    discounts = [k / 100 for k in range(top + 1)]
    win = [chances.chance("negotiation", discount=d, skill=skill, fit=fit) * signed
           for d in discounts]
    frame = pd.DataFrame({"discount": discounts, "win_probability": win})
    frame["expected_revenue"] = frame["win_probability"] * price * (1 - frame["discount"])
    return frame


@dataclass(frozen=True)
class DiscountResult:
    """A discount, what it does to the chance of winning, and the discount that earns most.

    Attributes
    ----------
    quote : Quote
        The quote at the chosen discount.
    win_probability : float
        Chance that a customer in negotiation at this discount signs (0 to 1).
    expected_revenue : float
        ``win_probability`` x the quote's amount, CNY.
    curve : pandas.DataFrame
        :func:`discount_curve` of the quote's list amount.
    """

    quote: Quote
    win_probability: float
    expected_revenue: float
    curve: pd.DataFrame

    @property
    def discount(self) -> float:
        """The chosen discount, a fraction."""
        return self.quote.discount

    @property
    def best(self) -> pd.Series:
        """The row of ``curve`` with the highest expected revenue (the lowest such discount)."""
        return self.curve.loc[self.curve["expected_revenue"].idxmax()]

    @property
    def best_discount(self) -> float:
        """The whole-percent discount with the highest expected revenue."""
        return float(self.best["discount"])

    def summary(self) -> str:
        """The numbers in two lines of plain text."""
        best = self.best
        return (f"Discount {self.discount:.0%} on {self.quote.list_amount:,.0f} CNY: "
                f"win probability {self.win_probability:.1%}, expected revenue "
                f"{self.expected_revenue:,.0f} CNY\n"
                f"Best discount {best['discount']:.0%}: win probability "
                f"{best['win_probability']:.1%}, expected revenue "
                f"{best['expected_revenue']:,.0f} CNY")

    def _repr_html_(self) -> str:
        best = self.best
        return (f"Discount {self.discount:.0%} on {self.quote.list_amount:,.0f} CNY: "
                f"<b>win probability {self.win_probability:.1%}, expected revenue "
                f"{self.expected_revenue:,.0f} CNY</b><br>Best discount "
                f"{best['discount']:.0%}: win probability {best['win_probability']:.1%}, "
                f"expected revenue {best['expected_revenue']:,.0f} CNY")


def compute_discount(discount: float = 0.05, segment: str = "medium", quantity: int = 1,
                     scenario: Scenario | dict | str | None = None,
                     chances: StepChances | None = None) -> DiscountResult:
    """The win chance and expected revenue of a quote at ``discount`` (R2.1.3.1, R2.1.3.2).

    For a rep of average skill and a lead of fit 1 that has reached the negotiation: the
    chance, by the model's rules, that the customer agrees at this discount and signs, and
    the expected revenue, win chance x list amount x (1 - discount).

    Parameters
    ----------
    discount : float
        A fraction in whole percent, from 0 to ``pricing.max_discount``.
    segment, quantity :
        As for :func:`make_quote`.
    scenario : Scenario, dict or str, optional
        The company's terms and the model's rules; the default scenario when not given.
    chances : StepChances, optional
        The model to ask; built from ``scenario`` when not given (pass one to save its set-up
        when calling repeatedly).

    Returns
    -------
    DiscountResult
    """
    s = _scenario(scenario) if chances is None else chances.scenario
    chances = StepChances(s) if chances is None else chances
    quote = make_quote(segment, discount, quantity, s)
    curve = discount_curve(quote.list_amount, chances)
    row = curve.loc[(curve["discount"] - quote.discount).abs().idxmin()]
    return DiscountResult(quote, float(row["win_probability"]),
                          float(row["expected_revenue"]), curve)


def plot_discount(result: DiscountResult) -> Figure:
    """Expected revenue, the amount if won and the win probability against the discount.

    The best and the chosen discount are marked on the expected revenue.

    Returns a new :class:`matplotlib.figure.Figure` (not registered with pyplot); the
    numbers behind it are ``result.curve``.
    """
    fig = Figure(figsize=(8.5, 4.4))  # fixed margins: a layout engine doubles drawing time
    ax = fig.subplots(gridspec_kw=dict(left=0.1, right=0.89, bottom=0.13, top=0.88))
    curve = result.curve
    pct = 100 * curve["discount"]
    ax.plot(pct, result.quote.list_amount * (1 - curve["discount"]), color=_BLUE,
            linestyle=":", label="amount if won (left)")
    ax.plot(pct, curve["expected_revenue"], color=_BLUE, label="expected revenue (left)")
    best = result.best
    ax.plot([100 * best["discount"]], [best["expected_revenue"]], "*", color=_GREEN,
            markersize=14, label=f"best discount {best['discount']:.0%}")
    ax.plot([100 * result.discount], [result.expected_revenue], "o", color=_RED,
            markersize=8, label=f"chosen discount {result.discount:.0%}")
    ax.set_xlabel("discount (%)")
    ax.set_ylabel("revenue of the quote (CNY)")
    ax.yaxis.set_major_formatter("{x:,.0f}")
    ax.set_xlim(0, float(pct.max()))
    ax.set_ylim(0, 1.05 * result.quote.list_amount)  # from 0: true proportions
    ax.grid(alpha=0.3)
    right = ax.twinx()
    right.plot(pct, 100 * curve["win_probability"], color=_GREY, linestyle="--",
               label="win probability (right)")
    right.set_ylabel("win probability (%)")
    right.set_ylim(0, 100)
    lines = ax.get_lines() + right.get_lines()
    ax.legend(lines, [line.get_label() for line in lines], loc="lower right", frameon=False)
    ax.set_title(f"Discount and expected revenue (R2.1.3.2): "
                 f"{result.quote.list_amount:,.0f} CNY quote, {result.quote.segment} company")
    return fig


def discount_dashboard(segment: str = "medium", scenario: Scenario | dict | str | None = None):
    """A discount slider and a segment menu; win probability, expected revenue and the plot.

    Parameters
    ----------
    segment : str
        The segment shown first.
    scenario : Scenario, dict or str, optional
        The company's terms and the model's rules; the default scenario when not given.

    Returns
    -------
    ipywidgets.VBox
        The main control is the slider ``Discount (%)``; the numbers are shown in the HTML
        widget ``Result``, with the CSS class ``salessim-result``.
    """
    import ipywidgets as widgets

    s = _scenario(scenario)
    chances = StepChances(s)
    wide = {"description_width": "initial"}
    top = math.floor(s.pricing.max_discount * 100 + 1e-9)
    choose = widgets.Dropdown(options=list(s.pricing.list_price), value=segment,
                              description="Company size", style=wide)
    discount = widgets.IntSlider(value=round(100 * s.pricing.standard_discount), min=0,
                                 max=top, step=1, description="Discount (%)", style=wide,
                                 layout=widgets.Layout(width="460px"))
    result = widgets.HTML(description="Result", style=wide)
    result.add_class("salessim-result")
    plot = widgets.Image(format="png", layout=widgets.Layout(max_width="850px"))

    @shows_errors(result)
    def update(_=None) -> None:
        found = compute_discount(discount.value / 100, choose.value, chances=chances)
        result.value = found._repr_html_()
        plot.value = png(plot_discount(found))

    choose.observe(update, "value")
    discount.observe(update, "value")
    update()
    return widgets.VBox([choose, discount, result, plot])
