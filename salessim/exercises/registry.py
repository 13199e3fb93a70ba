"""The task registry: every ``tasks_NN.py`` module of this package adds its lesson's tasks.

A lesson's tasks live in ``salessim/exercises/tasks_NN.py`` as a tuple ``TASKS``; adding a
lesson means adding that module, nothing else.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .core import Feedback, Task, grade

__all__ = ["check", "get_task", "tasks"]


def _order(task_id: str) -> tuple[int, int]:
    lesson, _, number = task_id.partition(".")
    return int(lesson), int(number)


@lru_cache(maxsize=1)
def _registry() -> MappingProxyType:
    found: dict[str, Task] = {}
    package = __name__.rpartition(".")[0]
    names = sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]))
    for name in names:
        if not re.fullmatch(r"tasks_\d\d", name):
            continue
        module = importlib.import_module(f"{package}.{name}")
        for task in module.TASKS:
            if task.notebook != name[-2:]:
                raise ValueError(f"{name}.py: task {task.id} belongs to lesson {task.notebook}")
            if task.id in found:
                raise ValueError(f"{name}.py: task id {task.id} is used twice")
            found[task.id] = task
    return MappingProxyType(dict(sorted(found.items(), key=lambda kv: _order(kv[0]))))


def tasks(notebook: str | None = None) -> tuple[Task, ...]:
    """All registered tasks in order, or those of one lesson (``notebook="06"``)."""
    return tuple(t for t in _registry().values() if notebook is None or t.notebook == notebook)


def get_task(task_id: str) -> Task:
    """The task with id ``task_id`` (``"06.4"``).

    Raises
    ------
    KeyError
        If there is no such task; the message lists the lesson's tasks.
    """
    try:
        return _registry()[task_id]
    except KeyError:
        lesson = str(task_id).partition(".")[0]
        near = [t.id for t in tasks(lesson)] or list(_registry())
        raise KeyError(f"no exercise task {task_id!r}; known tasks: {', '.join(near)}") from None


def check(task_id: str, answer: Any) -> Feedback:
    """Check an answer to an exercise task and return feedback that teaches.

    Parameters
    ----------
    task_id : str
        The task's id, as in its heading (``"06.4"``).
    answer : object
        The learner's answer; ``...`` means not attempted yet.

    Returns
    -------
    Feedback
        Shown as a green/red box in a notebook and as plain text in a terminal. A correct
        answer gets one sentence on why it matters; a wrong one the hint of the known mistake
        it matches, or a general hint; never the correct value.

    Examples
    --------
    >>> from salessim.exercises import check
    >>> check("06.1", ...).status
    'not attempted'
    """
    return grade(get_task(task_id), answer)
