"""Pages of the quarterly report and the annual evaluation: list, preview, written sections,
approval (pimpinan or an approval right), publication and the PDF."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, url_for
from flask_login import current_user

from portal.core.auth import role_required
from portal.core.i18n import official
from portal.core.render import htmx_redirect, render
from portal.core.timeutil import today_wib
from portal.extensions import db
from portal.meetings import bp
from portal.meetings.report import build, periodic, workflow
from portal.meetings.report.models import PeriodicKind, PeriodicReport
from portal.meetings.report.routes import READERS, ConfirmForm, WrittenForm, run_step
from portal.people.models import Role

KINDS = {"triwulan": PeriodicKind.QUARTERLY, "tahunan": PeriodicKind.ANNUAL}


def _kind(slug: str) -> PeriodicKind:
    if slug not in KINDS:
        abort(404)
    return KINDS[slug]


def _check(kind: PeriodicKind, year: int, quarter: int) -> None:
    if not 2000 <= year <= 2100 or (kind == PeriodicKind.QUARTERLY and quarter not in (1, 2, 3, 4)) or (
            kind == PeriodicKind.ANNUAL and quarter != 0):
        abort(404)


@bp.get("/laporan-berkala")
@role_required(*READERS)
def periodic_index():
    today = today_wib()
    reports = db.session.scalars(sa.select(PeriodicReport).order_by(
        PeriodicReport.year.desc(), PeriodicReport.kind, PeriodicReport.quarter.desc())).all()
    have = {(r.kind, r.year, r.quarter): r for r in reports}
    slots = []
    for year in (today.year, today.year - 1):
        for q in (4, 3, 2, 1):
            if build.quarter_range(year, q)[0] <= today:
                slots.append(("triwulan", year, q, periodic.title_of(PeriodicKind.QUARTERLY, year, q),
                              have.get((PeriodicKind.QUARTERLY, year, q))))
        slots.append(("tahunan", year, 0, periodic.title_of(PeriodicKind.ANNUAL, year),
                      have.get((PeriodicKind.ANNUAL, year, 0))))
    return render("meetings/report/periodic_index.html", slots=slots)


@bp.route("/laporan-berkala/<slug>/<int:year>/<int:quarter>", methods=["GET", "POST"])
@role_required(*READERS)
@official  # an official document: Indonesian whatever the UI language, like its PDF
def periodic_view(slug: str, year: int, quarter: int):
    kind = _kind(slug)
    _check(kind, year, quarter)
    rep = periodic.find(kind, year, quarter)
    form = WrittenForm(obj=rep)
    if form.is_submitted():
        if current_user.role != Role.KOMINFO:
            abort(403)
        if form.validate_on_submit():
            rep = periodic.ensure(kind, year, quarter)
            if not run_step(lambda: periodic.save_written(rep, form.sections(), current_user)):
                return redirect(url_for("meetings.periodic_view", slug=slug, year=year, quarter=quarter), code=303)
            flash("Bagian tertulis laporan disimpan.", "success")
            return htmx_redirect("meetings.periodic_view", slug=slug, year=year, quarter=quarter)
    f = periodic.figures_for(rep) if rep is not None else periodic.compile_periodic(kind, year, quarter)
    return render("meetings/report/periodic.html", slug=slug, year=year, quarter=quarter, m={},
                  form=form, confirm=ConfirmForm(), **workflow.document_context(rep, f),
                  chart_src=workflow.chart_sources(f), photos=[], minutes_html="",
                  **workflow.permissions(rep, current_user), status=422 if form.errors else 200)


@bp.post("/laporan-berkala/<slug>/<int:year>/<int:quarter>/setujui")
@role_required(Role.KOMINFO, Role.PIMPINAN)
def periodic_approve(slug: str, year: int, quarter: int):
    kind = _kind(slug)
    _check(kind, year, quarter)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not workflow.may_approve(current_user):
        abort(403)
    rep = periodic.ensure(kind, year, quarter)
    if not run_step(lambda: periodic.approve(rep, current_user)):
        return redirect(url_for("meetings.periodic_view", slug=slug, year=year, quarter=quarter), code=303)
    flash("Laporan disetujui; angka-angkanya dibekukan.", "success")
    return htmx_redirect("meetings.periodic_view", slug=slug, year=year, quarter=quarter)


@bp.post("/laporan-berkala/<slug>/<int:year>/<int:quarter>/terbitkan")
@role_required(Role.KOMINFO)
def periodic_publish(slug: str, year: int, quarter: int):
    kind = _kind(slug)
    _check(kind, year, quarter)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    rep = periodic.find(kind, year, quarter)
    if rep is None:
        abort(404)
    if not run_step(lambda: periodic.publish(rep, current_user)):
        return redirect(url_for("meetings.periodic_view", slug=slug, year=year, quarter=quarter), code=303)
    flash("Laporan diterbitkan.", "success")
    return htmx_redirect("meetings.periodic_view", slug=slug, year=year, quarter=quarter)


@bp.get("/laporan-berkala/<slug>/<int:year>/<int:quarter>.pdf")
@role_required(*READERS)
def periodic_pdf(slug: str, year: int, quarter: int):
    kind = _kind(slug)
    _check(kind, year, quarter)
    rep = periodic.find(kind, year, quarter)
    data = periodic.pdf_for(rep, kind, year, quarter)
    db.session.commit()
    resp = Response(data, mimetype="application/pdf")
    state = rep.status.value if rep is not None else "draft"
    resp.headers["Content-Disposition"] = f'attachment; filename="laporan-{slug}-{year}-{quarter}-{state}.pdf"'
    resp.headers["Cache-Control"] = "private, no-cache"
    return resp
