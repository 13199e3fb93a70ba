"""The clause coverage table of the course (R3.3.1): generated, current, and honest."""

import json
from pathlib import Path

import pytest

from salessim.cli import main
from salessim.coverage import _covers, coverage, lesson_clauses
from salessim.exercises import tasks
from salessim.regulation import CLAUSES

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
KNOWN = {c.id for c in CLAUSES}


def _known_or_parent(clause_id: str) -> bool:
    return any(_covers(clause_id, k) for k in KNOWN)


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.name for p in LESSONS])
def test_every_lesson_lists_real_clauses(lesson):
    ids = lesson_clauses(lesson)
    assert ids, f"{lesson.name} lists no clauses"
    assert all(_known_or_parent(i) for i in ids), ids


def test_every_task_names_real_clauses():
    for task in tasks():
        assert task.clauses and all(_known_or_parent(i) for i in task.clauses), task.id


def test_a_listed_id_covers_its_subclauses_only():
    assert _covers("R2.1", "R2.1.1.3")
    assert _covers("R2.2.1.3", "R2.2.1.3")
    assert not _covers("R2.1", "R2.10")
    assert not _covers("R2.1.1.3", "R2.1.1")


def test_coverage_counts_a_lesson_for_each_listed_clause(tmp_path):
    nb = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": [
        "# 01 · Test\n", "\n", "| | |\n", "| --- | --- |\n", "| **Clauses** | R2.1.4, R1 |\n"]}],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "01_test.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    table = coverage(tmp_path).set_index("clause")
    assert table.loc["R2.1.4.2", "lessons"] == ["01"]
    assert table.loc["R1", "lessons"] == ["01"]
    assert table.loc["R2.1.3.1", "lessons"] == []


def test_a_lesson_without_a_clauses_row_is_named(tmp_path):
    nb = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": ["# 01 · Test\n"]}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "01_test.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    with pytest.raises(ValueError, match="01_test.ipynb"):
        lesson_clauses(path)


def test_committed_coverage_table_is_current(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    assert main(["coverage", "--check"]) == 0, capsys.readouterr().err


def test_every_clause_has_a_lesson_and_an_exercise_task():
    table = coverage(ROOT)
    no_lesson = table.loc[table["lessons"].map(len) == 0, "clause"].tolist()
    no_task = table.loc[table["tasks"].map(len) == 0, "clause"].tolist()
    assert not no_lesson, f"clauses no lesson covers: {no_lesson}"
    assert not no_task, f"clauses no exercise task covers: {no_task}"
    assert len(tasks()) >= 60, f"{len(tasks())} exercise tasks; the course needs at least 60"
