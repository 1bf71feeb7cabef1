"""views.attempt and the DomainError handler: a refusal rolls back every write of the action
and reaches the person as a message beside the field, a flash, or a status with a reason."""

from __future__ import annotations

import pytest
from flask import get_flashed_messages, jsonify
from wtforms import StringField

from telecenter.auth.models import User
from telecenter.auth.permissions import public
from telecenter.database import writing
from telecenter.domain_errors import DomainError
from telecenter.extensions import db
from telecenter.forms import Form
from telecenter.views import attempt


def _users_named(app, username: str) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).where(User.username == username))


class NameForm(Form):
    name = StringField()


class TooLate(DomainError):
    status = 409


def _write_then_refuse(errors):
    db.session.add(User(username="half-done", display_name="x", role="trainer", password_hash="x"))
    db.session.flush()
    raise TooLate(errors)


def test_a_refusal_undoes_what_the_action_wrote_and_goes_beside_its_field(app):
    with app.test_request_context(method="POST"):
        form = NameForm(meta={"csrf": False})
        outcome = attempt(
            lambda: _write_then_refuse({"name": "Ya existe.", "other": "Revise."}), form=form
        )
        assert not outcome.ok
        assert isinstance(outcome.error, TooLate)
        assert form.name.errors == ["Ya existe."]
        assert form.form_errors == ["Revise."]  # no such field: at the top of the form
        assert _users_named(app, "half-done") == 0


def test_without_a_form_the_messages_are_flashed_unless_the_view_shows_them(app):
    with app.test_request_context(method="POST"):
        attempt(lambda: _write_then_refuse("Demasiado tarde."))
        assert get_flashed_messages(with_categories=True) == [("error", "Demasiado tarde.")]
    with app.test_request_context(method="POST"):
        outcome = attempt(lambda: _write_then_refuse("Demasiado tarde."), flash_errors=False)
        assert get_flashed_messages() == []
        assert outcome.error.message == "Demasiado tarde."


def test_success_commits_and_returns_the_value(app):
    def create():
        db.session.add(User(username="kept", display_name="x", role="trainer", password_hash="x"))
        return "done"

    with app.test_request_context(method="POST"):
        assert attempt(create).value == "done"
    assert _users_named(app, "kept") == 1


def test_keep_on_commits_what_a_refused_action_recorded(app):
    with app.test_request_context(method="POST"):
        outcome = attempt(lambda: _write_then_refuse("No."), keep_on=(TooLate,))
        assert not outcome.ok
    assert _users_named(app, "half-done") == 1


@pytest.mark.parametrize(
    ("errors", "message"),
    [("Uno.", "Uno."), ({"a": "Uno.", "b": "Dos."}, "Uno.; Dos."), ("", "")],
)
def test_a_domain_error_reads_as_its_messages(errors, message):
    error = TooLate(errors)
    assert str(error) == error.message == message
    expected = {"": errors} if isinstance(errors, str) else errors
    assert error.errors == ({} if errors == "" else expected)


def test_a_refusal_no_view_handled_is_its_status_and_reason_never_a_500(app):
    @public
    def refuses():
        with writing(db.session):
            _write_then_refuse("Ese mes ya se cerró.")
        return jsonify(ok=True)

    app.add_url_rule("/_test/refuses", "test_refuses", refuses)
    app.add_url_rule("/api/v1/_test/refuses", "test_api_refuses", refuses)
    client = app.test_client()
    page = client.get("/_test/refuses")
    assert page.status_code == 409
    assert "Ese mes ya se cerró." in page.text
    answer = client.get("/api/v1/_test/refuses")
    assert answer.status_code == 409
    assert answer.json == {"error": "conflict", "reason": "Ese mes ya se cerró."}
    assert _users_named(app, "half-done") == 0
