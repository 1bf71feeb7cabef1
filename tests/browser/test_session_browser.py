"""No silent sign-out, in Chromium: work on a quiz keeps the session open, the warning and
«Seguir aquí» keep it open too, and a sign-out brings her back to the lesson with her ticks.

The site here signs residents out after 10 idle seconds and warns 5 seconds before. One story
in one test: each site of its own costs a migrated, seeded instance and a gunicorn."""

from __future__ import annotations

import json
import re
import time

import pytest
from playwright.sync_api import expect

from telecenter.courses.starter import STARTER_DIR
from telecenter.demo import DEMO_RESIDENT
from tests.live import LiveServer

LIMIT_SECONDS = 10
WARNING_SECONDS = 5  # at most half the limit
COURSE = json.loads((STARTER_DIR / "primeros-pasos" / "course.json").read_text("utf-8"))
FIRST_LESSON = COURSE["modules"][0]["lessons"][0]
QUESTION = FIRST_LESSON["quiz"][0]
RIGHT = next(option["text"] for option in QUESTION["options"] if option["correct"])
WRONG = next(option["text"] for option in QUESTION["options"] if not option["correct"])


@pytest.fixture(scope="module")
def short_site(tmp_path_factory):
    server = LiveServer(
        instance=tmp_path_factory.mktemp("short-idle-site"),
        extra_env={
            "IDLE_TIMEOUT_RESIDENT_MINUTES": str(LIMIT_SECONDS / 60),
            "IDLE_WARNING_SECONDS": str(WARNING_SECONDS),
        },
    )
    server.prepare().start()
    yield server
    server.stop()


def _resident_signs_in(page):
    page.get_by_label("DNI o código").fill(DEMO_RESIDENT.username)
    page.get_by_label("PIN").fill(DEMO_RESIDENT.password)
    page.get_by_role("button", name="Entrar").click()


def _signed_in(page, site) -> bool:
    return page.request.get(site.url + "/session/status").json()["signed_in"]


def test_a_resident_at_a_quiz_is_warned_kept_and_brought_back_to_her_ticks(page, short_site):
    page.goto(short_site.url + "/sign-in")
    _resident_signs_in(page)
    page.get_by_role("link", name="Ver todos los cursos").click()
    page.get_by_role("link", name=COURSE["title"]).click()
    page.get_by_role("button", name="Inscribirme en este curso").click()
    page.get_by_role("link", name=FIRST_LESSON["title"]).first.click()
    expect(page.get_by_role("heading", name=FIRST_LESSON["title"])).to_be_visible()
    lesson_url = page.url
    question = page.locator("fieldset.question", has_text=QUESTION["prompt"])
    warning = page.get_by_role("alertdialog", name="¿Sigue aquí?")
    expect(warning).to_be_hidden()

    # She reads and changes her mind for longer than the limit: every tick is activity.
    started = time.monotonic()
    choices = [WRONG, RIGHT]
    while time.monotonic() - started < LIMIT_SECONDS + 4:
        question.get_by_label(choices[0], exact=True).check()
        choices.reverse()
        page.wait_for_timeout(1500)
        expect(warning).to_be_hidden()
    question.get_by_label(RIGHT, exact=True).check()
    assert page.url == lesson_url
    assert _signed_in(page, short_site)

    # She stops: the warning comes before the end, its button already focused.
    expect(warning).to_be_visible(timeout=(LIMIT_SECONDS + 2) * 1000)
    expect(warning).to_contain_text(
        f"Su sesión se cerrará en {WARNING_SECONDS} segundos porque no hubo actividad."
    )
    button = warning.get_by_role("button", name="Seguir aquí")
    expect(button).to_be_focused()  # Enter or a click: one step
    pressed = time.monotonic()
    button.click()
    expect(warning).to_be_hidden()
    # Past the end she was warned of: still signed in, still on the lesson.
    page.wait_for_timeout((WARNING_SECONDS + 2 - (time.monotonic() - pressed)) * 1000)
    assert _signed_in(page, short_site)
    assert page.url == lesson_url

    # Then she walks away: the warning again, and at the end the sign-in page, by itself.
    expect(warning).to_be_visible(timeout=(LIMIT_SECONDS + 2) * 1000)
    expect(page.get_by_text("Su sesión se cerró por inactividad")).to_be_visible(
        timeout=(WARNING_SECONDS + 6) * 1000
    )
    assert re.search(r"/sign-in\?next=", page.url)
    assert not _signed_in(page, short_site)

    # Signing in again brings her back to the lesson, her tick where she left it.
    _resident_signs_in(page)
    expect(page.get_by_role("heading", name=FIRST_LESSON["title"])).to_be_visible()
    assert page.url == lesson_url
    question = page.locator("fieldset.question", has_text=QUESTION["prompt"])
    expect(question.get_by_label(RIGHT, exact=True)).to_be_checked()
    expect(question.get_by_label(WRONG, exact=True)).not_to_be_checked()

    # She answers the rest and sends: the draft is over.
    drafts = "Object.keys(localStorage).filter(k => k.startsWith('telecenter-draft:'))"
    assert len(page.evaluate(drafts)) == 1
    for other in FIRST_LESSON["quiz"][1:]:
        group = page.locator("fieldset.question", has_text=other["prompt"])
        for option in other["options"]:
            if option["correct"]:
                group.get_by_label(option["text"], exact=True).check()
    page.get_by_role("button", name="Enviar respuestas").click()
    expect(page.locator("#quiz-result")).to_contain_text("¡Aprobó!")
    assert page.evaluate(drafts) == []
