"""A rep's pay outlook (收入预期): what one more result is worth to it under the pay plan.

The pay-aware decision rule (:mod:`salessim.model.rules`) values every task by the pay its
results are expected to bring (R2.2.2.1). This module holds the numbers behind those values,
on plain floats:

- :class:`Periods`: the plan's pay periods (month, quarter, year) on the working-day clock;
- :class:`PayModel`: one run's plan, its pay evaluated by :meth:`salessim.incentives.Plan.pay`
  (the one definition of every pay rule), tabulated once for plans that pay on a single
  summed measure and memoised on a fine grid otherwise;
- :class:`Outlook`: one rep's forecast of each current period's results and the expected
  marginal pay of a result booked in the current period or in the next one.

The forecast of a period's result is what the rep has booked so far plus the *target's
pace* for the working days left: the company sets targets a rep can reach, so every period
starts with a fair chance, and what the rep has booked so far carries what is particular to
it. (A rep that judged its chances by its own recent results would, after one bad quarter,
expect the next to be hopeless too and never start again.) The forecast is uncertain:
deals come one at a time (the spread of a compound Poisson sum, ``sqrt(pace x days left x
typical deal)``) and the rep cannot be sure of its pace (a further 15%, :data:`PACE_CV`,
of what is still to come); both shrink to nothing at the period's end, and nothing can
fall below what is booked already. The expected pay is the mean of the plan's pay over
that spread; the marginal value of a result is how much that mean rises with it. A quota
bonus is therefore worth most to a rep a little short of the quota near the period's end,
little to one far below and nothing to one above it, and a flat commission is worth the
same to everyone at all times.
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import TYPE_CHECKING

import numpy as np

from ..incentives import Plan
from ..incentives.basis import SUM_MEASURES

if TYPE_CHECKING:
    from ..calendar import WorkCalendar
    from .engine import Model
    from .reps import Rep

__all__ = ["Periods", "Curve", "PayModel", "Outlook", "OutlookContext", "measures_used",
           "NODES"]

N_NODES = 5
#: Standard normal quantiles at the midpoints of five equally likely strata: the forecast's
#: spread is averaged over these for plans that pay on several measures.
NODES = tuple(NormalDist().inv_cdf((i + 0.5) / N_NODES) for i in range(N_NODES))
RATE_MEASURES = ("retention", "collection")
#: A rep is never sure of its own pace: the forecast of what is still to come carries this
#: relative uncertainty on top of the luck of the draw.
PACE_CV = 0.15
_SIZES = {"M": 1, "Q": 3, "Y": 12}
_STEP = 0.0025  # grid of the memoised pay: a quarter of a percent of each target
_CURVE_TOP = 4.0  # tabulated curves reach 4 x the target; beyond, the last slope continues


class Periods:
    """The pay periods of one kind (``"M"``, ``"Q"`` or ``"Y"``) on the working-day clock.

    For clock day ``d``: ``start[d]`` and ``end[d]`` are the first clock day of its period
    and of the next one, ``first_month[d]`` the index of the period's first calendar month
    (counted from the start's month, at least 0).
    """

    def __init__(self, calendar: WorkCalendar, kind: str) -> None:
        months = np.asarray(calendar.month_of_day, dtype=np.int64)
        m0 = calendar.start.year * 12 + calendar.start.month - 1
        pid = (months + m0) // _SIZES[kind]
        n = len(pid)
        change = np.flatnonzero(np.diff(pid)) + 1
        bounds = np.concatenate([[0], change, [n]])
        idx = np.searchsorted(change, np.arange(n), "right")
        self.kind = kind
        self.start = bounds[idx].tolist()
        self.end = bounds[idx + 1].tolist()
        self.first_month = np.maximum(months[bounds[idx]], 0).tolist()
        self.n_days = n


def measures_used(plan: Plan, kind: str) -> tuple[str, ...]:
    """The measures the plan's components of period ``kind`` pay on, in a fixed order.

    SPIF and clawback bases are not forecast (a pay-aware rep does not price them).
    """
    used: set[str] = set()
    for c in plan.components:
        if c.period != kind:
            continue
        if c.kind in ("commission", "bonus", "team_bonus"):
            used.add(c.measure)
        elif c.kind == "scorecard":
            used.update(m for m, w in c.weights.model_dump().items() if w > 0)
        elif c.kind == "uplift" and c.basis == "whole":
            used.add(c.measure)
        elif c.kind == "gate":
            used.update(c.measures)
    return tuple(m for m in (*SUM_MEASURES, *RATE_MEASURES) if m in used)


class Curve:
    """Pay of one period as a function of one summed measure, piecewise linear: ``y0`` plus,
    for each kink ``(b, ds)``, ``ds x max(x - b, 0)``. A jump (a bonus) is a steep segment
    one grid step wide. Its mean over a normal forecast has a closed form."""

    __slots__ = ("measure", "y0", "kinks")

    def __init__(self, measure: str, step: float, ys: list[float]) -> None:
        self.measure = measure
        self.y0 = ys[0]
        kinks, before = [], 0.0
        for j in range(len(ys) - 1):
            slope = (ys[j + 1] - ys[j]) / step
            if abs(slope - before) > 1e-9 * (1.0 + abs(slope) + abs(before)):
                kinks.append((j * step, slope - before))
            before = slope
        self.kinks = tuple(kinks)

    def mean(self, mu: float, sd: float, low: float = 0.0) -> float:
        """Mean pay when the measure is normal with mean ``mu`` and sd ``sd`` but cannot be
        below ``low`` (what is booked already): kinks at or below ``low`` are passed."""
        total = self.y0
        for b, ds in self.kinks:
            if b <= low or sd <= 0.0:
                if mu > b:
                    total += ds * (mu - b)
                continue
            d = (mu - b) / sd
            total += ds * ((mu - b) * _PHI(d) + sd * math.exp(-0.5 * d * d) * _INV_SQRT_2PI)
        return total


_PHI = NormalDist().cdf
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


class PayModel:
    """One run's pay plan as the reps see it: expected pay over a forecast, fast.

    A plan kind that pays on one summed measure only (every built-in plan but
    ``regulation``) is tabulated once from :meth:`Plan.pay` and averaged over the
    forecast exactly (:class:`Curve`); other plans are evaluated by :meth:`Plan.pay`,
    memoised on a grid of a quarter of a percent of each target, at the midpoints of five
    equally likely strata of the forecast.

    Parameters
    ----------
    plan : Plan
        The scenario's plan.
    targets : salessim.Targets
        The regulation's targets (R2.2.1).
    calendar : WorkCalendar
        The run's calendar.
    """

    def __init__(self, plan: Plan, targets, calendar: WorkCalendar) -> None:
        self.plan = plan
        self.kinds = plan.periods
        self.periods = [Periods(calendar, k) for k in self.kinds]
        self.targets = [plan.targets_for(k, targets) for k in self.kinds]
        self.used = [measures_used(plan, k) for k in self.kinds]
        self.team = [any(c.kind == "team_bonus" and c.period == k for c in plan.components)
                     for k in self.kinds]
        self.step = [{m: (_STEP * t.of_measure(m) if m not in RATE_MEASURES else _STEP) or _STEP
                      for m in used} for t, used in zip(self.targets, self.used, strict=True)]
        self.curves: list[Curve | None] = []
        for i, kind in enumerate(self.kinds):
            used = self.used[i]
            if len(used) == 1 and used[0] in SUM_MEASURES and not self.team[i]:
                m = used[0]
                step = self.step[i][m]
                n = int(round(_CURVE_TOP / _STEP)) + 1
                t = self.targets[i]
                ys = [sum(plan.pay(kind, {m: j * step}, t).values()) for j in range(n)]
                self.curves.append(Curve(m, step, ys))
            else:
                self.curves.append(None)
        self._memo: dict[tuple, float] = {}

    def pay(self, i: int, values: dict[str, float], team_size: float = 0.0) -> float:
        """Total pay of period kind ``self.kinds[i]`` for ``values`` (CNY), on the grid."""
        steps = self.step[i]
        key = (i, team_size, *(round(values.get(m, 0.0) / steps[m]) for m in self.used[i]))
        got = self._memo.get(key)
        if got is None:
            measures = {m: k * steps[m] for m, k in zip(self.used[i], key[2:], strict=True)}
            if self.team[i]:
                measures["team_size"] = team_size
                for m in SUM_MEASURES:
                    measures[f"team_{m}"] = measures.get(m, 0.0) * team_size
            got = sum(self.plan.pay(self.kinds[i], measures, self.targets[i]).values())
            self._memo[key] = got
        return got

    def expected(self, i: int, mean: dict[str, float], spread: dict[str, float],
                 shift: dict[str, float] | None = None, team_size: float = 0.0,
                 low: dict[str, float] | None = None) -> float:
        """Mean pay of kind ``i`` over the forecast: summed measures normal around ``mean``
        with sd ``spread`` (moving together) but not below ``low`` (booked already), rates
        at their mean, each plus ``shift``."""
        shift = shift or {}
        low = low or {}
        curve = self.curves[i]
        if curve is not None:
            m = curve.measure
            d = shift.get(m, 0.0)
            return curve.mean(mean.get(m, 0.0) + d, spread.get(m, 0.0), low.get(m, 0.0) + d)
        total = 0.0
        for z in NODES:
            values = {m: max(mu + spread.get(m, 0.0) * z, low.get(m, -math.inf))
                      + shift.get(m, 0.0) for m, mu in mean.items()}
            total += self.pay(i, values, team_size)
        return total / N_NODES


class Outlook:
    """One rep's pay outlook for the plan's current and next periods (see the module text).

    For each plan period kind ``i``: ``start[i]`` and ``end[i]`` are the clock days the
    current period starts and ends, ``after[i]`` the day the next one ends (the end of the
    rep's outlook); ``deal_now[i]`` and ``deal_next[i]`` are the expected extra pay of a deal
    of ``DEAL_SIZES[j] x typical`` CNY booked in this period or the next; ``rate_now[i]`` and
    ``rate_next[i]`` map the other measures to their expected pay per unit: ``collected``
    per CNY, ``new_customers`` per customer, ``retention`` per customer kept and
    ``collection`` per CNY of this period's due invoices paid in time.
    """

    DEAL_SIZES = (0.5, 1.0, 2.0, 4.0)

    __slots__ = ("day", "month", "booked", "start", "end", "after", "deal_now", "deal_next",
                 "rate_now", "rate_next", "next_from", "amounts", "pace", "forecast", "push",
                 "push_rate", "push_revenue", "push_customers", "rated")

    def __init__(self) -> None:
        self.day = -1
        self.month = -1
        self.booked = -1.0
        self.next_from = -1
        self.start: list[float] = []
        self.end: list[float] = []
        self.after: list[float] = []
        self.deal_now: list[tuple[float, ...]] = []
        self.deal_next: list[tuple[float, ...]] = []
        self.rate_now: list[dict[str, float]] = []
        self.rate_next: list[dict[str, float]] = []
        self.amounts: tuple[float, ...] = ()
        self.pace: dict[str, float] = {}
        self.forecast: list[tuple] = []
        self.push = False
        self.push_rate = 0.0
        self.push_revenue = self.push_customers = 0.0  # the push's expected wins
        self.rated = False  # whether any measure but revenue pays

    # ------------------------------------------------------------------ values
    def deal_value(self, amount: float, tau: float) -> float:
        """Expected extra pay (CNY) of booking ``amount`` CNY of revenue at clock ``tau``.

        In an end-of-period push (``push``), a deal closing this period is worth
        ``push_rate`` per CNY: what it adds on top of the rest of the push."""
        if self.push and tau < min(self.end):
            return self.push_rate * amount
        return sum(self._on_curve(self.deal_now[i] if tau < end else self.deal_next[i], amount)
                   for i, end in enumerate(self.end))

    def _on_curve(self, ys: tuple[float, ...], amount: float) -> float:
        """``ys`` (the pay of deals of :attr:`amounts`) interpolated at ``amount``."""
        xs = self.amounts
        if amount <= xs[0]:
            return ys[0] * amount / xs[0]
        j = 1
        while j < len(xs) - 1 and amount > xs[j]:
            j += 1
        return ys[j - 1] + (ys[j] - ys[j - 1]) * (amount - xs[j - 1]) / (xs[j] - xs[j - 1])

    def win_value(self, pm: PayModel, amount: float, rest: float = 0.0,
                  customers: float = 0.0) -> float:
        """Expected extra pay (CNY) this period of winning a new deal of ``amount`` CNY, on top
        of ``rest`` CNY and ``customers`` new customers still to close with it (the rest of
        an end-of-period push); cash is not counted (it comes in later).

        Exact for a period kind paid on one summed measure, so a deal that may carry the rep
        over a quota is worth the bonus it makes likelier whatever its amount; interpolated
        on the deal curve for the other kinds."""
        total = 0.0
        for i, (mean, spread, _, _, low) in enumerate(self.forecast):
            curve = pm.curves[i]
            if curve is None:
                total += self._on_curve(self.deal_now[i], amount) + self.rate_now[i].get(
                    "new_customers", 0.0)
                continue
            m = curve.measure
            if m == "revenue":
                x, d = rest, amount
            elif m == "new_customers":
                x, d = customers, 1.0
            else:
                continue
            mu, sd, lo = mean.get(m, 0.0) + x, spread.get(m, 0.0), low.get(m, 0.0) + x
            total += curve.mean(mu + d, sd, lo + d) - curve.mean(mu, sd, lo)
        return total

    def rate(self, measure: str, tau: float) -> float:
        """Expected pay per unit of ``measure`` booked at clock ``tau`` (CNY per unit)."""
        total = 0.0
        for i, end in enumerate(self.end):
            total += (self.rate_now[i] if tau < end else self.rate_next[i]).get(measure, 0.0)
        return total

    def collection(self, due: float, paid: float) -> float:
        """Expected pay (CNY) per CNY of an invoice due at clock ``due`` and paid at clock
        ``paid`` through the collection rate (R2.2.1.3): its share in the rate of each current
        period the invoice falls due in, when it is paid before that period ends."""
        return sum(r.get("collection", 0.0)
                   for start, end, r in zip(self.start, self.end, self.rate_now, strict=True)
                   if start <= due < end and paid < end)

    def retention(self, tau: float, acquired: float) -> float:
        """Expected pay (CNY) of a customer acquired at clock ``acquired`` not leaving at clock
        ``tau``: its share in the retention rate (R2.2.1.2) of each period that counts it,
        one whose opening customers it is among."""
        total = 0.0
        for i, end in enumerate(self.end):
            now = tau < end
            if acquired < (self.start[i] if now else end):
                total += (self.rate_now[i] if now else self.rate_next[i]).get("retention", 0.0)
        return total

    def gain(self, pm: PayModel, shift: dict[str, float]) -> float:
        """Expected extra pay this period (all kinds) if ``shift`` were added to the results
        of the current periods."""
        return sum(pm.expected(i, mean, spread, shift, team, low) - base
                   for i, (mean, spread, team, base, low) in enumerate(self.forecast))

    def boundary(self, now: float) -> float:
        """The next period end of any kind after ``now`` (clock day)."""
        return min(self.end) if self.end else math.inf

    # ------------------------------------------------------------------ update
    def update(self, pm: PayModel, m: Model, rep: Rep, now: float, ctx: OutlookContext) -> None:
        """Recompute the outlook at clock ``now`` from the rep's running totals."""
        day = int(now)
        month = m.month_of_day[day]
        self.day, self.month = day, month
        self.booked = rep.revenue[month] if month < len(rep.revenue) else 0.0
        self.pace = pace = ctx.pace(m, rep, now)
        self.amounts = ctx.amounts
        ends = [float(per.end[day]) for per in pm.periods]
        fresh = ends != self.end or day - self.next_from >= ctx.refresh_days
        if fresh:
            self.next_from = day
            self.deal_next, self.rate_next = [], []
        self.start = [float(per.start[day]) for per in pm.periods]
        self.after = [float(per.end[int(e)]) if e < per.n_days else 2.0 * e - first
                      for per, e, first in zip(pm.periods, ends, self.start, strict=True)]
        self.deal_now, self.rate_now, self.forecast = [], [], []
        for i, per in enumerate(pm.periods):
            end = per.end[day]
            first = per.first_month[day]
            sofar = {
                "revenue": sum(rep.revenue[first:month + 1]),
                "collected": sum(rep.cash[first:month + 1]),
                "new_customers": float(sum(rep.new_customers[first:month + 1])),
            }
            rates = ctx.rates(m, rep, pm, i, day)
            length = float(max(end - per.start[day], 1))
            vals, rts, fc = ctx.marginal(pm, i, sofar, pace, max(end - now, 0.0), rates, length)
            self.deal_now.append(vals)
            self.rate_now.append(rts)
            self.forecast.append(fc)
            if fresh:
                length = float(max(per.end[min(end, per.n_days - 1)] - end, 1))
                zero = dict.fromkeys(sofar, 0.0)
                vals, rts, _ = ctx.marginal(pm, i, zero, pace, length, rates, length)
                self.deal_next.append(vals)
                self.rate_next.append(rts)
        self.end = ends
        self.rated = any(v for r in (*self.rate_now, *self.rate_next) for v in r.values())


class OutlookContext:
    """What every rep's outlook shares in one run: the typical deal, targets' paces and the
    rate estimates of each period (retention and collection per rep)."""

    refresh_days = 5  # the next period's outlook is redone at least this often

    def __init__(self, m: Model, pm: PayModel, typical: float, spread_deal: float) -> None:
        s = m.scenario
        cal = m.calendar
        self.typical = typical
        self.spread_deal = spread_deal
        self.amounts = tuple(typical * k for k in Outlook.DEAL_SIZES)
        months = np.asarray(cal.month_of_day[:cal.horizon], dtype=np.int64)
        per_month = np.bincount(months, minlength=m.n_months).astype(float) if len(months) \
            else np.ones(1)
        self.days_per_month = float(per_month[per_month > 0].mean()) if per_month.any() else 21.0
        t = s.targets
        self.prior = {
            "revenue": t.revenue("M") / self.days_per_month,
            "collected": t.revenue("M") / self.days_per_month,
            "new_customers": t.new_customers("M") / self.days_per_month,
        }
        self.targets = t
        self.team_size = {}
        for r in m.reps:
            self.team_size[r.team] = self.team_size.get(r.team, 0) + 1
        self._rates: dict[tuple[int, int, int], dict[int, dict[str, float]]] = {}

    def pace(self, m: Model, rep: Rep, now: float) -> dict[str, float]:
        """What the rep expects to add per working day: the target's pace (see the module
        text)."""
        return self.prior

    def rates(self, m: Model, rep: Rep, pm: PayModel, i: int, day: int) -> dict[str, float]:
        """Retention and collection as the rep expects them this period, and their bases."""
        if not any(r in pm.used[i] for r in RATE_MEASURES):
            return {}
        per = pm.periods[i]
        start = per.start[day]
        # (teams run apart: each team estimates from its own customers; its first rep's
        # number tells the team running)
        key = (i, start, m.running[0].idx)
        table = self._rates.get(key)
        if table is None:
            table = self._rates[key] = _rate_estimates(m, per, start, self.targets)
        return table.get(rep.idx, {"retention": self.targets.retention_rate,
                                   "collection": self.targets.collection_rate,
                                   "opening": 0.0, "due": 0.0})

    def marginal(self, pm: PayModel, i: int, sofar: dict[str, float], pace: dict[str, float],
                 left: float, rates: dict[str, float], length: float) -> tuple:
        """Expected extra pay of deals of :attr:`amounts`, the per-unit rates of the other
        measures and the forecast ``(mean, spread, team size, expected pay)``, for period kind
        ``i`` of ``length`` working days with ``left`` to go."""
        used = pm.used[i]
        mean = {k: sofar[k] + pace[k] * left for k in SUM_MEASURES if k in used}
        spread = {}
        if "revenue" in mean or "collected" in mean or "new_customers" in mean:
            flow = max(pace["revenue"], 0.0) * left
            sd = math.sqrt(flow * self.spread_deal + (PACE_CV * flow) ** 2)
            ratio = sd / pace["revenue"] if pace["revenue"] > 0 else 0.0
            for k in mean:
                spread[k] = ratio * pace[k] if k != "new_customers" else \
                    math.sqrt(max(pace[k], 0.0) * left)
        for k in RATE_MEASURES:
            if k in used:
                mean[k] = rates.get(k, math.nan)
        team = float(self.team_size_of(pm, i))
        low = {k: sofar[k] for k in SUM_MEASURES if k in used}
        base = pm.expected(i, mean, spread, None, team, low)
        deals: tuple[float, ...] = tuple(0.0 for _ in self.amounts)
        if "revenue" in used:
            deals = tuple(pm.expected(i, mean, spread, {"revenue": a}, team, low) - base
                          for a in self.amounts)
        out: dict[str, float] = {}
        steps = pm.step[i]
        units = {"collected": self.typical, "new_customers": 1.0}
        for k in ("collected", "new_customers"):
            if k in used:
                d = max(round(units[k] / steps[k]), 1) * steps[k]
                out[k] = (pm.expected(i, mean, spread, {k: d}, team, low) - base) / d
        # invoices falling due in a period: those known, or about a period's revenue
        opening = rates.get("opening", 0.0)
        due = max(rates.get("due", 0.0), pace["revenue"] * length) if rates else 0.0
        for k, basis in (("retention", opening), ("collection", due / self.typical)):
            if k in used and basis > 0 and not math.isnan(mean.get(k, math.nan)):
                d = max(round(1.0 / basis / steps[k]), 1) * steps[k]
                per_unit = (pm.expected(i, mean, spread, {k: d}, team, low) - base) / d
                # per customer kept, or per CNY of due invoices paid in time
                out[k] = per_unit / opening if k == "retention" else per_unit / due
        return deals, out, (mean, spread, team, base, low)

    def team_size_of(self, pm: PayModel, i: int) -> int:
        return max(self.team_size.values()) if pm.team[i] and self.team_size else 0


def _rate_estimates(m: Model, per: Periods, start: int, targets) -> dict[int, dict[str, float]]:
    """Each rep's retention and collection rate in the period before the one starting on
    clock day ``start`` (the targets when undefined), its customers at ``start`` and the
    amounts of its invoices falling due in the period that starts there."""
    prev = per.start[start - 1] if start > 0 else None
    end = per.end[start]
    out: dict[int, dict[str, float]] = {}
    for r in m.running:  # (teams run apart: this team's reps, and only its customers)
        out[r.idx] = {"retention": targets.retention_rate,
                      "collection": targets.collection_rate, "opening": 0.0, "due": 0.0,
                      "_s": 0.0, "_lost": 0.0, "_due": 0.0, "_paid": 0.0}
    for c in m.customers:
        row = out[c.rep.idx]
        churned = c.churned if c.churned == c.churned else math.inf
        if c.acquired < start and churned >= start:
            row["opening"] += 1.0
        if prev is not None and c.acquired < prev and churned >= prev:
            row["_s"] += 1.0
            if churned < start:
                row["_lost"] += 1.0
    for inv in m.invoices:
        row = out[inv.rep.idx]
        if start <= inv.due < end:
            row["due"] += inv.amount
        elif prev is not None and prev <= inv.due < start:
            row["_due"] += inv.amount
            row["_paid"] += min(inv.paid, inv.amount)
    for row in out.values():
        if row["_s"] > 0:
            row["retention"] = (row["_s"] - row["_lost"]) / row["_s"]
        if row["_due"] > 0:
            row["collection"] = row["_paid"] / row["_due"]
        for k in ("_s", "_lost", "_due", "_paid"):
            del row[k]
    return out
