"""Attendance reports: per session, per course, per participant, and a CSV of records."""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from telecenter.attendance.models import ActivitySession, Attendance, Registration
from telecenter.clock import to_lima
from telecenter.courses.models import Course
from telecenter.participants.models import Participant
from telecenter.vocabulary import COUNTED_STATUSES


@dataclass(frozen=True)
class SessionSummary:
    activity: ActivitySession
    registered: int
    statuses: Counter

    @property
    def attended(self) -> int:
        return sum(self.statuses[s] for s in COUNTED_STATUSES)

    @property
    def rate(self) -> int | None:
        """Attended as a share of those expected (registered, or recorded when more)."""
        expected = max(self.registered, sum(self.statuses.values()))
        return round(100 * self.attended / expected) if expected else None


def summaries(session: Session, activities: list[ActivitySession]) -> list[SessionSummary]:
    ids = [activity.id for activity in activities]
    statuses: dict[int, Counter] = {i: Counter() for i in ids}
    for session_id, status, count in session.execute(
        sa.select(Attendance.session_id, Attendance.status, sa.func.count())
        .where(Attendance.session_id.in_(ids))
        .group_by(Attendance.session_id, Attendance.status)
    ):
        statuses[session_id][status] = count
    registered = dict(
        session.execute(
            sa.select(Registration.session_id, sa.func.count())
            .where(Registration.session_id.in_(ids), Registration.status == "registered")
            .group_by(Registration.session_id)
        )
        .tuples()
        .all()
    )
    return [
        SessionSummary(activity, registered.get(activity.id, 0), statuses[activity.id])
        for activity in activities
    ]


def recent_sessions(session: Session, *, limit: int = 100) -> list[ActivitySession]:
    return list(
        session.scalars(
            sa.select(ActivitySession)
            .where(ActivitySession.state == "held")
            .order_by(ActivitySession.starts_at.desc())
            .limit(limit)
        )
    )


@dataclass(frozen=True)
class CourseRow:
    course: Course
    held: int
    attendances: int
    people: int


def by_course(session: Session) -> list[CourseRow]:
    rows = session.execute(
        sa.select(
            Course,
            sa.func.count(sa.distinct(ActivitySession.id)),
            sa.func.count(Attendance.id),
            sa.func.count(sa.distinct(Attendance.participant_id)),
        )
        .join(ActivitySession, ActivitySession.course_id == Course.id)
        .outerjoin(
            Attendance,
            sa.and_(
                Attendance.session_id == ActivitySession.id, Attendance.status.in_(COUNTED_STATUSES)
            ),
        )
        .where(ActivitySession.state == "held")
        .group_by(Course.id)
        .order_by(Course.title)
    ).all()
    return [CourseRow(*row) for row in rows]


def participant_history(session: Session, participant: Participant):
    return session.execute(
        sa.select(ActivitySession, Attendance)
        .join(Attendance, Attendance.session_id == ActivitySession.id)
        .where(Attendance.participant_id == participant.id)
        .order_by(ActivitySession.starts_at.desc())
    ).all()


CSV_HEADER = (
    "fecha",
    "hora",
    "actividad",
    "categoria",
    "titulo",
    "codigo_participante",
    "participante",
    "asistencia",
    "origen",
)


def attendance_csv(session: Session) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    rows = session.execute(
        sa.select(ActivitySession, Attendance, Participant)
        .join(Attendance, Attendance.session_id == ActivitySession.id)
        .join(Participant, Participant.id == Attendance.participant_id)
        .order_by(ActivitySession.starts_at, Participant.surnames)
    )
    for activity, record, person in rows:
        local = to_lima(activity.starts_at)
        writer.writerow(
            [
                local.date().isoformat(),
                local.strftime("%H:%M"),
                activity.kind,
                activity.category,
                _safe(activity.title),
                person.code,
                _safe(person.full_name),
                record.status,
                record.source,
            ]
        )
    return buffer.getvalue()


def _safe(value: str) -> str:
    return "'" + value if value.startswith(("=", "+", "-", "@")) else value
