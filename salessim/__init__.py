"""salessim: the Sales Performance Regulation (销售业绩规程) as KPIs, a simulation and a course."""

from .experiment import compare, sweep
from .incentives import Plan, load_plan, payouts
from .kpi import scorecard
from .ledger import Ledger, MissingTableError, sample_crm_dir
from .model import simulate
from .regulation import CLAUSES, Targets, clause
from .rollout import control_chart, diff_in_diff, pilot_vs_control, pre_trend
from .scenario import Scenario, load_scenario
from .validation import LedgerError, Problem, validate

__all__ = ["CLAUSES", "Ledger", "LedgerError", "MissingTableError", "Plan", "Problem", "Targets",
           "clause", "load_plan", "payouts", "sample_crm_dir", "scorecard", "validate",
           "simulate", "Scenario", "load_scenario", "compare", "sweep", "pilot_vs_control",
           "diff_in_diff", "pre_trend", "control_chart"]
__version__ = "0.1.0"
