"""Every portal action LAPOR! must repeat creates its "Belum di LAPOR!" item inside the operation."""

from __future__ import annotations

import sqlalchemy as sa

from portal.complaints import forwarding
from portal.complaints import operations as ops
from portal.complaints.lapor_sync import LaporSyncItem, Resolution, SyncKind, instruction, same_followup
from portal.complaints.models import Instansi, Status
from portal.extensions import db


def kinds(c) -> list[tuple[SyncKind, Status | None, Resolution | None]]:
    db.session.flush()
    return [(i.kind, i.expected_status, i.resolution) for i in db.session.scalars(
        sa.select(LaporSyncItem).where(LaporSyncItem.complaint_id == c.id).order_by(LaporSyncItem.id))]


def test_each_operation_leaves_an_item_and_supersedes_the_previous_status(make):
    opd = make.opd("DPUPR", "Dinas PUPR")
    kominfo, liaison = make.user("kominfo"), make.user("opd", opd=opd)
    c = make.complaint()
    ops.verify(c, kominfo)
    assert kinds(c) == []  # verifying alone changes nothing LAPOR! shows
    ops.dispatch(c, kominfo, opd)
    ops.add_followup(c, liaison, "Sudah dicek ke lokasi.")
    ops.finish(c, None, note="otomatis")  # the automatic closure too
    ops.reopen(c, kominfo)
    ops.postpone(c, kominfo, "Menunggu berkas")
    ops.archive(c, kominfo, "Tidak jelas")
    S, K, R = Status, SyncKind, Resolution
    assert kinds(c) == [
        (K.DISPOSISI, S.BELUM_DITINDAKLANJUTI, R.SUPERSEDED), (K.TINDAK_LANJUT, S.PROSES, None),
        (K.SELESAI, S.SELESAI, R.SUPERSEDED), (K.DIBUKA_KEMBALI, S.PROSES, R.SUPERSEDED),
        (K.TUNDA, S.TUNDA, R.SUPERSEDED), (K.ARSIP, S.ARSIP, None)]
    items = db.session.scalars(sa.select(LaporSyncItem).where(LaporSyncItem.complaint_id == c.id)).all()
    assert all(instruction(i) for i in items)


def test_forward_and_return_and_undo(make):
    opd = make.opd("DPUPR", "Dinas PUPR")
    kominfo, liaison = make.user("kominfo"), make.user("opd", opd=opd)
    to = Instansi(name="Kota Serang", kind="kabupaten_kota")
    db.session.add(to)
    c = make.complaint()
    forwarding.forward(c, kominfo, to, "Jalan kota")
    (item,) = kinds(c)
    assert item[0] == SyncKind.DITERUSKAN
    last = db.session.scalars(sa.select(LaporSyncItem).order_by(LaporSyncItem.id.desc())).first()
    assert "Kota Serang" in instruction(last)

    d = make.complaint(status="belum_terverifikasi")
    before = ops.snapshot(d)
    ops.dispatch(d, kominfo, opd)
    ops.return_to_admin(d, liaison, "Bukan kewenangan")
    assert [k[0] for k in kinds(d)] == [SyncKind.DISPOSISI, SyncKind.DIKEMBALIKAN]
    ops.undo(d, kominfo, before)
    assert {k[2] for k in kinds(d)} == {Resolution.SUPERSEDED}


def test_follow_up_texts_compare_loosely():
    assert same_followup("Lubang sudah ditambal, terima kasih.", "lubang sudah ditambal")
    assert not same_followup("", "apa pun") and not same_followup("Sudah dicek", "Belum dicek ulang")
