"""A central admin adds a programme target from the "Metas" menu, then edits it typing
"5.000" the Peruvian way, and the dashboard shows it as Babel writes it with its start and
deadline; screenshots of the targets page and the telecenter list at a desktop and a phone
size (accounts-*.png in the temporary folder)."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest
from babel.numbers import format_decimal
from playwright.sync_api import expect

from telecenter.clock import today_in_lima
from telecenter.demo import CENTRAL_ACCOUNTS
from tests.live import LiveServer

ADMIN = next(account for account in CENTRAL_ACCOUNTS if account.role == "central_admin")
SIZES = {"desktop": (1366, 768), "phone": (390, 844)}
#: Where the screenshots go, to be looked at (the system's temporary folder unless set).
SHOTS = Path(os.environ.get("SCREENSHOT_DIR", tempfile.gettempdir()))


def _shot(page, name: str, *, full_page: bool = True) -> None:
    page.screenshot(path=str(SHOTS / f"accounts-{name}.png"), full_page=full_page)


@pytest.fixture(scope="module")
def live_central(tmp_path_factory):
    server = LiveServer(instance=tmp_path_factory.mktemp("targets-browser"), role="central")
    server.prepare().start()
    yield server
    server.stop()


def _sign_in(page, server):
    page.goto(server.url + "/sign-in")
    page.get_by_label("Usuario").fill(ADMIN.username)
    page.get_by_label("Contraseña").fill(ADMIN.password)
    page.get_by_role("button", name="Ingresar").click()


def test_admin_edits_a_target_typed_with_a_dot_and_sees_it_on_the_dashboard(page, live_central):
    _sign_in(page, live_central)
    page.get_by_role("navigation", name="Menú principal").get_by_role("link", name="Metas").click()
    page.get_by_role("link", name="Agregar una meta").click()
    page.get_by_label("Nombre de la meta").fill("Mujeres en inclusión financiera")
    page.get_by_label("Qué se cuenta").select_option("wfi_enrolments")
    page.get_by_label("Meta (cuántos)").fill("cinco mil")
    page.get_by_role("button", name="Guardar meta").click()
    # Refused in words, in view, with what she typed kept.
    expect(page.get_by_role("alert")).to_be_in_viewport()
    expect(page.get_by_role("alert")).to_contain_text("con cifras")
    expect(page.get_by_label("Meta (cuántos)")).to_have_value("cinco mil")
    page.get_by_label("Meta (cuántos)").fill("4000")
    page.get_by_role("button", name="Guardar meta").click()
    expect(page.get_by_text("Meta guardada.")).to_be_in_viewport()

    page.get_by_role("link", name="Cambiar").first.click()
    page.get_by_label("Meta (cuántos)").fill("5.000")
    page.get_by_label("Se cuenta desde (mes)").fill("2024-01")
    deadline_year = today_in_lima().year + 1  # a deadline still ahead, whatever today is
    page.get_by_label("Plazo (mes, opcional)").fill(f"{deadline_year}-12")
    page.get_by_role("button", name="Guardar meta").click()
    expect(page.get_by_text("Meta «Mujeres en inclusión financiera» guardada.")).to_be_in_viewport()

    page.get_by_role("navigation", name="Menú principal").get_by_role(
        "link", name="Participación"
    ).click()
    target = page.locator(".target", has_text="Mujeres en inclusión financiera")
    five_thousand = format_decimal(5000, locale="es")
    expect(target.get_by_test_id("target-figures")).to_have_text(
        re.compile(rf"/ {re.escape(five_thousand)}$")
    )
    expect(target.get_by_test_id("target-period")).to_contain_text(
        f"Desde enero de 2024 · plazo diciembre de {deadline_year}"
    )


def test_delete_asks_first(page, live_central):
    _sign_in(page, live_central)
    page.goto(live_central.url + "/central/targets")
    before = page.locator(".target").count()
    assert before >= 1
    page.get_by_role("link", name="Borrar").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("¿Borrar la meta")
    page.get_by_role("link", name="No, volver").click()
    expect(page.locator(".target")).to_have_count(before)


@pytest.mark.parametrize("size", SIZES)
def test_screenshots_of_targets_and_telecenters(browser, live_central, size):
    width, height = SIZES[size]
    context = browser.new_context(locale="es-PE", viewport={"width": width, "height": height})
    page = context.new_page()
    _sign_in(page, live_central)
    for name, path in (("targets", "/central/targets"), ("telecenters", "/central/telecenters")):
        page.goto(live_central.url + path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        _shot(page, f"{name}-{size}")
    page.goto(live_central.url + "/central/targets/new")
    page.get_by_role("button", name="Guardar meta").click()
    expect(page.get_by_role("alert")).to_be_in_viewport()
    _shot(page, f"target-refused-{size}", full_page=False)
    context.close()


@pytest.mark.parametrize("size", SIZES)
def test_screenshots_of_the_accounts_pages(browser, live_site, size):
    from telecenter.demo import SITE_ACCOUNTS

    admin = next(account for account in SITE_ACCOUNTS if account.role == "admin")
    width, height = SIZES[size]
    context = browser.new_context(locale="es-PE", viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(live_site.url + "/sign-in")
    page.get_by_label("Usuario").fill(admin.username)
    page.get_by_label("Contraseña", exact=True).fill(admin.password)
    page.get_by_role("button", name="Ingresar", exact=True).click()
    page.goto(live_site.url + "/admin/accounts/")
    expect(page.get_by_label("Rol")).to_have_value("")
    _shot(page, f"staff-{size}")
    page.get_by_role("link", name="Participantes (PIN)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cuentas de participantes")
    _shot(page, f"residents-{size}")
    page.get_by_role("link", name="Personal", exact=True).click()
    page.get_by_role("link", name="Desactivar").first.click()
    expect(page.get_by_role("heading", level=1)).to_be_in_viewport()
    _shot(page, f"deactivate-{size}", full_page=False)
    expect(page.get_by_role("button", name="Sí, desactivar")).to_be_visible()
    context.close()
