"""The same numbers as the screen, as CSV and Excel files."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook


def _table(answer: dict) -> tuple[list[str], list[list]]:
    header = [*answer["group_by"], *answer["totals"]]
    rows = [[row.get(name) for name in header] for row in answer["rows"]]
    return header, rows


def participation_csv(answer: dict) -> str:
    header, rows = _table(answer)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
    # Why some cells are blank, after the rows: one "# " line per note (readers skip them).
    for note in answer.get("notes", []):
        buffer.write(f"# {note}\n")
    return buffer.getvalue()


def participation_xlsx(answer: dict, *, title: str) -> bytes:
    header, rows = _table(answer)
    book = Workbook()
    sheet = book.worksheets[0]  # the one sheet of a new workbook, its active one
    sheet.title = title[:31]
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    sheet.append([])
    sheet.append(["from", answer["from"], "to", answer["to"]])
    for key, value in answer["filters"].items():
        sheet.append(["filter", key, str(value)])
    for note in answer.get("notes", []):
        sheet.append(["note", note])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
