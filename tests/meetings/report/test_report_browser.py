"""Browser journey: Kominfo previews the draft, approves it, publishes it; the public finds it at /rakor."""

import datetime as dt

import pytest

from portal.extensions import db
from tests.conftest import Factory, axe_violations, browser_login

pytestmark = pytest.mark.browser


def _seed(live):
    from tests.meetings.report.conftest import make_meeting

    with live.app.app_context():
        f = Factory()
        opd = f.opd("DINKES", "Dinas Kesehatan")
        f.complaint(status="selesai", opd=opd)
        f.user("kominfo", email="kabid@uji.go.id", name="Kabid PIKK", can_approve=True)
        meeting = make_meeting("Rakor Uji Browser", period=(dt.date(2025, 1, 1), dt.date(2025, 6, 30)))
        db.session.commit()
        return meeting.id


def test_preview_approve_publish(live_server, page):
    mid = _seed(live_server)
    browser_login(page, live_server, "kabid@uji.go.id", "Rahasia-12345")
    page.goto(live_server(f"/rapat/{mid}/laporan"))
    assert page.locator("h2", has_text="Ringkasan Eksekutif").count() == 1
    assert page.locator(".report-status", has_text="Draf").count() == 1
    page.click("button:has-text('Setujui dan bekukan angka')")
    page.wait_for_load_state()
    assert page.locator(".report-status", has_text="Disetujui").count() == 1
    assert page.locator("a", has_text="Unduh PDF").count() >= 1
    page.click("button:has-text('Terbitkan ke publik')")
    page.wait_for_load_state()
    assert page.locator(".report-status", has_text="Diterbitkan").count() == 1
    page.goto(live_server("/rakor"))
    assert page.locator("h2", has_text="Rakor Uji Browser").count() == 1
    href = page.locator("a", has_text="Unduh PDF").first.get_attribute("href")
    resp = page.request.get(live_server(href))
    assert resp.status == 200 and resp.body()[:5] == b"%PDF-"


def test_generate_pdf_shows_progress_result(live_server, js_page):
    mid = _seed(live_server)
    browser_login(js_page, live_server, "kabid@uji.go.id", "Rahasia-12345")
    js_page.goto(live_server(f"/rapat/{mid}/laporan"))
    js_page.click("button:has-text('Buat PDF')")
    js_page.wait_for_selector("#pdf-job .alert-ok", timeout=30000)
    assert "/laporan/pdf/" not in js_page.url  # swapped in place by htmx
    assert axe_violations(js_page) == []
