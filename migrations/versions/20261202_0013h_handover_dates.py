"""handover dates: a handover dated in the future changes the accounts on its first day

Revision ID: 0013h
Revises: 0012b
Create Date: 2026-12-02

- ``liaison.pending_account`` (``deactivate``/``detach``): what still has to happen to the outgoing
  liaison's account the day after its term ends; ``liaison.pending_opd``: the incoming liaison's account
  still has to get the OPD on the term's first day; ``liaison.pending_by_id``: who recorded the handover
  (the actor of the audit rows written when the change is applied). The daily job applies and clears them
  (``portal.people.liaisons.apply_due_handovers``). Existing terms have nothing pending.
- ``ix_liaison_user``: a user's terms (looked up at the first request of the day of a liaison).
``complaint`` is not altered, so the summary triggers stay as they are.
"""
from alembic import op
import sqlalchemy as sa


revision = '0013h'
down_revision = '0012b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('liaison', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pending_account', sa.Enum('deactivate', 'detach', name='accountchange',
                                                                 native_enum=False, length=16), nullable=True))
        batch_op.add_column(sa.Column('pending_opd', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('pending_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_liaison_pending_by_id_user'), 'user', ['pending_by_id'], ['id'])
        batch_op.create_index('ix_liaison_user', ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('liaison', schema=None) as batch_op:
        batch_op.drop_index('ix_liaison_user')
        batch_op.drop_constraint(batch_op.f('fk_liaison_pending_by_id_user'), type_='foreignkey')
        batch_op.drop_column('pending_by_id')
        batch_op.drop_column('pending_opd')
        batch_op.drop_column('pending_account')
