"""CSV import (all rows or none) and export."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from telecenter.extensions import db
from telecenter.participants import csv_io
from telecenter.participants.models import Participant
from tests.conftest import count_rows

TODAY = date(2026, 11, 29)
HEADER = "nombres,apellidos,tipo_documento,numero_documento,sexo,fecha_nacimiento,ubigeo,comunidad"
GOOD_ROWS = [
    "Rosa,Huamán,dni,10117410,mujer,1985-03-02,220901,Pucayacu",
    "Julio,Panduro,dni,44556677,hombre,04/07/1979,100101,Amarilis",
    "Elena,Ríos,,,female,1999-12-31,250101,Yarinacocha",
]


def _csv(*rows, header=HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def _import(raw: bytes):
    return csv_io.import_csv(db.session, raw, actor=None, today=TODAY)


def test_a_clean_file_imports_every_row(app_ctx):
    report = _import(_csv(*GOOD_ROWS))
    db.session.commit()
    assert report.imported == 3
    names = db.session.scalars(db.select(Participant.given_names).order_by(Participant.id)).all()
    assert names == ["Rosa", "Julio", "Elena"]
    assert count_rows(app_ctx, "consents") == 3


def test_semicolons_and_a_bom_from_excel_are_understood(app_ctx):
    raw = ("\ufeff" + "\n".join(line.replace(",", ";") for line in [HEADER, *GOOD_ROWS])).encode(
        "utf-8"
    )
    assert _import(raw).imported == 3


def _rejected(raw: bytes) -> csv_io.ImportReport:
    with pytest.raises(csv_io.ImportRejected) as rejected:
        _import(raw)
    db.session.rollback()
    return rejected.value.report


def test_one_bad_row_means_nothing_is_imported_and_each_problem_is_reported(app_ctx):
    report = _rejected(
        _csv(
            GOOD_ROWS[0],
            "Ana,Soto,dni,1234,mujer,1990-01-01,220901,X",
            "Luis,Vela,dni,55667788,hombre,2030-01-01,999999,Y",
        )
    )
    assert (3, "numero_documento") in {(row, column) for row, column, _ in report.errors}
    assert (4, "fecha_nacimiento") in {(row, column) for row, column, _ in report.errors}
    assert (4, "ubigeo") in {(row, column) for row, column, _ in report.errors}
    assert count_rows(app_ctx, "participants") == 0


def test_a_cell_over_the_csv_field_limit_is_refused_whole(app_ctx):
    import csv

    huge = "x" * (csv.field_size_limit() + 1)
    report = _rejected(_csv(GOOD_ROWS[0], f"Ana,{huge},,,mujer,1990-01-01,220901,X"))
    assert report.errors[0][0] == 0
    assert "demasiado larga" in report.errors[0][2]
    assert count_rows(app_ctx, "participants") == 0


def test_lines_ending_in_a_lone_carriage_return_are_refused_whole(app_ctx):
    raw = ("\r".join([HEADER, *GOOD_ROWS]) + "\r").encode("utf-8")
    report = _rejected(raw)
    assert "CSV UTF-8" in report.errors[0][2]
    assert count_rows(app_ctx, "participants") == 0


def test_windows_line_endings_still_import(app_ctx):
    raw = ("\r\n".join([HEADER, *GOOD_ROWS]) + "\r\n").encode("utf-8")
    assert _import(raw).imported == 3


@pytest.mark.parametrize("year", ["١٩٨٥", "99999999999999999999", "85"])
def test_a_birth_year_not_four_ascii_digits_is_a_row_error(app_ctx, year):
    header = "nombres,apellidos,sexo,anio_nacimiento,ubigeo"
    report = _rejected(_csv(f"Rosa,Huamán,mujer,{year},220901", header=header))
    assert (2, "anio_nacimiento") in {(row, column) for row, column, _ in report.errors}
    assert count_rows(app_ctx, "participants") == 0


def test_duplicates_within_the_file_and_with_the_registry_are_reported(app_ctx, make_participant):
    make_participant(
        document_type="dni",
        document_number="44556677",
        given_names="Julio",
        surnames="Panduro",
        sex="male",
    )
    report = _rejected(_csv(GOOD_ROWS[0], GOOD_ROWS[1], GOOD_ROWS[0]))
    messages = {row: message for row, _, message in report.errors}
    assert "ya está registrada" in messages[3]
    assert "fila 2" in messages[4]
    assert count_rows(app_ctx, "participants") == 1


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "vacío"),
        (HEADER.encode() + b"\n", "no tiene filas"),
        (_csv("Rosa,Huaman,mujer", header="nombres,apellidos,genero"), "genero"),
        (_csv("Rosa", header="nombres"), "faltan columnas"),
        ("nombres,apellidos,sexo\nJosé,Peña,hombre\n".encode("latin-1"), "UTF-8"),
    ],
)
def test_malformed_files_get_a_clear_message(app_ctx, raw, message):
    report = _rejected(raw)
    assert message in report.errors[0][2]
    assert count_rows(app_ctx, "participants") == 0


def test_ten_thousand_rows_are_refused_before_any_work(app_ctx):
    rows = [f"Persona{i},Apellido,none,,mujer,1990-01-01,220901,X" for i in range(10_000)]
    report = _rejected(_csv(*rows))
    assert "10000" in report.errors[0][2]
    assert str(csv_io.MAX_ROWS) in report.errors[0][2]


def test_export_reimports_and_neutralises_spreadsheet_formulas(app_ctx):
    _import(_csv(*GOOD_ROWS, "=HYPERLINK(1),Cruz,none,,mujer,1990-01-01,220901,@Comunidad"))
    db.session.commit()
    participants = db.session.scalars(db.select(Participant)).all()
    text = csv_io.export_csv(db.session, participants, actor=None)
    assert "'=HYPERLINK(1)" in text
    assert "'@Comunidad" in text
    db.session.execute(db.text("DELETE FROM consents"))
    db.session.execute(db.text("DELETE FROM participants"))
    db.session.commit()
    assert _import(text.encode("utf-8")).imported == 4


def test_export_gives_the_day_of_registration_in_lima(app_ctx):
    """Registered at 20:30 in Lima (01:30 UTC the next day): the export says the Lima day."""
    import time_machine

    with time_machine.travel(datetime(2026, 12, 2, 1, 30, tzinfo=UTC), tick=False):
        _import(_csv(GOOD_ROWS[0]))
        db.session.commit()
    row = list(csv_io.export_rows(db.session.scalars(db.select(Participant))))[1]
    assert row[-1] == "2026-12-01"
