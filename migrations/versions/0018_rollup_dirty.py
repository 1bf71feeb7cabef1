"""rollup dirty marks: ingest marks (region, month) and readers refresh those rollups; no
foreign keys on facts and totals

Every rollup is up to date when this runs (ingest refreshed them itself until now), so the
table starts empty. Facts and totals lose their foreign keys: only ingest writes them, in the
transaction that writes their month report, and checking every row tripled the cost of
storing a re-sent history.

Revision ID: 0018_rollup_dirty
Revises: 0017_schema2_counting
Create Date: 2026-12-02 23:00:00

"""

from alembic import op
import sqlalchemy as sa


# The report tables as this migration knows them (telecenter.month_report.TABLES).
_TABLES = (
    "sessions",
    "attendance",
    "registrations",
    "completions",
    "wfi_enrolments",
    "reach",
    "wfi_outcomes",
)


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
    for name in _TABLES:
        with op.batch_alter_table(f"fact_{name}") as batch_op:
            batch_op.drop_constraint(
                f"fk_fact_{name}_report_id_month_reports", type_="foreignkey"
            )
            batch_op.drop_constraint(
                f"fk_fact_{name}_telecenter_id_telecenters", type_="foreignkey"
            )
        with op.batch_alter_table(f"total_{name}") as batch_op:
            batch_op.drop_constraint(
                f"fk_total_{name}_telecenter_id_telecenters", type_="foreignkey"
            )


def downgrade():
    for name in _TABLES:
        with op.batch_alter_table(f"total_{name}") as batch_op:
            batch_op.create_foreign_key(
                f"fk_total_{name}_telecenter_id_telecenters",
                "telecenters",
                ["telecenter_id"],
                ["id"],
            )
        with op.batch_alter_table(f"fact_{name}") as batch_op:
            batch_op.create_foreign_key(
                f"fk_fact_{name}_telecenter_id_telecenters",
                "telecenters",
                ["telecenter_id"],
                ["id"],
            )
            batch_op.create_foreign_key(
                f"fk_fact_{name}_report_id_month_reports",
                "month_reports",
                ["report_id"],
                ["id"],
                ondelete="CASCADE",
            )
    op.drop_table("rollup_dirty")
