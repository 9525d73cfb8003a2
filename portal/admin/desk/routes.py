"""OPD liaison pages: strictly limited to the user's own OPD and its units.

Every object is loaded through ``get_complaint_or_404`` / ``get_or_404`` (scope checked: other
OPDs' objects answer 404), every change goes through :mod:`portal.complaints.operations`, and each
request commits once at the end. Pages are small: they must stay usable on a phone over a weak
connection (≤ 30 KB of HTML + CSS, tested).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import sqlalchemy as sa
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import orm
from sqlalchemy.orm.exc import StaleDataError

from portal.admin import bp
from portal.admin.desk.forms import DeleteForm, FollowUpForm, ReturnForm, TemplateForm
from portal.complaints import operations as ops
from portal.complaints.models import AnswerTemplate, Attachment, Complaint, FollowUp, Status
from portal.complaints.redaction import Audience, redactor_for
from portal.core import idempotency, uploads
from portal.core.auth import get_complaint_or_404, get_or_404, in_scope, role_required
from portal.core.htmx import wants_partial
from portal.core.render import htmx_redirect, render
from portal.core.timeutil import today_wib
from portal.core.workdays import get_calendar
from portal.extensions import db
from portal.meetings.actions import actions_for_opd
from portal.people import liaisons
from portal.people.models import Role

S = Status
#: the stages an OPD works on, in the order the home page shows them
OPEN_STAGES = (S.BELUM_DITINDAKLANJUTI, S.PROSES, S.TUNDA)
#: statuses that accept a follow-up (a Selesai one goes back to Proses unless finished again)
FOLLOWUP_STAGES = (S.BELUM_DITINDAKLANJUTI, S.PROSES, S.SELESAI)
RETURN_STAGES = (S.BELUM_DITINDAKLANJUTI, S.PROSES)
#: rows per stage on the overview, and per page when one stage is shown (the 30 KB page budget)
OVERVIEW_SIZE = 12
PAGE_SIZE = 40
#: non-public event kinds an OPD may still see on its complaint's timeline; "reveal" never
OPD_EVENT_KINDS = frozenset({"created", "imported", "verified", "dispatched", "followup", "status",
                             "returned", "reopened", "escalation_liaison", "escalation_head",
                             "escalation_leadership"})
HIDDEN_EVENT_KINDS = frozenset({"reveal"})
_STATE_ORDER = {"overdue": 0, "at_risk": 1, "on_time": 2, "paused": 3, "none": 3, "met": 4, "missed": 4}


def _event_label(kind: str) -> str:
    return {
        "created": _("Laporan dibuat"),
        "imported": _("Diimpor dari SP4N-LAPOR!"),
        "verified": _("Diverifikasi"),
        "dispatched": _("Didisposisikan"),
        "followup": _("Tindak lanjut"),
        "status": _("Status diubah"),
        "returned": _("Dikembalikan: bukan kewenangan"),
        "reopened": _("Dibuka kembali"),
        "escalation_liaison": _("Eskalasi: pengingat ke pejabat penghubung"),
        "escalation_head": _("Eskalasi: pemberitahuan ke kepala OPD"),
        "escalation_leadership": _("Eskalasi: dicantumkan untuk pimpinan Diskominfo"),
    }.get(kind, _("Perubahan"))


# --- Home ---------------------------------------------------------------------------------------


@dataclass
class Row:
    """A complaint on the home page with its most pressing open deadline."""

    complaint: Complaint
    label: str
    due: dt.date | None
    state: str

    @property
    def sort_key(self) -> tuple:
        return (_STATE_ORDER.get(self.state, 9), self.due or dt.date.max, self.complaint.submitted_at)


def _row(c: Complaint, today: dt.date, cal) -> Row:
    """The deadline of the stage the complaint is in (first follow-up, else completion)."""
    due = c.stage_due_date
    if c.status == S.TUNDA:  # the deadline waits for the reporter
        return Row(c, _("Penyelesaian"), c.due_date, "paused")
    if due is None:
        return Row(c, _("Penyelesaian"), c.due_date, "none")
    first = c.status == S.BELUM_DITINDAKLANJUTI and c.first_followup_at is None
    label = _("Tindak lanjut pertama") if first else _("Penyelesaian")
    return Row(c, label, due, ops.deadline_state(due, today, calendar=cal))


@bp.get("/opd")
@role_required(Role.OPD)
def opd_home():
    """Open complaints of the OPD grouped by stage, overdue and at-risk first."""
    scope = current_user.opd_scope() or []
    only = request.args.get("tahap")
    page = max(request.args.get("hal", 1, type=int) or 1, 1)
    stages = [s for s in OPEN_STAGES if only in (None, s.value)]
    rows: dict[Status, list[Row]] = {s: [] for s in stages}
    if scope and stages:
        query = (sa.select(Complaint)
                 .where(Complaint.opd_id.in_(scope), Complaint.status.in_(stages))
                 .options(orm.load_only(Complaint.tracking_no, Complaint.title, Complaint.status,
                                        Complaint.submitted_at, Complaint.verified_at,
                                        Complaint.dispatched_at, Complaint.first_followup_at,
                                        Complaint.due_date, Complaint.stage_due_date, Complaint.norm_days,
                                        Complaint.opd_id, Complaint.is_anonymous),
                          orm.selectinload(Complaint.reporter)))
        today, cal = today_wib(), get_calendar()
        for c in db.session.scalars(query):
            rows[c.status].append(_row(c, today, cal))
    counts = {"overdue": 0, "at_risk": 0}
    groups = []
    for stage in stages:
        items = sorted(rows[stage], key=lambda r: r.sort_key)
        for r in items:
            if r.state in counts and stage != S.TUNDA:
                counts[r.state] += 1
        size = PAGE_SIZE if only else OVERVIEW_SIZE
        pages = max(math.ceil(len(items) / size), 1)
        start = (min(page, pages) - 1) * size
        groups.append({"stage": stage, "total": len(items), "rows": items[start:start + size],
                       "page": min(page, pages), "pages": pages})
    return render("admin/desk/home.html", opd=current_user.opd, groups=groups, counts=counts, only=only,
                  actions=[] if only else actions_for_opd(scope), today=today_wib(), title_of=_opd_title,
                  terms=[] if only else liaisons.upcoming(current_user))


def _opd_title(c: Complaint) -> str:
    """A complaint's title as the OPD may read it (anonymous: the reporter removed)."""
    return redactor_for(c, Audience.OPD)(c.title)


# --- One complaint ------------------------------------------------------------------------------


def _templates() -> list[AnswerTemplate]:
    scope = current_user.opd_scope() or []
    if not scope:
        return []
    return list(db.session.scalars(sa.select(AnswerTemplate).where(AnswerTemplate.opd_id.in_(scope))
                                   .order_by(AnswerTemplate.title)))


def _timeline(c: Complaint) -> list:
    return [e for e in c.events
            if e.kind not in HIDDEN_EVENT_KINDS and (e.is_public or e.kind in OPD_EVENT_KINDS)]


def _followup_form(c: Complaint, text: str | None = None) -> FollowUpForm:
    form = FollowUpForm(formdata=None, version=c.version)
    if text is not None:
        form.text.data = text
    return form


def _complaint_page(c: Complaint, *, fu_form: FollowUpForm | None = None, ret_form: ReturnForm | None = None,
                    status: int = 200, message: str | None = None, alert: str | None = None):
    today = today_wib()
    deadlines = [d for d in ops.deadlines(c, today, get_calendar()) if d["key"] != "verifikasi"]
    return render(
        "admin/desk/complaint.html", partial="admin/desk/_complaint.html", status=status,
        c=c, deadlines=deadlines, timeline=_timeline(c), clean=redactor_for(c, Audience.OPD),
        reporter=None if c.is_anonymous else c.reporter,
        fu_form=fu_form or _followup_form(c), ret_form=ret_form or ReturnForm(formdata=None, version=c.version),
        can_followup=c.status in FOLLOWUP_STAGES, can_return=c.status in RETURN_STAGES,
        templates=_templates(), message=message, alert=alert, kind_label=_event_label,
        max_mb=round(uploads.max_bytes() / 1048576, 1),
    )


def _conflict(tracking_no: str, *, text: str | None = None, reason: str | None = None):
    """409: somebody changed the complaint meanwhile; show its current state, keep what was typed."""
    db.session.rollback()
    c = get_complaint_or_404(tracking_no)
    ret_form = ReturnForm(formdata=None, version=c.version)
    if reason is not None:
        ret_form.reason.data = reason
    return _complaint_page(
        c, fu_form=_followup_form(c, text), ret_form=ret_form, status=409,
        alert=_("Laporan ini baru saja diubah oleh pengguna lain. Periksa keadaan terbaru di bawah ini, "
                "lalu kirim ulang bila masih perlu (lampiran perlu dipilih lagi)."),
    )


@bp.get("/opd/laporan/<tracking_no>")
@role_required(Role.OPD)
def opd_complaint(tracking_no: str):
    """A complaint of the OPD: content, deadlines, timeline, follow-ups and the forms to act."""
    c = get_complaint_or_404(tracking_no)
    text = None
    template_id = request.args.get("template", type=int)
    if template_id is not None:
        text = get_or_404(AnswerTemplate, template_id).body
    return _complaint_page(c, fu_form=_followup_form(c, text))


@bp.get("/opd/laporan/<tracking_no>/teks")
@role_required(Role.OPD)
def opd_template_text(tracking_no: str):
    """The follow-up textarea prefilled from an answer template (an htmx fragment)."""
    c = get_complaint_or_404(tracking_no)
    template_id = request.args.get("template", type=int)
    tpl = get_or_404(AnswerTemplate, template_id) if template_id is not None else None
    if not wants_partial():
        return redirect(url_for("admin.opd_complaint", tracking_no=c.tracking_no, template=template_id,
                                _anchor="tindak-lanjut"), code=303)
    return render("admin/desk/_followup_text.html", fu_form=_followup_form(c, tpl.body if tpl else ""))


def _done(c: Complaint, message: str):
    """After a successful POST: the refreshed fragment for htmx, else 303 back to the page."""
    if wants_partial():
        return _complaint_page(c, message=message)
    flash(message, "success")
    return redirect(url_for("admin.opd_complaint", tracking_no=c.tracking_no), code=303)


@bp.post("/opd/laporan/<tracking_no>/tindak-lanjut")
@role_required(Role.OPD)
def opd_followup(tracking_no: str):
    """Post a follow-up (with attachments) and set Proses or Selesai."""
    c = get_complaint_or_404(tracking_no)
    submit_key = idempotency.posted_key()
    if (seen := idempotency.replay(submit_key)) is not None:  # a double tap: the first one's result
        return _done(c, seen.message)
    form = FollowUpForm()
    if not form.validate_on_submit():
        return _complaint_page(c, fu_form=form, status=422)
    text = form.text.data or ""
    try:
        ops.check_version(c, form.version.data)
    except ops.ConflictError:
        return _conflict(tracking_no, text=text)
    finish = form.status.data == "selesai"
    try:
        prepared = uploads.prepare_all(form.files.data or [])
    except uploads.UploadError as err:
        form.files.errors = [str(err)]
        return _complaint_page(c, fu_form=form, status=422)
    if not text:
        if prepared:
            form.text.errors = [_("Tuliskan tindak lanjut yang menyertai lampiran.")]
        elif not finish:
            form.text.errors = [_("Tindak lanjut wajib diisi.")]
        elif not c.followups and c.first_followup_at is None:
            form.text.errors = [_("Status Selesai memerlukan tindak lanjut: tuliskan apa yang sudah dilakukan.")]
        elif c.status == S.SELESAI:
            form.text.errors = [_("Laporan ini sudah Selesai.")]
        if form.text.errors:
            return _complaint_page(c, fu_form=form, status=422)
    try:
        if text:
            followup: FollowUp | None = ops.add_followup(c, current_user, text, finish=finish)
        else:
            ops.finish(c, current_user)
            followup = None
        attachments = uploads.store(prepared, complaint=c, followup=followup, user=current_user) \
            if prepared else []
    except ops.TransitionError as err:
        db.session.rollback()
        c = get_complaint_or_404(tracking_no)
        return _complaint_page(c, fu_form=form, status=422, alert=str(err))
    message = _("Laporan diselesaikan.") if c.status == S.SELESAI and finish else _("Tindak lanjut tersimpan.")
    idempotency.remember(submit_key, url_for("admin.opd_complaint", tracking_no=c.tracking_no), message)
    try:
        with uploads.discard_on_error(attachments):
            db.session.commit()
    except (StaleDataError, sa.exc.IntegrityError):
        db.session.rollback()
        if (seen := idempotency.replay(submit_key)) is not None:  # the other tap won the race
            return _done(get_complaint_or_404(tracking_no), seen.message)
        return _conflict(tracking_no, text=text)
    return _done(c, message)


@bp.post("/opd/laporan/<tracking_no>/kembalikan")
@role_required(Role.OPD)
def opd_return(tracking_no: str):
    """Bukan kewenangan: hand the complaint back to Kominfo's queue with a reason."""
    c = get_complaint_or_404(tracking_no)
    form = ReturnForm()
    if not form.validate_on_submit():
        return _complaint_page(c, ret_form=form, status=422)
    try:
        ops.check_version(c, form.version.data)
    except ops.ConflictError:
        return _conflict(tracking_no, reason=form.reason.data)
    try:
        ops.return_to_admin(c, current_user, form.reason.data)
    except ops.TransitionError as err:
        db.session.rollback()
        c = get_complaint_or_404(tracking_no)
        return _complaint_page(c, ret_form=form, status=422, alert=str(err))
    try:
        db.session.commit()
    except StaleDataError:
        return _conflict(tracking_no, reason=form.reason.data)
    flash(_("Laporan %(no)s dikembalikan ke Diskominfo untuk didisposisikan ulang.", no=tracking_no), "success")
    return htmx_redirect("admin.opd_home")


# --- Answer templates ---------------------------------------------------------------------------


def _templates_page(form: TemplateForm | None = None, status: int = 200):
    return render("admin/desk/templates.html", partial="admin/desk/_templates.html", status=status,
                  templates=_templates(), form=form or TemplateForm(formdata=None))


@bp.get("/opd/template")
@role_required(Role.OPD)
def opd_templates():
    """The OPD's saved answers, and a form to add one."""
    return _templates_page()


@bp.post("/opd/template")
@role_required(Role.OPD)
def opd_template_create():
    if current_user.opd_id is None:
        abort(403)
    form = TemplateForm()
    if not form.validate_on_submit():
        return _templates_page(form, status=422)
    db.session.add(AnswerTemplate(opd_id=current_user.opd_id, title=form.title.data, body=form.body.data))
    db.session.commit()
    if wants_partial():
        return _templates_page()
    flash(_("Template jawaban tersimpan."), "success")
    return redirect(url_for("admin.opd_templates"), code=303)


@bp.route("/opd/template/<int:template_id>", methods=["GET", "POST"])
@role_required(Role.OPD)
def opd_template_edit(template_id: int):
    tpl = get_or_404(AnswerTemplate, template_id)
    form = TemplateForm(obj=tpl) if request.method == "GET" else TemplateForm()
    if request.method == "POST":
        if form.validate_on_submit():
            tpl.title, tpl.body = form.title.data, form.body.data
            db.session.commit()
            flash(_("Template jawaban diperbarui."), "success")
            return htmx_redirect("admin.opd_templates")
        return render("admin/desk/template_edit.html", tpl=tpl, form=form, status=422)
    return render("admin/desk/template_edit.html", tpl=tpl, form=form)


@bp.post("/opd/template/<int:template_id>/hapus")
@role_required(Role.OPD)
def opd_template_delete(template_id: int):
    tpl = get_or_404(AnswerTemplate, template_id)
    if not DeleteForm().validate_on_submit():
        abort(400)
    db.session.delete(tpl)
    db.session.commit()
    if wants_partial():
        return _templates_page()
    flash(_("Template jawaban dihapus."), "success")
    return redirect(url_for("admin.opd_templates"), code=303)


# --- Attachments (every staff role, within its scope) -------------------------------------------


@bp.get("/lampiran/<int:id>")
@role_required()
def attachment(id: int):  # noqa: A002 - the URL's name, used by other modules' url_for
    """Download an attachment; only within the user's OPD scope (404 otherwise)."""
    att = get_or_404(Attachment, id, opd_attr=None)
    if not in_scope(current_user, att.complaint.opd_id):
        abort(404)
    return uploads.send_attachment(att)
