"""Indonesian working-day calendar (hari kerja).

Weekends, national holidays and cuti bersama are not working days. The ``holidays``
package's Indonesia calendar with the ``public`` and ``government`` categories knows
both; the admin-editable :class:`~portal.core.models.HolidayOverride` table corrects it
when a decree adds or moves a cuti bersama day.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Mapping
from functools import lru_cache

import holidays

ONE_DAY = dt.timedelta(days=1)


@lru_cache(maxsize=64)
def _package_holidays(year: int) -> dict[dt.date, str]:
    cal = holidays.country_holidays(
        "ID", categories=("public", "government"), years=year, language="id"
    )
    return dict(cal.items())


def preload(*years: int) -> None:
    """Compute the package's holidays of ``years`` now (a worker's warm-up), not on first use."""
    for year in years:
        _package_holidays(year)


class WorkCalendar:
    """A working-day calendar with overrides ``{date: is_working_day}``."""

    def __init__(self, overrides: Mapping[dt.date, bool] | None = None,
                 names: Mapping[dt.date, str] | None = None):
        self.overrides = dict(overrides or {})
        self.override_names = dict(names or {})

    def holiday_name(self, day: dt.date) -> str | None:
        if day in self.overrides:
            return None if self.overrides[day] else self.override_names.get(day, "Libur")
        return _package_holidays(day.year).get(day)

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if day.weekday() >= 5:
            return False
        return day not in _package_holidays(day.year)

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day after ``start`` (the first working day after it is day 1).

        ``n == 0`` returns ``start`` itself.
        """
        if n < 0:
            raise ValueError("n must be >= 0")
        day = start
        remaining = n
        while remaining:
            day += ONE_DAY
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]; negative when end is before start."""
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        day = start
        while day < end:
            day += ONE_DAY
            if self.is_working_day(day):
                count += 1
        return count

    def holidays_in(self, year: int) -> list[tuple[dt.date, str]]:
        """Non-working weekdays of a year with their names (for the admin page)."""
        out = []
        day = dt.date(year, 1, 1)
        while day.year == year:
            if day.weekday() < 5 and not self.is_working_day(day):
                out.append((day, self.holiday_name(day) or "Libur"))
            day += ONE_DAY
        return out


_cache_lock = threading.Lock()
_cached: tuple[float, WorkCalendar] | None = None
CACHE_SECONDS = 60.0


def invalidate() -> None:
    global _cached
    with _cache_lock:
        _cached = None


def get_calendar() -> WorkCalendar:
    """The calendar with the overrides from the database (cached for a minute)."""
    global _cached
    now = time.monotonic()
    with _cache_lock:
        if _cached is not None and now - _cached[0] < CACHE_SECONDS:
            return _cached[1]
    from portal.core.models import HolidayOverride
    from portal.extensions import db

    rows = db.session.execute(
        db.select(HolidayOverride.date, HolidayOverride.is_working_day, HolidayOverride.name)
    ).all()
    cal = WorkCalendar({r[0]: r[1] for r in rows}, {r[0]: r[2] for r in rows})
    with _cache_lock:
        _cached = (now, cal)
    return cal


# --- coverage: does the calendar know this year's decrees? ----------------------------------------

@lru_cache(maxsize=64)
def _package_category(year: int, category: str) -> tuple[tuple[dt.date, str], ...]:
    cal = holidays.country_holidays("ID", categories=(category,), years=year, language="id")
    return tuple(sorted(cal.items()))


def package_version() -> str:
    return holidays.__version__


def coverage(calendar: WorkCalendar, year: int) -> dict:
    """What the calendar knows of ``year``: public holidays, cuti bersama (package + overrides).

    An override that makes a day a holiday counts as a cuti-bersama day (that is what a decree the
    package does not know yet adds); one that makes a package day a working day removes it.
    """
    public = [(d, n) for d, n in _package_category(year, "public") if calendar.overrides.get(d) is not True]
    cuti = [(d, n) for d, n in _package_category(year, "government") if calendar.overrides.get(d) is not True]
    known = {d for d, _n in public} | {d for d, _n in cuti}
    for day, working in sorted(calendar.overrides.items()):
        if day.year == year and not working and day not in known:
            cuti.append((day, calendar.override_names.get(day, "Libur")))
    cuti.sort()
    return {"year": year, "public": public, "cuti_bersama": cuti,
            "overrides": sorted((d, w) for d, w in calendar.overrides.items() if d.year == year)}


def coverage_problems(calendar: WorkCalendar, today: dt.date) -> list[tuple[str, int]]:
    """``[("no_cuti_bersama", year)]`` for the current year without any cuti bersama, and for next
    year once it is past 1 July (the joint decree for next year is usually signed in the autumn)."""
    out = []
    if not coverage(calendar, today.year)["cuti_bersama"]:
        out.append(("no_cuti_bersama", today.year))
    if today > dt.date(today.year, 7, 1) and not coverage(calendar, today.year + 1)["cuti_bersama"]:
        out.append(("no_cuti_bersama", today.year + 1))
    return out
