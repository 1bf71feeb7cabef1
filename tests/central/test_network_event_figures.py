"""Network teleconferences' figures at central: the `network_events` section of month reports
stored and replaced with its month, and shown per telecenter and in total on the event's page
and in the API. Expected figures are summed here from the reports the test sends."""

from __future__ import annotations

import random
from datetime import timedelta

import sqlalchemy as sa

from telecenter import month_report
from telecenter.central.models import FACT_NETWORK_ATTENDANCE, FACT_NETWORK_EVENTS
from telecenter.clock import utcnow
from telecenter.extensions import db
from telecenter.vocabulary import AGE_BANDS, SEXES
from tests.central.network import START, create, telecenter
from tests.central.reports import empty_report
from tests.central.test_ingest import send

MONTH = "2026-12"  # the events' month in Lima


def _section(rng: random.Random, event: str) -> dict:
    """One event's counts as a site sends them: a few sex and age-band rows."""
    cells = rng.sample([(s, b) for s in SEXES for b in AGE_BANDS], rng.randint(2, 6))
    rows = []
    for sex, band in cells:
        people = rng.randint(1, 9)
        rows.append(
            {
                "sex": sex,
                "age_band": band,
                "attendances": people + rng.randint(0, 3),
                "participants": people,
            }
        )
    return {
        "event": event,
        "sessions_held": rng.randint(1, 2),
        "unregistered_viewers": rng.randint(0, 12),
        "attendance": rows,
    }


def _report(code: str, *sections: dict, hours: float = 0) -> dict:
    report = empty_report(
        code, MONTH, month_report.stamp(utcnow() + timedelta(hours=hours)), schema=2
    )
    if sections:
        report["network_events"] = list(sections)
    assert month_report.validate(report) == []
    return report


def _sent(app, code: str, report: dict):
    answer = send(app, [report], app.tokens[code], code=code, schema=2)
    assert answer.status_code == 200, answer.json
    return answer.json["acknowledged"][0]["status"]


def _expected(sections: list[dict]) -> dict:
    """Totals over the sections sent, summed here."""
    rows = [row for section in sections for row in section["attendance"]]
    return {
        "sessions_held": sum(s["sessions_held"] for s in sections),
        "unregistered_viewers": sum(s["unregistered_viewers"] for s in sections),
        "attendances": sum(r["attendances"] for r in rows),
        "participants": sum(r["participants"] for r in rows),
        "women": sum(r["participants"] for r in rows if r["sex"] == "female"),
        "men": sum(r["participants"] for r in rows if r["sex"] == "male"),
        "age_band": {
            b: sum(r["participants"] for r in rows if r["age_band"] == b) for b in AGE_BANDS
        },
    }


def _figures(answer: dict) -> dict:
    keys = ("sessions_held", "unregistered_viewers", "attendances", "participants", "women", "men")
    return {k: answer[k] for k in keys} | {"age_band": answer["age_band"]}


def _fact_rows(app) -> int:
    with app.app_context():
        return sum(
            db.session.scalar(sa.select(sa.func.count()).select_from(table))
            for table in (FACT_NETWORK_EVENTS, FACT_NETWORK_ATTENDANCE)
        )


def _events(network):
    with network.app_context():
        lamas = telecenter("SM-LAMAS-02").id
        return (
            create(title="Poda del cacao").public_id,
            create(title="Café", audience="chosen", telecenters=(lamas,)).public_id,
        )


def test_sections_are_stored_replaced_with_their_month_and_summed_per_event(
    network, clock, signed_in_central
):
    cacao, coffee = _events(network)
    clock.move_to(START + timedelta(days=3))
    rng = random.Random(21)
    tarapoto = _section(rng, cacao)
    lamas = [_section(rng, cacao), _section(rng, coffee)]
    assert _sent(network, "SM-TARAPOTO-01", _report("SM-TARAPOTO-01", tarapoto)) == "stored"
    assert _sent(network, "SM-LAMAS-02", _report("SM-LAMAS-02", *lamas)) == "stored"
    staff = signed_in_central(network)
    answer = staff.get(f"/api/v1/network-events/{cacao}").json
    assert _figures(answer["totals"]) == _expected([tarapoto, lamas[0]])
    places = {p["telecenter"]: p for p in answer["by_telecenter"]}
    assert _figures(places["SM-TARAPOTO-01"]) == _expected([tarapoto])
    assert places["HU-TINGO-03"]["status"] == "waiting"
    assert places["SM-TARAPOTO-01"]["status"] == "held"
    assert answer["reported"] == 2
    assert _figures(staff.get(f"/api/v1/network-events/{coffee}").json["totals"]) == _expected(
        [lamas[1]]
    )

    # A newer report of the month replaces its sections whole; an older one changes nothing.
    corrected = _section(rng, cacao)
    assert _sent(network, "SM-TARAPOTO-01", _report("SM-TARAPOTO-01", corrected, hours=1)) == (
        "stored"
    )
    assert _sent(network, "SM-TARAPOTO-01", _report("SM-TARAPOTO-01", tarapoto, hours=-1)) == (
        "stale"
    )
    answer = staff.get(f"/api/v1/network-events/{cacao}").json
    assert _figures(answer["totals"]) == _expected([corrected, lamas[0]])

    # Huánuco reports its month without the event: reported, not held there.
    assert _sent(network, "HU-TINGO-03", _report("HU-TINGO-03", hours=1)) == "stored"
    places = {p["telecenter"]: p for p in staff.get(f"/api/v1/network-events/{cacao}").json[
        "by_telecenter"
    ]}  # fmt: skip
    assert places["HU-TINGO-03"]["status"] == "not_held"

    # A month re-sent without any event leaves none of its rows behind.
    before = _fact_rows(network)
    assert _sent(network, "SM-LAMAS-02", _report("SM-LAMAS-02", hours=2)) == "stored"
    assert _fact_rows(network) == before - 2 - sum(len(s["attendance"]) for s in lamas)


def test_the_event_page_shows_each_telecenter_and_the_total(network, clock, signed_in_central):
    cacao, _coffee = _events(network)
    clock.move_to(START + timedelta(days=3))
    rng = random.Random(7)
    sent = {code: _section(rng, cacao) for code in ("SM-TARAPOTO-01", "HU-TINGO-03")}
    for code, section in sent.items():
        _sent(network, code, _report(code, section))
    staff = signed_in_central(network)
    page = staff.get(f"/central/network-events/{cacao.removeprefix('NE-')}").get_data(as_text=True)
    assert "Ing. Rosa Quispe" in page
    for code, section in sent.items():
        row = page.split(f'data-place="{code}"')[1].split("</tr>")[0]
        assert f"data-participants>{_expected([section])['participants']}<" in row
        assert f"data-women>{_expected([section])['women']}<" in row
        assert f"data-viewers>{_expected([section])['unregistered_viewers']}<" in row
    waiting = page.split('data-place="SM-LAMAS-02"')[1].split("</tr>")[0]
    assert "Aún no informa" in waiting
    total = page.split("data-total")[1].split("</tr>")[0]
    assert f"data-participants>{_expected(list(sent.values()))['participants']}<" in total
    assert "2 de 3 telecentros" in total


def test_an_unknown_or_uninvited_event_is_stored_and_shown_apart(network, clock, signed_in_central):
    _cacao, coffee = _events(network)  # coffee is for Lamas only
    clock.move_to(START + timedelta(days=3))
    rng = random.Random(3)
    stray, unknown = _section(rng, coffee), _section(rng, "NE-999")
    assert _sent(network, "HU-TINGO-03", _report("HU-TINGO-03", stray, unknown)) == "stored"
    staff = signed_in_central(network)
    answer = staff.get(f"/api/v1/network-events/{coffee}").json
    places = {p["telecenter"]: p for p in answer["by_telecenter"]}
    assert places["HU-TINGO-03"]["invited"] is False
    assert _figures(places["HU-TINGO-03"]) == _expected([stray])
    page = staff.get(f"/central/network-events/{coffee.removeprefix('NE-')}").get_data(as_text=True)
    assert "no estaba invitado" in page
    listed = staff.get("/api/v1/network-events").json
    assert [u["id"] for u in listed["unknown"]] == ["NE-999"]
    assert _figures(listed["unknown"][0]) == _expected([unknown])
    assert "evento desconocido" in staff.get("/central/network-events/").get_data(as_text=True)
    assert staff.get("/api/v1/network-events/NE-999").status_code == 404
