"""Attendance fixtures: session data in Lima time around a fixed 'now'."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from telecenter.attendance.scheduling import SessionData
from telecenter.clock import today_in_lima


def session_data(day: date | None = None, start=time(9, 0), end=time(11, 0), **fields):
    values = dict(
        kind="class",
        title="Uso del celular",
        category="digital_literacy",
        room="Laboratorio",
        trainer_id=None,
    )
    values.update(fields)
    return SessionData(
        day=day or today_in_lima() + timedelta(days=7), start=start, end=end, **values
    )


@pytest.fixture
def trainer_id(app_ctx, make_user):
    from telecenter.auth.services import find_user
    from telecenter.extensions import db

    username, _ = make_user("trainer")
    return find_user(db.session, username).id
