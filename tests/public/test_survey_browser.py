"""The reporter's survey journey in a browser, with and without JavaScript (CSRF on)."""

import datetime as dt

import pytest

from portal.complaints import operations as ops
from portal.complaints import survey
from portal.extensions import db
from tests.conftest import Factory, axe_violations

pytestmark = pytest.mark.browser


def _finished(live) -> str:
    with live.app.app_context():
        f = Factory()
        c = f.complaint("SKM-77", "proses", opd=f.opd("DPUPR", "Dinas PUPR"),
                        dispatched_at=dt.datetime(2025, 2, 3, 1, tzinfo=dt.UTC),
                        first_followup_at=dt.datetime(2025, 2, 5, 1, tzinfo=dt.UTC))
        ops.finish(c, None)
        db.session.commit()
        return survey.code_for(c)


def test_reporter_answers_the_survey_from_the_tracking_page(live_server, page):
    code = _finished(live_server)
    page.goto(live_server("/lacak/SKM-77"))
    with page.expect_navigation():
        page.click("a.button:has-text('Isi survei kepuasan')")
    assert page.url.endswith("/lacak/SKM-77/survei")
    page.fill("#kode", code)
    for i in range(1, 10):
        page.check(f"input[name=u{i}][value='{4 if i % 2 else 3}']")
    page.fill("#saran", "Pertahankan.")
    with page.expect_navigation():
        page.click("button[type=submit]:has-text('Kirim survei')")
    assert page.url.endswith("/lacak/SKM-77/survei/terima-kasih")
    assert "Survei Anda telah kami terima" in page.content()
    page.goto(live_server("/lacak/SKM-77/survei"))
    assert "sudah diisi" in page.content()
    with live_server.app.app_context():
        k = survey.ikm()
    # five elements at 4, four at 3: 32/9 × 25 = 88.89 (A)
    assert (k["n"], k["ikm"], k["category"]) == (1, 88.89, "A")


def test_survey_page_has_no_serious_accessibility_violations(live_server, js_page):
    _finished(live_server)
    for path in ("/lacak/SKM-77/survei", "/standar-layanan", "/ikm"):
        js_page.goto(live_server(path))
        assert axe_violations(js_page) == [], path
