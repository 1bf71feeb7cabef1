"""The trainer's week in Chromium: she keeps a group, enrols it in a course, opens the third
class of the course's series and finds the group already listed, marks everyone present then
one absent, and downloads the attendance list for Excel in Spanish."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from pathlib import Path

from playwright.sync_api import expect

from telecenter.clock import LIMA
from tests.browser.test_attendance_browser import _sign_in

WEEKDAYS = ["Lunes", "Martes", "Miércoles", "Jueves", "Viernes", "Sábado", "Domingo"]
MEMBERS = ("Elena Panduro Ríos", "Rosa Sangama Amasifuén")


def _make_group(page, name):
    page.get_by_role("link", name="Grupos", exact=True).click()
    page.get_by_label("Nombre del grupo").fill(name)
    page.get_by_role("button", name="Crear grupo").click()
    expect(page.get_by_text(f"Grupo «{name}» creado")).to_be_visible()
    for member in MEMBERS:
        page.get_by_label("Buscar por nombre, documento o código").fill(member.split()[1])
        page.get_by_role("button", name="Buscar").click()
        page.get_by_label(member, exact=False).check()
        page.get_by_role("button", name="Agregar al grupo").click()
        expect(page.get_by_text("Se agregó 1 persona al grupo.")).to_be_visible()


def _enrol_group_in_a_new_course(page, base_url, group):
    """A classroom course of her own, so the roster holds exactly the group."""
    course = "Celular para la cooperativa"
    page.goto(base_url + "/courses/manage/new")
    page.get_by_label("Título").fill(course)
    page.get_by_label("Categoría").select_option("digital_literacy")
    page.get_by_label("En clase: asistencia a las sesiones").check()
    page.get_by_label("Publicado: los participantes lo ven").check()
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_text("Curso creado.")).to_be_visible()
    course_id = page.url.rstrip("/").split("/")[-1]
    page.goto(f"{base_url}/courses/manage/{course_id}/enrol")
    page.get_by_label("Grupo", exact=True).select_option(label=f"{group} (2)")
    page.get_by_role("button", name="Inscribir a todo el grupo").click()
    expect(page.get_by_text("2 personas inscritas.")).to_be_visible()
    return course


def _schedule_a_series(page, course):
    """Weekly from two weeks ago, so the third class is today (early, so it is open now)."""
    today = datetime.now(LIMA).date()
    first = today - timedelta(days=14)
    page.goto(page.url.split("/courses")[0] + "/sessions/new")  # from the course's report
    page.get_by_label("Clase", exact=True).check()
    page.get_by_label("Título").fill("Semana de la capacitadora")
    page.get_by_label("Curso (si es parte de un curso)").select_option(label=course)
    page.get_by_label("Día", exact=True).fill(first.isoformat())
    page.get_by_label("Hora de inicio").fill("00:01")
    page.get_by_label("Hora de fin").fill("00:50")
    page.get_by_label("Ambiente o laboratorio").fill("Aula de la semana")
    page.get_by_label("Repetir cada semana").check()
    page.get_by_label(WEEKDAYS[first.weekday()], exact=True).check()
    page.get_by_label("Hasta el día").fill((today + timedelta(days=14)).isoformat())
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_text("Se programaron 5 sesiones")).to_be_visible()
    return int(page.url.rstrip("/").split("/")[-1])


def test_a_group_on_the_third_class_all_present_then_one_absent(browser, live_site):
    context = browser.new_context(locale="es-PE", viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.set_default_timeout(10_000)
    _sign_in(page, live_site.url)
    group = "Mujeres Pucayacu martes"
    _make_group(page, group)
    course = _enrol_group_in_a_new_course(page, live_site.url, group)
    first_id = _schedule_a_series(page, course)

    page.goto(f"{live_site.url}/sessions/{first_id + 2}/roster")
    expect(page.get_by_test_id("phase")).to_contain_text("Sesión de hoy")
    for member in MEMBERS:
        expect(page.locator("tr[data-participant]", has_text=member)).to_be_visible()
    page.get_by_role("button", name="Marcar a todos presentes").click()
    expect(page.get_by_text("Asistencia guardada (2 personas).")).to_be_visible()
    page.get_by_label(f"Ausente: {MEMBERS[1]}").check()
    page.get_by_role("button", name="Guardar asistencia").click()
    expect(page.get_by_text("Asistencia guardada (2 personas).")).to_be_visible()
    expect(page.get_by_label(f"Presente: {MEMBERS[0]}")).to_be_checked()
    expect(page.get_by_label(f"Ausente: {MEMBERS[1]}")).to_be_checked()
    expect(page.get_by_role("heading", name="Correcciones")).to_have_count(0)

    page.goto(f"{live_site.url}/sessions/reports/")
    with page.expect_download() as download:
        page.get_by_role("button", name="Descargar", exact=True).click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = [
        r for r in csv.DictReader(io.StringIO(text)) if r["Sesión"] == "Semana de la capacitadora"
    ]
    assert {(r["Nombre"], r["Asistencia"]) for r in rows} == {
        (MEMBERS[0], "Presente"),
        (MEMBERS[1], "Ausente"),
    }
    assert {r["Tipo de actividad"] for r in rows} == {"Clase"}
    assert {r["Sexo"] for r in rows} == {"Mujer"}
    assert "present" not in text
    assert "digital_literacy" not in text
    context.close()
