"""One scheduler per instance, and its jobs do their work."""

from __future__ import annotations

from datetime import timedelta

import pytest

from telecenter.scheduler import (
    SchedulerAlreadyRunning,
    build_scheduler,
    purge_sign_in_throttles,
    single_instance_lock,
)


def test_a_second_scheduler_cannot_start_while_one_runs(tmp_path):
    with (single_instance_lock(str(tmp_path)), pytest.raises(SchedulerAlreadyRunning),
          single_instance_lock(str(tmp_path))):
        pass
    with single_instance_lock(str(tmp_path)):  # free again once the first one stops
        pass


def test_scheduler_has_the_throttle_purge_job(app):
    scheduler = build_scheduler(app)
    assert [job.id for job in scheduler.get_jobs()] == ["purge-sign-in-throttles"]


def test_purge_removes_only_old_throttles(app):
    from telecenter.auth.models import SignInThrottle
    from telecenter.database import utcnow
    from telecenter.extensions import db

    now = utcnow()
    with app.app_context():
        db.session.add_all([
            SignInThrottle(key="old", failures=1, first_failure_at=now - timedelta(days=3)),
            SignInThrottle(key="new", failures=1, first_failure_at=now),
            SignInThrottle(key="locked", failures=0, first_failure_at=now - timedelta(days=3),
                           locked_until=now + timedelta(minutes=5)),
        ])
        db.session.commit()
    purge_sign_in_throttles(app)
    with app.app_context():
        keys = set(db.session.scalars(db.select(SignInThrottle.key)))
    assert keys == {"new", "locked"}
