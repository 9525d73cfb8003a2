"""WIB (Asia/Jakarta) conversions: times are stored in UTC and shown in WIB."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

WIB = ZoneInfo("Asia/Jakarta")
UTC = dt.UTC


def to_wib(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(WIB)


def wib_date(value: dt.datetime) -> dt.date:
    """The calendar date in WIB of an instant."""
    return to_wib(value).date()  # type: ignore[union-attr]


def wib_to_utc(value: dt.datetime) -> dt.datetime:
    """A naive WIB wall-clock time (or an aware one) as aware UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=WIB)
    return value.astimezone(UTC)


def date_start_utc(day: dt.date) -> dt.datetime:
    """00:00 WIB of a day, as aware UTC (a date alone means 00:00 WIB)."""
    return wib_to_utc(dt.datetime.combine(day, dt.time()))


def today_wib() -> dt.date:
    return dt.datetime.now(WIB).date()
