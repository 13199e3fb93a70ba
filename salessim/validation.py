"""Validation of a ledger: every problem in a CRM export, each with its file, line and value.

Sales operations run the regulation's KPIs on their own CRM (R3.3.2), so a broken export must
be caught before any number is computed, and reported so that someone can fix it in one
pass: every problem in every file, not only the first. Each :class:`Problem` names the file,
the line, the column, the value found and what was expected; :class:`LedgerError` carries the
whole list. The same checks run on in-memory tables (:meth:`Ledger.from_tables`,
:meth:`Ledger.validate`), where rows are numbered from 0 as in ``DataFrame.iloc``.

What is checked
---------------
- The folder and the required table files (customers, deals, invoices, payments) exist; no
  file is empty or undecodable (the files must be UTF-8; a byte-order mark is fine); every
  row has as many fields as the header; every schema column is in the header (extra columns
  are allowed and ignored).
- Every cell matches its column's kind in :data:`salessim.ledger.SCHEMA`: ids and required
  values are not empty; dates are ``YYYY-MM-DD`` and real (2026-02-30 is refused); times are
  ISO ``YYYY-MM-DDTHH:MM:SS``; amounts are plain numbers, >= 0 for money; a discount is a
  fraction in [0, 1); whole numbers lie within their bounds; booleans read true/false
  (1/0, yes/no too).
- Primary keys are unique, and every reference names an id that exists, when the referenced
  table is present (a payment for an unknown invoice, a deal for an unknown customer).
- Rows agree with themselves and with each other: a payment is not dated before its invoice
  was issued and an invoice is not due before it was issued (the collection rate (回款率),
  R2.2.1.3, depends on both dates), a customer does not churn before being acquired
  (retention, R2.2.1.2), an activity does not end before it starts, and a deal's amount is
  its list amount less the discount (revenue, R2.2.1.1). Real exports round amounts to the
  yuan and store discounts to a few decimals, so the amount may differ from
  ``list_amount * (1 - discount)`` by up to 1 CNY or 0.01% of the list amount, whichever is
  larger: a discount rounded to four decimals (0.1234) moves the amount by at most 0.005%.

Line numbers are the file's physical lines: the header is line 1 and the first data row
line 2; a row whose quoted field spans several lines is reported at the line where it starts.
Blank lines, and lines whose cells are all empty, are skipped.
"""

from __future__ import annotations

import calendar
import csv
import io
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .ledger import _FALSE, _TRUE, REQUIRED_TABLES, SCHEMA, TABLES, Column, Ledger, to_strings

__all__ = ["Problem", "LedgerError", "validate", "read_raw_dir", "check_raw",
           "AMOUNT_TOLERANCE_CNY", "AMOUNT_TOLERANCE_SHARE"]

AMOUNT_TOLERANCE_CNY = 1.0
"""A deal's amount may differ from ``list_amount * (1 - discount)`` by this many CNY ..."""
AMOUNT_TOLERANCE_SHARE = 1e-4
"""... or by this share of its list amount (0.01%), whichever is larger."""

MAX_SHOWN = 50
"""How many problems the text of a :class:`LedgerError` lists; ``.problems`` has them all."""

_FIRST_YEAR, _LAST_YEAR = 1678, 2261  # the years a datetime64[ns] can hold in full
_DATE_RE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_DATETIME_RE = _DATE_RE + r"[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,9})?)?"
_NUMERIC = ("money", "signed_money", "fraction", "number", "int")
_PLAIN_AMOUNT = "an amount in CNY written as a plain number, such as 12000 or 12000.5"
_KIND = {(name, c.name): c.kind for name, cols in SCHEMA.items() for c in cols}
_ORDERED = (  # (table, earlier column, later column, what the earlier one is)
    ("invoices", "issued_on", "due_on", "the issue date"),
    ("customers", "acquired_on", "churned_on", "the acquisition date"),
    ("activities", "started_at", "ended_at", "the start"),
)


@dataclass(frozen=True)
class Problem:
    """One problem in a ledger: where it is, the value found and what was expected.

    Parameters
    ----------
    source : str
        The file (``deals.csv``) or in-memory table (``deals table``), or the folder.
    line : int or None
        The line in the file (header = 1), or the row of an in-memory table (from 0).
    column : str or None
        The column, when the problem is in one.
    value : str or None
        The cell's text as found ("" for an empty cell); None when there is no single value.
    expected : str
        What was expected instead.
    found : str or None
        What was found, when ``value`` alone does not say it (a missing file, an empty file).
    unit : str
        ``"line"`` for files, ``"row"`` for in-memory tables.

    Examples
    --------
    >>> str(Problem("deals.csv", 7, "discount", "1.5", "a fraction in [0, 1)"))
    "deals.csv line 7, column discount: '1.5' is not a fraction in [0, 1)"
    """

    source: str
    line: int | None
    column: str | None
    value: str | None
    expected: str
    found: str | None = None
    unit: str = "line"

    def __str__(self) -> str:
        where = self.source
        if self.line is not None:
            where += f" {self.unit} {self.line}"
        if self.column is not None:
            where += f", column {self.column}"
        if self.found is not None:
            return f"{where}: {self.found}; expected {self.expected}"
        if self.value is None:
            return f"{where}: expected {self.expected}"
        if self.value == "":
            return f"{where}: empty; expected {self.expected}"
        return f"{where}: {self.value!r} is not {self.expected}"


class LedgerError(ValueError):
    """A ledger has problems; ``.problems`` lists every one of them.

    The text is a header line, ``"<where>: N problems found in the ledger:"``, followed by
    one problem per line (the first :data:`MAX_SHOWN` of them).
    """

    def __init__(self, where: str, problems: Sequence[Problem]):
        super().__init__(where, list(problems))
        self.where = where
        self.problems: list[Problem] = list(problems)

    def __str__(self) -> str:
        n = len(self.problems)
        lines = [f"{self.where}: {n} problem{'' if n == 1 else 's'} found in the ledger:"]
        lines += [f"  {p}" for p in self.problems[:MAX_SHOWN]]
        if n > MAX_SHOWN:
            lines.append(f"  ... and {n - MAX_SHOWN} more")
        return "\n".join(lines)


# ------------------------------------------------------------------ public entry points
def read_raw_dir(path: str | os.PathLike) -> dict[str, pd.DataFrame]:
    """Read every ``<table>.csv`` of a ledger folder as text and check all of it.

    Parameters
    ----------
    path : path-like
        A folder holding ``customers.csv``, ``deals.csv``, ``invoices.csv``,
        ``payments.csv`` and any of the optional tables (R3.3.2).

    Returns
    -------
    dict of str to DataFrame
        The tables found, every cell a string ("" when empty), in file order.

    Raises
    ------
    LedgerError
        Listing every problem in the folder, each naming the file, line, column and value.
    """
    raw, problems = _read_dir(Path(path))
    if problems:
        raise LedgerError(str(path), problems)
    return raw


def check_raw(raw: Mapping[str, pd.DataFrame], sources: Mapping[str, str] | None = None,
              first_line: int = 0, *, where: str = "<memory>") -> None:
    """Check in-memory tables of text (as :func:`salessim.ledger.to_strings` renders them).

    Parameters
    ----------
    raw : mapping of str to DataFrame
        Table name to a DataFrame of strings ("" for a missing value).
    sources : mapping of str to str, optional
        How to name each table in messages; default ``"<name> table"``.
    first_line : int
        The number of a table's first row in messages (0, as in ``DataFrame.iloc``).
    where : str
        Where the ledger comes from, for the error's header line.

    Raises
    ------
    LedgerError
        Listing every problem, each naming the table, row, column and value.
    """
    problems = _memory_problems(raw, sources, first_line)
    if problems:
        raise LedgerError(where, problems)


def validate(ledger_or_path: Ledger | str | os.PathLike) -> list[Problem]:
    """Return every problem in a ledger or a ledger folder, without raising.

    Parameters
    ----------
    ledger_or_path : Ledger or path-like
        An in-memory ledger (rows are numbered from 0) or a folder of ``<table>.csv`` files
        (lines are file lines, header = 1).

    Returns
    -------
    list of Problem
        Empty when the ledger is clean.

    Examples
    --------
    >>> from salessim import sample_crm_dir, validate
    >>> validate(sample_crm_dir())
    []
    """
    if isinstance(ledger_or_path, Ledger):
        raw = {name: to_strings(name, df) for name, df in ledger_or_path.tables()}
        return _memory_problems(raw, None, 0)
    return _read_dir(Path(ledger_or_path))[1]


# ------------------------------------------------------------------ reading files
@dataclass(frozen=True)
class _Table:
    """A table of text with what is needed to say where a cell is."""

    name: str
    df: pd.DataFrame
    source: str
    unit: str = "line"
    first_line: int = 2
    lines: Sequence[int] | None = None
    header_line: int | None = 1

    def line(self, pos: int) -> int:
        return self.lines[pos] if self.lines is not None else self.first_line + pos

    def problem(self, pos: int | None, column: str | None, value: str | None, expected: str,
                found: str | None = None) -> Problem:
        line = self.header_line if pos is None else self.line(pos)
        return Problem(self.source, line, column, value, expected, found, self.unit)


def _read_dir(path: Path) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    if not path.is_dir():
        found = "not a folder" if path.exists() else "no such folder"
        return {}, [Problem(str(path), None, None, None, "a folder of <table>.csv files", found)]
    tables: dict[str, _Table] = {}
    found: dict[str, list[Problem]] = {name: [] for name in TABLES}
    csv_files = sorted(p.name for p in path.iterdir() if p.suffix.lower() == ".csv")
    for name in TABLES:
        file = path / f"{name}.csv"
        if not file.is_file():
            if name in REQUIRED_TABLES:
                others = f" (the folder has: {', '.join(csv_files) or 'no CSV files'})"
                found[name].append(Problem(file.name, None, None, None,
                                           f"the file of the required {name} table{others}",
                                           "missing"))
            continue
        table, found[name] = _read_csv(file, name)
        if table is not None:
            tables[name] = table
    return {name: t.df for name, t in tables.items()}, _find_problems(tables, found)


def _read_csv(file: Path, name: str) -> tuple[_Table | None, list[Problem]]:
    columns = ", ".join(c.name for c in SCHEMA[name])
    try:
        data = file.read_bytes()
    except OSError as exc:
        return None, [Problem(file.name, None, None, None, "a readable file",
                              f"unreadable ({exc.strerror})")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, [Problem(file.name, line, None, None,
                              "UTF-8 text (save the export as \"CSV UTF-8\")",
                              f"bytes that are not UTF-8 ({data[exc.start:exc.end]!r})")]
    if not text.strip():
        return None, [Problem(file.name, None, None, None,
                              f"a header line naming the columns {columns}", "an empty file")]
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[list[str]] = []
    starts: list[int] = []
    problems: list[Problem] = []
    previous = 0
    try:
        for row in reader:
            start, previous = previous + 1, reader.line_num
            if any(cell != "" for cell in row):
                rows.append(row)
                starts.append(start)
    except csv.Error as exc:
        problems.append(Problem(file.name, reader.line_num, None, None,
                                "well-formed CSV", f"unreadable CSV ({exc})"))
    header = [h.strip() for h in rows[0]] if rows else []
    seen: dict[str, int] = {}
    for i, h in enumerate(header):
        if h in seen:
            problems.append(Problem(file.name, starts[0], h, None, "each column once",
                                    f"a second column named {h!r}"))
        else:
            seen[h] = i
    body, lines = rows[1:], starts[1:]
    for row, line in zip(body, lines, strict=True):
        if len(row) != len(header):
            problems.append(Problem(file.name, line, None, None,
                                    f"{len(header)} fields, one per column of the header",
                                    f"{len(row)} fields"))
    width = len(header)
    cells = [(row + [""] * width)[:width] for row in body]
    df = pd.DataFrame({h: [r[i] for r in cells] for h, i in seen.items()}, dtype=object,
                      index=pd.RangeIndex(len(cells)))
    header_line = starts[0] if starts else 1
    return _Table(name, df, file.name, lines=lines, header_line=header_line), problems


def _memory_problems(raw: Mapping[str, pd.DataFrame], sources: Mapping[str, str] | None,
                     first_line: int) -> list[Problem]:
    sources = dict(sources or {})
    found = {
        name: [Problem(f"{name} table", None, None, None, f"the required {name} table",
                       "missing", "row")]
        for name in REQUIRED_TABLES if name not in raw
    }
    tables = {
        name: _Table(name, df.reset_index(drop=True).astype(object).fillna(""),
                     sources.get(name, f"{name} table"), "row", first_line, None, None)
        for name, df in raw.items()
    }
    return _find_problems(tables, found)


# ------------------------------------------------------------------ checks
def _find_problems(tables: Mapping[str, _Table],
                   found: Mapping[str, list[Problem]] | None = None) -> list[Problem]:
    """Cell, key, reference and cross-row checks over tables of text.

    ``found`` holds problems already found per table (while reading the files). The result
    lists the problems table by table in schema order, each table's by line.
    """
    by_table: dict[str, list[Problem]] = {name: list(ps) for name, ps in (found or {}).items()}
    parsed: dict[str, dict[str, pd.Series]] = {}
    for name, t in tables.items():
        problems = by_table.setdefault(name, [])
        if t.df.shape == (0, 0):  # an empty list of records: a table with no rows
            continue
        names = ", ".join(c.name for c in SCHEMA[name])
        has = ", ".join(map(str, t.df.columns)) or "none"
        parsed[name] = {}
        for col in SCHEMA[name]:
            if col.name not in t.df.columns:
                problems.append(t.problem(None, col.name, None,
                                          f"the columns {names} (there are: {has})",
                                          "a missing column"))
                continue
            s = t.df[col.name]
            values, bad = _check_cells(col, s)
            parsed[name][col.name] = values
            problems += [t.problem(pos, col.name, s.iat[pos], expected) for pos, expected in bad]
            if col.unique:
                problems += _duplicates(t, col.name)
            if col.ref:
                problems += _unknown_refs(t, col, tables)
    _cross_checks(tables, parsed, by_table)
    return [p for name in TABLES for p in sorted(by_table.get(name, []),
                                                 key=lambda p: p.line or 0)]


def _describe(col: Column) -> str:
    """What a cell of this column should hold, in words."""
    if col.kind == "choice":
        return "one of " + ", ".join(col.choices)
    if col.kind == "int":
        return f"a whole number from {col.low:g} to {col.high:g}"
    if col.kind == "number" and col.low is not None and col.high is not None:
        return f"a number from {col.low:g} to {col.high:g}"
    return {
        "id": "an id (this column may not be empty)",
        "text": "a value (this column may not be empty)",
        "date": "a date written YYYY-MM-DD",
        "datetime": "a date and time written YYYY-MM-DDTHH:MM:SS",
        "money": _PLAIN_AMOUNT,
        "signed_money": _PLAIN_AMOUNT,
        "fraction": "a fraction in [0, 1) (a discount of 15% is written 0.15)",
        "number": "a plain number, such as 72 or 72.5",
        "bool": "true or false (1/0 and yes/no are read too)",
    }[col.kind]


def _check_cells(col: Column, s: pd.Series) -> tuple[pd.Series | None, list[tuple[int, str]]]:
    """Parse one column of text; return its values (NaN/NaT where empty or bad) and the
    ``(position, expected)`` of every bad cell."""
    blank = s == ""
    filled = s[~blank]
    bad: dict[int, str] = {}
    if not col.nullable:
        bad.update(dict.fromkeys(s.index[blank], _describe(col)))
    values = None
    if col.kind == "choice":
        bad.update(dict.fromkeys(filled.index[~filled.isin(col.choices)], _describe(col)))
    elif col.kind == "bool":
        ok = filled.str.strip().str.lower().isin(_TRUE | _FALSE)
        bad.update(dict.fromkeys(filled.index[~ok], _describe(col)))
    elif col.kind in ("date", "datetime"):
        values = _per_value(_check_times, col, filled, bad).reindex(s.index)
    elif col.kind in _NUMERIC:
        values = _check_numbers(col, filled, bad).reindex(s.index)
    return values, sorted(bad.items())


def _per_value(check, col: Column, filled: pd.Series, bad: dict[int, str]) -> pd.Series:
    """Run ``check`` once per distinct value (a ledger repeats its dates many times) and
    spread its findings back over the rows."""
    codes, distinct = pd.factorize(filled)
    bad_distinct: dict[int, str] = {}
    parsed = check(col, pd.Series(distinct, dtype=object), bad_distinct)
    expected = np.full(len(distinct), None, dtype=object)
    expected[list(bad_distinct)] = list(bad_distinct.values())
    wrong = pd.notna(expected[codes])
    bad.update(zip(filled.index[wrong], expected[codes][wrong], strict=True))
    return pd.Series(parsed.reindex(range(len(distinct))).to_numpy()[codes], index=filled.index)


def _check_times(col: Column, filled: pd.Series, bad: dict[int, str]) -> pd.Series:
    pattern = _DATE_RE if col.kind == "date" else _DATETIME_RE
    shaped = filled.str.fullmatch(pattern).astype(bool)
    bad.update(dict.fromkeys(filled.index[~shaped], _describe(col)))
    year = filled[shaped].str[:4].astype(int)
    in_range = year.between(_FIRST_YEAR, _LAST_YEAR)
    blank_hint = " (leave the cell empty when there is none)" if col.nullable else ""
    bad.update(dict.fromkeys(in_range.index[~in_range],
                             f"a date between {_FIRST_YEAR}-01-01 and {_LAST_YEAR}-12-31"
                             + blank_hint))
    text = filled[shaped][in_range]
    fmt = "%Y-%m-%d" if col.kind == "date" else "ISO8601"
    times = pd.to_datetime(text, format=fmt, errors="coerce").astype("datetime64[ns]")
    for pos in times.index[times.isna()]:
        bad[pos] = _why_unreal(col, text[pos])
    return times


def _why_unreal(col: Column, text: str) -> str:
    """Say why a well-shaped date such as 2026-02-30 is not a real one."""
    what = "a real date" if col.kind == "date" else "a real date and time"
    year, month, day = (int(part) for part in text[:10].split("-"))
    if not 1 <= month <= 12:
        return f"{what} (there is no month {month})"
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return f"{what} ({year}-{month:02d} has {days} days)"
    return f"{what} (hours run from 00 to 23, minutes and seconds from 00 to 59)"


def _check_numbers(col: Column, filled: pd.Series, bad: dict[int, str]) -> pd.Series:
    num = pd.to_numeric(filled, errors="coerce").astype("float64")
    ok = pd.Series(np.isfinite(num), index=num.index)
    if col.kind == "money":
        negative = ok & (num < 0)
        bad.update(dict.fromkeys(num.index[negative], "an amount of 0 CNY or more"))
        ok &= ~negative
    elif col.kind == "fraction":
        ok &= (num >= 0) & (num < 1)
    elif col.kind == "int":
        ok &= num % 1 == 0
    if col.low is not None:
        ok &= num >= col.low
    if col.high is not None:
        ok &= num <= col.high
    for pos in num.index[~ok]:
        bad.setdefault(pos, _describe(col))
    return num.where(ok)


def _duplicates(t: _Table, column: str) -> list[Problem]:
    s = t.df[column]
    filled = s[s != ""]
    repeat = filled.duplicated(keep="first")
    if not repeat.any():
        return []
    first = dict(zip(filled[~repeat], filled.index[~repeat], strict=True))
    return [
        t.problem(pos, column, value,
                  f"a unique {column} ({t.unit} {t.line(first[value])} has it too)")
        for pos, value in filled[repeat].items()
    ]


def _unknown_refs(t: _Table, col: Column, tables: Mapping[str, _Table]) -> list[Problem]:
    target_name, target_column = col.ref.split(".")
    target = tables.get(target_name)
    if target is None or target_column not in target.df.columns:
        return []
    known = set(target.df[target_column]) - {""}
    s = t.df[col.name]
    unknown = (s != "") & ~s.isin(known)
    article = "an" if target_column[0] in "aeiou" else "a"
    expected = f"{article} {target_column} listed in {target.source}"
    return [t.problem(pos, col.name, value, expected) for pos, value in s[unknown].items()]


def _cross_checks(tables: Mapping[str, _Table], parsed: Mapping[str, Mapping[str, pd.Series]],
                  by_table: dict[str, list[Problem]]) -> None:
    """Rules that compare cells: dates in order within a row and across tables, and a deal's
    amount against its list amount and discount. Problems go to ``by_table``."""
    for name, early, late, meaning in _ORDERED:
        cols = parsed.get(name, {})
        if early in cols and late in cols:
            t = tables[name]
            what = "a time" if _KIND[name, late] == "datetime" else "a date"
            by_table[name] += [
                t.problem(pos, late, t.df[late].iat[pos],
                          f"{what} on or after {t.df[early].iat[pos]}, {meaning} in column {early}")
                for pos in t.df.index[cols[late] < cols[early]]
            ]
    if "paid_on" in parsed.get("payments", {}) and "issued_on" in parsed.get("invoices", {}):
        by_table["payments"] += _payments_before_invoices(
            tables["payments"], tables["invoices"], parsed["payments"]["paid_on"],
            parsed["invoices"]["issued_on"])
    if {"list_amount", "discount", "amount"} <= set(parsed.get("deals", {})):
        by_table["deals"] += _deal_amounts(tables["deals"], parsed["deals"])


def _payments_before_invoices(p: _Table, i: _Table, paid: pd.Series,
                              issued: pd.Series) -> list[Problem]:
    if "invoice_id" not in p.df.columns or "invoice_id" not in i.df.columns:
        return []
    ids = i.df["invoice_id"]
    keep = ~ids.duplicated(keep="first") & (ids != "")
    match = pd.Index(ids[keep]).get_indexer(p.df["invoice_id"])  # -1: unknown invoice
    known = match >= 0
    invoice = np.full(len(p.df), -1)
    invoice[known] = ids.index[keep].to_numpy()[match[known]]
    issued_for = pd.Series(pd.NaT, index=p.df.index, dtype="datetime64[ns]")
    issued_for[known] = issued.to_numpy()[invoice[known]]
    problems = []
    for pos in p.df.index[paid < issued_for]:
        inv = invoice[pos]
        problems.append(p.problem(
            pos, "paid_on", p.df["paid_on"].iat[pos],
            f"a date on or after {i.df['issued_on'].iat[inv]}, the day invoice "
            f"{ids.iat[inv]} was issued ({i.source} {i.unit} {i.line(inv)})"))
    return problems


def _deal_amounts(t: _Table, cols: Mapping[str, pd.Series]) -> list[Problem]:
    listed, discount, amount = cols["list_amount"], cols["discount"], cols["amount"]
    expected = listed * (1 - discount)
    tolerance = np.maximum(AMOUNT_TOLERANCE_CNY, AMOUNT_TOLERANCE_SHARE * listed)
    off = (amount - expected).abs() > tolerance
    return [
        t.problem(pos, "amount", t.df["amount"].iat[pos],
                  f"list_amount x (1 - discount) = {t.df['list_amount'].iat[pos]} x "
                  f"(1 - {t.df['discount'].iat[pos]}) = {_plain(expected.iat[pos])} CNY, "
                  f"to within {_plain(tolerance.iat[pos])} CNY")
        for pos in t.df.index[off]
    ]


def _plain(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")
