"""Every site route, driven with bad input by the role allowed in: huge ids in paths, far days
and huge pages in query strings, oversized numbers, far dates, non-ASCII digits and lists in
every form field the pages show, and deep-nested JSON. None may answer 5xx, and none may
change a row (a dump of every table before and after)."""

from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa
from werkzeug.routing import IntegerConverter

from telecenter.auth.permissions import view_access
from telecenter.extensions import db
from tests.conftest import csrf_token, sign_in
from tests.test_access_matrix import _course_one, _group_one, _session_one, _survey_one

HUGE = 2**63
QUERIES = (
    "?date=9999-12-31&page=99999999999999999999&attempt=99999999999999999999&view=month",
    "?date=0001-01-01&page=-99999999999999999999&attempt=%D9%A1%D9%A2%D9%A3&q=%D9%A1%D9%A2%D9%A3",
)
BAD_VALUES = ("99999999999999999999", "-99999999999999999999", "١٢٣", "9999-12-31", "0001-01-01")
DEEP_JSON = "[" * 100_000 + "]" * 100_000
_FIELD = re.compile(r'name="([A-Za-z_][\w-]*)"')
# Routes that end what the catalogue drives (the signed-in session or the browser's role).
LEAVES_THE_SESSION = {"auth.sign_out", "kiosk.open_kiosk", "kiosk.close_kiosk", "main.set_language"}
#: Buttons whose only input is the id in their path: with a real id they act as asked, so
#: they get only ids that name nothing.
NO_INPUT_BUT_THE_ID = {
    "accounts.deactivate",
    "accounts.activate",
    "auth.keep_alive",
    "participants.unlock_sign_in",
    "wfi.wfi_consent",
    "courses.enrol",
    "courses.finish_lesson",
    "course_authoring.move",
    "course_authoring.delete_question",
    "course_authoring.remove_recording",
    "attendance.register",
    "attendance.unregister",
    "groups.remove_member",
    "sync.sync_now",
    "sync.test_connection",
    "network_courses.download_now",
    "network_courses.pause",
    "network_courses.resume",
    "network_courses.install",
    "backups.backup_now",
}
#: Where a row may change: a refused sign-in records the failure (the throttle), which is the
#: point; a new password is any text, so "99999999999999999999" is one; a download of
#: personal data is audited.
CHANGES_ON_PURPOSE = {
    "auth.sign_in",
    "resident_auth.sign_in",
    "accounts.reset_password",
    "participants.personal_data",
    "participants.my_data",
    "participants.export_csv",
}


def dump(app) -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order: what "nothing changed" is compared on."""
    with app.app_context():
        return {
            table.name: sorted(
                (tuple(map(repr, row)) for row in db.session.execute(sa.select(table))),
            )
            for table in db.metadata.sorted_tables
        }


def _data_set(app, make_user, make_participant) -> None:
    make_user("admin", username="first-admin")
    make_participant(
        given_names="Resident", document_type="dni", document_number="44556677", pin="5824"
    )
    _survey_one(app)
    _course_one(app)
    _session_one(app)
    _group_one(app)


def _sign_in_as(client, make_user, role: str) -> None:
    if role == "resident":
        answer = client.post(
            "/sign-in/participant",
            data={"identifier": "44556677", "pin": "5824", "csrf_token": csrf_token(client)},
        )
    else:
        username, password = make_user(role)
        answer = sign_in(client, username, password)
    assert answer.status_code == 302


#: Each route is driven once, by the first of these roles it lets in (public ones by admin).
DRIVING_ROLES = ("admin", "trainer", "resident")


def _opens(access, role: str) -> bool:
    return access == "public" or (isinstance(access, frozenset) and role in access)


def _routes(app, role: str, *, only_first: bool = False):
    """The rules this role may open; `only_first`: those no earlier driving role opens."""
    earlier = DRIVING_ROLES[: DRIVING_ROLES.index(role)] if only_first else ()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        access = view_access(app.view_functions[rule.endpoint])
        if _opens(access, role) and not any(_opens(access, other) for other in earlier):
            yield rule


def _path(rule, huge: str | None = None) -> str:
    values = {}
    for name, converter in rule._converters.items():
        is_int = isinstance(converter, IntegerConverter)
        values[name] = (HUGE if name == huge else 1) if is_int else "no-such-thing"
    return rule.build(values, append_unknown=False)[1]


class Rows:
    """The last dump, taken again only after a request that may change rows on purpose."""

    def __init__(self, app):
        self.app = app
        self.last = dump(app)

    def retake(self) -> None:
        self.last = dump(self.app)


def _check(client, rows: Rows, method: str, path: str, watched: bool, *, expect=None, **send):
    """No 5xx; and a GET, or a POST that was refused, leaves every row as it was (a POST the
    app took, such as a group named "99999999999999999999", is not bad input)."""
    response = client.open(path, method=method, **send)
    where = f"{method} {path[:80]} {str(send)[:120]}"
    assert response.status_code < 500, where
    if expect is not None:
        assert response.status_code == expect, where
    if watched and (method == "GET" or response.status_code >= 400):
        assert dump(rows.app) == rows.last, f"{where} answered {response.status_code}, changed rows"
    else:
        rows.retake()


def _field_names(client, app, role) -> set[str]:
    names: set[str] = set()
    for rule in _routes(app, role):
        if "GET" in rule.methods and rule.endpoint not in LEAVES_THE_SESSION:
            page = client.get(_path(rule)).get_data().decode(errors="replace")
            names.update(_FIELD.findall(page))
    names.discard("csrf_token")
    return names


def _drive(client, app, role: str) -> None:
    fields = _field_names(client, app, role) | {"participant_id", "session_id", "group_id"}
    token = csrf_token(client)
    rows = Rows(app)
    for rule in _routes(app, role, only_first=True):
        if rule.endpoint in LEAVES_THE_SESSION:
            continue
        watched = rule.endpoint not in CHANGES_ON_PURPOSE
        methods = sorted(rule.methods & {"GET", "POST"})
        _huge_ids(client, rows, rule, methods, token)
        if "GET" in methods:
            for query in QUERIES:
                _check(client, rows, "GET", _path(rule) + query, watched)
        if "POST" in methods and rule.endpoint not in NO_INPUT_BUT_THE_ID:
            _bad_bodies(client, rows, _path(rule), fields, token, watched)


def _huge_ids(client, rows: Rows, rule, methods: list[str], token: str) -> None:
    """Each id of the path past what a table holds, in turn: 404, nothing changed."""
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            for method in methods:
                path = _path(rule, huge=name)
                data = {"csrf_token": token}
                _check(client, rows, method, path, True, expect=404, data=data)


def _bad_bodies(client, rows: Rows, path: str, fields, token: str, watched: bool) -> None:
    """Every field the pages show, filled with each bad value; lists; JSON of wrong shapes."""
    for value in BAD_VALUES:
        data = {name: value for name in fields} | {"csrf_token": token}
        _check(client, rows, "POST", path, watched, data=data)
    lists = {name: ["1", "١٢٣", str(HUGE)] for name in fields} | {"csrf_token": token}
    _check(client, rows, "POST", path, watched, data=lists)
    wrong_types = {name: [1, {"x": None}] for name in fields}
    for body in (DEEP_JSON, json.dumps(wrong_types), "[1, 2]", '"text"'):
        json_headers = {"X-CSRFToken": token}
        _check(
            client,
            rows,
            "POST",
            path,
            watched,
            data=body,
            content_type="application/json",
            headers=json_headers,
        )


@pytest.mark.one_backend
@pytest.mark.parametrize("role", DRIVING_ROLES)
def test_no_route_answers_5xx_or_changes_anything_on_bad_input(
    app, client, make_user, make_participant, role
):
    _data_set(app, make_user, make_participant)
    _sign_in_as(client, make_user, role)
    _drive(client, app, role)


@pytest.mark.one_backend
def test_every_site_route_is_driven_by_some_role(make_app):
    """A new route is in the catalogue without anyone adding it: each site route lets in one
    of the driving roles, or is the kiosk's (driven below)."""
    app = make_app()
    driven = {rule.endpoint for role in DRIVING_ROLES for rule in _routes(app, role)}
    devices = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("kiosk.")}
    every = {r.endpoint for r in app.url_map.iter_rules()} - {"static"}
    assert every - driven <= devices
    assert "attendance.roster" in driven
    assert "courses.lesson_quiz" in driven


@pytest.mark.one_backend
def test_the_kiosk_takes_bad_input_without_5xx_or_a_change(
    app, client, make_user, make_participant
):
    _data_set(app, make_user, make_participant)
    _sign_in_as(client, make_user, "trainer")
    assert client.post("/kiosk/open", data={"csrf_token": csrf_token(client)}).status_code == 302
    token = csrf_token(client)
    rows = Rows(app)
    for value in (*BAD_VALUES, str(HUGE)):
        data = {"session_id": value, "identifier": value, "csrf_token": token}
        _check(client, rows, "POST", "/kiosk/check-in", True, data=data)
    for query in QUERIES:
        _check(client, rows, "GET", "/kiosk/" + query, True)
