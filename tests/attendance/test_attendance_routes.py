"""Sessions over HTTP: scheduling forms, roster, kiosk device, calendar and .ics feed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest
import time_machine

from telecenter.attendance.models import ActivitySession
from telecenter.clock import today_in_lima
from telecenter.extensions import db
from tests.conftest import count_rows, csrf_token


def _post(client, path, data=None, **kwargs):
    return client.post(path, data={"csrf_token": csrf_token(client), **(data or {})}, **kwargs)


def _form(day=None, **changes):
    values = {
        "kind": "teleconference",
        "title": "Injerto de cacao",
        "category": "agriculture",
        "commodity": "cacao",
        "day": str(day or today_in_lima() + timedelta(days=3)),
        "start": "09:00",
        "end": "11:00",
        "room": "Sala",
        "presenter": "Ing. Rojas",
        "organisation": "Cooperativa Oro Verde",
        "platform": "Zoom",
        "checkin_before_minutes": "30",
        "checkin_after_minutes": "30",
    }
    values.update(changes)
    return values


@pytest.fixture
def trainer(signed_in):
    return signed_in("trainer")


def test_trainer_schedules_a_weekly_teleconference(app, trainer):
    day = today_in_lima() + timedelta(days=2)
    answer = _post(
        trainer,
        "/sessions/new",
        _form(
            day=day,
            repeat="y",
            weekdays=[str(day.weekday())],
            every_weeks="1",
            until=(day + timedelta(days=21)).isoformat(),
        ),
    )
    assert answer.status_code == 302
    assert count_rows(app, "activity_sessions") == 4
    page = trainer.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Se programaron 4 sesiones" in page
    assert "Ing. Rojas" in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"start": "11:00", "end": "09:00"}, "después de la hora de inicio"),
        ({"capacity": "-1"}, "capacidad debe ser 1 o más"),
        ({"day": "1999-01-01"}, "demasiado lejos"),
        ({"start": "25:00"}, "Not a valid time|válid"),
    ],
)
def test_bad_schedules_are_refused_with_a_message(app, trainer, changes, message):
    import re

    answer = _post(trainer, "/sessions/new", _form(**changes))
    assert answer.status_code == 400
    assert re.search(message, answer.get_data(as_text=True))
    assert count_rows(app, "activity_sessions") == 0


def test_double_booking_names_the_other_session(app, trainer):
    _post(trainer, "/sessions/new", _form())
    answer = _post(trainer, "/sessions/new", _form(title="Otra", start="10:00", end="12:00"))
    assert answer.status_code == 400
    assert "Injerto de cacao" in answer.get_data(as_text=True)
    assert count_rows(app, "activity_sessions") == 1


def test_roster_all_present_then_exceptions_then_resubmission(
    clock, app, trainer, make_participant
):
    _post(trainer, "/sessions/new", _form(day=today_in_lima(), start="11:30", end="13:00"))
    ids = [make_participant(given_names=n, surnames="Vela") for n in ("Ana", "Eva")]
    for pid in ids:
        _post(trainer, "/sessions/1/walk-in", {"participant_id": str(pid)})
    assert _post(trainer, "/sessions/1/roster", {"action": "all_present"}).status_code == 302
    exceptions = {f"status-{ids[1]}": "excused", f"status-{ids[0]}": "present", "action": "save"}
    assert _post(trainer, "/sessions/1/roster", exceptions).status_code == 302
    assert _post(trainer, "/sessions/1/roster", exceptions).status_code == 302
    with app.app_context():
        rows = db.session.execute(
            db.text("SELECT participant_id, status FROM attendances ORDER BY participant_id")
        ).all()
    assert [tuple(r) for r in rows] == [(ids[0], "present"), (ids[1], "excused")]
    bad = _post(trainer, "/sessions/1/roster", {"status-999": "present", "action": "save"})
    assert bad.status_code == 400
    assert _post(trainer, "/sessions/1/roster", {"status-x": "present"}).status_code == 400


def test_unregistered_viewers_are_saved_apart(app, trainer):
    _post(trainer, "/sessions/new", _form())
    _post(trainer, "/sessions/1/viewers", {"count": "12"})
    _post(trainer, "/sessions/1/viewers", {"count": "-4"})
    with app.app_context():
        assert db.session.get(ActivitySession, 1).unregistered_viewers == 12
    assert count_rows(app, "attendances") == 0


def test_kiosk_needs_the_device_cookie_and_signs_staff_out(
    app, client, signed_in, make_participant
):
    assert client.get("/kiosk/").status_code == 403
    make_participant(document_type="dni", document_number="44556677")
    with time_machine.travel(datetime(2026, 6, 15, 15, 10, tzinfo=UTC)):  # 10:10 in Lima
        _kiosk_session_and_check_ins(app, signed_in("trainer"))


def _kiosk_session_and_check_ins(app, trainer):
    for start, room in (("10:00", "A"), ("13:00", "B")):  # only the first is open at 10:10
        created = _post(
            trainer,
            "/sessions/new",
            _form(
                day=date(2026, 6, 15),
                start=start,
                end=start.replace(":00", ":59"),
                room=room,
                title=f"Sesión {start}",
            ),
        )
        assert created.status_code == 302
    opened = _post(trainer, "/kiosk/open")
    assert opened.status_code == 302
    assert trainer.get("/participants/").status_code == 302  # signed out of this browser
    page = trainer.get("/kiosk/")
    assert page.status_code == 200
    open_titles = {item.title: item.id for item in _open_sessions(app)}
    assert set(open_titles) == {"Sesión 10:00"}
    session_id = str(open_titles["Sesión 10:00"])
    first = _post(trainer, "/kiosk/check-in", {"session_id": session_id, "identifier": "44556677"})
    assert first.status_code == 200
    assert "¡Gracias, María!" in first.get_data(as_text=True)
    assert "Quispe" not in first.get_data(as_text=True)
    again = _post(trainer, "/kiosk/check-in", {"session_id": session_id, "identifier": "44556677"})
    assert again.status_code == 409
    unknown = _post(
        trainer, "/kiosk/check-in", {"session_id": session_id, "identifier": "11111111"}
    )
    assert unknown.status_code == 400
    assert count_rows(app, "attendances") == 1


def _open_sessions(app):
    from telecenter.attendance.kiosk import open_sessions
    from telecenter.clock import utcnow

    with app.app_context():
        return open_sessions(db.session, utcnow())


def test_calendar_pages_and_ics_feed_parse(app, trainer, client):
    day = today_in_lima() + timedelta(days=1)
    _post(
        trainer,
        "/sessions/new",
        _form(
            day=day,
            repeat="y",
            weekdays=[str(day.weekday())],
            until=(day + timedelta(days=14)).isoformat(),
        ),
    )
    week = trainer.get(f"/calendar/?date={day.isoformat()}").get_data(as_text=True)
    assert week.count("Injerto de cacao") == 1
    from telecenter.attendance.calendar import month_weeks

    shown = {d for week in month_weeks(day) for d in week}
    expected = sum(day + timedelta(days=7 * n) in shown for n in range(3))
    month = trainer.get(f"/calendar/?view=month&date={day.isoformat()}").get_data(as_text=True)
    assert month.count("Injerto de cacao") == expected
    assert trainer.get("/calendar/?date=not-a-date").status_code == 200
    feed = client.get("/calendar/sessions.ics")
    assert feed.mimetype == "text/calendar"
    parsed = icalendar.Calendar.from_ical(feed.data)
    events = [c for c in parsed.walk("VEVENT")]
    assert len(events) == 3
    first = min(events, key=lambda e: e.decoded("dtstart"))
    assert str(first["summary"]) == "Injerto de cacao"
    assert first.decoded("dtstart").utcoffset() == timedelta(0)
    assert first.decoded("dtstart").hour == 14  # 09:00 in Lima
    assert str(first["location"]) == "Sala"


def test_resident_registers_and_joins_the_waiting_list(app, signed_in, client, make_participant):
    trainer = signed_in("trainer")
    _post(trainer, "/sessions/new", _form(capacity="1"))
    first = make_participant(given_names="Ana", document_type="dni", document_number="44556677")
    _post(trainer, "/sessions/1/walk-in", {"participant_id": str(first)})
    trainer.post("/sign-out", data={"csrf_token": csrf_token(trainer)})
    make_participant(
        given_names="Eva",
        surnames="Paz",
        document_type="dni",
        document_number="44556688",
        pin="5824",
    )
    _post(client, "/sign-in/participant", {"identifier": "44556688", "pin": "5824"})
    page = client.get("/sessions/1").get_data(as_text=True)
    assert "Anotarme en la lista de espera" in page
    answer = _post(client, "/sessions/1/register", follow_redirects=True)
    assert "lista de espera" in answer.get_data(as_text=True)
    assert client.get("/sessions/1/roster").status_code == 403


def test_reports_and_csv(app, trainer, make_participant):
    _post(trainer, "/sessions/new", _form(day=today_in_lima() - timedelta(days=2)))
    pid = make_participant(given_names="Ana")
    _post(trainer, "/sessions/1/walk-in", {"participant_id": str(pid)})
    report = trainer.get("/sessions/reports/").get_data(as_text=True)
    assert "100 %" in report
    csv_text = trainer.get("/sessions/reports/attendance.csv").get_data(as_text=True)
    assert 'Injerto de cacao,,"Agricultura (cacao, café)",Teleconferencia,Ana Quispe' in csv_text
    person = trainer.get(f"/sessions/reports/participants/{pid}").get_data(as_text=True)
    assert "Injerto de cacao" in person
    sheet = trainer.get("/sessions/1/sign-in-sheet").get_data(as_text=True)
    assert "Ana Quispe" in sheet
