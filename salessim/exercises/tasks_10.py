"""Exercise tasks of lesson 10: the incentive lab for trainers (R2.2.2.1, R3.2.1).

Reading a paired 95% confidence interval (置信区间) of a revenue difference; computing the
lower end of a paired interval from a small table of replications (R2.2.1.3); the
replications a precision needs; choosing the one plan design that meets a cost limit at equal
attainment and still pays for selling above the target, checked by computing each design's
pay (R2.2.2.1); and the share of a quarter's revenue signed in its last 10 working days in
one simulated ledger (the period-end spike, R2.2.1.1).

Every expected answer comes from the package: :func:`salessim.experiment.paired_ci`,
:func:`~salessim.experiment.welch_ci`, :func:`~salessim.experiment.replications_needed`,
:meth:`salessim.incentives.Plan.pay`, :func:`~salessim.incentives.marginal_pay` and
:func:`salessim.experiment.metrics.measure`. Known mistakes are computed the way a learner
would make them. The tables of the tasks are defined here and loaded by the exercise
notebook, so both use the same numbers.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from ..experiment import paired_ci, replications_needed, t_quantile, welch_ci
from ..experiment.metrics import END_DAYS, measure, working_days_left
from ..incentives import Commission, Plan, builtin_plan, load_plan, marginal_pay
from ..model import Simulation, simulate
from ..regulation import Targets
from ..widgets.lesson10 import lesson_scenario
from .core import Mistake, Task
from .kinds import Choice, Number, as_percentage, option

__all__ = ["BUDGET", "CANDIDATES", "COLLECTION", "PILOT", "PRECISION", "REVENUE",
           "SPIKE_PLAN", "SPIKE_QUARTER", "SPIKE_SEED", "TASKS", "candidate_costs",
           "spike_practice"]

_Z = NormalDist().inv_cdf(0.975)


def _table(baseline: str, other: str, a: list[float], b: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"replication": range(len(a)), baseline: a, other: b})


# ------------------------------------------------------------------ 10.1 reading an interval
REVENUE = _table("linear", "plan_b",
                 [262_000.0, 258_000.0, 215_000.0, 262_000.0, 331_000.0, 214_000.0, 371_000.0,
                  290_000.0],
                 [281_000.0, 252_000.0, 212_000.0, 290_000.0, 338_000.0, 236_000.0, 362_000.0,
                  293_000.0])
"""Task 10.1: revenue per rep-quarter in 8 replications under ``linear`` and plan B."""


def _revenue_ci():
    return paired_ci(REVENUE["linear"], REVENUE["plan_b"])


def _reading(d: Any) -> str:
    ci = _revenue_ci()
    return "A" if ci.low > 0 else "C"


READING = Task(
    id="10.1",
    title="Reading a paired confidence interval (置信区间): does plan B raise revenue?",
    clauses=("R3.2.1", "R2.2.1.1"),
    kind=Choice(),
    expected=_reading,
    why="An interval that includes 0 says 'we cannot tell yet', not 'better' and not 'no "
        "effect': deciding on the mean alone, or on a count of wins, is how plans are adopted "
        "on luck.",
    hint="Compute the paired interval, paired_ci(table['linear'], table['plan_b']), and look at "
         "both of its ends: are they on the same side of 0?",
    mistakes=(
        option("A", "The mean difference is positive, but the lower end of the interval is "
                    "below 0: the data are also consistent with no effect or a small loss. "
                    "A mean alone does not show that a plan raises revenue."),
        option("B", "The interval includes 0, but it also includes sizeable gains: 'we cannot "
                    "tell' is not 'no effect'. Absence of evidence is not evidence of absence."),
        option("D", "Counting the replications where plan B came out ahead ignores how much it "
                    "won or lost by, and how much the replications vary. The paired interval "
                    "uses both."),
    ),
)


# ------------------------------------------------------------------ 10.2 a paired interval
COLLECTION = _table("linear", "collected",
                    [0.842, 0.815, 0.861, 0.829, 0.850, 0.836],
                    [0.882, 0.910, 0.916, 0.897, 0.960, 0.903])
"""Task 10.2: the collection rate in 6 replications under ``linear`` and ``collected``."""


def _diff() -> np.ndarray:
    return (COLLECTION["collected"] - COLLECTION["linear"]).to_numpy()


def _low(quantile: float, sd: float, divisor: float) -> float:
    return float(_diff().mean() - quantile * sd / divisor)


def _paired_low(d: Any) -> float:
    return paired_ci(COLLECTION["linear"], COLLECTION["collected"]).low


_N2 = len(COLLECTION)
_LOW_TOL = 0.0005

PAIRED = Task(
    id="10.2",
    title="The lower end of a paired 95% interval, from a results table",
    clauses=("R3.2.1", "R2.2.1.3"),
    kind=Number(fraction=True),
    expected=_paired_low,
    why="The lower end is the smallest effect the data still support: if it is above 0 the "
        "plan clearly helps, and its size says whether the help is worth the plan's cost.",
    hint="Take each replication's difference collected - linear, then their mean m and sample "
         "standard deviation s (ddof=1). The lower end is m - t x s / sqrt(n), with n the "
         "replications and t Student's 97.5% quantile for n - 1 degrees of freedom "
         "(t_quantile(0.975, n - 1)); paired_ci does the same.",
    mistakes=(
        Mistake("unpaired interval",
                "You compared the two plans' means as if they had been run on independent "
                "luck (an unpaired or Welch interval). Replication i of both plans met the "
                "same customers: take the difference replication by replication first.",
                value=lambda d: welch_ci(COLLECTION["linear"], COLLECTION["collected"]).low),
        Mistake("normal quantile",
                "You used 1.96, the normal distribution's quantile. With a handful of "
                "replications the spread itself is uncertain: use Student's t quantile for "
                "n - 1 degrees of freedom, which is larger.",
                value=lambda d: _low(_Z, _diff().std(ddof=1), math.sqrt(_N2))),
        Mistake("t with n degrees of freedom",
                "You took the t quantile for n degrees of freedom. A sample standard deviation "
                "of n values has n - 1.",
                value=lambda d: _low(t_quantile(0.975, _N2), _diff().std(ddof=1),
                                     math.sqrt(_N2))),
        Mistake("population standard deviation",
                "Your standard deviation divides by n (numpy's default, ddof=0). The spread of "
                "a sample is estimated with n - 1: use np.std(x, ddof=1) or pandas' .std().",
                value=lambda d: _low(t_quantile(0.975, _N2 - 1), _diff().std(ddof=0),
                                     math.sqrt(_N2))),
        Mistake("divided by n",
                "You divided the standard deviation by n. The standard error of a mean is "
                "s / sqrt(n).",
                value=lambda d: _low(t_quantile(0.975, _N2 - 1), _diff().std(ddof=1), _N2)),
        Mistake("reversed difference",
                "Your interval is of linear - collected: its lower end is minus the upper end "
                "of the one asked for. Subtract the baseline from the plan.",
                value=lambda d: paired_ci(COLLECTION["collected"], COLLECTION["linear"]).low),
        Mistake("the mean",
                "That is the mean difference, the middle of the interval. The task asks for "
                "its lower end: subtract t x s / sqrt(n).",
                value=lambda d: float(_diff().mean())),
        as_percentage(_paired_low, _LOW_TOL),
    ),
    tolerance=_LOW_TOL,
)


# ------------------------------------------------------------------ 10.3 replications needed
PILOT = _table("linear", "plan_b",
               [268_000.0, 231_000.0, 322_000.0, 254_000.0, 297_000.0],
               [281_000.0, 233_000.0, 340_000.0, 251_000.0, 316_000.0])
"""Task 10.3: a pilot of 5 replications of revenue per rep-quarter under two plans."""
PRECISION = 5_000.0
"""Task 10.3: the half-width wanted for the difference in revenue, CNY (+/- 5,000 CNY)."""


def _pilot_diff() -> np.ndarray:
    return (PILOT["plan_b"] - PILOT["linear"]).to_numpy()


def _needed(d: Any) -> int:
    return replications_needed(_pilot_diff(), PRECISION)


def _normal_needed(d: Any) -> int:
    return math.ceil((_Z * _pilot_diff().std(ddof=1) / PRECISION) ** 2)


NEEDED = Task(
    id="10.3",
    title="Replications needed for a precision of +/- 5,000 CNY",
    clauses=("R3.2.1", "R3.3.2"),
    kind=Number(unit="replications"),
    expected=_needed,
    why="Planning the replications from a pilot's spread is what makes a lab result "
        "trustworthy: too few and the interval cannot settle the decision, too many and the "
        "computing is wasted.",
    hint="Use the spread of the pilot's paired differences (plan_b - linear), s with ddof=1, "
         "and find the smallest n >= 2 with t_quantile(0.975, n - 1) x s / sqrt(n) <= 5,000 "
         "(a loop over n, or replications_needed(differences, 5_000)).",
    mistakes=(
        Mistake("spread of one plan",
                "You planned from the spread of one plan's revenue. The plans will be "
                "compared replication by replication, so the spread that matters is that of "
                "the paired differences, which is much smaller.",
                value=lambda d: replications_needed(PILOT["linear"], PRECISION)),
        Mistake("normal approximation",
                "You used the normal quantile 1.96 in n = (1.96 s / h)^2. With few "
                "replications Student's t quantile is larger: increase n until "
                "t(0.975, n - 1) x s / sqrt(n) is within the precision.",
                value=_normal_needed),
        Mistake("the pilot's t quantile",
                "You used the t quantile of the pilot (4 degrees of freedom) in "
                "n = (t s / h)^2. The interval you will compute has n - 1 degrees of freedom, "
                "with n the replications of the full run: find the smallest n that works.",
                value=lambda d: math.ceil((t_quantile(0.975, len(PILOT) - 1)
                                           * _pilot_diff().std(ddof=1) / PRECISION) ** 2)),
        Mistake("full width",
                "You made the whole interval 5,000 CNY wide. +/- 5,000 CNY is the half-width: "
                "the interval runs from 5,000 below the mean to 5,000 above it.",
                value=lambda d: replications_needed(_pilot_diff(), PRECISION / 2)),
        Mistake("additional replications",
                "You subtracted the pilot's 5 replications. The task asks for the total "
                "number the experiment needs.",
                value=lambda d: _needed(d) - len(PILOT)),
    ),
    tolerance=0,
)


# ------------------------------------------------------------------ 10.4 a plan within budget
BUDGET = 31_000.0
"""Task 10.4: the most a rep-quarter at 130% of the revenue target may cost, CNY."""
_TARGETS = Targets()
_Q = _TARGETS.revenue("Q")
_TARGET_PAY = 0.08 * _Q
_STEP = 10_000.0

CANDIDATES: dict[str, Plan] = {
    "A": builtin_plan("accelerator"),
    "B": builtin_plan("quota_bonus"),
    "C": Plan(name="flat_quarterly", description="8% of quarterly revenue, paid quarterly.",
              components=[Commission(period="Q", rate=0.08)]),
    "D": Plan(name="capped_accelerator",
              description="8% of quarterly revenue up to the target and 10% above it, at most "
                          "31,000 CNY a quarter.",
              components=[Commission(period="Q", tiers=[[0.0, 0.08], [1.0, 0.10]],
                                     cap=BUDGET / _TARGET_PAY)]),
    "E": builtin_plan("regulation"),
}
"""Task 10.4: the candidate designs, by letter."""


def _quarter(attainment: float) -> dict[str, float]:
    return {"revenue": attainment * _Q, "collected": attainment * _Q,
            "new_customers": _TARGETS.new_customers("Q"),
            "retention": float(_TARGETS.retention_rate),
            "collection": float(_TARGETS.collection_rate)}


def candidate_costs() -> pd.DataFrame:
    """Each candidate of task 10.4 (index: letter): its ``plan`` name, the quarter's pay at
    100% and at 130% of the revenue target (other indicators on target), and what the next
    10,000 CNY earns at 120% (``next_10k_at_120``), in CNY."""
    rows = {}
    for letter, plan in CANDIDATES.items():
        rows[letter] = {
            "plan": plan.name,
            "pay_at_100": sum(plan.pay("Q", _quarter(1.0)).values()),
            "pay_at_130": sum(plan.pay("Q", _quarter(1.3)).values()),
            "next_10k_at_120": marginal_pay(plan, {"Q": _quarter(1.2)}, _STEP),
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def _within_budget(d: Any) -> str:
    c = candidate_costs()
    ok = c[(c["pay_at_100"].sub(_TARGET_PAY).abs() < 0.5) & (c["pay_at_130"] <= BUDGET + 1e-6)
           & (c["next_10k_at_120"] >= 0.08 * _STEP - 1e-6)]
    if len(ok) != 1:
        raise ValueError(f"task 10.4 needs exactly one design meeting every constraint, got "
                         f"{ok.index.tolist()}")
    return str(ok.index[0])


DESIGN = Task(
    id="10.4",
    title="A plan design within a cost limit at equal attainment",
    clauses=("R2.2.2.1", "R3.2.1"),
    kind=Choice(options=tuple(CANDIDATES)),
    expected=_within_budget,
    why="Comparing designs at the same attainment separates what a plan costs from what it "
        "changes; a cap is how a plan keeps rewarding sales above the target without an "
        "open-ended cost.",
    hint="For each design compute the quarter's pay at 100% and at 130% of the revenue target "
         "with plan.pay('Q', {...}) (other indicators on target), and what the next 10,000 CNY "
         "earns at 120% with marginal_pay. Exactly one design passes all three conditions.",
    mistakes=(
        option("A", "At 130% of the target this design pays 16% on every yuan above it: "
                    "compute its pay there and compare it with the 31,000 CNY limit."),
        option("B", "This design stays within the limit, but the next 10,000 CNY above the "
                    "target earns nothing: it does not reward selling past the target."),
        option("C", "Close, but check the limit exactly: 8% of 130% of the quarterly target is "
                    "just over 31,000 CNY."),
        option("E", "The company's plan stays within the limit, but revenue is only 40% of its "
                    "score: the next 10,000 CNY at 120% earns less than 8% of it."),
    ),
)


# ------------------------------------------------------------------ 10.5 the period-end spike
SPIKE_SEED = 12
SPIKE_PLAN = "accelerator"
SPIKE_QUARTER = "2026Q2"
"""Task 10.5: one run of lesson 10's team paid by ``accelerator``, and the quarter asked."""


def spike_practice() -> Simulation:
    """One run of lesson 10's team (pay-aware reps) paid by ``accelerator`` (task 10.5)."""
    scenario = lesson_scenario().with_overrides({"plan": SPIKE_PLAN})
    return simulate(scenario, SPIKE_SEED, trace=False)


def _period_end_share(run: Simulation) -> float:
    rows = measure(run, load_plan(SPIKE_PLAN), "Q", "company")
    return float(rows.loc[rows["period"] == SPIKE_QUARTER, "period_end_share"].item())


def _share(select: Callable[[pd.DataFrame, Simulation], pd.Series],
           column: str = "amount", quarters: tuple[str, ...] = (SPIKE_QUARTER,),
           kinds: tuple[str, ...] = ("new", "repeat"),
           count: bool = False) -> Callable[[Simulation], float]:
    """A learner's version of the share: ``select(deals, run)`` marks the late deals."""
    def value(run: Simulation) -> float:
        d = run.ledger.deals
        d = d[d["signed_on"].dt.to_period("Q").astype("str").isin(quarters)
              & d["kind"].isin(kinds)]
        late = select(d, run)
        if count:
            return float(late.sum() / len(d))
        return float(d.loc[late, column].sum() / d[column].sum())
    return value


def _last_working_days(days: int) -> Callable[[pd.DataFrame, Simulation], pd.Series]:
    return lambda d, run: pd.Series(
        working_days_left(d["signed_on"], run.calendar, "Q") <= days, index=d.index)


def _last_calendar_days(d: pd.DataFrame, run: Simulation) -> pd.Series:
    end = d["signed_on"].dt.to_period("Q").dt.end_time.dt.normalize()
    return (end - d["signed_on"]).dt.days < END_DAYS


_SHARE_TOL = 0.0005

SPIKE = Task(
    id="10.5",
    title="Spotting a period-end spike in a ledger: revenue in the quarter's last 10 working days",
    clauses=("R2.2.2.1", "R2.2.1.1"),
    kind=Number(fraction=True),
    expected=_period_end_share,
    why="The share of a quarter's revenue signed in its last working days, against the even "
        "pace and against the baseline plan, is the simplest check that a plan is moving "
        "deals in time rather than creating them.",
    hint="Keep the deals signed in 2026Q2; mark those signed in the quarter's last 10 working "
         "days (working_days_left(deals['signed_on'], run.calendar, 'Q') <= 10, or the last "
         "10 dates of run.calendar.dates inside the quarter); divide their amount by the "
         "quarter's amount.",
    mistakes=(
        Mistake("calendar days",
                "You took the last 10 calendar days. The quarter's end is measured in working "
                "days: weekends do not count, so 10 working days reach back two weeks.",
                value=_share(_last_calendar_days)),
        Mistake("both quarters",
                "You used the deals of the whole run. The task asks about 2026Q2: keep only "
                "the deals signed in that quarter, in the numerator and in the denominator.",
                value=_share(_last_working_days(END_DAYS), quarters=("2026Q1", "2026Q2"))),
        Mistake("count of deals",
                "You counted deals. The share is of revenue: add up the amounts of the late "
                "deals and divide by the quarter's amount.",
                value=_share(_last_working_days(END_DAYS), count=True)),
        Mistake("list price",
                "You added up list prices. Revenue is what the customer pays after the "
                "discount: the amount column.",
                value=_share(_last_working_days(END_DAYS), column="list_amount")),
        Mistake("nine working days",
                "You kept 9 working days: a deal signed on the quarter's last working day has "
                "1 working day left, so the last 10 are those with at most 10 left.",
                value=_share(_last_working_days(END_DAYS - 1))),
        as_percentage(_period_end_share, _SHARE_TOL),
    ),
    data=spike_practice,
    tolerance=_SHARE_TOL,
)

TASKS: tuple[Task, ...] = (READING, PAIRED, NEEDED, DESIGN, SPIKE)
