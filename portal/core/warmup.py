"""Warm a process before it serves, so the first request of each worker is not the slow one.

A worker's first render pays, once: SQLAlchemy's mapper configuration (~250 ms here), Babel's global
locale data (a 130 ms unpickling), compiling the Jinja templates it uses and the holiday tables of this
year and the next. With the public cache, the first render a worker does may come long after it
booted (it serves cached hits until an entry expires), and then every worker renders at once: measured
under load, those first renders took 0.8–3.9 s (docs/BENCHMARKS.md, session 6).

:func:`warm` does this work up front. gunicorn.conf.py calls it in the master before forking
(``preload_app``), so every worker starts with it done; without preload, each worker calls it after
loading the app. It touches no database rows and no cache entries.
"""

from __future__ import annotations

import datetime as dt
import time

from flask import Flask

#: template suffixes compiled up front (the page, e-mail and PDF templates)
SUFFIXES = (".html", ".txt", ".svg", ".xml", ".ics")


def warm(app: Flask) -> dict[str, float]:
    """Do the once-per-process work of a first request; returns the seconds each step took."""
    took: dict[str, float] = {}

    def step(name: str, fn) -> None:
        started = time.perf_counter()
        try:
            fn()
        except Exception:  # warming is an optimisation: a failure here must never stop a worker
            app.logger.warning("warm-up step %s failed", name, exc_info=True)
        took[name] = round(time.perf_counter() - started, 3)

    step("mappers", _mappers)
    step("locales", lambda: _locales(app))
    step("templates", lambda: _templates(app))
    step("calendar", _calendar)
    return took


def _mappers() -> None:
    from sqlalchemy import orm

    orm.configure_mappers()


def _locales(app: Flask) -> None:
    from babel import Locale, dates, numbers
    from babel.core import get_global

    get_global("likely_subtags")  # loads Babel's global data once
    today = dt.date.today()
    for lang in app.config.get("LANGUAGES", ("id", "en")):
        Locale.parse(lang)
        dates.format_date(today, "long", locale=lang)
        numbers.format_decimal(1234.5, locale=lang)
    from flask_babel import get_translations

    for lang in app.config.get("LANGUAGES", ("id", "en")):
        with app.test_request_context(f"/?lang={lang}"):
            get_translations()


def _templates(app: Flask) -> None:
    env = app.jinja_env
    for name in env.list_templates(filter_func=lambda n: n.endswith(SUFFIXES)):
        env.get_template(name)


def _calendar() -> None:
    from portal.core import workdays

    year = dt.date.today().year
    workdays.preload(year - 1, year, year + 1)
