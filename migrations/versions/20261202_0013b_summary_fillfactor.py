"""summary tables keep free space in each page (PostgreSQL fillfactor 70)

Revision ID: 0013b
Revises: 0013h
Create Date: 2026-12-02

Every write of a complaint updates rows of ``complaint_summary``, ``complaint_breakdown`` and
``complaint_duration`` (triggers). With full pages each update writes its new version to another page
and the table grows until a vacuum; with 30 % free space the update stays in its page (a HOT update) and
the dead version is pruned there. Existing pages keep their layout until the next rewrite
(``flask --app portal stats compact --force``). Nothing to do on SQLite (updates in place).
"""
from alembic import op


revision = '0013b'
down_revision = '0013h'
branch_labels = None
depends_on = None

TABLES = ("complaint_summary", "complaint_breakdown", "complaint_duration")


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"ALTER TABLE {table} SET (fillfactor = 70)")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"ALTER TABLE {table} RESET (fillfactor)")
