"""a telecenter's opening month; when each month's report first arrived

Data quality counts a report as expected from the month a telecenter opened (opened_month;
NULL: the month it was registered, in Lima time) and as on time by when central first
received that month. received_at is the newest report's time, so first_received_at is kept
beside it, set once when the month's row is created; existing rows take received_at, the
closest known time.

Revision ID: 0020_telecenter_opening
Revises: 0019_lean_facts
Create Date: 2026-12-03 08:49:32

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0020_telecenter_opening"
down_revision = "0019_lean_facts"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("telecenters") as batch_op:
        batch_op.add_column(sa.Column("opened_month", sa.String(length=7), nullable=True))
    with op.batch_alter_table("month_reports") as batch_op:
        batch_op.add_column(sa.Column("first_received_at", sa.DateTime(), nullable=True))
    op.execute("UPDATE month_reports SET first_received_at = received_at")
    with op.batch_alter_table("month_reports") as batch_op:
        batch_op.alter_column("first_received_at", existing_type=sa.DateTime(), nullable=False)


def downgrade():
    with op.batch_alter_table("month_reports") as batch_op:
        batch_op.drop_column("first_received_at")
    with op.batch_alter_table("telecenters") as batch_op:
        batch_op.drop_column("opened_month")
