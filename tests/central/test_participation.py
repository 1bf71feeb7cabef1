"""The participation API: numbers equal independent sums of the stored reports; CSV, XLSX and
JSON agree; bad queries get clear 4xx answers; nothing secret is ever shown again."""

from __future__ import annotations

import csv
import io
import random
from collections import Counter

import pytest
from openpyxl import load_workbook

from telecenter import month_report
from tests.central.test_ingest import send

REGIONS = {"SM-TARAPOTO-01": "San Martín", "HU-TINGO-02": "Huánuco"}


def _random_report(rng, code, month) -> dict:
    def rows(table):
        dims, measures = month_report.TABLES_V1[table]
        seen, result = set(), []
        for _ in range(rng.randint(2, 12)):
            key = tuple(rng.choice(month_report.DIMENSIONS_BY_SCHEMA[1][d]) for d in dims)
            if key in seen:
                continue
            seen.add(key)
            row = dict(zip(dims, key, strict=True))
            for measure, kind in measures.items():
                row[measure] = rng.randint(0, 40) if kind == "int" else round(rng.uniform(0, 80), 1)
            result.append(row)
        return result

    return {
        "schema": 1,
        "telecenter": code,
        "month": month,
        "generated_at": "2026-12-01T00:00:00Z",
        **{t: rows(t) for t in month_report.TABLES_V1},
    }


@pytest.fixture
def central_with_data(central):
    """Two telecenters, 6 months each, random but valid facts; returns the reports sent."""
    rng = random.Random(4)
    sent = []
    for code in REGIONS:
        batch = [_random_report(rng, code, f"2026-{m:02d}") for m in range(1, 7)]
        answer = send(central, batch, token=central.tokens[code], code=code)
        assert answer.status_code == 200
        sent += batch
    runner = central.test_cli_runner()
    central.api_key = (
        runner.invoke(args=["central", "create-api-key", "--name", "bi"])
        .output.strip()
        .splitlines()[-1]
    )
    return central, sent


def _api(app, query: str):
    return app.test_client().get(
        f"/api/v1/participation?{query}", headers={"Authorization": f"Bearer {app.api_key}"}
    )


def _expected(sent, table, measure, *, group=(), where=None, scope=None, months=None):
    """Independent sum over the reports exactly as sent."""
    totals = Counter()
    for report in sent:
        if months and not months[0] <= report["month"] <= months[1]:
            continue
        region = REGIONS[report["telecenter"]]
        for row in report[table]:
            context = {
                **row,
                "region": region,
                "telecenter": report["telecenter"],
                "month": report["month"],
            }
            if scope and row["scope"] != scope:
                continue
            if where and any(context[k] != v for k, v in where.items()):
                continue
            totals[tuple(context[g] for g in group)] += row[measure]
    return totals


@pytest.mark.parametrize(
    ("query", "group", "where"),
    [
        ("", (), None),
        ("&group_by=region", ("region",), None),
        ("&group_by=telecenter,month", ("telecenter", "month"), None),
        ("&group_by=sex&region=Huánuco", ("sex",), {"region": "Huánuco"}),
        ("&group_by=age_band,wfi&sex=female", ("age_band", "wfi"), {"sex": "female"}),
    ],
)
def test_attendance_reach_and_registrations_equal_independent_sums(
    central_with_data, query, group, where
):
    app, sent = central_with_data
    answer = _api(app, f"from=2026-01&to=2026-06{query}").json
    rows = {tuple(r[g] for g in group): r for r in answer["rows"]}
    expected = _expected(sent, "attendance", "attendances", group=group, where=where)
    assert {k: r["attendances"] for k, r in rows.items()} == {k: v for k, v in expected.items()} | {
        k: 0 for k in rows if k not in expected
    }
    reached = _expected(sent, "reach", "new_people", group=group, where=where, scope="any")
    assert {k: r["reached"] for k, r in rows.items() if r["reached"]} == {
        k: v for k, v in reached.items() if v
    }
    if "wfi" not in group:
        regs = _expected(sent, "registrations", "registrations", group=group, where=where)
        assert {k: r["registrations"] for k, r in rows.items() if r["registrations"]} == {
            k: v for k, v in regs.items() if v
        }
    assert answer["totals"]["attendances"] == sum(expected.values())


def test_grouping_by_activity_answers_reach_from_the_activity_scope(central_with_data):
    app, sent = central_with_data
    answer = _api(app, "from=2026-01&to=2026-06&group_by=activity").json
    for row in answer["rows"]:
        expected = sum(
            _expected(sent, "reach", "new_people", scope=f"activity:{row['activity']}").values()
        )
        assert row["reached"] == expected
        assert row["registrations"] is None  # registrations have no activity


def test_sessions_held_is_blank_when_grouped_by_sex(central_with_data):
    app, sent = central_with_data
    answer = _api(app, "from=2026-01&to=2026-06&group_by=sex").json
    assert all(row["sessions_held"] is None for row in answer["rows"])
    plain = _api(app, "from=2026-01&to=2026-06").json
    assert plain["totals"]["sessions_held"] == sum(
        _expected(sent, "sessions", "sessions_held").values()
    )
    assert plain["totals"]["teleconference_reached"] == sum(
        _expected(sent, "reach", "new_people", scope="activity:teleconference").values()
    )
    assert plain["totals"]["trained"] == sum(
        _expected(sent, "reach", "new_people", scope="trained").values()
    )
    assert plain["totals"]["wfi_enrolments"] == sum(
        _expected(sent, "wfi_enrolments", "enrolments").values()
    )


def test_json_csv_and_xlsx_carry_the_same_numbers(central_with_data, signed_in_central):
    app, _sent = central_with_data
    query = "from=2026-01&to=2026-06&group_by=region"
    as_json = _api(app, query).json["rows"]
    as_csv = list(
        csv.DictReader(io.StringIO(_api(app, query + "&format=csv").get_data(as_text=True)))
    )
    client = signed_in_central(app)
    workbook = client.get("/central/download/region.xlsx?from=2026-01&to=2026-06")
    sheet = load_workbook(io.BytesIO(workbook.data)).active
    header = [c.value for c in sheet[1]]
    xlsx = [
        dict(zip(header, [c.value for c in row], strict=True))
        for row in sheet.iter_rows(min_row=2, max_row=1 + len(as_json))
    ]
    # The API's CSV keeps the JSON's keys; the Excel file has the dashboard's words.
    words = {
        "attendances": "Asistencias",
        "reached": "Personas alcanzadas",
        "registrations": "Registros nuevos",
        "hours": "Horas de participación",
    }
    for json_row, csv_row, xlsx_row in zip(as_json, as_csv, xlsx, strict=True):
        assert json_row["region"] == csv_row["region"] == xlsx_row["Región"]
        for measure, word in words.items():
            assert str(json_row[measure]) == csv_row[measure]
            assert xlsx_row[word] == json_row[measure]


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("from=2026-01&to=2026-06&group_by=colour", "group_by"),
        ("from=2026-07&to=2026-01", "after"),
        ("from=2026-1&to=2026-06", "YYYY-MM"),
        ("to=2026-06", "from"),
        ("from=2000-01&to=2099-12", "at most"),
        ("from=2026-01&to=2026-06&telecenter=XX-NOPE-99", "unknown telecenter"),
        ("from=2026-01&to=2026-06&region=Lima", "unknown region"),
        ("from=2026-01&to=2026-06&sex=other", "sex"),
        ("from=2026-01&to=2026-06&wfi=maybe", "wfi"),
        ("from=2026-01&to=2026-06&format=pdf", "format"),
        ("from=2026-01&to=2026-06&group_by=sex,sex", "distinct"),
    ],
)
def test_bad_queries_get_400_with_a_reason(central_with_data, query, reason):
    app, _sent = central_with_data
    answer = _api(app, query)
    assert answer.status_code == 400
    assert reason in answer.json["reason"]


def test_keys_and_sessions(central_with_data):
    app, _sent = central_with_data
    client = app.test_client()
    assert client.get("/api/v1/participation?from=2026-01&to=2026-06").status_code == 401
    assert (
        client.get(
            "/api/v1/participation?from=2026-01&to=2026-06",
            headers={"Authorization": "Bearer tck_wrong"},
        ).status_code
        == 401
    )
    telecenter_token = app.tokens["SM-TARAPOTO-01"]
    assert (
        client.get(
            "/api/v1/participation?from=2026-01&to=2026-06",
            headers={"Authorization": f"Bearer {telecenter_token}"},
        ).status_code
        == 401
    )
    app.test_cli_runner().invoke(args=["central", "revoke-api-key", "1"])
    assert _api(app, "from=2026-01&to=2026-06").status_code == 401


def test_no_page_or_answer_shows_a_token_or_key_again(central_with_data, signed_in_central):
    app, _sent = central_with_data
    client = signed_in_central(app)
    pages = [
        client.get(p).get_data(as_text=True)
        for p in (
            "/central/",
            "/central/telecenters",
            "/api/v1/openapi.json",
            "/api/v1/participation?from=2026-01&to=2026-06&group_by=telecenter",
            "/api/v1/exports/dhis2?month=2026-03",
            "/admin/accounts/",
        )
    ]
    secrets = [*app.tokens.values(), app.api_key]
    from telecenter.central.models import Telecenter
    from telecenter.extensions import db

    with app.app_context():
        secrets += [t.token_hash for t in db.session.scalars(db.select(Telecenter))]
    for page in pages:
        for secret in secrets:
            assert secret not in page


def test_openapi_document_is_valid():
    from openapi_spec_validator import validate

    from telecenter.central.openapi import openapi_document

    validate(openapi_document())


def test_answers_are_remembered_until_a_report_arrives(central_with_data):
    app, sent = central_with_data
    before = _api(app, "from=2026-01&to=2026-06").json["totals"]["attendances"]
    assert _api(app, "from=2026-01&to=2026-06").json["totals"]["attendances"] == before
    newer = dict(sent[0], generated_at="2026-12-01T12:00:00Z", attendance=[])
    assert send(app, [newer]).status_code == 200
    removed = sum(row["attendances"] for row in sent[0]["attendance"])
    after = _api(app, "from=2026-01&to=2026-06").json["totals"]["attendances"]
    assert after == before - removed


def test_dashboard_names_categories_and_activities_in_spanish(central_with_data, signed_in_central):
    app, _sent = central_with_data
    page = signed_in_central(app).get("/central/?from=2026-01&to=2026-06").get_data(as_text=True)
    for label in ("Educación financiera", "Alfabetización digital", "Teleconferencia"):
        assert label in page
    assert ">financial_literacy<" not in page
    assert ">teleconference<" not in page
