"""meetings: rakor meetings, speakers, agenda, invitations, attendance, minutes, decisions, actions, photos

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22

Generated with autogenerate against the 0001 schema (meeting tables only), then reviewed.
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('venue', sa.String(length=300), nullable=False),
    sa.Column('mode', sa.Enum('tatap_muka', 'daring', 'hybrid', name='meetingmode', native_enum=False, length=16), nullable=False),
    sa.Column('online_url', sa.String(length=500), nullable=True),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'invited', 'held', 'closed', name='meetingstatus', native_enum=False, length=16), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('letter_number', sa.String(length=100), nullable=True),
    sa.Column('letter_date', sa.Date(), nullable=True),
    sa.Column('reminder_days', sa.SmallInteger(), nullable=False),
    sa.Column('previous_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_meeting_created_by_id_user')),
    sa.ForeignKeyConstraint(['previous_id'], ['meeting.id'], name=op.f('fk_meeting_previous_id_meeting')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting'))
    )
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_starts_at'), ['starts_at'], unique=False)

    op.create_table('meeting_agenda_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('presenter', sa.String(length=200), nullable=True),
    sa.Column('is_carry_over', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_meeting_agenda_item_meeting_id_meeting')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_agenda_item'))
    )
    with op.batch_alter_table('meeting_agenda_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_agenda_item_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('meeting_minutes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'final', name='minutesstatus', native_enum=False, length=16), nullable=False),
    sa.Column('body_md', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('finalized_at', sa.DateTime(), nullable=True),
    sa.Column('finalized_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['finalized_by_id'], ['user.id'], name=op.f('fk_meeting_minutes_finalized_by_id_user')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_meeting_minutes_meeting_id_meeting')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_meeting_minutes_updated_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_minutes')),
    sa.UniqueConstraint('meeting_id', name=op.f('uq_meeting_minutes_meeting_id'))
    )
    op.create_table('meeting_photo',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('caption', sa.String(length=300), nullable=True),
    sa.Column('content_type', sa.String(length=64), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_meeting_photo_meeting_id_meeting')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user.id'], name=op.f('fk_meeting_photo_uploaded_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_photo')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_meeting_photo_stored_name'))
    )
    with op.batch_alter_table('meeting_photo', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_photo_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('meeting_speaker',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=True),
    sa.Column('institution', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('topic', sa.String(length=300), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_meeting_speaker_meeting_id_meeting')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_speaker'))
    )
    with op.batch_alter_table('meeting_speaker', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_speaker_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('meeting_decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('agenda_item_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['agenda_item_id'], ['meeting_agenda_item.id'], name=op.f('fk_meeting_decision_agenda_item_id_meeting_agenda_item')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_meeting_decision_meeting_id_meeting')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_decision'))
    )
    with op.batch_alter_table('meeting_decision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_decision_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('meeting_invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('participant', 'speaker', name='invitationkind', native_enum=False, length=16), nullable=False),
    sa.Column('opd_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('speaker_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('position', sa.String(length=200), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('rsvp', sa.Enum('belum', 'hadir', 'tidak_hadir', 'diwakilkan', name='rsvp', native_enum=False, length=16), nullable=False),
    sa.Column('rsvp_at', sa.DateTime(), nullable=True),
    sa.Column('representative_name', sa.String(length=200), nullable=True),
    sa.Column('representative_position', sa.String(length=200), nullable=True),
    sa.Column('rsvp_note', sa.Text(), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('reminded_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_meeting_invitation_meeting_id_meeting')),
    sa.ForeignKeyConstraint(['opd_id'], ['opd.id'], name=op.f('fk_meeting_invitation_opd_id_opd')),
    sa.ForeignKeyConstraint(['speaker_id'], ['meeting_speaker.id'], name=op.f('fk_meeting_invitation_speaker_id_meeting_speaker')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_meeting_invitation_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_invitation')),
    sa.UniqueConstraint('code', name=op.f('uq_meeting_invitation_code'))
    )
    with op.batch_alter_table('meeting_invitation', schema=None) as batch_op:
        batch_op.create_index('ix_meeting_invitation_meeting_opd', ['meeting_id', 'opd_id'], unique=False)

    op.create_table('meeting_minutes_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('minutes_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'final', name='minutesstatus', native_enum=False, length=16), nullable=False),
    sa.Column('body_md', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_meeting_minutes_version_created_by_id_user')),
    sa.ForeignKeyConstraint(['minutes_id'], ['meeting_minutes.id'], name=op.f('fk_meeting_minutes_version_minutes_id_meeting_minutes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_minutes_version')),
    sa.UniqueConstraint('minutes_id', 'number', name='uq_meeting_minutes_version_number')
    )
    op.create_table('meeting_action_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('owner_opd_id', sa.Integer(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('status', sa.Enum('open', 'in_progress', 'done', 'dropped', name='actionstatus', native_enum=False, length=16), nullable=False),
    sa.Column('carried_from_id', sa.Integer(), nullable=True),
    sa.Column('carried_over_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['carried_from_id'], ['meeting_action_item.id'], name=op.f('fk_meeting_action_item_carried_from_id_meeting_action_item')),
    sa.ForeignKeyConstraint(['decision_id'], ['meeting_decision.id'], name=op.f('fk_meeting_action_item_decision_id_meeting_decision')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_meeting_action_item_meeting_id_meeting')),
    sa.ForeignKeyConstraint(['owner_opd_id'], ['opd.id'], name=op.f('fk_meeting_action_item_owner_opd_id_opd')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_action_item'))
    )
    with op.batch_alter_table('meeting_action_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_action_item_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index('ix_meeting_action_item_owner_status', ['owner_opd_id', 'status'], unique=False)

    op.create_table('meeting_attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('invitation_id', sa.Integer(), nullable=True),
    sa.Column('opd_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('position', sa.String(length=200), nullable=True),
    sa.Column('is_representative', sa.Boolean(), nullable=False),
    sa.Column('method', sa.Enum('code', 'qr', 'staff', 'walk_in', name='checkinmethod', native_enum=False, length=16), nullable=False),
    sa.Column('checked_in_at', sa.DateTime(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['invitation_id'], ['meeting_invitation.id'], name=op.f('fk_meeting_attendance_invitation_id_meeting_invitation')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_meeting_attendance_meeting_id_meeting')),
    sa.ForeignKeyConstraint(['opd_id'], ['opd.id'], name=op.f('fk_meeting_attendance_opd_id_opd')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_meeting_attendance_recorded_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_attendance')),
    sa.UniqueConstraint('invitation_id', name='uq_meeting_attendance_invitation_id')
    )
    with op.batch_alter_table('meeting_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_attendance_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('meeting_action_progress',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('from_status', sa.Enum('open', 'in_progress', 'done', 'dropped', name='actionstatus', native_enum=False, length=16), nullable=True),
    sa.Column('to_status', sa.Enum('open', 'in_progress', 'done', 'dropped', name='actionstatus', native_enum=False, length=16), nullable=True),
    sa.ForeignKeyConstraint(['action_id'], ['meeting_action_item.id'], name=op.f('fk_meeting_action_progress_action_id_meeting_action_item')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_meeting_action_progress_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_action_progress'))
    )
    with op.batch_alter_table('meeting_action_progress', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_action_progress_action_id'), ['action_id'], unique=False)



def downgrade():
    with op.batch_alter_table('meeting_action_progress', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_action_progress_action_id'))

    op.drop_table('meeting_action_progress')
    with op.batch_alter_table('meeting_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_attendance_meeting_id'))

    op.drop_table('meeting_attendance')
    with op.batch_alter_table('meeting_action_item', schema=None) as batch_op:
        batch_op.drop_index('ix_meeting_action_item_owner_status')
        batch_op.drop_index(batch_op.f('ix_meeting_action_item_meeting_id'))

    op.drop_table('meeting_action_item')
    op.drop_table('meeting_minutes_version')
    with op.batch_alter_table('meeting_invitation', schema=None) as batch_op:
        batch_op.drop_index('ix_meeting_invitation_meeting_opd')

    op.drop_table('meeting_invitation')
    with op.batch_alter_table('meeting_decision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_decision_meeting_id'))

    op.drop_table('meeting_decision')
    with op.batch_alter_table('meeting_speaker', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_speaker_meeting_id'))

    op.drop_table('meeting_speaker')
    with op.batch_alter_table('meeting_photo', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_photo_meeting_id'))

    op.drop_table('meeting_photo')
    op.drop_table('meeting_minutes')
    with op.batch_alter_table('meeting_agenda_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_agenda_item_meeting_id'))

    op.drop_table('meeting_agenda_item')
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_starts_at'))

    op.drop_table('meeting')
