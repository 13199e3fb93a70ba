"""Properties of the KPIs on small random valid ledgers (R2.2.1).

Rates lie in [0, 1]; the company's sums are the sums over its reps and teams; row order does
not matter; a ledger written to CSV and read back gives the same scorecard; and the
vectorised retention, collection and CEI agree with slow one-period-at-a-time versions that
follow the definitions word for word.
"""

import tempfile
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salessim import kpi as K
from salessim.ledger import SCHEMA, Ledger, coerce

START = date(2026, 1, 1)
SETTINGS = settings(max_examples=20, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _day(offset: int) -> str:
    return (START + timedelta(days=offset)).isoformat()


@st.composite
def ledger_tables(draw) -> dict[str, pd.DataFrame]:
    """A small valid ledger over about 15 months, as DataFrames of CSV-like text."""
    n_reps = draw(st.integers(1, 3))
    reps = [dict(rep_id=f"r{i}", name=f"Rep {i}", team=draw(st.sampled_from(["A", "B"])),
                 level="sales", hired_on="2025-06-01") for i in range(n_reps)]
    rep_ids = [r["rep_id"] for r in reps]
    customers, deals, invoices, payments, surveys = [], [], [], [], []
    for c in range(draw(st.integers(0, 6))):
        acquired = draw(st.integers(0, 400))
        life = draw(st.none() | st.integers(0, 200))
        rep = draw(st.sampled_from(rep_ids))
        customers.append(dict(customer_id=f"c{c}", lead_id=None, rep_id=rep,
                              acquired_on=_day(acquired),
                              churned_on=None if life is None else _day(acquired + life)))
        for _ in range(draw(st.integers(0, 2))):
            d = f"d{len(deals)}"
            signed = acquired + draw(st.integers(0, life if life is not None else 100))
            listed = draw(st.integers(1, 500)) * 100.0
            discount = draw(st.sampled_from([0.0, 0.1, 0.25]))
            amount = listed * (1 - discount)
            deals.append(dict(deal_id=d, customer_id=f"c{c}", rep_id=rep, signed_on=_day(signed),
                              list_amount=listed, discount=discount, amount=amount,
                              kind=draw(st.sampled_from(["new", "repeat"]))))
            n_inv = draw(st.integers(0, 2))
            for _ in range(n_inv):
                i = f"i{len(invoices)}"
                issued = signed + draw(st.integers(0, 30))
                due = issued + draw(st.sampled_from([0, 30, 60, 90]))
                owed = round(amount / n_inv, 2)
                invoices.append(dict(invoice_id=i, deal_id=d, customer_id=f"c{c}", rep_id=rep,
                                     issued_on=_day(issued), due_on=_day(due), amount=owed))
                left = owed
                for _ in range(draw(st.integers(0, 3))):
                    part = round(left * draw(st.sampled_from([0.3, 0.5, 1.0])), 2)
                    left -= part
                    payments.append(dict(payment_id=f"p{len(payments)}", invoice_id=i,
                                         paid_on=_day(issued + draw(st.integers(0, 120))),
                                         amount=part))
        for _ in range(draw(st.integers(0, 2))):
            surveys.append(dict(customer_id=f"c{c}",
                                surveyed_on=_day(acquired + draw(st.integers(0, 90))),
                                csat=draw(st.integers(1, 5)), nps=draw(st.integers(0, 10))))
    leads = []
    for n in range(draw(st.integers(0, 6))):
        created = draw(st.integers(0, 400))
        outcome = draw(st.sampled_from(["won", "lost", "disqualified", "open"]))
        stage = "contract" if outcome == "won" else draw(st.sampled_from(K.STAGES[:-1]))
        contact = draw(st.none() | st.integers(0, 10))
        leads.append(dict(
            lead_id=f"l{n}", created_on=_day(created), channel="web", industry="retail",
            company_size="small", region="Beijing", budget=None, score=None,
            qualified=outcome != "disqualified", rep_id=draw(st.none() | st.sampled_from(rep_ids)),
            first_contact_on=None if contact is None else _day(created + contact), stage=stage,
            outcome=outcome,
            closed_on=None if outcome == "open" else _day(created + draw(st.integers(0, 90)))))

    def frame(rows, name):
        return pd.DataFrame(rows, columns=[c.name for c in SCHEMA[name]])

    return dict(reps=frame(reps, "reps"), customers=frame(customers, "customers"),
                deals=frame(deals, "deals"), invoices=frame(invoices, "invoices"),
                payments=frame(payments, "payments"), leads=frame(leads, "leads"),
                surveys=frame(surveys, "surveys"))


def _build(tables: dict[str, pd.DataFrame]) -> Ledger:
    # Built without validation for speed; the round-trip test reads every generated ledger
    # through Ledger.from_csv_dir, which validates it.
    return Ledger(**{name: coerce(name, df) for name, df in tables.items()})


ledgers = ledger_tables().map(_build)
kinds = st.sampled_from(["M", "Q", "Y"])
groupings = st.sampled_from(["rep", "team", "company"])

RATES = (K.retention_rate, K.collection_rate, K.win_rate, K.stage_conversion, K.csat,
         K.collection_effectiveness)


@SETTINGS
@given(ledgers, kinds, groupings)
def test_rates_lie_between_0_and_1(ledger, kind, by):
    for kpi in RATES:
        values = kpi(ledger, kind, by).iloc[:, -1].dropna()
        assert values.between(0, 1).all(), (kpi.__name__, values.tolist())
    card = K.scorecard(ledger, kind, by)
    for col in ("retention_rate", "collection_rate"):
        assert card[col].dropna().between(0, 1).all()


@SETTINGS
@given(ledgers, kinds)
def test_company_sums_are_the_sums_over_reps_and_teams(ledger, kind):
    for kpi in (K.revenue, K.new_customers, K.collected_cash):
        name = kpi.__name__
        company = kpi(ledger, kind, "company").set_index("period")[name]
        for by in ("rep", "team"):
            summed = kpi(ledger, kind, by).groupby("period", sort=False)[name].sum()
            pd.testing.assert_series_equal(summed.reindex(company.index), company,
                                           check_dtype=False, check_names=False)
    total = K.revenue(ledger, kind, "company")["revenue"].sum()
    assert total == pytest.approx(ledger.deals["amount"].sum())


def _shuffled(ledger: Ledger, rng: np.random.Generator) -> Ledger:
    return ledger.replace(**{name: df.iloc[rng.permutation(len(df))]
                             for name, df in ledger.tables()})


@SETTINGS
@given(ledgers, kinds, groupings, st.integers(0, 2**32 - 1))
def test_results_do_not_depend_on_row_order(ledger, kind, by, seed):
    shuffled = _shuffled(ledger, np.random.default_rng(seed))
    pd.testing.assert_frame_equal(K.scorecard(ledger, kind, by),
                                  K.scorecard(shuffled, kind, by))
    for kpi in (K.collection_effectiveness, K.stage_conversion, K.first_response_time,
                K.pipeline_velocity, K.nps):
        pd.testing.assert_frame_equal(kpi(ledger, kind, by), kpi(shuffled, kind, by))


@settings(SETTINGS, max_examples=10)
@given(ledgers, kinds, groupings)
def test_a_ledger_written_and_read_back_gives_the_same_scorecard(ledger, kind, by):
    with tempfile.TemporaryDirectory() as folder:
        ledger.to_csv_dir(folder)
        back = Ledger.from_csv_dir(folder)
    pd.testing.assert_frame_equal(K.scorecard(ledger, kind, by), K.scorecard(back, kind, by))


# ------------------------------------------------------------ slow reference versions
def _bounds(label: str, kind: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    p = pd.Period(label, freq=kind)
    return p.start_time, p.end_time.normalize()


def _reference_retention(ledger: Ledger, kind: str) -> list[float]:
    c = ledger.customers
    out = []
    for label in K.periods(ledger, kind):
        start, end = _bounds(label, kind)
        at_start = c[(c["acquired_on"] < start)
                     & (c["churned_on"].isna() | (c["churned_on"] >= start))]
        kept = at_start[at_start["churned_on"].isna() | (at_start["churned_on"] > end)]
        out.append(len(kept) / len(at_start) if len(at_start) else np.nan)
    return out


def _reference_collection(ledger: Ledger, kind: str) -> list[float]:
    inv, pay = ledger.invoices, ledger.payments
    out = []
    for label in K.periods(ledger, kind):
        start, end = _bounds(label, kind)
        due = inv[(inv["due_on"] >= start) & (inv["due_on"] <= end)]
        paid = pay[pay["paid_on"] <= end].groupby("invoice_id")["amount"].sum()
        got = np.minimum(due["invoice_id"].map(paid).fillna(0).to_numpy(), due["amount"])
        out.append(got.sum() / due["amount"].sum() if due["amount"].sum() > 0 else np.nan)
    return out


def _reference_cei(ledger: Ledger, kind: str) -> list[float]:
    inv, pay = ledger.invoices, ledger.payments.merge(
        ledger.invoices[["invoice_id", "due_on"]], on="invoice_id")

    def ar(day, current_only=False):
        issued = inv[inv["issued_on"] <= day]
        paid = pay[(pay["paid_on"] <= day) & pay["invoice_id"].isin(issued["invoice_id"])]
        if current_only:
            issued = issued[issued["due_on"] > day]
            paid = paid[paid["due_on"] > day]
        return round(issued["amount"].sum() - paid["amount"].sum(), 2)

    out = []
    for label in K.periods(ledger, kind):
        start, end = _bounds(label, kind)
        sales = inv[(inv["issued_on"] >= start) & (inv["issued_on"] <= end)]["amount"].sum()
        opening = ar(start - pd.Timedelta(days=1))
        num = round(opening + sales - ar(end), 2)
        den = round(opening + sales - ar(end, current_only=True), 2)
        out.append(num / den if den > 0 else np.nan)
    return out


@SETTINGS
@given(ledgers, kinds)
def test_vectorised_kpis_match_the_definitions(ledger, kind):
    np.testing.assert_allclose(K.retention_rate(ledger, kind, "company")["retention_rate"],
                               _reference_retention(ledger, kind))
    np.testing.assert_allclose(K.collection_rate(ledger, kind, "company")["collection_rate"],
                               _reference_collection(ledger, kind))
    np.testing.assert_allclose(
        K.collection_effectiveness(ledger, kind, "company")["collection_effectiveness"],
        _reference_cei(ledger, kind), rtol=1e-9, atol=1e-9)
