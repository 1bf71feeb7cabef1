"""gunicorn as `make run` and deploy/ start it (gunicorn.conf.py)."""

from __future__ import annotations

import http.client


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
