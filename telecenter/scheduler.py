"""The one scheduler of an instance: background jobs, never twice at once.

It runs inside one of the gunicorn workers (`InWorker`, started by gunicorn.conf.py), so a
site is one process tree, or on its own (`telecenter scheduler`). A file lock in the instance
folder guarantees a single scheduler however many are started: a second `telecenter
scheduler` refuses to run, and a worker that cannot take the lock waits for it to be free.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from telecenter import file_lock

log = logging.getLogger(__name__)
LOCK_FILE = "scheduler.lock"
#: How often a worker without the lock tries again: the holder may be a `telecenter scheduler`
#: that was stopped, or a worker that ended without gunicorn starting another.
RETRY_SECONDS = 60.0


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


def build_scheduler(app: Flask, kind: type[BaseScheduler] = BlockingScheduler) -> BaseScheduler:
    scheduler = kind(timezone="UTC")
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


class InWorker:
    """The scheduler inside a gunicorn worker. Every worker starts one; the one that takes the
    instance's lock runs the jobs in a thread of its own, the others try again every
    `retry_seconds`, so that another takes over when the holder ends (the lock goes with the
    process). One more process beside gunicorn would hold a whole copy of the application."""

    def __init__(self, app: Flask, retry_seconds: float = RETRY_SECONDS):
        self.app = app
        self.retry_seconds = retry_seconds
        #: Set while this process holds the lock and runs the jobs.
        self.running = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="scheduler", daemon=True)

    def start(self) -> InWorker:
        self._thread.start()
        return self

    def stop(self, timeout: float | None = 10) -> None:
        """Stop the jobs (a running one ends first) and let go of the lock."""
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        from apscheduler.schedulers.background import BackgroundScheduler

        while not self._stop.is_set():
            try:
                with single_instance_lock(self.app.instance_path):
                    scheduler = build_scheduler(self.app, BackgroundScheduler)
                    scheduler.start()
                    self.running.set()
                    log.info(
                        "scheduler started with %d jobs in worker %s",
                        len(scheduler.get_jobs()),
                        os.getpid(),
                    )
                    self._stop.wait()
                    scheduler.shutdown()
                    self.running.clear()
                return
            except SchedulerAlreadyRunning:
                self._stop.wait(self.retry_seconds)
