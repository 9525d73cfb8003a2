"""Rakor pages (docs/DOMAIN.md §10): planning, invitations, documents, attendance, minutes and photos.

Each view: load (404) → check access → act through :mod:`portal.meetings.services` → one commit →
render. Kominfo manages; OPD users see the meetings they are invited to; pimpinan and ombudsman read.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.core.auth import in_scope, role_required
from portal.core.htmx import wants_partial
from portal.core.render import htmx_redirect, render
from portal.core.timeutil import WIB, today_wib
from portal.extensions import db
from portal.meetings import bp, documents
from portal.meetings import services as svc
from portal.meetings.forms import (
    AgendaForm,
    CancelForm,
    CheckInForm,
    DecisionForm,
    EmptyForm,
    MeetingForm,
    MinutesForm,
    PhotoForm,
    PlanForm,
    ReminderForm,
    RsvpForm,
    SpeakerForm,
    WalkInForm,
)
from portal.meetings.models import (
    AgendaItem,
    Attendance,
    CheckInMethod,
    Decision,
    Invitation,
    Meeting,
    MeetingMode,
    MeetingStatus,
    MinutesStatus,
    MinutesVersion,
    Photo,
    Rsvp,
    Speaker,
)
from portal.people.models import OPD, Role

MANAGE = (Role.KOMINFO,)


def load_meeting(meeting_id: int, manage: bool = False) -> Meeting:
    """The meeting, 404 when missing or not visible to the user; 403 when ``manage`` and not Kominfo."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or not svc.may_see(current_user, meeting):
        abort(404)
    if manage and not svc.can_manage(current_user):
        abort(403)
    return meeting


def require_whole_meeting() -> None:
    """403 for pages and documents listing every OPD's people or actions (invitations, attendance,
    the general letter with its list of addressees): OPD users use their own invitation instead."""
    if not svc.sees_whole_meeting(current_user):
        abort(403)


def child_or_404(model, ident: int, meeting: Meeting):
    obj = db.session.get(model, ident)
    if obj is None or obj.meeting_id != meeting.id:
        abort(404)
    return obj


def pdf_response(data: bytes, filename: str) -> Response:
    resp = Response(data, mimetype="application/pdf")
    resp.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return resp


def _page(template: str, meeting: Meeting, tab: str, status: int = 200, **ctx):
    return render(template, meeting=meeting, tab=tab, manage=svc.can_manage(current_user), status=status,
                  MeetingStatus=MeetingStatus, Rsvp=Rsvp, **ctx)


# --- list and planning ------------------------------------------------------------------------

@bp.get("/")
@role_required()
def index():
    meetings = db.session.scalars(svc.visible_meetings_query(current_user)).all()
    now = dt.datetime.now(dt.UTC)
    upcoming = sorted((m for m in meetings if m.ends_at >= now), key=lambda m: m.starts_at)
    past = [m for m in meetings if m.ends_at < now]
    return render("meetings/index.html", upcoming=upcoming, past=past, manage=svc.can_manage(current_user))


def _plan_sources(year: int) -> list[tuple[str, str]]:
    choices = [("", _("— pilih sumber —"))]
    choices += [(f"tpl:{k}", _("Templat %(label)s", label=v["label"])) for k, v in svc.TEMPLATES.items()]
    for m in db.session.scalars(sa.select(Meeting).order_by(Meeting.starts_at.desc()).limit(20)):
        choices.append((f"clone:{m.id}", _("Salin dari: %(title)s (%(date)s)", title=m.title,
                                           date=m.date_wib.isoformat())))
    return choices


@bp.route("/baru", methods=["GET", "POST"])
@role_required(*MANAGE)
def plan():
    today = today_wib()
    form = PlanForm()
    form.source.choices = _plan_sources(today.year)
    if not form.is_submitted():
        key, year, day = svc.next_template(today)
        form.source.data = f"tpl:{key}"
        form.date.data = day
        form.title.data = svc.template_title(key, year)
        form.start.data, form.end.data = svc.DEFAULT_START, svc.DEFAULT_END
        form.venue.data = svc.DEFAULT_VENUE
    if form.validate_on_submit():
        kind, _sep, ref = form.source.data.partition(":")
        clone = None
        if kind == "clone":
            clone = db.session.get(Meeting, int(ref)) if ref.isdigit() else None
            if clone is None:
                abort(400)
        elif ref not in svc.TEMPLATES:
            abort(400)
        day = form.date.data or (svc.next_template_date(ref, today) if kind == "tpl" else today)
        title = form.title.data or (svc.template_title(ref, day.year) if kind == "tpl" else clone.title)
        start = form.start.data or (clone.starts_at.astimezone(WIB).time() if clone else svc.DEFAULT_START)
        end = form.end.data or (clone.ends_at.astimezone(WIB).time() if clone else svc.DEFAULT_END)
        try:
            svc.check_meeting_day(day, form.record_past.data, today)
        except svc.MeetingError as exc:
            form.date.errors = [*form.date.errors, str(exc)]
            return render("meetings/plan.html", form=form, status=422)
        try:
            meeting = svc.create_meeting(
                title=title, day=day, start=start, end=end,
                venue=form.venue.data or (clone.venue if clone else svc.DEFAULT_VENUE),
                mode=MeetingMode(form.mode.data), online_url=form.online_url.data or None,
                period_start=form.period_start.data, period_end=form.period_end.data,
                clone_from=clone, user=current_user,
            )
        except svc.MeetingError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("Rapat direncanakan."), "success")
            return htmx_redirect("meetings.detail", meeting_id=meeting.id)
    return render("meetings/plan.html", form=form)


# --- one meeting: overview, edit, speakers, agenda --------------------------------------------

@bp.get("/<int:meeting_id>")
@role_required()
def detail(meeting_id: int):
    meeting = load_meeting(meeting_id)
    scope = current_user.opd_scope()
    mine = [i for i in meeting.invitations if scope is not None and i.opd_id in scope]
    rsvp_forms = {}
    for inv in mine:
        f = RsvpForm(prefix=f"inv{inv.id}")
        if inv.rsvp != Rsvp.BELUM:
            f.answer.data = inv.rsvp.value
            f.representative_name.data = inv.representative_name
            f.representative_position.data = inv.representative_position
        rsvp_forms[inv.id] = f
    carried = svc.visible_actions(current_user, [a for a in meeting.action_items if a.carried_from_id])
    return _page("meetings/detail.html", meeting, "ringkasan", schedule=svc.agenda_schedule(meeting),
                 mine=mine, rsvp_forms=rsvp_forms, carried=carried, speaker_form=SpeakerForm(prefix="sp"),
                 agenda_form=AgendaForm(prefix="ag"), empty=EmptyForm(), cancel_form=CancelForm(),
                 can_answer=meeting.ends_at > dt.datetime.now(dt.UTC) and meeting.status != MeetingStatus.CANCELLED)


@bp.route("/<int:meeting_id>/ubah", methods=["GET", "POST"])
@role_required(*MANAGE)
def edit(meeting_id: int):
    meeting = load_meeting(meeting_id, manage=True)
    form = MeetingForm(obj=meeting)
    if not form.is_submitted():
        form.date.data = meeting.date_wib
        form.start.data = meeting.starts_at.astimezone(WIB).time()
        form.end.data = meeting.ends_at.astimezone(WIB).time()
        form.mode.data = meeting.mode.value
    status = 200
    if form.validate_on_submit():
        try:
            if form.date.data != meeting.date_wib:
                svc.check_meeting_day(form.date.data, form.record_past.data)
            for name in ("title", "venue", "period_start", "period_end", "letter_number", "letter_date",
                         "reminder_days", "description"):
                setattr(meeting, name, getattr(form, name).data)
            meeting.mode = MeetingMode(form.mode.data)
            meeting.online_url = form.online_url.data or None
            notified = svc.reschedule(meeting, form.date.data, form.start.data, form.end.data)
        except svc.MeetingError as exc:
            db.session.rollback()
            form.date.errors = [*form.date.errors, str(exc)]
            status = 422
        else:
            db.session.commit()
            if notified:
                flash(_("Jadwal diubah; %(n)d undangan menerima jadwal baru beserta kalender yang diperbarui.",
                        n=notified), "success")
            else:
                flash(_("Perubahan disimpan."), "success")
            return htmx_redirect("meetings.detail", meeting_id=meeting.id)
    elif form.is_submitted():
        status = 422
    return _page("meetings/edit.html", meeting, "ringkasan", form=form, status=status)


@bp.post("/<int:meeting_id>/batal")
@role_required(*MANAGE)
def cancel(meeting_id: int):
    meeting = load_meeting(meeting_id, manage=True)
    form = CancelForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        n = svc.cancel_meeting(meeting, form.reason.data)
    except svc.MeetingError as exc:
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("Rapat dibatalkan; pemberitahuan pembatalan dan kalender (CANCEL) untuk %(n)d undangan masuk "
                "antrean kirim.", n=n), "success")
    return htmx_redirect("meetings.detail", meeting_id=meeting.id)


@bp.post("/<int:meeting_id>/narasumber")
@role_required(*MANAGE)
def add_speaker(meeting_id: int):
    meeting = load_meeting(meeting_id, manage=True)
    form = SpeakerForm(prefix="sp")
    if form.validate_on_submit():
        svc.add_speaker(meeting, name=form.name.data.strip(), title=form.title.data or None,
                        institution=form.institution.data.strip(), email=form.email.data or None,
                        topic=form.topic.data or None)
        db.session.commit()
        flash(_("Narasumber ditambahkan."), "success")
    else:
        flash(_("Narasumber tidak ditambahkan: %(err)s", err=_errors(form)), "error")
    return htmx_redirect("meetings.detail", meeting_id=meeting.id)


@bp.post("/<int:meeting_id>/narasumber/<int:speaker_id>/hapus")
@role_required(*MANAGE)
def delete_speaker(meeting_id: int, speaker_id: int):
    meeting = load_meeting(meeting_id, manage=True)
    speaker = child_or_404(Speaker, speaker_id, meeting)
    if EmptyForm().validate_on_submit():
        if any(i.speaker_id == speaker.id for i in meeting.invitations):
            flash(_("Narasumber sudah diundang; tidak dapat dihapus."), "error")
        else:
            db.session.delete(speaker)
            db.session.commit()
    return htmx_redirect("meetings.detail", meeting_id=meeting.id)


@bp.post("/<int:meeting_id>/acara")
@role_required(*MANAGE)
def add_agenda(meeting_id: int):
    meeting = load_meeting(meeting_id, manage=True)
    form = AgendaForm(prefix="ag")
    if form.validate_on_submit():
        svc.add_agenda_item(meeting, form.title.data.strip(), form.duration_minutes.data, form.presenter.data or None)
        db.session.commit()
        flash(_("Mata acara ditambahkan."), "success")
    else:
        flash(_("Mata acara tidak ditambahkan: %(err)s", err=_errors(form)), "error")
    return htmx_redirect("meetings.detail", meeting_id=meeting.id)


@bp.post("/<int:meeting_id>/acara/<int:item_id>/hapus")
@role_required(*MANAGE)
def delete_agenda(meeting_id: int, item_id: int):
    meeting = load_meeting(meeting_id, manage=True)
    item = child_or_404(AgendaItem, item_id, meeting)
    if EmptyForm().validate_on_submit():
        for d in meeting.decisions:
            if d.agenda_item_id == item.id:
                d.agenda_item = None
        db.session.delete(item)
        db.session.commit()
    return htmx_redirect("meetings.detail", meeting_id=meeting.id)


def _after_move(meeting: Meeting, anchor: str):
    """htmx swaps the re-rendered section in place; a plain form returns to it."""
    if wants_partial():
        db.session.expire_all()
        return detail(meeting.id)
    return redirect(url_for("meetings.detail", meeting_id=meeting.id) + f"#{anchor}", code=303)


@bp.post("/<int:meeting_id>/acara/<int:item_id>/geser")
@role_required(*MANAGE)
def move_agenda(meeting_id: int, item_id: int):
    meeting = load_meeting(meeting_id, manage=True)
    item = child_or_404(AgendaItem, item_id, meeting)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if svc.move_agenda_item(item, request.form.get("to", "")):
        db.session.commit()
    return _after_move(meeting, "h-agenda")


@bp.post("/<int:meeting_id>/narasumber/<int:speaker_id>/geser")
@role_required(*MANAGE)
def move_speaker(meeting_id: int, speaker_id: int):
    meeting = load_meeting(meeting_id, manage=True)
    speaker = child_or_404(Speaker, speaker_id, meeting)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if svc.move_speaker(speaker, request.form.get("to", "")):
        db.session.commit()
    return _after_move(meeting, "h-speakers")


@bp.route("/<int:meeting_id>/acara/<int:item_id>/ubah", methods=["GET", "POST"])
@role_required(*MANAGE)
def edit_agenda(meeting_id: int, item_id: int):
    meeting = load_meeting(meeting_id, manage=True)
    item = child_or_404(AgendaItem, item_id, meeting)
    form = AgendaForm(obj=item)
    if form.validate_on_submit():
        item.title = form.title.data.strip()
        item.duration_minutes = form.duration_minutes.data
        item.presenter = (form.presenter.data or "").strip() or None
        db.session.commit()
        flash(_("Mata acara diperbarui."), "success")
        return htmx_redirect("meetings.detail", meeting_id=meeting.id)
    return _page("meetings/item_edit.html", meeting, "ringkasan", form=form, heading=_("Ubah mata acara"),
                 status=422 if form.is_submitted() else 200)


@bp.route("/<int:meeting_id>/narasumber/<int:speaker_id>/ubah", methods=["GET", "POST"])
@role_required(*MANAGE)
def edit_speaker(meeting_id: int, speaker_id: int):
    meeting = load_meeting(meeting_id, manage=True)
    speaker = child_or_404(Speaker, speaker_id, meeting)
    form = SpeakerForm(obj=speaker)
    if form.validate_on_submit():
        speaker.name = form.name.data.strip()
        speaker.title = (form.title.data or "").strip() or None
        speaker.institution = form.institution.data.strip()
        speaker.email = (form.email.data or "").strip() or None
        speaker.topic = (form.topic.data or "").strip() or None
        db.session.commit()
        flash(_("Narasumber diperbarui."), "success")
        return htmx_redirect("meetings.detail", meeting_id=meeting.id)
    return _page("meetings/item_edit.html", meeting, "ringkasan", form=form, heading=_("Ubah narasumber"),
                 status=422 if form.is_submitted() else 200)


@bp.post("/<int:meeting_id>/status")
@role_required(*MANAGE)
def set_status(meeting_id: int):
    meeting = load_meeting(meeting_id, manage=True)
    if EmptyForm().validate_on_submit() and request.form.get("to") == "held":
        svc.mark_held(meeting)
        db.session.commit()
        flash(_("Rapat ditandai terlaksana."), "success")
    return htmx_redirect("meetings.detail", meeting_id=meeting.id)


def _errors(form) -> str:
    return "; ".join(f"{getattr(form, k).label.text}: {' '.join(v)}" for k, v in form.errors.items())


# --- invitations ------------------------------------------------------------------------------

@bp.get("/<int:meeting_id>/undangan")
@role_required()
def invitations(meeting_id: int):
    meeting = load_meeting(meeting_id)
    manage = svc.can_manage(current_user)
    require_whole_meeting()
    ranking = svc.rank_invitees(meeting) if manage else []
    counts = {r: sum(1 for i in meeting.invitations if i.rsvp == r) for r in Rsvp}
    return _page("meetings/invitations.html", meeting, "undangan", ranking=ranking, counts=counts,
                 reminder_form=ReminderForm(), empty=EmptyForm())


@bp.post("/<int:meeting_id>/undangan")
@role_required(*MANAGE)
def send_invitations(meeting_id: int):
    meeting = load_meeting(meeting_id, manage=True)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if meeting.status == MeetingStatus.CANCELLED:
        flash(_("Rapat dibatalkan; undangan tidak dikirim."), "error")
        return htmx_redirect("meetings.invitations", meeting_id=meeting.id)
    if meeting.status in (MeetingStatus.HELD, MeetingStatus.CLOSED):
        flash(_("Rapat sudah berlangsung; undangan tidak dikirim."), "error")
        return htmx_redirect("meetings.invitations", meeting_id=meeting.id)
    opd_ids = [int(x) for x in request.form.getlist("opd") if x.isdigit()]
    made = svc.invite(meeting, opd_ids, include_speakers=bool(request.form.get("speakers")))
    db.session.commit()
    if made:
        from portal.core import jobs

        jobs.enqueue("meeting-invitations", "portal.meetings.services.send_invitation_emails", meeting.id,
                     [i.id for i in made], user_id=current_user.id, total=len(made))
        flash(_("%(n)d undangan dibuat; e-mail dengan surat undangan dan kalender masuk antrean kirim.",
                n=len(made)), "success")
    else:
        flash(_("Tidak ada undangan baru: pilih OPD yang belum diundang."), "error")
    return htmx_redirect("meetings.invitations", meeting_id=meeting.id)


@bp.post("/<int:meeting_id>/pengingat")
@role_required(*MANAGE)
def remind(meeting_id: int):
    meeting = load_meeting(meeting_id, manage=True)
    form = ReminderForm()
    if form.validate_on_submit():
        try:
            n = svc.send_reminders(meeting, only_unanswered=form.audience.data == "unanswered")
        except svc.MeetingError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("%(n)d pengingat masuk antrean kirim.", n=n), "success")
    return htmx_redirect("meetings.invitations", meeting_id=meeting.id)


@bp.get("/<int:meeting_id>/surat-undangan.pdf")
@role_required()
def letter_pdf(meeting_id: int):
    meeting = load_meeting(meeting_id)
    require_whole_meeting()
    return pdf_response(documents.invitation_pdf(meeting), f"undangan-rakor-{meeting.id}.pdf")


@bp.get("/<int:meeting_id>/undangan/<int:invitation_id>/surat.pdf")
@role_required()
def personal_letter_pdf(meeting_id: int, invitation_id: int):
    meeting = load_meeting(meeting_id)
    inv = child_or_404(Invitation, invitation_id, meeting)
    if not svc.can_manage(current_user) and not (inv.opd_id and in_scope(current_user, inv.opd_id)
                                                  and current_user.opd_scope() is not None):
        abort(404)
    return pdf_response(documents.invitation_pdf(meeting, inv), f"undangan-{inv.code}.pdf")


@bp.get("/<int:meeting_id>/undangan/<int:invitation_id>/rakor.ics")
@role_required()
def personal_ics(meeting_id: int, invitation_id: int):
    meeting = load_meeting(meeting_id)
    inv = child_or_404(Invitation, invitation_id, meeting)
    if not svc.can_manage(current_user) and not (current_user.opd_scope() is not None
                                                  and in_scope(current_user, inv.opd_id)):
        abort(404)
    return Response(documents.invitation_ics(inv), mimetype="text/calendar",
                    headers={"Content-Disposition": 'attachment; filename="rakor.ics"'})


@bp.post("/<int:meeting_id>/undangan/<int:invitation_id>/jawab")
@role_required(Role.OPD, Role.KOMINFO)
def answer(meeting_id: int, invitation_id: int):
    """An OPD user (or Kominfo on their behalf, e.g. after a phone call) answers an invitation."""
    meeting = load_meeting(meeting_id)
    inv = child_or_404(Invitation, invitation_id, meeting)
    if not svc.can_manage(current_user) and not (inv.opd_id and in_scope(current_user, inv.opd_id)):
        abort(404)
    form = RsvpForm(prefix=f"inv{inv.id}")
    if meeting.status == MeetingStatus.CANCELLED:
        flash(_("Rapat dibatalkan; jawaban tidak diperlukan."), "error")
    elif meeting.ends_at <= dt.datetime.now(dt.UTC):
        flash(_("Rapat telah berlangsung; jawaban tidak dapat diubah."), "error")
    elif form.validate_on_submit():
        svc.answer_rsvp(inv, Rsvp(form.answer.data), form.representative_name.data,
                        form.representative_position.data, form.note.data)
        db.session.commit()
        flash(_("Jawaban tersimpan: %(a)s.", a=inv.rsvp.label), "success")
    else:
        flash(_errors(form), "error")
    back = "meetings.invitations" if svc.can_manage(current_user) and request.form.get("back") == "list" \
        else "meetings.detail"
    return htmx_redirect(back, meeting_id=meeting.id)


# --- attendance -------------------------------------------------------------------------------

def _attendance_page(meeting: Meeting, code_form=None, walk_form=None, status: int = 200, **ctx):
    walk_form = walk_form or WalkInForm()
    walk_form.opd_id.choices = [(0, _("— bukan OPD / lainnya —"))] + [
        (o.id, o.name) for o in db.session.scalars(sa.select(OPD).where(OPD.active.is_(True)).order_by(OPD.name))]
    return render("meetings/attendance.html", partial="meetings/_attendance_body.html", status=status,
                  meeting=meeting, tab="presensi", manage=svc.can_manage(current_user),
                  code_form=code_form or CheckInForm(), walk_form=walk_form, per_opd=svc.attendance_per_opd(meeting),
                  labels=svc.ATTENDANCE_LABELS, empty=EmptyForm(), format_code=svc.format_code,
                  MeetingStatus=MeetingStatus, Rsvp=Rsvp, **ctx)


@bp.get("/<int:meeting_id>/presensi")
@role_required()
def attendance(meeting_id: int):
    meeting = load_meeting(meeting_id)
    require_whole_meeting()
    return _attendance_page(meeting)


@bp.post("/<int:meeting_id>/presensi")
@role_required(*MANAGE)
def checkin(meeting_id: int):
    meeting = load_meeting(meeting_id, manage=True)
    form = CheckInForm()
    if form.validate_on_submit():
        method = CheckInMethod.QR if request.form.get("via") == "qr" else CheckInMethod.CODE
        try:
            att = svc.check_in_by_code(meeting, form.code.data, method, current_user)
        except svc.MeetingError as exc:
            form.code.errors = [str(exc)]
            return _attendance_page(meeting, code_form=form, status=422)
        svc.mark_held(meeting)
        db.session.commit()
        flash(_("%(name)s tercatat hadir.", name=att.name), "success")
        return _attendance_page(meeting, checked=att) if wants_partial() else \
            redirect(url_for("meetings.attendance", meeting_id=meeting.id), code=303)
    return _attendance_page(meeting, code_form=form, status=422)


@bp.get("/<int:meeting_id>/presensi/kode/<code>")
@role_required()
def checkin_code(meeting_id: int, code: str):
    """Where the QR code on an invitation leads: staff confirm the check-in with one button."""
    meeting = load_meeting(meeting_id)
    if not svc.can_manage(current_user):
        abort(403)
    inv = db.session.scalar(sa.select(Invitation).where(Invitation.code == svc.normalise_code(code)))
    if inv is None or inv.meeting_id != meeting.id:
        abort(404)
    form = CheckInForm(data={"code": inv.code})
    return _page("meetings/checkin_code.html", meeting, "presensi", inv=inv, form=form,
                 format_code=svc.format_code)


@bp.post("/<int:meeting_id>/presensi/<int:invitation_id>/centang")
@role_required(*MANAGE)
def tick(meeting_id: int, invitation_id: int):
    meeting = load_meeting(meeting_id, manage=True)
    inv = child_or_404(Invitation, invitation_id, meeting)
    if EmptyForm().validate_on_submit():
        try:
            svc.check_in(inv, CheckInMethod.STAFF, current_user)
        except svc.MeetingError as exc:
            flash(str(exc), "error")
        else:
            svc.mark_held(meeting)
            db.session.commit()
    return _after_attendance(meeting)


@bp.post("/<int:meeting_id>/presensi/tamu")
@role_required(*MANAGE)
def walk_in(meeting_id: int):
    meeting = load_meeting(meeting_id, manage=True)
    form = WalkInForm()
    form.opd_id.choices = [(0, "")] + [(o.id, o.name) for o in db.session.scalars(sa.select(OPD))]
    if form.validate_on_submit():
        opd = db.session.get(OPD, form.opd_id.data) if form.opd_id.data else None
        svc.add_walk_in(meeting, form.name.data, form.position.data, opd, form.is_representative.data, current_user)
        svc.mark_held(meeting)
        db.session.commit()
        flash(_("Peserta ditambahkan."), "success")
        return _after_attendance(meeting)
    return _attendance_page(meeting, walk_form=form, status=422)


@bp.post("/<int:meeting_id>/presensi/hapus/<int:attendance_id>")
@role_required(*MANAGE)
def undo_checkin(meeting_id: int, attendance_id: int):
    meeting = load_meeting(meeting_id, manage=True)
    att = child_or_404(Attendance, attendance_id, meeting)
    if EmptyForm().validate_on_submit():
        db.session.delete(att)
        db.session.commit()
    return _after_attendance(meeting)


def _after_attendance(meeting: Meeting):
    if wants_partial():
        db.session.expire_all()
        return _attendance_page(meeting)
    return redirect(url_for("meetings.attendance", meeting_id=meeting.id), code=303)


@bp.get("/<int:meeting_id>/daftar-hadir.pdf")
@role_required()
def attendance_pdf(meeting_id: int):
    meeting = load_meeting(meeting_id)
    require_whole_meeting()
    return pdf_response(documents.attendance_pdf(meeting), f"daftar-hadir-rakor-{meeting.id}.pdf")


# --- minutes and decisions --------------------------------------------------------------------

@bp.route("/<int:meeting_id>/notulen", methods=["GET", "POST"])
@role_required()
def minutes(meeting_id: int):
    meeting = load_meeting(meeting_id)
    manage = svc.can_manage(current_user)
    if request.method == "POST" and not manage:
        abort(403)
    m = meeting.minutes
    if not manage and current_user.opd_scope() is not None and (m is None or m.status != MinutesStatus.FINAL):
        m = None  # OPD users read the final minutes only
    form = MinutesForm()
    if request.method == "GET":
        form.body_md.data = m.body_md if m else svc.minutes_skeleton(meeting)
    preview = None
    if form.validate_on_submit():
        if request.form.get("preview"):
            preview = svc.render_markdown(form.body_md.data or "")
        else:
            try:
                svc.save_minutes(meeting, form.body_md.data or "", current_user)
            except svc.MeetingError as exc:
                flash(str(exc), "error")
            else:
                db.session.commit()
                flash(_("Notulen disimpan (versi %(v)d).", v=meeting.minutes.version), "success")
                return htmx_redirect("meetings.minutes", meeting_id=meeting.id)
    decision_form = DecisionForm()
    decision_form.agenda_item_id.choices = [(0, _("— umum —"))] + [(a.id, a.title) for a in meeting.agenda_items]
    return _page("meetings/minutes.html", meeting, "notulen", form=form, minutes=m, preview=preview,
                 decision_form=decision_form, empty=EmptyForm(), MinutesStatus=MinutesStatus)


@bp.post("/<int:meeting_id>/notulen/pratinjau")
@role_required(*MANAGE)
def minutes_preview(meeting_id: int):
    """The live preview under the editor (htmx): the Markdown as it will read, sanitised, nothing saved."""
    meeting = load_meeting(meeting_id, manage=True)
    form = MinutesForm()
    if not form.validate_on_submit():
        abort(400)
    html = svc.render_markdown(form.body_md.data or "")
    return render("meetings/_minutes_preview.html", html=html, meeting=meeting)


@bp.post("/<int:meeting_id>/notulen/final")
@role_required(*MANAGE)
def finalize(meeting_id: int):
    meeting = load_meeting(meeting_id, manage=True)
    if EmptyForm().validate_on_submit():
        try:
            svc.finalize_minutes(meeting, current_user)
        except svc.MeetingError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("Notulen ditetapkan final."), "success")
    return htmx_redirect("meetings.minutes", meeting_id=meeting.id)


@bp.get("/<int:meeting_id>/notulen/versi/<int:number>")
@role_required(*MANAGE, Role.PIMPINAN, Role.OMBUDSMAN)
def minutes_version(meeting_id: int, number: int):
    meeting = load_meeting(meeting_id)
    if meeting.minutes is None:
        abort(404)
    version = db.session.scalar(sa.select(MinutesVersion).where(MinutesVersion.minutes_id == meeting.minutes.id,
                                                                MinutesVersion.number == number))
    if version is None:
        abort(404)
    return _page("meetings/minutes_version.html", meeting, "notulen", version=version,
                 html=svc.render_markdown(version.body_md))


@bp.post("/<int:meeting_id>/keputusan")
@role_required(*MANAGE)
def add_decision(meeting_id: int):
    meeting = load_meeting(meeting_id, manage=True)
    form = DecisionForm()
    form.agenda_item_id.choices = [(0, "")] + [(a.id, a.title) for a in meeting.agenda_items]
    if form.validate_on_submit():
        item = child_or_404(AgendaItem, form.agenda_item_id.data, meeting) if form.agenda_item_id.data else None
        svc.add_decision(meeting, form.text.data, item)
        db.session.commit()
        flash(_("Keputusan dicatat."), "success")
    else:
        flash(_errors(form), "error")
    return htmx_redirect("meetings.minutes", meeting_id=meeting.id)


@bp.post("/<int:meeting_id>/keputusan/<int:decision_id>/hapus")
@role_required(*MANAGE)
def delete_decision(meeting_id: int, decision_id: int):
    meeting = load_meeting(meeting_id, manage=True)
    d = child_or_404(Decision, decision_id, meeting)
    if EmptyForm().validate_on_submit():
        for a in meeting.action_items:
            if a.decision_id == d.id:
                a.decision = None
        db.session.delete(d)
        db.session.commit()
    return htmx_redirect("meetings.minutes", meeting_id=meeting.id)


# --- photos -----------------------------------------------------------------------------------

@bp.route("/<int:meeting_id>/foto", methods=["GET", "POST"])
@role_required()
def photos(meeting_id: int):
    meeting = load_meeting(meeting_id)
    form = PhotoForm()
    if request.method == "POST":
        if not svc.can_manage(current_user):
            abort(403)
        if form.validate_on_submit():
            try:
                svc.store_photo(meeting, form.photo.data.stream, form.caption.data, current_user)
            except svc.MeetingError as exc:
                form.photo.errors = [str(exc)]
            else:
                db.session.commit()
                flash(_("Foto diunggah; metadata (lokasi, kamera) telah dihapus."), "success")
                return htmx_redirect("meetings.photos", meeting_id=meeting.id)
    return _page("meetings/photos.html", meeting, "foto", form=form, empty=EmptyForm())


@bp.get("/foto/<int:photo_id>")
@role_required()
def photo_file(photo_id: int):
    photo = db.session.get(Photo, photo_id)
    if photo is None:
        abort(404)
    load_meeting(photo.meeting_id)
    resp = send_file(svc.photo_path(photo), mimetype=photo.content_type, max_age=3600, conditional=True)
    resp.headers["Cache-Control"] = "private, max-age=3600"
    return resp


@bp.post("/foto/<int:photo_id>/hapus")
@role_required(*MANAGE)
def delete_photo(photo_id: int):
    photo = db.session.get(Photo, photo_id)
    if photo is None:
        abort(404)
    meeting = load_meeting(photo.meeting_id, manage=True)
    if EmptyForm().validate_on_submit():
        import os

        path = svc.photo_path(photo)
        db.session.delete(photo)
        db.session.commit()
        if os.path.exists(path):
            os.remove(path)
    return htmx_redirect("meetings.photos", meeting_id=meeting.id)
