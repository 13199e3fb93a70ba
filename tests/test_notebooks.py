"""The lessons' shape: how each opens and ends, stored outputs, and few unchecked cells (R3.3.1)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _code(nb) -> list:
    return [c for c in nb.cells if c.cell_type == "code"]


@pytest.mark.parametrize("path", LESSONS, ids=[p.name for p in LESSONS])
def test_lesson_opens_with_its_plan_and_ends_with_next(path):
    nb = nbformat.read(path, as_version=4)
    first, last = nb.cells[0], nb.cells[-1]
    number = path.name[:2]
    assert first.cell_type == "markdown" and first.source.startswith(f"# {number} · "), path.name
    for row in ("**You will learn**", "**Clauses**", "**Time**", "**First**"):
        assert row in first.source, f"{path.name}: the opening cell has no {row} row"
    assert last.cell_type == "markdown" and "## Next" in last.source, path.name
    if number != "00":
        assert f"exercises/{path.name}" in last.source, f"{path.name}: Next names no exercise"


@pytest.mark.parametrize("path", LESSONS, ids=[p.name for p in LESSONS])
def test_lesson_is_stored_executed_in_order(path):
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata.kernelspec.name == "python3"
    counts = [c.execution_count for c in _code(nb)]
    assert counts == list(range(1, len(counts) + 1)), f"{path.name}: run top to bottom once"


@pytest.mark.parametrize("path", LESSONS, ids=[p.name for p in LESSONS])
def test_at_most_one_code_cell_in_ten_is_left_unchecked(path):
    code = _code(nbformat.read(path, as_version=4))
    ignored = [c for c in code if "NBVAL_IGNORE_OUTPUT" in c.source]
    assert 10 * len(ignored) <= len(code), (
        f"{path.name}: {len(ignored)} of {len(code)} code cells are NBVAL_IGNORE_OUTPUT"
    )
