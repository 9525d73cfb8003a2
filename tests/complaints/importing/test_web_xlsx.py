"""XLSX through the web upload, failed jobs, stale batches, one import per file at a time."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from portal.complaints.importing import runs
from portal.complaints.models import Complaint, ImportBatch
from portal.core.models import Job
from portal.extensions import db


def xlsx_bytes(rows: int = 2) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["ID Laporan", "Tanggal Laporan", "Isi Laporan", "Status", "Instansi Tujuan"])
    for i in range(rows):
        ws.append([f"90000{i}", dt.datetime(2025, 3, 3, 9, 30), f"Teks {i}", "Belum Ditindaklanjuti", "DINKES"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def upload(client, data: bytes, name: str = "ekspor.xlsx"):
    return client.post("/admin/impor", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def last_batch() -> ImportBatch:
    db.session.expire_all()
    return db.session.scalars(sa.select(ImportBatch).order_by(ImportBatch.id.desc())).first()


def test_xlsx_upload_previews_and_imports(client, make, login_as, opds):
    login_as(make.user("kominfo"))
    resp = upload(client, xlsx_bytes())
    assert resp.status_code == 303
    batch = last_batch()
    assert (batch.status, batch.rows, batch.created) == ("preview", 2, 2), batch.error_report
    page = client.get(f"/admin/impor/{batch.id}").get_data(as_text=True)
    assert "Format: XLSX" in page and "900000" in page
    client.post(f"/admin/impor/{batch.id}/konfirmasi")
    assert last_batch().status == "done"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Complaint)) == 2


def test_a_failing_job_marks_its_batch_failed_with_the_reason(client, make, login_as, opds, monkeypatch):
    login_as(make.user("kominfo"))

    def boom(*a, **kw):
        raise RuntimeError("disk penuh")

    monkeypatch.setattr(runs, "import_file", boom)
    upload(client, xlsx_bytes())
    batch = last_batch()
    assert batch.status == "failed" and batch.finished_at is not None
    assert "disk penuh" in batch.error_report[0]["message"]
    page = client.get(f"/admin/impor/{batch.id}").get_data(as_text=True)
    assert "disk penuh" in page and "Memeriksa" not in page


def test_stale_busy_batches_are_swept(client, make, login_as):
    user = make.user("kominfo")
    login_as(user)
    old = dt.datetime.now(dt.UTC) - dt.timedelta(hours=3)
    crashed = Job(id="j-crashed", kind="import", status="running", created_at=old)
    finished = Job(id="j-failed", kind="import-preview", status="failed", message="boom")
    fresh = Job(id="j-fresh", kind="import", status="running")
    db.session.add_all([crashed, finished, fresh])
    rows = [ImportBatch(user_id=user.id, filename=f"{n}.csv", sha256=n * 64, status=s, job_id=j, created_at=old)
            for n, s, j in (("a", "running", "j-crashed"), ("b", "checking", "j-failed"),
                            ("c", "pending", None), ("d", "running", "j-fresh"))]
    db.session.add_all(rows)
    db.session.commit()
    assert runs.sweep_stale_batches() == 3
    db.session.expire_all()
    states = {b.filename: b.status for b in db.session.scalars(sa.select(ImportBatch))}
    assert states == {"a.csv": "failed", "b.csv": "failed", "c.csv": "failed", "d.csv": "running"}
    b = db.session.scalar(sa.select(ImportBatch).where(ImportBatch.filename == "b.csv"))
    assert b.error_report and b.error_report[0]["message"]
    # the history page sweeps too
    page = client.get("/admin/impor").get_data(as_text=True)
    assert "Gagal" in page or "gagal" in page


def test_confirming_twice_runs_one_import(client, make, login_as, opds, monkeypatch):
    login_as(make.user("kominfo"))
    upload(client, xlsx_bytes())
    batch = last_batch()
    calls = []
    real = runs.run_import
    monkeypatch.setattr(runs, "run_import", lambda *a, **kw: calls.append(1) or real(*a, **kw))
    client.post(f"/admin/impor/{batch.id}/konfirmasi")
    resp = client.post(f"/admin/impor/{batch.id}/konfirmasi", follow_redirects=True)
    assert len(calls) == 1
    assert "sudah dikonfirmasi" in resp.get_data(as_text=True)


def test_two_batches_of_one_file_import_once_at_a_time(client, make, login_as, opds):
    login_as(make.user("kominfo"))
    data = xlsx_bytes()
    upload(client, data)
    first = last_batch()
    upload(client, data)
    second = last_batch()
    assert first.id != second.id and second.status == "preview"
    # the first import is under way (its worker has not finished)
    first.status = "running"
    db.session.commit()
    resp = client.post(f"/admin/impor/{second.id}/konfirmasi", follow_redirects=True)
    assert f"impor #{first.id}" in resp.get_data(as_text=True)
    assert "sedang diimpor" in resp.get_data(as_text=True)
    assert last_batch().status == "preview"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Complaint)) == 0


def test_one_import_per_file_is_enforced_by_the_database(make, opds):
    user = make.user("kominfo")
    db.session.add(ImportBatch(user_id=user.id, filename="x", sha256="f" * 64, status="running"))
    db.session.commit()
    db.session.add(ImportBatch(user_id=user.id, filename="y", sha256="f" * 64, status="pending"))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()
