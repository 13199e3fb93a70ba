"""Plan comparisons and sweeps (salessim.experiment): rows, summaries, words, results folders.

Replication i of every plan uses the same seed (common random numbers); each row is checked
against the replication simulated again on its own, and the summaries against hand-computed
means and intervals (R2.2.1 KPIs, R2.2.2.1 pay).
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from salessim import Scenario, kpi, simulate
from salessim.calendar import WorkCalendar
from salessim.experiment import (
    KPIS,
    ConfigMismatchError,
    Results,
    compare,
    load_grid,
    load_results,
    replication_seeds,
    sweep,
)
from salessim.experiment.metrics import measure, working_day_of_period, working_days_left
from salessim.experiment.stats import t_quantile
from salessim.incentives import PlanError, payouts
from salessim.scenario import ScenarioError

SMALL = Scenario().with_overrides({"team.reps": 3, "calendar.months": 3,
                                   "decision.incentive_sensitivity": 0.0})
PLANS = ["linear", "quota_bonus"]


@pytest.fixture(scope="module")
def res() -> Results:
    return compare(SMALL, PLANS, replications=3, seed=11, progress=False)


# ------------------------------------------------------------------ seeds
def test_replication_seeds_do_not_depend_on_the_count_and_differ():
    assert replication_seeds(11, 3) == replication_seeds(11, 5)[:3]
    many = replication_seeds(0, 200)
    assert len(set(many)) == 200
    assert all(0 <= s < 2**63 for s in many)
    assert replication_seeds(0, 3) != replication_seeds(1, 3)
    with pytest.raises(ValueError, match="seed must be a whole number >= 0"):
        replication_seeds(-1, 3)


# ------------------------------------------------------------------ rows
def test_tidy_table_has_one_row_per_plan_replication_period_and_rep(res):
    d = res.data
    # 2 plans x 3 replications x 1 quarter (3 months simulated) x 3 reps
    assert len(d) == 2 * 3 * 1 * 3
    assert list(d.columns[:6]) == ["point", "plan", "replication", "seed", "period", "rep_id"]
    assert set(KPIS) <= set(d.columns)
    assert d["plan"].unique().tolist() == PLANS
    assert set(d["period"]) == {"2026Q1"}
    assert not d.duplicated(["plan", "replication", "period", "rep_id"]).any()
    # common random numbers: replication i has the same seed under every plan
    seeds = replication_seeds(11, 3)
    assert (d["seed"] == d["replication"].map(dict(enumerate(seeds)))).all()


def test_every_row_matches_its_replication_run_on_its_own(res):
    seed = replication_seeds(11, 3)[1]
    run = simulate(SMALL.with_overrides({"plan": "quota_bonus"}), seed=seed)
    rows = res.data[(res.data["plan"] == "quota_bonus") & (res.data["replication"] == 1)]
    rows = rows.set_index("rep_id")
    rev = kpi.revenue(run.ledger, "Q", "rep").query("period == '2026Q1'").set_index("rep_id")
    assert rows["revenue"].to_dict() == rev["revenue"].to_dict()
    pay = payouts(run.ledger, "quota_bonus", period="Q").query("period == '2026Q1'")
    assert rows["pay"].to_dict() == pytest.approx(pay.groupby("rep_id")["amount"].sum()
                                                  .to_dict())
    deals = run.ledger.deals
    assert rows["mean_discount"].to_dict() == pytest.approx(
        deals.groupby("rep_id")["discount"].mean().to_dict())
    # last 10 working days of 2026Q1, counted directly on the run's working dates
    working = pd.to_datetime(run.calendar.dates)
    last10 = working[working <= pd.Timestamp("2026-03-31")][-10:]
    late = deals[deals["signed_on"] >= last10[0]].groupby("rep_id")["amount"].sum()
    assert rows["period_end_revenue"].to_dict() == pytest.approx(
        late.reindex(rows.index, fill_value=0.0).to_dict())
    assert rows["period_end_share"].to_dict() == pytest.approx(
        (late.reindex(rows.index, fill_value=0.0) / rows["revenue"]).to_dict())
    orders = run.trace[run.trace["event"] == "order_queued"]
    assert rows["delivery_delay"].to_dict() == pytest.approx(
        orders.groupby("rep_id")["value"].mean().to_dict())
    assert (rows["cost_of_sales"] == rows["pay"] / rows["revenue"]).all()


def test_plans_that_do_not_change_behaviour_differ_only_in_pay(res):
    d = res.data.set_index(["replication", "rep_id"])
    a, b = d[d["plan"] == "linear"], d[d["plan"] == "quota_bonus"]
    assert_frame_equal(a[["revenue", "new_customers", "mean_discount"]],
                       b[["revenue", "new_customers", "mean_discount"]])
    assert not np.allclose(a["pay"], b["pay"])


def test_company_rows_are_the_sum_of_the_rep_rows(res):
    co = compare(SMALL, PLANS, replications=3, seed=11, progress=False, by="company")
    assert len(co.data) == 2 * 3
    assert "rep_id" not in co.data.columns
    sums = res.data.groupby(["plan", "replication"], sort=False)[["revenue", "pay"]].sum()
    got = co.data.set_index(["plan", "replication"])[["revenue", "pay"]]
    assert got.to_numpy() == pytest.approx(sums.loc[got.index].to_numpy())


def test_a_period_longer_than_the_run_is_refused():
    run = simulate(SMALL.with_overrides({"calendar.months": 2}), seed=1)
    with pytest.raises(ValueError, match="holds no whole period 'Q'"):
        measure(run, __import__("salessim").load_plan("linear"), "Q")


def test_working_days_counted_on_the_calendar():
    cal = WorkCalendar(dt.date(2026, 1, 1), 3, "weekends")
    # March 2026 ends on Tuesday 31st; its last 10 Monday-to-Friday days run from Wed 18th.
    days = ["2026-03-31", "2026-03-30", "2026-03-28", "2026-03-18", "2026-03-17"]
    assert working_days_left(days, cal, "Q").tolist() == [1, 2, 2, 10, 11]
    # 2026-01-01 is a Thursday: Thu 1 is day 1, Fri 2 day 2, Mon 5 day 3.
    assert working_day_of_period(["2026-01-01", "2026-01-02", "2026-01-05"], cal,
                                 "Q").tolist() == [1, 2, 3]


# ------------------------------------------------------------------ summaries
def _hand_results(values: dict[str, list[list[float]]], pay: dict[str, list[list[float]]]
                  | None = None) -> Results:
    """Results with the given revenue per plan, replication and rep (other KPIs 0)."""
    rows = []
    for plan, reps in values.items():
        for r, revenues in enumerate(reps):
            for i, v in enumerate(revenues):
                row = dict.fromkeys(KPIS, 0.0)
                row.update(point=0, plan=plan, replication=r, seed=r, period="2026Q1",
                           rep_id=f"R{i}", revenue=float(v),
                           pay=float(pay[plan][r][i]) if pay else 0.0)
                rows.append(row)
    data = pd.DataFrame(rows)[["point", "plan", "replication", "seed", "period", "rep_id",
                               *KPIS]]
    config = {"plans": [{"name": p} for p in values], "by": "rep", "period": "Q",
              "replications": len(next(iter(values.values()))), "grid": {}, "seed": 0,
              "scenario": {"name": "hand"}}
    return Results(data, config)


HAND = _hand_results({"A": [[100, 300], [300, 500]], "B": [[150, 350], [390, 530]]},
                     pay={"A": [[10, 30], [30, 50]], "B": [[15, 35], [40, 60]]})


def test_replication_values_are_row_means_and_cost_of_sales_a_ratio_of_totals():
    per = HAND.per_replication(["revenue", "pay", "cost_of_sales"]).set_index(
        ["plan", "replication"])
    # A: (100 + 300) / 2 = 200 and (300 + 500) / 2 = 400; B: 250 and 460
    assert per["revenue"].tolist() == [200.0, 400.0, 250.0, 460.0]
    # cost of sales: total pay / total revenue, e.g. B rep 1: 100 / 920
    assert per["cost_of_sales"].tolist() == pytest.approx([0.1, 0.1, 0.1, 100 / 920])


def test_summary_hand_computed():
    s = HAND.summary(["revenue"]).set_index("plan")
    # A: 200, 400 -> mean 300, s = 141.421, half-width t(0.975, 1) * 141.421 / sqrt(2)
    #    = 12.706205 * 100 = 1270.6205
    assert s.loc["A", "mean"] == 300.0
    assert s.loc["A", "half_width"] == pytest.approx(1270.6205, abs=1e-3)
    assert s.loc["A", "n"] == 2


def test_differences_are_paired_and_narrower_than_unpaired():
    d = HAND.differences(kpis=["revenue"]).iloc[0]
    # B - A per replication: 50 and 60 -> mean 55, s = 7.0711, half-width
    # 12.706205 * 7.0711 / sqrt(2) = 63.531
    assert (d["plan"], d["baseline"], d["difference"]) == ("B", "A", 55.0)
    assert d["half_width"] == pytest.approx(63.531, abs=1e-3)
    assert d["verdict"] == "not clearly different"
    u = HAND.differences(kpis=["revenue"], paired=False).iloc[0]
    assert u["difference"] == 55.0 and u["half_width"] > 5 * d["half_width"]


def test_replications_needed_from_the_pilot():
    n = HAND.replications_needed({"revenue": 100.0}).set_index(["plan", "estimate"])
    # A's replications 200, 400: s = 141.421 = 100 sqrt(2); as in test_stats, n = 11:
    # t(0.975, 10) sqrt(2/11) = 0.950 <= 1 while t(0.975, 9) sqrt(2/10) = 1.012 > 1.
    s = math.sqrt(20000)
    want = next(k for k in range(2, 100) if t_quantile(0.975, k - 1) * s / math.sqrt(k) <= 100)
    assert n.loc[("A", "mean"), "replications_needed"] == want == 11
    # the difference B - A (50, 60; s = 7.07) needs only 2
    assert n.loc[("B", "difference vs A"), "replications_needed"] == 2


def test_summary_in_plain_words():
    clear = _hand_results({"A": [[1000], [2000], [3000]], "B": [[2000], [3010], [3990]]})
    text = clear.format_summary(kpis=["revenue"])
    line = next(x for x in text.splitlines() if x.startswith("Revenue per rep-quarter"))
    # means 2,000 vs 3,000; differences 1000, 1010, 990 -> +1,000 (range 975 to 1,025)
    assert line.startswith("Revenue per rep-quarter: B 3,000 CNY vs A 2,000 CNY; "
                           "difference +1,000 CNY (95% range")
    assert line.endswith(": clearly higher)")
    assert "paired" in text and "95% range" in text
    vague = _hand_results({"A": [[1000], [2000], [3000]], "B": [[900], [2100], [3050]]})
    assert "not clearly different" in vague.format_summary(kpis=["revenue"])
    same = _hand_results({"A": [[1000], [2000]], "B": [[1000], [2000]]})
    assert "the same in every replication" in same.format_summary(kpis=["revenue"])


# ------------------------------------------------------------------ set-up errors
def test_bad_plans_and_arguments_are_refused():
    with pytest.raises(ValueError, match="given twice"):
        compare(SMALL, ["linear", "linear"], replications=1, progress=False)
    with pytest.raises(PlanError, match="nope"):
        compare(SMALL, ["linear", "nope"], replications=1, progress=False)
    with pytest.raises(ValueError, match="replications must be a whole number >= 1"):
        compare(SMALL, ["linear"], replications=0, progress=False)
    with pytest.raises(ValueError, match="by must be one of"):
        compare(SMALL, ["linear"], replications=1, progress=False, by="region")


def test_grid_values_are_checked_before_any_work():
    with pytest.raises(ScenarioError, match="fulfilment.capacity_per_day"):
        sweep(SMALL, {"fulfilment.capacity_per_day": [5, -1]}, replications=1, progress=False)
    with pytest.raises(ScenarioError, match="plans are compared with plans="):
        sweep(SMALL, {"plan": ["linear"]}, replications=1, progress=False)
    with pytest.raises(ScenarioError, match="non-empty list"):
        sweep(SMALL, {"team.reps": 3}, replications=1, progress=False)


def test_load_grid_reads_dotted_keys_and_tables(tmp_path):
    f = tmp_path / "grid.toml"
    f.write_text('"decision.incentive_sensitivity" = [0, 0.5]\n'
                 "fulfilment.capacity_per_day = [8, 16]\n", encoding="utf-8")
    assert load_grid(f) == {"decision.incentive_sensitivity": [0, 0.5],
                            "fulfilment.capacity_per_day": [8, 16]}
    g = tmp_path / "g2.toml"
    g.write_text("[grid]\nteam.reps = [2, 3]\n", encoding="utf-8")
    assert load_grid(g) == {"team.reps": [2, 3]}
    bad = tmp_path / "bad.toml"
    bad.write_text("team.reps = 3\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"team.reps: 3 is not allowed: give a non-empty"):
        load_grid(bad)


# ------------------------------------------------------------------ sweeps
def test_sweep_shares_seeds_across_points_and_moves_delivery_delay():
    grid = {"fulfilment.capacity_per_day": [0.5, 50.0]}
    sw = sweep(SMALL, grid, plans="linear", replications=2, seed=3, progress=False)
    d = sw.data
    assert list(d.columns[:3]) == ["point", "fulfilment.capacity_per_day", "plan"]
    assert len(d) == 2 * 2 * 3
    seeds = d.groupby("point")["seed"].apply(lambda s: sorted(set(s)))
    assert seeds.iloc[0] == seeds.iloc[1] == sorted(replication_seeds(3, 2))
    # one order started every 2 working days cannot keep up with three reps' sales
    s = sw.summary(["delivery_delay"]).set_index("fulfilment.capacity_per_day")["mean"]
    assert s.loc[0.5] > 5.0 > 0.5 > s.loc[50.0]


# ------------------------------------------------------------------ results folders
def test_results_folder_round_trip_and_extension(tmp_path):
    out = tmp_path / "run"
    two = compare(SMALL, PLANS, replications=2, seed=11, progress=False, out=out)
    parts = {p.name: p.stat().st_mtime_ns for p in (out / "parts").iterdir()}
    (out / "parts" / ".p00000-k000-r000009-000010.parquet.1234.tmp").write_bytes(b"junk")
    three = compare(SMALL, PLANS, replications=3, seed=11, progress=False, out=out)
    after = {p.name: p.stat().st_mtime_ns for p in (out / "parts").iterdir()}
    assert {k: after[k] for k in parts} == parts  # finished parts were not redone
    assert not any(name.endswith(".tmp") for name in after)  # a killed writer's leftovers
    assert sorted(set(after) - set(parts)) == ["p00000-k000-r000002-000003.parquet",
                                               "p00000-k001-r000002-000003.parquet"]
    fresh = compare(SMALL, PLANS, replications=3, seed=11, progress=False)
    assert_frame_equal(three.data, fresh.data, check_exact=True)
    assert_frame_equal(two.data, fresh.data[fresh.data["replication"] < 2]
                       .reset_index(drop=True), check_exact=True)
    assert_frame_equal(load_results(out).data, fresh.data, check_exact=True)
    assert_frame_equal(pd.read_parquet(out / "results.parquet"), fresh.data, check_exact=True)
    assert three.path == out and load_results(out).complete
    again = compare(SMALL, PLANS, replications=2, seed=11, progress=False, out=out)
    assert_frame_equal(again.data, two.data, check_exact=True)  # a subset, nothing redone
    assert again.complete and sorted(p.name for p in (out / "parts").iterdir()) == sorted(after)


def test_a_folder_of_another_experiment_is_refused(tmp_path):
    out = tmp_path / "run"
    compare(SMALL, ["linear"], replications=1, seed=1, progress=False, out=out)
    with pytest.raises(ConfigMismatchError, match=r"different experiment.*differs in: seed"):
        compare(SMALL, ["linear"], replications=1, seed=2, progress=False, out=out)
    with pytest.raises(ConfigMismatchError, match="differs in: plans"):
        compare(SMALL, ["quota_bonus"], replications=1, seed=1, progress=False, out=out)
    with pytest.raises(ConfigMismatchError, match="differs in: scenario"):
        compare(SMALL.with_overrides({"team.reps": 2}), ["linear"], replications=1, seed=1,
                progress=False, out=out)


# ------------------------------------------------------------------ progress
def test_progress_bar_only_when_asked_and_long(capsys, monkeypatch):
    from salessim.experiment import runner

    compare(SMALL, PLANS, replications=2, seed=1, progress=False)
    assert capsys.readouterr().err == ""
    # asked, but the runs end before the bar's delay: no bar
    monkeypatch.setattr(runner, "PROGRESS_DELAY", 3600.0)
    compare(SMALL, PLANS, replications=2, seed=1, progress=True)
    assert capsys.readouterr().err == ""
    # asked, and the runs outlast the delay: a bar counting every run
    monkeypatch.setattr(runner, "PROGRESS_DELAY", 0.0)
    compare(SMALL, PLANS, replications=3, seed=1, progress=True)
    err = capsys.readouterr().err
    assert "6/6" in err and "run" in err
