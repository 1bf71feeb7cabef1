""" "Probar conexión" and "Sincronizar ahora" from the sync page against a real central
(gunicorn on 127.0.0.1), a closed port and a server that never answers."""

from __future__ import annotations

import pytest
import requests
import sqlalchemy as sa

from telecenter.extensions import db
from telecenter.sync import client, tasks
from telecenter.sync.models import OutboxMonth
from tests.conftest import csrf_token
from tests.live import LiveServer, listener
from tests.sync.generate import populate

NAME = "Telecentro Pucayacu"


@pytest.fixture(scope="module")
def central(tmp_path_factory):
    server = LiveServer(instance=tmp_path_factory.mktemp("connect-central"), role="central")
    server.prepare(demo=False).start()
    server.tokens = {
        code: server.cli(
            "central", "add-telecenter", code, "--name", name, "--region", "San Martín"
        )
        .stdout.strip()
        .splitlines()[-1]
        for code, name in (("DEMO-01", NAME), ("OTRO-02", "Telecentro Otro"))
    }
    server.api_key = (
        server.cli("central", "create-api-key", "--name", "prueba").stdout.strip().splitlines()[-1]
    )
    yield server
    server.stop()


def _test_button(admin, central_url: str, token: str) -> str:
    answer = admin.post(
        "/admin/sync/connection/test",
        data={"csrf_token": csrf_token(admin), "central_url": central_url, "token": token},
        headers={"Accept": "application/json"},
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_json()


def test_it_works_and_central_names_the_telecenter(app, signed_in, central):
    answer = _test_button(signed_in("admin"), central.url, central.tokens["DEMO-01"])
    assert (answer["works"], answer["kind"]) == (True, "works")
    assert NAME in answer["message"]
    assert "DEMO-01" in answer["message"]


def test_a_wrong_token(app, signed_in, central):
    answer = _test_button(signed_in("admin"), central.url, "tcs_no-es-la-clave")
    assert (answer["works"], answer["kind"]) == (False, "wrong_token")
    assert "no reconoce la clave" in answer["message"]


def test_central_refuses_the_code_of_another_telecenters_token(app, signed_in, central):
    answer = _test_button(signed_in("admin"), central.url, central.tokens["OTRO-02"])
    assert answer["kind"] == "wrong_code"
    assert "OTRO-02" in answer["message"]
    assert "DEMO-01" in answer["message"]


def test_an_address_where_central_is_not(app, signed_in, central):
    answer = _test_button(signed_in("admin"), central.url + "/otra", central.tokens["DEMO-01"])
    assert answer["kind"] == "not_central"


def test_a_closed_port_is_not_reachable(app, signed_in):
    closed = listener()
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there now
    answer = _test_button(signed_in("admin"), f"http://127.0.0.1:{port}", "tcs_x")
    assert answer["kind"] == "unreachable"
    assert "no haya internet" in answer["message"]


def test_a_server_that_never_answers_is_a_timeout(app):
    silent = listener()  # accepts connections (the kernel's backlog), never answers
    try:
        settings = client.Settings(
            central_url=f"http://127.0.0.1:{silent.getsockname()[1]}", token="tcs_x", telecenter="T"
        )
        with app.app_context():
            answer = client.probe(settings, timeout=0.5)
    finally:
        silent.close()
    assert answer.kind == "timeout"
    assert "no respondió" in answer.message


def test_saved_on_the_page_then_sync_now_and_the_scheduler_send_at_once(app, signed_in, central):
    with app.app_context():
        populate(db.session, seed=5, people=12, months=2)
        db.session.commit()
    admin = signed_in("admin")
    saved = admin.post(
        "/admin/sync/connection",
        data={
            "csrf_token": csrf_token(admin),
            "central_url": central.url + "/",
            "token": central.tokens["DEMO-01"],
        },
    )
    assert saved.status_code == 302
    page = admin.post(
        "/admin/sync/now", data={"csrf_token": csrf_token(admin)}, follow_redirects=True
    ).get_data(as_text=True)
    assert "meses enviados" in page, page
    with app.app_context():
        months = db.session.scalars(sa.select(OutboxMonth.month).order_by(OutboxMonth.month)).all()
        assert months
        assert set(db.session.scalars(sa.select(OutboxMonth.state))) == {"sent"}
        # A change, then the scheduler's job: it reads the saved connection too.
        db.session.execute(sa.update(OutboxMonth).values(state="pending", sent_digest=None))
        db.session.commit()
    tasks.sync_job(app)
    with app.app_context():
        assert set(db.session.scalars(sa.select(OutboxMonth.state))) == {"sent"}
    api = requests.get(
        central.url + "/api/v1/participation",
        params={"from": months[0], "to": months[-1], "group_by": "telecenter"},
        headers={"Authorization": f"Bearer {central.api_key}"},
        timeout=10,
    ).json()
    assert [row["telecenter"] for row in api["rows"]] == ["DEMO-01"]
    assert api["rows"][0]["registrations"] > 0
