"""The exercise tasks of lesson 10, the incentive lab (R2.2.2.1, R3.2.1): answers by hand,
every known mistake's hint, and the grading specific to these tasks."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from salessim.exercises import Task, check, get_task, tasks
from salessim.exercises.tasks_10 import (
    CANDIDATES,
    COLLECTION,
    PILOT,
    REVENUE,
    SPIKE_QUARTER,
    candidate_costs,
    spike_practice,
)

LESSON_10 = tasks("10")
T5, T7 = 2.570581835636314, 2.364624251592785  # Student's t, 97.5%, 5 and 7 df (tables)


def _expected(task: Task):
    return task.kind.target(task.evaluate(task.expected))


def test_lesson_10_has_five_tasks():
    assert [t.id for t in LESSON_10] == [f"10.{k}" for k in range(1, 6)]
    assert [type(t.kind).__name__ for t in LESSON_10] == [
        "Choice", "Number", "Number", "Choice", "Number"]
    assert {"R3.2.1", "R2.2.2.1"} <= {c for t in LESSON_10 for c in t.clauses}


# ---------------------------------------------------------------- expected answers by hand
def test_reading_the_revenue_interval_by_hand():
    # differences plan_b - linear: +19, -6, -3, +28, +7, +22, -9, +3 thousand CNY: mean 7,625;
    # sum of squared deviations 1,347.875e6 / 7 -> sd 13,876; half-width t(7) x 13,876 /
    # sqrt(8) = 11,601, so the interval runs from -3,976 to +19,226: it includes 0, "C"
    d = (REVENUE["plan_b"] - REVENUE["linear"]).to_numpy()
    assert d.tolist() == [19_000, -6_000, -3_000, 28_000, 7_000, 22_000, -9_000, 3_000]
    sd = math.sqrt(((d - 7_625) ** 2).sum() / 7)
    assert sd == pytest.approx(13_876.37, abs=0.01)
    assert 7_625 - T7 * sd / math.sqrt(8) == pytest.approx(-3_975.93, abs=0.01)
    assert (d > 0).sum() == 5  # plan B ahead in most replications: the trap of option D
    assert _expected(get_task("10.1")) == "C"


def test_lower_end_by_hand():
    # differences collected - linear: 0.040, 0.095, 0.055, 0.068, 0.110, 0.067: mean 0.0725;
    # squared deviations sum to 0.0033255 -> sd sqrt(0.0033255 / 5) = 0.025790;
    # lower end 0.0725 - t(5) x 0.025790 / sqrt(6) = 0.0725 - 0.027064 = 0.045436
    d = (COLLECTION["collected"] - COLLECTION["linear"]).to_numpy()
    assert d == pytest.approx([0.040, 0.095, 0.055, 0.068, 0.110, 0.067])
    assert ((d - 0.0725) ** 2).sum() == pytest.approx(0.0033255)
    low = 0.0725 - T5 * math.sqrt(0.0033255 / 5) / math.sqrt(6)
    assert _expected(get_task("10.2")) == pytest.approx(low, abs=1e-9)
    assert low == pytest.approx(0.045436, abs=1e-6)


def test_replications_needed_by_hand():
    # pilot differences 13,000, 2,000, 18,000, -3,000, 19,000: mean 9,800, squared deviations
    # 386.8e6 -> sd sqrt(96.7e6) = 9,833.6. With 17 replications t(16) x 9,833.6 / sqrt(17)
    # = 2.1199 x 2,385.0 = 5,056 > 5,000; with 18, t(17) x 9,833.6 / sqrt(18) = 2.1098 x
    # 2,317.8 = 4,890 <= 5,000: 18
    d = (PILOT["plan_b"] - PILOT["linear"]).to_numpy()
    assert d.tolist() == [13_000, 2_000, 18_000, -3_000, 19_000]
    s = math.sqrt(386.8e6 / 4)
    assert d.std(ddof=1) == pytest.approx(s)
    assert 2.119905 * s / math.sqrt(17) > 5_000 >= 2.109816 * s / math.sqrt(18)
    assert _expected(get_task("10.3")) == 18


def test_the_candidates_costs_by_hand():
    # at 130% of 300,000 = 390,000 CNY, the rest on target:
    #   A accelerator 24,000 + 16% x 90,000 = 38,400       B quota bonus 24,000
    #   C 8% x 390,000 = 31,200 (just over 31,000)           D 24,000 + 10% x 90,000 = 33,000,
    #   capped at 31,000   E score 0.4 x 1.3 + 0.6 = 1.12 -> 26,880 + 25% x 2,880 = 27,600
    # the next 10,000 at 120%: A 16%, B nothing, C 8%, D 10%, E 0.4 x 24,000 x 10,000 /
    # 300,000 = 320, x 1.25 (uplift) = 400
    costs = candidate_costs()
    assert costs.index.tolist() == list("ABCDE") == list(CANDIDATES)
    assert costs["pay_at_100"].tolist() == pytest.approx([24_000] * 5)
    assert costs["pay_at_130"].tolist() == pytest.approx([38_400, 24_000, 31_200, 31_000,
                                                          27_600])
    assert costs["next_10k_at_120"].tolist() == pytest.approx([1_600, 0, 800, 1_000, 400])
    assert _expected(get_task("10.4")) == "D"


@pytest.fixture(scope="module")
def run():
    return spike_practice()


def _share(deals: pd.DataFrame, first: str, last: str, start: str, column: str = "amount"):
    inside = deals[deals["signed_on"].between(first, last)]
    return inside.loc[inside["signed_on"] >= start, column].sum() / inside[column].sum()


def test_period_end_share_by_hand(run):
    # Monday to Friday: the last 10 working days of 2026Q2 are 17 June (a Wednesday) to 30
    # June (a Tuesday); the last 9 start on 18 June; the last 10 calendar days on 21 June.
    # 2026Q1's last 10 working days start on 18 March.
    assert run.scenario.calendar.holidays == "weekends"
    deals = run.ledger.deals
    task = get_task("10.5")
    assert _expected(task) == pytest.approx(_share(deals, "2026-04-01", "2026-06-30",
                                                   "2026-06-17"), abs=1e-12)
    value = {m.name: task.evaluate(m.value) for m in task.mistakes}
    assert value["calendar days"] == pytest.approx(
        _share(deals, "2026-04-01", "2026-06-30", "2026-06-21"))
    assert value["nine working days"] == pytest.approx(
        _share(deals, "2026-04-01", "2026-06-30", "2026-06-18"))
    assert value["list price"] == pytest.approx(
        _share(deals, "2026-04-01", "2026-06-30", "2026-06-17", "list_amount"))
    half = deals[deals["signed_on"] <= "2026-06-30"]
    late = half["signed_on"].between("2026-03-18", "2026-03-31") | \
        half["signed_on"].between("2026-06-17", "2026-06-30")
    assert value["both quarters"] == pytest.approx(half.loc[late, "amount"].sum()
                                                   / half["amount"].sum())
    q2 = deals[deals["signed_on"].between("2026-04-01", "2026-06-30")]
    assert value["count of deals"] == pytest.approx((q2["signed_on"] >= "2026-06-17").mean())
    assert SPIKE_QUARTER == "2026Q2"


# ---------------------------------------------------------------- every known mistake
@pytest.mark.parametrize("task", LESSON_10, ids=lambda t: t.id)
def test_every_known_mistake_gets_its_targeted_hint(task):
    assert task.mistakes
    for mistake in task.mistakes:
        fb = check(task.id, task.evaluate(mistake.value))
        assert fb.status == "wrong" and fb.mistake == mistake.name, (mistake.name, str(fb))
        assert fb.message == mistake.hint


@pytest.mark.parametrize("task", LESSON_10, ids=lambda t: t.id)
def test_every_trap_gives_its_own_value(task):
    values = [_expected(task)]
    for mistake in task.mistakes:
        value = task.kind.target(task.evaluate(mistake.value))
        tol = task.tolerance if mistake.tolerance is None else mistake.tolerance
        assert not any(task.kind.same(value, v, tol) for v in values), mistake.name
        values.append(value)


# ---------------------------------------------------------------- grading of these tasks
def test_the_interval_and_the_replications_must_be_right_not_close():
    low = _expected(get_task("10.2"))
    assert check("10.2", low + 0.0004).passed and check("10.2", np.float64(low)).passed
    assert not check("10.2", low + 0.0008).passed
    assert check("10.3", 18).passed and check("10.3", 18.0).passed
    assert not check("10.3", 19).passed and not check("10.3", 17.6).passed


def test_letters_are_read_loosely_and_other_letters_explained():
    assert check("10.1", " c ").passed and check("10.4", "(d)").passed
    fb = check("10.4", "F")
    assert fb.status == "wrong type" and "A, B, C, D, E" in fb.message
