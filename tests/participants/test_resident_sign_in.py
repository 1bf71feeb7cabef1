"""Residents sign in with document number or card code and a 4-digit PIN."""

from __future__ import annotations

import pytest

from telecenter.extensions import db
from telecenter.participants import resident_accounts, rights, services
from telecenter.participants.models import Participant
from tests.conftest import csrf_token


def _sign_in(client, identifier, pin):
    return client.post(
        "/sign-in/participant",
        data={"identifier": identifier, "pin": pin, "csrf_token": csrf_token(client)},
    )


@pytest.fixture
def rosa(app, make_participant):
    participant_id = make_participant(document_type="dni", document_number="10117410", pin="4821")
    with app.app_context():
        return db.session.get(Participant, participant_id).code


@pytest.mark.parametrize("identifier", ["10117410", "10117410-2", "code", "code-dashed"])
def test_resident_signs_in_with_document_or_code(client, rosa, identifier):
    identifier = {"code": rosa, "code-dashed": f"{rosa[:3]}-{rosa[3:].lower()}"}.get(
        identifier, identifier
    )
    response = _sign_in(client, identifier, "4821")
    assert response.status_code == 302
    page = client.get("/home").get_data(as_text=True)
    assert "Hola, María" in page
    assert client.get("/participants/").status_code == 403


def test_wrong_pin_and_unknown_document_get_the_same_answer(client, rosa):
    wrong = _sign_in(client, "10117410", "1357")
    unknown = _sign_in(client, "99999999", "1357")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_data(as_text=True).count("no son correctos") == 1
    assert "no son correctos" in unknown.get_data(as_text=True)


def test_five_wrong_pins_lock_the_document(client, rosa):
    answers = [_sign_in(client, "10117410", "1357").status_code for _ in range(5)]
    assert answers == [401, 401, 401, 401, 429]
    assert _sign_in(client, "10117410", "4821").status_code == 429


def test_missing_fields_are_refused(client, rosa):
    assert _sign_in(client, "", "4821").status_code == 400


@pytest.mark.parametrize("pin", ["123", "12345", "abcd", "1111", "1234", "9876"])
def test_weak_or_malformed_pins_are_refused(app_ctx, make_participant, pin):
    participant = db.session.get(Participant, make_participant())
    with pytest.raises(services.RegistryError):
        resident_accounts.set_pin(db.session, participant, pin, actor=None)
    assert participant.user is None


def test_erased_participant_can_no_longer_sign_in(app, client, rosa):
    with app.app_context():
        participant = db.session.scalars(db.select(Participant)).one()
        rights.erase(db.session, participant, actor=None, reason="requested")
        db.session.commit()
    assert _sign_in(client, "10117410", "4821").status_code == 401
    assert _sign_in(client, rosa, "4821").status_code == 401


def test_pins_are_hashed_with_the_pin_method(app, rosa):
    with app.app_context():
        participant = db.session.scalars(db.select(Participant)).one()
        method = app.config["PIN_HASH_METHOD"]
        assert method != app.config["PASSWORD_HASH_METHOD"]
        assert participant.user.password_hash.startswith(method + "$")
        assert "4821" not in participant.user.password_hash


def test_resident_sessions_expire_after_ten_idle_minutes(client, rosa):
    import time

    from telecenter.auth.session_policy import LAST_SEEN_KEY

    _sign_in(client, rosa, "4821")
    with client.session_transaction() as session:
        session[LAST_SEEN_KEY] = int(time.time()) - 11 * 60
    assert client.get("/home").status_code == 302


def _lock_out(client, identifier="10117410"):
    answers = [_sign_in(client, identifier, "1357").status_code for _ in range(5)]
    assert answers[-1] == 429


def _actions(app) -> list[str]:
    with app.app_context():
        return db.session.scalars(db.text("SELECT action FROM audit_entries ORDER BY id")).all()


@pytest.fixture
def trainer(app, make_user):
    from tests.conftest import sign_in

    client = app.test_client()
    assert sign_in(client, *make_user("trainer")).status_code == 302
    return client


def _rosa_id(app) -> int:
    with app.app_context():
        return db.session.scalars(
            db.select(Participant.id).where(Participant.document_number == "10117410")
        ).one()


def _staff_post(client, path, data=None):
    return client.post(path, data={"csrf_token": csrf_token(client), **(data or {})})


@pytest.mark.parametrize("then", ["code", "10117410-2"])
def test_the_lock_holds_whatever_identifier_she_types_next(client, rosa, then):
    _lock_out(client)
    assert _sign_in(client, rosa if then == "code" else then, "4821").status_code == 429


def test_a_new_pin_from_the_trainer_lets_a_locked_resident_in_at_once(app, client, rosa, trainer):
    _lock_out(client)
    answer = _staff_post(trainer, f"/participants/{_rosa_id(app)}/pin", {"pin": "3957"})
    assert answer.status_code == 302
    assert "Ya puede ingresar" in trainer.get(answer.headers["Location"]).get_data(as_text=True)
    assert _sign_in(client, "10117410", "3957").status_code == 302
    assert _actions(app)[-2:] == ["participant.set_pin", "participant.sign_in_unlock"]


def test_the_participant_page_shows_the_lock_and_desbloquear_lets_her_in(
    app, client, rosa, trainer
):
    detail = f"/participants/{_rosa_id(app)}"
    assert "Desbloquear" not in trainer.get(detail).get_data(as_text=True)
    _lock_out(client, rosa)
    page = trainer.get(detail).get_data(as_text=True)
    assert "No puede ingresar por ahora: escribió mal su PIN varias veces" in page
    assert f'action="{detail}/unlock"' in page
    answer = _staff_post(trainer, f"{detail}/unlock")
    assert answer.status_code == 302
    page = trainer.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Desbloqueada. Ya puede ingresar" in page  # María: the registry says female
    assert "No puede ingresar por ahora" not in page
    assert _sign_in(client, "10117410", "4821").status_code == 302
    assert _actions(app)[-1] == "participant.sign_in_unlock"


def test_unlocking_someone_not_locked_says_so_and_logs_nothing(app, rosa, trainer):
    before = _actions(app)
    answer = _staff_post(trainer, f"/participants/{_rosa_id(app)}/unlock")
    assert "No estaba bloqueada" in trainer.get(answer.headers["Location"]).get_data(as_text=True)
    assert _actions(app) == before


def test_a_resident_cannot_unlock_herself(app, client, rosa, make_participant):
    other = app.test_client()
    make_participant(
        given_names="Ana",
        surnames="Soto",
        document_type="dni",
        document_number="44556677",
        pin="5824",
    )
    assert _sign_in(other, "44556677", "5824").status_code == 302
    _lock_out(client)
    assert _staff_post(other, f"/participants/{_rosa_id(app)}/unlock").status_code == 403
    assert _sign_in(client, "10117410", "4821").status_code == 429


FULL_WIDTH_DNI = "10117410".translate({ord(d): ord(d) + 0xFEE0 for d in "0123456789"})


@pytest.mark.parametrize("variant", ["101174100", "10117410K", "10117410ª", FULL_WIDTH_DNI])
def test_no_variant_of_a_locked_dni_opens_her_account(client, rosa, variant):
    _lock_out(client)
    assert _sign_in(client, variant, "4821").status_code in (401, 429)
    assert client.get("/home").status_code == 302


@pytest.mark.parametrize(
    ("typed", "meant"),
    [(" 10117410 ", "10117410"), ("10117410-2", "10117410"), ("mar-479", "MAR479")],
)
def test_a_typed_identifier_has_one_normal_form(typed, meant):
    assert services.sign_in_identifier(typed) == meant


@pytest.mark.parametrize("typed", ["101174100", "10117410K", "10117410ª", "10117410/", "  "])
def test_what_is_neither_a_dni_nor_a_code_has_no_normal_form(typed):
    assert services.sign_in_identifier(typed) is None


def test_malformed_identifiers_get_the_wrong_pin_answer_and_count(client, rosa):
    answers = [_sign_in(client, "10117410K", "4821") for _ in range(5)]
    assert [answer.status_code for answer in answers] == [401, 401, 401, 401, 429]
    assert "no son correctos" in answers[0].get_data(as_text=True)


def test_the_staff_form_does_not_open_a_resident_account(app, client, rosa):
    from tests.conftest import sign_in

    with app.app_context():
        username = db.session.scalars(db.select(Participant)).one().user.username
    answers = [sign_in(client, username, "4821") for _ in range(5)]
    assert [answer.status_code for answer in answers] == [401, 401, 401, 401, 429]
    assert "Usuario o contraseña incorrectos" in answers[0].get_data(as_text=True)
    assert client.get("/home").status_code == 302


def test_an_unknown_document_costs_a_pin_check_not_a_password_check(app, client, rosa):
    from telecenter.auth import services as auth_services

    auth_services._DUMMY_HASHES.clear()
    assert _sign_in(client, "99999999", "1357").status_code == 401
    with app.app_context():
        real = db.session.scalars(db.select(Participant)).one().user.password_hash
    real_method = real.split("$", 1)[0]
    assert [dummy.split("$", 1)[0] for dummy in auth_services._DUMMY_HASHES.values()] == [
        real_method
    ]
    assert real_method == app.config["PIN_HASH_METHOD"] != app.config["PASSWORD_HASH_METHOD"]
