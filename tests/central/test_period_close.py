"""Closing a quarter: every catalogue figure stored as reported, with a hash; a late
correction afterwards shows as a restatement naming the telecenter-month; closed figures never
change; only central admins close, and bad choices change nothing."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
import sqlalchemy as sa

from telecenter.central import period_close
from telecenter.central.models import PeriodClose
from telecenter.extensions import db
from tests.central.test_indicators import CODE, distinct, load, report
from tests.central.test_ingest import send
from tests.conftest import csrf_token

DIGITAL = "TC_TRAINED_DIGITAL"


def _close(client, period: str):
    return client.post(
        "/central/closes/", data={"period": period, "csrf_token": csrf_token(client)}
    )


def _network(row: PeriodClose, indicator: str, period: str) -> dict:
    return {
        f.options: f.value
        for f in period_close.reported(row)
        if f.indicator == indicator and f.period == period and f.telecenter is None
    }


def _split(cells: dict) -> dict:
    """The cells of a split (the network's one figure has no options)."""
    return {k: v for k, v in cells.items() if k and v}


def _closes(app) -> list[tuple]:
    with app.app_context():
        return [
            (r.period, r.digest, r.snapshot) for r in db.session.scalars(sa.select(PeriodClose))
        ]


def test_a_closed_quarter_keeps_its_figures_and_shows_a_late_correction(
    clock, central, signed_in_central
):
    crowd = load(central)
    admin = signed_in_central(central, role="central_admin")
    answer = _close(admin, "2025-Q1")
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith("/central/closes/2025-Q1")

    expected = distinct(crowd, "trained:digital_literacy", "2025-01", "2025-03")
    with central.app_context():
        row = period_close.find(db.session, "2025-Q1")
        assert row is not None
        assert row.digest == hashlib.sha256(row.snapshot.encode()).hexdigest()
        stored = _network(row, DIGITAL, "2025-Q1")
        assert _split(stored) == dict(expected)
        assert stored[()] == sum(expected.values())
        # Month indicators are stored for each month of the quarter, none outside it.
        periods = {f.period for f in period_close.reported(row)}
        assert periods <= {"2025-Q1", "2025-01", "2025-02", "2025-03"}
        assert "2025-Q1" in periods
    download = admin.get("/central/closes/2025-Q1.json")
    assert download.status_code == 200
    assert hashlib.sha256(download.data).hexdigest() == row.digest
    page = admin.get("/central/closes/2025-Q1").get_data(as_text=True)
    assert 'data-intact="yes"' in page
    assert "data-no-changes" in page

    # Minutes later, SM corrects February: ten more women trained in digital literacy.
    clock.shift(timedelta(minutes=5))
    newcomers = [
        {
            "telecenter": CODE,
            "sex": "female",
            "scopes": {
                "any": [("2025-02", "18-29")],
                "trained:digital_literacy": [("2025-02", "18-29")],
                "commodity:cacao": [],
            },
        }
        for _ in range(10)
    ]
    corrected = report(crowd + newcomers, CODE, "2025-02") | {
        "generated_at": "2026-02-01T00:00:00Z"
    }
    assert send(central, [corrected], code=CODE).status_code == 200

    page = admin.get("/central/closes/2025-Q1").get_data(as_text=True)
    before, now = sum(expected.values()), sum(expected.values()) + 10
    assert f'data-restated="{DIGITAL}|2025-Q1||female,15-29"' in page
    assert f'data-late="{CODE}|2025-02"' in page
    with central.app_context():
        row = period_close.find(db.session, "2025-Q1")
        changes = {
            (r.figure.indicator, r.figure.period, r.figure.telecenter, r.figure.options): r
            for r in period_close.restatements(db.session, row)
        }
        network = [r for k, r in changes.items() if k[:3] == (DIGITAL, "2025-Q1", None) and k[3]]
        assert sum(r.change for r in network) == now - before
        assert changes[(DIGITAL, "2025-Q1", None, ())].change == now - before
        key = (DIGITAL, "2025-Q1", None, ("female", "15-29"))
        assert changes[key].change == 10
        # What was reported is unchanged.
        assert _network(row, DIGITAL, "2025-Q1") == stored
        assert [(r.telecenter, r.month) for r in period_close.received_after(db.session, row)] == [
            (CODE, "2025-02")
        ]


def test_closed_figures_cannot_be_changed_and_tampering_shows(clock, central, signed_in_central):
    load(central, seed=3)
    admin = signed_in_central(central, role="central_admin")
    assert _close(admin, "2025-Q2").status_code == 302
    with central.app_context():
        row = period_close.find(db.session, "2025-Q2")
        row.snapshot = row.snapshot.replace('"value":', '"value": ', 1)
        with pytest.raises(ValueError, match="cannot be changed"):
            db.session.flush()
        db.session.rollback()
        # Behind the application's back (the database by hand): the page says so.
        db.session.execute(sa.update(PeriodClose).values(snapshot=PeriodClose.snapshot + " "))
        db.session.commit()
    page = admin.get("/central/closes/2025-Q2").get_data(as_text=True)
    assert 'data-intact="no"' in page
    assert "¡Alteradas!" in admin.get("/central/closes/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2026-Q4", "aún no ha terminado"),  # the clock is in November 2026
        ("FY2027", "aún no ha terminado"),
        ("2025-03", "Solo se cierran trimestres"),
        ("2025", "Solo se cierran trimestres"),
        ("2025-Q9", "Elija un trimestre"),
        ("", "Elija el periodo"),
    ],
)
def test_a_period_that_cannot_be_closed_is_refused_and_nothing_stored(
    clock, central, signed_in_central, period, message
):
    admin = signed_in_central(central, role="central_admin")
    answer = _close(admin, period)
    assert answer.status_code == 400
    assert message in answer.get_data(as_text=True)
    assert _closes(central) == []


def test_a_period_is_closed_once(clock, central, signed_in_central):
    load(central, seed=5)
    admin = signed_in_central(central, role="central_admin")
    assert _close(admin, "2025-Q1").status_code == 302
    first = _closes(central)
    answer = _close(admin, "2025-Q1")
    assert answer.status_code == 400
    assert "ya está cerrado" in answer.get_data(as_text=True)
    assert _closes(central) == first
    offered = admin.get("/central/closes/").get_data(as_text=True)
    assert 'value="2025-Q1"' not in offered
    assert 'value="2025-Q2"' in offered


def test_the_form_offers_ended_quarters_and_fiscal_years_only(clock, central, signed_in_central):
    admin = signed_in_central(central, role="central_admin")
    page = admin.get("/central/closes/").get_data(as_text=True)
    assert 'value="2026-Q3"' in page  # ended in September 2026
    assert 'value="FY2026"' in page  # October 2025 to September 2026
    assert 'value="2026-Q4"' not in page
    assert 'value="FY2027"' not in page


def test_staff_read_closes_but_only_admins_close(clock, central, signed_in_central):
    load(central, seed=9)
    admin = signed_in_central(central, role="central_admin")
    assert _close(admin, "2025-Q1").status_code == 302
    staff = signed_in_central(central)
    assert staff.get("/central/closes/").status_code == 200
    assert 'name="period"' not in staff.get("/central/closes/").get_data(as_text=True)
    assert staff.get("/central/closes/2025-Q1").status_code == 200
    assert staff.get("/central/closes/2025-Q1.json").status_code == 200
    assert _close(staff, "2025-Q2").status_code == 403
    assert [p for p, *_ in _closes(central)] == ["2025-Q1"]
    anonymous = central.test_client()
    assert anonymous.get("/central/closes/").status_code == 302
    assert anonymous.get("/central/closes/2025-Q1.json").status_code == 302
    assert admin.get("/central/closes/2024-Q1").status_code == 404
