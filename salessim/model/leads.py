"""Lead generation by channel and lead scoring (R2.1.1.2, R2.1.1.3).

Leads come from three channels (多渠道): the web (a Poisson stream), trade shows (展会:
dated bursts, each show's leads reaching the CRM over a few working days, plus an optional
background rate) and referrals (客户推荐) from satisfied customers, which the after-sales
part creates while the simulation runs. Each lead gets an industry, a company size and a
region from its channel's mix, and a budget drawn around the median for its size.

The scoring system (评分体系) gives each lead points in [0, 1] per criterion (industry,
company size, region; budget earns points in proportion up to ``scoring.budget_full``).
The score is 100 times the weighted mean of the points; a lead at or above the threshold is
qualified and goes to a rep, the others are disqualified at once.

Everything a lead will ever need at random is drawn when the lead is made, as one row of
uniform numbers per lead: the same lead gets the same draws whatever else changes in the
scenario (common random numbers across scenarios).
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass

import numpy as np

from ..calendar import WorkCalendar
from ..scenario import Scenario
from .streams import stream

__all__ = ["CHANNELS", "Categories", "LeadBatch", "generate", "score", "referral_rows", "ROW"]

CHANNELS = ("web", "trade_show", "referral")
PREFIX = ("LW", "LT", "LR")

# Columns of a lead's row of draws (after the attribute columns).
_ATTR = 5  # industry, size, region, budget (two uniforms for a normal)
CONV = 0  # 6 conversion uniforms, one per stage
LAG = 6  # 6 exponential lags (mean 1), one per stage
CONCESSION = 12  # uniform for the negotiation concession
PRICE = 13  # standard normal for the list price
SAT = 14  # standard normal for satisfaction at signing
ROW = 15
_WIDTH = _ATTR + ROW + 4  # + 4: two more uniforms for each Box-Muller normal
_CHUNK = 8192  # leads drawn at a time (their temporaries stay small and are reused)


@dataclass(frozen=True)
class Categories:
    """Category names used as integer codes (from the scoring tables)."""

    industry: tuple[str, ...]
    company_size: tuple[str, ...]
    region: tuple[str, ...]

    @classmethod
    def of(cls, s: Scenario) -> Categories:
        return cls(tuple(s.scoring.industry), tuple(s.scoring.company_size),
                   tuple(s.scoring.region))


@dataclass
class LeadBatch:
    """The leads of one channel, in arrival order, as arrays."""

    channel: int
    t: np.ndarray  # arrival, working days
    industry: np.ndarray
    size: np.ndarray
    region: np.ndarray
    budget: np.ndarray
    score: np.ndarray


def _cum(mix: dict[str, float], names: tuple[str, ...]) -> np.ndarray:
    p = np.array([max(mix.get(n, 0.0), 0.0) for n in names])
    return np.cumsum(p / p.sum())


def _normal(u1: np.ndarray, u2: np.ndarray) -> np.ndarray:
    return np.sqrt(-2.0 * np.log1p(-u1)) * np.cos(2.0 * np.pi * u2)


def _rows(s: Scenario, cats: Categories, channel: int, u: np.ndarray) -> tuple:
    """Attributes, score and the row of draws for leads given their uniforms ``u``."""
    ch = getattr(s.channels, CHANNELS[channel])
    n = len(u)
    cat = [
        np.minimum(np.searchsorted(_cum(getattr(ch, a), names), u[:, i], "right"),
                   len(names) - 1)
        for i, (a, names) in enumerate(
            (("industry", cats.industry), ("company_size", cats.company_size),
             ("region", cats.region)))
    ]
    median = np.array([s.leads.budget_median.get(k, 1.0) for k in cats.company_size])
    budget = np.round(median[cat[1]] * np.exp(s.leads.budget_sd * _normal(u[:, 3], u[:, 4])),
                      -2)
    draws = np.empty((n, ROW))
    draws[:, :LAG] = u[:, _ATTR:_ATTR + 6]
    draws[:, LAG:CONCESSION] = -np.log1p(-u[:, _ATTR + 6:_ATTR + 12])
    draws[:, CONCESSION] = u[:, _ATTR + 12]
    draws[:, PRICE] = _normal(u[:, _ATTR + 13], u[:, _ATTR + 15])
    draws[:, SAT] = _normal(u[:, _ATTR + 14], u[:, _ATTR + 16])
    cat = [c.astype(np.int8) for c in cat]
    return cat[0], cat[1], cat[2], budget, score(s, cats, *cat, budget), draws


def score(s: Scenario, cats: Categories, industry, size, region, budget) -> np.ndarray:
    """Lead scores in [0, 100] by the scenario's scoring system (R2.1.1.3)."""
    sc = s.scoring
    w = sc.weights
    pts = (
        w.get("industry", 0.0) * np.array([sc.industry[k] for k in cats.industry])[industry]
        + w.get("company_size", 0.0)
        * np.array([sc.company_size[k] for k in cats.company_size])[size]
        + w.get("region", 0.0) * np.array([sc.region[k] for k in cats.region])[region]
        + w.get("budget", 0.0) * np.minimum(np.asarray(budget) / sc.budget_full, 1.0)
    )
    return np.round(100.0 * pts / sum(w.values()), 1)


def _poisson_times(rng: np.random.Generator, rate: float, start: float, end: float,
                   chunk: int = 1024) -> np.ndarray:
    """Arrival times of a Poisson stream of ``rate`` per working day on ``[start, end)``."""
    if rate <= 0 or end <= start:
        return np.empty(0)
    out, t = [], start
    scale = 1.0 / rate if rate > 1e-300 else np.inf
    while t < end:
        with np.errstate(over="ignore"):
            gaps = rng.standard_exponential(chunk) * scale
        times = t + np.cumsum(gaps)
        out.append(times)
        t = times[-1]
    times = np.concatenate(out)
    return times[times < end]


def generate(s: Scenario, cal: WorkCalendar, cats: Categories, seed: int,
             draws: array) -> list[LeadBatch]:
    """The web and trade-show leads of the whole horizon, one batch per channel.

    Each lead's row of draws is appended to ``draws`` (web leads first, then trade-show
    leads, each in arrival order), a chunk at a time to keep memory low.
    """
    T = float(cal.horizon)
    batches = []
    for c, name in enumerate(CHANNELS[:2]):
        ch = getattr(s.channels, name)
        rng = stream(seed, f"arrivals.{name}")
        parts = [_poisson_times(rng, ch.rate_per_day, 0.0, T)]
        if name == "trade_show":
            for show in ch.shows:
                first = int(np.searchsorted(cal.dates, np.datetime64(show.date, "D"), "left"))
                n = int(rng.poisson(show.leads))
                times = first + rng.random(n) * show.days
                if show.date >= cal.start:
                    parts.append(times[times < T])
        t = np.sort(np.concatenate(parts), kind="stable")
        lead_rng = stream(seed, f"lead_draws.{name}")
        cols: list[list[np.ndarray]] = [[], [], [], [], []]
        for lo in range(0, len(t), _CHUNK):
            u = lead_rng.random((min(_CHUNK, len(t) - lo), _WIDTH))
            *attrs, rows = _rows(s, cats, c, u)
            for col, a in zip(cols, attrs, strict=True):
                col.append(a)
            draws.frombytes(rows.view(np.uint8))  # its bytes, without a copy
        ind, size, region, budget, sc = (
            np.concatenate(col) if col else np.empty(0, dtype=dt)
            for col, dt in zip(cols, (np.int8, np.int8, np.int8, float, float), strict=True)
        )
        batches.append(LeadBatch(c, t, ind, size, region, budget, sc))
    return batches


def referral_rows(s: Scenario, cats: Categories, seed: int, team: int = 0, size: int = 256):
    """Endless rows (industry, size, region, budget, score, draws) for referred leads.

    Drawn ``size`` leads at a time from the referral stream of the ``team``-th team (each
    team has its own), in the order the team's leads are made.
    """
    rng = stream(seed, "lead_draws.referral", *((team,) if team else ()))
    while True:
        ind, sz, region, budget, sc, draws = _rows(s, cats, 2, rng.random((size, _WIDTH)))
        yield from zip(ind.tolist(), sz.tolist(), region.tolist(), budget.tolist(),
                       sc.tolist(), draws.tolist(), strict=True)


WIDTH = _WIDTH
