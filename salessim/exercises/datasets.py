"""The data that exercise tasks compute their expected answers from.

Each loader takes no arguments and returns a fresh object; a task loads it once per process
for checking. Learners load the same data in their notebook with the same function, so what
they compute and what is checked agree.
"""

from __future__ import annotations

import pandas as pd

from ..ledger import Ledger, sample_crm_dir

__all__ = ["kpi_practice", "sample_crm"]


def sample_crm() -> Ledger:
    """The shipped sample CRM export (``salessim/data/sample_crm``) as a ledger."""
    return Ledger.from_csv_dir(sample_crm_dir())


# Records added to the sample CRM for the KPI exercises (R2.2.1), all for rep R03 in 2026Q2:
# two customers won and lost within the quarter (one of them paid part of an invoice on time
# and more after the quarter's end), an older customer lost in the quarter, and a new
# customer whose deal was signed on the quarter's last day.
_KPI_EXTRA = {
    "customers": [
        ("C17", None, "R03", "2026-05-06", "2026-06-19"),
        ("C18", None, "R03", "2025-10-15", "2026-05-28"),
        ("C19", None, "R03", "2026-06-30", None),
        ("C20", None, "R03", "2026-04-20", "2026-06-02"),
    ],
    "deals": [
        ("D31", "C17", "R03", "2026-05-06", 30000.0, 0.0, 30000.0, "new"),
        ("D32", "C19", "R03", "2026-06-30", 60000.0, 0.1, 54000.0, "new"),
        ("D33", "C20", "R03", "2026-04-20", 20000.0, 0.0, 20000.0, "new"),
    ],
    "invoices": [
        ("I31", "D31", "C17", "R03", "2026-05-11", "2026-06-10", 30000.0),
        ("I32", "D32", "C19", "R03", "2026-07-03", "2026-08-02", 54000.0),
        ("I33", "D33", "C20", "R03", "2026-04-24", "2026-05-24", 20000.0),
    ],
    "payments": [
        ("P24", "I31", "2026-06-08", 10000.0),
        ("P25", "I31", "2026-07-15", 15000.0),
        ("P26", "I33", "2026-05-20", 20000.0),
    ],
}


def kpi_practice() -> Ledger:
    """The sample CRM export with a few more records for the KPI exercises (R2.2.1).

    Three customers of rep R03 (Wang Demo) are added, with their deals, invoices and
    payments, all around the second quarter of 2026, so that the cases every KPI must get
    right occur in the data.
    """
    base = sample_crm()
    tables = {}
    for name, rows in _KPI_EXTRA.items():
        table = base.table(name)
        extra = pd.DataFrame(rows, columns=list(table.columns))
        tables[name] = pd.concat([table, extra.astype(table.dtypes.to_dict())],
                                 ignore_index=True)
    full = {name: df for name, df in base.tables()} | tables
    return Ledger.from_tables(source="the KPI practice ledger", **full)
