"""The other half of the lessons in a real browser, on a second worker (R3.3.1).

See ``test_browser_lessons.py``: this module holds the lessons of odd position in
``LESSON_CASES``, so that ``pytest -n 2 --dist loadscope`` runs them beside the first half with
a JupyterLab server and a browser of their own.
"""

from __future__ import annotations

import pytest
from lab_page import CHROMIUM_MISSING, chromium_path
from lesson_cases import lesson_params, run_case

if chromium_path() is None:
    pytest.skip(CHROMIUM_MISSING, allow_module_level=True)


@pytest.mark.parametrize("case", lesson_params(half=1))
def test_lesson_main_widget_shows_the_packages_number(lab, case):
    run_case(lab, case)
