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

from telecenter import month_report, periods, vocabulary
from telecenter.central import ingest, pending, rules
from telecenter.central.models import (
    FACT_TABLES,
    REACH_COLUMNS,
    ROLLUP_TABLES,
    TOTAL_TABLES,
    CountingRulesVersion,
    MonthReport,
    Telecenter,
)
from telecenter.domain_errors import DomainError

#: Reporting periods a month folds into (labels from telecenter.periods).
PERIOD_GROUPS = ("fiscal_year", "year", "quarter")
GROUPS = (
    "region",
    "telecenter",
    *PERIOD_GROUPS,
    "month",
    "sex",
    "age_band",
    "category",
    "activity",
    "wfi",
    "purpose",
    "commodity",
)
FILTERS = (
    "region",
    "telecenter",
    "category",
    "activity",
    "sex",
    "age_band",
    "wfi",
    "purpose",
    "commodity",
)
#: unique=: the period reach counts people once in (ever: once, to date).
UNIQUE = ("ever", "fiscal_year", "year", "quarter", "month")
REACH_MEASURES = ("reached", "teleconference_reached", "trained")
#: Figures that follow the counting rules in force (what makes a person "trained").
RULED_MEASURES = ("trained",)
SCHEMA_2_DIMENSIONS = {"purpose", "commodity"}
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
PLACE_AND_TIME = {"region", "telecenter", "month", *PERIOD_GROUPS}
MAX_MONTHS = 240


class QueryError(DomainError):
    """A query the API cannot answer; the message says what to change."""


@dataclass
class Query:
    first: str
    last: str
    filters: dict = field(default_factory=dict)
    group_by: list[str] = field(default_factory=list)
    unique: str = "ever"
    fiscal_year_start: int = periods.DEFAULT_FISCAL_YEAR_START

    @property
    def measures(self) -> tuple[str, ...]:
        """The measures answered: with unique other than ever, reach New and Continuing too."""
        if self.unique == "ever":
            return MEASURES
        derived = [f"{m}_{part}" for m in REACH_MEASURES for part in ("new", "continuing")]
        return (*MEASURES, *derived)

    @property
    def dimensions(self) -> set[str]:
        return (set(self.group_by) | set(self.filters)) - PLACE_AND_TIME


def _month_number(month: str) -> int:
    year, number = map(int, month.split("-"))
    return year * 12 + number - 1


def parse_range(args) -> tuple[str, str]:
    """The checked `from` and `to` months of request arguments, or QueryError."""
    first, last = args.get("from", ""), args.get("to", "")
    for name, value in (("from", first), ("to", last)):
        if not month_report.is_supported_month(value):
            raise QueryError(f"'{name}' must be a month between 2000-01 and 2099-12 (YYYY-MM)")
    if first > last:
        raise QueryError("'from' must not be after 'to'")
    if _month_number(last) - _month_number(first) >= MAX_MONTHS:
        raise QueryError(f"ask for at most {MAX_MONTHS} months at a time")
    return first, last


def parse_group_by(args, allowed: tuple[str, ...]) -> list[str]:
    """The distinct `group_by` fields, each among `allowed`, or QueryError."""
    raw_group = args.get("group_by", "") or ""
    group_by = [g.strip() for g in raw_group.split(",") if g.strip()]
    unknown = [g for g in group_by if g not in allowed]
    if unknown or len(set(group_by)) != len(group_by):
        raise QueryError(f"group_by takes distinct fields among {', '.join(allowed)}")
    return group_by


def parse_filters(args, session: Session, allowed: tuple[str, ...]) -> dict:
    """The filters among `allowed` that the request sets, checked, or QueryError."""
    filters = {name: args.get(name) for name in allowed if args.get(name) not in (None, "")}
    _check_filters(filters, session)
    return filters


def parse(args, session: Session) -> Query:
    """A query from request arguments (a MultiDict or a dict), or QueryError."""
    first, last = parse_range(args)
    group_by = parse_group_by(args, GROUPS)
    filters = parse_filters(args, session, FILTERS)
    unique = args.get("unique") or "ever"
    start = periods.DEFAULT_FISCAL_YEAR_START
    if unique == "fiscal_year" or "fiscal_year" in group_by:
        start = rules.current_rules(session).fiscal_year_start
    _check_unique(unique, first, last, group_by, start)
    return Query(first, last, filters, group_by, unique, start)


def _finer_or_equal(group: str, unique: str, start: int) -> bool:
    """Whether each period of `group` lies inside one period of `unique`."""
    if group == unique or group == "month":
        return True
    if unique == "year":
        return group == "quarter"
    if unique == "fiscal_year":
        return (group == "quarter" and (start - 1) % 3 == 0) or (group == "year" and start == 1)
    return False


def _check_unique(unique: str, first: str, last: str, group_by: list[str], start: int) -> None:
    """People are counted once per period and never added across periods: the range must
    cover whole periods, and a range of several periods is answered per period."""
    if unique not in UNIQUE:
        raise QueryError(f"unique must be one of {', '.join(UNIQUE)}")
    if unique == "ever":
        return
    if not periods.covers_whole_periods(unique, first, last, start):
        raise QueryError(
            f"unique={unique} needs a range of whole periods: 'from' must be the first month "
            f"of a {unique} ({periods.first_month(unique, first, start)}) and 'to' its last "
            f"month ({periods.last_month(unique, last, start)})"
        )
    several = periods.period_of(unique, first, start) != periods.period_of(unique, last, start)
    if several and not any(_finer_or_equal(g, unique, start) for g in group_by):
        raise QueryError(
            f"the range spans several periods of {unique}: add group_by={unique} "
            "(people are not added across periods)"
        )


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


_ATTENDANCE_DIMS = frozenset(
    {"activity", "category", "sex", "age_band", "wfi", "purpose", "commodity"}
)
_REACH_DIMS = frozenset({"sex", "age_band", "wfi"})
SOURCES = {
    "attendances": Source("attendance", "attendances", _ATTENDANCE_DIMS),
    "hours": Source("attendance", "hours", _ATTENDANCE_DIMS),
    "sessions_held": Source(
        "sessions", "sessions_held", frozenset({"activity", "category", "purpose", "commodity"})
    ),
    "registrations": Source("registrations", "registrations", frozenset({"sex", "age_band"})),
    "completions": Source("completions", "completions", frozenset({"category", "sex", "age_band"})),
    "wfi_enrolments": Source("wfi_enrolments", "enrolments", frozenset({"age_band"})),
    # Reach's column is the period's (models.REACH_COLUMNS), chosen by _plan().
    "reached": Source("reach", "", _REACH_DIMS, "any"),
    "teleconference_reached": Source("reach", "", _REACH_DIMS, "activity:teleconference"),
    "trained": Source("reach", "", _REACH_DIMS, "trained"),
}
#: Reach read by an axis: (measure's scope, axis) -> the prefix of the axis' scopes.
AXIS_PREFIXES = {
    ("any", "activity"): "activity:",
    ("any", "category"): "category:",
    ("any", "commodity"): "commodity:",
    ("trained", "category"): "trained:",
}


def base_measure(name: str) -> str:
    """reached_new and reached_continuing are parts of reached."""
    for suffix in ("_new", "_continuing"):
        if name.endswith(suffix) and name[: -len(suffix)] in REACH_MEASURES:
            return name[: -len(suffix)]
    return name


def _scope_axis(query: Query, source: Source) -> tuple[str | None, set[str]] | None:
    """For reach: (the axis whose scopes to read, or None for the measure's own scope; the
    dimensions that answers), or None when reach facts cannot answer the question."""
    axes = query.dimensions & {"activity", "category", "commodity"}
    if query.filters.get("commodity") == vocabulary.NO_COMMODITY:
        return None  # no reach scope counts the people of sessions without a crop
    if not axes:
        return None, set()
    if len(axes) == 1 and (source.scope, next(iter(axes))) in AXIS_PREFIXES:
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
    """How to answer one measure for a query. READ: sum `column` of `table` (for reach, the
    column of its period), with a fixed reach scope or those of an `axis` (scopes starting
    with `prefix`), leaving out the
    filters in `skip` that the scope already answers. CANNOT_ANSWER: the facts cannot split
    or filter this measure so (null in the answer). ZERO: the answer is zero everywhere
    (programme enrolments of men)."""

    name: str
    how: str = READ
    table: str = ""
    column: str = ""
    scope: str | None = None
    axis: str | None = None
    skip: frozenset = frozenset()
    prefix: str = ""


def _plan(query: Query, name: str) -> Plan:
    source = SOURCES[base_measure(name)]
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
    period = "ever" if name.endswith("_new") else query.unique
    return Plan(
        name,
        READ,
        source.table,
        REACH_COLUMNS[period] if source.scope else source.column,
        None if axis else source.scope,
        axis,
        frozenset(skip),
        AXIS_PREFIXES.get((source.scope or "", axis), "") if axis else "",
    )


def _sql_groups(query: Query) -> list[str]:
    """What the database groups by: periods are read per month and folded afterwards."""
    return list(dict.fromkeys("month" if g in PERIOD_GROUPS else g for g in query.group_by))


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
        columns[first.axis] = sa.func.substr(table.c.scope, len(first.prefix) + 1)
        conditions.append(table.c.scope.like(first.prefix + "%"))
    elif first.table == "reach":
        conditions.append(table.c.scope.in_([plan.scope for plan in plans]))
        extra = [table.c.scope]
    conditions += [columns[k] == v for k, v in query.filters.items() if k not in first.skip]
    return columns, conditions, extra


def _read(session: Session, query: Query, plans: list[Plan]) -> dict[str, dict]:
    """One query for plans sharing a table (and axis): {measure: {group key: value}}."""
    table, per_telecenter = _table_for(query, plans[0])
    columns, conditions, extra = _where(query, plans, table, per_telecenter)
    groups = _sql_groups(query)
    keys = [columns[g] for g in groups]
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
    read = _by_measure(
        session.execute(statement), plans, width=len(keys), sums=sums, scoped=bool(extra)
    )
    return {name: _fold(query, groups, values) for name, values in read.items()}


def _fold(query: Query, groups: list[str], values: dict) -> dict:
    """Month keys summed into the asked periods (fiscal year, year, quarter)."""
    if groups == query.group_by:
        return values
    folded: dict[tuple, float] = {}
    for key, value in values.items():
        named = dict(zip(groups, key, strict=True))
        month = named["month"]
        target = tuple(
            periods.period_of(g, month, query.fiscal_year_start) if g in PERIOD_GROUPS else named[g]
            for g in query.group_by
        )
        folded[target] = (folded.get(target) or 0) + (value or 0)
    return folded


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
    for name in query.measures:
        if name.endswith("_continuing"):
            continue
        plan = _plan(query, name)
        if plan.how == READ:
            key = (plan.table, plan.axis, plan.prefix, plan.skip)
            groups.setdefault(key, []).append(plan)
        else:
            values[name] = None if plan.how == CANNOT_ANSWER else {}
    for plans in groups.values():
        values.update(_read(session, query, plans))
    for name in query.measures:
        if name.endswith("_continuing"):
            unique, new = values[base_measure(name)], values[base_measure(name) + "_new"]
            values[name] = (
                None
                if unique is None or new is None
                else {k: (unique.get(k) or 0) - (new.get(k) or 0) for k in {*unique, *new}}
            )
    return values


def _number(name: str, value):
    if value is None:
        return None
    return round(float(value), 2) if name == "hours" else int(value)


class AnswerCache:
    """Answers kept until the data changes: central's numbers change only when a report
    arrives or new counting rules are published (older months then wait for their recount),
    so the same question in between is answered from memory."""

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
            session.scalar(sa.select(sa.func.max(CountingRulesVersion.id))),
        )
        if version != self.version:
            self.version, self.answers = version, OrderedDict()
        key = (
            query.first,
            query.last,
            tuple(sorted(query.filters.items())),
            tuple(query.group_by),
            query.unique,
            query.fiscal_year_start,
        )
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


def needs_schema_2(query: Query, name: str) -> bool:
    """Whether a figure reads what only schema 2 reports: crop or purpose, reach per period,
    training by subject."""
    base = base_measure(name)
    if query.dimensions & SCHEMA_2_DIMENSIONS:
        return True
    if base in REACH_MEASURES and query.unique != "ever":
        return True
    return base == "trained" and "category" in query.dimensions


def follows_rules(query: Query, name: str) -> bool:
    """Whether a figure depends on the counting rules (trained, fiscal-year reach)."""
    base = base_measure(name)
    return base in RULED_MEASURES or (base in REACH_MEASURES and query.unique == "fiscal_year")


def _withheld(query: Query, name: str, waiting: pending.Pending) -> dict[str, str]:
    """The telecenters (code: region) this figure must not be summed over yet."""
    held: dict[str, str] = {}
    if needs_schema_2(query, name):
        held |= waiting.schema_1
    if follows_rules(query, name):
        held |= waiting.outdated_rules
    return held


def row_withheld(group_by: list[str], row: dict, held: dict[str, str]) -> bool:
    """Whether a row sums over a telecenter among `held` (code: region)."""
    if "telecenter" in group_by:
        return row["telecenter"] in held
    if "region" in group_by:
        return row["region"] in held.values()
    return True


def _several_periods(query: Query) -> bool:
    kind = query.unique
    start = query.fiscal_year_start
    return kind != "ever" and periods.period_of(kind, query.first, start) != periods.period_of(
        kind, query.last, start
    )


def compute(session: Session, query: Query) -> dict:
    """The API's answer: rows per group, totals over them, and notes on null figures."""
    by_measure = measure_values(session, query)
    waiting = pending.pending(
        session, query.first, query.last, query.filters, rules.current_rules(session).rules_version
    )
    held = {name: _withheld(query, name, waiting) for name in query.measures}
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
        for name in query.measures:
            if held[name] and row_withheld(query.group_by, row, held[name]):
                row[name] = None
        rows.append(row)
    # Totals from the unrounded sums: the same question has the same total however grouped.
    across = _several_periods(query)
    totals = {
        name: None
        if (measured := by_measure[name]) is None
        or held[name]
        or (across and base_measure(name) in REACH_MEASURES)
        else _number(name, sum(v or 0 for v in measured.values()))
        for name in query.measures
    }
    notes = waiting.notes(
        schema_1_used=any(needs_schema_2(query, n) for n in query.measures if by_measure[n]),
        rules_used=any(follows_rules(query, n) for n in query.measures if by_measure[n]),
    )
    if across:
        notes.append(
            f"reach totals are null: people are counted once per {query.unique} "
            "and not added across periods"
        )
    answer: dict[str, object] = {
        "from": query.first,
        "to": query.last,
        "filters": dict(query.filters),
        "group_by": query.group_by,
        "unique": query.unique,
        "rows": rows,
        "totals": totals,
        "notes": notes,
    }
    if query.unique == "fiscal_year" or set(query.group_by) & {"fiscal_year"}:
        answer["fiscal_year_start"] = query.fiscal_year_start
    return answer
