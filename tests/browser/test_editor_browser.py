"""A trainer writes a lesson with the toolbar and sees it in the live preview, then records the
lesson aloud with the microphone (Chromium's fake one); a resident then plays that recording."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from telecenter.courses.starter import STARTER_DIR
from telecenter.demo import DEMO_RESIDENT, SITE_ACCOUNTS
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.courses.test_packs_and_media import PNG
from tests.live import LiveServer

TRAINER = next(account for account in SITE_ACCOUNTS if account.role == "trainer")
COURSE = json.loads((STARTER_DIR / "finanzas-familia" / "course.json").read_text("utf-8"))
LESSONS = [lesson for module in COURSE["modules"] for lesson in module["lessons"]]
# Chromium's own microphone (a beep) and its permission prompt answered yes, for one test.
FAKE_MICROPHONE = [
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A site of its own: these tests change a starter course's lessons."""
    server = LiveServer(instance=tmp_path_factory.mktemp("editor-site")).prepare().start()
    yield server
    server.stop()


def _sign_in_as_trainer(page, site) -> None:
    page.goto(site.url + "/sign-in")
    page.get_by_label("Usuario").fill(TRAINER.username)
    page.get_by_label("Contraseña").fill(TRAINER.password)
    page.get_by_role("button", name="Ingresar").click()
    expect(page.get_by_role("button", name="Salir")).to_be_visible()


def _open_lesson_editor(page, site, lesson: dict) -> None:
    page.goto(site.url + "/courses/")
    page.get_by_role("link", name=COURSE["title"]).first.click()
    page.get_by_role("link", name="Editar curso").click()
    page.get_by_role("link", name=lesson["title"], exact=True).click()
    expect(page.get_by_role("heading", level=1, name=lesson["title"])).to_be_visible()


def test_the_toolbar_writes_markdown_and_the_live_preview_shows_it(browser, site):
    context = browser.new_context(locale="es-PE", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    _sign_in_as_trainer(page, site)
    _open_lesson_editor(page, site, LESSONS[0])

    text = page.get_by_label("Texto de la lección")
    preview = page.locator("[data-preview-body]")
    expect(page.get_by_role("toolbar")).to_be_visible()
    text.click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Título", exact=True).click()
    page.keyboard.type("Cosecha del cacao")  # the placeholder was selected: typing replaces it
    expect(preview.get_by_role("heading", level=2, name="Cosecha del cacao")).to_be_visible()

    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.keyboard.type("Es importante")
    page.keyboard.press("Control+Shift+ArrowLeft")
    page.get_by_role("button", name="Negrita").click()
    expect(preview.locator("strong", has_text="importante")).to_be_visible()

    # A picture: uploaded from the picker itself, described, put at the cursor.
    page.keyboard.press("Control+End")
    page.get_by_role("button", name="Insertar imagen").click()
    picker = page.locator("dialog[data-picker=image]")
    expect(picker).to_be_visible()
    picker.get_by_label("Subir un archivo nuevo").set_input_files(
        {"name": "mazorca-madura.png", "mimeType": "image/png", "buffer": PNG}
    )
    picker.get_by_role("button", name="Subir", exact=True).click()
    expect(picker.locator(".picker-item[aria-pressed=true]")).to_contain_text("mazorca-madura.png")
    expect(picker.get_by_label("Descripción de la imagen")).to_have_value("Mazorca madura")
    picker.get_by_label("Descripción de la imagen").fill("Una mazorca de cacao madura")
    picker.get_by_role("button", name="Poner en la lección").click()
    expect(picker).to_be_hidden()
    expect(text).to_have_value(
        re.compile(
            r"## Cosecha del cacao\n\nEs \*\*importante\*\*\n\n"
            r"!\[Una mazorca de cacao madura\]\(media/mazorca-madura\.png\)\n$"
        )
    )
    picture = preview.get_by_role("img", name="Una mazorca de cacao madura")
    expect(picture).to_be_visible()
    assert picture.evaluate("img => img.naturalWidth") > 0

    page.get_by_role("button", name="Guardar lección").click()
    expect(page.get_by_text("Lección guardada.")).to_be_visible()
    expect(page.get_by_label("Texto de la lección")).to_have_value(
        re.compile("media/mazorca-madura.png")
    )
    assert errors == []
    context.close()


@pytest.fixture
def chromium_with_microphone(playwright_driver):
    chromium = playwright_driver.chromium.launch(
        executable_path=CHROMIUM, args=CHROMIUM_ARGS + FAKE_MICROPHONE, headless=True
    )
    yield chromium
    chromium.close()


def test_a_trainer_records_a_lesson_and_a_resident_plays_it(chromium_with_microphone, site):
    lesson = LESSONS[1]
    trainer = chromium_with_microphone.new_context(
        locale="es-PE", viewport={"width": 1366, "height": 900}
    )
    page = trainer.new_page()
    page.set_default_timeout(15_000)
    _sign_in_as_trainer(page, site)
    _open_lesson_editor(page, site, lesson)

    section = page.locator("#grabacion")
    expect(section.get_by_text("todavía no tiene grabación")).to_be_visible()
    expect(section.locator("[data-no-recorder]:visible")).to_have_count(0)
    section.get_by_role("button", name="Grabar").click()
    expect(section.get_by_text("Grabando…")).to_be_visible()
    expect(section.locator("[data-clock]")).to_have_text("0:02", timeout=10_000)
    section.get_by_role("button", name="Detener").click()
    expect(section.get_by_text("Grabación lista")).to_be_visible()
    section.get_by_role("button", name="Escuchar").click()
    expect(section.locator("audio[data-playback]")).to_be_visible()
    assert _plays(section.locator("audio[data-playback]"))  # what she hears before saving
    section.get_by_role("button", name="Guardar grabación").click()

    expect(page.get_by_text("Grabación guardada: Castellano.")).to_be_visible()
    saved = page.locator("#grabacion .recordings li[data-language=spanish] audio")
    expect(saved).to_have_count(1)
    url = saved.get_attribute("src")
    assert re.fullmatch(r"/courses/\d+/media/grabacion-[a-z0-9-]+-spanish-[0-9a-f]{8}\.weba", url)
    trainer.close()

    resident = chromium_with_microphone.new_context(locale="es-PE")
    page = resident.new_page()
    page.set_default_timeout(15_000)
    page.goto(site.url + "/sign-in")
    page.get_by_label("DNI o código").fill(DEMO_RESIDENT.username)
    page.get_by_label("PIN").fill(DEMO_RESIDENT.password)
    page.get_by_role("button", name="Entrar").click()
    page.goto(site.url + url.split("/media/")[0])  # the course's page
    page.get_by_role("button", name="Inscribirme en este curso").click()
    page.get_by_role("link", name=lesson["title"]).first.click()
    expect(page.get_by_role("heading", level=1, name=lesson["title"])).to_be_visible()
    player = page.locator(f'audio[data-recording][src="{url}"]')
    expect(player).to_have_count(1)
    assert _plays(player)
    resident.close()


def _plays(player) -> bool:
    """The player starts, and its time runs on (the file is sound the browser can decode)."""
    state = player.evaluate(
        """async (media) => {
            const waited = (ms) => new Promise((done) => setTimeout(() => done("timeout"), ms));
            const started = await Promise.race([media.play().then(() => "playing"), waited(5000)]);
            await waited(1200);
            return {started, time: media.currentTime, ready: media.readyState, error: media.error};
        }"""
    )
    assert state["started"] == "playing", state
    assert state["error"] is None, state
    assert state["ready"] >= 2, state
    assert state["time"] > 0.3, state
    return True
