"""Incentive plans: pay rules, built-in plans, payouts from a ledger, plan files (R2.2.2.1).

Every expected amount is worked out by hand in a comment. Targets are the regulation's
defaults (R2.2.1): revenue 100,000 CNY a month, 300,000 a quarter; 50 new customers a
quarter; retention 85%; collection rate 90%; uplift 25%. Target pay is 8% of the revenue
target: 8,000 CNY a month, 24,000 a quarter.

The small ledger (2026-01 to 2026-04; its last recorded date is 2026-04-15):

reps     team   hired        leads  channel
  r1     North  2025-01-01     l1   partner
  r2     North  2025-01-01     l2   web
  r3     South  2026-03-01     l3   partner

customers  lead  rep  acquired    churned
  c1       l1    r1   2026-01-05  -
  c2       l2    r1   2026-01-10  2026-02-20   lost after 41 days
  c3       l3    r2   2026-02-01  -
  c4       -     r3   2026-03-02  2026-04-10   lost after 39 days

deals  customer rep  signed      amount  kind     invoice due        paid
  d1   c1       r1   2026-01-05   60,000 new      i1  2026-02-04  60,000 on 01-30
  d2   c2       r1   2026-01-10   40,000 new      i2  2026-02-09  10,000 on 02-05, rest never
  d3   c1       r1   2026-02-15   30,000 repeat   i3  2026-03-17  30,000 on 03-10
  d4   c3       r2   2026-02-01  120,000 new      i4  2026-03-03 120,000 on 03-01
  d5   c3       r2   2026-03-20  200,000 repeat   i5  2026-04-19 100,000 on 04-15
  d6   c4       r3   2026-03-02   50,000 new      i6  2026-04-01  never

Revenue by month: r1 Jan 100,000, Feb 30,000; r2 Feb 120,000, Mar 200,000; r3 Mar 50,000.
Quarter 2026Q1: r1 130,000, r2 320,000, r3 50,000.
Cash collected by month: r1 Jan 60,000, Feb 10,000, Mar 30,000; r2 Mar 120,000, Apr 100,000.
"""

import math
import subprocess
import sys

import pandas as pd
import pytest

from salessim import Plan, load_plan, payouts
from salessim.cli import main
from salessim.incentives import (
    BUILTIN_PLANS,
    Bonus,
    Clawback,
    Commission,
    Gate,
    PlanError,
    Scorecard,
    Spif,
    TeamBonus,
    Uplift,
    builtin_plan,
    marginal_pay,
    measures,
)
from salessim.ledger import SCHEMA, Ledger, coerce, sample_crm_dir
from salessim.regulation import Targets


def _frame(columns: str, rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns.split())


REPS = _frame("rep_id name team level hired_on", [
    ("r1", "Li Na", "North", "sales", "2025-01-01"),
    ("r2", "Wang Wei", "North", "sales", "2025-01-01"),
    ("r3", "Zhao Lei", "South", "sales", "2026-03-01"),
])
LEADS = _frame("lead_id created_on channel industry company_size region budget score qualified "
               "rep_id first_contact_on stage outcome closed_on", [
    ("l1", "2026-01-02", "partner", "retail", "small", "Beijing", None, None, True, "r1",
     "2026-01-03", "contract", "won", "2026-01-05"),
    ("l2", "2026-01-02", "web", "retail", "small", "Beijing", None, None, True, "r1",
     "2026-01-03", "contract", "won", "2026-01-10"),
    ("l3", "2026-01-20", "partner", "logistics", "large", "Tianjin", None, None, True, "r2",
     "2026-01-21", "contract", "won", "2026-02-01"),
])
CUSTOMERS = _frame("customer_id lead_id rep_id acquired_on churned_on", [
    ("c1", "l1", "r1", "2026-01-05", None),
    ("c2", "l2", "r1", "2026-01-10", "2026-02-20"),
    ("c3", "l3", "r2", "2026-02-01", None),
    ("c4", None, "r3", "2026-03-02", "2026-04-10"),
])
DEALS = _frame("deal_id customer_id rep_id signed_on list_amount discount amount kind", [
    ("d1", "c1", "r1", "2026-01-05", 60_000, 0.0, 60_000, "new"),
    ("d2", "c2", "r1", "2026-01-10", 40_000, 0.0, 40_000, "new"),
    ("d3", "c1", "r1", "2026-02-15", 30_000, 0.0, 30_000, "repeat"),
    ("d4", "c3", "r2", "2026-02-01", 120_000, 0.0, 120_000, "new"),
    ("d5", "c3", "r2", "2026-03-20", 200_000, 0.0, 200_000, "repeat"),
    ("d6", "c4", "r3", "2026-03-02", 50_000, 0.0, 50_000, "new"),
])
INVOICES = _frame("invoice_id deal_id customer_id rep_id issued_on due_on amount", [
    ("i1", "d1", "c1", "r1", "2026-01-05", "2026-02-04", 60_000),
    ("i2", "d2", "c2", "r1", "2026-01-10", "2026-02-09", 40_000),
    ("i3", "d3", "c1", "r1", "2026-02-15", "2026-03-17", 30_000),
    ("i4", "d4", "c3", "r2", "2026-02-01", "2026-03-03", 120_000),
    ("i5", "d5", "c3", "r2", "2026-03-20", "2026-04-19", 200_000),
    ("i6", "d6", "c4", "r3", "2026-03-02", "2026-04-01", 50_000),
])
PAYMENTS = _frame("payment_id invoice_id paid_on amount", [
    ("p1", "i1", "2026-01-30", 60_000),
    ("p2", "i2", "2026-02-05", 10_000),
    ("p3", "i3", "2026-03-10", 30_000),
    ("p4", "i4", "2026-03-01", 120_000),
    ("p5", "i5", "2026-04-15", 100_000),
])


@pytest.fixture(scope="module")
def ledger() -> Ledger:
    return Ledger.from_tables(reps=REPS, leads=LEADS, customers=CUSTOMERS, deals=DEALS,
                              invoices=INVOICES, payments=PAYMENTS)


def amounts(table: pd.DataFrame, component: str | None = None) -> dict[tuple[str, str], float]:
    """{(rep_id, period): amount} of one component's rows (or the only component's)."""
    if component is not None:
        table = table[table["component"] == component]
    assert not table.duplicated(["rep_id", "period"]).any()
    return {(r, p): a for r, p, a in zip(table["rep_id"], table["period"], table["amount"],
                                         strict=True)}


def nonzero(table: pd.DataFrame, component: str | None = None) -> dict[tuple[str, str], float]:
    return {k: v for k, v in amounts(table, component).items() if v != 0}


def plan_of(*components, **kw) -> Plan:
    return Plan(name=kw.pop("name", "test"), components=list(components), **kw)


# ------------------------------------------------------------------ pure pay rules
def test_commission_tiers_are_marginal():
    # Monthly target 100,000. 5% on 0-80,000, 10% on 80,000-120,000, 2% above:
    # 0.05*80,000 + 0.10*40,000 + 0.02*30,000 = 4,000 + 4,000 + 600 = 8,600 at 150,000.
    c = Commission(tiers=[[0, 0.05], [0.8, 0.10], [1.2, 0.02]])
    assert plan_of(c).pay("M", {"revenue": 150_000}) == {"commission": pytest.approx(8_600)}
    # 50,000 is inside the first tier: 0.05 * 50,000 = 2,500.
    assert plan_of(c).pay("M", {"revenue": 50_000})["commission"] == pytest.approx(2_500)


def test_commission_on_new_customers_pays_per_customer():
    # Monthly target 50/3 customers. 200 CNY each up to target, 500 above:
    # 200 * 50/3 + 500 * (20 - 50/3) = 3,333.33 + 1,666.67 = 5,000 for 20 customers.
    c = Commission(measure="new_customers", tiers=[[0, 200], [1.0, 500]])
    assert plan_of(c).pay("M", {"new_customers": 20})["commission"] == pytest.approx(5_000)


def test_threshold_pays_nothing_below_and_everything_above():
    c = Commission(period="Q", rate=0.08, threshold=0.5)
    plan = plan_of(c)
    # 149,999 < 50% of 300,000: nothing. At 150,000 the whole amount pays: 0.08 * 150,000.
    assert plan.pay("Q", {"revenue": 149_999})["commission"] == 0
    assert plan.pay("Q", {"revenue": 150_000})["commission"] == pytest.approx(12_000)


def test_cap_in_target_pay_and_in_cny():
    # Cap 1.5 x monthly target pay = 1.5 * 8,000 = 12,000; 0.08 * 200,000 = 16,000 -> 12,000.
    plan = plan_of(Commission(rate=0.08, cap=1.5))
    assert plan.pay("M", {"revenue": 200_000})["commission"] == pytest.approx(12_000)
    assert plan.pay("M", {"revenue": 100_000})["commission"] == pytest.approx(8_000)
    plan = plan_of(Commission(rate=0.08, cap=5_000, unit="CNY"))
    assert plan.pay("M", {"revenue": 200_000})["commission"] == pytest.approx(5_000)


def test_bonus_pays_the_highest_level_reached():
    # Quarterly target pay 24,000. Levels 90% -> 0.5, 100% -> 1.0, 120% -> 1.5 target pay.
    plan = plan_of(Bonus(period="Q", levels=[[0.9, 0.5], [1.0, 1.0], [1.2, 1.5]]))
    pay = {r: plan.pay("Q", {"revenue": r})["bonus"]
           for r in (269_999, 270_000, 299_999, 300_000, 400_000)}
    assert pay == {269_999: 0, 270_000: 12_000, 299_999: 12_000, 300_000: 24_000,
                   400_000: 36_000}


def test_bonus_on_an_undefined_rate_pays_nothing():
    plan = plan_of(Bonus(period="Q", measure="collection", levels=[[1.0, 1.0]]))
    assert plan.pay("Q", {"collection": math.nan})["bonus"] == 0
    assert plan.pay("Q", {"collection": 0.9})["bonus"] == pytest.approx(24_000)


def test_scorecard_weights_caps_and_undefined_rates():
    plan = builtin_plan("regulation")
    # Ratios: revenue 330k/300k = 1.1, new 40/50 = 0.8, retention 0.765/0.85 = 0.9,
    # collection 0.99/0.9 = 1.1; score .4*1.1 + .2*.8 + .2*.9 + .2*1.1 = 1.0 -> 24,000.
    m = {"revenue": 330_000, "new_customers": 40, "retention": 0.765, "collection": 0.99}
    assert plan.pay("Q", m) == {"scorecard": pytest.approx(24_000), "uplift": 0}
    # Revenue 600k counts at the 1.5 cap: .6 + .16 + .18 + .22 = 1.16 -> 27,840; the uplift
    # (excess reading) is 25% of the part above the 24,000 target bonus: .25 * 3,840 = 960.
    m["revenue"] = 600_000
    assert plan.pay("Q", m) == {"scorecard": pytest.approx(27_840), "uplift": pytest.approx(960)}
    # Retention undefined: it drops out, the rest reweighted: (.6 + .16 + .22) / .8 = 1.225.
    m["retention"] = math.nan
    assert plan.pay("Q", m)["scorecard"] == pytest.approx(29_400)


def test_uplift_excess_pays_the_part_above_target_at_a_higher_rate():
    plan = plan_of(Commission(rate=0.08), Uplift(applies_to=["commission"]))
    # 150,000: commission 12,000; its part above target (50,000) is paid at 1.25 * 8%:
    # uplift = 0.25 * 0.08 * 50,000 = 1,000.
    assert plan.pay("M", {"revenue": 150_000}) == {"commission": pytest.approx(12_000),
                                                   "uplift": pytest.approx(1_000)}
    assert plan.pay("M", {"revenue": 100_000})["uplift"] == 0
    assert plan.pay("M", {"revenue": 90_000})["uplift"] == 0


def test_uplift_whole_raises_all_pay_once_the_target_is_exceeded():
    plan = plan_of(Commission(rate=0.08), Uplift(applies_to=["commission"], basis="whole",
                                                 rate=0.2))
    # Exactly at target is not "exceeded": no uplift. At 100,500: 0.2 * 0.08 * 100,500 = 1,608.
    assert plan.pay("M", {"revenue": 100_000})["uplift"] == 0
    assert plan.pay("M", {"revenue": 100_500})["uplift"] == pytest.approx(1_608)


def test_uplift_rate_defaults_to_the_targets():
    plan = plan_of(Commission(rate=0.08), Uplift(applies_to=["commission"], basis="whole"))
    # Targets(uplift=0.3): 0.3 * 0.08 * 200,000 = 4,800.
    assert plan.pay("M", {"revenue": 200_000}, Targets(uplift=0.3))["uplift"] == \
        pytest.approx(4_800)


def test_gate_cancels_pay_when_collection_or_retention_is_below_target():
    plan = plan_of(Commission(rate=0.08), Uplift(applies_to=["commission"]), Gate())
    # 150,000: commission 12,000 + uplift 1,000; collection 0.89 < 0.90 shuts the gate.
    shut = plan.pay("M", {"revenue": 150_000, "collection": 0.89, "retention": 0.9})
    assert shut == {"commission": pytest.approx(12_000), "uplift": pytest.approx(1_000),
                    "gate": pytest.approx(-13_000)}
    opened = plan.pay("M", {"revenue": 150_000, "collection": 0.9, "retention": 0.85})
    assert opened["gate"] == 0
    # Undefined rates (nothing due, no customers at the start) do not shut it.
    assert plan.pay("M", {"revenue": 150_000})["gate"] == 0


def test_team_bonus_pool_and_split():
    # Team of 3, target 3 * 100,000; 330,000 is 110% >= 100%: 0.5 target pay (4,000) per
    # member, a pool of 12,000. Equal: 4,000 each. By revenue: 12,000 * 165/330 = 6,000.
    m = {"revenue": 165_000, "team_revenue": 330_000, "team_size": 3}
    equal = plan_of(TeamBonus(levels=[[1.0, 0.5]]))
    share = plan_of(TeamBonus(levels=[[1.0, 0.5]], split="measure"))
    assert equal.pay("M", m)["team_bonus"] == pytest.approx(4_000)
    assert share.pay("M", m)["team_bonus"] == pytest.approx(6_000)
    assert equal.pay("M", {**m, "team_revenue": 299_999})["team_bonus"] == 0
    assert equal.pay("M", {"revenue": 165_000})["team_bonus"] == 0  # no team


def test_spif_and_clawback_pay_on_their_bases():
    plan = plan_of(Spif(name="q1_push", rate=0.05, start="2026-01-01", end="2026-03-31"),
                   Clawback(name="unpaid", on="unpaid_invoices", days=30, rate=0.08))
    # 0.05 * 40,000 = 2,000; -0.08 * 10,000 = -800.
    assert plan.pay("M", {"q1_push": 40_000, "unpaid": 10_000}) == {
        "q1_push": pytest.approx(2_000), "unpaid": pytest.approx(-800)}


# ------------------------------------------------------------------ built-in plans
def _at_target(period: str, targets: Targets) -> dict[str, float]:
    return {"revenue": targets.revenue(period), "collected": targets.revenue(period),
            "new_customers": targets.new_customers(period),
            "retention": targets.retention_rate, "collection": targets.collection_rate}


@pytest.mark.parametrize("name", BUILTIN_PLANS)
@pytest.mark.parametrize("targets", [Targets(), Targets(monthly_revenue=80_000,
                                                        quarterly_new_customers=30)])
def test_every_builtin_plan_pays_the_target_incentive_at_100_percent(name, targets):
    # A year at exactly 100% of every target earns 8% of the annual revenue target:
    # 0.08 * 1,200,000 = 96,000 (0.08 * 960,000 = 76,800 with an 80,000 monthly target),
    # whether paid as 12 months, 4 quarters or 1 year.
    plan = builtin_plan(name)
    per_year = {"M": 12, "Q": 4, "Y": 1}
    total = sum(per_year[k] * sum(plan.pay(k, _at_target(k, targets), targets).values())
                for k in plan.periods)
    assert total == pytest.approx(0.08 * targets.revenue("Y"), abs=1.0)


def test_target_pay_is_a_parameter_of_the_builtin_plans():
    # 5% target pay: a year at target earns 0.05 * 1,200,000 = 60,000.
    per_year = {"M": 12, "Q": 4, "Y": 1}
    for name in BUILTIN_PLANS:
        plan = builtin_plan(name, target_pay=0.05)
        total = sum(per_year[k] * sum(plan.pay(k, _at_target(k, Targets())).values())
                    for k in plan.periods)
        assert total == pytest.approx(60_000, abs=1.0)


def test_builtin_plans_differ_in_shape_above_target():
    # 450,000 in a quarter (150%): linear and capped 0.08 * 450,000 = 36,000; accelerator
    # 24,000 + 0.16 * 150,000 = 48,000; quota bonus 24,000 (flat above target).
    q = {name: sum(builtin_plan(name).pay("Q", {"revenue": 450_000}).values())
         for name in ("capped", "accelerator", "quota_bonus")}
    assert q == {"capped": pytest.approx(36_000), "accelerator": pytest.approx(48_000),
                 "quota_bonus": pytest.approx(24_000)}
    # 600,000: capped stays at 1.5 * 24,000 = 36,000.
    assert builtin_plan("capped").pay("Q", {"revenue": 600_000})["commission"] == \
        pytest.approx(36_000)


def test_every_builtin_has_its_intent_described():
    for name in BUILTIN_PLANS:
        plan = load_plan(name)
        assert plan.name == name and len(plan.description) > 60


@pytest.fixture(scope="module")
def at_target_ledger() -> Ledger:
    """One rep exactly at 100% of every 2026Q1 target.

    20 customers won in 2025-12, 3 of them lost on 2026-02-15: retention 17/20 = 0.85.
    50 new customers on 2026-01-10. Deals of 100,000 on the 5th of each month (revenue
    100,000 a month, 300,000 in the quarter). Invoices due on the 25th of each month, paid
    100,000, 100,000 and 70,000: collection rate 270,000/300,000 = 0.90. A December deal's
    invoice (due in April) is paid 30,000 early on 2026-03-20, so cash collected is 100,000 in
    each month of the quarter.
    """
    old = [(f"o{i}", None, "r1", "2025-12-01", "2026-02-15" if i < 3 else None)
           for i in range(20)]
    new = [(f"n{i}", None, "r1", "2026-01-10", None) for i in range(50)]
    deals = [("d0", "o5", "r1", "2025-12-01", 30_000, 0.0, 30_000, "repeat")] + [
        (f"d{m}", "o5", "r1", f"2026-0{m}-05", 100_000, 0.0, 100_000, "repeat")
        for m in (1, 2, 3)]
    invoices = [("i0", "d0", "o5", "r1", "2025-12-01", "2026-04-30", 30_000)] + [
        (f"i{m}", f"d{m}", "o5", "r1", f"2026-0{m}-05", f"2026-0{m}-25", 100_000)
        for m in (1, 2, 3)]
    payments = [("p1", "i1", "2026-01-20", 100_000), ("p2", "i2", "2026-02-20", 100_000),
                ("p3", "i3", "2026-03-20", 70_000), ("p0", "i0", "2026-03-20", 30_000)]
    return Ledger.from_tables(
        customers=_frame("customer_id lead_id rep_id acquired_on churned_on", old + new),
        deals=_frame("deal_id customer_id rep_id signed_on list_amount discount amount kind",
                     deals),
        invoices=_frame("invoice_id deal_id customer_id rep_id issued_on due_on amount",
                        invoices),
        payments=_frame("payment_id invoice_id paid_on amount", payments))


@pytest.mark.parametrize("name", BUILTIN_PLANS)
def test_every_builtin_pays_24000_for_a_quarter_at_target_from_a_ledger(at_target_ledger, name):
    table = payouts(at_target_ledger, name, period="Q")
    q1 = table.loc[table["period"] == "2026Q1", "amount"].sum()
    assert q1 == pytest.approx(24_000, abs=1.0)


# ------------------------------------------------------------------ payouts from a ledger
def test_payouts_have_the_ledger_columns_and_a_row_for_every_rep_period_component(ledger):
    table = payouts(ledger, "linear")
    assert tuple(table.columns) == tuple(c.name for c in SCHEMA["payouts"])
    # 3 reps x 4 months (2026-01 .. 2026-04) x 1 component, zeros included.
    assert len(table) == 12
    assert table["plan"].unique().tolist() == ["linear"]
    assert table[["period", "rep_id"]].head(3).values.tolist() == [
        ["2026-01", "r1"], ["2026-01", "r2"], ["2026-01", "r3"]]
    assert str(table["amount"].dtype) == "float64"
    # the schema's column types exactly, as the ledger holds them (simulate() stores the
    # table as payouts() returns it), for a table with rows and an empty one
    empty = ledger.replace(deals=ledger.deals.iloc[:0], reps=ledger.reps.iloc[:0])
    for t in (table, payouts(ledger, "regulation"), payouts(empty, "linear")):
        pd.testing.assert_frame_equal(t, coerce("payouts", t), check_exact=True)


def test_linear_and_collected_on_the_ledger(ledger):
    # 8% of monthly revenue: r1 100,000 -> 8,000 and 30,000 -> 2,400; r2 120,000 -> 9,600
    # and 200,000 -> 16,000; r3 50,000 -> 4,000.
    assert nonzero(payouts(ledger, "linear")) == {
        ("r1", "2026-01"): 8_000, ("r1", "2026-02"): 2_400, ("r2", "2026-02"): 9_600,
        ("r2", "2026-03"): 16_000, ("r3", "2026-03"): 4_000}
    # 8% of cash collected: r1 60,000, 10,000, 30,000; r2 120,000 (Mar), 100,000 (Apr).
    assert nonzero(payouts(ledger, "collected")) == {
        ("r1", "2026-01"): 4_800, ("r1", "2026-02"): 800, ("r1", "2026-03"): 2_400,
        ("r2", "2026-03"): 9_600, ("r2", "2026-04"): 8_000}


def test_quota_bonus_accelerator_and_threshold_on_the_ledger(ledger):
    # Q1 revenue r1 130,000, r2 320,000, r3 50,000 against 300,000.
    # Quota bonus: only r2 reaches the target: 24,000.
    table = payouts(ledger, "quota_bonus")
    assert nonzero(table) == {("r2", "2026Q1"): 24_000}
    assert len(table) == 6  # 3 reps x 2 quarters, zeros included
    # Accelerator: r2 0.08 * 300,000 + 0.16 * 20,000 = 27,200; r1 0.08 * 130,000 = 10,400.
    assert nonzero(payouts(ledger, "accelerator")) == {
        ("r1", "2026Q1"): 10_400, ("r2", "2026Q1"): 27_200, ("r3", "2026Q1"): 4_000}
    # Threshold 50%: r1 (43%) and r3 (17%) get nothing, r2 0.08 * 320,000 = 25,600.
    plan = plan_of(Commission(period="Q", rate=0.08, threshold=0.5))
    assert nonzero(payouts(ledger, plan)) == {("r2", "2026Q1"): 25_600}


def test_caps_on_the_ledger(ledger):
    # 10% of Q1 revenue capped at 1.0 target pay (24,000): r2 32,000 -> 24,000, r1 13,000.
    plan = plan_of(Commission(period="Q", rate=0.10, cap=1.0))
    assert nonzero(payouts(ledger, plan)) == {
        ("r1", "2026Q1"): 13_000, ("r2", "2026Q1"): 24_000, ("r3", "2026Q1"): 5_000}
    plan = plan_of(Commission(period="Q", rate=0.10, cap=10_000, unit="CNY"))
    assert nonzero(payouts(ledger, plan)) == {
        ("r1", "2026Q1"): 10_000, ("r2", "2026Q1"): 10_000, ("r3", "2026Q1"): 5_000}


def test_spif_counts_only_qualifying_deals_in_its_window(ledger):
    # 2026-02-01 .. 2026-03-15, partner channel: d3 (r1, 30,000 on 02-15) and d4 (r2,
    # 120,000 on 02-01); d5 is after the window, d6's customer has no lead.
    plan = plan_of(Spif(name="partner_push", rate=0.05, start="2026-02-01",
                        end="2026-03-15", where={"channel": ["partner"]}))
    assert nonzero(payouts(ledger, plan)) == {("r1", "2026-02"): 1_500,
                                              ("r2", "2026-02"): 6_000}
    # New deals only: d4 alone, 0.05 * 120,000 = 6,000.
    plan = plan_of(Spif(rate=0.05, start="2026-02-01", end="2026-03-15",
                        where={"channel": ["partner"], "deal_kind": ["new"]}))
    assert nonzero(payouts(ledger, plan)) == {("r2", "2026-02"): 6_000}


def test_clawback_of_unpaid_invoices(ledger):
    # 10 days after due: i2 (due 02-09) still owes 30,000 on 02-19 -> -0.08 * 30,000 = -2,400
    # in February; i6 (due 04-01) owes 50,000 on 04-11 -> -4,000 in April; i5's day
    # (04-29) is after the ledger's last date (04-15), so it is not charged yet.
    plan = plan_of(Clawback(on="unpaid_invoices", days=10, rate=0.08))
    assert nonzero(payouts(ledger, plan)) == {("r1", "2026-02"): -2_400,
                                              ("r3", "2026-04"): -4_000}
    # 30 days: i2's day is 03-11 (March); i6's (05-01) is after the ledger's end.
    plan = plan_of(Clawback(on="unpaid_invoices", days=30, rate=0.08))
    assert nonzero(payouts(ledger, plan)) == {("r1", "2026-03"): -2_400}


def test_clawback_of_customers_lost_soon_after_being_won(ledger):
    # c2 lost after 41 days: its deal d2 (40,000) -> -3,200 in February (the churn's month);
    # c4 lost after 39 days: d6 (50,000) -> -4,000 in April.
    plan = plan_of(Clawback(on="lost_customers", days=45, rate=0.08))
    assert nonzero(payouts(ledger, plan)) == {("r1", "2026-02"): -3_200,
                                              ("r3", "2026-04"): -4_000}
    plan = plan_of(Clawback(on="lost_customers", days=40, rate=0.08))
    assert nonzero(payouts(ledger, plan)) == {("r3", "2026-04"): -4_000}


def test_regulation_scorecard_on_the_ledger(ledger):
    # Weights revenue .4, new customers .2, retention .2, collection .2; undefined rates drop
    # out. Target bonus 24,000 a quarter.
    # Q1 r2: revenue 320/300, 1 new of 50, retention undefined (no customers on 01-01),
    #   collection 120,000/120,000 = 1 -> 1/0.9:
    #   (.4*1.066667 + .2*.02 + .2*1.111111) / .8 = .816111 -> 19,586.67.
    # Q1 r1: revenue 130/300, 2 new, collection 100,000/130,000 = .769231 -> /0.9 = .854701:
    #   (.4*.433333 + .2*.04 + .2*.854701) / .8 = .440342 -> 10,568.21.
    # Q1 r3: revenue 50/300, 1 new, nothing due: (.4*.166667 + .2*.02) / .6 -> 2,826.67.
    # Q2 r1: no sales, kept c1 (retention 1 -> 1/.85), nothing due: .2*1.176471/.8 -> 7,058.82.
    # Q2 r2: kept c3, collection 100,000/200,000 = .5 -> .555556:
    #   .2*1.176471 + .2*.555556 = .346405 -> 8,313.73.
    # Q2 r3: lost c4 (retention 0), i6 unpaid (collection 0): 0.
    # Nobody's bonus is above 24,000, so the uplift is 0 throughout.
    table = payouts(ledger, "regulation")
    assert amounts(table, "scorecard") == pytest.approx({
        ("r1", "2026Q1"): 10_568.21, ("r2", "2026Q1"): 19_586.67, ("r3", "2026Q1"): 2_826.67,
        ("r1", "2026Q2"): 7_058.82, ("r2", "2026Q2"): 8_313.73, ("r3", "2026Q2"): 0.0},
        abs=0.011)
    assert nonzero(table, "uplift") == {}


def test_uplift_readings_on_the_ledger(ledger):
    # r2 sells 320,000 in Q1 against 300,000. 8% commission = 25,600.
    # Excess: 0.25 * 0.08 * 20,000 = 400. Whole: 0.25 * 25,600 = 6,400. Others are below.
    for basis, expected in (("excess", 400), ("whole", 6_400)):
        plan = plan_of(Commission(period="Q", rate=0.08),
                       Uplift(period="Q", applies_to=["commission"], basis=basis))
        assert nonzero(payouts(ledger, plan), "uplift") == {("r2", "2026Q1"): expected}


def test_team_bonus_on_the_ledger(ledger):
    # North (r1, r2) in Q1: 450,000 against 2 * 300,000 = 75% >= 70%: 0.5 target pay
    # (12,000) per member, a pool of 24,000. South (r3): 50,000 / 300,000, nothing.
    plan = plan_of(TeamBonus(period="Q", levels=[[0.7, 0.5]]))
    assert nonzero(payouts(ledger, plan)) == {("r1", "2026Q1"): 12_000,
                                              ("r2", "2026Q1"): 12_000}
    # Split by revenue: r1 24,000 * 130/450 = 6,933.33, r2 24,000 * 320/450 = 17,066.67.
    plan = plan_of(TeamBonus(period="Q", levels=[[0.7, 0.5]], split="measure"))
    assert nonzero(payouts(ledger, plan)) == {("r1", "2026Q1"): 6_933.33,
                                              ("r2", "2026Q1"): 17_066.67}


def test_team_counts_only_reps_hired_by_the_periods_end(ledger):
    # 100 CNY per member every month whatever the result: r3 is hired on 2026-03-01, so it
    # gets nothing in January and February.
    plan = plan_of(TeamBonus(levels=[[0.0, 100]], unit="CNY"))
    pay = amounts(payouts(ledger, plan))
    assert pay[("r3", "2026-02")] == 0 and pay[("r3", "2026-03")] == 100
    assert pay[("r1", "2026-01")] == 100 and pay[("r2", "2026-01")] == 100


def test_team_bonus_needs_the_reps_table(ledger):
    plan = plan_of(Commission(rate=0.08), TeamBonus(name="north", levels=[[1.0, 0.5]]))
    with pytest.raises(PlanError, match=r"components\[1\].*'north'.*reps table"):
        payouts(ledger.replace(reps=None), plan)


def test_gate_on_collection_rate(ledger):
    # r1 in February: due 60,000 (i1, paid) + 40,000 (i2, 10,000 paid) -> 70% < 90%: the
    # gate takes back the 2,400 commission. In January nothing fell due: the gate is open.
    plan = plan_of(Commission(rate=0.08), Gate(measures=["collection"]))
    table = payouts(ledger, plan)
    assert nonzero(table, "gate") == {("r1", "2026-02"): -2_400}
    assert amounts(table, "commission")[("r1", "2026-01")] == 8_000


def test_period_sums_rows_into_longer_periods(ledger):
    # Monthly 8% summed per quarter: r1 10,400, r2 25,600, r3 4,000; April 0.
    table = payouts(ledger, "linear", period="Q")
    assert nonzero(table) == {("r1", "2026Q1"): 10_400, ("r2", "2026Q1"): 25_600,
                              ("r3", "2026Q1"): 4_000}
    assert len(table) == 6
    with pytest.raises(PlanError, match=r"components\[0\]\.period: 'Q'.*per quarter"):
        payouts(ledger, "quota_bonus", period="M")


def test_mixed_periods_each_pay_per_their_own(ledger):
    plan = plan_of(Commission(rate=0.04), Bonus(period="Q", levels=[[1.0, 0.5]]))
    table = payouts(ledger, plan)
    assert set(table.loc[table["component"] == "bonus", "period"]) == {"2026Q1", "2026Q2"}
    # r2: 0.04 * 320,000 = 12,800 over Q1's months, plus 0.5 * 24,000 = 12,000.
    assert table.loc[table["rep_id"] == "r2", "amount"].sum() == pytest.approx(24_800)
    # Quarter rows follow the quarter's last month.
    last = table[table["period"].isin(["2026-03", "2026Q1"])]["period"].tolist()
    assert last.index("2026Q1") > last.index("2026-03")


def test_measures_come_from_the_kpis(ledger):
    m = measures(ledger, "regulation", "Q").set_index(["period", "rep_id"])
    # r1 in Q1: revenue 130,000, collected 100,000, 2 new customers; collection rate:
    # due 60,000 + 40,000 + 30,000 = 130,000, paid by 03-31 60,000 + 10,000 + 30,000 -> 10/13.
    row = m.loc[("2026Q1", "r1")]
    assert (row["revenue"], row["collected"], row["new_customers"]) == (130_000, 100_000, 2)
    assert row["collection"] == pytest.approx(100 / 130)
    assert math.isnan(row["retention"])  # no customers before 2026-01-01


def test_payouts_do_not_change_the_ledger_and_repeat_exactly(ledger):
    before = Ledger.from_tables(**{n: df.copy() for n, df in ledger.tables()})
    first = payouts(ledger, "regulation")
    assert ledger.equals(before)
    pd.testing.assert_frame_equal(first, payouts(ledger, "regulation"))


def test_payouts_round_trip_through_the_ledger(ledger, tmp_path):
    table = payouts(ledger, "accelerator")
    ledger.replace(payouts=table).to_csv_dir(tmp_path)
    back = Ledger.from_csv_dir(tmp_path)
    pd.testing.assert_frame_equal(back.payouts, table)


# ------------------------------------------------------------------ marginal pay
def test_marginal_pay_under_linear_is_rate_times_delta():
    plan = builtin_plan("linear")
    for so_far in (0, 55_000, 250_000):
        assert marginal_pay(plan, {"M": {"revenue": so_far}}, 12_500) == pytest.approx(1_000)


def test_marginal_pay_under_quota_bonus_jumps_at_the_target():
    plan = builtin_plan("quota_bonus")
    assert marginal_pay(plan, {"Q": {"revenue": 200_000}}, 50_000) == 0
    assert marginal_pay(plan, {"Q": {"revenue": 299_000}}, 1_000) == pytest.approx(24_000)
    assert marginal_pay(plan, {"Q": {"revenue": 299_000}}, 999) == 0
    assert marginal_pay(plan, {"Q": {"revenue": 310_000}}, 50_000) == 0


def test_marginal_pay_under_accelerator_capped_and_mixed_plans():
    # Accelerator above target: 16% of the sale. Across the target: 8% of 10,000 + 16% of
    # 10,000 = 2,400. Capped above 150%: nothing.
    assert marginal_pay(builtin_plan("accelerator"), {"Q": {"revenue": 350_000}},
                        10_000) == pytest.approx(1_600)
    assert marginal_pay(builtin_plan("accelerator"), {"revenue": 290_000},
                        20_000) == pytest.approx(2_400)
    assert marginal_pay(builtin_plan("capped"), {"revenue": 460_000}, 10_000) == 0
    # Monthly 4% plus a quarterly bonus: the sale that crosses the quarterly target earns
    # 0.04 * 10,000 = 400 this month and 0.5 * 24,000 = 12,000 this quarter.
    plan = plan_of(Commission(rate=0.04), Bonus(period="Q", levels=[[1.0, 0.5]]))
    state = {"M": {"revenue": 20_000}, "Q": {"revenue": 295_000}}
    assert marginal_pay(plan, state, 10_000) == pytest.approx(12_400)


def test_marginal_pay_moves_the_team_sum_and_named_bases():
    plan = plan_of(TeamBonus(levels=[[1.0, 0.5]]))
    # Team of 2 at 195,000 of 200,000: a 10,000 sale reaches the level: 0.5 * 8,000 each.
    state = {"revenue": 90_000, "team_revenue": 195_000, "team_size": 2}
    assert marginal_pay(plan, state, 10_000) == pytest.approx(4_000)
    plan = plan_of(Spif(name="push", rate=0.05, start="2026-01-01", end="2026-01-31"))
    assert marginal_pay(plan, {}, {"revenue": 10_000, "push": 10_000}) == pytest.approx(500)


# ------------------------------------------------------------------ plans as data
@pytest.mark.parametrize("name", BUILTIN_PLANS)
def test_every_builtin_plan_round_trips_through_toml(name, tmp_path):
    plan = builtin_plan(name)
    path = tmp_path / f"{name}.toml"
    path.write_text(plan.to_toml(), encoding="utf-8")
    assert load_plan(path) == plan
    assert load_plan(plan.to_dict()) == plan


def test_a_plan_with_every_kind_round_trips_through_toml(tmp_path):
    plan = plan_of(
        Commission(name="base", period="Q", tiers=[[0, 0.05], [1.0, 0.1]], threshold=0.3,
                   cap=2.0),
        Bonus(period="Q", measure="collection", levels=[[1.0, 0.2]], unit="target_pay"),
        Scorecard(period="Y", threshold=0.5),
        TeamBonus(period="Q", levels=[[1.0, 0.5], [1.2, 600]], unit="CNY"),
        Spif(name="spring", rate=0.02, start="2026-03-01", end="2026-04-30",
             where={"channel": ["partner", "web"], "deal_kind": ["new"]}),
        Clawback(on="lost_customers", days=90, rate=0.08),
        Uplift(period="Q", applies_to=["base", "bonus"], basis="whole", rate=0.3),
        Gate(period="Q", applies_to=["base"], measures=["collection"], min_attainment=0.95),
        name="everything", description='Quotes " and 中文 survive.', target_pay=0.1)
    path = tmp_path / "everything.toml"
    path.write_text(plan.to_toml(), encoding="utf-8")
    assert load_plan(path) == plan


def test_a_handwritten_plan_file(tmp_path):
    path = tmp_path / "north_team.toml"
    path.write_text(
        'description = "6% up to target, 12% above; collection must be on target."\n'
        "[[components]]\n"
        'kind = "commission"\n'
        'period = "Q"\n'
        "tiers = [[0.0, 0.06], [1.0, 0.12]]\n"
        "[[components]]\n"
        'kind = "gate"\n'
        'period = "Q"\n'
        'measures = ["collection"]\n', encoding="utf-8")
    plan = load_plan(path)
    assert plan.name == "north_team"  # from the file name
    # 400,000 in a quarter: 0.06 * 300,000 + 0.12 * 100,000 = 30,000; collection 0.8 shuts
    # the gate.
    assert plan.pay("Q", {"revenue": 400_000, "collection": 0.95}) == {
        "commission": pytest.approx(30_000), "gate": 0}
    assert sum(plan.pay("Q", {"revenue": 400_000, "collection": 0.8}).values()) == 0


def test_a_plan_given_as_a_dict_without_a_name_is_custom():
    plan = load_plan({"components": [{"kind": "commission", "rate": 0.05}]})
    assert plan.name == "custom"
    # 0.05 * 100,000 = 5,000
    assert plan.pay("M", {"revenue": 100_000}) == {"commission": pytest.approx(5_000)}


BAD_PLANS = {
    "unknown kind": ('kind = "bonanza"',
                     "components[0].kind: 'bonanza' is not allowed: unknown component kind"),
    "negative rate in a tier": ('kind = "commission"\ntiers = [[0.0, 0.05], [1.0, -0.1]]',
                                "components[0].tiers[1].rate: -0.1 is not allowed: must be >= 0"),
    "negative rate": ('kind = "commission"\nrate = -0.1',
                      "components[0].rate: -0.1 is not allowed: must be >= 0"),
    "tiers not increasing": ('kind = "commission"\n'
                             "tiers = [[0.0, 0.05], [1.0, 0.1], [0.8, 0.2]]",
                             "components[0].tiers[2].at: 0.8 is not allowed: tiers must start "
                             "at increasing attainment"),
    "first tier above 0": ('kind = "commission"\ntiers = [[0.5, 0.05]]',
                           "components[0].tiers[0].at: 0.5 is not allowed: the first tier "
                           "must start at 0"),
    "unknown measure": ('kind = "commission"\nrate = 0.1\nmeasure = "profit"',
                        "components[0].measure: 'profit' is not allowed: must be 'revenue', "
                        "'collected' or 'new_customers'"),
    "unknown field": ('kind = "commission"\nrate = 0.1\nrat = 0.2',
                      "components[0].rat: 0.2 is not allowed: unknown field"),
    "falling bonus": ('kind = "bonus"\nlevels = [[1.0, 2.0], [1.2, 1.0]]',
                      "components[0].levels[1].amount: 1.0 is not allowed: a higher level "
                      "may not pay less"),
    "bad period": ('kind = "commission"\nrate = 0.1\nperiod = "W"',
                   "components[0].period: 'W' is not allowed: must be 'M', 'Q' or 'Y'"),
    "uplift on nothing": ('kind = "commission"\nrate = 0.1\n[[components]]\nkind = "uplift"\n'
                          'applies_to = ["comission"]',
                          "components[1].applies_to[0]: 'comission' is not allowed: no "
                          "component has that name"),
    "duplicate names": ('kind = "commission"\nrate = 0.1\n[[components]]\n'
                        'kind = "commission"\nrate = 0.2',
                        "components[1].name: 'commission' is not allowed: components[0] has "
                        "that name already"),
    "spif ends before it starts": ('kind = "spif"\nrate = 0.1\nstart = 2026-03-01\n'
                                   "end = 2026-02-01",
                                   "components[0].end: '2026-02-01' is not allowed: must not "
                                   "be before start 2026-03-01"),
}


@pytest.mark.parametrize("case", BAD_PLANS)
def test_bad_plan_files_name_the_field_path_and_value(case, tmp_path):
    body, expected = BAD_PLANS[case]
    path = tmp_path / "broken.toml"
    path.write_text(f'name = "broken"\n[[components]]\n{body}\n', encoding="utf-8")
    with pytest.raises(PlanError) as info:
        load_plan(path)
    assert str(path) in str(info.value)
    assert expected in str(info.value)


def test_every_problem_is_reported_at_once():
    with pytest.raises(PlanError) as info:
        load_plan({"name": "x", "components": [
            {"kind": "commission", "rate": 0.1, "measure": "profit"},
            {"kind": "bonus", "levels": [[1.0, -1]]}]})
    assert len(info.value.problems) == 2
    assert "2 problems" in str(info.value)


def test_plans_are_immutable_and_errors_are_value_errors():
    plan = builtin_plan("linear")
    with pytest.raises(Exception, match="frozen"):
        plan.name = "other"
    with pytest.raises(ValueError):
        Plan(name="x", components=[{"kind": "commission", "tiers": [[0, -1]]}])
    with pytest.raises(PlanError, match="neither a built-in plan"):
        load_plan("no_such_plan")


# ------------------------------------------------------------------ command line
def test_cli_prints_a_payouts_table(capsys):
    assert main(["payouts", str(sample_crm_dir()), "--plan", "linear"]) == 0
    out = capsys.readouterr().out
    # R01 in 2026-01: D01 60,000 + D02 108,000 = 168,000; 8% = 13,440.
    assert "13,440.00" in out
    assert out.splitlines()[0].split() == ["rep_id", "period", "plan", "component", "amount"]


def test_cli_csv_has_exactly_the_payouts_columns(capsys, tmp_path):
    out_file = tmp_path / "pay.csv"
    code = main(["payouts", str(sample_crm_dir()), "--plan", "regulation", "--period", "Y",
                 "--format", "csv", "--out", str(out_file)])
    assert code == 0
    read = pd.read_csv(out_file, dtype={"period": str})
    assert list(read.columns) == ["rep_id", "period", "plan", "component", "amount"]
    expected = payouts(Ledger.from_csv_dir(sample_crm_dir()), "regulation", period="Y")
    assert read["amount"].tolist() == pytest.approx(expected["amount"].tolist())
    assert read["period"].tolist() == expected["period"].tolist()


def test_cli_reports_a_broken_plan_file_without_a_traceback(tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text('name = "broken"\n[[components]]\nkind = "commission"\n'
                      "tiers = [[0.0, 0.05], [1.0, -0.1]]\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "salessim.cli", "payouts",
                          str(sample_crm_dir()), "--plan", str(broken)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert "components[0].tiers[1].rate: -0.1 is not allowed" in run.stderr
    assert str(broken) in run.stderr


@pytest.mark.parametrize("args, message", [
    (["--plan", "bonanza"], "neither a built-in plan"),
    (["--plan", "quota_bonus", "--period", "M"], "per quarter"),
])
def test_cli_other_bad_input_exits_2(capsys, args, message):
    assert main(["payouts", str(sample_crm_dir()), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
