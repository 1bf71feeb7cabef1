"""The month report: the one contract between a site and central (shape and validation).

A site sends, per calendar month (America/Lima), event facts (additive counts) and reach facts
(people whose first-ever qualifying event in a scope fell in the month). Central never sees a
person: only these counts. See ../shared/DESIGN.md, "Counting". The values each dimension
may take are `telecenter.vocabulary`'s (`DIMENSIONS` here is that same mapping).
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, date, datetime

from telecenter.vocabulary import DIMENSIONS

SCHEMA = 1
# table -> (dimensions, {measure: kind}) ; kind "int" or "float"
TABLES: dict[str, tuple[tuple[str, ...], dict[str, str]]] = {
    "sessions": (
        ("activity", "category"),
        {"sessions_held": "int", "session_hours": "float", "unregistered_viewers": "int"},
    ),
    "attendance": (
        ("activity", "category", "sex", "age_band", "wfi"),
        {"attendances": "int", "hours": "float", "participants": "int"},
    ),
    "registrations": (("sex", "age_band"), {"registrations": "int"}),
    "completions": (("category", "sex", "age_band"), {"completions": "int"}),
    "wfi_enrolments": (("age_band",), {"enrolments": "int"}),
    "reach": (("scope", "sex", "age_band", "wfi"), {"new_people": "int"}),
}
# ASCII only and matched whole (fullmatch): `\d` takes other scripts' digits and `$` a
# trailing newline, and either would make a second spelling of one month or code.
MONTH = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")
CODE = re.compile(r"[A-Z0-9][A-Z0-9-]{1,39}")
FIRST_MONTH, LAST_MONTH = "2000-01", "2099-12"
FIRST_YEAR, LAST_YEAR = 2000, 2099
MAX_ROWS_PER_TABLE = 2000
MAX_MEASURE = 10_000_000


def is_month(text: object) -> bool:
    """A month spelled YYYY-MM, exactly (any year)."""
    return isinstance(text, str) and MONTH.fullmatch(text) is not None


def is_supported_month(text: object) -> bool:
    """A month central can store and answer for: YYYY-MM from 2000-01 to 2099-12."""
    return is_month(text) and FIRST_MONTH <= str(text) <= LAST_MONTH


def is_schema(value: object) -> bool:
    """The schema number this code speaks (true is not 1 here)."""
    return type(value) is int and value == SCHEMA


def shown(value: object) -> str:
    """A sent value as quoted in a reason: ASCII (escapes), cut short (it may be megabytes)."""
    text = ascii(value)
    return text if len(text) <= 60 else text[:57] + "..."


def is_code(text: object) -> bool:
    """A telecenter code like SM-TARAPOTO-01, exactly."""
    return isinstance(text, str) and CODE.fullmatch(text) is not None


def month_of(moment: date) -> str:
    return f"{moment.year:04d}-{moment.month:02d}"


def stamp(moment: datetime) -> str:
    """A report's generated_at as sent: ISO 8601 in UTC with a Z."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_generated_at(text) -> datetime | None:
    """The report's time, with a zone and in years 2000-2099 (else None): year 1 or 9999
    would overflow on conversion and can only be a broken clock."""
    if not isinstance(text, str) or not text.isascii():
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        in_utc = moment.astimezone(UTC) if moment.tzinfo is not None else None
    except (ValueError, OverflowError):
        return None
    if in_utc is None or not FIRST_YEAR <= in_utc.year <= LAST_YEAR:
        return None
    return moment


def digest(report: dict) -> str:
    """A fingerprint of the counts alone (not of when they were computed)."""
    facts = {table: report.get(table, []) for table in TABLES}
    canonical = json.dumps(facts, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _check_row(table: str, row, where: str) -> list[str]:
    dims, measures = TABLES[table]
    if not isinstance(row, dict):
        return [f"{where}: a row must be an object"]
    expected = set(dims) | set(measures)
    problems = []
    if set(row) != expected:
        problems.append(f"{where}: fields must be exactly {', '.join(sorted(expected))}")
        return problems
    for name in dims:
        if row[name] not in DIMENSIONS[name] or (name == "wfi") != isinstance(row[name], bool):
            problems.append(f"{where}: unknown {name} {shown(row[name])}")
    for name, kind in measures.items():
        value = row[name]
        valid_type = isinstance(value, int) if kind == "int" else isinstance(value, int | float)
        if isinstance(value, bool) or not valid_type or not 0 <= value <= MAX_MEASURE:
            problems.append(f"{where}: {name} must be a number from 0 to {MAX_MEASURE}")
    return problems


def validate(report) -> list[str]:
    """Every problem with one month report (empty when valid)."""
    if not isinstance(report, dict):
        return ["a report must be an object"]
    expected = {"schema", "telecenter", "month", "generated_at", *TABLES}
    if set(report) != expected:
        missing, extra = expected - set(report), set(report) - expected
        return [f"report fields: missing {sorted(missing)}, unknown {sorted(extra)}"]
    problems = _header_problems(report)
    for table in TABLES:
        problems += _table_problems(report, table)
    return problems[:50]


def _header_problems(report: dict) -> list[str]:
    problems = []
    if not is_schema(report["schema"]):
        problems.append(f"unsupported schema {shown(report['schema'])}; this server knows {SCHEMA}")
    if not is_code(report["telecenter"]):
        problems.append("telecenter must be a code like SM-TARAPOTO-01")
    if not is_supported_month(report["month"]):
        problems.append(f"month must be YYYY-MM from {FIRST_MONTH} to {LAST_MONTH}")
    if parse_generated_at(report["generated_at"]) is None:
        problems.append(
            f"generated_at must be an ISO 8601 time with a zone, in {FIRST_YEAR}-{LAST_YEAR}"
        )
    return problems


def _month_label(month: object) -> str:
    """The month as named in a reason: as sent when short ASCII text, else escaped."""
    if isinstance(month, str) and month.isascii() and month.isprintable() and len(month) <= 20:
        return month
    return shown(month)


def _table_problems(report: dict, table: str) -> list[str]:
    rows = report[table]
    if not isinstance(rows, list) or len(rows) > MAX_ROWS_PER_TABLE:
        return [f"{table} must be a list of at most {MAX_ROWS_PER_TABLE} rows"]
    dims = TABLES[table][0]
    problems, seen = [], set()
    for index, row in enumerate(rows):
        where = f"{_month_label(report.get('month'))} {table}[{index}]"
        row_problems = _check_row(table, row, where)
        problems += row_problems
        if not row_problems:
            key = tuple(row[d] for d in dims)
            if key in seen:
                problems.append(f"{where}: the same dimensions appear twice")
            seen.add(key)
    return problems
