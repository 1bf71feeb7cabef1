"""The server's access log names paths, never what a person typed into a search."""

from __future__ import annotations

import time

from telecenter.demo import SITE_ACCOUNTS
from tests.e2e.conftest import staff_session

TRAINER = next(account for account in SITE_ACCOUNTS if account.role == "trainer")


def test_access_log_has_paths_but_no_query_strings(live_site):
    session = staff_session(live_site, TRAINER.username, TRAINER.password)
    answer = session.get(live_site.url + "/participants/?q=Quispe+10117410", timeout=10)
    assert answer.status_code == 200
    assert "Quispe" in answer.text
    deadline = time.monotonic() + 10  # the worker writes its line after the answer
    while True:
        log = live_site.log_path.read_text()
        lines = [line for line in log.splitlines() if "GET /participants/" in line]
        if lines or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert len(lines) == 1, lines  # one line per request, the app's, with its request id
    assert answer.headers["X-Request-ID"] in lines[0]
    assert "status=200" in lines[0]
    assert "Quispe" not in log
    assert "10117410" not in log
