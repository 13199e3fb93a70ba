"""How fast each lesson's main dashboard responds when a learner moves its control (R3.3.1).

For every lesson from 01 on, this builds the lesson's main dashboard exactly as the notebook
does (outside a browser: ipywidgets runs its callbacks in the kernel, where the time goes),
then moves the main control back and forth and times each update: the recomputation (a re-run
of the lesson's model, or a KPI over a ledger) and the redrawn plot. Building the dashboard
(the lesson's first run, or lesson 10's experiment) is not counted. The target is a response
under 0.25 s.

Prints one line per lesson: the median time from a move to the new number (the widget with the
CSS class ``salessim-result`` changes; the browser shows it as soon as it changes), the median
and slowest time to the end of the whole update (the plot redrawn too), and whether the number
meets the target. The machine's load average is printed too: figures taken on a busy
machine are slower.

Usage::

    python benchmarks/bench_widgets.py             # every lesson, 7 moves each
    python benchmarks/bench_widgets.py --moves 3 --lessons 03 11
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import warnings

TARGET = 0.25


def _dashboards():
    """Lesson -> (a function building its main dashboard, its main control's description)."""
    from importlib import import_module

    (lesson01, lesson02, lesson03, lesson04, lesson05, lesson06, lesson07, lesson08, lesson09,
     lesson10, lesson11) = (import_module(f"salessim.widgets.lesson{n:02d}") for n in range(1, 12))
    return {
        "01": (lambda: lesson01.journey_dashboard(), "Lead"),
        "02": (lambda: lesson02.screening_dashboard(), "Threshold"),
        "03": (lambda: lesson03.follow_up_dashboard(), "Wait (working days)"),
        "04": (lambda: lesson04.discount_dashboard(), "Discount (%)"),
        "05": (lambda: lesson05.after_sales_dashboard(), "Revisits per year"),
        "06": (lambda: lesson06.kpi_dashboard(), "Period"),
        "07": (lambda: lesson07.earnings_dashboard(), "Revenue (CNY)"),
        "08": (lambda: lesson08.survey_dashboard(), "Period"),
        "09": (lambda: lesson09.teamwork_dashboard(), "Meetings per month"),
        "10": (lambda: lesson10.interval_dashboard(lesson10.run_lab()), "Replications"),
        "11": (lambda: lesson11.supervision_dashboard(), "Drift (points)"),
    }


def _find(widget, description: str):
    """The first widget under ``widget`` whose description is ``description``."""
    if getattr(widget, "description", None) == description and hasattr(widget, "value"):
        return widget
    for child in getattr(widget, "children", ()):
        found = _find(child, description)
        if found is not None:
            return found
    return None


def _result(widget):
    """The widget that shows the dashboard's number (CSS class ``salessim-result``)."""
    if "salessim-result" in getattr(widget, "_dom_classes", ()):
        return widget
    for child in getattr(widget, "children", ()):
        found = _result(child)
        if found is not None:
            return found
    return None


def _settings(control, moves: int) -> tuple[list, list]:
    """A warm-up setting, then ``moves`` settings of the control, each new where possible (a
    dashboard that caches its runs must not be timed on settings it has already computed)."""
    if getattr(control, "options", None):
        options = [o[1] if isinstance(o, tuple) else o for o in control.options]
        i = options.index(control.value)
        cycle = [options[(i + k) % len(options)] for k in range(1, moves + 2)]
        return cycle[:1], cycle[1:]
    step = getattr(control, "step", 1) or 1
    low, high = getattr(control, "min", -float("inf")), getattr(control, "max", float("inf"))
    ups = [control.value + k * step for k in range(1, moves + 2)]
    downs = [control.value - k * step for k in range(1, moves + 2)]
    fresh = [v for v in ups if v <= high] + [v for v in downs if v >= low]
    return fresh[:1], fresh[1:moves + 1]


def time_lesson(build, description: str, moves: int) -> tuple[list[float], list[float]]:
    """Seconds each of ``moves`` control changes took until the dashboard's number changed,
    and until the whole update (plot included) was done."""
    dashboard = build()
    control = _find(dashboard, description)
    if control is None:
        raise SystemExit(f"no control described {description!r} in the dashboard")
    result = _result(dashboard)
    shown: list[float] = []
    if result is not None:
        trait = "outputs" if hasattr(result, "outputs") else "value"
        result.observe(lambda _: shown.append(time.perf_counter()), trait)
    warm, timed = _settings(control, moves)
    for value in warm:  # the first move fills caches a learner's first move also fills
        control.value = value
    number, whole = [], []
    for value in timed:
        shown.clear()
        start = time.perf_counter()
        control.value = value
        end = time.perf_counter()
        whole.append(end - start)
        number.append((shown[0] if shown else end) - start)
    return number, whole


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=7, help="timed moves per lesson")
    parser.add_argument("--lessons", nargs="*", help="lesson numbers, e.g. 03 11 (all)")
    args = parser.parse_args(argv)
    import matplotlib

    matplotlib.use("Agg")
    warnings.simplefilter("ignore")
    boards = _dashboards()
    chosen = args.lessons or list(boards)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; "
          f"{args.moves} timed moves per lesson; target {TARGET} s")
    print("seconds from a move to the new number, and to the end of the update (plot drawn)")
    print(f"{'lesson':<7}{'control':<22}{'number':>8}{'whole':>8}{'max':>8}  number < target")
    for lesson in chosen:
        build, description = boards[lesson]
        number, whole = time_lesson(build, description, args.moves)
        print(f"{lesson:<7}{description:<22}{statistics.median(number):>8.3f}"
              f"{statistics.median(whole):>8.3f}{max(whole):>8.3f}  "
              f"{'yes' if statistics.median(number) < TARGET else 'NO'}")


if __name__ == "__main__":
    main()
