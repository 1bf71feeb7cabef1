"""Week and month calendars, and an iCalendar feed that calendar programs read."""

from __future__ import annotations

import calendar as stdlib_calendar
from datetime import date, datetime, time, timedelta

from babel.dates import format_interval
from flask_babel import get_locale
from flask_babel import gettext as _

from telecenter.attendance.models import ActivitySession
from telecenter.clock import LIMA, to_lima
from telecenter.i18n import month_in_words


def week_days(anchor: date) -> list[date]:
    monday = anchor - timedelta(days=anchor.weekday())
    return [monday + timedelta(days=offset) for offset in range(7)]


def month_weeks(anchor: date) -> list[list[date]]:
    """The weeks (Monday first) that cover the anchor's month, with days of nearby months."""
    return stdlib_calendar.Calendar(firstweekday=0).monthdatescalendar(anchor.year, anchor.month)


def month_title(day: date) -> str:
    """The day's month and year as Babel writes them in the page's language: "Diciembre de
    2026", "December 2026" (a heading, so with a capital)."""
    return _capital(month_in_words(day))


def week_title(days: list[date]) -> str:
    """The week's first and last days as Babel writes a range: "23-29 de noviembre de 2026"."""
    return _capital(format_interval(days[0], days[-1], "yMMMMd", locale=get_locale()))


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def local_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """UTC instants from the start of `first` to the end of `last`, in Lima."""
    start = datetime.combine(first, time.min, tzinfo=LIMA)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=LIMA)
    return start, end


def by_day(activities: list[ActivitySession]) -> dict[date, list[ActivitySession]]:
    grouped: dict[date, list[ActivitySession]] = {}
    for activity in activities:
        grouped.setdefault(to_lima(activity.starts_at).date(), []).append(activity)
    return grouped


def ics_feed(activities: list[ActivitySession], *, site_name: str, host: str) -> bytes:
    # Imported here: icalendar is 90 modules and 3 MiB that only this feed needs.
    from icalendar import Calendar, Event

    feed = Calendar()
    feed.add("prodid", "-//Telecenter//Sesiones//ES")
    feed.add("version", "2.0")
    feed.add("x-wr-calname", site_name)
    feed.add("x-wr-timezone", "America/Lima")
    for activity in activities:
        event = Event()
        event.add("uid", f"session-{activity.id}@{host}")
        event.add("summary", activity.title)
        event.add("dtstart", activity.starts_at)
        event.add("dtend", activity.ends_at)
        event.add("dtstamp", activity.updated_at)
        if activity.room:
            event.add("location", activity.room)
        network = _("Teleconferencia de la red") if activity.network_event else ""
        if network:  # joining details stay on the staff's page: this feed is public
            event.add("categories", [network])
        description = " · ".join(
            filter(
                None,
                (
                    network,
                    activity.topic,
                    activity.presenter,
                    activity.organisation,
                    activity.platform,
                ),
            )
        )
        if description:
            event.add("description", description)
        event.add("status", "CANCELLED" if activity.state == "cancelled" else "CONFIRMED")
        feed.add_component(event)
    return feed.to_ical()
