"""Published rakor reports for the public (docs/DOMAIN.md §10).

Only published reports are listed or served; a report holds aggregates and the meeting's own
record, never a reporter's personal data.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Response, abort, request

from portal.core.render import render
from portal.extensions import db
from portal.meetings.models import Meeting
from portal.meetings.report.models import RakorReport, ReportStatus
from portal.public import bp


@bp.get("/rakor")
def rakor():
    """The public reading room: published reports, the latest period compared with the one before
    (or two chosen), with charts and their tables."""
    from portal.meetings.report import reading

    reports = db.session.scalars(
        sa.select(RakorReport).join(Meeting, Meeting.id == RakorReport.meeting_id)
        .where(RakorReport.status == ReportStatus.PUBLISHED)
        .order_by(Meeting.period_end.desc(), RakorReport.id.desc())).all()
    frozen = [r for r in reports if r.figures is not None]
    picked = reading.pick(frozen, request.args.get("a", type=int), request.args.get("b", type=int))
    return render("public/rakor.html", reports=reports, frozen=frozen, picked=picked,
                  compare=reading.comparison(picked), chart_endpoint="public.rakor_chart")


@bp.get("/rakor/grafik/<name>.svg")
def rakor_chart(name: str):
    """A comparison chart of two published reports, as an SVG document (its table is on the page)."""
    from portal.meetings.report import reading
    from portal.public.charts import SVG_CSP

    if name not in reading.CHARTS:
        abort(404)
    frozen = reading.frozen_reports((ReportStatus.PUBLISHED,))
    compare = reading.comparison(reading.pick(frozen, request.args.get("a", type=int),
                                              request.args.get("b", type=int)))
    if compare is None:
        abort(404)
    resp = Response(reading.chart_svg(name, compare), mimetype="image/svg+xml")
    resp.headers["Content-Security-Policy"] = SVG_CSP
    resp.headers["Cache-Control"] = "public, max-age=3600"
    return resp


@bp.get("/rakor/<int:report_id>.pdf")
def rakor_pdf(report_id: int):
    rep = db.session.scalar(sa.select(RakorReport).where(RakorReport.id == report_id)
                            .options(sa.orm.undefer(RakorReport.pdf)))
    if rep is None or rep.status != ReportStatus.PUBLISHED or rep.pdf is None:
        abort(404)
    resp = Response(rep.pdf, mimetype="application/pdf")
    resp.headers["Content-Disposition"] = f'inline; filename="laporan-rakor-{rep.id}.pdf"'
    resp.headers["Cache-Control"] = "public, max-age=3600"
    resp.headers["ETag"] = rep.pdf_sha256 or ""
    return resp
