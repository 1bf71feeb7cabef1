"""Rolling upgrade at central: schema-1 and schema-2 months side by side, newest wins across
schemas, bad schema-2 input refused whole; rollups marked at ingest and refreshed before
figures are read (ingest.refresh_dirty)."""

from __future__ import annotations

import json
import random
from collections import Counter

import pytest
import sqlalchemy as sa

from telecenter import month_report
from telecenter.central import ingest
from telecenter.central.models import FACT_TABLES, ROLLUP_DIRTY, ROLLUP_TABLES, MonthReport
from telecenter.extensions import db
from tests.central.reports import random_report, stamp
from tests.central.test_ingest import report, send

TARAPOTO, TINGO = "SM-TARAPOTO-01", "HU-TINGO-02"
EARLY, LATE = stamp(36), stamp(37)


def _schema_2(month="2026-11", generated_at=LATE, seed=1, **changes) -> dict:
    result = random_report(random.Random(seed), TARAPOTO, month, generated_at, schema=2)
    return result | changes


def _facts(app, month: str) -> dict[str, list[tuple]]:
    """Every fact row of Tarapoto's month, per table, without ids (in a stable order)."""
    with app.app_context():
        result = {}
        for name, table in FACT_TABLES.items():
            rows = db.session.execute(sa.select(table).where(table.c.month == month)).mappings()
            result[name] = sorted(
                (tuple(sorted((k, v) for k, v in r.items() if k not in ("id", "report_id"))))
                for r in rows
            )
        return result


def _expected(app, sent: dict) -> dict[str, list[tuple]]:
    with app.app_context():
        telecenter_id = db.session.scalar(
            sa.text("SELECT id FROM telecenters WHERE code = :code"), {"code": TARAPOTO}
        )
    return {
        name: sorted(
            tuple(sorted({"telecenter_id": telecenter_id, "month": sent["month"], **row}.items()))
            for row in ingest.stored_rows(sent, name)
        )
        for name in FACT_TABLES
    }


def _stored_report(app, month: str) -> tuple[int, str | None, str]:
    with app.app_context():
        stored = db.session.scalars(sa.select(MonthReport).where(MonthReport.month == month)).one()
        return stored.schema, stored.rules_version, stored.digest


def test_a_month_resent_in_schema_2_replaces_its_schema_1_facts_entirely(central):
    first = [report(month="2026-10"), report(month="2026-11")]
    assert send(central, first).status_code == 200
    assert _facts(central, "2026-11") == _expected(central, first[1])
    assert {row["commodity"] for row in ingest.stored_rows(first[1], "attendance")} == {None}
    upgraded = _schema_2()
    answer = send(central, [upgraded], schema=2)
    assert answer.json["acknowledged"] == [
        {"month": "2026-11", "generated_at": LATE, "status": "stored"}
    ]
    assert _facts(central, "2026-11") == _expected(central, upgraded)
    assert _stored_report(central, "2026-11") == (2, "1", month_report.digest(upgraded))
    # The month not re-sent keeps its schema-1 facts.
    assert _facts(central, "2026-10") == _expected(central, first[0])
    assert _stored_report(central, "2026-10")[:2] == (1, None)


def test_a_schema_2_month_is_never_replaced_by_an_older_schema_1_one(central):
    upgraded = _schema_2(generated_at=LATE)
    assert send(central, [upgraded], schema=2).status_code == 200
    older = report(month="2026-11", generated_at=EARLY)
    answer = send(central, [older])
    assert answer.json["acknowledged"] == [
        {"month": "2026-11", "generated_at": EARLY, "status": "stale"}
    ]
    assert _facts(central, "2026-11") == _expected(central, upgraded)
    assert _stored_report(central, "2026-11")[:2] == (2, "1")


def test_one_request_may_carry_months_of_both_schemas(central):
    mixed = [report(month="2026-09"), _schema_2(month="2026-10", seed=2)]
    answer = send(central, mixed, schema=2)
    assert [a["status"] for a in answer.json["acknowledged"]] == ["stored", "stored"]
    assert _facts(central, "2026-09") == _expected(central, mixed[0])
    assert _facts(central, "2026-10") == _expected(central, mixed[1])
    assert [_stored_report(central, m)[0] for m in ("2026-09", "2026-10")] == [1, 2]


def _reach_v1_row() -> dict:
    return {"scope": "any", "sex": "female", "age_band": "18-29", "wfi": False, "new_people": 1}


def _without_rules_version() -> dict:
    result = _schema_2()
    del result["rules_version"]
    return result


BAD = {
    "schema_1_reach_rows": (
        lambda: _schema_2(reach=[_reach_v1_row()]),
        "2026-11 reach[0]: fields must be exactly age_band, new_people, period, scope, sex, wfi",
    ),
    "unknown_period": (
        lambda: _schema_2(reach=[_reach_v1_row() | {"period": "decade"}]),
        "2026-11 reach[0]: unknown period 'decade'",
    ),
    "commodity_off_agriculture": (
        lambda: _schema_2(
            sessions=[
                {
                    "activity": "class",
                    "category": "digital_literacy",
                    "commodity": "cacao",
                    "purpose": "training",
                    "sessions_held": 1,
                    "session_hours": 2.0,
                    "unregistered_viewers": 0,
                }
            ]
        ),
        "2026-11 sessions[0]: only agriculture has a commodity",
    ),
    "missing_rules_version": (
        _without_rules_version,
        "report fields: missing ['rules_version'], unknown []",
    ),
    "schema_2_wfi_outcomes_in_schema_1": (
        lambda: report(wfi_outcomes=[]),
        "report fields: missing [], unknown ['wfi_outcomes']",
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_schema_2_input_gets_400_with_its_reason_and_stores_nothing(central, case):
    assert send(central, [report(month="2026-11")]).status_code == 200
    before = _facts(central, "2026-11"), _stored_report(central, "2026-11")
    build, reason = BAD[case]
    good_other_month = _schema_2(month="2026-10")
    answer = send(central, [good_other_month, build()], schema=2)
    assert answer.status_code == 400
    assert answer.json["reason"] == reason
    assert (_facts(central, "2026-11"), _stored_report(central, "2026-11")) == before
    assert all(rows == [] for rows in _facts(central, "2026-10").values())


def _rollup_sums(app) -> Counter:
    with app.app_context():
        table = ROLLUP_TABLES["attendance"]
        rows = db.session.execute(sa.select(table.c.region, table.c.month, table.c.hours))
        sums: Counter = Counter()
        for region, month, hours in rows:
            sums[(region, month)] += hours
        return sums


def test_rollups_are_marked_at_ingest_and_refreshed_before_figures(central):
    rng = random.Random(7)
    sent = {
        code: [random_report(rng, code, m, EARLY, schema=2) for m in ("2026-10", "2026-11")]
        for code in (TARAPOTO, TINGO)
    }
    for code, reports in sent.items():
        assert (
            send(central, reports, token=central.tokens[code], code=code, schema=2).status_code
            == 200
        )
    expected: Counter = Counter()
    for code, reports in sent.items():
        region = {TARAPOTO: "San Martín", TINGO: "Huánuco"}[code]
        for value in reports:
            for row in value["attendance"]:
                expected[(region, value["month"])] += row["hours"]
    with central.app_context():
        marks = db.session.execute(sa.select(ROLLUP_DIRTY.c.region, ROLLUP_DIRTY.c.month)).all()
    assert sorted(marks) == sorted(expected)
    assert _rollup_sums(central) == Counter()  # not yet refreshed
    with central.app_context():
        ingest.refresh_dirty(db.session)
        assert db.session.execute(sa.select(ROLLUP_DIRTY)).all() == []
    assert _rollup_sums(central) == pytest.approx(expected)
    # A newer month of one telecenter marks only its region and month again.
    newer = random_report(rng, TARAPOTO, "2026-11", LATE, schema=2)
    assert send(central, [newer], schema=2).status_code == 200
    with central.app_context():
        marks = db.session.execute(sa.select(ROLLUP_DIRTY.c.region, ROLLUP_DIRTY.c.month)).all()
        assert marks == [("San Martín", "2026-11")]
    expected[("San Martín", "2026-11")] = sum(row["hours"] for row in newer["attendance"])
    # Figures read through the API refresh what is marked before answering.
    runner = central.test_cli_runner()
    key = runner.invoke(args=["central", "create-api-key", "--name", "bi"]).output.split()[-1]
    answer = central.test_client().get(
        "/api/v1/participation?from=2026-10&to=2026-11&group_by=region,month",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    by_group = {(r["region"], r["month"]): r["hours"] for r in answer.json["rows"]}
    assert by_group == pytest.approx({k: round(v, 2) for k, v in expected.items()})
    assert _rollup_sums(central) == pytest.approx(expected)
    with central.app_context():
        assert db.session.execute(sa.select(ROLLUP_DIRTY)).all() == []


def _walked_depth(value) -> int:
    if isinstance(value, dict | list):
        children = value.values() if isinstance(value, dict) else value
        return 1 + max((_walked_depth(child) for child in children), default=0)
    return 0


@pytest.mark.parametrize(
    "value",
    [
        7,
        "]]}}",
        [],
        {"a": []},
        [[[[[[[[]]]]]]]],
        [[[[[[[[[]]]]]]]]],
        {'"[': "\\", "b": ["[", {"c": '\\"]'}]},
        ["", "", [[]], {"": {"": "{{{"}}],
        [{"k": ["x\\", "[\\\\"]}, "\u00e1[\n"],
    ],
)
def test_the_depth_check_counts_only_structure_not_brackets_in_strings(value):
    for raw in (json.dumps(value), json.dumps(value, ensure_ascii=False, separators=(",", ":"))):
        expected = min(_walked_depth(value), ingest.MAX_DEPTH + 1)
        assert ingest._depth(raw.encode()) == expected
