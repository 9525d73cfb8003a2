"""escalation ladder: the head-of-OPD contact (docs/ESCALATION.md)

Revision ID: 0012b
Revises: 0012a
Create Date: 2026-12-02

- ``opd_head``: one contact (name, e-mail) per OPD, the escalation ladder's second step writes to it
  (edited on the OPD's settings page). The ladder's offsets live in the ``setting`` table
  (``ESCALATION_*_DAYS``) and its steps are complaint events: neither needs DDL. ``complaint`` is not
  altered, so the summary triggers stay as they are.
"""
from alembic import op
import sqlalchemy as sa


revision = '0012b'
down_revision = '0012a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('opd_head',
    sa.Column('opd_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['opd_id'], ['opd.id'], name=op.f('fk_opd_head_opd_id_opd'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('opd_id', name=op.f('pk_opd_head'))
    )


def downgrade():
    op.drop_table('opd_head')
