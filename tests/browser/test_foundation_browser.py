"""A first-time user's path: sign in, see Spanish, switch to English, sign out."""

from __future__ import annotations

from playwright.sync_api import expect

from telecenter.demo import SITE_ACCOUNTS

ADMIN = next(account for account in SITE_ACCOUNTS if account.role == "admin")


def test_admin_signs_in_switches_language_and_signs_out(page, live_site):
    requests_off_site = []
    page.on(
        "request",
        lambda r: None if r.url.startswith(live_site.url) else requests_off_site.append(r.url),
    )

    page.goto(live_site.url + "/")
    expect(page.get_by_role("heading", name="Ingresar")).to_be_visible()
    page.get_by_label("Usuario").fill(ADMIN.username)
    page.get_by_label("Contraseña").fill(ADMIN.password)
    page.get_by_role("button", name="Ingresar").click()

    expect(page.get_by_role("heading", name=f"Hola, {ADMIN.display_name}")).to_be_visible()
    # Staff accounts record no sex: a greeting with no gender.
    expect(page.get_by_text(f"Le damos la bienvenida, {ADMIN.display_name}.")).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "es"

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name=f"Hello, {ADMIN.display_name}")).to_be_visible()
    expect(page.get_by_role("link", name="Manage accounts")).to_be_visible()
    # The account remembers its language; back to Spanish for the next test on this site.
    page.get_by_role("button", name="Español").click()
    expect(page.get_by_role("heading", name=f"Hola, {ADMIN.display_name}")).to_be_visible()

    page.get_by_role("button", name="Salir").click()
    expect(page.get_by_role("heading", name="Ingresar")).to_be_visible()
    page.goto(live_site.url + "/home")
    expect(page).to_have_url(live_site.url + "/sign-in?next=%2Fhome")
    assert requests_off_site == []


def test_buttons_and_links_are_large_enough_to_hit(page, live_site):
    page.goto(live_site.url + "/sign-in")
    for element in page.locator("button:visible, input:visible").all():
        box = element.bounding_box()
        assert box["height"] >= 44, element.evaluate("e => e.outerHTML")


def test_on_a_phone_the_menu_folds_behind_one_button(page, live_site):
    """At 390 px the admin's dozen links would push every page's answer below the screen."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_site.url + "/sign-in")
    page.get_by_label("Usuario").fill(ADMIN.username)
    page.get_by_label("Contraseña").fill(ADMIN.password)
    page.get_by_label("Contraseña").press("Enter")
    menu = page.get_by_role("navigation", name="Menú principal")
    toggle = menu.get_by_role("button", name="Menú")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(menu.get_by_role("link", name="Sincronización")).to_be_hidden()
    assert menu.bounding_box()["height"] < 160
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    menu.get_by_role("link", name="Sincronización").click()
    sync_page = page.get_by_role("heading", name="Envío de resúmenes a la oficina central")
    expect(sync_page).to_be_visible()
    # On a PC the links are all in view, with no button.
    page.set_viewport_size({"width": 1366, "height": 768})
    expect(menu.get_by_role("link", name="Sincronización")).to_be_visible()
    expect(toggle).to_be_hidden()
    page.get_by_role("button", name="Salir").click()
