"""Registration, waiting lists, rosters (who is expected, who came), walk-ins, corrections."""

from __future__ import annotations

import logging
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from telecenter.attendance import phase
from telecenter.attendance.models import (
    ActivitySession,
    Attendance,
    AttendanceCorrection,
    Registration,
)
from telecenter.auth.models import User
from telecenter.clock import utcnow
from telecenter.courses import completion
from telecenter.courses.models import Enrolment
from telecenter.domain_errors import DomainError
from telecenter.participants import groups
from telecenter.participants.models import Participant
from telecenter.vocabulary import ATTENDANCE_STATUSES

log = logging.getLogger(__name__)


class AttendanceError(DomainError):
    """A registration or attendance change that cannot be made; the message says why."""


def _live(activity: ActivitySession) -> None:
    if activity.state == "cancelled":
        raise AttendanceError(_("Esta sesión fue cancelada."))


def registrations(session: Session, activity: ActivitySession, status: str = "registered"):
    return list(
        session.scalars(
            sa.select(Registration)
            .where(Registration.session_id == activity.id, Registration.status == status)
            .order_by(Registration.registered_at, Registration.id)
        )
    )


def _registration(session, activity, participant) -> Registration | None:
    return session.scalar(
        sa.select(Registration).where(
            Registration.session_id == activity.id, Registration.participant_id == participant.id
        )
    )


def register(
    session: Session,
    activity: ActivitySession,
    participant: Participant,
    *,
    over_capacity: bool = False,
) -> Registration:
    """Take a place, or a place on the waiting list when the session is full."""
    _live(activity)
    if participant.erased_at:
        raise AttendanceError(_("Los datos de esta persona fueron borrados."))
    existing = _registration(session, activity, participant)
    if existing is not None and existing.status != "cancelled":
        return existing
    full = (
        activity.capacity is not None and len(registrations(session, activity)) >= activity.capacity
    )
    status = "waitlisted" if full and not over_capacity else "registered"
    if existing is not None:
        existing.status, existing.registered_at = status, utcnow()
        session.flush()
        return existing
    registration = Registration(
        session_id=activity.id, participant_id=participant.id, status=status
    )
    try:
        with session.begin_nested():
            session.add(registration)
    except IntegrityError:  # registered at the same moment by another request
        existing = _registration(session, activity, participant)
        if existing is None:  # then the conflict was another one
            raise
        return existing
    return registration


def unregister(session: Session, activity: ActivitySession, participant: Participant) -> None:
    """Give up a place; the first person waiting takes it."""
    existing = _registration(session, activity, participant)
    if existing is None or existing.status == "cancelled":
        return
    freed = existing.status == "registered"
    existing.status = "cancelled"
    session.flush()
    waiting = registrations(session, activity, "waitlisted")
    if freed and waiting:
        waiting[0].status = "registered"
        session.flush()


def attendance_of(session: Session, activity: ActivitySession) -> dict[int, Attendance]:
    return {
        a.participant_id: a
        for a in session.scalars(sa.select(Attendance).where(Attendance.session_id == activity.id))
    }


def expected_ids(session: Session, activity: ActivitySession) -> set[int]:
    """Who is expected: those registered, and the session's group when it has one (a cohort
    of a course: not every learner the course ever had), else the course's learners (all of
    them: one who reached the classroom share still comes to the term's last classes)."""
    ids = {r.participant_id for r in registrations(session, activity)}
    if activity.group_id is not None:
        ids |= groups.member_ids(session, activity.group_id)
    elif activity.course_id is not None:
        ids |= set(
            session.scalars(
                sa.select(Enrolment.participant_id).where(Enrolment.course_id == activity.course_id)
            )
        )
    return ids


def next_session_for(
    session: Session, participant: Participant, *, now: datetime
) -> ActivitySession | None:
    """The next session she is expected at (as in `expected_ids`), for her home page; one
    under way still counts until it ends."""
    courses = sa.select(Enrolment.course_id).where(Enrolment.participant_id == participant.id)
    registered = sa.select(Registration.session_id).where(
        Registration.participant_id == participant.id, Registration.status == "registered"
    )
    return session.scalar(
        sa.select(ActivitySession)
        .where(
            ActivitySession.ends_at > now,
            ActivitySession.state != "cancelled",
            sa.or_(
                ActivitySession.id.in_(registered),
                sa.and_(ActivitySession.group_id.is_(None), ActivitySession.course_id.in_(courses)),
                ActivitySession.group_id.in_(groups.groups_of(participant.id)),
            ),
        )
        .order_by(ActivitySession.starts_at)
        .limit(1)
    )


def roster(
    session: Session, activity: ActivitySession
) -> list[tuple[Participant, Attendance | None]]:
    """Everyone expected or already recorded, by surname, with their attendance."""
    recorded = attendance_of(session, activity)
    ids = expected_ids(session, activity) | set(recorded)
    people = session.scalars(
        sa.select(Participant).where(
            Participant.id.in_(ids),
            sa.or_(Participant.erased_at.is_(None), Participant.id.in_(recorded)),
        )
    ).all()
    people = sorted(people, key=lambda p: ((p.surnames or "").lower(), p.given_names or ""))
    return [(person, recorded.get(person.id)) for person in people]


def _mark(
    session: Session,
    activity: ActivitySession,
    participant: Participant,
    status: str,
    *,
    actor: User | None,
    source: str,
    reason: str,
    now: datetime,
) -> Attendance:
    """Record or change one mark, by the rules of the session's phase (see phase.py)."""
    _live(activity)
    stage = phase.of(activity, now)
    if stage == phase.BEFORE:
        raise AttendanceError(phase.not_yet_message(activity))
    if status not in ATTENDANCE_STATUSES:
        raise AttendanceError(_("Estado de asistencia desconocido."))
    record = session.scalar(
        sa.select(Attendance).where(
            Attendance.session_id == activity.id, Attendance.participant_id == participant.id
        )
    )
    if record is None:
        record = Attendance(
            session_id=activity.id,
            participant_id=participant.id,
            status=status,
            source=source,
            recorded_by_id=actor.id if actor else None,
        )
        session.add(record)
    elif record.status != status:
        if stage == phase.AFTER:
            _correct(session, record, status, actor=actor, reason=reason)
        record.status, record.source = status, source
        record.recorded_by_id = actor.id if actor else None
    if activity.state == "scheduled":
        activity.state = "held"
    session.flush()
    return record


def _correct(
    session: Session, record: Attendance, status: str, *, actor: User | None, reason: str
) -> None:
    if not reason.strip():
        raise AttendanceError(_("Esta sesión fue otro día: escriba el motivo de la corrección."))
    session.add(
        AttendanceCorrection(
            attendance_id=record.id,
            old_status=record.status,
            new_status=status,
            reason=reason.strip()[:300],
            changed_by_id=actor.id if actor else None,
        )
    )


def set_status(
    session: Session,
    activity: ActivitySession,
    participant: Participant,
    status: str,
    *,
    actor: User | None,
    source: str = "roster",
    reason: str = "",
    now: datetime | None = None,
) -> Attendance:
    """Record or change one person's attendance (see phase.py for what each phase allows)."""
    record = _mark(
        session,
        activity,
        participant,
        status,
        actor=actor,
        source=source,
        reason=reason,
        now=now or utcnow(),
    )
    _recompute_completion(session, activity, [participant.id])
    return record


def save_roster(
    session: Session,
    activity: ActivitySession,
    statuses: dict[int, str],
    *,
    actor: User | None,
    reason: str = "",
    now: datetime | None = None,
) -> int:
    """Apply a whole roster at once; sending the same roster twice changes nothing more."""
    _live(activity)
    people = {
        p.id: p for p in session.scalars(sa.select(Participant).where(Participant.id.in_(statuses)))
    }
    unknown = set(statuses) - set(people)
    if unknown or any(s not in ATTENDANCE_STATUSES for s in statuses.values()):
        raise AttendanceError(_("La lista tiene personas o estados que no corresponden."))
    on_roster = {p.id for p, _a in roster(session, activity)}
    if set(statuses) - on_roster:
        raise AttendanceError(_("La lista tiene personas que no están en esta sesión."))
    for participant_id, status in statuses.items():
        _mark(
            session,
            activity,
            people[participant_id],
            status,
            actor=actor,
            source="roster",
            reason=reason,
            now=now or utcnow(),
        )
    _recompute_completion(session, activity, list(statuses))
    return len(statuses)


def unmarked(session: Session, activity: ActivitySession) -> dict[int, str]:
    """ "All present" for everyone without a mark yet: the exceptions are marked after."""
    return {person.id: "present" for person, record in roster(session, activity) if not record}


def add_to_roster(
    session: Session,
    activity: ActivitySession,
    participant: Participant,
    *,
    actor: User | None,
    status: str = "present",
    now: datetime | None = None,
) -> Attendance | None:
    """Someone found by search: expected before the session, marked (as a walk-in if she was
    not expected) once marking is open."""
    now = now or utcnow()
    expected = participant.id in expected_ids(session, activity)
    register(session, activity, participant, over_capacity=True)
    if phase.of(activity, now) == phase.BEFORE:
        return None
    return set_status(
        session,
        activity,
        participant,
        status,
        actor=actor,
        source="roster" if expected else "walk_in",
        now=now,
    )


def set_unregistered_viewers(session: Session, activity: ActivitySession, count: int) -> None:
    if activity.kind != "teleconference":
        raise AttendanceError(_("Solo las teleconferencias cuentan espectadores sin registro."))
    if not 0 <= count <= 1000:
        raise AttendanceError(_("Escriba un número de 0 a 1000."))
    activity.unregistered_viewers = count
    session.flush()


def corrections(session: Session, activity: ActivitySession) -> list[AttendanceCorrection]:
    return list(
        session.scalars(
            sa.select(AttendanceCorrection)
            .join(Attendance, Attendance.id == AttendanceCorrection.attendance_id)
            .where(Attendance.session_id == activity.id)
            .order_by(AttendanceCorrection.changed_at)
        )
    )


def _recompute_completion(
    session: Session, activity: ActivitySession, participant_ids: list[int]
) -> None:
    if activity.course is not None:
        completion.recompute(session, activity.course, participant_ids)
