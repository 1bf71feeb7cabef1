"""What a site's month reports must say, computed in the tests straight from the records.

A second, deliberately plain reading of ../shared/DESIGN.md ("Counting" and "Counting,
schema 2"): one loop per table
over rows read with plain SQL, Lima time as UTC-5 (Peru has kept no summer time since 1994),
ages by hand. It shares no code with telecenter.sync.month_reports, so a wrong figure there cannot
hide behind the same wrong figure here.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

LIMA_OFFSET = timedelta(hours=5)
COUNTED = {"present", "late"}


@dataclass(frozen=True)
class Who:
    sex: str
    birth_date: date | None
    birth_year: int | None
    programme_since: date | None

    def band(self, day: date) -> str:
        if self.birth_date is not None:
            born = self.birth_date
            age = day.year - born.year - (1 if (day.month, day.day) < (born.month, born.day) else 0)
        elif self.birth_year is not None:
            age = day.year - self.birth_year - (1 if (day.month, day.day) < (7, 1) else 0)
        else:
            return "unknown"
        for lower, name in (
            (60, "60+"),
            (45, "45-59"),
            (30, "30-44"),
            (18, "18-29"),
            (15, "15-17"),
        ):
            if age >= lower:
                return name
        return "unknown"

    def in_programme(self, day: date) -> bool:
        return self.programme_since is not None and self.programme_since <= day


def _moment(value: datetime | str) -> datetime:
    """A stored UTC time as a naive UTC datetime (SQLite hands back text)."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=None)


def lima_day(moment: datetime | str) -> date:
    return (_moment(moment) - LIMA_OFFSET).date()


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _as_date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def period_name(kind: str, month: str, fiscal_start: int) -> str:
    year, number = int(month[:4]), int(month[5:])
    if kind == "fiscal_year":
        return f"FY{year + 1 if fiscal_start > 1 and number >= fiscal_start else year}"
    return {
        "ever": "ever",
        "year": str(year),
        "quarter": f"{year}-Q{(number + 2) // 3}",
        "month": month,
    }[kind]


@dataclass(frozen=True)
class Rules:
    """The counting rules as the oracle reads them (schema 1: a course completed)."""

    course_completed: bool = True
    min_sessions: int | None = None
    min_hours: float | None = None
    fiscal_year_start: int = 10


def _trained(rules: Rules, completions: list, trainings: list) -> list[tuple[int, str, datetime]]:
    """(person, category, moment) of each trained event, the plain way: per person, her
    training attendances in time order, counted per course, per series and per category."""
    events = list(completions) if rules.course_completed else []
    by_person: dict[int, list] = defaultdict(list)
    for pid, category, course, series, session_id, starts, hours in trainings:
        by_person[pid].append((_moment(starts), course, series, category, hours, session_id))
    for pid, items in by_person.items():
        items.sort(key=lambda item: (item[0], item[5]))
        if rules.min_sessions is not None:
            for field in (1, 2):  # course, then series
                for group in {item[field] for item in items if item[field] is not None}:
                    mine = [item for item in items if item[field] == group]
                    if len(mine) >= rules.min_sessions:
                        nth = mine[rules.min_sessions - 1]
                        events.append((pid, nth[3], nth[0]))
        if rules.min_hours is not None:
            for category in {item[3] for item in items}:
                total = 0.0
                for item in items:
                    if item[3] != category:
                        continue
                    total += item[4]
                    if total >= rules.min_hours - 1e-9:
                        events.append((pid, category, item[0]))
                        break
    return events


def expected_reports(
    connection: sa.Connection, *, schema: int = 2, rules: Rules | None = None, last: str = ""
) -> dict[str, dict[str, list[dict]]]:
    """{month: {table: rows}} for every month with any fact, rows in no particular order.
    Programme outcomes (schema 2) are stocks for every month up to `last`."""
    rules = rules or Rules()
    if schema == 1:
        rules = Rules(fiscal_year_start=rules.fiscal_year_start)
    people = _people(connection)
    tables: dict[str, dict] = {
        name: defaultdict(lambda: defaultdict(float)) for name in DIMENSIONS_BY_SCHEMA[schema]
    }
    row_people: dict[tuple, set] = defaultdict(set)
    events: dict[tuple[int, str], list[datetime]] = defaultdict(list)
    split = (lambda crop, purpose: (crop or "none", purpose)) if schema == 2 else (lambda c, p: ())

    def crop_scope(crop):
        return [f"commodity:{crop}"] if crop and schema == 2 else []

    for kind, category, crop, purpose, starts, ends, viewers in connection.execute(
        sa.text(
            "SELECT kind, category, commodity, purpose, starts_at, ends_at, unregistered_viewers "
            "FROM activity_sessions WHERE state = 'held'"
        )
    ):
        cell = tables["sessions"][(_month(lima_day(starts)), kind, category, *split(crop, purpose))]
        cell["sessions_held"] += 1
        cell["session_hours"] += _hours(starts, ends)
        cell["unregistered_viewers"] += viewers
    trainings = []
    for (
        pid,
        status,
        kind,
        category,
        crop,
        purpose,
        course,
        series,
        sid,
        starts,
        ends,
    ) in connection.execute(
        sa.text(
            "SELECT a.participant_id, a.status, s.kind, s.category, s.commodity, s.purpose, "
            "s.course_id, s.series_id, s.id, s.starts_at, s.ends_at "
            "FROM attendances a JOIN activity_sessions s ON s.id = a.session_id "
            "WHERE s.state = 'held'"
        )
    ):
        if status not in COUNTED:
            continue
        day, who = lima_day(starts), people[pid]
        key = (
            _month(day),
            kind,
            category,
            *split(crop, purpose),
            who.sex,
            who.band(day),
            who.in_programme(day),
        )
        tables["attendance"][key]["attendances"] += 1
        tables["attendance"][key]["hours"] += _hours(starts, ends)
        row_people[key].add(pid)
        for scope in ["any", f"activity:{kind}", f"category:{category}", *crop_scope(crop)]:
            events[(pid, scope)].append(_moment(starts))
        if purpose == "training":
            trainings.append((pid, category, course, series, sid, starts, _hours(starts, ends)))
    for pid, category, crop, moment in connection.execute(
        sa.text(
            "SELECT e.participant_id, c.category, c.commodity, p.completed_at "
            "FROM lesson_progress p "
            "JOIN enrolments e ON e.id = p.enrolment_id JOIN courses c ON c.id = e.course_id"
        )
    ):
        for scope in ["any", "self_paced", f"category:{category}", *crop_scope(crop)]:
            events[(pid, scope)].append(_moment(moment))
    completions = []
    for pid, category, moment in connection.execute(
        sa.text(
            "SELECT e.participant_id, c.category, e.completed_at FROM enrolments e "
            "JOIN courses c ON c.id = e.course_id WHERE e.completed_at IS NOT NULL"
        )
    ):
        day, who = lima_day(moment), people[pid]
        tables["completions"][(_month(day), category, who.sex, who.band(day))]["completions"] += 1
        completions.append((pid, category, _moment(moment)))
    for pid, category, moment in _trained(rules, completions, trainings):
        events[(pid, "trained")].append(moment)
        if schema == 2:
            events[(pid, f"trained:{category}")].append(moment)
    for pid, registered in connection.execute(
        sa.text("SELECT id, registered_at FROM participants")
    ):
        day, who = lima_day(registered), people[pid]
        tables["registrations"][(_month(day), who.sex, who.band(day))]["registrations"] += 1
    for who in people.values():
        if who.programme_since is not None:
            day = who.programme_since
            tables["wfi_enrolments"][(_month(day), who.band(day))]["enrolments"] += 1
    kinds = ("ever", "fiscal_year", "year", "quarter", "month") if schema == 2 else ("ever",)
    for (pid, scope), moments in events.items():
        for kind in kinds:
            first_in: dict[str, datetime] = {}
            for moment in moments:
                name = period_name(kind, _month(lima_day(moment)), rules.fiscal_year_start)
                first_in[name] = min(first_in.get(name, moment), moment)
            for moment in first_in.values():
                day, who = lima_day(moment), people[pid]
                period = (kind,) if schema == 2 else ()
                key = (_month(day), *period, scope, who.sex, who.band(day), who.in_programme(day))
                tables["reach"][key]["new_people"] += 1
    for key, cell in tables["attendance"].items():
        cell["participants"] = len(row_people[key])
    if schema == 2:
        _outcomes(connection, people, tables["wfi_outcomes"], last)
    return _shape(tables, schema)


INDICATORS = ("account", "wallet", "digital_payment", "saving", "savings_group", "emergency_funds")


def _listed(value) -> list:
    return json.loads(value) if isinstance(value, str) else list(value or [])


def _had(account, wallets, paid, saved, group, emergency) -> set[str]:
    answers = {
        "account": any(code != "none" for code in _listed(account)),
        "wallet": any(code != "none" for code in _listed(wallets)),
        "digital_payment": bool(paid),
        "saving": bool(saved),
        "savings_group": bool(group),
        "emergency_funds": emergency in ("very_possible", "somewhat_possible"),
    }
    return {name for name, yes in answers.items() if yes}


def _month_end(month: str) -> date:
    year, number = int(month[:4]), int(month[5:])
    following = date(year + number // 12, number % 12 + 1, 1)
    return following - timedelta(days=1)


def _outcomes(connection, people: dict[int, Who], cells: dict, last: str) -> None:
    surveys: dict[int, list] = defaultdict(list)
    for pid, kind, taken, *answers in connection.execute(
        sa.text(
            "SELECT participant_id, kind, taken_on, account_institutions, wallets_used, "
            "digital_payment, saved, savings_group_member, emergency_funds FROM fi_surveys"
        )
    ):
        surveys[pid].append((_as_date(taken), kind, _had(*answers)))
    enrolled = {pid: who.programme_since for pid, who in people.items() if who.programme_since}
    if not enrolled:
        return
    month = _month(min(enrolled.values()))
    while month <= last:
        end = _month_end(month)
        for pid, since in enrolled.items():
            if since > end:
                continue
            cell = cells[(month, people[pid].band(end))]
            cell["enrolled"] += 1
            by_then = sorted(s for s in surveys[pid] if s[0] <= end)
            baselines = [s for s in by_then if s[1] == "baseline"]
            cell["with_baseline"] += 0
            cell["with_follow_up"] += 0
            for name in INDICATORS:
                cell[f"{name}_baseline"] += 0
                cell[f"{name}_latest"] += 0
            if not baselines:
                continue
            cell["with_baseline"] += 1
            cell["with_follow_up"] += any(s[1] == "follow_up" for s in by_then)
            for name in baselines[0][2]:
                cell[f"{name}_baseline"] += 1
            for name in by_then[-1][2]:
                cell[f"{name}_latest"] += 1
        month = _month(end + timedelta(days=1))


DIMENSIONS_BY_SCHEMA = {
    1: {
        "sessions": ("activity", "category"),
        "attendance": ("activity", "category", "sex", "age_band", "wfi"),
        "registrations": ("sex", "age_band"),
        "completions": ("category", "sex", "age_band"),
        "wfi_enrolments": ("age_band",),
        "reach": ("scope", "sex", "age_band", "wfi"),
    },
    2: {
        "sessions": ("activity", "category", "commodity", "purpose"),
        "attendance": (
            "activity",
            "category",
            "commodity",
            "purpose",
            "sex",
            "age_band",
            "wfi",
        ),
        "registrations": ("sex", "age_band"),
        "completions": ("category", "sex", "age_band"),
        "wfi_enrolments": ("age_band",),
        "reach": ("period", "scope", "sex", "age_band", "wfi"),
        "wfi_outcomes": ("age_band",),
    },
}
HOURS = {"hours", "session_hours"}


def _shape(tables, schema: int) -> dict[str, dict[str, list[dict]]]:
    dimensions = DIMENSIONS_BY_SCHEMA[schema]
    months: dict[str, dict[str, list[dict]]] = {}
    for name, cells in tables.items():
        for (month, *key), measures in cells.items():
            row = dict(zip(dimensions[name], key, strict=True))
            row |= {m: round(v, 6) if m in HOURS else int(v) for m, v in measures.items()}
            months.setdefault(month, {t: [] for t in dimensions})[name].append(row)
    return months


def _hours(starts, ends) -> float:
    return (_moment(ends) - _moment(starts)).total_seconds() / 3600


def _people(connection) -> dict[int, Who]:
    since = {
        pid: _as_date(day)
        for pid, day in connection.execute(
            sa.text("SELECT participant_id, enrolled_on FROM wfi_enrolments")
        )
    }
    return {
        pid: Who(sex, _as_date(birth), year, since.get(pid))
        for pid, sex, birth, year in connection.execute(
            sa.text("SELECT id, sex, birth_date, birth_year FROM participants")
        )
    }


def canonical(months: dict[str, dict[str, list[dict]]]) -> dict[str, dict[str, list[str]]]:
    """Comparable form: rows as sorted JSON-ish strings, months without any fact dropped."""
    return {
        month: {
            table: sorted(json.dumps(row, sort_keys=True) for row in rows)
            for table, rows in tables.items()
        }
        for month, tables in months.items()
        if any(tables.values())
    }
