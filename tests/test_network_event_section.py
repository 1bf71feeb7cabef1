"""The month report's optional `network_events` section (issue 21): counts per network event."""

from __future__ import annotations

import copy

import pytest

from telecenter import month_report
from tests.central.reports import empty_report

EVENT = {
    "event": "NE-7",
    "sessions_held": 1,
    "unregistered_viewers": 4,
    "attendance": [
        {"sex": "female", "age_band": "30-44", "attendances": 3, "participants": 3},
        {"sex": "male", "age_band": "unknown", "attendances": 1, "participants": 1},
    ],
}


def report(*events) -> dict:
    result = empty_report("SM-TARAPOTO-01", "2026-11", "2026-11-29T17:00:00Z", schema=2)
    return result | {"network_events": [copy.deepcopy(e) for e in events]}


def test_a_report_with_network_events_is_valid_and_one_without_too():
    assert month_report.validate(report(EVENT)) == []
    assert month_report.validate(report()) == []
    without = report()
    del without["network_events"]
    assert month_report.validate(without) == []


def test_schema_1_has_no_network_events():
    old = empty_report("SM-TARAPOTO-01", "2026-11", "2026-11-29T17:00:00Z", schema=1)
    assert month_report.validate(old | {"network_events": []}) == [
        "report fields: missing [], unknown ['network_events']"
    ]


def test_the_digest_changes_with_the_events_but_not_for_a_month_without_them():
    bare = report()
    del bare["network_events"]
    before = month_report.digest(bare)
    assert month_report.digest(report(EVENT)) != before
    more = copy.deepcopy(EVENT)
    more["unregistered_viewers"] = 5
    assert month_report.digest(report(more)) != month_report.digest(report(EVENT))
    assert month_report.digest(copy.deepcopy(bare)) == before


def _changed(**changes) -> dict:
    return copy.deepcopy(EVENT) | changes


def _row(**changes) -> dict:
    return _changed(attendance=[EVENT["attendance"][0] | changes])


@pytest.mark.parametrize(
    ("event", "problem"),
    [
        (_changed(event="NE-0"), "network_events[0]: event must be an id like NE-12, not 'NE-0'"),
        (_changed(event="ne-7"), "network_events[0]: event must be an id like NE-12, not 'ne-7'"),
        (_changed(event=7), "network_events[0]: event must be an id like NE-12, not 7"),
        (_changed(sessions_held=-1), "network_events[0]: sessions_held must be a whole number"),
        (_changed(unregistered_viewers=1.5), "network_events[0]: unregistered_viewers must be"),
        (_changed(attendance={}), "network_events[0].attendance must be a list"),
        (_row(sex="woman"), "network_events[0].attendance[0]: unknown sex 'woman'"),
        (_row(age_band="30+"), "network_events[0].attendance[0]: unknown age_band '30+'"),
        (_row(participants=4), "participants cannot exceed attendances"),
        (_row(attendances=True), "attendances and participants must be whole numbers"),
        ({"event": "NE-7"}, "network_events[0]: fields must be exactly event, sessions_held"),
    ],
)
def test_a_wrong_event_is_refused_with_its_place(event, problem):
    problems = month_report.validate(report(event))
    assert len(problems) == 1
    assert problem in problems[0]


def test_an_event_or_a_split_twice_is_refused():
    assert month_report.validate(report(EVENT, EVENT)) == [
        "network_events[1]: event NE-7 appears twice"
    ]
    twice = _changed(attendance=[EVENT["attendance"][0]] * 2)
    assert month_report.validate(report(twice)) == [
        "network_events[0].attendance[1]: the same sex and age band appear twice"
    ]


def test_network_events_must_be_a_short_list():
    many = [_changed(event=f"NE-{n}") for n in range(1, month_report.MAX_NETWORK_EVENTS + 2)]
    assert month_report.validate(report(*many)) == [
        "network_events must be a list of at most 300 events"
    ]
    assert month_report.validate(report(*many[:-1])) == []
