"""Closing every kiosk: cookies issued before stop working, a kiosk opened after works."""

from __future__ import annotations

from telecenter.attendance import kiosk_device
from tests.conftest import count_rows, csrf_token, sign_in


def _post(client, path):
    return client.post(path, data={"csrf_token": csrf_token(client)})


def _open_kiosk(app, make_user):
    """A fresh browser where a trainer opens the kiosk; returns that browser."""
    browser = app.test_client()
    username, password = make_user("trainer")
    assert sign_in(browser, username, password).status_code == 302
    assert _post(browser, "/kiosk/open").status_code == 302
    assert browser.get("/kiosk/").status_code == 200
    return browser


def test_close_all_ends_every_kiosk_opened_before(app, make_user, signed_in):
    first = _open_kiosk(app, make_user)
    second = _open_kiosk(app, make_user)
    trainer = signed_in("trainer")

    closed = _post(trainer, "/kiosk/close-all")

    assert closed.status_code == 302
    assert first.get("/kiosk/").status_code == 403
    assert second.get("/kiosk/").status_code == 403
    assert _post(first, "/kiosk/check-in").status_code == 403
    assert count_rows(app, "audit_entries WHERE action = 'kiosk.close_all'") == 1
    reopened = _open_kiosk(app, make_user)
    assert reopened.get("/kiosk/").status_code == 200
    assert first.get("/kiosk/").status_code == 403


def test_close_all_twice_keeps_raising_the_generation(app, signed_in):
    trainer = signed_in("admin")
    _post(trainer, "/kiosk/close-all")
    _post(trainer, "/kiosk/close-all")
    with app.app_context():
        from telecenter.extensions import db

        assert kiosk_device.current_generation(db.session) == 2


def test_close_all_without_csrf_changes_nothing(app, signed_in):
    trainer = signed_in("trainer")
    refused = trainer.post("/kiosk/close-all", data={})
    assert refused.status_code == 400
    assert count_rows(app, "kiosk_state") == 0


def test_the_home_button_asks_before_closing_and_the_question_closes_nothing(
    app, make_user, signed_in
):
    kiosk = _open_kiosk(app, make_user)
    trainer = signed_in("trainer")
    home = trainer.get("/home").get_data(as_text=True)
    assert 'href="/kiosk/close-all"' in home  # a link to the question, not a form that closes

    question = trainer.get("/kiosk/close-all")

    page = question.get_data(as_text=True)
    assert question.status_code == 200
    assert "¿Cerrar todos los kioscos abiertos?" in page
    assert "Sí, cerrar todos" in page
    assert kiosk.get("/kiosk/").status_code == 200
    assert count_rows(app, "audit_entries WHERE action = 'kiosk.close_all'") == 0
