"""Files that people open in a spreadsheet program (Excel, LibreOffice Calc): CSV and XLSX.

A header row of words in the page's language, then one row per record: days as YYYY-MM-DD and
numbers as plain digits, which spreadsheets read as dates and numbers; nothing for no value; and
a text cell that a spreadsheet would run as a formula starts with an apostrophe instead. CSV
lines end with CRLF (RFC 4180, and what Excel writes); the download itself (with the BOM that
makes Excel read UTF-8) is `views.csv_download`.

Excel reads a CSV with the list separator of the computer's regional settings: a comma where
the decimal mark is a point (Spanish of Peru or Mexico, English), a semicolon where it is a
comma (Spanish of Spain, Colombia, Argentina...). `SEMICOLON` writes for the latter: `;`
between cells and a decimal comma, so that "12,5" is a number there.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from babel.dates import format_date
from flask_babel import get_locale

#: What makes a spreadsheet take a cell for a formula (OWASP, "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Widest column of an XLSX sheet, in characters (long notes wrap past it instead).
MAX_COLUMN_WIDTH = 60


@dataclass(frozen=True)
class Separator:
    """How cells of one CSV line are separated, and the decimal mark that goes with it."""

    delimiter: str
    decimal_comma: bool


COMMA = Separator(",", decimal_comma=False)
SEMICOLON = Separator(";", decimal_comma=True)
#: The `sep=` values a download accepts.
SEPARATORS = {"comma": COMMA, "semicolon": SEMICOLON}


def csv_text(
    header: Iterable,
    rows: Iterable[Iterable],
    *,
    separator: Separator = COMMA,
    footer: Iterable[Iterable] = (),
) -> str:
    """The header (lazy labels become text now, in the current language) and the rows; then,
    after an empty line, the `footer` lines (what the figures cover, notes), if any."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator.delimiter, lineterminator="\r\n")
    writer.writerow([str(name) for name in header])
    writer.writerows([cell(value, separator) for value in row] for row in rows)
    footer = list(footer)
    if footer:
        writer.writerow([])
        writer.writerows([cell(value, separator) for value in line] for line in footer)
    return buffer.getvalue()


def cell(value, separator: Separator = COMMA):
    """One value as the spreadsheet should read it."""
    if value is None:
        return ""
    if isinstance(value, float) and separator.decimal_comma:
        return repr(value).replace(".", ",")
    if isinstance(value, int | float | date):
        return value
    text = str(value)  # lazy labels too, in the current language
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def month_label(month: str) -> str:
    """A month (YYYY-MM) as a spreadsheet keeps it as text: Excel turns "2026-01" in a CSV
    into the date 1 January 2026 (shown "ene-26"), and a formula (="2026-01") is refused by
    `cell`; "2026-01 (enero)" is no date to it, sorts like the month and reads in the page's
    language."""
    day = date(int(month[:4]), int(month[5:7]), 1)
    return f"{month} ({format_date(day, 'LLLL', locale=get_locale())})"


def xlsx_bytes(
    title: str, header: Iterable, rows: Iterable[Iterable], *, footer: Iterable[Iterable] = ()
) -> bytes:
    """One sheet: see `xlsx_book`."""
    return xlsx_book([(title, header, rows, footer)])


def xlsx_book(
    sheets: Iterable[tuple[str, Iterable, Iterable[Iterable], Iterable[Iterable]]],
) -> bytes:
    """A workbook of (title, header, rows, footer) sheets, each with a bold header row that
    stays in view, the rows (numbers as number cells, text as text cells, never formulas),
    columns as wide as their content, then the footer."""
    # openpyxl (180 modules, 5 MiB) is imported here: a web worker that writes no workbook
    # never loads it.
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.worksheets[0])  # the empty sheet of a new workbook
    for title, header, rows, footer in sheets:
        sheet = book.create_sheet(title[:31])
        sheet.append([str(name) for name in header])
        for header_cell in sheet[1]:
            header_cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for row in rows:
            _append(sheet, row)
        lines = list(footer)
        if lines:
            sheet.append([])
            for line in lines:
                _append(sheet, line)
        _fit_columns(sheet, body_rows=sheet.max_row - len(lines))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _append(sheet, values: Iterable) -> None:
    """A row of cells; a text that starts like a formula stays text."""
    sheet.append([v if v is None or isinstance(v, int | float | date) else str(v) for v in values])
    for written in sheet[sheet.max_row]:
        if isinstance(written.value, str):
            written.data_type = "s"


def _fit_columns(sheet, *, body_rows: int) -> None:
    """Each column as wide as its header and body (the footer's long notes may run over)."""
    from openpyxl.utils import get_column_letter

    for index, column in enumerate(sheet.iter_cols(max_row=body_rows), start=1):
        width = max((len(str(c.value)) for c in column if c.value is not None), default=8)
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, MAX_COLUMN_WIDTH)
