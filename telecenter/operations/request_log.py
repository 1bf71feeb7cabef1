"""One log line per request: an id, the method and path (never the query string, which can
hold a name someone searched for), the status and the time taken."""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, g, request

log = logging.getLogger("telecenter.requests")
_SAFE_ID = re.compile(r"[A-Za-z0-9-]{8,64}")


def install(app: Flask) -> None:
    @app.before_request
    def start_timer():
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _SAFE_ID.fullmatch(incoming) else uuid.uuid4().hex[:16]
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response):
        started = g.get("request_started")
        if started is None or request.endpoint == "static":
            return response
        elapsed = 1000 * (time.perf_counter() - started)
        response.headers["X-Request-ID"] = g.request_id
        log.info(
            "request id=%s %s %s status=%s %.0fms",
            g.request_id,
            request.method,
            request.path,
            response.status_code,
            elapsed,
        )
        return response
