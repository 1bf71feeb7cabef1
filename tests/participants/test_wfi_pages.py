"""The women's programme pages over HTTP: who needs a survey, each survey in full, corrections."""

from __future__ import annotations

import re
from datetime import date

import pytest

from telecenter.clock import to_lima
from telecenter.extensions import db
from telecenter.participants import rights, survey_answers
from telecenter.participants import survey_choices as sc
from telecenter.participants.models import Participant
from tests.conftest import FIXED_NOW, count_rows, csrf_token
from tests.participants.test_wfi import _enrolled, _survey

TODAY = to_lima(FIXED_NOW).date()  # the `clock` fixture's day in Lima


@pytest.fixture
def trainer(clock, signed_in):
    return signed_in("trainer")


@pytest.fixture
def enrolled(app, make_participant):
    """Enrol a woman (with the financial-data consent) and take her surveys; her id."""

    def enrol(given_names, *, on=date(2026, 2, 1), surveys=(), **fields):
        with app.app_context():
            participant = _enrolled(make_participant, on, given_names=given_names, **fields)
            for taken_on in surveys:
                _survey(participant, taken_on)
            db.session.commit()
            return participant.id

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


def test_a_survey_sent_empty_lists_every_question_to_answer_at_the_top(app, trainer, enrolled):
    response = _post(
        trainer, f"/programme/participants/{enrolled('Rosa')}/surveys", {"taken_on": ""}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    summary = page.split('class="alert error-summary"', 1)[1].split("</div>", 1)[0]
    asked_always = [name for name in sc.QUESTIONS if name not in survey_answers.ASKED_AFTER]
    for name in ["taken_on", *asked_always]:
        if name != "financial_goal":  # optional
            assert f'href="#{name}' in summary, name
    assert "La encuesta no se guardó" in summary
    assert "Escriba la fecha." in summary
    assert "Marque al menos una opción o «Ninguna»." in summary
    assert "Elija Sí o No." in summary
    assert 'href="#no_account_reasons' not in summary  # asked once the accounts are answered
    assert count_rows(app, "fi_surveys") == 0


def test_a_survey_answered_with_ninguna_is_saved_as_none(app, trainer, enrolled):
    participant_id = enrolled("Rosa")
    response = _post(trainer, f"/programme/participants/{participant_id}/surveys", FORM_ANSWERS)
    assert response.status_code == 302
    with app.app_context():
        survey = db.session.get(Participant, participant_id).surveys[0]
        assert survey.account_institutions == survey.wallets_used == ["none"]
        assert survey.no_account_reasons == ["too_far", "lack_documents"]


@pytest.fixture
def surveyed(app, trainer, enrolled):
    """Rosa with one survey, sent through the form: the survey's id."""
    participant_id = enrolled("Rosa", surnames="Vela")
    response = _post(trainer, f"/programme/participants/{participant_id}/surveys", FORM_ANSWERS)
    assert response.status_code == 302
    with app.app_context():
        return db.session.get(Participant, participant_id).surveys[0].id


def _stored(app, survey_id: int) -> dict:
    from telecenter.participants import survey_answers
    from telecenter.participants.models import WfiSurvey

    with app.app_context():
        survey = db.session.get(WfiSurvey, survey_id)
        return {**survey_answers.stored(survey), "taken_on": survey.taken_on}


def _audit(app) -> list[tuple]:
    with app.app_context():
        return db.session.execute(
            db.text("SELECT action, actor_id, subject_id, detail FROM audit_entries ORDER BY id")
        ).all()


def test_a_saved_survey_opens_in_full_in_plain_words(trainer, surveyed):
    listing = trainer.get("/programme/participants/1/surveys").get_data(as_text=True)
    assert f'href="/programme/surveys/{surveyed}"' in listing
    page = trainer.get(f"/programme/surveys/{surveyed}").get_data(as_text=True)
    answers = dict(
        re.findall(
            r"<tr><th scope=\"row\">(.*?)</th><td>(.*?)</td></tr>", page.split("survey-answers")[1]
        )
    )
    assert answers == {
        "¿Tiene celular?": "Tiene celular propio",
        "¿Tiene cuenta en alguna de estas entidades?": "Ninguna entidad: no tiene cuenta",
        "Si no tiene cuenta, ¿por qué?": "Las agencias están muy lejos, Le faltan documentos",
        "¿Usó una billetera móvil en los últimos 12 meses?": "Ninguna billetera",
        "¿Hizo o recibió un pago digital en los últimos 12 meses?": "No",
        "¿Ahorró dinero en los últimos 12 meses?": "Sí",
        "Si ahorró, ¿cómo ahorró?": "Efectivo en casa",
        "¿Es miembro de una junta o grupo de ahorro?": "No",
        "¿Pidió un préstamo en los últimos 12 meses?": "No",
        "Si pidió prestado, ¿a quién le pidió?": "No corresponde",
        "Si tuviera una emergencia, ¿podría juntar dinero en 30 días?": "No podría",
        "¿Tiene ingresos propios?": "Sí",
        "Si tiene ingresos, ¿quién decide cómo se usa ese dinero?": "Junto con su pareja o familia",
        "Una meta para su dinero (opcional)": "Comprar una mochila fumigadora",
    }
    assert "Línea de base del 02/11/2026" in page
    assert f'href="/programme/surveys/{surveyed}/edit"' in page


def test_the_correction_form_starts_from_the_saved_answers(trainer, surveyed):
    page = trainer.get(f"/programme/surveys/{surveyed}/edit").get_data(as_text=True)
    checked = set(re.findall(r'<input checked[^>]*name="(\w+)"[^>]*value="(\w+)"', page))
    assert checked == {
        ("phone_access", "own"),
        ("account_institutions", "none"),
        ("no_account_reasons", "too_far"),
        ("no_account_reasons", "lack_documents"),
        ("wallets_used", "none"),
        ("digital_payment", "no"),
        ("saved", "yes"),
        ("saving_methods", "cash_home"),
        ("savings_group_member", "no"),
        ("borrowed", "no"),
        ("emergency_funds", "not_possible"),
        ("has_own_income", "yes"),
        ("income_decision", "jointly"),
    }
    assert 'value="2026-11-02"' in page
    assert 'value="Comprar una mochila fumigadora"' in page


def test_staff_correct_a_survey_and_the_log_names_the_survey_not_the_answers(
    app, trainer, surveyed, caplog
):
    import logging

    caplog.set_level(logging.DEBUG)
    corrected = {**FORM_ANSWERS, "wallets_used": ["yape", "plin"], "financial_goal": "Un techo"}
    response = _post(trainer, f"/programme/surveys/{surveyed}/edit", corrected)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/programme/surveys/{surveyed}"
    page = trainer.get(response.headers["Location"]).get_data(as_text=True)
    assert "Encuesta corregida." in page
    assert "Yape, Plin" in page
    stored = _stored(app, surveyed)
    assert (stored["wallets_used"], stored["financial_goal"]) == (["yape", "plin"], "Un techo")
    action, actor_id, subject_id, detail = _audit(app)[-1]
    assert (action, detail) == (
        "wfi.survey_correct",
        f"survey {surveyed}: wallets_used, financial_goal",
    )
    with app.app_context():
        trainer_id = db.session.scalar(db.text("SELECT id FROM users WHERE role = 'trainer'"))
    assert (actor_id, subject_id) == (trainer_id, 1)  # who, and whose survey
    for answer in ("yape", "plin", "Un techo", "mochila"):
        assert answer not in detail
        assert answer not in caplog.text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"wallets_used": ["none", "yape"]}, "no marque otra opción"),
        ({"saving_methods": []}, "Marque al menos una opción o «Ninguna»."),
        ({"taken_on": "2026-12-01"}, "futuro"),
        ({"taken_on": ""}, "Escriba la fecha."),
    ],
)
def test_a_bad_correction_shows_the_problem_and_changes_nothing(
    app, trainer, surveyed, change, message
):
    before, logged = _stored(app, surveyed), _audit(app)
    response = _post(
        trainer,
        f"/programme/surveys/{surveyed}/edit",
        {**FORM_ANSWERS, "financial_goal": "Otra meta", **change},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert re.search(message, page)
    assert "La corrección no se guardó" in page
    assert _stored(app, surveyed) == before
    assert _audit(app) == logged


def test_a_correction_that_changes_nothing_says_so_and_logs_nothing(app, trainer, surveyed):
    logged = _audit(app)
    response = _post(trainer, f"/programme/surveys/{surveyed}/edit", FORM_ANSWERS)
    assert "No hubo cambios." in trainer.get(response.headers["Location"]).get_data(as_text=True)
    assert _audit(app) == logged


def test_a_survey_of_someone_erased_no_longer_opens(app, trainer, surveyed):
    with app.app_context():
        rights.erase(db.session, db.session.get(Participant, 1), actor=None, reason="requested")
        db.session.commit()
    assert trainer.get(f"/programme/surveys/{surveyed}").status_code == 404
    assert trainer.get(f"/programme/surveys/{surveyed}/edit").status_code == 404


def test_the_staff_home_lists_the_surveys_due(app, trainer, enrolled):
    enrolled("Ana", surnames="Soto", surveys=[date(2026, 3, 1)])
    enrolled("Rosa", surnames="Vela", on=date(2026, 11, 20))
    enrolled("Zoila", surnames="Amasifuén", surveys=[date(2026, 10, 5)])
    home = trainer.get("/home").get_data(as_text=True)
    section = home.split('data-testid="surveys-due"', 1)[1].split("</section>", 1)[0]
    text = " ".join(re.sub(r"<[^>]+>", " ", section).split())
    assert "(2)" in text
    assert "Ana Soto · seguimiento pendiente desde el 01/09/2026" in text
    assert "Rosa Vela · sin línea de base" in text
    assert "Zoila" not in text
