"""Network teleconferences (issue 21): one event scheduled at central, watched at many
telecenters. Creating, editing, rescheduling and cancelling are allowed until it starts; after
that only central's notes change. Each change raises the event's revision, which is how a site
knows its copy is old, and is audited. Which events a telecenter receives in its network
settings is decided here too (`for_telecenter`, `as_settings`)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import sqlalchemy as sa
from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from telecenter import audit, month_report
from telecenter.auth.models import User
from telecenter.central.models import (
    AUDIENCES,
    NETWORK_EVENT_TELECENTERS,
    PUBLIC_ID_PREFIX,
    NetworkEvent,
    Telecenter,
)
from telecenter.clock import LIMA, to_lima, utcnow
from telecenter.domain_errors import DomainError
from telecenter.network_event_texts import TEXT_LIMITS as LIMITS
from telecenter.vocabulary import CATEGORIES, CROPS, PURPOSES

#: How far ahead an event may be scheduled, in days (a date box takes any year).
MAX_DAYS_AHEAD = 2 * 366


class EventRefused(DomainError):
    """What was typed cannot be saved: the messages, keyed by the form's fields."""


class EventStarted(DomainError):
    """The event has started (or was cancelled): only its notes may change now."""

    status = 409
    code = "event_started"


@dataclass(frozen=True)
class EventData:
    """What a central person decides about an event. Times are aware UTC; `telecenters` are
    ids, used when the audience is "chosen"."""

    title: str
    category: str
    purpose: str
    #: None: not given (a box left empty); refused with a message.
    starts_at: datetime | None
    ends_at: datetime | None
    audience: str
    topic: str = ""
    commodity: str | None = None
    presenter: str = ""
    organisation: str = ""
    platform: str = ""
    joining_details: str = ""
    region: str | None = None
    telecenters: tuple[int, ...] = ()
    notes: str = ""


#: The fields that may change only before the start (all but the notes).
FIXED_AT_START = tuple(f.name for f in dataclasses.fields(EventData) if f.name != "notes")


def moment(day: date, clock: time, field: str) -> datetime:
    """A day and a clock time in Lima as a UTC moment, or EventRefused under `field` for a day
    too far away to be a teleconference (a date box takes the year 9999)."""
    today = to_lima(utcnow()).date()
    if abs((day - today).days) > MAX_DAYS_AHEAD:
        raise EventRefused({field: _("Elija un día de los próximos dos años.")})
    return datetime.combine(day, clock, tzinfo=LIMA).astimezone(UTC)


def data_of(event: NetworkEvent) -> EventData:
    """A stored event as EventData, to change one part of it (a reschedule) and save."""
    return EventData(
        **{f: getattr(event, f) for f in FIXED_AT_START if f != "telecenters"},
        telecenters=tuple(t.id for t in event.chosen),
        notes=event.notes,
    )


def has_started(event: NetworkEvent, now: datetime) -> bool:
    return event.starts_at <= now


def is_open(event: NetworkEvent, now: datetime) -> bool:
    """Whether more than its notes may still change: scheduled and not started."""
    return event.state == "scheduled" and not has_started(event, now)


def regions(session: Session) -> list[str]:
    """The regions of the registered telecenters: what an event may be for."""
    return list(
        session.scalars(sa.select(Telecenter.region).distinct().order_by(Telecenter.region))
    )


def _trimmed(data: EventData) -> EventData:
    texts = {name: getattr(data, name).strip() for name in LIMITS if hasattr(data, name)}
    return dataclasses.replace(
        data,
        **texts,
        commodity=data.commodity or None,
        region=data.region if data.audience == "region" else None,
        telecenters=tuple(sorted(set(data.telecenters))) if data.audience == "chosen" else (),
    )


def _errors(session: Session, data: EventData, now: datetime) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not data.title:
        errors["title"] = _("Escriba el título de la teleconferencia.")
    for name, limit in LIMITS.items():
        value = getattr(data, name, "")
        if len(value) > limit and name not in errors:
            errors[name] = _("Escriba como mucho %(max)d caracteres.", max=limit)
    if data.category not in CATEGORIES:
        errors["category"] = _("Elija una categoría.")
    if data.commodity is not None and data.commodity not in CROPS:
        errors["commodity"] = _("Elija un cultivo de la lista.")
    elif data.commodity is not None and data.category != "agriculture":
        errors["commodity"] = _("Solo las teleconferencias de agricultura tienen cultivo.")
    if data.purpose not in PURPOSES:
        errors["purpose"] = _("Elija si es una capacitación o una charla.")
    errors |= _time_errors(data, now)
    errors |= _audience_errors(session, data)
    return errors


def _time_errors(data: EventData, now: datetime) -> dict[str, str]:
    if data.starts_at is None:
        return {"start": _("Elija el día y escriba la hora de inicio.")}
    if data.ends_at is None:
        return {"end": _("Escriba la hora de fin.")}
    if data.starts_at <= now:
        return {"start": _("Esa hora ya pasó: elija un día y una hora que todavía no llegan.")}
    if data.ends_at <= data.starts_at:
        return {"end": _("La hora de fin debe ser después de la hora de inicio.")}
    if to_lima(data.ends_at).date() != to_lima(data.starts_at).date():
        return {"end": _("La teleconferencia debe terminar el mismo día en que empieza.")}
    return {}


def _audience_errors(session: Session, data: EventData) -> dict[str, str]:
    if data.audience not in AUDIENCES:
        return {"audience": _("Elija para qué telecentros es.")}
    if data.audience == "region" and data.region not in regions(session):
        return {"region": _("Elija una región de la lista.")}
    if data.audience == "chosen":
        if not data.telecenters:
            return {"telecenters": _("Marque al menos un telecentro.")}
        known = session.scalar(
            sa.select(sa.func.count(Telecenter.id)).where(Telecenter.id.in_(data.telecenters))
        )
        if known != len(data.telecenters):
            return {"telecenters": _("Marque telecentros de la lista.")}
    if data.audience == "all" and session.scalar(sa.select(Telecenter.id).limit(1)) is None:
        return {"audience": _("Todavía no hay telecentros registrados en central.")}
    return {}


def check(session: Session, data: EventData, now: datetime) -> None:
    """EventRefused with every message for `data`, or nothing: what a form shows beside its
    boxes even when some of them could not be read."""
    _checked(session, data, now)


def _checked(session: Session, data: EventData, now: datetime) -> EventData:
    data = _trimmed(data)
    errors = _errors(session, data, now)
    if errors:
        raise EventRefused(errors)
    return data


def _apply(session: Session, event: NetworkEvent, data: EventData) -> list[str]:
    """Write `data` into the event; the names of the fields that changed."""
    changed = [
        name for name in FIXED_AT_START if name != "telecenters" and _differs(event, data, name)
    ]
    for name in changed:
        setattr(event, name, getattr(data, name))
    chosen = list(session.scalars(sa.select(Telecenter).where(Telecenter.id.in_(data.telecenters))))
    if {t.id for t in chosen} != {t.id for t in event.chosen}:
        event.chosen = chosen
        changed.append("telecenters")
    if data.notes != event.notes:
        event.notes = data.notes
        changed.append("notes")
    return changed


def _differs(event: NetworkEvent, data: EventData, name: str) -> bool:
    return getattr(event, name) != getattr(data, name)


def create(session: Session, data: EventData, *, actor: User | None, now: datetime | None = None):
    """A new scheduled event: every telecenter it is for receives it with its next sync."""
    data = _checked(session, data, now or utcnow())
    event = NetworkEvent(state="scheduled", revision=1, created_by_id=actor.id if actor else None)
    session.add(event)
    _apply(session, event, data)
    session.flush()
    _audit(session, event, "network_event.create", actor, f"for {data.audience}")
    return event


def update(
    session: Session,
    event: NetworkEvent,
    data: EventData,
    *,
    actor: User | None,
    now: datetime | None = None,
) -> list[str]:
    """Save what changed (the names of the changed fields). Once the event has started, or
    once it is cancelled, only the notes may change: any other change is refused whole."""
    now = now or utcnow()
    if not is_open(event, now):
        current = _trimmed(data_of(event))
        if dataclasses.replace(_trimmed(data), notes=current.notes) != current:
            raise EventStarted(_closed_message(event, now))
        return set_notes(session, event, data.notes, actor=actor, now=now)
    changed = _apply(session, event, _checked(session, data, now))
    _saved(session, event, changed, actor, now)
    return changed


def reschedule(
    session: Session,
    event: NetworkEvent,
    starts_at: datetime | None,
    ends_at: datetime | None,
    *,
    actor: User | None,
    now: datetime | None = None,
) -> list[str]:
    """A new start and end, nothing else changed (the rules of `update`)."""
    moved = dataclasses.replace(data_of(event), starts_at=starts_at, ends_at=ends_at)
    return update(session, event, moved, actor=actor, now=now)


def cancel(
    session: Session,
    event: NetworkEvent,
    reason: str,
    *,
    actor: User | None,
    now: datetime | None = None,
) -> None:
    """Cancel before the start, with the reason every telecenter will read."""
    now = now or utcnow()
    if not is_open(event, now):
        raise EventStarted(_closed_message(event, now))
    reason = reason.strip()
    if not reason:
        raise EventRefused({"reason": _("Escriba el motivo: cada telecentro lo leerá.")})
    if len(reason) > LIMITS["cancel_reason"]:
        raise EventRefused(
            {"reason": _("Escriba como mucho %(max)d caracteres.", max=LIMITS["cancel_reason"])}
        )
    event.state, event.cancel_reason = "cancelled", reason
    _saved(session, event, ["state", "cancel_reason"], actor, now)


def set_notes(
    session: Session,
    event: NetworkEvent,
    notes: str,
    *,
    actor: User | None,
    now: datetime | None = None,
) -> list[str]:
    """Central's notes: they may change at any time, even after the event."""
    notes = notes.strip()
    if len(notes) > LIMITS["notes"]:
        raise EventRefused(
            {"notes": _("Escriba como mucho %(max)d caracteres.", max=LIMITS["notes"])}
        )
    changed = ["notes"] if notes != event.notes else []
    event.notes = notes
    _saved(session, event, changed, actor, now or utcnow())
    return changed


def _saved(session: Session, event: NetworkEvent, changed: list[str], actor, now) -> None:
    if not changed:
        return
    event.revision += 1
    event.updated_at = now
    session.flush()
    action = "network_event.cancel" if "state" in changed else "network_event.update"
    _audit(session, event, action, actor, "changed: " + ", ".join(changed))


def _audit(session: Session, event: NetworkEvent, action: str, actor, detail: str) -> None:
    audit.record(
        session,
        actor=actor,
        action=action,
        subject_type="network_event",
        subject_id=event.id,
        detail=f"{event.public_id} revision {event.revision}, {detail}",
    )


def _closed_message(event: NetworkEvent, now: datetime) -> str:
    if event.state == "cancelled":
        return _("Esta teleconferencia está cancelada: solo se pueden cambiar las notas.")
    return _(
        "Esta teleconferencia ya empezó (%(start)s): ya no se puede cambiar ni cancelar; solo "
        "se pueden cambiar las notas.",
        start=format_datetime(event.starts_at, "dd/MM/yyyy HH:mm"),
    )


# --- which telecenters an event is for, and what they receive ---------------------------


def is_for(event: NetworkEvent, telecenter: Telecenter) -> bool:
    if event.audience == "all":
        return True
    if event.audience == "region":
        return event.region == telecenter.region
    return any(t.id == telecenter.id for t in event.chosen)


def audience_of(session: Session, event: NetworkEvent) -> list[Telecenter]:
    """The telecenters the event is for today (a region's: those registered in it now)."""
    query = sa.select(Telecenter).order_by(Telecenter.code)
    if event.audience == "region":
        query = query.where(Telecenter.region == event.region)
    elif event.audience == "chosen":
        return list(event.chosen)
    return list(session.scalars(query))


def window_start(now: datetime) -> datetime:
    """The first day of the previous month in Lima: events that ended before are not sent."""
    lima = to_lima(now)
    year, month = (lima.year, lima.month - 1) if lima.month > 1 else (lima.year - 1, 12)
    return datetime(year, month, 1, tzinfo=LIMA).astimezone(UTC)


def for_telecenter(session: Session, telecenter: Telecenter, now: datetime) -> list[NetworkEvent]:
    """The events this telecenter is sent: those for it that end on or after window_start."""
    chosen = sa.select(NETWORK_EVENT_TELECENTERS.c.event_id).where(
        NETWORK_EVENT_TELECENTERS.c.telecenter_id == telecenter.id
    )
    return list(
        session.scalars(
            sa.select(NetworkEvent)
            .where(
                NetworkEvent.ends_at >= window_start(now),
                sa.or_(
                    NetworkEvent.audience == "all",
                    sa.and_(
                        NetworkEvent.audience == "region", NetworkEvent.region == telecenter.region
                    ),
                    sa.and_(NetworkEvent.audience == "chosen", NetworkEvent.id.in_(chosen)),
                ),
            )
            .order_by(NetworkEvent.starts_at, NetworkEvent.id)
        )
    )


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def as_settings(event: NetworkEvent) -> dict:
    """One event as sites receive it (every key always present)."""
    return {
        "id": event.public_id,
        "revision": event.revision,
        "state": event.state,
        "title": event.title,
        "topic": event.topic,
        "category": event.category,
        "commodity": event.commodity,
        "purpose": event.purpose,
        "presenter": event.presenter,
        "organisation": event.organisation,
        "platform": event.platform,
        "joining_details": event.joining_details,
        "starts_at": _utc(event.starts_at),
        "ends_at": _utc(event.ends_at),
        "notes": event.notes,
        "cancel_reason": event.cancel_reason,
    }


def number_of(public_id: str) -> int | None:
    """The row id in "NE-12", or None for anything that is not such an id."""
    if not month_report.is_network_event(public_id):
        return None
    return int(public_id.removeprefix(PUBLIC_ID_PREFIX))
