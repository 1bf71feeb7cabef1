"""The site's maintenance window while a backup is restored, seen by every process.

gunicorn runs several workers, and the scheduler runs beside them; none shares memory with
the one that restores. So the window lives in the instance folder:

- `restore.lock` (an advisory lock, never deleted) is held by the one restore running; a
  second restore is refused while it is held.
- `restoring` (a marker) exists while the window is open. Each request checks it (one stat):
  a request that writes (POST, PUT, PATCH, DELETE) gets a plain 503 page; reads go on, and see
  either the old data or the restored data, never a mix (the swap is one SQLite transaction).
  A marker left by a process that died mid-restore is stale (its lock is free) and is removed.
- `database-generation` changes after each restore. Each process remembers the one it saw
  and drops its pooled connections (engine.dispose) when it changes, so it reconnects to the
  restored database without a restart.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask, abort, current_app, request

from telecenter import file_lock

LOCK_FILE = "restore.lock"
MARKER_FILE = "restoring"
GENERATION_FILE = "database-generation"
SEEN_KEY = "telecenter.database_generation"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: How long a restore waits for another one (or a stale-marker check) to let go of the lock.
LOCK_WAIT_SECONDS = 3.0


class AlreadyRestoring(RuntimeError):
    """Another restore holds the lock."""


def _folder(app: Flask) -> Path:
    return Path(app.instance_path)


@contextmanager
def window(app: Flask) -> Iterator[None]:
    """Hold the restore lock and the marker for the block; afterwards every process
    reconnects (the generation changes even when the block fails: the database may have
    changed half-way through a media copy)."""
    folder = _folder(app)
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        with file_lock.exclusive(folder / LOCK_FILE, note=str(os.getpid())) as taken:
            if taken:
                marker = folder / MARKER_FILE
                marker.write_text(str(os.getpid()))
                try:
                    yield
                finally:
                    _bump_generation(folder)
                    marker.unlink(missing_ok=True)
                return
        if time.monotonic() > deadline:
            raise AlreadyRestoring
        time.sleep(0.1)


def is_restoring(app: Flask) -> bool:
    """Whether a restore is running now; a marker whose lock is free is stale and removed."""
    folder = _folder(app)
    marker = folder / MARKER_FILE
    if not marker.exists():
        return False
    with file_lock.exclusive(folder / LOCK_FILE) as taken:
        if taken:  # nobody restores: the marker was left by a process that died
            marker.unlink(missing_ok=True)
            return False
    return True


def _generation(folder: Path) -> str:
    try:
        return (folder / GENERATION_FILE).read_text()
    except FileNotFoundError:
        return ""


def _bump_generation(folder: Path) -> None:
    (folder / GENERATION_FILE).write_text(uuid.uuid4().hex)


def reconnect_if_restored(app: Flask) -> bool:
    """Drop the pooled connections when a restore happened since this process last looked;
    True when it did."""
    from telecenter.extensions import db

    current = _generation(_folder(app))
    seen = app.extensions.setdefault(SEEN_KEY, current)
    if seen == current:
        return False
    app.extensions[SEEN_KEY] = current
    with app.app_context():
        db.engine.dispose()
    return True


def mark_seen(app: Flask) -> None:
    """The restoring process has reconnected already."""
    app.extensions[SEEN_KEY] = _generation(_folder(app))


def guard() -> None:
    """Before each request: reconnect after a restore; refuse writes during one."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    reconnect_if_restored(app)
    if request.method in WRITE_METHODS and is_restoring(app):
        abort(503)
