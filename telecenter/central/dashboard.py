"""What the dashboard shows: headline figures, breakdowns, telecenter list (no HTTP here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import Session

from telecenter import month_report, periods
from telecenter.central import aggregates, outcomes, pending, rules
from telecenter.central.models import MonthReport, Telecenter
from telecenter.clock import today_in_lima, utcnow

BREAKDOWNS = ("region", "telecenter", "month", "sex", "age_band", "category")
DASHBOARD_FILTERS = ("region", "telecenter", "category", "activity", "sex")


def default_range() -> tuple[str, str]:
    today = today_in_lima()
    last = month_report.month_of(today)
    first = f"{today.year - 1:04d}-{today.month:02d}"
    return first, last


def query_from(args, session: Session) -> aggregates.Query:
    first, last = default_range()
    values = {"from": args.get("from") or first, "to": args.get("to") or last}
    values |= {name: args.get(name) for name in DASHBOARD_FILTERS if args.get(name)}
    return aggregates.parse(values, session)


def breakdown(session: Session, query: aggregates.Query, by: str) -> dict:
    return aggregates.run(
        session, aggregates.Query(query.first, query.last, dict(query.filters), [by])
    )


def active_telecenters(session: Session, query: aggregates.Query) -> int:
    statement = (
        sa.select(sa.func.count(sa.distinct(MonthReport.telecenter_id)))
        .join(Telecenter, Telecenter.id == MonthReport.telecenter_id)
        .where(MonthReport.month >= query.first, MonthReport.month <= query.last)
    )
    if "region" in query.filters:
        statement = statement.where(Telecenter.region == query.filters["region"])
    if "telecenter" in query.filters:
        statement = statement.where(Telecenter.code == query.filters["telecenter"])
    return session.scalar(statement) or 0


@dataclass(frozen=True)
class ContactStatus:
    """Whether a telecenter has gone silent, and the words its row says about it."""

    silent: bool
    words: str


def contact_status(
    last_report_at: datetime | None,
    last_heard_at: datetime | None,
    *,
    now: datetime,
    silent_days: int,
) -> ContactStatus:
    """Silent means neither a report received nor any contact (a sync request, even one with
    nothing new) for more than `silent_days`: both timestamps are the ones the row shows, so
    a row never says "report today" and "no news" at once."""
    moments = [moment for moment in (last_report_at, last_heard_at) if moment is not None]
    if not moments:
        return ContactStatus(True, _("Nunca envió datos"))
    quiet = now - max(moments)
    if quiet <= timedelta(days=silent_days):
        return ContactStatus(False, _("Al día"))
    days = quiet.days
    return ContactStatus(
        True, ngettext("Sin noticias hace %(num)d día", "Sin noticias hace %(num)d días", days)
    )


@dataclass(frozen=True)
class TelecenterRow:
    telecenter: Telecenter
    last_report_at: datetime | None
    months_reported: int
    status: ContactStatus

    @property
    def last_heard_at(self) -> datetime | None:
        return self.telecenter.last_heard_at

    @property
    def silent(self) -> bool:
        return self.status.silent


def telecenter_rows(session: Session, *, silent_days: int) -> list[TelecenterRow]:
    stats = {
        tid: (last, months)
        for tid, last, months in session.execute(
            sa.select(
                MonthReport.telecenter_id,
                sa.func.max(MonthReport.received_at),
                sa.func.count(MonthReport.id),
            ).group_by(MonthReport.telecenter_id)
        )
    }
    now = utcnow()
    rows = []
    for telecenter in session.scalars(
        sa.select(Telecenter).order_by(Telecenter.region, Telecenter.code)
    ):
        last, months = stats.get(telecenter.id, (None, 0))
        status = contact_status(last, telecenter.last_heard_at, now=now, silent_days=silent_days)
        rows.append(TelecenterRow(telecenter, last, months, status))
    return rows


def regions(session: Session) -> list[str]:
    return list(
        session.scalars(sa.select(Telecenter.region).distinct().order_by(Telecenter.region))
    )


def telecenter_codes(session: Session) -> list[tuple[str, str]]:
    return list(
        session.execute(
            sa.select(Telecenter.code, Telecenter.name).order_by(Telecenter.code)
        ).tuples()
    )


@dataclass(frozen=True)
class FiscalYearFigures:
    """The funders' figures of the current fiscal year: unique people trained (New /
    Continuing), trained by subject, reach by crop and the programme's outcomes, asked of
    the same queries as the API, with plain notes on what is still pending."""

    label: str
    first: str
    last: str
    trained: dict
    by_subject: dict
    by_crop: dict
    #: Attendances at teleconferences per crop (each attendance counts): reach facts count
    #: people per crop over every activity, so teleconference people per crop are not known.
    teleconference_attendances: dict[str, float | None]
    outcomes: dict
    notes: list[str]


def current_fiscal_year(session: Session) -> tuple[str, str, str, int]:
    """(label, first month, last month, start month) of the fiscal year central is in."""
    start = rules.current_rules(session).fiscal_year_start
    month = month_report.month_of(today_in_lima())
    return (
        periods.period_of("fiscal_year", month, start),
        periods.first_month("fiscal_year", month, start),
        periods.last_month("fiscal_year", month, start),
        start,
    )


def fiscal_year_queries(first: str, last: str) -> dict[str, dict]:
    """The API questions behind the section (the whole fiscal year: later months are empty)."""
    whole = {"from": first, "to": last, "unique": "fiscal_year"}
    return {
        "trained": whole,
        "by_subject": whole | {"group_by": "category"},
        "by_crop": whole | {"group_by": "commodity"},
        "teleconferences_by_crop": {
            "from": first,
            "to": last,
            "group_by": "commodity",
            "activity": "teleconference",
        },
    }


def _pending_notes(waiting: pending.Pending, outcome: dict) -> list[str]:
    notes = []
    old_format = sorted({*waiting.schema_1, *outcome["schema_1"]})
    if old_format:
        notes.append(
            _(
                "Pendiente: estos telecentros aún envían el formato anterior: %(codes)s",
                codes=", ".join(old_format),
            )
        )
    if waiting.outdated_rules:
        notes.append(
            _(
                "Pendiente: estos telecentros aún no recalculan con las reglas de conteo "
                "vigentes: %(codes)s",
                codes=", ".join(sorted(waiting.outdated_rules)),
            )
        )
    if outcome["without_report"]:
        notes.append(
            _(
                "Sin informe de %(month)s (cuentan como 0 en los resultados del programa): "
                "%(codes)s",
                month=outcome["stock_month"],
                codes=", ".join(outcome["without_report"]),
            )
        )
    return notes


def fiscal_year_figures(session: Session) -> FiscalYearFigures:
    label, first, last, _start = current_fiscal_year(session)
    answers = {
        name: aggregates.run(session, aggregates.parse(args, session))
        for name, args in fiscal_year_queries(first, last).items()
    }
    now = month_report.month_of(today_in_lima())
    outcome = outcomes.compute(session, outcomes.parse({"from": first, "to": now}, session))
    waiting = pending.pending(session, first, last, {}, rules.current_rules(session).rules_version)
    return FiscalYearFigures(
        label,
        first,
        last,
        answers["trained"]["totals"],
        answers["by_subject"],
        answers["by_crop"],
        {
            row["commodity"]: row["attendances"]
            for row in answers["teleconferences_by_crop"]["rows"]
        },
        outcome,
        _pending_notes(waiting, outcome),
    )
