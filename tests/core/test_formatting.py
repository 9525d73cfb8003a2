"""Dates and numbers are formatted by Flask-Babel in the page's language (never a mix of two)."""

from __future__ import annotations

import datetime as dt

import pytest
from flask_babel import force_locale

from portal.core.i18n import angka, hari_tanggal, persen, tanggal

MORNING = dt.datetime(2025, 3, 11, 2, 30, tzinfo=dt.UTC)  # 09.30 WIB, a Tuesday

CASES = [
    # locale, tanggal(date), tanggal(datetime, with_time), hari_tanggal, angka(1), persen
    ("id", "11 Maret 2025", "11 Maret 2025 09.30 WIB", "Selasa, 11 Maret 2025", "12.345,7", "95,3%"),
    ("en", "11 March 2025", "11 March 2025 09:30 WIB", "Tuesday, 11 March 2025", "12,345.7", "95.3%"),
]


@pytest.mark.parametrize(("locale", "date", "stamp", "weekday", "number", "percent"), CASES,
                         ids=[c[0] for c in CASES])
def test_formats_follow_the_locale(app, locale, date, stamp, weekday, number, percent):
    with app.test_request_context("/"), force_locale(locale):
        assert tanggal(dt.date(2025, 3, 11)) == date
        assert tanggal(MORNING, True) == stamp
        assert tanggal(MORNING) == date
        assert hari_tanggal(MORNING) == weekday
        assert angka(12345.678) == number
        assert angka(12345, 0) == number.split("," if locale == "id" else ".")[0]
        assert persen(95.3) == percent
        assert tanggal(None) == angka(None) == persen(None) == "–"


def test_naive_datetimes_are_utc(app):
    with app.test_request_context("/"):
        assert tanggal(dt.datetime(2025, 3, 10, 20, 0), True) == "11 Maret 2025 03.00 WIB"


def test_outside_a_request_dates_are_indonesian(app):
    assert hari_tanggal(MORNING) == "Selasa, 11 Maret 2025"
