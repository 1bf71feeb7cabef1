"""The dashboard's fiscal-year section shows the API's numbers: unique people trained in the
fiscal year (New / Continuing), by subject, by crop, and the programme's outcomes; the
pending telecenters are named in plain Spanish."""

from __future__ import annotations

import html
import random
import re

from telecenter import month_report, periods
from telecenter.clock import today_in_lima
from tests.central.reports import random_report, stamp
from tests.central.test_ingest import send

CODE, OLD = "SM-TARAPOTO-01", "HU-TINGO-02"
GENERATED = stamp(-41)


def _number(text: str) -> int | None:
    text = html.unescape(text).strip()
    return None if text == "—" else int(re.sub(r"[^0-9-]", "", text))


def _cell(page: str, attribute: str, value: str) -> str:
    found = re.search(rf'{attribute}="{value}"[^>]*>(?:<strong>)?([^<]*)<', page)
    assert found, (attribute, value)
    return found.group(1)


def _table(page: str, name: str) -> str:
    found = re.search(rf'data-fiscal-table="{name}".*?</table>', page, re.S)
    assert found, name
    return found.group(0)


def _section(client) -> str:
    page = client.get("/central/").get_data(as_text=True)
    return page[page.index('id="fiscal-year"') :]


def _with_a_cacao_teleconference(report: dict) -> None:
    """Three attendances by two women at cacao teleconferences, and their reach."""
    cell = {"sex": "female", "age_band": "30-44", "wfi": False}
    report["attendance"] = [
        row
        for row in report["attendance"]
        if not (row["activity"] == "teleconference" and row["commodity"] == "cacao")
    ] + [
        {
            "activity": "teleconference",
            "category": "agriculture",
            "commodity": "cacao",
            "purpose": "talk",
            **cell,
            "attendances": 3,
            "hours": 6.0,
            "participants": 2,
        }
    ]
    report["reach"] = [
        row
        for row in report["reach"]
        if not (row["scope"] == "commodity:cacao" and row["period"] in ("ever", "fiscal_year"))
    ] + [
        {"period": p, "scope": "commodity:cacao", **cell, "new_people": 2}
        for p in ("ever", "fiscal_year")
    ]
    assert month_report.validate(report) == []


def test_the_section_shows_the_apis_numbers(clock, central, signed_in_central):
    month = today_in_lima().strftime("%Y-%m")
    first = periods.first_month("fiscal_year", month)
    last = periods.last_month("fiscal_year", month)
    rng = random.Random(7)
    mine = [random_report(rng, CODE, m, GENERATED, schema=2) for m in (first, month)]
    _with_a_cacao_teleconference(mine[1])
    assert send(central, mine, schema=2).status_code == 200
    client = signed_in_central(central)
    section = _section(client)
    year = periods.period_of("fiscal_year", month).removeprefix("FY")
    assert f"Personas capacitadas en el año fiscal {year}" in section

    api = f"/api/v1/participation?from={first}&to={last}&unique=fiscal_year"
    totals = client.get(api).json["totals"]
    assert totals["trained"] is not None
    for key in ("trained", "trained_new", "trained_continuing"):
        assert _number(_cell(section, "data-fiscal", key)) == totals[key], key
    for name, group, measures in (
        ("by_subject", "category", ("trained", "trained_new", "trained_continuing")),
        ("by_crop", "commodity", ("reached", "reached_new", "reached_continuing")),
    ):
        # No reach scope counts the people of sessions without a crop: not shown.
        rows = [
            r for r in client.get(f"{api}&group_by={group}").json["rows"] if r.get(group) != "none"
        ]
        table = _table(section, name)
        pattern = r'<td data-measure="(?:' + "|".join(measures) + r')">([^<]*)<'
        shown = [_number(v) for v in re.findall(pattern, table)]
        assert shown == [row[m] for row in rows for m in measures], name
    # Beside each crop, the teleconference attendances the API gives for it.
    tele = {
        r["commodity"]: r["attendances"]
        for r in client.get(
            f"/api/v1/participation?from={first}&to={last}&group_by=commodity"
            "&activity=teleconference"
        ).json["rows"]
    }
    crops = [
        r["commodity"]
        for r in client.get(f"{api}&group_by=commodity").json["rows"]
        if r["commodity"] != "none"
    ]
    shown = re.findall(
        r'<td data-measure="teleconference_attendances">([^<]*)<', _table(section, "by_crop")
    )
    assert crops
    assert tele.get("cacao") == 3
    assert [_number(v) for v in shown] == [tele.get(crop, 0) for crop in crops]

    outcome = client.get(f"/api/v1/programme-outcomes?from={first}&to={month}").json
    table = _table(section, "outcomes")
    for key in ("account", "saving", "emergency_funds"):
        for when in ("baseline", "latest"):
            cell = _cell(table, "data-measure", f"{key}_{when}")
            share = outcome["totals"][f"{key}_{when}_share"]
            count = outcome["totals"][f"{key}_{when}"]
            expected = "—" if share is None else f"{share * 100:.0f} % ({count:,})"
            assert html.unescape(cell).replace(" ", ",") == expected.replace(" ", ",")
    assert "Pendiente" not in section

    # OLD still sends schema 1: fiscal-year figures are null and the page says why.
    old = random_report(rng, OLD, first, GENERATED, schema=1)
    assert send(central, [old], token=central.tokens[OLD], code=OLD).status_code == 200
    section = _section(client)
    assert client.get(api).json["totals"]["trained"] is None
    assert _number(_cell(section, "data-fiscal", "trained")) is None
    assert f"Pendiente: estos telecentros aún envían el formato anterior: {OLD}" in section
    assert f"Sin informe de {month}" in section  # OLD sent nothing for this month
