"""Lesson page weight: what a resident's browser downloads to open a lesson with its drawings
and a recording, first visit and again.

    make bench-lesson     (or: .venv/bin/python bench/lesson_weight.py [--seconds 20])

Seeds the demo site, records a --seconds long spoken recording (8 kHz mono WAV, the size a
telecenter PC's microphone gives) for the first starter lesson, serves it with gunicorn and
opens the lesson in Chromium as the demo resident. Prints the bytes of the page itself, of its
styles and scripts, of its pictures and of the recording (fetched when she presses
"Escuchar"), and what a second visit downloads. The page itself must stay under 20 KB.
"""

from __future__ import annotations

import argparse
import io
import math
import os
import struct
import sys
import tempfile
import wave
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.live import LiveServer  # noqa: E402

PAGE_LIMIT = 20 * 1024


def spoken_wav(seconds: int) -> bytes:
    """A tone that rises and falls like a voice: real WAV bytes of a real length."""
    rate = 8000
    frames = b"".join(
        struct.pack(
            "<h", int(8000 * math.sin(2 * math.pi * (180 + 40 * math.sin(n / 900)) * n / rate))
        )
        for n in range(seconds * rate)
    )
    out = io.BytesIO()
    with wave.open(out, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(rate)
        sound.writeframes(frames)
    return out.getvalue()


def add_recording(server: LiveServer, seconds: int) -> str:
    os.environ.update(server.env())
    from telecenter import create_app
    from telecenter.courses import authoring, media
    from telecenter.courses.models import LessonRecording
    from telecenter.extensions import db

    app = create_app()
    with app.app_context():
        course = authoring.find_by_slug(db.session, "primeros-pasos")
        lesson = course.lessons[0]
        record = media.store(db.session, course, "leccion-1-es.wav", spoken_wav(seconds))
        lesson.recordings.append(LessonRecording(language="spanish", filename=record.filename))
        db.session.commit()
        return lesson.title


def kind_of(url: str, content_type: str) -> str:
    if "/media/" in url:
        return "audio" if content_type.startswith("audio") else "pictures"
    if url.endswith(".css"):
        return "styles"
    if url.endswith(".js"):
        return "scripts"
    if content_type.startswith("image"):
        return "icons"
    return "page"


def measure(page, action) -> dict[str, list[int]]:
    sizes: dict[str, list[int]] = defaultdict(list)

    def seen(response):
        if response.status in (200, 206):
            kind = kind_of(response.url, response.headers.get("content-type", ""))
            sizes[kind].append(len(response.body()))

    page.on("response", seen)
    action()
    page.wait_for_load_state("networkidle")
    page.remove_listener("response", seen)
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=20, help="length of the recording")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from telecenter.demo import DEMO_RESIDENT

    server = LiveServer(instance=Path(tempfile.mkdtemp(prefix="lesson-weight-"))).prepare()
    title = add_recording(server, args.seconds)
    server.start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
            page.goto(server.url + "/sign-in")
            page.get_by_label("DNI o código").fill(DEMO_RESIDENT.username)
            page.get_by_label("PIN").fill(DEMO_RESIDENT.password)
            page.get_by_role("button", name="Entrar").click()
            page.get_by_role("link", name="Ver todos los cursos").click()
            page.get_by_role("link", name="Mis primeros pasos en la computadora e internet").click()
            enrol = page.get_by_role("button", name="Inscribirme en este curso")
            if enrol.count():
                enrol.click()
            link = page.get_by_role("link", name=title).first
            first = measure(page, link.click)
            page.mouse.wheel(0, 20000)  # the pictures further down load as she scrolls
            page.wait_for_timeout(500)
            first_pictures = measure(page, lambda: page.mouse.wheel(0, 20000))
            for kind, values in first_pictures.items():
                first[kind] += values
            listened = measure(
                page,
                lambda: (
                    page.get_by_role("button", name="Escuchar").first.click(),
                    page.wait_for_timeout(1500),
                ),
            )
            again = measure(page, page.reload)
            browser.close()
    finally:
        server.stop()
    print(f"Lesson «{title}» with a {args.seconds} s recording, first visit:")
    total = 0
    for kind in ("page", "styles", "scripts", "icons", "pictures"):
        values = first.get(kind, [])
        total += sum(values)
        print(f"  {kind:<9} {len(values):>3} files {sum(values) / 1024:>8.1f} KB")
    audio = sum(listened.get("audio", []))
    heard = len(listened.get("audio", []))
    print(f"  audio     {heard:>3} files {audio / 1024:>8.1f} KB (when she presses «Escuchar»)")
    print(f"  total     {(total + audio) / 1024:>18.1f} KB")
    static = REPO / "telecenter" / "static"
    shared = sum(f.stat().st_size for f in (static / "css" / "app.css", static / "js" / "app.js"))
    print(f"  (app.css and app.js, {shared / 1024:.1f} KB, came cached from the pages before)")
    print(f"A reload downloads {sum(sum(v) for v in again.values()) / 1024:.1f} KB")
    page_bytes = sum(first.get("page", []))
    verdict = "under" if page_bytes < PAGE_LIMIT else "OVER"
    print(f"The page itself: {page_bytes / 1024:.1f} KB, {verdict} the 20 KB limit")
    if page_bytes >= PAGE_LIMIT:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
