"""The database fixtures themselves (tests/support/database.py): each test's writes — its commits and
the summary rows the triggers derive from them — end with the test; ``db_commits`` commits for real;
an unreachable ``TEST_DATABASE_URL`` fails the session instead of skipping."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal.complaints.models import Complaint
from portal.complaints.summary import ComplaintSummary
from portal.extensions import db

ROOT = Path(__file__).resolve().parent.parent


def _rows_everywhere() -> dict[str, int]:
    """Row counts of every table, read on a connection of its own (committed data only)."""
    with sa.engine.Engine.connect(db.engine) as conn:
        counts = {t.name: conn.scalar(sa.select(sa.func.count()).select_from(t)) for t in db.metadata.sorted_tables}
    return {name: n for name, n in counts.items() if n}


def test_a_test_commits_and_the_triggers_fill_the_summary(make):
    opd = make.opd("DPUPR")
    make.complaint(tracking_no="FIX0001", opd=opd, status="proses")
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Complaint)) == 1
    assert db.session.scalar(sa.select(sa.func.sum(ComplaintSummary.n))) == 1
    # the commit released a SAVEPOINT: another connection sees nothing
    assert _rows_everywhere() == {}


def test_the_next_test_starts_from_empty_tables(app):
    """Runs after the test above (file order): neither its complaint nor its summary row is left."""
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Complaint)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ComplaintSummary)) == 0
    assert _rows_everywhere() == {}


def test_a_failed_statement_rolls_back_to_the_savepoint_only(make):
    opd = make.opd("DINKES")
    db.session.commit()
    make.opd("DINKES2")
    with pytest.raises(sa.exc.IntegrityError):
        make.opd("DINKES")
    db.session.rollback()
    assert db.session.scalars(sa.select(db.metadata.tables["opd"].c.code)).all() == [opd.code]


@pytest.mark.db_commits
def test_db_commits_commits_for_real_and_empties_the_tables_after(make):
    make.complaint(tracking_no="FIX0002")
    db.session.commit()
    rows = _rows_everywhere()
    assert rows["complaint"] == 1 and rows["complaint_summary"] == 1


def test_after_db_commits_the_tables_are_empty_again(app):
    assert _rows_everywhere() == {}


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_test_database_url_fails_the_session(tmp_path):
    env = {**os.environ, "TEST_DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/nowhere"}
    env.pop("PYTEST_XDIST_WORKER", None)
    proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist", "-q",
                           "tests/core/test_workdays.py"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode != 0
    assert "TEST_DATABASE_URL is set but PostgreSQL is not reachable" in proc.stdout + proc.stderr
    assert " passed" not in proc.stdout and "skipped" not in proc.stdout
