"""How pay-aware reps respond to pay plans: the measured effects F1-F9 (R2.2.2.1).

The research note (``research/incentives-and-kpis.md``) lists responses to pay that field
studies have measured; the model must reproduce them, or its plan comparisons mislead.
Each effect here is a comparison of two plans on the same replications (common random
numbers: replication ``i`` of both plans meets the same leads, customers and luck), with
reps that weigh pay against the procedure (``decision.incentive_sensitivity`` =
:data:`SENSITIVITY`, see :mod:`salessim.model.rules`). Every function returns one number
per replication, so the effect's confidence interval is
:func:`salessim.experiment.paired_ci` of the pairs.

- **F1** (quota bonus, Oyer 1998): :func:`period_end_push`, the share of a quarter's revenue
  signed in its last 10 working days and the discount on those deals.
- **F3** (cap, Misra & Nair 2011): :func:`after_reaching`, what reps sign after they reach
  the cap; :func:`carried_over`, the deals that slip into the next quarter.
- **F4** (Chung et al. 2014): :func:`selling_hours` of reps far below target late in the
  quarter (giving up); :func:`after_reaching` 100% for the top third.
- **F6** (multitasking, Holmström & Milgrom 1991): :func:`team_rates`, collection rate and
  retention; :func:`task_hours`, the time reps give revisits.
- **F9** (fixed capacity, Forrester 1968): :func:`delivery_delay` and retention.

:func:`measure` runs every effect over ``replications`` and :func:`markdown` writes the
table of ``docs/behaviour.md``; ``python benchmarks/behaviour_effects.py`` does both.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from . import kpi
from .experiment.metrics import working_days_left
from .experiment.stats import Interval, paired_ci
from .model import Simulation, simulate
from .scenario import Scenario

__all__ = [
    "SENSITIVITY", "NEW_LOGOS", "behaviour_scenario", "analysed_quarters", "period_end_push",
    "after_reaching", "carried_over", "selling_hours", "team_rates", "task_hours",
    "PROCEDURE", "setting_scenario",
    "run_settings", "quarter_attainment_by", "far_behind", "top_third",
    "delivery_delay", "Effect", "EFFECTS", "measure", "summarise", "markdown",
]

SENSITIVITY = 0.8
"""The reps' incentive sensitivity in the effect experiments: pay weighs four times the
procedure."""

PIPELINE = ("first_contact", "discovery", "demo", "quote", "negotiation", "contract")

NEW_LOGOS: dict[str, Any] = {
    "name": "new_logos",
    "description": "480 CNY per new customer, paid monthly: the target incentive (8,000 CNY "
    "a rep-month) at the new-customer target (50 a quarter). Pushes new sales hardest.",
    "components": [{"kind": "commission", "period": "M", "measure": "new_customers",
                    "rate": 480.0, "unit": "CNY"}],
}
"""A plan that pays for new customers only, calibrated to the same cost at target."""

PROCEDURE = "procedure"
"""In place of a plan name: reps who follow the regulation's procedure (incentive
sensitivity 0; they are paid by ``linear``, which changes nothing but the pay)."""


def behaviour_scenario(reps: int = 6, months: int = 9, **overrides: Any) -> Scenario:
    """The business of the effect experiments: the default process with steady demand.

    ``reps`` reps in one team, Monday-to-Friday working days, web leads only (3.3 per rep
    and working day, about the default business's leads without the trade-show bursts, so
    that revenue is spread evenly over a quarter under linear pay) and reps at
    :data:`SENSITIVITY`. The first quarter fills the empty pipeline and is not analysed.
    ``overrides`` are dotted paths with ``__`` for dots (``targets__monthly_revenue=70000``).
    """
    base = Scenario().with_team(reps).with_overrides({
        "team.team_size": reps,
        "calendar.months": months,
        "calendar.holidays": "weekends",
        "channels.trade_show.shows": [],
        "channels.web.rate_per_day": 3.3 * reps,
        "decision.incentive_sensitivity": SENSITIVITY,
    })
    if overrides:
        base = base.with_overrides({k.replace("__", "."): v for k, v in overrides.items()})
    return base


# ------------------------------------------------------------------ measures of one run
def analysed_quarters(run: Simulation) -> list[str]:
    """The whole quarters simulated after the first (which fills the pipeline)."""
    cal = run.calendar
    span = pd.period_range(cal.start, cal.end, freq="Q")
    whole = [p for p in span if p.start_time >= pd.Timestamp(cal.start)
             and p.end_time.normalize() <= pd.Timestamp(cal.end)]
    return [str(p) for p in whole[1:]]


def _quarter(dates: pd.Series) -> pd.Series:
    return dates.dt.to_period("Q").astype("str")


def period_end_push(run: Simulation, days: int = 10) -> tuple[float, float]:
    """F1: (share of the analysed quarters' revenue signed in their last ``days`` working
    days, mean discount of the new deals signed then)."""
    d = run.ledger.deals
    keep = _quarter(d["signed_on"]).isin(analysed_quarters(run)).to_numpy()
    late = keep & (working_days_left(d["signed_on"], run.calendar, "Q") <= days)
    total = d["amount"][keep].sum()
    share = d["amount"][late].sum() / total if total > 0 else np.nan
    new = (d["kind"] == "new").to_numpy()
    return float(share), float(d["discount"][late & new].mean())


def _crossings(run: Simulation, level: float) -> pd.DataFrame:
    """Each rep-quarter (analysed) whose revenue reached ``level`` x the quarterly target
    before its last working day: ``rep_id``, ``quarter``, ``day`` (date it was reached)."""
    d = run.ledger.deals.sort_values("signed_on", kind="stable")
    d = d.assign(quarter=_quarter(d["signed_on"]))
    d = d[d["quarter"].isin(analysed_quarters(run))]
    goal = level * run.scenario.targets.revenue("Q")
    cum = d.groupby(["rep_id", "quarter"])["amount"].cumsum()
    hit = d[cum >= goal - 1e-9].groupby(["rep_id", "quarter"], as_index=False)["signed_on"]\
        .first().rename(columns={"signed_on": "day"})
    ends = hit["quarter"].map(lambda q: pd.Period(q, freq="Q").end_time.normalize())
    return hit[hit["day"] < ends].reset_index(drop=True)


def after_reaching(run: Simulation, other: Simulation, level: float,
                   reps: Sequence[str] | None = None) -> tuple[float, float]:
    """F3, F4: revenue each rep signs after reaching ``level`` x its quarterly target in
    ``run`` (on later days of that quarter), summed, and what the same reps sign over the
    same days in ``other``. ``reps`` limits it to those rep ids."""
    hit = _crossings(run, level)
    if reps is not None:
        hit = hit[hit["rep_id"].isin(list(reps))]
    totals = []
    for sim in (run, other):
        d = sim.ledger.deals.assign(quarter=lambda x: _quarter(x["signed_on"]))
        m = d.merge(hit, on=["rep_id", "quarter"])
        totals.append(float(m["amount"][m["signed_on"] > m["day"]].sum()))
    return totals[0], totals[1]


def carried_over(run: Simulation, other: Simulation, level: float) -> tuple[float, float]:
    """F3: for the rep-quarters of ``run`` that reached ``level`` x the quarterly target
    (an analysed quarter followed by another), the revenue of new deals signed in the next
    quarter from leads that arrived in that quarter: the deals that slipped. Returns it for
    ``run`` and for the same rep-quarters in ``other``."""
    hit = _crossings(run, level)
    quarters = analysed_quarters(run)
    hit = hit[hit["quarter"].isin(quarters[:-1])]
    totals = []
    for sim in (run, other):
        led = sim.ledger
        d = led.deals[led.deals["kind"] == "new"]
        lead = d["customer_id"].map(led.customers.set_index("customer_id")["lead_id"])
        created = lead.map(led.leads.set_index("lead_id")["created_on"])
        signed_q = pd.PeriodIndex(d["signed_on"], freq="Q")
        made_q = pd.PeriodIndex(created, freq="Q")
        slip = pd.DataFrame({"rep_id": d["rep_id"].to_numpy(),
                             "quarter": made_q.astype("str"), "amount": d["amount"].to_numpy()})
        slip = slip[(signed_q == made_q + 1)]
        totals.append(float(slip.merge(hit, on=["rep_id", "quarter"])["amount"].sum()))
    return totals[0], totals[1]


def quarter_attainment_by(run: Simulation, days_left: int) -> pd.DataFrame:
    """Each rep's attainment (revenue / quarterly target) in each analysed quarter from the
    quarter's start up to ``days_left`` working days before its end (exclusive)."""
    d = run.ledger.deals
    q = _quarter(d["signed_on"])
    keep = q.isin(analysed_quarters(run)).to_numpy() & \
        (working_days_left(d["signed_on"], run.calendar, "Q") > days_left)
    got = d[keep].groupby([d["rep_id"][keep], q[keep]])["amount"].sum()
    grid = pd.MultiIndex.from_product([run.ledger.reps["rep_id"], analysed_quarters(run)],
                                      names=["rep_id", "quarter"])
    got = got.rename_axis(["rep_id", "quarter"]).reindex(grid, fill_value=0.0)
    return (got / run.scenario.targets.revenue("Q")).rename("attainment").reset_index()


def selling_hours(run: Simulation, who: pd.DataFrame, days: int) -> float:
    """F4: hours the rep-quarters of ``who`` (``rep_id``, ``quarter``) spent on pipeline
    tasks in the quarter's last ``days`` working days."""
    a = run.ledger.activities
    a = a[a["task"].isin(PIPELINE)]
    day = a["started_at"].dt.normalize()
    late = working_days_left(day, run.calendar, "Q") <= days
    a = a[late].assign(quarter=_quarter(day[late]))
    m = a.merge(who[["rep_id", "quarter"]], on=["rep_id", "quarter"])
    return float((m["ended_at"] - m["started_at"]).dt.total_seconds().sum() / 3600.0)


def team_rates(run: Simulation) -> tuple[float, float]:
    """F6: the company's collection rate and retention rate (R2.2.1.2, R2.2.1.3), averaged
    over the analysed quarters."""
    card = kpi.scorecard(run.ledger, "Q", "company", run.scenario.targets)
    card = card[card["period"].isin(analysed_quarters(run))]
    return float(card["collection_rate"].mean()), float(card["retention_rate"].mean())


def task_hours(run: Simulation, task: str = "revisit") -> float:
    """F6: hours the team spent on ``task`` (a revisit by default, R2.1.4.3) in the analysed
    quarters."""
    a = run.ledger.activities
    a = a[(a["task"] == task).to_numpy()
          & _quarter(a["started_at"]).isin(analysed_quarters(run)).to_numpy()]
    return float((a["ended_at"] - a["started_at"]).dt.total_seconds().sum() / 3600.0)


def delivery_delay(run: Simulation) -> float:
    """F9: mean working days an order signed in the analysed quarters waited for the
    delivery team (R2.1.4.1)."""
    o = run.orders
    keep = _quarter(o["signed_on"]).isin(analysed_quarters(run))
    return float(o["queue_days"][keep].mean())


# ------------------------------------------------------------------ experiments
@dataclass(frozen=True)
class Effect:
    """One measured effect: ``name`` (F1 ...), what is compared, the baseline and the other
    plan, and ``measure(runs) -> (baseline value, other value)`` for one replication, where
    ``runs`` maps ``(setting, plan)`` to that replication's runs."""

    name: str
    quantity: str
    setting: str
    baseline: str
    other: str
    measure: Callable[[dict[tuple[str, str], Simulation]], tuple[float, float]]
    unit: str = ""


SETTINGS: dict[str, dict[str, Any]] = {
    "steady": {},
    "steady, customers wait": {"decision__hold_days": 3.0},
    "easy quota": {"targets__monthly_revenue": 70_000.0, "decision__hold_days": 3.0},
    "stretching quota": {"targets__monthly_revenue": 140_000.0},
    "fixed capacity": {"fulfilment__capacity_per_day": "0.75 per rep"},
    "paid over time": {"payments__installments": 3, "payments__withhold_unsatisfied": 0.6},
}
"""The businesses of the experiments (overrides of :func:`behaviour_scenario`): steady at
the regulation's target, where a customer ready to sign does not wait (the default
``decision.hold_days = 0``); the same with customers who wait up to 3 working days to sign,
so that a rep can hold a deal over a quarter's end; an easy quota (70,000 CNY a month,
customers who wait 3 days) where reps reach caps; a stretching quota (140,000 CNY) where
many reps fall far behind; delivery capacity fixed at 0.75 orders a rep and working day,
about the rate at which reps sign under linear pay, so that the backlog grows with any
push; steady, with customers who pay each deal in three invoices (due 30, 60 and 90 days
after signing) and who, when unhappy, may hold a payment back until they are chased
(``payments.withhold_unsatisfied``), so that the cash a rep is owed depends on after-sales
care."""


F6_SETTING = "paid over time"
"""The business of the F6 effects."""


def far_behind(runs: dict[tuple[str, str], Simulation], setting: str) -> pd.DataFrame:
    """F4: the rep-quarters below 45% of the quarter's target 20 working days before its
    end in the linear run of ``setting`` (the same reps and leads as under any plan)."""
    base = runs[setting, "linear"]
    att = quarter_attainment_by(base, 20)
    return att[att["attainment"] < 0.45]


def top_third(runs: dict[tuple[str, str], Simulation], setting: str) -> list[str]:
    """F4: the third of the reps with the most revenue in the linear run of ``setting``."""
    base = runs[setting, "linear"]
    rev = base.ledger.deals.groupby("rep_id")["amount"].sum().sort_values(ascending=False)
    return list(rev.index[: max(1, len(rev) // 3)])


def _pair(f: Callable[[Simulation], float], setting: str, a: str, b: str):
    return lambda runs: (f(runs[setting, a]), f(runs[setting, b]))


EFFECTS: tuple[Effect, ...] = (
    Effect("F1", "share of quarter revenue in its last 10 working days", "steady", "linear",
           "quota_bonus", _pair(lambda r: period_end_push(r)[0], "steady", "linear",
                                "quota_bonus")),
    Effect("F1", "mean discount on deals of the last 10 working days", "steady", "linear",
           "quota_bonus", _pair(lambda r: period_end_push(r)[1], "steady", "linear",
                                "quota_bonus")),
    Effect("F1", "share of quarter revenue in its last 10 working days",
           "steady, customers wait", "linear", "quota_bonus",
           _pair(lambda r: period_end_push(r)[0], "steady, customers wait", "linear",
                 "quota_bonus")),
    Effect("F2", "share of quarter revenue in its last 10 working days", "steady", "linear",
           "accelerator", _pair(lambda r: period_end_push(r)[0], "steady", "linear",
                                "accelerator")),
    Effect("F3", "revenue signed after reaching the cap (150%), rest of quarter",
           "easy quota", "linear", "capped",
           lambda runs: after_reaching(runs["easy quota", "capped"],
                                       runs["easy quota", "linear"], 1.5)[::-1], "CNY"),
    Effect("F3", "revenue from a quarter's leads signed next quarter, reps who reached the cap",
           "easy quota", "linear", "capped",
           lambda runs: carried_over(runs["easy quota", "capped"],
                                     runs["easy quota", "linear"], 1.5)[::-1], "CNY"),
    Effect("F4", "pipeline hours in the last 20 working days, reps below 45% then",
           "stretching quota", "linear", "quota_bonus",
           lambda runs: tuple(selling_hours(runs["stretching quota", p],
                                            far_behind(runs, "stretching quota"), 20)
                              for p in ("linear", "quota_bonus")), "hours"),
    Effect("F4", "revenue the top third sign after reaching 100%, rest of quarter",
           "easy quota", "capped", "accelerator",
           lambda runs: tuple(after_reaching(runs["easy quota", p], runs["easy quota", p],
                                             1.0, top_third(runs, "easy quota"))[0]
                              for p in ("capped", "accelerator")), "CNY"),
    Effect("F6", "collection rate", F6_SETTING, "linear", "collected",
           _pair(lambda r: team_rates(r)[0], F6_SETTING, "linear", "collected")),
    Effect("F6", "collection rate", F6_SETTING, "linear", "regulation",
           _pair(lambda r: team_rates(r)[0], F6_SETTING, "linear", "regulation")),
    Effect("F6", "retention rate", F6_SETTING, PROCEDURE, "linear",
           _pair(lambda r: team_rates(r)[1], F6_SETTING, PROCEDURE, "linear")),
    Effect("F6", "retention rate", F6_SETTING, "linear", "collected",
           _pair(lambda r: team_rates(r)[1], F6_SETTING, "linear", "collected")),
    Effect("F6", "retention rate", F6_SETTING, "linear", "regulation",
           _pair(lambda r: team_rates(r)[1], F6_SETTING, "linear", "regulation")),
    Effect("F6", "retention rate", "steady", "linear", "collected",
           _pair(lambda r: team_rates(r)[1], "steady", "linear", "collected")),
    Effect("F6", "hours of revisits", F6_SETTING, PROCEDURE, "linear",
           _pair(task_hours, F6_SETTING, PROCEDURE, "linear"), "hours"),
    Effect("F6", "hours of revisits", F6_SETTING, "linear", "collected",
           _pair(task_hours, F6_SETTING, "linear", "collected"), "hours"),
    Effect("F6", "hours of revisits", F6_SETTING, "linear", "regulation",
           _pair(task_hours, F6_SETTING, "linear", "regulation"), "hours"),
    Effect("F6", "hours of feedback calls", F6_SETTING, "linear", "collected",
           _pair(lambda r: task_hours(r, "feedback"), F6_SETTING, "linear", "collected"),
           "hours"),
    Effect("F9", "delivery delay (working days an order waits)", "fixed capacity", "linear",
           "new_logos", _pair(delivery_delay, "fixed capacity", "linear", "new_logos"),
           "days"),
    Effect("F9", "retention rate", "fixed capacity", "linear", "new_logos",
           _pair(lambda r: team_rates(r)[1], "fixed capacity", "linear", "new_logos")),
)
"""The effects of ``docs/behaviour.md``, in order."""


def _plan(name: str) -> Any:
    return NEW_LOGOS if name == "new_logos" else "linear" if name == PROCEDURE else name


def _runs_needed(effects: Sequence[Effect]) -> list[tuple[str, str]]:
    need: list[tuple[str, str]] = []
    for e in effects:
        for key in ((e.setting, e.baseline), (e.setting, e.other), (e.setting, "linear")):
            if key not in need:
                need.append(key)
    return need


def setting_scenario(setting: str, plan: str, reps: int = 6, months: int = 9,
                     sensitivity: float = SENSITIVITY) -> Scenario:
    """The scenario of business ``setting`` (a key of :data:`SETTINGS`) paid by ``plan``
    (:data:`PROCEDURE`: reps at sensitivity 0, paid by ``linear``)."""
    over = {k: (v if v != "0.75 per rep" else 0.75 * reps)
            for k, v in SETTINGS[setting].items()}
    over["decision__incentive_sensitivity"] = 0.0 if plan == PROCEDURE else sensitivity
    return behaviour_scenario(reps, months, **over).with_overrides({"plan": _plan(plan)})


def run_settings(keys: Sequence[tuple[str, str]], seed: int, reps: int = 6, months: int = 9,
                 sensitivity: float = SENSITIVITY) -> dict[tuple[str, str], Simulation]:
    """One replication (``seed``) of each ``(setting, plan)`` of ``keys``."""
    return {(setting, plan): simulate(setting_scenario(setting, plan, reps, months,
                                                       sensitivity), seed=seed, trace=False)
            for setting, plan in keys}


def _replicate(task: tuple) -> list[tuple[float, float]]:
    seed, reps, months, sensitivity, which = task
    effects = [EFFECTS[i] for i in which]
    runs = run_settings(_runs_needed(effects), seed, reps, months, sensitivity)
    return [e.measure(runs) for e in effects]


def measure(replications: int = 20, *, reps: int = 6, months: int = 9, jobs: int = 1,
            effects: Sequence[int] | None = None, seed: int = 0,
            sensitivity: float = SENSITIVITY) -> pd.DataFrame:
    """Run the effects of :data:`EFFECTS` (all, or those at positions ``effects``).

    Replication ``i`` runs every plan with seed ``seed + i``, ``reps`` reps over ``months``
    months, in ``jobs`` processes. Returns one row per effect and replication: ``effect``
    (position), ``replication``, ``baseline`` and ``other``.
    """
    which = tuple(range(len(EFFECTS))) if effects is None else tuple(effects)
    tasks = [(seed + i, reps, months, sensitivity, which) for i in range(replications)]
    if jobs > 1:
        with ProcessPoolExecutor(jobs) as pool:
            results = list(pool.map(_replicate, tasks))
    else:
        results = [_replicate(t) for t in tasks]
    rows = [(e, i, a, b) for i, res in enumerate(results)
            for e, (a, b) in zip(which, res, strict=True)]
    return pd.DataFrame(rows, columns=["effect", "replication", "baseline", "other"])


def summarise(values: pd.DataFrame) -> list[tuple[Effect, Interval, float, float]]:
    """Each effect with the paired 95% interval of ``other - baseline`` and both means."""
    out = []
    for e, g in values.groupby("effect", sort=True):
        ci = paired_ci(g["baseline"].to_numpy(), g["other"].to_numpy())
        out.append((EFFECTS[e], ci, float(g["baseline"].mean()), float(g["other"].mean())))
    return out


def _fmt(x: float, unit: str) -> str:
    if unit == "CNY":
        return f"{x:,.0f}"
    if unit in ("hours", "days"):
        return f"{x:,.2f}"
    return f"{x:.4f}"


def markdown(values: pd.DataFrame) -> str:
    """The table of ``docs/behaviour.md``: each effect's means, difference and 95% CI."""
    n = values["replication"].nunique()
    lines = [
        f"| # | quantity | business | baseline | other | baseline mean | other mean | "
        f"difference (other - baseline) | 95% CI ({n} replications) |",
        "|---|---|---|---|---|---:|---:|---:|---|",
    ]
    for e, ci, a, b in summarise(values):
        u = e.unit
        lines.append(f"| {e.name} | {e.quantity} | {e.setting} | {e.baseline} | {e.other} | "
                     f"{_fmt(a, u)} | {_fmt(b, u)} | {_fmt(ci.mean, u)} | "
                     f"[{_fmt(ci.low, u)}, {_fmt(ci.high, u)}] |")
    return "\n".join(lines) + "\n"
