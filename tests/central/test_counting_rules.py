"""Counting rules at central: the page, publishing a version, and the settings every sync
answer carries ("unchanged" for a site that has them)."""

from __future__ import annotations

import gzip
import html
import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from telecenter import month_report
from telecenter.audit import AuditEntry
from telecenter.central import rules
from telecenter.central.models import CountingRulesVersion
from telecenter.clock import utcnow
from telecenter.extensions import db
from tests.conftest import FIXED_NOW, csrf_token, sign_in

CODE = "SM-TARAPOTO-01"


@pytest.fixture
def central(make_app):
    app = make_app("central")
    result = app.test_cli_runner().invoke(
        args=["central", "add-telecenter", CODE, "--name", "Tarapoto", "--region", "San Martín"]
    )
    assert result.exit_code == 0, result.output
    app.token = result.output.strip().splitlines()[-1]
    return app


def _signed_in(central, role: str, username: str | None = None):
    from telecenter.auth import services

    username = username or role
    with central.app_context():
        services.create_user(
            db.session, username=username, password="long-enough-1", display_name=role, role=role
        )
        db.session.commit()
    browser = central.test_client()
    assert sign_in(browser, username, "long-enough-1").status_code == 302
    return browser


def _publish(browser, **fields):
    data = {"fiscal_year_start": "10", **fields}
    return browser.post("/central/rules/publish", data={"csrf_token": csrf_token(browser), **data})


def _versions(central) -> list[tuple[str, bool, int | None, float | None, int]]:
    with central.app_context():
        return [
            (r.rules_version, r.course_completed, r.min_sessions, r.min_hours, r.fiscal_year_start)
            for r in db.session.scalars(
                sa.select(CountingRulesVersion).order_by(CountingRulesVersion.id)
            )
        ]


def test_staff_see_the_rules_in_force_and_cannot_publish(central):
    staff = _signed_in(central, "central_staff")
    page = staff.get("/central/rules").get_data(as_text=True)
    assert "Reglas en uso: versión 1" in page
    assert "completó un curso" in page
    assert "octubre" in page
    assert "Publicar versión nueva" not in page
    assert _publish(staff, course_completed="y").status_code == 403
    assert _versions(central) == []


def test_publishing_stores_the_defaults_as_version_1_then_the_new_version_audited(central):
    admin = _signed_in(central, "central_admin")
    answer = _publish(admin, min_sessions="4", min_hours="1,5", fiscal_year_start="1")
    assert answer.status_code == 302
    assert _versions(central) == [("1", True, None, None, 10), ("2", False, 4, 1.5, 1)]
    page = admin.get("/central/rules").get_data(as_text=True)
    assert "versión 2" in page
    assert "asistió al menos a 4 sesiones" in page
    assert "al menos 1.5 horas" in page
    assert "enero" in page
    assert _publish(admin, course_completed="y").status_code == 302
    assert [v[0] for v in _versions(central)] == ["1", "2", "3"]
    with central.app_context():
        entries = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "counting_rules.publish")
        ).all()
        assert [e.detail for e in entries] == ["version 2", "version 3"]
        assert rules.current_rules(db.session).rules_version == "3"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, "al menos una forma"),
        ({"min_sessions": "0"}, "de 1 a 200"),
        ({"min_sessions": "201"}, "de 1 a 200"),
        ({"min_sessions": "cuatro"}, "número entero"),
        ({"min_hours": "0"}, "mayor que 0"),
        ({"min_hours": "-2"}, "mayor que 0"),
        ({"min_hours": "1001"}, "mayor que 0"),
        ({"min_hours": "veinte"}, "Escriba un número"),
        ({"min_hours": "nan"}, "Escriba un número"),
        ({"min_hours": "1e3"}, "Escriba un número"),
        ({"min_hours": "\u0661\u0662"}, "Escriba un número"),
        ({"min_sessions": "99999999999999999999"}, "demasiado grande"),
        ({"course_completed": "y", "fiscal_year_start": "13"}, "Opción inválida"),
    ],
)
def test_bad_rules_are_refused_beside_the_form_and_nothing_is_stored(central, fields, message):
    admin = _signed_in(central, "central_admin")
    answer = _publish(admin, **fields)
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    shown = re.findall(r'<p class="error">([^<]*)<', page) + re.findall(r"<li>([^<]*)</li>", page)
    assert any(message in html.unescape(text) for text in shown), shown
    assert _versions(central) == []


def _shown_based_on(page: str) -> str:
    return re.search(r'name="based_on" type="hidden" value="([^"]*)"', page).group(1)


def test_publishing_over_a_version_published_meanwhile_is_refused_409_keeping_her_form(central):
    first = _signed_in(central, "central_admin")
    second = _signed_in(central, "central_admin", username="segunda")
    stale = _shown_based_on(second.get("/central/rules").get_data(as_text=True))
    assert stale == "1"
    assert _publish(first, based_on="1", min_sessions="4").status_code == 302
    answer = _publish(second, based_on=stale, min_hours="12")
    assert answer.status_code == 409
    page = answer.get_data(as_text=True)
    assert "Mientras usted editaba, se publicó la versión 2" in html.unescape(page)
    assert 'value="12"' in page  # what she typed is still there
    assert _versions(central) == [("1", True, None, None, 10), ("2", False, 4, None, 10)]
    # The page now builds on version 2: sending it again publishes version 3, hers.
    assert _shown_based_on(page) == "2"
    assert _publish(second, based_on="2", min_hours="12").status_code == 302
    assert _versions(central)[-1] == ("3", False, None, 12.0, 10)


def test_two_admins_publishing_at_the_same_moment_store_one_version(central, monkeypatch):
    """Both read version 1 before either stored: the second insert meets the first's version
    on its unique key and is refused as a 409, not a 500, with nothing stored."""
    admin = _signed_in(central, "central_admin")
    assert _publish(admin, based_on="1", min_sessions="4").status_code == 302
    real = rules.current_rules
    reads = []

    def read_before_the_other_commit(session):
        reads.append(1)
        return rules.DEFAULT if len(reads) == 1 else real(session)

    monkeypatch.setattr(rules, "current_rules", read_before_the_other_commit)
    answer = _publish(admin, based_on="1", min_hours="3")
    assert answer.status_code == 409
    assert "se publicó la versión 2" in html.unescape(answer.get_data(as_text=True))
    assert [v[0] for v in _versions(central)] == ["1", "2"]
    with central.app_context():
        publications = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "counting_rules.publish")
        )
    assert publications == 1


def _hello(central, **params):
    return central.test_client().get(
        "/api/v1/sync/hello",
        query_string=params,
        headers={"Authorization": f"Bearer {central.token}"},
    )


def _settings(central, **params):
    return central.test_client().get(
        "/api/v1/sync/settings",
        query_string=params,
        headers={"Authorization": f"Bearer {central.token}"},
    )


def _send(central, **extra):
    report = {
        "schema": 1,
        "telecenter": CODE,
        "month": month_report.month_of(FIXED_NOW - timedelta(days=40)),
    }
    report |= {table: [] for table in month_report.TABLES_V1}
    report["generated_at"] = month_report.stamp(utcnow())
    body = {"schema": 1, "telecenter": CODE, "reports": [report], **extra}
    return central.test_client().post(
        "/api/v1/sync/reports",
        data=gzip.compress(json.dumps(body).encode()),
        headers={"Authorization": f"Bearer {central.token}", "Content-Encoding": "gzip"},
        content_type="application/json",
    )


def test_every_sync_answer_carries_the_settings_or_unchanged(central):
    # No network event yet: the version is the rules' alone, and the list is empty.
    default = {"version": "r1", "counting_rules": rules.DEFAULT.as_json(), "network_events": []}
    assert _hello(central).json["settings"] == default
    assert _hello(central, settings_version="r1").json["settings"] == "unchanged"
    assert _settings(central).json == {"telecenter": CODE, "settings": default}
    assert _settings(central, settings_version="r1").json["settings"] == "unchanged"
    assert _send(central).json["settings"] == default
    assert _send(central, settings_version="r1").json["settings"] == "unchanged"
    admin = _signed_in(central, "central_admin")
    assert _publish(admin, min_sessions="3").status_code == 302
    bumped = _settings(central, settings_version="r1").json["settings"]
    assert bumped["version"] == "r2"
    assert bumped["counting_rules"]["rules_version"] == "2"
    assert bumped["counting_rules"]["min_sessions"] == 3
    assert _send(central, settings_version="r1").json["settings"] == bumped
    assert _hello(central, settings_version="r2").json["settings"] == "unchanged"


@pytest.mark.parametrize("known", [["r1"], {"v": 1}, 7, None])
def test_a_strange_settings_version_is_answered_with_the_full_settings(central, known):
    answer = _send(central, settings_version=known)
    assert answer.status_code == 200
    assert answer.json["settings"]["version"] == "r1"
    assert answer.json["acknowledged"][0]["status"] == "stored"


def test_the_settings_need_a_telecenter_token(central):
    answer = central.test_client().get(
        "/api/v1/sync/settings", headers={"Authorization": "Bearer tcs_nope"}
    )
    assert answer.status_code == 401
    assert answer.json["error"]


def test_openapi_documents_the_settings_channel(central):
    document = central.test_client().get("/api/v1/openapi.json").json
    paths = document["paths"]
    assert "settings_version" in json.dumps(paths["/api/v1/sync/reports"])
    assert "settings_version" in json.dumps(paths["/api/v1/sync/hello"])
    assert "/api/v1/sync/settings" in paths
    assert "settings" in document["components"]["schemas"]["SyncAck"]["required"]
