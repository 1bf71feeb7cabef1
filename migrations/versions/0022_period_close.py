"""period closes: a quarter or fiscal year's catalogue figures as reported, with their hash

Revision ID: 0022_period_close
Revises: 0021_indicator_catalogue
Create Date: 2026-12-03 09:23:32

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0022_period_close"
down_revision = "0021_indicator_catalogue"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "period_closes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("first_month", sa.String(length=7), nullable=False),
        sa.Column("last_month", sa.String(length=7), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=False),
        sa.Column("closed_by", sa.String(length=80), nullable=False),
        sa.Column("snapshot", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_period_closes")),
        sa.UniqueConstraint("period", name=op.f("uq_period_closes_period")),
    )


def downgrade():
    op.drop_table("period_closes")
