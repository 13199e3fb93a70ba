"""Periods, groups and the grid every KPI is summed onto (R2.2.1)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..ledger import Ledger
from ..regulation import _period_kind

STAGES: tuple[str, ...] = (
    "new", "contacted", "discovery", "demo", "quote", "negotiation", "contract",
)
"""The sales stages in order (R2.1.2-R2.1.3); ``leads.stage`` holds the furthest one reached.

new: the lead is in the database (R2.1.1.2); contacted: first contact (R2.1.2.1);
discovery: needs and pain points learned, a solution offered (R2.1.2.1-R2.1.2.2);
demo: a demo or trial (R2.1.2.3); quote: a detailed quote (R2.1.3.1); negotiation
(R2.1.3.2); contract: the contract is signed (R2.1.3.3).
"""

_GROUP = {"rep": "rep_id", "team": "team", "company": None}
_MONTHS = {"M": 1, "Q": 3, "Y": 12}

# The date columns that span a ledger's periods.
_DATES = {  # dates on which something happened; not due dates (they lie ahead), nor the
    # acquisition dates of customers won before the ledger's first transaction
    "customers": ("churned_on",),
    "deals": ("signed_on",),
    "invoices": ("issued_on",),
    "payments": ("paid_on",),
    "leads": ("created_on", "first_contact_on", "closed_on"),
    "surveys": ("surveyed_on",),
}

_PARAMETERS = """
    Parameters
    ----------
    ledger : Ledger
        The tables to read.
    period : {{"M", "Q", "Y"}}
        Calendar month, quarter or year, both ends inclusive.
    by : {{"rep", "team", "company"}}
        One row per rep (``rep_id``), per team (``team``; needs the ``reps`` table) or for
        the whole company (no group column).
{extra}
    Returns
    -------
    pandas.DataFrame
        {returns}
"""


def _kpi(extra: str = "", returns: str = ""):
    """Append the parameters every KPI function shares (and ``extra`` ones, written indented
    as in a docstring) and its return value to its docstring."""
    def document(func):
        text = returns or (f"Columns ``period``, the group column and ``{func.__name__}``, one "
                           "row for every period of\n        :func:`periods` and every group.")
        func.__doc__ = func.__doc__.rstrip() + "\n" + _PARAMETERS.format(
            extra=extra.strip("\n") + "\n" if extra else "", returns=text)
        return func
    return document


# ------------------------------------------------------------------ periods and groups
def periods(ledger: Ledger, period: str = "M") -> list[str]:
    """Every period label from the ledger's first date to its last.

    The dates read are those on which something happened: deals signed, invoices issued,
    payments made, customers lost and, when those tables are present, leads created, first
    contacted and closed, and surveys answered. Due dates are left out (they lie ahead of an
    export), and so are acquisition dates (a CRM export usually holds customers won before
    its first transaction; every customer won inside it has a deal signed that day anyway).
    Missing dates are ignored.

    Parameters
    ----------
    ledger : Ledger
        The tables to read.
    period : {"M", "Q", "Y"}
        Calendar month, quarter or year.

    Returns
    -------
    list of str
        Labels as pandas prints them (``2026-01``, ``2026Q1``, ``2026``), in order; empty
        when the ledger has no dates.
    """
    kind = _period_kind(period)
    dates = np.concatenate([ledger.table(t)[c].to_numpy("datetime64[ns]")
                            for t, cols in _DATES.items() if ledger.has(t) for c in cols])
    dates = dates[~np.isnat(dates)]
    if not len(dates):
        return []
    return pd.period_range(dates.min(), dates.max(), freq=kind).astype(str).tolist()


def _group_column(by: str) -> str | None:
    try:
        return _GROUP[by]
    except KeyError:
        raise ValueError(f"by must be 'rep', 'team' or 'company', got {by!r}") from None


def _rep_ids(ledger: Ledger) -> list[str]:
    """Every rep: those of the reps table, or every rep_id named when there is none."""
    if ledger.has("reps"):
        return sorted(ledger.reps["rep_id"])
    ids = [df["rep_id"] for _, df in ledger.tables() if "rep_id" in df.columns]
    return sorted(pd.concat(ids).dropna().unique())


class _Grid:
    """Every period x group of one KPI computation, and the ways of summing rows onto it.

    ``frame`` holds the ``period`` column and the group column (if any), periods first, both
    in order; every aggregate is returned aligned with it. Rows are placed in their cell of
    the grid by integer codes, so a sum is one :func:`numpy.bincount`.
    """

    def __init__(self, ledger: Ledger, period: str, by: str):
        self.ledger = ledger
        self.kind = _period_kind(period)
        self.column = _group_column(by)
        labels = np.array(periods(ledger, self.kind), dtype=object)
        self.n_periods = len(labels)
        start = pd.Series([pd.Period(p, freq=self.kind).start_time for p in labels[:1]],
                          dtype="datetime64[ns]")
        self.first = self.number(start)[0] if len(labels) else 0.0  # number of labels[0]
        if self.column is None:
            self.groups = np.array([0])
            self.frame = pd.DataFrame({"period": pd.Series(labels, dtype="str")})
            return
        if self.column == "team":
            team_of = ledger.table("reps").set_index("rep_id")["team"]
            self.reps, self.groups = team_of.index, np.array(sorted(team_of.unique()), dtype=object)
            self.group_of_rep = pd.Index(self.groups).get_indexer(team_of)
        else:
            self.reps = pd.Index(_rep_ids(ledger))
            self.groups = self.reps.to_numpy(dtype=object)
            self.group_of_rep = np.arange(len(self.reps))
        self.frame = pd.DataFrame({
            "period": pd.Series(np.repeat(labels, len(self.groups)), dtype="str"),
            self.column: pd.Series(np.tile(self.groups, len(labels)), dtype="str"),
        })

    def number(self, dates: pd.Series) -> np.ndarray:
        """Each date's calendar period as a number (periods since 1970), NaN when missing.

        Consecutive periods have consecutive numbers, so comparing numbers compares periods.
        """
        values = dates.to_numpy("datetime64[ns]")
        months = values.astype("datetime64[M]").astype("int64")
        return np.where(np.isnat(values), np.nan, months // _MONTHS[self.kind])

    def _cells(self, rows: pd.DataFrame, when: str, early: bool = False) -> np.ndarray:
        """Each row's position in ``frame``, or -1 when the row is left out.

        With ``early``, a date before the first period counts in the first period.
        """
        offset = self.number(rows[when]) - self.first
        if early:
            offset = np.fmax(offset, np.where(np.isnan(offset), np.nan, 0.0))
        inside = (offset >= 0) & (offset < self.n_periods)
        period = np.where(inside, offset, -1).astype("int64")
        if self.column is None:
            return period
        rep = rows["rep_id"]
        found = self.reps.get_indexer(rep)
        unknown = rep[rep.notna().to_numpy() & (found < 0)].unique()
        if len(unknown):
            raise ValueError(
                f"rep_id(s) {', '.join(map(repr, sorted(unknown)))} are not in the reps table"
            )
        group = np.where(found >= 0, self.group_of_rep[found], -1)
        return np.where((period >= 0) & (group >= 0), period * len(self.groups) + group, -1)

    def tally(self, rows: pd.DataFrame, when: str, values: list[str],
              how: str = "sum", early: bool = False) -> pd.DataFrame:
        """Aggregate ``values`` of ``rows`` by the period of column ``when`` and the group.

        ``how`` is ``"sum"`` or ``"median"``. One row per grid row, in grid order; sums are 0
        where no row fell, medians NaN. Rows without a date, or without a rep when grouping
        by rep or team, are left out; a rep_id the reps table does not know is an error.
        With ``early``, rows dated before the first period count in the first period.
        """
        cells = self._cells(rows, when, early)
        kept = cells >= 0
        size = len(self.frame)
        out = {}
        for v in values:
            x = rows[v].to_numpy(dtype="float64")[kept]
            if how == "sum":
                out[v] = np.bincount(cells[kept], weights=x, minlength=size)
            else:
                out[v] = pd.Series(x).groupby(cells[kept]).agg(how).reindex(range(size))
        return pd.DataFrame(out, index=self.frame.index, columns=values, dtype="float64")

    def _within(self, values: pd.Series):
        key = self.frame[self.column] if self.column else pd.Series(0, index=self.frame.index)
        return values.groupby(key, sort=False)

    def running(self, values: pd.Series) -> pd.Series:
        """The running total of ``values`` through each period, within each group."""
        return self._within(values).cumsum()

    def previous(self, values: pd.Series) -> pd.Series:
        """The group's value in the period before (0 in the first period)."""
        return self._within(values).shift(1, fill_value=0)

    def open_at_end(self, rows: pd.DataFrame, start: str, end: str, weight: str) -> pd.Series:
        """Sum of ``weight`` over the rows open at each period's end.

        A row is open at the end of period p when its ``start`` falls in p or earlier and its
        ``end`` is missing or falls in a later period; a row that starts and ends in the
        same period is never open at a period's end. Rows that started before the first
        period (customers won before a CRM export begins) are carried into it.
        """
        rows = rows[rows[end].isna().to_numpy()
                    | (self.number(rows[start]) < self.number(rows[end]))]
        flow = (self.tally(rows, start, [weight], early=True)[weight]
                - self.tally(rows, end, [weight], early=True)[weight])
        return self.running(flow)

    def open_at_start(self, rows: pd.DataFrame, start: str, end: str, weight: str) -> pd.Series:
        """Sum of ``weight`` over the rows open at each period's start.

        Open at the start of period p: open at the end of the period before, or, for the
        first period, started before it and not ended before it.
        """
        opening = self.previous(self.open_at_end(rows, start, end, weight))
        s, e = self.number(rows[start]), self.number(rows[end])
        carried = rows[(s < self.first) & (np.isnan(e) | (e >= self.first))]
        return opening + self.tally(carried, start, [weight], early=True)[weight]

    def headcount(self) -> pd.Series:
        """Reps in each row's group: 1 per rep, a team's reps, or every rep of the company."""
        if self.column == "team":
            counts = np.bincount(self.group_of_rep, minlength=len(self.groups))
            return pd.Series(np.tile(counts, self.n_periods), dtype="int64")
        count = 1 if self.column == "rep_id" else len(_rep_ids(self.ledger))
        return pd.Series(count, index=self.frame.index, dtype="int64")

    def result(self, name: str, values) -> pd.DataFrame:
        """The grid's key columns and ``values`` as column ``name``."""
        out = self.frame.copy()
        out[name] = np.asarray(values)
        return out


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    """num / den, NaN where den is not positive."""
    return (num / den.where(den > 0)).astype("float64")
