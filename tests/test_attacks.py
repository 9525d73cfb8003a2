"""Attacks from the security review (docs/SECURITY.md): each test fails on the code before it."""

from __future__ import annotations

import time

import pyotp
import pytest
import sqlalchemy as sa

from portal.core.auth import safe_next
from portal.extensions import db
from portal.people.models import User

PASSWORD = "Rahasia-12345"

#: spellings that a browser resolves to another host (or that are no path at all)
BYPASSES = [
    "//evil.example", "///evil.example", "////evil.example", "/\t/evil.example", "/%09/evil.example",
    "/%0a/evil.example", "/%0d%0a/evil.example", "/\n/evil.example", "/\r/evil.example", "\t//evil.example",
    "/\\evil.example", "\\\\evil.example", "/%5cevil.example", "/%5Cevil.example", "/%2f/evil.example",
    "/%2F%2Fevil.example", "%2F%2Fevil.example", "/%252F/evil.example", "/%25252F%25252Fevil.example",
    "https://evil.example/", "http:evil.example", "https:/evil.example", "javascript:alert(1)",
    "data:text/html,x", "evil.example", " //evil.example", "/\x00/evil.example", "/\x0b/evil.example",
    "%09//evil.example", "", None,
]
#: paths on this site stay as they are
KEPT = ["/", "/rapat/", "/admin/?status=proses&q=jalan%20rusak", "/lacak/T0000001",
        "/admin/?next=%2Frapat%2F", "/opd/DINKES#ringkasan"]


@pytest.mark.parametrize("target", BYPASSES)
def test_safe_next_refuses_bypass_spellings(target):
    assert safe_next(target) is None


@pytest.mark.parametrize("target", KEPT)
def test_safe_next_keeps_site_paths(target):
    assert safe_next(target) == target


@pytest.mark.parametrize("target", ["/%09/evil.example", "/\\evil.example", "/%2F/evil.example", "//evil.example"])
def test_login_next_never_leaves_the_site(client, make, target):
    make.user(email="staf@uji.go.id")
    db.session.commit()
    r = client.post("/login", data={"email": "staf@uji.go.id", "password": PASSWORD, "next": target})
    assert r.status_code == 303
    assert r.location == "/admin/"


@pytest.mark.parametrize("target", ["/%09/evil.example", "/\t/evil.example", "/%5Cevil.example"])
def test_language_switch_next_never_leaves_the_site(client, target):
    r = client.post("/bahasa", data={"lang": "en", "next": target})
    assert r.status_code == 303
    assert r.location == "/"


# --- sessions end on sign-out, password change or reset, deactivation ------------------------------

def _sign_in(client, email="staf@uji.go.id", password=PASSWORD, **kw):
    r = client.post("/login", data={"email": email, "password": password, **kw})
    assert r.status_code == 303, r.get_data(as_text=True)[:300]
    return r


def _copy(app, client):
    """A second client holding a copy of ``client``'s session cookie (a stolen or kept cookie)."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def _signed_in(client) -> bool:
    return client.get("/akun").status_code == 200


def test_a_copied_cookie_dies_with_sign_out(app, client, make):
    make.user(email="staf@uji.go.id")
    db.session.commit()
    _sign_in(client)
    thief = _copy(app, client)
    assert _signed_in(thief)
    client.post("/logout")
    assert not _signed_in(thief)


def test_password_change_ends_other_sessions_but_keeps_this_one(app, client, make):
    make.user(email="staf@uji.go.id")
    db.session.commit()
    _sign_in(client)
    elsewhere = app.test_client()
    _sign_in(elsewhere)
    r = client.post("/akun/kata-sandi", data={"current": PASSWORD, "new": "Sandi-Baru-Panjang-789",
                                              "confirm": "Sandi-Baru-Panjang-789"})
    assert r.status_code == 303
    assert _signed_in(client)
    assert not _signed_in(elsewhere)


def test_admin_password_reset_and_deactivation_end_sessions(app, client, make):
    from tests.conftest import login

    opd = make.opd()
    make.user("opd", opd=opd, email="staf@uji.go.id")
    admin = make.user("kominfo")
    db.session.commit()
    login(client, admin)
    liaison = app.test_client()
    _sign_in(liaison)
    user_id = db.session.scalar(sa.select(User.id).where(User.email == "staf@uji.go.id"))
    r = client.post(f"/admin/pengaturan/pengguna/{user_id}/sandi", data={"password": "Sandi-Reset-Panjang-456"})
    assert r.status_code == 303
    assert not _signed_in(liaison)

    _sign_in(liaison, password="Sandi-Reset-Panjang-456")
    client.post(f"/admin/pengaturan/pengguna/{user_id}/status")  # deactivate …
    client.post(f"/admin/pengaturan/pengguna/{user_id}/status")  # … and activate again
    assert db.session.get(User, user_id).active
    assert not _signed_in(liaison)  # the old session does not come back


def test_remember_cookie_carries_the_generation(app, make):
    from flask_login.utils import encode_cookie

    user = make.user()
    db.session.commit()
    old = encode_cookie(user.get_id())
    fresh = app.test_client()
    fresh.set_cookie("remember_token", old)
    assert _signed_in(fresh)
    user.end_sessions()
    db.session.commit()
    replay = app.test_client()
    replay.set_cookie("remember_token", old)
    assert not _signed_in(replay)


def test_a_session_without_generation_loads_nobody(client, make):
    user = make.user()
    db.session.commit()
    with client.session_transaction() as sess:
        sess["_user_id"] = str(user.id)  # a cookie from before the generation existed
    assert not _signed_in(client)


def test_sign_in_issues_a_new_session(client, make):
    make.user(email="staf@uji.go.id")
    db.session.commit()
    with client.session_transaction() as sess:
        sess["planted"] = "by-the-attacker"
    _sign_in(client)
    with client.session_transaction() as sess:
        assert "planted" not in sess


# --- guessing passwords slows the guesser, not the owner, and tells nothing ------------------------

def test_guessing_does_not_lock_the_owner_out(app, client, make):
    make.user(email="staf@uji.go.id")
    db.session.commit()
    for _ in range(20):
        client.post("/login", data={"email": "staf@uji.go.id", "password": "tebakan"})
    owner = app.test_client()
    r = owner.post("/login", data={"email": "staf@uji.go.id", "password": PASSWORD},
                   environ_base={"REMOTE_ADDR": "192.0.2.44"})
    assert r.status_code == 303


def test_delays_grow_and_end(app, client, make):
    import datetime as dt

    from portal.auth import throttle

    assert [throttle.delay(n) for n in range(4, 9)] == [0, 2, 4, 8, 16]
    assert throttle.delay(100) == throttle.MAX_DELAY
    with app.test_request_context(environ_base={"REMOTE_ADDR": "192.0.2.9"}):
        now = dt.datetime(2026, 1, 5, 3, 0, tzinfo=dt.UTC)
        for _ in range(7):
            throttle.record_failure("x@uji.go.id", now)
        assert throttle.wait_seconds("x@uji.go.id", now) == 8
        assert throttle.wait_seconds("x@uji.go.id", now + dt.timedelta(seconds=9)) == 0
        assert throttle.wait_seconds("other@uji.go.id", now) == 0


def test_known_and_unknown_accounts_answer_alike(app, make):
    from portal.people.models import User as U

    user = make.user(email="ada@uji.go.id")
    user.set_password(PASSWORD)  # the real (slow) hash, as in production
    db.session.commit()

    def attempt(email):
        c = app.test_client()
        start = time.perf_counter()
        r = c.post("/login", data={"email": email, "password": "tebakan-salah"})
        return r.status_code, _message(r.get_data(as_text=True)), time.perf_counter() - start

    attempt("pemanasan@uji.go.id")  # the dummy hash is made once
    known = [attempt("ada@uji.go.id") for _ in range(3)]
    unknown = [attempt("tidak-ada@uji.go.id") for _ in range(3)]
    assert {k[:2] for k in known} == {u[:2] for u in unknown}
    fast_known, fast_unknown = min(k[2] for k in known), min(u[2] for u in unknown)
    assert fast_unknown > fast_known / 2 and fast_known > fast_unknown / 2
    assert db.session.scalar(sa.select(U.id).where(U.email == "tidak-ada@uji.go.id")) is None


def _message(html: str) -> str:
    import re

    found = re.search(r'<p class="alert[^"]*"[^>]*>(.*?)</p>', html, re.S) or re.search(
        r'role="alert"[^>]*>(.*?)<', html, re.S)
    assert found, html[:500]
    return found.group(1).strip()


# --- a TOTP code works once ------------------------------------------------------------------------

def test_totp_code_cannot_be_replayed(app, client, make):
    secret = pyotp.random_base32()
    make.user(email="staf@uji.go.id", totp_secret=secret)
    db.session.commit()
    code = pyotp.TOTP(secret).now()
    _sign_in(client, otp=code)
    client.post("/logout")
    r = app.test_client().post("/login", data={"email": "staf@uji.go.id", "password": PASSWORD, "otp": code})
    assert r.status_code == 422
    earlier = pyotp.TOTP(secret).at(time.time() - 30)
    r = app.test_client().post("/login", data={"email": "staf@uji.go.id", "password": PASSWORD, "otp": earlier})
    assert r.status_code == 422
    _sign_in(app.test_client(), otp=pyotp.TOTP(secret).at(time.time() + 30))


# --- the secret key ----------------------------------------------------------------------------------

def _example_secret() -> str:
    from pathlib import Path

    env = (Path(__file__).parent.parent / "deploy" / "portal.env.example").read_text()
    return next(line.split("=", 1)[1].strip() for line in env.splitlines() if line.startswith("SECRET_KEY="))


@pytest.mark.parametrize("key", [None, "", "dev-secret-change-me", "test-secret", "x" * 31,
                                 "change-me-to-64-random-characters", "EXAMPLE"])
def test_production_refuses_missing_placeholder_or_short_keys(monkeypatch, tmp_path, key):
    from portal import create_app

    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    key = _example_secret() if key == "EXAMPLE" else key
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"SECRET_KEY": key, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}"})


def test_production_accepts_a_real_key(monkeypatch, tmp_path):
    import secrets

    from portal import create_app

    monkeypatch.setenv("PORTAL_ENV", "production")
    key = secrets.token_urlsafe(48)
    app = create_app({"SECRET_KEY": key, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}"})
    assert app.config["SECRET_KEY"] == key


def test_development_makes_a_private_random_key_once(tmp_path, monkeypatch):
    import stat

    from portal import config

    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("PORTAL_ENV", raising=False)
    settings = config.from_env(str(tmp_path))
    assert settings["SECRET_KEY"] is None  # no public default any more
    config.ensure_secret_key(settings, str(tmp_path))
    key = settings["SECRET_KEY"]
    path = tmp_path / config.SECRET_FILE
    assert len(key) >= 48 and path.read_text().strip() == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = config.from_env(str(tmp_path))
    config.ensure_secret_key(again, str(tmp_path))
    assert again["SECRET_KEY"] == key  # sessions survive a restart
    other = tmp_path / "other"
    second = {"SECRET_KEY": None}
    config.ensure_secret_key(second, str(other))
    assert second["SECRET_KEY"] != key
