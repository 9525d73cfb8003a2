"""Browser journey: a re-import conflicts with the portal's archives → staff choose per row → the
worklist shows what is still missing in LAPOR! → ticked off by hand (JS on and off)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.complaints import operations as ops
from portal.complaints.importing import runs
from portal.complaints.models import Complaint, Status
from portal.extensions import db
from portal.people.models import User
from tests.complaints.importing.conftest import row, write_csv
from tests.conftest import Factory, axe_violations, browser_login

pytestmark = pytest.mark.browser

DISPATCHED = {"Status": "Belum Ditindaklanjuti", "Instansi_Tujuan": "DPUPR",
              "Tanggal_Verifikasi": "2025-02-03 10:00", "Tanggal_Disposisi": "2025-02-04 10:00"}


def _seed(live, tmp_path):
    path = write_csv(tmp_path / "ekspor.csv", [row(**DISPATCHED), row(**{**DISPATCHED, "ID_Laporan": "7000002"})])
    with live.app.app_context():
        f = Factory()
        staff = f.user("kominfo", email="staf@uji.go.id", name="Staf Uji")
        f.opd("DPUPR", "Dinas Pekerjaan Umum dan Penataan Ruang")
        db.session.commit()
        assert runs.import_file(path).ok
        db.session.commit()
        staff = db.session.get(User, staff.id)
        for c in db.session.scalars(sa.select(Complaint)):
            ops.archive(c, staff, "Tidak jelas")
        db.session.commit()
    return path


def _statuses(live) -> dict[str, Status]:
    with live.app.app_context():
        return dict(db.session.execute(sa.select(Complaint.tracking_no, Complaint.status)).all())


def test_conflict_choice_then_worklist(live_server, page, tmp_path):
    path = _seed(live_server, tmp_path)
    browser_login(page, live_server, "staf@uji.go.id", "Rahasia-12345")
    page.goto(live_server("/admin/impor"))
    page.set_input_files("input[type=file]", str(path))
    page.click("text=Unggah dan periksa")
    page.wait_for_selector("text=2 laporan berbeda dengan pekerjaan portal")
    assert page.locator(".conflict-rows tbody tr").count() == 2
    assert page.is_checked("input[name='pilihan-7000001'][value=portal]")  # the default keeps the portal
    page.check("input[name='pilihan-7000002'][value=lapor]")
    page.click("button:has-text('Konfirmasi dan impor 2 baris')")
    page.wait_for_selector("text=Impor selesai")
    assert "2 perbedaan dengan pekerjaan portal diputuskan" in page.inner_text("main")
    assert _statuses(live_server) == {"7000001": Status.ARSIP, "7000002": Status.BELUM_DITINDAKLANJUTI}

    page.goto(live_server("/admin/belum-lapor"))
    items = page.locator(".lapor-item")
    assert items.count() == 1 and "#7000001" in items.first.inner_text()
    assert "Arsipkan laporan di SP4N-LAPOR!" in items.first.inner_text()
    page.click("summary:has-text('Tandai sudah di SP4N-LAPOR!')")
    page.fill(".lapor-item textarea[name=note]", "Sudah diarsipkan di LAPOR!")
    page.click(".lapor-item button:has-text('Tandai')")
    page.wait_for_selector("text=Tidak ada tindakan yang menunggu")
    assert page.locator(".subnav .count").inner_text() == "0"


def test_worklist_and_conflicts_have_no_serious_accessibility_violations(live_server, js_page, tmp_path):
    path = _seed(live_server, tmp_path)
    browser_login(js_page, live_server, "staf@uji.go.id", "Rahasia-12345")
    js_page.goto(live_server("/admin/belum-lapor"))
    assert axe_violations(js_page) == []
    js_page.goto(live_server("/admin/impor"))
    js_page.set_input_files("input[type=file]", str(path))
    js_page.click("text=Unggah dan periksa")
    js_page.wait_for_selector(".conflict-rows")
    assert axe_violations(js_page) == []
