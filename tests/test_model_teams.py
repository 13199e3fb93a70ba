"""Several sales teams: each with its own delivery line and referrals, run one after another
(R2.1.4.1, R2.3.2).

A company of several teams is simulated team by team when its teams work apart (no shared
lead pool, no company-wide reviews). These tests check that this gives the results of
running all teams side by side, that each team's orders queue on a delivery line with its
share of the capacity, and that the ledger is valid and reproducible.
"""

from __future__ import annotations

import gc
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from salessim import Scenario, simulate
from salessim.model import careers
from salessim.model.aftersales import Customer
from salessim.model.engine import Model
from salessim.model.payments import Invoice
from salessim.validation import validate

# Two teams of three reps; a delivery team of 2 orders a working day, so orders queue,
# 1 a day for each team; referrals likely, so that each team's referral stream is used.
TWO_TEAMS = Scenario().with_team(6).with_overrides({
    "team.team_size": 3, "calendar.months": 4, "fulfilment.capacity_per_day": 2.0,
    "channels.referral.probability": 0.5,
})


def _rows(run):
    """The ledger's facts, per rep and in time, without the ledger's numbering."""
    led = run.ledger
    tables = {"deals": (led.deals, ["rep_id", "signed_on", "amount", "kind"]),
              "activities": (led.activities, ["rep_id", "started_at", "ended_at", "task"]),
              "orders": (run.orders, ["rep_id", "signed_on", "queue_days"]),
              "leads": (led.leads, ["rep_id", "created_on", "channel", "score", "outcome"])}
    return {name: sorted(map(tuple, df[cols].to_numpy(dtype=object).astype(str)))
            for name, (df, cols) in tables.items()}


@pytest.fixture(scope="module")
def apart():
    return simulate(TWO_TEAMS, seed=4)


def test_teams_run_one_after_another_give_the_results_of_running_together(apart,
                                                                           monkeypatch):
    # Quarterly reviews make the model run every team in one SimPy environment; pretending
    # there are reviews (none is held: promotion and recognition are off) forces that.
    monkeypatch.setattr(careers, "reviewing", lambda m: True)
    together = simulate(TWO_TEAMS, seed=4)
    assert (apart.ledger.leads["channel"] == "referral").sum() > 5
    a, b = _rows(apart), _rows(together)
    for table in a:
        assert a[table] == b[table], table
    # Run apart, the model stores each team's leads together; the drawn leads keep their
    # ids, rows and everything the ledger says of them (referred leads are numbered as
    # they come, so team by team when run apart).
    drawn = [run.ledger.leads.query("channel != 'referral'").reset_index(drop=True)
             for run in (apart, together)]
    assert apart._model.L_orig is not None and together._model.L_orig is None
    pd.testing.assert_frame_equal(drawn[0], drawn[1])


def test_reps_weighing_rate_measures_act_alike_apart_and_together(monkeypatch):
    # Under the regulation's plan (retention and collection gates, R2.2.2.1) pay-aware reps
    # estimate each period's rates from their customers at its start: run apart, each team
    # must make those estimates from its own customers, as it would beside the others.
    s = TWO_TEAMS.with_overrides({"calendar.months": 7, "plan": "regulation",
                                  "decision.incentive_sensitivity": 0.8})
    apart = simulate(s, seed=4)
    monkeypatch.setattr(careers, "reviewing", lambda m: True)
    together = simulate(s, seed=4)
    a, b = _rows(apart), _rows(together)
    for table in a:
        assert a[table] == b[table], table


def test_each_team_queues_on_its_own_share_of_the_delivery_capacity(apart):
    m = Model(TWO_TEAMS, 4, tracing=False).run()
    lines = m.lines
    assert sorted(lines) == ["T01", "T02"]
    team_of = {r.idx: r.team for r in m.reps}
    deals = np.frombuffer(m.deals, dtype=float).reshape(-1, 7)
    for team, line in lines.items():
        assert line.gap == pytest.approx(1.0)  # 2 orders a day between two equal teams
        started = np.array(line.started)
        assert len(started) > 50 and np.all(np.diff(started) >= 1.0 - 1e-9)
        assert {team_of[int(deals[d, 1])] for d in line.deals} == {team}
    # the orders queued: with one line for the whole company they would not wait as long
    assert apart.orders["queue_days"].max() > 1.0


def test_each_team_lets_its_customers_and_invoices_go_when_it_ends(apart, monkeypatch):
    # A large company is run team by team so that one team's memory serves the next: when
    # a team starts, no customer or invoice of an earlier team is still an object (their
    # fields are kept as arrays), and the numbering goes on from the earlier teams.
    alive = []
    start = careers.start

    def counting(m):
        gc.collect()
        ours = {id(r) for r in m.reps}  # (other tests may hold customers of their own)
        alive.append((sum(isinstance(o, (Customer, Invoice)) and id(o.rep) in ours
                          for o in gc.get_objects()), m.customers_before))
        start(m)

    monkeypatch.setattr(careers, "start", counting)
    m = Model(TWO_TEAMS, 4, tracing=False).run()
    assert alive[0] == (0, 0) and alive[1][0] == 0
    first = int(np.sum(m.customer_table["rep"] < 3))  # the first team's reps are 0-2
    assert alive[1][1] == first > 10
    assert np.array_equal(m.customer_table["rep"][:first] < 3, np.ones(first, dtype=bool))
    inv = m.invoice_table
    assert np.array_equal(inv["rep"], m.customer_table["rep"][inv["cust"]])


def test_a_company_of_teams_gives_a_valid_ledger(apart):
    assert validate(apart.ledger) == []
    assert apart.ledger.reps["team"].nunique() == 2


def test_a_company_of_teams_is_reproduced_in_a_new_process(tmp_path):
    outs = []
    for k in range(2):
        out = tmp_path / f"run{k}"
        subprocess.run([sys.executable, "-c", "from salessim.cli import main; main()",
                        "simulate", "default", "--reps", "25", "--months", "2", "--seed", "7",
                        "--out", str(out)], check=True, capture_output=True)
        outs.append(out)
    files = sorted(p.name for p in outs[0].iterdir())
    assert "deals.csv" in files
    for name in files:
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name
