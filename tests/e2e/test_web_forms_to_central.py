"""A trainer's month typed into the site's web forms, synced for real, read from central's API.

The site runs on gunicorn with its clock fixed (libfaketime) at noon on 29 November 2026 in
Lima, so the figures do not depend on the day the suite runs. The trainer registers four
people, types in three past sessions from paper (one late on 31 October, which is already
1 November in UTC), corrects one attendance, cancels a fourth session and enrols a woman in the
financial-inclusion programme. The expected figures are written out below from those entries,
person by person; the test never asks the site what it counted.
"""

from __future__ import annotations

import glob
import re
import subprocess

import httpx
import pytest

from tests import pg
from tests.e2e.conftest import CSRF, staff_session
from tests.live import BIN, LiveServer

pytestmark = pytest.mark.postgres

CODE = "SM-FORMULARIO-01"
# Debian's libfaketime (package libfaketime, installed by .ci/run): the clock starts at this
# moment when the process starts and runs on; forked workers keep their parent's clock.
FAKETIME_LIBRARY = next(iter(sorted(glob.glob("/usr/lib/*/faketime/libfaketime.so.1"))), "")
SITE_CLOCK = {
    "LD_PRELOAD": FAKETIME_LIBRARY,
    "FAKETIME": "@2026-11-29 17:00:00",
    "FAKETIME_DONT_RESET": "1",
}
PEOPLE = {  # who: (form, fields)
    "rosa": (
        "new",
        {
            "given_names": "Rosa",
            "surnames": "Tapullima",
            "sex": "female",
            "birth_date": "1996-11-20",
        },
    ),  # 30 on 20 November
    "juan": (
        "new",
        {"given_names": "Juan", "surnames": "Sangama", "sex": "male", "birth_date": "1981-11-25"},
    ),  # 45 on 25 November
    "luz": (
        "new",
        {"given_names": "Luz", "surnames": "Panduro", "sex": "female", "birth_date": "2008-11-28"},
    ),  # 18 on 28 November
    "abel": ("quick", {"given_names": "Abel", "sex": "unspecified", "birth_year": "1960"}),
}


@pytest.fixture(scope="module")
def network(tmp_path_factory, worker_id):
    assert FAKETIME_LIBRARY, "libfaketime is missing: apt-get install libfaketime"
    url = pg.create_database(f"telecenter_e2e_forms_{worker_id}")
    central = (
        LiveServer(
            instance=tmp_path_factory.mktemp("forms-central"), role="central", database_url=url
        )
        .prepare(demo=False)
        .start()
    )
    token = (
        central.cli(
            "central", "add-telecenter", CODE, "--name", "Formularios", "--region", "San Martín"
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    api_key = (
        central.cli("central", "create-api-key", "--name", "prueba").stdout.strip().splitlines()[-1]
    )
    site = LiveServer(
        instance=tmp_path_factory.mktemp("forms-site"),
        extra_env={
            **SITE_CLOCK,
            "TELECENTER_CODE": CODE,
            "CENTRAL_URL": central.url,
            "SYNC_TOKEN": token,
        },
    ).prepare(demo=False)
    site.cli(
        "create-user",
        "--username",
        "capacitadora",
        "--name",
        "Capacitadora",
        "--role",
        "trainer",
        "--password",
        "clave-de-prueba-1",
    )
    site.start()
    _enter_the_month(Trainer(site))
    done = subprocess.run(
        [str(BIN / "telecenter"), "sync"],
        env=site.env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    yield central, api_key
    site.stop()
    central.stop()
    pg.drop_database(url)


class Trainer:
    """A signed-in browser session that posts forms with their CSRF token."""

    def __init__(self, site: LiveServer):
        self.url = site.url
        self.http = staff_session(site, "capacitadora", "clave-de-prueba-1")
        self.token = CSRF.search(
            self.http.get(self.url + "/participants/new", timeout=10).text
        ).group(1)

    def post(self, path: str, data: dict) -> str:
        """Post a form; return where the site sent the browser (a form error fails here)."""
        answer = self.http.post(
            self.url + path,
            data={"csrf_token": self.token, **data},
            allow_redirects=False,
            timeout=20,
        )
        assert answer.status_code == 302, (path, answer.status_code, answer.text[:2000])
        return answer.headers["Location"]


def _id(location: str) -> int:
    return int(re.search(r"/(\d+)(?:/|$)", location).group(1))


def _register(trainer: Trainer) -> dict[str, int]:
    ids = {}
    for who, (form, fields) in PEOPLE.items():
        extra = (
            {
                "document_type": "none",
                "document_number": "",
                "district_ubigeo": "220901",
                "community": "Pucayacu",
            }
            if form == "new"
            else {}
        )
        ids[who] = _id(trainer.post(f"/participants/{form}", {**fields, **extra, "consent": "y"}))
    return ids


def _session(trainer: Trainer, kind, category, day, start, end, room) -> int:
    return _id(
        trainer.post(
            "/sessions/new",
            {
                "kind": kind,
                "title": f"{kind} {day}",
                "category": category,
                "day": day,
                "start": start,
                "end": end,
                "room": room,
                "checkin_before_minutes": "30",
                "checkin_after_minutes": "30",
            },
        )
    )


def _enter_the_month(trainer: Trainer) -> None:
    ids = _register(trainer)
    trainer.post(f"/programme/participants/{ids['rosa']}/enrol", {"enrolled_on": "2026-11-21"})
    night = _session(
        trainer, "teleconference", "agriculture", "2026-10-31", "19:00", "21:00", "Sala 1"
    )
    monday = _session(
        trainer, "class", "digital_literacy", "2026-11-21", "09:00", "11:30", "Sala 2"
    )
    workshop = _session(
        trainer, "workshop", "financial_literacy", "2026-11-26", "14:00", "15:20", "Sala 3"
    )
    cancelled = _session(trainer, "class", "other", "2026-11-27", "10:00", "12:00", "Sala 4")
    trainer.post(f"/sessions/{cancelled}/cancel", {"reason": "Lluvia", "scope": "one"})
    for session, people in (
        (night, ("rosa", "juan")),
        (monday, ("rosa", "juan", "luz")),
        (workshop, ("rosa", "juan", "luz")),
    ):
        for who in people:
            trainer.post(f"/sessions/{session}/walk-in", {"participant_id": str(ids[who])})
    trainer.post(f"/sessions/{night}/viewers", {"count": "5"})
    # Luz was on the Monday list by mistake: a correction, with its reason.
    trainer.post(
        f"/sessions/{monday}/roster",
        {f"status-{ids['luz']}": "absent", "reason": "No vino; error en la lista"},
    )


MEASURES = (
    "attendances",
    "hours",
    "sessions_held",
    "registrations",
    "completions",
    "wfi_enrolments",
    "reached",
    "teleconference_reached",
    "trained",
)


def _row(**values):
    return {name: values.get(name, 0) for name in MEASURES}


# Counted by hand from _enter_the_month. Attendances: Rosa 3 (2 h + 2.5 h + 1h20), Juan 3
# (the same), Luz 1 (the workshop: her Monday was corrected to absent). Age at each event:
# Rosa 29 on 31 Oct, 30 from 20 Nov; Juan 44 until 25 Nov, then 45; Luz 17 until 28 Nov.
# Rosa is in the programme from 21 Nov. Registrations all on 29 Nov (ages then: 30, 45, 18,
# and Abel 66 by his birth year). First events: Rosa and Juan on 31 Oct, Luz on 26 Nov.
EXPECTED = {
    "": {
        (): _row(
            attendances=7,
            hours=13.0,
            sessions_held=3,
            registrations=4,
            wfi_enrolments=1,
            reached=3,
            teleconference_reached=2,
        )
    },
    "month": {
        ("2026-10",): _row(
            attendances=2, hours=4.0, sessions_held=1, reached=2, teleconference_reached=2
        ),
        ("2026-11",): _row(
            attendances=5, hours=9.0, sessions_held=2, registrations=4, wfi_enrolments=1, reached=1
        ),
    },
    "sex": {
        ("female",): _row(
            attendances=4,
            hours=7.17,
            sessions_held=None,
            registrations=2,
            wfi_enrolments=None,
            reached=2,
            teleconference_reached=1,
        ),
        ("male",): _row(
            attendances=3,
            hours=5.83,
            sessions_held=None,
            registrations=1,
            wfi_enrolments=None,
            reached=1,
            teleconference_reached=1,
        ),
        ("unspecified",): _row(sessions_held=None, registrations=1, wfi_enrolments=None),
    },
    "age_band": {
        ("15-17",): _row(attendances=1, hours=1.33, sessions_held=None, reached=1),
        ("18-29",): _row(
            attendances=1,
            hours=2.0,
            sessions_held=None,
            registrations=1,
            reached=1,
            teleconference_reached=1,
        ),
        ("30-44",): _row(
            attendances=4,
            hours=8.33,
            sessions_held=None,
            registrations=1,
            wfi_enrolments=1,
            reached=1,
            teleconference_reached=1,
        ),
        ("45-59",): _row(attendances=1, hours=1.33, sessions_held=None, registrations=1),
        ("60+",): _row(sessions_held=None, registrations=1),
    },
    "wfi": {
        (False,): _row(
            attendances=5,
            hours=9.17,
            sessions_held=None,
            registrations=None,
            completions=None,
            wfi_enrolments=None,
            reached=3,
            teleconference_reached=2,
        ),
        (True,): _row(
            attendances=2,
            hours=3.83,
            sessions_held=None,
            registrations=None,
            completions=None,
            wfi_enrolments=None,
        ),
    },
    "activity": {
        ("class",): _row(
            attendances=2,
            hours=5.0,
            sessions_held=1,
            registrations=None,
            completions=None,
            wfi_enrolments=None,
            reached=2,
            teleconference_reached=None,
            trained=None,
        ),
        ("teleconference",): _row(
            attendances=2,
            hours=4.0,
            sessions_held=1,
            registrations=None,
            completions=None,
            wfi_enrolments=None,
            reached=2,
            teleconference_reached=None,
            trained=None,
        ),
        ("workshop",): _row(
            attendances=3,
            hours=4.0,
            sessions_held=1,
            registrations=None,
            completions=None,
            wfi_enrolments=None,
            reached=3,
            teleconference_reached=None,
            trained=None,
        ),
    },
}


@pytest.mark.parametrize("group_by", list(EXPECTED))
def test_central_shows_what_the_trainer_typed(network, group_by):
    central, api_key = network
    answer = httpx.get(
        central.url + "/api/v1/participation",
        timeout=10,
        params={"from": "2026-09", "to": "2026-12", "group_by": group_by},
        headers={"Authorization": f"Bearer {api_key}"},
    )
    assert answer.status_code == 200, answer.text
    groups = group_by.split(",") if group_by else []
    rows = {
        tuple(row[g] for g in groups): {m: row[m] for m in MEASURES}
        for row in answer.json()["rows"]
    }
    assert rows == EXPECTED[group_by]
