"""What a classroom course's completion is computed from: its sessions and who attended.

Handed to `telecenter.courses.completion` (which owns the rule) when the site app starts.
"""

from __future__ import annotations

from collections.abc import Collection

import sqlalchemy as sa
from sqlalchemy.orm import Session

from telecenter.attendance.models import ActivitySession, Attendance
from telecenter.courses.completion import ClassroomRecord
from telecenter.courses.models import Course
from telecenter.vocabulary import COUNTED_STATUSES


def classroom_record(
    session: Session, course: Course, participant_ids: Collection[int] | None
) -> ClassroomRecord:
    counted = (ActivitySession.course_id == course.id, ActivitySession.state != "cancelled")
    record = ClassroomRecord(
        sessions=list(session.scalars(sa.select(ActivitySession.starts_at).where(*counted)))
    )
    query = (
        sa.select(Attendance.participant_id, ActivitySession.starts_at)
        .join(ActivitySession, ActivitySession.id == Attendance.session_id)
        .where(*counted, Attendance.status.in_(COUNTED_STATUSES))
    )
    if participant_ids is not None:
        query = query.where(Attendance.participant_id.in_(participant_ids))
    for participant_id, starts_at in session.execute(query):
        record.attended.setdefault(participant_id, []).append(starts_at)
    return record
