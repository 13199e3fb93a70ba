"""salessim: the Sales Performance Regulation (销售业绩规程) as KPIs, a simulation and a course."""

from .ledger import Ledger, MissingTableError
from .regulation import CLAUSES, Targets, clause

__all__ = ["CLAUSES", "Ledger", "MissingTableError", "Targets", "clause"]
__version__ = "0.1.0"
