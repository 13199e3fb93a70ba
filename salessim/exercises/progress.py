"""A learner's progress through one exercise notebook (R3.3.1).

An exercise notebook creates a :class:`Session` at the top and checks every answer through
it; the last cell shows :meth:`Session.progress`, a summary of which tasks pass, and the
learner may save it with :meth:`Session.save_progress` as a small JSON file for a trainer.
"""

from __future__ import annotations

import html
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..ledger import atomic_write_text
from .core import CORRECT, NOT_ATTEMPTED, Feedback, grade
from .registry import get_task, tasks

__all__ = ["Progress", "Session"]

_SHOWN = {CORRECT: "correct", NOT_ATTEMPTED: "not attempted", None: "not checked"}
_COLOUR = {"correct": "#1a7f37", "not yet": "#cf222e"}


@dataclass(frozen=True)
class Progress:
    """Which tasks of a notebook pass: rows of ``(task_id, heading, status)``.

    ``status`` is ``"correct"``, ``"not yet"``, ``"not attempted"`` or ``"not checked"``
    (the task's check cell has not been run).
    """

    notebook: str
    rows: tuple[tuple[str, str, str], ...]

    @property
    def passed(self) -> int:
        """How many tasks are correct."""
        return sum(status == "correct" for _, _, status in self.rows)

    @property
    def summary(self) -> str:
        """``"3 of 7 tasks correct."`` with a word on what to do next."""
        total = len(self.rows)
        line = f"{self.passed} of {total} tasks correct."
        if self.passed == total:
            return line + " Well done: this exercise notebook is complete."
        return line + " Go back to the tasks that are not correct yet and try again."

    def __str__(self) -> str:
        width = max(len(s) for _, _, s in self.rows) if self.rows else 0
        lines = [f"Progress in exercise notebook {self.notebook}"]
        lines += [f"  {status:<{width}}  {heading}" for _, heading, status in self.rows]
        lines.append(self.summary)
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        rows = "".join(
            f'<tr><td style="text-align: left;">{html.escape(heading)}</td>'
            f'<td style="text-align: left; color: {_COLOUR.get(status, "#6e7781")};">'
            f"<b>{status}</b></td></tr>"
            for _, heading, status in self.rows
        )
        return (
            f"<div><b>Progress in exercise notebook {html.escape(self.notebook)}</b>"
            f'<table><thead><tr><th style="text-align: left;">Task</th>'
            f'<th style="text-align: left;">Status</th></tr></thead><tbody>{rows}</tbody>'
            f"</table><p>{html.escape(self.summary)}</p></div>"
        )

    def to_dict(self, learner: str | None = None, saved_at: str | None = None) -> dict:
        """A JSON-ready record: notebook, learner, time, counts and the status of each task."""
        return {
            "notebook": self.notebook,
            "learner": learner,
            "saved_at": saved_at,
            "passed": self.passed,
            "total": len(self.rows),
            "tasks": [{"id": i, "title": h, "status": s} for i, h, s in self.rows],
        }


class Session:
    """The checks of one exercise notebook, remembered to show progress at the end.

    Parameters
    ----------
    notebook : str
        The lesson number, e.g. ``"06"``.

    Examples
    --------
    >>> from salessim.exercises import Session
    >>> ex = Session("06")
    >>> ex.check("06.1", ...).status
    'not attempted'
    >>> ex.progress().rows[0][2]
    'not attempted'
    """

    def __init__(self, notebook: str) -> None:
        self.notebook = str(notebook)
        self._tasks = tasks(self.notebook)
        if not self._tasks:
            lessons = sorted({t.notebook for t in tasks()})
            raise ValueError(f"no exercise tasks for notebook {notebook!r}; notebooks with "
                             f"tasks: {', '.join(lessons)}")
        self._results: dict[str, Feedback] = {}

    def __repr__(self) -> str:
        return f"Session({self.notebook!r}: {len(self._results)} of {len(self._tasks)} checked)"

    def check(self, task_id: str, answer: Any) -> Feedback:
        """Check an answer (see :func:`salessim.exercises.check`) and remember the result."""
        task = get_task(task_id)
        if task.notebook != self.notebook:
            raise KeyError(f"task {task_id!r} belongs to exercise notebook {task.notebook}, "
                           f"not {self.notebook}")
        result = grade(task, answer)
        self._results[task.id] = result
        return result

    def progress(self) -> Progress:
        """Which tasks of this notebook pass, as checked so far in this session."""
        rows = []
        for task in self._tasks:
            result = self._results.get(task.id)
            status = _SHOWN.get(result.status if result else None, "not yet")
            rows.append((task.id, task.heading, status))
        return Progress(self.notebook, tuple(rows))

    def save_progress(self, path: str | os.PathLike, learner: str | None = None) -> Path:
        """Write the progress as a small JSON file (atomically) for a trainer to collect.

        Parameters
        ----------
        path : path-like
            The file to write, e.g. ``"progress_06.json"``.
        learner : str, optional
            The learner's name, if they want it recorded.

        Returns
        -------
        Path
            The file written.
        """
        path = Path(path)
        saved_at = datetime.now(UTC).replace(microsecond=0).isoformat()
        record = self.progress().to_dict(learner=learner, saved_at=saved_at)
        atomic_write_text(path, json.dumps(record, ensure_ascii=False, indent=1) + "\n")
        return path
