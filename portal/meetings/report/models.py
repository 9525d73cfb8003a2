"""Models of the compiled rakor report (docs/DOMAIN.md §10): one report per meeting, draft → approved → published."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import orm

from portal.core.db import UTCDateTime, str_enum, utcnow
from portal.extensions import db
from portal.people.models import User


class ReportStatus(enum.StrEnum):
    """Where the report is: figures live while a draft, frozen from approval on."""

    DRAFT = "draft"
    APPROVED = "approved"
    PUBLISHED = "published"

    @property
    def label(self) -> LazyString:
        return {"draft": _l("Draf"), "approved": _l("Disetujui"), "published": _l("Diterbitkan")}[self.value]


#: the sections staff write in the portal (Tabel 2 components 4–6), in report order
WRITTEN_SECTIONS = ("analysis_delay", "analysis_themes", "improvement_plan")


class ReportWorkflow:
    """What both reports share (:mod:`portal.meetings.report.workflow`): the status, the written
    sections, the figures frozen at approval, the latest PDF and who wrote, approved and published."""

    status: orm.Mapped[ReportStatus] = orm.mapped_column(
        str_enum(ReportStatus, 16), nullable=False, default=ReportStatus.DRAFT
    )
    #: Tabel 2 (4): analysis of the causes of delay (Markdown)
    analysis_delay: orm.Mapped[str] = orm.mapped_column(sa.Text, nullable=False, default="")
    #: Tabel 2 (5): gender, disability and vulnerable-group themes (Markdown)
    analysis_themes: orm.Mapped[str] = orm.mapped_column(sa.Text, nullable=False, default="")
    #: Tabel 2 (6): the improvement plan for the next three months (Markdown)
    improvement_plan: orm.Mapped[str] = orm.mapped_column(sa.Text, nullable=False, default="")
    #: every figure of the report, frozen at approval (``None`` while a draft)
    figures: orm.Mapped[dict[str, Any] | None] = orm.mapped_column(sa.JSON, nullable=True)
    #: sha256 of the canonical JSON of the frozen figures (source fingerprint included)
    data_hash: orm.Mapped[str | None] = orm.mapped_column(sa.String(64), nullable=True)
    #: the latest PDF: of the draft while a draft, the final one from approval on
    pdf: orm.Mapped[bytes | None] = orm.mapped_column(sa.LargeBinary, nullable=True, deferred=True)
    pdf_sha256: orm.Mapped[str | None] = orm.mapped_column(sa.String(64), nullable=True)
    pdf_size: orm.Mapped[int | None] = orm.mapped_column(sa.Integer, nullable=True)
    pdf_generated_at: orm.Mapped[dt.datetime | None] = orm.mapped_column(UTCDateTime, nullable=True)
    created_at: orm.Mapped[dt.datetime] = orm.mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: orm.Mapped[dt.datetime] = orm.mapped_column(
        UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow
    )
    updated_by_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("user.id"), nullable=True)
    approved_at: orm.Mapped[dt.datetime | None] = orm.mapped_column(UTCDateTime, nullable=True)
    approved_by_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("user.id"), nullable=True)
    published_at: orm.Mapped[dt.datetime | None] = orm.mapped_column(UTCDateTime, nullable=True)
    published_by_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("user.id"), nullable=True)

    @property
    def is_frozen(self) -> bool:
        return self.status != ReportStatus.DRAFT

    def written(self) -> dict[str, str]:
        return {k: getattr(self, k) or "" for k in WRITTEN_SECTIONS}


class RakorReport(ReportWorkflow, db.Model):
    """The semiannual report of a rakor, to the Governor and leadership (docs/DOMAIN.md §10)."""

    __tablename__ = "rakor_report"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    meeting_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey("meeting.id"), unique=True, nullable=False)
    #: the latest generation job, for its progress bar
    pdf_job_id: orm.Mapped[str | None] = orm.mapped_column(sa.String(36), nullable=True)

    meeting = orm.relationship("Meeting")
    approved_by: orm.Mapped[User | None] = orm.relationship(foreign_keys="RakorReport.approved_by_id")
    published_by: orm.Mapped[User | None] = orm.relationship(foreign_keys="RakorReport.published_by_id")
    updated_by: orm.Mapped[User | None] = orm.relationship(foreign_keys="RakorReport.updated_by_id")

    def __repr__(self) -> str:
        return f"<RakorReport {self.id} meeting={self.meeting_id} {self.status}>"


class PeriodicKind(enum.StrEnum):
    """The reports of the cycle besides the semiannual rakor report (docs/DOMAIN.md §9)."""

    QUARTERLY = "quarterly"  #: Tabel 2 for calendar quarter TW I–IV
    ANNUAL = "annual"  #: the year's evaluation, 1 January–30 November, to the Inspektorat

    @property
    def label(self) -> LazyString:
        return {"quarterly": _l("Laporan Triwulan"), "annual": _l("Evaluasi Tahunan")}[self.value]


class PeriodicReport(ReportWorkflow, db.Model):
    """A quarterly report (Tabel 2) or the annual evaluation: draft → approved → published."""

    __tablename__ = "periodic_report"
    __table_args__ = (
        sa.UniqueConstraint("kind", "year", "quarter"),
        sa.CheckConstraint("quarter BETWEEN 0 AND 4", name="quarter_range"),
    )

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    kind: orm.Mapped[PeriodicKind] = orm.mapped_column(str_enum(PeriodicKind, 16), nullable=False)
    year: orm.Mapped[int] = orm.mapped_column(sa.SmallInteger, nullable=False)
    #: TW 1–4 for a quarterly report, 0 for the annual evaluation
    quarter: orm.Mapped[int] = orm.mapped_column(sa.SmallInteger, nullable=False, default=0)

    approved_by: orm.Mapped[User | None] = orm.relationship(foreign_keys="PeriodicReport.approved_by_id")
    published_by: orm.Mapped[User | None] = orm.relationship(foreign_keys="PeriodicReport.published_by_id")

    def __repr__(self) -> str:
        return f"<PeriodicReport {self.kind} {self.year} q{self.quarter} {self.status}>"
