"""Lesson 03 dashboards: contacting a lead at once (第一时间, R2.1.2.1) and what follows it.

- :class:`StepChances` asks the model's own pipeline code (:mod:`salessim.model.pipeline`)
  how likely a lead is to move on after one step of the follow-up (R2.1.2) or of closing
  (R2.1.3): after a first contact that came late, after discovery (R2.1.2.2) or a demo
  (R2.1.2.3), after a negotiation at a given discount. Nothing here restates the model's
  formulas: the chances are read off the model's step code itself (see the class).
- :func:`response_times` gives each contacted lead's first response time in calendar days,
  the way :func:`salessim.kpi.first_response_time` counts it, and in working days.
- :func:`compute_follow_up` puts one waiting time next to its first-contact conversion and
  runs a lesson-sized team as if every new lead waited that long before its first call;
  :func:`plot_follow_up` draws conversion against waiting time and
  :func:`follow_up_dashboard` puts a slider on it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..calendar import WorkCalendar
from ..ledger import Ledger
from ..model import pipeline, simulate
from ..model.engine import Model
from ..model.rules import CONTRACT, TASKS
from ..scenario import Scenario, load_scenario
from .errors import shows_errors
from .image import png

__all__ = ["FOLLOW_UP_STEPS", "LESSON_SEED", "STAGES", "FollowUpResult", "StepChances",
           "compute_follow_up", "first_contact_curve", "follow_up_dashboard",
           "lesson_scenario", "plot_follow_up", "response_times"]

#: The pipeline steps, in process order, as the model names them (R2.1.2, R2.1.3).
STAGES: tuple[str, ...] = TASKS[TASKS.index("first_contact"):CONTRACT + 1]
#: The follow-up as the lesson teaches it, step by step, each with the model's stage it
#: belongs to (R2.1.2.1-R2.1.2.3), ending with the quote that lesson 04 takes over.
FOLLOW_UP_STEPS: tuple[tuple[str, str], ...] = (
    ("first_contact", "Call the lead the day it arrives: confirm the interest, book a meeting"),
    ("discovery", "Ask about the situation, the problems, what they cost, and who decides"),
    ("discovery", "Write the needs in the CRM the same day"),
    ("discovery", "Send a tailored proposal that answers the problems you heard"),
    ("demo", "Show the product on the customer's own case, or agree a trial with success "
             "criteria"),
    ("quote", "Send the quote: price, delivery time and service terms"),
)
#: The seed of the lesson's runs: the same seed gives the same leads, so runs that differ only
#: in the waiting time compare the same customers (common random numbers).
LESSON_SEED = 3
_WAITS = np.linspace(0.0, 10.0, 41)  # the plotted waiting times, working days
_BLUE, _RED, _GREY = "#0969da", "#cf222e", "#6e7781"


def lesson_scenario() -> Scenario:
    """The lesson-sized team: five reps over two months, each with the default workload.

    Small enough that one run takes a fraction of a second, so a slider can re-run it.
    """
    return Scenario().with_team(5).with_overrides({"calendar.months": 2})


# ------------------------------------------------------------------ the model's chances
class StepChances:
    """How likely a lead is to move on after one step of the pipeline, by the model's code.

    The model decides each step of a lead's pipeline in the finishing function of
    :func:`salessim.model.pipeline.step_handlers`: it compares the lead's own uniform random
    number for that step with the step's chance and loses the lead when the number is at or
    above it. This class builds a throwaway one-month model of the scenario, gives that
    function a lead with a chosen waiting time, discount, rep skill and fit, and finds the
    chance by bisection on the random number: the smallest number that loses the lead is the
    chance, to the last bit of a float. So the numbers are the model's own, whatever its
    formulas are, and follow every parameter of the scenario.

    Parameters
    ----------
    scenario : Scenario, dict or str
        Anything :func:`salessim.load_scenario` accepts; ``"default"`` by default.

    Examples
    --------
    >>> chances = StepChances()
    >>> round(chances.chance("first_contact"), 3)  # called at once: the step's conversion
    0.6
    """

    def __init__(self, scenario: Scenario | dict | str = "default") -> None:
        s = load_scenario(scenario)
        # One month and a steady stream of web leads: the probe needs one lead and one rep;
        # the step's parameters are the scenario's own.
        web = max(s.channels.web.rate_per_day, 50.0)
        self.scenario = s
        self._model = Model(s.with_overrides({"calendar.months": 1,
                                              "channels.web.rate_per_day": web}), 0, False)
        self._finish = pipeline.step_handlers(self._model)[1]
        self._known: dict[tuple, float] = {}

    def chance(self, stage: str, *, wait: float = 0.0, discount: float = 0.0,
               skill: float = 1.0, fit: float = 1.0) -> float:
        """The chance that a lead moves on after ``stage`` (0 to 1).

        Parameters
        ----------
        stage : str
            One of :data:`STAGES`: ``"first_contact"`` (R2.1.2.1), ``"discovery"``
            (R2.1.2.2), ``"demo"`` (R2.1.2.3), ``"quote"``, ``"negotiation"``, ``"contract"``
            (R2.1.3).
        wait : float
            Working days between the lead's arrival and its first contact (read only for
            ``"first_contact"``), >= 0.
        discount : float
            The discount offered, a fraction (read only for ``"negotiation"``), 0 to < 1.
        skill : float
            The rep's skill; 1 is the team's average, > 0.
        fit : float
            The lead's fit from its score (R2.1.1.3); 1 for a lead that scores 50 points,
            more for a higher score (``scoring.fit_effect``), > 0.

        Raises
        ------
        ValueError
            For an unknown stage or a value out of range; the message names it.
        """
        if stage not in STAGES:
            raise ValueError(f"stage {stage!r}: expected one of {', '.join(STAGES)}")
        for name, value, ok, what in (
            ("wait", wait, wait >= 0, ">= 0 working days"),
            ("discount", discount, 0 <= discount < 1, "a fraction from 0 to below 1"),
            ("skill", skill, skill > 0, "> 0"),
            ("fit", fit, fit > 0, "> 0"),
        ):
            if not ok:
                raise ValueError(f"{name}: {value!r} is not allowed: expected {what}")
        key = (stage, float(wait), float(discount), float(skill), float(fit))
        if key not in self._known:
            self._known[key] = self._bisect(*key)
        return self._known[key]

    def _bisect(self, stage: str, wait: float, discount: float, skill: float,
                fit: float) -> float:
        kind = TASKS.index(stage)
        m, finish = self._model, self._finish
        rep = m.reps[0]
        rep.skill = skill
        draw = kind - 1  # the column of the lead's random number for this step
        after = rep.queues[min(kind + 1, len(rep.queues) - 1)]

        def moves_on(u: float) -> bool:
            opp = pipeline.Opp(0, 0, fit, 0.0, 0)  # a fresh lead each time
            opp.discount = discount
            m.D[draw] = u
            m.L_outcome[0] = pipeline.OPEN
            finish(m, rep, opp, wait, wait, kind)
            after.clear()
            return m.L_outcome[0] != pipeline.LOST

        if not moves_on(0.0):
            return 0.0
        lo, hi = 0.0, 1.0  # lo moves on; the chance is the smallest number that does not
        while True:
            mid = (lo + hi) / 2
            if mid <= lo or mid >= hi:
                return hi
            if moves_on(mid):
                lo = mid
            else:
                hi = mid


def first_contact_curve(waits: Iterable[float] = _WAITS,
                        chances: StepChances | None = None, *, skill: float = 1.0,
                        fit: float = 1.0) -> pd.DataFrame:
    """First-contact conversion (R2.1.2.1) for each waiting time, by the model.

    Parameters
    ----------
    waits : iterable of float
        Working days from the lead's arrival to its first contact; 0 to 10 by default.
    chances : StepChances, optional
        The model to ask; the default scenario's when not given.
    skill, fit : float
        As for :meth:`StepChances.chance`.

    Returns
    -------
    pandas.DataFrame
        Columns ``wait_days`` and ``conversion`` (a fraction).
    """
    chances = StepChances() if chances is None else chances
    waits = [float(w) for w in waits]
    return pd.DataFrame({
        "wait_days": waits,
        "conversion": [chances.chance("first_contact", wait=w, skill=skill, fit=fit)
                       for w in waits],
    })


# ------------------------------------------------------------------ response times
def response_times(ledger: Ledger, holidays: str = "china") -> pd.DataFrame:
    """Each contacted lead's first response time, in calendar days and in working days.

    Calendar days are what :func:`salessim.kpi.first_response_time` takes the median of:
    ``first_contact_on - created_on``. Working days count the working days after the day the
    lead came in, up to and including the day of the first contact, by China's official
    calendar (``holidays="china"``) or Monday to Friday (``"weekends"``): a lead that came in
    on a Friday and was called on Monday waited 3 calendar days but 1 working day.

    Returns
    -------
    pandas.DataFrame
        ``lead_id``, ``rep_id``, ``created_on``, ``first_contact_on``, ``calendar_days``,
        ``working_days`` (both int64), for the leads with a first contact, in ledger order.
    """
    leads = ledger.table("leads")
    seen = leads.loc[leads["first_contact_on"].notna(),
                     ["lead_id", "rep_id", "created_on", "first_contact_on"]]
    seen = seen.reset_index(drop=True)
    if seen.empty:
        return seen.assign(calendar_days=pd.Series(dtype="int64"),
                           working_days=pd.Series(dtype="int64"))
    first, last = seen["created_on"].min().date(), seen["first_contact_on"].max().date()
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    cal = WorkCalendar(first, months, holidays)
    counted = np.searchsorted(cal.dates, seen[["created_on", "first_contact_on"]]
                              .to_numpy("datetime64[D]"), "right")
    return seen.assign(
        calendar_days=(seen["first_contact_on"] - seen["created_on"]).dt.days.astype("int64"),
        working_days=(counted[:, 1] - counted[:, 0]).astype("int64"),
    )


# ------------------------------------------------------------------ the dashboard
@dataclass(frozen=True)
class FollowUpResult:
    """A waiting time before the first call, its conversion, and a run of the team with it.

    Attributes
    ----------
    wait : float
        Working days every new lead waits before its first call.
    conversion : float
        The first-contact conversion after that wait, for a rep of average skill and a lead
        of fit 1, from :class:`StepChances` (a fraction).
    curve : pandas.DataFrame
        :func:`first_contact_curve`: ``wait_days`` and ``conversion``.
    seed : int
        The seed of the run.
    reps, months : int
        The size of the run's team and its length in months.
    contacted : int
        Leads that had their first contact in the run.
    lost_at_contact : int
        Of those, the leads lost at the first contact.
    won : int
        Leads won: new customers, each with one new deal.
    revenue : float
        Revenue of those new deals, CNY.
    """

    wait: float
    conversion: float
    curve: pd.DataFrame
    seed: int
    reps: int
    months: int
    contacted: int
    lost_at_contact: int
    won: int
    revenue: float

    @property
    def passed_contact(self) -> float:
        """The run's share of contacted leads that moved on after the first contact."""
        return 1 - self.lost_at_contact / self.contacted if self.contacted else float("nan")

    def summary(self) -> str:
        """The numbers in two lines of plain text."""
        return (f"Wait {self.wait:g} working days: first-contact conversion "
                f"{self.conversion:.1%}\n"
                f"Run of {self.reps} reps over {self.months} months (seed {self.seed}): "
                f"{self.contacted} leads contacted, {self.passed_contact:.1%} moved on; "
                f"{self.won} new deals won, revenue {self.revenue:,.0f} CNY")

    def _repr_html_(self) -> str:
        return (f"<b>First-contact conversion {self.conversion:.1%}</b> after a wait of "
                f"{self.wait:g} working days<br>Run of {self.reps} reps over {self.months} "
                f"months (seed {self.seed}): {self.contacted} leads contacted, "
                f"{self.passed_contact:.1%} moved on &middot; <b>{self.won} new deals won, "
                f"revenue {self.revenue:,.0f} CNY</b>")


def compute_follow_up(wait: float = 0.0, seed: int = LESSON_SEED,
                      scenario: Scenario | dict | str | None = None,
                      chances: StepChances | None = None) -> FollowUpResult:
    """First-contact conversion after ``wait`` working days, and a run as if every lead waited.

    The simulated reps follow the procedure and call every new lead at once (R2.1.2.1). To
    see what a slower team loses, the run gives the first contact the conversion that the
    model computes for a lead that waited ``wait`` working days (rep of average skill, lead
    of fit 1), and the model applies each lead's own fit, its rep's skill and its real
    waiting time on top, as always. The same seed gives the same leads, so runs with
    different waits compare the same customers.

    Parameters
    ----------
    wait : float
        Working days each lead waits before its first call, >= 0.
    seed : int
        Seed of the run.
    scenario : Scenario, dict or str, optional
        The team to run; :func:`lesson_scenario` by default.
    chances : StepChances, optional
        The model to read conversions from; built from ``scenario`` when not given (pass
        one to save its set-up when calling repeatedly).

    Returns
    -------
    FollowUpResult
    """
    s = lesson_scenario() if scenario is None else load_scenario(scenario)
    chances = StepChances(s) if chances is None else chances
    conversion = chances.chance("first_contact", wait=wait)
    run = simulate(s.with_overrides({"process.first_contact.conversion": conversion}), seed,
                   trace=False)
    leads, deals = run.ledger.leads, run.ledger.deals
    contacted = leads["first_contact_on"].notna()
    lost_there = (leads["outcome"] == "lost") & (leads["stage"] == "contacted")
    return FollowUpResult(
        wait=float(wait),
        conversion=conversion,
        curve=first_contact_curve(chances=chances),
        seed=seed,
        reps=s.team.reps,
        months=s.calendar.months,
        contacted=int(contacted.sum()),
        lost_at_contact=int(lost_there.sum()),
        won=int((leads["outcome"] == "won").sum()),
        revenue=float(deals.loc[deals["kind"] == "new", "amount"].sum()),
    )


def plot_follow_up(result: FollowUpResult) -> Figure:
    """First-contact conversion against the waiting time, the chosen wait marked.

    Returns a new :class:`matplotlib.figure.Figure` (not registered with pyplot); the
    numbers behind it are ``result.curve``.
    """
    fig = Figure(figsize=(7.5, 4.2))  # fixed margins: a layout engine doubles drawing time
    ax = fig.subplots(gridspec_kw=dict(left=0.1, right=0.97, bottom=0.14, top=0.88))
    curve = result.curve
    ax.plot(curve["wait_days"], 100 * curve["conversion"], color=_BLUE,
            label="chance that first contact moves the lead on")
    ax.axvspan(0, 1, color=_GREY, alpha=0.12, label="same working day")
    ax.plot([result.wait], [100 * result.conversion], "o", color=_RED, markersize=8,
            label=f"wait {result.wait:g} days: {result.conversion:.1%}")
    ax.set_xlim(0, float(curve["wait_days"].max()))
    ax.set_ylim(0, 100 * float(curve["conversion"].max()) * 1.1 or 1)
    ax.set_xlabel("wait from the lead's arrival to the first call (working days)")
    ax.set_ylabel("first-contact conversion (%)")
    ax.set_title(f"First contact at once (R2.1.2.1): conversion after a wait of "
                 f"{result.wait:g} days")
    ax.legend(loc="upper right", frameon=False)
    ax.grid(alpha=0.3)
    return fig


def follow_up_dashboard(seed: int = LESSON_SEED, scenario: Scenario | dict | str | None = None):
    """A slider for the waiting time before the first call; conversion, a run and the plot.

    Parameters
    ----------
    seed : int
        Seed of the runs.
    scenario : Scenario, dict or str, optional
        The team to run; :func:`lesson_scenario` by default.

    Returns
    -------
    ipywidgets.VBox
        The main control is the slider ``Wait (working days)``; the numbers are shown in the
        HTML widget ``Result``, with the CSS class ``salessim-result``.
    """
    import ipywidgets as widgets

    s = lesson_scenario() if scenario is None else load_scenario(scenario)
    chances = StepChances(s)
    wide = {"description_width": "initial"}
    wait = widgets.FloatSlider(value=0.0, min=0.0, max=10.0, step=0.5,
                               description="Wait (working days)", readout_format=".1f",
                               style=wide, layout=widgets.Layout(width="460px"))
    result = widgets.HTML(description="Result", style=wide)
    result.add_class("salessim-result")
    plot = widgets.Image(format="png", layout=widgets.Layout(max_width="750px"))

    @shows_errors(result)
    def update(_=None) -> None:
        follow = compute_follow_up(wait.value, seed, s, chances)
        result.value = follow._repr_html_()
        plot.value = png(plot_follow_up(follow))

    wait.observe(update, "value")
    update()
    return widgets.VBox([wait, result, plot])
