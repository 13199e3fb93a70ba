"""The ledger: the tables that a CRM export and the simulation both produce (R3.3.2).

A :class:`Ledger` holds up to ten tables as pandas DataFrames. On disk a ledger is a folder
with one ``<table>.csv`` per table: dates as ISO ``YYYY-MM-DD``, times as
``YYYY-MM-DDTHH:MM:SS``, money as plain numbers in CNY, booleans as ``true``/``false``, and
empty cells for missing values. ``customers``, ``deals``, ``invoices`` and ``payments`` are
required; the other tables are optional, and a KPI that needs a missing one says so.

Every table read from disk is checked first (see :mod:`salessim.validation`): problems are
reported all at once, each naming the file, line, column and value.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["Column", "SCHEMA", "REQUIRED_TABLES", "TABLES", "Ledger", "MissingTableError",
           "sample_crm_dir"]


@dataclass(frozen=True)
class Column:
    """One column of a ledger table.

    ``kind`` is one of ``id``, ``text``, ``choice``, ``date``, ``datetime``, ``money``
    (a number >= 0, CNY), ``signed_money`` (any number, CNY), ``fraction`` (in [0, 1)),
    ``number``, ``int`` and ``bool``. ``ref`` names the ``table.column`` an id must exist in,
    ``unique`` marks a primary key, and ``low``/``high`` bound numbers (inclusive).
    """

    name: str
    kind: str
    nullable: bool = False
    choices: tuple[str, ...] = ()
    ref: str | None = None
    unique: bool = False
    low: float | None = None
    high: float | None = None


def _c(name: str, kind: str, **kw) -> Column:
    return Column(name, kind, **kw)


LEVELS = ("sales", "senior", "lead")
OUTCOMES = ("won", "lost", "disqualified", "open")
DEAL_KINDS = ("new", "repeat")

SCHEMA: dict[str, tuple[Column, ...]] = {
    "reps": (
        _c("rep_id", "id", unique=True),
        _c("name", "text"),
        _c("team", "text"),
        _c("level", "choice", choices=LEVELS),
        _c("hired_on", "date"),
    ),
    "leads": (
        _c("lead_id", "id", unique=True),
        _c("created_on", "date"),
        _c("channel", "text"),
        _c("industry", "text"),
        _c("company_size", "text"),
        _c("region", "text"),
        _c("budget", "money", nullable=True),
        _c("score", "number", nullable=True),
        _c("qualified", "bool"),
        _c("rep_id", "id", nullable=True, ref="reps.rep_id"),
        _c("first_contact_on", "date", nullable=True),
        _c("stage", "text"),
        _c("outcome", "choice", choices=OUTCOMES),
        _c("closed_on", "date", nullable=True),
    ),
    "customers": (
        _c("customer_id", "id", unique=True),
        _c("lead_id", "id", nullable=True, ref="leads.lead_id"),
        _c("rep_id", "id", ref="reps.rep_id"),
        _c("acquired_on", "date"),
        _c("churned_on", "date", nullable=True),
    ),
    "deals": (
        _c("deal_id", "id", unique=True),
        _c("customer_id", "id", ref="customers.customer_id"),
        _c("rep_id", "id", ref="reps.rep_id"),
        _c("signed_on", "date"),
        _c("list_amount", "money"),
        _c("discount", "fraction"),
        _c("amount", "money"),
        _c("kind", "choice", choices=DEAL_KINDS),
    ),
    "invoices": (
        _c("invoice_id", "id", unique=True),
        _c("deal_id", "id", ref="deals.deal_id"),
        _c("customer_id", "id", ref="customers.customer_id"),
        _c("rep_id", "id", ref="reps.rep_id"),
        _c("issued_on", "date"),
        _c("due_on", "date"),
        _c("amount", "money"),
    ),
    "payments": (
        _c("payment_id", "id", unique=True),
        _c("invoice_id", "id", ref="invoices.invoice_id"),
        _c("paid_on", "date"),
        _c("amount", "money"),
    ),
    "activities": (
        _c("rep_id", "id", ref="reps.rep_id"),
        _c("started_at", "datetime"),
        _c("ended_at", "datetime"),
        _c("task", "text"),
        _c("ref_id", "text", nullable=True),
    ),
    "surveys": (
        _c("customer_id", "id", ref="customers.customer_id"),
        _c("surveyed_on", "date"),
        _c("csat", "int", low=1, high=5),
        _c("nps", "int", low=0, high=10),
    ),
    "payouts": (
        _c("rep_id", "id", ref="reps.rep_id"),
        _c("period", "text"),
        _c("plan", "text"),
        _c("component", "text"),
        _c("amount", "signed_money"),
    ),
    "promotions": (
        _c("rep_id", "id", ref="reps.rep_id"),
        _c("promoted_on", "date"),
        _c("from_level", "choice", choices=LEVELS),
        _c("to_level", "choice", choices=LEVELS),
    ),
}

TABLES: tuple[str, ...] = tuple(SCHEMA)
REQUIRED_TABLES: tuple[str, ...] = ("customers", "deals", "invoices", "payments")

DATE_FORMAT = "%Y-%m-%d"
DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S"
_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}


class MissingTableError(LookupError):
    """A computation needs a ledger table that this ledger does not have."""


@dataclass(frozen=True, eq=False)
class Ledger:
    """The tables of a sales ledger, each a DataFrame with the columns of :data:`SCHEMA`.

    Build one with :meth:`from_csv_dir` (a CRM export), :meth:`from_tables` (DataFrames or
    records), or :func:`salessim.simulate`. Optional tables are ``None`` when absent.

    Examples
    --------
    >>> from salessim import Ledger, sample_crm_dir
    >>> ledger = Ledger.from_csv_dir(sample_crm_dir())
    >>> ledger.deals.columns[:3].tolist()
    ['deal_id', 'customer_id', 'rep_id']
    """

    customers: pd.DataFrame
    deals: pd.DataFrame
    invoices: pd.DataFrame
    payments: pd.DataFrame
    reps: pd.DataFrame | None = None
    leads: pd.DataFrame | None = None
    activities: pd.DataFrame | None = None
    surveys: pd.DataFrame | None = None
    payouts: pd.DataFrame | None = None
    promotions: pd.DataFrame | None = None
    source: str = field(default="<memory>", compare=False)

    # ------------------------------------------------------------------ access
    def table(self, name: str) -> pd.DataFrame:
        """Return table ``name``, raising :class:`MissingTableError` if the ledger lacks it."""
        if name not in SCHEMA:
            raise KeyError(f"unknown ledger table {name!r}; tables are: {', '.join(TABLES)}")
        df = getattr(self, name)
        if df is None:
            raise MissingTableError(
                f"this needs the {name!r} table ({name}.csv), which the ledger from "
                f"{self.source} does not have"
            )
        return df

    def has(self, name: str) -> bool:
        """Whether the ledger has table ``name``."""
        return getattr(self, name, None) is not None

    def tables(self) -> Iterator[tuple[str, pd.DataFrame]]:
        """Yield ``(name, DataFrame)`` for every table present, in schema order."""
        for name in TABLES:
            df = getattr(self, name)
            if df is not None:
                yield name, df

    def replace(self, **tables: pd.DataFrame | None) -> Ledger:
        """Return a copy with some tables replaced (coerced to the schema's types)."""
        current = {f.name: getattr(self, f.name) for f in fields(self)}
        current.update({k: (None if v is None else coerce(k, v)) for k, v in tables.items()})
        return Ledger(**current)

    # ----------------------------------------------------------- construction
    @classmethod
    def from_tables(cls, source: str = "<memory>", **tables) -> Ledger:
        """Build a ledger from DataFrames or lists of record dicts, checking it first.

        Raises
        ------
        salessim.validation.LedgerError
            Listing every problem found, each with table, row, column and value.
        """
        from .validation import check_raw

        frames = {name: pd.DataFrame(t) if not isinstance(t, pd.DataFrame) else t
                  for name, t in tables.items() if t is not None}
        unknown = sorted(set(frames) - set(SCHEMA))
        if unknown:
            raise KeyError(f"unknown ledger tables {unknown}; tables are: {', '.join(TABLES)}")
        raw = {name: to_strings(name, df) for name, df in frames.items()}
        check_raw(raw, {name: f"{name} table" for name in raw}, first_line=0, where=source)
        return cls(**{name: coerce(name, df) for name, df in frames.items()}, source=source)

    @classmethod
    def from_csv_dir(cls, path: str | os.PathLike) -> Ledger:
        """Read a ledger folder of ``<table>.csv`` files, validating every file first.

        Raises
        ------
        salessim.validation.LedgerError
            Listing every problem found, each naming the file, line, column and value.
        """
        from .validation import read_raw_dir

        path = Path(path)
        raw = read_raw_dir(path)  # validates; raises LedgerError listing every problem
        return cls(**{name: coerce(name, df) for name, df in raw.items()}, source=str(path))

    def to_csv_dir(self, path: str | os.PathLike) -> Path:
        """Write every table present to ``path/<table>.csv``; each file is written atomically.

        Reading the folder back with :meth:`from_csv_dir` gives an equal ledger.
        """
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        for name, df in self.tables():
            text = to_strings(name, df).to_csv(index=False, lineterminator="\n")
            atomic_write_text(path / f"{name}.csv", text)
        return path

    @classmethod
    def from_parquet_dir(cls, path: str | os.PathLike) -> Ledger:
        """Read a folder of ``<table>.parquet`` files (needs pyarrow)."""
        path = Path(path)
        tables = {}
        for name in TABLES:
            file = path / f"{name}.parquet"
            if file.exists():
                tables[name] = pd.read_parquet(file)
        missing = [t for t in REQUIRED_TABLES if t not in tables]
        if missing:
            files = ", ".join(m + ".parquet" for m in missing)
            raise FileNotFoundError(f"{path}: missing required table file(s) {files}")
        return cls.from_tables(source=str(path), **tables)

    def to_parquet_dir(self, path: str | os.PathLike) -> Path:
        """Write every table present to ``path/<table>.parquet`` (needs pyarrow), atomically."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        for name, df in self.tables():
            tmp = path / f".{name}.parquet.tmp"
            df.to_parquet(tmp, index=False)
            os.replace(tmp, path / f"{name}.parquet")
        return path

    def validate(self) -> None:
        """Check every table against :data:`SCHEMA` and the cross-table rules.

        Rows are numbered from 0, as in ``DataFrame.iloc``.

        Raises
        ------
        salessim.validation.LedgerError
            Listing every problem found, each with table, row, column and value.
        """
        from .validation import LedgerError, validate

        problems = validate(self)
        if problems:
            raise LedgerError(self.source, problems)

    def equals(self, other: Ledger) -> bool:
        """Whether both ledgers have the same tables with equal contents."""
        for name in TABLES:
            a, b = getattr(self, name), getattr(other, name)
            if (a is None) != (b is None):
                return False
            if a is not None and not a.reset_index(drop=True).equals(b.reset_index(drop=True)):
                return False
        return True


def sample_crm_dir() -> Path:
    """The folder of the sample CRM export shipped with the package (fictional data).

    Four reps in two teams, January to June 2026: leads from the web, trade shows and
    referrals, customers, deals, invoices on 30- and 60-day terms, payments (one partial, one
    late, one invoice unpaid), activities and surveys.

    Examples
    --------
    >>> sorted(p.name for p in sample_crm_dir().glob("*.csv"))[:3]
    ['activities.csv', 'customers.csv', 'deals.csv']
    """
    folder = resources.files(__package__) / "data" / "sample_crm"
    if not isinstance(folder, Path):
        raise RuntimeError(f"the sample CRM export is not a folder on disk: {folder}")
    return folder


# ---------------------------------------------------------------- conversions
def coerce(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """Return ``df`` with exactly the schema's columns, in order, with canonical dtypes.

    ids and text become strings, dates and times ``datetime64[ns]``, money and numbers
    ``float64``, ints ``int64`` and booleans ``bool``. Values are assumed valid (check first).
    """
    out = {}
    for col in SCHEMA[name]:
        s = df[col.name] if col.name in df.columns else pd.Series([None] * len(df), dtype=object)
        s = s.reset_index(drop=True)
        if col.kind in ("id", "text", "choice"):
            text = _to_text(s, "text")  # the same text that validation checked
            s = text.where(text != "", None).astype("str")
        elif col.kind == "date":
            s = pd.to_datetime(_blank_to_none(s), format=DATE_FORMAT if _is_text(s) else None)
            s = s.astype("datetime64[ns]")
        elif col.kind == "datetime":
            s = pd.to_datetime(_blank_to_none(s), format="ISO8601" if _is_text(s) else None)
            s = s.astype("datetime64[ns]")
        elif col.kind in ("money", "signed_money", "fraction", "number"):
            s = pd.to_numeric(_blank_to_none(s)).astype("float64")
        elif col.kind == "int":
            s = pd.to_numeric(s).astype("int64")
        elif col.kind == "bool":
            s = s.astype(bool) if pd.api.types.is_bool_dtype(s) else s.map(_to_bool).astype(bool)
        out[col.name] = s
    return pd.DataFrame(out)


def to_strings(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """Render a table as the strings its CSV file holds ("" for missing values).

    Dates are written ``YYYY-MM-DD``, times ``YYYY-MM-DDTHH:MM:SS`` (with the fraction of a
    second when there is one), numbers in the shortest form that reads back to the same
    float (``60000``, ``0.15``), booleans ``true``/``false``. Columns outside the schema are
    kept, so that validation sees them as they are.
    """
    kinds = {col.name: col.kind for col in SCHEMA[name]}
    order = [c for c in kinds if c in df.columns] + [c for c in df.columns if c not in kinds]
    out = {c: _to_text(df[c].reset_index(drop=True), kinds.get(c, "text")) for c in order}
    return pd.DataFrame(out, dtype=object, index=pd.RangeIndex(len(df)))


def _to_text(s: pd.Series, kind: str) -> pd.Series:
    if kind in ("date", "datetime") and pd.api.types.is_datetime64_any_dtype(s):
        text = _format_times(s, kind)
    elif kind == "bool" and pd.api.types.is_bool_dtype(s):
        text = s.map({True: "true", False: "false"})
    elif kind in ("money", "signed_money", "fraction", "number") and \
            pd.api.types.is_float_dtype(s):
        text = _format_floats(s)
    elif isinstance(s.dtype, pd.StringDtype) or \
            pd.api.types.infer_dtype(s, skipna=True) in ("string", "empty"):
        text = s
    else:
        text = s.map(str, na_action="ignore")
    return text.astype(object).where(s.notna(), "")


def _format_times(s: pd.Series, kind: str) -> pd.Series:
    # A time finer than the column's unit (a date at 10:30, a time with milliseconds) is
    # written in full ISO form rather than cut: nothing is lost, and validation reports a
    # date column that holds times of day.
    unit = "D" if kind == "date" else "s"
    values = s.to_numpy(dtype="datetime64[ns]")
    text = pd.Series(np.datetime_as_string(values, unit=unit), dtype=object)
    finer = s.notna() & (s != s.dt.floor(unit))
    if finer.any():
        text[finer] = s[finer].map(lambda t: t.isoformat())
    return text


def _format_floats(s: pd.Series) -> pd.Series:
    # repr() is the shortest text that reads back to the same float; whole numbers lose
    # their ".0" (60000 rather than 60000.0).
    v = s.to_numpy(dtype="float64", na_value=np.nan)
    text = np.array(list(map(repr, v.tolist())), dtype=object)
    whole = np.isfinite(v) & (v % 1 == 0) & (np.abs(v) < 1e15)
    text[whole] = list(map(str, v[whole].astype(np.int64).tolist()))
    return pd.Series(text, dtype=object)


def _is_text(s: pd.Series) -> bool:
    return not pd.api.types.is_datetime64_any_dtype(s)


def _blank_to_none(s: pd.Series) -> pd.Series:
    if pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s):
        return s.where(s.notna() & (s.astype(str) != ""), None)
    return s


def _to_bool(v) -> bool:
    if isinstance(v, bool):
        return v
    text = str(v).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"not a boolean: {v!r}")


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and a rename."""
    path = Path(path)
    # open(..., "x") rather than mkstemp: the file gets the usual permissions, not 0600.
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(tmp, "x", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
