"""rollup dirty marks: ingest marks (region, month) and readers refresh those rollups

Every rollup is up to date when this runs (ingest refreshed them itself until now), so the
table starts empty.

Revision ID: 0018_rollup_dirty
Revises: 0017_schema2_counting
Create Date: 2026-12-02 23:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0018_rollup_dirty"
down_revision = "0017_schema2_counting"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "rollup_dirty",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region", sa.String(length=80), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rollup_dirty")),
    )


def downgrade():
    op.drop_table("rollup_dirty")
