"""Properties every pay plan must have, checked on random plans and results (R2.2.2.1).

- More revenue never pays less (plans without clawback), counting the team's sum too.
- A capped commission never pays more than its cap.
- Below a threshold (commission, bonus level, scorecard score) nothing is paid.
The pay rules are checked on random plans and measures; the ledger plumbing on the sample
CRM export with random changes.
"""

import math
from functools import cache

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salessim.incentives import (
    BUILTIN_PLANS,
    Plan,
    builtin_plan,
    marginal_pay,
    measures,
    payouts,
)
from salessim.ledger import Ledger, sample_crm_dir
from salessim.regulation import Targets

SUMS = ("revenue", "collected", "new_customers")
RATES = ("retention", "collection")
MEASURES = SUMS + RATES
TARGETS = Targets()
FRACTIONS = st.one_of(st.floats(0, 3), st.floats(0.8, 1.2), st.sampled_from([0.0, 0.5, 1.0]))
SMALL_OR_LARGE = st.one_of(st.floats(0, 0.1), st.floats(0, 1.5))


@st.composite
def results(draw) -> dict[str, float]:
    """A rep's results as fractions of target (sums in [0, 3], rates in [0, 1] or NaN),
    with a team around the rep or none."""
    m = {s: draw(FRACTIONS) for s in SUMS}
    for r in RATES:
        m[r] = draw(st.one_of(st.just(math.nan), st.floats(0, 1)))
    size = draw(st.integers(0, 6))
    m["team_size"] = float(size)
    for s in SUMS:
        others = draw(st.floats(0, 3 * (size - 1))) if size > 1 else 0.0
        m[f"team_{s}"] = m[s] + others if size else 0.0
    return m


def in_cny(m: dict[str, float], kind: str) -> dict[str, float]:
    """Fractions of target turned into the measures of a period of kind ``kind``."""
    t = TARGETS_CNY[kind]
    out = dict(m)
    for s in SUMS:
        out[s] = m[s] * t[s]
        out[f"team_{s}"] = m[f"team_{s}"] * t[s]
    return out


TARGETS_CNY = {k: {"revenue": TARGETS.revenue(k), "collected": TARGETS.revenue(k),
                   "new_customers": TARGETS.new_customers(k)} for k in "MQY"}


def _starts(draw, first: float | None) -> list[float]:
    rest = sorted(set(draw(st.lists(st.floats(0.05, 3), max_size=3))))
    return ([first] if first is not None else []) + rest


@st.composite
def commission(draw, name: str, period: str) -> dict:
    starts = _starts(draw, 0.0)
    return {"kind": "commission", "name": name, "period": period,
            "measure": draw(st.sampled_from(SUMS)),
            "tiers": [[a, draw(st.floats(0, 0.3))] for a in starts],
            "threshold": draw(st.sampled_from([0.0, 0.5, 0.8, 1.0])),
            "cap": draw(st.one_of(st.none(), st.floats(0.2, 3))),
            "unit": "target_pay"}


@st.composite
def bonus(draw, name: str, period: str) -> dict:
    starts = _starts(draw, None) or [1.0]
    amounts = sorted(draw(st.lists(st.floats(0, 3), min_size=len(starts),
                                   max_size=len(starts))))
    return {"kind": draw(st.sampled_from(["bonus", "team_bonus"])), "name": name,
            "period": period, "measure": "revenue",
            "levels": [list(p) for p in zip(starts, amounts, strict=True)]}


@st.composite
def scorecard(draw, name: str, period: str) -> dict:
    weights = {m: draw(st.floats(0, 1)) for m in MEASURES}
    weights["revenue"] += 0.1
    return {"kind": "scorecard", "name": name, "period": period, "weights": weights,
            "cap": draw(st.floats(1, 2)), "threshold": draw(st.floats(0, 1.2))}


@st.composite
def plans(draw) -> Plan:
    """A random plan without clawbacks: 1-3 paying components, often an uplift, maybe a
    gate."""
    period = draw(st.sampled_from("MQY"))
    makers = st.sampled_from([commission, bonus, scorecard])
    comps = [draw(draw(makers)(f"c{i}", period)) for i in range(draw(st.integers(1, 3)))]
    names = [c["name"] for c in comps]
    if draw(st.integers(0, 3)) > 0:
        comps.append({"kind": "uplift", "period": period, "basis": draw(st.sampled_from(
            ["excess", "whole"])), "applies_to": draw(st.lists(st.sampled_from(names),
                                                               min_size=1, unique=True))})
    if draw(st.booleans()):
        comps.append({"kind": "gate", "period": period,
                      "measures": draw(st.lists(st.sampled_from(MEASURES), min_size=1,
                                                unique=True))})
    return Plan(name="random", components=comps)


@settings(max_examples=400, deadline=None)
@given(plan=st.one_of(plans(), st.sampled_from(BUILTIN_PLANS).map(builtin_plan)),
       m=results(), extra=SMALL_OR_LARGE)
def test_more_revenue_never_pays_less(plan, m, extra):
    (kind,) = plan.periods  # every plan drawn here pays per one kind of period
    more = dict(m, revenue=m["revenue"] + extra)
    if m["team_size"] > 0:
        more["team_revenue"] = m["team_revenue"] + extra
    before = sum(plan.pay(kind, in_cny(m, kind), TARGETS).values())
    after = sum(plan.pay(kind, in_cny(more, kind), TARGETS).values())
    tolerance = 1e-6 * max(1.0, abs(before))
    assert after >= before - tolerance
    delta = extra * TARGETS.revenue(kind)
    assert marginal_pay(plan, {kind: in_cny(m, kind)}, delta) == \
        pytest.approx(after - before, abs=tolerance)


@settings(max_examples=200, deadline=None)
@given(data=st.data(), m=results())
def test_caps_are_never_exceeded(data, m):
    comp = data.draw(commission("c", "Q"))
    comp["cap"] = data.draw(st.floats(0.1, 3))
    plan = Plan(name="capped", components=[comp])
    cap = comp["cap"] * 0.08 * TARGETS.revenue("Q")
    assert plan.pay("Q", in_cny(m, "Q"), TARGETS)["c"] <= cap * (1 + 1e-12)


@settings(max_examples=200, deadline=None)
@given(data=st.data(), fraction=st.floats(0, 0.999999))
def test_nothing_is_paid_below_a_threshold(data, fraction):
    comp = data.draw(commission("c", "M"))
    comp["threshold"] = data.draw(st.floats(0.05, 2))
    levels = data.draw(bonus("b", "M"))
    levels["kind"] = "bonus"
    card = data.draw(scorecard("s", "M"))
    card["threshold"] = data.draw(st.floats(0.05, 1.5))
    plan = Plan(name="thresholds", components=[comp, levels, card])
    t = plan.targets_for("M", TARGETS)
    # Every measure at the same fraction of its target: below each component's threshold.
    m = {k: fraction * t.of_measure(k) for k in SUMS + RATES}
    paid = plan.pay("M", {**m, comp["measure"]: fraction * comp["threshold"]
                          * t.of_measure(comp["measure"])}, t)
    assert paid["c"] == 0
    first_level = levels["levels"][0][0]
    m_b = {**m, "revenue": fraction * first_level * t.revenue}
    assert plan.pay("M", m_b, t)["b"] == 0
    score_m = {k: fraction * min(card["threshold"], card["cap"]) * t.of_measure(k)
               for k in SUMS + RATES}
    assert plan.pay("M", score_m, t)["s"] == 0


# ------------------------------------------------------------------ on a ledger
SAMPLE = Ledger.from_csv_dir(sample_crm_dir())
SPAN = pd.date_range("2026-01-01", "2026-06-30", freq="D")


@cache
def _sample_payouts(name: str) -> pd.DataFrame:
    return payouts(SAMPLE, name)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(deal=st.integers(0, len(SAMPLE.deals) - 1), day=st.sampled_from(list(SPAN)),
       amount=st.floats(1, 500_000))
def test_one_more_deal_never_lowers_anyones_pay(deal, day, amount):
    """A repeat deal for an existing customer: its rep's rows never fall, others' stay."""
    base = SAMPLE.deals.iloc[deal]
    extra = pd.DataFrame([{**base.to_dict(), "deal_id": "D_EXTRA", "signed_on": day,
                           "list_amount": amount, "discount": 0.0, "amount": amount,
                           "kind": "repeat"}])
    more = SAMPLE.replace(deals=pd.concat([SAMPLE.deals, extra], ignore_index=True))
    for name in BUILTIN_PLANS:
        a, b = _sample_payouts(name), payouts(more, name)
        assert (a[["rep_id", "period", "component"]].values ==
                b[["rep_id", "period", "component"]].values).all()
        mine = (a["rep_id"] == base["rep_id"]).to_numpy()
        assert (b["amount"].to_numpy()[mine] >= a["amount"].to_numpy()[mine]).all()
        assert (b["amount"].to_numpy()[~mine] == a["amount"].to_numpy()[~mine]).all()


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scale=st.floats(0, 20))
def test_capped_and_threshold_plans_hold_on_a_ledger(scale):
    deals = SAMPLE.deals.assign(amount=SAMPLE.deals["amount"] * scale,
                                list_amount=SAMPLE.deals["list_amount"] * scale)
    ledger = SAMPLE.replace(deals=deals)
    capped = payouts(ledger, "capped")
    assert (capped["amount"] <= 1.5 * 0.08 * 300_000).all()
    plan = Plan(name="floor", components=[{"kind": "commission", "period": "Q",
                                           "rate": 0.08, "threshold": 0.8}])
    table = payouts(ledger, plan).merge(measures(ledger, plan, "Q"), on=["rep_id", "period"])
    # Below 80% of 300,000 (240,000) nothing; from there on 8% of all of it.
    below = table["revenue"] < 240_000
    assert (table.loc[below, "amount"] == 0).all()
    assert (table.loc[~below, "amount"] - 0.08 * table.loc[~below, "revenue"]).abs().max() \
        <= 0.005 or below.all()
