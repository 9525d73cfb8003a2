"""The speed work must not change what anyone sees: cookies, caching per audience, 304s, invalidation."""

from __future__ import annotations

import datetime as dt

import flask_babel
import pytest

from portal.extensions import db
from tests.conftest import login

PUBLIC = ["/", "/api/v1/stats", "/api/v1/stats/opd", "/lacak/{no}", "/api/v1/complaints/{no}"]


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
@pytest.mark.parametrize("url", [*PUBLIC, "/laporan", "/lacak", "/data"])
def test_anonymous_public_pages_set_no_cookie(app, make, url):
    c = make.complaint(tracking_no="5550001")
    db.session.commit()
    r = app.test_client().get(url.format(no=c.tracking_no))
    assert r.status_code == 200
    assert "Set-Cookie" not in r.headers
    assert "csrf_token" not in r.get_data(as_text=True)


@pytest.mark.parametrize("url", PUBLIC)
def test_cached_public_response_revalidates_with_304(client, make, url):
    c = make.complaint(tracking_no="5550002")
    db.session.commit()
    url = url.format(no=c.tracking_no)
    first = client.get(url)
    assert first.status_code == 200 and first.headers["ETag"] and first.headers["Last-Modified"]
    assert first.headers["Cache-Control"] == "public, no-cache"
    again = client.get(url)
    assert again.get_data() == first.get_data() and again.headers["ETag"] == first.headers["ETag"]
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200


def test_tracking_page_follows_a_change_at_once(client, make):
    c = make.complaint(tracking_no="5550003", title="Lampu jalan padam", status="proses",
                       verified_at=dt.datetime(2025, 2, 3, 2, 0, tzinfo=dt.UTC))
    db.session.commit()
    before = client.get("/lacak/5550003")
    assert "Lampu jalan padam" in before.get_data(as_text=True)
    c.title = "Lampu jalan mati total"
    db.session.commit()
    after = client.get("/lacak/5550003", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    assert "Lampu jalan mati total" in after.get_data(as_text=True)
    assert client.get("/api/v1/complaints/5550003").json["title"] == "Lampu jalan mati total"


@pytest.mark.parametrize("role", ["kominfo", "opd", "pimpinan"])
def test_signed_in_users_bypass_the_cache(client, make, role):
    opd = make.opd()
    make.complaint(tracking_no="5550004", opd=opd)
    db.session.commit()
    anon = client.get("/lacak/5550004")
    assert "ETag" in anon.headers
    login(client, make.user(role, opd=opd if role == "opd" else None))
    r = client.get("/lacak/5550004")
    assert r.status_code == 200 and "ETag" not in r.headers
    assert r.headers["Cache-Control"] == "no-store"
    assert r.get_data() != anon.get_data()  # their own navigation, never the anonymous copy
    client.post("/logout")
    assert "ETag" not in client.get("/lacak/5550004").headers  # it shows the "signed out" flash
    assert "ETag" in client.get("/lacak/5550004").headers


def test_anonymous_cache_never_stores_a_signed_in_render(client, make):
    make.complaint(tracking_no="5550005")
    user = make.user("kominfo")
    db.session.commit()
    login(client, user)
    client.get("/lacak/5550005")
    client.post("/logout")
    html = client.get("/lacak/5550005").get_data(as_text=True)
    assert user.email not in html and "Keluar" not in html


def test_english_pages_are_cached_apart(client, make):
    make.complaint(tracking_no="5550006")
    db.session.commit()
    assert '<html lang="id">' in client.get("/lacak/5550006").get_data(as_text=True)
    client.post("/bahasa", data={"lang": "en", "next": "/lacak/5550006"})
    flask_babel.refresh()  # tests share one app context; a real request starts without a locale
    assert '<html lang="en">' in client.get("/lacak/5550006").get_data(as_text=True)


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_language_switch_needs_no_csrf_token_and_stays_post(app):
    client = app.test_client()
    r = client.post("/bahasa", data={"lang": "en", "next": "/laporan"})
    assert r.status_code == 303 and r.headers["Location"].endswith("/laporan")
    assert '<html lang="en">' in client.get("/laporan").get_data(as_text=True)
    assert client.get("/bahasa").status_code == 405
    assert client.post("/bahasa", data={"lang": "en", "next": "https://evil.example/"}).headers[
        "Location"] == "/"


def test_healthz_is_degraded_not_down_without_redis_reply(app):
    from unittest import mock

    class Dead:
        def ping(self):
            raise ConnectionError("refused")

    with mock.patch.dict(app.extensions, {"portal_redis": Dead()}):
        r = app.test_client().get("/healthz")
    assert r.status_code == 200 and r.json == {"status": "degraded", "database": "ok", "redis": "error",
                                                 "calendar": "ok"}
