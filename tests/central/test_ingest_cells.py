"""Central's ingest cell by cell: gzip limits, whole-request checks and their edges, newest wins,
and the totals and regional rollups that every ingest keeps, checked row by row.

Expected rows are computed here from the report dicts as sent (the facts the newest report of
each telecenter and month carries, summed by hand in the test); nothing calls the code under
test to learn what it should store.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
import zlib
from collections import defaultdict
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from telecenter import month_report
from telecenter.central import ingest
from telecenter.central.models import (
    FACT_TABLES,
    ROLLUP_TABLES,
    TOTAL_KEYS,
    TOTAL_TABLES,
    MonthReport,
    Telecenter,
    stored_layout,
)
from telecenter.extensions import db
from tests.central.reports import empty_report, random_report, reach_as_stored, stamp
from tests.central.test_ingest import report, send

MB16 = 16 * 1024 * 1024
TARAPOTO, TINGO, LAMAS = "SM-TARAPOTO-01", "HU-TINGO-02", "SM-LAMAS-03"
REGIONS = {TARAPOTO: "San Martín", TINGO: "Huánuco", LAMAS: "San Martín"}
TABLE_NAMES = tuple(month_report.TABLES)


def months(count: int, first_year: int = 2017) -> list[str]:
    return [f"{first_year + n // 12:04d}-{n % 12 + 1:02d}" for n in range(count)]


def body_of(items, *, code=TARAPOTO, schema=1) -> dict:
    return {"schema": schema, "telecenter": code, "reports": items}


# --- decode_body ------------------------------------------------------------------------------


def _json_of_size(size: int) -> bytes:
    """A JSON object of exactly `size` bytes."""
    text = b'{"pad":"' + b"x" * (size - 10) + b'"}'
    padded = text + b" " * (size - len(text))
    assert len(padded) == size
    return padded


def test_plain_and_gzip_bodies_decode_to_the_same_object():
    body = body_of([report()])
    raw = json.dumps(body).encode()
    assert ingest.decode_body(raw, None) == body
    assert ingest.decode_body(raw, "") == body
    assert ingest.decode_body(raw, "identity") == body
    for encoding in ("gzip", "GZIP", "Gzip"):
        assert ingest.decode_body(gzip.compress(raw), encoding) == body


def test_a_gzip_body_of_exactly_16_mb_is_read():
    assert len(ingest.decode_body(gzip.compress(_json_of_size(MB16)), "gzip")["pad"]) == MB16 - 10


def test_a_gzip_body_over_16_mb_is_refused():
    with pytest.raises(
        ingest.InvalidRequest, match=r"^the uncompressed body is larger than 16 MB$"
    ):
        ingest.decode_body(gzip.compress(_json_of_size(MB16 + 1)), "gzip")
    with pytest.raises(ingest.InvalidRequest, match="larger than 16 MB"):
        ingest.decode_body(gzip.compress(b" " * (64 * 1024 * 1024)), "gzip")


@pytest.mark.parametrize("cut", [10, 40, -1, -8])
def test_a_truncated_gzip_body_is_refused(cut):
    whole = gzip.compress(json.dumps(body_of([report()])).encode())
    with pytest.raises(ingest.InvalidRequest, match=r"^the gzip body is truncated$"):
        ingest.decode_body(whole[:cut], "gzip")


@pytest.mark.parametrize(
    "raw",
    [b"plain text", zlib.compress(b'{"schema": 1}'), b"\x1f\x8b\x08\x00garbage-after-a-gzip-magic"],
)
def test_what_is_not_gzip_is_refused(raw):
    with pytest.raises(ingest.InvalidRequest, match=r"^the body is not valid gzip: "):
        ingest.decode_body(raw, "gzip")


@pytest.mark.parametrize("raw", [b"{not json", b"\xff\xfe{}", b"", b'{"a": 1'])
@pytest.mark.parametrize("compress", [False, True])
def test_what_is_not_json_is_refused(raw, compress):
    encoding = "gzip" if compress else None
    data = gzip.compress(raw) if compress else raw
    with pytest.raises(ingest.InvalidRequest, match=r"^the body is not valid JSON$"):
        ingest.decode_body(data, encoding)


@pytest.mark.parametrize("raw", [b"[]", b"[{}]", b"1", b'"reports"', b"null", b"true"])
def test_the_body_must_be_an_object(raw):
    with pytest.raises(ingest.InvalidRequest, match=r"^the body must be a JSON object$"):
        ingest.decode_body(raw, None)


# --- check_request ----------------------------------------------------------------------------


def _telecenter(code=TARAPOTO) -> Telecenter:
    return Telecenter(code=code, name=code, region=REGIONS[code])


@pytest.mark.parametrize(("schema", "shown"), [(3, "3"), (0, "0"), ("1", "'1'"), (None, "None")])
def test_the_request_schema_must_be_1_or_2(schema, shown):
    with pytest.raises(ingest.InvalidRequest) as refused:
        ingest.check_request(body_of([report()], schema=schema), _telecenter())
    assert str(refused.value) == f"unsupported schema {shown}; expected one of 1, 2"
    without = body_of([report()])
    del without["schema"]
    with pytest.raises(ingest.InvalidRequest, match=r"^unsupported schema None; expected one of"):
        ingest.check_request(without, _telecenter())
    for request_schema in (1, 2):
        assert ingest.check_request(body_of([report()], schema=request_schema), _telecenter())


@pytest.mark.parametrize("count", [1, 2, 119, 120])
def test_1_to_120_reports_are_taken(count):
    items = [report(month=m) for m in months(count)]
    assert ingest.check_request(body_of(items), _telecenter()) is items


@pytest.mark.parametrize(
    "items",
    [
        [],
        [report(month=m) for m in months(121)],
        [report(month=m) for m in months(200)],
        None,
        {},
        report(),
        "reports",
    ],
)
def test_no_report_more_than_120_or_not_a_list_is_refused(items):
    with pytest.raises(ingest.InvalidRequest) as refused:
        ingest.check_request(body_of(items), _telecenter())
    assert str(refused.value) == "reports must be a list of 1 to 120 reports"
    missing = body_of(items)
    del missing["reports"]
    with pytest.raises(
        ingest.InvalidRequest, match=r"^reports must be a list of 1 to 120 reports$"
    ):
        ingest.check_request(missing, _telecenter())


@pytest.mark.parametrize(
    "case", ["body_other", "body_missing", "report_other", "one_of_two", "all_other"]
)
def test_another_telecenters_code_is_forbidden(case):
    ours, theirs = report(), report(month="2026-10", telecenter=TINGO)
    body = {
        "body_other": body_of([ours], code=TINGO),
        "body_missing": {"schema": 1, "reports": [ours]},
        "report_other": body_of([report(telecenter=TINGO)]),
        "one_of_two": body_of([ours, theirs]),
        "all_other": body_of([report(telecenter=TINGO)], code=TINGO),
    }[case]
    with pytest.raises(ingest.WrongTelecenter) as refused:
        ingest.check_request(body, _telecenter())
    assert str(refused.value) == f"this token may only send reports of {TARAPOTO}"
    assert refused.value.status == 403


def test_the_telecenter_is_checked_before_the_reports():
    invalid_and_foreign = report(telecenter=TINGO, month="2026-13")
    with pytest.raises(ingest.WrongTelecenter):
        ingest.check_request(body_of([invalid_and_foreign]), _telecenter())


def test_a_report_that_is_not_an_object_is_a_bad_request():
    with pytest.raises(ingest.InvalidRequest) as refused:
        ingest.check_request(body_of([report(), "report"]), _telecenter())
    assert str(refused.value) == "a report must be an object"


def test_every_reports_problems_are_joined_up_to_20():
    first = report(month="2026-13")
    second = report(
        month="2026-10", registrations=[{"sex": "robot", "age_band": "18-29", "registrations": 1}]
    )
    with pytest.raises(ingest.InvalidRequest) as refused:
        ingest.check_request(body_of([first, second]), _telecenter())
    assert str(refused.value) == (
        "month must be YYYY-MM from 2000-01 to 2099-12; "
        "2026-10 registrations[0]: unknown sex 'robot'"
    )
    many = report(
        registrations=[{"sex": "robot", "age_band": "18-29", "registrations": n} for n in range(30)]
    )
    with pytest.raises(ingest.InvalidRequest) as refused:
        ingest.check_request(body_of([many]), _telecenter())
    assert str(refused.value) == "; ".join(
        f"2026-11 registrations[{n}]: unknown sex 'robot'" for n in range(20)
    )


@pytest.mark.parametrize("generated", ["2026-12-01T05:00:00Z", "2026-12-02T05:00:00Z"])
def test_two_reports_of_one_month_in_one_request_are_refused(generated):
    items = [report(month="2026-10"), report(), report(generated_at=generated)]
    with pytest.raises(ingest.InvalidRequest) as refused:
        ingest.check_request(body_of(items), _telecenter())
    assert str(refused.value) == "a month appears twice in the same request"


def test_ack_as_json():
    ack = ingest.Ack("2026-11", "2026-12-01T05:00:00Z", "stale")
    assert ack.as_json() == {
        "month": "2026-11",
        "generated_at": "2026-12-01T05:00:00Z",
        "status": "stale",
    }


# --- the request over HTTP --------------------------------------------------------------------


def _raw_gzip(app, raw: bytes, token=None):
    return app.test_client().post(
        "/api/v1/sync/reports",
        data=gzip.compress(raw),
        content_type="application/json",
        headers={
            "Authorization": f"Bearer {token or app.tokens[TARAPOTO]}",
            "Content-Encoding": "gzip",
        },
    )


def _padded_request(size: int) -> bytes:
    text = json.dumps(body_of([report()])).encode()
    return text[:-1] + b" " * (size - len(text)) + b"}"


def test_a_request_of_exactly_16_mb_uncompressed_is_stored(central):
    raw = _padded_request(MB16)
    assert len(raw) == MB16
    answer = _raw_gzip(central, raw)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert [a["status"] for a in answer.json["acknowledged"]] == ["stored"]


def test_a_request_one_byte_over_16_mb_uncompressed_is_refused(central):
    answer = _raw_gzip(central, _padded_request(MB16 + 1))
    assert answer.status_code == 400
    assert answer.json == {
        "error": "bad_request",
        "reason": "the uncompressed body is larger than 16 MB",
    }
    assert _month_reports(central) == []


def test_a_truncated_gzip_request_is_refused(central):
    whole = gzip.compress(json.dumps(body_of([report()])).encode())
    answer = central.test_client().post(
        "/api/v1/sync/reports",
        data=whole[:-4],
        headers={"Authorization": f"Bearer {central.tokens[TARAPOTO]}", "Content-Encoding": "gzip"},
        content_type="application/json",
    )
    assert answer.status_code == 400
    assert answer.json["reason"] == "the gzip body is truncated"
    assert _month_reports(central) == []


@pytest.mark.parametrize("count", [0, 1, 120, 121])
def test_reports_per_request_edges(central, count):
    items = [report(month=m) for m in months(count)]
    answer = send(central, items)
    if 1 <= count <= 120:
        assert answer.status_code == 200, answer.get_data(as_text=True)
        assert answer.json["acknowledged"] == [
            {"month": m, "generated_at": "2026-12-01T05:00:00Z", "status": "stored"}
            for m in months(count)
        ]
        assert [m for _code, m in _month_reports(central)] == months(count)
        assert len(_table(central, FACT_TABLES, "attendance")) == count
    else:
        assert answer.status_code == 400
        assert answer.json["reason"] == "reports must be a list of 1 to 120 reports"
        assert _month_reports(central) == []


def test_two_reports_of_one_month_store_nothing(central):
    items = [report(month="2026-10"), report(), report(generated_at="2026-12-02T05:00:00Z")]
    answer = send(central, items)
    assert answer.status_code == 400
    assert answer.json["reason"] == "a month appears twice in the same request"
    assert _month_reports(central) == []
    for name in TABLE_NAMES:
        assert _table(central, FACT_TABLES, name) == []
        assert _table(central, TOTAL_TABLES, name) == []
        assert _table(central, ROLLUP_TABLES, name) == []


def test_a_code_mismatch_is_403_and_stores_nothing(central):
    answer = send(central, [report(), report(month="2026-10", telecenter=TINGO)])
    assert answer.status_code == 403
    assert answer.json == {
        "error": "forbidden",
        "reason": f"this token may only send reports of {TARAPOTO}",
    }
    answer = send(central, [report(telecenter=TINGO)], code=TINGO)
    assert answer.status_code == 403
    assert _month_reports(central) == []
    assert _heard(central) == {TARAPOTO: None, TINGO: None}


# --- storage: newest wins ---------------------------------------------------------------------


def _month_reports(app, code=None) -> list[tuple[str, str]]:
    with app.app_context():
        statement = (
            sa.select(Telecenter.code, MonthReport.month)
            .join(Telecenter, Telecenter.id == MonthReport.telecenter_id)
            .order_by(Telecenter.code, MonthReport.month)
        )
        if code:
            statement = statement.where(Telecenter.code == code)
        return [tuple(row) for row in db.session.execute(statement)]


def _month_report(app, code, month) -> dict:
    with app.app_context():
        row = (
            db.session.execute(
                sa.select(
                    MonthReport.id,
                    MonthReport.generated_at,
                    MonthReport.received_at,
                    MonthReport.digest,
                )
                .join(Telecenter, Telecenter.id == MonthReport.telecenter_id)
                .where(Telecenter.code == code, MonthReport.month == month)
            )
            .mappings()
            .one()
        )
        return dict(row)


def _heard(app) -> dict:
    with app.app_context():
        return dict(
            db.session.execute(sa.select(Telecenter.code, Telecenter.last_heard_at)).tuples().all()
        )


def _expected_digest(value: dict) -> str:
    """SHA-256 of the canonical JSON of the tables: schema 1 in rows; schema 2 in columns
    ({field: [values]}, the schema's fields), with the schema and the rules version."""
    facts: dict = {name: value[name] for name in month_report.tables_of(value)}
    if value["schema"] == 2:
        facts = {
            name: {
                field: [row[field] for row in rows]
                for field in (*month_report.TABLES[name][0], *month_report.TABLES[name][1])
            }
            for name, rows in facts.items()
        }
        facts |= {"schema": 2, "rules_version": value["rules_version"]}
    text = json.dumps(facts, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _statuses(answer) -> list[tuple[str, str]]:
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return [(a["month"], a["status"]) for a in answer.json["acknowledged"]]


def test_the_month_report_row_records_the_report(central):
    before = datetime.now(UTC)
    value = report(generated_at="2026-12-01T00:30:00-05:00")
    answer = send(central, [value])
    after = datetime.now(UTC)
    assert answer.json == {
        "telecenter": TARAPOTO,
        "acknowledged": [
            {"month": "2026-11", "generated_at": "2026-12-01T00:30:00-05:00", "status": "stored"}
        ],
        "settings": answer.json["settings"],  # tested in test_counting_rules.py
    }
    row = _month_report(central, TARAPOTO, "2026-11")
    assert row["generated_at"] == datetime(2026, 12, 1, 5, 30, tzinfo=UTC)
    assert before <= row["received_at"] <= after
    assert row["digest"] == _expected_digest(value)
    heard = _heard(central)
    assert before <= heard[TARAPOTO] <= after
    assert heard[TINGO] is None


def test_newer_replaces_and_equal_or_older_is_acknowledged_and_ignored(central):
    first = report()
    assert _statuses(send(central, [first])) == [("2026-11", "stored")]
    stored_first = _month_report(central, TARAPOTO, "2026-11")

    # The same instant written in Lima's zone is the same report: a duplicate.
    same = report(generated_at="2026-12-01T00:00:00-05:00", registrations=[])
    assert _statuses(send(central, [same])) == [("2026-11", "duplicate")]
    older = report(generated_at="2026-12-01T04:59:59Z", registrations=[])
    assert _statuses(send(central, [older])) == [("2026-11", "stale")]
    assert _month_report(central, TARAPOTO, "2026-11") == stored_first
    assert _facts(central, "registrations") == _expected_facts(
        central, {(TARAPOTO, "2026-11"): first}, "registrations"
    )

    newer = report(
        generated_at="2026-12-01T05:00:01Z",
        registrations=[{"sex": "male", "age_band": "60+", "registrations": 7}],
    )
    assert _statuses(send(central, [newer])) == [("2026-11", "stored")]
    replaced = _month_report(central, TARAPOTO, "2026-11")
    assert replaced["id"] == stored_first["id"]
    assert replaced["generated_at"] == datetime(2026, 12, 1, 5, 0, 1, tzinfo=UTC)
    assert replaced["received_at"] >= stored_first["received_at"]
    assert replaced["digest"] == _expected_digest(newer) != stored_first["digest"]
    for name in TABLE_NAMES:
        assert _facts(central, name) == _expected_facts(
            central, {(TARAPOTO, "2026-11"): newer}, name
        )
    assert _statuses(send(central, [first])) == [("2026-11", "stale")]
    assert _statuses(send(central, [newer])) == [("2026-11", "duplicate")]


def test_one_request_mixes_stored_duplicate_and_stale_acknowledged_in_month_order(central):
    send(
        central,
        [
            report(month="2026-08"),
            report(month="2026-09"),
            report(month="2026-10", generated_at="2026-12-03T00:00:00Z"),
        ],
    )
    changed = [{"sex": "unspecified", "age_band": "unknown", "registrations": 4}]
    items = [
        report(month="2026-11", registrations=changed),  # new
        report(month="2026-10", registrations=changed),  # stale
        report(month="2026-09", registrations=changed),  # same time
        report(month="2026-08", generated_at="2026-12-02T00:00:00Z", registrations=changed),
    ]  # newer
    answer = send(central, items)
    assert _statuses(answer) == [
        ("2026-08", "stored"),
        ("2026-09", "duplicate"),
        ("2026-10", "stale"),
        ("2026-11", "stored"),
    ]
    assert [a["generated_at"] for a in answer.json["acknowledged"]] == [
        "2026-12-02T00:00:00Z",
        "2026-12-01T05:00:00Z",
        "2026-12-01T05:00:00Z",
        "2026-12-01T05:00:00Z",
    ]
    latest = {
        (TARAPOTO, "2026-08"): items[3],
        (TARAPOTO, "2026-09"): report(month="2026-09"),
        (TARAPOTO, "2026-10"): report(month="2026-10"),
        (TARAPOTO, "2026-11"): items[0],
    }
    for name in TABLE_NAMES:
        assert _facts(central, name) == _expected_facts(central, latest, name)


def test_each_telecenter_has_its_own_newest_report_of_a_month(central):
    theirs = report(telecenter=TINGO, generated_at="2026-12-01T06:00:00Z")
    assert _statuses(send(central, [theirs], token=central.tokens[TINGO], code=TINGO)) == [
        ("2026-11", "stored")
    ]
    ours = report(generated_at="2026-12-01T00:00:00Z")
    assert _statuses(send(central, [ours])) == [("2026-11", "stored")]
    assert _month_reports(central) == [(TINGO, "2026-11"), (TARAPOTO, "2026-11")]
    assert _month_report(central, TINGO, "2026-11")["generated_at"] == datetime(
        2026, 12, 1, 6, tzinfo=UTC
    )
    assert _month_report(central, TARAPOTO, "2026-11")["generated_at"] == datetime(
        2026, 12, 1, tzinfo=UTC
    )


def test_last_heard_at_is_set_by_every_accepted_request_even_when_nothing_is_new(central):
    send(central, [report()])
    first = _heard(central)[TARAPOTO]
    before = datetime.now(UTC)
    assert _statuses(send(central, [report()])) == [("2026-11", "duplicate")]
    assert before <= _heard(central)[TARAPOTO]
    assert _heard(central)[TARAPOTO] >= first
    assert _heard(central)[TINGO] is None
    refused_at = _heard(central)[TARAPOTO]
    assert send(central, [report(month="2026-13")]).status_code == 400
    assert _heard(central)[TARAPOTO] == refused_at


# --- totals and regional rollups --------------------------------------------------------------


def _random_report(rng, code, month, generated_at="2026-12-01T05:00:00Z") -> dict:
    """Schema 1 or 2 at random: central keeps both side by side during a rolling upgrade."""
    return random_report(rng, code, month, generated_at, schema=rng.choice(month_report.SCHEMAS))


def _canonical(rows) -> list[tuple]:
    return sorted((tuple(sorted(row.items())) for row in rows), key=repr)


def _table(app, tables, name) -> list[tuple]:
    with app.app_context():
        rows = db.session.execute(sa.select(tables[name])).mappings().all()
        return _canonical({k: v for k, v in row.items() if k != "id"} for row in rows)


def _facts(app, name) -> list[tuple]:
    return _table(app, FACT_TABLES, name)


def _ids(app) -> tuple[dict, dict]:
    with app.app_context():
        telecenters = dict(
            db.session.execute(sa.select(Telecenter.code, Telecenter.id)).tuples().all()
        )
        month_reports = {
            (code, month): report_id
            for code, month, report_id in db.session.execute(
                sa.select(Telecenter.code, MonthReport.month, MonthReport.id).join(
                    Telecenter, Telecenter.id == MonthReport.telecenter_id
                )
            )
        }
    return telecenters, month_reports


def _expected_facts(app, latest: dict, name: str) -> list[tuple]:
    telecenters, month_reports = _ids(app)
    return _canonical(
        {
            "report_id": month_reports[key],
            "telecenter_id": telecenters[key[0]],
            "month": key[1],
            **row,
        }
        for key, value in latest.items()
        for row in _as_stored(value, name)
    )


def _as_stored(value: dict, name: str) -> list[dict]:
    if name != "reach":
        return ingest.stored_rows(value, name)
    return reach_as_stored(month_report.rows_of(value, "reach"))


def _expected_totals(app, latest: dict, name: str) -> list[tuple]:
    telecenters, _reports = _ids(app)
    _dims, measures = stored_layout(name)
    sums = defaultdict(lambda: dict.fromkeys(measures, 0))
    for (code, month), value in latest.items():
        for row in _as_stored(value, name):
            keys = tuple(row[k] for k in TOTAL_KEYS) if name == "reach" else ()
            for measure in measures:
                sums[(telecenters[code], month, keys)][measure] += row[measure]
    return _canonical(
        {"telecenter_id": t, "month": m, **dict(zip(TOTAL_KEYS, k, strict=False)), **values}
        for (t, m, k), values in sums.items()
    )


def _expected_rollups(latest: dict, name: str) -> list[tuple]:
    dims, measures = stored_layout(name)
    sums = defaultdict(lambda: dict.fromkeys(measures, 0))
    for (code, month), value in latest.items():
        for row in _as_stored(value, name):
            key = (REGIONS[code], month, *(row[d] for d in dims))
            for measure in measures:
                sums[key][measure] += row[measure]
    return _canonical(
        {"region": key[0], "month": key[1], **dict(zip(dims, key[2:], strict=True)), **values}
        for key, values in sums.items()
    )


@pytest.fixture
def network(central):
    """The two telecenters of `central` and a second one in San Martín."""
    result = central.test_cli_runner().invoke(
        args=["central", "add-telecenter", LAMAS, "--name", "Lamas", "--region", "San Martín"]
    )
    assert result.exit_code == 0, result.output
    central.tokens[LAMAS] = result.output.strip().splitlines()[-1]
    return central


def _send_as(app, code, items):
    answer = send(app, items, token=app.tokens[code], code=code)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer


def _check_everything(app, latest):
    with app.app_context():
        ingest.refresh_dirty(db.session)
    for name in TABLE_NAMES:
        assert _facts(app, name) == _expected_facts(app, latest, name), name
        assert _table(app, TOTAL_TABLES, name) == _expected_totals(app, latest, name), name
        assert _table(app, ROLLUP_TABLES, name) == _expected_rollups(latest, name), name


def _fill(app) -> dict:
    """Three telecenters, two regions, overlapping months, replacements: what is newest."""
    rng = random.Random(12)
    latest = {}
    for code, first in ((TARAPOTO, 5), (LAMAS, 6), (TINGO, 5)):
        batch = [_random_report(rng, code, f"2026-{m:02d}") for m in range(first, 10)]
        _send_as(app, code, batch)
        latest |= {(code, r["month"]): r for r in batch}
    _check_everything(app, latest)
    # Lamas replaces two months at once (one of them also at Tarapoto) and repeats a third;
    # Tarapoto's and Tingo's months, and Lamas's other months, must stay as they were.
    replacements = [
        _random_report(rng, LAMAS, month, "2026-12-01T12:00:00Z")
        for month in ("2026-07", "2026-09")
    ]
    repeated = _random_report(rng, LAMAS, "2026-08", "2026-11-30T00:00:00Z")  # stale
    answer = _send_as(app, LAMAS, [*replacements, repeated])
    assert _statuses(answer) == [("2026-07", "stored"), ("2026-08", "stale"), ("2026-09", "stored")]
    latest |= {(LAMAS, r["month"]): r for r in replacements}
    _check_everything(app, latest)
    # A month only Tingo has, and a new month for Tarapoto.
    extra = [_random_report(rng, TINGO, "2026-04"), _random_report(rng, TINGO, "2026-10")]
    _send_as(app, TINGO, extra)
    latest |= {(TINGO, r["month"]): r for r in extra}
    newest = _random_report(rng, TARAPOTO, "2026-10")
    _send_as(app, TARAPOTO, [newest])
    latest[(TARAPOTO, "2026-10")] = newest
    _check_everything(app, latest)
    return latest


def test_totals_and_rollups_are_the_sums_of_the_newest_reports(network):
    _fill(network)


def test_an_emptied_month_leaves_no_totals_or_rollups_of_its_own(network):
    latest = _fill(network)
    empty = empty_report(TINGO, "2026-04", stamp(43), schema=2)
    _send_as(network, TINGO, [empty])
    latest[(TINGO, "2026-04")] = empty
    _check_everything(network, latest)
    with network.app_context():
        for name in TABLE_NAMES:
            months_left = db.session.scalars(
                sa.select(ROLLUP_TABLES[name].c.month)
                .where(ROLLUP_TABLES[name].c.region == "Huánuco")
                .distinct()
            ).all()
            assert "2026-04" not in months_left


def test_rebuild_rollups_equals_the_incremental_ones(network):
    latest = _fill(network)
    incremental = {
        (kind, name): _table(network, tables, name)
        for kind, tables in (("rollup", ROLLUP_TABLES), ("total", TOTAL_TABLES))
        for name in TABLE_NAMES
    }
    with network.app_context():
        # Leave something wrong behind that a rebuild must clear.
        for name in TABLE_NAMES:
            db.session.execute(
                ROLLUP_TABLES[name].delete().where(ROLLUP_TABLES[name].c.month == "2026-07")
            )
            db.session.execute(
                TOTAL_TABLES[name].delete().where(TOTAL_TABLES[name].c.month == "2026-06")
            )
            dims, measures = stored_layout(name)
            db.session.execute(
                ROLLUP_TABLES[name]
                .insert()
                .values(
                    region="Ucayali",
                    month="2026-01",
                    **{d: month_report.DIMENSIONS[d][0] for d in dims},
                    **dict.fromkeys(measures, 1),
                )
            )
        db.session.commit()
        ingest.rebuild_rollups(db.session)
        db.session.commit()
    rebuilt = {
        (kind, name): _table(network, tables, name)
        for kind, tables in (("rollup", ROLLUP_TABLES), ("total", TOTAL_TABLES))
        for name in TABLE_NAMES
    }
    assert rebuilt == incremental
    _check_everything(network, latest)


def test_rebuild_rollups_from_facts_alone(network):
    latest = _fill(network)
    with network.app_context():
        for name in TABLE_NAMES:
            db.session.execute(ROLLUP_TABLES[name].delete())
            db.session.execute(TOTAL_TABLES[name].delete())
        db.session.commit()
        ingest.rebuild_rollups(db.session)
        db.session.commit()
    _check_everything(network, latest)


def test_rebuild_rollups_of_an_empty_central_leaves_nothing(central):
    with central.app_context():
        ingest.rebuild_rollups(db.session)
        db.session.commit()
    for name in TABLE_NAMES:
        assert _table(central, ROLLUP_TABLES, name) == []
        assert _table(central, TOTAL_TABLES, name) == []
