"""`telecenter month-report`, `telecenter sync` and the admin's status page."""

from __future__ import annotations

import csv
import io
import json

import httpx

from telecenter.extensions import db
from telecenter.sync import tasks
from tests.conftest import csrf_token
from tests.sync.generate import populate


def _populate(app):
    with app.app_context():
        populate(db.session, seed=2, people=20, months=3)
        db.session.commit()


def test_month_report_prints_json_and_csv_with_the_same_counts(app):
    _populate(app)
    runner = app.test_cli_runner()
    as_json = runner.invoke(args=["month-report", "--from", "2025-01", "--to", "2025-03"])
    assert as_json.exit_code == 0, as_json.output
    items = json.loads(as_json.output)
    assert [r["month"] for r in items] == ["2025-01", "2025-02", "2025-03"]
    as_csv = runner.invoke(
        args=["month-report", "--from", "2025-01", "--to", "2025-03", "--format", "csv"]
    )
    rows = list(csv.DictReader(io.StringIO(as_csv.output)))
    assert sum(int(r["attendances"]) for r in rows if r["table"] == "attendance") == sum(
        row["attendances"] for r in items for row in r["attendance"]
    )


def test_month_report_refuses_bad_months(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["month-report", "--from", "2025-13"]).exit_code != 0
    assert (
        runner.invoke(args=["month-report", "--from", "2025-05", "--to", "2025-01"]).exit_code != 0
    )


def test_sync_command_needs_configuration_and_exits_1_while_months_are_pending(app, monkeypatch):
    _populate(app)
    runner = app.test_cli_runner()
    unconfigured = runner.invoke(args=["sync"])
    assert unconfigured.exit_code != 0
    assert "CENTRAL_URL" in unconfigured.output
    app.config.update(CENTRAL_URL="http://127.0.0.1:9", SYNC_TOKEN="tcs_x")
    refused = runner.invoke(args=["sync"])  # nothing listens on port 9
    assert refused.exit_code == 1
    assert "still pending" in refused.output


def test_status_page_and_sync_now_button(app, signed_in, monkeypatch):
    _populate(app)
    admin = signed_in("admin")
    app.config.update(CENTRAL_URL="http://central.test", SYNC_TOKEN="tcs_x")
    page = admin.get("/admin/sync/").get_data(as_text=True)
    assert "Sincronizar ahora" in page
    received = []

    def central(request):
        received.append(request)
        return httpx.Response(200, json={"acknowledged": []})

    real = tasks.sync_now
    monkeypatch.setattr(
        tasks,
        "sync_now",
        lambda force=False: real(force=force, transport=httpx.MockTransport(central)),
    )
    answer = admin.post(
        "/admin/sync/now", data={"csrf_token": csrf_token(admin)}, follow_redirects=True
    )
    assert answer.status_code == 200
    assert received  # the button really sent
    assert 'data-testid="pending">' in answer.get_data(as_text=True)
