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


@pytest.mark.one_backend
def test_an_error_after_a_failed_flush_rolls_back_and_keeps_the_page_and_headers(
    app, client, make_user, caplog
):
    """The failed flush leaves the session refusing queries; the error page loads the signed-in
    user again, so without a rollback first it would fail too (gunicorn's bare page)."""
    from telecenter.auth.models import User
    from telecenter.auth.permissions import roles_required
    from telecenter.extensions import db
    from tests.conftest import sign_in

    @app.route("/flush-fails")
    @roles_required("admin")
    def flush_fails():
        db.session.expire_all()  # as after an earlier commit in the same request
        duplicate = User(username="taken-name", display_name="Rosa Secreta", role="admin")
        duplicate.password_hash = "x"
        db.session.add(duplicate)
        db.session.flush()
        return "unreachable"

    username, password = make_user("admin", username="taken-name")
    assert sign_in(client, username, password).status_code == 302
    app.config["TESTING"] = False
    app.config["STRICT_WRITES"] = False  # production: the flush goes to the database and fails
    response = client.get("/flush-fails")
    assert response.status_code == 500
    assert "Error del sistema" in response.get_data(as_text=True)
    assert response.headers["Content-Security-Policy"]
    assert "Rosa Secreta" not in caplog.text  # statement parameters are not logged
    assert client.get("/home").status_code == 200


def test_a_method_the_url_does_not_take_gets_405_with_allow(client):
    response = client.post("/healthz")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"].split(", ")
    assert "POST" not in response.headers["Allow"]


@pytest.mark.one_backend
def test_a_refused_sign_in_is_a_401_with_www_authenticate(client, make_user):
    from tests.conftest import sign_in

    username, _ = make_user("trainer")
    response = sign_in(client, username, "wrong-password-1")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Session ")


@pytest.mark.one_backend
def test_an_api_401_asks_for_a_bearer_token(make_app):
    central = make_app("central")
    response = central.test_client().post("/api/v1/sync/reports", json={})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer ")


@pytest.mark.one_backend
def test_csrf_failures_and_oversized_bodies_get_a_request_log_line(client, caplog):
    caplog.set_level("INFO", logger="telecenter.requests")
    assert client.post("/sign-in", data={"username": "Rosa Quispe"}).status_code == 400
    big = {"username": "x" * (2 * 1024 * 1024), "csrf_token": csrf_token(client)}
    assert client.post("/sign-in", data=big).status_code == 413
    lines = [r.getMessage() for r in caplog.records if r.name == "telecenter.requests"]
    assert any("POST /sign-in status=400" in line for line in lines)
    assert any("POST /sign-in status=413" in line for line in lines)
    assert "Rosa Quispe" not in caplog.text


def test_sql_errors_never_carry_statement_parameters(app):
    from telecenter.extensions import db

    with app.app_context():
        assert db.engine.hide_parameters is True


@pytest.mark.one_backend
@pytest.mark.parametrize(
    "path",
    [
        "/sessions/2147483648",
        "/sessions/99999999999999999999",
        "/participants/9223372036854775808/edit",
        "/courses/2147483648",
    ],
)
def test_ids_past_what_a_table_holds_are_404(signed_in, path):
    assert signed_in("admin").get(path).status_code == 404


@pytest.mark.one_backend
@pytest.mark.parametrize(
    ("day", "shown"), [("9999-12-31", "2199"), ("0001-01-01", "1900"), ("2026-13-45", None)]
)
def test_far_calendar_days_are_taken_to_the_nearest_shown(clock, signed_in, day, shown):
    response = signed_in("trainer").get(f"/calendar/?date={day}&view=month")
    assert response.status_code == 200
    if shown:
        assert shown in response.get_data(as_text=True)
    week = signed_in("trainer").get(f"/calendar/?date={day}")
    assert week.status_code == 200


@pytest.mark.one_backend
def test_a_huge_page_number_shows_the_last_page(signed_in, make_participant):
    make_participant()
    response = signed_in("admin").get("/participants/?page=99999999999999999999")
    assert response.status_code == 200
    assert "Quispe" in response.get_data(as_text=True)
    assert signed_in("admin").get("/admin/audit/?page=-5").status_code == 200


@pytest.mark.one_backend
@pytest.mark.parametrize("capacity", ["99999999999999999999", "١٢٣", "12.5"])
def test_a_capacity_the_database_cannot_hold_is_a_form_error(app, signed_in, capacity):
    from tests.conftest import count_rows

    client = signed_in("trainer")
    form = {
        "csrf_token": csrf_token(client),
        "kind": "class",
        "title": "Cacao",
        "category": "digital_literacy",
        "day": "2030-03-04",
        "start": "09:00",
        "end": "10:00",
        "capacity": capacity,
        "checkin_before_minutes": "30",
        "checkin_after_minutes": "30",
    }
    response = client.post("/sessions/new", data=form)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "demasiado grande" in page or "con cifras" in page
    assert count_rows(app, "activity_sessions") == 0
