"""Documents, ages and age bands (no database)."""

from __future__ import annotations

from datetime import date

import pytest

from telecenter.participants import identity

TODAY = date(2026, 11, 29)


@pytest.mark.parametrize(
    ("kind", "raw", "stored"),
    [
        ("dni", "10117410", "10117410"),
        ("dni", "10117410-2", "10117410"),
        ("dni", "10117410G", "10117410"),
        ("dni", " 1011 7410 ", "10117410"),
        ("ce", "ab-12345", "AB12345"),
        ("none", "", None),
    ],
)
def test_valid_documents_are_normalised(app_ctx, kind, raw, stored):
    assert identity.normalise_document(kind, raw) == stored


@pytest.mark.parametrize(
    ("kind", "raw", "message"),
    [
        ("dni", "10117410-3", "verificación"),
        ("dni", "1011741", "8 números"),
        ("dni", "1011741X", "8 números"),
        ("dni", "", "Escriba"),
        ("ce", "ABCDEFGHIJKLM", "12"),
        ("none", "123", "vacío"),
    ],
)
def test_invalid_documents_are_refused_with_a_reason(app_ctx, kind, raw, message):
    with pytest.raises(identity.InvalidDocument, match=message):
        identity.normalise_document(kind, raw)


@pytest.mark.parametrize(
    ("birth", "on", "band"),
    [
        (date(2011, 11, 30), TODAY, "unknown"),  # 14 and a day short of 15
        (date(2011, 11, 29), TODAY, "15-17"),
        (date(2008, 11, 30), TODAY, "15-17"),
        (date(2008, 11, 29), TODAY, "18-29"),
        (date(1996, 11, 29), TODAY, "30-44"),
        (date(1981, 11, 30), TODAY, "30-44"),
        (date(1981, 11, 29), TODAY, "45-59"),
        (date(1966, 11, 29), TODAY, "60+"),
    ],
)
def test_age_bands_change_on_the_birthday(birth, on, band):
    assert identity.age_band(identity.age_on(on, birth_date=birth, birth_year=None)) == band


def test_birth_year_alone_counts_the_birthday_as_first_of_july():
    assert identity.age_on(date(2026, 6, 30), birth_date=None, birth_year=2008) == 17
    assert identity.age_on(date(2026, 7, 1), birth_date=None, birth_year=2008) == 18
    assert identity.age_band(None) == "unknown"


@pytest.mark.parametrize(
    ("birth_date", "birth_year", "message"),
    [
        (date(2027, 1, 1), None, "futuro"),
        (None, 2030, "futuro"),
        (date(1900, 1, 1), None, "110"),
        (date(2015, 1, 1), None, "15 años"),
    ],
)
def test_impossible_births_are_refused(app_ctx, birth_date, birth_year, message):
    assert message in identity.check_birth(TODAY, birth_date=birth_date, birth_year=birth_year)


def test_plausible_birth_is_accepted(app_ctx):
    assert identity.check_birth(TODAY, birth_date=date(1990, 1, 1), birth_year=None) is None
