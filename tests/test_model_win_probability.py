"""The pipeline's conversion formula, :func:`salessim.model.win_probability` (R2.1.2, R2.1.3).

The expected values are worked out by hand from the formula in the function's docstring:
the step's conversion ``p`` counts as ``tries`` tries, ``1 - (1 - p) ** tries``; first
contact decays ``p`` by ``e`` per ``response_days`` of waiting (R2.1.2.1); a discount
multiplies the tries by ``1 + discount_effect x discount`` (R2.1.3.2).
"""

from __future__ import annotations

import math

import pytest

from salessim.model import win_probability
from salessim.scenario import load_scenario
from salessim.widgets.lesson03 import StepChances


def test_one_try_is_the_steps_conversion():
    assert win_probability(0.6) == pytest.approx(0.6)


def test_skill_and_fit_act_as_extra_tries():
    # two tries at an even chance: 1 - 0.5 ** 2 = 0.75; half a try: 1 - sqrt(0.5)
    assert win_probability(0.5, tries=2.0) == pytest.approx(0.75)
    assert win_probability(0.5, tries=0.5) == pytest.approx(1 - math.sqrt(0.5))


def test_first_contact_decays_by_e_per_response_time():
    # R2.1.2.1: waiting 2 days with response_days = 2 divides the conversion by e
    assert win_probability(0.6, wait=2.0, response_days=2.0) == pytest.approx(0.6 / math.e)
    # twice as long: by e squared; at once: the step's conversion
    assert win_probability(0.6, wait=4.0, response_days=2.0) == pytest.approx(0.6 / math.e ** 2)
    assert win_probability(0.6, wait=0.0, response_days=2.0) == pytest.approx(0.6)


def test_a_discount_adds_tries_in_negotiation():
    # R2.1.3.2: 10% off with an effect of 10 doubles the tries: 1 - 0.5 ** 2 = 0.75
    assert win_probability(0.5, discount=0.1, discount_effect=10.0) == pytest.approx(0.75)
    # with skill x fit = 1.5 as well: 1 - 0.5 ** 3 = 0.875
    assert win_probability(0.5, 1.5, discount=0.1, discount_effect=10.0) == pytest.approx(0.875)
    # no effect, no change
    assert win_probability(0.5, discount=0.3) == pytest.approx(0.5)


def test_a_sure_step_stays_sure_until_the_wait_decays_it():
    assert win_probability(1.0, tries=0.1) == 1.0
    assert win_probability(1.0, wait=1.0, response_days=1.0) == pytest.approx(1 / math.e)


@pytest.mark.parametrize("stage, wait, discount", [
    ("first_contact", 1.5, 0.0), ("discovery", 0.0, 0.0), ("negotiation", 0.0, 0.12),
    ("demo", 0.0, 0.0),
])
def test_the_model_moves_a_lead_on_with_exactly_this_chance(stage, wait, discount):
    # StepChances finds, by bisection on a lead's random number, the chance with which the
    # model's own pipeline code lets a lead move on: it must be the formula's.
    s = load_scenario("default")
    chances = StepChances(s)
    step = getattr(s.process, stage)
    expected = win_probability(step.conversion, 1.3 * 0.8, wait, s.process.response_days,
                               discount, s.pricing.discount_effect)
    got = chances.chance(stage, wait=wait, discount=discount, skill=1.3, fit=0.8)
    assert got == pytest.approx(expected, abs=1e-12)
    assert 0.0 < got < 1.0
