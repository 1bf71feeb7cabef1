"""Central's network teleconferences on the site's pages (issue 21): marked on the list,
calendar and feed; the trainer chooses room, trainer and notes but not what central set; a
change from central shows a notice until dismissed; a room clash is shown, not resolved."""

from __future__ import annotations

from datetime import timedelta

import icalendar
import pytest
import sqlalchemy as sa

from telecenter.attendance import scheduling
from telecenter.attendance.models import ActivitySession
from telecenter.clock import to_lima
from telecenter.extensions import db
from telecenter.month_report import stamp
from tests.attendance.conftest import session_data
from tests.conftest import csrf_token
from tests.sync.central_events import START, event, receive, settings

NETWORK = "Teleconferencia de la red"
# event(1) starts a day after START: 10 December 2026, 12:00-14:00 in Lima.
FIRST_WHEN = "jueves, 10 de diciembre de 2026, de 12:00 a 14:00"


def _post(client, path, data=None, **kwargs):
    return client.post(path, data={"csrf_token": csrf_token(client), **(data or {})}, **kwargs)


def _receive(app, *events, version="r2-a"):
    with app.app_context():
        receive(settings(version, *events))


def _row(app, event_id="NE-1") -> ActivitySession:
    with app.app_context():
        row = db.session.scalar(
            sa.select(ActivitySession).where(ActivitySession.network_event == event_id)
        )
        assert row is not None
        db.session.expunge(row)
        return row


def _fields(row: ActivitySession) -> tuple:
    return (
        row.title,
        row.topic,
        row.category,
        row.commodity,
        row.purpose,
        row.presenter,
        row.platform,
        row.joining_details,
        row.starts_at,
        row.ends_at,
        row.state,
        row.room,
        row.trainer_id,
        row.local_notes,
    )


@pytest.fixture
def trainer(clock, signed_in):
    return signed_in("trainer")


def _moved(number=1, revision=2, days=2, hours=0, **changes):
    starts = START + timedelta(days=days, hours=hours)
    return event(
        number,
        revision=revision,
        starts_at=stamp(starts),
        ends_at=stamp(starts + timedelta(hours=2)),
        **changes,
    )


def test_the_event_is_marked_on_the_list_calendar_page_and_feed(app, trainer, client):
    _receive(app, event(1, notes="Llevar cuaderno"))
    row = _row(app)
    listing = trainer.get("/sessions/").get_data(as_text=True)
    assert NETWORK in listing
    assert "Expone: Ing. Rosa Huamán (INIA) · Zoom" in listing
    day = to_lima(row.starts_at).date().isoformat()
    week = trainer.get(f"/calendar/?date={day}").get_data(as_text=True)
    assert f'data-network-event="NE-1">{NETWORK}' in week
    page = trainer.get(f"/sessions/{row.id}").get_data(as_text=True)
    for shown in (NETWORK, "Ing. Rosa Huamán", "Zoom", "Reunión 812 3344 5566", "Llevar cuaderno"):
        assert shown in page
    assert "Cancelar sesión" not in page
    feed = icalendar.Calendar.from_ical(client.get("/calendar/sessions.ics").data)
    (item,) = feed.walk("VEVENT")
    assert str(item["summary"]) == "Poda del cacao 1"
    assert str(item["description"]).startswith(NETWORK + " · ")
    assert "Zoom" in str(item["description"])
    assert "812 3344" not in feed.to_ical().decode()  # the public feed has no joining details


def test_the_trainer_chooses_room_trainer_and_notes(app, trainer, make_user):
    from telecenter.auth.services import find_user

    username, _password = make_user("trainer", display_name="Rosa Tello")
    with app.app_context():
        trainer_id = find_user(db.session, username).id
    _receive(app, event(1))
    row = _row(app)
    form = trainer.get(f"/sessions/{row.id}/edit").get_data(as_text=True)
    assert 'data-testid="fixed-by-central"' in form
    assert 'name="title"' not in form
    assert 'name="day"' not in form
    assert FIRST_WHEN in form
    saved = _post(
        trainer,
        f"/sessions/{row.id}/edit",
        {
            "room": "Sala de teleconferencias",
            "trainer_id": str(trainer_id),
            "capacity": "25",
            "local_notes": "Probar el proyector el día antes",
            "checkin_before_minutes": "45",
            "checkin_after_minutes": "30",
        },
    )
    assert saved.status_code == 302
    after = _row(app)
    assert (after.room, after.trainer_id, after.capacity, after.local_notes) == (
        "Sala de teleconferencias",
        trainer_id,
        25,
        "Probar el proyector el día antes",
    )
    assert after.checkin_before_minutes == 45
    assert _fields(after)[:11] == _fields(row)[:11]  # what central set is as it was


@pytest.mark.parametrize(
    "crafted",
    [
        {"title": "Otro título"},
        {"day": f"{START + timedelta(days=11):%Y-%m-%d}", "start": "08:00", "end": "09:00"},
        {"presenter": "Yo"},
        {"category": "other"},
        {"kind": "class"},
    ],
)
def test_a_crafted_post_changing_what_central_set_changes_nothing(app, trainer, crafted):
    _receive(app, event(1))
    row = _row(app)
    answer = _post(
        trainer,
        f"/sessions/{row.id}/edit",
        {"room": "Sala", "checkin_before_minutes": "30", "checkin_after_minutes": "30", **crafted},
    )
    assert answer.status_code == 400
    assert "La oficina central fija el título" in answer.get_data(as_text=True)
    assert "No se guardó ningún cambio." in answer.get_data(as_text=True)
    assert _fields(_row(app)) == _fields(row)  # not even the room


def test_the_ordinary_edit_and_cancel_refuse_a_network_session(app, trainer):
    _receive(app, event(1))
    row = _row(app)
    cancelled = _post(trainer, f"/sessions/{row.id}/cancel", {"reason": "Sin luz"})
    assert cancelled.status_code == 302
    assert _row(app).state == "scheduled"
    page = trainer.get(f"/sessions/{row.id}").get_data(as_text=True)
    assert "La oficina central fija el título" in page
    with app.app_context():
        activity = db.session.get_one(ActivitySession, row.id)
        with pytest.raises(scheduling.FixedByCentral):
            scheduling.update(db.session, activity, session_data(kind="teleconference"))
        with pytest.raises(scheduling.FixedByCentral):
            scheduling.cancel(db.session, activity, reason="Sin luz")


def test_a_reschedule_shows_old_and_new_time_until_a_trainer_dismisses_it(
    app, trainer, signed_in, client
):
    _receive(app, event(1))
    row = _row(app)
    _receive(app, _moved(days=3, hours=2), version="r2-b")  # 12 December, 14:00 to 16:00
    notice = (
        f"La oficina central cambió la hora. Antes: {FIRST_WHEN}. "
        "Ahora: sábado, 12 de diciembre de 2026, de 14:00 a 16:00."
    )
    assert notice in trainer.get(f"/sessions/{row.id}").get_data(as_text=True)
    assert notice in trainer.get("/sessions/").get_data(as_text=True)
    assert notice in trainer.get("/home").get_data(as_text=True)
    assert _post(trainer, f"/sessions/{row.id}/notice/dismiss").status_code == 302
    for path in (f"/sessions/{row.id}", "/sessions/", "/home"):
        assert "cambió la hora" not in trainer.get(path).get_data(as_text=True)


def test_a_cancellation_and_a_withdrawal_show_their_notice(app, trainer):
    _receive(app, event(1), event(2))
    _receive(
        app,
        event(1, revision=2, state="cancelled", cancel_reason="Falla del satélite"),
        version="r2-b",
    )
    first, second = _row(app, "NE-1"), _row(app, "NE-2")
    page = trainer.get(f"/sessions/{first.id}").get_data(as_text=True)
    assert "La oficina central canceló esta teleconferencia: Falla del satélite" in page
    withdrawn = trainer.get(f"/sessions/{second.id}").get_data(as_text=True)
    assert "Central ya no la programa para este telecentro." in withdrawn
    home = trainer.get("/home").get_data(as_text=True)
    assert "Falla del satélite" in home
    assert "Central ya no la programa para este telecentro." in home


def test_a_room_clash_caused_by_central_is_shown_not_resolved(app, trainer):
    _receive(app, event(1))
    row = _row(app)
    _post(
        trainer,
        f"/sessions/{row.id}/edit",
        {"room": "Laboratorio", "checkin_before_minutes": "30", "checkin_after_minutes": "30"},
    )
    moved = START + timedelta(days=3)
    local = to_lima(moved)
    with app.app_context():
        scheduling.create(
            db.session,
            session_data(
                day=local.date(),
                start=local.time(),
                end=(local + timedelta(hours=1)).time(),
                title="Excel básico",
                room="Laboratorio",
            ),
        )
        db.session.commit()
    _receive(app, _moved(days=3), version="r2-b")
    clash = "Choque de ambiente: «Excel básico» también usa Laboratorio"
    assert clash in trainer.get(f"/sessions/{row.id}").get_data(as_text=True)
    assert clash in trainer.get("/sessions/").get_data(as_text=True)
    assert _row(app).room == "Laboratorio"  # not moved elsewhere behind the trainer's back
    _post(trainer, f"/sessions/{row.id}/notice/dismiss")
    assert clash in trainer.get("/sessions/").get_data(as_text=True)  # until it is solved
    again = _post(
        trainer,
        f"/sessions/{row.id}/edit",
        {"room": "laboratorio", "checkin_before_minutes": "30", "checkin_after_minutes": "30"},
    )
    assert again.status_code == 400
    assert "Choque de horario" in again.get_data(as_text=True)
    solved = _post(
        trainer,
        f"/sessions/{row.id}/edit",
        {"room": "Sala 2", "checkin_before_minutes": "30", "checkin_after_minutes": "30"},
    )
    assert solved.status_code == 302
    assert "Choque de ambiente" not in trainer.get("/sessions/").get_data(as_text=True)


def test_residents_see_the_event_but_not_the_staff_notes_or_notices(app, signed_in):
    _receive(app, event(1))
    with app.app_context():
        row = db.session.scalar(sa.select(ActivitySession))
        row.local_notes = "Llave del proyector en dirección"
        db.session.commit()
    _receive(app, _moved(), version="r2-b")
    resident = signed_in("resident")
    page = resident.get("/sessions/1").get_data(as_text=True)
    assert NETWORK in page
    assert "proyector" not in page
    assert "cambió la hora" not in page
    assert "Reunión 812" not in page
