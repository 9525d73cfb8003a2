"""OPD scoping of every meeting route: an OPD user sees their own OPD's items and the documents
meant for them; the lists of every OPD's people and actions are for province-wide roles."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import g

from portal.extensions import db
from portal.meetings import services as svc
from portal.meetings.models import CheckInMethod
from tests.conftest import login

ROLES = ("kominfo", "pimpinan", "ombudsman", "lia_busy", "other")
#: url key → expected status per role (kominfo, pimpinan, ombudsman, invited OPD, OPD not concerned)
EXPECTED = {
    "detail": (200, 200, 200, 200, 404),
    "invitations": (200, 200, 200, 403, 404),
    "attendance": (200, 200, 200, 403, 404),
    "attendance_pdf": (200, 200, 200, 403, 404),
    "letter_pdf": (200, 200, 200, 403, 404),
    "own_letter": (200, 404, 404, 200, 404),
    "their_letter": (200, 404, 404, 404, 404),
    "own_ics": (200, 404, 404, 200, 404),
    "their_ics": (200, 404, 404, 404, 404),
    "minutes": (200, 200, 200, 200, 404),
    "actions": (200, 200, 200, 200, 404),
    "my_actions": (200, 200, 200, 200, 200),
    "checkin_code": (200, 403, 403, 403, 404),
    "report": (200, 200, 200, 403, 403),
}


@pytest.fixture
def scoped(rakor):
    """The rakor with the previous meeting's open actions carried over, two OPDs invited, one checked in."""
    earlier = svc.create_meeting(title="Rakor Semester II 2024", day=dt.date(2098, 8, 12))
    svc.add_action(earlier, "Perbarui SK tim DINKES", rakor.busy)
    svc.add_action(earlier, "Rencana aksi DPUPR terlambat", rakor.weak)
    svc.carry_over(rakor.meeting, earlier)
    invs = {i.opd_id: i for i in svc.invite(rakor.meeting, [rakor.busy.id, rakor.weak.id]) if i.opd_id}
    svc.check_in(invs[rakor.weak.id], CheckInMethod.STAFF)
    db.session.commit()
    m = rakor.meeting.id
    own, theirs = invs[rakor.busy.id], invs[rakor.weak.id]
    rakor.urls = {
        "detail": f"/rapat/{m}", "invitations": f"/rapat/{m}/undangan", "attendance": f"/rapat/{m}/presensi",
        "attendance_pdf": f"/rapat/{m}/daftar-hadir.pdf", "letter_pdf": f"/rapat/{m}/surat-undangan.pdf",
        "own_letter": f"/rapat/{m}/undangan/{own.id}/surat.pdf",
        "their_letter": f"/rapat/{m}/undangan/{theirs.id}/surat.pdf",
        "own_ics": f"/rapat/{m}/undangan/{own.id}/rakor.ics", "their_ics": f"/rapat/{m}/undangan/{theirs.id}/rakor.ics",
        "minutes": f"/rapat/{m}/notulen", "actions": f"/rapat/{m}/tindak-lanjut", "my_actions": "/rapat/tindak-lanjut",
        "checkin_code": f"/rapat/{m}/presensi/kode/{own.code}", "report": f"/rapat/{m}/laporan",
    }
    return rakor


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_every_meeting_url_by_role(client, scoped, key):
    for role, expected in zip(ROLES, EXPECTED[key], strict=True):
        g.pop("_login_user", None)
        login(client, getattr(scoped, role))
        r = client.get(scoped.urls[key])
        assert r.status_code == expected, (key, role, r.status_code)


@pytest.mark.parametrize("key", ["detail", "actions", "my_actions"])
def test_opd_user_sees_only_their_own_actions(client, scoped, key):
    login(client, scoped.lia_busy)
    html = client.get(scoped.urls[key]).get_data(as_text=True)
    assert "Perbarui SK tim DINKES" in html
    assert "Rencana aksi DPUPR" not in html and "Pekerjaan Umum" not in html


def test_province_roles_see_every_carried_action(client, scoped):
    login(client, scoped.pimpinan)
    html = client.get(scoped.urls["detail"]).get_data(as_text=True)
    assert "Perbarui SK tim DINKES" in html and "Rencana aksi DPUPR terlambat" in html
    assert "daftar-hadir.pdf" in html


def test_opd_detail_offers_only_their_documents(client, scoped):
    login(client, scoped.lia_busy)
    html = client.get(scoped.urls["detail"]).get_data(as_text=True)
    assert "daftar-hadir.pdf" not in html and "surat-undangan.pdf" not in html
    assert scoped.urls["own_letter"] in html
