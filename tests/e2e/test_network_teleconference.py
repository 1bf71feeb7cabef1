"""Network teleconferences end to end (issue 21): scheduled once at central, received by the
sites it is for, attended at the kiosk, counted per event after a real sync.

A central (PostgreSQL) and two sites (SQLite) in two regions run under gunicorn, all three
clocks started at 09:00 on Monday 7 December 2026 in Lima by libfaketime, so the check-in
window of an event 25 minutes later is open. The expected figures are worked out below from
who checked in, not asked of the site's counting code.
"""

from __future__ import annotations

import re

import pytest
import requests
import sqlalchemy as sa

from tests.e2e.conftest import CSRF, staff_session
from tests.e2e.network import CENTRAL_ADMIN, Trainer, sites, sync
from tests.e2e.network import created_id as _id
from tests.live import LiveServer

pytestmark = pytest.mark.postgres

T0 = "2026-12-07 14:00:00"  # the clocks (libfaketime), 09:00 in Lima
DAY = T0[:10]  # the clocks' day: events are scheduled on it, in its morning
SAN_MARTIN, UCAYALI = "SM-LAMAS-01", "UC-MASISEA-02"
REGIONS = {SAN_MARTIN: "San Martín", UCAYALI: "Ucayali"}
PEOPLE = {  # who: (sex, birth date, DNI); ages on 7 December 2026
    "rosa": ("female", "1996-11-20", "41000001"),  # 30: 30-44
    "juan": ("male", "1981-11-25", "41000002"),  # 45: 45-59
    "luz": ("female", "2008-11-28", "41000003"),  # 18, registered but does not come
}


class Office:
    """The central admin's browser session: posts forms with their CSRF token."""

    def __init__(self, central: LiveServer):
        self.url = central.url
        self.http = staff_session(central, *CENTRAL_ADMIN)
        page = self.http.get(self.url + "/central/network-events/new", timeout=10)
        self.token = CSRF.search(page.text).group(1)

    def post(self, path: str, data: dict) -> str:
        answer = self.http.post(
            self.url + path,
            data={"csrf_token": self.token, **data},
            allow_redirects=False,
            timeout=20,
        )
        problems = re.findall(r'class="error"[^>]*>([^<]+)', answer.text)
        assert answer.status_code == 302, (path, answer.status_code, problems or answer.text)
        return answer.headers["Location"]

    @staticmethod
    def fields(title: str, start: str, end: str) -> dict:
        """What the scheduling form asks, as a programme officer fills it in."""
        return {
            "title": title,
            "topic": "Poda y manejo de sombra",
            "category": "agriculture",
            "commodity": "cacao",
            "purpose": "training",
            "presenter": "Ing. Carmen Ríos",
            "organisation": "Cooperativa Oro Verde",
            "platform": "Zoom",
            "joining_details": "Reunión 123 456 789",
            "day": DAY,
            "start": start,
            "end": end,
            "region": "",
        }

    def schedule(self, title: str, start: str, end: str, **audience) -> str:
        """A new network teleconference; its public id (NE-n)."""
        location = self.post(
            "/central/network-events/new", {**self.fields(title, start, end), **audience}
        )
        return f"NE-{_id(location)}"


def _engine(site: LiveServer):
    return sa.create_engine(f"sqlite:///{site.instance}/telecenter.sqlite3")


def _local_sessions(site: LiveServer) -> dict[str, tuple]:
    """The site's sessions that show network events: id -> (title, starts_at, network state)."""
    engine = _engine(site)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT network_event, id, title, starts_at, network_state FROM activity_sessions"
                " WHERE network_event IS NOT NULL"
            )
        ).all()
    engine.dispose()
    return {
        event: (sid, title, str(starts)[:16], state) for event, sid, title, starts, state in rows
    }


def _register(trainer: Trainer) -> dict[str, int]:
    ids = {}
    for who, (sex, birth, dni) in PEOPLE.items():
        ids[who] = _id(
            trainer.post(
                "/participants/new",
                {
                    "given_names": who.capitalize(),
                    "surnames": "Prueba",
                    "sex": sex,
                    "birth_date": birth,
                    "document_type": "dni",
                    "document_number": dni,
                    "district_ubigeo": "220901",
                    "community": "Pucayacu",
                    "consent": "y",
                },
            )
        )
    return ids


def _check_in_at_the_kiosk(site: LiveServer, trainer: Trainer, session_id: int, who) -> None:
    trainer.post("/kiosk/open", {})
    kiosk = trainer.http.cookies.get("kiosk")
    assert kiosk
    for name in who:
        pc = requests.Session()
        pc.cookies.set("kiosk", kiosk)
        token = CSRF.search(pc.get(site.url + "/kiosk/", timeout=10).text).group(1)
        answer = pc.post(
            site.url + "/kiosk/check-in",
            data={
                "csrf_token": token,
                "session_id": str(session_id),
                "identifier": PEOPLE[name][2],
            },
            timeout=20,
        )
        assert answer.status_code == 200, answer.text[:2000]


@pytest.fixture(scope="module")
def network(tmp_path_factory, worker_id):
    with sites(
        tmp_path_factory, f"events_{worker_id}", REGIONS, site_clock=T0, central_clock=T0
    ) as net:
        yield net


def test_an_event_for_a_region_reaches_it_moves_and_is_counted(network):
    office = Office(network.central)
    event = office.schedule(
        "Poda del cacao", "09:20", "11:00", audience="region", region="San Martín"
    )
    here, there = network.sites[SAN_MARTIN], network.sites[UCAYALI]
    sync(here)
    sync(there)
    assert event in _local_sessions(here)
    assert _local_sessions(there) == {}
    (sid, title, starts, state) = _local_sessions(here)[event]
    assert (title, starts, state) == ("Poda del cacao", f"{DAY} 14:20", "scheduled")

    number = event.removeprefix("NE-")
    office.post(
        f"/central/network-events/{number}/reschedule",
        {"day": DAY, "start": "09:25", "end": "11:30"},
    )
    sync(here)
    assert _local_sessions(here)[event][2] == f"{DAY} 14:25"
    trainer = Trainer(here)
    page = trainer.http.get(f"{here.url}/sessions/{sid}", timeout=10).text
    notice = re.search(
        r"La oficina central cambió la hora\. Antes: ([^.]+)\. Ahora: ([^.]+)\.", page
    )
    assert notice is not None, page
    assert "9:20" in notice.group(1)
    assert "9:25" in notice.group(2)

    calendar = trainer.http.get(f"{here.url}/calendar/", params={"date": DAY}, timeout=10).text
    assert "Poda del cacao" in calendar
    assert "Teleconferencia de la red" in calendar
    ids = _register(trainer)
    assert len(ids) == 3
    _check_in_at_the_kiosk(here, trainer, sid, ("rosa", "juan"))
    # Opening the kiosk turned that browser into the kiosk: the trainer signs in again.
    saved = Trainer(here).post(f"/sessions/{sid}/viewers", {"count": "5"})
    assert saved.endswith(f"/sessions/{sid}/roster"), saved
    sync(here)

    # Worked out from the check-ins: Rosa (woman, 30) and Juan (man, 45) came, Luz did not;
    # five viewers without registration were counted by the trainer.
    answer = office.http.get(f"{network.central.url}/api/v1/network-events/{event}", timeout=10)
    assert answer.status_code == 200, answer.text
    figures = answer.json()
    place = {p["telecenter"]: p for p in figures["by_telecenter"]}
    expected = {
        "sessions_held": 1,
        "attendances": 2,
        "participants": 2,
        "women": 1,
        "men": 1,
        "unregistered_viewers": 5,
    }
    assert {k: place[SAN_MARTIN][k] for k in expected} == expected
    assert {k: figures["totals"][k] for k in expected} == expected
    assert {b: n for b, n in figures["totals"]["age_band"].items() if n} == {"30-44": 1, "45-59": 1}
    assert UCAYALI not in place or not place[UCAYALI]["invited"]
    assert figures["reported"] == 1
    # The event's figures agree with the month's teleconference facts.
    month = office.http.get(
        f"{network.central.url}/api/v1/participation",
        params={"from": DAY[:7], "to": DAY[:7], "activity": "teleconference"},
        timeout=10,
    ).json()
    assert month["totals"]["attendances"] == expected["attendances"]


def test_a_site_offline_while_three_events_change_ends_right_after_one_sync(network):
    office = Office(network.central)
    there = network.sites[UCAYALI]
    known = office.schedule("Café: abonos", "14:00", "15:00", audience="region", region="Ucayali")
    sync(there)
    assert _local_sessions(there)[known][3] == "scheduled"
    # The link is down for days: meanwhile central cancels the one the site knows, and
    # creates three more, moving one, renaming one and cancelling one before it was seen.
    office.post(f"/central/network-events/{known[3:]}/cancel", {"reason": "Lluvias"})
    moved = office.schedule("Café: cosecha", "15:00", "16:00", audience="all")
    office.post(
        f"/central/network-events/{moved[3:]}/reschedule",
        {"day": DAY, "start": "15:30", "end": "16:30"},
    )
    chosen = _telecenter_id(office, UCAYALI)
    renamed = office.schedule(
        "Plátano", "17:00", "18:00", audience="chosen", telecenters=str(chosen)
    )
    office.post(
        f"/central/network-events/{renamed[3:]}/edit",
        {
            **office.fields("Plátano: sigatoka", "17:00", "18:00"),
            "audience": "chosen",
            "telecenters": str(chosen),
        },
    )
    dropped = office.schedule("Café: secado", "16:00", "17:00", audience="all")
    office.post(f"/central/network-events/{dropped[3:]}/cancel", {"reason": "Sin expositor"})
    sync(there)
    shown = _local_sessions(there)
    assert shown[known][3] == "cancelled"
    assert shown[moved][1:] == ("Café: cosecha", f"{DAY} 20:30", "scheduled")
    assert shown[renamed][1:] == ("Plátano: sigatoka", f"{DAY} 22:00", "scheduled")
    assert dropped not in shown  # cancelled before the site ever saw it
    elsewhere = _local_sessions(network.sites[SAN_MARTIN])
    assert known not in elsewhere
    assert renamed not in elsewhere


def _telecenter_id(office: Office, code: str) -> int:
    page = office.http.get(office.url + "/central/network-events/new", timeout=10).text
    found = re.search(rf'value="(\d+)"[^>]*>\s*[^<]*{code}', page) or re.search(
        rf"{code}[^<]*</label>", page
    )
    assert found, page[:2000]
    return int(found.group(1))
