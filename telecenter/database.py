"""Declarative base, naming convention, time helpers and SQLite connection settings."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from flask import g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

# Constraint names must be stable so that migrations can name them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(sa.types.TypeDecorator):
    """Stores naive UTC on every backend and always hands back aware UTC datetimes.

    SQLite has no time zones; without this, values would come back naive on SQLite and
    aware on PostgreSQL, and comparisons would break on one of them.
    """

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use aware UTC datetimes")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def one_of(column: str, values) -> str:
    """SQL for a CHECK constraint that keeps a code column within its known values."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def utcnow() -> datetime:
    return datetime.now(UTC)


def configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """WAL, full fsync, foreign keys and a busy timeout for every SQLite connection.

    synchronous=FULL because a power cut must not lose a committed attendance record.

    pysqlite's own transaction handling is switched off and SQLAlchemy emits BEGIN itself,
    as the SQLAlchemy documentation recommends, so that SAVEPOINTs and locking behave.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _writing_request() else "BEGIN")

    @event.listens_for(engine, "commit")
    def _on_commit(connection):
        # The request's write is done: what follows (rendering the answer) only reads, and
        # must not hold the write lock while it does.
        if has_request_context():
            g.sqlite_write, g.sqlite_written = False, True


def prepare_write(session) -> None:
    """For a GET that must write (opening a lesson, logging an access): end the read
    snapshot, and make the next transaction take SQLite's write lock first and wait its turn,
    instead of failing with "database is locked" when another worker wrote meanwhile."""
    session.commit()
    if has_request_context():
        g.sqlite_write = True


def commit_keeping_loaded(session) -> None:
    """Commit a POST's write without expiring the objects it loaded, so the page rendered next
    does not load them all again. They hold what this request read and wrote; on SQLite a POST
    read them under the write lock, so nothing changed them meanwhile."""
    current = session()
    previous, current.expire_on_commit = current.expire_on_commit, False
    try:
        current.commit()
    finally:
        current.expire_on_commit = previous


def _writing_request() -> bool:
    """A POST takes SQLite's write lock at its first statement, waiting its turn (busy timeout).

    A deferred transaction that reads and then writes can fail at once with "database is
    locked" when another worker wrote meanwhile; 40 check-ins in a minute must all succeed.
    """
    if not has_request_context():
        return False
    if g.get("sqlite_write", False):
        return True
    return request.method not in ("GET", "HEAD", "OPTIONS") and not g.get("sqlite_written")
