"""The women's financial-inclusion programme: enrolment, surveys, indicators."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from telecenter import audit
from telecenter.auth.models import User
from telecenter.participants import survey_answers
from telecenter.participants.models import Participant, WfiEnrolment, WfiSurvey
from telecenter.participants.services import RegistryError, fold

PROGRAMME_START = date(2012, 1, 1)
INDICATORS = ("has_account", "uses_wallet", "saved", "savings_group_member")


def _check_date(value: date | None, *, today: date, field: str) -> date:
    if value is None:
        raise RegistryError({field: _("Escriba la fecha.")})
    if value > today:
        raise RegistryError({field: _("La fecha no puede estar en el futuro.")})
    if value < PROGRAMME_START:
        raise RegistryError({field: _("La fecha es anterior al inicio del programa (2012).")})
    return value


def enrol(
    session: Session,
    participant: Participant,
    *,
    enrolled_on: date,
    telecenter_code: str,
    trainer: User | None,
    actor: User | None,
    today: date,
) -> WfiEnrolment:
    if participant.erased_at:
        raise RegistryError({"enrolled_on": _("Los datos de esta persona fueron borrados.")})
    if participant.sex != "female":
        raise RegistryError({"enrolled_on": _("El programa es para mujeres.")})
    if participant.wfi_enrolment is not None:
        raise RegistryError({"enrolled_on": _("Ya está inscrita en el programa.")})
    _check_date(enrolled_on, today=today, field="enrolled_on")
    enrolment = WfiEnrolment(
        participant=participant,
        enrolled_on=enrolled_on,
        telecenter_code=telecenter_code,
        trainer_id=trainer.id if trainer else None,
    )
    session.add(enrolment)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="wfi.enrol",
        subject_type="participant",
        subject_id=participant.id,
    )
    return enrolment


def _check_survey_allowed(participant: Participant) -> None:
    if participant.erased_at:
        raise RegistryError({"taken_on": _("Los datos de esta persona fueron borrados.")})
    if participant.wfi_enrolment is None:
        raise RegistryError({"taken_on": _("Primero inscriba a la participante en el programa.")})
    if not participant.has_consent("financial_inclusion"):
        raise RegistryError({"taken_on": _("Falta el consentimiento para datos financieros.")})


def _check_place(
    participant: Participant,
    taken_on: date | None,
    *,
    today: date,
    kind: str,
    survey: WfiSurvey | None = None,
) -> None:
    """A real date, one survey a day, the baseline (the first) before every follow-up."""
    day = _check_date(taken_on, today=today, field="taken_on")
    others = [s for s in participant.surveys if s is not survey]
    if any(s.taken_on == day for s in others):
        raise RegistryError({"taken_on": _("Ya hay una encuesta con esa fecha.")})
    if kind == "follow_up" and any(s.taken_on > day for s in others if s.kind == "baseline"):
        raise RegistryError(
            {"taken_on": _("Un seguimiento no puede ser anterior a la línea de base.")}
        )
    if kind == "baseline" and any(s.taken_on < day for s in others):
        raise RegistryError(
            {"taken_on": _("La línea de base debe ser anterior a todos los seguimientos.")}
        )


def _date_and_answers(
    participant: Participant,
    taken_on: date | None,
    answers: dict,
    *,
    today: date,
    kind: str,
    survey: WfiSurvey | None = None,
) -> tuple[date, dict]:
    """The survey's date and cleaned answers, or RegistryError with the problems of both, so
    that the trainer sees every one at once."""
    _check_survey_allowed(participant)
    errors: dict[str, str] = {}
    try:
        _check_place(participant, taken_on, today=today, kind=kind, survey=survey)
    except RegistryError as error:
        errors = error.errors
    try:
        cleaned = survey_answers.clean(answers)
    except RegistryError as error:
        raise RegistryError({**errors, **error.errors}) from error
    if errors or taken_on is None:
        raise RegistryError(errors)
    return taken_on, cleaned


def record_survey(
    session: Session,
    participant: Participant,
    answers: dict,
    *,
    taken_on: date | None,
    actor: User | None,
    today: date,
) -> WfiSurvey:
    """The first survey is the baseline; every later one is a follow-up."""
    kind = "follow_up" if participant.surveys else "baseline"
    taken_on, cleaned = _date_and_answers(participant, taken_on, answers, today=today, kind=kind)
    survey = WfiSurvey(
        participant=participant,
        taken_on=taken_on,
        kind=kind,
        recorded_by_id=actor.id if actor else None,
        **cleaned,
    )
    session.add(survey)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="wfi.survey",
        subject_type="participant",
        subject_id=participant.id,
        detail=survey.kind,
    )
    return survey


def correct_survey(
    session: Session,
    survey: WfiSurvey,
    answers: dict,
    *,
    taken_on: date | None,
    actor: User | None,
    today: date,
) -> list[str]:
    """Rectify a saved survey under the rules of a new one; the names of the questions that
    changed. The audit log says who corrected which survey and those names, never an answer."""
    participant = survey.participant
    taken_on, cleaned = _date_and_answers(
        participant, taken_on, answers, today=today, kind=survey.kind, survey=survey
    )
    corrected = {"taken_on": taken_on, **cleaned}
    changed = [name for name, value in corrected.items() if getattr(survey, name) != value]
    for name in changed:
        setattr(survey, name, corrected[name])
    if changed:
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="wfi.survey_correct",
            subject_type="participant",
            subject_id=participant.id,
            detail=f"survey {survey.id}: {', '.join(changed)}",
        )
    return changed


def women_enrolled(session: Session) -> int:
    return session.scalar(sa.select(sa.func.count(WfiEnrolment.id))) or 0


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or that month's last day when it is shorter
    (31 August + 6 months is the last day of February)."""
    year, month_index = divmod(day.year * 12 + day.month - 1 + months, 12)
    month = month_index + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class SurveyDue:
    """A woman whose next survey is due, and since when: her baseline since she enrolled,
    a follow-up since her last survey plus the follow-up interval."""

    participant: Participant
    #: "baseline" or "follow_up" (words in survey_choices.SURVEY_DUE).
    reason: str
    due_since: date


@dataclass(frozen=True)
class EnrolledWoman:
    """A row of the programme page: a woman, her surveys so far, and what is due."""

    participant: Participant
    enrolled_on: date
    last_survey_on: date | None
    #: When her next survey is (or was) due: the enrolment date until her baseline is taken.
    next_due: date
    #: Set when that date has come: she needs a survey now.
    due: SurveyDue | None


def enrolled_women(session: Session, *, today: date, follow_up_months: int) -> list[EnrolledWoman]:
    """Every enrolled woman whose data was not erased, those whose survey is due first (the
    longest overdue first), then by the date of their next survey."""
    last_survey = (
        sa.select(WfiSurvey.participant_id, sa.func.max(WfiSurvey.taken_on).label("taken_on"))
        .group_by(WfiSurvey.participant_id)
        .subquery()
    )
    rows = session.execute(
        sa.select(Participant, WfiEnrolment.enrolled_on, last_survey.c.taken_on)
        .join(WfiEnrolment, WfiEnrolment.participant_id == Participant.id)
        .outerjoin(last_survey, last_survey.c.participant_id == Participant.id)
        .where(Participant.erased_at.is_(None))
    ).all()
    women = [
        _enrolled_woman(participant, enrolled_on, last_on, today, follow_up_months)
        for participant, enrolled_on, last_on in rows
    ]
    return sorted(
        women,
        key=lambda w: (
            w.next_due,
            fold(w.participant.surnames),
            fold(w.participant.given_names),
            w.participant.id,
        ),
    )


def _enrolled_woman(
    participant: Participant,
    enrolled_on: date,
    last_on: date | None,
    today: date,
    follow_up_months: int,
) -> EnrolledWoman:
    reason = "baseline" if last_on is None else "follow_up"
    next_due = enrolled_on if last_on is None else add_months(last_on, follow_up_months)
    due = SurveyDue(participant, reason, next_due) if next_due <= today else None
    return EnrolledWoman(participant, enrolled_on, last_on, next_due, due)


def needing_survey(session: Session, *, today: date, follow_up_months: int) -> list[SurveyDue]:
    """The women whose baseline or follow-up survey is due by `today`, by `due_since`."""
    women = enrolled_women(session, today=today, follow_up_months=follow_up_months)
    return [woman.due for woman in women if woman.due is not None]


@dataclass(frozen=True)
class IndicatorSet:
    """Shares (0-100) of surveyed women for each indicator, and how many were surveyed."""

    surveyed: int
    shares: dict[str, float]


def _shares(surveys: list[WfiSurvey]) -> IndicatorSet:
    if not surveys:
        return IndicatorSet(0, {name: 0.0 for name in INDICATORS})
    return IndicatorSet(
        len(surveys),
        {
            name: round(100 * sum(bool(getattr(s, name)) for s in surveys) / len(surveys), 1)
            for name in INDICATORS
        },
    )


def indicators(session: Session) -> tuple[IndicatorSet, IndicatorSet]:
    """Baseline and latest indicators over enrolled women with at least one survey."""
    surveys = session.scalars(
        sa.select(WfiSurvey)
        .join(WfiEnrolment, WfiEnrolment.participant_id == WfiSurvey.participant_id)
        .order_by(WfiSurvey.participant_id, WfiSurvey.taken_on)
    ).all()
    first: dict[int, WfiSurvey] = {}
    last: dict[int, WfiSurvey] = {}
    for survey in surveys:
        first.setdefault(survey.participant_id, survey)
        last[survey.participant_id] = survey
    return _shares(list(first.values())), _shares(list(last.values()))


def comparison(participant: Participant) -> tuple[WfiSurvey | None, WfiSurvey | None]:
    """A woman's baseline and her latest follow-up (None when there is none yet)."""
    surveys = participant.surveys
    if not surveys:
        return None, None
    return surveys[0], (surveys[-1] if len(surveys) > 1 else None)
