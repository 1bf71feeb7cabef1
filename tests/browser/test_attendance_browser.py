"""A trainer schedules a weekly teleconference, a resident checks in at the kiosk, and the
trainer sees her present on the roster."""

from __future__ import annotations

from datetime import datetime, timedelta

from playwright.sync_api import expect

from telecenter.clock import LIMA
from telecenter.demo import DEMO_RESIDENT, SITE_ACCOUNTS

TRAINER = next(account for account in SITE_ACCOUNTS if account.role == "trainer")


def _sign_in(page, url):
    page.goto(url + "/sign-in")
    page.get_by_label("Usuario").fill(TRAINER.username)
    page.get_by_label("Contraseña").fill(TRAINER.password)
    page.get_by_role("button", name="Ingresar").click()


def _times_around_now():
    now = datetime.now(LIMA)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    start = max(now - timedelta(minutes=5), midnight)
    end = min(now + timedelta(minutes=60), midnight.replace(hour=23, minute=59))
    return now.date(), start.strftime("%H:%M"), end.strftime("%H:%M")


def test_weekly_teleconference_kiosk_check_in_and_roster(browser, live_site):
    trainer_pc = browser.new_context(locale="es-PE")
    page = trainer_pc.new_page()
    page.set_default_timeout(10_000)
    _sign_in(page, live_site.url)
    page.get_by_role("link", name="Sesiones", exact=True).click()
    page.get_by_role("link", name="Programar sesión").click()
    day, start, end = _times_around_now()
    page.get_by_label("Teleconferencia", exact=True).check()
    page.get_by_label("Título").fill("Injerto de cacao con la cooperativa")
    crop = page.get_by_label("Cultivo (solo agricultura)")
    assert not crop.is_visible()  # shown only for agriculture
    page.get_by_label("Categoría (si no es de un curso)").select_option("agriculture")
    crop.select_option("cacao")
    page.get_by_label("Día", exact=True).fill(day.isoformat())
    page.get_by_label("Hora de inicio").fill(start)
    page.get_by_label("Hora de fin").fill(end)
    page.get_by_label("Ambiente o laboratorio").fill("Sala de video")
    page.get_by_label("Expositor (teleconferencia)").fill("Ing. Rosa Pinedo")
    page.get_by_label("Repetir cada semana").check()
    page.get_by_label(
        ["Lunes", "Martes", "Miércoles", "Jueves", "Viernes", "Sábado", "Domingo"][day.weekday()],
        exact=True,
    ).check()
    page.get_by_label("Hasta el día").fill((day + timedelta(days=21)).isoformat())
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_text("Se programaron 4 sesiones")).to_be_visible()
    roster_url = page.url + "/roster"

    kiosk_pc = browser.new_context(locale="es-PE")
    kiosk = kiosk_pc.new_page()
    kiosk.set_default_timeout(10_000)
    _sign_in(kiosk, live_site.url)
    kiosk.get_by_role("button", name="Abrir kiosco de asistencia en esta PC").click()
    expect(kiosk.get_by_role("heading", name="Registre su asistencia")).to_be_visible()
    kiosk.get_by_label("Injerto de cacao con la cooperativa").check()
    kiosk.get_by_label("2. Escriba su DNI o el código de su carné").fill(DEMO_RESIDENT.username)
    kiosk.get_by_role("button", name="Registrar mi asistencia").click()
    expect(kiosk.get_by_text("¡Gracias, María! Su asistencia quedó registrada.")).to_be_visible()
    expect(kiosk.get_by_text("Quispe")).to_have_count(0)

    page.goto(roster_url)
    row = page.locator("tr[data-participant]", has_text="María Quispe Tapullima")
    expect(row.get_by_label("Presente: María Quispe Tapullima")).to_be_checked()
    trainer_pc.close()
    kiosk_pc.close()
