"""The indicator tracking workbook: actual by quarter and for the fiscal year equal independent
distinct counts of the people sent; the year is not the sum of its quarters; numbers are
number cells; a bad year changes nothing and says why."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.central.test_indicators import distinct, load

DIGITAL = "TC_TRAINED_DIGITAL"
QUARTERS = {
    "2024-Q4": ("2024-10", "2024-12"),
    "2025-Q1": ("2025-01", "2025-03"),
    "2025-Q2": ("2025-04", "2025-06"),
    "2025-Q3": ("2025-07", "2025-09"),
}


def _book(client, year="FY2025"):
    answer = client.get(f"/central/indicators/workbook.xlsx?fiscal_year={year}")
    assert answer.status_code == 200
    assert answer.mimetype.endswith("spreadsheetml.sheet")
    return load_workbook(io.BytesIO(answer.data))


def test_quarters_and_the_fiscal_year_equal_distinct_people(central, signed_in_central):
    crowd = load(central, seed=13)
    book = _book(signed_in_central(central))
    sheet = book["Indicadores"]
    header = [c.value for c in sheet[1]]
    assert header[:5] == ["Código", "Indicador", "Unidad", "Línea de base", "Meta"]
    assert header[5:10] == [*QUARTERS, "FY2025"]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]}
    digital = rows[DIGITAL]
    for index, (first, last) in enumerate(QUARTERS.values()):
        expected = sum(distinct(crowd, "trained:digital_literacy", first, last).values())
        assert digital[5 + index] == expected
    year = sum(distinct(crowd, "trained:digital_literacy", "2024-10", "2025-09").values())
    assert digital[9] == year
    assert isinstance(digital[9], int)
    quarters_added = sum(digital[5:9])
    assert year < quarters_added  # people who came back in another quarter count once

    splits = book["Desgloses"]
    assert [c.value for c in splits[1]] == ["Código", "Indicador", "Periodo", "Desglose", "Cifra"]
    by_period: dict[str, int] = {}
    for code, _name, period, _split, value in splits.iter_rows(min_row=2, values_only=True):
        if code == DIGITAL and value is not None:
            by_period[period] = by_period.get(period, 0) + value
    assert by_period["FY2025"] == year
    first, last = QUARTERS["2025-Q2"]
    assert by_period["2025-Q2"] == sum(
        distinct(crowd, "trained:digital_literacy", first, last).values()
    )


@pytest.mark.parametrize("year", ["2025-Q1", "FY25", "2025", "FY2100"])
def test_a_year_that_is_no_fiscal_year_goes_back_with_a_reason(central, signed_in_central, year):
    client = signed_in_central(central)
    answer = client.get(f"/central/indicators/workbook.xlsx?fiscal_year={year}")
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith("/central/indicators")
    page = client.get("/central/indicators").get_data(as_text=True)
    assert 'class="flash flash-error"' in page


def test_anonymous_people_are_sent_to_sign_in(central):
    answer = central.test_client().get("/central/indicators/workbook.xlsx")
    assert answer.status_code == 302
    assert "/sign-in" in answer.headers["Location"]
