"""Registry pages over HTTP: forms, errors that change nothing, uploads, rights."""

from __future__ import annotations

import io

import pytest

from telecenter.extensions import db
from telecenter.participants.models import Participant
from tests.conftest import count_rows, csrf_token

REGISTRATION = {
    "given_names": "Rosa",
    "surnames": "Huamán",
    "sex": "female",
    "document_type": "dni",
    "document_number": "10117410-2",
    "birth_date": "1985-03-02",
    "district_ubigeo": "220901",
    "community": "Pucayacu",
    "consent": "y",
    "pin": "4821",
}


@pytest.fixture
def trainer(signed_in):
    return signed_in("trainer")


def _post(client, path, data=None, **kwargs):
    return client.post(path, data={"csrf_token": csrf_token(client), **(data or {})}, **kwargs)


def test_trainer_registers_a_participant_who_can_then_sign_in(app, trainer):
    response = _post(trainer, "/participants/new", REGISTRATION)
    assert response.status_code == 302
    detail = trainer.get(response.headers["Location"]).get_data(as_text=True)
    assert "Participante registrado" in detail
    assert "Rosa Huamán" in detail
    trainer.post("/sign-out", data={"csrf_token": csrf_token(trainer)})
    signed = _post(trainer, "/sign-in/participant", {"identifier": "10117410", "pin": "4821"})
    assert signed.status_code == 302


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"consent": ""}, "Sin consentimiento"),
        ({"document_number": "10117410-9"}, "verificación"),
        ({"birth_date": "2031-01-01"}, "futuro"),
        ({"district_ubigeo": "150101"}, "Not a valid choice|Opción"),
        ({"pin": "1111"}, "fácil de adivinar"),
        ({"birth_date": "2012-01-01"}, "15 años"),
    ],
)
def test_bad_registrations_show_the_problem_and_save_nothing(clock, app, trainer, change, message):
    import re

    response = _post(trainer, "/participants/new", {**REGISTRATION, **change})
    assert response.status_code == 400
    assert re.search(message, response.get_data(as_text=True))
    assert count_rows(app, "participants") == 0
    assert count_rows(app, "users") == 1  # only the trainer: no half-made resident account


def test_likely_duplicate_is_shown_then_saved_when_confirmed(app, trainer, make_participant):
    make_participant(given_names="Rosa", surnames="Huamán", birth_date=None, birth_year=1985)
    walk_in = {
        "given_names": "rosa",
        "surnames": "Huaman",
        "sex": "female",
        "birth_year": "1985",
        "consent": "y",
    }
    shown = _post(trainer, "/participants/quick", walk_in)
    assert shown.status_code == 400
    assert "¿Es la misma persona?" in shown.get_data(as_text=True)
    assert count_rows(app, "participants") == 1
    saved = _post(trainer, "/participants/quick", {**walk_in, "confirm_not_duplicate": "y"})
    assert saved.status_code == 302
    assert count_rows(app, "participants") == 2


def test_quick_registration_then_completing_the_record(app, trainer):
    response = _post(
        trainer,
        "/participants/quick",
        {
            "given_names": "Juan",
            "sex": "male",
            "birth_year": "1970",
            "consent": "y",
            "community": "Alto Shamboyacu",
        },
    )
    assert response.status_code == 302
    participant_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = trainer.get(f"/participants/{participant_id}").get_data(as_text=True)
    assert "faltan datos" in page
    completed = _post(
        trainer,
        f"/participants/{participant_id}/edit",
        {
            "given_names": "Juan",
            "surnames": "Tuanama",
            "sex": "male",
            "document_type": "none",
            "birth_year": "1970",
            "district_ubigeo": "221001",
            "community": "Alto Shamboyacu",
        },
    )
    assert completed.status_code == 302
    with app.app_context():
        assert db.session.get(Participant, participant_id).is_complete is True


def test_search_and_pagination_pages(trainer, make_participant):
    make_participant(given_names="Rosa", community="Pucayacu")
    page = trainer.get("/participants/?q=pucayacu").get_data(as_text=True)
    assert "Rosa" in page
    assert "1 persona" in page
    assert "No encontramos" in trainer.get("/participants/?q=nadie").get_data(as_text=True)
    assert trainer.get("/participants/?page=99").status_code == 200


def test_access_page_shows_everything_and_is_logged(app, trainer, make_participant):
    participant_id = make_participant(phone="987654321")
    page = trainer.get(f"/participants/{participant_id}/data").get_data(as_text=True)
    assert "987654321" in page
    assert "Tarapoto" in page
    with app.app_context():
        actions = db.session.execute(db.text("SELECT action FROM audit_entries")).scalars().all()
    assert "participant.access" in actions


def test_erasure_over_http_needs_a_reason_and_confirmation(app, trainer, make_participant):
    participant_id = make_participant()
    refused = _post(trainer, f"/participants/{participant_id}/erase", {"reason": "requested"})
    assert refused.status_code == 400
    done = _post(
        trainer, f"/participants/{participant_id}/erase", {"reason": "requested", "confirm": "y"}
    )
    assert done.status_code == 302
    assert trainer.get(f"/participants/{participant_id}").status_code == 404
    with app.app_context():
        assert db.session.get(Participant, participant_id).given_names is None


def test_csv_upload_reports_rows_and_imports_nothing_on_error(app, trainer):
    body = (
        "nombres,apellidos,sexo,numero_documento\nRosa,Huamán,mujer,10117410\nAna,Soto,mujer,123\n"
    ).encode()
    response = _post(
        trainer,
        "/participants/import",
        {"file": (io.BytesIO(body), "lista.csv"), "consent_confirmed": "y"},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "No se importó nada" in page
    assert "numero_documento" in page
    assert count_rows(app, "participants") == 0


def test_csv_upload_over_the_size_limit_is_refused(app, trainer):
    from werkzeug.test import EnvironBuilder

    body = b"nombres,apellidos,sexo\n" + b"Rosa,Huaman,mujer\n" * 200_000
    builder = EnvironBuilder(
        path="/participants/import",
        method="POST",
        data={
            "csrf_token": csrf_token(trainer),
            "file": (io.BytesIO(body), "lista.csv"),
            "consent_confirmed": "y",
        },
    )
    environ = builder.get_environ()
    try:
        response = trainer.open(environ)
    finally:  # the app refuses before reading the body; the test closes what it built
        environ["wsgi.input"].close()
        builder.close()
    assert response.status_code == 303  # the page again, saying the limit
    assert "el máximo es 2 MB" in trainer.get("/participants/import").get_data(as_text=True)
    assert count_rows(app, "participants") == 0


def test_admin_downloads_the_list_and_the_download_is_logged(app, signed_in, make_participant):
    make_participant(given_names="Rosa")
    admin = signed_in("admin")
    response = admin.get("/participants/export.csv")
    assert response.mimetype == "text/csv"
    assert "Rosa" in response.get_data(as_text=True)
    assert "attachment" in response.headers["Content-Disposition"]
    with app.app_context():
        assert (
            db.session.execute(
                db.text("SELECT count(*) FROM audit_entries WHERE action = 'participant.export'")
            ).scalar()
            == 1
        )


def test_programme_pages_enrol_survey_and_indicators(app, trainer, make_participant):
    participant_id = make_participant()
    assert (
        _post(
            trainer,
            f"/programme/participants/{participant_id}/enrol",
            {"enrolled_on": "2026-11-01"},
        ).status_code
        == 302
    )
    survey_page = trainer.get(f"/programme/participants/{participant_id}/surveys")
    assert "La participante acepta" in survey_page.get_data(as_text=True)
    _post(trainer, f"/programme/participants/{participant_id}/wfi-consent")
    answers = {
        "taken_on": "2026-11-02",
        "phone_access": "own",
        "digital_payment": "yes",
        "saved": "yes",
        "savings_group_member": "no",
        "borrowed": "no",
        "emergency_funds": "somewhat_possible",
        "has_own_income": "no",
        "account_institutions": ["banco_nacion"],
        "wallets_used": ["yape"],
    }
    saved = _post(trainer, f"/programme/participants/{participant_id}/surveys", answers)
    assert saved.status_code == 302
    indicators = trainer.get("/programme/").get_data(as_text=True)
    assert 'data-testid="women-enrolled">1<' in indicators
    assert "100.0 %" in indicators
    bad = _post(
        trainer,
        f"/programme/participants/{participant_id}/surveys",
        {**answers, "taken_on": "2026-11-03", "wallets_used": ["bitcoin"]},
    )
    assert bad.status_code == 400
    with app.app_context():
        assert db.session.execute(db.text("SELECT count(*) FROM fi_surveys")).scalar() == 1
