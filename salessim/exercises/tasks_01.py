"""Exercise tasks of lesson 01: the sales process end to end (R2.1).

The data is a practice run of the lesson's team, :func:`practice_run` (five reps, the first
quarter of 2026, seed :data:`SEED`: another quarter than the lesson's). Expected answers come
from the package: the order of the process from :data:`salessim.widgets.lesson01.STEPS`, a
lead's journey from :meth:`salessim.model.Simulation.follow`, stage conversions from
:func:`salessim.kpi.stage_conversion` and the order of a rep's work from
:class:`salessim.model.rules.ProcedureRule`. The known mistakes are computed here the way a
learner would make them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pandas as pd

from .. import kpi
from ..model import Simulation
from ..model.rules import TASKS as TASK_KINDS
from ..model.rules import ProcedureRule
from ..widgets.lesson01 import STEPS, compute_journey, followable_leads, lesson_run
from .core import Mistake, Task
from .kinds import Choice, Number, Ordering, as_percentage, option

__all__ = ["SEED", "STEP_LABELS", "TASKS", "practice_run", "reached", "trace_lead"]

#: The seed of the practice run (the lesson uses another one).
SEED = 3
_RATE_TOL = 0.0005


def practice_run() -> Simulation:
    """The practice run: the lesson's team with seed :data:`SEED`."""
    return lesson_run(SEED)


# ------------------------------------------------------------------ 01.1 the order of steps
#: The steps of task 01.1 by label, each with the trace event it corresponds to.
STEP_LABELS: dict[str, tuple[str, str]] = {
    "A": ("Sign the formal contract", "contract"),
    "B": ("Run a demo or trial", "demo"),
    "C": ("Send a detailed quote: price, delivery time, service terms", "quote"),
    "D": ("Screen and score the new lead", "arrived"),
    "E": ("Revisit the customer to hear how the product works for them", "revisit"),
    "F": ("Contact the lead and find out what they need", "first_contact"),
    "G": ("Negotiate the terms", "negotiation"),
    "H": ("Hand the order to production and logistics", "order_queued"),
}


def _process_order(d: Any) -> tuple[str, ...]:
    position = {event: i for i, event in enumerate(STEPS)}
    return tuple(sorted(STEP_LABELS, key=lambda k: position[STEP_LABELS[k][1]]))


def _before(first: str, then: str) -> Callable[[tuple[str, ...], Any], bool]:
    """A mistake pattern: step ``first`` placed before step ``then``."""
    return lambda answer, data: answer.index(first) < answer.index(then)


ORDER = Task(
    id="01.1",
    title="The steps of the sales process in order (销售流程)",
    clauses=("R1", "R2.1.1.3", "R2.1.2.1", "R2.1.2.3", "R2.1.3.1", "R2.1.3.2", "R2.1.3.3",
             "R2.1.4.1", "R2.1.4.3"),
    kind=Ordering(steps=tuple(STEP_LABELS)),
    expected=_process_order,
    why="Each step earns the right to the next: the need before the demo, the demo before the "
        "price, agreement before the contract, delivery before after-sales.",
    hint="Follow one lead through the four phases of lesson 01: lead development, follow-up "
         "and needs discovery, closing and contract, order execution and after-sales.",
    mistakes=(
        Mistake("screening not first",
                "The process starts with the lead itself: screen and score it before anyone "
                "spends time on it, so that the reps' time goes to leads that fit.",
                when=lambda answer, data: answer[0] != "D"),
        Mistake("demo before the needs",
                "You put the demo before finding out what the customer needs. A demo shows "
                "how the product solves *their* problem, so the needs come first.",
                when=_before("B", "F")),
        Mistake("quote before the demo",
                "You quote before the demo. The demo lets the customer check the fit before "
                "money is discussed; the quote then answers a question they already have.",
                when=_before("C", "B")),
        Mistake("contract before agreement",
                "Your contract comes before the quote or the negotiation. A contract records "
                "terms the customer has already accepted: quote, negotiate, then sign.",
                when=lambda answer, data: answer.index("A") < max(answer.index("C"),
                                                                  answer.index("G"))),
        Mistake("negotiation before the quote",
                "You negotiate before quoting. Negotiation starts from a detailed quote: "
                "without one there is nothing to negotiate about.",
                when=_before("G", "C")),
        Mistake("delivery before the contract",
                "You hand the order to production and logistics before the contract is "
                "signed. Execution follows the contract: it delivers what the contract says.",
                when=_before("H", "A")),
        Mistake("after-sales before delivery",
                "Your revisit comes before the order is handed over for delivery. "
                "After-sales follows the execution of the order.",
                when=_before("E", "H")),
    ),
)


# ------------------------------------------------------------------ 01.2 reading a trace
def trace_lead(run: Simulation) -> str:
    """The lead of task 01.2: the first won and paid lead that waited a day or more for its
    first contact (its arrival and its first contact fall on different dates)."""
    for lead in followable_leads(run):
        trace = run.follow(lead)
        first = trace.loc[trace["event"] == "first_contact", "date"].iloc[0]
        if first > trace["date"].iloc[0]:
            return lead
    raise ValueError("no won lead of this run waited for its first contact")


def _journey(d: Simulation):
    return compute_journey(d, trace_lead(d))


def _on(d: Simulation, event: str) -> pd.Timestamp:
    trace = d.follow(trace_lead(d))
    return trace.loc[trace["event"] == event, "date"].iloc[0]


def _days(start: str, end: str) -> Callable[[Simulation], float]:
    return lambda d: float((_on(d, end) - _on(d, start)).days)


def _working_days(d: Simulation) -> float:
    t = _journey(d).timeline.set_index("event")["working_day"]
    return float(t["contract"] - t["first_contact"])


TRACE = Task(
    id="01.2",
    title="Reading a lead's trace: first contact to contract (跟进到签约)",
    clauses=("R2.1.2.1", "R2.1.3.3"),
    kind=Number(unit="calendar days"),
    expected=_days("first_contact", "contract"),
    why="The time from first contact to contract is the part of the sales cycle a rep can "
        "shorten, by preparing each step well and keeping the customer moving.",
    hint="Find the date of the first_contact event and the date of the contract event in "
         "the lead's trace and count the calendar days between them (the later date minus "
         "the earlier one).",
    mistakes=(
        Mistake("from arrival",
                "You counted from the day the lead arrived. This lead waited for its first "
                "contact; the task asks from the first contact to the contract.",
                value=_days("arrived", "contract")),
        Mistake("working days",
                "You counted working days (the trace's time column, or its working_day). The "
                "task asks for calendar days: subtract the dates.",
                value=_working_days),
        Mistake("to payment",
                "You counted to the payment. The task stops at the contract signing (the "
                "contract event), the day the lead became a customer.",
                value=_days("first_contact", "payment")),
        Mistake("to delivery",
                "You counted to the delivery. The task stops at the contract signing (the "
                "contract event).",
                value=_days("first_contact", "delivered")),
    ),
    data=practice_run,
)


# ------------------------------------------------------------------ 01.3 stage conversion
def reached(run: Simulation) -> pd.Series:
    """Leads that reached each stage of :data:`salessim.kpi.STAGES` (that stage or a later
    one), the funnel table of the exercise."""
    position = run.ledger.leads["stage"].map({s: i for i, s in enumerate(kpi.STAGES)})
    return pd.Series([int((position >= i).sum()) for i in range(len(kpi.STAGES))],
                     index=pd.Index(kpi.STAGES, name="stage"), name="leads")


def _conversion(stage: str) -> Callable[[Simulation], float]:
    def value(d: Simulation) -> float:
        conv = kpi.stage_conversion(d.ledger, "Q", by="company")
        return float(conv.loc[conv["stage"] == stage, "stage_conversion"].item())
    return value


def _ratio(num: str, den: str) -> Callable[[Simulation], float]:
    return lambda d: float(reached(d)[num] / reached(d)[den])


def _stage_is(d: Simulation) -> float:
    stage = d.ledger.leads["stage"]
    return float((stage == "quote").sum() / (stage == "demo").sum())


CONVERSION = Task(
    id="01.3",
    title="Stage conversion from the funnel (阶段转化率): demo to quote",
    clauses=("R2.1.2.3", "R2.1.3.1"),
    kind=Number(fraction=True),
    expected=_conversion("demo"),
    why="A stage's conversion shows how well that one step works, so the team knows which "
        "step to improve; shares of all leads mix every earlier step into the number.",
    hint="Of the leads that reached the demo, which share reached the quote? Divide the "
         "leads reaching the quote by the leads reaching the demo.",
    mistakes=(
        Mistake("top of the funnel",
                "You divided by all leads (the top of the funnel). That is the share of all "
                "leads that reached the quote; the stage conversion divides by the leads that "
                "reached the previous stage, the demo.",
                value=_ratio("quote", "new")),
        Mistake("one stage too early",
                "You divided by the leads that reached discovery. The step from demo to quote "
                "starts with the leads that reached the demo.",
                value=_ratio("quote", "discovery")),
        Mistake("upside down",
                "Your answer is above one: you divided the demo by the quote. Put the later "
                "stage (quote) on top.",
                value=_ratio("demo", "quote")),
        Mistake("stage is, not reached",
                "You counted the leads whose stage *is* demo and quote. The stage column "
                "holds the furthest stage reached: a lead now at negotiation has passed the "
                "demo and the quote too. Count the leads that reached a stage or any later "
                "one (the funnel table does this for you).",
                value=_stage_is),
        as_percentage(_conversion("demo"), _RATE_TOL),
    ),
    data=practice_run,
    tolerance=_RATE_TOL,
)


# ------------------------------------------------------------------ 01.4 the leakiest step
#: The options of task 01.4: each step a rep works, as the stage it starts from.
STEP_OPTIONS = {"A": "contacted", "B": "discovery", "C": "demo", "D": "quote",
                "E": "negotiation"}


def _most_lost(d: Simulation) -> str:
    r = reached(d)
    drop = {k: r[s] - r[kpi.STAGES[kpi.STAGES.index(s) + 1]] for k, s in STEP_OPTIONS.items()}
    return max(drop, key=drop.get)


def _lowest_rate(d: Simulation) -> str:
    conv = kpi.stage_conversion(d.ledger, "Q", by="company").set_index("stage")
    rate = {k: conv.loc[s, "stage_conversion"] for k, s in STEP_OPTIONS.items()}
    return min(rate, key=rate.get)


LEAKIEST = Task(
    id="01.4",
    title="The step that loses most leads (销售漏斗)",
    clauses=("R2.1.2.1", "R2.1.2.2", "R2.1.2.3", "R2.1.3.1", "R2.1.3.2"),
    kind=Choice(options=tuple(STEP_OPTIONS)),
    expected=_most_lost,
    why="The step where most leads drop out is where an improvement of a few points wins the "
        "most customers, because every lead it keeps flows into all the steps below.",
    hint="For each step, subtract the leads that reached the next stage from the leads that "
         "reached this one, and compare these numbers of leads lost, not the rates.",
    mistakes=(
        Mistake("lowest rate",
                "That step has the lowest conversion *rate*, but fewer leads reach it, so it "
                "loses fewer leads in number. The question asks where the most leads drop "
                "out: compare the differences between consecutive stages.",
                value=_lowest_rate),
    ),
    data=practice_run,
)


# ------------------------------------------------------------------ 01.5 what comes first
#: The options of task 01.5: the task kind of each item on the to-do list.
TODO = {"A": "contract", "B": "first_contact", "C": "revisit", "D": "demo"}


def _first_by_procedure(d: Any) -> str:
    rank = {TASK_KINDS[k]: i for i, k in enumerate(ProcedureRule.order)}
    return min(TODO, key=lambda k: rank[TODO[k]])


PRIORITY = Task(
    id="01.5",
    title="What to do first: the order of priorities (第一时间)",
    clauses=("R2.1.2.1",),
    kind=Choice(),
    expected=_first_by_procedure,
    why="A new lead cools with every hour it waits, and a first contact takes only minutes: "
        "calling at once costs the other customers almost nothing.",
    hint="Ask which item loses value fastest while it waits, and how long it takes.",
    mistakes=(
        option("A", "The contract matters, and it comes right after. But the customer has "
                    "already agreed and will still sign in half an hour; the new lead is "
                    "cooling, and contacting it takes a few minutes."),
        option("C", "Revisits keep customers loyal, but they are the one kind of work that can "
                    "wait a day: they come last in the order of priorities."),
        option("D", "The demo is booked with a customer who is ready for it; a new lead first "
                    "needs its first contact, at once, and that takes only minutes."),
    ),
)


# ------------------------------------------------------------------ 01.6 leads to customers
def _overall(d: Simulation) -> float:
    conv = kpi.stage_conversion(d.ledger, "Q", by="company")["stage_conversion"]
    return float(math.prod(conv))


def _mean_conversion(d: Simulation) -> float:
    return float(kpi.stage_conversion(d.ledger, "Q", by="company")["stage_conversion"].mean())


def _deals_per_lead(d: Simulation) -> float:
    return len(d.ledger.deals) / len(d.ledger.leads)


OVERALL = Task(
    id="01.6",
    title="From lead to customer: the funnel multiplies (转化率)",
    clauses=("R2.1.1.3", "R2.1.3.3"),
    kind=Number(fraction=True),
    expected=_overall,
    why="The share of leads that become customers is the product of every step's conversion, "
        "so a few points gained at any step carry through to the contracts.",
    hint="Start from all the leads of the quarter (the top of the funnel) and multiply the "
         "conversions of every step, screening included, down to the contract; or divide the "
         "leads that reached the contract by all leads.",
    mistakes=(
        Mistake("mean of conversions",
                "You took the average of the stage conversions. A lead must pass *every* "
                "step, so the conversions multiply: 60% of 50% is 30%, not 55%.",
                value=_mean_conversion),
        Mistake("last step only",
                "You gave the conversion of the last step (negotiation to contract). The "
                "question asks what share of all leads get all the way to a contract.",
                value=_conversion("negotiation")),
        Mistake("screening left out",
                "You started from the contacted leads, leaving out the screening. The share "
                "asked for is of all the leads that arrived, disqualified ones included.",
                value=_ratio("contract", "contacted")),
        Mistake("deals instead of customers",
                "You counted deals. The deals table also holds repeat orders from existing "
                "customers; count the leads that reached the contract (won leads).",
                value=_deals_per_lead),
        as_percentage(_overall, _RATE_TOL),
    ),
    data=practice_run,
    tolerance=_RATE_TOL,
)

TASKS: tuple[Task, ...] = (ORDER, TRACE, CONVERSION, LEAKIEST, PRIORITY, OVERALL)
