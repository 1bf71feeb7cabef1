"""A resident signs in with DNI and PIN, opens a lesson, passes its quiz, sees progress."""

from __future__ import annotations

import json

from playwright.sync_api import expect

from telecenter.courses.starter import STARTER_DIR
from telecenter.demo import DEMO_RESIDENT

COURSE = json.loads((STARTER_DIR / "primeros-pasos" / "course.json").read_text("utf-8"))
FIRST_LESSON = COURSE["modules"][0]["lessons"][0]


def test_resident_passes_a_lesson_quiz_and_the_progress_bar_advances(page, live_site):
    page.goto(live_site.url + "/sign-in")
    page.get_by_label("DNI o código").fill(DEMO_RESIDENT.username)
    page.get_by_label("PIN").fill(DEMO_RESIDENT.password)
    page.get_by_role("button", name="Entrar").click()
    expect(page.get_by_role("heading", name="Hola, María")).to_be_visible()

    page.get_by_role("link", name="Ver todos los cursos").click()
    page.get_by_role("link", name=COURSE["title"]).click()
    page.get_by_role("button", name="Inscribirme en este curso").click()
    expect(page.get_by_test_id("progress")).to_have_text("0 %")

    page.get_by_role("link", name=FIRST_LESSON["title"]).first.click()
    expect(page.get_by_role("heading", name=FIRST_LESSON["title"])).to_be_visible()
    for question in FIRST_LESSON["quiz"]:
        group = page.locator("fieldset.question", has_text=question["prompt"])
        for option in question["options"]:
            if option["correct"]:
                group.get_by_label(option["text"], exact=True).check()
    page.get_by_role("button", name="Enviar respuestas").click()
    expect(page.get_by_text("Aprobó con 100 %")).to_be_visible()
    lessons = sum(len(module["lessons"]) for module in COURSE["modules"])
    expect(page.get_by_test_id("progress")).to_have_text(f"{round(100 / lessons)} %")

    page.get_by_role("link", name="Inicio").click()
    expect(page.get_by_text("Continuar donde se quedó")).to_be_visible()
    expect(page.get_by_test_id("progress").first).to_have_text(f"{round(100 / lessons)} %")
