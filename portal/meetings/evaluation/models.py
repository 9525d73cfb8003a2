"""The SK Tim Koordinasi register and the rencana aksi (docs/DOMAIN.md §11, §13)."""

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


class TeamRole(enum.StrEnum):
    """A member's role in the Tim Koordinasi, in the decree's order (docs/DOMAIN.md §13)."""

    PEMBINA = "pembina"
    PENGARAH = "pengarah"
    PENANGGUNG_JAWAB = "penanggung_jawab"
    KETUA = "ketua"
    SEKRETARIS = "sekretaris"
    ANGGOTA = "anggota"
    TIM_ADMIN = "tim_admin"
    PEJABAT_PENGHUBUNG = "pejabat_penghubung"

    @property
    def label(self) -> LazyString:
        return {"pembina": _l("Pembina"), "pengarah": _l("Pengarah"),
                "penanggung_jawab": _l("Penanggung Jawab"), "ketua": _l("Ketua"), "sekretaris": _l("Sekretaris"),
                "anggota": _l("Anggota"), "tim_admin": _l("Tim Admin"),
                "pejabat_penghubung": _l("Pejabat Penghubung")}[self.value]

    @property
    def order(self) -> int:
        return list(TeamRole).index(self)


class SkTim(db.Model):
    """A decree (Surat Keputusan) appointing the Tim Koordinasi Pengelola SP4N-LAPOR!."""

    __tablename__ = "sk_tim"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    #: the decree's number, e.g. ``800/Kep.123-Huk/2026``
    number: orm.Mapped[str] = orm.mapped_column(sa.String(120), nullable=False)
    #: what it is about (tentang …)
    title: orm.Mapped[str] = orm.mapped_column(sa.String(500), nullable=False)
    #: the date it was signed (ditetapkan)
    decree_date: orm.Mapped[dt.date] = orm.mapped_column(sa.Date, nullable=False, index=True)
    #: who issued it, e.g. ``Gubernur Banten``
    issuer: orm.Mapped[str] = orm.mapped_column(sa.String(200), nullable=False)
    #: first day it applies
    valid_from: orm.Mapped[dt.date] = orm.mapped_column(sa.Date, nullable=False)
    #: last day it applies; ``None`` until replaced
    valid_to: orm.Mapped[dt.date | None] = orm.mapped_column(sa.Date, nullable=True)
    created_at: orm.Mapped[dt.datetime] = orm.mapped_column(UTCDateTime, nullable=False, default=utcnow)
    #: when the register entry (or one of its members) was last changed
    updated_at: orm.Mapped[dt.datetime] = orm.mapped_column(
        UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow
    )
    updated_by_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("user.id"), nullable=True)

    members: orm.Mapped[list[SkTimMember]] = orm.relationship(
        back_populates="sk", cascade="all, delete-orphan", order_by="(SkTimMember.role_order, SkTimMember.id)"
    )
    updated_by: orm.Mapped[User | None] = orm.relationship()

    def __repr__(self) -> str:
        return f"<SkTim {self.id} {self.decree_date}>"


class SkTimMember(db.Model):
    """A named member of the team with a role (and the OPD of a pejabat penghubung)."""

    __tablename__ = "sk_tim_member"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    sk_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey("sk_tim.id", ondelete="CASCADE"), nullable=False,
                                               index=True)
    role: orm.Mapped[TeamRole] = orm.mapped_column(str_enum(TeamRole, 32), nullable=False)
    #: the role's place in the decree's order (kept with the role, for sorting)
    role_order: orm.Mapped[int] = orm.mapped_column(sa.SmallInteger, nullable=False, default=0)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(200), nullable=False)
    #: position (jabatan), e.g. ``Kepala Dinas``
    position: orm.Mapped[str | None] = orm.mapped_column(sa.String(200), nullable=True)
    opd_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("opd.id"), nullable=True)

    sk: orm.Mapped[SkTim] = orm.relationship(back_populates="members")
    opd: orm.Mapped[OPD | None] = orm.relationship()

    def __repr__(self) -> str:
        return f"<SkTimMember {self.role} sk={self.sk_id}>"


class RencanaAksi(db.Model):
    """The instansi's action plan for SP4N-LAPOR! management of one year (PermenPANRB 46/2020)."""

    __tablename__ = "rencana_aksi"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    year: orm.Mapped[int] = orm.mapped_column(sa.SmallInteger, nullable=False, unique=True)
    title: orm.Mapped[str] = orm.mapped_column(sa.String(500), nullable=False)
    #: the day it was adopted (ditetapkan); ``None`` while still a draft
    adopted_on: orm.Mapped[dt.date | None] = orm.mapped_column(sa.Date, nullable=True)
    created_at: orm.Mapped[dt.datetime] = orm.mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: orm.Mapped[dt.datetime] = orm.mapped_column(
        UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow
    )

    items: orm.Mapped[list[RencanaAksiItem]] = orm.relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="RencanaAksiItem.id"
    )

    def __repr__(self) -> str:
        return f"<RencanaAksi {self.year}>"


class RencanaAksiItem(db.Model):
    """One activity of the plan, with its owner, due date and progress."""

    __tablename__ = "rencana_aksi_item"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    plan_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey("rencana_aksi.id", ondelete="CASCADE"),
                                                 nullable=False, index=True)
    title: orm.Mapped[str] = orm.mapped_column(sa.String(500), nullable=False)
    #: the owning OPD; ``None`` when the Admin Instansi (Diskominfo) owns it
    owner_opd_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("opd.id"), nullable=True)
    due_date: orm.Mapped[dt.date] = orm.mapped_column(sa.Date, nullable=False)
    #: 0–100 %
    progress: orm.Mapped[int] = orm.mapped_column(sa.SmallInteger, nullable=False, default=0)
    #: the latest progress note
    note: orm.Mapped[str | None] = orm.mapped_column(sa.Text, nullable=True)
    #: when the item reached 100 %
    done_on: orm.Mapped[dt.date | None] = orm.mapped_column(sa.Date, nullable=True)
    updated_at: orm.Mapped[dt.datetime] = orm.mapped_column(
        UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow
    )

    __table_args__ = (sa.CheckConstraint("progress BETWEEN 0 AND 100", name="progress_range"),)

    plan: orm.Mapped[RencanaAksi] = orm.relationship(back_populates="items")
    owner_opd: orm.Mapped[OPD | None] = orm.relationship()

    def __repr__(self) -> str:
        return f"<RencanaAksiItem {self.id} plan={self.plan_id} {self.progress}%>"

    @property
    def is_done(self) -> bool:
        return self.progress >= 100
