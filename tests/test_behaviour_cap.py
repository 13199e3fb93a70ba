"""F3 and F4 (overachievement): caps hold reps back, accelerators keep them selling.

Misra & Nair (2011): reps who reach a cap hold sales back and deals slip into the next
period. Chung, Steenburgh & Sudhir (2014): pay above the quota keeps the best reps selling
after they make it. An easy quota (70,000 CNY a month) lets reps reach the ``capped``
plan's cap (150% of the quarter's target). Paired over replications with common random
numbers; 95% confidence intervals (:func:`salessim.experiment.paired_ci`).
"""

from __future__ import annotations

import numpy as np
import pytest

from salessim import effects
from salessim.experiment import paired_ci

N = 8


@pytest.fixture(scope="module")
def easy():
    keys = [("easy quota", p) for p in ("linear", "capped", "accelerator")]
    return [effects.run_settings(keys, seed) for seed in range(N)]


def test_f3_reps_at_the_cap_sign_less_for_the_rest_of_the_quarter(easy):
    # what each rep signed after the day it reached 150% under capped, against what the
    # same rep signed over the same days under linear pay
    got = np.array([effects.after_reaching(r["easy quota", "capped"],
                                           r["easy quota", "linear"], 1.5) for r in easy])
    assert got[:, 1].sum() > 0  # reps do reach the cap
    diff = paired_ci(got[:, 1], got[:, 0])
    assert diff.high < 0, diff
    # and not by a rounding error: at least a tenth less
    assert got[:, 0].sum() < 0.9 * got[:, 1].sum()


def test_f3_deals_slip_into_the_next_quarter(easy):
    got = np.array([effects.carried_over(r["easy quota", "capped"], r["easy quota", "linear"],
                                         1.5) for r in easy])
    diff = paired_ci(got[:, 1], got[:, 0])
    assert diff.low > 0, diff


def test_f4_the_top_third_keep_signing_after_the_quota_under_an_accelerator(easy):
    after = []
    for r in easy:
        top = effects.top_third(r, "easy quota")
        after.append([effects.after_reaching(r["easy quota", p], r["easy quota", p], 1.0,
                                             top)[0] for p in ("capped", "accelerator")])
    after = np.array(after)
    diff = paired_ci(after[:, 0], after[:, 1])
    assert diff.low > 0, diff
