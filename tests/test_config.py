"""Every configuration key the code reads is defined in one typed place (portal/config.py) and documented."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from flask import Flask

from portal import config
from portal.core import settings as site_settings

ROOT = Path(__file__).resolve().parent.parent
READ = re.compile(r"""\b(?:config|cfg)(?:\[|\.get\(|\.setdefault\(|\.pop\()\s*["']([A-Z][A-Z0-9_]+)["']""")


def keys_read() -> dict[str, list[str]]:
    """Config keys named in ``portal/``: key → where."""
    found: dict[str, list[str]] = {}
    for path in sorted((ROOT / "portal").rglob("*.py")):
        if path.name == "config.py" and path.parent.name == "portal":
            continue
        for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for key in READ.findall(line):
                found.setdefault(key, []).append(f"{path.relative_to(ROOT)}:{no}")
    for key in site_settings.KEYS:  # read in a loop (current_app.config.get(k))
        found.setdefault(key, []).append("portal/core/settings.py")
    return found


def test_the_scan_finds_the_reads():
    found = keys_read()
    assert {"SECRET_KEY", "UPLOAD_DIR", "PROXY_FIX", "STATS_STALE_SECONDS", "INSTITUTION_CITY"} <= found.keys()


def test_every_key_read_is_defined():
    flask_own = set(Flask.default_config)
    undefined = {k: v for k, v in keys_read().items() if k not in config.DOCS and k not in flask_own}
    assert not undefined, f"read but not defined in portal.config.Settings: {undefined}"


def test_every_setting_has_a_type_a_default_and_a_doc(tmp_path):
    defaults = config.from_env(str(tmp_path))
    for f in dataclasses.fields(config.Settings):
        assert f.type, f.name
        assert f.name in defaults
        assert len(config.DOCS[f.name]) > 5, f.name


def test_every_setting_is_documented():
    text = (ROOT / "docs" / "CONFIG.md").read_text(encoding="utf-8")
    missing = [k for k in config.DOCS if f"`{k}`" not in text]
    assert not missing, f"add to docs/CONFIG.md: {missing}"
    envs = [f.metadata["env"] for f in dataclasses.fields(config.Settings) if f.metadata["env"]]
    assert not [e for e in envs if f"`{e}`" not in text]


def test_environment_values_are_parsed(tmp_path):
    env = {"MAIL_PORT": "587", "MAIL_USE_TLS": "yes", "SESSION_HOURS": "2", "SESSION_IDLE_MINUTES": "x",
           "PROXY_FIX": "1", "UPLOAD_MAX_MB": "3", "REDIS_URL": "redis://h:6379/1", "MAIL_USERNAME": ""}
    s = config.Settings.from_env(str(tmp_path), env)
    assert (s.MAIL_PORT, s.MAIL_USE_TLS, s.PERMANENT_SESSION_LIFETIME) == (587, True, 7200)
    assert (s.SESSION_IDLE_MINUTES, s.PROXY_FIX, s.UPLOAD_MAX_BYTES) == (30, 1, 3 * 1024 * 1024)
    assert s.RATELIMIT_STORAGE_URI == "redis://h:6379/1" and s.MAIL_USERNAME is None
    plain = config.Settings.from_env(str(tmp_path), {}).as_config()
    assert plain["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'portal.db'}"
    assert plain["UPLOAD_DIR"] == str(tmp_path / "uploads") and plain["RATELIMIT_STORAGE_URI"] == "memory://"
    assert plain["LANGUAGES"] == ("id", "en") and plain["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_pre_ping": True}
