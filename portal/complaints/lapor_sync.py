"""SP4N-LAPOR! stays the system of record: what the portal did that LAPOR! does not show yet.

Every portal action an officer must repeat in LAPOR! (dispatch, follow-up, finish, postpone, archive,
forward, reopen, return, a complaint entered by staff) creates a :class:`LaporSyncItem` inside the
operation that changes the complaint (:mod:`portal.complaints.operations`, :mod:`.forwarding`,
:mod:`.entry`), so none is missed. The item is ticked off

- by the next import whose row shows LAPOR! has it (:func:`tick_from_row`: same status, same OPD,
  the follow-up's text present, the staff complaint's LAPOR! number merged), or
- by hand with a note (:func:`tick_by_hand`), or
- when a later action supersedes it (a second dispatch replaces the first), or when staff resolve an
  import conflict by taking LAPOR!'s version.

Pending items also tell the importer that the portal changed a complaint's status or OPD since
LAPOR! last agreed (:func:`pending_changes`): a file row that disagrees is then a conflict for staff to
resolve, never a silent overwrite. A staff-entered complaint (``PRV-`` number) gets its LAPOR!
number recorded in :class:`LaporLink`; the import merges that row into it.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import orm

from portal.complaints.models import Complaint, FollowUp, Status
from portal.core.db import UTCDateTime, str_enum, utcnow
from portal.extensions import db
from portal.people.models import OPD, User


class SyncKind(enum.StrEnum):
    """What an officer must do in LAPOR!."""

    LAPORAN_BARU = "laporan_baru"
    DISPOSISI = "disposisi"
    TINDAK_LANJUT = "tindak_lanjut"
    SELESAI = "selesai"
    TUNDA = "tunda"
    ARSIP = "arsip"
    DITERUSKAN = "diteruskan"
    DIBUKA_KEMBALI = "dibuka_kembali"
    DIKEMBALIKAN = "dikembalikan"

    @property
    def label(self) -> str:
        return SYNC_KIND_LABELS[self]


SYNC_KIND_LABELS = {
    SyncKind.LAPORAN_BARU: _l("Laporan dicatat petugas"),
    SyncKind.DISPOSISI: _l("Disposisi"),
    SyncKind.TINDAK_LANJUT: _l("Tindak lanjut"),
    SyncKind.SELESAI: _l("Selesai"),
    SyncKind.TUNDA: _l("Tunda"),
    SyncKind.ARSIP: _l("Arsip"),
    SyncKind.DITERUSKAN: _l("Diteruskan"),
    SyncKind.DIBUKA_KEMBALI: _l("Dibuka kembali"),
    SyncKind.DIKEMBALIKAN: _l("Dikembalikan ke admin"),
}

#: kinds that set the complaint's status in LAPOR! (a later one supersedes an earlier one)
STATUS_KINDS = frozenset({SyncKind.DISPOSISI, SyncKind.SELESAI, SyncKind.TUNDA, SyncKind.ARSIP,
                          SyncKind.DITERUSKAN, SyncKind.DIBUKA_KEMBALI, SyncKind.DIKEMBALIKAN})
#: kinds that set the complaint's OPD in LAPOR!
OPD_KINDS = frozenset({SyncKind.DISPOSISI, SyncKind.DITERUSKAN, SyncKind.DIKEMBALIKAN})


class Resolution(enum.StrEnum):
    """How an item left the worklist."""

    IMPORT = "import"  #: a later import showed LAPOR! has it
    MANUAL = "manual"  #: an officer ticked it off, with a note
    SUPERSEDED = "superseded"  #: a later portal action replaced it (or an undo cancelled it)
    LAPOR = "lapor"  #: an import conflict was resolved by taking LAPOR!'s version

    @property
    def label(self) -> str:
        return RESOLUTION_LABELS[self]


RESOLUTION_LABELS = {
    Resolution.IMPORT: _l("terlihat di impor LAPOR!"),
    Resolution.MANUAL: _l("ditandai petugas"),
    Resolution.SUPERSEDED: _l("digantikan tindakan berikutnya"),
    Resolution.LAPOR: _l("versi LAPOR! dipakai"),
}


class LaporSyncItem(db.Model):
    """One portal action not (yet) reflected in SP4N-LAPOR! ("Belum di LAPOR!")."""

    __tablename__ = "lapor_sync_item"
    __table_args__ = (
        # the worklist and its nav count: pending items only
        sa.Index("ix_lapor_sync_item_pending", "kind", "created_at",
                 sqlite_where=sa.text("resolution IS NULL"), postgresql_where=sa.text("resolution IS NULL")),
    )

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    #: the complaint acted on
    complaint_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey("complaint.id", ondelete="CASCADE"), nullable=False, index=True)
    #: what to do in LAPOR!
    kind: orm.Mapped[SyncKind] = orm.mapped_column(str_enum(SyncKind, 16), nullable=False)
    #: when the portal action happened
    created_at: orm.Mapped[dt.datetime] = orm.mapped_column(UTCDateTime, nullable=False, default=utcnow)
    #: who did it in the portal (``None``: the system, e.g. the automatic closure)
    actor_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("user.id"), nullable=True)
    #: the status LAPOR! should show afterwards (``None``: the action does not set one)
    expected_status: orm.Mapped[Status | None] = orm.mapped_column(str_enum(Status), nullable=True)
    #: the OPD LAPOR! should show afterwards (for OPD kinds; ``None`` there means no OPD)
    expected_opd_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("opd.id"), nullable=True)
    #: the follow-up to copy (tindak lanjut)
    followup_id: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("followup.id", ondelete="SET NULL"), nullable=True)
    #: what else the officer needs: the reason, the receiving instansi …
    detail: orm.Mapped[str | None] = orm.mapped_column(sa.Text, nullable=True)
    #: set when it left the worklist, with how (:class:`Resolution`), by whom and why
    resolved_at: orm.Mapped[dt.datetime | None] = orm.mapped_column(UTCDateTime, nullable=True)
    resolution: orm.Mapped[Resolution | None] = orm.mapped_column(str_enum(Resolution, 16), nullable=True)
    resolved_by_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("user.id"), nullable=True)
    note: orm.Mapped[str | None] = orm.mapped_column(sa.Text, nullable=True)
    #: the import that showed it (or resolved its conflict)
    batch_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("import_batch.id"), nullable=True)

    complaint: orm.Mapped[Complaint] = orm.relationship()
    expected_opd: orm.Mapped[OPD | None] = orm.relationship()
    followup: orm.Mapped[FollowUp | None] = orm.relationship()
    actor: orm.Mapped[User | None] = orm.relationship(foreign_keys=[actor_id])
    resolved_by: orm.Mapped[User | None] = orm.relationship(foreign_keys=[resolved_by_id])

    def __repr__(self) -> str:
        return f"<LaporSyncItem {self.id} {self.kind} complaint={self.complaint_id}>"

    @property
    def pending(self) -> bool:
        return self.resolution is None


class LaporLink(db.Model):
    """The SP4N-LAPOR! number of a complaint entered in the portal (``PRV-``), once entered there."""

    __tablename__ = "lapor_link"

    complaint_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey("complaint.id", ondelete="CASCADE"), primary_key=True)
    #: LAPOR!'s ``ID Laporan`` for it
    lapor_no: orm.Mapped[str] = orm.mapped_column(sa.String(40), unique=True, nullable=False)
    linked_at: orm.Mapped[dt.datetime] = orm.mapped_column(UTCDateTime, nullable=False, default=utcnow)
    linked_by_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("user.id"), nullable=True)
    #: when an import first merged LAPOR!'s row into the complaint
    merged_at: orm.Mapped[dt.datetime | None] = orm.mapped_column(UTCDateTime, nullable=True)

    complaint: orm.Mapped[Complaint] = orm.relationship()
    linked_by: orm.Mapped[User | None] = orm.relationship()

    def __repr__(self) -> str:
        return f"<LaporLink {self.lapor_no} complaint={self.complaint_id}>"


class LinkError(ValueError):
    """A LAPOR! number that cannot be recorded."""


# --- Created by the operations -----------------------------------------------------------------------

def note(complaint: Complaint, kind: SyncKind, actor: User | None, *, status: Status | None = None,
         opd_id: int | None = None, followup: FollowUp | None = None, detail: str | None = None,
         at: dt.datetime | None = None) -> LaporSyncItem:
    """Put a portal action on the worklist; an earlier pending one it replaces is superseded."""
    if kind in STATUS_KINDS and complaint.id is not None:
        supersede(complaint, kinds=STATUS_KINDS)
    item = LaporSyncItem(complaint=complaint, kind=kind, actor_id=actor.id if actor else None,
                         expected_status=status, expected_opd_id=opd_id, followup=followup,
                         detail=(detail or None), created_at=at or utcnow())
    db.session.add(item)
    return item


def supersede(complaint: Complaint, *, kinds: Iterable[SyncKind]) -> None:
    """Take the complaint's pending items of ``kinds`` off the worklist (a later action replaces them)."""
    db.session.flush()
    db.session.execute(
        sa.update(LaporSyncItem)
        .where(LaporSyncItem.complaint_id == complaint.id, LaporSyncItem.resolution.is_(None),
               LaporSyncItem.kind.in_(list(kinds)))
        .values(resolution=Resolution.SUPERSEDED, resolved_at=utcnow())
        .execution_options(synchronize_session="fetch"))


# --- Read by the importer --------------------------------------------------------------------------

def normalise_text(text: str | None) -> str:
    """A follow-up's text for comparison: case, spacing and punctuation-insensitive."""
    return " ".join(re.sub(r"[^\w]+", " ", (text or "").casefold()).split())


def same_followup(lapor_text: str | None, portal_text: str | None) -> bool:
    """LAPOR!'s follow-up shows the portal's (equal, or one contains the other once normalised)."""
    a, b = normalise_text(lapor_text), normalise_text(portal_text)
    return bool(a and b) and (a == b or b in a or a in b)


def pending_for(complaint_ids: list[int]) -> dict[int, list[Any]]:
    """Pending items (id, kind, expected status, expected OPD, follow-up text) per complaint."""
    if not complaint_ids:
        return {}
    t = LaporSyncItem.__table__
    ft = FollowUp.__table__
    out: dict[int, list[Any]] = {}
    for row in db.session.execute(
            sa.select(t.c.id, t.c.complaint_id, t.c.kind, t.c.expected_status, t.c.expected_opd_id,
                      ft.c.text.label("followup_text"))
            .outerjoin(ft, ft.c.id == t.c.followup_id)
            .where(t.c.complaint_id.in_(complaint_ids), t.c.resolution.is_(None))
            .order_by(t.c.complaint_id, t.c.id)):
        out.setdefault(row.complaint_id, []).append(row)
    return out


def pending_changes(items: list[Any]) -> tuple[bool, bool]:
    """Whether pending items changed the status, the OPD: the portal's work LAPOR! does not show."""
    status = any(i.expected_status is not None for i in items)
    opd = any(SyncKind(i.kind) in OPD_KINDS for i in items)
    return status, opd


def _as_status(value: Any) -> Status | None:
    return Status(value) if value is not None else None


def shown_by_row(item: Any, rec: dict[str, Any], present: set[str], linked: bool) -> bool:
    """Whether LAPOR!'s row (as normalised by the importer) shows the item's action."""
    kind = SyncKind(item.kind)
    if kind == SyncKind.LAPORAN_BARU:
        return linked
    if kind == SyncKind.TINDAK_LANJUT:
        if not same_followup(rec.get("_followup"), item.followup_text):
            return False
        return item.expected_status is None or "status" not in present or rec["status"] == _as_status(
            item.expected_status) or rec["status"] == Status.SELESAI
    if kind in OPD_KINDS and "opd_id" in present and rec.get("opd_id") != item.expected_opd_id:
        return False
    if kind == SyncKind.DISPOSISI:  # the OPD is the point; LAPOR!'s OPD may have answered since
        return "opd_id" in present and rec["status"] != Status.BELUM_TERVERIFIKASI
    if item.expected_status is not None and "status" in present:
        return rec["status"] == _as_status(item.expected_status)
    return kind in OPD_KINDS and "opd_id" in present


# --- Written by the importer (Core, inside its transaction) ----------------------------------------

def resolve_rows(rows: list[dict[str, Any]]) -> None:
    """Tick items off: ``[{"b_id", "b_resolution", "b_at", "b_by", "b_batch", "b_note"}]``."""
    if not rows:
        return
    t = LaporSyncItem.__table__
    db.session.execute(
        sa.update(t).where(t.c.id == sa.bindparam("b_id")).values(
            resolution=sa.bindparam("b_resolution"), resolved_at=sa.bindparam("b_at"),
            resolved_by_id=sa.bindparam("b_by"), batch_id=sa.bindparam("b_batch"),
            note=sa.bindparam("b_note")),
        rows)


def links_for(numbers: list[str]) -> dict[str, tuple[int, dt.datetime | None]]:
    """LAPOR! number → (the staff-entered complaint it was recorded for, when an import first merged it)."""
    if not numbers:
        return {}
    return {no: (cid, merged) for no, cid, merged in db.session.execute(
        sa.select(LaporLink.lapor_no, LaporLink.complaint_id, LaporLink.merged_at)
        .where(LaporLink.lapor_no.in_(numbers)))}


def mark_merged(complaint_ids: list[int], at: dt.datetime) -> None:
    if complaint_ids:
        db.session.execute(
            sa.update(LaporLink).where(LaporLink.complaint_id.in_(complaint_ids), LaporLink.merged_at.is_(None))
            .values(merged_at=at).execution_options(synchronize_session=False))


# --- Staff actions ---------------------------------------------------------------------------------

LAPOR_NO = re.compile(r"^\d{4,40}$")


def link(complaint: Complaint, lapor_no: str, actor: User) -> LaporLink:
    """Record the LAPOR! number a staff-entered complaint got there; the next import merges its row."""
    from portal.complaints.operations import record_event
    from portal.complaints.tracking import STAFF_PREFIX

    number = (lapor_no or "").strip()
    if not complaint.tracking_no.upper().startswith(STAFF_PREFIX):
        raise LinkError(_("Hanya laporan yang dicatat petugas (nomor %(p)s) yang ditautkan ke nomor LAPOR!.",
                          p=STAFF_PREFIX))
    if not LAPOR_NO.match(number):
        raise LinkError(_("Nomor LAPOR! terdiri dari angka saja (4–40 digit)."))
    other = db.session.scalar(sa.select(Complaint.tracking_no).where(Complaint.tracking_no == number))
    if other is not None:
        raise LinkError(_("Nomor LAPOR! %(n)s sudah ada di portal sebagai laporan tersendiri (hasil impor); "
                          "arsipkan salah satunya sebagai duplikat.", n=number))
    taken = db.session.scalar(sa.select(LaporLink).where(LaporLink.lapor_no == number))
    if taken is not None and taken.complaint_id != complaint.id:
        raise LinkError(_("Nomor LAPOR! %(n)s sudah ditautkan ke laporan %(t)s.", n=number,
                          t=taken.complaint.tracking_no))
    current = db.session.get(LaporLink, complaint.id)
    if current is not None and current.merged_at is not None:
        raise LinkError(_("Laporan ini sudah digabung dengan baris LAPOR! %(n)s.", n=current.lapor_no))
    old = current.lapor_no if current else None
    if old == number:
        return current
    if current is None:
        current = LaporLink(complaint_id=complaint.id, lapor_no=number, linked_by_id=actor.id)
        db.session.add(current)
    else:
        current.lapor_no = number
        current.linked_by_id = actor.id
        current.linked_at = utcnow()
    record_event(complaint, "lapor_linked", actor, changes={"lapor_no": [old, number]}, public=False)
    complaint.updated_at = utcnow()  # a new version: reports compiled from the period see the change
    db.session.flush()
    return current


def tick_by_hand(item: LaporSyncItem, actor: User, text: str) -> None:
    """An officer confirms the action is in LAPOR!; the note says what was done (recorded)."""
    from portal.complaints.operations import TransitionError, record_event

    text = (text or "").strip()
    if not text:
        raise TransitionError(_("catatan wajib diisi"))
    if not item.pending:
        raise TransitionError(_("butir ini sudah selesai"))
    item.resolution = Resolution.MANUAL
    item.resolved_at = utcnow()
    item.resolved_by_id = actor.id
    item.note = text
    record_event(item.complaint, "lapor_synced", actor, changes={"kind": item.kind.value, "item": item.id},
                 note=text, public=False)


def pending_count() -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(LaporSyncItem).where(LaporSyncItem.resolution.is_(None))) or 0


def instruction(item: LaporSyncItem) -> str:
    """What the officer must enter in LAPOR!, in plain words."""
    c = item.complaint
    kind = item.kind
    opd = item.expected_opd.name if item.expected_opd else None
    if kind == SyncKind.LAPORAN_BARU:
        return _("Masukkan laporan ini ke SP4N-LAPOR! (kanal %(ch)s, tanggal laporan sesuai aslinya), lalu catat "
                 "nomor LAPOR!-nya di halaman laporan agar impor berikutnya menggabungkannya.",
                 ch=_(c.channel.label))
    if kind == SyncKind.DISPOSISI:
        return _("Di SP4N-LAPOR!, verifikasi dan disposisikan laporan ke %(opd)s.", opd=opd or "–")
    if kind == SyncKind.TINDAK_LANJUT:
        return _("Salin tindak lanjut ini ke SP4N-LAPOR! sebagai tanggapan %(opd)s.",
                 opd=(c.opd.name if c.opd else _("instansi")))
    if kind == SyncKind.SELESAI:
        return _("Ubah status laporan di SP4N-LAPOR! menjadi Selesai.")
    if kind == SyncKind.TUNDA:
        return _("Tunda laporan di SP4N-LAPOR! dan tulis alasannya.")
    if kind == SyncKind.ARSIP:
        return _("Arsipkan laporan di SP4N-LAPOR! dan tulis alasannya.")
    if kind == SyncKind.DITERUSKAN:
        return _("Teruskan laporan di SP4N-LAPOR! ke instansi yang berwenang: %(to)s.", to=item.detail or "–")
    if kind == SyncKind.DIBUKA_KEMBALI:
        status = item.expected_status.label if item.expected_status else ""
        return _("Buka kembali laporan di SP4N-LAPOR! (status %(s)s).", s=_(status))
    return _("Kembalikan laporan ke admin di SP4N-LAPOR! (bukan kewenangan OPD) untuk didisposisikan ulang.")


def panel(complaint: Complaint) -> dict[str, Any]:
    """The complaint page's SP4N-LAPOR! card: its pending items and, for a staff entry, its LAPOR! number."""
    from portal.complaints.tracking import STAFF_PREFIX

    pending = list(db.session.scalars(
        sa.select(LaporSyncItem).where(LaporSyncItem.complaint_id == complaint.id,
                                       LaporSyncItem.resolution.is_(None)).order_by(LaporSyncItem.id)))
    return {"staff": complaint.tracking_no.upper().startswith(STAFF_PREFIX),
            "link": db.session.get(LaporLink, complaint.id), "pending": pending, "instruction": instruction}


def counts_by_kind() -> dict[SyncKind, int]:
    rows = db.session.execute(
        sa.select(LaporSyncItem.kind, sa.func.count()).where(LaporSyncItem.resolution.is_(None))
        .group_by(LaporSyncItem.kind)).all()
    return {SyncKind(k): n for k, n in rows}

