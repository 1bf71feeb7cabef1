"""Survey answers: "Ninguna" in every multi-choice question, alone; questions that apply must be
answered; those that do not are cleared; older surveys without "Ninguna" still count."""

from __future__ import annotations

from datetime import date

import pytest

from telecenter.extensions import db
from telecenter.participants import services, survey_answers, wfi
from telecenter.participants import survey_choices as sc
from telecenter.participants.models import WfiSurvey
from tests.participants.test_registry import _answers
from tests.participants.test_wfi import _enrolled

TODAY = date(2026, 11, 29)
EMPTY = "Marque al menos una opción o «Ninguna»."
#: Answers under which each multi-choice question is asked.
ASKED = {
    "account_institutions": {},
    "wallets_used": {},
    "no_account_reasons": {"account_institutions": ["none"]},
    "saving_methods": {"saved": True},
    "borrowing_sources": {"borrowed": True, "borrowing_sources": ["family_friends"]},
}


@pytest.fixture
def woman(app_ctx, make_participant):
    return _enrolled(make_participant)


def _record(participant, **answers):
    return wfi.record_survey(
        db.session, participant, _answers(**answers), taken_on=TODAY, actor=None, today=TODAY
    )


def test_every_multi_choice_question_ends_with_its_ninguna():
    assert set(ASKED) == set(sc.MULTI_FIELDS)
    for name, options in sc.MULTI_FIELDS.items():
        assert list(options)[-1] == sc.NONE, name
        assert str(options[sc.NONE]).startswith("Ninguna"), name


@pytest.mark.parametrize("name", list(ASKED))
def test_ninguna_with_another_option_is_refused(woman, name):
    other = next(code for code in sc.MULTI_FIELDS[name] if code != sc.NONE)
    with pytest.raises(services.RegistryError) as error:
        _record(woman, **{**ASKED[name], name: [sc.NONE, other]})
    assert "no marque otra opción" in error.value.errors[name]
    assert woman.surveys == []


@pytest.mark.parametrize("name", list(ASKED))
def test_a_question_that_applies_left_empty_is_refused(woman, name):
    with pytest.raises(services.RegistryError) as error:
        _record(woman, **{**ASKED[name], name: []})
    assert error.value.errors[name] == EMPTY
    assert woman.surveys == []


def test_questions_that_do_not_apply_may_be_empty_and_are_cleared(woman):
    survey = _record(
        woman,
        account_institutions=["caja_rural"],
        no_account_reasons=["too_far"],  # she has an account: not asked
        saved=False,
        saving_methods=["account"],
        borrowed=False,
        borrowing_sources=["moneylender"],
        has_own_income=False,
        income_decision="self",
    )
    assert survey.no_account_reasons == []
    assert survey.saving_methods == []
    assert survey.borrowing_sources == []
    assert survey.income_decision is None


def test_ninguna_is_stored_and_counts_as_answered_with_nothing(woman):
    survey = _record(
        woman,
        account_institutions=["none"],
        no_account_reasons=["none"],
        wallets_used=["none"],
        saving_methods=["none"],
        borrowed=True,
        borrowing_sources=["none"],
    )
    db.session.expire_all()
    stored = db.session.get(WfiSurvey, survey.id)
    assert stored.account_institutions == stored.wallets_used == ["none"]
    assert (stored.has_account, stored.uses_wallet) == (False, False)
    baseline, latest = wfi.indicators(db.session)
    assert baseline.shares["has_account"] == latest.shares["has_account"] == 0.0
    assert baseline.shares["uses_wallet"] == 0.0
    words = dict(survey_answers.in_words(stored))
    assert (
        words["¿Tiene cuenta en alguna de estas entidades?"] == "Ninguna entidad: no tiene cuenta"
    )
    assert words["¿Usó una billetera móvil en los últimos 12 meses?"] == "Ninguna billetera"


def test_surveys_saved_before_ninguna_still_count_and_read_as_not_answered(woman):
    """Older surveys hold [] for "no account" and "not answered" alike: the indicators count
    them as before (no account), and the page says the answer is missing, not "Ninguna"."""
    db.session.add(
        WfiSurvey(
            participant=woman,
            kind="baseline",
            taken_on=date(2025, 3, 1),
            phone_access="own",
            account_institutions=[],
            wallets_used=[],
            digital_payment=False,
            saved=False,
            saving_methods=[],
            savings_group_member=False,
            borrowed=False,
            borrowing_sources=[],
            no_account_reasons=[],
            emergency_funds="not_possible",
            has_own_income=False,
        )
    )
    db.session.flush()
    _record(woman, account_institutions=["bank"], wallets_used=["yape"])
    baseline, latest = wfi.indicators(db.session)
    assert (baseline.shares["has_account"], latest.shares["has_account"]) == (0.0, 100.0)
    assert (baseline.shares["uses_wallet"], latest.shares["uses_wallet"]) == (0.0, 100.0)
    words = dict(survey_answers.in_words(woman.surveys[0]))
    assert words["¿Tiene cuenta en alguna de estas entidades?"] == "Sin respuesta"
    assert words["Si no tiene cuenta, ¿por qué?"] == "Sin respuesta"
    assert words["Si ahorró, ¿cómo ahorró?"] == "No corresponde"
    assert words["¿Ahorró dinero en los últimos 12 meses?"] == "No"
