"""workspace: Kominfo workspace: queues, notifications, settings

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22

Indexes of the Kominfo queue (portal/admin/queries.py), measured with bench/queue_bench.py at
1,000,000 complaints:

- ``ix_complaint_queue``: open complaints in (submitted_at, id) order, every filtered column carried
  (PostgreSQL INCLUDE), so each tab and filter walks it index-only and the tab counts are one
  index-only scan;
- ``ix_complaint_returned``: the returned ("Dikembalikan") complaints;
- ``ix_complaint_text_trgm``: pg_trgm GIN over title, text and location of open complaints for the
  free-text filter; empty on SQLite (``WHERE 0``), which has no trigram index and scans with LIKE.
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

OPEN_SQL = "status IN ('belum_terverifikasi', 'belum_ditindaklanjuti', 'proses', 'tunda')"
QUEUE_INCLUDE = ["status", "due_date", "returned_at", "opd_id", "category_id", "channel", "type",
                 "is_anonymous", "is_confidential"]


def upgrade():
    if op.get_context().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_index("ix_complaint_queue", "complaint", ["submitted_at", "id"], unique=False,
                    postgresql_include=QUEUE_INCLUDE, postgresql_where=sa.text(OPEN_SQL),
                    sqlite_where=sa.text(OPEN_SQL))
    op.create_index("ix_complaint_returned", "complaint", ["submitted_at", "id"], unique=False,
                    postgresql_where=sa.text("returned_at IS NOT NULL"),
                    sqlite_where=sa.text("returned_at IS NOT NULL"))
    op.create_index("ix_complaint_text_trgm", "complaint", ["title", "text", "location"], unique=False,
                    postgresql_using="gin",
                    postgresql_ops={"title": "gin_trgm_ops", "text": "gin_trgm_ops", "location": "gin_trgm_ops"},
                    postgresql_where=sa.text(OPEN_SQL), sqlite_where=sa.text("0"))


def downgrade():
    op.drop_index("ix_complaint_text_trgm", table_name="complaint")
    op.drop_index("ix_complaint_returned", table_name="complaint")
    op.drop_index("ix_complaint_queue", table_name="complaint")
    # pg_trgm stays: other objects may use it, and it is harmless
