"""The exercise tasks of lesson 08, conduct and compliance (R2.3.1): what only this lesson knows.

Hand-computed answers and mistakes, the functions that show each known mistake, and task-
specific behaviour. The checks every task shares (leaks, types, tolerance, mistakes with a
value, notebooks) are in test_exercise_tasks.py.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from test_exercise_tasks import assert_hidden, assert_targeted_hint

from salessim.exercises import Task, check, get_task, tasks
from salessim.exercises.tasks_08 import Shareable, hidden_extract
from salessim.privacy import mask_extract

LESSON_08 = tasks("08")


def _expected(task: Task):
    return task.kind.target(task.evaluate(task.expected))


# ---------------------------------------------------------------- wrong answers by hand
def _digits(s: str) -> str:
    return re.sub(r"[\s-]", "", s).removeprefix("+86")


def _compact(s: str) -> str:
    return s.replace(" ", "").upper()


# Functions that fail in one way only, with the hint each must get (08.3 and 08.4).
FUNCTION_CASES = {
    "08.3": [
        # correct on everything but the +86 numbers
        (lambda s: (d := re.sub(r"[\s-]", "", s))[:3] + "****" + d[-4:], "+86 prefix"),
        # one * per character between the first three and the last four: right for plain
        # numbers (+86 removed), too long when spaces are left in
        (lambda s: (d := s.removeprefix("+86 ").removeprefix("+86"))[:3]
         + "*" * (len(d) - 7) + d[-4:], "remove them before you mask"),
        (lambda s: (d := _digits(s))[:3] + "**" + d[5:], "shows too many digits"),
        (lambda s: (d := _digits(s))[:2] + "*****" + d[-4:], "hides too much"),
        (lambda s: (d := _digits(s))[:2] + "****" + d[6:], "not the right ones"),
        (lambda s: _digits(s)[:3] + "****", "different length"),
    ],
    "08.4": [
        (lambda s: (d := s.replace(" ", ""))[:3] + "*" * 11 + d[-4:], "lowercase x"),
        (lambda s: (d := s.upper())[:3] + "*" * (len(d) - 7) + d[-4:], "with spaces"),
        (lambda s: (d := _compact(s))[:3] + "*" * 10 + d[-5:], "shows too many characters"),
        (lambda s: (d := _compact(s))[:2] + "*" * 12 + d[-4:], "hides too much"),
        (lambda s: (d := _compact(s))[:4] + "*" * 11 + d[-3:], "not the right ones"),
    ],
}


def _share(rules):
    return lambda extract: mask_extract(extract, rules)


GOOD_RULES = {"contact_name": "name", "mobile": "phone", "email": "email", "id_card": "drop"}


def _mutating(extract):
    extract["mobile"] = "hidden"
    return mask_extract(extract, GOOD_RULES | {"mobile": "drop"})


def _rounded(extract):
    out = mask_extract(extract, GOOD_RULES)
    return out.assign(last_order_cny=out["last_order_cny"].round(-3))


# One function per known mistake of 08.5, each showing that mistake (and only it first).
SHARE_CASES = {
    "input changed": _mutating,
    "phone numbers left": _share(GOOD_RULES | {"mobile": "keep"}),
    "ID numbers left": _share(GOOD_RULES | {"id_card": "keep"}),
    "emails left": _share(GOOD_RULES | {"email": "keep"}),
    "names left": _share(GOOD_RULES | {"contact_name": "keep"}),
    "rows changed": lambda e: mask_extract(e, GOOD_RULES).iloc[::-1],
    "shared column missing": _share(GOOD_RULES | {"city": "drop"}),
    "shared column changed": _rounded,
}


# ---------------------------------------------------------------- expected answers
def test_lesson_08_has_seven_tasks_of_four_kinds():
    assert [t.id for t in LESSON_08] == [f"08.{k}" for k in range(1, 8)]
    assert [type(t.kind).__name__ for t in LESSON_08] == [
        "Choice", "Choice", "Mask", "Mask", "Shareable", "Number", "Number"]


def test_expected_answers_match_hand_computation():
    value = {t.id: _expected(t) for t in LESSON_08}
    assert value["08.1"] == "C" and value["08.2"] == "B"
    # first three, four *, last four, after removing +86, spaces and dashes
    assert value["08.3"] == ("139****8642", "150****2468", "186****1357", "139****1122",
                             "188****3344", "177****9753")
    # first three, eleven *, last four; x written as X; spaces removed
    assert value["08.4"] == ("000***********0013", "000***********0048",
                             "000***********003X", "000***********002X",
                             "000***********0057")
    assert value["08.5"] == frozenset()  # a safe extract shows no problem
    # 2026Q1 answers: csat 5 2 4 3 4 3 5 4 -> five of eight are 4 or 5
    assert value["08.6"] == pytest.approx(5 / 8)
    # nps 9 3 8 6 8 6 10 7 -> 2 promoters, 3 detractors of 8 -> 100 * (2 - 3) / 8
    assert value["08.7"] == pytest.approx(-12.5)


def test_known_mistakes_by_hand():
    # 08.6: mean 30 / 8 = 3.75 -> / 5 = 0.75; 3 counted: 7 / 8; both rounds: 10 of 14
    csat = {m.name: get_task("08.6").evaluate(m.value) for m in get_task("08.6").mistakes}
    assert csat["mean score over 5"] == pytest.approx(0.75)
    assert csat["3 counted as satisfied"] == pytest.approx(7 / 8)
    assert csat["every quarter"] == pytest.approx(10 / 14)
    # 08.7: promoters 2/8 = 25; 0-8 as detractors: 6/8 -> 25 - 75 = -50; without passives:
    # (2 - 3) / 5 = -20; both rounds: 4 promoters, 4 detractors of 14 -> 0
    nps = {m.name: get_task("08.7").evaluate(m.value) for m in get_task("08.7").mistakes}
    assert nps["promoters only"] == pytest.approx(25)
    assert nps["7-8 counted as detractors"] == pytest.approx(-50)
    assert nps["passives left out"] == pytest.approx(-20)
    assert nps["every quarter"] == pytest.approx(0)


# ---------------------------------------------------------------- hints
def test_every_sharing_mistake_gets_its_targeted_hint():
    task = get_task("08.5")
    assert set(SHARE_CASES) == {m.name for m in task.mistakes if m.when is not None}
    for name, share in SHARE_CASES.items():
        assert_targeted_hint(task, name, share)


@pytest.mark.parametrize("task_id", sorted(FUNCTION_CASES))
def test_masking_functions_get_the_hint_of_what_they_got_wrong(task_id):
    for fn, words in FUNCTION_CASES[task_id]:
        fb = check(task_id, fn)
        assert fb.status == "wrong" and words in fb.message, (words, fb.message)
    assert_hidden(get_task(task_id), [fn for fn, _ in FUNCTION_CASES[task_id]])


def test_a_function_that_raises_or_returns_no_table_is_explained():
    def boom(s):
        raise ValueError("bad digits")

    fb = check("08.3", boom)
    assert fb.status == "wrong" and "raised ValueError: bad digits on a plain" in fb.message
    fb = check("08.5", lambda extract: extract["mobile"].tolist())
    assert "returned a list; it should return the extract" in fb.message
    fb = check("08.5", lambda extract: mask_extract(extract, {"id_card": "phone"}))
    assert "raised ValueError: mask_extract: column 'id_card'" in fb.message
    assert fb.message.endswith(get_task("08.5").hint)


def test_dropping_or_masking_the_id_column_are_both_safe():
    assert check("08.5", _share(GOOD_RULES)).passed
    assert check("08.5", _share(GOOD_RULES | {"id_card": "id_card"})).passed
    # and so is leaving out every personal column
    personal = {"contact_name": "drop", "mobile": "drop", "email": "drop", "id_card": "drop"}
    assert check("08.5", _share(personal)).passed


def test_the_hidden_extract_is_not_changed_by_checking():
    before = hidden_extract()
    check("08.5", _mutating)
    pd.testing.assert_frame_equal(hidden_extract(), before)
    assert Shareable().problems(_mutating) == {"input changed"}


def test_a_choice_outside_the_options_is_explained():
    fb = check("08.1", "E")
    assert fb.status == "wrong type" and "one of the letters A, B, C, D" in fb.message
