"""The same numbers as the screen, as files: CSV for programs reading the API (codes, as in
the JSON), and CSV or Excel for people (the dashboard's words in the page's language), with
the office's exact figures or, for publication, with small cells hidden (`small_cells`)."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import gettext as _

from telecenter import labels, spreadsheets
from telecenter.central import small_cells
from telecenter.domain_errors import DomainError


def participation_csv(answer: dict) -> str:
    """For programs: the answer's own keys and codes, notes as "# " lines after the rows."""
    header = [*answer["group_by"], *answer["totals"]]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in answer["rows"]:
        writer.writerow(["" if row.get(name) is None else row.get(name) for name in header])
    for note in answer.get("notes", []):
        buffer.write(f"# {note}\n")
    return buffer.getvalue()


class DownloadError(DomainError):
    """A download asked in a way that has no file; the message says the ways there are."""


@dataclass(frozen=True)
class Choice:
    """How a person wants the file: the CSV separator, and whether it is for publication."""

    separator: spreadsheets.Separator = spreadsheets.COMMA
    public: bool = False


def choice_from(args: Mapping) -> Choice:
    """`sep` (comma, semicolon) and `public` (1, or 0) of a download link, or DownloadError."""
    sep, public = args.get("sep") or "comma", args.get("public") or "0"
    if sep not in spreadsheets.SEPARATORS:
        raise DownloadError(_("El separador del CSV puede ser «comma» (,) o «semicolon» (;)."))
    if public not in ("0", "1"):
        raise DownloadError(_("«public» puede ser 1 (para publicar) o 0 (cifras exactas)."))
    return Choice(spreadsheets.SEPARATORS[sep], public == "1")


@dataclass(frozen=True)
class Sheet:
    """A table for people: header, rows (words for codes, numbers, marks of hidden cells)
    and footer lines (what the figures cover, and why a cell is blank or hidden)."""

    header: list[str]
    rows: list[list]
    footer: list[list]


def for_people(
    answer: dict,
    *,
    measure_labels: Mapping,
    group_labels: Mapping,
    public_minimum: int | None = None,
) -> Sheet:
    """The answer with the dashboard's words; small cells hidden when `public_minimum` is set."""
    groups, measures = answer["group_by"], list(answer["totals"])
    hidden = (
        small_cells.hidden_cells(answer["rows"], measures, minimum=public_minimum)
        if public_minimum
        else {}
    )
    marks = {
        small_cells.SMALL: f"<{public_minimum}",
        small_cells.COMPLEMENT: _("oculto"),
    }
    rows = [
        [value_label(g, row[g]) for g in groups]
        + [marks[hidden[i, m]] if (i, m) in hidden else row[m] for m in measures]
        for i, row in enumerate(answer["rows"])
    ]
    header = [str(group_labels[g]) for g in groups] + [str(measure_labels[m]) for m in measures]
    return Sheet(header, rows, _footer(answer, rows, group_labels, public_minimum))


def value_label(dimension: str, value) -> str:
    """A group's value as the dashboard names it; a month as text that stays text."""
    if dimension == "month" and value:
        return spreadsheets.month_label(value)
    return labels.label(dimension, value, plural=True)


def _footer(
    answer: dict, rows: list[list], group_labels: Mapping, public_minimum: int | None
) -> list[list]:
    lines = [
        [_("Desde"), spreadsheets.month_label(answer["from"])],
        [_("Hasta"), spreadsheets.month_label(answer["to"])],
    ]
    lines += [
        [str(group_labels[name]), value_label(name, value)]
        for name, value in answer["filters"].items()
    ]
    notes = []
    if any(value is None for row in rows for value in row):
        notes.append(
            _("Una celda vacía es una cifra que no se puede separar con los filtros elegidos.")
        )
    notes += answer.get("notes", [])
    if public_minimum:
        notes += [
            _(
                "Para publicar: las cifras de 1 a %(top)d se muestran como «<%(minimum)d»; "
                "«oculto» es una cifra de %(minimum)d o más, oculta para que la anterior no se "
                "pueda calcular restando del total. Los ceros se muestran.",
                top=public_minimum - 1,
                minimum=public_minimum,
            ),
            _("Las horas se ocultan en las filas cuyas asistencias se ocultan."),
        ]
    return lines + [[_("Nota"), note] for note in notes]


def sheet_csv(sheet: Sheet, separator: spreadsheets.Separator) -> str:
    return spreadsheets.csv_text(sheet.header, sheet.rows, separator=separator, footer=sheet.footer)


def sheet_xlsx(sheet: Sheet, *, title: str) -> bytes:
    return spreadsheets.xlsx_bytes(title, sheet.header, sheet.rows, footer=sheet.footer)
