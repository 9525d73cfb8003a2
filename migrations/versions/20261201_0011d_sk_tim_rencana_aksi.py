"""SK Tim Koordinasi register and rencana aksi

Revision ID: 0011d
Revises: 0011c
Create Date: 2026-12-01

- ``sk_tim`` / ``sk_tim_member``: the decrees appointing the Tim Koordinasi Pengelola SP4N-LAPOR!
  with named members per role (KemenPANRB indicator 1).
- ``rencana_aksi`` / ``rencana_aksi_item``: the instansi's yearly action plan (PermenPANRB
  46/2020, indicator 5), tracked on its own; a rakor action item may point to one of its items.
- ``opd.sk_team_date`` stays as it was (nothing reads it for the evaluation any more): a bare
  per-OPD date has no decree number, issuer or members to carry into the register.
"""
from alembic import op
import sqlalchemy as sa


revision = '0011d'
down_revision = '0011c'
branch_labels = None
depends_on = None

ROLES = ('pembina', 'pengarah', 'penanggung_jawab', 'ketua', 'sekretaris', 'anggota', 'tim_admin',
         'pejabat_penghubung')


def upgrade():
    op.create_table('sk_tim',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=120), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('decree_date', sa.Date(), nullable=False),
    sa.Column('issuer', sa.String(length=200), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_sk_tim_updated_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sk_tim'))
    )
    with op.batch_alter_table('sk_tim') as batch:
        batch.create_index(batch.f('ix_sk_tim_decree_date'), ['decree_date'], unique=False)
    op.create_table('sk_tim_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sk_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum(*ROLES, name='teamrole', native_enum=False, length=32), nullable=False),
    sa.Column('role_order', sa.SmallInteger(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('position', sa.String(length=200), nullable=True),
    sa.Column('opd_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['opd_id'], ['opd.id'], name=op.f('fk_sk_tim_member_opd_id_opd')),
    sa.ForeignKeyConstraint(['sk_id'], ['sk_tim.id'], name=op.f('fk_sk_tim_member_sk_id_sk_tim'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sk_tim_member'))
    )
    with op.batch_alter_table('sk_tim_member') as batch:
        batch.create_index(batch.f('ix_sk_tim_member_sk_id'), ['sk_id'], unique=False)
    op.create_table('rencana_aksi',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.SmallInteger(), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('adopted_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rencana_aksi')),
    sa.UniqueConstraint('year', name=op.f('uq_rencana_aksi_year'))
    )
    op.create_table('rencana_aksi_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('owner_opd_id', sa.Integer(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('progress', sa.SmallInteger(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('progress BETWEEN 0 AND 100', name=op.f('ck_rencana_aksi_item_progress_range')),
    sa.ForeignKeyConstraint(['owner_opd_id'], ['opd.id'], name=op.f('fk_rencana_aksi_item_owner_opd_id_opd')),
    sa.ForeignKeyConstraint(['plan_id'], ['rencana_aksi.id'], name=op.f('fk_rencana_aksi_item_plan_id_rencana_aksi'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rencana_aksi_item'))
    )
    with op.batch_alter_table('rencana_aksi_item') as batch:
        batch.create_index(batch.f('ix_rencana_aksi_item_plan_id'), ['plan_id'], unique=False)
    with op.batch_alter_table('meeting_action_item') as batch:
        batch.add_column(sa.Column('rencana_aksi_item_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(batch.f('fk_meeting_action_item_rencana_aksi_item_id_rencana_aksi_item'),
                                 'rencana_aksi_item', ['rencana_aksi_item_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('meeting_action_item') as batch:
        batch.drop_constraint(batch.f('fk_meeting_action_item_rencana_aksi_item_id_rencana_aksi_item'),
                              type_='foreignkey')
        batch.drop_column('rencana_aksi_item_id')
    op.drop_table('rencana_aksi_item')
    op.drop_table('rencana_aksi')
    op.drop_table('sk_tim_member')
    op.drop_table('sk_tim')
