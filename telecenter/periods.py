"""Reporting periods: which fiscal year, year, quarter or month a month belongs to.

One definition for the site (reach per period in its month reports) and central (grouping and
checking that an asked range covers whole periods). A fiscal year is named by the year it ends
in: with the default start in October, FY2026 runs from 2025-10 to 2026-09. Quarters follow
the calendar year.
"""

from __future__ import annotations

DEFAULT_FISCAL_YEAR_START = 10


def _parts(month: str) -> tuple[int, int]:
    return int(month[:4]), int(month[5:7])


def period_of(kind: str, month: str, fiscal_year_start: int = DEFAULT_FISCAL_YEAR_START) -> str:
    """The name of the period of `kind` that contains `month` (YYYY-MM)."""
    year, number = _parts(month)
    if kind == "ever":
        return "ever"
    if kind == "month":
        return month
    if kind == "year":
        return f"{year:04d}"
    if kind == "quarter":
        return f"{year:04d}-Q{(number - 1) // 3 + 1}"
    if kind == "fiscal_year":
        ends_next_year = fiscal_year_start > 1 and number >= fiscal_year_start
        return f"FY{year + int(ends_next_year):04d}"
    raise ValueError(f"unknown period kind {kind!r}")


def _shift(month: str, months: int) -> str:
    year, number = _parts(month)
    index = year * 12 + number - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def first_month(kind: str, month: str, fiscal_year_start: int = DEFAULT_FISCAL_YEAR_START) -> str:
    """The first month of the period of `kind` that contains `month` (not for `ever`)."""
    year, number = _parts(month)
    if kind == "month":
        return month
    if kind == "year":
        return f"{year:04d}-01"
    if kind == "quarter":
        return f"{year:04d}-{(number - 1) // 3 * 3 + 1:02d}"
    if kind == "fiscal_year":
        back = (number - fiscal_year_start) % 12
        return _shift(month, -back)
    raise ValueError(f"period kind {kind!r} has no first month")


def last_month(kind: str, month: str, fiscal_year_start: int = DEFAULT_FISCAL_YEAR_START) -> str:
    """The last month of the period of `kind` that contains `month` (not for `ever`)."""
    length = {"month": 1, "quarter": 3, "year": 12, "fiscal_year": 12}[kind]
    return _shift(first_month(kind, month, fiscal_year_start), length - 1)


def covers_whole_periods(
    kind: str, first: str, last: str, fiscal_year_start: int = DEFAULT_FISCAL_YEAR_START
) -> bool:
    """Whether the range first..last starts where a period of `kind` starts and ends where
    one ends (always true for `ever`: it has no bounds)."""
    if kind == "ever":
        return True
    return first_month(kind, first, fiscal_year_start) == first and (
        last_month(kind, last, fiscal_year_start) == last
    )
