"""F6: pay on booked revenue alone pulls effort away from collection calls (R2.2.1.3).

Holmström & Milgrom (1991), Kishore et al. (2013): strong pay on a measured task pulls
effort away from unmeasured ones. Under ``linear`` (booked revenue) an overdue invoice pays
a pay-aware rep nothing, so collection calls lapse and the collection rate (回款率) falls;
``collected`` pays on cash and ``regulation`` scores the collection rate, so reps keep
calling. Paired over replications with common random numbers; 95% intervals.

Retention is not asserted to recover: in this model a revisit saves a customer about one
time in thirty-five, which the regulation's scorecard (20% on the retention *rate*) prices
below an hour of selling, and cash pay prices like revenue; ``docs/behaviour.md`` reports
the measured differences.
"""

from __future__ import annotations

import numpy as np
import pytest

from salessim import effects
from salessim.experiment import paired_ci

N = 4  # the effect is about 7 points of collection rate, the noise under 1
PLANS = ("linear", "collected", "regulation")


@pytest.fixture(scope="module")
def steady():
    keys = [("steady", p) for p in PLANS]
    return [effects.run_settings(keys, seed) for seed in range(N)]


def _rates(runs, plan):
    return np.array([effects.team_rates(r["steady", plan]) for r in runs])


@pytest.mark.parametrize("other", ["collected", "regulation"])
def test_f6_collection_rate_is_lower_under_revenue_pay(steady, other):
    diff = paired_ci(_rates(steady, "linear")[:, 0], _rates(steady, other)[:, 0])
    # at least 3 points of collection rate, at 95% confidence
    assert diff.low > 0.03, diff


def test_f6_because_collection_calls_lapse(steady):
    def call_hours(run):
        a = run.ledger.activities
        a = a[a["task"] == "collection_call"]
        return (a["ended_at"] - a["started_at"]).dt.total_seconds().sum() / 3600

    hours = {p: np.array([call_hours(r["steady", p]) for r in steady]) for p in PLANS}
    # under linear pay an overdue invoice is worth nothing to the rep: no calls at all
    assert hours["linear"].sum() == 0
    assert (hours["collected"] > 10).all() and (hours["regulation"] > 10).all()
