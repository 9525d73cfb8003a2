"""OPDs (agencies and their units), staff accounts with their roles, and the liaison roster."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy import orm
from werkzeug.security import check_password_hash, generate_password_hash

from portal.core.db import UTCDateTime, str_enum, utcnow
from portal.extensions import db


class Role(enum.StrEnum):
    """What a signed-in user may do."""

    KOMINFO = "kominfo"  #: provincial admin (Admin Instansi, Diskominfo)
    OPD = "opd"  #: liaison officer (pejabat penghubung) of one OPD
    PIMPINAN = "pimpinan"  #: leadership: reads reports
    OMBUDSMAN = "ombudsman"  #: oversight: reads everything, changes nothing


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


class AccountChange(enum.StrEnum):
    """What a handover dated in the future does to the outgoing liaison's account on its first day."""

    DEACTIVATE = "deactivate"  #: the account is deactivated (and signed out everywhere)
    DETACH = "detach"  #: the account loses the OPD (and stays active)


class Liaison(db.Model):
    """A term of a liaison officer (pejabat penghubung) at an OPD: handovers are history.

    A handover dated in the future changes no account when it is recorded: the outgoing term keeps
    ``pending_account`` and the incoming one ``pending_opd`` until the handover's first day, when
    :func:`portal.people.liaisons.apply_due_handovers` makes the change and clears them. A term that ends
    before it began (``valid_to < valid_from``) was cancelled: replaced before its start.
    """

    __tablename__ = "liaison"
    __table_args__ = (sa.Index("ix_liaison_opd_current", "opd_id", "valid_to"), sa.Index("ix_liaison_user", "user_id"))

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    opd_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey("opd.id"), nullable=False)
    user_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey("user.id"), nullable=False)
    #: first day of the term
    valid_from: orm.Mapped[dt.date] = orm.mapped_column(sa.Date, nullable=False)
    #: last day of the term; ``None`` while current
    valid_to: orm.Mapped[dt.date | None] = orm.mapped_column(sa.Date, nullable=True)
    #: e.g. the SK number that appointed them
    note: orm.Mapped[str | None] = orm.mapped_column(sa.Text, nullable=True)
    #: still to happen to this term's account the day after ``valid_to`` (a handover dated in the future)
    pending_account: orm.Mapped[AccountChange | None] = orm.mapped_column(str_enum(AccountChange, 16), nullable=True)
    #: the account still has to get this OPD on ``valid_from`` (a term starting in the future)
    pending_opd: orm.Mapped[bool] = orm.mapped_column(sa.Boolean, nullable=False, default=False,
                                                      server_default=sa.false())
    #: who recorded the handover whose account change is pending: the actor of its audit rows
    pending_by_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("user.id"), nullable=True)

    opd: orm.Mapped[OPD] = orm.relationship()
    user: orm.Mapped[User] = orm.relationship(foreign_keys=[user_id])
    pending_by: orm.Mapped[User | None] = orm.relationship(foreign_keys=[pending_by_id])

    @property
    def cancelled(self) -> bool:
        """Replaced before it began: the term never served."""
        return self.valid_to is not None and self.valid_to < self.valid_from

    def __repr__(self) -> str:
        return f"<Liaison opd={self.opd_id} user={self.user_id} {self.valid_from}..{self.valid_to}>"
