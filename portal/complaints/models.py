"""Complaints, their reporters, follow-ups (tindak lanjut), attachments and events."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, ClassVar

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import orm

from portal.core.db import UTCDateTime, str_enum, utcnow
from portal.extensions import db
from portal.people.models import OPD, User


class Status(enum.StrEnum):
    """The six statuses of LAPOR!'s own recap, and Diteruskan: forwarded out of the province's authority."""

    BELUM_TERVERIFIKASI = "belum_terverifikasi"
    BELUM_DITINDAKLANJUTI = "belum_ditindaklanjuti"
    PROSES = "proses"
    SELESAI = "selesai"
    TUNDA = "tunda"
    ARSIP = "arsip"
    #: forwarded to the competent instansi (no wrong door): terminal, outside the province's Total
    DITERUSKAN = "diteruskan"

    #: still to be handled: waiting for verification, at an OPD, or postponed (Tunda stops the clock)
    OPEN: ClassVar[frozenset[Status]]
    #: done with: finished, archived, or forwarded out of the province's authority
    CLOSED: ClassVar[frozenset[Status]]
    #: open with the deadline running (Tunda waits for the reporter)
    ACTIVE: ClassVar[frozenset[Status]]

    @property
    def label(self) -> LazyString:
        return STATUS_LABELS[self]


class StatusSet(frozenset[Status]):
    """A set of statuses that iterates in the order of :class:`Status` (stable SQL ``IN`` lists and labels)."""

    def __iter__(self):  # type: ignore[override]
        return (s for s in Status if frozenset.__contains__(self, s))


Status.OPEN = StatusSet({Status.BELUM_TERVERIFIKASI, Status.BELUM_DITINDAKLANJUTI, Status.PROSES, Status.TUNDA})
Status.CLOSED = StatusSet(set(Status) - Status.OPEN)
Status.ACTIVE = StatusSet(Status.OPEN - {Status.TUNDA})


STATUS_LABELS: dict[Status, LazyString] = {
    Status.BELUM_TERVERIFIKASI: _l("Belum Terverifikasi"),
    Status.BELUM_DITINDAKLANJUTI: _l("Belum Ditindaklanjuti"),
    Status.PROSES: _l("Proses"),
    Status.SELESAI: _l("Selesai"),
    Status.TUNDA: _l("Tunda"),
    Status.ARSIP: _l("Arsip"),
    Status.DITERUSKAN: _l("Diteruskan"),
}


class ComplaintType(enum.StrEnum):
    PENGADUAN = "pengaduan"
    ASPIRASI = "aspirasi"
    PERMINTAAN_INFORMASI = "permintaan_informasi"

    @property
    def label(self) -> LazyString:
        return {"pengaduan": _l("Pengaduan"), "aspirasi": _l("Aspirasi"),
                "permintaan_informasi": _l("Permintaan Informasi")}[self.value]


class Channel(enum.StrEnum):
    WEBSITE = "website"
    APLIKASI_MOBILE = "aplikasi_mobile"
    SMS = "sms"
    MEDIA_SOSIAL = "media_sosial"
    EMAIL = "email"
    SURAT = "surat"
    TELEPON = "telepon"
    TATAP_MUKA = "tatap_muka"

    @property
    def label(self) -> LazyString:
        return CHANNEL_LABELS[self]


CHANNEL_LABELS: dict[Channel, LazyString] = {
    Channel.WEBSITE: _l("Website"),
    Channel.APLIKASI_MOBILE: _l("Aplikasi Mobile"),
    Channel.SMS: _l("SMS"),
    Channel.MEDIA_SOSIAL: _l("Media Sosial"),
    Channel.EMAIL: _l("Email"),
    Channel.SURAT: _l("Surat"),
    Channel.TELEPON: _l("Telepon"),
    Channel.TATAP_MUKA: _l("Tatap Muka"),
}


class Gender(enum.StrEnum):
    L = "L"  #: laki-laki
    P = "P"  #: perempuan


class PostponeReason(enum.StrEnum):
    """Why a complaint is postponed (Tunda); monitoring indicator 10 counts incomplete files only."""

    BERKAS_BELUM_LENGKAP = "berkas_belum_lengkap"  #: the reporter's files are incomplete
    MENUNGGU_PELAPOR = "menunggu_pelapor"  #: waiting for the reporter's answer
    LAINNYA = "lainnya"

    @property
    def label(self) -> LazyString:
        return {"berkas_belum_lengkap": _l("Berkas belum lengkap"), "menunggu_pelapor": _l("Menunggu jawaban pelapor"),
                "lainnya": _l("Lainnya")}[self.value]


class ReplyChannel(enum.StrEnum):
    """How a reporter's reply reached staff outside LAPOR! (monitoring indicator 11)."""

    TELEPON = "telepon"
    SURAT = "surat"
    EMAIL = "email"
    TATAP_MUKA = "tatap_muka"
    LAINNYA = "lainnya"

    @property
    def label(self) -> LazyString:
        return {"telepon": _l("Telepon"), "surat": _l("Surat"), "email": _l("Email"), "tatap_muka": _l("Tatap muka"),
                "lainnya": _l("Lainnya")}[self.value]


#: completion norms in working days (docs/DOMAIN.md §4.4)
NORMS = (5, 14, 60)
DEFAULT_NORM = 14


class Category(db.Model):
    """A node of the hierarchical category standard (level 1 > level 2 > …)."""

    __tablename__ = "category"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    parent_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("category.id"), nullable=True)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(200), nullable=False)
    #: the full path, ``Level 1 > Level 2``; unique
    path: orm.Mapped[str] = orm.mapped_column(sa.String(600), unique=True, nullable=False)
    #: completion norm in working days (5, 14 or 60); ``None`` inherits the parent's
    norm_days: orm.Mapped[int | None] = orm.mapped_column(sa.SmallInteger, nullable=True)
    #: the OPD that usually handles it (suggested on dispatch)
    default_opd_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("opd.id"), nullable=True)
    #: words that suggest this category, one per line
    keywords: orm.Mapped[str] = orm.mapped_column(sa.Text, nullable=False, default="")
    active: orm.Mapped[bool] = orm.mapped_column(sa.Boolean, nullable=False, default=True)

    parent: orm.Mapped[Category | None] = orm.relationship(remote_side=[id], back_populates="children")
    children: orm.Mapped[list[Category]] = orm.relationship(back_populates="parent")
    default_opd: orm.Mapped[OPD | None] = orm.relationship()

    def __repr__(self) -> str:
        return f"<Category {self.path}>"

    @property
    def level(self) -> int:
        return self.path.count(" > ") + 1

    def effective_norm(self) -> int:
        """The completion norm, inherited from the nearest ancestor that sets one (:func:`inherited_norm`)."""
        chain = []
        node: Category | None = self
        while node is not None and node not in chain:
            chain.append(node)
            node = node.parent
        return first_norm(n.norm_days for n in chain)


def first_norm(norms: Iterable[int | None]) -> int:
    """The first norm set along a category's chain (itself, its parent, …); 14 working days when none is."""
    return next((n for n in norms if n), DEFAULT_NORM)


def inherited_norm(category_id: int, own: Mapping[int, int | None], parent: Mapping[int, int | None]) -> int:
    """A category's effective norm from plain rows: ``own`` norms and ``parent`` ids by category id (the bulk
    form of :meth:`Category.effective_norm`, for pages and imports that read the whole tree at once)."""
    def chain() -> Iterator[int | None]:
        node: int | None = category_id
        seen: set[int] = set()
        while node is not None and node not in seen:
            seen.add(node)
            yield own.get(node)
            node = parent.get(node)

    return first_norm(chain())


#: SQL of the open statuses (the predicate of the queue's partial indexes; same text in migration 0003)
OPEN_SQL = "status IN ('belum_terverifikasi', 'belum_ditindaklanjuti', 'proses', 'tunda')"
#: columns the queue filters on, carried in ``ix_complaint_queue`` (PostgreSQL INCLUDE)
QUEUE_INCLUDE = ("status", "due_date", "stage_due_date", "returned_at", "opd_id", "category_id", "channel", "type",
                 "is_anonymous", "is_confidential")


class Instansi(db.Model):
    """An instansi outside the province's own OPDs that complaints can be forwarded to (no wrong door):
    a kabupaten/kota, the national admin, the Ombudsman, a vertical agency, a state company."""

    __tablename__ = "instansi"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    #: the name shown to staff and the public; unique
    name: orm.Mapped[str] = orm.mapped_column(sa.String(200), unique=True, nullable=False)
    #: kabupaten_kota, nasional, ombudsman, vertikal, bumn, lainnya
    kind: orm.Mapped[str] = orm.mapped_column(sa.String(32), nullable=False, default="lainnya")
    #: inactive entries keep their history but are no longer offered
    active: orm.Mapped[bool] = orm.mapped_column(sa.Boolean, nullable=False, default=True)
    created_at: orm.Mapped[dt.datetime] = orm.mapped_column(UTCDateTime, nullable=False, default=utcnow)

    def __repr__(self) -> str:
        return f"<Instansi {self.name}>"


class Complaint(db.Model):
    """One report (laporan): a complaint, an aspiration or an information request."""

    __tablename__ = "complaint"
    __table_args__ = (
        sa.Index("ix_complaint_status_submitted", "status", "submitted_at", "id"),
        sa.Index("ix_complaint_opd_status", "opd_id", "status", "submitted_at"),
        # deadlines (daily job) and the queue's tab counts: index-only with returned_at (migration 0009)
        sa.Index("ix_complaint_due", "status", "due_date", postgresql_include=["returned_at"]),
        # the current stage's deadline: Rawan/Terlambat counts, digests (migration 0010a)
        sa.Index("ix_complaint_stage_due", "status", "stage_due_date", postgresql_include=["returned_at"]),
        # the queue sorted by "tenggat terdekat": open complaints in (stage_due_date, id) order
        sa.Index("ix_complaint_queue_due", "stage_due_date", "id",
                 postgresql_include=list(QUEUE_INCLUDE), postgresql_where=sa.text(OPEN_SQL),
                 sqlite_where=sa.text(OPEN_SQL)),
        # Kominfo queue (portal/admin/workspace/queries.py): every tab walks the open complaints in
        # (submitted_at, id) order and filters on index tuples only (covering, index-only scan).
        sa.Index("ix_complaint_queue", "submitted_at", "id",
                 postgresql_include=list(QUEUE_INCLUDE), postgresql_where=sa.text(OPEN_SQL),
                 sqlite_where=sa.text(OPEN_SQL)),
        # the Dikembalikan tab: few rows, found without walking the open ones
        sa.Index("ix_complaint_returned", "submitted_at", "id",
                 postgresql_where=sa.text("returned_at IS NOT NULL"),
                 sqlite_where=sa.text("returned_at IS NOT NULL")),
        # free-text filter of the queue (ILIKE '%…%'): trigram GIN on PostgreSQL; an empty
        # (``WHERE 0``) index on SQLite, which scans with LIKE
        sa.Index("ix_complaint_text_trgm", "title", "text", "location", postgresql_using="gin",
                 postgresql_ops={"title": "gin_trgm_ops", "text": "gin_trgm_ops", "location": "gin_trgm_ops"},
                 postgresql_where=sa.text(OPEN_SQL), sqlite_where=sa.text("0")),
        sa.CheckConstraint("rating IS NULL OR (rating BETWEEN 1 AND 5)", name="rating_range"),
        sa.CheckConstraint("solution_rating IS NULL OR (solution_rating BETWEEN 1 AND 5)",
                           name="solution_rating_range"),
    )

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    #: the LAPOR! tracking number (``ID Laporan``); text, leading zeros matter
    tracking_no: orm.Mapped[str] = orm.mapped_column(sa.String(40), unique=True, nullable=False)
    #: when the reporter submitted it (``Tanggal Laporan``)
    submitted_at: orm.Mapped[dt.datetime] = orm.mapped_column(UTCDateTime, nullable=False, index=True)
    title: orm.Mapped[str | None] = orm.mapped_column(sa.String(300), nullable=True)
    text: orm.Mapped[str] = orm.mapped_column(sa.Text, nullable=False)
    type: orm.Mapped[ComplaintType] = orm.mapped_column(
        str_enum(ComplaintType), nullable=False, default=ComplaintType.PENGADUAN
    )
    channel: orm.Mapped[Channel] = orm.mapped_column(str_enum(Channel), nullable=False, default=Channel.WEBSITE)
    category_id: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("category.id"), nullable=True, index=True
    )
    status: orm.Mapped[Status] = orm.mapped_column(
        str_enum(Status), nullable=False, default=Status.BELUM_TERVERIFIKASI
    )
    #: the OPD it is dispatched to
    opd_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("opd.id"), nullable=True)
    #: free text: kabupaten/kota, kecamatan …
    location: orm.Mapped[str | None] = orm.mapped_column(sa.String(300), nullable=True)
    #: exact coordinates, never public
    latitude: orm.Mapped[float | None] = orm.mapped_column(sa.Float, nullable=True)
    longitude: orm.Mapped[float | None] = orm.mapped_column(sa.Float, nullable=True)
    #: identity hidden from everyone outside Kominfo, the OPD included
    is_anonymous: orm.Mapped[bool] = orm.mapped_column(sa.Boolean, nullable=False, default=False)
    #: content hidden from the public (rahasia)
    is_confidential: orm.Mapped[bool] = orm.mapped_column(sa.Boolean, nullable=False, default=False)
    verified_at: orm.Mapped[dt.datetime | None] = orm.mapped_column(UTCDateTime, nullable=True)
    dispatched_at: orm.Mapped[dt.datetime | None] = orm.mapped_column(UTCDateTime, nullable=True)
    first_followup_at: orm.Mapped[dt.datetime | None] = orm.mapped_column(UTCDateTime, nullable=True)
    #: last follow-up, reporter reply or admin action (the 10-working-day closure rule)
    last_activity_at: orm.Mapped[dt.datetime | None] = orm.mapped_column(UTCDateTime, nullable=True)
    finished_at: orm.Mapped[dt.datetime | None] = orm.mapped_column(UTCDateTime, nullable=True)
    #: the reporter's rating, 1–5
    rating: orm.Mapped[int | None] = orm.mapped_column(sa.SmallInteger, nullable=True)
    #: the reporter's rating of the solution's accuracy, 1–5 (import column ``Rating Solusi``)
    solution_rating: orm.Mapped[int | None] = orm.mapped_column(sa.SmallInteger, nullable=True)
    #: the structured reason of the latest postponement (kept after it resumes)
    postpone_reason: orm.Mapped[PostponeReason | None] = orm.mapped_column(
        str_enum(PostponeReason, 32), nullable=True
    )
    #: completion norm in working days: 5, 14 or 60
    norm_days: orm.Mapped[int] = orm.mapped_column(sa.SmallInteger, nullable=False, default=DEFAULT_NORM)
    #: start (dispatch, else verification, else submission) + norm in working days
    due_date: orm.Mapped[dt.date | None] = orm.mapped_column(sa.Date, nullable=True)
    #: the deadline of the current stage (verification and forwarding 3, first follow-up 5,
    #: completion = ``due_date``); ``None`` while none runs (Tunda, closed). See ``operations.stage_due``
    stage_due_date: orm.Mapped[dt.date | None] = orm.mapped_column(sa.Date, nullable=True)
    #: set when an OPD returned it as not its authority (bukan kewenangan); cleared on re-dispatch
    returned_at: orm.Mapped[dt.datetime | None] = orm.mapped_column(UTCDateTime, nullable=True)
    #: why it was postponed, archived or returned (latest)
    status_reason: orm.Mapped[str | None] = orm.mapped_column(sa.Text, nullable=True)
    duplicate_of_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("complaint.id"), nullable=True)
    #: the instansi it was forwarded to (status Diteruskan); kept in the events after a reopen
    forwarded_to_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("instansi.id"), nullable=True)
    #: the day (WIB midnight) it was forwarded out
    forwarded_at: orm.Mapped[dt.datetime | None] = orm.mapped_column(UTCDateTime, nullable=True)
    #: import, staff, open311
    source: orm.Mapped[str] = orm.mapped_column(sa.String(16), nullable=False, default="import")
    created_at: orm.Mapped[dt.datetime] = orm.mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: orm.Mapped[dt.datetime] = orm.mapped_column(
        UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow
    )
    #: optimistic locking: bumped on every update
    version: orm.Mapped[int] = orm.mapped_column(sa.Integer, nullable=False, default=1)

    category: orm.Mapped[Category | None] = orm.relationship()
    opd: orm.Mapped[OPD | None] = orm.relationship()
    reporter: orm.Mapped[Reporter | None] = orm.relationship(
        back_populates="complaint", uselist=False, cascade="all, delete-orphan"
    )
    followups: orm.Mapped[list[FollowUp]] = orm.relationship(
        back_populates="complaint", order_by="FollowUp.created_at", cascade="all, delete-orphan"
    )
    events: orm.Mapped[list[ComplaintEvent]] = orm.relationship(
        back_populates="complaint", order_by="ComplaintEvent.at", cascade="all, delete-orphan"
    )
    attachments: orm.Mapped[list[Attachment]] = orm.relationship(
        back_populates="complaint", cascade="all, delete-orphan"
    )
    duplicate_of: orm.Mapped[Complaint | None] = orm.relationship(remote_side=[id])
    forwarded_to: orm.Mapped[Instansi | None] = orm.relationship()

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Complaint {self.tracking_no} {self.status}>"

    @property
    def start_at(self) -> dt.datetime:
        """The instant the completion norm counts from."""
        return self.dispatched_at or self.verified_at or self.submitted_at

    @property
    def is_open(self) -> bool:
        return self.status not in Status.CLOSED


# the trigram operator class of ix_complaint_text_trgm, for ``db.create_all`` (migration 0003 does the same)
sa.event.listen(Complaint.__table__, "before_create",
                sa.DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(dialect="postgresql"))


class Reporter(db.Model):
    """The reporter's personal data, kept apart from anything that may ever be shown."""

    __tablename__ = "reporter"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    complaint_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey("complaint.id", ondelete="CASCADE"), unique=True, nullable=False
    )
    name: orm.Mapped[str | None] = orm.mapped_column(sa.String(200), nullable=True)
    #: Nomor Induk Kependudukan, 16 digits
    nik: orm.Mapped[str | None] = orm.mapped_column(sa.String(16), nullable=True)
    #: normalised to +62…
    phone: orm.Mapped[str | None] = orm.mapped_column(sa.String(20), nullable=True)
    email: orm.Mapped[str | None] = orm.mapped_column(sa.String(254), nullable=True)
    gender: orm.Mapped[Gender | None] = orm.mapped_column(str_enum(Gender, 1), nullable=True)
    has_disability: orm.Mapped[bool] = orm.mapped_column(sa.Boolean, nullable=False, default=False)

    complaint: orm.Mapped[Complaint] = orm.relationship(back_populates="reporter")

    def __repr__(self) -> str:
        return f"<Reporter of complaint {self.complaint_id}>"


class FollowUp(db.Model):
    """A follow-up (tindak lanjut) posted by the OPD."""

    __tablename__ = "followup"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    complaint_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey("complaint.id", ondelete="CASCADE"), nullable=False, index=True
    )
    opd_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("opd.id"), nullable=True)
    author_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("user.id"), nullable=True)
    created_at: orm.Mapped[dt.datetime] = orm.mapped_column(UTCDateTime, nullable=False, default=utcnow)
    text: orm.Mapped[str] = orm.mapped_column(sa.Text, nullable=False)
    #: portal or import
    source: orm.Mapped[str] = orm.mapped_column(sa.String(16), nullable=False, default="portal")

    complaint: orm.Mapped[Complaint] = orm.relationship(back_populates="followups")
    opd: orm.Mapped[OPD | None] = orm.relationship()
    author: orm.Mapped[User | None] = orm.relationship()
    attachments: orm.Mapped[list[Attachment]] = orm.relationship(back_populates="followup")

    def __repr__(self) -> str:
        return f"<FollowUp {self.id} complaint={self.complaint_id}>"


class Attachment(db.Model):
    """An uploaded file, stored outside ``static/`` under a random name."""

    __tablename__ = "attachment"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    complaint_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey("complaint.id", ondelete="CASCADE"), nullable=False, index=True
    )
    followup_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("followup.id"), nullable=True)
    #: the name the uploader gave it (shown, never used as a path)
    original_name: orm.Mapped[str] = orm.mapped_column(sa.String(255), nullable=False)
    #: random file name under UPLOAD_DIR
    stored_name: orm.Mapped[str] = orm.mapped_column(sa.String(64), unique=True, nullable=False)
    #: detected from the content, not the name
    content_type: orm.Mapped[str] = orm.mapped_column(sa.String(100), nullable=False)
    size: orm.Mapped[int] = orm.mapped_column(sa.Integer, nullable=False)
    sha256: orm.Mapped[str] = orm.mapped_column(sa.String(64), nullable=False)
    uploaded_by_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("user.id"), nullable=True)
    created_at: orm.Mapped[dt.datetime] = orm.mapped_column(UTCDateTime, nullable=False, default=utcnow)

    complaint: orm.Mapped[Complaint] = orm.relationship(back_populates="attachments")
    followup: orm.Mapped[FollowUp | None] = orm.relationship(back_populates="attachments")

    def __repr__(self) -> str:
        return f"<Attachment {self.stored_name}>"


class ComplaintEvent(db.Model):
    """The audit trail of a complaint: who did what, when, and what changed."""

    __tablename__ = "complaint_event"
    __table_args__ = (sa.Index("ix_complaint_event_complaint_at", "complaint_id", "at"),)

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    complaint_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey("complaint.id", ondelete="CASCADE"), nullable=False
    )
    at: orm.Mapped[dt.datetime] = orm.mapped_column(UTCDateTime, nullable=False, default=utcnow)
    #: ``None`` for the system (import, daily job)
    actor_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("user.id"), nullable=True)
    #: created, imported, updated, verified, dispatched, followup, status, returned, reveal …
    kind: orm.Mapped[str] = orm.mapped_column(sa.String(32), nullable=False)
    from_status: orm.Mapped[Status | None] = orm.mapped_column(str_enum(Status), nullable=True)
    to_status: orm.Mapped[Status | None] = orm.mapped_column(str_enum(Status), nullable=True)
    #: ``{field: [old, new]}``
    changes: orm.Mapped[dict[str, Any]] = orm.mapped_column(sa.JSON, nullable=False, default=dict)
    note: orm.Mapped[str | None] = orm.mapped_column(sa.Text, nullable=True)
    #: shown on the public timeline (status changes; never reveals or internal notes)
    is_public: orm.Mapped[bool] = orm.mapped_column(sa.Boolean, nullable=False, default=False)
    #: the note is shown to the public too (redacted); notes are internal unless staff switch this on
    note_public: orm.Mapped[bool] = orm.mapped_column(sa.Boolean, nullable=False, default=False,
                                                      server_default=sa.false())

    complaint: orm.Mapped[Complaint] = orm.relationship(back_populates="events")
    actor: orm.Mapped[User | None] = orm.relationship()

    def __repr__(self) -> str:
        return f"<ComplaintEvent {self.kind} complaint={self.complaint_id}>"


class ImportBatch(db.Model):
    """One import of a LAPOR! export: who, when, which file, what happened."""

    __tablename__ = "import_batch"
    #: one import of a file at a time: at most one batch per content in pending/running
    __table_args__ = (
        sa.Index("uq_import_batch_busy_sha256", "sha256", unique=True,
                 sqlite_where=sa.text("status IN ('pending', 'running')"),
                 postgresql_where=sa.text("status IN ('pending', 'running')")),
    )

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    user_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("user.id"), nullable=True)
    filename: orm.Mapped[str] = orm.mapped_column(sa.String(255), nullable=False)
    #: SHA-256 of the file's bytes, to recognise the same file again
    sha256: orm.Mapped[str] = orm.mapped_column(sa.String(64), nullable=False, index=True)
    created_at: orm.Mapped[dt.datetime] = orm.mapped_column(UTCDateTime, nullable=False, default=utcnow)
    finished_at: orm.Mapped[dt.datetime | None] = orm.mapped_column(UTCDateTime, nullable=True)
    #: checking, preview, invalid, pending, running, done, failed, cancelled
    status: orm.Mapped[str] = orm.mapped_column(sa.String(16), nullable=False, default="pending")
    rows: orm.Mapped[int] = orm.mapped_column(sa.Integer, nullable=False, default=0)
    created: orm.Mapped[int] = orm.mapped_column(sa.Integer, nullable=False, default=0)
    updated: orm.Mapped[int] = orm.mapped_column(sa.Integer, nullable=False, default=0)
    unchanged: orm.Mapped[int] = orm.mapped_column(sa.Integer, nullable=False, default=0)
    errors: orm.Mapped[int] = orm.mapped_column(sa.Integer, nullable=False, default=0)
    #: the row errors, ``[{"row", "id", "message"}]``
    error_report: orm.Mapped[list[dict[str, Any]]] = orm.mapped_column(sa.JSON, nullable=False, default=list)
    #: category paths of the file that do not exist yet (listed by the preview, created on approval)
    new_categories: orm.Mapped[list[str]] = orm.mapped_column(sa.JSON, nullable=False, default=list,
                                                              server_default="[]")
    #: random name of the uploaded file under UPLOAD_DIR/imports while it waits (web uploads)
    stored_name: orm.Mapped[str | None] = orm.mapped_column(sa.String(64), nullable=True)
    #: the background job (preview or import) currently working on it
    job_id: orm.Mapped[str | None] = orm.mapped_column(sa.String(36), nullable=True)
    #: rows where LAPOR! and the portal's own later work disagree on status or OPD, ``[{"id", "complaint",
    #: "fields": {"status"|"opd": [portal, lapor]}, "side"}]``; ``side`` is the one applied (real run)
    conflicts: orm.Mapped[list[dict[str, Any]]] = orm.mapped_column(sa.JSON, nullable=False, default=list,
                                                                    server_default="[]")
    #: staff's choice per conflicting ``ID Laporan``: ``{"id": {"side": "portal"|"lapor", "by", "at"}}``;
    #: a conflict without a choice keeps the portal's values
    resolutions: orm.Mapped[dict[str, Any]] = orm.mapped_column(sa.JSON, nullable=False, default=dict,
                                                                server_default="{}")

    user: orm.Mapped[User | None] = orm.relationship()

    def __repr__(self) -> str:
        return f"<ImportBatch {self.id} {self.filename}>"


class AnswerTemplate(db.Model):
    """A saved answer an OPD reuses for recurring questions."""

    __tablename__ = "answer_template"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    opd_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey("opd.id"), nullable=False, index=True)
    title: orm.Mapped[str] = orm.mapped_column(sa.String(200), nullable=False)
    body: orm.Mapped[str] = orm.mapped_column(sa.Text, nullable=False)
    created_at: orm.Mapped[dt.datetime] = orm.mapped_column(UTCDateTime, nullable=False, default=utcnow)

    def __repr__(self) -> str:
        return f"<AnswerTemplate {self.title}>"


class BulkChange(db.Model):
    """One bulk action of the Kominfo queue, kept so it can be undone for a short while.

    ``items`` holds, per complaint, what the action changed from (status, OPD and the fields the
    action sets) and the version it left, so an undo restores exactly that and refuses a complaint
    changed since.
    """

    __tablename__ = "bulk_change"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    #: the action's key in the workspace (``arsip``, ``disposisi``, ``tunda``, ``verifikasi``)
    action: orm.Mapped[str] = orm.mapped_column(sa.String(32), nullable=False)
    actor_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey("user.id"), nullable=False)
    at: orm.Mapped[dt.datetime] = orm.mapped_column(UTCDateTime, nullable=False, default=utcnow)
    #: what was done, as shown to the user ("12 laporan diarsipkan (alasan: …)")
    summary: orm.Mapped[str] = orm.mapped_column(sa.Text, nullable=False, default="")
    #: ``[{"id": complaint id, "version": version after, "before": {field: value}}]``
    items: orm.Mapped[list[dict[str, Any]]] = orm.mapped_column(sa.JSON, nullable=False, default=list)
    undone_at: orm.Mapped[dt.datetime | None] = orm.mapped_column(UTCDateTime, nullable=True)

    actor: orm.Mapped[User] = orm.relationship()

    def __repr__(self) -> str:
        return f"<BulkChange {self.id} {self.action} n={len(self.items)}>"
