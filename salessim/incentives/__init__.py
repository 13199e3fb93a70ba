"""Incentive plans (激励方案): plans as data, their pay rules, and payouts from a ledger.

The regulation pays a performance bonus in proportion to results, with 20%-30% extra for
exceeding the target (R2.2.2.1), on the indicators of R2.2.1: sales revenue, new customers,
retention rate and collection rate. This package lets a trainer write that plan, and the
alternatives to compare it with, as data:

- a :class:`Plan` is a validated, immutable list of components, each paid per month,
  quarter or year: ``commission`` (rate tables with accelerators or decelerators, a
  threshold, a cap), ``bonus`` (lump sums at attainment levels), ``scorecard`` (a weighted
  score over R2.2.1's indicators), ``team_bonus``, ``spif``, ``clawback``, ``uplift`` (the
  over-target extra) and ``gate`` (no pay unless collection and retention are on target);
- :func:`load_plan` reads a built-in name, a TOML file or a dict, and reports every
  problem with its field path and value; :meth:`Plan.to_toml` writes a plan back;
- :func:`builtin_plan` gives the six built-in plans, calibrated to pay the same at 100%;
- :meth:`Plan.pay` and :func:`marginal_pay` are the pay rules on plain numbers, for the
  simulation; :func:`payouts` applies them to a ledger's KPIs (:mod:`salessim.kpi`).

Examples
--------
>>> from salessim.incentives import load_plan, marginal_pay
>>> plan = load_plan("quota_bonus")
>>> marginal_pay(plan, {"Q": {"revenue": 295_000}}, 10_000)  # this sale makes the quota
24000.0
"""

from .basis import PeriodTargets
from .builtin import BUILTIN_PLANS, builtin_plan
from .components import (
    Bonus,
    Clawback,
    Commission,
    Gate,
    Scorecard,
    Segment,
    Spif,
    TeamBonus,
    Uplift,
    Weights,
)
from .errors import PlanError
from .loading import load_plan, plan_to_toml
from .payouts import format_payouts, measures, payouts
from .plan import Plan, marginal_pay

__all__ = [
    "BUILTIN_PLANS", "Bonus", "Clawback", "Commission", "Gate", "PeriodTargets", "Plan",
    "PlanError", "Scorecard", "Segment", "Spif", "TeamBonus", "Uplift", "Weights",
    "builtin_plan", "format_payouts", "load_plan", "marginal_pay", "measures", "payouts",
    "plan_to_toml",
]
