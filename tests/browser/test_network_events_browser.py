"""A central admin schedules a network teleconference in Chromium; after its next sync, the
telecenter's trainer finds it on her calendar, marked as a network event (issue 21)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.network import CENTRAL_ADMIN, TRAINER, sites, sync

pytestmark = pytest.mark.postgres

T0 = "2026-12-07 14:00:00"  # Monday 7 December, 09:00 in Lima
CODE = "SM-TABALOSOS-03"
#: Two days after the clocks' day: an event still to come at central.
DAY = (date.fromisoformat(T0[:10]) + timedelta(days=2)).isoformat()


@pytest.fixture(scope="module")
def network(tmp_path_factory, worker_id):
    with sites(
        tmp_path_factory,
        f"events_browser_{worker_id}",
        {CODE: "San Martín"},
        site_clock=T0,
        central_clock=T0,
    ) as net:
        yield net


def _sign_in(page, url: str, account: tuple[str, str]) -> None:
    page.goto(url + "/sign-in")
    page.get_by_label("Usuario").fill(account[0])
    page.get_by_label("Contraseña").fill(account[1])
    page.get_by_role("button", name="Ingresar").click()


def test_an_event_scheduled_at_central_is_on_the_sites_calendar(page, browser, network):
    _sign_in(page, network.central.url, CENTRAL_ADMIN)
    page.get_by_role("link", name="Teleconferencias").first.click()
    page.get_by_role("link", name="Programar una teleconferencia").click()
    page.get_by_label("Título").fill("Injertos de cacao")
    page.get_by_label("Categoría").select_option("agriculture")
    page.get_by_label("Cultivo (solo agricultura)").select_option("cacao")
    page.get_by_label("Expositor", exact=True).fill("Ing. Carmen Ríos")
    page.get_by_label("Plataforma (Zoom, Meet, radio...)").fill("Zoom")
    page.get_by_label("Día", exact=True).fill(DAY)
    page.get_by_label("Hora de inicio (hora de Lima)").fill("10:00")
    page.get_by_label("Hora de fin").fill("12:00")
    page.get_by_label("Los telecentros de una región").check()
    page.get_by_label("Región", exact=True).select_option("San Martín")
    page.get_by_role("button", name="Programar").click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("Injertos de cacao")
    expect(page.get_by_text(CODE).first).to_be_visible()  # where it will be watched

    sync(network.sites[CODE])
    trainer = browser.new_context(locale="es-PE", viewport={"width": 390, "height": 844})
    phone = trainer.new_page()
    phone.set_default_timeout(10_000)
    _sign_in(phone, network.sites[CODE].url, TRAINER)
    phone.goto(network.sites[CODE].url + f"/calendar/?date={DAY}")
    event = phone.locator("a", has_text="Injertos de cacao")
    expect(event.first).to_be_visible()
    expect(phone.get_by_text("Teleconferencia de la red").first).to_be_visible()
    event.first.click()
    expect(phone.get_by_text("Ing. Carmen Ríos").first).to_be_visible()
    trainer.close()
