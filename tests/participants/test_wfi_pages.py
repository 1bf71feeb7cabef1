"""The women's programme pages over HTTP: who needs a survey, each survey in full, corrections."""

from __future__ import annotations

import re
from datetime import date

import pytest

from telecenter.extensions import db
from telecenter.participants import rights, services, wfi
from telecenter.participants import survey_choices as sc
from telecenter.participants.models import Participant
from tests.conftest import count_rows, csrf_token
from tests.participants.test_registry import _answers

TODAY = date(2026, 11, 29)  # the `clock` fixture's day in Lima


@pytest.fixture
def trainer(clock, signed_in):
    return signed_in("trainer")


@pytest.fixture
def enrolled(app, make_participant):
    """Enrol a woman (with the financial-data consent) and take her surveys; her id."""

    def enrol(given_names, *, on=date(2026, 2, 1), surveys=(), **fields):
        consent = services.ConsentData(given=True, financial_inclusion=True)
        participant_id = make_participant(given_names=given_names, consent=consent, **fields)
        with app.app_context():
            participant = db.session.get(Participant, participant_id)
            wfi.enrol(
                db.session,
                participant,
                enrolled_on=on,
                telecenter_code="T1",
                trainer=None,
                actor=None,
                today=TODAY,
            )
            for taken_on in surveys:
                wfi.record_survey(
                    db.session, participant, _answers(), taken_on=taken_on, actor=None, today=TODAY
                )
            db.session.commit()
        return participant_id

    return enrol


def _rows(page: str) -> list[str]:
    """The text of each row of the enrolled women's table, tags stripped."""
    table = page.split('data-testid="enrolled-women"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr.*?</tr>", table.split("<tbody>", 1)[1], flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]


def test_the_programme_page_lists_the_women_who_need_a_survey_first(app, trainer, enrolled):
    up_to_date = enrolled("Zoila", surnames="Amasifuén", surveys=[date(2026, 10, 5)])
    overdue = enrolled("Ana", surnames="Soto", surveys=[date(2026, 3, 1)], community="Pucayacu")
    new = enrolled("Rosa", surnames="Vela", on=date(2026, 11, 20))
    page = trainer.get("/programme/").get_data(as_text=True)
    assert _rows(page) == [
        "Ana Soto Pucayacu 01/02/2026 01/03/2026 Seguimiento pendiente desde el 01/09/2026 "
        "Hacer la encuesta",
        "Rosa Vela — 20/11/2026 — Sin línea de base Hacer la encuesta",
        "Zoila Amasifuén — 01/02/2026 05/10/2026 Al día próxima: 05/04/2027",
    ]
    for participant_id in (overdue, new, up_to_date):
        assert f'href="/participants/{participant_id}"' in page
    assert "2 mujeres necesitan una encuesta" in page


def test_the_follow_up_interval_comes_from_the_configuration(app, trainer, enrolled):
    enrolled("Zoila", surnames="Amasifuén", surveys=[date(2026, 8, 1)])
    page = trainer.get("/programme/").get_data(as_text=True)
    assert "Al día" in _rows(page)[0]
    app.config["WFI_FOLLOW_UP_MONTHS"] = 3
    page = trainer.get("/programme/").get_data(as_text=True)
    assert "Seguimiento pendiente desde el 01/11/2026" in _rows(page)[0]
    assert "3 meses después de la última encuesta" in page


def test_erased_women_are_not_listed(app, trainer, enrolled):
    erased = enrolled("Borrada", surnames="Vela")
    with app.app_context():
        rights.erase(
            db.session, db.session.get(Participant, erased), actor=None, reason="duplicate"
        )
        db.session.commit()
    page = trainer.get("/programme/").get_data(as_text=True)
    assert "Ninguna mujer necesita una encuesta ahora." in page
    assert 'data-testid="enrolled-women"' not in page


#: A survey as the form sends it: every question that applies answered.
FORM_ANSWERS = {
    "taken_on": "2026-11-02",
    "phone_access": "own",
    "account_institutions": ["none"],
    "no_account_reasons": ["too_far", "lack_documents"],
    "wallets_used": ["none"],
    "digital_payment": "no",
    "saved": "yes",
    "saving_methods": ["cash_home"],
    "savings_group_member": "no",
    "borrowed": "no",
    "emergency_funds": "not_possible",
    "has_own_income": "yes",
    "income_decision": "jointly",
    "financial_goal": "Comprar una mochila fumigadora",
}


def _post(client, path, data):
    return client.post(path, data={"csrf_token": csrf_token(client), **data})


def test_the_survey_form_offers_ninguna_in_every_multi_choice_question(trainer, enrolled):
    page = trainer.get(f"/programme/participants/{enrolled('Rosa')}/surveys").get_data(as_text=True)
    for name in sc.MULTI_FIELDS:
        assert f'name="{name}" type="checkbox" value="none"' in page, name


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"wallets_used": ["none", "yape"]},
            "Si marca «Ninguna billetera», no marque otra opción.",
        ),
        ({"account_institutions": []}, "Marque al menos una opción o «Ninguna»."),
        ({"saving_methods": []}, "Marque al menos una opción o «Ninguna»."),
        ({"no_account_reasons": []}, "Marque al menos una opción o «Ninguna»."),
    ],
)
def test_a_survey_with_a_bad_multi_choice_answer_is_shown_again_and_not_saved(
    app, trainer, enrolled, change, message
):
    response = _post(
        trainer, f"/programme/participants/{enrolled('Rosa')}/surveys", {**FORM_ANSWERS, **change}
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count_rows(app, "fi_surveys") == 0


def test_a_survey_answered_with_ninguna_is_saved_as_none(app, trainer, enrolled):
    participant_id = enrolled("Rosa")
    response = _post(trainer, f"/programme/participants/{participant_id}/surveys", FORM_ANSWERS)
    assert response.status_code == 302
    with app.app_context():
        survey = db.session.get(Participant, participant_id).surveys[0]
        assert survey.account_institutions == survey.wallets_used == ["none"]
        assert survey.no_account_reasons == ["too_far", "lack_documents"]
