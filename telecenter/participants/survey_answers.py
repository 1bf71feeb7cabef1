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
#: The questions asked only after some answers (the others always are): whether each applies.
ASKED_WHEN: dict[str, Callable[[Mapping[str, Any]], bool]] = {
    "no_account_reasons": lambda a: not sc.some_chosen(a.get("account_institutions") or []),
    "saving_methods": lambda a: bool(a.get("saved")),
    "borrowing_sources": lambda a: bool(a.get("borrowed")),
    "income_decision": lambda a: bool(a.get("has_own_income")),
}


def is_asked(name: str, answers: Mapping[str, Any]) -> bool:
    condition = ASKED_WHEN.get(name)
    return condition is None or condition(answers)


def stored(survey: WfiSurvey) -> dict[str, Any]:
    """A saved survey's answers, by question."""
    return {name: getattr(survey, name) for name in sc.QUESTIONS}


def clean(answers: Mapping[str, Any]) -> dict[str, Any]:
    """Known codes only, lists without repeats, booleans as booleans, every question that
    applies answered, those that do not cleared; or RegistryError with each problem."""
    cleaned: dict[str, Any] = {name: bool(answers.get(name)) for name in sc.YES_NO_QUESTIONS}
    errors: dict[str, str] = {}
    for name, allowed in SINGLE_CHOICES.items():
        value = answers.get(name) or None
        if not is_asked(name, cleaned):
            value = None
        elif value not in allowed:
            errors[name] = _("Elija una opción.")
        cleaned[name] = value
    # In order: whether the reasons for having no account apply depends on the accounts.
    for name, allowed in sc.MULTI_FIELDS.items():
        values = list(dict.fromkeys(answers.get(name) or []))
        asked = is_asked(name, cleaned)
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
