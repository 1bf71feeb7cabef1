"""Programme targets (e.g. 5,000 women in the financial-inclusion programme) and progress."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from telecenter.central import aggregates
from telecenter.central.models import ProgrammeTarget
from telecenter.domain_errors import DomainError

#: Since when programme targets count (the network's first telecenters).
PROGRAMME_START = "2012-01"


class TargetError(DomainError):
    """A target that cannot be saved; the message says why."""


def save(
    session: Session, *, name: str, measure: str, value: int, filters: dict, last_month: str
) -> ProgrammeTarget:
    if not name.strip():
        raise TargetError(_("Escriba el nombre de la meta."))
    if measure not in aggregates.MEASURES:
        raise TargetError(_("Indicador desconocido."))
    if not 1 <= value <= 10_000_000:
        raise TargetError(_("La meta debe ser un número de 1 a 10 000 000."))
    clean = {k: v for k, v in filters.items() if v not in (None, "")}
    try:
        aggregates.parse({"from": PROGRAMME_START, "to": last_month, **clean}, session)
    except aggregates.QueryError as error:
        raise TargetError(str(error)) from None
    target = ProgrammeTarget(name=name.strip()[:160], measure=measure, value=value, filters=clean)
    session.add(target)
    session.flush()
    return target


@dataclass(frozen=True)
class Progress:
    target: ProgrammeTarget
    reached: int | None

    @property
    def percent(self) -> int:
        if not self.reached:
            return 0
        return min(100, round(100 * self.reached / self.target.value))


def progress(session: Session, *, last_month: str) -> list[Progress]:
    result = []
    for target in session.scalars(sa.select(ProgrammeTarget).order_by(ProgrammeTarget.id)):
        query = aggregates.parse(
            {"from": PROGRAMME_START, "to": last_month, **target.filters}, session
        )
        answer = aggregates.run(session, query)
        result.append(Progress(target, answer["totals"][target.measure]))
    return result
