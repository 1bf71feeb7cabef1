"""Whole numbers and days read from URLs, query strings and posted ids, kept within what the
database and the calendar can hold: a number past them is "not found" or a form error, never
an overflow deep in a query (SQLite stops at 2^63, PostgreSQL's integer at 2^31 - 1)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from flask import request
from werkzeug.routing import IntegerConverter

#: The largest id or count any table stores (PostgreSQL's `integer`).
MAX_INT = 2**31 - 1
#: The days the calendar and date filters show; others are taken to the nearest of these.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2199, 12, 31)

_ASCII_DIGITS = re.compile(r"[0-9]{1,10}")


class BoundedIntConverter(IntegerConverter):
    """Flask's `int` URL converter with an upper bound: /sessions/99999999999999999999 is a
    404 like any id that does not exist. Registered as `int`, so every route has it."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = None):
        bound = MAX_INT if max is None else max
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=bound)


def stored_id(text: str | None) -> int | None:
    """An id typed as ASCII digits that a table could hold, or None ("١٢٣", "-1", "9" * 30)."""
    typed = (text or "").strip()
    if not _ASCII_DIGITS.fullmatch(typed):
        return None
    value = int(typed)
    return value if value <= MAX_INT else None


def stored_ids(values: Iterable[str]) -> list[int]:
    """The posted ids that could exist; the others name no row and are left out."""
    return [value for value in map(stored_id, values) if value is not None]


def query_int(name: str, default: int, *, minimum: int = 1, maximum: int = MAX_INT) -> int:
    """A number from the query string (?page=3), taken into [minimum, maximum]; the default
    when it is missing or not ASCII digits."""
    typed = request.args.get(name, "").strip()
    if not re.fullmatch(r"-?[0-9]{1,30}", typed):
        return default
    return min(max(int(typed), minimum), maximum)


def query_day(name: str, default: date) -> date:
    """A day from the query string (?date=2026-03-01) within FIRST_DAY..LAST_DAY (9999-12-31
    becomes LAST_DAY, so the page can still step a week forward); the default when it is
    missing or not a day."""
    try:
        day = date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return default
    return min(max(day, FIRST_DAY), LAST_DAY)
