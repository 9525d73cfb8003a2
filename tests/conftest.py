"""Shared fixtures.

- ``app`` runs every test that uses it on SQLite and, when ``TEST_DATABASE_URL`` is set, on
  PostgreSQL too. The schema is created once per backend and session; tables are emptied after
  each test.
- ``make`` builds domain objects (``make.opd()``, ``make.user(role="opd", opd=…)``,
  ``make.complaint(...)``); ``login(client, user)`` signs a user in.
- Settings per test: ``@pytest.mark.app_config(WTF_CSRF_ENABLED=True)``.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import os
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from werkzeug.security import generate_password_hash

from portal import create_app
from portal.core import cache, workdays
from portal.extensions import db

PG_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]
_schema_ready: set[str] = set()


@functools.cache
def _pg_url_for_worker() -> str:
    """Under pytest-xdist each worker gets its own PostgreSQL database (created on demand)."""
    url = sa.engine.make_url(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1)
                             if PG_URL.startswith("postgresql://") else PG_URL)
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url.render_as_string(hide_password=False)
    name = f"{url.database}_{worker}"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if not exists:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def _db_url(backend: str, tmp_root: Path) -> str:
    if backend == "postgresql":
        return _pg_url_for_worker()
    return f"sqlite:///{tmp_root / 'test.db'}"


@pytest.fixture(scope="session")
def db_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("db")


def base_config(url: str, tmp: Path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "REDIS_URL": None,
        "RATELIMIT_STORAGE_URI": "memory://",
        "UPLOAD_DIR": str(tmp / "uploads"),
        "MAIL_ENABLED": True,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": 1,
        "SERVER_NAME": None,
    }


def empty_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            conn.execute(sa.text("PRAGMA foreign_keys=OFF"))
            for t in tables:
                conn.execute(t.delete())


@pytest.fixture(params=BACKENDS)
def app(request, db_root, tmp_path):
    backend = request.param
    config = base_config(_db_url(backend, db_root), tmp_path)
    marker = request.node.get_closest_marker("app_config")
    if marker:
        config.update(marker.kwargs)
    application = create_app(config)
    application.test_client_class = _IsolatedClient
    with application.app_context():
        if backend not in _schema_ready:
            db.drop_all()
            db.create_all()
            _schema_ready.add(backend)
        workdays.invalidate()
        cache.clear_local()
        try:
            yield application
        finally:
            db.session.rollback()
            db.session.remove()
            empty_tables()
            workdays.invalidate()
            db.engine.dispose()


class _IsolatedClient(FlaskClient):
    """Requests in a test share the test's app context; forget per-request caches in ``g``
    (Flask-Login's user, the site settings) so one request's user never leaks into the next."""

    def open(self, *args, **kwargs):
        from flask import g

        for key in ("_login_user", "portal_site"):
            g.pop(key, None)
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


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


# --- Browser tests: a live server and headless Debian Chromium through Playwright -----------------

AXE_JS = Path(__file__).parent / "browser" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic"]


class LiveServer:
    def __init__(self, app, url):
        self.app = app
        self.url = url

    def __call__(self, path: str = "/") -> str:
        return self.url + path


@pytest.fixture
def live_server(tmp_path):
    """The app served on a free loopback port in a thread, on its own SQLite file."""
    import threading

    from werkzeug.serving import make_server

    config = base_config(f"sqlite:///{tmp_path / 'live.db'}", tmp_path)
    config["TESTING"] = False  # real behaviour: CSRF on, jobs in threads
    config["WTF_CSRF_ENABLED"] = True
    config["JOBS_EAGER"] = True
    application = create_app(config)
    with application.app_context():
        db.create_all()
        cache.clear_local()  # a new database: nothing another test's app cached in this process applies
    server = make_server("127.0.0.1", 0, application, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(application, f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(5)
        with application.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True)
    try:
        yield browser
    finally:
        browser.close()
        pw.stop()


def _context(chromium, js: bool, mobile: bool):
    opts = {"java_script_enabled": js, "bypass_csp": True, "locale": "id-ID"}
    if mobile:
        opts.update(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    return chromium.new_context(**opts)


@pytest.fixture(params=[True, False], ids=["js", "nojs"])
def page(request, chromium):
    """A page with JavaScript on and, as a second run, off."""
    ctx = _context(chromium, request.param, mobile=False)
    pg = ctx.new_page()
    pg.js_enabled = request.param
    try:
        yield pg
    finally:
        ctx.close()


@pytest.fixture(params=[True, False], ids=["js", "nojs"])
def phone_page(request, chromium):
    """A 360 px wide phone page, with JavaScript on and off."""
    ctx = _context(chromium, request.param, mobile=True)
    pg = ctx.new_page()
    pg.js_enabled = request.param
    try:
        yield pg
    finally:
        ctx.close()


@pytest.fixture
def js_page(chromium):
    ctx = _context(chromium, True, mobile=False)
    pg = ctx.new_page()
    try:
        yield pg
    finally:
        ctx.close()


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core on the current page (needs JavaScript); violations of the given impact."""
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"] if v["impact"] in impacts]


def browser_login(page, live: LiveServer, email: str, password: str) -> None:
    page.goto(live("/login"))
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_load_state()


# Property tests explore the same examples on every run: a CI failure is reproducible, never luck.
from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("portal", derandomize=True, print_blob=True)
_hypothesis_settings.load_profile("portal")
