"""Women's financial-inclusion programme: enrolment, surveys and indicators."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from telecenter.clock import to_lima
from telecenter.extensions import db
from telecenter.participants import services, wfi
from telecenter.participants.models import Participant
from tests.conftest import FIXED_NOW
from tests.participants.test_registry import _answers

TODAY = to_lima(FIXED_NOW).date()  # the `clock` fixture's day in Lima


def _enrolled(make_participant, enrolled_on=date(2026, 2, 1), **fields):
    consent = services.ConsentData(given=True, financial_inclusion=True)
    participant = db.session.get(Participant, make_participant(consent=consent, **fields))
    wfi.enrol(
        db.session,
        participant,
        enrolled_on=enrolled_on,
        telecenter_code="T1",
        trainer=None,
        actor=None,
        today=TODAY,
    )
    return participant


def _survey(participant, on, **answers):
    return wfi.record_survey(
        db.session, participant, _answers(**answers), taken_on=on, actor=None, today=TODAY
    )


def test_enrolment_is_for_women_once_and_not_in_the_future(app_ctx, make_participant):
    man = db.session.get(Participant, make_participant(given_names="Juan", sex="male"))
    with pytest.raises(services.RegistryError, match="mujeres"):
        wfi.enrol(
            db.session,
            man,
            enrolled_on=TODAY,
            telecenter_code="T1",
            trainer=None,
            actor=None,
            today=TODAY,
        )
    woman = db.session.get(Participant, make_participant(given_names="Rosa", surnames="Vela"))
    with pytest.raises(services.RegistryError, match="futuro"):
        wfi.enrol(
            db.session,
            woman,
            enrolled_on=date(2027, 1, 1),
            telecenter_code="T1",
            trainer=None,
            actor=None,
            today=TODAY,
        )
    wfi.enrol(
        db.session,
        woman,
        enrolled_on=TODAY,
        telecenter_code="T1",
        trainer=None,
        actor=None,
        today=TODAY,
    )
    with pytest.raises(services.RegistryError, match="Ya está inscrita"):
        wfi.enrol(
            db.session,
            woman,
            enrolled_on=TODAY,
            telecenter_code="T1",
            trainer=None,
            actor=None,
            today=TODAY,
        )
    assert wfi.women_enrolled(db.session) == 1


def test_survey_needs_the_sensitive_data_consent(app_ctx, make_participant):
    participant = db.session.get(Participant, make_participant())
    wfi.enrol(
        db.session,
        participant,
        enrolled_on=TODAY,
        telecenter_code="T1",
        trainer=None,
        actor=None,
        today=TODAY,
    )
    with pytest.raises(services.RegistryError, match="consentimiento"):
        _survey(participant, TODAY)
    services.record_wfi_consent(db.session, participant, actor=None)
    assert _survey(participant, TODAY).kind == "baseline"


def test_first_survey_is_baseline_then_follow_ups_in_order(app_ctx, make_participant):
    participant = _enrolled(make_participant)
    assert _survey(participant, date(2026, 3, 1)).kind == "baseline"
    assert _survey(participant, date(2026, 9, 1)).kind == "follow_up"
    with pytest.raises(services.RegistryError, match=r"misma fecha|esa fecha"):
        _survey(participant, date(2026, 9, 1))
    with pytest.raises(services.RegistryError, match="anterior"):
        _survey(participant, date(2026, 2, 15))
    baseline, latest = wfi.comparison(participant)
    assert (baseline.taken_on, latest.taken_on) == (date(2026, 3, 1), date(2026, 9, 1))


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"phone_access": "satellite"}, "phone_access"),
        ({"wallets_used": ["yape", "bitcoin"]}, "wallets_used"),
        ({"has_own_income": True, "income_decision": None}, "income_decision"),
    ],
)
def test_unknown_answers_are_refused(app_ctx, make_participant, answers, field):
    participant = _enrolled(make_participant)
    with pytest.raises(services.RegistryError) as error:
        _survey(participant, TODAY, **answers)
    assert field in error.value.errors


def test_indicators_compare_each_womans_baseline_with_her_latest(app_ctx, make_participant):
    rosa = _enrolled(make_participant, given_names="Rosa")
    ana = _enrolled(make_participant, given_names="Ana", surnames="Soto")
    _enrolled(make_participant, given_names="Eva", surnames="Paz")  # enrolled, not surveyed
    _survey(
        rosa,
        date(2026, 3, 1),
        account_institutions=["none"],
        no_account_reasons=["too_far"],
        wallets_used=["none"],
        saved=False,
    )
    _survey(
        rosa,
        date(2026, 9, 1),
        account_institutions=["banco_nacion"],
        wallets_used=["bim"],
        saved=True,
        savings_group_member=True,
    )
    _survey(
        ana,
        date(2026, 4, 1),
        account_institutions=["caja_rural"],
        wallets_used=["none"],
        saved=True,
    )
    baseline, latest = wfi.indicators(db.session)
    assert (baseline.surveyed, latest.surveyed) == (2, 2)
    assert baseline.shares == {
        "has_account": 50.0,
        "uses_wallet": 0.0,
        "saved": 50.0,
        "savings_group_member": 0.0,
    }
    assert latest.shares == {
        "has_account": 100.0,
        "uses_wallet": 50.0,
        "saved": 100.0,
        "savings_group_member": 50.0,
    }
    assert wfi.women_enrolled(db.session) == 3


@pytest.mark.parametrize(
    ("form_class", "field"), [("EnrolForm", "enrolled_on"), ("SurveyForm", "taken_on")]
)
def test_date_forms_start_on_the_telecenters_day_not_the_servers(app, form_class, field):
    """At 20:00 in Lima the server's UTC clock is already on the next day; a form that
    offered that day would be refused by its own "not in the future" rule."""
    import time_machine

    from telecenter.participants import forms

    with (
        time_machine.travel(datetime(2026, 12, 2, 1, 0, tzinfo=UTC), tick=False),
        app.test_request_context(),
    ):
        form = getattr(forms, form_class)()
        assert getattr(form, field).data == date(2026, 12, 1)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 5, 29), 6, date(2026, 11, 29)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2026, 11, 15), 14, date(2028, 1, 15)),
    ],
)
def test_months_are_added_as_a_calendar_says(day, months, expected):
    assert wfi.add_months(day, months) == expected


def _due(**options) -> list[tuple[str, str, date]]:
    options.setdefault("follow_up_months", 6)
    return [
        (due.participant.given_names, due.reason, due.due_since)
        for due in wfi.needing_survey(db.session, today=TODAY, **options)
    ]


def test_women_without_a_baseline_or_with_an_old_last_survey_need_one(app_ctx, make_participant):
    _enrolled(make_participant, given_names="Rosa", enrolled_on=date(2026, 10, 1))
    old = _enrolled(make_participant, given_names="Ana", surnames="Soto")
    _survey(old, date(2026, 3, 10))
    _survey(old, date(2026, 4, 20))  # her last: a follow-up is due on 20 October
    exact = _enrolled(make_participant, given_names="Eva", surnames="Paz")
    _survey(exact, date(2026, 5, 29))  # six months ago today: due today
    recent = _enrolled(make_participant, given_names="Luz", surnames="Tello")
    _survey(recent, date(2026, 5, 30))  # due tomorrow: not yet
    assert _due() == [
        ("Rosa", "baseline", date(2026, 10, 1)),
        ("Ana", "follow_up", date(2026, 10, 20)),
        ("Eva", "follow_up", date(2026, 11, 29)),
    ]


def test_the_follow_up_interval_is_the_one_asked_for(app_ctx, make_participant):
    woman = _enrolled(make_participant)
    _survey(woman, date(2026, 8, 29))
    assert _due(follow_up_months=6) == []
    assert _due(follow_up_months=3) == [("María", "follow_up", date(2026, 11, 29))]


def test_women_not_enrolled_or_erased_never_need_a_survey(app_ctx, make_participant):
    from telecenter.participants import rights

    make_participant(given_names="Sin", surnames="Programa")
    erased = _enrolled(make_participant, given_names="Borrada", surnames="Vela")
    rights.erase(db.session, erased, actor=None, reason="requested")
    assert _due() == []
    rows = wfi.enrolled_women(db.session, today=TODAY, follow_up_months=6)
    assert rows == []


def test_the_programme_list_puts_who_needs_a_survey_first(app_ctx, make_participant):
    up_to_date = _enrolled(make_participant, given_names="Zoila", surnames="Amasifuén")
    _survey(up_to_date, date(2026, 11, 1))
    _enrolled(make_participant, given_names="Rosa", enrolled_on=date(2026, 11, 2))
    rows = wfi.enrolled_women(db.session, today=TODAY, follow_up_months=6)
    assert [(row.participant.given_names, row.last_survey_on, row.next_due) for row in rows] == [
        ("Rosa", None, date(2026, 11, 2)),
        ("Zoila", date(2026, 11, 1), date(2027, 5, 1)),
    ]
    assert rows[0].due is not None
    assert rows[1].due is None


def _correct(survey, on, **answers):
    return wfi.correct_survey(
        db.session, survey, _answers(**answers), taken_on=on, actor=None, today=TODAY
    )


@pytest.mark.parametrize(
    ("which", "on", "message"),
    [
        ("baseline", date(2026, 9, 2), "anterior a todos los seguimientos"),
        ("follow_up", date(2026, 2, 28), "no puede ser anterior a la línea de base"),
        ("follow_up", date(2026, 3, 1), "Ya hay una encuesta con esa fecha"),
        ("follow_up", date(2026, 12, 1), "futuro"),
    ],
)
def test_a_correction_keeps_the_baseline_first_and_changes_nothing_when_refused(
    app_ctx, make_participant, which, on, message
):
    participant = _enrolled(make_participant)
    surveys = {
        "baseline": _survey(participant, date(2026, 3, 1)),
        "follow_up": _survey(participant, date(2026, 9, 1)),
    }
    db.session.commit()
    with pytest.raises(services.RegistryError, match=message):
        _correct(surveys[which], on, wallets_used=["none"])
    db.session.rollback()  # what a refused request does (views.attempt)
    assert [(s.kind, s.taken_on, s.wallets_used) for s in participant.surveys] == [
        ("baseline", date(2026, 3, 1), ["yape"]),
        ("follow_up", date(2026, 9, 1), ["yape"]),
    ]


def test_a_correction_may_move_a_date_within_its_place(app_ctx, make_participant):
    participant = _enrolled(make_participant)
    baseline = _survey(participant, date(2026, 3, 1))
    _survey(participant, date(2026, 9, 1))
    assert _correct(baseline, date(2026, 2, 20)) == ["taken_on"]
    assert _correct(baseline, date(2026, 2, 20), saved=False) == ["saved", "saving_methods"]
    assert (baseline.taken_on, baseline.saved, baseline.saving_methods) == (
        date(2026, 2, 20),
        False,
        [],
    )
