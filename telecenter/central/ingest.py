"""Ingest of month reports from sites: validate the whole request, then store it at once.

Central keeps the newest report per (telecenter, month), judged by the site's generated_at,
and replaces that month's facts with it; an older or repeated report is acknowledged and
ignored. Retries, duplicates and reordering therefore never double count, and a site restored
from an old backup keeps syncing because its new reports carry new times.
"""

from __future__ import annotations

import gzip
import json
import logging
import re
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from telecenter import month_report
from telecenter.central.models import (
    FACT_NETWORK_ATTENDANCE,
    FACT_NETWORK_EVENTS,
    FACT_TABLES,
    PUBLIC_ID_PREFIX,
    REACH_COLUMNS,
    ROLLUP_DIRTY,
    ROLLUP_TABLES,
    TOTAL_KEYS,
    TOTAL_TABLES,
    MonthReport,
    Telecenter,
    stored_fields,
    stored_layout,
)
from telecenter.clock import utcnow
from telecenter.database import writing
from telecenter.domain_errors import DomainError

log = logging.getLogger(__name__)

MAX_REPORTS_PER_REQUEST = 120
MAX_DECOMPRESSED_BYTES = 16 * 1024 * 1024
MAX_INT_DIGITS = 20  # counts stop at month_report.MAX_MEASURE; 20 digits is any int64
MAX_DEPTH = 8  # a request nests 5 deep: body, reports, report, table, row
MAX_AHEAD = timedelta(days=1)  # a report from the future is a site's clock set wrong
ROLLUP_REFRESH_LOCK = 19_0018  # the advisory lock refresh_dirty takes (any fixed number)


class InvalidRequest(DomainError):
    """The request is malformed; nothing is stored."""


class WrongTelecenter(DomainError):
    """The token's telecenter may not write this data."""

    status = 403


def decode_body(raw: bytes, encoding: str | None) -> dict:
    """JSON from a plain or gzip body, refusing bombs, truncation and garbage."""
    if (encoding or "").lower() == "gzip":
        try:
            decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
            raw = decompressor.decompress(raw, MAX_DECOMPRESSED_BYTES)
            if decompressor.unconsumed_tail:
                raise InvalidRequest("the uncompressed body is larger than 16 MB")
            if not decompressor.eof:
                raise InvalidRequest("the gzip body is truncated")
        except (zlib.error, gzip.BadGzipFile) as error:
            raise InvalidRequest(f"the body is not valid gzip: {error}") from None
    body = parse_json(raw)
    if not isinstance(body, dict):
        raise InvalidRequest("the body must be a JSON object")
    return body


def parse_json(raw: bytes, max_depth: int = MAX_DEPTH) -> object:
    """The one place a request body becomes data, bounded in what the parser and later code
    can choke on: integers of more than MAX_INT_DIGITS digits (Python refuses more than 4,300
    with a ValueError), nesting deeper than MAX_DEPTH (a RecursionError), NaN and Infinity.
    Integers are looked at one by one only when the body holds a run of digits that long:
    a Python call per integer was a sixth of the time of storing a re-sent history."""
    parse_int = _bounded_int if _LONG_RUN in raw.translate(_DIGITS_AS_ONES) else None
    try:
        data = json.loads(raw.decode("utf-8"), parse_int=parse_int, parse_constant=_no_constant)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InvalidRequest("the body is not valid JSON") from None
    except RecursionError:
        raise InvalidRequest(f"the JSON is nested deeper than {MAX_DEPTH} levels") from None
    if _depth(raw, max_depth) > max_depth:
        raise InvalidRequest(f"the JSON is nested deeper than {max_depth} levels")
    return data


#: A run of digits longer than an integer may be, found by two C passes over the bytes (each
#: digit made "1", anything else a space, then a substring search): a regular expression
#: for the run took an eighth of a 120-report request.
_DIGITS_AS_ONES = bytes(ord("1") if chr(b).isdigit() and b < 128 else ord(" ") for b in range(256))
_LONG_RUN = b"1" * (MAX_INT_DIGITS + 1)


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise InvalidRequest(f"a number in the JSON has more than {MAX_INT_DIGITS} digits")
    return int(text)


def _no_constant(name: str):
    raise InvalidRequest(f"{name} is not a number central accepts")


_ESCAPE = re.compile(rb"\\.", re.DOTALL)
_NOT_A_BRACKET_OR_QUOTE = bytes(b for b in range(256) if b not in b'[]{}"')
_JSON_STRING = re.compile(rb'"[^"]*"')
_INNERMOST = re.compile(rb"\[\]|\{\}")


def _depth(raw: bytes, max_depth: int = MAX_DEPTH) -> int:
    """How deep lists and objects nest in valid JSON, up to max_depth + 1, from its brackets
    alone: escapes dropped, then everything but brackets and quotes, then strings (two
    adjacent quotes first: cheap, and what they join holds no structure), then the innermost
    pairs once per level. C-speed byte operations: a 7 MB request costs milliseconds, where
    walking every parsed value cost seconds."""
    skeleton = _ESCAPE.sub(b"", raw).translate(None, _NOT_A_BRACKET_OR_QUOTE)
    brackets = _JSON_STRING.sub(b"", skeleton.replace(b'""', b""))
    level = 0
    while brackets and level <= max_depth:
        brackets, level = _INNERMOST.sub(b"", brackets), level + 1
    return level


def receive(session: Session, telecenter: Telecenter, body: dict) -> list[Ack]:
    """The one way month reports enter central, whether they came over the network
    (`POST /api/v1/sync/reports`) or on a USB stick (telecenter.central.usb): the whole
    request checked, then stored in one write, newest wins. A refusal is a DomainError
    raised before anything is written."""
    items = check_request(body, telecenter)
    with writing(session):
        acks = store(session, telecenter, items)
    log.info("sync from %s: %s", telecenter.code, ", ".join(f"{a.month}={a.status}" for a in acks))
    return acks


def check_request(body: dict, telecenter: Telecenter) -> list[dict]:
    """The reports of a request after checking every one of them (or a DomainError)."""
    if not month_report.is_schema(body.get("schema")):
        raise InvalidRequest(
            f"unsupported schema {month_report.shown(body.get('schema'))}; "
            f"expected one of {', '.join(map(str, month_report.SCHEMAS))}"
        )
    items = body.get("reports")
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_REPORTS_PER_REQUEST:
        raise InvalidRequest(f"reports must be a list of 1 to {MAX_REPORTS_PER_REQUEST} reports")
    named = [body.get("telecenter")] + [r.get("telecenter") for r in items if isinstance(r, dict)]
    if any(code is not None and not isinstance(code, str) for code in named):
        raise InvalidRequest("telecenter must be a code like SM-TARAPOTO-01")
    if set(named) != {telecenter.code}:
        raise WrongTelecenter(f"this token may only send reports of {telecenter.code}")
    problems = [problem for report in items for problem in month_report.validate(report)]
    if problems:
        raise InvalidRequest("; ".join(problems[:20]))
    months = [r["month"] for r in items]
    if len(set(months)) != len(months):
        raise InvalidRequest("a month appears twice in the same request")
    _refuse_future(items, utcnow())
    return items


class ClockAhead(InvalidRequest):
    """A report dated after central's clock (plus a day): the site's clock is wrong. Stored,
    it would win over every correct report of that month until the date is reached."""

    code = "clock_ahead"

    def __init__(self, now: datetime):
        super().__init__(
            "generated_at is more than one day after central's clock "
            f"({now.isoformat()}): the site's clock is wrong"
        )
        self.extra = {"central_time": now.isoformat().replace("+00:00", "Z")}


def _refuse_future(items: list[dict], now: datetime) -> None:
    for report in items:
        moment = month_report.parse_generated_at(report["generated_at"])
        if moment is not None and moment > now + MAX_AHEAD:
            raise ClockAhead(now)


@dataclass(frozen=True)
class Ack:
    month: str
    generated_at: str
    status: str  # "stored", "duplicate" or "stale"

    def as_json(self) -> dict:
        return {"month": self.month, "generated_at": self.generated_at, "status": self.status}


def store(session: Session, telecenter: Telecenter, items: list[dict]) -> list[Ack]:
    """Store every report in the caller's transaction, newest wins. Locks the telecenter row
    so that two requests of one site cannot interleave."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            sa.select(Telecenter.id).where(Telecenter.id == telecenter.id).with_for_update()
        )
    existing = {
        r.month: r
        for r in session.scalars(
            sa.select(MonthReport).where(
                MonthReport.telecenter_id == telecenter.id,
                MonthReport.month.in_([item["month"] for item in items]),
            )
        )
    }
    acks, newer, replaced = [], [], []
    for report in sorted(items, key=lambda r: r["month"]):
        generated_at = month_report.parse_generated_at(report["generated_at"])
        if generated_at is None:  # check_request() has turned such a report away
            raise ValueError
        current = existing.get(report["month"])
        if current is not None and current.generated_at >= generated_at:
            status = "duplicate" if current.generated_at == generated_at else "stale"
            acks.append(Ack(report["month"], report["generated_at"], status))
            continue
        if current is None:  # the month's first receipt, kept for timeliness (quality.py)
            current = MonthReport(
                telecenter_id=telecenter.id, month=report["month"], first_received_at=utcnow()
            )
            session.add(current)
        else:
            replaced.append(current.id)
        current.generated_at, current.received_at = generated_at, utcnow()
        current.digest = month_report.digest(report)
        current.schema, current.rules_version = report["schema"], report.get("rules_version")
        newer.append((current, report))
        acks.append(Ack(report["month"], report["generated_at"], "stored"))
    session.flush()
    _replace_facts(session, telecenter, newer, replaced)
    mark_dirty(session, telecenter.region, [report["month"] for _r, report in newer])
    telecenter.last_heard_at = utcnow()
    session.flush()
    return acks


def _replace_facts(session: Session, telecenter: Telecenter, newer, replaced: list[int]) -> None:
    """Per fact table, one DELETE (only when a stored month is replaced) and one bulk insert
    for the whole request, then one for the telecenter's totals of those rows, in the same
    transaction. Rows are found by (month, telecenter), the one index facts and totals have:
    a telecenter has one report per month."""
    months = [report["month"] for _month_report, report in newer]

    def these_months(rows: sa.Table):
        return sa.and_(rows.c.month.in_(months), rows.c.telecenter_id == telecenter.id)

    measures_of = {name: list(stored_layout(name)[1]) for name in FACT_TABLES}

    for name, table in FACT_TABLES.items():
        totals = TOTAL_TABLES[name]
        if replaced:
            session.execute(table.delete().where(these_months(table)))
            session.execute(totals.delete().where(these_months(totals)))
        columns: dict[str, list] = {
            field: [] for field in ("report_id", "telecenter_id", "month", *stored_fields(name))
        }
        summed: dict[str, list] = {field: [] for field in (*_total_keys(name), *measures_of[name])}
        for stored, report in newer:
            sent = stored_columns(report, name)
            count = len(next(iter(sent.values())))
            known = {
                "report_id": stored.id,
                "telecenter_id": telecenter.id,
                "month": report["month"],
            }
            for field, value in known.items():
                columns[field] += [value] * count
            for field, values in sent.items():
                columns[field] += values
            if count:
                _add_totals(summed, known, sent, name)
        if not columns["report_id"]:
            continue
        _bulk_insert(session, table, columns)
        _bulk_insert(session, totals, summed)
    _replace_network_events(session, newer, these_months if replaced else None)


def _replace_network_events(session: Session, newer, these_months) -> None:
    """The reports' `network_events` sections (issue 21), replaced with the rest of their
    month (`these_months`: the rows to delete first, None when no stored month is replaced).
    Every event is stored under the number of its id, whether or not central knows it or
    meant it for this telecenter: refusing would hold back the whole month, so the pages
    show such figures apart instead (telecenter.central.network_event_figures)."""
    if these_months is not None:
        for table in (FACT_NETWORK_EVENTS, FACT_NETWORK_ATTENDANCE):
            session.execute(table.delete().where(these_months(table)))
    events: dict[str, list] = {c.name: [] for c in FACT_NETWORK_EVENTS.columns}
    people: dict[str, list] = {c.name: [] for c in FACT_NETWORK_ATTENDANCE.columns}
    for stored, report in newer:
        key = {"report_id": stored.id, "telecenter_id": stored.telecenter_id}
        key |= {"month": report["month"]}
        for sent in report.get("network_events", ()):
            at = key | {"event_id": int(sent["event"].removeprefix(PUBLIC_ID_PREFIX))}
            _append(events, at | {m: sent[m] for m in ("sessions_held", "unregistered_viewers")})
            for row in sent["attendance"]:
                _append(people, at | row)
    for table, columns in ((FACT_NETWORK_EVENTS, events), (FACT_NETWORK_ATTENDANCE, people)):
        if columns["report_id"]:
            _bulk_insert(session, table, columns)


def _append(columns: dict[str, list], row: dict) -> None:
    for name, values in columns.items():
        values.append(row[name])


def _add_totals(summed: dict[str, list], known: dict, sent: dict[str, list], name: str) -> None:
    """Append one report's totals (reach: one per scope) to the request's, summed here from
    its columns already in memory (C-speed sums of whole columns): several times cheaper than
    reading back the rows just written."""
    measures = stored_layout(name)[1]
    if name != "reach":
        rows = [(known["telecenter_id"], known["month"], *(sum(sent[m]) for m in measures))]
    else:
        scopes: dict[str, list] = {}
        for scope, *values in zip(sent["scope"], *(sent[m] for m in measures), strict=True):
            cell = scopes.get(scope)
            if cell is None:
                scopes[scope] = values
            else:
                for index, value in enumerate(values):
                    cell[index] += value
        rows = [
            (known["telecenter_id"], known["month"], scope, *values)
            for scope, values in scopes.items()
        ]
    for row in rows:
        for field, value in zip(summed, row, strict=True):
            summed[field].append(value)


def stored_columns(report: dict, name: str) -> dict[str, list]:
    """A table's columns as central stores them (models.stored_layout): a schema-1 report's
    reach is period "ever", its crop and purpose unknown (NULL), and it has no programme
    outcomes."""
    fields = month_report.fields_of(2, name)
    sent: dict[str, list]
    if name not in month_report.tables_of(report):
        sent = {field: [] for field in fields}
    else:
        sent = month_report.columns_of(report, name)
        if report["schema"] == 1:
            count = len(next(iter(sent.values()), []))
            filled = {"period": "ever"}
            sent = {field: sent.get(field) or [filled.get(field)] * count for field in fields}
    return _periods_in_columns(sent) if name == "reach" else {f: sent[f] for f in fields}


def _periods_in_columns(reach: dict[str, list]) -> dict[str, list]:
    """Reach rows (one per period and cell) as one row per cell, a column per period."""
    dims, _measures = stored_layout("reach")
    slot = {period: index for index, period in enumerate(REACH_COLUMNS)}
    cells: dict[tuple, list[int]] = {}
    for cell, period, count in zip(
        zip(*(reach[d] for d in dims), strict=True),
        reach["period"],
        reach["new_people"],
        strict=True,
    ):
        counts = cells.get(cell)
        if counts is None:
            counts = cells[cell] = [0] * len(slot)
        counts[slot[period]] = count
    fields = (*dims, *REACH_COLUMNS.values())
    rows = zip(*((*cell, *counts) for cell, counts in cells.items()), strict=True)
    return {key: [] for key in fields} | dict(zip(fields, map(list, rows), strict=False))


def stored_rows(report: dict, name: str) -> list[dict]:
    """stored_columns() row by row."""
    return month_report.rows_of({name: stored_columns(report, name)}, name)


def _total_keys(name: str) -> list[str]:
    return ["telecenter_id", "month", *(TOTAL_KEYS if name == "reach" else ())]


def mark_dirty(session: Session, region: str, months: list[str]) -> None:
    """Note that the region's rollups of these months are out of date (see ROLLUP_DIRTY)."""
    if months:
        session.execute(ROLLUP_DIRTY.insert(), [{"region": region, "month": m} for m in months])


def refresh_dirty(session: Session) -> None:
    """Bring every out-of-date rollup up to date, then commit: what readers call before they
    read rollups. One refresher at a time on PostgreSQL (an advisory lock), so that two never
    rebuild one (region, month) side by side; a mark that an ingest commits meanwhile stays
    for the next call. Cheap when nothing is marked (one small query)."""
    if session.execute(sa.select(ROLLUP_DIRTY.c.id).limit(1)).first() is None:
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.select(sa.func.pg_advisory_xact_lock(ROLLUP_REFRESH_LOCK)))
    # One statement takes the marks it sees; a mark committed meanwhile stays for the next call.
    marked = session.execute(
        ROLLUP_DIRTY.delete().returning(ROLLUP_DIRTY.c.region, ROLLUP_DIRTY.c.month)
    ).all()
    by_region: dict[str, set[str]] = {}
    for region, month in marked:
        by_region.setdefault(region, set()).add(month)
    for region, months in sorted(by_region.items()):
        refresh_rollups(session, region, sorted(months))
    session.commit()


def refresh_rollups(session: Session, region: str, months: list[str]) -> None:
    """Recompute the region's monthly sums for the months that just changed."""
    if not months:
        return
    for name, facts in FACT_TABLES.items():
        rollup = ROLLUP_TABLES[name]
        dims, measures = stored_layout(name)
        session.execute(
            rollup.delete().where(rollup.c.region == region, rollup.c.month.in_(months))
        )
        summed = (
            sa.select(
                sa.literal(region),
                facts.c.month,
                *(facts.c[d] for d in dims),
                *(sa.func.sum(facts.c[m]) for m in measures),
            )
            .select_from(facts.join(Telecenter, Telecenter.id == facts.c.telecenter_id))
            .where(Telecenter.region == region, facts.c.month.in_(months))
            .group_by(facts.c.month, *(facts.c[d] for d in dims))
        )
        session.execute(rollup.insert().from_select(["region", "month", *dims, *measures], summed))


def rebuild_rollups(session: Session) -> None:
    """All rollups from the facts (after loading facts by other means, as the bench does)."""
    for table in (*ROLLUP_TABLES.values(), *TOTAL_TABLES.values(), ROLLUP_DIRTY):
        session.execute(table.delete())
    for name, facts in FACT_TABLES.items():
        _dims, measures = stored_layout(name)
        keys = [facts.c[key] for key in _total_keys(name)]
        session.execute(
            TOTAL_TABLES[name]
            .insert()
            .from_select(
                [k.name for k in keys] + list(measures),
                sa.select(*keys, *(sa.func.sum(facts.c[m]) for m in measures)).group_by(*keys),
            )
        )
    pairs = session.execute(
        sa.select(Telecenter.region, MonthReport.month)
        .join(Telecenter, Telecenter.id == MonthReport.telecenter_id)
        .distinct()
    ).all()
    by_region: dict[str, list[str]] = {}
    for region, month in pairs:
        by_region.setdefault(region, []).append(month)
    for region, months in by_region.items():
        refresh_rollups(session, region, months)


def _bulk_insert(session: Session, table: sa.Table, columns: dict[str, list]) -> None:
    """COPY on PostgreSQL (hundreds of rows per report, thousands of reports); plain
    executemany elsewhere."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        rows = [dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)]
        connection.execute(table.insert(), rows)
        return
    # psycopg's connection; SQLAlchemy types it optional (None once invalidated).
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        copy.write(_copy_text(columns.values()))


def _copy_text(columns) -> str:
    """COPY's text format, built a column at a time (C loops, not a Python call per value).
    No value needs escaping: dimensions are words of the checked vocabulary, measures numbers,
    wfi a boolean ("True" and "False" are PostgreSQL booleans); None, only in the dimensions
    a schema-1 report lacks, is COPY's NULL."""
    cells = [
        ["\\N" if value is None else str(value) for value in column]
        if None in column
        else list(map(str, column))
        for column in columns
    ]
    return "\n".join(map("\t".join, zip(*cells, strict=True))) + "\n"
