"""Programme targets (e.g. 5,000 women in the financial-inclusion programme) and progress.

A target counts its measure from its start month (the programme's start unless set) to the
month asked about, but never past its deadline: after the deadline the figure shown is what was
reached by then.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import format_number
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from telecenter import month_report
from telecenter.central import aggregates
from telecenter.central.models import ProgrammeTarget
from telecenter.domain_errors import DomainError
from telecenter.i18n import month_in_words

#: Since when programme targets count (the network's first telecenters).
PROGRAMME_START = "2012-01"
LAST_MONTH = month_report.LAST_MONTH
MIN_VALUE, MAX_VALUE = 1, 10_000_000
#: The filters a target may carry: who (sex), where (region) and what (category).
TARGET_FILTERS = ("sex", "region", "category")


class TargetError(DomainError):
    """A target that cannot be saved; the message says why."""


@dataclass(frozen=True)
class TargetData:
    name: str
    measure: str
    value: int
    start_month: str = PROGRAMME_START
    deadline_month: str | None = None
    filters: dict = field(default_factory=dict)


def range_message() -> str:
    return _(
        "La meta debe ser un número de %(low)s a %(high)s.",
        low=format_number(MIN_VALUE),
        high=format_number(MAX_VALUE),
    )


def _checked(session: Session, data: TargetData) -> TargetData:
    """The data cleaned, or TargetError naming every field to fix."""
    errors: dict[str, str] = {}
    name = data.name.strip()
    if not name:
        errors["name"] = _("Escriba el nombre de la meta.")
    if data.measure not in aggregates.MEASURES:
        errors["measure"] = _("Elija qué se cuenta.")
    if not MIN_VALUE <= data.value <= MAX_VALUE:
        errors["value"] = range_message()
    start = (data.start_month or "").strip()
    deadline = (data.deadline_month or "").strip() or None
    errors |= _month_errors(start, deadline)
    filters = {name: value for name, value in data.filters.items() if value not in (None, "")}
    if set(filters) - set(TARGET_FILTERS):
        errors[""] = _("Ese filtro no existe. Elija uno de la lista.")
    else:
        try:
            aggregates.parse({"from": PROGRAMME_START, "to": PROGRAMME_START, **filters}, session)
        except aggregates.QueryError:
            errors[""] = _("Ese filtro no existe. Elija uno de la lista.")
    if errors:
        raise TargetError(errors)
    return TargetData(name[:160], data.measure, data.value, start, deadline, filters)


def _month_errors(start: str, deadline: str | None) -> dict[str, str]:
    errors = {}
    if not month_report.is_month(start):
        errors["start_month"] = _("Escriba el mes como año y mes, por ejemplo 2024-01.")
    elif start < PROGRAMME_START:
        errors["start_month"] = _(
            "El programa empezó en %(month)s: elija ese mes o uno posterior.",
            month=month_in_words(PROGRAMME_START),
        )
    if deadline is not None:
        if not month_report.is_month(deadline) or deadline > LAST_MONTH:
            errors["deadline_month"] = _("Escriba el mes como año y mes, por ejemplo 2027-12.")
        elif month_report.is_month(start) and deadline < start:
            errors["deadline_month"] = _("El plazo no puede ser anterior al mes de inicio.")
    return errors


def create(session: Session, data: TargetData) -> ProgrammeTarget:
    clean = _checked(session, data)
    target = ProgrammeTarget(
        name=clean.name,
        measure=clean.measure,
        value=clean.value,
        filters=clean.filters,
        start_month=clean.start_month,
        deadline_month=clean.deadline_month,
    )
    session.add(target)
    session.flush()
    return target


def update(session: Session, target: ProgrammeTarget, data: TargetData) -> ProgrammeTarget:
    clean = _checked(session, data)
    target.name, target.measure, target.value = clean.name, clean.measure, clean.value
    target.filters = clean.filters
    target.start_month, target.deadline_month = clean.start_month, clean.deadline_month
    session.flush()
    return target


def delete(session: Session, target: ProgrammeTarget) -> None:
    session.delete(target)
    session.flush()


def data_of(target: ProgrammeTarget) -> TargetData:
    """A saved target as form data, to edit it."""
    return TargetData(
        target.name,
        target.measure,
        target.value,
        target.start_month,
        target.deadline_month,
        dict(target.filters or {}),
    )


@dataclass(frozen=True)
class Progress:
    target: ProgrammeTarget
    #: None when the measure cannot be split by the target's filters; 0 before it starts.
    reached: int | None
    #: The last month counted: the month asked about, or the deadline when it came first.
    counted_to: str

    @property
    def percent(self) -> int:
        if not self.reached:
            return 0
        return min(100, round(100 * self.reached / self.target.value))


def progress_of(session: Session, target: ProgrammeTarget, *, last_month: str) -> Progress:
    end = min(last_month, target.deadline_month or last_month)
    if target.start_month > end:
        return Progress(target, 0, end)
    query = aggregates.parse({"from": target.start_month, "to": end, **target.filters}, session)
    return Progress(target, aggregates.run(session, query)["totals"][target.measure], end)


def progress(session: Session, *, last_month: str) -> list[Progress]:
    return [
        progress_of(session, target, last_month=last_month)
        for target in session.scalars(sa.select(ProgrammeTarget).order_by(ProgrammeTarget.id))
    ]
