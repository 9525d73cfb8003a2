"""public: public transparency, API, Open311

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22

A reserved slot in the linear history; empty until its issue needs schema changes.
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
