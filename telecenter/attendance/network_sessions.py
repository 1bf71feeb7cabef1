"""Sessions that show central's network teleconferences here (issue 21): what the site may
change of them, the notice of a change central made, and room or trainer clashes.

Central sets what the event is and when (CENTRAL_FIELDS, received by
telecenter.sync.network_events); the trainers here choose the room, the trainer responsible,
the places, the group and the kiosk window, and write their own notes. Attendance is taken
as for any session. A clash central's new time causes is shown, never resolved silently.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import format_date, format_time
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from telecenter.attendance import scheduling
from telecenter.attendance.models import ActivitySession
from telecenter.auth.models import User
from telecenter.participants.models import Group

#: What central sets; a trainer here cannot change it.
CENTRAL_FIELDS = (
    "title",
    "topic",
    "category",
    "commodity",
    "purpose",
    "presenter",
    "organisation",
    "platform",
    "joining_details",
    "starts_at",
    "ends_at",
)
#: The names of the session form's fields that carry what central sets (`day`, `start`, `end`
#: are the times): an edit of a network session that sends one is refused whole.
FIXED_FORM_FIELDS = (*(f for f in CENTRAL_FIELDS if not f.endswith("_at")), "kind", "day")
FIXED_FORM_FIELDS += ("start", "end", "course_id")


@dataclass
class LocalChoices:
    """What the telecenter decides for a network session."""

    room: str = ""
    trainer_id: int | None = None
    capacity: int | None = None
    group_id: int | None = None
    checkin_before_minutes: int = 30
    checkin_after_minutes: int = 30
    local_notes: str = ""


def edit_local(
    session: Session,
    activity: ActivitySession,
    choices: LocalChoices,
    *,
    fixed_sent: Collection[str] = (),
) -> ActivitySession:
    """Save the telecenter's choices; `fixed_sent` names fields of central's that the request
    tried to change, which refuses everything (a page never sends them)."""
    if activity.network_event is None:
        raise scheduling.SchedulingError({"title": _("Esta sesión no es de la red.")})
    if fixed_sent:
        raise scheduling.FixedByCentral()
    errors = {}
    if choices.capacity is not None and choices.capacity < 1:
        errors["capacity"] = _("La capacidad debe ser 1 o más (o déjela vacía: sin límite).")
    if choices.group_id is not None and session.get(Group, choices.group_id) is None:
        errors["group_id"] = _("Grupo desconocido.")
    if choices.trainer_id is not None and session.get(User, choices.trainer_id) is None:
        errors["trainer_id"] = _("Capacitador desconocido.")
    if len(choices.local_notes.strip()) > scheduling.MAX_NOTES:
        errors["local_notes"] = _("Las notas pueden tener hasta 1000 caracteres.")
    if errors:
        raise scheduling.SchedulingError(errors)
    if activity.state != "cancelled":
        other = scheduling.find_conflict(
            session,
            starts=activity.starts_at,
            ends=activity.ends_at,
            room=choices.room,
            trainer_id=choices.trainer_id,
            exclude_ids={activity.id},
        )
        if other is not None:
            raise scheduling.conflict_error(other, choices.room)
    activity.room = choices.room.strip()
    activity.trainer_id = choices.trainer_id
    activity.capacity = choices.capacity
    activity.group_id = choices.group_id
    activity.checkin_before_minutes = choices.checkin_before_minutes
    activity.checkin_after_minutes = choices.checkin_after_minutes
    activity.local_notes = choices.local_notes.strip()
    session.flush()
    return activity


# The notice of a change central made ---------------------------------------------------------


def seen(activity: ActivitySession) -> dict:
    """What trainers see of a network session that a notice compares with."""
    return {
        "starts_at": activity.starts_at.isoformat(),
        "ends_at": activity.ends_at.isoformat(),
        "state": activity.network_state,
    }


def note_change(activity: ActivitySession, before: dict) -> None:
    """After central changed the session: keep what trainers saw before the first change not
    yet dismissed, or nothing when the session is back to it."""
    earlier = activity.network_notice or before
    activity.network_notice = None if earlier == seen(activity) else earlier


@dataclass(frozen=True)
class Notice:
    """What central changed since trainers last looked, in sentences."""

    lines: tuple[str, ...]


def notice(activity: ActivitySession) -> Notice | None:
    earlier = activity.network_notice
    if not earlier or activity.network_event is None:
        return None
    lines = []
    now = seen(activity)
    if (earlier.get("starts_at"), earlier.get("ends_at")) != (now["starts_at"], now["ends_at"]):
        try:
            old = (
                datetime.fromisoformat(earlier["starts_at"]),
                datetime.fromisoformat(earlier["ends_at"]),
            )
        except (KeyError, TypeError, ValueError):  # a hand-edited row: say only what is new
            old = None
        new = when(activity.starts_at, activity.ends_at)
        lines.append(
            _(
                "La oficina central cambió la hora. Antes: %(old)s. Ahora: %(new)s.",
                old=when(*old),
                new=new,
            )
            if old
            else _("La oficina central cambió la hora: ahora es %(new)s.", new=new)
        )
    if earlier.get("state") != activity.network_state:
        lines.append(_state_line(activity))
    return Notice(tuple(lines)) if lines else None


def _state_line(activity: ActivitySession) -> str:
    if activity.network_state == "withdrawn":
        return _("Central ya no la programa para este telecentro.")
    if activity.network_state == "cancelled":
        if activity.cancel_reason:
            return _(
                "La oficina central canceló esta teleconferencia: %(reason)s",
                reason=activity.cancel_reason,
            )
        return _("La oficina central canceló esta teleconferencia.")
    return _("La oficina central la volvió a programar.")


def when(starts: datetime, ends: datetime) -> str:
    """ "martes, 8 de diciembre de 2026, de 10:00 a 12:00", in Lima time (Babel's zone)."""
    return _(
        "%(day)s, de %(start)s a %(end)s",
        day=format_date(starts, "full"),
        start=format_time(starts, "HH:mm"),
        end=format_time(ends, "HH:mm"),
    )


def dismiss(session: Session, activity: ActivitySession) -> None:
    """A trainer has read the notice."""
    activity.network_notice = None
    session.flush()


# Clashes central's times cause here ----------------------------------------------------------


def clashes(session: Session, activity: ActivitySession) -> list[str]:
    """Another live session here at the same time in the same room, or with the same
    trainer, as sentences (none for a cancelled session)."""
    if activity.state == "cancelled":
        return []
    found = []
    if activity.room.strip():
        other = scheduling.find_conflict(
            session,
            starts=activity.starts_at,
            ends=activity.ends_at,
            room=activity.room,
            trainer_id=None,
            exclude_ids={activity.id},
        )
        if other is not None:
            found.append(
                _(
                    "Choque de ambiente: «%(title)s» también usa %(room)s (%(when)s). "
                    "Elija otro ambiente o cambie la otra sesión.",
                    title=other.title,
                    room=activity.room,
                    when=when(other.starts_at, other.ends_at),
                )
            )
    if activity.trainer is not None:
        other = scheduling.find_conflict(
            session,
            starts=activity.starts_at,
            ends=activity.ends_at,
            room="",
            trainer_id=activity.trainer_id,
            exclude_ids={activity.id},
        )
        if other is not None:
            found.append(
                _(
                    "Choque de capacitador: %(name)s también tiene «%(title)s» (%(when)s).",
                    name=activity.trainer.display_name,
                    title=other.title,
                    when=when(other.starts_at, other.ends_at),
                )
            )
    return found


@dataclass(frozen=True)
class Attention:
    """A network session trainers should look at: a change central made, or a clash."""

    activity: ActivitySession
    notice: Notice | None
    clashes: list[str]


def needing_attention(session: Session, now: datetime) -> list[Attention]:
    """For the sessions list and the staff's home: notices not yet dismissed, and clashes of
    the network sessions still to come."""
    rows = session.scalars(
        sa.select(ActivitySession)
        .where(
            ActivitySession.network_event.is_not(None),
            sa.or_(
                ActivitySession.network_notice.is_not(None),
                sa.and_(
                    ActivitySession.ends_at > now - timedelta(hours=12),
                    ActivitySession.state != "cancelled",
                ),
            ),
        )
        .order_by(ActivitySession.starts_at)
    )
    found = []
    for row in rows:
        item = Attention(row, notice(row), clashes(session, row))
        if item.notice or item.clashes:
            found.append(item)
    return found
