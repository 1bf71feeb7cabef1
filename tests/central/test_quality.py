"""Data quality at central: completeness and timeliness from each telecenter's opening month
(never above 100 %), rules that honest reports always pass, outliers against a telecenter's
own history; bad questions refused; central roles only."""

from __future__ import annotations

import copy
import re
from datetime import UTC, datetime, timedelta

import pytest

from telecenter import month_report, vocabulary
from telecenter.clock import LIMA
from tests.central.reports import empty_report
from tests.central.test_ingest import REPORT, send
from tests.conftest import FIXED_NOW

CODE, OTHER, LATER = "SM-TARAPOTO-01", "SM-LAMAS-03", "HU-TINGO-02"
URL = "/api/v1/quality"


def lima(year, month, day, hour=12, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LIMA)


@pytest.fixture
def network(clock, make_app):
    """Three telecenters: two opened mid-year in San Martín, one registered today (no
    opening month: its registration month, 2026-11, is its first)."""
    app = make_app("central")
    runner = app.test_cli_runner()
    app.tokens = {}
    for code, region, opened in (
        (CODE, "San Martín", "2026-06"),
        (OTHER, "San Martín", "2026-03"),
        (LATER, "Huánuco", None),
    ):
        args = ["central", "add-telecenter", code, "--name", code, "--region", region]
        result = runner.invoke(args=args + (["--opened", opened] if opened else []))
        assert result.exit_code == 0, result.output
        app.tokens[code] = result.output.strip().splitlines()[-1]
    return app


def month_of(code: str, month: str, **tables) -> dict:
    report = copy.deepcopy(REPORT) | {"telecenter": code, "month": month}
    return report | tables


def receive(app, clock, code: str, month: str, at: datetime, **tables) -> None:
    """The month's report as the site sends it, arriving at `at`."""
    clock.move_to(at)
    stamp = month_report.stamp(at - timedelta(hours=1))
    item = month_of(code, month, generated_at=stamp, **tables)
    answer = send(app, [item], app.tokens[code], code=code)
    assert answer.status_code == 200, answer.json


def quality(app, client=None, **args):
    client = client or app.test_client()
    return client.get(URL, query_string=args, headers={"Authorization": f"Bearer {app.api_key}"})


@pytest.fixture
def reader(network):
    result = network.test_cli_runner().invoke(args=["central", "create-api-key", "--name", "t"])
    network.api_key = result.output.strip().splitlines()[-1]
    return network


# What each report is, as this test sets it up: (code, month, received at, status).
ARRIVALS = [
    (CODE, "2026-03", lima(2026, 4, 2), "before opening"),
    (CODE, "2026-06", lima(2026, 7, 5), "on_time"),
    (CODE, "2026-07", lima(2026, 8, 10, 23, 30), "on_time"),  # the last hours of the 10th
    (CODE, "2026-08", lima(2026, 9, 11, 6), "late"),
    # 2026-09: never sent
    (CODE, "2026-10", lima(2026, 11, 3), "on_time"),
    (CODE, "2026-11", lima(2026, 11, 28), "running month"),
    (OTHER, "2026-03", lima(2026, 4, 9), "on_time"),
    (OTHER, "2026-04", lima(2026, 6, 1), "late"),
    # 2026-05 and 2026-06: never sent
    (OTHER, "2026-07", lima(2026, 8, 1), "on_time"),
    (OTHER, "2026-08", lima(2026, 9, 1), "on_time"),
    (OTHER, "2026-09", lima(2026, 10, 20), "late"),
    (OTHER, "2026-10", lima(2026, 11, 10, 9), "on_time"),
    (LATER, "2026-10", lima(2026, 11, 5), "before opening"),
]
#: Expected months from 2026-01 to 2026-10 (the month just ended at FIXED_NOW).
EXPECTED = {CODE: 5, OTHER: 8, LATER: 0}  # 2026-06..10; 2026-03..10; opened 2026-11


def _send_all(app, clock, arrivals=ARRIVALS):
    for code, month, at, _status in arrivals:
        receive(app, clock, code, month, at)
    clock.move_to(FIXED_NOW)


def test_completeness_and_timeliness_count_from_each_opening_month(reader, clock):
    _send_all(reader, clock)
    # A re-send later does not make an on-time month late (the first receipt counts).
    receive(reader, clock, CODE, "2026-06", lima(2026, 11, 20))
    clock.move_to(FIXED_NOW)
    answer = quality(reader, **{"from": "2026-01", "to": "2026-11"}).json
    counted = [a for a in ARRIVALS if a[3] in ("on_time", "late")]
    expected = sum(EXPECTED.values())
    received = len(counted)
    on_time = sum(1 for a in counted if a[3] == "on_time")
    total = answer["completeness"]["total"]
    assert (total["expected"], total["received"], total["on_time"]) == (expected, received, on_time)
    assert total["late"] == received - on_time
    assert total["missing"] == expected - received
    assert total["waiting"] == 0
    assert total["completeness"] == round(received / expected, 4)
    assert total["timeliness"] == round(on_time / expected, 4)
    (region,) = answer["completeness"]["by_region"]  # Huánuco expects nothing yet
    assert region["region"] == "San Martín"
    gaps = {(g["telecenter"], g["month"]): g["status"] for g in answer["gaps"]}
    assert gaps == {
        (CODE, "2026-08"): "late",
        (CODE, "2026-09"): "missing",
        (OTHER, "2026-04"): "late",
        (OTHER, "2026-05"): "missing",
        (OTHER, "2026-06"): "missing",
        (OTHER, "2026-09"): "late",
    }
    june = next(r for r in answer["completeness"]["by_region_month"] if r["month"] == "2026-06")
    assert (june["expected"], june["received"], june["missing"]) == (2, 1, 1)


def test_shares_never_pass_100_percent_when_reports_precede_the_opening(reader, clock):
    arrivals = [
        (CODE, f"2026-{m:02d}", lima(2026, m + 1, 2), "sent") for m in range(1, 11)
    ]  # every month of the year, though it opened in June
    _send_all(reader, clock, arrivals)
    answer = quality(reader, **{"from": "2026-01", "to": "2026-12"}).json
    rows = [*answer["completeness"]["by_region_month"], *answer["completeness"]["by_region"]]
    assert all(r["completeness"] <= 1 and r["timeliness"] <= 1 for r in rows)
    (san_martin,) = answer["completeness"]["by_region"]
    assert san_martin["expected"] == EXPECTED[CODE] + EXPECTED[OTHER]
    assert san_martin["received"] == EXPECTED[CODE]  # June to October only
    assert {r["month"] for r in answer["completeness"]["by_region_month"]} == {
        f"2026-{m:02d}"
        for m in range(3, 11)  # OTHER from March; nothing for November
    }


def test_the_month_just_ended_is_late_only_after_its_due_day(reader, clock):
    for code, month, at, _status in ARRIVALS:
        if month < "2026-10":
            receive(reader, clock, code, month, at)
    clock.move_to(lima(2026, 11, 10, 22))  # the due day, late evening
    before = quality(reader, **{"from": "2026-10", "to": "2026-10"}).json
    total = before["completeness"]["total"]
    assert (total["expected"], total["waiting"], total["missing"]) == (2, 2, 0)
    assert total["completeness"] == 0
    assert total["timeliness"] is None  # nothing is due yet
    clock.move_to(lima(2026, 11, 11, 0, 30))
    after = quality(reader, **{"from": "2026-10", "to": "2026-10"}).json["completeness"]["total"]
    assert (after["waiting"], after["missing"], after["timeliness"]) == (0, 2, 0)


def test_a_running_month_is_never_expected(reader, clock):
    _send_all(reader, clock)
    total = quality(reader, **{"from": "2026-11", "to": "2026-11"}).json["completeness"]["total"]
    assert total["expected"] == 0
    assert total["completeness"] is None


def test_set_opened_moves_the_first_expected_month(reader, clock):
    runner = reader.test_cli_runner()
    assert runner.invoke(args=["central", "set-opened", LATER, "2026-09"]).exit_code == 0
    answer = quality(reader, **{"from": "2026-01", "to": "2026-10"}).json
    regions = {r["region"]: r for r in answer["completeness"]["by_region"]}
    assert regions["Huánuco"]["expected"] == 2
    bad = runner.invoke(args=["central", "set-opened", LATER, "2026-13"])
    assert bad.exit_code != 0
    assert "YYYY-MM" in bad.output
    again = quality(reader, **{"from": "2026-01", "to": "2026-10"}).json
    assert again["completeness"] == answer["completeness"]


def test_add_telecenter_refuses_a_bad_opening_month(network):
    result = network.test_cli_runner().invoke(
        args=[
            "central",
            "add-telecenter",
            "UC-X-09",
            "--name",
            "x",
            "--region",
            "Ucayali",
            "--opened",
            "marzo",
        ]
    )
    assert result.exit_code != 0
    assert "YYYY-MM" in result.output
    listed = network.test_cli_runner().invoke(args=["central", "list-telecenters"]).output
    assert "UC-X-09" not in listed


SESSIONS = REPORT["sessions"]
ATTENDANCE = REPORT["attendance"]
BAD_REPORTS = {
    "participants_over_attendances": {"attendance": [ATTENDANCE[0] | {"participants": 12}]},
    "session_hours_over_limit": {"sessions": [SESSIONS[0] | {"session_hours": 48.5}]},
    "attendances_without_sessions": {
        "attendance": [*ATTENDANCE, ATTENDANCE[0] | {"activity": "workshop"}]
    },
    "new_people_over_attendances": {"reach": [REPORT["reach"][0] | {"new_people": 10}]},
}


@pytest.mark.parametrize("rule", sorted(BAD_REPORTS))
def test_each_rule_catches_its_bad_report_and_not_the_honest_one(reader, clock, rule):
    receive(reader, clock, CODE, "2026-09", lima(2026, 10, 2), **BAD_REPORTS[rule])
    receive(reader, clock, OTHER, "2026-09", lima(2026, 10, 2))  # honest
    answer = quality(reader, **{"from": "2026-09", "to": "2026-09"}).json
    (found,) = answer["violations"]
    assert (found["rule"], found["telecenter"], found["month"]) == (rule, CODE, "2026-09")
    assert found["activity"] == (
        "workshop" if rule == "attendances_without_sessions" else "teleconference"
    )
    assert answer["rules"][rule]["explanation"]


def _with_network_event(code: str, at: datetime, *, teleconference: int, network: int) -> dict:
    """A schema-2 month with `teleconference` attendances at one teleconference session, and
    a network event (one session) claiming `network` attendances."""
    report = empty_report(code, "2026-09", month_report.stamp(at - timedelta(hours=1)), schema=2)
    split = {"activity": "teleconference", "category": "agriculture", "commodity": "cacao"}
    split |= {"purpose": "training"}
    report["sessions"] = [
        split | {"sessions_held": 1, "session_hours": 2.0, "unregistered_viewers": 0}
    ]
    report["attendance"] = [
        split
        | {"sex": "female", "age_band": "30-44", "wfi": False}
        | {"attendances": teleconference, "hours": 2.0 * teleconference, "participants": 1}
    ]
    row = {"sex": "female", "age_band": "30-44", "attendances": network, "participants": 1}
    report["network_events"] = [
        {"event": "NE-4", "sessions_held": 1, "unregistered_viewers": 0, "attendance": [row]}
    ]
    assert month_report.validate(report) == []
    return report


def test_network_events_cannot_count_more_than_the_months_teleconferences(reader, clock):
    at = lima(2026, 10, 2)
    clock.move_to(at)
    for code, network in ((CODE, 5), (OTHER, 3)):  # OTHER's event is all its teleconference
        report = _with_network_event(code, at, teleconference=3, network=network)
        answer = send(reader, [report], reader.tokens[code], code=code, schema=2)
        assert answer.status_code == 200, answer.json
    clock.move_to(FIXED_NOW)
    answer = quality(reader, **{"from": "2026-09", "to": "2026-09"}).json
    (found,) = answer["violations"]
    assert (found["rule"], found["telecenter"], found["month"]) == (
        "network_events_over_teleconferences",
        CODE,
        "2026-09",
    )
    assert found["figures"] == {
        "network_attendances": 5,
        "attendances": 3,
        "network_sessions": 1,
        "sessions_held": 1,
    }


def test_the_outcome_rule_catches_more_baselines_than_women(reader, clock):
    outcome = {"age_band": "30-44", "enrolled": 3, "with_baseline": 3, "with_follow_up": 1}
    outcome |= {
        f"{i}_{w}": 1 for i in vocabulary.WFI_OUTCOME_INDICATORS for w in ("baseline", "latest")
    }
    honest = month_report_2(OTHER, outcome)
    bad = month_report_2(CODE, outcome | {"with_baseline": 5})
    for code, item in ((OTHER, honest), (CODE, bad)):
        clock.move_to(lima(2026, 10, 2))
        answer = send(reader, [item], reader.tokens[code], code=code, schema=2)
        assert answer.status_code == 200, answer.json
    clock.move_to(FIXED_NOW)
    (found,) = quality(reader, **{"from": "2026-09", "to": "2026-09"}).json["violations"]
    assert (found["rule"], found["telecenter"]) == ("programme_outcomes_over_enrolled", CODE)
    assert found["figures"]["with_baseline"] == 5
    assert found["figures"]["enrolled"] == 3


def month_report_2(code: str, outcome: dict) -> dict:
    return {
        "schema": 2,
        "telecenter": code,
        "month": "2026-09",
        "generated_at": month_report.stamp(lima(2026, 10, 1).astimezone(UTC)),
        "rules_version": "1",
        **{t: [] for t in ("sessions", "attendance", "registrations", "completions", "reach")},
        "wfi_enrolments": [],
        "wfi_outcomes": [outcome],
    }


def _history(reader, clock, counts: list[int]) -> None:
    """CODE's attendances month by month from 2025-09 (sessions stay the same)."""
    for index, count in enumerate(counts):
        year, number = divmod(2025 * 12 + 8 + index, 12)
        month = f"{year:04d}-{number + 1:02d}"
        row = ATTENDANCE[0] | {"attendances": count, "participants": min(5, count)}
        arrived = datetime(year, number + 1, 28, tzinfo=UTC)
        receive(reader, clock, CODE, month, arrived, attendance=[row])
    clock.move_to(FIXED_NOW)


NORMAL = [40, 44, 38, 42, 45, 39, 41, 43, 40, 44, 42, 38]  # 2025-09 .. 2026-08


def test_a_tenfold_jump_is_an_outlier(reader, clock):
    _history(reader, clock, [*NORMAL, 420])  # 2026-09
    answer = quality(reader, **{"from": "2026-09", "to": "2026-09"}).json
    (found,) = answer["outliers"]
    usual = sorted(NORMAL)[5:7]
    assert (found["telecenter"], found["month"], found["measure"]) == (
        CODE,
        "2026-09",
        "attendances",
    )
    assert (found["value"], found["usual"]) == (420, sum(usual) / 2)
    assert found["history_months"] == 12


def test_the_running_month_is_never_an_outlier(reader, clock):
    """Its report holds only the days so far: a drop to a few is no sign of a wrong figure."""
    running = f"{FIXED_NOW:%Y-%m}"  # 2026-11, after 2025-09 .. 2026-10
    _history(reader, clock, [*NORMAL, 41, 40, 3])
    answer = quality(reader, **{"from": "2026-09", "to": running}).json
    assert answer["outliers"] == []
    clock.move_to(FIXED_NOW.replace(month=12, day=1, hour=12))  # the month has ended
    answer = quality(reader, **{"from": "2026-09", "to": running}).json
    assert [(o["month"], o["measure"], o["value"]) for o in answer["outliers"]] == [
        (running, "attendances", 3)
    ]


def _usual_and_scale(history: list[int]) -> tuple[float, float]:
    """The median and the MAD (floored at 1 and a tenth of the median) of a history."""
    ordered = sorted(history)
    usual = (ordered[5] + ordered[6]) / 2  # twelve months
    deviations = sorted(abs(x - usual) for x in history)
    return usual, max((deviations[5] + deviations[6]) / 2, 1, usual / 10)


def test_a_robust_score_flags_a_tripling_and_not_normal_variation(reader, clock):
    normal, tripled = 46, 3 * 42
    usual, scale = _usual_and_scale(NORMAL)
    assert 0.6745 * (normal - usual) / scale < 3.5
    _history(reader, clock, [*NORMAL, normal, tripled])  # 2026-09, 2026-10
    answer = quality(reader, **{"from": "2026-09", "to": "2026-10"}).json
    (found,) = answer["outliers"]
    assert found["month"] == "2026-10"
    usual, scale = _usual_and_scale([*NORMAL[1:], normal])  # 2025-10 .. 2026-09
    assert found["usual"] == usual
    assert found["score"] == round(0.6745 * (tripled - usual) / scale, 1)


def test_too_short_a_history_flags_nothing(reader, clock):
    _history(reader, clock, [40, 41, 39, 400])
    assert quality(reader, **{"from": "2025-09", "to": "2026-12"}).json["outliers"] == []


@pytest.mark.parametrize(
    "args",
    [
        {},
        {"from": "2026-01"},
        {"from": "2026-13", "to": "2026-14"},
        {"from": "2026-05", "to": "2026-01"},
        {"from": "2026-01", "to": "2026-02", "region": "Lima"},
        {"from": "x" * 500, "to": "2026-02"},
    ],
)
def test_bad_questions_get_400(reader, args):
    answer = quality(reader, **args)
    assert answer.status_code == 400
    assert answer.json["reason"]


def test_the_page_shows_the_figures_in_spanish(reader, clock, signed_in_central):
    _send_all(reader, clock)
    client = signed_in_central(reader)
    page = client.get("/central/calidad", query_string={"from": "2026-01", "to": "2026-10"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Calidad de los datos" in text
    assert 'data-code="SM-TARAPOTO-01" data-month="2026-09" data-status="missing"' in text
    assert "septiembre de 2026" in text
    received, expected = 10, 13
    assert f"{round(received / expected * 100, 1)}".replace(".", ",") + " %" in text
    home = client.get("/central/").get_data(as_text=True)
    assert 'href="/central/calidad"' in home
    # The dashboard's figures link to the quality of the same months and region.
    dashboard = client.get("/central/", query_string={"from": "2026-02", "to": "2026-04"})
    link = re.search(r'data-quality-link><a href="([^"]+)"', dashboard.get_data(as_text=True))
    assert link is not None
    assert link.group(1).replace("&amp;", "&") == "/central/calidad?from=2026-02&to=2026-04&region="


@pytest.mark.parametrize(
    "args", [{"from": "2026-13"}, {"region": "Lima"}, {"from": "2026-05", "to": "2026-01"}]
)
def test_the_page_answers_bad_filters_with_a_message(reader, signed_in_central, args):
    page = signed_in_central(reader).get("/central/calidad", query_string=args)
    assert page.status_code == 400
    assert "No se pudo mostrar lo pedido" in page.get_data(as_text=True)


def test_only_central_staff_and_keys_read_it(reader, signed_in_central):
    anonymous = reader.test_client()
    assert anonymous.get(URL, query_string={"from": "2026-01", "to": "2026-02"}).status_code == 401
    assert anonymous.get("/central/calidad").status_code == 302
    wrong_key = anonymous.get(
        URL,
        query_string={"from": "2026-01", "to": "2026-02"},
        headers={"Authorization": "Bearer nope"},
    )
    assert wrong_key.status_code == 401
    for role in ("central_staff", "central_admin"):
        assert signed_in_central(reader, role).get("/central/calidad").status_code == 200


def test_a_site_has_no_quality_page(make_app):
    site = make_app("site")
    assert site.test_client().get("/central/calidad").status_code == 404
    assert site.test_client().get(URL).status_code == 404
