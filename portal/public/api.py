"""The public JSON API (docs/INTERFACES.md §5): ``/api/v1/stats``, ``/api/v1/stats/opd``,
``/api/v1/complaints/<id>``."""

from __future__ import annotations

import sqlalchemy as sa
from flask import jsonify, request
from sqlalchemy import orm

from portal.complaints.models import Complaint
from portal.complaints.redaction import public_view
from portal.extensions import db
from portal.public import bp, queries
from portal.public.limits import public_limit
from portal.public.pagecache import anonymous_cache
from portal.public.queries import BadRequest


def api_error(status: int, message: str):
    resp = jsonify(error=message, code=status)
    resp.status_code = status
    return resp


@bp.get("/api/v1/stats")
@public_limit
@anonymous_cache
def api_stats():
    """The recap for a period (``from``, ``to``, both inclusive) and optionally one OPD (with its units)."""
    try:
        start, end = queries.parse_period(request.args)
    except BadRequest as exc:
        return api_error(400, str(exc))
    code = (request.args.get("opd") or "").strip() or None
    if code and queries.opd_by_code(code) is None:
        return api_error(404, f"OPD '{code}' tidak dikenal")
    return jsonify(queries.recap(start, end, code))


@bp.get("/api/v1/stats/opd")
@public_limit
@anonymous_cache
def api_stats_opd():
    """The recap of every OPD for a period: ``{"opd": [{code, name, …}]}``."""
    try:
        start, end = queries.parse_period(request.args)
    except BadRequest as exc:
        return api_error(400, str(exc))
    return jsonify(opd=queries.recap_per_opd(start, end))


@bp.get("/api/v1/complaints/<nomor>")
@public_limit
@anonymous_cache
def api_complaint(nomor: str):
    """The anonymised public view of one complaint (only status, OPD and dates if confidential)."""
    c = db.session.scalar(
        sa.select(Complaint).where(Complaint.tracking_no == nomor)
        .options(orm.selectinload(Complaint.followups), orm.selectinload(Complaint.events),
                 orm.joinedload(Complaint.reporter), orm.joinedload(Complaint.opd),
                 orm.joinedload(Complaint.category)))
    if c is None:
        return api_error(404, "Laporan tidak ditemukan")
    return jsonify(public_view(c, detail=True))
