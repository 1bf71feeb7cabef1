"""Network teleconferences' pages at central: scheduling from the form (central staff may,
as central admins), rescheduling, cancelling and notes with CSRF, and the calendar list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from telecenter.central.models import NetworkEvent
from telecenter.clock import LIMA
from telecenter.extensions import db
from tests.central.network import START, create, telecenter
from tests.conftest import csrf_token

DAY = START.astimezone(LIMA).date().isoformat()  # ten days after the tests' clock
#: The day after, where a reschedule moves the event.
NEXT_DAY = (START.astimezone(LIMA) + timedelta(days=1)).date().isoformat()
LATER_DAY = (START.astimezone(LIMA) + timedelta(days=11)).date().isoformat()


def _form(**changes) -> dict:
    return {
        "title": "Injerto de café",
        "topic": "Variedades resistentes a la roya",
        "category": "agriculture",
        "commodity": "coffee",
        "purpose": "talk",
        "presenter": "Ing. Luis Huamán",
        "organisation": "Junta Nacional del Café",
        "platform": "Meet",
        "joining_details": "meet.example/abc",
        "day": DAY,
        "start": "10:00",
        "end": "11:30",
        "audience": "region",
        "region": "San Martín",
        "notes": "",
        **changes,
    }


def _stored(app) -> list[NetworkEvent]:
    with app.app_context():
        events = list(db.session.scalars(sa.select(NetworkEvent)))
        for event in events:
            _ = event.chosen  # loaded while the session is open
        return events


@pytest.mark.parametrize("role", ["central_staff", "central_admin"])
def test_central_staff_and_admins_schedule_from_the_form(network, clock, signed_in_central, role):
    browser = signed_in_central(network, role)
    answer = browser.post(
        "/central/network-events/new", data={"csrf_token": csrf_token(browser), **_form()}
    )
    assert answer.status_code == 302
    (event,) = _stored(network)
    assert answer.headers["Location"] == f"/central/network-events/{event.id}"
    lima = datetime(2026, 12, 9, 10, 0, tzinfo=LIMA)
    assert (event.starts_at, event.ends_at) == (lima, lima + timedelta(minutes=90))
    assert (event.audience, event.region, event.commodity, event.purpose) == (
        "region",
        "San Martín",
        "coffee",
        "talk",
    )
    page = browser.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Injerto de café" in page
    assert "programada" in page
    assert "Se verá en 2 telecentros" in page  # San Martín's, before it starts


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "Escriba el título"),
        ({"end": "09:00"}, "después de la hora de inicio"),
        ({"day": "2026-02-30"}, "Esa fecha no existe"),
        ({"day": "9999-12-31"}, "próximos dos años"),
        ({"start": "25:00"}, "Escriba la hora así"),
        ({"audience": "chosen"}, "Marque al menos un telecentro"),
        ({"audience": "region", "region": ""}, "región de la lista"),
        ({"category": "digital_literacy"}, "Solo las teleconferencias de agricultura"),
        ({"day": "", "start": "", "end": ""}, "Elija el día y escriba la hora de inicio"),
    ],
)
def test_a_wrong_form_says_what_to_fix_and_saves_nothing(
    network, clock, signed_in_central, changes, message
):
    browser = signed_in_central(network)
    answer = browser.post(
        "/central/network-events/new",
        data={"csrf_token": csrf_token(browser), **_form(**changes)},
    )
    assert answer.status_code == 400
    assert message in answer.get_data(as_text=True)
    assert _stored(network) == []


def test_chosen_telecenters_are_ticked_boxes(network, clock, signed_in_central):
    browser = signed_in_central(network)
    with network.app_context():
        ids = [telecenter(c).id for c in ("SM-LAMAS-02", "HU-TINGO-03")]
    form = _form(audience="chosen", region="") | {"telecenters": [str(i) for i in ids]}
    answer = browser.post(
        "/central/network-events/new", data={"csrf_token": csrf_token(browser), **form}
    )
    assert answer.status_code == 302
    (event,) = _stored(network)
    assert sorted(t.code for t in event.chosen) == ["HU-TINGO-03", "SM-LAMAS-02"]


def test_without_the_csrf_token_nothing_is_scheduled(network, clock, signed_in_central):
    browser = signed_in_central(network)
    assert browser.post("/central/network-events/new", data=_form()).status_code == 400
    assert _stored(network) == []


def _event_id(network) -> int:
    with network.app_context():
        return create().id


def test_reschedule_cancel_and_notes_from_the_event_page(network, clock, signed_in_central):
    event_id = _event_id(network)
    browser = signed_in_central(network)
    url = f"/central/network-events/{event_id}"
    moved = browser.post(
        f"{url}/reschedule",
        data={
            "csrf_token": csrf_token(browser),
            "day": NEXT_DAY,
            "start": "16:00",
            "end": "17:00",
        },
    )
    assert moved.status_code == 302
    (event,) = _stored(network)
    assert event.starts_at == datetime.fromisoformat(f"{NEXT_DAY}T16:00").replace(
        tzinfo=LIMA
    ).astimezone(UTC)
    assert event.revision == 2
    refused = browser.post(f"{url}/cancel", data={"csrf_token": csrf_token(browser), "reason": ""})
    assert refused.status_code == 400
    assert "Escriba el motivo" in refused.get_data(as_text=True)
    assert _stored(network)[0].state == "scheduled"
    cancelled = browser.post(
        f"{url}/cancel", data={"csrf_token": csrf_token(browser), "reason": "Paro de transportes"}
    )
    assert cancelled.status_code == 302
    page = browser.get(url).get_data(as_text=True)
    assert "Cancelada: Paro de transportes" in page
    assert f'action="{url}/reschedule"' not in page
    noted = browser.post(
        f"{url}/notes", data={"csrf_token": csrf_token(browser), "notes": "Nueva fecha en enero"}
    )
    assert noted.status_code == 302
    (event,) = _stored(network)
    assert (event.state, event.notes, event.revision) == ("cancelled", "Nueva fecha en enero", 4)


def test_after_the_start_the_page_says_only_notes_change(network, clock, signed_in_central):
    event_id = _event_id(network)
    clock.move_to(START + timedelta(minutes=5))
    browser = signed_in_central(network)
    url = f"/central/network-events/{event_id}"
    edit = browser.get(f"{url}/edit")
    assert edit.status_code == 302
    assert "solo se pueden cambiar las notas" in browser.get(url).get_data(as_text=True)
    late = browser.post(
        f"{url}/reschedule",
        data={
            "csrf_token": csrf_token(browser),
            "day": LATER_DAY,
            "start": "10:00",
            "end": "11:00",
        },
    )
    assert late.status_code == 409
    assert "ya empezó" in late.get_data(as_text=True)
    assert _stored(network)[0].starts_at == START


def test_the_list_shows_upcoming_and_past_events_by_month(network, clock, signed_in_central):
    with network.app_context():
        create(title="Primera de diciembre")
        create(
            title="Segunda",
            starts_at=START + timedelta(days=40),
            ends_at=START + timedelta(days=40, hours=1),
        )
    clock.move_to(START + timedelta(days=3))
    page = signed_in_central(network).get("/central/network-events/").get_data(as_text=True)
    upcoming, past = page.split('id="past-title"')
    assert "Segunda" in upcoming
    assert "Primera de diciembre" in past
    assert "Diciembre de 2026" in past
    assert 'data-state="held"' in past


def test_one_sending_shows_every_problem_even_with_a_box_unread(network, clock, signed_in_central):
    browser = signed_in_central(network)
    wrong = _form(title="", day="2026-13-40", audience="chosen", region="")
    page = browser.post(
        "/central/network-events/new", data={"csrf_token": csrf_token(browser), **wrong}
    ).get_data(as_text=True)
    assert "Esa fecha no existe" in page
    assert "Escriba el título" in page
    assert "Marque al menos un telecentro" in page
    assert _stored(network) == []
