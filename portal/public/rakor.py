"""Published rakor reports for the public (docs/DOMAIN.md §10).

Only published reports are listed or served; a report holds aggregates and the meeting's own
record, never a reporter's personal data.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Response, abort

from portal.core.render import render
from portal.extensions import db
from portal.meetings.models import Meeting
from portal.meetings.report.models import RakorReport, ReportStatus
from portal.public import bp


@bp.get("/rakor")
def rakor():
    reports = db.session.scalars(
        sa.select(RakorReport).join(Meeting, Meeting.id == RakorReport.meeting_id)
        .where(RakorReport.status == ReportStatus.PUBLISHED)
        .order_by(Meeting.period_end.desc(), RakorReport.id.desc())).all()
    return render("public/rakor.html", reports=reports)


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
