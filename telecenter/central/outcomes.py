"""The programme's outcomes across telecenters: how many women enrolled, surveyed, and with
each indicator at baseline and at their latest survey.

These are stocks at the end of a month, not additive across months: a range is answered
from its last month, summed over telecenters. A telecenter whose report for that month is
schema 1 has no outcomes (null with a note); one without a report counts 0 (noted too).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from telecenter import month_report, vocabulary
from telecenter.central import aggregates
from telecenter.central.models import FACT_TABLES, MonthReport, Telecenter

GROUPS = ("region", "telecenter", "age_band")
FILTERS = ("region", "telecenter")
COUNTS = tuple(month_report.WFI_OUTCOME_MEASURES)
SHARES = tuple(
    f"{indicator}_{when}_share"
    for indicator in vocabulary.WFI_OUTCOME_INDICATORS
    for when in ("baseline", "latest")
)


@dataclass
class OutcomeQuery:
    first: str
    last: str
    filters: dict = field(default_factory=dict)
    group_by: list[str] = field(default_factory=list)


def parse(args, session: Session) -> OutcomeQuery:
    """A query from request arguments, checked as the participation API checks them."""
    first, last = aggregates.parse_range(args)
    group_by = aggregates.parse_group_by(args, GROUPS)
    filters = aggregates.parse_filters(args, session, FILTERS)
    return OutcomeQuery(first, last, filters, group_by)


def _share(count: int | None, base: int | None) -> float | None:
    if count is None or not base:
        return None
    return round(count / base, 3)


def _figures(counts: dict | None) -> dict:
    """Counts and the share of each indicator among the women with a baseline."""
    if counts is None:
        return {name: None for name in (*COUNTS, *SHARES)}
    figures: dict[str, int | float | None] = {name: int(counts.get(name) or 0) for name in COUNTS}
    for name in SHARES:
        count, base = figures[name.removesuffix("_share")], figures["with_baseline"]
        figures[name] = _share(int(count or 0), int(base or 0))
    return figures


def _telecenters(session: Session, query: OutcomeQuery) -> list[tuple[int, str, str, int | None]]:
    """(id, code, region, schema of its report for the stock month or None) per telecenter."""
    statement = sa.select(
        Telecenter.id, Telecenter.code, Telecenter.region, MonthReport.schema
    ).outerjoin(
        MonthReport,
        sa.and_(MonthReport.telecenter_id == Telecenter.id, MonthReport.month == query.last),
    )
    if "region" in query.filters:
        statement = statement.where(Telecenter.region == query.filters["region"])
    if "telecenter" in query.filters:
        statement = statement.where(Telecenter.code == query.filters["telecenter"])
    return [(tid, code, region, schema) for tid, code, region, schema in session.execute(statement)]


def _keys(query: OutcomeQuery, code: str, region: str) -> list[tuple]:
    """The group keys a telecenter's figures fall in (every age band when split by it)."""
    parts = {"region": [region], "telecenter": [code], "age_band": list(vocabulary.AGE_BANDS)}
    return list(itertools.product(*(parts[g] for g in query.group_by)))


def compute(session: Session, query: OutcomeQuery) -> dict:
    """The API's answer: rows per group, totals, and notes on nulls and missing reports."""
    facts = FACT_TABLES["wfi_outcomes"]
    telecenters = _telecenters(session, query)
    by_id = {tid: (code, region) for tid, code, region, _schema in telecenters}
    schema_1 = {code: region for _tid, code, region, schema in telecenters if schema == 1}
    missing = sorted(code for _tid, code, _region, schema in telecenters if schema is None)
    statement = (
        sa.select(facts.c.telecenter_id, facts.c.age_band, *(facts.c[name] for name in COUNTS))
        .where(facts.c.month == query.last)
        .where(facts.c.telecenter_id.in_(list(by_id)))
    )
    sums: dict[tuple, dict] = {}
    for fact in session.execute(statement).mappings():
        code, region = by_id[fact["telecenter_id"]]
        named = {"region": region, "telecenter": code, "age_band": fact["age_band"]}
        cell = sums.setdefault(tuple(named[g] for g in query.group_by), {})
        for name in COUNTS:
            cell[name] = cell.get(name, 0) + fact[name]
    keys = set(sums)
    for code, region in schema_1.items():
        keys |= set(_keys(query, code, region))
    if not query.group_by:
        keys = {()}
    rows = []
    for key in sorted(keys, key=lambda k: tuple(str(part) for part in k)):
        row = dict(zip(query.group_by, key, strict=True))
        withheld = bool(schema_1) and aggregates.row_withheld(query.group_by, row, schema_1)
        rows.append(row | _figures(None if withheld else sums.get(key, {})))
    total: dict[str, int] = {}
    for cell in sums.values():
        for name in COUNTS:
            total[name] = total.get(name, 0) + cell[name]
    notes = [
        f"a stock at the end of {query.last}, summed over telecenters: "
        "not a sum over the months of the range"
    ]
    if schema_1:
        notes.append(
            f"null: the report of {query.last} is still schema 1 (no programme outcomes) "
            f"for these telecenters: {', '.join(sorted(schema_1))}"
        )
    if missing:
        notes.append(
            f"sin informe de {query.last} (no report for that month, counted as 0): "
            f"{', '.join(missing)}"
        )
    return {
        "from": query.first,
        "to": query.last,
        "stock_month": query.last,
        "filters": dict(query.filters),
        "group_by": query.group_by,
        "rows": rows,
        "totals": _figures(None if schema_1 else total),
        "notes": notes,
        "schema_1": sorted(schema_1),
        "without_report": missing,
    }
