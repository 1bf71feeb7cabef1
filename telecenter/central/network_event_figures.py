"""How many came to each network teleconference, per telecenter and in total, from the
`network_events` sections of the month reports received so far (telecenter.central.ingest):
the figures grow as late reports arrive. Distinct participants add up across telecenters (a
person is counted at one site) and across the sex and age-band rows (one each per person)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from telecenter import month_report
from telecenter.central import network_events
from telecenter.central.models import (
    FACT_NETWORK_ATTENDANCE,
    FACT_NETWORK_EVENTS,
    PUBLIC_ID_PREFIX,
    MonthReport,
    NetworkEvent,
    Telecenter,
)
from telecenter.clock import to_lima
from telecenter.vocabulary import AGE_BANDS, SEXES

#: Whether a telecenter's figures of an event are in: it reported the event; it reported the
#: event's month, computed after the start, without it (not held there, or a site that
#: predates network events); or no such report has arrived yet.
HELD, NOT_HELD, WAITING = "held", "not_held", "waiting"


@dataclass
class Figures:
    sessions_held: int = 0
    unregistered_viewers: int = 0
    attendances: int = 0
    participants: int = 0
    #: Distinct participants by sex and by age band.
    sex: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SEXES, 0))
    age_band: dict[str, int] = field(default_factory=lambda: dict.fromkeys(AGE_BANDS, 0))

    def add(self, other: Figures) -> None:
        self.sessions_held += other.sessions_held
        self.unregistered_viewers += other.unregistered_viewers
        self.attendances += other.attendances
        self.participants += other.participants
        for key, value in other.sex.items():
            self.sex[key] += value
        for key, value in other.age_band.items():
            self.age_band[key] += value

    def as_json(self) -> dict:
        return {
            "sessions_held": self.sessions_held,
            "attendances": self.attendances,
            "participants": self.participants,
            "women": self.sex["female"],
            "men": self.sex["male"],
            "sex": dict(self.sex),
            "age_band": dict(self.age_band),
            "unregistered_viewers": self.unregistered_viewers,
        }


def by_telecenter(session: Session, event_ids: list[int]) -> dict[int, dict[int, Figures]]:
    """event id -> telecenter id -> its figures, for every telecenter that reported it."""
    result: dict[int, dict[int, Figures]] = {}

    def cell(event_id: int, telecenter_id: int) -> Figures:
        return result.setdefault(event_id, {}).setdefault(telecenter_id, Figures())

    if not event_ids:
        return result
    events, people = FACT_NETWORK_EVENTS.c, FACT_NETWORK_ATTENDANCE.c
    for row in session.execute(
        sa.select(
            events.event_id,
            events.telecenter_id,
            sa.func.sum(events.sessions_held),
            sa.func.sum(events.unregistered_viewers),
        )
        .where(events.event_id.in_(event_ids))
        .group_by(events.event_id, events.telecenter_id)
    ):
        figures = cell(row[0], row[1])
        figures.sessions_held, figures.unregistered_viewers = int(row[2]), int(row[3])
    for row in session.execute(
        sa.select(
            people.event_id,
            people.telecenter_id,
            people.sex,
            people.age_band,
            sa.func.sum(people.attendances),
            sa.func.sum(people.participants),
        )
        .where(people.event_id.in_(event_ids))
        .group_by(people.event_id, people.telecenter_id, people.sex, people.age_band)
    ):
        figures = cell(row[0], row[1])
        figures.attendances += int(row[4])
        figures.participants += int(row[5])
        figures.sex[row[2]] += int(row[5])
        figures.age_band[row[3]] += int(row[5])
    return result


def total(figures: dict[int, Figures]) -> Figures:
    summed = Figures()
    for one in figures.values():
        summed.add(one)
    return summed


@dataclass(frozen=True)
class Place:
    """One telecenter on an event's page: was it for it, has it reported, what it counted."""

    telecenter: Telecenter
    invited: bool
    status: str
    figures: Figures


def places(session: Session, event: NetworkEvent) -> tuple[list[Place], Figures]:
    """Every telecenter the event is for, and any other that reported it, with its figures;
    and the total over all of them."""
    figures = by_telecenter(session, [event.id]).get(event.id, {})
    invited = {t.id: t for t in network_events.audience_of(session, event)}
    others = [tid for tid in figures if tid not in invited]
    reporters = {
        t.id: t for t in session.scalars(sa.select(Telecenter).where(Telecenter.id.in_(others)))
    }
    month = month_report.month_of(to_lima(event.starts_at))
    after_start = set(
        session.scalars(
            sa.select(MonthReport.telecenter_id).where(
                MonthReport.month == month, MonthReport.generated_at >= event.starts_at
            )
        )
    )
    rows = []
    for telecenter in sorted([*invited.values(), *reporters.values()], key=lambda t: t.code):
        mine = figures.get(telecenter.id)
        status = HELD if mine else NOT_HELD if telecenter.id in after_start else WAITING
        rows.append(Place(telecenter, telecenter.id in invited, status, mine or Figures()))
    return rows, total(figures)


@dataclass(frozen=True)
class Unknown:
    """Figures a telecenter reported under an id central has no event for."""

    public_id: str
    telecenter: Telecenter
    months: tuple[str, ...]
    figures: Figures


def unknown(session: Session) -> list[Unknown]:
    """Reported ids with no NetworkEvent (a site's mistake, or an event of another central):
    stored so that the month was not refused, shown apart so that nobody counts them in."""
    events = FACT_NETWORK_EVENTS.c
    orphans = session.execute(
        sa.select(events.event_id, events.telecenter_id, events.month)
        .where(events.event_id.not_in(sa.select(NetworkEvent.id)))
        .order_by(events.event_id, events.telecenter_id, events.month)
    ).all()
    if not orphans:
        return []
    figures = by_telecenter(session, sorted({row[0] for row in orphans}))
    names = {
        t.id: t
        for t in session.scalars(
            sa.select(Telecenter).where(Telecenter.id.in_({row[1] for row in orphans}))
        )
    }
    months: dict[tuple[int, int], list[str]] = {}
    for event_id, telecenter_id, month in orphans:
        months.setdefault((event_id, telecenter_id), []).append(month)
    return [
        Unknown(
            f"{PUBLIC_ID_PREFIX}{event_id}",
            names[telecenter_id],
            tuple(found),
            figures[event_id][telecenter_id],
        )
        for (event_id, telecenter_id), found in months.items()
    ]


def events(
    session: Session, first: datetime | None = None, last: datetime | None = None
) -> list[NetworkEvent]:
    """Every event starting in [first, last) (either bound may be left out), by start."""
    query = sa.select(NetworkEvent).order_by(NetworkEvent.starts_at, NetworkEvent.id)
    if first is not None:
        query = query.where(NetworkEvent.starts_at >= first)
    if last is not None:
        query = query.where(NetworkEvent.starts_at < last)
    return list(session.scalars(query))


def by_month(events_: list[NetworkEvent]) -> list[tuple[str, list[NetworkEvent]]]:
    """Events grouped by the month (YYYY-MM, Lima) they start in, in the order given."""
    months: dict[str, list[NetworkEvent]] = {}
    for event in events_:
        months.setdefault(month_report.month_of(to_lima(event.starts_at)), []).append(event)
    return list(months.items())


def as_json(session: Session, event: NetworkEvent, *, with_places: bool = True) -> dict:
    """An event as the API gives it: what sites receive, whom it is for, and its figures."""
    rows, summed = places(session, event)
    answer = network_events.as_settings(event) | {
        "audience": event.audience,
        "region": event.region,
        "telecenters": [p.telecenter.code for p in rows if p.invited],
        "reported": sum(1 for p in rows if p.status == HELD),
        "totals": summed.as_json(),
    }
    if with_places:
        answer["by_telecenter"] = [
            {
                "telecenter": p.telecenter.code,
                "name": p.telecenter.name,
                "region": p.telecenter.region,
                "invited": p.invited,
                "status": p.status,
                **p.figures.as_json(),
            }
            for p in rows
        ]
    return answer


def unknown_json(session: Session) -> list[dict]:
    return [
        {
            "id": u.public_id,
            "telecenter": u.telecenter.code,
            "months": list(u.months),
            **u.figures.as_json(),
        }
        for u in unknown(session)
    ]
