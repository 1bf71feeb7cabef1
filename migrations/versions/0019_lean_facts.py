"""facts without a key of their own or an index on report_id

Nothing reads a fact by its id or its report_id: ingest writes facts in the transaction that
writes their month report and finds them by (month, telecenter). Each of the two indexes cost
about a fifth of the time of storing a re-sent history (bench/sync_bench.py). report_id stays,
as a plain column.

Revision ID: 0019_lean_facts
Revises: 0018_rollup_dirty
Create Date: 2026-12-03 08:30:47

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
revision = "0019_lean_facts"
down_revision = "0018_rollup_dirty"
branch_labels = None
depends_on = None


def upgrade():
    for name in _TABLES:
        with op.batch_alter_table(f"fact_{name}") as batch_op:
            batch_op.drop_index(f"ix_fact_{name}_report_id")
            batch_op.drop_column("id")


def downgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name in _TABLES:
        if postgresql:  # SERIAL numbers the rows already there
            op.execute(
                f"ALTER TABLE fact_{name} ADD COLUMN id SERIAL, "
                f"ADD CONSTRAINT pk_fact_{name} PRIMARY KEY (id)"
            )
        else:  # the copy that batch mode makes numbers them (INTEGER PRIMARY KEY)
            with op.batch_alter_table(f"fact_{name}", recreate="always") as batch_op:
                batch_op.add_column(sa.Column("id", sa.Integer(), primary_key=True))
        op.create_index(f"ix_fact_{name}_report_id", f"fact_{name}", ["report_id"])
