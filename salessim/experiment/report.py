"""A self-contained HTML report of a results folder, for a trainer to send to managers.

One file, no links: tables are HTML, figures are PNG images embedded as base64. It shows
what was run, the plain-words summary, the means and paired differences with their 95%
ranges, the replications needed for tighter ranges, and the figures of
:mod:`salessim.plots`. The per-run figures (period-end spike, funnel, one rep's revenue
against target) come from replication 0 of the baseline plan, simulated again from the saved
configuration (the same seed gives the same run).
"""

from __future__ import annotations

import base64
import html
import io
import math
import tomllib
from pathlib import Path

from ..ledger import atomic_write_text
from .results import HEADLINE, LABELS, Results, load_results

__all__ = ["write_report", "render_report"]

_CSS = """
body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;color:#222;padding:0 1em}
table{border-collapse:collapse;margin:1em 0;font-size:90%}
th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}
th:first-child,td:first-child{text-align:left}
pre{background:#f6f6f6;padding:1em;white-space:pre-wrap}
img{max-width:100%;display:block;margin:1em 0}
.note{color:#555;font-size:90%}
"""


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, metadata={"Software": None})
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img alt="{html.escape(fig.axes[0].get_title() if fig.axes else "")}" ' \
           f'src="data:image/png;base64,{data}">'


def _fmt(value: float, unit: str) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a"
    if unit == "%":
        return f"{100 * value:.1f}%"
    if unit == "CNY":
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def _summary_table(res: Results) -> str:
    s = res.summary(HEADLINE)
    s = s.assign(value=[f"{_fmt(m, LABELS[k][1])} ({_fmt(lo, LABELS[k][1])} to "
                        f"{_fmt(hi, LABELS[k][1])})"
                        for m, lo, hi, k in zip(s["mean"], s["low"], s["high"], s["kpi"],
                                                strict=True)],
                 kpi=[f"{LABELS[k][0]} ({LABELS[k][1]})" for k in s["kpi"]])
    index = ["kpi"] + [c for c in res.grid]
    table = s.pivot_table(index=index, columns="plan", values="value", aggfunc="first",
                          sort=False)
    return table[res.plans].to_html(escape=True)


def _differences_table(res: Results) -> str:
    if len(res.plans) < 2:
        return "<p>One plan only: no differences.</p>"
    d = res.differences(kpis=HEADLINE)
    units = [LABELS[k][1] for k in d["kpi"]]
    d = d.assign(
        kpi=[f"{LABELS[k][0]} ({LABELS[k][1]})" for k in d["kpi"]],
        difference=[_fmt(v, u) for v, u in zip(d["difference"], units, strict=True)],
        range=[f"{_fmt(lo, u)} to {_fmt(hi, u)}"
               for lo, hi, u in zip(d["low"], d["high"], units, strict=True)])
    cols = [*res.grid, "plan", "baseline", "kpi", "difference", "range", "verdict"]
    return d[cols].to_html(index=False, escape=True)


def _needed_table(res: Results) -> str:
    n = res.replications_needed(0.02, kpis=["revenue", "pay"], relative=True)
    n = n[[*res.grid, "plan", "kpi", "estimate", "replications", "replications_needed"]]
    return n.to_html(index=False, escape=True, float_format=lambda x: f"{x:,.0f}")


def _figures(res: Results) -> list[str]:
    from .. import plots

    out = []
    out.append(_png(plots.payout_curve(res.config["plans"], period=res.config["period"])[0]))
    out.append(_png(plots.kpi_distributions(res)[0]))
    if len(res.plans) > 1:
        out.append(_png(plots.forest(res)[0]))
    out.append(_png(plots.cost_vs_revenue(res)[0]))
    if res.config["by"] == "rep":
        out.append(_png(plots.pay_volatility(res)[0]))
    for parameter in res.grid:
        out.append(_png(plots.sweep_lines(res, "revenue", parameter)[0]))
    return out


def _example_run(res: Results) -> list[str]:
    from .. import plots
    from ..model import simulate
    from ..scenario import Scenario

    cfg = res.config
    scenario = Scenario.from_dict({**tomllib.loads(cfg["scenario_toml"]),
                                   "plan": cfg["plans"][0]})
    if res.grid:
        first = {k: v[0] for k, v in res.grid.items()}
        scenario = scenario.with_overrides(first)
    seed = int(res.data["seed"].iloc[0]) if len(res.data) else 0
    run = simulate(scenario, seed=seed)
    figs = [plots.revenue_by_working_day(run.ledger, run.calendar)[0],
            plots.funnel(run.ledger)[0],
            plots.cumulative_revenue(run.ledger, str(run.ledger.reps["rep_id"].iloc[0]),
                                     scenario.targets)[0]]
    return [_png(f) for f in figs]


def render_report(res: Results) -> str:
    """The HTML text of the report of ``res`` (see the module documentation)."""
    cfg = res.config
    scen = cfg["scenario"]
    esc = html.escape
    plans = "".join(f"<li><b>{esc(p['name'])}</b>: {esc(p.get('description', ''))}</li>"
                    for p in cfg["plans"])
    grid = "".join(f"<li>{esc(k)}: {esc(', '.join(map(str, v)))}</li>"
                   for k, v in res.grid.items())
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Incentive plans on {esc(scen.get('name', ''))}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>Incentive plans compared on scenario {esc(scen.get('name', ''))!r}</h1>",
        f"<p>{esc(scen.get('description', ''))}</p>",
        f"<p>{cfg['replications']} replications per plan (seed {cfg['seed']}), one row per "
        f"{esc(res.unit_words())}. Replication <i>i</i> of every plan met the same leads, "
        "customers and luck (common random numbers), so differences between plans are "
        "measured pair by pair.</p>",
        f"<h2>Plans</h2><ul>{plans}</ul>",
    ]
    if grid:
        parts.append(f"<h2>Swept parameters</h2><ul>{grid}</ul>")
    parts += [
        "<h2>Summary in plain words</h2>", f"<pre>{esc(res.format_summary())}</pre>",
        "<h2>Means per plan (95% range)</h2>", _summary_table(res),
        f"<h2>Differences against {esc(res.baseline)} (paired, 95% range)</h2>",
        _differences_table(res),
        "<h2>Replications needed</h2>",
        "<p class=note>For a 95% range of +/- 2% of the baseline's mean, estimated from the "
        "spread between these replications.</p>", _needed_table(res),
        "<h2>Figures</h2>", *_figures(res),
        f"<h2>One run in detail</h2><p class=note>Replication 0 of {esc(res.baseline)}, "
        "simulated again from the saved configuration.</p>", *_example_run(res),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def write_report(folder: str | Path, out: str | Path | None = None) -> Path:
    """Write the HTML report of a results folder (default ``<folder>/report.html``).

    The file is written to a temporary name and renamed, so it is never half-written.
    """
    res = load_results(folder)
    if res.data.empty:
        raise ValueError(f"{folder} holds no finished replications yet")
    path = Path(out) if out else Path(folder) / "report.html"
    atomic_write_text(path, render_report(res))
    return path

