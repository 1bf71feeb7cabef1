"""Participation counts across telecenters: the one query behind the dashboard, the API and
the exports, so that every screen and file shows the same numbers.

Each measure comes from one fact table and can be split only by that table's dimensions; a
measure that cannot honour a filter or grouping is blank (None), never a wrong number. Reach
measures are exact sums of first-time counts, per telecenter (a person active at two
telecenters counts at both); grouping or filtering by activity or category answers reach from
the scope of that activity or category.
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from telecenter import month_report, vocabulary
from telecenter.central import ingest
from telecenter.central.models import (
    FACT_TABLES,
    ROLLUP_TABLES,
    TOTAL_TABLES,
    MonthReport,
    Telecenter,
)
from telecenter.domain_errors import DomainError

GROUPS = ("region", "telecenter", "month", "sex", "age_band", "category", "activity", "wfi")
FILTERS = ("region", "telecenter", "category", "activity", "sex", "age_band", "wfi")
MEASURES = (
    "attendances",
    "hours",
    "sessions_held",
    "registrations",
    "completions",
    "wfi_enrolments",
    "reached",
    "teleconference_reached",
    "trained",
)
PLACE_AND_TIME = {"region", "telecenter", "month"}
MAX_MONTHS = 240


class QueryError(DomainError):
    """A query the API cannot answer; the message says what to change."""


@dataclass
class Query:
    first: str
    last: str
    filters: dict = field(default_factory=dict)
    group_by: list[str] = field(default_factory=list)

    @property
    def dimensions(self) -> set[str]:
        return (set(self.group_by) | set(self.filters)) - PLACE_AND_TIME


def _month_number(month: str) -> int:
    year, number = map(int, month.split("-"))
    return year * 12 + number - 1


def parse(args, session: Session) -> Query:
    """A query from request arguments (a MultiDict or a dict), or QueryError."""
    first, last = args.get("from", ""), args.get("to", "")
    for name, value in (("from", first), ("to", last)):
        if not month_report.is_supported_month(value):
            raise QueryError(f"'{name}' must be a month between 2000-01 and 2099-12 (YYYY-MM)")
    if first > last:
        raise QueryError("'from' must not be after 'to'")
    if _month_number(last) - _month_number(first) >= MAX_MONTHS:
        raise QueryError(f"ask for at most {MAX_MONTHS} months at a time")
    raw_group = args.get("group_by", "") or ""
    group_by = [g.strip() for g in raw_group.split(",") if g.strip()]
    unknown = [g for g in group_by if g not in GROUPS]
    if unknown or len(set(group_by)) != len(group_by):
        raise QueryError(f"group_by takes distinct fields among {', '.join(GROUPS)}")
    filters = {name: args.get(name) for name in FILTERS if args.get(name) not in (None, "")}
    _check_filters(filters, session)
    return Query(first, last, filters, group_by)


def _check_filters(filters: dict, session: Session) -> None:
    for name, value in list(filters.items()):
        if name == "wfi":
            if value not in ("true", "false", True, False):
                raise QueryError("wfi must be true or false")
            filters[name] = value in ("true", True)
        elif name == "region":
            known = session.scalar(sa.select(sa.func.count()).where(Telecenter.region == value))
            if not known:
                raise QueryError(f"unknown region {month_report.shown(value)}")
        elif name == "telecenter":
            if not session.scalar(sa.select(Telecenter.id).where(Telecenter.code == value)):
                raise QueryError(f"unknown telecenter {month_report.shown(value)}")
        elif value not in vocabulary.DIMENSIONS[name]:
            raise QueryError(
                f"{name} must be one of {', '.join(map(str, vocabulary.DIMENSIONS[name]))}"
            )


@dataclass(frozen=True)
class Source:
    table: str
    column: str
    dims: frozenset
    scope: str | None = None  # reach measures: which scope


SOURCES = {
    "attendances": Source(
        "attendance", "attendances", frozenset({"activity", "category", "sex", "age_band", "wfi"})
    ),
    "hours": Source(
        "attendance", "hours", frozenset({"activity", "category", "sex", "age_band", "wfi"})
    ),
    "sessions_held": Source("sessions", "sessions_held", frozenset({"activity", "category"})),
    "registrations": Source("registrations", "registrations", frozenset({"sex", "age_band"})),
    "completions": Source("completions", "completions", frozenset({"category", "sex", "age_band"})),
    "wfi_enrolments": Source("wfi_enrolments", "enrolments", frozenset({"age_band"})),
    "reached": Source("reach", "new_people", frozenset({"sex", "age_band", "wfi"}), "any"),
    "teleconference_reached": Source(
        "reach", "new_people", frozenset({"sex", "age_band", "wfi"}), "activity:teleconference"
    ),
    "trained": Source("reach", "new_people", frozenset({"sex", "age_band", "wfi"}), "trained"),
}


def _scope_axis(query: Query, source: Source) -> tuple[str | None, set[str]] | None:
    """For reach: (the axis whose scopes to read, or None for the measure's own scope; the
    dimensions that answers), or None when reach facts cannot answer the question."""
    axes = query.dimensions & {"activity", "category"}
    if not axes:
        return None, set()
    if source.scope == "any" and len(axes) == 1:
        return next(iter(axes)), axes
    already_tele = (
        source.scope == "activity:teleconference"
        and axes == {"activity"}
        and "activity" not in query.group_by
        and query.filters.get("activity") == "teleconference"
    )
    return (None, {"activity"}) if already_tele else None


def _wfi_implicit(query: Query) -> bool | None:
    """Programme enrolments are women in the programme: answer sex=female / wfi=true filters,
    refuse other splits by sex or wfi."""
    if {"sex", "wfi"} & set(query.group_by):
        return None
    only_women = query.filters.get("sex", "female") == "female"
    only_members = query.filters.get("wfi", True) is True
    return only_women and only_members


#: How a Plan answers: read its table, or known without reading.
READ, CANNOT_ANSWER, ZERO = "read", "cannot answer", "zero"


@dataclass(frozen=True)
class Plan:
    """How to answer one measure for a query. READ: sum `column` of `table`, with a fixed reach
    scope or those of an `axis`, leaving out the filters in `skip` that the scope already
    answers. CANNOT_ANSWER: the facts cannot split or filter this measure so (null in the
    answer). ZERO: the answer is zero everywhere (programme enrolments of men)."""

    name: str
    how: str = READ
    table: str = ""
    column: str = ""
    scope: str | None = None
    axis: str | None = None
    skip: frozenset = frozenset()


def _plan(query: Query, name: str) -> Plan:
    source = SOURCES[name]
    answered: set[str]
    axis, answered = None, set()
    if source.scope:
        scoped = _scope_axis(query, source)
        if scoped is None:
            return Plan(name, CANNOT_ANSWER)
        axis, answered = scoped
    needed = query.dimensions - answered
    skip = {key for key in answered if key != axis}
    if name == "wfi_enrolments":
        implicit = _wfi_implicit(query)
        if implicit is None:
            return Plan(name, CANNOT_ANSWER)
        if implicit is False:
            return Plan(name, ZERO)
        needed -= {"sex", "wfi"}
        skip |= {"sex", "wfi"}
    if not needed <= source.dims:
        return Plan(name, CANNOT_ANSWER)
    return Plan(
        name,
        READ,
        source.table,
        source.column,
        None if axis else source.scope,
        axis,
        frozenset(skip),
    )


def _table_for(query: Query, first: Plan) -> tuple[sa.Table, bool]:
    """The narrowest table that answers: a rollup without telecenters, else per telecenter
    the totals (no split left to read) or the facts; and whether it is per telecenter."""
    if "telecenter" not in query.group_by and "telecenter" not in query.filters:
        return ROLLUP_TABLES[first.table], False
    split = query.dimensions - ({first.axis} if first.axis else set()) - first.skip
    return (FACT_TABLES if split else TOTAL_TABLES)[first.table], True


def _where(
    query: Query, plans: list[Plan], table: sa.Table, per_telecenter: bool
) -> tuple[dict, list, list]:
    """(columns by dimension name, the conditions, the scope column when several fixed reach
    scopes share the read)."""
    first = plans[0]
    columns: dict[str, sa.SQLColumnExpression[object]] = (
        {"region": Telecenter.region, "telecenter": Telecenter.code} if per_telecenter else {}
    )
    columns |= {column.name: column for column in table.c}
    conditions = [table.c.month >= query.first, table.c.month <= query.last]
    extra = []
    if first.axis:
        prefix = f"{first.axis}:"
        columns[first.axis] = sa.func.substr(table.c.scope, len(prefix) + 1)
        conditions.append(table.c.scope.like(prefix + "%"))
    elif first.table == "reach":
        conditions.append(table.c.scope.in_([plan.scope for plan in plans]))
        extra = [table.c.scope]
    conditions += [columns[k] == v for k, v in query.filters.items() if k not in first.skip]
    return columns, conditions, extra


def _read(session: Session, query: Query, plans: list[Plan]) -> dict[str, dict]:
    """One query for plans sharing a table (and axis): {measure: {group key: value}}."""
    table, per_telecenter = _table_for(query, plans[0])
    columns, conditions, extra = _where(query, plans, table, per_telecenter)
    keys = [columns[g] for g in query.group_by]
    sums = list(dict.fromkeys(plan.column for plan in plans))
    source = (
        table.join(Telecenter, Telecenter.id == table.c.telecenter_id) if per_telecenter else table
    )
    statement = (
        sa.select(*keys, *extra, *(sa.func.sum(table.c[c]) for c in sums))
        .select_from(source)
        .where(*conditions)
    )
    if keys or extra:
        statement = statement.group_by(*keys, *extra)
    return _by_measure(
        session.execute(statement), plans, width=len(keys), sums=sums, scoped=bool(extra)
    )


def _by_measure(rows, plans: list[Plan], *, width: int, sums: list[str], scoped: bool) -> dict:
    """Rows (group key, [scope], sums...) into {measure: {group key: value}}."""
    result: dict[str, dict] = {plan.name: {} for plan in plans}
    for row in rows:
        key, values = tuple(row[:width]), dict(zip(sums, row[width + int(scoped) :], strict=True))
        for plan in plans:
            if scoped and row[width] != plan.scope:
                continue
            result[plan.name][key] = values[plan.column]
    return result


def measure_values(session: Session, query: Query) -> dict[str, dict | None]:
    """{measure: {group key: value}} with one database query per fact table (and axis)."""
    ingest.refresh_dirty(session)  # rollups marked out of date by ingest
    values: dict[str, dict | None] = {}
    groups: dict[tuple, list[Plan]] = {}
    for name in MEASURES:
        plan = _plan(query, name)
        if plan.how == READ:
            groups.setdefault((plan.table, plan.axis, plan.skip), []).append(plan)
        else:
            values[name] = None if plan.how == CANNOT_ANSWER else {}
    for plans in groups.values():
        values.update(_read(session, query, plans))
    return values


def _number(name: str, value):
    if value is None:
        return None
    return round(float(value), 2) if name == "hours" else int(value)


class AnswerCache:
    """Answers kept until the data changes: central's numbers change only when a report
    arrives, so the same question between two reports is answered from memory."""

    def __init__(self, size: int = 256):
        self.size = size
        self.version: tuple[object, ...] | None = None
        self.answers: OrderedDict = OrderedDict()

    def get(self, session: Session, query: Query) -> dict:
        version = (
            str(session.get_bind().engine.url),
            *session.execute(
                sa.select(sa.func.count(MonthReport.id), sa.func.max(MonthReport.received_at))
            ).one(),
        )
        if version != self.version:
            self.version, self.answers = version, OrderedDict()
        key = (query.first, query.last, tuple(sorted(query.filters.items())), tuple(query.group_by))
        if key in self.answers:
            self.answers.move_to_end(key)
            return copy.deepcopy(self.answers[key])
        answer = compute(session, query)
        self.answers[key] = copy.deepcopy(answer)
        if len(self.answers) > self.size:
            self.answers.popitem(last=False)
        return answer


_cache = AnswerCache()


def run(session: Session, query: Query) -> dict:
    """The answer to a query, from memory when no report arrived since it was computed."""
    return _cache.get(session, query)


def compute(session: Session, query: Query) -> dict:
    """The API's answer: rows per group, and totals over them."""
    by_measure = measure_values(session, query)
    keys = sorted(
        {key for values in by_measure.values() if values for key in values},
        key=lambda k: tuple(str(part) for part in k),
    )
    if not query.group_by:
        keys = [()]
    rows = []
    for key in keys:
        row = dict(zip(query.group_by, key, strict=True))
        for name, values in by_measure.items():
            row[name] = None if values is None else _number(name, values.get(key, 0) or 0)
        rows.append(row)
    # Totals from the unrounded sums: the same question has the same total however grouped.
    totals = {
        name: None
        if (measured := by_measure[name]) is None
        else _number(name, sum(v or 0 for v in measured.values()))
        for name in MEASURES
    }
    filters = {k: v for k, v in query.filters.items()}
    return {
        "from": query.first,
        "to": query.last,
        "filters": filters,
        "group_by": query.group_by,
        "rows": rows,
        "totals": totals,
    }
