"""kiosk state: a generation carried in every kiosk cookie, raised to close every kiosk

Revision ID: 0015_kiosk_revoke
Revises: 0014_session_version
Create Date: 2026-12-02 19:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0015_kiosk_revoke'
down_revision = '0014_session_version'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'kiosk_state',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('generation', sa.Integer(), server_default='0', nullable=False),
        sa.Column('changed_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_kiosk_state')),
    )


def downgrade():
    op.drop_table('kiosk_state')
