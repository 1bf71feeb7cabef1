"""The starter courses shipped with Telecenter (in starter/<slug>/), loaded by seed-demo."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy.orm import Session

from telecenter.courses import authoring, definitions
from telecenter.courses.models import Course

STARTER_DIR = Path(__file__).resolve().parent / "starter"


class StarterError(RuntimeError):
    """A shipped course is broken: a bug in the project, not in the user's data."""


def read_definition(folder: Path) -> tuple[dict, dict[str, str]]:
    definition = json.loads((folder / "course.json").read_text(encoding="utf-8"))
    problems = definitions.check(definition)
    if problems:
        raise StarterError(f"{folder.name}: " + "; ".join(problems))
    bodies = {
        lesson["file"]: (folder / lesson["file"]).read_text(encoding="utf-8")
        for lesson in definitions.lessons_of(definition)
    }
    return definition, bodies


def load_starter_courses(session: Session) -> list[Course]:
    """Load each starter course that is missing or older here; published, ready to use."""
    loaded = []
    for folder in sorted(p for p in STARTER_DIR.iterdir() if (p / "course.json").exists()):
        definition, bodies = read_definition(folder)
        existing = authoring.find_by_slug(session, definition["slug"])
        if existing is None or existing.version < definition["version"]:
            loaded.append(authoring.apply_definition(session, definition, bodies, published=True))
    return loaded
