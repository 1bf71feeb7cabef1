"""Time, the one module that reads the clock: UTC for what is stored, Lima local time for what
"today" and "this month" mean at a telecenter."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LIMA = ZoneInfo("America/Lima")


def utcnow() -> datetime:
    """Now, as stored: an aware UTC time."""
    return datetime.now(UTC)


def today_in_lima() -> date:
    return datetime.now(LIMA).date()


def to_lima(moment: datetime) -> datetime:
    return moment.astimezone(LIMA)
