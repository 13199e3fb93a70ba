"""The working-day calendar: the simulation clock and its dates."""

from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
import pytest

from salessim.calendar import WorkCalendar, add_months

D = dt.date


def working(cal: WorkCalendar) -> set[dt.date]:
    return {d.astype(dt.date) for d in cal.dates[:cal.horizon]}


def test_china_holidays_and_adjusted_working_days_2026():
    cal = WorkCalendar(D(2026, 1, 1), 12)
    days = working(cal)
    assert D(2026, 1, 1) not in days  # New Year's Day, a Thursday
    assert D(2026, 10, 1) not in days  # National Day, a Thursday
    assert D(2026, 2, 14) in days  # a Saturday worked in exchange for the Spring Festival
    assert D(2026, 3, 2) in days  # an ordinary Monday
    assert D(2026, 3, 7) not in days  # an ordinary Saturday
    assert cal.end == D(2026, 12, 31)
    # Fewer working days than Monday-Friday would give (261 in 2026): holidays outnumber
    # the weekend days worked in exchange.
    assert 240 <= cal.horizon < 261


def test_weekends_calendar_is_monday_to_friday():
    cal = WorkCalendar(D(2026, 1, 1), 12, "weekends")
    assert cal.horizon == 261  # 52 weeks of 5 days + Thursday 31 December
    assert all(d.weekday() < 5 for d in working(cal))


def test_years_not_covered_fall_back_with_a_warning_naming_them():
    with pytest.warns(UserWarning, match="does not cover 2030, 2031"):
        cal = WorkCalendar(D(2030, 6, 1), 18)
    assert all(d.weekday() < 5 for d in working(cal))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        WorkCalendar(D(2026, 1, 1), 12)  # covered: no warning, though due dates reach 2027


def test_clock_and_dates_agree():
    cal = WorkCalendar(D(2026, 1, 1), 2)
    first = cal.dates[0].astype(dt.date)
    assert first == D(2026, 1, 4)  # 1-3 January are the New Year holiday
    assert cal.date_of(0.0) == cal.date_of(0.99) == first
    assert cal.date_of(1.0) == cal.dates[1].astype(dt.date)
    # day_of(d) is the number of working days on or before d.
    assert cal.day_of(D(2026, 1, 3)) == 0 and cal.day_of(D(2026, 1, 4)) == 1
    t = np.array([0.5, 3.2, np.nan])
    out = cal.dates_of(t)
    assert out[0] == np.datetime64("2026-01-04") and np.isnat(out[2])
    assert list(cal.month_of_day[:cal.horizon][[0, -1]]) == [0, 1]


def test_add_months_clamps_to_the_month_end():
    assert add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert add_months(D(2026, 11, 15), 3) == D(2027, 2, 15)
    assert add_months(D(2026, 1, 1), 12) == D(2027, 1, 1)
