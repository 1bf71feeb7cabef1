"""Scheduling rules: sessions, recurring series, conflicts, cancellation."""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session, selectinload

from telecenter.attendance.models import ActivitySession, Series
from telecenter.clock import LIMA, to_lima, utcnow
from telecenter.courses import completion
from telecenter.courses.crops import crop_problem
from telecenter.courses.models import Course
from telecenter.domain_errors import DomainError
from telecenter.participants.models import Group
from telecenter.vocabulary import ACTIVITIES, CATEGORIES, PURPOSES

log = logging.getLogger(__name__)

MAX_PAST = timedelta(days=366)
MAX_FUTURE = timedelta(days=2 * 366)
MAX_LENGTH = timedelta(hours=12)
MAX_OCCURRENCES = 200
MAX_NOTES = 1000


class SchedulingError(DomainError):
    """Input that cannot be scheduled; `errors` maps fields to messages."""


class FixedByCentral(SchedulingError):
    """A change to what central set of a network teleconference: refused, nothing saved."""

    def __init__(self) -> None:
        super().__init__(fixed_message())


def fixed_message() -> str:
    return _(
        "La oficina central fija el título, el tema, la fecha y la hora, el expositor y la "
        "plataforma de las teleconferencias de la red. Aquí solo se eligen el ambiente, el "
        "capacitador y las notas del telecentro. No se guardó ningún cambio."
    )


def _not_network(activity: ActivitySession) -> None:
    """The ordinary edit and cancel are not for network sessions (network_sessions.py)."""
    if activity.network_event is not None:
        raise FixedByCentral()


@dataclass
class SessionData:
    """A session as entered: local (America/Lima) date and times."""

    kind: str
    title: str
    day: date
    start: time
    end: time
    topic: str = ""
    course_id: int | None = None
    category: str | None = None
    group_id: int | None = None
    room: str = ""
    trainer_id: int | None = None
    capacity: int | None = None
    presenter: str = ""
    organisation: str = ""
    platform: str = ""
    joining_details: str = ""
    checkin_before_minutes: int = 30
    checkin_after_minutes: int = 30
    #: Training (counts as training) or a talk (counts as participation only).
    purpose: str = "training"
    #: The crop of an agriculture session; None: the course's crop, when there is a course.
    commodity: str | None = None
    local_notes: str = ""

    def starts_at(self) -> datetime:
        return datetime.combine(self.day, self.start, tzinfo=LIMA).astimezone(UTC)

    def ends_at(self) -> datetime:
        return datetime.combine(self.day, self.end, tzinfo=LIMA).astimezone(UTC)


@dataclass
class Recurrence:
    weekdays: list[int] = field(default_factory=list)
    every_weeks: int = 1
    until: date | None = None


@dataclass(frozen=True)
class Topic:
    """What a session is about, as stored: its category and crop (the course's when linked)."""

    category: str
    commodity: str | None


def _validate(session: Session, data: SessionData) -> Topic:
    """Check the fields; return the category and crop to store."""
    errors = _time_errors(data)
    if data.kind not in ACTIVITIES:
        errors["kind"] = _("Elija el tipo de actividad.")
    if data.purpose not in PURPOSES:
        errors["purpose"] = _("Elija si es una capacitación o una charla.")
    if not data.title.strip():
        errors["title"] = _("Escriba un título.")
    if len(data.local_notes.strip()) > MAX_NOTES:
        errors["local_notes"] = _("Las notas pueden tener hasta 1000 caracteres.")
    if data.capacity is not None and data.capacity < 1:
        errors["capacity"] = _("La capacidad debe ser 1 o más (o déjela vacía: sin límite).")
    if data.group_id is not None and session.get(Group, data.group_id) is None:
        errors["group_id"] = _("Grupo desconocido.")
    topic = _topic(session, data, errors)
    if errors or topic is None:
        raise SchedulingError(errors)
    return topic


def _topic(session: Session, data: SessionData, errors: dict[str, str]) -> Topic | None:
    """The course's category (and crop, unless one was chosen), else the chosen ones; None,
    with the reason in `errors`, when there is no category to store."""
    category, commodity = data.category, data.commodity
    if data.course_id is not None:
        course = session.get(Course, data.course_id)
        if course is None:
            errors["course_id"] = _("Curso desconocido.")
        else:
            category, commodity = course.category, commodity or course.commodity
    if category not in CATEGORIES:
        errors["category"] = _("Elija la categoría (o un curso).")
        return None
    if problem := crop_problem(category, commodity):
        errors["commodity"] = problem
    return Topic(category, commodity)


def _time_errors(data: SessionData) -> dict[str, str]:
    errors = {}
    now = utcnow()
    starts, ends = data.starts_at(), data.ends_at()
    if ends <= starts:
        errors["end"] = _("La hora de fin debe ser después de la hora de inicio.")
    elif ends - starts > MAX_LENGTH:
        errors["end"] = _("Una sesión no puede durar más de 12 horas.")
    if starts < now - MAX_PAST or starts > now + MAX_FUTURE:
        errors["day"] = _("La fecha está demasiado lejos (máximo un año atrás y dos adelante).")
    return errors


def find_conflict(
    session: Session,
    *,
    starts: datetime,
    ends: datetime,
    room: str,
    trainer_id: int | None,
    exclude_ids: Collection[int] = frozenset(),
):
    """Another live session overlapping in time that uses the same room or trainer."""
    clash = [ActivitySession.trainer_id == trainer_id] if trainer_id else []
    if room.strip():
        clash.append(sa.func.lower(ActivitySession.room) == room.strip().lower())
    if not clash:
        return None
    query = sa.select(ActivitySession).where(
        ActivitySession.state != "cancelled",
        ActivitySession.starts_at < ends,
        ActivitySession.ends_at > starts,
        sa.or_(*clash),
    )
    if exclude_ids:
        query = query.where(ActivitySession.id.not_in(exclude_ids))
    return session.scalars(query.order_by(ActivitySession.starts_at).limit(1)).first()


def conflict_error(other: ActivitySession, room: str) -> SchedulingError:
    local = to_lima(other.starts_at)
    what = (
        _("el ambiente")
        if room.strip() and other.room.strip().lower() == room.strip().lower()
        else _("el capacitador")
    )
    return SchedulingError(
        {
            "start": _(
                "Choque de horario: %(what)s ya está ocupado por «%(title)s» "
                "el %(day)s a las %(hour)s.",
                what=what,
                title=other.title,
                day=local.strftime("%d/%m/%Y"),
                hour=local.strftime("%H:%M"),
            )
        }
    )


def _apply(target: ActivitySession, data: SessionData, topic: Topic) -> None:
    for name in (
        "kind",
        "purpose",
        "title",
        "topic",
        "course_id",
        "group_id",
        "room",
        "trainer_id",
        "capacity",
        "presenter",
        "organisation",
        "platform",
        "joining_details",
        "checkin_before_minutes",
        "checkin_after_minutes",
        "local_notes",
    ):
        value = getattr(data, name)
        setattr(target, name, value.strip() if isinstance(value, str) else value)
    target.category, target.commodity = topic.category, topic.commodity
    target.starts_at, target.ends_at = data.starts_at(), data.ends_at()


def occurrences(data: SessionData, recurrence: Recurrence) -> list[date]:
    """The days of a series, from data.day until the end date, on the chosen weekdays."""
    if recurrence.until is None or not recurrence.weekdays:
        return [data.day]
    first_monday = data.day - timedelta(days=data.day.weekday())
    days: list[date] = []
    current = data.day
    while current <= recurrence.until and len(days) <= MAX_OCCURRENCES:
        week = (current - first_monday).days // 7
        if current.weekday() in recurrence.weekdays and week % recurrence.every_weeks == 0:
            days.append(current)
        current += timedelta(days=1)
    return days


def create(
    session: Session,
    data: SessionData,
    recurrence: Recurrence | None = None,
) -> list[ActivitySession]:
    """Create one session or a whole series; a conflict in any occurrence creates none."""
    recurrence = recurrence or Recurrence()
    topic = _validate(session, data)
    days = occurrences(data, recurrence)
    if recurrence.until is not None and (
        recurrence.until < data.day or not 1 <= recurrence.every_weeks <= 8
    ):
        raise SchedulingError(
            {
                "until": _(
                    "Revise la repetición: la fecha final debe ser "
                    "después del primer día, cada 1 a 8 semanas."
                )
            }
        )
    if len(days) > MAX_OCCURRENCES:
        raise SchedulingError(
            {"until": _("Una serie puede tener hasta %(n)d sesiones.", n=MAX_OCCURRENCES)}
        )
    series = None
    if len(days) > 1:
        series = Series(
            weekdays=",".join(map(str, sorted(set(recurrence.weekdays)))),
            every_weeks=recurrence.every_weeks,
            until=recurrence.until,
        )
        session.add(series)
    created = []
    for day in days:
        occurrence = replace(data, day=day)
        other = find_conflict(
            session,
            starts=occurrence.starts_at(),
            ends=occurrence.ends_at(),
            room=data.room,
            trainer_id=data.trainer_id,
        )
        if other is not None:
            raise conflict_error(other, data.room)
        activity = ActivitySession(series=series)
        _apply(activity, occurrence, topic)
        session.add(activity)
        session.flush()
        created.append(activity)
    log.info("scheduled %d session(s) of kind %s", len(created), data.kind)
    _recompute_courses(session, {data.course_id})
    return created


def following_in_series(session: Session, activity: ActivitySession) -> list[ActivitySession]:
    """This occurrence and the later ones of its series (just this one when not a series)."""
    if activity.series_id is None:
        return [activity]
    return list(
        session.scalars(
            sa.select(ActivitySession)
            .where(
                ActivitySession.series_id == activity.series_id,
                ActivitySession.starts_at >= activity.starts_at,
            )
            .order_by(ActivitySession.starts_at)
        )
    )


def update(
    session: Session, activity: ActivitySession, data: SessionData, *, scope: str = "one"
) -> list[ActivitySession]:
    """Edit one occurrence, or it and the rest of its series (keeping each one's own day)."""
    _not_network(activity)
    topic = _validate(session, data)
    targets = following_in_series(session, activity) if scope == "following" else [activity]
    ids = {t.id for t in targets}
    courses = {t.course_id for t in targets} | {data.course_id}
    shift = data.day - to_lima(activity.starts_at).date()
    for target in targets:
        day = to_lima(target.starts_at).date() + shift if target is not activity else data.day
        occurrence = replace(data, day=day)
        other = find_conflict(
            session,
            starts=occurrence.starts_at(),
            ends=occurrence.ends_at(),
            room=data.room,
            trainer_id=data.trainer_id,
            exclude_ids=ids,
        )
        if other is not None:
            raise conflict_error(other, data.room)
        _apply(target, occurrence, topic)
    session.flush()
    _recompute_courses(session, courses)
    return targets


def cancel(
    session: Session, activity: ActivitySession, *, reason: str, scope: str = "one"
) -> list[ActivitySession]:
    _not_network(activity)
    if not reason.strip():
        raise SchedulingError({"reason": _("Escriba el motivo de la cancelación.")})
    targets = following_in_series(session, activity) if scope == "following" else [activity]
    for target in targets:
        if target.state == "held":
            raise SchedulingError(
                {
                    "reason": _(
                        "No se puede cancelar una sesión que ya se realizó (%(day)s).",
                        day=to_lima(target.starts_at).strftime("%d/%m/%Y"),
                    )
                }
            )
        target.state, target.cancel_reason = "cancelled", reason.strip()[:300]
    session.flush()
    _recompute_courses(session, {t.course_id for t in targets})
    return targets


def _recompute_courses(session: Session, course_ids: set[int | None]) -> None:
    """A session added, moved or cancelled changes what a classroom course's share counts."""
    for course_id in course_ids - {None}:
        course = session.get(Course, course_id)
        if course is not None:
            completion.recompute(session, course)


def upcoming(session: Session, *, since: datetime, until: datetime) -> list[ActivitySession]:
    """The sessions starting in [since, until), with the course and places that lists show."""
    return list(
        session.scalars(
            sa.select(ActivitySession)
            .where(ActivitySession.starts_at >= since, ActivitySession.starts_at < until)
            .order_by(ActivitySession.starts_at)
            .options(
                selectinload(ActivitySession.course), selectinload(ActivitySession.taken_places)
            )
        )
    )
