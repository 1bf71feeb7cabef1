"""The outbox queues what changed; the client retries, backs off, and respects 4xx answers."""

from __future__ import annotations

import gzip
import json
from datetime import timedelta

import httpx
import pytest

from telecenter import month_report
from telecenter.attendance.models import Attendance
from telecenter.clock import to_lima, utcnow
from telecenter.extensions import db
from telecenter.month_report import month_of
from telecenter.sync import client, outbox
from telecenter.sync.models import OutboxMonth
from tests.sync.generate import populate

CODE = "SM-PRUEBA-01"


@pytest.fixture
def site(app_ctx, tmp_path):
    populate(db.session, seed=3, people=30, months=4)
    db.session.commit()
    return client.Settings(
        central_url="http://central.test",
        token="tcs_x",
        telecenter=CODE,
        instance_path=str(tmp_path),
    )


class FakeCentral:
    """Answers like central would (or as told to), counting what it received."""

    def __init__(self, status=200):
        self.status = status
        self.requests: list[dict] = []
        self.settings_asked = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/v1/sync/settings":  # asked when nothing is due
            self.settings_asked += 1
            return httpx.Response(200, json={"telecenter": CODE, "settings": "unchanged"})
        body = json.loads(gzip.decompress(request.content))
        self.requests.append(body)
        if self.status == "drop":
            raise httpx.ConnectError("connection refused")
        if self.status != 200:
            return httpx.Response(self.status, json={"error": "x", "reason": "bad thing"})
        return httpx.Response(
            200,
            json={
                "acknowledged": [
                    {"month": r["month"], "generated_at": r["generated_at"], "status": "stored"}
                    for r in body["reports"]
                ]
            },
        )

    @property
    def transport(self):
        return httpx.MockTransport(self)


def _refresh():
    months = outbox.refresh(db.session, telecenter=CODE)
    db.session.commit()
    return months


def _states():
    return {row.month: row.state for row in db.session.scalars(db.select(OutboxMonth))}


def test_refresh_queues_months_with_data_and_only_once(site):
    queued = _refresh()
    assert queued
    assert set(_states().values()) == {"pending"}
    assert _refresh() == []  # nothing changed


def test_sending_marks_months_sent_and_unchanged_months_are_not_sent_again(site):
    _refresh()
    fake = FakeCentral()
    result = client.send_pending(db.session, site, transport=fake.transport)
    assert sorted(result.sent) == sorted(_states())
    assert set(_states().values()) == {"sent"}
    payloads = [r for body in fake.requests for r in body["reports"]]
    assert all(body["schema"] == 2 and body["telecenter"] == CODE for body in fake.requests)
    assert {r["schema"] for r in payloads} == {2}
    assert len(payloads) == len(_states())
    queued = {row.month: row.payload for row in db.session.scalars(db.select(OutboxMonth))}
    for sent in payloads:  # schema 2 travels in columns, each the queued rows' values in order
        for table, rows in month_report.TABLES.items():
            fields = (*rows[0], *rows[1])
            assert sent[table] == {
                field: [row[field] for row in queued[sent["month"]][table]] for field in fields
            }
    _refresh()
    client.send_pending(db.session, site, transport=fake.transport)
    assert len([r for body in fake.requests for r in body["reports"]]) == len(payloads)


def test_report_schema_1_sends_schema_1_reports_in_a_schema_1_body(site, app):
    """For a central not yet upgraded (REPORT_SCHEMA=1); back to 2, every month goes again."""
    app.config["REPORT_SCHEMA"] = 1
    _refresh()
    fake = FakeCentral()
    client.send_pending(db.session, site, transport=fake.transport)
    payloads = [r for body in fake.requests for r in body["reports"]]
    assert payloads
    assert {body["schema"] for body in fake.requests} == {1}
    assert {r["schema"] for r in payloads} == {1}
    assert all("rules_version" not in r and "wfi_outcomes" not in r for r in payloads)
    assert all(isinstance(r[t], list) for r in payloads for t in month_report.TABLES_V1)
    app.config["REPORT_SCHEMA"] = 2
    assert sorted(_refresh()) == sorted(_states())


def test_a_late_correction_queues_its_month_and_no_earlier_one(site):
    """An attendance struck off changes its month; it may also move someone's first time in a
    period (or ever) to a later month, but never to an earlier one."""
    _refresh()
    client.send_pending(db.session, site, transport=FakeCentral().transport)
    record = db.session.scalars(
        db.select(Attendance).where(Attendance.status == "present").order_by(Attendance.id.desc())
    ).first()
    month = month_of(to_lima(record.session.starts_at))
    record.status = "absent"
    db.session.commit()
    queued = _refresh()
    assert month in queued
    assert min(queued) == month
    assert len(queued) < len(_states())
    assert [m for m, s in _states().items() if s == "pending"] == queued


def test_network_errors_back_off_and_keep_the_months(site):
    _refresh()
    fake = FakeCentral(status="drop")
    result = client.send_pending(db.session, site, transport=fake.transport)
    assert result.failed
    assert len(fake.requests) == 1  # stops after the first failed batch
    rows = db.session.scalars(db.select(OutboxMonth)).all()
    assert all(r.state == "pending" for r in rows)
    failed = [r for r in rows if r.attempts]
    assert all(utcnow() < r.next_attempt_at <= utcnow() + timedelta(minutes=1) for r in failed)
    assert "conexión" in failed[0].last_error
    again = client.send_pending(db.session, site, transport=fake.transport)
    assert again.sent == []
    # The failed batch waits for its backoff (later months, never tried, may go now).
    assert not set(again.failed) & {r.month for r in failed}
    assert client.send_pending(db.session, site, force=True, transport=FakeCentral().transport).sent


def test_backoff_grows_with_jitter_up_to_an_hour():
    delays = [client.backoff(n) for n in (1, 2, 3, 6, 12, 30)]
    assert timedelta(seconds=30) <= delays[0] <= timedelta(minutes=1)
    assert delays[2] <= timedelta(minutes=4)
    assert all(d <= timedelta(hours=1) for d in delays)
    assert delays[-1] >= timedelta(minutes=30)


def test_server_errors_are_retried_but_4xx_are_shown_not_retried(site):
    _refresh()
    assert client.send_pending(db.session, site, transport=FakeCentral(503).transport).failed
    refused = client.send_pending(
        db.session, site, force=True, transport=FakeCentral(401).transport
    )
    assert refused.refused
    assert set(_states().values()) == {"refused"}
    fake = FakeCentral()
    assert client.send_pending(db.session, site, transport=fake.transport).sent == []
    assert fake.requests == []  # refused months wait for the admin or for new data
    status = outbox.status(db.session)
    assert "clave" in status.last_error
    assert status.refused == len(_states())


def test_data_changed_during_sending_stays_pending(site):
    _refresh()

    class ChangingCentral(FakeCentral):
        def __call__(self, request):
            answer = super().__call__(request)
            for row in db.session.scalars(db.select(OutboxMonth)):
                row.digest = "changed-meanwhile"
            return answer

    client.send_pending(db.session, site, transport=ChangingCentral().transport)
    assert set(_states().values()) == {"pending"}


def test_two_senders_cannot_both_send(site):
    _refresh()
    fake = FakeCentral()
    with client.sending_lock(site.instance_path) as first:
        assert first is True
        second = client.send_pending(db.session, site, transport=fake.transport)
    assert second.busy is True
    assert fake.requests == []


def test_not_configured_sends_nothing(site):
    _refresh()
    empty = client.Settings(
        central_url="", token="", telecenter=CODE, instance_path=site.instance_path
    )
    assert client.send_pending(db.session, empty).not_configured is True


class BusyCentral(FakeCentral):
    """While each request is in flight, the telecenter goes on writing: another connection
    (another worker) marks absent the people of a session in a month being sent."""

    def __init__(self, database_url: str, session_id: int):
        super().__init__()
        self.database_url, self.session_id = database_url, session_id

    def __call__(self, request: httpx.Request) -> httpx.Response:
        import sqlalchemy as sa

        other = sa.create_engine(self.database_url)
        with other.begin() as connection:  # on SQLite it would wait if the sync held the lock
            connection.execute(
                sa.text(
                    "UPDATE attendances SET status = 'absent' WHERE session_id = :s "
                    "AND status = 'present'"
                ),
                {"s": self.session_id},
            )
        other.dispose()
        return super().__call__(request)


def test_a_sync_finishes_while_the_site_writes_during_the_request(site, app):
    """Before: the sync read the outbox, waited on central inside that read, then failed to
    write the answer ("database is locked") because a resident had written meanwhile."""
    from telecenter.attendance.models import ActivitySession

    _refresh()
    first = db.session.scalars(
        db.select(ActivitySession)
        .join(Attendance, Attendance.session_id == ActivitySession.id)
        .where(ActivitySession.state == "held", Attendance.status == "present")
        .order_by(ActivitySession.starts_at)
    ).first()
    central = BusyCentral(app.config["SQLALCHEMY_DATABASE_URI"], first.id)
    result = client.send_pending(db.session, site, transport=central.transport)
    assert result.sent
    assert not result.failed
    assert set(_states().values()) == {"sent"}  # every acknowledged month, none left behind
    assert outbox.refresh(db.session, telecenter=CODE)  # what was typed meanwhile goes next


class StaleCentral(FakeCentral):
    """Central that keeps a newer report of every month than the one sent."""

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/v1/sync/settings":  # asked when nothing is due
            self.settings_asked += 1
            return httpx.Response(200, json={"telecenter": CODE, "settings": "unchanged"})
        body = json.loads(gzip.decompress(request.content))
        self.requests.append(body)
        acks = [
            {"month": r["month"], "generated_at": r["generated_at"], "status": "stale"}
            for r in body["reports"]
        ]
        return httpx.Response(200, json={"acknowledged": acks})


def test_a_month_central_calls_stale_is_never_marked_sent(clock, site):
    _refresh()
    result = client.send_pending(db.session, site, transport=StaleCentral().transport)
    assert sorted(result.refused) == sorted(_states())
    assert result.sent == []
    rows = db.session.scalars(db.select(OutboxMonth)).all()
    assert {r.state for r in rows} == {"refused"}
    assert all(r.sent_at is None and r.sent_digest is None for r in rows)
    assert "fecha y hora de esta computadora" in rows[0].last_error


def test_a_clock_ahead_refusal_tells_the_admin_and_a_retry_carries_a_fresh_time(clock, site):
    _refresh()
    old_times = {
        r.month: r.payload["generated_at"] for r in db.session.scalars(db.select(OutboxMonth))
    }

    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            400,
            json={
                "error": "clock_ahead",
                "reason": "generated_at is more than one day after central's clock",
                "central_time": "2026-11-20T15:30:00Z",
            },
        )

    client.send_pending(db.session, site, transport=httpx.MockTransport(refuse))
    row = db.session.scalars(db.select(OutboxMonth)).first()
    assert row.state == "refused"
    assert row.last_error.startswith("La fecha y hora de esta computadora están mal")
    assert "2026-11-20 10:30" in row.last_error  # central's time, in Lima
    clock.shift(timedelta(hours=2))
    fake = FakeCentral()
    assert client.send_pending(db.session, site, force=True, transport=fake.transport).sent
    sent = {r["month"]: r["generated_at"] for body in fake.requests for r in body["reports"]}
    assert all(sent[month] > old_times[month] for month in sent)
    assert set(_states().values()) == {"sent"}
