"""misspelt months: remove what central stored under months it now refuses

Before months were matched whole in ASCII, central stored "2026-10\\n" or a month in
Arabic-Indic digits as a month of its own and added it to range totals, so its figures counted
those reports twice. The same reports were also stored under their true month, so removing the
misspelt rows (reports, facts, rollups and totals) leaves exact figures.

Revision ID: 0016_misspelt_months
Revises: 0015_kiosk_revoke
Create Date: 2026-12-02 20:15:00.000000

"""
import re

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0016_misspelt_months'
down_revision = '0015_kiosk_revoke'
branch_labels = None
depends_on = None

# The months central accepts (telecenter.month_report.is_supported_month), spelt out here so
# this migration keeps meaning what it meant when the code changes.
_MONTH = re.compile(r"20[0-9]{2}-(?:0[1-9]|1[0-2])", re.ASCII)
_PREFIXES = ("fact_", "rollup_", "total_")


def upgrade():
    connection = op.get_bind()
    tables = sa.inspect(connection).get_table_names()
    if "month_reports" not in tables:
        return
    metadata = sa.MetaData()
    reports = sa.Table("month_reports", metadata, autoload_with=connection)
    bad = sorted(
        month
        for month in connection.scalars(sa.select(reports.c.month).distinct())
        if not _MONTH.fullmatch(month)
    )
    if not bad:
        return
    for name in sorted(tables):
        if name.startswith(_PREFIXES):
            table = sa.Table(name, metadata, autoload_with=connection)
            if "month" in table.c:
                connection.execute(table.delete().where(table.c.month.in_(bad)))
    connection.execute(reports.delete().where(reports.c.month.in_(bad)))


def downgrade():
    """Nothing to put back: the removed rows were double counts."""
