"""Hostile or broken sync requests and query parameters: a 4xx with an English reason and a
stable code, nothing changed, never a 500."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from telecenter.central import ingest
from telecenter.central.models import FACT_TABLES, TOTAL_TABLES, MonthReport
from telecenter.extensions import db
from tests.central.test_ingest import REPORT, URL, report, send
from tests.conftest import FIXED_NOW

CODE = "SM-TARAPOTO-01"
#: Months named from the fixed clock, so the tests mean the same on every real date.
_LAST = FIXED_NOW.replace(day=1) - timedelta(days=1)
MONTH = f"{_LAST:%Y-%m}"
EARLIER = f"{(_LAST.replace(day=1) - timedelta(days=1)):%Y-%m}"
ARABIC_INDIC = str.maketrans("0123456789", "".join(chr(0x660 + digit) for digit in range(10)))


def snapshot(app) -> dict:
    """Every month report and every fact and total row, to prove a refusal changed nothing."""
    with app.app_context():
        tables = {"month_reports": MonthReport.__table__, **FACT_TABLES}
        tables |= {f"total_{name}": table for name, table in TOTAL_TABLES.items()}
        return {
            name: sorted(map(repr, db.session.execute(sa.select(table)).all()))
            for name, table in tables.items()
        }


def _body(reports, telecenter=CODE) -> bytes:
    return json.dumps({"schema": 1, "telecenter": telecenter, "reports": reports}).encode()


HOSTILE = {
    "100,000 nested brackets": b'{"schema": 1, "reports": '
    + b"[" * 100_000
    + b"]" * 100_000
    + b"}",
    "nesting just past the bound": _body([report(sessions=[[[[[[1]]]]]])]),
    "generated_at in year 1": _body([report(generated_at="0001-01-01T00:00:00+05:00")]),
    "generated_at in year 9999": _body([report(generated_at="9999-12-31T23:59:59-05:00")]),
    "an empty object as telecenter": _body([report()], telecenter={}),
    "a list as telecenter of a report": _body([report(telecenter=[CODE])]),
    "a list as schema": json.dumps(
        {"schema": [1], "telecenter": CODE, "reports": [report()]}
    ).encode(),
    "an object as reports": json.dumps({"schema": 1, "telecenter": CODE, "reports": {}}).encode(),
    "a month with a trailing newline": _body([report(month=MONTH + "\n")]),
    "a month in Arabic-Indic digits": _body([report(month="\u0662\u0660\u0662\u0666-10")]),
    "NaN as a measure": _body([report()]).replace(b'"session_hours": 8.0', b'"session_hours": NaN'),
    "true as schema": json.dumps(
        {"schema": True, "telecenter": CODE, "reports": [report()]}
    ).encode(),
}


def _json_bytes_with_big_int() -> bytes:
    return _body([report()]).replace(b'"schema": 1', b'"schema": ' + b"9" * 5001, 1)


HOSTILE["a 5,001-digit integer"] = _json_bytes_with_big_int()
HOSTILE["a 21-digit measure"] = _body([report()]).replace(
    b'"session_hours": 8.0', b'"session_hours": ' + b"1" * 21
)


def test_integers_are_bounded_at_20_digits_and_digits_in_strings_are_not_numbers():
    """Integers are only looked at one by one when the body holds a long run of digits;
    such a run inside a string is no number and no reason to refuse."""
    assert ingest.parse_json(b'{"n": -' + b"9" * 20 + b"}") == {"n": -int("9" * 20)}
    with pytest.raises(ingest.InvalidRequest, match="more than 20 digits"):
        ingest.parse_json(b'{"n": ' + b"9" * 21 + b"}")
    assert ingest.parse_json(b'{"s": "' + b"9" * 30 + b'", "n": 7}') == {"s": "9" * 30, "n": 7}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_body_gets_a_4xx_reason_and_changes_nothing(central, name):
    assert send(central, [report(month=EARLIER)]).status_code == 200
    before = snapshot(central)
    answer = send(central, None, raw=HOSTILE[name])
    assert 400 <= answer.status_code < 500, answer.get_data(as_text=True)
    assert set(answer.json) >= {"error", "reason"}
    assert answer.json["reason"]
    assert answer.json["reason"].isascii()  # English, not Spanish
    assert snapshot(central) == before


def _an_hour_after(stamp: str) -> str:
    """Newer than the stored report, so only the month can be why it is refused."""
    later = datetime.fromisoformat(stamp.replace("Z", "+00:00")) + timedelta(hours=1)
    return later.isoformat().replace("+00:00", "Z")


def test_a_month_spelled_twice_is_not_stored_as_two_months(central):
    assert send(central, [report(month=MONTH)]).status_code == 200
    before = snapshot(central)
    newer = _an_hour_after(REPORT["generated_at"])
    year, number = MONTH.split("-")
    for month in (
        MONTH + "\n",
        f"{year.translate(ARABIC_INDIC)}-{number}",
        f"{year}-{number.translate(ARABIC_INDIC)}",
    ):
        answer = send(central, [report(month=month, generated_at=newer)])
        assert answer.status_code == 400
        assert "month must be YYYY-MM" in answer.json["reason"]
    assert snapshot(central) == before


def test_a_report_dated_more_than_a_day_ahead_is_refused_with_centrals_time(clock, central):
    before = snapshot(central)
    ahead = (FIXED_NOW + timedelta(days=1, minutes=5)).isoformat().replace("+00:00", "Z")
    answer = send(central, [report(generated_at=ahead)])
    assert answer.status_code == 400
    assert answer.json["error"] == "clock_ahead"
    assert "clock is wrong" in answer.json["reason"]
    central_time = answer.json["central_time"]
    assert central_time.startswith(FIXED_NOW.date().isoformat())
    assert central_time.endswith("Z")
    assert snapshot(central) == before


def test_a_report_a_few_hours_ahead_is_still_stored(clock, central):
    """Clocks drift and zones get mixed up; only a day or more ahead is a wrong clock."""
    ahead = (FIXED_NOW + timedelta(hours=20)).isoformat().replace("+00:00", "Z")
    answer = send(central, [report(generated_at=ahead)])
    assert answer.status_code == 200
    assert answer.json["acknowledged"][0]["status"] == "stored"


@pytest.fixture
def api_key(central):
    result = central.test_cli_runner().invoke(args=["central", "create-api-key", "--name", "t"])
    return result.output.strip().splitlines()[-1]


@pytest.mark.parametrize(
    "month", ["2100-01", "1999-12", "0000-01", MONTH + "\n", f"{FIXED_NOW:%Y}-13", ""]
)
def test_the_dhis2_export_of_an_unsupported_month_is_a_400(central, api_key, month):
    answer = central.test_client().get(
        "/api/v1/exports/dhis2",
        query_string={"month": month},
        headers={"Authorization": f"Bearer {api_key}"},
    )
    assert answer.status_code == 400
    assert answer.json["error"] == "bad_request"
    assert "period must" in answer.json["reason"] or "give period" in answer.json["reason"]


def test_the_dhis2_export_is_in_the_openapi_document(central):
    document = central.test_client().get("/api/v1/openapi.json").json
    operation = document["paths"]["/api/v1/exports/dhis2"]["get"]
    assert [p["name"] for p in operation["parameters"]] == [
        "period",
        "format",
        "id_scheme",
        "telecenter",
    ]
    assert set(operation["responses"]) == {"200", "400", "401", "403"}


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("get", "/api/v1/no-such-thing", 404, "not_found"),
        ("delete", "/api/v1/participation", 405, "method_not_allowed"),
        ("get", URL, 405, "method_not_allowed"),
    ],
)
def test_api_errors_are_english_with_a_stable_code(central, method, path, status, code):
    answer = getattr(central.test_client(), method)(path)
    assert answer.status_code == status
    assert answer.json["error"] == code
    assert answer.json["reason"].isascii()
    assert answer.json["reason"] in {
        "no such API path",
        "this path does not take that method",
    }
