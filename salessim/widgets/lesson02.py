"""Lesson 02 dashboard: market analysis and lead development (R2.1.1).

- :func:`swot_worksheet` and :func:`pest_worksheet` check and tabulate the structured
  worksheets of market research (市场调研, R2.1.1.1): SWOT and PEST analysis;
- :func:`channel_table` and :func:`channel_mix` describe the lead channels (多渠道) of a
  scenario: web, trade shows (展会) and referrals (客户推荐), with their arrival rates, the
  mix of leads they bring and their cost per lead; :func:`channel_results` measures what each
  channel delivered in a simulation, up to the cost per won customer (R2.1.1.2);
- :func:`scoring_table`, :func:`score_leads` and :func:`score_lead` read and apply the
  scoring system (评分体系) of :mod:`salessim.model.leads`, the model's own function, and
  :func:`screen` applies hard screening criteria (R2.1.1.3);
- :func:`compute_screening` re-runs the lesson's team with other criteria weights and another
  qualification threshold: who qualifies, and what that does to the funnel and the revenue;
  :func:`plot_screening` draws it and :func:`screening_dashboard` puts sliders on it.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .. import plots
from ..model import Simulation, simulate
from ..model.leads import CHANNELS, Categories
from ..model.leads import score as _model_score
from ..scenario import Scenario
from .errors import shows_errors
from .image import png
from .lesson01 import lesson_scenario

__all__ = ["BUSY_FACTOR", "CRITERIA", "PEST", "SEED", "SWOT", "ScreeningResult",
           "channel_mix", "channel_results", "channel_table", "compute_screening",
           "lesson_team", "pest_worksheet", "plot_channels", "plot_screening", "score_lead",
           "score_leads", "scoring_table", "screen", "screening_dashboard", "swot_worksheet",
           "year_scenario"]

#: The seed of the lesson's simulations.
SEED = 1
#: The criteria of the scoring system, in the scenario's order (R2.1.1.3).
CRITERIA = ("industry", "company_size", "region", "budget")
#: SWOT quadrants: (internal or external, helpful or harmful).
SWOT = {"strength": ("internal", "helpful"), "weakness": ("internal", "harmful"),
        "opportunity": ("external", "helpful"), "threat": ("external", "harmful")}
#: PEST factors of the business environment, each with the question it answers.
PEST = {"political": "laws, regulation, policy, subsidies, public procurement",
        "economic": "growth, interest and exchange rates, prices, customers' budgets",
        "social": "demography, habits, skills, attitudes of buyers and users",
        "technological": "new technology, platforms, standards, what competitors can build"}
_COLUMNS = ["lead_id", "channel", "industry", "company_size", "region", "budget", "score"]
_BLUE, _GREY, _RED = "#0969da", "#8c959f", "#cf222e"


#: How many times more web leads the busy team gets.
BUSY_FACTOR = 4


def year_scenario() -> Scenario:
    """The lesson's team over a whole year, with all four trade shows: for channel results."""
    return lesson_scenario().with_overrides({"calendar.months": 12})


def lesson_team(busy: bool = False) -> Scenario:
    """The team of lesson 01 for one quarter; ``busy`` gives it :data:`BUSY_FACTOR` times
    as many web leads, more than its reps can work well."""
    s = lesson_scenario()
    if not busy:
        return s
    return s.with_overrides({"channels.web.rate_per_day":
                             s.channels.web.rate_per_day * BUSY_FACTOR})


# ------------------------------------------------------------------ worksheets (R2.1.1.1)
def _worksheet(entries: Iterable[Mapping[str, str]], kinds: Iterable[str], column: str,
               name: str) -> pd.DataFrame:
    rows = []
    allowed = list(kinds)
    for i, entry in enumerate(entries):
        row = {k: str(entry.get(k, "")).strip() for k in ("factor", column, "evidence")}
        unknown = set(entry) - {"factor", column, "evidence"}
        if unknown:
            raise ValueError(f"{name} entry {i}: unknown field(s) {', '.join(sorted(unknown))}; "
                             f"an entry has factor, {column} and evidence")
        if row[column] not in allowed:
            raise ValueError(f"{name} entry {i} ({row['factor']!r}): {column} "
                             f"{row[column]!r} is not one of {', '.join(allowed)}")
        for field in ("factor", "evidence"):
            if not row[field]:
                raise ValueError(f"{name} entry {i}: {field} is empty; every factor needs "
                                 "a short statement and the evidence that supports it")
        rows.append(row)
    order = {k: i for i, k in enumerate(allowed)}
    table = pd.DataFrame(rows, columns=["factor", column, "evidence"])
    return table.sort_values(column, key=lambda s: s.map(order), kind="stable",
                             ignore_index=True)


def swot_worksheet(entries: Iterable[Mapping[str, str]]) -> pd.DataFrame:
    """A SWOT worksheet (R2.1.1.1): each factor in its quadrant, with its evidence.

    Parameters
    ----------
    entries : iterable of mappings
        Each with ``factor`` (a short statement), ``quadrant`` (``"strength"``,
        ``"weakness"``, ``"opportunity"`` or ``"threat"``) and ``evidence`` (where the
        statement comes from, or how it will be checked).

    Returns
    -------
    pandas.DataFrame
        Columns ``factor``, ``quadrant``, ``evidence``, ``origin`` (internal or external)
        and ``effect`` (helpful or harmful), in the order S, W, O, T.

    Raises
    ------
    ValueError
        For an unknown quadrant or field, or an empty factor or evidence, naming the entry.
    """
    table = _worksheet(entries, SWOT, "quadrant", "SWOT")
    table["origin"] = table["quadrant"].map(lambda q: SWOT[q][0])
    table["effect"] = table["quadrant"].map(lambda q: SWOT[q][1])
    return table


def pest_worksheet(entries: Iterable[Mapping[str, str]]) -> pd.DataFrame:
    """A PEST worksheet (R2.1.1.1): factors of the business environment by kind.

    Parameters
    ----------
    entries : iterable of mappings
        Each with ``factor``, ``kind`` (``"political"``, ``"economic"``, ``"social"`` or
        ``"technological"``) and ``evidence``.

    Returns
    -------
    pandas.DataFrame
        Columns ``factor``, ``kind``, ``evidence``, in the order P, E, S, T.

    Raises
    ------
    ValueError
        As :func:`swot_worksheet`.
    """
    return _worksheet(entries, PEST, "kind", "PEST")


# ------------------------------------------------------------------ channels (R2.1.1.2)
def channel_table(scenario: Scenario) -> pd.DataFrame:
    """How each channel brings leads, how many and at what cost, from a scenario.

    Columns ``channel``, ``arrivals`` (in words), ``leads_per_working_day`` (the Poisson
    rate; for trade shows the background rate), ``show_leads`` (expected leads of all trade
    shows in the scenario's period) and ``cost_per_lead`` (CNY). Referrals have no rate of
    their own: satisfied customers make them during the run.
    """
    ch = scenario.channels
    start = pd.Timestamp(scenario.calendar.start)
    end = start + pd.DateOffset(months=scenario.calendar.months)
    shows = sum(show.leads for show in ch.trade_show.shows
                if start <= pd.Timestamp(show.date) < end)
    referral = (f"{ch.referral.probability:.0%} of feedback calls and revisits of customers "
                f"at least {ch.referral.min_satisfaction:.0%} satisfied")
    return pd.DataFrame({
        "channel": list(CHANNELS),
        "arrivals": ["every working day, at random", "in bursts, at each show", referral],
        "leads_per_working_day": [ch.web.rate_per_day, ch.trade_show.rate_per_day, np.nan],
        "show_leads": [0.0, float(shows), 0.0],
        "cost_per_lead": [getattr(ch, c).cost_per_lead for c in CHANNELS],
    })


def channel_mix(scenario: Scenario, attribute: str) -> pd.DataFrame:
    """The mix of leads each channel brings, as shares: one row per channel.

    ``attribute`` is ``"industry"``, ``"company_size"`` or ``"region"``; the columns are its
    categories in the scoring table's order.
    """
    if attribute not in CRITERIA[:3]:
        raise ValueError(f"attribute must be one of {', '.join(CRITERIA[:3])}, got "
                         f"{attribute!r}")
    names = list(getattr(scenario.scoring, attribute))
    rows = {}
    for c in CHANNELS:
        mix = pd.Series(getattr(getattr(scenario.channels, c), attribute), dtype="float64")
        rows[c] = (mix / mix.sum()).reindex(names, fill_value=0.0)
    return pd.DataFrame(rows).T.rename_axis("channel")


def channel_results(run: Simulation) -> pd.DataFrame:
    """What each channel delivered in a simulation: leads, cost, customers, first orders.

    Columns ``channel``, ``leads``, ``cost`` (leads x cost per lead, CNY), ``qualified``,
    ``won`` (leads that became customers), ``cost_per_lead``, ``cost_per_won`` (cost / won,
    the acquisition cost of a customer, CNY), ``first_orders`` (revenue of the won leads'
    first deals, CNY) and ``revenue_per_won``. Repeat orders are left out: they come from
    after-sales work, not from the channel.
    """
    ledger = run.ledger
    leads = ledger.leads
    cost = {c: getattr(run.scenario.channels, c).cost_per_lead for c in CHANNELS}
    first = (ledger.deals[ledger.deals["kind"] == "new"]
             .merge(ledger.customers[["customer_id", "lead_id"]], on="customer_id")
             .merge(leads[["lead_id", "channel"]], on="lead_id"))
    out = pd.DataFrame({"channel": list(CHANNELS)})
    by = leads.groupby("channel")
    out["leads"] = out["channel"].map(by.size()).fillna(0).astype("int64")
    out["cost"] = out["leads"] * out["channel"].map(cost)
    out["qualified"] = out["channel"].map(by["qualified"].sum()).fillna(0).astype("int64")
    won = leads[leads["outcome"] == "won"].groupby("channel").size()
    out["won"] = out["channel"].map(won).fillna(0).astype("int64")
    out["cost_per_lead"] = out["channel"].map(cost)
    out["cost_per_won"] = out["cost"] / out["won"].where(out["won"] > 0)
    out["first_orders"] = out["channel"].map(first.groupby("channel")["amount"].sum()).fillna(0)
    out["revenue_per_won"] = out["first_orders"] / out["won"].where(out["won"] > 0)
    return out


def plot_channels(results: pd.DataFrame) -> Figure:
    """Cost per lead beside cost per won customer, by channel (R2.1.1.2).

    ``results`` is :func:`channel_results`; returns a new Figure of grouped bars (CNY).
    """
    fig = Figure(figsize=(8, 3.8))
    ax = fig.subplots(gridspec_kw=dict(left=0.1, right=0.98, bottom=0.14, top=0.88))
    x = np.arange(len(results))
    bars = (("cost_per_lead", "cost per lead", _GREY),
            ("cost_per_won", "cost per won customer", _RED))
    for i, (column, label, colour) in enumerate(bars):
        values = results[column].to_numpy(dtype="float64")
        ax.bar(x + (i - 0.5) * 0.4, np.nan_to_num(values), width=0.4, color=colour,
               label=label)
    ax.set_xticks(x, [c.replace("_", " ") for c in results["channel"]])
    ax.set_ylabel("cost (CNY)")
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
    ax.legend(loc="upper left", frameon=False, fontsize="small")
    ax.set_title("What a lead and a customer cost, by channel")
    return fig


# ------------------------------------------------------------------ scoring (R2.1.1.3)
def _scenario(scenario: Scenario | None, weights: Mapping[str, float] | None = None,
              threshold: float | None = None) -> Scenario:
    s = lesson_scenario() if scenario is None else scenario
    changes: dict[str, object] = {}
    if weights is not None:
        changes["scoring.weights"] = {k: float(v) for k, v in weights.items()}
    if threshold is not None:
        changes["scoring.threshold"] = float(threshold)
    return s.with_overrides(changes) if changes else s


def scoring_table(scenario: Scenario | None = None) -> pd.DataFrame:
    """The scoring system of a scenario as one table: criterion, value, points, weight.

    For ``budget`` the value is the budget that earns full points (``scoring.budget_full``);
    a smaller budget earns its share of the points.
    """
    sc = _scenario(scenario).scoring
    rows = [(c, value, points, sc.weights.get(c, 0.0))
            for c in CRITERIA[:3] for value, points in getattr(sc, c).items()]
    rows.append(("budget", f">= {sc.budget_full:,.0f} CNY", 1.0, sc.weights.get("budget", 0.0)))
    return pd.DataFrame(rows, columns=["criterion", "value", "points", "weight"])


def score_leads(leads: pd.DataFrame, scenario: Scenario | None = None,
                weights: Mapping[str, float] | None = None) -> pd.Series:
    """Scores (0-100) of leads by a scenario's scoring system, with the model's own function.

    Parameters
    ----------
    leads : pandas.DataFrame
        With columns ``industry``, ``company_size``, ``region`` and ``budget`` (CNY), as in the
        ledger's ``leads`` table. It is not modified.
    scenario : Scenario, optional
        Whose ``scoring`` to use; the lesson's scenario (the default scoring) by default.
    weights : mapping, optional
        Criteria weights replacing the scenario's (``{"industry": 0.3, ...}``).

    Returns
    -------
    pandas.Series
        ``score`` per lead, on the leads' index, rounded to 0.1 like the model's.

    Raises
    ------
    ValueError
        For a category the scoring table does not know, naming the column, the row and the
        known values; for a missing or negative budget.
    """
    s = _scenario(scenario, weights)
    cats = Categories.of(s)
    codes = []
    for column, names in (("industry", cats.industry), ("company_size", cats.company_size),
                          ("region", cats.region)):
        code = pd.Index(names).get_indexer(leads[column])
        if (code < 0).any():
            row = int(np.flatnonzero(code < 0)[0])
            raise ValueError(f"leads.{column}, row {leads.index[row]}: "
                             f"{leads[column].iloc[row]!r} is not in the scoring table; "
                             f"known values: {', '.join(names)}")
        codes.append(code)
    budget = pd.to_numeric(leads["budget"], errors="coerce").to_numpy(dtype="float64")
    bad = ~(budget >= 0)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        value = leads["budget"].iloc[row]
        value = value.item() if isinstance(value, np.generic) else value
        raise ValueError(f"leads.budget, row {leads.index[row]}: {value!r} is not a budget; "
                         "expected an amount >= 0 in CNY")
    return pd.Series(_model_score(s, cats, *codes, budget), index=leads.index, name="score")


def score_lead(industry: str, company_size: str, region: str, budget: float,
               scenario: Scenario | None = None) -> float:
    """The score (0-100) of one lead by the scoring system; see :func:`score_leads`."""
    one = pd.DataFrame({"industry": [industry], "company_size": [company_size],
                        "region": [region], "budget": [budget]})
    return float(score_leads(one, scenario).iloc[0])


def screen(leads: pd.DataFrame, industries: Iterable[str] | None = None,
           sizes: Iterable[str] | None = None, regions: Iterable[str] | None = None,
           min_budget: float | None = None, min_score: float | None = None) -> pd.DataFrame:
    """The leads that pass every screening criterion given (R2.1.1.3).

    Each criterion left as None is not applied. ``min_budget`` and ``min_score`` include
    their bound (a budget of exactly ``min_budget`` passes). Returns the passing rows, in
    their order, with the leads' index.
    """
    keep = pd.Series(True, index=leads.index)
    for column, allowed in (("industry", industries), ("company_size", sizes),
                            ("region", regions)):
        if allowed is not None:
            keep &= leads[column].isin(list(allowed))
    if min_budget is not None:
        keep &= leads["budget"] >= min_budget
    if min_score is not None:
        keep &= leads["score"] >= min_score
    return leads[keep]


# ------------------------------------------------------------------ the dashboard
@dataclass(frozen=True)
class ScreeningResult:
    """The lesson's team run with one setting of the scoring system.

    Attributes
    ----------
    weights : dict
        The criteria weights used.
    threshold : float
        The qualification threshold (points).
    leads : pandas.DataFrame
        The run's leads with their scores and outcomes.
    funnel : pandas.DataFrame
        :func:`salessim.plots.funnel` of the run: ``stage``, ``leads``, ``conversion``,
        ``of_all``.
    revenue : float
        Revenue of the run (all deals signed), CNY.
    busy : bool
        Whether the team was the busy one.
    """

    weights: dict
    threshold: float
    leads: pd.DataFrame
    funnel: pd.DataFrame
    revenue: float
    busy: bool = False

    @property
    def qualified(self) -> int:
        """How many leads qualified."""
        return int(self.leads["qualified"].sum())

    @property
    def contracts(self) -> int:
        """How many leads were won."""
        return int((self.leads["outcome"] == "won").sum())

    def top(self, n: int = 10) -> pd.DataFrame:
        """The ``n`` best-scoring leads (ties in order of arrival)."""
        return (self.leads.sort_values("score", ascending=False, kind="stable")
                .head(n)[_COLUMNS + ["outcome"]].reset_index(drop=True))

    def summary(self) -> str:
        """The numbers in two lines of plain text."""
        w = ", ".join(f"{k} {v:g}" for k, v in self.weights.items())
        team = "busy team" if self.busy else "team"
        return (f"{team}: weights {w}; threshold {self.threshold:g}\n"
                f"Qualified {self.qualified:,} of {len(self.leads):,} leads "
                f"({self.qualified / max(1, len(self.leads)):.1%}); contracts "
                f"{self.contracts:,}; revenue {self.revenue:,.0f} CNY")

    def _repr_html_(self) -> str:
        share = self.qualified / max(1, len(self.leads))
        return (f"<b>Qualified {self.qualified:,} of {len(self.leads):,} leads</b> ({share:.1%})"
                f" &middot; contracts <b>{self.contracts:,}</b> &middot; revenue "
                f"<b>{self.revenue:,.0f} CNY</b>")


def compute_screening(weights: Mapping[str, float] | None = None,
                      threshold: float | None = None, seed: int = SEED,
                      busy: bool = False, scenario: Scenario | None = None
                      ) -> ScreeningResult:
    """Run the lesson's team with other criteria weights and another threshold (R2.1.1.3).

    Parameters
    ----------
    weights : mapping, optional
        Weights of ``industry``, ``company_size``, ``region`` and ``budget`` (>= 0, not all
        0; only their ratios matter). The scenario's by default.
    threshold : float, optional
        The score a lead needs to qualify (0-100); the scenario's by default.
    seed : int
        The run's seed; the same seed brings the same leads whatever the scoring.
    busy : bool
        Use the busy team of :func:`lesson_team` (more web leads than its reps can work).
    scenario : Scenario, optional
        Another team; :func:`lesson_team` by default (``busy`` is then ignored).

    Returns
    -------
    ScreeningResult

    Raises
    ------
    salessim.scenario.ScenarioError
        For weights or a threshold the scenario refuses (negative, all zero, above 100).
    """
    s = _scenario(lesson_team(busy) if scenario is None else scenario, weights, threshold)
    run = simulate(s, seed, trace=False)
    leads = run.ledger.leads
    return ScreeningResult(weights=dict(s.scoring.weights), threshold=s.scoring.threshold,
                           leads=leads, funnel=plots.funnel(run.ledger)[1],
                           revenue=float(run.ledger.deals["amount"].sum()),
                           busy=busy and scenario is None)


def plot_screening(result: ScreeningResult, baseline: ScreeningResult | None = None) -> Figure:
    """Scores with the threshold, and the funnel of this setting beside a baseline.

    Returns a new :class:`matplotlib.figure.Figure`; the numbers behind it are
    ``result.leads["score"]`` and ``result.funnel`` (and the baseline's funnel).
    """
    fig = Figure(figsize=(11, 4))  # fixed margins: a layout engine doubles drawing time
    left, right = fig.subplots(1, 2, gridspec_kw=dict(left=0.06, right=0.98, bottom=0.14,
                                                      top=0.86, wspace=0.32))
    scores = result.leads["score"].to_numpy()
    bins = np.arange(0, 102.5, 2.5)
    qualified = scores >= result.threshold
    left.hist(scores[~qualified], bins=bins, color=_GREY, label="disqualified")
    left.hist(scores[qualified], bins=bins, color=_BLUE, label="qualified")
    left.axvline(result.threshold, color=_RED, linestyle="--",
                 label=f"threshold {result.threshold:g}")
    left.set_xlim(0, 100)
    left.set_xlabel("lead score (points, 0-100)")
    left.set_ylabel("leads (count)")
    left.legend(loc="upper left", frameon=False, fontsize="small")
    left.set_title(f"Qualified: {result.qualified:,} of {len(scores):,} leads")

    stages = result.funnel["stage"].tolist()
    y = np.arange(len(stages))[::-1]
    height = 0.4 if baseline is not None else 0.8
    right.barh(y + (height / 2 if baseline is not None else 0), result.funnel["leads"],
               height=height, color=_BLUE, label="this setting")
    if baseline is not None:
        right.barh(y - height / 2, baseline.funnel["leads"], height=height, color=_GREY,
                   label=f"default (threshold {baseline.threshold:g})")
        right.legend(loc="lower right", frameon=False, fontsize="small")
    right.set_yticks(y, stages)
    right.set_xlabel("leads reaching the stage (count)")
    right.set_title(f"Funnel: {result.contracts:,} contracts, revenue "
                    f"{result.revenue:,.0f} CNY")
    fig.suptitle("Lead scoring: who qualifies, and what it does to the quarter")
    return fig


def screening_dashboard(seed: int = SEED):
    """Sliders for the criteria weights and the threshold; who qualifies and the funnel.

    A check box switches to the busy team of :func:`lesson_team`.

    Returns
    -------
    ipywidgets.VBox
        The main control is the slider ``Threshold``; the numbers are shown in the HTML
        widget ``Result``, with the CSS class ``salessim-result`` ("Qualified 758 of 902
        leads ..."), above the plot and a table of the ten best-scoring leads. A setting the
        scoring system refuses (all weights 0) is explained there instead.
    """
    import ipywidgets as widgets

    default = lesson_scenario().scoring
    wide = {"description_width": "initial"}
    layout = widgets.Layout(width="360px")
    weights = {c: widgets.FloatSlider(value=default.weights.get(c, 0.0), min=0.0, max=1.0,
                                      step=0.05, description=f"Weight: {c.replace('_', ' ')}",
                                      continuous_update=False, style=wide, layout=layout)
               for c in CRITERIA}
    threshold = widgets.IntSlider(value=int(default.threshold), min=0, max=100, step=1,
                                  description="Threshold", continuous_update=False, style=wide,
                                  layout=layout)
    busy = widgets.Checkbox(value=False, description=f"Busy team ({BUSY_FACTOR}x web leads)",
                            style=wide)
    numbers = widgets.HTML(description="Result", style=wide)
    numbers.add_class("salessim-result")
    plot = widgets.Image(format="png", layout=widgets.Layout(max_width="1000px"))
    table = widgets.HTML()
    baselines: dict[bool, ScreeningResult] = {}  # the default setting of each team, once

    @shows_errors(numbers)
    def update(_=None) -> None:
        if busy.value not in baselines:
            baselines[busy.value] = compute_screening(seed=seed, busy=busy.value)
        try:
            result = compute_screening({c: w.value for c, w in weights.items()},
                                       threshold.value, seed, busy=busy.value)
        except ValueError as exc:
            numbers.value = f'<b style="color: {_RED};">{html.escape(str(exc))}</b>'
            return
        numbers.value = result._repr_html_()
        plot.value = png(plot_screening(result, baselines[busy.value]))
        table.value = result.top().to_html(index=False, formatters={
            "budget": "{:,.0f}".format, "score": "{:.1f}".format})

    for control in (*weights.values(), threshold, busy):
        control.observe(update, "value")
    update()
    return widgets.VBox([widgets.HBox([widgets.VBox(list(weights.values())),
                                       widgets.VBox([threshold, busy, numbers])]), plot, table])


