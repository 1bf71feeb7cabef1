"""The telecenter admin connects her site to central from the sync page, in Chromium: types
central's address and the token, «Probar conexión» says it works, «Guardar», «Sincronizar
ahora» sends the months, and central's API has them. No file edited, no restart."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect

from telecenter.auth.roles import ADMIN
from telecenter.demo import SITE_ACCOUNTS
from tests.live import LiveServer

ADMIN_ACCOUNT = next(account for account in SITE_ACCOUNTS if account.role == ADMIN)
NAME = "Telecentro Pucayacu"
SHOTS = os.environ.get("CONNECT_SCREENSHOTS")  # a folder: the pages, for a person to look at


@pytest.fixture(scope="module")
def central(tmp_path_factory):
    server = LiveServer(instance=tmp_path_factory.mktemp("connect-central"), role="central")
    server.prepare(demo=False).start()
    server.token = (
        server.cli("central", "add-telecenter", "DEMO-01", "--name", NAME, "--region", "San Martín")
        .stdout.strip()
        .splitlines()[-1]
    )
    server.api_key = (
        server.cli("central", "create-api-key", "--name", "prueba").stdout.strip().splitlines()[-1]
    )
    yield server
    server.stop()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    server = LiveServer(instance=tmp_path_factory.mktemp("connect-site"))
    server.prepare().start()
    yield server
    server.stop()


def _shot(page, name: str) -> None:
    if not SHOTS:
        return
    for width, height in ((1366, 768), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=f"{SHOTS}/connect-{name}-{width}.png")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_the_admin_connects_tests_saves_and_syncs(page, site, central):
    page.goto(site.url + "/sign-in")
    page.get_by_label("Usuario").fill(ADMIN_ACCOUNT.username)
    page.get_by_label("Contraseña").fill(ADMIN_ACCOUNT.password)
    page.get_by_role("button", name="Ingresar").click()
    page.get_by_role("link", name="Sincronización").first.click()
    expect(page.get_by_test_id("not-connected")).to_be_visible()
    _shot(page, "empty")

    page.get_by_label("Dirección de la oficina central").fill("central.ejemplo.org")
    page.get_by_label("Clave del telecentro").fill(central.token)
    page.get_by_role("button", name="Guardar", exact=True).click()
    refused = page.locator(".error-summary")
    expect(refused).to_contain_text("empezando con https://")
    expect(refused).to_be_in_viewport()
    expect(page.get_by_test_id("not-connected")).to_be_visible()  # nothing saved
    assert central.token not in page.content()
    _shot(page, "refused")

    page.get_by_label("Dirección de la oficina central").fill(central.url)
    page.get_by_label("Clave del telecentro").fill(central.token)
    page.get_by_role("button", name="Probar conexión").click()
    answer = page.get_by_test_id("probe-answer")
    expect(answer).to_contain_text("Funciona")
    expect(answer).to_contain_text(NAME)
    expect(answer).to_be_in_viewport()
    _shot(page, "tested")

    page.get_by_role("button", name="Guardar", exact=True).click()
    expect(page.get_by_text("Conexión guardada")).to_be_visible()
    expect(page.get_by_test_id("token-state")).to_contain_text("Clave guardada el")
    assert central.token not in page.content()
    _shot(page, "saved")
    page.get_by_test_id("token-state").scroll_into_view_if_needed()
    _shot(page, "saved-form")

    page.get_by_role("button", name="Sincronizar ahora").click()
    done = page.get_by_text(re.compile(r"Sincronizado: \d+ meses enviados"))
    expect(done).to_be_visible()
    expect(done).to_be_in_viewport()
    sent = int(re.search(r"(\d+) meses", done.inner_text()).group(1))
    assert sent > 0
    expect(page.get_by_test_id("pending")).to_have_text("0")
    _shot(page, "synced")

    api = page.request.get(
        central.url + "/api/v1/participation?from=2010-01&to=2029-12&group_by=telecenter",
        headers={"Authorization": f"Bearer {central.api_key}"},
    ).json()
    assert [row["telecenter"] for row in api["rows"]] == ["DEMO-01"]
    assert api["rows"][0]["registrations"] > 0
