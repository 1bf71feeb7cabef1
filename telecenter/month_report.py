"""The month report: the one contract between a site and central (shape and validation).

A site sends, per calendar month (America/Lima), event facts (additive counts) and reach facts
(people whose first qualifying event in a scope, ever or within a reporting period, fell in the
month). Central never sees a person: only these counts. See ../shared/DESIGN.md, "Counting"
(schema 1) and "Counting, schema 2". Central reads both during a rolling upgrade; sites send
schema 2. The values each dimension may take are `telecenter.vocabulary`'s.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, date, datetime

from telecenter.vocabulary import (
    DIMENSIONS,
    NO_COMMODITY,
    SCOPES_V1,
    WFI_OUTCOME_INDICATORS,
)

#: The schemas central accepts side by side during a rolling upgrade; sites send SCHEMA.
SCHEMAS = (1, 2)
SCHEMA = 2
_SESSION_MEASURES = {
    "sessions_held": "int",
    "session_hours": "float",
    "unregistered_viewers": "int",
}
_ATTENDANCE_MEASURES = {"attendances": "int", "hours": "float", "participants": "int"}
# table -> (dimensions, {measure: kind}) ; kind "int" or "float"
TABLES_V1: dict[str, tuple[tuple[str, ...], dict[str, str]]] = {
    "sessions": (("activity", "category"), _SESSION_MEASURES),
    "attendance": (("activity", "category", "sex", "age_band", "wfi"), _ATTENDANCE_MEASURES),
    "registrations": (("sex", "age_band"), {"registrations": "int"}),
    "completions": (("category", "sex", "age_band"), {"completions": "int"}),
    "wfi_enrolments": (("age_band",), {"enrolments": "int"}),
    "reach": (("scope", "sex", "age_band", "wfi"), {"new_people": "int"}),
}
#: The programme's outcomes at the end of the month: a stock, not additive across months.
WFI_OUTCOME_MEASURES = {
    "enrolled": "int",
    "with_baseline": "int",
    "with_follow_up": "int",
    **{
        f"{indicator}_{when}": "int"
        for indicator in WFI_OUTCOME_INDICATORS
        for when in ("baseline", "latest")
    },
}
#: Schema 2 (../shared/DESIGN.md, "Counting, schema 2"): every schema-1 table, sessions and
#: attendance split by crop and purpose, reach per period, and the programme's outcomes.
TABLES: dict[str, tuple[tuple[str, ...], dict[str, str]]] = {
    "sessions": (("activity", "category", "commodity", "purpose"), _SESSION_MEASURES),
    "attendance": (
        ("activity", "category", "commodity", "purpose", "sex", "age_band", "wfi"),
        _ATTENDANCE_MEASURES,
    ),
    "registrations": TABLES_V1["registrations"],
    "completions": TABLES_V1["completions"],
    "wfi_enrolments": TABLES_V1["wfi_enrolments"],
    "reach": (("period", "scope", "sex", "age_band", "wfi"), {"new_people": "int"}),
    "wfi_outcomes": (("age_band",), WFI_OUTCOME_MEASURES),
}
TABLES_BY_SCHEMA = {1: TABLES_V1, 2: TABLES}
#: Schema 1 knows fewer scopes; everything else takes the same values in both.
DIMENSIONS_BY_SCHEMA = {1: DIMENSIONS | {"scope": SCOPES_V1}, 2: DIMENSIONS}
#: The header fields of a report, besides its tables.
HEADERS_BY_SCHEMA = {
    1: ("schema", "telecenter", "month", "generated_at"),
    2: ("schema", "telecenter", "month", "generated_at", "rules_version"),
}
#: Sections a schema-2 report may leave out: a site that predates them keeps sending.
OPTIONAL_BY_SCHEMA: dict[int, tuple[str, ...]] = {1: (), 2: ("network_events",)}
#: A network teleconference's id as central gives it (issue 21).
NETWORK_EVENT = re.compile(r"NE-[1-9][0-9]{0,8}")
#: Per network event held in the month: one row each, with its attendance by sex and age band.
NETWORK_EVENT_FIELDS = ("event", "sessions_held", "unregistered_viewers", "attendance")
NETWORK_ATTENDANCE_FIELDS = ("sex", "age_band", "attendances", "participants")
MAX_NETWORK_EVENTS = 300
#: The counting rules a schema-2 report was computed under (central's opaque version string).
RULES_VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")
# ASCII only and matched whole (fullmatch): `\d` takes other scripts' digits and `$` a
# trailing newline, and either would make a second spelling of one month or code.
MONTH = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")
CODE = re.compile(r"[A-Z0-9][A-Z0-9-]{1,39}")
FIRST_MONTH, LAST_MONTH = "2000-01", "2099-12"
FIRST_YEAR, LAST_YEAR = 2000, 2099
# Above the largest report the dimensions allow (reach: 5 periods x 19 scopes x 36 = 3,420).
MAX_ROWS_PER_TABLE = 4000
MAX_MEASURE = 10_000_000


def is_month(text: object) -> bool:
    """A month spelled YYYY-MM, exactly (any year)."""
    return isinstance(text, str) and MONTH.fullmatch(text) is not None


def is_supported_month(text: object) -> bool:
    """A month central can store and answer for: YYYY-MM from 2000-01 to 2099-12."""
    return is_month(text) and FIRST_MONTH <= str(text) <= LAST_MONTH


def is_schema(value: object) -> bool:
    """A schema number this code reads (true is not 1 here)."""
    return type(value) is int and value in SCHEMAS


def is_rules_version(value: object) -> bool:
    return isinstance(value, str) and RULES_VERSION.fullmatch(value) is not None


def tables_of(report: dict) -> dict[str, tuple[tuple[str, ...], dict[str, str]]]:
    """The tables of a (valid) report's schema."""
    return TABLES_BY_SCHEMA[report["schema"]]


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
    """A fingerprint of the counts and of how they were counted (schema, rules), not of when
    they were computed: a site that upgrades or gets new rules re-sends every month. Taken
    over the tables in the form the schema travels in (schema 1 rows, schema 2 columns,
    whichever form a schema-2 report came in), so central never rebuilds rows for it."""
    schema = report.get("schema", SCHEMA)
    if schema == 1:
        facts: dict[str, object] = {table: report.get(table, []) for table in TABLES_V1}
    else:
        facts = {
            table: columns_of(report, table) if table in report else in_columns([], (*d, *m))
            for table, (d, m) in TABLES_BY_SCHEMA.get(schema, TABLES).items()
        }
        facts |= {"schema": schema, "rules_version": report.get("rules_version")}
        # Only when sent: a month without network events keeps the digest it always had.
        facts |= {name: report[name] for name in OPTIONAL_BY_SCHEMA[2] if name in report}
    canonical = json.dumps(facts, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _check_row(table: str, row, where: str, schema: int) -> list[str]:
    dims, measures = TABLES_BY_SCHEMA[schema][table]
    values = DIMENSIONS_BY_SCHEMA[schema]
    if not isinstance(row, dict):
        return [f"{where}: a row must be an object"]
    expected = set(dims) | set(measures)
    problems = []
    if set(row) != expected:
        problems.append(f"{where}: fields must be exactly {', '.join(sorted(expected))}")
        return problems
    for name in dims:
        if row[name] not in values[name] or (name == "wfi") != isinstance(row[name], bool):
            problems.append(f"{where}: unknown {name} {shown(row[name])}")
    crop = row.get("commodity", NO_COMMODITY)
    if crop != NO_COMMODITY and row.get("category") != "agriculture":
        problems.append(f"{where}: only agriculture has a commodity")
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
    if not is_schema(report.get("schema")):
        return [f"unsupported schema {shown(report.get('schema'))}; this server knows 1 and 2"]
    schema = report["schema"]
    expected = {*HEADERS_BY_SCHEMA[schema], *TABLES_BY_SCHEMA[schema]}
    optional = set(OPTIONAL_BY_SCHEMA[schema])
    if not expected <= set(report) <= expected | optional:
        missing, extra = expected - set(report), set(report) - expected - optional
        return [f"report fields: missing {sorted(missing)}, unknown {sorted(extra)}"]
    problems = _header_problems(report)
    for table in TABLES_BY_SCHEMA[schema]:
        problems += _table_problems(report, table, schema)
    if "network_events" in report:
        problems += network_event_problems(report["network_events"])
    return problems[:50]


def is_network_event(text: object) -> bool:
    return isinstance(text, str) and NETWORK_EVENT.fullmatch(text) is not None


def _is_count(value: object) -> bool:
    return type(value) is int and 0 <= value <= MAX_MEASURE


def network_event_problems(events: object) -> list[str]:
    """The `network_events` section: counts only, one row per event held in the month."""
    if not isinstance(events, list) or len(events) > MAX_NETWORK_EVENTS:
        return [f"network_events must be a list of at most {MAX_NETWORK_EVENTS} events"]
    problems: list[str] = []
    seen: set[str] = set()
    for index, event in enumerate(events):
        where = f"network_events[{index}]"
        if not isinstance(event, dict) or set(event) != set(NETWORK_EVENT_FIELDS):
            problems.append(f"{where}: fields must be exactly {', '.join(NETWORK_EVENT_FIELDS)}")
            continue
        if not is_network_event(event["event"]):
            problems.append(f"{where}: event must be an id like NE-12, not {shown(event['event'])}")
        elif event["event"] in seen:
            problems.append(f"{where}: event {event['event']} appears twice")
        else:
            seen.add(event["event"])
        for name in ("sessions_held", "unregistered_viewers"):
            if not _is_count(event[name]):
                problems.append(f"{where}: {name} must be a whole number from 0 to {MAX_MEASURE}")
        problems += _network_attendance_problems(event["attendance"], where)
    return problems


def _network_attendance_problems(rows: object, where: str) -> list[str]:
    limit = len(DIMENSIONS["sex"]) * len(DIMENSIONS["age_band"])
    if not isinstance(rows, list) or len(rows) > limit:
        return [f"{where}.attendance must be a list of at most {limit} rows"]
    problems, seen = [], set()
    for index, row in enumerate(rows):
        at = f"{where}.attendance[{index}]"
        if not isinstance(row, dict) or set(row) != set(NETWORK_ATTENDANCE_FIELDS):
            problems.append(f"{at}: fields must be exactly {', '.join(NETWORK_ATTENDANCE_FIELDS)}")
            continue
        key = (row["sex"], row["age_band"])
        if not isinstance(row["sex"], str) or row["sex"] not in DIMENSIONS["sex"]:
            problems.append(f"{at}: unknown sex {shown(row['sex'])}")
        elif not isinstance(row["age_band"], str) or row["age_band"] not in DIMENSIONS["age_band"]:
            problems.append(f"{at}: unknown age_band {shown(row['age_band'])}")
        elif key in seen:
            problems.append(f"{at}: the same sex and age band appear twice")
        seen.add(key)
        if not (_is_count(row["attendances"]) and _is_count(row["participants"])):
            problems.append(f"{at}: attendances and participants must be whole numbers")
        elif row["participants"] > row["attendances"]:
            problems.append(f"{at}: participants cannot exceed attendances")
    return problems


def _header_problems(report: dict) -> list[str]:
    problems = []
    if "rules_version" in report and not is_rules_version(report["rules_version"]):
        problems.append("rules_version must be a short code of letters, digits, '.', '-', '_'")
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


def _table_problems(report: dict, table: str, schema: int) -> list[str]:
    data = report[table]
    if isinstance(data, dict) and schema != 1:
        return _columns_problems(report, table, schema)
    if not isinstance(data, list) or len(data) > MAX_ROWS_PER_TABLE:
        return [f"{table} must be a list of at most {MAX_ROWS_PER_TABLE} rows"]
    return _rows_problems(report, table, data, schema)


def _rows_problems(report: dict, table: str, rows: list, schema: int) -> list[str]:
    dims, measures = TABLES_BY_SCHEMA[schema][table]
    expected, values = {*dims, *measures}, DIMENSIONS_BY_SCHEMA[schema]
    problems, seen = [], set()
    for index, row in enumerate(rows):
        # A valid row (nearly all) is checked without building the reasons' texts.
        if _is_valid_row(row, expected, dims, values, measures):
            row_problems = []
        else:
            where = f"{_month_label(report.get('month'))} {table}[{index}]"
            row_problems = _check_row(table, row, where, schema)
        problems += row_problems
        if not row_problems:
            key = tuple(row[d] for d in dims)
            if key in seen:
                where = f"{_month_label(report.get('month'))} {table}[{index}]"
                problems.append(f"{where}: the same dimensions appear twice")
            seen.add(key)
    return problems


def fields_of(schema: int, table: str) -> tuple[str, ...]:
    dims, measures = TABLES_BY_SCHEMA[schema][table]
    return (*dims, *measures)


def in_columns(rows: list[dict], fields: tuple[str, ...]) -> dict[str, list]:
    return {field: [row[field] for row in rows] for field in fields}


def for_the_wire(report: dict) -> dict:
    """A schema-2 report as a site sends it: each table in columns ({field: [values]}), which
    gzips to under half the rows' size and decodes and checks faster at central. Schema 1
    stays in rows: a central that predates schema 2 reads only those."""
    if report["schema"] == 1:
        return report
    return report | {
        table: in_columns(report[table], fields_of(report["schema"], table)) for table in TABLES
    }


def columns_of(report: dict, table: str) -> dict[str, list]:
    """A table of a valid report in columns, whichever form it was sent in."""
    data = report[table]
    return data if isinstance(data, dict) else in_columns(data, fields_of(report["schema"], table))


def rows_of(report: dict, table: str) -> list[dict]:
    """A table of a valid report in rows, whichever form it was sent in."""
    data = report[table]
    if not isinstance(data, dict):
        return data
    return [dict(zip(data, values, strict=True)) for values in zip(*data.values(), strict=True)]


def _columns_problems(report: dict, table: str, schema: int) -> list[str]:
    """A table sent in columns: checked a column at a time; when that finds a problem, the
    table is read as rows so that the reasons name the row, as for rows."""
    columns = report[table]
    lengths = {len(c) if isinstance(c, list) else -1 for c in columns.values()}
    if len(lengths) > 1 or not 0 <= min(lengths, default=0) <= MAX_ROWS_PER_TABLE:
        return [
            f"{table} in columns must give each field a list of at most "
            f"{MAX_ROWS_PER_TABLE} values, all of one length"
        ]
    if set(columns) == set(fields_of(schema, table)) and _are_valid_columns(columns, table, schema):
        return []
    problems = _rows_problems(report, table, rows_of(report, table), schema)
    return problems or [
        f"{table}: the columns must be exactly {', '.join(fields_of(schema, table))}"
    ]


def _are_valid_columns(columns: dict[str, list], table: str, schema: int) -> bool:
    """What _rows_problems accepts, a column at a time (set operations run in C)."""
    dims, measures = TABLES_BY_SCHEMA[schema][table]
    values = DIMENSIONS_BY_SCHEMA[schema]
    try:
        for name in dims:
            column = columns[name]
            if name == "wfi" and not set(map(type, column)) <= {bool}:
                return False
            if not set(column) <= set(values[name]):
                return False
    except TypeError:  # a list or object where a value belongs: unhashable
        return False
    if "commodity" in columns and any(
        crop != NO_COMMODITY and category != "agriculture"
        for crop, category in zip(columns["commodity"], columns["category"], strict=True)
    ):
        return False
    for name, kind in measures.items():
        column = columns[name]
        if not set(map(type, column)) <= ({int} if kind == "int" else {int, float}):
            return False
        if column and not (min(column) >= 0 and max(column) <= MAX_MEASURE):
            return False
    keys = zip(*(columns[name] for name in dims), strict=True)
    return len(set(keys)) == len(columns[dims[0]])


def _is_valid_row(row, expected: set, dims, values: dict, measures: dict) -> bool:
    """What _check_row accepts, answered quickly (it then says why not)."""
    if not isinstance(row, dict) or row.keys() != expected:
        return False
    for name in dims:
        value = row[name]
        if value not in values[name] or (name == "wfi") != isinstance(value, bool):
            return False
    if row.get("commodity", NO_COMMODITY) != NO_COMMODITY and row.get("category") != "agriculture":
        return False
    for name, kind in measures.items():
        value = row[name]
        valid_type = isinstance(value, int) if kind == "int" else isinstance(value, int | float)
        if isinstance(value, bool) or not valid_type or not 0 <= value <= MAX_MEASURE:
            return False
    return True
