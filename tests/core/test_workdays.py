import datetime as dt

import pytest

from portal.core.models import HolidayOverride
from portal.core.workdays import WorkCalendar, get_calendar, invalidate
from portal.extensions import db

D = dt.date


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        # docs/INTERFACES.md §4: dispatch on Friday 2024-04-05, norm 5 → 2024-04-22 (Idul Fitri + cuti bersama)
        (D(2024, 4, 5), 5, D(2024, 4, 22)),
        # Idul Fitri 2025: 28 Mar (Nyepi cuti bersama) … 7 Apr are all off
        (D(2025, 3, 27), 1, D(2025, 4, 8)),
        # Nyepi 2024: 11 Mar holiday, 12 Mar cuti bersama
        (D(2024, 3, 8), 1, D(2024, 3, 13)),
        # Christmas 2024: 25 Dec holiday, 26 Dec cuti bersama
        (D(2024, 12, 24), 1, D(2024, 12, 27)),
        # New Year: 1 Jan 2025 is a holiday
        (D(2024, 12, 31), 1, D(2025, 1, 2)),
        # plain weekend
        (D(2025, 2, 7), 1, D(2025, 2, 10)),
        (D(2025, 2, 3), 14, D(2025, 2, 21)),
        (D(2025, 2, 3), 0, D(2025, 2, 3)),
    ],
)
def test_add_working_days(start, n, due):
    assert WorkCalendar().add_working_days(start, n) == due


def test_weekends_and_holidays_are_not_working_days():
    cal = WorkCalendar()
    assert not cal.is_working_day(D(2024, 4, 8))  # cuti bersama Idul Fitri
    assert not cal.is_working_day(D(2024, 4, 10))  # Idul Fitri
    assert not cal.is_working_day(D(2025, 2, 8))  # Saturday
    assert cal.is_working_day(D(2024, 4, 16))
    assert cal.holiday_name(D(2024, 4, 10))


def test_working_days_between():
    cal = WorkCalendar()
    assert cal.working_days_between(D(2024, 4, 5), D(2024, 4, 22)) == 5
    assert cal.working_days_between(D(2024, 4, 22), D(2024, 4, 5)) == -5
    assert cal.working_days_between(D(2025, 2, 3), D(2025, 2, 3)) == 0


def test_override_adds_a_cuti_bersama_day():
    cal = WorkCalendar({D(2024, 12, 27): False})
    assert cal.add_working_days(D(2024, 12, 24), 1) == D(2024, 12, 30)


def test_override_removes_a_cuti_bersama_day():
    cal = WorkCalendar({D(2024, 12, 26): True})
    assert cal.add_working_days(D(2024, 12, 24), 1) == D(2024, 12, 26)


def test_negative_n_refused():
    with pytest.raises(ValueError):
        WorkCalendar().add_working_days(D(2025, 1, 1), -1)


def test_calendar_reads_overrides_from_the_database(app):
    assert get_calendar().add_working_days(D(2024, 12, 24), 1) == D(2024, 12, 27)
    db.session.add(HolidayOverride(date=D(2024, 12, 27), name="Cuti bersama (SKB)", is_working_day=False))
    db.session.commit()
    invalidate()
    cal = get_calendar()
    assert cal.add_working_days(D(2024, 12, 24), 1) == D(2024, 12, 30)
    assert (D(2024, 12, 27), "Cuti bersama (SKB)") in cal.holidays_in(2024)
