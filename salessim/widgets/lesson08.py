"""Lesson 08 dashboards: satisfaction surveys (R2.3.1.3) and masking an extract (R2.3.1.2).

- :func:`compute_surveys` gathers, for one period and team, the customer satisfaction
  survey (客户满意度调查) answers and the two scores read from them, CSAT and NPS, both
  taken from :mod:`salessim.kpi`; :func:`plot_surveys` draws the answers, and
  :func:`survey_dashboard` lets the learner choose the period and the team.
- :func:`compute_masking` masks a CRM extract by a set of rules and checks the result with
  :func:`salessim.privacy.find_unmasked`; :func:`masking_dashboard` chooses the rule of each
  column with a drop-down.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd
from matplotlib.figure import Figure

from .. import kpi
from ..ledger import Ledger, sample_crm_dir
from ..privacy import RULES, find_unmasked, mask_extract
from .errors import shows_errors
from .image import png

__all__ = ["MaskingPreview", "SurveyResult", "compute_masking", "compute_surveys",
           "masking_dashboard", "plot_surveys", "survey_dashboard", "survey_periods",
           "survey_teams"]

CSAT_SCALE = range(1, 6)
NPS_SCALE = range(0, 11)
_GREEN, _GREY, _RED = "#1a7f37", "#8c959f", "#cf222e"
_ALL_TEAMS = "All teams"
_RULE_ORDER = ["keep", "drop", *(rule for rule in RULES if rule not in ("keep", "drop"))]


# ------------------------------------------------------------------ surveys (R2.3.1.3)
@dataclass(frozen=True)
class SurveyResult:
    """The survey answers of one period and team, and their CSAT and NPS.

    Attributes
    ----------
    period : str
        The period label, e.g. ``"2026Q1"`` or ``"2026"``.
    team : str or None
        The team, or None for the whole company.
    csat : float
        Share of CSAT answers of 4 or 5 (0 to 1), from :func:`salessim.kpi.csat`; NaN
        without answers.
    nps : float
        % promoters minus % detractors (-100 to 100), from :func:`salessim.kpi.nps`; NaN
        without answers.
    csat_counts, nps_counts : pandas.Series
        Number of answers per score, indexed 1-5 and 0-10.
    """

    period: str
    team: str | None
    csat: float
    nps: float
    csat_counts: pd.Series
    nps_counts: pd.Series

    @property
    def answers(self) -> int:
        """How many customers answered."""
        return int(self.csat_counts.sum())

    @property
    def satisfied(self) -> int:
        """CSAT answers of 4 or 5."""
        return int(self.csat_counts.loc[4:].sum())

    @property
    def promoters(self) -> int:
        """NPS answers of 9 or 10."""
        return int(self.nps_counts.loc[9:].sum())

    @property
    def passives(self) -> int:
        """NPS answers of 7 or 8."""
        return int(self.nps_counts.loc[7:8].sum())

    @property
    def detractors(self) -> int:
        """NPS answers of 0 to 6."""
        return int(self.nps_counts.loc[:6].sum())

    @property
    def who(self) -> str:
        """``"all teams"`` or ``"team North"``."""
        return "all teams" if self.team is None else f"team {self.team}"

    def summary(self) -> str:
        """The numbers in two lines of plain text."""
        if not self.answers:
            return f"{self.period}, {self.who}: no survey answers"
        return (f"{self.period}, {self.who}: {_n(self.answers, 'answer')}\n"
                f"CSAT {self.csat:.1%} ({self.satisfied} of {self.answers} answered 4 or 5); "
                f"NPS {self.nps:+.1f} ({self._groups()})")

    def _groups(self) -> str:
        return (f"{_n(self.promoters, 'promoter')}, {_n(self.passives, 'passive')}, "
                f"{_n(self.detractors, 'detractor')}")

    def _repr_html_(self) -> str:
        where = f"<b>{html.escape(self.period)}, {html.escape(self.who)}</b>"
        if not self.answers:
            return f"{where}: no survey answers"
        return (f"{where}: {_n(self.answers, 'answer')}<br><b>CSAT {self.csat:.1%}</b> "
                f"({self.satisfied} of {self.answers} answered 4 or 5) &middot; "
                f"<b>NPS {self.nps:+.1f}</b> ({self._groups()})")


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _kind(period: str) -> str:
    if re.fullmatch(r"\d{4}Q[1-4]", period):
        return "Q"
    if re.fullmatch(r"\d{4}-\d{2}", period):
        return "M"
    if re.fullmatch(r"\d{4}", period):
        return "Y"
    raise ValueError(f"period {period!r}: expected a month, quarter or year label such as "
                     "'2026-03', '2026Q1' or '2026'")


def _answers(ledger: Ledger) -> pd.DataFrame:
    """The survey answers with the customer's rep and that rep's team."""
    surveys = ledger.table("surveys").merge(ledger.customers[["customer_id", "rep_id"]],
                                            on="customer_id", how="left")
    return surveys.merge(ledger.table("reps")[["rep_id", "team"]], on="rep_id", how="left")


def survey_periods(ledger: Ledger) -> list[str]:
    """The quarters, then the years, in which at least one customer answered a survey."""
    dates = ledger.table("surveys")["surveyed_on"]
    return [label for kind in ("Q", "Y")
            for label in sorted(dates.dt.to_period(kind).astype(str).unique())]


def survey_teams(ledger: Ledger) -> list[str]:
    """The teams of the ``reps`` table, in order."""
    return sorted(ledger.table("reps")["team"].dropna().unique())


def compute_surveys(ledger: Ledger, period: str, team: str | None = None) -> SurveyResult:
    """CSAT, NPS and the answers behind them for one period and team (R2.3.1.3).

    Parameters
    ----------
    ledger : Ledger
        A ledger with ``surveys``, ``customers`` and ``reps``.
    period : str
        A month, quarter or year label: ``"2026-03"``, ``"2026Q1"``, ``"2026"``.
    team : str, optional
        A team of the ``reps`` table; None for the whole company.

    Returns
    -------
    SurveyResult

    Raises
    ------
    ValueError
        For a period outside the ledger or an unknown team; the message lists the choices.
    """
    kind = _kind(period)
    known = kpi.periods(ledger, kind)
    if period not in known:
        raise ValueError(f"period {period!r} is not in the ledger; its periods of this kind: "
                         f"{', '.join(known) or 'none'}")
    teams = survey_teams(ledger)
    if team is not None and team not in teams:
        raise ValueError(f"team {team!r} is not in the reps table; its teams: "
                         f"{', '.join(teams)}")
    by = "company" if team is None else "team"

    def score(frame: pd.DataFrame, column: str) -> float:
        rows = frame[frame["period"] == period]
        if team is not None:
            rows = rows[rows["team"] == team]
        return float(rows[column].item())

    answers = _answers(ledger)
    mine = answers["surveyed_on"].dt.to_period(kind).astype(str) == period
    if team is not None:
        mine &= answers["team"] == team
    chosen = answers[mine]
    return SurveyResult(
        period=period,
        team=team,
        csat=score(kpi.csat(ledger, kind, by=by), "csat"),
        nps=score(kpi.nps(ledger, kind, by=by), "nps"),
        csat_counts=chosen["csat"].value_counts().reindex(CSAT_SCALE, fill_value=0)
        .rename_axis("answer").rename("answers"),
        nps_counts=chosen["nps"].value_counts().reindex(NPS_SCALE, fill_value=0)
        .rename_axis("answer").rename("answers"),
    )


def plot_surveys(result: SurveyResult) -> Figure:
    """Bar charts of the CSAT and NPS answers, coloured as the scores count them.

    Returns a new :class:`matplotlib.figure.Figure` (not registered with pyplot); the
    numbers behind it are ``result.csat_counts`` and ``result.nps_counts``.
    """
    fig = Figure(figsize=(10, 3.8))  # fixed margins: a layout engine doubles drawing time
    left, right = fig.subplots(1, 2, width_ratios=[5, 11],
                               gridspec_kw=dict(left=0.06, right=0.99, bottom=0.2, top=0.84,
                                                wspace=0.16))
    colours = [_GREEN if k >= 4 else _GREY for k in CSAT_SCALE]
    left.bar(list(CSAT_SCALE), result.csat_counts.to_numpy(), color=colours)
    left.set_xticks(list(CSAT_SCALE))
    left.set_xlabel("CSAT answer\n(1 = very dissatisfied, 5 = very satisfied)")
    left.set_ylabel("customers (count)")
    csat = "no answers" if not result.answers else f"CSAT {result.csat:.1%} (green share)"
    left.set_title(f"Satisfaction: {csat}")

    groups = [("detractors (0-6)", _RED, range(0, 7)), ("passives (7-8)", _GREY, range(7, 9)),
              ("promoters (9-10)", _GREEN, range(9, 11))]
    for label, colour, scores in groups:
        right.bar(list(scores), result.nps_counts.loc[list(scores)].to_numpy(), color=colour,
                  label=label)
    right.set_xticks(list(NPS_SCALE))
    right.set_xlabel("NPS answer: how likely to recommend us\n"
                     "(0 = not at all, 10 = extremely likely)")
    right.set_ylabel("customers (count)")
    nps = "no answers" if not result.answers else f"NPS {result.nps:+.1f} points"
    right.set_title(f"Recommendation: {nps}")
    right.legend(loc="upper left", frameon=False)
    top = max(1, int(result.csat_counts.max()), int(result.nps_counts.max()))
    for ax in (left, right):
        ax.set_ylim(0, top + 1)
        ax.yaxis.get_major_locator().set_params(integer=True)
    fig.suptitle(f"Customer satisfaction surveys, {result.period}, {result.who} "
                 f"({_n(result.answers, 'answer')})")
    return fig


def survey_dashboard(ledger: Ledger | None = None, period: str | None = None):
    """Drop-downs for the period and the team, the CSAT and NPS numbers and their plot.

    Parameters
    ----------
    ledger : Ledger, optional
        The ledger to read; the sample CRM export by default.
    period : str, optional
        The period shown first; the first quarter with answers by default.

    Returns
    -------
    ipywidgets.VBox
        The main control is the ``Period`` drop-down; the numbers are shown in the HTML
        widget ``Scores``, with the CSS class ``salessim-result``.
    """
    import ipywidgets as widgets

    ledger = Ledger.from_csv_dir(sample_crm_dir()) if ledger is None else ledger
    periods = survey_periods(ledger)
    choose_period = widgets.Dropdown(options=periods, value=period or periods[0],
                                     description="Period")
    choose_team = widgets.Dropdown(options=[_ALL_TEAMS, *survey_teams(ledger)],
                                   value=_ALL_TEAMS, description="Team")
    numbers = widgets.HTML(description="Scores")
    numbers.add_class("salessim-result")
    plot = widgets.Image(format="png", layout=widgets.Layout(max_width="1000px"))

    @shows_errors(numbers)
    def update(_=None) -> None:
        team = None if choose_team.value == _ALL_TEAMS else choose_team.value
        result = compute_surveys(ledger, choose_period.value, team)
        numbers.value = result._repr_html_()
        plot.value = png(plot_surveys(result))

    choose_period.observe(update, "value")
    choose_team.observe(update, "value")
    update()
    return widgets.VBox([widgets.HBox([choose_period, choose_team]), numbers, plot])


# ------------------------------------------------------------------ masking (R2.3.1.2)
@dataclass(frozen=True)
class MaskingPreview:
    """An extract masked by a set of rules, and what :func:`find_unmasked` says of it.

    Attributes
    ----------
    table : pandas.DataFrame or None
        The masked extract; None when a rule could not be applied.
    unmasked : pandas.DataFrame
        :func:`~salessim.privacy.find_unmasked` of the table (empty when it is clean).
    error : str or None
        Why a rule could not be applied (a phone rule on a column of names, ...).
    """

    table: pd.DataFrame | None
    unmasked: pd.DataFrame
    error: str | None = None

    @property
    def safe(self) -> bool:
        """Whether the masked extract shows no mobile number, ID number or email address."""
        return self.error is None and self.unmasked.empty

    @property
    def verdict(self) -> str:
        """One line: what still needs masking, or that the check found nothing."""
        if self.error is not None:
            return f"Cannot mask: {self.error}"
        if self.unmasked.empty:
            return ("No unmasked mobile numbers, ID numbers or email addresses found. Names "
                    "cannot be checked by their form: make sure every name column is masked.")
        found = "; ".join(f"{r.column}: {r.values} {r.looks_like}"
                          f"{'s' if r.values > 1 else ''}"
                          for r in self.unmasked.itertuples(index=False))
        return f"Not safe to share. Still unmasked: {found}."


def compute_masking(extract: pd.DataFrame,
                    rules: Mapping[str, str]) -> MaskingPreview:
    """Mask an extract with :func:`salessim.privacy.mask_extract` and check the result.

    Parameters
    ----------
    extract : pandas.DataFrame
        The extract; it is not modified.
    rules : mapping of column to rule
        As for :func:`~salessim.privacy.mask_extract` (``"keep"``, ``"drop"``,
        ``"phone"``, ``"id_card"``, ``"name"``, ``"email"``).

    Returns
    -------
    MaskingPreview
        A rule that cannot be applied to its column's values is reported in ``error`` (the
        check then runs on the extract as it is), not raised.
    """
    try:
        table = mask_extract(extract, rules)
    except (KeyError, ValueError) as exc:
        message = exc.args[0] if exc.args else str(exc)
        return MaskingPreview(None, find_unmasked(extract), str(message))
    return MaskingPreview(table, find_unmasked(table))


def masking_dashboard(extract: pd.DataFrame, rules: Mapping[str, str] | None = None):
    """One drop-down per column choosing its rule; the masked table and the check update.

    Parameters
    ----------
    extract : pandas.DataFrame
        The extract to mask; it is not modified.
    rules : mapping of column to rule, optional
        The rules selected at first; ``"keep"`` for the columns not named.

    Returns
    -------
    ipywidgets.VBox
        The verdict is shown in the HTML widget ``Check``, with the CSS class
        ``salessim-masking-result``.
    """
    import ipywidgets as widgets

    rules = dict(rules or {})
    choices = {
        column: widgets.Dropdown(options=_RULE_ORDER, value=rules.get(column, "keep"),
                                 description=str(column),
                                 style={"description_width": "initial"})
        for column in extract.columns
    }
    verdict = widgets.HTML(description="Check")
    verdict.add_class("salessim-masking-result")
    table = widgets.HTML()

    @shows_errors(verdict)
    def update(_=None) -> None:
        preview = compute_masking(extract, {c: w.value for c, w in choices.items()})
        colour = _GREEN if preview.safe else _RED
        verdict.value = (f'<b style="color: {colour};">{"Safe" if preview.safe else "Not yet"}'
                         f"</b>: {html.escape(preview.verdict)}")
        shown = extract if preview.table is None else preview.table
        table.value = shown.to_html(index=False, na_rep="", float_format="{:,.2f}".format)

    for widget in choices.values():
        widget.observe(update, "value")
    update()
    return widgets.VBox([widgets.GridBox(list(choices.values()),
                                         layout=widgets.Layout(
                                             grid_template_columns="repeat(3, 1fr)")),
                         verdict, table])
