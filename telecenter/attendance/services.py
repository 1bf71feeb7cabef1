"""Registration, waiting lists, rosters, walk-ins and corrections with their trail."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from telecenter.attendance.models import (
    ActivitySession,
    Attendance,
    AttendanceCorrection,
    Registration,
)
from telecenter.auth.models import User
from telecenter.clock import utcnow
from telecenter.courses import completion
from telecenter.domain_errors import DomainError
from telecenter.participants.models import Participant
from telecenter.vocabulary import ATTENDANCE_STATUSES, COUNTED_STATUSES

log = logging.getLogger(__name__)


class AttendanceError(DomainError):
    """A registration or attendance change that cannot be made; the message says why."""


def _live(item: ActivitySession) -> None:
    if item.state == "cancelled":
        raise AttendanceError(_("Esta sesión fue cancelada."))


def registrations(session: Session, item: ActivitySession, status: str = "registered"):
    return list(
        session.scalars(
            sa.select(Registration)
            .where(Registration.session_id == item.id, Registration.status == status)
            .order_by(Registration.registered_at, Registration.id)
        )
    )


def _registration(session, item, participant) -> Registration | None:
    return session.scalar(
        sa.select(Registration).where(
            Registration.session_id == item.id, Registration.participant_id == participant.id
        )
    )


def register(
    session: Session,
    item: ActivitySession,
    participant: Participant,
    *,
    over_capacity: bool = False,
) -> Registration:
    """Take a place, or a place on the waiting list when the session is full."""
    _live(item)
    if participant.erased_at:
        raise AttendanceError(_("Los datos de esta persona fueron borrados."))
    existing = _registration(session, item, participant)
    if existing is not None and existing.status != "cancelled":
        return existing
    full = item.capacity is not None and len(registrations(session, item)) >= item.capacity
    status = "waitlisted" if full and not over_capacity else "registered"
    if existing is not None:
        existing.status, existing.registered_at = status, utcnow()
        session.flush()
        return existing
    registration = Registration(session_id=item.id, participant_id=participant.id, status=status)
    try:
        with session.begin_nested():
            session.add(registration)
    except IntegrityError:  # registered at the same moment by another request
        existing = _registration(session, item, participant)
        if existing is None:  # then the conflict was another one
            raise
        return existing
    return registration


def unregister(session: Session, item: ActivitySession, participant: Participant) -> None:
    """Give up a place; the first person waiting takes it."""
    existing = _registration(session, item, participant)
    if existing is None or existing.status == "cancelled":
        return
    freed = existing.status == "registered"
    existing.status = "cancelled"
    session.flush()
    waiting = registrations(session, item, "waitlisted")
    if freed and waiting:
        waiting[0].status = "registered"
        session.flush()


def attendance_of(session: Session, item: ActivitySession) -> dict[int, Attendance]:
    return {
        a.participant_id: a
        for a in session.scalars(sa.select(Attendance).where(Attendance.session_id == item.id))
    }


def roster(session: Session, item: ActivitySession) -> list[tuple[Participant, Attendance | None]]:
    """Everyone registered or already recorded, by surname, with their attendance."""
    recorded = attendance_of(session, item)
    ids = {r.participant_id for r in registrations(session, item)} | set(recorded)
    people = session.scalars(sa.select(Participant).where(Participant.id.in_(ids))).all()
    people = sorted(people, key=lambda p: ((p.surnames or "").lower(), p.given_names or ""))
    return [(person, recorded.get(person.id)) for person in people]


def _ended(item: ActivitySession) -> bool:
    return item.ends_at < utcnow()


def set_status(
    session: Session,
    item: ActivitySession,
    participant: Participant,
    status: str,
    *,
    actor: User | None,
    source: str = "roster",
    reason: str = "",
) -> Attendance:
    """Record or change one person's attendance. Changes keep a trail; once the session has
    ended a change is a correction and needs a reason."""
    _live(item)
    if status not in ATTENDANCE_STATUSES:
        raise AttendanceError(_("Estado de asistencia desconocido."))
    record = session.scalar(
        sa.select(Attendance).where(
            Attendance.session_id == item.id, Attendance.participant_id == participant.id
        )
    )
    if record is None:
        record = Attendance(
            session_id=item.id,
            participant_id=participant.id,
            status=status,
            source=source,
            recorded_by_id=actor.id if actor else None,
        )
        session.add(record)
        session.flush()
    elif record.status != status:
        if _ended(item) and not reason.strip():
            raise AttendanceError(_("La sesión ya terminó: escriba el motivo de la corrección."))
        session.add(
            AttendanceCorrection(
                attendance_id=record.id,
                old_status=record.status,
                new_status=status,
                reason=reason.strip()[:300],
                changed_by_id=actor.id if actor else None,
            )
        )
        record.status = status
        session.flush()
    if item.state == "scheduled":
        item.state = "held"
    feed_course_completion(session, item, participant)
    return record


def save_roster(
    session: Session,
    item: ActivitySession,
    statuses: dict[int, str],
    *,
    actor: User | None,
    reason: str = "",
) -> int:
    """Apply a whole roster at once; sending the same roster twice changes nothing more."""
    _live(item)
    people = {
        p.id: p for p in session.scalars(sa.select(Participant).where(Participant.id.in_(statuses)))
    }
    unknown = set(statuses) - set(people)
    if unknown or any(s not in ATTENDANCE_STATUSES for s in statuses.values()):
        raise AttendanceError(_("La lista tiene personas o estados que no corresponden."))
    on_roster = {p.id for p, _a in roster(session, item)}
    if set(statuses) - on_roster:
        raise AttendanceError(_("La lista tiene personas que no están en esta sesión."))
    for participant_id, status in statuses.items():
        set_status(session, item, people[participant_id], status, actor=actor, reason=reason)
    return len(statuses)


def add_walk_in(
    session: Session,
    item: ActivitySession,
    participant: Participant,
    *,
    actor: User | None,
    status: str = "present",
) -> Attendance:
    """Someone who came without registering: on the roster, and present."""
    register(session, item, participant, over_capacity=True)
    return set_status(session, item, participant, status, actor=actor, source="walk_in")


def set_unregistered_viewers(session: Session, item: ActivitySession, count: int) -> None:
    if item.kind != "teleconference":
        raise AttendanceError(_("Solo las teleconferencias cuentan espectadores sin registro."))
    if not 0 <= count <= 1000:
        raise AttendanceError(_("Escriba un número de 0 a 1000."))
    item.unregistered_viewers = count
    session.flush()


def corrections(session: Session, item: ActivitySession) -> list[AttendanceCorrection]:
    return list(
        session.scalars(
            sa.select(AttendanceCorrection)
            .join(Attendance, Attendance.id == AttendanceCorrection.attendance_id)
            .where(Attendance.session_id == item.id)
            .order_by(AttendanceCorrection.changed_at)
        )
    )


def feed_course_completion(
    session: Session, item: ActivitySession, participant: Participant
) -> None:
    """Classroom courses are completed by attendance: tell the courses hook the new share."""
    if item.course_id is None or item.course is None:
        return
    held = session.scalars(
        sa.select(sa.func.count(ActivitySession.id)).where(
            ActivitySession.course_id == item.course_id, ActivitySession.state == "held"
        )
    ).one()
    attended = session.scalars(
        sa.select(sa.func.count(Attendance.id))
        .join(ActivitySession, ActivitySession.id == Attendance.session_id)
        .where(
            ActivitySession.course_id == item.course_id,
            ActivitySession.state == "held",
            Attendance.participant_id == participant.id,
            Attendance.status.in_(COUNTED_STATUSES),
        )
    ).one()
    completion.record_attendance(session, item.course, participant, attended=attended, held=held)
