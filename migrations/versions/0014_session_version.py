"""accounts: a session version, raised to end every session of an account

Revision ID: 0014_session_version
Revises: 0013_target_period
Create Date: 2026-12-02 19:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_session_version'
down_revision = '0013_target_period'
branch_labels = None
depends_on = None


def upgrade():
    # Sessions opened before this carry no version: they end, and people sign in once again.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default=sa.text('0'), nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_version')
