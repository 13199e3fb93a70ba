"""Validation of a CRM export (R3.3.2, R3.2.2): every problem named by file, line, column and
value, all of them reported at once.

Each test copies the sample export (``salessim/data/sample_crm``) to a temporary folder and
breaks it in one place. Line numbers are worked out from the sample: the header is line 1 and
no field of the sample spans two lines, so the n-th data row is on line n + 1
(deals D01..D30 are on lines 2..31, invoices I01..I30 on lines 2..31, payments P01..P23 on
lines 2..24).
"""

from __future__ import annotations

import csv
import pickle
import shutil
from pathlib import Path

import pandas as pd
import pytest

from salessim import Ledger, LedgerError, Problem, sample_crm_dir, validate
from salessim.validation import MAX_SHOWN


@pytest.fixture
def crm(tmp_path) -> Path:
    folder = tmp_path / "crm"
    shutil.copytree(sample_crm_dir(), folder)
    return folder


def read_rows(folder: Path, table: str) -> list[list[str]]:
    with (folder / f"{table}.csv").open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def write_rows(folder: Path, table: str, rows: list[list[str]]) -> None:
    with (folder / f"{table}.csv").open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def set_cell(folder: Path, table: str, line: int, column: str, value: str, key: str) -> None:
    """Set one cell of ``<table>.csv``; ``key`` is the first field of that line (a guard)."""
    rows = read_rows(folder, table)
    assert rows[line - 1][0] == key, "the test edits the row it means to"
    rows[line - 1][rows[0].index(column)] = value
    write_rows(folder, table, rows)


def refused(folder: Path) -> LedgerError:
    with pytest.raises(LedgerError) as info:
        Ledger.from_csv_dir(folder)
    return info.value


def reported(folder: Path, file: str, line: int | None, column: str | None,
             value: str | None) -> str:
    """The export is refused, with exactly one problem at this place with this value; the
    problem's text names all four and is in the error's text. Returns that text."""
    err = refused(folder)
    hits = [p for p in err.problems
            if (p.source, p.line, p.column, p.value) == (file, line, column, value)]
    assert len(hits) == 1, "\n".join(map(str, err.problems))
    text = str(hits[0])
    where = file + (f" line {line}" if line is not None else "")
    where += f", column {column}" if column is not None else ""
    assert text.startswith(where + ": ")
    if value:
        assert repr(value) in text
    assert text in str(err)
    return text


# ------------------------------------------------------------------ files and columns
def test_sample_export_is_clean():
    assert validate(sample_crm_dir()) == []


def test_missing_folder(tmp_path):
    err = refused(tmp_path / "nowhere")
    assert len(err.problems) == 1
    assert str(tmp_path / "nowhere") in str(err) and "no such folder" in str(err)


@pytest.mark.parametrize("table", ["customers", "deals", "invoices", "payments"])
def test_missing_required_file(crm, table):
    (crm / f"{table}.csv").unlink()
    text = reported(crm, f"{table}.csv", None, None, None)
    assert "missing" in text and f"required {table} table" in text
    assert "leads.csv" in text  # says what the folder does hold (a misspelt name shows)


@pytest.mark.parametrize("table", ["reps", "leads", "activities", "surveys"])
def test_optional_file_may_be_missing(crm, table):
    (crm / f"{table}.csv").unlink()
    assert not Ledger.from_csv_dir(crm).has(table)


@pytest.mark.parametrize("content", ["", "\n\n  \n"])
def test_empty_file(crm, content):
    (crm / "deals.csv").write_text(content, encoding="utf-8")
    text = reported(crm, "deals.csv", None, None, None)
    assert "empty file" in text and "deal_id, customer_id" in text


def test_header_only_file_is_an_empty_table(crm):
    (crm / "surveys.csv").write_text("customer_id,surveyed_on,csat,nps\n", encoding="utf-8")
    assert len(Ledger.from_csv_dir(crm).surveys) == 0


def test_missing_column(crm):
    rows = [row[:5] + row[6:] for row in read_rows(crm, "deals")]  # drop "discount"
    write_rows(crm, "deals", rows)
    text = reported(crm, "deals.csv", 1, "discount", None)
    assert "missing column" in text
    assert "there are: deal_id, customer_id, rep_id, signed_on, list_amount, amount, kind" in text


def test_extra_columns_are_allowed_and_dropped(crm):
    rows = read_rows(crm, "customers")
    write_rows(crm, "customers", [r + (["name"] if i == 0 else [f"Demo Co. {i}"])
                                  for i, r in enumerate(rows)])
    ledger = Ledger.from_csv_dir(crm)
    assert "name" not in ledger.customers.columns


def test_duplicate_column_in_header(crm):
    rows = read_rows(crm, "payments")
    write_rows(crm, "payments", [r + [r[3]] for r in rows])  # "amount" twice
    text = reported(crm, "payments.csv", 1, "amount", None)
    assert "a second column named 'amount'" in text


def test_row_with_wrong_number_of_fields(crm):
    lines = (crm / "payments.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[4].startswith("P04,")
    lines[4] = "P04,I04,2026-04-17,50,000\n"  # an unquoted thousands separator: 5 fields
    (crm / "payments.csv").write_text("".join(lines), encoding="utf-8")
    text = reported(crm, "payments.csv", 5, None, None)
    assert "5 fields; expected 4 fields" in text


def test_file_that_is_not_utf8(crm):
    text = "rep_id,name,team,level,hired_on\nR01,张三,North,senior,2023-03-01\n"
    (crm / "reps.csv").write_bytes(text.encode("gbk"))  # a Chinese Excel default
    message = reported(crm, "reps.csv", 2, None, None)
    assert "not UTF-8" in message and "CSV UTF-8" in message


def test_byte_order_mark_is_accepted(crm):
    data = (crm / "deals.csv").read_bytes()
    (crm / "deals.csv").write_bytes(b"\xef\xbb\xbf" + data)
    assert Ledger.from_csv_dir(crm).deals.deal_id[0] == "D01"


def test_line_numbers_are_file_lines(crm):
    # A blank line after the header and a note spanning two lines in the first row push
    # the fourth activity (normally on line 5) down to line 7.
    rows = read_rows(crm, "activities")
    rows[1][3] = "call\nwith notes"
    rows[4][2] = "2026-01-22T09:00:00"  # R02's demo of 15:00-16:30 now ends before it starts
    write_rows(crm, "activities", rows)
    text = (crm / "activities.csv").read_text(encoding="utf-8")
    header, rest = text.split("\n", 1)
    (crm / "activities.csv").write_text(header + "\n\n" + rest, encoding="utf-8")
    message = reported(crm, "activities.csv", 7, "ended_at", "2026-01-22T09:00:00")
    assert "on or after 2026-01-22T15:00:00" in message


# ------------------------------------------------------------------ cells
@pytest.mark.parametrize("value", ["2026/02/12", "12.02.2026", "2026-2-12", "soon", "20260212"])
def test_unparseable_date(crm, value):
    set_cell(crm, "deals", 4, "signed_on", value, key="D03")
    text = reported(crm, "deals.csv", 4, "signed_on", value)
    assert "a date written YYYY-MM-DD" in text


@pytest.mark.parametrize(("value", "why"), [("2026-02-30", "2026-02 has 28 days"),
                                            ("2026-04-31", "2026-04 has 30 days"),
                                            ("2026-13-01", "there is no month 13"),
                                            ("2026-01-00", "2026-01 has 31 days")])
def test_impossible_date(crm, value, why):
    set_cell(crm, "deals", 4, "signed_on", value, key="D03")
    text = reported(crm, "deals.csv", 4, "signed_on", value)
    assert f"is not a real date ({why})" in text


def test_leap_day_is_a_real_date(crm):
    set_cell(crm, "reps", 3, "hired_on", "2024-02-29", key="R02")
    assert Ledger.from_csv_dir(crm).reps.hired_on[1] == pd.Timestamp("2024-02-29")


def test_date_outside_the_representable_years(crm):
    set_cell(crm, "customers", 2, "churned_on", "9999-12-31", key="C01")  # "never" in some CRMs
    text = reported(crm, "customers.csv", 2, "churned_on", "9999-12-31")
    assert "leave the cell empty" in text


@pytest.mark.parametrize("value", ["2026-01-06 9:30", "2026-01-06", "06/01/2026 09:30"])
def test_unparseable_datetime(crm, value):
    set_cell(crm, "activities", 2, "started_at", value, key="R01")
    text = reported(crm, "activities.csv", 2, "started_at", value)
    assert "YYYY-MM-DDTHH:MM:SS" in text


def test_impossible_time(crm):
    set_cell(crm, "activities", 2, "ended_at", "2026-01-06T24:00:00", key="R01")
    text = reported(crm, "activities.csv", 2, "ended_at", "2026-01-06T24:00:00")
    assert "not a real date and time" in text


def test_datetime_with_space_and_without_seconds_is_read(crm):
    set_cell(crm, "activities", 2, "ended_at", "2026-01-06 10:00", key="R01")
    ledger = Ledger.from_csv_dir(crm)
    assert ledger.activities.ended_at[0] == pd.Timestamp("2026-01-06 10:00:00")


@pytest.mark.parametrize("value", ["12,000", "¥500", "500 CNY", "n/a", "nan", "inf"])
def test_non_numeric_amount(crm, value):
    set_cell(crm, "payments", 4, "amount", value, key="P03")
    text = reported(crm, "payments.csv", 4, "amount", value)
    assert "a plain number" in text


def test_negative_amount(crm):
    set_cell(crm, "payments", 4, "amount", "-85500", key="P03")
    text = reported(crm, "payments.csv", 4, "amount", "-85500")
    assert "an amount of 0 CNY or more" in text


def test_empty_required_cell_and_empty_nullable_cell(crm):
    set_cell(crm, "invoices", 3, "amount", "", key="I02")
    set_cell(crm, "leads", 2, "budget", "", key="L01")  # budget may be unknown
    text = reported(crm, "invoices.csv", 3, "amount", "")
    assert text.startswith("invoices.csv line 3, column amount: empty; expected an amount")
    assert len(refused(crm).problems) == 1


def test_discount_outside_zero_one_exact_message(crm):
    set_cell(crm, "deals", 3, "discount", "1.5", key="D02")
    text = reported(crm, "deals.csv", 3, "discount", "1.5")
    assert text == ("deals.csv line 3, column discount: '1.5' is not a fraction in [0, 1) "
                    "(a discount of 15% is written 0.15)")


@pytest.mark.parametrize("value", ["1", "15", "-0.1", "10%"])
def test_discount_outside_zero_one(crm, value):
    set_cell(crm, "deals", 3, "discount", value, key="D02")
    assert "a fraction in [0, 1)" in reported(crm, "deals.csv", 3, "discount", value)


def test_discount_bounds_that_are_allowed(crm):
    # D01: list 60000; a discount of 0.999 leaves 60000 x 0.001 = 60 CNY.
    set_cell(crm, "deals", 2, "discount", "0.999", key="D01")
    set_cell(crm, "deals", 2, "amount", "60", key="D01")
    assert Ledger.from_csv_dir(crm).deals.discount[0] == 0.999


@pytest.mark.parametrize(("column", "value", "expected"), [
    ("outcome", "Won", "one of won, lost, disqualified, open"),
    ("qualified", "maybe", "true or false"),
    ("score", "high", "a plain number"),
])
def test_bad_choice_bool_and_number(crm, column, value, expected):
    set_cell(crm, "leads", 5, column, value, key="L04")
    assert expected in reported(crm, "leads.csv", 5, column, value)


@pytest.mark.parametrize("value", ["yes", "0", "TRUE"])
def test_other_spellings_of_booleans(crm, value):
    set_cell(crm, "leads", 5, "qualified", value, key="L04")
    assert Ledger.from_csv_dir(crm).leads.qualified[3] == (value != "0")


@pytest.mark.parametrize("value", ["0", "6", "4.5", "five"])
def test_whole_number_out_of_bounds(crm, value):
    set_cell(crm, "surveys", 3, "csat", value, key="C02")
    assert "a whole number from 1 to 5" in reported(crm, "surveys.csv", 3, "csat", value)


# ------------------------------------------------------------------ keys and references
def test_duplicate_id_names_both_lines(crm):
    set_cell(crm, "deals", 6, "deal_id", "D02", key="D05")
    text = reported(crm, "deals.csv", 6, "deal_id", "D02")
    assert "not a unique deal_id (line 3 has it too)" in text


def test_payment_for_unknown_invoice(crm):
    set_cell(crm, "payments", 4, "invoice_id", "I99", key="P03")
    text = reported(crm, "payments.csv", 4, "invoice_id", "I99")
    assert "not an invoice_id listed in invoices.csv" in text


def test_deal_for_unknown_customer(crm):
    set_cell(crm, "deals", 3, "customer_id", "C99", key="D02")
    text = reported(crm, "deals.csv", 3, "customer_id", "C99")
    assert "not a customer_id listed in customers.csv" in text


def test_reference_to_an_absent_optional_table_is_not_checked(crm):
    (crm / "reps.csv").unlink()
    set_cell(crm, "customers", 2, "rep_id", "R99", key="C01")
    assert Ledger.from_csv_dir(crm).customers.rep_id[0] == "R99"
    (crm / "leads.csv").unlink()
    set_cell(crm, "customers", 6, "lead_id", "L99", key="C05")
    assert validate(crm) == []


# ------------------------------------------------------------------ rows against rows
def test_payment_dated_before_its_invoice(crm):
    # P01 pays I01, issued on 2026-01-13 (invoices.csv line 2).
    set_cell(crm, "payments", 2, "paid_on", "2026-01-12", key="P01")
    text = reported(crm, "payments.csv", 2, "paid_on", "2026-01-12")
    assert "on or after 2026-01-13, the day invoice I01 was issued (invoices.csv line 2)" in text


def test_payment_on_the_day_of_issue_is_fine(crm):
    set_cell(crm, "payments", 2, "paid_on", "2026-01-13", key="P01")
    assert validate(crm) == []


def test_invoice_due_before_issued(crm):
    set_cell(crm, "invoices", 2, "due_on", "2026-01-12", key="I01")
    text = reported(crm, "invoices.csv", 2, "due_on", "2026-01-12")
    assert "on or after 2026-01-13, the issue date in column issued_on" in text


def test_customer_churned_before_acquired(crm):
    set_cell(crm, "customers", 3, "churned_on", "2025-11-02", key="C02")
    text = reported(crm, "customers.csv", 3, "churned_on", "2025-11-02")
    assert "on or after 2025-11-03, the acquisition date" in text


def test_activity_ending_before_it_starts(crm):
    set_cell(crm, "activities", 2, "ended_at", "2026-01-06T09:29:59", key="R01")
    text = reported(crm, "activities.csv", 2, "ended_at", "2026-01-06T09:29:59")
    assert "a time on or after 2026-01-06T09:30:00" in text


@pytest.mark.parametrize(("line", "key", "amount", "ok"), [
    # D02: 120000 x (1 - 0.1) = 108000; the tolerance is max(1, 0.01% x 120000) = 12 CNY.
    (3, "D02", "108011", True),
    (3, "D02", "108013", False),
    (3, "D02", "120000", False),   # the list amount, the discount forgotten
    # D25: 25000 x (1 - 0) = 25000; the tolerance is max(1, 2.5) = 2.5 CNY.
    (26, "D25", "25002", True),
    (26, "D25", "25003", False),
])
def test_deal_amount_against_list_amount_and_discount(crm, line, key, amount, ok):
    set_cell(crm, "deals", line, "amount", amount, key=key)
    if ok:
        assert validate(crm) == []
    else:
        text = reported(crm, "deals.csv", line, "amount", amount)
        assert "is not list_amount x (1 - discount) =" in text


# ------------------------------------------------------------------ all problems at once
def test_every_problem_in_every_file_is_reported(crm):
    set_cell(crm, "leads", 3, "outcome", "WON", key="L02")
    set_cell(crm, "customers", 4, "acquired_on", "2025-06-31", key="C03")
    set_cell(crm, "deals", 10, "discount", "15", key="D09")
    set_cell(crm, "deals", 12, "customer_id", "C77", key="D11")
    set_cell(crm, "payments", 8, "amount", "-1", key="P07")
    err = refused(crm)
    places = [(p.source, p.line, p.column) for p in err.problems]
    assert places == [("leads.csv", 3, "outcome"), ("customers.csv", 4, "acquired_on"),
                      ("deals.csv", 10, "discount"), ("deals.csv", 12, "customer_id"),
                      ("payments.csv", 8, "amount")]
    lines = str(err).splitlines()
    assert lines[0] == f"{crm}: 5 problems found in the ledger:"
    assert lines[1:] == [f"  {p}" for p in err.problems]
    assert validate(crm) == err.problems


def test_long_lists_are_cut_in_the_text_but_kept_whole(crm):
    rows = read_rows(crm, "deals")
    write_rows(crm, "deals", [rows[0]] + [r[:7] + ["upsell"] for r in rows[1:]])  # 30 kinds
    rows = read_rows(crm, "leads")
    write_rows(crm, "leads", [rows[0]] + [r[:12] + ["maybe", r[13]] for r in rows[1:]])  # 24
    err = refused(crm)
    assert len(err.problems) == 54
    text = str(err).splitlines()
    assert len(text) == 1 + MAX_SHOWN + 1
    assert text[-1] == f"  ... and {54 - MAX_SHOWN} more"


def test_ledger_error_is_a_value_error_and_pickles(crm):
    set_cell(crm, "deals", 3, "discount", "1.5", key="D02")
    err = refused(crm)
    assert isinstance(err, ValueError)
    copy = pickle.loads(pickle.dumps(err))
    assert copy.problems == err.problems and str(copy) == str(err)


def test_problem_text_without_a_value():
    problem = Problem("payments.csv", None, None, None, "the file", "missing")
    assert str(problem) == "payments.csv: missing; expected the file"


# ------------------------------------------------------------------ in memory
@pytest.fixture(scope="module")
def sample() -> Ledger:
    return Ledger.from_csv_dir(sample_crm_dir())


def test_from_tables_reports_rows(sample):
    deals = sample.deals.copy()
    deals.loc[5, "discount"] = 1.5
    deals.loc[7, "customer_id"] = "C99"
    with pytest.raises(LedgerError) as info:
        Ledger.from_tables(customers=sample.customers, deals=deals, invoices=sample.invoices,
                           payments=sample.payments)
    assert [str(p) for p in info.value.problems] == [
        "deals table row 5, column discount: '1.5' is not a fraction in [0, 1) "
        "(a discount of 15% is written 0.15)",
        "deals table row 7, column customer_id: 'C99' is not a customer_id listed in "
        "customers table",
    ]


def test_from_tables_names_a_missing_required_table(sample):
    with pytest.raises(LedgerError, match=r"payments table: missing; expected the required"):
        Ledger.from_tables(customers=sample.customers, deals=sample.deals,
                           invoices=sample.invoices)


def test_ledger_validate_checks_rows_against_rows(sample):
    payments = sample.payments.copy()
    payments.loc[0, "paid_on"] = pd.Timestamp("2026-01-01")  # I01 was issued on 2026-01-13
    broken = sample.replace(payments=payments)
    with pytest.raises(LedgerError) as info:
        broken.validate()
    (problem,) = info.value.problems
    assert (problem.source, problem.line, problem.column, problem.value) == \
        ("payments table", 0, "paid_on", "2026-01-01")
    assert "(invoices table row 0)" in str(problem)
    assert validate(broken) == info.value.problems
    sample.validate()  # the sample itself is clean
    assert validate(sample) == []


def test_a_date_with_a_time_of_day_is_refused_not_cut(sample):
    deals = sample.deals.copy()
    deals.loc[2, "signed_on"] = pd.Timestamp("2026-02-12 10:30")
    with pytest.raises(LedgerError, match=r"deals table row 2, column signed_on: "
                                          r"'2026-02-12T10:30:00' is not a date"):
        sample.replace(deals=deals).validate()


# ------------------------------------------------------------------ the command line
def test_cli_prints_the_problems_and_exits_2(crm, capsys):
    cli = pytest.importorskip("salessim.cli")
    set_cell(crm, "deals", 3, "discount", "1.5", key="D02")
    set_cell(crm, "payments", 2, "paid_on", "2026-13-01", key="P01")
    assert cli.main(["kpi", str(crm)]) == 2
    err = capsys.readouterr().err
    assert "deals.csv line 3, column discount: '1.5'" in err
    assert "payments.csv line 2, column paid_on: '2026-13-01'" in err
    assert "Traceback" not in err
