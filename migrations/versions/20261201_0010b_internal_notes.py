"""internal notes: complaint_event.note_public

Revision ID: 0010b
Revises: 0010d
Create Date: 2026-12-01

Notes staff write (verification, dispatch, postpone, archive, return) are internal by default; a
note reaches the public timeline only when staff switch ``note_public`` on. Every existing event is
migrated as internal (``false``): notes written before this change were never meant for the public
with an explicit decision, so none is published retroactively.
"""
import sqlalchemy as sa
from alembic import op


revision = '0010b'
down_revision = '0010d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("complaint_event") as batch:
        batch.add_column(sa.Column("note_public", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table("complaint_event") as batch:
        batch.drop_column("note_public")
