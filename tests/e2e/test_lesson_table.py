"""The table of lesson widgets is complete and well formed, and its number matching is right.

Every lesson from 01 on must have its main widget in ``LESSON_CASES`` (the curriculum gives
each of them at least one control, R3.3.1). These checks need no browser.
"""

from __future__ import annotations

import re

import pytest
from lab_page import parse_number
from lesson_cases import LESSON_CASES, shown_matches
from notebook_files import REPO

LESSON_NAME = re.compile(r"^(\d\d)_\w+\.ipynb$")


def test_every_lesson_from_01_on_has_a_browser_case():
    lessons = {
        path.name
        for path in (REPO / "notebooks").glob("*.ipynb")
        if (match := LESSON_NAME.match(path.name)) and int(match.group(1)) >= 1
    }
    covered = {case.notebook for case in LESSON_CASES}
    assert not lessons - covered, (
        f"lessons without a browser check of their main widget: {sorted(lessons - covered)}; "
        "add a LessonWidgetCase for each to LESSON_CASES in tests/e2e/lesson_cases.py"
    )


@pytest.mark.parametrize("case", LESSON_CASES, ids=lambda case: case.id)
def test_lesson_case_is_well_formed(case):
    assert (REPO / "notebooks" / case.notebook).is_file(), case.notebook
    assert re.compile(case.pattern).groups >= 1, "the pattern must capture the number"
    assert case.control_label.strip() == case.control_label != ""


@pytest.mark.parametrize(
    "text, number",
    [("309,000", 309_000.0), ("1,234.50", 1234.5), ("\u22123", -3.0), ("85.3", 85.3)],
)
def test_parse_number_reads_formatted_numbers(text, number):
    assert parse_number(text) == number


@pytest.mark.parametrize(
    "shown, expected, matches",
    [
        ("309,000", 309_000.0, True),
        ("309,000", 309_000.4, True),  # shown without decimals: within half a unit
        ("309,000", 309_000.6, False),  # would round to 309,001
        ("309,000", 300_000.0, False),  # the previous setting's number
        ("85.3", 85.26, True),  # one decimal shown: within 0.05
        ("85.3", 85.2, False),
        ("-12", -12.0, True),
    ],
)
def test_shown_matches_allows_only_the_display_rounding(shown, expected, matches):
    assert shown_matches(shown, expected) is matches
