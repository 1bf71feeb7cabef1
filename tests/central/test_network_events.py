"""Network teleconferences at central: the rules of scheduling, changing and cancelling, and
what each telecenter receives in its network settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from telecenter.audit import AuditEntry
from telecenter.central import network_events, rules
from telecenter.central.models import NETWORK_EVENT_TELECENTERS, NetworkEvent
from telecenter.extensions import db
from tests.central.network import END, START, create, data, telecenter
from tests.conftest import FIXED_NOW

AFTER_START = START + timedelta(minutes=1)


def _rows() -> list[tuple]:
    """Everything the rules may change: events, their telecenters, audit entries."""
    events = db.session.execute(sa.select(NetworkEvent.__table__)).all()
    chosen = db.session.execute(sa.select(NETWORK_EVENT_TELECENTERS)).all()
    audits = db.session.execute(sa.select(AuditEntry.action, AuditEntry.detail)).all()
    return [*map(tuple, events), *map(tuple, chosen), *map(tuple, audits)]


def _audits() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))


def test_an_event_is_created_with_revision_1_and_audited(network):
    with network.app_context():
        event = create()
        assert event.public_id == f"NE-{event.id}"
        assert (event.revision, event.state, event.starts_at, event.ends_at) == (
            1,
            "scheduled",
            START,
            END,
        )
        assert _audits() == ["network_event.create"]


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"title": "   "}, "title", "Escriba el título"),
        ({"title": "x" * 161}, "title", "como mucho 160"),
        ({"joining_details": "x" * 501}, "joining_details", "como mucho 500"),
        ({"category": "cooking", "commodity": None}, "category", "Elija una categoría"),
        ({"commodity": "rice"}, "commodity", "Elija un cultivo"),
        ({"category": "digital_literacy"}, "commodity", "Solo las teleconferencias de agricultura"),
        ({"purpose": "party"}, "purpose", "capacitación o una charla"),
        ({"starts_at": FIXED_NOW - timedelta(hours=1)}, "start", "ya pasó"),
        ({"ends_at": START}, "end", "después de la hora de inicio"),
        ({"ends_at": START + timedelta(days=1)}, "end", "mismo día"),
        ({"audience": "friends"}, "audience", "para qué telecentros"),
        ({"audience": "region", "region": "Lima"}, "region", "región de la lista"),
        ({"audience": "chosen"}, "telecenters", "al menos un telecentro"),
        ({"audience": "chosen", "telecenters": (999,)}, "telecenters", "de la lista"),
    ],
)
def test_bad_input_is_refused_beside_its_field_and_changes_nothing(network, changes, field, words):
    with network.app_context():
        before = _rows()
        with pytest.raises(network_events.EventRefused) as refused:
            network_events.create(db.session, data(**changes), actor=None, now=FIXED_NOW)
        db.session.rollback()
        assert list(refused.value.errors) == [field]
        assert words in refused.value.errors[field]
        assert _rows() == before


def test_a_day_years_away_is_refused_before_any_time_is_computed(network):
    with network.test_request_context():
        with pytest.raises(network_events.EventRefused) as refused:
            network_events.moment(datetime(9999, 12, 31).date(), START.time(), "day")
        assert "próximos dos años" in refused.value.errors["day"]


def test_before_the_start_everything_may_change_and_each_change_raises_the_revision(network):
    with network.app_context():
        event = create()
        lamas = telecenter("SM-LAMAS-02").id
        changed = network_events.update(
            db.session,
            event,
            data(title="Poda del cacao, 2.ª parte", audience="chosen", telecenters=(lamas,)),
            actor=None,
            now=FIXED_NOW,
        )
        db.session.commit()
        assert changed == ["title", "audience", "telecenters"]
        assert (event.title, event.revision) == ("Poda del cacao, 2.ª parte", 2)
        assert [t.code for t in event.chosen] == ["SM-LAMAS-02"]
        same = network_events.update(
            db.session, event, network_events.data_of(event), actor=None, now=FIXED_NOW
        )
        assert (same, event.revision) == ([], 2)  # nothing changed: no new revision
        assert _audits() == ["network_event.create", "network_event.update"]


def test_a_reschedule_moves_the_times_and_raises_the_revision(network):
    with network.app_context():
        event = create()
        later = START + timedelta(days=1)
        network_events.reschedule(
            db.session, event, later, later + timedelta(hours=1), actor=None, now=FIXED_NOW
        )
        db.session.commit()
        assert (event.starts_at, event.ends_at, event.revision) == (
            later,
            later + timedelta(hours=1),
            2,
        )


def test_after_the_start_only_the_notes_change(network):
    with network.app_context():
        event = create()
        before = _rows()
        with pytest.raises(network_events.EventStarted) as started:
            network_events.update(
                db.session, event, data(title="Otra"), actor=None, now=AFTER_START
            )
        assert "solo se pueden cambiar las notas" in str(started.value)
        with pytest.raises(network_events.EventStarted):
            network_events.reschedule(
                db.session, event, START + timedelta(days=2), END + timedelta(days=2),
                actor=None, now=AFTER_START,
            )  # fmt: skip
        with pytest.raises(network_events.EventStarted):
            network_events.cancel(db.session, event, "Lluvia", actor=None, now=AFTER_START)
        db.session.rollback()
        assert _rows() == before
        changed = network_events.update(
            db.session, event, data(notes="  Grabación en el drive  "), actor=None, now=AFTER_START
        )
        db.session.commit()
        assert (changed, event.notes, event.revision) == (["notes"], "Grabación en el drive", 2)


def test_a_cancellation_needs_a_reason_and_then_only_notes_change(network):
    with network.app_context():
        event = create()
        before = _rows()
        with pytest.raises(network_events.EventRefused) as refused:
            network_events.cancel(db.session, event, "  ", actor=None, now=FIXED_NOW)
        assert list(refused.value.errors) == ["reason"]
        db.session.rollback()
        assert _rows() == before
        network_events.cancel(
            db.session, event, " El expositor enfermó ", actor=None, now=FIXED_NOW
        )
        db.session.commit()
        assert (event.state, event.cancel_reason, event.revision) == (
            "cancelled",
            "El expositor enfermó",
            2,
        )
        with pytest.raises(network_events.EventStarted) as closed:
            network_events.update(db.session, event, data(title="Otra"), actor=None, now=FIXED_NOW)
        assert "cancelada" in str(closed.value)
        assert _audits() == ["network_event.create", "network_event.cancel"]


# --- the network settings of each telecenter -------------------------------------------


def _settings(code: str, now: datetime = FIXED_NOW) -> dict:
    return rules.network_settings(db.session, telecenter(code), now)


def _ids(code: str, now: datetime = FIXED_NOW) -> list[str]:
    return [e["id"] for e in _settings(code, now)["network_events"]]


def test_each_telecenter_receives_the_events_for_it(network):
    with network.app_context():
        for_all = create(title="Para todos")
        for_region = create(title="San Martín", audience="region", region="San Martín")
        lamas = telecenter("SM-LAMAS-02").id
        chosen = create(title="Solo Lamas", audience="chosen", telecenters=(lamas,))
        assert _ids("SM-TARAPOTO-01") == [for_all.public_id, for_region.public_id]
        assert _ids("SM-LAMAS-02") == [for_all.public_id, for_region.public_id, chosen.public_id]
        assert _ids("HU-TINGO-03") == [for_all.public_id]


def test_an_event_is_sent_as_the_contract_says(network):
    with network.app_context():
        event = create(notes="Traer cuaderno")
        (sent,) = _settings("HU-TINGO-03")["network_events"]
        assert sent == {
            "id": event.public_id,
            "revision": 1,
            "state": "scheduled",
            "title": "Poda del cacao",
            "topic": "Poda de formación y sanitaria",
            "category": "agriculture",
            "commodity": "cacao",
            "purpose": "training",
            "presenter": "Ing. Rosa Quispe",
            "organisation": "INIA",
            "platform": "Zoom",
            "joining_details": "https://zoom.example/j/123",
            "starts_at": "2026-12-09T15:00:00Z",
            "ends_at": "2026-12-09T17:00:00Z",
            "notes": "Traer cuaderno",
            "cancel_reason": "",
        }


def test_events_that_ended_before_the_previous_month_are_not_sent(network):
    with network.app_context():
        event = create()
        # On 2027-01-31 in Lima the window opens on 2026-12-01: the event (9 December) is sent.
        assert _ids("SM-TARAPOTO-01", datetime(2027, 1, 31, 23, tzinfo=UTC)) == [event.public_id]
        # On 2027-02-01 (Lima: 05:00 UTC) the window opens on 2027-01-01: no longer sent.
        assert _ids("SM-TARAPOTO-01", datetime(2027, 2, 1, 4, 59, tzinfo=UTC)) == [event.public_id]
        assert _ids("SM-TARAPOTO-01", datetime(2027, 2, 1, 5, 0, tzinfo=UTC)) == []


def test_the_version_changes_with_what_this_telecenter_receives(network):
    with network.app_context():
        empty = _settings("SM-TARAPOTO-01")["version"]
        assert empty == "r1"  # no event yet: as before network events
        create(audience="region", region="Huánuco")
        assert _settings("SM-TARAPOTO-01")["version"] == empty  # not for this one
        event = create()
        first = _settings("SM-TARAPOTO-01")["version"]
        assert first.startswith("r1-")
        assert len(first) == len("r1-") + 16
        network_events.reschedule(
            db.session, event, START + timedelta(hours=1), END + timedelta(hours=1),
            actor=None, now=FIXED_NOW,
        )  # fmt: skip
        db.session.commit()
        moved = _settings("SM-TARAPOTO-01")["version"]
        assert moved not in (first, empty)
        assert rules.settings_answer(db.session, telecenter("SM-TARAPOTO-01"), moved) == (
            rules.UNCHANGED
        )
        assert rules.settings_answer(db.session, telecenter("SM-TARAPOTO-01"), first)[
            "version"
        ] == (moved)
