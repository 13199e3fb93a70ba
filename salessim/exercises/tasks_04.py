"""Exercise tasks of lesson 04: quotes, negotiation and contracts (R2.1.3).

The amount of a quote from the default scenario's prices (R2.1.3.1), with
:func:`salessim.widgets.lesson04.make_quote`; the expected revenue of a quote at a discount
and the discount that earns most, from the model's own negotiation rule
(:func:`salessim.widgets.lesson04.compute_discount`, R2.1.3.2); a negotiation case; and the
items a formal contract must hold (:data:`salessim.widgets.lesson04.CONTRACT_ITEMS`,
R2.1.3.3). The known mistakes are computed here the way a learner would make them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..scenario import Scenario, load_scenario
from ..widgets.lesson03 import StepChances
from ..widgets.lesson04 import CONTRACT_ITEMS, compute_discount, make_quote
from .core import Mistake, Task
from .kinds import Choice, IdSet, Number, as_percentage, option

__all__ = ["DISCOUNT", "KEY_ACCOUNTS", "KEY_SEGMENT", "QUANTITY", "QUOTE_DISCOUNT", "SEGMENT",
           "SHOWN", "TASKS", "contract_items", "key_account_scenario"]

#: Task 04.1: three units for a medium company at 8%.
SEGMENT = "medium"
QUANTITY = 3
QUOTE_DISCOUNT = 0.08
#: Tasks 04.2 and 04.3: one unit for a large company, whose buyers respond to discounts less
#: than the default scenario's customers (these overrides), at a discount of 10%.
KEY_SEGMENT = "large"
KEY_ACCOUNTS = {"process.negotiation.conversion": 0.5, "pricing.discount_effect": 2.5}
DISCOUNT = 0.10
_MONEY_TOL = 0.5
_DISCOUNT_TOL = 0.005


def key_account_scenario() -> Scenario:
    """The default scenario with the negotiation of large customers (:data:`KEY_ACCOUNTS`)."""
    return load_scenario("default").with_overrides(KEY_ACCOUNTS)


def _chances() -> StepChances:
    return StepChances(key_account_scenario())


# ------------------------------------------------------------------ 04.1 a quote's amount
def _list_amount(d: Any) -> float:
    return make_quote(SEGMENT, QUOTE_DISCOUNT, QUANTITY).list_amount


QUOTE = Task(
    id="04.1",
    title="The amount of a detailed quote (报价方案)",
    clauses=("R2.1.3.1",),
    kind=Number(unit="CNY"),
    expected=lambda d: make_quote(SEGMENT, QUOTE_DISCOUNT, QUANTITY).amount,
    why="The amount after discount is what the customer pays, what the contract states and "
        "what your revenue counts; the list price is only where the price talk starts.",
    hint="Multiply the list price of a medium company by the quantity, then by (1 - the "
         "discount as a fraction).",
    mistakes=(
        Mistake("list price instead of discounted",
                "That is the list amount, before the discount. The customer pays the amount "
                "after discount: multiply by (1 - discount).",
                value=_list_amount),
        Mistake("percentage as fraction",
                "You used the discount as a whole number (8) where a fraction (0.08) belongs, "
                "so the amount came out negative. 8% is 8 / 100.",
                value=lambda d: _list_amount(d) * (1 - 100 * QUOTE_DISCOUNT)),
        Mistake("discount amount",
                "That is what the discount takes off, not what the customer pays. Subtract it "
                "from the list amount, or multiply the list amount by (1 - discount).",
                value=lambda d: _list_amount(d) * QUOTE_DISCOUNT),
        Mistake("one unit",
                "That is the price of one unit. The customer orders three: multiply by the "
                "quantity.",
                value=lambda d: _list_amount(d) / QUANTITY * (1 - QUOTE_DISCOUNT)),
        Mistake("percent subtracted in CNY",
                "You subtracted 8 CNY. A discount is a share of the price: take 8% of the "
                "list amount off, not 8 yuan.",
                value=lambda d: _list_amount(d) - 100 * QUOTE_DISCOUNT),
    ),
    tolerance=_MONEY_TOL,
)


# ------------------------------------------------------------------ 04.2 expected revenue
def _expected_revenue(c: StepChances) -> float:
    return compute_discount(DISCOUNT, KEY_SEGMENT, chances=c).expected_revenue


def _win(c: StepChances) -> float:
    return compute_discount(DISCOUNT, KEY_SEGMENT, chances=c).win_probability


def _price(c: StepChances) -> float:
    return float(c.scenario.pricing.list_price[KEY_SEGMENT])


def _p_negotiation(c: StepChances) -> float:
    return c.scenario.process.negotiation.conversion


REVENUE = Task(
    id="04.2",
    title="Expected revenue of a quote at a discount (商务谈判)",
    clauses=("R2.1.3.1", "R2.1.3.2"),
    kind=Number(unit="CNY"),
    expected=_expected_revenue,
    why="A discount raises the chance of winning and lowers what a win brings; expected "
        "revenue puts both in one number, so discounts can be compared.",
    hint="Win probability: 1 - (1 - negotiation conversion) to the power (1 + "
         "discount_effect x discount), times the contract conversion. Multiply it by the "
         "amount after discount.",
    mistakes=(
        Mistake("list price instead of discounted",
                "You multiplied the win probability by the list price. If the customer signs, "
                "they pay the amount after discount: multiply by list price x (1 - discount).",
                value=lambda c: _win(c) * _price(c)),
        Mistake("no discount effect",
                "You used the negotiation's conversion as it is. The discount raises the "
                "chance: the customer converts as if given 1 + discount_effect x discount "
                "tries.",
                value=lambda c: _p_negotiation(c) * _price(c) * (1 - DISCOUNT)),
        Mistake("effect on the chance",
                "You multiplied the conversion itself by (1 + discount_effect x discount). "
                "The discount adds tries, not chance: the win probability is 1 - (1 - p) to "
                "the power of the number of tries.",
                value=lambda c: min(1.0, _p_negotiation(c) * (1 + c.scenario.pricing
                                                              .discount_effect * DISCOUNT))
                * _price(c) * (1 - DISCOUNT)),
        Mistake("no win probability",
                "That is the amount if the customer signs. Expected revenue weighs it by the "
                "chance that they do.",
                value=lambda c: _price(c) * (1 - DISCOUNT)),
        Mistake("quote step counted",
                "You also multiplied by the quote's conversion. The customer has already "
                "accepted the quote and is in negotiation: count the negotiation and the "
                "contract only.",
                value=lambda c: c.scenario.process.quote.conversion * _expected_revenue(c)),
    ),
    data=_chances,
    tolerance=_MONEY_TOL,
)


# ------------------------------------------------------------------ 04.3 the best discount
def _best(c: StepChances) -> float:
    return compute_discount(DISCOUNT, KEY_SEGMENT, chances=c).best_discount


BEST = Task(
    id="04.3",
    title="The discount that earns most (折扣与成交概率)",
    clauses=("R2.1.3.2",),
    kind=Number(fraction=True),
    expected=_best,
    why="Past its best, a discount buys less extra chance than it costs in price: more "
        "discount is not more revenue, and near the top a few percent hardly matter.",
    hint="Compute the expected revenue at every whole-percent discount from 0 to "
         "max_discount and take the discount with the largest.",
    mistakes=(
        Mistake("highest win probability",
                "That discount wins most often, but the extra chance it buys costs more in "
                "price than it brings. Maximise win probability x amount after discount.",
                value=lambda c: c.scenario.pricing.max_discount),
        Mistake("no discount",
                "No discount gives the highest amount per deal won, but the lowest chance of "
                "winning. Maximise win probability x amount after discount.",
                value=lambda c: 0.0),
        Mistake("default customers' best",
                "That is the best discount for the default scenario's customers, from the "
                "lesson. These buyers respond to a discount differently: use their "
                "negotiation conversion and discount_effect.",
                value=lambda c: compute_discount(DISCOUNT, KEY_SEGMENT).best_discount),
        Mistake("standard discount",
                "That is the standard discount of every quote, not the one that earns most. "
                "Compute the expected revenue at each discount and compare.",
                value=lambda c: c.scenario.pricing.standard_discount),
        as_percentage(_best, _DISCOUNT_TOL),
    ),
    data=_chances,
    tolerance=_DISCOUNT_TOL,
)


# ------------------------------------------------------------------ 04.4 a negotiation case
NEGOTIATION = Task(
    id="04.4",
    title="A buyer asks for more: negotiate for both sides (商务谈判)",
    clauses=("R2.1.3.2",),
    kind=Choice(),
    expected=lambda d: "C",
    why="Trading a concession for something of value keeps both sides' interests in "
        "balance: the customer gets a better deal, the company gets more than a lower price, "
        "and the price keeps its credibility.",
    hint="Look for the answer that gives the customer something only in exchange for "
         "something, within your authority, and writes it down.",
    mistakes=(
        option("A", "20% is beyond your authority and past the discount that earns most: "
                    "the company loses margin on this deal, and the customer learns that "
                    "pushing works. A deal at any price is not the goal."),
        option("B", "Refusing to move ignores the customer's side: they may have a real "
                    "alternative, and a negotiation that only one side can win often ends "
                    "without a deal. Find what each side values."),
        option("D", "Giving your whole authority at once leaves nothing to trade and gets "
                    "nothing in return. Concede in small steps, and only in exchange for "
                    "something of value."),
    ),
)


# ------------------------------------------------------------------ 04.5 the contract
#: The order in which task 04.5 shows the items of the lesson's checklist; each gets the label
#: ``C01``, ``C02``, ... in that order, so that the lesson's list is not the answer's.
SHOWN = ("K07", "K13", "K02", "K10", "K05", "K12", "K01", "K09", "K04", "K14", "K11", "K06",
         "K03", "K08")
_LABEL = {item: f"C{k:02d}" for k, item in enumerate(SHOWN, 1)}


def contract_items() -> list[tuple[str, str]]:
    """The checklist of task 04.5: ``(item_id, text)`` for every item, as the task shows it."""
    text = {item_id: words for item_id, words, _, _ in CONTRACT_ITEMS}
    return [(_LABEL[item], text[item]) for item in SHOWN]


def _required(d: Any) -> frozenset[str]:
    return frozenset(_LABEL[item] for item, _, required, _ in CONTRACT_ITEMS if required)


def _has(item: str) -> Callable[[frozenset[str], Any], bool]:
    return lambda answer, data: _LABEL[item] in answer


def _lacks(*items: str) -> Callable[[frozenset[str], Any], bool]:
    return lambda answer, data: not {_LABEL[i] for i in items} <= answer


CONTRACT = Task(
    id="04.5",
    title="What a formal contract must hold (正式合同)",
    clauses=("R2.1.3.3",),
    kind=IdSet(column="item_id"),
    expected=_required,
    why="The contract is the only record both sides can rely on: everything agreed goes in, "
        "and nothing that is not meant to bind either side.",
    hint="For each item ask: does it state a right or a duty of one of the two companies, "
         "or how the contract is made and ended? Then it belongs in it.",
    mistakes=(
        Mistake("side promise included",
                "A promise to be settled informally is a side letter: either it is part of "
                "the deal and goes in as a written term, or it is not made at all.",
                when=_has("K13")),
        Mistake("commission included",
                "The rep's commission is between the company and its rep; it is no right or "
                "duty of the customer and stays out of the contract.",
                when=_has("K12")),
        Mistake("personal data included",
                "A contract between companies does not need the buyer's ID card number or "
                "home address; collecting it breaks the minimum-necessary rule of personal "
                "information (R2.3.1.2).",
                when=_has("K14")),
        Mistake("money terms missing",
                "You left out a money term: the price with the discount and tax, or when and "
                "how it is paid. Without them nobody can say what is owed, or when.",
                when=_lacks("K03", "K04")),
        Mistake("delivery or service missing",
                "You left out what the customer receives: delivery and its acceptance, or the "
                "service terms. Those are the customer's rights under the contract.",
                when=_lacks("K02", "K05", "K06")),
        Mistake("parties or signatures missing",
                "You left out who the contract binds (the parties) or how it is made binding "
                "(authorised signatures and company seals).",
                when=_lacks("K01", "K11")),
        Mistake("protections missing",
                "You left out a clause that protects both sides when something goes wrong or "
                "changes: confidentiality, liability for breach, disputes, or term and "
                "termination. Agree them before they are needed.",
                when=_lacks("K07", "K08", "K09", "K10")),
    ),
)

TASKS: tuple[Task, ...] = (QUOTE, REVENUE, BEST, NEGOTIATION, CONTRACT)
