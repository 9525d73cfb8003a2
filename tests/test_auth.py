import re

import pytest

from portal.extensions import db
from tests.conftest import login


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)  # the login form's own token (anonymous pages carry no other)
def test_login_page_has_the_interface_fields(client):
    html = client.get("/login").get_data(as_text=True)
    for name in ("email", "password", "csrf_token"):
        assert f'name="{name}"' in html
    assert '<html lang="id">' in html


def test_login_ok_goes_to_the_role_home(client, make):
    make.user("kominfo", email="staf@uji.go.id")
    db.session.commit()
    r = client.post("/login", data={"email": "STAF@uji.go.id ", "password": "Rahasia-12345"})
    assert r.status_code == 303 and r.location.endswith("/admin/")


def test_opd_user_goes_to_opd_desk(client, make):
    make.user("opd", opd=make.opd(), email="opd@uji.go.id")
    db.session.commit()
    r = client.post("/login", data={"email": "opd@uji.go.id", "password": "Rahasia-12345"})
    assert r.location.endswith("/admin/opd")


def test_wrong_password_rerenders_with_message(client, make):
    make.user(email="staf@uji.go.id")
    db.session.commit()
    r = client.post("/login", data={"email": "staf@uji.go.id", "password": "salah"})
    assert r.status_code == 422
    assert "Email atau kata sandi salah" in r.get_data(as_text=True)


def test_repeated_failures_slow_down_that_client_only(client, make, app):
    make.user(email="staf@uji.go.id")
    db.session.commit()
    for _ in range(5):
        client.post("/login", data={"email": "staf@uji.go.id", "password": "salah"})
    r = client.post("/login", data={"email": "staf@uji.go.id", "password": "Rahasia-12345"})
    assert "Terlalu banyak percobaan" in r.get_data(as_text=True)
    other = app.test_client()
    r = other.post("/login", data={"email": "staf@uji.go.id", "password": "Rahasia-12345"},
                   environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert r.status_code == 303


def test_inactive_user_cannot_sign_in(client, make):
    make.user(email="lama@uji.go.id", active=False)
    db.session.commit()
    r = client.post("/login", data={"email": "lama@uji.go.id", "password": "Rahasia-12345"})
    assert r.status_code == 422


@pytest.mark.parametrize(("target", "expected_suffix"), [
    ("/rapat/", "/rapat/"), ("//evil.example/x", "/admin/"), ("https://evil.example/", "/admin/"),
])
def test_next_must_stay_on_site(client, make, target, expected_suffix):
    make.user(email="staf@uji.go.id")
    db.session.commit()
    r = client.post("/login", data={"email": "staf@uji.go.id", "password": "Rahasia-12345", "next": target})
    assert r.location.endswith(expected_suffix)
    assert "evil" not in r.location


def test_logout_is_post_only(client, make):
    user = make.user()
    db.session.commit()
    login(client, user)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 303
    assert client.get("/admin/").status_code == 302


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_csrf_is_enforced(client, make):
    make.user(email="staf@uji.go.id")
    db.session.commit()
    r = client.post("/login", data={"email": "staf@uji.go.id", "password": "Rahasia-12345"})
    assert r.status_code in (400, 422)
    token = _csrf(client.get("/login").get_data(as_text=True))
    r = client.post("/login", data={"email": "staf@uji.go.id", "password": "Rahasia-12345", "csrf_token": token})
    assert r.status_code == 303


@pytest.mark.app_config(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="3/minute")
def test_sign_in_is_rate_limited(client):
    for _ in range(3):
        client.post("/login", data={"email": "x@uji.go.id", "password": "salah"})
    r = client.post("/login", data={"email": "x@uji.go.id", "password": "salah"})
    assert r.status_code == 429


@pytest.mark.parametrize(("role", "url", "status"), [
    (None, "/admin/", 302), ("opd", "/admin/", 403), ("kominfo", "/admin/", 200), ("pimpinan", "/admin/", 200),
    ("ombudsman", "/admin/", 200), (None, "/admin/opd", 302), ("kominfo", "/admin/opd", 403),
    ("opd", "/admin/opd", 200), (None, "/rapat/", 302), ("opd", "/rapat/", 200),
])
def test_role_matrix(client, make, role, url, status):
    if role:
        user = make.user(role, opd=make.opd() if role == "opd" else None)
        db.session.commit()
        login(client, user)
    assert client.get(url).status_code == status


def test_language_switch(client):
    r = client.post("/bahasa", data={"lang": "en", "next": "/"})
    assert r.status_code == 303
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in html


def test_security_headers(client):
    r = client.get("/")
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in r.get_data(as_text=True)


def test_healthz(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json["database"] == "ok" and r.json["status"] == "ok"
