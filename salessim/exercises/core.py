"""Tasks, feedback and grading: the part of the exercises that every lesson shares (R3.3.1).

A :class:`Task` is one question of an exercise notebook. It names the clauses it practises,
says what kind of answer it wants (a :class:`Kind`: a number, a set of ids, an order of steps,
a letter, a function, ...), computes its expected answer from the exercise's data with the
package's own functions, and lists the mistakes learners are known to make, each as a function
computing the value that mistake would produce from the same data.

:func:`grade` turns an answer into a :class:`Feedback`: "correct" with one sentence on why it
matters, "not attempted yet" for a placeholder (``...``), the hint of the matching known
mistake, a general hint, or a plain explanation when the answer has the wrong type. Feedback
never shows the correct value.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

__all__ = ["AnswerTypeError", "Feedback", "Kind", "Mistake", "Task", "grade"]

CORRECT = "correct"
WRONG = "wrong"
WRONG_TYPE = "wrong type"
NOT_ATTEMPTED = "not attempted"

_STYLE = {  # status -> (border, background, label)
    CORRECT: ("#1a7f37", "#e6f4ea", "Correct"),
    WRONG: ("#cf222e", "#fdecea", "Not yet"),
    WRONG_TYPE: ("#cf222e", "#fdecea", "Not yet"),
    NOT_ATTEMPTED: ("#6e7781", "#f6f8fa", "Not attempted yet"),
}


class AnswerTypeError(Exception):
    """An answer a task cannot use as it is; the message explains why in plain words."""


@dataclass(frozen=True)
class Feedback:
    """The result of checking one answer.

    In a notebook it shows as a green (correct), red (not yet) or grey (not attempted) box;
    ``str()`` gives the same text for a terminal.

    Attributes
    ----------
    task_id, heading : str
        The task's id (``"06.4"``) and its full heading with clause IDs.
    status : str
        ``"correct"``, ``"wrong"``, ``"wrong type"`` or ``"not attempted"``.
    message : str
        What to read: why it matters, the hint, or the explanation.
    mistake : str or None
        The name of the known mistake the answer matched, if any.
    """

    task_id: str
    heading: str
    status: str
    message: str
    mistake: str | None = None

    @property
    def passed(self) -> bool:
        """Whether the answer is correct."""
        return self.status == CORRECT

    @property
    def label(self) -> str:
        """``"Correct"``, ``"Not yet"`` or ``"Not attempted yet"``."""
        return _STYLE[self.status][2]

    def __str__(self) -> str:
        if self.status == NOT_ATTEMPTED:
            return f"{self.heading}\nNot attempted yet. {self.message}"
        return f"{self.heading}\n{self.label}. {self.message}"

    __repr__ = __str__

    def _repr_html_(self) -> str:
        border, background, label = _STYLE[self.status]
        return (
            f'<div style="border-left: 6px solid {border}; background-color: {background}; '
            f'padding: 6px 12px; margin: 4px 0;">'
            f"<div><b>{html.escape(self.heading)}</b></div>"
            f'<div><b style="color: {border};">{label}.</b> {html.escape(self.message)}</div>'
            f"</div>"
        )


@dataclass(frozen=True)
class Mistake:
    """A known mistake: what it is, the hint that addresses it, and the answer it produces.

    Parameters
    ----------
    name : str
        A short name, e.g. ``"end-of-quarter customers"``; tests and trainers use it.
    hint : str
        What the learner did and how to think about it, without the correct value.
    value : callable, optional
        ``value(data)`` returns the answer this mistake produces from the task's data.
    when : callable, optional
        ``when(answer, data)`` returns True if the answer (already read by the task's kind)
        shows this mistake; for mistakes that are a pattern rather than one value (an order
        of steps with the contract before the quote).
    tolerance : float, optional
        A tolerance for comparing with ``value``; the task's tolerance when not given.
    """

    name: str
    hint: str
    value: Callable[[Any], Any] | None = None
    when: Callable[[Any, Any], bool] | None = None
    tolerance: float | None = None

    def __post_init__(self) -> None:
        if (self.value is None) == (self.when is None):
            raise ValueError(f"mistake {self.name!r}: give exactly one of value= or when=")


class Kind:
    """How answers of one kind are read, compared and explained.

    Subclasses override the small hooks below; a kind that needs a different procedure
    altogether (a plan checked by simulating it) overrides :meth:`grade`.
    """

    #: what the task asks for, in words, e.g. "a number" (used in explanations)
    expects: str = "an answer"

    def describe(self, tolerance: float | None = None) -> str:
        """What to give and how it is compared, e.g. "an amount in CNY (within 0.5 CNY ...)"."""
        return self.expects

    def is_placeholder(self, answer: Any) -> bool:
        """Whether the answer is still the exercise's placeholder (``...``)."""
        return answer is Ellipsis

    def read(self, answer: Any) -> Any:
        """Return the answer in comparable form, or raise :class:`AnswerTypeError`."""
        return answer

    def target(self, value: Any) -> Any:
        """Return an expected or mistaken value in the same form as :meth:`read`."""
        return value

    def same(self, answer: Any, target: Any, tolerance: float | None = None) -> bool:
        """Whether a read answer equals a target (within ``tolerance`` where numbers)."""
        return answer == target

    def diagnose(self, answer: Any, expected: Any) -> str | None:
        """A hint for a wrong answer that matched no known mistake, or None.

        It may describe how the answer differs (ids that should not be there, the category of
        a failing case) but must never reveal the expected value.
        """
        return None

    def grade(self, task: Task, answer: Any, data: Any) -> Feedback:
        """Check an answer to ``task`` against its expected value and known mistakes."""
        if self.is_placeholder(answer):
            return task.feedback(NOT_ATTEMPTED, "Replace the ... with your answer and run the "
                                 f"cell again. Give {self.describe(task.tolerance)}.")
        try:
            got = self.read(answer)
        except AnswerTypeError as exc:
            return task.feedback(WRONG_TYPE, str(exc))
        expected = self.target(task.evaluate(task.expected))
        if self.same(got, expected, task.tolerance):
            return task.feedback(CORRECT, task.why)
        for mistake in task.mistakes:
            if mistake.when is not None:
                hit = mistake.when(got, data)
            else:
                tol = task.tolerance if mistake.tolerance is None else mistake.tolerance
                hit = self.same(got, self.target(task.evaluate(mistake.value)), tol)
            if hit:
                return task.feedback(WRONG, mistake.hint, mistake=mistake.name)
        detail = self.diagnose(got, expected)
        return task.feedback(WRONG, f"{detail} {task.hint}" if detail else task.hint)


@dataclass(frozen=True)
class Task:
    """One exercise task.

    Parameters
    ----------
    id : str
        ``"NN.k"``: the lesson number and the task's number in it, e.g. ``"06.4"``.
    title : str
        A short title with the Chinese term of its key concept, e.g.
        ``"Retention rate (留存率)"``.
    clauses : tuple of str
        The clause IDs it practises (R2.2.1.2, ...).
    kind : Kind
        What kind of answer it wants and how answers are compared.
    expected : callable
        ``expected(data)`` computes the correct answer with the package's own functions.
    why : str
        One sentence on why it matters, shown when the answer is correct.
    hint : str
        The general hint for a wrong answer that matches no known mistake.
    mistakes : tuple of Mistake
        Known mistakes, tried in order.
    data : callable, optional
        A function without arguments returning the task's data (a ledger, ...). Loaded once
        per process for checking and never handed to the learner.
    tolerance : float, optional
        Numeric tolerance (absolute) of the comparison, stated to the learner.
    """

    id: str
    title: str
    clauses: tuple[str, ...]
    kind: Kind
    expected: Callable[[Any], Any]
    why: str
    hint: str
    mistakes: tuple[Mistake, ...] = ()
    data: Callable[[], Any] | None = None
    tolerance: float | None = None

    def __post_init__(self) -> None:
        lesson, _, number = self.id.partition(".")
        if not (lesson.isdigit() and len(lesson) == 2 and number.isdigit()):
            raise ValueError(f"task id {self.id!r}: expected 'NN.k', e.g. '06.4'")
        if not self.clauses:
            raise ValueError(f"task {self.id}: name at least one clause ID")
        names = [m.name for m in self.mistakes]
        if len(set(names)) != len(names):
            raise ValueError(f"task {self.id}: mistake names must be unique, got {names}")

    @property
    def notebook(self) -> str:
        """The lesson number, e.g. ``"06"``."""
        return self.id.partition(".")[0]

    @property
    def heading(self) -> str:
        """``"Task 06.4 — Retention rate (留存率), R2.2.1.2"``."""
        return f"Task {self.id} — {self.title}, {', '.join(self.clauses)}"

    def feedback(self, status: str, message: str, mistake: str | None = None) -> Feedback:
        """A :class:`Feedback` for this task."""
        return Feedback(self.id, self.heading, status, message, mistake)

    def load_data(self) -> Any:
        """The task's data as used for checking (shared; do not modify it)."""
        return None if self.data is None else _loaded(self.data)

    def evaluate(self, compute: Callable[[Any], Any]) -> Any:
        """``compute(data)`` for the task's data (the expected value or a mistake's value).

        The result is computed once per process: the data is fixed, and a scorecard takes a
        moment to compute. Callers must not modify it.
        """
        if self.data is None:
            return compute(None)
        return _evaluated(compute, self.data)


@lru_cache(maxsize=16)
def _loaded(loader: Callable[[], Any]) -> Any:
    return loader()


@lru_cache(maxsize=1024)
def _evaluated(compute: Callable[[Any], Any], loader: Callable[[], Any]) -> Any:
    return compute(_loaded(loader))


def grade(task: Task, answer: Any) -> Feedback:
    """Check ``answer`` to ``task`` and return its :class:`Feedback` (see :meth:`Kind.grade`)."""
    return task.kind.grade(task, answer, task.load_data())
