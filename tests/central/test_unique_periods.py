"""Unique people per reporting period from schema-2 reach facts, equal to an independent
distinct count of generated people; New + Continuing = unique; misaligned ranges refused;
a schema-1 telecenter makes schema-2 figures null with a note, schema-1 measures stay exact."""

from __future__ import annotations

import random
from collections import Counter

from telecenter import periods
from tests.central.test_ingest import send

CODE, OLD = "SM-TARAPOTO-01", "HU-TINGO-02"
MONTHS = [f"{y}-{m:02d}" for y in (2024, 2025) for m in range(1, 13)]


def _people(rng):
    """(sex, [(month, age_band)]) per person: some come back after a year, some age."""
    people = []
    for _ in range(40):
        sex = rng.choice(["female", "male"])
        months = sorted(rng.sample(MONTHS, rng.randint(1, 5)))
        people.append((sex, [(m, "18-29" if m < "2025-03" else "30-44") for m in months]))
    return people


def _reach_rows(people, month):
    counts: Counter = Counter()
    for kind in ("ever", "fiscal_year", "year", "quarter", "month"):
        for sex, events in people:
            seen = set()
            for event_month, band in events:
                period = periods.period_of(kind, event_month)
                if period in seen:
                    continue
                seen.add(period)
                if event_month == month:
                    counts[(kind, sex, band)] += 1
    return [
        {"period": k, "scope": "any", "sex": s, "age_band": b, "wfi": False, "new_people": n}
        for (k, s, b), n in counts.items()
    ]


def _report(people, month):
    return {
        "schema": 2,
        "rules_version": "1",
        "telecenter": CODE,
        "month": month,
        "generated_at": "2026-01-01T00:00:00Z",
        "sessions": [],
        "attendance": [],
        "registrations": [],
        "completions": [],
        "wfi_enrolments": [],
        "reach": _reach_rows(people, month),
        "wfi_outcomes": [],
    }


def _distinct(people, kind, period, sex=None):
    return sum(
        1
        for s, events in people
        if (sex is None or s == sex)
        and any(periods.period_of(kind, m) == period for m, _b in events)
    )


def _get(app, query):
    client = app.test_client()
    return client.get(
        f"/api/v1/participation?{query}", headers={"Authorization": f"Bearer {app.api_key}"}
    )


def _loaded(central, with_old=False):
    people = _people(random.Random(19))
    reports = [_report(people, m) for m in MONTHS]
    assert send(central, reports, token=central.tokens[CODE], code=CODE).status_code == 200
    if with_old:
        old = {
            "schema": 1,
            "telecenter": OLD,
            "month": "2025-01",
            "generated_at": "2026-01-01T00:00:00Z",
            "sessions": [],
            "attendance": [
                {
                    "activity": "class",
                    "category": "other",
                    "sex": "male",
                    "age_band": "60+",
                    "wfi": False,
                    "attendances": 7,
                    "hours": 3.0,
                    "participants": 2,
                }
            ],
            "registrations": [],
            "completions": [],
            "wfi_enrolments": [],
            "reach": [],
        }
        assert send(central, [old], token=central.tokens[OLD], code=OLD).status_code == 200
    runner = central.test_cli_runner()
    central.api_key = (
        runner.invoke(args=["central", "create-api-key", "--name", "bi"])
        .output.strip()
        .splitlines()[-1]
    )
    return people


def test_unique_per_period_equals_distinct_people(central):
    people = _loaded(central)
    for kind, group in (("year", "year"), ("quarter", "quarter"), ("month", "month")):
        answer = _get(central, f"from=2024-01&to=2025-12&unique={kind}&group_by={group},sex").json
        rows = {(r[group], r["sex"]): r for r in answer["rows"]}
        expected = {
            (periods.period_of(kind, m), s): _distinct(people, kind, periods.period_of(kind, m), s)
            for m in MONTHS
            for s in ("female", "male")
        }
        assert {k: r["reached"] for k, r in rows.items()} == {
            k: v for k, v in expected.items() if k in rows
        }
        assert all(v == 0 for k, v in expected.items() if k not in rows)
        for r in rows.values():
            assert r["reached_new"] + r["reached_continuing"] == r["reached"]
        assert answer["totals"]["reached"] is None  # not added across periods
    one_year = _get(central, "from=2025-01&to=2025-12&unique=year").json
    assert one_year["totals"]["reached"] == _distinct(people, "year", "2025")
    assert one_year["totals"]["reached_continuing"] == sum(
        1
        for _s, events in people
        if any(m.startswith("2025") for m, _b in events) and events[0][0] < "2025-01"
    )


def test_misaligned_or_unsplit_ranges_are_refused(central):
    _loaded(central)
    misaligned = _get(central, "from=2024-02&to=2024-12&unique=year")
    assert misaligned.status_code == 400
    assert "whole periods" in misaligned.json["reason"]
    unsplit = _get(central, "from=2024-01&to=2025-12&unique=year")
    assert unsplit.status_code == 400
    assert "group_by=year" in unsplit.json["reason"]


def test_a_schema_1_telecenter_makes_schema_2_figures_null_with_a_note(central):
    _loaded(central, with_old=True)
    answer = _get(central, "from=2025-01&to=2025-12&unique=year").json
    assert answer["totals"]["reached"] is None
    assert any(OLD in note for note in answer["notes"])
    assert answer["totals"]["attendances"] == 7  # schema-1 measure stays exact
