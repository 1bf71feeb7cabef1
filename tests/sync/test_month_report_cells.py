"""Every cell of a site's month reports, pinned by hand.

Three people, six sessions, a few lessons and completions, placed where counting goes wrong:
events late at night on the last day of a month (Lima's month, not UTC's), a birthday and a
programme entry on the very day of an event (age band and programme status *at the event*), a
birth year only (1 July), two attendances of one person in one row, a cancelled session, an
absent and an excused person. The expected rows below are written out by hand from the
records; nothing here calls the counting code to find out what it should say.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from telecenter import month_report
from telecenter.attendance.models import ActivitySession, Attendance
from telecenter.courses.models import Enrolment, LessonProgress
from telecenter.extensions import db
from telecenter.participants.models import Participant, WfiEnrolment
from telecenter.sync.month_reports import monthly_reports
from tests.sync.generate import make_course

CODE = "SM-CELDAS-01"


def lima(year, month, day, hour=12, minute=0) -> datetime:
    """A Lima wall-clock time as the UTC moment stored (Lima is UTC-5, no summer time)."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC) + timedelta(hours=5)


def _person(code, sex, *, birth_date=None, birth_year=None, registered_at) -> Participant:
    person = Participant(
        code=code,
        given_names="Ana",
        surnames="Prueba",
        document_type="none",
        sex=sex,
        birth_date=birth_date,
        birth_year=birth_year,
        community="Pucayacu",
        district_ubigeo="220901",
        registered_at=registered_at,
    )
    db.session.add(person)
    db.session.flush()
    return person


def _session(kind, category, starts, hours, *, state="held", viewers=0) -> ActivitySession:
    item = ActivitySession(
        kind=kind,
        title=kind,
        category=category,
        starts_at=starts,
        ends_at=starts + timedelta(hours=hours),
        state=state,
        unregistered_viewers=viewers,
    )
    db.session.add(item)
    db.session.flush()
    return item


def _attend(item, person, status="present") -> None:
    db.session.add(Attendance(session_id=item.id, participant_id=person.id, status=status))


def _learn(person, course, *, lessons=(), completed=None) -> None:
    enrolment = Enrolment(
        course_id=course.id,
        participant_id=person.id,
        completed_at=completed,
        completed_by="lessons" if completed else None,
    )
    db.session.add(enrolment)
    db.session.flush()
    for lesson, moment in zip(course.lessons, lessons, strict=False):
        db.session.add(
            LessonProgress(enrolment_id=enrolment.id, lesson_id=lesson.id, completed_at=moment)
        )


@pytest.fixture
def records(app_ctx):
    # Flor: turns 30 on 2026-03-10, enters the programme that same day.
    flor = _person(
        "C00001", "female", birth_date=date(1996, 3, 10), registered_at=lima(2026, 2, 28, 23, 30)
    )  # 1 March in UTC
    db.session.add(
        WfiEnrolment(participant_id=flor.id, enrolled_on=date(2026, 3, 10), telecenter_code=CODE)
    )
    # Mario: birth year only, so 45 from 1 July 2026.
    mario = _person("C00002", "male", birth_year=1981, registered_at=lima(2026, 6, 30, 22))
    # Uri: no sex, no birth.
    uri = _person("C00003", "unspecified", registered_at=lima(2026, 3, 5, 9))

    tele = _session("teleconference", "agriculture", lima(2026, 3, 9, 20), 1.5, viewers=7)
    night_class = _session("class", "digital_literacy", lima(2026, 3, 31, 23), 2.25)
    workshop = _session("workshop", "financial_literacy", lima(2026, 3, 10, 9), 2)
    april_a = _session("class", "digital_literacy", lima(2026, 4, 15, 10), 4 / 3)
    april_b = _session("class", "digital_literacy", lima(2026, 4, 20, 10), 2)
    cancelled = _session("workshop", "other", lima(2026, 4, 22, 10), 3, state="cancelled")
    scheduled = _session("class", "other", lima(2026, 5, 4, 10), 1, state="scheduled")

    for person in (flor, mario, uri):
        _attend(tele, person)
    _attend(night_class, flor, "late")
    _attend(night_class, mario, "absent")
    _attend(workshop, flor)
    _attend(april_a, flor)
    _attend(april_a, mario, "excused")
    _attend(april_a, uri, "late")
    _attend(april_b, flor)
    _attend(cancelled, flor)
    _attend(scheduled, uri)

    finance = make_course(db.session, "finanzas", "financial_literacy")
    digital = make_course(db.session, "digital", "digital_literacy")
    other = make_course(db.session, "otros", "other")
    _learn(flor, finance, lessons=[lima(2026, 4, 20, 16)], completed=lima(2026, 4, 30, 22))
    _learn(flor, digital, completed=lima(2026, 5, 2, 10))
    _learn(mario, digital, lessons=[lima(2026, 6, 30, 21)], completed=lima(2026, 6, 30, 21))
    _learn(uri, other, lessons=[lima(2026, 2, 10, 8)])
    db.session.commit()


def _reports(first="2026-01", last="2026-07"):
    return {
        r["month"]: r for r in monthly_reports(db.session, telecenter=CODE, first=first, last=last)
    }


def _rows(report, table):
    dims, _measures = month_report.TABLES[table]
    return sorted(report[table], key=lambda row: tuple(str(row[d]) for d in dims))


def _sorted(table, rows):
    dims, _measures = month_report.TABLES[table]
    return sorted(rows, key=lambda row: tuple(str(row[d]) for d in dims))


def _att(activity, category, sex, band, wfi, attendances, hours, participants):
    return {
        "activity": activity,
        "category": category,
        "sex": sex,
        "age_band": band,
        "wfi": wfi,
        "attendances": attendances,
        "hours": hours,
        "participants": participants,
    }


def _reach(*rows):
    return _sorted(
        "reach",
        [
            {"scope": scope, "sex": sex, "age_band": band, "wfi": wfi, "new_people": n}
            for scope, sex, band, wfi, n in rows
        ],
    )


EXPECTED = {
    "2026-01": {table: [] for table in month_report.TABLES},
    "2026-02": {
        "sessions": [],
        "attendance": [],
        "completions": [],
        "wfi_enrolments": [],
        "registrations": [{"sex": "female", "age_band": "18-29", "registrations": 1}],
        "reach": _reach(
            ("any", "unspecified", "unknown", False, 1),
            ("self_paced", "unspecified", "unknown", False, 1),
            ("category:other", "unspecified", "unknown", False, 1),
        ),
    },
    "2026-03": {
        "sessions": [
            {
                "activity": "class",
                "category": "digital_literacy",
                "sessions_held": 1,
                "session_hours": 2.25,
                "unregistered_viewers": 0,
            },
            {
                "activity": "teleconference",
                "category": "agriculture",
                "sessions_held": 1,
                "session_hours": 1.5,
                "unregistered_viewers": 7,
            },
            {
                "activity": "workshop",
                "category": "financial_literacy",
                "sessions_held": 1,
                "session_hours": 2.0,
                "unregistered_viewers": 0,
            },
        ],
        "attendance": [
            _att("class", "digital_literacy", "female", "30-44", True, 1, 2.25, 1),
            _att("teleconference", "agriculture", "female", "18-29", False, 1, 1.5, 1),
            _att("teleconference", "agriculture", "male", "30-44", False, 1, 1.5, 1),
            _att("teleconference", "agriculture", "unspecified", "unknown", False, 1, 1.5, 1),
            _att("workshop", "financial_literacy", "female", "30-44", True, 1, 2.0, 1),
        ],
        "registrations": [{"sex": "unspecified", "age_band": "unknown", "registrations": 1}],
        "completions": [],
        "wfi_enrolments": [{"age_band": "30-44", "enrolments": 1}],
        "reach": _reach(
            ("any", "female", "18-29", False, 1),
            ("activity:teleconference", "female", "18-29", False, 1),
            ("category:agriculture", "female", "18-29", False, 1),
            ("activity:workshop", "female", "30-44", True, 1),
            ("category:financial_literacy", "female", "30-44", True, 1),
            ("activity:class", "female", "30-44", True, 1),
            ("category:digital_literacy", "female", "30-44", True, 1),
            ("any", "male", "30-44", False, 1),
            ("activity:teleconference", "male", "30-44", False, 1),
            ("category:agriculture", "male", "30-44", False, 1),
            ("activity:teleconference", "unspecified", "unknown", False, 1),
            ("category:agriculture", "unspecified", "unknown", False, 1),
        ),
    },
    "2026-04": {
        "sessions": [
            {
                "activity": "class",
                "category": "digital_literacy",
                "sessions_held": 2,
                "session_hours": 3.333333,
                "unregistered_viewers": 0,
            }
        ],
        "attendance": [
            _att("class", "digital_literacy", "female", "30-44", True, 2, 3.333333, 1),
            _att("class", "digital_literacy", "unspecified", "unknown", False, 1, 1.333333, 1),
        ],
        "registrations": [],
        "wfi_enrolments": [],
        "completions": [
            {
                "category": "financial_literacy",
                "sex": "female",
                "age_band": "30-44",
                "completions": 1,
            }
        ],
        "reach": _reach(
            ("self_paced", "female", "30-44", True, 1),
            ("trained", "female", "30-44", True, 1),
            ("activity:class", "unspecified", "unknown", False, 1),
            ("category:digital_literacy", "unspecified", "unknown", False, 1),
        ),
    },
    "2026-05": {
        "sessions": [],
        "attendance": [],
        "registrations": [],
        "wfi_enrolments": [],
        "completions": [
            {"category": "digital_literacy", "sex": "female", "age_band": "30-44", "completions": 1}
        ],
        "reach": [],
    },
    "2026-06": {
        "sessions": [],
        "attendance": [],
        "wfi_enrolments": [],
        "registrations": [{"sex": "male", "age_band": "30-44", "registrations": 1}],
        "completions": [
            {"category": "digital_literacy", "sex": "male", "age_band": "30-44", "completions": 1}
        ],
        "reach": _reach(
            ("self_paced", "male", "30-44", False, 1),
            ("category:digital_literacy", "male", "30-44", False, 1),
            ("trained", "male", "30-44", False, 1),
        ),
    },
    "2026-07": {table: [] for table in month_report.TABLES},
}


@pytest.mark.parametrize("month", sorted(EXPECTED))
@pytest.mark.parametrize("table", list(month_report.TABLES))
def test_every_cell_of_every_month(records, month, table):
    assert _rows(_reports()[month], table) == _sorted(table, EXPECTED[month][table])


def test_the_report_carries_its_telecenter_month_and_time(records):
    with time_machine.travel(datetime(2026, 8, 1, 3, 0, tzinfo=UTC), tick=False):
        produced = monthly_reports(db.session, telecenter=CODE)
    # Still 31 July in Lima: the last month is July, the first is the site's first data.
    assert [r["month"] for r in produced] == [
        "2026-02",
        "2026-03",
        "2026-04",
        "2026-05",
        "2026-06",
        "2026-07",
    ]
    assert {r["telecenter"] for r in produced} == {CODE}
    assert {r["schema"] for r in produced} == {1}
    assert {r["generated_at"] for r in produced} == {"2026-08-01T03:00:00Z"}
    assert all(month_report.validate(r) == [] for r in produced)


def test_a_window_inside_the_data_keeps_only_its_months(records):
    assert list(_reports(first="2026-03", last="2026-04")) == ["2026-03", "2026-04"]
    assert (
        _rows(_reports(first="2026-04", last="2026-04")["2026-04"], "reach")
        == EXPECTED["2026-04"]["reach"]
    )


def test_a_site_with_no_data_reports_the_current_month_empty(app_ctx):
    with time_machine.travel(datetime(2027, 1, 1, 4, 59, tzinfo=UTC), tick=False):
        produced = monthly_reports(db.session, telecenter=CODE)
    assert [r["month"] for r in produced] == ["2026-12"]  # 23:59 on 31 December in Lima
    assert all(produced[0][table] == [] for table in month_report.TABLES)


def test_each_reach_scope_counts_each_person_once(records):
    """Over all months, the reach of a scope is the people ever active in it, by hand."""
    produced = _reports()
    ever = {}
    for report in produced.values():
        for row in report["reach"]:
            ever[row["scope"]] = ever.get(row["scope"], 0) + row["new_people"]
    assert ever == {
        "any": 3,
        "self_paced": 3,
        "trained": 2,
        "activity:teleconference": 3,
        "activity:class": 2,
        "activity:workshop": 1,
        "category:agriculture": 3,
        "category:digital_literacy": 3,
        "category:financial_literacy": 1,
        "category:other": 1,
    }
