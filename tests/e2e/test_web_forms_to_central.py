"""A trainer's month typed into the site's web forms, synced for real, read from central's API.

The site runs on gunicorn with its clock fixed (libfaketime) at noon on 29 November 2026 in
Lima, so the figures do not depend on the day the suite runs. The trainer registers four
people, types in three past sessions from paper (one late on 31 October, which is already
1 November in UTC), corrects one attendance, cancels a fourth session and enrols a woman in the
financial-inclusion programme. The expected figures are written out below from those entries,
person by person; the test never asks the site what it counted.
"""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.network import Trainer, network
from tests.e2e.network import created_id as _id

pytestmark = pytest.mark.postgres

CODE = "SM-FORMULARIO-01"
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
def synced(tmp_path_factory, worker_id):
    with network(
        tmp_path_factory, f"forms_{worker_id}", CODE, site_clock="2026-11-29 17:00:00"
    ) as net:
        _enter_the_month(Trainer(net.site))
        net.sync()
        yield net.central, net.api_key


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
                **({"commodity": "cacao"} if category == "agriculture" else {}),
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
def test_central_shows_what_the_trainer_typed(synced, group_by):
    central, api_key = synced
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
