"""When a person becomes trained in a category, under central's counting rules.

Each criterion the rules choose gives trained events: a course completed; the N-th counted
attendance at training sessions of one course or one series; the training session with which
her hours in a category reach H. Talks never count. `trained:<category>` is the first such
event in the category (within a period), `trained` the first in any.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from telecenter.counting_rules import CountingRules

#: Hours summed as seconds: 1e-6 s of slack so that 3 x 20 minutes reaches 1 hour.
_SLACK_SECONDS = 1e-6


@dataclass(frozen=True)
class TrainingAttendance:
    """A counted attendance at a training session (not a talk)."""

    participant_id: int
    category: str
    course_id: int | None
    series_id: int | None
    session_id: int
    starts: datetime
    seconds: float


def trained_events(
    rules: CountingRules,
    completions: list[tuple[int, str, datetime]],
    attendances: list[TrainingAttendance],
) -> list[tuple[int, str, datetime]]:
    """(person, category, moment) of every trained event the rules give."""
    events = list(completions) if rules.course_completed else []
    ordered = sorted(attendances, key=lambda a: (a.starts, a.session_id))
    if rules.min_sessions is not None:
        events += _nth_session(ordered, rules.min_sessions)
    if rules.min_hours is not None:
        events += _hours_reached(ordered, rules.min_hours * 3600)
    return events


def _nth_session(ordered: list[TrainingAttendance], needed: int):
    counts: dict[tuple, int] = defaultdict(int)
    for item in ordered:
        groups = []
        if item.course_id is not None:
            groups.append(("course", item.course_id))
        if item.series_id is not None:
            groups.append(("series", item.series_id))
        for group in groups:
            key = (item.participant_id, *group)
            counts[key] += 1
            if counts[key] == needed:
                yield item.participant_id, item.category, item.starts


def _hours_reached(ordered: list[TrainingAttendance], needed_seconds: float):
    totals: dict[tuple[int, str], float] = defaultdict(float)
    for item in ordered:
        key = (item.participant_id, item.category)
        before = totals[key]
        totals[key] = before + item.seconds
        if before < needed_seconds - _SLACK_SECONDS <= totals[key]:
            yield item.participant_id, item.category, item.starts
