"""Errors in a dashboard's update, shown where the learner is looking (R3.3.1)."""

from __future__ import annotations

import functools
import html
from collections.abc import Callable
from typing import Any


def shows_errors(result: Any) -> Callable[[Callable], Callable]:
    """Decorate a dashboard's update so that an error is shown in its ``result`` widget.

    Without it, an exception in a widget callback goes only to the kernel's log and the
    dashboard silently keeps its last numbers. With it, ``result`` (an ``ipywidgets.HTML``)
    reads "This dashboard could not update: <error>" in an element of CSS class
    ``salessim-error``, and the exception is raised again for the log.

    Parameters
    ----------
    result : ipywidgets.HTML
        The widget that shows the dashboard's numbers.

    Returns
    -------
    callable
        A decorator for ``update(change=None)``.
    """
    def decorate(update: Callable) -> Callable:
        @functools.wraps(update)
        def run(change: Any = None) -> None:
            try:
                update(change)
            except Exception as exc:
                result.value = ('<div class="salessim-error">This dashboard could not update: '
                                f"{html.escape(type(exc).__name__)}: "
                                f"{html.escape(str(exc))}</div>")
                raise
        return run
    return decorate
