"""meetings: rakor meetings, invitations, attendance, minutes, actions, reports (issues 7, 8)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22

A reserved slot in the linear history; empty until its issue needs schema changes.
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
