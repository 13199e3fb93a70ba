"""Reproducibility: same seed, same ledger bytes; common random numbers across scenarios."""

from __future__ import annotations

import gc
import subprocess
import sys
import types

import pandas as pd
import pytest

from salessim import Scenario, simulate
from salessim.ledger import TABLES

ARGS = ["--seed", "7", "--months", "2", "--reps", "3", "--set", "channels.web.rate_per_day=15"]
LEAD_COLUMNS = ["lead_id", "created_on", "channel", "industry", "company_size", "region",
                "budget", "score", "qualified"]


def cli_run(out) -> None:
    res = subprocess.run([sys.executable, "-m", "salessim.cli", "simulate", "default",
                          "--out", str(out), *ARGS], capture_output=True, text=True,
                         timeout=300)
    assert res.returncode == 0, res.stderr


def test_same_seed_gives_byte_identical_files_in_fresh_processes(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    cli_run(a)
    cli_run(b)
    files = sorted(p.name for p in a.iterdir())
    assert files == sorted(f"{t}.csv" for t in TABLES if t != "promotions")
    for name in files:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    # ... and the same as this process gives.
    # --reps scales the business with the team; --set and --months apply after it.
    scenario = Scenario().with_team(3).with_overrides({"calendar.months": 2,
                                                       "channels.web.rate_per_day": 15.0})
    here = simulate(scenario, seed=7)
    c = here.ledger.to_csv_dir(tmp_path / "c")
    for name in files:
        assert (c / name).read_bytes() == (a / name).read_bytes(), name
    assert len(here.ledger.deals) > 10


def test_different_seeds_give_different_ledgers():
    s = Scenario(calendar={"months": 2}, team={"reps": 3})
    one, two = simulate(s, seed=1).ledger, simulate(s, seed=2).ledger
    assert not one.leads["created_on"].equals(two.leads["created_on"])
    assert not one.deals["amount"].equals(two.deals["amount"])


def _not_referred(run) -> pd.DataFrame:
    leads = run.ledger.leads
    return leads.loc[leads["channel"] != "referral", LEAD_COLUMNS].reset_index(drop=True)


def test_changing_fulfilment_capacity_leaves_the_lead_stream_alone():
    base = Scenario(calendar={"months": 3})
    other = base.with_overrides({"fulfilment.capacity_per_day": 3.0,
                                 "after_sales.revisit_interval_days": 10.0})
    a, b = simulate(base, seed=4), simulate(other, seed=4)
    pd.testing.assert_frame_equal(_not_referred(a), _not_referred(b))
    # ... while what happens downstream does change.
    assert not a.ledger.activities.equals(b.ledger.activities)
    assert a.trace.query("event == 'order_queued'")["value"].mean() < \
        b.trace.query("event == 'order_queued'")["value"].mean()


def test_a_longer_run_starts_with_the_same_leads():
    short = simulate(Scenario(calendar={"months": 2}), seed=9)
    long = simulate(Scenario(calendar={"months": 4}), seed=9)
    s, lg = _not_referred(short), _not_referred(long)
    web = lambda df: df[df["channel"] == "web"].reset_index(drop=True)  # noqa: E731
    pd.testing.assert_frame_equal(web(s), web(lg).iloc[:len(web(s))])


def test_reps_keep_their_skill_and_level_when_the_team_grows():
    small = simulate(Scenario(team={"reps": 3}, calendar={"months": 1}), seed=3).ledger.reps
    large = simulate(Scenario(team={"reps": 6}, calendar={"months": 1}), seed=3).ledger.reps
    pd.testing.assert_series_equal(small["hired_on"], large["hired_on"].iloc[:3])


def test_simulate_does_not_touch_its_scenario():
    s = Scenario(calendar={"months": 1})
    before = s.to_dict()
    simulate(s, seed=1)
    assert s.to_dict() == before


def test_seed_must_be_a_whole_number_at_least_zero():
    with pytest.raises(ValueError, match="seed must be a whole number >= 0"):
        simulate(Scenario(calendar={"months": 1}), seed=-1)
    with pytest.raises(TypeError, match="seed must be a whole number"):
        simulate(Scenario(calendar={"months": 1}), seed=1.5)


def test_a_kept_run_holds_its_customers_and_invoices_as_arrays_not_objects():
    # A finished model keeps only the fields the ledger and the trace read, as arrays:
    # a kept result is then a few objects for the garbage collector to scan, not one per
    # customer and invoice, and every table and the trace still has them all.
    from salessim.model.aftersales import Customer
    from salessim.model.payments import Invoice

    def alive() -> int:
        return sum(isinstance(o, Customer | Invoice) for o in gc.get_objects())

    gc.collect()
    gc.disable()
    try:
        before = alive()
        run = simulate({"team": {"reps": 3}, "calendar": {"months": 4}}, seed=1)
        kept = alive() - before
    finally:
        gc.enable()
    assert kept == 0
    L, tr = run.ledger, run.trace
    assert len(L.customers) > 0 and len(L.invoices) > len(L.customers)
    assert (tr["event"] == "invoice").sum() == len(L.invoices)
    won = tr.loc[tr["event"] == "won", "lead_id"]
    assert sorted(won) == sorted(L.customers["lead_id"])
    active = run.daily["active_customers"]
    assert 0 < active.max() <= len(L.customers) and active.iloc[0] == 0


def test_a_kept_run_holds_no_list_as_long_as_its_leads():
    # The collector goes through every item of a list it scans. A finished model keeps the
    # leads' times as arrays and lets the inboxes, task handlers and drawn-ahead referrals
    # go, so no container it holds grows with the number of leads (at 1,000 reps these
    # were lists of a million items, scanned again by each of the first collections).
    run = simulate(Scenario(calendar={"months": 3}).with_team(40), seed=2)
    n_leads = len(run.ledger.leads)
    seen, todo, longest = set(), [run._model], 0
    while todo:  # what the model holds, not what its functions' modules hold
        obj = todo.pop()
        if (id(obj) in seen or not gc.is_tracked(obj)
                or isinstance(obj, type | types.ModuleType)):
            continue
        seen.add(id(obj))
        if isinstance(obj, list | tuple | dict | set):
            longest = max(longest, len(obj))
        if isinstance(obj, types.FunctionType):
            todo.extend(obj.__closure__ or ())
        else:
            todo.extend(gc.get_referents(obj))
    assert n_leads > 4_000
    assert longest < n_leads / 4
    led = run.ledger.leads
    assert led["first_contact_on"].notna().sum() > 0 and led["closed_on"].notna().sum() > 0


def test_a_dropped_run_is_freed_at_once_without_the_garbage_collector():
    # Work still queued at the horizon and the invoices of open accounts point back at
    # their reps and customers; the model lets them go when it ends, so a dropped run is
    # freed by reference counting alone (long sessions and experiments keep little memory
    # and no long collections).
    from salessim.model.aftersales import Customer
    from salessim.model.payments import Invoice
    from salessim.model.reps import Rep

    def alive() -> int:
        return sum(isinstance(o, Customer | Invoice | Rep) for o in gc.get_objects())

    gc.collect()
    gc.disable()
    try:
        before = alive()
        run = simulate({"team": {"reps": 3}, "calendar": {"months": 4}}, seed=1)
        assert len(run.ledger.customers) > 0 and alive() > before
        del run
        left = alive() - before
    finally:
        gc.enable()
    assert left == 0
