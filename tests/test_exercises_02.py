"""The exercise tasks of lesson 02, market analysis and lead development (R2.1.1)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pandas as pd
import pytest
from test_exercises import _execute, leaks

from salessim.exercises import Choice, Function, IdSet, Number, Task, check, get_task, tasks
from salessim.exercises.tasks_02 import CAMPAIGN, campaign_leads, practice_year

ROOT = Path(__file__).resolve().parents[1]
LESSON_02 = tasks("02")


def _expected(task: Task):
    return task.kind.target(task.evaluate(task.expected))


# Scoring functions that fail in one way only, with the words of the hint each must get.
def _weighted(industry, company_size, region, budget, budget_points):
    points = {"manufacturing": 1.0, "retail": 0.7, "technology": 0.9, "services": 0.6,
              "other": 0.2}[industry]
    size = {"small": 0.7, "medium": 1.0, "large": 0.8}[company_size]
    where = {"east": 1.0, "north": 0.8, "south": 0.9, "central": 0.6, "west": 0.4}[region]
    return 100 * (0.3 * points + 0.2 * size + 0.2 * where + 0.3 * budget_points)


FUNCTION_CASES = [
    # right except that a budget below 8,000 earns half points whatever its size
    (lambda i, s, r, b: _weighted(i, s, r, b, 1.0 if b >= 8000 else 0.5 if b > 0 else 0.0),
     "a smaller budget earns its share"),
    # right except that a zero budget is counted as a full one
    (lambda i, s, r, b: _weighted(i, s, r, b, min(b / 8000, 1.0) if b > 0 else 1.0),
     "it earns no budget points"),
    # a budget above 8,000 earning 1.2 points
    (lambda i, s, r, b: _weighted(i, s, r, b, min(b / 8000, 1.0) + (0.2 if b > 8000 else 0)),
     "at most its full points"),
]


def _known_wrong_answers(task: Task) -> list:
    answers = [task.evaluate(m.value) for m in task.mistakes if m.value is not None]
    return answers + ([fn for fn, _ in FUNCTION_CASES] if task.id == "02.6" else [])


def _wrong_types(task: Task) -> list:
    if isinstance(task.kind, Choice):
        return [3, None, ["A"], True, "E"]
    if isinstance(task.kind, IdSet):
        return [["K01"], "K01", None, pd.DataFrame({"id": ["K01"]})]
    if isinstance(task.kind, Function):
        return ["score", 42, None, lambda a, b: a]
    return ["500", None, [1.0, 2.0], pd.Series([1.0]), True, float("nan")]


# ---------------------------------------------------------------- expected answers
def test_lesson_02_has_six_tasks_of_four_kinds():
    assert [t.id for t in LESSON_02] == [f"02.{k}" for k in range(1, 7)]
    assert [type(t.kind).__name__ for t in LESSON_02] == [
        "Choice", "Choice", "Choice", "Number", "IdSet", "Function"]


def test_cost_per_won_customer_by_hand():
    run = practice_year()
    leads = run.ledger.leads
    shows = leads[leads["channel"] == "trade_show"]
    won = (shows["outcome"] == "won").sum()
    # every trade-show lead costs 150 CNY, won or not
    assert _expected(get_task("02.4")) == pytest.approx(150 * len(shows) / won)
    assert 0 < won < len(shows)


def test_screening_answer_by_hand():
    # K01, K02 (budget exactly 10,000), K08 (10,000), K09 and K12 meet every criterion;
    # K03 central, K04 retail, K05 small, K06 budget 9,500, K07 score 89 (0.3 x 0.9 + 0.2 x
    # 0.8 + 0.2 x 0.8 + 0.3 = 0.89), K10 services, K11 west
    assert _expected(get_task("02.5")) == {"K01", "K02", "K08", "K09", "K12"}
    leads = campaign_leads().set_index("lead_id")
    assert leads.loc["K07", "score"] == pytest.approx(89.0)
    assert leads.loc["K03", "score"] >= CAMPAIGN["min_score"]  # only the region fails
    assert leads.loc["K05", "score"] >= CAMPAIGN["min_score"]  # only the size fails


def test_scoring_answers_by_hand():
    # the hidden cases: 100; 0.21 + 0.14 + 0.08 + 0.15 = 0.58; 0.27 + 0.16 + 0.18 + 0.3;
    # 0.18 + 0.2 + 0.12 + 0.3 x 0.75; 0.06 + 0.14 + 0.16 + 0; 0.3 + 0.16 + 0.2 + 0.3
    assert _expected(get_task("02.6")) == pytest.approx((100.0, 58.0, 91.0, 72.5, 36.0, 96.0))


def test_the_worksheet_answers():
    assert [_expected(get_task(f"02.{k}")) for k in (1, 2, 3)] == ["D", "B", "A"]


# ---------------------------------------------------------------- hints
@pytest.mark.parametrize("task", LESSON_02, ids=lambda t: t.id)
def test_every_known_mistake_gets_its_targeted_hint(task):
    assert task.mistakes, "every task lists its known mistakes"
    for mistake in task.mistakes:
        fb = check(task.id, task.evaluate(mistake.value))
        assert fb.status == "wrong" and fb.mistake == mistake.name, (mistake.name, str(fb))
        assert fb.message == mistake.hint


@pytest.mark.parametrize("task", LESSON_02, ids=lambda t: t.id)
def test_every_trap_gives_its_own_value(task):
    values = [_expected(task)]
    for mistake in task.mistakes:
        value = task.kind.target(task.evaluate(mistake.value))
        tol = task.tolerance if mistake.tolerance is None else mistake.tolerance
        assert not any(task.kind.same(value, v, tol) for v in values), mistake.name
        values.append(value)


def test_scoring_functions_get_the_hint_of_what_they_got_wrong():
    for fn, words in FUNCTION_CASES:
        fb = check("02.6", fn)
        assert fb.status == "wrong" and words in fb.message, (words, fb.message)
    fb = check("02.6", lambda i, s, r, b: {"west": 1.0}[r])  # fails on the first lead
    assert "raised KeyError" in fb.message


def test_a_correct_function_need_not_round():
    def score(industry, company_size, region, budget):
        return _weighted(industry, company_size, region, budget, min(budget / 8000, 1.0))

    assert check("02.6", score).passed


def test_a_selection_given_as_ids_or_a_frame():
    campaign = campaign_leads()
    right = campaign[campaign["lead_id"].isin(["K01", "K02", "K08", "K09", "K12"])]
    assert check("02.5", right).passed
    fb = check("02.5", right["lead_id"].tolist())
    assert fb.status == "wrong type" and "boolean mask" in fb.message
    fb = check("02.5", right[right["lead_id"] != "K09"])
    assert fb.mistake is None and "1 that belong in the answer are missing" in fb.message


# ---------------------------------------------------------------- no leaks, types
@pytest.mark.parametrize("task", LESSON_02, ids=lambda t: t.id)
def test_no_feedback_reveals_the_answer(task):
    expected = _expected(task)
    answers = [..., task.evaluate(task.expected), *_known_wrong_answers(task),
               *_wrong_types(task)]
    if isinstance(task.kind, Number):
        answers.append(expected * 1.37 + 11)
    for answer in answers:
        fb = check(task.id, answer)
        assert not leaks(str(fb), expected), (fb.status, str(fb))
        assert not leaks(fb._repr_html_(), expected)
    texts = [task.hint, task.why, *(m.hint for m in task.mistakes)]
    if isinstance(task.kind, Function):
        texts += list(task.kind.hints.values())
    for text in texts:
        assert not leaks(text, expected), text


@pytest.mark.parametrize("task", LESSON_02, ids=lambda t: t.id)
def test_placeholder_and_wrong_types(task):
    assert "not attempted yet" in str(check(task.id, ...)).lower()
    for answer in _wrong_types(task):
        fb = check(task.id, answer)
        assert fb.status == "wrong type", answer
        assert fb.message.startswith(("Your ", "That is not")), fb.message


def test_general_hint_for_a_number_no_known_mistake_explains():
    task = get_task("02.4")
    fb = check("02.4", _expected(task) * 1.37 + 11)
    assert fb.mistake is None and fb.message == task.hint


@pytest.mark.parametrize("task", [t for t in LESSON_02 if isinstance(t.kind, Number)],
                         ids=lambda t: t.id)
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
    master = nbformat.read(ROOT / "answers" / "02_leads.ipynb", as_version=4)
    headings = [c.source.splitlines()[0] for c in master.cells if c.cell_type == "markdown"]
    code = "\n".join(c.source for c in master.cells if c.cell_type == "code")
    for task in LESSON_02:
        assert set(task.clauses) <= known
        assert f"## {task.heading}" in headings
        assert f'ex.check("{task.id}", ' in code


def test_answers_are_stored_executed_and_correct():
    master = nbformat.read(ROOT / "answers" / "02_leads.ipynb", as_version=4)
    assert master.metadata.kernelspec.name == "python3"
    code = [c for c in master.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code)
    checks = [c for c in code if "ex.check(" in c.source]
    assert len(checks) == len(LESSON_02)
    for cell in checks:
        text = cell.outputs[-1]["data"]["text/plain"]
        assert text.splitlines()[1].startswith("Correct."), text
    assert "6 of 6 tasks correct." in code[-1].outputs[-1]["data"]["text/plain"]


def test_exercise_notebook_runs_and_every_check_is_not_attempted():
    nb = _execute(ROOT / "exercises" / "02_leads.ipynb")
    code = [c for c in nb.cells if c.cell_type == "code"]
    checks = [c for c in code if "ex.check(" in c.source]
    assert len(checks) == len(LESSON_02)
    for cell in checks:
        shown = cell.outputs[-1]["data"]
        assert "Not attempted yet." in shown["text/plain"]
        assert "#6e7781" in shown["text/html"]
    progress = code[-1].outputs[-1]["data"]["text/plain"]
    assert progress.count("not attempted") == len(LESSON_02)
    assert "0 of 6 tasks correct." in progress
