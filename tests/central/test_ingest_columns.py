"""Schema-2 tables may travel in columns ({field: [values]}): central stores exactly what the
same report in rows would give, and refuses a malformed column table whole."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
import sqlalchemy as sa

from telecenter import month_report
from telecenter.central.models import FACT_TABLES, REACH_COLUMNS, TOTAL_TABLES, MonthReport
from telecenter.extensions import db
from tests.central.reports import random_report, reach_as_stored, stamp
from tests.central.test_ingest import report, send
from tests.conftest import FIXED_NOW

TARAPOTO = "SM-TARAPOTO-01"
#: Two closed months before the tests' fixed clock.
MONTH = month_report.month_of(FIXED_NOW - timedelta(days=5))
EARLIER = month_report.month_of(FIXED_NOW - timedelta(days=40))


def _rows_form(month=MONTH, seed=1) -> dict:
    return random_report(random.Random(seed), TARAPOTO, month, stamp(37), schema=2)


def _columns_form(rows_form: dict) -> dict:
    """Written here from the rows, not through month_report.for_the_wire."""
    result = dict(rows_form)
    for table, (dims, measures) in month_report.TABLES.items():
        result[table] = {f: [row[f] for row in rows_form[table]] for f in (*dims, *measures)}
    return result


def _table(app, table: sa.Table, month: str) -> list[tuple]:
    with app.app_context():
        rows = db.session.execute(sa.select(table).where(table.c.month == month)).mappings()
        return sorted(
            tuple(sorted((k, v) for k, v in r.items() if k not in ("id", "report_id")))
            for r in rows
        )


def _everything(app, month: str) -> dict:
    with app.app_context():
        reports = db.session.execute(
            sa.select(MonthReport.schema, MonthReport.digest).where(MonthReport.month == month)
        ).all()
    return {
        "reports": reports,
        **{f"facts:{n}": _table(app, t, month) for n, t in FACT_TABLES.items()},
        **{f"totals:{n}": _table(app, t, month) for n, t in TOTAL_TABLES.items()},
    }


def _telecenter_id(app) -> int:
    with app.app_context():
        return db.session.scalar(
            sa.text("SELECT id FROM telecenters WHERE code = :c"), {"c": TARAPOTO}
        )


def test_a_report_in_columns_stores_the_facts_and_totals_of_its_rows(central):
    sent = _rows_form()
    answer = send(central, [_columns_form(sent)], schema=2)
    assert answer.status_code == 200, answer.json
    assert [a["status"] for a in answer.json["acknowledged"]] == ["stored"]
    telecenter = _telecenter_id(central)
    for name, table in FACT_TABLES.items():
        rows = reach_as_stored(sent[name]) if name == "reach" else sent[name]
        expected = sorted(
            tuple(sorted({"telecenter_id": telecenter, "month": MONTH, **row}.items()))
            for row in rows
        )
        assert _table(central, table, MONTH) == expected, name
    # Totals: summed here from the rows sent (reach kept apart by period and scope).
    measures = month_report.TABLES["attendance"][1]
    totals = {m: sum(row[m] for row in sent["attendance"]) for m in measures}
    stored = dict(_table(central, TOTAL_TABLES["attendance"], MONTH)[0])
    assert {m: stored[m] for m in measures} == pytest.approx(totals)
    reach = {}
    for row in sent["reach"]:
        key = (row["period"], row["scope"])
        reach[key] = reach.get(key, 0) + row["new_people"]
    stored_reach = {
        (period, r["scope"]): r[column]
        for r in map(dict, _table(central, TOTAL_TABLES["reach"], MONTH))
        for period, column in REACH_COLUMNS.items()
        if r[column]
    }
    assert stored_reach == {key: count for key, count in reach.items() if count}
    # The digest is the one of the rows: the form a table travelled in is not a change.
    assert _everything(central, MONTH)["reports"] == [(2, month_report.digest(sent))]


def test_the_same_report_in_rows_and_in_columns_is_one_duplicate(central):
    sent = _rows_form()
    assert send(central, [sent], schema=2).status_code == 200
    before = _everything(central, MONTH)
    answer = send(central, [_columns_form(sent)], schema=2)
    assert [a["status"] for a in answer.json["acknowledged"]] == ["duplicate"]
    assert _everything(central, MONTH) == before


def _with(table: str, **columns) -> dict:
    result = _columns_form(_rows_form())
    result[table] = result[table] | columns
    return result


def _attendance_column(field: str, change) -> dict:
    result = _columns_form(_rows_form())
    column = list(result["attendance"][field])
    column[0] = change(column[0])
    result["attendance"] = result["attendance"] | {field: column}
    return result


def _duplicated_first_key() -> dict:
    result = _columns_form(_rows_form())
    result["attendance"] = {f: [v[0], *v] for f, v in result["attendance"].items()}
    return result


def _without(field: str) -> dict:
    result = _columns_form(_rows_form())
    result["sessions"] = {f: v for f, v in result["sessions"].items() if f != field}
    return result


BAD = {
    "unequal_lengths": (
        lambda: _with("attendance", sex=_columns_form(_rows_form())["attendance"]["sex"][1:]),
        "in columns must give each field a list",
    ),
    "not_a_list": (
        lambda: _with("attendance", sex="female"),
        "in columns must give each field a list",
    ),
    "unknown_value": (
        lambda: _attendance_column("sex", lambda _v: "both"),
        f"{MONTH} attendance[0]: unknown sex 'both'",
    ),
    "wfi_as_one": (
        lambda: _with_wfi_as_one(),
        f"{MONTH} reach[0]:",
    ),
    "negative_measure": (
        lambda: _attendance_column("attendances", lambda _v: -1),
        f"{MONTH} attendance[0]:",
    ),
    "bool_measure": (
        lambda: _attendance_column("attendances", lambda _v: True),
        f"{MONTH} attendance[0]:",
    ),
    "list_inside": (
        lambda: _attendance_column("sex", lambda v: [v]),
        f"{MONTH} attendance[0]:",
    ),
    "duplicate_key": (_duplicated_first_key, f"{MONTH} attendance[1]:"),
    "missing_field": (
        lambda: _without("purpose"),
        f"{MONTH} sessions[0]: fields must be exactly",
    ),
}


def _with_wfi_as_one() -> dict:
    result = _columns_form(_rows_form())
    wfi = list(result["reach"]["wfi"])
    wfi[0] = 1 if wfi[0] else 0
    result["reach"] = result["reach"] | {"wfi": wfi}
    return result


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_column_table_gets_400_with_its_reason_and_changes_nothing(central, case):
    assert send(central, [report(month=MONTH)]).status_code == 200
    before = _everything(central, MONTH), _everything(central, EARLIER)
    build, reason = BAD[case]
    good_other_month = _columns_form(_rows_form(month=EARLIER, seed=2))
    answer = send(central, [good_other_month, build()], schema=2)
    assert answer.status_code == 400
    assert reason in answer.json["reason"]
    assert (_everything(central, MONTH), _everything(central, EARLIER)) == before


def test_schema_1_tables_must_stay_in_rows(central):
    """An old central reads only rows; schema 1 in columns would be a second form of it."""
    old = report(month=MONTH)
    old["attendance"] = {f: [row[f] for row in old["attendance"]] for f in old["attendance"][0]}
    answer = send(central, [old])
    assert answer.status_code == 400
    assert "attendance must be a list" in answer.json["reason"]
