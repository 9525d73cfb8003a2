"""Calendar overrides, settings, audit, sign-in throttling, jobs, outbox, API keys and submissions.

OPDs, users and the liaison roster live in :mod:`portal.people.models`.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import orm

from portal.core.db import UTCDateTime, utcnow
from portal.extensions import db

if TYPE_CHECKING:
    from portal.people.models import User


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
