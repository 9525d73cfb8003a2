"""Reconciling import: LAPOR! stays the record without silently discarding the portal's own work.

Conflicts (status/OPD changed in the portal since LAPOR! last agreed, and the file disagrees), the
merge of follow-ups, the worklist ticked off by an import, staff-entered complaints merged by their
recorded LAPOR! number (SQLite and PostgreSQL).
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.complaints import entry, lapor_sync
from portal.complaints import operations as ops
from portal.complaints.importing import runs
from portal.complaints.importing.writing import TAKE_LAPOR, Importer
from portal.complaints.lapor_sync import LaporLink, LaporSyncItem, Resolution, SyncKind
from portal.complaints.models import Channel, Complaint, ComplaintEvent, ComplaintType, FollowUp, Status
from portal.extensions import db
from tests.complaints.importing.conftest import row

DISPATCHED = {"Status": "Belum Ditindaklanjuti", "Instansi_Tujuan": "DPUPR",
              "Tanggal_Verifikasi": "2025-02-03 10:00", "Tanggal_Disposisi": "2025-02-04 10:00"}


def run(path, **kw):
    result = runs.import_file(path, **kw)
    assert result.ok, result.errors
    if not kw.get("dry_run"):
        db.session.commit()
    return result


def get(no: str) -> Complaint:
    db.session.expire_all()
    return db.session.scalar(sa.select(Complaint).where(Complaint.tracking_no == no))


def items(c: Complaint, kind: SyncKind | None = None) -> list[LaporSyncItem]:
    q = sa.select(LaporSyncItem).where(LaporSyncItem.complaint_id == c.id).order_by(LaporSyncItem.id)
    if kind:
        q = q.where(LaporSyncItem.kind == kind)
    return list(db.session.scalars(q))


def events(c: Complaint, kind: str) -> list[ComplaintEvent]:
    return list(db.session.scalars(sa.select(ComplaintEvent).where(
        ComplaintEvent.complaint_id == c.id, ComplaintEvent.kind == kind).order_by(ComplaintEvent.id)))


@pytest.fixture
def answered(export, opds, make):
    """An imported complaint the OPD answered in the portal (Proses), LAPOR! not yet told."""
    path = export([row(**DISPATCHED)])
    run(path)
    liaison = make.user("opd", opd=opds["DPUPR"])
    c = get("7000001")
    ops.add_followup(c, liaison, "Lubang sudah ditambal oleh UPT Jalan.")
    db.session.commit()
    return path, get("7000001")


def test_portal_actions_put_items_on_the_worklist(answered):
    _path, c = answered
    (item,) = items(c)
    assert item.kind == SyncKind.TINDAK_LANJUT and item.pending and item.expected_status == Status.PROSES
    assert item.followup.text.startswith("Lubang")
    assert "Salin tindak lanjut" in lapor_sync.instruction(item)


def test_a_stale_lapor_row_is_a_conflict_kept_on_the_portal_side_by_default(answered):
    path, c = answered
    preview = run(path, dry_run=True)
    assert preview.conflicts == [{"id": "7000001", "complaint": "7000001",
                                  "fields": {"status": ["proses", "belum_ditindaklanjuti"]}, "side": "portal"}]
    result = run(path)
    assert len(result.conflicts) == 1
    c = get("7000001")
    assert c.status == Status.PROSES and [f.text for f in c.followups] == ["Lubang sudah ditambal oleh UPT Jalan."]
    (ev,) = events(c, "lapor_conflict")
    assert ev.changes["side"] == "portal" and ev.changes["status"] == ["proses", "belum_ditindaklanjuti"]
    assert items(c)[0].pending  # LAPOR! still lacks the follow-up


def test_taking_lapor_applies_its_status_but_keeps_the_portal_follow_up(answered):
    path, c = answered
    result = run(path, default_side=TAKE_LAPOR)
    assert result.conflicts[0]["side"] == "lapor"
    c = get("7000001")
    assert c.status == Status.BELUM_DITINDAKLANJUTI
    assert [f.text for f in c.followups] == ["Lubang sudah ditambal oleh UPT Jalan."]  # never discarded
    assert items(c)[0].pending  # the text must still be entered in LAPOR!


def test_a_per_row_choice_is_applied_and_recorded_with_who(export, opds, make):
    kominfo = make.user("kominfo")
    path = export([row(**DISPATCHED), row(**{**DISPATCHED, "ID_Laporan": "7000002"})])
    run(path)
    for no in ("7000001", "7000002"):
        ops.archive(get(no), kominfo, "Tidak jelas")
    db.session.commit()
    result = run(path, resolutions={"7000002": {"side": "lapor", "by": kominfo.id, "at": "2025-03-01"}})
    sides = {c["id"]: c["side"] for c in result.conflicts}
    assert sides == {"7000001": "portal", "7000002": "lapor"}
    assert get("7000001").status == Status.ARSIP
    c2 = get("7000002")
    assert c2.status == Status.BELUM_DITINDAKLANJUTI
    (ev,) = events(c2, "lapor_conflict")
    assert ev.actor_id == kominfo.id and ev.changes["side"] == "lapor"
    (item,) = items(c2, SyncKind.ARSIP)
    assert item.resolution == Resolution.LAPOR and item.resolved_by_id == kominfo.id


def test_when_lapor_shows_the_portal_work_it_is_ticked_off_and_not_duplicated(answered, export):
    _path, c = answered
    caught_up = export([row(**{**DISPATCHED, "Status": "Proses", "Tanggal_Tindak_Lanjut": "2025-02-06 09:00",
                               "Tindak_Lanjut": "lubang sudah ditambal oleh UPT jalan"})])
    result = run(caught_up)
    assert result.conflicts == [] and result.synced == 1
    c = get("7000001")
    assert c.status == Status.PROSES and len(c.followups) == 1  # the same text, merged
    (item,) = items(c)
    assert item.resolution == Resolution.IMPORT and item.batch_id is None and item.resolved_at is not None


def test_without_portal_work_lapor_newer_data_applies(export, opds):
    run(export([row(**DISPATCHED)]))
    result = run(export([row(**{**DISPATCHED, "Status": "Selesai", "Tanggal_Selesai": "2025-02-10",
                                "Tindak_Lanjut": "Selesai ditangani."})]))
    assert result.conflicts == [] and result.updated == 1
    assert get("7000001").status == Status.SELESAI


def test_a_portal_dispatch_conflicts_on_the_opd(export, opds, make):
    path = export([row(Status="Belum Terverifikasi")])
    run(path)
    ops.verify(get("7000001"), make.user("kominfo"), opd=opds["DINKES"])
    db.session.commit()
    stale = export([row(**DISPATCHED)])  # LAPOR! dispatched it elsewhere
    result = run(stale, dry_run=True)
    assert result.conflicts[0]["fields"] == {"opd": ["DINKES", "DPUPR"]}
    run(stale)
    c = get("7000001")
    assert c.opd.code == "DINKES" and c.status == Status.BELUM_DITINDAKLANJUTI
    # LAPOR! later agrees: the item is ticked off
    run(export([row(**{**DISPATCHED, "Instansi_Tujuan": "DINKES"})]))
    (item,) = items(get("7000001"), SyncKind.DISPOSISI)
    assert item.resolution == Resolution.IMPORT


def test_a_dry_run_writes_nothing(answered):
    path, _c = answered
    run(path, dry_run=True)
    assert events(get("7000001"), "lapor_conflict") == [] and items(get("7000001"))[0].pending


def test_a_later_action_supersedes_an_earlier_pending_one(export, opds, make):
    run(export([row(Status="Belum Terverifikasi")]))
    kominfo = make.user("kominfo")
    c = get("7000001")
    ops.verify(c, kominfo, opd=opds["DINKES"])
    ops.dispatch(c, kominfo, opds["DPUPR"])
    db.session.commit()
    kinds = [(i.kind, i.resolution, i.expected_opd_id) for i in items(get("7000001"))]
    assert kinds == [(SyncKind.DISPOSISI, Resolution.SUPERSEDED, opds["DINKES"].id),
                     (SyncKind.DISPOSISI, None, opds["DPUPR"].id)]


def staff_complaint(make) -> tuple[Complaint, object]:
    kominfo = make.user("kominfo")
    c = entry.create(entry.NewComplaint(channel=Channel.TATAP_MUKA, type=ComplaintType.PENGADUAN,
                                        text="Jalan berlubang di depan pasar."), kominfo)
    db.session.commit()
    return c, kominfo


def test_a_linked_staff_complaint_is_merged_not_duplicated(export, opds, make):
    c, kominfo = staff_complaint(make)
    (new_item,) = items(c)
    assert new_item.kind == SyncKind.LAPORAN_BARU and "catat nomor LAPOR!" in lapor_sync.instruction(new_item)
    lapor_sync.link(c, "7000001", kominfo)
    db.session.commit()
    result = run(export([row(**DISPATCHED)]))
    assert (result.created, result.updated) == (0, 1)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Complaint)) == 1
    merged = get(c.tracking_no)
    assert merged.tracking_no.startswith("PRV-") and merged.status == Status.BELUM_DITINDAKLANJUTI
    assert merged.opd.code == "DPUPR" and merged.source == "staff"
    assert items(merged)[0].resolution == Resolution.IMPORT
    assert db.session.get(LaporLink, merged.id).merged_at is not None
    assert [e.kind for e in merged.events].count("lapor_merged") == 1
    assert run(export([row(**DISPATCHED)])).unchanged == 1  # and stays merged


def test_link_refuses_bad_or_taken_numbers(export, opds, make):
    c, kominfo = staff_complaint(make)
    run(export([row(ID_Laporan="7000005")]))
    for bad in ("", "PRV-2025-1", "12a45", "7000005"):
        with pytest.raises(lapor_sync.LinkError):
            lapor_sync.link(c, bad, kominfo)
    with pytest.raises(lapor_sync.LinkError):
        lapor_sync.link(get("7000005"), "7000009", kominfo)  # only staff-entered complaints
    lapor_sync.link(c, "7000009", kominfo)
    (ev,) = events(c, "lapor_linked")
    assert ev.changes == {"lapor_no": [None, "7000009"]} and ev.actor_id == kominfo.id


def test_tick_by_hand_needs_a_note_and_is_recorded(make, opds):
    c, kominfo = staff_complaint(make)
    (item,) = items(c)
    with pytest.raises(ops.TransitionError):
        lapor_sync.tick_by_hand(item, kominfo, " ")
    lapor_sync.tick_by_hand(item, kominfo, "Sudah dientri, nomor belum keluar")
    assert item.resolution == Resolution.MANUAL and item.resolved_by_id == kominfo.id
    assert events(c, "lapor_synced")[0].note == "Sudah dientri, nomor belum keluar"


def test_importer_refuses_an_unknown_side(export):
    with pytest.raises(ValueError):
        Importer(export([row()]), default_side="both")


def test_follow_ups_merge_by_content(export, opds):
    run(export([row(**DISPATCHED, Tindak_Lanjut="Sudah dicek.")]))
    run(export([row(**DISPATCHED, Tindak_Lanjut="Perbaikan dijadwalkan.")]))
    run(export([row(**DISPATCHED, Tindak_Lanjut="Sudah  dicek")]))  # an older text again: not re-added
    texts = db.session.scalars(sa.select(FollowUp.text).order_by(FollowUp.id)).all()
    assert texts == ["Sudah dicek.", "Perbaikan dijadwalkan."]
