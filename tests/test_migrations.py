"""The migrations build exactly the models: autogenerate finds no difference."""

import os
import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from portal import create_app
from portal.extensions import db
from tests.conftest import base_config

PG_URL = os.environ.get("TEST_DATABASE_URL")


def _check(url, tmp_path):
    app = create_app(base_config(url, tmp_path))
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(ctx, db.metadata)
        assert diff == [], diff
        downgrade(revision="base")
        assert sa.inspect(db.engine).get_table_names() == ["alembic_version"]
        db.engine.dispose()


def test_sqlite_migrations_match_models(tmp_path):
    _check(f"sqlite:///{tmp_path / 'mig.db'}", tmp_path)


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL run needs TEST_DATABASE_URL (set by .ci/run)")
def test_postgresql_migrations_match_models(tmp_path):
    base = sa.engine.make_url(PG_URL)
    name = f"portal_mig_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        _check(base.set(database=name).render_as_string(hide_password=False), tmp_path)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
