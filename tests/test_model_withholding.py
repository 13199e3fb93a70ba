"""Unhappy customers hold payments back until chased (R2.2.1.3, R2.1.4.2, R2.1.4.3).

``payments.withhold_unsatisfied`` is the chance that a customer at satisfaction 0 holds
back a payment it would have made; at satisfaction *s* the chance is that times (1 - *s*).
These tests hold satisfaction fixed (no spread at signing, drift to the same level, no
lift from calls, no delivery delay) so the chance is known exactly.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from salessim import Scenario, simulate


def fixed_satisfaction(level: float, withhold: float, **payments) -> Scenario:
    """Two reps over six months whose customers all pay on time, all at ``level``."""
    return Scenario(
        team={"reps": 2, "team_size": 2},
        calendar={"months": 6, "holidays": "weekends"},
        after_sales={"satisfaction_mean": level, "satisfaction_sd": 0.0,
                     "satisfaction_floor": level, "feedback_gain": 0.0,
                     "revisit_interval_days": 0.0},
        fulfilment={"delay_penalty": 0.0},
        payments={"behaviour": {"on_time": 1.0, "late": 0.0, "partial": 0.0, "never": 0.0},
                  "withhold_unsatisfied": withhold, **payments},
    )


def unpaid_share(run, before: str) -> tuple[float, int]:
    """Share of the invoices due before ``before`` with nothing paid, and their number."""
    inv = run.ledger.invoices
    due = inv[pd.to_datetime(inv["due_on"]) < pd.Timestamp(before)]
    paid = set(run.ledger.payments["invoice_id"])
    return float((~due["invoice_id"].isin(paid)).mean()), len(due)


def test_without_holding_back_every_on_time_invoice_is_paid():
    run = simulate(fixed_satisfaction(0.0, 0.0, max_calls=0), seed=3)
    share, n = unpaid_share(run, "2026-06-01")
    assert n > 100 and share == 0.0


def test_unhappy_customers_never_pay_unchased_when_they_always_hold_back():
    run = simulate(fixed_satisfaction(0.0, 1.0, max_calls=0), seed=3)
    assert run.ledger.payments.empty
    assert len(run.ledger.invoices) > 100


def test_fully_satisfied_customers_never_hold_back():
    run = simulate(fixed_satisfaction(1.0, 1.0, max_calls=0), seed=3)
    share, n = unpaid_share(run, "2026-06-01")
    assert n > 100 and share == 0.0


def test_the_share_held_back_is_the_chance_at_the_customers_satisfaction():
    # at satisfaction 0.5 and withhold_unsatisfied 0.4 a fifth of payments are held back;
    # unchased (no calls), they stay unpaid. Over 4 seeds the share must lie within 3
    # binomial standard errors of 0.2.
    shares, counts = zip(*(unpaid_share(simulate(fixed_satisfaction(0.5, 0.4, max_calls=0),
                                                 seed=s), "2026-06-01") for s in range(4)),
                         strict=True)
    n = sum(counts)
    share = float(np.average(shares, weights=counts))
    assert abs(share - 0.2) < 3 * math.sqrt(0.2 * 0.8 / n), (share, n)


def test_a_payment_held_back_comes_after_a_collection_call():
    # every payment is held back; every call succeeds: each invoice is paid, and only
    # after a collection call about it
    run = simulate(fixed_satisfaction(0.0, 1.0, max_calls=3, call_success=1.0), seed=5)
    led = run.ledger
    calls = led.activities[led.activities["task"] == "collection_call"]
    first_call = calls.groupby("ref_id")["ended_at"].min()
    pay = led.payments.groupby("invoice_id")["paid_on"].min()
    assert len(pay) > 100
    called = first_call.reindex(pay.index)
    assert called.notna().all()
    assert (pd.to_datetime(pay).dt.normalize() >= called.dt.normalize()).all()
