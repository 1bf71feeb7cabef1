"""The month-report contract cell by cell: every problem `month_report.validate` can name,
its limits and their edges, the digest and the month of a moment.

Expected messages and values are written out by hand (or, for the digest, computed here from
the input dicts); nothing calls the code under test to learn what it should answer.
"""

from __future__ import annotations

import copy
import hashlib
import json
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from telecenter import month_report

TABLE_NAMES = ("sessions", "attendance", "registrations", "completions", "wfi_enrolments", "reach")
#: One valid row per table (the design card's example), to vary one cell at a time.
ROWS = {
    "sessions": {
        "activity": "teleconference",
        "category": "agriculture",
        "sessions_held": 4,
        "session_hours": 8.0,
        "unregistered_viewers": 12,
    },
    "attendance": {
        "activity": "teleconference",
        "category": "agriculture",
        "sex": "female",
        "age_band": "30-44",
        "wfi": True,
        "attendances": 9,
        "hours": 18.0,
        "participants": 5,
    },
    "registrations": {"sex": "female", "age_band": "18-29", "registrations": 3},
    "completions": {
        "category": "financial_literacy",
        "sex": "female",
        "age_band": "18-29",
        "completions": 2,
    },
    "wfi_enrolments": {"age_band": "30-44", "enrolments": 2},
    "reach": {
        "scope": "activity:teleconference",
        "sex": "female",
        "age_band": "30-44",
        "wfi": True,
        "new_people": 3,
    },
}
#: The design card's schema-1 report (what a site not yet upgraded, or REPORT_SCHEMA=1, sends).
REPORT = {
    "schema": 1,
    "telecenter": "SM-TARAPOTO-01",
    "month": "2026-11",
    "generated_at": "2026-12-01T05:00:00Z",
    **{table: [row] for table, row in ROWS.items()},
}
LIMIT = "must be a list of at most 4000 rows"
SCHEMA_1_SCOPES = (
    "any",
    "activity:class",
    "activity:teleconference",
    "activity:workshop",
    "self_paced",
    "category:digital_literacy",
    "category:financial_literacy",
    "category:agriculture",
    "category:other",
    "trained",
)


def report(**changes) -> dict:
    result = copy.deepcopy(REPORT)
    result.update(changes)
    return result


FIELDS = {  # sorted, as the message lists them
    "sessions": "activity, category, session_hours, sessions_held, unregistered_viewers",
    "attendance": "activity, age_band, attendances, category, hours, participants, sex, wfi",
    "registrations": "age_band, registrations, sex",
    "completions": "age_band, category, completions, sex",
    "wfi_enrolments": "age_band, enrolments",
    "reach": "age_band, new_people, scope, sex, wfi",
}
INT_MEASURES = [
    ("sessions", "sessions_held"),
    ("sessions", "unregistered_viewers"),
    ("attendance", "attendances"),
    ("attendance", "participants"),
    ("registrations", "registrations"),
    ("completions", "completions"),
    ("wfi_enrolments", "enrolments"),
    ("reach", "new_people"),
]
FLOAT_MEASURES = [("sessions", "session_hours"), ("attendance", "hours")]
DIMENSION_CELLS = [
    ("sessions", "activity"),
    ("sessions", "category"),
    ("attendance", "activity"),
    ("attendance", "category"),
    ("attendance", "sex"),
    ("attendance", "age_band"),
    ("attendance", "wfi"),
    ("registrations", "sex"),
    ("registrations", "age_band"),
    ("completions", "category"),
    ("completions", "sex"),
    ("completions", "age_band"),
    ("wfi_enrolments", "age_band"),
    ("reach", "scope"),
    ("reach", "sex"),
    ("reach", "age_band"),
    ("reach", "wfi"),
]
MEASURE_MESSAGE = "must be a number from 0 to 10000000"


def with_row(table: str, **changes) -> dict:
    """The example report with one row of `table`, changed as asked."""
    row = copy.deepcopy(ROWS[table]) | changes
    return report(**{table: [row]})


def test_the_design_cards_example_is_valid():
    assert month_report.validate(report()) == []
    assert month_report.validate(report(**{name: [] for name in TABLE_NAMES})) == []


@pytest.mark.parametrize("value", [None, [], "report", 1, ["schema", 1]])
def test_a_report_must_be_an_object(value):
    assert month_report.validate(value) == ["a report must be an object"]


def test_missing_and_unknown_report_fields_are_named_sorted():
    missing = report()
    del missing["reach"], missing["month"]
    assert month_report.validate(missing) == [
        "report fields: missing ['month', 'reach'], unknown []"
    ]
    assert month_report.validate(report(extra=1, another=2)) == [
        "report fields: missing [], unknown ['another', 'extra']"
    ]
    both = report(rules_version=2)
    del both["sessions"]
    assert month_report.validate(both) == [
        "report fields: missing ['sessions'], unknown ['rules_version']"
    ]


@pytest.mark.parametrize(
    ("schema", "shown"), [(3, "3"), (0, "0"), ("1", "'1'"), (None, "None"), (True, "True")]
)
def test_only_schemas_1_and_2_are_known(schema, shown):
    assert month_report.validate(report(schema=schema)) == [
        f"unsupported schema {shown}; this server knows 1 and 2"
    ]


@pytest.mark.parametrize("code", ["SM-TARAPOTO-01", "AB", "A-", "0X", "A" * 40, "HU-" + "9" * 37])
def test_telecenter_codes_that_are_accepted(code):
    assert month_report.validate(report(telecenter=code)) == []


@pytest.mark.parametrize(
    "code",
    [
        "",
        "A",
        "A" * 41,
        "-SM",
        "sm-tarapoto-01",
        "SM_TARAPOTO",
        "SM TARAPOTO",
        "SM-TARAPOTÓ",
        7,
        None,
        ["SM-TARAPOTO-01"],
        "SM-TARAPOTO-01\n",
        "SM-TARAPOTO-\u0660\u0661",
    ],
)
def test_telecenter_codes_that_are_refused(code):
    assert month_report.validate(report(telecenter=code)) == [
        "telecenter must be a code like SM-TARAPOTO-01"
    ]


@pytest.mark.parametrize(
    "month", ["2026-01", "2026-09", "2026-10", "2026-12", "2000-01", "2099-12"]
)
def test_months_that_are_accepted(month):
    assert month_report.validate(report(month=month)) == []


@pytest.mark.parametrize(
    "month",
    [
        "2026-00",
        "2026-13",
        "2026-1",
        "2026-011",
        "26-01",
        "2026/01",
        "2026-20",
        "202601",
        "",
        202611,
        None,
        # Central answers 2000-01 to 2099-12 only; other years are a broken clock.
        "0000-01",
        "1999-12",
        "2100-01",
        "9999-12",
        # Matched whole and in ASCII: a trailing newline or other scripts' digits would be a
        # second spelling of one month (central once stored "2026-10\n" beside "2026-10").
        "2026-10\n",
        "\u0662\u0660\u0662\u0666-10",
        "2026-\uff11\uff10",
        " 2026-10",
    ],
)
def test_months_that_are_refused(month):
    assert month_report.validate(report(month=month)) == [
        "month must be YYYY-MM from 2000-01 to 2099-12"
    ]


@pytest.mark.parametrize(
    "moment",
    [
        "2026-12-01T05:00:00Z",
        "2026-12-01T05:00:00+00:00",
        "2026-12-01T00:00:00-05:00",
        "2026-12-01T05:00:00.123Z",
    ],
)
def test_generated_at_with_a_zone_is_accepted(moment):
    assert month_report.validate(report(generated_at=moment)) == []


# A lowercase "z" is refused: the site always writes "Z" (the design card's format).
@pytest.mark.parametrize(
    "moment",
    [
        "2026-12-01T05:00:00",
        "2026-12-01",
        "yesterday",
        "",
        "2026-13-01T05:00:00Z",
        "2026-12-01T05:00:00z",
        None,
        1764565200,
        # Outside 2000-2099: a broken clock (and year 1 or 9999 overflow in UTC).
        "0001-01-01T00:00:00+05:00",
        "9999-12-31T23:59:59-05:00",
        "1999-12-31T23:00:00Z",
        "\u0662\u0660\u0662\u0666-12-01T05:00:00Z",
    ],
)
def test_generated_at_without_a_zone_or_not_a_time_is_refused(moment):
    assert month_report.validate(report(generated_at=moment)) == [
        "generated_at must be an ISO 8601 time with a zone, in 2000-2099"
    ]


def test_parse_generated_at_reads_the_zone():
    five_utc = datetime(2026, 12, 1, 5, tzinfo=UTC)
    assert month_report.parse_generated_at("2026-12-01T05:00:00Z") == five_utc
    lima = month_report.parse_generated_at("2026-12-01T00:00:00-05:00")
    assert lima == five_utc
    assert lima.utcoffset() == timedelta(hours=-5)
    assert month_report.parse_generated_at("2026-12-01T05:00:00Z").utcoffset() == timedelta(0)
    assert month_report.parse_generated_at("2026-12-01T05:00:00") is None
    assert month_report.parse_generated_at("not a time") is None
    assert month_report.parse_generated_at(five_utc) is None  # a datetime is not the wire format
    assert month_report.parse_generated_at(None) is None


def test_problems_of_the_header_are_all_listed_in_order():
    """An unknown schema stops the check (its fields are unknown); otherwise every problem
    of the header is named, in order."""
    bad = {"telecenter": "x", "month": "2026-13", "generated_at": "2026-12-01T05:00:00"}
    assert month_report.validate(report(schema=3, **bad)) == [
        "unsupported schema 3; this server knows 1 and 2"
    ]
    assert month_report.validate(report(**bad)) == [
        "telecenter must be a code like SM-TARAPOTO-01",
        "month must be YYYY-MM from 2000-01 to 2099-12",
        "generated_at must be an ISO 8601 time with a zone, in 2000-2099",
    ]


@pytest.mark.parametrize("table", TABLE_NAMES)
@pytest.mark.parametrize("value", [None, {}, "rows", 3, (), {"rows": []}])
def test_a_table_must_be_a_list(table, value):
    problems = month_report.validate(report(**{table: value}))
    assert problems == [f"{table} {LIMIT}"]


def test_a_table_that_is_not_a_list_does_not_stop_the_check_of_the_others():
    problems = month_report.validate(
        report(
            sessions=None,
            registrations={},
            reach=[
                {
                    "scope": "robot",
                    "sex": "female",
                    "age_band": "30-44",
                    "wfi": True,
                    "new_people": 1,
                }
            ],
        )
    )
    assert problems == [
        f"sessions {LIMIT}",
        f"registrations {LIMIT}",
        "2026-11 reach[0]: unknown scope 'robot'",
    ]


def _distinct_reach_rows(count: int) -> list[dict]:
    rows = []
    for number in range(count):
        rows.append(
            {
                "scope": SCHEMA_1_SCOPES[number % len(SCHEMA_1_SCOPES)],
                "sex": "female",
                "age_band": "30-44",
                "wfi": True,
                "new_people": number,
            }
        )
    return rows


def test_a_table_may_hold_4000_rows_but_not_4001():
    limit = f"reach {LIMIT}"
    at_limit = month_report.validate(report(reach=_distinct_reach_rows(4000)))
    assert limit not in at_limit
    # 4000 rows over 10 scopes repeat dimensions: those are reported, so the table was read.
    assert at_limit == [
        f"2026-11 reach[{n}]: the same dimensions appear twice" for n in range(10, 60)
    ]
    assert month_report.validate(report(reach=_distinct_reach_rows(4001))) == [limit]
    # Another table's problem is still reported after a table that is too long.
    over = report(
        reach=_distinct_reach_rows(4001),
        month="2026-13",
        wfi_enrolments=[{"age_band": "robot", "enrolments": 1}],
    )
    assert month_report.validate(over) == [
        "month must be YYYY-MM from 2000-01 to 2099-12",
        "2026-13 wfi_enrolments[0]: unknown age_band 'robot'",
        limit,
    ]


def test_a_row_must_be_an_object():
    assert month_report.validate(report(registrations=[["female", "18-29", 3]])) == [
        "2026-11 registrations[0]: a row must be an object"
    ]
    rows = [ROWS["registrations"], "row", None]
    assert month_report.validate(report(registrations=rows)) == [
        "2026-11 registrations[1]: a row must be an object",
        "2026-11 registrations[2]: a row must be an object",
    ]


@pytest.mark.parametrize("table", TABLE_NAMES)
def test_a_row_must_have_exactly_its_fields(table):
    row = copy.deepcopy(ROWS[table])
    extra = report(**{table: [row | {"note": "x"}]})
    assert month_report.validate(extra) == [
        f"2026-11 {table}[0]: fields must be exactly {FIELDS[table]}"
    ]
    for name in list(row):
        short = {key: value for key, value in row.items() if key != name}
        assert month_report.validate(report(**{table: [short]})) == [
            f"2026-11 {table}[0]: fields must be exactly {FIELDS[table]}"
        ]


def test_wrong_fields_are_reported_once_and_values_are_not_looked_at():
    row = {"sex": "robot", "age_band": "18-29", "registrations": -1, "extra": 0}
    assert month_report.validate(report(registrations=[row])) == [
        "2026-11 registrations[0]: fields must be exactly age_band, registrations, sex"
    ]


def test_where_names_the_month_even_when_the_month_is_wrong():
    problems = month_report.validate(with_row("wfi_enrolments", age_band="99+") | {"month": "1-1"})
    assert problems == [
        "month must be YYYY-MM from 2000-01 to 2099-12",
        "1-1 wfi_enrolments[0]: unknown age_band '99+'",
    ]


@pytest.mark.parametrize(("table", "dimension"), DIMENSION_CELLS)
def test_every_known_dimension_value_is_accepted(table, dimension):
    for value in month_report.DIMENSIONS_BY_SCHEMA[1][dimension]:
        assert month_report.validate(with_row(table, **{dimension: value})) == [], value


@pytest.mark.parametrize(("table", "dimension"), DIMENSION_CELLS)
@pytest.mark.parametrize("value", ["robot", "", None, 1, 0, "FEMALE", "true", "Female"])
def test_unknown_dimension_values_are_named(table, dimension, value):
    assert month_report.validate(with_row(table, **{dimension: value})) == [
        f"2026-11 {table}[0]: unknown {dimension} {value!r}"
    ]


def test_every_listed_value_is_the_design_cards():
    assert month_report.DIMENSIONS_BY_SCHEMA[1] == month_report.DIMENSIONS | {
        "scope": SCHEMA_1_SCOPES
    }
    crops = ("cacao", "coffee", "banana", "timber", "other_crop")
    assert {
        "activity": ("class", "teleconference", "workshop"),
        "category": ("digital_literacy", "financial_literacy", "agriculture", "other"),
        "sex": ("female", "male", "unspecified"),
        "age_band": ("15-17", "18-29", "30-44", "45-59", "60+", "unknown"),
        "wfi": (True, False),
        "scope": (
            *SCHEMA_1_SCOPES,
            "trained:digital_literacy",
            "trained:financial_literacy",
            "trained:agriculture",
            "trained:other",
            *(f"commodity:{crop}" for crop in crops),
        ),
        "commodity": (*crops, "none"),
        "purpose": ("training", "talk"),
        "period": ("ever", "fiscal_year", "year", "quarter", "month"),
    } == month_report.DIMENSIONS


@pytest.mark.parametrize("table", ["attendance", "reach"])
@pytest.mark.parametrize("value", [1, 0, "true", "false", None, 1.0])
def test_wfi_must_be_a_bool(table, value):
    assert month_report.validate(with_row(table, wfi=value)) == [
        f"2026-11 {table}[0]: unknown wfi {value!r}"
    ]


@pytest.mark.parametrize("value", [True, False])
def test_a_bool_is_no_other_dimension(value):
    for table, dimension in DIMENSION_CELLS:
        if dimension != "wfi":
            assert month_report.validate(with_row(table, **{dimension: value})) == [
                f"2026-11 {table}[0]: unknown {dimension} {value!r}"
            ]


def test_several_unknown_dimensions_of_a_row_are_all_named():
    row = with_row("attendance", activity="dance", sex="robot", wfi="yes")
    assert month_report.validate(row) == [
        "2026-11 attendance[0]: unknown activity 'dance'",
        "2026-11 attendance[0]: unknown sex 'robot'",
        "2026-11 attendance[0]: unknown wfi 'yes'",
    ]


@pytest.mark.parametrize(("table", "measure"), INT_MEASURES + FLOAT_MEASURES)
@pytest.mark.parametrize("value", [0, 1, 9_999_999, 10_000_000])
def test_measures_from_0_to_10_million_are_accepted(table, measure, value):
    assert month_report.validate(with_row(table, **{measure: value})) == []


@pytest.mark.parametrize(("table", "measure"), INT_MEASURES + FLOAT_MEASURES)
@pytest.mark.parametrize(
    "value", [-1, 10_000_001, 10**12, True, False, "3", None, [3], float("nan"), float("inf"), -0.5]
)
def test_measures_outside_0_to_10_million_or_not_numbers_are_refused(table, measure, value):
    assert month_report.validate(with_row(table, **{measure: value})) == [
        f"2026-11 {table}[0]: {measure} {MEASURE_MESSAGE}"
    ]


@pytest.mark.parametrize(("table", "measure"), INT_MEASURES)
@pytest.mark.parametrize("value", [2.5, 2.0, 0.0, 10_000_000.0])
def test_int_measures_refuse_floats(table, measure, value):
    assert month_report.validate(with_row(table, **{measure: value})) == [
        f"2026-11 {table}[0]: {measure} {MEASURE_MESSAGE}"
    ]


@pytest.mark.parametrize(("table", "measure"), FLOAT_MEASURES)
@pytest.mark.parametrize(
    ("value", "valid"),
    [
        (2.5, True),
        (0.0, True),
        (0.25, True),
        (9_999_999.75, True),
        (10_000_000.0, True),
        (10_000_000.5, False),
        (-0.0, True),
        (-0.01, False),
    ],
)
def test_hours_take_floats_within_the_limit(table, measure, value, valid):
    problems = month_report.validate(with_row(table, **{measure: value}))
    assert problems == ([] if valid else [f"2026-11 {table}[0]: {measure} {MEASURE_MESSAGE}"])


def test_every_bad_measure_of_a_row_is_named():
    row = with_row("attendance", attendances=2.5, hours=-1, participants=True)
    assert month_report.validate(row) == [
        f"2026-11 attendance[0]: attendances {MEASURE_MESSAGE}",
        f"2026-11 attendance[0]: hours {MEASURE_MESSAGE}",
        f"2026-11 attendance[0]: participants {MEASURE_MESSAGE}",
    ]


def test_a_bad_dimension_and_a_bad_measure_are_both_named():
    row = with_row("registrations", sex="robot", registrations=-3)
    assert month_report.validate(row) == [
        "2026-11 registrations[0]: unknown sex 'robot'",
        f"2026-11 registrations[0]: registrations {MEASURE_MESSAGE}",
    ]


@pytest.mark.parametrize("table", TABLE_NAMES)
def test_the_same_dimensions_twice_are_refused_whatever_the_measures(table):
    first = copy.deepcopy(ROWS[table])
    second = copy.deepcopy(first)
    _dims, measures = month_report.TABLES[table]
    for measure in measures:
        second[measure] = 0
    assert month_report.validate(report(**{table: [first, second]})) == [
        f"2026-11 {table}[1]: the same dimensions appear twice"
    ]
    third = copy.deepcopy(first)
    assert month_report.validate(report(**{table: [first, second, third]})) == [
        f"2026-11 {table}[1]: the same dimensions appear twice",
        f"2026-11 {table}[2]: the same dimensions appear twice",
    ]


@pytest.mark.parametrize(("table", "dimension"), DIMENSION_CELLS)
def test_rows_differing_in_one_dimension_are_distinct(table, dimension):
    values = month_report.DIMENSIONS[dimension]
    first = copy.deepcopy(ROWS[table]) | {dimension: values[0]}
    second = copy.deepcopy(ROWS[table]) | {dimension: values[1]}
    assert month_report.validate(report(**{table: [first, second]})) == []


def test_a_refused_row_does_not_count_as_seen():
    good = ROWS["registrations"]
    bad = good | {"registrations": -1}
    assert month_report.validate(report(registrations=[bad, good])) == [
        f"2026-11 registrations[0]: registrations {MEASURE_MESSAGE}"
    ]
    assert month_report.validate(report(registrations=[good, bad, good])) == [
        f"2026-11 registrations[1]: registrations {MEASURE_MESSAGE}",
        "2026-11 registrations[2]: the same dimensions appear twice",
    ]


def test_duplicates_are_judged_per_table():
    same_key = {"sex": "female", "age_band": "18-29"}
    twice = report(
        registrations=[same_key | {"registrations": 1}],
        completions=[same_key | {"category": "other", "completions": 1}],
        wfi_enrolments=[{"age_band": "18-29", "enrolments": 1}],
    )
    assert month_report.validate(twice) == []


def test_at_most_50_problems_are_listed():
    rows = [{"sex": "robot", "age_band": "18-29", "registrations": n} for n in range(60)]
    problems = month_report.validate(report(registrations=rows))
    assert problems == [f"2026-11 registrations[{n}]: unknown sex 'robot'" for n in range(50)]
    rows = [{"sex": "robot", "age_band": "18-29", "registrations": n} for n in range(49)]
    problems = month_report.validate(report(registrations=rows, month="2026-13"))
    assert len(problems) == 50
    assert problems[0] == "month must be YYYY-MM from 2000-01 to 2099-12"
    assert problems[-1] == "2026-13 registrations[48]: unknown sex 'robot'"


def _expected_digest(value: dict) -> str:
    facts = {name: value.get(name, []) for name in TABLE_NAMES}
    text = json.dumps(facts, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_digest_is_the_sha256_of_the_counts_in_canonical_json():
    value = report()
    assert month_report.digest(value) == _expected_digest(value)
    assert len(month_report.digest(value)) == 64
    empty = report(**{name: [] for name in TABLE_NAMES})
    canonical = (
        '{"attendance":[],"completions":[],"reach":[],"registrations":[],'
        '"sessions":[],"wfi_enrolments":[]}'
    )
    assert month_report.digest(empty) == hashlib.sha256(canonical.encode()).hexdigest()


def test_digest_ignores_when_and_by_whom_a_report_was_made_and_key_order():
    value = report()
    assert month_report.digest(report(generated_at="2030-01-01T00:00:00Z")) == month_report.digest(
        value
    )
    assert month_report.digest(
        report(telecenter="HU-TINGO-02", month="2020-01")
    ) == month_report.digest(value)
    reordered = {name: value[name] for name in reversed(list(value))}
    reordered["attendance"] = [dict(reversed(list(row.items()))) for row in value["attendance"]]
    assert month_report.digest(reordered) == month_report.digest(value)


def test_a_missing_table_digests_as_an_empty_one():
    without = report()
    del without["sessions"]
    assert month_report.digest(without) == month_report.digest(report(sessions=[]))
    assert month_report.digest(without) == _expected_digest(without)
    assert month_report.digest({"schema": 1}) == month_report.digest(
        report(**{name: [] for name in TABLE_NAMES})
    )


@pytest.mark.parametrize(("table", "measure"), INT_MEASURES + FLOAT_MEASURES)
def test_digest_changes_with_any_count(table, measure):
    base = month_report.digest(report())
    changed = report()
    changed[table][0][measure] += 1
    assert month_report.digest(changed) != base
    assert month_report.digest(changed) == _expected_digest(changed)


@pytest.mark.parametrize(("table", "dimension"), DIMENSION_CELLS)
def test_digest_changes_with_any_dimension(table, dimension):
    base = month_report.digest(report())
    changed = report()
    current = changed[table][0][dimension]
    changed[table][0][dimension] = next(
        v for v in month_report.DIMENSIONS_BY_SCHEMA[1][dimension] if v != current
    )
    assert month_report.digest(changed) != base


def test_digest_changes_with_row_order_and_extra_rows():
    two = [ROWS["registrations"], ROWS["registrations"] | {"sex": "male"}]
    assert month_report.digest(report(registrations=two)) != month_report.digest(
        report(registrations=two[::-1])
    )
    assert month_report.digest(report(registrations=two)) != month_report.digest(report())


@pytest.mark.parametrize(
    ("moment", "month"),
    [
        (datetime(2026, 11, 30, 23, 59), "2026-11"),
        (datetime(2026, 12, 1, 0, 0), "2026-12"),
        (datetime(2026, 1, 5, tzinfo=UTC), "2026-01"),
        (datetime(999, 3, 1), "0999-03"),
        (datetime(2026, 10, 31, 20, tzinfo=timezone(timedelta(hours=-5))), "2026-10"),
        (date(2026, 9, 15), "2026-09"),
        (date(2012, 12, 31), "2012-12"),
    ],
)
def test_month_of_is_the_calendar_month_as_given(moment, month):
    assert month_report.month_of(moment) == month


#: Schema 2's rows: sessions and attendance by crop and purpose, reach per period, outcomes.
ROWS_2 = {
    "sessions": ROWS["sessions"] | {"commodity": "cacao", "purpose": "talk"},
    "attendance": ROWS["attendance"] | {"commodity": "cacao", "purpose": "talk"},
    "registrations": ROWS["registrations"],
    "completions": ROWS["completions"],
    "wfi_enrolments": ROWS["wfi_enrolments"],
    "reach": ROWS["reach"] | {"period": "fiscal_year", "scope": "trained:financial_literacy"},
    "wfi_outcomes": {
        "age_band": "30-44",
        "enrolled": 5,
        "with_baseline": 4,
        "with_follow_up": 2,
        **{
            f"{name}_{when}": 1
            for name in (
                "account",
                "wallet",
                "digital_payment",
                "saving",
                "savings_group",
                "emergency_funds",
            )
            for when in ("baseline", "latest")
        },
    },
}


def report_2(**changes) -> dict:
    value = report(
        schema=2, rules_version="1", **{t: [copy.deepcopy(r)] for t, r in ROWS_2.items()}
    )
    return value | changes


def test_a_schema_2_report_is_valid_and_needs_its_rules_version():
    assert month_report.validate(report_2()) == []
    without = report_2()
    del without["rules_version"]
    assert month_report.validate(without) == [
        "report fields: missing ['rules_version'], unknown []"
    ]
    assert month_report.validate(report_2(rules_version="two words")) == [
        "rules_version must be a short code of letters, digits, '.', '-', '_'"
    ]


def test_schema_1_knows_no_schema_2_scope_nor_period():
    row = ROWS["reach"] | {"scope": "commodity:cacao"}
    assert month_report.validate(report(reach=[row])) == [
        "2026-11 reach[0]: unknown scope 'commodity:cacao'"
    ]
    assert month_report.validate(report(reach=[ROWS_2["reach"]])) == [
        f"2026-11 reach[0]: fields must be exactly {FIELDS['reach']}"
    ]


def test_only_agriculture_has_a_crop():
    row = ROWS_2["sessions"] | {"category": "other"}
    assert month_report.validate(report_2(sessions=[row])) == [
        "2026-11 sessions[0]: only agriculture has a commodity"
    ]
    assert month_report.validate(report_2(sessions=[row | {"commodity": "none"}])) == []


def test_schema_2_digest_covers_schema_and_rules_version():
    """A new schema or a new rules version changes every month's digest: all are re-sent."""
    base = month_report.digest(report_2())
    assert month_report.digest(report_2(rules_version="2")) != base
    assert month_report.digest(report_2(generated_at="2030-01-01T00:00:00Z")) == base
    empty_1 = report(**{name: [] for name in TABLE_NAMES})
    empty_2 = report_2(**{name: [] for name in ROWS_2})
    assert month_report.digest(empty_1) != month_report.digest(empty_2)


def test_schema_2_digest_is_taken_over_its_tables_in_columns_whichever_form_came():
    value = report_2()
    columns = {
        name: {f: [row[f] for row in value[name]] for f in (*dims, *measures)}
        for name, (dims, measures) in month_report.TABLES.items()
    }
    canonical = json.dumps(
        columns | {"schema": 2, "rules_version": value["rules_version"]},
        sort_keys=True,
        separators=(",", ":"),
    )
    assert month_report.digest(value) == hashlib.sha256(canonical.encode()).hexdigest()
    assert month_report.digest(value | columns) == month_report.digest(value)
    assert month_report.digest(month_report.for_the_wire(value)) == month_report.digest(value)
