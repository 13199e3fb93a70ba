"""The course in a real browser: every lesson's main widget rendered and driven (R3.3.1).

The lessons are split between this module and ``test_browser_lessons_more.py``: with
``pytest -n 2 --dist loadscope`` each module runs on its own worker with one JupyterLab server
and one browser, so the two halves run side by side. Besides the lessons, small notebooks
written into the server's folder exercise the whole mechanism, and deliberately broken
variants show that each kind of break is reported, a dashboard's own error message
included.
"""

from __future__ import annotations

import re

import pytest
from lab_page import CHROMIUM_MISSING, chromium_path
from lesson_cases import lesson_params, run_case
from notebook_files import (
    DANGLING_VIEW_CELL,
    DASHBOARD_RAISE_CELL,
    DASHBOARD_RAISING_CELL,
    MISMATCH_CELL,
    RAISING_CELL,
    SLIDER_CELL,
    slider_case,
    write_notebook,
)

from salessim import CLAUSES

if chromium_path() is None:
    pytest.skip(CHROMIUM_MISSING, allow_module_level=True)


@pytest.mark.parametrize("case", lesson_params(half=0))
def test_lesson_main_widget_shows_the_packages_number(lab, case):
    run_case(lab, case)


def test_start_here_runs_without_errors(lab):
    lab.open_notebook("00_start_here.ipynb")
    lab.run_all_cells()
    lab.assert_no_problems()
    # The first code cell prints the size of the clause registry: proof that the cells ran in
    # a kernel with this package installed.
    assert f"{len(CLAUSES)} clauses in the regulation's map" in lab.outputs_text()


def test_mechanism_on_a_fixture_notebook(lab, lab_server):
    case = slider_case("e2e_slider.ipynb")
    write_notebook(lab_server.root / case.notebook, SLIDER_CELL)
    result = run_case(lab, case)
    # The slider starts at 100 (k CNY a month): 3 months x 100,000 = 300,000 CNY a quarter.
    assert (result.value_before, result.shown_before) == (100, "300,000")
    # Three presses of ArrowRight on a step-1 slider: 103, so 3 x 103,000 = 309,000 CNY.
    assert (result.value_after, result.shown_after) == (103, "309,000")


def test_a_widget_callback_that_raises_fails_the_case(lab, lab_server):
    case = slider_case("e2e_slider_raises.ipynb")
    write_notebook(lab_server.root / case.notebook, RAISING_CELL)
    with pytest.raises(AssertionError, match="a widget callback raised") as caught:
        run_case(lab, case)
    # Each of the three key presses (101, 102, 103) re-runs the callback, and each raises.
    raised = r"callback raised: ValueError: no target above 100k CNY a month \(got 10[123]k\)"
    assert re.search(raised, str(caught.value))


def test_widgets_that_cannot_be_displayed_are_reported(lab, lab_server):
    # also a lesson-style dashboard whose update fails: it shows its error, which is reported
    write_notebook(lab_server.root / "e2e_display_errors.ipynb", MISMATCH_CELL,
                   DANGLING_VIEW_CELL, DASHBOARD_RAISING_CELL, DASHBOARD_RAISE_CELL)
    lab.open_notebook("e2e_display_errors.ipynb")
    lab.run_all_cells()
    problems = lab.problems()
    assert "Error displaying widget: model not found" in problems, problems
    assert any("1 widget view(s) failed to render" in p for p in problems), problems
    assert any("version ^99.0.0 is not registered" in p for p in problems), problems
    assert ("a dashboard shows an error: This dashboard could not update: ValueError: no "
            "target above 100k CNY a month (got 150k)") in problems, problems
    with pytest.raises(AssertionError, match="Error displaying widget"):
        lab.assert_no_problems()
