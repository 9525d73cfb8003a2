"""Seed (and cache) benchmark databases of 100,000 and 1,000,000 complaints.

``python bench/seed.py sqlite 100000`` / ``python bench/seed.py postgresql 1000000``.
SQLite files live in ``instance/bench/``; PostgreSQL databases are ``portal_bench_<n>`` on the local
cluster (``BENCH_PG`` overrides the server URL). A seeded database is reused as long as its tables
still match the models (new tables are simply created); otherwise it is rebuilt.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CACHE_DIR = ROOT / "instance" / "bench"
PG_SERVER = os.environ.get("BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
CHUNK = 100_000
#: PostgreSQL benchmark databases are ``<prefix><size>`` (``BENCH_PG_PREFIX``; one per engineer on a shared host)
PG_PREFIX = os.environ.get("BENCH_PG_PREFIX", "portal_bench_")


def label(n: int) -> str:
    return f"{n // 1_000_000}m" if n >= 1_000_000 and n % 1_000_000 == 0 else f"{n // 1000}k"


def db_url(backend: str, n: int) -> str:
    if backend == "sqlite":
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{CACHE_DIR / f'bench_{label(n)}.db'}"
    return f"{PG_SERVER}/{PG_PREFIX}{label(n)}"


def _ensure_pg_database(url: str) -> None:
    server, _, name = url.rpartition("/")
    eng = sa.create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with eng.connect() as conn:
        if not conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    eng.dispose()


def drop_pg_database(url: str) -> None:
    server, _, name = url.rpartition("/")
    eng = sa.create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with eng.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    eng.dispose()


def bench_config(url: str) -> dict:
    return {"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False, "SECRET_KEY": "bench-secret",
            "MAIL_ENABLED": False, "REDIS_URL": None, "RATELIMIT_STORAGE_URI": "memory://"}


def _schema_matches(engine, metadata) -> bool:
    """Adds columns that are missing and nullable (other modules grow); ``False`` if a rebuild is needed."""
    insp = sa.inspect(engine)
    existing = set(insp.get_table_names())
    for table in metadata.sorted_tables:
        if table.name not in existing:
            continue
        have = {c["name"] for c in insp.get_columns(table.name)}
        for col in table.columns:
            if col.name in have:
                continue
            if not col.nullable and col.server_default is None:
                return False
            ddl = f'ALTER TABLE "{table.name}" ADD COLUMN "{col.name}" {col.type.compile(engine.dialect)}'
            with engine.begin() as conn:
                conn.exec_driver_sql(ddl)
    return True


def complaint_count(engine) -> int:
    try:
        with engine.connect() as conn:
            return conn.scalar(sa.text("SELECT COUNT(*) FROM complaint")) or 0
    except sa.exc.DBAPIError:
        return -1


def ensure(backend: str, n: int, echo=print) -> str:
    """The URL of a database holding exactly ``n`` demo complaints (seeded now if needed)."""
    from portal import create_app
    from portal.extensions import db

    url = db_url(backend, n)
    if backend == "postgresql":
        _ensure_pg_database(url)
    app = create_app(bench_config(url))
    with app.app_context():
        if not _schema_matches(db.engine, db.metadata):
            echo(f"[seed] {backend} {label(n)}: schema changed, rebuilding")
            db.session.remove()
            db.engine.dispose()
            if backend == "postgresql":
                drop_pg_database(url)
                _ensure_pg_database(url)
            else:
                Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        db.create_all()
        have = complaint_count(db.engine)
        if have == n:
            echo(f"[seed] {backend} {label(n)}: cached ({n:,} complaints)")
            _ensure_summary(echo)
            return url
        if have > 0:
            echo(f"[seed] {backend} {label(n)}: has {have:,}, rebuilding")
            db.drop_all()
            db.create_all()
        _seed(app, n, echo, backend)
    return url


def _ensure_summary(echo) -> None:
    """Summary rows for a database seeded before they existed (portal/complaints/summary.py)."""
    from portal.complaints import summary
    from portal.extensions import db

    if not db.session.scalar(sa.select(sa.func.count()).select_from(summary.ComplaintSummary.__table__)):
        with db.engine.begin() as conn:
            summary.install_triggers(conn)
        t0 = time.perf_counter()
        rows = summary.rebuild()
        db.session.commit()
        echo(f"[seed] summary rebuilt: {rows:,} rows in {time.perf_counter() - t0:.1f} s")
    db.session.close()
    # what the daily job does after a bulk load: give the dead summary rows' space back (PostgreSQL)
    echo(f"[seed] summary tables: {summary.describe_compacted(summary.compact())}")


def _seed(app, n: int, echo, backend: str) -> None:
    from portal import demo
    from portal.core.timeutil import UTC, wib_date
    from portal.extensions import db

    t0 = time.perf_counter()
    rng = random.Random(1708)
    now = dt.datetime.now(UTC)
    if backend == "sqlite":
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA journal_mode=WAL")
    opds, cats = demo.ensure_reference_data()
    demo.ensure_users(opds, wib_date(now))
    db.session.commit()
    done = 0
    while done < n:
        step = min(CHUNK, n - done)
        demo.generate_complaints(step, rng, opds, cats, now)
        db.session.commit()
        done += step
        echo(f"[seed] {backend} {label(n)}: {done:,}/{n:,} in {time.perf_counter() - t0:.0f} s")
    try:
        from portal.meetings import demo as meetings_demo

        meetings_demo.seed(rng)
        db.session.commit()
    except Exception as exc:  # meetings are not benchmarked; their seeding must not block complaints
        db.session.rollback()
        echo(f"[seed] meetings demo skipped: {type(exc).__name__}")
    db.session.close()
    with db.engine.connect() as conn:
        if backend == "postgresql":
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
        else:
            conn.exec_driver_sql("ANALYZE")
    from portal.complaints import summary

    # as the daily job does after a bulk load (portal/complaints/summary.py compact)
    echo(f"[seed] summary tables: {summary.describe_compacted(summary.compact())}")
    echo(f"[seed] {backend} {label(n)}: seeded {n:,} complaints in {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    ensure(sys.argv[1], int(sys.argv[2]))
