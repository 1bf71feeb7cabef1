"""A central with telecenters in two regions, and network events built for its tests."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
import sqlalchemy as sa

from telecenter.central import network_events
from telecenter.central.models import NetworkEvent, Telecenter
from telecenter.extensions import db
from tests.conftest import FIXED_NOW

#: code -> region: two in San Martín, one in Huánuco.
TELECENTERS = {
    "SM-TARAPOTO-01": "San Martín",
    "SM-LAMAS-02": "San Martín",
    "HU-TINGO-03": "Huánuco",
}
#: Ten days after the tests' clock, 10:00 to 12:00 in Lima (15:00 to 17:00 UTC).
START = FIXED_NOW.replace(hour=15) + timedelta(days=10)
END = START + timedelta(hours=2)


@pytest.fixture
def network(make_app):
    app = make_app("central")
    runner = app.test_cli_runner()
    app.tokens = {}
    for code, region in TELECENTERS.items():
        result = runner.invoke(
            args=["central", "add-telecenter", code, "--name", code.title(), "--region", region]
        )
        assert result.exit_code == 0, result.output
        app.tokens[code] = result.output.strip().splitlines()[-1]
    return app


def telecenter(code: str) -> Telecenter:
    found = db.session.scalar(sa.select(Telecenter).where(Telecenter.code == code))
    assert found is not None
    return found


def data(**changes) -> network_events.EventData:
    base = network_events.EventData(
        title="Poda del cacao",
        topic="Poda de formación y sanitaria",
        category="agriculture",
        commodity="cacao",
        purpose="training",
        presenter="Ing. Rosa Quispe",
        organisation="INIA",
        platform="Zoom",
        joining_details="https://zoom.example/j/123",
        starts_at=START,
        ends_at=END,
        audience="all",
    )
    return dataclasses.replace(base, **changes)


def create(**changes) -> NetworkEvent:
    """An event stored and committed, created at the tests' clock."""
    event = network_events.create(db.session, data(**changes), actor=None, now=FIXED_NOW)
    db.session.commit()
    return event
