"""The ledger on disk (R3.3.2): the sample CRM export, exact CSV and Parquet round trips, and
optional tables that a computation may ask for.

The sample's facts checked here were counted by hand from its CSV files.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salessim import Ledger, LedgerError, MissingTableError, sample_crm_dir
from salessim.ledger import REQUIRED_TABLES, SCHEMA, TABLES, coerce, to_strings

DTYPES = {"id": "str", "text": "str", "choice": "str", "date": "datetime64[ns]",
          "datetime": "datetime64[ns]", "money": "float64", "signed_money": "float64",
          "fraction": "float64", "number": "float64", "int": "int64", "bool": "bool"}


@pytest.fixture(scope="module")
def sample() -> Ledger:
    return Ledger.from_csv_dir(sample_crm_dir())


def csv_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


# ------------------------------------------------------------------ the sample export
def test_sample_crm_dir_is_a_folder_of_csv_files():
    folder = sample_crm_dir()
    assert isinstance(folder, Path) and folder.is_dir()
    assert {p.stem for p in folder.glob("*.csv")} == set(TABLES) - {"payouts", "promotions"}


def test_sample_loads_with_canonical_columns_and_dtypes(sample):
    counts = {name: len(df) for name, df in sample.tables()}
    assert counts == {"reps": 4, "leads": 24, "customers": 16, "deals": 30, "invoices": 30,
                      "payments": 23, "activities": 14, "surveys": 14}
    assert not sample.has("payouts") and not sample.has("promotions")
    for name, df in sample.tables():
        assert df.columns.tolist() == [c.name for c in SCHEMA[name]]
        for col in SCHEMA[name]:
            assert str(df[col.name].dtype) == DTYPES[col.kind], (name, col.name)


def test_sample_tells_the_stories_the_lessons_need(sample):
    reps = sample.reps.set_index("rep_id")
    assert reps.groupby("team").size().to_dict() == {"North": 2, "South": 2}
    assert sample.deals.signed_on.between("2026-01-01", "2026-06-30").all()
    # Revenue by rep and quarter against the 300,000 CNY quarterly target (R2.2.1.1):
    # R03 Q1 = 45000 + 126000 + 104500 + 60000 + 90250 = 425750 (above target),
    # R04 Q1 = 25000 + 63000 = 88000 (far below).
    deals = sample.deals.assign(q=sample.deals.signed_on.dt.to_period("Q").astype(str))
    revenue = deals.groupby(["rep_id", "q"]).amount.sum()
    assert revenue["R03", "2026Q1"] == 425_750
    assert revenue["R04", "2026Q1"] == 88_000
    # Every deal is its list amount less the discount, to the yuan.
    assert ((deals.list_amount * (1 - deals.discount) - deals.amount).abs() < 0.01).all()
    # One churned customer (C02, on 2026-04-30); C01-C04 were won in 2025Q4 (no lead row).
    churned = sample.customers.dropna(subset=["churned_on"])
    assert churned.customer_id.tolist() == ["C02"]
    old = sample.customers[sample.customers.lead_id.isna()]
    assert old.customer_id.tolist() == ["C01", "C02", "C03", "C04"]
    assert old.acquired_on.between("2025-10-01", "2025-12-31").all()
    # Collections (R2.2.1.3): I12 (92,000) is paid 50,000 only; I26 is never paid although
    # due on 2026-03-31; I09 (due 2026-02-19) is paid on 2026-03-06, 15 days late.
    paid = sample.payments.groupby("invoice_id").amount.sum()
    assert paid["I12"] == 50_000
    assert "I26" not in paid.index
    inv = sample.invoices.set_index("invoice_id")
    assert inv.loc["I26", "due_on"] == pd.Timestamp("2026-03-31")
    late = sample.payments.set_index("invoice_id").loc["I09", "paid_on"] - inv.loc["I09", "due_on"]
    assert late == pd.Timedelta(days=15)
    # Payment terms are 30 or 60 days.
    assert set((inv.due_on - inv.issued_on).dt.days) == {30, 60}
    # Leads from every channel of R2.1.1.2, with every outcome.
    assert set(sample.leads.channel) == {"web", "trade_show", "referral"}
    assert set(sample.leads.outcome) == {"won", "lost", "disqualified", "open"}
    assert sample.leads.qualified.any() and not sample.leads.qualified.all()


def test_sample_is_written_back_byte_for_byte(sample, tmp_path):
    sample.to_csv_dir(tmp_path)
    assert csv_bytes(tmp_path) == csv_bytes(sample_crm_dir())


# ------------------------------------------------------------------ round trips
def tricky_ledger() -> Ledger:
    """A small ledger with the values that break naive CSV handling."""
    customers = pd.DataFrame({
        "customer_id": ["C1", "C2"], "lead_id": [None, "L1"], "rep_id": ["R1", "R1"],
        "acquired_on": pd.to_datetime(["2026-01-05", "2026-02-28"]),
        "churned_on": pd.to_datetime([None, "2026-03-01"]),
    })
    deals = pd.DataFrame({
        "deal_id": ["D1", "D2"], "customer_id": ["C1", "C2"], "rep_id": ["R1", "R1"],
        "signed_on": pd.to_datetime(["2026-01-05", "2026-02-28"]),
        "list_amount": [0.1 + 0.2, 123456789.125], "discount": [0.0, 1 / 3],
        "amount": [0.1 + 0.2, 123456789.125 * (1 - 1 / 3)], "kind": ["new", "new"],
    })
    invoices = pd.DataFrame({
        "invoice_id": ["I1"], "deal_id": ["D1"], "customer_id": ["C1"], "rep_id": ["R1"],
        "issued_on": pd.to_datetime(["2026-01-05"]), "due_on": pd.to_datetime(["2026-02-04"]),
        "amount": [0.1 + 0.2],
    })
    payments = pd.DataFrame({
        "payment_id": ["P1"], "invoice_id": ["I1"], "paid_on": pd.to_datetime(["2026-01-06"]),
        "amount": [1e-7],
    })
    activities = pd.DataFrame({
        "rep_id": ["R1", "R1"],
        "started_at": pd.to_datetime(["2026-01-05 09:00:00.123456", "2026-01-06 10:00:00"],
                                     format="ISO8601"),
        "ended_at": pd.to_datetime(["2026-01-05 09:30:00", "2026-01-06 11:15:30"]),
        "task": ['call, "urgent"\nsecond line', "回访 (after-sales visit)"],
        "ref_id": ["C1", None],
    })
    surveys = pd.DataFrame({"customer_id": [], "surveyed_on": pd.to_datetime([]),
                            "csat": pd.Series([], dtype="int64"),
                            "nps": pd.Series([], dtype="int64")})
    return Ledger.from_tables(customers=customers, deals=deals, invoices=invoices,
                              payments=payments, activities=activities, surveys=surveys)


def test_csv_round_trip_is_exact_for_tricky_values(tmp_path):
    ledger = tricky_ledger()
    ledger.to_csv_dir(tmp_path / "a")
    back = Ledger.from_csv_dir(tmp_path / "a")
    assert back.equals(ledger)
    for name, df in ledger.tables():
        pd.testing.assert_frame_equal(back.table(name), df)
    assert back.activities.started_at[0] == pd.Timestamp("2026-01-05 09:00:00.123456")
    assert back.activities.task[0] == 'call, "urgent"\nsecond line'
    assert back.deals.list_amount[0] == 0.1 + 0.2  # 0.30000000000000004, not 0.3
    assert len(back.surveys) == 0
    back.to_csv_dir(tmp_path / "b")
    assert csv_bytes(tmp_path / "b") == csv_bytes(tmp_path / "a")


def test_csv_text_form_is_plain(tmp_path):
    tricky_ledger().to_csv_dir(tmp_path)
    lines = (tmp_path / "deals.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "deal_id,customer_id,rep_id,signed_on,list_amount,discount,amount,kind"
    # whole numbers without ".0", other floats in their shortest exact form, ISO dates
    assert lines[1] == "D1,C1,R1,2026-01-05,0.30000000000000004,0,0.30000000000000004,new"
    customers = (tmp_path / "customers.csv").read_text(encoding="utf-8").splitlines()
    assert customers[1] == "C1,,R1,2026-01-05,"  # missing values are empty cells
    activities = (tmp_path / "activities.csv").read_text(encoding="utf-8")
    assert "2026-01-06T10:00:00,2026-01-06T11:15:30" in activities


@settings(max_examples=100, deadline=None)
@given(amounts=st.lists(st.floats(min_value=0, max_value=1e18, allow_nan=False), min_size=1,
                        max_size=5))
def test_money_text_reads_back_to_the_same_float(amounts):
    # The CSV files hold exactly the text of to_strings, so text -> float must be exact.
    payments = pd.DataFrame({"payment_id": [f"P{i}" for i in range(len(amounts))],
                             "invoice_id": "I1", "paid_on": pd.Timestamp("2026-01-06"),
                             "amount": amounts})
    text = to_strings("payments", payments)
    assert coerce("payments", text).amount.tolist() == amounts
    assert coerce("payments", text).equals(coerce("payments", payments))


def test_money_round_trips_exactly_through_files(tmp_path):
    amounts = [0.0, 5e-324, 1e-7, 0.1, 2 / 3, 99999.99, 1e15, 1e15 + 0.5, 2.0**60, 1.7e308]
    payments = pd.DataFrame({"payment_id": [f"P{i}" for i in range(len(amounts))],
                             "invoice_id": "I1", "paid_on": pd.Timestamp("2026-01-06"),
                             "amount": amounts})
    tricky_ledger().replace(payments=payments).to_csv_dir(tmp_path)
    assert Ledger.from_csv_dir(tmp_path).payments.amount.tolist() == amounts


def test_parquet_round_trip_is_exact(sample, tmp_path):
    pytest.importorskip("pyarrow")
    sample.to_parquet_dir(tmp_path / "pq")
    back = Ledger.from_parquet_dir(tmp_path / "pq")
    assert back.equals(sample)
    for name, df in sample.tables():
        pd.testing.assert_frame_equal(back.table(name), df)
    back.to_csv_dir(tmp_path / "csv")
    assert csv_bytes(tmp_path / "csv") == csv_bytes(sample_crm_dir())


def test_parquet_round_trip_of_tricky_values(tmp_path):
    pytest.importorskip("pyarrow")
    ledger = tricky_ledger()
    ledger.to_parquet_dir(tmp_path)
    assert Ledger.from_parquet_dir(tmp_path).equals(ledger)


def test_from_parquet_dir_validates(sample, tmp_path):
    pytest.importorskip("pyarrow")
    deals = sample.deals.copy()
    deals.loc[3, "discount"] = 1.5
    sample.replace(deals=deals).to_parquet_dir(tmp_path)
    with pytest.raises(LedgerError, match=r"deals table row 3, column discount: '1.5'"):
        Ledger.from_parquet_dir(tmp_path)


def test_equals_notices_a_changed_cell(sample):
    deals = sample.deals.copy()
    deals.loc[0, "amount"] += 1
    assert not sample.replace(deals=deals).equals(sample)
    assert not sample.replace(surveys=None).equals(sample)


# ------------------------------------------------------------------ optional tables
def test_optional_tables_may_be_absent(tmp_path):
    folder = tmp_path / "crm"
    shutil.copytree(sample_crm_dir(), folder)
    (folder / "surveys.csv").unlink()
    (folder / "reps.csv").unlink()
    ledger = Ledger.from_csv_dir(folder)
    assert not ledger.has("surveys") and not ledger.has("reps")
    with pytest.raises(MissingTableError, match=r"'surveys' table \(surveys\.csv\)") as info:
        ledger.table("surveys")
    assert str(folder) in str(info.value)
    with pytest.raises(MissingTableError, match="'payouts'"):
        ledger.table("payouts")
    ledger.to_csv_dir(tmp_path / "out")
    assert "surveys.csv" not in csv_bytes(tmp_path / "out")


def test_required_tables_are_the_four_of_the_issue():
    assert REQUIRED_TABLES == ("customers", "deals", "invoices", "payments")


def test_unknown_table_name_is_a_key_error(sample):
    with pytest.raises(KeyError, match="unknown ledger table 'deal'"):
        sample.table("deal")


# ------------------------------------------------------------------ writing safely
def test_written_files_have_ordinary_permissions_and_no_leftovers(sample, tmp_path):
    sample.to_csv_dir(tmp_path / "out")
    reference = tmp_path / "plain.txt"
    reference.write_text("x")
    mode = reference.stat().st_mode & 0o777
    names = sorted(os.listdir(tmp_path / "out"))
    assert names == sorted(f"{name}.csv" for name, _ in sample.tables())
    for name in names:
        assert (tmp_path / "out" / name).stat().st_mode & 0o777 == mode


def test_from_tables_leaves_the_callers_frames_alone(sample):
    deals = sample.deals.copy()
    deals["discount"] = deals["discount"].astype(object)  # a caller's own dtype
    before = deals.copy()
    Ledger.from_tables(customers=sample.customers, deals=deals, invoices=sample.invoices,
                       payments=sample.payments)
    pd.testing.assert_frame_equal(deals, before)


def test_from_tables_accepts_records_and_empty_tables(sample):
    ledger = Ledger.from_tables(
        customers=[{"customer_id": "C1", "lead_id": None, "rep_id": "R1",
                    "acquired_on": "2026-01-05", "churned_on": None}],
        deals=[], invoices=[], payments=[])
    assert ledger.customers.acquired_on[0] == pd.Timestamp("2026-01-05")
    assert len(ledger.deals) == 0
    assert ledger.deals.columns.tolist() == [c.name for c in SCHEMA["deals"]]
