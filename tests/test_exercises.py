"""Exercises: feedback that teaches without revealing, the builder, and lesson 06 (R3.3.1)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

from salessim.cli import main
from salessim.exercises import (
    AnswerTypeError,
    BuildError,
    Case,
    Choice,
    Feedback,
    Function,
    IdSet,
    Kind,
    Mistake,
    Number,
    Ordering,
    Session,
    Task,
    as_percentage,
    build,
    check,
    get_task,
    option,
    stale,
    tasks,
)
from salessim.exercises.builder import build_notebook, render, strip_solutions
from salessim.exercises.core import grade

ROOT = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------- a leak detector
def renderings(value) -> set[str]:
    """Ways the correct value could appear in a message: 0.9, 0.90, 90%, 90.0, 90,000, ..."""
    if isinstance(value, frozenset | set):
        return {str(v) for v in value}
    if isinstance(value, tuple):  # an ordering, or the results of a function on its cases
        items = [str(v) for v in value]
        return {", ".join(items), " -> ".join(items), "".join(items), str(list(value))} | {
            str(v) for v in value if isinstance(v, str) and len(v) > 2
        }
    if isinstance(value, str):  # a multiple-choice letter
        return {f"'{value}'", f'"{value}"', f"({value})", f"option {value}", f"answer {value}",
                f"answer is {value}", f"choose {value}"}
    x = float(value)
    forms = {repr(x), str(value), f"{x:g}"}
    for d in range(5):
        if d > 0 or abs(x) >= 10 or x.is_integer():  # 0.75 -> "1" is no leak
            forms |= {f"{x:.{d}f}", f"{x:,.{d}f}", f"{x:,.{d}f}".replace(",", " ")}
        forms |= {f"{100 * x:.{d}f}%", f"{100 * x:.{d}f} %"}
        if abs(x) <= 1:
            forms.add(f"{100 * x:.{d}f}")
    return {f for f in forms if f not in ("0", "-0", "0%")}


def leaks(message: str, value) -> list[str]:
    """The renderings of ``value`` that occur in ``message`` as whole numbers/words."""
    found = []
    for r in renderings(value):
        pattern = r"(?<![\w.,])" + re.escape(r) + r"(?![\w%]|[.,]\d)"
        if re.search(pattern, message):
            found.append(r)
    return found


def test_leak_detector_finds_renderings():
    # the detector itself must catch the usual renderings and not fire on clause IDs
    assert leaks("you got 90% of it", 0.9)
    assert leaks("a rate of 0.90", 0.9)
    assert leaks("about 90.0 percent", 0.9)
    assert leaks("it is 425,750 CNY", 425750.0)
    assert leaks("it is 425750.0", 425750)
    assert leaks("it is 425 750", 425750)
    assert leaks("86% retained", 6 / 7)
    assert leaks("(B) is right", "B")
    assert leaks("R01 and R03", frozenset({"R03"}))
    assert not leaks("Task 06.3 — New customers, R2.2.1.2", 3)
    assert not leaks("Task 06.3 — New customers, R2.2.1.2", 2)
    assert not leaks("give 0.95", 0.9)


# ---------------------------------------------------------------- numbers
def _revenue_task(**kw) -> Task:
    # data: three deals; the task asks for the sum of the discounted amounts
    data = pd.DataFrame({"amount": [100.0, 200.0, 50.0], "list_amount": [120.0, 200.0, 80.0]})
    defaults = dict(
        id="99.1", title="Toy revenue (销售额)", clauses=("R2.2.1.1",),
        kind=Number(unit="CNY"), expected=lambda d: d["amount"].sum(),
        why="Revenue is what the target is measured against.",
        hint="Add up the discounted amounts of the deals.",
        mistakes=(Mistake("list price", "You added list prices; use the amount after "
                          "discount.", value=lambda d: d["list_amount"].sum()),),
        data=lambda: data, tolerance=0.5,
    )
    defaults.update(kw)
    return Task(**defaults)


def test_number_correct_within_tolerance_and_not_outside():
    task = _revenue_task()
    # 100 + 200 + 50 = 350; tolerance 0.5
    assert grade(task, 350).passed
    assert grade(task, 350.4).passed
    assert grade(task, np.float64(349.6)).passed
    assert grade(task, np.array(350.0)).passed
    assert not grade(task, 350.6).passed
    assert grade(task, 350.6).status == "wrong"


def test_number_known_mistake_gets_its_hint():
    task = _revenue_task()
    fb = grade(task, 400)  # 120 + 200 + 80: the list prices
    assert fb.status == "wrong" and fb.mistake == "list price"
    assert "list prices" in fb.message
    other = grade(task, 123)
    assert other.mistake is None and other.message == task.hint


def test_percentage_mistake_and_fraction_wording():
    task = Task(id="99.2", title="Toy rate", clauses=("R2.2.1.3",),
                kind=Number(fraction=True), expected=lambda d: 0.75, why="w", hint="h",
                mistakes=(as_percentage(lambda d: 0.75, 0.001),), data=lambda: None,
                tolerance=0.001)
    fb = grade(task, 75.0)
    assert fb.mistake == "percentage instead of fraction"
    assert grade(task, 75.05).mistake == "percentage instead of fraction"  # 100 x tolerance
    assert not leaks(str(fb), 0.75)
    assert "fraction between 0 and 1, not a percentage" in str(grade(task, ...))


@pytest.mark.parametrize("answer, words", [
    ("350", "text"),
    (None, "None"),
    (True, "True or False"),
    ([350.0], "list"),
    (pd.Series([100.0, 250.0]), "Series"),
    (pd.DataFrame({"amount": [350.0]}), "DataFrame"),
    (float("nan"), "NaN"),
    (float("inf"), "infinite"),
    (print, "function"),
])
def test_number_wrong_type_is_explained_not_raised(answer, words):
    fb = grade(_revenue_task(), answer)
    assert fb.status == "wrong type"
    assert words in fb.message
    assert "Traceback" not in str(fb)
    assert not leaks(str(fb), 350.0)


def test_placeholder_is_not_attempted_and_states_the_tolerance():
    fb = grade(_revenue_task(), ...)
    assert fb.status == "not attempted"
    assert "not attempted yet" in str(fb).lower()
    assert "within 0.5 CNY" in fb.message


def test_feedback_renders_html_in_colour_and_text_in_a_terminal():
    task = _revenue_task()
    good, bad, todo = grade(task, 350), grade(task, 1), grade(task, ...)
    assert "#1a7f37" in good._repr_html_() and "Correct" in good._repr_html_()
    assert "#cf222e" in bad._repr_html_() and "Not yet" in bad._repr_html_()
    assert "#cf222e" not in todo._repr_html_()
    for fb in (good, bad, todo):
        assert "<" not in str(fb) and repr(fb) == str(fb)
        assert str(fb).startswith("Task 99.1 — Toy revenue (销售额), R2.2.1.1\n")
    assert str(good).endswith("Correct. Revenue is what the target is measured against.")
    # text is escaped in HTML
    task = _revenue_task(hint="use <b> & co")
    assert "use &lt;b&gt; &amp; co" in grade(task, 1)._repr_html_()


def test_feedback_is_frozen():
    fb = grade(_revenue_task(), 350)
    with pytest.raises(AttributeError):
        fb.status = "wrong"  # type: ignore[misc]
    assert isinstance(fb, Feedback)


def test_task_validates_its_definition():
    with pytest.raises(ValueError, match="NN.k"):
        _revenue_task(id="6.1")
    with pytest.raises(ValueError, match="clause"):
        _revenue_task(clauses=())
    with pytest.raises(ValueError, match="exactly one"):
        Mistake("m", "h")
    twice = (Mistake("a", "h", value=lambda d: 1), Mistake("a", "h", value=lambda d: 2))
    with pytest.raises(ValueError, match="unique"):
        _revenue_task(mistakes=twice)


# ---------------------------------------------------------------- sets of ids
def _reps_task(frame: bool = False) -> Task:
    # R1 and R4 meet both targets; R1, R2 and R4 meet the revenue target
    card = pd.DataFrame({"rep_id": ["R1", "R2", "R3", "R4"],
                         "revenue_ok": [True, True, False, True],
                         "collection_ok": [True, False, True, True]})
    return Task(
        id="99.3", title="Toy selection", clauses=("R2.2.1",),
        kind=IdSet(column="rep_id", frame=frame),
        expected=lambda d: d[d["revenue_ok"] & d["collection_ok"]],
        why="w", hint="Keep the reps that meet both targets.",
        mistakes=(Mistake("revenue only", "You forgot the collection criterion.",
                          value=lambda d: d.loc[d["revenue_ok"], "rep_id"]),),
        data=lambda: card,
    )


def test_id_set_accepts_collections_and_tables_in_any_order():
    task = _reps_task()  # R1 and R4 meet both
    for answer in (["R4", "R1"], {"R1", "R4"}, ("R1", "R4", "R1"), pd.Series(["R1", "R4"]),
                   pd.DataFrame({"rep_id": ["R1", "R4"], "x": [1, 2]}),
                   pd.DataFrame({"x": [1, 2]}, index=pd.Index(["R1", "R4"], name="rep_id"))):
        assert grade(task, answer).passed, answer


def test_id_set_mistake_and_diagnosis_name_only_wrong_ids():
    task = _reps_task()
    fb = grade(task, ["R1", "R2", "R4"])  # revenue criterion only: R1, R2, R4
    assert fb.mistake == "revenue only" and "collection criterion" in fb.message
    fb = grade(task, ["R1", "R3"])  # R3 should not be there; R4 is missing
    assert fb.mistake is None
    assert "R3" in fb.message and "1 of your ids should not be there" in fb.message
    assert "1 that belong in the answer are missing" in fb.message
    assert not leaks(fb.message, frozenset({"R1", "R4"}) - {"R1"})


@pytest.mark.parametrize("answer, words", [
    ("R1", "single piece of text"),
    ([1, 4], "ids are text"),
    (["R1", None], "missing value"),
    (pd.DataFrame({"rep": ["R1"]}), "no rep_id column (its columns: rep)"),
    (3, "a number"),
])
def test_id_set_wrong_type_is_explained(answer, words):
    fb = grade(_reps_task(), answer)
    assert fb.status == "wrong type" and words in fb.message


def test_id_set_that_asks_for_a_frame_explains_a_list():
    task = _reps_task(frame=True)
    assert grade(task, pd.DataFrame({"rep_id": ["R4", "R1"]})).passed
    fb = grade(task, ["R1", "R4"])
    assert fb.status == "wrong type"
    assert "asks for a DataFrame" in fb.message and "table[mask]" in fb.message


# ---------------------------------------------------------------- orderings and choices
def _steps_task() -> Task:
    # A quote, B contract, C first contact, D demo: the process is C, D, A, B (R2.1)
    return Task(
        id="99.4", title="Toy process", clauses=("R2.1.3.1",),
        kind=Ordering(steps=("A", "B", "C", "D")), expected=lambda d: ("C", "D", "A", "B"),
        why="w", hint="Follow one lead from first contact to signature.",
        mistakes=(Mistake("contract first", "The contract comes after the quote.",
                          when=lambda a, d: a.index("B") < a.index("A")),),
    )


def test_ordering():
    task = _steps_task()
    assert grade(task, ["C", "D", "A", "B"]).passed
    assert grade(task, "cdab").passed and grade(task, "C > D > A > B").passed
    assert grade(task, ["C", "D", "B", "A"]).mistake == "contract first"
    fb = grade(task, ["C", "A", "D", "B"])
    assert fb.message.startswith("Your first 1 step is right")
    assert grade(task, ["D", "C", "A", "B"]).message.startswith("Your first step is not")
    assert "left out D" in grade(task, ["C", "A", "B"]).message
    assert "repeats C" in grade(task, ["C", "C", "A", "B"]).message
    assert "not one of the step labels" in grade(task, ["C", "D", "A", "E"]).message
    assert grade(task, 42).status == "wrong type"
    for answer in (["C", "D", "B", "A"], ["C", "A", "D", "B"], ["A", "B", "C", "D"]):
        assert not leaks(str(grade(task, answer)), ("C", "D", "A", "B"))


def test_choice():
    task = Task(id="99.5", title="Toy choice", clauses=("R2.3.1.1",), kind=Choice(),
                expected=lambda d: "C", why="w", hint="Think of the customer first.",
                mistakes=(option("A", "A gift is a conflict of interest."),))
    assert grade(task, "C").passed and grade(task, " c ").passed and grade(task, "(C)").passed
    fb = grade(task, "a")
    assert fb.mistake == "option A" and "conflict of interest" in fb.message
    assert grade(task, "B").message == task.hint
    assert grade(task, 3).status == "wrong type"
    assert "not one of the options" in grade(task, "E").message
    for answer in ("A", "B", "E", 3, ...):
        assert not leaks(str(grade(task, answer)), "C")


# ---------------------------------------------------------------- functions
def _mask(number: str) -> str:
    digits = number.removeprefix("+86")
    return digits[:3] + "****" + digits[-4:]


def _mask_task() -> Task:
    return Task(
        id="99.6", title="Toy masking", clauses=("R2.3.1.2",),
        kind=Function(
            cases=(Case(("13812345678",), "an 11-digit mobile number"),
                   Case(("+8613912345678",), "a number with the +86 country code")),
            hints={"a number with the +86 country code": "Drop the +86 first."},
        ),
        expected=lambda d: _mask, why="w", hint="Keep 3 digits in front, 4 at the end.",
        mistakes=(Mistake("last four hidden", "You hid the last four digits; hide the "
                          "middle four.", value=lambda d: lambda s: s[:-4] + "****"),),
    )


def test_function_stub_is_not_attempted():
    def answer(number):
        """Mask the number."""
        ...

    def passing(number):
        pass

    task = _mask_task()
    assert grade(task, answer).status == "not attempted"
    assert grade(task, passing).status == "not attempted"
    assert grade(task, ...).status == "not attempted"


def test_function_graded_on_hidden_cases_by_category():
    task = _mask_task()
    assert grade(task, _mask).passed
    fb = grade(task, lambda s: s[:3] + "****" + s[-4:])  # fails only with +86
    assert fb.message.startswith("Drop the +86 first.")
    assert grade(task, lambda s: s[:-4] + "****").mistake == "last four hidden"

    def boom(s):
        raise ValueError("bad digits")

    fb = grade(task, boom)
    assert fb.status == "wrong" and "raised ValueError: bad digits on an 11-digit" in fb.message
    fb = grade(task, lambda s: len(s))
    assert "returns a number" in fb.message
    fb = grade(task, lambda a, b: a)
    assert fb.status == "wrong type" and "must take 1 argument" in fb.message
    assert grade(task, "138****5678").status == "wrong type"
    expected = ("138****5678", "139****5678")
    for answer in (lambda s: s[:3] + "****" + s[-4:], boom, lambda s: s[:-4] + "****", len):
        assert not leaks(str(grade(task, answer)), expected)


def test_a_kind_can_bring_its_own_grading():
    class Budget(Kind):
        expects = "a plan (a dict of component -> CNY)"

        def grade(self, task, answer, data):
            if self.is_placeholder(answer):
                return task.feedback("not attempted", "Design a plan.")
            ok = isinstance(answer, dict) and sum(answer.values()) <= data
            return task.feedback("correct" if ok else "wrong", task.why if ok else task.hint)

    task = Task(id="99.7", title="Toy plan", clauses=("R2.2.2.1",), kind=Budget(),
                expected=lambda d: None, why="Within budget.", hint="Too expensive.",
                data=lambda: 100)
    assert grade(task, {"bonus": 60, "commission": 40}).passed
    assert grade(task, {"bonus": 101}).message == "Too expensive."
    assert grade(task, ...).status == "not attempted"


def test_answer_type_error_is_an_exception():
    assert issubclass(AnswerTypeError, Exception)


# ---------------------------------------------------------------- the builder
MASTER_CELL = """import pandas as pd
# BEGIN SOLUTION
deals = pd.DataFrame({"amount": [1.0, 2.0]})
revenue_q1 = deals["amount"].sum()
print(revenue_q1)
# END SOLUTION
ex.check("06.1", revenue_q1)"""


def test_strip_solutions_keeps_the_name_of_the_last_assignment():
    out = strip_solutions(MASTER_CELL)
    assert out == 'import pandas as pd\nrevenue_q1 = ...\nex.check("06.1", revenue_q1)'


def test_strip_solutions_function_bodies_and_indentation():
    body = ("def mask(number):\n    \"\"\"Hide digits.\"\"\"\n    # BEGIN SOLUTION\n"
            "    digits = number[-11:]\n    return digits[:3] + '****'\n    # END SOLUTION\n")
    assert strip_solutions(body) == 'def mask(number):\n    """Hide digits."""\n    ...\n'
    whole = ("# BEGIN SOLUTION\n@staticmethod\ndef mask(number: str) -> str:\n"
             "    \"\"\"Hide digits.\"\"\"\n    return number\n# END SOLUTION")
    assert strip_solutions(whole) == (
        "@staticmethod\ndef mask(number: str) -> str:\n    \"\"\"Hide digits.\"\"\"\n    ..."
    )
    loop = ("for rep in reps:\n    # BEGIN SOLUTION\n    total += 1\n    # END SOLUTION\n"
            "    print(rep)")
    assert strip_solutions(loop) == "for rep in reps:\n    total = ...\n    print(rep)"
    assert strip_solutions("# BEGIN SOLUTION\na, b = 1, 2\n# END SOLUTION") == "a, b = ..."
    assert strip_solutions("# BEGIN SOLUTION\nx: float = 1\n# END SOLUTION") == "x: float = ..."
    assert strip_solutions("# BEGIN SOLUTION\nprint(1)\n# END SOLUTION") == "..."
    two = ("# BEGIN SOLUTION\na = 1\n# END SOLUTION\nb = 2\n"
           "  # BEGIN SOLUTION\n  c = 3\n  # END SOLUTION")
    assert strip_solutions(two) == "a = ...\nb = 2\n  c = ..."


@pytest.mark.parametrize("source, words", [
    ("# BEGIN SOLUTION\nx = 1", "line 1: '# BEGIN SOLUTION' needs a matching"),
    ("x = 1\n# END SOLUTION", "line 2: '# END SOLUTION' without"),
    ("# BEGIN SOLUTION\n# BEGIN SOLUTION\nx = 1\n# END SOLUTION", "line 1"),
    ("# BEGIN SOLUTION\n# END SOLUTION", "empty solution region"),
    ("# BEGIN SOLUTION\nx = = 1\n# END SOLUTION", "not valid Python"),
])
def test_strip_solutions_rejects_broken_regions(source, words):
    with pytest.raises(BuildError, match=re.escape(words)) as err:
        strip_solutions(source, "answers/06_kpis.ipynb, cell 3")
    assert "answers/06_kpis.ipynb, cell 3" in str(err.value)


def _master() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    md = nbformat.v4.new_markdown_cell("# Task 06.1 — Revenue (销售额), R2.2.1.1\nSum it.")
    given = nbformat.v4.new_code_cell("x = 1\nprint(x)")
    given.outputs = [nbformat.v4.new_output("stream", name="stdout", text="1\n")]
    given.execution_count = 1
    task = nbformat.v4.new_code_cell(MASTER_CELL)
    task.outputs = [nbformat.v4.new_output("stream", name="stdout", text="3.0\n")]
    task.execution_count = 2
    for k, cell in enumerate((md, given, task)):
        cell["id"] = f"cell-{k}"
    nb.cells = [md, given, task]
    return nb


def test_build_notebook_replaces_regions_clears_outputs_and_keeps_markdown():
    master = _master()
    before = nbformat.writes(master)
    out = build_notebook(master)
    assert nbformat.writes(master) == before  # the master is not modified
    assert out.cells[0] == master.cells[0]  # markdown identical, id included
    assert out.cells[1].source == "x = 1\nprint(x)"
    assert out.cells[2].source.splitlines()[1] == "revenue_q1 = ..."
    assert all(c.outputs == [] and c.execution_count is None
               for c in out.cells if c.cell_type == "code")
    assert [c["id"] for c in out.cells] == ["cell-0", "cell-1", "cell-2"]
    assert out.metadata == master.metadata
    nbformat.validate(out)


def test_build_notebook_without_regions_is_an_error():
    nb = _master()
    nb.cells = nb.cells[:2]
    with pytest.raises(BuildError, match="no solution regions"):
        build_notebook(nb, "answers/07_pay.ipynb")


def test_build_is_deterministic_and_writes_like_jupyter(tmp_path):
    answers, exercises = tmp_path / "answers", tmp_path / "exercises"
    answers.mkdir()
    nbformat.write(_master(), answers / "06_kpis.ipynb")
    (answers / "notes.ipynb").write_text("not a lesson")  # not NN_topic: ignored
    assert build(answers, exercises) == [exercises / "06_kpis.ipynb"]
    first = (exercises / "06_kpis.ipynb").read_bytes()
    assert render(answers / "06_kpis.ipynb").encode() == first
    assert build(answers, exercises) == []  # unchanged: nothing written
    assert (exercises / "06_kpis.ipynb").read_bytes() == first
    text = first.decode()
    assert text.startswith('{\n "cells": [\n  {\n') and text.endswith("}\n")
    assert json.loads(text)["nbformat"] == 4
    assert "销售额" in text  # not escaped as \u....


def test_stale_lists_missing_changed_and_orphaned_exercises(tmp_path):
    answers, exercises = tmp_path / "answers", tmp_path / "exercises"
    answers.mkdir()
    nbformat.write(_master(), answers / "06_kpis.ipynb")
    assert stale(answers, exercises) == [
        f"{exercises / '06_kpis.ipynb'}: missing (build it from {answers / '06_kpis.ipynb'})"
    ]
    build(answers, exercises)
    assert stale(answers, exercises) == []
    target = exercises / "06_kpis.ipynb"
    target.write_text(target.read_text().replace("revenue_q1 = ...", "revenue_q1 = 3.0"))
    (exercises / "07_pay.ipynb").write_text("{}")
    problems = stale(answers, exercises)
    assert problems == [f"{target}: differs from a fresh build of {answers / '06_kpis.ipynb'}",
                        f"{exercises / '07_pay.ipynb'}: no master {answers / '07_pay.ipynb'}"]


def test_cli_build_and_check(tmp_path, capsys):
    answers, exercises = tmp_path / "answers", tmp_path / "exercises"
    answers.mkdir()
    nbformat.write(_master(), answers / "06_kpis.ipynb")
    args = ["exercises", "build", "--answers", str(answers), "--exercises", str(exercises)]
    assert main([*args, "--check"]) == 1
    assert "06_kpis.ipynb: missing" in capsys.readouterr().out
    assert main(args) == 0
    assert "wrote" in capsys.readouterr().err
    assert main([*args, "--check"]) == 0
    (exercises / "06_kpis.ipynb").write_text("{}")
    assert main([*args, "--check"]) == 1
    out = capsys.readouterr().out
    assert out == f"{exercises / '06_kpis.ipynb'}: differs from a fresh build of " \
                  f"{answers / '06_kpis.ipynb'}\n"
    assert main(["exercises", "build", "--answers", str(tmp_path / "nope")]) == 2
    assert "no such folder" in capsys.readouterr().err
    nbformat.write(nbformat.v4.new_notebook(), answers / "07_pay.ipynb")
    assert main(args) == 2
    assert "07_pay.ipynb: no solution regions" in capsys.readouterr().err


# ---------------------------------------------------------------- the registry and sessions
def test_registry_orders_tasks_and_names_unknown_ones():
    ids = [t.id for t in tasks("06")]
    assert ids == [f"06.{k}" for k in range(1, 8)]
    every = [t.id for t in tasks()]
    assert every == sorted(every, key=lambda i: tuple(map(int, i.split("."))))
    assert every[every.index("06.1"):][: len(ids)] == ids
    with pytest.raises(KeyError, match="no exercise task '06.9'; known tasks: 06.1, 06.2"):
        get_task("06.9")
    assert check("06.1", ...).status == "not attempted"


def test_session_records_checks_and_saves_progress(tmp_path):
    ex = Session("06")
    assert ex.check("06.1", 481_250.0).passed  # hand-computed below, lesson 06
    assert ex.check("06.2", 0.5).status == "wrong"
    assert ex.check("06.3", "four").status == "wrong type"
    assert ex.check("06.4", ...).status == "not attempted"
    progress = ex.progress()
    assert [s for _, _, s in progress.rows] == ["correct", "not yet", "not yet",
                                                 "not attempted", "not checked", "not checked",
                                                 "not checked"]
    assert progress.passed == 1
    assert str(progress).splitlines()[1] == ("  correct        Task 06.1 — Revenue (销售额) of a "
                                             "rep in a quarter, with pandas, R2.2.1.1")
    assert str(progress).endswith("1 of 7 tasks correct. Go back to the tasks that are not "
                                  "correct yet and try again.")
    assert "<table>" in progress._repr_html_() and "#1a7f37" in progress._repr_html_()
    assert ex.check("06.2", 481_250 / 270_000).passed  # a later check replaces the earlier one
    assert ex.progress().rows[1][2] == "correct"

    path = ex.save_progress(tmp_path / "progress_06.json", learner="Li Lei")
    record = json.loads(path.read_text(encoding="utf-8"))
    assert record["notebook"] == "06" and record["learner"] == "Li Lei"
    assert (record["passed"], record["total"]) == (2, 7)
    assert record["tasks"][0] == {"id": "06.1", "status": "correct",
                                  "title": get_task("06.1").heading}
    assert pd.Timestamp(record["saved_at"]).tzinfo is not None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["progress_06.json"]  # no temp file
    assert json.loads(ex.save_progress(path).read_text())["learner"] is None


def test_session_refuses_unknown_notebooks_and_other_notebooks_tasks():
    with pytest.raises(ValueError, match="no exercise tasks for notebook '99'; notebooks with "
                                         "tasks: (\\d\\d, )*06"):
        Session("99")
    with pytest.raises(KeyError, match="no exercise task '06.9'"):
        Session("06").check("06.9", 1)
    with pytest.raises(KeyError, match="task '07.1' belongs to exercise notebook 07, not 06"):
        Session("06").check("07.1", 1)
    assert repr(Session("06")) == "Session('06': 0 of 7 checked)"


# ---------------------------------------------------------------- lesson 06
# The checks every task shares are in test_exercise_tasks.py (TestLesson06).
def test_lesson_06_expected_answers_match_hand_computation():
    # the tasks of lesson 06 on the KPI practice ledger (rep R03, 2026Q2)
    value = {t.id: t.kind.target(t.evaluate(t.expected)) for t in tasks("06")}
    # R03's deals signed 2026-04-01..06-30 (amounts after discount): D21 127,500,
    # D22 80,000, D23 61,750, D24 108,000, D31 30,000, D32 54,000 (signed on 06-30),
    # D33 20,000 -> 481,250 CNY
    assert value["06.1"] == pytest.approx(481_250)
    # quarterly target 3 x 90,000 = 270,000
    assert value["06.2"] == pytest.approx(481_250 / 270_000)
    # acquired in Q2: C14 (04-13), C20 (04-20), C17 (05-06), C19 (06-30)
    assert value["06.3"] == 4
    # opening customers C03, C11, C12, C13, C18; C18 churned 05-28 -> 4 / 5.
    # C17 and C20 were won and lost inside the quarter: they never count.
    assert value["06.4"] == pytest.approx(4 / 5)
    # due in Q2: I18 104,500, I19 60,000, I20 90,250, I21 63,750, I23 80,000,
    # I24 61,750, I31 30,000, I33 20,000 = 510,250; all paid by 06-30 except I31, of
    # which 10,000 (the 15,000 paid on 07-15 is late) -> 490,250 / 510,250
    assert value["06.5"] == pytest.approx(490_250 / 510_250)
    # company: opening 3 (R01) + 3 (R02) + 5 (R03) + 2 (R04) = 13, lost C02 and C18
    assert value["06.6"] == pytest.approx(11 / 13)
    # R01: 283,500 >= 270,000, 1 new (C07), keeps all, collects all; R03 keeps 80%;
    # R02 and R04 are below the revenue target
    assert value["06.7"] == frozenset({"R01"})


# ---------------------------------------------------------------- the committed notebooks
def test_committed_exercises_equal_a_fresh_build():
    assert stale(ROOT / "answers", ROOT / "exercises") == []


def _execute(path: Path) -> nbformat.NotebookNode:
    """Run a notebook top to bottom in a fresh kernel of this Python (as nbval does)."""
    from jupyter_client import KernelManager
    from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
    from nbclient import NotebookClient

    class ThisPython(KernelSpecManager):
        def get_kernel_spec(self, kernel_name):
            return KernelSpec(argv=[sys.executable, "-m", "ipykernel_launcher", "-f",
                                    "{connection_file}"], display_name="this", language="python")

    nb = nbformat.read(path, as_version=4)
    km = KernelManager(kernel_name="this", kernel_spec_manager=ThisPython())
    NotebookClient(nb, km=km, timeout=120,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb
