"""No silent sign-out (issue 16): the keep-alive route, what a signed-in page knows of its idle
limit, the idle redirect that leads back to the page, and sign-in that follows only same-site
paths. The browser half is tests/browser/test_session_browser.py."""

from __future__ import annotations

import re
import time

import pytest

from telecenter.auth.session_policy import LAST_SEEN_KEY
from tests.conftest import csrf_token, sign_in

RESIDENT_LIMIT = 10 * 60
STAFF_LIMIT = 30 * 60
DNI, PIN = "44556677", "5824"


def _age_stamp(client, seconds: int) -> None:
    """The server's stamp says the last activity was `seconds` ago."""
    with client.session_transaction() as session:
        session[LAST_SEEN_KEY] = int(time.time()) - seconds


def _stamp(client) -> int | None:
    with client.session_transaction() as session:
        return session.get(LAST_SEEN_KEY)


def _body(page: str) -> dict[str, str]:
    tag = re.search(r"<body([^>]*)>", page)
    assert tag
    return dict(re.findall(r'data-([a-z-]+)="([^"]*)"', tag.group(1)))


def _resident_signs_in(client, make_participant, **data):
    make_participant(document_type="dni", document_number=DNI, pin=PIN)
    fields = {"identifier": DNI, "pin": PIN, "csrf_token": csrf_token(client), **data}
    return client.post("/sign-in/participant", data=fields)


@pytest.fixture
def resident(client, make_participant):
    assert _resident_signs_in(client, make_participant).status_code == 302
    client.get("/home")  # the first page after signing in sets the stamp
    return client


# --- The keep-alive route ---------------------------------------------------------------


@pytest.mark.parametrize("kept_alive", [True, False])
def test_keep_alive_renews_the_stamp_so_she_stays_past_the_old_limit(clock, resident, kept_alive):
    token = csrf_token(resident)
    _age_stamp(resident, RESIDENT_LIMIT - 30)  # half a minute left
    if kept_alive:
        answer = resident.post("/session/keep-alive", data={"csrf_token": token})
        assert answer.status_code == 204
        assert answer.get_data() == b""
        assert _stamp(resident) >= int(time.time()) - 1
    clock.shift(60)  # the old limit has passed
    home = resident.get("/home")
    assert home.status_code == (200 if kept_alive else 302)


def test_keep_alive_without_the_csrf_token_is_refused_and_renews_nothing(resident):
    _age_stamp(resident, 200)
    before = _stamp(resident)
    answer = resident.post("/session/keep-alive")
    assert answer.status_code == 400
    assert "Vuelva a cargar la página" in answer.get_data(as_text=True)
    assert _stamp(resident) == before


def test_keep_alive_is_refused_to_someone_not_signed_in(client):
    answer = client.post("/session/keep-alive", data={"csrf_token": csrf_token(client)})
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/sign-in")
    assert _stamp(client) is None


def test_keep_alive_after_the_limit_does_not_reopen_the_session(resident):
    token = csrf_token(resident)
    _age_stamp(resident, RESIDENT_LIMIT + 5)
    answer = resident.post("/session/keep-alive", data={"csrf_token": token})
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/sign-in")
    assert resident.get("/home").status_code == 302


def test_keep_alive_get_is_not_allowed(resident):
    assert resident.get("/session/keep-alive").status_code == 405


# --- The status the page's timer asks for -------------------------------------------------


def test_status_tells_the_seconds_left_and_is_not_activity(resident):
    _age_stamp(resident, 100)
    before = _stamp(resident)
    answer = resident.get("/session/status")
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    state = answer.get_json()
    assert state["signed_in"] is True
    assert RESIDENT_LIMIT - 102 <= state["seconds_left"] <= RESIDENT_LIMIT - 100
    assert _stamp(resident) == before  # asking is not activity: the stamp stays
    assert "session=" not in answer.headers.get("Set-Cookie", "")


def test_status_of_a_session_past_its_limit_signs_out_with_the_message(resident):
    _age_stamp(resident, RESIDENT_LIMIT + 5)
    answer = resident.get("/session/status")
    assert answer.status_code == 200  # a JSON answer, not a redirect, for the page's script
    assert answer.get_json() == {"signed_in": False, "seconds_left": 0}
    assert resident.get("/home").status_code == 302
    assert "Su sesión se cerró por inactividad" in resident.get("/sign-in").get_data(as_text=True)


def test_status_for_someone_not_signed_in(client):
    assert client.get("/session/status").get_json() == {"signed_in": False, "seconds_left": 0}


# --- What a signed-in page knows ----------------------------------------------------------


def test_a_residents_page_carries_her_limit_and_the_warning(app, resident):
    from telecenter.auth.models import User
    from telecenter.extensions import db

    page = resident.get("/courses/").get_data(as_text=True)
    data = _body(page)
    with app.app_context():
        user_id = db.session.scalar(db.select(User.id).where(User.role == "resident"))
    assert data["user"] == str(user_id)
    assert data["idle-seconds"] == str(RESIDENT_LIMIT)
    assert RESIDENT_LIMIT - 2 <= int(data["idle-left"]) <= RESIDENT_LIMIT
    assert data["idle-warning"] == "60"
    assert data["session-status-url"] == "/session/status"
    assert data["signed-out-url"] == "/sign-in?next=/courses/"
    assert 'role="alertdialog"' in page
    assert "Su sesión se cerrará en un minuto porque no hubo actividad." in page
    assert 'action="/session/keep-alive"' in page
    assert "Seguir aquí" in page
    assert "js/session.js" in page


def test_the_page_counts_from_the_servers_stamp(resident):
    _age_stamp(resident, 20)  # younger than the renewal interval: not renewed by this page
    data = _body(resident.get("/home").get_data(as_text=True))
    assert RESIDENT_LIMIT - 22 <= int(data["idle-left"]) <= RESIDENT_LIMIT - 20


def test_staff_pages_carry_the_staff_limit(signed_in):
    data = _body(signed_in("trainer").get("/home").get_data(as_text=True))
    assert data["idle-seconds"] == str(STAFF_LIMIT)


def test_pages_for_someone_not_signed_in_have_no_timer(client):
    page = client.get("/sign-in").get_data(as_text=True)
    assert "data-idle-seconds" not in _body(page)
    assert "idle-warning" not in page


def test_a_short_limit_and_lead_can_be_configured(make_app, make_participant):
    make_participant(document_type="dni", document_number=DNI, pin=PIN)  # same database
    client = make_app(IDLE_TIMEOUT_RESIDENT_MINUTES=0.2, IDLE_WARNING_SECONDS=60).test_client()
    data = {"identifier": DNI, "pin": PIN, "csrf_token": csrf_token(client)}
    assert client.post("/sign-in/participant", data=data).status_code == 302
    page = client.get("/home").get_data(as_text=True)
    timer = _body(page)
    assert timer["idle-seconds"] == "12"
    assert timer["idle-warning"] == "6"  # at most half the limit
    assert "Su sesión se cerrará en 6 segundos porque no hubo actividad." in page


# --- The idle redirect leads back to the page ---------------------------------------------


def test_the_idle_redirect_carries_the_page_and_signing_in_again_returns_to_it(
    client, make_participant
):
    assert _resident_signs_in(client, make_participant).status_code == 302
    client.get("/home")
    _age_stamp(client, RESIDENT_LIMIT + 5)
    answer = client.get("/sessions/?semana=2")
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/sign-in?next=/sessions/?semana%3D2"
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Su sesión se cerró por inactividad" in page
    assert page.count('value="/sessions/?semana=2"') == 2  # in both sign-in forms
    again = client.post(
        "/sign-in/participant",
        data={
            "identifier": DNI,
            "pin": PIN,
            "next": "/sessions/?semana=2",
            "csrf_token": csrf_token(client),
        },
    )
    assert again.status_code == 302
    assert again.headers["Location"] == "/sessions/?semana=2"


@pytest.mark.parametrize(
    ("referrer", "expected"),
    [
        ("http://localhost/courses/", "/sign-in?next=/courses/"),
        ("http://localhost/sign-out", "/sign-in"),  # a POST-only action: nowhere to go back
        ("https://evil.example/courses/", "/sign-in"),
        (None, "/sign-in"),
    ],
)
def test_a_form_sent_after_the_limit_leads_back_to_the_page_it_was_sent_from(
    resident, referrer, expected
):
    token = csrf_token(resident)
    _age_stamp(resident, RESIDENT_LIMIT + 5)
    headers = {"Referer": referrer} if referrer else {}
    answer = resident.post("/language", data={"csrf_token": token, "lang": "en"}, headers=headers)
    assert answer.status_code == 302
    assert answer.headers["Location"] == expected


def test_the_sign_in_page_itself_signs_out_an_idle_session_and_keeps_its_next(resident):
    _age_stamp(resident, RESIDENT_LIMIT + 5)
    page = resident.get("/sign-in?next=/courses/")
    assert page.status_code == 200  # no redirect to itself
    text = page.get_data(as_text=True)
    assert "Su sesión se cerró por inactividad" in text
    assert 'value="/courses/"' in text
    assert resident.get("/home").status_code == 302


def test_the_sign_in_page_sends_someone_still_signed_in_on_to_next(resident):
    answer = resident.get("/sign-in?next=/courses/")
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/courses/"
    assert resident.get("/sign-in?next=//evil.example/").headers["Location"] == "/home"


UNSAFE = [
    "https://evil.example/",
    "//evil.example/x",
    "/\\evil.example",
    "javascript:alert(1)",
    "/\t/evil.example",
    "/\n/evil.example",
    "",
]


@pytest.mark.parametrize("target", ["/courses/", "/sessions/?semana=2", *UNSAFE])
def test_resident_sign_in_follows_only_same_site_paths(client, make_participant, target):
    answer = _resident_signs_in(client, make_participant, next=target)
    assert answer.status_code == 302
    safe = target in ("/courses/", "/sessions/?semana=2")
    assert answer.headers["Location"] == (target if safe else "/home")


@pytest.mark.parametrize("target", UNSAFE)
def test_staff_sign_in_follows_no_unsafe_path(client, make_user, target):
    username, password = make_user("trainer")
    answer = sign_in(client, username, password, next=target)
    assert answer.headers["Location"] == "/home"


@pytest.mark.parametrize(("raw", "minutes"), [("10", 10.0), ("0.25", 0.25)])
def test_idle_minutes_may_be_a_fraction_in_the_environment(raw, minutes):
    from telecenter import config

    values = config.from_environment({"IDLE_TIMEOUT_RESIDENT_MINUTES": raw})
    assert values["IDLE_TIMEOUT_RESIDENT_MINUTES"] == minutes


@pytest.mark.parametrize("raw", ["0", "-1", "diez"])
def test_idle_minutes_that_are_not_a_positive_number_stop_the_start(raw):
    from telecenter import config

    with pytest.raises(config.ConfigError):
        config.from_environment({"IDLE_TIMEOUT_STAFF_MINUTES": raw})


# --- Sessions that end: every cookie of the account, a copy included ------------------------


def _copy_of_the_cookie(client) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def _replayed(app, cookie: str):
    """A request from another browser carrying the copied cookie."""
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other.get("/home")


def _staff_with_copied_cookie(app, client, make_user, role="trainer"):
    from telecenter.auth.models import User
    from telecenter.extensions import db

    username, password = make_user(role)
    assert sign_in(client, username, password).status_code == 302
    cookie = _copy_of_the_cookie(client)
    assert _replayed(app, cookie).status_code == 200  # the copy works until the session ends
    with app.app_context():
        user_id = db.session.scalar(db.select(User.id).where(User.username == username))
    return user_id, cookie


def test_a_cookie_copied_before_sign_out_no_longer_works_after_it(app, client, make_user):
    _user_id, cookie = _staff_with_copied_cookie(app, client, make_user)
    client.post("/sign-out", data={"csrf_token": csrf_token(client)})
    replay = _replayed(app, cookie)
    assert replay.status_code == 302
    assert replay.headers["Location"].startswith("/sign-in")
    other = app.test_client()
    other.set_cookie("session", cookie)
    keep_alive = other.post("/session/keep-alive", data={"csrf_token": csrf_token(other)})
    assert keep_alive.status_code != 204


def test_a_password_reset_by_the_admin_ends_the_users_sessions(app, client, make_user):
    user_id, cookie = _staff_with_copied_cookie(app, client, make_user)
    admin = app.test_client()
    assert sign_in(admin, *make_user("admin")).status_code == 302
    answer = admin.post(
        f"/admin/accounts/{user_id}/password",
        data={"csrf_token": csrf_token(admin), "password": "río-verde-canoa-7"},
    )
    assert answer.status_code == 302
    assert _replayed(app, cookie).status_code == 302
    assert client.get("/home").status_code == 302


def test_reactivating_an_account_does_not_revive_its_old_cookies(app, client, make_user):
    user_id, cookie = _staff_with_copied_cookie(app, client, make_user)
    admin = app.test_client()
    assert sign_in(admin, *make_user("admin")).status_code == 302
    for action in ("deactivate", "activate"):
        answer = admin.post(
            f"/admin/accounts/{user_id}/{action}", data={"csrf_token": csrf_token(admin)}
        )
        assert answer.status_code == 302
    assert _replayed(app, cookie).status_code == 302


def test_a_change_of_role_ends_the_accounts_sessions(app, client, make_user):
    from telecenter.auth.models import User
    from telecenter.extensions import db

    user_id, cookie = _staff_with_copied_cookie(app, client, make_user)
    with app.app_context():
        db.session.get_one(User, user_id).role = "admin"
        db.session.commit()
    assert _replayed(app, cookie).status_code == 302


def test_a_new_pin_ends_the_residents_sessions(app, client, make_participant):
    from telecenter.extensions import db
    from telecenter.participants import resident_accounts
    from telecenter.participants.models import Participant

    assert _resident_signs_in(client, make_participant).status_code == 302
    cookie = _copy_of_the_cookie(client)
    assert _replayed(app, cookie).status_code == 200
    with app.app_context():
        participant = db.session.scalars(
            db.select(Participant).where(Participant.document_number == DNI)
        ).one()
        resident_accounts.set_pin(db.session, participant, "3957", actor=None)
        db.session.commit()
    assert _replayed(app, cookie).status_code == 302


def test_the_sign_in_answer_itself_carries_the_idle_stamp(client, make_user):
    username, password = make_user("trainer")
    before = int(time.time())
    assert sign_in(client, username, password).status_code == 302
    stamp = _stamp(client)  # read from the sign-in answer's cookie: no page asked since
    assert stamp is not None
    assert before <= stamp <= int(time.time())
    _age_stamp(client, STAFF_LIMIT + 5)
    assert client.get("/home").status_code == 302
