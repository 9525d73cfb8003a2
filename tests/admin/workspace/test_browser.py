"""Browser journey: verify → dispatch from the queue, with JavaScript (htmx) and without."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from portal.complaints.models import Complaint, Status
from portal.extensions import db
from tests.conftest import Factory, axe_violations, browser_login

pytestmark = pytest.mark.browser


def _seed(live):
    with live.app.app_context():
        make = Factory()
        opd = make.opd("DPUPR", "Dinas Pekerjaan Umum")
        make.opd("DINKES", "Dinas Kesehatan")
        cat = make.category("Infrastruktur > Jalan Rusak", norm_days=60, default_opd=opd)
        cat.keywords = "jalan\nberlubang"
        make.user("kominfo", email="staf@uji.go.id", name="Staf Kominfo")
        make.complaint(tracking_no="5550001", title="Jalan berlubang di Serang",
                       text="Jalan provinsi berlubang besar.", submitted_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=5))
        db.session.commit()
        return cat.id


def _state(live):
    with live.app.app_context():
        c = db.session.scalar(sa.select(Complaint).where(Complaint.tracking_no == "5550001"))
        return c.status, c.category_id, c.opd.code if c.opd else None, c.verified_at is not None


def test_verify_and_forward_in_one_step(live_server, page):
    cat_id = _seed(live_server)
    browser_login(page, live_server, "staf@uji.go.id", "Rahasia-12345")
    page.goto(live_server("/admin/"))
    expect(page.locator("#count-belum_terverifikasi")).to_have_text("1")  # with JavaScript: after the rows
    page.click("a.act-open")
    page.wait_for_load_state()
    if page.js_enabled:
        page.wait_for_selector("tr.panel")
        assert page.url.endswith("/admin/")  # stayed on the queue
    else:
        assert "/admin/laporan/5550001" in page.url
    # one action: no separate dispatch form for an unverified complaint
    assert page.locator("form.action-disposisi").count() == 0
    page.select_option("form.action-verifikasi select[name=category]", str(cat_id))
    page.select_option("form.action-verifikasi select[name=opd]", "DPUPR")
    page.click("form.action-verifikasi button[type=submit]")
    if page.js_enabled:
        page.wait_for_selector("text=diverifikasi dan diteruskan ke Dinas Pekerjaan Umum")
        expect(page.locator("#count-belum_terverifikasi")).to_have_text("0")  # fetched after the row
        expect(page.locator("#count-belum_ditindaklanjuti")).to_have_text("1")
    else:
        page.wait_for_load_state()
        assert page.locator(".flash").inner_text().startswith("Laporan #5550001 diverifikasi dan diteruskan")
    status, category, opd, verified = _state(live_server)
    assert verified and category == cat_id and status == Status.BELUM_DITINDAKLANJUTI and opd == "DPUPR"


def test_filters_push_url_and_back_button(live_server, js_page):
    _seed(live_server)
    page = js_page
    browser_login(page, live_server, "staf@uji.go.id", "Rahasia-12345")
    page.goto(live_server("/admin/"))
    page.select_option("#f-opd", "DINKES")
    page.wait_for_function("location.search === '?opd=DINKES'")
    expect(page.locator("#count-belum_terverifikasi")).to_have_text("0")  # the counts follow the rows
    page.click("a:has-text('Proses')")
    page.wait_for_function("location.search === '?tab=proses&opd=DINKES'")
    assert page.locator("a[aria-current=page]:has-text('Proses')").count() == 1
    page.go_back()
    page.wait_for_function("location.search === '?opd=DINKES'")
    page.wait_for_selector("a[aria-current=page]:has-text('Belum Terverifikasi')")
    assert axe_violations(page) == []


def test_free_text_search_counts_follow_the_rows(live_server, page):
    """With JavaScript the counts load by themselves; without it a link counts them on request."""
    _seed(live_server)
    browser_login(page, live_server, "staf@uji.go.id", "Rahasia-12345")
    page.goto(live_server("/admin/?q=jalan"))
    if page.js_enabled:
        expect(page.locator("#count-belum_terverifikasi")).to_have_text("1")
        expect(page.locator("#count-caption")).to_have_text("1 laporan")
        expect(page.locator("#counts-note")).to_have_text("")
    else:
        assert page.locator("#count-belum_terverifikasi").inner_text() == ""
        page.click("text=Tampilkan jumlah laporan per tahap")
        page.wait_for_load_state()
        assert "hitung=1" in page.url
        assert page.locator("#count-belum_terverifikasi").inner_text() == "1"
    assert page.locator("text=#5550001").count() == 1
