"""sessions, series, registrations, attendance, corrections

Revision ID: 0004_attendance
Revises: 0003_courses
Create Date: 2026-11-29 16:47:29.137699

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_attendance'
down_revision = '0003_courses'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('session_series',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('weekdays', sa.String(length=20), nullable=False),
    sa.Column('every_weeks', sa.Integer(), nullable=False),
    sa.Column('until', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_series'))
    )
    op.create_table('activity_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=160), nullable=False),
    sa.Column('topic', sa.String(length=300), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=True),
    sa.Column('category', sa.String(length=24), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('room', sa.String(length=80), nullable=False),
    sa.Column('trainer_id', sa.Integer(), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('presenter', sa.String(length=160), nullable=False),
    sa.Column('organisation', sa.String(length=160), nullable=False),
    sa.Column('platform', sa.String(length=80), nullable=False),
    sa.Column('joining_details', sa.String(length=500), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('cancel_reason', sa.String(length=300), nullable=False),
    sa.Column('series_id', sa.Integer(), nullable=True),
    sa.Column('unregistered_viewers', sa.Integer(), nullable=False),
    sa.Column('checkin_before_minutes', sa.Integer(), nullable=False),
    sa.Column('checkin_after_minutes', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("category IN ('digital_literacy', 'financial_literacy', 'agriculture', 'other')", name=op.f('ck_activity_sessions_category_known')),
    sa.CheckConstraint("kind IN ('class', 'teleconference', 'workshop')", name=op.f('ck_activity_sessions_kind_known')),
    sa.CheckConstraint("state IN ('scheduled', 'held', 'cancelled')", name=op.f('ck_activity_sessions_state_known')),
    sa.CheckConstraint('capacity IS NULL OR capacity > 0', name=op.f('ck_activity_sessions_capacity_positive')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_activity_sessions_ends_after_start')),
    sa.CheckConstraint('unregistered_viewers >= 0', name=op.f('ck_activity_sessions_viewers_not_negative')),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_activity_sessions_course_id_courses')),
    sa.ForeignKeyConstraint(['series_id'], ['session_series.id'], name=op.f('fk_activity_sessions_series_id_session_series')),
    sa.ForeignKeyConstraint(['trainer_id'], ['users.id'], name=op.f('fk_activity_sessions_trainer_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_sessions'))
    )
    with op.batch_alter_table('activity_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_sessions_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_sessions_series_id'), ['series_id'], unique=False)
        batch_op.create_index('ix_activity_sessions_time', ['starts_at', 'ends_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_sessions_trainer_id'), ['trainer_id'], unique=False)

    op.create_table('attendances',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status IN ('present', 'late', 'excused', 'absent')", name=op.f('ck_attendances_status_known')),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_attendances_participant_id_participants')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_attendances_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['session_id'], ['activity_sessions.id'], name=op.f('fk_attendances_session_id_activity_sessions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendances')),
    sa.UniqueConstraint('session_id', 'participant_id', name=op.f('uq_attendances_session_id_participant_id'))
    )
    with op.batch_alter_table('attendances', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendances_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attendances_session_id'), ['session_id'], unique=False)

    op.create_table('session_registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('registered_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status IN ('registered', 'waitlisted', 'cancelled')", name=op.f('ck_session_registrations_status_known')),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_session_registrations_participant_id_participants')),
    sa.ForeignKeyConstraint(['session_id'], ['activity_sessions.id'], name=op.f('fk_session_registrations_session_id_activity_sessions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_registrations')),
    sa.UniqueConstraint('session_id', 'participant_id', name=op.f('uq_session_registrations_session_id_participant_id'))
    )
    with op.batch_alter_table('session_registrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_registrations_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_session_registrations_session_id'), ['session_id'], unique=False)

    op.create_table('attendance_corrections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attendance_id', sa.Integer(), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('old_status', sa.String(length=10), nullable=False),
    sa.Column('new_status', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['attendance_id'], ['attendances.id'], name=op.f('fk_attendance_corrections_attendance_id_attendances')),
    sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], name=op.f('fk_attendance_corrections_changed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance_corrections'))
    )
    with op.batch_alter_table('attendance_corrections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_corrections_attendance_id'), ['attendance_id'], unique=False)



def downgrade():
    with op.batch_alter_table('attendance_corrections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_corrections_attendance_id'))

    op.drop_table('attendance_corrections')
    with op.batch_alter_table('session_registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_registrations_session_id'))
        batch_op.drop_index(batch_op.f('ix_session_registrations_participant_id'))

    op.drop_table('session_registrations')
    with op.batch_alter_table('attendances', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendances_session_id'))
        batch_op.drop_index(batch_op.f('ix_attendances_participant_id'))

    op.drop_table('attendances')
    with op.batch_alter_table('activity_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_sessions_trainer_id'))
        batch_op.drop_index('ix_activity_sessions_time')
        batch_op.drop_index(batch_op.f('ix_activity_sessions_series_id'))
        batch_op.drop_index(batch_op.f('ix_activity_sessions_course_id'))

    op.drop_table('activity_sessions')
    op.drop_table('session_series')
