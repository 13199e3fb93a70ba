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
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .ledger import Ledger
from .regulation import Targets, _as_targets, _period_kind

__all__ = [
    "STAGES", "periods", "revenue", "attainment", "new_customers", "retention_rate",
    "collection_rate", "collected_cash", "win_rate", "stage_conversion", "average_deal_size",
    "sales_cycle", "first_response_time", "pipeline_velocity", "dso",
    "collection_effectiveness", "csat", "nps", "cost_of_sales", "scorecard",
    "SCORECARD_COLUMNS", "format_scorecard",
]

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


# ------------------------------------------------------------------ regulation KPIs
@_kpi()
def revenue(ledger: Ledger, period: str = "M", by: str = "rep") -> pd.DataFrame:
    """Sales revenue (销售额): the sum of ``deals.amount`` signed in the period, CNY (R2.2.1.1).

    Deal amounts are after discount; a deal counts in the period holding its ``signed_on``.
    """
    g = _Grid(ledger, period, by)
    return g.result("revenue", _revenue(g))


def _revenue(g: _Grid) -> pd.Series:
    return g.tally(g.ledger.deals, "signed_on", ["amount"])["amount"]


@_kpi("""
    targets : Targets, dict or None
        The per-rep targets, a dict of overrides of the defaults, or None for the
        regulation's defaults.
""")
def attainment(ledger: Ledger, period: str = "M", by: str = "rep",
               targets: Targets | dict | None = None) -> pd.DataFrame:
    """Attainment: revenue / revenue target of the period (R2.2.1.1, R2.2.2.1).

    The target is the per-rep target of ``targets`` (a :class:`Targets`, a dict of
    overrides, or None for the regulation's defaults) for the period kind, times the number
    of reps in the group (see :func:`scorecard`). 1.0 means exactly on target.
    """
    g = _Grid(ledger, period, by)
    target = _as_targets(targets).revenue(g.kind) * g.headcount()
    return g.result("attainment", _ratio(_revenue(g), target))


@_kpi()
def new_customers(ledger: Ledger, period: str = "M", by: str = "rep") -> pd.DataFrame:
    """New customers: the count of customers whose ``acquired_on`` is in the period (R2.2.1.2)."""
    g = _Grid(ledger, period, by)
    return g.result("new_customers", _new_customers(g))


def _new_customers(g: _Grid) -> pd.Series:
    return g.tally(g.ledger.customers.assign(n=1), "acquired_on", ["n"])["n"].astype("int64")


@_kpi()
def retention_rate(ledger: Ledger, period: str = "M", by: str = "rep") -> pd.DataFrame:
    """Retention rate (留存率): the share of the period's opening customers still kept at its end.

    Opening customers S were acquired before the period's start and had not churned before
    it; of those, the ones with no ``churned_on`` on or before the period's end are kept:
    rate = (S - lost) / S (R2.2.1.2). A customer won and lost inside the same period never
    counts. NaN when the group had no customers at the period's start.
    """
    g = _Grid(ledger, period, by)
    return g.result("retention_rate", _retention_rate(g))


def _retention_rate(g: _Grid) -> pd.Series:
    cust = g.ledger.customers.assign(n=1)
    at_start = g.open_at_start(cust, "acquired_on", "churned_on", "n")
    earlier = g.number(cust["acquired_on"]) < g.number(cust["churned_on"])
    lost = g.tally(cust[earlier], "churned_on", ["n"])["n"]
    return _ratio(at_start - lost, at_start)


def _payments(ledger: Ledger) -> pd.DataFrame:
    """Payments with their invoice's row position (``invoice_row``), rep_id, issued_on, due_on.

    Payments for an invoice the ledger does not have are left out.
    """
    inv, pay = ledger.invoices, ledger.payments
    row = pd.Index(inv["invoice_id"]).get_indexer(pay["invoice_id"])
    pay, row = pay[row >= 0], row[row >= 0]
    return pay.assign(invoice_row=row, **{
        c: inv[c].iloc[row].set_axis(pay.index) for c in ("rep_id", "issued_on", "due_on")
    })


@_kpi()
def collection_rate(ledger: Ledger, period: str = "M", by: str = "rep") -> pd.DataFrame:
    """Collection rate (回款率): the share of the invoice amounts due in the period paid by its end.

    rate = sum over invoices with ``due_on`` in the period of min(paid, amount) / sum of
    their amounts, where paid counts the invoice's payments with ``paid_on`` on or before
    the period's last day (R2.2.1.3). Partial payments count in part; a payment after the
    period's end does not count, and an overpayment counts only up to the invoice amount.
    NaN when nothing fell due.
    """
    g = _Grid(ledger, period, by)
    return g.result("collection_rate", _collection_rate(g))


def _collection_rate(g: _Grid) -> pd.Series:
    inv, pay = g.ledger.invoices, _payments(g.ledger)
    on_time = (g.number(pay["paid_on"]) <= g.number(pay["due_on"]))
    paid = np.bincount(pay["invoice_row"][on_time], weights=pay["amount"][on_time],
                       minlength=len(inv))
    t = g.tally(inv.assign(paid=np.minimum(paid, inv["amount"])), "due_on", ["amount", "paid"])
    return _ratio(t["paid"], t["amount"])


@_kpi()
def collected_cash(ledger: Ledger, period: str = "M", by: str = "rep") -> pd.DataFrame:
    """Collected cash: the sum of payments with ``paid_on`` in the period, CNY (R2.2.1.3).

    A payment belongs to its invoice's rep; commission on collected cash is paid on this.
    """
    g = _Grid(ledger, period, by)
    return g.result("collected_cash", g.tally(_payments(ledger), "paid_on", ["amount"])["amount"])


# ------------------------------------------------------------------ pipeline KPIs
@_kpi()
def win_rate(ledger: Ledger, period: str = "M", by: str = "rep") -> pd.DataFrame:
    """Win rate: won / (won + lost) of the leads closed in the period (R2.1.3.3).

    Leads are placed by ``closed_on``; disqualified and open leads do not count. NaN when
    no lead was won or lost. Grouping by rep or team leaves out leads with no rep.
    """
    g = _Grid(ledger, period, by)
    return g.result("win_rate", _win_rate(g))


def _win_rate(g: _Grid) -> pd.Series:
    leads = g.ledger.table("leads")
    closed = leads[leads["outcome"].isin(["won", "lost"])]
    closed = closed.assign(won=(closed["outcome"] == "won").astype(int), n=1)
    t = g.tally(closed, "closed_on", ["won", "n"])
    return _ratio(t["won"], t["n"])


def _stage_index(leads: pd.DataFrame, stages: tuple[str, ...]) -> np.ndarray:
    index = leads["stage"].map({s: i for i, s in enumerate(stages)})
    bad = index.isna()
    if bad.any():
        rows = ", ".join(str(i) for i in leads.index[bad][:5])
        values = ", ".join(map(repr, leads["stage"][bad].unique()[:5]))
        raise ValueError(
            f"leads.stage has unknown value(s) {values} (rows {rows}); expected one of "
            f"{', '.join(stages)}"
        )
    return index.to_numpy(dtype="int64")


@_kpi("""
    stages : tuple of str
        The stage names in order, first to last; default :data:`STAGES`.
""", returns="Columns ``period``, the group column, ``stage`` and ``stage_conversion``: one "
             "row for\n        every period of :func:`periods`, group and stage but the last.")
def stage_conversion(ledger: Ledger, period: str = "M", by: str = "rep",
                     stages: tuple[str, ...] = STAGES) -> pd.DataFrame:
    """Stage conversion: of the leads that reached a stage, the share that reached the next.

    conversion(k) = leads reaching stage k+1 / leads reaching stage k, over the leads
    created in the period (R2.1.2-R2.1.3). ``stages`` lists the stage names in order
    (default :data:`STAGES`; a CRM export with its own names passes its own list). A lead
    whose furthest stage is k has reached every stage up to k. The result has one row per
    period, group and stage (every stage but the last) in a ``stage`` column before the
    value; NaN when no lead reached the stage.
    """
    g = _Grid(ledger, period, by)
    leads = ledger.table("leads")
    stages = tuple(stages)
    reached = _stage_index(leads, stages)
    cols = [f"reached_{k}" for k in range(len(stages))]
    rows = leads.assign(**{c: (reached >= k).astype("int64") for k, c in enumerate(cols)})
    t = g.tally(rows, "created_on", cols)
    ratios = np.column_stack([_ratio(t[cols[k + 1]], t[cols[k]]) for k in range(len(cols) - 1)])
    out = g.frame.loc[g.frame.index.repeat(len(stages) - 1)].reset_index(drop=True)
    out["stage"] = pd.Series(np.tile(np.array(stages[:-1], dtype=object), len(t)), dtype="str")
    out["stage_conversion"] = ratios.ravel()
    return out


@_kpi()
def average_deal_size(ledger: Ledger, period: str = "M", by: str = "rep") -> pd.DataFrame:
    """Average deal size: revenue / number of deals signed in the period, CNY (R2.2.1.1).

    NaN when no deal was signed.
    """
    g = _Grid(ledger, period, by)
    return g.result("average_deal_size", _average_deal_size(g))


def _average_deal_size(g: _Grid) -> pd.Series:
    t = g.tally(g.ledger.deals.assign(n=1), "signed_on", ["amount", "n"])
    return _ratio(t["amount"], t["n"])


@_kpi()
def sales_cycle(ledger: Ledger, period: str = "M", by: str = "rep") -> pd.DataFrame:
    """Sales cycle: the median days from a won lead's ``created_on`` to its ``closed_on``.

    Won leads are placed by ``closed_on``, the day the contract was signed (R2.1.3.3).
    NaN when no lead was won.
    """
    g = _Grid(ledger, period, by)
    return g.result("sales_cycle", _sales_cycle(g))


def _sales_cycle(g: _Grid) -> pd.Series:
    leads = g.ledger.table("leads")
    won = leads[(leads["outcome"] == "won") & leads["closed_on"].notna()]
    won = won.assign(days=(won["closed_on"] - won["created_on"]).dt.days.astype("float64"))
    return g.tally(won, "closed_on", ["days"], how="median")["days"]


@_kpi()
def first_response_time(ledger: Ledger, period: str = "M", by: str = "rep") -> pd.DataFrame:
    """First response time: the median days from ``created_on`` to ``first_contact_on``.

    The regulation asks for contact at once (R2.1.2.1). Leads are placed by ``created_on``;
    leads never contacted are left out. NaN when no lead created in the period was contacted.
    """
    g = _Grid(ledger, period, by)
    leads = ledger.table("leads")
    seen = leads[leads["first_contact_on"].notna()]
    seen = seen.assign(days=(seen["first_contact_on"] - seen["created_on"]).dt.days
                       .astype("float64"))
    t = g.tally(seen, "created_on", ["days"], how="median")
    return g.result("first_response_time", t["days"])


@_kpi()
def pipeline_velocity(ledger: Ledger, period: str = "M", by: str = "rep") -> pd.DataFrame:
    """Pipeline velocity: open opportunities x win rate x average deal size / sales cycle.

    Open opportunities are the qualified leads created on or before the period's end and not
    closed by it; the other factors are :func:`win_rate`, :func:`average_deal_size` and
    :func:`sales_cycle` of the same period. The result is expected revenue per day, CNY
    (R2.1). NaN when a factor is undefined or the sales cycle is 0 days.
    """
    g = _Grid(ledger, period, by)
    leads = ledger.table("leads")
    opened = g.open_at_end(leads[leads["qualified"]].assign(n=1), "created_on", "closed_on", "n")
    velocity = _ratio(opened * _win_rate(g) * _average_deal_size(g), _sales_cycle(g))
    return g.result("pipeline_velocity", velocity)


# ------------------------------------------------------------------ receivables
def _receivables(g: _Grid) -> pd.DataFrame:
    """Per grid row: credit sales, opening and closing receivables, and the current part.

    Receivables (AR) at a period's end are the invoices issued by then less the payments
    made by then; the current part is what is not yet due (``due_on`` in a later period).
    Balances are rounded to the fen (0.01 CNY) so float noise never shows as a balance.
    """
    inv, pay = g.ledger.invoices, _payments(g.ledger)
    t = g.tally(inv, "issued_on", ["amount"]).rename(columns={"amount": "sales"})
    paid = g.tally(pay, "paid_on", ["amount"])["amount"]
    t["ar_end"] = g.running(t["sales"] - paid).round(2)
    t["ar_start"] = g.previous(t["ar_end"])
    not_due = g.open_at_end(inv, "issued_on", "due_on", "amount")
    paid_early = g.open_at_end(pay, "paid_on", "due_on", "amount")
    t["current"] = (not_due - paid_early).round(2)
    return t


@_kpi()
def dso(ledger: Ledger, period: str = "M", by: str = "rep") -> pd.DataFrame:
    """Days sales outstanding: receivables at the period's end / credit sales x days.

    Credit sales are the invoice amounts issued in the period; receivables are all invoices
    issued by the period's end less all payments by then; days is the period's length in
    calendar days (R2.2.1.3). NaN when nothing was invoiced in the period.
    """
    g = _Grid(ledger, period, by)
    t = _receivables(g)
    idx = pd.PeriodIndex(g.frame["period"], freq=g.kind)
    days = (idx.end_time.normalize() - idx.start_time).days + 1
    return g.result("dso", _ratio(t["ar_end"], t["sales"]) * np.asarray(days))


@_kpi()
def collection_effectiveness(ledger: Ledger, period: str = "M",
                             by: str = "rep") -> pd.DataFrame:
    """Collection effectiveness index (CEI), a fraction (R2.2.1.3).

    CEI = (opening AR + credit sales - closing AR) / (opening AR + credit sales - closing
    current AR): what was collected over what could have been, where current AR is the part
    not yet due at the period's end. NaN when nothing was collectible.
    """
    g = _Grid(ledger, period, by)
    t = _receivables(g)
    base = t["ar_start"] + t["sales"]
    cei = _ratio((base - t["ar_end"]).round(2), (base - t["current"]).round(2))
    return g.result("collection_effectiveness", cei)


# ------------------------------------------------------------------ surveys and pay
def _surveys(ledger: Ledger) -> pd.DataFrame:
    cust = ledger.customers[["customer_id", "rep_id"]]
    return ledger.table("surveys").merge(cust, on="customer_id", how="left",
                                         validate="many_to_one")


@_kpi()
def csat(ledger: Ledger, period: str = "M", by: str = "rep") -> pd.DataFrame:
    """Customer satisfaction (CSAT): the share of survey answers of 4 or 5 on the 1-5 scale.

    Surveys are placed by ``surveyed_on`` and belong to the customer's rep (R2.3.1.3). NaN
    when no survey was answered.
    """
    g = _Grid(ledger, period, by)
    s = _surveys(ledger)
    t = g.tally(s.assign(happy=(s["csat"] >= 4).astype(int), n=1), "surveyed_on", ["happy", "n"])
    return g.result("csat", _ratio(t["happy"], t["n"]))


@_kpi()
def nps(ledger: Ledger, period: str = "M", by: str = "rep") -> pd.DataFrame:
    """Net promoter score: % promoters (9-10) minus % detractors (0-6), from -100 to 100.

    Surveys are placed by ``surveyed_on`` and belong to the customer's rep (R2.3.1.3). NaN
    when no survey was answered.
    """
    g = _Grid(ledger, period, by)
    s = _surveys(ledger)
    s = s.assign(net=(s["nps"] >= 9).astype(int) - (s["nps"] <= 6).astype(int), n=1)
    t = g.tally(s, "surveyed_on", ["net", "n"])
    return g.result("nps", 100 * _ratio(t["net"], t["n"]))


def _period_ends(labels: pd.Series, kind: str) -> pd.Series:
    """The last day of each payout period label, checking that it fits in one ``kind`` period."""
    ends = {}
    for label in labels.dropna().unique():
        try:
            p = pd.Period(label)
        except ValueError:
            raise ValueError(
                f"payouts.period {label!r} is not a period label such as 2026-01, 2026Q1 "
                "or 2026"
            ) from None
        if p.start_time.to_period(kind) != p.end_time.to_period(kind):
            raise ValueError(
                f"payouts for period {label!r} cannot be split into period {kind!r}; ask "
                "for a period at least as long"
            )
        ends[label] = p.end_time.normalize()
    return labels.map(ends).astype("datetime64[ns]")


@_kpi("""
    plan : str, optional
        The ``payouts.plan`` to count; needed when the table holds several plans.
""")
def cost_of_sales(ledger: Ledger, period: str = "M", by: str = "rep",
                  plan: str | None = None) -> pd.DataFrame:
    """Cost of sales: incentive pay / revenue of the period (R2.2.2.1).

    Incentive pay is the sum of ``payouts.amount`` (clawbacks are negative) whose ``period``
    label falls in the period; a payout period longer than ``period`` raises ValueError.
    ``plan`` picks one plan's payouts; it is required when the table holds several plans.
    NaN when revenue is 0.
    """
    g = _Grid(ledger, period, by)
    pay = ledger.table("payouts")
    plans = sorted(pay["plan"].dropna().unique())
    if plan is not None:
        if plan not in plans:
            raise ValueError(f"no payouts for plan {plan!r}; plans: {', '.join(plans)}")
        pay = pay[pay["plan"] == plan]
    elif len(plans) > 1:
        raise ValueError(f"payouts hold several plans ({', '.join(plans)}); pass plan=")
    pay = pay.assign(paid_for=_period_ends(pay["period"], g.kind))
    paid = g.tally(pay, "paid_for", ["amount"])["amount"]
    return g.result("cost_of_sales", _ratio(paid, _revenue(g)))


# ------------------------------------------------------------------ scorecard
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
