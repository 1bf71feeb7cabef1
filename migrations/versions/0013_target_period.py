"""programme targets: counting start month and optional deadline

Revision ID: 0013_target_period
Revises: 0011_central_connection
Create Date: 2026-12-02 15:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_target_period'
down_revision = '0011_central_connection'
branch_labels = None
depends_on = None


def upgrade():
    # Targets saved before this counted from the programme's start (2012-01): they keep doing so.
    with op.batch_alter_table('programme_targets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('start_month', sa.String(length=7), server_default='2012-01', nullable=False))
        batch_op.add_column(sa.Column('deadline_month', sa.String(length=7), nullable=True))


def downgrade():
    with op.batch_alter_table('programme_targets', schema=None) as batch_op:
        batch_op.drop_column('deadline_month')
        batch_op.drop_column('start_month')
