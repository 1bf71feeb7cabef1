"""sync outbox (site); telecenters, month reports and facts (central)

Revision ID: 0005_sync
Revises: 0004_attendance
Create Date: 2026-11-29 16:59:05.261601

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_sync'
down_revision = '0004_attendance'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sync_outbox',
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=8), nullable=False),
    sa.Column('sent_digest', sa.String(length=64), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=True),
    sa.Column('last_attempt_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("state IN ('pending', 'sent', 'refused')", name=op.f('ck_sync_outbox_state_known')),
    sa.PrimaryKeyConstraint('month', name=op.f('pk_sync_outbox'))
    )
    op.create_table('telecenters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('region', sa.String(length=80), nullable=False),
    sa.Column('province', sa.String(length=80), nullable=False),
    sa.Column('district', sa.String(length=80), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=True),
    sa.Column('token_created_at', sa.DateTime(), nullable=True),
    sa.Column('token_revoked_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_heard_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_telecenters')),
    sa.UniqueConstraint('code', name=op.f('uq_telecenters_code')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_telecenters_token_hash'))
    )
    with op.batch_alter_table('telecenters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_telecenters_region'), ['region'], unique=False)

    op.create_table('month_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('telecenter_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('generated_at', sa.DateTime(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['telecenter_id'], ['telecenters.id'], name=op.f('fk_month_reports_telecenter_id_telecenters')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_month_reports')),
    sa.UniqueConstraint('telecenter_id', 'month', name=op.f('uq_month_reports_telecenter_id_month'))
    )
    with op.batch_alter_table('month_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_month_reports_month'), ['month'], unique=False)
        batch_op.create_index(batch_op.f('ix_month_reports_telecenter_id'), ['telecenter_id'], unique=False)

    op.create_table('fact_attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('telecenter_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('activity', sa.String(length=32), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('sex', sa.String(length=32), nullable=False),
    sa.Column('age_band', sa.String(length=32), nullable=False),
    sa.Column('wfi', sa.Boolean(), nullable=False),
    sa.Column('attendances', sa.Integer(), nullable=False),
    sa.Column('hours', sa.Float(), nullable=False),
    sa.Column('participants', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['month_reports.id'], name=op.f('fk_fact_attendance_report_id_month_reports'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['telecenter_id'], ['telecenters.id'], name=op.f('fk_fact_attendance_telecenter_id_telecenters')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fact_attendance'))
    )
    with op.batch_alter_table('fact_attendance', schema=None) as batch_op:
        batch_op.create_index('ix_fact_attendance_month_telecenter', ['month', 'telecenter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fact_attendance_report_id'), ['report_id'], unique=False)

    op.create_table('fact_completions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('telecenter_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('sex', sa.String(length=32), nullable=False),
    sa.Column('age_band', sa.String(length=32), nullable=False),
    sa.Column('completions', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['month_reports.id'], name=op.f('fk_fact_completions_report_id_month_reports'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['telecenter_id'], ['telecenters.id'], name=op.f('fk_fact_completions_telecenter_id_telecenters')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fact_completions'))
    )
    with op.batch_alter_table('fact_completions', schema=None) as batch_op:
        batch_op.create_index('ix_fact_completions_month_telecenter', ['month', 'telecenter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fact_completions_report_id'), ['report_id'], unique=False)

    op.create_table('fact_reach',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('telecenter_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('scope', sa.String(length=32), nullable=False),
    sa.Column('sex', sa.String(length=32), nullable=False),
    sa.Column('age_band', sa.String(length=32), nullable=False),
    sa.Column('wfi', sa.Boolean(), nullable=False),
    sa.Column('new_people', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['month_reports.id'], name=op.f('fk_fact_reach_report_id_month_reports'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['telecenter_id'], ['telecenters.id'], name=op.f('fk_fact_reach_telecenter_id_telecenters')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fact_reach'))
    )
    with op.batch_alter_table('fact_reach', schema=None) as batch_op:
        batch_op.create_index('ix_fact_reach_month_telecenter', ['month', 'telecenter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fact_reach_report_id'), ['report_id'], unique=False)

    op.create_table('fact_registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('telecenter_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('sex', sa.String(length=32), nullable=False),
    sa.Column('age_band', sa.String(length=32), nullable=False),
    sa.Column('registrations', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['month_reports.id'], name=op.f('fk_fact_registrations_report_id_month_reports'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['telecenter_id'], ['telecenters.id'], name=op.f('fk_fact_registrations_telecenter_id_telecenters')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fact_registrations'))
    )
    with op.batch_alter_table('fact_registrations', schema=None) as batch_op:
        batch_op.create_index('ix_fact_registrations_month_telecenter', ['month', 'telecenter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fact_registrations_report_id'), ['report_id'], unique=False)

    op.create_table('fact_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('telecenter_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('activity', sa.String(length=32), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('sessions_held', sa.Integer(), nullable=False),
    sa.Column('session_hours', sa.Float(), nullable=False),
    sa.Column('unregistered_viewers', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['month_reports.id'], name=op.f('fk_fact_sessions_report_id_month_reports'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['telecenter_id'], ['telecenters.id'], name=op.f('fk_fact_sessions_telecenter_id_telecenters')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fact_sessions'))
    )
    with op.batch_alter_table('fact_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_fact_sessions_month_telecenter', ['month', 'telecenter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fact_sessions_report_id'), ['report_id'], unique=False)

    op.create_table('fact_wfi_enrolments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('telecenter_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('age_band', sa.String(length=32), nullable=False),
    sa.Column('enrolments', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['month_reports.id'], name=op.f('fk_fact_wfi_enrolments_report_id_month_reports'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['telecenter_id'], ['telecenters.id'], name=op.f('fk_fact_wfi_enrolments_telecenter_id_telecenters')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fact_wfi_enrolments'))
    )
    with op.batch_alter_table('fact_wfi_enrolments', schema=None) as batch_op:
        batch_op.create_index('ix_fact_wfi_enrolments_month_telecenter', ['month', 'telecenter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fact_wfi_enrolments_report_id'), ['report_id'], unique=False)



def downgrade():
    with op.batch_alter_table('fact_wfi_enrolments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fact_wfi_enrolments_report_id'))
        batch_op.drop_index('ix_fact_wfi_enrolments_month_telecenter')

    op.drop_table('fact_wfi_enrolments')
    with op.batch_alter_table('fact_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fact_sessions_report_id'))
        batch_op.drop_index('ix_fact_sessions_month_telecenter')

    op.drop_table('fact_sessions')
    with op.batch_alter_table('fact_registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fact_registrations_report_id'))
        batch_op.drop_index('ix_fact_registrations_month_telecenter')

    op.drop_table('fact_registrations')
    with op.batch_alter_table('fact_reach', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fact_reach_report_id'))
        batch_op.drop_index('ix_fact_reach_month_telecenter')

    op.drop_table('fact_reach')
    with op.batch_alter_table('fact_completions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fact_completions_report_id'))
        batch_op.drop_index('ix_fact_completions_month_telecenter')

    op.drop_table('fact_completions')
    with op.batch_alter_table('fact_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fact_attendance_report_id'))
        batch_op.drop_index('ix_fact_attendance_month_telecenter')

    op.drop_table('fact_attendance')
    with op.batch_alter_table('month_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_month_reports_telecenter_id'))
        batch_op.drop_index(batch_op.f('ix_month_reports_month'))

    op.drop_table('month_reports')
    with op.batch_alter_table('telecenters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_telecenters_region'))

    op.drop_table('telecenters')
    op.drop_table('sync_outbox')
