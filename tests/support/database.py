"""Database fixtures: one app per backend and settings, one transaction per test, rolled back.

``app`` runs every test that uses it on SQLite and, when ``TEST_DATABASE_URL`` is set, on PostgreSQL
too. The schema is created once per backend and session, and an app once per backend and
``@pytest.mark.app_config(...)`` settings; its settings, hooks and the shared rate limiter are put back
before every test.

Each test runs inside one outer transaction on one connection (SQLAlchemy's "joining a session into an
external transaction" recipe): ``db.session`` is bound to that connection and every ``commit()`` only
releases a SAVEPOINT, so the test sees its own commits, and at the end the outer transaction is rolled
back — the rows, and the summary rows the database triggers wrote from them, disappear together.
``db.engine.begin()`` (a "second connection", as in job progress and the race tests) becomes a
SAVEPOINT on the same connection for the test's duration.

Tests that need real commits seen by other connections — threads, a live server, a subprocess,
locking — take ``@pytest.mark.db_commits``: they commit for real and the tables are emptied after them.
Tests using ``live_server`` together with ``app`` get it automatically.
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session as FlaskSession

from portal import create_app
from portal.core import cache, workdays
from portal.extensions import db, limiter

PG_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]
_schema_ready: set[str] = set()


def _normalised_pg_url() -> sa.engine.URL:
    assert PG_URL
    return sa.engine.make_url(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1)
                              if PG_URL.startswith("postgresql://") else PG_URL)


def pytest_sessionstart(session) -> None:
    """``TEST_DATABASE_URL`` set but PostgreSQL unreachable: the session fails, it never skips."""
    if not PG_URL or os.environ.get("PYTEST_XDIST_WORKER"):
        return
    url = _normalised_pg_url()
    engine = sa.create_engine(url.set(database="postgres"), connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as exc:
        raise pytest.UsageError(
            f"TEST_DATABASE_URL is set but PostgreSQL is not reachable at "
            f"{url.render_as_string(hide_password=True)}: {exc.orig}\n"
            "Start PostgreSQL, or unset TEST_DATABASE_URL to run on SQLite only.") from None
    finally:
        engine.dispose()


@functools.cache
def _pg_url_for_worker() -> str:
    """Under pytest-xdist each worker gets its own PostgreSQL database (created on demand)."""
    url = _normalised_pg_url()
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


class _IsolatedClient(FlaskClient):
    """Requests in a test share the test's app context; forget per-request caches in ``g``
    (Flask-Login's user, the site settings) so one request's user never leaks into the next."""

    def open(self, *args, **kwargs):
        from flask import g

        for key in ("_login_user", "portal_site"):
            g.pop(key, None)
        return super().open(*args, **kwargs)


_HOOKS = ("before_request_funcs", "after_request_funcs", "teardown_request_funcs", "url_value_preprocessors",
          "url_default_functions", "template_context_processors")


@dataclass
class _CachedApp:
    """An app built once, and what a test may change on it (put back before the next test)."""

    app: Flask
    config: dict[str, Any] = field(default_factory=dict)
    hooks: dict[str, dict] = field(default_factory=dict)
    limiter_state: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def build(cls, config: dict) -> _CachedApp:
        application = create_app(config)
        application.test_client_class = _IsolatedClient
        entry = cls(application)
        entry.config = dict(application.config)
        entry.hooks = {name: {k: list(v) for k, v in getattr(application, name).items()} for name in _HOOKS}
        entry.limiter_state = dict(vars(limiter))  # one Limiter for every app: the last init_app wins
        return entry

    def reset(self, upload_dir: Path) -> Flask:
        app = self.app
        app.config.clear()
        app.config.update(self.config)
        app.config["UPLOAD_DIR"] = str(upload_dir)
        for name, saved in self.hooks.items():
            current = getattr(app, name)
            current.clear()
            current.update({k: list(v) for k, v in saved.items()})
        vars(limiter).update(self.limiter_state)
        limiter._storage_dead = False
        if self.limiter_state.get("_storage") is not None:
            self.limiter_state["_storage"].reset()  # the previous test's counters (in-memory storage)
        return app


_apps: dict[tuple[str, str], _CachedApp] = {}


def _commits_for_real(request) -> bool:
    return (request.node.get_closest_marker("db_commits") is not None
            or "live_server" in request.fixturenames)


@contextlib.contextmanager
def _transaction_per_test():
    """Bind ``db.session`` to one connection inside an outer transaction; roll it back at the end.

    Only the test's own thread uses that connection: a thread the code under test starts (model
    training, an export, a job) gets its own connection from the engine, as in production.
    """
    engine = db.engine
    connection = engine.connect()
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # pysqlite's own transaction handling breaks SAVEPOINT: SQLAlchemy's recipe for pysqlite
        # ("Serializable isolation / Savepoints / Transactional DDL") lets us emit BEGIN ourselves
        dbapi_connection = connection.connection.driver_connection
        dbapi_connection.isolation_level = None
    outer = connection.begin()
    if sqlite:
        connection.exec_driver_sql("BEGIN")
    original_session = db.session
    owner = threading.get_ident()

    class _ConnectionSession(FlaskSession):
        def get_bind(self, *args, **kwargs):
            if threading.get_ident() == owner:
                return connection
            return super().get_bind(*args, **kwargs)

    db.session = db._make_scoped_session(
        {"class_": _ConnectionSession, "bind": connection, "join_transaction_mode": "create_savepoint"})

    @contextlib.contextmanager
    def _begin_on_the_test_connection():
        if threading.get_ident() != owner:
            with sa.engine.Engine.begin(engine) as other:
                yield other
            return
        with connection.begin_nested():
            yield connection

    engine.begin = _begin_on_the_test_connection  # type: ignore[method-assign]
    try:
        yield
    finally:
        del engine.begin
        # every session of the test (its own and those of app contexts it pushed: CLI runs, jobs)
        for session in list(db.session.registry.registry.values()):
            session.close()
        db.session.remove()
        db.session = original_session
        if outer.is_active:
            outer.rollback()
        if sqlite:
            dbapi_connection.isolation_level = ""  # back to pysqlite's default for the pool
        connection.close()


@pytest.fixture(params=BACKENDS)
def app(request, db_root, tmp_path):
    backend = request.param
    marker = request.node.get_closest_marker("app_config")
    overrides = dict(marker.kwargs) if marker else {}
    key = (backend, repr(sorted(overrides.items())))
    entry = _apps.get(key)
    if entry is None:
        config = base_config(_db_url(backend, db_root), tmp_path)
        config.update(overrides)
        entry = _apps[key] = _CachedApp.build(config)
    application = entry.reset(tmp_path / "uploads")
    with application.app_context():
        if backend not in _schema_ready:
            db.drop_all()
            db.create_all()
            _schema_ready.add(backend)
        workdays.invalidate()
        cache.clear_local()
        if _commits_for_real(request):
            try:
                yield application
            finally:
                db.session.rollback()
                db.session.remove()
                empty_tables()
                workdays.invalidate()
                db.engine.dispose()
        else:
            try:
                with _transaction_per_test():
                    yield application
            finally:
                workdays.invalidate()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()
