"""An experiment's summary in plain words, for a trainer who is not a statistician.

Each number is a mean over replications with its "95% range" (the 95% confidence interval:
where the true long-run mean lies, with 95% confidence). A difference between two plans is
"clearly higher" or "clearly lower" when its whole range lies on one side of 0, and "not
clearly different" when the range includes 0. Numbers are rounded to what the range
supports: a range of +/- 9,400 CNY is shown to the hundred.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from .results import _PER_UNIT, LABELS

if TYPE_CHECKING:
    from .results import Results

__all__ = ["format_summary"]


_MIN_DECIMALS = {"%": 1, "days": 2}


def _step(half_width: float, unit: str) -> float:
    """Rounding step, in the unit shown (CNY, percentage points, days, counts): a tenth of
    the range's order of magnitude; at least 1 CNY, at most 2 decimals otherwise."""
    shown = half_width * (100 if unit == "%" else 1)
    if unit == "CNY":
        if not shown > 0 or not math.isfinite(shown):
            return 1.0
        return max(1.0, 10.0 ** (math.floor(math.log10(shown)) - 1))
    coarsest = 10.0 ** -_MIN_DECIMALS.get(unit, 1)
    if not shown > 0 or not math.isfinite(shown):
        return coarsest
    return min(coarsest, max(0.01, 10.0 ** (math.floor(math.log10(shown)) - 1)))


def _num(x: float, unit: str, step: float, sign: bool = False) -> str:
    if not math.isfinite(x):
        return "n/a"
    plus = "+" if sign else ""
    if unit == "CNY":
        value = round(x / step) * step + 0.0
        return f"{value:{plus},.0f} CNY"
    decimals = max(0, round(-math.log10(step)))
    value = round(x * (100 if unit == "%" else 1), decimals) + 0.0
    text = f"{value:{plus},.{decimals}f}"
    if unit == "%":
        return text + (" points" if sign else "%")
    return text + (" days" if unit == "days" else "")


def _range(low: float, high: float, unit: str, step: float, level: float) -> str:
    if not (math.isfinite(low) and math.isfinite(high)):
        return "no range from one replication"
    lo, hi = _num(low, unit, step, sign=True), _num(high, unit, step, sign=True)
    for suffix in (" CNY", " points", " days"):
        lo = lo.removesuffix(suffix)
    return f"{level:.0%} range {lo} to {hi}"


def _mean_range(low: float, high: float, unit: str, step: float, level: float) -> str:
    if not (math.isfinite(low) and math.isfinite(high)):
        return "one replication: no range"
    return (f"{level:.0%} range {_num(low, unit, step).removesuffix(' CNY')} to "
            f"{_num(high, unit, step)}")


def _label(kpi: str, unit_words: str) -> str:
    label, unit = LABELS[kpi]
    if kpi in _PER_UNIT:
        return f"{label} per {unit_words}"
    if kpi == "delivery_delay":
        return f"{label} per order (working days)"
    return label


def _point_title(res: Results, point: int) -> str:
    row = res.data[res.data["point"] == point].iloc[0]
    return ", ".join(f"{k} = {row[k]}" for k in res.grid)


def format_summary(res: Results, kpis: list[str], baseline: str, level: float) -> str:
    """The lines of :meth:`Results.format_summary`."""
    cfg = res.config
    plans = res.plans
    others = [p for p in plans if p != baseline]
    n = cfg["replications"]
    scen = cfg["scenario"].get("name", "?") if isinstance(cfg["scenario"], dict) else "?"
    lines = [
        f"Scenario {scen!r}: {n} replication{'s' * (n != 1)} (seed {cfg['seed']}) of "
        f"plan{'s' * (len(plans) != 1)} {', '.join(plans)}."
    ]
    if not res.complete:
        lines.append("The run is not finished: these numbers cover the replications done so "
                     "far. Run the same command again to complete it.")
    lines.append(f"Each number is the mean over replications; its {level:.0%} range is where "
                 f"the true long-run mean lies, with {level:.0%} confidence.")
    unit = res.unit_words()
    first = res.data[(res.data["point"] == 0) & (res.data["replication"] == 0)
                     & (res.data["plan"] == res.data["plan"].iloc[0])] if len(res.data) else []
    if len(first):
        lines.append(f"'Per {unit}' averages the {len(first)} {unit}s of a replication; "
                     "cost of sales is its total pay over its total revenue.")
    if others:
        lines.append(f"Differences are against {baseline} and paired: replication i of every "
                     "plan met the same leads, customers and luck. \"Not clearly different\" "
                     "means the range includes 0; more replications may settle it.")
    summ = res.summary(kpis, level)
    diffs = res.differences(baseline, kpis, level) if others else None
    for point in summ["point"].unique():
        lines.append("")
        if res.grid:
            lines.append(f"With {_point_title(res, point)}:")
        for k in kpis:
            unit = LABELS[k][1]
            s = summ[(summ["point"] == point) & (summ["kpi"] == k)].set_index("plan")
            label = _label(k, res.unit_words())
            if s["n"].max() == 0:
                lines.append(f"{label}: not defined in these periods")
                continue
            if not others:
                r = s.loc[baseline]
                step = _step(r["half_width"], unit)
                lines.append(f"{label}: {baseline} {_num(r['mean'], unit, step)} "
                             f"({_mean_range(r['low'], r['high'], unit, step, level)})")
                continue
            d = diffs[(diffs["point"] == point) & (diffs["kpi"] == k)].set_index("plan")
            for plan in others:
                r = d.loc[plan]
                step = _step(np.nanmax([r["half_width"], s.loc[plan, "half_width"],
                                        s.loc[baseline, "half_width"]]), unit)
                diff = _num(r["difference"], unit, step, sign=True)
                if r["verdict"] == "the same in every replication":
                    tail = "the same in every replication"
                else:
                    tail = f"{_range(r['low'], r['high'], unit, step, level)}: {r['verdict']}"
                lines.append(f"{label}: {plan} {_num(s.loc[plan, 'mean'], unit, step)} vs "
                             f"{baseline} {_num(s.loc[baseline, 'mean'], unit, step)}; "
                             f"difference {diff} ({tail})")
    return "\n".join(lines) + "\n"
