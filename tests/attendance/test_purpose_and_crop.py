"""Each session says training or talk; agriculture ones say their crop (issue 19)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from telecenter.attendance import scheduling
from telecenter.attendance.models import ActivitySession
from telecenter.clock import today_in_lima
from telecenter.courses.models import Course
from telecenter.extensions import db
from tests.attendance.conftest import session_data
from tests.conftest import count_rows, csrf_token


def _post(client, path, data):
    return client.post(path, data={"csrf_token": csrf_token(client), **data})


def _form(**changes) -> dict:
    values = {
        "kind": "teleconference",
        "purpose": "training",
        "title": "Poda del cacao",
        "category": "agriculture",
        "commodity": "cacao",
        "day": str(today_in_lima() + timedelta(days=3)),
        "start": "09:00",
        "end": "11:00",
        "room": "Sala",
        "checkin_before_minutes": "30",
        "checkin_after_minutes": "30",
    }
    values.update(changes)
    return {name: value for name, value in values.items() if value is not None}


def _stored(app) -> list[tuple]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(ActivitySession.purpose, ActivitySession.category, ActivitySession.commodity)
        )
        return [tuple(row) for row in rows]


@pytest.fixture
def trainer(signed_in):
    return signed_in("trainer")


def _course(app, *, category: str, commodity: str | None) -> int:
    with app.app_context():
        course = Course(slug="curso", title="Café de altura", category=category)
        course.commodity = commodity
        db.session.add(course)
        db.session.commit()
        return course.id


def test_a_talk_on_coffee_is_stored_and_shown_in_plain_words(app, trainer):
    answer = _post(trainer, "/sessions/new", _form(purpose="talk", commodity="coffee"))
    assert answer.status_code == 302
    assert _stored(app) == [("talk", "agriculture", "coffee")]
    page = trainer.get(answer.headers["Location"]).get_data(as_text=True)
    assert 'data-purpose="talk">Charla<' in page
    assert "Charla o sensibilización" in page
    assert 'data-testid="commodity">Café<' in page
    listing = trainer.get("/sessions/").get_data(as_text=True)
    assert 'data-commodity="coffee">Café<' in listing
    assert 'data-purpose="talk"' in listing


def test_training_is_the_default_and_shows_no_talk_tag(app, trainer):
    answer = _post(trainer, "/sessions/new", _form(purpose=None))
    assert answer.status_code == 302
    assert _stored(app) == [("training", "agriculture", "cacao")]
    page = trainer.get(answer.headers["Location"]).get_data(as_text=True)
    assert 'data-purpose="talk"' not in page
    assert 'data-testid="purpose">Capacitación (clase, taller, sesión de curso)<' in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"commodity": "maize"}, "válida"),
        ({"commodity": None}, "Elija el cultivo del que trata."),
        ({"commodity": ""}, "Elija el cultivo del que trata."),
        (
            {"category": "digital_literacy", "commodity": "cacao"},
            "El cultivo se indica solo en temas de agricultura.",
        ),
        ({"purpose": "lecture"}, "válida"),
        ({"purpose": ""}, "válida"),
    ],
)
def test_bad_purpose_or_crop_is_a_form_error_and_nothing_is_stored(app, trainer, changes, message):
    answer = _post(trainer, "/sessions/new", _form(**changes))
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert message in page
    assert 'class="field has-error"' in page
    assert count_rows(app, "activity_sessions") == 0


def test_a_series_carries_purpose_and_crop_to_every_session(app, trainer):
    day = today_in_lima() + timedelta(days=2)
    answer = _post(
        trainer,
        "/sessions/new",
        _form(
            purpose="talk",
            commodity="banana",
            day=str(day),
            repeat="y",
            weekdays=str(day.weekday()),
            every_weeks="1",
            until=str(day + timedelta(days=14)),
        ),
    )
    assert answer.status_code == 302
    assert _stored(app) == [("talk", "agriculture", "banana")] * 3


def test_editing_changes_purpose_and_crop_and_refuses_a_crop_off_agriculture(app, trainer):
    _post(trainer, "/sessions/new", _form())
    edit = _post(trainer, "/sessions/1/edit", _form(purpose="talk", commodity="timber"))
    assert edit.status_code == 302
    assert _stored(app) == [("talk", "agriculture", "timber")]
    refused = _post(trainer, "/sessions/1/edit", _form(category="other", commodity="timber"))
    assert refused.status_code == 400
    assert "solo en temas de agricultura" in refused.get_data(as_text=True)
    assert _stored(app) == [("talk", "agriculture", "timber")]
    moved = _post(trainer, "/sessions/1/edit", _form(category="other", commodity=""))
    assert moved.status_code == 302
    assert _stored(app) == [("training", "other", None)]


def test_the_edit_form_shows_the_saved_purpose_and_crop(app, trainer):
    _post(trainer, "/sessions/new", _form(purpose="talk", commodity="other_crop"))
    page = trainer.get("/sessions/1/edit").get_data(as_text=True)
    (talk,) = re.findall(r'<input[^>]*value="talk"[^>]*>', page)
    (crop,) = re.findall(r'<option[^>]*value="other_crop"[^>]*>', page)
    assert "checked" in talk
    assert "selected" in crop


def test_a_session_of_an_agriculture_course_takes_the_courses_crop(app, trainer):
    course_id = _course(app, category="agriculture", commodity="coffee")
    answer = _post(
        trainer, "/sessions/new", _form(category="", commodity="", course_id=str(course_id))
    )
    assert answer.status_code == 302
    assert _stored(app) == [("training", "agriculture", "coffee")]


def test_a_crop_chosen_for_a_course_session_wins_over_the_courses(app, trainer):
    course_id = _course(app, category="agriculture", commodity="coffee")
    answer = _post(trainer, "/sessions/new", _form(commodity="cacao", course_id=str(course_id)))
    assert answer.status_code == 302
    assert _stored(app) == [("training", "agriculture", "cacao")]


def test_a_crop_on_a_session_of_a_course_off_agriculture_is_refused(app, trainer):
    course_id = _course(app, category="digital_literacy", commodity=None)
    answer = _post(trainer, "/sessions/new", _form(commodity="cacao", course_id=str(course_id)))
    assert answer.status_code == 400
    assert count_rows(app, "activity_sessions") == 0


def test_the_form_lists_courses_topics_for_the_crop_script(app, trainer):
    course_id = _course(app, category="agriculture", commodity="coffee")
    page = trainer.get("/sessions/new").get_data(as_text=True)
    assert f"&#34;{course_id}&#34;: [&#34;agriculture&#34;, &#34;coffee&#34;]" in page
    assert 'data-crop-for="category"' in page
    assert "js/crop.js" in page


def test_an_older_agriculture_session_without_a_crop_reads_as_not_said(app, trainer):
    with app.app_context():
        (activity,) = scheduling.create(
            db.session, session_data(category="agriculture", commodity="cacao")
        )
        activity.commodity = None  # as every agriculture session made before crops existed
        db.session.commit()
        session_id = activity.id
    page = trainer.get(f"/sessions/{session_id}").get_data(as_text=True)
    assert 'data-testid="commodity">Cultivo no indicado<' in page
    assert 'data-commodity="none"' in page


def test_the_service_refuses_what_the_form_would(app_ctx):
    for data, field in (
        (session_data(purpose="lecture"), "purpose"),
        (session_data(category="agriculture"), "commodity"),
        (session_data(category="agriculture", commodity="maize"), "commodity"),
        (session_data(commodity="cacao"), "commodity"),
    ):
        with pytest.raises(scheduling.SchedulingError) as refused:
            scheduling.create(db.session, data)
        assert set(refused.value.errors) == {field}
    assert db.session.scalar(sa.select(sa.func.count(ActivitySession.id))) == 0
