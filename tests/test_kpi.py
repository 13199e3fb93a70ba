"""KPIs on a small hand-built ledger, every answer worked out by hand (R2.2.1, R2.1, R2.3.1.3).

The ledger: three reps (r1 and r2 in team North, r3 in South), January to August 2026.

customers   rep  acquired    churned
  c1        r1   2026-01-10  -
  c2        r1   2026-02-01  2026-05-15
  c3        r1   2026-04-05  2026-05-20   won and lost inside 2026Q2
  c4        r2   2026-03-31  2026-07-01   acquired on the last day of 2026Q1
  c5        r3   2026-07-02  -

deals       rep  signed      amount       invoices  rep  issued      due         amount
  d1  c1    r1   2026-01-10  100,000        i1 d1   r1   2026-01-10  2026-02-09  100,000
  d2  c2    r1   2026-02-01   50,000        i2 d2   r1   2026-02-01  2026-04-30   50,000
  d3  c4    r2   2026-03-31   80,000        i3 d3   r2   2026-03-31  2026-03-31   80,000
  d4  c3    r1   2026-04-05   30,000        i4 d4   r1   2026-04-05  2026-05-05   30,000
  d5  c1    r1   2026-04-01   20,000        i5 d5   r1   2026-04-01  2026-06-30   20,000
  d6  c5    r3   2026-07-02   40,000        i6 d6   r3   2026-07-02  2026-08-01   40,000

payments  invoice  paid        amount
  p1      i1       2026-02-01  60,000    partial, before the due date
  p2      i1       2026-03-15  40,000    the rest, after the due date
  p3      i2       2026-04-20  50,000
  p4      i3       2026-03-31  30,000    on the last day of 2026Q1
  p5      i3       2026-04-01  50,000    one day after 2026Q1
  p6      i4       2026-04-28  10,000    partial, before the due date
  p7      i5       2026-07-10  20,000    due in 2026Q2, paid in 2026Q3
  (i6 is never paid)
"""

import math
import re

import pandas as pd
import pytest

from salessim import MissingTableError, scorecard
from salessim import kpi as K
from salessim.ledger import Ledger
from salessim.regulation import Targets


def _frame(columns: str, rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns.split())


REPS = _frame("rep_id name team level hired_on", [
    ("r1", "Li Na", "North", "sales", "2025-01-01"),
    ("r2", "Wang Wei", "North", "sales", "2025-01-01"),
    ("r3", "Zhao Lei", "South", "senior", "2025-01-01"),
])
CUSTOMERS = _frame("customer_id lead_id rep_id acquired_on churned_on", [
    ("c1", "l1", "r1", "2026-01-10", None),
    ("c2", "l2", "r1", "2026-02-01", "2026-05-15"),
    ("c3", "l7", "r1", "2026-04-05", "2026-05-20"),
    ("c4", "l5", "r2", "2026-03-31", "2026-07-01"),
    ("c5", "l8", "r3", "2026-07-02", None),
])
DEALS = _frame("deal_id customer_id rep_id signed_on list_amount discount amount kind", [
    ("d1", "c1", "r1", "2026-01-10", 100_000, 0.0, 100_000, "new"),
    ("d2", "c2", "r1", "2026-02-01", 62_500, 0.2, 50_000, "new"),
    ("d3", "c4", "r2", "2026-03-31", 80_000, 0.0, 80_000, "new"),
    ("d4", "c3", "r1", "2026-04-05", 30_000, 0.0, 30_000, "new"),
    ("d5", "c1", "r1", "2026-04-01", 20_000, 0.0, 20_000, "repeat"),
    ("d6", "c5", "r3", "2026-07-02", 40_000, 0.0, 40_000, "new"),
])
INVOICES = _frame("invoice_id deal_id customer_id rep_id issued_on due_on amount", [
    ("i1", "d1", "c1", "r1", "2026-01-10", "2026-02-09", 100_000),
    ("i2", "d2", "c2", "r1", "2026-02-01", "2026-04-30", 50_000),
    ("i3", "d3", "c4", "r2", "2026-03-31", "2026-03-31", 80_000),
    ("i4", "d4", "c3", "r1", "2026-04-05", "2026-05-05", 30_000),
    ("i5", "d5", "c1", "r1", "2026-04-01", "2026-06-30", 20_000),
    ("i6", "d6", "c5", "r3", "2026-07-02", "2026-08-01", 40_000),
])
PAYMENTS = _frame("payment_id invoice_id paid_on amount", [
    ("p1", "i1", "2026-02-01", 60_000),
    ("p2", "i1", "2026-03-15", 40_000),
    ("p3", "i2", "2026-04-20", 50_000),
    ("p4", "i3", "2026-03-31", 30_000),
    ("p5", "i3", "2026-04-01", 50_000),
    ("p6", "i4", "2026-04-28", 10_000),
    ("p7", "i5", "2026-07-10", 20_000),
])
# Days to first contact and, for won leads, days to close are in the comments.
LEADS = _frame(
    "lead_id created_on channel industry company_size region budget score qualified rep_id "
    "first_contact_on stage outcome closed_on", [
        # contact 1 day, won after 8 days
        ("l1", "2026-01-02", "web", "retail", "small", "Beijing", 1e5, 80, True, "r1",
         "2026-01-03", "contract", "won", "2026-01-10"),
        # contact 5 days, won after 12 days
        ("l2", "2026-01-20", "web", "retail", "small", "Beijing", 1e5, 80, True, "r1",
         "2026-01-25", "contract", "won", "2026-02-01"),
        # contact 2 days, lost at the demo
        ("l3", "2026-02-01", "referral", "retail", "small", "Beijing", 1e5, 60, True, "r1",
         "2026-02-03", "demo", "lost", "2026-03-01"),
        # never contacted, disqualified
        ("l4", "2026-02-10", "web", "retail", "small", "Wuhan", None, 20, False, "r2",
         None, "new", "disqualified", "2026-02-11"),
        # contact 1 day, won after 30 days
        ("l5", "2026-03-01", "trade_show", "retail", "large", "Tianjin", 1e5, 90, True, "r2",
         "2026-03-02", "contract", "won", "2026-03-31"),
        # contact 10 days, still open at the quote
        ("l6", "2026-03-05", "web", "retail", "small", "Beijing", 1e5, 70, True, "r1",
         "2026-03-15", "quote", "open", None),
        # contact the same day, won after 16 days (2026-03-20 -> 2026-04-05)
        ("l7", "2026-03-20", "web", "retail", "small", "Beijing", 1e5, 75, True, "r1",
         "2026-03-20", "contract", "won", "2026-04-05"),
        # contact 3 days, won after 31 days (2026-06-01 -> 2026-07-02)
        ("l8", "2026-06-01", "referral", "retail", "large", "Shenzhen", 1e5, 85, True, "r3",
         "2026-06-04", "contract", "won", "2026-07-02"),
        # contact 1 day, lost in negotiation
        ("l9", "2026-06-10", "web", "retail", "small", "Shenzhen", 1e5, 65, True, "r3",
         "2026-06-11", "negotiation", "lost", "2026-07-20"),
    ])
SURVEYS = _frame("customer_id surveyed_on csat nps", [
    ("c1", "2026-02-15", 5, 10),  # satisfied, promoter
    ("c2", "2026-03-01", 3, 7),   # not satisfied, passive
    ("c4", "2026-03-20", 4, 6),   # satisfied, detractor
    ("c1", "2026-05-10", 2, 0),   # not satisfied, detractor
])
PAYOUTS = _frame("rep_id period plan component amount", [
    ("r1", "2026-01", "current", "commission", 5_000),
    ("r1", "2026-02", "current", "commission", 2_500),
    ("r1", "2026Q1", "current", "bonus", 7_500),
    ("r1", "2026Q2", "current", "clawback", -1_000),
    ("r2", "2026Q1", "current", "commission", 8_000),
])


def make_ledger(**extra) -> Ledger:
    tables = dict(reps=REPS, customers=CUSTOMERS, deals=DEALS, invoices=INVOICES,
                  payments=PAYMENTS)
    tables.update(extra)
    return Ledger.from_tables(**{k: v for k, v in tables.items() if v is not None})


@pytest.fixture(scope="module")
def ledger() -> Ledger:
    return make_ledger(leads=LEADS, surveys=SURVEYS, payouts=PAYOUTS)


def at(df: pd.DataFrame, period: str, group: str | None = None, column: str | None = None):
    """The value column of the one row for ``period`` (and ``group``)."""
    rows = df[df["period"] == period]
    if group is not None:
        rows = rows[rows[df.columns[1]] == group]
    assert len(rows) == 1, f"expected one row for {period} {group}, got {len(rows)}"
    return rows[column or df.columns[-1]].iloc[0]


def table(df: pd.DataFrame) -> dict:
    """{(period, group): value} of a by-rep or by-team result."""
    return {(p, g): v for p, g, v in df.iloc[:, :3].itertuples(index=False)}


# ------------------------------------------------------------------ periods and shapes
def test_periods_span_the_ledger_dates(ledger):
    # earliest event 2026-01-02 (l1 created), latest 2026-07-20 (l9 closed); i6 falls due on
    # 2026-08-01, but a due date lies ahead and adds no period; churned_on NaT is ignored
    assert K.periods(ledger, "M") == [f"2026-{m:02d}" for m in range(1, 8)]
    assert K.periods(ledger, "Q") == ["2026Q1", "2026Q2", "2026Q3"]
    assert K.periods(ledger, "Y") == ["2026"]


def test_every_period_and_group_gets_a_row(ledger):
    rev = K.revenue(ledger, "Q", "rep")
    assert rev.columns.tolist() == ["period", "rep_id", "revenue"]
    assert list(zip(rev["period"], rev["rep_id"], strict=True)) == [
        (p, r) for p in ("2026Q1", "2026Q2", "2026Q3") for r in ("r1", "r2", "r3")
    ]
    assert K.revenue(ledger, "Q", "team").columns.tolist() == ["period", "team", "revenue"]
    assert K.revenue(ledger, "Q", "company").columns.tolist() == ["period", "revenue"]


# ------------------------------------------------------------------ R2.2.1.1 revenue
def test_revenue_counts_a_deal_signed_on_the_quarters_last_day(ledger):
    rev = table(K.revenue(ledger, "Q", "rep"))
    assert rev["2026Q1", "r1"] == 150_000  # d1 100,000 + d2 50,000
    assert rev["2026Q1", "r2"] == 80_000  # d3 signed 2026-03-31, the last day of Q1
    assert rev["2026Q2", "r2"] == 0  # ... so nothing is left for Q2
    assert rev["2026Q2", "r1"] == 50_000  # d4 30,000 + d5 20,000 (d5 on 2026-04-01)
    assert rev["2026Q3", "r3"] == 40_000
    assert rev["2026Q1", "r3"] == 0  # a rep with no deals still gets a row, with 0
    month = table(K.revenue(ledger, "M", "rep"))
    assert month["2026-03", "r2"] == 80_000 and month["2026-04", "r2"] == 0


def test_revenue_by_team_and_company_adds_up_the_reps(ledger):
    team = table(K.revenue(ledger, "Q", "team"))
    assert team["2026Q1", "North"] == 230_000  # r1 150,000 + r2 80,000
    assert team["2026Q1", "South"] == 0
    company = K.revenue(ledger, "Q", "company")
    assert company["revenue"].tolist() == [230_000, 50_000, 40_000]
    assert at(K.revenue(ledger, "Y", "company"), "2026") == 320_000


def test_attainment_divides_by_the_groups_target(ledger):
    # default quarterly target 300,000 per rep (R2.2.1.1)
    assert at(K.attainment(ledger, "Q", "rep"), "2026Q1", "r1") == pytest.approx(0.5)
    # North has two reps: 230,000 / 600,000
    assert at(K.attainment(ledger, "Q", "team"), "2026Q1", "North") == pytest.approx(230 / 600)
    # three reps in the company: 230,000 / 900,000
    assert at(K.attainment(ledger, "Q", "company"), "2026Q1") == pytest.approx(230 / 900)
    # monthly target 50,000 -> quarterly 150,000: r1 exactly on target
    t = K.attainment(ledger, "Q", "rep", targets={"monthly_revenue": 50_000})
    assert at(t, "2026Q1", "r1") == pytest.approx(1.0)
    # a Targets object works too; 2026-04 r1: 50,000 / 100,000
    t = K.attainment(ledger, "M", "rep", targets=Targets())
    assert at(t, "2026-04", "r1") == pytest.approx(0.5)


# ------------------------------------------------------------------ R2.2.1.2 customers
def test_new_customers_by_acquisition_date(ledger):
    new = K.new_customers(ledger, "Q", "rep")
    assert new["new_customers"].dtype == "int64"
    new = table(new)
    assert new["2026Q1", "r1"] == 2  # c1, c2
    assert new["2026Q1", "r2"] == 1  # c4, acquired on the quarter's last day
    assert new["2026Q2", "r1"] == 1  # c3 counts although it was lost in the same quarter
    assert new["2026Q2", "r2"] == 0
    assert new["2026Q3", "r3"] == 1  # c5


def test_retention_rate_hand_computed(ledger):
    ret = table(K.retention_rate(ledger, "Q", "rep"))
    # 2026Q1: nobody was a customer before 2026-01-01 -> undefined, NaN (not 0, not an error)
    assert all(math.isnan(ret["2026Q1", r]) for r in ("r1", "r2", "r3"))
    # r1 2026Q2: at the start c1, c2 (c3 is acquired inside the quarter and does not count);
    # c2 churns 2026-05-15 -> 1 kept of 2 = 0.5. (Counting c3 would give 1/3; the textbook
    # (E - N) / S would give (1 - 1) / 2 = 0.)
    assert ret["2026Q2", "r1"] == pytest.approx(0.5)
    assert ret["2026Q3", "r1"] == pytest.approx(1.0)  # c1 only, kept
    assert ret["2026Q2", "r2"] == pytest.approx(1.0)  # c4 acquired 03-31, before Q2 starts
    # c4 churns 2026-07-01, the first day of Q3: it was open at the start and is lost -> 0/1
    assert ret["2026Q3", "r2"] == pytest.approx(0.0)
    # r3 2026Q3: c5 is acquired inside the quarter, nobody at the start -> NaN
    assert math.isnan(ret["2026Q3", "r3"])
    company = K.retention_rate(ledger, "Q", "company")
    # Q2: c1, c2, c4 at the start, c2 lost -> 2/3; Q3: c1, c4 at the start, c4 lost -> 1/2
    assert company["retention_rate"].tolist()[1:] == pytest.approx([2 / 3, 1 / 2])
    # 2026-05: c1, c2, c3, c4 at the start; c2 and c3 lost in May -> 2/4
    assert at(K.retention_rate(ledger, "M", "company"), "2026-05") == pytest.approx(0.5)


def test_customer_won_and_lost_in_the_same_period_never_counts():
    # one customer only, acquired 2026-04-05 and churned 2026-05-20, both in Q2
    customers = CUSTOMERS[CUSTOMERS["customer_id"] == "c3"]
    small = make_ledger(customers=customers, deals=DEALS.iloc[3:4], invoices=INVOICES.iloc[3:4],
                        payments=PAYMENTS.iloc[5:6])
    ret = K.retention_rate(small, "Q", "company")
    assert ret["period"].tolist() == ["2026Q2"]
    assert math.isnan(ret["retention_rate"].iloc[0])  # nobody at the start of Q2


# ------------------------------------------------------------------ R2.2.1.3 collection
def test_collection_rate_hand_computed(ledger):
    col = table(K.collection_rate(ledger, "Q", "rep"))
    # r1 Q1: i1 100,000 due 02-09, paid 60,000 + 40,000 by 03-15 -> 100,000 / 100,000
    assert col["2026Q1", "r1"] == pytest.approx(1.0)
    # r2 Q1: i3 80,000 due 03-31; p4 30,000 on 03-31 counts, p5 on 04-01 does not -> 0.375
    assert col["2026Q1", "r2"] == pytest.approx(30 / 80)
    # r1 Q2: i2 50,000 (paid), i4 30,000 (10,000 paid), i5 20,000 (paid 07-10, after Q2)
    #        -> (50,000 + 10,000 + 0) / 100,000 = 0.6
    assert col["2026Q2", "r1"] == pytest.approx(0.6)
    # nothing fell due -> NaN, not 0
    assert math.isnan(col["2026Q3", "r1"])  # i5's payment in Q3 does not make Q3 defined
    assert math.isnan(col["2026Q2", "r2"])
    assert col["2026Q3", "r3"] == pytest.approx(0.0)  # i6 due 08-01, never paid
    # company Q1: (100,000 + 30,000) / (100,000 + 80,000)
    assert at(K.collection_rate(ledger, "Q", "company"), "2026Q1") == pytest.approx(130 / 180)
    # monthly, r1 2026-02: i1 due 02-09, only the partial 60,000 is paid by 02-28 -> 0.6
    month = table(K.collection_rate(ledger, "M", "rep"))
    assert month["2026-02", "r1"] == pytest.approx(0.6)
    assert math.isnan(month["2026-03", "r1"])  # the rest, paid in March, was due in February


def test_an_overpayment_counts_only_up_to_the_invoice():
    extra = pd.concat([PAYMENTS, _frame("payment_id invoice_id paid_on amount",
                                        [("p8", "i3", "2026-03-31", 70_000)])])
    col = K.collection_rate(make_ledger(payments=extra), "Q", "rep")
    # i3: 30,000 + 70,000 = 100,000 paid by 03-31 on an 80,000 invoice -> capped at 1.0
    assert at(col, "2026Q1", "r2") == pytest.approx(1.0)


def test_collected_cash_goes_to_the_invoices_rep(ledger):
    cash = table(K.collected_cash(ledger, "Q", "rep"))
    assert cash["2026Q1", "r1"] == 100_000  # p1 + p2
    assert cash["2026Q2", "r1"] == 60_000  # p3 50,000 + p6 10,000
    assert cash["2026Q3", "r1"] == 20_000  # p7
    assert cash["2026Q1", "r2"] == 30_000 and cash["2026Q2", "r2"] == 50_000  # p4; p5
    assert cash["2026Q3", "r3"] == 0


def test_dso_hand_computed(ledger):
    dso = K.dso(ledger, "Q", "company")["dso"].tolist()
    # Q1: invoiced 230,000, paid 130,000 -> AR 100,000; 100/230 x 90 days (Jan+Feb+Mar)
    # Q2: invoiced 50,000, paid 110,000 -> AR 40,000; 40/50 x 91 days
    # Q3: invoiced 40,000, paid 20,000 -> AR 60,000; 60/40 x 92 days
    assert dso == pytest.approx([100 / 230 * 90, 40 / 50 * 91, 60 / 40 * 92])
    # r2 Q1: AR 50,000 / 80,000 x 90; r2 Q2: nothing invoiced -> NaN
    by_rep = table(K.dso(ledger, "Q", "rep"))
    assert by_rep["2026Q1", "r2"] == pytest.approx(56.25)
    assert math.isnan(by_rep["2026Q2", "r2"])


def test_collection_effectiveness_hand_computed(ledger):
    cei = K.collection_effectiveness(ledger, "Q", "company")["collection_effectiveness"]
    # CEI = (opening AR + credit sales - closing AR) / (opening AR + credit sales - current AR)
    # Q1: (0 + 230 - 100) / (0 + 230 - 50); current = i2 50,000, due 04-30
    # Q2: (100 + 50 - 40) / (100 + 50 - 0); Q3: (40 + 40 - 60) / (40 + 40 - 0)
    assert cei.tolist() == pytest.approx([130 / 180, 110 / 150, 20 / 80])
    month = K.collection_effectiveness(ledger, "M", "company")
    # April: opening 100, sales 50, closing 40; current at 04-30 is i4 30 less p6 10 (paid
    # 04-28 before it fell due) + i5 20 = 40 -> (100 + 50 - 40) / (100 + 50 - 40) = 1
    assert at(month, "2026-04") == pytest.approx(1.0)
    # May: opening 40, nothing invoiced or paid, closing 40; current i5 20 -> 0 / 20 = 0
    assert at(month, "2026-05") == pytest.approx(0.0)
    # January: opening 0, sales 100, closing 100, and all of it current (i1 is due 02-09):
    # 0 / 0, nothing was collectible -> NaN
    assert math.isnan(at(month, "2026-01"))


# ------------------------------------------------------------------ R2.1 pipeline
def test_win_rate_ignores_disqualified_and_open_leads(ledger):
    wins = table(K.win_rate(ledger, "Q", "rep"))
    assert wins["2026Q1", "r1"] == pytest.approx(2 / 3)  # l1, l2 won; l3 lost
    assert wins["2026Q1", "r2"] == pytest.approx(1.0)  # l5 won; l4 disqualified is ignored
    assert wins["2026Q3", "r3"] == pytest.approx(0.5)  # l8 won, l9 lost
    assert math.isnan(wins["2026Q3", "r1"])  # l6 is open: nothing closed
    assert at(K.win_rate(ledger, "Q", "company"), "2026Q1") == pytest.approx(3 / 4)


def test_stage_conversion_follows_the_furthest_stage():
    ledger = make_ledger(leads=LEADS)
    conv = K.stage_conversion(ledger, "Q", "company")
    assert conv.columns.tolist() == ["period", "stage", "stage_conversion"]
    q1 = conv[conv["period"] == "2026Q1"].set_index("stage")["stage_conversion"]
    # leads created in Q1 and their furthest stage index (new=0 ... contract=6):
    # l1 6, l2 6, l3 3 (demo), l4 0 (new), l5 6, l6 4 (quote), l7 6
    # reached: new 7, contacted 6, discovery 6, demo 6, quote 5, negotiation 4, contract 4
    assert q1.index.tolist() == list(K.STAGES[:-1])
    assert q1.tolist() == pytest.approx([6 / 7, 1, 1, 5 / 6, 4 / 5, 1])
    # Q2: l8 contract, l9 negotiation -> everything 2/2 except negotiation -> contract 1/2
    q2 = conv[conv["period"] == "2026Q2"]["stage_conversion"].tolist()
    assert q2 == pytest.approx([1, 1, 1, 1, 1, 0.5])
    assert conv[conv["period"] == "2026Q3"]["stage_conversion"].isna().all()
    # r2 Q1: l4 (new) and l5 (contract) -> new -> contacted 1/2
    by_rep = K.stage_conversion(ledger, "Q", "rep")
    row = by_rep[(by_rep["period"] == "2026Q1") & (by_rep["rep_id"] == "r2")]
    assert row["stage_conversion"].iloc[0] == pytest.approx(0.5)


def test_stage_conversion_refuses_an_unknown_stage_and_takes_custom_stages():
    leads = LEADS.assign(stage=LEADS["stage"].replace({"new": "screening"}))
    ledger = make_ledger(leads=leads)
    with pytest.raises(ValueError, match=r"'screening' \(rows 3\).*new, contacted"):
        K.stage_conversion(ledger, "Q")
    custom = ("screening",) + K.STAGES[1:]
    conv = K.stage_conversion(ledger, "Q", "company", stages=custom)
    assert conv["stage"].iloc[0] == "screening"
    assert conv["stage_conversion"].iloc[0] == pytest.approx(6 / 7)


def test_average_deal_size(ledger):
    size = table(K.average_deal_size(ledger, "Q", "rep"))
    assert size["2026Q1", "r1"] == pytest.approx(75_000)  # (100,000 + 50,000) / 2
    assert size["2026Q2", "r1"] == pytest.approx(25_000)  # (30,000 + 20,000) / 2
    assert math.isnan(size["2026Q1", "r3"])  # no deals


def test_sales_cycle_is_the_median_of_won_leads(ledger):
    cycle = table(K.sales_cycle(ledger, "Q", "rep"))
    assert cycle["2026Q1", "r1"] == pytest.approx(10)  # median(8, 12); l3 lost is ignored
    assert cycle["2026Q2", "r1"] == pytest.approx(16)  # l7, placed by its closing date
    assert cycle["2026Q3", "r3"] == pytest.approx(31)  # l8
    assert at(K.sales_cycle(ledger, "Q", "company"), "2026Q1") == pytest.approx(12)  # 8,12,30


def test_first_response_time_R2_1_2_1(ledger):
    frt = table(K.first_response_time(ledger, "Q", "rep"))
    # r1 leads created in Q1: l1 1, l2 5, l3 2, l6 10, l7 0 days -> median 2
    assert frt["2026Q1", "r1"] == pytest.approx(2)
    assert frt["2026Q1", "r2"] == pytest.approx(1)  # l5; l4 was never contacted
    assert frt["2026Q2", "r3"] == pytest.approx(2)  # l8 3, l9 1
    assert math.isnan(frt["2026Q1", "r3"])
    # company Q1: 0, 1, 1, 2, 5, 10 -> (1 + 2) / 2
    assert at(K.first_response_time(ledger, "Q", "company"), "2026Q1") == pytest.approx(1.5)


def test_pipeline_velocity(ledger):
    vel = table(K.pipeline_velocity(ledger, "Q", "rep"))
    # r1 Q1: open qualified leads at 03-31: l6 (open), l7 (closes 04-05) = 2;
    #        2 x win rate 2/3 x average deal 75,000 / cycle 10 days = 10,000 CNY a day
    assert vel["2026Q1", "r1"] == pytest.approx(10_000)
    # r1 Q2: l6 still open = 1; 1 x 1.0 x 25,000 / 16 = 1,562.5
    assert vel["2026Q2", "r1"] == pytest.approx(1_562.5)
    assert vel["2026Q1", "r2"] == pytest.approx(0.0)  # l5 closed on 03-31: nothing open
    assert math.isnan(vel["2026Q3", "r1"])  # no lead closed: win rate undefined
    # company Q2: open at 06-30 l6, l8, l9 = 3; win 1/1, deal 25,000, cycle 16
    assert at(K.pipeline_velocity(ledger, "Q", "company"), "2026Q2") == pytest.approx(
        3 * 25_000 / 16)


# ------------------------------------------------------------------ R2.3.1.3 surveys
def test_csat_and_nps(ledger):
    sat = table(K.csat(ledger, "Q", "rep"))
    assert sat["2026Q1", "r1"] == pytest.approx(0.5)  # c1 5, c2 3 -> 1 of 2 at 4-5
    assert sat["2026Q1", "r2"] == pytest.approx(1.0)  # c4 4
    assert sat["2026Q2", "r1"] == pytest.approx(0.0)  # c1 2
    assert math.isnan(sat["2026Q1", "r3"])
    assert at(K.csat(ledger, "Q", "company"), "2026Q1") == pytest.approx(2 / 3)
    net = table(K.nps(ledger, "Q", "rep"))
    assert net["2026Q1", "r1"] == pytest.approx(50)  # 10 promoter, 7 passive: (1 - 0) / 2
    assert net["2026Q1", "r2"] == pytest.approx(-100)  # 6 is a detractor
    assert at(K.nps(ledger, "Q", "company"), "2026Q1") == pytest.approx(0)  # (1 - 1) / 3


# ------------------------------------------------------------------ R2.2.2.1 cost of sales
def test_cost_of_sales(ledger):
    cost = table(K.cost_of_sales(ledger, "Q", "rep"))
    # r1 Q1: (5,000 + 2,500 + 7,500) / 150,000; Q2: clawback -1,000 / 50,000
    assert cost["2026Q1", "r1"] == pytest.approx(0.1)
    assert cost["2026Q2", "r1"] == pytest.approx(-0.02)
    assert cost["2026Q1", "r2"] == pytest.approx(0.1)  # 8,000 / 80,000
    assert cost["2026Q3", "r3"] == pytest.approx(0.0)  # no pay on 40,000
    assert math.isnan(cost["2026Q1", "r3"])  # no revenue
    assert at(K.cost_of_sales(ledger, "Y", "rep"), "2026", "r1") == pytest.approx(14 / 200)
    with pytest.raises(ValueError, match="'2026Q1' cannot be split"):
        K.cost_of_sales(ledger, "M")


def test_cost_of_sales_picks_one_plan():
    two = pd.concat([PAYOUTS, PAYOUTS.assign(plan="pilot", amount=PAYOUTS["amount"] * 2)])
    ledger = make_ledger(payouts=two)
    with pytest.raises(ValueError, match="several plans"):
        K.cost_of_sales(ledger, "Q")
    cost = K.cost_of_sales(ledger, "Q", "rep", plan="pilot")
    assert at(cost, "2026Q1", "r1") == pytest.approx(0.2)  # 30,000 / 150,000
    with pytest.raises(ValueError, match="no payouts for plan 'nope'"):
        K.cost_of_sales(ledger, "Q", plan="nope")


# ------------------------------------------------------------------ scorecard
COLUMNS = ["revenue", "revenue_target", "attainment", "new_customers", "new_customer_target",
           "retention_rate", "collection_rate", "meets_revenue", "meets_new_customers",
           "meets_retention", "meets_collection"]


def test_scorecard_with_default_targets(ledger):
    card = scorecard(ledger)  # period="Q", by="rep"
    assert card.columns.tolist() == ["period", "rep_id", *COLUMNS]
    assert len(card) == 9  # 3 quarters x 3 reps
    assert all(card[c].dtype == bool for c in COLUMNS[-4:])
    row = card[(card["period"] == "2026Q1") & (card["rep_id"] == "r1")].iloc[0]
    assert row["revenue"] == 150_000 and row["revenue_target"] == 300_000
    assert row["attainment"] == pytest.approx(0.5)
    assert row["new_customers"] == 2 and row["new_customer_target"] == 50
    assert math.isnan(row["retention_rate"]) and row["collection_rate"] == pytest.approx(1.0)
    # a NaN retention rate does not meet the 85% target; 100% >= 90% does
    assert (row["meets_revenue"], row["meets_new_customers"], row["meets_retention"],
            row["meets_collection"]) == (False, False, False, True)


def test_scorecard_targets_met_exactly_count_as_met(ledger):
    targets = {"monthly_revenue": 50_000, "quarterly_new_customers": 2,
               "retention_rate": 0.5, "collection_rate": 0.6}
    card = scorecard(ledger, "Q", "rep", targets)
    r1 = card[card["rep_id"] == "r1"].set_index("period")
    # Q1: 150,000 = 3 x 50,000; 2 new = 2; retention NaN; collection 1.0 >= 0.6
    assert r1.loc["2026Q1", COLUMNS[-4:]].tolist() == [True, True, False, True]
    # Q2: 50,000 < 150,000; 1 < 2; retention 0.5 = 0.5; collection 0.6 = 0.6
    assert r1.loc["2026Q2", COLUMNS[-4:]].tolist() == [False, False, True, True]


def test_scorecard_scales_count_targets_by_reps_in_the_group(ledger):
    team = scorecard(ledger, "M", "team")
    north = team[(team["period"] == "2026-03") & (team["team"] == "North")].iloc[0]
    assert north["revenue_target"] == 200_000  # 2 reps x 100,000 a month
    assert north["new_customer_target"] == pytest.approx(2 * 50 / 3)
    assert north["attainment"] == pytest.approx(80_000 / 200_000)  # d3
    company = scorecard(ledger, "Y", "company")
    assert company.columns.tolist() == ["period", *COLUMNS]
    assert company["revenue_target"].tolist() == [3 * 1_200_000]
    assert company["new_customer_target"].tolist() == [3 * 200]
    # the whole year: all six invoices fall due, 320,000; paid by 12-31: i1 100,000, i2 50,000,
    # i3 80,000 (p5 on 04-01 is inside the year), i4 10,000, i5 20,000, i6 0 -> 260 / 320
    assert company["collection_rate"].iloc[0] == pytest.approx(260 / 320)


def test_scorecard_without_a_reps_table_uses_the_reps_seen():
    ledger = make_ledger(reps=None)
    card = scorecard(ledger, "Q", "company")
    assert card["revenue_target"].tolist() == [900_000] * 3  # r1, r2, r3 seen in the tables
    with pytest.raises(MissingTableError, match="'reps'"):
        scorecard(ledger, "Q", "team")


def test_empty_ledger_gives_empty_results_not_errors():
    empty = make_ledger(**{name: df.iloc[0:0] for name, df in [
        ("reps", REPS), ("customers", CUSTOMERS), ("deals", DEALS), ("invoices", INVOICES),
        ("payments", PAYMENTS)]})
    assert K.periods(empty) == []
    card = scorecard(empty)
    assert card.empty and card.columns.tolist() == ["period", "rep_id", *COLUMNS]
    assert "no periods" in K.format_scorecard(card)


def test_format_scorecard(ledger):
    text = K.format_scorecard(scorecard(ledger, "Q", "rep"))
    lines = text.splitlines()
    assert "period" in lines[0] and "retention" in lines[0]
    r1_q1 = next(line for line in lines if line.startswith("2026Q1") and " r1 " in line)
    assert r1_q1.split() == ["2026Q1", "r1", "150,000", "300,000", "50.0%", "2", "50", "n/a",
                             "100.0%", "no", "no", "no", "yes"]
    r2_q1 = next(line for line in lines if line.startswith("2026Q1") and " r2 " in line)
    assert "37.5%" in r2_q1.split()  # 30,000 / 80,000
    assert "CNY" in text


def test_kpis_refuse_bad_arguments_and_missing_tables(ledger):
    with pytest.raises(ValueError, match="by must be 'rep', 'team' or 'company'"):
        K.revenue(ledger, "Q", by="region")
    with pytest.raises(ValueError, match="period must be 'M', 'Q' or 'Y'"):
        K.revenue(ledger, "W")
    bare = make_ledger()
    for kpi in (K.win_rate, K.stage_conversion, K.sales_cycle, K.first_response_time,
                K.pipeline_velocity):
        with pytest.raises(MissingTableError, match="'leads'"):
            kpi(bare, "Q")
    with pytest.raises(MissingTableError, match="'surveys'"):
        K.csat(bare, "Q")
    with pytest.raises(MissingTableError, match="'payouts'"):
        K.cost_of_sales(bare, "Q")


def test_kpis_do_not_change_the_ledger(ledger):
    before = {name: df.copy() for name, df in ledger.tables()}
    scorecard(ledger, "M", "team")
    for kpi in (K.stage_conversion, K.pipeline_velocity, K.collection_effectiveness, K.nps):
        kpi(ledger, "Q", "rep")
    for name, df in ledger.tables():
        pd.testing.assert_frame_equal(df, before[name])


KPIS = (K.revenue, K.attainment, K.new_customers, K.retention_rate, K.collection_rate,
        K.collected_cash, K.win_rate, K.stage_conversion, K.average_deal_size, K.sales_cycle,
        K.first_response_time, K.pipeline_velocity, K.dso, K.collection_effectiveness, K.csat,
        K.nps, K.cost_of_sales)


def test_every_kpi_is_public_and_documented_with_a_clause():
    assert {f.__name__ for f in KPIS} <= set(K.__all__)
    for f in KPIS:
        assert re.search(r"\bR[123](\.\d)+", f.__doc__), f.__name__
        assert "Parameters\n" in f.__doc__ and f"``{f.__name__}``" in f.__doc__, f.__name__


def test_customers_won_before_the_first_transaction_open_the_first_period():
    # An export starting in 2026Q1 with two customers won in 2025 (no deals in the export for
    # them): both are open at 2026Q1's start; one is lost in February, so retention 1/2.
    # Their 2025 acquisition adds no 2025 period (and an invoice due in Q2 adds no Q2 period).
    led = Ledger.from_tables(
        customers=pd.DataFrame(
            [("old1", None, "r1", "2025-05-01", None),
             ("old2", None, "r1", "2025-11-20", "2026-02-10"),
             ("new1", None, "r1", "2026-01-15", None)],
            columns=["customer_id", "lead_id", "rep_id", "acquired_on", "churned_on"]),
        deals=pd.DataFrame([("d1", "new1", "r1", "2026-01-15", 10_000, 0.0, 10_000, "new")],
                           columns=["deal_id", "customer_id", "rep_id", "signed_on",
                                    "list_amount", "discount", "amount", "kind"]),
        invoices=pd.DataFrame([("i1", "d1", "new1", "r1", "2026-01-15", "2026-04-14", 10_000)],
                              columns=["invoice_id", "deal_id", "customer_id", "rep_id",
                                       "issued_on", "due_on", "amount"]),
        payments=pd.DataFrame([("p1", "i1", "2026-03-01", 10_000)],
                              columns=["payment_id", "invoice_id", "paid_on", "amount"]),
    )
    assert K.periods(led, "Q") == ["2026Q1"]
    assert table(K.retention_rate(led, "Q")) == {("2026Q1", "r1"): 0.5}
