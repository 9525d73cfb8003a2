"""Oversight (docs/DOMAIN.md §1 and §4.6; docs/ESCALATION.md): complaints past their current stage deadline.

``/admin/pengawasan`` lists running complaints (Belum Terverifikasi, Belum Ditindaklanjuti, Proses)
whose ``stage_due_date`` has passed, the longest overdue first, with their stage, OPD, deadline, age in
working days and the escalation step reached; filters by OPD, stage and step; 50 a page; the same
rows as CSV. ``/admin/pengawasan/pimpinan`` is the list at the ladder's last step, for leadership.

Who: the Ombudsman (reads everything, changes nothing), leadership and Kominfo see every OPD; an OPD
liaison sees only its own OPD (and units) — the OPD filter is limited to them. Nothing here identifies
a reporter: no name or contact is shown, and titles pass through the public redaction (the reporter's
own name and numbers and every NIK, phone or e-mail removed), for every role alike.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Response, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import orm

from portal.admin import bp
from portal.complaints import escalation
from portal.complaints.models import Complaint
from portal.complaints.redaction import Audience, redactor_for
from portal.core import csvsafe
from portal.core.auth import role_required
from portal.core.render import render
from portal.core.timeutil import today_wib, wib_date
from portal.core.workdays import get_calendar
from portal.extensions import db
from portal.people.models import OPD, Role

PAGE_SIZE = 50
CSV_BATCH = 500


@dataclass
class Row:
    complaint: Complaint
    title: str
    stage: str
    age: int
    step: str | None


def _opd_choices() -> list[OPD]:
    scope = current_user.opd_scope()
    q = sa.select(OPD).order_by(OPD.name)
    if scope is not None:
        q = q.where(OPD.id.in_(scope or [-1]))
    return list(db.session.scalars(q))


def _filter(opds: list[OPD], step: str | None = None) -> tuple[escalation.OverdueFilter, dict]:
    """The filter from the query string, within the user's scope; and its canonical arguments."""
    scope = current_user.opd_scope()
    code = (request.args.get("opd") or "").strip()
    chosen = next((o for o in opds if o.code == code), None)
    opd_ids = chosen.subtree_ids() if chosen else scope
    stage = request.args.get("tahap") if request.args.get("tahap") in escalation.STAGE_LABELS else None
    if step is None:
        step = request.args.get("langkah") if request.args.get("langkah") in escalation.STEP_KINDS else None
    args = {k: v for k, v in (("opd", chosen.code if chosen else None), ("tahap", stage)) if v}
    return escalation.OverdueFilter(opd_ids=opd_ids, stage=stage, step=step), args


def _rows(complaints: list[Complaint], today, cal, ages: dict | None = None) -> list[Row]:
    """Rows to show; ``ages`` memoises the age per deadline (many complaints share one; the CSV reuses it)."""
    steps = escalation.steps_of(complaints)
    ages = {} if ages is None else ages
    out = []
    for c in complaints:
        if c.stage_due_date not in ages:
            ages[c.stage_due_date] = escalation.age(c.stage_due_date, today, cal)
        out.append(Row(c, redactor_for(c, Audience.PUBLIC)(c.title) or _("(tanpa judul)"),
                       escalation.stage_key(c), ages[c.stage_due_date], steps.get(c.id)))
    return out


def _query(f: escalation.OverdueFilter, today):
    return (escalation.overdue_query(today, f)
            .options(orm.selectinload(Complaint.reporter), orm.joinedload(Complaint.opd)))


def _page(*, leadership: bool):
    today, cal = today_wib(), get_calendar()
    opds = _opd_choices()
    f, args = _filter(opds, escalation.LAST_STEP if leadership else None)
    if not leadership and f.step:
        args["langkah"] = f.step
    page = max(request.args.get("hal", 1, type=int) or 1, 1)
    pager = db.paginate(_query(f, today), page=page, per_page=PAGE_SIZE, error_out=False, count=True)
    endpoint = "admin.oversight_leadership" if leadership else "admin.oversight"
    return render("admin/oversight/index.html", rows=_rows(list(pager.items), today, cal), pager=pager,
                  opds=opds, args=args, f=f, stages=escalation.STAGE_LABELS, steps=escalation.STEPS,
                  step_labels=escalation.STEP_LABELS, ladder=escalation.ladder(), today=today,
                  leadership=leadership, endpoint=endpoint, is_opd=current_user.role == Role.OPD,
                  csv_url=url_for("admin.oversight_csv", **{**args, **({"langkah": f.step} if f.step else {})}))


@bp.get("/pengawasan")
@role_required()
def oversight():
    """Complaints past their stage deadline (every staff role; an OPD only its own)."""
    return _page(leadership=False)


@bp.get("/pengawasan/pimpinan")
@role_required()
def oversight_leadership():
    """Complaints at the escalation ladder's last step: listed for Diskominfo's leadership."""
    return _page(leadership=True)


CSV_HEADER = ["ID Laporan", "Judul", "OPD", "Tahap", "Tenggat tahap", "Terlambat (hari kerja)", "Status",
              "Langkah eskalasi", "Tanggal Laporan"]


@bp.get("/pengawasan.csv")
@role_required()
def oversight_csv():
    """The filtered list as CSV (formula-safe cells), streamed."""
    today, cal = today_wib(), get_calendar()
    f, _args = _filter(_opd_choices())
    query = _query(f, today)

    def generate():
        buf = io.StringIO()
        writer = csvsafe.writer(buf)
        buf.write("\ufeff")
        writer.writerow(CSV_HEADER)
        offset = 0
        ages: dict = {}
        while True:
            batch = list(db.session.scalars(query.limit(CSV_BATCH).offset(offset)))
            for r in _rows(batch, today, cal, ages):
                c = r.complaint
                writer.writerow([c.tracking_no, r.title, c.opd.name if c.opd else "", escalation.STAGE_LABELS[r.stage],
                                 c.stage_due_date.isoformat(), r.age, c.status.label,
                                 escalation.STEP_LABELS.get(r.step or "", ""), wib_date(c.submitted_at).isoformat()])
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
            if len(batch) < CSV_BATCH:
                break
            offset += CSV_BATCH

    resp = Response(stream_with_context(generate()), mimetype="text/csv")
    resp.headers["Content-Type"] = "text/csv; charset=utf-8"
    resp.headers["Content-Disposition"] = f'attachment; filename="laporan-melewati-tenggat-{today.isoformat()}.csv"'
    return resp
