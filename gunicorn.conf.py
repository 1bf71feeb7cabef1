"""gunicorn settings shared by `make run`, the tests and deploy/ (read from the working folder)."""

import os

bind = f"127.0.0.1:{os.environ.get('PORT', '8000')}"
# One worker per core this process may use (taskset, a one-core PC), at most two: on one core a
# second worker cost 40 MiB and served the room no faster (bench/site_load.py --cpus 0).
workers = int(os.environ.get("WORKERS") or min(2, len(os.sched_getaffinity(0))))
# Threads let a worker serve another request while one waits on the disk (SQLite fsync). Two,
# not more: the threads of a worker share one interpreter lock, and a full room measured faster
# with 2 than with 4 or 8 (bench/site_load.py).
worker_class = "gthread"
threads = int(os.environ.get("THREADS", "2"))
# The master imports the app once and forks the workers from it: they share its memory instead
# of each importing a copy (telecenter/web_process.py says what must not be shared, and how).
preload_app = True
control_socket_disable = True
# No gunicorn access log: the app writes the one line per request (telecenter.requests: request
# id, method, path without its query string, status, duration) to the same stderr.
accesslog = None
# No keep-alive: a kept-alive connection stays with the worker that accepted it, and with a
# room of browsers one worker served most of them while the other idled (bench/site_load.py:
# 65 -> 115 requests/s at full stress). Closing after each answer lets the free worker take the
# next request; on a LAN a new connection costs well under a millisecond.
keepalive = 0
timeout = 60
graceful_timeout = 20


def when_ready(server):
    """Master, app loaded, no worker yet: schema checked, connections closed, objects frozen."""
    from telecenter import web_process

    web_process.master_ready(server.app.wsgi())


def post_fork(server, worker):
    """Each worker, just forked: a connection pool of its own."""
    from telecenter import web_process

    web_process.worker_forked(server.app.wsgi())


def post_worker_init(worker):
    """Each worker, about to serve: the scheduler (one worker runs its jobs)."""
    from telecenter import web_process

    worker.scheduler = web_process.worker_ready(worker.app.wsgi())


def worker_exit(server, worker):
    scheduler = getattr(worker, "scheduler", None)
    if scheduler is not None:
        scheduler.stop()
