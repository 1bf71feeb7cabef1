"""Chromium from Debian, driven by Playwright; never a browser Playwright downloads itself."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.live import LiveServer
from tests.markers import mark_folder

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def pytest_collection_modifyitems(items):
    mark_folder(items, Path(__file__).parent, pytest.mark.browser)


@pytest.fixture(scope="session")
def playwright_driver():
    """One Playwright per worker: a second sync Playwright in the same process is refused."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: apt-get install chromium (see .ci/run)")
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_driver):
    chromium = playwright_driver.chromium.launch(
        executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
    )
    yield chromium
    chromium.close()


@pytest.fixture(scope="session")
def live_site(tmp_path_factory):
    server = LiveServer(instance=tmp_path_factory.mktemp("live-site")).prepare().start()
    yield server
    server.stop()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="es-PE", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
