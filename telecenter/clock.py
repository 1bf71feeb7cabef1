"""Time, the one module that reads the clock: UTC for what is stored, Lima local time for what
"today" and "this month" mean at a telecenter."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LIMA = ZoneInfo("America/Lima")

# The moment a replay stands at (None: the real clock). See `replaying`.
_replayed: ContextVar[datetime | None] = ContextVar("replayed_now", default=None)


def utcnow() -> datetime:
    """Now, as stored: an aware UTC time."""
    moment = _replayed.get()
    return moment if moment is not None else datetime.now(UTC)


def today_in_lima() -> date:
    return to_lima(utcnow()).date()


def to_lima(moment: datetime) -> datetime:
    return moment.astimezone(LIMA)


class Replay:
    """A clock that a replay moves by hand (`at`); only moments in the past make sense."""

    def at(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("a replayed moment needs a time zone")
        _replayed.set(moment.astimezone(UTC))


@contextmanager
def replaying() -> Iterator[Replay]:
    """Live through past days with the real services, which all read this clock: the demo
    seeds two years of a telecenter's life this way, each record stamped when it happened."""
    token = _replayed.set(None)
    try:
        yield Replay()
    finally:
        _replayed.reset(token)
