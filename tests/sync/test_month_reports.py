"""The counting rules: reach totals equal distinct counts; event facts add up; no personal data."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

import pytest

from telecenter import month_report, vocabulary
from telecenter.attendance.models import ActivitySession, Attendance
from telecenter.extensions import db
from telecenter.participants.models import Participant
from telecenter.sync.month_reports import monthly_reports
from tests.sync import oracle
from tests.sync.generate import distinct_people, populate

CODE = "SM-PRUEBA-01"


@pytest.fixture
def site(app_ctx):
    generated = populate(db.session, seed=11)
    db.session.commit()
    return generated


def _reports():
    return monthly_reports(db.session, telecenter=CODE, first="2024-06", last="2026-11")


def test_every_report_is_valid(site):
    for report in _reports():
        assert month_report.validate(report) == []


@pytest.mark.parametrize("scope", vocabulary.SCOPES)
def test_reach_summed_over_months_equals_the_distinct_count(site, scope):
    total = sum(
        row["new_people"]
        for report in _reports()
        for row in report["reach"]
        if row["scope"] == scope
    )
    assert total == distinct_people(db.session, scope)


def test_people_crossed_age_bands_and_came_back(site):
    """The generated data really exercises the hard cases."""
    bands = Counter()
    for report in _reports():
        for row in report["attendance"]:
            bands[row["age_band"]] += row["attendances"]
    assert len([band for band, n in bands.items() if n]) >= 5
    people_months = Counter()
    for report in _reports():
        for row in report["reach"]:
            if row["scope"] == "any":
                people_months[report["month"]] += row["new_people"]
    assert len(people_months) >= 6  # first visits spread over many months


def test_attendance_facts_add_up_to_the_records(site):
    attendances = sum(row["attendances"] for r in _reports() for row in r["attendance"])
    expected = db.session.scalar(
        db.select(db.func.count(Attendance.id))
        .join(ActivitySession, ActivitySession.id == Attendance.session_id)
        .where(ActivitySession.state == "held", Attendance.status.in_(("present", "late")))
    )
    assert attendances == expected
    held = sum(row["sessions_held"] for r in _reports() for row in r["sessions"])
    assert held == db.session.scalar(
        db.select(db.func.count(ActivitySession.id)).where(ActivitySession.state == "held")
    )
    registrations = sum(row["registrations"] for r in _reports() for row in r["registrations"])
    assert registrations == db.session.scalar(db.select(db.func.count(Participant.id)))


def test_participants_in_a_row_are_distinct_within_it(site):
    for report in _reports():
        for row in report["attendance"]:
            assert 1 <= row["participants"] <= row["attendances"]


def test_erasure_does_not_change_any_report(site):
    before = [month_report.digest(r) for r in _reports()]
    from telecenter.participants import rights

    survivor = db.session.scalars(
        db.select(Participant).where(Participant.erased_at.is_(None))
    ).first()
    rights.erase(db.session, survivor, actor=None, reason="requested")
    db.session.commit()
    assert [month_report.digest(r) for r in _reports()] == before


def test_a_corrected_birth_date_moves_the_counts(site):
    before = {r["month"]: month_report.digest(r) for r in _reports()}
    attendee = db.session.scalar(
        db.select(Participant)
        .join(Attendance, Attendance.participant_id == Participant.id)
        .where(Participant.erased_at.is_(None), Participant.birth_date.is_not(None))
        .limit(1)
    )
    registered = attendee.registered_at.date()
    new_birth = date(1995, 1, 1) if attendee.age_band_on(registered) == "60+" else date(1950, 1, 1)
    attendee.birth_date, attendee.birth_year = new_birth, new_birth.year
    db.session.commit()
    after = {r["month"]: month_report.digest(r) for r in _reports()}
    assert any(before[m] != after[m] for m in before)


def test_no_personal_data_in_any_report(site):
    text = json.dumps(_reports(), ensure_ascii=False)
    people = db.session.scalars(db.select(Participant)).all()
    assert people
    for person in people:
        for value in (
            person.given_names,
            person.surnames,
            person.document_number,
            person.phone,
            person.code,
        ):
            if value:
                assert value not in text
        if person.birth_date:
            assert person.birth_date.isoformat() not in text
            assert person.birth_date.strftime("%d/%m/%Y") not in text


def test_every_cell_of_every_month_equals_an_independent_count(site):
    """The whole generated history (events near midnight and at month ends, people crossing
    age bands and joining the programme midway) against tests/sync/oracle.py."""
    with db.engine.connect() as connection:
        expected = oracle.canonical(oracle.expected_reports(connection))
    produced = oracle.canonical(
        {r["month"]: {t: r[t] for t in month_report.TABLES} for r in _reports()}
    )
    assert set(produced) == set(expected)
    for month in expected:
        assert produced[month] == expected[month], month
    late = [
        moment
        for (moment,) in db.session.execute(db.select(ActivitySession.starts_at))
        if moment.hour < 5
    ]  # UTC hour: the evening before, in Lima
    assert late, "the generated data has no session late at night"
