"""Browser journey (docs/DOMAIN.md §5): Kominfo forwards an out-of-authority complaint → the public page says
where it went. With JavaScript (htmx, from the queue) and without (the complaint page)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from portal.complaints.forwarding import ensure_defaults
from portal.complaints.models import Complaint, Status
from portal.extensions import db
from tests.conftest import Factory, browser_login

pytestmark = pytest.mark.browser


def test_kominfo_forwards_and_the_public_page_shows_the_destination(live_server, page):
    with live_server.app.app_context():
        make = Factory()
        make.opd("DPUPR", "Dinas Pekerjaan Umum")
        make.user("kominfo", email="staf@uji.go.id", name="Staf Kominfo")
        make.complaint(tracking_no="5560001", title="Listrik padam tiga hari",
                       text="Listrik di kampung kami padam tiga hari.",
                       submitted_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=5))
        ensure_defaults()
        db.session.commit()
    browser_login(page, live_server, "staf@uji.go.id", "Rahasia-12345")
    page.goto(live_server("/admin/"))
    page.click("a.act-open")
    page.wait_for_load_state()
    if page.js_enabled:
        page.wait_for_selector("tr.panel")
    page.select_option("form.action-teruskan select[name=instansi]", label="PLN UID Banten")
    page.fill("form.action-teruskan textarea[name=reason]", "Gangguan listrik kewenangan PLN")
    page.click("form.action-teruskan button[type=submit]")
    if page.js_enabled:
        page.wait_for_selector("text=diteruskan ke PLN UID Banten")
        expect(page.locator("#count-belum_terverifikasi")).to_have_text("0")  # it left the queue
    else:
        page.wait_for_load_state()
        assert "diteruskan ke PLN UID Banten" in page.locator(".flash").inner_text()
    with live_server.app.app_context():
        c = db.session.scalar(sa.select(Complaint).where(Complaint.tracking_no == "5560001"))
        assert c.status == Status.DITERUSKAN and c.forwarded_to.name == "PLN UID Banten"
    page.context.clear_cookies()  # the public, signed out
    page.goto(live_server("/lacak/5560001"))
    expect(page.locator(".forwarded-to")).to_contain_text("PLN UID Banten")
    expect(page.locator("dl.facts")).to_contain_text("Diteruskan")
