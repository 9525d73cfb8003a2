"""Browser checks: the counter entry on a 360 px phone (JS on and off) and the oversight list (axe-core)."""

import datetime as dt

import pytest
import sqlalchemy as sa

from portal.complaints import escalation
from portal.complaints.models import Complaint, Status
from portal.core.timeutil import today_wib
from portal.extensions import db
from portal.people.models import Liaison
from tests.conftest import Factory, axe_violations, browser_login

pytestmark = pytest.mark.browser


def _seed(live):
    with live.app.app_context():
        f = Factory()
        f.user("ombudsman", email="ombudsman@uji.go.id")
        opd = f.opd("DPUPR", "Dinas Pekerjaan Umum dan Penataan Ruang")
        liaison = f.user("opd", opd=opd, email="penghubung@uji.go.id", name="Penghubung DPUPR")
        db.session.add(Liaison(opd=opd, user=liaison, valid_from=dt.date(2024, 1, 1)))
        due = today_wib() - dt.timedelta(days=20)
        start = dt.datetime.combine(due - dt.timedelta(days=30), dt.time(3), tzinfo=dt.UTC)
        c = f.complaint(tracking_no="LPR-0009", status="proses", opd=opd, title="Jembatan ambruk di Cikande",
                        submitted_at=start, dispatched_at=start, first_followup_at=start,
                        last_activity_at=dt.datetime.now(dt.UTC), reporter={"name": "Siti Aminah"})
        c.due_date = c.stage_due_date = due
        db.session.flush()
        escalation.escalate(today_wib(), notify=False)
        db.session.commit()


def test_liaison_enters_a_counter_complaint_on_a_phone(live_server, phone_page):
    page = phone_page
    _seed(live_server)
    browser_login(page, live_server, "penghubung@uji.go.id", "Rahasia-12345")
    page.click("text=Input laporan loket")
    page.wait_for_load_state()
    assert page.url.endswith("/admin/opd/laporan-baru")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    if page.js_enabled:
        assert axe_violations(page) == []
    page.select_option("select#channel", "telepon")
    page.fill("input#title", "Lampu jalan padam")
    page.fill("textarea#text", "Penelepon melaporkan lampu jalan padam sepanjang jalan provinsi di Kragilan.")
    page.fill("input#name", "Rahmat")
    page.click("text=Simpan dan kirim ke Diskominfo")
    page.locator("text=Tanda terima laporan").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    with live_server.app.app_context():
        c = db.session.scalar(sa.select(Complaint).where(Complaint.title == "Lampu jalan padam"))
        assert c.status == Status.BELUM_TERVERIFIKASI and c.opd_id is None and c.channel.value == "telepon"
        number = c.tracking_no
    assert page.locator(f"text={number}").count() >= 1
    if page.js_enabled:
        assert axe_violations(page) == []


def test_ombudsman_reads_the_oversight_list(live_server, js_page):
    page = js_page
    _seed(live_server)
    browser_login(page, live_server, "ombudsman@uji.go.id", "Rahasia-12345")
    page.goto(live_server("/admin/pengawasan"))
    assert page.locator("text=LPR-0009").count() == 1
    assert page.locator("text=Siti").count() == 0
    assert page.locator("td", has_text="Dicantumkan untuk pimpinan Diskominfo").count() == 1
    assert axe_violations(page) == []
    page.goto(live_server("/admin/pengawasan/pimpinan"))
    assert page.locator("text=LPR-0009").count() == 1
    assert axe_violations(page) == []
