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
    ) -> Iterator[tuple[int, str, str, datetime, list[str]]]:
        """(person, scope, month, moment, the period kinds whose period begins for her there)
        of each month holding a first event in some period. Months are taken in order, so a
        period begins where its name changes."""
        named: dict[str, tuple[tuple[str, str], ...]] = {}  # month -> (kind, its period)
        for (pid, scope), months in self.first.items():
            last: dict[str, str] = {}
            for month in sorted(months):
                names = named.get(month)
                if names is None:
                    names = named[month] = tuple(
                        (kind, period_of(kind, month, fiscal_year_start)) for kind in periods
                    )
                kinds = [kind for kind, name in names if last.get(kind) != name]
                if kinds:
                    last.update(names)
                    yield pid, scope, month, months[month], kinds
