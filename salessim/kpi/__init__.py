"""KPIs over a ledger: one definition of every number the regulation assesses (R2.2.1).

Every KPI is a function ``name(ledger, period="M", by="rep")`` that returns a DataFrame with
a ``period`` column, then the group column (``rep_id`` for ``by="rep"``, ``team`` for
``by="team"``, none for ``by="company"``), then one value column named like the function.
There is one row for every period of :func:`periods` and every group: every rep of the
``reps`` table (or every ``rep_id`` seen when there is none), or every team of ``reps``.
Sums and counts are 0 where nothing happened; rates are NaN where they are undefined (no
customers at the period's start, nothing fell due), never 0 and never an error.

Periods are calendar months, quarters and years, labelled as pandas prints them
(``2026-01``, ``2026Q1``, ``2026``), both ends inclusive: a deal signed on 2026-03-31 is in
2026Q1. A row belongs to the rep named on it (the customer's, deal's or invoice's
``rep_id``; a payment belongs to its invoice's rep, a survey to its customer's rep).

The regulation's KPIs are sales revenue (销售额) and its attainment (R2.2.1.1), new customers
and the retention rate (留存率) (R2.2.1.2), and the collection rate (回款率) (R2.2.1.3);
:func:`scorecard` sets them against :class:`~salessim.regulation.Targets`. The others are the
standard ones a sales team reads beside them: win rate, stage conversion, average deal size,
sales cycle, first response time (R2.1.2.1), pipeline velocity, DSO, the collection
effectiveness index, CSAT, NPS (R2.3.1.3) and cost of sales (R2.2.2.1).

Modules: :mod:`~.grid` (periods, groups, the grid of sums), :mod:`~.assessed` (the
regulation's KPIs), :mod:`~.standard` (the others), :mod:`~.scorecard`.
"""

from .assessed import (
    attainment,
    collected_cash,
    collection_rate,
    new_customers,
    retention_rate,
    revenue,
)
from .grid import STAGES, periods
from .scorecard import SCORECARD_COLUMNS, format_scorecard, scorecard
from .standard import (
    average_deal_size,
    collection_effectiveness,
    cost_of_sales,
    csat,
    dso,
    first_response_time,
    nps,
    pipeline_velocity,
    sales_cycle,
    stage_conversion,
    win_rate,
)

__all__ = [
    "STAGES", "periods", "revenue", "attainment", "new_customers", "retention_rate",
    "collection_rate", "collected_cash", "win_rate", "stage_conversion", "average_deal_size",
    "sales_cycle", "first_response_time", "pipeline_velocity", "dso",
    "collection_effectiveness", "csat", "nps", "cost_of_sales", "scorecard",
    "SCORECARD_COLUMNS", "format_scorecard",
]
