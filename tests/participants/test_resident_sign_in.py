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
        assert participant.user.password_hash.startswith("pbkdf2:sha256:50000$")
        assert "4821" not in participant.user.password_hash


def test_resident_sessions_expire_after_ten_idle_minutes(client, rosa):
    import time

    from telecenter.auth.session_policy import LAST_SEEN_KEY

    _sign_in(client, rosa, "4821")
    with client.session_transaction() as session:
        session[LAST_SEEN_KEY] = int(time.time()) - 11 * 60
    assert client.get("/home").status_code == 302
