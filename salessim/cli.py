"""The ``salessim`` command line.

Each subcommand validates its input first. Bad input (a broken CRM export, a scenario with a
wrong value) prints the list of problems to stderr and exits with code 2, without a traceback.
Outputs are written to a temporary file and renamed, so nothing is ever half-written.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

__all__ = ["main"]


class UsageError(Exception):
    """Bad input from the user: printed as is, exit code 2."""


def _write_or_print(text: str, out: str | None) -> None:
    from .ledger import atomic_write_text

    if out:
        atomic_write_text(Path(out), text)
        print(f"wrote {out}", file=sys.stderr)
    else:
        sys.stdout.write(text)


# ------------------------------------------------------------------ kpi
def _add_kpi(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "kpi",
        help="validate a ledger folder (a CRM export) and print its KPI scorecard",
        description="Validate a ledger folder of <table>.csv files (a CRM export or a "
        "simulation's output), then print the regulation's scorecard (R2.2.1): revenue "
        "against target, new customers, retention rate (留存率) and collection rate (回款率) "
        "per rep, team or the whole company, per month, quarter or year.",
    )
    p.add_argument("dir", help="folder holding customers.csv, deals.csv, invoices.csv, ...")
    p.add_argument("--period", choices=["M", "Q", "Y"], default="Q",
                   help="month, quarter or year (default: Q)")
    p.add_argument("--by", choices=["rep", "team", "company"], default="rep",
                   help="group rows by rep, team or the whole company (default: rep)")
    p.add_argument("--format", choices=["table", "csv"], default="table",
                   help="a readable table (default) or CSV with the scorecard's columns")
    p.add_argument("--out", help="write to this file instead of standard output")
    p.set_defaults(run=_run_kpi)


def _run_kpi(args: argparse.Namespace) -> None:
    from .kpi import format_scorecard, scorecard
    from .ledger import Ledger

    ledger = Ledger.from_csv_dir(_existing_dir(args.dir))
    card = scorecard(ledger, period=args.period, by=args.by)
    if args.format == "csv":
        text = card.to_csv(index=False, lineterminator="\n")
    else:
        text = format_scorecard(card) + "\n"
    _write_or_print(text, args.out)


def _existing_dir(path: str) -> Path:
    p = Path(path)
    if not p.is_dir():
        raise UsageError(f"{path}: no such folder (expected a folder of <table>.csv files)")
    return p


# ------------------------------------------------------------------ main
SUBCOMMANDS: tuple[Callable[[argparse._SubParsersAction], None], ...] = (_add_kpi,)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``salessim`` command."""
    parser = argparse.ArgumentParser(
        prog="salessim",
        description="The Sales Performance Regulation (销售业绩规程) as KPIs on a CRM export, "
        "a simulated sales team and incentive-plan experiments.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add in SUBCOMMANDS:
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``salessim`` command; returns the exit code (0 ok, 2 bad input)."""
    from pydantic import ValidationError

    from .validation import LedgerError

    args = build_parser().parse_args(argv)
    try:
        args.run(args)
    except (UsageError, LedgerError, ValidationError, FileNotFoundError, ValueError) as exc:
        print(f"salessim {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"salessim {args.command}: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
