"""Small cells hidden in figures for publication, so that no published figure points at a
person; central's own figures (dashboard, API, the office's downloads) stay exact.

A count of 1 to `minimum` - 1 people or attendances is primary-hidden ("<5"). The rows of a
table add up to totals that are published elsewhere (the dashboard's headline, other tables),
so a column with a hidden small count also hides its smallest count of `minimum` or more
(complementary hiding): total minus the shown cells then gives only the sum of two hidden
cells, which does not tell the small one. Zeros are shown (nobody is no one to point at).
Hours follow the attendances of their row (hours of one attendance tell the attendance); no
table here carries shares. Only the answer's rows are marked: the figures computed stay exact.
"""

from __future__ import annotations

from telecenter.central.aggregates import base_measure

#: Why a cell is hidden: a small count, or a count hidden so that a small one stays hidden.
SMALL, COMPLEMENT = "small", "complement"
#: Sessions held count sessions, not people: never hidden.
NOT_PEOPLE = frozenset({"sessions_held"})
#: A measure hidden wherever another one of its row is.
FOLLOWS = {"hours": "attendances"}


def hidden_cells(rows: list[dict], measures, *, minimum: int) -> dict[tuple[int, str], str]:
    """(row index, measure) -> SMALL or COMPLEMENT for each cell to hide."""
    marks: dict[tuple[int, str], str] = {}
    for measure in measures:
        if base_measure(measure) not in NOT_PEOPLE and measure not in FOLLOWS:
            marks |= _column(rows, measure, minimum)
    for measure, leader in FOLLOWS.items():
        if measure in measures:
            marks |= {(i, measure): COMPLEMENT for (i, name) in list(marks) if name == leader}
    return marks


def _column(rows: list[dict], measure: str, minimum: int) -> dict[tuple[int, str], str]:
    values = [(row.get(measure), i) for i, row in enumerate(rows)]
    small = {(i, measure): SMALL for v, i in values if v is not None and 0 < v < minimum}
    large = [(v, i) for v, i in values if v is not None and v >= minimum]
    if small and large:
        small[(min(large)[1], measure)] = COMPLEMENT
    return small
