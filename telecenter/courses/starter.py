"""The starter courses shipped with Telecenter (in starter/<slug>/), loaded by seed-demo."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy.orm import Session

from telecenter.courses import authoring, definitions, media
from telecenter.courses.models import Course

STARTER_DIR = Path(__file__).resolve().parent / "starter"


class StarterError(RuntimeError):
    """A shipped course is broken: a bug in the project, not in the user's data."""


def media_files(folder: Path) -> list[Path]:
    """The course's drawings and recordings, in starter/<slug>/media/."""
    return sorted(p for p in (folder / "media").glob("*") if p.is_file())


def read_definition(folder: Path) -> tuple[dict, dict[str, str]]:
    definition = json.loads((folder / "course.json").read_text(encoding="utf-8"))
    definition["media"] = [{"file": f"media/{p.name}"} for p in media_files(folder)]
    problems = definitions.check(definition)
    if problems:
        raise StarterError(f"{folder.name}: " + "; ".join(problems))
    bodies = {
        lesson["file"]: (folder / lesson["file"]).read_text(encoding="utf-8")
        for lesson in definitions.lessons_of(definition)
    }
    return definition, bodies


def load_starter_courses(session: Session) -> list[Course]:
    """Load each starter course that is missing or older here, with its media; published,
    ready to use."""
    loaded = []
    for folder in sorted(p for p in STARTER_DIR.iterdir() if (p / "course.json").exists()):
        definition, bodies = read_definition(folder)
        existing = authoring.find_by_slug(session, definition["slug"])
        if existing is None or existing.version < definition["version"]:
            course = authoring.apply_definition(session, definition, bodies, published=True)
            for path in media_files(folder):
                media.store(session, course, path.name, path.read_bytes())
            loaded.append(course)
    return loaded
