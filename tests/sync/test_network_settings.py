"""The network settings channel, site side: the site names the version it has, stores new
counting rules, re-queues every month under them, and refuses settings it cannot apply."""

from __future__ import annotations

import gzip
import json

import httpx
import pytest
import sqlalchemy as sa

from telecenter import month_report
from telecenter.central import rules as central_rules
from telecenter.central.models import MonthReport
from telecenter.clock import utcnow
from telecenter.extensions import db
from telecenter.sync import client, network_settings, tasks
from telecenter.sync.models import NetworkSettings, OutboxMonth
from tests.sync.generate import populate

CODE = "SM-PRUEBA-01"
MONTHS = ["2026-07", "2026-08", "2026-09"]


@pytest.fixture
def central(make_app):
    app = make_app("central")
    result = app.test_cli_runner().invoke(
        args=["central", "add-telecenter", CODE, "--name", "Prueba", "--region", "San Martín"]
    )
    assert result.exit_code == 0, result.output
    app.token = result.output.strip().splitlines()[-1]
    return app


class Bridge:
    """An httpx transport into central's own app: the site talks to a real central."""

    def __init__(self, central):
        self.central = central
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.central.test_client().open(
            request.url.path,
            method=request.method,
            query_string=request.url.query.decode(),
            headers={k: v for k, v in request.headers.items() if k.lower() != "host"},
            data=request.content,
        )
        return httpx.Response(
            answer.status_code,
            content=answer.get_data(),
            headers={"Content-Type": answer.content_type},
        )

    @property
    def transport(self):
        return httpx.MockTransport(self)

    def bodies(self) -> list[dict]:
        return [json.loads(gzip.decompress(r.content)) for r in self.requests if r.method == "POST"]

    def paths(self) -> list[str]:
        return [r.url.path for r in self.requests]


@pytest.fixture
def site(central, app_ctx, tmp_path):
    return client.Settings(
        central_url="http://central.test",
        token=central.token,
        telecenter=CODE,
        instance_path=str(tmp_path),
    )


def _publish(central, **changes):
    rules = {"course_completed": True, "min_sessions": None, "min_hours": None}
    with central.app_context():
        published = central_rules.publish(
            db.session, **{**rules, "fiscal_year_start": 10, **changes}, actor=None
        )
        db.session.commit()
    return published


def _seed(state: str = "pending"):
    """Months already in the outbox, as a refresh would have left them."""
    for month in MONTHS:
        report = {"schema": 1, "telecenter": CODE, "month": month}
        report |= {table: [] for table in month_report.TABLES_V1}
        report["generated_at"] = month_report.stamp(utcnow())
        digest = month_report.digest(report)
        db.session.add(
            OutboxMonth(
                month=month,
                digest=digest,
                payload=report,
                state=state,
                sent_digest=digest if state == "sent" else None,
            )
        )
    db.session.commit()


def _outbox() -> list[tuple]:
    rows = db.session.scalars(sa.select(OutboxMonth).order_by(OutboxMonth.month))
    return [(r.month, r.state, r.digest, r.sent_digest) for r in rows]


def _states() -> dict[str, str]:
    return {row.month: row.state for row in db.session.scalars(sa.select(OutboxMonth))}


def test_new_rules_in_a_sync_answer_are_stored_and_re_queue_every_month(site, central):
    _seed()
    _publish(central, min_sessions=4)
    bridge = Bridge(central)
    result = client.send_pending(db.session, site, transport=bridge.transport)
    assert sorted(result.sent) == MONTHS
    assert result.new_rules
    assert "settings_version" not in bridge.bodies()[0]  # the site had none yet
    assert network_settings.known_version(db.session) == "r2"
    rules = network_settings.current_rules(db.session)
    assert (rules.rules_version, rules.min_sessions) == ("2", 4)
    assert _states() == dict.fromkeys(MONTHS, "pending")  # every month goes again
    rows = db.session.scalars(sa.select(OutboxMonth)).all()
    assert {(r.digest, r.sent_digest, r.attempts) for r in rows} == {("new-rules", None, 0)}


def test_a_site_that_has_the_current_settings_hears_unchanged(site, central):
    _seed()
    _publish(central, min_hours=12.5)
    bridge = Bridge(central)
    client.send_pending(db.session, site, transport=bridge.transport)
    received_at = network_settings.stored(db.session).received_at
    again = client.send_pending(db.session, site, transport=bridge.transport)
    assert sorted(again.sent) == MONTHS
    assert not again.new_rules
    assert bridge.bodies()[-1]["settings_version"] == "r2"
    assert _states() == dict.fromkeys(MONTHS, "sent")
    assert network_settings.stored(db.session).received_at == received_at


def test_with_nothing_to_send_the_site_asks_for_the_settings_once(site, central):
    _seed("sent")
    bridge = Bridge(central)
    quiet = client.send_pending(db.session, site, transport=bridge.transport)
    assert bridge.paths() == ["/api/v1/sync/settings"]
    assert not quiet.new_rules  # central's first settings are the defaults the site uses
    assert network_settings.known_version(db.session) == "r1"
    assert _states() == dict.fromkeys(MONTHS, "sent")
    _publish(central, course_completed=False, min_sessions=2)
    bumped = client.send_pending(db.session, site, transport=bridge.transport)
    assert bridge.paths() == ["/api/v1/sync/settings"] * 2
    assert bridge.requests[-1].url.params["settings_version"] == "r1"
    assert bumped.new_rules
    assert _states() == dict.fromkeys(MONTHS, "pending")
    assert not client.send_pending(
        db.session, site, transport=bridge.transport, ask_when_idle=False
    ).new_rules


def test_a_site_offline_for_weeks_gets_everything_in_one_answer(site, central):
    _seed("sent")
    client.send_pending(db.session, site, transport=Bridge(central).transport)
    for hours in (10, 20, 30):
        _publish(central, min_hours=hours)
    latest = _publish(central, fiscal_year_start=1)
    bridge = Bridge(central)
    result = client.send_pending(db.session, site, transport=bridge.transport)
    assert len(bridge.requests) == 1
    assert result.new_rules
    assert network_settings.current_rules(db.session) == latest
    assert network_settings.known_version(db.session) == "r5"


def _answering(settings):
    def central(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"telecenter": CODE, "settings": settings})

    return httpx.MockTransport(central)


GOOD = {
    "version": "r2",
    "counting_rules": {**central_rules.DEFAULT.as_json(), "rules_version": "2"},
}


@pytest.mark.parametrize(
    "bad",
    [
        5,
        ["r3"],
        {"version": "r3"},
        {"version": "", "counting_rules": GOOD["counting_rules"]},
        {"version": 3, "counting_rules": GOOD["counting_rules"]},
        {"version": "r3", "counting_rules": {**GOOD["counting_rules"], "min_sessions": 0}},
        {"version": "r3", "counting_rules": {**GOOD["counting_rules"], "min_hours": True}},
        {"version": "r3", "counting_rules": {**GOOD["counting_rules"], "fiscal_year_start": 13}},
        {"version": "r3", "counting_rules": {**GOOD["counting_rules"], "extra": 1}},
        {"version": "r3", "counting_rules": {**GOOD["counting_rules"], "course_completed": False}},
        {"version": "r3", "counting_rules": {**GOOD["counting_rules"], "rules_version": "3 x"}},
    ],
)
def test_settings_the_site_cannot_apply_change_nothing_and_are_shown(site, bad, signed_in, caplog):
    _seed("sent")
    assert client.send_pending(db.session, site, transport=_answering(GOOD)).new_rules
    assert network_settings.known_version(db.session) == "r2"
    before = network_settings.current_rules(db.session)
    outbox_before = _outbox()
    result = client.send_pending(db.session, site, transport=_answering(bad))
    assert not result.new_rules
    assert network_settings.known_version(db.session) == "r2"
    assert network_settings.current_rules(db.session) == before
    assert _outbox() == outbox_before
    assert "refused" in caplog.text
    page = signed_in("admin").get("/admin/sync/").get_data(as_text=True)
    assert "no se pueden usar" in page
    assert "versión 2 (recibidas el" in page


def test_rules_refused_before_any_arrived_leave_the_defaults(site):
    bad = {"version": "r2", "counting_rules": {"rules_version": "2"}}
    client.send_pending(db.session, site, transport=_answering(bad))
    assert network_settings.current_rules(db.session) == central_rules.DEFAULT
    assert network_settings.known_version(db.session) is None  # asks for them again
    assert network_settings.in_use(db.session).rejected_reason


def test_the_sync_page_names_the_rules_in_use(site, signed_in):
    admin = signed_in("admin")
    assert "versión 1 (las de inicio" in admin.get("/admin/sync/").get_data(as_text=True)
    rules = {**GOOD["counting_rules"], "rules_version": "7", "min_sessions": 3}
    client.send_pending(
        db.session, site, transport=_answering({"version": "r7", "counting_rules": rules})
    )
    page = admin.get("/admin/sync/").get_data(as_text=True)
    assert "versión 7 (recibidas el" in page
    assert "no se pueden usar" not in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NetworkSettings)) == 1


def test_after_new_rules_every_month_is_recounted_and_sent_under_them(site, central, app):
    """Needs the schema-2 counting (reports name their rules version)."""
    populate(db.session, seed=3, people=30, months=4)
    db.session.commit()
    app.config.update(CENTRAL_URL=site.central_url, SYNC_TOKEN=site.token, TELECENTER_CODE=CODE)
    bridge = Bridge(central)
    first = tasks.sync_now(transport=bridge.transport)
    months = sorted(first.sent)
    assert months
    _publish(central, min_sessions=2)
    sent_before = len(bridge.bodies())
    second = tasks.sync_now(transport=bridge.transport)
    assert sorted(second.sent) == months  # every month again, in the same run
    assert not second.new_rules
    reports = [r for body in bridge.bodies()[sent_before:] for r in body["reports"]]
    assert sorted(r["month"] for r in reports) == months
    assert {report["rules_version"] for report in reports} == {"2"}
    assert set(_states().values()) == {"sent"}
    with central.app_context():
        stored = db.session.scalars(sa.select(MonthReport)).all()
        assert {r.rules_version for r in stored} == {"2"}
