"""CSV text that people open in a spreadsheet program (Excel, LibreOffice Calc).

A header row of words in the page's language, then one row per record: days as YYYY-MM-DD and
numbers as plain digits, which spreadsheets read as dates and numbers; nothing for no value; and
a text cell that a spreadsheet would run as a formula starts with an apostrophe instead. The
download itself (with the BOM that makes Excel read UTF-8) is `views.csv_download`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

#: What makes a spreadsheet take a cell for a formula (OWASP, "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(header: Iterable, rows: Iterable[Iterable]) -> str:
    """The header (lazy labels become text now, in the current language) and the rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([str(name) for name in header])
    writer.writerows([cell(value) for value in row] for row in rows)
    return buffer.getvalue()


def cell(value):
    """One value as the spreadsheet should read it."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
