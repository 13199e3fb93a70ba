"""Notebook files for the browser tests: the served copy of the course, and small fixtures.

The fixture notebooks are lesson-shaped widgets over the package, and deliberately broken
variants of them, written into the server's temporary folder by the tests that use them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
from lesson_cases import LessonWidgetCase, Slide

from salessim.regulation import Targets

__all__ = [
    "REPO",
    "write_notebook",
    "copy_notebooks",
    "slider_case",
    "SLIDER_CELL",
    "RAISING_CELL",
    "MISMATCH_CELL",
    "DANGLING_VIEW_CELL",
]

REPO = Path(__file__).resolve().parents[2]


def write_notebook(path: Path, *cells: str) -> Path:
    """Write a notebook of code ``cells`` with a Python 3 kernelspec, for the tests."""
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(source) for source in cells],
        metadata={
            "kernelspec": {
                "display_name": "Python 3 (ipykernel)",
                "language": "python",
                "name": "python3",
            },
            "language_info": {"name": "python"},
        },
    )
    nbformat.write(notebook, path)
    return path


def copy_notebooks(destination: Path) -> Path:
    """Copy the repository's ``notebooks/`` to ``destination`` (without checkpoints)."""
    shutil.copytree(
        REPO / "notebooks", destination, ignore=shutil.ignore_patterns(".ipynb_checkpoints")
    )
    return destination


# A lesson-shaped widget over the package: the quarterly revenue target (R2.2.1.1) for a
# monthly target set in thousands of CNY.
SLIDER_CELL = """\
import ipywidgets as widgets
from salessim.regulation import Targets

def show(v):
    print(f"Quarterly target: {Targets(monthly_revenue=v * 1000).revenue('Q'):,.0f} CNY")

widgets.interactive(
    show, v=widgets.IntSlider(value=100, min=50, max=200, description="Monthly target (k CNY)")
)
"""

# The same widget whose callback fails once the slider goes above 100.
RAISING_CELL = SLIDER_CELL.replace(
    "def show(v):\n",
    "def show(v):\n"
    "    if v > 100:\n"
    "        raise ValueError(f'no target above 100k CNY a month (got {v}k)')\n",
)

# A dashboard built like the lessons' (an HTML result updated by an observer decorated with
# salessim.widgets.errors.shows_errors) whose update fails once the slider goes above 100.
DASHBOARD_RAISING_CELL = """\
import ipywidgets as widgets
from salessim.regulation import Targets
from salessim.widgets.errors import shows_errors

slider = widgets.IntSlider(value=100, min=50, max=200, description="Monthly target (k CNY)")
result = widgets.HTML(description="Target")
result.add_class("salessim-result")

@shows_errors(result)
def update(_=None):
    v = slider.value
    if v > 100:
        raise ValueError(f"no target above 100k CNY a month (got {v}k)")
    result.value = f"Quarterly target: {Targets(monthly_revenue=v * 1000).revenue('Q'):,.0f} CNY"

slider.observe(update, "value")
update()
widgets.VBox([slider, result])
"""

# Moves that slider past 100 from the kernel: the dashboard then shows its error.
DASHBOARD_RAISE_CELL = """\
try:
    slider.value = 150
except ValueError:
    pass  # also sent to the kernel's log; the dashboard shows it
"""

# A slider whose model claims a version of the widget controls this front end does not
# have: what a mismatch between the kernel's ipywidgets and JupyterLab's extension looks like.
MISMATCH_CELL = """\
import ipywidgets as widgets
from traitlets import Unicode

class FutureSlider(widgets.IntSlider):
    _model_module_version = Unicode("99.0.0").tag(sync=True)
    _view_module_version = Unicode("99.0.0").tag(sync=True)

FutureSlider(value=1, description="Future slider")
"""

# A widget output whose model the kernel never created: what a notebook shows when its widget
# outputs outlive the kernel that made them.
DANGLING_VIEW_CELL = """\
from IPython.display import display

view = {"model_id": "0" * 32, "version_major": 2, "version_minor": 0}
display({"application/vnd.jupyter.widget-view+json": view}, raw=True)
"""


def slider_case(notebook: str) -> LessonWidgetCase:
    """The lesson case for :data:`SLIDER_CELL` (or a variant) saved as ``notebook``."""
    return LessonWidgetCase(
        notebook=notebook,
        control_label="Monthly target (k CNY)",
        action=Slide(steps=3),
        expected_fn=lambda v: Targets(monthly_revenue=v * 1000).revenue("Q"),
        pattern=r"Quarterly target: ([\d,]+) CNY",
    )
