"""Exercises with immediate feedback that teaches (R3.3.1: training on the regulation).

Learners answer the tasks of ``exercises/NN_topic.ipynb`` and check each answer::

    from salessim.exercises import Session
    ex = Session("06")
    ex.check("06.4", retention)     # green "Correct" + why it matters, or a targeted hint
    ex.progress()                   # which tasks pass, at the end of the notebook

:func:`check` does the same without remembering results. Feedback never shows the correct
value. Tasks are registered per lesson in ``tasks_NN.py``; the exercise notebooks are built
from the worked answers in ``answers/`` by :func:`build` (``salessim exercises build``).
"""

from .builder import BuildError, build, stale
from .core import AnswerTypeError, Feedback, Kind, Mistake, Task
from .datasets import kpi_practice, sample_crm
from .kinds import Case, Choice, Function, IdSet, Number, Ordering, as_percentage, option
from .progress import Progress, Session
from .registry import check, get_task, tasks

__all__ = [
    "AnswerTypeError", "BuildError", "Case", "Choice", "Feedback", "Function", "IdSet", "Kind",
    "Mistake", "Number", "Ordering", "Progress", "Session", "Task", "as_percentage", "build",
    "check", "get_task", "kpi_practice", "option", "sample_crm", "stale", "tasks",
]
