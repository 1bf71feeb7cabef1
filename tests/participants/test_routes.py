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
    assert "Participante registrada" in detail  # Rosa
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


def _pin_input(page: str) -> str:
    """The PIN field's <input> tag as the page renders it."""
    import re

    match = re.search(r'<input[^>]*name="pin"[^>]*>', page)
    assert match, "no PIN field on the page"
    return match.group(0)


def _signs_in(client, identifier: str, pin: str) -> bool:
    client.post("/sign-out", data={"csrf_token": csrf_token(client)})
    return (
        _post(client, "/sign-in/participant", {"identifier": identifier, "pin": pin}).status_code
        == 302
    )


@pytest.mark.parametrize(
    ("path", "mistake"),
    [
        ("/participants/new", {"district_ubigeo": ""}),
        ("/participants/new", {"consent": ""}),
        ("/participants/quick", {"given_names": ""}),
    ],
)
def test_a_form_sent_back_keeps_the_typed_pin_and_the_person_is_saved_with_it(
    app, trainer, path, mistake
):
    """The PIN typed before a mistake elsewhere is still in the form, so fixing the mistake
    saves the person with it (before, it came back empty and she was saved without one)."""
    typed = REGISTRATION if path.endswith("new") else _WALK_IN
    refused = _post(trainer, path, {**typed, **mistake})
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "No se guardó el registro. Corrija esto:" in page  # at the top, in view
    pin_input = _pin_input(page)
    assert 'value="4821"' in pin_input
    assert 'inputmode="numeric"' in pin_input
    assert count_rows(app, "participants") == 0

    saved = _post(trainer, path, typed)
    assert saved.status_code == 302
    with app.app_context():
        participant = db.session.scalars(db.select(Participant)).one()
        assert participant.user is not None
        code = participant.code
    assert _signs_in(trainer, code, "4821")


def test_a_bad_pin_is_shown_with_the_other_mistakes_and_nothing_is_saved(app, trainer):
    response = _post(trainer, "/participants/new", {**REGISTRATION, "consent": "", "pin": "1234"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Sin consentimiento" in page
    assert "fácil de adivinar" in page
    assert 'value="1234"' in _pin_input(page)
    assert count_rows(app, "participants") == 0
    assert count_rows(app, "users") == 1


def test_a_confirmed_likely_duplicate_is_saved_with_the_pin_typed_first(
    app, trainer, make_participant
):
    make_participant(given_names="Rosa", surnames="Huamán", birth_date=None, birth_year=1985)
    shown = _post(trainer, "/participants/quick", _WALK_IN)
    assert "¿Es la misma persona?" in shown.get_data(as_text=True)
    assert 'value="4821"' in _pin_input(shown.get_data(as_text=True))
    saved = _post(trainer, "/participants/quick", {**_WALK_IN, "confirm_not_duplicate": "y"})
    assert saved.status_code == 302
    participant_id = int(saved.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        code = db.session.get(Participant, participant_id).code
    assert _signs_in(trainer, code, "4821")


_WALK_IN = {
    "given_names": "Rosa",
    "surnames": "Huamán",
    "sex": "female",
    "birth_year": "1985",
    "consent": "y",
    "pin": "4821",
}


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


def test_csv_upload_with_an_overlong_cell_is_a_clear_refusal(app, trainer):
    body = ("nombres,apellidos,sexo\nRosa," + "x" * 140_000 + ",mujer\n").encode()
    response = _post(
        trainer,
        "/participants/import",
        {"file": (io.BytesIO(body), "lista.csv"), "consent_confirmed": "y"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "demasiado larga" in response.get_data(as_text=True)
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
        "saving_methods": ["account"],
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
