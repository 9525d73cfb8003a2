"""Kominfo issues and revokes Open311 API keys: page and CLI; only the SHA-256 is stored."""

import hashlib
import re

import pytest
import sqlalchemy as sa

from portal.core.models import ApiKey
from portal.extensions import db


def test_only_kominfo_may_open_the_page(client, make, login_as):
    opd = make.opd()
    for role in ("opd", "pimpinan", "ombudsman"):
        c = login_as(make.user(role, opd=opd if role == "opd" else None))
        assert c.get("/admin/kunci-api").status_code == 403
    client.post("/logout")
    r = client.get("/admin/kunci-api")
    assert r.status_code in (302, 403)


@pytest.mark.app_config(WTF_CSRF_ENABLED=False)
def test_issue_shows_the_key_once_and_revoke(make, login_as):
    c = login_as(make.user("kominfo"))
    r = c.post("/admin/kunci-api", data={"name": "Aplikasi Kota Serang"})
    assert r.status_code == 200
    raw = re.search(r'<code class="secret">([^<]+)</code>', r.get_data(as_text=True)).group(1)
    key = db.session.scalar(sa.select(ApiKey))
    assert key.key_hash == hashlib.sha256(raw.encode()).hexdigest() and key.name == "Aplikasi Kota Serang"
    assert r.headers["Cache-Control"] == "no-store"
    page = c.get("/admin/kunci-api").get_data(as_text=True)
    assert raw not in page and key.prefix in page
    r = c.post(f"/admin/kunci-api/{key.id}/cabut")
    assert r.status_code == 303
    db.session.refresh(key)
    assert key.revoked_at is not None
    assert c.post("/admin/kunci-api/9999/cabut").status_code == 404


def test_cli_create_list_revoke(runner):
    r = runner.invoke(args=["apikey", "create", "--name", "Mitra CLI"])
    assert r.exit_code == 0, r.output
    raw = r.output.strip().splitlines()[-1]
    key = db.session.scalar(sa.select(ApiKey))
    assert key.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert "active" in runner.invoke(args=["apikey", "list"]).output
    r = runner.invoke(args=["apikey", "revoke", key.prefix])
    assert r.exit_code == 0 and "Revoked" in r.output
    db.session.expire_all()
    assert db.session.get(ApiKey, key.id).revoked_at is not None
    assert runner.invoke(args=["apikey", "revoke", "nope"]).exit_code != 0
