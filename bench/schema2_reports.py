"""Realistic schema-2 month reports for load (random counts, valid shape), so the ingest
benchmark measures schema 2 whatever the site emits on this branch.

Sized like a busy telecenter's month: every period kind x the scopes people reached x a few
sex/age-band/programme cells, sessions and attendance split by crop and purpose, and the
programme's outcomes by age band.
"""

from __future__ import annotations

import random

from telecenter import month_report, vocabulary

CELLS_PER_SCOPE = 5
ATTENDANCE_ROWS = 60


def _cells(rng: random.Random, count: int) -> list[tuple]:
    every = [
        (sex, band, wfi)
        for sex in vocabulary.SEXES
        for band in vocabulary.AGE_BANDS
        for wfi in vocabulary.WFI
    ]
    return rng.sample(every, count)


def _commodity(rng: random.Random, category: str) -> str:
    return rng.choice(vocabulary.CROPS) if category == "agriculture" else vocabulary.NO_COMMODITY


def _sessions(rng: random.Random) -> tuple[list[dict], list[dict]]:
    sessions, attendance, seen = [], [], set()
    for activity in vocabulary.ACTIVITIES:
        for category in vocabulary.CATEGORIES:
            commodity, purpose = _commodity(rng, category), rng.choice(vocabulary.PURPOSES)
            held = rng.randint(1, 8)
            sessions.append(
                {
                    "activity": activity,
                    "category": category,
                    "commodity": commodity,
                    "purpose": purpose,
                    "sessions_held": held,
                    "session_hours": 2.0 * held,
                    "unregistered_viewers": rng.randint(0, 9),
                }
            )
            for sex, band, wfi in _cells(rng, ATTENDANCE_ROWS // 12):
                key = (activity, category, commodity, purpose, sex, band, wfi)
                if key in seen:
                    continue
                seen.add(key)
                people = rng.randint(1, 12)
                attendance.append(
                    dict(zip(month_report.TABLES["attendance"][0], key, strict=True))
                    | {"attendances": 3 * people, "hours": 6.0 * people, "participants": people}
                )
    return sessions, attendance


def _reach(rng: random.Random) -> list[dict]:
    """Each person a scope counts is counted in the month for every period whose first event
    of hers fell in it, attributed at that same event: the cells are the same in every period
    and the counts nest (ever <= year, fiscal year <= quarter <= month), as in the reports of
    the 5,000-person site above (1,372 reach rows a month over 279 cells, median)."""
    rows = []
    for scope in vocabulary.SCOPES:
        if rng.random() >= 0.8:
            continue
        for sex, band, wfi in _cells(rng, CELLS_PER_SCOPE):
            month = rng.randint(4, 20)
            quarter = rng.randint(3, month)
            year, fiscal_year = rng.randint(2, quarter), rng.randint(2, quarter)
            counts = {"month": month, "quarter": quarter, "year": year}
            counts |= {"fiscal_year": fiscal_year, "ever": rng.randint(1, min(year, fiscal_year))}
            cell = {"scope": scope, "sex": sex, "age_band": band, "wfi": wfi}
            rows += [{"period": p} | cell | {"new_people": counts[p]} for p in vocabulary.PERIODS]
    return rows


def _wfi_outcomes(rng: random.Random) -> list[dict]:
    rows = []
    for band in ("18-29", "30-44", "45-59"):
        enrolled = rng.randint(20, 60)
        baseline = rng.randint(10, enrolled)
        row = {"age_band": band, "enrolled": enrolled, "with_baseline": baseline}
        row["with_follow_up"] = rng.randint(0, baseline)
        for indicator in vocabulary.WFI_OUTCOME_INDICATORS:
            row[f"{indicator}_baseline"] = rng.randint(0, baseline)
            row[f"{indicator}_latest"] = rng.randint(0, baseline)
        rows.append(row)
    return rows


def schema2_report(rng: random.Random, code: str, month: str, generated_at: str) -> dict:
    sessions, attendance = _sessions(rng)
    return {
        "schema": 2,
        "telecenter": code,
        "month": month,
        "generated_at": generated_at,
        "rules_version": "1",
        "sessions": sessions,
        "attendance": attendance,
        "registrations": [
            {"sex": sex, "age_band": band, "registrations": rng.randint(1, 9)}
            for sex, band in {(sex, band) for sex, band, _wfi in _cells(rng, 8)}
        ],
        "completions": [
            {"category": category, "sex": sex, "age_band": band, "completions": rng.randint(1, 5)}
            for category in vocabulary.CATEGORIES
            for sex, band in {(sex, band) for sex, band, _wfi in _cells(rng, 3)}
        ],
        "wfi_enrolments": [
            {"age_band": band, "enrolments": rng.randint(1, 6)} for band in ("18-29", "30-44")
        ],
        "reach": _reach(rng),
        "wfi_outcomes": _wfi_outcomes(rng),
    }
