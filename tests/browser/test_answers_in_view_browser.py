"""On a phone, a staff form sent back with a warning opens at the warning, focused."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.test_registry_browser import _sign_in_as_trainer


def _register(page, live_site, document: str):
    page.goto(live_site.url + "/participants/new")
    page.get_by_label("Nombres").fill("Delia")
    page.get_by_label("Apellidos").fill("Tapullima Sangama")
    page.get_by_label("Mujer").check()
    page.get_by_label("Número de documento").fill(document)
    page.get_by_label("Fecha de nacimiento").fill("1988-03-09")
    page.get_by_label("Distrito").select_option(label="Tarapoto (San Martín, San Martín)")
    page.get_by_label("La persona escuchó el texto y acepta registrarse").check()
    page.get_by_role("button", name="Guardar registro").click()


def test_the_same_person_warning_is_where_the_trainer_looks(browser, live_site):
    context = browser.new_context(locale="es-PE", viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        _sign_in_as_trainer(page, live_site)
        _register(page, live_site, "41234567")
        expect(page.get_by_text("Participante registrada")).to_be_visible()
        _register(page, live_site, "41234568")
        warning = page.get_by_role("alert").filter(has_text="¿Es la misma persona?")
        expect(warning).to_be_in_viewport()
        expect(warning).to_be_focused()
    finally:
        context.close()
