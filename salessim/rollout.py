"""Evaluating a rollout of the regulation: a pilot against a control, then supervision (R3.1, R3.2).

The regulation is introduced in steps (实施要点): first a pilot (试点) in some regions or
teams (R3.1.1), then, once everyone concerned understands it (R3.1.2), the whole company;
afterwards a supervision mechanism (监督机制) keeps teams on it (R3.2.2) and the regulation is
revised as the market and the teams' feedback change (R3.2.1). This module measures those
steps on monthly KPIs:

- :func:`monthly_kpi` gives a simulated team's monthly KPI; with ``change`` and ``start`` the
  team's scenario changes at a start month. The model cannot change a parameter during a
  run, so the months before ``start`` come from a run of the old scenario and the months from
  ``start`` on from a run of the changed scenario with the same seed (the same leads and the
  same luck of customers): the new rules act as if they had always been in place, without a
  period of getting used to them.
- :func:`pilot_vs_control` builds the panel of a pilot region, whose scenario changes at the
  start month, and a control region, which keeps the old one, over many replications.
- :func:`diff_in_diff` estimates the pilot's effect by difference in differences (双重差分):
  the pilot's change from before to after, minus the control's change over the same months.
  What the control region shows is what would have happened to the pilot without the change
  (seasons, the market, a year's ramp-up); that is the parallel-trends assumption, and
  :func:`pre_trend` checks it on the months before the start.
- :func:`control_chart` draws a supervision chart (控制图): a centre line and control limits
  computed from a baseline period, with the months that break Western Electric rule 1 (a
  point beyond the limits) or the run rule (eight points in a row on one side of the centre).

A panel is a table with one row per region and month (and replication): ``region``
(``"pilot"`` or ``"control"``), ``month`` (a label such as ``2026-07``), ``after`` (True from
the start month on), ``replication`` (optional: one replication when absent) and the KPI.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from . import kpi as _kpi
from .experiment.runner import replication_seeds
from .experiment.stats import Interval, mean_ci, t_quantile, welch_ci
from .model import simulate
from .scenario import Scenario, load_scenario

__all__ = ["REGIONS", "DidEstimate", "control_chart", "diff_in_diff", "monthly_kpi",
           "pilot_vs_control", "pre_trend"]

#: The two regions of a panel, pilot first.
REGIONS = ("pilot", "control")
#: The KPIs a panel can hold: functions of :mod:`salessim.kpi` computed per month.
_KPIS = ("revenue", "new_customers", "retention_rate", "collection_rate", "collected_cash",
         "win_rate", "average_deal_size", "sales_cycle", "first_response_time", "dso",
         "csat", "nps")
_D2 = 1.128  # expected range of two normal values, in standard deviations


# ------------------------------------------------------------------ simulated panels
def _months(s: Scenario) -> pd.PeriodIndex:
    return pd.period_range(pd.Timestamp(s.calendar.start), periods=s.calendar.months, freq="M")


def _month(label: Any, months: pd.PeriodIndex, name: str) -> pd.Period:
    try:
        if not re.fullmatch(r"\d{4}-\d{2}", str(label)):
            raise ValueError
        month = pd.Period(str(label), freq="M")
    except ValueError:
        raise ValueError(f"{name}: {label!r} is not a month; expected a label such as "
                         f"'{months[len(months) // 2]}'") from None
    if not months[0] < month <= months[-1]:
        raise ValueError(f"{name}: {month} is outside the simulated months after the first "
                         f"({months[1] if len(months) > 1 else months[0]} to {months[-1]})")
    return month


def _kpi_function(name: str):
    if name not in _KPIS:
        raise ValueError(f"kpi: {name!r} is not a monthly KPI; expected one of "
                         f"{', '.join(_KPIS)}")
    return getattr(_kpi, name)


def _team_kpi(s: Scenario, seed: int, name: str) -> pd.Series:
    rows = _kpi_function(name)(simulate(s, seed, trace=False).ledger, "M", by="company")
    values = rows.set_index("period")[name]
    return values.reindex(_months(s).astype(str)).astype("float64")


def monthly_kpi(scenario: Scenario | str | Mapping[str, Any] = "default", seed: int = 0,
                kpi: str = "collection_rate", *, change: Mapping[str, Any] | None = None,
                start: str | None = None) -> pd.Series:
    """A simulated team's KPI month by month, its scenario changed at a start month (R3.1.1).

    Parameters
    ----------
    scenario : Scenario, str or dict
        The team's scenario before any change (see :func:`salessim.load_scenario`).
    seed : int
        The seed of the run(s).
    kpi : str
        A monthly KPI of :mod:`salessim.kpi`, computed for the whole team (``by="company"``):
        ``"collection_rate"`` (回款率), ``"revenue"``, ``"retention_rate"``, ...
    change : dict, optional
        Dotted scenario paths and their new values from ``start`` on, e.g.
        ``{"payments.max_calls": 3}``. None: no change.
    start : str, optional
        The first month under ``change`` (``"2026-07"``); required with ``change``.

    Returns
    -------
    pandas.Series
        One value per simulated month (index: labels such as ``2026-01``, named ``month``),
        NaN where the KPI is undefined (nothing fell due). With a change, the months before
        ``start`` come from a run of ``scenario`` and the rest from a run of the changed
        scenario with the same seed: the model cannot change a parameter during a run.
    """
    s = load_scenario(scenario)
    if (change is None) != (start is None):
        raise ValueError("give both change (the new parameters) and start (the first "
                         "month under them), or neither")
    if change is not None:
        first = _month(start, _months(s), "start")
        changed = s.with_overrides(change)
    values = _team_kpi(s, seed, kpi)
    if change is not None:
        later = pd.PeriodIndex(values.index, freq="M") >= first
        values = values.where(~later, _team_kpi(changed, seed, kpi))
    values.index.name = "month"
    return values.rename(kpi)


def pilot_vs_control(scenario: Scenario | str | Mapping[str, Any],
                     change: Mapping[str, Any], start: str, *,
                     control: Mapping[str, Any] | None = None,
                     common: Mapping[str, Any] | None = None,
                     kpi: str = "collection_rate", replications: int = 10,
                     seed: int = 0) -> pd.DataFrame:
    """Monthly KPI panels of a pilot region and a control region, replicated (R3.1.1).

    Both regions start under ``scenario``; from ``start`` the pilot region works under
    ``change`` (see :func:`monthly_kpi` for how), the control region keeps the old way;
    ``common`` changes both from ``start`` on. The regions are separate teams with their own
    leads and customers: replication ``i`` runs the pilot with seed ``2i`` and the control
    with seed ``2i + 1`` of :func:`salessim.experiment.replication_seeds`, so adding
    replications keeps the first ones.

    Parameters
    ----------
    scenario : Scenario, str or dict
        Each region's scenario before the pilot.
    change : dict
        Dotted scenario paths and values of the pilot from ``start`` on.
    start : str
        The pilot's first month, e.g. ``"2026-07"``.
    control : dict, optional
        Dotted overrides that make the control region differ from the pilot region
        throughout (customers who pay worse, a smaller team, ...).
    common : dict, optional
        Dotted overrides that apply to both regions from ``start`` on: a change the pilot
        did not cause (the market, a season), which a before/after comparison of the pilot
        alone would mistake for part of its effect.
    kpi : str
        The monthly KPI compared (see :func:`monthly_kpi`).
    replications : int
        Pairs of regions simulated (>= 1).
    seed : int
        The seed of the experiment (>= 0).

    Returns
    -------
    pandas.DataFrame
        Columns ``replication``, ``seed``, ``region`` (``pilot``, ``control``), ``month``,
        ``after`` (True from ``start`` on) and the KPI, one row per replication, region and
        month. Months where the KPI is undefined are kept as NaN.
    """
    if isinstance(replications, bool) or not isinstance(replications, int) or replications < 1:
        raise ValueError(f"replications must be a whole number >= 1, got {replications!r}")
    base = load_scenario(scenario)
    other = base.with_overrides(control) if control else base
    first = _month(start, _months(base), "start")
    shared = dict(common or {})
    pilot_change = {**shared, **change}
    base.with_overrides(pilot_change)  # refuse a bad change before any run
    later = {"change": shared, "start": str(first)} if shared else {}
    seeds = replication_seeds(seed, 2 * replications)
    frames = []
    for i in range(replications):
        for region, s, kw in (("pilot", base, {"change": pilot_change, "start": str(first)}),
                              ("control", other, later)):
            sd = seeds[2 * i + (region == "control")]
            values = monthly_kpi(s, sd, kpi, **kw)
            frames.append(pd.DataFrame({
                "replication": i, "seed": sd, "region": region, "month": values.index,
                "after": pd.PeriodIndex(values.index, freq="M") >= first,
                kpi: values.to_numpy(),
            }))
    return pd.concat(frames, ignore_index=True).astype(
        {"replication": "int64", "seed": "int64", "region": "str", "month": "str"})


# ------------------------------------------------------------------ difference in differences
@dataclass(frozen=True)
class DidEstimate:
    """A difference-in-differences (双重差分) estimate of a pilot's effect (R3.1.1).

    Attributes
    ----------
    table : pandas.DataFrame
        The 2x2 table of means: rows ``pilot`` and ``control``, columns ``before`` and
        ``after``, and ``change`` (after - before). With several replications each cell is
        the mean over replications of that replication's mean over the months.
    estimate : float
        (pilot after - pilot before) - (control after - control before).
    interval : Interval
        Its confidence interval (``.low``, ``.high``, ``.level``, ``.n``).
    method : str
        ``"replications"``: the t interval of the replications' estimates (independent
        pairs of regions); ``"months"``: one pair of regions, the Welch interval of the
        monthly gaps pilot - control after against before (months taken as independent).
    per_replication : pandas.Series
        Each replication's estimate.
    kpi : str
        The KPI's column name.
    """

    table: pd.DataFrame
    estimate: float
    interval: Interval
    method: str
    per_replication: pd.Series
    kpi: str

    @property
    def pilot_change(self) -> float:
        """The pilot's after - before alone: the effect mixed with everything else that
        changed over the same months."""
        return float(self.table.loc["pilot", "change"])

    @property
    def control_change(self) -> float:
        """The control's after - before: what changed without the pilot."""
        return float(self.table.loc["control", "change"])

    @property
    def after_gap(self) -> float:
        """Pilot - control after the start: the effect mixed with the regions' difference."""
        return float(self.table.loc["pilot", "after"] - self.table.loc["control", "after"])

    def summary(self, scale: float = 100.0, unit: str = " points") -> str:
        """The estimate and its interval as text; ``scale``/``unit`` format the KPI (points of
        a rate by default: 0.05 -> ``5.0 points``)."""
        def f(x: float) -> str:
            return f"{scale * x:+.1f}{unit}"

        ci = self.interval
        over = (f"{ci.n} replications" if self.method == "replications"
                else f"{ci.n} months on the shorter side, months taken as independent")
        return (f"Difference in differences: {f(self.estimate)} "
                f"({100 * ci.level:.0f}% CI {f(ci.low)} to {f(ci.high)}; {over})")


def _value_column(panel: pd.DataFrame, value: str | None) -> str:
    if value is not None:
        if value not in panel.columns:
            raise ValueError(f"panel has no column {value!r}; its columns: "
                             f"{', '.join(map(str, panel.columns))}")
        return value
    keys = {"replication", "seed", "region", "month", "after"}
    rest = [c for c in panel.columns if c not in keys]
    if len(rest) != 1:
        raise ValueError(f"panel: name the KPI column with value=...; candidates: "
                         f"{', '.join(map(str, rest)) or 'none'}")
    return rest[0]


def _wide(panel: pd.DataFrame, value: str | None) -> tuple[pd.DataFrame, str]:
    """One row per replication and month with the pilot and control values, both present."""
    if not isinstance(panel, pd.DataFrame):
        raise TypeError(f"panel: expected a DataFrame, got {type(panel).__name__}")
    col = _value_column(panel, value)
    missing = [c for c in ("region", "month", "after") if c not in panel.columns]
    if missing:
        raise ValueError(f"panel has no column {', '.join(missing)}; expected region, month, "
                         f"after, the KPI and optionally replication")
    regions = set(panel["region"].astype(str))
    if regions != set(REGIONS):
        raise ValueError(f"panel: region must hold exactly 'pilot' and 'control', got "
                         f"{sorted(regions)}")
    df = panel.assign(replication=panel["replication"] if "replication" in panel.columns else 0,
                      month=panel["month"].astype(str), region=panel["region"].astype(str))
    keys = ["replication", "month"]
    dup = df.duplicated([*keys, "region"])
    if dup.any():
        row = df[dup].iloc[0]
        raise ValueError(f"panel: more than one row for region {row['region']!r}, month "
                         f"{row['month']!r}, replication {row['replication']!r}")
    after = df.groupby(keys)["after"].agg(["min", "max"])
    if (after["min"] != after["max"]).any():
        bad = after.index[after["min"] != after["max"]][0]
        raise ValueError(f"panel: month {bad[1]!r} is 'after' in one region and not in the "
                         "other; both regions share the start month")
    wide = df.pivot(index=keys, columns="region", values=col).join(after["max"].rename("after"))
    wide = wide.dropna(subset=list(REGIONS))
    return wide.astype({"after": bool}), col


def diff_in_diff(panel: pd.DataFrame, value: str | None = None,
                 level: float = 0.95) -> DidEstimate:
    """The pilot's effect by difference in differences, with its confidence interval (R3.1.1).

    estimate = (pilot after - pilot before) - (control after - control before), the means
    taken over the months of each side. Subtracting the control's change removes what both
    regions went through (seasons, the market, ramp-up); comparing each region with itself
    removes what differs between them all along. It assumes **parallel trends**: without the
    pilot, both regions' KPIs would have moved alike (check it with :func:`pre_trend`).

    Parameters
    ----------
    panel : pandas.DataFrame
        Columns ``region`` (``pilot``/``control``), ``month``, ``after`` (bool), the KPI and,
        optionally, ``replication`` (from :func:`pilot_vs_control` or a CRM export). Months
        where either region's value is missing are left out of that replication.
    value : str, optional
        The KPI column; needed only when the panel has more than one other column.
    level : float
        The confidence level (0.95).

    Returns
    -------
    DidEstimate
        ``.estimate``, ``.interval`` and the 2x2 ``.table``. With two or more replications
        the interval is the t interval of the replications' estimates; with one, the Welch
        interval of the monthly gaps (pilot - control) after against before.

    Raises
    ------
    ValueError
        For a panel without both regions, without months before or after the start in a
        replication, or with a region's month given twice.
    """
    wide, col = _wide(panel, value)
    rows, gaps = {}, {}
    for rep, w in wide.groupby(level="replication"):
        sides = {True: w[w["after"]], False: w[~w["after"]]}
        if sides[True].empty or sides[False].empty:
            which = "after" if sides[True].empty else "before"
            raise ValueError(f"panel: replication {rep!r} has no month {which} the start with "
                             "values for both regions")
        rows[rep] = {(r, k): sides[a][r].mean() for r in REGIONS
                     for k, a in (("before", False), ("after", True))}
        gaps[rep] = (sides[False]["pilot"] - sides[False]["control"],
                     sides[True]["pilot"] - sides[True]["control"])
    cells = pd.DataFrame.from_dict(rows, orient="index")
    mean = cells.mean()
    table = pd.DataFrame({k: [mean[(r, k)] for r in REGIONS] for k in ("before", "after")},
                         index=pd.Index(REGIONS, name="region"))
    table["change"] = table["after"] - table["before"]
    per = ((cells[("pilot", "after")] - cells[("pilot", "before")])
           - (cells[("control", "after")] - cells[("control", "before")]))
    per.index.name = "replication"
    if len(per) > 1:
        interval, method = mean_ci(per.to_numpy(), level), "replications"
    else:
        before, after = next(iter(gaps.values()))
        interval, method = welch_ci(before.to_numpy(), after.to_numpy(), level), "months"
    estimate = float(table.loc["pilot", "change"] - table.loc["control", "change"])
    return DidEstimate(table=table, estimate=estimate, interval=interval, method=method,
                       per_replication=per.rename("estimate"), kpi=col)


def _slope(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Least-squares slope of y on x and its standard error (NaN with fewer than 3 points)."""
    n = len(x)
    if n < 2:
        return math.nan, math.nan
    xc = x - x.mean()
    sxx = float(xc @ xc)
    b = float(xc @ (y - y.mean())) / sxx
    if n < 3:
        return b, math.nan
    resid = y - y.mean() - b * xc
    return b, math.sqrt(float(resid @ resid) / (n - 2) / sxx)


def pre_trend(panel: pd.DataFrame, value: str | None = None, level: float = 0.95) -> Interval:
    """The parallel-trends check: the trend of the gap pilot - control before the start.

    If both regions moved alike before the pilot, the monthly gap between them is flat: its
    least-squares slope per month is near 0 and its interval includes 0. A clear slope
    means the control region does not show what the pilot region would have done, and a
    difference in differences would mistake the diverging trend for an effect (R3.1.1).

    Parameters
    ----------
    panel, value, level
        As for :func:`diff_in_diff`.

    Returns
    -------
    Interval
        The slope of the gap per month. With several replications: the mean of the
        replications' slopes and its t interval (``n`` replications); with one: the slope
        and its regression interval (``n`` months, ``n - 2`` degrees of freedom).
    """
    wide, _ = _wide(panel, value)
    slopes = []
    for _, w in wide[~wide["after"]].groupby(level="replication"):
        months = pd.PeriodIndex(w.index.get_level_values("month"), freq="M")
        x = np.asarray(12 * months.year + months.month, dtype="float64")
        slopes.append(_slope(x, (w["pilot"] - w["control"]).to_numpy("float64"))
                      + (len(w),))
    if not slopes:
        raise ValueError("panel: no months before the start with values for both regions")
    if len(slopes) > 1:
        return mean_ci([b for b, _, _ in slopes], level)
    b, se, n = slopes[0]
    if not math.isfinite(se):
        return Interval(b, math.nan, math.nan, math.nan, n, math.nan, level)
    half = t_quantile(0.5 + level / 2, n - 2) * se if se > 0 else 0.0
    return Interval(b, b - half, b + half, half, n, se * math.sqrt(n), level)


# ------------------------------------------------------------------ supervision charts
def _positions(index: pd.Index, baseline: int | slice | Sequence) -> np.ndarray:
    mask = np.zeros(len(index), dtype=bool)
    if isinstance(baseline, bool):
        raise TypeError("baseline: expected a number of points or a slice of labels, got a "
                        "bool")
    if isinstance(baseline, int | np.integer):
        if not 0 < baseline <= len(index):
            raise ValueError(f"baseline: {baseline} points asked, the series has "
                             f"{len(index)}; expected 1 to {len(index)}")
        mask[:baseline] = True
        return mask
    if isinstance(baseline, slice):
        keys = pd.Series(np.arange(len(index)), index=index.astype(str))
        start = None if baseline.start is None else str(baseline.start)
        stop = None if baseline.stop is None else str(baseline.stop)
        for end in (start, stop):
            if end is not None and end not in keys.index:
                raise ValueError(f"baseline: {end!r} is not a label of the series (from "
                                 f"{keys.index[0]!r} to {keys.index[-1]!r})")
        mask[keys.loc[start:stop].to_numpy()] = True
        return mask
    raise TypeError(f"baseline: expected a number of points or a slice of labels, e.g. "
                    f"slice('2026-03', '2026-12'); got {type(baseline).__name__}")


def _runs(side: np.ndarray, run: int) -> np.ndarray:
    """True where a point is at least the ``run``-th in a row on the same side (0 breaks)."""
    flags = np.zeros(len(side), dtype=bool)
    length, last = 0, 0
    for i, s in enumerate(side):
        length = length + 1 if s != 0 and s == last else (1 if s != 0 else 0)
        last = s
        flags[i] = length >= run
    return flags


def control_chart(series, baseline: int | slice, *, n=None, sigmas: float = 3.0,
                  run: int | None = 8) -> pd.DataFrame:
    """A supervision chart (控制图) of a KPI: centre line, limits from a baseline, flags (R3.2.2).

    The centre line and the limits are computed from the baseline period only, when the
    team followed the regulation; every later point is judged against them:

    - **individuals chart** (without ``n``): centre = the baseline mean; sigma = the mean
      moving range of consecutive baseline points / 1.128 (the usual estimate of the
      month-to-month spread, not inflated by a drift inside the baseline);
    - **p-chart** (with ``n``, the number of items behind each proportion, e.g. invoices
      due): centre p = sum(p_i n_i) / sum(n_i) over the baseline; sigma_i =
      sqrt(p (1 - p) / n_i), so months with fewer items get wider limits; limits are kept
      within 0 and 1.

    Limits are centre -/+ ``sigmas`` x sigma. A point is flagged when it lies beyond a limit
    (Western Electric rule 1; about 0.27% of the points of a stable process at 3 sigma) or
    is at least the ``run``-th point in a row on the same side of the centre line (the run
    rule, which catches a small lasting drift that stays inside the limits).

    Parameters
    ----------
    series : pandas.Series or array-like
        The KPI in time order, e.g. a team's monthly collection rate (回款率); NaN for a
        month without a value (never flagged; it breaks a run).
    baseline : int or slice
        The first ``k`` points, or a slice of index labels (both ends included), e.g.
        ``slice("2026-03", "2026-12")``.
    n : array-like, optional
        Items behind each point, for a p-chart (same length as ``series``, > 0).
    sigmas : float
        Width of the limits in sigmas (3).
    run : int or None
        Points in a row on one side that flag (8); None turns the run rule off.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``series``: ``value``, ``centre``, ``lcl``, ``ucl``, ``baseline``
        (bool), ``beyond`` (rule 1), ``run`` (run rule), ``flag`` (either), and ``n`` for a
        p-chart.
    """
    values = series if isinstance(series, pd.Series) else pd.Series(np.asarray(series))
    x = pd.to_numeric(values, errors="coerce").to_numpy("float64")
    if not isinstance(sigmas, int | float) or isinstance(sigmas, bool) or not sigmas > 0:
        raise ValueError(f"sigmas: {sigmas!r} is not allowed; expected a number > 0, e.g. 3")
    if run is not None and (isinstance(run, bool) or not isinstance(run, int) or run < 2):
        raise ValueError(f"run: {run!r} is not allowed; expected a whole number >= 2 or None")
    base = _positions(values.index, baseline)
    known = base & ~np.isnan(x)
    out = pd.DataFrame({"value": x}, index=values.index)
    if n is None:
        if known.sum() < 2:
            raise ValueError(f"baseline: {int(known.sum())} value(s) in it; an individuals "
                             "chart needs at least 2 to measure the spread")
        b = x[known]
        centre = float(b.mean())
        sigma = np.full(len(x), float(np.abs(np.diff(b)).mean()) / _D2)
    else:
        size = np.asarray(n, dtype="float64").ravel()
        if size.shape != x.shape:
            raise ValueError(f"n: {len(size)} sizes for {len(x)} points; give one per point")
        if (~(size > 0)).any():
            i = int(np.flatnonzero(~(size > 0))[0])
            raise ValueError(f"n: item count {float(size[i])!r} at point {values.index[i]!r}; "
                             "every count must be > 0")
        if not known.any():
            raise ValueError("baseline: no value in it to compute the centre line")
        centre = float((x[known] * size[known]).sum() / size[known].sum())
        sigma = np.sqrt(centre * (1 - centre) / size)
        out["n"] = size
    out["centre"] = centre
    out["lcl"] = centre - sigmas * sigma
    out["ucl"] = centre + sigmas * sigma
    if n is not None:
        out["lcl"] = out["lcl"].clip(lower=0.0)
        out["ucl"] = out["ucl"].clip(upper=1.0)
    out["baseline"] = base
    with np.errstate(invalid="ignore"):
        out["beyond"] = (x < out["lcl"].to_numpy()) | (x > out["ucl"].to_numpy())
        side = np.nan_to_num(np.sign(x - centre), nan=0.0)
    out["run"] = _runs(side, run) if run is not None else False
    out["flag"] = out["beyond"] | out["run"]
    return out
