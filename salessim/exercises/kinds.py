"""The kinds of answer a task can ask for, and the mistakes every lesson reuses.

Each kind reads an answer (explaining in plain words when it cannot use it), compares it with
the expected value and describes how it differs without revealing that value:

- :class:`Number`: a KPI or pay figure, compared within a stated tolerance;
- :class:`IdSet`: a selection (leads that pass screening, reps that meet their targets),
  given as ids or as a DataFrame with an id column, compared as a set;
- :class:`Ordering`: the steps of a process in order;
- :class:`Choice`: the letter of a multiple-choice option;
- :class:`Function`: a small function, called on cases the learner does not see.

A kind that needs its own procedure (a plan checked by simulating it) subclasses
:class:`~salessim.exercises.core.Kind` and overrides ``grade``.
"""

from __future__ import annotations

import dis
import inspect
import math
import numbers
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from .core import AnswerTypeError, Kind, Mistake

__all__ = ["Case", "Choice", "Function", "IdSet", "Number", "Ordering", "as_percentage",
           "option"]


def _fmt(x: float) -> str:
    return f"{x:.10f}".rstrip("0").rstrip(".")


def _what(answer: Any) -> str:
    """A plain description of a value's type, e.g. "a list"; never its content."""
    if answer is None:
        return "None (nothing)"
    if isinstance(answer, bool | np.bool_):
        return "True or False (a yes/no value)"
    if isinstance(answer, str):
        return "text (a string in quotes)"
    if isinstance(answer, pd.DataFrame):
        return "a table (DataFrame)"
    if isinstance(answer, pd.Series):
        return "a pandas Series (a column of values)"
    if isinstance(answer, np.ndarray):
        return "a numpy array"
    if isinstance(answer, list | tuple | set | frozenset | dict):
        return f"a {type(answer).__name__}"
    if callable(answer):
        return "a function"
    if isinstance(answer, numbers.Number):
        return "a number"
    return f"a {type(answer).__name__}"


# ------------------------------------------------------------------ numbers
@dataclass(frozen=True)
class Number(Kind):
    """A single number: a KPI, an amount of money, a count.

    Parameters
    ----------
    unit : str
        Shown to the learner, e.g. ``"CNY"`` or ``"customers"``; empty for a ratio.
    fraction : bool
        The answer is a rate between 0 and 1 (a fraction), not a percentage.
    ratio : bool
        The answer is a ratio that may exceed 1 (attainment), not a percentage.
    """

    unit: str = ""
    fraction: bool = False
    ratio: bool = False

    @property
    def expects(self) -> str:
        if self.fraction:
            return "a fraction between 0 and 1, not a percentage"
        if self.ratio:
            return "a plain ratio, not a percentage"
        if self.unit == "CNY":
            return "an amount in CNY"
        return f"a number of {self.unit}" if self.unit else "a number"

    def describe(self, tolerance: float | None = None) -> str:
        if not tolerance:
            return self.expects
        unit = f" {self.unit}" if self.unit else ""
        return (f"{self.expects} (within {_fmt(tolerance)}{unit} of the correct value counts "
                "as correct)")

    def read(self, answer: Any) -> float:
        if isinstance(answer, np.ndarray) and answer.ndim == 0:
            answer = answer.item()
        if isinstance(answer, bool | np.bool_) or not isinstance(answer, numbers.Real | Decimal):
            raise AnswerTypeError(self._type_message(answer))
        value = float(answer)
        if math.isnan(value):
            raise AnswerTypeError(
                "Your answer is NaN (not a number). That usually comes from dividing zero by "
                "zero or from a calculation over no rows: check that your filter keeps the "
                "rows you meant."
            )
        if math.isinf(value):
            raise AnswerTypeError("Your answer is infinite: somewhere you divided by zero. "
                                  "Check the denominator of your calculation.")
        return value

    def _type_message(self, answer: Any) -> str:
        head = f"Your answer is {_what(answer)}; this task asks for {self.expects}."
        if isinstance(answer, bool | np.bool_):
            return head
        if answer is None:
            return (f"{head} Did you assign the result of print(...) or of a function that "
                    "returns nothing? Assign the value itself.")
        if isinstance(answer, str):
            return (f"{head} If it looks like a number, remove the quotes; if you formatted it "
                    "(with an f-string or a % sign), give the unformatted number and leave the "
                    "formatting to print().")
        if isinstance(answer, pd.Series | pd.DataFrame | np.ndarray | list | tuple):
            return (f"{head} Keep only the row you were asked about and take its value out, "
                    "for example with .sum() or .item().")
        return head

    def target(self, value: Any) -> float:
        return float(value)

    def same(self, answer: float, target: float, tolerance: float | None = None) -> bool:
        return abs(answer - target) <= (tolerance or 0.0) + 1e-9 * max(1.0, abs(target))


def as_percentage(expected: Callable[[Any], Any], tolerance: float) -> Mistake:
    """The mistake of giving a percentage (x 100) where a fraction was asked."""
    return Mistake(
        "percentage instead of fraction",
        "Your answer is 100 times too large: it looks like a percentage. This task asks for "
        "the plain ratio, so do not multiply by 100.",
        value=lambda data: 100 * float(expected(data)),
        tolerance=100 * tolerance,
    )


# ------------------------------------------------------------------ sets of ids
@dataclass(frozen=True)
class IdSet(Kind):
    """A selection of rows, compared by their ids (order and duplicates do not matter).

    Parameters
    ----------
    column : str
        The id column, e.g. ``"rep_id"`` or ``"lead_id"``.
    frame : bool
        The task asks for a DataFrame holding that column (the selected rows); when False,
        a list, set, Series or DataFrame of ids is accepted.
    """

    column: str = "rep_id"
    frame: bool = False

    @property
    def expects(self) -> str:
        if self.frame:
            return f"a DataFrame (the selected rows) with a {self.column} column"
        return f"the {self.column} values, as a list or set of text ids (empty if none)"

    def read(self, answer: Any) -> frozenset[str]:
        if self.frame and not isinstance(answer, pd.DataFrame):
            extra = ""
            if isinstance(answer, list | tuple | set | frozenset | pd.Series | pd.Index):
                extra = (" Keep the rows of the table with a boolean mask, table[mask], "
                         "instead of collecting their ids.")
            raise AnswerTypeError(f"Your answer is {_what(answer)}; this task asks for "
                                  f"{self.expects}.{extra}")
        return self._ids(answer)

    def target(self, value: Any) -> frozenset[str]:
        return self._ids(value)

    def _ids(self, answer: Any) -> frozenset[str]:
        if isinstance(answer, pd.DataFrame):
            if self.column in answer.columns:
                values = answer[self.column]
            elif answer.index.name == self.column:
                values = answer.index
            else:
                cols = ", ".join(map(str, answer.columns)) or "none"
                raise AnswerTypeError(
                    f"Your table has no {self.column} column (its columns: {cols}). Select "
                    f"rows with a mask and keep the {self.column} column."
                )
        elif isinstance(answer, pd.Series | pd.Index | list | tuple | set | frozenset) or (
            isinstance(answer, np.ndarray) and answer.ndim == 1
        ):
            values = answer
        elif isinstance(answer, str):
            raise AnswerTypeError(
                "Your answer is a single piece of text; give a collection of ids, such as a "
                "list of strings (an empty list if none qualify)."
            )
        else:
            raise AnswerTypeError(f"Your answer is {_what(answer)}; this task asks for "
                                  f"{self.expects}.")
        ids = []
        for v in values:
            if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
                raise AnswerTypeError("Your answer contains a missing value (None or NaN) "
                                      "among the ids; drop the rows without an id.")
            if not isinstance(v, str):
                raise AnswerTypeError(
                    f"Your answer contains {_what(v)} among the ids; ids are text, as in the "
                    f"{self.column} column."
                )
            ids.append(str(v))
        return frozenset(ids)

    def same(self, answer, target, tolerance=None) -> bool:
        return answer == target

    def diagnose(self, answer: frozenset[str], expected: frozenset[str]) -> str | None:
        extra = sorted(answer - expected)
        missing = len(expected - answer)
        parts = []
        if extra:
            shown = ", ".join(extra[:5]) + (", ..." if len(extra) > 5 else "")
            parts.append(f"{len(extra)} of your ids should not be there ({shown})")
        if missing:
            parts.append(f"{missing} that belong in the answer are missing")
        return ("In your answer " + " and ".join(parts) + ".") if parts else None


# ------------------------------------------------------------------ orderings
@dataclass(frozen=True)
class Ordering(Kind):
    """Steps of a process, in order: a list of the step labels shown in the task.

    Parameters
    ----------
    steps : tuple of str
        The labels the learner orders (for example ``("A", "B", "C", "D")``).
    """

    steps: tuple[str, ...] = ()

    @property
    def expects(self) -> str:
        return f"a list of the step labels {', '.join(self.steps)} in order"

    def read(self, answer: Any) -> tuple[str, ...]:
        if isinstance(answer, str) and all(len(s) == 1 for s in self.steps):
            answer = re.findall(r"\w", answer)
        if not isinstance(answer, list | tuple) or not all(isinstance(a, str) for a in answer):
            raise AnswerTypeError(f"Your answer is {_what(answer)}; this task asks for "
                                  f"{self.expects}, as a list of strings.")
        labels = tuple(self._label(a) for a in answer)
        unknown = [a for a in labels if a not in self.steps]
        if unknown:
            raise AnswerTypeError(f"{', '.join(unknown)} is not one of the step labels "
                                  f"({', '.join(self.steps)}).")
        twice = sorted({a for a in labels if labels.count(a) > 1})
        if twice:
            raise AnswerTypeError(f"Each step comes once; your answer repeats "
                                  f"{', '.join(twice)}.")
        left_out = [s for s in self.steps if s not in labels]
        if left_out:
            raise AnswerTypeError(f"Put every step in the order; you left out "
                                  f"{', '.join(left_out)}.")
        return labels

    def _label(self, text: str) -> str:
        text = text.strip()
        upper = text.upper()
        return upper if upper in self.steps and text not in self.steps else text

    def target(self, value: Any) -> tuple[str, ...]:
        return tuple(value)

    def diagnose(self, answer: tuple[str, ...], expected: tuple[str, ...]) -> str | None:
        k = next(i for i, (a, b) in enumerate(zip(answer, expected, strict=True)) if a != b)
        if k == 0:
            return "Your first step is not where the process starts."
        return f"Your first {k} step{'s are' if k > 1 else ' is'} right; look again after that."


# ------------------------------------------------------------------ multiple choice
@dataclass(frozen=True)
class Choice(Kind):
    """One option of a multiple-choice question, given as its letter."""

    options: tuple[str, ...] = ("A", "B", "C", "D")

    @property
    def expects(self) -> str:
        return f"one of the letters {', '.join(self.options)}, as text in quotes"

    def read(self, answer: Any) -> str:
        if not isinstance(answer, str):
            raise AnswerTypeError(f"Your answer is {_what(answer)}; this task asks for "
                                  f"{self.expects}.")
        letter = answer.strip().strip("()").strip().upper()
        if letter not in self.options:
            raise AnswerTypeError(f"That is not one of the options; give {self.expects}.")
        return letter

    def target(self, value: Any) -> str:
        return str(value).upper()


def option(letter: str, hint: str) -> Mistake:
    """The mistake of choosing option ``letter``, with the hint that explains why not."""
    return Mistake(f"option {letter}", hint, value=lambda data: letter)


# ------------------------------------------------------------------ functions
@dataclass(frozen=True)
class Case:
    """A hidden test case of a function task: the arguments and the category they belong to
    (for example ``"a number with the +86 country code"``), which feedback may name."""

    args: tuple
    category: str


@dataclass(frozen=True)
class _Raised:
    name: str
    message: str


@dataclass(frozen=True)
class Function(Kind):
    """A function the learner writes, called on hidden cases.

    The expected value (and each mistake's value) is a reference function; answers are
    compared by their results on every case. A wrong answer gets the hint of the first failing
    case's category, never that case's expected result.

    Parameters
    ----------
    cases : tuple of Case
        The hidden cases, all with the same number of arguments.
    hints : mapping of str to str
        Hint per case category.

    Results that are numbers compare within the task's tolerance.
    """

    cases: tuple[Case, ...] = ()
    hints: Mapping[str, str] = field(default_factory=dict)

    @property
    def expects(self) -> str:
        n = len(self.cases[0].args) if self.cases else 0
        return f"a function (written with def) of {n} argument{'s' if n != 1 else ''}"

    def is_placeholder(self, answer: Any) -> bool:
        return answer is Ellipsis or _is_stub(answer)

    def read(self, answer: Any) -> tuple:
        if not callable(answer):
            raise AnswerTypeError(f"Your answer is {_what(answer)}; this task asks for "
                                  f"{self.expects}.")
        n = len(self.cases[0].args)
        try:
            inspect.signature(answer).bind(*self.cases[0].args)
        except TypeError:
            raise AnswerTypeError(f"Your function cannot be called the way the task asks: it "
                                  f"must take {n} argument{'s' if n != 1 else ''}.") from None
        except ValueError:  # no signature available (a builtin): just call it
            pass
        return tuple(self._run(answer, case) for case in self.cases)

    @staticmethod
    def _run(fn: Callable, case: Case) -> Any:
        try:
            return fn(*case.args)
        except Exception as exc:  # the learner's code: report, never propagate
            text = str(exc).splitlines()[0][:120] if str(exc) else ""
            return _Raised(type(exc).__name__, text)

    def target(self, value: Any) -> tuple:
        return tuple(value(*case.args) for case in self.cases)

    def same(self, answer: tuple, target: tuple, tolerance: float | None = None) -> bool:
        return all(_equal(a, b, tolerance) for a, b in zip(answer, target, strict=True))

    def diagnose(self, answer: tuple, expected: tuple) -> str | None:
        for case, got, want in zip(self.cases, answer, expected, strict=True):
            if _equal(got, want, None):
                continue
            if isinstance(got, _Raised):
                detail = f": {got.message}" if got.message else ""
                return f"Your function raised {got.name}{detail} on {case.category}."
            if type(got) is not type(want) and not (isinstance(got, numbers.Real)
                                                    and isinstance(want, numbers.Real)):
                return (f"On {case.category} your function returns {_what(got)}, but the "
                        f"result should be {_what(want)}.")
            return self.hints.get(case.category,
                                  f"Your function gives a wrong result on {case.category}.")
        return None


def _equal(a: Any, b: Any, tolerance: float | None) -> bool:
    if isinstance(a, _Raised):
        return False
    both_numbers = all(isinstance(x, numbers.Real) and not isinstance(x, bool) for x in (a, b))
    if both_numbers:
        return abs(float(a) - float(b)) <= (tolerance or 0.0) + 1e-9 * max(1.0, abs(float(b)))
    try:
        return bool(a == b)
    except Exception:  # an object whose == does not give a truth value
        return False


_NO_OPS = {"RESUME", "NOP", "CACHE", "COPY_FREE_VARS", "MAKE_CELL"}


def _is_stub(fn: Any) -> bool:
    """Whether ``fn`` is a function whose body does nothing (``...``, ``pass``, a docstring)."""
    code = getattr(fn, "__code__", None)
    if code is None:
        return False
    ops = [(i.opname, i.argval) for i in dis.get_instructions(code) if i.opname not in _NO_OPS]
    return ops in ([("RETURN_CONST", None)], [("LOAD_CONST", None), ("RETURN_VALUE", None)])
