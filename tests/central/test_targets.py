"""Programme targets: typed the Peruvian way, counted from their start month to their deadline,
edited and deleted by the central admin only; and the telecenter list's one rule for silence."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from telecenter.central import dashboard, targets
from telecenter.central.models import ProgrammeTarget, Telecenter
from telecenter.extensions import db
from telecenter.forms import NotAWholeNumber, parse_whole_number
from tests.central.test_ingest import send
from tests.central.test_participation_cells import build_network, expected_values, report_of
from tests.conftest import csrf_token

NBSP, NARROW_NBSP = "\u00a0", "\u202f"


@pytest.mark.parametrize(
    "typed",
    ["5000", "5 000", "5,000", "5.000", f"5{NBSP}000", f"5{NARROW_NBSP}000", " 5000 ", "05000"],
)
def test_whole_numbers_typed_the_peruvian_way_are_understood(typed):
    assert parse_whole_number(typed) == 5000


def test_grouping_of_millions_is_understood():
    assert parse_whole_number("1.250.000") == parse_whole_number("1 250 000") == 1_250_000


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("5,5", "sin decimales"),
        ("5.50", "sin decimales"),
        ("5000,00", "sin decimales"),
        ("cinco mil", "con cifras"),
        ("5.000,00", "con cifras"),
        ("50,00,0", "con cifras"),
        ("\u0665\u0660\u0660\u0660", "con cifras"),  # Arabic-Indic digits: no keyboard here
        ("", "Escriba un número"),
    ],
)
def test_what_is_not_a_whole_number_is_refused_with_how_to_write_it(app, typed, words):
    with app.test_request_context(), pytest.raises(NotAWholeNumber) as problem:
        parse_whole_number(typed)
    assert words in str(problem.value)


@pytest.fixture
def network(central):
    return build_network(central)


def _form(**fields) -> dict:
    return {
        "name": "Mujeres en el programa",
        "measure": "wfi_enrolments",
        "value": "5000",
        "start_month": "2012-01",
        "deadline_month": "",
        "sex": "",
        "region": "",
        "category": "",
        **fields,
    }


def _targets(app) -> list[tuple]:
    with app.app_context():
        return [
            (t.name, t.measure, t.value, t.start_month, t.deadline_month, t.filters)
            for t in db.session.scalars(sa.select(ProgrammeTarget).order_by(ProgrammeTarget.id))
        ]


def _post(client, path, **fields):
    return client.post(path, data={**_form(**fields), "csrf_token": csrf_token(client)})


#: Months inside build_network's fixed data window (2026-01 .. 2026-08), not near today:
#: a target from March to June, asked about in April (before its deadline) and in December.
START, ASKED_EARLY, DEADLINE, ASKED_LATE = "2026-03", "2026-04", "2026-06", "2026-12"


def test_a_target_counts_from_its_start_month_to_its_deadline(network):
    with network.app_context():
        target = targets.create(
            db.session,
            targets.TargetData("Capacitadas", "trained", 100, START, DEADLINE, {"sex": "female"}),
        )
        db.session.commit()
        shown = targets.progress_of(db.session, target, last_month=ASKED_LATE)
        before_deadline = targets.progress_of(db.session, target, last_month=ASKED_EARLY)
    expected = expected_values(network.sent, START, DEADLINE, {"sex": "female"})["trained"]
    assert shown.reached == sum(expected.values()) > 0
    assert shown.counted_to == DEADLINE
    early = expected_values(network.sent, START, ASKED_EARLY, {"sex": "female"})["trained"]
    assert before_deadline.reached == sum(early.values()) < shown.reached


def test_a_target_that_starts_later_has_reached_nothing_yet(network):
    with network.app_context():
        target = targets.create(
            db.session, targets.TargetData("Futuro", "reached", 10, "2027-01", None, {})
        )
        assert targets.progress_of(db.session, target, last_month=ASKED_LATE).reached == 0


def test_admin_creates_edits_and_deletes_a_target(network, signed_in_central):
    client = signed_in_central(network, role="central_admin")
    created = _post(client, "/central/targets/new", value="5 000", deadline_month="2027-12")
    assert created.status_code == 302
    assert _targets(network) == [
        ("Mujeres en el programa", "wfi_enrolments", 5000, "2012-01", "2027-12", {})
    ]
    with network.app_context():
        target_id = db.session.scalar(sa.select(ProgrammeTarget.id))
    edit_page = client.get(f"/central/targets/{target_id}/edit").get_data(as_text=True)
    assert 'value="2027-12"' in edit_page
    assert 'value="5000"' in edit_page
    edited = _post(
        client,
        f"/central/targets/{target_id}/edit",
        name="Mujeres de San Martín",
        value="6.500",
        start_month="2024-01",
        region="San Martín",
    )
    assert edited.status_code == 302
    assert _targets(network) == [
        ("Mujeres de San Martín", "wfi_enrolments", 6500, "2024-01", None, {"region": "San Martín"})
    ]
    listing = client.get("/central/targets").get_data(as_text=True)
    assert "Mujeres de San Martín" in listing
    assert "Desde enero de 2024" in listing
    confirm = client.get(f"/central/targets/{target_id}/delete")
    assert confirm.status_code == 200
    assert "¿Borrar la meta «Mujeres de San Martín»?" in html.unescape(
        confirm.get_data(as_text=True)
    )
    assert len(_targets(network)) == 1  # asking changes nothing
    gone = client.post(
        f"/central/targets/{target_id}/delete",
        data={"csrf_token": csrf_token(client)},
        follow_redirects=True,
    )
    assert "borrada" in gone.get_data(as_text=True)
    assert _targets(network) == []


def test_dashboard_shows_the_value_as_babel_writes_it_with_start_and_deadline(
    network, signed_in_central
):
    client = signed_in_central(network, role="central_admin")
    _post(
        client,
        "/central/targets/new",
        value="5.000",
        start_month="2024-01",
        deadline_month="2027-12",
    )
    page = html.unescape(client.get("/central/?from=2026-01&to=2026-08").get_data(as_text=True))
    assert re.search(r"/ 5\.000</span>", page)
    assert "Desde enero de 2024 · plazo diciembre de 2027" in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"value": "0"}, "La meta debe ser un número de 1 a 10.000.000."),
        ({"value": "10.000.001"}, "La meta debe ser un número de 1 a 10.000.000."),
        ({"value": "5,5"}, "sin decimales"),
        ({"value": "cinco mil"}, "con cifras"),
        ({"value": ""}, "Escriba un número."),
        ({"name": "  "}, "Escriba el nombre de la meta."),
        ({"measure": ""}, "Elija qué se cuenta."),
        ({"start_month": "enero"}, "por ejemplo 2024-01"),
        ({"start_month": "2011-12"}, "El programa empezó en enero de 2012"),
        ({"deadline_month": "2011-12"}, "anterior al mes de inicio"),
        ({"region": "Loreto"}, "Opción inválida"),
    ],
)
def test_bad_targets_are_refused_with_a_message_and_change_nothing(
    network, signed_in_central, fields, message
):
    client = signed_in_central(network, role="central_admin")
    assert _post(client, "/central/targets/new", value="4000").status_code == 302
    before = _targets(network)
    with network.app_context():
        target_id = db.session.scalar(sa.select(ProgrammeTarget.id))
    for path in ("/central/targets/new", f"/central/targets/{target_id}/edit"):
        answer = _post(client, path, **fields)
        assert answer.status_code == 400, path
        assert message in html.unescape(answer.get_data(as_text=True)), path
        assert _targets(network) == before


def test_central_staff_see_targets_but_cannot_change_them(network, signed_in_central):
    with network.app_context():
        targets.create(db.session, targets.TargetData("Alcance", "reached", 900))
        db.session.commit()
        target_id = db.session.scalar(sa.select(ProgrammeTarget.id))
    client = signed_in_central(network)
    listing = client.get("/central/targets").get_data(as_text=True)
    assert "Alcance" in listing
    assert "/edit" not in listing
    assert "/delete" not in listing
    assert 'href="/central/targets"' in listing  # the "Metas" entry of the menu
    assert _post(client, f"/central/targets/{target_id}/edit", value="1").status_code == 403
    deleting = client.post(
        f"/central/targets/{target_id}/delete", data={"csrf_token": csrf_token(client)}
    )
    assert deleting.status_code == 403
    assert _targets(network)[0][2] == 900


# --- the telecenter list -----------------------------------------------------------------------

NOW = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("report", "heard", "silent"),
    [
        (NOW - timedelta(hours=1), NOW - timedelta(days=12), False),  # reported today
        (None, NOW - timedelta(days=7), False),  # exactly the limit: not yet
        (NOW - timedelta(days=30), NOW - timedelta(days=8), True),
        (None, None, True),
    ],
)
def test_silent_means_neither_a_report_nor_a_contact_in_the_days_set(app, report, heard, silent):
    with app.test_request_context():
        status = dashboard.contact_status(report, heard, now=NOW, silent_days=7)
    assert status.silent is silent
    assert (status.words == "Al día") is (not silent)


def test_contact_status_words_say_how_long(app):
    with app.test_request_context():
        status = dashboard.contact_status(
            None, NOW - timedelta(days=8, hours=2), now=NOW, silent_days=7
        )
    assert status.words == "Sin noticias hace 8 días"


def test_telecenter_list_flags_only_the_silent_one(central, signed_in_central):
    # Tarapoto reports now (its contact then set 12 days back, as the old demo did): not
    # silent. Tingo sent nothing and was last heard 8 days ago: silent.
    assert send(central, [report_of("SM-TARAPOTO-01", "2026-11")]).status_code == 200
    with central.app_context():
        for code, days in (("SM-TARAPOTO-01", 12), ("HU-TINGO-02", 8)):
            telecenter = db.session.scalar(sa.select(Telecenter).where(Telecenter.code == code))
            telecenter.last_heard_at = datetime.now(UTC) - timedelta(days=days)
        db.session.commit()
    client = signed_in_central(central)
    page = html.unescape(client.get("/central/telecenters").get_data(as_text=True))
    rows = dict(re.findall(r'<tr data-code="([^"]+)"(?: class="silent")?>(.*?)</tr>', page, re.S))
    assert "Al día" in rows["SM-TARAPOTO-01"]
    assert 'data-code="SM-TARAPOTO-01" class="silent"' not in page
    assert 'data-code="HU-TINGO-02" class="silent"' in page
    assert "Sin noticias hace 8 días" in rows["HU-TINGO-02"]
    assert "en los últimos 7 días" in page


def test_the_silence_limit_is_a_setting(make_app, signed_in_central):
    central = make_app("central", CENTRAL_SILENT_DAYS=30)
    central.test_cli_runner().invoke(
        args=["central", "add-telecenter", "UC-PUCALLPA-01", "--name", "P", "--region", "Ucayali"]
    )
    with central.app_context():
        telecenter = db.session.scalar(sa.select(Telecenter))
        telecenter.last_heard_at = datetime.now(UTC) - timedelta(days=8)
        db.session.commit()
    page = signed_in_central(central).get("/central/telecenters").get_data(as_text=True)
    assert 'class="silent"' not in page
    assert "en los últimos 30 días" in page
