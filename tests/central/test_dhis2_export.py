"""DHIS2 exports that import: dataValueSets JSON whose every value names a data element,
period, org unit and option combos that the metadata package declares; ADX valid in structure
for periods with and without reports; the package consistent in itself; figures equal to
independent counts; completeDate only for closed periods."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter

import pytest

from telecenter import config, periods
from tests.central.test_indicators import CODE, OTHER, distinct, load
from tests.central.test_ingest import send
from tests.conftest import FIXED_NOW

ADX = "{urn:ihe:qrph:adx:2015}"
#: The clock's quarter (FIXED_NOW): it has not ended, so it is never complete.
RUNNING_QUARTER = periods.period_of("quarter", f"{FIXED_NOW:%Y-%m}")


def closed_on(last_month: str) -> str:
    """The day a period ending in `last_month` counts as closed: the day reports are due
    (REPORT_DUE_DAY's default) in the month after it."""
    year, month = int(last_month[:4]), int(last_month[5:7])
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return f"{year:04d}-{month:02d}-{config.DEFAULTS['REPORT_DUE_DAY']:02d}"


UID = re.compile(r"^[A-Za-z][A-Za-z0-9]{10}$")


@pytest.fixture
def key(central):
    result = central.test_cli_runner().invoke(args=["central", "create-api-key", "--name", "d"])
    return result.output.strip().splitlines()[-1]


def _get(central, key, path, **query):
    return central.test_client().get(
        path, query_string=query, headers={"Authorization": f"Bearer {key}"}
    )


def _package(central, key) -> dict:
    answer = _get(central, key, "/api/v1/exports/dhis2/metadata")
    assert answer.status_code == 200
    return answer.json


def _by_id(objects):
    return {o["id"]: o for o in objects}


def test_the_metadata_package_is_consistent(central, key):
    package = _package(central, key)
    for kind, objects in package.items():
        ids = [o["id"] for o in objects]
        assert len(ids) == len(set(ids)), kind
        assert all(UID.match(i) for i in ids), kind
        codes = [o["code"] for o in objects]
        assert len(codes) == len(set(codes)), kind
        assert all(len(c) <= 50 for c in codes), kind
    names = [o["name"] for o in package["categoryOptions"]]
    assert len(names) == len(set(names))  # DHIS2 wants option names unique
    options = _by_id(package["categoryOptions"])
    categories = _by_id(package["categories"])
    combos = _by_id(package["categoryCombos"])
    for category in categories.values():
        assert all(o["id"] in options for o in category["categoryOptions"])
    for combo in combos.values():
        assert all(c["id"] in categories for c in combo["categories"])
    per_combo = Counter()
    for coc in package["categoryOptionCombos"]:
        combo = combos[coc["categoryCombo"]["id"]]
        per_combo[combo["id"]] += 1
        # One option of each of its combo's categories, in order.
        assert len(coc["categoryOptions"]) == len(combo["categories"])
        for chosen, category in zip(coc["categoryOptions"], combo["categories"], strict=True):
            allowed = {o["id"] for o in categories[category["id"]]["categoryOptions"]}
            assert chosen["id"] in allowed
    for combo in combos.values():
        expected = 1
        for category in combo["categories"]:
            expected *= len(categories[category["id"]]["categoryOptions"])
        assert per_combo[combo["id"]] == expected
    elements = _by_id(package["dataElements"])
    assert all(e["categoryCombo"]["id"] in combos for e in elements.values())
    units = _by_id(package["organisationUnits"])
    telecenters = {u["code"]: u for u in units.values() if u["code"] in (CODE, OTHER)}
    assert set(telecenters) == {CODE, OTHER}
    for unit in telecenters.values():
        region = units[unit["parent"]["id"]]
        assert units[region["parent"]["id"]]["code"] == "TC_NETWORK"
    for data_set in package["dataSets"]:
        assert combos[data_set["categoryCombo"]["id"]]["dataDimensionType"] == "ATTRIBUTE"
        assert all(m["dataElement"]["id"] in elements for m in data_set["dataSetElements"])
        assert {o["id"] for o in data_set["organisationUnits"]} == {
            u["id"] for u in telecenters.values()
        }
    assert {d["periodType"] for d in package["dataSets"]} == {"Quarterly", "Monthly"}


def test_unique_counts_and_stocks_are_not_summed_by_dhis2(central, key):
    elements = {e["code"]: e for e in _package(central, key)["dataElements"]}
    assert elements["TC_TRAINED_DIGITAL"]["aggregationType"] == "NONE"
    assert elements["TC_CROP_PARTICIPANTS"]["aggregationType"] == "NONE"
    assert elements["TC_FEMALE_SHARE"]["aggregationType"] == "NONE"
    assert elements["TC_FEMALE_SHARE"]["valueType"] == "PERCENTAGE"
    assert elements["TC_WFI_WOMEN"]["aggregationType"] == "LAST"
    assert elements["TC_ATTENDANCES"]["aggregationType"] == "SUM"


def test_json_values_follow_the_dhis2_rules_and_equal_the_counts(clock, central, key):
    crowd = load(central)
    package = _package(central, key)
    answer = _get(central, key, "/api/v1/exports/dhis2", period="2025-Q2")
    assert answer.status_code == 200
    value_set = answer.json
    data_sets = _by_id(package["dataSets"])
    assert value_set["dataSet"] in data_sets
    assert value_set["period"] == "2025Q2"
    assert "completeDate" not in value_set  # several org units: DHIS2 completes one
    elements = _by_id(package["dataElements"])
    units = _by_id(package["organisationUnits"])
    cocs = _by_id(package["categoryOptionCombos"])
    set_elements = {
        m["dataElement"]["id"] for m in data_sets[value_set["dataSet"]]["dataSetElements"]
    }
    attribute_combo = data_sets[value_set["dataSet"]]["categoryCombo"]["id"]
    seen = set()
    trained = Counter()
    for value in value_set["dataValues"]:
        element = elements[value["dataElement"]]
        assert value["dataElement"] in set_elements
        assert value["period"] == "2025Q2"
        assert value["orgUnit"] in units
        assert cocs[value["categoryOptionCombo"]]["categoryCombo"] == element["categoryCombo"]
        assert cocs[value["attributeOptionCombo"]]["categoryCombo"]["id"] == attribute_combo
        float(value["value"])
        key_ = (
            value["dataElement"],
            value["orgUnit"],
            value["categoryOptionCombo"],
            value["attributeOptionCombo"],
        )
        assert key_ not in seen  # one value per cell
        seen.add(key_)
        if element["code"] == "TC_TRAINED_DIGITAL" and units[value["orgUnit"]]["code"] == CODE:
            trained[cocs[value["categoryOptionCombo"]]["name"]] += int(value["value"])
    expected = distinct(crowd, "trained:digital_literacy", "2025-04", "2025-06", telecenter=CODE)
    words = {"female": "Mujer", "male": "Hombre"}
    groups = {"15-29": "15-29 años (15-29 / 30+)", "30+": "30+ años (15-29 / 30+)"}
    assert +trained == {f"{words[s]}, {groups[g]}": n for (s, g), n in expected.items()}


def test_codes_on_request_and_complete_date_only_for_a_closed_period(clock, central, key):
    load(central)
    one = _get(
        central, key, "/api/v1/exports/dhis2", period="2025-Q1", telecenter=CODE, id_scheme="code"
    ).json
    assert one["orgUnit"] == CODE
    assert one["dataSet"] == "TELECENTER_PARTICIPATION_QUARTER"
    assert one["completeDate"] == closed_on("2025-03")
    central.config["REPORT_DUE_DAY"] = 20  # the day data quality counts reports due
    later = _get(central, key, "/api/v1/exports/dhis2", period="2025-Q1", telecenter=CODE).json
    assert later["completeDate"] == "2025-04-20"
    assert {v["orgUnit"] for v in one["dataValues"]} == {CODE}
    assert any(v["dataElement"] == "TC_TRAINED_DIGITAL" for v in one["dataValues"])
    # The quarter of the clock's month has not ended: no completeDate.
    running = _get(
        central, key, "/api/v1/exports/dhis2", period=RUNNING_QUARTER, telecenter=CODE
    ).json
    assert "completeDate" not in running
    assert running["dataValues"] == []


def _adx(central, key, **query):
    answer = _get(central, key, "/api/v1/exports/dhis2", format="adx", **query)
    assert answer.status_code == 200
    assert answer.mimetype == "application/adx+xml"
    root = ET.fromstring(answer.data)  # noqa: S314 - our own export, read back
    assert root.tag == f"{ADX}adx"
    assert root.get("exported")
    groups = root.findall(f"{ADX}group")
    assert groups
    for group in groups:
        assert group.get("orgUnit")
        assert group.get("dataSet")
        assert group.findall(f"{ADX}dataValue")
        for value in group.findall(f"{ADX}dataValue"):
            assert value.get("dataElement")
            float(value.get("value"))
    return groups


def test_adx_for_a_period_with_reports(clock, central, key):
    crowd = load(central)
    package = _package(central, key)
    categories = {c["code"] for c in package["categories"]}
    options = {o["code"] for o in package["categoryOptions"]}
    groups = _adx(central, key, period="2025-Q1")
    assert {g.get("period") for g in groups} == {"2025-01-01/P3M"}
    assert {g.get("orgUnit") for g in groups} == {CODE, OTHER}
    assert {g.get("completeDate") for g in groups} == {closed_on("2025-03")}
    trained = Counter()
    for group in groups:
        assert group.get("TC_PROGRAMME") in options
        for value in group.findall(f"{ADX}dataValue"):
            splits = {k: v for k, v in value.attrib.items() if k not in ("dataElement", "value")}
            assert set(splits) <= categories
            assert set(splits.values()) <= options
            if value.get("dataElement") == "TC_TRAINED_DIGITAL":
                trained[(splits["TC_SEX"], splits["TC_AGE_GROUP"])] += int(value.get("value"))
    expected = distinct(crowd, "trained:digital_literacy", "2025-01", "2025-03")
    codes = {"female": "TC_SEX_FEMALE", "male": "TC_SEX_MALE"}
    ages = {"15-29": "TC_AGE_GROUP_15_29", "30+": "TC_AGE_GROUP_30PLUS"}
    assert +trained == {(codes[s], ages[g]): n for (s, g), n in expected.items()}


@pytest.mark.parametrize("period", [RUNNING_QUARTER, "2026-03", "2025-02"])
def test_adx_for_a_period_nobody_reported_is_still_valid(clock, central, key, period):
    groups = _adx(central, key, period=period)
    assert [g.get("orgUnit") for g in groups] == ["TC_NETWORK"] * len(groups)
    assert {v.get("value") for g in groups for v in g.findall(f"{ADX}dataValue")} == {"0"}
    assert all(g.get("completeDate") is None for g in groups)
    if period != RUNNING_QUARTER:
        assert {g.get("period") for g in groups} == {f"{period}-01/P1M"}


def test_adx_for_a_month_with_reports(clock, central, key):
    central_attendances = 9
    report = {
        "schema": 1,
        "telecenter": CODE,
        "month": "2025-03",
        "generated_at": "2026-01-01T00:00:00Z",
        "sessions": [],
        "attendance": [
            {
                "activity": "class",
                "category": "other",
                "sex": "female",
                "age_band": "18-29",
                "wfi": False,
                "attendances": central_attendances,
                "hours": 4.5,
                "participants": 3,
            }
        ],
        "registrations": [],
        "completions": [],
        "wfi_enrolments": [],
        "reach": [],
    }
    assert send(central, [report]).status_code == 200
    groups = _adx(central, key, period="2025-03")
    assert [(g.get("orgUnit"), g.get("period")) for g in groups] == [(CODE, "2025-03-01/P1M")]
    values = {
        (v.get("dataElement"), v.get("TC_SEX"), v.get("TC_AGE_GROUP")): v.get("value")
        for v in groups[0].findall(f"{ADX}dataValue")
    }
    assert values == {
        ("TC_ATTENDANCES", "TC_SEX_FEMALE", "TC_AGE_GROUP_15_29"): "9",
        ("TC_PARTICIPANT_HOURS", "TC_SEX_FEMALE", None): "4.5",
    }
    assert groups[0].get("completeDate") == closed_on("2025-03")
    # A fiscal year here: no fiscal-year indicator in the catalogue, which the answer says.
    refused = _get(central, key, "/api/v1/exports/dhis2", format="adx", period="FY2025")
    assert refused.status_code == 400


def test_dhis2_period_names(central, key):
    from telecenter.central import dhis2, indicators

    named = {
        name: dhis2.dhis2_period(indicators.parse_period(name, 10))
        for name in ("2026-03", "2026-Q4", "FY2026", "2026")
    }
    assert named == {"2026-03": "202603", "2026-Q4": "2026Q4", "FY2026": "2025Oct", "2026": "2026"}
    assert dhis2.adx_period(indicators.parse_period("FY2026", 10)) == "2025-10-01/P1Y"
    with pytest.raises(dhis2.ExportError):
        dhis2.dhis2_period(indicators.parse_period("FY2026", 3))


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"period": "2025-Q1", "format": "xml"},
        {"period": "2025-Q1", "id_scheme": "name"},
        {"period": "2025-Q1", "telecenter": "NOPE"},
        {"period": "Q1-2025"},
    ],
)
def test_bad_questions_are_a_400(central, key, query):
    assert _get(central, key, "/api/v1/exports/dhis2", **query).status_code == 400


def test_the_exports_need_a_key_or_a_central_account(central):
    assert central.test_client().get("/api/v1/exports/dhis2/metadata").status_code == 401
    assert central.test_client().get("/api/v1/exports/dhis2?period=2025-Q1").status_code == 401
