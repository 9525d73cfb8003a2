"""production: production hardening

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22

A reserved slot in the linear history; empty until its issue needs schema changes.
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
