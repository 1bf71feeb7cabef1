"""The completion hook for classroom courses, called by the attendance capability.

Attendance knows which sessions of a course were held and whom each counted as present; this
module alone decides whether that makes the learner "successfully trained".
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from telecenter.courses.learning import find_enrolment, mark_completed
from telecenter.courses.models import Course, Enrolment
from telecenter.participants.models import Participant


def record_attendance(
    session: Session, course: Course, participant: Participant, *, attended: int, held: int
) -> Enrolment | None:
    """Complete a classroom course when the share of held sessions attended is high enough.

    Returns the enrolment when the learner is (now or already) complete, else None. Learners
    who attend without having enrolled are enrolled by the attendance itself.
    """
    if course.completion_mode != "classroom" or held <= 0:
        return None
    enrolment = find_enrolment(session, course, participant)
    if enrolment is None:
        enrolment = Enrolment(course_id=course.id, participant_id=participant.id)
        session.add(enrolment)
        session.flush()
    if enrolment.completed_at is None and 100 * attended >= course.attendance_share * held:
        mark_completed(session, enrolment, by="attendance")
    return enrolment if enrolment.completed_at else None
