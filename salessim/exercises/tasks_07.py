"""Exercise tasks of lesson 07: pay and careers (R2.2.2).

A quarterly performance bonus under the regulation's plan worked out by hand (R2.2.2.1), the
cliff of a quota bonus, a gate on the collection rate, a clawback on the sample CRM export,
promotion to senior sales from a list of quarterly results (R2.2.2.2), a plan to design
under constraints, and a recognition case (R2.2.2.3).

Every expected answer comes from :mod:`salessim.incentives` (:meth:`Plan.pay`,
:func:`marginal_pay`, :func:`payouts`) or :func:`salessim.careers.promotion_due`. Known
mistakes are computed with the package where they are another plan (the uplift on the whole
bonus is ``Uplift(basis="whole")``), and with plain Python where they are a slip of
arithmetic, the way a learner would make it. The data of the tasks is defined here and
loaded by the exercise notebook, so both use the same numbers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..careers import promotion_due
from ..incentives import (
    Clawback,
    Commission,
    Gate,
    Plan,
    PlanError,
    Scorecard,
    Spif,
    Uplift,
    Weights,
    builtin_plan,
    load_plan,
    marginal_pay,
    payouts,
)
from ..regulation import Targets
from .core import AnswerTypeError, Kind, Mistake, Task
from .datasets import sample_crm
from .kinds import Choice, Number, _what, option

__all__ = ["BONUS_QUARTER", "CLAWBACK_PLAN", "FLOOR", "GATED_PLAN", "GATE_QUARTER",
           "PROMOTION_REVENUE", "PROMOTION_TARGET", "PlanDesign", "QUOTA_DEAL",
           "QUOTA_REVENUE", "TARGET_INCENTIVE", "TASKS", "promotion_history"]

_TARGETS = Targets()
#: The company's target incentive for a quarter: the built-in plans' 8% of the quarterly
#: revenue target (8% x 300,000 CNY).
TARGET_INCENTIVE = Plan.model_fields["target_pay"].default * _TARGETS.revenue("Q")


def _total(plan: Plan, measures: Mapping[str, float]) -> float:
    return sum(plan.pay("Q", measures).values())


def _with(plan: Plan, name: str, *components) -> Plan:
    return Plan(name=name, target_pay=plan.target_pay, components=list(components))


# ------------------------------------------------------------------ 07.1 the bonus by hand
BONUS_QUARTER = {"revenue": 480_000.0, "new_customers": 40.0, "retention": 0.935,
                 "collection": 0.855}
"""Sun's quarter (task 07.1): revenue in CNY, new customers, retention and collection rate."""

_REGULATION = builtin_plan("regulation")
_CARD = _REGULATION.component("scorecard")


def _variant(scorecard: Scorecard, basis: str | None = "excess") -> Plan:
    """The regulation's plan with another scorecard, another uplift basis, or no uplift."""
    parts: list[Any] = [scorecard]
    if basis is not None:
        parts.append(Uplift(period="Q", applies_to=["scorecard"], basis=basis))
    return _with(_REGULATION, "variant", *parts)


def _bonus(plan: Plan) -> Callable[[Any], float]:
    return lambda d: _total(plan, BONUS_QUARTER)


def _looks_like_percentages(answer: float, data: Any) -> bool:
    return answer > 50 * _total(_REGULATION, BONUS_QUARTER)


BONUS = Task(
    id="07.1",
    title="A quarterly performance bonus (绩效奖金) under the regulation's plan, by hand",
    clauses=("R2.2.2.1",),
    kind=Number(unit="CNY"),
    expected=_bonus(_REGULATION),
    why="Knowing how each indicator moves your bonus tells you what a quarter is worth: "
        "revenue counts most, but collection, retention and new customers count too, and the "
        "uplift rewards only what lies above the target bonus.",
    hint="For each indicator take result / target, at most 1.5; weigh them 0.4 (revenue) "
         "and 0.2 (each of the other three); the scorecard pays score x the target incentive. "
         "Then add 25% of the part of that pay above the target incentive.",
    mistakes=(
        Mistake("uplift on the whole bonus",
                "You raised the whole bonus by 25%. The company's plan pays the uplift on the "
                "excess only: 25% of the part of the bonus above the target incentive. So "
                "there is no jump at 100%, and a rep just above target gets a small uplift.",
                value=_bonus(_variant(_CARD, "whole"))),
        Mistake("uplift forgotten",
                "That is the scorecard bonus alone. Sun's bonus is above the target "
                "incentive, so the over-target uplift applies: add 25% of the part above it.",
                value=_bonus(_variant(_CARD, None))),
        Mistake("no cap",
                "You counted revenue at its full attainment. Each indicator counts at most "
                "150% of its target in the scorecard: cap the revenue ratio at 1.5 first.",
                value=_bonus(_variant(_CARD.model_copy(update={"cap": math.inf})))),
        Mistake("revenue only",
                "You paid on revenue alone. The regulation's bonus is in proportion to "
                "results on all four indicators: revenue weighs 0.4, new customers, "
                "retention and collection rate 0.2 each.",
                value=_bonus(_variant(_CARD.model_copy(update={"weights": Weights(revenue=1)})))),
        Mistake("equal weights",
                "You weighed the four indicators equally. Revenue weighs 0.4 and the other "
                "three 0.2 each.",
                value=_bonus(_variant(_CARD.model_copy(update={"weights": Weights(
                    revenue=1, new_customers=1, retention=1, collection=1)})))),
        Mistake("attainment as a percentage",
                "Your bonus is about a hundred times too large: it looks as if you used "
                "attainments as percentages (120 instead of 1.2). The score is a plain ratio: "
                "exactly on every target gives 1.",
                when=_looks_like_percentages),
    ),
    tolerance=0.5,
)


# ------------------------------------------------------------------ 07.2 quota bonus
QUOTA_REVENUE = 299_000.0
QUOTA_DEAL = 2_000.0
"""Task 07.2: a quarter at 299,000 CNY under ``quota_bonus``, and a last deal of 2,000 CNY."""

_QUOTA = builtin_plan("quota_bonus")


def _extra(plan: Plan, targets: Targets | None = None) -> Callable[[Any], float]:
    return lambda d: marginal_pay(plan, {"Q": {"revenue": QUOTA_REVENUE}}, QUOTA_DEAL, targets)


QUOTA = Task(
    id="07.2",
    title="Just below and just above the target under quota_bonus",
    clauses=("R2.2.2.1", "R2.2.1.1"),
    kind=Number(unit="CNY"),
    expected=_extra(_QUOTA),
    why="A lump sum at the target makes the last yuan before it worth more than a whole "
        "quarter of work: that is why such plans produce end-of-quarter rushes, discounts "
        "to pull deals in, and reps who give up when the target is out of reach.",
    hint="Work out the pay for the quarter at 299,000 CNY and at 301,000 CNY with "
         "load_plan('quota_bonus').pay('Q', {'revenue': ...}) (or by reading the plan's "
         "description) and subtract.",
    mistakes=(
        Mistake("commission on the deal",
                "You paid 8% of the 2,000 CNY deal, as a commission would. quota_bonus pays "
                "no commission: it pays a lump sum once the quarter's revenue reaches the "
                "target, and nothing below it.",
                value=_extra(builtin_plan("linear"))),
        Mistake("8% of the quarter",
                "You took 8% of the quarter's 301,000 CNY. quota_bonus is not a percentage "
                "of revenue: it is one fixed amount, paid only from the target on.",
                value=lambda d: sum(builtin_plan("linear").pay(
                    "M", {"revenue": QUOTA_REVENUE + QUOTA_DEAL}).values())),
        Mistake("monthly target",
                "You compared the quarter with the monthly target (100,000 CNY), so both "
                "sides look paid. The bonus is quarterly: the quarter's revenue is compared "
                "with the quarterly target, 300,000 CNY.",
                value=_extra(_QUOTA, Targets(quarterly_revenue=_TARGETS.revenue("M")))),
    ),
    tolerance=0.5,
)


# ------------------------------------------------------------------ 07.3 a gate
GATED_PLAN = Plan(
    name="regulation_gated",
    description="The regulation's plan with a gate: no bonus and no uplift in a quarter whose "
                "collection rate is below its 90% target (R2.2.1.3).",
    components=[*_REGULATION.components, Gate(period="Q", measures=["collection"])],
)
GATE_QUARTER = {"revenue": 330_000.0, "new_customers": 50.0, "retention": 0.85,
              "collection": 0.87}
"""Task 07.3: a quarter with collection rate 87%, which chasing one invoice would raise to
90%."""
_CHASED = {**GATE_QUARTER, "collection": 0.90}


def _gain(plan: Plan, after: Mapping[str, float] = _CHASED) -> Callable[[Any], float]:
    return lambda d: _total(plan, after) - _total(plan, GATE_QUARTER)


GATE = Task(
    id="07.3",
    title="A gate on the collection rate (回款率)",
    clauses=("R2.2.2.1", "R2.2.1.3"),
    kind=Number(unit="CNY"),
    expected=_gain(GATED_PLAN),
    why="A gate turns the collection rate from one indicator among four into a condition of "
        "the whole bonus: chasing an overdue invoice before the quarter ends can be worth "
        "more than any sale.",
    hint="Compute the quarter's total pay under GATED_PLAN at collection 0.87 and at 0.90 "
         "(GATED_PLAN.pay('Q', measures)), and subtract. At 0.87 the gate is shut; at 0.90 "
         "it is open.",
    mistakes=(
        Mistake("gate forgotten",
                "You computed only the change in the scorecard's collection term. At 87% the "
                "gate is shut: the whole bonus, uplift included, is withheld, so reaching "
                "90% earns back all of it.",
                value=_gain(_REGULATION)),
        Mistake("gate on the uplift only",
                "You let the gate take back only the uplift. It applies to every component "
                "of the quarter: the scorecard bonus and the uplift.",
                value=_gain(_with(_REGULATION, "uplift gated", *_REGULATION.components,
                                  Gate(period="Q", measures=["collection"],
                                       applies_to=["uplift"])))),
        Mistake("uplift left out",
                "The gate is right, but your pay at 90% leaves out the uplift: the bonus is "
                "above the target incentive, so 25% of the excess is added.",
                value=_gain(_with(_REGULATION, "no uplift", _CARD,
                                  Gate(period="Q", measures=["collection"])))),
        Mistake("90% still shut",
                "At exactly 90% the gate is open: the target is 'at least 90%', so a rate "
                "equal to it passes.",
                value=lambda d: 0.0),
    ),
    tolerance=0.5,
)


# ------------------------------------------------------------------ 07.4 a clawback
CLAWBACK_PLAN = Plan(
    name="linear_clawback",
    description="8% commission on booked revenue, paid monthly; the commission on the revenue "
                "of a customer lost within 180 days of being won is taken back in the month "
                "the customer is lost.",
    components=[Commission(period="M", rate=0.08),
                Clawback(period="M", on="lost_customers", days=180, rate=0.08)],
)
_CLAW_REP, _CLAW_MONTH = "R02", "2026-04"


def _month_total(plan: Plan) -> Callable[[Any], float]:
    def value(ledger) -> float:
        rows = payouts(ledger, plan)
        rows = rows[(rows["rep_id"] == _CLAW_REP) & (rows["period"] == _CLAW_MONTH)]
        return float(rows["amount"].sum())
    return value


def _commission_only(ledger) -> float:
    return _month_total(builtin_plan("linear"))(ledger)


def _lost_revenue(ledger) -> float:
    deals = ledger.deals
    return float(deals.loc[deals["customer_id"] == "C02", "amount"].sum())


CLAWBACK = Task(
    id="07.4",
    title="A clawback (追回) when a customer is lost soon after being won",
    clauses=("R2.2.2.1", "R2.2.1.2"),
    kind=Number(unit="CNY"),
    expected=_month_total(CLAWBACK_PLAN),
    why="A clawback makes a customer who leaves soon after signing cost the rep what the "
        "sale paid: it rewards selling to customers who need the product and staying with "
        "them after the contract, the retention the regulation asks for.",
    hint="Use payouts(ledger, CLAWBACK_PLAN), keep R02's rows for 2026-04 and add up their "
         "amount: the month's commission and the clawback (a negative amount).",
    mistakes=(
        Mistake("clawback forgotten",
                "That is April's commission alone. Customer C02 was won in November 2025 and "
                "lost on 30 April 2026, within 180 days: the commission on its revenue is "
                "taken back in April, the month of the loss, even though it was earned in "
                "January.",
                value=_commission_only),
        Mistake("the revenue taken back",
                "You took back the lost customer's whole revenue. A clawback reverses the "
                "commission paid on it: the rate (8%) times that revenue.",
                value=lambda d: _commission_only(d) - _lost_revenue(d)),
        Mistake("the whole month cancelled",
                "You cancelled April's whole pay. A clawback takes back only the commission "
                "earned on the lost customer's revenue; April's other sales still pay.",
                value=lambda d: 0.0),
    ),
    data=sample_crm,
    tolerance=0.5,
)


# ------------------------------------------------------------------ 07.5 promotion
PROMOTION_TARGET = _TARGETS.revenue("Q")
PROMOTION_REVENUE = (310_000.0, 250_000.0, 280_000.0, 300_000.0, 330_000.0, 200_000.0, 305_000.0,
              320_000.0, 150_000.0, 400_000.0, 350_000.0, 360_000.0)
"""Task 07.5: Zheng's revenue in twelve quarters as a sales rep, 2024Q1 to 2026Q4."""


def promotion_history() -> pd.DataFrame:
    """Zheng's quarters (task 07.5): ``quarter`` (1-12), ``period``, ``revenue`` and target."""
    periods = pd.period_range("2024Q1", periods=len(PROMOTION_REVENUE), freq="Q").astype(str)
    return pd.DataFrame({"quarter": range(1, len(PROMOTION_REVENUE) + 1), "period": periods,
                         "revenue": PROMOTION_REVENUE, "revenue_target": PROMOTION_TARGET})


def _met(strict: bool = False) -> list[bool]:
    return [r > PROMOTION_TARGET if strict else r >= PROMOTION_TARGET for r in PROMOTION_REVENUE]


def _first(due: Callable[[list[bool]], bool], met: list[bool]) -> float:
    return float(next((k for k in range(1, len(met) + 1) if due(met[:k])), math.nan))


def _first_due(d: Any) -> float:
    return _first(lambda m: promotion_due(m) == "senior", _met())


PROMOTION = Task(
    id="07.5",
    title="Promotion to senior sales (晋升通道) from quarterly results",
    clauses=("R2.2.2.2",),
    kind=Number(),
    expected=_first_due,
    why="A rule over a window of quarters promotes people for sustained results: one bad "
        "quarter does not stop a good rep, and one lucky quarter does not promote an "
        "average one.",
    hint="Mark each quarter met when revenue reaches the target (at least 300,000 CNY). Then "
         "go quarter by quarter: after quarter k, look at quarters k-3 to k and count the "
         "met ones. The answer is the first k where that count reaches 3; promotion_due() "
         "from salessim.careers does the counting for you.",
    mistakes=(
        Mistake("three in total",
                "You counted the quarters met since the start. The rule looks at the last "
                "four quarters only: a met quarter two years ago does not count any more.",
                value=lambda d: _first(lambda m: sum(m) >= 3, _met())),
        Mistake("counted from zero",
                "You gave the position counted from 0 (Python's index). Quarters are "
                "numbered from 1, as in the quarter column.",
                value=lambda d: _first_due(d) - 1),
        Mistake("three in a row",
                "You waited for three met quarters in a row. The rule asks for 3 of the last "
                "4: one miss among them is allowed.",
                value=lambda d: _first(lambda m: len(m) >= 3 and all(m[-3:]), _met())),
        Mistake("target exactly met not counted",
                "You counted a quarter exactly on target as missed. Meeting the target means "
                "reaching it: revenue equal to 300,000 CNY counts as met.",
                value=lambda d: _first(lambda m: promotion_due(m) == "senior", _met(True))),
    ),
    tolerance=0,
)


# ------------------------------------------------------------------ 07.6 design a plan
FLOOR = 0.8
"""Task 07.6: the plan pays nothing below this revenue attainment."""

_QUARTER = {"revenue": _TARGETS.revenue("Q"), "collected": _TARGETS.revenue("Q"),
            "new_customers": _TARGETS.new_customers("Q"),
            "retention": float(_TARGETS.retention_rate),
            "collection": float(_TARGETS.collection_rate)}
_STRONG = {"new_customers": 1.5, "retention": 1 / _TARGETS.retention_rate,
           "collection": 1 / _TARGETS.collection_rate}


def _case(attainment: float, others: Mapping[str, float] | None = None) -> dict[str, float]:
    m = {k: v * attainment if k in ("revenue", "collected") else v for k, v in _QUARTER.items()}
    for key, factor in (others or {}).items():
        m[key] = _QUARTER[key] * factor
    return m


#: The hidden cases: what is checked at each, and the quarters' measures.
_GRID: tuple[tuple[str, tuple[dict[str, float], ...]], ...] = (
    ("at target", (_case(1.0),)),
    ("below", tuple(_case(a) for a in (0.0, 0.3, 0.5, 0.7, 0.75, 0.79, 0.7999))),
    ("below, strong", tuple(_case(a, _STRONG) for a in (0.55, 0.7, 0.79))),
    ("from the floor", tuple(_case(a) for a in (0.8, 0.85, 0.95))),
)


@dataclass(frozen=True)
class PlanDesign(Kind):
    """A quarterly pay plan the learner builds, evaluated with :meth:`Plan.pay` on hidden
    quarters (R2.2.2.1).

    The plan must pay exactly the target incentive when every target is met, nothing when
    revenue is below ``floor`` x its target (whatever the other indicators), and something
    from ``floor`` on. The answer is read as the set of problems it shows (empty when it
    meets every constraint): ``"not quarterly"``, ``"rate as a percentage"``, ``"threshold
    as a percentage"``, ``"pays below the floor"``, ``"scorecard pays below the floor"``,
    ``"nothing from the floor"``, ``"too much at target"``, ``"too little at target"``.
    """

    floor: float = FLOOR
    target_incentive: float = TARGET_INCENTIVE

    expects = "a Plan (Plan(name=..., components=[...])) or a plan dict, paid per quarter"

    def read(self, answer: Any) -> frozenset[str]:
        if not isinstance(answer, Plan | Mapping):
            raise AnswerTypeError(f"Your answer is {_what(answer)}; this task asks for "
                                  f"{self.expects}.")
        try:
            plan = load_plan(answer)
        except PlanError as exc:
            raise AnswerTypeError(f"Your plan cannot be used: {exc}") from None
        return self.problems(plan)

    def target(self, value: Any) -> frozenset[str]:
        return self.problems(load_plan(value))

    def problems(self, plan: Plan) -> frozenset[str]:
        """What is wrong with ``plan`` on the hidden quarters (empty when nothing is)."""
        if plan.periods != ("Q",):
            return frozenset({"not quarterly"})
        found = set()
        for c in plan.components:
            if isinstance(c, Commission) and c.measure != "new_customers" and any(
                    t.rate > 1 for t in c.tiers) or isinstance(c, Spif) and c.rate > 1:
                found.add("rate as a percentage")
            if getattr(c, "threshold", 0) > 5:
                found.add("threshold as a percentage")
        pay = {name: [_total(plan, m) for m in cases] for name, cases in _GRID}
        if any(abs(p) > 0.005 for p in pay["below"] + pay["below, strong"]):
            card = any(isinstance(c, Scorecard) for c in plan.components)
            found.add("scorecard pays below the floor" if card else "pays below the floor")
        if any(p <= 0.005 for p in pay["from the floor"]):
            found.add("nothing from the floor")
        (at_target,) = pay["at target"]
        if at_target > self.target_incentive + 1:
            found.add("too much at target")
        elif at_target < self.target_incentive - 1:
            found.add("too little at target")
        return frozenset(found)


def _has(problem: str) -> Callable[[frozenset[str], Any], bool]:
    return lambda found, data: problem in found


DESIGN = Task(
    id="07.6",
    title="Design a plan: the target incentive at 100%, nothing below 80%",
    clauses=("R2.2.2.1",),
    kind=PlanDesign(),
    expected=lambda d: Plan(name="floor", components=[
        Commission(period="Q", rate=0.08, threshold=FLOOR)]),
    why="A threshold keeps pay for results the company wants, and calibrating at 100% keeps "
        "the plan's cost where the budget expects it; checking a plan on many quarters, not "
        "one, is how its holes are found before the reps find them.",
    hint="A quarterly commission on revenue (period='Q') with a threshold of 0.8 (attainment, "
         "as a fraction) and a rate chosen so that the quarterly target (300,000 CNY) pays "
         "the target incentive meets every constraint; check your plan with "
         "plan.pay('Q', {...}) at several attainments.",
    mistakes=(
        Mistake("not quarterly",
                "Your plan has components paid per month or per year. This task asks for a "
                "quarterly plan: give every component period='Q'.",
                when=_has("not quarterly")),
        Mistake("rate as a percentage",
                "A commission rate is a fraction of revenue: 5% is rate=0.05, not rate=5.",
                when=_has("rate as a percentage")),
        Mistake("threshold as a percentage",
                "A threshold is an attainment as a fraction: 80% of the target is "
                "threshold=0.8, not 80.",
                when=_has("threshold as a percentage")),
        Mistake("scorecard threshold",
                "Your plan pays in some quarters whose revenue is below 80% of its target. A "
                "scorecard's threshold applies to the weighted score, and strong new-customer, "
                "retention and collection results lift the score while revenue stays low. Put "
                "the condition on revenue itself: a revenue commission or bonus with its own "
                "threshold, or a gate on revenue (Gate(measures=['revenue'], "
                "min_attainment=0.8)).",
                when=_has("scorecard pays below the floor")),
        Mistake("pays below 80%",
                "Your plan pays in quarters whose revenue is below 80% of its target. Give "
                "the component a threshold of 0.8 (or gate it on revenue), so that nothing "
                "is paid below it.",
                when=_has("pays below the floor")),
        Mistake("nothing from 80%",
                "Your plan pays nothing at 80% to 95% of the target. The constraint is "
                "nothing below 80%, and something from 80% on: a bonus only at 100% pays too "
                "late.",
                when=_has("nothing from the floor")),
        Mistake("too much at target",
                "At exactly 100% of every target your plan pays more than the target "
                "incentive (8% of the quarterly revenue target). Lower the rate or the "
                "amount.",
                when=_has("too much at target")),
        Mistake("too little at target",
                "At exactly 100% of every target your plan pays less than the target "
                "incentive (8% of the quarterly revenue target). Raise the rate or the "
                "amount.",
                when=_has("too little at target")),
    ),
)


# ------------------------------------------------------------------ 07.7 recognition
RECOGNITION = Task(
    id="07.7",
    title="Recognition and training (非物质激励)",
    clauses=("R2.2.2.3",),
    kind=Choice(),
    expected=lambda d: "B",
    why="Recognition and training work best when they point at the same results as the "
        "assessment and help people close their gaps; used as a revenue trophy or a "
        "punishment, they teach the opposite.",
    hint="Ask what each option teaches the team about which results count, and whether "
         "training is offered as help or imposed as a penalty.",
    mistakes=(
        option("A", "Honouring the top revenue alone, whatever the collection rate and the "
                    "complaints, rewards again what the bonus already pays and tells the team "
                    "that collection and retention do not count. Recognition should follow "
                    "the whole scorecard."),
        option("C", "Pay is not the only thing that moves people: being recognised in front "
                    "of colleagues and getting the chance to learn matter too, cost little, "
                    "and the regulation asks for them explicitly."),
        option("D", "Training sent as a punishment is training nobody wants: people hide their "
                    "gaps to avoid it. Offer it as development, matched to what each rep's "
                    "results show they need."),
    ),
)

TASKS: tuple[Task, ...] = (BONUS, QUOTA, GATE, CLAWBACK, PROMOTION, DESIGN, RECOGNITION)
