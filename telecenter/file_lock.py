"""One process at a time: the scheduler of an instance, the sender of its reports."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def exclusive(path: Path, *, note: str | None = None) -> Iterator[bool]:
    """Hold an advisory lock on `path` for the block: True when taken, False at once when
    another process holds it (never waits). `note` (the holder's pid) is written into the file
    for whoever wonders who holds it. The lock goes with the process, even when it is killed."""
    handle = open(path, "a+")  # noqa: SIM115 - closed below
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        yield False
        return
    try:
        if note is not None:
            handle.seek(0)
            handle.truncate()
            handle.write(note)
            handle.flush()
        yield True
    finally:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        handle.close()
