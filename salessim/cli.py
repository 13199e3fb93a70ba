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


# ------------------------------------------------------------------ exercises
def _add_exercises(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "exercises",
        help="build the exercise notebooks from the worked answers",
        description="Build exercises/NN_topic.ipynb from answers/NN_topic.ipynb: every "
        "solution region (# BEGIN SOLUTION ... # END SOLUTION) becomes a placeholder and all "
        "outputs are cleared (R3.3.1).",
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    b = actions.add_parser("build", help="write the exercise notebooks (or check them)")
    b.add_argument("--check", action="store_true",
                   help="write nothing; exit 1 and list the files if the exercise notebooks "
                   "differ from a fresh build")
    b.add_argument("--answers", default="answers", help="folder of master notebooks "
                   "(default: answers)")
    b.add_argument("--exercises", default="exercises", help="folder of exercise notebooks "
                   "(default: exercises)")
    b.set_defaults(run=_run_exercises_build)


def _run_exercises_build(args: argparse.Namespace) -> int:
    from .exercises import build, stale

    _existing_dir(args.answers)
    if args.check:
        problems = stale(args.answers, args.exercises)
        for line in problems:
            print(line)
        if problems:
            print("run `salessim exercises build` to update them", file=sys.stderr)
            return 1
        print(f"{args.exercises}/ is in sync with {args.answers}/", file=sys.stderr)
        return 0
    written = build(args.answers, args.exercises)
    for path in written:
        print(f"wrote {path}", file=sys.stderr)
    if not written:
        print(f"{args.exercises}/ is already up to date", file=sys.stderr)
    return 0


# ------------------------------------------------------------------ payouts
def _add_payouts(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "payouts",
        help="validate a ledger folder and print each rep's pay under an incentive plan",
        description="Validate a ledger folder of <table>.csv files, then pay its reps by an "
        "incentive plan (R2.2.2.1): one row per rep, period and plan component. The plan is "
        "a built-in name (linear, collected, quota_bonus, accelerator, capped, regulation) "
        "or a plan TOML file.",
    )
    p.add_argument("dir", help="folder holding customers.csv, deals.csv, invoices.csv, ...")
    p.add_argument("--plan", required=True, metavar="NAME|FILE",
                   help="a built-in plan name or a .toml plan file")
    p.add_argument("--period", choices=["M", "Q", "Y"], default=None,
                   help="sum the rows into months, quarters or years (default: each "
                   "component's own period)")
    p.add_argument("--format", choices=["table", "csv"], default="table",
                   help="a readable table (default) or CSV with the payouts columns")
    p.add_argument("--out", help="write to this file instead of standard output")
    p.set_defaults(run=_run_payouts)


def _run_payouts(args: argparse.Namespace) -> None:
    from .incentives import format_payouts, load_plan, payouts
    from .ledger import Ledger, to_strings

    plan = load_plan(args.plan)
    ledger = Ledger.from_csv_dir(_existing_dir(args.dir))
    table = payouts(ledger, plan, period=args.period)
    if args.format == "csv":  # the ledger's payouts.csv format
        text = to_strings("payouts", table).to_csv(index=False, lineterminator="\n")
    else:
        text = format_payouts(table) + "\n"
    _write_or_print(text, args.out)


# ------------------------------------------------------------------ simulate
def _add_simulate(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "simulate",
        help="simulate a sales team and write its ledger folder",
        description="Run one replication of a scenario (the shipped 'default' or a TOML file) "
        "and write the ledger it produces as a folder of <table>.csv files, the same format "
        "as a CRM export (R2.1, R3.3.2). The same scenario and seed give the same files.",
    )
    p.add_argument("scenario", metavar="SCENARIO|default",
                   help="a scenario TOML file, or 'default' for the shipped scenario")
    p.add_argument("--seed", type=int, default=0, help="seed of the run (default: 0)")
    p.add_argument("--out", required=True, metavar="DIR", help="folder to write the ledger to")
    p.add_argument("--months", type=int, help="override calendar.months")
    p.add_argument("--reps", type=int, help="a team of this many reps, with the lead channels "
                   "and delivery capacity scaled in proportion (--set team.reps=N changes "
                   "the team alone)")
    p.add_argument("--set", action="append", default=[], metavar="PATH=VALUE",
                   help="override any scenario parameter by its dotted path, the value in TOML "
                   "syntax, e.g. --set fulfilment.capacity_per_day=8 (repeatable)")
    p.add_argument("--plan", metavar="NAME|FILE",
                   help="pay the team by this plan instead of the scenario's: a built-in plan "
                   "(linear, collected, quota_bonus, accelerator, capped, regulation) or a "
                   "plan TOML file")
    p.set_defaults(run=_run_simulate)


def _run_simulate(args: argparse.Namespace) -> None:
    from .model import simulate
    from .scenario import load_scenario, parse_assignment

    overrides = dict(parse_assignment(text) for text in args.set)
    if args.months is not None:
        overrides["calendar.months"] = args.months
    scenario = load_scenario(args.scenario)
    if args.reps is not None:
        if args.reps < 1:
            raise UsageError(f"--reps {args.reps}: a team needs at least 1 rep")
        scenario = scenario.with_team(args.reps)
    if args.plan is not None:
        from .incentives import load_plan

        overrides["plan"] = load_plan(args.plan).to_dict()
    if overrides:
        scenario = scenario.with_overrides(overrides)
    run = simulate(scenario, seed=args.seed)
    run.ledger.to_csv_dir(args.out)
    print(f"wrote {args.out}: {run!r}", file=sys.stderr)


# ------------------------------------------------------------------ scenario
def _add_scenario(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "scenario",
        help="show a scenario with every parameter",
        description="Show a scenario: 'default' prints the shipped scenario file with a "
        "comment and unit for every parameter; a FILE is validated and printed in full, "
        "with the default of every parameter it does not set.",
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    show = actions.add_parser("show", help="print a scenario as TOML")
    show.add_argument("scenario", metavar="default|FILE", help="'default' or a scenario file")
    show.set_defaults(run=_run_scenario_show)


def _run_scenario_show(args: argparse.Namespace) -> None:
    from .scenario import default_scenario_text, load_scenario

    if args.scenario in ("default", "default.toml"):
        sys.stdout.write(default_scenario_text())
    else:
        sys.stdout.write(load_scenario(args.scenario).to_toml(comments=True))


# ------------------------------------------------------------------ experiments
def _experiment_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("scenario", metavar="SCENARIO|default",
                   help="a scenario TOML file, or 'default' for the shipped scenario")
    p.add_argument("--plan", action="append", default=[], metavar="NAME|FILE",
                   help="a built-in plan name or a .toml plan file (repeat for each plan; the "
                   "first is the baseline)")
    p.add_argument("--replications", type=int, default=20, metavar="N",
                   help="replications per plan (default: 20)")
    p.add_argument("--jobs", type=int, default=1, metavar="J",
                   help="worker processes (default: 1)")
    p.add_argument("--seed", type=int, default=0, help="seed of the experiment (default: 0)")
    p.add_argument("--out", metavar="DIR", help="results folder (default: salessim-results/"
                   "<kind>-<hash>); running the same command again resumes it")
    p.add_argument("--period", choices=["M", "Q", "Y"], default="Q",
                   help="rows per month, quarter (default) or year")
    p.add_argument("--by", choices=["rep", "team", "company"], default="rep",
                   help="rows per rep (default), team or the whole company")
    p.add_argument("--months", type=int, help="override calendar.months")
    p.add_argument("--reps", type=int, help="a team of this many reps, with the lead channels "
                   "and delivery capacity scaled in proportion (--set team.reps=N changes "
                   "the team alone)")
    p.add_argument("--set", action="append", default=[], metavar="PATH=VALUE",
                   help="override a scenario parameter by its dotted path (repeatable)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")


def _add_compare(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "compare",
        help="compare incentive plans over many replications of a scenario",
        description="Run every plan on the same replications of a scenario (common random "
        "numbers), print each KPI's mean per plan and the difference against the first plan "
        "with its 95% range, in plain words (R2.2.1, R2.2.2.1), and write the results "
        "folder. An interrupted run resumes with the same command.",
    )
    _experiment_args(p)
    p.set_defaults(run=_run_experiment, grid=None)


def _add_sweep(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sweep",
        help="compare plans at every point of a grid of scenario parameters",
        description="Like compare, at every combination of the values in a TOML grid file, "
        "e.g. decision.incentive_sensitivity = [0, 0.5, 1] and "
        "fulfilment.capacity_per_day = [12, 16].",
    )
    _experiment_args(p)
    p.add_argument("--grid", required=True, metavar="FILE", help="the grid, a TOML file")
    p.set_defaults(run=_run_experiment)


def _run_experiment(args: argparse.Namespace) -> None:
    from .experiment import experiment_id, load_grid, run_experiment
    from .scenario import load_scenario, parse_assignment

    overrides = dict(parse_assignment(text) for text in args.set)
    if args.months is not None:
        overrides["calendar.months"] = args.months
    scenario = load_scenario(args.scenario)
    if args.reps is not None:
        if args.reps < 1:
            raise UsageError(f"--reps {args.reps}: a team needs at least 1 rep")
        scenario = scenario.with_team(args.reps)
    if overrides:
        scenario = scenario.with_overrides(overrides)
    grid = load_grid(args.grid) if args.grid else None
    plans = args.plan or None
    out = args.out or str(Path("salessim-results") / (f"{args.command}-" + experiment_id(
        scenario, plans, grid, args.seed, args.by, args.period)[:12]))
    try:
        res = run_experiment(scenario, plans, grid, args.replications, args.seed,
                             jobs=args.jobs, progress=not args.no_progress, out=out,
                             by=args.by, period=args.period, kind=args.command)
    except KeyboardInterrupt:
        print(f"finished replications are kept in {out}; run the same command to resume",
              file=sys.stderr)
        raise
    sys.stdout.write(res.format_summary())
    print(f"wrote {out}", file=sys.stderr)


def _add_report(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report",
        help="write a self-contained HTML report of a results folder",
        description="Render the results folder of a compare or sweep run as one HTML file "
        "with its tables and figures embedded, to send to managers.",
    )
    p.add_argument("dir", help="a results folder written by compare or sweep")
    p.add_argument("--out", metavar="FILE", help="the HTML file (default: DIR/report.html)")
    p.set_defaults(run=_run_report)


def _run_report(args: argparse.Namespace) -> None:
    from .experiment.report import write_report

    path = write_report(_existing_dir(args.dir), args.out)
    print(f"wrote {path}", file=sys.stderr)


# ------------------------------------------------------------------ coverage
def _add_coverage(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "coverage",
        help="show which lessons and exercise tasks cover each clause",
        description="Print the clause coverage table of the course (R3.3.1): for every clause "
        "R1 ... R3.3.2, the lessons and exercise tasks that teach it.",
    )
    p.add_argument("--root", default=".", help="the course folder holding notebooks/")
    p.add_argument("--write", metavar="FILE", nargs="?", const="docs/coverage.md",
                   help="write the table to FILE (default docs/coverage.md)")
    p.add_argument("--check", metavar="FILE", nargs="?", const="docs/coverage.md",
                   help="exit 1 if FILE (default docs/coverage.md) is not current")
    p.set_defaults(run=_run_coverage)


def _run_coverage(args: argparse.Namespace) -> int:
    from .coverage import coverage_markdown

    text = coverage_markdown(args.root)
    if args.check:
        current = Path(args.check).read_text(encoding="utf-8") if Path(args.check).exists() else ""
        if current != text:
            print(f"{args.check} is out of date: run 'salessim coverage --write'", file=sys.stderr)
            return 1
        print(f"{args.check} is current", file=sys.stderr)
        return 0
    _write_or_print(text, args.write)
    return 0


# ------------------------------------------------------------------ main
SUBCOMMANDS: tuple[Callable[[argparse._SubParsersAction], None], ...] = (_add_kpi,
                                                                        _add_exercises,
                                                                        _add_payouts,
                                                                        _add_simulate,
                                                                        _add_scenario,
                                                                        _add_compare,
                                                                        _add_sweep,
                                                                        _add_report,
                                                                        _add_coverage)


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
        code = args.run(args)
    except (UsageError, LedgerError, ValidationError, FileNotFoundError, ValueError) as exc:
        print(f"salessim {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"salessim {args.command}: interrupted", file=sys.stderr)
        return 130
    return code or 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
