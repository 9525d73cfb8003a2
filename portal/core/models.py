"""Organisations, people, calendar overrides, audit, jobs, outbox and API keys."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy import orm
from werkzeug.security import check_password_hash, generate_password_hash

from portal.core.db import UTCDateTime, utcnow
from portal.extensions import db


class Role(enum.StrEnum):
    """What a signed-in user may do."""

    KOMINFO = "kominfo"  #: provincial admin (Admin Instansi, Diskominfo)
    OPD = "opd"  #: liaison officer (pejabat penghubung) of one OPD
    PIMPINAN = "pimpinan"  #: leadership: reads reports
    OMBUDSMAN = "ombudsman"  #: oversight: reads everything, changes nothing


def str_enum(enum_cls: type[enum.Enum], length: int = 32) -> sa.Enum:
    """A portable enum column stored as its lowercase value."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        length=length,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


class OPD(db.Model):
    """A regional agency (Organisasi Perangkat Daerah) or a unit (UPT) under one."""

    __tablename__ = "opd"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    #: short code used in exports and URLs, e.g. ``DINKES``
    code: orm.Mapped[str] = orm.mapped_column(sa.String(32), unique=True, nullable=False)
    #: full name, e.g. ``Dinas Kesehatan``
    name: orm.Mapped[str] = orm.mapped_column(sa.String(200), nullable=False)
    #: other spellings that imports should recognise
    aliases: orm.Mapped[list[str]] = orm.mapped_column(sa.JSON, nullable=False, default=list)
    #: the agency a unit belongs to
    parent_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("opd.id"), nullable=True)
    #: inactive OPDs keep their history but get no new complaints
    active: orm.Mapped[bool] = orm.mapped_column(sa.Boolean, nullable=False, default=True)
    #: public contact e-mail of the OPD (digests go here too)
    email: orm.Mapped[str | None] = orm.mapped_column(sa.String(200), nullable=True)
    #: date the current SK team decree was issued (KemenPANRB indicator 1)
    sk_team_date: orm.Mapped[dt.date | None] = orm.mapped_column(sa.Date, nullable=True)

    parent: orm.Mapped[OPD | None] = orm.relationship(remote_side=[id], back_populates="units")
    units: orm.Mapped[list[OPD]] = orm.relationship(back_populates="parent")

    def __repr__(self) -> str:
        return f"<OPD {self.code}>"

    def subtree_ids(self) -> list[int]:
        """This OPD's id and those of all units below it."""
        ids = [self.id]
        for unit in self.units:
            ids.extend(unit.subtree_ids())
        return ids


class User(UserMixin, db.Model):
    """A staff account."""

    __tablename__ = "user"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    #: sign-in name, stored lowercase
    email: orm.Mapped[str] = orm.mapped_column(sa.String(254), unique=True, nullable=False)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(200), nullable=False, default="")
    #: position (jabatan), shown on letters and attendance sheets
    position: orm.Mapped[str | None] = orm.mapped_column(sa.String(200), nullable=True)
    phone: orm.Mapped[str | None] = orm.mapped_column(sa.String(32), nullable=True)
    password_hash: orm.Mapped[str] = orm.mapped_column(sa.String(256), nullable=False)
    role: orm.Mapped[Role] = orm.mapped_column(str_enum(Role, 16), nullable=False)
    #: the OPD an ``opd`` user works for (required for that role)
    opd_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("opd.id"), nullable=True)
    active: orm.Mapped[bool] = orm.mapped_column(sa.Boolean, nullable=False, default=True)
    #: may approve rakor reports (kominfo only)
    can_approve: orm.Mapped[bool] = orm.mapped_column(sa.Boolean, nullable=False, default=False)
    created_at: orm.Mapped[dt.datetime] = orm.mapped_column(UTCDateTime, nullable=False, default=utcnow)
    last_login_at: orm.Mapped[dt.datetime | None] = orm.mapped_column(UTCDateTime, nullable=True)
    #: base32 TOTP secret when two-factor sign-in is on
    totp_secret: orm.Mapped[str | None] = orm.mapped_column(sa.String(64), nullable=True)
    #: the last TOTP time step accepted (a code of this step or an earlier one is a replay)
    totp_last_step: orm.Mapped[int | None] = orm.mapped_column(sa.BigInteger, nullable=True)
    #: session generation: part of the session's user id, so bumping it ends every session of the user
    session_gen: orm.Mapped[int] = orm.mapped_column(sa.Integer, nullable=False, default=0, server_default="0")

    opd: orm.Mapped[OPD | None] = orm.relationship()

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"

    def get_id(self) -> str:
        """What the session and the remember cookie hold: ``"<id>:<session generation>"``."""
        return f"{self.id}:{self.session_gen or 0}"

    def end_sessions(self) -> None:
        """Sign the user out everywhere: sessions made before this no longer load the user."""
        self.session_gen = (self.session_gen or 0) + 1

    def set_password(self, password: str) -> None:
        """A new password ends every session signed in with the old one."""
        self.password_hash = generate_password_hash(password)
        if self.id is not None:
            self.end_sessions()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    def has_role(self, *roles: Role | str) -> bool:
        return self.role in {Role(r) for r in roles}

    def opd_scope(self) -> list[int] | None:
        """OPD ids this user is limited to, or ``None`` for province-wide roles."""
        if self.role == Role.OPD:
            return self.opd.subtree_ids() if self.opd else []
        return None


class Liaison(db.Model):
    """A term of a liaison officer (pejabat penghubung) at an OPD: handovers are history."""

    __tablename__ = "liaison"
    __table_args__ = (sa.Index("ix_liaison_opd_current", "opd_id", "valid_to"),)

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    opd_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey("opd.id"), nullable=False)
    user_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey("user.id"), nullable=False)
    #: first day of the term
    valid_from: orm.Mapped[dt.date] = orm.mapped_column(sa.Date, nullable=False)
    #: last day of the term; ``None`` while current
    valid_to: orm.Mapped[dt.date | None] = orm.mapped_column(sa.Date, nullable=True)
    #: e.g. the SK number that appointed them
    note: orm.Mapped[str | None] = orm.mapped_column(sa.Text, nullable=True)

    opd: orm.Mapped[OPD] = orm.relationship()
    user: orm.Mapped[User] = orm.relationship()

    def __repr__(self) -> str:
        return f"<Liaison opd={self.opd_id} user={self.user_id} {self.valid_from}..{self.valid_to}>"


class HolidayOverride(db.Model):
    """A correction to the holiday calendar, e.g. a cuti bersama set by decree."""

    __tablename__ = "holiday_override"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    date: orm.Mapped[dt.date] = orm.mapped_column(sa.Date, unique=True, nullable=False)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(200), nullable=False)
    #: True makes the day a working day; False makes it a holiday
    is_working_day: orm.Mapped[bool] = orm.mapped_column(sa.Boolean, nullable=False, default=False)

    def __repr__(self) -> str:
        return f"<HolidayOverride {self.date} working={self.is_working_day}>"


class Setting(db.Model):
    """An admin-editable setting (institution name, letterhead …) overriding config."""

    __tablename__ = "setting"

    key: orm.Mapped[str] = orm.mapped_column(sa.String(64), primary_key=True)
    value: orm.Mapped[str] = orm.mapped_column(sa.Text, nullable=False)

    def __repr__(self) -> str:
        return f"<Setting {self.key}>"


class AuditLog(db.Model):
    """Who changed which administrative object (OPD, user, category, holiday …) and how."""

    __tablename__ = "audit_log"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    at: orm.Mapped[dt.datetime] = orm.mapped_column(UTCDateTime, nullable=False, default=utcnow, index=True)
    actor_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("user.id"), nullable=True)
    #: e.g. ``user.create``, ``opd.update``, ``holiday.delete``
    action: orm.Mapped[str] = orm.mapped_column(sa.String(64), nullable=False)
    object_type: orm.Mapped[str] = orm.mapped_column(sa.String(64), nullable=False)
    object_id: orm.Mapped[str | None] = orm.mapped_column(sa.String(64), nullable=True)
    #: ``{field: [old, new]}``
    changes: orm.Mapped[dict[str, Any]] = orm.mapped_column(sa.JSON, nullable=False, default=dict)

    actor: orm.Mapped[User | None] = orm.relationship()

    def __repr__(self) -> str:
        return f"<AuditLog {self.action} {self.object_type}:{self.object_id}>"


class LoginThrottle(db.Model):
    """Failed sign-ins of one account from one client (both as keyed hashes, no e-mail or address stored).

    Throttling the pair, not the account, means an attacker guessing passwords slows only themselves:
    the owner signing in from another client is never locked out.
    """

    __tablename__ = "login_throttle"
    __table_args__ = (sa.Index("ix_login_throttle_last", "last_failed_at"),)

    #: HMAC of the lowercased e-mail typed in (known or not)
    account: orm.Mapped[str] = orm.mapped_column(sa.String(64), primary_key=True)
    #: HMAC of the client's address
    client: orm.Mapped[str] = orm.mapped_column(sa.String(64), primary_key=True)
    #: failed attempts since the last success
    failures: orm.Mapped[int] = orm.mapped_column(sa.Integer, nullable=False, default=0)
    last_failed_at: orm.Mapped[dt.datetime] = orm.mapped_column(UTCDateTime, nullable=False, default=utcnow)

    def __repr__(self) -> str:
        return f"<LoginThrottle {self.account[:8]}/{self.client[:8]} {self.failures}>"


class Job(db.Model):
    """A background job (import, PDF …) whose progress a page can poll."""

    __tablename__ = "job"

    id: orm.Mapped[str] = orm.mapped_column(sa.String(36), primary_key=True)
    kind: orm.Mapped[str] = orm.mapped_column(sa.String(64), nullable=False)
    #: queued, running, done, failed
    status: orm.Mapped[str] = orm.mapped_column(sa.String(16), nullable=False, default="queued")
    progress: orm.Mapped[int] = orm.mapped_column(sa.Integer, nullable=False, default=0)
    total: orm.Mapped[int] = orm.mapped_column(sa.Integer, nullable=False, default=0)
    message: orm.Mapped[str | None] = orm.mapped_column(sa.Text, nullable=True)
    result: orm.Mapped[dict[str, Any]] = orm.mapped_column(sa.JSON, nullable=False, default=dict)
    created_by_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("user.id"), nullable=True)
    created_at: orm.Mapped[dt.datetime] = orm.mapped_column(UTCDateTime, nullable=False, default=utcnow)
    finished_at: orm.Mapped[dt.datetime | None] = orm.mapped_column(UTCDateTime, nullable=True)

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.kind} {self.status}>"

    @property
    def percent(self) -> int:
        if self.status == "done":
            return 100
        return int(self.progress * 100 / self.total) if self.total else 0


class OutboxMessage(db.Model):
    """An e-mail waiting to be sent; retried until it goes, so an SMTP outage loses nothing."""

    __tablename__ = "outbox_message"
    __table_args__ = (sa.Index("ix_outbox_message_due", "status", "next_attempt_at"),)

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    #: e.g. ``dispatch``, ``digest``, ``invitation``, ``reminder``, ``receipt``
    kind: orm.Mapped[str] = orm.mapped_column(sa.String(32), nullable=False)
    to_addr: orm.Mapped[str] = orm.mapped_column(sa.String(254), nullable=False)
    subject: orm.Mapped[str] = orm.mapped_column(sa.String(300), nullable=False)
    body_text: orm.Mapped[str] = orm.mapped_column(sa.Text, nullable=False)
    body_html: orm.Mapped[str | None] = orm.mapped_column(sa.Text, nullable=True)
    #: pending, sent, failed (gave up after too many attempts)
    status: orm.Mapped[str] = orm.mapped_column(sa.String(16), nullable=False, default="pending")
    attempts: orm.Mapped[int] = orm.mapped_column(sa.Integer, nullable=False, default=0)
    next_attempt_at: orm.Mapped[dt.datetime] = orm.mapped_column(UTCDateTime, nullable=False, default=utcnow)
    last_error: orm.Mapped[str | None] = orm.mapped_column(sa.Text, nullable=True)
    created_at: orm.Mapped[dt.datetime] = orm.mapped_column(UTCDateTime, nullable=False, default=utcnow)
    sent_at: orm.Mapped[dt.datetime | None] = orm.mapped_column(UTCDateTime, nullable=True)

    attachments: orm.Mapped[list[OutboxAttachment]] = orm.relationship(
        back_populates="message", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.kind} {self.status}>"


class OutboxAttachment(db.Model):
    """A file attached to an outgoing e-mail (letter PDF, ICS invitation …)."""

    __tablename__ = "outbox_attachment"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    message_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey("outbox_message.id"), nullable=False)
    filename: orm.Mapped[str] = orm.mapped_column(sa.String(200), nullable=False)
    content_type: orm.Mapped[str] = orm.mapped_column(sa.String(100), nullable=False)
    data: orm.Mapped[bytes] = orm.mapped_column(sa.LargeBinary, nullable=False)

    message: orm.Mapped[OutboxMessage] = orm.relationship(back_populates="attachments")

    def __repr__(self) -> str:
        return f"<OutboxAttachment {self.filename}>"


class ApiKey(db.Model):
    """A key Kominfo issues to an outside system for Open311 POST; only its hash is kept."""

    __tablename__ = "api_key"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(200), nullable=False)
    #: first characters of the key, shown to tell keys apart
    prefix: orm.Mapped[str] = orm.mapped_column(sa.String(12), nullable=False)
    key_hash: orm.Mapped[str] = orm.mapped_column(sa.String(64), unique=True, nullable=False)
    created_by_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("user.id"), nullable=True)
    created_at: orm.Mapped[dt.datetime] = orm.mapped_column(UTCDateTime, nullable=False, default=utcnow)
    revoked_at: orm.Mapped[dt.datetime | None] = orm.mapped_column(UTCDateTime, nullable=True)
    last_used_at: orm.Mapped[dt.datetime | None] = orm.mapped_column(UTCDateTime, nullable=True)

    def __repr__(self) -> str:
        return f"<ApiKey {self.prefix}…>"


class Submission(db.Model):
    """A form submission already handled (idempotent submits): its key and the answer it got.

    Every state-changing form carries a fresh random key; a second POST with the same key (a double
    tap, a retried request) is answered with the first one's result instead of acting again.
    """

    __tablename__ = "submission"
    __table_args__ = (sa.Index("ix_submission_created", "created_at"),)

    #: the form's random key (``idempotency.FIELD``), unique per user
    key: orm.Mapped[str] = orm.mapped_column(sa.String(64), primary_key=True)
    user_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    #: where the first answer sent the browser
    url: orm.Mapped[str] = orm.mapped_column(sa.String(500), nullable=False)
    #: the first answer's message (shown again)
    message: orm.Mapped[str] = orm.mapped_column(sa.Text, nullable=False, default="")
    created_at: orm.Mapped[dt.datetime] = orm.mapped_column(UTCDateTime, nullable=False, default=utcnow)

    def __repr__(self) -> str:
        return f"<Submission {self.key[:8]} user={self.user_id}>"
