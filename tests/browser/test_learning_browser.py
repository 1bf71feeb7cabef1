"""A resident learns as she would alone: she signs in with DNI and PIN, answers a lesson's
quiz and sees the result where her eyes are, at a desk and on a phone."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from telecenter.courses.starter import STARTER_DIR
from telecenter.demo import DEMO_RESIDENT

COURSE = json.loads((STARTER_DIR / "primeros-pasos" / "course.json").read_text("utf-8"))
LESSONS = [lesson for module in COURSE["modules"] for lesson in module["lessons"]]
STEPS = len(LESSONS) + bool(COURSE.get("final_quiz"))


def _sign_in_and_open(page, live_site, lesson: dict):
    page.goto(live_site.url + "/sign-in")
    page.get_by_label("DNI o código").fill(DEMO_RESIDENT.username)
    page.get_by_label("PIN").fill(DEMO_RESIDENT.password)
    page.get_by_role("button", name="Entrar").click()
    expect(page.get_by_role("heading", name="Hola, María")).to_be_visible()
    page.get_by_role("link", name="Ver todos los cursos").click()
    page.get_by_role("link", name=COURSE["title"]).click()
    enrol = page.get_by_role("button", name="Inscribirme en este curso")
    if enrol.count():
        enrol.click()
    page.get_by_role("link", name=lesson["title"]).first.click()
    expect(page.get_by_role("heading", name=lesson["title"], level=1)).to_be_visible()


def _answer(page, lesson: dict, *, right: bool):
    for question in lesson["quiz"]:
        group = page.locator("fieldset.question", has_text=question["prompt"])
        for option in question["options"]:
            if option["correct"] == right:
                group.get_by_label(option["text"], exact=True).check()
                if question["kind"] == "single":
                    break


def _try_quiz(page, live_site, lesson: dict, *, right: bool):
    """Answer a lesson's quiz all right or all wrong; its result must open in view."""
    _sign_in_and_open(page, live_site, lesson)
    _answer(page, lesson, right=right)
    page.get_by_role("button", name="Enviar respuestas").click()
    result = page.locator("#quiz-result")
    expect(result).to_be_in_viewport()
    expect(result).to_be_focused()
    return result


def test_a_passed_quiz_shows_its_result_in_view_and_the_progress_counts_steps(page, live_site):
    lesson = LESSONS[0]
    result = _try_quiz(page, live_site, lesson, right=True)
    expect(result).to_contain_text("¡Aprobó!")
    expect(result).to_contain_text(f"Acertó {len(lesson['quiz'])} de {len(lesson['quiz'])}")
    expect(page.get_by_test_id("progress")).to_have_text(f"{round(100 / STEPS)} %")
    page.get_by_role("link", name="Siguiente lección").first.click()
    expect(page.get_by_role("heading", name=LESSONS[1]["title"], level=1)).to_be_visible()


@pytest.mark.parametrize("width", [1366, 390])
def test_a_failed_quiz_says_how_many_in_view_and_reveals_nothing(page, live_site, width):
    page.set_viewport_size({"width": width, "height": 768 if width > 400 else 844})
    lesson = LESSONS[1]
    result = _try_quiz(page, live_site, lesson, right=False)
    expect(result).to_contain_text("Todavía no aprobó")
    expect(result).to_contain_text(f"Acertó 0 de {len(lesson['quiz'])}")
    for question in lesson["quiz"]:
        for option in question["options"]:
            if option["correct"] and option["feedback"]:
                expect(result).not_to_contain_text(option["feedback"])
    # Nothing ticked in the new try, and it is one press away.
    expect(page.locator("form.quiz input:checked")).to_have_count(0)
    page.get_by_role("link", name="Intentar otra vez").click()
    expect(page.get_by_role("button", name="Enviar respuestas")).to_be_visible()


def test_an_empty_submission_is_explained_beside_the_quiz(page, live_site):
    lesson = LESSONS[2]
    _sign_in_and_open(page, live_site, lesson)
    page.get_by_role("button", name="Enviar respuestas").click()
    message = page.get_by_role("alert").filter(has_text="Responda todas las preguntas")
    expect(message).to_be_in_viewport()
    expect(page.locator("#quiz")).to_be_focused()
