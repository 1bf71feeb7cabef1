"""The programme's outcomes at the end of each month: a stock of counts, by age band.

The women enrolled by the month's end; those with a baseline survey by then, with a follow-up;
and for each indicator, how many had it at their baseline and at their latest survey by then
(over the women with a baseline). Indicators read a survey the way the /programme/ page does
(`WfiSurvey.has_account`, `.uses_wallet`, `.saved`, `.savings_group_member`); the page shows no
emergency-funds share, so "has emergency funds" is an answer that she could gather the money
(with or without difficulty), the usual financial-inclusion reading of that question.
"""

from __future__ import annotations

import calendar
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from telecenter.participants.models import WfiEnrolment, WfiSurvey

#: Answers to "could you gather money for an emergency in 30 days?" that count as yes.
EMERGENCY_FUNDS_YES = ("very_possible", "somewhat_possible")
INDICATOR_OF: dict[str, Callable[[WfiSurvey], bool]] = {
    "account": lambda s: s.has_account,
    "wallet": lambda s: s.uses_wallet,
    "digital_payment": lambda s: bool(s.digital_payment),
    "saving": lambda s: bool(s.saved),
    "savings_group": lambda s: bool(s.savings_group_member),
    "emergency_funds": lambda s: s.emergency_funds in EMERGENCY_FUNDS_YES,
}


def month_end(month: str) -> date:
    year, number = int(month[:4]), int(month[5:7])
    return date(year, number, calendar.monthrange(year, number)[1])


def _surveys(session: Session) -> dict[int, list[tuple[date, str, frozenset[str]]]]:
    """Per woman: (taken on, kind, indicators she had), by date."""
    surveys: dict[int, list] = defaultdict(list)
    for survey in session.scalars(sa.select(WfiSurvey).order_by(WfiSurvey.taken_on)):
        had = frozenset(name for name, test in INDICATOR_OF.items() if test(survey))
        surveys[survey.participant_id].append((survey.taken_on, survey.kind, had))
    return surveys


def outcomes(session: Session, months: list[str], band_on) -> dict[str, dict[str, Counter]]:
    """{month: {age band: Counter of measures}} for the given months; `band_on(pid, day)`
    gives a woman's age band on a day. Each woman-month is first counted as her state (band,
    baseline, follow-up, what she had at baseline and at her latest survey): thousands of
    women share a few hundred states, which are then turned into measures once each."""
    surveys = _surveys(session)
    enrolled = session.execute(sa.select(WfiEnrolment.participant_id, WfiEnrolment.enrolled_on))
    states: dict[str, Counter] = defaultdict(Counter)
    ends = sorted((month, month_end(month)) for month in months)
    for pid, enrolled_on in enrolled:
        taken = surveys.get(pid, [])
        count = 0  # her surveys taken by the month's end (months in order)
        baseline = None
        follow_up = False
        for month, end in ends:
            if enrolled_on > end:
                continue
            while count < len(taken) and taken[count][0] <= end:
                baseline = baseline or (taken[count] if taken[count][1] == "baseline" else None)
                follow_up = follow_up or taken[count][1] == "follow_up"
                count += 1
            state = (follow_up, baseline[2], taken[count - 1][2]) if baseline is not None else None
            states[month][(band_on(pid, end), state)] += 1
    result: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for month, counted in states.items():
        for (band, state), women in counted.items():
            cell = result[month][band]
            cell["enrolled"] += women
            if state is None:
                continue
            follow_up, at_baseline, at_latest = state
            cell["with_baseline"] += women
            cell["with_follow_up"] += women if follow_up else 0
            for name in at_baseline:
                cell[f"{name}_baseline"] += women
            for name in at_latest:
                cell[f"{name}_latest"] += women
    return result
