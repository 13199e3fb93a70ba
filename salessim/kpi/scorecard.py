"""The regulation's scorecard: each group's KPIs against its targets (R2.2.1)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..ledger import Ledger
from ..regulation import Targets, _as_targets
from .assessed import _collection_rate, _new_customers, _retention_rate, _revenue
from .grid import _Grid, _ratio


def _meets(value: pd.Series, target) -> np.ndarray:
    """value >= target, allowing float rounding; a NaN value never meets its target."""
    value = value.to_numpy(dtype="float64")
    target = np.asarray(target, dtype="float64")
    return (value >= target) | np.isclose(value, target, rtol=1e-9, atol=0.0)


#: The scorecard's value columns, in order (after ``period`` and the group column).
SCORECARD_COLUMNS = (
    "revenue", "revenue_target", "attainment", "new_customers", "new_customer_target",
    "retention_rate", "collection_rate", "meets_revenue", "meets_new_customers",
    "meets_retention", "meets_collection",
)


def scorecard(ledger: Ledger, period: str = "Q", by: str = "rep",
              targets: Targets | dict | None = None) -> pd.DataFrame:
    """The regulation's scorecard: each group's KPIs against its targets (R2.2.1).

    Targets are per rep (:class:`~salessim.regulation.Targets`, R2.2.1.1-R2.2.1.3). A team's
    or the company's revenue and new-customer targets are the per-rep targets times the
    number of reps in it (every rep of the ``reps`` table counts in every period; for the
    company without a ``reps`` table, every rep_id seen); rate targets do not scale. The
    ``meets_*`` columns say whether the value reaches its target (>=); a NaN rate, where no
    customer was open at the start or nothing fell due, does not meet its target.

    Parameters
    ----------
    ledger : Ledger
        The tables to read.
    period : {"M", "Q", "Y"}
        Calendar month, quarter (default) or year, both ends inclusive.
    by : {"rep", "team", "company"}
        One row per rep, per team (needs the ``reps`` table) or for the whole company.
    targets : Targets, dict or None
        The targets, a dict of overrides of the defaults, or None for the regulation's
        defaults.

    Returns
    -------
    pandas.DataFrame
        ``period``, then ``rep_id`` or ``team`` (none for the company), then ``revenue``,
        ``revenue_target``, ``attainment``, ``new_customers``, ``new_customer_target``,
        ``retention_rate``, ``collection_rate``, ``meets_revenue``, ``meets_new_customers``,
        ``meets_retention``, ``meets_collection``: one row per period of :func:`periods`
        and group.
    """
    g = _Grid(ledger, period, by)
    goal = _as_targets(targets)
    heads = g.headcount()
    card = g.result("revenue", _revenue(g))
    card["revenue_target"] = goal.revenue(g.kind) * heads
    card["attainment"] = _ratio(card["revenue"], card["revenue_target"])
    card["new_customers"] = _new_customers(g)
    card["new_customer_target"] = goal.new_customers(g.kind) * heads
    card["retention_rate"] = _retention_rate(g)
    card["collection_rate"] = _collection_rate(g)
    card["meets_revenue"] = _meets(card["revenue"], card["revenue_target"])
    card["meets_new_customers"] = _meets(card["new_customers"], card["new_customer_target"])
    card["meets_retention"] = _meets(card["retention_rate"], goal.retention_rate)
    card["meets_collection"] = _meets(card["collection_rate"], goal.collection_rate)
    return card[[*g.frame.columns, *SCORECARD_COLUMNS]]


_MONEY = ("revenue", "revenue_target")
_RATES = ("attainment", "retention_rate", "collection_rate")
_HEADERS = {
    "revenue_target": "rev target", "attainment": "attain", "new_customers": "new cust",
    "new_customer_target": "new target", "retention_rate": "retention",
    "collection_rate": "collection", "meets_revenue": "rev met", "meets_new_customers": "new met",
    "meets_retention": "ret met", "meets_collection": "coll met",
}


def _cell(column: str, value) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if pd.isna(value):
        return "n/a"
    if column in _RATES:
        return f"{value:.1%}"
    if column in _MONEY:
        return f"{value:,.0f}"
    if isinstance(value, (float, np.floating)):
        return f"{value:,.1f}".removesuffix(".0")
    return str(value)


def format_scorecard(card: pd.DataFrame) -> str:
    """A scorecard as a readable text table, for the command line and notebooks.

    Money is shown as ``123,456`` (CNY), rates as percentages (``91.3%``), undefined rates as
    ``n/a`` and the ``meets_*`` columns as ``yes``/``no``; headers are shortened to fit a
    terminal and a note under the table explains them.

    Parameters
    ----------
    card : pandas.DataFrame
        A table returned by :func:`scorecard`.

    Returns
    -------
    str
        The table and its note, without a final newline.
    """
    if card.empty:
        return "(no periods: the ledger has no dated rows)"
    text = pd.DataFrame({_HEADERS.get(c, c): [_cell(c, v) for v in card[c]] for c in card.columns})
    note = (
        "Money in CNY; attain = revenue / rev target; met = reaches its target.\n"
        "n/a: no customers at the period's start (retention) or nothing fell due (collection);"
        " an n/a rate does not meet its target."
    )
    return text.to_string(index=False) + "\n" + note
