"""The RSVP page an invitee reaches from the e-mail: no sign-in, a signed token in the link.

A tampered token, one for another invitation, or one used after the meeting day shows a clear error
page and changes nothing.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _

from portal.core.render import render
from portal.extensions import db, limiter
from portal.meetings import bp, documents
from portal.meetings import services as svc
from portal.meetings.forms import RsvpForm
from portal.meetings.models import MeetingStatus, Rsvp


def _limit() -> str:
    return current_app.config.get("RATELIMIT_PUBLIC", "120/minute")


@bp.route("/konfirmasi/<int:invitation_id>/<token>", methods=["GET", "POST"])
@limiter.limit(_limit)
def rsvp(invitation_id: int, token: str):
    try:
        inv = svc.invitation_from_token(invitation_id, token)
    except svc.MeetingError as exc:
        return render("meetings/rsvp_error.html", message=str(exc), status=400)
    if inv.meeting.status == MeetingStatus.CANCELLED:
        return render("meetings/rsvp_error.html", message=_("Rapat ini dibatalkan; konfirmasi tidak diperlukan."),
                      status=410)
    form = RsvpForm()
    if not form.is_submitted() and inv.rsvp != Rsvp.BELUM:
        form.answer.data = inv.rsvp.value
        form.representative_name.data = inv.representative_name
        form.representative_position.data = inv.representative_position
        form.note.data = inv.rsvp_note
    saved = False
    status = 200
    if form.validate_on_submit():
        svc.answer_rsvp(inv, Rsvp(form.answer.data), form.representative_name.data,
                        form.representative_position.data, form.note.data)
        db.session.commit()
        saved = True
    elif form.is_submitted():
        status = 422
    meeting = inv.meeting
    return render("meetings/rsvp.html", partial="meetings/_rsvp_form.html", status=status, inv=inv,
                  meeting=meeting, form=form, saved=saved, token=token, Rsvp=Rsvp,
                  hari_tanggal=documents.hari_tanggal(meeting.starts_at), code=svc.format_code(inv.code),
                  qr=documents.qr_data_uri(svc.checkin_url(inv)), schedule=svc.agenda_schedule(meeting),
                  title=_("Konfirmasi kehadiran"))
