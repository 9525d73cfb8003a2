"""At 360 px no main page scrolls sideways: wide tables stack or scroll inside their own labelled
region. Public, Kominfo, OPD desk, meetings and reports pages, each measured."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.extensions import db
from portal.people.models import Liaison
from tests.conftest import Factory, _context, browser_login

pytestmark = pytest.mark.browser

PASSWORD = "Rahasia-12345"


def _seed(live) -> dict:
    """A province with long names, a complaint at an OPD, and a rakor with invitations, attendance,
    minutes and an action, so every table on the meeting pages has rows."""
    from portal.core import mail
    from portal.meetings import services as svc

    with live.app.app_context(), live.app.test_request_context():
        f = Factory()
        opds = [f.opd(f"OPD{i}", f"Dinas Pekerjaan Umum dan Penataan Ruang Wilayah Pembangunan {i}",
                      email=f"opd{i}@uji.go.id") for i in range(3)]
        f.user("kominfo", email="staf@uji.go.id", name="Staf Kominfo")
        lia = f.user("opd", opd=opds[0], email="penghubung.dinas.pekerjaan.umum@uji.go.id",
                     name="Siti Rahmawati Penghubung Dinas", position="Analis Pengaduan Masyarakat")
        db.session.add(Liaison(opd=opds[0], user=lia, valid_from=dt.date(2024, 1, 1)))
        c = None
        for i in range(4):
            c = f.complaint(status="proses", opd=opds[i % 3],
                            submitted_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=40 + i))
        day = dt.date.today() + dt.timedelta(days=20)
        m = svc.create_meeting(title="Rakor Pengelolaan SP4N-LAPOR! Semester Uji", day=day)
        svc.add_speaker(m, name="Dr. Ani Narasumber", title="Asisten Deputi Pelayanan Publik",
                        institution="KemenPANRB", email="ani@menpan.go.id", topic="Tata cara menjawab aduan")
        invs = svc.invite(m, [o.id for o in opds])
        for inv in invs:
            inv.sent_at = dt.datetime.now(dt.UTC)
        svc.check_in(invs[0], svc.CheckInMethod.STAFF)
        svc.save_minutes(m, "## 1. Pembukaan\n\nRapat dibuka **tepat waktu**.\n\n- butir satu\n- butir dua", None)
        svc.add_action(m, "Memperbarui SK Tim Pengelola SP4N-LAPOR! di lingkungan Perangkat Daerah", opds[0],
                       day + dt.timedelta(days=30))
        mail.queue_email("penerima.dengan.alamat.yang.panjang.sekali@uji.go.id",
                         "Undangan: Rakor Pengelolaan SP4N-LAPOR! Semester Uji", "Isi", kind="invitation")
        db.session.commit()
        return {"meeting": m.id, "tracking": c.tracking_no, "opd": opds[0].code}


def _pages(ids: dict) -> dict[str, list[str]]:
    m = ids["meeting"]
    meeting = [f"/rapat/{m}{suffix}" for suffix in ("", "/undangan", "/presensi", "/notulen", "/tindak-lanjut",
                                                     "/foto", "/laporan", "/ubah")]
    return {
        "public": ["/", "/laporan", f"/lacak/{ids['tracking']}", f"/opd/{ids['opd']}", "/data", "/rakor"],
        "kominfo": ["/admin/", f"/admin/laporan/{ids['tracking']}", "/admin/impor", "/admin/belum-lapor",
                    "/admin/pengaturan", "/admin/pengaturan/opd", "/admin/kotak-keluar", "/rapat/", "/rapat/baru", *meeting,
                    "/rapat/tindak-lanjut", "/rapat/ruang-baca", "/rapat/indikator", "/rapat/laporan-berkala"],
        "opd": ["/admin/opd", f"/admin/opd/laporan/{ids['tracking']}", "/rapat/", f"/rapat/{m}",
                "/rapat/tindak-lanjut"],
    }


def _overflow(page, live, paths) -> dict[str, int]:
    wide = {}
    for path in paths:
        resp = page.goto(live(path))
        assert resp is not None and resp.status == 200, (path, resp and resp.status)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 361:
            wide[path] = width
    return wide


def test_no_page_scrolls_sideways_at_360px(live_server, phone_page, chromium):
    ids = _seed(live_server)
    pages = _pages(ids)
    wide = _overflow(phone_page, live_server, pages["public"])
    browser_login(phone_page, live_server, "staf@uji.go.id", PASSWORD)
    wide |= _overflow(phone_page, live_server, pages["kominfo"])
    ctx = _context(chromium, phone_page.js_enabled, mobile=True)  # a second phone, signed in as the OPD
    try:
        opd_page = ctx.new_page()
        browser_login(opd_page, live_server, "penghubung.dinas.pekerjaan.umum@uji.go.id", PASSWORD)
        wide |= _overflow(opd_page, live_server, pages["opd"])
    finally:
        ctx.close()
    assert wide == {}, "\n".join(f"{p}: {w} px" for p, w in wide.items())


def test_scrolling_tables_are_labelled_focusable_regions(live_server, js_page):
    """A table allowed to scroll sideways does so in a region a keyboard user can reach and a screen
    reader can name."""
    ids = _seed(live_server)
    browser_login(js_page, live_server, "staf@uji.go.id", PASSWORD)
    for path in (f"/rapat/{ids['meeting']}/undangan", f"/rapat/{ids['meeting']}/presensi",
                 f"/rapat/{ids['meeting']}"):
        js_page.goto(live_server(path))
        regions = js_page.locator(".table-scroll")
        assert regions.count() > 0, path
        for i in range(regions.count()):
            r = regions.nth(i)
            assert r.get_attribute("tabindex") == "0", path
            assert r.get_attribute("role") == "region", path
            assert r.get_attribute("aria-labelledby") or r.get_attribute("aria-label"), path
