"""Browser journeys of the public pages: accessibility (axe-core) and tracking without JavaScript."""

import datetime as dt

import pytest

from portal.core.db import utcnow
from portal.extensions import db
from tests.conftest import Factory, axe_violations

pytestmark = pytest.mark.browser


def _seed(live):
    with live.app.app_context():
        f = Factory()
        road = f.opd(code="DPUPR", name="Dinas Pekerjaan Umum")
        cat = f.category("Infrastruktur > Jalan", 14, default_opd=road)
        now = utcnow()
        for i, status in enumerate(("belum_terverifikasi", "proses", "selesai", "belum_ditindaklanjuti")):
            f.complaint(tracking_no=f"800000{i}", status=status, opd=road if i else None, category=cat,
                        submitted_at=now - dt.timedelta(days=3 + i), location="Kota Serang",
                        title=f"Jalan berlubang {i}", text="Jalan berlubang di depan pasar.",
                        reporter={"name": "Rina Susanti", "phone": "+6281200001111"})
        db.session.commit()


def test_public_pages_have_no_serious_accessibility_violations(live_server, js_page):
    _seed(live_server)
    for path in ("/", "/lacak", "/lacak/8000001", "/laporan", "/opd/DPUPR", "/data"):
        js_page.goto(live_server(path))
        assert axe_violations(js_page) == [], path


def test_tracking_search_with_and_without_javascript(live_server, page):
    _seed(live_server)
    page.goto(live_server("/"))
    page.click("nav >> text=Lacak")
    page.fill("#nomor", "8000002")
    page.click("form[role=search] button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith("/lacak/8000002")
    assert page.locator("h1").inner_text() == "Laporan 8000002"
    assert page.locator(".status-selesai").count() >= 1
    assert "Rina" not in page.content()


def test_dashboard_charts_load_as_images(live_server, js_page):
    _seed(live_server)
    js_page.goto(live_server("/"))
    imgs = js_page.locator("img.chart")
    assert imgs.count() >= 6
    for i in range(imgs.count()):  # lazy images load when scrolled to
        imgs.nth(i).scroll_into_view_if_needed()
        js_page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=imgs.nth(i).element_handle())
    srcs = js_page.evaluate("Array.from(document.querySelectorAll('img.chart')).map(i => i.getAttribute('src'))")
    assert all(s.startswith("/grafik/") for s in srcs)
