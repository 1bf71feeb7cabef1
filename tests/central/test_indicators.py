"""The indicator catalogue: its figures equal independent counts of generated people sent
through the sync API; the catalogue page lists for staff and is edited by central admins only,
bad input answered beside the field with nothing saved."""

from __future__ import annotations

import random
from collections import Counter

import pytest
import sqlalchemy as sa

from telecenter import periods
from telecenter.central import indicators
from telecenter.central.models import Indicator
from telecenter.extensions import db
from tests.central.test_ingest import send
from tests.conftest import csrf_token

CODE, OTHER = "SM-TARAPOTO-01", "HU-TINGO-02"
MONTHS = [f"2025-{m:02d}" for m in range(1, 7)]
SCOPES = ("any", "trained:digital_literacy", "commodity:cacao")
GROUP = {"15-17": "15-29", "18-29": "15-29", "30-44": "30+", "45-59": "30+"}


def people(seed: int) -> list[dict]:
    """Per person: telecenter, sex, and per scope the (month, age band) of each qualifying
    event; some cross from 18-29 to 30-44 in April."""
    rng = random.Random(seed)
    result = []
    for _ in range(60):
        months = sorted(rng.sample(MONTHS, rng.randint(1, 4)))
        events = [(m, "18-29" if m < "2025-04" else "30-44") for m in months]
        result.append(
            {
                "telecenter": rng.choice([CODE, OTHER]),
                "sex": rng.choice(["female", "male"]),
                "scopes": {
                    s: [e for e in events if s == "any" or rng.random() < 0.5] for s in SCOPES
                },
            }
        )
    return result


def _reach_rows(crowd, code, month):
    counts: Counter = Counter()
    for person in crowd:
        if person["telecenter"] != code:
            continue
        for scope, events in person["scopes"].items():
            for kind in ("ever", "fiscal_year", "year", "quarter", "month"):
                seen = set()
                for event_month, band in events:
                    name = periods.period_of(kind, event_month)
                    if name in seen:
                        continue
                    seen.add(name)
                    if event_month == month:
                        counts[(kind, scope, person["sex"], band)] += 1
    return [
        {"period": k, "scope": s, "sex": x, "age_band": b, "wfi": False, "new_people": n}
        for (k, s, x, b), n in counts.items()
    ]


def _outcomes(code, month):
    """A small fixed stock: women enrolled grow by 3 a month at one telecenter, 2 at the
    other, in two age bands."""
    step = 3 if code == CODE else 2
    index = MONTHS.index(month) + 1
    zeros = {
        f"{i}_{w}": 0
        for i in indicators.vocabulary.WFI_OUTCOME_INDICATORS
        for w in ("baseline", "latest")
    }
    return [
        {
            "age_band": band,
            "enrolled": step * index + extra,
            "with_baseline": index,
            "with_follow_up": 0,
            **zeros,
            "account_latest": index,
        }
        for band, extra in (("18-29", 0), ("45-59", 1))
    ]


def report(crowd, code, month):
    return {
        "schema": 2,
        "rules_version": "1",
        "telecenter": code,
        "month": month,
        "generated_at": "2026-01-01T00:00:00Z",
        **{t: [] for t in ("sessions", "attendance", "registrations", "completions")},
        "wfi_enrolments": [],
        "reach": _reach_rows(crowd, code, month),
        "wfi_outcomes": _outcomes(code, month),
    }


def load(central, seed=7) -> list[dict]:
    crowd = people(seed)
    for code in (CODE, OTHER):
        reports = [report(crowd, code, m) for m in MONTHS]
        answer = send(central, reports, token=central.tokens[code], code=code)
        assert answer.status_code == 200, answer.json
    return crowd


def distinct(crowd, scope, first, last, *, telecenter=None):
    """{(sex, age group at the first event in the range): people} counted from the crowd."""
    counts: Counter = Counter()
    for person in crowd:
        if telecenter not in (None, person["telecenter"]):
            continue
        inside = [(m, b) for m, b in person["scopes"][scope] if first <= m <= last]
        if inside:
            counts[(person["sex"], GROUP[inside[0][1]])] += 1
    return counts


def _indicator(central, code):
    return db.session.scalar(sa.select(Indicator).where(Indicator.code == code))


def test_people_trained_per_quarter_equal_distinct_counts(central):
    crowd = load(central)
    with central.app_context():
        indicator = _indicator(central, "TC_TRAINED_DIGITAL")
        for name, first, last in (
            ("2025-Q1", "2025-01", "2025-03"),
            ("2025-Q2", "2025-04", "2025-06"),
        ):
            period = indicators.period(db.session, name)
            got = {c.options: c.value for c in indicators.cells(db.session, indicator, period)}
            expected = distinct(crowd, "trained:digital_literacy", first, last)
            assert {k: v for k, v in got.items() if v} == dict(expected)
            assert indicators.total(db.session, indicator, period) == sum(expected.values())


def test_per_telecenter_cells_add_up_to_the_network(central):
    crowd = load(central, seed=11)
    with central.app_context():
        indicator = _indicator(central, "TC_TRAINED_DIGITAL")
        period = indicators.period(db.session, "2025-Q2")
        for code in (CODE, OTHER):
            got = Counter()
            for cell in indicators.cells(db.session, indicator, period, by_telecenter=True):
                if cell.telecenter == code:
                    got[cell.options] += cell.value
            expected = distinct(
                crowd, "trained:digital_literacy", "2025-04", "2025-06", telecenter=code
            )
            assert +got == expected


def test_crop_participants_female_share_and_women_in_the_programme(central):
    crowd = load(central, seed=3)
    with central.app_context():
        period = indicators.period(db.session, "2025-Q1")
        crop = _indicator(central, "TC_CROP_PARTICIPANTS")
        cells = {c.options: c.value for c in indicators.cells(db.session, crop, period)}
        by_sex = distinct(crowd, "commodity:cacao", "2025-01", "2025-03")
        for sex in ("female", "male"):
            expected = sum(n for (s, _g), n in by_sex.items() if s == sex)
            assert cells.get(("cacao", sex), 0) == expected
        assert cells.get(("coffee", "female"), 0) == 0

        reached = distinct(crowd, "any", "2025-01", "2025-03")
        women = sum(n for (s, _g), n in reached.items() if s == "female")
        share = _indicator(central, "TC_FEMALE_SHARE")
        expected_share = round(women / sum(reached.values()) * 100, 1)
        assert indicators.total(db.session, share, period) == expected_share

        enrolled = _indicator(central, "TC_WFI_WOMEN")
        # The stock at the end of March (index 3): 3x3 + 3x3+1 and 2x3 + 2x3+1, by age group.
        got = {c.options: c.value for c in indicators.cells(db.session, enrolled, period)}
        assert got == {("15-29",): 9 + 6, ("30+",): 10 + 7}
        assert indicators.total(db.session, enrolled, period) == 32


def test_a_fiscal_year_counts_people_once_over_its_months(central):
    crowd = load(central, seed=5)
    with central.app_context():
        indicator = _indicator(central, "TC_TRAINED_DIGITAL")
        # FY2025 runs from 2024-10 to 2025-09: it holds every month sent.
        period = indicators.period(db.session, "FY2025")
        assert (period.first, period.last) == ("2024-10", "2025-09")
        expected = distinct(crowd, "trained:digital_literacy", "2024-10", "2025-09")
        assert indicators.total(db.session, indicator, period) == sum(expected.values())


@pytest.mark.parametrize("name", ["2025-13", "2025-Q5", "FY25", "25", "2100", "2025-q1", ""])
def test_bad_period_names_are_refused(central, name):
    with central.app_context(), pytest.raises(indicators.IndicatorError):
        indicators.period(db.session, name)


def test_the_uid_is_dhis2_shaped_and_stable():
    uid = indicators.generated_uid("dataElement", "TC_X")
    assert indicators.UID_PATTERN.fullmatch(uid)
    assert uid == indicators.generated_uid("dataElement", "TC_X")
    assert uid != indicators.generated_uid("dataElement", "TC_Y")
    assert uid != indicators.generated_uid("dataSet", "TC_X")


# --- the page ---------------------------------------------------------------------------------


GOOD = {
    "code": "TC_WORKSHOP_ATTENDANCES",
    "name": "Asistencias",
    "name_en": "Attendances",
    "definition": "Cada asistencia cuenta.",
    "measure": "attendances",
    "unit": "sessions",
    "period_type": "month",
    "programme": "network",
    "disaggregations": ["sex"],
    "target": "1500",
    "baseline": "",
    "dhis2_uid": "",
}


def _post(client, url, data):
    return client.post(url, data=data | {"csrf_token": csrf_token(client)})


def test_staff_see_the_catalogue_but_cannot_change_it(central, signed_in_central):
    client = signed_in_central(central)
    page = client.get("/central/indicators")
    assert page.status_code == 200
    assert "Personas capacitadas en alfabetización digital" in page.text
    assert "/central/indicators/new" not in page.text
    assert client.get("/central/indicators/new").status_code == 403
    assert _post(client, "/central/indicators/1/edit", GOOD).status_code == 403


def test_an_admin_adds_and_changes_an_indicator(central, signed_in_central):
    client = signed_in_central(central, role="central_admin")
    answer = _post(client, "/central/indicators/new", GOOD)
    assert answer.status_code == 302
    with central.app_context():
        saved = _indicator(central, "TC_WORKSHOP_ATTENDANCES")
        assert (saved.measure, saved.disaggregations, saved.target) == (
            "attendances",
            ["sex"],
            1500,
        )
        number = saved.id
    changed = GOOD | {"name": "Asistencias del mes", "dhis2_uid": "abcDEF12345"}
    assert _post(client, f"/central/indicators/{number}/edit", changed).status_code == 302
    with central.app_context():
        saved = _indicator(central, "TC_WORKSHOP_ATTENDANCES")
        assert (saved.name, saved.dhis2_uid) == ("Asistencias del mes", "abcDEF12345")
        assert indicators.uid_of(saved) == "abcDEF12345"


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"code": "tc bad"}, "code", "mayúsculas"),
        ({"code": "TC_TRAINED_DIGITAL"}, "code", "Ya hay un indicador"),
        ({"name": "  "}, "name", "Escriba el nombre"),
        ({"measure": "everything"}, "measure", ""),
        ({"unit": "percent"}, "unit", "porcentaje"),
        (
            {"measure": "registrations", "unit": "people", "disaggregations": ["commodity"]},
            "disaggregations",
            "no se puede desglosar",
        ),
        (
            {"measure": "female_share", "unit": "percent", "disaggregations": ["sex"]},
            "disaggregations",
            "no se puede desglosar",
        ),
        ({"disaggregations": ["age_band", "age_group"]}, "disaggregations", "un solo desglose"),
        ({"dhis2_uid": "1abcdefghij"}, "dhis2_uid", "11 letras"),
        ({"target": "-4"}, "target", ""),
        ({"target": "muchos"}, "target", ""),
        ({"period_type": "week"}, "period_type", ""),
    ],
)
def test_bad_input_is_answered_beside_the_field_and_nothing_is_saved(
    central, signed_in_central, change, field, words
):
    client = signed_in_central(central, role="central_admin")
    with central.app_context():
        before = db.session.scalar(sa.select(sa.func.count(Indicator.id)))
    answer = _post(client, "/central/indicators/new", GOOD | change)
    assert answer.status_code == 400
    assert f'href="#{field}' in answer.text
    assert words in answer.text
    with central.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Indicator.id))) == before
