"""EXPLAIN ANALYZE of the queue queries that touch ``complaint`` (page and cold counts) per bench view.

Usage::

    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/portal_bench \\
        .venv/bin/python bench/queue_explain.py [VIEW-SUBSTRING]

Uses the views of ``bench/queue_bench.py`` on an already seeded database; prints, per view, the
number of SQL statements the request ran (N+1 check) and the plan of each statement on ``complaint``.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa

from bench.queue_bench import VIEWS
from portal import create_app
from portal.complaints.models import Category, Complaint
from portal.core import cache
from portal.extensions import db
from portal.people.models import Role, User


def main() -> None:
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if not url or not url.startswith("postgresql"):
        sys.exit("set BENCH_DATABASE_URL to a PostgreSQL database")
    only = sys.argv[1] if len(sys.argv) > 1 else ""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False,
                      "TESTING": True})
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.role == Role.KOMINFO))
        cat = db.session.scalar(sa.select(Category.id).where(Category.path == "Infrastruktur"))
        tracking = db.session.scalar(sa.select(Complaint.tracking_no).where(Complaint.status == "proses").limit(1))
        since = (dt.date.today() - dt.timedelta(days=30)).isoformat()
        engine = db.engine
        db.session.remove()
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = user.get_id()
        sess["_fresh"] = True
    captured: list[tuple[str, object]] = []

    def grab(conn, cursor, statement, parameters, context, executemany):
        captured.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", grab)
    for view in VIEWS:
        q = view.format(cat=cat, since=since, tracking=tracking)
        if only not in q:
            continue
        with app.app_context():
            cache.clear_local()
        captured.clear()
        resp = client.get(f"/admin/?{q}", headers={"HX-Request": "true"})
        assert resp.status_code == 200
        todo = [(s, p) for s, p in captured if "FROM complaint" in s]
        print(f"\n===== {q}: {len(captured)} statements, {len(todo)} on complaint")
        sa.event.remove(engine, "before_cursor_execute", grab)
        with engine.connect() as conn:
            for statement, params in todo:
                plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, params).scalars().all()
                print("\n".join(plan))
                print("-" * 40)
        sa.event.listen(engine, "before_cursor_execute", grab)


if __name__ == "__main__":
    main()
