"""Every cell of a site's month reports, pinned by hand.

Three people, six sessions, a few lessons and completions, placed where counting goes wrong:
events late at night on the last day of a month (Lima's month, not UTC's), a birthday and a
programme entry on the very day of an event (age band and programme status *at the event*), a
birth year only (1 July), two attendances of one person in one row, a cancelled session, an
absent and an excused person. The expected rows below are written out by hand from the
records; nothing here calls the counting code to find out what it should say.

The full tables are pinned in schema 1 (REPORT_SCHEMA=1, what a site sends to a central not
yet upgraded); schema 2's additions (reach per period, trained by subject, crops and talks,
the programme's outcomes) are pinned after them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from telecenter import month_report
from telecenter.attendance.models import ActivitySession, Attendance
from telecenter.courses.models import Enrolment, LessonProgress
from telecenter.extensions import db
from telecenter.participants.models import Participant, WfiEnrolment, WfiSurvey
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

    tele.purpose, tele.commodity = "talk", "cacao"
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
    _survey(flor, "baseline", date(2026, 4, 5), ["caja_rural"], [], True, "not_possible")
    _survey(flor, "follow_up", date(2026, 6, 15), ["caja_rural"], ["yape"], False, "very_possible")
    db.session.commit()


def _survey(person, kind, day, accounts, wallets, saved, emergency) -> None:
    db.session.add(
        WfiSurvey(
            participant_id=person.id,
            kind=kind,
            taken_on=day,
            phone_access="own",
            account_institutions=accounts,
            wallets_used=wallets,
            digital_payment=False,
            saved=saved,
            savings_group_member=False,
            borrowed=False,
            emergency_funds=emergency,
            has_own_income=True,
        )
    )


@pytest.fixture
def schema_1(app_ctx):
    """The site sends schema 1, as REPORT_SCHEMA=1 makes it."""
    from flask import current_app

    current_app.config["REPORT_SCHEMA"] = 1
    yield
    current_app.config["REPORT_SCHEMA"] = 2


def _reports(first="2026-01", last="2026-07"):
    return {
        r["month"]: r for r in monthly_reports(db.session, telecenter=CODE, first=first, last=last)
    }


def _rows(report, table):
    dims, _measures = month_report.TABLES_V1[table]
    return sorted(report[table], key=lambda row: tuple(str(row[d]) for d in dims))


def _sorted(table, rows):
    dims, _measures = month_report.TABLES_V1[table]
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
    "2026-01": {table: [] for table in month_report.TABLES_V1},
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
    "2026-07": {table: [] for table in month_report.TABLES_V1},
}


@pytest.mark.parametrize("month", sorted(EXPECTED))
@pytest.mark.parametrize("table", list(month_report.TABLES_V1))
def test_every_cell_of_every_month(schema_1, records, month, table):
    assert _rows(_reports()[month], table) == _sorted(table, EXPECTED[month][table])


def test_the_report_carries_its_telecenter_month_and_time(schema_1, records):
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


def test_a_window_inside_the_data_keeps_only_its_months(schema_1, records):
    assert list(_reports(first="2026-03", last="2026-04")) == ["2026-03", "2026-04"]
    assert (
        _rows(_reports(first="2026-04", last="2026-04")["2026-04"], "reach")
        == EXPECTED["2026-04"]["reach"]
    )


def test_a_site_with_no_data_reports_the_current_month_empty(app_ctx):
    with time_machine.travel(datetime(2027, 1, 1, 4, 59, tzinfo=UTC), tick=False):
        produced = monthly_reports(db.session, telecenter=CODE)
    assert [r["month"] for r in produced] == ["2026-12"]  # 23:59 on 31 December in Lima
    assert produced[0]["schema"] == 2
    assert produced[0]["rules_version"] == "1"
    assert all(produced[0][table] == [] for table in month_report.TABLES)


def test_each_reach_scope_counts_each_person_once(schema_1, records):
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


def _new(report, period, scope) -> int:
    return sum(
        row["new_people"]
        for row in report["reach"]
        if row["period"] == period and row["scope"] == scope
    )


PERIOD_KINDS = ("ever", "fiscal_year", "year", "quarter", "month")
#: People new in `any` per month and period kind, by hand: Uri's lesson in February; Flor,
#: Mario and Uri at the March talk (Uri new only in the month); Flor and Uri back in April,
#: the first time in the second quarter; Mario's lesson on 30 June, his first in that quarter.
ANY_BY_PERIOD = {
    "2026-01": (0, 0, 0, 0, 0),
    "2026-02": (1, 1, 1, 1, 1),
    "2026-03": (2, 2, 2, 2, 3),
    "2026-04": (0, 0, 0, 2, 2),
    "2026-05": (0, 0, 0, 0, 0),
    "2026-06": (0, 0, 0, 1, 1),
    "2026-07": (0, 0, 0, 0, 0),
}


@pytest.mark.parametrize("month", sorted(ANY_BY_PERIOD))
def test_schema_2_reach_counts_each_person_once_per_period(records, month):
    report = _reports()[month]
    assert report["schema"] == 2
    assert tuple(_new(report, kind, "any") for kind in PERIOD_KINDS) == ANY_BY_PERIOD[month]


def test_schema_2_trained_by_subject_and_crop(records):
    """Flor completes finance in April and digital in May: trained once (April), and once
    in each subject; Mario digital in June. The cacao talk reaches all three, in March."""
    reports = _reports()
    ever = {}
    for report in reports.values():
        for row in report["reach"]:
            if row["period"] == "ever":
                ever[row["scope"]] = ever.get(row["scope"], 0) + row["new_people"]
    assert {k: v for k, v in ever.items() if k.startswith(("trained", "commodity"))} == {
        "trained": 2,
        "trained:financial_literacy": 1,
        "trained:digital_literacy": 2,
        "commodity:cacao": 3,
    }
    assert _new(reports["2026-05"], "quarter", "trained") == 0  # Flor: already in April
    assert _new(reports["2026-05"], "quarter", "trained:digital_literacy") == 1
    assert _new(reports["2026-03"], "month", "commodity:cacao") == 3
    assert {
        (row["commodity"], row["purpose"], row["sessions_held"])
        for row in reports["2026-03"]["sessions"]
    } == {("cacao", "talk", 1), ("none", "training", 1), ("none", "training", 1)}


def test_schema_2_talks_are_not_training(records):
    """Every session made part of one course, and one session enough to be trained: the
    March talk (9 March, all three) still trains nobody. Flor is trained by the workshop
    (10 March, her first session of the course: its subject counts); Uri by the April
    class; Mario, who came only to the talk (absent and excused otherwise), never."""
    from telecenter.courses.models import Course
    from telecenter.sync.models import NetworkSettings

    course = db.session.scalar(db.select(Course.id).limit(1))
    db.session.execute(db.update(ActivitySession).values(course_id=course))

    rules = {
        "rules_version": "2",
        "course_completed": False,
        "min_sessions": 1,
        "min_hours": None,
        "fiscal_year_start": 10,
    }
    db.session.add(NetworkSettings(id=1, version="2", settings={"counting_rules": rules}))
    db.session.commit()
    reports = _reports()
    assert {r["rules_version"] for r in reports.values()} == {"2"}
    trained = sorted(
        (month, row["scope"], row["sex"], row["new_people"])
        for month, report in reports.items()
        for row in report["reach"]
        if row["scope"].startswith("trained") and row["period"] == "ever"
    )
    assert trained == [
        ("2026-03", "trained", "female", 1),
        ("2026-03", "trained:financial_literacy", "female", 1),
        ("2026-04", "trained", "unspecified", 1),
        ("2026-04", "trained:digital_literacy", "unspecified", 1),
    ]


def _outcome(enrolled, baseline=0, follow_up=0, **counts) -> list[dict]:
    row = {"age_band": "30-44", "enrolled": enrolled}
    row |= {"with_baseline": baseline, "with_follow_up": follow_up}
    row |= {name: 0 for name in month_report.WFI_OUTCOME_MEASURES if name not in row}
    return [row | counts]


def test_schema_2_programme_outcomes_are_the_stock_at_each_months_end(records):
    """Flor enrols on 10 March (aged 30), baseline on 5 April (an account, saving, no
    emergency funds), follow-up on 15 June (account and Yape, no saving, emergency funds)."""
    reports = _reports()
    at_baseline = {"account_baseline": 1, "saving_baseline": 1}
    assert reports["2026-02"]["wfi_outcomes"] == []
    assert reports["2026-03"]["wfi_outcomes"] == _outcome(1)
    for month in ("2026-04", "2026-05"):
        assert reports[month]["wfi_outcomes"] == _outcome(
            1, 1, 0, **at_baseline, account_latest=1, saving_latest=1
        )
    for month in ("2026-06", "2026-07"):
        assert reports[month]["wfi_outcomes"] == _outcome(
            1, 1, 1, **at_baseline, account_latest=1, wallet_latest=1, emergency_funds_latest=1
        )
