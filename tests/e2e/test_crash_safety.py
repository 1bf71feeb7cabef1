"""Kill the server (SIGKILL) in the middle of a burst of check-ins, or a sync in the middle of
sending: every write answered with success is there afterwards, nothing is counted twice, and
the database passes its integrity check."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from tests.e2e.conftest import CSRF
from tests.e2e.test_concurrent_check_in import _engine
from tests.live import LiveServer
from tests.proxy import Proxy

PEOPLE = 300


@pytest.fixture
def site(tmp_path):
    live = LiveServer(instance=tmp_path / "site", workers=2).prepare().start()
    yield live
    live.stop()


def _seed(live: LiveServer) -> tuple[int, str]:
    from tests.e2e import test_concurrent_check_in as burst

    saved = burst.PEOPLE
    burst.PEOPLE = PEOPLE
    try:
        return burst._seed(live)
    finally:
        burst.PEOPLE = saved


def test_sigkill_during_check_ins_loses_no_acknowledged_write(site):
    session_id, kiosk_cookie = _seed(site)
    acknowledged: list[str] = []
    stop = threading.Event()

    def pc(numbers: range) -> None:
        browser = requests.Session()
        browser.cookies.set("kiosk", kiosk_cookie)
        try:
            token = CSRF.search(browser.get(site.url + "/kiosk/", timeout=10).text).group(1)
        except requests.RequestException:
            return
        for number in numbers:
            if stop.is_set():
                return
            document = f"7{number:07d}"
            try:
                answer = browser.post(
                    site.url + "/kiosk/check-in",
                    timeout=10,
                    data={
                        "csrf_token": token,
                        "session_id": str(session_id),
                        "identifier": document,
                    },
                )
            except requests.RequestException:
                return  # the server died under us: this one was never acknowledged
            if answer.status_code == 200:
                acknowledged.append(document)

    threads = [threading.Thread(target=pc, args=(range(n, PEOPLE, 6),)) for n in range(6)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    while len(acknowledged) < 40 and time.monotonic() < deadline:
        time.sleep(0.02)
    site.kill()  # mid-burst, no warning
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    assert 40 <= len(acknowledged) < PEOPLE

    database = site.instance / "telecenter.sqlite3"
    with closing(sqlite3.connect(database)) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    site.start()  # the server comes back on the same files
    engine = _engine(site)
    with engine.connect() as connection:
        stored = connection.execute(
            sa.text(
                "SELECT p.document_number, count(*) FROM attendances a JOIN participants p "
                "ON p.id = a.participant_id WHERE a.session_id = :s GROUP BY p.document_number"
            ),
            {"s": session_id},
        ).all()
    engine.dispose()
    documents = {document for document, _count in stored}
    assert set(acknowledged) <= documents
    assert {count for _document, count in stored} == {1}
    assert requests.get(site.url + "/healthz", timeout=10).status_code == 200


@pytest.mark.postgres
def test_sigkill_during_a_sync_loses_nothing_and_counts_nothing_twice(tmp_path, worker_id):
    from tests import pg
    from tests.e2e.test_sync_end_to_end import Site, add_telecenter, assert_central_equals_site

    url = pg.create_database(f"telecenter_e2e_crash_{worker_id}")
    central = (
        LiveServer(instance=tmp_path / "central", role="central", database_url=url)
        .prepare()
        .start()
    )
    try:
        token = add_telecenter(central, "SM-CRASH-01")
        proxy = Proxy(central.port, delay=30)
        site = Site(
            tmp_path / "crash-site", "SM-CRASH-01", token, f"http://127.0.0.1:{proxy.port}", seed=31
        )
        binary = Path(sys.executable).parent / "telecenter"
        sync = subprocess.Popen(
            [str(binary), "sync"],
            env=site.server.env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        # Kill once central has stored the first batch, while its answer is held back.
        assert proxy.central_answered.wait(timeout=120), "the sync never reached central"
        sync.kill()
        sync.wait()
        proxy.close()
        assert_central_equals_site(central, site, partial=True)
        assert site.send(central_url=central.url).sent
        assert_central_equals_site(central, site)
    finally:
        central.stop()
        pg.drop_database(url)
