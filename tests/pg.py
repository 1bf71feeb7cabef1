"""The PostgreSQL test server: one fresh database per test worker.

`make test` starts the server (scripts/test-postgres.sh) and sets TEST_POSTGRES_URL. A run
without it fails loudly rather than skipping: PostgreSQL tests are part of the suite.
"""

from __future__ import annotations

import os
import time

import sqlalchemy as sa
from sqlalchemy.engine import make_url

ENV = "TEST_POSTGRES_URL"


def server_url() -> str:
    url = os.environ.get(ENV)
    if not url:
        raise RuntimeError(
            f"{ENV} is not set: run the suite with `make test`, which starts PostgreSQL, "
            "or pass --backend sqlite to run only the SQLite half"
        )
    return url


def _admin_engine():
    return sa.create_engine(server_url(), isolation_level="AUTOCOMMIT")


def create_database(name: str) -> str:
    """A fresh database; its name carries this process id, so two runs never share one."""
    name = f"{name}_{os.getpid()}"
    engine = _admin_engine()
    with engine.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()
    return make_url(server_url()).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    """Drop a test database. An autovacuum worker (owned by the server, which this role may
    not terminate) can briefly hold a fresh database: wait and try again; the name is this
    process's own, so a database that outlives every try harms no other run."""
    name = make_url(url).database
    engine = _admin_engine()
    try:
        for attempt in range(10):
            try:
                with engine.connect() as connection:
                    connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                return
            except sa.exc.DBAPIError:
                time.sleep(0.5 * (attempt + 1))
    finally:
        engine.dispose()


#: Tables that migrations fill (the indicator catalogue's defaults): kept aside once migrated
#: and put back after each test empties the database, as SQLite's copied file has them.
SEEDED = ("indicators",)


def keep_seeds(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE SCHEMA IF NOT EXISTS seeds")
        for table in SEEDED:
            connection.exec_driver_sql(f'CREATE TABLE seeds."{table}" AS TABLE public."{table}"')
    engine.dispose()


def _restore_seeds(connection) -> None:
    for table in SEEDED:
        # Table names from SEEDED above, never from input.
        copy = f'INSERT INTO public."{table}" SELECT * FROM seeds."{table}"'  # noqa: S608
        connection.exec_driver_sql(copy)
        restart = (
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
            f'(SELECT coalesce(max(id), 0) + 1 FROM public."{table}"), false)'
        )
        connection.exec_driver_sql(restart)


def truncate_all(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        tables = (
            connection.execute(
                sa.text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename <> 'alembic_version'"
                )
            )
            .scalars()
            .all()
        )
        if tables:
            names = ", ".join(f'"{table}"' for table in tables)
            connection.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        _restore_seeds(connection)
    engine.dispose()
