"""gunicorn settings shared by `make run`, the tests and deploy/ (read from the working folder)."""

import os

bind = f"127.0.0.1:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WORKERS", "2"))
# Threads let a worker serve another request while one waits on the disk (SQLite fsync).
worker_class = "gthread"
threads = int(os.environ.get("THREADS", "4"))
# One scheduler runs beside gunicorn (telecenter scheduler); workers never start jobs.
control_socket_disable = True
accesslog = "-"
# The path without its query string: a search for a person's name must not reach the logs.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
timeout = 60
graceful_timeout = 20
