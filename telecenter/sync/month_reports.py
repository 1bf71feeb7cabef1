"""Month reports of a site, exactly as ../shared/DESIGN.md ("Counting") defines them.

Everything is computed from the records in one pass, for every month at once: event facts
are grouped by their month; reach facts need each person's first-ever event per scope, so
they cannot be computed month by month. Nothing personal leaves this module: only counts.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from telecenter import month_report
from telecenter.attendance.models import ActivitySession, Attendance
from telecenter.clock import to_lima, utcnow
from telecenter.courses.models import Course, Enrolment, LessonProgress
from telecenter.participants import identity
from telecenter.participants.models import Participant, WfiEnrolment
from telecenter.vocabulary import COUNTED_STATUSES


@dataclass(frozen=True)
class Person:
    sex: str
    birth_date: date | None
    birth_year: int | None
    wfi_since: date | None

    def band(self, on: date) -> str:
        return identity.age_band(
            identity.age_on(on, birth_date=self.birth_date, birth_year=self.birth_year)
        )

    def wfi(self, on: date) -> bool:
        return self.wfi_since is not None and self.wfi_since <= on


@dataclass
class Facts:
    """All facts of a site, keyed by month, before they are shaped into month_report."""

    # month -> {dimension key: Counter of measures}
    sessions: dict = field(default_factory=lambda: defaultdict(dict))
    attendance: dict = field(default_factory=lambda: defaultdict(dict))
    attendance_people: dict = field(default_factory=lambda: defaultdict(set))
    registrations: dict = field(default_factory=lambda: defaultdict(dict))
    completions: dict = field(default_factory=lambda: defaultdict(dict))
    wfi_enrolments: dict = field(default_factory=lambda: defaultdict(dict))
    # month -> Counter of (scope, sex, age band, wfi) -> new people
    reach: dict = field(default_factory=lambda: defaultdict(Counter))
    months: set = field(default_factory=set)


def _people(session: Session) -> dict[int, Person]:
    wfi = dict(
        session.execute(sa.select(WfiEnrolment.participant_id, WfiEnrolment.enrolled_on))
        .tuples()
        .all()
    )
    return {
        pid: Person(sex, birth_date, birth_year, wfi.get(pid))
        for pid, sex, birth_date, birth_year in session.execute(
            sa.select(
                Participant.id, Participant.sex, Participant.birth_date, Participant.birth_year
            )
        )
    }


def _local(moment: datetime) -> tuple[str, date]:
    local = to_lima(moment)
    return month_report.month_of(local), local.date()


class FirstEvents:
    """Each person's first qualifying event per scope: (when, local date)."""

    def __init__(self):
        self.first: dict[tuple[int, str], datetime] = {}

    def see(self, participant_id: int, scopes: tuple[str, ...], moment: datetime) -> None:
        for scope in scopes:
            key = (participant_id, scope)
            if key not in self.first or moment < self.first[key]:
                self.first[key] = moment


def _sessions_and_attendance(session, people, facts, firsts) -> None:
    for kind, category, starts, ends, viewers in session.execute(
        sa.select(
            ActivitySession.kind,
            ActivitySession.category,
            ActivitySession.starts_at,
            ActivitySession.ends_at,
            ActivitySession.unregistered_viewers,
        ).where(ActivitySession.state == "held")
    ):
        month, _day = _local(starts)
        _add(
            facts.sessions[month],
            (kind, category),
            held=1,
            hours=(ends - starts).total_seconds() / 3600,
            viewers=viewers,
        )
        facts.months.add(month)
    for pid, kind, category, starts, ends in session.execute(
        sa.select(
            Attendance.participant_id,
            ActivitySession.kind,
            ActivitySession.category,
            ActivitySession.starts_at,
            ActivitySession.ends_at,
        )
        .join(ActivitySession, ActivitySession.id == Attendance.session_id)
        .where(ActivitySession.state == "held", Attendance.status.in_(COUNTED_STATUSES))
    ):
        month, day = _local(starts)
        person = people[pid]
        key = (kind, category, person.sex, person.band(day), person.wfi(day))
        _add(
            facts.attendance[month],
            key,
            attendances=1,
            hours=(ends - starts).total_seconds() / 3600,
        )
        facts.attendance_people[(month, key)].add(pid)
        firsts.see(pid, ("any", f"activity:{kind}", f"category:{category}"), starts)
        facts.months.add(month)


def _add(bucket: dict, key, **measures) -> None:
    counter = bucket.setdefault(key, Counter())
    for name, value in measures.items():
        counter[name] += value


def _learning(session, people, facts, firsts) -> None:
    for pid, category, moment in session.execute(
        sa.select(Enrolment.participant_id, Course.category, LessonProgress.completed_at)
        .join(Enrolment, Enrolment.id == LessonProgress.enrolment_id)
        .join(Course, Course.id == Enrolment.course_id)
    ):
        firsts.see(pid, ("any", "self_paced", f"category:{category}"), moment)
    for pid, category, moment in session.execute(
        sa.select(Enrolment.participant_id, Course.category, Enrolment.completed_at)
        .join(Course, Course.id == Enrolment.course_id)
        .where(Enrolment.completed_at.is_not(None))
    ):
        month, day = _local(moment)
        person = people[pid]
        _add(facts.completions[month], (category, person.sex, person.band(day)), completions=1)
        firsts.see(pid, ("trained",), moment)
        facts.months.add(month)


def _registry(session, people, facts) -> None:
    for pid, registered_at in session.execute(sa.select(Participant.id, Participant.registered_at)):
        month, day = _local(registered_at)
        person = people[pid]
        _add(facts.registrations[month], (person.sex, person.band(day)), registrations=1)
        facts.months.add(month)
    for pid, enrolled_on in session.execute(
        sa.select(WfiEnrolment.participant_id, WfiEnrolment.enrolled_on)
    ):
        month = month_report.month_of(enrolled_on)
        _add(facts.wfi_enrolments[month], (people[pid].band(enrolled_on),), enrolments=1)
        facts.months.add(month)


def collect(session: Session) -> Facts:
    people = _people(session)
    facts, firsts = Facts(), FirstEvents()
    _sessions_and_attendance(session, people, facts, firsts)
    _learning(session, people, facts, firsts)
    _registry(session, people, facts)
    for (pid, scope), moment in firsts.first.items():
        month, day = _local(moment)
        person = people[pid]
        facts.reach[month][(scope, person.sex, person.band(day), person.wfi(day))] += 1
        facts.months.add(month)
    return facts


def _rows(table: str, bucket: dict, shape) -> list[dict]:
    dims, _measures = month_report.TABLES[table]
    return [
        dict(zip(dims, key, strict=True)) | shape(key, values)
        for key, values in sorted(bucket.items(), key=lambda item: str(item[0]))
    ]


HOURS_DECIMALS = 6


def _hours(value: float) -> float:
    """Hours to 6 decimals, not 2: central adds up thousands of rows, and three 80-minute
    sessions rounded to 1.33 each would add up to 3.99 hours instead of 4."""
    return round(value, HOURS_DECIMALS)


def report_for(facts: Facts, month: str, *, telecenter: str, generated_at: datetime) -> dict:
    people = facts.attendance_people
    return {
        "schema": 1,  # schema 2 next
        "telecenter": telecenter,
        "month": month,
        "generated_at": month_report.stamp(generated_at),
        "sessions": _rows(
            "sessions",
            facts.sessions.get(month, {}),
            lambda k, v: {
                "sessions_held": v["held"],
                "session_hours": _hours(v["hours"]),
                "unregistered_viewers": v["viewers"],
            },
        ),
        "attendance": _rows(
            "attendance",
            facts.attendance.get(month, {}),
            lambda k, v: {
                "attendances": v["attendances"],
                "hours": _hours(v["hours"]),
                "participants": len(people[(month, k)]),
            },
        ),
        "registrations": _rows(
            "registrations",
            facts.registrations.get(month, {}),
            lambda k, v: {"registrations": v["registrations"]},
        ),
        "completions": _rows(
            "completions",
            facts.completions.get(month, {}),
            lambda k, v: {"completions": v["completions"]},
        ),
        "wfi_enrolments": _rows(
            "wfi_enrolments",
            facts.wfi_enrolments.get(month, {}),
            lambda k, v: {"enrolments": v["enrolments"]},
        ),
        "reach": _rows("reach", facts.reach.get(month, {}), lambda k, v: {"new_people": v}),
    }


def months_between(first: str, last: str) -> list[str]:
    year, month = map(int, first.split("-"))
    end = tuple(map(int, last.split("-")))
    months = []
    while (year, month) <= end:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def monthly_reports(
    session: Session, *, telecenter: str, first: str | None = None, last: str | None = None
) -> list[dict]:
    """Reports for every month from `first` (default: the site's first data) to `last`."""
    facts = collect(session)
    now = utcnow()
    last = last or month_report.month_of(to_lima(now))
    first = first or (min(facts.months) if facts.months else last)
    return [
        report_for(facts, month, telecenter=telecenter, generated_at=now)
        for month in months_between(first, last)
    ]
