"""Every route, every role: the expected answer for each cell, and no route without a rule."""

from __future__ import annotations

import re
import shutil

import pytest

from telecenter import create_app
from telecenter.auth.permissions import view_access
from telecenter.extensions import db
from tests.conftest import (
    base_config,
    copied_database,
    csrf_token,
    participant_maker,
    sign_in,
    user_maker,
)

OK, SIGN_IN, FORBIDDEN = 200, "sign-in", 403
ANON = "anonymous"

# (method, path) -> expected answer per role. POST cells send a valid CSRF token and no data;
# a permitted POST then answers with its own validation result (400 or a redirect).
SITE_MATRIX = {
    ("GET", "/home"): {ANON: SIGN_IN, "resident": OK, "trainer": OK, "admin": OK},
    ("GET", "/admin/accounts/"): {
        ANON: SIGN_IN,
        "resident": FORBIDDEN,
        "trainer": FORBIDDEN,
        "admin": OK,
    },
    ("POST", "/admin/accounts/"): {
        ANON: SIGN_IN,
        "resident": FORBIDDEN,
        "trainer": FORBIDDEN,
        "admin": 400,
    },
    # The confirmation page; sending it deactivates and goes back to the list.
    ("GET", "/admin/accounts/1/deactivate"): {
        ANON: SIGN_IN,
        "resident": FORBIDDEN,
        "trainer": FORBIDDEN,
        "admin": OK,
    },
    ("POST", "/admin/accounts/1/deactivate"): {
        ANON: SIGN_IN,
        "resident": FORBIDDEN,
        "trainer": FORBIDDEN,
        "admin": 302,
    },
    ("POST", "/admin/accounts/1/activate"): {
        ANON: SIGN_IN,
        "resident": FORBIDDEN,
        "trainer": FORBIDDEN,
        "admin": 302,
    },
    ("GET", "/participants/accounts"): {
        ANON: SIGN_IN,
        "resident": FORBIDDEN,
        "trainer": FORBIDDEN,
        "admin": OK,
    },
    ("POST", "/admin/accounts/1/password"): {
        ANON: SIGN_IN,
        "resident": FORBIDDEN,
        "trainer": FORBIDDEN,
        "admin": 302,
    },
    ("POST", "/sign-out"): {ANON: SIGN_IN, "resident": 302, "trainer": 302, "admin": 302},
    ("GET", "/sign-in"): {ANON: OK, "resident": 302, "trainer": 302, "admin": 302},
    ("GET", "/healthz"): {ANON: OK, "resident": OK, "trainer": OK, "admin": OK},
    ("GET", "/"): {ANON: 302, "resident": 302, "trainer": 302, "admin": 302},
    ("POST", "/language"): {ANON: 303, "resident": 303, "trainer": 303, "admin": 303},
    ("POST", "/sign-in"): {ANON: 400, "resident": 302, "trainer": 302, "admin": 302},
    ("POST", "/sign-in/participant"): {ANON: 400, "resident": 302, "trainer": 302, "admin": 302},
    # A signed-in page's idle timer: «Seguir aquí» (no content) and how long is left (JSON).
    ("POST", "/session/keep-alive"): {ANON: SIGN_IN, "resident": 204, "trainer": 204, "admin": 204},
    ("GET", "/session/status"): {ANON: OK, "resident": OK, "trainer": OK, "admin": OK},
    ("GET", "/admin/audit/"): {
        ANON: SIGN_IN,
        "resident": FORBIDDEN,
        "trainer": FORBIDDEN,
        "admin": OK,
    },
    ("GET", "/participants/export.csv"): {
        ANON: SIGN_IN,
        "resident": FORBIDDEN,
        "trainer": FORBIDDEN,
        "admin": OK,
    },
}
STAFF_ONLY = {ANON: SIGN_IN, "resident": FORBIDDEN, "trainer": OK, "admin": OK}
for _path in (
    "/participants/",
    "/participants/new",
    "/participants/quick",
    "/participants/import",
    "/participants/import/template.csv",
    "/participants/1",
    "/participants/1/card",
    "/participants/1/data",
    "/participants/1/edit",
    "/participants/1/erase",
    "/programme/",
    "/programme/participants/1/enrol",
    "/programme/participants/1/surveys",
    "/groups/",
    "/groups/1",
    "/programme/surveys/1",
    "/programme/surveys/1/edit",
):
    SITE_MATRIX[("GET", _path)] = STAFF_ONLY
for _path, _answer in (
    ("/participants/new", 400),
    ("/participants/quick", 400),
    ("/participants/import", 400),
    ("/participants/1/edit", 400),
    ("/participants/1/erase", 400),
    ("/participants/1/pin", 302),
    ("/participants/1/unlock", 302),
    ("/programme/participants/1/enrol", 400),
    ("/programme/participants/1/wfi-consent", 302),
    ("/programme/participants/1/surveys", 400),
    ("/groups/", 400),
    ("/groups/1", 400),
    ("/groups/1/members/1/remove", 302),
    ("/programme/surveys/1/edit", 400),
):
    SITE_MATRIX[("POST", _path)] = {**STAFF_ONLY, "trainer": _answer, "admin": _answer}

# Sessions, calendar and kiosk (the kiosk pages need the kiosk device cookie, which no
# cell has, so everyone gets 403 there).
for _path in ("/sessions/", "/sessions/1", "/calendar/"):
    SITE_MATRIX[("GET", _path)] = {ANON: SIGN_IN, "resident": OK, "trainer": OK, "admin": OK}
for _path in (
    "/sessions/new",
    "/sessions/1/edit",
    "/sessions/1/cancel",
    "/sessions/1/roster",
    "/sessions/1/sign-in-sheet",
    "/sessions/reports/",
    "/sessions/reports/participants/1",
):
    SITE_MATRIX[("GET", _path)] = STAFF_ONLY
# Session 1 has no attendance yet: staff get the reports page back saying so, not a file.
SITE_MATRIX[("GET", "/sessions/reports/attendance.csv")] = {
    **STAFF_ONLY,
    "trainer": 404,
    "admin": 404,
}
for _path, _answer in (
    ("/sessions/new", 400),
    ("/sessions/1/edit", 400),
    ("/sessions/1/cancel", 400),
    ("/sessions/1/roster", 302),
    ("/sessions/1/walk-in", 302),
    ("/sessions/1/viewers", 302),
    ("/sessions/1/notice/dismiss", 302),
    ("/kiosk/open", 302),
    ("/kiosk/close-all", 302),
):
    SITE_MATRIX[("POST", _path)] = {**STAFF_ONLY, "trainer": _answer, "admin": _answer}
for _path in ("/sessions/1/register", "/sessions/1/unregister"):
    SITE_MATRIX[("POST", _path)] = {
        ANON: SIGN_IN,
        "resident": 302,
        "trainer": FORBIDDEN,
        "admin": FORBIDDEN,
    }
SITE_MATRIX[("GET", "/calendar/sessions.ics")] = {
    ANON: OK,
    "resident": OK,
    "trainer": OK,
    "admin": OK,
}
KIOSK_DEVICE_ONLY = {
    ANON: FORBIDDEN,
    "resident": FORBIDDEN,
    "trainer": FORBIDDEN,
    "admin": FORBIDDEN,
}
SITE_MATRIX[("GET", "/kiosk/")] = KIOSK_DEVICE_ONLY
SITE_MATRIX[("GET", "/kiosk/close-all")] = STAFF_ONLY  # the question before closing them
SITE_MATRIX[("POST", "/kiosk/check-in")] = KIOSK_DEVICE_ONLY
SITE_MATRIX[("POST", "/kiosk/close")] = KIOSK_DEVICE_ONLY

# Sync status (admin only); "now" without CENTRAL_URL answers with a message and a redirect.
SITE_MATRIX[("GET", "/admin/sync/")] = {
    ANON: SIGN_IN,
    "resident": FORBIDDEN,
    "trainer": FORBIDDEN,
    "admin": OK,
}
SITE_MATRIX[("POST", "/admin/sync/now")] = {
    ANON: SIGN_IN,
    "resident": FORBIDDEN,
    "trainer": FORBIDDEN,
    "admin": 302,
}

# The connection to central: saving and testing with no address answer 400 (nothing saved).
for _path in ("/admin/sync/connection", "/admin/sync/connection/test"):
    SITE_MATRIX[("POST", _path)] = {
        ANON: SIGN_IN,
        "resident": FORBIDDEN,
        "trainer": FORBIDDEN,
        "admin": 400,
    }

# USB files: saving reports with no token answers with a message and a redirect; loading
# central's file without a file is refused (400).
for _path, _admin in (("/admin/sync/usb/reports", 302), ("/admin/sync/usb/network", 400)):
    SITE_MATRIX[("POST", _path)] = {
        ANON: SIGN_IN,
        "resident": FORBIDDEN,
        "trainer": FORBIDDEN,
        "admin": _admin,
    }

# «Cursos de la red» (admin only): a button for an entry that is not there, or the settings
# with no data, answer with a message (a redirect, or the form with its errors).
SITE_MATRIX[("GET", "/admin/sync/courses/")] = {
    ANON: SIGN_IN,
    "resident": FORBIDDEN,
    "trainer": FORBIDDEN,
    "admin": OK,
}
SITE_MATRIX[("POST", "/admin/sync/courses/settings")] = {
    ANON: SIGN_IN,
    "resident": FORBIDDEN,
    "trainer": FORBIDDEN,
    "admin": 400,
}
for _button in ("download", "pause", "resume", "install"):
    SITE_MATRIX[("POST", f"/admin/sync/courses/1/{_button}")] = {
        ANON: SIGN_IN,
        "resident": FORBIDDEN,
        "trainer": FORBIDDEN,
        "admin": 302,
    }

SITE_MATRIX[("GET", "/admin/backups/")] = {
    ANON: SIGN_IN,
    "resident": FORBIDDEN,
    "trainer": FORBIDDEN,
    "admin": OK,
}
SITE_MATRIX[("POST", "/admin/backups/now")] = {
    ANON: SIGN_IN,
    "resident": FORBIDDEN,
    "trainer": FORBIDDEN,
    "admin": 302,
}
# Backup 1 is not listed (404); an upload without a file is refused (400).
for _method, _path, _admin in (
    ("GET", "/admin/backups/1/download", 404),
    ("GET", "/admin/backups/1/restore", 404),
    ("POST", "/admin/backups/1/restore", 404),
    ("POST", "/admin/backups/1/restore/key", 404),
    ("POST", "/admin/backups/upload", 400),
):
    SITE_MATRIX[(_method, _path)] = {
        ANON: SIGN_IN,
        "resident": FORBIDDEN,
        "trainer": FORBIDDEN,
        "admin": _admin,
    }

# Courses. The resident in these cells is not enrolled in course 1.
EVERYONE_SIGNED_IN = {ANON: SIGN_IN, "resident": OK, "trainer": OK, "admin": OK}
SITE_MATRIX.update(
    {
        ("GET", "/courses/"): EVERYONE_SIGNED_IN,
        ("GET", "/courses/1"): EVERYONE_SIGNED_IN,
        ("POST", "/courses/1/enrol"): {
            ANON: SIGN_IN,
            "resident": 302,
            "trainer": FORBIDDEN,
            "admin": FORBIDDEN,
        },
        ("GET", "/courses/1/lessons/1"): {
            ANON: SIGN_IN,
            "resident": 302,
            "trainer": OK,
            "admin": OK,
        },
        ("GET", "/courses/certificates/verify"): {
            ANON: OK,
            "resident": OK,
            "trainer": OK,
            "admin": OK,
        },
        ("GET", "/courses/1/media/1"): {
            ANON: SIGN_IN,
            "resident": 404,
            "trainer": 404,
            "admin": 404,
        },
    }
)
RESIDENT_ONLY = {ANON: SIGN_IN, "resident": FORBIDDEN, "trainer": FORBIDDEN, "admin": FORBIDDEN}
# Right of access for a resident: her own data only (the address has no id to change).
SITE_MATRIX[("GET", "/participants/me/data")] = {
    ANON: SIGN_IN,
    "resident": OK,
    "trainer": FORBIDDEN,
    "admin": FORBIDDEN,
}
for _method, _path in (
    ("POST", "/courses/1/lessons/1/done"),
    ("POST", "/courses/1/lessons/1/quiz"),
    ("GET", "/courses/1/final-quiz"),
    ("POST", "/courses/1/final-quiz"),
):
    SITE_MATRIX[(_method, _path)] = RESIDENT_ONLY  # 403 for the resident too: not enrolled
SITE_MATRIX[("GET", "/courses/1/certificate")] = {**RESIDENT_ONLY, "resident": 404}
# Before the course is done, the celebration sends the learner back to the course.
SITE_MATRIX[("GET", "/courses/1/finished")] = {**RESIDENT_ONLY, "resident": 302}
for _path in (
    "/courses/manage/new",
    "/courses/manage/1",
    "/courses/manage/1/modules/1/lessons/new",
    "/courses/manage/1/lessons/1",
    "/courses/manage/1/lessons/1/questions",
    "/courses/manage/1/final-quiz/questions",
    "/courses/manage/1/questions/1/edit",
    "/courses/manage/1/media",
    "/courses/manage/1/export",
    "/courses/manage/import",
    "/courses/manage/1/enrol",
    "/courses/manage/1/report",
    "/courses/manage/1/report.csv",
    "/courses/manage/participants/1",
):
    SITE_MATRIX[("GET", _path)] = STAFF_ONLY
for _path, _answer in (
    ("/courses/manage/new", 400),
    ("/courses/manage/1", 400),
    ("/courses/manage/1/modules", 302),
    ("/courses/manage/1/1/1/move/1", 404),
    ("/courses/manage/1/modules/1/lessons/new", 400),
    ("/courses/manage/1/lessons/1", 302),  # unchanged fields: saved
    ("/courses/manage/1/lessons/1/questions", 400),
    ("/courses/manage/1/final-quiz/questions", 400),
    ("/courses/manage/1/questions/1/edit", 400),
    ("/courses/manage/1/questions/1/delete", 302),
    ("/courses/manage/1/preview", 200),  # no text: an empty preview
    ("/courses/manage/1/lessons/1/recordings", 400),  # no file
    ("/courses/manage/1/lessons/1/recordings/1/delete", 302),  # no such language: said so
    ("/courses/manage/1/recordings", 400),  # no file
    ("/courses/manage/1/media", 400),
    ("/courses/manage/import", 400),
    ("/courses/manage/1/enrol", 302),
):
    SITE_MATRIX[("POST", _path)] = {**STAFF_ONLY, "trainer": _answer, "admin": _answer}

CENTRAL_MATRIX = {
    ("GET", "/home"): {ANON: SIGN_IN, "central_staff": OK, "central_admin": OK},
    ("GET", "/admin/accounts/"): {ANON: SIGN_IN, "central_staff": FORBIDDEN, "central_admin": OK},
    ("POST", "/admin/accounts/"): {ANON: SIGN_IN, "central_staff": FORBIDDEN, "central_admin": 400},
    ("GET", "/healthz"): {ANON: OK, "central_staff": OK, "central_admin": OK},
    # Sites authenticate with their bearer token, never with a session.
    ("POST", "/api/v1/sync/reports"): {ANON: 401, "central_staff": 401, "central_admin": 401},
    ("GET", "/api/v1/sync/hello"): {ANON: 401, "central_staff": 401, "central_admin": 401},
    ("GET", "/api/v1/sync/settings"): {ANON: 401, "central_staff": 401, "central_admin": 401},
    ("GET", "/central/rules"): {ANON: SIGN_IN, "central_staff": OK, "central_admin": OK},
    # Publishing with no data: the form's message (nothing chosen), 400.
    ("POST", "/central/rules/publish"): {
        ANON: SIGN_IN,
        "central_staff": FORBIDDEN,
        "central_admin": 400,
    },
    ("GET", "/central/"): {ANON: SIGN_IN, "central_staff": OK, "central_admin": OK},
    ("GET", "/central/telecenters"): {ANON: SIGN_IN, "central_staff": OK, "central_admin": OK},
    ("GET", "/central/calidad"): {ANON: SIGN_IN, "central_staff": OK, "central_admin": OK},
    ("GET", "/api/v1/quality"): {ANON: 401, "central_staff": 400, "central_admin": 400},
    ("GET", "/central/download/1.1"): {ANON: SIGN_IN, "central_staff": 302, "central_admin": 302},
    ("GET", "/central/targets"): {ANON: SIGN_IN, "central_staff": OK, "central_admin": OK},
    ("GET", "/central/targets/new"): {
        ANON: SIGN_IN,
        "central_staff": FORBIDDEN,
        "central_admin": OK,
    },
    ("POST", "/central/targets/new"): {
        ANON: SIGN_IN,
        "central_staff": FORBIDDEN,
        "central_admin": 400,
    },
    # No target 1: not found.
    ("GET", "/central/targets/1/edit"): {
        ANON: SIGN_IN,
        "central_staff": FORBIDDEN,
        "central_admin": 404,
    },
    ("POST", "/central/targets/1/edit"): {
        ANON: SIGN_IN,
        "central_staff": FORBIDDEN,
        "central_admin": 404,
    },
    ("GET", "/central/targets/1/delete"): {
        ANON: SIGN_IN,
        "central_staff": FORBIDDEN,
        "central_admin": 404,
    },
    ("POST", "/central/targets/1/delete"): {
        ANON: SIGN_IN,
        "central_staff": FORBIDDEN,
        "central_admin": 404,
    },
    ("GET", "/central/indicators"): {ANON: SIGN_IN, "central_staff": OK, "central_admin": OK},
    ("GET", "/central/indicators/new"): {
        ANON: SIGN_IN,
        "central_staff": FORBIDDEN,
        "central_admin": OK,
    },
    ("POST", "/central/indicators/new"): {
        ANON: SIGN_IN,
        "central_staff": FORBIDDEN,
        "central_admin": 400,
    },
    # Indicator 1 is a default of the catalogue.
    ("GET", "/central/indicators/1/edit"): {
        ANON: SIGN_IN,
        "central_staff": FORBIDDEN,
        "central_admin": OK,
    },
    # A form without its boxes keeps the indicator's values: saved unchanged.
    ("POST", "/central/indicators/1/edit"): {
        ANON: SIGN_IN,
        "central_staff": FORBIDDEN,
        "central_admin": 302,
    },
    ("GET", "/api/v1/participation"): {ANON: 401, "central_staff": 400, "central_admin": 400},
    ("GET", "/api/v1/exports/dhis2"): {ANON: 401, "central_staff": 400, "central_admin": 400},
    ("GET", "/api/v1/exports/dhis2/metadata"): {
        ANON: 401,
        "central_staff": OK,
        "central_admin": OK,
    },
    ("GET", "/api/v1/programme-outcomes"): {
        ANON: 401,
        "central_staff": 400,
        "central_admin": 400,
    },
    ("GET", "/api/v1/openapi.json"): {ANON: OK, "central_staff": OK, "central_admin": OK},
    ("GET", "/"): {ANON: 302, "central_staff": 302, "central_admin": 302},
    ("GET", "/sign-in"): {ANON: OK, "central_staff": 302, "central_admin": 302},
    ("POST", "/sign-in"): {ANON: 400, "central_staff": 302, "central_admin": 302},
    ("POST", "/sign-out"): {ANON: SIGN_IN, "central_staff": 302, "central_admin": 302},
    ("POST", "/language"): {ANON: 303, "central_staff": 303, "central_admin": 303},
    ("POST", "/session/keep-alive"): {ANON: SIGN_IN, "central_staff": 204, "central_admin": 204},
    ("GET", "/session/status"): {ANON: OK, "central_staff": OK, "central_admin": OK},
    ("GET", "/admin/accounts/1/deactivate"): {
        ANON: SIGN_IN,
        "central_staff": FORBIDDEN,
        "central_admin": 302,
    },
    ("POST", "/admin/accounts/1/deactivate"): {
        ANON: SIGN_IN,
        "central_staff": FORBIDDEN,
        "central_admin": 302,
    },
    ("POST", "/admin/accounts/1/activate"): {
        ANON: SIGN_IN,
        "central_staff": FORBIDDEN,
        "central_admin": 302,
    },
    ("POST", "/admin/accounts/1/password"): {
        ANON: SIGN_IN,
        "central_staff": FORBIDDEN,
        "central_admin": 302,
    },
    # The tracking workbook of the current fiscal year, for everyone at the office.
    ("GET", "/central/indicators/workbook.xlsx"): {
        ANON: SIGN_IN,
        "central_staff": OK,
        "central_admin": OK,
    },
    # Period closes: staff read them; only admins close (no period chosen: 400).
    ("GET", "/central/closes/"): {ANON: SIGN_IN, "central_staff": OK, "central_admin": OK},
    ("POST", "/central/closes/"): {ANON: SIGN_IN, "central_staff": FORBIDDEN, "central_admin": 400},
    ("GET", "/central/closes/1"): {ANON: SIGN_IN, "central_staff": 404, "central_admin": 404},
    ("GET", "/central/closes/1.json"): {
        ANON: SIGN_IN,
        "central_staff": 404,
        "central_admin": 404,
    },
    # Network teleconferences: central staff schedule them as central admins do (no event 1).
    ("GET", "/central/network-events/"): {ANON: SIGN_IN, "central_staff": OK, "central_admin": OK},
    ("GET", "/central/network-events/new"): {
        ANON: SIGN_IN,
        "central_staff": OK,
        "central_admin": OK,
    },
    ("POST", "/central/network-events/new"): {
        ANON: SIGN_IN,
        "central_staff": 400,
        "central_admin": 400,
    },
    ("GET", "/api/v1/network-events"): {ANON: 401, "central_staff": OK, "central_admin": OK},
    ("GET", "/api/v1/network-events/1"): {
        ANON: 401,
        "central_staff": 404,
        "central_admin": 404,
    },
}
# USB bundles, central admins only: no file chosen (400); no telecenter chosen (a redirect).
CENTRAL_MATRIX[("GET", "/central/usb/")] = {
    ANON: SIGN_IN,
    "central_staff": FORBIDDEN,
    "central_admin": OK,
}
CENTRAL_MATRIX[("POST", "/central/usb/")] = {
    ANON: SIGN_IN,
    "central_staff": FORBIDDEN,
    "central_admin": 400,
}
CENTRAL_MATRIX[("GET", "/central/usb/network-bundle")] = {
    ANON: SIGN_IN,
    "central_staff": FORBIDDEN,
    "central_admin": 302,
}
for _method, _path in (
    ("GET", "/central/network-events/1"),
    ("GET", "/central/network-events/1/edit"),
    ("POST", "/central/network-events/1/edit"),
    ("POST", "/central/network-events/1/reschedule"),
    ("POST", "/central/network-events/1/cancel"),
    ("POST", "/central/network-events/1/notes"),
):
    CENTRAL_MATRIX[(_method, _path)] = {ANON: SIGN_IN, "central_staff": 404, "central_admin": 404}


def _cells(matrix, *, refused: bool):
    """The refused cells (403, or off to sign in) are decided before any query, so they run on
    one backend; the answered ones render pages from the database, so they run on both."""
    for (method, path), answers in matrix.items():
        for role, expected in answers.items():
            if (expected in (SIGN_IN, FORBIDDEN)) == refused:
                yield pytest.param(method, path, role, expected, id=f"{method} {path} {role}")


def _check(client, make_user, method, path, role, expected, make_participant=None):
    if role == "resident" and make_participant is not None:
        make_participant(
            given_names="Resident", document_type="dni", document_number="44556677", pin="5824"
        )
        answer = client.post(
            "/sign-in/participant",
            data={"identifier": "44556677", "pin": "5824", "csrf_token": csrf_token(client)},
        )
        assert answer.status_code == 302
    elif role != ANON:
        username, password = make_user(role)
        assert sign_in(client, username, password).status_code == 302
    if method == "GET":
        response = client.get(path)
    else:
        response = client.post(path, data={"csrf_token": csrf_token(client)})
    if expected == SIGN_IN:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/sign-in")
    else:
        assert response.status_code == expected


@pytest.mark.one_backend
@pytest.mark.parametrize(
    ("method", "path", "role", "expected"), list(_cells(SITE_MATRIX, refused=True))
)
def test_site_route_refusals(
    site_data, app, client, make_user, make_participant, method, path, role, expected
):
    _check(client, make_user, method, path, role, expected, make_participant)


@pytest.mark.parametrize(
    ("method", "path", "role", "expected"), list(_cells(SITE_MATRIX, refused=False))
)
def test_site_route_answers(
    site_data, app, client, make_user, make_participant, method, path, role, expected
):
    _check(client, make_user, method, path, role, expected, make_participant)


def _seed(app) -> None:
    """What the cells' paths name: account 1, participant 1, survey 1, course 1, session 1,
    group 1."""
    user_maker(app)("admin", username="first-admin")  # the target of the admin POSTs
    participant_maker(app)()  # the subject of the registry routes
    _survey_one(app)
    _course_one(app)
    _session_one(app)
    _group_one(app)


@pytest.fixture(scope="module")
def seeded_sqlite(sqlite_template, tmp_path_factory):
    """The cells' data set made once per worker: each SQLite cell starts from a copy, where
    building it anew took most of a cell's time."""
    folder = tmp_path_factory.mktemp("matrix-template")
    path = folder / "seeded.sqlite3"
    shutil.copyfile(sqlite_template, path)
    app = create_app(base_config(f"sqlite:///{path}"), instance_path=str(folder / "instance"))
    _seed(app)
    with app.app_context():
        db.engine.dispose()
    return path


@pytest.fixture
def database_url(request, backend, tmp_path):
    """The conftest's database; for the site's cells (those asking for `site_data`), with the
    data set already there on SQLite."""
    seeded = "site_data" in request.fixturenames
    template = "seeded_sqlite" if seeded else "sqlite_template"
    yield from copied_database(request, backend, tmp_path, template)


@pytest.fixture
def site_data(app, backend) -> None:
    """On PostgreSQL the tables are emptied after each test, so the data set is made anew."""
    if backend == "postgresql":
        _seed(app)


def _survey_one(app) -> None:
    """Survey 1, participant 1's baseline, the subject of the survey routes."""
    from datetime import date

    from telecenter.extensions import db
    from telecenter.participants import services, wfi
    from telecenter.participants.models import Participant
    from tests.participants.test_registry import _answers

    with app.app_context():
        participant = db.session.get(Participant, 1)
        services.record_wfi_consent(db.session, participant, actor=None)
        day = date(2026, 1, 5)
        wfi.enrol(
            db.session,
            participant,
            enrolled_on=day,
            telecenter_code="T1",
            trainer=None,
            actor=None,
            today=day,
        )
        wfi.record_survey(db.session, participant, _answers(), taken_on=day, actor=None, today=day)
        db.session.commit()


def _session_one(app) -> None:
    from telecenter.attendance import scheduling
    from telecenter.extensions import db
    from tests.attendance.conftest import session_data

    with app.app_context():
        scheduling.create(db.session, session_data())
        db.session.commit()


def _group_one(app) -> None:
    from telecenter.extensions import db
    from telecenter.participants import groups

    with app.app_context():
        groups.create(db.session, "Grupo uno", actor=None)
        db.session.commit()


def _course_one(app) -> None:
    """Course 1 with lesson 1 and question 1, the subject of the course routes."""
    from telecenter.courses import authoring
    from telecenter.extensions import db
    from tests.courses.conftest import BODIES, definition

    with app.app_context():
        authoring.apply_definition(db.session, definition(), BODIES, published=True)
        db.session.commit()


@pytest.mark.one_backend
@pytest.mark.parametrize(
    ("method", "path", "role", "expected"), list(_cells(CENTRAL_MATRIX, refused=True))
)
def test_central_route_refusals(make_app, method, path, role, expected):
    _central_cell(make_app, method, path, role, expected)


@pytest.mark.parametrize(
    ("method", "path", "role", "expected"), list(_cells(CENTRAL_MATRIX, refused=False))
)
def test_central_route_answers(make_app, method, path, role, expected):
    _central_cell(make_app, method, path, role, expected)


def _central_cell(make_app, method, path, role, expected):
    central = make_app("central")
    _check(central.test_client(), _central_users(central), method, path, role, expected)


def _central_users(central):
    from telecenter.auth import services
    from telecenter.extensions import db

    def create(role):
        with central.app_context():
            services.create_user(
                db.session,
                username=f"c-{role}",
                password="long-enough-1",
                display_name=role,
                role=role,
            )
            db.session.commit()
        return f"c-{role}", "long-enough-1"

    return create


@pytest.mark.parametrize("role", ["site", "central"])
def test_matrix_covers_every_route_and_every_route_declares_access(make_app, role):
    app = make_app(role)
    matrix = SITE_MATRIX if role == "site" else CENTRAL_MATRIX
    covered = {(method, path) for method, path in matrix}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        assert view_access(app.view_functions[rule.endpoint]) is not None, rule.endpoint
        path = re.sub(r"<[^>]+>", "1", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (method, path) in covered, f"{method} {path} is not in the matrix"


def test_a_view_without_a_declared_rule_is_refused_to_everyone(make_app):
    app = make_app()

    @app.route("/forgotten")
    def forgotten():
        return "open"

    assert app.test_client().get("/forgotten").status_code == 403


def test_site_accounts_cannot_sign_in_to_central(make_app, make_user):
    # Same database, to show that the role check, not the data, keeps them apart.
    username, password = make_user("admin")
    central = make_app("central").test_client()
    assert sign_in(central, username, password).status_code == 401
    assert central.get("/admin/accounts/").status_code == 302
