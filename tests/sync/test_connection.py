"""The connection to central entered on the sync page: precedence of the server's settings,
checks that change nothing on a bad input, and a token that no page, log or audit shows."""

from __future__ import annotations

import logging

import httpx
import pytest
import sqlalchemy as sa

from telecenter.audit import AuditEntry
from telecenter.database import writing
from telecenter.extensions import db
from telecenter.sync import client, connection, tasks
from telecenter.sync.models import CentralConnection
from tests.conftest import csrf_token
from tests.test_access_matrix import SITE_MATRIX

TOKEN = "tcs_secreto-de-prueba-123456789"


def _save(app, central_url="https://central.example.org/", token=TOKEN):
    with app.app_context(), writing(db.session):
        return connection.save(
            db.session, app.config, central_url=central_url, token=token, actor=None
        )


def _effective(app):
    with app.app_context():
        return connection.effective(db.session, app.config)


def _audit(app):
    with app.app_context():
        return [(e.action, e.detail) for e in db.session.scalars(sa.select(AuditEntry))]


def test_nothing_set_means_not_configured(app):
    assert not _effective(app).configured


def test_saved_on_the_page_is_used_normalised_and_audited_without_the_token(app, clock):
    saved = _save(app, central_url="  HTTPS://Central.Example.org/red/  ")
    assert saved.central_url == "https://central.example.org/red"
    assert saved.token == TOKEN
    assert saved.configured
    assert saved.token_saved_at is not None
    assert not saved.url_from_server
    assert not saved.token_from_server
    assert _audit(app) == [
        ("sync.connection", "address https://central.example.org/red; token replaced")
    ]
    assert TOKEN not in repr(saved)
    assert TOKEN not in repr(saved.settings("T1"))


def test_server_settings_win_each_half(app):
    _save(app)
    app.config.update(CENTRAL_URL="http://otra.example.org")
    half = _effective(app)
    assert (half.central_url, half.token) == ("http://otra.example.org", TOKEN)
    assert half.url_from_server
    assert not half.token_from_server
    assert not half.from_server
    app.config.update(SYNC_TOKEN="tcs_del_servidor")
    both = _effective(app)
    assert (both.token, both.from_server, both.token_saved_at) == ("tcs_del_servidor", True, None)


def test_the_sync_job_reads_the_connection_afresh_each_run(app):
    with app.app_context():
        assert tasks.settings_of(app).central_url == ""
    _save(app, central_url="http://central.test")
    with app.app_context():
        settings = tasks.settings_of(app)
    assert (settings.central_url, settings.token) == ("http://central.test", TOKEN)
    assert settings.telecenter == app.config["TELECENTER_CODE"]
    assert settings.instance_path == app.instance_path


@pytest.mark.parametrize(
    "address",
    [
        "",
        "central.example.org",
        "ftp://central.example.org",
        "javascript:alert(1)",
        "http://",
        "https://usuario:clave@central.example.org",
        "https://central.example.org:99999",
        "https://central.example.org/?a=1",
        "https://central example.org",
        "https://" + "a" * 300 + ".org",
    ],
)
def test_a_bad_address_is_refused_and_changes_nothing(app, address):
    _save(app)
    before = _audit(app)
    with pytest.raises(connection.InvalidConnection) as refused:
        _save(app, central_url=address, token="tcs_otra_clave")
    assert "central_url" in refused.value.errors
    after = _effective(app)
    assert (after.central_url, after.token) == ("https://central.example.org", TOKEN)
    assert _audit(app) == before


def test_a_token_is_needed_once_then_an_empty_box_keeps_it(app):
    with pytest.raises(connection.InvalidConnection) as refused:
        _save(app, token="")
    assert set(refused.value.errors) == {"token"}
    with app.app_context():
        assert db.session.get(CentralConnection, connection.ROW_ID) is None
    _save(app)
    kept = _save(app, central_url="https://nueva.example.org", token="")
    assert (kept.central_url, kept.token) == ("https://nueva.example.org", TOKEN)
    assert _audit(app)[-1] == ("sync.connection", "address https://nueva.example.org")


def test_a_token_with_spaces_inside_is_refused(app):
    with pytest.raises(connection.InvalidConnection) as refused:
        _save(app, token="tcs_abc def")
    assert set(refused.value.errors) == {"token"}
    assert not _effective(app).configured


def test_nothing_can_be_saved_over_the_server_settings(app):
    app.config.update(CENTRAL_URL="http://servidor.example.org", SYNC_TOKEN="tcs_servidor")
    with pytest.raises(connection.InvalidConnection):
        _save(app)
    with app.app_context():
        assert db.session.get(CentralConnection, connection.ROW_ID) is None


# --- The probe's answers that need no real central (the rest: tests/e2e/test_connect_...) ---


def _probe(app, answer: httpx.Response):
    with app.app_context():
        return connection.probe(
            db.session,
            app.config,
            central_url="http://central.test",
            token=TOKEN,
            transport=httpx.MockTransport(lambda request: answer),
        )


def test_a_page_that_is_not_central_is_named_so(app):
    portal = httpx.Response(200, text="<html>Bienvenido al wifi</html>")
    assert _probe(app, portal).kind == "not_central"


def test_a_redirect_names_the_new_address(app):
    moved = httpx.Response(
        301, headers={"Location": "https://central.test/api/v1/sync/hello?telecenter=X"}
    )
    answer = _probe(app, moved)
    assert answer.kind == "moved"
    assert "https://central.test" in answer.message
    assert "api/v1" not in answer.message


def test_a_central_fault_says_to_try_later(app):
    answer = _probe(app, httpx.Response(502))
    assert (answer.works, answer.kind) == (False, "central_error")
    assert "502" in answer.message


def test_the_probe_sends_the_token_and_the_code_and_logs_neither(app, caplog):
    seen = []

    def central(request):
        seen.append(request)
        return httpx.Response(200, json={"telecenter": "DEMO-01", "name": "Pucayacu"})

    caplog.set_level(logging.DEBUG)
    with app.app_context():
        answer = connection.probe(
            db.session,
            app.config,
            central_url="http://central.test",
            token=TOKEN,
            transport=httpx.MockTransport(central),
        )
    assert answer.works
    assert "Pucayacu" in answer.message
    assert seen[0].headers["Authorization"] == f"Bearer {TOKEN}"
    assert seen[0].url.params["telecenter"] == app.config["TELECENTER_CODE"]
    assert TOKEN not in caplog.text


# --- The page ---------------------------------------------------------------------------------


def _post(admin, path, **data):
    return admin.post(path, data={"csrf_token": csrf_token(admin), **data})


def test_the_page_points_to_the_form_until_connected(app, signed_in):
    admin = signed_in("admin")
    page = admin.get("/admin/sync/").get_data(as_text=True)
    assert "todavía no está conectado" in page
    assert "Falta configurar" not in page
    assert "Sincronizar ahora" not in page  # nothing to sync with yet
    answer = _post(admin, "/admin/sync/now")
    assert answer.status_code == 302
    assert "todavía no está conectado" in admin.get("/admin/sync/").get_data(as_text=True)


def test_saving_on_the_page_then_the_page_says_only_that_a_token_is_saved(app, signed_in, clock):
    admin = signed_in("admin")
    saved = _post(admin, "/admin/sync/connection", central_url="http://central.test", token=TOKEN)
    assert saved.status_code == 302
    page = admin.get("/admin/sync/").get_data(as_text=True)
    assert "Conexión guardada" in page
    assert "Clave guardada el domingo, 29 de noviembre de 2026." in page
    assert 'value="http://central.test"' in page
    assert "Sincronizar ahora" in page
    assert "todavía no está conectado" not in page
    assert TOKEN not in page


def test_a_bad_address_on_the_page_is_shown_and_nothing_is_saved(app, signed_in):
    admin = signed_in("admin")
    answer = _post(admin, "/admin/sync/connection", central_url="central.test", token=TOKEN)
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert "empezando con https://" in page
    assert "escríbala otra vez" in page  # the box is empty again: she knows why
    assert TOKEN not in page
    assert not _effective(app).configured
    assert _audit(app) == []


def test_the_page_shows_when_the_server_settings_win(app, signed_in):
    app.config.update(CENTRAL_URL="http://servidor.test", SYNC_TOKEN="tcs_del_servidor_1")
    admin = signed_in("admin")
    page = admin.get("/admin/sync/").get_data(as_text=True)
    assert "vienen de la configuración del servidor" in page
    assert "readonly" in page
    assert ">Guardar<" not in page
    assert "tcs_del_servidor_1" not in page
    refused = _post(admin, "/admin/sync/connection", central_url="http://x.test", token=TOKEN)
    assert refused.status_code == 400
    assert _effective(app).central_url == "http://servidor.test"


def test_the_test_button_answers_json_for_the_script_and_a_page_without_it(app, signed_in):
    admin = signed_in("admin")
    bad = admin.post(
        "/admin/sync/connection/test",
        data={"csrf_token": csrf_token(admin), "central_url": "central", "token": TOKEN},
        headers={"Accept": "application/json"},
    )
    assert bad.status_code == 400
    assert "https://" in bad.get_json()["message"]
    # Port 9 (discard) has no listener here: the plain answer, on a page without the token.
    page = _post(
        admin, "/admin/sync/connection/test", central_url="http://127.0.0.1:9", token=TOKEN
    )
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "No se pudo llegar a la oficina central" in text
    assert "escríbala otra vez" in text
    assert TOKEN not in text
    assert not _effective(app).configured  # a test saves nothing


def test_no_page_shows_the_token(app, signed_in, make_participant):
    make_participant()
    admin = signed_in("admin")
    assert _post(admin, "/admin/sync/connection", central_url="http://x.test", token=TOKEN)
    _post(admin, "/admin/sync/now")  # fails (no such host) and records its error
    pages = [path for method, path in SITE_MATRIX if method == "GET"] + ["/admin/sync/"]
    for path in pages:
        body = admin.get(path).get_data(as_text=True)
        assert TOKEN not in body, path
        assert "secreto-de-prueba" not in body, path


def test_the_client_settings_hide_the_token():
    settings = client.Settings(central_url="http://c", token=TOKEN, telecenter="T")
    assert TOKEN not in repr(settings)
