"""Browser journeys: upload → preview → confirm → history, and staff entry → receipt (JS on and off)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.complaints.models import Complaint
from portal.extensions import db
from tests.complaints.importing.conftest import SAMPLE
from tests.conftest import Factory, axe_violations, browser_login

pytestmark = pytest.mark.browser


def _seed(live):
    with live.app.app_context():
        f = Factory()
        f.user("kominfo", email="staf@uji.go.id", name="Staf Uji")
        f.opd("DPUPR", "Dinas Pekerjaan Umum dan Penataan Ruang")
        f.opd("DINKES", "Dinas Kesehatan")
        f.opd("DINDIKBUD", "Dinas Pendidikan dan Kebudayaan")
        f.opd("DISKOPUKM", "Dinas Koperasi dan UKM")
        db.session.commit()


def _count(live) -> int:
    with live.app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Complaint))


def test_upload_preview_confirm(live_server, page):
    _seed(live_server)
    browser_login(page, live_server, "staf@uji.go.id", "Rahasia-12345")
    page.goto(live_server("/admin/impor"))
    page.set_input_files("input[type=file]", str(SAMPLE))
    page.click("text=Unggah dan periksa")
    page.wait_for_load_state()
    assert page.locator("h2", has_text="Pratinjau").count() == 1
    assert page.locator(".preview-rows tbody tr").count() == 5
    assert _count(live_server) == 0

    # the file brings categories the portal does not know yet: they are listed and must be approved
    page.check("#buat-kategori")
    page.click("button:has-text('Konfirmasi dan impor 6 baris')")
    page.wait_for_selector("text=Impor selesai")
    assert _count(live_server) == 6
    page.click("text=Kembali ke riwayat impor")
    page.wait_for_load_state()
    assert page.locator(".history tbody tr").count() == 1
    assert "lapor_sample.csv" in page.locator(".history").inner_text()


def test_staff_entry_and_receipt(live_server, page):
    _seed(live_server)
    browser_login(page, live_server, "staf@uji.go.id", "Rahasia-12345")
    page.goto(live_server("/admin/laporan-baru"))
    page.select_option("select[name=channel]", "telepon")
    page.fill("textarea[name=text]", "Lampu jalan padam.")
    page.fill("input[name=name]", "Budi")
    page.fill("input[name=nik]", "123")
    page.click("text=Simpan laporan")
    page.wait_for_selector("#nik-error")
    assert page.input_value("textarea[name=text]") == "Lampu jalan padam."
    page.fill("input[name=nik]", "3601010101010001")
    page.click("text=Simpan laporan")
    page.wait_for_selector("text=Tanda Terima Laporan")
    number = page.locator(".tracking-no").inner_text()
    assert number.startswith("PRV-")
    assert page.locator(".qr img").get_attribute("src").startswith("data:image/svg+xml")
    print_button = page.locator("button[data-print]")
    assert print_button.is_visible() == page.js_enabled


def test_intake_pages_have_no_serious_accessibility_violations(live_server, js_page):
    _seed(live_server)
    browser_login(js_page, live_server, "staf@uji.go.id", "Rahasia-12345")
    for path in ("/admin/impor", "/admin/laporan-baru"):
        js_page.goto(live_server(path))
        assert axe_violations(js_page) == [], path
