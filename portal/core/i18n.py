"""Locale selection: Indonesian by default, English on request (``?lang=en`` or the switch)."""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import format_decimal

from portal.core.timeutil import to_wib

MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December"]
MONTHS_ID = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
             "September", "Oktober", "November", "Desember"]


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


def tanggal(value, with_time: bool = False) -> str:
    """``14 Maret 2024`` (and ``09.30 WIB``), the way Indonesian letters write dates."""
    if value is None:
        return "–"
    import datetime as dt

    english = _is_english()
    months = MONTHS_EN if english else MONTHS_ID
    if isinstance(value, dt.datetime):
        value = to_wib(value)
        text = f"{value.day} {months[value.month - 1]} {value.year}"
        if with_time:
            text += f" {value:%H:%M} WIB" if english else f" {value:%H.%M} WIB"
        return text
    return f"{value.day} {months[value.month - 1]} {value.year}"


def _is_english() -> bool:
    from flask import has_request_context
    from flask_babel import get_locale

    return has_request_context() and str(get_locale() or "id") == "en"


def angka(value, digits: int = 1) -> str:
    """A number in the current locale: ``95,3`` in Indonesian."""
    if value is None:
        return "–"
    fmt = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=fmt)


def datetime_attr(value) -> str:
    """A date or datetime (or its ISO string) for ``<time datetime>``: whole seconds, as HTML's
    valid date strings allow at most three fraction digits and the seconds are enough here."""
    import datetime as dt

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
    app.jinja_env.filters["wib"] = to_wib
    app.jinja_env.add_extension("jinja2.ext.i18n")
