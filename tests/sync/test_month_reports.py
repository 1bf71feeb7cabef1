"""The counting rules: reach totals equal distinct counts; event facts add up; no personal data.

Schema 2 (what sites send) unless a test asks for schema 1 (REPORT_SCHEMA=1)."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import date

import pytest

from telecenter import month_report, vocabulary
from telecenter.attendance.models import ActivitySession, Attendance
from telecenter.extensions import db
from telecenter.participants.models import Participant
from telecenter.sync.models import NetworkSettings
from telecenter.sync.month_reports import monthly_reports
from tests.sync import oracle
from tests.sync.generate import distinct_people, people_in, populate

CODE = "SM-PRUEBA-01"
FIRST, LAST = "2024-06", "2026-11"


@pytest.fixture
def site(app_ctx):
    generated = populate(db.session, seed=11)
    db.session.commit()
    return generated


def _reports(schema=None):
    return monthly_reports(db.session, telecenter=CODE, first=FIRST, last=LAST, schema=schema)


def _set_rules(**rules) -> dict:
    """Rules as central would send them, stored the way the site keeps them."""
    sent = {
        "rules_version": "7",
        "course_completed": True,
        "min_sessions": None,
        "min_hours": None,
        "fiscal_year_start": 10,
    } | rules
    db.session.merge(NetworkSettings(id=1, version="n7", settings={"counting_rules": sent}))
    db.session.commit()
    return sent


@pytest.mark.parametrize("schema", [1, 2])
def test_every_report_is_valid(site, schema):
    reports = _reports(schema)
    assert {r["schema"] for r in reports} == {schema}
    for report in reports:
        assert month_report.validate(report) == []
    assert ("rules_version" in reports[0]) is (schema == 2)


def test_the_generated_data_has_talks_crops_and_two_categories(site):
    """The hard cases of schema 2 are really in the generated records."""
    reach = Counter()
    for report in _reports():
        for row in report["attendance"]:
            reach[row["purpose"], row["commodity"]] += row["attendances"]
    assert {"training", "talk"} <= {purpose for purpose, _crop in reach}
    assert {"cacao", "coffee", "none"} <= {crop for _purpose, crop in reach}
    two = db.session.execute(
        db.text(
            "SELECT e.participant_id FROM enrolments e JOIN courses c ON c.id = e.course_id "
            "WHERE e.completed_at IS NOT NULL GROUP BY e.participant_id "
            "HAVING COUNT(DISTINCT c.category) > 1"
        )
    ).all()
    assert two, "nobody completed courses in two categories"


@pytest.mark.parametrize("scope", vocabulary.SCOPES)
def test_reach_summed_over_months_equals_the_distinct_count(site, scope):
    total = sum(
        row["new_people"]
        for report in _reports()
        for row in report["reach"]
        if row["scope"] == scope and row["period"] == "ever"
    )
    assert total == distinct_people(db.session, scope)


def _months_of_each_period(kind: str, fiscal_start: int = 10) -> dict[str, set[str]]:
    periods: dict[str, set[str]] = defaultdict(set)
    for report in _reports():
        periods[oracle.period_name(kind, report["month"], fiscal_start)].add(report["month"])
    return periods


def _sum(reports, **where) -> int:
    return sum(
        row["new_people"]
        for report in reports
        for row in report["reach"]
        if all(row[name] == value for name, value in where.items())
    )


@pytest.mark.parametrize("kind", ["fiscal_year", "year", "quarter", "month"])
def test_unique_people_in_each_period_equal_the_distinct_people_in_it(site, kind):
    """For every period, scope and sex, summing the period's months gives the people active
    in it, each once however often she came (and whether she came the year before)."""
    reports = {r["month"]: r for r in _reports()}
    sexes = {p.id: p.sex for p in db.session.scalars(db.select(Participant))}
    checked = 0
    for _name, months in _months_of_each_period(kind).items():
        inside = [reports[m] for m in months]
        for scope in vocabulary.SCOPES:
            people = people_in(db.session, scope, months)
            for sex in vocabulary.SEXES:
                expected = len([pid for pid in people if sexes[pid] == sex])
                assert _sum(inside, period=kind, scope=scope, sex=sex) == expected
                checked += expected
    assert checked > 0


@pytest.mark.parametrize("kind", ["fiscal_year", "year", "quarter"])
def test_new_and_continuing_add_up_to_the_unique_people(site, kind):
    """New = the `ever` rows over the period; Continuing = the rest, who had come before."""
    reports = {r["month"]: r for r in _reports()}
    continuing_seen = 0
    for _name, months in _months_of_each_period(kind).items():
        inside = [reports[m] for m in months]
        before = {m for m in reports if m < min(months)}
        for scope in ("any", "category:agriculture", "trained"):
            unique = people_in(db.session, scope, months)
            returning = unique & people_in(db.session, scope, before)
            new = _sum(inside, period="ever", scope=scope)
            assert _sum(inside, period=kind, scope=scope) == len(unique)
            assert new == len(unique - returning)
            assert len(unique) - new == len(returning)
            continuing_seen += len(returning)
    assert continuing_seen > 0, "nobody came back in a later period"


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
    """Not one event or reach count moves (the programme's outcomes lose her erased survey
    answers, so the woman chosen here has none)."""
    before = [month_report.digest(r) for r in _reports()]
    from telecenter.participants import rights
    from telecenter.participants.models import WfiSurvey

    survivor = db.session.scalars(
        db.select(Participant).where(
            Participant.erased_at.is_(None),
            Participant.id.not_in(db.select(WfiSurvey.participant_id)),
        )
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


def _compare_with_oracle(schema: int, rules: oracle.Rules) -> None:
    with db.engine.connect() as connection:
        expected = oracle.canonical(
            oracle.expected_reports(connection, schema=schema, rules=rules, last=LAST)
        )
    produced = oracle.canonical(
        {
            r["month"]: {t: r[t] for t in month_report.TABLES_BY_SCHEMA[schema]}
            for r in _reports(schema)
        }
    )
    assert set(produced) == set(expected)
    for month in expected:
        assert produced[month] == expected[month], month


@pytest.mark.parametrize("schema", [2, 1])
def test_every_cell_of_every_month_equals_an_independent_count(site, schema):
    """The whole generated history (events near midnight and at month ends, people crossing
    age bands and joining the programme midway) against tests/sync/oracle.py."""
    _compare_with_oracle(schema, oracle.Rules())
    late = [
        moment
        for (moment,) in db.session.execute(db.select(ActivitySession.starts_at))
        if moment.hour < 5
    ]  # UTC hour: the evening before, in Lima
    assert late, "the generated data has no session late at night"


RULES = [
    {"min_sessions": 2},
    {"course_completed": False, "min_sessions": 3},
    {"course_completed": False, "min_hours": 4.0},
    {"min_sessions": 2, "min_hours": 6.0, "fiscal_year_start": 1},
    {"fiscal_year_start": 7},
]


@pytest.mark.parametrize("rules", RULES)
def test_new_counting_rules_recompute_every_cell_exactly(site, rules):
    before = _reports()
    sent = _set_rules(**rules)
    after = _reports()
    assert {r["rules_version"] for r in after} == {"7"}
    assert [month_report.digest(r) for r in after] != [month_report.digest(r) for r in before]
    _compare_with_oracle(2, oracle.Rules(**{k: v for k, v in sent.items() if k != "rules_version"}))


def test_schema_1_keeps_trained_as_a_course_completed_whatever_the_rules(site):
    expected = [month_report.digest(r) for r in _reports(1)]
    _set_rules(course_completed=False, min_sessions=1, fiscal_year_start=1)
    assert [month_report.digest(r) for r in _reports(1)] == expected


def test_talks_never_make_anyone_trained(site):
    """Everyone attends only talks: reach still counts them, `trained*` has nobody, even when
    one session is enough to be trained."""
    db.session.execute(db.update(ActivitySession).values(purpose="talk"))
    _set_rules(course_completed=False, min_sessions=1, min_hours=0.5)
    reports = _reports()
    assert _sum(reports, period="ever", scope="any") == distinct_people(db.session, "any")
    trained = [
        row for report in reports for row in report["reach"] if row["scope"].startswith("trained")
    ]
    assert trained == []
    db.session.execute(db.update(ActivitySession).values(purpose="training"))
    db.session.commit()
    assert _sum(_reports(), period="ever", scope="trained") > 0


def test_programme_outcomes_are_a_stock_in_months_without_events(site):
    """After the last recorded event, each month still says how many women are enrolled
    and surveyed: the same stock, month after month, and such a month is not empty."""
    reports = {r["month"]: r for r in _reports()}
    enrolled = db.session.scalar(db.text("SELECT COUNT(*) FROM wfi_enrolments"))
    quiet = reports[LAST]
    assert all(not quiet[t] for t in ("sessions", "attendance", "reach", "registrations"))
    assert sum(row["enrolled"] for row in quiet["wfi_outcomes"]) == enrolled
    surveyed = db.session.scalar(
        db.text("SELECT COUNT(DISTINCT participant_id) FROM fi_surveys WHERE kind = 'baseline'")
    )
    assert sum(row["with_baseline"] for row in quiet["wfi_outcomes"]) == surveyed > 0
    assert sum(row["with_follow_up"] for row in quiet["wfi_outcomes"]) > 0
    assert reports[FIRST]["wfi_outcomes"] == []  # before anyone enrolled
