"""Realistic site data for sync tests and benchmarks: people who cross age bands, attend
several activities and categories, come back after months away, join the women's programme
midway, complete courses, and ask for their data to be deleted."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from telecenter.attendance.models import ActivitySession, Attendance
from telecenter.courses import authoring
from telecenter.courses.models import Course, Enrolment, LessonProgress
from telecenter.participants import rights
from telecenter.participants.models import Consent, Participant, WfiEnrolment
from telecenter.vocabulary import ACTIVITIES, CATEGORIES

GIVEN = ("María", "Rosa", "Julio", "Elena", "Wilmer", "Teresa", "Luz", "Segundo", "Nelly", "Abel")
SURNAMES = ("Quispe", "Tapullima", "Sangama", "Panduro", "Amasifuén", "Tuanama", "Cachique")


@dataclass
class Generated:
    participants: list[int]
    erased: list[int]
    first_month: date
    last_month: date


def make_course(session: Session, slug: str, category: str) -> Course:
    """A published two-lesson course of a category."""
    definition = {
        "format": 1,
        "slug": slug,
        "version": 1,
        "title": slug,
        "category": category,
        "modules": [
            {
                "title": "M",
                "lessons": [
                    {"slug": "a", "title": "A", "file": "a.md", "quiz": []},
                    {"slug": "b", "title": "B", "file": "b.md", "quiz": []},
                ],
            }
        ],
    }
    return authoring.apply_definition(
        session, definition, {"a.md": "x", "b.md": "y"}, published=True
    )


def _utc(day: date, hour: int, minute: int = 0) -> datetime:
    """A Lima wall-clock time as stored in UTC (Lima is UTC-5): from 19:00 on, it is already
    the next day (and, at a month's end, the next month) in UTC."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) + timedelta(hours=5)


def _lima_hour(rng) -> int:
    """Mostly daytime, but a fair share late at night, when Lima and UTC dates differ."""
    return rng.choice((7, 9, 10, 14, 16, 19, 21, 22, 23))


def populate(
    session: Session,
    *,
    seed: int = 7,
    people: int = 80,
    months: int = 14,
    sessions_per_month: int = 10,
    start: date = date(2025, 1, 1),
    erase: int = 3,
) -> Generated:
    rng = random.Random(seed)
    courses = [make_course(session, f"curso-{c.replace('_', '-')}", c) for c in CATEGORIES]
    ids = _participants(session, rng, people, start)
    sessions = _sessions(session, rng, months, sessions_per_month, start)
    _attend(session, rng, ids, sessions)
    _learning(session, rng, ids, courses, start, months)
    session.flush()
    erased = rng.sample(ids, erase)
    for pid in erased:
        rights.erase(session, session.get(Participant, pid), actor=None, reason="requested")
    session.flush()
    return Generated(ids, erased, start, start + timedelta(days=31 * months))


def _participants(session, rng, count, start) -> list[int]:
    ids = []
    for number in range(count):
        # Birthdays near band edges: many people change band during the period.
        edge = rng.choice((15, 18, 30, 45, 60))
        birth = start - timedelta(days=int(365.25 * edge) - rng.randint(-200, 400))
        only_year = number % 7 == 0
        person = Participant(
            code=f"G{number:05d}",
            given_names=rng.choice(GIVEN),
            surnames=rng.choice(SURNAMES),
            document_type="dni",
            document_number=f"{40000000 + number}",
            sex=rng.choice(("female", "female", "male", "unspecified")),
            birth_date=None if only_year else birth,
            birth_year=birth.year,
            phone=f"9{rng.randint(10000000, 99999999)}",
            community="Pucayacu",
            district_ubigeo="220901",
            registered_at=_utc(
                start + timedelta(days=rng.randint(0, 300)),
                _lima_hour(rng),
                rng.choice((0, 30, 59)),
            ),
        )
        session.add(person)
        session.flush()
        session.add(
            Consent(
                participant_id=person.id, kind="registration", text_version="2026-1", purpose="test"
            )
        )
        if person.sex == "female" and rng.random() < 0.4:
            session.add(
                WfiEnrolment(
                    participant_id=person.id,
                    telecenter_code="T",
                    enrolled_on=start + timedelta(days=rng.randint(60, 330)),
                )
            )
        ids.append(person.id)
    return ids


def _sessions(session, rng, months, per_month, start) -> list[ActivitySession]:
    items = []
    for month in range(months):
        for _n in range(per_month):
            day = _month_day(rng, start, month)
            hour = min(_lima_hour(rng), 21)  # a session of 2 hours ends the same Lima day
            kind = rng.choice(ACTIVITIES)
            item = ActivitySession(
                kind=kind,
                title=f"{kind} {month}",
                category=rng.choice(CATEGORIES),
                starts_at=_utc(day, hour),
                ends_at=_utc(day, hour) + timedelta(hours=2),
                state="held" if rng.random() < 0.9 else "cancelled",
                unregistered_viewers=rng.randint(0, 6) if kind == "teleconference" else 0,
            )
            session.add(item)
            items.append(item)
    session.flush()
    return items


def _attend(session, rng, ids, sessions) -> None:
    held = [s for s in sessions if s.state == "held"]
    for pid in ids:
        # Some come often, some once, some return after months away.
        visits = rng.sample(held, k=min(len(held), rng.choice((0, 1, 2, 5, 12))))
        for item in visits:
            session.add(
                Attendance(
                    session_id=item.id,
                    participant_id=pid,
                    status=rng.choice(("present", "present", "late", "absent", "excused")),
                )
            )


def _month_day(rng, start: date, month: int) -> date:
    """A day of the month-th month after start, often its last day."""
    first = (start.replace(day=1) + timedelta(days=31 * month)).replace(day=1)
    last = (first + timedelta(days=31)).replace(day=1) - timedelta(days=1)
    return last if rng.random() < 0.25 else first + timedelta(days=rng.randint(0, 27))


def _learning(session, rng, ids, courses, start, months) -> None:
    for pid in rng.sample(ids, k=len(ids) // 3):
        course = rng.choice(courses)
        enrolment = Enrolment(course_id=course.id, participant_id=pid)
        session.add(enrolment)
        session.flush()
        when = _utc(start + timedelta(days=rng.randint(0, 31 * months - 40)), _lima_hour(rng))
        for offset, lesson in enumerate(course.lessons[: rng.randint(1, 2)]):
            session.add(
                LessonProgress(
                    enrolment_id=enrolment.id,
                    lesson_id=lesson.id,
                    completed_at=when + timedelta(days=offset * 9),
                )
            )
        if rng.random() < 0.5:
            enrolment.completed_at = when + timedelta(days=20)
            enrolment.completed_by = "lessons"


def distinct_people(session: Session, scope: str) -> int:
    """An independent count of the people ever active in a scope, straight from the records."""
    attended = (
        sa.select(Attendance.participant_id)
        .join(ActivitySession, ActivitySession.id == Attendance.session_id)
        .where(ActivitySession.state == "held", Attendance.status.in_(("present", "late")))
    )
    learned = sa.select(Enrolment.participant_id).join(
        LessonProgress, LessonProgress.enrolment_id == Enrolment.id
    )
    if scope.startswith("activity:"):
        ids = set(session.scalars(attended.where(ActivitySession.kind == scope[9:])))
    elif scope.startswith("category:"):
        category = scope[9:]
        ids = set(session.scalars(attended.where(ActivitySession.category == category)))
        ids |= set(
            session.scalars(
                learned.join(Course, Course.id == Enrolment.course_id).where(
                    Course.category == category
                )
            )
        )
    elif scope == "self_paced":
        ids = set(session.scalars(learned))
    elif scope == "trained":
        ids = set(
            session.scalars(
                sa.select(Enrolment.participant_id).where(Enrolment.completed_at.is_not(None))
            )
        )
    else:
        ids = set(session.scalars(attended)) | set(session.scalars(learned))
    return len(ids)
