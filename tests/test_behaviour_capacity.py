"""F9: with delivery capacity fixed, pushing new sales harder lengthens delivery and loses
customers (Forrester 1968; R2.1.4.1, R2.2.1.2).

The delivery team starts 0.75 orders a rep and working day, about the rate at which reps
sign under ``linear`` pay. ``new_logos`` pays 480 CNY per new customer (the same cost at the
new-customer target): pay-aware reps buy wins with deep discounts, orders queue, customers
wait, satisfaction falls and more of them leave. Paired over replications with common
random numbers; 95% intervals.
"""

from __future__ import annotations

import numpy as np
import pytest

from salessim import effects
from salessim.experiment import paired_ci

N = 6


@pytest.fixture(scope="module")
def fixed():
    keys = [("fixed capacity", p) for p in ("linear", "new_logos")]
    return [effects.run_settings(keys, seed) for seed in range(N)]


def test_f9_a_harder_push_for_new_sales_raises_delivery_delay(fixed):
    delay = np.array([[effects.delivery_delay(r["fixed capacity", p])
                       for p in ("linear", "new_logos")] for r in fixed])
    diff = paired_ci(delay[:, 0], delay[:, 1])
    assert diff.low > 0, diff


def test_f9_and_lowers_retention(fixed):
    ret = np.array([[effects.team_rates(r["fixed capacity", p])[1]
                     for p in ("linear", "new_logos")] for r in fixed])
    diff = paired_ci(ret[:, 0], ret[:, 1])
    assert diff.high < 0, diff


def test_f9_the_push_is_in_the_discounts(fixed):
    disc = np.array([[r["fixed capacity", p].ledger.deals["discount"].mean()
                      for p in ("linear", "new_logos")] for r in fixed])
    assert (disc[:, 1] > disc[:, 0] + 0.05).all()
