"""A JupyterLab whose widget extension is off: the browser checks must notice (R3.3.1).

This is the break a new hire would meet if the JupyterLab widget manager did not match the
kernel's ipywidgets or failed to load: every dashboard degrades to a line of plain text. The
module starts its own server with ``@jupyter-widgets/jupyterlab-manager`` disabled in its
temporary config folder and checks that the lesson mechanism fails and says why.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from lab_page import CHROMIUM_MISSING, chromium_path
from lab_server import LabServer, isolated_jupyter_env
from lesson_cases import run_case
from notebook_files import SLIDER_CELL, copy_notebooks, slider_case, write_notebook

if chromium_path() is None:
    pytest.skip(CHROMIUM_MISSING, allow_module_level=True)

WIDGET_EXTENSION = "@jupyter-widgets/jupyterlab-manager"


@pytest.fixture(scope="module")
def lab_server(tmp_path_factory):
    """JupyterLab with the widget extension disabled at user level (the temporary config)."""
    work = tmp_path_factory.mktemp("jupyterlab-no-widgets")
    env = isolated_jupyter_env(work)
    disable = ["labextension", "disable", "--level=user", WIDGET_EXTENSION]
    subprocess.run(
        [sys.executable, "-m", "jupyter", *disable],
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    page_config = Path(env["JUPYTER_CONFIG_DIR"]) / "labconfig" / "page_config.json"
    disabled = json.loads(page_config.read_text(encoding="utf-8"))["disabledExtensions"]
    assert disabled.get(WIDGET_EXTENSION) is True, disabled
    server = LabServer.start(copy_notebooks(work / "notebooks"), work, env=env)
    yield server
    server.stop()


def test_missing_widget_frontend_fails_the_case(lab, lab_server):
    case = slider_case("e2e_slider.ipynb")
    write_notebook(lab_server.root / case.notebook, SLIDER_CELL)
    with pytest.raises(AssertionError) as caught:
        run_case(lab, case)
    message = str(caught.value)
    assert "1 widget output(s) not rendered by the widget front end" in message
    assert "interactive(children=(IntSlider(value=100" in message  # the plain-text fallback
