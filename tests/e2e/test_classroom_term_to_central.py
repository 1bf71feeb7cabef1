"""A term of classes typed into the site's web forms, synced for real, read from central's API.

The site's clock is fixed at noon on 29 November 2026 in Lima. A trainer registers five people,
keeps them as a group, enrols the group in a classroom course (75 % attendance to pass),
schedules the course twice a week from 13 October to 5 November, cancels the last class, types
in every paper sheet late, and corrects two marks afterwards: one moves a completion from
October to November, the other drops a learner below the share.

The expected figures are computed in this test from what it typed in (which sessions count,
who attended which, ages by hand), never by asking the site; they are compared with the site's
month reports and with central's API after a real sync.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, timedelta

import httpx
import pytest

from tests.e2e.network import Trainer, created_id, network, register

pytestmark = pytest.mark.postgres

CODE = "SM-AULA-01"
SHARE = 75
PEOPLE = {  # who: (sex, birth date)
    "ana": ("female", date(1996, 10, 20)),  # 30 from 20 October
    "berta": ("female", date(1981, 11, 1)),  # 45 from 1 November
    "carlos": ("male", date(1990, 5, 5)),
    "dora": ("female", date(2008, 11, 2)),  # 18 from 2 November
    "elsa": ("female", date(1970, 1, 1)),
}
FIRST_DAY, LAST_DAY = date(2026, 10, 13), date(2026, 11, 5)
CANCELLED = date(2026, 11, 5)
# Paper sheets: who was not simply present, by class day.
EXCEPTIONS = {
    date(2026, 10, 13): {"dora": "excused"},
    date(2026, 10, 15): {"carlos": "absent"},
    date(2026, 10, 20): {"berta": "absent", "carlos": "absent"},
    date(2026, 10, 27): {"berta": "late"},
}
# Typed after the paper sheets, with a reason: (day, who, new status).
CORRECTIONS = [
    (date(2026, 10, 22), "elsa", "absent"),  # her completion moves from 29 Oct to 3 Nov
    (date(2026, 10, 27), "dora", "absent"),  # she falls below the share
]
BANDS = ((15, "15-17"), (18, "18-29"), (30, "30-44"), (45, "45-59"), (60, "60+"))


def _class_days() -> list[date]:
    """Tuesdays and Thursdays of the term, as the series form makes them."""
    days, day = [], FIRST_DAY
    while day <= LAST_DAY:
        if day.weekday() in (1, 3):
            days.append(day)
        day += timedelta(days=1)
    return days


def _age_band(birth: date, on: date) -> str:
    age = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    return next((band for floor, band in reversed(BANDS) if age >= floor), "unknown")


def _final_marks() -> dict[date, dict[str, str]]:
    marks = {
        day: {who: EXCEPTIONS.get(day, {}).get(who, "present") for who in PEOPLE}
        for day in _class_days()
        if day != CANCELLED
    }
    for day, who, status in CORRECTIONS:
        marks[day][who] = status
    return marks


def _expected() -> dict[str, Counter]:
    """Attendances, completions and 'trained' by (month, sex, age band), from the entries."""
    marks = _final_marks()
    held = sorted(marks)
    needed = -(-SHARE * len(held) // 100)  # the fewest classes that reach 75 %
    expected = {"attendances": Counter(), "completions": Counter(), "sessions_held": Counter()}
    for day in held:
        expected["sessions_held"][day.strftime("%Y-%m")] += 1
    for who, (sex, birth) in PEOPLE.items():
        came = [day for day in held if marks[day][who] in ("present", "late")]
        for day in came:
            expected["attendances"][(day.strftime("%Y-%m"), sex, _age_band(birth, day))] += 1
        if len(came) >= needed:
            day = came[needed - 1]
            expected["completions"][(day.strftime("%Y-%m"), sex, _age_band(birth, day))] += 1
    expected["trained"] = expected["completions"]  # each person's first and only completion
    return expected


def _enter_the_term(trainer: Trainer) -> None:
    ids = {
        who: register(trainer, who.capitalize(), "Tapullima", sex, birth)
        for who, (sex, birth) in PEOPLE.items()
    }
    group = created_id(trainer.post("/groups/", {"name": "Mujeres y hombres Pucayacu"}))
    trainer.post(f"/groups/{group}", {"participant": [str(i) for i in ids.values()]})
    course = created_id(
        trainer.post(
            "/courses/manage/new",
            {
                "title": "Mi celular para vender cacao",
                "category": "digital_literacy",
                "language": "es",
                "estimated_hours": "16",
                "completion_mode": "classroom",
                "pass_mark": "70",
                "attendance_share": str(SHARE),
                "published": "y",
            },
        )
    )
    trainer.post(f"/courses/manage/{course}/enrol", {"group_id": str(group)})
    first = created_id(
        trainer.post(
            "/sessions/new",
            {
                "kind": "class",
                "title": "Celular y cacao",
                "course_id": str(course),
                "day": FIRST_DAY.isoformat(),
                "start": "15:00",
                "end": "17:00",
                "room": "Sala 1",
                "checkin_before_minutes": "30",
                "checkin_after_minutes": "30",
                "repeat": "y",
                "weekdays": ["1", "3"],
                "every_weeks": "1",
                "until": LAST_DAY.isoformat(),
            },
        )
    )
    sessions = {day: first + n for n, day in enumerate(_class_days())}
    trainer.post(f"/sessions/{sessions[CANCELLED]}/cancel", {"reason": "Lluvia", "scope": "one"})
    third = trainer.http.get(f"{trainer.url}/sessions/{sessions[date(2026, 10, 20)]}/roster")
    assert all(f"{who.capitalize()} Tapullima" in third.text for who in PEOPLE)
    for day, session_id in sessions.items():
        if day == CANCELLED:
            continue
        sheet = {
            f"status-{ids[who]}": EXCEPTIONS.get(day, {}).get(who, "present") for who in PEOPLE
        }
        trainer.post(f"/sessions/{session_id}/roster", {**sheet, "action": "save"})
    for day, who, status in CORRECTIONS:
        trainer.post(
            f"/sessions/{sessions[day]}/roster",
            {f"status-{ids[who]}": status, "reason": "Revisamos la hoja", "action": "save"},
        )


@pytest.fixture(scope="module")
def term(tmp_path_factory, worker_id):
    with network(
        tmp_path_factory, f"term_{worker_id}", CODE, site_clock="2026-11-29 17:00:00"
    ) as net:
        _enter_the_term(Trainer(net.site))
        reports = json.loads(
            net.site.cli("month-report", "--from", "2026-10", "--to", "2026-11").stdout
        )
        net.sync()
        yield net, reports


def test_the_scenario_has_what_it_is_meant_to_show():
    """The entries above do what the docstring says (a check on the test, not the site)."""
    completed = _expected()["completions"]
    assert {month for month, _s, _b in completed} == {"2026-10", "2026-11"}
    assert sum(completed.values()) == 3  # Ana (October), Berta and Elsa (November)


def test_the_month_reports_count_what_was_typed(term):
    _net, reports = term
    expected = _expected()
    found = {"attendances": Counter(), "completions": Counter(), "sessions_held": Counter()}
    for report in reports:
        for row in report["attendance"]:
            found["attendances"][(report["month"], row["sex"], row["age_band"])] += row[
                "attendances"
            ]
        for row in report["completions"]:
            assert row["category"] == "digital_literacy"
            found["completions"][(report["month"], row["sex"], row["age_band"])] += row[
                "completions"
            ]
        for row in report["sessions"]:
            found["sessions_held"][report["month"]] += row["sessions_held"]
    for measure in found:
        assert +found[measure] == +expected[measure], measure


@pytest.mark.parametrize("measure", ["attendances", "completions", "trained"])
def test_central_shows_the_terms_figures_after_a_real_sync(term, measure):
    net, _reports = term
    answer = httpx.get(
        net.central.url + "/api/v1/participation",
        timeout=10,
        params={"from": "2026-09", "to": "2026-12", "group_by": "month,sex,age_band"},
        headers={"Authorization": f"Bearer {net.api_key}"},
    )
    assert answer.status_code == 200, answer.text
    found = Counter(
        {(r["month"], r["sex"], r["age_band"]): r[measure] for r in answer.json()["rows"]}
    )
    assert +found == +_expected()[measure]


def test_central_counts_the_classes_held_per_month(term):
    net, _reports = term
    answer = httpx.get(
        net.central.url + "/api/v1/participation",
        timeout=10,
        params={"from": "2026-09", "to": "2026-12", "group_by": "month"},
        headers={"Authorization": f"Bearer {net.api_key}"},
    )
    found = Counter({r["month"]: r["sessions_held"] for r in answer.json()["rows"]})
    assert +found == +_expected()["sessions_held"]
