"""The exercise tasks of lesson 04, quotes, negotiation and contracts (R2.1.3): what only this
lesson knows.

Hand-computed answers and mistakes, the checklists that show each known mistake, and task-
specific behaviour. The checks every task shares (leaks, types, tolerance, mistakes with a
value, notebooks) are in test_exercise_tasks.py.
"""

from __future__ import annotations

import pytest
from test_exercise_tasks import assert_targeted_hint

from salessim.exercises import Task, check, get_task, tasks
from salessim.exercises.tasks_04 import SHOWN, contract_items, key_account_scenario
from salessim.widgets.lesson04 import CONTRACT_ITEMS

LESSON_04 = tasks("04")
LABEL = {item: f"C{k:02d}" for k, item in enumerate(SHOWN, 1)}
MUST = [LABEL[item] for item, _, required, _ in CONTRACT_ITEMS if required]


def _expected(task: Task):
    return task.kind.target(task.evaluate(task.expected))


def _key_win(d: float) -> float:
    # large customers: negotiation converts 0.5 without discount, each 1% of discount adds
    # 2.5% to the tries; the contract is signed once agreed (conversion 1.0)
    return 1 - 0.5 ** (1 + 2.5 * d)


# ---------------------------------------------------------------- expected answers
def test_lesson_04_has_five_tasks_of_three_kinds():
    assert [t.id for t in LESSON_04] == [f"04.{k}" for k in range(1, 6)]
    assert [type(t.kind).__name__ for t in LESSON_04] == [
        "Number", "Number", "Number", "Choice", "IdSet"]


def test_expected_answers_match_hand_computation():
    value = {t.id: _expected(t) for t in LESSON_04}
    # 3 x 7,000 = 21,000 CNY, 8% off -> 19,320
    assert value["04.1"] == pytest.approx(19_320)
    # (1 - 0.5^1.25) x 13,000 x 0.9
    assert value["04.2"] == pytest.approx(_key_win(0.1) * 13_000 * 0.9)
    # the largest (1 - 0.5^(1 + 2.5 d)) (1 - d) on whole percents is at 13%
    assert value["04.3"] == 0.13
    assert max(range(26), key=lambda k: _key_win(k / 100) * (1 - k / 100)) == 13
    assert value["04.4"] == "C"
    # everything but the side promise, the commission and the buyer's personal data
    assert value["04.5"] == frozenset(MUST) and len(MUST) == 11
    assert {LABEL["K12"], LABEL["K13"], LABEL["K14"]}.isdisjoint(value["04.5"])


def test_key_accounts_change_only_the_negotiation():
    s = key_account_scenario()
    assert (s.process.negotiation.conversion, s.pricing.discount_effect) == (0.5, 2.5)
    assert s.pricing.list_price["large"] == 13_000 and s.process.contract.conversion == 1.0


def test_known_mistakes_by_hand():
    quote = {m.name: get_task("04.1").evaluate(m.value) for m in get_task("04.1").mistakes}
    # list 21,000; 21,000 x (1 - 8) = -147,000; 8% of 21,000 = 1,680; one unit 6,440;
    # 21,000 - 8 = 20,992
    assert quote == {"list price instead of discounted": 21_000,
                     "percentage as fraction": -147_000, "discount amount": 1_680,
                     "one unit": pytest.approx(6_440), "percent subtracted in CNY": 20_992}
    revenue = {m.name: get_task("04.2").evaluate(m.value) for m in get_task("04.2").mistakes}
    assert revenue["list price instead of discounted"] == pytest.approx(_key_win(0.1) * 13_000)
    assert revenue["no discount effect"] == pytest.approx(0.5 * 11_700)
    assert revenue["effect on the chance"] == pytest.approx(0.5 * 1.25 * 11_700)
    assert revenue["no win probability"] == pytest.approx(11_700)
    best = {m.name: get_task("04.3").evaluate(m.value) for m in get_task("04.3").mistakes}
    # the default scenario's customers: (1 - 0.43^(1 + 4 d)) (1 - d) is largest at 15%
    assert best["default customers' best"] == 0.15
    assert best["highest win probability"] == 0.25 and best["standard discount"] == 0.05


def test_contract_items_show_every_item_once_in_their_own_order():
    shown = contract_items()
    assert [label for label, _ in shown] == [f"C{k:02d}" for k in range(1, 15)]
    assert sorted(SHOWN) == [item for item, *_ in CONTRACT_ITEMS]
    texts = {item: text for item, text, *_ in CONTRACT_ITEMS}
    assert [text for _, text in shown] == [texts[item] for item in SHOWN]
    assert shown[0][1] != CONTRACT_ITEMS[0][1]  # not the lesson's order


# ---------------------------------------------------------------- hints
def _without(*items: str) -> list[str]:
    return [label for label in MUST if label not in {LABEL[i] for i in items}]


# One answer per pattern mistake of 04.5, each showing that mistake first.
SELECTIONS = {
    "side promise included": MUST + [LABEL["K13"]],
    "commission included": MUST + [LABEL["K12"]],
    "personal data included": MUST + [LABEL["K14"]],
    "money terms missing": _without("K04"),
    "delivery or service missing": _without("K06"),
    "parties or signatures missing": _without("K11"),
    "protections missing": _without("K09"),
}


def test_every_checklist_mistake_gets_its_targeted_hint():
    task = get_task("04.5")
    assert set(SELECTIONS) == {m.name for m in task.mistakes if m.when is not None}
    for name, selection in SELECTIONS.items():
        assert_targeted_hint(task, name, selection)


def test_a_checklist_with_several_problems_gets_the_first_and_unknown_ones_a_count():
    fb = check("04.5", _without("K04") + [LABEL["K13"]])
    assert fb.mistake == "side promise included"
    # nothing of the known patterns: an empty list misses everything at once -> money terms
    assert check("04.5", []).mistake == "money terms missing"


def test_the_best_discount_within_half_a_percent_passes():
    # the continuous optimum lies near 13.04%; 13% +- 0.5 percentage points is accepted
    assert check("04.3", 0.1304).passed and check("04.3", 0.134).passed
    assert not check("04.3", 0.14).passed and not check("04.3", 0.12).passed
