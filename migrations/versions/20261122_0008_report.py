"""report: the semiannual rakor report

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22

One report per meeting: written sections, figures frozen at approval with their hash, the PDF.
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rakor_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
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
    sa.Column('pdf_job_id', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['approved_by_id'], ['user.id'], name=op.f('fk_rakor_report_approved_by_id_user')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_rakor_report_meeting_id_meeting')),
    sa.ForeignKeyConstraint(['published_by_id'], ['user.id'], name=op.f('fk_rakor_report_published_by_id_user')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_rakor_report_updated_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rakor_report')),
    sa.UniqueConstraint('meeting_id', name=op.f('uq_rakor_report_meeting_id'))
    )


def downgrade():
    op.drop_table('rakor_report')
