"""Rakor (rapat koordinasi) models: meetings, speakers, agenda, invitations, attendance, minutes,
decisions, action items (rencana tindak lanjut) and documentation photos (docs/DOMAIN.md §10).

The compiled report (``portal.meetings.report``) reads these; keep the names stable.
"""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import orm

from portal.core.db import UTCDateTime, str_enum, utcnow
from portal.extensions import db
from portal.people.models import OPD, User


class MeetingMode(enum.StrEnum):
    """How the meeting is held."""

    TATAP_MUKA = "tatap_muka"
    DARING = "daring"
    HYBRID = "hybrid"

    @property
    def label(self) -> LazyString:
        return {"tatap_muka": _l("Tatap muka"), "daring": _l("Daring"), "hybrid": _l("Hybrid")}[self.value]


class MeetingStatus(enum.StrEnum):
    """Where the meeting is in its life."""

    DRAFT = "draft"  #: being planned, no invitations sent
    INVITED = "invited"  #: invitations sent
    HELD = "held"  #: took place; minutes being written
    CLOSED = "closed"  #: minutes final
    CANCELLED = "cancelled"  #: called off; invitees received a cancellation (METHOD:CANCEL)

    @property
    def label(self) -> LazyString:
        return {"draft": _l("Rencana"), "invited": _l("Undangan terkirim"), "held": _l("Terlaksana"),
                "closed": _l("Selesai"), "cancelled": _l("Dibatalkan")}[self.value]


class InvitationKind(enum.StrEnum):
    PARTICIPANT = "participant"  #: an OPD's liaison officer (peserta)
    SPEAKER = "speaker"  #: narasumber


class Rsvp(enum.StrEnum):
    """The invitee's answer."""

    BELUM = "belum"  #: not answered yet
    HADIR = "hadir"
    TIDAK_HADIR = "tidak_hadir"
    DIWAKILKAN = "diwakilkan"  #: someone else comes in their place

    @property
    def label(self) -> LazyString:
        return {"belum": _l("Belum menjawab"), "hadir": _l("Hadir"), "tidak_hadir": _l("Tidak hadir"),
                "diwakilkan": _l("Diwakilkan")}[self.value]


class CheckInMethod(enum.StrEnum):
    CODE = "code"  #: registration code typed at the door
    QR = "qr"  #: QR code on the invitation scanned
    STAFF = "staff"  #: ticked by staff on the list
    WALK_IN = "walk_in"  #: not invited, added at the door


class MinutesStatus(enum.StrEnum):
    DRAFT = "draft"
    FINAL = "final"

    @property
    def label(self) -> LazyString:
        return {"draft": _l("Draf"), "final": _l("Final")}[self.value]


class ActionStatus(enum.StrEnum):
    """Status of an agreed action (rencana tindak lanjut)."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"

    @property
    def label(self) -> LazyString:
        return {"open": _l("Belum dikerjakan"), "in_progress": _l("Sedang dikerjakan"), "done": _l("Selesai"),
                "dropped": _l("Dibatalkan")}[self.value]

    @property
    def is_open(self) -> bool:
        return self in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


OPEN_ACTION_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


class Meeting(db.Model):
    """A coordination meeting (rakor) of the SP4N-LAPOR! admins."""

    __tablename__ = "meeting"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    #: e.g. "Rakor Pengelolaan SP4N-LAPOR! Semester I 2025"
    title: orm.Mapped[str] = orm.mapped_column(sa.String(300), nullable=False)
    starts_at: orm.Mapped[dt.datetime] = orm.mapped_column(UTCDateTime, nullable=False, index=True)
    ends_at: orm.Mapped[dt.datetime] = orm.mapped_column(UTCDateTime, nullable=False)
    #: the room and building
    venue: orm.Mapped[str] = orm.mapped_column(sa.String(300), nullable=False, default="")
    mode: orm.Mapped[MeetingMode] = orm.mapped_column(
        str_enum(MeetingMode, 16), nullable=False, default=MeetingMode.TATAP_MUKA
    )
    #: the video-conference link for daring/hybrid meetings
    online_url: orm.Mapped[str | None] = orm.mapped_column(sa.String(500), nullable=True)
    #: the reporting period the meeting reviews (both ends inclusive)
    period_start: orm.Mapped[dt.date] = orm.mapped_column(sa.Date, nullable=False)
    period_end: orm.Mapped[dt.date] = orm.mapped_column(sa.Date, nullable=False)
    status: orm.Mapped[MeetingStatus] = orm.mapped_column(
        str_enum(MeetingStatus, 16), nullable=False, default=MeetingStatus.DRAFT
    )
    #: purpose and notes shown on the invitation (short)
    description: orm.Mapped[str | None] = orm.mapped_column(sa.Text, nullable=True)
    #: nomor surat of the invitation letter
    letter_number: orm.Mapped[str | None] = orm.mapped_column(sa.String(100), nullable=True)
    letter_date: orm.Mapped[dt.date | None] = orm.mapped_column(sa.Date, nullable=True)
    #: reminders go this many days before the meeting
    reminder_days: orm.Mapped[int] = orm.mapped_column(sa.SmallInteger, nullable=False, default=2)
    #: the rakor before this one, whose open actions carry over
    previous_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("meeting.id"), nullable=True)
    #: the iCalendar SEQUENCE of the invitations: raised on every reschedule or cancellation, so calendar
    #: programs replace the event they hold under the same UID
    ics_sequence: orm.Mapped[int] = orm.mapped_column(sa.Integer, nullable=False, default=0, server_default="0")
    #: why the meeting was called off (shown to invitees)
    cancel_reason: orm.Mapped[str | None] = orm.mapped_column(sa.Text, nullable=True)
    cancelled_at: orm.Mapped[dt.datetime | None] = orm.mapped_column(UTCDateTime, nullable=True)
    created_by_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("user.id"), nullable=True)
    created_at: orm.Mapped[dt.datetime] = orm.mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: orm.Mapped[dt.datetime] = orm.mapped_column(
        UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow
    )

    previous: orm.Mapped[Meeting | None] = orm.relationship(remote_side=[id])
    created_by: orm.Mapped[User | None] = orm.relationship()
    speakers: orm.Mapped[list[Speaker]] = orm.relationship(
        back_populates="meeting", order_by="Speaker.position", cascade="all, delete-orphan"
    )
    agenda_items: orm.Mapped[list[AgendaItem]] = orm.relationship(
        back_populates="meeting", order_by="AgendaItem.position", cascade="all, delete-orphan"
    )
    invitations: orm.Mapped[list[Invitation]] = orm.relationship(
        back_populates="meeting", order_by="Invitation.id", cascade="all, delete-orphan"
    )
    attendances: orm.Mapped[list[Attendance]] = orm.relationship(
        back_populates="meeting", order_by="Attendance.checked_in_at", cascade="all, delete-orphan"
    )
    minutes: orm.Mapped[Minutes | None] = orm.relationship(
        back_populates="meeting", uselist=False, cascade="all, delete-orphan"
    )
    decisions: orm.Mapped[list[Decision]] = orm.relationship(
        back_populates="meeting", order_by="Decision.position", cascade="all, delete-orphan"
    )
    action_items: orm.Mapped[list[ActionItem]] = orm.relationship(
        back_populates="meeting", order_by="ActionItem.id", cascade="all, delete-orphan",
        foreign_keys="ActionItem.meeting_id",
    )
    photos: orm.Mapped[list[Photo]] = orm.relationship(
        back_populates="meeting", order_by="Photo.id", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Meeting {self.id} {self.starts_at:%Y-%m-%d} {self.status}>"

    @property
    def date_wib(self) -> dt.date:
        from portal.core.timeutil import wib_date

        return wib_date(self.starts_at)

    @property
    def total_minutes(self) -> int:
        return sum(a.duration_minutes for a in self.agenda_items)


class Speaker(db.Model):
    """A speaker (narasumber), e.g. from KemenPANRB, Kemendagri or Ombudsman."""

    __tablename__ = "meeting_speaker"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    meeting_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey("meeting.id"), nullable=False, index=True)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(200), nullable=False)
    #: jabatan
    title: orm.Mapped[str | None] = orm.mapped_column(sa.String(200), nullable=True)
    institution: orm.Mapped[str] = orm.mapped_column(sa.String(200), nullable=False, default="")
    email: orm.Mapped[str | None] = orm.mapped_column(sa.String(254), nullable=True)
    #: the subject of their talk
    topic: orm.Mapped[str | None] = orm.mapped_column(sa.String(300), nullable=True)
    position: orm.Mapped[int] = orm.mapped_column(sa.Integer, nullable=False, default=0)

    meeting: orm.Mapped[Meeting] = orm.relationship(back_populates="speakers")

    def __repr__(self) -> str:
        return f"<Speaker {self.name!r} {self.institution!r}>"


class AgendaItem(db.Model):
    """One item of the agenda (susunan acara) with its duration."""

    __tablename__ = "meeting_agenda_item"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    meeting_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey("meeting.id"), nullable=False, index=True)
    position: orm.Mapped[int] = orm.mapped_column(sa.Integer, nullable=False, default=0)
    title: orm.Mapped[str] = orm.mapped_column(sa.String(300), nullable=False)
    duration_minutes: orm.Mapped[int] = orm.mapped_column(sa.Integer, nullable=False, default=30)
    #: who leads it (free text: a speaker, "Diskominfo", "Seluruh peserta" …)
    presenter: orm.Mapped[str | None] = orm.mapped_column(sa.String(200), nullable=True)
    #: this item reviews the actions carried over from the previous rakor
    is_carry_over: orm.Mapped[bool] = orm.mapped_column(sa.Boolean, nullable=False, default=False)

    meeting: orm.Mapped[Meeting] = orm.relationship(back_populates="agenda_items")

    def __repr__(self) -> str:
        return f"<AgendaItem {self.position} {self.title!r}>"


class Invitation(db.Model):
    """An invitation to one person (an OPD's liaison, or a speaker), with its RSVP and door code."""

    __tablename__ = "meeting_invitation"
    __table_args__ = (sa.Index("ix_meeting_invitation_meeting_opd", "meeting_id", "opd_id"),)

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    meeting_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey("meeting.id"), nullable=False)
    kind: orm.Mapped[InvitationKind] = orm.mapped_column(
        str_enum(InvitationKind, 16), nullable=False, default=InvitationKind.PARTICIPANT
    )
    #: the OPD a participant represents
    opd_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("opd.id"), nullable=True)
    #: the liaison's account, when invited as one
    user_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("user.id"), nullable=True)
    speaker_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("meeting_speaker.id"), nullable=True)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(200), nullable=False)
    #: jabatan, as on the letter
    position: orm.Mapped[str | None] = orm.mapped_column(sa.String(200), nullable=True)
    email: orm.Mapped[str | None] = orm.mapped_column(sa.String(254), nullable=True)
    #: short unguessable registration code for check-in at the door
    code: orm.Mapped[str] = orm.mapped_column(sa.String(16), unique=True, nullable=False)
    rsvp: orm.Mapped[Rsvp] = orm.mapped_column(str_enum(Rsvp, 16), nullable=False, default=Rsvp.BELUM)
    rsvp_at: orm.Mapped[dt.datetime | None] = orm.mapped_column(UTCDateTime, nullable=True)
    #: who comes instead, when ``diwakilkan``
    representative_name: orm.Mapped[str | None] = orm.mapped_column(sa.String(200), nullable=True)
    representative_position: orm.Mapped[str | None] = orm.mapped_column(sa.String(200), nullable=True)
    rsvp_note: orm.Mapped[str | None] = orm.mapped_column(sa.Text, nullable=True)
    #: when the invitation e-mail was queued
    sent_at: orm.Mapped[dt.datetime | None] = orm.mapped_column(UTCDateTime, nullable=True)
    reminded_at: orm.Mapped[dt.datetime | None] = orm.mapped_column(UTCDateTime, nullable=True)
    created_at: orm.Mapped[dt.datetime] = orm.mapped_column(UTCDateTime, nullable=False, default=utcnow)

    meeting: orm.Mapped[Meeting] = orm.relationship(back_populates="invitations")
    opd: orm.Mapped[OPD | None] = orm.relationship()
    user: orm.Mapped[User | None] = orm.relationship()
    speaker: orm.Mapped[Speaker | None] = orm.relationship()
    attendance: orm.Mapped[Attendance | None] = orm.relationship(back_populates="invitation", uselist=False)

    def __repr__(self) -> str:
        return f"<Invitation {self.id} meeting={self.meeting_id} {self.rsvp}>"


class Attendance(db.Model):
    """Someone present at the meeting: checked in by code/QR, ticked by staff, or a walk-in."""

    __tablename__ = "meeting_attendance"
    __table_args__ = (sa.UniqueConstraint("invitation_id", name="uq_meeting_attendance_invitation_id"),)

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    meeting_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey("meeting.id"), nullable=False, index=True)
    invitation_id: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("meeting_invitation.id"), nullable=True
    )
    opd_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("opd.id"), nullable=True)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(200), nullable=False)
    position: orm.Mapped[str | None] = orm.mapped_column(sa.String(200), nullable=True)
    #: a representative came instead of the invitee (diwakilkan)
    is_representative: orm.Mapped[bool] = orm.mapped_column(sa.Boolean, nullable=False, default=False)
    method: orm.Mapped[CheckInMethod] = orm.mapped_column(str_enum(CheckInMethod, 16), nullable=False)
    checked_in_at: orm.Mapped[dt.datetime] = orm.mapped_column(UTCDateTime, nullable=False, default=utcnow)
    recorded_by_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("user.id"), nullable=True)

    meeting: orm.Mapped[Meeting] = orm.relationship(back_populates="attendances")
    invitation: orm.Mapped[Invitation | None] = orm.relationship(back_populates="attendance")
    opd: orm.Mapped[OPD | None] = orm.relationship()

    def __repr__(self) -> str:
        return f"<Attendance {self.name!r} meeting={self.meeting_id}>"


class Minutes(db.Model):
    """The minutes (notulen) of a meeting: Markdown, sanitised HTML, draft → final."""

    __tablename__ = "meeting_minutes"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    meeting_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey("meeting.id"), unique=True, nullable=False)
    status: orm.Mapped[MinutesStatus] = orm.mapped_column(
        str_enum(MinutesStatus, 16), nullable=False, default=MinutesStatus.DRAFT
    )
    #: the text as written (Markdown)
    body_md: orm.Mapped[str] = orm.mapped_column(sa.Text, nullable=False, default="")
    #: rendered and sanitised with nh3; safe to output
    body_html: orm.Mapped[str] = orm.mapped_column(sa.Text, nullable=False, default="")
    #: number of the latest version
    version: orm.Mapped[int] = orm.mapped_column(sa.Integer, nullable=False, default=0)
    updated_at: orm.Mapped[dt.datetime] = orm.mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_by_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("user.id"), nullable=True)
    finalized_at: orm.Mapped[dt.datetime | None] = orm.mapped_column(UTCDateTime, nullable=True)
    finalized_by_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("user.id"), nullable=True)

    meeting: orm.Mapped[Meeting] = orm.relationship(back_populates="minutes")
    updated_by: orm.Mapped[User | None] = orm.relationship(foreign_keys=[updated_by_id])
    finalized_by: orm.Mapped[User | None] = orm.relationship(foreign_keys=[finalized_by_id])
    versions: orm.Mapped[list[MinutesVersion]] = orm.relationship(
        back_populates="minutes", order_by="MinutesVersion.number.desc()", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Minutes meeting={self.meeting_id} v{self.version} {self.status}>"


class MinutesVersion(db.Model):
    """A saved version of the minutes (history is never overwritten)."""

    __tablename__ = "meeting_minutes_version"
    __table_args__ = (sa.UniqueConstraint("minutes_id", "number", name="uq_meeting_minutes_version_number"),)

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    minutes_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey("meeting_minutes.id"), nullable=False)
    number: orm.Mapped[int] = orm.mapped_column(sa.Integer, nullable=False)
    status: orm.Mapped[MinutesStatus] = orm.mapped_column(str_enum(MinutesStatus, 16), nullable=False)
    body_md: orm.Mapped[str] = orm.mapped_column(sa.Text, nullable=False)
    created_at: orm.Mapped[dt.datetime] = orm.mapped_column(UTCDateTime, nullable=False, default=utcnow)
    created_by_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("user.id"), nullable=True)

    minutes: orm.Mapped[Minutes] = orm.relationship(back_populates="versions")
    created_by: orm.Mapped[User | None] = orm.relationship()

    def __repr__(self) -> str:
        return f"<MinutesVersion {self.minutes_id} v{self.number}>"


class Decision(db.Model):
    """A decision or agreement (kesepakatan) reached at the meeting."""

    __tablename__ = "meeting_decision"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    meeting_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey("meeting.id"), nullable=False, index=True)
    agenda_item_id: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("meeting_agenda_item.id"), nullable=True
    )
    position: orm.Mapped[int] = orm.mapped_column(sa.Integer, nullable=False, default=0)
    text: orm.Mapped[str] = orm.mapped_column(sa.Text, nullable=False)

    meeting: orm.Mapped[Meeting] = orm.relationship(back_populates="decisions")
    agenda_item: orm.Mapped[AgendaItem | None] = orm.relationship()

    def __repr__(self) -> str:
        return f"<Decision {self.id} meeting={self.meeting_id}>"


class ActionItem(db.Model):
    """An agreed action (rencana tindak lanjut) owned by an OPD, followed up until done or dropped.

    When carried over to the next rakor a copy is made there with ``carried_from_id`` pointing here,
    so each meeting keeps the state its actions had.
    """

    __tablename__ = "meeting_action_item"
    __table_args__ = (sa.Index("ix_meeting_action_item_owner_status", "owner_opd_id", "status"),)

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    meeting_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey("meeting.id"), nullable=False, index=True)
    decision_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("meeting_decision.id"), nullable=True)
    #: what is to be done
    title: orm.Mapped[str] = orm.mapped_column(sa.String(500), nullable=False)
    description: orm.Mapped[str | None] = orm.mapped_column(sa.Text, nullable=True)
    owner_opd_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey("opd.id"), nullable=False)
    due_date: orm.Mapped[dt.date | None] = orm.mapped_column(sa.Date, nullable=True)
    status: orm.Mapped[ActionStatus] = orm.mapped_column(
        str_enum(ActionStatus, 16), nullable=False, default=ActionStatus.OPEN
    )
    #: the item of an earlier meeting this one continues
    carried_from_id: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("meeting_action_item.id"), nullable=True
    )
    #: set on the earlier item when it was carried to the next meeting
    carried_over_at: orm.Mapped[dt.datetime | None] = orm.mapped_column(UTCDateTime, nullable=True)
    #: the rencana aksi item this action serves, if any (the plan is tracked on its own)
    rencana_aksi_item_id: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("rencana_aksi_item.id", ondelete="SET NULL"), nullable=True
    )
    created_at: orm.Mapped[dt.datetime] = orm.mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: orm.Mapped[dt.datetime] = orm.mapped_column(
        UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow
    )
    closed_at: orm.Mapped[dt.datetime | None] = orm.mapped_column(UTCDateTime, nullable=True)

    meeting: orm.Mapped[Meeting] = orm.relationship(back_populates="action_items", foreign_keys=[meeting_id])
    decision: orm.Mapped[Decision | None] = orm.relationship()
    owner_opd: orm.Mapped[OPD] = orm.relationship()
    carried_from: orm.Mapped[ActionItem | None] = orm.relationship(
        remote_side=[id], back_populates="carried_to"
    )
    carried_to: orm.Mapped[list[ActionItem]] = orm.relationship(back_populates="carried_from")
    progress: orm.Mapped[list[ActionProgress]] = orm.relationship(
        back_populates="action", order_by="ActionProgress.at", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<ActionItem {self.id} {self.status} opd={self.owner_opd_id}>"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ACTION_STATUSES

    def lineage(self) -> list[ActionItem]:
        """This item and the items it continues, oldest first."""
        chain: list[ActionItem] = []
        node: ActionItem | None = self
        while node is not None and node not in chain:
            chain.append(node)
            node = node.carried_from
        return list(reversed(chain))


class ActionProgress(db.Model):
    """A progress note on an action item, optionally changing its status."""

    __tablename__ = "meeting_action_progress"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    action_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey("meeting_action_item.id"), nullable=False, index=True
    )
    at: orm.Mapped[dt.datetime] = orm.mapped_column(UTCDateTime, nullable=False, default=utcnow)
    user_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("user.id"), nullable=True)
    note: orm.Mapped[str] = orm.mapped_column(sa.Text, nullable=False, default="")
    from_status: orm.Mapped[ActionStatus | None] = orm.mapped_column(str_enum(ActionStatus, 16), nullable=True)
    to_status: orm.Mapped[ActionStatus | None] = orm.mapped_column(str_enum(ActionStatus, 16), nullable=True)

    action: orm.Mapped[ActionItem] = orm.relationship(back_populates="progress")
    user: orm.Mapped[User | None] = orm.relationship()

    def __repr__(self) -> str:
        return f"<ActionProgress {self.action_id} {self.from_status}->{self.to_status}>"


class Photo(db.Model):
    """A documentation photo, re-encoded on upload so no metadata (EXIF, GPS) is kept."""

    __tablename__ = "meeting_photo"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    meeting_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey("meeting.id"), nullable=False, index=True)
    #: random file name under UPLOAD_DIR/meetings
    stored_name: orm.Mapped[str] = orm.mapped_column(sa.String(64), unique=True, nullable=False)
    caption: orm.Mapped[str | None] = orm.mapped_column(sa.String(300), nullable=True)
    content_type: orm.Mapped[str] = orm.mapped_column(sa.String(64), nullable=False)
    width: orm.Mapped[int] = orm.mapped_column(sa.Integer, nullable=False)
    height: orm.Mapped[int] = orm.mapped_column(sa.Integer, nullable=False)
    size: orm.Mapped[int] = orm.mapped_column(sa.Integer, nullable=False)
    uploaded_at: orm.Mapped[dt.datetime] = orm.mapped_column(UTCDateTime, nullable=False, default=utcnow)
    uploaded_by_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("user.id"), nullable=True)

    meeting: orm.Mapped[Meeting] = orm.relationship(back_populates="photos")

    def __repr__(self) -> str:
        return f"<Photo {self.id} meeting={self.meeting_id}>"
