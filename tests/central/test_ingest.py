"""Central's sync API: authentication, whole-request validation, newest-wins storage."""

from __future__ import annotations

import copy
import gzip
import json

import pytest
import sqlalchemy as sa

from telecenter.central.models import FACT_TABLES, MonthReport, Telecenter
from telecenter.extensions import db

URL = "/api/v1/sync/reports"
REPORT = {
    "schema": 1,
    "telecenter": "SM-TARAPOTO-01",
    "month": "2026-11",
    "generated_at": "2026-12-01T05:00:00Z",
    "sessions": [
        {
            "activity": "teleconference",
            "category": "agriculture",
            "sessions_held": 4,
            "session_hours": 8.0,
            "unregistered_viewers": 12,
        }
    ],
    "attendance": [
        {
            "activity": "teleconference",
            "category": "agriculture",
            "sex": "female",
            "age_band": "30-44",
            "wfi": True,
            "attendances": 9,
            "hours": 18.0,
            "participants": 5,
        }
    ],
    "registrations": [{"sex": "female", "age_band": "18-29", "registrations": 3}],
    "completions": [
        {"category": "financial_literacy", "sex": "female", "age_band": "18-29", "completions": 2}
    ],
    "wfi_enrolments": [{"age_band": "30-44", "enrolments": 2}],
    "reach": [
        {
            "scope": "activity:teleconference",
            "sex": "female",
            "age_band": "30-44",
            "wfi": True,
            "new_people": 3,
        }
    ],
}


def report(**changes) -> dict:
    result = copy.deepcopy(REPORT)
    result.update(changes)
    return result


@pytest.fixture
def central(make_app):
    app = make_app("central")
    runner = app.test_cli_runner()
    tokens = {}
    for code, region in (("SM-TARAPOTO-01", "San Martín"), ("HU-TINGO-02", "Huánuco")):
        result = runner.invoke(
            args=["central", "add-telecenter", code, "--name", code, "--region", region]
        )
        assert result.exit_code == 0, result.output
        tokens[code] = result.output.strip().splitlines()[-1]
    app.tokens = tokens
    return app


def send(app, items, token=None, *, code="SM-TARAPOTO-01", gzip_it=True, raw=None, schema=1):
    body = (
        raw
        if raw is not None
        else json.dumps({"schema": schema, "telecenter": code, "reports": items}).encode()
    )
    headers = {"Authorization": f"Bearer {token or app.tokens['SM-TARAPOTO-01']}"}
    if gzip_it and raw is None:
        body = gzip.compress(body)
        headers["Content-Encoding"] = "gzip"
    return app.test_client().post(URL, data=body, headers=headers, content_type="application/json")


def stored(app, table="attendance") -> list[dict]:
    with app.app_context():
        rows = db.session.execute(sa.select(FACT_TABLES[table])).mappings().all()
        return [dict(r) for r in rows]


def test_a_valid_report_is_stored_and_acknowledged(central):
    answer = send(central, [report()])
    assert answer.status_code == 200
    assert answer.json["acknowledged"] == [
        {"month": "2026-11", "status": "stored", "generated_at": "2026-12-01T05:00:00Z"}
    ]
    (row,) = stored(central)
    assert (row["sex"], row["wfi"], row["attendances"], row["hours"]) == ("female", True, 9, 18.0)
    with central.app_context():
        telecenter = db.session.scalar(
            sa.select(Telecenter).where(Telecenter.code == "SM-TARAPOTO-01")
        )
        assert telecenter.last_heard_at is not None
        assert central.tokens["SM-TARAPOTO-01"] not in (telecenter.token_hash or "")


def test_newest_report_wins_and_replaces_the_whole_month(central):
    send(central, [report()])
    newer = report(generated_at="2026-12-02T05:00:00Z", attendance=[])
    assert send(central, [newer]).json["acknowledged"][0]["status"] == "stored"
    assert stored(central) == []
    older = report(generated_at="2026-11-30T05:00:00Z")
    assert send(central, [older]).json["acknowledged"][0]["status"] == "stale"
    assert send(central, [newer]).json["acknowledged"][0]["status"] == "duplicate"
    assert stored(central) == []
    assert len(stored(central, "registrations")) == 1


def test_the_same_batch_twice_counts_once(central):
    items = [report(), report(month="2026-10")]
    send(central, items)
    send(central, items)
    assert sum(r["attendances"] for r in stored(central)) == 18
    with central.app_context():
        assert db.session.scalar(sa.select(sa.func.count(MonthReport.id))) == 2


@pytest.mark.parametrize(
    "authorization", [None, "Bearer ", "Bearer tcs_not-a-token", "Basic abc", "Bearer " + "x" * 300]
)
def test_unknown_tokens_get_401(central, authorization):
    client = central.test_client()
    headers = {"Authorization": authorization} if authorization else {}
    answer = client.post(URL, json={"schema": 1, "reports": [report()]}, headers=headers)
    assert answer.status_code == 401
    assert answer.json["reason"]
    assert stored(central) == []


def test_revoked_and_rotated_tokens_stop_working(central):
    runner = central.test_cli_runner()
    old = central.tokens["SM-TARAPOTO-01"]
    rotated = runner.invoke(args=["central", "rotate-token", "SM-TARAPOTO-01"])
    new = rotated.output.strip().splitlines()[-1]
    assert send(central, [report()], token=old).status_code == 401
    assert send(central, [report()], token=new).status_code == 200
    runner.invoke(args=["central", "revoke-token", "SM-TARAPOTO-01"])
    assert send(central, [report(month="2026-09")], token=new).status_code == 401


def test_another_telecenters_code_gets_403_and_nothing_is_stored(central):
    answer = send(central, [report(), report(month="2026-10", telecenter="HU-TINGO-02")])
    assert answer.status_code == 403
    answer = send(central, [report(telecenter="HU-TINGO-02")], code="HU-TINGO-02")
    assert answer.status_code == 403
    assert stored(central) == []


@pytest.mark.parametrize(
    "case",
    [
        "not_json",
        "truncated_gzip",
        "not_gzip",
        "bomb",
        "wrong_schema",
        "bad_month",
        "negative",
        "extra_field",
        "duplicate_rows",
        "duplicate_month",
        "unknown_dimension",
        "empty",
        "no_zone",
    ],
)
def test_malformed_requests_get_400_and_store_nothing(central, case):
    good = report()
    bodies = {
        "not_json": dict(raw=b"{not json", gzip_it=False),
        "truncated_gzip": dict(
            raw=gzip.compress(json.dumps({"schema": 1, "reports": [good]}).encode())[:40]
        ),
        "not_gzip": dict(raw=b"plain text"),
        "bomb": dict(raw=gzip.compress(b"[" + b" " * (20 * 1024 * 1024) + b"]")),
        "wrong_schema": dict(items=[good], schema=3),
        "bad_month": dict(items=[report(month="2026-13")]),
        "negative": dict(
            items=[
                report(registrations=[{"sex": "female", "age_band": "18-29", "registrations": -1}])
            ]
        ),
        "extra_field": dict(items=[report(extra=1)]),
        "duplicate_rows": dict(
            items=[
                report(
                    wfi_enrolments=[
                        {"age_band": "30-44", "enrolments": 1},
                        {"age_band": "30-44", "enrolments": 1},
                    ]
                )
            ]
        ),
        "duplicate_month": dict(items=[good, good]),
        "unknown_dimension": dict(
            items=[
                report(registrations=[{"sex": "robot", "age_band": "18-29", "registrations": 1}])
            ]
        ),
        "empty": dict(items=[]),
        "no_zone": dict(items=[report(generated_at="2026-12-01T05:00:00")]),
    }[case]
    raw = bodies.pop("raw", None)
    items = bodies.pop("items", [])
    client_kwargs = {"raw": raw} if raw is not None else {}
    if raw is not None and "gzip_it" not in bodies:
        answer = _send_raw_gzip(central, raw)
    else:
        answer = send(central, items, **client_kwargs, **bodies)
    assert answer.status_code == 400, answer.get_data(as_text=True)
    assert answer.json["reason"]
    assert stored(central, "registrations") == []


def _send_raw_gzip(app, raw: bytes):
    return app.test_client().post(
        URL,
        data=raw,
        content_type="application/json",
        headers={
            "Authorization": f"Bearer {app.tokens['SM-TARAPOTO-01']}",
            "Content-Encoding": "gzip",
        },
    )


def test_oversized_bodies_are_refused(central):
    answer = _send_raw_gzip(central, b"\x00" * (5 * 1024 * 1024))
    assert answer.status_code == 413
    assert answer.is_json


def test_add_telecenter_refuses_duplicates_and_bad_codes(central):
    runner = central.test_cli_runner()
    again = runner.invoke(
        args=["central", "add-telecenter", "SM-TARAPOTO-01", "--name", "x", "--region", "x"]
    )
    assert again.exit_code != 0
    bad = runner.invoke(
        args=["central", "add-telecenter", "no spaces!", "--name", "x", "--region", "x"]
    )
    assert bad.exit_code != 0


def test_central_commands_refuse_to_run_on_a_site(app):
    result = app.test_cli_runner().invoke(args=["central", "list-telecenters"])
    assert result.exit_code != 0
    assert "central" in result.output
