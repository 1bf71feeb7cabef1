"""Random valid month reports of either schema, for central's tests."""

from __future__ import annotations

import random
from datetime import timedelta

from telecenter import month_report
from telecenter.central.models import REACH_COLUMNS
from telecenter.vocabulary import NO_COMMODITY
from tests.conftest import FIXED_NOW


def stamp(hours_after_clock: float) -> str:
    """A report's generated_at, so many hours after the tests' fixed clock."""
    return month_report.stamp(FIXED_NOW + timedelta(hours=hours_after_clock))


def _valid(row: dict) -> dict:
    """A crop only on agriculture (the one cross-dimension rule)."""
    if row.get("commodity", NO_COMMODITY) != NO_COMMODITY and row.get("category") != "agriculture":
        return row | {"commodity": NO_COMMODITY}
    return row


def random_rows(rng: random.Random, table: str, schema: int, most: int = 9) -> list[dict]:
    """Between 3 and `most` rows of distinct dimensions, with random measures."""
    dims, measures = month_report.TABLES_BY_SCHEMA[schema][table]
    values = month_report.DIMENSIONS_BY_SCHEMA[schema]
    seen: set[tuple] = set()
    rows = []
    for _ in range(rng.randint(3, most) * 2):
        row = _valid({d: rng.choice(values[d]) for d in dims})
        key = tuple(row.values())
        if key in seen:
            continue
        seen.add(key)
        for measure, kind in measures.items():
            row[measure] = rng.randint(0, 50) if kind == "int" else rng.randint(0, 160) / 4
        rows.append(row)
        if len(rows) >= most:
            break
    return rows


def random_report(
    rng: random.Random,
    code: str,
    month: str,
    generated_at: str = stamp(36),
    schema: int = 1,
    rules_version: str = "1",
) -> dict:
    result: dict = {
        "schema": schema,
        "telecenter": code,
        "month": month,
        "generated_at": generated_at,
        **{name: random_rows(rng, name, schema) for name in month_report.TABLES_BY_SCHEMA[schema]},
    }
    if schema == 2:
        result["rules_version"] = rules_version
    assert month_report.validate(result) == []
    return result


def empty_report(code: str, month: str, generated_at: str, schema: int = 1) -> dict:
    result: dict = {
        "schema": schema,
        "telecenter": code,
        "month": month,
        "generated_at": generated_at,
        **{name: [] for name in month_report.TABLES_BY_SCHEMA[schema]},
    }
    if schema == 2:
        result["rules_version"] = "1"
    return result


REACH_CELL = ("scope", "sex", "age_band", "wfi")


def reach_as_stored(rows: list[dict]) -> list[dict]:
    """The reach rows central should hold for rows a report sent, pivoted here, by the test:
    a row per cell with a count per period (0 where the report has none; schema 1's rows
    are period "ever")."""
    cells: dict[tuple, dict] = {}
    for row in rows:
        key = tuple(row[k] for k in REACH_CELL)
        cell = cells.setdefault(key, dict.fromkeys(REACH_COLUMNS.values(), 0))
        cell[REACH_COLUMNS[row.get("period", "ever")]] += row["new_people"]
    return [dict(zip(REACH_CELL, key, strict=True)) | counts for key, counts in cells.items()]


def reach_as_sent(stored: list[dict]) -> list[dict]:
    """Central's reach rows back in a report's shape: a row per period with people in it."""
    return [
        {"period": period, **{k: row[k] for k in REACH_CELL}, "new_people": row[column]}
        for row in stored
        for period, column in REACH_COLUMNS.items()
        if row[column]
    ]
