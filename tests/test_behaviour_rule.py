"""The pay-aware decision rule, piece by piece, against hand-computed values (R2.2.2.1).

Each test sets up one rep in a small model, puts it in a known position (what it has booked
so far, the day of the quarter) and checks one decision: what a deal is worth, the discount,
putting a task off, holding a deal, pulling one in.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import pytest

from salessim import Scenario
from salessim.incentives import builtin_plan
from salessim.model.aftersales import Customer
from salessim.model.engine import Model
from salessim.model.outlook import Curve, Periods
from salessim.model.payaware import _erlang_sf
from salessim.model.payments import Invoice
from salessim.model.pipeline import Opp
from salessim.model.rules import COLLECTION_CALL, CONTRACT, NEGOTIATION, QUOTE, REVISIT

PHI = NormalDist().cdf
Q_TARGET = 300_000.0  # 3 x the regulation's 100,000 CNY a month (R2.2.1.1)


def model(plan: str, s: float = 0.8, **over) -> Model:
    sc = Scenario().with_team(2).with_overrides({
        "calendar.months": 6, "calendar.holidays": "weekends", "plan": plan,
        "decision.incentive_sensitivity": s, **over})
    return Model(sc, 0)


def at(m: Model, rep, booked: float, day: float):
    """The rep's outlook on ``day`` with ``booked`` CNY signed so far this quarter."""
    per = Periods(m.calendar, "Q")
    first = per.first_month[int(day)]
    month = m.month_of_day[int(day)]
    for i in range(len(rep.revenue)):
        rep.revenue[i] = 0.0
    rep.revenue[first] = booked if month == first else 0.0
    if month != first:
        rep.revenue[month] = booked
    o = m.rule.looks[rep.idx]
    o.day = -1
    return m.rule.look(rep, day)


def opp(m: Model, list_price: float = 5000.0, discount: float = 0.08) -> Opp:
    o = Opp(0, 0, 1.0, 0.0, 0)
    o.list_price, o.discount = list_price, discount
    return o


# ------------------------------------------------------------------ building blocks
def test_erlang_survival_by_hand():
    # one exponential lead time of mean 2: P(> 3) = e^-1.5
    assert _erlang_sf(3.0, 1, 2.0) == pytest.approx(math.exp(-1.5))
    # two of total mean 4 (rate 0.5 each): P(> 6) = e^-3 (1 + 3)
    assert _erlang_sf(6.0, 2, 4.0) == pytest.approx(4 * math.exp(-3.0))
    assert _erlang_sf(-1.0, 3, 5.0) == 1.0 and _erlang_sf(2.0, 0, 0.0) == 0.0


def test_expected_bonus_over_a_normal_forecast_is_the_chance_of_reaching_the_quota():
    # quota_bonus pays 24,000 CNY at 300,000 CNY: E[pay] = 24,000 x P(revenue >= 300,000).
    plan = builtin_plan("quota_bonus")
    t = plan.targets_for("Q")
    step = 750.0
    curve = Curve("revenue", step, [plan.pay("Q", {"revenue": j * step}, t)["bonus"]
                                    for j in range(1601)])
    for mu, sd in ((280_000, 20_000), (300_000, 50_000), (200_000, 10_000)):
        # the tabulated step climbs over one grid step, [299,250, 300,000]: half a step
        exact = 24_000 * PHI((mu - (Q_TARGET - step / 2)) / sd)
        assert curve.mean(mu, sd) == pytest.approx(exact, abs=24_000 * 0.01)
    assert curve.mean(310_000, 0.0) == 24_000 and curve.mean(290_000, 0.0) == 0.0


def test_capped_commission_mean_by_hand():
    # 8% up to 450,000 CNY (36,000 CNY, 150% of the target pay), nothing above
    plan = builtin_plan("capped")
    t = plan.targets_for("Q")
    curve = Curve("revenue", 750.0, [sum(plan.pay("Q", {"revenue": j * 750.0}, t).values())
                                     for j in range(1601)])
    assert curve.mean(300_000, 0.0) == pytest.approx(24_000)
    assert curve.mean(500_000, 0.0) == pytest.approx(36_000)
    # E[min(0.08 X, 36,000)] for X ~ N(450,000, 30,000): 36,000 - 0.08 E[(450,000 - X)+]
    # = 36,000 - 0.08 x 30,000 x phi(0) = 36,000 - 957.5
    assert curve.mean(450_000, 30_000) == pytest.approx(36_000 - 0.08 * 30_000 / math.sqrt(
        2 * math.pi), rel=1e-6)


# ------------------------------------------------------------------ the outlook
def test_under_linear_pay_a_deal_is_worth_the_rate_whenever_it_is_signed():
    m = model("linear")
    rep = m.reps[0]
    for booked, day in ((0.0, 5.0), (250_000.0, 60.0)):
        o = at(m, rep, booked, day)
        assert o.deal_value(5000.0, day) == pytest.approx(400.0)  # 8% of 5,000
        assert o.deal_value(5000.0, day + 70) == pytest.approx(400.0)
        assert o.rate("collected", day) == 0.0


def test_a_quota_bonus_deal_is_worth_most_just_short_of_the_quota_near_the_end():
    m = model("quota_bonus")
    rep = m.reps[0]
    end = Periods(m.calendar, "Q").end[0]
    late = end - 3.0
    near = at(m, rep, 280_000.0, late).deal_value(10_000.0, late)
    far = at(m, rep, 150_000.0, late).deal_value(10_000.0, late)
    made = at(m, rep, 320_000.0, late).deal_value(10_000.0, late)
    assert made == 0.0  # the bonus is already earned
    assert far < 50.0  # out of reach: almost worthless
    # just short with 3 days left: a 10,000 CNY deal brings the bonus within reach; worth
    # far more than the 8% a linear plan pays (800 CNY)
    assert near > 5 * 800.0


# ------------------------------------------------------------------ decisions
def test_discount_under_linear_maximises_win_chance_times_price():
    m = model("linear", s=1.0)
    rep = m.reps[0]
    day = 20.0
    at(m, rep, 100_000.0, day)
    o = opp(m)
    # negotiation converts 0.57 per try; tries = skill x fit x (1 + 4 d); then 8% of the
    # price. The best whole-percent discount, found here by brute force:
    tries = rep.skill * o.fit
    best = max(range(26), key=lambda pct: (1 - 0.43 ** (tries * (1 + 4 * pct / 100)))
               * (1 - pct / 100))
    assert m.rule.discount(rep, o, day, 0.5) == pytest.approx(best / 100)


def test_discount_is_deeper_when_the_deal_can_make_the_quota():
    m = model("quota_bonus", s=1.0)
    rep = m.reps[0]
    end = Periods(m.calendar, "Q").end[0]
    day = end - 4.0
    o = opp(m)
    at(m, rep, 292_000.0, day)
    near = m.rule.discount(rep, o, day, 0.5)
    at(m, rep, 150_000.0, day)
    far = m.rule.discount(rep, o, day, 0.5)  # out of reach: the pay-optimal price is moot
    lin = model("linear", s=1.0)
    at(lin, lin.reps[0], 292_000.0, day)
    linear = lin.rule.discount(lin.reps[0], o, day, 0.5)
    # just short of the quota the win matters more than the price: deeper than the
    # linear optimum (win chance x price, checked by brute force above) and than when the
    # quota is out of reach
    assert near > linear and near > far


def test_winning_a_deal_near_the_quota_is_worth_the_rise_in_the_chance_of_the_bonus():
    # 285,000 CNY booked with 4 working days left: the rep's forecast of the quarter is
    # normal (mean and sd in o.forecast); winning a deal of a CNY raises it by a, and the
    # expected bonus by 24,000 x [PHI((mean + a - q) / sd) - PHI((mean - q) / sd)], q the
    # quota (the tabulated step climbs over one grid step, so q = 300,000 - 375).
    m = model("quota_bonus")
    rep = m.reps[0]
    end = Periods(m.calendar, "Q").end[0]
    o = at(m, rep, 285_000.0, end - 4.0)
    mean, sd = o.forecast[0][0]["revenue"], o.forecast[0][1]["revenue"]
    q = Q_TARGET - 375.0
    values = {}
    for a in (4_000.0, 5_000.0):
        values[a] = o.win_value(m.rule.pm, a)
        exact = 24_000 * (PHI((mean + a - q) / sd) - PHI((mean - q) / sd))
        assert values[a] == pytest.approx(exact, abs=24_000 * 0.01)
    # worth far more than the 8% a linear plan pays on it, and not in proportion to the
    # amount: giving 20% off to win it costs the rep less than a fifth of its value
    assert values[5_000.0] > 5 * 0.08 * 5_000.0
    assert values[4_000.0] > 0.8 * values[5_000.0]


def test_a_rep_to_whom_the_deal_is_worth_nothing_prices_it_by_the_procedure():
    # With the quota made (320,000 CNY) the deal adds nothing to the quarter's pay; with
    # 150,000 CNY and 9 working days left (the target's pace adds about 42,000) it adds next
    # to nothing. Either way the deal is not worth the work to a pay-minded rep, which gives
    # the procedure's discount, not a pay optimum over a negligible chance of the bonus.
    m = model("quota_bonus", s=0.8)
    rep = m.reps[0]
    end = Periods(m.calendar, "Q").end[0]
    day = end - 9.0
    o = opp(m)
    for booked in (320_000.0, 150_000.0):
        at(m, rep, booked, day)
        for u in (0.0, 0.5, 0.99):
            assert m.rule.discount(rep, o, day, u) == m.rule.procedure.discount(rep, o, day, u)


def test_at_zero_sensitivity_the_rule_is_the_procedure():
    m = model("quota_bonus", s=0.0)
    assert m.rule.admit is None and m.rule.pull is None
    o = opp(m)
    for u in (0.0, 0.5, 0.99):
        assert m.rule.discount(m.reps[0], o, 50.0, u) == \
            m.rule.procedure.discount(m.reps[0], o, 50.0, u)


def _invoice(m: Model, rep) -> Invoice:
    # an invoice of 5,000 CNY due on clock day 40, unpaid
    return Invoice(0, 0, None, rep, 10.0, 40.0, 0, 5000.0)


def test_collection_calls_lapse_under_revenue_pay_and_are_made_under_cash_pay():
    for plan, made in (("linear", False), ("collected", True)):
        m = model(plan, s=0.8)
        rep = m.reps[0]
        at(m, rep, 100_000.0, 45.0)
        inv = _invoice(m, rep)
        assert m.rule.admit(m, rep, COLLECTION_CALL, inv, 45.0) is made, plan
        if not made:
            # the lapsed call counts as one of the invoice's chances, and the next is due
            # recall_days (10) later
            assert inv.calls == 1
            assert rep.queues[COLLECTION_CALL][0][0] == pytest.approx(55.0)


def test_a_rep_at_its_cap_holds_a_ready_signing_only_when_customers_wait():
    for hold, held in ((0.0, False), (5.0, True)):
        m = model("capped", s=0.8, **{"decision.hold_days": hold})
        rep = m.reps[0]
        end = Periods(m.calendar, "Q").end[0]
        day = end - 3.0
        at(m, rep, 470_000.0, day)  # above 150% of 300,000: the cap is reached
        o = opp(m)
        assert m.rule.admit(m, rep, CONTRACT, o, day) is (not held)
        if held:
            assert rep.queues[CONTRACT][0][0] == end  # signed on the next quarter's first day


def test_a_rep_short_of_the_quota_pulls_a_deal_into_the_quarter_with_more_off():
    m = model("quota_bonus", s=0.8)
    rep = m.reps[0]
    end = Periods(m.calendar, "Q").end[0]
    t1 = end - 2.0
    at(m, rep, 292_000.0, t1)
    o = opp(m, discount=0.10)
    natural = end + 1.0  # the customer would meet for the contract after the quarter
    got = m.rule.pull(m, rep, o, NEGOTIATION, t1, natural)
    assert got == t1 and o.discount == pytest.approx(0.15)  # 5 points more (pull_discount)
    # the same deal for a rep under linear pay waits for the customer
    lin = model("linear", s=0.8)
    at(lin, lin.reps[0], 292_000.0, t1)
    o2 = opp(lin, discount=0.10)
    assert lin.rule.pull(lin, lin.reps[0], o2, NEGOTIATION, t1, natural) == natural
    assert o2.discount == 0.10


def test_a_rep_with_no_chance_gives_up_early_work():
    # 7% of the quota with 25 working days left: a quote that would close this quarter is
    # worth nothing to a rep under quota_bonus. Customers wait for a meeting only up to
    # decision.hold_days: with the default 0 the lead goes cold; a customer who would wait
    # 30 days gets its quote on the next quarter's first day.
    from salessim.model.pipeline import LOST, OPEN

    for wait, lost in ((0.0, True), (30.0, False)):
        m = model("quota_bonus", s=0.8, **{"decision.hold_days": wait})
        rep = m.reps[0]
        end = Periods(m.calendar, "Q").end[0]
        day = end - 25.0
        at(m, rep, 20_000.0, day)
        o = opp(m)
        m.L_outcome[0] = OPEN
        assert m.rule.admit(m, rep, QUOTE, o, day) is False
        if lost:
            assert m.L_outcome[0] == LOST and m.L_closed[0] == day
            assert not rep.queues[QUOTE]
        else:
            assert m.L_outcome[0] == OPEN and rep.queues[QUOTE][0][0] == end
    lin = model("linear", s=0.8)
    at(lin, lin.reps[0], 20_000.0, day)
    assert lin.rule.admit(lin, lin.reps[0], QUOTE, opp(lin), day) is True


def test_closing_steps_are_done_when_customers_do_not_wait():
    m = model("quota_bonus", s=0.8)
    rep = m.reps[0]
    end = Periods(m.calendar, "Q").end[0]
    at(m, rep, 20_000.0, end - 25.0)
    for kind in (NEGOTIATION, CONTRACT):
        assert m.rule.admit(m, rep, kind, opp(m), end - 25.0) is True


# ------------------------------------------------------------------ after-sales (F6)
def _customer(m: Model, rep, acquired: float, sat: float, now: float) -> Customer:
    c = Customer(len(m.customers), 0, rep, acquired, sat, 0, 5000.0)
    c.sat_t = now  # satisfaction is ``sat`` at ``now``
    m.customers.append(c)
    return c


def test_under_linear_pay_a_revisit_is_worth_the_commission_on_the_orders_it_brings():
    # Day 30 is 12 February 2026: the rep's outlook ends with March (clock day 64).
    m = model("linear")
    rep = m.reps[0]
    day = 30.0
    o = at(m, rep, 0.0, day)
    assert o.after == [64.0]
    # A revisit at satisfaction 0.37 closes 35% of the gap to 1: a lift of 0.35 x 0.63,
    # fading with a half-life of 30 working days. While it lasts the customer asks for
    # 0.0035 x lift more repeat orders a day and leaves with a hazard 0.00507 x lift lower;
    # a customer kept asks for 0.0035 x 0.37 repeat orders a day until day 64. A repeat
    # order is 70% of the mean web list price (0.65 x 4,000 + 0.27 x 7,000 + 0.08 x 13,000
    # = 5,530 CNY), 3% off, won 9 times in 10, paid 8%: 270.35 CNY. Integrated numerically:
    order = 0.9 * 5_530 * 0.7 * 0.97 * 0.08
    n = 20_000
    dt = (64.0 - day) / n
    value = 0.0
    for k in range(n):
        t = day + (k + 0.5) * dt
        lift = 0.35 * 0.63 * math.exp(-math.log(2) / 30 * (t - day))
        value += dt * lift * (0.0035 * order + 0.00507 * 0.0035 * 0.37 * (64.0 - t) * order)
    assert m.rule._care(rep, o, 0.37, 0.35, day) == pytest.approx(value, rel=1e-4)
    # about 5.1 CNY for 0.3 hours: under 37.5% of the target pay per hour (8,000 CNY a
    # month of 21.5 working days of 8 hours: 46.5 CNY), the bar at sensitivity 0.8
    assert value / 0.3 < 0.375 * 8_000 / 21.5 / 8


def test_revisits_lapse_under_revenue_or_cash_pay_and_are_made_under_the_regulation_plan():
    # In the second quarter a rep has 40 customers from the first: the regulation plan pays
    # 20% of the target bonus on the retention rate of such customers, so keeping one of
    # them is worth at least 0.2 x 24,000 / 0.85 / 40 = 141 CNY (more with the over-target
    # uplift). Cash or revenue pay values a kept customer only by its repeat orders.
    for plan, made in (("linear", False), ("collected", False), ("regulation", True)):
        m = model(plan, s=0.8)
        rep = m.reps[0]
        day = Periods(m.calendar, "Q").end[0] + 10.0
        for _ in range(40):
            _customer(m, rep, 5.0, 0.7, day)
        at(m, rep, 100_000.0, day)
        c = _customer(m, rep, 5.0, 0.37, day)
        assert m.rule.admit(m, rep, REVISIT, c, day) is made, plan
        if not made:  # put off to the next revisit, 45 working days later
            assert rep.queues[REVISIT][0][0] == pytest.approx(day + 45.0)


def test_the_retention_rate_counts_only_customers_the_period_opened_with():
    # A customer acquired in this quarter is not among its opening customers: keeping it
    # earns nothing in this quarter's retention rate, only in the next one's.
    m = model("regulation", s=0.8)
    rep = m.reps[0]
    day = Periods(m.calendar, "Q").end[0] + 10.0
    for _ in range(40):
        _customer(m, rep, 5.0, 0.7, day)
    o = at(m, rep, 100_000.0, day)
    old, new = (m.rule._care(rep, o, 0.37, 0.35, day, acquired) for acquired in (5.0, day))
    assert o.retention(day, 5.0) >= 141.0 and o.retention(day, day) == 0.0
    assert old > new > 0.0


def test_under_cash_pay_care_is_worth_the_payments_it_keeps_from_being_held_back():
    # Customers at satisfaction s hold a payment back with chance 0.6 x (1 - s). A revisit
    # at 0.37 lifts satisfaction by 0.35 x 0.63, fading with a half-life of 30 working days;
    # on an invoice of 20,000 CNY due 20 working days later, 89% of which customers pay of
    # their own accord (on time or late), it keeps 0.6 x lift x 0.89 x 20,000 CNY more from
    # being held back, paid 8% under cash pay: about 119 CNY for 0.3 hours, far above the
    # bar (37.5% of 46.5 CNY an hour).
    day = 30.0
    for plan, made in (("collected", True), ("linear", False)):
        m = model(plan, s=0.8, **{"payments.withhold_unsatisfied": 0.6})
        rep = m.reps[0]
        o = at(m, rep, 0.0, day)
        c = _customer(m, rep, 5.0, 0.37, day)
        alone = m.rule._care(rep, o, 0.37, 0.35, day, 5.0, c)
        inv = Invoice(0, 0, c, rep, 10.0, day + 20.0, 0, 20_000.0)
        c.invoices.append(inv)
        owed = m.rule._care(rep, o, 0.37, 0.35, day, 5.0, c) - alone
        if plan == "linear":
            assert owed == 0.0  # revenue pay does not pay on cash
        else:
            lift = 0.35 * 0.63 * math.exp(-math.log(2) / 30 * 20.0)
            assert owed == pytest.approx(0.6 * lift * 0.89 * 20_000 * 0.08, rel=1e-9)
        assert m.rule.admit(m, rep, REVISIT, c, day) is made, plan
        # an invoice already chased (the customer promised) or paid is not at stake
        inv.calls = 1
        assert m.rule._care(rep, o, 0.37, 0.35, day, 5.0, c) == pytest.approx(alone)
