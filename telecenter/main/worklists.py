"""What a trainer should act on this week, for the staff home page.

Each list answers one question the paper notebook used to: which classes are today, who has
stopped coming, whose registration is half done. They are read-only and cheap (a few queries
each), since the home page is opened many times a day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from telecenter.attendance.models import ActivitySession, Attendance
from telecenter.clock import LIMA, utcnow
from telecenter.courses.models import Course, Enrolment
from telecenter.participants import groups
from telecenter.participants.models import Participant
from telecenter.vocabulary import COUNTED_STATUSES

#: How many names a list shows on the home page; the count says how many there are in all.
SHOWN = 10
#: A course or group whose last class is older than this has stopped meeting: who missed its
#: last two classes is history then, not someone to call.
STOPPED_AFTER = timedelta(days=21)


@dataclass(frozen=True)
class Absentee:
    participant: Participant
    course: Course
    #: The two sessions she missed, older first.
    missed: tuple[ActivitySession, ActivitySession]


@dataclass(frozen=True)
class Partial:
    """A list cut to SHOWN names, with how many there are in all."""

    items: list
    total: int


def todays_sessions(session: Session, today: date) -> list[ActivitySession]:
    """Every session of the day in Lima, cancelled ones included (so nobody waits for them)."""
    start = datetime.combine(today, time(), tzinfo=LIMA).astimezone(UTC)
    return list(
        session.scalars(
            sa.select(ActivitySession)
            .where(
                ActivitySession.starts_at >= start,
                ActivitySession.starts_at < start + timedelta(days=1),
            )
            .order_by(ActivitySession.starts_at)
        )
    )


def missed_last_two(session: Session) -> Partial:
    """Learners of a course who attended neither of its last two held sessions; a course
    taught to groups (cohorts) is looked at group by group, with the group's members.

    Only sessions whose attendance was taken (held) count, so a class nobody has typed in yet
    does not make everyone look absent; learners who already completed the course are left out,
    and so are courses and groups that stopped meeting (STOPPED_AFTER).
    """
    found: list[Absentee] = []
    recent = utcnow() - STOPPED_AFTER
    lines = session.execute(
        sa.select(Course, ActivitySession.group_id)
        .join(ActivitySession, ActivitySession.course_id == Course.id)
        .where(ActivitySession.state == "held")
        .distinct()
        .order_by(Course.title, ActivitySession.group_id)
    ).all()
    for course, group_id in lines:
        last_two = session.scalars(
            sa.select(ActivitySession)
            .where(
                ActivitySession.course_id == course.id,
                ActivitySession.state == "held",
                ActivitySession.group_id.is_(None)
                if group_id is None
                else ActivitySession.group_id == group_id,
            )
            .order_by(ActivitySession.starts_at.desc())
            .limit(2)
        ).all()
        if len(last_two) < 2 or last_two[0].starts_at < recent:
            continue
        older, newer = last_two[1], last_two[0]
        came = sa.select(Attendance.participant_id).where(
            Attendance.session_id.in_([older.id, newer.id]),
            Attendance.status.in_(COUNTED_STATUSES),
        )
        came_before = (
            sa.select(Attendance.participant_id)
            .join(ActivitySession, ActivitySession.id == Attendance.session_id)
            .where(
                ActivitySession.course_id == course.id,
                ActivitySession.starts_at < older.starts_at,
                Attendance.status.in_(COUNTED_STATUSES),
            )
        )
        query = (
            sa.select(Participant)
            .join(Enrolment, Enrolment.participant_id == Participant.id)
            .where(
                Enrolment.course_id == course.id,
                Enrolment.completed_at.is_(None),
                # Expected at both: enrolled before them, or already coming to earlier classes.
                sa.or_(Enrolment.enrolled_at < older.starts_at, Participant.id.in_(came_before)),
                Participant.erased_at.is_(None),
                Participant.id.not_in(came),
            )
            .order_by(Participant.surnames, Participant.given_names)
        )
        if group_id is not None:
            query = query.where(Participant.id.in_(groups.member_ids(session, group_id)))
        found.extend(Absentee(person, course, (older, newer)) for person in session.scalars(query))
    return Partial(found[:SHOWN], len(found))


def incomplete_registrations(session: Session) -> Partial:
    """Quick registrations still to complete, oldest first."""
    query = sa.select(Participant).where(
        Participant.is_complete.is_(False), Participant.erased_at.is_(None)
    )
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    shown = session.scalars(query.order_by(Participant.registered_at).limit(SHOWN)).all()
    return Partial(list(shown), total)
