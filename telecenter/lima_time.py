"""Lima local time: what "today" means at a telecenter (stored times stay in UTC)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

LIMA = ZoneInfo("America/Lima")


def today_in_lima() -> date:
    return datetime.now(LIMA).date()


def to_lima(moment: datetime) -> datetime:
    return moment.astimezone(LIMA)
