"""Programme outcomes at central: a stock of the range's last month, summed over telecenters,
equal to independent counts of generated women; schema-1 months null with a note; a
telecenter without a report counts 0 and is named; bad questions refused."""

from __future__ import annotations

import random

import sqlalchemy as sa

from telecenter.central import ingest
from telecenter.central.models import FACT_TABLES, MonthReport, Telecenter
from telecenter.extensions import db
from telecenter.vocabulary import WFI_OUTCOME_INDICATORS

CODE, OTHER = "SM-TARAPOTO-01", "HU-TINGO-02"
MONTHS = ["2025-01", "2025-02", "2025-03"]
INDICATORS = WFI_OUTCOME_INDICATORS
BANDS = ("18-29", "30-44")


def _women(rng, count):
    """Per woman: the month she enrolled, her age band, whether and when she was surveyed,
    and the indicators she had at baseline and at her latest survey."""
    women = []
    for _ in range(count):
        baseline = rng.random() < 0.7
        women.append(
            {
                "enrolled": rng.choice(MONTHS),
                "band": rng.choice(BANDS),
                "baseline": baseline,
                "follow_up": baseline and rng.random() < 0.5,
                "at_baseline": {i for i in INDICATORS if baseline and rng.random() < 0.4},
                "latest": {i for i in INDICATORS if baseline and rng.random() < 0.6},
            }
        )
    return women


def _outcome_rows(women, month):
    """The stock at the end of `month`, as a site writes it (surveys by then, simplified:
    a woman enrolled by then has all her surveys)."""
    rows = {}
    for woman in women:
        if woman["enrolled"] > month:
            continue
        row = rows.setdefault(
            woman["band"],
            {
                "age_band": woman["band"],
                "enrolled": 0,
                "with_baseline": 0,
                "with_follow_up": 0,
                **{f"{i}_{w}": 0 for i in WFI_OUTCOME_INDICATORS for w in ("baseline", "latest")},
            },
        )
        row["enrolled"] += 1
        row["with_baseline"] += woman["baseline"]
        row["with_follow_up"] += woman["follow_up"]
        for indicator in woman["at_baseline"]:
            row[f"{indicator}_baseline"] += 1
        for indicator in woman["latest"]:
            row[f"{indicator}_latest"] += 1
    return list(rows.values())


def _report(code, month, women, schema=2):
    report = {
        "schema": schema,
        "telecenter": code,
        "month": month,
        "generated_at": "2026-01-01T00:00:00Z",
        **{t: [] for t in ("sessions", "attendance", "registrations", "completions")},
        "wfi_enrolments": [],
        "reach": [],
    }
    if schema == 2:
        report["rules_version"] = "1"
        report["wfi_outcomes"] = _outcome_rows(women, month)
    return report


def _store(app, code, reports):
    with app.app_context():
        telecenter = db.session.scalar(sa.select(Telecenter).where(Telecenter.code == code))
        body = {"schema": 2, "telecenter": code, "reports": reports}
        items = ingest.check_request(body, telecenter)
        ingest.store(db.session, telecenter, items)
        db.session.commit()


def _expected(women, month, band=None):
    """Independent count over the generated women enrolled by the end of `month`."""
    mine = [w for w in women if w["enrolled"] <= month and (band is None or w["band"] == band)]
    with_baseline = sum(w["baseline"] for w in mine)
    figures = {
        "enrolled": len(mine),
        "with_baseline": with_baseline,
        "with_follow_up": sum(w["follow_up"] for w in mine),
    }
    for indicator in WFI_OUTCOME_INDICATORS:
        for when, key in (("baseline", "at_baseline"), ("latest", "latest")):
            count = sum(indicator in w[key] for w in mine)
            figures[f"{indicator}_{when}"] = count
            figures[f"{indicator}_{when}_share"] = (
                round(count / with_baseline, 3) if with_baseline else None
            )
    return figures


def _get(client, query):
    return client.get(f"/api/v1/programme-outcomes?{query}")


def _loaded(central, signed_in_central, other_schema=2):
    rng = random.Random(19)
    women = {CODE: _women(rng, 60), OTHER: _women(rng, 40)}
    _store(central, CODE, [_report(CODE, m, women[CODE]) for m in MONTHS])
    _store(central, OTHER, [_report(OTHER, m, women[OTHER], other_schema) for m in MONTHS[:2]])
    return women, signed_in_central(central)


def test_the_last_month_summed_over_telecenters(central, signed_in_central):
    women, client = _loaded(central, signed_in_central)
    both = women[CODE] + women[OTHER]
    answer = _get(client, "from=2025-01&to=2025-02").json
    assert answer["stock_month"] == "2025-02"
    assert any("stock at the end of 2025-02" in note for note in answer["notes"])
    assert answer["totals"] == _expected(both, "2025-02")
    assert answer["rows"] == [_expected(both, "2025-02")]
    # The first month's stock differs: only the last month is read, never a sum.
    assert _get(client, "from=2025-01&to=2025-01").json["totals"] == _expected(both, "2025-01")
    by = _get(client, "from=2025-01&to=2025-02&group_by=telecenter,age_band").json
    rows = {(r["telecenter"], r["age_band"]): r for r in by["rows"]}
    for code in (CODE, OTHER):
        for band in BANDS:
            row = rows[(code, band)]
            assert {k: v for k, v in row.items() if k not in ("telecenter", "age_band")} == (
                _expected(women[code], "2025-02", band)
            )
    region = _get(client, "from=2025-02&to=2025-02&region=Huánuco").json
    assert region["totals"] == _expected(women[OTHER], "2025-02")


def test_a_telecenter_without_a_report_counts_zero_and_is_named(central, signed_in_central):
    women, client = _loaded(central, signed_in_central)
    answer = _get(client, "from=2025-01&to=2025-03").json
    assert answer["totals"] == _expected(women[CODE], "2025-03")
    assert answer["without_report"] == [OTHER]
    missing = [note for note in answer["notes"] if note.startswith("sin informe de 2025-03")]
    assert len(missing) == 1
    assert OTHER in missing[0]


def test_a_schema_1_month_is_null_with_a_note(central, signed_in_central):
    women, client = _loaded(central, signed_in_central, other_schema=1)
    answer = _get(client, "from=2025-02&to=2025-02").json
    assert all(value is None for value in answer["totals"].values())
    assert all(value is None for value in answer["rows"][0].values())
    assert any("schema 1" in note and OTHER in note for note in answer["notes"])
    by = _get(client, "from=2025-02&to=2025-02&group_by=telecenter").json
    rows = {r["telecenter"]: r for r in by["rows"]}
    assert rows[OTHER]["enrolled"] is None
    assert rows[OTHER]["account_latest_share"] is None
    assert {k: v for k, v in rows[CODE].items() if k != "telecenter"} == _expected(
        women[CODE], "2025-02"
    )
    by_region = _get(client, "from=2025-02&to=2025-02&group_by=region").json
    assert {r["region"]: r["enrolled"] for r in by_region["rows"]} == {
        "San Martín": _expected(women[CODE], "2025-02")["enrolled"],
        "Huánuco": None,
    }


def test_bad_questions_are_refused_and_change_nothing(central, signed_in_central):
    _, client = _loaded(central, signed_in_central)

    def counts():
        with central.app_context():
            facts = FACT_TABLES["wfi_outcomes"]
            return (
                db.session.scalar(sa.select(sa.func.count()).select_from(facts)),
                db.session.scalar(sa.select(sa.func.count(MonthReport.id))),
            )

    before = counts()
    for query, reason in (
        ("from=2025-13&to=2025-02", "'from' must be a month"),
        ("from=2025-01", "'to' must be a month"),
        ("from=2025-03&to=2025-01", "'from' must not be after 'to'"),
        ("from=2025-01&to=2025-02&group_by=sex", "group_by takes distinct fields"),
        ("from=2025-01&to=2025-02&group_by=region,region", "group_by takes distinct fields"),
        ("from=2025-01&to=2025-02&region=Atlantis", "unknown region"),
        ("from=2025-01&to=2025-02&telecenter=XX-NOPE-01", "unknown telecenter"),
    ):
        answer = _get(client, query)
        assert answer.status_code == 400, query
        assert reason in answer.json["reason"], (query, answer.json)
    assert counts() == before
    anonymous = central.test_client().get("/api/v1/programme-outcomes?from=2025-01&to=2025-02")
    assert anonymous.status_code == 401
