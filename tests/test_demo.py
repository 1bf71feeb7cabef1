"""The demo data: a living site (two years lived through the services) and a central whose
network figures come from simulated sites' own month reports.

Each demo is seeded once per module (seeding is the slow part: tens of seconds) on SQLite,
the database `make run` and `make demo` use. Expected numbers are counted here from the
site's records with plain SQL, not by the summary code under test.
"""

from __future__ import annotations

import csv
import shutil
import time
from collections import Counter, defaultdict
from datetime import UTC, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from telecenter import create_app, month_report
from telecenter.central import aggregates, ingest
from telecenter.central.models import FACT_TABLES, REACH_COLUMNS, Telecenter
from telecenter.clock import to_lima, utcnow
from telecenter.demo import DEMO_RESIDENT, DEMO_RESIDENT_CODE, SITE_ACCOUNTS
from telecenter.demo_network import NETWORK, SimulatedSite, telecenters
from telecenter.extensions import db
from tests.conftest import base_config

CODE = "SM-PUCAYACU-01"
AGE_BANDS = {"15-17", "18-29", "30-44", "45-59", "60+"}
#: People counted the first time ever: what these checks add up month by month.
EVER = REACH_COLUMNS["ever"]
TABLES = (
    "participants",
    "activity_sessions",
    "attendances",
    "session_registrations",
    "enrolments",
    "lesson_progress",
    "quiz_attempts",
    "wfi_enrolments",
    "fi_surveys",
    "users",
    "audit_entries",
)


def _seeded(tmp_path_factory, template: Path, role: str, **extra):
    folder = tmp_path_factory.mktemp(f"demo-{role}")
    path = folder / "demo.sqlite3"
    shutil.copyfile(template, path)
    app = create_app(
        base_config(f"sqlite:///{path}", TELECENTER_ROLE=role, **extra),
        instance_path=str(folder / "instance"),
    )
    started = time.process_time()
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    app.config["DEMO_SEED_CPU_SECONDS"] = time.process_time() - started
    return app


def _counts(app, tables) -> dict[str, int]:
    with app.app_context():
        return {
            name: db.session.execute(sa.text(f"SELECT count(*) FROM {name}")).scalar_one()  # noqa: S608
            for name in tables
        }


@pytest.fixture(scope="module")
def site(tmp_path_factory, sqlite_template):
    app = _seeded(tmp_path_factory, sqlite_template, "site", TELECENTER_CODE=CODE)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def reports(site):
    from telecenter.sync.month_reports import monthly_reports

    with site.app_context():
        return monthly_reports(db.session, telecenter=CODE)


def _sql(app, query: str, **params):
    with app.app_context():
        return db.session.execute(sa.text(query), params).all()


def _total(reports, table, measure, **where) -> int:
    if table == "reach":
        where.setdefault("period", "ever")  # first times ever (schema 1's reach)
    return sum(
        row[measure]
        for report in reports
        for row in report[table]
        if all(row[k] == v for k, v in where.items())
    )


# -- the site ---------------------------------------------------------------------------


def test_the_demo_site_reports_pass_centrals_checks(site, reports):
    assert [problem for report in reports for problem in month_report.validate(report)] == []
    items = ingest.check_request(
        {"schema": month_report.SCHEMA, "telecenter": CODE, "reports": reports},
        Telecenter(code=CODE),
    )
    assert len(items) == len(reports) >= 24


def test_the_demo_site_has_two_years_of_life_in_its_reports(reports):
    busy = [r for r in reports if _total([r], "sessions", "sessions_held") > 0]
    assert len(busy) >= 23
    assert sum(1 for r in reports if _total([r], "attendance", "attendances") > 0) >= 23
    reached_months = [
        r["month"] for r in reports if _total([r], "reach", "new_people", scope="any")
    ]
    assert len(reached_months) >= 12
    viewer_months = [r for r in reports if _total([r], "sessions", "unregistered_viewers") > 0]
    assert len(viewer_months) >= 20
    bands = {row["age_band"] for r in reports for row in r["attendance"]}
    assert bands >= AGE_BANDS | {"unknown"}
    assert {row["age_band"] for r in reports for row in r["registrations"]} >= AGE_BANDS
    assert {row["sex"] for r in reports for row in r["attendance"]} >= {"female", "male"}
    activities = {row["activity"] for r in reports for row in r["sessions"]}
    assert activities == {"class", "teleconference", "workshop"}
    assert _total(reports, "completions", "completions") > 20
    assert _total(reports, "wfi_enrolments", "enrolments") > 20
    assert any(row["wfi"] for r in reports for row in r["attendance"])


def test_the_demo_site_reports_equal_plain_counts_of_its_records(site, reports):
    counted = "a.status IN ('present', 'late') AND s.state = 'held'"
    ((attendances,),) = _sql(
        site,
        f"SELECT count(*) FROM attendances a JOIN activity_sessions s ON s.id = a.session_id WHERE {counted}",  # noqa: E501, S608
    )
    ((teleconference_people,),) = _sql(
        site,
        "SELECT count(DISTINCT a.participant_id) FROM attendances a JOIN activity_sessions s "  # noqa: S608
        f"ON s.id = a.session_id WHERE {counted} AND s.kind = 'teleconference'",
    )
    ((reached,),) = _sql(
        site,
        "SELECT count(*) FROM (SELECT a.participant_id FROM attendances a JOIN activity_sessions"  # noqa: S608
        f" s ON s.id = a.session_id WHERE {counted} UNION SELECT e.participant_id FROM "
        "lesson_progress p JOIN enrolments e ON e.id = p.enrolment_id)",
    )
    ((trained,),) = _sql(
        site,
        "SELECT count(DISTINCT participant_id) FROM enrolments WHERE completed_at IS NOT NULL",
    )
    ((held,),) = _sql(site, "SELECT count(*) FROM activity_sessions WHERE state = 'held'")
    ((viewers,),) = _sql(site, "SELECT sum(unregistered_viewers) FROM activity_sessions")
    ((people,),) = _sql(site, "SELECT count(*) FROM participants")
    ((women_in_programme,),) = _sql(site, "SELECT count(*) FROM wfi_enrolments")
    assert _total(reports, "attendance", "attendances") == attendances > 1000
    assert _total(reports, "sessions", "sessions_held") == held > 150
    assert _total(reports, "sessions", "unregistered_viewers") == viewers > 100
    assert _total(reports, "registrations", "registrations") == people
    assert 140 <= people <= 160
    assert _total(reports, "reach", "new_people", scope="any") == reached
    assert (
        _total(reports, "reach", "new_people", scope="activity:teleconference")
        == teleconference_people
        > 30
    )
    assert _total(reports, "reach", "new_people", scope="trained") == trained > 20
    assert _total(reports, "wfi_enrolments", "enrolments") == women_in_programme


def test_the_demo_site_has_absences_latecomers_certificates_and_surveys(site):
    statuses = dict(_sql(site, "SELECT status, count(*) FROM attendances GROUP BY status"))
    assert statuses["present"] > statuses["absent"] > 0
    assert statuses["late"] > 0
    assert statuses["excused"] > 0
    ((certificates,),) = _sql(
        site, "SELECT count(*) FROM enrolments WHERE certificate_code IS NOT NULL"
    )
    assert certificates > 20
    kinds = dict(_sql(site, "SELECT kind, count(*) FROM fi_surveys GROUP BY kind"))
    assert kinds["baseline"] > 20
    assert kinds["follow_up"] > 10
    walk_ins = _sql(site, "SELECT count(*) FROM attendances WHERE source = 'walk_in'")
    assert walk_ins[0][0] > 0


def test_the_demo_site_has_talks_and_teleconferences_on_cacao_and_coffee(site):
    rows = _sql(
        site,
        "SELECT category, purpose, commodity, count(*) FROM activity_sessions "
        "GROUP BY category, purpose, commodity",
    )
    found = {(category, purpose, crop): n for category, purpose, crop, n in rows}
    assert found[("agriculture", "training", "cacao")] > 10
    assert found[("agriculture", "talk", "coffee")] > 10
    assert not [key for key in found if key[0] == "agriculture" and key[2] is None]
    assert not [key for key in found if key[0] != "agriculture" and key[2] is not None]
    assert {key[1] for key in found if key[0] != "agriculture"} == {"training"}
    courses = _sql(site, "SELECT commodity FROM courses WHERE category = 'agriculture'")
    assert courses == [("cacao",)]


def test_a_simulated_central_site_has_crops_talks_and_a_cacao_course():
    from telecenter.demo_network import SimulatedSite

    site = SimulatedSite("SM-TEST-01", size=0.2, months=6, now=utcnow())
    site.live()
    sessions = site.rows["activity_sessions"]
    teleconferences = [s for s in sessions if s["kind"] == "teleconference"]
    assert {s["commodity"] for s in teleconferences} == {"cacao", "coffee"}
    assert {s["purpose"] for s in teleconferences if s["commodity"] == "coffee"} == {
        "training",
        "talk",
    }
    assert {s["commodity"] for s in sessions if s["kind"] != "teleconference"} == {None}
    crops = {c["category"]: c["commodity"] for c in site.rows["courses"]}
    assert crops["agriculture"] == "cacao"


def test_the_demo_site_has_sessions_this_week_and_next_and_a_class_for_maria(site):
    from telecenter.attendance.services import next_session_for
    from telecenter.participants.models import Participant

    now = utcnow()
    upcoming = _sql(
        site,
        "SELECT kind, starts_at FROM activity_sessions WHERE state = 'scheduled'",
    )
    soon = [kind for kind, starts in upcoming]
    assert soon.count("class") >= 2
    assert "teleconference" in soon
    with site.app_context():
        maria = db.session.scalar(
            sa.select(Participant).where(Participant.code == DEMO_RESIDENT_CODE)
        )
        assert maria.document_number == DEMO_RESIDENT.username
        following = next_session_for(db.session, maria, now=now)
        assert following is not None
        assert following.kind == "class"
        assert following.starts_at - now < timedelta(days=8)
        assert maria.wfi_enrolment is not None
        assert len(maria.surveys) >= 2
    feed = site.test_client().get("/calendar/sessions.ics").get_data(as_text=True)
    assert feed.count("BEGIN:VEVENT") >= 3


def test_the_demo_accounts_of_the_readme_sign_in(site):
    from tests.conftest import sign_in

    for account in SITE_ACCOUNTS:
        client = site.test_client()
        assert sign_in(client, account.username, account.password).status_code == 302
    with site.app_context():
        from telecenter.participants.services import find_for_sign_in

        for identifier in (DEMO_RESIDENT.username, DEMO_RESIDENT_CODE):
            maria = find_for_sign_in(db.session, identifier)
            assert maria.user.check_password(DEMO_RESIDENT.password)


def test_seeding_the_demo_site_again_changes_nothing(site):
    before = _counts(site, TABLES)
    result = site.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert _counts(site, TABLES) == before


# -- central ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def central(tmp_path_factory):
    folder = tmp_path_factory.mktemp("central-template")
    template = folder / "central.sqlite3"
    from tests.conftest import _migrate

    _migrate(f"sqlite:///{template}", folder, role="central")
    app = _seeded(tmp_path_factory, template, "central")
    yield app
    with app.app_context():
        db.engine.dispose()


def test_the_network_is_38_telecenters_in_real_districts():
    path = Path(__file__).parent.parent / "telecenter" / "data" / "districts.csv"
    with path.open(encoding="utf-8") as handle:
        known = {(r["department"], r["province"], r["district"]) for r in csv.DictReader(handle)}
    assert len(NETWORK) == 38
    assert set(NETWORK) <= known
    assert Counter(region for region, _p, _d in NETWORK) == {
        "San Martín": 14,
        "Huánuco": 12,
        "Ucayali": 12,
    }
    codes = [code for code, *_rest in telecenters()]
    assert len(set(codes)) == 38
    assert all(month_report.CODE.match(c) for c in codes)


def test_a_simulated_site_sends_valid_reports():
    site = SimulatedSite("HU-PANAO-26", size=1.0, months=18, now=utcnow())
    site.live()
    reports = site.reports()
    assert len(reports) == 18
    ingest.check_request(
        {"schema": month_report.SCHEMA, "telecenter": "HU-PANAO-26", "reports": reports},
        Telecenter(code="HU-PANAO-26"),
    )


def _facts(app, name):
    table = FACT_TABLES[name]
    with app.app_context():
        return [dict(row._mapping) for row in db.session.execute(sa.select(table))]


def test_central_demo_figures_agree_with_each_other(central):
    """Per telecenter, month by month: nobody is reached before registering, nobody
    attends without being reached, nobody is trained without being reached."""
    cumulative = defaultdict(Counter)
    for row in _facts(central, "registrations"):
        cumulative[(row["telecenter_id"], row["month"])]["registered"] += row["registrations"]
    for row in _facts(central, "reach"):
        if row["scope"] in ("any", "trained"):
            cumulative[(row["telecenter_id"], row["month"])][row["scope"]] += row[EVER]
    most = defaultdict(int)
    for row in _facts(central, "attendance"):
        key = (row["telecenter_id"], row["month"])
        most[key] = max(most[key], row["participants"])
        assert row["participants"] <= row["attendances"]
    running: dict[int, Counter] = defaultdict(Counter)
    checked = 0
    for (telecenter_id, month), values in sorted(cumulative.items()):
        running[telecenter_id].update(values)
        seen = running[telecenter_id]
        assert seen["trained"] <= seen["any"] <= seen["registered"]
        assert most[(telecenter_id, month)] <= seen["any"]
        checked += 1
    assert checked > 38 * 12


def test_central_demo_has_every_age_band_and_both_sexes(central):
    for table in ("attendance", "reach", "registrations"):
        rows = _facts(central, table)
        measure = {"attendance": "attendances", "reach": EVER}.get(table, table)
        bands = Counter()
        sexes = Counter()
        for row in rows:
            bands[row["age_band"]] += row[measure]
            sexes[row["sex"]] += row[measure]
        assert all(bands[band] > 100 for band in AGE_BANDS), (table, bands)
        assert sexes["female"] > sexes["male"] > 1000, (table, sexes)


def test_central_demo_has_the_programmes_orders_of_magnitude(central):
    with central.app_context():
        last = month_report.month_of(utcnow())
        query = aggregates.parse({"from": "2012-01", "to": last}, db.session)
        totals = aggregates.run(db.session, query)["totals"]
        by_category = aggregates.run(
            db.session,
            aggregates.parse({"from": "2012-01", "to": last, "group_by": "category"}, db.session),
        )["rows"]
        ((telecenter_count,),) = db.session.execute(sa.text("SELECT count(*) FROM telecenters"))
    assert telecenter_count == 38
    assert 2_000 <= totals["trained"] <= 9_000
    assert 3_000 <= totals["teleconference_reached"] <= 5_500
    assert 3_000 <= totals["wfi_enrolments"] < 5_000
    assert totals["reached"] >= 5_000
    completions = {row["category"]: row["completions"] for row in by_category}
    assert completions["digital_literacy"] > 1_000
    assert completions["financial_literacy"] > 1_000


def test_central_demo_flags_one_silent_telecenter_and_shows_dated_targets(central):
    from telecenter.central import dashboard, targets

    with central.app_context():
        rows = dashboard.telecenter_rows(db.session, silent_days=7)
        silent = [row for row in rows if row.status.silent]
        shown = targets.progress(db.session, last_month=month_report.month_of(utcnow()))
    assert len(silent) == 1
    (quiet,) = silent
    assert quiet.last_report_at is not None  # it sent reports, then went quiet
    assert (utcnow() - quiet.last_report_at.replace(tzinfo=UTC)).days == 12
    assert {p.target.measure: p.target.value for p in shown} == {
        "wfi_enrolments": 5_000,
        "teleconference_reached": 4_113,
    }
    assert all(
        p.target.deadline_month == f"{to_lima(utcnow()).year + 1}-12" and p.reached for p in shown
    )


def test_seeding_central_again_changes_nothing(central):
    tables = ("telecenters", "month_reports", *(t.name for t in FACT_TABLES.values()))
    before = _counts(central, tables)
    assert before["month_reports"] > 38 * 12
    result = central.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert _counts(central, tables) == before


def test_the_demos_seed_quickly(site, central):
    """CPU time, which other jobs on the machine hardly change (wall time they do): about
    26 s each when measured (README), so a doubling fails."""
    assert site.config["DEMO_SEED_CPU_SECONDS"] < 60
    assert central.config["DEMO_SEED_CPU_SECONDS"] < 60


def test_the_small_central_demo_has_two_telecenters_per_region(make_app):
    """What the browser and end-to-end tests build on (`seed-demo --small`)."""
    central = make_app("central")
    result = central.test_cli_runner().invoke(args=["seed-demo", "--small"])
    assert result.exit_code == 0, result.output
    with central.app_context():
        regions = Counter(db.session.scalars(sa.select(Telecenter.region)))
    assert regions == {"San Martín": 2, "Huánuco": 2, "Ucayali": 2}


def test_the_demo_classes_expect_their_cohort_not_every_learner_the_course_had(site):
    """Each cohort is a group: a class's roster is its 8 to 12 members (or those recorded),
    and the staff home's «Faltaron a las dos últimas sesiones» names only people of a cohort
    still running who missed both of its last classes."""
    from telecenter.attendance.models import ActivitySession
    from telecenter.attendance.services import expected_ids
    from telecenter.main import worklists
    from telecenter.participants.models import GroupMember

    with site.app_context():
        classes = db.session.scalars(
            sa.select(ActivitySession).where(ActivitySession.kind == "class")
        ).all()
        assert classes
        assert all(c.group_id is not None for c in classes)
        for activity in classes:
            members = set(
                db.session.scalars(
                    sa.select(GroupMember.participant_id).where(
                        GroupMember.group_id == activity.group_id
                    )
                )
            )
            assert 8 <= len(members) <= 12
            assert expected_ids(db.session, activity) <= members
        absentees = worklists.missed_last_two(db.session)
        recent = utcnow() - worklists.STOPPED_AFTER
        meeting = {c.group_id for c in classes if c.state == "held" and c.starts_at >= recent}
        in_those = db.session.scalar(
            sa.select(sa.func.count()).where(GroupMember.group_id.in_(meeting))
        )
        assert meeting
        assert absentees.total < in_those / 2
        assert all(row.missed[0].group_id in meeting for row in absentees.items)


def test_central_demo_programme_outcomes_have_baselines_and_progress(central):
    """The dashboard's outcome shares are figures, not «—»: most women have a baseline and
    those followed up for longer report more accounts, wallets and savings."""
    from telecenter.central import outcomes

    with central.app_context():
        last = month_report.month_of(utcnow())
        answer = outcomes.compute(
            db.session, outcomes.parse({"from": "2012-01", "to": last}, db.session)
        )
    totals = answer["totals"]
    assert totals["with_baseline"] > 0.75 * totals["enrolled"]
    assert 0 < totals["with_follow_up"] < totals["with_baseline"]
    for indicator in ("account", "wallet", "saving"):
        assert 0 < totals[f"{indicator}_baseline"] < totals[f"{indicator}_latest"], indicator
        assert totals[f"{indicator}_latest"] <= totals["with_baseline"]
