"""The other half of the lessons in a real browser, on a second worker (R3.3.1).

See ``test_browser_lessons.py``: this module holds the lessons of odd position in
``LESSON_CASES``, so that ``pytest -n 2 --dist loadscope`` runs them beside the first half with
a JupyterLab server and a browser of their own. It also shows that a dashboard's own error
message is reported.
"""

from __future__ import annotations

import dataclasses
import re

import pytest
from lab_page import CHROMIUM_MISSING, chromium_path
from lesson_cases import lesson_params, run_case
from notebook_files import DASHBOARD_RAISING_CELL, slider_case, write_notebook

if chromium_path() is None:
    pytest.skip(CHROMIUM_MISSING, allow_module_level=True)


@pytest.mark.parametrize("case", lesson_params(half=1))
def test_lesson_main_widget_shows_the_packages_number(lab, case):
    run_case(lab, case)


def test_a_dashboard_whose_update_raises_fails_the_case_with_its_message(lab, lab_server):
    case = dataclasses.replace(slider_case("e2e_dashboard_raises.ipynb"), output_label="Target")
    write_notebook(lab_server.root / case.notebook, DASHBOARD_RAISING_CELL)
    with pytest.raises(AssertionError, match="a dashboard shows an error") as caught:
        run_case(lab, case)
    shown = (r"could not update: ValueError: no target above 100k CNY a month "
             r"\(got 10[123]k\)")
    assert re.search(shown, str(caught.value))
