"""Browser journeys: the whole rakor (plan → invite → RSVP → check-in → minutes → action) with
JavaScript, and the RSVP page with and without it."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from portal.extensions import db
from portal.people.models import Liaison
from tests.conftest import Factory, axe_violations, browser_login

pytestmark = pytest.mark.browser


def _seed(live):
    with live.app.app_context():
        f = Factory()
        dinkes = f.opd("DINKES", "Dinas Kesehatan")
        f.user("kominfo", email="staf@uji.go.id", name="Staf Kominfo")
        lia = f.user("opd", opd=dinkes, email="lia@uji.go.id", name="Siti Liaison")
        db.session.add(Liaison(opd=dinkes, user=lia, valid_from=dt.date(2024, 1, 1)))
        for i in range(3):
            f.complaint(status="proses", opd=dinkes,
                        submitted_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=60 + i))
        db.session.commit()


def _rsvp_path(live, email: str) -> tuple[str, str]:
    from portal.meetings import services as svc
    from portal.meetings.models import Invitation

    with live.app.app_context(), live.app.test_request_context():
        inv = db.session.scalar(db.select(Invitation).where(Invitation.email == email))
        url = svc.rsvp_url(inv)
        return "/" + url.split("://", 1)[1].split("/", 1)[1], svc.format_code(inv.code)


def _plan_and_invite(page, live) -> str:
    browser_login(page, live, "staf@uji.go.id", "Rahasia-12345")
    page.goto(live("/rapat/"))
    page.click("text=Rencanakan rakor")
    page.fill("#date", (dt.date.today().replace(day=1) + dt.timedelta(days=40)).isoformat())
    page.fill("#title", "Rakor Uji Peramban")
    page.click("button:has-text('Buat rencana')")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Rakor Uji Peramban"
    meeting_url = page.url
    page.click("nav[aria-label='Bagian rapat'] >> text=Undangan")
    row = page.locator("#ranking tbody tr", has_text="Dinas Kesehatan")
    assert row.locator("input[type=checkbox]").is_checked()  # suggested: it has complaints
    page.click("button:has-text('Kirim undangan')")
    page.wait_for_load_state()
    assert page.locator("#invitation-list", has_text="Siti Liaison").count() == 1
    return meeting_url


def test_whole_rakor_journey(live_server, js_page):
    page = js_page
    _seed(live_server)
    meeting_url = _plan_and_invite(page, live_server)

    # the invitee answers from the e-mail link, signed out
    page.click("text=Keluar")
    path, code = _rsvp_path(live_server, "lia@uji.go.id")
    page.goto(live_server(path))
    page.check("input[value=hadir]")
    page.click("button:has-text('Kirim jawaban')")
    page.wait_for_selector("text=Jawaban Anda tersimpan")

    # check-in at the door by code (htmx swap)
    browser_login(page, live_server, "staf@uji.go.id", "Rahasia-12345")
    page.goto(meeting_url + "/presensi")
    page.fill("#code", code.lower())
    page.click("#checkin-form button[type=submit]")
    page.wait_for_selector("text=Siti Liaison tercatat hadir")
    assert page.locator("#per-opd tbody tr", has_text="Dinas Kesehatan").inner_text().count("Hadir") >= 1

    # minutes with a script that must not survive, then final
    page.goto(meeting_url + "/notulen")
    page.fill("#body_md", "## 1. Pembukaan\n\nDibuka **tepat waktu**.\n\n<script>alert('x')</script>")
    page.click("button:has-text('Simpan draf')")
    page.wait_for_selector("text=versi 1")
    page.on("dialog", lambda d: d.accept())
    page.click("button:has-text('Tetapkan final')")
    page.wait_for_selector(".minutes-body strong:has-text('tepat waktu')")
    assert page.locator(".minutes-body script").count() == 0

    # an action for the OPD
    page.goto(meeting_url + "/tindak-lanjut")
    page.fill("#title", "Perbarui SK tim pengelola")
    page.select_option("#owner_opd_id", label="Dinas Kesehatan")
    page.click("button:has-text('Tambah')")
    page.wait_for_selector("h3:has-text('Perbarui SK tim pengelola')")
    page.click("text=Keluar")

    # the OPD liaison updates it (htmx swap in place)
    browser_login(page, live_server, "lia@uji.go.id", "Rahasia-12345")
    page.goto(live_server("/rapat/tindak-lanjut"))
    card = page.locator("article.action", has_text="Perbarui SK tim pengelola")
    card.locator("select").select_option("in_progress")
    card.locator("textarea").fill("Draf SK di Biro Hukum")
    card.locator("button[type=submit]").click()
    page.wait_for_selector("text=Kemajuan tercatat.")
    assert "Sedang dikerjakan" in page.locator("article.action").first.inner_text()
    assert axe_violations(page) == []


def test_rsvp_page_with_and_without_js(live_server, page):
    from portal.meetings import services as svc

    _seed(live_server)
    with live_server.app.app_context():
        from portal.people.models import OPD

        m = svc.create_meeting(title="Rakor RSVP", day=dt.date.today() + dt.timedelta(days=40))
        svc.invite(m, [db.session.scalar(db.select(OPD.id))])
        db.session.commit()
    path, code = _rsvp_path(live_server, "lia@uji.go.id")
    page.goto(live_server(path))
    assert code in page.locator(".reg-code").inner_text()
    page.check("input[value=diwakilkan]")
    page.click("button:has-text('Kirim jawaban')")
    page.wait_for_selector("text=Isi nama perwakilan.")
    page.check("input[value=diwakilkan]")
    page.fill("input[name=representative_name]", "Rina Wakil")
    page.fill("input[name=representative_position]", "Kasubag Umum")
    page.click("button:has-text('Kirim jawaban')")
    page.wait_for_selector("text=Jawaban Anda tersimpan: Diwakilkan.")
    # a tampered link shows an error page
    page.goto(live_server(re.sub(r".{4}$", "abcd", path)))
    assert "tidak sah" in page.locator("[role=alert]").inner_text()
    if page.js_enabled:
        page.goto(live_server(path))
        assert axe_violations(page) == []
