"""gunicorn as `make run` and deploy/ start it (gunicorn.conf.py)."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from telecenter.scheduler import SchedulerAlreadyRunning, single_instance_lock
from tests.live import BIN, LiveServer


def test_every_answer_closes_its_connection(live_site):
    """A kept-alive connection stays with the worker that accepted it: with a room of
    browsers one worker served most of them while the other idled (bench/site_load.py).
    Closing after each answer lets whichever worker is free take the next request."""
    connection = http.client.HTTPConnection("127.0.0.1", live_site.port, timeout=10)
    connection.request("GET", "/sign-in")
    answer = connection.getresponse()
    answer.read()
    assert answer.status == 200
    assert answer.getheader("Connection", "").lower() == "close"
    assert answer.will_close
    connection.close()


def _workers(master: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == master:
                found.add(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    return found


def _wait_for(condition, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while not (found := condition()):
        assert time.monotonic() < deadline, "not within the time allowed"
        time.sleep(0.1)
    return found


def test_the_master_forks_with_no_database_file_open_and_no_thread(live_site):
    """preload_app: the workers are forks of the master, so the master must hold nothing a
    fork would share (an SQLite connection must never cross one; threads do not survive)."""
    master = live_site.process.pid
    # The site answers once one worker is up; the other may still be forking on a busy machine.
    _wait_for(lambda: len(_workers(master)) == live_site.workers)
    open_files = []
    for fd in Path(f"/proc/{master}/fd").iterdir():
        with contextlib.suppress(OSError):
            open_files.append(os.readlink(fd))
    assert not [name for name in open_files if "sqlite3" in name]
    assert [task.name for task in Path(f"/proc/{master}/task").iterdir()] == [str(master)]


def test_exactly_one_worker_runs_the_scheduler_and_another_takes_over(tmp_path):
    server = LiveServer(instance=tmp_path / "site").prepare(demo=False).start()
    lock = server.instance / "scheduler.lock"
    try:
        master = server.process.pid

        def holder() -> int | None:
            note = lock.read_text() if lock.exists() else ""
            return int(note) if note.isdigit() and int(note) in _workers(master) else None

        first = _wait_for(holder)
        with pytest.raises(SchedulerAlreadyRunning), single_instance_lock(str(server.instance)):
            pass
        beside = subprocess.run(
            [str(BIN / "telecenter"), "scheduler"],
            env=server.env(),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert beside.returncode != 0
        assert "another scheduler is running" in beside.stderr
        assert server.log_path.read_text().count("scheduler started with") == 1

        os.kill(first, signal.SIGKILL)  # gunicorn starts another worker; the lock went free
        second = _wait_for(lambda: (pid := holder()) != first and pid)
        assert second in _workers(master)
        _wait_for(lambda: server.log_path.read_text().count("scheduler started with") == 2)
    finally:
        server.stop()
