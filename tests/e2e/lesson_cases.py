"""The lessons' main widgets, checked in a real browser against the package.

Each lesson from 01 on adds one :class:`LessonWidgetCase` to ``LESSON_CASES``: which notebook,
the description label of its main control, what to do to that control, and a function that
computes, with the package, the number the widget must show for the control's new value.
:func:`run_case` opens the lesson in JupyterLab, runs all cells, checks that the widget shows
the package's number before and after the change, and that nothing on the page went wrong.

An entry for a slider whose ``interactive`` function prints a quarterly target::

    LessonWidgetCase(
        notebook="06_kpis.ipynb",
        control_label="Monthly target (CNY)",
        action=Slide(steps=2),
        expected_fn=lambda v: Targets(monthly_revenue=v).revenue("Q"),
        pattern=r"Quarterly target: ([\\d,]+) CNY",
    )
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from lab_page import DEFAULT_TIMEOUT, RUN_ALL_TIMEOUT, LabPage, parse_number

__all__ = [
    "Slide",
    "SetSlider",
    "Choose",
    "Type",
    "LessonWidgetCase",
    "CaseResult",
    "LESSON_CASES",
    "FIRST_NUMBER",
    "shown_matches",
    "run_case",
    "lesson_params",
]

FIRST_NUMBER = r"(-?\d[\d,]*(?:\.\d+)?)"


@dataclass(frozen=True)
class Slide:
    """Press the arrow key ``steps`` times on a slider (negative: to the left)."""

    steps: int

    def apply(self, lab: LabPage, label: str) -> str:
        return lab.move_slider(label, self.steps)


@dataclass(frozen=True)
class SetSlider:
    """Type ``value`` into a slider's readout."""

    value: float

    def apply(self, lab: LabPage, label: str) -> str:
        return lab.set_slider(label, self.value)


@dataclass(frozen=True)
class Choose:
    """Choose the dropdown option whose text is ``option``."""

    option: str

    def apply(self, lab: LabPage, label: str) -> str:
        return lab.choose(label, self.option)


@dataclass(frozen=True)
class Type:
    """Replace a text box's text with ``text`` and press Enter."""

    text: str

    def apply(self, lab: LabPage, label: str) -> str:
        return lab.type_text(label, self.text)


Action = Slide | SetSlider | Choose | Type


@dataclass(frozen=True)
class LessonWidgetCase:
    """One lesson's main widget and how to check it.

    Parameters
    ----------
    notebook : str
        The lesson's file name in ``notebooks/``, e.g. ``"06_kpis.ipynb"``.
    control_label : str
        The description label of the control to change, exactly as shown.
    action : Slide | SetSlider | Choose | Type
        What to do to the control.
    expected_fn : callable
        Computes with the package the number the widget must show. It receives the control's
        value as the page shows it: a number (int when whole) for a slider, the option's text
        for a dropdown, the text for a text box.
    pattern : str
        Regular expression whose first group is the number, searched in the widget's text.
    output_label : str, optional
        Description label of an HTML widget that shows the number. By default the number is
        read from the Output areas of the widget that holds the control (what an
        ``interactive`` function printed).
    run_timeout : float
        Seconds allowed for Run All Cells.
    """

    notebook: str
    control_label: str
    action: Action
    expected_fn: Callable[[float | str], float]
    pattern: str = FIRST_NUMBER
    output_label: str | None = None
    run_timeout: float = RUN_ALL_TIMEOUT

    @property
    def id(self) -> str:
        return f"{self.notebook.removesuffix('.ipynb')}:{self.control_label}"


@functools.cache
def _lesson01_run():
    from salessim.widgets.lesson01 import lesson_run

    return lesson_run()


def _days_to_cash(lead_id: str) -> float:
    """Lesson 01's journey dashboard: calendar days from a lead's arrival to the payment of its
    first deal, in the lesson's simulation (R2.1)."""
    from salessim.widgets.lesson01 import compute_journey

    return compute_journey(_lesson01_run(), lead_id).days_to_cash


def _new_deals_after_wait(wait: float) -> float:
    """Lesson 03's follow-up dashboard: new deals won by the lesson's team when every lead
    waits ``wait`` working days for its first call (R2.1.2.1)."""
    from salessim.widgets.lesson03 import compute_follow_up

    return compute_follow_up(wait).won


def _retention_percent(revisits_per_year: float) -> float:
    """Lesson 05's revisit dashboard: the lesson's team's retention rate of its last quarter
    with this many revisits of each customer a year, in % (R2.1.4.3, R2.2.1.2)."""
    from salessim.widgets.lesson05 import compute_after_sales

    return 100 * compute_after_sales(revisits_per_year).retention_rate


def _qualified_leads(threshold: float) -> float:
    """Lesson 02's screening dashboard: leads of the lesson's quarter that qualify at
    ``threshold`` with the default weights, from a run of the model (R2.1.1.3)."""
    from salessim.widgets.lesson02 import compute_screening

    return compute_screening(threshold=threshold).qualified


def _team_skill(meetings_per_month: float) -> float:
    """Lesson 09's teamwork dashboard: the lesson's team's skill index at the year's end with
    this many one-hour meetings a month (R2.3.2.1, R2.3.2.3)."""
    from salessim.widgets.lesson09 import compute_teamwork

    return compute_teamwork(meetings_per_month).skill_index


def _expected_revenue_at(discount_percent: float) -> float:
    """Lesson 04's discount dashboard: expected revenue of a medium company's quote at the
    discount, by the model's negotiation rule (R2.1.3.2)."""
    from salessim.widgets.lesson04 import compute_discount

    return compute_discount(discount_percent / 100, "medium").expected_revenue


def _survey_csat_percent(period: str) -> float:
    """Lesson 08's survey dashboard: CSAT of all teams on the sample CRM export (R2.3.1.3)."""
    from salessim import Ledger, sample_crm_dir
    from salessim.widgets.lesson08 import compute_surveys

    return 100 * compute_surveys(Ledger.from_csv_dir(sample_crm_dir()), period).csat


def _r01_quarter_revenue(period: str) -> float:
    """Lesson 06's KPI dashboard: R01's revenue in a quarter of the sample CRM export (R2.2.1.1)."""
    from salessim import Ledger, kpi, sample_crm_dir

    revenue = kpi.revenue(Ledger.from_csv_dir(sample_crm_dir()), "Q")
    return revenue.loc[(revenue["rep_id"] == "R01") & (revenue["period"] == period),
                       "revenue"].item()


def _quarterly_pay(revenue: float) -> float:
    """Lesson 07's calculator: a quarter's pay under the company's plan, computed with
    ``salessim.incentives`` for ``revenue``, the other sliders at their defaults (R2.2.2.1)."""
    from salessim.incentives import load_plan
    from salessim.widgets.lesson07 import DEFAULTS

    quarter = {"revenue": revenue, "collected": revenue,
               "new_customers": DEFAULTS["new_customers"], "retention": DEFAULTS["retention"],
               "collection": DEFAULTS["collection"]}
    return sum(load_plan(DEFAULTS["plan"]).pay("Q", quarter).values())


@functools.cache
def _period_end_half_width(replications: int) -> float:
    """Lesson 10's interval dashboard: the half-width, in percentage points, of the paired 95%
    interval of the default plan's period-end share minus linear's, over the first
    ``replications`` replications of the lab, recomputed with ``salessim.experiment.compare``
    (replication i keeps its seed whatever their number) and ``paired_ci`` (R3.2.1)."""
    from salessim.experiment import compare, paired_ci
    from salessim.widgets.lesson10 import DEFAULT_PLAN, SEED, lesson_scenario

    res = compare(lesson_scenario(), ["linear", DEFAULT_PLAN], int(replications), SEED,
                  progress=False)
    second = res.data[res.data["period"] == "2026Q2"]  # the first quarter fills the pipeline
    totals = second.groupby(["plan", "replication"])[["period_end_revenue", "revenue"]].sum()
    share = totals["period_end_revenue"] / totals["revenue"]
    return 100 * paired_ci(share["linear"], share[DEFAULT_PLAN]).half_width


def _months_flagged(drift: float) -> float:
    """Lesson 11's supervision chart: the months of the lesson's team flagged from the drift's
    start when its collection rate is lowered by ``drift`` points (R3.2.2)."""
    from salessim.widgets.lesson11 import compute_supervision, team_series

    return len(compute_supervision(team_series(), drift).flagged)


# One entry per lesson from 01 on; a test checks that no lesson is missing.
LESSON_CASES: list[LessonWidgetCase] = [
    LessonWidgetCase(
        notebook="01_sales_process.ipynb",
        control_label="Lead",
        action=Choose("LW000010"),
        expected_fn=_days_to_cash,
        pattern=r"([\d,]+) calendar days",
        output_label="Journey",
    ),
    LessonWidgetCase(
        notebook="02_leads.ipynb",
        control_label="Threshold",
        action=Slide(steps=1),  # one re-run of the model: no intermediate value to race
        expected_fn=_qualified_leads,
        pattern=r"Qualified ([\d,]+) of",
        output_label="Result",
    ),
    LessonWidgetCase(
        notebook="03_follow_up.ipynb",
        control_label="Wait (working days)",
        action=Slide(steps=1),
        expected_fn=_new_deals_after_wait,
        pattern=r"([\d,]+) new deals won",
        output_label="Result",
    ),
    LessonWidgetCase(
        notebook="04_quotes.ipynb",
        control_label="Discount (%)",
        action=Slide(steps=1),
        expected_fn=_expected_revenue_at,
        pattern=r"expected revenue ([\d,]+) CNY",
        output_label="Result",
    ),
    LessonWidgetCase(
        notebook="05_after_sales.ipynb",
        control_label="Revisits per year",
        action=Slide(steps=3),
        expected_fn=_retention_percent,
        pattern=r"Retention rate \d{4}Q\d: ([\d.]+)%",
        output_label="Retention",
    ),
    LessonWidgetCase(
        notebook="06_kpis.ipynb",
        control_label="Period",
        action=Choose("2026Q2"),
        expected_fn=_r01_quarter_revenue,
        pattern=r"Revenue ([\d,]+) CNY",
        output_label="KPIs",
    ),
    LessonWidgetCase(
        notebook="07_pay.ipynb",
        control_label="Revenue (CNY)",
        action=Slide(steps=2),
        expected_fn=_quarterly_pay,
        pattern=r"Total ([\d,]+) CNY this quarter",
        output_label="Earnings",
    ),
    LessonWidgetCase(
        notebook="08_conduct.ipynb",
        control_label="Period",
        action=Choose("2026Q2"),
        expected_fn=_survey_csat_percent,
        pattern=r"CSAT ([\d.]+)%",
        output_label="Scores",
    ),
    LessonWidgetCase(
        notebook="09_teamwork.ipynb",
        control_label="Meetings per month",
        action=Slide(steps=2),
        expected_fn=_team_skill,
        pattern=r"Team skill at year end ([\d.]+)",
        output_label="Teamwork",
    ),
    LessonWidgetCase(
        notebook="10_incentive_lab.ipynb",
        control_label="Replications",
        action=Slide(steps=-3),
        expected_fn=_period_end_half_width,
        pattern=r"half-width ([\d.]+) points",
        output_label="Difference",
    ),
    LessonWidgetCase(
        notebook="11_rollout.ipynb",
        control_label="Drift (points)",
        action=Slide(steps=2),
        expected_fn=_months_flagged,
        pattern=r"(\d+) of \d+ months flagged",
        output_label="Supervision",
    ),
]


def lesson_params(half: int) -> list:
    """The pytest parameters of one half of ``LESSON_CASES``: ``half`` 0 takes the cases at
    even positions, 1 those at odd positions, so two modules share the lessons evenly."""
    import pytest

    cases = LESSON_CASES[half::2]
    if not cases:
        reason = "no lesson has added its main widget to LESSON_CASES (tests/e2e/lesson_cases.py)"
        return [pytest.param(None, marks=pytest.mark.skip(reason=reason), id="no-lessons-yet")]
    return [pytest.param(case, id=case.id) for case in cases]


@dataclass(frozen=True)
class CaseResult:
    """What the browser showed: control value and number, before and after the change."""

    value_before: float | str
    shown_before: str
    value_after: float | str
    shown_after: str
    run_seconds: float
    update_seconds: float


def shown_matches(shown: str, expected: float) -> bool:
    """Whether the displayed number is ``expected`` rounded to the digits it shows.

    ``"309,000"`` matches 309000.4 but not 309001; ``"85.3"`` matches 85.26.
    """
    decimals = len(shown.split(".")[1]) if "." in shown else 0
    return abs(parse_number(shown) - expected) <= 0.5 * 10.0**-decimals * (1 + 1e-9)


def _control_value(text: str, action: Action) -> float | str:
    if isinstance(action, Slide | SetSlider):
        number = parse_number(text)
        return int(number) if number.is_integer() else number
    return text


def _widget_text(lab: LabPage, case: LessonWidgetCase) -> str:
    if case.output_label is not None:
        return lab.html_text(case.output_label)
    return lab.output_text(case.control_label)


def _number_in(text: str, case: LessonWidgetCase, when: str) -> str:
    match = re.search(case.pattern, text)
    if match is None:
        raise AssertionError(
            f"{case.id}: {when}, no number matching {case.pattern!r} in the widget's text "
            f"{text!r}"
        )
    return match.group(1)


def _wait_for_update(lab: LabPage, case: LessonWidgetCase, before: str, expected: float) -> str:
    """Wait until the widget shows ``expected``, or a problem shows up, or time runs out.

    Several key presses on a slow widget re-run its callback once per press, so the text may
    change more than once: the first change is not the last. Waiting for the package's number
    for the control's final value (rather than for any change) reads the settled result; a
    widget that never shows it still fails, with the last text it showed.
    """
    deadline = time.monotonic() + DEFAULT_TIMEOUT
    text = before
    while time.monotonic() < deadline:
        text = _widget_text(lab, case)
        if lab.problems():
            return text
        match = re.search(case.pattern, text)
        if text != before and match and shown_matches(match.group(1), expected):
            return text
        time.sleep(0.1)
    if text == before:
        raise AssertionError(
            f"{case.id}: the widget's text did not change within {DEFAULT_TIMEOUT:.0f} s after "
            f"{case.action}; it still reads {before!r}"
        )
    lab.wait_kernel_idle()
    return _widget_text(lab, case)


def run_case(lab: LabPage, case: LessonWidgetCase) -> CaseResult:
    """Open the case's notebook, run all cells, change the control, check the number.

    Checks, in order: no problem on the page after Run All Cells; the number shown equals
    ``expected_fn`` of the control's initial value; after the action the text changes, no
    problem appears, and the number shown equals ``expected_fn`` of the control's new value.
    """
    lab.open_notebook(case.notebook)
    run_seconds = lab.run_all_cells(timeout=case.run_timeout)
    lab.assert_no_problems()

    value_before = _control_value(lab.control_value(case.control_label), case.action)
    text_before = _widget_text(lab, case)
    shown_before = _number_in(text_before, case, "before the change")
    expected_before = case.expected_fn(value_before)
    assert shown_matches(shown_before, expected_before), (
        f"{case.id}: with the control at {value_before!r} the widget shows {shown_before}, "
        f"the package computes {expected_before!r}"
    )

    started = time.monotonic()
    value_after = _control_value(case.action.apply(lab, case.control_label), case.action)
    assert value_after != value_before, f"{case.id}: {case.action} did not change the control"
    expected_after = case.expected_fn(value_after)
    text_after = _wait_for_update(lab, case, text_before, expected_after)
    update_seconds = time.monotonic() - started
    lab.assert_no_problems()
    shown_after = _number_in(text_after, case, f"after {case.action}")
    assert shown_matches(shown_after, expected_after), (
        f"{case.id}: after {case.action} the control reads {value_after!r} and the widget "
        f"shows {shown_after}, the package computes {expected_after!r}"
    )
    return CaseResult(
        value_before, shown_before, value_after, shown_after, run_seconds, update_seconds
    )
