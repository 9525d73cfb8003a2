"""Rakor operations: planning, invitee ranking, invitations, RSVP, reminders, check-in, minutes,
decisions, actions, carry-over and photos.

Functions here only ``flush()``; the request (or CLI command, or job) commits once.
"""

from __future__ import annotations

import calendar
import datetime as dt
import secrets
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_request_context, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from portal.complaints.models import Complaint, Status
from portal.complaints.stats import period_filter, recap_per_opd
from portal.core.db import utcnow
from portal.core.markdown import ALLOWED_TAGS, markdown_html
from portal.core.timeutil import WIB, today_wib, wib_date
from portal.extensions import db
from portal.meetings.models import (
    OPEN_ACTION_STATUSES,
    ActionItem,
    ActionProgress,
    ActionStatus,
    AgendaItem,
    Attendance,
    CheckInMethod,
    Decision,
    Invitation,
    InvitationKind,
    Meeting,
    MeetingMode,
    MeetingStatus,
    Minutes,
    MinutesStatus,
    MinutesVersion,
    Photo,
    Rsvp,
    Speaker,
)
from portal.people.liaisons import current_liaisons_by_opd
from portal.people.models import OPD, User


def _(text: str, **values: Any) -> str:
    """gettext in requests; the Indonesian msgid in CLI commands, jobs without a request, demo data."""
    if has_request_context():
        return gettext(text, **values)
    return text % values if values else text


class MeetingError(ValueError):
    """A request the rules refuse; the message is for the user (Indonesian)."""


# --- planning ---------------------------------------------------------------------------------

#: the two rakor a year (docs/DOMAIN.md §9, §10): March reviews Semester II of the year before, August Semester I
TEMPLATES: dict[str, dict[str, Any]] = {
    "maret": {"month": 3, "semester": "II", "label": "Rakor Maret (Semester II tahun sebelumnya)"},
    "agustus": {"month": 8, "semester": "I", "label": "Rakor Agustus (Semester I)"},
}

DEFAULT_VENUE = "Aula Dinas Komunikasi, Informatika, Statistik dan Persandian, KP3B Serang"
DEFAULT_START = dt.time(9, 0)
DEFAULT_END = dt.time(13, 0)

#: (title, minutes, presenter, is_carry_over) — the usual rakor programme (docs/DOMAIN.md §10)
DEFAULT_AGENDA = [
    ("Registrasi peserta", 30, "Panitia", False),
    ("Pembukaan dan sambutan Kepala Dinas", 15, "Kepala Dinas", False),
    ("Paparan capaian pengelolaan SP4N-LAPOR! per Perangkat Daerah", 30, "Bidang PIKK", False),
    ("Tindak lanjut hasil rakor sebelumnya", 20, "Bidang PIKK", True),
    ("Materi: mekanisme penyelesaian pengaduan dan tata cara menjawab aduan", 60, "Narasumber", False),
    ("Diskusi dan tanya jawab", 40, "Seluruh peserta", False),
    ("Kesepakatan dan rencana tindak lanjut", 20, "Moderator", False),
    ("Penutup", 5, "Kepala Bidang PIKK", False),
]


def semester_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """The calendar semester holding ``day``: 1 January–30 June or 1 July–31 December."""
    if day.month <= 6:
        return dt.date(day.year, 1, 1), dt.date(day.year, 6, 30)
    return dt.date(day.year, 7, 1), dt.date(day.year, 12, 31)


def default_period(meeting_date: dt.date) -> tuple[dt.date, dt.date]:
    """The last whole calendar semester before the meeting.

    An August rakor reviews 1 January–30 June of its year, a March rakor 1 July–31 December of
    the year before (docs/DOMAIN.md §9); a meeting in a semester's first days reviews the one before.
    """
    start, _end = semester_of(meeting_date)
    return semester_of(start - dt.timedelta(days=1))


def previous_semester(start: dt.date) -> tuple[dt.date, dt.date]:
    """The calendar semester before the one that starts on (or holds) ``start``."""
    first, _end = semester_of(start)
    return semester_of(first - dt.timedelta(days=1))


def semester_label(start: dt.date, end: dt.date) -> str | None:
    """"Semester I 2025" / "Semester II 2024" for a whole calendar semester, else ``None``."""
    if (start, end) != semester_of(start):
        return None
    return f"Semester {'I' if start.month == 1 else 'II'} {start.year}"


def template_date(key: str, year: int) -> dt.date:
    """A sensible default day for a template: the second Tuesday of its month."""
    month = TEMPLATES[key]["month"]
    first = dt.date(year, month, 1)
    tuesdays = [d for d in range(1, calendar.monthrange(year, month)[1] + 1)
                if dt.date(year, month, d).weekday() == 1]
    return first.replace(day=tuesdays[1])


def next_template(today: dt.date | None = None) -> tuple[str, int, dt.date]:
    """The next March or August rakor on or after ``today``: (template key, year, default day)."""
    today = today or today_wib()
    for year in (today.year, today.year + 1):
        for key in ("maret", "agustus"):
            day = template_date(key, year)
            if day >= today:
                return key, year, day
    raise AssertionError("unreachable: next year's March is always ahead")


def next_template_date(key: str, today: dt.date | None = None) -> dt.date:
    """This template's next default day on or after ``today`` (this year's, else next year's)."""
    today = today or today_wib()
    day = template_date(key, today.year)
    return day if day >= today else template_date(key, today.year + 1)


def check_meeting_day(day: dt.date, record_past: bool, today: dt.date | None = None) -> None:
    """Planning refuses a day already gone, unless staff deliberately record a past meeting."""
    if day < (today or today_wib()) and not record_past:
        raise MeetingError(_("Tanggal rapat sudah lewat. Centang \"mencatat rapat yang sudah berlangsung\" "
                             "bila memang mencatat rapat lampau."))


def template_title(key: str, year: int) -> str:
    """The title names the semester reviewed: a March {year} rakor reviews Semester II {year − 1}."""
    start, end = default_period(template_date(key, year))
    return f"Rakor Pengelolaan SP4N-LAPOR! {semester_label(start, end)}"


def wib_datetime(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=WIB).astimezone(dt.UTC)


def previous_meeting(starts_at: dt.datetime, exclude_id: int | None = None) -> Meeting | None:
    q = sa.select(Meeting).where(Meeting.starts_at < starts_at).order_by(Meeting.starts_at.desc()).limit(1)
    if exclude_id:
        q = q.where(Meeting.id != exclude_id)
    return db.session.scalar(q)


def create_meeting(*, title: str, day: dt.date, start: dt.time = DEFAULT_START, end: dt.time = DEFAULT_END,
                   venue: str | None = None, mode: MeetingMode = MeetingMode.TATAP_MUKA,
                   online_url: str | None = None, period_start: dt.date | None = None,
                   period_end: dt.date | None = None, description: str | None = None,
                   clone_from: Meeting | None = None, user: User | None = None,
                   carry: bool = True) -> Meeting:
    """Plan a meeting: the default (or cloned) agenda, the reporting period, and carry-over."""
    title = (title or "").strip()
    if not title:
        raise MeetingError(_("Judul rapat wajib diisi."))
    if end <= start:
        raise MeetingError(_("Jam selesai harus sesudah jam mulai."))
    if (period_start is None) != (period_end is None):
        raise MeetingError(_("Isi awal dan akhir periode pelaporan, atau kosongkan keduanya."))
    if period_start is None:
        period_start, period_end = default_period(day)
    assert period_end is not None
    if period_end < period_start:
        raise MeetingError(_("Akhir periode pelaporan harus sesudah awalnya."))
    if mode != MeetingMode.TATAP_MUKA and not online_url and not clone_from:
        online_url = None  # the link can be added later; the letter says "menyusul"
    meeting = Meeting(title=title, starts_at=wib_datetime(day, start), ends_at=wib_datetime(day, end),
                      venue=venue or DEFAULT_VENUE, mode=mode, online_url=online_url, period_start=period_start,
                      period_end=period_end, description=description, status=MeetingStatus.DRAFT,
                      created_by=user, letter_date=today_wib())
    if clone_from is not None:
        meeting.venue = venue or clone_from.venue
        meeting.mode = mode if mode != MeetingMode.TATAP_MUKA else clone_from.mode
        meeting.online_url = online_url or clone_from.online_url
        meeting.description = description or clone_from.description
        meeting.reminder_days = clone_from.reminder_days
        for s in clone_from.speakers:
            meeting.speakers.append(Speaker(name=s.name, title=s.title, institution=s.institution,
                                            email=s.email, topic=s.topic, position=s.position))
        for a in clone_from.agenda_items:
            meeting.agenda_items.append(AgendaItem(title=a.title, duration_minutes=a.duration_minutes,
                                                   presenter=a.presenter, position=a.position,
                                                   is_carry_over=a.is_carry_over))
    else:
        for i, (t, minutes, presenter, carry_item) in enumerate(DEFAULT_AGENDA, start=1):
            meeting.agenda_items.append(AgendaItem(title=t, duration_minutes=minutes, presenter=presenter,
                                                   position=i, is_carry_over=carry_item))
    db.session.add(meeting)
    db.session.flush()
    meeting.previous = previous_meeting(meeting.starts_at, exclude_id=meeting.id)
    if meeting.letter_number is None:
        meeting.letter_number = f"005/{meeting.id:03d}-PIKK/{day.year}"
    db.session.flush()
    if carry:
        carry_over(meeting)
    return meeting


def update_schedule(meeting: Meeting, day: dt.date, start: dt.time, end: dt.time) -> None:
    if end <= start:
        raise MeetingError(_("Jam selesai harus sesudah jam mulai."))
    meeting.starts_at = wib_datetime(day, start)
    meeting.ends_at = wib_datetime(day, end)


def reschedule(meeting: Meeting, day: dt.date, start: dt.time, end: dt.time) -> int:
    """Move the meeting; invitees already sent an invitation get the updated one (same UID, next
    SEQUENCE). Returns how many e-mails were queued (0 when nothing moved)."""
    from portal.meetings import documents

    if end <= start:
        raise MeetingError(_("Jam selesai harus sesudah jam mulai."))
    if (wib_datetime(day, start), wib_datetime(day, end)) == (meeting.starts_at, meeting.ends_at):
        return 0
    if meeting.status in (MeetingStatus.CANCELLED, MeetingStatus.CLOSED):
        raise MeetingError(_("Rapat yang dibatalkan atau selesai tidak dapat dijadwalkan ulang."))
    update_schedule(meeting, day, start, end)
    sent = [i for i in meeting.invitations if i.sent_at is not None]
    if not sent:
        return 0
    meeting.ics_sequence += 1
    n = 0
    for inv in sent:
        if inv.email:
            documents.queue_update_email(inv)
            n += 1
    db.session.flush()
    return n


def cancel_meeting(meeting: Meeting, reason: str | None = None) -> int:
    """Call the meeting off; invitees already sent an invitation get a cancellation (METHOD:CANCEL).
    Returns how many e-mails were queued."""
    from portal.meetings import documents

    if meeting.status in (MeetingStatus.HELD, MeetingStatus.CLOSED):
        raise MeetingError(_("Rapat sudah berlangsung; tidak dapat dibatalkan."))
    if meeting.status == MeetingStatus.CANCELLED:
        raise MeetingError(_("Rapat sudah dibatalkan."))
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancel_reason = (reason or "").strip() or None
    meeting.cancelled_at = utcnow()
    meeting.ics_sequence += 1
    n = 0
    for inv in meeting.invitations:
        if inv.sent_at is not None and inv.email:
            documents.queue_cancellation_email(inv)
            n += 1
    db.session.flush()
    return n


def _move(items: list, item, direction: str) -> bool:
    """Swap ``item`` with its neighbour (``up`` / ``down``) and renumber 1…n; False at an end."""
    ordered = sorted(items, key=lambda x: (x.position, x.id))
    i = ordered.index(item)
    j = i - 1 if direction == "up" else i + 1
    if direction not in ("up", "down") or not 0 <= j < len(ordered):
        return False
    ordered[i], ordered[j] = ordered[j], ordered[i]
    for n, x in enumerate(ordered, start=1):
        x.position = n
    items.sort(key=lambda x: x.position)
    db.session.flush()
    return True


def move_agenda_item(item: AgendaItem, direction: str) -> bool:
    return _move(item.meeting.agenda_items, item, direction)


def move_speaker(speaker: Speaker, direction: str) -> bool:
    return _move(speaker.meeting.speakers, speaker, direction)


def add_speaker(meeting: Meeting, **values: Any) -> Speaker:
    pos = max((s.position for s in meeting.speakers), default=0) + 1
    speaker = Speaker(position=pos, **values)
    meeting.speakers.append(speaker)
    db.session.flush()
    return speaker


def add_agenda_item(meeting: Meeting, title: str, duration_minutes: int, presenter: str | None) -> AgendaItem:
    pos = max((a.position for a in meeting.agenda_items), default=0) + 1
    item = AgendaItem(title=title, duration_minutes=duration_minutes, presenter=presenter, position=pos)
    meeting.agenda_items.append(item)
    db.session.flush()
    return item


def agenda_schedule(meeting: Meeting) -> list[tuple[AgendaItem, dt.datetime, dt.datetime]]:
    """Each agenda item with its start and end (WIB), one after another from the meeting's start."""
    out = []
    t = meeting.starts_at.astimezone(WIB)
    for item in meeting.agenda_items:
        nxt = t + dt.timedelta(minutes=item.duration_minutes)
        out.append((item, t, nxt))
        t = nxt
    return out


# --- carry-over -------------------------------------------------------------------------------

def carry_over(meeting: Meeting, source: Meeting | None = None) -> list[ActionItem]:
    """Copy the open actions of the previous meeting to ``meeting`` (idempotent).

    The earlier item keeps its state and history and is marked ``carried_over_at``; the copy points
    back to it with ``carried_from_id`` and appears on the agenda's carry-over item.
    """
    source = source or meeting.previous
    if source is None or source.id == meeting.id:
        return []
    already = {a.carried_from_id for a in meeting.action_items if a.carried_from_id}
    made = []
    now = utcnow()
    for action in source.action_items:
        if action.status not in OPEN_ACTION_STATUSES or action.id in already:
            continue
        copy = ActionItem(title=action.title, description=action.description, owner_opd_id=action.owner_opd_id,
                          due_date=action.due_date, status=action.status, carried_from=action)
        meeting.action_items.append(copy)
        action.carried_over_at = now
        made.append(copy)
    if made and not any(a.is_carry_over for a in meeting.agenda_items):
        item = add_agenda_item(meeting, "Tindak lanjut hasil rakor sebelumnya", 20, "Bidang PIKK")
        item.is_carry_over = True
    db.session.flush()
    return made


# --- invitee ranking --------------------------------------------------------------------------

@dataclass
class Candidate:
    """An OPD suggested for invitation, with the figures that put it there."""

    opd: OPD
    total: int
    persen_tl: float
    overdue: int
    score: float = 0.0
    suggested: bool = False
    reasons: list[str] = field(default_factory=list)
    liaisons: list[User] = field(default_factory=list)
    invited: bool = False


def overdue_per_opd(start: dt.date, end: dt.date, today: dt.date | None = None) -> dict[int, int]:
    """Complaints of the period still open at their OPD past their due date, per OPD."""
    today = today or today_wib()
    q = (sa.select(Complaint.opd_id, sa.func.count())
         .where(*period_filter(start, end), Complaint.opd_id.is_not(None),
                Complaint.status.in_([Status.BELUM_DITINDAKLANJUTI, Status.PROSES]),
                Complaint.due_date < today)
         .group_by(Complaint.opd_id))
    return {int(opd_id): int(n) for opd_id, n in db.session.execute(q).tuples()}


def rank_invitees(meeting: Meeting, limit: int = 10, today: dt.date | None = None) -> list[Candidate]:
    """OPDs ranked by complaint volume in the reporting period and by weak figures.

    Score = 0.5 × volume share of the busiest OPD + 0.25 × (100 − %TL)/100 + 0.25 × overdue share
    of the worst OPD. OPDs with complaints are suggested up to ``limit``, plus any with overdue ones.
    """
    recap = recap_per_opd(meeting.period_start, meeting.period_end)
    opds = {o.code: o for o in db.session.scalars(sa.select(OPD).where(OPD.active.is_(True)))}
    overdue = overdue_per_opd(meeting.period_start, meeting.period_end, today)
    rows = [r for r in recap if r["code"] in opds]
    max_total = max((r["total"] for r in rows), default=0) or 1
    max_overdue = max(overdue.values(), default=0) or 1
    cands = []
    for r in rows:
        opd = opds[r["code"]]
        c = Candidate(opd=opd, total=r["total"], persen_tl=r["persen_tl"], overdue=overdue.get(opd.id, 0))
        weak_tl = (100.0 - c.persen_tl) / 100.0 if c.total else 0.0
        c.score = round(0.5 * c.total / max_total + 0.25 * weak_tl + 0.25 * c.overdue / max_overdue, 4)
        cands.append(c)
    cands.sort(key=lambda c: (-c.score, -c.total, c.opd.name))
    liaisons = current_liaisons_by_opd([c.opd.id for c in cands], today)
    invited = {i.opd_id for i in meeting.invitations if i.opd_id}
    for rank, c in enumerate(cands, start=1):
        c.liaisons = liaisons.get(c.opd.id, [])
        c.invited = c.opd.id in invited
        if c.total and rank <= limit:
            c.reasons.append(_("volume tinggi") if c.total >= max_total / 2 else _("menerima aduan"))
        if c.total and c.persen_tl < 80:
            c.reasons.append(_("%TL rendah"))
        if c.overdue:
            c.reasons.append(_("ada aduan lewat batas waktu"))
        c.suggested = bool(c.total and rank <= limit) or c.overdue > 0
    return cands


# --- invitations ------------------------------------------------------------------------------

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L


def new_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
        if not db.session.scalar(sa.select(Invitation.id).where(Invitation.code == code)):
            return code


def normalise_code(text: str) -> str:
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


def format_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def invite(meeting: Meeting, opd_ids: list[int], include_speakers: bool = True) -> list[Invitation]:
    """Create invitations for the OPDs' current liaisons (or the OPD's address) and the speakers.

    Already invited people are skipped, so sending again adds only the new ones.
    """
    have_users = {i.user_id for i in meeting.invitations if i.user_id}
    have_opd_generic = {i.opd_id for i in meeting.invitations if i.opd_id and not i.user_id}
    have_speakers = {i.speaker_id for i in meeting.invitations if i.speaker_id}
    opds = db.session.scalars(sa.select(OPD).where(OPD.id.in_(opd_ids)).order_by(OPD.name)).all()
    liaisons = current_liaisons_by_opd([o.id for o in opds])
    made: list[Invitation] = []
    for opd in opds:
        users = liaisons.get(opd.id, [])
        if users:
            for u in users:
                if u.id in have_users:
                    continue
                made.append(Invitation(kind=InvitationKind.PARTICIPANT, opd=opd, user=u, name=u.name or u.email,
                                       position=u.position or _("Pejabat Penghubung SP4N-LAPOR!"),
                                       email=u.email, code=new_code()))
        elif opd.id not in have_opd_generic:
            made.append(Invitation(kind=InvitationKind.PARTICIPANT, opd=opd,
                                   name=_("Admin SP4N-LAPOR! %(opd)s", opd=opd.name),
                                   position=_("Pejabat Penghubung SP4N-LAPOR!"), email=opd.email, code=new_code()))
    if include_speakers:
        for s in meeting.speakers:
            if s.id in have_speakers:
                continue
            made.append(Invitation(kind=InvitationKind.SPEAKER, speaker=s, name=s.name,
                                   position=", ".join(x for x in (s.title, s.institution) if x) or None,
                                   email=s.email, code=new_code()))
    for inv in made:
        meeting.invitations.append(inv)
    if made and meeting.status == MeetingStatus.DRAFT:
        meeting.status = MeetingStatus.INVITED
    db.session.flush()
    return made


def serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="portal.meetings.rsvp")


def rsvp_token(inv: Invitation) -> str:
    return serializer().dumps({"i": inv.id, "m": inv.meeting_id})


#: a token is never honoured longer than this, whatever the meeting's date
TOKEN_MAX_AGE = 400 * 86400


def invitation_from_token(invitation_id: int, token: str, today: dt.date | None = None) -> Invitation:
    """The invitation a signed RSVP link is for; :class:`MeetingError` when tampered, for another
    invitation, or expired (after the meeting's day)."""
    try:
        data = serializer().loads(token, max_age=TOKEN_MAX_AGE)
    except SignatureExpired as exc:
        raise MeetingError(_("Tautan konfirmasi sudah kedaluwarsa.")) from exc
    except BadSignature as exc:
        raise MeetingError(_("Tautan konfirmasi tidak sah. Gunakan tautan dari e-mail undangan Anda.")) from exc
    if not isinstance(data, dict) or data.get("i") != invitation_id:
        raise MeetingError(_("Tautan konfirmasi ini bukan untuk undangan ini."))
    inv = db.session.get(Invitation, invitation_id)
    if inv is None or inv.meeting_id != data.get("m"):
        raise MeetingError(_("Undangan tidak ditemukan."))
    if (today or today_wib()) > wib_date(inv.meeting.ends_at):
        raise MeetingError(_("Tautan konfirmasi sudah kedaluwarsa: rapat telah berlangsung."))
    return inv


def answer_rsvp(inv: Invitation, answer: Rsvp, representative_name: str | None = None,
                representative_position: str | None = None, note: str | None = None) -> None:
    if answer == Rsvp.BELUM:
        raise MeetingError(_("Pilih jawaban."))
    if answer == Rsvp.DIWAKILKAN:
        if not (representative_name or "").strip() or not (representative_position or "").strip():
            raise MeetingError(_("Isi nama dan jabatan perwakilan."))
        inv.representative_name = representative_name.strip()
        inv.representative_position = representative_position.strip()
    else:
        inv.representative_name = inv.representative_position = None
    inv.rsvp = answer
    inv.rsvp_note = (note or "").strip() or None
    inv.rsvp_at = utcnow()
    db.session.flush()


def public_url(endpoint: str, **values: Any) -> str:
    """An absolute URL on the configured public base (usable in e-mails, PDFs and jobs)."""
    from portal.core.urls import public_base_url

    return public_base_url() + url_for(endpoint, **values)


def rsvp_url(inv: Invitation) -> str:
    return public_url("meetings.rsvp", invitation_id=inv.id, token=rsvp_token(inv))


def checkin_url(inv: Invitation) -> str:
    return public_url("meetings.checkin_code", meeting_id=inv.meeting_id, code=inv.code)


def send_invitation_emails(job_id: str | None, meeting_id: int, invitation_ids: list[int]) -> dict[str, int]:
    """Job: render each invitee's letter and ICS and queue the e-mail (outbox)."""
    from portal.core import jobs
    from portal.core.urls import offline_request_context
    from portal.meetings import documents

    with offline_request_context():
        meeting = db.session.get(Meeting, meeting_id)
        queued = 0
        invs = [i for i in meeting.invitations if i.id in set(invitation_ids)]
        for n, inv in enumerate(invs, start=1):
            if inv.sent_at is not None:  # a re-run after a crash skips what went out
                continue
            if inv.email:
                documents.queue_invitation_email(inv)
                queued += 1
            inv.sent_at = utcnow()
            # each e-mail commits with its invitation's sent_at; progress then writes on its own
            # connection, which SQLite would refuse while this session held the write lock
            db.session.commit()
            jobs.progress(job_id, n, len(invs))
    return {"queued": queued, "invitations": len(invs)}


def reminder_targets(meeting: Meeting, only_unanswered: bool) -> list[Invitation]:
    out = []
    for inv in meeting.invitations:
        if not inv.email or inv.rsvp == Rsvp.TIDAK_HADIR:
            continue
        if only_unanswered and inv.rsvp != Rsvp.BELUM:
            continue
        out.append(inv)
    return out


def send_reminders(meeting: Meeting, only_unanswered: bool = False) -> int:
    """Queue reminder e-mails (outbox); returns how many."""
    from portal.meetings import documents

    if meeting.status not in (MeetingStatus.INVITED, MeetingStatus.DRAFT):
        raise MeetingError(_("Pengingat hanya untuk rapat yang belum berlangsung."))
    targets = reminder_targets(meeting, only_unanswered)
    for inv in targets:
        documents.queue_reminder_email(inv)
        inv.reminded_at = utcnow()
    db.session.flush()
    return len(targets)


def due_for_reminder(today: dt.date | None = None) -> list[Meeting]:
    """Meetings whose reminder day has come (``reminder_days`` before) and that have not happened."""
    today = today or today_wib()
    meetings = db.session.scalars(sa.select(Meeting).where(Meeting.status == MeetingStatus.INVITED)).all()
    return [m for m in meetings
            if m.date_wib - dt.timedelta(days=m.reminder_days) <= today <= m.date_wib]


# --- attendance -------------------------------------------------------------------------------

def check_in(inv: Invitation, method: CheckInMethod, user: User | None = None) -> Attendance:
    """Record the invitee (or their representative, when they said so) as present."""
    if inv.attendance is not None:
        raise MeetingError(_("%(name)s sudah tercatat hadir.", name=inv.attendance.name))
    rep = inv.rsvp == Rsvp.DIWAKILKAN and inv.representative_name
    att = Attendance(meeting=inv.meeting, invitation=inv, opd_id=inv.opd_id,
                     name=inv.representative_name if rep else inv.name,
                     position=inv.representative_position if rep else inv.position,
                     is_representative=bool(rep), method=method, recorded_by_id=user.id if user else None)
    db.session.add(att)
    db.session.flush()
    return att


def check_in_by_code(meeting: Meeting, code: str, method: CheckInMethod = CheckInMethod.CODE,
                     user: User | None = None) -> Attendance:
    code = normalise_code(code)
    inv = db.session.scalar(sa.select(Invitation).where(Invitation.code == code)) if code else None
    if inv is None or inv.meeting_id != meeting.id:
        raise MeetingError(_("Kode registrasi tidak dikenal untuk rapat ini."))
    return check_in(inv, method, user)


def add_walk_in(meeting: Meeting, name: str, position: str | None, opd: OPD | None, is_representative: bool,
                user: User | None = None) -> Attendance:
    if not (name or "").strip():
        raise MeetingError(_("Nama wajib diisi."))
    att = Attendance(meeting=meeting, opd=opd, name=name.strip(), position=(position or "").strip() or None,
                     is_representative=is_representative, method=CheckInMethod.WALK_IN,
                     recorded_by_id=user.id if user else None)
    db.session.add(att)
    db.session.flush()
    return att


def attendance_per_opd(meeting: Meeting) -> list[dict[str, Any]]:
    """Per invited (or present) OPD: ``hadir`` / ``diwakilkan`` / ``tidak_hadir`` and who came.

    Feeds the rakor report (docs/DOMAIN.md §10).
    """
    opds: dict[int, OPD] = {}
    for inv in meeting.invitations:
        if inv.opd_id:
            opds[inv.opd_id] = inv.opd
    for att in meeting.attendances:
        if att.opd_id:
            opds[att.opd_id] = att.opd
    out = []
    for opd in sorted(opds.values(), key=lambda o: o.name):
        present = [a for a in meeting.attendances if a.opd_id == opd.id]
        if any(not a.is_representative for a in present):
            state = "hadir"
        elif present:
            state = "diwakilkan"
        else:
            state = "tidak_hadir"
        rsvps = [i.rsvp for i in meeting.invitations if i.opd_id == opd.id]
        out.append({"opd": opd, "status": state, "attendees": present, "rsvp": rsvps})
    return out


ATTENDANCE_LABELS = {"hadir": _l("Hadir"), "diwakilkan": _l("Diwakilkan"), "tidak_hadir": _l("Tidak hadir")}


def sign_in_rows(meeting: Meeting, blank: int = 5) -> list[dict[str, Any]]:
    """Rows of the printed sign-in sheet: expected participants, then blank lines."""
    rows = []
    for inv in meeting.invitations:
        if inv.rsvp == Rsvp.TIDAK_HADIR:
            continue
        rep = inv.rsvp == Rsvp.DIWAKILKAN and inv.representative_name
        rows.append({
            "name": inv.representative_name if rep else inv.name,
            "org": inv.opd.name if inv.opd else (inv.speaker.institution if inv.speaker else ""),
            "position": inv.representative_position if rep else (inv.position or ""),
        })
    rows += [{"name": "", "org": "", "position": ""} for _ in range(blank)]
    return rows


def mark_held(meeting: Meeting) -> None:
    if meeting.status in (MeetingStatus.DRAFT, MeetingStatus.INVITED):
        meeting.status = MeetingStatus.HELD


# --- minutes ----------------------------------------------------------------------------------

MINUTES_TAGS = ALLOWED_TAGS | {"u", "h2"}
MINUTES_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


def render_markdown(text: str) -> str:
    """Minutes: Markdown → HTML sanitised by :func:`portal.core.markdown.markdown_html`."""
    return str(markdown_html(text, tags=MINUTES_TAGS, attributes=MINUTES_ATTRIBUTES,
                             link_rel="noopener noreferrer nofollow"))


def minutes_skeleton(meeting: Meeting) -> str:
    """A draft structured by agenda item."""
    parts = []
    for n, item in enumerate(meeting.agenda_items, start=1):
        parts.append(f"## {n}. {item.title}\n\n")
    return "\n".join(parts)


def save_minutes(meeting: Meeting, body_md: str, user: User | None) -> Minutes:
    """Save a new draft version (nothing is stored when the text did not change)."""
    minutes = meeting.minutes
    if minutes is None:
        minutes = Minutes(meeting=meeting, status=MinutesStatus.DRAFT, body_md="", body_html="", version=0)
        db.session.add(minutes)
    if minutes.status == MinutesStatus.FINAL:
        raise MeetingError(_("Notulen sudah final dan tidak dapat diubah."))
    body_md = (body_md or "").replace("\r\n", "\n")
    if minutes.version and body_md == minutes.body_md:
        return minutes
    minutes.version += 1
    minutes.body_md = body_md
    minutes.body_html = render_markdown(body_md)
    minutes.updated_at = utcnow()
    minutes.updated_by_id = user.id if user else None
    minutes.versions.append(MinutesVersion(number=minutes.version, status=MinutesStatus.DRAFT, body_md=body_md,
                                           created_by_id=user.id if user else None))
    mark_held(meeting)
    db.session.flush()
    return minutes


def finalize_minutes(meeting: Meeting, user: User | None) -> Minutes:
    minutes = meeting.minutes
    if minutes is None or not minutes.body_md.strip():
        raise MeetingError(_("Tulis notulen terlebih dahulu."))
    if minutes.status == MinutesStatus.FINAL:
        raise MeetingError(_("Notulen sudah final."))
    minutes.status = MinutesStatus.FINAL
    minutes.version += 1
    minutes.finalized_at = utcnow()
    minutes.finalized_by_id = user.id if user else None
    minutes.versions.append(MinutesVersion(number=minutes.version, status=MinutesStatus.FINAL,
                                           body_md=minutes.body_md, created_by_id=user.id if user else None))
    mark_held(meeting)
    meeting.status = MeetingStatus.CLOSED
    db.session.flush()
    return minutes


def add_decision(meeting: Meeting, text: str, agenda_item: AgendaItem | None = None) -> Decision:
    if not (text or "").strip():
        raise MeetingError(_("Isi keputusan wajib diisi."))
    pos = max((d.position for d in meeting.decisions), default=0) + 1
    d = Decision(text=text.strip(), agenda_item=agenda_item, position=pos)
    meeting.decisions.append(d)
    db.session.flush()
    return d


# --- actions ----------------------------------------------------------------------------------

def check_due_date(meeting: Meeting, due: dt.date | None, today: dt.date | None = None) -> None:
    """An agreed action is due after the meeting that agreed it, and not in the past."""
    if due is None:
        return
    floor = max(meeting.date_wib, today or today_wib())
    if due < floor:
        raise MeetingError(_("Batas waktu tidak boleh sebelum %(d)s (tanggal rapat atau hari ini).",
                             d=floor.strftime("%d/%m/%Y")))


def add_action(meeting: Meeting, title: str, owner: OPD, due_date: dt.date | None = None,
               description: str | None = None, decision: Decision | None = None) -> ActionItem:
    if not (title or "").strip():
        raise MeetingError(_("Uraian tindak lanjut wajib diisi."))
    a = ActionItem(title=title.strip(), owner_opd=owner, due_date=due_date,
                   description=(description or "").strip() or None, decision=decision, status=ActionStatus.OPEN)
    meeting.action_items.append(a)
    db.session.flush()
    return a


def update_action(action: ActionItem, user: User | None, note: str | None,
                  status: ActionStatus | None) -> ActionProgress:
    """A progress note, optionally with a new status; history is kept."""
    note = (note or "").strip()
    if not note and (status is None or status == action.status):
        raise MeetingError(_("Tulis catatan kemajuan atau ubah statusnya."))
    if action.carried_over_at is not None:
        raise MeetingError(_("Tindak lanjut ini sudah dibawa ke rakor berikutnya; perbarui di sana."))
    entry = ActionProgress(action=action, user_id=user.id if user else None, note=note,
                           from_status=action.status if status and status != action.status else None,
                           to_status=status if status and status != action.status else None)
    if status and status != action.status:
        action.status = status
        action.closed_at = None if status.is_open else utcnow()
    action.updated_at = utcnow()
    db.session.add(entry)
    db.session.flush()
    return entry


# --- photos -----------------------------------------------------------------------------------

MAX_PHOTO_SIDE = 2560


def photo_dir() -> str:
    import os

    path = os.path.join(current_app.config["UPLOAD_DIR"], "meetings")
    os.makedirs(path, exist_ok=True)
    return path


def store_photo(meeting: Meeting, stream, caption: str | None, user: User | None) -> Photo:
    """A JPEG cleaned by :func:`portal.core.uploads.clean_image` (no EXIF/GPS, no trailing data), under a
    random name."""
    import os

    from portal.core.uploads import UploadError, clean_image, detect_image_type

    data = stream.read(25 * 1024 * 1024 + 1)
    if len(data) > 25 * 1024 * 1024:
        raise MeetingError(_("Foto terlalu besar (maksimal 25 MB)."))
    if detect_image_type(data) is None:
        raise MeetingError(_("Berkas bukan foto yang dapat dibaca."))
    try:
        image = clean_image(data, to="image/jpeg", max_side=MAX_PHOTO_SIDE, quality=85)
    except UploadError as exc:
        raise MeetingError(_("Berkas bukan foto yang dapat dibaca.")) from exc
    width, height = image.width, image.height
    name = secrets.token_hex(16) + ".jpg"
    blob = image.data
    with open(os.path.join(photo_dir(), name), "wb") as fh:
        fh.write(blob)
    photo = Photo(stored_name=name, caption=(caption or "").strip() or None, content_type="image/jpeg",
                  width=width, height=height, size=len(blob), uploaded_by_id=user.id if user else None)
    meeting.photos.append(photo)
    db.session.flush()
    return photo


def photo_path(photo: Photo) -> str:
    import os

    return os.path.join(photo_dir(), photo.stored_name)


# --- access -----------------------------------------------------------------------------------

def can_manage(user: User) -> bool:
    return user.is_authenticated and user.role == "kominfo"


def visible_meetings_query(user: User) -> sa.Select:
    """Meetings the user may see: all for province-wide roles, invited ones for OPD users."""
    q = sa.select(Meeting).order_by(Meeting.starts_at.desc())
    scope = user.opd_scope()
    if scope is not None:
        q = q.where(Meeting.id.in_(
            sa.select(Invitation.meeting_id).where(Invitation.opd_id.in_(scope or [-1]))
        ) | Meeting.id.in_(
            sa.select(ActionItem.meeting_id).where(ActionItem.owner_opd_id.in_(scope or [-1]))
        ))
    return q


def sees_whole_meeting(user: User) -> bool:
    """Province-wide roles see every invitee, attendee and action of a meeting; an OPD user only what
    concerns their own OPD (their invitation and personal letter, their actions, the final minutes)."""
    return user.opd_scope() is None


def visible_actions(user: User, items) -> list[ActionItem]:
    """The action items of ``items`` the user may see: all, or their own OPD's."""
    scope = user.opd_scope()
    return [a for a in items if scope is None or a.owner_opd_id in scope]


def may_see(user: User, meeting: Meeting) -> bool:
    scope = user.opd_scope()
    if scope is None:
        return True
    return any(i.opd_id in scope for i in meeting.invitations) or any(
        a.owner_opd_id in scope for a in meeting.action_items)
