"""A network teleconference attended here as any session (kiosk, roster, viewers), then counted
per event in the month report's `network_events` section and in the ordinary tables (issue 21).
Expected figures come from what the test entered, not from the counting code."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from telecenter import month_report
from telecenter.attendance.models import ActivitySession
from telecenter.clock import to_lima
from telecenter.extensions import db
from telecenter.sync.month_reports import monthly_reports
from tests.conftest import FIXED_NOW, csrf_token, sign_in
from tests.sync.central_events import CODE, event, receive, settings

MONTH = "2026-11"  # FIXED_NOW is 29 November 2026, noon in Lima


def _post(client, path, data=None):
    return client.post(path, data={"csrf_token": csrf_token(client), **(data or {})})


def _network_session(app) -> int:
    """NE-3 starts ten minutes from now (check-in is open); NE-4, tomorrow, is not held."""
    starts = FIXED_NOW + timedelta(minutes=10)
    tomorrow = FIXED_NOW + timedelta(days=1)
    with app.app_context():
        receive(
            settings(
                "r2-a",
                event(
                    3,
                    starts_at=month_report.stamp(starts),
                    ends_at=month_report.stamp(starts + timedelta(hours=2)),
                ),
                event(
                    4,
                    starts_at=month_report.stamp(tomorrow),
                    ends_at=month_report.stamp(tomorrow + timedelta(hours=1)),
                ),
            )
        )
        return db.session.scalar(
            sa.select(ActivitySession.id).where(ActivitySession.network_event == "NE-3")
        )


def test_kiosk_roster_and_viewers_on_a_network_session_are_counted_per_event(
    clock, app, signed_in, make_user, make_participant
):
    people = {
        # name: (sex, birth date, age band on 29 November 2026 as the vocabulary defines it)
        "Ana": ("female", date(1990, 5, 4), "30-44"),
        "Luis": ("male", date(2007, 3, 1), "18-29"),
        "Eva": ("female", date(1970, 8, 9), "45-59"),
    }
    ids = {
        name: make_participant(
            given_names=name,
            surnames="Vela",
            sex=sex,
            birth_date=born,
            document_type="dni",
            document_number=f"4455{index:04d}",
        )
        for index, (name, (sex, born, _band)) in enumerate(people.items())
    }
    dni = {name: f"4455{index:04d}" for index, name in enumerate(people)}
    session_id = _network_session(app)
    trainer = signed_in("trainer")
    assert (
        _post(
            trainer,
            f"/sessions/{session_id}/edit",
            {"room": "Sala", "checkin_before_minutes": "30", "checkin_after_minutes": "30"},
        ).status_code
        == 302
    )

    kiosk = app.test_client()
    username, password = make_user("trainer", username="kiosco")
    assert sign_in(kiosk, username, password).status_code == 302
    assert _post(kiosk, "/kiosk/open").status_code == 302
    for name in ("Ana", "Luis"):
        answer = _post(
            kiosk, "/kiosk/check-in", {"session_id": str(session_id), "identifier": dni[name]}
        )
        assert answer.status_code == 200
        assert f"¡Gracias, {name}!" in answer.get_data(as_text=True)

    absent = {"participant_id": str(ids["Eva"]), "status": "absent"}
    assert _post(trainer, f"/sessions/{session_id}/walk-in", absent).status_code == 302
    assert _post(trainer, f"/sessions/{session_id}/viewers", {"count": "7"}).status_code == 302
    roster = trainer.get(f"/sessions/{session_id}/roster").get_data(as_text=True)
    for name in people:
        assert name in roster

    # A local teleconference this morning, with Luis: counted in the tables, not per event.
    today = to_lima(FIXED_NOW).date().isoformat()
    local = {
        "kind": "teleconference",
        "title": "Mercados de café",
        "category": "agriculture",
        "commodity": "coffee",
        "day": today,
        "start": "08:00",
        "end": "09:00",
        "room": "Aula",
        "checkin_before_minutes": "30",
        "checkin_after_minutes": "30",
    }
    assert _post(trainer, "/sessions/new", local).status_code == 302
    with app.app_context():
        local_id = db.session.scalar(
            sa.select(ActivitySession.id).where(ActivitySession.title == "Mercados de café")
        )
    walk_in = {"participant_id": str(ids["Luis"]), "status": "present"}
    assert _post(trainer, f"/sessions/{local_id}/walk-in", walk_in).status_code == 302

    with app.app_context():
        october, november = monthly_reports(
            db.session, telecenter=CODE, first="2026-10", last=MONTH, schema=2
        )
    assert month_report.validate(november) == []
    assert "network_events" not in october
    came = ("Ana", "Luis")
    expected_rows = sorted(
        (people[name][0], people[name][2], 1, 1) for name in came
    )  # one attendance and one person each
    (section,) = november["network_events"]
    assert (section["event"], section["sessions_held"], section["unregistered_viewers"]) == (
        "NE-3",
        1,
        7,
    )
    rows = sorted(
        (r["sex"], r["age_band"], r["attendances"], r["participants"])
        for r in section["attendance"]
    )
    assert rows == expected_rows

    teleconferences = [r for r in november["sessions"] if r["activity"] == "teleconference"]
    assert sum(r["sessions_held"] for r in teleconferences) == 2  # NE-3 and this morning's
    assert sum(r["unregistered_viewers"] for r in teleconferences) == 7
    attended = [r for r in november["attendance"] if r["activity"] == "teleconference"]
    assert sum(r["attendances"] for r in attended) == len(came) + 1
    assert sum(r["attendances"] for r in section["attendance"]) <= sum(
        r["attendances"] for r in attended
    )
