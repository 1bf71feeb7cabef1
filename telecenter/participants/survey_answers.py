"""A survey's answers: which questions apply, checking them, and reading them in words.

Plain functions over a mapping of question name to answer (a form's, or `stored(survey)`), so
that recording, correcting and showing a survey follow the same rules.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext as _

from telecenter.labels import NO_VALUE, text_of
from telecenter.participants import survey_choices as sc
from telecenter.participants.models import WfiSurvey
from telecenter.participants.services import RegistryError

SINGLE_CHOICES = {
    "phone_access": sc.PHONE_ACCESS,
    "emergency_funds": sc.EMERGENCY_FUNDS,
    "income_decision": sc.INCOME_DECISION,
}
#: The questions asked only after another one's answer: (that question, whether it leads here).
ASKED_AFTER: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "no_account_reasons": ("account_institutions", lambda codes: not sc.some_chosen(codes or [])),
    "saving_methods": ("saved", bool),
    "borrowing_sources": ("borrowed", bool),
    "income_decision": ("has_own_income", bool),
}


def is_asked(name: str, answers: Mapping[str, Any]) -> bool:
    if name not in ASKED_AFTER:
        return True
    question, leads_here = ASKED_AFTER[name]
    return leads_here(answers.get(question))


def _check_now(name: str, cleaned: Mapping[str, Any], errors: Mapping[str, str]) -> bool:
    """Whether to check this answer: not while the question it follows is itself unanswered
    (her reasons for having no account wait until the accounts question is answered)."""
    question = ASKED_AFTER.get(name, ("",))[0]
    return question not in errors and is_asked(name, cleaned)


def stored(survey: WfiSurvey) -> dict[str, Any]:
    """A saved survey's answers, by question."""
    return {name: getattr(survey, name) for name in sc.QUESTIONS}


def clean(answers: Mapping[str, Any]) -> dict[str, Any]:
    """Known codes only, lists without repeats, booleans as booleans, every question that
    applies answered, those that do not cleared; or RegistryError with each problem."""
    cleaned: dict[str, Any] = {name: answers.get(name) is True for name in sc.YES_NO_QUESTIONS}
    errors = {
        name: _("Elija Sí o No.")
        for name in sc.YES_NO_QUESTIONS
        if not isinstance(answers.get(name), bool)
    }
    for name, allowed in SINGLE_CHOICES.items():
        value = answers.get(name) or None
        if not _check_now(name, cleaned, errors):
            value = None
        elif value not in allowed:
            errors[name] = _("Elija una opción.")
        cleaned[name] = value
    # In order: whether the reasons for having no account apply depends on the accounts.
    for name, allowed in sc.MULTI_FIELDS.items():
        values = list(dict.fromkeys(answers.get(name) or []))
        asked = _check_now(name, cleaned, errors)
        problem = _multi_choice_problem(values, allowed) if asked else None
        if problem:
            errors[name] = problem
        cleaned[name] = values if asked else []
    cleaned["financial_goal"] = (answers.get("financial_goal") or "").strip()[:200] or None
    if errors:
        raise RegistryError(errors)
    return cleaned


def _multi_choice_problem(values: list[str], allowed: Mapping[str, Any]) -> str | None:
    if any(value not in allowed for value in values):
        return _("Opción desconocida.")
    if sc.NONE in values and len(values) > 1:
        return _("Si marca «%(none)s», no marque otra opción.", none=allowed[sc.NONE])
    if not values:
        return _("Marque al menos una opción o «Ninguna».")
    return None


def in_words(survey: WfiSurvey) -> list[tuple[str, str]]:
    """Every question with its answer, as people read them, in the form's order."""
    answers = stored(survey)
    return [(str(question), _in_words(name, answers)) for name, question in sc.QUESTIONS.items()]


def _in_words(name: str, answers: Mapping[str, Any]) -> str:
    value = answers[name]
    if not value and not is_asked(name, answers):
        return str(sc.NOT_ASKED)
    if name in sc.YES_NO_QUESTIONS:
        return str(sc.YES_NO["yes" if value else "no"])
    if name in SINGLE_CHOICES:
        return text_of(SINGLE_CHOICES[name], value)
    if name in sc.MULTI_FIELDS:
        labels = sc.MULTI_FIELDS[name]
        return ", ".join(text_of(labels, code) for code in value) or str(sc.NOT_ANSWERED)
    return value or NO_VALUE
