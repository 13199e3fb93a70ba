"""Incentive plans (激励方案): plans as data, their pay rules, and payouts from a ledger."""

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
