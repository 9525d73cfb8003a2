"""Attacks from the security review (issue 15, docs/SECURITY.md): each test fails on the code before it."""

from __future__ import annotations

import pytest

from portal.core.auth import safe_next
from portal.extensions import db

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
