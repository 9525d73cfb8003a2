"""Locale selection: Indonesian by default, English on request (``?lang=en`` or the switch)."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import force_locale, format_date, format_datetime, format_decimal, format_percent, get_locale

from portal.core.timeutil import to_wib

#: CLDR patterns (Babel): the day and month names come from the locale, so a page never mixes languages
DATE = "d MMMM y"  # 14 Maret 2024 / 14 March 2024
WEEKDAY_DATE = "EEEE, d MMMM y"  # Kamis, 14 Maret 2024
MONTH_ABBR = "MMM y"  # Mar 2024 (chart and table headings)
#: official documents (letters, PDFs, the rakor report, invitations) are written in Indonesian
OFFICIAL_LOCALE = "id"

P = ParamSpec("P")
R = TypeVar("R")


def select_locale() -> str:
    """``?lang=``, then the visitor's choice (session), else Indonesian — and Indonesian outside a
    request (CLI commands, jobs), where messages still go through gettext."""
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    langs = current_app.config["LANGUAGES"]
    lang = request.args.get("lang")
    if lang in langs:
        return lang
    lang = session.get("lang")
    if lang in langs:
        return lang
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _aware(value: dt.datetime) -> dt.datetime:
    """Stored datetimes are UTC (naive ones too); Flask-Babel converts to ``BABEL_DEFAULT_TIMEZONE`` (WIB)."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _time_pattern() -> str:
    """Hours and minutes the locale's way (CLDR skeleton ``Hm``): ``09.30`` in Indonesian, ``09:30`` in
    English."""
    locale = get_locale()
    return locale.datetime_skeletons["Hm"].pattern if locale is not None else "HH.mm"


def tanggal(value: dt.date | None, with_time: bool = False) -> str:
    """``14 Maret 2024`` (and ``09.30 WIB``), the way Indonesian letters write dates; in the current
    locale (``14 March 2024 09:30 WIB`` in English). Datetimes are shown in WIB."""
    if value is None:
        return "–"
    if isinstance(value, dt.datetime):
        value = _aware(value)
        if with_time:
            return format_datetime(value, f"{DATE} {_time_pattern()}") + " WIB"
        return format_datetime(value, DATE)
    return format_date(value, DATE)


def hari_tanggal(value: dt.date | None) -> str:
    """``Selasa, 11 Maret 2025`` (``Tuesday, 11 March 2025`` in English); datetimes in WIB."""
    if value is None:
        return "–"
    if isinstance(value, dt.datetime):
        return format_datetime(_aware(value), WEEKDAY_DATE)
    return format_date(value, WEEKDAY_DATE)


def bulan(value: dt.date, locale: str | None = None) -> str:
    """``Mar 2025``: a month heading in the current locale (or ``locale``, e.g. for a report)."""
    if locale is not None:
        from babel.dates import format_date as babel_format_date

        return babel_format_date(value, MONTH_ABBR, locale=locale)
    return format_date(value, MONTH_ABBR)


def angka(value: Any, digits: int = 1) -> str:
    """A number in the current locale: ``95,3`` in Indonesian."""
    if value is None:
        return "–"
    fmt = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=fmt)


def persen(value: Any, digits: int = 1) -> str:
    """A percentage given on the 0–100 scale, in the current locale: ``95,3%`` in Indonesian."""
    if value is None:
        return "–"
    fmt = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return format_percent(value / 100, format=fmt)


def official(fn: Callable[P, R]) -> Callable[P, R]:
    """Run ``fn`` in Indonesian whatever the visitor's language: for official letters and reports."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with force_locale(OFFICIAL_LOCALE):
            return fn(*args, **kwargs)

    return wrapper


def N_(text: str) -> str:
    """Marks ``text`` as a msgid (``pybabel extract`` sees it) without translating it here: for labels kept
    as Indonesian data (JSON, cached views) and translated where they are shown (``_(label)``)."""
    return text


def indonesian(label: Any) -> str:
    """The Indonesian text of a label (a ``lazy_gettext`` string): for data that must not follow the
    visitor's language — API fields, frozen report figures, matching LAPOR!'s own vocabulary."""
    with force_locale(OFFICIAL_LOCALE):
        return str(label)


def datetime_attr(value: Any) -> str:
    """A date or datetime (or its ISO string) for ``<time datetime>``: whole seconds, as HTML's
    valid date strings allow at most three fraction digits and the seconds are enough here."""
    if value is None:
        return ""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value) if len(value) > 10 else dt.date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0).isoformat()
    return value.isoformat()


def init_app(app: Flask) -> None:
    app.jinja_env.filters["tanggal"] = tanggal
    app.jinja_env.filters["datetime_attr"] = datetime_attr
    app.jinja_env.filters["angka"] = angka
    app.jinja_env.filters["persen"] = persen
    app.jinja_env.filters["hari_tanggal"] = hari_tanggal
    app.jinja_env.filters["bulan"] = bulan
    app.jinja_env.filters["wib"] = to_wib
    app.jinja_env.add_extension("jinja2.ext.i18n")
