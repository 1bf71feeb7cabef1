"""Exact cells of the participation API, against sums computed here from the reports sent.

Three telecenters in two regions (two in San Martín, so a region is not a telecenter) send
months of 2026-01 .. 2026-08 (one starts in March, one stops after June), with different
numbers per telecenter, month and dimension value, and hours in eighths plus two values with
three decimals. Every expected number is a plain sum over the sent dicts (or written by
hand), never a call into the aggregates code.

The rules the API follows (DESIGN, "Central office API"; telecenter/central/aggregates.py) are
written out below as rules: which table a measure comes from, which dimensions it can be split
by (otherwise it is blank, None), that programme enrolments answer only women in the programme
(zero for men or wfi=false, blank when split by sex or wfi), and that reach split by activity or
category comes from that activity's or category's scope.
"""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

from telecenter import month_report, vocabulary
from tests.central.test_ingest import send, stored

REGIONS = {"SM-TARAPOTO-01": "San Martín", "HU-TINGO-02": "Huánuco", "SM-LAMAS-03": "San Martín"}
FIRST_MONTH = {"SM-TARAPOTO-01": 1, "HU-TINGO-02": 1, "SM-LAMAS-03": 3}
LAST_MONTH = {"SM-TARAPOTO-01": 8, "HU-TINGO-02": 6, "SM-LAMAS-03": 8}
INNER = ("2026-02", "2026-07")  # strictly inside the data's window 2026-01 .. 2026-08
GENERATED = "2026-09-01T05:00:00Z"
MEASURES = (
    "attendances",
    "hours",
    "sessions_held",
    "registrations",
    "completions",
    "wfi_enrolments",
    "reached",
    "teleconference_reached",
    "trained",
)
PLACE_AND_TIME = {"region", "telecenter", "month"}
PERSON = {"sex", "age_band", "wfi"}
#: Hours that are not multiples of 1/8: (telecenter, month) -> hours of its first attendance row.
ODD_HOURS = {("SM-TARAPOTO-01", "2026-04"): 2.676, ("HU-TINGO-02", "2026-05"): 1.333}


# --- the reports -------------------------------------------------------------------------------


def months_of(code: str) -> list[str]:
    return [f"2026-{m:02d}" for m in range(FIRST_MONTH[code], LAST_MONTH[code] + 1)]


def report_of(code: str, month: str, *, version: int = 0, generated_at: str = GENERATED) -> dict:
    """A valid report with numbers that differ per telecenter, month and dimension value.

    Hours are multiples of 1/8 (sums are exact in floating point on every database), except
    the ODD_HOURS cells; no sum of them lies on a rounding boundary of 2 decimals."""
    rng = random.Random(f"{code}/{month}/{version}")
    people = list(itertools.product(vocabulary.SEXES, vocabulary.AGE_BANDS, (True, False)))
    attendance, sessions = [], []
    for activity, category in itertools.product(vocabulary.ACTIVITIES, vocabulary.CATEGORIES):
        for sex, age_band, wfi in rng.sample(people, rng.randint(1, 4)):
            count = rng.randint(1, 40)
            hours = count * rng.choice((0.5, 0.75, 1.0, 1.25, 1.5)) + rng.randint(0, 7) / 8
            attendance.append(
                {
                    "activity": activity,
                    "category": category,
                    "sex": sex,
                    "age_band": age_band,
                    "wfi": wfi,
                    "attendances": count,
                    "hours": hours,
                    "participants": rng.randint(1, count),
                }
            )
        if rng.random() < 0.8:
            held = rng.randint(1, 9)
            sessions.append(
                {
                    "activity": activity,
                    "category": category,
                    "sessions_held": held,
                    "session_hours": held * 1.5,
                    "unregistered_viewers": rng.randint(0, 20),
                }
            )
    if (code, month) in ODD_HOURS and version == 0:
        attendance[0]["hours"] = ODD_HOURS[code, month]
    registrations = [
        {"sex": sex, "age_band": age, "registrations": rng.randint(1, 15)}
        for sex, age in rng.sample(
            list(itertools.product(vocabulary.SEXES, vocabulary.AGE_BANDS)), rng.randint(6, 10)
        )
    ]
    completions = [
        {"category": category, "sex": sex, "age_band": age, "completions": rng.randint(1, 6)}
        for category, sex, age in rng.sample(
            list(itertools.product(vocabulary.CATEGORIES, vocabulary.SEXES, vocabulary.AGE_BANDS)),
            rng.randint(5, 12),
        )
    ]
    enrolments = [
        {"age_band": age, "enrolments": rng.randint(1, 8)}
        for age in rng.sample(vocabulary.AGE_BANDS, rng.randint(2, 5))
    ]
    reach = [
        {"scope": scope, "sex": sex, "age_band": age, "wfi": wfi, "new_people": rng.randint(1, 12)}
        for scope in vocabulary.SCOPES_V1
        for sex, age, wfi in rng.sample(people, rng.randint(1, 4))
    ]
    return {
        "schema": 1,
        "telecenter": code,
        "month": month,
        "generated_at": generated_at,
        "sessions": sessions,
        "attendance": attendance,
        "registrations": registrations,
        "completions": completions,
        "wfi_enrolments": enrolments,
        "reach": reach,
    }


def all_reports() -> list[dict]:
    return [report_of(code, month) for code in REGIONS for month in months_of(code)]


def add_telecenter(app, code: str, region: str) -> None:
    result = app.test_cli_runner().invoke(
        args=["central", "add-telecenter", code, "--name", code, "--region", region]
    )
    assert result.exit_code == 0, result.output
    app.tokens[code] = result.output.strip().splitlines()[-1]


def create_api_key(app) -> str:
    result = app.test_cli_runner().invoke(args=["central", "create-api-key", "--name", "bi"])
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


def send_as(app, code: str, items: list[dict]):
    return send(app, items, token=app.tokens[code], code=code)


def build_network(central):
    """The `central` app with a third telecenter, every report sent, and an API key;
    `.sent` is the list of reports central holds (replace items to follow resends)."""
    add_telecenter(central, "SM-LAMAS-03", "San Martín")
    sent = all_reports()
    for code in REGIONS:
        answer = send_as(central, code, [r for r in sent if r["telecenter"] == code])
        assert answer.status_code == 200, answer.get_data(as_text=True)
        assert {a["status"] for a in answer.json["acknowledged"]} == {"stored"}
    central.api_key = create_api_key(central)
    central.sent = sent
    return central


@pytest.fixture
def network(central):
    return build_network(central)


def api(app, first: str, last: str, filters=None, group_by=(), *, status: int = 200):
    params = {"from": first, "to": last}
    for name, value in (filters or {}).items():
        params[name] = str(value).lower() if isinstance(value, bool) else value
    if group_by:
        params["group_by"] = ",".join(group_by)
    answer = app.test_client().get(
        f"/api/v1/participation?{urlencode(params)}",
        headers={"Authorization": f"Bearer {app.api_key}"},
    )
    assert answer.status_code == status, (params, answer.get_data(as_text=True)[:500])
    return answer.json


# --- the rules, as independent sums over the sent reports --------------------------------------

#: measure -> (report table, column, the dimensions that table can split by)
EVENT_MEASURES = {
    "attendances": (
        "attendance",
        "attendances",
        {"activity", "category", "sex", "age_band", "wfi"},
    ),
    "hours": ("attendance", "hours", {"activity", "category", "sex", "age_band", "wfi"}),
    "sessions_held": ("sessions", "sessions_held", {"activity", "category"}),
    "registrations": ("registrations", "registrations", {"sex", "age_band"}),
    "completions": ("completions", "completions", {"category", "sex", "age_band"}),
}
REACH_SCOPES = {
    "reached": "any",
    "teleconference_reached": "activity:teleconference",
    "trained": "trained",
}


def facts(sent, table: str, first: str, last: str) -> list[dict]:
    """The rows of one table of the reports in [first, last], with their place and month."""
    return [
        {
            **row,
            "month": r["month"],
            "telecenter": r["telecenter"],
            "region": REGIONS[r["telecenter"]],
        }
        for r in sent
        if first <= r["month"] <= last
        for row in r[table]
    ]


def summed(rows, column: str, filters: dict, group_by) -> dict:
    result: dict = defaultdict(int)
    for row in rows:
        if all(row[name] == value for name, value in filters.items()):
            result[tuple(row[g] for g in group_by)] += row[column]
    return dict(result)


def expected_values(sent, first, last, filters=None, group_by=()) -> dict:
    """{measure: None (blank) | {group key: sum}} by the rules of DESIGN."""
    filters, group_by = dict(filters or {}), tuple(group_by)
    dims = (set(filters) | set(group_by)) - PLACE_AND_TIME
    values: dict = {}
    for name, (table, column, splits) in EVENT_MEASURES.items():
        values[name] = (
            summed(facts(sent, table, first, last), column, filters, group_by)
            if dims <= splits
            else None
        )
    # Programme enrolments are women in the programme: no sex or wfi in the table.
    if {"sex", "wfi"} & set(group_by):
        values["wfi_enrolments"] = None
    elif filters.get("sex", "female") != "female" or filters.get("wfi", True) is not True:
        values["wfi_enrolments"] = {}  # known to be zero
    elif dims - {"sex", "wfi"} <= {"age_band"}:
        values["wfi_enrolments"] = summed(
            facts(sent, "wfi_enrolments", first, last),
            "enrolments",
            {k: v for k, v in filters.items() if k not in ("sex", "wfi")},
            group_by,
        )
    else:
        values["wfi_enrolments"] = None
    # Reach: one scope per measure; split by activity or category, the scope of that value.
    reach = facts(sent, "reach", first, last)
    axes = dims & {"activity", "category"}
    for name, scope in REACH_SCOPES.items():
        rows, wanted, answers = None, dict(filters), dims
        if not axes:
            rows = [f for f in reach if f["scope"] == scope]
        elif name == "reached" and len(axes) == 1:
            (axis,) = axes
            rows = [
                {**f, axis: f["scope"].split(":", 1)[1]}
                for f in reach
                if f["scope"].startswith(f"{axis}:")
            ]
            answers = dims - {axis}
        elif (
            name == "teleconference_reached"
            and axes == {"activity"}
            and "activity" not in group_by
            and filters.get("activity") == "teleconference"
        ):
            rows = [f for f in reach if f["scope"] == scope]
            wanted.pop("activity")
            answers = dims - {"activity"}
        values[name] = (
            summed(rows, "new_people", wanted, group_by)
            if rows is not None and answers <= PERSON
            else None
        )
    return values


def shown(name: str, value):
    return round(value, 2) if name == "hours" else value


def expected_rows(values: dict, group_by) -> dict:
    keys = set().union(*(v for v in values.values() if v is not None)) if group_by else {()}
    return {
        key: {
            name: None if values[name] is None else shown(name, values[name].get(key, 0))
            for name in MEASURES
        }
        for key in keys
    }


def check(app, first, last, filters=None, group_by=(), sent=None) -> dict:
    """Ask the API and compare every row, every measure and the totals with the rules."""
    sent = app.sent if sent is None else sent
    answer = api(app, first, last, filters, group_by)
    values = expected_values(sent, first, last, filters, group_by)
    expected = expected_rows(values, group_by)
    got = {
        tuple(row[g] for g in group_by): {name: row[name] for name in MEASURES}
        for row in answer["rows"]
    }
    where = (first, last, filters, group_by)
    assert got == expected, where
    assert len(answer["rows"]) == len(expected), where
    totals = answer["totals"]
    for name in MEASURES:
        if values[name] is None:
            assert totals[name] is None, (where, name)
        elif name == "hours":  # the unrounded sum, rounded once: whatever the grouping
            assert totals["hours"] == round(sum(values["hours"].values()), 2), where
        else:
            assert totals[name] == sum(values[name].values()), (where, name)
    assert (answer["from"], answer["to"], answer["group_by"]) == (first, last, list(group_by))
    return answer


# --- the data itself ----------------------------------------------------------------------------


def test_the_reports_differ_in_every_dimension_value():
    """Without this, a mutant that mixes up two values of a dimension could go unseen."""
    sent = all_reports()
    assert all(not month_report.validate(r) for r in sent)
    rows = facts(sent, "attendance", *INNER)
    for name in ("activity", "category", "sex", "age_band", "wfi", "telecenter", "month"):
        sums = summed(rows, "attendances", {}, (name,))
        values = {r[name] for r in rows}
        assert len(sums) == len(values) == len(set(sums.values())), name
        if name in month_report.DIMENSIONS:
            assert values == set(month_report.DIMENSIONS[name]), name
    reach = facts(sent, "reach", *INNER)
    for code in REGIONS:
        for scope in vocabulary.SCOPES_V1:
            assert summed(reach, "new_people", {"telecenter": code, "scope": scope}, ())
    per_code = {
        code: sum(summed(rows, "hours", {"telecenter": code}, ()).values()) for code in REGIONS
    }
    assert all(value != int(value) for value in per_code.values())


# --- months --------------------------------------------------------------------------------------

WINDOWS = {
    "whole": ("2026-01", "2026-08"),
    "inner": INNER,
    "middle": ("2026-04", "2026-04"),
    "first_only": ("2026-01", "2026-01"),
    "last_only": ("2026-08", "2026-08"),
    "before_and_into": ("2025-10", "2026-02"),
    "from_inside_to_after": ("2026-07", "2026-12"),
    "before_lamas": ("2026-01", "2026-02"),
    "outside": ("2026-09", "2026-12"),
}


@pytest.mark.parametrize("window", WINDOWS)
def test_month_windows_cut_exactly(network, window):
    first, last = WINDOWS[window]
    months = {month for code in REGIONS for month in months_of(code) if first <= month <= last}
    by_month = check(network, first, last, group_by=("month",))
    assert [row["month"] for row in by_month["rows"]] == sorted(months)
    check(network, first, last)
    check(network, first, last, group_by=("telecenter",))
    check(network, first, last, group_by=("region", "sex"))
    check(network, first, last, {"telecenter": "SM-LAMAS-03"}, group_by=("age_band",))


def test_a_single_month_by_hand(network):
    """The middle month, summed by hand from the reports of 2026-04 alone."""
    april = [r for r in network.sent if r["month"] == "2026-04"]
    totals = api(network, "2026-04", "2026-04")["totals"]
    assert totals["attendances"] == sum(
        row["attendances"] for r in april for row in r["attendance"]
    )
    assert totals["registrations"] == sum(
        row["registrations"] for r in april for row in r["registrations"]
    )
    assert totals["reached"] == sum(
        row["new_people"] for r in april for row in r["reach"] if row["scope"] == "any"
    )
    whole = api(network, "2026-01", "2026-08")["totals"]
    assert totals["attendances"] < whole["attendances"]


# --- every value of every filter ---------------------------------------------------------------

#: Measures that cannot honour a filter on this dimension (DESIGN): blank, never a number.
BLANK_WHEN_FILTERED = {
    "activity": {
        "registrations",
        "completions",
        "wfi_enrolments",
        "trained",
        "teleconference_reached",
    },  # except activity=teleconference, see below
    "category": {"registrations", "wfi_enrolments", "teleconference_reached", "trained"},
    "sex": {"sessions_held"},
    "age_band": {"sessions_held"},
    "wfi": {"sessions_held", "registrations", "completions"},
    "region": set(),
    "telecenter": set(),
}
FILTER_VALUES = {
    **{
        name: month_report.DIMENSIONS[name]
        for name in ("activity", "category", "sex", "age_band", "wfi")
    },
    "region": ("San Martín", "Huánuco"),
    "telecenter": tuple(REGIONS),
}


def _scope_sum(sent, scope, first, last, filters=None) -> int:
    return sum(
        summed(
            [f for f in facts(sent, "reach", first, last) if f["scope"] == scope],
            "new_people",
            filters or {},
            (),
        ).values()
    )


@pytest.mark.parametrize("name", FILTER_VALUES)
def test_every_value_of_every_filter(network, name):
    first, last = INNER
    sent, seen = network.sent, {}
    for value in FILTER_VALUES[name]:
        answer = check(network, first, last, {name: value})
        totals = answer["totals"]
        blank = set(BLANK_WHEN_FILTERED[name])
        if (name, value) == ("activity", "teleconference"):
            blank.discard("teleconference_reached")
        assert {m for m in MEASURES if totals[m] is None} == blank, value
        hours = [
            row["hours"] for row in facts(sent, "attendance", first, last) if row[name] == value
        ]
        assert totals["hours"] == round(sum(hours), 2)
        if name in ("activity", "category"):  # reach from the scope of that value
            assert totals["reached"] == _scope_sum(sent, f"{name}:{value}", first, last)
        if (name, value) == ("activity", "teleconference"):
            assert totals["teleconference_reached"] == totals["reached"]
        if (name == "sex" and value != "female") or (name == "wfi" and value is False):
            assert totals["wfi_enrolments"] == 0
        if (name == "sex" and value == "female") or (name == "wfi" and value is True):
            assert totals["wfi_enrolments"] == sum(
                row["enrolments"] for row in facts(sent, "wfi_enrolments", first, last)
            )
        seen[value] = totals["attendances"]
    assert len(set(seen.values())) == len(seen)  # each value its own answer


@pytest.mark.parametrize("name", ["activity", "category", "sex", "age_band", "wfi"])
def test_every_grouping_by_a_dimension(network, name):
    first, last = INNER
    answer = check(network, first, last, group_by=(name,))
    assert {row[name] for row in answer["rows"]} == set(month_report.DIMENSIONS[name])
    blank = {m for m in MEASURES if answer["totals"][m] is None}
    grouped_blank = set(BLANK_WHEN_FILTERED[name])
    if name in ("sex", "wfi"):
        grouped_blank.add("wfi_enrolments")
    assert blank == grouped_blank
    check(network, first, last, {"region": "Huánuco"}, group_by=(name,))


# --- per telecenter and per region, split by a person's attributes -----------------------------


@pytest.mark.parametrize("split", ["sex", "age_band", "wfi", "activity", "category"])
def test_per_telecenter_and_per_region_splits(network, split):
    """Totals per telecenter, facts per telecenter and regional rollups: every path."""
    first, last = INNER
    values = month_report.DIMENSIONS[split]
    check(network, first, last, group_by=("telecenter",))
    check(network, first, last, group_by=("telecenter", split))
    check(network, first, last, group_by=(split, "telecenter"))
    check(network, first, last, group_by=("region", split))
    check(network, first, last, group_by=("region", "telecenter", split))
    for code in REGIONS:
        check(network, first, last, {"telecenter": code})
        check(network, first, last, {"telecenter": code}, group_by=(split,))
        check(network, first, last, {"telecenter": code, split: values[0]})
        check(network, first, last, {"telecenter": code, split: values[-1]}, group_by=("month",))
    for region in ("San Martín", "Huánuco"):
        check(network, first, last, {"region": region}, group_by=(split,))
        check(network, first, last, {"region": region, split: values[1]})
        check(network, first, last, {"region": region, split: values[0]}, group_by=("telecenter",))
    for value in values:
        check(network, first, last, {split: value}, group_by=("telecenter",))


def test_a_telecenters_sex_split_is_its_own(network):
    """By hand: Huánuco's telecenter, women, over the inner window."""
    first, last = INNER
    rows = [
        row
        for r in network.sent
        if r["telecenter"] == "HU-TINGO-02" and first <= r["month"] <= last
        for row in r["attendance"]
    ]
    answer = api(network, first, last, {"telecenter": "HU-TINGO-02"}, ("sex",))
    by_sex = {row["sex"]: row for row in answer["rows"]}
    for sex in vocabulary.SEXES:
        assert by_sex[sex]["attendances"] == sum(r["attendances"] for r in rows if r["sex"] == sex)
        assert by_sex[sex]["sessions_held"] is None
        assert by_sex[sex]["wfi_enrolments"] is None
    assert sum(row["attendances"] for row in answer["rows"]) == sum(r["attendances"] for r in rows)


def test_reach_grouped_by_activity_or_category_comes_from_their_scopes(network):
    first, last = INNER
    sent = network.sent
    for axis in ("activity", "category"):
        answer = check(network, first, last, group_by=(axis,))
        for row in answer["rows"]:
            assert row["reached"] == _scope_sum(sent, f"{axis}:{row[axis]}", first, last)
            assert row["teleconference_reached"] is None
            assert row["trained"] is None
        per_telecenter = check(network, first, last, group_by=("telecenter", axis))
        for row in per_telecenter["rows"]:
            assert row["reached"] == _scope_sum(
                sent, f"{axis}:{row[axis]}", first, last, {"telecenter": row["telecenter"]}
            )
        check(network, first, last, {"telecenter": "HU-TINGO-02"}, group_by=(axis, "sex"))
        check(network, first, last, {"region": "San Martín", "wfi": True}, group_by=(axis,))
    # two axes at once: no scope answers both
    both = check(network, first, last, {"activity": "class"}, group_by=("category",))
    assert {both["totals"][m] for m in REACH_SCOPES} == {None}


def test_totals_do_not_depend_on_the_grouping(network):
    """Hours add up in eighths here, so rows rounded to cents (x.125 -> x.12) would add up to
    a different total than the same question asked without a grouping."""
    for first, last in (INNER, ("2026-08", "2026-08")):
        plain = api(network, first, last)["totals"]
        for group_by in (
            ("telecenter",),
            ("month",),
            ("region", "sex"),
            ("activity",),
            ("telecenter", "age_band", "wfi"),
        ):
            totals = api(network, first, last, group_by=group_by)["totals"]
            for name in ("attendances", "hours"):
                assert totals[name] == plain[name], (first, last, group_by, name)


# --- the answer cache -------------------------------------------------------------------------


def test_the_cache_keeps_telecenters_regions_and_values_apart(network):
    first, last = INNER
    questions = [{"telecenter": code} for code in REGIONS] + [
        {"region": "San Martín"},
        {"region": "Huánuco"},
        {},
        {"sex": "female"},
        {"sex": "male"},
        {"wfi": True},
        {"wfi": False},
        {"telecenter": "SM-TARAPOTO-01", "sex": "male"},
        {"telecenter": "SM-LAMAS-03", "sex": "male"},
    ]
    first_answers = [check(network, first, last, q) for q in questions]
    again = [check(network, first, last, q) for q in reversed(questions)]
    assert again[::-1] == first_answers
    totals = [
        a["totals"]["attendances"]
        for a, q in zip(first_answers, questions, strict=True)
        if q != {"region": "Huánuco"}
    ]  # the region of one telecenter: its numbers
    assert len(set(totals)) == len(totals)
    grouped = [check(network, first, last, q, ("sex",)) for q in questions[:4]]
    assert len({str(a["rows"]) for a in grouped}) == 4


def test_a_newer_report_changes_only_its_telecenters_answers(network):
    first, last = INNER
    before = {code: check(network, first, last, {"telecenter": code}) for code in REGIONS}
    regions_before = {
        r: check(network, first, last, {"region": r}, ("month",)) for r in ("San Martín", "Huánuco")
    }
    newer = report_of("SM-LAMAS-03", "2026-05", version=1, generated_at="2026-09-02T05:00:00Z")
    assert send_as(network, "SM-LAMAS-03", [newer]).status_code == 200
    network.sent = [
        newer if (r["telecenter"], r["month"]) == ("SM-LAMAS-03", "2026-05") else r
        for r in network.sent
    ]
    after = {code: check(network, first, last, {"telecenter": code}) for code in REGIONS}
    assert after["SM-LAMAS-03"]["totals"] != before["SM-LAMAS-03"]["totals"]
    assert after["SM-TARAPOTO-01"] == before["SM-TARAPOTO-01"]
    assert after["HU-TINGO-02"] == before["HU-TINGO-02"]
    huanuco = check(network, first, last, {"region": "Huánuco"}, ("month",))
    assert huanuco == regions_before["Huánuco"]
    san_martin = check(network, first, last, {"region": "San Martín"}, ("month",))
    changed = [
        a["month"]
        for a, b in zip(san_martin["rows"], regions_before["San Martín"]["rows"], strict=True)
        if a != b
    ]
    assert changed == ["2026-05"]
    check(network, first, last, group_by=("telecenter", "sex"))


# --- refused reports ----------------------------------------------------------------------------


def _broken(case: str) -> dict:
    item = report_of("SM-TARAPOTO-01", "2026-04", version=2, generated_at="2026-09-03T05:00:00Z")
    table, measure, value = {
        "fractional_attendances": ("attendance", "attendances", 2.5),
        "negative_attendances": ("attendance", "attendances", -3),
        "negative_hours": ("attendance", "hours", -0.25),
        "fractional_sessions": ("sessions", "sessions_held", 1.5),
        "fractional_registrations": ("registrations", "registrations", 0.5),
        "negative_completions": ("completions", "completions", -1),
        "fractional_enrolments": ("wfi_enrolments", "enrolments", 1.25),
        "fractional_reach": ("reach", "new_people", 2.5),
        "negative_reach": ("reach", "new_people", -1),
    }[case]
    item[table][-1][measure] = value
    return item


@pytest.mark.parametrize(
    "case",
    [
        "fractional_attendances",
        "negative_attendances",
        "negative_hours",
        "fractional_sessions",
        "fractional_registrations",
        "negative_completions",
        "fractional_enrolments",
        "fractional_reach",
        "negative_reach",
    ],
)
def test_fractional_or_negative_counts_are_refused_and_change_nothing(network, case):
    first, last = INNER
    before = check(network, first, last, group_by=("telecenter", "month"))
    facts_before = {t: stored(network, t) for t in month_report.TABLES}
    good_other_month = report_of(
        "SM-TARAPOTO-01", "2026-06", version=2, generated_at="2026-09-03T05:00:00Z"
    )
    answer = send_as(network, "SM-TARAPOTO-01", [good_other_month, _broken(case)])
    assert answer.status_code == 400
    assert answer.json["reason"]
    assert {t: stored(network, t) for t in month_report.TABLES} == facts_before
    assert check(network, first, last, group_by=("telecenter", "month")) == before


# --- hours: rounded to cents, never truncated -------------------------------------------------


def test_hours_are_rounded_to_two_decimals(network):
    for (code, month), hours in ODD_HOURS.items():
        (row, *_rest) = next(
            r for r in network.sent if (r["telecenter"], r["month"]) == (code, month)
        )["attendance"]
        assert row["hours"] == hours
        cell = {
            "telecenter": code,
            **{d: row[d] for d in ("activity", "category", "sex", "age_band", "wfi")},
        }
        totals = api(network, month, month, cell)["totals"]
        assert (totals["attendances"], totals["hours"]) == (
            row["attendances"],
            {2.676: 2.68, 1.333: 1.33}[hours],
        )
        check(network, month, month, {"telecenter": code})
        check(network, month, month, {"telecenter": code}, ("activity",))


def _row(activity, category, sex, age_band, wfi, attendances, hours) -> dict:
    return {
        "activity": activity,
        "category": category,
        "sex": sex,
        "age_band": age_band,
        "wfi": wfi,
        "attendances": attendances,
        "hours": hours,
        "participants": 1,
    }


def _small(code, month, attendance, **tables) -> dict:
    return {
        "schema": 1,
        "telecenter": code,
        "month": month,
        "generated_at": GENERATED,
        "sessions": [],
        "attendance": attendance,
        "registrations": [],
        "completions": [],
        "wfi_enrolments": [],
        "reach": [],
        **tables,
    }


def test_numbers_written_by_hand(central):
    """A small network whose every expected number is written out here."""
    assert (
        send(
            central,
            [
                _small(
                    "SM-TARAPOTO-01",
                    "2026-03",
                    [
                        _row("class", "digital_literacy", "female", "18-29", True, 3, 1.25),
                        _row("class", "digital_literacy", "male", "30-44", False, 2, 2.676),
                    ],
                    wfi_enrolments=[{"age_band": "18-29", "enrolments": 2}],
                    reach=[
                        {
                            "scope": "any",
                            "sex": "female",
                            "age_band": "18-29",
                            "wfi": True,
                            "new_people": 3,
                        },
                        {
                            "scope": "activity:class",
                            "sex": "female",
                            "age_band": "18-29",
                            "wfi": True,
                            "new_people": 2,
                        },
                    ],
                ),
                _small(
                    "SM-TARAPOTO-01",
                    "2026-04",
                    [_row("workshop", "agriculture", "female", "60+", False, 5, 0.375)],
                ),
            ],
        ).status_code
        == 200
    )
    assert (
        send(
            central,
            [
                _small(
                    "HU-TINGO-02",
                    "2026-03",
                    [_row("workshop", "agriculture", "female", "60+", False, 4, 0.333)],
                    wfi_enrolments=[{"age_band": "30-44", "enrolments": 7}],
                )
            ],
            token=central.tokens["HU-TINGO-02"],
            code="HU-TINGO-02",
        ).status_code
        == 200
    )
    central.api_key = create_api_key(central)

    def totals(first, last, **filters):
        return api(central, first, last, filters)["totals"]

    march = totals("2026-03", "2026-03")
    assert (march["attendances"], march["hours"], march["wfi_enrolments"]) == (9, 4.26, 9)
    assert march["reached"] == 3
    assert totals("2026-03", "2026-03", telecenter="SM-TARAPOTO-01")["hours"] == 3.93
    assert totals("2026-03", "2026-03", telecenter="HU-TINGO-02")["hours"] == 0.33
    assert totals("2026-03", "2026-04", telecenter="SM-TARAPOTO-01")["hours"] == 4.3
    assert totals("2026-04", "2026-04")["hours"] == 0.38
    assert totals("2026-03", "2026-03", sex="female")["hours"] == 1.58
    assert totals("2026-03", "2026-03", sex="male")["hours"] == 2.68
    assert totals("2026-03", "2026-03", sex="male")["wfi_enrolments"] == 0
    assert totals("2026-03", "2026-03", wfi="false")["wfi_enrolments"] == 0
    assert totals("2026-03", "2026-03", wfi="true")["wfi_enrolments"] == 9
    assert totals("2026-03", "2026-03", region="Huánuco")["wfi_enrolments"] == 7
    assert totals("2026-03", "2026-03", activity="class")["reached"] == 2
    assert totals("2026-03", "2026-03", activity="workshop")["reached"] == 0
    by_telecenter = api(central, "2026-03", "2026-03", {"sex": "female"}, ("telecenter",))
    assert [(r["telecenter"], r["attendances"], r["hours"]) for r in by_telecenter["rows"]] == [
        ("HU-TINGO-02", 4, 0.33),
        ("SM-TARAPOTO-01", 3, 1.25),
    ]
    by_age = api(central, "2026-03", "2026-04", {"telecenter": "SM-TARAPOTO-01"}, ("age_band",))
    assert [
        (r["age_band"], r["attendances"], r["hours"], r["wfi_enrolments"]) for r in by_age["rows"]
    ] == [("18-29", 3, 1.25, 2), ("30-44", 2, 2.68, 0), ("60+", 5, 0.38, 0)]


def test_the_database_sum_of_hours_is_exact_for_the_data(network):
    """Guard for the test data itself: hours in eighths add exactly on every backend, so
    comparing rounded sums above is never a coin toss at half a cent."""
    from telecenter.central.models import FACT_TABLES
    from telecenter.extensions import db

    with network.app_context():
        total = db.session.scalar(sa.select(sa.func.sum(FACT_TABLES["attendance"].c.hours)))
    expected = sum(row["hours"] for r in network.sent for row in r["attendance"])
    assert abs(total - expected) < 1e-6
