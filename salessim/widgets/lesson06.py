"""Lesson 06 dashboards: one rep's assessment indicators (考核指标) against the targets (R2.2.1).

- :func:`compute_dashboard` reads one rep's row of :func:`salessim.kpi.scorecard` for one
  month, quarter or year: sales revenue (销售额) and its attainment (R2.2.1.1), new customers
  (新增客户) and the retention rate (留存率) (R2.2.1.2), the collection rate (回款率)
  (R2.2.1.3), each with its target and whether it is met. :func:`plot_dashboard` draws each
  KPI as a share of its target, and :func:`kpi_dashboard` lets the learner choose the rep,
  the kind of period and the period.
- :func:`revenue_by_month` arranges :func:`salessim.kpi.revenue` as a month-by-rep table, and
  :func:`plot_revenue_by_month` draws it against the monthly target.

Every number comes from :mod:`salessim.kpi`; this module only arranges them for display.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from .. import kpi
from ..ledger import Ledger, sample_crm_dir
from ..regulation import Targets, _as_targets, _period_kind
from .errors import shows_errors
from .image import png

__all__ = ["PERIOD_KINDS", "DashboardResult", "compute_dashboard", "dashboard_periods",
           "dashboard_reps", "kpi_dashboard", "plot_dashboard", "plot_revenue_by_month",
           "revenue_by_month"]

PERIOD_KINDS = {"M": "month", "Q": "quarter", "Y": "year"}
"""The kinds of period a KPI is assessed over (R2.2.1.1), and their names."""

_KPIS = ("revenue", "new customers", "retention", "collection")
_GREEN, _RED, _GREY = "#1a7f37", "#cf222e", "#57606a"
_CNY = FuncFormatter(lambda x, _: f"{x:,.0f}")


def _percent(fraction: float) -> str:
    """0.85 -> '85%', 0.875 -> '87.5%' (the way targets are written)."""
    return f"{100 * fraction:.1f}".removesuffix(".0") + "%"


def _count(value: float) -> str:
    """50.0 -> '50', 16.666 -> '16.7'."""
    return f"{value:,.1f}".removesuffix(".0")


def _rate(value: float) -> str:
    return "n/a" if np.isnan(value) else f"{value:.1%}"


def _verdict(met: bool) -> str:
    return "met" if met else "not met"


@dataclass(frozen=True)
class DashboardResult:
    """One rep's four regulation KPIs for one period, with their targets (R2.2.1).

    Every value is a column of the rep's row of :func:`salessim.kpi.scorecard`; the rate
    targets are those of the :class:`~salessim.regulation.Targets` used.

    Attributes
    ----------
    rep_id : str
        The rep.
    period_kind : {"M", "Q", "Y"}
        Month, quarter or year.
    period : str
        The period label, e.g. ``"2026-03"``, ``"2026Q1"`` or ``"2026"``.
    revenue, revenue_target : float
        Sales revenue (after discount) and its target, CNY (R2.2.1.1).
    attainment : float
        revenue / revenue_target, a fraction (1.0 = on target).
    new_customers : int
        Customers acquired in the period (R2.2.1.2).
    new_customer_target : float
        The new-customer target for this kind of period (a month's is a third of a quarter's).
    retention_rate, collection_rate : float
        Fractions; NaN when undefined (no customers at the period's start, nothing fell due).
    retention_target, collection_target : float
        The minimum rates, fractions (R2.2.1.2, R2.2.1.3).
    meets_revenue, meets_new_customers, meets_retention, meets_collection : bool
        Whether each target is reached; an undefined rate does not meet its target.
    """

    rep_id: str
    period_kind: str
    period: str
    revenue: float
    revenue_target: float
    attainment: float
    new_customers: int
    new_customer_target: float
    retention_rate: float
    retention_target: float
    collection_rate: float
    collection_target: float
    meets_revenue: bool
    meets_new_customers: bool
    meets_retention: bool
    meets_collection: bool

    @property
    def met(self) -> int:
        """How many of the four targets are met."""
        return sum((self.meets_revenue, self.meets_new_customers, self.meets_retention,
                    self.meets_collection))

    @property
    def flags(self) -> pd.Series:
        """Whether each KPI meets its target, indexed revenue, new customers, retention,
        collection."""
        return pd.Series([self.meets_revenue, self.meets_new_customers, self.meets_retention,
                          self.meets_collection], index=_KPIS, dtype=bool)

    def of_target(self) -> pd.Series:
        """Each KPI as a fraction of its target (1.0 = exactly on target).

        Indexed revenue, new customers, retention, collection; the revenue entry is the
        attainment. NaN for an undefined rate or a target of zero.
        """
        values = np.array([self.revenue, self.new_customers, self.retention_rate,
                           self.collection_rate], dtype="float64")
        targets = np.array([self.revenue_target, self.new_customer_target,
                            self.retention_target, self.collection_target], dtype="float64")
        with np.errstate(divide="ignore", invalid="ignore"):
            ratios = np.where(targets > 0, values / np.where(targets > 0, targets, 1), np.nan)
        return pd.Series(ratios, index=_KPIS, name="of_target")

    def lines(self) -> list[str]:
        """The four KPIs, one line each, e.g. ``Revenue 303,500 CNY (101.2% of 300,000): met``."""
        if np.isnan(self.retention_rate):
            retention = "Retention rate n/a (no customers at the period's start)"
        else:
            retention = f"Retention rate {self.retention_rate:.1%}"
        if np.isnan(self.collection_rate):
            collection = "Collection rate n/a (no invoice fell due)"
        else:
            collection = f"Collection rate {self.collection_rate:.1%}"
        return [
            f"Revenue {self.revenue:,.0f} CNY ({self.attainment:.1%} of "
            f"{self.revenue_target:,.0f}): {_verdict(self.meets_revenue)}",
            f"New customers {self.new_customers} (target {_count(self.new_customer_target)}): "
            f"{_verdict(self.meets_new_customers)}",
            f"{retention}, target {_percent(self.retention_target)}: "
            f"{_verdict(self.meets_retention)}",
            f"{collection}, target {_percent(self.collection_target)}: "
            f"{_verdict(self.meets_collection)}",
        ]

    @property
    def heading(self) -> str:
        """``"R01, 2026Q1 (quarter): 3 of 4 targets met"``."""
        return (f"{self.rep_id}, {self.period} ({PERIOD_KINDS[self.period_kind]}): "
                f"{self.met} of 4 targets met")

    def summary(self) -> str:
        """The heading and the four KPI lines as plain text."""
        return "\n".join([self.heading, *self.lines()])

    def _repr_html_(self) -> str:
        rows = []
        for line, met in zip(self.lines(), self.flags, strict=True):
            text, verdict = line.rsplit(": ", 1)
            colour = _GREEN if met else _RED
            rows.append(f"{html.escape(text)}: <b style=\"color: {colour};\">{verdict}</b>")
        return f"<b>{html.escape(self.heading)}</b><br>" + "<br>".join(rows)


def dashboard_reps(ledger: Ledger) -> list[str]:
    """The reps a scorecard has rows for: those of the ``reps`` table, or every rep_id seen."""
    return sorted(kpi.revenue(ledger, "Y")["rep_id"].unique())


def dashboard_periods(ledger: Ledger, period_kind: str) -> list[str]:
    """The period labels of one kind that the ledger spans (:func:`salessim.kpi.periods`)."""
    return kpi.periods(ledger, _period_kind(period_kind))


def compute_dashboard(ledger: Ledger, rep_id: str, period_kind: str, period_label: str,
                      targets: Targets | dict | None = None) -> DashboardResult:
    """One rep's revenue, new customers, retention and collection rate against targets.

    The values are the rep's row of :func:`salessim.kpi.scorecard` for the period
    (R2.2.1.1, R2.2.1.2, R2.2.1.3).

    Parameters
    ----------
    ledger : Ledger
        The tables to read.
    rep_id : str
        A rep of the scorecard (see :func:`dashboard_reps`).
    period_kind : {"M", "Q", "Y"}
        Month, quarter or year.
    period_label : str
        A period of that kind in the ledger, e.g. ``"2026-03"``, ``"2026Q1"``, ``"2026"``.
    targets : Targets, dict or None
        The per-rep targets, a dict of overrides of the defaults, or None for the
        regulation's defaults.

    Returns
    -------
    DashboardResult

    Raises
    ------
    ValueError
        For an unknown kind of period, a period the ledger does not span (or of another
        kind) or an unknown rep; the message lists the choices.
    """
    kind = _period_kind(period_kind)
    known = kpi.periods(ledger, kind)
    if period_label not in known:
        raise ValueError(
            f"period {period_label!r} is not a {PERIOD_KINDS[kind]} of the ledger; its "
            f"{PERIOD_KINDS[kind]}s: {', '.join(known) or 'none (no dated rows)'}"
        )
    goal = _as_targets(targets)
    return _from_scorecard(kpi.scorecard(ledger, kind, by="rep", targets=goal), rep_id, kind,
                           period_label, goal)


def _from_scorecard(card: pd.DataFrame, rep_id: str, kind: str, period_label: str,
                    goal: Targets) -> DashboardResult:
    """The dashboard of one rep and period, read from a by-rep scorecard of that kind."""
    rows = card[card["period"] == period_label]
    row = rows[rows["rep_id"] == rep_id]
    if row.empty:
        raise ValueError(f"rep {rep_id!r} is not in the ledger; its reps: "
                         f"{', '.join(rows['rep_id'])}")
    r = row.iloc[0]
    return DashboardResult(
        rep_id=rep_id, period_kind=kind, period=period_label,
        revenue=float(r["revenue"]), revenue_target=float(r["revenue_target"]),
        attainment=float(r["attainment"]),
        new_customers=int(r["new_customers"]),
        new_customer_target=float(r["new_customer_target"]),
        retention_rate=float(r["retention_rate"]), retention_target=goal.retention_rate,
        collection_rate=float(r["collection_rate"]), collection_target=goal.collection_rate,
        meets_revenue=bool(r["meets_revenue"]),
        meets_new_customers=bool(r["meets_new_customers"]),
        meets_retention=bool(r["meets_retention"]),
        meets_collection=bool(r["meets_collection"]),
    )


def plot_dashboard(result: DashboardResult) -> Figure:
    """A bar per KPI at its share of the target, green when met, with the 100% line.

    Returns a new :class:`matplotlib.figure.Figure` (not registered with pyplot); the numbers
    behind it are ``result.of_target()`` (in %) and ``result.lines()``. An undefined rate has
    no bar and reads ``n/a``.
    """
    shares = 100 * result.of_target()
    fig = Figure(figsize=(7, 3.6))  # fixed margins: a layout engine doubles drawing time
    ax = fig.subplots(gridspec_kw=dict(left=0.11, right=0.98, bottom=0.2, top=0.88))
    x = np.arange(len(shares))
    colours = [_GREEN if met else _RED for met in result.flags]
    ax.bar(x, shares.fillna(0).to_numpy(), color=colours, width=0.6)
    ax.axhline(100, color=_GREY, linestyle="--", linewidth=1.2, label="target (100%)")
    labels = [
        f"{result.revenue:,.0f} CNY\nof {result.revenue_target:,.0f}",
        f"{result.new_customers}\nof {_count(result.new_customer_target)}",
        _rate(result.retention_rate) + f"\ntarget {_percent(result.retention_target)}",
        _rate(result.collection_rate) + f"\ntarget {_percent(result.collection_target)}",
    ]
    top = max(130.0, float(np.nanmax(shares.to_numpy(), initial=0.0)) * 1.25)
    for i, (share, label) in enumerate(zip(shares, labels, strict=True)):
        ax.text(i, (0 if np.isnan(share) else share) + top * 0.02, label, ha="center",
                va="bottom", fontsize=9)
    ax.set_ylim(0, top)
    ax.set_yticks(np.arange(0, top, 50 * 2 ** max(0, math.ceil(math.log2(top / 350)))))
    ax.set_xticks(x, ["revenue", "new customers", "retention rate", "collection rate"])
    ax.set_ylabel("share of target (%)")
    fig.legend(loc="lower right", frameon=False, fontsize=9)
    ax.set_title(f"{result.rep_id}, {result.period}: KPIs against targets "
                 f"({result.met} of 4 met)", y=1.02)  # a fixed place: quicker to draw
    return fig


def revenue_by_month(ledger: Ledger) -> pd.DataFrame:
    """Sales revenue per rep and month, CNY: :func:`salessim.kpi.revenue` as a table.

    Returns
    -------
    pandas.DataFrame
        One row per month (index ``period``, labels such as ``2026-01``), one column per rep;
        0 where a rep signed nothing.
    """
    rev = kpi.revenue(ledger, "M", by="rep")
    table = rev.pivot(index="period", columns="rep_id", values="revenue")
    return table.rename_axis(columns=None)


def plot_revenue_by_month(table: pd.DataFrame, target: float) -> Figure:
    """Grouped bars of each rep's monthly revenue, with the monthly target as a line.

    Parameters
    ----------
    table : pandas.DataFrame
        As returned by :func:`revenue_by_month`: months by reps, CNY.
    target : float
        The monthly revenue target per rep, CNY (R2.2.1.1), e.g. ``Targets().revenue("M")``.

    Returns
    -------
    matplotlib.figure.Figure
        A new figure (not registered with pyplot); the numbers behind it are ``table``.
    """
    fig = Figure(figsize=(9, 4.2))
    ax = fig.subplots(gridspec_kw=dict(left=0.1, right=0.98, bottom=0.13, top=0.9))
    x = np.arange(len(table.index))
    width = 0.8 / max(1, len(table.columns))
    for i, rep in enumerate(table.columns):
        ax.bar(x + (i - (len(table.columns) - 1) / 2) * width, table[rep].to_numpy(), width,
               label=rep)
    ax.axhline(target, color=_RED, linestyle="--", linewidth=1.5,
               label=f"monthly target ({target:,.0f} CNY)")
    ax.set_xticks(x, list(table.index))
    ax.set_ylim(0, 1.3 * max(target, float(np.nanmax(table.to_numpy(), initial=0.0))))
    ax.yaxis.set_major_formatter(_CNY)
    ax.set_xlabel("month")
    ax.set_ylabel("revenue (CNY)")
    ax.set_title("Sales revenue per rep and month against the monthly target")
    ax.legend(ncols=len(table.columns) + 1, loc="upper center", frameon=False, fontsize=9)
    return fig


def _matching_period(label: str, kind: str, labels: list[str]) -> str:
    """The period of ``kind`` holding the first day of ``label``, else the first of ``labels``."""
    start = pd.Period(label).start_time
    wanted = str(start.to_period(kind))
    return wanted if wanted in labels else labels[0]


def kpi_dashboard(ledger: Ledger | None = None, rep_id: str | None = None,
                  period_kind: str = "Q", period: str | None = None,
                  targets: Targets | dict | None = None):
    """The personal KPI dashboard: drop-downs for the rep, the kind of period and the period.

    Parameters
    ----------
    ledger : Ledger, optional
        The ledger to read; the sample CRM export by default.
    rep_id : str, optional
        The rep shown first; the first rep by default.
    period_kind : {"M", "Q", "Y"}
        The kind of period shown first.
    period : str, optional
        The period shown first; the first one of its kind by default.
    targets : Targets, dict or None
        The targets, a dict of overrides, or None for the regulation's defaults.

    Returns
    -------
    ipywidgets.VBox
        Drop-downs ``Rep``, ``Period kind`` and ``Period``; the KPIs in the HTML widget
        ``KPIs``, with the CSS class ``salessim-result``; the bar chart below.
    """
    import ipywidgets as widgets

    ledger = Ledger.from_csv_dir(sample_crm_dir()) if ledger is None else ledger
    goal = _as_targets(targets)
    reps = dashboard_reps(ledger)
    kind = _period_kind(period_kind)
    labels = dashboard_periods(ledger, kind)
    if not reps or not labels:
        raise ValueError("the ledger has no reps or no dated rows: nothing to show")
    style = {"description_width": "initial"}
    choose_rep = widgets.Dropdown(options=reps, value=rep_id or reps[0], description="Rep",
                                  style=style)
    choose_kind = widgets.Dropdown(options=[(name, k) for k, name in PERIOD_KINDS.items()],
                                   value=kind, description="Period kind", style=style)
    choose_period = widgets.Dropdown(options=labels, value=period or labels[0],
                                     description="Period", style=style)
    numbers = widgets.HTML(description="KPIs")
    numbers.add_class("salessim-result")
    plot = widgets.Image(format="png", layout=widgets.Layout(max_width="700px"))
    switching = [False]
    cards: dict[str, pd.DataFrame] = {}  # the ledger and targets stay fixed: one per kind

    @shows_errors(numbers)
    def update(_=None) -> None:
        if switching[0]:
            return
        kind = choose_kind.value
        if kind not in cards:
            cards[kind] = kpi.scorecard(ledger, kind, by="rep", targets=goal)
        result = _from_scorecard(cards[kind], choose_rep.value, kind, choose_period.value,
                                 goal)
        numbers.value = result._repr_html_()
        plot.value = png(plot_dashboard(result))

    @shows_errors(numbers)
    def switch_kind(_=None) -> None:
        new_labels = dashboard_periods(ledger, choose_kind.value)
        chosen = _matching_period(choose_period.value, choose_kind.value, new_labels)
        switching[0] = True
        try:
            choose_period.options = new_labels
            choose_period.value = chosen
        finally:
            switching[0] = False
        update()

    choose_rep.observe(update, "value")
    choose_period.observe(update, "value")
    choose_kind.observe(switch_kind, "value")
    update()
    return widgets.VBox([widgets.HBox([choose_rep, choose_kind, choose_period]), numbers, plot])


