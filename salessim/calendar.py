"""Working days: the simulation's clock and the calendar dates of the ledger.

The model measures time in working days (工作日) from the scenario's start date: ``1.0`` is
one working day of the team's ``hours_per_day`` hours, so nights, weekends and public
holidays simply do not exist on the clock. Day ``k`` of the clock is the half-open interval
``[k, k + 1)`` and falls on ``dates[k]``, the k-th working date from the start.

Which dates are working days follows China's official calendar (public holidays and the
weekend days that are worked in exchange), read from the ``chinesecalendar`` package. For
years that package does not cover, Monday to Friday are working days and a warning names
those years.
"""

from __future__ import annotations

import datetime as dt
import warnings

import numpy as np

__all__ = ["WorkCalendar", "add_months"]

_EXTRA_DAYS = 800  # calendar days kept after the horizon, for due dates that fall beyond it
_EPOCH = dt.date(1970, 1, 1).toordinal()  # day 0 of datetime64[D]


def add_months(day: dt.date, months: int) -> dt.date:
    """The date ``months`` calendar months after ``day`` (clamped to the month's last day)."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def _weekdays(days: np.ndarray) -> np.ndarray:
    """Monday-to-Friday flags for ``datetime64[D]`` dates (1970-01-01 was a Thursday)."""
    return (days.astype(np.int64) + 3) % 7 < 5


def _day_numbers(dates) -> np.ndarray:
    """``datetime.date`` objects as day numbers of ``datetime64[D]`` (faster than
    converting the dates)."""
    return np.array([d.toordinal() for d in dates], dtype=np.int64) - _EPOCH


def _china_workdays(days: np.ndarray) -> tuple[np.ndarray, list[int]]:
    """Working-day flags for ``datetime64[D]`` dates and the years the official calendar
    does not cover."""
    weekday = _weekdays(days)
    years = days.astype("datetime64[Y]").astype(np.int64) + 1970
    try:
        from chinese_calendar.constants import holidays, workdays
    except ImportError:  # pragma: no cover - it is a declared dependency
        return weekday, sorted(set(years.tolist()))
    covered = (years >= min(holidays).year) & (years <= max(holidays).year)
    number = days.astype(np.int64)
    holiday = np.isin(number, _day_numbers(holidays))
    worked = np.isin(number, _day_numbers(workdays))
    flags = np.where(covered, worked | (weekday & ~holiday), weekday)
    return flags, sorted(set(years[~covered].tolist()))


class WorkCalendar:
    """The working days of a simulation, from ``start`` for ``months`` calendar months.

    Parameters
    ----------
    start : datetime.date
        First calendar day of the simulation.
    months : int
        Length of the simulation in calendar months; the last day is the day before
        ``add_months(start, months)``.
    holidays : {"china", "weekends"}
        ``"china"`` uses China's public holidays and adjusted working days; ``"weekends"``
        makes Monday to Friday working days.

    Attributes
    ----------
    start, end : datetime.date
        First and last calendar day of the simulation (both inclusive).
    horizon : int
        Number of working days from ``start`` to ``end``: the clock runs on ``[0, horizon)``.
    dates : numpy.ndarray
        ``datetime64[D]`` working dates; ``dates[k]`` is the date of clock day ``k``. It
        continues past the horizon so that due dates after the end can be placed.
    month_of_day : numpy.ndarray
        For each clock day, the index of its calendar month counted from ``start``'s month.

    Warns
    -----
    UserWarning
        When the simulated dates reach years the official calendar does not cover.
    """

    def __init__(self, start: dt.date, months: int, holidays: str = "china") -> None:
        self.start = start
        self.end = add_months(start, months) - dt.timedelta(days=1)
        last = self.end + dt.timedelta(days=_EXTRA_DAYS)
        all_days = np.arange(np.datetime64(start, "D"), np.datetime64(last, "D") + 1)
        if holidays == "china":
            flags, uncovered = _china_workdays(all_days)
            in_horizon = [y for y in uncovered if y <= self.end.year]
            if in_horizon:
                warnings.warn(
                    "the official Chinese holiday calendar does not cover "
                    f"{', '.join(map(str, in_horizon))}; Monday to Friday are used as working "
                    "days for those years",
                    UserWarning,
                    stacklevel=2,
                )
        else:
            flags = _weekdays(all_days)
        self.dates = all_days[flags]
        self.horizon = int(np.searchsorted(self.dates, np.datetime64(self.end, "D"), "right"))
        month0 = start.year * 12 + start.month - 1
        years = self.dates.astype("datetime64[Y]").astype(int) + 1970
        months_of = self.dates.astype("datetime64[M]").astype(int) % 12
        self.month_of_day = (years * 12 + months_of - month0).astype(np.int64)

    def day_of(self, date: dt.date | np.datetime64) -> int:
        """Clock position of the end of calendar day ``date``.

        It is the number of working days on or before ``date``, so an event at clock time
        ``t`` falls on or before ``date`` exactly when ``t < day_of(date)``.
        """
        return int(np.searchsorted(self.dates, np.datetime64(date, "D"), "right"))

    def date_of(self, t: float) -> dt.date:
        """Calendar date of clock time ``t`` (working days from the start)."""
        return self.dates[int(t)].astype(dt.date)

    def dates_of(self, t: np.ndarray) -> np.ndarray:
        """Vectorised :meth:`date_of`: ``datetime64[ns]`` midnights, NaT where ``t`` is NaN."""
        t = np.asarray(t, dtype=float)
        ok = np.isfinite(t)
        idx = np.where(ok, t, 0).astype(np.int64)
        out = self.dates[idx].astype("datetime64[ns]")
        out[~ok] = np.datetime64("NaT")
        return out
