"""Sign-in, lockout, safe redirects, sign-out, idle timeout, account management."""

from __future__ import annotations

import time

import pytest

from telecenter.auth.session_policy import LAST_SEEN_KEY, STAMP_EVERY_SECONDS
from tests.conftest import count_rows, csrf_token, sign_in

WRONG = "Usuario o contraseña incorrectos"
LOCKED = "Demasiados intentos fallidos"


def test_sign_in_with_valid_credentials_reaches_home(client, make_user):
    username, password = make_user("trainer", display_name="Julia Ríos")
    response = sign_in(client, username.upper(), password)
    assert response.status_code == 302
    assert response.headers["Location"] == "/home"
    home = client.get("/home").get_data(as_text=True)
    assert "Hola, Julia Ríos" in home


def test_wrong_password_and_unknown_user_get_the_same_answer(client, make_user):
    username, _ = make_user("admin")
    wrong = sign_in(client, username, "not-the-password")
    unknown = sign_in(client, "nobody-here", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert WRONG in wrong.get_data(as_text=True)
    assert WRONG in unknown.get_data(as_text=True)
    assert client.get("/home").status_code == 302


def test_five_failures_lock_the_account_even_with_the_right_password(app, client, make_user):
    username, password = make_user("admin")
    answers = [sign_in(client, username, "bad-password-x") for _ in range(5)]
    assert [a.status_code for a in answers] == [401, 401, 401, 401, 429]
    assert LOCKED in answers[-1].get_data(as_text=True)
    blocked = sign_in(client, username, password)
    assert blocked.status_code == 429
    assert "15 minutos" in blocked.get_data(as_text=True)
    assert client.get("/home").status_code == 302


def test_lock_message_is_the_same_for_unknown_usernames(client):
    answers = [sign_in(client, "ghost-user", "bad-password-x") for _ in range(5)]
    assert answers[-1].status_code == 429
    assert LOCKED in answers[-1].get_data(as_text=True)


def test_lock_lifts_after_the_lock_period(app, client, make_user):
    from telecenter.auth.models import SignInThrottle
    from telecenter.extensions import db

    username, password = make_user("admin")
    for _ in range(5):
        sign_in(client, username, "bad-password-x")
    with app.app_context():
        for throttle in db.session.scalars(db.select(SignInThrottle)):
            throttle.locked_until = throttle.first_failure_at  # already in the past
        db.session.commit()
    assert sign_in(client, username, password).status_code == 302


def test_throttle_table_never_holds_the_username(app, client):
    sign_in(client, "maria.quispe", "bad-password-x")
    with app.app_context():
        from telecenter.auth.models import SignInThrottle
        from telecenter.extensions import db

        keys = db.session.scalars(db.select(SignInThrottle.key)).all()
    assert len(keys) == 2
    assert all("maria" not in key for key in keys)


def test_deactivated_account_cannot_sign_in(app, client, make_user):
    from telecenter.auth.services import find_user
    from telecenter.extensions import db

    username, password = make_user("trainer")
    with app.app_context():
        find_user(db.session, username).active = False
        db.session.commit()
    assert sign_in(client, username, password).status_code == 401


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/admin/accounts/", "/admin/accounts/"),
        ("https://evil.example/", "/home"),
        ("//evil.example/x", "/home"),
        ("/\\evil.example", "/home"),
        ("javascript:alert(1)", "/home"),
    ],
)
def test_next_is_followed_only_within_the_site(client, make_user, target, expected):
    username, password = make_user("admin")
    response = sign_in(client, username, password, next=target)
    assert response.headers["Location"] == expected


def test_sign_in_without_csrf_token_is_refused_and_changes_nothing(app, client, make_user):
    username, password = make_user("admin")
    response = client.post("/sign-in", data={"username": username, "password": password})
    assert response.status_code == 400
    assert "Vuelva a cargar la página" in response.get_data(as_text=True)
    assert count_rows(app, "sign_in_throttles") == 0
    assert client.get("/home").status_code == 302


def test_sign_out_needs_a_post_with_csrf(signed_in):
    client = signed_in("trainer")
    assert client.get("/sign-out").status_code == 405
    assert client.post("/sign-out").status_code == 400
    assert client.get("/home").status_code == 200
    response = client.post("/sign-out", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 302
    assert client.get("/home").status_code == 302


def test_activity_stamp_is_renewed_only_when_it_has_aged(signed_in):
    """An unchanged session is not signed and sent again with every answer; a stamp older
    than STAMP_EVERY_SECONDS is renewed, so a person who keeps clicking stays signed in."""
    client = signed_in("resident")
    client.get("/home")
    fresh = client.get("/home")
    assert fresh.status_code == 200
    assert "session=" not in fresh.headers.get("Set-Cookie", "")
    aged = int(time.time()) - STAMP_EVERY_SECONDS - 5
    with client.session_transaction() as session:
        session[LAST_SEEN_KEY] = aged
    renewed = client.get("/home")
    assert "session=" in renewed.headers.get("Set-Cookie", "")
    with client.session_transaction() as session:
        assert session[LAST_SEEN_KEY] > aged
        session[LAST_SEEN_KEY] = int(time.time()) + 3600  # then the clock was set back an hour
    client.get("/home")
    with client.session_transaction() as session:
        assert session[LAST_SEEN_KEY] <= int(time.time())


@pytest.mark.parametrize(
    ("role", "idle_minutes", "signed_out"),
    [
        ("resident", 11, True),
        ("resident", 9, False),
        ("trainer", 11, False),
        ("trainer", 31, True),
    ],
)
def test_idle_sessions_expire_sooner_for_residents(signed_in, role, idle_minutes, signed_out):
    client = signed_in(role)
    assert client.get("/home").status_code == 200
    with client.session_transaction() as session:
        session[LAST_SEEN_KEY] = int(time.time()) - idle_minutes * 60
    response = client.get("/home")
    assert (response.status_code == 302) is signed_out
    if signed_out:
        assert response.headers["Location"] == "/sign-in?next=/home"  # back here after
        page = client.get("/sign-in").get_data(as_text=True)
        assert "inactividad" in page


def test_admin_creates_an_account_that_can_sign_in(app, signed_in):
    client = signed_in("admin")
    response = client.post(
        "/admin/accounts/",
        data={
            "username": "nuevo",
            "display_name": "Nuevo Capacitador",
            "role": "trainer",
            "password": "long-enough-1",
            "confirm": "long-enough-1",
            "csrf_token": csrf_token(client),
        },
    )
    assert response.status_code == 302
    client.post("/sign-out", data={"csrf_token": csrf_token(client)})
    assert sign_in(client, "nuevo", "long-enough-1").status_code == 302


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"role": "central_admin"}, "Opción inválida"),
        ({"role": "resident"}, "Opción inválida"),
        ({"role": ""}, "Elija un rol."),
        ({"password": "short", "confirm": "short"}, "8"),
        ({"confirm": "different-pass"}, "no coinciden"),
        ({"username": "admin-1"}, "ya existe"),
    ],
)
def test_bad_account_forms_are_refused_with_a_message(app, signed_in, fields, message):
    client = signed_in("admin")
    before = count_rows(app, "users")
    data = {
        "username": "otro",
        "display_name": "Otro",
        "role": "trainer",
        "password": "long-enough-1",
        "confirm": "long-enough-1",
        "csrf_token": csrf_token(client),
        **fields,
    }
    response = client.post("/admin/accounts/", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count_rows(app, "users") == before


def test_admin_cannot_deactivate_self_but_can_deactivate_others(app, signed_in, make_user):
    from telecenter.auth.services import find_user
    from telecenter.extensions import db

    client = signed_in("admin")
    other, _ = make_user("trainer")
    with app.app_context():
        me_id = find_user(db.session, "admin-1").id
        other_id = find_user(db.session, other).id
    token = csrf_token(client)
    refused = client.post(
        f"/admin/accounts/{me_id}/deactivate", data={"csrf_token": token}, follow_redirects=True
    )
    assert "No puede desactivar su propia cuenta" in refused.get_data(as_text=True)
    client.post(f"/admin/accounts/{other_id}/deactivate", data={"csrf_token": token})
    with app.app_context():
        assert find_user(db.session, "admin-1").active is True
        assert find_user(db.session, other).active is False


def test_password_reset_by_admin(app, signed_in, make_user):
    from telecenter.auth.services import find_user
    from telecenter.extensions import db

    client = signed_in("admin")
    other, old_password = make_user("trainer")
    with app.app_context():
        other_id = find_user(db.session, other).id
    token = csrf_token(client)
    short = client.post(
        f"/admin/accounts/{other_id}/password",
        data={"csrf_token": token, "password": "short"},
        follow_redirects=True,
    )
    assert "al menos 8" in short.get_data(as_text=True)
    client.post(
        f"/admin/accounts/{other_id}/password",
        data={"csrf_token": token, "password": "brand-new-pass"},
    )
    with app.app_context():
        user = find_user(db.session, other)
        assert user.check_password("brand-new-pass")
        assert not user.check_password(old_password)
        assert "brand-new-pass" not in user.password_hash


def test_an_unknown_username_costs_a_password_check(app, client, make_user):
    from telecenter.auth import services
    from telecenter.auth.models import User
    from telecenter.extensions import db

    username, _ = make_user("trainer")
    services._DUMMY_HASHES.clear()
    assert sign_in(client, "nobody-here", "not-the-password").status_code == 401
    with app.app_context():
        real = db.session.scalar(db.select(User.password_hash).where(User.username == username))
    assert [dummy.split("$", 1)[0] for dummy in services._DUMMY_HASHES.values()] == [
        real.split("$", 1)[0]
    ]


def test_throttle_keys_are_keyed_with_the_instance_secret(make_app):
    import hashlib
    import hmac

    from telecenter.auth.models import SignInThrottle
    from telecenter.extensions import db

    keys = []
    for secret in ("first-secret-key", "second-secret-key"):
        app = make_app(SECRET_KEY=secret)
        sign_in(app.test_client(), "10117410", "bad-password-x")
        with app.app_context():
            key = db.session.scalars(
                db.select(SignInThrottle.key).where(SignInThrottle.key.like("user:%"))
            ).one()
            db.session.execute(db.delete(SignInThrottle))
            db.session.commit()
        expected = hmac.new(secret.encode(), b"10117410", hashlib.sha256).hexdigest()
        assert key == "user:" + expected
        keys.append(key)
    assert keys[0] != keys[1]
    assert hashlib.sha256(b"10117410").hexdigest()[:40] not in keys[0]


def test_pages_of_signed_in_people_and_sign_in_pages_are_not_stored(signed_in, client):
    assert client.get("/sign-in").headers["Cache-Control"] == "no-store"
    signed_in("trainer")
    assert client.get("/home").headers["Cache-Control"] == "no-store"
    with client.get("/static/css/app.css") as static:
        assert static.status_code == 200
        assert "no-store" not in static.headers.get("Cache-Control", "")
