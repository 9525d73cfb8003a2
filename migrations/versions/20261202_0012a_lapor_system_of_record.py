"""SP4N-LAPOR! as the system of record: the "Belum di LAPOR!" worklist, LAPOR! numbers of staff-entered
complaints, import conflicts (docs/LAPOR_SYNC.md)

Revision ID: 0012a
Revises: 0011a
Create Date: 2026-12-02

- ``lapor_sync_item``: one row per portal action an officer must repeat in LAPOR!, created by the
  operations; resolved by a later import, by hand with a note, or superseded.
- ``lapor_link``: the LAPOR! number recorded for a ``PRV-`` complaint; the import merges that row.
- ``import_batch.conflicts`` / ``resolutions``: the rows where LAPOR! disagrees with the portal's own
  later work, and staff's choice per row.

No change to ``complaint`` (its SQLite summary triggers stay as 0011a left them). Existing complaints
get no worklist items: only actions from now on are tracked.
"""
from alembic import op
import sqlalchemy as sa


revision = '0012a'
down_revision = '0011a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'lapor_sync_item',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('complaint_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum('laporan_baru', 'disposisi', 'tindak_lanjut', 'selesai', 'tunda', 'arsip',
                                  'diteruskan', 'dibuka_kembali', 'dikembalikan', name='synckind',
                                  native_enum=False, length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('expected_status', sa.Enum('belum_terverifikasi', 'belum_ditindaklanjuti', 'proses', 'selesai',
                                             'tunda', 'arsip', 'diteruskan', name='status', native_enum=False,
                                             length=32), nullable=True),
        sa.Column('expected_opd_id', sa.Integer(), nullable=True),
        sa.Column('followup_id', sa.Integer(), nullable=True),
        sa.Column('detail', sa.Text(), nullable=True),
        sa.Column('resolved_at', sa.DateTime(), nullable=True),
        sa.Column('resolution', sa.Enum('import', 'manual', 'superseded', 'lapor', name='resolution',
                                        native_enum=False, length=16), nullable=True),
        sa.Column('resolved_by_id', sa.Integer(), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('batch_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_lapor_sync_item_actor_id_user')),
        sa.ForeignKeyConstraint(['batch_id'], ['import_batch.id'],
                                name=op.f('fk_lapor_sync_item_batch_id_import_batch')),
        sa.ForeignKeyConstraint(['complaint_id'], ['complaint.id'], ondelete='CASCADE',
                                name=op.f('fk_lapor_sync_item_complaint_id_complaint')),
        sa.ForeignKeyConstraint(['expected_opd_id'], ['opd.id'],
                                name=op.f('fk_lapor_sync_item_expected_opd_id_opd')),
        sa.ForeignKeyConstraint(['followup_id'], ['followup.id'], ondelete='SET NULL',
                                name=op.f('fk_lapor_sync_item_followup_id_followup')),
        sa.ForeignKeyConstraint(['resolved_by_id'], ['user.id'],
                                name=op.f('fk_lapor_sync_item_resolved_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_lapor_sync_item')),
    )
    op.create_index(op.f('ix_lapor_sync_item_complaint_id'), 'lapor_sync_item', ['complaint_id'])
    op.create_index('ix_lapor_sync_item_pending', 'lapor_sync_item', ['kind', 'created_at'],
                    sqlite_where=sa.text('resolution IS NULL'), postgresql_where=sa.text('resolution IS NULL'))
    op.create_table(
        'lapor_link',
        sa.Column('complaint_id', sa.Integer(), nullable=False),
        sa.Column('lapor_no', sa.String(length=40), nullable=False),
        sa.Column('linked_at', sa.DateTime(), nullable=False),
        sa.Column('linked_by_id', sa.Integer(), nullable=True),
        sa.Column('merged_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['complaint_id'], ['complaint.id'], ondelete='CASCADE',
                                name=op.f('fk_lapor_link_complaint_id_complaint')),
        sa.ForeignKeyConstraint(['linked_by_id'], ['user.id'], name=op.f('fk_lapor_link_linked_by_id_user')),
        sa.PrimaryKeyConstraint('complaint_id', name=op.f('pk_lapor_link')),
        sa.UniqueConstraint('lapor_no', name=op.f('uq_lapor_link_lapor_no')),
    )
    # plain ADD COLUMN (no batch rebuild): SQLite accepts a constant default
    op.add_column('import_batch', sa.Column('conflicts', sa.JSON(), server_default='[]', nullable=False))
    op.add_column('import_batch', sa.Column('resolutions', sa.JSON(), server_default='{}', nullable=False))


def downgrade():
    with op.batch_alter_table('import_batch') as batch:
        batch.drop_column('resolutions')
        batch.drop_column('conflicts')
    op.drop_table('lapor_link')
    op.drop_index('ix_lapor_sync_item_pending', table_name='lapor_sync_item')
    op.drop_index(op.f('ix_lapor_sync_item_complaint_id'), table_name='lapor_sync_item')
    op.drop_table('lapor_sync_item')
