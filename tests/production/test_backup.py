"""scripts/backup.sh + scripts/restore.sh round trips: row counts and uploads come back identical."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal import create_app
from portal.extensions import db

ROOT = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get("TEST_DATABASE_URL")


def _seed(url: str, uploads: Path) -> None:
    import datetime as dt

    from portal import demo

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "t", "REDIS_URL": None})
    with app.app_context():
        db.create_all()
        opds, cats = demo.ensure_reference_data()
        demo.ensure_users(opds, dt.date(2026, 1, 5))
        db.session.commit()
        demo.generate_complaints(60, random.Random(3), opds, cats, dt.datetime(2026, 1, 5, tzinfo=dt.UTC))
        db.session.commit()
        db.engine.dispose()
    (uploads / "2026" / "01").mkdir(parents=True)
    (uploads / "2026" / "01" / "bukti.pdf").write_bytes(b"%PDF-1.4 lampiran uji\n")


def _counts(url: str) -> dict[str, int]:
    eng = sa.create_engine(url)
    with eng.connect() as conn:
        out = {t: conn.scalar(sa.text(f'SELECT COUNT(*) FROM "{t}"')) for t in sa.inspect(conn).get_table_names()}
    eng.dispose()
    return out


def _run(script: str, url: str, uploads: Path, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": url, "UPLOAD_DIR": str(uploads), "PYTHON": sys.executable}
    proc = subprocess.run([str(ROOT / "scripts" / script), *args], env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    return proc.stdout.strip()


def _round_trip(src_url: str, dst_url: str, tmp_path: Path) -> None:
    uploads, restored_uploads = tmp_path / "uploads", tmp_path / "uploads2"
    _seed(src_url, uploads)
    folder = Path(_run("backup.sh", src_url, uploads, str(tmp_path / "backups")).splitlines()[-1])
    assert (folder / "uploads.tar.gz").exists() and (folder / "SHA256SUMS").exists()
    out = _run("restore.sh", dst_url, restored_uploads, str(folder))
    assert "row counts match" in out
    counts = _counts(dst_url)
    assert counts == _counts(src_url) and counts["complaint"] == 60 and counts["reporter"] == 60
    assert (restored_uploads / "2026" / "01" / "bukti.pdf").read_bytes() == b"%PDF-1.4 lampiran uji\n"
    # a damaged backup is refused before anything is touched
    (folder / "uploads.tar.gz").write_bytes(b"broken")
    env = {**os.environ, "DATABASE_URL": dst_url, "UPLOAD_DIR": str(restored_uploads)}
    bad = subprocess.run([str(ROOT / "scripts" / "restore.sh"), str(folder)], env=env, capture_output=True,
                         timeout=60, check=False)
    assert bad.returncode != 0


def test_sqlite_round_trip(tmp_path):
    _round_trip(f"sqlite:///{tmp_path / 'src.db'}", f"sqlite:///{tmp_path / 'restored' / 'dst.db'}", tmp_path)


@pytest.mark.skipif(not PG_URL or not shutil.which("pg_dump"), reason="needs TEST_DATABASE_URL and pg_dump")
def test_postgresql_round_trip(tmp_path):
    server = PG_URL.replace("postgresql://", "postgresql+psycopg://", 1).rsplit("/", 1)[0]
    names = [f"portal_bk_{uuid.uuid4().hex[:8]}_{kind}" for kind in ("src", "dst")]
    admin = sa.create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in names:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        _round_trip(f"{server}/{names[0]}", f"{server}/{names[1]}", tmp_path)
    finally:
        admin.dispose()
        _drop_later(server, names)


def _drop_later(server: str, names: list[str]) -> None:
    """DROP DATABASE waits for a checkpoint (seconds on a busy disk): let psql do it in the background."""
    libpq = server.replace("postgresql+psycopg://", "postgresql://", 1) + "/postgres"
    sql = "; ".join(f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)' for n in names)
    if shutil.which("psql"):
        subprocess.Popen(["psql", libpq, "-qc", sql], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
        return
    eng = sa.create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with eng.connect() as conn:
        for name in names:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    eng.dispose()
