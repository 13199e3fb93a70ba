"""Exercise tasks of lesson 08: conduct and compliance (R2.3.1).

Two conduct cases (multiple choice, R2.3.1.1), three tasks on masking customer data before it
is shared (R2.3.1.2): a mobile number, a resident ID number and a whole CRM extract, each
checked on hidden cases, and the two satisfaction scores of the sample CRM's surveys in
2026Q1 (R2.3.1.3). Expected answers come from :mod:`salessim.privacy` and
:mod:`salessim.kpi`; the known mistakes are computed here the way a learner would make them.
All names and numbers in the hidden cases are fictional.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .. import kpi
from ..ledger import Ledger
from ..privacy import find_unmasked, mask_id_card, mask_phone
from .core import AnswerTypeError, Kind, Mistake, Task
from .datasets import sample_crm
from .kinds import Case, Choice, Function, Number, _is_stub, _what, as_percentage, option

__all__ = ["QUARTER", "TASKS", "Mask", "Shareable", "hidden_extract"]

QUARTER = "2026Q1"
_RATE_TOL = 0.0005
_NPS_TOL = 0.05


# ------------------------------------------------------------------ 08.1-08.2 conduct cases
GIFT = Task(
    id="08.1",
    title="A gift from the customer's buyer: conflict of interest (利益冲突)",
    clauses=("R2.3.1.1",),
    kind=Choice(),
    expected=lambda d: "C",
    why="A gift from someone whose decision you are negotiating puts your interest beside the "
        "company's and the customer's; declining and telling your manager keeps the deal "
        "clean and protects you too.",
    hint="Ask whose interest each option serves, and whether your manager would know.",
    mistakes=(
        option("A", "Custom or not, a card of real value from the buyer of a renewal you are "
                    "negotiating creates an obligation, and nobody else knows of it. Politeness "
                    "does not require accepting: it requires a friendly refusal."),
        option("B", "That makes it worse: the company's money (the extra discount) pays for "
                    "your gift. Returning a favour with the employer's price is a kickback."),
        option("D", "Handing the deal on does not end the conflict: you still hold the gift, "
                    "the buyer still expects something, and nobody has been told. Undisclosed "
                    "gifts are the problem, not who signs."),
    ),
)

QUARTER_END = Task(
    id="08.2",
    title="The quarter-end upsell: the customer's interest first (客户利益至上)",
    clauses=("R2.3.1.1",),
    kind=Choice(),
    expected=lambda d: "B",
    why="Selling the customer what they need, and saying honestly what the bigger package "
        "would add, keeps their trust; oversold customers churn and complain, which costs "
        "more than one quarter's target.",
    hint="Start from what the customer needs, not from your target, and let the customer "
         "decide with honest information.",
    mistakes=(
        option("A", "Selling 50 licences to a customer who needs 20 serves your target, not "
                    "the customer: they pay for what they do not use, and an oversold customer "
                    "churns or complains at renewal (retention, R2.2.1.2; satisfaction, "
                    "R2.3.1.3)."),
        option("C", "A promise outside the contract to refund unused licences is a side "
                    "letter: the signed amount is not what the customer will pay, revenue is "
                    "overstated and the company is bound by a promise it never approved."),
        option("D", "An artificial deadline and a deep discount pressure the customer into "
                    "buying more than they need so that you reach your target; it also gives "
                    "away margin the company did not need to give."),
    ),
)


# ------------------------------------------------------------------ masking functions
@dataclass(frozen=True)
class Mask(Function):
    """A masking function checked on hidden cases.

    A wrong result on a case whose category has no hint of its own is described by its
    shape: a different length, too many digits shown, too many hidden, or the right number of
    ``*`` in the wrong place; the hints for these are ``shape_hints`` (keys ``"length"``,
    ``"too many digits"``, ``"too few digits"``, ``"position"``).
    """

    shape_hints: Mapping[str, str] = field(default_factory=dict)

    def diagnose(self, answer: tuple, expected: tuple) -> str | None:
        for case, got, want in zip(self.cases, answer, expected, strict=True):
            if isinstance(got, str) and got == want:
                continue
            if case.category in self.hints or not isinstance(got, str):
                return super().diagnose(answer, expected)
            if len(got) != len(want):
                shape = "length"
            elif got.count("*") < want.count("*"):
                shape = "too many digits"
            elif got.count("*") > want.count("*"):
                shape = "too few digits"
            else:
                shape = "position"
            return self.shape_hints[shape]
        return None


def _phone_digits(number: str) -> str:
    return re.sub(r"^(\+|00)?86(?=\d{11}$)", "", re.sub(r"[\s-]", "", number))


_PHONE_CASES = (
    Case(("13900008642",), "a plain 11-digit mobile number"),
    Case(("15000002468",), "a plain 11-digit mobile number"),
    Case(("+8618600001357",), "a number with the +86 country code"),
    Case(("139 0000 1122",), "a number written with spaces"),
    Case(("188-0000-3344",), "a number written with dashes"),
    Case(("+86 177 0000 9753",), "a number with the +86 country code"),
)

_PHONE_SHAPES = {
    "length": "Your masked number has a different length from the number itself: put one * in "
              "place of each hidden digit, so that it still has eleven characters and still "
              "looks like a mobile number.",
    "too many digits": "Your masked number shows too many digits: hide exactly four, the 4th "
                       "to the 7th digit.",
    "too few digits": "Your masked number hides too much: keep the first three and the last "
                      "four digits so that the customer can recognise it.",
    "position": "You hide four digits, but not the right ones: keep the first three and the "
                "last four, hide the four in the middle.",
}

PHONE = Task(
    id="08.3",
    title="Masking a mobile number (脱敏)",
    clauses=("R2.3.1.2",),
    kind=Mask(
        cases=_PHONE_CASES,
        hints={
            "a number with the +86 country code":
                "Your function did not handle the +86 prefix: remove the country code (and "
                "any spaces) first, then mask the eleven digits that are left.",
            "a number written with spaces":
                "Your function does not work on a number written with spaces: remove them "
                "before you mask.",
            "a number written with dashes":
                "Your function does not work on a number written with dashes (188-...): "
                "remove them before you mask.",
        },
        shape_hints=_PHONE_SHAPES,
    ),
    expected=lambda d: mask_phone,
    why="The first three and last four digits let the customer and a colleague recognise the "
        "number; the four in the middle are what makes it reachable by anyone.",
    hint="Clean the number first (remove +86, spaces and dashes), then return the first three "
         "digits, four * and the last four digits.",
    mistakes=(
        Mistake("+86 and separators not handled",
                "Your function masks the text as it comes: it did not handle the +86 prefix, "
                "spaces or dashes. Remove them first, then mask the eleven digits.",
                value=lambda d: lambda s: s[:3] + "****" + s[-4:]),
        Mistake("last four hidden",
                "You hid the last four digits. The usual mask keeps the last four (the part "
                "people recognise) and hides the four in the middle.",
                value=lambda d: lambda s: _phone_digits(s)[:7] + "****"),
        Mistake("changed the length", _PHONE_SHAPES["length"],
                value=lambda d: lambda s: _phone_digits(s)[:3] + "***" + _phone_digits(s)[-4:]),
        Mistake("kept too many digits", _PHONE_SHAPES["too many digits"],
                value=lambda d: lambda s: _phone_digits(s)[:4] + "***" + _phone_digits(s)[-4:]),
    ),
)


def _id(number: str) -> str:
    return number.replace(" ", "").upper()


_ID_CASES = (
    Case(("000000198807150013",), "an 18-digit ID number"),
    Case(("000000200001010048",), "an 18-digit ID number"),
    Case(("00000019751103003X",), "an ID number ending in X"),
    Case(("00000019920229002x",), "an ID number ending in a lowercase x"),
    Case(("000000 19690512 0057",), "an ID number written with spaces"),
)

_ID_SHAPES = {
    "length": "Your masked ID number has a different length from the number: put one * in "
              "place of each hidden character, so that it still has eighteen.",
    "too many digits": "Your masked ID number shows too many characters: keep only the first "
                       "three and the last four. Whatever else shows gives away the birth date "
                       "or the place of registration.",
    "too few digits": "Your masked ID number hides too much: keep the first three and the "
                      "last four characters so that the holder can recognise it.",
    "position": "You hide the right number of characters, but not the right ones: keep the "
                "first three and the last four, hide the eleven in between.",
}

ID_CARD = Task(
    id="08.4",
    title="Masking a resident ID number (身份证号)",
    clauses=("R2.3.1.2",),
    kind=Mask(
        cases=_ID_CASES,
        hints={
            "an ID number ending in a lowercase x":
                "Your function does not handle a check character written as a lowercase x: "
                "write it as a capital X (str.upper()).",
            "an ID number written with spaces":
                "Your function does not work on an ID number written in groups with spaces: "
                "remove the spaces before you mask.",
        },
        shape_hints=_ID_SHAPES,
    ),
    expected=lambda d: mask_id_card,
    why="The birth date and the region code in the middle of an ID number are what a fraudster "
        "needs; the first three and last four let the holder recognise their card.",
    hint="Remove spaces, write a final x as X, then return the first three characters, eleven "
         "* and the last four.",
    mistakes=(
        Mistake("region code kept",
                "You kept the first six digits, the whole region code where the holder was "
                "registered. " + _ID_SHAPES["too many digits"],
                value=lambda d: lambda s: _id(s)[:6] + "*" * 8 + _id(s)[-4:]),
        Mistake("birth date shown",
                "Your mask leaves the birth date (characters 7 to 14) readable: it is the "
                "most sensitive part of the number. Keep the first three and the last four "
                "characters only.",
                value=lambda d: lambda s: _id(s)[:14] + "****"),
        Mistake("changed the length", _ID_SHAPES["length"],
                value=lambda d: lambda s: _id(s)[:3] + "****" + _id(s)[-4:]),
    ),
)


# ------------------------------------------------------------------ 08.5 an extract
def hidden_extract() -> pd.DataFrame:
    """The fictional CRM extract task 08.5 is checked on (not shown in the notebook)."""
    return pd.DataFrame({
        "customer_id": ["X11", "X12", "X13", "X14", "X15"],
        "contact_name": ["赵示例", "钱样本", "孙演示", "Anna Placeholder", "周虚构"],
        "mobile": ["+86 186 0000 1357", "177-0000-9753", "13900008642", "+8615000002468",
                   "150 0000 1122"],
        "id_card": ["000000198807150013", "00000019920229002x", None, "000000200001010048",
                    "000000 19751103 0031"],
        "email": ["zhao.shili@example.com", None, "sun@example.cn", "anna.p@example.org",
                  "zhou@example.com"],
        "city": ["Hangzhou", "Chengdu", "Wuhan", "Suzhou", "Xi'an"],
        "segment": ["key account", "SME", "SME", "key account", "SME"],
        "last_order_cny": [128_000.0, 36_500.0, 54_000.0, 210_000.0, 18_900.0],
    })


_NAMES = "contact_name"
_SHARED = ("customer_id", "city", "segment", "last_order_cny")
_FOUND = {"mobile number": "phone", "resident ID number": "id", "email address": "email"}


@dataclass(frozen=True)
class Shareable(Kind):
    """A function that prepares an extract for sharing, run on a hidden extract.

    Its result is read as the set of problems it shows: ``"input changed"``, ``"phone"``,
    ``"id"``, ``"email"`` (raw values still readable, by
    :func:`~salessim.privacy.find_unmasked`), ``"names"`` (a contact name readable),
    ``"column missing"``, ``"column changed"`` (a column that must be shared unchanged),
    ``"rows changed"``; or ``"raised ..."`` / ``"returned ..."`` when there is no table to
    check. The correct answer has none.

    Parameters
    ----------
    extract : callable
        Returns a fresh copy of the hidden extract.
    names : str
        The column of contact names.
    shared : tuple of str
        The columns that must reach the recipient unchanged.
    """

    extract: Callable[[], pd.DataFrame] = hidden_extract
    names: str = _NAMES
    shared: tuple[str, ...] = _SHARED

    expects = "a function (written with def) of 1 argument that returns a DataFrame"

    def is_placeholder(self, answer: Any) -> bool:
        return answer is Ellipsis or _is_stub(answer)

    def read(self, answer: Any) -> frozenset[str]:
        if not callable(answer):
            raise AnswerTypeError(f"Your answer is {_what(answer)}; this task asks for "
                                  f"{self.expects}.")
        try:
            inspect.signature(answer).bind(None)
        except TypeError:
            raise AnswerTypeError("Your function cannot be called the way the task asks: it "
                                  "must take 1 argument, the extract.") from None
        except ValueError:
            pass
        return self.problems(answer)

    def problems(self, fn: Callable[[pd.DataFrame], Any]) -> frozenset[str]:
        """The problems of ``fn``'s result on the hidden extract (empty when it is safe)."""
        given, original = self.extract(), self.extract()
        try:
            result = fn(given)
        except Exception as exc:  # the learner's code: report, never propagate
            text = str(exc).splitlines()[0][:120] if str(exc) else ""
            return frozenset({f"raised {type(exc).__name__}{': ' + text if text else ''}"})
        found = set()
        if not given.equals(original):
            found.add("input changed")
        if not isinstance(result, pd.DataFrame):
            return frozenset(found | {f"returned {_what(result)}"})
        found |= {_FOUND[kind] for kind in find_unmasked(result)["looks_like"]}
        names = set(original[self.names].dropna())
        if any(result[c].isin(names).any() for c in result.columns):
            found.add("names")
        if len(result) != len(original) or not result.index.equals(original.index):
            found.add("rows changed")
        elif any(c not in result.columns for c in self.shared):
            found.add("column missing")
        elif not all(result[c].equals(original[c]) for c in self.shared):
            found.add("column changed")
        return frozenset(found)

    def target(self, value: Any) -> frozenset[str]:
        return self.problems(value)

    def diagnose(self, answer: frozenset[str], expected: frozenset[str]) -> str | None:
        for problem in sorted(answer):
            if problem.startswith("raised"):
                return f"Your function {problem} on the hidden extract."
            if problem.startswith("returned"):
                return (f"Your function {problem}; it should return the extract ready to "
                        "share, as a DataFrame.")
        return None


def _has(problem: str) -> Callable[[frozenset[str], Any], bool]:
    return lambda found, data: problem in found


EXTRACT = Task(
    id="08.5",
    title="A CRM extract ready to share (个人信息保护)",
    clauses=("R2.3.1.2",),
    kind=Shareable(),
    expected=lambda d: _reference_share,
    why="An extract leaves your control once it is sent: sharing only the columns the "
        "recipient needs, with contact details masked, limits the harm of any leak and is "
        "what the PIPL's minimum-necessary principle asks.",
    hint="Mask the contact_name, mobile and email columns, mask or drop id_card, and leave "
         "customer_id, city, segment and last_order_cny exactly as they are; "
         "salessim.privacy.mask_extract does this from a rules dict.",
    mistakes=(
        Mistake("input changed",
                "Your function changed the extract it was given. The caller's table must stay "
                "as it was (they may still need the original): build a new table, for "
                "example with mask_extract or DataFrame.assign, instead of assigning into "
                "the argument.",
                when=_has("input changed")),
        Mistake("phone numbers left",
                "Mobile numbers are still readable in your result. The hidden extract writes "
                "them in several ways (+86, spaces, dashes): mask the whole mobile column "
                "with a function that handles every form, or drop it.",
                when=_has("phone")),
        Mistake("ID numbers left",
                "Resident ID numbers are still readable in your result: mask the id_card "
                "column (a lowercase x and spaces occur) or, better, drop it; the recipient "
                "does not need it.",
                when=_has("id")),
        Mistake("emails left",
                "Email addresses are still readable in your result: mask the email column "
                "(some customers have none: keep the missing values missing).",
                when=_has("email")),
        Mistake("names left",
                "Contact names are still readable in your result. A name together with "
                "contact details identifies a person: mask the contact_name column too.",
                when=_has("names")),
        Mistake("rows changed",
                "Your result does not have the extract's rows: masking changes values, it "
                "never removes, adds or reorders customers. Keep every row and the index.",
                when=_has("rows changed")),
        Mistake("shared column missing",
                "You left out a column the recipient needs: customer_id, city, segment and "
                "last_order_cny must be in the result.",
                when=_has("column missing")),
        Mistake("shared column changed",
                "You changed a column that holds no personal information: customer_id, city, "
                "segment and last_order_cny must reach the recipient exactly as they are "
                "(same values and types).",
                when=_has("column changed")),
    ),
)


def _reference_share(extract: pd.DataFrame) -> pd.DataFrame:
    from ..privacy import mask_extract

    return mask_extract(extract, {"contact_name": "name", "mobile": "phone",
                                  "email": "email", "id_card": "drop"})


# ------------------------------------------------------------------ 08.6-08.7 surveys
def _in_quarter(d: Ledger, quarter: str | None = QUARTER) -> pd.DataFrame:
    s = d.surveys
    return s if quarter is None else s[s["surveyed_on"].dt.to_period("Q") == quarter]


def _company(frame: pd.DataFrame, column: str) -> float:
    return float(frame.loc[frame["period"] == QUARTER, column].item())


def _csat(d: Ledger) -> float:
    return _company(kpi.csat(d, "Q", by="company"), "csat")


def _share(low: int, high: int = 5, quarter: str | None = QUARTER):
    return lambda d: float(_in_quarter(d, quarter)["csat"].between(low, high).mean())


CSAT = Task(
    id="08.6",
    title="Customer satisfaction (CSAT, 客户满意度) of a quarter, with pandas",
    clauses=("R2.3.1.3",),
    kind=Number(fraction=True),
    expected=_csat,
    why="CSAT counts the customers who are satisfied, so one delighted customer cannot hide "
        "two unhappy ones the way an average score can.",
    hint="Keep the surveys with surveyed_on in 2026Q1 (1 January to 31 March 2026) and take "
         "the share of their csat answers that are 4 or 5.",
    mistakes=(
        Mistake("mean score over 5",
                "You divided the average score by 5. CSAT is a share of customers, not an "
                "average: count the answers of 4 or 5 and divide by the number of answers.",
                value=lambda d: float(_in_quarter(d)["csat"].mean() / 5)),
        Mistake("3 counted as satisfied",
                "You counted the answers of 3 as satisfied. On the 1-5 scale 3 is neutral: "
                "only 4 (satisfied) and 5 (very satisfied) count.",
                value=_share(3)),
        Mistake("only 5 counted",
                "You counted only the answers of 5. CSAT counts 4 and 5: both mean the "
                "customer is satisfied.",
                value=_share(5)),
        Mistake("every quarter",
                "Your share includes surveys from outside 2026Q1. Keep only the answers with "
                "surveyed_on from 1 January to 31 March 2026.",
                value=_share(4, quarter=None)),
        as_percentage(_csat, _RATE_TOL),
    ),
    data=sample_crm,
    tolerance=_RATE_TOL,
)


def _nps(d: Ledger) -> float:
    return _company(kpi.nps(d, "Q", by="company"), "nps")


def _net(promoter: int = 9, detractor: int = 6, scale: float = 100.0,
         quarter: str | None = QUARTER):
    def value(d: Ledger) -> float:
        answers = _in_quarter(d, quarter)["nps"]
        return scale * float((answers >= promoter).mean() - (answers <= detractor).mean())
    return value


def _without_passives(d: Ledger) -> float:
    answers = _in_quarter(d)["nps"]
    promoters, detractors = (answers >= 9).sum(), (answers <= 6).sum()
    return 100 * float((promoters - detractors) / (promoters + detractors))


NPS = Task(
    id="08.7",
    title="Net promoter score (NPS, 净推荐值) of a quarter, with pandas",
    clauses=("R2.3.1.3",),
    kind=Number(unit="points"),
    expected=_nps,
    why="NPS weighs the customers who will recommend us against those who may warn others "
        "off; the passives in between count in the total but on neither side.",
    hint="Keep the 2026Q1 surveys; NPS is the percentage of nps answers of 9 or 10 minus the "
         "percentage of answers from 0 to 6, both out of all answers, in points from -100 "
         "to 100.",
    mistakes=(
        Mistake("promoters only",
                "You gave the share of promoters only. NPS subtracts the share of detractors "
                "(answers 0 to 6) from it.",
                value=lambda d: 100 * float((_in_quarter(d)["nps"] >= 9).mean())),
        Mistake("7-8 counted as detractors",
                "You counted the answers of 7 and 8 as detractors. They are passives: they "
                "count in the number of answers but neither as promoters nor as detractors.",
                value=_net(detractor=8)),
        Mistake("6 counted as passive",
                "You counted the answers of 6 as passives. Detractors are the answers from 0 "
                "to 6, six included.",
                value=_net(detractor=5)),
        Mistake("passives left out",
                "You divided by the promoters and detractors only. Both percentages are out "
                "of all answers, passives included.",
                value=_without_passives),
        Mistake("fraction instead of points",
                "Your answer is 100 times too small: NPS is given in points from -100 to 100, "
                "so multiply the difference of the two shares by 100.",
                value=_net(scale=1.0), tolerance=_NPS_TOL / 100),
        Mistake("every quarter",
                "Your score includes surveys from outside 2026Q1. Keep only the answers with "
                "surveyed_on from 1 January to 31 March 2026.",
                value=_net(quarter=None)),
    ),
    data=sample_crm,
    tolerance=_NPS_TOL,
)

TASKS: tuple[Task, ...] = (GIFT, QUARTER_END, PHONE, ID_CARD, EXTRACT, CSAT, NPS)
