"""Upload page, preview → confirm → history, staff entry and receipt (requests, per role)."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from portal.complaints.models import Category, Channel, Complaint, ComplaintEvent, ImportBatch, Status
from portal.core.models import OutboxMessage
from portal.extensions import db
from tests.complaints.importing.conftest import SAMPLE, row, write_csv

PAGES = [("get", "/admin/impor"), ("post", "/admin/impor"), ("get", "/admin/laporan-baru"),
         ("post", "/admin/laporan-baru")]


@pytest.mark.parametrize("role", ["opd", "pimpinan", "ombudsman"])
@pytest.mark.parametrize("method, url", PAGES)
def test_only_kominfo_may_use_intake(client, make, login_as, role, method, url):
    opd = make.opd() if role == "opd" else None
    login_as(make.user(role, opd=opd))
    assert getattr(client, method)(url).status_code == 403


@pytest.mark.parametrize("method, url", PAGES)
def test_anonymous_is_sent_to_sign_in(client, method, url):
    resp = getattr(client, method)(url)
    assert resp.status_code in (302, 401) and "/login" in resp.headers.get("Location", "/login")


def _upload(client, path, name=None):
    with open(path, "rb") as f:
        data = {"file": (io.BytesIO(f.read()), name or path.name)}
    return client.post("/admin/impor", data=data, content_type="multipart/form-data")


def test_upload_preview_confirm_history(client, make, login_as, opds, app):
    user = make.user("kominfo", name="Staf Impor")
    login_as(user)
    assert b"Riwayat impor" in client.get("/admin/impor").data

    resp = _upload(client, SAMPLE)
    assert resp.status_code == 303
    batch = db.session.scalars(sa.select(ImportBatch)).one()
    assert resp.headers["Location"].endswith(f"/admin/impor/{batch.id}")
    assert (batch.status, batch.rows, batch.created, batch.user_id) == ("preview", 6, 6, user.id)
    stored = app.config["UPLOAD_DIR"] + "/imports/" + batch.stored_name
    assert not stored.startswith(app.static_folder)

    page = client.get(f"/admin/impor/{batch.id}").get_data(as_text=True)
    assert "Pratinjau" in page and "Konfirmasi dan impor 6 baris" in page
    assert "Instansi Tujuan" in page and "5100231" in page and "Lampu PJU padam" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Complaint)) == 0

    # the file's new categories are listed, and created only when approved
    assert batch.new_categories and "Infrastruktur > Penerangan Jalan" in batch.new_categories
    assert "Kategori baru" in page and "Infrastruktur &gt; Penerangan Jalan" in page and 'name="buat_kategori"' in page
    resp = client.post(f"/admin/impor/{batch.id}/konfirmasi")
    assert resp.status_code == 303
    db.session.expire_all()
    assert db.session.get(ImportBatch, batch.id).status == "preview"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Category)) == 0
    assert "Centang persetujuan pembuatan" in client.get(resp.headers["Location"]).get_data(as_text=True)

    resp = client.post(f"/admin/impor/{batch.id}/konfirmasi", data={"buat_kategori": "1"})
    assert resp.status_code == 303
    db.session.expire_all()
    batch = db.session.get(ImportBatch, batch.id)
    assert (batch.status, batch.created, batch.stored_name) == ("done", 6, None)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Category)) == len(batch.new_categories)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Complaint)) == 6
    event = db.session.scalars(sa.select(ComplaintEvent)).first()
    assert event.actor_id == user.id and event.kind == "imported"
    assert "Impor selesai" in client.get(f"/admin/impor/{batch.id}").get_data(as_text=True)

    history = client.get("/admin/impor").get_data(as_text=True)
    assert "lapor_sample.csv" in history and "Staf Impor" in history and batch.sha256[:12] in history

    # the same file again: recognised, and all unchanged once confirmed
    _upload(client, SAMPLE)
    again = db.session.scalars(sa.select(ImportBatch).order_by(ImportBatch.id.desc())).first()
    assert (again.status, again.unchanged) == ("preview", 6)
    assert f"impor #{batch.id}" in client.get(f"/admin/impor/{again.id}").get_data(as_text=True)
    client.post(f"/admin/impor/{again.id}/konfirmasi")
    assert "file sama dengan impor #" in client.get("/admin/impor").get_data(as_text=True)


def test_invalid_file_lists_every_error_and_offers_a_csv(client, make, login_as, opds, tmp_path):
    login_as(make.user("kominfo"))
    path = write_csv(tmp_path / "salah.csv", [row(ID_Laporan="1", Status="Entah"),
                                              row(ID_Laporan="2", Tanggal_Laporan="31/02/2025")])
    _upload(client, path)
    batch = db.session.scalars(sa.select(ImportBatch)).one()
    assert (batch.status, batch.errors, batch.stored_name) == ("invalid", 2, None)
    page = client.get(f"/admin/impor/{batch.id}").get_data(as_text=True)
    assert "Status tidak dikenal: «Entah»" in page and "Tanggal Laporan bukan tanggal yang valid" in page
    assert "Konfirmasi" not in page
    csv_resp = client.get(f"/admin/impor/{batch.id}/kesalahan.csv")
    assert csv_resp.headers["Content-Type"].startswith("text/csv")
    text = csv_resp.get_data(as_text=True)
    assert "Baris,ID Laporan,Kesalahan" in text and "2,1,Status tidak dikenal" in text
    assert client.post(f"/admin/impor/{batch.id}/konfirmasi").status_code == 303
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Complaint)) == 0


def test_upload_validation(client, make, login_as):
    login_as(make.user("kominfo"))
    resp = client.post("/admin/impor", data={}, content_type="multipart/form-data")
    assert resp.status_code == 422 and "Pilih file ekspor." in resp.get_data(as_text=True)
    resp = client.post("/admin/impor", data={"file": (io.BytesIO(b"x"), "laporan.pdf")},
                       content_type="multipart/form-data")
    assert resp.status_code == 422 and "Hanya file CSV atau XLSX." in resp.get_data(as_text=True)


def test_cancel_a_preview(client, make, login_as, opds):
    login_as(make.user("kominfo"))
    _upload(client, SAMPLE)
    batch = db.session.scalars(sa.select(ImportBatch)).one()
    assert client.post(f"/admin/impor/{batch.id}/batal").status_code == 303
    db.session.expire_all()
    assert db.session.get(ImportBatch, batch.id).status == "cancelled"
    assert client.post(f"/admin/impor/{batch.id}/konfirmasi").status_code == 303
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Complaint)) == 0


def test_status_fragment_redirects_when_the_job_is_over(client, make, login_as, opds):
    login_as(make.user("kominfo"))
    _upload(client, SAMPLE)
    batch = db.session.scalars(sa.select(ImportBatch)).one()
    resp = client.get(f"/admin/impor/{batch.id}/status", headers={"HX-Request": "true"})
    assert resp.headers["HX-Redirect"].endswith(f"/admin/impor/{batch.id}")


def test_progress_fragment_while_busy(client, make, login_as):
    login_as(make.user("kominfo"))
    batch = ImportBatch(filename="besar.csv", sha256="0" * 64, status="running")
    db.session.add(batch)
    db.session.commit()
    page = client.get(f"/admin/impor/{batch.id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' in page and "<progress" in page
    frag = client.get(f"/admin/impor/{batch.id}/status", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'hx-trigger="every 1s"' in frag and "<html" not in frag


# --- staff entry -------------------------------------------------------------------------------------

ENTRY = {"channel": "tatap_muka", "type": "pengaduan", "category": "", "title": "Jalan rusak",
         "text": "Jalan di depan pasar berlubang.", "location": "Kota Serang", "submitted_at": "",
         "name": "Ani", "nik": "3601 0101 0101 0001", "phone": "0812-3456-7890", "email": "ani@contoh.id",
         "gender": "P"}


def test_staff_entry_creates_a_complaint_and_a_receipt(client, make, login_as, app):
    cat = make.category("Infrastruktur > Jalan", norm_days=60)
    user = make.user("kominfo")
    login_as(user)
    form = client.get("/admin/laporan-baru").get_data(as_text=True)
    assert "Anonim" in form and "Rahasia" in form and "disembunyikan, juga dari dinas" in form

    resp = client.post("/admin/laporan-baru", data={**ENTRY, "category": str(cat.id), "is_confidential": "y",
                                                    "send_receipt": "y"})
    assert resp.status_code == 303, resp.get_data(as_text=True)
    c = db.session.scalars(sa.select(Complaint)).one()
    assert c.tracking_no.startswith("PRV-") and resp.headers["Location"].endswith(
        f"/admin/laporan-baru/{c.tracking_no}/tanda-terima")
    assert (c.source, c.status, c.channel, c.norm_days) == ("staff", Status.BELUM_TERVERIFIKASI,
                                                             Channel.TATAP_MUKA, 60)
    assert c.is_confidential and not c.is_anonymous and c.due_date is not None
    assert (c.reporter.nik, c.reporter.phone, c.reporter.email) == ("3601010101010001", "+6281234567890",
                                                                    "ani@contoh.id")
    assert [(e.kind, e.actor_id, e.to_status) for e in c.events] == [("created", user.id, Status.BELUM_TERVERIFIKASI)]

    receipt = client.get(f"/admin/laporan-baru/{c.tracking_no}/tanda-terima").get_data(as_text=True)
    assert c.tracking_no in receipt and 'src="data:image/svg+xml' in receipt
    assert f"/lacak/{c.tracking_no}" in receipt

    mail = db.session.scalars(sa.select(OutboxMessage)).one()
    assert mail.kind == "receipt" and mail.to_addr == "ani@contoh.id" and c.tracking_no in mail.subject
    assert f"/lacak/{c.tracking_no}" in mail.body_text and mail.attachments[0].data.startswith(b"\x89PNG")

    assert client.post(f"/admin/laporan-baru/{c.tracking_no}/kirim").status_code == 303
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 2


def test_staff_numbers_are_sequential_and_never_imported(client, make, login_as):
    login_as(make.user("kominfo"))
    for _ in range(2):
        client.post("/admin/laporan-baru", data=ENTRY)
    numbers = sorted(db.session.scalars(sa.select(Complaint.tracking_no)))
    year = numbers[0][4:8]
    assert numbers == [f"PRV-{year}-000001", f"PRV-{year}-000002"]


@pytest.mark.parametrize("field, value, message", [
    ("nik", "12345", "NIK harus 16 digit angka."),
    ("phone", "123", "Nomor telepon Indonesia tidak valid"),
    ("email", "ani@", "Alamat email tidak valid."),
    ("text", "", "Isi laporan wajib diisi."),
    ("channel", "website", "Pilihan tidak valid"),
])
def test_staff_entry_validation_keeps_what_was_typed(client, make, login_as, field, value, message):
    login_as(make.user("kominfo"))
    resp = client.post("/admin/laporan-baru", data={**ENTRY, field: value})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert message in page and f'id="{field}-error"' in page
    assert "Jalan di depan pasar berlubang." in page or field == "text"
    assert 'value="Ani"' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Complaint)) == 0


def test_receipt_by_email_needs_an_address(client, make, login_as):
    login_as(make.user("kominfo"))
    resp = client.post("/admin/laporan-baru", data={**ENTRY, "email": "", "send_receipt": "y"})
    assert resp.status_code == 422 and "Isi email pelapor" in resp.get_data(as_text=True)


def test_anonymous_entry_without_reporter_data(client, make, login_as):
    login_as(make.user("kominfo"))
    data = {**ENTRY, "name": "", "nik": "", "phone": "", "email": "", "gender": "", "is_anonymous": "y"}
    assert client.post("/admin/laporan-baru", data=data).status_code == 303
    c = db.session.scalars(sa.select(Complaint)).one()
    assert c.is_anonymous and c.reporter is None


def test_htmx_entry_errors_swap_the_form(client, make, login_as):
    login_as(make.user("kominfo"))
    resp = client.post("/admin/laporan-baru", data={**ENTRY, "nik": "1"}, headers={"HX-Request": "true"})
    assert resp.status_code == 422 and 'id="entry-form-region"' in resp.get_data(as_text=True)
    resp = client.post("/admin/laporan-baru", data=ENTRY, headers={"HX-Request": "true"})
    assert resp.status_code == 200 and "/tanda-terima" in resp.headers["HX-Redirect"]


@pytest.mark.db_commits  # the job thread reads the upload on a connection of its own
@pytest.mark.app_config(TESTING=False, JOBS_EAGER=False)
def test_background_thread_jobs_and_polling(client, make, login_as, opds, tmp_path):
    """Without eager jobs the preview and the import run in a thread; the page polls until done."""
    import time

    login_as(make.user("kominfo"))
    rows = [row(ID_Laporan=str(8_000_000 + i), Instansi_Tujuan="DINKES", Status="Proses") for i in range(3000)]
    path = write_csv(tmp_path / "besar.csv", rows)

    def wait_for(batch_id: int, *statuses: str) -> ImportBatch:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            resp = client.get(f"/admin/impor/{batch_id}/status", headers={"HX-Request": "true"})
            if "HX-Redirect" in resp.headers:
                break
            assert "<progress" in resp.get_data(as_text=True)
            time.sleep(0.2)
        db.session.expire_all()
        batch = db.session.get(ImportBatch, batch_id)
        assert batch.status in statuses
        return batch

    _upload(client, path)
    batch = db.session.scalars(sa.select(ImportBatch)).one()
    batch = wait_for(batch.id, "preview")
    assert batch.created == 3000
    client.post(f"/admin/impor/{batch.id}/konfirmasi", data={"buat_kategori": "1"})
    batch = wait_for(batch.id, "done")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Complaint)) == 3000
