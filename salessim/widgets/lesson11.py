"""Lesson 11 dashboards: a pilot against a control region, and a supervision chart (R3.1, R3.2).

- :func:`compute_supervision` is the supervision chart (控制图) of the lesson's team: its
  monthly collection rate (回款率) with a centre line and limits from a baseline year in
  which it followed the regulation, after lowering the rate by a drift of so many points from
  a start month on; it reports which months the chart flags (R3.2.2).
  :func:`plot_chart` draws a chart and :func:`supervision_dashboard` puts a slider on the
  size of the drift. The drift is added to the simulated series (the team's own month-to-
  month noise stays as it was), so a move of the slider recomputes the chart without a new
  run of the model.
- :func:`compute_did` estimates a pilot's effect by difference in differences (双重差分) from
  the first replications of a panel of :func:`salessim.rollout.pilot_vs_control`;
  :func:`plot_panel` draws both regions month by month and :func:`did_dashboard` puts a
  slider on the number of replications used (R3.1.1).

The lesson's team (:func:`team_scenario`) is a steady business of eight reps over two years:
web leads only, spread evenly over the year, on a Monday-to-Friday calendar, so that the
second year is like the first and the first can serve as the baseline.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..rollout import DidEstimate, control_chart, diff_in_diff, monthly_kpi
from ..scenario import Scenario
from .errors import shows_errors
from .image import png

__all__ = ["BASELINE", "DRIFT", "DRIFT_START", "MONTHS", "REPS", "SEED", "TARGET",
           "SupervisionResult", "compute_did", "compute_supervision", "did_dashboard",
           "drifting_series", "plot_chart", "plot_panel", "supervision_dashboard",
           "team_scenario", "team_series"]

#: The lesson's team: reps and calendar months simulated (2026-01 to 2027-12).
REPS, MONTHS = 8, 24
#: The seed of the team's run.
SEED = 1
#: The baseline of the chart: the first year after the pipeline has filled (R3.2.2).
BASELINE = slice("2026-03", "2026-12")
#: The month from which the team drifts off the regulation.
DRIFT_START = "2027-04"
#: How the team drifts in the model: it stops chasing overdue invoices (no collection calls).
DRIFT = {"payments.max_calls": 0}
#: The regulation's collection-rate target (R2.2.1.3), drawn on the charts.
TARGET = 0.90

_GREEN, _RED, _BLUE, _GREY, _ORANGE = "#1a7f37", "#cf222e", "#0969da", "#6e7781", "#bc4c00"


# ------------------------------------------------------------------ the lesson's team
def team_scenario() -> Scenario:
    """Eight reps over 2026-2027: the default process, web leads only (3.3 a rep and working
    day, about the default business's leads with the trade shows spread over the year), on a
    Monday-to-Friday calendar; the shipped trade shows are dated 2026 and left out so both
    years are alike."""
    return Scenario().with_team(REPS).with_overrides({
        "calendar.months": MONTHS,
        "calendar.holidays": "weekends",
        "channels.trade_show.shows": [],
        "channels.web.rate_per_day": 3.3 * REPS,
    })


@lru_cache(maxsize=8)
def _series(seed: int, drifted: bool) -> pd.Series:
    s = team_scenario()
    return monthly_kpi(s.with_overrides(DRIFT) if drifted else s, seed, "collection_rate")


def team_series(seed: int = SEED) -> pd.Series:
    """The team's monthly collection rate over the two years, following the regulation
    (collection calls as the default scenario makes them), from one run of the model."""
    return _series(seed, False).copy()


def drifting_series(seed: int = SEED) -> pd.Series:
    """The same team drifting off the regulation from :data:`DRIFT_START`: it stops chasing
    overdue invoices. As :func:`salessim.rollout.monthly_kpi` with ``change=DRIFT``: the
    months before the start from the run that follows the regulation, the rest from a run of
    the same seed without collection calls."""
    before = _series(seed, False)
    later = pd.PeriodIndex(before.index, freq="M") >= pd.Period(DRIFT_START, freq="M")
    return before.where(~later, _series(seed, True))


# ------------------------------------------------------------------ the supervision chart
@dataclass(frozen=True)
class SupervisionResult:
    """A supervision chart of the team's collection rate after a drift (R3.2.2).

    Attributes
    ----------
    drift : float
        Points (percentage points) taken off the collection rate from ``start`` on.
    start : str
        The first month of the drift.
    chart : pandas.DataFrame
        :func:`salessim.rollout.control_chart` of the drifted series (individuals chart,
        limits from :data:`BASELINE`).
    watched : int
        The months from ``start`` on.
    flagged : tuple of str
        The months from ``start`` on that the chart flags.
    """

    drift: float
    start: str
    chart: pd.DataFrame
    watched: int
    flagged: tuple[str, ...]

    @property
    def first(self) -> str | None:
        """The first flagged month from the start on, or None."""
        return self.flagged[0] if self.flagged else None

    @property
    def months_to_flag(self) -> int | None:
        """Months from the start to the first flag: 1 when the start month itself is flagged."""
        if self.first is None:
            return None
        return (pd.Period(self.first, freq="M") - pd.Period(self.start, freq="M")).n + 1

    @property
    def headline(self) -> str:
        """``"Drift -5 points from 2027-04: 3 of 9 months flagged"`` (``"No drift from
        2027-04: ..."`` for 0)."""
        drift = f"Drift -{self.drift:g} points" if self.drift else "No drift"
        return (f"{drift} from {self.start}: {len(self.flagged)} of {self.watched} months "
                "flagged")

    def _detail(self) -> str:
        c = self.chart.iloc[0]
        limits = (f"centre {c['centre']:.1%}, limits {c['lcl']:.1%} to {c['ucl']:.1%} "
                  "(from the baseline year)")
        if self.first is None:
            return f"{limits}; no month flagged yet."
        rules = self.chart.loc[self.first]
        why = "beyond a limit" if rules["beyond"] else "a run on one side of the centre"
        return (f"{limits}; first flag {self.first} ({why}), in month {self.months_to_flag} "
                "of the drift.")

    def summary(self) -> str:
        """The headline and the chart's numbers, as text."""
        return f"{self.headline}\n{self._detail()}"

    def _repr_html_(self) -> str:
        colour = _RED if self.flagged else _GREEN
        return (f'<b style="color: {colour};">{html.escape(self.headline)}</b><br>'
                f"<small>{html.escape(self._detail())}</small>")


def compute_supervision(series: pd.Series, drift: float, start: str = DRIFT_START,
                        baseline: int | slice = BASELINE) -> SupervisionResult:
    """The supervision chart of a monthly rate after a drift of ``drift`` points (R3.2.2).

    Parameters
    ----------
    series : pandas.Series
        A monthly rate (fraction), indexed by month labels, e.g. :func:`team_series`.
    drift : float
        Percentage points taken off every month from ``start`` on (>= 0); the result is
        kept within 0 and 1.
    start : str
        The first month of the drift.
    baseline : int or slice
        The baseline of the limits (see :func:`salessim.rollout.control_chart`).

    Returns
    -------
    SupervisionResult
        The chart (individuals chart, Western Electric rule 1 and the run of 8) and the
        months it flags from ``start`` on.
    """
    if isinstance(drift, bool) or not isinstance(drift, int | float | np.number) or drift < 0:
        raise ValueError(f"drift: {drift!r} is not allowed; expected points >= 0, e.g. 5")
    start = str(pd.Period(start, freq="M"))
    later = np.asarray(series.index.astype(str) >= start)  # "YYYY-MM" labels sort as months
    shifted = series.where(~later, (series - drift / 100).clip(0.0, 1.0))
    chart = control_chart(shifted, baseline)
    flags = chart["flag"].to_numpy() & later
    return SupervisionResult(float(drift), start, chart, int(later.sum()),
                             tuple(str(m) for m in chart.index[flags]))


def plot_chart(chart: pd.DataFrame, title: str, start: str | None = None,
               target: float | None = TARGET) -> Figure:
    """A supervision chart: the values, centre line, limits, flagged points and target.

    Parameters
    ----------
    chart : pandas.DataFrame
        From :func:`salessim.rollout.control_chart`, indexed by month labels; values are
        rates (fractions), drawn in %.
    title : str
        The figure's title.
    start : str, optional
        A month to mark with a vertical line (the drift's or the pilot's start).
    target : float, optional
        The target drawn as a dotted line (the regulation's 90% collection rate).

    Returns
    -------
    matplotlib.figure.Figure
        A new figure; the numbers behind it are ``chart``.
    """
    fig = Figure(figsize=(10, 4))
    ax = fig.subplots(gridspec_kw=dict(left=0.08, right=0.98, bottom=0.14, top=0.9))
    x = np.arange(len(chart))
    labels = chart.index.astype(str)
    base = chart["baseline"].to_numpy()
    if base.any():
        ax.axvspan(x[base].min() - 0.5, x[base].max() + 0.5, color=_GREY, alpha=0.12,
                   label="baseline (limits computed here)")
    ax.plot(x, 100 * chart["value"], marker="o", color=_BLUE, label="collection rate")
    ax.plot(x, 100 * chart["centre"], color="black", linewidth=1, label="centre line")
    ax.plot(x, 100 * chart["ucl"], color=_RED, linestyle="--", linewidth=1,
            label="control limits")
    ax.plot(x, 100 * chart["lcl"], color=_RED, linestyle="--", linewidth=1)
    flags = chart["flag"].to_numpy()
    ax.scatter(x[flags], 100 * chart["value"].to_numpy()[flags], s=140, facecolors="none",
               edgecolors=_RED, linewidths=2, zorder=3, label="flagged")
    if target is not None:
        ax.axhline(100 * target, color=_GREEN, linestyle=":", linewidth=1.5,
                   label=f"target ({target:.0%})")
    if start is not None and start in set(labels):
        ax.axvline(int(np.flatnonzero(labels == start)[0]) - 0.5, color=_ORANGE,
                   linewidth=1.5, label=f"from {start}")
    ticks = x[::3] if len(x) > 12 else x  # a label every quarter keeps the axis readable
    ax.set_xticks(ticks, labels[ticks], fontsize="small")
    ax.set_xlabel("month")
    ax.set_ylabel("collection rate (%)")
    ax.legend(loc="lower left", frameon=False, fontsize="x-small", ncols=4)
    ax.set_title(title)
    return fig


def supervision_dashboard(series: pd.Series | None = None, drift: float = 5,
                          start: str = DRIFT_START):
    """A slider for the size of a drift; the chart and the months it flags update.

    Parameters
    ----------
    series : pandas.Series, optional
        The monthly rate; :func:`team_series` by default (one run of the model, a few
        seconds the first time).
    drift : float
        The slider's first value, in points.
    start : str
        The first month of the drift.

    Returns
    -------
    ipywidgets.VBox
        The main control is the slider ``Drift (points)``; the result is shown in the HTML
        widget ``Supervision``, with the CSS class ``salessim-result`` ("Drift -5 points
        from 2027-04: 3 of 9 months flagged").
    """
    import ipywidgets as widgets

    series = team_series() if series is None else series
    wide = {"description_width": "initial"}
    slider = widgets.IntSlider(value=int(drift), min=0, max=20, step=1,
                               description="Drift (points)", style=wide,
                               layout=widgets.Layout(width="460px"))
    result = widgets.HTML(description="Supervision", style=wide)
    result.add_class("salessim-result")
    plot = widgets.Image(format="png", layout=widgets.Layout(max_width="1000px"))

    @shows_errors(result)
    def update(_=None) -> None:
        found = compute_supervision(series, slider.value, start)
        result.value = found._repr_html_()
        fig = plot_chart(found.chart, f"Collection rate with a drift of -{found.drift:g} "
                         f"points from {start}", start)
        plot.value = png(fig, dpi=72)

    slider.observe(update, "value")
    update()
    return widgets.VBox([slider, result, plot])


# ------------------------------------------------------------------ the pilot
def compute_did(panel: pd.DataFrame, replications: int | None = None) -> DidEstimate:
    """:func:`salessim.rollout.diff_in_diff` of the first ``replications`` of a panel (R3.1.1).

    With one replication the interval comes from the months of that one pair of regions;
    with more, from the spread of the replications' estimates.
    """
    if replications is None:
        return diff_in_diff(panel)
    kept = panel[panel["replication"] < replications]
    if kept.empty:
        raise ValueError(f"replications: {replications!r}; expected at least 1")
    return diff_in_diff(kept)


def plot_panel(panel: pd.DataFrame, start: str, target: float | None = TARGET) -> Figure:
    """Both regions' mean collection rate by month, and the gap between them.

    Returns a new :class:`matplotlib.figure.Figure`; the numbers behind it are the means of
    ``panel`` by region and month over the replications.
    """
    col = [c for c in panel.columns if c not in
           {"replication", "seed", "region", "month", "after"}][0]
    means = panel.pivot_table(index="month", columns="region", values=col, aggfunc="mean")
    fig = Figure(figsize=(10, 3.8))
    left, right = fig.subplots(1, 2, gridspec_kw=dict(left=0.07, right=0.98, bottom=0.2,
                                                      top=0.82, wspace=0.25))
    x = np.arange(len(means))
    cut = int(np.flatnonzero(means.index.astype(str) == start)[0]) - 0.5
    for region, colour in (("pilot", _BLUE), ("control", _GREY)):
        left.plot(x, 100 * means[region], marker="o", color=colour, label=f"{region} region")
    gap = 100 * (means["pilot"] - means["control"])
    right.bar(x, gap.to_numpy(), color=np.where(x > cut, _BLUE, _GREY))
    for ax in (left, right):
        ax.axvline(cut, color=_ORANGE, linewidth=1.5, label=f"pilot starts {start}")
        ax.set_xticks(x, means.index.str[5:])
        ax.set_xlabel(f"month of {means.index[0][:4]}")
    if target is not None:
        left.axhline(100 * target, color=_GREEN, linestyle=":", label=f"target ({target:.0%})")
    left.set_ylabel("collection rate (%)")
    left.set_title("Mean collection rate by region")
    left.legend(loc="lower right", frameon=False, fontsize="small")
    right.set_ylabel("pilot - control (points)")
    right.set_title("The gap between the regions")
    fig.suptitle(f"Pilot against control: {panel['replication'].nunique()} replications")
    return fig


def _did_html(est: DidEstimate) -> str:
    ci = est.interval
    colour = _GREEN if ci.excludes_zero and est.estimate > 0 else _GREY
    return (f'<b style="color: {colour};">Effect {100 * est.estimate:+.1f} points (95% CI '
            f"{100 * ci.low:+.1f} to {100 * ci.high:+.1f})</b><br><small>"
            f"{html.escape(est.summary())}</small>")


def did_dashboard(panel: pd.DataFrame, replications: int | None = None):
    """A slider for how many replications of the panel to use; the estimate and its interval
    update.

    Returns
    -------
    ipywidgets.VBox
        The slider ``Replications used`` and the HTML widget ``Estimate`` (CSS class
        ``salessim-did-result``) above a plot of each replication's estimate.
    """
    import ipywidgets as widgets

    total = int(panel["replication"].nunique())
    wide = {"description_width": "initial"}
    slider = widgets.IntSlider(value=replications or total, min=1, max=total, step=1,
                               description="Replications used", style=wide,
                               layout=widgets.Layout(width="460px"))
    result = widgets.HTML(description="Estimate", style=wide)
    result.add_class("salessim-did-result")
    plot = widgets.Image(format="png", layout=widgets.Layout(max_width="700px"))
    every = compute_did(panel).per_replication

    @shows_errors(result)
    def update(_=None) -> None:
        est = compute_did(panel, slider.value)
        result.value = _did_html(est)
        fig = Figure(figsize=(7, 3.2))
        ax = fig.subplots(gridspec_kw=dict(left=0.12, right=0.97, bottom=0.17, top=0.88))
        used = every.index < slider.value
        ax.scatter(every.index[~used], 100 * every[~used], color=_GREY, alpha=0.4,
                   label="not used")
        ax.scatter(every.index[used], 100 * every[used], color=_BLUE, label="used")
        ci = est.interval
        if np.isfinite(ci.low):
            ax.axhspan(100 * ci.low, 100 * ci.high, color=_BLUE, alpha=0.12, label="95% CI")
        ax.axhline(100 * est.estimate, color=_BLUE, linewidth=1.5, label="estimate")
        ax.axhline(0, color="black", linewidth=0.8)
        ax.set_xlabel("replication (one pair of regions)")
        ax.set_ylabel("effect (points)")
        ax.legend(loc="upper right", frameon=False, fontsize="x-small", ncols=2)
        ax.set_title("Each replication's difference in differences")
        plot.value = png(fig, dpi=72)

    slider.observe(update, "value")
    update()
    return widgets.VBox([slider, result, plot])
