"""Agriculture courses say their crop, in the course form and in content packs (issue 19)."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
import sqlalchemy as sa

from telecenter.courses import packs
from telecenter.courses.models import Course
from telecenter.extensions import db
from tests.conftest import count_rows, csrf_token
from tests.courses.conftest import BODIES, definition


def _course_form(**changes) -> dict:
    values = {
        "title": "Cacao fino de aroma",
        "category": "agriculture",
        "commodity": "cacao",
        "language": "es",
        "estimated_hours": "6",
        "completion_mode": "classroom",
        "pass_mark": "70",
        "attendance_share": "75",
    }
    values.update(changes)
    return {name: value for name, value in values.items() if value is not None}


def _crops(app) -> list[tuple]:
    with app.app_context():
        return [tuple(r) for r in db.session.execute(sa.select(Course.category, Course.commodity))]


@pytest.fixture
def trainer(signed_in):
    return signed_in("trainer")


def _post(client, path, data):
    return client.post(path, data={"csrf_token": csrf_token(client), **data})


def test_an_agriculture_course_is_saved_with_its_crop(app, trainer):
    answer = _post(trainer, "/courses/manage/new", _course_form())
    assert answer.status_code == 302
    assert _crops(app) == [("agriculture", "cacao")]
    page = trainer.get(answer.headers["Location"]).get_data(as_text=True)
    assert '<option selected value="cacao">' in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"commodity": ""}, "Elija el cultivo del que trata."),
        ({"commodity": "maize"}, "válida"),
        (
            {"category": "financial_literacy"},
            "El cultivo se indica solo en temas de agricultura.",
        ),
    ],
)
def test_a_missing_unknown_or_misplaced_crop_is_refused(app, trainer, changes, message):
    answer = _post(trainer, "/courses/manage/new", _course_form(**changes))
    assert answer.status_code == 400
    assert message in answer.get_data(as_text=True)
    assert count_rows(app, "courses") == 0


def test_a_course_off_agriculture_needs_no_crop(app, trainer):
    answer = _post(
        trainer, "/courses/manage/new", _course_form(category="digital_literacy", commodity="")
    )
    assert answer.status_code == 302
    assert _crops(app) == [("digital_literacy", None)]


def _pack(manifest: dict) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("course.json", json.dumps(manifest))
        for name, data in BODIES.items():
            archive.writestr(name, data)
    buffer.seek(0)
    return buffer


def test_a_pack_brings_its_crop_and_exports_it_again(app_ctx):
    course = packs.import_pack(
        db.session, _pack(definition(category="agriculture", commodity="coffee"))
    )
    assert (course.category, course.commodity) == ("agriculture", "coffee")
    assert packs.definition_of(course)["commodity"] == "coffee"


def test_a_pack_without_a_crop_loads_with_none(app_ctx):
    course = packs.import_pack(db.session, _pack(definition(category="agriculture")))
    assert course.commodity is None


def test_an_upgrade_without_a_crop_keeps_the_courses(app_ctx):
    packs.import_pack(db.session, _pack(definition(category="agriculture", commodity="banana")))
    upgraded = packs.import_pack(db.session, _pack(definition(category="agriculture", version=2)))
    assert upgraded.commodity == "banana"


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"category": "agriculture", "commodity": "maize"}, "commodity must be one of"),
        ({"category": "other", "commodity": "cacao"}, "only for agriculture"),
    ],
)
def test_a_pack_with_a_bad_crop_is_refused_whole(app_ctx, changes, problem):
    with pytest.raises(packs.PackError) as refused:
        packs.import_pack(db.session, _pack(definition(**changes)))
    assert any(problem in text for text in refused.value.problems)
    assert db.session.scalar(sa.select(sa.func.count(Course.id))) == 0
