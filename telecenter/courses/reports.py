"""Trainer reports: per course (with sex and age band) and per participant."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from telecenter.clock import to_lima
from telecenter.courses import learning
from telecenter.courses.models import Course, Enrolment, LessonProgress
from telecenter.participants.models import Participant

STATES = ("enrolled", "in_progress", "completed")


@dataclass
class CourseReport:
    totals: Counter = field(default_factory=Counter)
    #: (state, sex) -> people; (state, age band at enrolment) -> people
    by_sex: Counter = field(default_factory=Counter)
    by_age_band: Counter = field(default_factory=Counter)

    def sex_total(self, sex: str) -> int:
        return sum(self.by_sex[(state, sex)] for state in STATES)

    def age_band_total(self, band: str) -> int:
        return sum(self.by_age_band[(state, band)] for state in STATES)


def _state(enrolment: Enrolment, started: set[int]) -> str:
    if enrolment.completed_at:
        return "completed"
    return "in_progress" if enrolment.id in started else "enrolled"


def course_report(session: Session, course: Course) -> CourseReport:
    """Each enrolled person counted once: enrolled (not started), in progress, or completed."""
    rows = session.execute(
        sa.select(Enrolment, Participant)
        .join(Participant, Participant.id == Enrolment.participant_id)
        .where(Enrolment.course_id == course.id)
    ).all()
    started = set(
        session.scalars(
            sa.select(LessonProgress.enrolment_id).where(
                LessonProgress.enrolment_id.in_([e.id for e, _p in rows])
            )
        )
    )
    report = CourseReport()
    for enrolment, participant in rows:
        state = _state(enrolment, started)
        report.totals[state] += 1
        report.by_sex[(state, participant.sex)] += 1
        band = participant.age_band_on(to_lima(enrolment.enrolled_at).date())
        report.by_age_band[(state, band)] += 1
    return report


def participant_courses(session: Session, participant: Participant):
    """(enrolment, progress) for each of a participant's courses."""
    return [
        (enrolment, learning.progress(session, enrolment))
        for enrolment in learning.my_enrolments(session, participant)
    ]
