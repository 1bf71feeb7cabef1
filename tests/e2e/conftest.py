"""Real gunicorn processes on 127.0.0.1."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests

from tests.live import LiveServer
from tests.markers import mark_folder

CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def pytest_collection_modifyitems(items):
    mark_folder(items, Path(__file__).parent, pytest.mark.e2e)


@pytest.fixture(scope="module")
def live_site(tmp_path_factory):
    server = LiveServer(instance=tmp_path_factory.mktemp("e2e-site")).prepare().start()
    yield server
    server.stop()


def staff_session(server: LiveServer, username: str, password: str) -> requests.Session:
    session = requests.Session()
    page = session.get(server.url + "/sign-in", timeout=10).text
    token = CSRF.search(page).group(1)
    answer = session.post(
        server.url + "/sign-in",
        timeout=10,
        allow_redirects=False,
        data={"username": username, "password": password, "csrf_token": token},
    )
    assert answer.status_code == 302, answer.text
    return session
