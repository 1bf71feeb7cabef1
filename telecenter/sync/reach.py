"""Reach per period: each person's first qualifying event per scope within each period.

Kept as the first moment per (person, scope, month): the first event inside any period (a
fiscal year, a quarter...) is the first moment of the earliest of its months, so one pass over
the records serves every period kind. See ../shared/DESIGN.md, "Counting, schema 2".
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from telecenter.periods import period_of


class FirstEvents:
    """Per (person, scope): {month: first moment in that month}."""

    def __init__(self) -> None:
        self.first: dict[tuple[int, str], dict[str, datetime]] = {}

    def see(self, participant_id: int, scopes: tuple[str, ...], moment: datetime, month: str):
        for scope in scopes:
            months = self.first.setdefault((participant_id, scope), {})
            known = months.get(month)
            if known is None or moment < known:
                months[month] = moment

    def firsts(
        self, periods: tuple[str, ...], fiscal_year_start: int
    ) -> Iterator[tuple[str, int, str, str, datetime]]:
        """(period kind, person, scope, month, moment) of each first event in a period."""
        names: dict[tuple[str, str], str] = {}  # (kind, month) -> period name, cached
        for (pid, scope), months in self.first.items():
            ordered = sorted(months)
            for kind in periods:
                if kind == "month":
                    for month in ordered:
                        yield kind, pid, scope, month, months[month]
                    continue
                seen = set()
                for month in ordered:
                    name = names.get((kind, month))
                    if name is None:
                        name = names[(kind, month)] = period_of(kind, month, fiscal_year_start)
                    if name not in seen:
                        seen.add(name)
                        yield kind, pid, scope, month, months[month]
