"""Expired sessions under htmx, and a follow-up kept on a stale CSRF token or expired session."""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from portal.complaints.models import FollowUp
from portal.core import security
from portal.extensions import db

HX = {"HX-Request": "true"}
TEXT = "Tim sudah meninjau lokasi pada 3 Februari;\nperbaikan dijadwalkan minggu depan."


def _next_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["next"][0]


def _expire(client):
    with client.session_transaction() as sess:
        sess[security.LAST_SEEN] = int(time.time()) - 31 * 60


@pytest.mark.app_config(SESSION_IDLE_MINUTES=30)
def test_htmx_request_after_idle_timeout_redirects_the_page(world, client, login_as):
    login_as(world.kominfo)
    _expire(client)
    page = "http://localhost/admin/?tab=belum_ditindaklanjuti&opd=DPUPR"
    resp = client.get("/admin/laporan/X/baris?panel=1", headers={**HX, "HX-Current-URL": page})
    assert resp.status_code == 401 and not resp.get_data()
    target = resp.headers["HX-Redirect"]
    assert target.startswith("/login?") and _next_of(target) == "/admin/?tab=belum_ditindaklanjuti&opd=DPUPR"
    html = client.get(target).get_data(as_text=True)
    assert "Sesi Anda berakhir" in html


def test_htmx_request_of_a_signed_out_user(world, client):
    resp = client.get("/admin/", headers={**HX, "HX-Current-URL": "http://localhost/admin/?tab=proses"})
    assert resp.status_code == 401 and _next_of(resp.headers["HX-Redirect"]) == "/admin/?tab=proses"
    assert "Sesi Anda berakhir" in client.get(resp.headers["HX-Redirect"]).get_data(as_text=True)
    # an off-site current URL is never a place to return to
    resp = client.get("/admin/", headers={**HX, "HX-Current-URL": "https://evil.example/admin/"})
    assert resp.headers["HX-Redirect"] == "/login"
    # without htmx: the usual redirect, back to the page itself
    resp = client.get("/admin/?tab=proses")
    assert resp.status_code == 302 and _next_of(resp.location) == "/admin/?tab=proses"


def _followup(client, c, headers=None, token=None):
    data = {"text": TEXT, "status": "proses", "version": str(c.version)}
    if token is not None:
        data["csrf_token"] = token
    return client.post(f"/admin/opd/laporan/{c.tracking_no}/tindak-lanjut", data=data,
                       headers={"Referer": f"http://localhost/admin/opd/laporan/{c.tracking_no}", **(headers or {})})


def _count_followups(c) -> int:
    db.session.expire_all()
    return db.session.query(FollowUp).filter_by(complaint_id=c.id).count()


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_stale_csrf_token_keeps_the_followup_text(world, client, login_as, headers):
    login_as(world.user_a)
    before = _count_followups(world.ca)
    resp = _followup(client, world.ca, headers, token="kedaluwarsa")
    html = resp.get_data(as_text=True)
    assert resp.status_code == (200 if headers else 400)
    assert "CSRF session token" not in html and "The CSRF" not in html and "Formulir kedaluwarsa" in html
    assert TEXT.replace(";", ";") in html.replace("&#39;", "'")
    if headers:
        assert resp.headers["HX-Retarget"] == "#main"
    # the page carries a fresh token: sending it again saves the follow-up once
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    assert _count_followups(world.ca) == before
    again = _followup(client, world.ca, token=token)
    assert again.status_code in (200, 303)
    assert _count_followups(world.ca) == before + 1


@pytest.mark.app_config(WTF_CSRF_ENABLED=True, SESSION_IDLE_MINUTES=30)
@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_expired_session_keeps_the_followup_and_offers_sign_in(world, client, login_as, headers):
    login_as(world.user_a)
    page = client.get(f"/admin/opd/laporan/{world.ca.tracking_no}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    _expire(client)
    resp = _followup(client, world.ca, headers, token=token)
    html = resp.get_data(as_text=True)
    assert "Sesi Anda berakhir" in html and "perbaikan dijadwalkan minggu depan." in html
    assert "Masuk kembali" in html and f"next=/admin/opd/laporan/{world.ca.tracking_no}" in html
    assert _count_followups(world.ca) == 1


def test_english_ui_gets_the_message_in_english(world, client, login_as, app):
    app.config["WTF_CSRF_ENABLED"] = True
    login_as(world.user_a)
    client.get("/?lang=en")
    resp = _followup(client, world.ca, token="x")
    assert "The form expired" in resp.get_data(as_text=True)


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_stale_sign_in_form_shows_the_form_again_with_a_fresh_token(world, client):
    resp = client.post("/login", data={"email": "a@uji.go.id", "password": "Rahasia-12345", "csrf_token": "x",
                                       "next": "/admin/opd"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "kedaluwarsa" in html and 'value="a@uji.go.id"' in html
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', html)
    assert token
