"""Course fixtures: a small course built from a definition, and an enrolled resident."""

from __future__ import annotations

import copy

import pytest

from telecenter.courses import authoring, learning
from telecenter.courses.models import Course
from telecenter.extensions import db
from telecenter.participants.models import Participant


def quiz_question(prompt="¿Cuánto es 2 + 2?", kind="single"):
    options = [
        {"text": "4", "correct": True, "feedback": "Bien"},
        {"text": "5", "correct": False, "feedback": "No"},
    ]
    if kind == "multiple":
        options.append({"text": "cuatro", "correct": True, "feedback": "También"})
    return {"prompt": prompt, "kind": kind, "options": options}


DEFINITION = {
    "format": 1,
    "slug": "prueba",
    "version": 1,
    "title": "Curso de prueba",
    "summary": "Un curso corto",
    "category": "digital_literacy",
    "language": "es",
    "estimated_hours": 2,
    "pass_mark": 70,
    "modules": [
        {
            "title": "Módulo uno",
            "lessons": [
                {
                    "slug": "leer",
                    "title": "Solo leer",
                    "file": "lessons/leer.md",
                    "required": True,
                    "quiz": [],
                },
                {
                    "slug": "con-preguntas",
                    "title": "Con preguntas",
                    "file": "lessons/q.md",
                    "required": True,
                    "quiz": [quiz_question(), quiz_question("Marque", "multiple")],
                },
            ],
        },
        {
            "title": "Módulo dos",
            "lessons": [
                {
                    "slug": "opcional",
                    "title": "Opcional",
                    "file": "lessons/o.md",
                    "required": False,
                    "quiz": [],
                },
            ],
        },
    ],
    "final_quiz": [quiz_question("Final")],
}
BODIES = {
    "lessons/leer.md": "## Hola\n\nTexto **importante**.",
    "lessons/q.md": "Lea y responda.",
    "lessons/o.md": "Extra.",
}


def definition(**changes) -> dict:
    result = copy.deepcopy(DEFINITION)
    result.update(changes)
    return result


@pytest.fixture
def course(app_ctx) -> Course:
    built = authoring.apply_definition(db.session, definition(), BODIES, published=True)
    db.session.commit()
    return built


@pytest.fixture
def enrolment(app_ctx, course, make_participant):
    participant = db.session.get(Participant, make_participant(pin="4821"))
    enrolled = learning.enrol(db.session, course, participant, actor=None)
    db.session.commit()
    return enrolled


def right_answers(questions) -> dict[int, list[int]]:
    return {q.id: sorted(q.correct_ids) for q in questions}
