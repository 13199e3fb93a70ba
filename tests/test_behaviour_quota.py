"""F1 and F4 (giving up): a quarterly quota bonus and pay-aware reps (R2.2.2.1).

Oyer (1998): under a quota bonus sales bunch at the end of the bonus period, at lower
prices. Chung, Steenburgh & Sudhir (2014): reps with no chance of the quota give up.

The lower prices come from reps within reach of the quota: winning a deal is worth the
rise in their chance of the bonus, nearly whatever its amount, so they give more off to
win it, and a deal pulled into the quarter carries ``decision.pull_discount`` more
(``test_behaviour_rule.py`` checks both deal by deal). Reps above the quota or out of reach,
to whom the deal is worth nothing, price it by the procedure.
Replication ``i`` of both plans uses seed ``i`` (common random numbers); effects are paired
differences with their 95% confidence intervals (:func:`salessim.experiment.paired_ci`), on
the business of :func:`salessim.effects.behaviour_scenario` (6 reps, 9 months, steady
web demand, reps at incentive sensitivity 0.8; the first quarter fills the pipeline and is
not analysed).
"""

from __future__ import annotations

import numpy as np
import pytest

from salessim import effects
from salessim.experiment import mean_ci, paired_ci

# replications for F1: its effects are about 3 points of share and 1 point of discount,
# the sd of one paired difference about 2 points and 1 point: 16 replications put the 95%
# intervals' half-widths near 1 point and half a point
STEADY = 16
BEHIND = 6


@pytest.fixture(scope="module")
def steady():
    keys = [("steady", "linear"), ("steady", "quota_bonus")]
    return [effects.run_settings(keys, seed) for seed in range(STEADY)]


@pytest.fixture(scope="module")
def stretching():
    keys = [("stretching quota", "linear"), ("stretching quota", "quota_bonus")]
    return [effects.run_settings(keys, seed) for seed in range(BEHIND)]


def _push(runs, plan):
    return np.array([effects.period_end_push(r["steady", plan]) for r in runs])


def test_f1_quota_bonus_bunches_revenue_in_the_last_ten_working_days(steady):
    linear, quota = _push(steady, "linear")[:, 0], _push(steady, "quota_bonus")[:, 0]
    diff = paired_ci(linear, quota)
    assert diff.low > 0, diff  # the 95% interval of the rise lies above 0


def test_f1_and_the_discount_on_those_deals_is_deeper(steady):
    linear, quota = _push(steady, "linear")[:, 1], _push(steady, "quota_bonus")[:, 1]
    diff = paired_ci(linear, quota)
    assert diff.low > 0, diff  # the 95% interval of the rise lies above 0


def test_f1_under_linear_pay_the_share_is_that_of_ten_working_days(steady):
    # Monday-to-Friday quarters of 2026: Q2 has 65 working days, Q3 66, so revenue spread
    # evenly puts 10/65 and 10/66 of a quarter in its last 10 days: 0.1527 on average.
    run = steady[0]["steady", "linear"]
    days = [len(run.calendar.dates[(run.calendar.dates >= np.datetime64(a, "D"))
                                   & (run.calendar.dates <= np.datetime64(b, "D"))])
            for a, b in (("2026-04-01", "2026-06-30"), ("2026-07-01", "2026-09-30"))]
    assert days == [65, 66]
    even = (10 / 65 + 10 / 66) / 2
    share = mean_ci(_push(steady, "linear")[:, 0])
    # tolerance: 0.015 (a tenth of the share), and the interval must reach it
    assert abs(share.mean - even) < 0.015 and share.low - 0.015 < even < share.high + 0.015


def test_f4_reps_far_behind_late_in_the_quarter_spend_less_time_selling(stretching):
    # Target 140,000 CNY a month: reps below 45% of the quarter's target 20 working days
    # before its end (judged in the linear run: the same reps and leads in both) have no
    # chance of the bonus. Hours on pipeline tasks in those last 20 days:
    hours = np.array([[effects.selling_hours(r["stretching quota", p],
                                             effects.far_behind(r, "stretching quota"), 20)
                       for p in ("linear", "quota_bonus")] for r in stretching])
    assert (hours[:, 0] > 0).all()
    diff = paired_ci(hours[:, 0], hours[:, 1])
    assert diff.high < 0, diff
