"""Central's network teleconferences, as this site receives them in the network settings.

Each event becomes one local session of kind "teleconference" (issue 21): central sets what
it is and when; the site chooses room and trainer and takes attendance as for any session
(telecenter.attendance.network_sessions). The rules of the contract:

- upsert by central's id; only a higher revision changes a stored event;
- an event the site has, not started yet, and missing from a list that has the key, is
  withdrawn for this telecenter (shown cancelled, with its own notice);
- a settings object without the key (an older central) changes no event;
- one bad event refuses the whole settings object (`parse` checks all before anything is
  written), so nothing is half-applied.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from telecenter import month_report
from telecenter.attendance import network_sessions
from telecenter.attendance.models import ActivitySession, Attendance
from telecenter.counting_rules import InvalidRules
from telecenter.network_event_texts import TEXT_LIMITS as TEXTS
from telecenter.vocabulary import CATEGORIES, CROPS, PURPOSES

log = logging.getLogger(__name__)

KEY = "network_events"
MAX_EVENTS = 500
MAX_LENGTH = timedelta(hours=24)
CENTRAL_STATES = ("scheduled", "cancelled")
FIELDS = (
    "id",
    "revision",
    "state",
    "category",
    "commodity",
    "purpose",
    "starts_at",
    "ends_at",
    *TEXTS,
)


class InvalidEvents(InvalidRules):
    """Network events no site could apply: the whole settings object is refused, as for
    rules (the reason, in English, goes to the log and the admin's sync page)."""


@dataclass(frozen=True)
class NetworkEvent:
    """One event as central sent it, checked."""

    id: str
    revision: int
    state: str
    title: str
    topic: str
    category: str
    commodity: str | None
    purpose: str
    presenter: str
    organisation: str
    platform: str
    joining_details: str
    starts_at: datetime
    ends_at: datetime
    notes: str
    cancel_reason: str


def parse(settings: dict) -> list[NetworkEvent] | None:
    """The events of a settings object, all checked; None when it has no such key."""
    if KEY not in settings:
        return None
    raw = settings[KEY]
    if not isinstance(raw, list) or len(raw) > MAX_EVENTS:
        raise InvalidEvents(f"{KEY} must be a list of at most {MAX_EVENTS} events")
    events = [_event(item, f"{KEY}[{index}]") for index, item in enumerate(raw)]
    ids = [event.id for event in events]
    if len(set(ids)) != len(ids):
        raise InvalidEvents(f"{KEY}: an event id appears twice")
    return events


def _event(item: object, where: str) -> NetworkEvent:
    if not isinstance(item, dict) or not set(FIELDS) <= set(item):
        raise InvalidEvents(f"{where}: an event needs {', '.join(FIELDS)}")
    if not month_report.is_network_event(item["id"]):
        raise InvalidEvents(f"{where}: id must be like NE-12, not {month_report.shown(item['id'])}")
    revision = item["revision"]
    if type(revision) is not int or not 1 <= revision <= 10**9:
        raise InvalidEvents(f"{where}: revision must be a whole number from 1")
    for name, longest in TEXTS.items():
        text = item[name]
        if not isinstance(text, str) or len(text) > longest:
            raise InvalidEvents(f"{where}: {name} must be text of at most {longest} characters")
    if not item["title"].strip():
        raise InvalidEvents(f"{where}: title is empty")
    _vocabulary(item, where)
    starts, ends = _moment(item["starts_at"], where), _moment(item["ends_at"], where)
    if not timedelta(0) < ends - starts <= MAX_LENGTH:
        raise InvalidEvents(f"{where}: ends_at must be after starts_at, within 24 hours")
    values = {name: item[name] for name in TEXTS}
    return NetworkEvent(
        id=item["id"],
        revision=revision,
        state=item["state"],
        category=item["category"],
        commodity=item["commodity"],
        purpose=item["purpose"],
        starts_at=starts,
        ends_at=ends,
        **values,
    )


def _vocabulary(item: dict, where: str) -> None:
    if item["state"] not in CENTRAL_STATES:
        raise InvalidEvents(f"{where}: state must be scheduled or cancelled")
    if item["state"] == "scheduled" and item["cancel_reason"]:
        raise InvalidEvents(f"{where}: only a cancelled event has a cancel_reason")
    if item["category"] not in CATEGORIES:
        raise InvalidEvents(f"{where}: unknown category {month_report.shown(item['category'])}")
    if item["purpose"] not in PURPOSES:
        raise InvalidEvents(f"{where}: unknown purpose {month_report.shown(item['purpose'])}")
    crop = item["commodity"]
    if crop is not None and (item["category"] != "agriculture" or crop not in CROPS):
        raise InvalidEvents(f"{where}: commodity must be a crop of an agriculture event, or null")


def _moment(text: object, where: str) -> datetime:
    """An ISO 8601 time in UTC with a Z, in 2000-2099."""
    if isinstance(text, str) and text.isascii() and text.endswith("Z"):
        try:
            moment = datetime.fromisoformat(text[:-1] + "+00:00")
        except ValueError:
            moment = None
        if moment is not None and moment.utcoffset() == timedelta(0) and 2000 <= moment.year < 2100:
            return moment.astimezone(UTC)
    shown = month_report.shown(text)
    raise InvalidEvents(f"{where}: times must be ISO 8601 in UTC with a Z, not {shown}")


@dataclass
class Applied:
    created: int = 0
    changed: int = 0
    withdrawn: int = 0


def apply(session: Session, events: list[NetworkEvent] | None, now: datetime) -> Applied:
    """Store checked events as sessions (inside the caller's write)."""
    applied = Applied()
    if events is None:  # an older central: it knows nothing of events
        return applied
    listed = {event.id for event in events}
    stored = {
        row.network_event: row
        for row in session.scalars(
            sa.select(ActivitySession).where(ActivitySession.network_event.is_not(None))
        )
    }
    for event in events:
        row = stored.get(event.id)
        if row is None:
            if event.state == "scheduled":  # one cancelled before it ever arrived: nothing to show
                session.add(_new_session(event))
                applied.created += 1
        elif event.revision > (row.network_revision or 0) or row.network_state == "withdrawn":
            _update(session, row, event)
            applied.changed += 1
    for event_id, row in stored.items():
        if event_id not in listed and row.network_state == "scheduled" and row.starts_at > now:
            _withdraw(row)
            applied.withdrawn += 1
    session.flush()
    if applied.created or applied.changed or applied.withdrawn:
        log.info(
            "network events from central: %d new, %d changed, %d withdrawn",
            applied.created,
            applied.changed,
            applied.withdrawn,
        )
    return applied


def _new_session(event: NetworkEvent) -> ActivitySession:
    row = ActivitySession(kind="teleconference", network_event=event.id, state="scheduled")
    _copy(row, event)
    return row


def _copy(row: ActivitySession, event: NetworkEvent) -> None:
    """What central sets; the room, trainer, roster and local notes stay the site's."""
    for name in network_sessions.CENTRAL_FIELDS:
        setattr(row, name, getattr(event, name))
    row.network_revision, row.network_state, row.network_notes = (
        event.revision,
        event.state,
        event.notes,
    )


def _update(session: Session, row: ActivitySession, event: NetworkEvent) -> None:
    before = network_sessions.seen(row)
    _copy(row, event)
    if event.state == "cancelled":
        row.state, row.cancel_reason = "cancelled", event.cancel_reason
    elif row.state == "cancelled":  # central scheduled it again
        row.state, row.cancel_reason = _live_state(session, row), ""
    network_sessions.note_change(row, before)


def _live_state(session: Session, row: ActivitySession) -> str:
    """Held when attendance was already taken (before central cancelled it), else scheduled."""
    taken = session.scalar(
        sa.select(sa.func.count()).select_from(Attendance).where(Attendance.session_id == row.id)
    )
    return "held" if taken else "scheduled"


def _withdraw(row: ActivitySession) -> None:
    before = network_sessions.seen(row)
    row.network_state, row.state, row.cancel_reason = "withdrawn", "cancelled", ""
    network_sessions.note_change(row, before)
