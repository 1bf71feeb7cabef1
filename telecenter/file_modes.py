"""Files the site writes hold people's data: only the service account may read them.

The process umask makes every new file 0600 and folder 0700; the explicit chmod in
`make_private` covers files created before the umask was set (or by another tool) and a
database or backup moved into place from elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_UMASK = 0o077
PRIVATE_FILE = 0o600


def restrict_new_files() -> None:
    """Set the process umask: called first by the app factory, before any file is created."""
    os.umask(PRIVATE_UMASK)


def make_private(*paths: Path | str) -> None:
    """chmod 0600 each existing path that is not already so (missing ones are skipped)."""
    for path in paths:
        try:
            if os.stat(path).st_mode & 0o777 != PRIVATE_FILE:
                os.chmod(path, PRIVATE_FILE)
        except FileNotFoundError:
            continue


def sqlite_files(database: str | None) -> tuple[str, ...]:
    """The database file and its WAL companions; none for an in-memory database."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return ()
    return (database, f"{database}-wal", f"{database}-shm")
