"""Network teleconferences received in the network settings (issue 21, site side): each becomes
a local session; only a higher revision changes it; missing before its start means withdrawn;
no key changes nothing; one bad event refuses the whole settings object."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
import sqlalchemy as sa

from telecenter.attendance import network_sessions
from telecenter.attendance.models import ActivitySession
from telecenter.extensions import db
from telecenter.month_report import stamp
from telecenter.sync import client, network_settings
from tests.conftest import FIXED_NOW
from tests.sync.central_events import CODE, START, event, receive, settings


def by_id() -> dict[str, ActivitySession]:
    rows = db.session.scalars(
        sa.select(ActivitySession).where(ActivitySession.network_event.is_not(None))
    )
    return {row.network_event: row for row in rows}


def snapshot() -> list[tuple]:
    rows = db.session.scalars(sa.select(ActivitySession).order_by(ActivitySession.id))
    return [
        (r.id, r.network_event, r.network_revision, r.state, r.title, r.starts_at, r.room)
        for r in rows
    ]


@pytest.fixture
def site(clock, app_ctx, tmp_path):
    return client.Settings(
        central_url="http://central.test",
        token="t" * 40,
        telecenter=CODE,
        instance_path=str(tmp_path),
    )


def _answering(answer):
    def central(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"telecenter": CODE, "settings": answer})

    return httpx.MockTransport(central)


def test_an_event_becomes_a_teleconference_session_with_what_central_set(clock, app_ctx):
    sent = event(1, commodity="coffee", purpose="talk", notes="Traer cuaderno")
    receive(settings("r2-a", sent))
    row = by_id()["NE-1"]
    assert (row.kind, row.state, row.network_state, row.network_revision) == (
        "teleconference",
        "scheduled",
        "scheduled",
        1,
    )
    assert (row.title, row.topic, row.category, row.commodity, row.purpose) == (
        sent["title"],
        sent["topic"],
        "agriculture",
        "coffee",
        "talk",
    )
    assert (row.presenter, row.organisation, row.platform, row.joining_details) == (
        "Ing. Rosa Huamán",
        "INIA",
        "Zoom",
        sent["joining_details"],
    )
    assert (stamp(row.starts_at), stamp(row.ends_at)) == (sent["starts_at"], sent["ends_at"])
    assert (row.network_notes, row.room, row.trainer_id, row.network_notice) == (
        "Traer cuaderno",
        "",
        None,
        None,
    )
    assert network_settings.in_use(db.session).network_events == 1


def test_a_site_offline_while_events_were_created_changed_and_cancelled_catches_up_at_once(
    site, make_user
):
    """Before going offline the site had NE-4, NE-5, NE-6 (and NE-7, already held). While it
    was offline central created NE-1 and moved it, created NE-2 and cancelled it, created
    NE-3, moved NE-4, cancelled NE-5 and took this telecenter out of NE-6. One answer."""
    past = event(7, starts_at=stamp(FIXED_NOW - timedelta(days=3)))
    past["ends_at"] = stamp(FIXED_NOW - timedelta(days=3) + timedelta(hours=1))
    client.send_pending(
        db.session,
        site,
        transport=_answering(settings("r2-a", event(4), event(5), event(6), past)),
    )
    four = by_id()["NE-4"]
    four.room = "Sala de teleconferencias"
    db.session.commit()

    moved_one = event(1, revision=2, starts_at=stamp(START + timedelta(days=1, hours=3)))
    moved_one["ends_at"] = stamp(START + timedelta(days=1, hours=5))
    moved_four = event(4, revision=3, starts_at=stamp(START + timedelta(days=5)))
    moved_four["ends_at"] = stamp(START + timedelta(days=5, hours=2))
    cancelled_two = event(2, revision=2, state="cancelled", cancel_reason="Sin expositor")
    cancelled_five = event(5, revision=2, state="cancelled", cancel_reason="Lluvias")
    answer = settings("r2-b", moved_one, cancelled_two, event(3), moved_four, cancelled_five)
    result = client.send_pending(db.session, site, transport=_answering(answer))
    assert not result.new_rules  # same counting rules: no month to count again

    rows = by_id()
    assert set(rows) == {"NE-1", "NE-3", "NE-4", "NE-5", "NE-6", "NE-7"}  # NE-2 never shown
    assert (stamp(rows["NE-1"].starts_at), rows["NE-1"].network_revision) == (
        moved_one["starts_at"],
        2,
    )
    assert rows["NE-1"].network_notice is None  # new here: nothing changed that was seen
    assert rows["NE-3"].state == "scheduled"
    four = rows["NE-4"]
    assert (stamp(four.starts_at), four.network_revision, four.room) == (
        moved_four["starts_at"],
        3,
        "Sala de teleconferencias",  # the site's choice stays
    )
    assert four.network_notice["starts_at"] == (START + timedelta(days=4)).isoformat()
    assert (rows["NE-5"].state, rows["NE-5"].network_state, rows["NE-5"].cancel_reason) == (
        "cancelled",
        "cancelled",
        "Lluvias",
    )
    assert rows["NE-5"].network_notice["state"] == "scheduled"
    assert (rows["NE-6"].state, rows["NE-6"].network_state) == ("cancelled", "withdrawn")
    assert rows["NE-7"].network_state == "scheduled"  # already started: kept as it was
    assert network_settings.known_version(db.session) == "r2-b"


def test_only_a_higher_revision_changes_an_event(clock, app_ctx):
    receive(settings("r2-a", event(1, revision=2)))
    before = snapshot()
    receive(settings("r2-b", event(1, revision=2, title="Otro título")))
    receive(settings("r2-c", event(1, revision=1, title="Más viejo")))
    assert snapshot() == before
    receive(settings("r2-d", event(1, revision=3, title="Poda, segunda parte")))
    assert by_id()["NE-1"].title == "Poda, segunda parte"


def test_settings_without_the_key_change_no_event(clock, app_ctx):
    receive(settings("r2-a", event(1), event(2)))
    before = snapshot()
    receive(settings("r2-b", with_key=False))  # an older central
    assert snapshot() == before
    assert {r.network_state for r in by_id().values()} == {"scheduled"}
    assert network_settings.in_use(db.session).network_events is None


def test_a_withdrawn_event_listed_again_comes_back_and_its_notice_goes(clock, app_ctx):
    receive(settings("r2-a", event(1)))
    receive(settings("r2-b"))
    row = by_id()["NE-1"]
    assert (row.state, row.network_state) == ("cancelled", "withdrawn")
    assert network_sessions.notice(row).lines == (
        "Central ya no la programa para este telecentro.",
    )
    receive(settings("r2-c", event(1)))
    row = by_id()["NE-1"]
    assert (row.state, row.network_state, row.network_notice) == ("scheduled", "scheduled", None)


def test_a_move_and_back_before_anyone_looked_leaves_no_notice(clock, app_ctx):
    receive(settings("r2-a", event(1)))
    later = event(1, revision=2, starts_at=stamp(START + timedelta(days=2)))
    later["ends_at"] = stamp(START + timedelta(days=2, hours=2))
    receive(settings("r2-b", later))
    assert by_id()["NE-1"].network_notice is not None
    receive(settings("r2-c", event(1, revision=3)))
    assert by_id()["NE-1"].network_notice is None


GOOD = event(1)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"id": "NE-0"}, "id must be like NE-12"),
        ({"id": 12}, "id must be like NE-12"),
        ({"revision": 0}, "revision must be"),
        ({"revision": True}, "revision must be"),
        ({"state": "postponed"}, "state must be"),
        ({"cancel_reason": "Lluvias"}, "only a cancelled event"),
        ({"title": ""}, "title is empty"),
        ({"title": "x" * 161}, "title must be text of at most 160"),
        ({"topic": None}, "topic must be text"),
        ({"joining_details": "x" * 501}, "joining_details must be text of at most 500"),
        ({"notes": "x" * 1001}, "notes must be text of at most 1000"),
        ({"platform": "x" * 81}, "platform must be text of at most 80"),
        ({"category": "cooking"}, "unknown category"),
        ({"purpose": "fun"}, "unknown purpose"),
        ({"commodity": "rice"}, "commodity must be"),
        ({"category": "financial_literacy"}, "commodity must be"),  # cacao then is wrong
        ({"starts_at": "2026-12-10T15:00:00"}, "times must be ISO 8601 in UTC with a Z"),
        ({"starts_at": "2026-12-10T15:00:00+05:00Z"}, "times must be"),
        ({"ends_at": "mañana"}, "times must be"),
        ({"ends_at": GOOD["starts_at"]}, "ends_at must be after starts_at"),
        ({"ends_at": stamp(START + timedelta(days=1, hours=25))}, "within 24 hours"),
    ],
)
def test_one_bad_event_refuses_the_whole_settings_and_changes_nothing(
    clock, app_ctx, change, reason
):
    receive(settings("r2-a", event(5)))
    before, version = snapshot(), network_settings.known_version(db.session)
    changed_five = event(5, revision=2, title="Cambiado")
    receive(settings("r3", changed_five, event(6), GOOD | change))
    assert snapshot() == before  # neither the good events nor the change to NE-5
    assert network_settings.known_version(db.session) == version
    assert reason in network_settings.in_use(db.session).rejected_reason


@pytest.mark.parametrize(
    "bad",
    [
        {"network_events": {"NE-1": GOOD}},
        {"network_events": [GOOD, GOOD]},
        {"network_events": [{k: v for k, v in GOOD.items() if k != "notes"}]},
        {"network_events": ["NE-1"]},
    ],
)
def test_a_bad_list_is_refused_whole(clock, app_ctx, bad):
    receive(settings("r2-a", event(5)))
    before = snapshot()
    receive(settings("r3") | bad)
    assert snapshot() == before
    assert network_settings.known_version(db.session) == "r2-a"
    assert network_settings.in_use(db.session).rejected_reason


def test_central_cancelling_after_check_ins_then_scheduling_again_keeps_it_held(
    clock, app_ctx, make_participant
):
    from telecenter.attendance import services
    from telecenter.participants.models import Participant

    soon = event(1, starts_at=stamp(FIXED_NOW + timedelta(minutes=20)))
    soon["ends_at"] = stamp(FIXED_NOW + timedelta(hours=2))
    receive(settings("r2-a", soon))
    row = by_id()["NE-1"]
    person = db.session.get_one(Participant, make_participant())
    services.set_status(db.session, row, person, "present", actor=None)
    db.session.commit()
    receive(settings("r2-b", soon | {"revision": 2, "state": "cancelled", "cancel_reason": "X"}))
    assert by_id()["NE-1"].state == "cancelled"
    receive(settings("r2-c", soon | {"revision": 3}))
    assert by_id()["NE-1"].state == "held"


def test_the_sync_page_says_how_many_events_came_with_the_last_settings(clock, app_ctx, signed_in):
    receive(settings("r2-a", event(1), event(2), event(3)))
    page = signed_in("admin").get("/admin/sync/").get_data(as_text=True)
    assert "3 teleconferencias recibidas con los últimos ajustes" in page
