"""Exercise tasks of lesson 02: market analysis and lead development (R2.1.1).

Three classification questions on market research (SWOT and PEST, R2.1.1.1); the cost per won
customer of a channel in a practice year of the lesson's team (R2.1.1.2); the leads of a small
fictional lead list that pass a campaign's screening criteria, and a scoring function written
by the learner and checked on leads it does not see (R2.1.1.3). Expected answers come from
:mod:`salessim.widgets.lesson02`, whose scoring calls the model's own scoring function; the
known mistakes are computed here the way a learner would make them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from ..model import Simulation, simulate
from ..widgets.lesson01 import lesson_scenario
from ..widgets.lesson02 import channel_results, score_lead, score_leads, screen, year_scenario
from .core import Mistake, Task
from .kinds import Case, Choice, Function, IdSet, Number, option

__all__ = ["CAMPAIGN", "SEED", "TASKS", "campaign_leads", "practice_year"]

#: The seed of the practice year (the lesson uses another one).
SEED = 4
#: The screening criteria of task 02.5.
CAMPAIGN = {"industries": ("manufacturing", "technology"), "sizes": ("medium", "large"),
            "regions": ("east", "north", "south"), "min_budget": 10_000.0, "min_score": 90.0}


def practice_year() -> Simulation:
    """A year of the lesson's team with seed :data:`SEED` (no trace)."""
    return simulate(year_scenario(), SEED, trace=False)


def campaign_leads() -> pd.DataFrame:
    """The fictional lead list of task 02.5, scored by the default scoring system."""
    leads = pd.DataFrame(
        [("K01", "manufacturing", "medium", "east", 12_000.0),
         ("K02", "technology", "large", "south", 10_000.0),
         ("K03", "manufacturing", "medium", "central", 25_000.0),
         ("K04", "retail", "medium", "east", 20_000.0),
         ("K05", "manufacturing", "small", "east", 15_000.0),
         ("K06", "technology", "medium", "north", 9_500.0),
         ("K07", "technology", "large", "north", 50_000.0),
         ("K08", "manufacturing", "large", "east", 10_000.0),
         ("K09", "technology", "medium", "south", 40_000.0),
         ("K10", "services", "large", "east", 60_000.0),
         ("K11", "manufacturing", "medium", "west", 30_000.0),
         ("K12", "manufacturing", "medium", "north", 18_000.0)],
        columns=["lead_id", "industry", "company_size", "region", "budget"],
    )
    return leads.assign(score=score_leads(leads))


# ------------------------------------------------------------------ 02.1-02.3 worksheets
THREAT = Task(
    id="02.1",
    title="SWOT: a competitor's free version (威胁)",
    clauses=("R2.1.1.1",),
    kind=Choice(),
    expected=lambda d: "D",
    why="A threat is outside the company and can harm it: you cannot change it, only prepare "
        "your answer, for example by showing what the free version lacks.",
    hint="Ask two questions: is it inside the company or outside it? Does it help or harm "
         "us?",
    mistakes=(
        option("A", "Nothing about it helps us, and it is not something we have: strengths "
                    "are our own advantages, inside the company."),
        option("B", "It harms us, but it happens outside the company: weaknesses are our own "
                    "shortcomings, things we could change ourselves."),
        option("C", "It is outside the company, but it harms us rather than helps: "
                    "opportunities are outside changes we can use."),
    ),
)

WEAKNESS = Task(
    id="02.2",
    title="SWOT: no service team in the west (劣势)",
    clauses=("R2.1.1.1",),
    kind=Choice(),
    expected=lambda d: "B",
    why="A weakness is ours to fix or to work around: here by scoring western leads lower "
        "until the service there improves, which is what the region points do.",
    hint="Ask two questions: is it inside the company or outside it? Does it help or harm "
         "us?",
    mistakes=(
        option("A", "Long installation times do not help us; a strength is an advantage of "
                    "our own."),
        option("C", "Customers in the west may be an opportunity, but the fact described is "
                    "our own slow service there: inside the company, and harmful."),
        option("D", "It harms us, but it is inside the company, something we could change "
                    "(hire, train, partner): that makes it a weakness, not a threat."),
    ),
)

POLICY = Task(
    id="02.3",
    title="PEST: a provincial subsidy programme (政策)",
    clauses=("R2.1.1.1",),
    kind=Choice(),
    expected=lambda d: "A",
    why="Policies, laws and subsidies are political factors: they can open a market "
        "overnight, so market research follows them closely.",
    hint="Ask where the change comes from: government and law, the economy, society's habits, "
         "or technology?",
    mistakes=(
        option("B", "It moves money, but the change comes from a government decision: a "
                    "policy or a subsidy is a political factor, even when its effect is "
                    "economic."),
        option("C", "Social factors are about people's habits, skills and attitudes; this is "
                    "a government decision."),
        option("D", "The subsidy is for software, but the change itself is a government "
                    "programme, not a new technology."),
    ),
)


# ------------------------------------------------------------------ 02.4 cost per customer
def _channel(d: Simulation, column: str, channel: str = "trade_show") -> float:
    table = channel_results(d).set_index("channel")
    return float(table.loc[channel, column])


def _trade_show_deals(d: Simulation) -> float:
    ledger = d.ledger
    shows = ledger.leads.loc[ledger.leads["channel"] == "trade_show", "lead_id"]
    customers = ledger.customers.loc[ledger.customers["lead_id"].isin(shows), "customer_id"]
    deals = ledger.deals["customer_id"].isin(customers).sum()
    return _channel(d, "cost") / deals


COST_PER_WON = Task(
    id="02.4",
    title="Cost per won customer of the trade shows (获客成本)",
    clauses=("R2.1.1.2",),
    kind=Number(unit="CNY"),
    expected=lambda d: _channel(d, "cost_per_won"),
    why="Cost per won customer is what a channel really costs: a lead that seldom buys is "
        "cheap to collect and expensive to turn into a customer.",
    hint="Take the trade-show leads of the year: their cost is their number times the "
         "channel's cost per lead; divide by the number of them whose outcome is won.",
    mistakes=(
        Mistake("cost per lead",
                "That is the cost of one lead. The task asks what a *customer* costs: the "
                "whole channel's cost divided by the customers it brought.",
                value=lambda d: _channel(d, "cost_per_lead")),
        Mistake("per qualified lead",
                "You divided by the qualified leads. Many of them are lost later; divide by "
                "the leads that were won (outcome won).",
                value=lambda d: _channel(d, "cost") / _channel(d, "qualified")),
        Mistake("all channels' customers",
                "You divided by the customers of all channels. Keep only the customers who "
                "came from the trade shows (channel trade_show).",
                value=lambda d: _channel(d, "cost")
                / float((d.ledger.leads["outcome"] == "won").sum())),
        Mistake("deals instead of customers",
                "You counted deals, repeat orders included. A customer is acquired once: "
                "count the won leads.",
                value=_trade_show_deals),
    ),
    data=practice_year,
    tolerance=0.5,
)


# ------------------------------------------------------------------ 02.5 screening
def _screened(**changes: Any) -> Callable[[pd.DataFrame], pd.DataFrame]:
    criteria = {**CAMPAIGN, **changes}
    return lambda d: screen(d, **criteria)


def _budget_above(d: pd.DataFrame) -> pd.DataFrame:
    passed = _screened()(d)
    return passed[passed["budget"] > CAMPAIGN["min_budget"]]


def _any_criterion(d: pd.DataFrame) -> pd.DataFrame:
    keep = (d["industry"].isin(CAMPAIGN["industries"]) | d["company_size"].isin(CAMPAIGN["sizes"])
            | d["region"].isin(CAMPAIGN["regions"]) | (d["budget"] >= CAMPAIGN["min_budget"])
            | (d["score"] >= CAMPAIGN["min_score"]))
    return d[keep]


SCREENING = Task(
    id="02.5",
    title="The leads that pass the screening criteria (筛选标准)",
    clauses=("R2.1.1.3",),
    kind=IdSet(column="lead_id", frame=True),
    expected=_screened(),
    why="Hard criteria give a campaign exactly the leads it is meant for, and every criterion "
        "counts: one forgotten condition lets in leads the campaign cannot serve.",
    hint="Build one boolean mask per criterion (isin for the lists, >= for the budget and the "
         "score), combine them with &, and keep the rows: leads[mask].",
    mistakes=(
        Mistake("unqualified included",
                "Your table includes a lead whose score is below 90: it passes the other "
                "criteria, but the campaign also asks for a score of at least 90.",
                value=_screened(min_score=None)),
        Mistake("region forgotten",
                "Your table includes a lead outside the campaign's regions: the region "
                "criterion (east, north or south) applies too.",
                value=_screened(regions=None)),
        Mistake("company size forgotten",
                "Your table includes a small company: the campaign is for medium and large "
                "companies only.",
                value=_screened(sizes=None)),
        Mistake("budget strictly above",
                "Your table leaves out leads whose budget is exactly 10,000 CNY. 'At least' "
                "includes the bound: use >=, not >.",
                value=_budget_above),
        Mistake("any criterion",
                "Your table keeps leads that pass *any* criterion. A lead must pass all of "
                "them: combine the masks with &, not |.",
                value=_any_criterion),
    ),
    data=campaign_leads,
)


# ------------------------------------------------------------------ 02.6 a scoring function
def _points(scoring: Any, industry: str, size: str, region: str) -> tuple[float, float, float]:
    return scoring.industry[industry], scoring.company_size[size], scoring.region[region]


def _reference_variant(budget_points: Callable[[float, float], float], scale: float = 100.0,
                       weighted: bool = True) -> Callable[[str, str, str, float], float]:
    scoring = lesson_scenario().scoring
    w = scoring.weights

    def fn(industry: str, company_size: str, region: str, budget: float) -> float:
        i, s, r = _points(scoring, industry, company_size, region)
        b = budget_points(budget, scoring.budget_full)
        if not weighted:
            return scale * (i + s + r + b) / 4
        total = (w["industry"] * i + w["company_size"] * s + w["region"] * r
                 + w["budget"] * b)
        return scale * total / sum(w.values())
    return fn


def _capped(budget: float, full: float) -> float:
    return min(budget / full, 1.0)


_SCORE_CASES = (
    Case(("manufacturing", "medium", "east", 12_000.0), "a lead whose budget is above 8,000 CNY"),
    Case(("retail", "small", "west", 4_000.0), "a lead whose budget is below 8,000 CNY"),
    Case(("technology", "large", "south", 250_000.0), "a lead whose budget is above 8,000 CNY"),
    Case(("services", "medium", "central", 6_000.0), "a lead whose budget is below 8,000 CNY"),
    Case(("other", "small", "north", 0.0), "a lead without a budget"),
    Case(("manufacturing", "large", "east", 8_000.0), "a lead whose budget is exactly 8,000 CNY"),
)

SCORE_FUNCTION = Task(
    id="02.6",
    title="A lead scoring function (评分体系)",
    clauses=("R2.1.1.3",),
    kind=Function(
        cases=_SCORE_CASES,
        hints={
            "a lead whose budget is above 8,000 CNY":
                "Your function is wrong for a budget above 8,000 CNY: the budget earns at most "
                "its full points (1), however large it is.",
            "a lead whose budget is below 8,000 CNY":
                "Your function is wrong for a budget below 8,000 CNY: a smaller budget earns "
                "its share of the points, budget / 8,000.",
            "a lead without a budget":
                "Your function is wrong for a budget of 0: it earns no budget points, but the "
                "other three criteria still count.",
        },
    ),
    expected=lambda d: score_lead,
    why="Writing the score yourself shows what drives it: a lead weak on one criterion can "
        "make up for it on another, in proportion to the weights.",
    hint="Look up the points of the industry, the size and the region in the tables; the "
         "budget's points are budget / 8,000, at most 1; multiply each by its weight, add up, "
         "divide by the sum of the weights and multiply by 100.",
    mistakes=(
        Mistake("budget not capped",
                "Your function gives a large budget more than full points. The budget earns "
                "its share of the points up to 8,000 CNY and full points (1) above it: use "
                "min(budget / 8000, 1).",
                value=lambda d: _reference_variant(lambda budget, full: budget / full)),
        Mistake("budget all or nothing",
                "Your function gives the budget all or none of its points. A budget below "
                "8,000 CNY earns its share: 4,000 CNY earns half.",
                value=lambda d: _reference_variant(
                    lambda budget, full: 1.0 if budget >= full else 0.0)),
        Mistake("0-1 scale",
                "Your scores are between 0 and 1: multiply the weighted average by 100 to get "
                "points on the 0-100 scale the threshold uses.",
                value=lambda d: _reference_variant(_capped, scale=1.0), tolerance=0.0006),
        Mistake("weights ignored",
                "Your function gives every criterion the same weight. Multiply each "
                "criterion's points by its weight (industry 0.3, size 0.2, region 0.2, budget "
                "0.3) before adding up.",
                value=lambda d: _reference_variant(_capped, weighted=False)),
    ),
    tolerance=0.06,
)

TASKS: tuple[Task, ...] = (THREAT, WEAKNESS, POLICY, COST_PER_WON, SCREENING, SCORE_FUNCTION)
