"""Cached aggregates and request-argument parsing shared by the public pages, API and charts.

Aggregates are cached under keys that include the data generation (bumped after every commit
that touched complaints), so repeated public requests are cheap and never stale.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from portal.complaints import public_stats, summary, summary_more
from portal.core import cache
from portal.core.db import utcnow
from portal.core.timeutil import to_wib, today_wib
from portal.extensions import db
from portal.people.models import OPD

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: the earliest and latest dates a period may name (keeps queries and trends sane)
MIN_DATE = dt.date(2000, 1, 1)
MAX_DATE = dt.date(2100, 12, 31)
#: the monthly trend shows at most this many months (the last ones of the period)
MAX_TREND_MONTHS = 36


class BadRequest(ValueError):
    """A request argument that cannot be understood."""


def parse_date(value: str | None, name: str) -> dt.date | None:
    """``YYYY-MM-DD`` or nothing; anything else raises :class:`BadRequest`."""
    if value is None or value.strip() == "":
        return None
    value = value.strip()
    if not _DATE.match(value):
        raise BadRequest(_("'%(name)s' harus berformat YYYY-MM-DD", name=name))
    try:
        day = dt.date.fromisoformat(value)
    except ValueError as exc:
        raise BadRequest(_("'%(name)s' bukan tanggal yang valid", name=name)) from exc
    if not MIN_DATE <= day <= MAX_DATE:
        raise BadRequest(_("'%(name)s' di luar rentang yang didukung", name=name))
    return day


def parse_period(args, default_year: bool = False) -> tuple[dt.date | None, dt.date | None]:
    """``from``/``to`` of the query string; with ``default_year`` a missing ``from`` is 1 January."""
    start = parse_date(args.get("from"), "from")
    end = parse_date(args.get("to"), "to")
    if default_year:
        today = today_wib()
        end = end or today
        start = start or dt.date(end.year, 1, 1)
    if start and end and start > end:
        raise BadRequest(_("Tanggal awal (from) tidak boleh setelah tanggal akhir (to)."))
    return start, end


def ttl() -> int:
    return int(current_app.config.get("STATS_CACHE_SECONDS", 30))


def agg_ttl() -> int:
    """Lifetime of the expensive aggregates: their keys carry the data generation, so they are never
    stale after a change; the lifetime only bounds memory and raw-SQL edits that bump nothing."""
    return max(ttl(), int(current_app.config.get("STATS_AGGREGATE_SECONDS", 600)))


def stale_seconds() -> int:
    """How old the previous dashboard may be while one worker recomputes it after a change."""
    return int(current_app.config.get("STATS_STALE_SECONDS", 120))


def _now_label() -> str:
    return to_wib(utcnow()).strftime("%H.%M")  # type: ignore[union-attr]


def opd_by_code(code: str | None) -> OPD | None:
    if not code:
        return None
    return db.session.scalar(sa.select(OPD).where(sa.func.upper(OPD.code) == code.strip().upper()))


def recap(start, end, opd_code: str | None = None) -> dict[str, Any]:
    """The recap (an OPD's includes its units), cached."""

    def compute():
        ids = None
        if opd_code:
            opd = opd_by_code(opd_code)
            ids = opd.subtree_ids() if opd else []
        return summary.recap(start, end, ids)

    return cache.cached(f"pub:recap:{start}:{end}:{(opd_code or '').upper()}", agg_ttl(), compute, shared=True,
                        stale=stale_seconds())


def recap_per_opd(start, end) -> list[dict[str, Any]]:
    return cache.cached(f"pub:recap_opd:{start}:{end}", agg_ttl(), lambda: summary.recap_per_opd(start, end),
                        shared=True, stale=stale_seconds())


def trend_range(start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    end = end or today_wib()
    start = start or dt.date(end.year, 1, 1)
    first = dt.date(end.year, end.month, 1)
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    if months > MAX_TREND_MONTHS:
        y, m = first.year, first.month - (MAX_TREND_MONTHS - 1)
        while m <= 0:
            y, m = y - 1, m + 12
        start = dt.date(y, m, 1)
    return start, end


def dashboard(start: dt.date, end: dt.date) -> dict[str, Any]:
    """Everything the dashboard shows for a period, computed once per data generation."""

    def compute():
        t_start, t_end = trend_range(start, end)
        all_medians = summary_more.medians_per_opd(start, end)
        parts = summary.dashboard_parts(start, end)  # recap, per OPD, categories, channels: one pass
        return {
            "recap": parts["recap"],
            "medians": all_medians.get(None, {}),
            "per_opd": public_stats.per_opd_table(start, end, all_medians, parts["per_opd"]),
            "category": parts["category"],
            "channel": parts["channel"],
            "region": summary_more.by_region(start, end),
            "reporter": summary_more.by_reporter(start, end),
            "monthly": summary.monthly(t_start, t_end),
            "computed_at": _now_label(),
        }

    return cache.cached(f"pub:dash:{start}:{end}", agg_ttl(), compute, shared=True, stale=stale_seconds())


def opd_page(opd: OPD, start: dt.date, end: dt.date) -> dict[str, Any]:
    """One OPD's figures (the OPD and its units) for a period."""

    def compute():
        ids = opd.subtree_ids()
        t_start, t_end = trend_range(start, end)
        return {
            "recap": summary.recap(start, end, ids),
            "category": summary.by_category(start, end, ids),
            "channel": summary.by_channel(start, end, ids),
            "monthly": summary.monthly(t_start, t_end, ids),
            "computed_at": _now_label(),
        }

    return cache.cached(f"pub:opd:{opd.code}:{start}:{end}", agg_ttl(), compute, shared=True,
                        stale=stale_seconds())


def sort_rows(rows: list[dict[str, Any]], sort: str) -> tuple[list[dict[str, Any]], str]:
    """Per-OPD rows sorted by ``sort`` (a recap key, optionally prefixed ``-``); unranked OPDs last."""
    allowed = {"name", "total", "persen_tl", "rtl_hari", "rtl_median", "rv_hari", "rv_median", "rhp",
               "selesai", "proses", "belum_ditindaklanjuti", "n_all"}
    key = sort.lstrip("-")
    if key not in allowed:
        sort, key = "name", "name"
    desc = sort.startswith("-")

    def k(r):
        v = r.get(key)
        if key == "name":
            return (v or "").casefold()
        return v if v is not None else float("-inf") if desc else float("inf")

    ranked = sorted((r for r in rows if r.get("ranked", True)), key=k, reverse=desc)
    if key == "name":
        return sorted(rows, key=k, reverse=desc), sort
    rest = sorted((r for r in rows if not r.get("ranked", True)), key=lambda r: (r["name"] or "").casefold())
    return ranked + rest, sort
