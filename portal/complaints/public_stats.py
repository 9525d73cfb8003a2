"""Aggregates for the public dashboard beyond the recap: breakdowns, medians, the monthly trend.

Every function returns plain JSON-ready values so the results can be cached
(:func:`portal.core.cache.cached`). Counts include every status unless said otherwise.

Hidden complaints — confidential ones and those not yet verified — are counted in every breakdown,
but only under its "unknown" bucket (no category, no channel, no region, gender unknown, disability
unknown): their per-complaint rows hide those attributes, so the aggregates minus the rows can never
reveal them (docs/PRIVACY.md).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from portal.complaints.models import Category, Channel, Complaint, Gender, Reporter, Status
from portal.complaints.redaction import published_clause, redact, region_of
from portal.complaints.stats import days_between, period_filter
from portal.core.i18n import indonesian
from portal.extensions import db

#: OPDs with fewer complaints than this in a period are listed but not ranked
MIN_RANKED = 10


class wib_month(FunctionElement):
    """``YYYY-MM`` of a stored (naive UTC) timestamp, in WIB."""

    type = sa.String()
    inherit_cache = True
    name = "wib_month"


@compiles(wib_month, "sqlite")
def _month_sqlite(element, compiler, **kw):
    (col,) = list(element.clauses)
    return f"strftime('%Y-%m', {compiler.process(col, **kw)}, '+7 hours')"


@compiles(wib_month, "postgresql")
def _month_pg(element, compiler, **kw):
    (col,) = list(element.clauses)
    return f"to_char({compiler.process(col, **kw)} + interval '7 hours', 'YYYY-MM')"


def _where(start: dt.date | None, end: dt.date | None, opd_ids: Iterable[int] | None) -> list:
    conds = period_filter(start, end)
    if opd_ids is not None:
        conds.append(Complaint.opd_id.in_(list(opd_ids)))
    return conds


def _hidden():
    """Complaints whose per-complaint rows hide their attributes (confidential, not yet verified)."""
    return sa.or_(Complaint.is_confidential.is_(True), sa.not_(published_clause()))


def _done_sum():
    return sa.func.sum(sa.case((Complaint.status.in_([Status.PROSES, Status.SELESAI]), 1), else_=0))


def by_category(start=None, end=None, opd_ids=None, limit: int = 15) -> list[dict[str, Any]]:
    """Counts per category (full path), busiest first; ``limit`` rows, the rest summed as ``Lainnya``."""
    path = sa.case((_hidden(), sa.null()), else_=Category.path)
    q = (sa.select(path, sa.func.count(Complaint.id), _done_sum())
         .select_from(Complaint).outerjoin(Category, Complaint.category_id == Category.id)
         .where(*_where(start, end, opd_ids)).group_by(path))
    rows: list[dict[str, Any]] = [{"key": path or "", "label": path or "Belum dikategorikan", "count": int(n),
             "ditindaklanjuti": int(d or 0)} for path, n, d in db.session.execute(q)]
    rows.sort(key=lambda r: (-r["count"], r["label"]))
    return _top(rows, limit)


def _top(rows: list[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    if len(rows) <= limit:
        return rows
    rest = rows[limit:]
    other = {"key": "_other", "label": "Lainnya", "count": sum(r["count"] for r in rest),
             "ditindaklanjuti": sum(r["ditindaklanjuti"] for r in rest)}
    return [*rows[:limit], other]


def by_channel(start=None, end=None, opd_ids=None) -> list[dict[str, Any]]:
    channel = sa.case((_hidden(), sa.null()), else_=Complaint.channel)
    q = (sa.select(channel, sa.func.count(Complaint.id), _done_sum())
         .where(*_where(start, end, opd_ids)).group_by(channel))
    found = {(Channel(ch) if ch else None): (int(n), int(d or 0)) for ch, n, d in db.session.execute(q)}
    rows = [{"key": ch.value, "label": indonesian(ch.label), "count": found.get(ch, (0, 0))[0],
             "ditindaklanjuti": found.get(ch, (0, 0))[1]} for ch in Channel]
    if None in found:
        rows.append({"key": "", "label": "Tidak dirinci", "count": found[None][0],
                     "ditindaklanjuti": found[None][1]})
    return rows


#: a region named by fewer complaints than this is folded into "Lainnya" (free text may identify)
MIN_REGION = 3


def by_region(start=None, end=None, opd_ids=None, limit: int = 15) -> list[dict[str, Any]]:
    """Counts per kabupaten/kota (the first part of the free-text location).

    Hidden complaints (confidential, unverified) count as unknown; rare spellings are folded into ``Lainnya``.
    """
    loc = sa.case((_hidden(), sa.null()), else_=Complaint.location)
    q = (sa.select(loc, sa.func.count(Complaint.id), _done_sum())
         .where(*_where(start, end, opd_ids)).group_by(loc))
    return fold_regions(((location, int(n), int(d or 0)) for location, n, d in db.session.execute(q)), limit)


def fold_regions(counts: Iterable[tuple[str | None, int, int]], limit: int = 15) -> list[dict[str, Any]]:
    """Region rows from ``(location or its first part, count, followed up)``: the kabupaten/kota part,
    redacted; rare spellings folded into ``Lainnya`` (also :func:`portal.complaints.summary_more.by_region`)."""
    acc: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for location, n, d in counts:
        key = redact(region_of(location) or "")
        acc[key][0] += n
        acc[key][1] += d
    rows: list[dict[str, Any]] = []
    other = [0, 0]
    for k, v in acc.items():
        if k and v[0] < MIN_REGION:
            other[0] += v[0]
            other[1] += v[1]
        else:
            rows.append({"key": k, "label": k or "Tidak diketahui", "count": v[0], "ditindaklanjuti": v[1]})
    rows.sort(key=lambda r: (-r["count"], r["label"]))
    if other[0]:
        rows = rows[:limit]
        rows.append({"key": "_other", "label": "Lainnya", "count": other[0], "ditindaklanjuti": other[1]})
        return rows
    return _top(rows, limit)


def by_reporter(start=None, end=None, opd_ids=None) -> dict[str, Any]:
    """Reporters by gender and disability (docs/DOMAIN.md §12: gender- and disability-disaggregated data)."""
    gender_col = sa.case((_hidden(), sa.null()), else_=Reporter.gender)
    disability_col = sa.case((_hidden(), sa.false()), else_=Reporter.has_disability)
    q = (sa.select(gender_col, disability_col, sa.func.count(Complaint.id))
         .select_from(Complaint).outerjoin(Reporter, Reporter.complaint_id == Complaint.id)
         .where(*_where(start, end, opd_ids)).group_by(gender_col, disability_col))
    return reporter_result((g.value if isinstance(g, Gender) else (g or ""), bool(dis), int(n))
                           for g, dis, n in db.session.execute(q))


def reporter_result(counts: Iterable[tuple[str, bool, int]]) -> dict[str, Any]:
    """The reporter block from ``(gender or '', disability, count)`` rows."""
    gender = {"L": 0, "P": 0, "": 0}
    disability = {"ya": 0, "tidak": 0}
    for g, dis, n in counts:
        gender[g or ""] += n
        disability["ya" if dis else "tidak"] += n
    return {
        "gender": [{"key": "L", "label": "Laki-laki", "count": gender["L"]},
                   {"key": "P", "label": "Perempuan", "count": gender["P"]},
                   {"key": "", "label": "Tidak diketahui", "count": gender[""]}],
        "disability": [{"key": "ya", "label": "Penyandang disabilitas", "count": disability["ya"]},
                       {"key": "tidak", "label": "Bukan / tidak diketahui", "count": disability["tidak"]}],
    }


def monthly(start: dt.date, end: dt.date, opd_ids=None) -> list[dict[str, Any]]:
    """Per WIB month from ``start`` to ``end``: received, followed up (Proses+Selesai), finished."""
    month = wib_month(Complaint.submitted_at)
    q = (sa.select(month, sa.func.count(Complaint.id), _done_sum(),
                   sa.func.sum(sa.case((Complaint.status == Status.SELESAI, 1), else_=0)))
         .where(*_where(start, end, opd_ids)).group_by(month))
    found = {m: (int(n), int(d or 0), int(s or 0)) for m, n, d, s in db.session.execute(q)}
    out = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        key = f"{y:04d}-{m:02d}"
        n, d, s = found.get(key, (0, 0, 0))
        out.append({"key": key, "count": n, "ditindaklanjuti": d, "selesai": s})
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def medians_per_opd(start=None, end=None) -> dict[int | None, dict[str, float | None]]:
    """Median RTL and RV days per OPD id (``None`` = all complaints), counted live from every complaint.

    The median of the durations truncated as :func:`portal.complaints.summary_more.bucket` does (0.1 day
    below 10 days, whole days above), which is what the dashboard reads from the histograms
    (``summary_more.medians_per_opd``); this live version is its reference.
    """
    from portal.complaints import summary_more

    rtl = days_between(Complaint.submitted_at, Complaint.first_followup_at)
    rv = days_between(Complaint.submitted_at, Complaint.verified_at)
    hist: dict[tuple[int | None, str], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    q = sa.select(Complaint.opd_id, rtl, rv).where(*period_filter(start, end)).where(
        sa.or_(Complaint.first_followup_at.is_not(None), Complaint.verified_at.is_not(None)))
    opds = set()
    for opd_id, a, b in db.session.execute(q.execution_options(yield_per=5000)):
        for kind, v in (("f", a), ("v", b)):
            if v is not None:
                if opd_id is not None:
                    hist[(opd_id, kind)][summary_more.bucket(v)] += 1
                hist[(None, kind)][summary_more.bucket(v)] += 1
        if opd_id is not None:
            opds.add(opd_id)
    med = summary_more.median_of
    return {key: {"rtl_median": med(hist.get((key, "f"), {})), "rv_median": med(hist.get((key, "v"), {}))}
            for key in (*opds, None)}


def _r(value) -> float | None:
    return round(float(value), 1) if value is not None else None


def per_opd_table(start=None, end=None, medians: dict | None = None,
                  rows: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """The recap per OPD with medians and the number of complaints behind each figure.

    ``medians``: the result of :func:`medians_per_opd` for the same period, when the caller has it;
    ``rows``: the recap per OPD (``summary.recap_per_opd``), likewise.
    """
    from portal.complaints import summary, summary_more
    from portal.people.models import OPD

    rows = rows if rows is not None else summary.recap_per_opd(start, end)
    ids = {o.code: o.id for o in db.session.scalars(sa.select(OPD))}
    med = medians if medians is not None else summary_more.medians_per_opd(start, end)
    for r in rows:
        m = med.get(ids.get(r["code"]), {})
        r["rtl_median"] = m.get("rtl_median")
        r["rv_median"] = m.get("rv_median")
        r["n_all"] = sum(r[k] for k in ("belum_terverifikasi", "belum_ditindaklanjuti", "proses", "selesai",
                                        "tunda", "arsip", "diteruskan"))
        r["ranked"] = r["total"] >= MIN_RANKED
    return rows
