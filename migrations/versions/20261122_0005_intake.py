"""intake: complaint intake and import

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22

Web uploads wait for confirmation under a random name and are worked on by a background job:
``import_batch.stored_name`` and ``import_batch.job_id``.
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stored_name', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('job_id', sa.String(length=36), nullable=True))


def downgrade():
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.drop_column('job_id')
        batch_op.drop_column('stored_name')
