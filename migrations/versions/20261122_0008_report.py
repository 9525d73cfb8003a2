"""report: the semiannual rakor report (issue 8)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22

A reserved slot in the linear history; empty until its issue needs schema changes.
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
