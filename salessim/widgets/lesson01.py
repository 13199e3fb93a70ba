"""Lesson 01 dashboard: one lead's journey through the sales process, end to end (R2.1).

The regulation's purpose (R1) is one process that everybody follows. The simulated team
follows it too, and its trace records every step of every lead: arrival and scoring
(R2.1.1.2, R2.1.1.3), first contact, needs discovery and demo (R2.1.2), quote, negotiation
and contract (R2.1.3), delivery, feedback and revisits (R2.1.4), invoice and payment.

- :func:`lesson_scenario` and :func:`lesson_run` give the lesson's small team (seeded);
- :func:`compute_journey` reads one lead's trace into a timeline with dates, working days
  and calendar days, and measures the days from arrival to cash (回款);
  :func:`plot_journey` draws it and :func:`journey_dashboard` lets the learner choose the
  won lead to follow;
- :func:`procedure_priorities` lists the model's procedure rule, the regulation's order of
  priorities for a rep's day, and :func:`rep_day` shows one rep's working day.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..model import Simulation, simulate
from ..model.rules import CONTRACT, FIRST_CONTACT, TASKS, ProcedureRule
from ..scenario import Scenario
from .errors import shows_errors
from .image import png

__all__ = ["PHASES", "SEED", "STEPS", "Journey", "compute_journey", "followable_leads",
           "journey_dashboard", "lesson_run", "lesson_scenario", "plot_journey",
           "procedure_priorities", "rep_day"]

#: The seed of the lesson's simulation.
SEED = 1

#: Each trace event: the name shown in the timeline, its phase of the process and its clause.
STEPS: dict[str, tuple[str, str, str]] = {
    "arrived": ("lead arrives and is scored", "lead development", "R2.1.1.2, R2.1.1.3"),
    "disqualified": ("screened out", "lead development", "R2.1.1.3"),
    "first_contact": ("first contact", "follow-up", "R2.1.2.1"),
    "discovery": ("needs discovery", "follow-up", "R2.1.2.2"),
    "demo": ("demo or trial", "follow-up", "R2.1.2.3"),
    "quote": ("quote", "closing", "R2.1.3.1"),
    "negotiation": ("negotiation", "closing", "R2.1.3.2"),
    "contract": ("contract signing", "closing", "R2.1.3.3"),
    "won": ("deal booked", "closing", "R2.1.3.3"),
    "lost": ("lead lost", "closing", "R2.1.2, R2.1.3"),
    "invoice": ("invoice issued", "money", "R2.2.1.3"),
    "order_queued": ("order to the delivery team", "execution", "R2.1.4.1"),
    "delivered": ("order delivered", "execution", "R2.1.4.1"),
    "feedback": ("feedback call", "after-sales", "R2.1.4.2"),
    "revisit": ("revisit", "after-sales", "R2.1.4.3"),
    "survey": ("satisfaction survey", "after-sales", "R2.3.1.3"),
    "referred_lead": ("refers a new lead", "after-sales", "R2.1.1.2"),
    "repeat_request": ("asks for a repeat order", "after-sales", "R2.1.4.3"),
    "repeat_won": ("repeat order signed", "after-sales", "R2.1.4.3"),
    "repeat_lost": ("repeat order not signed", "after-sales", "R2.1.4.3"),
    "collection_call": ("collection call", "money", "R2.2.1.3"),
    "payment": ("payment received", "money", "R2.2.1.3"),
    "churned": ("customer leaves", "after-sales", "R2.2.1.2"),
}

#: The phases of the process in the regulation's order, with their colours in the plot.
PHASES: dict[str, str] = {
    "lead development": "#8250df",    # R2.1.1
    "follow-up": "#0969da",           # R2.1.2
    "closing": "#1a7f37",             # R2.1.3
    "execution": "#bc4c00",           # R2.1.4.1
    "after-sales": "#d4a72c",         # R2.1.4.2, R2.1.4.3
    "money": "#6e7781",               # invoices and payments (R2.2.1.3)
}

# Why each kind of task has its place in the procedure rule's order (R2.1, R2.2.1.3, R2.3.2).
_WHY = {
    "meeting": ("R2.3.2.1", "the team meets at the set time; it cannot wait for a quiet moment"),
    "first_contact": ("R2.1.2.1", "contact at once: a lead cools with every day it waits"),
    "contract": ("R2.1.3.3", "the customer has agreed; sign before anything changes"),
    "negotiation": ("R2.1.3.2", "a customer with a quote in hand is closest to a decision"),
    "repeat_order": ("R2.1.4.3", "an existing customer asking for more is nearly won"),
    "feedback": ("R2.1.4.2", "ask soon after delivery, while problems are easy to fix"),
    "collection_call": ("R2.2.1.3", "an overdue invoice is revenue not yet collected"),
    "quote": ("R2.1.3.1", "a discovered need waits for its price"),
    "demo": ("R2.1.2.3", "a demo confirms the fit before the quote"),
    "discovery": ("R2.1.2.2", "learn the needs and pain points behind the lead"),
    "revisit": ("R2.1.4.3", "regular visits keep customers loyal; they can wait a day"),
}


def lesson_scenario() -> Scenario:
    """The lesson's team: the default business scaled to five reps, over one quarter.

    Its reps follow the procedure rule, the regulation's order of priorities, whatever the
    default decision rule is.
    """
    return Scenario().with_team(5).with_overrides({"calendar.months": 3,
                                                   "decision.rule": "procedure"})


def lesson_run(seed: int = SEED) -> Simulation:
    """The lesson's simulation: :func:`lesson_scenario` run with ``seed``."""
    return simulate(lesson_scenario(), seed)


@dataclass(frozen=True)
class Journey:
    """One lead's trace as a timeline, and how long it took to turn into cash.

    Attributes
    ----------
    lead_id, channel : str
        The lead and the channel it came from.
    score, threshold : float
        Its score (评分, 0-100) and the score it needed to be qualified.
    outcome : str
        ``"won"``, ``"lost"``, ``"open"`` or ``"disqualified"`` at the end of the run.
    timeline : pandas.DataFrame
        One row per event in time order: ``date``, ``working_day`` and ``calendar_day``
        (days since the lead arrived: working days of the team's calendar and calendar
        days), ``event`` (the trace's name), ``step`` (in words), ``phase``, ``clauses``,
        ``detail`` (what happened, with its amount or value).
    amount : float
        The first deal's amount after discount, CNY; NaN when the lead was not won.
    arrived, contract, cash : pandas.Timestamp
        The day the lead arrived, the day the contract was signed and the day the first
        deal's invoices were paid in full; NaT when it did not happen in the run.
    working_days_to_cash, days_to_cash : float
        Working days and calendar days from arrival to cash; NaN without cash.
    """

    lead_id: str
    channel: str
    score: float
    threshold: float
    outcome: str
    timeline: pd.DataFrame
    amount: float
    arrived: pd.Timestamp
    contract: pd.Timestamp
    cash: pd.Timestamp
    working_days_to_cash: float
    days_to_cash: float

    @property
    def paid(self) -> bool:
        """Whether the first deal was paid in full within the run."""
        return not pd.isna(self.cash)

    def summary(self) -> str:
        """Two lines: the lead, and its days from arrival to cash (or how it ended)."""
        head = (f"{self.lead_id} ({self.channel}, score {self.score:.1f}, threshold "
                f"{self.threshold:g}): {self.outcome}")
        if self.paid:
            return (f"{head}, {self.amount:,.0f} CNY\narrived {_day(self.arrived)}, contract "
                    f"{_day(self.contract)}, paid in full {_day(self.cash)}: "
                    f"{self.days_to_cash:.0f} calendar days ({self.working_days_to_cash:.0f} "
                    "working days) from arrival to cash")
        if self.outcome == "won":
            return (f"{head}, {self.amount:,.0f} CNY\narrived {_day(self.arrived)}, contract "
                    f"{_day(self.contract)}, not paid in full by the end of the run")
        return f"{head}\narrived {_day(self.arrived)}"

    def table(self) -> str:
        """The timeline as plain text: date, working day, calendar day, step, detail."""
        t = self.timeline
        columns = {
            "date": t["date"].dt.strftime("%Y-%m-%d %a").tolist(),
            "working day": [str(d) for d in t["working_day"]],
            "calendar day": [str(d) for d in t["calendar_day"]],
            "step": t["step"].tolist(),
            "clauses": t["clauses"].tolist(),
            "detail": t["detail"].tolist(),
        }
        numeric = {"working day", "calendar day"}
        width = {k: max(len(k), *(len(v) for v in vs)) for k, vs in columns.items()}

        def line(cells: dict[str, str]) -> str:
            return "  ".join(f"{v:>{width[k]}}" if k in numeric else f"{v:<{width[k]}}"
                             for k, v in cells.items()).rstrip()

        rows = [line({k: k for k in columns})]
        rows += [line({k: vs[i] for k, vs in columns.items()}) for i in range(len(t))]
        return "\n".join(rows)

    def _repr_html_(self) -> str:
        who = (f"<b>{html.escape(self.lead_id)}</b> ({html.escape(self.channel)}, score "
               f"{self.score:.1f})")
        if not self.paid:
            return f"{who}: {html.escape(self.summary().splitlines()[-1])}"
        return (f"{who}: arrived {_day(self.arrived)}, contract {_day(self.contract)}, paid "
                f"{_day(self.cash)}, {self.amount:,.0f} CNY &middot; <b>{self.days_to_cash:.0f}"
                f" calendar days ({self.working_days_to_cash:.0f} working days) from arrival "
                "to cash</b>")


_PIPELINE = TASKS[FIRST_CONTACT:CONTRACT + 1]


def _day(ts: pd.Timestamp) -> str:
    return "-" if pd.isna(ts) else ts.strftime("%Y-%m-%d")


def _detail(event: str, value: float, detail: object, threshold: float) -> str:
    """What happened at one event, in words, from its value and detail columns."""
    if event == "arrived":
        verdict = "qualified" if value >= threshold else "below the threshold"
        return f"from the {str(detail).replace('_', ' ')} channel, score {value:.1f}: {verdict}"
    if event == "disqualified":
        return f"score {value:.1f} < {threshold:g}: no rep works it"
    if event in _PIPELINE:
        return f"{value:.1f} h of rep time"
    if event == "lost":
        return f"after the {str(detail).replace('_', ' ')}"
    if event in ("won", "invoice", "payment"):
        return f"{value:,.0f} CNY, {detail}"
    if event == "order_queued":
        return "production and logistics take the order"
    if event == "delivered":
        return f"after {value:.1f} working days waiting in the delivery queue"
    if event in ("feedback", "revisit"):
        return f"satisfaction {value:.0%} after it"
    if event == "survey":
        return f"CSAT {value:.0f} of 5"
    if event == "referred_lead":
        return f"new lead {detail}"
    if event == "repeat_won":
        return f"{value:,.0f} CNY"
    if event == "collection_call":
        return "the customer promises to pay" if value == 1 else "no promise"
    if event in ("repeat_request", "churned"):
        return f"satisfaction {value:.0%}"
    return ""


def compute_journey(run: Simulation, lead_id: str) -> Journey:
    """One lead's journey through the process, from its trace (R2.1).

    Parameters
    ----------
    run : Simulation
        A simulation (with its trace).
    lead_id : str
        A lead of ``run.ledger.leads``.

    Returns
    -------
    Journey
        The timeline and the days from arrival to cash. Cash is the day the invoices of the
        lead's first deal were paid in full (repeat orders come later and do not count).

    Raises
    ------
    ValueError
        For a lead that is not in the ledger.
    """
    leads = run.ledger.leads
    row = leads[leads["lead_id"] == lead_id]
    if row.empty:
        raise ValueError(f"lead {lead_id!r} is not in the simulation's leads table; its leads "
                         f"run from {leads['lead_id'].min()} to {leads['lead_id'].max()}")
    lead = row.iloc[0]
    threshold = run.scenario.scoring.threshold
    trace = run.follow(lead_id)
    t0 = trace["time"].iloc[0]
    timeline = pd.DataFrame({
        "date": trace["date"],
        "working_day": (np.floor(trace["time"]) - np.floor(t0)).astype("int64"),
        "calendar_day": (trace["date"] - trace["date"].iloc[0]).dt.days.astype("int64"),
        "event": trace["event"],
        "step": [STEPS.get(e, (e,))[0] for e in trace["event"]],
        "phase": [STEPS.get(e, ("", "other"))[1] for e in trace["event"]],
        "clauses": [STEPS.get(e, ("", "", ""))[2] for e in trace["event"]],
        "detail": [_detail(e, v, d, threshold) for e, v, d in
                   zip(trace["event"], trace["value"], trace["detail"], strict=True)],
    })
    arrived = trace["date"].iloc[0]
    won = trace[trace["event"] == "won"]
    amount, contract, cash = np.nan, pd.NaT, pd.NaT
    working, calendar = np.nan, np.nan
    if len(won):
        deal_id = won["detail"].iloc[0]
        contract = won["date"].iloc[0]
        amount = float(won["value"].iloc[0])
        invoices = run.ledger.invoices
        mine = invoices[invoices["deal_id"] == deal_id]
        paid = trace[(trace["event"] == "payment") & trace["detail"].isin(mine["invoice_id"])]
        full = paid["value"].cumsum() >= mine["amount"].sum() - 0.005
        if len(mine) and full.any():
            at = paid.index[full.to_numpy()][0]
            cash = trace.loc[at, "date"]
            working = float(timeline.loc[at, "working_day"])
            calendar = float(timeline.loc[at, "calendar_day"])
    return Journey(lead_id=lead_id, channel=str(lead["channel"]), score=float(lead["score"]),
                   threshold=threshold, outcome=str(lead["outcome"]), timeline=timeline,
                   amount=amount, arrived=arrived, contract=contract, cash=cash,
                   working_days_to_cash=working, days_to_cash=calendar)


def followable_leads(run: Simulation) -> list[str]:
    """The won leads whose first deal was paid in full within the run, in order of arrival."""
    trace = run.trace
    ledger = run.ledger
    first = (ledger.deals[ledger.deals["kind"] == "new"][["deal_id"]]
             .merge(ledger.invoices[["invoice_id", "deal_id", "amount"]], on="deal_id"))
    due = first.groupby("deal_id")["amount"].sum()
    paid = (ledger.payments.merge(first[["invoice_id", "deal_id"]], on="invoice_id")
            .groupby("deal_id")["amount"].sum())
    settled = set(due.index[(paid.reindex(due.index, fill_value=0.0) >= due - 0.005)])
    won = trace[(trace["event"] == "won") & trace["detail"].isin(settled)]
    arrival = trace[trace["event"] == "arrived"].set_index("lead_id")["time"]
    leads = pd.Series(won["lead_id"].unique())
    order = np.argsort(arrival.reindex(leads).to_numpy(), kind="stable")
    return leads.iloc[order].tolist()


def plot_journey(journey: Journey) -> Figure:
    """The journey as a timeline: one row per event, placed at its working day.

    Returns a new :class:`matplotlib.figure.Figure`; the numbers behind it are
    ``journey.timeline``.
    """
    t = journey.timeline
    height = 0.32 * len(t) + 1.4  # inches: a row per event, and room for the axis and title
    fig = Figure(figsize=(9, height))  # fixed margins: a layout engine doubles drawing time
    ax = fig.subplots(gridspec_kw=dict(left=0.28, right=0.97, bottom=0.9 / height,
                                       top=1 - 0.5 / height))
    y = np.arange(len(t))[::-1]
    for phase, colour in PHASES.items():
        sel = (t["phase"] == phase).to_numpy()
        if sel.any():
            ax.scatter(t["working_day"][sel], y[sel], color=colour, s=40, label=phase,
                       zorder=3)
    ax.hlines(y, 0, t["working_day"], color="#d0d7de", linewidth=1, zorder=1)
    ax.set_yticks(y, [f"{s} ({d})" for s, d in zip(t["step"], t["date"].dt.strftime("%m-%d"),
                                                   strict=True)], fontsize="small")
    if journey.paid:
        ax.axvline(journey.working_days_to_cash, color=PHASES["money"], linestyle="--",
                   linewidth=1, label=f"cash: {journey.working_days_to_cash:.0f} working days")
    ax.set_xlabel("working days since the lead arrived (days)")
    ax.set_xlim(-0.5, max(1.0, float(t["working_day"].max())) * 1.05 + 0.5)
    ax.legend(loc="upper right", fontsize="small", frameon=False)
    ax.set_title(f"Journey of lead {journey.lead_id}" + (
        f": {journey.days_to_cash:.0f} calendar days from arrival to cash"
        if journey.paid else f" ({journey.outcome})"))
    return fig


def journey_dashboard(run: Simulation | None = None, lead_id: str | None = None):
    """A drop-down of the won leads; the chosen lead's timeline and days to cash.

    Parameters
    ----------
    run : Simulation, optional
        The simulation to read; :func:`lesson_run` by default.
    lead_id : str, optional
        The lead shown first; the first of :func:`followable_leads` by default.

    Returns
    -------
    ipywidgets.VBox
        The main control is the ``Lead`` drop-down; the days from arrival to cash are shown
        in the HTML widget ``Journey``, with the CSS class ``salessim-result``, above the
        timeline plot and table.
    """
    import ipywidgets as widgets

    run = lesson_run() if run is None else run
    leads = followable_leads(run)
    if not leads:
        raise ValueError("no won lead of this simulation was paid in full: nothing to follow")
    choose = widgets.Dropdown(options=leads, value=lead_id or leads[0], description="Lead")
    numbers = widgets.HTML(description="Journey")
    numbers.add_class("salessim-result")
    plot = widgets.Image(format="png", layout=widgets.Layout(max_width="900px"))
    table = widgets.HTML()

    @shows_errors(numbers)
    def update(_=None) -> None:
        journey = compute_journey(run, choose.value)
        numbers.value = journey._repr_html_()
        plot.value = png(plot_journey(journey))
        table.value = f"<pre>{html.escape(journey.table())}</pre>"

    choose.observe(update, "value")
    update()
    return widgets.VBox([choose, numbers, plot, table])


def procedure_priorities() -> pd.DataFrame:
    """The procedure rule's order of priorities, first to last, with the clause behind each.

    Read from :class:`salessim.model.rules.ProcedureRule`, so the table is always the
    rule the model runs. Columns ``priority`` (1 = first), ``task``, ``clause``, ``why``.
    """
    names = [TASKS[k] for k in ProcedureRule.order]
    return pd.DataFrame({
        "priority": range(1, len(names) + 1),
        "task": names,
        "clause": [_WHY.get(n, ("", ""))[0] for n in names],
        "why": [_WHY.get(n, ("", ""))[1] for n in names],
    })


def rep_day(run: Simulation, rep_id: str, date: str | pd.Timestamp) -> pd.DataFrame:
    """What one rep did on one day, from the activities table, in time order.

    Columns ``start`` and ``end`` (clock time, ``HH:MM``), ``minutes``, ``task`` and
    ``ref_id`` (the lead, customer or invoice worked on).
    """
    acts = run.ledger.activities
    day = pd.Timestamp(date).normalize()
    mine = acts[(acts["rep_id"] == rep_id) & (acts["started_at"].dt.normalize() == day)]
    mine = mine.sort_values("started_at", kind="stable")
    return pd.DataFrame({
        "start": mine["started_at"].dt.strftime("%H:%M").to_numpy(),
        "end": mine["ended_at"].dt.strftime("%H:%M").to_numpy(),
        "minutes": ((mine["ended_at"] - mine["started_at"]).dt.total_seconds() / 60)
        .round().astype("int64").to_numpy(),
        "task": mine["task"].to_numpy(),
        "ref_id": mine["ref_id"].to_numpy(),
    })
