"""The exercise tasks of lesson 04, quotes, negotiation and contracts (R2.1.3): answers, hints."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pandas as pd
import pytest
from test_exercises import _execute, leaks

from salessim.exercises import Choice, IdSet, Number, Task, check, get_task, tasks
from salessim.exercises.tasks_04 import SHOWN, contract_items, key_account_scenario
from salessim.widgets.lesson04 import CONTRACT_ITEMS

ROOT = Path(__file__).resolve().parents[1]
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


def _mistake_answer(task: Task, name: str):
    mistake = next(m for m in task.mistakes if m.name == name)
    return SELECTIONS[name] if mistake.value is None else task.evaluate(mistake.value)


@pytest.mark.parametrize("task", LESSON_04, ids=lambda t: t.id)
def test_every_known_mistake_gets_its_targeted_hint(task):
    assert task.mistakes, "every task lists its known mistakes"
    for mistake in task.mistakes:
        fb = check(task.id, _mistake_answer(task, mistake.name))
        assert fb.status == "wrong" and fb.mistake == mistake.name, (mistake.name, str(fb))
        assert fb.message == mistake.hint


@pytest.mark.parametrize("task", LESSON_04, ids=lambda t: t.id)
def test_every_trap_gives_its_own_value(task):
    values = [_expected(task)]
    for mistake in task.mistakes:
        if mistake.value is None:
            continue
        value = task.kind.target(task.evaluate(mistake.value))
        tol = task.tolerance if mistake.tolerance is None else mistake.tolerance
        assert not any(task.kind.same(value, v, tol) for v in values), mistake.name
        values.append(value)


def test_a_checklist_with_several_problems_gets_the_first_and_unknown_ones_a_count():
    fb = check("04.5", _without("K04") + [LABEL["K13"]])
    assert fb.mistake == "side promise included"
    # nothing of the known patterns: an empty list misses everything at once -> money terms
    assert check("04.5", []).mistake == "money terms missing"


def test_the_best_discount_within_half_a_percent_passes():
    # the continuous optimum lies near 13.04%; 13% +- 0.5 percentage points is accepted
    assert check("04.3", 0.1304).passed and check("04.3", 0.134).passed
    assert not check("04.3", 0.14).passed and not check("04.3", 0.12).passed


# ---------------------------------------------------------------- no leaks, types
def _wrong_types(task: Task) -> list:
    if isinstance(task.kind, Choice):
        return [3, None, ["C"], True]
    if isinstance(task.kind, IdSet):
        return ["C01", 42, None, [1, 2], ["C01", None]]
    return ["19320", None, [1.0, 2.0], pd.Series([1.0]), True, float("nan")]


def _known_wrong_answers(task: Task) -> list:
    return [_mistake_answer(task, m.name) for m in task.mistakes]


@pytest.mark.parametrize("task", LESSON_04, ids=lambda t: t.id)
def test_no_feedback_reveals_the_answer(task):
    expected = _expected(task)
    answers = [..., task.evaluate(task.expected), *_known_wrong_answers(task),
               *_wrong_types(task)]
    for answer in answers:
        fb = check(task.id, answer)
        assert not leaks(str(fb), expected), (fb.status, str(fb))
        assert not leaks(fb._repr_html_(), expected)
    for text in (task.hint, task.why, *(m.hint for m in task.mistakes)):
        assert not leaks(text, expected), text


@pytest.mark.parametrize("task", LESSON_04, ids=lambda t: t.id)
def test_placeholder_and_wrong_types(task):
    assert "not attempted yet" in str(check(task.id, ...)).lower()
    for answer in _wrong_types(task):
        fb = check(task.id, answer)
        assert fb.status == "wrong type", answer
        assert fb.message.startswith(("Your ", "That is not")), fb.message


def test_general_hint_for_a_number_no_known_mistake_explains():
    for task in (t for t in LESSON_04 if isinstance(t.kind, Number)):
        fb = check(task.id, _expected(task) * 1.37 + 0.011)
        assert fb.mistake is None and fb.message == task.hint


@pytest.mark.parametrize("task", [t for t in LESSON_04 if t.tolerance], ids=lambda t: t.id)
def test_tolerance_is_applied_as_stated(task):
    expected = _expected(task)
    assert check(task.id, expected + 0.9 * task.tolerance).passed
    assert check(task.id, expected - 0.9 * task.tolerance).passed
    assert not check(task.id, expected + 1.5 * task.tolerance).passed
    assert f"within {task.tolerance:g}" in check(task.id, ...).message


# ---------------------------------------------------------------- the notebooks
def test_titles_cite_known_clauses_and_appear_in_the_notebooks():
    from salessim.regulation import CLAUSES

    known = {c.id for c in CLAUSES}
    master = nbformat.read(ROOT / "answers" / "04_quotes.ipynb", as_version=4)
    headings = [c.source.splitlines()[0] for c in master.cells if c.cell_type == "markdown"]
    code = "\n".join(c.source for c in master.cells if c.cell_type == "code")
    for task in LESSON_04:
        assert set(task.clauses) <= known
        assert f"## {task.heading}" in headings
        assert f'ex.check("{task.id}", ' in code


def test_answers_are_stored_executed_and_correct():
    master = nbformat.read(ROOT / "answers" / "04_quotes.ipynb", as_version=4)
    assert master.metadata.kernelspec.name == "python3"
    code = [c for c in master.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code)
    checks = [c for c in code if "ex.check(" in c.source]
    assert len(checks) == len(LESSON_04)
    for cell in checks:
        text = cell.outputs[-1]["data"]["text/plain"]
        assert text.splitlines()[1].startswith("Correct."), text
    assert "5 of 5 tasks correct." in code[-1].outputs[-1]["data"]["text/plain"]


def test_exercise_notebook_runs_and_every_check_is_not_attempted():
    nb = _execute(ROOT / "exercises" / "04_quotes.ipynb")
    code = [c for c in nb.cells if c.cell_type == "code"]
    checks = [c for c in code if "ex.check(" in c.source]
    assert len(checks) == len(LESSON_04)
    for cell in checks:
        shown = cell.outputs[-1]["data"]
        assert "Not attempted yet." in shown["text/plain"]
        assert "#6e7781" in shown["text/html"]
    progress = code[-1].outputs[-1]["data"]["text/plain"]
    assert progress.count("not attempted") == len(LESSON_04)
    assert "0 of 5 tasks correct." in progress
