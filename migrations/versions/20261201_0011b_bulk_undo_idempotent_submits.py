"""bulk changes kept for undo, submissions kept for idempotent submits

Revision ID: 0011b
Revises: 0011f
Create Date: 2026-12-01

- ``bulk_change``: one bulk action of the Kominfo queue with what it changed per complaint, so the
  user can undo it for a few minutes (complaints changed since are refused).
- ``submission``: the key of every handled form post and the answer it got, so a double tap or a
  retried request shows the first result instead of acting twice. Both start empty.
- ``import_batch.new_categories``: the categories of a file that do not exist yet, listed by the
  preview and created only when the person approves them (earlier batches: none listed).
"""
import sqlalchemy as sa
from alembic import op


revision = '0011b'
down_revision = '0011f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'bulk_change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('action', sa.String(length=32), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.Column('items', sa.JSON(), nullable=False),
        sa.Column('undone_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_bulk_change_actor_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_bulk_change')),
    )
    op.create_table(
        'submission',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('url', sa.String(length=500), nullable=False),
        sa.Column('message', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_submission_user_id_user'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('key', 'user_id', name=op.f('pk_submission')),
    )
    op.create_index('ix_submission_created', 'submission', ['created_at'], unique=False)
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.add_column(sa.Column('new_categories', sa.JSON(), server_default='[]', nullable=False))


def downgrade():
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.drop_column('new_categories')
    op.drop_index('ix_submission_created', table_name='submission')
    op.drop_table('submission')
    op.drop_table('bulk_change')
