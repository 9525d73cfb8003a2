"""The semiannual rakor report: preview, approval, PDF, leadership reading room (docs/DOMAIN.md §10).

Reports that are not published are read by Kominfo, leadership and the Ombudsman only; OPD users
get 403. Kominfo writes the sections; a Kominfo user allowed to approve approves (freezing the
figures); Kominfo publishes.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask import Response, abort, current_app, flash, redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length

from portal.core.auth import role_required
from portal.core.htmx import wants_partial
from portal.core.i18n import official
from portal.core.models import Job
from portal.core.render import htmx_redirect, render
from portal.extensions import db
from portal.meetings import bp
from portal.meetings.models import Meeting
from portal.meetings.report import operations as ops
from portal.meetings.report import workflow
from portal.meetings.report.models import WRITTEN_SECTIONS, RakorReport, ReportStatus
from portal.people.models import Role

READERS = (Role.KOMINFO, Role.PIMPINAN, Role.OMBUDSMAN)
MAX_TEXT = 20_000


class WrittenForm(FlaskForm):
    """Tabel 2 components 4–6, written by Kominfo staff (Markdown)."""

    analysis_delay = TextAreaField("Analisis permasalahan keterlambatan pengelolaan pengaduan",
                                   validators=[Length(max=MAX_TEXT)])
    analysis_themes = TextAreaField("Analisis tema khusus: gender, penyandang disabilitas dan kelompok rentan",
                                    validators=[Length(max=MAX_TEXT)])
    improvement_plan = TextAreaField("Rencana perbaikan kinerja tiga bulan ke depan",
                                     validators=[Length(max=MAX_TEXT)])

    def sections(self) -> dict[str, str]:
        """The written sections as entered, for :func:`~portal.meetings.report.workflow.save_written`."""
        return {k: getattr(self, k).data for k in WRITTEN_SECTIONS}


class ConfirmForm(FlaskForm):
    """An empty form: CSRF for the workflow buttons."""


def run_step(step: Callable[[], object]) -> bool:
    """A workflow step of a report: committed (``True``), or refused, rolled back and its
    :class:`~portal.meetings.report.workflow.ReportError` flashed (``False``)."""
    try:
        step()
    except workflow.ReportError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return False
    db.session.commit()
    return True


def _meeting(meeting_id: int) -> Meeting:
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        abort(404)
    return meeting


def _pdf_response(rep: RakorReport, disposition: str = "attachment") -> Response:
    resp = Response(rep.pdf, mimetype="application/pdf")
    name = f"laporan-rakor-{rep.meeting_id}-{rep.status.value}.pdf"
    resp.headers["Content-Disposition"] = f'{disposition}; filename="{name}"'
    resp.headers["Cache-Control"] = "private, no-cache"
    resp.headers["ETag"] = rep.pdf_sha256 or ""
    return resp


def _preview_context(meeting: Meeting, rep: RakorReport | None) -> dict:
    figures = ops.figures_for(meeting, rep, fresh=True)
    ctx = ops.template_context(meeting, rep, figures)
    photos = []
    if "meetings.photo_file" in current_app.view_functions:
        photos = [dict(p, src=url_for("meetings.photo_file", photo_id=p["id"]))
                  for p in ctx["m"].get("photos", [])]
    job = db.session.get(Job, rep.pdf_job_id) if rep is not None and rep.pdf_job_id else None
    return {**ctx, "photos": photos, "job": job, "confirm": ConfirmForm(),
            "chart_src": lambda name: url_for("meetings.report_chart", meeting_id=meeting.id, name=name),
            **workflow.permissions(rep, current_user),
            "may_publish": (current_user.role == Role.KOMINFO and rep is not None
                            and rep.status == ReportStatus.APPROVED),
            "source_changed": rep is not None and ops.source_changed(rep)}


@bp.get("/<int:meeting_id>/laporan")
@role_required(*READERS)
@official  # an official document: Indonesian whatever the UI language, like its PDF
def report_preview(meeting_id: int):
    meeting = _meeting(meeting_id)
    rep = ops.report_for(meeting)
    return render("meetings/report/preview.html", **_preview_context(meeting, rep))


@bp.get("/<int:meeting_id>/laporan/grafik/<name>.svg")
@role_required(*READERS)
def report_chart(meeting_id: int, name: str):
    meeting = _meeting(meeting_id)
    if name not in workflow.CHART_NAMES:
        abort(404)
    figures = ops.figures_for(meeting, ops.report_for(meeting))
    resp = Response(workflow.chart_svg(figures, name), mimetype="image/svg+xml")
    # pygal styles its SVG inline; the SVG runs no script and is only ever shown as an image
    resp.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    resp.headers["Cache-Control"] = "private, max-age=60"
    return resp


@bp.route("/<int:meeting_id>/laporan/tulis", methods=["GET", "POST"])
@role_required(Role.KOMINFO)
def report_edit(meeting_id: int):
    meeting = _meeting(meeting_id)
    rep = ops.report_for(meeting)
    if rep is not None and rep.is_frozen:
        flash("Laporan sudah disetujui; bagian tertulis tidak dapat diubah lagi.", "error")
        return redirect(url_for("meetings.report_preview", meeting_id=meeting.id), code=303)
    form = WrittenForm(obj=rep)
    if form.validate_on_submit():
        rep = ops.ensure_report(meeting)
        workflow.save_written(rep, form.sections(), current_user)
        db.session.commit()
        flash("Bagian tertulis laporan disimpan.", "success")
        return htmx_redirect("meetings.report_preview", meeting_id=meeting.id)
    return render("meetings/report/edit.html", meeting=meeting, rep=rep, form=form,
                  status=422 if form.errors else 200)


@bp.post("/<int:meeting_id>/laporan/pdf")
@role_required(Role.KOMINFO)
def report_generate(meeting_id: int):
    meeting = _meeting(meeting_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    rep = ops.ensure_report(meeting)
    db.session.commit()
    job = ops.start_generation(rep, current_user)
    if wants_partial():
        return render("meetings/report/_job.html", meeting=meeting, job=db.session.get(Job, job.id))
    return redirect(url_for("meetings.report_job", meeting_id=meeting.id, job_id=job.id), code=303)


@bp.get("/<int:meeting_id>/laporan/pdf/<job_id>")
@role_required(*READERS)
def report_job(meeting_id: int, job_id: str):
    meeting = _meeting(meeting_id)
    job = db.session.get(Job, job_id)
    if job is None or job.kind != "rakor-report-pdf":
        abort(404)
    running = job.status in ("queued", "running")
    return render("meetings/report/job.html", partial="meetings/report/_job.html", meeting=meeting, job=job,
                  running=running)


@bp.get("/<int:meeting_id>/laporan.pdf")
@role_required(*READERS)
def report_download(meeting_id: int):
    meeting = _meeting(meeting_id)
    rep = db.session.scalar(sa.select(RakorReport).where(RakorReport.meeting_id == meeting.id)
                            .options(sa.orm.undefer(RakorReport.pdf)))
    if rep is None or rep.pdf is None:
        flash("PDF laporan belum dibuat.", "error")
        return redirect(url_for("meetings.report_preview", meeting_id=meeting.id), code=303)
    return _pdf_response(rep)


@bp.post("/<int:meeting_id>/laporan/setujui")
@role_required(Role.KOMINFO, Role.PIMPINAN)
def report_approve(meeting_id: int):
    meeting = _meeting(meeting_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not workflow.may_approve(current_user):
        abort(403)
    rep = ops.ensure_report(meeting)
    if not run_step(lambda: ops.approve(rep, current_user)):
        return htmx_redirect("meetings.report_preview", meeting_id=meeting.id)
    ops.start_generation(rep, current_user)
    flash("Laporan disetujui; angka-angkanya dibekukan. PDF final sedang dibuat.", "success")
    return htmx_redirect("meetings.report_preview", meeting_id=meeting.id)


@bp.post("/<int:meeting_id>/laporan/terbitkan")
@role_required(Role.KOMINFO)
def report_publish(meeting_id: int):
    meeting = _meeting(meeting_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    rep = ops.report_for(meeting)
    if rep is None:
        abort(404)
    if not run_step(lambda: ops.publish(rep, current_user)):
        return htmx_redirect("meetings.report_preview", meeting_id=meeting.id)
    flash("Laporan diterbitkan di halaman publik Rakor.", "success")
    return htmx_redirect("meetings.report_preview", meeting_id=meeting.id)


@bp.get("/ruang-baca")
@role_required(*READERS)
def reading_room():
    """Every approved report, newest first, with a period-to-period comparison (charts and tables)."""
    from portal.meetings.report import reading

    reports = reading.frozen_reports((ReportStatus.APPROVED, ReportStatus.PUBLISHED))
    picked = reading.pick(reports, request.args.get("a", type=int), request.args.get("b", type=int))
    compare = reading.comparison(picked)
    return render("meetings/report/reading_room.html", reports=reports, picked=picked, compare=compare,
                  chart_endpoint="meetings.reading_room_chart")


@bp.get("/ruang-baca/grafik/<name>.svg")
@role_required(*READERS)
def reading_room_chart(name: str):
    """A comparison chart of two approved reports, as an SVG document (its table is on the page)."""
    from portal.meetings.report import reading

    reports = reading.frozen_reports((ReportStatus.APPROVED, ReportStatus.PUBLISHED))
    return _compare_chart(reading, name, reports)


def _compare_chart(reading, name: str, reports: list[RakorReport]) -> Response:
    from portal.public.charts import SVG_CSP

    if name not in reading.CHARTS:
        abort(404)
    compare = reading.comparison(reading.pick(reports, request.args.get("a", type=int),
                                              request.args.get("b", type=int)))
    if compare is None:
        abort(404)
    resp = Response(reading.chart_svg(name, compare), mimetype="image/svg+xml")
    resp.headers["Content-Security-Policy"] = SVG_CSP
    return resp
