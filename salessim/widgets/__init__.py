"""Interactive dashboards of the lessons, one module per lesson (``lessonNN.py``).

Each module holds pure functions ``compute_xxx(...)`` that do the work and are tested like
the rest of the package, and ``xxx_dashboard(...)`` functions that build the ipywidgets
controls around them. ipywidgets is imported only inside the dashboard functions, so the
package works without it; import a lesson's module explicitly, e.g.
``from salessim.widgets import lesson08``.
"""

__all__: list[str] = []
