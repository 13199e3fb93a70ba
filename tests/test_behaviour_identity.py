"""At incentive sensitivity 0 the plan changes nothing but the pay (R2.2.2.1).

Reps that give pay no weight follow the regulation's procedure whatever the plan, so every
plan, the procedure rule and the pay-aware rule at ``s = 0`` must write byte-identical
ledgers, apart from the ``payouts`` table.
"""

from __future__ import annotations

import pytest

from salessim import Scenario, simulate
from salessim.effects import NEW_LOGOS
from salessim.incentives import BUILTIN_PLANS
from salessim.scenario import ScenarioError

PLANS = [*BUILTIN_PLANS, NEW_LOGOS]


def _files(run, folder) -> dict[str, bytes]:
    out = run.ledger.to_csv_dir(folder)
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


@pytest.fixture(scope="module")
def ledgers(tmp_path_factory):
    base = Scenario().with_team(4).with_overrides({"calendar.months": 3})
    out = {}
    for plan in PLANS:
        name = plan if isinstance(plan, str) else plan["name"]
        run = simulate(base.with_overrides({"plan": plan}), seed=11)
        out[name] = _files(run, tmp_path_factory.mktemp(name))
    run = simulate(base.with_overrides({"decision.rule": "procedure"}), seed=11)
    out["procedure rule"] = _files(run, tmp_path_factory.mktemp("procedure"))
    return out


def test_every_plan_gives_the_same_ledger_bytes_apart_from_payouts(ledgers):
    reference = ledgers["linear"]
    assert "payouts.csv" in reference and len(reference) == 9
    for name, files in ledgers.items():
        assert sorted(files) == sorted(reference), name
        for table, data in files.items():
            if table != "payouts.csv":
                assert data == reference[table], f"{name}: {table} differs"


def test_the_plans_do_pay_differently(ledgers):
    # the comparison above would pass trivially if the plan were ignored altogether
    pays = {name: files["payouts.csv"] for name, files in ledgers.items()}
    assert len({pays[p] for p in ("linear", "quota_bonus", "collected", "new_logos")}) == 4
    assert pays["procedure rule"] == pays["linear"]


def test_sensitivity_above_zero_changes_the_ledger():
    base = Scenario().with_team(3).with_overrides({"calendar.months": 3, "plan": "collected"})
    a = simulate(base, seed=2).ledger
    b = simulate(base.with_overrides({"decision.incentive_sensitivity": 0.8}), seed=2).ledger
    # paid on cash, pay-aware reps keep calling; paid on nothing else, they drop feedback calls
    acts_a, acts_b = a.activities["task"].value_counts(), b.activities["task"].value_counts()
    assert acts_b.get("feedback", 0) < acts_a.get("feedback", 0)


def test_the_procedure_rule_refuses_a_sensitivity():
    with pytest.raises(ScenarioError, match="decision.incentive_sensitivity: 0.5 is not allowed"
                       " with decision.rule = \"procedure\""):
        Scenario(decision={"rule": "procedure", "incentive_sensitivity": 0.5})
