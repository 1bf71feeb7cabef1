"""Trainer reports: per course (counts by sex and age band, and the list of its learners) and
per participant."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from telecenter.clock import to_lima, utcnow
from telecenter.courses import completion, learning
from telecenter.courses.models import Course, Enrolment, LessonProgress
from telecenter.labels import label
from telecenter.participants.models import Participant
from telecenter.spreadsheets import csv_text
from telecenter.vocabulary import COURSE_STATES


@dataclass(frozen=True)
class SessionsAttended:
    """A classroom course's sessions given so far, and how many each person attended."""

    given: int
    #: participant id -> sessions attended (present or late); absent from it: none.
    by_participant: Mapping[int, int]


@dataclass(frozen=True)
class Learner:
    """One person enrolled in the course, as the trainer's list shows them."""

    participant: Participant
    state: str
    #: At enrolment, as in the counts.
    age_band: str
    enrolled_on: date
    completed_on: date | None
    certificate_code: str | None
    #: Classroom courses only.
    sessions_attended: int | None


@dataclass
class CourseReport:
    totals: Counter = field(default_factory=Counter)
    #: (state, sex) -> people; (state, age band at enrolment) -> people
    by_sex: Counter = field(default_factory=Counter)
    by_age_band: Counter = field(default_factory=Counter)
    #: Everyone enrolled, by surname.
    learners: list[Learner] = field(default_factory=list)
    #: Classroom courses: the sessions given so far (cancelled ones left out); else None.
    sessions_given: int | None = None

    def sex_total(self, sex: str) -> int:
        return sum(self.by_sex[(state, sex)] for state in COURSE_STATES)

    def age_band_total(self, band: str) -> int:
        return sum(self.by_age_band[(state, band)] for state in COURSE_STATES)


def _state(enrolment: Enrolment, started: bool) -> str:
    """Started means a lesson done, or for a classroom course a session attended."""
    if enrolment.completed_at:
        return "completed"
    return "in_progress" if started else "enrolled"


def course_report(session: Session, course: Course) -> CourseReport:
    """Each enrolled person counted once: enrolled (not started), in progress, or completed;
    and listed, with the sessions attended when the course is taken in class."""
    rows = session.execute(
        sa.select(Enrolment, Participant)
        .join(Participant, Participant.id == Enrolment.participant_id)
        .where(Enrolment.course_id == course.id)
    ).all()
    with_lessons_done = set(
        session.scalars(
            sa.select(LessonProgress.enrolment_id).where(
                LessonProgress.enrolment_id.in_([e.id for e, _p in rows])
            )
        )
    )
    sessions = _sessions_attended(session, course)
    report = CourseReport(sessions_given=sessions.given if sessions else None)
    for enrolment, participant in sorted(rows, key=lambda row: _by_name(row[1])):
        attended = sessions.by_participant.get(participant.id, 0) if sessions else None
        started = enrolment.id in with_lessons_done or bool(attended)
        learner = _learner(enrolment, participant, _state(enrolment, started), attended)
        report.totals[learner.state] += 1
        report.by_sex[(learner.state, participant.sex)] += 1
        report.by_age_band[(learner.state, learner.age_band)] += 1
        report.learners.append(learner)
    return report


def _sessions_attended(session: Session, course: Course) -> SessionsAttended | None:
    """A classroom course's sessions so far (started and not cancelled) and, per learner, how
    many of them she attended: from what completion reads, so the two never disagree."""
    record = completion.classroom_record(session, course)
    if course.completion_mode != "classroom" or record is None:
        return None
    now = utcnow()
    return SessionsAttended(
        given=sum(1 for starts in record.sessions if starts <= now),
        by_participant={pid: len(starts) for pid, starts in record.attended.items()},
    )


def _learner(
    enrolment: Enrolment, participant: Participant, state: str, attended: int | None
) -> Learner:
    enrolled_on = to_lima(enrolment.enrolled_at).date()
    completed = enrolment.completed_at
    return Learner(
        participant=participant,
        state=state,
        age_band=participant.age_band_on(enrolled_on),
        enrolled_on=enrolled_on,
        completed_on=to_lima(completed).date() if completed else None,
        certificate_code=enrolment.certificate_code,
        sessions_attended=attended,
    )


def _by_name(participant: Participant) -> tuple[str, str]:
    return ((participant.surnames or "").casefold(), (participant.given_names or "").casefold())


#: The columns of the learners' file (the page shows the same, the sessions as "3 de 4").
LEARNER_COLUMNS = (
    _l("Nombre"),
    _l("Sexo"),
    _l("Edad al inscribirse"),
    _l("Estado"),
    _l("Fecha de inscripción"),
    _l("Fecha en que completó"),
    _l("Código del certificado"),
)
CLASSROOM_COLUMNS = (_l("Sesiones asistidas"), _l("Sesiones del curso hasta hoy"))


def learners_csv(report: CourseReport) -> str:
    """The course's learners for a spreadsheet, with the words of the page."""
    classroom = report.sessions_given is not None
    header = LEARNER_COLUMNS + (CLASSROOM_COLUMNS if classroom else ())
    return csv_text(header, (_learner_row(learner, report) for learner in report.learners))


def _learner_row(learner: Learner, report: CourseReport) -> list:
    row = [
        learner.participant.full_name,
        label("sex", learner.participant.sex),
        label("age_band", learner.age_band),
        label("course_state", learner.state),
        learner.enrolled_on,
        learner.completed_on,
        learner.certificate_code,
    ]
    if report.sessions_given is not None:
        row += [learner.sessions_attended, report.sessions_given]
    return row


def participant_courses(session: Session, participant: Participant):
    """(enrolment, progress) for each of a participant's courses."""
    return [
        (enrolment, learning.progress(session, enrolment))
        for enrolment in learning.my_enrolments(session, participant)
    ]
