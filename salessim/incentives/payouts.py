"""Payouts from a ledger: each rep's measures per period, paid by the plan's rules.

The measures come from :mod:`salessim.kpi` (one definition of every KPI); the pay comes from
:meth:`Plan.pay` (one definition of every pay rule). This module only joins the two and adds
the bases that are not KPIs: a SPIF's qualifying revenue, a clawback's amount to reverse,
and the team sums of a team bonus.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .. import kpi
from ..kpi.assessed import (
    _collected_cash,
    _collection_rate,
    _new_customers,
    _retention_rate,
    _revenue,
)
from ..kpi.grid import _Grid
from ..ledger import SCHEMA, Ledger
from ..regulation import Targets, _as_targets, _period_kind
from .basis import MEASURES, SUM_MEASURES, problem
from .components import Bonus, Clawback, Commission, Gate, Scorecard, Spif, TeamBonus, Uplift
from .errors import PlanError
from .loading import load_plan
from .plan import PERIOD_KINDS, Plan

COLUMNS: tuple[str, ...] = tuple(c.name for c in SCHEMA["payouts"])

_KPIS = {  # measure -> its KPI in salessim.kpi, computed on a grid of periods x reps
    "revenue": _revenue,
    "collected": _collected_cash,
    "new_customers": _new_customers,
    "retention": _retention_rate,
    "collection": _collection_rate,
}


def payouts(ledger: Ledger, plan: Plan | str | os.PathLike | Mapping[str, Any],
            period: str | None = None,
            targets: Targets | dict | None = None) -> pd.DataFrame:
    """Each rep's pay under ``plan``, one row per rep, period and component (R2.2.2.1).

    Every component is paid per its own period (month, quarter or year) on the rep's
    measures for that period (see :func:`measures`). Rows are written for every rep and
    period of the ledger and every component, zeros included, so that a threshold not
    reached or a shut gate shows as a 0 or a negative row rather than a missing one.
    Clawbacks and shut gates are negative. Amounts are rounded to the fen (0.01 CNY).

    Parameters
    ----------
    ledger : Ledger
        The tables to read (a CRM export or a simulation's output).
    plan : Plan, str, path or dict
        Anything :func:`load_plan` accepts: a built-in name, a ``.toml`` file, a dict.
    period : {"M", "Q", "Y"} or None
        None: each component's own period. Otherwise rows are summed into periods of this
        kind; a component paid per longer periods raises :class:`PlanError`.
    targets : Targets, dict or None
        The regulation's targets (R2.2.1); None for the defaults.

    Returns
    -------
    pandas.DataFrame
        The ledger's ``payouts`` columns ``rep_id, period, plan, component, amount``, sorted
        by the period's end, rep and the component's place in the plan.

    Raises
    ------
    PlanError
        For an invalid plan, a component that needs a table the ledger lacks, or a
        ``period`` shorter than a component's.
    """
    plan = load_plan(plan)
    base = _as_targets(targets)
    order = {c.name: i for i, c in enumerate(plan.components)}
    rows: list[tuple[str, str, str, str, float]] = []
    for kind in plan.periods:
        t = plan.targets_for(kind, base)
        grid = _measures(ledger, plan, kind, _read(plan, kind))
        for rec in grid.to_dict("records"):
            for name, amount in plan.pay(kind, rec, t).items():
                rows.append((rec["rep_id"], rec["period"], kind, name, amount))
    if period is not None:
        out = pd.DataFrame(rows, columns=["rep_id", "period", "kind", "component", "amount"])
        out = _regroup(out.astype({"amount": "float64"}), plan, _period_kind(period))
        rows = list(zip(out["rep_id"], out["period"], out["kind"], out["component"],
                        out["amount"], strict=True))
    ends = {key: _end(*key) for key in {(r[1], r[2]) for r in rows}}  # a few periods
    rows.sort(key=lambda r: (ends[r[1], r[2]], r[0], order[r[3]]))  # stable
    rep_id, label, _, component, amount = zip(*rows, strict=True) if rows else [()] * 5
    # built with the schema's column types (those of coerce()): text as strings
    return pd.DataFrame({
        "rep_id": pd.Series(rep_id, dtype="str"),
        "period": pd.Series(label, dtype="str"),
        "plan": pd.Series([plan.name] * len(rows), dtype="str"),
        "component": pd.Series(component, dtype="str"),
        "amount": pd.Series(amount, dtype="float64").round(2) + 0.0,  # -0.0 becomes 0.0
    })


def measures(ledger: Ledger, plan: Plan | str | os.PathLike | Mapping[str, Any],
             period: str = "M") -> pd.DataFrame:
    """Each rep's measures per period, as the plan's pay rules read them (R2.2.1).

    Columns ``period``, ``rep_id``, then ``revenue`` (booked, R2.2.1.1), ``collected``
    (cash collected), ``new_customers`` and ``retention`` (R2.2.1.2), ``collection``
    (R2.2.1.3), all from :mod:`salessim.kpi`; then, when ``plan`` pays per ``period``
    with them, ``team_size`` and ``team_<measure>`` for a team bonus and one column per
    SPIF or clawback holding its base, named like the component.

    A team counts the reps of the ``reps`` table hired on or before the period's end; a rep
    not yet hired has ``team_size`` 0. A SPIF's base is the revenue of its qualifying deals
    (by :func:`salessim.kpi.revenue` on those deals). A clawback's base is charged in the
    period of the day it falls due (``days`` after an invoice's due date, or the churn of a
    customer lost within ``days`` of being won), and only once that day is in the ledger
    (on or before its last recorded date).
    """
    return _measures(ledger, load_plan(plan), _period_kind(period), MEASURES)


def _read(plan: Plan, kind: str) -> tuple[str, ...]:
    """The measures that the plan's components paid per ``kind`` read, in MEASURES order.

    A team bonus reads the team sums of every summed measure; a component of a kind not
    listed here is assumed to read them all.
    """
    names: set[str] = set()
    for c in plan.components:
        if c.period != kind or isinstance(c, Spif | Clawback):
            continue  # a SPIF or clawback reads only its own base
        if isinstance(c, Commission | Bonus | Uplift):
            names.add(c.measure)
        elif isinstance(c, Scorecard):
            names.update(m for m in MEASURES if getattr(c.weights, m) > 0)
        elif isinstance(c, Gate):
            names.update(c.measures)
        else:
            return MEASURES
    return tuple(m for m in MEASURES if m in names)


def _measures(ledger: Ledger, plan: Plan, kind: str, names: tuple[str, ...]) -> pd.DataFrame:
    """:func:`measures` with only the measures ``names`` (and every base of the plan)."""
    g = _Grid(ledger, kind, "rep")
    out = g.frame.copy()
    for m in names:
        out[m] = np.asarray(_KPIS[m](g), dtype="float64")
    comps = [c for c in plan.components if c.period == kind]
    teams = [c for c in comps if isinstance(c, TeamBonus)]
    if teams:
        reps = _require(ledger, plan, teams[0], "reps", "to know each rep's team")
        out = _add_team(reps, out, kind)
    for c in comps:
        if isinstance(c, Spif):
            out[c.name] = _spif_base(ledger, plan, c, out, kind)
        elif isinstance(c, Clawback):
            out[c.name] = _clawback_base(ledger, c, out, kind)
    return out


# ------------------------------------------------------------------ bases
def _require(ledger: Ledger, plan: Plan, comp: Any, table: str, why: str) -> pd.DataFrame:
    """The ledger's ``table``, or a PlanError naming the component that needs it."""
    if not ledger.has(table):
        i = plan.components.index(comp)
        raise PlanError([problem(f"components[{i}]", comp.name,
                                 f"a {comp.kind} needs the {table} table ({table}.csv) {why}, "
                                 f"which the ledger from {ledger.source} does not have")],
                        source=f"plan {plan.name!r}")
    return ledger.table(table)


def _add_team(reps: pd.DataFrame, out: pd.DataFrame, kind: str) -> pd.DataFrame:
    reps = reps.set_index("rep_id")
    ends = out["period"].map({p: _end(p, kind) for p in out["period"].unique()})
    hired = out["rep_id"].map(reps["hired_on"]) <= ends
    team = out["rep_id"].map(reps["team"]).where(hired)
    by = [out["period"], team]
    out = out.assign(team_size=hired.groupby(by).transform("sum").where(hired, 0.0))
    for m in SUM_MEASURES:
        out[f"team_{m}"] = out[m].groupby(by).transform("sum").where(hired, 0.0)
    return out.astype({"team_size": "float64"})


def _spif_base(ledger: Ledger, plan: Plan, spif: Spif, grid: pd.DataFrame,
               kind: str) -> pd.Series:
    deals = ledger.deals
    day = deals["signed_on"].dt.date
    keep = (day >= spif.start) & (day <= spif.end)
    if spif.where.deal_kind:
        keep &= deals["kind"].isin(spif.where.deal_kind)
    filters = spif.where.lead_filters()
    if filters:
        leads = _require(ledger, plan, spif, "leads", "to know each deal's lead").set_index(
            "lead_id")
        lead = deals["customer_id"].map(ledger.customers.set_index("customer_id")["lead_id"])
        for column, allowed in filters.items():
            keep &= lead.map(leads[column]).isin(allowed)
    rev = kpi.revenue(ledger.replace(deals=deals[keep]), kind, "rep")
    merged = grid[["period", "rep_id"]].merge(rev, on=["period", "rep_id"], how="left")
    return merged["revenue"].fillna(0.0).to_numpy()


def _clawback_base(ledger: Ledger, claw: Clawback, grid: pd.DataFrame, kind: str) -> pd.Series:
    days = pd.Timedelta(days=claw.days)
    as_of = _last_date(ledger)
    if claw.on == "unpaid_invoices":
        inv = ledger.invoices
        when = inv["due_on"] + days
        pay = ledger.payments.merge(inv[["invoice_id", "due_on"]], on="invoice_id")
        paid = pay[pay["paid_on"] <= pay["due_on"] + days].groupby("invoice_id")["amount"].sum()
        owed = (inv["amount"] - inv["invoice_id"].map(paid).fillna(0.0)).clip(lower=0.0)
        rows = pd.DataFrame({"rep_id": inv["rep_id"], "when": when, "base": owed})
        rows = rows[owed > 0.005]
    else:
        cust = ledger.customers
        lost = cust[cust["churned_on"].notna()
                    & (cust["churned_on"] - cust["acquired_on"] <= days)]
        deals = ledger.deals.merge(lost[["customer_id", "churned_on"]], on="customer_id")
        deals = deals[deals["signed_on"] <= deals["churned_on"]]
        rows = pd.DataFrame({"rep_id": deals["rep_id"], "when": deals["churned_on"],
                             "base": deals["amount"]})
    rows = rows[rows["when"] <= as_of]
    label = rows["when"].dt.to_period(kind).astype(str)
    base = rows.groupby([label.rename("period"), rows["rep_id"]])["base"].sum()
    merged = grid[["period", "rep_id"]].merge(base.reset_index(), on=["period", "rep_id"],
                                              how="left")
    return merged["base"].fillna(0.0).to_numpy()


def _last_date(ledger: Ledger) -> pd.Timestamp:
    """The ledger's last recorded event: a signing, an invoice, a payment, a win or a churn."""
    dates = [ledger.deals["signed_on"], ledger.invoices["issued_on"],
             ledger.payments["paid_on"], ledger.customers["acquired_on"],
             ledger.customers["churned_on"]]
    return max((d.max() for d in dates if d.notna().any()), default=pd.NaT)


# ------------------------------------------------------------------ periods
def _end(label: str, kind: str) -> pd.Timestamp:
    return pd.Period(label, freq=kind).end_time.normalize()


def _regroup(out: pd.DataFrame, plan: Plan, kind: str) -> pd.DataFrame:
    rank = PERIOD_KINDS.index
    for i, c in enumerate(plan.components):
        if rank(c.period) > rank(kind):
            raise PlanError([problem(f"components[{i}].period", c.period,
                                     f"{c.name!r} pays per {_NAMES[c.period]}, so payouts "
                                     f"cannot be reported per {_NAMES[kind]}; ask for a "
                                     "period at least as long")],
                            source=f"plan {plan.name!r}")
    labels = {(p, k): str(pd.Period(p, freq=k).asfreq(kind))
              for p, k in set(zip(out["period"], out["kind"], strict=True))}
    out = out.assign(period=[labels[p, k] for p, k in
                             zip(out["period"], out["kind"], strict=True)], kind=kind)
    return out.groupby(["rep_id", "period", "kind", "component"], as_index=False,
                       sort=False)["amount"].sum()


_NAMES = {"M": "month", "Q": "quarter", "Y": "year"}


def format_payouts(table: pd.DataFrame) -> str:
    """A payouts table as readable text: money with thousands separators and a total."""
    if table.empty:
        return "no payouts: the ledger has no dated rows"
    text = table.to_string(index=False, formatters={"amount": "{:,.2f}".format})
    return f"{text}\ntotal: {table['amount'].sum():,.2f} CNY"
