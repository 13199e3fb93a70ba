"""The numbers pay rules work on: a rep's measures for a period and the period's targets.

Pay rules take plain floats, so the simulation can price "one more sale" without pandas.

Measures (keys of the ``measures`` dict):

``revenue``
    Booked revenue (销售额): amounts of deals signed in the period (R2.2.1.1).
``collected``
    Cash collected in the period; its target is the revenue target.
``new_customers``
    Customers won in the period (R2.2.1.2).
``retention``, ``collection``
    Retention rate (留存率, R2.2.1.2) and collection rate (回款率, R2.2.1.3), fractions;
    NaN when undefined (no customers at the period's start, nothing due).
``team_size``, ``team_revenue``, ``team_collected``, ``team_new_customers``
    The rep's team: members and their summed measures (used by ``team_bonus``).
``<component name>``
    The base of a ``spif`` (qualifying revenue) or ``clawback`` (amount to reverse).

Attainment is measure / target (R2.2.1): revenue and collected cash against the revenue
target (R2.2.1.1), new customers against the new-customer target, retention and collection
rate against their minimums (R2.2.1.2-R2.2.1.3).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..regulation import Targets

MEASURES: tuple[str, ...] = ("revenue", "collected", "new_customers", "retention", "collection")
SUM_MEASURES: tuple[str, ...] = ("revenue", "collected", "new_customers")
TEAM_KEYS: tuple[str, ...] = ("team_size",) + tuple(f"team_{k}" for k in SUM_MEASURES)

#: Tolerance on attainment comparisons, so that a sum of cents exactly at target counts as
#: at target despite floating-point rounding.
EPS = 1e-9


def problem(subpath: str, value: Any, reason: str) -> str:
    """A validation message that continues the field path of the failing field."""
    return f"{subpath}: {value!r} is not allowed: {reason}"


@dataclass(frozen=True)
class PeriodTargets:
    """One rep's targets for one kind of period, as plain numbers (R2.2.1).

    ``target_pay`` is the plan's target incentive for the period in CNY (what a rep exactly
    at target earns); ``uplift`` is the regulation's over-target uplift (R2.2.2.1).
    """

    revenue: float
    collected: float
    new_customers: float
    retention: float
    collection: float
    target_pay: float
    uplift: float

    @classmethod
    def of(cls, targets: Targets, period: str, target_pay: float) -> PeriodTargets:
        """Targets for period kind ``period`` with a target incentive of ``target_pay`` x
        the revenue target."""
        revenue = targets.revenue(period)
        return cls(revenue=revenue, collected=revenue,
                   new_customers=targets.new_customers(period),
                   retention=float(targets.retention_rate),
                   collection=float(targets.collection_rate),
                   target_pay=target_pay * revenue, uplift=float(targets.uplift))

    def of_measure(self, measure: str) -> float:
        """The target of ``measure``."""
        return getattr(self, measure)


def value(measures: Mapping[str, float], key: str) -> float:
    """A measure's value: missing sums count as 0, missing rates as NaN (undefined)."""
    v = measures.get(key)
    if v is None:
        return math.nan if key in ("retention", "collection") else 0.0
    return float(v)


def attainment(x: float, target: float) -> float:
    """``x / target``; infinite when the target is 0 (nothing asked, so it is met)."""
    return x / target if target > 0 else math.inf


def at_target(measures: Mapping[str, float], t: PeriodTargets) -> dict[str, float]:
    """The measures of a rep exactly at 100% of every target (team members too)."""
    out = dict(measures)
    for m in MEASURES:
        out[m] = t.of_measure(m)
    n = value(measures, "team_size")
    for m in SUM_MEASURES:
        out[f"team_{m}"] = n * t.of_measure(m)
    return out
