"""Declarative base, naming convention, time helpers and SQLite connection settings."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import current_app, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, scoped_session
from sqlalchemy.orm import Session as OrmSession

from telecenter.file_modes import make_private, sqlite_files

if TYPE_CHECKING:
    from flask_sqlalchemy.session import Session as FlaskSession

log = logging.getLogger(__name__)

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


def configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """WAL, full fsync, foreign keys and a busy timeout for every SQLite connection.

    synchronous=FULL because a power cut must not lose a committed attendance record.

    pysqlite's own transaction handling is switched off and SQLAlchemy emits BEGIN itself,
    as the SQLAlchemy documentation recommends, so that SAVEPOINTs and locking behave.
    """
    if engine.dialect.name != "sqlite":
        return
    files = sqlite_files(engine.url.database)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()
        make_private(*files)  # SQLite created it with the umask of whoever ran first

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _writing.get() else "BEGIN")


# --- Writing: the one way ---------------------------------------------------------------------
#
# SQLite lets one connection write at a time. Reads never wait (WAL), but a transaction that
# read first and writes later fails at once with "database is locked" when another worker wrote
# in between, and the busy timeout cannot help it. So every write runs in `writing()`: it ends
# the read snapshot, takes the write lock with BEGIN IMMEDIATE (waiting its turn), runs the
# change, commits, and lets go. Everything slow happens outside it: reading and checking an
# upload, hashing, unzipping, computing month reports, rendering the page, and above all any
# network call. Requests and jobs read in plain deferred transactions and never hold the lock
# by accident. PostgreSQL runs the same code; `writing()` is then an ordinary transaction.
#
# A flush outside `writing()` during a request is a bug: with STRICT_WRITES (the tests) it
# raises, otherwise it is logged.

_writing: ContextVar[bool] = ContextVar("telecenter_writing", default=False)


@contextmanager
def writing(
    session: OrmSession | scoped_session[FlaskSession],
    *,
    keep_loaded: bool = False,
    keep_on: tuple[type[BaseException], ...] = (),
) -> Iterator[None]:
    """Run the block as one short write transaction: commit on success, roll back on any
    error (which is re-raised), except the errors in keep_on, which are facts to keep (a
    failed sign-in counts towards the lock): committed, then re-raised. keep_loaded keeps what
    the block loaded for the page rendered next (read under the lock, so it is current)."""
    session.commit()  # end the read snapshot; the write reads afresh under the lock
    token = _writing.set(True)
    try:
        yield
    except keep_on:
        session.commit()
        raise
    except BaseException:
        session.rollback()
        raise
    else:
        if keep_loaded:
            _commit_keeping_loaded(session)
        else:
            session.commit()
    finally:
        _writing.reset(token)


def _commit_keeping_loaded(session: OrmSession | scoped_session[FlaskSession]) -> None:
    current = session() if isinstance(session, scoped_session) else session
    previous, current.expire_on_commit = current.expire_on_commit, False
    try:
        current.commit()
    finally:
        current.expire_on_commit = previous


def in_writing() -> bool:
    return _writing.get()


@event.listens_for(OrmSession, "before_flush")
def _only_inside_writing(session, _context, _instances) -> None:
    if (
        _writing.get()
        or not has_request_context()
        or not (session.new or session.dirty or session.deleted)
    ):
        return
    message = f"a write outside writing() in {request.method} {request.path}"
    if current_app.config.get("STRICT_WRITES"):
        raise RuntimeError(message)
    log.warning(message)
