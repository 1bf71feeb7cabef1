"""central: monthly totals per telecenter

Revision ID: 0008_telecenter_totals
Revises: 0007_rollups
Create Date: 2026-11-29 17:49:35.476580

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_telecenter_totals'
down_revision = '0007_rollups'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('total_attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('telecenter_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('attendances', sa.Integer(), nullable=False),
    sa.Column('hours', sa.Float(), nullable=False),
    sa.Column('participants', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['telecenter_id'], ['telecenters.id'], name=op.f('fk_total_attendance_telecenter_id_telecenters')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_total_attendance'))
    )
    with op.batch_alter_table('total_attendance', schema=None) as batch_op:
        batch_op.create_index('ix_total_attendance_month_telecenter', ['month', 'telecenter_id'], unique=False)

    op.create_table('total_completions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('telecenter_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('completions', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['telecenter_id'], ['telecenters.id'], name=op.f('fk_total_completions_telecenter_id_telecenters')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_total_completions'))
    )
    with op.batch_alter_table('total_completions', schema=None) as batch_op:
        batch_op.create_index('ix_total_completions_month_telecenter', ['month', 'telecenter_id'], unique=False)

    op.create_table('total_reach',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('telecenter_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('scope', sa.String(length=32), nullable=False),
    sa.Column('new_people', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['telecenter_id'], ['telecenters.id'], name=op.f('fk_total_reach_telecenter_id_telecenters')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_total_reach'))
    )
    with op.batch_alter_table('total_reach', schema=None) as batch_op:
        batch_op.create_index('ix_total_reach_month_telecenter', ['month', 'telecenter_id'], unique=False)

    op.create_table('total_registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('telecenter_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('registrations', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['telecenter_id'], ['telecenters.id'], name=op.f('fk_total_registrations_telecenter_id_telecenters')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_total_registrations'))
    )
    with op.batch_alter_table('total_registrations', schema=None) as batch_op:
        batch_op.create_index('ix_total_registrations_month_telecenter', ['month', 'telecenter_id'], unique=False)

    op.create_table('total_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('telecenter_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('sessions_held', sa.Integer(), nullable=False),
    sa.Column('session_hours', sa.Float(), nullable=False),
    sa.Column('unregistered_viewers', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['telecenter_id'], ['telecenters.id'], name=op.f('fk_total_sessions_telecenter_id_telecenters')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_total_sessions'))
    )
    with op.batch_alter_table('total_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_total_sessions_month_telecenter', ['month', 'telecenter_id'], unique=False)

    op.create_table('total_wfi_enrolments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('telecenter_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('enrolments', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['telecenter_id'], ['telecenters.id'], name=op.f('fk_total_wfi_enrolments_telecenter_id_telecenters')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_total_wfi_enrolments'))
    )
    with op.batch_alter_table('total_wfi_enrolments', schema=None) as batch_op:
        batch_op.create_index('ix_total_wfi_enrolments_month_telecenter', ['month', 'telecenter_id'], unique=False)

    # Central databases that already hold facts: compute the totals once.
    measures = {
        "sessions": ("sessions_held", "session_hours", "unregistered_viewers"),
        "attendance": ("attendances", "hours", "participants"),
        "registrations": ("registrations",),
        "completions": ("completions",),
        "wfi_enrolments": ("enrolments",),
        "reach": ("new_people",),
    }
    for name, columns in measures.items():
        keys = "telecenter_id, month" + (", scope" if name == "reach" else "")
        sums = ", ".join(f"SUM({m})" for m in columns)
        op.execute(f"INSERT INTO total_{name} ({keys}, {', '.join(columns)}) "
                   f"SELECT {keys}, {sums} FROM fact_{name} GROUP BY {keys}")


def downgrade():
    with op.batch_alter_table('total_wfi_enrolments', schema=None) as batch_op:
        batch_op.drop_index('ix_total_wfi_enrolments_month_telecenter')

    op.drop_table('total_wfi_enrolments')
    with op.batch_alter_table('total_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_total_sessions_month_telecenter')

    op.drop_table('total_sessions')
    with op.batch_alter_table('total_registrations', schema=None) as batch_op:
        batch_op.drop_index('ix_total_registrations_month_telecenter')

    op.drop_table('total_registrations')
    with op.batch_alter_table('total_reach', schema=None) as batch_op:
        batch_op.drop_index('ix_total_reach_month_telecenter')

    op.drop_table('total_reach')
    with op.batch_alter_table('total_completions', schema=None) as batch_op:
        batch_op.drop_index('ix_total_completions_month_telecenter')

    op.drop_table('total_completions')
    with op.batch_alter_table('total_attendance', schema=None) as batch_op:
        batch_op.drop_index('ix_total_attendance_month_telecenter')

    op.drop_table('total_attendance')
