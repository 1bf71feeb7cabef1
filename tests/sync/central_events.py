"""Network teleconferences as central sends them (the issue 21 contract), for site tests."""

from __future__ import annotations

import copy
from datetime import timedelta

from telecenter.central import rules as central_rules
from telecenter.extensions import db
from telecenter.month_report import stamp
from telecenter.sync import network_settings
from tests.conftest import FIXED_NOW

CODE = "SM-PRUEBA-01"
RULES = {**central_rules.DEFAULT.as_json(), "rules_version": "2"}
START = FIXED_NOW + timedelta(days=10)  # 10 December 2026, 12:00 in Lima


def event(number: int, **changes) -> dict:
    """An event as the contract spells it, starting `number` days after START by default."""
    starts = START + timedelta(days=number)
    value = {
        "id": f"NE-{number}",
        "revision": 1,
        "state": "scheduled",
        "title": f"Poda del cacao {number}",
        "topic": "Poda de formación y sanitaria",
        "category": "agriculture",
        "commodity": "cacao",
        "purpose": "training",
        "presenter": "Ing. Rosa Huamán",
        "organisation": "INIA",
        "platform": "Zoom",
        "joining_details": "Reunión 812 3344 5566, clave 2026",
        "starts_at": stamp(starts),
        "ends_at": stamp(starts + timedelta(hours=2)),
        "notes": "",
        "cancel_reason": "",
    }
    return value | changes


def settings(version: str, *events, with_key: bool = True) -> dict:
    answer: dict = {"version": version, "counting_rules": copy.deepcopy(RULES)}
    if with_key:
        answer["network_events"] = [copy.deepcopy(e) for e in events]
    return answer


def receive(answer: dict) -> None:
    network_settings.apply(db.session, answer)
    db.session.commit()
