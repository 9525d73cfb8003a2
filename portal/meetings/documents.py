"""Documents of a rakor: the invitation letter and sign-in sheet (PDF), the ICS invitation, QR codes
and the e-mails that carry them (through the outbox)."""

from __future__ import annotations

import datetime as dt

from flask import current_app, render_template

from portal.core.i18n import hari_tanggal, official, tanggal
from portal.core.mail import queue_email
from portal.core.pdf import render_pdf
from portal.core.settings import site
from portal.core.timeutil import WIB
from portal.meetings import services as svc
from portal.meetings.models import Invitation, InvitationKind, Meeting
from portal.meetings.services import _


def qr_data_uri(text: str, scale: int = 4) -> str:
    """A QR code as an SVG data URI (allowed by the CSP's ``img-src data:``, and by the PDF fetcher)."""
    import segno

    return segno.make(text, error="m").svg_data_uri(scale=scale, border=2)


def _render_pdf(template: str, **ctx) -> bytes:
    return render_pdf(template, **ctx)


def _letter_context(meeting: Meeting, personal: Invitation | None) -> dict:
    participants = [i for i in meeting.invitations if i.kind == InvitationKind.PARTICIPANT]
    speakers = [i for i in meeting.invitations if i.kind == InvitationKind.SPEAKER]
    ctx = {"meeting": meeting, "personal": personal, "participants": participants, "speakers": speakers,
           "schedule": svc.agenda_schedule(meeting), "hari_tanggal": hari_tanggal(meeting.starts_at),
           "carried": [a for a in meeting.action_items if a.carried_from_id], "site": site(),
           "head_name": current_app.config.get("HEAD_OF_OFFICE_NAME"), "format_code": svc.format_code}
    if personal is not None:
        ctx["qr"] = qr_data_uri(svc.checkin_url(personal))
        ctx["rsvp_url"] = svc.rsvp_url(personal)
    return ctx


@official
def invitation_pdf(meeting: Meeting, personal: Invitation | None = None) -> bytes:
    """The surat undangan: for one invitee (with their registration code and QR), or general with the
    list of addressees attached."""
    return _render_pdf("pdf/invitation.html", **_letter_context(meeting, personal))


@official
def attendance_pdf(meeting: Meeting) -> bytes:
    """The printable sign-in sheet (daftar hadir) with a signature column."""
    return _render_pdf("pdf/attendance.html", meeting=meeting, rows=svc.sign_in_rows(meeting), site=site(),
                      hari_tanggal=hari_tanggal(meeting.starts_at))


@official
def invitation_ics(inv: Invitation, method: str = "REQUEST") -> bytes:
    """An iCalendar REQUEST (or CANCEL) for one invitee; the UID is stable per invitation and the
    SEQUENCE follows the meeting's, so a reschedule or cancellation replaces the event held."""
    from icalendar import Calendar, Event, vCalAddress, vText

    meeting = inv.meeting
    cfg = current_app.config
    sender = cfg["MAIL_DEFAULT_SENDER"]
    domain = sender.split("@")[-1]
    cal = Calendar()
    cal.add("prodid", "-//SP4N-LAPOR! Portal//Rakor//ID")
    cal.add("version", "2.0")
    cal.add("method", method)
    ev = Event()
    ev.add("uid", f"rakor-{meeting.id}-undangan-{inv.id}@{domain}")
    ev.add("dtstamp", dt.datetime.now(dt.UTC))
    ev.add("dtstart", meeting.starts_at.astimezone(WIB))
    ev.add("dtend", meeting.ends_at.astimezone(WIB))
    ev.add("summary", meeting.title)
    location = meeting.venue or ""
    if meeting.online_url:
        location = f"{location} / {meeting.online_url}" if location else meeting.online_url
        ev.add("url", meeting.online_url)
    ev.add("location", location)
    ev.add("description", "\n".join([
        meeting.title,
        _("Periode pelaporan: %(a)s s.d. %(b)s", a=tanggal(meeting.period_start), b=tanggal(meeting.period_end)),
        _("Kode registrasi: %(code)s", code=svc.format_code(inv.code)),
        _("Konfirmasi kehadiran: %(url)s", url=svc.rsvp_url(inv)),
    ]))
    ev.add("sequence", meeting.ics_sequence)
    ev.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    organizer = vCalAddress(f"mailto:{sender}")
    organizer.params["cn"] = vText(site()["name"])
    ev["organizer"] = organizer
    if inv.email:
        attendee = vCalAddress(f"mailto:{inv.email}")
        attendee.params["cn"] = vText(inv.name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText("NEEDS-ACTION")
        attendee.params["rsvp"] = vText("TRUE")
        ev.add("attendee", attendee, encode=0)
    cal.add_component(ev)
    cal.add_missing_timezones()
    return cal.to_ical()


@official
def queue_invitation_email(inv: Invitation) -> None:
    meeting = inv.meeting
    ctx = {"inv": inv, "meeting": meeting, "rsvp_url": svc.rsvp_url(inv), "code": svc.format_code(inv.code),
           "hari_tanggal": hari_tanggal(meeting.starts_at), "site": site()}
    queue_email(
        inv.email, _("Undangan: %(title)s", title=meeting.title),
        render_template("meetings/email/invitation.txt", **ctx), kind="invitation",
        attachments=[("undangan.pdf", "application/pdf", invitation_pdf(meeting, inv)),
                     ("rakor.ics", "text/calendar; method=REQUEST", invitation_ics(inv))],
    )


@official
def queue_reminder_email(inv: Invitation) -> None:
    meeting = inv.meeting
    ctx = {"inv": inv, "meeting": meeting, "rsvp_url": svc.rsvp_url(inv), "code": svc.format_code(inv.code),
           "hari_tanggal": hari_tanggal(meeting.starts_at), "site": site()}
    queue_email(inv.email, _("Pengingat: %(title)s", title=meeting.title),
                render_template("meetings/email/reminder.txt", **ctx), kind="reminder",
                attachments=[("rakor.ics", "text/calendar; method=REQUEST", invitation_ics(inv))])


def _notice_context(inv: Invitation) -> dict:
    meeting = inv.meeting
    return {"inv": inv, "meeting": meeting, "rsvp_url": svc.rsvp_url(inv), "code": svc.format_code(inv.code),
            "hari_tanggal": hari_tanggal(meeting.starts_at), "site": site()}


@official
def queue_update_email(inv: Invitation) -> None:
    """The new date and time, with the updated calendar entry (same UID, next SEQUENCE)."""
    meeting = inv.meeting
    queue_email(inv.email, _("Perubahan jadwal: %(title)s", title=meeting.title),
                render_template("meetings/email/rescheduled.txt", **_notice_context(inv)), kind="reschedule",
                attachments=[("rakor.ics", "text/calendar; method=REQUEST", invitation_ics(inv))])


@official
def queue_cancellation_email(inv: Invitation) -> None:
    """The cancellation, with an iCalendar CANCEL that removes the event from the invitee's calendar."""
    meeting = inv.meeting
    queue_email(inv.email, _("Dibatalkan: %(title)s", title=meeting.title),
                render_template("meetings/email/cancelled.txt", **_notice_context(inv)), kind="cancellation",
                attachments=[("rakor.ics", "text/calendar; method=CANCEL", invitation_ics(inv, "CANCEL"))])
