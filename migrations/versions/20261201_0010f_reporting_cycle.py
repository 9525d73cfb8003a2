"""reporting cycle: solution rating, structured postponement, quarterly and annual reports

Revision ID: 0010f
Revises: 0010e
Create Date: 2026-12-01

- ``complaint.solution_rating`` (monitoring indicator 21, import column ``Rating Solusi``) and
  ``complaint.postpone_reason`` (indicator 10 counts ``berkas_belum_lengkap`` only). Existing
  Tunda complaints get a reason from their free-text one: incomplete files when it speaks of
  files/documents/attachments being incomplete, else ``lainnya``.
- ``periodic_report``: the standalone quarterly report (Tabel 2) and the annual evaluation, with
  the same draft → approved → published workflow as ``rakor_report``.
"""
from alembic import op
import sqlalchemy as sa


revision = '0010f'
down_revision = '0010e'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('complaint') as batch:
        batch.add_column(sa.Column('solution_rating', sa.SmallInteger(), nullable=True))
        batch.add_column(sa.Column('postpone_reason', sa.Enum(
            'berkas_belum_lengkap', 'menunggu_pelapor', 'lainnya', name='postponereason', native_enum=False,
            length=32), nullable=True))
        batch.create_check_constraint(op.f('ck_complaint_solution_rating_range'),
                                      'solution_rating IS NULL OR (solution_rating BETWEEN 1 AND 5)')
    op.execute(
        "UPDATE complaint SET postpone_reason = CASE WHEN lower(coalesce(status_reason, '')) LIKE '%lengkap%'"
        " OR lower(coalesce(status_reason, '')) LIKE '%berkas%' OR lower(coalesce(status_reason, '')) LIKE"
        " '%lampir%' OR lower(coalesce(status_reason, '')) LIKE '%dokumen%' THEN 'berkas_belum_lengkap'"
        " ELSE 'lainnya' END WHERE status = 'tunda'"
    )
    op.create_table('periodic_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('quarterly', 'annual', name='periodickind', native_enum=False, length=16), nullable=False),
    sa.Column('year', sa.SmallInteger(), nullable=False),
    sa.Column('quarter', sa.SmallInteger(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'approved', 'published', name='reportstatus', native_enum=False, length=16), nullable=False),
    sa.Column('analysis_delay', sa.Text(), nullable=False),
    sa.Column('analysis_themes', sa.Text(), nullable=False),
    sa.Column('improvement_plan', sa.Text(), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=True),
    sa.Column('data_hash', sa.String(length=64), nullable=True),
    sa.Column('pdf', sa.LargeBinary(), nullable=True),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=True),
    sa.Column('pdf_size', sa.Integer(), nullable=True),
    sa.Column('pdf_generated_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('quarter BETWEEN 0 AND 4', name=op.f('ck_periodic_report_quarter_range')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['user.id'], name=op.f('fk_periodic_report_approved_by_id_user')),
    sa.ForeignKeyConstraint(['published_by_id'], ['user.id'], name=op.f('fk_periodic_report_published_by_id_user')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_periodic_report_updated_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_periodic_report')),
    sa.UniqueConstraint('kind', 'year', 'quarter', name=op.f('uq_periodic_report_kind'))
    )


def downgrade():
    op.drop_table('periodic_report')
    with op.batch_alter_table('complaint') as batch:
        batch.drop_constraint(op.f('ck_complaint_solution_rating_range'), type_='check')
        batch.drop_column('postpone_reason')
        batch.drop_column('solution_rating')
