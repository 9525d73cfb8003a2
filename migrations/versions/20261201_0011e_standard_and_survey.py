"""service standard versions and the satisfaction survey (SKM/IKM)

Revision ID: 0011e
Revises: 0011b
Create Date: 2026-12-01

- ``service_standard``: each published version of the service standard's text (Indonesian and
  English Markdown) with its publication time; the newest is current.
- ``survey_code_use``: complaints whose one-time survey code was used (one response each).
- ``survey_response``: SKM answers (nine elements, 1–4) and a suggestion, with only the OPD and the
  month — no link to the complaint or its reporter.
"""
from alembic import op
import sqlalchemy as sa



revision = '0011e'
down_revision = '0011b'
branch_labels = None
depends_on = None

KEYS = [f"u{i}" for i in range(1, 10)]


def upgrade():
    op.create_table('service_standard',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=False),
    sa.Column('body_id', sa.Text(), nullable=False),
    sa.Column('body_en', sa.Text(), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_service_standard_author_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_standard'))
    )
    op.create_index(op.f('ix_service_standard_published_at'), 'service_standard', ['published_at'], unique=False)
    op.create_table('survey_code_use',
    sa.Column('complaint_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaint.id'], name=op.f('fk_survey_code_use_complaint_id_complaint'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('complaint_id', name=op.f('pk_survey_code_use'))
    )
    op.create_table('survey_response',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('opd_id', sa.Integer(), nullable=True),
    sa.Column('period', sa.Date(), nullable=False),
    sa.Column('source', sa.String(length=8), nullable=False),
    *[sa.Column(k, sa.SmallInteger(), nullable=False) for k in KEYS],
    sa.Column('suggestion', sa.Text(), nullable=False),
    *[sa.CheckConstraint(f'{k} BETWEEN 1 AND 4', name=op.f(f'ck_survey_response_{k}_range')) for k in KEYS],
    sa.ForeignKeyConstraint(['opd_id'], ['opd.id'], name=op.f('fk_survey_response_opd_id_opd')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_response'))
    )
    op.create_index(op.f('ix_survey_response_opd_id'), 'survey_response', ['opd_id'], unique=False)
    op.create_index(op.f('ix_survey_response_period'), 'survey_response', ['period'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_survey_response_period'), table_name='survey_response')
    op.drop_index(op.f('ix_survey_response_opd_id'), table_name='survey_response')
    op.drop_table('survey_response')
    op.drop_table('survey_code_use')
    op.drop_index(op.f('ix_service_standard_published_at'), table_name='service_standard')
    op.drop_table('service_standard')
