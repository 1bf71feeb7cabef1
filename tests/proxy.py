"""A man in the middle on loopback, for the sync's failure cases: central stores a batch and
the site never hears (a cut line), or hears only long after (a slow line)."""

from __future__ import annotations

import socket
import threading
from contextlib import suppress

from tests.live import listener


class Proxy:
    """Forwards each request whole to central and reads central's whole answer; then hangs up
    before the site reads it (`hang_up`), or holds it back until `close()` (at most `delay`
    seconds): a line so slow that the test acts while the site still waits."""

    def __init__(self, target_port: int, *, hang_up: bool = False, delay: float = 0.0):
        self.target, self.hang_up, self.delay = target_port, hang_up, delay
        self.listener = listener()
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.forwarded = 0
        self.central_answered = threading.Event()  # central has stored a batch
        self.closed = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            with conn:
                request = read_request(conn)
                with socket.create_connection(("127.0.0.1", self.target)) as upstream:
                    upstream.sendall(request)
                    answer = b""
                    while chunk := upstream.recv(65536):
                        answer += chunk
                self.forwarded += 1
                self.central_answered.set()
                if self.hang_up:
                    conn.shutdown(socket.SHUT_RDWR)
                    continue
                self.closed.wait(timeout=self.delay)
                with suppress(OSError):
                    conn.sendall(answer)

    def close(self) -> None:
        self.closed.set()
        self.listener.close()


def read_request(conn: socket.socket) -> bytes:
    """One whole HTTP request, rewritten to close the connection after its answer."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += conn.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length")
    )
    while len(body) < length:
        body += conn.recv(65536)
    return head.replace(b"Connection: keep-alive", b"Connection: close") + b"\r\n\r\n" + body
