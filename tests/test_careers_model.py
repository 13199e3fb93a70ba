"""Careers in the model: promotion (R2.2.2.2), coaching, recognition and training (R2.2.2.3).

Promotions must be exactly what :func:`salessim.careers.promotion_due` decides on the
quarterly scorecard of the run's own ledger; the assumptions (coaching, recognition,
training) do what their parameters say, and nothing at all when off.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from salessim import Scenario, kpi, simulate
from salessim.careers import PromotionRule, promotion_due
from salessim.model.careers import _recognise, _settle
from salessim.model.engine import Model
from salessim.model.rules import COACHING, TRAINING
from salessim.scenario import ScenarioError


def activities(m: Model) -> pd.DataFrame:
    """The model's activity records (rep, start, end, kind, reference) as a table."""
    rows = [m.acts[i:i + 5] for i in range(0, len(m.acts), 5)]
    return pd.DataFrame([list(r) for r in rows], columns=["rep", "start", "end", "kind", "ref"])


def careers_scenario(**careers) -> Scenario:
    # Six reps and an easy target (60,000 CNY a month), so that promotions happen.
    return Scenario().with_team(6).with_overrides({
        "calendar.months": 12, "targets.monthly_revenue": 60_000.0,
        **{f"careers.{k}": v for k, v in careers.items()}})


@pytest.fixture(scope="module")
def promoted():
    return simulate(careers_scenario(promotion=True), seed=3)


def expected_promotions(ledger, scenario: Scenario, initial: dict[str, str]) -> list[tuple]:
    """Replay the rule on the final ledger's quarterly scorecard: at each quarter end (when
    the next quarter's second working day is simulated), apply promotion_due to the quarters
    since the rep's last promotion."""
    card = kpi.scorecard(ledger, "Q", "rep", scenario.targets)
    rule = scenario.careers.promotion_rule()
    quarters = sorted(card["period"].unique())
    # quarters whose review falls inside the simulated year: all but the last
    reviewed = quarters[:-1]
    out = []
    for rep_id, level in initial.items():
        own = card[card["rep_id"] == rep_id].set_index("period")
        since = 0
        for i in range(len(reviewed)):
            history = own.loc[quarters[since:i + 1]].reset_index()
            due = promotion_due(history, rule, level)
            if due:
                out.append((rep_id, quarters[i + 1], level, due))
                level, since = due, i + 1
    return sorted(out)


def test_promotions_are_what_the_rule_decides_on_the_runs_own_scorecard(promoted):
    led = promoted.ledger
    table = led.promotions
    assert table is not None and len(table) > 0
    # Initial levels: the reps table shows the final ones; undo the promotions.
    initial = dict(zip(led.reps["rep_id"], led.reps["level"], strict=True))
    for row in table.itertuples():
        if initial[row.rep_id] == row.to_level:
            initial[row.rep_id] = row.from_level
    got = sorted((r.rep_id, str(pd.Period(r.promoted_on, freq="Q")), r.from_level, r.to_level)
                 for r in table.itertuples())
    assert got == expected_promotions(led, promoted.scenario, initial)


def test_promotion_rows_are_valid_and_dated_at_the_start_of_a_quarter(promoted):
    led = promoted.ledger
    led.validate()  # raises on schema or reference errors, promotions included
    table = led.promotions
    assert list(table.columns) == ["rep_id", "promoted_on", "from_level", "to_level"]
    # reviewed on the second working day of the quarter, once the books are complete
    cal = promoted.calendar
    for day in table["promoted_on"]:
        first = pd.Period(day, freq="Q").start_time
        working = cal.dates[(cal.dates >= first.to_datetime64())
                            & (cal.dates <= day.to_datetime64())]
        assert len(working) == 2
    order = {"sales": 0, "senior": 1, "lead": 2}
    assert (table["to_level"].map(order) == table["from_level"].map(order) + 1).all()


def test_default_rule_promotes_after_three_of_four_quarters_by_hand():
    # Four quarters F, T, T, T under the default rule: due at the end of the fourth only.
    assert promotion_due([False, True, True]) is None
    assert promotion_due([False, True, True, True]) == "senior"
    assert careers_scenario().careers.promotion_rule() == PromotionRule()


def test_careers_are_off_by_default_and_leave_no_trace():
    run = simulate(Scenario().with_team(4).with_overrides({"calendar.months": 4}), seed=1)
    assert run.ledger.promotions is None
    assert not run.ledger.activities["task"].isin(["coaching", "training"]).any()


def test_a_lead_coaches_and_every_other_member_gains_the_set_skill_per_session():
    gain = 0.05
    base = careers_scenario()
    plain = Model(base, 2).run()
    coached = Model(careers_scenario(coaching_interval_days=10.0, coaching_hours=1.5,
                                     coaching_gain=gain), 2).run()
    leads = [r for r in coached.reps if r.level == "lead"]
    assert len(leads) == 1  # 10% of 6 reps, rounded
    acts = activities(coached)
    sessions = acts[acts["kind"] == COACHING]
    assert set(sessions["rep"]) == {leads[0].idx}
    # 1.5 hours of an 8-hour day each
    assert sessions["end"].sub(sessions["start"]).round(9).eq(1.5 / 8).all()
    done = int((sessions["end"] < coached.horizon).sum())
    assert done >= 20  # every 10 working days over a year
    # Skill of another member: multiplied by (1 + gain) per finished session, on top of the
    # meetings both runs share (same seed, same meeting schedule).
    for r, p in zip(coached.reps, plain.reps, strict=True):
        if r is leads[0]:
            assert r.skill == pytest.approx(p.skill, rel=1e-12)
        else:
            assert r.skill / p.skill == pytest.approx((1 + gain) ** done, rel=1e-9)


def test_training_takes_every_rep_the_set_hours_and_raises_its_skill():
    m = Model(careers_scenario(training_interval_days=20.0, training_hours=2.0,
                               training_gain=0.01), 4).run()
    acts = activities(m)
    t = acts[acts["kind"] == TRAINING]
    assert set(t["rep"]) == {r.idx for r in m.reps}
    assert t["end"].sub(t["start"]).round(9).eq(2.0 / 8).all()
    # one session every 20 working days per rep: horizon / 20 of them (the last may not end)
    per_rep = t.groupby("rep").size()
    assert (per_rep >= math.floor(m.horizon / 20) - 1).all()
    run = simulate(careers_scenario(training_interval_days=20.0), seed=4)
    assert (run.ledger.activities["task"] == "training").any()


def test_recognition_raises_effort_for_the_set_days_then_settles():
    s = careers_scenario(recognition_share=0.5, recognition_effort=0.25, recognition_days=15.0)
    m = Model(s, 1)
    rep = m.reps[0]
    before = rep.inv_speed
    _recognise(m, rep, 40.0)
    assert rep.inv_speed == pytest.approx(before / 1.25)  # tasks take 1 / 1.25 of the time
    assert rep.effort_until == 55.0
    _settle(m, rep, None, 50.0)  # too early: a later recognition may have extended it
    assert rep.inv_speed == pytest.approx(before / 1.25)
    _settle(m, rep, None, 55.0)
    assert rep.inv_speed == pytest.approx(before)


def test_recognition_picks_the_best_on_target_each_quarter():
    s = careers_scenario(recognition_share=0.34, recognition_effort=0.5, recognition_days=5.0)
    picked = []
    from salessim.model import careers as mc

    real = mc._recognise

    def spy(m, rep, when):
        picked.append((when, rep.rep_id))
        real(m, rep, when)

    mc._recognise = spy
    try:
        run = simulate(s, seed=5)
    finally:
        mc._recognise = real
    card = kpi.scorecard(run.ledger, "Q", "rep", s.targets)
    quarters = sorted(card["period"].unique())[:-1]  # the last is reviewed after the year
    for when, group in pd.DataFrame(picked, columns=["when", "rep"]).groupby("when"):
        q = quarters[len({w for w, _ in picked if w < when})]
        rows = card[(card["period"] == q) & card["meets_revenue"]]
        best = rows.sort_values(["attainment", "rep_id"], ascending=[False, True])
        assert list(group["rep"]) == list(best["rep_id"].head(2))  # round(0.34 x 6) = 2


@pytest.mark.parametrize(("careers", "message"), [
    ({"quarters_met_needed": 5, "window": 4}, "careers.quarters_met_needed: 5 is not allowed"),
    ({"criteria": ["revenue", "profit"]}, "unknown criterion 'profit'"),
    ({"coaching_gain": -0.1}, "careers.coaching_gain: -0.1 is not allowed: must be >= 0"),
])
def test_bad_career_parameters_are_refused_with_the_field_named(careers, message):
    with pytest.raises(ScenarioError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Scenario(careers=careers)
