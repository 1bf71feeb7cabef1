"""Month reports of a site, exactly as ../shared/DESIGN.md ("Counting", and "Counting,
schema 2") defines them.

Everything is computed from the records in one pass, for every month at once: event facts
are grouped by their month; reach facts need each person's first event per scope and period,
so they cannot be computed month by month. Nothing personal leaves this module: only counts.
A site sends schema 2 unless REPORT_SCHEMA says 1 (a central not yet upgraded): the same
facts, projected down to schema 1's tables.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.orm import Session

from telecenter import month_report
from telecenter.attendance.models import ActivitySession, Attendance
from telecenter.clock import to_lima, utcnow
from telecenter.counting_rules import CountingRules
from telecenter.courses.models import Course, Enrolment, LessonProgress
from telecenter.gc_pause import paused_gc
from telecenter.participants import identity
from telecenter.participants.models import Participant, WfiEnrolment
from telecenter.sync.network_settings import current_rules
from telecenter.sync.reach import FirstEvents
from telecenter.sync.trained_events import TrainingAttendance, trained_events
from telecenter.sync.wfi_outcomes import outcomes
from telecenter.vocabulary import COUNTED_STATUSES, NO_COMMODITY, PERIODS

#: Schema 1 knows only reach ever, and "trained" as a course completed.
SCHEMA_1_RULES = CountingRules(course_completed=True, min_sessions=None, min_hours=None)


@lru_cache(maxsize=65536)
def _band(on: date, birth_date: date | None, birth_year: int | None) -> str:
    """Cached: thousands of people share a birth year, and every month end is asked often."""
    return identity.age_band(identity.age_on(on, birth_date=birth_date, birth_year=birth_year))


@dataclass(frozen=True)
class Person:
    sex: str
    birth_date: date | None
    birth_year: int | None
    wfi_since: date | None

    def band(self, on: date) -> str:
        return _band(on, self.birth_date, self.birth_year)

    def wfi(self, on: date) -> bool:
        return self.wfi_since is not None and self.wfi_since <= on


@dataclass
class Facts:
    """All facts of a site, keyed by month, before they are shaped into month_report."""

    schema: int
    rules: CountingRules
    # month -> {dimension key: Counter of measures}
    sessions: dict = field(default_factory=lambda: defaultdict(dict))
    attendance: dict = field(default_factory=lambda: defaultdict(dict))
    attendance_people: dict = field(default_factory=lambda: defaultdict(set))
    registrations: dict = field(default_factory=lambda: defaultdict(dict))
    completions: dict = field(default_factory=lambda: defaultdict(dict))
    wfi_enrolments: dict = field(default_factory=lambda: defaultdict(dict))
    # month -> Counter of (period, scope, sex, age band, wfi) -> new people (schema 1: no period)
    reach: dict = field(default_factory=lambda: defaultdict(Counter))
    # month -> {age band: Counter of measures}, filled for the months asked (schema 2)
    wfi_outcomes: dict = field(default_factory=dict)
    months: set = field(default_factory=set)
    people: dict = field(default_factory=dict)
    # month -> {central's event id: EventFacts} (schema 2; issue 21)
    network_events: dict = field(default_factory=lambda: defaultdict(dict))


@dataclass
class EventFacts:
    """One network teleconference held here in a month: its session, viewers, attendance."""

    sessions_held: int = 0
    viewers: int = 0
    # (sex, age band) -> attendances, and -> the distinct people
    attendances: Counter = field(default_factory=Counter)
    people: dict = field(default_factory=lambda: defaultdict(set))


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


@lru_cache(maxsize=16384)
def _local(moment: datetime) -> tuple[str, date]:
    """Cached: a session's start is asked once per attendance."""
    local = to_lima(moment)
    return month_report.month_of(local), local.date()


def _commodity_scopes(facts: Facts, commodity: str | None) -> tuple[str, ...]:
    """Reach by crop (schema 2 only)."""
    return (f"commodity:{commodity}",) if commodity and facts.schema == 2 else ()


def _split(facts: Facts, commodity: str | None, purpose: str) -> tuple:
    """The schema-2 dimensions of sessions and attendance (none in schema 1)."""
    return (commodity or NO_COMMODITY, purpose) if facts.schema == 2 else ()


def _sessions_and_attendance(session, people, facts, firsts, training) -> None:
    held = ActivitySession.state == "held"
    for kind, category, commodity, purpose, starts, ends, viewers in session.execute(
        sa.select(
            ActivitySession.kind,
            ActivitySession.category,
            ActivitySession.commodity,
            ActivitySession.purpose,
            ActivitySession.starts_at,
            ActivitySession.ends_at,
            ActivitySession.unregistered_viewers,
        ).where(held)
    ):
        month, _day = _local(starts)
        _add(
            facts.sessions[month],
            (kind, category, *_split(facts, commodity, purpose)),
            held=1,
            hours=(ends - starts).total_seconds() / 3600,
            viewers=viewers,
        )
        facts.months.add(month)
    for (
        pid,
        kind,
        category,
        commodity,
        purpose,
        course,
        series,
        sid,
        starts,
        ends,
    ) in session.execute(
        sa.select(
            Attendance.participant_id,
            ActivitySession.kind,
            ActivitySession.category,
            ActivitySession.commodity,
            ActivitySession.purpose,
            ActivitySession.course_id,
            ActivitySession.series_id,
            ActivitySession.id,
            ActivitySession.starts_at,
            ActivitySession.ends_at,
        )
        .join(ActivitySession, ActivitySession.id == Attendance.session_id)
        .where(held, Attendance.status.in_(COUNTED_STATUSES))
    ):
        month, day = _local(starts)
        person = people[pid]
        seconds = (ends - starts).total_seconds()
        key = (
            kind,
            category,
            *_split(facts, commodity, purpose),
            person.sex,
            person.band(day),
            person.wfi(day),
        )
        _add(facts.attendance[month], key, attendances=1, hours=seconds / 3600)
        facts.attendance_people[(month, key)].add(pid)
        scopes = ("any", f"activity:{kind}", f"category:{category}")
        firsts.see(pid, scopes + _commodity_scopes(facts, commodity), starts, month)
        if purpose == "training":
            training.append(TrainingAttendance(pid, category, course, series, sid, starts, seconds))
        facts.months.add(month)


def _network_events(session, people, facts) -> None:
    """Per network event held (as the `sessions` table counts a session: held, by the month
    of its start in Lima) its counted attendances by sex and age band at the event."""
    network = ActivitySession.network_event.is_not(None)
    held = ActivitySession.state == "held"
    for event, starts, viewers in session.execute(
        sa.select(
            ActivitySession.network_event,
            ActivitySession.starts_at,
            ActivitySession.unregistered_viewers,
        ).where(held, network)
    ):
        cell = facts.network_events[_local(starts)[0]].setdefault(event, EventFacts())
        cell.sessions_held += 1
        cell.viewers += viewers
    for pid, event, starts in session.execute(
        sa.select(
            Attendance.participant_id, ActivitySession.network_event, ActivitySession.starts_at
        )
        .join(ActivitySession, ActivitySession.id == Attendance.session_id)
        .where(held, network, Attendance.status.in_(COUNTED_STATUSES))
    ):
        month, day = _local(starts)
        person = people[pid]
        key = (person.sex, person.band(day))
        cell = facts.network_events[month][event]
        cell.attendances[key] += 1
        cell.people[key].add(pid)


def _event_rows(facts: Facts, month: str) -> list[dict]:
    """The `network_events` section of month_report (schema 2), by central's id."""
    events = facts.network_events.get(month, {})
    return [
        {
            "event": event,
            "sessions_held": cell.sessions_held,
            "unregistered_viewers": cell.viewers,
            "attendance": [
                {
                    "sex": sex,
                    "age_band": band,
                    "attendances": cell.attendances[(sex, band)],
                    "participants": len(cell.people[(sex, band)]),
                }
                for sex, band in sorted(cell.attendances)
            ],
        }
        for event, cell in sorted(events.items(), key=lambda item: int(item[0][3:]))
    ]


def _add(bucket: dict, key, **measures) -> None:
    counter = bucket.get(key)
    if counter is None:
        counter = bucket[key] = Counter()
    for name, value in measures.items():
        counter[name] += value


def _learning(session, people, facts, firsts) -> list[tuple[int, str, datetime]]:
    """Lesson activity and completions; returns the completions (person, category, when)."""
    for pid, category, commodity, moment in session.execute(
        sa.select(
            Enrolment.participant_id, Course.category, Course.commodity, LessonProgress.completed_at
        )
        .join(Enrolment, Enrolment.id == LessonProgress.enrolment_id)
        .join(Course, Course.id == Enrolment.course_id)
    ):
        scopes = ("any", "self_paced", f"category:{category}", *_commodity_scopes(facts, commodity))
        firsts.see(pid, scopes, moment, _local(moment)[0])
    completed = []
    for pid, category, moment in session.execute(
        sa.select(Enrolment.participant_id, Course.category, Enrolment.completed_at)
        .join(Course, Course.id == Enrolment.course_id)
        .where(Enrolment.completed_at.is_not(None))
    ):
        month, day = _local(moment)
        person = people[pid]
        _add(facts.completions[month], (category, person.sex, person.band(day)), completions=1)
        completed.append((pid, category, moment))
        facts.months.add(month)
    return completed


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


def _trained(facts, firsts, completed, training) -> None:
    rules = facts.rules if facts.schema == 2 else SCHEMA_1_RULES
    for pid, category, moment in trained_events(rules, completed, training):
        scopes = ("trained", f"trained:{category}") if facts.schema == 2 else ("trained",)
        firsts.see(pid, scopes, moment, _local(moment)[0])


def _reach(facts, firsts, people) -> None:
    periods = PERIODS if facts.schema == 2 else ("ever",)
    attributes: dict[tuple[int, datetime], tuple] = {}  # the same event serves many scopes
    reach, with_period = facts.reach, facts.schema == 2
    for pid, scope, month, moment, kinds in firsts.firsts(periods, facts.rules.fiscal_year_start):
        who = attributes.get((pid, moment))
        if who is None:
            person, day = people[pid], _local(moment)[1]
            who = attributes[(pid, moment)] = (person.sex, person.band(day), person.wfi(day))
        cells = reach[month]
        if not with_period:
            cells[(scope, *who)] += 1
            continue
        for kind in kinds:
            cells[(kind, scope, *who)] += 1
    facts.months.update(reach)


def collect(session: Session, *, schema: int = month_report.SCHEMA) -> Facts:
    people = _people(session)
    facts = Facts(schema=schema, rules=current_rules(session), people=people)
    firsts = FirstEvents()
    training: list[TrainingAttendance] = []
    _sessions_and_attendance(session, people, facts, firsts, training)
    if schema == 2:
        _network_events(session, people, facts)
    completed = _learning(session, people, facts, firsts)
    _registry(session, people, facts)
    _trained(facts, firsts, completed, training)
    _reach(facts, firsts, people)
    return facts


def _rows(table: str, bucket: dict, shape, schema: int) -> list[dict]:
    dims, _measures = month_report.TABLES_BY_SCHEMA[schema][table]
    return [dict(zip(dims, key, strict=True)) | shape(key, bucket[key]) for key in sorted(bucket)]


HOURS_DECIMALS = 6


def _hours(value: float) -> float:
    """Hours to 6 decimals, not 2: central adds up thousands of rows, and three 80-minute
    sessions rounded to 1.33 each would add up to 3.99 hours instead of 4."""
    return round(value, HOURS_DECIMALS)


def _outcome_rows(facts: Facts, month: str) -> list[dict]:
    measures = month_report.WFI_OUTCOME_MEASURES
    return [
        {"age_band": band} | {name: cell[name] for name in measures}
        for band, cell in sorted(facts.wfi_outcomes.get(month, {}).items())
    ]


def report_for(facts: Facts, month: str, *, telecenter: str, generated_at: datetime) -> dict:
    people, schema = facts.attendance_people, facts.schema
    header: dict = {
        "schema": schema,
        "telecenter": telecenter,
        "month": month,
        "generated_at": month_report.stamp(generated_at),
    }
    if schema == 2:
        header["rules_version"] = facts.rules.rules_version
    tables = {
        "sessions": _rows(
            "sessions",
            facts.sessions.get(month, {}),
            lambda k, v: {
                "sessions_held": v["held"],
                "session_hours": _hours(v["hours"]),
                "unregistered_viewers": v["viewers"],
            },
            schema,
        ),
        "attendance": _rows(
            "attendance",
            facts.attendance.get(month, {}),
            lambda k, v: {
                "attendances": v["attendances"],
                "hours": _hours(v["hours"]),
                "participants": len(people[(month, k)]),
            },
            schema,
        ),
        "registrations": _rows(
            "registrations",
            facts.registrations.get(month, {}),
            lambda k, v: {"registrations": v["registrations"]},
            schema,
        ),
        "completions": _rows(
            "completions",
            facts.completions.get(month, {}),
            lambda k, v: {"completions": v["completions"]},
            schema,
        ),
        "wfi_enrolments": _rows(
            "wfi_enrolments",
            facts.wfi_enrolments.get(month, {}),
            lambda k, v: {"enrolments": v["enrolments"]},
            schema,
        ),
        "reach": _rows("reach", facts.reach.get(month, {}), lambda k, v: {"new_people": v}, schema),
    }
    if schema == 2:
        tables["wfi_outcomes"] = _outcome_rows(facts, month)
        if month in facts.network_events:  # only then: other months keep their digest
            tables["network_events"] = _event_rows(facts, month)
    return header | tables


def months_between(first: str, last: str) -> list[str]:
    year, month = map(int, first.split("-"))
    end = tuple(map(int, last.split("-")))
    months = []
    while (year, month) <= end:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def report_schema() -> int:
    """The schema this site sends: REPORT_SCHEMA (2 unless a central not yet upgraded needs 1)."""
    if has_app_context():
        return int(current_app.config.get("REPORT_SCHEMA", month_report.SCHEMA))
    return month_report.SCHEMA


def monthly_reports(
    session: Session,
    *,
    telecenter: str,
    first: str | None = None,
    last: str | None = None,
    schema: int | None = None,
) -> list[dict]:
    """Reports for every month from `first` (default: the site's first data) to `last`, in
    `schema` (default: REPORT_SCHEMA)."""
    with paused_gc():
        return _monthly_reports(session, telecenter, first, last, schema or report_schema())


def _monthly_reports(session, telecenter, first, last, schema) -> list[dict]:
    facts = collect(session, schema=schema)
    now = utcnow()
    last = last or month_report.month_of(to_lima(now))
    first = first or (min(facts.months) if facts.months else last)
    months = months_between(first, last)
    if facts.schema == 2:
        # A stock: every month from the first enrolment on has rows, with or without events.
        people = facts.people
        facts.wfi_outcomes = outcomes(session, months, lambda pid, day: people[pid].band(day))
    return [report_for(facts, month, telecenter=telecenter, generated_at=now) for month in months]
