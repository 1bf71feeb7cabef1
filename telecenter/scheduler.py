"""The one scheduler process of an instance: background jobs, never twice at once.

A file lock in the instance folder guarantees a single scheduler even if a second one is
started by mistake (or by several gunicorn workers): the second one refuses to run.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from telecenter import file_lock

log = logging.getLogger(__name__)
LOCK_FILE = "scheduler.lock"


class SchedulerAlreadyRunning(RuntimeError):
    """Another scheduler holds this instance's lock."""


@dataclass(frozen=True)
class Job:
    id: str
    func: Callable[[Flask], None]
    minutes: int = 0
    #: When set, a daily job at this hour (America/Lima) instead of an interval.
    daily_hour: int | None = None


@contextmanager
def single_instance_lock(instance_path: str) -> Iterator[None]:
    with file_lock.exclusive(Path(instance_path) / LOCK_FILE, note=str(os.getpid())) as taken:
        if not taken:
            raise SchedulerAlreadyRunning(f"another scheduler is running for {instance_path}")
        yield


def purge_sign_in_throttles(app: Flask) -> None:
    from telecenter.auth.services import purge_expired_throttles
    from telecenter.database import writing
    from telecenter.extensions import db_session

    with app.app_context():
        with writing(db_session()):
            removed = purge_expired_throttles(db_session(), older_than=timedelta(days=1))
        log.info("purged %s old sign-in throttles", removed)


def jobs_for(app: Flask) -> list[Job]:
    """The jobs of this server role."""
    jobs = [Job("purge-sign-in-throttles", purge_sign_in_throttles, minutes=60)]
    if app.config["TELECENTER_ROLE"] == "site":
        from telecenter.sync.downloads import download_job
        from telecenter.sync.tasks import sync_job

        jobs.append(Job("sync", sync_job, minutes=int(app.config["SYNC_INTERVAL_MINUTES"])))
        # A run may last hours (a big pack on a slow line): max_instances=1 keeps it single.
        jobs.append(Job("course-downloads", download_job, minutes=1))
        jobs.append(Job("nightly-backup", nightly_backup, daily_hour=2))
    return jobs


def nightly_backup(app: Flask) -> None:
    from telecenter.operations import backups

    path = backups.create(app)
    log.info("nightly backup written: %s", path.name)


def after_any_restore(func: Callable[[Flask], None]) -> Callable[[Flask], None]:
    """A job that first reconnects when a backup was restored from the page meanwhile: the
    scheduler is a process of its own, and must not need a restart either."""
    from telecenter.operations import maintenance

    def run(app: Flask) -> None:
        maintenance.reconnect_if_restored(app)
        func(app)

    return run


def build_scheduler(app: Flask) -> BlockingScheduler:
    scheduler = BlockingScheduler(timezone="UTC")
    for job in jobs_for(app):
        if job.daily_hour is not None:
            scheduler.add_job(
                after_any_restore(job.func),
                "cron",
                hour=job.daily_hour,
                timezone="America/Lima",
                args=[app],
                id=job.id,
                max_instances=1,
                coalesce=True,
                misfire_grace_time=6 * 3600,
            )  # the PC was off at 2 am
        else:
            scheduler.add_job(
                after_any_restore(job.func),
                "interval",
                minutes=job.minutes,
                args=[app],
                id=job.id,
                max_instances=1,
                coalesce=True,
            )
    return scheduler


def run_forever(app: Flask) -> None:
    with single_instance_lock(app.instance_path):
        scheduler = build_scheduler(app)
        log.info("scheduler started with %d jobs", len(scheduler.get_jobs()))
        scheduler.start()
