"""The gunicorn processes of a server (`make run`, deploy/): the hooks of gunicorn.conf.py.

The master loads the application once (preload_app) and forks the workers from it, so the
imported code and data are shared by all of them instead of copied into each. What must not be
shared never exists in the master when it forks: a database connection (SQLite's must never
cross a fork), a thread, the scheduler. So the master checks the schema, closes what it opened,
and freezes its objects; each worker forgets the pool it was born with and starts the
scheduler (which runs in the one worker that takes the instance's lock).
"""

from __future__ import annotations

import ast
import gc
import logging
import re
from pathlib import Path

import sqlalchemy as sa
import sqlalchemy.orm
from flask import Flask

from telecenter.extensions import db
from telecenter.paths import migrations_dir
from telecenter.scheduler import InWorker

log = logging.getLogger(__name__)

_ASSIGNMENT = re.compile(r"^(revision|down_revision)\s*(?::[^=\n]*)?=\s*(.+)$", re.MULTILINE)


def master_ready(app: Flask) -> None:
    """In the master, once the app is loaded and before the first fork."""
    if database_revision(app) != newest_revision():
        migrate(app)
    close_connections(app)
    # Every worker would configure the mappers at its first query: done once here, shared (the
    # learner's path measured 6-7 MiB less over the site, bench/memory_soak.py). Babel's locale
    # data and the templates are not loaded here: they cost more in the master than they save.
    sa.orm.configure_mappers()
    # The collector would otherwise write into every imported object's header on its passes,
    # copying in each worker the pages the fork shares (Python's gc.freeze documentation).
    gc.collect()
    gc.freeze()


def worker_forked(app: Flask) -> None:
    """In each worker, right after its fork: a connection pool of its own."""
    with app.app_context():
        for engine in db.engines.values():
            # The master's connections, if it had any, are its own: drop them unclosed
            # (SQLAlchemy's documented way after os.fork).
            engine.dispose(close=False)


def worker_ready(app: Flask) -> InWorker:
    """In each worker, set up and about to serve: the scheduler (it runs the jobs only in the
    worker that takes the instance's lock)."""
    return InWorker(app).start()


def close_connections(app: Flask) -> None:
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()


def migrate(app: Flask) -> None:
    """What `telecenter init` does to the schema (a backup first where one is behind): after
    a pull that brought migrations, or if the database went missing."""
    from telecenter.operations.cli import upgrade_database

    with app.app_context():
        made = upgrade_database(app)
    log.info("database brought to the newest schema%s", f"; backup first: {made}" if made else "")


def database_revision(app: Flask) -> str | None:
    """The schema revision the database is at; None without one (a new database)."""
    with app.app_context(), db.engine.connect() as connection:
        if not sa.inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def newest_revision(folder: Path | None = None) -> str | None:
    """The head revision of migrations/versions, read from the files' `revision` and
    `down_revision` lines: Alembic itself takes 150 modules and 12 MiB to say the same. None
    when the files do not show exactly one head (then Alembic decides, by migrating)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in sorted((folder or migrations_dir() / "versions").glob("*.py")):
        values = {}
        for name, expression in _ASSIGNMENT.findall(path.read_text("utf-8")):
            try:
                values[name] = ast.literal_eval(expression.split("#", 1)[0].strip())
            except (SyntaxError, ValueError):
                return None
        if not isinstance(values.get("revision"), str):
            return None
        revisions.add(values["revision"])
        parent = values.get("down_revision")
        parents |= {parent} if isinstance(parent, str) else set(parent or ())
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None
