"""Closing a quarter or fiscal year: its figures as reported, and what changed since.

A funder's table is filled once; reports that arrive late, or corrections sent afterwards,
change central's figures but not what was reported. Closing stores every catalogue figure of
the period (each indicator for each of its periods inside the closed one, for the network and
per telecenter, per split) as canonical JSON with its SHA-256, never changed afterwards. The
restatement log compares those figures with today's and names the telecenter-months received
after the close.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from telecenter import month_report
from telecenter.central import indicators
from telecenter.central.models import MonthReport, PeriodClose, Telecenter
from telecenter.clock import to_lima
from telecenter.domain_errors import DomainError
from telecenter.i18n import month_in_words

CLOSABLE = ("quarter", "fiscal_year")
#: How far back the form offers periods to close.
OFFERED_YEARS = 3


class CloseError(DomainError):
    """A period that cannot be closed; the message says why, in plain words."""


@dataclass(frozen=True)
class Figure:
    """One stored or current figure: an indicator for one of its periods, for a telecenter
    (None: the network) and one value per split."""

    indicator: str
    period: str
    telecenter: str | None
    options: tuple
    value: float | None

    @property
    def key(self) -> tuple:
        return (self.indicator, self.period, self.telecenter or "", self.options)


def closes(session: Session) -> list[PeriodClose]:
    return list(session.scalars(sa.select(PeriodClose).order_by(PeriodClose.first_month.desc())))


def find(session: Session, period: str) -> PeriodClose | None:
    return session.scalar(sa.select(PeriodClose).where(PeriodClose.period == period))


def closable(session: Session, now: datetime) -> list[indicators.Period]:
    """Quarters and fiscal years of the last few years that have ended and are not closed,
    newest first: what the form offers."""
    current = month_report.month_of(to_lima(now))
    start = indicators.rules.current_rules(session).fiscal_year_start
    first = f"{int(current[:4]) - OFFERED_YEARS:04d}-01"
    done = {row.period for row in closes(session)}
    offered = [
        period
        for kind in CLOSABLE
        for period in indicators.periods_of_kind(kind, first, current, start)
        if period.last < current and period.first >= first and period.name not in done
    ]
    return sorted(offered, key=lambda p: (p.last, p.kind), reverse=True)


def close(session: Session, name: str, *, by: str, now: datetime) -> PeriodClose:
    """Store the period's figures as reported now; CloseError if it cannot be closed."""
    try:
        period = indicators.period(session, name)
    except indicators.IndicatorError as error:
        raise _refused(_("Elija un trimestre o un año fiscal de la lista.")) from error
    if period.kind not in CLOSABLE:
        raise _refused(_("Solo se cierran trimestres y años fiscales."))
    if period.last >= month_report.month_of(to_lima(now)):
        raise _refused(_("Ese periodo aún no ha terminado: se cierra cuando termine."))
    if find(session, period.name) is not None:
        raise _refused(_already())
    snapshot = canonical(
        {
            "period": period.name,
            "first": period.first,
            "last": period.last,
            "indicators": {
                i.code: {"name": i.name, "unit": i.unit, "splits": list(i.disaggregations or [])}
                for i in indicators.catalogue(session)
            },
            "figures": [_as_json(figure) for figure in figures(session, period)],
        }
    )
    row = PeriodClose(
        period=period.name,
        kind=period.kind,
        first_month=period.first,
        last_month=period.last,
        closed_at=now,
        closed_by=by,
        snapshot=snapshot,
        digest=digest(snapshot),
    )
    try:
        with session.begin_nested():  # another admin closing it at the same moment
            session.add(row)
    except IntegrityError:
        raise _refused(_already()) from None
    return row


def _already() -> str:
    return _("Ese periodo ya está cerrado; sus cifras reportadas no cambian.")


def _refused(message: str) -> CloseError:
    return CloseError({"period": message})


def figures(session: Session, period: indicators.Period) -> list[Figure]:
    """Every catalogue figure of the period: each indicator for each period of its type that
    lies inside this one, for the network and per telecenter."""
    result = []
    for indicator in indicators.catalogue(session):
        for inner in indicators.periods_of_kind(
            indicator.period_type, period.first, period.last, period.fiscal_year_start
        ):
            if inner.first < period.first or inner.last > period.last:
                continue  # a fiscal year is no figure of one of its quarters
            # The network's one figure, the network per split, then each telecenter per split.
            for by_telecenter, split in ((False, False), (False, True), (True, True)):
                if split and not by_telecenter and not indicator.disaggregations:
                    continue  # the same cell as the network's one figure
                for cell in indicators.cells(
                    session, indicator, inner, by_telecenter=by_telecenter, split=split
                ):
                    result.append(
                        Figure(
                            indicator.code,
                            inner.name,
                            cell.telecenter,
                            tuple(cell.options),
                            cell.value,
                        )
                    )
    return result


def reported(row: PeriodClose) -> list[Figure]:
    """The figures as they were stored when the period was closed."""
    return [
        Figure(f["indicator"], f["period"], f["telecenter"], tuple(f["options"]), f["value"])
        for f in json.loads(row.snapshot)["figures"]
    ]


def reported_indicators(row: PeriodClose) -> dict[str, dict]:
    """Each indicator's name, unit and splits as they were when the period was closed."""
    return json.loads(row.snapshot)["indicators"]


def canonical(data: dict) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def is_intact(row: PeriodClose) -> bool:
    """Whether the stored figures are still those the hash was taken of."""
    return digest(row.snapshot) == row.digest


@dataclass(frozen=True)
class Restatement:
    before: Figure | None
    now: Figure | None

    @property
    def figure(self) -> Figure:
        return self.now or self.before  # type: ignore[return-value]

    @property
    def change(self) -> float | None:
        old = 0 if self.before is None else self.before.value
        new = 0 if self.now is None else self.now.value
        if old is None or new is None:
            return None
        return round(new - old, 2)


def restatements(session: Session, row: PeriodClose) -> list[Restatement]:
    """Figures that differ today from what was reported, network figures first."""
    period = indicators.period(session, row.period)
    before = {figure.key: figure for figure in reported(row)}
    now = {figure.key: figure for figure in figures(session, period)}
    changed = [
        Restatement(before.get(key), now.get(key))
        for key in before.keys() | now.keys()
        if _value(before.get(key)) != _value(now.get(key))
    ]
    return sorted(changed, key=lambda r: (r.figure.telecenter is not None, r.figure.key))


def _value(figure: Figure | None) -> float | None:
    return 0 if figure is None else figure.value


@dataclass(frozen=True)
class LateReport:
    telecenter: str
    name: str
    month: str
    received_at: datetime


def received_after(session: Session, row: PeriodClose) -> list[LateReport]:
    """The period's telecenter-months whose newest report came after the close: late
    reports and corrections, the reasons figures were restated."""
    return [
        LateReport(code, name, month, received)
        for code, name, month, received in session.execute(
            sa.select(Telecenter.code, Telecenter.name, MonthReport.month, MonthReport.received_at)
            .join(Telecenter, Telecenter.id == MonthReport.telecenter_id)
            .where(
                MonthReport.month.between(row.first_month, row.last_month),
                MonthReport.received_at > row.closed_at,
            )
            .order_by(MonthReport.month, Telecenter.code)
        )
    ]


def _as_json(figure: Figure) -> dict:
    return {
        "indicator": figure.indicator,
        "period": figure.period,
        "telecenter": figure.telecenter,
        "options": list(figure.options),
        "value": figure.value,
    }


def period_words(name: str, first: str, last: str) -> str:
    """A period as office staff say it: «Trimestre 1 de 2026», «Año fiscal 2026»."""
    span = _("de %(first)s a %(last)s", first=month_in_words(first), last=month_in_words(last))
    if name.startswith("FY"):
        return _("Año fiscal %(year)s (%(span)s)", year=name[2:], span=span)
    if "-Q" in name:
        year, number = name.split("-Q")
        return _("Trimestre %(number)s de %(year)s (%(span)s)", number=number, year=year, span=span)
    return name
