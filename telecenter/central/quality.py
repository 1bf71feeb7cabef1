"""Data quality at central: which telecenter-months are missing or late, which stored figures
cannot be right, and which stand far from a telecenter's own history (no HTTP here).

Completeness counts a report as expected for each month from the telecenter's opening month
(`opened_month`, else the month it was registered, Lima time) until the month before the
current one: the month still running is never expected. A report is on time when central
first received it (`MonthReport.first_received_at`; `received_at` is the newest re-send's)
by the end of the due day (REPORT_DUE_DAY, default 10) of the next month, Lima time; the
month just ended, before its due day, is expected but not yet late ("waiting"). Shares are
counts over counts of the same telecenter-months, so they never pass 100 %.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from telecenter import month_report
from telecenter.central import aggregates
from telecenter.central.models import (
    FACT_NETWORK_ATTENDANCE,
    FACT_NETWORK_EVENTS,
    FACT_TABLES,
    REACH_COLUMNS,
    TOTAL_TABLES,
    MonthReport,
    Telecenter,
)
from telecenter.clock import LIMA, to_lima, today_in_lima, utcnow

DEFAULT_DUE_DAY = 10
#: What the page shows by default: the twelve months up to the one just ended.
DEFAULT_MONTHS = 12
#: Outliers: a month is compared with the telecenter's reports of the 12 months before it,
#: when at least 6 of them exist.
HISTORY_MONTHS = 12
MIN_HISTORY = 6
#: A robust score (0.6745 x distance from the median / MAD) above this is an outlier
#: (Iglewicz and Hoaglin's threshold), and so is ten times the usual value or more.
OUTLIER_SCORE = 3.5
JUMP_FACTOR = 10
#: The longest session a site lets anyone schedule (attendance.scheduling.MAX_LENGTH).
MAX_SESSION_HOURS = 12
#: Measures whose history is watched, and the monthly totals they are read from.
OUTLIER_MEASURES = {
    "attendances": ("attendance", "attendances"),
    "sessions_held": ("sessions", "sessions_held"),
    "registrations": ("registrations", "registrations"),
}
#: How the statuses of an expected telecenter-month are named.
ON_TIME, LATE, MISSING, WAITING = "on_time", "late", "missing", "waiting"


@dataclass(frozen=True)
class QualityQuery:
    first: str
    last: str
    region: str | None = None


def shift(month: str, months: int) -> str:
    """The month `months` after (or before, when negative) a YYYY-MM month."""
    index = int(month[:4]) * 12 + int(month[5:7]) - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def months_between(first: str, last: str) -> list[str]:
    months = []
    while first <= last:
        months.append(first)
        first = shift(first, 1)
    return months


def default_range() -> tuple[str, str]:
    """The twelve months up to the month just ended (the running month is never expected)."""
    last = shift(month_report.month_of(today_in_lima()), -1)
    return shift(last, 1 - DEFAULT_MONTHS), last


def parse(args, session: Session) -> QualityQuery:
    """A query from request arguments (`from`, `to`, optional `region`), or QueryError."""
    first, last = aggregates.parse_range(args)
    region = aggregates.parse_filters(args, session, ("region",)).get("region")
    return QualityQuery(first, last, region)


def opening_month(telecenter: Telecenter) -> str:
    """The first month a report is expected: as set, else the month it was registered."""
    return telecenter.opened_month or month_report.month_of(to_lima(telecenter.created_at))


def due_moment(month: str, due_day: int) -> datetime:
    """The end of the due day of the month after `month`, Lima time (as aware UTC)."""
    following = shift(month, 1)
    day = datetime(int(following[:4]), int(following[5:7]), due_day, tzinfo=LIMA)
    return day + timedelta(days=1)


# --- Completeness and timeliness -------------------------------------------------------


@dataclass(frozen=True)
class ExpectedMonth:
    """One telecenter-month a report is expected for, and how it stands."""

    code: str
    name: str
    region: str
    month: str
    status: str
    first_received_at: datetime | None
    #: The moment the report became late (the end of the due day).
    due: datetime

    @property
    def due_date(self) -> date:
        """The due day itself (the last day a report is on time), in Lima."""
        return to_lima(self.due - timedelta(days=1)).date()


@dataclass
class Tally:
    expected: int = 0
    received: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0
    waiting: int = 0

    def add(self, status: str) -> None:
        self.expected += 1
        self.received += status in (ON_TIME, LATE)
        setattr(self, status, getattr(self, status) + 1)

    @property
    def completeness(self) -> float | None:
        """Received over expected."""
        return _share(self.received, self.expected)

    @property
    def timeliness(self) -> float | None:
        """On time over the expected months whose due day has passed (a report received
        before its due day is on time, so it is counted either way)."""
        return _share(self.on_time, self.expected - self.waiting)

    def as_json(self) -> dict:
        counts = {name: getattr(self, name) for name in ("expected", "received", "on_time")}
        counts |= {name: getattr(self, name) for name in (LATE, MISSING, WAITING)}
        return counts | {"completeness": self.completeness, "timeliness": self.timeliness}


def _share(part: int, whole: int) -> float | None:
    return None if whole <= 0 else round(part / whole, 4)


def _telecenters(session: Session, region: str | None) -> list[Telecenter]:
    statement = sa.select(Telecenter).order_by(Telecenter.region, Telecenter.code)
    if region is not None:
        statement = statement.where(Telecenter.region == region)
    return list(session.scalars(statement))


def expected_months(
    session: Session, query: QualityQuery, *, due_day: int, now: datetime | None = None
) -> list[ExpectedMonth]:
    """Every expected telecenter-month of the range, with its status."""
    now = now or utcnow()
    running = month_report.month_of(to_lima(now).date())
    received = {
        (telecenter_id, month): moment
        for telecenter_id, month, moment in session.execute(
            sa.select(
                MonthReport.telecenter_id, MonthReport.month, MonthReport.first_received_at
            ).where(MonthReport.month >= query.first, MonthReport.month <= query.last)
        )
    }
    rows = []
    for telecenter in _telecenters(session, query.region):
        first = max(query.first, opening_month(telecenter))
        for month in months_between(first, min(query.last, shift(running, -1))):
            moment = received.get((telecenter.id, month))
            due = due_moment(month, due_day)
            status = (
                (ON_TIME if moment <= due else LATE)
                if moment is not None
                else (MISSING if now > due else WAITING)
            )
            rows.append(
                ExpectedMonth(
                    telecenter.code, telecenter.name, telecenter.region, month, status, moment, due
                )
            )
    return rows


@dataclass
class Completeness:
    by_region_month: dict[tuple[str, str], Tally] = field(default_factory=dict)
    by_region: dict[str, Tally] = field(default_factory=dict)
    total: Tally = field(default_factory=Tally)
    #: The expected telecenter-months not received on time (missing, late or waiting).
    gaps: list[ExpectedMonth] = field(default_factory=list)


def completeness(rows: Iterable[ExpectedMonth]) -> Completeness:
    result = Completeness()
    for row in rows:
        result.by_region_month.setdefault((row.region, row.month), Tally()).add(row.status)
        result.by_region.setdefault(row.region, Tally()).add(row.status)
        result.total.add(row.status)
        if row.status != ON_TIME:
            result.gaps.append(row)
    result.by_region_month = dict(sorted(result.by_region_month.items()))
    result.by_region = dict(sorted(result.by_region.items()))
    return result


# --- Validation rules ------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """A check that honest month reports always pass: a violation means a wrong or damaged
    report, and `explanation` says in plain words what is wrong and where to look."""

    code: str
    title: str
    explanation: str
    #: The figures the rule compares, in the order the page shows them.
    figures: tuple[str, ...]


RULES = {
    rule.code: rule
    for rule in (
        Rule(
            "participants_over_attendances",
            _l("Más participantes que asistencias"),
            _l(
                "Cada participante cuenta al menos una asistencia, así que no puede haber más "
                "participantes que asistencias. Revise en el telecentro las asistencias de esa "
                "actividad y ese mes, y pida que vuelva a enviar el mes desde «Sincronización»."
            ),
            ("participants", "attendances"),
        ),
        Rule(
            "session_hours_over_limit",
            _l("Más de 12 horas por sesión"),
            _l(
                "Ninguna sesión puede durar más de 12 horas, pero las horas de sesión del mes "
                "superan 12 por cada sesión realizada. Revise en el telecentro las horas de "
                "inicio y fin de las sesiones de esa actividad y ese mes."
            ),
            ("session_hours", "sessions_held"),
        ),
        Rule(
            "attendances_without_sessions",
            _l("Asistencias sin sesiones"),
            _l(
                "Hay asistencias en una actividad que no tiene ninguna sesión realizada ese "
                "mes. Revise en el telecentro que las sesiones de ese mes estén marcadas como "
                "realizadas."
            ),
            ("attendances", "sessions_held"),
        ),
        Rule(
            "new_people_over_attendances",
            _l("Más personas nuevas que asistencias"),
            _l(
                "Cada persona que asiste por primera vez a una actividad suma al menos una "
                "asistencia ese mes, así que no puede haber más personas nuevas que "
                "asistencias. El informe del telecentro está dañado: pida que vuelva a enviar "
                "el mes desde «Sincronización»."
            ),
            ("new_people", "attendances"),
        ),
        Rule(
            "network_events_over_teleconferences",
            _l("Teleconferencias de la red mayores que el mes"),
            _l(
                "Las teleconferencias de la red se cuentan también como teleconferencias del "
                "mes, así que sus asistencias y sesiones no pueden superar las de todas las "
                "teleconferencias de ese mes. El informe del telecentro está dañado: pida que "
                "vuelva a enviar el mes desde «Sincronización»."
            ),
            ("network_attendances", "attendances", "network_sessions", "sessions_held"),
        ),
        Rule(
            "programme_outcomes_over_enrolled",
            _l("Resultados del programa mayores que sus mujeres"),
            _l(
                "Las mujeres con encuesta inicial no pueden ser más que las inscritas, ni las "
                "que tienen seguimiento o cada resultado más que las que tienen encuesta "
                "inicial. Revise en el telecentro las encuestas del programa de mujeres de ese "
                "mes."
            ),
            ("enrolled", "with_baseline", "with_follow_up", "largest_outcome"),
        ),
    )
}


@dataclass(frozen=True)
class Violation:
    rule: str
    code: str
    region: str
    month: str
    #: The activity whose figures disagree (None for the programme's outcomes).
    activity: str | None
    figures: dict[str, float]

    def as_json(self) -> dict:
        return {
            "rule": self.rule,
            "telecenter": self.code,
            "region": self.region,
            "month": self.month,
            "activity": self.activity,
            "figures": self.figures,
        }


def _summed(
    session: Session, query: QualityQuery, table: sa.Table, keys: list, measures, *where
) -> dict[tuple, dict[str, float]]:
    """{(code, region, month, *keys): {measure: sum}} over the range's facts."""
    statement = (
        sa.select(
            Telecenter.code,
            Telecenter.region,
            table.c.month,
            *keys,
            *(sa.func.sum(table.c[m]) for m in measures),
        )
        .join(Telecenter, Telecenter.id == table.c.telecenter_id)
        .where(table.c.month >= query.first, table.c.month <= query.last, *where)
        .group_by(Telecenter.code, Telecenter.region, table.c.month, *keys)
    )
    if query.region is not None:
        statement = statement.where(Telecenter.region == query.region)
    width = 3 + len(keys)
    return {
        tuple(row[:width]): dict(zip(measures, row[width:], strict=True))
        for row in session.execute(statement)
    }


EVER = REACH_COLUMNS["ever"]
ACTIVITY_FIGURES = ("attendances", "participants", "sessions_held", "session_hours", "new_people")


def _activity_figures(session: Session, query: QualityQuery) -> dict[tuple, dict[str, float]]:
    """Per (code, region, month, activity): attendances, participants, sessions held,
    session hours and people new to the activity (reach "ever"); zero where none."""
    attendance, sessions, reach = (FACT_TABLES[n] for n in ("attendance", "sessions", "reach"))
    scope_activity = sa.func.substr(reach.c.scope, len("activity:") + 1)
    reads = (
        _summed(session, query, attendance, [attendance.c.activity], ACTIVITY_FIGURES[:2]),
        _summed(session, query, sessions, [sessions.c.activity], ACTIVITY_FIGURES[2:4]),
        {
            key: {"new_people": values[EVER]}
            for key, values in _summed(
                session, query, reach, [scope_activity], (EVER,), reach.c.scope.like("activity:%")
            ).items()
        },
    )
    figures: dict[tuple, dict[str, float]] = {}
    for read in reads:
        for key, values in read.items():
            figures.setdefault(key, dict.fromkeys(ACTIVITY_FIGURES, 0)).update(values)
    return figures


#: Per activity: (rule, whether the figures break it).
ACTIVITY_CHECKS: tuple[tuple[str, Callable[[dict], bool]], ...] = (
    ("participants_over_attendances", lambda f: f["participants"] > f["attendances"]),
    (
        "session_hours_over_limit",
        lambda f: f["session_hours"] > MAX_SESSION_HOURS * f["sessions_held"] + 0.01,
    ),
    ("attendances_without_sessions", lambda f: f["attendances"] > 0 and f["sessions_held"] == 0),
    ("new_people_over_attendances", lambda f: f["new_people"] > f["attendances"]),
)


def _network_figures(
    session: Session, query: QualityQuery, activities: dict[tuple, dict[str, float]]
) -> dict[tuple, dict[str, float]]:
    """Per (code, region, month) with network events: their attendances and sessions beside
    the month's teleconference attendances and sessions (zero when it has none)."""
    events = _summed(session, query, FACT_NETWORK_EVENTS, [], ("sessions_held",))
    people = _summed(session, query, FACT_NETWORK_ATTENDANCE, [], ("attendances",))
    figures = {}
    for key in events.keys() | people.keys():
        month = activities.get((*key, "teleconference"), {})
        figures[key] = {
            "network_attendances": people.get(key, {}).get("attendances") or 0,
            "attendances": month.get("attendances", 0),
            "network_sessions": events.get(key, {}).get("sessions_held") or 0,
            "sessions_held": month.get("sessions_held", 0),
        }
    return figures


def _network_wrong(f: dict) -> bool:
    return f["network_attendances"] > f["attendances"] or f["network_sessions"] > f["sessions_held"]


def _outcome_figures(session: Session, query: QualityQuery) -> dict[tuple, dict[str, float]]:
    """Per (code, region, month): the programme's women, those with a baseline and a
    follow-up, and the largest count of any outcome (at baseline or latest)."""
    table = FACT_TABLES["wfi_outcomes"]
    outcomes = [
        m for m in month_report.WFI_OUTCOME_MEASURES if m.endswith(("_baseline", "_latest"))
    ]
    read = _summed(
        session, query, table, [], ("enrolled", "with_baseline", "with_follow_up", *outcomes)
    )
    return {
        key: {
            "enrolled": values["enrolled"],
            "with_baseline": values["with_baseline"],
            "with_follow_up": values["with_follow_up"],
            "largest_outcome": max(values[m] for m in outcomes),
        }
        for key, values in read.items()
    }


def _outcomes_wrong(f: dict) -> bool:
    return (
        f["with_baseline"] > f["enrolled"]
        or f["with_follow_up"] > f["with_baseline"]
        or f["largest_outcome"] > f["with_baseline"]
    )


def _plain(figures: dict[str, float], names: tuple[str, ...]) -> dict[str, float]:
    return {name: round(float(figures[name]), 2) for name in names}


def violations(session: Session, query: QualityQuery) -> list[Violation]:
    """Every telecenter-month (and activity) whose stored figures break a rule."""
    found = []
    activities = _activity_figures(session, query)
    for (code, region, month, activity), figures in activities.items():
        for rule, broken in ACTIVITY_CHECKS:
            if broken(figures):
                picked = _plain(figures, RULES[rule].figures)
                found.append(Violation(rule, code, region, month, activity, picked))
    for (code, region, month), figures in _network_figures(session, query, activities).items():
        if _network_wrong(figures):
            picked = _plain(figures, RULES["network_events_over_teleconferences"].figures)
            found.append(
                Violation(
                    "network_events_over_teleconferences",
                    code,
                    region,
                    month,
                    "teleconference",
                    picked,
                )
            )
    names = RULES["programme_outcomes_over_enrolled"].figures
    for (code, region, month), figures in _outcome_figures(session, query).items():
        if _outcomes_wrong(figures):
            found.append(
                Violation(
                    "programme_outcomes_over_enrolled",
                    code,
                    region,
                    month,
                    None,
                    _plain(figures, names),
                )
            )
    order = list(RULES)
    return sorted(found, key=lambda v: (order.index(v.rule), v.month, v.code, v.activity or ""))


# --- Outliers --------------------------------------------------------------------------


@dataclass(frozen=True)
class Outlier:
    code: str
    region: str
    month: str
    measure: str
    value: float
    #: The median of the months compared with.
    usual: float
    #: The robust score; None when only the tenfold rule applies (usual value 0).
    score: float | None
    history: int

    def as_json(self) -> dict:
        return {
            "telecenter": self.code,
            "region": self.region,
            "month": self.month,
            "measure": self.measure,
            "value": self.value,
            "usual": self.usual,
            "score": self.score,
            "history_months": self.history,
        }


def robust_score(value: float, history: list[float]) -> float:
    """0.6745 x (value - median) / MAD, with the MAD at least 1 and a tenth of the median:
    a flat history (MAD 0) would otherwise make every small change infinitely unusual."""
    usual = statistics.median(history)
    mad = statistics.median(abs(x - usual) for x in history)
    return 0.6745 * (value - usual) / max(mad, 1.0, usual / 10)


def is_outlier(value: float, history: list[float]) -> bool:
    usual = statistics.median(history)
    jump = usual > 0 and value >= JUMP_FACTOR * usual
    return jump or abs(robust_score(value, history)) > OUTLIER_SCORE


def _series(session: Session, query: QualityQuery) -> dict[tuple[str, str], dict[str, float]]:
    """{(code, measure): {month: total}} for every reported month of the range and the
    HISTORY_MONTHS before it (0 where a report has no such rows); the code's region too."""
    widened = QualityQuery(shift(query.first, -HISTORY_MONTHS), query.last, query.region)
    reported = sa.select(Telecenter.code, MonthReport.month).join(
        Telecenter, Telecenter.id == MonthReport.telecenter_id
    )
    reported = reported.where(MonthReport.month >= widened.first, MonthReport.month <= query.last)
    if query.region is not None:
        reported = reported.where(Telecenter.region == query.region)
    months = session.execute(reported).all()
    series: dict[tuple[str, str], dict[str, float]] = {}
    for measure, (table, column) in OUTLIER_MEASURES.items():
        totals = _summed(session, widened, TOTAL_TABLES[table], [], (column,))
        values = {(code, month): v[column] for (code, _r, month), v in totals.items()}
        for code, month in months:
            series.setdefault((code, measure), {})[month] = float(values.get((code, month)) or 0)
    return series


def outliers(session: Session, query: QualityQuery) -> list[Outlier]:
    """Reported months of the range far from the telecenter's own previous months. The month
    still running is left out: its report so far holds a few days, not a month."""
    regions = dict(session.execute(sa.select(Telecenter.code, Telecenter.region)).tuples().all())
    running = month_report.month_of(today_in_lima())
    found = []
    for (code, measure), by_month in _series(session, query).items():
        for month, value in sorted(by_month.items()):
            if not query.first <= month < running:
                continue
            history = [
                by_month[m]
                for m in months_between(shift(month, -HISTORY_MONTHS), shift(month, -1))
                if m in by_month
            ]
            if len(history) < MIN_HISTORY or not is_outlier(value, history):
                continue
            usual = statistics.median(history)
            score = round(robust_score(value, history), 1)
            found.append(
                Outlier(code, regions[code], month, measure, value, usual, score, len(history))
            )
    return sorted(found, key=lambda o: (o.month, o.code, o.measure))


# --- Together --------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    query: QualityQuery
    due_day: int
    completeness: Completeness
    violations: list[Violation]
    outliers: list[Outlier]


def report(session: Session, query: QualityQuery, *, due_day: int) -> Report:
    return Report(
        query,
        due_day,
        completeness(expected_months(session, query, due_day=due_day)),
        violations(session, query),
        outliers(session, query),
    )


def as_json(result: Report) -> dict:
    """The API's answer: completeness by region and month, the gaps, rule breaks, outliers."""
    figures = result.completeness
    return {
        "from": result.query.first,
        "to": result.query.last,
        "region": result.query.region,
        "due_day": result.due_day,
        "completeness": {
            "by_region_month": [
                {"region": region, "month": month, **tally.as_json()}
                for (region, month), tally in figures.by_region_month.items()
            ],
            "by_region": [
                {"region": region, **tally.as_json()} for region, tally in figures.by_region.items()
            ],
            "total": figures.total.as_json(),
        },
        "gaps": [
            {
                "telecenter": gap.code,
                "region": gap.region,
                "month": gap.month,
                "status": gap.status,
                "first_received_at": _stamp(gap.first_received_at),
                "due": _stamp(gap.due),
            }
            for gap in figures.gaps
        ],
        "rules": {
            code: {"title": str(r.title), "explanation": str(r.explanation)}
            for code, r in RULES.items()
        },
        "violations": [v.as_json() for v in result.violations],
        "outliers": [o.as_json() for o in result.outliers],
    }


def _stamp(moment: datetime | None) -> str | None:
    return None if moment is None else month_report.stamp(moment)
