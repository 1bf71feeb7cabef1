"""The course definition format shared by starter courses and content packs (`course.json`).

    {"format": 1, "slug", "version", "title", "summary", "category", "language",
     "estimated_hours", "pass_mark", "completion_mode"?, "attendance_share"?, "commodity"?,
     "modules": [{"title", "lessons": [{"slug", "title", "file", "required", "quiz": [...],
                                        "recordings"?: {mother tongue: "media/NAME"}}]}],
     "final_quiz": [{"prompt", "kind": "single"|"multiple", "audio"?, "image"?,
                     "options": [{"text", "correct", "feedback", "audio"?, "image"?}]}],
     "media"?: [{"file": "media/NAME", "sha256"}]}

`commodity` is the crop of an agriculture course (vocabulary.CROPS), null or absent otherwise;
a pack without it (made before crops existed) loads with no crop.

`audio`, `image` and recordings name media files of the course ("media/NAME"); when the
definition lists its media, each of them must be listed.

Checking a definition is pure: it returns every problem found, so an import can refuse the
whole pack with a complete list.
"""

from __future__ import annotations

import re
import unicodedata

from telecenter.courses.content import find_unsafe
from telecenter.participants.choices import MOTHER_TONGUES
from telecenter.request_values import MAX_INT
from telecenter.vocabulary import CATEGORIES, COMPLETION_MODES, CROPS

FORMAT = 1
# Used with fullmatch: "$" alone lets a trailing newline through ("leer\n" then names a
# lesson file no pack may hold, so its export fails).
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_LESSONS = 200
MAX_QUESTIONS = 50
MEDIA_REFERENCE = re.compile(r"media/[A-Za-z0-9][A-Za-z0-9._-]{0,119}")
MEDIA_KEYS = ("audio", "image")


def is_slug(text: object) -> bool:
    """A pack's or lesson's slug, exactly: `$` would let "intro\\n" through."""
    return isinstance(text, str) and SLUG.fullmatch(text) is not None


def _check_reference(value, where: str) -> list[str]:
    if value is None or (isinstance(value, str) and MEDIA_REFERENCE.fullmatch(value)):
        return []
    return [f"{where}: media reference must look like media/NAME"]


def _check_parts_media(item: dict, where: str) -> list[str]:
    return [p for key in MEDIA_KEYS for p in _check_reference(item.get(key), f"{where} {key}")]


def _check_recordings(recordings, where: str) -> list[str]:
    if recordings is None:
        return []
    if not isinstance(recordings, dict):
        return [f"{where}: recordings must map a language to media/NAME"]
    problems = []
    for language, reference in recordings.items():
        if language not in MOTHER_TONGUES or language == "other":
            problems.append(f"{where}: unknown recording language {language!r}")
        problems += _check_reference(reference, f"{where} recording")
    return problems


def media_references(definition: dict) -> set[str]:
    """Every "media/NAME" the questions, options and recordings of a checked definition name."""
    quizzes = [lesson.get("quiz", []) for lesson in lessons_of(definition)]
    parts = [
        part
        for question in [q for quiz in quizzes for q in quiz] + definition.get("final_quiz", [])
        for part in (question, *question["options"])
    ]
    found = {part[key] for part in parts for key in MEDIA_KEYS if part.get(key)}
    for lesson in lessons_of(definition):
        found.update((lesson.get("recordings") or {}).values())
    return found


def _check_media_list(declared) -> list[str]:
    """The "media" list: each entry a media/NAME and, in a pack, the sha256 of its bytes as
    text (starter courses, read from the package, list only the names)."""
    if declared is None:
        return []
    if not isinstance(declared, list):
        return ["media must be a list of {file, sha256}"]
    problems = []
    for number, item in enumerate(declared, start=1):
        file = item.get("file") if isinstance(item, dict) else None
        digest = item.get("sha256") if isinstance(item, dict) else None
        if not isinstance(file, str) or not MEDIA_REFERENCE.fullmatch(file):
            problems.append(f"media {number}: file must look like media/NAME")
        if digest is not None and not isinstance(digest, str):  # the pack compares it
            problems.append(f"media {number}: sha256 must be text")
    return problems


def _check_declared_media(definition: dict) -> list[str]:
    declared = definition.get("media")
    if not isinstance(declared, list):
        return []
    names = {item["file"] for item in declared}
    return [
        f"{reference} is used but not in the media list"
        for reference in sorted(media_references(definition) - names)
    ]


def check_questions(questions, where: str) -> list[str]:
    problems = []
    if not isinstance(questions, list) or len(questions) > MAX_QUESTIONS:
        return [f"{where}: quiz must be a list of at most {MAX_QUESTIONS} questions"]
    for number, question in enumerate(questions, start=1):
        here = f"{where} question {number}"
        if not isinstance(question, dict):
            problems.append(f"{here}: not an object")
            continue
        problems += _check_text(question.get("prompt"), here, 500)
        problems += _check_parts_media(question, here)
        options = question.get("options")
        if not isinstance(options, list) or not 2 <= len(options) <= 6:
            problems.append(f"{here}: needs 2 to 6 options")
            continue
        correct = 0
        for option in options:
            if not isinstance(option, dict):
                problems.append(f"{here}: option is not an object")
                continue
            problems += _check_text(option.get("text"), here, 300)
            problems += _check_text(option.get("feedback", ""), here, 500, required=False)
            problems += _check_parts_media(option, here)
            correct += option.get("correct") is True
        kind = question.get("kind")
        if kind not in ("single", "multiple"):
            problems.append(f"{here}: kind must be single or multiple")
        elif kind == "single" and correct != 1:
            problems.append(f"{here}: a single-choice question needs exactly one right option")
        elif kind == "multiple" and correct < 1:
            problems.append(f"{here}: needs at least one right option")
    return problems


def _check_text(value, where: str, limit: int, *, required: bool = True) -> list[str]:
    if not isinstance(value, str) or (required and not value.strip()):
        return [f"{where}: text missing"] if required or not isinstance(value, str) else []
    if len(value) > limit:
        return [f"{where}: text longer than {limit} characters"]
    unsafe = find_unsafe(value)
    return [f"{where}: unsafe content {unsafe!r}"] if unsafe else []


def check(definition) -> list[str]:
    """Every problem in a course definition (empty when it can be loaded)."""
    if not isinstance(definition, dict):
        return ["course.json must hold an object"]
    problems = []
    if definition.get("format") != FORMAT:
        problems.append(f"unsupported format {definition.get('format')!r}; expected {FORMAT}")
    if not is_slug(definition.get("slug")):
        problems.append("slug must be lowercase letters, digits and dashes")
    version = definition.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= MAX_INT:
        problems.append(f"version must be a whole number from 1 to {MAX_INT}")
    problems += _check_text(definition.get("title"), "title", 160)
    problems += _check_text(definition.get("summary", ""), "summary", 600, required=False)
    if definition.get("category") not in CATEGORIES:
        problems.append(f"category must be one of {', '.join(CATEGORIES)}")
    problems += _check_commodity(definition.get("category"), definition.get("commodity"))
    if definition.get("completion_mode", "self_paced") not in COMPLETION_MODES:
        problems.append("completion_mode must be self_paced or classroom")
    for name, low, high in (
        ("pass_mark", 0, 100),
        ("attendance_share", 1, 100),
        ("estimated_hours", 0, 1000),
    ):
        value = definition.get(name, low if name != "estimated_hours" else 1)
        is_number = isinstance(value, int | float) and not isinstance(value, bool)
        if not is_number or not low <= value <= high:
            problems.append(f"{name} must be a number from {low} to {high}")
    problems += _check_modules(definition.get("modules"))
    problems += check_questions(definition.get("final_quiz", []), "final quiz")
    problems += _check_media_list(definition.get("media"))
    return problems or _check_declared_media(definition)


def _check_commodity(category, commodity) -> list[str]:
    if commodity is None:
        return []
    if commodity not in CROPS:
        return [f"commodity must be one of {', '.join(CROPS)}"]
    if category != "agriculture":
        return ["commodity is only for agriculture courses"]
    return []


def _check_modules(modules) -> list[str]:
    if not isinstance(modules, list) or not modules:
        return ["modules must be a non-empty list"]
    problems, slugs = [], set()
    for m_number, module in enumerate(modules, start=1):
        if not isinstance(module, dict) or not isinstance(module.get("lessons"), list):
            problems.append(f"module {m_number}: needs a title and a list of lessons")
            continue
        problems += _check_text(module.get("title"), f"module {m_number}", 160)
        for lesson in module["lessons"]:
            if not isinstance(lesson, dict):
                problems.append(f"module {m_number}: a lesson is not an object")
                continue
            slug = lesson.get("slug")
            where = f"lesson {slug!r}"
            if not is_slug(slug) or slug in slugs:
                problems.append(f"{where}: slug missing, malformed or repeated")
            else:
                slugs.add(slug)
            problems += _check_text(lesson.get("title"), where, 160)
            if not isinstance(lesson.get("file"), str):
                problems.append(f"{where}: file missing")
            problems += check_questions(lesson.get("quiz", []), where)
            problems += _check_recordings(lesson.get("recordings"), where)
    if len(slugs) > MAX_LESSONS:
        problems.append(f"at most {MAX_LESSONS} lessons")
    return problems


def lessons_of(definition: dict):
    for module in definition["modules"]:
        yield from module["lessons"]


def slugify(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:70] or "curso"
