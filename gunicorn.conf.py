"""gunicorn settings shared by `make run`, the tests and deploy/ (read from the working folder)."""

import os

bind = f"127.0.0.1:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WORKERS", "2"))
# Threads let a worker serve another request while one waits on the disk (SQLite fsync). Two,
# not more: the threads of a worker share one interpreter lock, and a full room measured faster
# with 2 than with 4 or 8 (bench/site_load.py).
worker_class = "gthread"
threads = int(os.environ.get("THREADS", "2"))
# One scheduler runs beside gunicorn (telecenter scheduler); workers never start jobs.
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
