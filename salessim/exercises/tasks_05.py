"""Exercise tasks of lesson 05: order execution and after-sales service (R2.1.4, R2.2.1.2).

The tasks work on one practice year of the lesson's team (:func:`after_sales_practice`: three
reps, twelve months, a delivery team that can start only 3.5 orders a day): the mean delivery
delay of a quarter's orders (R2.1.4.1), the first step after a delivery (R2.1.4.2), the
retention rate (留存率) of a quarter with pandas (R2.2.1.2), two revisit policies compared by
simulating them (R2.1.4.3), the referral reward per customer won (客户推荐), and the smallest
delivery capacity that keeps orders from waiting a day (checked by simulating). Expected
answers come from :mod:`salessim.kpi`, the simulation and its ``orders`` table; the known
mistakes are computed here the way a learner would make them.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from .. import kpi
from ..model import Simulation, simulate
from ..widgets.lesson05 import compute_delivery, lesson_scenario
from .core import Mistake, Task
from .kinds import Choice, Number, as_percentage, option

__all__ = ["CAPACITY_STEP", "DELAY_LIMIT", "POLICIES", "POLICY_SEEDS", "PRACTICE_CAPACITY",
           "PRACTICE_SEED", "QUARTER", "TASKS", "after_sales_practice", "capacity_plan",
           "policy_retention"]

#: The practice year: the lesson's team with this seed and this delivery capacity.
PRACTICE_SEED = 7
PRACTICE_CAPACITY = 3.5
#: The quarter of tasks 05.1 and 05.3.
QUARTER = "2026Q2"
#: Task 05.4: the two revisit policies (scenario overrides) and the seeds they are run with.
POLICIES = {
    "A": {"after_sales.revisit_interval_days": 30.0},
    "B": {"after_sales.revisit_interval_days": 124.0, "after_sales.revisit_gain": 0.8,
          "after_sales.revisit_hours": 4.0},
}
POLICY_SEEDS = (1, 2, 3, 4, 5)
#: Task 05.6: the mean delay to stay under (working days) and the steps of capacity tried.
DELAY_LIMIT = 1.0
CAPACITY_STEP = 0.5
_CAPACITIES = tuple(np.arange(2.0, 8.01, CAPACITY_STEP).round(1))

_RATE_TOL = 0.0005
_DAYS_TOL = 0.005
_CNY_TOL = 0.5
_SAME_RETENTION = 0.005  # policies this close keep "the same share"


def after_sales_practice() -> Simulation:
    """The practice year of lesson 05's exercises (seed 7, delivery capacity 3.5 a day)."""
    return simulate(lesson_scenario(capacity_per_day=PRACTICE_CAPACITY), PRACTICE_SEED,
                    trace=False)


def _in_quarter(dates: pd.Series, quarter: str = QUARTER) -> pd.Series:
    return dates.dt.to_period("Q") == quarter


# ------------------------------------------------------------------ 05.1 delivery delay
def _quarter_orders(run: Simulation) -> pd.DataFrame:
    orders = run.orders
    return orders[_in_quarter(orders["signed_on"])]


def _mean_delay(run: Simulation) -> float:
    return float(_quarter_orders(run)["queue_days"].mean())


DELAY = Task(
    id="05.1",
    title="Mean delivery delay of a quarter's orders (订单执行)",
    clauses=("R2.1.4.1",),
    kind=Number(unit="working days"),
    expected=_mean_delay,
    why="The mean delay tells the delivery team and sales how far demand has outrun "
        "capacity, and what delivery date a salesperson can honestly promise.",
    hint="Keep the orders with signed_on from 1 April to 30 June 2026 and take the mean "
         "of their queue_days, orders that did not wait (0) included.",
    mistakes=(
        Mistake("every order",
                "Your mean covers the orders of the whole year. Keep only the orders signed "
                "in 2026Q2 (1 April to 30 June).",
                value=lambda run: float(run.orders["queue_days"].mean())),
        Mistake("only the orders that waited",
                "You averaged only the orders that waited. The orders that were started at "
                "once waited 0 days and belong in the mean too: leave them in.",
                value=lambda run: float(_quarter_orders(run)["queue_days"]
                                        .loc[lambda w: w > 0].mean())),
        Mistake("calendar days to delivery",
                "You measured the calendar days from signing to delivery. That includes the "
                "promised lead time and the weekends; the delay is the working days an "
                "order waited before work on it started, the queue_days column.",
                value=lambda run: float((_quarter_orders(run)["delivered_on"]
                                         - _quarter_orders(run)["signed_on"]).dt.days.mean())),
        Mistake("median",
                "That is the median wait. The task asks for the mean: the few orders that "
                "waited long are exactly what the mean must show.",
                value=lambda run: float(_quarter_orders(run)["queue_days"].median())),
    ),
    data=after_sales_practice,
    tolerance=_DAYS_TOL,
)


# ------------------------------------------------------------------ 05.2 after delivery
AFTER_DELIVERY = Task(
    id="05.2",
    title="The first step after a delivery: feedback follow-up (使用反馈跟进)",
    clauses=("R2.1.4.2",),
    kind=Choice(),
    expected=lambda d: "B",
    why="The first days after a delivery decide what the customer thinks of the purchase; a "
        "problem found and solved then costs little and earns trust, one found later costs "
        "the customer.",
    hint="Think about when a problem is cheapest to fix, and who should notice it first.",
    mistakes=(
        option("A", "Waiting for the customer to call means problems are found late, after "
                    "they have annoyed the customer; many customers never call and simply "
                    "do not buy again. Asking promptly is service, not pushiness."),
        option("C", "A survey measures satisfaction; it does not find and fix a missing part "
                    "or a failed installation. Ask and solve first; the survey comes with the "
                    "later revisits."),
        option("D", "Selling the next product before the first one is known to work puts "
                    "your target before the customer. Make sure the delivery is right first; "
                    "a satisfied customer buys again and recommends us."),
    ),
)


# ------------------------------------------------------------------ 05.3 retention
def _retention(run: Simulation) -> float:
    rates = kpi.retention_rate(run.ledger, "Q", by="company")
    return float(rates.loc[rates["period"] == QUARTER, "retention_rate"].item())


def _counts(run: Simulation) -> dict[str, int]:
    c = run.ledger.customers
    period = pd.Period(QUARTER, freq="Q")
    first, last = period.start_time, period.end_time.normalize()
    churned = c["churned_on"]
    at_start = (c["acquired_on"] < first) & ~(churned < first)
    new = c["acquired_on"].between(first, last)
    return {
        "S": int(at_start.sum()),
        "kept": int((at_start & ~(churned <= last)).sum()),
        "kept ever": int((at_start & churned.isna()).sum()),
        "N": int(new.sum()),
        "E": int(((c["acquired_on"] <= last) & ~(churned <= last)).sum()),
    }


RETENTION = Task(
    id="05.3",
    title="Retention rate (留存率) of a quarter, with pandas",
    clauses=("R2.2.1.2",),
    kind=Number(fraction=True),
    expected=_retention,
    why="Retention shows whether the customers the team already has are kept: the result of "
        "prompt feedback calls and regular revisits, and the base of repeat orders and "
        "referrals.",
    hint="Take the customers at the start of 2026Q2 (acquired before 1 April and not churned "
         "before it); the rate is the share of them with no churned_on on or before 30 "
         "June.",
    mistakes=(
        Mistake("divided by the end",
                "You divided by the customers at the quarter's end. They include the "
                "quarter's new customers, who were never at risk of being lost in it: "
                "retention follows the customers at the start, and takes the share of them "
                "still kept at the end.",
                value=lambda run: (n := _counts(run))["kept"] / n["E"]),
        Mistake("(E - N) / S",
                "You computed (customers at the end - new customers) / customers at the "
                "start. Some customers were won and lost inside the quarter: they are among "
                "the new customers but not among those at the end, so subtracting all new "
                "customers counts them as lost opening customers. Follow the opening "
                "customers instead: how many of them had not churned by the quarter's end?",
                value=lambda run: ((n := _counts(run))["E"] - n["N"]) / n["S"]),
        Mistake("lost after the quarter",
                "You counted as lost customers who left after 30 June. A customer still "
                "there at the quarter's end is kept in this quarter, whatever happens later: "
                "compare churned_on with the quarter's last day.",
                value=lambda run: (n := _counts(run))["kept ever"] / n["S"]),
        Mistake("churn rate",
                "That is the churn rate, the share of opening customers lost. Retention is "
                "the share kept.",
                value=lambda run: 1 - (n := _counts(run))["kept"] / n["S"]),
        as_percentage(_retention, _RATE_TOL),
    ),
    data=after_sales_practice,
    tolerance=_RATE_TOL,
)


# ------------------------------------------------------------------ 05.4 revisit policies
def policy_retention() -> dict[str, float]:
    """Task 05.4's simulation: each policy's 2026Q4 retention rate, the mean over the seeds.

    Every policy is run with the same seeds (:data:`POLICY_SEEDS`) on the lesson's team.
    """
    means = {}
    for name, overrides in POLICIES.items():
        scenario = lesson_scenario().with_overrides(overrides)
        rates = []
        for seed in POLICY_SEEDS:
            ledger = simulate(scenario, seed, trace=False).ledger
            table = kpi.retention_rate(ledger, "Q", by="company")
            rates.append(float(table.loc[table["period"] == "2026Q4", "retention_rate"].item()))
        means[name] = float(np.mean(rates))
    return means


def _better_policy(means: dict[str, float]) -> str:
    if abs(means["A"] - means["B"]) < _SAME_RETENTION:
        return "C"
    return "A" if means["A"] > means["B"] else "B"


POLICY = Task(
    id="05.4",
    title="Two revisit policies (定期回访), compared by simulating them",
    clauses=("R2.1.4.3", "R2.2.1.2"),
    kind=Choice(options=("A", "B", "C")),
    expected=_better_policy,
    why="Satisfaction drifts down between contacts with a half-life of about six weeks, so "
        "how often a customer hears from us matters more than how much each visit does; "
        "policy A also takes fewer rep hours.",
    hint="Run each policy with every seed of POLICY_SEEDS, read the 2026Q4 retention rate of "
         "each run with kpi.retention_rate, and compare the two means.",
    mistakes=(
        option("B", "Compare the means of your runs again. Each of policy B's visits does "
                    "more, but between two visits 124 working days apart a customer's "
                    "satisfaction drifts down for four half-lives, and many customers leave "
                    "before the next visit comes."),
        option("C", "The two means differ by more than half a percentage point. Did you run "
                    "every seed for both policies, and read the same quarter (2026Q4)?"),
    ),
    data=policy_retention,
)


# ------------------------------------------------------------------ 05.5 referral reward
def _referrals(run: Simulation) -> pd.DataFrame:
    leads = run.ledger.leads
    return leads[leads["channel"] == "referral"]


def _reward(run: Simulation) -> float:
    return run.scenario.channels.referral.cost_per_lead


def _per_customer(run: Simulation) -> float:
    referred = _referrals(run)
    return _reward(run) * len(referred) / int((referred["outcome"] == "won").sum())


REFERRALS = Task(
    id="05.5",
    title="Referral reward per customer won (客户推荐)",
    clauses=("R2.1.4.3", "R2.1.1.2"),
    kind=Number(unit="CNY"),
    expected=_per_customer,
    why="A channel is cheap or dear by what it costs per customer won, not per lead: that is "
        "the number to set a referral reward by.",
    hint="The reward is paid for every referred lead: multiply it by the number of leads "
         "with channel 'referral', and divide by how many of those leads were won.",
    mistakes=(
        Mistake("cost per lead",
                "That is the reward per referred lead. Most referred leads are not won: "
                "divide the rewards paid for all referred leads by the referral leads that "
                "became customers.",
                value=_reward),
        Mistake("qualified leads only",
                "You counted the rewards of the qualified referral leads only. The reward is "
                "paid for every referred lead, also for those the screening turned away.",
                value=lambda run: _reward(run) * int(_referrals(run)["qualified"].sum())
                / int((_referrals(run)["outcome"] == "won").sum())),
        Mistake("all customers won",
                "You divided by every customer won in the year, from every channel. Divide "
                "by the customers won from referral leads only.",
                value=lambda run: _reward(run) * len(_referrals(run))
                / int((run.ledger.leads["outcome"] == "won").sum())),
    ),
    data=after_sales_practice,
    tolerance=_CNY_TOL,
)


# ------------------------------------------------------------------ 05.6 capacity plan
def capacity_plan() -> dict[str, Any]:
    """Task 05.6's simulation: the practice year's mean delivery delay for each capacity.

    Returns ``{"delays": {capacity: mean delay}, "orders_per_day": float}``: capacities from
    2 to 8 orders a day in steps of :data:`CAPACITY_STEP`, each run with
    :data:`PRACTICE_SEED`, up to the first whose mean delay is under :data:`DELAY_LIMIT`;
    and the orders signed per working day in the practice year.
    """
    delays = {}
    for capacity in _CAPACITIES:
        delays[float(capacity)] = compute_delivery(float(capacity), PRACTICE_SEED).mean_delay_days
        if delays[float(capacity)] < DELAY_LIMIT:
            break
    practice = compute_delivery(PRACTICE_CAPACITY, PRACTICE_SEED)
    return {"delays": delays, "orders_per_day": practice.orders_per_day}


def _smallest(plan: dict[str, Any]) -> float:
    return min(c for c, delay in plan["delays"].items() if delay < DELAY_LIMIT)


def _demand(plan: dict[str, Any]) -> float:
    """The orders signed per working day, rounded up to a step of capacity."""
    return math.ceil(plan["orders_per_day"] / CAPACITY_STEP) * CAPACITY_STEP


def _above(answer: float, plan: dict[str, Any]) -> bool:
    return answer > _smallest(plan) + 1e-9


def _below(answer: float, plan: dict[str, Any]) -> bool:
    return answer < _smallest(plan) - 1e-9


CAPACITY = Task(
    id="05.6",
    title="The delivery capacity the orders need (订单执行), checked by simulating",
    clauses=("R2.1.4.1",),
    kind=Number(unit="orders per working day"),
    expected=_smallest,
    why="A delivery team needs headroom above the average demand: orders come in bursts, and "
        "near full utilisation every burst leaves a queue that takes weeks to work off.",
    hint="Try capacities in steps of 0.5 orders a day with lesson05.compute_delivery(capacity, "
         "seed=PRACTICE_SEED), and give the smallest whose mean_delay_days is under 1.",
    mistakes=(
        Mistake("capacity = average demand",
                "That is about the number of orders signed per working day. A team with no "
                "more capacity than the average demand is busy all the time, so every burst "
                "of orders (a trade show, a quarter's end) leaves a queue it cannot work "
                "off: simulate it and look at the mean delay.",
                value=_demand),
        Mistake("not the smallest",
                "With that capacity orders wait less than a day on average, but a smaller one "
                "on the 0.5 grid does too. Capacity costs money: find the smallest that "
                "meets the limit.",
                when=_above),
        Mistake("too small",
                "With that capacity the mean delay of the year is a day or more. Simulate "
                "it with lesson05.compute_delivery and read mean_delay_days; then try larger "
                "capacities.",
                when=_below),
    ),
    data=capacity_plan,
    tolerance=0.01,
)

TASKS: tuple[Task, ...] = (DELAY, AFTER_DELIVERY, RETENTION, POLICY, REFERRALS, CAPACITY)
