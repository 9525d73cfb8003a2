"""rakor: cancel and reschedule with updated calendar invitations

Revision ID: 0011c
Revises: 0010f
Create Date: 2026-12-01

- ``meeting.ics_sequence``: the iCalendar SEQUENCE sent with the invitations, raised on every
  reschedule or cancellation (existing meetings start at 0, what their invitations carried).
- ``meeting.cancel_reason`` and ``meeting.cancelled_at`` for the new status ``cancelled``
  (the status column is a plain string, so no constraint changes).
"""
from alembic import op
import sqlalchemy as sa


revision = '0011c'
down_revision = '0010f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('meeting') as batch:
        batch.add_column(sa.Column('ics_sequence', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('cancel_reason', sa.Text(), nullable=True))
        batch.add_column(sa.Column('cancelled_at', sa.DateTime(), nullable=True))


def downgrade():
    op.execute("UPDATE meeting SET status = 'draft' WHERE status = 'cancelled'")
    with op.batch_alter_table('meeting') as batch:
        batch.drop_column('cancelled_at')
        batch.drop_column('cancel_reason')
        batch.drop_column('ics_sequence')
