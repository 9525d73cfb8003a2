"""Browser journey on a 360 px phone, with JavaScript on (htmx) and off (plain forms)."""

import datetime as dt

import pytest
import sqlalchemy as sa
from PIL import Image

from portal.complaints import operations as ops
from portal.complaints.models import AnswerTemplate, Complaint, Status
from portal.extensions import db
from tests.admin.desk.conftest import jpeg_with_gps
from tests.conftest import Factory, axe_violations, browser_login

pytestmark = pytest.mark.browser


def _seed(live):
    with live.app.app_context():
        f = Factory()
        kominfo = f.user("kominfo")
        opd = f.opd("DPUPR", "Dinas Pekerjaan Umum dan Penataan Ruang")
        other = f.opd("DINKES", "Dinas Kesehatan")
        f.user("opd", opd=opd, email="penghubung@uji.go.id", name="Penghubung DPUPR")
        c = f.complaint(tracking_no="LPR-0001", title="Jalan berlubang di Ciruas",
                        text="Lubang besar di depan pasar membahayakan pengendara.",
                        submitted_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=1),
                        reporter={"name": "Siti Aminah", "phone": "+6281234567890"})
        ops.dispatch(c, kominfo, opd)
        ops.dispatch(f.complaint(tracking_no="LPR-0002", title="Antrean puskesmas"), kominfo, other)
        db.session.add(AnswerTemplate(opd_id=opd.id, title="Peninjauan lokasi",
                                      body="Tim UPT Jalan telah meninjau lokasi dan menjadwalkan perbaikan."))
        db.session.commit()


def test_liaison_posts_a_followup_on_a_phone(live_server, phone_page, tmp_path):
    page = phone_page
    _seed(live_server)
    browser_login(page, live_server, "penghubung@uji.go.id", "Rahasia-12345")
    assert page.url.endswith("/admin/opd")
    assert page.locator("text=Antrean puskesmas").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.click("text=Jalan berlubang di Ciruas")
    page.wait_for_load_state()
    assert "/admin/opd/laporan/LPR-0001" in page.url
    assert page.locator("text=Siti Aminah").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # Pick the saved answer: htmx swaps the textarea, without JS the page reloads prefilled.
    page.select_option("select#template", label="Peninjauan lokasi")
    page.click("form.opd-pick button[type=submit]")
    textarea = page.locator("textarea#text")
    textarea.wait_for()
    page.wait_for_function("document.querySelector('textarea#text').value.includes('Tim UPT Jalan')")
    # htmx swapped only the textarea; without JS the GET form loaded the page with ?template=
    assert ("template=" in page.url) is (not page.js_enabled)
    textarea.fill(textarea.input_value() + " Perbaikan dijadwalkan Senin depan.")

    photo = tmp_path / "lokasi.jpg"
    photo.write_bytes(jpeg_with_gps())
    page.set_input_files("input#files", str(photo))
    page.click("text=Kirim tindak lanjut")
    page.locator("text=Tindak lanjut tersimpan.").wait_for()
    assert page.locator(".opd-fu li", has_text="Perbaikan dijadwalkan Senin depan.").count() == 1
    assert page.locator(".status", has_text="Proses").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    with live_server.app.app_context():
        c = db.session.scalar(sa.select(Complaint).where(Complaint.tracking_no == "LPR-0001"))
        assert c.status == Status.PROSES
        (att,) = c.followups[-1].attachments
        data = (live_server.app.config["UPLOAD_DIR"] + "/" + att.stored_name)
        with Image.open(data) as img:
            assert not img.getexif()
        att_id = att.id

    # The attachment downloads through the authorised route.
    with page.expect_download() as info:
        page.click(f"a[href='/admin/lampiran/{att_id}']")
    assert info.value.suggested_filename == "lokasi.jpg"


def test_liaison_returns_a_complaint_with_keyboard(live_server, phone_page):
    page = phone_page
    _seed(live_server)
    browser_login(page, live_server, "penghubung@uji.go.id", "Rahasia-12345")
    page.goto(live_server("/admin/opd/laporan/LPR-0001"))
    summary = page.locator("summary", has_text="Bukan kewenangan")
    summary.focus()
    page.keyboard.press("Enter")  # <details> opens from the keyboard
    page.fill("textarea#reason", "Ruas ini jalan nasional, kewenangan BPJN.")
    page.click("text=Kembalikan laporan")
    page.wait_for_url("**/admin/opd")
    assert page.locator("text=dikembalikan ke Diskominfo").count() == 1
    assert page.locator("text=Jalan berlubang di Ciruas").count() == 0
    with live_server.app.app_context():
        c = db.session.scalar(sa.select(Complaint).where(Complaint.tracking_no == "LPR-0001"))
        assert c.opd_id is None and c.returned_at is not None


def test_opd_pages_have_no_serious_accessibility_violations(live_server, js_page):
    _seed(live_server)
    browser_login(js_page, live_server, "penghubung@uji.go.id", "Rahasia-12345")
    for path in ("/admin/opd", "/admin/opd/laporan/LPR-0001", "/admin/opd/template"):
        js_page.goto(live_server(path))
        assert axe_violations(js_page) == [], path


def test_a_double_tap_on_send_saves_one_followup(live_server, phone_page):
    page = phone_page
    _seed(live_server)
    browser_login(page, live_server, "penghubung@uji.go.id", "Rahasia-12345")
    page.goto(live_server.url + "/admin/opd/laporan/LPR-0001")
    page.fill("textarea#text", "Petugas sudah meninjau lokasi.")
    page.dblclick("text=Kirim tindak lanjut")
    page.locator("text=Tindak lanjut tersimpan.").wait_for()
    page.wait_for_load_state("networkidle")
    assert page.locator("text=wajib diisi").count() == 0
    assert page.locator("text=baru saja diubah").count() == 0
    with live_server.app.app_context():
        c = db.session.scalar(sa.select(Complaint).where(Complaint.tracking_no == "LPR-0001"))
        assert [f.text for f in c.followups] == ["Petugas sudah meninjau lokasi."]
