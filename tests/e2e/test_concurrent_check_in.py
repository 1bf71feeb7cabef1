"""40 residents check in within the same second from several PCs: exactly 40 records.

A real gunicorn with several workers, on SQLite and on PostgreSQL, and real HTTP.
"""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
import requests
import sqlalchemy as sa

from telecenter.demo import SITE_ACCOUNTS
from tests import pg
from tests.e2e.conftest import CSRF, staff_session
from tests.live import LiveServer

PEOPLE = 40
TRAINER = next(account for account in SITE_ACCOUNTS if account.role == "trainer")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def server(request, tmp_path, worker_id):
    database_url = None
    if request.param == "postgresql":
        database_url = pg.create_database(f"telecenter_e2e_checkin_{worker_id}")
    live = LiveServer(instance=tmp_path / "site", database_url=database_url, workers=3)
    live.prepare().start()
    yield live
    live.stop()
    if database_url:
        pg.drop_database(database_url)


def _engine(live: LiveServer):
    return sa.create_engine(live.database_url or f"sqlite:///{live.instance}/telecenter.sqlite3")


def _seed(live: LiveServer) -> int:
    """Forty registered people and a session whose check-in window is open now."""
    from datetime import datetime

    from telecenter.clock import LIMA

    engine = _engine(live)
    now = datetime.now(LIMA)
    with engine.begin() as connection:
        for number in range(PEOPLE):
            connection.execute(
                sa.text(
                    "INSERT INTO participants (code, given_names, surnames, document_type, "
                    "document_number, sex, is_complete, registered_at, updated_at) VALUES "
                    "(:code, :given, 'Prueba', 'dni', :doc, 'female', true, :now, :now)"
                ),
                {
                    "code": f"K{number:05d}",
                    "given": f"Persona{number}",
                    "doc": f"7{number:07d}",
                    "now": now.replace(tzinfo=None),
                },
            )
    engine.dispose()
    session = staff_session(live, TRAINER.username, TRAINER.password)
    page = session.get(live.url + "/sessions/new", timeout=10).text
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    start = max(now - timedelta(minutes=5), midnight).strftime("%H:%M")
    end = min(now + timedelta(minutes=55), midnight.replace(hour=23, minute=59)).strftime("%H:%M")
    answer = session.post(
        live.url + "/sessions/new",
        allow_redirects=False,
        timeout=10,
        data={
            "csrf_token": CSRF.search(page).group(1),
            "kind": "class",
            "title": "Carga",
            "category": "other",
            "day": now.date().isoformat(),
            "start": start,
            "end": end,
            "checkin_before_minutes": "30",
            "checkin_after_minutes": "60",
        },
    )
    assert answer.status_code == 302, answer.text[:2000]
    opened = session.post(
        live.url + "/kiosk/open",
        allow_redirects=False,
        timeout=10,
        data={"csrf_token": CSRF.search(session.get(live.url + "/home", timeout=10).text).group(1)},
    )
    assert opened.status_code == 302
    return int(
        re.search(r"/sessions/(\d+)", answer.headers["Location"]).group(1)
    ), session.cookies.get("kiosk")


def test_forty_simultaneous_check_ins_make_exactly_forty_records(server):
    session_id, kiosk_cookie = _seed(server)
    barrier = threading.Barrier(PEOPLE)
    answers: list[int] = []

    def resident(number: int) -> None:
        pc = requests.Session()  # each resident's own PC and cookie jar
        pc.cookies.set("kiosk", kiosk_cookie)
        token = CSRF.search(pc.get(server.url + "/kiosk/", timeout=30).text).group(1)
        barrier.wait(timeout=60)
        answer = pc.post(
            server.url + "/kiosk/check-in",
            timeout=60,
            data={
                "csrf_token": token,
                "session_id": str(session_id),
                "identifier": f"7{number:07d}",
            },
        )
        answers.append(answer.status_code)

    threads = [threading.Thread(target=resident, args=(n,)) for n in range(PEOPLE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(answers) == [200] * PEOPLE
    engine = _engine(server)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT participant_id, count(*) FROM attendances WHERE session_id = :s "
                "GROUP BY participant_id"
            ),
            {"s": session_id},
        ).all()
    engine.dispose()
    assert len(rows) == PEOPLE
    assert {count for _pid, count in rows} == {1}
