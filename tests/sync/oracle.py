"""What a site's month reports must say, computed in the tests straight from the records.

A second, deliberately plain reading of ../shared/DESIGN.md ("Counting"): one loop per table
over rows read with plain SQL, Lima time as UTC-5 (Peru has kept no summer time since 1994),
ages by hand. It shares no code with telecenter.sync.month_reports, so a wrong figure there cannot
hide behind the same wrong figure here.
"""

from __future__ import annotations

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


def expected_reports(connection: sa.Connection) -> dict[str, dict[str, list[dict]]]:
    """{month: {table: rows}} for every month with any fact, rows in no particular order."""
    people = _people(connection)
    tables: dict[str, dict] = {
        name: defaultdict(lambda: defaultdict(float))
        for name in (
            "sessions",
            "attendance",
            "registrations",
            "completions",
            "wfi_enrolments",
            "reach",
        )
    }
    row_people: dict[tuple, set] = defaultdict(set)
    firsts: dict[tuple[int, str], datetime] = {}

    def first(pid, scope, moment):
        moment = _moment(moment)
        if (pid, scope) not in firsts or moment < firsts[(pid, scope)]:
            firsts[(pid, scope)] = moment

    for kind, category, starts, ends, viewers in connection.execute(
        sa.text(
            "SELECT kind, category, starts_at, ends_at, unregistered_viewers "
            "FROM activity_sessions WHERE state = 'held'"
        )
    ):
        cell = tables["sessions"][(_month(lima_day(starts)), kind, category)]
        cell["sessions_held"] += 1
        cell["session_hours"] += _hours(starts, ends)
        cell["unregistered_viewers"] += viewers
    for pid, status, kind, category, starts, ends in connection.execute(
        sa.text(
            "SELECT a.participant_id, a.status, s.kind, s.category, s.starts_at, s.ends_at "
            "FROM attendances a JOIN activity_sessions s ON s.id = a.session_id "
            "WHERE s.state = 'held'"
        )
    ):
        if status not in COUNTED:
            continue
        day, who = lima_day(starts), people[pid]
        key = (_month(day), kind, category, who.sex, who.band(day), who.in_programme(day))
        tables["attendance"][key]["attendances"] += 1
        tables["attendance"][key]["hours"] += _hours(starts, ends)
        row_people[key].add(pid)
        for scope in ("any", f"activity:{kind}", f"category:{category}"):
            first(pid, scope, starts)
    for pid, category, moment in connection.execute(
        sa.text(
            "SELECT e.participant_id, c.category, p.completed_at FROM lesson_progress p "
            "JOIN enrolments e ON e.id = p.enrolment_id JOIN courses c ON c.id = e.course_id"
        )
    ):
        for scope in ("any", "self_paced", f"category:{category}"):
            first(pid, scope, moment)
    for pid, category, moment in connection.execute(
        sa.text(
            "SELECT e.participant_id, c.category, e.completed_at FROM enrolments e "
            "JOIN courses c ON c.id = e.course_id WHERE e.completed_at IS NOT NULL"
        )
    ):
        day, who = lima_day(moment), people[pid]
        tables["completions"][(_month(day), category, who.sex, who.band(day))]["completions"] += 1
        first(pid, "trained", moment)
    for pid, registered in connection.execute(
        sa.text("SELECT id, registered_at FROM participants")
    ):
        day, who = lima_day(registered), people[pid]
        tables["registrations"][(_month(day), who.sex, who.band(day))]["registrations"] += 1
    for who in people.values():
        if who.programme_since is not None:
            day = who.programme_since
            tables["wfi_enrolments"][(_month(day), who.band(day))]["enrolments"] += 1
    for (pid, scope), moment in firsts.items():
        day, who = lima_day(moment), people[pid]
        key = (_month(day), scope, who.sex, who.band(day), who.in_programme(day))
        tables["reach"][key]["new_people"] += 1
    for key, cell in tables["attendance"].items():
        cell["participants"] = len(row_people[key])
    return _shape(tables)


DIMENSIONS = {
    "sessions": ("activity", "category"),
    "attendance": ("activity", "category", "sex", "age_band", "wfi"),
    "registrations": ("sex", "age_band"),
    "completions": ("category", "sex", "age_band"),
    "wfi_enrolments": ("age_band",),
    "reach": ("scope", "sex", "age_band", "wfi"),
}
HOURS = {"hours", "session_hours"}


def _shape(tables) -> dict[str, dict[str, list[dict]]]:
    months: dict[str, dict[str, list[dict]]] = {}
    for name, cells in tables.items():
        for (month, *key), measures in cells.items():
            row = dict(zip(DIMENSIONS[name], key, strict=True))
            row |= {m: round(v, 6) if m in HOURS else int(v) for m, v in measures.items()}
            months.setdefault(month, {t: [] for t in DIMENSIONS})[name].append(row)
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
    import json

    return {
        month: {
            table: sorted(json.dumps(row, sort_keys=True) for row in rows)
            for table, rows in tables.items()
        }
        for month, tables in months.items()
        if any(tables.values())
    }
