"""The reading rooms at 360 px (docs/DOMAIN.md §10): two published rakor reports compared, charts drawn
(server-side SVG), no sideways scroll of the page, no axe violations."""

import datetime as dt

import pytest

from portal.extensions import db
from tests.conftest import Factory, axe_violations, browser_login

pytestmark = pytest.mark.browser


def _seed(live):
    from portal.meetings.report import operations as ops
    from tests.meetings.report.conftest import make_meeting

    with live.app.app_context():
        f = Factory()
        opds = [f.opd(f"OPD{i}", f"Dinas Pekerjaan Umum dan Penataan Ruang Wilayah Pembangunan {i}")
                for i in range(4)]
        approver = f.user("kominfo", email="kabid@uji.go.id", name="Kabid PIKK", can_approve=True)
        for i, opd in enumerate(opds * 3):
            month = 3 + i % 10  # March–December 2025
            f.complaint(status=("selesai", "proses", "belum_ditindaklanjuti")[i % 3], opd=opd,
                        submitted_at=dt.datetime(2025, month, 5, 3, tzinfo=dt.UTC))
        for title, period, day in (("Rakor Pengelolaan SP4N-LAPOR! Semester I 2025",
                                    (dt.date(2025, 1, 1), dt.date(2025, 6, 30)), dt.date(2025, 8, 12)),
                                   ("Rakor Pengelolaan SP4N-LAPOR! Semester II 2025",
                                    (dt.date(2025, 7, 1), dt.date(2025, 12, 31)), dt.date(2026, 3, 10))):
            m = make_meeting(title, period=period,
                             starts_at=dt.datetime.combine(day, dt.time(2), tzinfo=dt.UTC),
                             ends_at=dt.datetime.combine(day, dt.time(8), tzinfo=dt.UTC))
            rep = ops.ensure_report(m)
            ops.approve(rep, approver)
            ops.store_pdf(rep, b"%PDF-1.7 uji")
            ops.publish(rep, approver)
        db.session.commit()


def _check(page, live, path):
    resp = page.goto(live(path))
    assert resp is not None and resp.status == 200, path
    assert page.locator("h2", has_text="Perbandingan periode").count() == 1, path
    charts = page.locator("img.chart")
    assert charts.count() == 2, path
    for i in range(charts.count()):
        img = charts.nth(i)
        img.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=img.element_handle())
        box = img.bounding_box()
        assert box and box["width"] <= 360, (path, box)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 361, (path, width)


def test_reading_rooms_at_360px(live_server, phone_page):
    _seed(live_server)
    _check(phone_page, live_server, "/rakor")
    if phone_page.js_enabled:
        assert axe_violations(phone_page) == []
    browser_login(phone_page, live_server, "kabid@uji.go.id", "Rahasia-12345")
    _check(phone_page, live_server, "/rapat/ruang-baca")
    if phone_page.js_enabled:
        assert axe_violations(phone_page) == []
