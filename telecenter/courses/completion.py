"""Classroom courses are completed by attendance; this module alone decides when.

The rule: a learner completes a classroom course when she has attended (present or late) the
course's share (`attendance_share`, in percent) of its sessions, where the sessions that count
are the course's sessions that are not cancelled, past and planned alike. Counting planned
sessions is what keeps the first class from completing everyone: after it a learner has 1 of
17, not 1 of 1. The completion is dated at the start of the session where the share was
reached, so the month, the age band and the programme status are those of that class, not of
the day the attendance was typed in.

It is recomputed from the data whenever the inputs change (an attendance, a correction, a
session scheduled, moved or cancelled, the course's rule edited): a completion can move to
another session or be undone. The certificate code stays with the enrolment, so a completion
that comes back shows the same code.

The attendance capability knows the sessions and who attended; it hands them over through
`use_attendance_source` (courses must not import attendance: the layers go downward).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from telecenter.courses.learning import new_certificate_code
from telecenter.courses.models import Course, Enrolment

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ClassroomRecord:
    """What attendance knows about a course's sessions."""

    #: When each non-cancelled session of the course starts (UTC).
    sessions: list[datetime]
    #: participant id -> when each session she attended (present or late) starts.
    attended: dict[int, list[datetime]] = field(default_factory=dict)


AttendanceSource = Callable[[Session, Course, Collection[int] | None], ClassroomRecord]
_source: list[AttendanceSource] = []


def use_attendance_source(source: AttendanceSource) -> None:
    """Called once by the attendance capability when it is loaded."""
    _source[:] = [source]


def classroom_record(
    session: Session, course: Course, participant_ids: Collection[int] | None = None
) -> ClassroomRecord | None:
    """What attendance knows of the course's sessions (None until a site app connected it)."""
    return _source[0](session, course, participant_ids) if _source else None


def sessions_needed(share: int, sessions: int) -> int:
    """The fewest sessions attended that reach `share` percent of `sessions` (0: none exist)."""
    return -(-share * sessions // 100)


def reached_at(course: Course, record: ClassroomRecord, participant_id: int) -> datetime | None:
    """The start of the session at which the learner reached the share, or None."""
    needed = sessions_needed(course.attendance_share, len(record.sessions))
    attended = sorted(record.attended.get(participant_id, ()))
    if needed == 0 or len(attended) < needed:
        return None
    return attended[needed - 1]


def recompute(
    session: Session, course: Course, participant_ids: Collection[int] | None = None
) -> None:
    """Apply the rule to the course's learners (or only to these): complete, move or undo.

    Learners who attended without having enrolled are enrolled by the attendance itself.
    Completions by lessons (a course switched from self-paced) are never touched.
    """
    record = classroom_record(session, course, participant_ids)
    if course.completion_mode != "classroom" or record is None:
        return
    enrolments = {
        e.participant_id: e
        for e in session.scalars(
            sa.select(Enrolment).where(
                Enrolment.course_id == course.id,
                *(
                    ()
                    if participant_ids is None
                    else (Enrolment.participant_id.in_(participant_ids),)
                ),
            )
        )
    }
    for participant_id in record.attended.keys() - enrolments.keys():
        enrolment = Enrolment(course_id=course.id, participant_id=participant_id)
        session.add(enrolment)
        enrolments[participant_id] = enrolment
    for participant_id, enrolment in enrolments.items():
        if enrolment.completed_by != "lessons":
            _apply(session, enrolment, reached_at(course, record, participant_id))
    session.flush()


def _apply(session: Session, enrolment: Enrolment, reached: datetime | None) -> None:
    if reached is None:
        if enrolment.completed_at is not None:
            log.info("course %s completion undone (attendance changed)", enrolment.course_id)
        enrolment.completed_at = enrolment.completed_by = None
        return
    enrolment.completed_at, enrolment.completed_by = reached, "attendance"
    if enrolment.certificate_code is None:
        enrolment.certificate_code = new_certificate_code(session)
