"""Demo telecenters and a year of plausible month reports, so central's dashboard has
something to show after `make run` (counts only, made up; never real data)."""

from __future__ import annotations

import random
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from telecenter import month_report, vocabulary
from telecenter.central import ingest, tokens
from telecenter.central.models import Telecenter
from telecenter.clock import utcnow

DEMO_TELECENTERS = (
    ("SM-TARAPOTO-01", "Telecentro Tarapoto", "San Martín", "San Martín", "Tarapoto"),
    ("SM-LAMAS-02", "Telecentro Lamas", "San Martín", "Lamas", "Lamas"),
    ("SM-TOCACHE-03", "Telecentro Tocache", "San Martín", "Tocache", "Tocache"),
    ("HU-TINGO-04", "Telecentro Tingo María", "Huánuco", "Leoncio Prado", "Rupa-Rupa"),
    ("HU-AUCAYACU-05", "Telecentro Aucayacu", "Huánuco", "Leoncio Prado", "José Crespo y Castillo"),
    ("UC-PUCALLPA-06", "Telecentro Pucallpa", "Ucayali", "Coronel Portillo", "Callería"),
)


def _months(last: date, count: int) -> list[str]:
    year, month = last.year, last.month
    result = []
    for _ in range(count):
        result.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return sorted(result)


def _report(rng: random.Random, code: str, month: str, size: int) -> dict:
    facts: dict[str, list] = {table: [] for table in month_report.TABLES}
    for activity in vocabulary.ACTIVITIES:
        category = rng.choice(vocabulary.CATEGORIES)
        held = rng.randint(1, 3 + size)
        facts["sessions"].append(
            {
                "activity": activity,
                "category": category,
                "sessions_held": held,
                "session_hours": 2.0 * held,
                "unregistered_viewers": rng.randint(0, 9) if activity == "teleconference" else 0,
            }
        )
        for sex in ("female", "male"):
            for band in ("18-29", "30-44", "45-59"):
                people = rng.randint(0, 2 + size)
                facts["attendance"].append(
                    {
                        "activity": activity,
                        "category": category,
                        "sex": sex,
                        "age_band": band,
                        "wfi": sex == "female" and band == "30-44",
                        "attendances": people * 2,
                        "hours": people * 4.0,
                        "participants": people,
                    }
                )
    for sex in ("female", "male"):
        for band in ("18-29", "30-44"):
            facts["registrations"].append(
                {"sex": sex, "age_band": band, "registrations": rng.randint(0, 4)}
            )
            facts["completions"].append(
                {
                    "category": "financial_literacy",
                    "sex": sex,
                    "age_band": band,
                    "completions": rng.randint(0, 3),
                }
            )
            reached = rng.randint(2, 6 + size)  # teleconference and trained are subsets
            for scope, people in (
                ("any", reached),
                ("activity:teleconference", rng.randint(0, reached)),
                ("trained", rng.randint(0, reached // 2)),
            ):
                facts["reach"].append(
                    {
                        "scope": scope,
                        "sex": sex,
                        "age_band": band,
                        "wfi": False,
                        "new_people": people,
                    }
                )
    facts["wfi_enrolments"].append({"age_band": "30-44", "enrolments": rng.randint(0, 5)})
    return {
        "schema": month_report.SCHEMA,
        "telecenter": code,
        "month": month,
        "generated_at": "2026-01-01T00:00:00Z",
        **facts,
    }


def seed(session: Session, *, last: date, months: int = 12) -> None:
    """Create the demo telecenters with reports, unless telecenters already exist."""
    if session.scalar(sa.select(sa.func.count(Telecenter.id))):
        return
    rng = random.Random(2026)  # noqa: S311 - made-up demo counts, not security
    for size, (code, name, region, province, district) in enumerate(DEMO_TELECENTERS):
        telecenter = Telecenter(
            code=code, name=name, region=region, province=province, district=district
        )
        session.add(telecenter)
        tokens.issue(telecenter)  # a token nobody knows: demo sites cannot send
        session.flush()
        items = [_report(rng, code, month, size) for month in _months(last, months)]
        ingest.store(session, telecenter, items)
    telecenter.last_heard_at = utcnow() - timedelta(days=12)  # one silent site to flag
