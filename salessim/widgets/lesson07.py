"""Lesson 07 dashboards: what a quarter's results earn under a pay plan (R2.2.2.1).

- :func:`compute_earnings` is the "what will I earn" calculator: one quarter's pay by
  component under a plan, for the results a rep types in, and what the next 10,000 CNY of
  revenue would add; :func:`plot_earnings` draws the components and
  :func:`earnings_dashboard` puts sliders on it.
- :func:`payout_curve` gives the quarterly pay of several plans on a grid of revenue
  attainments, the other indicators at their targets; :func:`plot_payout_curve` draws it.

Every amount comes from :meth:`salessim.incentives.Plan.pay` and
:func:`salessim.incentives.marginal_pay`; this module only turns a quarter's results into the
measures a plan reads:

- components paid per quarter get the quarter's results as they are;
- components paid per month get three equal months (a third of the revenue and of the new
  customers each, the same rates) and the three months' pay is added up; components paid per
  year get a year of four quarters like this one, and a quarter of the year's pay is shown;
- cash collected (for plans that pay on it) is taken to equal revenue: over a run of
  quarters, what customers pay late arrives in the next quarter, so a quarter's cash is about
  a quarter's sales. The collection rate (回款率) says whether the cash arrives on time.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..incentives import BUILTIN_PLANS, PeriodTargets, load_plan, marginal_pay
from ..regulation import Targets, _as_targets
from .errors import shows_errors
from .image import png

__all__ = ["DEFAULTS", "MARGINAL_STEP", "EarningsResult", "compute_earnings",
           "earnings_dashboard", "payout_curve", "plot_earnings", "plot_payout_curve"]

#: What the next sale is worth is asked for a sale of this size, in CNY.
MARGINAL_STEP = 10_000.0
#: The calculator's starting point: 120% of the regulation's quarterly revenue target, the
#: other indicators exactly at target (R2.2.1).
DEFAULTS = {"plan": "regulation", "revenue": 360_000, "new_customers": 50,
            "retention": 0.85, "collection": 0.90}

_SHARE = {"M": 1 / 3, "Q": 1.0, "Y": 4.0}  # a period of each kind, in quarters
_GREEN, _RED, _BLUE, _GREY = "#1a7f37", "#cf222e", "#0969da", "#6e7781"


@dataclass(frozen=True)
class EarningsResult:
    """One quarter's pay under a plan for given results (R2.2.2.1).

    Attributes
    ----------
    plan : str
        The plan's name.
    revenue, new_customers, retention, collection : float
        The quarter's results: revenue in CNY, new customers, retention rate and collection
        rate as fractions.
    components : tuple of (str, float)
        Each component's pay for the quarter in CNY, in plan order (negative for clawbacks
        and shut gates).
    marginal : float
        What :data:`MARGINAL_STEP` (10,000 CNY) more revenue would add, in CNY.
    targets : PeriodTargets
        The quarter's targets; ``targets.target_pay`` is the plan's target incentive for a
        quarter (what exactly 100% of every target pays under the built-in plans).
    """

    plan: str
    revenue: float
    new_customers: float
    retention: float
    collection: float
    components: tuple[tuple[str, float], ...]
    marginal: float
    targets: PeriodTargets

    @property
    def total(self) -> float:
        """The quarter's pay, all components together, in CNY."""
        return sum(amount for _, amount in self.components) + 0.0

    @property
    def attainment(self) -> float:
        """Revenue over the quarterly revenue target."""
        return self.revenue / self.targets.revenue

    @property
    def by_component(self) -> dict[str, float]:
        """Component name -> CNY for the quarter."""
        return dict(self.components)

    @property
    def headline(self) -> str:
        """``"Total 26,400 CNY this quarter"``."""
        return f"Total {_money(self.total)} CNY this quarter"

    def _results(self) -> str:
        t = self.targets
        return (f"revenue {_money(self.revenue)} CNY ({self.attainment:.1%} of the "
                f"{_money(t.revenue)} target), {self.new_customers:g} new customers (target "
                f"{t.new_customers:g}), retention {self.retention:.1%} (target "
                f"{t.retention:.0%}), collection rate {self.collection:.1%} (target "
                f"{t.collection:.0%})")

    def _next_sale(self) -> str:
        return (f"The next {_money(MARGINAL_STEP)} CNY of revenue would add "
                f"{_money(self.marginal)} CNY.")

    def summary(self) -> str:
        """The results, the pay by component, the total and the next sale's worth, as text."""
        width = max(len(name) for name, _ in self.components)
        lines = [f"Plan {self.plan}: {self._results()}"]
        lines += [f"  {name:<{width}} {_money(amount):>10} CNY"
                  for name, amount in self.components]
        lines.append(f"{self.headline} (target incentive {_money(self.targets.target_pay)} "
                     "CNY)")
        lines.append(self._next_sale())
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = "".join(
            f'<tr><td style="text-align: left;">{html.escape(name)}</td>'
            f'<td style="text-align: right;">{_money(amount)} CNY</td></tr>'
            for name, amount in self.components
        )
        return (f"<b>{html.escape(self.headline)}</b> (target incentive "
                f"{_money(self.targets.target_pay)} CNY)<br>"
                f"<small>Plan {html.escape(self.plan)}: {html.escape(self._results())}</small>"
                f"<table>{rows}</table>{html.escape(self._next_sale())}")


def _money(x: float) -> str:
    """``26,400`` or ``-2,400``: whole CNY, never ``-0``."""
    text = f"{round(x) + 0:,.0f}"
    return "0" if text == "-0" else text


def _check(name: str, value: float, high: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        raise TypeError(f"{name}: expected a number, got {type(value).__name__} {value!r}")
    x = float(value)
    if math.isnan(x) or x < 0 or (high is not None and x > high):
        hint = ""
        if high == 1.0 and 1 < x <= 100:
            hint = f"; give a fraction, e.g. {x / 100:g} for {x:g}%"
        limit = f"between 0 and {high:g}" if high is not None else ">= 0"
        raise ValueError(f"{name}: {value!r} is not allowed: must be {limit}{hint}")
    return x


def _measures(kind: str, revenue: float, new_customers: float, retention: float,
              collection: float) -> dict[str, float]:
    share = _SHARE[kind]
    return {"revenue": revenue * share, "collected": revenue * share,
            "new_customers": new_customers * share, "retention": retention,
            "collection": collection}


def compute_earnings(plan_name, revenue: float, new_customers: float, retention: float,
                     collection: float, targets: Targets | dict | None = None
                     ) -> EarningsResult:
    """What a quarter's results earn under a plan: by component, in total, and at the margin.

    Parameters
    ----------
    plan_name : str, Plan, path or dict
        A built-in plan name (``regulation``, ``linear``, ...) or anything
        :func:`salessim.incentives.load_plan` accepts.
    revenue : float
        The quarter's sales revenue (销售额) in CNY (R2.2.1.1).
    new_customers : float
        New customers won in the quarter (R2.2.1.2).
    retention, collection : float
        Retention rate (留存率, R2.2.1.2) and collection rate (回款率, R2.2.1.3), fractions
        between 0 and 1.
    targets : Targets, dict or None
        The targets (R2.2.1); None for the regulation's defaults.

    Returns
    -------
    EarningsResult
        Pay per component from :meth:`Plan.pay` (see the module docstring for how monthly
        and yearly components are fed), and the pay :func:`marginal_pay` gives to
        10,000 CNY more revenue.

    Raises
    ------
    ValueError
        For a negative number or a rate outside 0-1 (naming the field and the value).
    PlanError
        For an unknown plan name or an invalid plan.
    """
    revenue = _check("revenue", revenue)
    new_customers = _check("new_customers", new_customers)
    retention = _check("retention", retention, 1.0)
    collection = _check("collection", collection, 1.0)
    plan = load_plan(plan_name)
    base = _as_targets(targets)
    amounts: dict[str, float] = {c.name: 0.0 for c in plan.components}
    state = {}
    for kind in plan.periods:
        state[kind] = _measures(kind, revenue, new_customers, retention, collection)
        paid = plan.pay(kind, state[kind], plan.targets_for(kind, base))
        for name, amount in paid.items():
            amounts[name] += amount / _SHARE[kind]
    step = {"revenue": MARGINAL_STEP, "collected": MARGINAL_STEP}
    return EarningsResult(
        plan=plan.name, revenue=revenue, new_customers=new_customers, retention=retention,
        collection=collection,
        components=tuple((name, amount + 0.0) for name, amount in amounts.items()),
        marginal=marginal_pay(plan, state, step, base) + 0.0,
        targets=plan.targets_for("Q", base),
    )


def payout_curve(plans: Iterable = BUILTIN_PLANS, attainments: Iterable[float] | None = None,
                 targets: Targets | dict | None = None) -> pd.DataFrame:
    """Each plan's pay for a quarter against revenue attainment, other indicators at target.

    Parameters
    ----------
    plans : iterable
        Plan names or plans (anything :func:`~salessim.incentives.load_plan` accepts);
        the six built-in plans by default.
    attainments : iterable of float, optional
        Revenue over the quarterly revenue target; 0 to 2 in steps of 0.1 by default.
    targets : Targets, dict or None
        The targets; None for the regulation's defaults. New customers, retention and
        collection rate are set exactly at theirs.

    Returns
    -------
    pandas.DataFrame
        Index ``attainment``, one column per plan (its name): CNY per quarter, from
        :func:`compute_earnings`.
    """
    base = _as_targets(targets)
    grid = np.round(np.linspace(0, 2, 21), 10) if attainments is None else list(attainments)
    quarter = PeriodTargets.of(base, "Q", 1.0)
    columns = {}
    for spec in plans:
        plan = load_plan(spec)
        columns[plan.name] = [
            compute_earnings(plan, a * quarter.revenue, quarter.new_customers,
                             quarter.retention, quarter.collection, base).total
            for a in grid
        ]
    return pd.DataFrame(columns, index=pd.Index(np.asarray(grid, dtype=float),
                                                name="attainment"))


def plot_payout_curve(curve: pd.DataFrame, target_pay: float | None = None) -> Figure:
    """Lines of quarterly pay against revenue attainment, with the target drawn.

    Parameters
    ----------
    curve : pandas.DataFrame
        A table from :func:`payout_curve`.
    target_pay : float, optional
        The target incentive for a quarter in CNY, drawn as a horizontal line.

    Returns
    -------
    matplotlib.figure.Figure
        A new figure (not registered with pyplot); the numbers behind it are ``curve``.
    """
    fig = Figure(figsize=(9, 5))
    ax = fig.subplots(gridspec_kw=dict(left=0.1, right=0.97, bottom=0.11, top=0.9))
    x = 100 * curve.index.to_numpy()
    widths = np.linspace(4.5, 1.5, max(len(curve.columns), 2))  # overlapping lines stay visible
    for name, width in zip(curve.columns, widths, strict=False):
        ax.plot(x, curve[name].to_numpy(), label=name, linewidth=width)
    ax.axvline(100, color=_GREY, linestyle="--", linewidth=1, label="revenue target (100%)")
    if target_pay is not None:
        ax.axhline(target_pay, color=_GREY, linestyle=":", linewidth=1,
                   label=f"target incentive ({_money(target_pay)} CNY)")
    ax.set_xlabel("revenue attainment (% of the quarterly revenue target)")
    ax.set_ylabel("pay for the quarter (CNY)")
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
    ax.set_xlim(x.min(), x.max())
    ax.set_ylim(bottom=min(0.0, float(curve.min().min())))
    ax.legend(loc="upper left", frameon=False, fontsize="small")
    ax.set_title("Quarterly pay against revenue attainment (other indicators at target)")
    return fig


def plot_earnings(result: EarningsResult) -> Figure:
    """Bars of the quarter's pay by component and in total, with the target incentive drawn.

    Returns a new :class:`matplotlib.figure.Figure`; the numbers behind it are
    ``result.components`` and ``result.total``.
    """
    fig = Figure(figsize=(7, 4))
    ax = fig.subplots(gridspec_kw=dict(left=0.15, right=0.97, bottom=0.12, top=0.88))
    names = [name for name, _ in result.components] + ["total"]
    values = [amount for _, amount in result.components] + [result.total]
    colours = [_GREEN if v >= 0 else _RED for v in values[:-1]] + [_BLUE]
    ax.bar(names, values, color=colours)
    ax.axhline(result.targets.target_pay, color=_GREY, linestyle=":", linewidth=1,
               label=f"target incentive ({_money(result.targets.target_pay)} CNY)")
    ax.axhline(0, color="black", linewidth=0.8)
    top = max(*values, result.targets.target_pay)
    ax.set_ylim(1.1 * min(0.0, *values), 1.3 * top)  # room for the legend above the bars
    ax.set_ylabel("pay for the quarter (CNY)")
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
    ax.legend(loc="upper left", frameon=False, fontsize="small")
    ax.set_title(f"Plan {result.plan}: {result.headline}")
    return fig


def earnings_dashboard(targets: Targets | dict | None = None):
    """The "what will I earn" calculator: sliders for a quarter's results and a plan menu.

    Parameters
    ----------
    targets : Targets, dict or None
        The targets; None for the regulation's defaults.

    Returns
    -------
    ipywidgets.VBox
        The main control is the slider ``Revenue (CNY)``; the pay is shown in the HTML widget
        ``Earnings``, with the CSS class ``salessim-result`` ("Total 26,400 CNY this
        quarter"), above a bar chart by component.
    """
    import ipywidgets as widgets

    wide = {"description_width": "initial"}
    layout = widgets.Layout(width="460px")
    plan = widgets.Dropdown(options=list(BUILTIN_PLANS), value=DEFAULTS["plan"],
                            description="Plan", style=wide)
    revenue = widgets.IntSlider(value=DEFAULTS["revenue"], min=0, max=900_000, step=10_000,
                                description="Revenue (CNY)", readout_format=",d", style=wide,
                                layout=layout)
    new = widgets.IntSlider(value=DEFAULTS["new_customers"], min=0, max=120, step=1,
                            description="New customers", style=wide, layout=layout)
    retention = widgets.FloatSlider(value=DEFAULTS["retention"], min=0, max=1, step=0.01,
                                    description="Retention rate", readout_format=".0%",
                                    style=wide, layout=layout)
    collection = widgets.FloatSlider(value=DEFAULTS["collection"], min=0, max=1, step=0.01,
                                     description="Collection rate", readout_format=".0%",
                                     style=wide, layout=layout)
    result = widgets.HTML(description="Earnings", style=wide)
    result.add_class("salessim-result")
    plot = widgets.Image(format="png", layout=widgets.Layout(max_width="700px"))

    @shows_errors(result)
    def update(_=None) -> None:
        earned = compute_earnings(plan.value, revenue.value, new.value, retention.value,
                                  collection.value, targets)
        result.value = earned._repr_html_()
        plot.value = png(plot_earnings(earned))

    for control in (plan, revenue, new, retention, collection):
        control.observe(update, "value")
    update()
    return widgets.VBox([plan, revenue, new, retention, collection, result, plot])
