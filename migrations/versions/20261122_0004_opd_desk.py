"""opd_desk: OPD liaison pages

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22

A reserved slot in the linear history; empty until its issue needs schema changes.
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
