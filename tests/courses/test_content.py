"""Lesson Markdown renders to safe HTML: no script, no event handler, no outside media."""

from __future__ import annotations

import pytest

from telecenter.courses.content import find_unsafe, render


@pytest.mark.parametrize(
    "attack",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[clic](javascript:alert(1))",
        "[clic](JaVaScRiPt:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        "<iframe src='https://evil.example'></iframe>",
        "![x](javascript:alert(1))",
        '<svg onload="alert(1)">',
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    ],
)
def test_no_script_or_event_handler_survives(attack):
    elements = _elements(render(f"Texto\n\n{attack}\n", course_id=1))
    assert {tag for tag, _attrs in elements} <= {"p", "a", "img"}
    for _tag, attributes in elements:
        for name, value in attributes:
            assert not name.startswith("on")
            assert not (value or "").lower().startswith(("javascript", "data:", "vbscript"))


def _elements(html: str) -> list[tuple[str, list]]:
    """Every real element of the HTML, as the browser would parse it."""
    from html.parser import HTMLParser

    found = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, attrs))

    Collector().feed(html)
    return found


def test_ordinary_markdown_keeps_its_formatting():
    html = render(
        "## Título\n\n**negrita** y *cursiva*\n\n- uno\n- dos\n\n> Recuerde\n\n"
        "[Portal](https://www.gob.pe)",
        course_id=3,
    )
    for piece in (
        "<h2>Título</h2>",
        "<strong>negrita</strong>",
        "<em>cursiva</em>",
        "<li>uno</li>",
        "<blockquote>",
        'href="https://www.gob.pe"',
        "noopener",
    ):
        assert piece in html


def test_course_media_become_local_image_audio_and_video():
    html = render(
        "![Mazorca](media/cacao.jpg)\n\n![Audio](media/saludo.mp3)\n\n![Video](media/injerto.mp4)",
        course_id=7,
    )
    assert '<img src="/courses/7/media/cacao.jpg" alt="Mazorca"' in html
    assert (
        "audio",
        [("controls", ""), ("preload", "none"), ("src", "/courses/7/media/saludo.mp3")],
    ) in _elements(html)
    assert (
        "video",
        [("controls", ""), ("preload", "none"), ("src", "/courses/7/media/injerto.mp4")],
    ) in _elements(html)


@pytest.mark.parametrize(
    "src",
    [
        "https://cdn.example/x.png",
        "/etc/passwd",
        "media/../secret.png",
        "media/",
        "//evil.example/x.png",
    ],
)
def test_pictures_from_elsewhere_are_not_loaded(src):
    html = render(f"![descripción]({src})", course_id=1)
    assert "<img" not in html
    assert "descripción" in html


@pytest.mark.parametrize(
    ("text", "unsafe"),
    [
        ("Hola **mundo**", False),
        ("Precio: S/ 5 < S/ 10", False),
        ("<script>x</script>", True),
        ('<b onclick="x">', True),
        ("[a](javascript:x)", True),
    ],
)
def test_find_unsafe(text, unsafe):
    assert (find_unsafe(text) is not None) is unsafe


def test_lesson_cache_is_keyed_by_text_and_course_and_skips_long_texts():
    from telecenter.courses import content

    first = content.render_lesson("Texto **uno**", course_id=1)
    edited = content.render_lesson("Texto **dos**", course_id=1)
    assert "<strong>uno</strong>" in first
    assert "<strong>dos</strong>" in edited  # an edited lesson is never served stale
    picture = "![mapa](media/mapa.png)"
    assert "/courses/2/media/mapa.png" in content.render_lesson(picture, course_id=2)
    assert "/courses/3/media/mapa.png" in content.render_lesson(picture, course_id=3)
    attack = 'Hola <img src=x onerror="alert(1)">'
    assert content.render_lesson(attack, course_id=1) == render(attack, course_id=1)
    kept = content._render_cached.cache_info().currsize
    long_text = "palabra " * (content.CACHE_TEXT_LIMIT // 8 + 1)
    assert "palabra" in content.render_lesson(long_text, course_id=1)
    assert content._render_cached.cache_info().currsize == kept
