"""Time `demo-data` for N complaints on SQLite and (optionally) PostgreSQL.

    .venv/bin/python bench/seed_demo.py --complaints 100000 [--pg postgresql+psycopg://postgres@127.0.0.1/portal_seed]

Goal: 100,000 complaints in ≤ 60 s on SQLite.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa


def seed(url: str, n: int) -> float:
    from flask_migrate import upgrade

    from portal import create_app, demo
    from portal.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
        t0 = time.perf_counter()
        demo.run(n_complaints=n, seed=1708, echo=lambda *_: None)
        secs = time.perf_counter() - t0
        count = db.session.scalar(sa.text("SELECT COUNT(*) FROM complaint"))
        db.engine.dispose()
    print(f"{url.split(':')[0]:<22} {count:>9,} complaints  {secs:6.1f} s  {n / secs:8,.0f} complaints/s")
    return secs


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--complaints", type=int, default=100_000)
    ap.add_argument("--pg", help="an EMPTY PostgreSQL database URL")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        seed(f"sqlite:///{Path(tmp) / 'seed.db'}", args.complaints)
    if args.pg:
        seed(args.pg, args.complaints)


if __name__ == "__main__":
    main()
