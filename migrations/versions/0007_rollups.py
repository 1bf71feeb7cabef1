"""central: monthly rollups per region

Revision ID: 0007_rollups
Revises: 0006_central_reading
Create Date: 2026-11-29 17:43:59.725046

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_rollups'
down_revision = '0006_central_reading'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rollup_attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region', sa.String(length=80), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('activity', sa.String(length=32), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('sex', sa.String(length=32), nullable=False),
    sa.Column('age_band', sa.String(length=32), nullable=False),
    sa.Column('wfi', sa.Boolean(), nullable=False),
    sa.Column('attendances', sa.Integer(), nullable=False),
    sa.Column('hours', sa.Float(), nullable=False),
    sa.Column('participants', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rollup_attendance'))
    )
    with op.batch_alter_table('rollup_attendance', schema=None) as batch_op:
        batch_op.create_index('ix_rollup_attendance_month_region', ['month', 'region'], unique=False)

    op.create_table('rollup_completions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region', sa.String(length=80), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('sex', sa.String(length=32), nullable=False),
    sa.Column('age_band', sa.String(length=32), nullable=False),
    sa.Column('completions', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rollup_completions'))
    )
    with op.batch_alter_table('rollup_completions', schema=None) as batch_op:
        batch_op.create_index('ix_rollup_completions_month_region', ['month', 'region'], unique=False)

    op.create_table('rollup_reach',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region', sa.String(length=80), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('scope', sa.String(length=32), nullable=False),
    sa.Column('sex', sa.String(length=32), nullable=False),
    sa.Column('age_band', sa.String(length=32), nullable=False),
    sa.Column('wfi', sa.Boolean(), nullable=False),
    sa.Column('new_people', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rollup_reach'))
    )
    with op.batch_alter_table('rollup_reach', schema=None) as batch_op:
        batch_op.create_index('ix_rollup_reach_month_region', ['month', 'region'], unique=False)

    op.create_table('rollup_registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region', sa.String(length=80), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('sex', sa.String(length=32), nullable=False),
    sa.Column('age_band', sa.String(length=32), nullable=False),
    sa.Column('registrations', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rollup_registrations'))
    )
    with op.batch_alter_table('rollup_registrations', schema=None) as batch_op:
        batch_op.create_index('ix_rollup_registrations_month_region', ['month', 'region'], unique=False)

    op.create_table('rollup_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region', sa.String(length=80), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('activity', sa.String(length=32), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('sessions_held', sa.Integer(), nullable=False),
    sa.Column('session_hours', sa.Float(), nullable=False),
    sa.Column('unregistered_viewers', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rollup_sessions'))
    )
    with op.batch_alter_table('rollup_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_rollup_sessions_month_region', ['month', 'region'], unique=False)

    op.create_table('rollup_wfi_enrolments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region', sa.String(length=80), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('age_band', sa.String(length=32), nullable=False),
    sa.Column('enrolments', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rollup_wfi_enrolments'))
    )
    with op.batch_alter_table('rollup_wfi_enrolments', schema=None) as batch_op:
        batch_op.create_index('ix_rollup_wfi_enrolments_month_region', ['month', 'region'], unique=False)

    # Central databases that already hold facts: compute their rollups once.
    tables = {
        "sessions": (("activity", "category"),
                     ("sessions_held", "session_hours", "unregistered_viewers")),
        "attendance": (("activity", "category", "sex", "age_band", "wfi"),
                       ("attendances", "hours", "participants")),
        "registrations": (("sex", "age_band"), ("registrations",)),
        "completions": (("category", "sex", "age_band"), ("completions",)),
        "wfi_enrolments": (("age_band",), ("enrolments",)),
        "reach": (("scope", "sex", "age_band", "wfi"), ("new_people",)),
    }
    for name, (dims, measures) in tables.items():
        dim_list = ", ".join(f"f.{d}" for d in dims)
        sums = ", ".join(f"SUM(f.{m})" for m in measures)
        op.execute(
            f"INSERT INTO rollup_{name} (region, month, {', '.join(dims)}, "
            f"{', '.join(measures)}) SELECT t.region, f.month, {dim_list}, {sums} "
            f"FROM fact_{name} f JOIN telecenters t ON t.id = f.telecenter_id "
            f"GROUP BY t.region, f.month, {dim_list}")


def downgrade():
    with op.batch_alter_table('rollup_wfi_enrolments', schema=None) as batch_op:
        batch_op.drop_index('ix_rollup_wfi_enrolments_month_region')

    op.drop_table('rollup_wfi_enrolments')
    with op.batch_alter_table('rollup_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_rollup_sessions_month_region')

    op.drop_table('rollup_sessions')
    with op.batch_alter_table('rollup_registrations', schema=None) as batch_op:
        batch_op.drop_index('ix_rollup_registrations_month_region')

    op.drop_table('rollup_registrations')
    with op.batch_alter_table('rollup_reach', schema=None) as batch_op:
        batch_op.drop_index('ix_rollup_reach_month_region')

    op.drop_table('rollup_reach')
    with op.batch_alter_table('rollup_completions', schema=None) as batch_op:
        batch_op.drop_index('ix_rollup_completions_month_region')

    op.drop_table('rollup_completions')
    with op.batch_alter_table('rollup_attendance', schema=None) as batch_op:
        batch_op.drop_index('ix_rollup_attendance_month_region')

    op.drop_table('rollup_attendance')
