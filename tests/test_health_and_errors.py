"""Health check, error pages in Spanish, JSON reasons for API clients, body size limit."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.conftest import base_config, count_rows, csrf_token


def test_healthz_answers_ok_with_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "role": "site", "database": "ok"}


def test_healthz_answers_503_when_the_database_is_gone(tmp_path):
    from telecenter import create_app

    missing = tmp_path / "no-such-dir" / "db.sqlite3"
    app = create_app(base_config(f"sqlite:///{missing}"), instance_path=str(tmp_path))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "error"


def test_unknown_page_is_a_spanish_404(client):
    response = client.get("/no-existe")
    assert response.status_code == 404
    assert "Página no encontrada" in response.get_data(as_text=True)


def test_api_paths_get_json_reasons(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.is_json
    assert response.json["reason"]


def test_a_crash_shows_a_plain_500_without_a_stack_trace(app, caplog):
    from telecenter.auth.permissions import public

    @app.route("/boom")
    @public
    def boom():
        raise RuntimeError("secret internals")

    app.config["TESTING"] = False  # let the error handler answer as in production
    response = app.test_client().get("/boom")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Error del sistema" in page
    assert "secret internals" not in page
    assert "Traceback" not in page


def test_oversized_request_is_refused_and_changes_nothing(app, client):
    body = {"username": "x" * (2 * 1024 * 1024), "password": "y", "csrf_token": csrf_token(client)}
    response = client.post("/sign-in", data=body)
    assert response.status_code == 413
    assert "demasiado grande" in response.get_data(as_text=True)
    assert count_rows(app, "sign_in_throttles") == 0


@pytest.mark.parametrize(
    "header", ["X-Frame-Options", "Content-Security-Policy", "X-Content-Type-Options"]
)
def test_security_headers_on_every_page(client, header):
    assert header in client.get("/sign-in").headers


def test_sqlite_connections_use_wal_foreign_keys_and_busy_timeout(sqlite_template, tmp_path):
    import shutil

    from telecenter import create_app
    from telecenter.extensions import db

    path = tmp_path / "site.sqlite3"
    shutil.copyfile(sqlite_template, path)
    app = create_app(base_config(f"sqlite:///{path}"), instance_path=str(tmp_path))
    with app.app_context():
        connection = db.session.connection()
        assert connection.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(sa.text("PRAGMA busy_timeout")).scalar() == 15000
        assert connection.execute(sa.text("PRAGMA synchronous")).scalar() == 2
