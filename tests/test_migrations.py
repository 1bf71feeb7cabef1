"""The schema comes only from migrations, and the migrations match the models."""

from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from telecenter import create_app
from telecenter.extensions import db
from tests import pg
from tests.conftest import base_config


@pytest.fixture
def empty_database_url(backend, tmp_path, worker_id):
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    url = pg.create_database(f"telecenter_migrations_{worker_id}")
    yield url
    pg.drop_database(url)


def _table_names(engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}


@pytest.mark.parametrize("role", ["site", "central"])
def test_upgrade_matches_models_and_downgrade_removes_everything(
    empty_database_url, tmp_path, role
):
    app = create_app(
        base_config(empty_database_url, TELECENTER_ROLE=role), instance_path=str(tmp_path)
    )
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        assert differences == []
        assert _table_names(db.engine) == set(db.metadata.tables)
        downgrade(revision="base")
        assert _table_names(db.engine) == set()
        upgrade()  # and back up again, as an operator would after a mistaken downgrade
        assert _table_names(db.engine) == set(db.metadata.tables)
        db.engine.dispose()


def _row(table: sa.Table, **given) -> dict:
    """A row with every column filled: what is not given gets a plain value of its type."""
    plain = {sa.Integer: 1, sa.Float: 1.0, sa.Boolean: False, sa.DateTime: FAR_PAST}
    row = {}
    for column in table.c:
        if column.primary_key:
            continue
        if column.name in given:
            row[column.name] = given[column.name]
        else:
            kind = next((v for t, v in plain.items() if isinstance(column.type, t)), "x")
            row[column.name] = kind
    return row


FAR_PAST = datetime(2020, 1, 1)


def test_months_central_stored_misspelt_are_removed_and_true_ones_kept(
    empty_database_url, tmp_path, backend
):
    app = create_app(
        base_config(empty_database_url, TELECENTER_ROLE="central"), instance_path=str(tmp_path)
    )
    # Arabic-Indic digits; a trailing newline only fitted SQLite (PostgreSQL's column is 7 long).
    months = ["2026-10", "\u0662\u0660\u0662\u0666-\u0661\u0660", "2026-11"]
    if backend == "sqlite":
        months.append("2026-10\n")
    with app.app_context():
        upgrade(revision="0015_kiosk_revoke")
        with db.engine.begin() as connection:
            meta = sa.MetaData()
            tables = {
                name: sa.Table(name, meta, autoload_with=connection)
                for name in (
                    "telecenters",
                    "month_reports",
                    "fact_attendance",
                    "rollup_attendance",
                    "total_attendance",
                )
            }
            connection.execute(
                tables["telecenters"].insert(), _row(tables["telecenters"], code="SM-A-01")
            )
            telecenter = connection.scalar(sa.select(tables["telecenters"].c.id))
            for month in months:
                report = connection.execute(
                    tables["month_reports"].insert(),
                    _row(tables["month_reports"], telecenter_id=telecenter, month=month),
                ).inserted_primary_key[0]
                connection.execute(
                    tables["fact_attendance"].insert(),
                    _row(
                        tables["fact_attendance"],
                        report_id=report,
                        telecenter_id=telecenter,
                        month=month,
                    ),
                )
                connection.execute(
                    tables["rollup_attendance"].insert(),
                    _row(tables["rollup_attendance"], month=month),
                )
                connection.execute(
                    tables["total_attendance"].insert(),
                    _row(tables["total_attendance"], telecenter_id=telecenter, month=month),
                )
        upgrade()
        with db.engine.connect() as connection:
            for name in (
                "month_reports",
                "fact_attendance",
                "rollup_attendance",
                "total_attendance",
            ):
                kept = connection.scalars(sa.text(f"SELECT month FROM {name}")).all()  # noqa: S608
                assert sorted(kept) == ["2026-10", "2026-11"], name
        db.engine.dispose()


REACH_SENT = [  # (period, scope, sex, new_people) of one telecenter-month, as sites send them
    ("ever", "any", "female", 2),
    ("month", "any", "female", 5),
    ("quarter", "any", "female", 4),
    ("month", "any", "male", 3),
    ("ever", "trained", "female", 1),
]
PERIOD_COLUMNS = ("ever", "fiscal_year", "year", "quarter", "month")


def test_stored_reach_folds_into_a_row_per_cell_and_back(empty_database_url, tmp_path):
    app = create_app(
        base_config(empty_database_url, TELECENTER_ROLE="central"), instance_path=str(tmp_path)
    )
    cell = {"age_band": "30-44", "wfi": False, "month": "2026-10"}
    with app.app_context():
        upgrade(revision="0024_site_network_events")
        with db.engine.begin() as connection:
            for period, scope, sex, count in REACH_SENT:
                row = cell | {"period": period, "scope": scope, "sex": sex, "new_people": count}
                connection.execute(
                    sa.text(
                        "INSERT INTO fact_reach (report_id, telecenter_id, month, period, scope,"
                        " sex, age_band, wfi, new_people) VALUES (1, 1, :month, :period, :scope,"
                        " :sex, :age_band, :wfi, :new_people)"
                    ),
                    row,
                )
                connection.execute(
                    sa.text(
                        "INSERT INTO rollup_reach (region, month, period, scope, sex, age_band,"
                        " wfi, new_people) VALUES ('Ucayali', :month, :period, :scope, :sex,"
                        " :age_band, :wfi, :new_people)"
                    ),
                    row,
                )
                connection.execute(
                    sa.text(
                        "INSERT INTO total_reach (telecenter_id, month, period, scope, new_people)"
                        " VALUES (1, :month, :period, :scope, :new_people)"
                    ),
                    row,
                )
        upgrade(revision="0025_reach_periods_as_columns")
        counts = ", ".join(f"new_people_{p}" for p in PERIOD_COLUMNS)
        expected = {}  # (scope, sex) -> counts per period, from REACH_SENT
        for period, scope, sex, count in REACH_SENT:
            expected.setdefault((scope, sex), dict.fromkeys(PERIOD_COLUMNS, 0))[period] += count
        by_scope = {}
        for (scope, _sex), values in expected.items():
            summed = by_scope.setdefault(scope, dict.fromkeys(PERIOD_COLUMNS, 0))
            for period, count in values.items():
                summed[period] += count
        with db.engine.begin() as connection:
            for table in ("fact_reach", "rollup_reach"):
                rows = connection.execute(
                    sa.text(f"SELECT scope, sex, {counts} FROM {table}")  # noqa: S608
                ).all()
                assert {
                    (r[0], r[1]): dict(zip(PERIOD_COLUMNS, r[2:], strict=True)) for r in rows
                } == expected, table
            totals = connection.execute(
                sa.text(f"SELECT scope, {counts} FROM total_reach")  # noqa: S608
            ).all()
            assert {r[0]: dict(zip(PERIOD_COLUMNS, r[1:], strict=True)) for r in totals} == (
                by_scope
            )
            # The id key still numbers new rows.
            connection.execute(
                sa.text(
                    "INSERT INTO total_reach (telecenter_id, month, scope, new_people_ever,"
                    " new_people_fiscal_year, new_people_year, new_people_quarter,"
                    " new_people_month) VALUES (2, '2026-11', 'any', 1, 1, 1, 1, 1)"
                )
            )
        downgrade(revision="0024_site_network_events")
        with db.engine.connect() as connection:
            back = connection.execute(
                sa.text("SELECT period, scope, sex, new_people FROM fact_reach")
            ).all()
            assert sorted(map(tuple, back)) == sorted(REACH_SENT)
        db.engine.dispose()
