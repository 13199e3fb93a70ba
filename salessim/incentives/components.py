"""Plan components and their pay rules, on plain numbers.

A pay plan (薪酬方案) is a list of components. Each component pays one thing for one kind of
period (month ``"M"``, quarter ``"Q"`` or year ``"Y"``) and knows its own pay rule:
``component.pay(measures, targets)`` takes a rep's measures for one period as a plain dict of
floats (see :mod:`salessim.incentives.basis`) and that period's targets
(:class:`~salessim.incentives.basis.PeriodTargets`) and returns CNY.

Attainment is measure / target. Money amounts other than commission rates (caps, bonus
amounts, pools) are in ``unit``: ``"target_pay"`` (multiples of the plan's target incentive
for the period, so a plan scales with the targets) or ``"CNY"``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
from typing import Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_serializer,
    field_validator,
    model_validator,
)

from .basis import EPS, MEASURES, PeriodTargets, attainment, problem, value

Period = Literal["M", "Q", "Y"]
Unit = Literal["target_pay", "CNY"]
SumMeasure = Literal["revenue", "collected", "new_customers"]
Measure = Literal["revenue", "collected", "new_customers", "retention", "collection"]


class _Pair(BaseModel):
    """A row of a rate or amount table, written ``[at, x]`` in TOML."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    _second: ClassVar[str]
    at: float = Field(ge=0)

    @model_validator(mode="before")
    @classmethod
    def _from_pair(cls, data: Any) -> Any:
        if isinstance(data, list | tuple):
            if len(data) != 2:
                raise ValueError(f"expected a pair [at, {cls._second}], got {list(data)!r}")
            return {"at": data[0], cls._second: data[1]}
        return data


class Tier(_Pair):
    """A commission tier: ``rate`` applies to the part of the measure from ``at`` x target
    up to the next tier's start (marginal rates)."""

    _second: ClassVar[str] = "rate"
    rate: float = Field(ge=0)


class Level(_Pair):
    """A bonus level: ``amount`` is paid when attainment reaches ``at``."""

    _second: ClassVar[str] = "amount"
    amount: float = Field(ge=0)


def _increasing(rows: tuple[_Pair, ...], what: str) -> tuple[_Pair, ...]:
    for i in range(1, len(rows)):
        if rows[i].at <= rows[i - 1].at:
            raise ValueError(problem(f"[{i}].at", rows[i].at,
                                     f"{what} must start at increasing attainment, "
                                     f"after {rows[i - 1].at} at [{i - 1}]"))
    return rows


def _as_pairs(rows: tuple[_Pair, ...]) -> list[list[float]]:
    return [[r.at, getattr(r, r._second)] for r in rows]


class Weights(BaseModel):
    """Weights of the regulation's indicators in a scorecard (R2.2.1)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    revenue: float = Field(0.0, ge=0)
    collected: float = Field(0.0, ge=0)
    new_customers: float = Field(0.0, ge=0)
    retention: float = Field(0.0, ge=0)
    collection: float = Field(0.0, ge=0)


class Segment(BaseModel):
    """Which deals a SPIF counts; an empty list means any value."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    channel: tuple[str, ...] = ()
    industry: tuple[str, ...] = ()
    company_size: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    deal_kind: tuple[Literal["new", "repeat"], ...] = ()

    def lead_filters(self) -> dict[str, tuple[str, ...]]:
        """The non-empty filters on lead attributes."""
        return {k: getattr(self, k) for k in ("channel", "industry", "company_size", "region")
                if getattr(self, k)}


class Component(BaseModel):
    """Common fields: ``name`` (unique in its plan; defaults to the kind) and ``period``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field("", min_length=1)
    period: Period = "M"

    @model_validator(mode="before")
    @classmethod
    def _default_name(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("name"):
            data = {**data, "name": data.get("kind") or cls.model_fields["kind"].default}
        return data

    def money(self, amount: float, t: PeriodTargets) -> float:
        """``amount`` in CNY (``unit`` is ``target_pay`` or ``CNY``)."""
        return amount * t.target_pay if getattr(self, "unit", "CNY") == "target_pay" else amount


class Commission(Component):
    """Commission (提成) on a measure by a table of marginal rates.

    ``tiers`` lists ``[at, rate]``: ``rate`` applies to the part of the measure between
    ``at`` x target and the next tier's start. Rising rates are accelerators, falling ones
    decelerators; ``rate = r`` is short for ``tiers = [[0, r]]``. The rate is a fraction of
    money for ``revenue`` and ``collected`` and CNY per customer for ``new_customers``.
    Below ``threshold`` (an attainment) nothing is paid; once it is reached the whole measure
    is paid by the table (add a zero-rate first tier to pay only above it). ``cap`` limits
    the pay per period (in ``unit``).
    """

    kind: Literal["commission"] = "commission"
    measure: SumMeasure = "revenue"
    tiers: tuple[Tier, ...] = Field(min_length=1)
    threshold: float = Field(0.0, ge=0)
    cap: float | None = Field(None, gt=0)
    unit: Unit = "target_pay"

    @model_validator(mode="before")
    @classmethod
    def _rate_shorthand(cls, data: Any) -> Any:
        if isinstance(data, dict) and "rate" in data:
            if "tiers" in data:
                raise ValueError(problem(".rate", data["rate"], "give either rate or tiers"))
            if isinstance(data["rate"], int | float) and data["rate"] < 0:
                raise ValueError(problem(".rate", data["rate"], "must be >= 0"))
            rest = {k: v for k, v in data.items() if k != "rate"}
            data = {**rest, "tiers": [[0.0, data["rate"]]]}
        return data

    @field_validator("tiers")
    @classmethod
    def _check_tiers(cls, tiers: tuple[Tier, ...]) -> tuple[Tier, ...]:
        if tiers[0].at != 0:
            raise ValueError(problem("[0].at", tiers[0].at, "the first tier must start at 0"))
        return _increasing(tiers, "tiers")

    @field_serializer("tiers")
    def _dump_tiers(self, tiers: tuple[Tier, ...]) -> list[list[float]]:
        return _as_pairs(tiers)

    def pay(self, m: Mapping[str, float], t: PeriodTargets) -> float:
        """Commission for one period."""
        x, target = value(m, self.measure), t.of_measure(self.measure)
        if attainment(x, target) < self.threshold - EPS:
            return 0.0
        total = 0.0
        for i, tier in enumerate(self.tiers):
            lo = tier.at * target
            hi = self.tiers[i + 1].at * target if i + 1 < len(self.tiers) else math.inf
            if x > lo:
                total += tier.rate * (min(x, hi) - lo)
        if self.cap is not None:
            total = min(total, self.money(self.cap, t))
        return total


class Bonus(Component):
    """Lump-sum bonus (奖金) at attainment levels of a measure.

    ``levels`` lists ``[at, amount]``; the amount of the highest level reached is paid
    (levels are not cumulative), so ``[[1.0, 1.0]]`` pays one target incentive at 100%
    and nothing below. Amounts are in ``unit`` and may not fall as the level rises.
    """

    kind: Literal["bonus"] = "bonus"
    measure: Measure = "revenue"
    levels: tuple[Level, ...] = Field(min_length=1)
    unit: Unit = "target_pay"

    @field_validator("levels")
    @classmethod
    def _check_levels(cls, levels: tuple[Level, ...]) -> tuple[Level, ...]:
        return _non_decreasing(_increasing(levels, "levels"))

    @field_serializer("levels")
    def _dump_levels(self, levels: tuple[Level, ...]) -> list[list[float]]:
        return _as_pairs(levels)

    def pay(self, m: Mapping[str, float], t: PeriodTargets) -> float:
        """Bonus for one period (0 when the measure is undefined)."""
        att = attainment(value(m, self.measure), t.of_measure(self.measure))
        return self.money(_level_amount(self.levels, att), t)


def _non_decreasing(levels: tuple[Level, ...]) -> tuple[Level, ...]:
    for i in range(1, len(levels)):
        if levels[i].amount < levels[i - 1].amount:
            raise ValueError(problem(f"[{i}].amount", levels[i].amount,
                                     f"a higher level may not pay less than "
                                     f"{levels[i - 1].amount} at [{i - 1}]"))
    return levels


def _level_amount(levels: tuple[Level, ...], att: float) -> float:
    amount = 0.0
    for level in levels:
        if att >= level.at - EPS:  # False for NaN
            amount = level.amount
    return amount


class Scorecard(Component):
    """A bonus in proportion to a weighted score over the regulation's indicators (R2.2.1).

    Each indicator counts as measure / target, at most ``cap``; the score is the weighted
    mean over the indicators that are defined (an undefined rate, such as retention with no
    customers at the period's start, drops out and the others are reweighted). The bonus is
    ``target_bonus`` (in ``unit``) x score, and nothing when the score is below
    ``threshold``. A rep at 100% of every target scores 1 and earns ``target_bonus``.
    """

    kind: Literal["scorecard"] = "scorecard"
    weights: Weights = Weights(revenue=0.4, new_customers=0.2, retention=0.2, collection=0.2)
    cap: float = Field(1.5, gt=0)
    threshold: float = Field(0.0, ge=0)
    target_bonus: float = Field(1.0, ge=0)
    unit: Unit = "target_pay"

    @field_validator("weights")
    @classmethod
    def _some_weight(cls, w: Weights) -> Weights:
        if sum(w.model_dump().values()) <= 0:
            raise ValueError(problem("", w.model_dump(), "at least one weight must be > 0"))
        return w

    def score(self, m: Mapping[str, float], t: PeriodTargets) -> float:
        """Weighted mean of the capped indicator ratios (0 when none is defined)."""
        total = weight = 0.0
        for measure in MEASURES:
            w, x = getattr(self.weights, measure), value(m, measure)
            if w > 0 and not math.isnan(x):
                total += w * min(attainment(x, t.of_measure(measure)), self.cap)
                weight += w
        return total / weight if weight > 0 else 0.0

    def pay(self, m: Mapping[str, float], t: PeriodTargets) -> float:
        """Scorecard bonus for one period."""
        s = self.score(m, t)
        return 0.0 if s < self.threshold - EPS else self.money(self.target_bonus, t) * s


class TeamBonus(Component):
    """A team pool (团队奖金) when the team's attainment reaches a level, split among members.

    Team attainment is the members' summed ``measure`` over the sum of their targets.
    ``levels`` lists ``[at, amount per member]`` (in ``unit``); the pool is that amount x the
    team size, split equally or in proportion to each member's ``measure`` (``split``).
    """

    kind: Literal["team_bonus"] = "team_bonus"
    measure: SumMeasure = "revenue"
    levels: tuple[Level, ...] = Field(min_length=1)
    split: Literal["equal", "measure"] = "equal"
    unit: Unit = "target_pay"

    @field_validator("levels")
    @classmethod
    def _check_levels(cls, levels: tuple[Level, ...]) -> tuple[Level, ...]:
        return _non_decreasing(_increasing(levels, "levels"))

    @field_serializer("levels")
    def _dump_levels(self, levels: tuple[Level, ...]) -> list[list[float]]:
        return _as_pairs(levels)

    def pay(self, m: Mapping[str, float], t: PeriodTargets) -> float:
        """This rep's share of the team pool for one period (0 without a team)."""
        n = value(m, "team_size")
        if n <= 0:
            return 0.0
        team_x = value(m, f"team_{self.measure}")
        att = attainment(team_x, n * t.of_measure(self.measure))
        pool = self.money(_level_amount(self.levels, att), t) * n
        if self.split == "equal":
            return pool / n
        return pool * value(m, self.measure) / team_x if team_x > 0 else 0.0


class Spif(Component):
    """A SPIF: an extra ``rate`` on the revenue of deals signed from ``start`` to ``end``
    (inclusive) that match ``where`` (lead channel, industry, company size, region, deal
    kind). Its base, the qualifying revenue, is the measure named like the component."""

    kind: Literal["spif"] = "spif"
    rate: float = Field(ge=0)
    start: date
    end: date
    where: Segment = Segment()

    @model_validator(mode="after")
    def _dates_in_order(self) -> Spif:
        if self.end < self.start:
            raise ValueError(problem(".end", self.end.isoformat(),
                                     f"must not be before start {self.start.isoformat()}"))
        return self

    def pay(self, m: Mapping[str, float], t: PeriodTargets) -> float:
        """SPIF pay for one period."""
        return self.rate * value(m, self.name)


class Clawback(Component):
    """Reversal (追回) of commission, as a negative amount.

    ``on = "unpaid_invoices"``: ``rate`` x the part of an invoice still unpaid ``days`` days
    after its due date, charged in the period of that day. ``on = "lost_customers"``:
    ``rate`` x the revenue booked from a customer who churned within ``days`` days of being
    acquired, charged in the period of the churn. Its base is the measure named like the
    component.
    """

    kind: Literal["clawback"] = "clawback"
    on: Literal["unpaid_invoices", "lost_customers"]
    days: int = Field(ge=0)
    rate: float = Field(ge=0)

    def pay(self, m: Mapping[str, float], t: PeriodTargets) -> float:
        """Clawback for one period (<= 0)."""
        return -self.rate * value(m, self.name)


class Uplift(Component):
    """The regulation's over-target uplift (R2.2.2.1), paid as its own amount.

    The regulation says exceeding the target earns 20%-30% extra without saying extra on
    what. ``basis = "excess"`` (the default) reads it as: the pay of the ``applies_to``
    components above what they pay at exactly 100% of every target is raised by ``rate``;
    for a commission this is the part above target paid at (1 + rate) x the rate. It has no
    jump at 100%. ``basis = "whole"`` reads it as: when ``measure``'s attainment exceeds
    100%, the whole pay of those components is raised by ``rate``, a step of ``rate`` x
    that pay at the target. ``rate`` defaults to ``Targets.uplift`` (0.25).
    """

    kind: Literal["uplift"] = "uplift"
    applies_to: tuple[str, ...] = Field(min_length=1)
    rate: float | None = Field(None, ge=0)
    basis: Literal["excess", "whole"] = "excess"
    measure: Measure = "revenue"

    def adjust(self, paid: Mapping[str, float], reference: Mapping[str, float],
               m: Mapping[str, float], t: PeriodTargets) -> float:
        """The extra pay, given the components' ``paid`` amounts and their ``reference``
        pay at 100% of every target."""
        rate = t.uplift if self.rate is None else self.rate
        total = sum(paid[n] for n in self.applies_to)
        if self.basis == "whole":
            att = attainment(value(m, self.measure), t.of_measure(self.measure))
            return rate * total if att > 1 + EPS else 0.0
        return rate * max(0.0, total - sum(reference[n] for n in self.applies_to))


class Gate(Component):
    """No pay from the ``applies_to`` components unless every one of ``measures`` reaches
    ``min_attainment`` of its target (by default collection rate >= 90% and retention
    >= 85%, from ``Targets``). Paid as a negative amount cancelling them when the gate is
    shut. An undefined measure (NaN: nothing fell due, no customers at the start) does not
    shut it. An empty ``applies_to`` means every other component of the same period except
    clawbacks."""

    kind: Literal["gate"] = "gate"
    applies_to: tuple[str, ...] = ()
    measures: tuple[Measure, ...] = Field(("collection", "retention"), min_length=1)
    min_attainment: float = Field(1.0, ge=0)

    def is_open(self, m: Mapping[str, float], t: PeriodTargets) -> bool:
        """Whether the gated components are paid."""
        for measure in self.measures:
            x = value(m, measure)
            if not math.isnan(x) and attainment(x, t.of_measure(measure)) < \
                    self.min_attainment - EPS:
                return False
        return True

    def adjust(self, paid: Mapping[str, float], gated: tuple[str, ...],
               m: Mapping[str, float], t: PeriodTargets) -> float:
        """Minus the ``gated`` components' pay when the gate is shut, else 0."""
        return 0.0 if self.is_open(m, t) else -sum(paid[n] for n in gated)


BASE_KINDS = ("commission", "bonus", "scorecard", "team_bonus", "spif", "clawback")
COMPONENT_TYPES: dict[str, type[Component]] = {
    c.model_fields["kind"].default: c
    for c in (Commission, Bonus, Scorecard, TeamBonus, Spif, Clawback, Uplift, Gate)
}
