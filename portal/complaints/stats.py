"""The LAPOR! recap and its formulas (docs/DOMAIN.md §7).

- Total counts every report except Arsip, Tunda and Diteruskan (forwarded out of the province's authority).
- %TL = (Proses + Selesai) / Total × 100, one decimal.
- RTL = mean calendar days from submission to the first follow-up (one decimal).
- RV = mean calendar days from submission to verification (one decimal).
- RHP = mean rating given (two decimals).
Means over no data are reported as 0, as LAPOR! itself does; ``n_*`` say how many
complaints each mean stands on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from portal.complaints.models import Complaint, Status
from portal.core.timeutil import date_start_utc
from portal.extensions import db
from portal.people.models import OPD

STATUS_KEYS = [s.value for s in Status]
RECAP_KEYS = [*STATUS_KEYS, "total", "persen_tl", "rtl_hari", "rhp", "rv_hari"]


class days_between(FunctionElement):
    """``end - start`` in (fractional) days, portable between SQLite and PostgreSQL."""

    type = sa.Float()
    inherit_cache = True
    name = "days_between"


@compiles(days_between, "sqlite")
def _days_sqlite(element, compiler, **kw):
    start, end = list(element.clauses)
    return f"(julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)}))"


@compiles(days_between, "postgresql")
def _days_pg(element, compiler, **kw):
    start, end = list(element.clauses)
    return (f"(EXTRACT(EPOCH FROM ({compiler.process(end, **kw)} - {compiler.process(start, **kw)}))"
            " / 86400.0)")


def period_filter(start: dt.date | None, end: dt.date | None) -> list[ColumnElement[bool]]:
    """Filters on ``Tanggal Laporan`` by WIB calendar dates, both ends inclusive."""
    conds: list[ColumnElement[bool]] = []
    if start:
        conds.append(Complaint.submitted_at >= date_start_utc(start))
    if end:
        conds.append(Complaint.submitted_at < date_start_utc(end + dt.timedelta(days=1)))
    return conds


def _aggregates() -> list[ColumnElement[Any]]:
    c = Complaint
    cols: list[ColumnElement[Any]] = [
        sa.func.sum(sa.case((c.status == s, 1), else_=0)).label(s.value) for s in Status
    ]
    rtl = days_between(c.submitted_at, c.first_followup_at)
    rv = days_between(c.submitted_at, c.verified_at)
    cols += [
        sa.func.avg(rtl).label("rtl"),
        sa.func.count(c.first_followup_at).label("n_rtl"),
        sa.func.avg(rv).label("rv"),
        sa.func.count(c.verified_at).label("n_rv"),
        sa.func.avg(c.rating).label("rhp"),
        sa.func.count(c.rating).label("n_rhp"),
    ]
    return cols


def finish_recap(row: Any) -> dict[str, Any]:
    """Turn an aggregate row into the recap dict with the formulas applied."""
    m = row._mapping
    out: dict[str, Any] = {k: int(m[k] or 0) for k in STATUS_KEYS}
    total = (out["belum_terverifikasi"] + out["belum_ditindaklanjuti"] + out["proses"]
             + out["selesai"])
    out["total"] = total
    out["persen_tl"] = round((out["proses"] + out["selesai"]) * 100.0 / total, 1) if total else 0.0
    out["rtl_hari"] = round(float(m["rtl"]), 1) if m["rtl"] is not None else 0.0
    out["rhp"] = round(float(m["rhp"]), 2) if m["rhp"] is not None else 0.0
    out["rv_hari"] = round(float(m["rv"]), 1) if m["rv"] is not None else 0.0
    out["n_rtl"] = int(m["n_rtl"] or 0)
    out["n_rv"] = int(m["n_rv"] or 0)
    out["n_rhp"] = int(m["n_rhp"] or 0)
    return out


def recap(start: dt.date | None = None, end: dt.date | None = None,
          opd_ids: Iterable[int] | None = None) -> dict[str, Any]:
    """The recap for a period (and optionally a set of OPDs)."""
    q = sa.select(*_aggregates()).where(*period_filter(start, end))
    if opd_ids is not None:
        q = q.where(Complaint.opd_id.in_(list(opd_ids)))
    return finish_recap(db.session.execute(q).one())


def recap_per_opd(start: dt.date | None = None, end: dt.date | None = None,
                  include_inactive: bool = False) -> list[dict[str, Any]]:
    """The recap per OPD (every OPD listed, including those with nothing), by name."""
    q = (sa.select(Complaint.opd_id, *_aggregates()).where(*period_filter(start, end))
         .where(Complaint.opd_id.is_not(None)).group_by(Complaint.opd_id))
    rows = {r.opd_id: r for r in db.session.execute(q)}
    opd_q = sa.select(OPD).order_by(OPD.name)
    if not include_inactive:
        opd_q = opd_q.where(OPD.active.is_(True))
    out = []
    empty = None
    for opd in db.session.scalars(opd_q):
        row = rows.get(opd.id)
        if row is None:
            if empty is None:
                empty = db.session.execute(sa.select(*_aggregates()).where(sa.false())).one()
            row = empty
        out.append({"code": opd.code, "name": opd.name, "parent": opd.parent.code if opd.parent else None,
                    **finish_recap(row)})
    return out
