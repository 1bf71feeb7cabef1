"""Realistic site data for sync tests and benchmarks: people who cross age bands, attend
several activities and categories, talks and trainings about several crops, come back after a
year away, join the women's programme midway (with baseline and follow-up surveys), complete
courses in two categories, and ask for their data to be deleted."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from telecenter.attendance.models import ActivitySession, Attendance, Series
from telecenter.courses import authoring
from telecenter.courses.models import Course, Enrolment, LessonProgress
from telecenter.participants import rights
from telecenter.participants.models import Consent, Participant, WfiEnrolment, WfiSurvey
from telecenter.vocabulary import ACTIVITIES, CATEGORIES, CROPS

GIVEN = ("María", "Rosa", "Julio", "Elena", "Wilmer", "Teresa", "Luz", "Segundo", "Nelly", "Abel")
SURNAMES = ("Quispe", "Tapullima", "Sangama", "Panduro", "Amasifuén", "Tuanama", "Cachique")


@dataclass
class Generated:
    participants: list[int]
    erased: list[int]
    first_month: date
    last_month: date


def make_course(session: Session, slug: str, category: str, commodity: str | None = None) -> Course:
    """A published two-lesson course of a category (and crop, for agriculture)."""
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
    course = authoring.apply_definition(
        session, definition, {"a.md": "x", "b.md": "y"}, published=True
    )
    course.commodity = commodity
    return course


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
    courses.append(make_course(session, "curso-cacao", "agriculture", "cacao"))
    ids = _participants(session, rng, people, start)
    sessions = _sessions(session, rng, months, sessions_per_month, start, courses)
    _attend(session, rng, ids, sessions)
    _learning(session, rng, ids, courses, start, months)
    _surveys(session, rng, start, months)
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


def _sessions(session, rng, months, per_month, start, courses) -> list[ActivitySession]:
    """Sessions of every kind; some are talks, agriculture ones are about a crop, some belong
    to a course of their category, some to a weekly series."""
    items = []
    series = [Series(weekdays="1", every_weeks=1, until=start + timedelta(days=400))]
    series.append(Series(weekdays="3", every_weeks=2, until=start + timedelta(days=400)))
    session.add_all(series)
    session.flush()
    for month in range(months):
        for _n in range(per_month):
            day = _month_day(rng, start, month)
            hour = min(_lima_hour(rng), 21)  # a session of 2 hours ends the same Lima day
            kind = rng.choice(ACTIVITIES)
            category = rng.choice(CATEGORIES)
            course = rng.choice([c for c in courses if c.category == category] + [None])
            item = ActivitySession(
                kind=kind,
                title=f"{kind} {month}",
                category=category,
                purpose="talk" if rng.random() < 0.25 else "training",
                commodity=rng.choice(CROPS) if category == "agriculture" else None,
                course_id=course.id if course and rng.random() < 0.5 else None,
                series_id=rng.choice(series).id if rng.random() < 0.3 else None,
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
    first_months = held[: len(held) // 6]
    a_year_later = held[len(held) * 5 // 6 :]
    for number, pid in enumerate(ids):
        # Some come often, some once, some return after months away.
        visits = rng.sample(held, k=min(len(held), rng.choice((0, 1, 2, 5, 12))))
        if number % 5 == 0 and first_months and a_year_later:  # back after a year away
            visits = list({*visits, rng.choice(first_months), rng.choice(a_year_later)})
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
    learners = rng.sample(ids, k=len(ids) // 3)
    # A few learners take a second course, often in another category.
    for pid, course in [(p, rng.choice(courses)) for p in learners + learners[::4]]:
        if session.scalar(
            sa.select(Enrolment.id).where(
                Enrolment.participant_id == pid, Enrolment.course_id == course.id
            )
        ):
            continue
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


def _surveys(session, rng, start, months) -> None:
    """Most enrolled women take a baseline some weeks after enrolling; many a follow-up."""
    last_day = start + timedelta(days=31 * months)
    for enrolment in session.scalars(sa.select(WfiEnrolment)):
        if rng.random() < 0.2:
            continue
        day = enrolment.enrolled_on + timedelta(days=rng.randint(0, 40))
        for kind in ("baseline", "follow_up", "follow_up"):
            if day > last_day or (kind == "follow_up" and rng.random() < 0.4):
                break
            session.add(
                WfiSurvey(
                    participant_id=enrolment.participant_id,
                    kind=kind,
                    taken_on=day,
                    phone_access=rng.choice(("own", "shared", "none")),
                    account_institutions=rng.choice((["none"], ["caja_rural"], [], ["bank"])),
                    wallets_used=rng.choice((["none"], ["yape"], [])),
                    digital_payment=rng.random() < 0.4,
                    saved=rng.random() < 0.5,
                    savings_group_member=rng.random() < 0.3,
                    borrowed=False,
                    emergency_funds=rng.choice(
                        ("very_possible", "somewhat_possible", "not_possible")
                    ),
                    has_own_income=False,
                )
            )
            day += timedelta(days=rng.randint(90, 200))


def _lima_month(moment) -> str:
    moment = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    local = moment.replace(tzinfo=None) - timedelta(hours=5)
    return f"{local.year:04d}-{local.month:02d}"


def people_in(session: Session, scope: str, months: set[str] | None = None) -> set[int]:
    """An independent reading of who was active in a scope (in the given Lima months, or
    ever), straight from the records; trained* as a course completed (the default rules)."""
    attended = (
        sa.select(Attendance.participant_id, ActivitySession.starts_at)
        .join(ActivitySession, ActivitySession.id == Attendance.session_id)
        .where(ActivitySession.state == "held", Attendance.status.in_(("present", "late")))
    )
    learned = (
        sa.select(Enrolment.participant_id, LessonProgress.completed_at)
        .join(LessonProgress, LessonProgress.enrolment_id == Enrolment.id)
        .join(Course, Course.id == Enrolment.course_id)
    )
    completed = (
        sa.select(Enrolment.participant_id, Enrolment.completed_at)
        .join(Course, Course.id == Enrolment.course_id)
        .where(Enrolment.completed_at.is_not(None))
    )
    kind, _colon, value = scope.partition(":")
    if kind == "activity":
        queries = [attended.where(ActivitySession.kind == value)]
    elif kind == "category":
        queries = [
            attended.where(ActivitySession.category == value),
            learned.where(Course.category == value),
        ]
    elif kind == "commodity":
        queries = [
            attended.where(ActivitySession.commodity == value),
            learned.where(Course.commodity == value),
        ]
    elif scope == "self_paced":
        queries = [learned]
    elif kind == "trained":
        queries = [completed.where(Course.category == value) if value else completed]
    else:
        queries = [attended, learned]
    return {
        pid
        for query in queries
        for pid, moment in session.execute(query)
        if months is None or _lima_month(moment) in months
    }


def distinct_people(session: Session, scope: str) -> int:
    """An independent count of the people ever active in a scope, straight from the records."""
    return len(people_in(session, scope))
