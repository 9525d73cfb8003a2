"""Shared fixtures. The database and browser fixtures are plugins in ``tests/support/``.

- ``app`` (``tests/support/database.py``) runs every test that uses it on SQLite and, when
  ``TEST_DATABASE_URL`` is set, on PostgreSQL too. Each test runs in a transaction rolled back at its
  end; ``@pytest.mark.db_commits`` commits for real and empties the tables instead (threads, a live
  server, subprocesses, locking). ``client`` and ``runner`` are the app's test client and CLI runner.
- ``make`` builds domain objects (``make.opd()``, ``make.user(role="opd", opd=…)``,
  ``make.complaint(...)``); ``login(client, user)`` signs a user in.
- Settings per test: ``@pytest.mark.app_config(WTF_CSRF_ENABLED=True)``.
- Browser tests (``tests/support/browser.py``): ``live_server``, ``page``, ``phone_page``, ``js_page``,
  ``axe_violations``, ``browser_login``.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

pytest.register_assert_rewrite("tests.support")

import sqlalchemy as sa  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from portal.extensions import db  # noqa: E402

# the names tests import from ``tests.conftest``
from tests.support.browser import (  # noqa: E402, F401
    AXE_JS,
    LiveServer,
    _context,
    axe_violations,
    browser_login,
)
from tests.support.database import BACKENDS, PG_URL, base_config, empty_tables  # noqa: E402, F401

pytest_plugins = ["tests.support.database", "tests.support.browser"]


class Factory:
    """Builds domain objects with sensible defaults; every call flushes."""

    _seq = itertools.count(1)

    def opd(self, code: str | None = None, name: str | None = None, parent=None, **kw):
        from portal.people.models import OPD

        n = next(self._seq)
        opd = OPD(code=code or f"OPD{n}", name=name or f"Dinas Uji {n}", parent=parent,
                  aliases=kw.pop("aliases", []), active=kw.pop("active", True), **kw)
        db.session.add(opd)
        db.session.flush()
        return opd

    def user(self, role: str = "kominfo", opd=None, email: str | None = None, password: str = "Rahasia-12345",
             **kw):
        from portal.people.models import Role, User

        n = next(self._seq)
        user = User(email=email or f"user{n}@uji.go.id", name=kw.pop("name", f"Pengguna {n}"), role=Role(role),
                    opd=opd, active=kw.pop("active", True), **kw)
        # a cheap hash keeps the suite fast; the real scrypt default is tested in tests/test_cli.py
        user.password_hash = generate_password_hash(password, method="pbkdf2:sha256:1000")
        db.session.add(user)
        db.session.flush()
        return user

    def category(self, path: str = "Infrastruktur > Jalan", norm_days: int | None = 14, default_opd=None):
        from portal.complaints.models import Category

        parent = None
        parts = path.split(" > ")
        node = None
        for i in range(len(parts)):
            sub = " > ".join(parts[: i + 1])
            node = db.session.scalar(sa.select(Category).where(Category.path == sub))
            if node is None:
                node = Category(name=parts[i], path=sub, parent=parent, keywords="")
                db.session.add(node)
            parent = node
        node.norm_days = norm_days
        node.default_opd = default_opd
        db.session.flush()
        return node

    def complaint(self, tracking_no: str | None = None, status: str = "belum_terverifikasi", opd=None,
                  submitted_at: dt.datetime | None = None, reporter: dict | None = None, **kw):
        from portal.complaints.models import Complaint, Reporter, Status
        from portal.complaints.operations import refresh_due_date

        n = next(self._seq)
        c = Complaint(
            tracking_no=tracking_no or f"T{n:07d}",
            submitted_at=submitted_at or dt.datetime(2025, 2, 3, 1, 0, tzinfo=dt.UTC),
            title=kw.pop("title", f"Laporan {n}"),
            text=kw.pop("text", "Isi laporan uji."),
            status=Status(status),
            opd=opd,
            **kw,
        )
        if reporter is not None:
            c.reporter = Reporter(**reporter)
        db.session.add(c)
        refresh_due_date(c)
        db.session.flush()
        return c


@pytest.fixture
def make(app) -> Factory:
    return Factory()


def login(client, user) -> None:
    """Sign ``user`` in on ``client`` without going through the form."""
    with client.session_transaction() as sess:
        sess["_user_id"] = user.get_id()
        sess["_fresh"] = True


@pytest.fixture
def login_as(client):
    def _login(user):
        db.session.commit()
        login(client, user)
        return client

    return _login


# Property tests explore the same examples on every run: a CI failure is reproducible, never luck.
from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("portal", derandomize=True, print_blob=True)
_hypothesis_settings.load_profile("portal")
