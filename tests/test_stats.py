"""Interval code of salessim.experiment.stats against known cases (R2.2.1: comparing plans)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from salessim.experiment.stats import (
    mean_ci,
    paired_ci,
    replications_needed,
    t_quantile,
    welch_ci,
)


@pytest.mark.parametrize("p", [0.6, 0.9, 0.975, 0.995])
def test_t_quantile_with_one_and_two_degrees_of_freedom_has_closed_forms(p):
    # df = 1 is the Cauchy distribution: F^-1(p) = tan(pi (p - 1/2)).
    assert t_quantile(p, 1) == pytest.approx(math.tan(math.pi * (p - 0.5)), rel=1e-10)
    # df = 2: F^-1(p) = (2p - 1) / sqrt(2 p (1 - p)).
    assert t_quantile(p, 2) == pytest.approx((2 * p - 1) / math.sqrt(2 * p * (1 - p)),
                                             rel=1e-10)


@pytest.mark.parametrize(("p", "df", "table"), [
    (0.975, 9, 2.262157), (0.975, 29, 2.045230), (0.995, 10, 3.169273), (0.95, 4, 2.131847),
])
def test_t_quantile_matches_printed_tables(p, df, table):
    assert t_quantile(p, df) == pytest.approx(table, abs=1e-6)


def test_t_quantile_is_symmetric_and_tends_to_the_normal():
    assert t_quantile(0.025, 7) == pytest.approx(-t_quantile(0.975, 7), rel=1e-12)
    assert t_quantile(0.975, math.inf) == pytest.approx(1.959964, abs=1e-6)
    assert t_quantile(0.975, 1e7) == pytest.approx(1.959964, abs=1e-5)


def test_t_quantile_refuses_bad_arguments():
    with pytest.raises(ValueError, match="p must be between 0 and 1"):
        t_quantile(1.0, 5)
    with pytest.raises(ValueError, match="df must be > 0"):
        t_quantile(0.9, 0)


def test_mean_ci_hand_computed():
    # 1..5: mean 3, s = sqrt(10/4) = 1.58114, se = s / sqrt(5) = 0.707107,
    # t(0.975, 4) = 2.776445 -> half-width 1.963243.
    ci = mean_ci([1, 2, 3, 4, 5])
    assert ci.mean == 3.0
    assert ci.sd == pytest.approx(1.581139, abs=1e-6)
    assert ci.half_width == pytest.approx(1.963243, abs=1e-6)
    assert (ci.low, ci.high) == pytest.approx((3 - 1.963243, 3 + 1.963243), abs=1e-6)
    assert ci.n == 5


def test_mean_ci_edge_cases():
    one = mean_ci([7.0])
    assert one.mean == 7.0 and math.isnan(one.low) and math.isnan(one.half_width)
    assert mean_ci([]).n == 0
    assert mean_ci([1.0, np.nan, 3.0]).n == 2  # NaN left out
    flat = mean_ci([5.0, 5.0, 5.0])
    assert (flat.low, flat.high, flat.half_width) == (5.0, 5.0, 0.0)
    with pytest.raises(ValueError, match="level"):
        mean_ci([1, 2], level=95)


def test_mean_ci_covers_a_known_mean_95_percent_of_the_time():
    # 4,000 normal samples of 8 with mean 10: the 95% t interval must cover 10 in about
    # 95% of them. The coverage estimate's standard error is sqrt(.95 .05 / 4000) = 0.0034;
    # the tolerance is 3.5 of those.
    rng = np.random.default_rng(20260101)
    samples = rng.normal(10.0, 3.0, size=(4000, 8))
    covered = [ci.low <= 10.0 <= ci.high for ci in map(mean_ci, samples)]
    assert np.mean(covered) == pytest.approx(0.95, abs=0.012)
    # ...and a 90% interval about 90% of the time, so the level is honoured too.
    covered90 = [ci.low <= 10.0 <= ci.high for ci in (mean_ci(s, 0.90) for s in samples)]
    assert np.mean(covered90) == pytest.approx(0.90, abs=0.016)


def test_welch_ci_hand_computed():
    # a = 1,2,3 (var 1), b = 2,4,6 (var 4): difference 2, se^2 = 1/3 + 4/3 = 5/3,
    # Welch df = (5/3)^2 / ((1/3)^2/2 + (4/3)^2/2) = 50/17.
    ci = welch_ci([1, 2, 3], [2, 4, 6])
    assert ci.mean == 2.0
    assert ci.half_width == pytest.approx(t_quantile(0.975, 50 / 17) * math.sqrt(5 / 3),
                                          rel=1e-12)


def test_paired_ci_is_the_interval_of_the_differences():
    # differences 1, 2, 3: mean 2, s = 1, half-width t(0.975, 2) / sqrt(3) = 4.302653/1.732051.
    ci = paired_ci([10, 20, 30], [11, 22, 33])
    assert ci.mean == 2.0
    assert ci.half_width == pytest.approx(4.302653 / math.sqrt(3), abs=1e-6)
    with pytest.raises(ValueError, match="same replications"):
        paired_ci([1, 2], [1, 2, 3])


def test_paired_intervals_are_narrower_than_unpaired_on_correlated_data():
    # Common random numbers: both plans share the replication's luck (sd 10); the plan
    # effect is +1 with its own noise of sd 1. Paired intervals cancel the shared luck.
    rng = np.random.default_rng(7)
    narrower, paired_cover = 0, 0
    for _ in range(200):
        luck = rng.normal(0, 10, 30)
        a = 100 + luck + rng.normal(0, 1, 30)
        b = 101 + luck + rng.normal(0, 1, 30)
        p, u = paired_ci(a, b), welch_ci(a, b)
        narrower += p.half_width < u.half_width / 3
        paired_cover += p.low <= 1.0 <= p.high
    assert narrower == 200
    assert paired_cover / 200 == pytest.approx(0.95, abs=0.05)


def test_replications_needed_hand_computed():
    # s = sqrt(2). n = 10: t(0.975, 9) sqrt(2/10) = 2.262157 * 0.447214 = 1.0117 > 1;
    # n = 11: t(0.975, 10) sqrt(2/11) = 2.228139 * 0.426401 = 0.9501 <= 1.
    assert replications_needed([0.0, 2.0], 1.0) == 11
    # A spread of 0 needs no more than 2.
    assert replications_needed([3.0, 3.0, 3.0], 0.1) == 2


def test_replications_needed_reaches_the_precision_asked():
    rng = np.random.default_rng(3)
    pilot = rng.normal(300_000, 40_000, 10)
    s = pilot.std(ddof=1)
    for h in (5_000.0, 20_000.0, 60_000.0):
        n = replications_needed(pilot, h)
        assert t_quantile(0.975, n - 1) * s / math.sqrt(n) <= h
        if n > 2:
            assert t_quantile(0.975, n - 2) * s / math.sqrt(n - 1) > h  # and not one more


def test_replications_needed_refuses_bad_input():
    with pytest.raises(ValueError, match="half_width must be > 0"):
        replications_needed([1, 2, 3], 0)
    with pytest.raises(ValueError, match="at least 2 pilot replications"):
        replications_needed([1.0], 1.0)


def test_an_interval_reads_in_plain_words():
    assert paired_ci([1.0, 2.0, 3.0], [2.0, 3.5, 4.2]).verdict == "clearly higher"
    assert paired_ci([2.0, 3.5, 4.2], [1.0, 2.0, 3.0]).verdict == "clearly lower"
    assert paired_ci([1.0, 2.0, 3.0], [1.5, 1.8, 3.1]).verdict == "not clearly different"
    assert paired_ci([1.0, 2.0], [1.0, 2.0]).verdict == "the same in every replication"
    assert mean_ci([4.0]).verdict == "one replication: no range"
