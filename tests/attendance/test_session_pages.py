"""What the sessions list and the calendar tell a trainer or a resident at a glance: the
category, the course, the places in words, and which month is on the screen."""

from __future__ import annotations

import re
from datetime import date, time

import pytest

from telecenter.attendance import scheduling, services
from telecenter.courses import authoring
from telecenter.extensions import db
from telecenter.participants.models import Participant
from tests.attendance.conftest import session_data
from tests.conftest import csrf_token
from tests.courses.conftest import BODIES, definition
from tests.test_choice_labels import speak


@pytest.fixture
def week(app, clock, make_participant) -> dict[str, int]:
    """Next week's sessions: one of a published course with no limit of places, one of a draft
    course, a teleconference with 3 places (1 taken), a workshop with 1 place (taken) and a
    cancelled class. Returns the courses' ids."""
    with app.app_context():
        published = authoring.apply_definition(
            db.session,
            definition(
                slug="finanzas", title="Finanzas para mi familia", category="financial_literacy"
            ),
            BODIES,
            published=True,
        )
        draft = authoring.apply_definition(
            db.session, definition(slug="borrador", title="Curso en preparación"), BODIES
        )
        person = db.session.get(Participant, make_participant())

        def planned(day: int, **fields):
            (activity,) = scheduling.create(
                db.session, session_data(day=date(2026, 12, day), start=time(9), **fields)
            )
            return activity

        planned(1, title="Ahorro en familia", course_id=published.id)
        planned(2, title="Primer correo", course_id=draft.id)
        grafting = planned(
            3,
            title="Injerto de cacao",
            kind="teleconference",
            category="agriculture",
            commodity="cacao",
            capacity=3,
        )
        phone = planned(4, title="Uso del celular", kind="workshop", capacity=1)
        rained = planned(5, title="Clase suspendida")
        scheduling.cancel(db.session, rained, reason="Lluvia")
        for activity in (grafting, phone):
            services.register(db.session, activity, person)
        db.session.commit()
        return {"published": published.id, "draft": draft.id}


def _cards(page: str) -> dict[str, str]:
    """Each session's card, as its text with the markup left out, by title."""
    cards = {}
    for card in page.split('<li class="card')[1:]:
        text = " ".join(re.sub(r"<[^>]+>", " ", card.split("</li>")[0]).split())
        cards[re.search(r"<h2><a [^>]+>([^<]+)</a>", card).group(1)] = text
    return cards


def test_each_session_says_its_category_course_and_places_in_words(week, clock, signed_in):
    page = signed_in("trainer").get("/sessions/").get_data(as_text=True)
    cards = _cards(page)
    assert "Educación financiera" in cards["Ahorro en familia"]
    assert "Curso: Finanzas para mi familia" in cards["Ahorro en familia"]
    assert "Sin límite de lugares" in cards["Ahorro en familia"]
    assert "Agricultura (cacao, café)" in cards["Injerto de cacao"]
    assert "3 lugares, 2 libres" in cards["Injerto de cacao"]
    assert "Curso:" not in cards["Injerto de cacao"]
    assert "Alfabetización digital" in cards["Uso del celular"]
    assert "1 lugar, todos ocupados" in cards["Uso del celular"]
    assert "lugar" not in cards["Clase suspendida"]
    assert f'<a href="/courses/{week["published"]}">Finanzas para mi familia</a>' in page
    assert f'<a href="/courses/{week["draft"]}">Curso en preparación</a>' in page
    codes = re.compile(r"financial_literacy|digital_literacy|agriculture|workshop|teleconference")
    assert [title for title, text in cards.items() if codes.search(text)] == []


def test_residents_see_a_draft_courses_title_without_a_link_that_would_fail(
    week, clock, client, make_participant
):
    make_participant("Ana", "Vela", document_type="dni", document_number="44556677", pin="5824")
    data = {"identifier": "44556677", "pin": "5824", "csrf_token": csrf_token(client)}
    assert client.post("/sign-in/participant", data=data).status_code == 302
    page = client.get("/sessions/").get_data(as_text=True)
    assert "Curso: Curso en preparación" in _cards(page)["Primer correo"]
    assert f'href="/courses/{week["draft"]}"' not in page
    assert f'<a href="/courses/{week["published"]}">Finanzas para mi familia</a>' in page


def test_places_in_english(week, clock, signed_in):
    trainer = signed_in("trainer")
    speak(trainer, "en")
    cards = _cards(trainer.get("/sessions/").get_data(as_text=True))
    assert "No limit on spots" in cards["Ahorro en familia"]
    assert "3 places, 2 free" in cards["Injerto de cacao"]
    assert "1 place, all taken" in cards["Uso del celular"]
    assert "Farming (cacao, coffee)" in cards["Injerto de cacao"]


@pytest.mark.parametrize(
    ("language", "title", "previous", "following"),
    [
        ("es", "Diciembre de 2026", "Noviembre de 2026", "Enero de 2027"),
        ("en", "December 2026", "November 2026", "January 2027"),
    ],
)
def test_the_month_calendar_names_its_month_and_the_months_either_side(
    clock, signed_in, language, title, previous, following
):
    trainer = signed_in("trainer")
    speak(trainer, language)
    page = trainer.get("/calendar/?view=month&date=2026-12-05").get_data(as_text=True)
    assert f'<h2 class="calendar-title" data-testid="calendar-title">{title}</h2>' in page
    assert f'date=2026-11-01">← {previous}</a>' in page
    assert f'date=2027-01-01">{following} →</a>' in page


def test_the_calendar_opens_on_this_month_and_this_week(clock, signed_in):
    trainer = signed_in("trainer")
    month = trainer.get("/calendar/?view=month").get_data(as_text=True)
    assert ">Noviembre de 2026</h2>" in month  # 29 November 2026 in Lima
    week = trainer.get("/calendar/").get_data(as_text=True)
    assert ">23\u201329 de noviembre de 2026</h2>" in week  # Babel's range: an en dash
    assert "← Semana anterior" in week
    assert "Semana siguiente →" in week
