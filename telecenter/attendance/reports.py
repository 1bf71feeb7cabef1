"""Attendance reports: per session, per course, per participant, and a file of the records
between two days for a spreadsheet, in words (not codes)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from telecenter.attendance.calendar import local_bounds
from telecenter.attendance.models import ActivitySession, Attendance, Registration
from telecenter.clock import to_lima
from telecenter.courses.models import Course
from telecenter.domain_errors import DomainError
from telecenter.labels import label
from telecenter.participants.models import Participant
from telecenter.spreadsheets import csv_text
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


class ReversedRange(DomainError):
    """'Desde' is after 'Hasta': no day lies between them."""


class NothingRecorded(DomainError):
    """No attendance on the chosen days: a file of headings alone would look broken."""

    status = 404


#: The columns of the attendance file, in the page's language when it is written.
ATTENDANCE_COLUMNS = (
    _l("Fecha"),
    _l("Hora de inicio"),
    _l("Sesión"),
    _l("Curso"),
    _l("Categoría"),
    _l("Tipo de actividad"),
    _l("Nombre"),
    _l("Código"),
    _l("Sexo"),
    _l("Edad el día de la sesión"),
    _l("Asistencia"),
    _l("Cómo se registró"),
)


def attendance_csv(
    session: Session, *, since: date | None = None, until: date | None = None
) -> str:
    """Every attendance record of the sessions held from `since` to `until` (days in Lima,
    both included; either may be left open), in words for people, for a spreadsheet."""
    if since and until and since > until:
        raise ReversedRange(
            {"hasta": _("«Hasta» tiene que ser el mismo día que «Desde» o uno después.")}
        )
    query = (
        sa.select(ActivitySession, Attendance, Participant, Course)
        .join(Attendance, Attendance.session_id == ActivitySession.id)
        .join(Participant, Participant.id == Attendance.participant_id)
        .outerjoin(Course, Course.id == ActivitySession.course_id)
        .order_by(ActivitySession.starts_at, Participant.surnames, Participant.given_names)
    )
    if since:
        query = query.where(ActivitySession.starts_at >= local_bounds(since, since)[0])
    if until:
        query = query.where(ActivitySession.starts_at < local_bounds(until, until)[1])
    rows = [_attendance_row(*row) for row in session.execute(query)]
    if not rows:
        raise NothingRecorded(_("No hay asistencia registrada en esos días. Elija otras fechas."))
    return csv_text(ATTENDANCE_COLUMNS, rows)


def _attendance_row(
    activity: ActivitySession, record: Attendance, person: Participant, course: Course | None
) -> list:
    local = to_lima(activity.starts_at)
    return [
        local.date(),
        local.strftime("%H:%M"),
        activity.title,
        course.title if course else None,
        label("category", activity.category),
        label("activity", activity.kind),
        person.full_name,
        person.code,
        label("sex", person.sex),
        label("age_band", person.age_band_on(local.date())),
        label("status", record.status),
        label("attendance_source", record.source),
    ]


def attendance_filename(since: date | None, until: date | None, *, today: date) -> str:
    """The file's name says which days it holds."""
    if since and until:
        return f"asistencia-{since}-a-{until}.csv"
    if since:
        return f"asistencia-desde-{since}.csv"
    if until:
        return f"asistencia-hasta-{until}.csv"
    return f"asistencia-completa-{today}.csv"
