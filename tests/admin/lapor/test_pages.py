"""Belum di LAPOR!: the worklist, ticking off by hand, the LAPOR! number of staff complaints, the
import preview's conflicts and the staff's choice (request tests, SQLite and PostgreSQL)."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from portal.complaints import entry, lapor_sync
from portal.complaints import operations as ops
from portal.complaints.importing import runs
from portal.complaints.lapor_sync import LaporLink, LaporSyncItem, Resolution, SyncKind
from portal.complaints.models import Channel, Complaint, ComplaintEvent, ComplaintType, ImportBatch, Status
from portal.extensions import db
from tests.complaints.importing.conftest import HEADER, row, write_csv

DISPATCHED = {"Status": "Belum Ditindaklanjuti", "Instansi_Tujuan": "DPUPR",
              "Tanggal_Verifikasi": "2025-02-03 10:00", "Tanggal_Disposisi": "2025-02-04 10:00"}


def csv_bytes(tmp_path, rows) -> bytes:
    return write_csv(tmp_path / "e.csv", rows, header=HEADER).read_bytes()


def upload(client, data: bytes):
    return client.post("/admin/impor", data={"file": (io.BytesIO(data), "ekspor.csv")},
                       content_type="multipart/form-data")


def last_batch() -> ImportBatch:
    db.session.expire_all()
    return db.session.scalars(sa.select(ImportBatch).order_by(ImportBatch.id.desc())).first()


def get(no: str) -> Complaint:
    db.session.expire_all()
    return db.session.scalar(sa.select(Complaint).where(Complaint.tracking_no == no))


def staff_complaint(user) -> Complaint:
    c = entry.create(entry.NewComplaint(channel=Channel.TELEPON, type=ComplaintType.PENGADUAN,
                                        text="Lampu jalan mati sejak seminggu."), user)
    db.session.commit()
    return c


@pytest.fixture
def two_conflicts(world, tmp_path):
    """Two imported complaints archived in the portal afterwards; the same LAPOR! file again."""
    path = write_csv(tmp_path / "first.csv", [row(**DISPATCHED), row(**{**DISPATCHED, "ID_Laporan": "7000002"})])
    assert runs.import_file(path).ok
    db.session.commit()
    for no in ("7000001", "7000002"):
        ops.archive(get(no), world.kominfo, "Tidak jelas")
    db.session.commit()
    return path.read_bytes()


URLS = [("get", "/admin/belum-lapor"), ("post", "/admin/belum-lapor/1/tandai"),
        ("post", "/admin/laporan/PRV-X/nomor-lapor")]


@pytest.mark.parametrize(("method", "url"), URLS)
@pytest.mark.parametrize("who", ["liaison", "pimpinan", "ombudsman"])
def test_only_kominfo_reaches_the_pages(client, world, login_as, method, url, who):
    login_as(getattr(world, who))
    assert getattr(client, method)(url).status_code == 403


@pytest.mark.parametrize(("method", "url"), URLS)
def test_anonymous_is_sent_to_sign_in(client, world, method, url):
    resp = getattr(client, method)(url)
    assert resp.status_code in (302, 303, 401) and "login" in resp.headers.get("Location", "login")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LaporLink)) == 0


def test_worklist_lists_what_to_enter_filters_and_counts(client, world, login_as):
    login_as(world.kominfo)
    c = staff_complaint(world.kominfo)
    ops.verify(c, world.kominfo, opd=world.dpupr)
    db.session.commit()
    page = client.get("/admin/belum-lapor").get_data(as_text=True)
    assert c.tracking_no in page and "Masukkan laporan ini ke SP4N-LAPOR!" in page
    assert "disposisikan laporan ke Dinas Pekerjaan Umum" in page
    assert 'Belum di LAPOR! <span class="count">2</span>' in page  # the nav count
    only = client.get("/admin/belum-lapor?jenis=disposisi").get_data(as_text=True)
    assert "disposisikan laporan ke" in only and "Masukkan laporan ini" not in only
    assert client.get("/admin/belum-lapor?jenis=bogus").status_code == 404
    frag = client.get("/admin/belum-lapor?jenis=disposisi", headers={"HX-Request": "true"})
    assert "<html" not in frag.get_data(as_text=True) and "disposisikan" in frag.get_data(as_text=True)
    assert "HX-Request" in frag.headers.get("Vary", "")


def test_tick_by_hand_needs_a_note_and_csrf(client, world, login_as, app):
    login_as(world.kominfo)
    c = staff_complaint(world.kominfo)
    item = db.session.scalar(sa.select(LaporSyncItem).where(LaporSyncItem.complaint_id == c.id))
    resp = client.post(f"/admin/belum-lapor/{item.id}/tandai", data={"note": " "}, follow_redirects=True)
    assert "Tulis catatan" in resp.get_data(as_text=True)
    resp = client.post(f"/admin/belum-lapor/{item.id}/tandai", data={"note": "Dientri lewat telepon"})
    assert resp.status_code == 303
    db.session.expire_all()
    item = db.session.get(LaporSyncItem, item.id)
    assert item.resolution == Resolution.MANUAL and item.note == "Dientri lewat telepon"
    assert item.resolved_by_id == world.kominfo.id
    assert f"butir-{item.id}" not in client.get("/admin/belum-lapor").get_data(as_text=True)
    htmx = client.post(f"/admin/belum-lapor/{item.id}/tandai", data={"note": "lagi"}, headers={"HX-Request": "true"})
    assert htmx.status_code == 200 and htmx.headers["HX-Redirect"].endswith("/admin/belum-lapor")


def test_csrf_is_required(client, world, login_as, app):
    app.config["WTF_CSRF_ENABLED"] = True
    login_as(world.kominfo)
    c = staff_complaint(world.kominfo)
    assert client.post(f"/admin/laporan/{c.tracking_no}/nomor-lapor", data={"lapor_no": "7000001"}).status_code == 400


def test_link_a_staff_complaint_then_the_import_merges_it(client, world, login_as, tmp_path):
    login_as(world.kominfo)
    c = staff_complaint(world.kominfo)
    page = client.get(f"/admin/laporan/{c.tracking_no}").get_data(as_text=True)
    assert "belum tercatat di SP4N-LAPOR!" in page and 'name="lapor_no"' in page
    resp = client.post(f"/admin/laporan/{c.tracking_no}/nomor-lapor", data={"lapor_no": "abc"}, follow_redirects=True)
    assert "angka saja" in resp.get_data(as_text=True)
    resp = client.post(f"/admin/laporan/{c.tracking_no}/nomor-lapor", data={"lapor_no": "7000001"})
    assert resp.status_code == 303
    assert db.session.get(LaporLink, c.id).lapor_no == "7000001"
    upload(client, csv_bytes(tmp_path, [row(**DISPATCHED)]))
    batch = last_batch()
    assert (batch.status, batch.created, batch.updated) == ("preview", 0, 1)
    client.post(f"/admin/impor/{batch.id}/konfirmasi", data={"buat_kategori": "1"})
    assert last_batch().status == "done"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Complaint)) == 1
    merged = get(c.tracking_no)
    assert merged.opd_id == world.dpupr.id and merged.status == Status.BELUM_DITINDAKLANJUTI
    new_item = db.session.scalar(sa.select(LaporSyncItem).where(LaporSyncItem.kind == SyncKind.LAPORAN_BARU))
    assert new_item.resolution == Resolution.IMPORT and new_item.batch_id == batch.id
    page = client.get(f"/admin/laporan/{c.tracking_no}").get_data(as_text=True)
    assert "digabung" in page and 'name="lapor_no"' not in page
    # the reporter may track it by either number: the LAPOR! one leads to the portal's page
    resp = client.get("/lacak/7000001")
    assert resp.status_code == 303 and resp.headers["Location"].endswith(f"/lacak/{c.tracking_no}")
    assert client.get("/lacak/7000002").status_code == 404


def test_the_preview_lists_conflicts_and_the_choice_is_recorded(client, world, login_as, tmp_path, two_conflicts):
    login_as(world.kominfo)
    upload(client, two_conflicts)
    batch = last_batch()
    assert batch.status == "preview" and [c["id"] for c in batch.conflicts] == ["7000001", "7000002"]
    page = client.get(f"/admin/impor/{batch.id}").get_data(as_text=True)
    assert "berbeda dengan pekerjaan portal" in page and 'name="pilihan-7000002"' in page
    assert "arsip" in page and "belum_ditindaklanjuti" in page
    client.post(f"/admin/impor/{batch.id}/konfirmasi", data={"pilihan-7000001": "portal", "pilihan-7000002": "lapor"})
    batch = last_batch()
    assert batch.status == "done"
    assert batch.resolutions["7000002"]["side"] == "lapor" and batch.resolutions["7000002"]["by"] == world.kominfo.id
    assert {c["id"]: c["side"] for c in batch.conflicts} == {"7000001": "portal", "7000002": "lapor"}
    assert get("7000001").status == Status.ARSIP and get("7000002").status == Status.BELUM_DITINDAKLANJUTI
    ev = db.session.scalar(sa.select(ComplaintEvent).where(ComplaintEvent.kind == "lapor_conflict",
                                                           ComplaintEvent.complaint_id == get("7000002").id))
    assert ev.actor_id == world.kominfo.id and ev.changes["side"] == "lapor"
    done = client.get(f"/admin/impor/{batch.id}").get_data(as_text=True)
    assert "diputuskan" in done and "Admin Kominfo" in done
    timeline = client.get("/admin/laporan/7000002").get_data(as_text=True)
    assert "Beda dengan SP4N-LAPOR! diputuskan saat impor" in timeline


def test_for_all_takes_lapor_everywhere(client, world, login_as, two_conflicts):
    login_as(world.kominfo)
    upload(client, two_conflicts)
    batch = last_batch()
    client.post(f"/admin/impor/{batch.id}/konfirmasi", data={"semua": "lapor", "pilihan-7000001": "portal"})
    assert {get(n).status for n in ("7000001", "7000002")} == {Status.BELUM_DITINDAKLANJUTI}
    assert lapor_sync.pending_count() == 0  # the archives were LAPOR!'s to decide


def test_the_complaint_page_card_is_for_kominfo_only(client, world, login_as, make):
    c = make.complaint(status="belum_terverifikasi")
    ops.verify(c, world.kominfo, opd=world.dpupr)
    db.session.commit()
    login_as(world.kominfo)
    page = client.get(f"/admin/laporan/{c.tracking_no}").get_data(as_text=True)
    assert "1 tindakan belum di SP4N-LAPOR!" in page and 'name="lapor_no"' not in page  # not a staff entry
    login_as(world.ombudsman)
    page = client.get(f"/admin/laporan/{c.tracking_no}").get_data(as_text=True)
    assert "belum di SP4N-LAPOR!" not in page
    login_as(world.kominfo)
    assert client.post("/admin/laporan/TIDAK-ADA/nomor-lapor", data={"lapor_no": "7000001"}).status_code == 404
    assert client.post("/admin/belum-lapor/999999/tandai", data={"note": "x"}).status_code == 404
