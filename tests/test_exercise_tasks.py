"""What every exercise task and every lesson's pair of notebooks must do, whatever the lesson
(R3.3.1: training on the regulation).

Each lesson found in the task registry (``salessim/exercises/tasks_NN.py``) or in ``answers/``
gets a class ``TestLessonNN`` of the checks below, run on each of its tasks, so a new lesson is
checked without new test code:

- no feedback reveals the correct value, whatever the answer (``leaks`` of test_exercises);
- the placeholder ``...`` is "not attempted yet"; answers of the wrong type get a plain
  explanation (status "wrong type"), never a traceback;
- a stated tolerance is applied as stated;
- every known mistake with a value gets its own hint and gives a value of its own; a wrong
  answer that matches no known mistake gets the general hint;
- titles cite known clauses and head their task in the answers notebook, with its check;
- the answers notebook is stored executed with every check correct, and the exercise notebook
  runs top to bottom (once per lesson) with every check not attempted.

Answers of the wrong type, and wrong answers that match no known mistake, come per kind of
answer from ``WRONG_TYPES`` and ``UNKNOWN_WRONG``, keyed by the kind's class name; a subclass
uses its base class's samples (``Mask`` those of ``Function``) and an unknown kind the
``"Kind"`` entry. The lesson modules (``test_exercises_NN.py``) keep what only they know:
hand-computed answers and mistakes, answers showing the mistakes that are patterns
(``Mistake(when=...)``) and task-specific behaviour, checked with :func:`assert_targeted_hint`
and :func:`assert_hidden`.

One class per lesson lets ``pytest -n 2 --dist loadscope`` run the lessons, and their slow
notebook runs, on different workers.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd
import pytest
from test_exercises import _execute, leaks

from salessim.exercises import Feedback, Kind, Number, Task, check, tasks
from salessim.incentives import Commission
from salessim.regulation import CLAUSES

ROOT = Path(__file__).resolve().parents[1]

#: every lesson with tasks or with a worked answers notebook
LESSONS = sorted({t.notebook for t in tasks()}
                 | {p.name[:2] for p in (ROOT / "answers").glob("[0-9][0-9]_*.ipynb")})

#: how an explanation of a wrong type may open: it speaks to the learner about the answer
OPENING = re.compile(r"Your |That is not |Each step |Put every |\S+ is not one of ")


# ---------------------------------------------------------------- helpers for every lesson
def expected_value(task: Task) -> Any:
    """The task's correct answer in the form its kind compares (a float, a frozenset, ...)."""
    return task.kind.target(task.evaluate(task.expected))


def assert_hidden(task: Task, answers) -> None:
    """Assert that the feedback to each of ``answers`` shows the correct value neither as text
    nor as HTML."""
    expected = expected_value(task)
    for answer in answers:
        fb = check(task.id, answer)
        assert not leaks(str(fb), expected), (fb.status, str(fb))
        assert not leaks(fb._repr_html_(), expected), (fb.status, fb._repr_html_())


def assert_targeted_hint(task: Task, name: str, answer) -> Feedback:
    """Assert that ``answer`` is recognised as the known mistake ``name``, gets exactly that
    mistake's hint and does not reveal the correct value."""
    mistake = next(m for m in task.mistakes if m.name == name)
    fb = check(task.id, answer)
    assert fb.status == "wrong" and fb.mistake == name, (name, str(fb))
    assert fb.message == mistake.hint
    assert_hidden(task, [answer])
    return fb


# ---------------------------------------------------------------- samples per kind of answer
# Each entry maps (task, expected value) to (answer, words): an answer of the wrong type and
# words its explanation must contain.
def _number_types(task: Task, expected) -> list:
    return [(f"{expected:g}", "text"), (None, "None"), ([1.0, 2.0], "a list"),
            (pd.Series([1.0]), "Series"), (pd.DataFrame({"x": [1.0]}), "DataFrame"),
            (True, "True or False"), (float("nan"), "NaN"), (float("inf"), "infinite"),
            (print, "a function")]


def _choice_types(task: Task, expected) -> list:
    outside = next(x for x in "ZYXW" if x not in task.kind.options)
    return [(3, "a number"), (None, "None"), ([expected], "a list"), (True, "True or False"),
            (outside, "not one of the options")]


def _ordering_types(task: Task, expected) -> list:
    steps = list(expected)
    unknown = next(x for x in "ZYXW" if x not in steps)
    samples = [(3, "a number"), (None, "None"), (steps[:2], "you left out"),
               (steps[:1] * 2 + steps[2:], "repeats"), (steps + steps[-1:], "repeats"),
               (steps[:-1] + [unknown], f"{unknown} is not one of the step labels")]
    if all(len(s) == 1 for s in task.kind.steps):  # letters in one string are read too
        samples += [("".join(steps[:-1]), "you left out"),
                    ("".join(steps[:-1]) + unknown, f"{unknown} is not one of the step labels")]
    return samples


def _id_set_types(task: Task, expected) -> list:
    kind = task.kind
    some = min(expected, default="ZZ01")
    rows = "DataFrame" if kind.frame else None  # a table is asked for: anything else says so
    samples = [(some, rows or "single piece of text"), (42, "a number"), (None, "None"),
               ([1, 2], rows or "ids are text"), ([some, None], rows or "missing value"),
               (pd.DataFrame({"other": [some]}), f"no {kind.column} column")]
    if kind.frame:
        samples.append(([some], "table[mask]"))
    return samples


def _function_types(task: Task, expected) -> list:
    n = len(task.kind.cases[0].args)
    text = next((r for r in expected if isinstance(r, str)), "a result")
    return [(text, "text"), (42, "a number"), (None, "None"),
            (lambda: 0, f"must take {n} argument")]


def _shareable_types(task: Task, expected) -> list:
    return [("138****0101", "text"), (42, "a number"), (None, "None"),
            (lambda a, b: a, "must take 1 argument")]


def _plan_types(task: Task, expected) -> list:
    return [("regulation", "text"), (42, "a number"), (None, "None"),
            ([Commission(period="Q", rate=0.08)], "a list")]


WRONG_TYPES: dict[str, Callable[[Task, Any], list]] = {
    "Number": _number_types, "Choice": _choice_types, "Ordering": _ordering_types,
    "IdSet": _id_set_types, "Function": _function_types, "Shareable": _shareable_types,
    "PlanDesign": _plan_types,
    "Kind": lambda task, expected: [(None, "None")],  # any other kind
}

# Candidate wrong answers that match no known mistake (those near one are left out by
# unknown_wrong); a kind without an entry is not checked this way.
UNKNOWN_WRONG: dict[str, Callable[[Task, Any], list]] = {
    # far off and near, as multiples of the expected value and small offsets
    "Number": lambda task, x: [a * x + b for a, b in ((1.37, 11), (1.37, 0.7), (1.37, 0.11),
                                                      (1.37, 0.011), (0.63, 0.011))],
    "IdSet": lambda task, x: [pd.DataFrame({task.kind.column: ["ZZ99"]})],
    "Function": lambda task, x: [lambda *args: "?"],
}


def _for_kind(table: Mapping[str, Callable], kind: Kind) -> Callable | None:
    return next((table[c.__name__] for c in type(kind).__mro__ if c.__name__ in table), None)


def wrong_types(task: Task) -> list:
    """``(answer, words)`` pairs: answers of the wrong type for ``task`` and words their
    explanation contains."""
    return _for_kind(WRONG_TYPES, task.kind)(task, expected_value(task))


def unknown_wrong(task: Task) -> list:
    """Wrong answers to ``task`` that match neither its expected value nor a known mistake
    with a value (empty if its kind has no samples)."""
    sample = _for_kind(UNKNOWN_WRONG, task.kind)
    if sample is None:
        return []
    kind = task.kind
    targets = [(expected_value(task), task.tolerance)] + [
        (kind.target(task.evaluate(m.value)),
         task.tolerance if m.tolerance is None else m.tolerance)
        for m in task.mistakes if m.value is not None]
    # a candidate near a trap (1.37 x 0.43 + 0.011 is 03.2's "no wait" 0.6) is no sample
    chosen = [answer for answer in sample(task, expected_value(task))
              if not any(kind.same(kind.read(answer), value, 2 * (tol or 0))
                         for value, tol in targets)]
    assert chosen, f"task {task.id}: every sample wrong answer is near a known mistake"
    return chosen


def kind_texts(kind: Kind) -> list[str]:
    """Every text a kind holds and may show: its hints per case category, and the like."""
    texts = []
    for f in dataclasses.fields(kind) if dataclasses.is_dataclass(kind) else ():
        value = getattr(kind, f.name)
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, Mapping):
            texts += [v for v in value.values() if isinstance(v, str)]
    return texts


# ---------------------------------------------------------------- notebooks
def notebook_path(folder: str, lesson: str) -> Path:
    """The one notebook ``folder/NN_topic.ipynb`` of a lesson."""
    found = sorted((ROOT / folder).glob(f"{lesson}_*.ipynb"))
    assert len(found) == 1, (f"lesson {lesson}: expected one {folder}/{lesson}_*.ipynb, "
                             f"found {[p.name for p in found]}")
    return found[0]


@functools.cache
def _answers(lesson: str) -> nbformat.NotebookNode:
    return nbformat.read(notebook_path("answers", lesson), as_version=4)


def _code(nb) -> list:
    return [c for c in nb.cells if c.cell_type == "code"]


def _checks(nb) -> list:
    return [c for c in _code(nb) if "ex.check(" in c.source]


# ---------------------------------------------------------------- parametrisation
def only(predicate: Callable[[Task], bool]):
    """Run a per-task test only on the tasks for which ``predicate`` holds."""
    def mark(test):
        test.task_filter = predicate
        return test
    return mark


def pytest_generate_tests(metafunc):
    if "task" in metafunc.fixturenames:
        keep = getattr(metafunc.function, "task_filter", lambda t: True)
        chosen = [t for t in tasks(metafunc.cls.lesson) if keep(t)]
        metafunc.parametrize("task", chosen, ids=[t.id for t in chosen])


def _patterns(task: Task) -> bool:
    return any(m.when is not None for m in task.mistakes)


# ---------------------------------------------------------------- the checks of a lesson
class LessonChecks:
    """The generic checks of one lesson; ``TestLessonNN`` below sets ``lesson``."""

    lesson = ""

    # ------------------------------------------------------------ feedback
    def test_no_feedback_reveals_the_answer(self, task):
        answers = [..., task.evaluate(task.expected), *unknown_wrong(task),
                   *(answer for answer, _ in wrong_types(task)),
                   *(task.evaluate(m.value) for m in task.mistakes if m.value is not None)]
        assert_hidden(task, answers)
        # and no text at all, whichever answer would show it
        expected = expected_value(task)
        texts = [task.hint, task.why, *(m.hint for m in task.mistakes), *kind_texts(task.kind)]
        for text in texts:
            assert not leaks(text, expected), text

    def test_placeholder_is_not_attempted(self, task):
        fb = check(task.id, ...)
        assert fb.status == "not attempted" and not fb.passed
        assert "not attempted yet" in str(fb).lower()

    def test_wrong_types_are_explained_not_raised(self, task):
        for answer, words in wrong_types(task):
            fb = check(task.id, answer)
            assert fb.status == "wrong type", (answer, str(fb))
            assert words in fb.message, (words, fb.message)
            assert OPENING.match(fb.message), fb.message
            assert "Traceback" not in str(fb)

    @only(lambda t: bool(t.tolerance) and isinstance(t.kind, Number))
    def test_tolerance_is_applied_as_stated(self, task):
        expected = expected_value(task)
        assert check(task.id, expected + 0.9 * task.tolerance).passed
        assert check(task.id, expected - 0.9 * task.tolerance).passed
        assert not check(task.id, expected + 1.5 * task.tolerance).passed
        assert f"within {task.tolerance:g}" in check(task.id, ...).message

    # ------------------------------------------------------------ known mistakes
    def test_every_known_mistake_with_a_value_gets_its_targeted_hint(self, task):
        assert task.mistakes, "every task lists its known mistakes"
        for mistake in task.mistakes:
            if mistake.value is not None:
                assert_targeted_hint(task, mistake.name, task.evaluate(mistake.value))

    def test_every_trap_gives_its_own_value(self, task):
        # each mistake's value is distinct from the answer and from the other mistakes'
        values = [expected_value(task)]
        for mistake in task.mistakes:
            if mistake.value is None:
                continue
            value = task.kind.target(task.evaluate(mistake.value))
            tol = task.tolerance if mistake.tolerance is None else mistake.tolerance
            assert not any(task.kind.same(value, v, tol) for v in values), mistake.name
            values.append(value)

    # a pattern mistake may claim any wrong answer (05.6: every capacity but the right one)
    @only(lambda t: not _patterns(t) and _for_kind(UNKNOWN_WRONG, t.kind) is not None)
    def test_an_answer_no_known_mistake_explains_gets_the_general_hint(self, task):
        own_diagnosis = type(task.kind).diagnose is not Kind.diagnose
        for answer in unknown_wrong(task):
            fb = check(task.id, answer)
            assert fb.status == "wrong" and fb.mistake is None, (answer, str(fb))
            if own_diagnosis:  # the kind may say first how the answer differs
                assert fb.message.endswith(task.hint), fb.message
            else:
                assert fb.message == task.hint

    # ------------------------------------------------------------ the answers notebook
    def test_titles_cite_known_clauses_and_head_their_task_in_the_answers(self, task):
        master = _answers(self.lesson)
        headings = [c.source.splitlines()[0] for c in master.cells
                    if c.cell_type == "markdown" and c.source]
        code = "\n".join(c.source for c in _code(master))
        assert set(task.clauses) <= {c.id for c in CLAUSES}, task.clauses
        assert f"## {task.heading}" in headings
        assert f'ex.check("{task.id}", ' in code

    def test_answers_are_stored_executed_and_correct(self):
        # nbval compares stored outputs only for cells that were executed
        master = _answers(self.lesson)
        lesson = tasks(self.lesson)
        assert lesson, f"answers notebook of lesson {self.lesson} but no tasks registered"
        assert master.metadata.kernelspec.name == "python3"
        code = _code(master)
        assert all(c.execution_count is not None for c in code)
        shown = [c.outputs[-1]["data"]["text/plain"] for c in _checks(master)]
        assert [text.splitlines()[0] for text in shown] == [t.heading for t in lesson]
        for text in shown:
            assert text.splitlines()[1].startswith("Correct."), text
        n = len(lesson)
        assert f"{n} of {n} tasks correct." in code[-1].outputs[-1]["data"]["text/plain"]
        assert "0x" not in json.dumps([c.outputs for c in code])  # no memory addresses

    # ------------------------------------------------------------ the exercise notebook
    @pytest.fixture(scope="class")
    @classmethod
    def exercise_run(cls) -> nbformat.NotebookNode:
        """The lesson's exercise notebook run once, top to bottom, in a fresh kernel."""
        return _execute(notebook_path("exercises", cls.lesson))

    def test_exercise_notebook_checks_are_not_attempted(self, exercise_run):
        shown = [c.outputs[-1]["data"] for c in _checks(exercise_run)]
        assert [s["text/plain"].splitlines()[0] for s in shown] == [
            t.heading for t in tasks(self.lesson)]
        for data in shown:
            assert "Not attempted yet." in data["text/plain"]
            assert "#6e7781" in data["text/html"]  # grey, neither green nor red

    def test_exercise_notebook_ends_with_nothing_correct(self, exercise_run):
        progress = _code(exercise_run)[-1].outputs[-1]["data"]["text/plain"]
        n = len(tasks(self.lesson))
        assert progress.count("not attempted") == n
        assert f"0 of {n} tasks correct." in progress


for _lesson in LESSONS:
    globals()[f"TestLesson{_lesson}"] = type(f"TestLesson{_lesson}", (LessonChecks,),
                                             {"lesson": _lesson, "__doc__": f"Lesson {_lesson}."})


def test_every_lesson_has_tasks_and_both_notebooks():
    # a lesson is one tasks_NN.py, one answers/NN_topic.ipynb and its exercises/ copy
    def found(folder):
        return sorted(p.name for p in (ROOT / folder).glob("[0-9][0-9]_*.ipynb"))

    assert LESSONS == sorted({t.notebook for t in tasks()})
    assert [name[:2] for name in found("answers")] == LESSONS
    assert found("exercises") == found("answers")
