"""A trainer registers a woman with consent, takes her baseline survey, sees indicators move."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from telecenter.demo import SITE_ACCOUNTS

TRAINER = next(account for account in SITE_ACCOUNTS if account.role == "trainer")


def _sign_in_as_trainer(page, live_site):
    page.goto(live_site.url + "/sign-in")
    page.get_by_label("Usuario").fill(TRAINER.username)
    page.get_by_label("Contraseña").fill(TRAINER.password)
    page.get_by_role("button", name="Ingresar").click()


def _enrolled_count(page) -> int:
    return int(page.get_by_test_id("women-enrolled").inner_text())


def test_trainer_registers_surveys_and_sees_indicators_change(page, live_site):
    _sign_in_as_trainer(page, live_site)
    page.get_by_role("link", name="Programa mujeres").click()
    enrolled_before = _enrolled_count(page)
    account_row = page.locator("tr[data-indicator=has_account] .value")
    baseline_before = account_row.first.inner_text()

    page.get_by_role("link", name="Participantes").click()
    page.get_by_role("link", name="Registrar participante").first.click()
    page.get_by_label("Nombres").fill("Lucía")
    page.get_by_label("Apellidos").fill("Cachique Amasifuén")
    page.get_by_label("Mujer").check()
    page.get_by_label("Número de documento").fill("44332211")
    page.get_by_label("Fecha de nacimiento").fill("1992-06-15")
    page.get_by_label("Distrito").select_option(label="Tarapoto (San Martín, San Martín)")
    page.get_by_label("Comunidad o caserío").fill("Shilcayo")
    page.get_by_label("La persona escuchó el texto y acepta registrarse").check()
    page.get_by_label("Acepta también responder la encuesta").check()
    page.get_by_label("PIN de 4 números").fill("5824")
    page.get_by_role("button", name="Guardar registro").click()

    expect(page.get_by_text("Participante registrada")).to_be_visible()
    page.get_by_role("link", name="Inscribir en el programa").click()
    page.get_by_role("button", name="Inscribir").click()
    expect(page.get_by_text("Inscrita en el programa")).to_be_visible()

    page.get_by_role("link", name=re.compile("Encuestas")).click()
    page.get_by_label("Tiene celular propio").check()
    page.get_by_label("Banco de la Nación").check()
    page.get_by_label("Yape").check()
    page.locator("fieldset", has_text="pago digital").get_by_label("Sí").check()
    page.locator("fieldset", has_text="¿Ahorró dinero").get_by_label("Sí").check()
    page.get_by_label("Efectivo en casa").check()
    page.locator("fieldset", has_text="junta o grupo de ahorro?").get_by_label("Sí").check()
    page.locator("fieldset", has_text="préstamo").get_by_label("No").check()
    page.get_by_label("Sí, sin problema").check()
    page.locator("fieldset", has_text="ingresos propios").get_by_label("No").check()
    page.get_by_role("button", name="Guardar encuesta").click()
    expect(page.get_by_text("Encuesta guardada")).to_be_visible()

    page.get_by_role("link", name="Programa mujeres").click()
    assert _enrolled_count(page) == enrolled_before + 1
    assert account_row.first.inner_text() != baseline_before
