"""Dates as LAPOR! exports spell them, read as WIB wall-clock times.

Accepted: ISO (``2024-04-05``, ``2024-04-05 09:30``, ``2024-04-05T09:30:00``), day-first
(``05/04/2024``, ``5-4-2024 09.30``) and Indonesian month names or abbreviations
(``5 April 2024 09:30``, ``Jumat, 5 Apr 2024``, ``17 Agu 2024``, ``1 Okt 2024``, ``24 Des 2024``),
optionally followed by ``WIB``. Spreadsheet cells may also hold real dates, datetimes or Excel
serial numbers. An impossible date such as 31/02 is an error, never silently moved.
"""

from __future__ import annotations

import datetime as dt
import re

from portal.core.timeutil import wib_to_utc

#: Indonesian (and common English) month names and abbreviations, lowercase
MONTHS: dict[str, int] = {}
for _num, _names in {
    1: ("januari", "jan", "january"),
    2: ("februari", "feb", "peb", "pebruari", "february"),
    3: ("maret", "mar", "march"),
    4: ("april", "apr"),
    5: ("mei", "may"),
    6: ("juni", "jun", "june"),
    7: ("juli", "jul", "july"),
    8: ("agustus", "agu", "agt", "agus", "ags", "aug", "august"),
    9: ("september", "sep", "sept"),
    10: ("oktober", "okt", "oct", "october"),
    11: ("november", "nov", "nop", "nopember"),
    12: ("desember", "des", "dec", "december"),
}.items():
    for _name in _names:
        MONTHS[_name] = _num

_TIME = r"(?:[ T]+(?P<H>\d{1,2})[:.](?P<M>\d{2})(?:[:.](?P<S>\d{2})(?:\.\d+)?)?)?"
_TAIL = r"\s*(?:WIB)?\s*$"
_ISO = re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})" + _TIME + _TAIL, re.IGNORECASE)
_DMY = re.compile(r"^(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})[/.-](?P<y>\d{4})" + _TIME + _TAIL, re.IGNORECASE)
_NAMED = re.compile(
    r"^(?:[A-Za-z']+,?\s+)?(?P<d>\d{1,2})\s+(?P<mon>[A-Za-z]+)\.?\s+(?P<y>\d{4})" + _TIME + _TAIL,
    re.IGNORECASE,
)
#: Excel's day zero (1900 date system, with its leap-year bug accounted for)
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)


class DateError(ValueError):
    """A value that is not a date in any accepted spelling."""


def parse_local(value: object) -> dt.datetime | None:
    """The WIB wall-clock time a cell means (naive), or ``None`` for an empty cell.

    A date without a time means 00:00 WIB.
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None) if value.tzinfo is None else _aware_to_wib(value)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not 1 <= value < 2958466:
            raise DateError(str(value))
        return (_EXCEL_EPOCH + dt.timedelta(days=float(value))).replace(microsecond=0)
    text = str(value).strip()
    if not text:
        return None
    if len(text) in (10, 16, 19) and text[4] == "-":  # the common ISO spellings, parsed in C
        try:
            return dt.datetime.fromisoformat(text)
        except ValueError:
            pass  # 31/02 and friends fall through to the regex and are refused there
    m = _ISO.match(text) or _DMY.match(text)
    if m:
        month = int(m["m"])
    else:
        m = _NAMED.match(text)
        if not m:
            raise DateError(text)
        month = MONTHS.get(m["mon"].lower())
        if month is None:
            raise DateError(text)
    try:
        return dt.datetime(int(m["y"]), month, int(m["d"]), int(m["H"] or 0), int(m["M"] or 0),
                           int(m["S"] or 0))
    except ValueError as exc:  # 31/02, 25:00 …
        raise DateError(text) from exc


#: Asia/Jakarta has been UTC+7 without daylight saving since 1964
WIB_OFFSET = dt.timedelta(hours=7)
_FIXED_SINCE = dt.datetime(1970, 1, 1)


def parse_utc(value: object) -> dt.datetime | None:
    """A cell as an aware UTC instant (interpreted as WIB)."""
    local = parse_local(value)
    if local is None:
        return None
    if local >= _FIXED_SINCE:  # the fixed offset, without a zoneinfo lookup per cell (bulk imports)
        return (local - WIB_OFFSET).replace(tzinfo=dt.UTC)
    return wib_to_utc(local)


def wib_day(instant: dt.datetime) -> dt.date:
    """The WIB calendar date of an aware UTC instant after 1970 (fast path of ``timeutil.wib_date``)."""
    return (instant + WIB_OFFSET).date()


def _aware_to_wib(value: dt.datetime) -> dt.datetime:
    from portal.core.timeutil import WIB

    return value.astimezone(WIB).replace(tzinfo=None)
