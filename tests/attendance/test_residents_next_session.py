"""A resident's home names her next session: one of her course's, her group's, or one she
signed up for; not someone else's, not a cancelled one, not one already over."""

from __future__ import annotations

from datetime import time, timedelta

from telecenter.attendance import scheduling, services
from telecenter.clock import today_in_lima, utcnow
from telecenter.courses import authoring, learning
from telecenter.extensions import db
from telecenter.participants import groups
from telecenter.participants.models import Participant
from tests.attendance.conftest import session_data
from tests.conftest import csrf_token
from tests.courses.conftest import BODIES, definition


def _one(data):
    (activity,) = scheduling.create(db.session, data)
    db.session.commit()
    return activity


def test_the_earliest_of_her_sessions_is_the_one_named(clock, app_ctx, make_participant):
    maria = db.session.get(Participant, make_participant(pin="4821"))
    rosa = db.session.get(Participant, make_participant(given_names="Rosa", surnames="Ccori"))
    course = authoring.apply_definition(db.session, definition(), BODIES, published=True)
    learning.enrol(db.session, course, maria, actor=None)
    group = groups.create(db.session, "Mujeres emprendedoras", actor=None)
    groups.add_members(db.session, group, [maria.id], actor=None)
    db.session.commit()
    today = today_in_lima()
    # Rosa's own class comes first, but it is not María's.
    _one(session_data(today + timedelta(days=1), title="Clase de Rosa"))
    rosa_group = groups.create(db.session, "Otro grupo", actor=None)
    groups.add_members(db.session, rosa_group, [rosa.id], actor=None)
    _one(session_data(today + timedelta(days=2), title="Grupo de Rosa", group_id=rosa_group.id))
    in_group = _one(session_data(today + timedelta(days=5), title="Ahorro", group_id=group.id))
    of_course = _one(session_data(today + timedelta(days=9), title="Curso", course_id=course.id))
    assert services.next_session_for(db.session, maria, now=utcnow()) == in_group
    scheduling.cancel(db.session, in_group, reason="Lluvia")
    db.session.commit()
    assert services.next_session_for(db.session, maria, now=utcnow()) == of_course
    assert services.next_session_for(db.session, rosa, now=utcnow()).title == "Grupo de Rosa"


def test_a_session_under_way_still_counts_until_it_ends(clock, app_ctx, make_participant):
    maria = db.session.get(Participant, make_participant())
    course = authoring.apply_definition(db.session, definition(), BODIES, published=True)
    learning.enrol(db.session, course, maria, actor=None)
    # FIXED_NOW is noon in Lima.
    now_class = _one(
        session_data(today_in_lima(), start=time(11, 0), end=time(13, 0), course_id=course.id)
    )
    assert services.next_session_for(db.session, maria, now=utcnow()) == now_class
    assert services.next_session_for(db.session, maria, now=now_class.ends_at) is None


def test_her_home_page_names_it(clock, app, client, make_participant):
    with app.app_context():
        maria = db.session.get(
            Participant,
            make_participant(document_type="dni", document_number="44556677", pin="5824"),
        )
        course = authoring.apply_definition(db.session, definition(), BODIES, published=True)
        learning.enrol(db.session, course, maria, actor=None)
        db.session.commit()
        day = today_in_lima() + timedelta(days=3)
        _one(session_data(day, title="Banca por celular", course_id=course.id, room="Sala 2"))
    client.post(
        "/sign-in/participant",
        data={"identifier": "44556677", "pin": "5824", "csrf_token": csrf_token(client)},
    )
    home = client.get("/home").get_data(as_text=True)
    card = home.split('data-testid="next-session"')[1]
    assert "Banca por celular" in card
    assert "de 09:00 a 11:00" in card
    assert "Sala 2" in card
    assert str(day.day) in card
