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
    with (
        single_instance_lock(str(tmp_path)),
        pytest.raises(SchedulerAlreadyRunning),
        single_instance_lock(str(tmp_path)),
    ):
        pass
    with single_instance_lock(str(tmp_path)):  # free again once the first one stops
        pass


def test_purge_removes_only_old_throttles(app):
    from telecenter.auth.models import SignInThrottle
    from telecenter.clock import utcnow
    from telecenter.extensions import db

    now = utcnow()
    with app.app_context():
        db.session.add_all(
            [
                SignInThrottle(key="old", failures=1, first_failure_at=now - timedelta(days=3)),
                SignInThrottle(key="new", failures=1, first_failure_at=now),
                SignInThrottle(
                    key="locked",
                    failures=0,
                    first_failure_at=now - timedelta(days=3),
                    locked_until=now + timedelta(minutes=5),
                ),
            ]
        )
        db.session.commit()
    purge_sign_in_throttles(app)
    with app.app_context():
        keys = set(db.session.scalars(db.select(SignInThrottle.key)))
    assert keys == {"new", "locked"}


def test_a_second_scheduler_process_refuses_to_start(tmp_path):
    """Two `telecenter scheduler` processes for one site: the second exits at once."""
    import os
    import subprocess
    import sys
    import time
    from pathlib import Path

    binary = str(Path(sys.executable).parent / "telecenter")
    env = {
        **os.environ,
        "TELECENTER_INSTANCE": str(tmp_path),
        "SECRET_KEY": "x" * 40,
        "DATABASE_URL": f"sqlite:///{tmp_path}/site.sqlite3",
    }
    subprocess.run([binary, "init", "--no-admin"], env=env, check=True, capture_output=True)
    first = subprocess.Popen(
        [binary, "scheduler"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 20
        while (
            not (tmp_path / "scheduler.lock").exists()
            or not (tmp_path / "scheduler.lock").read_text()
        ):
            assert time.monotonic() < deadline, "the first scheduler did not start"
            time.sleep(0.1)
        second = subprocess.run(
            [binary, "scheduler"], env=env, capture_output=True, text=True, timeout=30
        )
        assert second.returncode != 0
        assert "another scheduler is running" in second.stderr
        assert first.poll() is None  # the first one keeps running
    finally:
        first.terminate()
        first.wait(timeout=10)


def test_the_site_scheduler_runs_the_sync_job_at_the_configured_interval(make_app):
    app = make_app(SYNC_INTERVAL_MINUTES=7)
    jobs = {job.id: job for job in build_scheduler(app).get_jobs()}
    assert set(jobs) == {"purge-sign-in-throttles", "sync", "nightly-backup", "course-downloads"}
    assert str(jobs["nightly-backup"].trigger.fields[5]) == "2"  # 2 am, Lima
    assert jobs["sync"].trigger.interval.total_seconds() == 7 * 60
    central = make_app("central")
    assert [job.id for job in build_scheduler(central).get_jobs()] == ["purge-sign-in-throttles"]
