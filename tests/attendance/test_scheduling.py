"""Scheduling: validation, conflicts, recurring series, editing and cancelling."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from telecenter.attendance import scheduling
from telecenter.attendance.models import ActivitySession
from telecenter.clock import to_lima, today_in_lima
from telecenter.extensions import db
from tests.attendance.conftest import session_data


def _create(data, recurrence=None):
    return scheduling.create(db.session, data, recurrence)


def test_times_are_entered_in_lima_and_stored_in_utc(app_ctx):
    (item,) = _create(session_data(start=time(9, 0), end=time(11, 30)))
    assert item.starts_at.hour == 14  # Lima is UTC-5 all year
    assert to_lima(item.starts_at).hour == 9
    assert item.hours == 2.5


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"start": time(11, 0), "end": time(9, 0)}, "end"),
        ({"start": time(9, 0), "end": time(9, 0)}, "end"),
        ({"day": date(2020, 1, 1)}, "day"),
        ({"day": date(2035, 1, 1)}, "day"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": -3}, "capacity"),
        ({"category": None}, "category"),
        ({"kind": "party"}, "kind"),
        ({"course_id": 999}, "course_id"),
    ],
)
def test_bad_sessions_are_refused_and_nothing_is_stored(app_ctx, changes, field):
    with pytest.raises(scheduling.SchedulingError) as error:
        _create(session_data(**changes))
    assert field in error.value.errors
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(ActivitySession.id))) == 0


def test_a_class_of_a_course_takes_the_course_category(app_ctx):
    from telecenter.courses import authoring
    from tests.courses.conftest import BODIES, definition

    course = authoring.apply_definition(
        db.session, definition(category="financial_literacy"), BODIES
    )
    (item,) = _create(session_data(course_id=course.id, category=None))
    assert item.category == "financial_literacy"


def test_room_and_trainer_double_booking_names_the_other_session(app_ctx, trainer_id):
    _create(session_data(title="Finanzas", trainer_id=trainer_id))
    with pytest.raises(scheduling.SchedulingError, match=r"ambiente.*Finanzas"):
        _create(session_data(title="Otra", room="LABORATORIO", start=time(10, 0), end=time(12, 0)))
    with pytest.raises(scheduling.SchedulingError, match=r"capacitador.*Finanzas"):
        _create(
            session_data(
                title="Otra",
                room="Sala 2",
                trainer_id=trainer_id,
                start=time(10, 30),
                end=time(12, 0),
            )
        )
    _create(session_data(title="Justo después", start=time(11, 0), end=time(12, 0)))


def test_cancelled_sessions_free_their_room(app_ctx):
    (first,) = _create(session_data())
    scheduling.cancel(db.session, first, reason="Lluvia")
    _create(session_data(title="En su lugar"))


def test_weekly_series_on_chosen_days_every_two_weeks(app_ctx):
    monday = today_in_lima() + timedelta(days=7 - today_in_lima().weekday())
    recurrence = scheduling.Recurrence(
        weekdays=[0, 3], every_weeks=2, until=monday + timedelta(days=34)
    )
    items = _create(session_data(day=monday), recurrence)
    days = [to_lima(i.starts_at).date() for i in items]
    assert days == [
        monday,
        monday + timedelta(days=3),
        monday + timedelta(days=14),
        monday + timedelta(days=17),
        monday + timedelta(days=28),
        monday + timedelta(days=31),
    ]
    assert len({i.series_id for i in items}) == 1


def test_a_conflict_in_any_occurrence_creates_none_of_the_series(app_ctx):
    monday = today_in_lima() + timedelta(days=7 - today_in_lima().weekday())
    _create(session_data(day=monday + timedelta(days=14), title="Ocupado"))
    db.session.commit()
    with pytest.raises(scheduling.SchedulingError, match="Ocupado"):
        _create(
            session_data(day=monday),
            scheduling.Recurrence(weekdays=[0], until=monday + timedelta(days=28)),
        )
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(ActivitySession.id))) == 1


def _series(weeks=4):
    monday = today_in_lima() + timedelta(days=7 - today_in_lima().weekday())
    return _create(
        session_data(day=monday),
        scheduling.Recurrence(weekdays=[0], until=monday + timedelta(days=7 * (weeks - 1))),
    )


def test_edit_one_occurrence_or_the_rest_of_the_series(app_ctx):
    items = _series()
    data = session_data(day=to_lima(items[1].starts_at).date(), title="Solo esta")
    scheduling.update(db.session, items[1], data, scope="one")
    assert [i.title for i in items] == [
        "Uso del celular",
        "Solo esta",
        "Uso del celular",
        "Uso del celular",
    ]
    data = session_data(
        day=to_lima(items[2].starts_at).date(),
        title="Nuevo horario",
        start=time(15, 0),
        end=time(17, 0),
    )
    scheduling.update(db.session, items[2], data, scope="following")
    assert [i.title for i in items] == [
        "Uso del celular",
        "Solo esta",
        "Nuevo horario",
        "Nuevo horario",
    ]
    assert to_lima(items[3].starts_at).hour == 15
    assert to_lima(items[3].starts_at).date() == to_lima(items[2].starts_at).date() + timedelta(
        days=7
    )


def test_cancel_the_rest_of_a_series_needs_a_reason(app_ctx):
    items = _series()
    with pytest.raises(scheduling.SchedulingError, match="motivo"):
        scheduling.cancel(db.session, items[1], reason=" ")
    scheduling.cancel(db.session, items[1], reason="Vacaciones", scope="following")
    assert [i.state for i in items] == ["scheduled", "cancelled", "cancelled", "cancelled"]
    assert items[3].cancel_reason == "Vacaciones"


def test_a_held_session_cannot_be_cancelled(app_ctx):
    (item,) = _create(session_data())
    item.state = "held"
    with pytest.raises(scheduling.SchedulingError, match="ya se realizó"):
        scheduling.cancel(db.session, item, reason="Error")
