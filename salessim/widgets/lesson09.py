"""Lesson 09 dashboards: team meetings, knowledge sharing and what they do to a team
(R2.3.2.1, R2.3.2.3).

The dashboard re-runs a lesson-sized team: the default scenario scaled to three reps with
:meth:`~salessim.Scenario.with_team`, over twelve months, with a fixed seed. In the model
every rep attends every team meeting (团队例会, R2.3.2.1); a meeting takes its hours of every
rep's time and, through what is shared there and kept on the knowledge-sharing platform
(知识共享平台, R2.3.2.3), raises each attendee's skill by ``teamwork.skill_gain``.

- :func:`skill_curve` reads from a ledger's activities how many meetings each rep has
  attended by the end of each month and turns them into the team's skill index (1.0 = as
  skilled as at the start).
- :func:`compute_teamwork` runs the team with a meeting schedule and reads the year-end skill
  index, the hours the meetings took and the revenue, against the same year without
  meetings; :func:`plot_teamwork` draws the skill curve and the revenue, and
  :func:`teamwork_dashboard` puts sliders on the schedule and the skill gained per meeting.
- :func:`teamwork_curve` averages several seeds per schedule: hours in meetings against skill
  and revenue; :func:`plot_tradeoff` draws it.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..calendar import WorkCalendar
from ..ledger import Ledger
from ..model import simulate
from ..scenario import Scenario, load_scenario
from .errors import shows_errors
from .image import png

__all__ = ["FREQUENCIES", "HOURS", "MONTHS", "REPS", "SEED", "SEEDS", "TeamworkResult",
           "compute_teamwork", "lesson_scenario", "meeting_interval", "meetings_attended",
           "plot_teamwork", "plot_tradeoff", "skill_curve", "teamwork_curve",
           "teamwork_dashboard"]

#: The lesson-sized team: reps and calendar months simulated.
REPS, MONTHS = 3, 12
#: The seed of the single runs shown by the dashboard.
SEED = 4
#: The seeds averaged by :func:`teamwork_curve`.
SEEDS = (1, 2, 3)
#: Meetings per month and hours per meeting drawn by :func:`teamwork_curve`.
FREQUENCIES = (0, 1, 2, 4, 8, 12, 20)
HOURS = (1.0, 4.0)

_BLUE, _GREY, _GREEN = "#0969da", "#6e7781", "#1a7f37"


# ------------------------------------------------------------------ the lesson's team
@cache
def _base() -> Scenario:
    return load_scenario("default").with_team(REPS).with_overrides({"calendar.months": MONTHS})


@cache
def _month_days(start, holidays: str) -> float:
    return WorkCalendar(start, 12, holidays).horizon / 12


def meeting_interval(meetings_per_month: float, scenario: Scenario | None = None) -> float:
    """Working days between team meetings for ``meetings_per_month`` meetings a month.

    A month is a twelfth of the working days of the twelve months from the scenario's start
    (248 / 12 = 20.7 in 2026 under China's calendar); 0 meetings gives 0, the scenario's
    value for "no meetings".

    Raises
    ------
    ValueError
        For a negative number of meetings.
    """
    if not meetings_per_month >= 0:
        raise ValueError(f"meetings_per_month must be a number >= 0, got {meetings_per_month!r}")
    if meetings_per_month == 0:
        return 0.0
    s = _base() if scenario is None else scenario
    return _month_days(s.calendar.start, s.calendar.holidays) / meetings_per_month


def lesson_scenario(meetings_per_month: float | None = None,
                    meeting_hours: float | None = None,
                    skill_gain: float | None = None) -> Scenario:
    """The lesson-sized team: the default scenario with 3 reps over 12 months.

    Parameters
    ----------
    meetings_per_month : float, optional
        Team meetings a month (R2.3.2.1), turned into ``teamwork.meeting_interval_days`` by
        :func:`meeting_interval`; 0 for none. The default scenario's schedule (every 5
        working days, about 4 a month) when not given.
    meeting_hours : float, optional
        Length of a meeting (hours); 1 when not given.
    skill_gain : float, optional
        Relative skill each attendee gains per meeting (R2.3.2.3), a fraction: 0.002 is
        0.2%; the default scenario's 0.002 when not given.

    Returns
    -------
    Scenario
    """
    overrides = {}
    if meetings_per_month is not None:
        overrides["teamwork.meeting_interval_days"] = meeting_interval(meetings_per_month)
    if meeting_hours is not None:
        overrides["teamwork.meeting_hours"] = meeting_hours
    if skill_gain is not None:
        overrides["teamwork.skill_gain"] = skill_gain
    return _base().with_overrides(overrides) if overrides else _base()


# ------------------------------------------------------------------ skill from the ledger
def _meeting_hours_by_rep_month(ledger: Ledger) -> pd.DataFrame:
    """Hours of meetings per rep (rows) and month they ended in (columns), every month and
    every rep of the ledger included."""
    act = ledger.table("activities")
    meetings = act[act["task"] == "meeting"]
    hours = (meetings["ended_at"] - meetings["started_at"]).dt.total_seconds() / 3600
    months = pd.period_range(act["started_at"].min(), act["ended_at"].max(), freq="M")
    table = hours.groupby([meetings["rep_id"], meetings["ended_at"].dt.to_period("M")]).sum()
    table = table.unstack(fill_value=0.0) if len(table) else pd.DataFrame()
    reps = ledger.table("reps")["rep_id"]
    return table.reindex(index=reps, columns=months, fill_value=0.0).astype("float64")


def meetings_attended(ledger: Ledger, meeting_hours: float) -> pd.Series:
    """Meetings each rep attended to the end: its meeting hours over the length of one.

    A meeting that runs past the end of a working day is two activity rows (one each day),
    and one cut off by the end of the simulation never finished: counting hours, not rows,
    gets both right.

    Parameters
    ----------
    ledger : Ledger
        A ledger with ``activities`` and ``reps``.
    meeting_hours : float
        The length of one meeting (hours).

    Returns
    -------
    pandas.Series
        Meetings per ``rep_id`` (int).
    """
    total = _meeting_hours_by_rep_month(ledger).sum(axis=1)
    return np.floor(total / meeting_hours + 1e-9).astype("int64").rename("meetings")


def skill_curve(ledger: Ledger, meeting_hours: float, skill_gain: float) -> pd.Series:
    """The team's skill index at the end of each month, from the meetings attended.

    A rep who has attended ``n`` meetings is ``(1 + skill_gain) ** n`` times as skilled as
    at the start (R2.3.2.1, R2.3.2.3); the team's index is the mean over its reps (1.0 = as
    skilled as at the start). Skill from other sources (coaching, training) is not counted.

    Parameters
    ----------
    ledger : Ledger
        A ledger with ``activities`` and ``reps``, e.g. a simulation's.
    meeting_hours : float
        The length of one meeting (hours).
    skill_gain : float
        Relative skill gained per meeting (a fraction).

    Returns
    -------
    pandas.Series
        Indexed by month label (``"2026-01"``, ...), named ``skill_index``.
    """
    hours = _meeting_hours_by_rep_month(ledger).cumsum(axis=1)
    attended = np.floor(hours / meeting_hours + 1e-9)
    index = ((1.0 + skill_gain) ** attended).mean(axis=0)
    index.index = index.index.astype(str)
    return index.rename_axis("month").rename("skill_index")


def _hours(ledger: Ledger, task: str) -> float:
    act = ledger.table("activities")
    rows = act[act["task"] == task]
    return float((rows["ended_at"] - rows["started_at"]).dt.total_seconds().sum() / 3600)


def _monthly_revenue(ledger: Ledger) -> pd.Series:
    deals = ledger.deals
    months = deals["signed_on"].dt.to_period("M").astype(str)
    return deals["amount"].groupby(months).sum().rename("revenue")


@lru_cache(maxsize=32)
def _without_meetings(seed: int) -> tuple[tuple[str, float], ...]:
    # The same year with no meetings: (month, revenue) pairs, shared by every setting.
    ledger = simulate(lesson_scenario(meetings_per_month=0), seed, trace=False).ledger
    return tuple(_monthly_revenue(ledger).items())


# ------------------------------------------------------------------ one run
@dataclass(frozen=True)
class TeamworkResult:
    """One run of the lesson's team with a meeting schedule (R2.3.2.1, R2.3.2.3).

    Attributes
    ----------
    meetings_per_month, interval_days, meeting_hours, skill_gain : float
        The setting: meetings a month, working days between them, hours each, and the
        relative skill each attendee gains per meeting.
    seed : int
        The run's seed.
    meetings : float
        Meetings attended per rep in the year (the mean over the reps).
    hours_per_rep : float
        Hours each rep spent in meetings (the mean over the reps).
    available_hours : float
        Working hours of a rep in the year.
    skill_index : float
        The team's skill at the year's end, relative to its start (:func:`skill_curve`).
    skill_by_month : pandas.Series
        The skill index at each month's end.
    revenue : float
        Revenue of the year, CNY.
    revenue_by_month, baseline_by_month : pandas.Series
        Revenue per month with this schedule and with no meetings at all (same seed), CNY.
    revisit_hours_per_rep : float
        Hours each rep spent revisiting customers (R2.1.4.3), the first work to give way when
        meetings take too much time.
    """

    meetings_per_month: float
    interval_days: float
    meeting_hours: float
    skill_gain: float
    seed: int
    meetings: float
    hours_per_rep: float
    available_hours: float
    skill_index: float
    skill_by_month: pd.Series
    revenue: float
    revenue_by_month: pd.Series
    baseline_by_month: pd.Series
    revisit_hours_per_rep: float

    @property
    def baseline_revenue(self) -> float:
        """Revenue of the same year without meetings, CNY."""
        return float(self.baseline_by_month.sum())

    @property
    def revenue_change(self) -> float:
        """Revenue against the year without meetings, as a fraction (0.1 = 10% more)."""
        return self.revenue / self.baseline_revenue - 1

    @property
    def headline(self) -> str:
        """``"Team skill at year end 1.103 (+10.3%)"``."""
        return (f"Team skill at year end {self.skill_index:.3f} "
                f"({self.skill_index - 1:+.1%})")

    @property
    def setting(self) -> str:
        """``"4 meetings a month of 1 h, +0.20% skill each"`` or ``"no meetings"``."""
        if self.meetings_per_month == 0:
            return "no meetings"
        return (f"{self.meetings_per_month:g} meetings a month of {self.meeting_hours:g} h, "
                f"{self.skill_gain:+.2%} skill each")

    def _details(self) -> list[str]:
        share = self.hours_per_rep / self.available_hours
        return [
            f"{self.meetings:.0f} meetings: {self.hours_per_rep:,.0f} h per rep in the year "
            f"({share:.1%} of {self.available_hours:,.0f} working hours)",
            f"revenue {self.revenue:,.0f} CNY, {self.revenue_change:+.1%} against no meetings "
            f"({self.baseline_revenue:,.0f} CNY)",
            f"{self.revisit_hours_per_rep:,.0f} h of customer revisits per rep",
        ]

    def summary(self) -> str:
        """The setting, the headline and the numbers behind it, as text."""
        return "\n".join([f"{self.setting}, seed {self.seed}:", self.headline,
                          *self._details()])

    def _repr_html_(self) -> str:
        return (f"<b>{html.escape(self.headline)}</b> <small>({html.escape(self.setting)}, "
                f"seed {self.seed})</small><br>"
                + "<br>".join(html.escape(line) for line in self._details()))


def compute_teamwork(meetings_per_month: float = 4, meeting_hours: float = 1.0,
                     seed: int = SEED, skill_gain: float | None = None) -> TeamworkResult:
    """Run the lesson's team with a meeting schedule and read what it did (R2.3.2.1).

    Parameters
    ----------
    meetings_per_month : float
        Team meetings a month; 0 for none. See :func:`lesson_scenario`.
    meeting_hours : float
        Length of each meeting (hours, > 0).
    seed : int
        The run's seed: the same setting and seed give the same numbers.
    skill_gain : float, optional
        Relative skill each attendee gains per meeting (fraction); the scenario's 0.002 by
        default.

    Returns
    -------
    TeamworkResult
        The year-end skill index, the hours in meetings, the revenue against the same year
        without meetings, and the hours left for revisits.
    """
    scenario = lesson_scenario(meetings_per_month, meeting_hours, skill_gain)
    tw = scenario.teamwork
    run = simulate(scenario, seed, trace=False)
    ledger = run.ledger
    reps = len(ledger.reps)
    curve = skill_curve(ledger, tw.meeting_hours, tw.skill_gain)
    revenue = _monthly_revenue(ledger).reindex(curve.index, fill_value=0.0)
    baseline = pd.Series(dict(_without_meetings(int(seed))), name="revenue",
                         dtype="float64").reindex(curve.index, fill_value=0.0)
    return TeamworkResult(
        meetings_per_month=float(meetings_per_month),
        interval_days=tw.meeting_interval_days,
        meeting_hours=tw.meeting_hours,
        skill_gain=tw.skill_gain,
        seed=run.seed,
        meetings=float(meetings_attended(ledger, tw.meeting_hours).mean()),
        hours_per_rep=_hours(ledger, "meeting") / reps,
        available_hours=run.calendar.horizon * scenario.team.hours_per_day,
        skill_index=float(curve.iloc[-1]),
        skill_by_month=curve,
        revenue=float(ledger.deals["amount"].sum()),
        revenue_by_month=revenue.rename_axis("month"),
        baseline_by_month=baseline.rename_axis("month"),
        revisit_hours_per_rep=_hours(ledger, "revisit") / reps,
    )


def plot_teamwork(result: TeamworkResult) -> Figure:
    """The skill curve through the year, and revenue against the same year without meetings.

    Returns a new :class:`matplotlib.figure.Figure`; the numbers behind it are
    ``result.skill_by_month``, ``result.revenue_by_month`` and ``result.baseline_by_month``.
    """
    fig = Figure(figsize=(10, 4))  # fixed margins: a layout engine doubles drawing time
    left, right = fig.subplots(1, 2, gridspec_kw=dict(left=0.08, right=0.98, bottom=0.2,
                                                      top=0.82, wspace=0.28))
    months = ["start", *[m[5:] for m in result.skill_by_month.index]]
    left.plot(months, [1.0, *result.skill_by_month.to_numpy()], color=_BLUE, marker="o",
              label=result.setting)
    left.axhline(1.0, color=_GREY, linestyle="--", linewidth=1, label="no meetings")
    left.set_ylabel("team skill (1.0 = at the start)")
    left.set_xlabel("end of month (2026)")
    left.set_title(f"Skill curve: {result.headline.lower()}")
    x = [m[5:] for m in result.revenue_by_month.index]
    right.plot(x, result.revenue_by_month.cumsum().to_numpy(), color=_GREEN, marker="o",
               label="with these meetings")
    right.plot(x, result.baseline_by_month.cumsum().to_numpy(), color=_GREY, linestyle="--",
               label="no meetings")
    right.set_ylabel("revenue since January (CNY)")
    right.set_xlabel("month (2026)")
    right.yaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
    right.set_title(f"Revenue: {result.revenue_change:+.1%} against no meetings")
    for ax in (left, right):
        ax.legend(loc="upper left", frameon=False, fontsize="small")
    fig.suptitle(f"{REPS} reps over {MONTHS} months, seed {result.seed}: {result.setting}")
    return fig


def teamwork_dashboard(meetings_per_month: int = 4, seed: int = SEED):
    """Sliders for the meetings a month, their length and the skill gained per meeting.

    Returns
    -------
    ipywidgets.VBox
        The main control is the slider ``Meetings per month``; the numbers are shown in the
        HTML widget ``Teamwork``, with the CSS class ``salessim-result``.
    """
    import ipywidgets as widgets

    wide = {"description_width": "initial"}
    layout = widgets.Layout(width="460px")
    default = _base().teamwork
    meetings = widgets.IntSlider(value=meetings_per_month, min=0, max=20, step=1,
                                 description="Meetings per month", continuous_update=False,
                                 style=wide, layout=layout)
    hours = widgets.FloatSlider(value=default.meeting_hours, min=0.5, max=6.0, step=0.5,
                                description="Hours per meeting", readout_format=".1f",
                                continuous_update=False, style=wide, layout=layout)
    gain = widgets.FloatSlider(value=100 * default.skill_gain, min=0.0, max=0.5, step=0.05,
                               description="Skill gained per meeting (%)",
                               readout_format=".2f", continuous_update=False, style=wide,
                               layout=layout)
    numbers = widgets.HTML(description="Teamwork", style=wide)
    numbers.add_class("salessim-result")
    plot = widgets.Image(format="png", layout=widgets.Layout(max_width="1000px"))

    @shows_errors(numbers)
    def update(_=None) -> None:
        result = compute_teamwork(meetings.value, hours.value, seed,
                                  round(gain.value, 2) / 100)
        numbers.value = result._repr_html_()
        plot.value = png(plot_teamwork(result))

    for control in (meetings, hours, gain):
        control.observe(update, "value")
    update()
    return widgets.VBox([meetings, hours, gain, numbers, plot])


# ------------------------------------------------------------------ the trade-off
def teamwork_curve(frequencies: Iterable[float] = FREQUENCIES,
                   hours: Iterable[float] = HOURS, seeds: Iterable[int] = SEEDS,
                   skill_gain: float | None = None) -> pd.DataFrame:
    """Hours in meetings against skill and revenue, for several schedules, over several seeds.

    Every schedule is run with the same seeds (common random numbers) and the runs are
    averaged.

    Parameters
    ----------
    frequencies : iterable of float
        Meetings a month.
    hours : iterable of float
        Lengths of a meeting (hours); every length is run with every frequency.
    seeds : iterable of int
        The seeds averaged.
    skill_gain : float, optional
        Relative skill gained per meeting; the scenario's by default.

    Returns
    -------
    pandas.DataFrame
        One row per length and frequency: ``meeting_hours``, ``meetings_per_month``, then
        the means ``hours_per_rep``, ``skill_index``, ``revenue``, ``revenue_change``
        (against no meetings, a fraction) and ``revisit_hours_per_rep``, and ``runs``.
    """
    seeds = list(seeds)
    if not seeds:
        raise ValueError("teamwork_curve needs at least one seed")
    rows = []
    for h in hours:
        for f in frequencies:
            runs = [compute_teamwork(f, h, seed, skill_gain) for seed in seeds]
            rows.append({
                "meeting_hours": float(h),
                "meetings_per_month": float(f),
                "hours_per_rep": np.mean([r.hours_per_rep for r in runs]),
                "skill_index": np.mean([r.skill_index for r in runs]),
                "revenue": np.mean([r.revenue for r in runs]),
                "revenue_change": np.mean([r.revenue_change for r in runs]),
                "revisit_hours_per_rep": np.mean([r.revisit_hours_per_rep for r in runs]),
                "runs": len(runs),
            })
    return pd.DataFrame(rows)


def plot_tradeoff(curve: pd.DataFrame) -> Figure:
    """Year-end skill and revenue against the hours each rep spends in meetings.

    One line per meeting length, each point one frequency from :func:`teamwork_curve`.
    Returns a new :class:`matplotlib.figure.Figure`; the numbers behind it are ``curve``.
    """
    fig = Figure(figsize=(10, 4))
    left, right = fig.subplots(1, 2, gridspec_kw=dict(left=0.08, right=0.98, bottom=0.14,
                                                      top=0.82, wspace=0.28))
    runs = int(curve["runs"].max()) if len(curve) else 0
    for (h, rows), colour in zip(curve.groupby("meeting_hours"), [_BLUE, _GREEN, _GREY],
                                 strict=False):
        label = f"meetings of {h:g} h"
        left.plot(rows["hours_per_rep"], rows["skill_index"], marker="o", color=colour,
                  label=label)
        right.plot(rows["hours_per_rep"], 100 * rows["revenue_change"], marker="o",
                   color=colour, label=label)
    left.axhline(1.0, color=_GREY, linestyle="--", linewidth=1)
    right.axhline(0.0, color=_GREY, linestyle="--", linewidth=1, label="no meetings")
    left.set_ylabel("team skill at year end (1.0 = at the start)")
    right.set_ylabel("revenue against no meetings (%)")
    left.set_title("Skill")
    right.set_title("Revenue")
    for ax in (left, right):
        ax.set_xlabel("hours in meetings per rep in the year (h)")
        ax.legend(loc="upper left", frameon=False, fontsize="small")
    fig.suptitle(f"Time in meetings against skill and revenue: {REPS} reps over {MONTHS} "
                 f"months, mean of {runs} runs")
    return fig

