"""From the model's records to the ledger, the event trace and the daily series.

The tables are built once, at the end of a run, with the canonical column types of
:func:`salessim.ledger.coerce`: ids and text as strings, dates as midnight timestamps,
money as floats. Clock times become calendar dates through the working-day calendar; an
activity that runs past the end of a working day becomes two rows, one each day.
"""

from __future__ import annotations

from array import array
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..ledger import Ledger
from . import aftersales, payments
from .aftersales import (
    EV_CHURN,
    EV_DELIVERED,
    EV_FEEDBACK,
    EV_ORDER,
    EV_REFERRAL,
    EV_REPEAT_LOST,
    EV_REPEAT_REQUEST,
    EV_REPEAT_WON,
    EV_REVISIT,
    EV_SURVEY,
)
from .leads import CHANNELS, PREFIX
from .payments import EV_CALL, EV_INVOICE, EV_PAYMENT
from .pipeline import EV_ARRIVED, EV_DISQUALIFIED, EV_LOST, EV_STEP, EV_WON, OUTCOMES
from .rules import (
    ACTIVITIES,
    COACHING,
    COLLECTION_CALL,
    CONTRACT,
    FEEDBACK,
    FIRST_CONTACT,
    MEETING,
    REPEAT_ORDER,
    REVISIT,
    TASKS,
)

if TYPE_CHECKING:
    from .engine import Model

try:  # pandas keeps text in Arrow arrays when pyarrow is installed (the parquet extra)
    import pyarrow as pa
except ImportError:  # then in Python objects
    pa = None
_STR = pd.api.types.pandas_dtype("str")  # the ledger's text type

__all__ = ["build_ledger", "build_results", "build_trace", "build_daily", "build_orders",
           "STAGE_NAMES", "EVENTS"]

STAGE_NAMES = ("new", "contacted", "discovery", "demo", "quote", "negotiation", "contract")
EVENTS = {
    EV_ARRIVED: "arrived", EV_DISQUALIFIED: "disqualified", EV_STEP: "step",
    EV_LOST: "lost", EV_WON: "won", EV_ORDER: "order_queued", EV_DELIVERED: "delivered",
    EV_FEEDBACK: "feedback", EV_REVISIT: "revisit", EV_SURVEY: "survey",
    EV_REFERRAL: "referred_lead", EV_CHURN: "churned", EV_REPEAT_REQUEST: "repeat_request",
    EV_REPEAT_WON: "repeat_won", EV_REPEAT_LOST: "repeat_lost", EV_INVOICE: "invoice",
    EV_PAYMENT: "payment", EV_CALL: "collection_call",
}
_POWERS = 10 ** np.arange(5, -1, -1, dtype=np.int32)  # the places of a 6-digit number
_BLOCK = 1 << 16  # rows worked out at a time, where a large run would make large temporaries


def _ids(prefix: str, n: int):
    """String ids ``prefix000001`` ... as a pandas string array (numbers padded to 6)."""
    if pa is None or n >= 10 ** 6:  # without Arrow, or seven digits and more
        return (prefix + pd.Series(np.arange(1, n + 1)).astype("str").str.zfill(6)).array
    # Below a million every id has the same width: its characters are written straight
    # into one buffer, which Arrow takes as a string array (several times faster).
    head = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    width = len(head) + 6
    chars = np.empty((n, width), dtype=np.uint8)
    chars[:, :len(head)] = head
    numbers = np.arange(1, n + 1, dtype=np.int32)
    for j, power in enumerate(_POWERS, start=len(head)):  # digit by digit: small temporaries
        chars[:, j] = numbers // power % 10 + 48
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int64)
    text = pa.Array.from_buffers(pa.large_string(), n,
                                 [None, pa.py_buffer(offsets), pa.py_buffer(chars)])
    return _text(text)


def _names(names) -> pd.api.extensions.ExtensionArray:
    if pa is None:
        return pd.array(list(names), dtype="str")
    return _text(pa.array(list(names), type=pa.large_string()))


def _text(values) -> pd.api.extensions.ExtensionArray:
    """An Arrow array of ``large_string`` as a pandas ``str`` array: what ``pd.array(values,
    dtype="str")`` gives, without its checks and conversions (several times faster)."""
    return pd.arrays.ArrowStringArray(values, dtype=_STR)


def _take(values, idx):
    """``values[idx]`` as a string array; an index of -1 gives a missing value."""
    return values.take(np.asarray(idx, dtype=np.int64), allow_fill=True)


def _customers(m: Model) -> dict[str, np.ndarray]:
    """The customers' fields as arrays (:func:`salessim.model.aftersales.columns`): kept
    by a finished model, read from the customers while it runs."""
    t = m.customer_table
    return aftersales.columns(m.customers) if t is None else t


def _invoices(m: Model) -> dict[str, np.ndarray]:
    """The invoices' fields as arrays (:func:`salessim.model.payments.columns`)."""
    t = m.invoice_table
    return payments.columns(m.invoices) if t is None else t


def _table(records, width: int) -> np.ndarray:
    """Records (a flat ``array("d")``, row after row) as a float array of ``width`` columns.

    A read-only view: the records are complete once the run has ended.
    """
    return np.frombuffer(records, dtype=np.float64).reshape(-1, width)


def _dates(m: Model, t) -> np.ndarray:
    return m.calendar.dates_of(np.asarray(t, dtype=float)).astype("datetime64[ns]", copy=False)


def lead_ids(m: Model):
    """The id of every lead, by lead number: channel prefix and sequence in arrival order."""
    counts = np.bincount(m.L_channel, minlength=2)
    parts = [_ids(PREFIX[c], int(counts[c])) for c in range(2)]
    parts.append(_ids(PREFIX[2], len(m.R_rows)))
    ids = type(parts[0])._concat_same_type(parts)
    return ids if m.L_orig is None else ids.take(drawn(m))


def drawn(m: Model) -> np.ndarray:
    """Each lead's number in the order the leads were drawn (web, trade show, then
    referrals as they came): the model's lead numbers unless it stored the leads team by
    team (see :mod:`~salessim.model.engine`). It breaks ties in the ledger's and the
    trace's order."""
    n = m.n_pre + len(m.R_rows)
    if m.L_orig is None:
        return np.arange(n)
    return np.concatenate([m.L_orig, np.arange(m.n_pre, n)])


def _lead_columns(m: Model) -> dict[str, np.ndarray]:
    r = m.R_rows
    cols = list(zip(*r, strict=True)) if r else [[]] * 6
    return {
        "t": np.concatenate([m.L_t, np.array(cols[0], dtype=float)]),
        "channel": np.concatenate([m.L_channel, np.full(len(r), 2)]).astype(np.int64),
        "industry": np.concatenate([m.L_industry, np.array(cols[1], dtype=np.int64)]),
        "size": np.concatenate([m.L_size, np.array(cols[2], dtype=np.int64)]),
        "region": np.concatenate([m.L_region, np.array(cols[3], dtype=np.int64)]),
        "budget": np.concatenate([m.L_budget, np.array(cols[4], dtype=float)]),
        "score": np.concatenate([m.L_score, np.array(cols[5], dtype=float)]),
    }


def build_ledger(m: Model, source: str) -> Ledger:
    """The ledger of a finished run (every table but ``payouts``)."""
    reps = m.reps
    rep_ids = _names(r.rep_id for r in reps)
    lid = lead_ids(m)
    lc = _lead_columns(m)
    thr = m.scenario.scoring.threshold
    order = np.lexsort((drawn(m), lc["channel"], lc["t"]))
    stage = np.asarray(m.L_stage, dtype=np.int64)
    outcome = np.asarray(m.L_outcome, dtype=np.int64)
    rep_of_lead = np.asarray(m.L_rep, dtype=np.int64)
    cats = m.cats
    leads = pd.DataFrame({
        "lead_id": _take(lid, order),
        "created_on": _dates(m, lc["t"][order]),
        "channel": _take(_names(CHANNELS), lc["channel"][order]),
        "industry": _take(_names(cats.industry), lc["industry"][order]),
        "company_size": _take(_names(cats.company_size), lc["size"][order]),
        "region": _take(_names(cats.region), lc["region"][order]),
        "budget": lc["budget"][order],
        "score": lc["score"][order],
        "qualified": lc["score"][order] >= thr,
        "rep_id": _take(rep_ids, rep_of_lead[order]),
        "first_contact_on": _dates(m, np.asarray(m.L_fc)[order]),
        "stage": _take(_names(STAGE_NAMES), stage[order]),
        "outcome": _take(_names(OUTCOMES), outcome[order]),
        "closed_on": _dates(m, np.asarray(m.L_closed)[order]),
    }, copy=False)

    tables = _results(m, rep_ids, lid, m.deals, m.payments)
    cust_ids, inv_ids = tables.pop("customer_ids"), tables.pop("invoice_ids")
    sv = _table(m.surveys, 4)
    sv = sv[np.argsort(sv[:, 1], kind="stable")]
    surveys = pd.DataFrame({
        "customer_id": _take(cust_ids, sv[:, 0]),
        "surveyed_on": _dates(m, sv[:, 1]),
        "csat": sv[:, 2].astype(np.int64),
        "nps": sv[:, 3].astype(np.int64),
    }, copy=False)
    activities = _activities(m, rep_ids, lid, cust_ids, inv_ids)
    promotions = None
    if m.promotions is not None:
        promotions = _promotions(m, rep_ids)
    return Ledger(**tables, leads=leads, activities=activities, surveys=surveys,
                  promotions=promotions, source=source)


def build_results(m: Model) -> Ledger:
    """The results recorded so far, while the model runs: reps, customers, deals, invoices
    and payments (what the scorecard reads; see :mod:`salessim.model.careers`)."""
    rep_ids = _names(r.rep_id for r in m.reps)
    tables = _results(m, rep_ids, lead_ids(m), array("d", m.deals), array("d", m.payments))
    del tables["customer_ids"], tables["invoice_ids"]
    return Ledger(**tables, source="the simulation so far")


def _results(m: Model, rep_ids, lid, deal_records, payment_records) -> dict:
    """The reps, customers, deals, invoices and payments tables (and the customer and
    invoice ids, for the activities)."""
    reps = m.reps
    cs = _customers(m)
    cust_ids = _ids("C", len(cs["lead"]))
    customers = pd.DataFrame({
        "customer_id": cust_ids,
        "lead_id": _take(lid, cs["lead"]),
        "rep_id": _take(rep_ids, cs["rep"]),
        "acquired_on": _dates(m, cs["acquired"]),
        "churned_on": _dates(m, cs["churned"]),
    }, copy=False)

    d = _table(deal_records, 7)
    deal_ids = _ids("D", len(d))
    deals = pd.DataFrame({
        "deal_id": deal_ids,
        "customer_id": _take(cust_ids, d[:, 0]),
        "rep_id": _take(rep_ids, d[:, 1]),
        "signed_on": _dates(m, d[:, 2]),
        "list_amount": d[:, 3].copy(),
        "discount": d[:, 4].copy(),
        "amount": d[:, 5].copy(),
        "kind": _take(_names(("new", "repeat")), d[:, 6]),
    }, copy=False)

    inv = _invoices(m)
    inv_ids = _ids("I", len(inv["deal"]))
    invoices = pd.DataFrame({
        "invoice_id": inv_ids,
        "deal_id": _take(deal_ids, inv["deal"]),
        "customer_id": _take(cust_ids, inv["cust"]),
        "rep_id": _take(rep_ids, inv["rep"]),
        "issued_on": _dates(m, inv["issued"]),
        "due_on": inv["due_date"].astype("datetime64[D]").astype("datetime64[ns]"),
        "amount": inv["amount"].copy(),
    }, copy=False)

    p = _table(payment_records, 3)
    p = p[np.argsort(p[:, 1], kind="stable")]
    payments = pd.DataFrame({
        "payment_id": _ids("P", len(p)),
        "invoice_id": _take(inv_ids, p[:, 0]),
        "paid_on": _dates(m, p[:, 1]),
        "amount": p[:, 2].copy(),
    }, copy=False)

    reps_df = pd.DataFrame({
        "rep_id": rep_ids,
        "name": _names(r.name for r in reps),
        "team": _names(r.team for r in reps),
        "level": _names(r.level for r in reps),
        "hired_on": np.array([r.hired_on for r in reps], dtype="datetime64[D]")
                    .astype("datetime64[ns]"),
    }, copy=False)
    return {"customers": customers, "deals": deals, "invoices": invoices, "payments": payments,
            "reps": reps_df, "customer_ids": cust_ids, "invoice_ids": inv_ids}


def _promotions(m: Model, rep_ids) -> pd.DataFrame:
    """The promotions decided during the run (R2.2.2.2), in the order they were made."""
    rows = m.promotions
    levels = _names(("sales", "senior", "lead"))
    return pd.DataFrame({
        "rep_id": _take(rep_ids, [r[0] for r in rows]),
        "promoted_on": _dates(m, [r[1] for r in rows]),
        "from_level": _take(levels, [r[2] for r in rows]),
        "to_level": _take(levels, [r[3] for r in rows]),
    })



def _activities(m: Model, rep_ids, lid, cust_ids, inv_ids) -> pd.DataFrame:
    a = _table(m.acts, 5)
    t0 = a[:, 1]
    t1 = np.minimum(a[:, 2], m.horizon)
    # Split tasks that run past the end of a working day: one row per day touched. (The
    # arithmetic is done in place where it can be: at 1,000 reps each array is millions of
    # rows, and new memory costs more than the arithmetic.)
    d0, pieces = np.empty(len(a), dtype=np.int32), np.empty(len(a), dtype=np.int32)
    np.floor(t0, out=d0, casting="unsafe")
    np.ceil(t1, out=pieces, casting="unsafe")
    pieces -= d0
    np.maximum(pieces, 1, out=pieces)
    row = np.repeat(np.arange(len(a), dtype=np.int32), pieces)
    first = np.cumsum(pieces, dtype=np.int32)  # each task's first row, after the next line
    first -= pieces
    day = np.arange(len(row), dtype=np.int32)
    day -= np.repeat(first, pieces)
    day += d0[row]
    del d0, pieces, first
    # In order of time, then rep, like a CRM's activity log. The rep numbers are sorted as
    # the smallest unsigned integers that hold them: numpy sorts 8- and 16-bit integers by
    # radix, several times faster than floats.
    rep = a[:, 0].astype(np.min_scalar_type(len(rep_ids)))
    start = t0[row]
    np.maximum(start, day, out=start)
    order = np.lexsort((rep[row], start))
    row, day, start = row[order], day[order], start[order]
    del order
    # Times of day as whole seconds since the epoch, in integers: the calendar date's
    # seconds plus the seconds into the working day (as datetime64[s] arithmetic would).
    # Worked out a block of rows at a time, so that a large run's intermediate arrays stay
    # small and their memory is used again.
    team, dates = m.scenario.team, m.calendar.dates
    started, ended = np.empty(len(row), dtype=np.int64), np.empty(len(row), dtype=np.int64)

    def at(t: np.ndarray, day: np.ndarray, base: np.ndarray, out: np.ndarray) -> None:
        secs = np.rint((team.day_starts_at + (t - day) * team.hours_per_day) * 3600)
        np.multiply(base + secs.astype(np.int64), 1_000_000_000, out=out)

    for lo in range(0, len(row), _BLOCK):
        hi = lo + _BLOCK
        d = day[lo:hi]
        base = dates[d].astype(np.int64) * 86_400
        at(start[lo:hi], d, base, started[lo:hi])
        at(np.minimum(t1[row[lo:hi]], d + 1.0), d, base, ended[lo:hi])
    del day, t1, start
    # ref_id: a lead, customer or invoice id by task, from one array holding all three
    # (leads, then customers, then invoices); meetings and career sessions have none.
    kind = a[:, 3].astype(np.int8)
    shift = np.zeros(len(ACTIVITIES), dtype=np.int64)
    shift[[REPEAT_ORDER, FEEDBACK, REVISIT]] = len(lid)
    shift[COLLECTION_CALL] = len(lid) + len(cust_ids)
    ref = a[:, 4].astype(np.int64) + shift[kind]
    ref[(kind == MEETING) | (kind >= COACHING)] = -1
    refs = type(lid)._concat_same_type([lid, cust_ids, inv_ids])
    return pd.DataFrame({
        "rep_id": _take(rep_ids, rep[row]),
        "started_at": started.view("datetime64[ns]"),
        "ended_at": ended.view("datetime64[ns]"),
        "task": _take(_names(ACTIVITIES), kind[row]),
        "ref_id": _take(refs, ref[row]),
    }, copy=False)


def build_trace(m: Model) -> pd.DataFrame:
    """The event trace: one row per event in the life of each lead and its customer.

    Columns: ``time`` (working days from the start), ``date``, ``lead_id``, ``rep_id``,
    ``event``, ``value`` and ``detail``. Events and their value/detail: ``arrived`` (score,
    channel), ``disqualified`` (score), one event per pipeline task, named after the task
    (``first_contact`` ... ``contract``) and dated when the rep began it (value: the hours it
    took), ``lost`` (detail: the last task held),
    ``won`` (amount, CNY; detail: deal id), ``invoice`` (amount; invoice id),
    ``order_queued`` (queueing delay for the delivery team, working days), ``delivered``
    (that delay), ``feedback`` and ``revisit`` (satisfaction after it, 0-1), ``survey``
    (CSAT), ``referred_lead`` (detail: the new lead's id), ``repeat_request``
    (satisfaction), ``repeat_won`` (amount), ``repeat_lost``, ``collection_call`` (1 if the
    customer promised to pay), ``payment`` (amount; invoice id) and ``churned``
    (satisfaction).
    """
    lid = np.asarray(lead_ids(m), dtype=object)
    lc = _lead_columns(m)
    n = len(lid)
    thr = m.scenario.scoring.threshold
    nan = np.nan
    parts = []  # (time, lead, event code, rep, value, detail)

    def add(t, lead, ev, rep, value, detail=None) -> None:
        k = len(t)
        parts.append((np.asarray(t, float), np.asarray(lead, np.int64), np.full(k, ev),
                      np.asarray(rep, np.int64), np.asarray(value, float),
                      np.full(k, None, object) if detail is None else np.asarray(detail, object)))

    allleads = np.arange(n)
    add(lc["t"], allleads, EV_ARRIVED, np.full(n, -1), lc["score"],
        np.array(CHANNELS, dtype=object)[lc["channel"]])
    dq = np.flatnonzero(lc["score"] < thr)
    add(lc["t"][dq], dq, EV_DISQUALIFIED, np.full(len(dq), -1), lc["score"][dq])
    a = _table(m.acts, 5)
    a = a[(a[:, 3] >= FIRST_CONTACT) & (a[:, 3] <= CONTRACT)]
    add(a[:, 1], a[:, 4], EV_STEP, a[:, 0], (a[:, 2] - a[:, 1]) * m.scenario.team.hours_per_day,
        np.array(TASKS, dtype=object)[a[:, 3].astype(np.int64)])
    outcome = np.asarray(m.L_outcome)
    rep_of = np.asarray(m.L_rep)
    closed = np.asarray(m.L_closed)
    lost = np.flatnonzero(outcome == 2)
    add(closed[lost], lost, EV_LOST, rep_of[lost], np.full(len(lost), nan),
        np.array(TASKS, dtype=object)[np.asarray(m.L_stage)[lost]])
    d = _table(m.deals, 7)
    cs = _customers(m)
    cust_lead = cs["lead"]
    deal_ids = np.asarray(_ids("D", len(d)), dtype=object)
    d_lead = cust_lead[d[:, 0].astype(np.int64)] if len(d) else np.empty(0, np.int64)
    new = d[:, 6] == 0
    add(d[new, 2], d_lead[new], EV_WON, d[new, 1], d[new, 5], deal_ids[new])
    inv = _invoices(m)
    inv_lead, inv_rep = cust_lead[inv["cust"]], inv["rep"]
    inv_ids = np.asarray(_ids("I", len(inv_lead)), dtype=object)
    add(inv["issued"], inv_lead, EV_INVOICE, inv_rep, inv["amount"], inv_ids)
    p = _table(m.payments, 3)
    pi = p[:, 0].astype(np.int64)
    add(p[:, 1], inv_lead[pi], EV_PAYMENT, inv_rep[pi], p[:, 2], inv_ids[pi])
    if m.tracing:
        _kept_events(m, add, d, cs)
    if len(m.trace):
        r = _table(m.trace, 5)
        ev = r[:, 2].astype(np.int64)
        detail = np.full(len(r), None, dtype=object)
        value = r[:, 4].copy()
        ref = ev == EV_REFERRAL
        detail[ref] = lid[value[ref].astype(np.int64)]
        value[ref] = nan
        for code in np.unique(ev).tolist():
            sel = ev == code
            add(r[sel, 0], r[sel, 1], code, r[sel, 3], value[sel], detail[sel])
    t, lead, ev, rep, value, detail = (np.concatenate(c) for c in zip(*parts, strict=True))
    rank = np.array([_RANK.get(e, 99) for e in range(max(_RANK) + 1)])[ev]
    order = np.lexsort((rank, drawn(m)[lead], t))
    names = np.array([EVENTS.get(e, "") for e in range(max(EVENTS) + 1)], dtype=object)
    event = names[ev]
    event[ev == EV_STEP] = detail[ev == EV_STEP]
    detail[ev == EV_STEP] = None
    rep_ids = np.array([r.rep_id for r in m.reps] + [None], dtype=object)
    return pd.DataFrame({
        "time": t[order],
        "date": _dates(m, t[order]),
        "lead_id": pd.Series(lid[lead[order]], dtype="str"),
        "rep_id": pd.Series(rep_ids[rep[order]], dtype="str"),
        "event": pd.Series(event[order], dtype="str"),
        "value": value[order],
        "detail": pd.Series(detail[order], dtype="str"),
    })


def _kept_events(m: Model, add, d: np.ndarray, cs: dict[str, np.ndarray]) -> None:
    """The after-sales events of the trace that the records keep anyway, so the model
    does not trace them as they happen: orders and deliveries (from the delivery lines),
    repeat orders won (the deals of kind ``repeat``) and surveys. An order's delivery is
    an event of the rep's agenda, processed when it falls before the horizon."""
    cust_lead = cs["lead"]
    cust = d[:, 0].astype(np.int64)
    signed, started, deal = _orders(m)
    lead, rep, delay = cust_lead[cust[deal]], d[deal, 1], started - signed
    add(signed, lead, EV_ORDER, rep, delay)
    delivered = started + m.scenario.fulfilment.lead_time_days
    done = delivered < m.horizon
    add(delivered[done], lead[done], EV_DELIVERED, rep[done], delay[done])
    repeat = d[:, 6] == 1
    add(d[repeat, 2], cust_lead[cust[repeat]], EV_REPEAT_WON, d[repeat, 1], d[repeat, 5])
    sv = _table(m.surveys, 4)
    cust = sv[:, 0].astype(np.int64)
    add(sv[:, 1], cust_lead[cust], EV_SURVEY, cs["rep"][cust], sv[:, 2])


# Order of events at the same time, as the story goes.
_RANK = {
    EV_ARRIVED: 0, EV_DISQUALIFIED: 1, EV_STEP: 2, EV_LOST: 3, EV_WON: 4, EV_REPEAT_REQUEST: 5,
    EV_REPEAT_WON: 6, EV_REPEAT_LOST: 7, EV_INVOICE: 8, EV_ORDER: 9, EV_DELIVERED: 10,
    EV_FEEDBACK: 11, EV_REVISIT: 12, EV_SURVEY: 13, EV_REFERRAL: 14, EV_CALL: 15,
    EV_PAYMENT: 16, EV_CHURN: 17,
}


def build_daily(m: Model) -> pd.DataFrame:
    """Counts at the start of each working day, from the run's exact event times.

    ``open_opportunities``: qualified leads created and not yet won or lost;
    ``active_customers``: customers acquired and not yet churned; ``delivery_backlog``:
    orders signed whose work has not started.
    """
    days = np.arange(m.calendar.horizon, dtype=float)
    lc = _lead_columns(m)
    qualified = lc["score"] >= m.scenario.scoring.threshold
    closed = np.nan_to_num(np.asarray(m.L_closed), nan=np.inf)[qualified]

    def count(start, end) -> np.ndarray:
        start, end = np.sort(np.asarray(start, dtype=float)), np.sort(np.asarray(end,
                                                                                  dtype=float))
        return (np.searchsorted(start, days, "right") - np.searchsorted(end, days, "right"))

    cs = _customers(m)
    churned = np.nan_to_num(cs["churned"], nan=np.inf)
    signed, started, _ = _orders(m)
    return pd.DataFrame({
        "day": days.astype(np.int64),
        "date": _dates(m, days),
        "open_opportunities": count(lc["t"][qualified], closed),
        "active_customers": count(cs["acquired"], churned),
        "delivery_backlog": count(signed, started),
    })


def build_orders(m: Model) -> pd.DataFrame:
    """One row per order handed to the delivery team (R2.1.4.1).

    Columns: ``deal_id``, ``customer_id``, ``rep_id``, ``signed_on``, ``queue_days``
    (working days the order waited before work on it started; 0 with unlimited capacity)
    and ``delivered_on`` (may lie after the simulated months).
    """
    signed, started, deal = _orders(m)
    d = _table(m.deals, 7)
    return pd.DataFrame({
        "deal_id": _take(_ids("D", len(d)), deal),
        "customer_id": _take(_ids("C", len(_customers(m)["lead"])), d[deal, 0] if len(d) else deal),
        "rep_id": _take(_names(r.rep_id for r in m.reps), d[deal, 1] if len(d) else deal),
        "signed_on": _dates(m, signed),
        "queue_days": started - signed,
        "delivered_on": _dates(m, started + m.scenario.fulfilment.lead_time_days),
    }, copy=False)


def _orders(m: Model) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """When each order was signed and started, and its deal, line (team) after line."""
    lines = m.lines.values()
    return tuple(np.concatenate([np.asarray(getattr(f, name), dtype=dt) for f in lines])
                 for name, dt in (("signed", float), ("started", float), ("deals", np.int64)))
