"""The starter courses' own files: every lesson has a drawing, every drawing stays inside the
shapes-only subset the SVG sanitiser keeps, and the quizzes do not give the answer away by
always putting it in the same place. Plain reads of the files: no app, no database."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest

STARTER = Path(__file__).resolve().parents[2] / "telecenter" / "courses" / "starter"
COURSES = ("primeros-pasos", "finanzas-familia")

SVG_NS = "{http://www.w3.org/2000/svg}"
MAX_SVG_BYTES = 12 * 1024
ALLOWED_ELEMENTS = frozenset(
    {
        "svg", "g", "defs", "title", "desc", "path", "rect", "circle", "ellipse", "line",
        "polyline", "polygon", "text", "tspan", "linearGradient", "radialGradient", "stop",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = frozenset(
    {
        "xmlns", "viewBox", "width", "height", "preserveAspectRatio", "role", "aria-label",
        "id", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "fx", "fy", "d",
        "points", "fill", "fill-opacity", "fill-rule", "clip-rule", "stroke", "stroke-width",
        "stroke-linecap", "stroke-linejoin", "stroke-dasharray", "stroke-opacity", "opacity",
        "transform", "font-size", "font-family", "font-weight", "text-anchor",
        "dominant-baseline", "letter-spacing", "offset", "stop-color", "stop-opacity",
        "gradientUnits", "gradientTransform",
    }
)  # fmt: skip
#: Attributes that paint: a colour, or a gradient of the same file as url(#id).
PAINT_ATTRIBUTES = frozenset({"fill", "stroke"})
COLOUR = re.compile(
    r"#[0-9a-fA-F]{3}|#[0-9a-fA-F]{6}"
    r"|rgba?\(\s*\d{1,3}\s*,\s*\d{1,3}\s*,\s*\d{1,3}\s*(,\s*(0|1|0?\.\d+)\s*)?\)"
    r"|none|transparent|black|white|red|green|blue|yellow|orange|gray|grey"
)
LOCAL_PAINT = re.compile(r"url\(#([A-Za-z][\w-]*)\)")
VIEW_BOX = re.compile(r"0 0 (\d+) (\d+)")

PICTURE = re.compile(r"!\[([^\]]*)\]\(([^)\s]*)\)")
MEDIA_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\.svg")
#: No position may hold more than this share of a course's single-choice right answers.
MAX_SHARE_OF_ONE_POSITION = 0.40


def _definition(course: str) -> dict:
    return json.loads((STARTER / course / "course.json").read_text("utf-8"))


def _lessons(course: str) -> list[dict]:
    return [lesson for module in _definition(course)["modules"] for lesson in module["lessons"]]


def _questions(course: str) -> list[dict]:
    definition = _definition(course)
    quizzes = [lesson.get("quiz", []) for lesson in _lessons(course)]
    return [q for quiz in quizzes for q in quiz] + definition.get("final_quiz", [])


def _images_of_questions(course: str) -> list[str]:
    images = []
    for question in _questions(course):
        images += [item["image"] for item in (question, *question["options"]) if "image" in item]
    return images


def _pictures_of_lessons(course: str) -> list[tuple[str, str]]:
    bodies = [(STARTER / course / lesson["file"]).read_text("utf-8") for lesson in _lessons(course)]
    return [picture for body in bodies for picture in PICTURE.findall(body)]


LESSONS = [(course, lesson["file"]) for course in COURSES for lesson in _lessons(course)]
DRAWINGS = sorted(STARTER.glob("*/media/*.svg"))


@pytest.mark.parametrize(("course", "file"), LESSONS, ids=[f"{c}/{f}" for c, f in LESSONS])
def test_every_lesson_shows_a_drawing_described_in_words(course, file):
    pictures = PICTURE.findall((STARTER / course / file).read_text("utf-8"))
    drawings = [(alt, src) for alt, src in pictures if src.startswith("media/")]
    assert any(src.endswith(".svg") for _alt, src in drawings), "no ![...](media/x.svg) drawing"
    for alt, src in pictures:
        assert alt.strip(), f"{src} has no words for someone who cannot see it"
        assert src.startswith("media/"), f"{src}: only the course's own media can be shown"
        assert (STARTER / course / src).is_file(), f"{src} does not exist"


@pytest.mark.parametrize("course", COURSES)
def test_every_drawing_is_shown_somewhere_and_well_named(course):
    on_disk = {f"media/{p.name}" for p in (STARTER / course / "media").iterdir()}
    shown = {src for _alt, src in _pictures_of_lessons(course)} | set(_images_of_questions(course))
    assert on_disk - shown == set(), "drawings no lesson or question shows"
    for name in on_disk:
        assert MEDIA_NAME.fullmatch(name.removeprefix("media/")), f"{name}: lowercase, dashes, .svg"


@pytest.mark.parametrize("course", COURSES)
def test_pictures_of_questions_and_options_name_existing_drawings(course):
    for image in _images_of_questions(course):
        assert isinstance(image, str), f"{image!r}: an image is a string"
        assert image.startswith("media/"), f"{image}: must be media/<name>"
        assert MEDIA_NAME.fullmatch(image.removeprefix("media/")), image
        assert (STARTER / course / image).is_file(), f"{image} does not exist"


@pytest.mark.parametrize("course", COURSES)
def test_a_question_can_be_answered_by_pictures(course):
    def pictured(option):
        image = option.get("image")
        return isinstance(image, str) and (STARTER / course / image).is_file()

    assert any(all(pictured(o) for o in q["options"]) for q in _questions(course))


@pytest.mark.parametrize("course", COURSES)
def test_right_single_answers_are_spread_over_the_positions(course):
    positions = Counter(
        next(i for i, option in enumerate(q["options"]) if option.get("correct") is True)
        for q in _questions(course)
        if q["kind"] == "single"
    )
    total = sum(positions.values())
    position, most = positions.most_common(1)[0]
    assert most <= MAX_SHARE_OF_ONE_POSITION * total, (
        f"{most} of {total} right answers are option {position + 1}: {dict(positions)}"
    )
    assert len(positions) >= 3, f"right answers only in positions {sorted(positions)}"


@pytest.mark.parametrize("course", COURSES)
def test_multiple_choice_right_options_do_not_come_first(course):
    first_wrong = Counter()
    for question in (q for q in _questions(course) if q["kind"] == "multiple"):
        right = [i for i, o in enumerate(question["options"]) if o.get("correct") is True]
        assert right != list(range(len(right))), f"right options listed first: {question['prompt']}"
        first_wrong[next(i for i, o in enumerate(question["options"]) if i not in right)] += 1
    assert len(first_wrong) >= 3, f"the wrong option is always near {sorted(first_wrong)}"


@pytest.mark.parametrize("path", DRAWINGS, ids=[f"{p.parts[-3]}/{p.name}" for p in DRAWINGS])
def test_drawing_is_a_small_svg_made_of_shapes_only(path):
    data = path.read_bytes()
    assert len(data) < MAX_SVG_BYTES, f"{len(data)} bytes"
    for marker in (b"<!DOCTYPE", b"<!ENTITY", b"<!--", b"<![CDATA["):
        assert marker not in data.upper(), f"{marker.decode()} is not allowed"
    # The project's own file, with no DOCTYPE (so no entities) as checked just above.
    root = ET.fromstring(data)  # noqa: S314
    assert root.tag == f"{SVG_NS}svg"
    size = VIEW_BOX.fullmatch(root.get("viewBox", ""))
    assert size, "the root needs viewBox='0 0 W H'"
    assert (root.get("width"), root.get("height")) == size.groups()
    assert root.get("role") == "img"
    title = root.find(f"{SVG_NS}title")
    assert title is not None, "needs a <title>"
    assert (title.text or "").strip(), "the <title> is empty"
    ids = {element.get("id") for element in root.iter() if element.get("id")}
    problems = [problem for element in root.iter() for problem in _problems(element, ids)]
    assert problems == []
    assert set(_text_fonts(root)) <= {"sans-serif"}, "text must use font-family='sans-serif'"


def _problems(element, ids: set[str]) -> list[str]:
    if not element.tag.startswith(SVG_NS) or element.tag[len(SVG_NS) :] not in ALLOWED_ELEMENTS:
        return [f"element {element.tag}"]
    problems = []
    for name, value in element.attrib.items():
        paint = LOCAL_PAINT.fullmatch(value)
        if name not in ALLOWED_ATTRIBUTES:
            problems.append(f"attribute {name}")
        elif name in PAINT_ATTRIBUTES and not (
            COLOUR.fullmatch(value) or (paint and paint.group(1) in ids)
        ):
            problems.append(f"{name}={value!r}: a colour or url(#id) of this file")
        elif name == "stop-color" and not COLOUR.fullmatch(value):
            problems.append(f"stop-color={value!r}: a colour")
        elif name not in PAINT_ATTRIBUTES and "url(" in value.lower():
            problems.append(f"{name}={value!r}: url() only in fill and stroke")
    return problems


def _text_fonts(element, inherited: str | None = None):
    """The font family each <text> ends up with, following the inheritance from groups."""
    family = element.get("font-family", inherited)
    if element.tag == f"{SVG_NS}text":
        yield family
    for child in element:
        yield from _text_fonts(child, family)
