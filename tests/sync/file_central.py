"""A small central on loopback for the download tests and the bench: real HTTP, real sockets.

- `FileCentral`: the contract's `GET /api/v1/sync/files/<sha256>` (a bearer token, Range
  answered with 206 by Werkzeug's own `send_file(conditional=True)`), served by a threaded
  Werkzeug server; it can damage one byte of one answer (`damage_once`).
- `CuttingProxy`: a man in the middle that cuts every connection after `cut_every` bytes of
  body, staying silent `stall` seconds first (a line that hangs, then drops), and may hold the
  line to `rate` bytes per second. It counts the body bytes central sent through it.
- `pack_file`: a course pack on disk, with as many media files of random bytes as asked.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import socket
import threading
import time
import zipfile
from contextlib import suppress
from pathlib import Path

from flask import Flask, abort, jsonify, request, send_file
from werkzeug.serving import make_server

from tests.courses.conftest import BODIES, definition
from tests.live import listener

TOKEN = "tcs_" + "d" * 40
MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def pack_file(path: Path, *, version: int, media_bytes: list[int] = ()) -> Path:  # type: ignore[assignment]
    """The test course (tests.courses.conftest) at `version`, with one video of random bytes
    per size in `media_bytes` (stored, not deflated: random bytes do not shrink)."""
    manifest = definition(version=version, title=f"Curso de prueba v{version}")
    media = []
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        for number, size in enumerate(media_bytes, start=1):
            data = MP4_HEAD + os.urandom(size - len(MP4_HEAD))
            name = f"media/video-{number}.mp4"
            archive.writestr(name, data)
            media.append({"file": name, "sha256": hashlib.sha256(data).hexdigest()})
        manifest["media"] = media
        archive.writestr("course.json", json.dumps(manifest))
        for name, body in BODIES.items():
            archive.writestr(name, body)
    return path


def entry(path: Path, *, number: int, version: int, slug: str = "prueba") -> dict:
    """The catalogue entry central would list for the pack at `path` (the contract's shape)."""
    sha256 = sha256_of(path)
    return {
        "id": f"CP-{number}",
        "slug": slug,
        "title": f"Curso de prueba v{version}",
        "version": version,
        "kind": "pack",
        "sha256": sha256,
        "size": path.stat().st_size,
        "url": f"/api/v1/sync/files/{sha256}",
        "published_at": "2026-11-29T17:00:00Z",
    }


class FileCentral:
    """Serves the files it is given, by SHA-256, to the bearer of TOKEN."""

    def __init__(self) -> None:
        self.files: dict[str, Path] = {}
        self.ranges: list[str | None] = []
        self.damage = 0  # answers still to damage
        app = Flask(__name__)
        app.add_url_rule("/api/v1/sync/files/<sha256>", view_func=self._file)
        self.server = make_server("127.0.0.1", 0, self._damaging(app), threaded=True)
        self.port = self.server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def add(self, path: Path) -> str:
        sha256 = sha256_of(path)
        self.files[sha256] = path
        return sha256

    def _file(self, sha256: str):
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return jsonify(error="unauthorized"), 401
        if sha256 not in self.files:
            abort(404)
        self.ranges.append(request.headers.get("Range"))
        return send_file(
            self.files[sha256], mimetype="application/zip", conditional=True, etag=sha256
        )

    def _damaging(self, app):
        """WSGI: while `damage` is above 0, each body leaves with its first byte flipped."""

        def serve(environ, start_response):
            body = app(environ, start_response)
            if not self.damage:
                return body
            self.damage -= 1
            return _flip_first_byte(body)

        return serve

    def close(self) -> None:
        self.server.shutdown()


def _flip_first_byte(body):
    first = True
    try:
        for block in body:
            if first and block:
                block = bytes([block[0] ^ 0xFF]) + block[1:]
                first = False
            yield block
    finally:
        if hasattr(body, "close"):
            body.close()


class CuttingProxy:
    """Between the site and central: each connection is cut after `cut_every` body bytes
    (0: never), after `stall` seconds of silence; `rate` bytes per second at most (0: any)."""

    def __init__(self, target_port: int, *, cut_every: int = 0, stall: float = 0.0, rate: int = 0):
        self.target, self.cut_every, self.stall, self.rate = target_port, cut_every, stall, rate
        self.listener = listener()
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.body_bytes = 0  # body bytes central sent through the proxy
        self.cuts = 0
        self.lock = threading.Lock()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _address = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._relay, args=(conn,), daemon=True).start()

    def _relay(self, conn: socket.socket) -> None:
        with conn, socket.create_connection(("127.0.0.1", self.target)) as upstream:
            head = b""
            while b"\r\n\r\n" not in head:
                block = conn.recv(65536)
                if not block:
                    return
                head += block
            upstream.sendall(head)
            answer_head, forwarded, started = b"", 0, time.monotonic()
            while True:
                block = upstream.recv(65536)
                if not block:
                    return
                if b"\r\n\r\n" not in answer_head:
                    answer_head += block
                    if b"\r\n\r\n" not in answer_head:
                        continue
                    head_part, _sep, block = answer_head.partition(b"\r\n\r\n")
                    conn.sendall(head_part + b"\r\n\r\n")
                with self.lock:
                    self.body_bytes += len(block)
                if self.cut_every and forwarded + len(block) >= self.cut_every:
                    conn.sendall(block[: self.cut_every - forwarded])
                    self._cut(conn)
                    return
                conn.sendall(block)
                forwarded += len(block)
                if self.rate:
                    ahead = forwarded / self.rate - (time.monotonic() - started)
                    if ahead > 0:
                        time.sleep(ahead)

    def _cut(self, conn: socket.socket) -> None:
        time.sleep(self.stall)  # the line hangs...
        with self.lock:
            self.cuts += 1
        with suppress(OSError):  # ...then drops
            conn.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.listener.close()


def small_pack_bytes(version: int) -> bytes:
    """A pack with no media, in memory."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("course.json", json.dumps(definition(version=version)))
        for name, body in BODIES.items():
            archive.writestr(name, body)
    return buffer.getvalue()
