"""reach stored with a column of new people per period, one row per cell

A month report sends a reach row per period and cell; the cells are the same in every period
(a person is attributed at the one event that is her first in each period starting this
month), so central keeps one row per cell with new_people_<period> columns: five times fewer
rows to store when a rules change makes every site re-send its history (bench/sync_bench.py).
The rows already stored are folded the same way (a cell missing from a period is 0 there).

Revision ID: 0025_reach_periods_as_columns
Revises: 0024_site_network_events
Create Date: 2026-12-03 15:50:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0025_reach_periods_as_columns"
down_revision = "0024_site_network_events"
branch_labels = None
depends_on = None

# telecenter.vocabulary.PERIODS as this migration knows them.
_PERIODS = ("ever", "fiscal_year", "year", "quarter", "month")
_CELL = ("scope", "sex", "age_band", "wfi")
# table: (its own columns before the cell, whether it has an id key, its index's columns)
_TABLES = {
    "fact_reach": (("report_id", "telecenter_id", "month"), False, ("month", "telecenter_id")),
    "rollup_reach": (("region", "month"), True, ("month", "region")),
    "total_reach": (("telecenter_id", "month"), True, ("month", "telecenter_id")),
}
_INDEXES = {
    "fact_reach": "ix_fact_reach_month_telecenter",
    "rollup_reach": "ix_rollup_reach_month_region",
    "total_reach": "ix_total_reach_month_telecenter",
}


def _column(name: str) -> sa.Column:
    if name in ("report_id", "telecenter_id"):
        return sa.Column(name, sa.Integer(), nullable=False)
    if name == "month":
        return sa.Column(name, sa.String(length=7), nullable=False)
    if name == "region":
        return sa.Column(name, sa.String(length=80), nullable=False)
    if name == "wfi":
        return sa.Column(name, sa.Boolean(), nullable=False)
    if name == "period":
        return sa.Column(name, sa.String(length=32), server_default="ever", nullable=False)
    if name.startswith("new_people"):
        return sa.Column(name, sa.Integer(), nullable=False)
    return sa.Column(name, sa.String(length=32), nullable=False)


def _rebuild(table: str, cell: tuple[str, ...], measures: tuple[str, ...], select: str) -> None:
    """Replace `table` by a copy of the new shape filled by `select` (over the old one)."""
    own, keyed, indexed = _TABLES[table]
    columns = [_column(name) for name in (*own, *cell, *measures)]
    if keyed:
        columns.insert(0, sa.Column("id", sa.Integer(), nullable=False))
        columns.append(sa.PrimaryKeyConstraint("id", name=f"pk_{table}_new"))
    op.create_table(f"{table}_new", *columns)
    names = ", ".join((*own, *cell, *measures))
    op.execute(f"INSERT INTO {table}_new ({names}) {select}")
    op.drop_index(_INDEXES[table], table_name=table)
    op.drop_table(table)
    op.rename_table(f"{table}_new", table)
    if keyed and op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE {table} RENAME CONSTRAINT pk_{table}_new TO pk_{table}")
        op.execute(f"ALTER SEQUENCE {table}_new_id_seq RENAME TO {table}_id_seq")
    op.create_index(_INDEXES[table], table, list(indexed))


def upgrade():
    for table, (own, _keyed, _indexed) in _TABLES.items():
        sums = ", ".join(
            f"SUM(CASE WHEN period = '{period}' THEN new_people ELSE 0 END)"
            for period in _PERIODS
        )
        cell = _CELL if table != "total_reach" else ("scope",)
        keys = ", ".join((*own, *cell))
        _rebuild(
            table,
            cell,
            tuple(f"new_people_{p}" for p in _PERIODS),
            f"SELECT {keys}, {sums} FROM {table} GROUP BY {keys}",
        )


def downgrade():
    for table, (own, _keyed, _indexed) in _TABLES.items():
        cell = _CELL if table != "total_reach" else ("scope",)
        keys = ", ".join((*own, *cell))
        select = " UNION ALL ".join(
            f"SELECT {keys}, '{p}', new_people_{p} FROM {table} WHERE new_people_{p} <> 0"
            for p in _PERIODS
        )
        _rebuild(table, (*cell, "period"), ("new_people",), select)
