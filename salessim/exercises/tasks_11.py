"""Exercise tasks of lesson 11: rolling the regulation out (R3.1-R3.3).

A difference in differences (双重差分) from a pilot's monthly data (R3.1.1), choosing a control
region whose trend before the pilot runs parallel to the pilot region's, the months a control
chart (控制图) flags and the lower limit of a p-chart (R3.2.2), what a run after a revision
means (R3.2.1), and the order of a rollout's steps (R3.1.1, R3.1.2, R3.3.1, R3.3.2).

Every expected answer comes from :mod:`salessim.rollout` (:func:`diff_in_diff`,
:func:`pre_trend`, :func:`control_chart`) applied to the task's data, which is defined here
and loaded by the exercise notebook, so both use the same numbers. Known mistakes are the same
functions called the way a learner would slip (2-sigma limits, the run rule left out, limits
from every month), or plain arithmetic where the slip is arithmetic.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pandas as pd

from ..rollout import control_chart, diff_in_diff, pre_trend
from .core import Mistake, Task
from .kinds import Choice, IdSet, Number, Ordering, as_percentage, option

__all__ = ["CANDIDATES", "CHART_BASELINE", "CHART_WATCH", "P_BASELINE", "P_MONTH",
           "ROLLOUT_STEPS", "TASKS", "candidate_regions", "chart_series", "p_chart_counts",
           "pilot_months"]

_RATE_TOL = 0.0005


# ------------------------------------------------------------------ 11.1 DiD of a pilot
_PILOT = {  # monthly collection rates, February to September 2026; the pilot starts in June
    "pilot": [0.74, 0.76, 0.73, 0.77, 0.79, 0.78, 0.80, 0.77],
    "control": [0.70, 0.69, 0.71, 0.70, 0.66, 0.65, 0.66, 0.65],
}
_PILOT_START = "2026-06"


def pilot_months() -> pd.DataFrame:
    """Task 11.1: the monthly collection rate of a pilot and a control region (a panel with
    ``region``, ``month``, ``after`` and ``collection_rate``)."""
    months = pd.period_range("2026-02", periods=8, freq="M").astype(str)
    return pd.DataFrame([
        {"region": region, "month": m, "after": m >= _PILOT_START, "collection_rate": x}
        for region, xs in _PILOT.items() for m, x in zip(months, xs, strict=True)
    ])


def _did(part: str) -> Callable[[Any], float]:
    def value(d: Any) -> float:
        est = diff_in_diff(pilot_months())
        return {"did": est.estimate, "pilot": est.pilot_change,
                "added": est.pilot_change + est.control_change, "gap": est.after_gap,
                "reversed": -est.estimate}[part]
    return value


DID = Task(
    id="11.1",
    title="A pilot's effect by difference in differences (双重差分)",
    clauses=("R3.1.1",),
    kind=Number(ratio=True),
    expected=_did("did"),
    why="Subtracting the control region's change removes what happened to every region in "
        "the same months, and comparing each region with itself removes how they differed "
        "all along: what is left is the pilot's effect.",
    hint="Build the 2x2 table of means: each region's mean collection rate before the start "
         "(after == False) and after it. Then (pilot after - pilot before) - (control after - "
         "control before).",
    mistakes=(
        Mistake("pilot before and after only",
                "That is the pilot region's change alone. The market moved in the same "
                "months, as the control region shows: subtract the control region's change "
                "from the pilot's.",
                value=_did("pilot")),
        Mistake("control change added",
                "You added the control region's change instead of subtracting it. The "
                "control's change is what would have happened anyway; it is negative here, "
                "and subtracting a negative number adds.",
                value=_did("added")),
        Mistake("pilot against control after",
                "That is the gap between the regions after the start. The control region's "
                "customers paid worse before the pilot too: compare each region with its own "
                "months before the start first.",
                value=_did("gap")),
        Mistake("the other way round",
                "Your sign is reversed: you took the control region's change minus the "
                "pilot's. The effect of the pilot is the pilot's change minus the control's.",
                value=_did("reversed")),
        as_percentage(_did("did"), _RATE_TOL),
    ),
    tolerance=_RATE_TOL,
)


# ------------------------------------------------------------------ 11.2 a control region
_PILOT_BEFORE = [0.78, 0.80, 0.77, 0.79, 0.81, 0.78]
_CANDIDATES = {
    # same level as the pilot region at first, rising 1.5 points a month
    "A": ("North", [0.78, 0.79, 0.80, 0.82, 0.84, 0.86]),
    # 6 points lower, moving with the pilot region month by month
    "B": ("South", [0.72, 0.73, 0.71, 0.74, 0.75, 0.72]),
    # the best region, falling back from an exceptional start
    "C": ("East", [0.92, 0.90, 0.87, 0.86, 0.83, 0.82]),
    # the closest average, but a step down in April that the pilot region did not have
    "D": ("West", [0.86, 0.86, 0.85, 0.74, 0.74, 0.73]),
}
CANDIDATES = {letter: name for letter, (name, _) in _CANDIDATES.items()}
"""Task 11.2: the candidate control regions by option letter."""


def candidate_regions() -> pd.DataFrame:
    """Task 11.2: six months of collection rate before the pilot, for the pilot region and
    the four candidate control regions (one column each, months as the index)."""
    months = pd.period_range("2026-01", periods=6, freq="M").astype(str)
    data = {"pilot": _PILOT_BEFORE} | {name: xs for name, xs in _CANDIDATES.values()}
    return pd.DataFrame(data, index=pd.Index(months, name="month"))


def _slope(letter: str) -> float:
    """The slope of the gap pilot - candidate over the months before the pilot."""
    frame = candidate_regions()
    name = CANDIDATES[letter]
    panel = pd.concat([
        pd.DataFrame({"region": region, "month": frame.index, "after": False,
                      "collection_rate": frame[column].to_numpy()})
        for region, column in (("pilot", "pilot"), ("control", name))
    ])
    return pre_trend(panel).mean


def _flattest(d: Any) -> str:
    return min(CANDIDATES, key=lambda letter: abs(_slope(letter)))


CONTROL = Task(
    id="11.2",
    title="Choosing a control region: parallel trends (平行趋势)",
    clauses=("R3.1.1",),
    kind=Choice(),
    expected=_flattest,
    why="A control region stands for what the pilot region would have done without the "
        "pilot; only a region that moved with it before the pilot can do that, whatever its "
        "level.",
    hint="Compute the gap pilot - candidate for each month before the pilot, and look at how "
         "it moves, not at how large it is: fit its slope per month (rollout.pre_trend, or "
         "numpy.polyfit) and keep the candidate whose gap stays flat.",
    mistakes=(
        option("A", "North starts at the pilot region's level, but it is climbing month after "
                    "month while the pilot region is not. Its change after the start would "
                    "include that climb, and the difference in differences would credit the "
                    "pilot with minus that trend. Look at the gap's trend, not its level."),
        option("C", "East is the best region, but it is falling back from an exceptional "
                    "start: its gap to the pilot region shrinks month after month. A region "
                    "on its own path is no counterfactual for the pilot region."),
        option("D", "West has the closest average, but its rate fell by a step in April "
                    "and the pilot region's did not: something happened in West alone (a "
                    "lost customer, a new manager), and its gap to the pilot region is not "
                    "flat. A close average does not make two regions move alike."),
    ),
)


# ------------------------------------------------------------------ 11.3 reading a chart
_CHART = [  # monthly collection rate, March 2025 to December 2026
    0.82, 0.85, 0.80, 0.84, 0.83, 0.81, 0.86, 0.82, 0.84, 0.83, 0.85, 0.81,  # baseline
    0.84, 0.74, 0.82, 0.77, 0.81, 0.80, 0.82, 0.81, 0.80, 0.79,
]
CHART_BASELINE = 12
"""Task 11.3: the chart's baseline, the first 12 months (2025-03 to 2026-02)."""
CHART_WATCH = "2026-03"
"""Task 11.3: the first month watched after the baseline."""


def chart_series() -> pd.Series:
    """Task 11.3: a team's monthly collection rate, indexed by month."""
    months = pd.period_range("2025-03", periods=len(_CHART), freq="M").astype(str)
    return pd.Series(_CHART, index=pd.Index(months, name="month"), name="collection_rate")


def _flagged(baseline: int = CHART_BASELINE, **kwargs: Any) -> Callable[[Any], frozenset[str]]:
    def value(d: Any) -> frozenset[str]:
        chart = control_chart(chart_series(), baseline, **kwargs)
        watched = chart[chart.index >= CHART_WATCH]
        return frozenset(watched.index[watched["flag"]])
    return value


CHART = Task(
    id="11.3",
    title="The months a control chart (控制图) flags",
    clauses=("R3.2.2",),
    kind=IdSet(column="month"),
    expected=_flagged(),
    why="A chart with limits from a baseline flags what chance alone rarely produces: a month "
        "beyond 3 sigma, or a run of months on one side of the centre, the sign of a small "
        "lasting drift that no single month shows.",
    hint="Centre = mean of the 12 baseline months; sigma = mean moving range of the baseline / "
         "1.128; limits = centre -/+ 3 sigma. From 2026-03 on, flag a month beyond a limit "
         "and the 8th (and later) month in a row on the same side of the centre.",
    mistakes=(
        Mistake("2-sigma limits",
                "You flagged months inside the 3-sigma limits: with 2-sigma limits a stable "
                "team crosses a limit about one month in 22, and the chart cries wolf. The "
                "regulation's chart uses centre -/+ 3 sigma.",
                value=_flagged(sigmas=2.0)),
        Mistake("run rule forgotten",
                "You flagged only the months beyond a limit. A small lasting drift stays "
                "inside the limits; the run rule flags the 8th month in a row on the same "
                "side of the centre line, and every further month of that run.",
                value=_flagged(run=None)),
        Mistake("limits from every month",
                "Your limits come from every month, the drifting ones included, which moves "
                "the centre towards the drift and hides it. Compute the centre and the limits "
                "from the 12 baseline months only.",
                value=_flagged(baseline=len(_CHART))),
    ),
)


# ------------------------------------------------------------------ 11.4 a p-chart's limit
P_BASELINE = {"due": [30, 80, 40, 70, 50, 30], "paid": [21, 70, 30, 60, 40, 24]}
"""Task 11.4: invoices due and paid in time in the six baseline months (2026-01 to 2026-06)."""
P_MONTH = 40
"""Task 11.4: invoices due in July 2026."""


def p_chart_counts() -> pd.DataFrame:
    """Task 11.4: the baseline months' invoices ``due`` and ``paid`` in time, by month."""
    months = pd.period_range("2026-01", periods=6, freq="M").astype(str)
    return pd.DataFrame(P_BASELINE, index=pd.Index(months, name="month"))


def _lcl(sigmas: float = 3.0, n: int = P_MONTH) -> Callable[[Any], float]:
    def value(d: Any) -> float:
        counts = p_chart_counts()
        rates = pd.concat([counts["paid"] / counts["due"], pd.Series([math.nan])])
        sizes = pd.concat([counts["due"], pd.Series([n])])
        return float(control_chart(rates, len(counts), n=sizes, sigmas=sigmas)["lcl"].iloc[-1])
    return value


def _by_hand(pooled: bool = True, root: bool = True) -> Callable[[Any], float]:
    def value(d: Any) -> float:
        counts = p_chart_counts()
        p = (counts["paid"].sum() / counts["due"].sum() if pooled
             else (counts["paid"] / counts["due"]).mean())
        spread = p * (1 - p) / P_MONTH
        return p - 3 * (math.sqrt(spread) if root else spread)
    return value


P_CHART = Task(
    id="11.4",
    title="The lower control limit of a p-chart of invoices paid in time",
    clauses=("R3.2.2",),
    kind=Number(fraction=True),
    expected=_lcl(),
    why="The p-chart's limits follow from the binomial spread of a count: a month with fewer "
        "invoices is noisier and gets wider limits, so a small month is not flagged for what "
        "is only chance.",
    hint="Pool the baseline: p = (all invoices paid in time) / (all invoices due). Then July's "
         "lower limit is p - 3 x sqrt(p x (1 - p) / n) with July's n, the invoices due in July.",
    mistakes=(
        Mistake("2-sigma limit",
                "Your limit is at 2 sigma. The chart uses 3 sigma, so that a stable team "
                "crosses a limit by chance only about once in 370 months.",
                value=_lcl(sigmas=2.0)),
        Mistake("square root forgotten",
                "Your limit is far too close to the centre: the spread of a proportion is "
                "the square root of p x (1 - p) / n, not p x (1 - p) / n itself.",
                value=_by_hand(root=False)),
        Mistake("baseline invoices as n",
                "You used all the invoices of the baseline as n. The limits of a month "
                "depend on that month's count: use the invoices due in July.",
                value=_lcl(n=sum(P_BASELINE["due"]))),
        Mistake("mean of the monthly rates",
                "Your centre is the plain mean of the six monthly rates, which gives a month "
                "of 30 invoices the same weight as a month of 80. Pool the counts: all the "
                "invoices paid in time over all the invoices due.",
                value=_by_hand(pooled=False)),
        as_percentage(_lcl(), _RATE_TOL),
    ),
    tolerance=_RATE_TOL,
)


# ------------------------------------------------------------------ 11.5 a run after a revision
REVISION = Task(
    id="11.5",
    title="A run above the centre line after a revision (定期修订)",
    clauses=("R3.2.1", "R3.2.2"),
    kind=Choice(),
    expected=lambda d: "B",
    why="A deliberate change moves the process, so limits computed before it no longer "
        "describe it; a run right after a known change is the change showing, and a new "
        "baseline lets the chart watch the revised process.",
    hint="Ask what changed in the process at the time the run began, and what the chart's "
         "centre and limits describe.",
    mistakes=(
        option("A", "Nothing in the data points at misconduct: the run began when the "
                    "revised practice started, which is the obvious cause. A flag is a "
                    "question; here the answer is already known."),
        option("C", "The run rule works on both sides of the centre: a run above it is as "
                    "much a sign that the process changed as a run below it. Ignoring it "
                    "leaves the chart describing a process that no longer exists."),
        option("D", "Wider limits would silence the chart for every real drift as well. The "
                    "limits are right for the old process; what is needed is limits for the "
                    "new one."),
    ),
)


# ------------------------------------------------------------------ 11.6 the rollout's order
ROLLOUT_STEPS: tuple[tuple[str, str], ...] = (
    ("F", "Set up the CRM fields and the monthly KPI reports the regulation needs, and "
          "collect months of baseline data"),
    ("B", "Pilot the regulation in one region against a comparable control region, and "
          "collect the pilot team's feedback"),
    ("D", "Estimate the pilot's effect by difference in differences and revise the "
          "regulation where the pilot showed problems"),
    ("C", "Train everyone on the revised regulation and check with the exercises that they "
          "understand it"),
    ("A", "Roll the regulation out to every region"),
    ("E", "Watch every team on control charts and review the regulation at a fixed interval"),
)
"""Task 11.6: the steps of a rollout in their right order, each with its label."""
STEP_TEXT = dict(sorted(ROLLOUT_STEPS))
"""Task 11.6: the steps by label, as shown to the learner (A to F)."""


def _before(first: str, then: str) -> Callable[[tuple[str, ...], Any], bool]:
    """A mistake pattern: step ``first`` placed before step ``then``."""
    return lambda answer, data: answer.index(first) < answer.index(then)


ORDER = Task(
    id="11.6",
    title="The order of a rollout (实施要点)",
    clauses=("R3.1.1", "R3.1.2", "R3.3.1", "R3.3.2"),
    kind=Ordering(steps=tuple(STEP_TEXT)),
    expected=lambda d: tuple(label for label, _ in ROLLOUT_STEPS),
    why="Each step needs the one before it: data before a pilot can be measured, a measured "
        "pilot before a revision, an understood regulation before a rollout, and a rollout "
        "before there is anything to supervise.",
    hint="Ask of each step what it needs to exist first: a measurement needs data, a revision "
         "needs the pilot's evidence, a rollout needs people who understand the rules, and "
         "supervision needs a rollout.",
    mistakes=(
        Mistake("rollout before the pilot",
                "You roll out before the pilot has run. The regulation asks for a pilot in "
                "some regions first: it finds out whether the practice works, and improves "
                "it, at the cost of one region rather than the whole company.",
                when=_before("A", "B")),
        Mistake("training after the rollout",
                "Your training comes after the rollout. Everyone concerned must understand "
                "the regulation before it applies to them: train and check first, then roll "
                "out.",
                when=_before("A", "C")),
        Mistake("tools after the pilot",
                "You set up the data after the pilot has started. Without the CRM fields and "
                "months of baseline data there is no 'before' to compare with, and the "
                "pilot's effect cannot be measured.",
                when=_before("B", "F")),
        Mistake("training before the revision",
                "You train everyone before the pilot's lessons are in. Train on the revised "
                "regulation, or people learn rules that are about to change.",
                when=_before("C", "D")),
        Mistake("supervision before the rollout",
                "You supervise every team before the regulation applies to them. The charts "
                "watch teams that follow the regulation, so they start with the rollout.",
                when=_before("E", "A")),
    ),
)


TASKS = (DID, CONTROL, CHART, P_CHART, REVISION, ORDER)
