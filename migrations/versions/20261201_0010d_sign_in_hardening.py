"""sign-in hardening: session generation, TOTP replay guard, per-client login throttle

Revision ID: 0010d
Revises: 0010c
Create Date: 2026-12-01

- ``user.session_gen``: part of the id kept in the session; bumping it (sign-out, password change or
  reset, deactivation) ends every session of the user. Sessions made before this migration carry no
  generation and end once: everybody signs in again after the upgrade.
- ``user.totp_last_step``: the last accepted TOTP step, so a code cannot be replayed.
- ``login_throttle`` replaces the per-account lock (``failed_logins``/``locked_until``), which let
  anybody lock any account: failures are counted per account *and* client, with growing delays.
"""
import sqlalchemy as sa
from alembic import op


revision = '0010d'
down_revision = '0010c'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_last_step', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('session_gen', sa.Integer(), server_default='0', nullable=False))
        batch_op.drop_column('failed_logins')
        batch_op.drop_column('locked_until')
    op.create_table(
        'login_throttle',
        sa.Column('account', sa.String(length=64), nullable=False),
        sa.Column('client', sa.String(length=64), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('last_failed_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('account', 'client', name=op.f('pk_login_throttle')),
    )
    op.create_index('ix_login_throttle_last', 'login_throttle', ['last_failed_at'], unique=False)


def downgrade():
    op.drop_index('ix_login_throttle_last', table_name='login_throttle')
    op.drop_table('login_throttle')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), server_default='0', nullable=False))
        batch_op.drop_column('session_gen')
        batch_op.drop_column('totp_last_step')
