"""Security hardening: headers, cookies, session expiry, throttling and lockout, TOTP, passwords, logs."""

from __future__ import annotations

import io
import json
import logging
import re
import time

import pyotp
import pytest
import sqlalchemy as sa

from portal.core import security
from portal.core.logs import _MARK, redact
from portal.core.models import AuditLog
from portal.extensions import db
from portal.people.models import User
from tests.conftest import login

PASSWORD = "Rahasia-12345"


def _post_login(client, email, password=PASSWORD, otp=""):
    return client.post("/login", data={"email": email, "password": password, "otp": otp})


# --- headers ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/", "/login", "/healthz", "/tidak-ada"])
def test_strict_csp_everywhere(client, url):
    r = client.get(url)
    csp = r.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert "unsafe" not in csp and directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_html_pages_have_no_inline_script_or_style(client, make):
    user = make.user("kominfo")
    db.session.commit()
    pages = ["/", "/login"]
    login(client, user)
    pages += ["/akun", "/akun/kata-sandi", "/akun/2fa", "/admin/"]
    for url in pages:
        html = client.get(url).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert "<style" not in html and " style=" not in html, url
        assert not re.search(r"\son[a-z]+=", html), url  # no inline event handlers


def test_no_hsts_over_plain_http(client):
    assert "Strict-Transport-Security" not in client.get("/").headers


@pytest.mark.app_config(HSTS_ENABLED=False)
def test_no_hsts_when_disabled_even_on_https(client):
    assert "Strict-Transport-Security" not in client.get("/", base_url="https://localhost").headers


@pytest.mark.app_config(HSTS_ENABLED=True)
def test_hsts_only_on_https(client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    r = client.get("/", base_url="https://localhost")
    assert r.headers["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.app_config(HSTS_ENABLED=True, PROXY_FIX=1)
def test_hsts_behind_a_tls_proxy(client):
    r = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in r.headers
    assert "Strict-Transport-Security" not in client.get("/", headers={"X-Forwarded-Proto": "http"}).headers


# --- cookies and sessions -----------------------------------------------------------------------------

@pytest.mark.app_config(SESSION_COOKIE_SECURE=True)
def test_session_cookie_flags(client, make):
    make.user(email="staf@uji.go.id")
    db.session.commit()
    r = _post_login(client, "staf@uji.go.id")
    assert r.status_code == 303
    cookie = r.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Expires=" in cookie  # a permanent session with PERMANENT_SESSION_LIFETIME


def test_signed_in_pages_are_not_cached(app, client, make):
    user = make.user()
    db.session.commit()
    login(client, user)
    assert client.get("/admin/").headers["Cache-Control"] == "no-store"


def test_public_pages_may_be_cached(client):
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")


@pytest.mark.app_config(SESSION_IDLE_MINUTES=30)
def test_idle_session_expires(client, make):
    user = make.user()
    db.session.commit()
    login(client, user)
    assert client.get("/admin/").status_code == 200
    with client.session_transaction() as sess:
        sess[security.LAST_SEEN] = int(time.time()) - 31 * 60
    r = client.get("/admin/")
    assert r.status_code == 303 and "/login" in r.location
    assert client.get("/admin/").status_code == 302  # signed out for good
    html = client.get("/login").get_data(as_text=True)
    assert "tidak aktif" in html


def test_absolute_session_lifetime(client, app, make):
    user = make.user()
    db.session.commit()
    login(client, user)
    with client.session_transaction() as sess:
        sess[security.SIGNED_IN_AT] = int(time.time() - app.permanent_session_lifetime.total_seconds() - 5)
        sess[security.LAST_SEEN] = int(time.time())
    assert client.get("/admin/").status_code == 303


def test_active_session_is_kept(client, make):
    user = make.user()
    db.session.commit()
    login(client, user)
    with client.session_transaction() as sess:
        sess[security.LAST_SEEN] = int(time.time()) - 10 * 60
    assert client.get("/admin/").status_code == 200


# --- throttling and lockout -------------------------------------------------------------------------

@pytest.mark.app_config(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="5/minute")
def test_sign_in_throttled_with_429(client):
    codes = [_post_login(client, "x@uji.go.id", "salah").status_code for _ in range(6)]
    assert codes[:5] == [422] * 5 and codes[5] == 429


def test_throttle_message_is_clear(client, make):
    make.user(email="staf@uji.go.id")
    db.session.commit()
    for _ in range(5):
        assert "Email atau kata sandi salah" in _post_login(client, "staf@uji.go.id", "salah").get_data(as_text=True)
    html = _post_login(client, "staf@uji.go.id").get_data(as_text=True)  # even the right password waits
    assert "Terlalu banyak percobaan" in html and "detik" in html


# --- TOTP -------------------------------------------------------------------------------------------

def test_totp_enrol_and_sign_in_with_code(client, make):
    user = make.user("kominfo", email="staf@uji.go.id")
    db.session.commit()
    login(client, user)
    html = client.get("/akun/2fa").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in html
    secret = re.search(r"<code>([A-Z2-7]+)</code>", html).group(1)
    r = client.post("/akun/2fa", data={"code": "000000"})
    assert r.status_code == 422 and "Kode tidak cocok" in r.get_data(as_text=True)
    r = client.post("/akun/2fa", data={"code": pyotp.TOTP(secret).now()})
    assert r.status_code == 303
    db.session.refresh(user)
    assert user.totp_secret == secret
    assert db.session.scalar(sa.select(AuditLog.action).where(AuditLog.object_id == str(user.id))) == \
        "user.totp_enable"

    client.post("/logout")
    r = _post_login(client, "staf@uji.go.id")
    assert r.status_code == 422 and "Kode autentikator" in r.get_data(as_text=True)
    r = _post_login(client, "staf@uji.go.id", otp="123456" if pyotp.TOTP(secret).now() != "123456" else "654321")
    assert r.status_code == 422
    r = _post_login(client, "staf@uji.go.id", otp=pyotp.TOTP(secret).now())
    assert r.status_code == 422  # the enrolment used this step's code: it cannot be replayed
    r = _post_login(client, "staf@uji.go.id", otp=pyotp.TOTP(secret).at(time.time() + 30))
    assert r.status_code == 303


def test_totp_disable_needs_password_and_code(client, make):
    secret = pyotp.random_base32()
    user = make.user("pimpinan", totp_secret=secret)
    db.session.commit()
    login(client, user)
    assert "aktif" in client.get("/akun/2fa").get_data(as_text=True)
    r = client.post("/akun/2fa/nonaktif", data={"password": "salah-12345", "code": pyotp.TOTP(secret).now()})
    assert r.status_code == 422
    r = client.post("/akun/2fa/nonaktif", data={"password": PASSWORD, "code": pyotp.TOTP(secret).now()})
    assert r.status_code == 303
    db.session.refresh(user)
    assert user.totp_secret is None


def test_wrong_totp_codes_count_towards_the_throttle(client, make):
    secret = pyotp.random_base32()
    make.user(email="staf@uji.go.id", totp_secret=secret)
    db.session.commit()
    for _ in range(5):
        _post_login(client, "staf@uji.go.id", otp="000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    html = _post_login(client, "staf@uji.go.id", otp=pyotp.TOTP(secret).now()).get_data(as_text=True)
    assert "Terlalu banyak percobaan" in html


@pytest.mark.parametrize(("role", "status"), [("kominfo", 200), ("pimpinan", 200), ("opd", 403),
                                              ("ombudsman", 403)])
def test_totp_is_for_kominfo_and_pimpinan(client, make, role, status):
    user = make.user(role, opd=make.opd() if role == "opd" else None)
    db.session.commit()
    login(client, user)
    assert client.get("/akun/2fa").status_code == status
    assert client.get("/akun").status_code == 200


# --- password change --------------------------------------------------------------------------------

@pytest.mark.parametrize(("new", "message"), [
    ("pendek1", "minimal 10 karakter"), ("hanyahurufsaja", "huruf dan angka"),
    ("password123", "terlalu umum"), ("staf-rahasia-99", "nama email"), (PASSWORD, "berbeda"),
])
def test_password_change_applies_the_policy(client, make, new, message):
    user = make.user(email="staf@uji.go.id")
    db.session.commit()
    login(client, user)
    r = client.post("/akun/kata-sandi", data={"current": PASSWORD, "new": new, "confirm": new})
    assert r.status_code == 422 and message in r.get_data(as_text=True)


def test_password_change(client, make):
    user = make.user(email="staf@uji.go.id")
    db.session.commit()
    login(client, user)
    r = client.post("/akun/kata-sandi", data={"current": "salah", "new": "Baru-Sekali-2026", "confirm": "Baru-Sekali-2026"})
    assert r.status_code == 422 and "saat ini salah" in r.get_data(as_text=True)
    r = client.post("/akun/kata-sandi", data={"current": PASSWORD, "new": "Baru-Sekali-2026", "confirm": "lain-2026xx"})
    assert r.status_code == 422
    r = client.post("/akun/kata-sandi", data={"current": PASSWORD, "new": "Baru-Sekali-2026", "confirm": "Baru-Sekali-2026"})
    assert r.status_code == 303
    db.session.refresh(user)
    assert user.check_password("Baru-Sekali-2026")


def test_account_pages_need_sign_in(client):
    for url in ("/akun", "/akun/kata-sandi", "/akun/2fa"):
        assert client.get(url).status_code == 302


# --- logs -------------------------------------------------------------------------------------------

def test_redact():
    line = "warga budi.s@contoh.id NIK 3601234567890123 hp +6281234567890 / 081234567890 id 42"
    assert redact(line) == "warga [email] NIK [nik] hp [phone] / [phone] id 42"


@pytest.mark.app_config(LOG_JSON=True)
def test_json_logs_have_request_ids_and_no_personal_data(app, client, make):
    handler = next(h for h in logging.getLogger().handlers if getattr(h, _MARK, False))
    buf = io.StringIO()
    handler.setStream(buf)
    opd = make.opd()
    make.user("opd", opd=opd, email="penghubung@uji.go.id")
    reporter = {"name": "Budi Santoso", "nik": "3601234567890123", "phone": "+6281234567890",
                "email": "budi.s@contoh.id"}
    c = make.complaint(opd=opd, status="belum_ditindaklanjuti", reporter=reporter)
    db.session.commit()
    _post_login(client, "penghubung@uji.go.id", "salah")
    assert _post_login(client, "penghubung@uji.go.id").status_code == 303
    views = [f"/admin/opd/laporan/{c.tracking_no}"]
    if "public.lacak" in app.view_functions:
        views.append(f"/lacak/{c.tracking_no}")
    for url in views:
        client.get(url, headers={"X-Request-ID": "abc123"})
    app.logger.warning("should be masked: %s %s", "budi.s@contoh.id", "3601234567890123")
    handler.flush()
    lines = [json.loads(x) for x in buf.getvalue().splitlines() if x.strip()]
    assert lines and all("request_id" in rec and "level" in rec for rec in lines)
    requests = [rec for rec in lines if rec["logger"] == "portal.request"]
    assert any(rec["request_id"] == "abc123" and rec["path"].startswith("/admin/opd/laporan/") for rec in requests)
    assert any(rec["path"] == "/login" and rec["status"] == 303 for rec in requests)
    text = buf.getvalue()
    for secret in ("budi.s@contoh.id", "3601234567890123", "81234567890", "penghubung@uji.go.id", "Budi Santoso",
                   "Rahasia-12345"):
        assert secret not in text


# --- no state change by GET ---------------------------------------------------------------------------

ACTION_WORDS = {"delete", "hapus", "remove", "logout", "keluar", "set", "verify", "verifikasi", "dispatch",
                "disposisi", "archive", "arsip", "finish", "approve", "setujui", "send", "kirim", "reopen",
                "disable", "nonaktif", "revoke", "cancel", "batalkan", "publish", "terbitkan", "postpone",
                "return", "kembalikan", "toggle", "reset", "create", "update", "merge", "import", "upload"}
FORM_PAGES_OK = {"auth.login", "auth.password_change", "auth.totp_enrol"}


def test_action_endpoints_refuse_get(app):
    offenders = []
    for rule in app.url_map.iter_rules():
        words = set(re.split(r"[._]", rule.endpoint))
        if "GET" in rule.methods and words & ACTION_WORDS and rule.endpoint not in FORM_PAGES_OK \
                and not (words & {"form", "page", "new", "edit", "preview", "status", "result", "progress"}):
            offenders.append(f"{rule.endpoint} {rule.rule}")
    assert not offenders, offenders


def test_logout_and_language_are_post_only(app, client):
    for endpoint in ("auth.logout", "auth.set_language"):
        rules = [r for r in app.url_map.iter_rules() if r.endpoint == endpoint]
        assert rules and all(r.methods - {"HEAD", "OPTIONS"} == {"POST"} for r in rules)
    assert client.get("/logout").status_code == 405
    assert client.get("/bahasa?lang=en").status_code == 405


def _row_counts() -> dict[str, int]:
    with db.engine.connect() as conn:
        return {t.name: conn.scalar(sa.select(sa.func.count()).select_from(t)) for t in db.metadata.sorted_tables}


def test_get_on_form_routes_writes_nothing(app, client, make):
    """Every rule that takes POST and GET (without URL arguments): GET as each role changes no table."""
    opd = make.opd()
    users = [make.user(role, opd=opd if role == "opd" else None) for role in ("kominfo", "opd", "pimpinan")]
    make.complaint(opd=opd, status="belum_ditindaklanjuti")
    db.session.commit()
    rules = [r for r in app.url_map.iter_rules() if {"GET", "POST"} <= r.methods and not r.arguments]
    assert rules
    for user in users:
        login(client, user)
        before = _row_counts()
        for rule in rules:
            client.get(rule.rule)
        assert _row_counts() == before, user.role


def test_user_model_unchanged_by_pages(client, make):
    user = make.user()
    db.session.commit()
    login(client, user)
    client.get("/akun/2fa")
    db.session.expire_all()
    assert db.session.get(User, user.id).totp_secret is None  # enrolment keeps the secret pending until verified
